//! `upgrade --sql` scripts a DBA can run twice (the APTrust team runs its SQL migrations by
//! hand from a bastion host): each revision is guarded by the version it expects, psql's `\if`.
//!
//! - the opDB's script run twice with psql: the second run changes nothing (pg_dump of the
//!   schema and the history rows, read by the test, are the same) and says it skipped;
//! - run on a database at a revision the script does not expect, it stops with a message
//!   naming both, and nothing of the revision is made.

mod common;

fn opdb_sql(url: &str, args: &[&str]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::opdb(root, &[&["--url", url][..], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn an_upgrade_script_run_twice_changes_nothing_the_second_time() {
    if !common::pg_dump_runs("rerun_script") {
        return;
    }
    let Some(db) = common::pg("rerun_script").await else {
        return;
    };
    let script = opdb_sql(&db.url, &["upgrade", "head", "--sql"]);
    assert!(script.contains("\\if :opdb_done"), "{script}");

    let first = common::psql_file(&db.url, &script);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let schema = common::pg_dump_schema(&db.url);
    let history = "SELECT count(*)::text FROM opdb_history";
    let versions = "SELECT version_num FROM alembic_version";
    assert_eq!(common::rows(&db.url, history).await, [["1"]]);
    assert_eq!(common::rows(&db.url, versions).await, [["0b1a5e000001"]]);
    assert_eq!(
        common::all_tables(&db.url).await.len(),
        common::fixture_table_count() + 2
    );

    let second = common::psql_file(&db.url, &script);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        String::from_utf8_lossy(&second.stdout)
            .contains("Revision 0b1a5e000001 is already applied: skipped"),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    assert_eq!(
        common::pg_dump_schema(&db.url),
        schema,
        "the second run changed the schema"
    );
    assert_eq!(common::rows(&db.url, history).await, [["1"]]);
    assert_eq!(common::rows(&db.url, versions).await, [["0b1a5e000001"]]);
}

#[tokio::test]
async fn a_script_stops_at_a_revision_it_does_not_expect() {
    let Some(db) = common::pg("rerun_unexpected").await else {
        return;
    };
    let script = opdb_sql(&db.url, &["upgrade", "head", "--sql"]);
    // A database some other history put at another revision.
    common::execute(
        &db.url,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); \
         INSERT INTO alembic_version VALUES ('ffffffffffff')",
    )
    .await;
    let run = common::psql_file(&db.url, &script);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "revision 0b1a5e000001 expects the database at base, but it is at ffffffffffff"
        ),
        "{stderr}"
    );
    // Nothing of the revision was made: the catalog holds opdb's own tables alone.
    assert_eq!(
        common::all_tables(&db.url).await,
        ["alembic_version", "opdb_history"]
    );
}
