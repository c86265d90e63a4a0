//! Applied-revision checksums (Flyway's validate, sqlx's VersionMismatch), on PostgreSQL and
//! SQLite, through the `opdb` binary on a copy of the opDB's script directory:
//!
//! - each step's history row records the checksum of the revision file it applied: the test
//!   computes the file's FNV-1a itself and reads the row from the database;
//! - with the checksums as recorded, `current --verbose`, `check` and `upgrade` say nothing;
//!   once the recorded checksum differs from the file's (the file edited after it was applied),
//!   each of them warns, naming the file;
//! - a history table an older binary made (no checksum or schema_version columns) is read,
//!   and the next run that takes the lock adds the columns (the catalog shows them).

mod common;

use sea_orm::DbBackend;
use std::path::{Path, PathBuf};
use std::process::Output;

const FIRST: &str = "0b1a5e000001";

fn opdb(root: &Path, url: &str, args: &[&str]) -> Output {
    common::opdb(root, &[&["--url", url][..], args].concat())
}

/// A project folder removed when the test ends, passed or failed.
struct Project(PathBuf);

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(out: &Output) -> String {
    common::output_text(out)
}

/// The opDB's first revision file, in the project `root`.
fn first_file(root: &Path) -> PathBuf {
    std::fs::read_dir(root.join("alembic/opdb/versions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(FIRST))
        .expect("the first revision")
}

/// FNV-1a of `bytes`, in 16 hexadecimal digits: computed here, not by opdb.
fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// One cell of `sql`'s first row, as text, on either backend.
async fn cell(url: &str, sql: &str) -> Option<String> {
    use sea_orm::ConnectionTrait;
    let db = migration::db::connect(url).await.unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    db.close().await.ok();
    row.and_then(|r| r.try_get_by_index::<Option<String>>(0).ok().flatten())
}

async fn checksums_are_recorded_and_changes_warned(backend: DbBackend, test: &str) {
    let Some(db) = common::database(backend, test).await else {
        return;
    };
    let project = Project(common::opdb_project(test, None));
    let root = &project.0;
    let out = opdb(root, &db.url, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));

    let file = first_file(root);
    let expected = fnv1a(&std::fs::read(&file).unwrap());
    let recorded = cell(
        &db.url,
        &format!("SELECT checksum FROM opdb_history WHERE revision = '{FIRST}'"),
    )
    .await;
    assert_eq!(recorded.as_deref(), Some(expected.as_str()));

    // As recorded: no warning anywhere.
    for args in [
        &["current", "--verbose"][..],
        &["check"],
        &["upgrade", "head"],
    ] {
        let out = opdb(root, &db.url, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(!text(&out).contains("WARNING"), "{args:?}: {}", text(&out));
    }

    // The file as applied differs from the file now: each command names it.
    common::execute(
        &db.url,
        "UPDATE opdb_history SET checksum = '0123456789abcdef'",
    )
    .await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let warning = format!(
        "WARNING: revision {FIRST} (alembic/opdb/versions/{name}) has changed since it was applied"
    );
    for args in [
        &["current", "--verbose"][..],
        &["check"],
        &["upgrade", "head"],
    ] {
        let out = opdb(root, &db.url, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(&warning), "{args:?}: {}", text(&out));
    }
    // `current` without --verbose stays quiet.
    let out = opdb(root, &db.url, &["current"]);
    assert!(!text(&out).contains("WARNING"), "{}", text(&out));
}

#[tokio::test]
async fn checksums_are_recorded_and_changes_warned_on_postgres() {
    checksums_are_recorded_and_changes_warned(DbBackend::Postgres, "checksums_pg").await;
}

#[tokio::test]
async fn checksums_are_recorded_and_changes_warned_on_sqlite() {
    checksums_are_recorded_and_changes_warned(DbBackend::Sqlite, "checksums_sqlite").await;
}

async fn an_older_history_table_gains_the_columns(backend: DbBackend, test: &str) {
    let Some(db) = common::database(backend, test).await else {
        return;
    };
    let project = Project(common::opdb_project(test, None));
    let root = &project.0;
    let out = opdb(root, &db.url, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    // As an older binary made it.
    for column in ["checksum", "schema_version"] {
        common::execute(
            &db.url,
            &format!("ALTER TABLE opdb_history DROP COLUMN {column}"),
        )
        .await;
    }
    let columns = "SELECT count(*) FROM pragma_table_info('opdb_history') \
                   WHERE name IN ('checksum', 'schema_version')";
    let pg_columns = "SELECT count(*)::text FROM information_schema.columns \
                      WHERE table_name = 'opdb_history' \
                      AND column_name IN ('checksum', 'schema_version')";
    let count = |url: String| async move {
        match backend {
            DbBackend::Postgres => cell(&url, pg_columns).await,
            _ => cell(&url, &columns.replace("count(*)", "CAST(count(*) AS TEXT)")).await,
        }
    };
    assert_eq!(count(db.url.clone()).await.as_deref(), Some("0"));
    // Read as it is: history and a verbose current work.
    for args in [&["history", "--applied"][..], &["current", "--verbose"]] {
        let out = opdb(root, &db.url, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    // A run that takes the lock adds the columns, and its row has a checksum.
    let out = opdb(root, &db.url, &["stamp", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(count(db.url.clone()).await.as_deref(), Some("2"));
    let recorded = cell(
        &db.url,
        "SELECT checksum FROM opdb_history WHERE direction = 'stamp'",
    )
    .await;
    let expected = fnv1a(&std::fs::read(first_file(root)).unwrap());
    assert_eq!(recorded.as_deref(), Some(expected.as_str()));
}

#[tokio::test]
async fn an_older_history_table_gains_the_columns_on_postgres() {
    an_older_history_table_gains_the_columns(DbBackend::Postgres, "history_columns_pg").await;
}

#[tokio::test]
async fn an_older_history_table_gains_the_columns_on_sqlite() {
    an_older_history_table_gains_the_columns(DbBackend::Sqlite, "history_columns_sqlite").await;
}
