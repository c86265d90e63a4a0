//! `upgrade TARGET --rehearse`: the upgrade run on a scratch copy of the database (see
//! [`crate::scratch`]) by the normal runner, one revision at a time, each timed, with the row
//! counts of the tables its ops name before and after it; then `check` on the copy (when it is
//! at head, which is what the entities describe); then the copy is dropped, whatever happened,
//! Ctrl-C included. The real database is never written, not even its version table: the runner
//! and its lock work on the copy.

use super::check::check;
use super::Project;
use crate::db::connect_to;
use crate::interrupt;
use crate::ops::{Op, Ops};
use crate::runtime::{self, read_versions, Direction};
use crate::scratch::Scratch;
use anyhow::{anyhow, bail, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::io::Write;
use std::time::{Duration, Instant};

/// One table a revision names: its rows before and after the revision (`None`: no such table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRows {
    pub table: String,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// One revision as rehearsed.
#[derive(Clone, Debug)]
pub struct Step {
    /// The schema it ran in, when the run covers several (else empty).
    pub schema: String,
    pub revision: String,
    pub message: String,
    /// The step's wall time, through the runner (its connection and lock included).
    pub elapsed: Duration,
    pub tables: Vec<TableRows>,
    /// Whether it failed (and was rolled back).
    pub failed: bool,
}

/// What a rehearsal did and found.
#[derive(Clone, Debug)]
pub struct Rehearsal {
    /// The copy's name (a database, or a file), and how it was made.
    pub copy: String,
    pub how: String,
    pub steps: Vec<Step>,
    /// What `check` found on the copy (empty: it matches the model); `None`: not run (the
    /// target is not head, or a revision failed).
    pub check: Option<Vec<String>>,
    /// The first failure: a revision, the check, dropping the copy, an interruption.
    pub failure: Option<String>,
}

/// Rehearses `upgrade target` on a copy of the project's database, reporting each step on `out`
/// as it finishes. A failure is in the outcome (with the steps before it), not an error: an
/// error means the rehearsal could not start (no copy could be made).
#[cfg(feature = "testing")]
pub async fn rehearse(
    project: &Project<'_>,
    target: &str,
    out: &mut (dyn Write + Send),
) -> Result<Rehearsal> {
    rehearse_with(project, target, runtime::RunMode::default(), out).await
}

/// [`rehearse`] with the plan `mode` asks for (`upgrade --rehearse --online`: the online plan
/// rehearsed, each phase's time printed).
pub async fn rehearse_with(
    project: &Project<'_>,
    target: &str,
    mode: runtime::RunMode,
    out: &mut (dyn Write + Send),
) -> Result<Rehearsal> {
    let url = project.database_url()?;
    let _catching = interrupt::Guard::catch();
    // The copy is made to its end even when interrupted (a copy abandoned half-made could
    // outlive the drop that follows), then dropped.
    let scratch = Scratch::copy(&url).await?;
    if interrupt::caught() {
        let name = scratch.name.clone();
        scratch.drop().await?;
        bail!("interrupted while copying the database: the copy {name} is dropped, nothing was changed");
    }
    writeln!(
        out,
        "Rehearsing on {}, a copy made by {}",
        scratch.name, scratch.how
    )?;
    let mut rehearsal = Rehearsal {
        copy: scratch.name.clone(),
        how: scratch.how.clone(),
        steps: Vec::new(),
        check: None,
        failure: None,
    };
    let ran = tokio::select! {
        ran = Box::pin(run(project, &scratch, target, mode, &mut rehearsal, out)) => ran,
        _ = interrupt::interrupted() => Err(anyhow!("interrupted")),
    };
    if let Err(e) = ran {
        rehearsal.failure = Some(crate::cli::one_line(&e));
    }
    let name = scratch.name.clone();
    match scratch.drop().await {
        Ok(()) => writeln!(out, "Dropped the copy {name}")?,
        Err(e) if rehearsal.failure.is_none() => {
            rehearsal.failure = Some(crate::cli::one_line(&e))
        }
        Err(e) => writeln!(out, "WARNING: {}", crate::cli::one_line(&e))?,
    }
    Ok(rehearsal)
}

/// The steps and the check, on the copy.
async fn run(
    project: &Project<'_>,
    scratch: &Scratch,
    target: &str,
    mode: runtime::RunMode,
    rehearsal: &mut Rehearsal,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let copy = project.at_url(scratch.url.url.clone())?;
    let ctx = &copy.ctx;
    let limit = ctx.dir.config.statement_timeout();
    let db = connect_to(&scratch.url, limit).await?;
    let done = async {
        let mut at_head = true;
        for schema in copy.schemas() {
            let config = ctx.dir.config.for_schema(&schema);
            let current = match read_versions(&db, &config).await {
                Err(e) if crate::error::no_schema(&e) => Vec::new(),
                other => other?,
            };
            ctx.graph.check_versions(&current)?;
            let targets = ctx.graph.resolve(target, &current)?;
            let plan = ctx.graph.upgrade_plan(&current, &targets)?;
            if plan.is_empty() {
                writeln!(out, "Nothing to upgrade in {}", where_(&copy, &schema))?;
            }
            for id in &plan {
                let tables = touched(&ctx.ops(id, Direction::Upgrade)?);
                let before = counts(&db, &schema, &tables).await?;
                let started = Instant::now();
                let migrated = Box::pin(runtime::migrate(
                    ctx,
                    &scratch.url,
                    std::slice::from_ref(&schema),
                    Direction::Upgrade,
                    id,
                    mode,
                    out,
                ))
                .await;
                let elapsed = started.elapsed();
                let after = counts(&db, &schema, &tables).await?;
                let step = Step {
                    schema: match copy.schemas().len() {
                        1 => String::new(),
                        _ => schema.clone(),
                    },
                    revision: id.clone(),
                    message: ctx
                        .graph
                        .get(id)
                        .map(|r| r.message.clone())
                        .unwrap_or_default(),
                    elapsed,
                    tables: tables
                        .into_iter()
                        .zip(before.into_iter().zip(after))
                        .map(|(table, (before, after))| TableRows {
                            table,
                            before,
                            after,
                        })
                        .collect(),
                    failed: migrated.is_err(),
                };
                write_step(&step, out)?;
                rehearsal.steps.push(step);
                migrated?;
            }
            let mut heads = ctx.graph.heads();
            heads.sort();
            at_head &= read_versions(&db, &config).await? == heads;
        }
        if !at_head {
            writeln!(
                out,
                "Not checked: the copy is not at head, and the entities describe head"
            )?;
            return Ok(());
        }
        let found = check(&copy).await?;
        if let Some(caution) = &found.caution {
            writeln!(out, "WARNING: {caution}")?;
        }
        let lines = found.lines();
        match lines.len() {
            0 => writeln!(out, "Check on the copy: it matches the model")?,
            n => {
                writeln!(out, "Check on the copy: {n} difference(s) from the model:")?;
                for line in &lines {
                    writeln!(out, "- {line}")?;
                }
            }
        }
        let n = lines.len();
        rehearsal.check = Some(lines);
        if n > 0 {
            anyhow::bail!(
                "after the upgrade the copy differs from the model in {n} way{} (listed above)",
                if n == 1 { "" } else { "s" }
            );
        }
        anyhow::Ok(())
    }
    .await;
    db.close().await.ok();
    done
}

/// `the copy` or `schema S of the copy`, as a message names where a step ran.
fn where_(project: &Project<'_>, schema: &str) -> String {
    match project.schemas().len() {
        1 => "the copy".into(),
        _ => format!("schema {schema} of the copy"),
    }
}

/// One step's report: its time, then each table it names with its rows before and after.
fn write_step(step: &Step, out: &mut (dyn Write + Send)) -> Result<()> {
    writeln!(
        out,
        "  {}{} ({}) {} {:.3} s{}",
        step.revision,
        match step.schema.is_empty() {
            true => String::new(),
            false => format!(" in schema {}", step.schema),
        },
        step.message,
        if step.failed { "failed after" } else { "took" },
        step.elapsed.as_secs_f64(),
        if step.failed { " (rolled back)" } else { "" }
    )?;
    let rows = |n: Option<i64>| match n {
        Some(n) => format!("{n} rows"),
        None => "no table".into(),
    };
    let width = step.tables.iter().map(|t| t.table.len()).max().unwrap_or(0);
    for t in &step.tables {
        writeln!(
            out,
            "    {:<width$}  {} -> {}",
            t.table,
            rows(t.before),
            rows(t.after)
        )?;
    }
    Ok(())
}

/// The tables `ops` name (made, dropped, renamed, changed), each once, in the order named.
pub(crate) fn touched(ops: &Ops) -> Vec<String> {
    let mut tables: Vec<String> = Vec::new();
    for op in ops.ops() {
        let named: Vec<&str> = match op {
            Op::CreateTable(t) => vec![t.name.as_str()],
            Op::DropTable { table, .. } => vec![table.as_str()],
            Op::RenameTable { from, to } => vec![from.as_str(), to.as_str()],
            op => op.changed_table().into_iter().collect(),
        };
        for t in named {
            if !tables.iter().any(|known| known == t) {
                tables.push(t.to_string());
            }
        }
    }
    tables
}

/// The rows of each of `tables` in `schema` (SQLite: the file), `None` for a table that does not
/// exist.
async fn counts(
    db: &DatabaseConnection,
    schema: &str,
    tables: &[String],
) -> Result<Vec<Option<i64>>> {
    let backend = db.get_database_backend();
    let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let mut found = Vec::new();
    for table in tables {
        let (exists, from) = match backend {
            DbBackend::Postgres => (
                Statement::from_sql_and_values(
                    backend,
                    "SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = $1 \
                     AND tablename = $2) AS present",
                    [schema.into(), table.as_str().into()],
                ),
                format!("{}.{}", quoted(schema), quoted(table)),
            ),
            _ => (
                Statement::from_sql_and_values(
                    backend,
                    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' \
                     AND name = ?) AS present",
                    [table.as_str().into()],
                ),
                quoted(table),
            ),
        };
        let present = db
            .query_one_raw(exists)
            .await?
            .map(|r| r.try_get::<bool>("", "present"))
            .transpose()?
            .unwrap_or(false);
        if !present {
            found.push(None);
            continue;
        }
        let sql = format!("SELECT count(*) AS n FROM {from}");
        let n = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .map_err(|e| anyhow!("counting the rows of {table}: {e}"))?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?;
        found.push(n);
    }
    Ok(found)
}
