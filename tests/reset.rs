//! `reset` for test databases, on PostgreSQL and SQLite:
//!
//! - a database not marked as a test database is refused, with the reason and how to mark it,
//!   and is left as it was (its tables and rows read back); the binary refuses the same way and
//!   goes ahead with `OPDB_TEST_DATABASE=1`;
//! - the opDB (its compiled first revision, and `tests/fixtures/reset/c1...` which adds a
//!   two-table foreign-key cycle and a self-reference) is wiped, rebuilt and loaded from a CSV
//!   file per table (all 61): every table holds its file's rows, the keys of cycles are deferred
//!   while loading and back to NOT DEFERRABLE after, an insert without an id succeeds (the
//!   sequences are past the largest ids), and a second `reset` gives the same rows and schema;
//! - a fixture naming an unknown table or column, or breaking a key of a cycle, is a one-line
//!   error and loads nothing;
//! - SQLite: the same on a small model with a cycle and a self-reference.

mod common;

use migration::cli;
use migration::commands::{self, reset::ResetOutcome};
use migration::schema::{ColumnType, Schema};
use migration::script::{CompiledRevision, CompiledScripts, ScriptDir};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "fixtures/reset/c1c1c1c1c1c1_cycles.rs"]
mod cycles;
#[path = "../alembic/opdb/versions/0b1a5e000001_create_the_opdb.rs"]
mod opdb_rev;
#[path = "fixtures/reset/s1s1s1s1s1s1_teams.rs"]
mod teams;

const OPDB_REV: &str = "0b1a5e000001_create_the_opdb.rs";
const CYCLES: &str = "c1c1c1c1c1c1_cycles.rs";
const TEAMS: &str = "s1s1s1s1s1s1_teams.rs";

fn source(file: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match file {
        OPDB_REV => root.join("alembic/opdb/versions").join(file),
        _ => root.join("tests/fixtures/reset").join(file),
    }
}

fn compiled(file: &str) -> CompiledRevision {
    match file {
        OPDB_REV => migration::compiled_revision!(
            OPDB_REV,
            include_str!("../alembic/opdb/versions/0b1a5e000001_create_the_opdb.rs"),
            opdb_rev
        ),
        CYCLES => migration::compiled_revision!(
            CYCLES,
            include_str!("fixtures/reset/c1c1c1c1c1c1_cycles.rs"),
            cycles
        ),
        TEAMS => migration::compiled_revision!(
            TEAMS,
            include_str!("fixtures/reset/s1s1s1s1s1s1_teams.rs"),
            teams
        ),
        other => panic!("no revision {other}"),
    }
}

/// A project folder with `alembic/<name>` holding `files` (and compiled with them), its
/// `alembic.toml` being `settings`, and a fixtures folder.
struct Project {
    root: PathBuf,
    name: &'static str,
    scripts: Vec<CompiledScripts>,
}

impl Project {
    fn new(test: &str, name: &'static str, files: &[&str], settings: &str) -> Project {
        let root = std::env::temp_dir().join(format!("opdb-reset-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("alembic").join(name);
        std::fs::create_dir_all(dir.join("versions")).unwrap();
        std::fs::write(dir.join("alembic.toml"), settings).unwrap();
        for file in files {
            std::fs::copy(source(file), dir.join("versions").join(file)).unwrap();
        }
        std::fs::create_dir_all(root.join("fixtures")).unwrap();
        Project {
            root,
            name,
            scripts: vec![CompiledScripts {
                database: name,
                revisions: files.iter().map(|f| compiled(f)).collect(),
                settings: None,
            }],
        }
    }

    fn fixtures(&self) -> PathBuf {
        self.root.join("fixtures")
    }

    /// `reset` through the command function, with `fixtures` (or none): its outcome and what
    /// it printed, or its error in one line as the binary prints it.
    async fn reset(&self, url: &str, fixtures: bool) -> Result<(ResetOutcome, String), String> {
        let mut out = Vec::new();
        let run = async {
            let dir = ScriptDir::open(&self.root, self.name)?;
            let project =
                commands::Project::new(&self.root, &dir, &self.scripts, &[], Some(url.into()))?;
            let dir_of_fixtures = self.fixtures();
            Box::pin(commands::reset::reset(
                &project,
                fixtures.then_some(dir_of_fixtures.as_path()),
                &mut out,
            ))
            .await
        };
        match Box::pin(run).await {
            Ok(done) => Ok((done, String::from_utf8(out).unwrap())),
            Err(e) => Err(cli::one_line(&e)),
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// One CSV field of row `i` (from 1) of a column of type `ty`; the same `i` gives the same
/// value in every table, so a foreign key of row `i` finds its parent's row `i`.
fn field(ty: &ColumnType, i: usize) -> String {
    match ty {
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => i.to_string(),
        ColumnType::Real | ColumnType::Double | ColumnType::Numeric(_) => format!("{i}.5"),
        ColumnType::Varchar(Some(n)) | ColumnType::Char(Some(n)) => {
            let s = format!("{i}");
            s[s.len().saturating_sub(*n as usize)..].to_string()
        }
        ColumnType::Varchar(None) | ColumnType::Char(None) | ColumnType::Text => {
            format!("\"text, \"\"{i}\"\"\"")
        }
        ColumnType::Boolean => (if i.is_multiple_of(2) { "true" } else { "false" }).into(),
        ColumnType::Timestamp => format!("2026-01-01 00:00:{:02}", i % 60),
        ColumnType::TimestampTz => format!("2026-01-01 00:00:{:02}+00", i % 60),
        ColumnType::Json | ColumnType::Jsonb => format!("\"{{\"\"v\"\": {i}}}\""),
        ColumnType::Array(inner) => format!("\"{{{},{}}}\"", field(inner, i), field(inner, i)),
        other => panic!("no fixture value for type {other}"),
    }
}

/// Writes `dir/<table>.csv` with `rows` rows for every table of `schema`. A self-referencing
/// key of row `i` points to row `i + 1` (the last to the first), so that it refers forward;
/// every other column of row `i` holds `i`'s value of its type, and every third nullable
/// column that is not in a key is NULL.
fn write_fixtures(dir: &Path, schema: &Schema, rows: usize) -> Vec<(String, usize)> {
    let mut written = Vec::new();
    for table in schema.tables.values() {
        let self_ref: Vec<&String> = table
            .foreign_keys
            .iter()
            .filter(|fk| fk.ref_table == table.name)
            .flat_map(|fk| &fk.columns)
            .collect();
        let in_key = |c: &str| {
            table.primary_key_columns().iter().any(|k| k == c)
                || table
                    .foreign_keys
                    .iter()
                    .any(|fk| fk.columns.iter().any(|k| k == c))
        };
        let mut text = String::new();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        writeln!(text, "{}", names.join(",")).unwrap();
        for i in 1..=rows {
            let fields: Vec<String> = table
                .columns
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    if self_ref.contains(&&c.name) {
                        field(&c.ty, i % rows + 1)
                    } else if c.nullable && !in_key(&c.name) && (n + i) % 3 == 0 {
                        String::new()
                    } else {
                        field(&c.ty, i)
                    }
                })
                .collect();
            writeln!(text, "{}", fields.join(",")).unwrap();
        }
        std::fs::write(dir.join(format!("{}.csv", table.name)), text).unwrap();
        written.push((table.name.clone(), rows));
    }
    written
}

/// Every table's row count, by name.
async fn counts(url: &str, backend: DbBackend, tables: &[String]) -> Vec<(String, i64)> {
    let db = migration::db::connect(url).await.unwrap();
    let mut found = Vec::new();
    for t in tables {
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT count(*) AS n FROM \"{t}\""),
            ))
            .await
            .unwrap()
            .unwrap();
        found.push((t.clone(), row.try_get::<i64>("", "n").unwrap()));
    }
    db.close().await.ok();
    found
}

/// The model's tables as the database has them at head, opdb's own left out.
async fn model_schema(url: &str) -> Schema {
    let mut schema = common::introspect(url).await;
    schema.tables.remove("alembic_version");
    schema.tables.remove("opdb_history");
    schema
}

/// A PostgreSQL database not marked as a test database is refused, and keeps its tables and
/// rows; the message says why and how to mark it.
#[tokio::test]
async fn reset_refuses_a_database_not_marked_for_tests() {
    let Some(db) = common::pg("reset_refuses").await else {
        return;
    };
    let p = Project::new(
        "refuses-pg",
        "teams",
        &[TEAMS],
        "test_databases = [\"*_ci\"]\n",
    );
    // Not a test database: nothing changes, on PostgreSQL...
    common::execute(
        &db.url,
        "CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1), (2)",
    )
    .await;
    let e = p.reset(&db.url, false).await.unwrap_err();
    assert!(
        e.contains("refusing to reset postgres://")
            && e.contains(&format!("{:?} is not marked as a test database", db.name))
            && e.contains(
                "its name matches none of test_databases in alembic/teams/alembic.toml (\"*_ci\")"
            )
            && e.contains("OPDB_TEST_DATABASE=1"),
        "{e}"
    );
    assert_eq!(
        common::rows(&db.url, "SELECT id::text FROM precious ORDER BY id").await,
        [["1"], ["2"]]
    );
    assert_eq!(common::all_tables(&db.url).await, ["precious"]);

    // ... and on SQLite, where the file is not even created.
    let file = std::env::temp_dir().join(format!("opdb-reset-{}-prod.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let e = p.reset(&url, false).await.unwrap_err();
    assert!(
        e.contains(&format!(
            "\"opdb-reset-{}-prod.sqlite\" is not marked as a test database",
            std::process::id()
        )),
        "{e}"
    );
    assert!(!file.exists(), "the refused SQLite file was created");
    let sqlite = common::sqlite("reset-refused");
    common::execute(
        &sqlite.url,
        "CREATE TABLE precious (id int); INSERT INTO precious VALUES (7)",
    )
    .await;
    let e = p.reset(&sqlite.url, false).await.unwrap_err();
    assert!(e.contains("is not marked as a test database"), "{e}");
    assert_eq!(common::all_tables(&sqlite.url).await, ["precious"]);
}

/// The binary: refused without a mark (exit 1, nothing changed), then with
/// `OPDB_TEST_DATABASE=1` it wipes the database, upgrades it to the opDB's head and loads
/// fixtures.
#[tokio::test]
async fn the_binary_refuses_then_resets_with_the_environment_mark() {
    let Some(db) = common::pg("reset_binary").await else {
        return;
    };
    let root = common::opdb_project("reset-binary", None);
    common::execute(&db.url, "CREATE TABLE precious (id int)").await;
    let fixtures = root.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    std::fs::write(
        fixtures.join("obslog_user.csv"),
        "id,account_name\n5,ann\n9,bob\n",
    )
    .unwrap();
    let run = |mark: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opdb"));
        cmd.args([
            "--root",
            root.to_str().unwrap(),
            "--url",
            &db.url,
            "reset",
            "--fixtures",
        ])
        .arg(&fixtures)
        .env_remove("OPDB_TEST_DATABASE")
        .env_remove("DATABASE_URL");
        if mark {
            cmd.env("OPDB_TEST_DATABASE", "1");
        }
        cmd.output().unwrap()
    };
    let refused = run(false);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with("error: refusing to reset")
            && said.contains("alembic/opdb/alembic.toml sets no test_databases")
            && said.lines().count() == 1,
        "{said}"
    );
    assert_eq!(common::all_tables(&db.url).await, ["precious"]);

    let done = run(true);
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(said.contains("Dropped 1 object of schema public"), "{said}");
    assert!(said.contains("Loaded 2 rows into 1 table"), "{said}");
    assert!(
        said.contains("Set 1 sequence past the largest id"),
        "{said}"
    );
    assert!(said.contains("-> 0b1a5e000001 (head)"), "{said}");
    let tables = common::all_tables(&db.url).await;
    assert_eq!(
        tables.len(),
        common::fixture_table_count() + 2,
        "{tables:?}"
    );
    assert!(!tables.contains(&"precious".to_string()));
    common::execute(
        &db.url,
        "INSERT INTO obslog_user (account_name) VALUES ('cy')",
    )
    .await;
    assert_eq!(
        common::rows(
            &db.url,
            "SELECT id::text FROM obslog_user WHERE account_name = 'cy'"
        )
        .await,
        [["10"]]
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// The opDB with a two-table cycle and a self-reference, 25 rows in each of its 61 tables:
/// every table holds its file's rows, the keys of cycles were deferred and are NOT DEFERRABLE
/// again, inserts without ids succeed, and a second reset gives the same.
#[tokio::test]
async fn reset_loads_the_opdb_with_foreign_key_cycles() {
    let Some(db) = common::pg("reset_opdb").await else {
        return;
    };
    let p = Project::new(
        "opdb",
        "opdb",
        &[OPDB_REV, CYCLES],
        "test_databases = [\"opdb_test_reset_*\"]\n",
    );
    // Things a previous test run left: a table, a view on it, a function, a type, a sequence.
    common::execute(
        &db.url,
        "CREATE TABLE leftover (id int); CREATE VIEW leftover_v AS SELECT * FROM leftover; \
         CREATE FUNCTION leftover_f(a int) RETURNS int LANGUAGE sql AS 'SELECT a'; \
         CREATE TYPE leftover_t AS ENUM ('x'); CREATE DOMAIN leftover_d AS int; \
         CREATE SEQUENCE leftover_s",
    )
    .await;
    // First, no fixtures: the schema at head, empty.
    let (first, said) = p.reset(&db.url, false).await.unwrap();
    assert_eq!(first.dropped, 6, "{said}");
    assert_eq!(
        common::rows(
            &db.url,
            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname LIKE 'leftover%' UNION ALL \
             SELECT count(*)::text FROM pg_proc WHERE proname = 'leftover_f' UNION ALL \
             SELECT count(*)::text FROM pg_type WHERE typname IN ('leftover_t', 'leftover_d')"
        )
        .await,
        [["0"], ["0"], ["0"]]
    );
    let schema = model_schema(&db.url).await;
    assert_eq!(schema.tables.len(), common::fixture_table_count());
    let rows = 25;
    let written = write_fixtures(&p.fixtures(), &schema, rows);
    let tables: Vec<String> = written.iter().map(|(t, _)| t.clone()).collect();

    let deferrable = "SELECT conname::text, condeferrable::text FROM pg_constraint \
                      WHERE conname IN ('pfs_design_first_visit_id_fkey', \
                      'obslog_user_invited_by_fkey', 'pfs_visit_pfs_design_id_fkey') ORDER BY 1";
    let mut results = Vec::new();
    for run in 0..2 {
        let (done, said) = p
            .reset(&db.url, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.rows(), (rows * tables.len()) as u64, "{said}");
        let loaded = &done.loaded[0].1;
        assert_eq!(loaded.tables.len(), 61);
        let mut deferred = loaded.deferred.clone();
        deferred.sort();
        assert_eq!(
            deferred,
            [
                "obslog_user.obslog_user_invited_by_fkey",
                "pfs_design.pfs_design_first_visit_id_fkey",
                "pfs_visit.pfs_visit_pfs_design_id_fkey"
            ],
            "{said}"
        );
        // The eleven serial ids of the opDB.
        assert_eq!(loaded.sequences, 11, "{said}");
        if run == 1 {
            assert!(done.dropped > 61, "{said}");
        }
        let found = counts(&db.url, DbBackend::Postgres, &tables).await;
        let expected: Vec<(String, i64)> = written
            .iter()
            .map(|(t, n)| (t.clone(), *n as i64))
            .collect();
        assert_eq!(found, expected);
        assert_eq!(
            common::rows(&db.url, deferrable).await,
            [
                ["obslog_user_invited_by_fkey", "false"],
                ["pfs_design_first_visit_id_fkey", "false"],
                ["pfs_visit_pfs_design_id_fkey", "false"]
            ]
        );
        // Sequences past the largest ids: inserts without an id take the next one.
        common::execute(
            &db.url,
            "INSERT INTO obslog_user (account_name, invited_by) VALUES ('new', 3); \
             INSERT INTO calib (calib_type) VALUES ('x')",
        )
        .await;
        assert_eq!(
            common::rows(
                &db.url,
                "SELECT (SELECT id FROM obslog_user WHERE account_name = 'new')::text, \
                 (SELECT max(calib_id) FROM calib)::text"
            )
            .await,
            [[format!("{}", rows + 1), format!("{}", rows + 1)]]
        );
        results.push((found, model_schema(&db.url).await));
    }
    assert!(
        results[0] == results[1],
        "the second reset differs from the first"
    );
}

/// A fixture naming an unknown table or column is a one-line error before anything is dropped
/// (the rows a good reset loaded are still there); one breaking a key of a cycle is an error
/// and no row of it stays.
#[tokio::test]
async fn bad_fixtures_load_nothing() {
    let Some(db) = common::pg("reset_bad").await else {
        return;
    };
    let p = Project::new(
        "bad",
        "teams",
        &[TEAMS],
        "test_databases = [\"opdb_test_reset_bad*\"]\n",
    );
    let f = p.fixtures();
    std::fs::write(f.join("team.csv"), "team_id,name,lead_id\n1,red,1\n").unwrap();
    std::fs::write(
        f.join("person.csv"),
        "person_id,name,team_id,mentor_id,active\n1,ann,1,,true\n",
    )
    .unwrap();
    // A good reset first: its rows must outlive the bad ones below.
    let (done, _) = p.reset(&db.url, true).await.unwrap();
    assert_eq!(done.rows(), 2);
    let tables = ["person", "tag", "team"].map(String::from);
    let loaded = [("person", 1), ("tag", 0), ("team", 1)]
        .map(|(t, n)| (t.to_string(), n))
        .to_vec();
    assert_eq!(counts(&db.url, DbBackend::Postgres, &tables).await, loaded);
    std::fs::write(f.join("teem.csv"), "id\n1\n").unwrap();
    let e = p.reset(&db.url, true).await.unwrap_err();
    assert!(
        e.contains("teem.csv: the revisions' head has no table \"teem\"") && !e.contains('\n'),
        "{e}"
    );
    assert_eq!(counts(&db.url, DbBackend::Postgres, &tables).await, loaded);
    std::fs::remove_file(f.join("teem.csv")).unwrap();
    std::fs::write(f.join("tag.csv"), "tag_id,person_id,lable\n1,1,x\n").unwrap();
    let e = p.reset(&db.url, true).await.unwrap_err();
    assert!(
        e.contains(
            "tag.csv: table tag has no column \"lable\" (its columns: tag_id, person_id, label)"
        ),
        "{e}"
    );
    assert_eq!(counts(&db.url, DbBackend::Postgres, &tables).await, loaded);
    let empty = |n| tables.iter().map(|t| (t.clone(), n)).collect::<Vec<_>>();
    // A lead who is not in the file: the deferred key fails at the end, and nothing stays.
    std::fs::write(f.join("tag.csv"), "tag_id,person_id,label\n1,1,x\n").unwrap();
    std::fs::write(f.join("team.csv"), "team_id,name,lead_id\n1,red,2\n").unwrap();
    let e = p.reset(&db.url, true).await.unwrap_err();
    assert!(
        e.contains("the fixtures break a foreign key of a cycle")
            && e.contains("team_lead_id_fkey"),
        "{e}"
    );
    assert_eq!(
        counts(&db.url, DbBackend::Postgres, &tables).await,
        empty(0)
    );
    // Fixed, it loads.
    std::fs::write(f.join("team.csv"), "team_id,name,lead_id\n1,red,1\n").unwrap();
    let (done, _) = p.reset(&db.url, true).await.unwrap();
    assert_eq!(done.rows(), 3);
}

/// SQLite: the small model with a cycle and a self-reference, 200 rows a table, twice.
#[tokio::test]
async fn reset_on_sqlite_loads_a_model_with_cycles() {
    let db = common::sqlite("reset");
    let p = Project::new(
        "sqlite",
        "teams",
        &[TEAMS],
        "test_databases = [\"opdb-test-reset-*.sqlite\"]\n",
    );
    common::execute(
        &db.url,
        "CREATE TABLE leftover (id int); CREATE VIEW leftover_v AS SELECT 1",
    )
    .await;
    p.reset(&db.url, false).await.unwrap();
    let schema = model_schema(&db.url).await;
    let rows = 200;
    let written = write_fixtures(&p.fixtures(), &schema, rows);
    let tables: Vec<String> = written.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(tables, ["person", "tag", "team"]);
    let mut results = Vec::new();
    for _ in 0..2 {
        let (done, said) = p
            .reset(&db.url, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.rows(), 600, "{said}");
        let found = counts(&db.url, DbBackend::Sqlite, &tables).await;
        assert_eq!(
            found,
            tables
                .iter()
                .map(|t| (t.clone(), rows as i64))
                .collect::<Vec<_>>()
        );
        common::execute(
            &db.url,
            "PRAGMA foreign_keys = ON; INSERT INTO person (name, team_id, mentor_id, active) \
             VALUES ('new', 3, 4, 1)",
        )
        .await;
        let db_conn = migration::db::connect(&db.url).await.unwrap();
        let check = db_conn
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_key_check",
            ))
            .await
            .unwrap();
        assert!(check.is_empty(), "foreign keys broken after the load");
        let row = db_conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT person_id AS id, (SELECT count(*) FROM person WHERE active = 1) AS active \
                 FROM person WHERE name = 'new'",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "id").unwrap(), rows as i64 + 1);
        // Booleans stored as SQLite's 1 and 0: the even rows, and the new one.
        assert_eq!(
            row.try_get::<i64>("", "active").unwrap(),
            rows as i64 / 2 + 1
        );
        db_conn.close().await.ok();
        results.push((found, common::all_tables(&db.url).await));
    }
    assert_eq!(results[0], results[1]);
    assert!(!results[0].1.contains(&"leftover".to_string()));
}
