//! The revision engine end to end, on PostgreSQL and SQLite, with the hand-written revisions of
//! `tests/fixtures/revisions/` (a branch, a merge, a data migration, a revision that fails).
//!
//! The command functions run in-process over a temporary project folder whose
//! `alembic/<name>/versions/` holds copies of those files, exactly as the opdb binary runs over
//! `alembic/`: typed arguments in, typed outcomes out, checked against the database itself.
//! Where a test is about what a person reads (messages, help, printed history), it goes through
//! the command line instead.

mod common;

use clap::Parser;
use migration::cli::{self, Cli};
use migration::commands::{self, RunOutcome};
use migration::error::{migrate_error, MigrateError, Named};
use migration::runtime::{Direction, HistoryRow};
use migration::script::CompiledScripts;
use migration::script::ScriptDir;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::path::{Path, PathBuf};

#[path = "fixtures/revisions/a1_instrument.rs"]
mod a1;
#[path = "fixtures/revisions/b2_exposure.rs"]
mod b2;
#[path = "fixtures/revisions/c3_seeing.rs"]
mod c3;
#[path = "fixtures/revisions/d4_visit.rs"]
mod d4;
#[path = "fixtures/revisions/e5_merge.rs"]
mod e5;
#[path = "fixtures/revisions/f6_fails.rs"]
mod f6;
#[path = "fixtures/revisions/g7_more_ops.rs"]
mod g7;
#[path = "fixtures/revisions/h8_fails_in_ddl.rs"]
mod h8;
#[path = "fixtures/revisions/m1_raw_column.rs"]
mod m1;
#[path = "fixtures/revisions/m2_rebuild.rs"]
mod m2;
#[path = "fixtures/revisions/s1_serial_widened.rs"]
mod s1;

macro_rules! revision_modules {
    ($($module:ident = $file:literal),* $(,)?) => {
        /// Every fixture revision: (file name, source, compiled).
        fn fixture(name: &str) -> migration::script::CompiledRevision {
            match name {
                $($file => migration::compiled_revision!(
                    $file,
                    include_str!(concat!("fixtures/revisions/", $file)),
                    $module
                ),)*
                other => panic!("no fixture revision {other}"),
            }
        }
    };
}

revision_modules! {
    a1 = "a1_instrument.rs",
    b2 = "b2_exposure.rs",
    c3 = "c3_seeing.rs",
    d4 = "d4_visit.rs",
    e5 = "e5_merge.rs",
    f6 = "f6_fails.rs",
    g7 = "g7_more_ops.rs",
    h8 = "h8_fails_in_ddl.rs",
    m1 = "m1_raw_column.rs",
    m2 = "m2_rebuild.rs",
    s1 = "s1_serial_widened.rs",
}

const DEMO: &[&str] = &[
    "a1_instrument.rs",
    "b2_exposure.rs",
    "c3_seeing.rs",
    "d4_visit.rs",
    "e5_merge.rs",
];
const BROKEN: &[&str] = &["a1_instrument.rs", "b2_exposure.rs", "f6_fails.rs"];
const BROKEN_DDL: &[&str] = &["a1_instrument.rs", "b2_exposure.rs", "h8_fails_in_ddl.rs"];
const MORE_OPS: &[&str] = &["a1_instrument.rs", "b2_exposure.rs", "g7_more_ops.rs"];
const RAW_SQL: &[&str] = &[
    "a1_instrument.rs",
    "b2_exposure.rs",
    "m1_raw_column.rs",
    "m2_rebuild.rs",
];
const WIDEN: &[&str] = &["a1_instrument.rs", "s1_serial_widened.rs"];
const TWO_HEADS: &[&str] = &[
    "a1_instrument.rs",
    "b2_exposure.rs",
    "c3_seeing.rs",
    "d4_visit.rs",
];

/// A temporary project folder with script directories, removed when dropped.
struct Project {
    root: PathBuf,
    scripts: Vec<CompiledScripts>,
}

impl Project {
    fn new(test: &str) -> Project {
        let root = std::env::temp_dir().join(format!(
            "opdb-{test}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        let mut project = Project {
            root,
            scripts: Vec::new(),
        };
        project.add("demo", DEMO);
        project.add("broken", BROKEN);
        project.add("twoheads", TWO_HEADS);
        project.add("moreops", MORE_OPS);
        project.add("brokenddl", BROKEN_DDL);
        project.add("rawsql", RAW_SQL);
        project.add("widen", WIDEN);
        project
    }

    fn add(&mut self, name: &'static str, files: &[&str]) {
        let versions = self.versions(name);
        std::fs::create_dir_all(&versions).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/revisions");
        for f in files {
            std::fs::copy(src.join(f), versions.join(f)).unwrap();
        }
        self.scripts.push(CompiledScripts {
            database: name,
            revisions: files.iter().map(|f| fixture(f)).collect(),
            settings: None,
        });
    }

    fn versions(&self, name: &str) -> PathBuf {
        self.root.join("alembic").join(name).join("versions")
    }

    /// Runs `f` on the command functions' view of script directory `name`, with `url` given
    /// as `--url`.
    async fn with<T>(
        &self,
        name: &str,
        url: Option<&str>,
        f: impl AsyncFnOnce(&commands::Project<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let dir = ScriptDir::open(&self.root, name)?;
        let project = commands::Project::new(
            &self.root,
            &dir,
            &self.scripts,
            &[],
            url.map(str::to_string),
        )?;
        f(&project).await
    }

    /// `upgrade` or `downgrade` to `target`: the versions it leaves, or the error as the
    /// engine returns it.
    async fn migrate(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        target: &str,
    ) -> anyhow::Result<Vec<String>> {
        let mut sink = std::io::sink();
        common::migrate(
            &self.root,
            &self.scripts,
            name,
            url,
            direction,
            target,
            &mut sink,
        )
        .await
    }

    async fn upgrade(&self, name: &str, url: &str, target: &str) -> Vec<String> {
        self.migrate(name, url, Direction::Upgrade, target)
            .await
            .unwrap_or_else(|e| panic!("upgrade {target} of {name}: {e:#}"))
    }

    async fn downgrade(&self, name: &str, url: &str, target: &str) -> Vec<String> {
        self.migrate(name, url, Direction::Downgrade, target)
            .await
            .unwrap_or_else(|e| panic!("downgrade {target} of {name}: {e:#}"))
    }

    /// The error of `upgrade TARGET`, as the engine returns it.
    async fn upgrade_error(&self, name: &str, url: &str, target: &str) -> anyhow::Error {
        match self.migrate(name, url, Direction::Upgrade, target).await {
            Ok(v) => panic!("upgrade {target} of {name} succeeded: {v:?}"),
            Err(e) => e,
        }
    }

    /// The `--sql` script of `upgrade`/`downgrade` to `target`.
    async fn script(&self, name: &str, url: &str, direction: Direction, target: &str) -> String {
        let run = self.with(name, Some(url), async |project| {
            commands::migrate::migrate(project, direction, target, true, &mut std::io::sink()).await
        });
        match Box::pin(run).await {
            Ok(RunOutcome::Script(script)) => script,
            other => panic!("{direction:?} {target} --sql: {other:?}"),
        }
    }

    /// `stamp REVISIONS`: the versions it leaves.
    async fn stamp(&self, name: &str, url: &str, revisions: &[&str], purge: bool) -> Vec<String> {
        let revisions: Vec<String> = revisions.iter().map(|r| r.to_string()).collect();
        let run = self.with(name, Some(url), async |project| {
            commands::stamp::stamp(project, &revisions, purge, false, &mut std::io::sink()).await
        });
        match Box::pin(run).await {
            Ok(RunOutcome::At(versions)) => versions,
            other => panic!("stamp {revisions:?}: {other:?}"),
        }
    }

    /// Every step the history table records.
    async fn applied(&self, name: &str, url: &str) -> Vec<HistoryRow> {
        self.with(name, Some(url), async |project| {
            commands::inspect::applied(project).await
        })
        .await
        .unwrap_or_else(|e| panic!("history --applied of {name}: {e:#}"))
    }

    /// Runs `opdb ARGS` and returns its output, or its one-line error.
    async fn opdb(&self, args: &[&str]) -> Result<String, String> {
        let mut argv = vec!["opdb", "--root", self.root.to_str().unwrap()];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        cli::run(cli, &self.scripts, &[], &self.root, &mut out)
            .await
            .map_err(|e| cli::one_line(&e))?;
        Ok(String::from_utf8(out).unwrap())
    }

    async fn ok(&self, args: &[&str]) -> String {
        self.opdb(args)
            .await
            .unwrap_or_else(|e| panic!("opdb {}: {e}", args.join(" ")))
    }

    async fn ok_s(&self, args: &[String]) -> String {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.ok(&args).await
    }

    async fn err(&self, args: &[&str]) -> String {
        match self.opdb(args).await {
            Ok(out) => panic!("opdb {} succeeded: {out}", args.join(" ")),
            Err(e) => e,
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A database for one test on each backend: (url, guard keeping a PostgreSQL database alive).
async fn databases(test: &str, project: &Project) -> Vec<(String, Option<common::TestDb>)> {
    let sqlite = project.root.join(format!("{test}.sqlite"));
    let mut dbs = vec![(format!("sqlite://{}?mode=rwc", sqlite.display()), None)];
    if let Some(pg) = common::pg(test).await {
        dbs.push((pg.url.clone(), Some(pg)));
    }
    dbs
}

async fn versions(db: &DatabaseConnection) -> Vec<String> {
    migration::runtime::read_versions(db, &migration::config::Config::default())
        .await
        .unwrap()
}

/// The tables of the database, without opdb's own.
async fn tables(db: &DatabaseConnection) -> Vec<String> {
    common::tables(db)
        .await
        .into_iter()
        .filter(|t| t != "alembic_version" && t != "opdb_history")
        .collect()
}

/// How many columns the `exposure` table has.
async fn exposure_columns(db: &DatabaseConnection) -> i64 {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'exposure'"
        }
        _ => "SELECT count(*) FROM pragma_table_info('exposure')",
    };
    scalar(db, sql).await
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn upgrade_and_downgrade_to_every_kind_of_target() {
    let p = Project::new("targets");
    for (url, _guard) in databases("targets", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        let run = |args: Vec<&'static str>| -> Vec<String> {
            let mut a: Vec<String> = vec!["-n".into(), "demo".into(), "--url".into(), url.clone()];
            a.extend(args.into_iter().map(String::from));
            a
        };
        let out = p.ok_s(&run(vec!["upgrade", "head"])).await;
        assert!(
            out.contains("Database is at c3c3c3c3c3c3, d4d4d4d4d4d4 -> e5e5e5e5e5e5 (head)"),
            "{out}"
        );
        assert_eq!(versions(&db).await, ids(&["e5e5e5e5e5e5"]));
        assert_eq!(tables(&db).await, ids(&["exposure", "instrument", "visit"]));
        assert!(p
            .ok_s(&run(vec!["current"]))
            .await
            .contains("e5e5e5e5e5e5 (head)"));

        let at = p.downgrade("demo", &url, "base").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, Vec::<String>::new());
        assert_eq!(tables(&db).await, Vec::<String>::new());

        // +N from base, a unique prefix, a branch label's head, -N to a merge's parents.
        let at = p.upgrade("demo", &url, "+1").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["a1a1a1a1a1a1"]));
        let at = p.upgrade("demo", &url, "b2b2").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["b2b2b2b2b2b2"]));
        let at = p.upgrade("demo", &url, "seeing").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3"]));
        let at = p.upgrade("demo", &url, "d4d4d4d4d4d4").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"]));
        let at = p.upgrade("demo", &url, "heads").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["e5e5e5e5e5e5"]));
        let at = p.downgrade("demo", &url, "-1").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"]));
        let at = p.downgrade("demo", &url, "c3c3c3c3c3c3").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3"]));
        assert_eq!(tables(&db).await, ids(&["exposure", "instrument"]));
        let at = p.downgrade("demo", &url, "a1a1+1").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["b2b2b2b2b2b2"]));
        let at = p.upgrade("demo", &url, "b2b2b2b2b2b2+2").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"]));
        let at = p.upgrade("demo", &url, "head").await;
        assert_eq!(at, versions(&db).await);
        assert_eq!(versions(&db).await, ids(&["e5e5e5e5e5e5"]));

        // The history table has every step, in order.
        let applied = p.applied("demo", &url).await;
        let steps: Vec<(&str, &str)> = applied
            .iter()
            .map(|r| (r.revision.as_str(), r.direction.as_str()))
            .collect();
        assert_eq!(steps.len(), 21, "{applied:?}");
        assert_eq!(steps[0], ("a1a1a1a1a1a1", "upgrade"));
        assert_eq!(steps[5], ("e5e5e5e5e5e5", "downgrade"));
        db.close().await.unwrap();
    }
    // label@head: the head of the branch a label starts, where there are two heads.
    let url = format!(
        "sqlite://{}?mode=rwc",
        p.root.join("labels.sqlite").display()
    );
    assert_eq!(
        p.upgrade("twoheads", &url, "seeing@head").await,
        ids(&["c3c3c3c3c3c3"])
    );
    let db = migration::db::connect(&url).await.unwrap();
    assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3"]));
    p.upgrade("twoheads", &url, "heads").await;
    assert_eq!(versions(&db).await, ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"]));
    db.close().await.unwrap();
}

#[tokio::test]
async fn graph_commands_and_errors() {
    let p = Project::new("graph");
    let history = p.ok(&["-n", "demo", "history"]).await;
    let first: Vec<&str> = history.lines().collect();
    assert_eq!(
        first[0],
        "c3c3c3c3c3c3, d4d4d4d4d4d4 -> e5e5e5e5e5e5 (head) (mergepoint), Merge seeing and visit; widen and rename columns"
    );
    assert_eq!(
        first.last().unwrap(),
        &"<base> -> a1a1a1a1a1a1, Create instrument"
    );
    let ranged = p.ok(&["-n", "demo", "history", "-r", "b2b2:c3c3"]).await;
    assert_eq!(ranged.lines().count(), 2, "{ranged}");
    let (heads, branches, shown) = p
        .with("demo", None, async |project| {
            let id = |r: &migration::revision::Revision| r.id.clone();
            let heads: Vec<String> = commands::inspect::heads(project)
                .iter()
                .map(|r| id(r))
                .collect();
            let branches: Vec<(String, Vec<String>)> = commands::inspect::branches(project)
                .into_iter()
                .map(|(r, children)| (id(r), children.into_iter().map(id).collect()))
                .collect();
            let shown: Vec<String> = commands::inspect::show(project, "seeing")?
                .iter()
                .map(|r| r.path.clone())
                .collect();
            Ok((heads, branches, shown))
        })
        .await
        .unwrap();
    assert_eq!(heads, ids(&["e5e5e5e5e5e5"]));
    assert_eq!(
        branches,
        vec![(
            "b2b2b2b2b2b2".to_string(),
            ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"])
        )]
    );
    assert_eq!(shown, ids(&["alembic/demo/versions/c3_seeing.rs"]));
    // The printed forms.
    assert!(p
        .ok(&["-n", "demo", "heads"])
        .await
        .contains("e5e5e5e5e5e5 (head)"));
    let branches = p.ok(&["-n", "demo", "branches"]).await;
    assert!(
        branches.contains("b2b2b2b2b2b2 (branchpoint)"),
        "{branches}"
    );

    let e = p
        .err(&[
            "-n",
            "twoheads",
            "--url",
            "sqlite::memory:",
            "upgrade",
            "head",
        ])
        .await;
    assert!(
        e.contains("multiple head revisions") && e.contains("d4_visit.rs"),
        "{e}"
    );
    let e = p.err(&["-n", "demo", "show", "ffff"]).await;
    assert!(
        e.contains("can't locate revision identified by 'ffff'"),
        "{e}"
    );
    let e = p.err(&["-n", "nosuch", "heads"]).await;
    assert!(e.contains("opdb init nosuch"), "{e}");

    // A cycle and a missing down revision, named by file.
    let mut bad = Project::new("graph-bad");
    bad.scripts.clear();
    let mut a = fixture("a1_instrument.rs");
    a.down = &["b2b2b2b2b2b2"];
    bad.scripts.push(CompiledScripts {
        database: "demo",
        revisions: vec![a, fixture("b2_exposure.rs")],
        settings: None,
    });
    std::fs::remove_file(bad.versions("demo").join("c3_seeing.rs")).unwrap();
    std::fs::remove_file(bad.versions("demo").join("d4_visit.rs")).unwrap();
    std::fs::remove_file(bad.versions("demo").join("e5_merge.rs")).unwrap();
    let e = bad.err(&["-n", "demo", "heads"]).await;
    assert!(e.contains("cycle") && e.contains("a1_instrument.rs"), "{e}");
    bad.scripts[0].revisions = vec![fixture("b2_exposure.rs")];
    std::fs::remove_file(bad.versions("demo").join("a1_instrument.rs")).unwrap();
    let e = bad.err(&["-n", "demo", "heads"]).await;
    assert!(
        e.contains("b2_exposure.rs: down revision a1a1a1a1a1a1 is not a known revision"),
        "{e}"
    );
}

#[tokio::test]
async fn a_stale_binary_is_refused() {
    let p = Project::new("stale");
    let extra = p.versions("demo").join("f6_fails.rs");
    std::fs::copy(p.versions("broken").join("f6_fails.rs"), &extra).unwrap();
    let e = p.err(&["-n", "demo", "heads"]).await;
    assert!(
        e.contains("f6_fails.rs is new on disk") && e.contains("rebuild"),
        "{e}"
    );
    std::fs::remove_file(&extra).unwrap();
    std::fs::remove_file(p.versions("demo").join("c3_seeing.rs")).unwrap();
    let e = p.err(&["-n", "demo", "current"]).await;
    assert!(e.contains("c3_seeing.rs is no longer on disk"), "{e}");
    std::fs::write(p.versions("demo").join("c3_seeing.rs"), "//! edited\n").unwrap();
    let e = p.err(&["-n", "demo", "upgrade", "head"]).await;
    assert!(e.contains("c3_seeing.rs changed on disk"), "{e}");
    let e = p.upgrade_error("demo", "sqlite::memory:", "head").await;
    match migrate_error(&e) {
        Some(MigrateError::StaleBinary { dir, problems }) => {
            assert_eq!(dir, "alembic/demo");
            assert_eq!(problems, &["c3_seeing.rs changed on disk"]);
        }
        other => panic!("{other:?}: {e:#}"),
    }
}

#[tokio::test]
async fn stamp_and_unknown_versions() {
    let p = Project::new("stamp");
    for (url, _guard) in databases("stamp", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        let out = p.ok(&["-n", "demo", "--url", &url, "stamp", "head"]).await;
        assert!(out.contains("Database is at"), "{out}");
        assert_eq!(versions(&db).await, ids(&["e5e5e5e5e5e5"]));
        assert!(tables(&db).await.is_empty(), "stamp runs nothing");
        let at = p.stamp("demo", &url, &["c3c3", "d4d4"], false).await;
        assert_eq!(at, ids(&["c3c3c3c3c3c3", "d4d4d4d4d4d4"]));
        assert_eq!(versions(&db).await, at);

        db.execute_unprepared("UPDATE alembic_version SET version_num = '0123456789ab' WHERE version_num = 'c3c3c3c3c3c3'")
            .await
            .unwrap();
        let e = p.err(&["-n", "demo", "--url", &url, "current"]).await;
        assert!(e.contains("can't locate revision 0123456789ab"), "{e}");
        let e = p.upgrade_error("demo", &url, "head").await;
        assert!(
            matches!(migrate_error(&e), Some(MigrateError::UnknownVersion { .. })),
            "{e:#}"
        );
        assert!(
            format!("{e:#}").contains("can't locate revision 0123456789ab"),
            "{e:#}"
        );
        assert!(p.stamp("demo", &url, &["base"], true).await.is_empty());
        assert!(versions(&db).await.is_empty());
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn a_failing_revision_leaves_no_trace() {
    let p = Project::new("failing");
    for (url, _guard) in databases("failing", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        let e = p
            .err(&["-n", "broken", "--url", &url, "upgrade", "head"])
            .await;
        assert!(
            e.contains("upgrade of revision f6f6f6f6f6f6 (alembic/broken/versions/f6_fails.rs) failed and was rolled back; the database stays at b2b2b2b2b2b2")
                && e.contains("no_such_table"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        let e = p.upgrade_error("broken", &url, "head").await;
        assert_eq!(
            migrate_error(&e),
            Some(&MigrateError::RevisionFailed {
                direction: "upgrade",
                revision: Named {
                    id: "f6f6f6f6f6f6".into(),
                    path: "alembic/broken/versions/f6_fails.rs".into(),
                },
                what: "failed and was rolled back".into(),
                at: "b2b2b2b2b2b2".into(),
            }),
            "{e:#}"
        );
        assert_eq!(versions(&db).await, ids(&["b2b2b2b2b2b2"]));
        assert_eq!(tables(&db).await, ids(&["exposure", "instrument"]));
        assert_eq!(
            exposure_columns(&db).await,
            4,
            "the added column is gone too"
        );
        let applied = p.applied("broken", &url).await;
        assert_eq!(applied.len(), 2, "{applied:?}");
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_upgrades_apply_each_revision_once() {
    let p = Project::new("concurrent");
    for (url, _guard) in databases("concurrent", &p).await {
        let (a, b) = tokio::join!(
            p.upgrade("demo", &url, "head"),
            p.upgrade("demo", &url, "head")
        );
        assert_eq!((a.clone(), b), (ids(&["e5e5e5e5e5e5"]), a));
        let db = migration::db::connect(&url).await.unwrap();
        assert_eq!(versions(&db).await, ids(&["e5e5e5e5e5e5"]));
        let upgrades = scalar(
            &db,
            "SELECT count(*) FROM opdb_history WHERE direction = 'upgrade'",
        )
        .await;
        let distinct = scalar(&db, "SELECT count(DISTINCT revision) FROM opdb_history").await;
        assert_eq!((upgrades, distinct), (5, 5));
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn sqlite_rebuilds_keep_every_row() {
    let p = Project::new("rebuild");
    let path = p.root.join("rebuild.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    p.upgrade("demo", &url, "b2b2b2b2b2b2").await;
    let db = migration::db::connect(&url).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO instrument (name) VALUES ('PFS'), ('HSC');
         INSERT INTO exposure VALUES (1, 1, 30.0, 'first'), (2, 1, 60.0, NULL), (1, 2, 10.0, 'hsc');",
    )
    .await
    .unwrap();
    p.upgrade("demo", &url, "d4d4d4d4d4d4").await;
    db.execute_unprepared(
        "INSERT INTO visit (visit_id, exposure_id, instrument_id) VALUES (7, 2, 1)",
    )
    .await
    .unwrap();
    // c3's data migration, then e5's rebuilds of instrument (referenced) and exposure.
    p.upgrade("demo", &url, "head").await;
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT e.exposure_id, i.name, e.exptime, e.remark, e.seeing FROM exposure e \
             JOIN instrument i ON i.id = e.instrument_id ORDER BY 1, 2",
        ))
        .await
        .unwrap();
    let got: Vec<(i64, String, f64, Option<String>, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
                r.try_get_by_index(3).unwrap(),
                r.try_get_by_index(4).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "HSC".into(), 10.0, Some("hsc".into()), 0.5),
            (1, "PFS".into(), 30.0, Some("first".into()), 0.5),
            (2, "PFS".into(), 60.0, None, 0.5),
        ]
    );
    assert_eq!(scalar(&db, "SELECT count(*) FROM visit").await, 1);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM pragma_foreign_key_check").await,
        0
    );
    // The widened column takes a long name now; the NOT NULL is enforced.
    db.execute_unprepared("INSERT INTO instrument (name) VALUES ('a name longer than eight')")
        .await
        .unwrap();
    assert!(db
        .execute_unprepared(
            "INSERT INTO exposure (exposure_id, instrument_id, exptime) VALUES (9, 1, NULL)"
        )
        .await
        .is_err());
    // And back down: every row is still there.
    p.downgrade("demo", &url, "b2b2b2b2b2b2").await;
    assert_eq!(scalar(&db, "SELECT count(*) FROM exposure").await, 3);
    assert_eq!(scalar(&db, "SELECT count(*) FROM instrument").await, 3);
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM exposure WHERE note = 'first'").await,
        1
    );
    db.close().await.unwrap();
}

/// The `--sql` script, fed to psql, leaves the same schema as the online run.
#[tokio::test]
async fn offline_sql_matches_the_online_run() {
    let p = Project::new("offline");
    let Some(online) = common::pg("offline_online").await else {
        return;
    };
    let Some(offline) = common::pg("offline_script").await else {
        return;
    };
    p.upgrade("demo", &online.url, "head").await;
    let script = p
        .script("demo", &offline.url, Direction::Upgrade, "head")
        .await;
    assert_eq!(script.matches("BEGIN;").count(), 5, "{script}");
    assert!(script.contains("A data migration of revision c3c3c3c3c3c3 runs only online"));
    psql(&offline.url, &script);

    let a = online.connect().await;
    let b = offline.connect().await;
    let schema_a = migration::introspect::introspect(&a, "public")
        .await
        .unwrap();
    let schema_b = migration::introspect::introspect(&b, "public")
        .await
        .unwrap();
    let diff = migration::compare::differences(&schema_a.schema, &schema_b.schema);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    assert_eq!(schema_a.schema.tables.len(), 5);
    assert_eq!(versions(&b).await, ids(&["e5e5e5e5e5e5"]));

    // A range down to base, and back up in two ranges.
    let down = p
        .script(
            "demo",
            &offline.url,
            Direction::Downgrade,
            "e5e5e5e5e5e5:base",
        )
        .await;
    psql(&offline.url, &down);
    assert!(tables(&b).await.is_empty());
    assert!(versions(&b).await.is_empty());
    let up1 = p
        .script("demo", &offline.url, Direction::Upgrade, "b2b2b2b2b2b2")
        .await;
    let up2 = p
        .script(
            "demo",
            &offline.url,
            Direction::Upgrade,
            "b2b2b2b2b2b2:head",
        )
        .await;
    psql(&offline.url, &up1);
    psql(&offline.url, &up2);
    let again = migration::introspect::introspect(&b, "public")
        .await
        .unwrap();
    let diff = migration::compare::differences(&schema_a.schema, &again.schema);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
    let e = p
        .err(&[
            "-n",
            "demo",
            "--url",
            &offline.url,
            "downgrade",
            "base",
            "--sql",
        ])
        .await;
    assert!(e.contains("START:END"), "{e}");
    a.close().await.unwrap();
    b.close().await.unwrap();
}

fn psql(url: &str, script: &str) {
    use std::io::Write as _;
    let mut child = std::process::Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "psql failed on:\n{script}");
}

#[tokio::test]
async fn revision_merge_and_init_write_files() {
    let p = Project::new("files");
    commands::init::init(&p.root, "fresh").unwrap();
    assert!(p.root.join("alembic/fresh/alembic.toml").is_file());
    assert!(p.root.join("alembic/fresh/versions").is_dir());
    assert!(p.root.join("alembic/fresh/trash").is_dir());
    let e = p.err(&["init", "fresh"]).await;
    assert!(e.contains("already exists"), "{e}");
    let args = commands::revision::RevisionArgs {
        message: "Add a thing".into(),
        rev_id: Some("0123456789ab".into()),
        ..Default::default()
    };
    let written = p
        .with("fresh", None, async |project| {
            commands::revision::revision(project, args).await
        })
        .await
        .unwrap();
    let path = p
        .root
        .join("alembic/fresh/versions/0123456789ab_add_a_thing.rs");
    assert_eq!(
        written,
        commands::revision::RevisionOutcome::Written {
            path: path.clone(),
            found: None
        }
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("//! Add a thing\n//!\n//! Revision ID: 0123456789ab\n//! Revises:\n"));
    assert!(text.contains("pub const DOWN_REVISION: &[&str] = &[];"));
    // The file is now on disk but not in the binary.
    let e = p.err(&["-n", "fresh", "heads"]).await;
    assert!(e.contains("rebuild"), "{e}");

    let e = p.err(&["-n", "twoheads", "revision", "-m", "x"]).await;
    assert!(e.contains("multiple head revisions"), "{e}");
    let args = commands::merge::MergeArgs {
        revisions: vec!["heads".into()],
        message: "merge them".into(),
        rev_id: Some("abcdefabcdef".into()),
        ..Default::default()
    };
    let merged = p
        .with("twoheads", None, async |project| {
            commands::merge::merge(project, args)
        })
        .await
        .unwrap();
    assert_eq!(
        merged.path,
        p.versions("twoheads").join("abcdefabcdef_merge_them.rs")
    );
    let text = std::fs::read_to_string(&merged.path).unwrap();
    assert!(
        text.contains(r#"pub const DOWN_REVISION: &[&str] = &["c3c3c3c3c3c3", "d4d4d4d4d4d4"];"#),
        "{text}"
    );
    let e = p
        .err(&["-n", "demo", "revision", "-m", "x", "--head", "b2b2"])
        .await;
    assert!(e.contains("not a head") && e.contains("--splice"), "{e}");
    std::fs::write(
        p.root.join("alembic/demo/alembic.toml"),
        "version_tabel = 'x'\n",
    )
    .unwrap();
    let e = p.err(&["-n", "demo", "heads"]).await;
    assert!(
        e.contains("alembic.toml") && e.contains("version_tabel"),
        "{e}"
    );
}

#[tokio::test]
async fn unreachable_database_fails_fast_without_the_password() {
    let p = Project::new("unreachable");
    let started = std::time::Instant::now();
    let e = p
        .err(&[
            "-n",
            "demo",
            "--url",
            "postgres://pfs:s3cret@127.0.0.1:1/opdb",
            "current",
        ])
        .await;
    assert!(
        e.contains("cannot connect to postgres://pfs:***@127.0.0.1:1/opdb"),
        "{e}"
    );
    assert!(!e.contains("s3cret"));
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn every_command_and_option_has_help() {
    use clap::CommandFactory;
    let cmd = Cli::command();
    cmd.clone().debug_assert();
    assert!(cmd.get_about().is_some());
    for sub in cmd.get_subcommands() {
        assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
        for arg in sub.get_arguments() {
            assert!(
                arg.get_help().is_some() || arg.get_id() == "help",
                "{} {} has no help",
                sub.get_name(),
                arg.get_id()
            );
        }
    }
    for arg in cmd.get_arguments() {
        assert!(arg.get_help().is_some() || ["help", "version"].contains(&arg.get_id().as_str()));
    }
}

/// Renaming a referenced table, changing a primary key's column order and a partial unique
/// index, each way, with rows in place.
#[tokio::test]
async fn table_renames_key_changes_and_partial_indexes() {
    let p = Project::new("moreops");
    for (url, _guard) in databases("moreops", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        p.upgrade("moreops", &url, "b2b2b2b2b2b2").await;
        db.execute_unprepared(
            "INSERT INTO instrument (name) VALUES ('PFS');
             INSERT INTO exposure VALUES (1, 1, 30.0, 'a'), (2, 1, 60.0, NULL), (3, 1, 1.0, NULL)",
        )
        .await
        .unwrap();
        p.upgrade("moreops", &url, "head").await;
        assert_eq!(tables(&db).await, ids(&["camera", "exposure"]));
        assert_eq!(
            scalar(
                &db,
                "SELECT count(*) FROM exposure JOIN camera ON camera.id = exposure.instrument_id"
            )
            .await,
            3
        );
        let pk = match db.get_database_backend() {
            DbBackend::Postgres => {
                let live = migration::introspect::introspect(&db, "public")
                    .await
                    .unwrap();
                live.schema.tables["exposure"]
                    .primary_key_columns()
                    .to_vec()
            }
            _ => {
                let rows = db
                    .query_all_raw(Statement::from_string(
                        DbBackend::Sqlite,
                        "SELECT name FROM pragma_table_info('exposure') WHERE pk > 0 ORDER BY pk",
                    ))
                    .await
                    .unwrap();
                rows.iter()
                    .map(|r| r.try_get::<String>("", "name").unwrap())
                    .collect()
            }
        };
        assert_eq!(pk, ids(&["instrument_id", "exposure_id"]));
        // The partial unique index allows many NULLs but not a repeated note.
        assert!(db
            .execute_unprepared("INSERT INTO exposure VALUES (4, 1, 1.0, 'a')")
            .await
            .is_err());
        db.execute_unprepared("INSERT INTO exposure VALUES (5, 1, 1.0, NULL)")
            .await
            .unwrap();
        p.downgrade("moreops", &url, "b2b2b2b2b2b2").await;
        assert_eq!(tables(&db).await, ids(&["exposure", "instrument"]));
        assert_eq!(scalar(&db, "SELECT count(*) FROM exposure JOIN instrument ON instrument.id = exposure.instrument_id").await, 4);
        db.close().await.unwrap();
    }
}

/// Every opDB table, created through the ops and the SQLite dialect, builds on SQLite too.
#[tokio::test]
async fn the_whole_opdb_builds_on_sqlite() {
    let schema = common::opdb_entities().schema();
    let db = migration::db::connect("sqlite::memory:").await.unwrap();
    let mut model = migration::schema::Schema::default();
    let mut pending: Vec<_> = schema.tables.values().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for table in pending {
            if table
                .foreign_keys
                .iter()
                .all(|fk| model.tables.contains_key(&fk.ref_table))
            {
                let op = migration::ops::Op::CreateTable(table.clone());
                for sql in migration::ddl::render(DbBackend::Sqlite, &op, &model).unwrap() {
                    db.execute_unprepared(&sql)
                        .await
                        .unwrap_or_else(|e| panic!("{sql}: {e}"));
                }
                migration::apply::apply(&mut model, &op).unwrap();
            } else {
                rest.push(table);
            }
        }
        assert!(rest.len() < before, "foreign keys form a cycle");
        pending = rest;
    }
    assert_eq!(tables(&db).await.len(), 61);
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'"
        )
        .await,
        10
    );
}

/// A revision of statements alone fails at its third statement: PostgreSQL gets the whole
/// revision in one message, and the error still names the step and the statement that failed;
/// nothing of the revision remains, on either backend.
#[tokio::test]
async fn a_failing_statement_is_named_and_rolled_back() {
    let p = Project::new("failing_ddl");
    for (url, _guard) in databases("failing_ddl", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        let e = p
            .err(&["-n", "brokenddl", "--url", &url, "upgrade", "head"])
            .await;
        assert!(
            e.contains(
                "upgrade of revision h8h8h8h8h8h8 (alembic/brokenddl/versions/h8_fails_in_ddl.rs) \
                 failed and was rolled back; the database stays at b2b2b2b2b2b2"
            ) && e.contains("step 3: ")
                && e.contains("no_such_table"),
            "{e}"
        );
        // PostgreSQL names the statement the server refused; SQLite's runner refuses the
        // step before sending it (it renders from the tables it knows).
        if db.get_database_backend() == DbBackend::Postgres {
            assert!(
                e.contains("step 3: statement `ALTER TABLE no_such_table ADD COLUMN x integer`")
                    && e.contains("relation \"no_such_table\" does not exist"),
                "{e}"
            );
        }
        assert_eq!(versions(&db).await, ids(&["b2b2b2b2b2b2"]));
        assert_eq!(tables(&db).await, ids(&["exposure", "instrument"]));
        assert_eq!(exposure_columns(&db).await, 4, "no added column remains");
        let applied = p.applied("brokenddl", &url).await;
        assert_eq!(applied.len(), 2, "{applied:?}");
        // The session is usable after the failed message: the lock was released and the
        // next run gets it and fails the same way, not on a broken connection.
        let again = p
            .err(&["-n", "brokenddl", "--url", &url, "upgrade", "head"])
            .await;
        assert!(again.contains("step 3: "), "{again}");
        db.close().await.unwrap();
    }
}

/// Columns that raw SQL added (in an earlier revision, and earlier in the same one) survive a
/// SQLite table rebuild with their values: the runner rebuilds the table as the database has
/// it, not as the revisions' own ops would have left it.
#[tokio::test]
async fn a_rebuild_keeps_columns_that_raw_sql_added() {
    let p = Project::new("rawsql");
    for (url, _guard) in databases("rawsql", &p).await {
        let db = migration::db::connect(&url).await.unwrap();
        p.upgrade("rawsql", &url, "m1m1m1m1m1m1").await;
        db.execute_unprepared(
            "INSERT INTO instrument (name) VALUES ('PFS');
             INSERT INTO exposure (exposure_id, instrument_id, exptime, note, raw_note)
             VALUES (1, 1, 30.0, 'n', 'kept')",
        )
        .await
        .unwrap();
        // A trigger and an index made by hand, which the rebuild must keep.
        let sqlite = url.starts_with("sqlite");
        if sqlite {
            db.execute_unprepared(
                "CREATE TABLE audit (exposure_id INTEGER);
                 CREATE TRIGGER exposure_audit AFTER INSERT ON exposure
                 BEGIN INSERT INTO audit VALUES (NEW.exposure_id); END;
                 CREATE INDEX ix_raw_note ON exposure (raw_note DESC)",
            )
            .await
            .unwrap();
        }
        // Offline, nothing tells the script of the trigger: it says so where it rebuilds.
        if sqlite {
            let script = p
                .script("rawsql", &url, Direction::Upgrade, "m1m1m1m1m1m1:head")
                .await;
            assert!(
                script.contains(
                    "-- WARNING: this rebuilds table exposure: a trigger made on it by raw SQL"
                ),
                "{script}"
            );
        }
        assert_eq!(
            p.upgrade("rawsql", &url, "head").await,
            ids(&["m2m2m2m2m2m2"])
        );
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM exposure WHERE raw_note = 'kept'").await,
            1,
            "{url}"
        );
        assert_eq!(exposure_columns(&db).await, 6, "{url}");
        // The rebuild made the default.
        db.execute_unprepared(
            "INSERT INTO exposure (exposure_id, instrument_id, late_note) VALUES (2, 1, 'x')",
        )
        .await
        .unwrap();
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM exposure WHERE note = 'none'").await,
            1
        );
        if sqlite {
            assert_eq!(
                scalar(&db, "SELECT count(*) FROM audit WHERE exposure_id = 2").await,
                1,
                "the trigger survived the rebuild and fired"
            );
            assert_eq!(
                scalar(
                    &db,
                    "SELECT count(*) FROM sqlite_master WHERE name = 'ix_raw_note' \
                     AND sql LIKE '%DESC%'"
                )
                .await,
                1,
                "the index survived the rebuild, descending"
            );
            // The raw `DROP COLUMN` of the downgrade would trip over it (SQLite's own rule).
            db.execute_unprepared("DROP INDEX ix_raw_note")
                .await
                .unwrap();
        }
        p.downgrade("rawsql", &url, "b2b2b2b2b2b2").await;
        assert_eq!(exposure_columns(&db).await, 4, "{url}");
        assert_eq!(scalar(&db, "SELECT count(*) FROM exposure").await, 2);
        db.close().await.unwrap();
    }
}

/// A serial widened by a revision's recorded op (which does not say the column is serial)
/// widens its sequence as well, online as in the `--sql` script, and narrows it back.
#[tokio::test]
async fn a_widened_serial_widens_its_sequence_online_and_offline() {
    let p = Project::new("widen");
    let Some(pg) = common::pg("widen").await else {
        return;
    };
    let script = p.script("widen", &pg.url, Direction::Upgrade, "head").await;
    assert!(
        script.contains("' AS bigint'"),
        "the offline script widens the sequence:\n{script}"
    );
    p.upgrade("widen", &pg.url, "head").await;
    let db = migration::db::connect(&pg.url).await.unwrap();
    let sequence_type = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT data_type FROM information_schema.sequences \
                 WHERE sequence_name = 'instrument_id_seq'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "data_type")
            .unwrap()
        }
    };
    assert_eq!(sequence_type(&db).await, "bigint");
    p.downgrade("widen", &pg.url, "a1a1a1a1a1a1").await;
    assert_eq!(sequence_type(&db).await, "integer");
    db.close().await.ok();
}
