//! `upgrade` and `downgrade`: run the revisions to a target, or with `sql` write the script
//! that would.

use super::{Project, RunOutcome};
use crate::runtime::{self, Direction};
use anyhow::Result;
use std::io::Write;

/// Upgrades (targets: head, heads, an id or prefix, +N, REV+N, label@head) or downgrades
/// (base, an id or prefix, -N, REV-N) to `target`, announcing each revision on `out` as it
/// starts; with `sql`, writes the script instead (`target` is START:END, or for an upgrade END
/// from base).
///
/// One function for both directions, not a wrapper per direction: in debug builds every async
/// layer keeps a copy of the runner's large future on the stack, and the tests' threads have
/// little stack.
pub async fn migrate(
    project: &Project<'_>,
    direction: Direction,
    target: &str,
    sql: bool,
    out: &mut (dyn Write + Send),
) -> Result<RunOutcome> {
    let url = project.database_url()?;
    if sql {
        let backend = url.backend()?;
        let script =
            runtime::offline_script(&project.ctx, &project.schemas(), backend, direction, target)?;
        Ok(RunOutcome::Script(script))
    } else {
        let schemas = project.schemas();
        let at = runtime::migrate(&project.ctx, &url, &schemas, direction, target, out).await?;
        Ok(RunOutcome::at(at))
    }
}
