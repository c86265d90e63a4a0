//! Connecting to a database: one line that says which URL (password hidden, and where it came
//! from) and the real cause when it fails, within seconds; sessions that cannot hang forever.
//!
//! sqlx's pool retries a refused connection until its acquire timeout and then reports only
//! "pool timed out", and its errors carry server-internal detail ("at line 948") or the whole
//! URL. So when the pool is slow or fails, one direct connection attempt finds the cause
//! ([`cause`]), which is what the user sees.

use crate::url::{scrub, DbUrl};
use anyhow::{anyhow, Result};
use sea_orm::sqlx;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use std::time::Duration;

/// How long to wait for a server before giving up with a one-line error.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a SQLite connection waits for another's write to commit, rather than failing
/// after sqlx's 5 s with "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a connection attempt may run before a direct attempt looks for the reason: a
/// healthy server answers well within it.
const DIAGNOSE_AFTER: Duration = Duration::from_secs(1);

/// Idle seconds before TCP keepalive probes start, between probes, and probes before a silent
/// server counts as gone: about a minute, on both ends (the server also drops the session, and
/// with it opdb's lock, when opdb's host vanishes).
const KEEPALIVE: (u32, u32, u32) = (30, 10, 3);

/// Connects to `url` (`postgres://...` or `sqlite:...`) for reading: one connection.
#[cfg(any(test, feature = "testing"))]
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    connect_to(&DbUrl::new(url, crate::url::UrlSource::Given), None).await
}

/// Connects to `target` with one connection, an optional server-side statement timeout.
pub async fn connect_to(
    target: &DbUrl,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(target.url.clone());
    options
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        // One connection is all a command needs: no second connection, no ping before each
        // query (each costs round trips, and a TLS handshake tens of milliseconds).
        .max_connections(1)
        .min_connections(0)
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(BUSY_TIMEOUT));
    connect_with(target, options, statement_timeout).await
}

/// Connects with `options` (its URL is `target`'s; SeaORM keeps one SQLite and one PostgreSQL
/// option closure, and this sets the PostgreSQL one), failing within [`CONNECT_TIMEOUT`] with
/// one line naming the URL and the cause.
pub async fn connect_with(
    target: &DbUrl,
    mut options: ConnectOptions,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection> {
    let failed = |cause: String| anyhow!("cannot connect to {target}: {}", scrub(&cause));
    let backend = target.backend()?;
    let (idle, interval, count) = KEEPALIVE;
    let mut server_options = vec![
        ("tcp_keepalives_idle", idle.to_string()),
        ("tcp_keepalives_interval", interval.to_string()),
        ("tcp_keepalives_count", count.to_string()),
    ];
    if let Some(limit) = statement_timeout {
        server_options.push(("statement_timeout", limit.as_millis().to_string()));
    }
    options.map_sqlx_postgres_opts(move |o| o.options(server_options.clone()));
    let mut retried = false;
    let connected = loop {
        let pool = crate::socket::connecting(Database::connect(options.clone()));
        tokio::pin!(pool);
        // A refused connection or an unknown host, which the pool would retry until its
        // timeout, is reported at once.
        let diagnosis = async {
            tokio::time::sleep(DIAGNOSE_AFTER).await;
            match cause(&target.url).await {
                Some((c, true)) => c,
                _ => std::future::pending().await,
            }
        };
        let slow = tokio::select! {
            r = tokio::time::timeout(CONNECT_TIMEOUT, &mut pool) => match r {
                Ok(Ok(db)) => break Ok(db),
                Ok(Err(e)) => match sqlx_error(&e) {
                    Some(e) if !matches!(e, sqlx::Error::PoolTimedOut) => {
                        break Err(describe(e, &target.url))
                    }
                    _ => e.to_string(),
                },
                Err(_) => format!("timed out after {} s", CONNECT_TIMEOUT.as_secs()),
            },
            c = diagnosis, if backend == DbBackend::Postgres => break Err(c),
        };
        // The pool gave up: say why, or if the server answers now (it was only slow, as a
        // loaded one is while it checkpoints), try once more.
        match cause(&target.url).await {
            Some((c, _)) => break Err(c),
            None if !retried => retried = true,
            None => break Err(slow),
        }
    };
    let db = connected.map_err(failed)?;
    if backend == DbBackend::Postgres {
        crate::socket::keep_alive(KEEPALIVE);
    }
    Ok(db)
}

/// The driver's own error inside a SeaORM error.
pub fn sqlx_error(e: &DbErr) -> Option<&sqlx::Error> {
    match e {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e),
        _ => None,
    }
}

/// Why `url` cannot be connected to, from one direct attempt, and whether that is final (not
/// a time-out, not "too many connections" or "starting up", which pass); `None` when it can.
async fn cause(url: &str) -> Option<(String, bool)> {
    use sqlx::{ConnectOptions as _, Connection as _};
    let attempt = async {
        if url.starts_with("sqlite:") {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            options.connect().await?.close().await
        } else {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            options.connect().await?.close().await
        }
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => {
            let passing = match &e {
                sqlx::Error::Database(db) => {
                    matches!(db.code().as_deref(), Some("53300") | Some("57P03"))
                }
                sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::TimedOut,
                sqlx::Error::PoolTimedOut => true,
                _ => false,
            };
            Some((describe(&e, url), !passing))
        }
        Err(_) => Some((
            format!(
                "timed out after {} s (is the host reachable, and the port right?)",
                CONNECT_TIMEOUT.as_secs()
            ),
            false,
        )),
    }
}

/// A connection error as a person can act on it.
fn describe(e: &sqlx::Error, url: &str) -> String {
    let pg: Option<sqlx::postgres::PgConnectOptions> = url.parse().ok();
    let host = pg
        .as_ref()
        .map(|o| format!("{}:{}", o.get_host(), o.get_port()))
        .unwrap_or_default();
    let text = match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused: is the server running and listening on {host}?")
        }
        sqlx::Error::Io(io) if io.to_string().contains("lookup address") => format!(
            "unknown host '{}'",
            pg.as_ref().map(|o| o.get_host()).unwrap_or_default()
        ),
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("timed out connecting to {host}")
        }
        sqlx::Error::Io(io) => format!("{io}"),
        sqlx::Error::Tls(tls) => format!("TLS failed: {tls}"),
        sqlx::Error::PoolTimedOut => "timed out".to_string(),
        sqlx::Error::Database(db) => {
            let user = pg.as_ref().map(|o| o.get_username().to_string());
            let database = pg
                .as_ref()
                .and_then(|o| o.get_database().map(str::to_string));
            match db.code().as_deref() {
                Some("28P01") => format!(
                    "authentication failed for user '{}': check the password",
                    user.unwrap_or_default()
                ),
                Some("28000") => format!(
                    "the server refused user '{}': {}",
                    user.unwrap_or_default(),
                    db.message()
                ),
                Some("3D000") => format!(
                    "database '{}' does not exist: create it (createdb, or CREATE DATABASE) or \
                     fix the URL",
                    database.unwrap_or_default()
                ),
                Some("57P03") => "the server is starting up or shutting down".to_string(),
                Some("53300") => format!("the server has too many connections: {}", db.message()),
                _ => db.message().to_string(),
            }
        }
        other => other.to_string(),
    };
    if url.starts_with("sqlite:") {
        if let sqlx::Error::Database(db) = e {
            if db.code().as_deref() == Some("14") {
                return "cannot open the SQLite file: does its folder exist? (add ?mode=rwc to \
                        create the file)"
                    .to_string();
            }
        }
    }
    text
}
