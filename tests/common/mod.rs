//! Test support: throw-away PostgreSQL databases and the opDB model.
//!
//! Every test gets its own uniquely named database and drops it when done, so tests run in
//! parallel and leave nothing behind. Where no server answers, a test skips with a printed
//! reason, except in CI (`CI` set), where it fails.
#![allow(dead_code)]

pub mod scripts;
pub mod team_crate;

use migration::entities::EntitySet;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The server tests use; override with `OPDB_TEST_PG_URL` (a URL of any database on it).
pub fn pg_admin_url() -> String {
    std::env::var("OPDB_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Whether a missing server is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl TestDb {
    pub async fn connect(&self) -> DatabaseConnection {
        migration::db::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // One drop at a time: each forces a checkpoint, and a pile of them stalls the server
        // for the other tests' connections on a loaded machine.
        static DROPPING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = DROPPING.lock().unwrap_or_else(|e| e.into_inner());
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if !admin_blocking(&self.admin_url, &sql) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Runs `sql` on the server of `admin_url` from a thread of its own (a `Drop` runs inside the
/// test's runtime, which cannot be blocked on); whether it succeeded.
fn admin_blocking(admin_url: &str, sql: &str) -> bool {
    let (admin_url, sql) = (admin_url.to_string(), sql.to_string());
    let done = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the server's administration");
        runtime.block_on(async {
            let admin = migration::db::connect(&admin_url).await?;
            admin.execute_unprepared(&sql).await?;
            admin.close().await?;
            anyhow::Ok(())
        })
    })
    .join();
    matches!(done, Ok(Ok(())))
}

/// Login roles that exist for one test (roles belong to the whole server, so each name is the
/// test's own), dropped when it ends. Declare them before the databases that grant them
/// privileges: those are dropped first, and with them the privileges.
pub struct TestRoles {
    pub names: Vec<String>,
    admin_url: String,
}

impl TestRoles {
    /// Roles `opdb_test_<kind>_<process>_<n>` for each of `kinds`.
    pub async fn new(kinds: &[&str]) -> TestRoles {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let admin_url = pg_admin_url();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let names: Vec<String> = kinds
            .iter()
            .map(|k| format!("opdb_test_{k}_{}_{n}", std::process::id()))
            .collect();
        let admin = migration::db::connect(&admin_url).await.unwrap();
        for name in &names {
            admin
                .execute_unprepared(&format!(
                    "DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN"
                ))
                .await
                .unwrap_or_else(|e| panic!("creating role {name}: {e}"));
        }
        admin.close().await.ok();
        TestRoles { names, admin_url }
    }
}

impl Drop for TestRoles {
    fn drop(&mut self) {
        for name in &self.names {
            if !admin_blocking(&self.admin_url, &format!("DROP ROLE IF EXISTS {name}")) {
                eprintln!("warning: could not drop test role {name}");
            }
        }
    }
}

/// A project folder `opdb-<test>-<pid>` in the temporary directory holding a copy of the opDB's
/// script directory (its revisions match the binary's), with `settings` as its `alembic.toml`
/// (or the source tree's own).
pub fn opdb_project(test: &str, settings: Option<&str>) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("opdb-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let versions = root.join("alembic/opdb/versions");
    std::fs::create_dir_all(&versions).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("alembic/opdb");
    for entry in std::fs::read_dir(src.join("versions")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, versions.join(path.file_name().unwrap())).unwrap();
    }
    let toml = root.join("alembic/opdb/alembic.toml");
    match settings {
        Some(text) => std::fs::write(toml, text).unwrap(),
        None => std::fs::copy(src.join("alembic.toml"), toml)
            .map(|_| ())
            .unwrap(),
    }
    root
}

/// A TCP proxy to the PostgreSQL server that stops answering once the client sends the marker
/// (`opdb_freeze_marker`, anywhere in what it sends), as a server that hangs would; it closes the server side when the client leaves.
pub async fn freezing_proxy(
    upstream: String,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let frozen = Arc::new(AtomicBool::new(false));
    let flag = frozen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
            let frozen = flag.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let to_client = {
                    let frozen = frozen.clone();
                    tokio::spawn(async move {
                        let mut buf = vec![0u8; 65536];
                        while let Ok(n) = sr.read(&mut buf).await {
                            if n == 0 || frozen.load(Ordering::SeqCst) {
                                break;
                            }
                            if cw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        // Frozen: hold the client's socket open, say nothing.
                        std::future::pending::<()>().await;
                    })
                };
                let mut buf = vec![0u8; 65536];
                while let Ok(n) = cr.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    if buf[..n].windows(18).any(|w| w == b"opdb_freeze_marker") {
                        frozen.store(true, Ordering::SeqCst);
                    }
                    if !frozen.load(Ordering::SeqCst) && sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                // The client left: so does the server's session (and its lock).
                to_client.abort();
                drop(sw);
            });
        }
    });
    (port, frozen)
}

/// A URL of `db` through a [`freezing_proxy`] (plain text, so the proxy sees the marker) and
/// the flag that says it froze; `None`, with the reason printed, when the test server is not
/// the proxy's (`postgres@127.0.0.1:5432`).
pub async fn through_freezing_proxy(
    db: &TestDb,
    test: &str,
) -> Option<(String, std::sync::Arc<std::sync::atomic::AtomicBool>)> {
    let Some(rest) = db.url.strip_prefix("postgres://postgres@127.0.0.1:5432/") else {
        skip(test, "the proxy needs the server at 127.0.0.1:5432");
        return None;
    };
    let (port, frozen) = freezing_proxy("127.0.0.1:5432".into()).await;
    let url = format!("postgres://postgres@127.0.0.1:{port}/{rest}?sslmode=disable");
    Some((url, frozen))
}

/// `url` with `user` as its user (no password: the test server trusts local connections).
pub fn url_as(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

/// Whether `pg_dump` runs here: without it a test is skipped (and says so) outside CI, and
/// fails in CI.
pub fn pg_dump_runs(test: &str) -> bool {
    let runs = std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_ok();
    if !runs {
        assert!(!in_ci(), "{test}: pg_dump is required in CI");
        skip(test, "pg_dump is not installed");
    }
    runs
}

/// `upgrade` or `downgrade` to `target` of script directory `name` under `root`, through the
/// command function, announcing each revision on `out`: the versions it leaves, or the error
/// as the engine returns it.
pub async fn migrate(
    root: &std::path::Path,
    scripts: &[migration::script::CompiledScripts],
    name: &str,
    url: &str,
    direction: migration::runtime::Direction,
    target: &str,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<Vec<String>> {
    use migration::commands::{self, RunOutcome};
    let run = async {
        let dir = migration::script::ScriptDir::open(root, name)?;
        let project = commands::Project::new(root, &dir, scripts, &[], Some(url.into()))?;
        // Boxed: the runner's future is large, and test threads have little stack.
        Box::pin(commands::migrate::migrate(
            &project, direction, target, false, out,
        ))
        .await
    };
    match Box::pin(run).await? {
        RunOutcome::At(versions) => Ok(versions),
        other => panic!("one schema's versions expected, got {other:?}"),
    }
}

/// Says that (part of) a test was skipped, where cargo shows it: straight to the standard error
/// stream, which the test harness does not capture (it captures `eprintln!`), so a skipped test
/// never passes for a silent "ok".
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    let line = format!("SKIPPED {test}: {reason}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// A new empty PostgreSQL database, or `None` (with the reason printed) when no server answers
/// outside CI.
pub async fn pg(test: &str) -> Option<TestDb> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let admin_url = pg_admin_url();
    let admin = match migration::db::connect(&admin_url).await {
        Ok(db) => db,
        Err(e) if !in_ci() => {
            skip(
                test,
                &format!("no PostgreSQL ({e:#}); set OPDB_TEST_PG_URL"),
            );
            return None;
        }
        Err(e) => panic!("{test}: PostgreSQL is required in CI: {e:#}"),
    };
    let name = format!(
        "opdb_test_{}_{}_{}",
        test.chars().take(30).collect::<String>(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e}"));
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    Some(TestDb {
        url: format!("{base}/{name}"),
        name,
        admin_url,
    })
}

/// The reference schema, `tests/fixtures/opdb_schema.sql` (a pg_dump of the PFS models).
pub fn fixture_sql() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/opdb_schema.sql"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The `opdb` binary of this build run on the project at `root` (`--root`), with `args` and no
/// `DATABASE_URL`.
pub fn opdb(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_opdb"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("opdb runs")
}

/// What a run printed, standard output then standard error.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// How many tables the reference schema makes, counted in its text (not by opdb).
pub fn fixture_table_count() -> usize {
    fixture_sql()
        .lines()
        .filter(|line| line.starts_with("CREATE TABLE "))
        .count()
}

/// Loads the reference schema into `db`'s database. It runs on a connection of its own because
/// pg_dump output empties `search_path` for the rest of its session.
pub async fn load_fixture(db: &TestDb) {
    let conn = migration::db::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    conn.execute_unprepared(&fixture_sql())
        .await
        .unwrap_or_else(|e| panic!("loading the fixture: {e}"));
    conn.close().await.ok();
}

/// Every opDB entity, read by the engine.
pub fn opdb_entities() -> EntitySet {
    opdb::entities()
}

/// Every table of the database, opdb's own included, in name order.
pub async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

/// Every table of the database at `url`, opdb's own included, in name order.
pub async fn all_tables(url: &str) -> Vec<String> {
    let db = migration::db::connect(url).await.unwrap();
    let names = tables(&db).await;
    db.close().await.ok();
    names
}

/// The schema of the database at `url`, as `check` and `diff` read it.
pub async fn introspect(url: &str) -> migration::schema::Schema {
    introspect_in(url, "public").await
}

/// The PostgreSQL schema `schema` of the database at `url`, as `check` and `diff` read it.
pub async fn introspect_in(url: &str, schema: &str) -> migration::schema::Schema {
    let db = migration::db::connect(url).await.unwrap();
    let config = migration::config::Config::default().for_schema(schema);
    let found = migration::live::schema(&db, &config)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    db.close().await.ok();
    found.schema
}

/// Runs `sql` (several statements) on `url`.
pub async fn execute(url: &str, sql: &str) {
    let db = migration::db::connect(url).await.unwrap();
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    db.close().await.ok();
}

/// A throw-away database on either backend: a PostgreSQL database dropped with it, or a SQLite
/// file removed with it.
pub struct Db {
    pub url: String,
    pub backend: DbBackend,
    _pg: Option<TestDb>,
    file: Option<std::path::PathBuf>,
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            let _ = std::fs::remove_file(file);
            // And what lives beside it: the runner's lock file, SQLite's journals.
            for suffix in ["-lock", "-wal", "-shm", "-journal"] {
                let mut beside = file.clone().into_os_string();
                beside.push(suffix);
                let _ = std::fs::remove_file(beside);
            }
        }
    }
}

/// A new SQLite file in the temporary directory.
pub fn sqlite(test: &str) -> Db {
    static N: AtomicUsize = AtomicUsize::new(0);
    let file = std::env::temp_dir().join(format!(
        "opdb-test-{test}-{}-{}.sqlite",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_file(&file);
    Db {
        url: format!("sqlite://{}?mode=rwc", file.display()),
        backend: DbBackend::Sqlite,
        _pg: None,
        file: Some(file),
    }
}

/// A new empty database on `backend`, or `None` when PostgreSQL is away outside CI.
pub async fn database(backend: DbBackend, test: &str) -> Option<Db> {
    match backend {
        DbBackend::Postgres => {
            let db = pg(test).await?;
            Some(Db {
                url: db.url.clone(),
                backend: DbBackend::Postgres,
                _pg: Some(db),
                file: None,
            })
        }
        _ => Some(sqlite(test)),
    }
}

/// `opdb diff --from A --to B [--sql]`, in-process (no model needed), as the CLI prints it:
/// the script, the ops one per line, or `// No differences`.
pub async fn diff(from: &str, to: &str, sql: bool) -> String {
    diff_in(from, to, sql, &[]).await
}

/// [`diff`] of the PostgreSQL schemas `schemas` (`--schema`; none: `public`).
pub async fn diff_in(from: &str, to: &str, sql: bool, schemas: &[&str]) -> String {
    use migration::commands::{self, check::DiffSide};
    use migration::script::ScriptDir;
    // A folder of each call's own, removed when it ends.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("opdb-test-diff-{}-{call}", std::process::id()));
    let _ = ScriptDir::init(&root, "x");
    let dir = ScriptDir::open(&root, "x").unwrap();
    let mut project = commands::Project::new(&root, &dir, &[], &[], None).unwrap();
    project.chosen_schemas = schemas.iter().map(|s| s.to_string()).collect();
    let (from, to) = (DiffSide::parse(from), DiffSide::parse(to));
    let diff = commands::check::diff(&project, &from, &to, sql).await;
    let _ = std::fs::remove_dir_all(&root);
    let diff = diff.unwrap_or_else(|e| panic!("opdb diff: {}", migration::cli::one_line(&e)));
    let mut out = Vec::new();
    migration::cli::print_diff(&diff, sql, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The database's schema as `pg_dump --schema-only` prints it: the judge of PostgreSQL cases,
/// which shares no code with opdb. Comments, blank lines and the dump's random `\restrict` key
/// are left out.
pub fn pg_dump_schema(url: &str) -> String {
    pg_dump_schema_without(url, &[])
}

/// [`pg_dump_schema`] leaving out `tables` (opdb's version tables, say).
pub fn pg_dump_schema_without(url: &str, tables: &[&str]) -> String {
    let mut command = std::process::Command::new("pg_dump");
    command.args([
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--dbname",
        url,
    ]);
    for table in tables {
        command.args(["--exclude-table", table]);
    }
    let out = command.output().expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("pg_dump prints UTF-8");
    text.lines()
        .filter(|l| !l.contains("restrict ") && !l.starts_with("--") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The database's schema as SQLite itself reports it: the judge of SQLite cases. Per table, in
/// name order: `pragma table_xinfo` (name, type, not null, default, key position, hidden),
/// `pragma foreign_key_list` (target, columns, actions), every index with `pragma index_list`
/// and `index_xinfo` (unique, origin, partial; key columns, order, collation), and the stored
/// `CREATE` texts, with white space and double quotes removed and letters in lower case (for
/// what no pragma says: checks, deferral, index predicates).
pub async fn sqlite_schema(url: &str) -> String {
    let db = migration::db::connect(url).await.unwrap();
    let rows = |sql: String| {
        let db = &db;
        async move {
            db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql.clone()))
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    };
    let text = |r: &sea_orm::QueryResult, i: usize| -> String {
        r.try_get_by_index::<Option<String>>(i)
            .ok()
            .flatten()
            .or_else(|| {
                r.try_get_by_index::<Option<i64>>(i)
                    .ok()
                    .flatten()
                    .map(|n| n.to_string())
            })
            .unwrap_or_else(|| "NULL".into())
    };
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '"')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut out = Vec::new();
    let objects = rows(
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            .into(),
    )
    .await;
    for o in &objects {
        let (kind, name) = (text(o, 0), text(o, 1));
        out.push(format!(
            "{kind} {name} on {}: {}",
            text(o, 2),
            squeeze(&text(o, 3))
        ));
        if kind != "table" {
            continue;
        }
        for r in rows(format!("PRAGMA table_xinfo({})", quote(&name))).await {
            let cols: Vec<String> = (1..7).map(|i| text(&r, i)).collect();
            out.push(format!("  column {}", cols.join(" | ")));
        }
        for r in rows(format!("PRAGMA foreign_key_list({})", quote(&name))).await {
            let cols: Vec<String> = (0..8).map(|i| text(&r, i)).collect();
            out.push(format!("  foreign key {}", cols.join(" | ")));
        }
        let mut indexes: Vec<Vec<String>> = rows(format!("PRAGMA index_list({})", quote(&name)))
            .await
            .iter()
            .map(|r| (1..5).map(|i| text(r, i)).collect())
            .collect();
        indexes.sort();
        for index in indexes {
            out.push(format!("  index {}", index.join(" | ")));
            for r in rows(format!("PRAGMA index_xinfo({})", quote(&index[0]))).await {
                let cols: Vec<String> = (2..6).map(|i| text(&r, i)).collect();
                out.push(format!("    key {}", cols.join(" | ")));
            }
        }
    }
    db.close().await.ok();
    out.join("\n")
}

/// The first line where two texts (schemas as a judge prints them) differ, with its
/// neighbours, each side under its label.
pub fn first_difference(a: &str, b: &str, labels: (&str, &str)) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |l: &[&str]| l[at.saturating_sub(3).min(l.len())..(at + 4).min(l.len())].join("\n");
    format!("{}:\n{}\n{}:\n{}", labels.0, show(&a), labels.1, show(&b))
}

/// The rows of `sql` on the PostgreSQL database at `url`, each cell as text.
#[allow(dead_code)]
pub async fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    let db = migration::db::connect(url).await.unwrap();
    let found = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    db.close().await.ok();
    found
        .iter()
        .map(|r| {
            (0..)
                .map_while(|i| r.try_get_by_index::<Option<String>>(i).ok())
                .map(|v| v.unwrap_or_else(|| "NULL".into()))
                .collect()
        })
        .collect()
}

/// Runs `script` with psql on the database at `url`, stopping at the first error, as a DBA
/// would run a `--sql` script; fails the test with psql's message if it does not succeed.
#[allow(dead_code)]
pub fn psql_script(url: &str, script: &str) {
    let psql = psql_file(url, script);
    assert!(
        psql.status.success(),
        "{}\n{script}",
        String::from_utf8_lossy(&psql.stderr)
    );
}

/// Runs `script` with psql as a file (`-f`, so meta-commands such as `\if` work) on the
/// database at `url`, stopping at the first error; what psql did.
pub fn psql_file(url: &str, script: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    let mut stdin = child.stdin.take().unwrap();
    let text = script.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("psql ends");
    let _ = writer.join();
    out
}
