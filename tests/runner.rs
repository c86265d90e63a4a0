//! The runner under stress, on SQLite and PostgreSQL: a run killed with SIGKILL keeps every
//! revision it committed; a second run waits for the first (beyond SQLite's 5 s busy timeout)
//! or gives up after `lock_wait` with a message and no change; a server that stops answering
//! mid-run ends in an error naming `statement_timeout`, not a hang; a failing data migration
//! names the error it returned.
//!
//! Revisions: the engine's a1 and b2, then `tests/fixtures/runner/`: h8 (a data migration that
//! sleeps 6 s after a marker statement), j9 (a data migration that fails) and k0 (a deferred
//! foreign key broken at COMMIT).

mod common;

use migration::cli;
use migration::commands;
use migration::runtime::Direction;
use migration::script::CompiledScripts;
use migration::script::ScriptDir;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[path = "fixtures/revisions/a1_instrument.rs"]
mod a1;
#[path = "fixtures/revisions/b2_exposure.rs"]
mod b2;
#[path = "fixtures/runner/h8_slow.rs"]
mod h8;
#[path = "fixtures/runner/j9_bad_data.rs"]
mod j9;
#[path = "fixtures/runner/k0_deferred.rs"]
mod k0;

/// (file under tests/fixtures, compiled revision)
fn revisions(names: &[&str]) -> Vec<(&'static str, migration::script::CompiledRevision)> {
    let all = [
        (
            "revisions/a1_instrument.rs",
            migration::compiled_revision!(
                "a1_instrument.rs",
                include_str!("fixtures/revisions/a1_instrument.rs"),
                a1
            ),
        ),
        (
            "revisions/b2_exposure.rs",
            migration::compiled_revision!(
                "b2_exposure.rs",
                include_str!("fixtures/revisions/b2_exposure.rs"),
                b2
            ),
        ),
        (
            "runner/h8_slow.rs",
            migration::compiled_revision!(
                "h8_slow.rs",
                include_str!("fixtures/runner/h8_slow.rs"),
                h8
            ),
        ),
        (
            "runner/k0_deferred.rs",
            migration::compiled_revision!(
                "k0_deferred.rs",
                include_str!("fixtures/runner/k0_deferred.rs"),
                k0
            ),
        ),
        (
            "runner/j9_bad_data.rs",
            migration::compiled_revision!(
                "j9_bad_data.rs",
                include_str!("fixtures/runner/j9_bad_data.rs"),
                j9
            ),
        ),
    ];
    all.into_iter()
        .filter(|(f, _)| names.iter().any(|n| f.ends_with(n)))
        .collect()
}

const SCRIPTS: [(&str, [&str; 3]); 3] = [
    ("slow", ["a1_instrument.rs", "b2_exposure.rs", "h8_slow.rs"]),
    (
        "bad",
        ["a1_instrument.rs", "b2_exposure.rs", "j9_bad_data.rs"],
    ),
    (
        "deferred",
        ["a1_instrument.rs", "b2_exposure.rs", "k0_deferred.rs"],
    ),
];

fn scripts() -> Vec<CompiledScripts> {
    SCRIPTS
        .iter()
        .map(|(name, files)| CompiledScripts {
            database: name,
            revisions: revisions(files).into_iter().map(|(_, r)| r).collect(),
            settings: None,
        })
        .collect()
}

/// A project folder with one script directory `slow` (a1, b2, h8) and `bad` (a1, b2, j9).
struct Project {
    root: PathBuf,
    scripts: Vec<CompiledScripts>,
}

impl Project {
    fn new(test: &str, settings: &str) -> Project {
        let root = std::env::temp_dir().join(format!("opdb-runner-{test}-{}", std::process::id()));
        Self::at(root, settings)
    }

    fn at(root: PathBuf, settings: &str) -> Project {
        let _ = std::fs::remove_dir_all(&root);
        for (name, files) in SCRIPTS {
            let dir = root.join("alembic").join(name);
            std::fs::create_dir_all(dir.join("versions")).unwrap();
            std::fs::write(dir.join("alembic.toml"), settings).unwrap();
            for (file, _) in revisions(&files) {
                let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures")
                    .join(file);
                let name = Path::new(file).file_name().unwrap();
                std::fs::copy(&src, dir.join("versions").join(name)).unwrap();
            }
        }
        Project {
            root,
            scripts: scripts(),
        }
    }

    /// Runs `upgrade`/`downgrade TARGET` on script directory `name` through the command
    /// function, announcing on `out` as it goes: the versions it leaves, or its error in one
    /// line as the binary prints it.
    async fn migrate(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        target: &str,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<Vec<String>, String> {
        common::migrate(&self.root, &self.scripts, name, url, direction, target, out)
            .await
            .map_err(|e| cli::one_line(&e))
    }

    /// [`Project::migrate`] with what it announced.
    async fn output(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        target: &str,
    ) -> (Result<Vec<String>, String>, String) {
        let mut out = Vec::new();
        let result = self.migrate(name, url, direction, target, &mut out).await;
        (result, String::from_utf8(out).unwrap())
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn versions(url: &str) -> Vec<String> {
    let db = migration::db::connect(url).await.unwrap();
    let v = migration::runtime::read_versions(&db, &migration::config::Config::default())
        .await
        .unwrap();
    db.close().await.ok();
    v
}

/// SQLite (a file in the project) and, when a server answers, a PostgreSQL database.
async fn databases(test: &str, p: &Project) -> Vec<(String, Option<common::TestDb>)> {
    let file = p.root.join(format!("{test}.sqlite"));
    let mut dbs = vec![(format!("sqlite://{}?mode=rwc", file.display()), None)];
    if let Some(pg) = common::pg(test).await {
        dbs.push((pg.url.clone(), Some(pg)));
    }
    dbs
}

/// What the killed child runs: `upgrade head` on the project and database the parent names,
/// printing as it goes. Not a test of its own.
#[tokio::test]
#[ignore = "run as a child process by a_killed_run_keeps_every_committed_revision"]
async fn child_upgrade() {
    let (Ok(root), Ok(url)) = (
        std::env::var("OPDB_CHILD_ROOT"),
        std::env::var("OPDB_CHILD_URL"),
    ) else {
        return;
    };
    let p = Project {
        root: root.into(),
        scripts: scripts(),
    };
    let mut out = std::io::stdout();
    if let Err(e) = p
        .migrate("slow", &url, Direction::Upgrade, "head", &mut out)
        .await
    {
        println!("error: {e}");
    }
    std::mem::forget(p);
}

/// Starts `child_upgrade` in a process of its own, its output piped.
fn spawn_child(root: &Path, url: &str) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_upgrade",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OPDB_CHILD_ROOT", root)
        .env("OPDB_CHILD_URL", url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn a_killed_run_keeps_every_committed_revision() {
    let p = Project::new("killed", "");
    for (url, _guard) in databases("killed", &p).await {
        let mut child = spawn_child(&p.root, &url);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = String::new();
        loop {
            let line = lines.next().expect("the child ended early").unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("-> h8h8h8h8h8h8") {
                break;
            }
        }
        // Inside h8's data migration, after its first statement.
        std::thread::sleep(Duration::from_millis(1500));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            seen.contains("-> a1a1a1a1a1a1") && seen.contains("-> b2b2b2b2b2b2"),
            "{seen}"
        );
        // a1 and b2 committed before the kill; h8 did not.
        assert_eq!(
            versions(&url).await,
            vec!["b2b2b2b2b2b2".to_string()],
            "{url}"
        );
        assert!(common::all_tables(&url)
            .await
            .iter()
            .any(|t| t == "exposure"));
        assert!(!common::all_tables(&url)
            .await
            .iter()
            .any(|t| t == "slow_marker"));
        // The lock died with the process: the next run goes through.
        let (r, out) = p.output("slow", &url, Direction::Upgrade, "head").await;
        r.unwrap();
        assert!(!out.contains("Waiting"), "{out}");
        assert_eq!(versions(&url).await, vec!["h8h8h8h8h8h8".to_string()]);
    }
}

#[tokio::test]
async fn a_second_run_waits_for_the_first() {
    let p = Project::new("waits", "");
    for (url, _guard) in databases("waits", &p).await {
        let first = p.output("slow", &url, Direction::Upgrade, "head");
        let second = async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            p.output("slow", &url, Direction::Upgrade, "head").await
        };
        let ((r1, out1), (r2, out2)) = tokio::join!(first, second);
        r1.unwrap_or_else(|e| panic!("first run on {url}: {e}"));
        r2.unwrap_or_else(|e| panic!("second run on {url}: {e}"));
        assert!(out1.contains("-> h8h8h8h8h8h8"), "{out1}");
        assert!(
            out2.contains("Waiting for another opdb run to finish"),
            "{out2}"
        );
        assert!(!out2.contains("Running upgrade"), "{out2}");
        assert_eq!(versions(&url).await, vec!["h8h8h8h8h8h8".to_string()]);
    }
}

#[tokio::test]
async fn a_run_gives_up_after_lock_wait() {
    let p = Project::new("gives_up", "lock_wait = 1\n");
    for (url, _guard) in databases("gives_up", &p).await {
        p.output("slow", &url, Direction::Upgrade, "b2b2b2b2b2b2")
            .await
            .0
            .unwrap();
        let first = p.output("slow", &url, Direction::Upgrade, "head");
        let second = async {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let started = Instant::now();
            let r = p.output("slow", &url, Direction::Downgrade, "base").await;
            (r, started.elapsed())
        };
        let ((r1, _), ((r2, out2), waited)) = tokio::join!(first, second);
        r1.unwrap();
        let e = r2.unwrap_err();
        assert!(
            e.contains("still holds the lock after 1 s") && e.contains("lock_wait"),
            "{e}"
        );
        assert!(out2.contains("Waiting for another opdb run"), "{out2}");
        assert!(waited < Duration::from_secs(4), "{waited:?}");
        // The downgrade changed nothing: the first run finished at head.
        assert_eq!(versions(&url).await, vec!["h8h8h8h8h8h8".to_string()]);
    }
}

#[tokio::test]
async fn a_failing_data_migration_names_its_error() {
    let p = Project::new("bad_data", "");
    for (url, _guard) in databases("bad_data", &p).await {
        let (r, _) = p.output("bad", &url, Direction::Upgrade, "head").await;
        let e = r.unwrap_err();
        assert!(
            e.contains("data migration (step 2) returned an error"),
            "{e}"
        );
        assert!(e.contains("no_such_table"), "{e}");
        assert!(e.contains("the database stays at b2b2b2b2b2b2"), "{e}");
        assert_eq!(versions(&url).await, vec!["b2b2b2b2b2b2".to_string()]);
    }
}

#[tokio::test]
async fn a_server_that_stops_answering_ends_the_run() {
    let Some(db) = common::pg("stops_answering").await else {
        return;
    };
    let test = "a_server_that_stops_answering_ends_the_run";
    let Some((proxied, frozen)) = common::through_freezing_proxy(&db, test).await else {
        return;
    };
    let p = Project::new("stops_answering", "statement_timeout = 2\n");
    // In a process of its own, as opdb runs: its connection closes when it exits.
    let started = Instant::now();
    let child = spawn_child(&p.root, &proxied);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let e = out
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(
        frozen.load(Ordering::SeqCst),
        "the proxy never froze: {out}"
    );
    assert!(
        e.contains("no answer from the server within 2 s (statement_timeout"),
        "{out}"
    );
    assert!(e.contains("the database stays at b2b2b2b2b2b2"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Directly, not through the proxy: h8 was rolled back, and its lock released.
    assert_eq!(versions(&db.url).await, vec!["b2b2b2b2b2b2".to_string()]);
    let fast = Project::new("stops_answering_after", "lock_wait = 20\n");
    let (r, out) = fast
        .output("slow", &db.url, Direction::Upgrade, "head")
        .await;
    r.unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(versions(&db.url).await, vec!["h8h8h8h8h8h8".to_string()]);
}

#[tokio::test]
async fn postgres_sessions_have_tcp_keepalive() {
    let Some(db) = common::pg("keepalive").await else {
        return;
    };
    let conn = db.connect().await;
    conn.execute_unprepared("SELECT 1").await.unwrap();
    assert!(migration::socket::keepalive_sockets() >= 1);
    // The server side too: it drops the session of a client that vanished.
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('tcp_keepalives_idle') AS idle",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "idle").unwrap(), "30");
}

#[tokio::test]
async fn a_revision_broken_at_commit_is_rolled_back_and_says_so() {
    let p = Project::new("at_commit", "");
    for (url, _guard) in databases("at_commit", &p).await {
        let (r, _) = p.output("deferred", &url, Direction::Upgrade, "head").await;
        let e = r.unwrap_err();
        // PostgreSQL finds the broken key at COMMIT; on SQLite opdb checks before committing.
        let expected = if url.starts_with("sqlite") {
            "failed and was rolled back"
        } else {
            "failed at COMMIT and was rolled back"
        };
        assert!(e.contains(expected), "{e}");
        assert!(e.contains("the database stays at b2b2b2b2b2b2"), "{e}");
        assert_eq!(versions(&url).await, vec!["b2b2b2b2b2b2".to_string()]);
        assert!(!common::all_tables(&url)
            .await
            .iter()
            .any(|t| t == "parent_row"));
    }
}

#[tokio::test]
async fn targets_that_go_the_wrong_way_are_errors() {
    let p = Project::new("wrong_way", "");
    for (url, _guard) in databases("wrong_way", &p).await {
        let read = async {
            let dir = ScriptDir::open(&p.root, "slow")?;
            let project =
                commands::Project::new(&p.root, &dir, &p.scripts, &[], Some(url.clone()))?;
            commands::inspect::applied(&project).await
        };
        let e = cli::one_line(&read.await.unwrap_err());
        assert!(e.contains("the history table opdb_history"), "{e}");
        p.output("slow", &url, Direction::Upgrade, "b2b2b2b2b2b2")
            .await
            .0
            .unwrap();
        for (direction, target, says) in [
            (Direction::Upgrade, "-1", "use downgrade"),
            (Direction::Upgrade, "base", "use downgrade"),
            (Direction::Upgrade, "a1a1a1a1a1a1", "use downgrade"),
            (Direction::Downgrade, "+1", "use upgrade"),
            (Direction::Downgrade, "head", "use upgrade"),
        ] {
            let (r, out) = p.output("slow", &url, direction, target).await;
            let e = r.expect_err(&format!("{direction:?} {target} succeeded: {out}"));
            assert!(e.contains(says), "{direction:?} {target}: {e}");
            assert_eq!(versions(&url).await, vec!["b2b2b2b2b2b2".to_string()]);
        }
    }
}
