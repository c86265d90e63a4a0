//! `upgrade` and `downgrade`: run the revisions to a target, or with `sql` write the script
//! that would; an upgrade with a backup folder (`--backup DIR`, or `backup_dir` in
//! `alembic.toml`) first backs the database up ([`crate::backup`]) and refuses to go on if
//! that fails.

use super::{Project, RunOutcome};
use crate::runtime::{self, Direction};
use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Upgrades (targets: head, heads, an id or prefix, +N, REV+N, label@head) or downgrades
/// (base, an id or prefix, -N, REV-N) to `target`, announcing each revision on `out` as it
/// starts; with `sql`, writes the script instead (`target` is START:END, or for an upgrade END
/// from base). An upgrade backs up first when `alembic.toml` sets `backup_dir`.
#[cfg(feature = "testing")]
pub async fn migrate(
    project: &Project<'_>,
    direction: Direction,
    target: &str,
    sql: bool,
    out: &mut (dyn Write + Send),
) -> Result<RunOutcome> {
    let options = MigrateOptions {
        sql,
        ..MigrateOptions::default()
    };
    Box::pin(migrate_with(project, direction, target, &options, out)).await
}

/// How `upgrade` or `downgrade` runs, beside its target.
#[derive(Clone, Copy, Debug, Default)]
pub struct MigrateOptions<'a> {
    /// Write the script instead (`--sql`).
    pub sql: bool,
    /// Back up into this folder first (an upgrade; else `backup_dir` of `alembic.toml`, if
    /// set; a relative folder is the project folder's).
    pub backup: Option<&'a Path>,
    /// The plain or the online plan ([`runtime::RunMode`]).
    pub mode: runtime::RunMode,
}

/// [`migrate`] with `options`.
///
/// One function for both directions, not a wrapper per direction: in debug builds every async
/// layer keeps a copy of the runner's large future on the stack, and the tests' threads have
/// little stack.
pub async fn migrate_with(
    project: &Project<'_>,
    direction: Direction,
    target: &str,
    options: &MigrateOptions<'_>,
    out: &mut (dyn Write + Send),
) -> Result<RunOutcome> {
    let url = project.database_url()?;
    let (sql, backup, mode) = (options.sql, options.backup, options.mode);
    if sql {
        let backend = url.backend()?;
        let online = (mode.online || project.ctx.dir.config.online) && backend == sea_orm::DbBackend::Postgres;
        let script = runtime::offline_script(
            &project.ctx,
            &project.schemas(),
            backend,
            direction,
            target,
            online,
        )?;
        return Ok(RunOutcome::Script(script));
    }
    let schemas = project.schemas();
    let backup_dir: Option<PathBuf> = match backup {
        Some(dir) => Some(dir.to_path_buf()),
        None => project
            .ctx
            .dir
            .config
            .backup_dir
            .as_ref()
            .map(|dir| project.root.join(dir)),
    };
    if let (Direction::Upgrade, Some(dir)) = (direction, backup_dir) {
        crate::backup::check_tools(&url, "pg_dump")?;
        if let Some(at) = Box::pin(pending(project, &url, &schemas, target)).await? {
            let taken = crate::backup::take(&url, &schemas, &at, &dir)
                .await
                .context("backup failed, so nothing was upgraded")?;
            match taken {
                Some(file) => writeln!(out, "Backed up to {}", file.display())?,
                None => writeln!(out, "Nothing to back up yet: the database is empty")?,
            }
        }
    }
    let at = runtime::migrate(&project.ctx, &url, &schemas, direction, target, mode, out).await?;
    Ok(RunOutcome::at(at))
}

/// The revision the database is at (the versions of its schemas, `+` between them, or
/// `base`) when an upgrade to `target` has something to apply; `None` when it has not.
async fn pending(
    project: &Project<'_>,
    url: &crate::url::DbUrl,
    schemas: &[String],
    target: &str,
) -> Result<Option<String>> {
    let ctx = &project.ctx;
    // An SQLite file that does not exist yet is not created by looking at it.
    if url.backend()? != sea_orm::DbBackend::Postgres
        && crate::url::sqlite_file(&url.url).is_some_and(|f| !f.exists())
    {
        return Ok(Some("base".into()));
    }
    let db = crate::db::connect_to(url, ctx.dir.config.statement_timeout()).await?;
    let found = async {
        let mut at: Vec<String> = Vec::new();
        let mut pending = false;
        for schema in schemas {
            let config = ctx.dir.config.for_schema(schema);
            let current = match runtime::read_versions(&db, &config).await {
                Err(e) if crate::error::no_schema(&e) => Vec::new(),
                other => other?,
            };
            ctx.graph.check_versions(&current)?;
            let targets = ctx.graph.resolve(target, &current)?;
            pending |= !ctx.graph.upgrade_plan(&current, &targets)?.is_empty();
            for v in current {
                if !at.contains(&v) {
                    at.push(v);
                }
            }
        }
        anyhow::Ok(pending.then(|| match at.is_empty() {
            true => "base".to_string(),
            false => at.join("+"),
        }))
    }
    .await;
    db.close().await.ok();
    found
}
