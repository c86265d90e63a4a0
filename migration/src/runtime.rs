//! Running revisions (alembic's `runtime/migration.py`): the version and history tables, the
//! lock, one transaction per revision, and offline `--sql` scripts.
//!
//! PostgreSQL: a session advisory lock serializes runs; each revision runs in a transaction of
//! its own with its version update. SQLite: one `BEGIN IMMEDIATE` transaction holds the write
//! lock for the whole run and each revision is a savepoint in it. Either way a failing revision
//! is rolled back whole and the version table stays at the revision before it.

use crate::apply::apply;
use crate::ddl::{self, ident, literal};
use crate::ops::{Ops, Step};
use crate::revision::{shown, Graph};
use crate::schema::Schema;
use crate::script::{CompiledRevision, Config, ScriptDir};
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

/// The dialect a URL speaks, without connecting.
pub fn backend_of(url: &str) -> Result<DbBackend> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DbBackend::Postgres)
    } else if url.starts_with("sqlite:") {
        Ok(DbBackend::Sqlite)
    } else {
        bail!(
            "unsupported database URL {}: use postgres://... or sqlite:...",
            crate::db::redact(url)
        )
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

fn history_sql(
    config: &Config,
    backend: DbBackend,
    revision: &str,
    direction: &str,
    times: Option<(&str, &str)>,
) -> String {
    let (started, finished) = match times {
        Some((s, f)) => (literal(s), literal(f)),
        None => ("CURRENT_TIMESTAMP".into(), "CURRENT_TIMESTAMP".into()),
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
fn short(sql: &str) -> String {
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
pub async fn connect_runner(url: &str) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_string());
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
        .map_sqlx_sqlite_opts(|o| o.foreign_keys(false));
    crate::db::connect_with(options).await
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
        .context("reading the version table")?;
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
        .context("reading the history table (has anything been applied yet?)")?;
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

/// Holds the run's lock: PostgreSQL's advisory lock, or SQLite's write transaction.
enum Lock {
    Postgres,
    Sqlite(DatabaseTransaction),
}

async fn lock(db: &DatabaseConnection, out: &mut (dyn Write + Send)) -> Result<Lock> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let got = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_try_advisory_lock({LOCK_KEY}) AS got"),
                ))
                .await?
                .map(|r| r.try_get::<bool>("", "got"))
                .transpose()?
                .unwrap_or(false);
            if !got {
                writeln!(out, "Waiting for another opdb run to finish ...")?;
                db.execute_unprepared(&format!("SELECT pg_advisory_lock({LOCK_KEY})"))
                    .await?;
            }
            Ok(Lock::Postgres)
        }
        _ => {
            let options = TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            };
            let txn = db.begin_with_options(options).await?;
            // Table rebuilds drop and recreate referenced tables: check keys at commit.
            txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                .await?;
            Ok(Lock::Sqlite(txn))
        }
    }
}

async fn unlock(db: &DatabaseConnection, lock: Lock) -> Result<()> {
    match lock {
        Lock::Postgres => {
            db.execute_unprepared(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
                .await?;
        }
        Lock::Sqlite(txn) => txn.commit().await.context("committing the run")?,
    }
    Ok(())
}

impl Lock {
    /// The per-revision transaction: a transaction of its own, or a savepoint.
    async fn begin(&self, db: &DatabaseConnection) -> Result<DatabaseTransaction> {
        Ok(match self {
            Lock::Postgres => db.begin().await?,
            Lock::Sqlite(outer) => outer.begin().await?,
        })
    }

    /// Reads through whichever connection holds the lock.
    async fn versions(&self, db: &DatabaseConnection, config: &Config) -> Result<Vec<String>> {
        match self {
            Lock::Postgres => read_versions(db, config).await,
            Lock::Sqlite(txn) => read_versions(txn, config).await,
        }
    }

    async fn execute(&self, db: &DatabaseConnection, sql: &str) -> Result<()> {
        match self {
            Lock::Postgres => db.execute_unprepared(sql).await?,
            Lock::Sqlite(txn) => txn.execute_unprepared(sql).await?,
        };
        Ok(())
    }
}

/// Upgrades or downgrades to `target`; returns the version table as read back afterwards.
pub async fn migrate(
    ctx: &Context<'_>,
    url: &str,
    direction: Direction,
    target: &str,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let db = connect_runner(url).await?;
    let lock = lock(&db, out).await?;
    let result = migrate_locked(ctx, &db, &lock, direction, target, out).await;
    let unlocked = unlock(&db, lock).await;
    let versions = result?;
    unlocked?;
    db.close().await.ok();
    Ok(versions)
}

async fn migrate_locked(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    lock: &Lock,
    direction: Direction,
    target: &str,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
    let backend = db.get_database_backend();
    for sql in create_version_tables(config, backend) {
        lock.execute(db, &sql)
            .await
            .context("creating the version tables")?;
    }
    let current = lock.versions(db, config).await?;
    ctx.graph.check_versions(&current)?;
    let target_set = ctx.graph.resolve(target, &current)?;
    let plan = match direction {
        Direction::Upgrade => ctx.graph.upgrade_plan(&current, &target_set),
        Direction::Downgrade => ctx.graph.downgrade_plan(&current, &target_set)?,
    };
    let mut applied = ctx.graph.ancestors(&current);
    let mut model = match backend {
        DbBackend::Sqlite => Some(ctx.replay(&applied)?),
        _ => None,
    };
    let version_table = table_name(config, backend, &config.version_table);
    let mut versions = current.clone();
    for id in &plan {
        let (next, next_versions, running) = ctx.step(&applied, &versions, id, direction)?;
        writeln!(out, "{running}")?;
        let txn = lock.begin(db).await?;
        let mut tracked = model.clone();
        let started = now();
        let ran = run_revision(ctx, &txn, id, direction, tracked.as_mut()).await;
        let ran = match ran {
            Ok(()) => {
                let mut sqls = version_sql(&version_table, &versions, &next_versions);
                sqls.push(history_sql(
                    config,
                    backend,
                    id,
                    direction.word(),
                    Some((&started, &now())),
                ));
                let mut result = Ok(());
                for sql in sqls {
                    if let Err(e) = txn.execute_unprepared(&sql).await {
                        result = Err(anyhow!("updating the version table: {e}"));
                        break;
                    }
                }
                result
            }
            Err(e) => Err(e),
        };
        match ran {
            Ok(()) => txn
                .commit()
                .await
                .with_context(|| format!("committing revision {id} ({})", ctx.path(id)))?,
            Err(e) => {
                txn.rollback().await.ok();
                let at = if versions.is_empty() {
                    "base".into()
                } else {
                    versions.join(", ")
                };
                return Err(e.context(format!(
                    "{} of revision {id} ({}) failed and was rolled back; the database stays at {at}",
                    direction.word(),
                    ctx.path(id)
                )));
            }
        }
        applied = next;
        versions = next_versions;
        model = tracked;
    }
    let read_back = lock.versions(db, config).await?;
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
                    txn.execute_unprepared(sql)
                        .await
                        .map_err(|e| anyhow!("statement `{}`: {e}", short(sql)))?;
                }
                if let Some(m) = model.as_deref_mut() {
                    apply(m, op).with_context(|| format!("step {}", n + 1))?;
                }
            }
            Step::Data(f) => f(txn)
                .await
                .map_err(|e| anyhow!("data migration (step {}): {e}", n + 1))?,
        }
    }
    if backend == DbBackend::Sqlite {
        let broken = txn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT DISTINCT \"table\" AS t FROM pragma_foreign_key_check",
            ))
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

/// Writes the version table (and a history row per revision) as `targets`, running nothing.
pub async fn stamp(
    ctx: &Context<'_>,
    url: &str,
    targets: &[String],
    purge: bool,
    out: &mut (dyn Write + Send),
) -> Result<Vec<String>> {
    let db = connect_runner(url).await?;
    let lock = lock(&db, out).await?;
    let result = stamp_locked(ctx, &db, &lock, targets, purge).await;
    let unlocked = unlock(&db, lock).await;
    let versions = result?;
    unlocked?;
    db.close().await.ok();
    Ok(versions)
}

async fn stamp_locked(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    lock: &Lock,
    targets: &[String],
    purge: bool,
) -> Result<Vec<String>> {
    let config = &ctx.dir.config;
    let backend = db.get_database_backend();
    for sql in create_version_tables(config, backend) {
        lock.execute(db, &sql).await?;
    }
    let current = lock.versions(db, config).await?;
    if !purge {
        ctx.graph.check_versions(&current)?;
    }
    let mut wanted = BTreeSet::new();
    for t in targets {
        wanted.extend(ctx.graph.resolve(t, &current)?);
    }
    let applied = ctx.graph.ancestors(&wanted.into_iter().collect::<Vec<_>>());
    let versions = ctx.graph.version_heads(&applied);
    let table = table_name(config, backend, &config.version_table);
    let txn = lock.begin(db).await?;
    let mut sqls = if purge {
        vec![format!("DELETE FROM {table}")]
    } else {
        Vec::new()
    };
    let before = if purge { Vec::new() } else { current.clone() };
    sqls.extend(version_sql(&table, &before, &versions));
    let stamp_time = now();
    for v in &versions {
        sqls.push(history_sql(
            config,
            backend,
            v,
            "stamp",
            Some((&stamp_time, &stamp_time)),
        ));
    }
    for sql in sqls {
        txn.execute_unprepared(&sql)
            .await
            .with_context(|| format!("stamping: `{}`", short(&sql)))?;
    }
    txn.commit().await?;
    let read_back = lock.versions(db, config).await?;
    if read_back != versions {
        bail!("the version table holds {read_back:?} after stamping, expected {versions:?}");
    }
    Ok(read_back)
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
        Direction::Upgrade => ctx.graph.upgrade_plan(&current, &target),
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
        s.push_str(&history_sql(config, backend, id, direction.word(), None));
        s.push_str(";\n\nCOMMIT;\n\n");
        applied = next;
        versions = next_versions;
    }
    Ok(s)
}
