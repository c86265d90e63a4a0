//! Running revisions (alembic's `runtime/migration.py`): the version and history tables, the
//! lock, one transaction per revision, and offline `--sql` scripts.
//!
//! Each revision runs in a transaction of its own with its version update and history row, and
//! commits before the next begins, on both backends: a failing (or killed) revision is rolled
//! back whole and the database stays at the revision before it, with every earlier revision of
//! the run kept. Concurrent runs wait for each other for `lock_wait` seconds: a session advisory
//! lock on PostgreSQL; on SQLite an exclusive lock on the file `<database>-lock` beside it
//! (released by the operating system if the process dies), with each revision a `BEGIN
//! IMMEDIATE` transaction. Every call to the database is bounded by `statement_timeout`.

use crate::apply::apply;
use crate::batch::{self, Failure, Origin};
use crate::ddl::{self, ident, literal};
use crate::ops::{Ops, Step};
use crate::revision::{shown, Graph};
use crate::schema::Schema;
use crate::script::{CompiledRevision, Config, ScriptDir};
use crate::url::DbUrl;
use anyhow::{anyhow, bail, Context as _, Result};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionOptions, TransactionTrait,
};
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

/// The advisory lock key opdb runs hold on PostgreSQL ("opdb" in ASCII).
const LOCK_KEY: i64 = 0x6f70_6462;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

/// A script directory with its compiled revisions and their graph.
pub struct Context<'a> {
    pub dir: &'a ScriptDir,
    pub compiled: &'a [CompiledRevision],
    pub graph: Graph,
}

impl<'a> Context<'a> {
    pub fn new(dir: &'a ScriptDir, compiled: &'a [CompiledRevision]) -> Result<Self> {
        dir.check_fresh(compiled)?;
        Ok(Context {
            graph: dir.graph(compiled)?,
            dir,
            compiled,
        })
    }

    fn compiled(&self, id: &str) -> Result<&CompiledRevision> {
        self.compiled
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| anyhow!("revision {id} is not compiled in"))
    }

    fn path(&self, id: &str) -> String {
        self.graph
            .get(id)
            .map(|r| r.path.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn ops(&self, id: &str, direction: Direction) -> Result<Ops> {
        let rev = self.compiled(id)?;
        let mut ops = Ops::new();
        match direction {
            Direction::Upgrade => (rev.upgrade)(&mut ops),
            Direction::Downgrade => (rev.downgrade)(&mut ops),
        }
        Ok(ops)
    }

    /// One step of a plan: the applied set and version rows after `id`, and the line that
    /// announces it (`Running upgrade a -> b, message`).
    fn step(
        &self,
        applied: &BTreeSet<String>,
        versions: &[String],
        id: &str,
        direction: Direction,
    ) -> Result<(BTreeSet<String>, Vec<String>, String)> {
        let mut next = applied.clone();
        match direction {
            Direction::Upgrade => next.insert(id.to_string()),
            Direction::Downgrade => next.remove(id),
        };
        let next_versions = self.graph.version_heads(&next);
        let rev = self
            .graph
            .get(id)
            .ok_or_else(|| anyhow!("unknown revision {id}"))?;
        let line = format!(
            "Running {} {} -> {}, {}",
            direction.word(),
            shown(versions),
            shown(&next_versions),
            rev.message
        );
        Ok((next, next_versions, line))
    }

    /// The schema the revisions in `applied` build, from their own ops. SQLite's table rebuilds
    /// work from it, and so do `--sql` scripts, which have no database to ask.
    pub fn replay(&self, applied: &BTreeSet<String>) -> Result<Schema> {
        let mut schema = Schema::default();
        for rev in self.graph.in_order().filter(|r| applied.contains(&r.id)) {
            for op in self.ops(&rev.id, Direction::Upgrade)?.ops() {
                apply(&mut schema, op)
                    .with_context(|| format!("replaying revision {} ({})", rev.id, rev.path))?;
            }
        }
        Ok(schema)
    }
}

fn table_name(config: &Config, backend: DbBackend, table: &str) -> String {
    match backend {
        DbBackend::Postgres if config.schema != "public" => {
            format!("{}.{}", ident(&config.schema), ident(table))
        }
        _ => ident(table),
    }
}

fn create_version_tables(config: &Config, backend: DbBackend) -> Vec<String> {
    let id = match backend {
        DbBackend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        _ => "SERIAL PRIMARY KEY",
    };
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    version_num VARCHAR(32) NOT NULL,\n    \
             CONSTRAINT {} PRIMARY KEY (version_num)\n)",
            table_name(config, backend, &config.version_table),
            ident(&format!("{}_pkc", config.version_table))
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    id {id},\n    revision VARCHAR(32) NOT NULL,\n    \
             direction VARCHAR(9) NOT NULL,\n    started_at TIMESTAMP NOT NULL,\n    \
             finished_at TIMESTAMP NOT NULL,\n    who VARCHAR NOT NULL,\n    \
             tool_version VARCHAR NOT NULL\n)",
            table_name(config, backend, &config.history_table)
        ),
    ]
}

/// Statements that move the version table from `before` to `after`.
fn version_sql(table: &str, before: &[String], after: &[String]) -> Vec<String> {
    let removed: Vec<&String> = before.iter().filter(|v| !after.contains(v)).collect();
    let added: Vec<&String> = after.iter().filter(|v| !before.contains(v)).collect();
    if let ([old], [new]) = (removed.as_slice(), added.as_slice()) {
        return vec![format!(
            "UPDATE {table} SET version_num = {} WHERE version_num = {}",
            literal(new),
            literal(old)
        )];
    }
    let mut out: Vec<String> = removed
        .iter()
        .map(|v| format!("DELETE FROM {table} WHERE version_num = {}", literal(v)))
        .collect();
    out.extend(
        added
            .iter()
            .map(|v| format!("INSERT INTO {table} (version_num) VALUES ({})", literal(v))),
    );
    out
}

/// Who runs this, for the history table.
fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

/// When a history row's step started and finished.
enum Times<'a> {
    /// Read from the client's clock (UTC).
    Client(&'a str, &'a str),
    /// The statement's own time (a stamp).
    Now,
    /// Read by the server as the statements run (UTC): when the message that holds the whole
    /// revision arrived, and when its history row is written.
    Server,
}

fn history_sql(
    config: &Config,
    backend: DbBackend,
    revision: &str,
    direction: &str,
    times: Times<'_>,
) -> String {
    let (started, finished) = match times {
        Times::Client(s, f) => (literal(s), literal(f)),
        Times::Now => ("CURRENT_TIMESTAMP".into(), "CURRENT_TIMESTAMP".into()),
        Times::Server => (
            "(statement_timestamp() AT TIME ZONE 'UTC')".into(),
            "(clock_timestamp() AT TIME ZONE 'UTC')".into(),
        ),
    };
    format!(
        "INSERT INTO {} (revision, direction, started_at, finished_at, who, tool_version) \
         VALUES ({}, {}, {started}, {finished}, {}, {})",
        table_name(config, backend, &config.history_table),
        literal(revision),
        literal(direction),
        literal(&who()),
        literal(env!("CARGO_PKG_VERSION"))
    )
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

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

/// A connection for running migrations: one physical connection, so that the advisory lock,
/// the transactions and the version reads all share one session.
pub async fn connect_runner(target: &DbUrl, config: &Config) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(target.url.clone());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(crate::db::CONNECT_TIMEOUT)
        .acquire_timeout(Duration::from_secs(3600))
        .idle_timeout(Duration::from_secs(24 * 3600))
        .max_lifetime(Duration::from_secs(24 * 3600))
        .sqlx_logging(false)
        // Table rebuilds drop and recreate referenced tables, which SQLite allows only with
        // foreign keys off; each revision checks every key before it commits instead.
        .map_sqlx_sqlite_opts(|o| o.foreign_keys(false).busy_timeout(crate::db::BUSY_TIMEOUT));
    crate::db::connect_with(target, options, config.statement_timeout()).await
}

/// The version table's rows; none when the table does not exist yet.
pub async fn read_versions<C: ConnectionTrait>(db: &C, config: &Config) -> Result<Vec<String>> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => {
            let name = format!("{}.{}", ident(&config.schema), ident(&config.version_table));
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT to_regclass($1) IS NOT NULL AS present",
                    [name.into()],
                ))
                .await?;
            row.map(|r| r.try_get::<bool>("", "present"))
                .transpose()?
                .unwrap_or(false)
        }
        _ => {
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT count(*) AS present FROM sqlite_master WHERE type = 'table' AND name = ?",
                    [config.version_table.clone().into()],
                ))
                .await?;
            row.map(|r| r.try_get::<i64>("", "present"))
                .transpose()?
                .unwrap_or(0)
                > 0
        }
    };
    if !exists {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT version_num FROM {} ORDER BY version_num",
        table_name(config, backend, &config.version_table)
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .with_context(|| format!("reading the version table {}", config.version_table))?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "version_num").map_err(Into::into))
        .collect()
}

/// One applied step, from the history table.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRow {
    pub revision: String,
    pub direction: String,
    pub started_at: String,
    pub finished_at: String,
    pub who: String,
    pub tool_version: String,
}

pub async fn read_history<C: ConnectionTrait>(db: &C, config: &Config) -> Result<Vec<HistoryRow>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT revision, direction, CAST(started_at AS VARCHAR) AS started_at, \
         CAST(finished_at AS VARCHAR) AS finished_at, who, tool_version FROM {} ORDER BY id",
        table_name(config, backend, &config.history_table)
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .with_context(|| {
            format!(
                "reading the history table {} (has anything been applied yet?)",
                config.history_table
            )
        })?;
    rows.iter()
        .map(|r| {
            let get = |c: &str| r.try_get::<String>("", c);
            Ok(HistoryRow {
                revision: get("revision")?,
                direction: get("direction")?,
                started_at: get("started_at")?,
                finished_at: get("finished_at")?,
                who: get("who")?,
                tool_version: get("tool_version")?,
            })
        })
        .collect()
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

/// Holds the run's lock: PostgreSQL's advisory lock, or on SQLite an exclusive lock on a file
/// beside the database (none for an in-memory database, which no other process can see).
enum Lock {
    Postgres,
    Sqlite(#[allow(dead_code)] Option<std::fs::File>),
}

/// How often a waiting run asks for the lock again.
const LOCK_POLL: Duration = Duration::from_millis(200);

async fn lock(
    db: &DatabaseConnection,
    target: &DbUrl,
    config: &Config,
    out: &mut (dyn Write + Send),
) -> Result<Lock> {
    let deadline = tokio::time::Instant::now() + config.lock_wait();
    let mut waiting = false;
    let limit = config.statement_timeout();
    let sqlite_file = match db.get_database_backend() {
        DbBackend::Postgres => None,
        _ => sqlite_lock_path(&target.url).map(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("opening the lock file {}", path.display()))
        }),
    }
    .transpose()?;
    loop {
        let got = match (db.get_database_backend(), &sqlite_file) {
            (DbBackend::Postgres, _) => timed(
                limit,
                db.query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_try_advisory_lock({LOCK_KEY}) AS got"),
                )),
            )
            .await?
            .map(|r| r.try_get::<bool>("", "got"))
            .transpose()?
            .unwrap_or(false),
            (_, None) => true,
            (_, Some(file)) => match file.try_lock() {
                Ok(()) => true,
                Err(std::fs::TryLockError::WouldBlock) => false,
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).context("locking the SQLite database's lock file")
                }
            },
        };
        if got {
            return Ok(match db.get_database_backend() {
                DbBackend::Postgres => Lock::Postgres,
                _ => Lock::Sqlite(sqlite_file),
            });
        }
        if !waiting {
            writeln!(
                out,
                "Waiting for another opdb run to finish (up to {} s, lock_wait in alembic.toml) ...",
                config.lock_wait
            )?;
            out.flush().ok();
            waiting = true;
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "another opdb run still holds the lock after {} s (lock_wait in alembic.toml): \
                 nothing was changed; run again when it has finished, or raise lock_wait",
                config.lock_wait
            );
        }
        tokio::time::sleep(LOCK_POLL).await;
    }
}

/// The file whose lock serializes runs on a SQLite database: `<database>-lock`, beside it.
fn sqlite_lock_path(url: &str) -> Option<std::path::PathBuf> {
    let options: sea_orm::sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    let file = options.get_filename();
    let name = file.to_string_lossy();
    if name.is_empty() || name == ":memory:" || url.contains("mode=memory") {
        return None;
    }
    let mut lock = file.as_os_str().to_owned();
    lock.push("-lock");
    Some(lock.into())
}

async fn unlock(db: &DatabaseConnection, lock: Lock, limit: Option<Duration>) -> Result<()> {
    match lock {
        Lock::Postgres => {
            timed(
                limit,
                db.execute_unprepared(&format!("SELECT pg_advisory_unlock({LOCK_KEY})")),
            )
            .await?;
        }
        // Closing the file releases its lock.
        Lock::Sqlite(file) => drop(file),
    }
    Ok(())
}

/// The per-revision transaction: on SQLite `BEGIN IMMEDIATE` (the write lock from the start)
/// with foreign keys checked at commit, since table rebuilds drop and recreate referenced
/// tables.
async fn begin(db: &DatabaseConnection, limit: Option<Duration>) -> Result<DatabaseTransaction> {
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

/// Upgrades or downgrades to `target`; returns the version table as read back afterwards.
pub async fn migrate(
    ctx: &Context<'_>,
    url: &DbUrl,
    direction: Direction,
    target: &str,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
    let db = connect_runner(url, config).await?;
    let lock = lock(&db, url, config, out).await?;
    // Boxed: a run's future is large, and would otherwise sit on the caller's stack.
    let result = Box::pin(migrate_locked(ctx, &db, direction, target, out)).await;
    let unlocked = unlock(&db, lock, config.statement_timeout()).await;
    let versions = result?;
    unlocked?;
    db.close().await.ok();
    Ok(versions)
}

/// Creates the version and history tables if they are missing.
async fn create_opdb_tables(db: &DatabaseConnection, config: &Config) -> Result<()> {
    let backend = db.get_database_backend();
    for sql in create_version_tables(config, backend) {
        timed(config.statement_timeout(), db.execute_unprepared(&sql))
            .await
            .with_context(|| {
                format!(
                    "creating the version table {} and the history table {}",
                    config.version_table, config.history_table
                )
            })?;
    }
    Ok(())
}

async fn migrate_locked(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    direction: Direction,
    target: &str,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
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
        let failed = |what: &str| {
            format!(
                "{} of revision {id} ({}) {what}; the database stays at {at}",
                direction.word(),
                ctx.path(id)
            )
        };
        // On PostgreSQL a revision of statements alone goes in one message (see `batch`).
        if backend == DbBackend::Postgres {
            let ops = ctx.ops(id, direction)?;
            let batched = batch::statements(&ops, backend)
                .map_err(|e| e.context(failed("failed and was rolled back")))?;
            if let Some(mut statements) = batched {
                statements.extend(
                    version_sql(&version_table, &versions, &next_versions)
                        .into_iter()
                        .map(|sql| (sql, Origin::Version(version_table.clone()))),
                );
                let history = history_sql(config, backend, id, direction.word(), Times::Server);
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
            let sql = history_sql(
                config,
                backend,
                id,
                direction.word(),
                Times::Client(&started, &now()),
            );
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

/// Runs one revision's steps inside `txn`.
async fn run_revision(
    ctx: &Context<'_>,
    txn: &DatabaseTransaction,
    id: &str,
    direction: Direction,
    mut model: Option<&mut Schema>,
    limit: Option<Duration>,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let ops = ctx.ops(id, direction)?;
    let empty = Schema::default();
    for (n, step) in ops.steps.iter().enumerate() {
        match step {
            Step::Op(op) => {
                let before = model.as_deref().unwrap_or(&empty);
                let sqls = ddl::render(backend, op, before)
                    .with_context(|| format!("step {}: {op:?}", n + 1))?;
                for sql in &sqls {
                    timed(limit, txn.execute_unprepared(sql))
                        .await
                        .map_err(|e| {
                            anyhow!("step {}: statement `{}`: {e:#}", n + 1, short(sql))
                        })?;
                }
                if let Some(m) = model.as_deref_mut() {
                    apply(m, op).with_context(|| format!("step {}", n + 1))?;
                }
            }
            Step::Data(f) => timed(limit, f(txn)).await.map_err(|e| {
                anyhow!(
                    "data migration (step {}) returned an error: {}",
                    n + 1,
                    data_error(&e)
                )
            })?,
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
fn data_error(e: &anyhow::Error) -> String {
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

/// Writes the version table (and a history row per revision) as `targets`, running nothing.
pub async fn stamp(
    ctx: &Context<'_>,
    url: &DbUrl,
    targets: &[String],
    purge: bool,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
    let db = connect_runner(url, config).await?;
    let lock = lock(&db, url, config, out).await?;
    let result = stamp_locked(ctx, &db, targets, purge).await;
    let unlocked = unlock(&db, lock, config.statement_timeout()).await;
    let versions = result?;
    unlocked?;
    db.close().await.ok();
    Ok(versions)
}

async fn stamp_locked(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    targets: &[String],
    purge: bool,
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
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
    let txn = begin(db, limit).await?;
    for sql in stamp_sql(
        config,
        db.get_database_backend(),
        &current,
        &versions,
        purge,
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

/// The statements that stamp the version table from `current` to `versions`, with a history
/// row for each.
fn stamp_sql(
    config: &Config,
    backend: DbBackend,
    current: &[String],
    versions: &[String],
    purge: bool,
) -> Vec<String> {
    let table = table_name(config, backend, &config.version_table);
    let mut sqls = if purge {
        vec![format!("DELETE FROM {table}")]
    } else {
        Vec::new()
    };
    let before = if purge { &[][..] } else { current };
    sqls.extend(version_sql(&table, before, versions));
    let stamp_time = now();
    for v in versions {
        sqls.push(history_sql(
            config,
            backend,
            v,
            "stamp",
            Times::Client(&stamp_time, &stamp_time),
        ));
    }
    sqls
}

/// The `--sql` script for `range` (`END` from base, or `START:END`).
pub fn offline_script(
    ctx: &Context<'_>,
    backend: DbBackend,
    direction: Direction,
    range: &str,
) -> Result<String> {
    let (start, end) = match range.split_once(':') {
        Some((s, e)) => (Some(s), e),
        None if direction == Direction::Downgrade => bail!(
            "downgrade with --sql needs a range START:END (it cannot read the database's revision)"
        ),
        None => (None, range),
    };
    let current = match start {
        Some(s) => ctx.graph.resolve(s, &[])?,
        None => Vec::new(),
    };
    let target = ctx.graph.resolve(end, &current)?;
    let plan = match direction {
        Direction::Upgrade => ctx.graph.upgrade_plan(&current, &target)?,
        Direction::Downgrade => ctx.graph.downgrade_plan(&current, &target)?,
    };
    let config = &ctx.dir.config;
    let mut applied = ctx.graph.ancestors(&current);
    let mut model = ctx.replay(&applied)?;
    let version_table = table_name(config, backend, &config.version_table);
    let mut versions = current.clone();
    let mut s = format!(
        "-- opdb {} {} -> {} for {} ({:?}); generated {}\n\n",
        direction.word(),
        start.unwrap_or("base"),
        end,
        ctx.dir.label(),
        backend,
        now()
    );
    if backend == DbBackend::Sqlite {
        s.push_str("-- Table rebuilds need foreign keys off (outside any transaction).\nPRAGMA foreign_keys = OFF;\n\n");
    }
    if current.is_empty() && direction == Direction::Upgrade {
        for sql in create_version_tables(config, backend) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
    }
    for id in &plan {
        let (next, next_versions, running) = ctx.step(&applied, &versions, id, direction)?;
        s.push_str(&format!("-- {running}\nBEGIN;\n\n"));
        for step in ctx.ops(id, direction)?.steps {
            match step {
                Step::Op(op) => s.push_str(
                    &ddl::render_and_apply(backend, &op, &mut model)
                        .with_context(|| format!("revision {id} ({})", ctx.path(id)))?,
                ),
                Step::Data(_) => s.push_str(&format!(
                    "-- A data migration of revision {id} runs only online (without --sql).\n\n"
                )),
            }
        }
        for sql in version_sql(&version_table, &versions, &next_versions) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
        s.push_str(&history_sql(
            config,
            backend,
            id,
            direction.word(),
            Times::Now,
        ));
        s.push_str(";\n\nCOMMIT;\n\n");
        applied = next;
        versions = next_versions;
    }
    Ok(s)
}

/// The `stamp --sql` script: the version tables if missing, then the version table set to
/// `targets` (emptied first: offline, the current rows are unknown) with a history row each.
pub fn offline_stamp(ctx: &Context<'_>, backend: DbBackend, targets: &[String]) -> Result<String> {
    let mut wanted = BTreeSet::new();
    for t in targets {
        wanted.extend(ctx.graph.resolve(t, &[])?);
    }
    let versions = ctx
        .graph
        .version_heads(&ctx.graph.ancestors(&wanted.into_iter().collect::<Vec<_>>()));
    let config = &ctx.dir.config;
    let mut s = String::new();
    for sql in create_version_tables(config, backend) {
        s.push_str(&sql);
        s.push_str(";\n\n");
    }
    s.push_str("BEGIN;\n\n");
    for sql in stamp_sql(config, backend, &[], &versions, true) {
        s.push_str(&sql);
        s.push_str(";\n\n");
    }
    s.push_str("COMMIT;\n");
    Ok(s)
}
