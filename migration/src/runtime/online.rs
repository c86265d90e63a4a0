//! The online run: one connection, the lock, then each revision in a transaction of its own
//! with its version update and history row, committed before the next begins (on PostgreSQL a
//! revision of statements alone goes in one message, see [`super::batch`]); and the online stamp.

use super::batch::{self, Failure, Origin};
use super::context::Context;
use super::lock::{lock, unlock};
use super::versions::{
    create_version_tables, history_sql, now, read_versions, stamp_sql, table_name, version_sql,
    Times,
};
use super::Direction;
use crate::apply::apply;
use crate::config::Config;
use crate::ddl::{self, ident};
use crate::error::{MigrateError, Named};
use crate::live;
use crate::ops::{step_ops, steps_label, Op, Step};
use crate::privileges;
use crate::schema::Schema;
use crate::url::DbUrl;
use anyhow::{anyhow, bail, Context as _, Result};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    Statement,
    TransactionOptions, TransactionTrait,
};
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

/// The first line of a statement, short enough for a one-line error.
pub(crate) fn short(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or_default();
    if line.len() > 120 || sql.contains('\n') {
        let cut: String = line.chars().take(120).collect();
        format!("{cut} ...")
    } else {
        line.to_string()
    }
}

/// A connection for running migrations: one physical connection, so that the advisory locks,
/// the transactions and the version reads all share one session. The pool never replaces it
/// behind the run's back (no test before use, no idle or lifetime limit): a session that ends
/// takes the run's locks with it, so the run must fail at its next statement rather than go on
/// in a new session that holds no lock.
pub async fn connect_runner(target: &DbUrl, config: &Config) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(target.url.clone());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(crate::db::CONNECT_TIMEOUT)
        .acquire_timeout(Duration::from_secs(3600))
        .test_before_acquire(false)
        .idle_timeout(None)
        .max_lifetime(None)
        .sqlx_logging(false)
        // Table rebuilds drop and recreate referenced tables, which SQLite allows only with
        // foreign keys off; each revision checks every key before it commits instead.
        .map_sqlx_sqlite_opts(|o| o.foreign_keys(false).busy_timeout(crate::db::BUSY_TIMEOUT));
    crate::db::connect_with(target, options, config.statement_timeout()).await
}

/// Awaits one database call within the statement timeout, if any: a server that stops
/// answering becomes an error that says so instead of a run that hangs holding the lock.
pub(crate) async fn timed<T, E>(
    limit: Option<Duration>,
    call: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T>
where
    E: Into<anyhow::Error>,
{
    let Some(limit) = limit else {
        return call.await.map_err(Into::into);
    };
    // The server cancels at `limit` itself (statement_timeout); the client waits a little longer
    // for that answer before it stops waiting.
    match tokio::time::timeout(limit + Duration::from_secs(2), call).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => bail!(
            "no answer from the server within {} s (statement_timeout in alembic.toml): the \
             server stopped answering, or the statement needs a higher limit",
            limit.as_secs()
        ),
    }
}

/// The per-revision transaction: on SQLite `BEGIN IMMEDIATE` (the write lock from the start)
/// with foreign keys checked at commit, since table rebuilds drop and recreate referenced
/// tables.
pub(super) async fn begin(
    db: &DatabaseConnection,
    limit: Option<Duration>,
) -> Result<DatabaseTransaction> {
    match db.get_database_backend() {
        DbBackend::Postgres => timed(limit, db.begin()).await,
        _ => {
            let options = TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            };
            let txn = timed(limit, db.begin_with_options(options)).await?;
            txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                .await?;
            Ok(txn)
        }
    }
}

/// Each schema of a run with its version rows (on SQLite, which has no schemas, the first
/// schema's name stands for the one file).
pub type SchemaVersions = Vec<(String, Vec<String>)>;

/// Upgrades or downgrades each of `schemas` to `target`, in order (a downgrade in reverse
/// order); returns each one's version table as read back afterwards, in `schemas`' order.
pub async fn migrate(
    ctx: &Context<'_>,
    url: &DbUrl,
    schemas: &[String],
    direction: Direction,
    target: &str,
    mode: super::RunMode,
    out: &mut (dyn Write + Send),
) -> Result<SchemaVersions> {
    let config = &ctx.dir.config;
    let mode = super::RunMode {
        online: mode.online || config.online,
        ..mode
    };
    if mode.online && url.backend()? != DbBackend::Postgres {
        match config.online {
            true => writeln!(
                out,
                "online = true in alembic.toml has no effect on SQLite, which locks the whole \
                 file for any write: running the plain plan"
            )?,
            false => bail!(
                "--online is for PostgreSQL: SQLite locks the whole file for any write, so it \
                 has no online plan; run without --online"
            ),
        }
    }
    let db = connect_runner(url, config).await?;
    let mode = super::RunMode {
        online: mode.online && db.get_database_backend() == DbBackend::Postgres,
        ..mode
    };
    let lock = lock(&db, url, config, schemas, out).await?;
    // Boxed: a run's future is large, and would otherwise sit on the caller's stack.
    let result: Result<SchemaVersions> = Box::pin(async {
        let order = in_run_order(&db, schemas, direction);
        // Every schema is checked before any changes.
        let targets = [target.to_string()];
        let run = Run::Migrate(direction, &targets);
        let hazards = preflight(ctx, &db, &order, run, mode).await?;
        for line in hazards {
            writeln!(out, "{line}")?;
        }
        let mut at = SchemaVersions::new();
        for schema in &order {
            let config = ctx.dir.config.for_schema(schema);
            let run = async {
                enter_schema(&db, &config, direction == Direction::Upgrade, out).await?;
                let versions =
                    migrate_locked(ctx, &config, &db, direction, target, mode, out).await?;
                apply_grants(&db, &config, out).await?;
                Ok(versions)
            };
            let versions = named_schema(Box::pin(run).await, schema, order.len())?;
            at.push((schema.clone(), versions));
        }
        if direction == Direction::Downgrade {
            at.reverse();
        }
        Ok(at)
    })
    .await;
    goodbye(db, lock, config.statement_timeout(), result).await
}

/// Ends a run with `result`: unlocks (after a success only: after a failure the server may
/// have stopped answering, and ending the session releases its locks anyway) and closes the
/// connection, waiting at most 5 s for the server to take the goodbye.
async fn goodbye<T>(
    db: DatabaseConnection,
    lock: super::lock::Lock,
    limit: Option<Duration>,
    result: Result<T>,
) -> Result<T> {
    let unlocked = match &result {
        Ok(_) => unlock(&db, lock, limit).await,
        Err(_) => {
            drop(lock);
            Ok(())
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), db.close()).await;
    let done = result?;
    unlocked?;
    Ok(done)
}

/// What a run is to do, for [`preflight`].
#[derive(Clone, Copy)]
enum Run<'a> {
    /// Migrate to the target (one) in this direction.
    Migrate(Direction, &'a [String]),
    /// Stamp the targets; `true`: purging the version table first.
    Stamp(&'a [String], bool),
}

/// Checks, before anything changes, that the run can be done in every schema of `order`: the
/// roles `alembic.toml` grants to exist; each schema exists (or will be made: not for a
/// downgrade), its version rows are revisions of the scripts, and the targets resolve from
/// them (a typo made no schema and no version table, and no schema moved before another
/// failed); an online run has an online form for every step, unless `mode` allows blocking
/// ones. Returns the lines that name, on PostgreSQL, the steps of the plan that block writers
/// (and, online, what the plan does instead), for the run to print before it starts.
async fn preflight(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    order: &[String],
    run: Run<'_>,
    mode: super::RunMode,
) -> Result<Vec<String>> {
    let mut plans: Vec<(Direction, Vec<String>, Vec<String>)> = Vec::new();
    let limit = ctx.dir.config.statement_timeout();
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    if postgres && matches!(run, Run::Migrate(..)) {
        timed(limit, privileges::check_roles(db, &ctx.dir.config, order)).await?;
    }
    for schema in order {
        let config = ctx.dir.config.for_schema(schema);
        let checked = async {
            if postgres {
                timed(limit, may_create(db, schema)).await?;
            }
            let creates = !matches!(run, Run::Migrate(Direction::Downgrade, _));
            let current = match timed(limit, read_versions(db, &config)).await {
                Err(e) if creates && crate::error::no_schema(&e) => Vec::new(),
                other => other?,
            };
            let (targets, purge) = match run {
                Run::Migrate(_, targets) => (targets, false),
                Run::Stamp(targets, purge) => (targets, purge),
            };
            if !purge {
                ctx.graph.check_versions(&current)?;
            }
            let mut target_set = Vec::new();
            for t in targets {
                target_set.extend(ctx.graph.resolve(t, &current)?);
            }
            let planned = match run {
                Run::Migrate(Direction::Upgrade, _) => Some((
                    Direction::Upgrade,
                    ctx.graph.upgrade_plan(&current, &target_set)?,
                )),
                Run::Migrate(Direction::Downgrade, _) => Some((
                    Direction::Downgrade,
                    ctx.graph.downgrade_plan(&current, &target_set)?,
                )),
                Run::Stamp(..) => None,
            };
            if let Some((direction, plan)) = planned {
                // A revision stopped between phases in any schema stops the run before any
                // schema moves.
                if postgres {
                    let stopped = timed(limit, super::versions::interrupted(db, &config)).await?;
                    resume_point(ctx, stopped, &plan, direction)?;
                }
                plans.push((direction, current.clone(), plan));
            }
            anyhow::Ok(())
        };
        named_schema(checked.await, schema, order.len())?;
    }
    if !postgres {
        return Ok(Vec::new());
    }
    hazard_lines(ctx, &plans, mode)
}

/// What [`preflight`] says of the hazards of `plans` (direction, versions before, revisions;
/// each revision once, however many schemas run it), or its refusal: an online run with a step
/// that has no online form stops here, naming each such step, unless `mode.allow_blocking`.
/// What a revision's ops do not say (the old type of a column) is read from the schema the
/// revisions before it build.
fn hazard_lines(
    ctx: &Context<'_>,
    plans: &[(Direction, Vec<String>, Vec<String>)],
    mode: super::RunMode,
) -> Result<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut lines = Vec::new();
    let mut refused = Vec::new();
    for (direction, current, plan) in plans {
        if plan.is_empty() {
            continue;
        }
        // The schema before each revision, as far as the revisions' ops say it (best effort:
        // what the replay cannot follow, raw SQL say, is left out, and a type change whose old
        // type is unknown counts as a rewrite).
        let mut before = ctx.replay(&ctx.graph.ancestors(current)).unwrap_or_default();
        for id in plan {
            let ops = ctx.ops(id, *direction)?;
            let hazards = crate::hazards::of_steps(&ops.steps, &before);
            for op in ops.ops() {
                let _ = crate::apply::apply(&mut before, op);
            }
            if !seen.insert((id.clone(), *direction)) {
                continue;
            }
            let shown: Vec<&crate::hazards::Hazard> = hazards
                .iter()
                .filter(|h| match mode.online {
                    true => h.blocks_online() || matches!(h.online, crate::hazards::Online::Instead(_)),
                    false => h.blocks_writers(),
                })
                .collect();
            if shown.is_empty() {
                continue;
            }
            lines.push(format!(
                "{} {id} ({}), on PostgreSQL:",
                match direction {
                    Direction::Upgrade => "Upgrade",
                    Direction::Downgrade => "Downgrade",
                },
                ctx.path(id)
            ));
            for h in shown {
                lines.push(format!("  {}", h.line()));
                if mode.online && h.blocks_online() {
                    refused.push(format!("revision {id} {}", h.line()));
                }
            }
        }
    }
    if !refused.is_empty() && !mode.allow_blocking {
        bail!(
            "--online: {} step{} no online form and would block writers: {}; run {} in a \
             maintenance window without --online, or add --allow-blocking to run {} blocking; \
             nothing was changed",
            refused.len(),
            if refused.len() == 1 { " has" } else { "s have" },
            refused.join("; "),
            if refused.len() == 1 { "it" } else { "them" },
            if refused.len() == 1 { "it" } else { "them" },
        );
    }
    if !lines.is_empty() && !mode.online {
        lines.insert(
            0,
            format!(
                "Steps that block writers while they run (`{} upgrade --online` runs those with \
                 an online form without blocking):",
                crate::tool::name()
            ),
        );
    } else if !lines.is_empty() {
        lines.insert(0, "Online plan:".to_string());
    }
    Ok(lines)
}

/// Fails, saying what to grant, when the role running opdb may not create what a run creates in
/// `schema`: the schema itself when it is missing (`CREATE` on the database), else the version
/// tables (`CREATE` on the schema, which `CREATE TABLE IF NOT EXISTS` needs even when they
/// exist).
async fn may_create(db: &DatabaseConnection, schema: &str) -> Result<()> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present, \
                    CASE WHEN EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) \
                         THEN has_schema_privilege($1, 'CREATE') \
                         ELSE has_database_privilege(current_database(), 'CREATE') END AS may, \
                    current_user::text AS me",
            [schema.into()],
        ))
        .await?
        .ok_or_else(|| anyhow!("reading the privileges of the role running {}", crate::tool::name()))?;
    let (present, may, me) = (
        row.try_get::<bool>("", "present")?,
        row.try_get::<bool>("", "may")?,
        row.try_get::<String>("", "me")?,
    );
    match (present, may) {
        (_, true) => Ok(()),
        (true, false) => bail!(
            "role {me} may not create tables in schema {schema} (the version tables): GRANT \
             CREATE ON SCHEMA {} TO {}, or run {tool} as its owner; nothing was changed",
            ident(schema),
            ident(&me),
            tool = crate::tool::name()
        ),
        (false, false) => bail!(
            "role {me} may not create schema {schema}: create it first (CREATE SCHEMA {} \
             AUTHORIZATION {}) or GRANT CREATE ON DATABASE to {}; nothing was changed",
            ident(schema),
            ident(&me),
            ident(&me)
        ),
    }
}

/// The schemas a run on `db` goes through, in the order it takes them: on SQLite, which has
/// no schemas, the first alone (they all collapse into the one file).
fn in_run_order(db: &DatabaseConnection, schemas: &[String], direction: Direction) -> Vec<String> {
    let mut order = match db.get_database_backend() {
        DbBackend::Postgres => schemas.to_vec(),
        _ => schemas.iter().take(1).cloned().collect(),
    };
    if direction == Direction::Downgrade {
        order.reverse();
    }
    order
}

/// An error of a run over several schemas, saying which schema it happened in.
fn named_schema<T>(result: Result<T>, schema: &str, schemas: usize) -> Result<T> {
    match schemas {
        1 => result,
        _ => result.with_context(|| format!("schema {schema}")),
    }
}

/// Makes `config`'s schema the session's (PostgreSQL): its search path, where every statement
/// that names no schema goes. A schema that does not exist is created when `create` is set (an
/// upgrade, a stamp), with a line on `out`; otherwise it is an error naming it.
pub(super) async fn enter_schema(
    db: &DatabaseConnection,
    config: &Config,
    create: bool,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let limit = config.statement_timeout();
    let schema = &config.schema;
    if !timed(limit, schema_exists(db, schema)).await? {
        if !create {
            return Err(crate::error::MigrateError::NoSchema {
                schema: schema.clone(),
            }
            .into());
        }
        let sql = format!("CREATE SCHEMA IF NOT EXISTS {}", ident(schema));
        timed(limit, db.execute_unprepared(&sql))
            .await
            .with_context(|| format!("creating schema {schema} (`{sql}`)"))?;
        writeln!(out, "Created schema {schema} (it did not exist)")?;
    }
    timed(limit, db.execute_unprepared(&search_path(schema, false)))
        .await
        .with_context(|| format!("setting the search path to schema {schema}"))?;
    Ok(())
}

/// Makes the privileges of `config`'s schema what its grants say (PostgreSQL, when it has
/// grants), in a transaction of its own, and says how many statements that took.
async fn apply_grants(
    db: &DatabaseConnection,
    config: &Config,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let Some(grants) = config.grants.get(&config.schema) else {
        return Ok(());
    };
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let limit = config.statement_timeout();
    let schema = &config.schema;
    let txn = begin(db, limit).await?;
    let done = async {
        let (held, wanted) = timed(limit, privileges::read(&txn, config, grants)).await?;
        let sqls = privileges::statements(schema, &held, &wanted);
        for sql in &sqls {
            timed(limit, txn.execute_unprepared(sql))
                .await
                .with_context(|| format!("setting the privileges of schema {schema}: `{sql}`"))?;
        }
        anyhow::Ok(sqls.len())
    }
    .await;
    match done {
        Ok(n) => {
            timed(limit, txn.commit()).await?;
            if n > 0 {
                writeln!(
                    out,
                    "Privileges of schema {schema} set as alembic.toml grants them ({n} \
                     statement{})",
                    if n == 1 { "" } else { "s" }
                )?;
            }
            Ok(())
        }
        Err(e) => {
            let _ = tokio::time::timeout(Duration::from_secs(5), txn.rollback()).await;
            Err(e)
        }
    }
}

/// Whether PostgreSQL schema `name` exists.
pub(super) async fn schema_exists<C: ConnectionTrait>(db: &C, name: &str) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present",
            [name.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<bool>("", "present")?,
        None => false,
    })
}

/// `SET [LOCAL] search_path TO schema`: the schema alone (PostgreSQL's own catalog is searched
/// first anyway), so that no name a statement leaves unqualified resolves to another schema.
pub(crate) fn search_path(schema: &str, local: bool) -> String {
    format!(
        "SET {}search_path TO {}",
        if local { "LOCAL " } else { "" },
        ident(schema)
    )
}

/// Creates the version and history tables if they are missing.
pub(super) async fn create_opdb_tables(db: &DatabaseConnection, config: &Config) -> Result<()> {
    let backend = db.get_database_backend();
    let limit = config.statement_timeout();
    for sql in create_version_tables(config, backend) {
        timed(limit, db.execute_unprepared(&sql))
            .await
            .with_context(|| {
                format!(
                    "creating the version table {} and the history table {}",
                    config.version_table, config.history_table
                )
            })?;
    }
    // A history table an older binary made lacks the later columns (checksums, schema
    // versions); SQLite has no `ADD COLUMN IF NOT EXISTS`, so its columns are read first.
    let mut missing = Vec::new();
    if backend == DbBackend::Sqlite {
        let rows = timed(
            limit,
            db.query_all_raw(Statement::from_sql_and_values(
                backend,
                "SELECT name FROM pragma_table_info(?)",
                [config.history_table.clone().into()],
            )),
        )
        .await?;
        let present: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "name").ok())
            .collect();
        missing.extend(
            super::versions::LATER_HISTORY_COLUMNS
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !present.iter().any(|p| p == name)),
        );
    }
    for sql in super::versions::history_columns_sql(config, backend, &missing) {
        timed(limit, db.execute_unprepared(&sql))
            .await
            .with_context(|| {
                format!("adding the later columns of the history table {}", config.history_table)
            })?;
    }
    Ok(())
}

/// Moves `config`'s schema to `target`, the session already in it ([`enter_schema`]).
pub(super) async fn migrate_locked(
    ctx: &Context<'_>,
    config: &Config,
    db: &DatabaseConnection,
    direction: Direction,
    target: &str,
    mode: super::RunMode,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let limit = config.statement_timeout();
    let backend = db.get_database_backend();
    create_opdb_tables(db, config).await?;
    let current = timed(limit, read_versions(db, config)).await?;
    ctx.graph.check_versions(&current)?;
    let target_set = ctx.graph.resolve(target, &current)?;
    let plan = match direction {
        Direction::Upgrade => ctx.graph.upgrade_plan(&current, &target_set)?,
        Direction::Downgrade => ctx.graph.downgrade_plan(&current, &target_set)?,
    };
    // A revision run in phases that stopped between two of them is finished before anything
    // else moves (PostgreSQL).
    let interrupted = match backend {
        DbBackend::Postgres => timed(limit, super::versions::interrupted(db, config)).await?,
        _ => None,
    };
    let mut resume = resume_point(ctx, interrupted, &plan, direction)?;
    let mut applied = ctx.graph.ancestors(&current);
    let mut model = match backend {
        DbBackend::Sqlite => Some(ctx.replay(&applied)?),
        _ => None,
    };
    let version_table = table_name(config, backend, &config.version_table);
    let history_table = table_name(config, backend, &config.history_table);
    let mut versions = current.clone();
    for id in &plan {
        let (next, next_versions, running) = ctx.step(&applied, &versions, id, direction)?;
        writeln!(out, "{running}")?;
        out.flush().ok();
        let at = if versions.is_empty() {
            "base".into()
        } else {
            versions.join(", ")
        };
        let failed = |what: &str| MigrateError::RevisionFailed {
            direction: direction.word(),
            revision: Named {
                id: id.clone(),
                path: ctx.path(id),
            },
            what: what.to_string(),
            at: at.clone(),
        };
        // A revision run in phases: online, or holding a step that runs outside a transaction,
        // or interrupted between phases (PostgreSQL).
        let resuming = resume.take().filter(|_| plan.first() == Some(id));
        let online = resuming.map_or(mode.online, |(_, online)| online);
        if backend == DbBackend::Postgres {
            let ops = ctx.ops(id, direction)?;
            let phases = crate::lock_plan::plan(&ops.steps, online).len();
            // (A revision with no steps, a merge, has no phase: it runs as it always has.)
            if (online && phases > 0) || phases > 1 || resuming.is_some() {
                let run = super::phased::PhasedRun {
                    id,
                    direction,
                    online,
                    resume: resuming.map(|(done, _)| done),
                    versions: &versions,
                    next_versions: &next_versions,
                    next: &next,
                };
                if let Err(stopped) =
                    Box::pin(super::phased::run(ctx, config, db, &ops, run, out)).await
                {
                    let at = match stopped.committed {
                        0 => at.clone(),
                        k => format!(
                            "{at}, with phase{} of {} of revision {id} committed (run the same \
                             command again to go on from phase {})",
                            match k {
                                1 => " 1".to_string(),
                                k => format!("s 1-{k}"),
                            },
                            stopped.of,
                            k + 1
                        ),
                    };
                    let failed = MigrateError::RevisionFailed {
                        direction: direction.word(),
                        revision: Named {
                            id: id.clone(),
                            path: ctx.path(id),
                        },
                        what: "stopped".into(),
                        at,
                    };
                    return Err(stopped.error.context(failed));
                }
                applied = next;
                versions = next_versions;
                continue;
            }
            // Else, a revision of statements alone goes in one message (see `batch`).
            let batched = batch::statements(&ops, backend)
                .map_err(|e| e.context(failed("failed and was rolled back")))?;
            if let Some(mut statements) = batched {
                // Each revision names its schema itself, whatever an earlier one's raw SQL
                // did to the session.
                statements.insert(0, (search_path(&config.schema, true), Origin::Begin));
                statements.extend(
                    version_sql(&version_table, &versions, &next_versions)
                        .into_iter()
                        .map(|sql| (sql, Origin::Version(version_table.clone()))),
                );
                let entry = ctx.entry(id, direction, &next);
                let history = history_sql(config, backend, &entry, Times::Server);
                statements.push((history, Origin::History(history_table.clone())));
                // Boxed: the batch's future is large, and would sit on the caller's stack.
                match Box::pin(batch::run(db, &statements, limit)).await {
                    Ok(()) => {}
                    Err(Failure::Begin(e)) => return Err(e.context(failed("could not start"))),
                    Err(Failure::Revision(e)) => {
                        return Err(e.context(failed("failed and was rolled back")))
                    }
                    Err(Failure::Commit(e)) => {
                        return Err(e.context(failed("failed at COMMIT and was rolled back")))
                    }
                }
                applied = next;
                versions = next_versions;
                continue;
            }
        }
        let txn = begin(db, limit)
            .await
            .with_context(|| failed("could not start"))?;
        if backend == DbBackend::Postgres {
            timed(limit, txn.execute_unprepared(&search_path(&config.schema, true)))
                .await
                .with_context(|| failed("could not start"))?;
        }
        let mut tracked = model.clone();
        let started = now();
        let mut ran = run_revision(ctx, &txn, id, direction, tracked.as_mut(), limit).await;
        if ran.is_ok() {
            for sql in version_sql(&version_table, &versions, &next_versions) {
                if let Err(e) = timed(limit, txn.execute_unprepared(&sql)).await {
                    ran = Err(e.context(format!("updating the version table {version_table}")));
                    break;
                }
            }
        }
        if ran.is_ok() {
            let entry = ctx.entry(id, direction, &next);
            let sql = history_sql(config, backend, &entry, Times::Client(&started, &now()));
            if let Err(e) = timed(limit, txn.execute_unprepared(&sql)).await {
                ran = Err(e.context(format!(
                    "recording the step in the history table {history_table}"
                )));
            }
        }
        match ran {
            Ok(()) => timed(limit, txn.commit())
                .await
                .with_context(|| failed("failed at COMMIT and was rolled back"))?,
            Err(e) => {
                // A server that stopped answering will not answer the rollback either; it rolls
                // back by itself when the session ends.
                let _ = tokio::time::timeout(Duration::from_secs(5), txn.rollback()).await;
                return Err(e.context(failed("failed and was rolled back")));
            }
        }
        applied = next;
        versions = next_versions;
        model = tracked;
    }
    let read_back = timed(limit, read_versions(db, config)).await?;
    let mut expected = versions;
    expected.sort();
    if read_back != expected {
        bail!("the version table holds {read_back:?} after the run, expected {expected:?}");
    }
    Ok(read_back)
}

/// Where a run of `plan` in `direction` starts, given the revision the history table says
/// stopped between two phases (`interrupted`): `Some((phases committed, online))` when the
/// plan goes on with that revision, `None` when nothing stopped (or the stopped run committed
/// nothing and the plan goes elsewhere, or its file or plan changed: it starts over). A run
/// that committed phases must be finished first, by the same file and the same plan: anything
/// else is refused, naming the command that finishes it.
pub(super) fn resume_point(
    ctx: &Context<'_>,
    interrupted: Option<super::versions::Interrupted>,
    plan: &[String],
    direction: Direction,
) -> Result<Option<(usize, bool)>> {
    let Some(i) = interrupted else {
        return Ok(None);
    };
    let continues = plan.first() == Some(&i.revision) && direction.word() == i.direction;
    let now = ctx
        .compiled(&i.revision)
        .ok()
        .map(|r| super::versions::checksum_text(r.source_hash));
    let same_file = i.checksum.is_none() || now.is_none() || i.checksum == now;
    let phases = match continues {
        true => crate::lock_plan::plan(&ctx.ops(&i.revision, direction)?.steps, i.online).len(),
        false => 0,
    };
    if i.done == 0 {
        return Ok((continues && same_file && phases == i.of).then_some((0, i.online)));
    }
    let finish = match i.direction.as_str() {
        "downgrade" => format!("{} downgrade {}-1", crate::tool::name(), i.revision),
        _ => format!("{} upgrade {}", crate::tool::name(), i.revision),
    };
    let stopped = format!(
        "revision {} ({}) stopped after phase {} of {} of its {}",
        i.revision,
        ctx.path(&i.revision),
        i.done,
        i.of,
        i.direction
    );
    if !continues {
        bail!(
            "{stopped} and must be finished first: run `{finish}`, which goes on from phase {}; \
             nothing was changed",
            i.done + 1
        );
    }
    if !same_file {
        bail!(
            "{stopped}, and its file has changed since: put the file back as it was and run \
             `{finish}` to finish it, or finish or undo its committed phases by hand; nothing \
             was changed"
        );
    }
    if phases != i.of {
        bail!(
            "{stopped}, but its plan now has {phases} phases: run `{finish}` with the binary \
             that started it, or finish or undo its committed phases by hand; nothing was \
             changed"
        );
    }
    Ok(Some((i.done, i.online)))
}

/// Runs one revision's steps inside `txn`.
pub(super) async fn run_revision(
    ctx: &Context<'_>,
    txn: &DatabaseTransaction,
    id: &str,
    direction: Direction,
    mut model: Option<&mut Schema>,
    limit: Option<Duration>,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let config = &ctx.dir.config;
    let ops = ctx.ops(id, direction)?;
    // SQLite rebuilds whole tables: from the tables as the database has them (read in this
    // transaction, again after raw SQL or a data migration may have changed them), not as the
    // revisions' ops alone would have left them, so a column added by hand survives. `model`,
    // the schema the revisions built, gives only what SQLite cannot store (comments, enums).
    let mut now: Option<Schema> = None;
    for run in ops.runs() {
        let label = steps_label(&run);
        match &ops.steps[run] {
            [Step::Data(f)] => {
                now = None;
                timed(limit, f(txn)).await.map_err(|e| {
                    anyhow!(
                        "data migration ({label}) returned an error: {}",
                        data_error(&e)
                    )
                })?
            }
            steps => {
                let run = step_ops(steps);
                let before = match (&model, &mut now) {
                    (Some(known), now @ None) => {
                        let read = timed(limit, live::sqlite_now(txn, config, known)).await?;
                        &*now.insert(read)
                    }
                    (Some(_), Some(now)) => &*now,
                    (None, _) => &Schema::default(),
                };
                let sqls = ddl::render_run(backend, &run, before)
                    .with_context(|| format!("{label}: {run:?}"))?;
                for sql in &sqls {
                    timed(limit, txn.execute_unprepared(sql))
                        .await
                        .map_err(|e| anyhow!("{label}: statement `{}`: {e:#}", short(sql)))?;
                }
                if let Some(m) = model.as_deref_mut() {
                    // A table no revision made (the database was taken over, or made by hand)
                    // is known from the database itself.
                    if let Some(now) = &now {
                        for (name, table) in &now.tables {
                            if !m.tables.contains_key(name) {
                                m.tables.insert(name.clone(), table.clone());
                            }
                        }
                    }
                    for op in &run {
                        apply(m, op).with_context(|| label.clone())?;
                    }
                }
                match (run.iter().any(|op| matches!(op, Op::Execute { .. })), &mut now) {
                    (true, now) => *now = None,
                    (false, Some(now)) => {
                        for op in &run {
                            apply(now, op).with_context(|| label.clone())?;
                        }
                    }
                    (false, None) => {}
                }
            }
        }
    }
    if backend == DbBackend::Sqlite {
        let broken = timed(
            limit,
            txn.query_all_raw(Statement::from_string(
                backend,
                "SELECT DISTINCT \"table\" AS t FROM pragma_foreign_key_check",
            )),
        )
        .await?;
        if !broken.is_empty() {
            let tables: Vec<String> = broken
                .iter()
                .filter_map(|r| r.try_get::<String>("", "t").ok())
                .collect();
            bail!("rows of {} break their foreign keys", tables.join(", "));
        }
    }
    Ok(())
}

/// What a data migration's error says, with the server's own message where there is one.
pub(super) fn data_error(e: &anyhow::Error) -> String {
    if let Some(db) = e
        .downcast_ref::<sea_orm::DbErr>()
        .and_then(crate::db::sqlx_error)
    {
        if let sea_orm::sqlx::Error::Database(d) = db {
            return match d.code() {
                Some(code) => format!("{} (SQLSTATE {code})", d.message()),
                None => d.message().to_string(),
            };
        }
        return db.to_string();
    }
    format!("{e:#}")
}

/// Writes the version table (and a history row per revision) of each of `schemas` as
/// `targets`, running nothing.
pub async fn stamp(
    ctx: &Context<'_>,
    url: &DbUrl,
    schemas: &[String],
    targets: &[String],
    purge: bool,
    out: &mut (dyn Write + Send),
) -> Result<SchemaVersions> {
    let config = &ctx.dir.config;
    let db = connect_runner(url, config).await?;
    let lock = lock(&db, url, config, schemas, out).await?;
    let result: Result<SchemaVersions> = async {
        let order = in_run_order(&db, schemas, Direction::Upgrade);
        preflight(ctx, &db, &order, Run::Stamp(targets, purge), super::RunMode::default()).await?;
        let mut at = SchemaVersions::new();
        for schema in &order {
            let config = ctx.dir.config.for_schema(schema);
            let run = async {
                enter_schema(&db, &config, true, out).await?;
                stamp_locked(ctx, &config, &db, targets, purge).await
            };
            at.push((schema.clone(), named_schema(run.await, schema, order.len())?));
        }
        Ok(at)
    }
    .await;
    goodbye(db, lock, config.statement_timeout(), result).await
}

pub(super) async fn stamp_locked(
    ctx: &Context<'_>,
    config: &Config,
    db: &DatabaseConnection,
    targets: &[String],
    purge: bool,
) -> Result<Vec<String>> {
    let limit = config.statement_timeout();
    create_opdb_tables(db, config).await?;
    let current = timed(limit, read_versions(db, config)).await?;
    if !purge {
        ctx.graph.check_versions(&current)?;
    }
    let mut wanted = BTreeSet::new();
    for t in targets {
        wanted.extend(ctx.graph.resolve(t, &current)?);
    }
    let versions = ctx
        .graph
        .version_heads(&ctx.graph.ancestors(&wanted.into_iter().collect::<Vec<_>>()));
    let after = ctx.graph.ancestors(&versions);
    let entries: Vec<_> = versions
        .iter()
        .map(|v| ctx.entry_as(v, "stamp", true, &after))
        .collect();
    let txn = begin(db, limit).await?;
    for sql in stamp_sql(
        config,
        db.get_database_backend(),
        &current,
        &versions,
        purge,
        &entries,
    ) {
        timed(limit, txn.execute_unprepared(&sql))
            .await
            .with_context(|| format!("stamping: `{}`", short(&sql)))?;
    }
    timed(limit, txn.commit()).await?;
    let read_back = timed(limit, read_versions(db, config)).await?;
    if read_back != versions {
        bail!("the version table holds {read_back:?} after stamping, expected {versions:?}");
    }
    Ok(read_back)
}
