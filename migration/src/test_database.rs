//! Whether a database is a test database, which `reset` may wipe and refill: its name matches a
//! pattern of `test_databases` in `alembic.toml`, or the environment variable
//! `<TOOL>_TEST_DATABASE` (`OPDB_TEST_DATABASE` for opdb) is `1`. `reset` refuses every other
//! database, before it changes anything, and the refusal says why and how to mark one: a
//! command that drops every object must never reach the summit database by a wrong URL.

use crate::config::Config;
use anyhow::{bail, Result};

/// The environment variable that marks the database a command works on as a test database:
/// the tool's name in capitals (anything but letters and digits as `_`), then
/// `_TEST_DATABASE`.
pub fn variable() -> String {
    let tool: String = crate::tool::name()
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("{tool}_TEST_DATABASE")
}

/// Whether [`variable`] is set to a yes (`1`, `true`, `yes`).
fn marked_by_environment() -> bool {
    std::env::var(variable()).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes"
        )
    })
}

/// The name `test_databases` is matched against for a SQLite URL: the file's name, without
/// its folder or the URL's options (`sqlite:///tmp/x/app_test.sqlite?mode=rwc` is
/// `app_test.sqlite`), found without opening the file (opening may create it).
pub fn sqlite_file_name(url: &str) -> String {
    // Read as sqlx reads it (percent-decoded), so the name matched is the file opened.
    match crate::url::sqlite_file(url) {
        Some(file) => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string()),
        None => ":memory:".to_string(),
    }
}

/// Succeeds when `database` (a PostgreSQL database's name, a SQLite file's) is marked as a
/// test database by `config` (of script directory `label`, `alembic/NAME`) or the
/// environment; else a one-line refusal saying which marks were looked for and how to add one.
pub fn ensure(database: &str, config: &Config, label: &str, what: &str) -> Result<()> {
    if marked_by_environment()
        || config
            .test_databases
            .iter()
            .any(|p| crate::objects::glob(p, database))
    {
        return Ok(());
    }
    let patterns = match config.test_databases.is_empty() {
        true => format!("{label}/alembic.toml sets no test_databases"),
        false => format!(
            "its name matches none of test_databases in {label}/alembic.toml ({})",
            config
                .test_databases
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    bail!(
        "refusing to reset {what}: {database:?} is not marked as a test database ({patterns}, \
         and {var} is not set to 1), and reset drops every object in it; to mark it, add a \
         pattern of its name to test_databases in {label}/alembic.toml (test_databases = \
         [{database:?}]) or set {var}=1 in the test environment",
        var = variable()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_matched_by_file_name() {
        assert_eq!(
            sqlite_file_name("sqlite:///tmp/x/app_test.sqlite?mode=rwc"),
            "app_test.sqlite"
        );
        assert_eq!(sqlite_file_name("sqlite:app.db"), "app.db");
        assert_eq!(sqlite_file_name("sqlite::memory:"), ":memory:");
        // The name of the file sqlx opens, not of the URL's text.
        assert_eq!(
            sqlite_file_name("sqlite:///d/x_test%2F..%2Fprod.sqlite"),
            "prod.sqlite"
        );
    }

    #[test]
    fn only_a_marked_database_passes() {
        std::env::remove_var(variable());
        let config = Config {
            test_databases: vec!["*_test".into(), "opdb_test_*".into()],
            ..Config::default()
        };
        assert!(ensure("opdb_test_1", &config, "alembic/opdb", "db").is_ok());
        assert!(ensure("registry_test", &config, "alembic/opdb", "db").is_ok());
        let e = ensure("opdb", &config, "alembic/opdb", "db")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"opdb\" is not marked as a test database")
                && e.contains("none of test_databases in alembic/opdb/alembic.toml")
                && e.contains("OPDB_TEST_DATABASE=1"),
            "{e}"
        );
        let e = ensure("opdb", &Config::default(), "alembic/opdb", "db")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sets no test_databases"), "{e}");
    }
}
