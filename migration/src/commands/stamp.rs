//! `stamp`: set the version table to given revisions without running any migration.

use super::{Project, RunOutcome};
use crate::runtime;
use anyhow::Result;
use std::io::Write;

/// Stamps `revisions` (head, heads, base, ids); `purge` empties the version table first, even
/// of revisions the scripts don't know; `sql` writes the SQL instead. Waiting for another run
/// is reported on `out`.
pub async fn stamp(
    project: &Project<'_>,
    revisions: &[String],
    purge: bool,
    sql: bool,
    out: &mut (dyn Write + Send),
) -> Result<RunOutcome> {
    let url = project.database_url()?;
    if sql {
        let backend = url.backend()?;
        let script = runtime::offline_stamp(&project.ctx, &project.schemas(), backend, revisions)?;
        Ok(RunOutcome::Script(script))
    } else {
        let schemas = project.schemas();
        let at = runtime::stamp(&project.ctx, &url, &schemas, revisions, purge, out).await?;
        Ok(RunOutcome::at(at))
    }
}
