//! Nothing the model cannot express is ignored in silence: procedures, aggregates, domains,
//! rules, partitions and the rest are listed by `check`
//! (which fails on them), by `diff` (which then cannot say "No differences") and by `revision
//! --autogenerate`, until `alembic.toml` excludes them; the same patterns leave tables alone
//! on both sides. Views, materialized views, functions and triggers are modelled:
//! against a model without them they are differences, never "not compared".

mod common;

use clap::Parser;
use migration::cli::{self, Cli};
use migration::commands::EntityModel;
use migration::entities::EntitySet;
use sea_orm::{ConnectionTrait, DbBackend};
use std::path::PathBuf;

/// A table the model has, and one object of every kind it has not, each made by plain SQL.
const OBJECTS_PG: &str = r#"
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE visit (id integer PRIMARY KEY, during tsrange, owner text,
                    EXCLUDE USING gist (during WITH &&));
CREATE VIEW recent AS SELECT id FROM visit WHERE id > 10;
COMMENT ON COLUMN recent.id IS 'The visit';
CREATE MATERIALIZED VIEW stats AS SELECT count(*) AS n FROM visit;
CREATE UNIQUE INDEX stats_n ON stats (n);
CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a + 1';
CREATE FUNCTION bump(a text) RETURNS text LANGUAGE sql AS 'SELECT a || ''+''';
CREATE PROCEDURE tidy() LANGUAGE sql AS 'DELETE FROM visit WHERE id < 0';
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER visit_touch BEFORE UPDATE ON visit FOR EACH ROW EXECUTE FUNCTION touch();
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TYPE span AS RANGE (subtype = float8);
CREATE TYPE pair AS (a integer, b integer);
CREATE RULE visit_keep AS ON DELETE TO visit WHERE old.id = 0 DO INSTEAD NOTHING;
CREATE POLICY visit_own ON visit USING (owner = current_user);
CREATE STATISTICS visit_stats (dependencies) ON id, owner FROM visit;
CREATE TABLE measurement (at date NOT NULL, v real, v2 real GENERATED ALWAYS AS (v * 2) STORED)
    PARTITION BY RANGE (at);
CREATE TABLE measurement_2026 PARTITION OF measurement
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE UNLOGGED TABLE scratch (id integer, note text COLLATE "C");
CREATE TABLE base (id integer);
CREATE TABLE base_child (extra integer) INHERITS (base);
"#;

/// What `check` must list, one per object (pgcrypto's own functions are its extension's).
/// The views, functions and trigger are modelled: [`MODELLED_PG`].
const EXPECTED_PG: &[&str] = &[
    "aggregate total(integer)",
    "comment recent.id on recent",
    "domain positive",
    "exclusion constraint visit_during_excl on visit",
    "extension pgcrypto",
    "inheritance base on base_child",
    "partition measurement_2026",
    "partitioned table measurement",
    "policy visit_own on visit",
    "procedure tidy()",
    "rule visit_keep on visit",
    "statistics visit_stats",
    "type pair",
    "type span",
    "unlogged table scratch",
];

/// What `check` must list as differences from a model without them: the modelled objects.
const MODELLED_PG: &[&str] = &[
    "drop trigger visit_touch on visit",
    "drop view recent",
    "drop materialized view stats",
    "drop function bump(a integer)",
    "drop function bump(a text)",
    "drop function touch()",
];

/// A project with no revisions and a model of one table (`visit` and `measurement` are
/// excluded from the comparison unless `exclude` says otherwise).
struct Project {
    root: PathBuf,
}

impl Project {
    fn new(test: &str, exclude: &[&str]) -> Project {
        let root =
            std::env::temp_dir().join(format!("opdb-unmodelled-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        migration::script::ScriptDir::init(&root, "u").unwrap();
        let list: Vec<String> = exclude.iter().map(|p| format!("{p:?}")).collect();
        std::fs::write(
            root.join("alembic/u/alembic.toml"),
            format!("exclude = [{}]\n", list.join(", ")),
        )
        .unwrap();
        Project { root }
    }

    /// Runs the command line; returns whether it succeeded, and what it printed or the error.
    async fn run(&self, args: &[&str]) -> (bool, String) {
        let models = [EntityModel {
            database: "u",
            entities: EntitySet::new,
        }];
        let mut argv = vec!["opdb", "--root"];
        let root = self.root.display().to_string();
        argv.push(&root);
        argv.extend_from_slice(&["-n", "u"]);
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(&argv).unwrap();
        let mut out = Vec::new();
        let result = Box::pin(cli::run(cli, &[], &models, &self.root, &mut out)).await;
        let printed = String::from_utf8(out).unwrap();
        match result {
            Ok(()) => (true, printed),
            Err(e) => (false, format!("{printed}error: {}", cli::one_line(&e))),
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[tokio::test]
async fn every_object_the_model_cannot_express_is_reported_until_excluded() {
    let (Some(db), Some(bare)) = (
        common::database(DbBackend::Postgres, "unmodelled").await,
        common::database(DbBackend::Postgres, "unmodelled_bare").await,
    ) else {
        return;
    };
    common::execute(&db.url, OBJECTS_PG).await;
    common::execute(
        &bare.url,
        "CREATE TABLE visit (id integer PRIMARY KEY, during tsrange, owner text);
         CREATE TABLE measurement (at date NOT NULL, v real, v2 real) PARTITION BY RANGE (at);",
    )
    .await;

    // `check` against a model without tables: the two tables to drop, then every object,
    // each once, and a failure that says both.
    let p = Project::new("check", &[]);
    let (ok, out) = p.run(&["--url", &db.url, "check"]).await;
    assert!(!ok, "check passed:\n{out}");
    let listed: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter(|l| l.contains(": opdb cannot model"))
        .filter_map(|l| l.split(": opdb cannot model").next())
        .collect();
    assert_eq!(listed, EXPECTED_PG, "{out}");
    for difference in MODELLED_PG {
        assert!(
            out.contains(&format!("- {difference}\n")),
            "{difference}:\n{out}"
        );
    }
    assert!(
        out.contains(&format!(
            "error: the database differs from the model in {} ways, and holds {} objects opdb \
             cannot model and did not compare",
            5 + MODELLED_PG.len(),
            EXPECTED_PG.len()
        )),
        "{out}"
    );

    // `revision --autogenerate` says so, and so does the revision's header.
    let (ok, out) = p
        .run(&[
            "--url",
            &db.url,
            "revision",
            "--autogenerate",
            "-m",
            "drop all",
        ])
        .await;
    assert!(ok, "{out}");
    assert!(
        out.contains("WARNING: not compared: procedure tidy(): "),
        "{out}"
    );
    let versions = p.root.join("alembic/u/versions");
    let file = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|e| e == "rs"))
        .expect("a revision file");
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains("//! Not compared (opdb cannot model them; exclude them in alembic.toml):")
            && text.contains("//! - rule visit_keep on visit\n")
            && text.contains("op.drop_trigger(\"visit\", \"visit_touch\");"),
        "{text}"
    );

    // `diff` between the database and its twin without those objects: the tables are the
    // same (the exclusion constraint aside), but it must not say "No differences".
    let p = Project::new("diff", &[]);
    let (ok, out) = p.run(&["diff", "--from", &db.url, "--to", &bare.url]).await;
    assert!(ok, "{out}");
    assert!(!out.contains("// No differences\n"), "{out}");
    for object in EXPECTED_PG.iter().filter(|o| !o.ends_with("on visit")) {
        assert!(
            out.contains(&format!("// WARNING: not compared: --from: {object}: ")),
            "{object} missing:\n{out}"
        );
    }
    let (ok, out) = p
        .run(&["diff", "--from", &db.url, "--to", &bare.url, "--sql"])
        .await;
    assert!(
        ok && out.starts_with("-- WARNING: not compared: --from: "),
        "{out}"
    );

    // Excluded by kind and by name (and the objects on an excluded table go with it): check
    // passes, with nothing left to say.
    let p = Project::new(
        "excluded",
        &[
            "table:*",
            "extension:pgcrypto",
            "function:*",
            "procedure:tidy",
            "aggregate:tot?l",
            "*view*",
            "recent",
            "stats",
            "domain:positive",
            "type:*",
            "partition:measurement_*",
            "statistics:visit_stats",
        ],
    );
    let (ok, out) = p.run(&["--url", &db.url, "check"]).await;
    assert!(ok, "{out}");
    assert!(out.contains("the database matches the model"), "{out}");
}

/// SQLite's views and triggers are modelled (differences from a model without them), and its
/// generated columns and collations too.
#[tokio::test]
async fn sqlite_views_and_triggers_are_modelled() {
    let db = common::sqlite("unmodelled");
    common::execute(
        &db.url,
        "CREATE TABLE visit (id INTEGER NOT NULL, n INTEGER, twice INTEGER AS (n * 2),
                             label TEXT COLLATE NOCASE,
                             CONSTRAINT visit_pkey PRIMARY KEY (id));
         CREATE VIEW recent AS SELECT id FROM visit WHERE id > 10;
         CREATE TRIGGER visit_touch AFTER UPDATE ON visit BEGIN SELECT 1; END;",
    )
    .await;
    let p = Project::new("sqlite", &[]);
    let (ok, out) = p.run(&["--url", &db.url, "check"]).await;
    assert!(!ok, "{out}");
    assert!(out.contains("- drop table visit\n"), "{out}");
    assert!(
        out.contains("- drop trigger visit_touch on visit\n"),
        "{out}"
    );
    assert!(out.contains("- drop view recent\n"), "{out}");
    assert!(!out.contains("opdb cannot model"), "{out}");
    assert!(
        !out.contains("collation"),
        "a column collation is modelled: {out}"
    );
    // The generated column is modelled now: read with its expression (not as a default), and
    // a rebuild makes it generated again without copying values into it.
    assert!(!out.contains("generated column"), "{out}");
    let live = common::introspect(&db.url).await;
    let twice = live.tables["visit"].column("twice").unwrap();
    assert_eq!(twice.default, None);
    assert_eq!(
        twice.generated,
        Some(migration::schema::Generated {
            expression: "n * 2".into(),
            stored: false
        })
    );
    let drop_id = migration::ops::Op::DropColumn {
        table: "visit".into(),
        column: "id".into(),
        existing: Default::default(),
    };
    let rebuild = migration::ddl::sqlite::render(&drop_id, &live)
        .unwrap()
        .join(";\n");
    assert!(
        rebuild.contains("twice INTEGER GENERATED ALWAYS AS (n * 2) VIRTUAL")
            && rebuild.contains("label TEXT COLLATE \"NOCASE\""),
        "{rebuild}"
    );
    assert!(
        rebuild.contains("INSERT INTO _opdb_new_visit (n, label) SELECT n, label FROM visit"),
        "{rebuild}"
    );
    let p = Project::new("sqlite_excluded", &["table:*", "view:recent"]);
    let (ok, out) = p.run(&["--url", &db.url, "check"]).await;
    assert!(ok, "the trigger goes with its excluded table: {out}");
    let live = common::introspect(&db.url).await;
    assert_eq!(
        live.views["recent"].definition,
        "SELECT id FROM visit WHERE id > 10"
    );
    assert_eq!(
        live.triggers[&("visit".to_string(), "visit_touch".to_string())].definition,
        "CREATE TRIGGER visit_touch AFTER UPDATE ON visit BEGIN SELECT 1; END"
    );
}

#[tokio::test]
async fn a_bad_pattern_is_refused_with_what_to_write() {
    let p = Project::new("bad_pattern", &["vew:recent"]);
    let (ok, out) = p.run(&["--url", "sqlite::memory:", "check"]).await;
    assert!(!ok);
    assert!(
        out.contains("exclude entry \"vew:recent\": unknown kind \"vew\"")
            && out.contains("materialized_view"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// A database's names cannot become statements: a view named with a line break and SQL is
/// dropped by a script in which the name stays one quoted identifier (run, it drops the view
/// and nothing else), and by ops in which it stays one escaped string.
#[tokio::test]
async fn a_hostile_name_stays_inside_its_quotes() {
    let db = common::sqlite("hostile_view");
    let other = common::sqlite("hostile_view_other");
    common::execute(
        &db.url,
        "CREATE TABLE t (id INTEGER);
         INSERT INTO t VALUES (1);
         CREATE VIEW \"v\nDROP TABLE t; --\" AS SELECT id FROM t;",
    )
    .await;
    common::execute(&other.url, "CREATE TABLE t (id INTEGER);").await;
    let p = Project::new("hostile_view", &[]);
    let (ok, out) = p
        .run(&["diff", "--from", &db.url, "--to", &other.url])
        .await;
    assert!(ok, "{out}");
    assert_eq!(out, "op.drop_view(\"v\\nDROP TABLE t; --\");\n");
    let (ok, script) = p
        .run(&["diff", "--from", &db.url, "--to", &other.url, "--sql"])
        .await;
    assert!(ok, "{script}");
    common::execute(&db.url, &script).await;
    let conn = migration::db::connect(&db.url).await.unwrap();
    let left: Vec<String> = conn
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    conn.close().await.ok();
    assert_eq!(left, ["table t"], "{script}");
}
