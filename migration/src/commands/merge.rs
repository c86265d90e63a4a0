//! `merge`: a revision that joins two or more revisions (usually the heads).

use super::revision::new_file;
use super::Project;
use anyhow::{bail, Result};
use std::path::PathBuf;

/// `merge`'s arguments.
#[derive(Clone, Debug, Default)]
pub struct MergeArgs {
    /// Revisions to merge; `heads` means all of them.
    pub revisions: Vec<String>,
    pub message: String,
    pub branch_labels: Vec<String>,
    /// The id to use instead of a random one (12 lowercase hex digits).
    pub rev_id: Option<String>,
}

/// What `merge` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOutcome {
    pub path: PathBuf,
}

/// Writes a merge revision of `args.revisions`.
pub fn merge(project: &Project<'_>, args: MergeArgs) -> Result<MergeOutcome> {
    let graph = &project.ctx.graph;
    let mut down = Vec::new();
    for r in &args.revisions {
        for id in graph.resolve(r, &[])? {
            if !down.contains(&id) {
                down.push(id);
            }
        }
    }
    if down.len() < 2 {
        bail!(
            "merge needs at least two distinct revisions, got {}",
            down.join(", ")
        );
    }
    let file = new_file(
        graph,
        args.rev_id,
        args.message,
        down,
        args.branch_labels,
        Vec::new(),
    )?;
    let path = project.ctx.dir.write_revision(&file)?;
    Ok(MergeOutcome { path })
}
