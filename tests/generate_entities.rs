//! Entities from an existing database (`generate-entities`, `init --from-database`), shown on
//! the opDB fixture, the registry's two schemas (tests/registry) and the APTrust views
//! (tests/aptrust), each in a team's crate built for real (`common::team_crate`):
//!
//! - the generated modules are rustfmt-clean and compile; nothing is reported missing;
//! - after `init --from-database` and `stamp head` on the live database, the team's `check`
//!   (entities against the database) is clean;
//! - `upgrade head` of the baseline on an empty database builds what pg_dump shows of the
//!   original, line for line (opdb's version tables aside).

mod common;

use migration::commands::generate_entities::{generate_entities, GenerateArgs};
use migration::commands::init::init_from_database;
use migration::runtime::Direction;
use migration::script::CompiledRevision;
use std::path::{Path, PathBuf};

#[allow(unused_variables, dead_code)]
#[path = "fixtures/aptrust/a9a9a9a9a9a1_create_the_registry.rs"]
mod aptrust_rev1;
#[allow(dead_code)]
#[path = "aptrust/v1.rs"]
mod aptrust_v1;
#[allow(unused_variables, dead_code)]
#[path = "fixtures/registry/b0b0b0b0b0b1_create_the_registry.rs"]
mod registry_rev1;
#[allow(dead_code)]
#[path = "registry/v1.rs"]
mod registry_v1;

/// A folder of the test's own, removed when it ends.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn folder(test: &str) -> Folder {
    let root = std::env::temp_dir().join(format!("opdb-gen-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    Folder(root)
}

/// `rustfmt --check --edition 2021` on every generated file.
fn assert_rustfmt_clean(dir: &Path) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let out = std::process::Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output()
        .expect("rustfmt runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The whole round trip on the database at `url` (schemas `schemas`, none: `public`):
/// baseline, entities, crate, stamp, check, rebuild on an empty database judged by pg_dump.
async fn round_trip(test: &str, url: &str, schemas: &[&str]) {
    let dir = folder(test);
    let root = &dir.0;
    let schemas: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let made = init_from_database(root, "team", Some(url), &schemas)
        .await
        .unwrap_or_else(|e| panic!("init --from-database: {e:#}"));
    let (baseline, left_out) = made.baseline.unwrap();
    assert!(left_out.is_empty(), "{left_out:?}");
    assert!(baseline.exists());
    let out = root.join("src/entity");
    let generated = generate_entities(
        root,
        "team",
        Some(url),
        &[],
        GenerateArgs {
            out: out.clone(),
            force: false,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("generate-entities: {e:#}"));
    assert_eq!(generated.missing, Vec::<String>::new());
    assert_rustfmt_clean(&out);
    // Written again without --force: refused, nothing changed.
    let again = generate_entities(
        root,
        "team",
        Some(url),
        &[],
        GenerateArgs {
            out: out.clone(),
            force: false,
        },
    )
    .await;
    assert!(again.unwrap_err().to_string().contains("--force"));

    let package = format!("team_{test}");
    let binary = common::team_crate::build(root, &package)
        .unwrap_or_else(|e| panic!("the team's crate does not build:\n{e}"));
    let run = |args: &[&str]| {
        let mut all = vec!["--url", url];
        all.extend(args);
        common::team_crate::run(&binary, root, &all)
    };
    let (ok, stdout, stderr) = run(&["stamp", "--purge", "head"]);
    assert!(ok, "stamp: {stdout}{stderr}");
    let (ok, stdout, stderr) = run(&["check"]);
    assert!(ok, "check is not clean:\n{stdout}{stderr}");
    assert!(stdout.contains("matches the model"), "{stdout}");

    // The baseline rebuilds the database from empty.
    let Some(empty) = common::pg(&format!("{test}_rebuilt")).await else {
        return;
    };
    let (ok, stdout, stderr) =
        common::team_crate::run(&binary, root, &["--url", &empty.url, "upgrade", "head"]);
    assert!(ok, "upgrade head: {stdout}{stderr}");
    let opdb_tables = ["*.alembic_version", "*.opdb_history"];
    let original = common::pg_dump_schema_without(url, &opdb_tables);
    let rebuilt = common::pg_dump_schema_without(&empty.url, &opdb_tables);
    assert!(
        original == rebuilt,
        "{}",
        common::first_difference(&original, &rebuilt, ("original", "rebuilt"))
    );
}

#[tokio::test]
async fn the_opdb_fixture_round_trips_through_generated_entities() {
    let Some(db) = common::pg("gen_opdb").await else {
        return;
    };
    if !common::pg_dump_runs("gen_opdb") {
        return;
    }
    common::load_fixture(&db).await;
    round_trip("opdb", &db.url, &[]).await;
}

/// A script directory `name` of its own (its revisions under `tests/fixtures/<name>`) with the
/// committed `file`, compiled as `compiled`, brought to head on `url` with `model`.
async fn built_from(
    test: &str,
    name: &'static str,
    settings: Option<&str>,
    file: &str,
    compiled: CompiledRevision,
    model: common::scripts::Model,
    url: &str,
) {
    let mut p = common::scripts::ScriptProject::new(test, name, name, "generate_entities");
    if let Some(settings) = settings {
        p.settings(settings);
    }
    p.add(file, compiled);
    p.migrate(model, url, Direction::Upgrade, "head")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn the_registry_schemas_round_trip_through_generated_entities() {
    let Some(db) = common::pg("gen_registry").await else {
        return;
    };
    if !common::pg_dump_runs("gen_registry") {
        return;
    }
    const REV: &str = "b0b0b0b0b0b1_create_the_registry.rs";
    let compiled = migration::compiled_revision!(
        REV,
        include_str!("fixtures/registry/b0b0b0b0b0b1_create_the_registry.rs"),
        registry_rev1
    );
    built_from(
        "gen_registry",
        "registry",
        Some("schemas = [\"production\", \"working\"]\n"),
        REV,
        compiled,
        registry_v1::entities,
        &db.url,
    )
    .await;
    round_trip("registry", &db.url, &["production", "working"]).await;
}

#[tokio::test]
async fn the_aptrust_views_round_trip_through_generated_entities() {
    let Some(db) = common::pg("gen_aptrust").await else {
        return;
    };
    if !common::pg_dump_runs("gen_aptrust") {
        return;
    }
    const REV: &str = "a9a9a9a9a9a1_create_the_registry.rs";
    let compiled = migration::compiled_revision!(
        REV,
        include_str!("fixtures/aptrust/a9a9a9a9a9a1_create_the_registry.rs"),
        aptrust_rev1
    );
    built_from(
        "gen_aptrust",
        "aptrust",
        None,
        REV,
        compiled,
        aptrust_v1::entities,
        &db.url,
    )
    .await;
    round_trip("aptrust", &db.url, &[]).await;
}

/// Names that are no Rust identifiers, an enum type, a key to its own table, and two things no
/// entity can hold (a two-column index, a deferrable key, which reads as one key dropped and
/// one added): the command writes every file, names exactly those on standard error and exits
/// 1; the entities compile, and the team's `check` finds those and nothing else.
#[tokio::test]
async fn odd_names_compile_and_what_entities_cannot_hold_is_reported() {
    let Some(db) = common::pg("gen_odd").await else {
        return;
    };
    common::execute(
        &db.url,
        r#"CREATE TYPE mood AS ENUM ('happy', 'in progress', 'done!');
        CREATE TABLE "type" (
            id serial PRIMARY KEY,
            "Weird Name" text COLLATE "C",
            parent_id integer REFERENCES "type"(id) ON DELETE CASCADE,
            m mood DEFAULT 'happy',
            n integer CHECK (n > 0),
            a integer,
            b integer
        );
        CREATE INDEX type_a_b_idx ON "type" (a, b);
        COMMENT ON TABLE "type" IS 'A "quoted" comment
        #[used] static X: u8 = 0; \ */';
        CREATE TABLE model (
            id integer PRIMARY KEY,
            t integer NOT NULL REFERENCES "type"(id) DEFERRABLE
        );"#,
    )
    .await;
    let dir = folder("odd");
    let root = &dir.0;
    let out = root.join("src/entity");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_opdb"))
        .args(["--root", root.to_str().unwrap(), "generate-entities"])
        .args(["--url", &db.url, "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(!cli.status.success(), "{stderr}");
    let reported: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("not expressible in entities: "))
        .collect();
    assert_eq!(reported.len(), 3, "{stderr}");
    assert!(
        reported.iter().any(|l| l.contains("index type_a_b_idx")),
        "{stderr}"
    );
    assert!(
        reported
            .iter()
            .any(|l| l.contains("model(t) -> type(id) deferrable")),
        "{stderr}"
    );
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["model_2.rs", "type_.rs"]);
    assert_rustfmt_clean(&out);
    let text = std::fs::read_to_string(out.join("type_.rs")).unwrap();
    assert!(text.contains("table_name = \"type\""), "{text}");
    assert!(!text.contains("\n#[used]"), "{text}");

    migration::script::ScriptDir::init(root, "team").unwrap();
    let binary = common::team_crate::build(root, "team_odd")
        .unwrap_or_else(|e| panic!("the team's crate does not build:\n{e}"));
    let (ok, stdout, stderr) = common::team_crate::run(&binary, root, &["--url", &db.url, "check"]);
    assert!(!ok, "{stdout}");
    let found: Vec<&str> = stdout.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(found.len(), 3, "{stdout}{stderr}");
    assert!(found.iter().any(|l| l.contains("type_a_b_idx")), "{stdout}");
    assert!(found.iter().any(|l| l.contains("model_t_fkey")), "{stdout}");
}
