//! Online upgrades on PostgreSQL (`upgrade --online`, the lock plan): the online plan builds
//! the same schema as the plain one (pg_dump judges, both directions), with every phase
//! recorded in the history table and nothing left NOT VALID or INVALID; a concurrent index
//! build that stops (a unique index over duplicates, a build whose server process is
//! terminated) leaves an INVALID index that the next run drops and builds again, going on from
//! the phase it stopped at; a lock that does not come within `lock_timeout` is waited for again
//! and then reported; a step with no online form is refused unless allowed; the hand-written
//! online ops run in phases of their own outside `--online`, and on SQLite as plain ops; the
//! `--sql --online` script builds the same schema with psql.
//!
//! Revisions (`tests/fixtures/online/`): o1 (designs, visits and an index), o2 (an index, a
//! foreign key, a check, a NOT NULL and a unique constraint added, an index dropped), o3 (a
//! type change that rewrites visits), o4 (o2's changes written with the online ops).

mod common;

use migration::commands::{self, RunOutcome};
use migration::runtime::{Direction, RunMode};
use migration::script::{CompiledScripts, ScriptDir};
use std::path::{Path, PathBuf};

#[path = "fixtures/online/o1_tables.rs"]
mod o1;
#[path = "fixtures/online/o2_keys.rs"]
mod o2;
#[path = "fixtures/online/o3_retype.rs"]
mod o3;
#[path = "fixtures/online/o4_by_hand.rs"]
mod o4;
#[path = "fixtures/online/o5_nothing.rs"]
mod o5;

fn revision(file: &str) -> migration::script::CompiledRevision {
    match file {
        "o1_tables.rs" => migration::compiled_revision!(
            "o1_tables.rs",
            include_str!("fixtures/online/o1_tables.rs"),
            o1
        ),
        "o2_keys.rs" => migration::compiled_revision!(
            "o2_keys.rs",
            include_str!("fixtures/online/o2_keys.rs"),
            o2
        ),
        "o3_retype.rs" => migration::compiled_revision!(
            "o3_retype.rs",
            include_str!("fixtures/online/o3_retype.rs"),
            o3
        ),
        "o5_nothing.rs" => migration::compiled_revision!(
            "o5_nothing.rs",
            include_str!("fixtures/online/o5_nothing.rs"),
            o5
        ),
        _ => migration::compiled_revision!(
            "o4_by_hand.rs",
            include_str!("fixtures/online/o4_by_hand.rs"),
            o4
        ),
    }
}

/// Script directories: `keys` (o1, o2, o3, o5) and `byhand` (o1, o4).
const SCRIPTS: [(&str, &[&str]); 2] = [
    (
        "keys",
        &[
            "o1_tables.rs",
            "o2_keys.rs",
            "o3_retype.rs",
            "o5_nothing.rs",
        ],
    ),
    ("byhand", &["o1_tables.rs", "o4_by_hand.rs"]),
];

struct Project {
    root: PathBuf,
    scripts: Vec<CompiledScripts>,
}

impl Project {
    fn new(test: &str, settings: &str) -> Project {
        let root = std::env::temp_dir().join(format!("opdb-online-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (name, files) in SCRIPTS {
            let dir = root.join("alembic").join(name);
            std::fs::create_dir_all(dir.join("versions")).unwrap();
            std::fs::write(dir.join("alembic.toml"), settings).unwrap();
            for file in files {
                let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/online")
                    .join(file);
                std::fs::copy(&src, dir.join("versions").join(file)).unwrap();
            }
        }
        let scripts = SCRIPTS
            .iter()
            .map(|(name, files)| CompiledScripts {
                database: name,
                revisions: files.iter().map(|f| revision(f)).collect(),
                settings: None,
            })
            .collect();
        Project { root, scripts }
    }

    /// `upgrade`/`downgrade TARGET` of script directory `name`: the versions it leaves (or its
    /// error, on one line, as the binary prints it), and what it printed.
    async fn run(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        target: &str,
        mode: RunMode,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<Vec<String>, String> {
        let run = async {
            let dir = ScriptDir::open(&self.root, name)?;
            let project =
                commands::Project::new(&self.root, &dir, &self.scripts, &[], Some(url.into()))?;
            let options = commands::migrate::MigrateOptions {
                mode,
                ..Default::default()
            };
            Box::pin(commands::migrate::migrate_with(
                &project, direction, target, &options, out,
            ))
            .await
        };
        match Box::pin(run).await {
            Ok(RunOutcome::At(versions)) => Ok(versions),
            // Several schemas: `schema version` each.
            Ok(RunOutcome::AtEach(each)) => Ok(each
                .into_iter()
                .flat_map(|(schema, vs)| vs.into_iter().map(move |v| format!("{schema} {v}")))
                .collect()),
            Ok(other) => panic!("versions expected, got {other:?}"),
            Err(e) => Err(migration::cli::one_line(&e)),
        }
    }

    async fn output(
        &self,
        name: &str,
        url: &str,
        direction: Direction,
        target: &str,
        mode: RunMode,
    ) -> (Result<Vec<String>, String>, String) {
        let mut out = Vec::new();
        let result = self.run(name, url, direction, target, mode, &mut out).await;
        (result, String::from_utf8(out).unwrap())
    }

    /// [`Project::output`] that must succeed.
    async fn to(&self, name: &str, url: &str, direction: Direction, target: &str, mode: RunMode) {
        let (at, out) = self.output(name, url, direction, target, mode).await;
        if let Err(e) = at {
            panic!("{direction:?} {target}: {e}\n{out}");
        }
    }

    /// The database at `url` at o1 of script directory `name`, filled ([`fill`]).
    async fn filled_at_o1(&self, name: &str, url: &str, duplicates: bool) {
        self.to(name, url, Direction::Upgrade, "o1o1", PLAIN).await;
        fill(url, duplicates);
    }

    /// `db` and its `twin` filled at o1, the twin taken on to o2 by `mode`: what `db` is to
    /// look like once its own run is done.
    async fn twins(&self, twin: &str, db: &str, mode: RunMode) {
        for url in [twin, db] {
            self.filled_at_o1("keys", url, false).await;
        }
        self.to("keys", twin, Direction::Upgrade, "o2o2", mode)
            .await;
    }

    /// The `--sql` script of `range`.
    async fn script(&self, name: &str, url: &str, range: &str, online: bool) -> String {
        let dir = ScriptDir::open(&self.root, name).unwrap();
        let project =
            commands::Project::new(&self.root, &dir, &self.scripts, &[], Some(url.into())).unwrap();
        let options = commands::migrate::MigrateOptions {
            sql: true,
            mode: RunMode {
                online,
                allow_blocking: false,
            },
            ..Default::default()
        };
        let outcome = commands::migrate::migrate_with(
            &project,
            Direction::Upgrade,
            range,
            &options,
            &mut std::io::sink(),
        )
        .await
        .unwrap();
        match outcome {
            RunOutcome::Script(s) => s,
            other => panic!("a script expected, got {other:?}"),
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

const ONLINE: RunMode = RunMode {
    online: true,
    allow_blocking: false,
};
const PLAIN: RunMode = RunMode {
    online: false,
    allow_blocking: false,
};

/// What `sql` returns, one line per row (fields joined by `|`), read by psql.
fn rows(url: &str, sql: &str) -> Vec<String> {
    let out = std::process::Command::new("psql")
        .args(["-XAt", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// 300 designs and 3,000 visits, each visit with a design, a seeing and its own `seq`
/// (`duplicates`: two visits share one).
fn fill(url: &str, duplicates: bool) {
    fill_in(url, "public", duplicates)
}

/// [`fill`] in `schema`.
fn fill_in(url: &str, schema: &str, duplicates: bool) {
    common::psql_script(
        url,
        &format!(
            "SET search_path TO {schema};\n\
             INSERT INTO design SELECT i, 'd' || i FROM generate_series(1, 300) i;\n\
             INSERT INTO visit SELECT i, 1 + i % 300, (i % 17) / 10.0, i, 'n' || (i % 50)\n\
             FROM generate_series(1, 3000) i;\n{}",
            if duplicates {
                "UPDATE visit SET seq = 1 WHERE id = 2;\n"
            } else {
                ""
            }
        ),
    );
}

/// The schema pg_dump shows, without opdb's history (whose rows differ by design).
fn dump(url: &str) -> String {
    common::pg_dump_schema(url)
}

/// Constraints not validated and indexes not valid, and the checks that stand in for NOT NULL.
fn leftovers(url: &str) -> Vec<String> {
    let mut found = rows(
        url,
        "SELECT 'not valid ' || conname FROM pg_constraint WHERE NOT convalidated \
         UNION ALL SELECT 'invalid ' || indexrelid::regclass FROM pg_index WHERE NOT indisvalid \
         UNION ALL SELECT 'check ' || conname FROM pg_constraint WHERE conname LIKE '%not_null'",
    );
    found.sort();
    found
}

/// Asserts that the database at `url` has its twin's schema, with nothing left INVALID, NOT
/// VALID or standing in for NOT NULL.
fn same_as_twin(url: &str, twin: &str) {
    assert_eq!(dump(url), dump(twin));
    assert!(leftovers(url).is_empty(), "{:?}", leftovers(url));
}

/// The history rows of `revision`: direction and phase.
fn phases(url: &str, revision: &str) -> Vec<String> {
    rows(
        url,
        &format!(
            "SELECT direction || ' ' || coalesce(phase, '-') FROM opdb_history \
             WHERE revision = '{revision}' ORDER BY id"
        ),
    )
}

/// Two new databases, when a server answers and pg_dump runs (else the test is skipped, saying
/// so).
async fn two_databases(test: &str) -> Option<(common::TestDb, common::TestDb)> {
    let (Some(a), Some(b)) = (common::pg(test).await, common::pg(test).await) else {
        return None;
    };
    common::pg_dump_runs(test).then_some((a, b))
}

#[tokio::test]
async fn the_online_plan_builds_what_the_plain_plan_builds() {
    let test = "online_plain";
    let Some((plain, online)) = two_databases(test).await else {
        return;
    };
    let p = Project::new(test, "");
    for db in [&plain, &online] {
        let (at, _) = p
            .output("keys", &db.url, Direction::Upgrade, "o1o1", PLAIN)
            .await;
        assert_eq!(at.unwrap(), ["o1o1o1o1o1o1"]);
        fill(&db.url, false);
    }
    let at_o1 = dump(&plain.url);
    let (at, out) = p
        .output("keys", &plain.url, Direction::Upgrade, "o2o2", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o2o2o2o2o2o2"], "{out}");
    // The plain plan says what blocks writers before it starts.
    assert!(
        out.contains("Steps that block writers")
            && out.contains(
                "step 1, add index visit_seeing_idx on visit: scans visit under SHARE (writes \
                 wait); online: CREATE INDEX CONCURRENTLY"
            ),
        "{out}"
    );
    let (at, out) = p
        .output("keys", &online.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    assert_eq!(at.unwrap(), ["o2o2o2o2o2o2"], "{out}");
    assert!(out.starts_with("Online plan:"), "{out}");
    assert!(
        out.contains(
            "phase 1/11, outside a transaction (step 1): add index visit_seeing_idx on \
                      visit concurrently"
        ) && out.contains("(step 2): validate constraint visit_design_id_fkey of visit")
            && out.contains("phase 11/11"),
        "{out}"
    );
    assert_eq!(dump(&online.url), dump(&plain.url));
    assert!(
        leftovers(&online.url).is_empty(),
        "{:?}",
        leftovers(&online.url)
    );
    // Every phase recorded: the start, then each of the eleven, the last with the version.
    let recorded = phases(&online.url, "o2o2o2o2o2o2");
    let expected: Vec<String> = (0..=11).map(|k| format!("upgrade {k}/11 online")).collect();
    assert_eq!(recorded, expected);
    assert_eq!(phases(&plain.url, "o2o2o2o2o2o2"), ["upgrade -"]);
    // And back, online and plain: both at o1's schema again.
    let (at, out) = p
        .output("keys", &online.url, Direction::Downgrade, "o1o1", ONLINE)
        .await;
    assert_eq!(at.unwrap(), ["o1o1o1o1o1o1"], "{out}");
    let (at, _) = p
        .output("keys", &plain.url, Direction::Downgrade, "o1o1", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o1o1o1o1o1o1"]);
    assert_eq!(dump(&online.url), at_o1);
    assert_eq!(dump(&plain.url), at_o1);
    assert!(leftovers(&online.url).is_empty());
}

#[tokio::test]
async fn an_interrupted_concurrent_index_is_dropped_and_built_again() {
    let test = "online_invalid";
    let Some((twin, db)) = two_databases(test).await else {
        return;
    };
    let p = Project::new(test, "");
    for (d, duplicates) in [(&twin, false), (&db, true)] {
        p.filled_at_o1("keys", &d.url, duplicates).await;
    }
    p.to("keys", &twin.url, Direction::Upgrade, "o2o2", PLAIN)
        .await;
    // The unique index over two equal seqs fails after PostgreSQL made it: INVALID.
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    let e = at.unwrap_err();
    assert!(
        e.contains("upgrade of revision o2o2o2o2o2o2 (alembic/keys/versions/o2_keys.rs) stopped")
            && e.contains("phase 9 of 11 (step 5)")
            && e.contains("could not create unique index \"visit_seq_key\"")
            && e.contains(
                "the database stays at o1o1o1o1o1o1, with phases 1-8 of 11 of revision \
                 o2o2o2o2o2o2 committed (run the same command again to go on from phase 9)"
            ),
        "{e}\n{out}"
    );
    assert_eq!(leftovers(&db.url), ["invalid visit_seq_key"]);
    assert_eq!(
        rows(&db.url, "SELECT version_num FROM alembic_version"),
        ["o1o1o1o1o1o1"]
    );
    assert_eq!(
        phases(&db.url, "o2o2o2o2o2o2").last().map(String::as_str),
        Some("upgrade 8/11 online")
    );
    // opdb's own reading of the database names the leftover as a difference.
    let read = migration::introspect::postgres::introspect(&db.connect().await, "public")
        .await
        .unwrap();
    let named: Vec<String> = read.schema.unmodelled.iter().map(|o| o.warning()).collect();
    assert!(
        named.iter().any(|w| w.starts_with(
            "invalid index visit_seq_key on visit: a CREATE \
                                            INDEX CONCURRENTLY that did not finish"
        )),
        "{named:?}"
    );
    // Nothing else moves until the revision is finished.
    let (at, _) = p
        .output("keys", &db.url, Direction::Downgrade, "base", PLAIN)
        .await;
    let e = at.unwrap_err();
    assert!(
        e.contains(
            "revision o2o2o2o2o2o2 (alembic/keys/versions/o2_keys.rs) stopped after phase 8 of 11 \
                    of its upgrade and must be finished first: run `opdb upgrade o2o2o2o2o2o2`"
        ),
        "{e}"
    );
    // With the duplicate gone, the same command goes on: the INVALID index is dropped and
    // built again (the plain command follows the plan the stopped run had).
    common::psql_script(&db.url, "UPDATE visit SET seq = 2 WHERE id = 2;");
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "head", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o5o5o5o5o5o5"], "{out}");
    assert!(
        out.contains("going on after phase 8 of 11")
            && out.contains(
                "index visit_seq_key on visit is INVALID (a concurrent build that did not \
                 finish): dropping it to build it again"
            )
            && !out.contains("phase 8/11 ("),
        "{out}"
    );
    p.to("keys", &twin.url, Direction::Upgrade, "head", PLAIN)
        .await;
    same_as_twin(&db.url, &twin.url);
}

#[tokio::test]
async fn a_build_whose_server_process_ends_is_recovered() {
    let test = "online_terminated";
    let Some((twin, db)) = two_databases(test).await else {
        return;
    };
    // Long enough for the build to wait for the open transaction below.
    let p = Project::new(test, "lock_timeout = \"60s\"\n");
    p.twins(&twin.url, &db.url, PLAIN).await;
    // A transaction with a snapshot: a concurrent build waits for it after making its index.
    let mut holder = std::process::Command::new("psql")
        .args(["-XAtq", "-d", &db.url])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let stdin = holder.stdin.as_mut().unwrap();
        stdin
            .write_all(b"BEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT count(*) FROM design;\n")
            .unwrap();
        stdin.flush().unwrap();
    }
    let held = "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' \
                AND datname = current_database()";
    for _ in 0..600 {
        if rows(&db.url, held) == ["1"] {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(rows(&db.url, held), ["1"], "the transaction never started");
    let url = db.url.clone();
    let killer = tokio::task::spawn_blocking(move || {
        // The build's index is there and INVALID while it waits: end its server process.
        for _ in 0..600 {
            let waiting = rows(
                &url,
                "SELECT pid FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' \
                 AND wait_event_type = 'Lock' AND EXISTS (SELECT FROM pg_index \
                 WHERE indexrelid = to_regclass('visit_seeing_idx') AND NOT indisvalid)",
            );
            if let Some(pid) = waiting.first() {
                rows(&url, &format!("SELECT pg_terminate_backend({pid})"));
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    });
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    assert!(killer.await.unwrap(), "the build never waited");
    let _ = holder.kill();
    let _ = holder.wait();
    let e = at.unwrap_err();
    assert!(
        e.contains("phase 1 of 11 (step 1)") && e.contains("the database stays at o1o1o1o1o1o1"),
        "{e}\n{out}"
    );
    assert_eq!(leftovers(&db.url), ["invalid visit_seeing_idx"]);
    // Started, nothing committed: the next run starts the revision over and rebuilds.
    assert_eq!(phases(&db.url, "o2o2o2o2o2o2"), ["upgrade 0/11 online"]);
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    assert_eq!(at.unwrap(), ["o2o2o2o2o2o2"], "{out}");
    assert!(
        out.contains("going on from phase 1 of 11 (the stopped run committed none)")
            && out.contains("index visit_seeing_idx on visit is INVALID"),
        "{out}"
    );
    let expected: Vec<String> = (0..=11).map(|k| format!("upgrade {k}/11 online")).collect();
    assert_eq!(phases(&db.url, "o2o2o2o2o2o2"), expected);
    same_as_twin(&db.url, &twin.url);
}

/// Output that signals once it has seen `text`.
struct Watch {
    text: &'static str,
    seen: Vec<u8>,
    tell: Option<tokio::sync::oneshot::Sender<()>>,
}

impl std::io::Write for Watch {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.seen.extend_from_slice(buf);
        if String::from_utf8_lossy(&self.seen).contains(self.text) {
            if let Some(tell) = self.tell.take() {
                let _ = tell.send(());
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_lock_that_does_not_come_is_waited_for_again_then_reported() {
    let test = "online_lock";
    let Some(db) = common::pg(test).await else {
        return;
    };
    let p = Project::new(test, "lock_timeout = \"100ms\"\nlock_retries = 2\n");
    p.to("keys", &db.url, Direction::Upgrade, "o1o1", PLAIN)
        .await;
    fill(&db.url, false);
    let holder = migration::db::connect(&db.url).await.unwrap();
    use sea_orm::{ConnectionTrait, TransactionTrait};
    // design held in SHARE mode: the index build on visit (phase 1) goes by, the foreign key
    // into design (phase 2) does not get its lock. Held for the whole run: three tries, then
    // the run stops with phase 1 committed.
    let hold = "LOCK TABLE design IN SHARE MODE";
    let txn = holder.begin().await.unwrap();
    txn.execute_unprepared(hold).await.unwrap();
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    let e = at.unwrap_err();
    assert!(
        e.contains("phase 2 of 11 (step 2) (no lock within lock_timeout 100ms in 3 tries")
            && e.contains("canceling statement due to lock timeout")
            && e.contains(
                "the database stays at o1o1o1o1o1o1, with phase 1 of 11 of revision o2o2o2o2o2o2 \
                 committed"
            ),
        "{e}\n{out}"
    );
    assert_eq!(
        out.matches("no lock within lock_timeout (100ms)").count(),
        2,
        "{out}"
    );
    assert!(
        out.contains("try 2 of 3 in 0.5 s") && out.contains("try 3 of 3 in 1.0 s"),
        "{out}"
    );
    txn.rollback().await.unwrap();
    assert!(leftovers(&db.url).is_empty());
    // Held until the run has timed out once: the next try gets the lock, and the run goes on
    // from phase 2.
    let txn = holder.begin().await.unwrap();
    txn.execute_unprepared(hold).await.unwrap();
    let (tell, told) = tokio::sync::oneshot::channel();
    let release = tokio::spawn(async move {
        let _ = told.await;
        txn.rollback().await.unwrap();
    });
    let mut watch = Watch {
        text: "no lock within lock_timeout",
        seen: Vec::new(),
        tell: Some(tell),
    };
    let at = p
        .run(
            "keys",
            &db.url,
            Direction::Upgrade,
            "o2o2",
            ONLINE,
            &mut watch,
        )
        .await;
    let out = String::from_utf8(watch.seen).unwrap();
    assert_eq!(at.unwrap(), ["o2o2o2o2o2o2"], "{out}");
    assert!(out.contains("going on after phase 1 of 11"), "{out}");
    assert_eq!(
        out.matches("no lock within lock_timeout").count(),
        1,
        "{out}"
    );
    release.await.unwrap();
    holder.close().await.ok();
    assert!(leftovers(&db.url).is_empty());
}

#[tokio::test]
async fn a_step_with_no_online_form_is_refused_unless_allowed() {
    let test = "online_refused";
    let Some(db) = common::pg(test).await else {
        return;
    };
    let p = Project::new(test, "");
    p.to("keys", &db.url, Direction::Upgrade, "o2o2", PLAIN)
        .await;
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "head", ONLINE)
        .await;
    let e = at.unwrap_err();
    assert_eq!(
        e,
        "--online: 1 step has no online form and would block writers: revision o3o3o3o3o3o3 \
         step 1, alter column visit.seq: type bigint: rewrites visit under ACCESS EXCLUSIVE \
         (reads and writes wait): no online form, needs a maintenance window; run it in a \
         maintenance window without --online, or add --allow-blocking to run it blocking; \
         nothing was changed",
        "{out}"
    );
    assert_eq!(
        rows(&db.url, "SELECT version_num FROM alembic_version"),
        ["o2o2o2o2o2o2"]
    );
    assert_eq!(
        rows(
            &db.url,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
                       WHERE attrelid = 'visit'::regclass AND attname = 'seq'"
        ),
        ["integer"]
    );
    let allowed = RunMode {
        online: true,
        allow_blocking: true,
    };
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "head", allowed)
        .await;
    // o5, which has no steps, follows o3 in the same online run.
    assert_eq!(at.unwrap(), ["o5o5o5o5o5o5"], "{out}");
    assert_eq!(phases(&db.url, "o5o5o5o5o5o5"), ["upgrade -"]);
    assert_eq!(
        rows(
            &db.url,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
                       WHERE attrelid = 'visit'::regclass AND attname = 'seq'"
        ),
        ["bigint"]
    );
    // SQLite has no online plan.
    let file = p.root.join("refused.sqlite");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let (at, _) = p
        .output("keys", &url, Direction::Upgrade, "head", ONLINE)
        .await;
    assert!(at
        .unwrap_err()
        .starts_with("--online is for PostgreSQL: SQLite locks the whole file"),);
    assert!(!file.exists());
}

#[tokio::test]
async fn online_ops_written_by_hand_run_in_phases_and_on_sqlite() {
    let test = "online_by_hand";
    let Some((db, scripted)) = two_databases(test).await else {
        return;
    };
    let p = Project::new(test, "");
    for d in [&db, &scripted] {
        p.filled_at_o1("byhand", &d.url, false).await;
    }
    // Without --online: the concurrent builds are phases of their own, outside transactions.
    let (at, out) = p
        .output("byhand", &db.url, Direction::Upgrade, "head", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o4o4o4o4o4o4"], "{out}");
    assert!(
        out.contains(
            "phase 1/8, outside a transaction (step 1): add index visit_seeing_idx on visit \
             concurrently"
        ) && out.contains("phase 3/8 (step 3): validate constraint visit_design_id_fkey of visit")
            && out.contains("phase 5/8 (step 5): validate constraint visit_seeing_check of visit")
            && out.contains(
                "phase 8/8, outside a transaction (step 8): drop index visit_note_idx of visit \
                 concurrently"
            ),
        "{out}"
    );
    let expected: Vec<String> = (0..=8).map(|k| format!("upgrade {k}/8")).collect();
    assert_eq!(phases(&db.url, "o4o4o4o4o4o4"), expected);
    let schema = dump(&db.url);
    for expected in [
        "CREATE INDEX visit_seeing_idx ON public.visit USING btree (seeing);",
        "ADD CONSTRAINT visit_seq_key UNIQUE (seq);",
        "CONSTRAINT visit_seeing_check CHECK ((seeing >= (0)::double precision))",
        "ADD CONSTRAINT visit_design_id_fkey FOREIGN KEY (design_id) REFERENCES public.design(id);",
    ] {
        assert!(schema.contains(expected), "{expected}\n{schema}");
    }
    assert!(!schema.contains("visit_note_idx"));
    assert!(leftovers(&db.url).is_empty());
    // Its `--sql` script, run by psql from o1, builds the same.
    let script = p.script("byhand", &scripted.url, "o1o1:head", false).await;
    common::psql_script(&scripted.url, &script);
    assert_eq!(dump(&scripted.url), schema);
    // On SQLite, the plain ops they stand for.
    let file = p.root.join("byhand.sqlite");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let (at, out) = p
        .output("byhand", &url, Direction::Upgrade, "head", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o4o4o4o4o4o4"], "{out}");
    let stored = common::sqlite_schema(&url).await;
    for expected in [
        "visit_seeing_idx",
        "visit_seq_key",
        "seeing>=0",
        "referencesdesign",
    ] {
        assert!(stored.contains(expected), "{expected}\n{stored}");
    }
    assert!(!stored.contains("visit_note_idx"), "{stored}");
}

#[tokio::test]
async fn the_online_script_builds_what_the_runner_builds() {
    let test = "online_script";
    let Some((ran, scripted)) = two_databases(test).await else {
        return;
    };
    let p = Project::new(test, "");
    for d in [&ran, &scripted] {
        p.filled_at_o1("keys", &d.url, false).await;
    }
    p.to("keys", &ran.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    let script = p.script("keys", &scripted.url, "o1o1:o2o2", true).await;
    assert!(
        script.contains("CREATE INDEX CONCURRENTLY visit_seeing_idx ON visit (seeing);")
            && script.contains("NOT VALID;")
            && script.contains("SET LOCAL lock_timeout = 2000;"),
        "{script}"
    );
    common::psql_script(&scripted.url, &script);
    assert_eq!(dump(&scripted.url), dump(&ran.url));
    assert!(leftovers(&scripted.url).is_empty());
}

#[tokio::test]
async fn an_index_built_but_not_recorded_is_kept() {
    let test = "online_kept";
    let Some((twin, db)) = two_databases(test).await else {
        return;
    };
    let p = Project::new(test, "");
    p.twins(&twin.url, &db.url, ONLINE).await;
    // What a run killed right after its first phase's build, before recording it, leaves: the
    // start row, and the index, valid.
    common::psql_script(
        &db.url,
        "CREATE INDEX visit_seeing_idx ON visit (seeing);\n\
         INSERT INTO opdb_history (revision, direction, started_at, finished_at, who, \
         tool_version, phase) VALUES ('o2o2o2o2o2o2', 'upgrade', now(), now(), 'test', '0', \
         '0/11 online');",
    );
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", PLAIN)
        .await;
    assert_eq!(at.unwrap(), ["o2o2o2o2o2o2"], "{out}");
    assert!(
        out.contains("going on from phase 1 of 11")
            && out
                .contains("index visit_seeing_idx on visit was built by the interrupted run: kept")
            && out.contains("phase 11/11"),
        "{out}"
    );
    same_as_twin(&db.url, &twin.url);
}

#[tokio::test]
async fn a_revision_stopped_in_one_schema_holds_every_schema() {
    let test = "online_schemas";
    let Some(db) = common::pg(test).await else {
        return;
    };
    let p = Project::new(test, "schemas = [\"a\", \"b\"]\n");
    p.to("keys", &db.url, Direction::Upgrade, "o1o1", PLAIN)
        .await;
    // a's visits hold two equal seqs, so its unique index fails; b's do not.
    fill_in(&db.url, "a", true);
    fill_in(&db.url, "b", false);
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    let e = at.unwrap_err();
    assert!(
        e.starts_with("schema a: upgrade of revision o2o2o2o2o2o2") && e.contains("phase 9 of 11"),
        "{e}\n{out}"
    );
    let version = |schema: &str| {
        rows(
            &db.url,
            &format!("SELECT version_num FROM {schema}.alembic_version"),
        )
    };
    assert_eq!(version("a"), ["o1o1o1o1o1o1"]);
    assert_eq!(version("b"), ["o1o1o1o1o1o1"]);
    // A downgrade takes b first, then a: refused before b moves, naming a.
    let (at, out) = p
        .output("keys", &db.url, Direction::Downgrade, "base", PLAIN)
        .await;
    let e = at.unwrap_err();
    assert!(
        e.starts_with(
            "schema a: revision o2o2o2o2o2o2 (alembic/keys/versions/o2_keys.rs) stopped after \
             phase 8 of 11 of its upgrade and must be finished first"
        ),
        "{e}\n{out}"
    );
    assert_eq!(version("b"), ["o1o1o1o1o1o1"]);
    assert_eq!(
        rows(&db.url, "SELECT to_regclass('b.visit') IS NOT NULL"),
        ["t"]
    );
    // Fixed, the same upgrade finishes a and then does b.
    common::psql_script(&db.url, "UPDATE a.visit SET seq = 2 WHERE id = 2;");
    let (at, out) = p
        .output("keys", &db.url, Direction::Upgrade, "o2o2", ONLINE)
        .await;
    assert_eq!(at.unwrap(), ["a o2o2o2o2o2o2", "b o2o2o2o2o2o2"], "{out}");
    assert!(out.contains("going on after phase 8 of 11"), "{out}");
    assert!(leftovers(&db.url).is_empty());
}
