//! The version table (alembic's `alembic_version`: the applied heads) and opdb's history table
//! (every applied step, with when and by whom): their DDL, the statements that move them, and
//! reading them back. The online run, `stamp` and the offline scripts all write them from here.

use crate::config::Config;
use crate::ddl::{ident, literal};
use anyhow::{Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

pub(super) fn table_name(config: &Config, backend: DbBackend, table: &str) -> String {
    match backend {
        DbBackend::Postgres if config.schema != "public" => {
            format!("{}.{}", ident(&config.schema), ident(table))
        }
        _ => ident(table),
    }
}

/// `table` of `config`'s schema, qualified on PostgreSQL whatever the schema: a read may come
/// before the session's search path is the schema's (and a role's own schema, first on the
/// default path, may hold a table of the same name).
fn read_name(config: &Config, backend: DbBackend, table: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("{}.{}", ident(&config.schema), ident(table)),
        _ => ident(table),
    }
}

pub(super) fn create_version_tables(config: &Config, backend: DbBackend) -> Vec<String> {
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
             tool_version VARCHAR NOT NULL,\n    checksum VARCHAR(16),\n    \
             schema_version VARCHAR(32),\n    phase VARCHAR(32)\n)",
            table_name(config, backend, &config.history_table)
        ),
    ]
}

/// The history table's columns that came after its first version, with their types: a table
/// made by an older binary gets them when a run next takes the lock
/// ([`history_columns_sql`]).
pub(super) const LATER_HISTORY_COLUMNS: [(&str, &str); 3] = [
    ("checksum", "VARCHAR(16)"),
    ("schema_version", "VARCHAR(32)"),
    ("phase", "VARCHAR(32)"),
];

/// The statements that add the history table's later columns `missing` (on PostgreSQL all of
/// them, `IF NOT EXISTS`; SQLite has no such clause, so its caller names the missing ones).
pub(super) fn history_columns_sql(
    config: &Config,
    backend: DbBackend,
    missing: &[&str],
) -> Vec<String> {
    let table = table_name(config, backend, &config.history_table);
    LATER_HISTORY_COLUMNS
        .iter()
        .filter(|(name, _)| backend == DbBackend::Postgres || missing.contains(name))
        .map(|(name, ty)| match backend {
            DbBackend::Postgres => {
                format!("ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {} {ty}", ident(name))
            }
            _ => format!("ALTER TABLE {table} ADD COLUMN {} {ty}", ident(name)),
        })
        .collect()
}

/// Statements that move the version table from `before` to `after`.
pub(super) fn version_sql(table: &str, before: &[String], after: &[String]) -> Vec<String> {
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
pub(super) fn who() -> String {
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
pub(super) enum Times<'a> {
    /// Read from the client's clock (UTC).
    Client(&'a str, &'a str),
    /// The statement's own time (a stamp).
    Now,
    /// Read by the server as the statements run (UTC): when the message that holds the whole
    /// revision arrived, and when its history row is written.
    Server,
}

/// What a history row says of one step, beside its times: the revision, the direction, the
/// checksum of the revision's file as compiled (for a step that applies it) and the model's
/// schema version after the step (the last `Schema Version:` of the revisions then applied).
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub revision: String,
    pub direction: &'static str,
    pub checksum: Option<u64>,
    pub schema_version: Option<String>,
    /// For a revision run in phases (online plans, `CONCURRENTLY`): which phase this row
    /// records, `k/n` ([`crate::lock_plan`]); `None` for a step run whole.
    pub phase: Option<String>,
}

/// A checksum as the history table holds it: 16 hexadecimal digits.
pub(crate) fn checksum_text(hash: u64) -> String {
    format!("{hash:016x}")
}

pub(super) fn history_sql(config: &Config, backend: DbBackend, entry: &Entry, times: Times<'_>) -> String {
    let (started, finished) = match times {
        Times::Client(s, f) => (literal(s), literal(f)),
        Times::Now => ("CURRENT_TIMESTAMP".into(), "CURRENT_TIMESTAMP".into()),
        Times::Server => (
            "(statement_timestamp() AT TIME ZONE 'UTC')".into(),
            "(clock_timestamp() AT TIME ZONE 'UTC')".into(),
        ),
    };
    let optional = |v: Option<String>| v.map_or_else(|| "NULL".to_string(), |v| literal(&v));
    format!(
        "INSERT INTO {} (revision, direction, started_at, finished_at, who, tool_version, \
         checksum, schema_version, phase) VALUES ({}, {}, {started}, {finished}, {}, {}, {}, {}, \
         {})",
        table_name(config, backend, &config.history_table),
        literal(&entry.revision),
        literal(entry.direction),
        literal(&who()),
        literal(env!("CARGO_PKG_VERSION")),
        optional(entry.checksum.map(checksum_text)),
        optional(entry.schema_version.clone()),
        optional(entry.phase.clone())
    )
}

pub(super) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// The version table's rows; none when the table does not exist yet. On PostgreSQL, a schema
/// that does not exist is [`crate::error::MigrateError::NoSchema`], not a database at base.
pub async fn read_versions<C: ConnectionTrait>(db: &C, config: &Config) -> Result<Vec<String>> {
    let backend = db.get_database_backend();
    let exists = match backend {
        DbBackend::Postgres => {
            let name = format!("{}.{}", ident(&config.schema), ident(&config.version_table));
            let row = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS schema, \
                     to_regclass($2) IS NOT NULL AS present",
                    [config.schema.clone().into(), name.into()],
                ))
                .await?;
            let (schema, present) = match row {
                Some(r) => (r.try_get::<bool>("", "schema")?, r.try_get::<bool>("", "present")?),
                None => (false, false),
            };
            if !schema {
                return Err(crate::error::MigrateError::NoSchema {
                    schema: config.schema.clone(),
                }
                .into());
            }
            present
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
        read_name(config, backend, &config.version_table)
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
    /// The checksum of the revision's file when the step applied it (none for a downgrade, or
    /// for a row written before opdb kept checksums).
    pub checksum: Option<String>,
    /// The model's schema version after the step, when its revisions declare one.
    pub schema_version: Option<String>,
    /// The phase of a revision run in phases, `k/n` (`k/n online` for an online plan); the
    /// row of its last phase is the step's own. `None` for a step run whole.
    pub phase: Option<String>,
}

pub async fn read_history<C: ConnectionTrait>(db: &C, config: &Config) -> Result<Vec<HistoryRow>> {
    let backend = db.get_database_backend();
    // The version table's reading says whether the schema is there.
    read_versions(db, config).await?;
    // `*`, so that a history table an older binary made (without the later columns) reads too.
    let sql = format!(
        "SELECT *, CAST(started_at AS VARCHAR) AS started_text, \
         CAST(finished_at AS VARCHAR) AS finished_text FROM {} ORDER BY id",
        read_name(config, backend, &config.history_table)
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
            let later = |c: &str| r.try_get::<Option<String>>("", c).ok().flatten();
            Ok(HistoryRow {
                revision: get("revision")?,
                direction: get("direction")?,
                started_at: get("started_text")?,
                finished_at: get("finished_text")?,
                who: get("who")?,
                tool_version: get("tool_version")?,
                checksum: later("checksum"),
                schema_version: later("schema_version"),
                phase: later("phase"),
            })
        })
        .collect()
}

/// The statements that stamp the version table from `current` to `versions`, with a history
/// row for each (`entries`, one per version).
pub(super) fn stamp_sql(
    config: &Config,
    backend: DbBackend,
    current: &[String],
    versions: &[String],
    purge: bool,
    entries: &[Entry],
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
    for entry in entries {
        sqls.push(history_sql(
            config,
            backend,
            entry,
            Times::Client(&stamp_time, &stamp_time),
        ));
    }
    sqls
}

/// A revision whose run in phases stopped between two of them: the last row of the history
/// table records one of its phases but the last ([`crate::lock_plan`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Interrupted {
    pub revision: String,
    pub direction: String,
    /// Phases committed (0: the run had started, nothing of it is committed).
    pub done: usize,
    /// Phases in all.
    pub of: usize,
    /// Whether it ran the online plan.
    pub online: bool,
    pub checksum: Option<String>,
}

/// `k/n` or `k/n online`, as the history table's `phase` holds it.
pub(crate) fn phase_text(done: usize, of: usize, online: bool) -> String {
    format!("{done}/{of}{}", if online { " online" } else { "" })
}

/// The revision the last history row leaves between two phases, if any (one query: the last
/// row alone). A history table without a `phase` column has none.
pub(crate) async fn interrupted<C: ConnectionTrait>(
    db: &C,
    config: &Config,
) -> Result<Option<Interrupted>> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(None);
    }
    let name = read_name(config, backend, &config.history_table);
    let present = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "SELECT to_regclass($1) IS NOT NULL AS present",
            [name.clone().into()],
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "present"))
        .transpose()?
        .unwrap_or(false);
    if !present {
        return Ok(None);
    }
    let sql = format!("SELECT * FROM {name} ORDER BY id DESC LIMIT 1");
    let Some(row) = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .with_context(|| format!("reading the history table {}", config.history_table))?
    else {
        return Ok(None);
    };
    let later = |c: &str| row.try_get::<Option<String>>("", c).ok().flatten();
    let Some(phase) = later("phase") else {
        return Ok(None);
    };
    let (counts, online) = match phase.strip_suffix(" online") {
        Some(counts) => (counts, true),
        None => (phase.as_str(), false),
    };
    let parsed = counts
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    let Some((done, of)) = parsed else {
        anyhow::bail!(
            "the last row of the history table {} has phase {phase:?}, which is not k/n: fix \
             or delete that row",
            config.history_table
        );
    };
    if done >= of {
        return Ok(None);
    }
    Ok(Some(Interrupted {
        revision: row.try_get::<String>("", "revision")?,
        direction: row.try_get::<String>("", "direction")?,
        done,
        of,
        online,
        checksum: later("checksum"),
    }))
}
