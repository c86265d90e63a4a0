//! Ops to SQL, one module per backend. Both take the schema as it is before the op (SQLite
//! rebuilds tables from it) and return statements without trailing semicolons.
//!
//! What an op carries of the old state (`existing`, filled by the diff) is used before the
//! model: a revision's ops recorded at run time lack it, and the model stands in. Names come
//! filled from the model builders; a name still missing is left for the database to choose
//! (no `CONSTRAINT` clause), never written as `CONSTRAINT ""`.

mod keywords;
pub mod postgres;
pub mod sqlite;

use crate::autogenerate::describe;
use crate::ops::Op;
use crate::schema::{name_of, FkAction, ForeignKey, Schema, UniqueConstraint};
use anyhow::Result;
use sea_orm::DbBackend;

/// The SQL for `op` on `backend`, given the schema before it, as if it ran alone (the runner
/// renders runs: [`render_run`]; the tests compare the two).
#[cfg(feature = "testing")]
pub fn render(backend: DbBackend, op: &Op, before: &Schema) -> Result<Vec<String>> {
    match backend {
        DbBackend::Postgres => postgres::render(op, before),
        DbBackend::Sqlite => sqlite::render(op, before),
        other => anyhow::bail!("{other:?} is not supported: use PostgreSQL or SQLite"),
    }
}

/// The SQL for a run of ops on one table ([`crate::ops::table_runs`]), given the schema
/// before them: one SQLite rebuild, merged PostgreSQL `ALTER TABLE`s. A run of one op is
/// [`render`].
pub fn render_run(backend: DbBackend, ops: &[&Op], before: &Schema) -> Result<Vec<String>> {
    match backend {
        DbBackend::Postgres => postgres::render_run(ops, before),
        DbBackend::Sqlite => sqlite::render_run(ops, before),
        other => anyhow::bail!("{other:?} is not supported: use PostgreSQL or SQLite"),
    }
}

/// The statements of a run of ops for a script, each ended by `;` and a blank line, and
/// `model` moved on past them (the next run renders against the schema this one leaves).
pub fn render_and_apply(backend: DbBackend, ops: &[&Op], model: &mut Schema) -> Result<String> {
    let mut s = String::new();
    for sql in render_run(backend, ops, model)? {
        s.push_str(&sql);
        s.push_str(";\n\n");
    }
    for op in ops {
        crate::apply::apply(model, op)?;
    }
    Ok(s)
}

/// The SQL script that applies `ops` to a database whose schema is `from`, in one transaction.
pub fn script(backend: DbBackend, from: &Schema, ops: &[Op]) -> Result<String> {
    let mut model = from.clone();
    let mut s = String::new();
    if backend == DbBackend::Sqlite {
        s.push_str("-- Table rebuilds need foreign keys off (outside any transaction).\nPRAGMA foreign_keys = OFF;\n\n");
    }
    s.push_str("BEGIN;\n\n");
    s.push_str(&statements(backend, &mut model, ops)?);
    s.push_str("COMMIT;\n");
    if backend == DbBackend::Sqlite {
        s.push_str("\nPRAGMA foreign_keys = ON;\n");
    }
    Ok(s)
}

/// The statements of `ops` on `model` (moved on past them), one after the other, without a
/// transaction around them.
pub fn statements(backend: DbBackend, model: &mut Schema, ops: &[Op]) -> Result<String> {
    use anyhow::Context as _;
    let mut s = String::new();
    for run in crate::ops::table_runs(ops, Op::changed_table) {
        let run: Vec<&Op> = ops[run].iter().collect();
        let sql = render_and_apply(backend, &run, model).with_context(|| {
            let what: Vec<String> = run.iter().map(|op| describe::op(op)).collect();
            what.join("; ")
        })?;
        s.push_str(&sql);
    }
    Ok(s)
}

/// A generated column's clause, with a space before it: ` GENERATED ALWAYS AS (expr) STORED`
/// (or `VIRTUAL`, which PostgreSQL 15 refuses and SQLite takes).
pub(crate) fn generated_sql(generated: &crate::schema::Generated) -> String {
    let kind = if generated.stored { "STORED" } else { "VIRTUAL" };
    format!(" GENERATED ALWAYS AS ({}) {kind}", generated.expression)
}

/// An identifier, quoted only when it has to be.
pub fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !keywords::is_keyword(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A comma-separated list of identifiers.
pub fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `CONSTRAINT name ` before a key or check, or nothing when it has no name.
pub fn constraint_name(name: &Option<String>) -> String {
    match name_of(name) {
        "" => String::new(),
        name => format!("CONSTRAINT {} ", ident(name)),
    }
}

/// `[CONSTRAINT name] FOREIGN KEY (...) REFERENCES ...`, shared by both dialects.
pub fn foreign_key_clause(key: &ForeignKey) -> String {
    let mut s = constraint_name(&key.name);
    s.push_str(&format!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        idents(&key.columns),
        referenced(key),
        idents(&key.ref_columns)
    ));
    if key.match_full {
        s.push_str(" MATCH FULL");
    }
    if key.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", key.on_delete.sql()));
    }
    if key.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", key.on_update.sql()));
    }
    s.push_str(key.deferral.sql());
    s
}

/// The table a foreign key points at, with its schema when that is not the key's own.
pub fn referenced(key: &ForeignKey) -> String {
    match &key.ref_schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(&key.ref_table)),
        None => ident(&key.ref_table),
    }
}

/// `[CONSTRAINT name] UNIQUE [NULLS NOT DISTINCT] (...)`, shared by both dialects (SQLite has
/// no `NULLS NOT DISTINCT`: its table writer clears the option first, and the README says so).
pub fn unique_clause(unique: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE{} ({})",
        constraint_name(&unique.name),
        nulls_not_distinct(unique.nulls_not_distinct),
        idents(&unique.columns)
    )
}

fn nulls_not_distinct(set: bool) -> &'static str {
    if set {
        " NULLS NOT DISTINCT"
    } else {
        ""
    }
}

/// `CREATE [UNIQUE] INDEX ...`, shared by both dialects (SQLite ignores the method).
pub fn create_index(table: &str, index: &crate::schema::Index, with_method: bool) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let key = match k {
                crate::schema::IndexKey::Column(c) => ident(c),
                crate::schema::IndexKey::Expression(e) => format!("({e})"),
            };
            key + &index.options_of(n).sql(ident)
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {}",
        if index.unique { "UNIQUE " } else { "" },
        ident(&index.name),
        ident(table)
    );
    if let (true, Some(method)) = (with_method, &index.method) {
        s.push_str(&format!(" USING {method}"));
    }
    s.push_str(&format!(" ({})", keys.join(", ")));
    if !index.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", idents(&index.include)));
    }
    // SQLite (no access methods either) has no NULLS NOT DISTINCT: there the index lets rows
    // with null keys through.
    s.push_str(nulls_not_distinct(index.nulls_not_distinct && with_method));
    if let Some(predicate) = &index.predicate {
        s.push_str(&format!(" WHERE {predicate}"));
    }
    s
}

/// The key and check lines of a `CREATE TABLE`, shared by both dialects; `with_pk` is false
/// where the primary key is written on its column (SQLite's `INTEGER PRIMARY KEY`).
pub fn constraint_lines(t: &crate::schema::Table, with_pk: bool) -> Vec<String> {
    let named = constraint_name;
    let mut lines = Vec::new();
    if let (Some(pk), true) = (&t.primary_key, with_pk) {
        lines.push(format!(
            "{}PRIMARY KEY ({})",
            named(&pk.name),
            idents(&pk.columns)
        ));
    }
    lines.extend(t.uniques.iter().map(unique_clause));
    lines.extend(t.foreign_keys.iter().map(foreign_key_clause));
    for c in &t.checks {
        lines.push(format!("{}CHECK ({})", named(&c.name), c.expression));
    }
    lines
}
