//! Entities' checks and defaults compared with a database in the database's own words.
//!
//! PostgreSQL rewrites every check it is given; opdb has the server rewrite the entities'
//! side too (a scratch schema in a rolled-back transaction) and compares the texts exactly.
//! The cases: the entities against a database built from the same SQL by hand (no
//! difference: `kind IN ('x', 'y')` comes back as `= ANY (ARRAY[...])`), and against one whose
//! check differs only in grouping, which a text key cannot see. The script `diff` writes is
//! judged by `pg_dump`, not by opdb. On SQLite, which keeps the text it was given, the same
//! entities are compared with a database built from their own SQL.

mod common;

use migration::commands::{self, check::DiffSide};
use migration::entities::EntitySet;
use sea_orm::{ConnectionTrait, DbBackend};

mod flag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "flag")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        #[sea_orm(extra = "CHECK (a > 0 AND (b OR c))")]
        pub a: i32,
        pub b: bool,
        pub c: bool,
        #[sea_orm(extra = "CHECK (kind IN ('x', 'y'))", default_value = "x")]
        pub kind: String,
        #[sea_orm(extra = "CHECK (größe > 0.5)")]
        pub größe: f64,
        #[sea_orm(extra = "GENERATED ALWAYS AS (a*2 + 1) STORED")]
        pub twice: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn entities() -> EntitySet {
    let mut set = EntitySet::new();
    set.add(flag::Entity);
    set
}

/// An entity with an `extra` opdb does not understand.
mod odd {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "odd")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(extra = "REFERENCES \"other\" (id)")]
        pub name: String,
        #[sea_orm(column_type = "Year")]
        pub born: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn odd_entities() -> EntitySet {
    let mut set = entities();
    set.add(odd::Entity);
    set
}

/// The entities' table written by hand, with the check grouped as `grouping` says.
fn flag_sql(grouping: &str) -> String {
    format!(
        "CREATE TABLE flag (
            id integer NOT NULL, a integer NOT NULL, b boolean NOT NULL, c boolean NOT NULL,
            kind varchar NOT NULL DEFAULT 'x', größe double precision NOT NULL,
            twice bigint NOT NULL GENERATED ALWAYS AS ((a * 2) + 1) STORED,
            CONSTRAINT flag_pkey PRIMARY KEY (id),
            CONSTRAINT flag_a_check CHECK ({grouping}),
            CONSTRAINT flag_kind_check CHECK (kind IN ('x', 'y')),
            CONSTRAINT \"flag_größe_check\" CHECK (größe > 0.5));"
    )
}

const AS_WRITTEN: &str = "a > 0 AND (b OR c)";
const REGROUPED: &str = "(a > 0 AND b) OR c";

/// A project whose entities are [`entities`] and whose database is `url`.
async fn with_project<T>(
    url: &str,
    command: impl AsyncFnOnce(&commands::Project<'_>) -> anyhow::Result<T>,
) -> T {
    with_entities(entities, url, command)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A project whose entities are `entities` and whose database is `url`; an error on one line.
async fn with_entities<T>(
    entities: fn() -> EntitySet,
    url: &str,
    command: impl AsyncFnOnce(&commands::Project<'_>) -> anyhow::Result<T>,
) -> Result<T, String> {
    // A folder of each call's own, removed when it ends.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let project = common::scripts::ScriptProject::new(
        &format!("canonical{call}"),
        "x",
        "canonical",
        "canonical_expressions",
    );
    project.with(entities, url, &[], command).await
}

/// What `check` finds (differences only).
async fn check(url: &str) -> Vec<String> {
    with_project(url, async |p| commands::check::check(p).await)
        .await
        .differences
}

/// `diff --from URL --to model --sql`.
async fn script_to_model(url: &str) -> String {
    let diff = with_project(url, async |p| {
        let (from, to) = (DiffSide::parse(url), DiffSide::Entities);
        commands::check::diff(p, &from, &to, true).await
    })
    .await;
    assert_eq!(diff.caution, None, "expressions compared approximately");
    let mut out = Vec::new();
    migration::cli::print_diff(&diff, true, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn checks_are_compared_as_postgresql_writes_them() {
    const TEST: &str = "checks_are_compared_as_postgresql_writes_them";
    if !common::pg_dump_runs(TEST) {
        return;
    }
    let (Some(twin), Some(regrouped)) = (
        common::database(DbBackend::Postgres, "canonical").await,
        common::database(DbBackend::Postgres, "canonical").await,
    ) else {
        return;
    };
    common::execute(&twin.url, &flag_sql(AS_WRITTEN)).await;
    common::execute(&regrouped.url, &flag_sql(REGROUPED)).await;

    // The no-change twin: `IN`, the cast on 0.5 and the grouping parentheses PostgreSQL adds
    // are no difference.
    assert_eq!(check(&twin.url).await, Vec::<String>::new());
    // Nor in a copy restored from pg_dump, where PostgreSQL stored the `IN` check otherwise
    // (its second reading, which the entities' text reaches only when stored twice).
    let Some(restored) = common::database(DbBackend::Postgres, "canonical").await else {
        return;
    };
    common::execute(&restored.url, &common::pg_dump_schema(&twin.url)).await;
    assert_ne!(
        common::pg_dump_schema(&restored.url),
        common::pg_dump_schema(&twin.url)
    );
    assert_eq!(check(&restored.url).await, Vec::<String>::new());

    // Grouping is.
    let found = check(&regrouped.url).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|d| d.contains("a > 0 AND (b OR c)")),
        "{found:?}"
    );

    // The script that turns the regrouped database into the entities' makes it the twin, by
    // pg_dump; then nothing is left.
    let script = script_to_model(&regrouped.url).await;
    let db = migration::db::connect(&regrouped.url).await.unwrap();
    db.execute_unprepared(&script)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{script}"));
    db.close().await.ok();
    assert_eq!(
        common::pg_dump_schema(&regrouped.url),
        common::pg_dump_schema(&twin.url),
        "{script}"
    );
    assert_eq!(check(&regrouped.url).await, Vec::<String>::new());
    // The scratch schema was rolled back with its transaction.
    let db = migration::db::connect(&twin.url).await.unwrap();
    let left = db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'opdb_canonical%'",
        ))
        .await
        .unwrap()
        .unwrap();
    db.close().await.ok();
    assert_eq!(left.try_get::<i64>("", "n").unwrap(), 0);
}

#[tokio::test]
async fn checks_are_compared_as_sqlite_keeps_them() {
    let (twin, regrouped) = (common::sqlite("canonical"), common::sqlite("canonical"));
    // Both built by opdb's own script from an empty file, then one regrouped by hand.
    for db in [&twin, &regrouped] {
        let script = script_to_model(&db.url).await;
        common::execute(&db.url, &script).await;
    }
    assert_eq!(check(&twin.url).await, Vec::<String>::new());
    let stored = common::sqlite_schema(&twin.url).await;
    // The judge prints SQLite's text without white space, in lower case.
    let squash = |s: &str| s.replace(' ', "").to_lowercase();
    assert!(stored.contains(&squash(AS_WRITTEN)), "{stored}");
    let swap = format!(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = replace(sql, '{AS_WRITTEN}', '{REGROUPED}') WHERE name = 'flag';
         PRAGMA writable_schema = OFF;"
    );
    common::execute(&regrouped.url, &swap).await;
    let stored = common::sqlite_schema(&regrouped.url).await;
    assert!(stored.contains(&squash(REGROUPED)), "{stored}");
    let found = check(&regrouped.url).await;
    assert_eq!(found.len(), 2, "{found:?}");
}

#[tokio::test]
async fn an_extra_opdb_cannot_express_is_an_error_naming_entity_and_column() {
    let db = common::sqlite("odd_extra");
    let url = db.url.clone();
    let error = with_entities(odd_entities, &url, async |p| {
        commands::check::check(p).await
    })
    .await
    .unwrap_err();
    assert!(
        error.contains(r#"entity "odd", column "name": extra = "REFERENCES \"other\" (id)""#),
        "{error}"
    );
    assert!(
        error.contains(r#"entity "odd", column "born": type year has no PostgreSQL"#),
        "{error}"
    );
    assert!(!error.contains('\n'), "{error}");
    let error = with_entities(odd_entities, &url, async |p| {
        let (from, to) = (DiffSide::parse(&url), DiffSide::Entities);
        commands::check::diff(p, &from, &to, true).await
    })
    .await
    .unwrap_err();
    assert!(error.contains("REFERENCES"), "{error}");
    // Nothing was made.
    assert_eq!(common::all_tables(&url).await, Vec::<String>::new());
}

/// A role that may read but not create schemas gets the text comparison, and is told so.
#[tokio::test]
async fn a_role_without_create_is_warned_that_expressions_compare_by_text() {
    let Some(db) = common::database(DbBackend::Postgres, "canonical_role").await else {
        return;
    };
    common::execute(&db.url, &flag_sql(AS_WRITTEN)).await;
    let role = format!("opdb_reader_{}", std::process::id());
    let admin = migration::db::connect(&common::pg_admin_url())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"
        ))
        .await
        .unwrap();
    let as_reader = db
        .url
        .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(as_reader, db.url, "the test URL names its user");
    let outcome = with_entities(entities, &as_reader, async |p| {
        commands::check::check(p).await
    })
    .await;
    admin
        .execute_unprepared(&format!("DROP ROLE {role}"))
        .await
        .unwrap();
    admin.close().await.ok();
    let outcome = outcome.unwrap();
    let caution = outcome.caution.unwrap_or_default();
    assert!(caution.contains("compared by their text"), "{caution}");
    assert!(caution.contains("permission denied"), "{caution}");
}

/// PostgreSQL does not store its own text of some checks as the same expression: restored
/// from pg_dump, `flag IN ('a', 'b')` on a varchar comes back with the cast pushed into the
/// array's elements. Two such databases hold one check, and `diff` says so both ways; a real
/// change of the list is still seen, and once its script ran, nothing is left.
#[tokio::test]
async fn a_check_pg_dump_cannot_reproduce_is_still_the_same_check() {
    const TEST: &str = "a_check_pg_dump_cannot_reproduce_is_still_the_same_check";
    if !common::pg_dump_runs(TEST) {
        return;
    }
    let (Some(original), Some(restored), Some(changed)) = (
        common::database(DbBackend::Postgres, "canonical_dump").await,
        common::database(DbBackend::Postgres, "canonical_dump").await,
        common::database(DbBackend::Postgres, "canonical_dump").await,
    ) else {
        return;
    };
    let check = |list: &str| {
        format!(
            "CREATE TABLE t (x integer, flag varchar(1), CONSTRAINT my_enum CHECK (flag IN ({list})));"
        )
    };
    common::execute(&original.url, &check("'a', 'b'")).await;
    common::execute(&changed.url, &check("'a', 'c'")).await;
    // Restored from the dump's own text, which PostgreSQL stores otherwise.
    let dumped = common::pg_dump_schema(&original.url);
    let create: String = dumped
        .lines()
        .skip_while(|l| !l.starts_with("CREATE TABLE"))
        .take_while(|l| !l.starts_with(");"))
        .chain([");"])
        .collect::<Vec<_>>()
        .join("\n");
    common::execute(&restored.url, &create).await;
    let (a, b) = (
        common::pg_dump_schema(&original.url),
        common::pg_dump_schema(&restored.url),
    );
    assert_ne!(
        a, b,
        "PostgreSQL stored the dumped check as it was: the case is moot"
    );

    for (from, to) in [(&original, &restored), (&restored, &original)] {
        let found = common::diff(&from.url, &to.url, false).await;
        assert_eq!(found.trim(), "// No differences");
    }
    let script = common::diff(&restored.url, &changed.url, true).await;
    assert!(script.contains("my_enum"), "{script}");
    common::execute(&restored.url, &script).await;
    let found = common::diff(&restored.url, &changed.url, false).await;
    assert_eq!(found.trim(), "// No differences", "{script}");
}
