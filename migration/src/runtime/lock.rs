//! The run's lock, so that concurrent runs wait for each other for `lock_wait` seconds: on
//! PostgreSQL a session advisory lock per schema the run works on (two runs on different
//! schemas of one database go on side by side; one run takes its schemas' locks together, in
//! name order, or none); on SQLite an exclusive lock on the file `<database>-lock` beside the
//! database (released by the operating system if the process dies).

use super::online::timed;
use crate::config::Config;
use crate::url::DbUrl;
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::io::Write;
use std::time::Duration;

// The first key of the advisory locks a run holds on PostgreSQL is the tool's name folded into
// 32 bits (`tool::lock_key`: "opdb" in ASCII for opdb itself); the second is the schema's
// name, hashed by the server (`hashtext`).

/// Holds the run's lock: PostgreSQL's advisory locks (one per schema), or on SQLite an
/// exclusive lock on a file beside the database (none for an in-memory database, which no
/// other process can see).
pub(super) enum Lock {
    Postgres(Vec<String>),
    Sqlite(#[allow(dead_code)] Option<std::fs::File>),
}

/// The database-wide lock opdb runs before per-schema locks held, alone (the tool's lock key
/// as one `bigint`): every run now holds it shared, so a run of such an older binary, which
/// takes it alone, and a run of this one still exclude each other.
fn legacy() -> String {
    format!("{}::bigint", crate::tool::lock_key())
}

/// One of the advisory locks a run holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    /// [`legacy`], shared.
    Legacy,
    /// A schema's: (the tool's lock key, `hashtext(schema)`), the name going in as a string
    /// literal.
    Schema(String),
}

impl Key {
    /// `SELECT function(key) AS got`, `function` one of `pg_try_advisory_lock` and
    /// `pg_advisory_unlock` (their `_shared` forms for [`Key::Legacy`]).
    fn sql(&self, function: &str) -> String {
        match self {
            Key::Legacy => format!("SELECT {function}_shared({}) AS got", legacy()),
            Key::Schema(schema) => format!(
                "SELECT {function}({}, hashtext({})) AS got",
                crate::tool::lock_key(),
                crate::ddl::literal(schema)
            ),
        }
    }
}

/// The keys a run on `schemas` holds.
fn keys(schemas: &[String]) -> Vec<Key> {
    std::iter::once(Key::Legacy)
        .chain(schemas.iter().cloned().map(Key::Schema))
        .collect()
}

/// Takes all the advisory locks of `schemas`, or none: a run holds every lock it needs before
/// it changes anything, and never waits holding some of them.
async fn try_lock_all(
    db: &DatabaseConnection,
    schemas: &[String],
    limit: Option<Duration>,
) -> Result<bool> {
    let mut taken: Vec<Key> = Vec::new();
    for key in keys(schemas) {
        let got = async {
            anyhow::Ok(
                timed(
                    limit,
                    db.query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        key.sql("pg_try_advisory_lock"),
                    )),
                )
                .await?
                .map(|r| r.try_get::<bool>("", "got"))
                .transpose()?
                .unwrap_or(false),
            )
        }
        .await;
        match got {
            Ok(true) => taken.push(key),
            // Not all of them: give back what was taken, as well as the server lets it.
            other => {
                for key in taken {
                    let _ = release(db, &key, limit).await;
                }
                return other;
            }
        }
    }
    Ok(true)
}

async fn release(db: &DatabaseConnection, key: &Key, limit: Option<Duration>) -> Result<()> {
    let sql = key.sql("pg_advisory_unlock");
    timed(limit, db.execute_unprepared(&sql)).await?;
    Ok(())
}

/// How often a waiting run asks for the lock again.
pub(super) const LOCK_POLL: Duration = Duration::from_millis(200);

/// Takes the run's lock for `schemas` (on SQLite, the file's), waiting up to `lock_wait`.
pub(super) async fn lock(
    db: &DatabaseConnection,
    target: &DbUrl,
    config: &Config,
    schemas: &[String],
    out: &mut (dyn Write + Send),
) -> Result<Lock> {
    let mut schemas = schemas.to_vec();
    schemas.sort();
    schemas.dedup();
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
            (DbBackend::Postgres, _) => try_lock_all(db, &schemas, limit).await?,
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
                DbBackend::Postgres => Lock::Postgres(schemas),
                _ => Lock::Sqlite(sqlite_file),
            });
        }
        if !waiting {
            writeln!(
                out,
                "Waiting for another {tool} run to finish (up to {} s, lock_wait in alembic.toml) ...",
                config.lock_wait,
                tool = crate::tool::name()
            )?;
            out.flush().ok();
            waiting = true;
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "another {tool} run still holds the lock after {} s (lock_wait in alembic.toml): \
                 nothing was changed; run again when it has finished, or raise lock_wait",
                config.lock_wait,
                tool = crate::tool::name()
            );
        }
        tokio::time::sleep(LOCK_POLL).await;
    }
}

/// The file whose lock serializes runs on a SQLite database: `<database>-lock`, beside it.
pub(crate) fn sqlite_lock_path(url: &str) -> Option<std::path::PathBuf> {
    let mut lock = crate::url::sqlite_file(url)?.into_os_string();
    lock.push("-lock");
    Some(lock.into())
}

pub(super) async fn unlock(
    db: &DatabaseConnection,
    lock: Lock,
    limit: Option<Duration>,
) -> Result<()> {
    match lock {
        Lock::Postgres(schemas) => {
            // Every one, even after one fails; the first failure is the error.
            let mut first = Ok(());
            for key in keys(&schemas) {
                let released = release(db, &key, limit).await;
                if first.is_ok() {
                    first = released;
                }
            }
            first?;
        }
        // Closing the file releases its lock.
        Lock::Sqlite(file) => drop(file),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sqlite_lock_path;

    #[test]
    fn in_memory_databases_have_no_lock_file() {
        assert_eq!(sqlite_lock_path("sqlite::memory:"), None);
        assert_eq!(sqlite_lock_path("sqlite://:memory:"), None);
        assert_eq!(
            sqlite_lock_path("sqlite:///tmp/a.sqlite"),
            Some("/tmp/a.sqlite-lock".into())
        );
    }
}
