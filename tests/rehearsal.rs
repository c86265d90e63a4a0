//! `upgrade --rehearse`, `upgrade --backup` and `restore`, on PostgreSQL and SQLite, with the
//! small model of `tests/autogen/` (its two committed revisions, `v2` as the entities):
//!
//! - a rehearsal that succeeds and one that fails (the second revision makes
//!   `exposure.exptime` NOT NULL, and one row holds a NULL): the real database keeps its schema
//!   (pg_dump, or SQLite's own catalog), its rows and its version, and the scratch copy is gone;
//!   the report's row counts are the ones counted here on the real database;
//! - a backup taken by `upgrade --backup DIR`, the database damaged, `restore FILE --yes`: every
//!   row and the schema as they were at the backup;
//! - a backup that cannot be written (a file where the folder should be; pg_dump not on PATH)
//!   refuses the upgrade: the database stays at its revision.

mod common;

use migration::commands::{self, rehearse::Rehearsal, restore::Confirm};
use migration::runtime::Direction;
use migration::script::CompiledRevision;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};

#[allow(unused_variables)]
#[path = "fixtures/autogen/a0a0a0a0a0a1_create_the_model.rs"]
mod rev1;
#[allow(unused_variables)]
#[path = "fixtures/autogen/a0a0a0a0a0a2_evolve_the_model.rs"]
mod rev2;
#[path = "autogen/v2.rs"]
mod v2;

const REV1: &str = "a0a0a0a0a0a1_create_the_model.rs";
const REV2: &str = "a0a0a0a0a0a2_evolve_the_model.rs";

fn compiled(file: &str) -> CompiledRevision {
    match file {
        REV1 => migration::compiled_revision!(
            REV1,
            include_str!("fixtures/autogen/a0a0a0a0a0a1_create_the_model.rs"),
            rev1
        ),
        _ => migration::compiled_revision!(
            REV2,
            include_str!("fixtures/autogen/a0a0a0a0a0a2_evolve_the_model.rs"),
            rev2
        ),
    }
}

const BACKENDS: [DbBackend; 2] = [DbBackend::Sqlite, DbBackend::Postgres];

/// The tables of the first revision, and opdb's own.
const TABLES: [&str; 6] = [
    "alembic_version",
    "detector",
    "exposure",
    "instrument",
    "legacy",
    "opdb_history",
];

/// A database at the first revision holding rows in every table (one exposure without an
/// exposure time when `null_exptime`), and the project whose head is the second revision.
async fn at_first_revision(
    backend: DbBackend,
    test: &str,
    null_exptime: bool,
) -> Option<(common::Db, common::scripts::ScriptProject)> {
    let db = common::database(backend, test).await?;
    let mut p = common::scripts::ScriptProject::new(test, "rehearsed", "autogen", "rehearsal");
    p.add(REV1, compiled(REV1));
    p.add(REV2, compiled(REV2));
    p.migrate(v2::entities, &db.url, Direction::Upgrade, "a0a0a0a0a0a1")
        .await
        .unwrap();
    let exptime = if null_exptime { "NULL" } else { "4.5" };
    common::execute(
        &db.url,
        &format!(
            "INSERT INTO instrument (id, name) VALUES (1, 'hsc'), (2, 'pfs');
             INSERT INTO detector (instrument_id, detector_no, name)
                 VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c');
             INSERT INTO legacy (id) VALUES (1), (2), (3), (4);
             INSERT INTO exposure (id, instrument_id, exptime, note, old_name, obsolete, legacy_id)
                 VALUES (10, 1, 1.5, 'n', 'x', 7, 1), (11, 1, 2.5, NULL, NULL, NULL, 2),
                        (12, 2, 3.5, 'o''k', 'y', 8, NULL), (13, 2, {exptime}, NULL, 'z', 9, 4),
                        (14, 1, 0, 'last', NULL, NULL, 3);"
        ),
    )
    .await;
    Some((db, p))
}

/// Every row of `table` as text, sorted (not through opdb).
async fn contents(url: &str, table: &str) -> Vec<String> {
    let db = migration::db::connect(url).await.unwrap();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!("SELECT t::text AS r FROM \"{table}\" t ORDER BY 1"),
        _ => {
            let columns = db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
                ))
                .await
                .unwrap();
            let quoted: Vec<String> = columns
                .iter()
                .map(|r| format!("quote(\"{}\")", r.try_get::<String>("", "name").unwrap()))
                .collect();
            format!(
                "SELECT {} AS r FROM \"{table}\" ORDER BY 1",
                quoted.join(" || '|' || ")
            )
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    db.close().await.ok();
    rows.iter()
        .map(|r| r.try_get::<String>("", "r").unwrap())
        .collect()
}

/// The rows of `table`, counted here; `None` when there is no such table.
async fn count(url: &str, table: &str) -> Option<i64> {
    let db = migration::db::connect(url).await.unwrap();
    let backend = db.get_database_backend();
    let n = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT count(*) AS n FROM \"{table}\""),
        ))
        .await
        .ok()
        .flatten()
        .map(|r| r.try_get::<i64>("", "n").unwrap());
    db.close().await.ok();
    n
}

/// The database's schema (pg_dump, or SQLite's own catalog) and every row of every table.
async fn state(db: &common::Db) -> (String, Vec<(String, Vec<String>)>) {
    let schema = match db.backend {
        DbBackend::Postgres => common::pg_dump_schema(&db.url),
        _ => common::sqlite_schema(&db.url).await,
    };
    let mut rows = Vec::new();
    for table in common::all_tables(&db.url).await {
        let found = contents(&db.url, &table).await;
        rows.push((table, found));
    }
    (schema, rows)
}

/// The scratch copies of `db` that exist: databases `<db>_rehearsal_*` on the server, or files
/// beside the SQLite file.
async fn copies(db: &common::Db) -> Vec<String> {
    match db.backend {
        DbBackend::Postgres => {
            let name = db.url.rsplit_once('/').unwrap().1;
            common::rows(
                &common::pg_admin_url(),
                &format!(
                    "SELECT datname::text FROM pg_database WHERE datname LIKE '{}%'",
                    name.replace('_', "\\_") + "\\_rehearsal\\_"
                ),
            )
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
        }
        _ => {
            let file = migration::url::sqlite_file(&db.url).unwrap();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            std::fs::read_dir(file.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&format!("{stem}_rehearsal_")))
                .collect()
        }
    }
}

async fn rehearse(p: &common::scripts::ScriptProject, url: &str) -> (Rehearsal, String) {
    let mut out = Vec::new();
    let rehearsal = p
        .with(v2::entities, url, &[], async |p| {
            commands::rehearse::rehearse(p, "head", &mut out).await
        })
        .await
        .unwrap_or_else(|e| panic!("the rehearsal could not start: {e}"));
    (rehearsal, String::from_utf8(out).unwrap())
}

/// The second revision names these tables, in this order (read from its file: its ops).
const NAMED: [&str; 5] = ["exposure", "legacy", "detector", "instrument", "visit"];

#[tokio::test]
async fn a_rehearsal_that_succeeds_reports_and_leaves_the_database_alone() {
    for backend in BACKENDS {
        let test = "rehearsal_ok";
        if backend == DbBackend::Postgres && !common::pg_dump_runs(test) {
            continue;
        }
        let Some((db, p)) = at_first_revision(backend, test, false).await else {
            continue;
        };
        let before = state(&db).await;
        let mut counted = Vec::new();
        for table in NAMED {
            counted.push(count(&db.url, table).await);
        }
        assert_eq!(
            counted,
            [Some(5), Some(4), Some(3), Some(2), None],
            "{backend:?}"
        );
        let (rehearsal, out) = rehearse(&p, &db.url).await;
        assert_eq!(rehearsal.failure, None, "{backend:?}:\n{out}");
        assert_eq!(rehearsal.check, Some(Vec::new()), "{backend:?}:\n{out}");
        if backend == DbBackend::Postgres {
            assert!(
                rehearsal.how.starts_with("CREATE DATABASE"),
                "{}",
                rehearsal.how
            );
        }
        // One step, the second revision, with the rows counted here before, and after it what
        // its ops do to them: no row changes, legacy dropped, visit made empty.
        assert_eq!(rehearsal.steps.len(), 1, "{out}");
        let step = &rehearsal.steps[0];
        assert_eq!(step.revision, "a0a0a0a0a0a2");
        assert!(!step.failed);
        let after = [Some(5), None, Some(3), Some(2), Some(0)];
        let reported: Vec<(String, Option<i64>, Option<i64>)> = step
            .tables
            .iter()
            .map(|t| (t.table.clone(), t.before, t.after))
            .collect();
        let expected: Vec<(String, Option<i64>, Option<i64>)> = NAMED
            .iter()
            .zip(counted.iter().zip(after))
            .map(|(t, (b, a))| (t.to_string(), *b, a))
            .collect();
        assert_eq!(reported, expected, "{backend:?}:\n{out}");
        // And as printed: the time, then a line per table.
        assert!(
            out.contains("a0a0a0a0a0a2 (Evolve the model) took "),
            "{out}"
        );
        for line in [
            "exposure    5 rows -> 5 rows",
            "legacy      4 rows -> no table",
            "visit       no table -> 0 rows",
            "Check on the copy: it matches the model",
            "Dropped the copy ",
        ] {
            assert!(out.contains(line), "{backend:?}: no {line:?} in\n{out}");
        }
        eprintln!("{backend:?} rehearsal:\n{out}");
        // The real database: the same schema, the same rows, still at the first revision.
        let after_state = state(&db).await;
        assert!(
            before.0 == after_state.0,
            "{backend:?}: the schema changed\n{}",
            common::first_difference(&before.0, &after_state.0, ("before", "after"))
        );
        assert_eq!(before.1, after_state.1, "{backend:?}: rows changed");
        assert_eq!(
            contents(&db.url, "alembic_version").await,
            ["'a0a0a0a0a0a1'".to_string()]
                .into_iter()
                .map(|v| match backend {
                    DbBackend::Postgres => "(a0a0a0a0a0a1)".to_string(),
                    _ => v,
                })
                .collect::<Vec<_>>()
        );
        assert!(
            copies(&db).await.is_empty(),
            "{backend:?}: {:?}",
            copies(&db).await
        );
        assert!(out.contains(&rehearsal.copy), "{out}");
    }
}

#[tokio::test]
async fn a_rehearsal_that_fails_leaves_the_database_alone_and_no_copy() {
    for backend in BACKENDS {
        let test = "rehearsal_fails";
        if backend == DbBackend::Postgres && !common::pg_dump_runs(test) {
            continue;
        }
        let Some((db, p)) = at_first_revision(backend, test, true).await else {
            continue;
        };
        let before = state(&db).await;
        // On PostgreSQL, a session on the database: no TEMPLATE copy, pg_dump | pg_restore.
        let holder = migration::db::connect(&db.url).await.unwrap();
        holder.execute_unprepared("SELECT 1").await.unwrap();
        let (rehearsal, out) = rehearse(&p, &db.url).await;
        holder.close().await.ok();
        eprintln!("{backend:?} failed rehearsal:\n{out}");
        let failure = rehearsal.failure.clone().expect("the rehearsal fails");
        assert!(
            failure.contains("a0a0a0a0a0a2") && failure.contains("rolled back"),
            "{failure}"
        );
        if backend == DbBackend::Postgres {
            assert!(
                rehearsal.how.contains("pg_dump | pg_restore"),
                "{}",
                rehearsal.how
            );
        }
        assert_eq!(rehearsal.steps.len(), 1);
        assert!(rehearsal.steps[0].failed);
        assert!(
            out.contains("a0a0a0a0a0a2 (Evolve the model) failed after "),
            "{out}"
        );
        eprintln!("failure: {failure}");
        // Rolled back on the copy: the counts after are the counts before.
        for t in &rehearsal.steps[0].tables {
            assert_eq!(t.before, t.after, "{t:?}");
        }
        assert_eq!(rehearsal.check, None);
        let after_state = state(&db).await;
        assert!(
            before.0 == after_state.0,
            "{backend:?}: the schema changed\n{}",
            common::first_difference(&before.0, &after_state.0, ("before", "after"))
        );
        assert_eq!(before.1, after_state.1, "{backend:?}: rows changed");
        assert!(
            copies(&db).await.is_empty(),
            "{backend:?}: {:?}",
            copies(&db).await
        );
    }
}

/// A folder of the test's own for backups, removed with it.
struct Folder(PathBuf);

impl Folder {
    fn new(test: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("opdb-backups-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn upgrade_backed_up(
    p: &common::scripts::ScriptProject,
    url: &str,
    dir: &Path,
) -> Result<String, String> {
    let mut out = Vec::new();
    p.with(v2::entities, url, &[], async |p| {
        let options = commands::migrate::MigrateOptions {
            backup: Some(dir),
            ..Default::default()
        };
        commands::migrate::migrate_with(p, Direction::Upgrade, "head", &options, &mut out).await
    })
    .await?;
    Ok(String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn a_backup_taken_before_an_upgrade_puts_a_damaged_database_back() {
    for backend in BACKENDS {
        let test = "backup_restore";
        if backend == DbBackend::Postgres && !common::pg_dump_runs(test) {
            continue;
        }
        let Some((db, p)) = at_first_revision(backend, test, false).await else {
            continue;
        };
        let folder = Folder::new(&format!("{test}-{backend:?}"));
        let at_backup = state(&db).await;
        let out = upgrade_backed_up(&p, &db.url, &folder.0)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let file = out
            .lines()
            .find_map(|l| l.strip_prefix("Backed up to "))
            .unwrap_or_else(|| panic!("no backup in\n{out}"));
        let file = PathBuf::from(file);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.contains("_a0a0a0a0a0a1_")
                && (name.ends_with("Z.dump") || name.ends_with("Z.sqlite")),
            "{name}"
        );
        assert!(
            out.find("Backed up").unwrap() < out.find("Running upgrade").unwrap(),
            "{out}"
        );
        // Damage: rows deleted, a table dropped; on PostgreSQL also a view, a sequence and a
        // function the backup does not hold (as a later revision would make them).
        let drop = match backend {
            DbBackend::Postgres => {
                "DROP TABLE detector CASCADE; CREATE VIEW later AS SELECT id FROM exposure; \
                 CREATE SEQUENCE later_seq; \
                 CREATE FUNCTION later_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'"
            }
            _ => "DROP TABLE detector",
        };
        common::execute(
            &db.url,
            &format!("DELETE FROM exposure WHERE id > 11; {drop}"),
        )
        .await;
        assert_ne!(state(&db).await, at_backup);
        let restored = p
            .with(v2::entities, &db.url, &[], async |p| {
                commands::restore::restore(p, &file, Confirm::Yes).await
            })
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        eprintln!("{backend:?}: restored {restored}");
        if backend == DbBackend::Postgres {
            // The six tables of the first revision; visit, made by the upgrade, dropped.
            assert!(
                restored.contains("6 tables in the backup") && restored.contains("(public.visit)"),
                "{restored}"
            );
        }
        let now = state(&db).await;
        assert!(
            now.0 == at_backup.0,
            "{backend:?}: the schema differs\n{}",
            common::first_difference(&at_backup.0, &now.0, ("at the backup", "restored"))
        );
        assert_eq!(now.1, at_backup.1, "{backend:?}: rows differ");
        assert_eq!(now.1.len(), TABLES.len(), "{:?}", now.1);
    }
}

async fn version(url: &str) -> Vec<String> {
    let db = migration::db::connect(url).await.unwrap();
    let v = migration::runtime::read_versions(&db, &migration::config::Config::default())
        .await
        .unwrap();
    db.close().await.ok();
    v
}

#[tokio::test]
async fn a_backup_that_cannot_be_written_refuses_the_upgrade() {
    for backend in BACKENDS {
        let test = "backup_fails";
        if backend == DbBackend::Postgres && !common::pg_dump_runs(test) {
            continue;
        }
        let Some((db, p)) = at_first_revision(backend, test, false).await else {
            continue;
        };
        let folder = Folder::new(&format!("{test}-{backend:?}"));
        // A file where the backup folder should be made.
        std::fs::create_dir_all(&folder.0).unwrap();
        let in_the_way = folder.0.join("file");
        std::fs::write(&in_the_way, "not a folder").unwrap();
        let before = state(&db).await;
        let e = upgrade_backed_up(&p, &db.url, &in_the_way.join("backups"))
            .await
            .expect_err("the upgrade is refused");
        assert!(
            e.contains("backup failed, so nothing was upgraded") && e.contains("backup folder"),
            "{e}"
        );
        assert_eq!(version(&db.url).await, ["a0a0a0a0a0a1"]);
        assert_eq!(state(&db).await, before, "{backend:?}");
    }
}

/// The real binary, with pg_dump off its PATH: `upgrade head --backup DIR` names pg_dump and
/// what to install, and the database is left at base (no version table made).
#[tokio::test]
async fn an_upgrade_without_pg_dump_is_refused_before_anything_runs() {
    let test = "backup_no_pg_dump";
    let Some(db) = common::pg(test).await else {
        return;
    };
    let folder = Folder::new(test);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opdb"))
        .args(["--url", &db.url, "upgrade", "head", "--backup"])
        .arg(&folder.0)
        .env("PATH", "/nonexistent")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("pg_dump is not installed or not on PATH")
            && stderr.contains("install PostgreSQL's client tools"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(common::all_tables(&db.url).await.is_empty());
    assert!(!folder.0.exists());
}

/// `restore` without --yes where standard input is not a terminal refuses, in one line, and
/// changes nothing.
#[tokio::test]
async fn restore_without_yes_and_without_a_terminal_refuses() {
    let db = common::sqlite("restore_no_tty");
    common::execute(
        &db.url,
        "CREATE TABLE t (id integer); INSERT INTO t VALUES (1)",
    )
    .await;
    let file = migration::url::sqlite_file(&db.url).unwrap();
    let backup = file.with_extension("bak");
    std::fs::copy(&file, &backup).unwrap();
    common::execute(&db.url, "INSERT INTO t VALUES (2)").await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opdb"))
        .args(["--url", &db.url, "restore"])
        .arg(&backup)
        .stdin(std::process::Stdio::null())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&backup);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("add --yes"), "{stderr}");
    assert_eq!(contents(&db.url, "t").await, ["1", "2"]);
}
