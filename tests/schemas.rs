//! PostgreSQL schemas, in the LSST DESC data registry's layout: one model (`tests/registry/`)
//! in a production and a working schema of one database, a working table keyed into the
//! production schema, `NULLS NOT DISTINCT` uniques, a reader and a writer role.
//!
//! - from an empty database one `upgrade head` builds both schemas with their privileges, and
//!   `check` is clean; the catalog (not opdb) shows each key's target schema, the uniques'
//!   option and each schema's version row; a reader cannot write, a writer writes the working
//!   schema only;
//! - an entity change autogenerates one revision that upgrades both schemas, checks clean and
//!   downgrades back; `upgrade --sql` fed to psql builds what the online run built (pg_dump
//!   judges);
//! - the same model builds in one SQLite file (the schemas collapse);
//! - a role that does not exist is named and nothing changes; a schema that does not exist is
//!   reported by the read-only commands, never read as empty;
//! - a key moved into another schema and back is seen by `diff --schema`, whose script drops
//!   and makes it (the catalog judges);
//! - runs on different schemas do not wait for each other; a run on both waits for either;
//! - the opDB itself runs in a schema other than `public`, and builds there exactly what it
//!   builds in `public` (pg_dump judges).
//!
//! After a deliberate change to what autogenerate writes, regenerate the committed revisions
//! with `OPDB_BLESS=1 cargo test --test schemas` and review the diff.

mod common;

use common::scripts::Model;
use migration::cli;
use migration::commands::check::CheckOutcome;
use migration::commands::{self, EntityModel, RunOutcome};
use migration::runtime::Direction;
use migration::script::CompiledRevision;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};
use std::process::Command;

#[allow(unused_variables)]
#[path = "fixtures/registry/b0b0b0b0b0b1_create_the_registry.rs"]
mod rev1;
#[allow(unused_variables)]
#[path = "fixtures/registry/b0b0b0b0b0b2_describe_datasets.rs"]
mod rev2;
#[path = "registry/v1.rs"]
mod v1;
#[path = "registry/v2.rs"]
mod v2;

const REV1: &str = "b0b0b0b0b0b1_create_the_registry.rs";
const REV2: &str = "b0b0b0b0b0b2_describe_datasets.rs";

fn compiled(file: &str) -> CompiledRevision {
    match file {
        REV1 => migration::compiled_revision!(
            REV1,
            include_str!("fixtures/registry/b0b0b0b0b0b1_create_the_registry.rs"),
            rev1
        ),
        REV2 => migration::compiled_revision!(
            REV2,
            include_str!("fixtures/registry/b0b0b0b0b0b2_describe_datasets.rs"),
            rev2
        ),
        other => panic!("no revision {other}"),
    }
}

/// `alembic/registry`, with some of the committed revisions.
struct Project(common::scripts::ScriptProject);

impl std::ops::Deref for Project {
    type Target = common::scripts::ScriptProject;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Project {
    /// The registry's script directory with `settings` as its `alembic.toml`.
    fn new(test: &str, settings: &str) -> Project {
        let p = common::scripts::ScriptProject::new(test, "registry", "registry", "schemas");
        p.settings(settings);
        Project(p)
    }

    fn add(&mut self, file: &str) {
        self.0.add(file, compiled(file));
    }

    async fn script(&self, model: Model, url: &str, target: &str) -> String {
        let outcome = self
            .with(model, url, &[], async |p| {
                commands::migrate::migrate(p, Direction::Upgrade, target, true, &mut Vec::new())
                    .await
            })
            .await
            .unwrap();
        match outcome {
            RunOutcome::Script(script) => script,
            other => panic!("not a script: {other:?}"),
        }
    }

    /// `opdb -n registry ARGS` as the command line runs it, in-process: what it printed.
    async fn cli(&self, model: Model, args: &[&str]) -> Result<String, String> {
        use clap::Parser;
        let models = [EntityModel {
            database: "registry",
            entities: model,
        }];
        let root = self.root.to_str().unwrap();
        let mut argv = vec!["opdb", "-n", "registry", "--root", root];
        argv.extend(args);
        let parsed = cli::Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        Box::pin(cli::run(
            parsed,
            &self.scripts,
            &models,
            &self.root,
            &mut out,
        ))
        .await
        .map_err(|e| cli::one_line(&e))?;
        Ok(String::from_utf8(out).unwrap())
    }

    async fn check(&self, model: Model, url: &str) -> Result<CheckOutcome, String> {
        self.with(model, url, &[], async |p| commands::check::check(p).await)
            .await
    }

    /// Generates the revision `file` and compares it with the committed one; its warnings.
    async fn generate(&self, model: Model, url: &str, message: &str, file: &str) -> Vec<String> {
        self.0
            .generate(model, url, message, &file[..12], file)
            .await
            .warnings
    }
}

/// The registry's settings: two schemas, production read by both roles, working read by the
/// reader and written by the writer, but for its dependency table, which both write; the role
/// running opdb (the test server's user) is named too, as a team naming its admin would, and
/// keeps what it holds.
fn settings(reader: &str, writer: &str) -> String {
    let runner = runner_role();
    format!(
        "schemas = [\"production\", \"working\"]\n\n\
         [grants.production]\nread = [\"{reader}\", \"{writer}\"]\nwrite = [\"{runner}\"]\n\n\
         [grants.working]\nread = [\"{reader}\"]\nwrite = [\"{writer}\"]\n\n\
         [grants.working.tables.dependency]\nwrite = [\"{reader}\", \"{writer}\"]\n"
    )
}

/// The role the tests run opdb as: the user of the test server's URL.
fn runner_role() -> String {
    let admin = common::pg_admin_url();
    admin
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map_or("postgres", |(user, _)| {
            user.split(':').next().unwrap_or(user)
        })
        .to_string()
}

/// Runs `sql` on `url`, returning the server's error, if any.
async fn attempt(url: &str, sql: &str) -> Result<(), String> {
    let db = migration::db::connect(url)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let done = db.execute_unprepared(sql).await.map(|_| ());
    db.close().await.ok();
    done.map_err(|e| e.to_string())
}

fn clean(outcome: &CheckOutcome) -> bool {
    outcome.lines().is_empty()
}

#[tokio::test]
async fn a_model_in_two_schemas_builds_checks_evolves_and_keeps_readers_out() {
    if !common::pg_dump_runs("schemas") {
        return;
    }
    // Declared first, so dropped after the databases that grant them privileges.
    let roles = common::TestRoles::new(&["reader", "writer"]).await;
    let (reader, writer) = (&roles.names[0], &roles.names[1]);
    let (Some(db), Some(db2)) = (
        common::pg("registry").await,
        common::pg("registry_sql").await,
    ) else {
        return;
    };
    let url = db.url.as_str();
    let mut p = Project::new("registry", &settings(reader, writer));

    // The first revision, from a database that has neither schema yet.
    let warnings = p
        .generate(v1::entities, url, "Create the registry", REV1)
        .await;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("schema production does not exist yet")),
        "{warnings:?}"
    );
    p.add(REV1);
    let (said, at) = p
        .migrate(v1::entities, url, Direction::Upgrade, "head")
        .await
        .unwrap();
    for line in [
        "Created schema production",
        "Created schema working",
        "Privileges of schema production set",
        "Privileges of schema working set",
    ] {
        assert!(said.contains(line), "{said}");
    }
    assert_eq!(
        at,
        RunOutcome::AtEach(vec![
            ("production".into(), vec!["b0b0b0b0b0b1".into()]),
            ("working".into(), vec!["b0b0b0b0b0b1".into()]),
        ])
    );
    let outcome = p.check(v1::entities, url).await.unwrap();
    assert!(clean(&outcome), "{:?}", outcome.lines());

    // The catalog's own word: each key's target, the uniques' option, the version rows.
    let keys = common::rows(
        url,
        "SELECT conrelid::regclass::text, conname::text, confrelid::regclass::text \
         FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2",
    )
    .await;
    assert_eq!(
        keys,
        [
            [
                "production.dependency",
                "dependency_input_id_fkey",
                "production.dataset"
            ],
            [
                "production.dependency",
                "dependency_input_production_id_fkey",
                "production.dataset"
            ],
            [
                "working.dependency",
                "dependency_input_id_fkey",
                "working.dataset"
            ],
            [
                "working.dependency",
                "dependency_input_production_id_fkey",
                "production.dataset"
            ],
        ]
    );
    let uniques = common::rows(
        url,
        "SELECT indexrelid::regclass::text, indnullsnotdistinct::text FROM pg_index \
         WHERE indexrelid::regclass::text LIKE '%dataset_version_key' ORDER BY 1",
    )
    .await;
    assert_eq!(
        uniques,
        [
            ["production.dataset_version_key", "true"],
            ["working.dataset_version_key", "true"]
        ]
    );
    for schema in ["production", "working"] {
        let version = common::rows(
            url,
            &format!("SELECT version_num FROM {schema}.alembic_version"),
        )
        .await;
        assert_eq!(version, [["b0b0b0b0b0b1"]], "{schema}");
    }
    assert!(
        common::rows(
            url,
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        )
        .await
        .is_empty(),
        "nothing goes into public"
    );

    // Privileges, for real: each role connects and tries.
    let (as_reader, as_writer) = (common::url_as(url, reader), common::url_as(url, writer));
    let insert = |schema: &str, name: &str| {
        format!(
            "INSERT INTO {schema}.dataset (name, version_string, relative_path) \
             VALUES ('{name}', '1', 'p')"
        )
    };
    attempt(url, &insert("production", "raw")).await.unwrap();
    for (who, target) in [
        (&as_reader, "production"),
        (&as_reader, "working"),
        (&as_writer, "production"),
    ] {
        let refused = attempt(who, &insert(target, "x")).await.unwrap_err();
        assert!(
            refused.contains("permission denied"),
            "{who} writing {target}: {refused}"
        );
    }
    assert_eq!(
        common::rows(&as_reader, "SELECT name FROM production.dataset").await,
        [["raw"]]
    );
    attempt(&as_writer, &insert("working", "mine"))
        .await
        .unwrap();
    attempt(
        &as_writer,
        "INSERT INTO working.dependency (input_id, input_production_id) \
         SELECT w.dataset_id, p.dataset_id FROM working.dataset w, production.dataset p",
    )
    .await
    .unwrap();
    // The table with writers of its own: the reader writes it (its serial numbers included),
    // not its neighbour.
    attempt(
        &as_reader,
        "INSERT INTO working.dependency (input_id) SELECT dataset_id FROM working.dataset",
    )
    .await
    .unwrap();
    // NULLS NOT DISTINCT: a second row with the same name, version and no owner collides.
    let twice = attempt(&as_writer, &insert("working", "mine"))
        .await
        .unwrap_err();
    assert!(twice.contains("dataset_version_key"), "{twice}");
    // A key into production refuses a row production does not have.
    let dangling = attempt(
        &as_writer,
        "INSERT INTO working.dependency (input_production_id) VALUES (424242)",
    )
    .await
    .unwrap_err();
    assert!(
        dangling.contains("dependency_input_production_id_fkey"),
        "{dangling}"
    );

    // A privilege granted by hand is a difference, and the next upgrade takes it back.
    attempt(
        url,
        &format!("GRANT INSERT ON production.dataset TO {reader}"),
    )
    .await
    .unwrap();
    let outcome = p.check(v1::entities, url).await.unwrap();
    assert_eq!(
        outcome.differences,
        [format!(
            "schema production: revoke INSERT on table dataset from {reader}"
        )]
    );

    // An entity change: one revision for both schemas, up, checked, down, checked, up again.
    let warnings = p
        .generate(v2::entities, url, "Describe datasets", REV2)
        .await;
    assert!(warnings.is_empty(), "{warnings:?}");
    p.add(REV2);
    let (said, _) = p
        .migrate(v2::entities, url, Direction::Upgrade, "head")
        .await
        .unwrap();
    assert!(
        said.contains("Privileges of schema production set"),
        "the hand-made grant is revoked: {said}"
    );
    let outcome = p.check(v2::entities, url).await.unwrap();
    assert!(clean(&outcome), "{:?}", outcome.lines());
    let described = "SELECT table_schema::text FROM information_schema.columns \
                     WHERE table_name = 'dataset' AND column_name = 'description' ORDER BY 1";
    assert_eq!(
        common::rows(url, described).await,
        [["production"], ["working"]]
    );
    p.migrate(v2::entities, url, Direction::Downgrade, "-1")
        .await
        .unwrap();
    assert!(common::rows(url, described).await.is_empty());
    let outcome = p.check(v1::entities, url).await.unwrap();
    assert!(
        outcome.differences.is_empty() && outcome.unmodelled.is_empty(),
        "{:?}",
        outcome.lines()
    );
    assert_eq!(
        outcome.not_at_head,
        [
            "schema production: the database is at b0b0b0b0b0b1, not at the head b0b0b0b0b0b2",
            "schema working: the database is at b0b0b0b0b0b1, not at the head b0b0b0b0b0b2"
        ]
    );
    let outcome = p.check(v2::entities, url).await.unwrap();
    assert_eq!(
        outcome.differences,
        [
            "schema production: add column dataset.description (varchar)",
            "schema working: add column dataset.description (varchar)"
        ]
    );
    p.migrate(v2::entities, url, Direction::Upgrade, "head")
        .await
        .unwrap();

    // The command line reports schema by schema.
    let current = p
        .cli(v2::entities, &["--url", url, "current"])
        .await
        .unwrap();
    assert_eq!(
        current,
        "Schema production:\n\
         b0b0b0b0b0b1 -> b0b0b0b0b0b2 (head), Describe datasets\n\
         Schema working:\n\
         b0b0b0b0b0b1 -> b0b0b0b0b0b2 (head), Describe datasets\n"
    );
    let current = p
        .cli(
            v2::entities,
            &["--url", url, "--schema", "working", "current"],
        )
        .await
        .unwrap();
    assert_eq!(
        current,
        "b0b0b0b0b0b1 -> b0b0b0b0b0b2 (head), Describe datasets\n"
    );
    let applied = p
        .cli(v2::entities, &["--url", url, "history", "--applied"])
        .await
        .unwrap();
    let steps: Vec<&str> = applied
        .lines()
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .map(|l| match l.as_str() {
            "Schema production:" => "production",
            "Schema working:" => "working",
            l if l.ends_with("upgrade") => "up",
            _ => "down",
        })
        .collect();
    assert_eq!(
        steps,
        [
            "production",
            "up",
            "up",
            "down",
            "up",
            "working",
            "up",
            "up",
            "down",
            "up"
        ],
        "{applied}"
    );
    let e = p
        .cli(v2::entities, &["--url", url, "diagram"])
        .await
        .unwrap_err();
    assert!(e.contains("choose one with --schema"), "{e}");
    let checked = p.cli(v2::entities, &["--url", url, "check"]).await.unwrap();
    assert_eq!(
        checked.trim(),
        "No new upgrade operations detected: the database matches the model"
    );
    let stamped = p
        .cli(v2::entities, &["--url", url, "stamp", "head"])
        .await
        .unwrap();
    assert_eq!(
        stamped,
        "Schema production is at b0b0b0b0b0b1 -> b0b0b0b0b0b2 (head), Describe datasets\n\
         Schema working is at b0b0b0b0b0b1 -> b0b0b0b0b0b2 (head), Describe datasets\n"
    );

    // The script a DBA would run builds the same, as pg_dump sees it.
    let script = p.script(v2::entities, &db2.url, "head").await;
    common::psql_script(&db2.url, &script);
    assert_eq!(
        common::pg_dump_schema(&db2.url),
        common::pg_dump_schema(url)
    );
    let outcome = p.check(v2::entities, &db2.url).await.unwrap();
    assert!(clean(&outcome), "{:?}", outcome.lines());
    drop((db, db2));
    drop(roles);
}

#[tokio::test]
async fn the_registry_model_builds_in_one_sqlite_file() {
    let db = common::sqlite("registry");
    let mut p = Project::new("registry-sqlite", &settings("reader", "writer"));
    p.add(REV1);
    p.add(REV2);
    let (_, at) = p
        .migrate(v2::entities, &db.url, Direction::Upgrade, "head")
        .await
        .unwrap();
    assert_eq!(at, RunOutcome::At(vec!["b0b0b0b0b0b2".into()]));
    let outcome = p.check(v2::entities, &db.url).await.unwrap();
    assert!(clean(&outcome), "{:?}", outcome.lines());
    // SQLite's own word: both keys are ordinary keys into the one dataset table.
    let sqlite = migration::db::connect(&db.url).await.unwrap();
    let keys = sqlite
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT \"table\" AS t, \"from\" AS f FROM pragma_foreign_key_list('dependency') \
             ORDER BY 2",
        ))
        .await
        .unwrap();
    let keys: Vec<(String, String)> = keys
        .iter()
        .map(|r| (r.try_get("", "t").unwrap(), r.try_get("", "f").unwrap()))
        .collect();
    assert_eq!(
        keys,
        [
            ("dataset".to_string(), "input_id".to_string()),
            ("dataset".to_string(), "input_production_id".to_string())
        ]
    );
    sqlite.close().await.ok();
    p.migrate(v2::entities, &db.url, Direction::Downgrade, "base")
        .await
        .unwrap();
    assert_eq!(
        common::all_tables(&db.url).await,
        ["alembic_version", "opdb_history"]
    );
}

#[tokio::test]
async fn a_role_that_does_not_exist_is_named_and_nothing_changes() {
    let Some(db) = common::pg("registry_role").await else {
        return;
    };
    let mut p = Project::new(
        "registry-role",
        &settings("no_such_reader", "no_such_writer"),
    );
    p.add(REV1);
    let e = p
        .migrate(v1::entities, &db.url, Direction::Upgrade, "head")
        .await
        .unwrap_err();
    assert!(
        e.contains("\"no_such_reader\" (grants.production.read in alembic.toml)")
            && e.contains("\"no_such_writer\" (grants.production.read in alembic.toml)")
            && e.contains("do not exist")
            && e.contains("changed nothing"),
        "{e}"
    );
    assert!(
        common::rows(
            &db.url,
            "SELECT nspname::text FROM pg_namespace WHERE nspname IN ('production', 'working')"
        )
        .await
        .is_empty(),
        "no schema was made"
    );
    let e = p.check(v1::entities, &db.url).await.unwrap_err();
    assert!(e.contains("\"no_such_reader\""), "{e}");
}

#[tokio::test]
async fn a_schema_that_does_not_exist_is_reported_not_read_as_empty() {
    let Some(db) = common::pg("registry_missing").await else {
        return;
    };
    let url = db.url.as_str();
    let mut p = Project::new(
        "registry-missing",
        "schemas = [\"production\", \"working\"]\n",
    );
    // A target that names no revision: refused before any schema is made.
    let e = p
        .migrate(v1::entities, url, Direction::Upgrade, "b0b0")
        .await
        .unwrap_err();
    assert!(e.contains("b0b0"), "{e}");
    p.add(REV1);
    let schemas = "SELECT nspname::text FROM pg_namespace \
                   WHERE nspname IN ('production', 'working') ORDER BY 1";
    assert!(
        common::rows(url, schemas).await.is_empty(),
        "a schema was made"
    );
    // With revisions to apply, a schema not made yet is not at head: no revision on it.
    let e = p
        .with(v1::entities, url, &[], async |p| {
            commands::revision::revision(
                p,
                migration::commands::revision::RevisionArgs {
                    message: "more".into(),
                    autogenerate: true,
                    ..Default::default()
                },
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(e.contains("not up to date"), "{e}");
    // One revision runs in every schema: it is not made from some of them.
    let e = p
        .with(v1::entities, url, &["working"], async |p| {
            let args = migration::commands::revision::RevisionArgs {
                message: "some".into(),
                autogenerate: true,
                ..Default::default()
            };
            commands::revision::revision(p, args).await
        })
        .await
        .unwrap_err();
    assert!(e.contains("drop --schema"), "{e}");
    let missing = "the database has no schema \"production\"";
    let e = p.check(v1::entities, url).await.unwrap_err();
    assert!(e.contains(missing), "{e}");
    let e = p
        .with(v1::entities, url, &[], async |p| {
            commands::inspect::current(p).await.map(|_| ())
        })
        .await
        .unwrap_err();
    assert!(e.contains(missing), "{e}");
    let e = p
        .with(v1::entities, url, &[], async |p| {
            commands::inspect::applied_each(p).await.map(|_| ())
        })
        .await
        .unwrap_err();
    assert!(e.contains(missing), "{e}");
    // A downgrade does not make the schemas it was to take down (it starts with the last).
    let e = p
        .migrate(v1::entities, url, Direction::Downgrade, "base")
        .await
        .unwrap_err();
    assert!(e.contains("the database has no schema \"working\""), "{e}");
    // --schema names one of alembic.toml's schemas.
    let e = p
        .with(v1::entities, url, &["prodution"], async |_| Ok(()))
        .await
        .unwrap_err();
    assert!(
        e.contains("--schema prodution") && e.contains("production, working"),
        "{e}"
    );
    // Working on one schema: the other is left alone (and the working schema, whose keys
    // reach into production, cannot be built first).
    let at = p
        .with(v1::entities, url, &["production"], async |p| {
            commands::migrate::migrate(p, Direction::Upgrade, "head", false, &mut Vec::new()).await
        })
        .await
        .unwrap();
    assert_eq!(at, RunOutcome::At(vec!["b0b0b0b0b0b1".into()]));
    let missing = "the database has no schema \"working\"";
    let e = p.check(v1::entities, url).await.unwrap_err();
    assert!(e.contains(missing), "{e}");
    let outcome = p
        .with(v1::entities, url, &["production"], async |p| {
            commands::check::check(p).await
        })
        .await
        .unwrap();
    assert!(clean(&outcome), "{:?}", outcome.lines());
    // A downgrade of both stops at the missing one before it moves the other.
    let e = p
        .migrate(v1::entities, url, Direction::Downgrade, "base")
        .await
        .unwrap_err();
    assert!(e.contains(missing), "{e}");
    assert_eq!(
        common::rows(url, "SELECT version_num FROM production.alembic_version").await,
        [["b0b0b0b0b0b1"]]
    );
    // diff between databases: a schema neither has is an error, not "No differences".
    let e = p
        .with(v1::entities, url, &[], async |p| {
            let side = commands::check::DiffSide::parse(url);
            commands::check::diff(p, &side, &side, false)
                .await
                .map(|_| ())
        })
        .await
        .unwrap_err();
    assert!(e.contains(missing), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The opDB in a schema of its own, with the real binary.

fn opdb(root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opdb"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running opdb");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn opdb_ok(root: &Path, args: &[&str]) -> String {
    let (ok, out, err) = opdb(root, args);
    assert!(ok, "opdb {} failed: {err}{out}", args.join(" "));
    out
}

/// A copy of the opDB's script directory whose `alembic.toml` sets `schema`.
fn opdb_project(test: &str, schema: &str) -> PathBuf {
    common::opdb_project(
        &format!("schemas-{test}"),
        Some(&format!("schema = \"{schema}\"\n")),
    )
}

#[tokio::test]
async fn the_opdb_runs_unchanged_in_a_schema_of_its_own() {
    if !common::pg_dump_runs("opdb_in_a_schema") {
        return;
    }
    let (Some(ops), Some(public)) = (
        common::pg("opdb_ops").await,
        common::pg("opdb_public").await,
    ) else {
        return;
    };
    // A name that must be quoted everywhere: capitals, a space, a double quote.
    let schema = r#"Ops "x""#;
    let root = opdb_project("opdb-ops", r#"Ops \"x\""#);
    let url = ops.url.as_str();
    let (ok, _, err) = opdb(&root, &["--url", url, "current"]);
    assert!(!ok && err.contains(r#"no schema "Ops \"x\"""#), "{err}");
    let said = opdb_ok(&root, &["--url", url, "upgrade", "head"]);
    assert!(said.contains(r#"Created schema Ops "x""#), "{said}");
    let clean = "No new upgrade operations detected: the database matches the model";
    assert_eq!(opdb_ok(&root, &["--url", url, "check"]).trim(), clean);
    opdb_ok(&root, &["--url", url, "downgrade", "base"]);
    let tables = r#"SELECT n.nspname::text, count(*)::text FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'r' AND n.nspname IN ('Ops "x"', 'public')
                    GROUP BY 1 ORDER BY 1"#;
    assert_eq!(common::rows(url, tables).await, [[schema, "2"]]);
    opdb_ok(&root, &["--url", url, "upgrade", "head"]);
    assert_eq!(opdb_ok(&root, &["--url", url, "check"]).trim(), clean);
    assert_eq!(
        common::rows(url, tables).await,
        [[
            schema.to_string(),
            (common::fixture_table_count() + 2).to_string()
        ]]
    );
    // The same opDB in public (the binary's own settings), and pg_dump's view of both.
    let public_root = opdb_project("opdb-public", "public");
    opdb_ok(&public_root, &["--url", &public.url, "upgrade", "head"]);
    let in_ops = common::pg_dump_schema(url)
        .lines()
        .filter(|l| *l != r#"CREATE SCHEMA "Ops ""x""";"#)
        .map(|l| l.replace(r#""Ops ""x"""."#, "public."))
        .collect::<Vec<_>>()
        .join("\n");
    let in_public = common::pg_dump_schema(&public.url);
    let first = in_ops.lines().zip(in_public.lines()).find(|(a, b)| a != b);
    assert!(
        first.is_none() && in_ops.lines().count() == in_public.lines().count(),
        "pg_dump sees the opDB in a schema differ from the opDB in public: {first:?}"
    );
    // diff between the two finds nothing in the schemas it is told to compare, and says what
    // it did not compare.
    let out = opdb_ok(
        &root,
        &[
            "diff",
            "--from",
            &public.url,
            "--to",
            &public.url,
            "--schema",
            "public",
        ],
    );
    assert_eq!(out.trim(), "// No differences");
    let (ok, _, err) = opdb(&root, &["diff", "--from", url, "--to", &public.url]);
    assert!(
        !ok && err.contains("--to") && err.contains("no schema"),
        "{err}"
    );
    // The diagram drawn from the database in its schema is the one drawn from the entities
    // (line for line; a table's keys are listed in the order each side keeps them).
    let (from_db, from_model) = (root.join("from-db"), root.join("from-model"));
    opdb_ok(
        &root,
        &["--url", url, "diagram", "--out", from_db.to_str().unwrap()],
    );
    opdb_ok(&root, &["diagram", "--out", from_model.to_str().unwrap()]);
    for file in ["opdb_schema.md", "opdb_schema.mmd"] {
        let lines = |folder: &Path| {
            let text = std::fs::read_to_string(folder.join(file)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort();
            lines
        };
        let (db_drawn, model_drawn) = (lines(&from_db), lines(&from_model));
        let first = db_drawn.iter().zip(&model_drawn).find(|(a, b)| a != b);
        assert!(db_drawn == model_drawn, "{file} differs: {first:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&public_root);
}

/// A key moved from its own schema into another, and back: `diff --schema working` sees the
/// target's schema, its script drops the key and makes it again pointing at the other schema,
/// and afterwards the catalog agrees and `diff` finds nothing.
#[tokio::test]
async fn a_key_into_another_schema_is_compared_dropped_and_made() {
    let (Some(a), Some(b)) = (common::pg("key_a").await, common::pg("key_b").await) else {
        return;
    };
    let tables = "CREATE SCHEMA production; CREATE SCHEMA working;
        CREATE TABLE production.dataset (dataset_id integer PRIMARY KEY);
        CREATE TABLE working.dataset (dataset_id integer PRIMARY KEY);
        CREATE TABLE working.dependency (dependency_id integer PRIMARY KEY, input_id integer);";
    let key = |schema: &str| {
        format!(
            "ALTER TABLE working.dependency ADD CONSTRAINT dependency_input_id_fkey \
             FOREIGN KEY (input_id) REFERENCES {schema}.dataset (dataset_id)"
        )
    };
    common::execute(&a.url, &format!("{tables}{};", key("working"))).await;
    common::execute(&b.url, &format!("{tables}{};", key("production"))).await;
    let target = "SELECT confrelid::regclass::text FROM pg_constraint \
                  WHERE conname = 'dependency_input_id_fkey'";
    for (from, to, expected) in [
        (&a.url, &b.url, "production.dataset"),
        (&a.url, &b.url, "working.dataset"),
    ] {
        // The first round moves A's key to production; the second brings it back, B's key
        // having been moved to working meanwhile.
        let ops = common::diff_in(from, to, false, &["working"]).await;
        let moved = match expected {
            "production.dataset" => ".ref_schema(\"production\")",
            _ => "ForeignKey::new([\"input_id\"], \"dataset\", [\"dataset_id\"])",
        };
        assert!(
            ops.contains("// schema working") && ops.contains(moved),
            "{ops}"
        );
        let script = common::diff_in(from, to, true, &["working"]).await;
        common::execute(from, &script).await;
        assert_eq!(common::rows(from, target).await, [[expected]], "{script}");
        // Nothing left in the schema compared; the production schema, not compared, is named.
        let again = common::diff_in(from, to, false, &["working"]).await;
        assert!(
            again
                .trim()
                .ends_with("// No differences in what opdb compares; 2 objects above not compared")
                && again.contains("--from: schema production (1 relation) is not compared"),
            "{again}"
        );
        if expected == "production.dataset" {
            common::execute(
                to,
                &format!(
                    "ALTER TABLE working.dependency DROP CONSTRAINT dependency_input_id_fkey; {}",
                    key("working")
                ),
            )
            .await;
        }
    }
}

/// The lock is per schema: a run on one schema does not wait for a run holding another, and a
/// run on both waits for it, then gives up having changed nothing.
#[tokio::test]
async fn runs_on_different_schemas_do_not_wait_for_each_other() {
    let Some(db) = common::pg("registry_lock").await else {
        return;
    };
    let url = db.url.as_str();
    let mut p = Project::new(
        "registry-lock",
        "schemas = [\"production\", \"working\"]\nlock_wait = 1\n",
    );
    p.add(REV1);
    // Another run's lock on the working schema ("opdb" in ASCII, and the schema's name), held
    // by a session of its own.
    let other = migration::db::connect(url).await.unwrap();
    other
        .execute_unprepared("SELECT pg_advisory_lock(1869636706, hashtext('working'))")
        .await
        .unwrap();
    let mut out = Vec::new();
    let at = p
        .with(v1::entities, url, &["production"], async |p| {
            commands::migrate::migrate(p, Direction::Upgrade, "head", false, &mut out).await
        })
        .await
        .unwrap();
    assert_eq!(at, RunOutcome::At(vec!["b0b0b0b0b0b1".into()]));
    assert!(!String::from_utf8_lossy(&out).contains("Waiting"));
    let (said, e) = {
        let mut out = Vec::new();
        let e = p
            .with(v1::entities, url, &[], async |p| {
                commands::migrate::migrate(p, Direction::Upgrade, "head", false, &mut out).await
            })
            .await
            .unwrap_err();
        (String::from_utf8(out).unwrap(), e)
    };
    assert!(said.contains("Waiting for another opdb run"), "{said}");
    assert!(e.contains("still holds the lock after 1 s"), "{e}");
    assert!(
        common::rows(
            url,
            "SELECT nspname::text FROM pg_namespace WHERE nspname = 'working'"
        )
        .await
        .is_empty(),
        "nothing was changed"
    );
    // A run of an older opdb, which held one lock for the whole database, is waited for too.
    other
        .execute_unprepared(
            "SELECT pg_advisory_unlock(1869636706, hashtext('working')); \
             SELECT pg_advisory_lock(1869636706::bigint)",
        )
        .await
        .unwrap();
    let e = p
        .migrate(v1::entities, url, Direction::Upgrade, "head")
        .await
        .unwrap_err();
    assert!(e.contains("still holds the lock after 1 s"), "{e}");
    other.close().await.ok();
    let (_, at) = p
        .migrate(v1::entities, url, Direction::Upgrade, "head")
        .await
        .unwrap();
    assert_eq!(
        at,
        RunOutcome::AtEach(vec![
            ("production".into(), vec!["b0b0b0b0b0b1".into()]),
            ("working".into(), vec!["b0b0b0b0b0b1".into()]),
        ])
    );
}

/// A role that may not create what a run creates is told what to grant before anything
/// changes, in whichever schema it stands.
#[tokio::test]
async fn a_role_that_may_not_create_is_told_before_anything_changes() {
    let roles = common::TestRoles::new(&["limited"]).await;
    let Some(db) = common::pg("registry_create").await else {
        return;
    };
    let limited = common::url_as(&db.url, &roles.names[0]);
    let mut p = Project::new(
        "registry-create",
        "schemas = [\"production\", \"working\"]\n",
    );
    p.add(REV1);
    let e = p
        .migrate(v1::entities, &limited, Direction::Upgrade, "head")
        .await
        .unwrap_err();
    assert!(
        e.contains("may not create schema production") && e.contains("nothing was changed"),
        "{e}"
    );
    // The schemas made by an administrator, the second without CREATE for the role: refused
    // before the first is touched.
    let role = &roles.names[0];
    common::execute(
        &db.url,
        &format!("CREATE SCHEMA production AUTHORIZATION {role}; CREATE SCHEMA working;"),
    )
    .await;
    let e = p
        .migrate(v1::entities, &limited, Direction::Upgrade, "head")
        .await
        .unwrap_err();
    assert!(
        e.contains("may not create tables in schema working")
            && e.contains(&format!("GRANT CREATE ON SCHEMA working TO {role}")),
        "{e}"
    );
    assert!(
        common::rows(
            &db.url,
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'production'::regnamespace"
        )
        .await
        .is_empty(),
        "nothing was made in production"
    );
    drop(db);
    drop(roles);
}

/// The version table is read in the schema opdb manages, even when the role's own schema (first
/// on PostgreSQL's default search path) holds one of the same name.
#[tokio::test]
async fn the_version_table_is_read_in_its_own_schema() {
    let Some(db) = common::pg("own_schema").await else {
        return;
    };
    let user = runner_role();
    let quoted = migration::ddl::ident(&user);
    common::execute(
        &db.url,
        &format!(
            "CREATE SCHEMA {quoted}; CREATE TABLE {quoted}.alembic_version (version_num \
             varchar(32) PRIMARY KEY); INSERT INTO {quoted}.alembic_version VALUES ('ffffffffffff');"
        ),
    )
    .await;
    let root = common::opdb_project("schemas-own-schema", Some("schema = \"public\"\n"));
    let said = opdb_ok(&root, &["--url", &db.url, "upgrade", "head"]);
    assert!(said.contains("-> 0b1a5e000001"), "{said}");
    let current = opdb_ok(&root, &["--url", &db.url, "current"]);
    assert!(current.contains("0b1a5e000001 (head)"), "{current}");
    assert_eq!(
        common::rows(
            &db.url,
            &format!("SELECT version_num FROM {quoted}.alembic_version")
        )
        .await,
        [["ffffffffffff"]]
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// `check` on a server that stops answering ends with an error within its statement_timeout,
/// as a run does: every call it makes is bounded.
#[tokio::test]
async fn check_on_a_server_that_stops_answering_ends_with_an_error() {
    let Some(db) = common::pg("check_frozen").await else {
        return;
    };
    let test = "check_on_a_server_that_stops_answering_ends_with_an_error";
    // The proxy freezes at the marker: the schema's name, in the first read.
    let Some((proxied, frozen)) = common::through_freezing_proxy(&db, test).await else {
        return;
    };
    let p = Project::new(
        "check-frozen",
        "schema = \"opdb_freeze_marker\"\nstatement_timeout = 2\n",
    );
    let started = std::time::Instant::now();
    let e = p.check(v1::entities, &proxied).await.unwrap_err();
    assert!(
        frozen.load(std::sync::atomic::Ordering::SeqCst),
        "never froze: {e}"
    );
    assert!(
        e.contains("no answer from the server within 2 s (statement_timeout"),
        "{e}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
