//! The run's lock, so that concurrent runs wait for each other for `lock_wait` seconds: a
//! session advisory lock on PostgreSQL; on SQLite an exclusive lock on the file
//! `<database>-lock` beside the database (released by the operating system if the process dies).

use super::online::timed;
use crate::config::Config;
use crate::url::DbUrl;
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::io::Write;
use std::time::Duration;

/// The advisory lock key opdb runs hold on PostgreSQL ("opdb" in ASCII).
pub(super) const LOCK_KEY: i64 = 0x6f70_6462;

/// Holds the run's lock: PostgreSQL's advisory lock, or on SQLite an exclusive lock on a file
/// beside the database (none for an in-memory database, which no other process can see).
pub(super) enum Lock {
    Postgres,
    Sqlite(#[allow(dead_code)] Option<std::fs::File>),
}

/// How often a waiting run asks for the lock again.
pub(super) const LOCK_POLL: Duration = Duration::from_millis(200);

pub(super) async fn lock(
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
pub(super) fn sqlite_lock_path(url: &str) -> Option<std::path::PathBuf> {
    let options: sea_orm::sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    let file = options.get_filename();
    let name = file.to_string_lossy();
    // sqlx names an in-memory database `file:sqlx-in-memory-N`: no file, so no lock file.
    if name.is_empty()
        || name == ":memory:"
        || name.starts_with("file:sqlx-in-memory-")
        || url.contains("mode=memory")
    {
        return None;
    }
    let mut lock = file.as_os_str().to_owned();
    lock.push("-lock");
    Some(lock.into())
}

pub(super) async fn unlock(
    db: &DatabaseConnection,
    lock: Lock,
    limit: Option<Duration>,
) -> Result<()> {
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
