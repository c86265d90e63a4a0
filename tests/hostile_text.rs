//! No input may panic: tables whose SQL text holds non-ASCII letters, unbalanced parentheses in
//! declared types and odd defaults, created on real databases with raw SQL, go through what
//! `opdb check` and `opdb diff` run (introspection, normalization, the diff, its description,
//! its warnings and its SQL) and must come out as a schema, never as a panic.
//!
//! The fuzzing of the same parsers on random text is in `migration`'s own tests
//! (`normalize::fuzz`).

mod common;

use migration::autogenerate::{self, describe, Hints};
use migration::normalize;
use migration::schema::{ColumnType as T, Schema};
use migration::sqlite_stored;
use sea_orm::{ConnectionTrait, DbBackend};

/// Tables SQLite accepts whose text the parsers once sliced inside a character or backwards.
const SQLITE_TABLES: &str = r#"
CREATE TABLE "größe" (
    "größe" INTEGER CHECK (größe > 0),
    name TEXT CHECK (name <> 'é') DEFAULT ('a' -- é
    ),
    CONSTRAINT "prüfung" CHECK (größe < 100 AND name <> '中')
);
CREATE TABLE odd_types (
    a [a)(b],
    b "VARCHAR(",
    c [DECIMAL(10,],
    d 中文,
    e `x)(y]`,
    f TEXT DEFAULT 'é',
    g "😀" DEFAULT ('😀' || 'e' /* é */)
);
CREATE INDEX "ix_größe" ON "größe" (name) WHERE größe > 1 AND name <> 'ß';
"#;

/// Everything `check` and `diff` (also `--sql`) do with a live schema and the model.
fn check_and_diff(live: &Schema, backend: DbBackend) -> Vec<String> {
    let model = opdb::entities();
    let mut target = model.schema();
    normalize::schema(&mut target);
    let (a, b) = match backend {
        DbBackend::Sqlite => (
            sqlite_stored::stored_by_sqlite(&sqlite_stored::restore_sqlite(live, &target)),
            sqlite_stored::stored_by_sqlite(&target),
        ),
        _ => (live.clone(), target.clone()),
    };
    let mut lines = Vec::new();
    for (from, to, hints) in [
        (&a, &b, model.hints()),
        (&b, &a, model.hints().reversed()),
        (&a, &Schema::default(), Hints::default()),
        (&Schema::default(), &a, Hints::default()),
    ] {
        let ops = autogenerate::diff(from, to, &hints);
        lines.extend(ops.iter().map(describe::op));
        lines.extend(describe::warnings(from, &ops));
        let _ = migration::ddl::script(backend, from, &ops);
        lines.extend(autogenerate::render::lines(&ops));
    }
    lines
}

#[tokio::test]
async fn sqlite_text_with_multibyte_letters_and_odd_types_does_not_panic() {
    let file = std::env::temp_dir().join(format!("opdb-hostile-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let db = migration::db::connect(&url).await.unwrap();
    db.execute_unprepared(SQLITE_TABLES).await.unwrap();
    let found = migration::live::schema(&db, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    db.close().await.ok();
    let _ = std::fs::remove_file(&file);
    let live = found.schema;

    let t = &live.tables["größe"];
    let checks: Vec<&str> = t.checks.iter().map(|c| c.expression.as_str()).collect();
    assert_eq!(
        checks,
        ["größe > 0", "name <> 'é'", "größe < 100 AND name <> '中'"]
    );
    assert_eq!(t.column("größe").unwrap().ty, T::Integer);
    assert_eq!(
        t.indexes[0].predicate.as_deref(),
        Some("größe > 1 AND name <> 'ß'")
    );
    let odd = &live.tables["odd_types"];
    let types: Vec<T> = odd.columns.iter().map(|c| c.ty.clone()).collect();
    assert_eq!(
        types,
        [
            T::Other("a)(b".into()),
            T::Other("VARCHAR(".into()),
            T::Other("DECIMAL(10,".into()),
            T::Other("中文".into()),
            T::Other("x)(y]".into()),
            T::Text,
            T::Other("😀".into()),
        ]
    );
    assert_eq!(
        normalize::expression_key("größe > 0"),
        normalize::expression_key("(größe>0)")
    );

    let lines = check_and_diff(&live, DbBackend::Sqlite);
    assert!(lines.iter().any(|l| l == "drop table größe"), "{lines:#?}");
}

/// The same on PostgreSQL: a domain and a composite type whose names hold parentheses reach
/// `parse_type` as `format_type` prints them.
#[tokio::test]
async fn postgres_types_named_with_parentheses_do_not_panic() {
    let Some(pg) = common::pg("hostile_text").await else {
        return;
    };
    let db = pg.connect().await;
    db.execute_unprepared(
        r#"
        CREATE DOMAIN "a)(b" AS integer CHECK (VALUE > 0);
        CREATE TYPE "x)(y" AS (n integer);
        CREATE TABLE "größe" (
            "größe" "a)(b",
            p "x)(y",
            q "a)(b"[],
            name text DEFAULT 'é' CHECK (name <> 'é'),
            CONSTRAINT "prüfung" CHECK ("größe" < 100 AND name <> '中')
        );
        "#,
    )
    .await
    .unwrap();
    let found = migration::live::schema(&db, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    db.close().await.ok();
    let t = &found.schema.tables["größe"];
    assert_eq!(t.column("größe").unwrap().ty, T::Other("\"a)(b\"".into()));
    assert_eq!(t.column("p").unwrap().ty, T::Other("\"x)(y\"".into()));
    assert_eq!(
        t.column("q").unwrap().ty,
        T::Array(Box::new(T::Other("\"a)(b\"".into())))
    );
    let lines = check_and_diff(&found.schema, DbBackend::Postgres);
    assert!(lines.iter().any(|l| l == "drop table größe"), "{lines:#?}");
}
