//! Autogenerate end to end, on PostgreSQL and SQLite:
//!
//! - the opDB: its committed first revision is what autogenerate makes from an empty database;
//!   `upgrade head` from empty then `check` is clean, `downgrade base` leaves only opdb's own
//!   tables, `upgrade head` again is clean; the reference fixture taken over with `stamp head`
//!   checks clean (the real `opdb` binary, as a user runs it);
//! - through entities: the small model of `tests/autogen/` in two versions, whose revisions
//!   (committed under `tests/fixtures/autogen/`) `revision --autogenerate` must reproduce byte
//!   for byte on both backends, then upgrade, check clean, downgrade back and check clean;
//! - database against database: for every kind of change, `diff --from A --to B --sql` applied
//!   to A leaves A's schema equal to B's, both ways;
//! - introspection costs the same number of catalog queries for 10 tables and for 500.
//!
//! After a deliberate change to what autogenerate writes, regenerate the committed revisions
//! with `OPDB_BLESS=1 cargo test --test autogenerate` and review the diff.

mod common;

use common::scripts::Model;
use migration::autogenerate::{self, Hints};
use migration::commands;
use migration::commands::check::CheckOutcome;
use migration::commands::revision::{RevisionArgs, RevisionOutcome};
use migration::compare::differences;
use migration::error::MigrateError;
use migration::ops::Op;
use migration::runtime::Direction;
use migration::schema::{
    Column, ColumnType as T, FkAction, ForeignKey, Index, IndexKey, Schema, Sequence, Table,
};
use migration::script::CompiledRevision;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[allow(unused_variables)]
#[path = "fixtures/autogen/a0a0a0a0a0a1_create_the_model.rs"]
mod rev1;
#[allow(unused_variables)]
#[path = "fixtures/autogen/a0a0a0a0a0a2_evolve_the_model.rs"]
mod rev2;
#[path = "autogen/v1.rs"]
mod v1;
#[path = "autogen/v2.rs"]
mod v2;

/// The opdb binary's own compiled revisions (alembic/opdb/versions).
mod opdb_revisions {
    include!(concat!(env!("OUT_DIR"), "/migration_revisions.rs"));
}

const REV1: &str = "a0a0a0a0a0a1_create_the_model.rs";
const REV2: &str = "a0a0a0a0a0a2_evolve_the_model.rs";

fn compiled(file: &str) -> CompiledRevision {
    match file {
        REV1 => migration::compiled_revision!(
            REV1,
            include_str!("fixtures/autogen/a0a0a0a0a0a1_create_the_model.rs"),
            rev1
        ),
        REV2 => migration::compiled_revision!(
            REV2,
            include_str!("fixtures/autogen/a0a0a0a0a0a2_evolve_the_model.rs"),
            rev2
        ),
        other => panic!("no revision {other}"),
    }
}

fn fixture_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/autogen")
        .join(file)
}

/// A database for one test: a PostgreSQL database of its own, or a SQLite file.
const BACKENDS: [DbBackend; 2] = [DbBackend::Sqlite, DbBackend::Postgres];

// ---------------------------------------------------------------------------------------------
// The opDB, with the real binary.

fn opdb(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opdb"))
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

fn opdb_ok(args: &[&str]) -> String {
    let (ok, out, err) = opdb(args);
    assert!(ok, "opdb {} failed: {err}{out}", args.join(" "));
    out
}

fn opdb_model() -> Schema {
    common::opdb_entities().schema()
}

/// The committed first opDB revision records exactly what autogenerate makes from an empty
/// database, both ways.
#[test]
fn the_first_opdb_revision_is_what_autogenerate_makes_from_empty() {
    let scripts = opdb_revisions::compiled_scripts();
    let opdb = scripts
        .iter()
        .find(|s| s.database == "opdb")
        .expect("alembic/opdb is compiled in");
    let root = opdb
        .revisions
        .iter()
        .find(|r| r.down.is_empty())
        .expect("a root revision");
    let recorded = |f: fn(&mut migration::ops::Ops)| -> Vec<Op> {
        let mut ops = migration::ops::Ops::new();
        f(&mut ops);
        ops.ops().cloned().collect()
    };
    let (upgrade, downgrade) =
        autogenerate::revision_ops(&Schema::default(), &opdb_model(), &Hints::default()).unwrap();
    assert_eq!(recorded(root.upgrade), upgrade);
    assert_eq!(recorded(root.downgrade), downgrade);
    assert_eq!(
        upgrade
            .iter()
            .filter(|op| matches!(op, Op::CreateTable(_)))
            .count(),
        common::fixture_table_count()
    );
}

/// The committed first opDB revision is, byte for byte, the file autogenerate writes from an
/// empty database (its create date aside).
#[test]
fn the_first_opdb_revision_file_is_what_autogenerate_writes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("alembic/opdb/versions/0b1a5e000001_create_the_opdb.rs");
    let committed = std::fs::read_to_string(&path).unwrap();
    let (upgrade, downgrade) =
        autogenerate::revision_ops(&Schema::default(), &opdb_model(), &Hints::default()).unwrap();
    let mut file = migration::revision_file::RevisionFile::new(
        Some("0b1a5e000001".into()),
        "Create the opDB".into(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    file.create_date = committed
        .lines()
        .find_map(|l| l.strip_prefix("//! Create Date: "))
        .unwrap()
        .to_string();
    file.autogenerated(&upgrade, &downgrade, &[]);
    assert_eq!(
        file.file_name("{rev}_{slug}"),
        "0b1a5e000001_create_the_opdb.rs"
    );
    let written = file.render();
    assert!(written == committed, "{}", {
        let at = written
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let near = |t: &str| {
            t.lines()
                .skip(at.saturating_sub(3))
                .take(7)
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!(
            "first difference at line {}:\nwritten:\n{}\ncommitted:\n{}",
            at + 1,
            near(&written),
            near(&committed)
        )
    });
}

#[tokio::test]
async fn opdb_upgrade_from_empty_checks_clean_and_downgrades_to_nothing() {
    for backend in BACKENDS {
        let Some(db) = common::database(backend, "opdb_empty").await else {
            continue;
        };
        let url = db.url.as_str();
        opdb_ok(&["--url", url, "upgrade", "head"]);
        let out = opdb_ok(&["--url", url, "check"]);
        assert!(out.contains("No new upgrade operations"), "{out}");
        assert_eq!(
            common::all_tables(url).await.len(),
            common::fixture_table_count() + 2
        );

        opdb_ok(&["--url", url, "downgrade", "base"]);
        assert_eq!(
            common::all_tables(url).await,
            ["alembic_version", "opdb_history"]
        );
        let (ok, out, err) = opdb(&["--url", url, "check"]);
        assert!(!ok, "check passed on an empty database: {out}");
        assert!(out.contains("add table pfs_visit"), "{out}");
        assert!(err.contains("differs from the model"), "{err}");

        opdb_ok(&["--url", url, "upgrade", "head"]);
        let out = opdb_ok(&["--url", url, "check"]);
        assert!(
            out.contains("No new upgrade operations"),
            "{backend:?}: {out}"
        );
    }
}

#[tokio::test]
async fn the_reference_fixture_taken_over_checks_clean() {
    let Some(db) = common::pg("takeover").await else {
        return;
    };
    common::load_fixture(&db).await;
    let (ok, out, _) = opdb(&["--url", &db.url, "check"]);
    assert!(!ok, "an unstamped database is not at head: {out}");
    assert!(out.contains("not at the head"), "{out}");
    opdb_ok(&["--url", &db.url, "stamp", "head"]);
    let out = opdb_ok(&["--url", &db.url, "check"]);
    assert_eq!(
        out.trim(),
        "No new upgrade operations detected: the database matches the model"
    );
    let out = opdb_ok(&["--url", &db.url, "diff", "--from", &db.url, "--to", "model"]);
    assert_eq!(out.trim(), "// No differences");
}

// ---------------------------------------------------------------------------------------------
// Through entities: revisions generated, committed, upgraded, checked and downgraded.

/// `alembic/autogen`, with some of the committed revisions.
struct Project(common::scripts::ScriptProject);

impl std::ops::Deref for Project {
    type Target = common::scripts::ScriptProject;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Project {
    fn new(test: &str) -> Project {
        Project(common::scripts::ScriptProject::new(
            test,
            "autogen",
            "autogen",
            "autogenerate",
        ))
    }

    /// Puts the committed `file` into the project and the "binary".
    fn add(&mut self, file: &str) {
        self.0.add(file, compiled(file));
    }

    fn remove(&mut self, file: &str) {
        self.0.remove(file);
    }

    async fn upgrade(&self, model: Model, url: &str, to: &str) {
        self.migrate(model, url, Direction::Upgrade, to)
            .await
            .unwrap_or_else(|e| panic!("opdb upgrade {to}: {e}"));
    }

    async fn downgrade(&self, model: Model, url: &str, to: &str) {
        self.migrate(model, url, Direction::Downgrade, to)
            .await
            .unwrap_or_else(|e| panic!("opdb downgrade {to}: {e}"));
    }

    async fn check(&self, model: Model, url: &str) -> Result<CheckOutcome, String> {
        self.with(model, url, &[], async |p| commands::check::check(p).await)
            .await
    }

    async fn revision(
        &self,
        model: Model,
        url: &str,
        args: RevisionArgs,
    ) -> Result<RevisionOutcome, String> {
        self.with(model, url, &[], async |p| {
            commands::revision::revision(p, args).await
        })
        .await
    }
}

#[tokio::test]
async fn entity_changes_generate_revisions_that_upgrade_check_and_downgrade() {
    for backend in BACKENDS {
        let Some(db) = common::database(backend, "entities").await else {
            continue;
        };
        let url = db.url.as_str();
        let mut p = Project::new(&format!("entities-{backend:?}"));

        p.generate(v1::entities, url, "Create the model", "a0a0a0a0a0a1", REV1)
            .await;
        p.add(REV1);
        p.upgrade(v1::entities, url, "head").await;
        let found = p.check(v1::entities, url).await.unwrap();
        assert!(found.lines().is_empty(), "{backend:?}: {found:?}");

        // v2 differs, and check says how.
        let found = p.check(v2::entities, url).await.unwrap();
        assert!(!found.lines().is_empty(), "{found:?}");

        p.generate(v2::entities, url, "Evolve the model", "a0a0a0a0a0a2", REV2)
            .await;
        p.add(REV2);
        // A database that is not at head cannot be the base of a new revision.
        let args = RevisionArgs {
            message: "x".into(),
            autogenerate: true,
            ..Default::default()
        };
        let e = p
            .with_error(v2::entities, url, &[], async |p| {
                commands::revision::revision(p, args).await
            })
            .await
            .unwrap_err();
        assert_eq!(
            migration::error::migrate_error(&e),
            Some(&MigrateError::NotAtHead {
                at: vec!["a0a0a0a0a0a1".into()],
                heads: vec!["a0a0a0a0a0a2".into()],
            }),
            "{e:#}"
        );

        p.upgrade(v2::entities, url, "head").await;
        let found = p.check(v2::entities, url).await.unwrap();
        assert!(found.lines().is_empty(), "{backend:?}: {found:?}");
        let args = RevisionArgs {
            message: "nothing".into(),
            autogenerate: true,
            ..Default::default()
        };
        let outcome = p.revision(v2::entities, url, args).await.unwrap();
        assert_eq!(
            outcome,
            RevisionOutcome::NoChanges {
                unmodelled: Vec::new(),
                caution: None,
            }
        );
        assert_eq!(std::fs::read_dir(p.versions()).unwrap().count(), 3); // .gitkeep, REV1, REV2

        p.downgrade(v2::entities, url, "-1").await;
        p.remove(REV2);
        let found = p.check(v1::entities, url).await.unwrap();
        assert!(found.lines().is_empty(), "{backend:?}: {found:?}");
        p.downgrade(v1::entities, url, "base").await;
        assert_eq!(
            common::all_tables(url).await,
            ["alembic_version", "opdb_history"]
        );
        p.add(REV2);
        p.upgrade(v2::entities, url, "head").await;
        let found = p.check(v2::entities, url).await.unwrap();
        assert!(found.lines().is_empty(), "{backend:?}: {found:?}");
    }
}

/// The v1 → v2 revision says what it found and warns about what can lose data, and renames
/// the column the entity says was renamed instead of dropping and adding it.
#[test]
fn the_generated_revision_explains_itself() {
    let text = std::fs::read_to_string(fixture_path(REV2)).unwrap();
    for expected in [
        "//! - rename column exposure.old_name to label",
        "//! WARNING: drops table legacy and every row in it",
        "//! WARNING: drops column exposure.obsolete and its values",
        "//! WARNING: makes exposure.exptime NOT NULL: fails if it holds NULLs",
        "op.rename_column(\"exposure\", \"old_name\", \"label\");",
        "op.alter_enum(\"mood\", &[\"happy\", \"sad\", \"calm\"]);",
    ] {
        assert!(text.contains(expected), "{REV2} lacks {expected:?}");
    }
    assert!(!text.contains("drop_column(\"exposure\", \"old_name\")"));
    assert!(!text.contains("add_column(\"exposure\", Column::new(\"label\""));
}

// ---------------------------------------------------------------------------------------------
// Database against database, one kind of change at a time.

/// The schema the change cases start from.
fn base() -> Schema {
    let mut s = Schema::default();
    s.enums
        .insert("mood".into(), vec!["happy".into(), "sad".into()]);
    s.sequences
        .insert("frame_seq".into(), Sequence::new("frame_seq").start(100));
    for t in [
        Table::new("instrument")
            .comment("An instrument")
            .col(Column::new("id", T::Integer).auto_increment())
            .col(
                Column::new("name", T::Varchar(Some(8)))
                    .not_null()
                    .comment("Short name"),
            )
            .primary_key(["id"])
            .unique(["name"]),
        Table::new("detector")
            .col(Column::new("instrument_id", T::Integer).not_null())
            .col(Column::new("detector_no", T::SmallInt).not_null())
            .col(Column::new("name", T::Text))
            .primary_key(["instrument_id", "detector_no"])
            .foreign_key(ForeignKey::new(["instrument_id"], "instrument", ["id"]))
            .index(Index::new("ix_detector_name", ["name"])),
        Table::new("exposure")
            .col(Column::new("id", T::BigInt).not_null())
            .col(Column::new("instrument_id", T::Integer).not_null())
            .col(Column::new("detector_no", T::SmallInt))
            .col(Column::new("exptime", T::Real))
            .col(Column::new("note", T::Varchar(None)).server_default("'none'"))
            .col(Column::new("mood", T::Enum("mood".into())))
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(["instrument_id"], "instrument", ["id"]))
            .foreign_key(ForeignKey::new(
                ["instrument_id", "detector_no"],
                "detector",
                ["instrument_id", "detector_no"],
            ))
            .check("exposure_exptime_check", "exptime >= 0"),
    ] {
        s.tables.insert(t.name.clone(), t);
    }
    migration::normalize::schema(&mut s);
    s
}

fn table<'a>(s: &'a mut Schema, name: &str) -> &'a mut Table {
    s.tables.get_mut(name).unwrap()
}

fn column<'a>(s: &'a mut Schema, t: &str, c: &str) -> &'a mut Column {
    table(s, t)
        .columns
        .iter_mut()
        .find(|col| col.name == c)
        .unwrap()
}

/// A change case: its name, whether SQLite can hold it, and what it does to [`base`].
type Case = (&'static str, bool, fn(&mut Schema));

const CASES: &[Case] = &[
    ("table added, referring to another", true, |s| {
        let t = Table::new("visit")
            .comment("A visit")
            .col(Column::new("visit_id", T::Integer).auto_increment())
            .col(Column::new("exposure_id", T::BigInt).not_null())
            .primary_key(["visit_id"])
            .foreign_key(
                ForeignKey::new(["exposure_id"], "exposure", ["id"]).on_delete(FkAction::Cascade),
            );
        s.tables.insert(t.name.clone(), t);
    }),
    ("table that others refer to dropped", true, |s| {
        s.tables.remove("detector");
        table(s, "exposure")
            .foreign_keys
            .retain(|fk| fk.ref_table != "detector");
    }),
    ("tables in a foreign-key cycle added", true, |s| {
        let a = Table::new("cycle_a")
            .col(Column::new("id", T::Integer).not_null())
            .col(Column::new("b_id", T::Integer))
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(["b_id"], "cycle_b", ["id"]));
        let b = Table::new("cycle_b")
            .col(Column::new("id", T::Integer).not_null())
            .col(Column::new("a_id", T::Integer))
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(["a_id"], "cycle_a", ["id"]));
        s.tables.insert(a.name.clone(), a);
        s.tables.insert(b.name.clone(), b);
    }),
    ("table comment set", false, |s| {
        table(s, "detector").comment = Some("A detector".into());
    }),
    ("table comment changed", false, |s| {
        table(s, "instrument").comment = Some("An instrument of the telescope".into());
    }),
    ("column added with a default and a comment", true, |s| {
        table(s, "instrument").columns.push(
            Column::new("active", T::Boolean)
                .not_null()
                .server_default("true")
                .comment("In use"),
        );
    }),
    ("column dropped", true, |s| {
        table(s, "exposure").columns.retain(|c| c.name != "note");
    }),
    (
        "column that a key and a foreign key use dropped",
        true,
        |s| {
            let d = table(s, "detector");
            d.columns.retain(|c| c.name != "detector_no");
            d.primary_key.as_mut().unwrap().columns = vec!["instrument_id".into()];
            table(s, "exposure")
                .foreign_keys
                .retain(|fk| fk.ref_table != "detector");
        },
    ),
    ("type of a referenced serial key widened", false, |s| {
        column(s, "instrument", "id").ty = T::BigInt;
    }),
    (
        "type of columns in a composite key and its foreign key changed",
        true,
        |s| {
            column(s, "detector", "detector_no").ty = T::Integer;
            column(s, "exposure", "detector_no").ty = T::Integer;
        },
    ),
    ("type changed", true, |s| {
        column(s, "instrument", "name").ty = T::Text;
        column(s, "exposure", "exptime").ty = T::Double;
    }),
    ("nullability changed", true, |s| {
        column(s, "exposure", "exptime").nullable = false;
    }),
    ("default set, changed and dropped", true, |s| {
        column(s, "exposure", "exptime").default = Some("0".into());
        column(s, "exposure", "note").default = Some("'nothing'".into());
        column(s, "instrument", "name").default = None;
    }),
    ("column comment changed", false, |s| {
        column(s, "instrument", "name").comment = Some("The short name".into());
    }),
    ("serial made plain", true, |s| {
        column(s, "instrument", "id").auto_increment = false;
    }),
    (
        "primary key changed under a composite foreign key",
        true,
        |s| {
            table(s, "detector").primary_key.as_mut().unwrap().columns =
                vec!["detector_no".into(), "instrument_id".into()];
            table(s, "exposure").primary_key.as_mut().unwrap().columns =
                vec!["id".into(), "instrument_id".into()];
        },
    ),
    ("primary key dropped", true, |s| {
        table(s, "exposure").primary_key = None;
    }),
    ("unique constraint added and dropped", true, |s| {
        table(s, "instrument").uniques.clear();
        table(s, "detector")
            .uniques
            .push(migration::schema::UniqueConstraint {
                name: Some("detector_name_key".into()),
                columns: vec!["name".into()],
                nulls_not_distinct: false,
            });
    }),
    (
        "referenced unique constraint replaced by a unique index",
        true,
        |s| {
            let t = Table::new("alias")
                .col(Column::new("name", T::Varchar(Some(8))).not_null())
                .foreign_key(ForeignKey::new(["name"], "instrument", ["name"]));
            s.tables.insert(t.name.clone(), t);
            let i = table(s, "instrument");
            i.uniques.clear();
            i.indexes
                .push(Index::new("ix_instrument_name", ["name"]).unique());
        },
    ),
    (
        "foreign key added, dropped and its action changed",
        true,
        |s| {
            let e = table(s, "exposure");
            e.foreign_keys.retain(|fk| fk.ref_table != "detector");
            e.foreign_keys[0].on_delete = FkAction::Cascade;
            table(s, "detector").foreign_keys.clear();
        },
    ),
    ("index added, dropped and changed", true, |s| {
        table(s, "detector").indexes[0]
            .keys
            .push(migration::schema::IndexKey::Column("detector_no".into()));
        table(s, "exposure")
            .indexes
            .push(Index::new("ix_exposure_mood", ["mood"]));
    }),
    ("unique, partial and expression indexes", true, |s| {
        let e = table(s, "exposure");
        e.indexes.push(
            Index::new("ix_exposure_note", ["note"])
                .unique()
                .filter("note IS NOT NULL"),
        );
        e.indexes
            .push(Index::new("ix_exposure_lower_note", []).expression("lower(note)"));
    }),
    ("index method", false, |s| {
        table(s, "exposure")
            .indexes
            .push(Index::new("ix_exposure_note_hash", ["note"]).using("hash"));
    }),
    ("check added, dropped and changed", true, |s| {
        table(s, "exposure").checks[0].expression = "exptime > 0".into();
        table(s, "instrument")
            .checks
            .push(migration::schema::CheckConstraint {
                name: Some("instrument_name_check".into()),
                expression: "length(name) > 0".into(),
            });
    }),
    ("enum type added, and its labels changed", false, |s| {
        s.enums
            .insert("weather".into(), vec!["clear".into(), "cloudy".into()]);
        table(s, "exposure")
            .columns
            .push(Column::new("weather", T::Enum("weather".into())));
        s.enums.insert(
            "mood".into(),
            vec!["happy".into(), "calm".into(), "sad".into()],
        );
    }),
    ("enum type dropped with its column", false, |s| {
        s.enums.remove("mood");
        table(s, "exposure").columns.retain(|c| c.name != "mood");
    }),
    ("sequence added, dropped and altered", false, |s| {
        s.sequences.insert(
            "frame_seq".into(),
            Sequence::new("frame_seq").start(100).increment(2).cycle(),
        );
        s.sequences.insert(
            "visit_seq".into(),
            Sequence::new("visit_seq").max_value(99999),
        );
    }),
];

/// Creates `schema` in an empty database, in PostgreSQL schema `namespace` (made first) when
/// given.
async fn build(db: &common::Db, schema: &Schema, namespace: Option<&str>) {
    let mut target = schema.clone();
    if db.backend == DbBackend::Sqlite {
        target = migration::sqlite_stored::stored_by_sqlite(&target);
    }
    let ops = autogenerate::diff(&Schema::default(), &target, &Hints::default());
    let mut sql = migration::ddl::script(db.backend, &Schema::default(), &ops).unwrap();
    if let Some(namespace) = namespace {
        let quoted = migration::ddl::ident(namespace);
        sql = format!("CREATE SCHEMA {quoted}; SET search_path TO {quoted};\n{sql}");
    }
    common::execute(&db.url, &sql).await;
}

/// A schema name no identifier rule lets through unquoted: capitals, a space, both quotes.
const ODD_SCHEMA: &str = "Reg \"x\" 'y'";

/// One case one way on one backend: build A and B, apply `diff --from A --to B --sql` to A,
/// and compare. Returns what went wrong, if anything. With `namespace`, both databases hold
/// their tables in that PostgreSQL schema (not `public`, which stays empty), `diff` is told
/// `--schema` it, and pg_dump judges too.
async fn run_case(
    backend: DbBackend,
    case: usize,
    forward: bool,
    namespace: Option<&str>,
) -> Option<String> {
    let (name, _, change) = CASES[case];
    let base = base();
    let mut changed = base.clone();
    change(&mut changed);
    let (a_schema, b_schema) = if forward {
        (&base, &changed)
    } else {
        (&changed, &base)
    };
    let (Some(a), Some(b)) = (
        common::database(backend, "case_a").await,
        common::database(backend, "case_b").await,
    ) else {
        return None;
    };
    let context = format!(
        "{backend:?}, {name}, {}",
        if forward { "forward" } else { "back" }
    );
    build(&a, a_schema, namespace).await;
    build(&b, b_schema, namespace).await;
    let ns = namespace.unwrap_or("public");
    let schemas: Vec<&str> = namespace.into_iter().collect();
    let before = differences(
        &common::introspect_in(&b.url, ns).await,
        &common::introspect_in(&a.url, ns).await,
    );
    if before.is_empty() {
        return Some(format!("{context}: the change is not detected"));
    }
    let ops = common::diff_in(&a.url, &b.url, false, &schemas).await;
    if ops.contains("No differences") {
        return Some(format!("{context}: diff finds nothing"));
    }
    let script = common::diff_in(&a.url, &b.url, true, &schemas).await;
    let db = migration::db::connect(&a.url).await.unwrap();
    let applied = db.execute_unprepared(&script).await;
    db.close().await.ok();
    if let Err(e) = applied {
        return Some(format!("{context}: the script fails: {e}\n{script}"));
    }
    let after = differences(
        &common::introspect_in(&b.url, ns).await,
        &common::introspect_in(&a.url, ns).await,
    );
    if !after.is_empty() {
        return Some(format!(
            "{context}: after the script A still differs from B: {after:?}\n{script}"
        ));
    }
    if namespace.is_some() {
        // pg_dump's word, column order aside (a column added comes last in A): every line of
        // each statement, sorted.
        let (dump_a, dump_b) = (
            unordered(&common::pg_dump_schema(&a.url)),
            unordered(&common::pg_dump_schema(&b.url)),
        );
        if dump_a != dump_b {
            return Some(format!(
                "{context}: pg_dump sees A and B differ:\n--- A\n{}\n--- B\n{}",
                dump_a.join("\n"),
                dump_b.join("\n")
            ));
        }
        if !common::introspect_in(&a.url, "public")
            .await
            .tables
            .is_empty()
        {
            return Some(format!("{context}: the script wrote into public"));
        }
    }
    let again = common::diff_in(&a.url, &b.url, false, &schemas).await;
    (again.trim() != "// No differences").then(|| format!("{context}: diff again: {again}"))
}

/// A pg_dump, each statement's lines sorted (without their trailing commas), statements in
/// their order.
fn unordered(dump: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut statement: Vec<String> = Vec::new();
    for line in dump.lines() {
        statement.push(line.trim().trim_end_matches(',').to_string());
        if line.trim_end().ends_with(';') {
            statement.sort();
            out.push(statement.join(" | "));
            statement.clear();
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_kind_of_change_diffs_into_a_script_that_makes_a_equal_b() {
    let mut runs = Vec::new();
    for backend in BACKENDS {
        for (case, (_, on_sqlite, _)) in CASES.iter().enumerate() {
            if backend == DbBackend::Sqlite && !on_sqlite {
                continue;
            }
            runs.extend([true, false].map(|forward| (backend, case, forward, None)));
        }
    }
    run_cases(runs).await;
}

/// Every case of the corpus, both ways, with both databases' tables in a schema other than
/// `public` (named as no identifier rule lets through unquoted), compared with `diff --schema`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_kind_of_change_diffs_the_same_in_a_schema_other_than_public() {
    if !common::pg_dump_runs("every_kind_of_change_in_a_schema") {
        return;
    }
    let runs = (0..CASES.len())
        .flat_map(|case| {
            [true, false].map(|forward| (DbBackend::Postgres, case, forward, Some(ODD_SCHEMA)))
        })
        .collect();
    run_cases(runs).await;
}

/// Runs each (backend, case, direction, schema), four at a time, and fails listing every run
/// that went wrong.
async fn run_cases(runs: Vec<(DbBackend, usize, bool, Option<&'static str>)>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(4));
    let mut running = tokio::task::JoinSet::new();
    for (backend, case, forward, namespace) in runs {
        let slots = slots.clone();
        running.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            run_case(backend, case, forward, namespace).await
        });
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    while let Some(result) = running.join_next().await {
        ran += 1;
        match result {
            Ok(None) => {}
            Ok(Some(failure)) => failures.push(failure),
            Err(panic) => failures.push(format!("a case panicked: {panic}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The diff of two models is the same whatever the run: same ops, same order.
#[test]
fn the_diff_is_deterministic() {
    let base = base();
    for (_, _, change) in CASES {
        let mut changed = base.clone();
        change(&mut changed);
        let first = autogenerate::diff(&base, &changed, &Hints::default());
        for _ in 0..3 {
            let copy: Schema = changed.clone();
            assert_eq!(
                autogenerate::diff(&base.clone(), &copy, &Hints::default()),
                first
            );
        }
        autogenerate::verify(&base, &first, &changed, &Default::default()).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Introspection cost.

/// `n` tables, each with comments, a serial key, a unique constraint, an index and a foreign
/// key to the one before.
fn many_tables(n: usize) -> Schema {
    let mut s = Schema::default();
    for i in 0..n {
        let mut t = Table::new(&format!("t{i:04}"))
            .comment("A table")
            .col(
                Column::new("id", T::Integer)
                    .auto_increment()
                    .comment("Key"),
            )
            .col(Column::new("code", T::Varchar(Some(16))).not_null())
            .col(Column::new("prev_id", T::Integer))
            .primary_key(["id"])
            .unique(["code"])
            .index(Index::new(&format!("ix_t{i:04}_prev_id"), ["prev_id"]));
        if i > 0 {
            t = t.foreign_key(ForeignKey::new(
                ["prev_id"],
                &format!("t{:04}", i - 1),
                ["id"],
            ));
        }
        s.tables.insert(t.name.clone(), t);
    }
    s
}

/// What reading a database's catalog cost: messages the server received (counted outside
/// opdb), statements it prepared, and the reader's own counts.
struct ReadCost {
    sent: usize,
    prepared: usize,
    batches: usize,
    queries: usize,
    tables: usize,
}

/// Statements sent while introspecting `url` (SQLite), counted by the connection itself.
async fn introspection_statements(url: &str) -> ReadCost {
    let mut db = migration::db::connect(url).await.unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let found = migration::introspect::introspect(&db, "public")
        .await
        .unwrap();
    db.close().await.ok();
    ReadCost {
        sent: sent.load(Ordering::SeqCst),
        prepared: 0,
        batches: found.batches,
        queries: found.queries,
        tables: found.schema.tables.len(),
    }
}

/// Messages sent while introspecting `url` (PostgreSQL), counted on the wire: the connection
/// goes through a relay that reads the protocol's messages on their way to the server (TLS
/// off, so it can) and counts simple queries (`Q`, one round trip each) and prepared
/// statements (`P`).
async fn introspection_messages(url: &str) -> ReadCost {
    let relay = Relay::start(url);
    let db = migration::db::connect(&relay.url).await.unwrap();
    let before = relay.counts();
    let found = migration::introspect::introspect(&db, "public")
        .await
        .unwrap();
    let after = relay.counts();
    db.close().await.ok();
    ReadCost {
        sent: after.0 - before.0,
        prepared: after.1 - before.1,
        batches: found.batches,
        queries: found.queries,
        tables: found.schema.tables.len(),
    }
}

/// A TCP relay to a PostgreSQL server that counts the client's `Q` and `P` messages.
struct Relay {
    /// The server's URL with the relay's address, TLS off.
    url: String,
    counts: Arc<std::sync::Mutex<(usize, usize)>>,
}

impl Relay {
    fn start(url: &str) -> Relay {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        // postgres://user@host:port/name: the server's address is what follows the `@`.
        let rest = &url[url.find("://").unwrap() + 3..];
        let authority = &rest[..rest.find('/').unwrap()];
        let server = authority[authority.rfind('@').map_or(0, |at| at + 1)..].to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let relayed = url.replacen(&server, &format!("127.0.0.1:{port}"), 1);
        let joiner = if relayed.contains('?') { '&' } else { '?' };
        let counts = Arc::new(std::sync::Mutex::new((0, 0)));
        let counted = counts.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let mut upstream = TcpStream::connect(&server).unwrap();
                let (mut client_in, mut upstream_out) =
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    while let Ok(n) = upstream.read(&mut buf) {
                        if n == 0 || client.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = client.shutdown(std::net::Shutdown::Both);
                });
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    let mut pending: Vec<u8> = Vec::new();
                    // The start-up message has a length and no type byte.
                    let mut started = false;
                    while let Ok(n) = client_in.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        // Counted before it is passed on: the server cannot answer a message
                        // (and the client return) before the count has it.
                        pending.extend_from_slice(&buf[..n]);
                        loop {
                            let head = if started { 1 } else { 0 };
                            if pending.len() < head + 4 {
                                break;
                            }
                            let len =
                                u32::from_be_bytes(pending[head..head + 4].try_into().unwrap())
                                    as usize;
                            if pending.len() < head + len {
                                break;
                            }
                            if started {
                                let mut c = counted.lock().unwrap();
                                match pending[0] {
                                    b'Q' => c.0 += 1,
                                    b'P' => c.1 += 1,
                                    _ => {}
                                }
                            }
                            pending.drain(..head + len);
                            started = true;
                        }
                        if upstream_out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = upstream_out.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Relay {
            url: format!("{relayed}{joiner}sslmode=disable"),
            counts,
        }
    }

    fn counts(&self) -> (usize, usize) {
        *self.counts.lock().unwrap()
    }
}

#[tokio::test]
async fn introspection_costs_the_same_for_10_and_500_tables() {
    for backend in BACKENDS {
        let mut counts = Vec::new();
        for n in [10, 500] {
            let Some(db) = common::database(backend, "query_count").await else {
                return;
            };
            let mut schema = many_tables(n);
            if backend == DbBackend::Sqlite {
                schema = migration::sqlite_stored::stored_by_sqlite(&schema);
            }
            build(&db, &schema, None).await;
            let cost = match backend {
                DbBackend::Postgres => introspection_messages(&db.url).await,
                _ => introspection_statements(&db.url).await,
            };
            assert_eq!(cost.tables, n);
            assert_eq!(
                (cost.sent, cost.prepared),
                (cost.batches, 0),
                "{backend:?}: the reader's own count is right, and nothing was prepared"
            );
            counts.push((cost.sent, cost.queries));
        }
        assert_eq!(counts[0], counts[1], "{backend:?}: {counts:?}");
        eprintln!(
            "{backend:?}: {} round trips ({} catalog queries) for 10 and for 500 tables",
            counts[0].0, counts[0].1
        );
    }
}

/// Views, materialized views (with unique indexes), functions and triggers cost no query of
/// their own: 10 views and 500 views (each reading the one before it, every tenth also a
/// materialized view, with as many functions, overloads among them, and triggers) are read in
/// the same round trips, counted on the wire.
#[tokio::test]
async fn introspection_costs_the_same_for_10_and_500_views() {
    let mut counts = Vec::new();
    for n in [10, 500] {
        let Some(db) = common::database(DbBackend::Postgres, "view_query_count").await else {
            return;
        };
        let mut sql = String::from(
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE VIEW v0000 AS SELECT id, qty FROM item;\n",
        );
        for i in 1..n {
            sql.push_str(&format!(
                "CREATE VIEW v{i:04} AS SELECT id, qty + {i} AS qty FROM v{:04};\n",
                i - 1
            ));
        }
        for i in (0..n).step_by(10) {
            sql.push_str(&format!(
                "CREATE MATERIALIZED VIEW m{i:04} AS SELECT id, qty FROM v{i:04};
                 CREATE UNIQUE INDEX m{i:04}_id ON m{i:04} (id);
                 CREATE FUNCTION f{i:04}(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';
                 CREATE FUNCTION f{i:04}(a text) RETURNS text LANGUAGE sql AS 'SELECT a';
                 CREATE FUNCTION t{i:04}() RETURNS trigger LANGUAGE plpgsql
                     AS 'BEGIN RETURN NEW; END';
                 CREATE TRIGGER t{i:04} BEFORE INSERT ON item FOR EACH ROW
                     EXECUTE FUNCTION t{i:04}();\n"
            ));
        }
        common::execute(&db.url, &sql).await;
        let cost = introspection_messages(&db.url).await;
        let live = common::introspect(&db.url).await;
        assert_eq!(live.views.len(), n + n / 10);
        assert_eq!(live.functions.len(), 3 * n / 10);
        assert_eq!(live.triggers.len(), n / 10);
        assert_eq!(live.views["m0000"].indexes.len(), 1);
        assert_eq!(
            live.views[&format!("v{:04}", n - 1)].reads,
            [
                migration::schema::Read::Column(format!("v{:04}", n - 2), "id".into()),
                migration::schema::Read::Column(format!("v{:04}", n - 2), "qty".into()),
            ]
        );
        assert_eq!((cost.sent, cost.prepared), (cost.batches, 0));
        counts.push((cost.sent, cost.queries));
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    eprintln!(
        "{} round trips ({} catalog queries) for 11 and for 550 views",
        counts[0].0, counts[0].1
    );
}

/// Every PostgreSQL catalog query reads one catalog (a scalar subquery or a function call per
/// row at most): on a freshly built database of 500 tables, whose catalogs were never
/// analyzed, no plan holds a join, so none can turn into a nested loop that rescans one
/// catalog per row of another when the statistics are wrong. The queries are read from the
/// source, as the benchmark does.
#[tokio::test]
async fn catalog_queries_plan_no_joins() {
    let Some(db) = common::database(DbBackend::Postgres, "catalog_plans").await else {
        return;
    };
    build(&db, &many_tables(500), None).await;
    let source = include_str!("../migration/src/introspect/postgres.rs");
    let mut queries: Vec<(String, String)> = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("\nconst ") {
        rest = &rest[at + 7..];
        let name = rest[..rest.find(':').unwrap()].to_string();
        let body = &rest[rest.find("= \"").unwrap() + 3..];
        let sql = body[..body.find("\";").unwrap()].to_string();
        queries.push((name, sql));
    }
    assert!(queries.len() >= 10, "{queries:?}");
    let conn = migration::db::connect(&db.url).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.oid::int8 AS oid, c.relkind::text AS kind FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
        ))
        .await
        .unwrap();
    let oids = |kind: &[&str]| -> String {
        let list: Vec<String> = rows
            .iter()
            .filter(|r| kind.contains(&r.try_get::<String>("", "kind").unwrap().as_str()))
            .map(|r| r.try_get::<i64>("", "oid").unwrap().to_string())
            .collect();
        format!("'{{{}}}'::oid[]", list.join(","))
    };
    for (name, sql) in &queries {
        let oids = if name.starts_with("SEQUENCE") {
            oids(&["S"])
        } else {
            oids(&["r", "p"])
        };
        let sql = sql
            .replace(
                "$NAMESPACE",
                "(SELECT oid FROM pg_namespace WHERE nspname = 'public')",
            )
            .replace("$OIDS", &oids)
            .replace("$FUNCTIONS", "'{}'::oid[]")
            .replace("$NND", "indnullsnotdistinct");
        let plan: Vec<String> = conn
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("EXPLAIN (COSTS OFF) {sql}"),
            ))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .iter()
            .map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap())
            .collect();
        assert!(
            !plan
                .iter()
                .any(|l| l.contains("Join") || l.contains("Nested Loop")),
            "{name} plans a join:\n{}",
            plan.join("\n")
        );
    }
    conn.close().await.ok();
}

/// The catalog read in batches (one simple-query message per batch, its rows as text) and read
/// one query at a time through SeaORM inside a transaction (prepared, its rows binary) find the
/// same schema: on a database that holds every kind of object the reader reads, with names and
/// texts that need quoting (in arrays too), and in a schema whose name holds a quote and a
/// backslash.
#[tokio::test]
async fn batched_and_one_by_one_catalog_reads_agree() {
    let Some(db) = common::pg("read_transports").await else {
        return;
    };
    let objects = r#"
        CREATE TYPE mood AS ENUM ('ok', 'it''s "bad"', 'a,b');
        CREATE TABLE parent (id serial PRIMARY KEY, "Odd, ""name""" text COLLATE "C");
        COMMENT ON TABLE parent IS 'It''s a {parent}, "quoted"';
        COMMENT ON COLUMN parent."Odd, ""name""" IS 'back\slash';
        CREATE TABLE child (
            id int GENERATED BY DEFAULT AS IDENTITY (START WITH 7 INCREMENT BY 3) PRIMARY KEY,
            parent_id int REFERENCES parent (id) ON DELETE CASCADE DEFERRABLE,
            feeling mood DEFAULT 'a,b',
            tags text[] DEFAULT ARRAY['x,y', 'z"w'],
            score numeric(8, 3) CHECK (score > 0),
            total numeric GENERATED ALWAYS AS (score * 2) STORED,
            code varchar(10),
            UNIQUE NULLS NOT DISTINCT (code, feeling)
        );
        CREATE INDEX "ix, ""expr""" ON child (lower(code), (tags[1] || ',"\{NULL}'), id DESC NULLS LAST)
            INCLUDE (score) WHERE code <> 'a''b';
        CREATE INDEX ix_pattern ON child (code varchar_pattern_ops, code COLLATE "C");
        CREATE SEQUENCE free_numbers START 5 INCREMENT 2 MAXVALUE 1000 CYCLE;
        CREATE VIEW kids AS SELECT id FROM child;
        CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2';
        CREATE MATERIALIZED VIEW "kid, ""stats""" AS SELECT count(*) AS n, twice(1) AS t FROM kids;
        CREATE UNIQUE INDEX kid_stats_n ON "kid, ""stats""" (n);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER "child's touch" BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE SCHEMA other;
        CREATE TABLE other.far (id int PRIMARY KEY, "Far col" int UNIQUE);
        ALTER TABLE child ADD COLUMN far_id int REFERENCES other.far ("Far col");
        CREATE SCHEMA "it's \odd";
        CREATE TABLE "it's \odd".inside (id int PRIMARY KEY);
    "#;
    common::execute(&db.url, objects).await;
    let conn = migration::db::connect(&db.url).await.unwrap();
    for namespace in ["public", "it's \\odd"] {
        let batched = migration::introspect::introspect(&conn, namespace)
            .await
            .unwrap();
        let one_by_one = migration::introspect::introspect_in(&conn, namespace)
            .await
            .unwrap();
        assert_eq!(batched.schema, one_by_one.schema, "{namespace}");
        // What views read and give is context, outside `==`: compared on its own.
        for (name, view) in &batched.schema.views {
            let other = &one_by_one.schema.views[name];
            assert_eq!((&view.reads, &view.columns), (&other.reads, &other.columns));
        }
        assert!(batched.batches < one_by_one.batches);
        if namespace != "public" {
            assert_eq!(batched.schema.tables.keys().collect::<Vec<_>>(), ["inside"]);
            continue;
        }
        // What was read is what was made (expressions as the server's pg_get_indexdef words
        // them).
        let s = &batched.schema;
        assert_eq!(s.enums["mood"], ["ok", "it's \"bad\"", "a,b"]);
        assert_eq!(
            s.tables["parent"].comment.as_deref(),
            Some("It's a {parent}, \"quoted\"")
        );
        let child = &s.tables["child"];
        let expr = child
            .indexes
            .iter()
            .find(|i| i.name == "ix, \"expr\"")
            .unwrap();
        assert_eq!(
            expr.keys,
            [
                IndexKey::Expression("lower((code)::text)".into()),
                IndexKey::Expression(r#"((tags[1] || ',"\{NULL}'::text))"#.into()),
                IndexKey::Column("id".into()),
            ]
        );
        assert_eq!(expr.include, ["score"]);
        let far = child
            .foreign_keys
            .iter()
            .find(|k| k.ref_table == "far")
            .unwrap();
        assert_eq!(far.ref_columns, ["Far col"]);
        let identity = child.columns[0].identity.as_ref().unwrap();
        assert_eq!((identity.start, identity.increment), (Some(7), Some(3)));
        assert_eq!(s.sequences["free_numbers"].max_value, 1000);
        assert!(child.uniques[0].nulls_not_distinct);
        let pattern = child
            .indexes
            .iter()
            .find(|i| i.name == "ix_pattern")
            .unwrap();
        assert_eq!(
            pattern.options[0].opclass.as_deref(),
            Some("varchar_pattern_ops")
        );
        assert_eq!(pattern.options[1].collation.as_deref(), Some("C"));
        use migration::schema::Read;
        let kids = &s.views["kids"];
        assert_eq!(kids.definition, "SELECT child.id\n   FROM child");
        assert_eq!(kids.reads, [Read::Column("child".into(), "id".into())]);
        assert_eq!(kids.columns, [("id".to_string(), "integer".to_string())]);
        let stats = &s.views["kid, \"stats\""];
        assert!(stats.materialized && stats.with_data);
        assert_eq!(stats.indexes[0].name, "kid_stats_n");
        assert_eq!(
            stats.reads,
            [
                Read::Relation("kids".into()),
                Read::Function("twice(integer)".into())
            ]
        );
        let twice = &s.functions["twice(integer)"];
        assert_eq!(
            (twice.arguments.as_str(), twice.identity.as_str()),
            ("integer", "integer")
        );
        assert_eq!(
            twice.definition,
            "RETURNS integer\n LANGUAGE sql\nAS $function$SELECT $1 * 2$function$"
        );
        let touch = &s.triggers[&("child".to_string(), "child's touch".to_string())];
        assert_eq!(
            touch.definition,
            "CREATE TRIGGER \"child's touch\" BEFORE UPDATE ON child FOR EACH ROW EXECUTE \
             FUNCTION touch()"
        );
        assert_eq!(touch.function.as_deref(), Some("touch()"));
        assert!(s.unmodelled.is_empty(), "{:?}", s.unmodelled);
    }
    conn.close().await.ok();
}

/// Defaults are deparsed without their table (opening each table cost the server most of the
/// query), generated expressions with it: every expression read is the server's own text of it
/// deparsed with its table, for defaults of every shape (a sequence, a cast, a function, an
/// array, a text that looks like a column node) and for generated columns.
#[tokio::test]
async fn defaults_read_as_the_server_deparses_them_with_their_table() {
    let Some(db) = common::pg("defaults_deparse").await else {
        return;
    };
    common::execute(
        &db.url,
        "CREATE SEQUENCE s;
         CREATE TABLE t (
             id serial PRIMARY KEY,
             n int8 DEFAULT nextval('s'),
             made timestamptz DEFAULT now(),
             day date DEFAULT (now() AT TIME ZONE 'utc')::date,
             label varchar(20) DEFAULT '{VAR :varno 1}',
             tags text[] DEFAULT ARRAY['a', 'b'],
             ratio numeric(6, 2) DEFAULT 1.5 * 2,
             twice int GENERATED ALWAYS AS (id * 2) STORED,
             shout text GENERATED ALWAYS AS (upper(label::text) || '!') STORED
         );",
    )
    .await;
    let conn = migration::db::connect(&db.url).await.unwrap();
    let found = migration::introspect::introspect(&conn, "public")
        .await
        .unwrap();
    let expected: Vec<(String, String)> = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT a.attname::text AS name, pg_get_expr(d.adbin, d.adrelid) AS expr
             FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             WHERE d.adrelid = 't'::regclass AND a.attname <> 'id' ORDER BY a.attnum",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("", "name").unwrap(),
                r.try_get("", "expr").unwrap(),
            )
        })
        .collect();
    assert_eq!(expected.len(), 8, "{expected:?}");
    let table = &found.schema.tables["t"];
    for (name, expr) in &expected {
        let column = table.columns.iter().find(|c| &c.name == name).unwrap();
        let read = match &column.generated {
            Some(g) => g.expression.clone(),
            None => column.default.clone().unwrap_or_default(),
        };
        // The model keeps a text in its normal form: compare it with the server's text in the
        // same form.
        let mut probe = migration::schema::Column::new(name, column.ty.clone());
        probe.default = Some(expr.clone());
        let mut schema = migration::schema::Schema::default();
        schema.tables.insert(
            "t".into(),
            migration::schema::Table {
                name: "t".into(),
                columns: vec![probe],
                ..Default::default()
            },
        );
        migration::normalize::schema(&mut schema);
        let normal = schema.tables["t"].columns[0].default.clone().unwrap();
        assert_eq!(
            read, normal,
            "{name}: read {read:?}, the server says {expr:?}"
        );
    }
    conn.close().await.ok();
}

/// The catalog reads turn JIT compilation off while they run (its use follows the planner's
/// cost estimate, hence the catalogs' statistics) and leave the session's setting as it was.
#[tokio::test]
async fn catalog_reads_leave_the_jit_setting_as_found() {
    let Some(db) = common::pg("jit_setting").await else {
        return;
    };
    let conn = migration::db::connect(&db.url).await.unwrap();
    let show = || async {
        conn.query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW jit"))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "jit")
            .unwrap()
    };
    let default = show().await;
    migration::introspect::introspect(&conn, "public")
        .await
        .unwrap();
    assert_eq!(show().await, default);
    // Set by the session itself: a RESET would lose it, so a transaction keeps it.
    let session = if default == "on" { "off" } else { "on" };
    conn.execute_unprepared(&format!("SET jit = {session}"))
        .await
        .unwrap();
    migration::introspect::introspect(&conn, "public")
        .await
        .unwrap();
    assert_eq!(show().await, session, "the session's own SET is kept");
    conn.close().await.ok();
}
