//! `current`, `history`, `heads`, `branches` and `show`: where the database and the scripts are.
//! Each returns the revisions to show, in order; the command line prints them.

use super::Project;
use crate::revision::Revision;
use crate::runtime::{self, HistoryRow};
use anyhow::Result;

/// The database's current revisions (none: at base).
pub async fn current<'p>(project: &'p Project<'_>) -> Result<Vec<&'p Revision>> {
    let ctx = &project.ctx;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, ctx.dir.config.statement_timeout()).await?;
    let versions = runtime::read_versions(&db, &ctx.dir.config).await?;
    db.close().await.ok();
    ctx.graph.check_versions(&versions)?;
    Ok(versions
        .iter()
        .map(|v| ctx.graph.get(v).expect("checked above"))
        .collect())
}

/// The revisions, newest first, from `start` (default: base) to `end` (default: the heads).
pub fn history<'p>(
    project: &'p Project<'_>,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<Vec<&'p Revision>> {
    let graph = &project.ctx.graph;
    let end_set = match end {
        Some(e) => graph.resolve(e, &[])?,
        None => graph.heads(),
    };
    let shown = graph.ancestors(&end_set);
    let hidden = match start {
        Some(s) => {
            let start_set = graph.resolve(s, &[])?;
            let mut below = graph.ancestors(&start_set);
            for id in &start_set {
                below.remove(id);
            }
            below
        }
        None => Default::default(),
    };
    Ok(graph
        .in_order()
        .rev()
        .filter(|rev| shown.contains(&rev.id) && !hidden.contains(&rev.id))
        .collect())
}

/// Every step applied to the database, from the history table.
pub async fn applied(project: &Project<'_>) -> Result<Vec<HistoryRow>> {
    let config = &project.ctx.dir.config;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, config.statement_timeout()).await?;
    let rows = runtime::read_history(&db, config).await?;
    db.close().await.ok();
    Ok(rows)
}

/// The head revisions.
pub fn heads<'p>(project: &'p Project<'_>) -> Vec<&'p Revision> {
    let graph = &project.ctx.graph;
    graph
        .heads()
        .iter()
        .map(|id| graph.get(id).expect("a head is a revision"))
        .collect()
}

/// The revisions where history branches, each with its children.
pub fn branches<'p>(project: &'p Project<'_>) -> Vec<(&'p Revision, Vec<&'p Revision>)> {
    let graph = &project.ctx.graph;
    graph
        .branch_points()
        .into_iter()
        .map(|(id, children)| {
            let rev = graph.get(&id).expect("a branch point is a revision");
            let children = children
                .iter()
                .map(|c| graph.get(c).expect("a child is a revision"))
                .collect();
            (rev, children)
        })
        .collect()
}

/// The revisions `rev` names (an id, prefix, label, head...).
pub fn show<'p>(project: &'p Project<'_>, rev: &str) -> Result<Vec<&'p Revision>> {
    let graph = &project.ctx.graph;
    Ok(graph
        .resolve(rev, &[])?
        .iter()
        .map(|id| graph.get(id).expect("resolved"))
        .collect())
}
