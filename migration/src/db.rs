//! Connecting to a database: timeouts that fail in seconds, and URLs that never show a password.

use anyhow::{Context, Result};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

/// How long to wait for a server before giving up with a one-line error.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to `url` (`postgres://...` or `sqlite:...`), failing within [`CONNECT_TIMEOUT`].
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        // One connection is all a command needs: no second connection, no ping before each
        // query (each costs round trips, and a TLS handshake tens of milliseconds).
        .max_connections(1)
        .min_connections(0)
        .test_before_acquire(false)
        .sqlx_logging(false);
    connect_with(options).await
}

/// Connects with `options`, giving up after twice [`CONNECT_TIMEOUT`] whatever they say, with
/// an error that names the URL without its password.
pub async fn connect_with(options: ConnectOptions) -> Result<DatabaseConnection> {
    let url = options.get_url().to_string();
    let attempt = tokio::time::timeout(CONNECT_TIMEOUT * 2, Database::connect(options));
    let connected = attempt
        .await
        .map_err(|_| anyhow::anyhow!("timed out after {:?}", CONNECT_TIMEOUT * 2))
        .and_then(|r| r.map_err(anyhow::Error::from));
    connected.with_context(|| format!("cannot connect to {}", redact(&url)))
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://pfs:s3cret@db.example:5432/opdb?sslmode=require"),
            "postgres://pfs:***@db.example:5432/opdb?sslmode=require"
        );
        assert_eq!(redact("postgres://pfs@db/opdb"), "postgres://pfs@db/opdb");
        assert_eq!(
            redact("sqlite:opdb.sqlite?mode=rwc"),
            "sqlite:opdb.sqlite?mode=rwc"
        );
        assert_eq!(redact("postgres://u:p%40ss@h/d"), "postgres://u:***@h/d");
    }
}
