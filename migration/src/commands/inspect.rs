//! `current`, `history`, `heads`, `branches` and `show`: where the database and the scripts are.
//! Each returns the revisions to show, in order; the command line prints them.

use super::Project;
use crate::error::MigrateError;
use crate::revision::Revision;
use crate::runtime::{self, HistoryRow};
use anyhow::Result;

/// Each schema's current revisions (none: at base), in order; on SQLite, which has no
/// schemas, the first schema's name stands for the one file. A schema that does not exist is
/// an error naming it.
pub async fn current<'p>(project: &'p Project<'_>) -> Result<Vec<(String, Vec<&'p Revision>)>> {
    let ctx = &project.ctx;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, ctx.dir.config.statement_timeout()).await?;
    let read = async {
        let mut found = Vec::new();
        for schema in schemas_of(project, &db) {
            let config = ctx.dir.config.for_schema(&schema);
            let versions = runtime::read_versions(&db, &config).await?;
            found.push((schema, versions));
        }
        anyhow::Ok(found)
    }
    .await;
    db.close().await.ok();
    let mut at = Vec::new();
    for (schema, versions) in read? {
        ctx.graph.check_versions(&versions)?;
        let revisions = versions.iter().filter_map(|v| ctx.graph.get(v)).collect();
        at.push((schema, revisions));
    }
    Ok(at)
}

/// The revisions run in phases that stopped between two of them, per schema (PostgreSQL):
/// what `current` adds below the versions.
pub async fn stopped(project: &Project<'_>) -> Result<Vec<(String, runtime::Interrupted)>> {
    let ctx = &project.ctx;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, ctx.dir.config.statement_timeout()).await?;
    let read = async {
        let mut found = Vec::new();
        for schema in schemas_of(project, &db) {
            let config = ctx.dir.config.for_schema(&schema);
            if let Some(i) = runtime::interrupted(&db, &config).await? {
                found.push((schema, i));
            }
        }
        anyhow::Ok(found)
    }
    .await;
    db.close().await.ok();
    read
}

/// The schemas a command reads on `db`: the project's, or on SQLite the first alone.
fn schemas_of(project: &Project<'_>, db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let mut schemas = project.schemas();
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        schemas.truncate(1);
    }
    schemas
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

#[cfg(any(test, feature = "testing"))]
/// Every step applied to the database, from the history table (of the first schema chosen:
/// [`applied_each`] reads every one).
pub async fn applied(project: &Project<'_>) -> Result<Vec<HistoryRow>> {
    Ok(applied_each(project)
        .await?
        .into_iter()
        .next()
        .map(|(_, rows)| rows)
        .unwrap_or_default())
}

/// Every step applied to each schema, from its history table, schema by schema.
pub async fn applied_each(project: &Project<'_>) -> Result<Vec<(String, Vec<HistoryRow>)>> {
    let config = &project.ctx.dir.config;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, config.statement_timeout()).await?;
    let read = async {
        let mut found = Vec::new();
        for schema in schemas_of(project, &db) {
            let rows = runtime::read_history(&db, &config.for_schema(&schema)).await?;
            found.push((schema, rows));
        }
        anyhow::Ok(found)
    }
    .await;
    db.close().await.ok();
    read
}

/// Each schema's version rows and history rows, read once for the checksum warnings and the
/// recorded schema version.
pub struct AppliedSteps(Vec<(String, Vec<String>, Vec<HistoryRow>)>);

/// Each schema's version and history rows (none for a schema with nothing applied, or not made
/// yet: `upgrade` is about to make it).
pub async fn applied_steps(project: &Project<'_>) -> Result<AppliedSteps> {
    let config = &project.ctx.dir.config;
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, config.statement_timeout()).await?;
    let read = async {
        let mut found = Vec::new();
        for schema in schemas_of(project, &db) {
            let config = config.for_schema(&schema);
            let versions = match runtime::read_versions(&db, &config).await {
                Err(e) if matches!(e.downcast_ref(), Some(MigrateError::NoSchema { .. })) => {
                    Vec::new()
                }
                read => read?,
            };
            let rows = match versions.is_empty() {
                true => Vec::new(),
                false => runtime::read_history(&db, &config).await?,
            };
            found.push((schema, versions, rows));
        }
        anyhow::Ok(AppliedSteps(found))
    }
    .await;
    db.close().await.ok();
    read
}

impl AppliedSteps {
    /// The applied revisions whose files have changed since they were applied, one warning
    /// each naming the file (and, with several schemas, the schema), by the checksums the
    /// history tables record.
    pub fn changed(&self, ctx: &crate::runtime::Context<'_>) -> Vec<String> {
        let several = self.0.len() > 1;
        let mut found = Vec::new();
        for (schema, versions, rows) in &self.0 {
            for warning in ctx.changed_since_applied(versions, rows) {
                found.push(match several {
                    false => warning,
                    true => format!("schema {schema}: {warning}"),
                });
            }
        }
        found
    }

    /// The schema version each schema recorded last (its history table's latest row that has
    /// one); none for a schema with nothing applied.
    pub fn recorded_versions(&self) -> Vec<(&str, Option<&str>)> {
        self.0
            .iter()
            .map(|(schema, _, rows)| {
                let last = rows.iter().rev().find_map(|row| row.schema_version.as_deref());
                (schema.as_str(), last)
            })
            .collect()
    }
}

/// [`AppliedSteps::changed`], read for the occasion (`upgrade`, `current --verbose`).
pub async fn changed(project: &Project<'_>) -> Result<Vec<String>> {
    Ok(applied_steps(project).await?.changed(&project.ctx))
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
