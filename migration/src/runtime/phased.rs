//! A revision run in phases on PostgreSQL ([`crate::lock_plan`]): each phase committed on its
//! own and recorded in the history table, a `CONCURRENTLY` step run alone outside any
//! transaction, and, in an online run, every statement in a transaction under `lock_timeout`
//! with the phase tried again (waiting longer each time) when the timeout strikes. A
//! `CONCURRENTLY` statement has no `lock_timeout`: what it waits for (older transactions and
//! snapshots) lets writers through, and a timeout would throw its build away.
//!
//! Progress: before the first phase a history row `0/n` says the revision started; each
//! committed phase adds a row `k/n` (its transaction's own, or for a phase run alone, a
//! transaction right after it); the last phase's row comes with the version table's update.
//! A run stopped between phases (a failure, a kill, a lock that never came) leaves the last
//! row short of `n/n`: the next run of that revision goes on after the last committed phase.
//! A concurrent index build that did not finish leaves an INVALID index; the phase that builds
//! it drops such a leftover (`DROP INDEX CONCURRENTLY IF EXISTS`) before it builds again, and
//! takes an index that is there and valid, when the run stopped right after building it, as
//! built.

use super::context::Context;
use super::online::{begin, data_error, short, timed};
use super::versions::{history_sql, now, phase_text, table_name, version_sql, Entry, Times};
use super::Direction;
use crate::config::Config;
use crate::ddl::{self, ident};
use crate::lock_plan::{Item, Phase};
use crate::ops::{table_runs, Op};
use crate::schema::Schema;
use anyhow::{anyhow, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement};
use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

/// One revision's phased run.
pub(super) struct PhasedRun<'r> {
    pub id: &'r str,
    pub direction: Direction,
    pub online: bool,
    /// Phases an earlier run committed (`None`: none, nothing recorded yet).
    pub resume: Option<usize>,
    pub versions: &'r [String],
    pub next_versions: &'r [String],
    /// The revisions applied once this one is.
    pub next: &'r BTreeSet<String>,
}

/// Why a phased run stopped: after `committed` phases (of `of`), with `error`.
pub(super) struct Stopped {
    pub committed: usize,
    pub of: usize,
    pub error: anyhow::Error,
}

/// An error from the server, and whether it was a lock timeout (or a deadlock), which a retry
/// may get past.
struct Attempt {
    error: anyhow::Error,
    lock: bool,
}

impl Attempt {
    /// The same attempt, its error with `what` said before it (the error itself kept, with
    /// its SQLSTATE).
    fn context(self, what: String) -> Attempt {
        Attempt {
            error: self.error.context(what),
            lock: self.lock,
        }
    }

    /// The same attempt, its error in other words (the lock verdict kept).
    fn reword(self, words: String) -> Attempt {
        Attempt {
            error: anyhow!(words),
            lock: self.lock,
        }
    }
}

impl From<anyhow::Error> for Attempt {
    fn from(error: anyhow::Error) -> Self {
        let lock = error.chain().any(|cause| {
            cause
                .downcast_ref::<sea_orm::DbErr>()
                .and_then(crate::db::sqlx_error)
                .and_then(|e| match e {
                    sea_orm::sqlx::Error::Database(d) => d.code().map(|c| c.to_string()),
                    _ => None,
                })
                .is_some_and(|code| code == "55P03" || code == "40P01")
        });
        Attempt { error, lock }
    }
}

/// Runs the phases of `ops`, revision `run.id`'s in `run.direction`, from the first an earlier
/// run did not commit; prints one line per phase.
pub(super) async fn run(
    ctx: &Context<'_>,
    config: &Config,
    db: &DatabaseConnection,
    ops: &crate::ops::Ops,
    run: PhasedRun<'_>,
    out: &mut (dyn Write + Send),
) -> std::result::Result<(), Stopped> {
    let phases = crate::lock_plan::plan(&ops.steps, run.online);
    let of = phases.len();
    let done = run.resume.unwrap_or(0);
    let stop = |committed: usize, error: anyhow::Error| Stopped {
        committed,
        of,
        error,
    };
    let limit = config.statement_timeout();
    // Each row carries the file's checksum (whichever the direction: a stopped run is resumed
    // only by the same file); the schema version is the new one only once the last phase is in.
    let checksum = ctx.compiled(run.id).ok().map(|r| r.source_hash);
    let entry = |k: usize| {
        let whole = ctx.entry(run.id, run.direction, run.next);
        Entry {
            phase: Some(phase_text(k, of, run.online)),
            checksum,
            schema_version: if k == of {
                whole.schema_version
            } else {
                ctx.schema_version(&ctx.graph.ancestors(run.versions))
            },
            ..whole
        }
    };
    if run.resume.is_none() {
        // The revision has started: a run stopped from here on is known as interrupted.
        let sql = history_sql(config, DbBackend::Postgres, &entry(0), Times::Client(&now(), &now()));
        timed(limit, db.execute_unprepared(&sql))
            .await
            .map_err(|e| stop(0, e.context("recording the start of the revision in the history table")))?;
    } else if done == 0 {
        let _ = writeln!(out, "  going on from phase 1 of {of} (the stopped run committed none)");
    } else {
        let _ = writeln!(
            out,
            "  going on after phase {done} of {of} (committed by an earlier run)"
        );
    }
    let timeout = config.lock_timeout();
    for (k, phase) in phases.iter().enumerate().skip(done) {
        let number = k + 1;
        let last = number == of;
        let started = Instant::now();
        let mut retries = 0;
        let what: Vec<String> = phase
            .items
            .iter()
            .map(|i| match i {
                Item::Op(op) => crate::autogenerate::describe::op(op),
                Item::Data(_) => "data migration".into(),
            })
            .collect();
        let resuming = run.resume.is_some() && k == done;
        loop {
            let started_at = now();
            let finish = Finish {
                config,
                entry: entry(number),
                started_at: &started_at,
                versions: last.then_some((run.versions, run.next_versions)),
            };
            let attempt = match phase.alone {
                true => alone(db, config, phase, resuming, &finish, out).await,
                false => in_transaction(db, config, phase, run.online.then_some(timeout), &finish).await,
            };
            match attempt {
                Ok(()) => break,
                Err(a) if a.lock && retries < config.lock_retries => {
                    retries += 1;
                    // 0.5 s, 1 s, 2 s, ... at most 30 s: the writers' transactions in the way
                    // get time to end.
                    let wait = Duration::from_millis(500 << (retries - 1).min(6)).min(Duration::from_secs(30));
                    let _ = writeln!(
                        out,
                        "  phase {number}/{of} ({}): no lock within lock_timeout ({}): {}; try {} \
                         of {} in {:.1} s",
                        phase.label(),
                        config.lock_timeout,
                        server_message(&a.error),
                        retries + 1,
                        config.lock_retries + 1,
                        wait.as_secs_f64()
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(a) => {
                    let why = match a.lock {
                        true => format!(
                            " (no lock within lock_timeout {} in {} tries: a long transaction \
                             holds the table; raise lock_timeout or lock_retries, or run when \
                             it is quieter)",
                            config.lock_timeout,
                            retries + 1
                        ),
                        false => String::new(),
                    };
                    return Err(stop(
                        k,
                        a.error
                            .context(format!("phase {number} of {of} ({}){why}", phase.label())),
                    ));
                }
            }
        }
        let _ = writeln!(
            out,
            "  phase {number}/{of}{} ({}): {} ... {:.3} s",
            if phase.alone { ", outside a transaction" } else { "" },
            phase.label(),
            what.join("; "),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// What a phase writes when it commits: its history row and, for the last phase, the version
/// table's update (`before`, `after`).
struct Finish<'a> {
    config: &'a Config,
    entry: Entry,
    started_at: &'a str,
    versions: Option<(&'a [String], &'a [String])>,
}

impl Finish<'_> {
    fn statements(&self) -> Vec<String> {
        let backend = DbBackend::Postgres;
        let mut sqls = Vec::new();
        if let Some((before, after)) = self.versions {
            let table = table_name(self.config, backend, &self.config.version_table);
            sqls.extend(version_sql(&table, before, after));
        }
        sqls.push(history_sql(
            self.config,
            backend,
            &self.entry,
            Times::Client(self.started_at, &now()),
        ));
        sqls
    }
}

/// `SET LOCAL lock_timeout`, in milliseconds.
fn lock_timeout_sql(timeout: Duration) -> String {
    format!("SET LOCAL lock_timeout = {}", timeout.as_millis())
}

/// A transaction phase: its items, then its history row (and the version update), committed.
async fn in_transaction(
    db: &DatabaseConnection,
    config: &Config,
    phase: &Phase<'_>,
    lock_timeout: Option<Duration>,
    finish: &Finish<'_>,
) -> std::result::Result<(), Attempt> {
    let limit = config.statement_timeout();
    let txn = begin(db, limit).await?;
    let result = async {
        let mut head = vec![super::online::search_path(&config.schema, true)];
        if let Some(t) = lock_timeout {
            head.push(lock_timeout_sql(t));
        }
        for sql in &head {
            timed(limit, txn.execute_unprepared(sql)).await?;
        }
        run_items(&txn, phase, limit).await?;
        for sql in finish.statements() {
            timed(limit, txn.execute_unprepared(&sql))
                .await
                .map_err(|e| Attempt::from(e.context("recording the phase in the history table")))?;
        }
        Ok::<(), Attempt>(())
    }
    .await;
    match result {
        Ok(()) => {
            timed(limit, txn.commit()).await.map_err(|e| Attempt::from(e.context("at COMMIT")))?;
            Ok(())
        }
        Err(e) => {
            let _ = tokio::time::timeout(Duration::from_secs(5), txn.rollback()).await;
            Err(e)
        }
    }
}

/// The items of a transaction phase, each run of ops on one table rendered together.
async fn run_items(
    txn: &DatabaseTransaction,
    phase: &Phase<'_>,
    limit: Option<Duration>,
) -> std::result::Result<(), Attempt> {
    let label = phase.label();
    let mut pending: Vec<&Op> = Vec::new();
    let flush = async |ops: &mut Vec<&Op>| -> std::result::Result<(), Attempt> {
        for range in table_runs(ops, |op| op.changed_table()) {
            let run = &ops[range];
            let sqls = ddl::render_run(DbBackend::Postgres, run, &Schema::default())
                .map_err(|e| Attempt::from(e.context(format!("{label}: {run:?}"))))?;
            for sql in &sqls {
                timed(limit, txn.execute_unprepared(sql))
                    .await
                    .map_err(|e| Attempt::from(e).context(format!("statement `{}`", short(sql))))?;
            }
        }
        ops.clear();
        Ok(())
    };
    for item in &phase.items {
        match item {
            Item::Op(op) => pending.push(op),
            Item::Data(f) => {
                flush(&mut pending).await?;
                timed(limit, f(txn)).await.map_err(|e| {
                    let words = format!("data migration returned an error: {}", data_error(&e));
                    Attempt::from(e).reword(words)
                })?;
            }
        }
    }
    flush(&mut pending).await
}

/// The server's own words for an error, for a retry's line.
fn server_message(e: &anyhow::Error) -> String {
    let text = format!("{e:#}");
    text.rsplit(": ").next().unwrap_or(&text).to_string()
}

/// Whether index `name` exists in `schema`, and if so whether it is valid.
async fn index_state(
    db: &DatabaseConnection,
    schema: &str,
    name: &str,
) -> Result<Option<bool>> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT i.indisvalid AS valid FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = $1 AND n.nspname = $2",
            [name.into(), schema.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get::<bool>("", "valid")?),
        None => None,
    })
}

/// A phase run alone, outside any transaction (a `CONCURRENTLY` op), then recorded.
async fn alone(
    db: &DatabaseConnection,
    config: &Config,
    phase: &Phase<'_>,
    resuming: bool,
    finish: &Finish<'_>,
    out: &mut (dyn Write + Send),
) -> std::result::Result<(), Attempt> {
    let limit = config.statement_timeout();
    let schema = &config.schema;
    // The schema's own search path, whatever raw SQL of an earlier phase did to the session.
    timed(limit, db.execute_unprepared(&super::online::search_path(schema, false))).await?;
    let ops: Vec<&Op> = phase.ops().collect();
    let sqls = ddl::render_run(DbBackend::Postgres, &ops, &Schema::default())?;
    let mut skip = false;
    match ops.as_slice() {
        [Op::CreateIndexConcurrently { table, index }] => {
            match timed(limit, index_state(db, schema, &index.name)).await? {
                Some(false) => {
                    let _ = writeln!(
                        out,
                        "  index {} on {table} is INVALID (a concurrent build that did not \
                         finish): dropping it to build it again",
                        index.name
                    );
                    let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ident(&index.name));
                    timed(limit, db.execute_unprepared(&drop)).await.map_err(|e| {
                        Attempt::from(e.context(format!("dropping the invalid index {}", index.name)))
                    })?;
                }
                Some(true) if resuming => {
                    let _ = writeln!(
                        out,
                        "  index {} on {table} was built by the interrupted run: kept",
                        index.name
                    );
                    skip = true;
                }
                _ => {}
            }
        }
        [Op::DropIndexConcurrently { name, .. }] if resuming => {
            skip = timed(limit, index_state(db, schema, name)).await?.is_none();
        }
        _ => {}
    }
    if !skip {
        for sql in &sqls {
            timed(limit, db.execute_unprepared(sql)).await.map_err(|e| {
                Attempt::from(e).context(format!("statement `{}` (outside a transaction)", short(sql)))
            })?;
        }
    }
    // Recorded right after, with the version update when it is the last phase.
    let txn = begin(db, limit).await?;
    for sql in finish.statements() {
        if let Err(e) = timed(limit, txn.execute_unprepared(&sql)).await {
            let _ = tokio::time::timeout(Duration::from_secs(5), txn.rollback()).await;
            return Err(e.context("recording the phase in the history table").into());
        }
    }
    timed(limit, txn.commit()).await?;
    Ok(())
}
