//! Fuzzing every text parser and normalizer for a bounded time: no input may panic.
//!
//! Catalogs hand opdb whatever text a user once wrote (`CHECK (größe <> 'é')`, a declared type
//! `[a)(b]`), so the parsers are fed random strings from a hostile alphabet (quotes, brackets,
//! SQL keywords, multibyte letters, combining marks, NUL, new lines) and mutations of real
//! opDB texts, from a fixed seed so that a failure comes back on every run. Then SQLite itself
//! is given random declared types, defaults and checks, and whatever it accepts is introspected
//! and diffed. A panic fails the test with the input that caused it.

use super::{postgres, sqlite, take_ident, unquote};
use crate::autogenerate::{self, describe, Hints};
use crate::normalize;
use crate::schema::{ColumnType, Schema};
use crate::sqlite_stored;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::panic::catch_unwind;
use std::time::{Duration, Instant};

/// Xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const HOSTILE: &[&str] = &[
    "(",
    ")",
    "((",
    "))",
    "[",
    "]",
    "\"",
    "'",
    "''",
    "`",
    ",",
    ";",
    ":",
    "::",
    ".",
    " ",
    "  ",
    "\n",
    "\t",
    "\0",
    "-",
    "--",
    "/*",
    "*/",
    "*",
    "/",
    "=",
    "<>",
    ">",
    "<",
    "||",
    "$1",
    "{}",
    "[]",
    "0",
    "1",
    "-1",
    "10",
    "2.5",
    "1e9",
    "99999999999999999999",
    "CHECK",
    "check ",
    "DEFAULT",
    "CONSTRAINT",
    "COLLATE",
    "REFERENCES",
    "PRIMARY KEY",
    "UNIQUE",
    "FOREIGN KEY",
    "AUTOINCREMENT",
    "NOT NULL",
    "NULL",
    "TRUE",
    "false",
    "AND",
    "OR",
    "IN",
    "WHERE",
    "ON",
    "ARRAY",
    " array",
    "CREATE TABLE",
    "CREATE INDEX",
    "double precision",
    "character varying",
    "timestamp with time zone",
    "integer",
    "varchar",
    "numeric",
    "text",
    "x",
    "_a",
    "é",
    "ß",
    "größe",
    "中",
    "中文",
    "😀",
    "e\u{301}",
    "\u{301}",
    "\u{200b}",
    "\u{feff}",
    "Ω",
    "İ",
    "ǅ",
];

/// Real texts of the opDB and its revisions: types, defaults, checks, statements.
const REAL: &[&str] = &[
    "character varying(5)",
    "numeric(10,2)",
    "timestamp(3) without time zone",
    "public.\"Mood\"",
    "real[]",
    "REAL ARRAY",
    "NUMERIC(10, 2)",
    "'none'::character varying",
    "'{}'::real[]",
    "(-1)::integer",
    "'it''s'::text",
    "nextval('visit_id_seq'::regclass)",
    "CHECK ((exptime >= (0)::double precision))",
    "((a > 0) AND ((name)::text <> 'x'::text))",
    "x IN (1, 2)",
    "lower(name)",
    "CREATE TABLE \"visit\" (\n    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \
     n VARCHAR(8) CHECK (length(n) > 0),\n    CONSTRAINT visit_n_key UNIQUE (n),\n    \
     CONSTRAINT positive CHECK ((id > 0)),\n    \
     CONSTRAINT fk FOREIGN KEY (n) REFERENCES other (m) ON DELETE CASCADE\n)",
    "CREATE UNIQUE INDEX ix ON t (a, (lower(b))) WHERE a IS NOT NULL",
];

/// Random text: hostile pieces, or a real text mutated.
fn text(rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        return (0..rng.below(24))
            .map(|_| rng.pick(HOSTILE))
            .collect::<String>();
    }
    let mut chars: Vec<char> = rng.pick(REAL).chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 => chars
                .splice(at..at, rng.pick(HOSTILE).chars())
                .for_each(drop),
            1 => chars.truncate(at),
            2 => {
                let end = (at + rng.below(6)).min(chars.len());
                chars.drain(at..end).for_each(drop);
            }
            _ => {
                let copy: Vec<char> = chars[at..].iter().take(rng.below(8)).copied().collect();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy).for_each(drop);
            }
        }
    }
    chars.into_iter().collect()
}

/// Every text parser and normalizer of the engine, fed `s`.
fn every_parser(s: &str) {
    let types = [
        ColumnType::Integer,
        ColumnType::Text,
        ColumnType::Numeric(None),
        ColumnType::Boolean,
        ColumnType::Array(Box::new(ColumnType::Real)),
    ];
    for ty in &types {
        normalize::default_expr(s, ty);
    }
    normalize::check_expr(s);
    normalize::expression_key(s);
    normalize::strip_parens(s);
    for open in [0, s.len() / 2, s.len()] {
        normalize::closing_paren(s, open);
    }
    take_ident(s);
    unquote(s);
    postgres::parse_type(s, false);
    postgres::parse_type(s, true);
    sqlite::parse_type(s);
    sqlite::Declared::parse(s, s);
    sqlite::Declared::parse("t", &format!("CREATE TABLE t ({s})"));
    sqlite::Declared::parse("t", &format!("CREATE TABLE t (c {s} CHECK ({s}), {s})"));
    sqlite::Declared::parse(
        "t",
        &format!("CREATE TABLE t (a INTEGER, FOREIGN KEY (a) REFERENCES p (id) {s})"),
    );
    // Identifiers and keys as the SQL writers quote them, and alembic.toml's patterns.
    crate::ddl::ident(s);
    let index = crate::schema::Index::new("ix", [s]).desc().collate(s).opclass(s);
    crate::ddl::create_index(s, &index, true);
    let _ = crate::objects::Filter::new(&[s.to_string()], &[format!("view:{s}")])
        .map(|f| f.admits("table", s));
    crate::objects::Filter::new(&[], &["*a?*".into()])
        .map(|f| f.admits("view", s))
        .ok();
    let _ = sqlite::index_parts(s);
    let _ = sqlite::index_parts(&format!("CREATE INDEX ix ON t ({s}) WHERE {s}"));
    let _ = sqlite::index_parts(&format!("CREATE INDEX ix ON t (({s}) COLLATE {s} DESC, {s})"));
    sqlite::split_top_level(s);
    sqlite::paren_body(s);
    sqlite::find_word(s, "CHECK");
    // Expressions as the diff compares them, columns' `extra`, generated columns, casts.
    normalize::collapse_space(s);
    let exact = crate::canonical::Expressions::exact();
    exact.key(s, s);
    exact.default_key(s, s, s);
    let generated = crate::schema::Generated {
        expression: s.into(),
        stored: true,
    };
    exact.same_generated(s, s, Some(&generated), Some(&generated));
    let _ = crate::entities::read_extra(s);
    let _ = crate::entities::read_extra(&format!("GENERATED ALWAYS AS ({s}) STORED"));
    let _ = crate::entities::read_extra(&format!("CHECK ({s}) AS ({s}) {s}"));
    sqlite::Declared::parse(
        "t",
        &format!("CREATE TABLE t (c INTEGER GENERATED ALWAYS AS ({s}) STORED, d {s} AS ({s}))"),
    );
    let mut one = Schema::default();
    let t = crate::schema::Table::new("t").col(crate::schema::Column::new(s, ColumnType::Text));
    one.tables.insert("t".into(), t);
    for change in [
        crate::ops::ColumnChange::new().using(s),
        crate::ops::ColumnChange::new().cast(),
    ] {
        let op = crate::ops::Op::AlterColumn {
            table: "t".into(),
            column: s.into(),
            change: change.ty(ColumnType::Integer),
            existing: crate::ops::Existing::unknown(),
        };
        let _ = crate::ddl::sqlite::render(&op, &one);
    }
}

const ITERATIONS: usize = 50_000;
const TIME: Duration = Duration::from_secs(3);

#[test]
fn text_parsers_never_panic_on_random_text() {
    let mut rng = Rng(0x0bdb_5eed_2024_0001);
    let started = Instant::now();
    let mut done = 0;
    while done < ITERATIONS && started.elapsed() < TIME {
        let s = text(&mut rng);
        if catch_unwind(|| every_parser(&s)).is_err() {
            panic!("a parser panicked on {s:?} (iteration {done})");
        }
        done += 1;
    }
    eprintln!("{done} random texts in {:?}", started.elapsed());
    assert!(done >= 1_000, "only {done} texts in {TIME:?}");
}

/// A random declared type SQLite may accept: names (quoted or not, any letters) and arguments.
fn declared_type(rng: &mut Rng) -> String {
    const NAMES: &[&str] = &[
        "größe",
        "中文",
        "😀",
        "é",
        "VARCHAR",
        "DECIMAL",
        "x",
        "ARRAY",
        "double",
        "precision",
        "[a)(b]",
        "[VARCHAR(]",
        "\"DECIMAL(10,\"",
        "`x)(y]`",
        "\"a\"\"b\"",
        "[]",
        "[ ]",
    ];
    const ARGS: &[&str] = &["", "", "(10)", "(10, 2)", "(-1)", "(+1, 2)", "(1e3)"];
    let mut t = String::new();
    for _ in 0..=rng.below(3) {
        t.push_str(rng.pick(NAMES));
        t.push(' ');
    }
    t.push_str(rng.pick(ARGS));
    t
}

/// A random default or check expression SQLite may accept.
fn expression(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "'é'",
        "'中''文'",
        "'😀'",
        "1",
        "-1",
        "(2)",
        "'a' || 'ß'",
        "NULL",
        "TRUE",
        "x'c3a9'",
        "'(' ",
        "')'",
        "'-- '",
        "/* é ) */",
        "CAST('1' AS [a)(b])",
        "'a' COLLATE NOCASE",
    ];
    (0..=rng.below(3))
        .map(|_| rng.pick(PARTS))
        .collect::<Vec<_>>()
        .join(" || ")
}

#[tokio::test]
async fn sqlite_accepted_random_text_introspects_and_diffs_without_panic() {
    let db = crate::db::connect("sqlite::memory:").await.unwrap();
    let mut rng = Rng(0x005e_ed0f_5e1f);
    let (mut accepted, cases) = (0, 300);
    for n in 0..cases {
        let column = rng.pick(&["c", "größe", "\"中 文\"", "[é)]", "`😀(`"]);
        let sql = format!(
            "CREATE TABLE \"t{n}\" (id INTEGER PRIMARY KEY AUTOINCREMENT, {column} {} \
             DEFAULT ({}) CHECK ({column} <> {}), CONSTRAINT \"ç{n}\" CHECK ({} IS NOT NULL))",
            declared_type(&mut rng),
            expression(&mut rng),
            expression(&mut rng),
            column,
        );
        let create = Statement::from_string(DbBackend::Sqlite, sql.clone());
        if db.execute_raw(create).await.is_err() {
            continue;
        }
        accepted += 1;
        let conn = db.clone();
        let read = tokio::spawn(async move {
            let found = match super::introspect(&conn, "main").await {
                Ok(found) => found.schema,
                Err(e) => panic!("{e:#}"),
            };
            let stored = sqlite_stored::stored_by_sqlite(&found);
            for (from, to) in [(&stored, &Schema::default()), (&Schema::default(), &stored)] {
                let ops = autogenerate::diff(from, to, &Hints::default());
                ops.iter().for_each(|op| drop(describe::op(op)));
                describe::warnings(from, &ops);
                crate::ddl::script(DbBackend::Sqlite, from, &ops).ok();
            }
        });
        if let Err(e) = read.await {
            panic!("introspecting or diffing panicked ({e}) after {sql}");
        }
        let drop = format!("DROP TABLE \"t{n}\"");
        db.execute_raw(Statement::from_string(DbBackend::Sqlite, drop))
            .await
            .unwrap();
    }
    eprintln!("SQLite accepted {accepted} of {cases} random tables");
    assert!(accepted >= cases / 4, "SQLite accepted only {accepted}");
}
