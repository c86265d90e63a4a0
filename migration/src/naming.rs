//! Default names of keys and indexes: PostgreSQL's own (and SQLAlchemy's `ix_` for indexes), so
//! a database made by `create_all` and one made by opdb name things alike.
//!
//! Names are resolved once, where a model is built: the entity reader and both introspections
//! name everything they read, [`fill`] names what a hand-built table left out (called by
//! `normalize::schema`, by the [`crate::ops::Ops`] builders, by `apply` and on entry to the
//! diff), so no code downstream falls back on these functions to find a name.

use crate::schema::{Schema, Table};

/// PostgreSQL keeps at most this many bytes of an identifier.
const MAX_IDENT: usize = 63;

/// An identifier cut to what PostgreSQL keeps, on a character boundary.
pub fn ident(name: &str) -> String {
    let mut end = name.len().min(MAX_IDENT);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

pub fn primary_key(table: &str) -> String {
    ident(&format!("{table}_pkey"))
}

pub fn unique(table: &str, columns: &[String]) -> String {
    ident(&format!("{table}_{}_key", columns.join("_")))
}

pub fn foreign_key(table: &str, columns: &[String]) -> String {
    ident(&format!("{table}_{}_fkey", columns.join("_")))
}

pub fn index(table: &str, columns: &[String]) -> String {
    ident(&format!("ix_{table}_{}", columns.join("_")))
}

pub fn check(table: &str, n: usize) -> String {
    ident(&format!("{table}_check{n}"))
}

/// The sequence PostgreSQL makes for a serial column.
pub fn serial_sequence(table: &str, column: &str) -> String {
    ident(&format!("{table}_{column}_seq"))
}

/// PostgreSQL's name for a check written on one column.
pub fn column_check(table: &str, column: &str) -> String {
    ident(&format!("{table}_{column}_check"))
}

/// Whether a key's name is missing: never given, or given empty (`CONSTRAINT ""` names
/// nothing, and PostgreSQL refuses it).
pub fn missing(name: &Option<String>) -> bool {
    name.as_deref().is_none_or(str::is_empty)
}

/// Gives every key and check of `table` without a name its conventional one: the primary key
/// `<table>_pkey`, unique constraints `<table>_<columns>_key`, foreign keys
/// `<table>_<columns>_fkey`, checks `<table>_check<n>` by their position.
pub fn fill(table: &mut Table) {
    let t = &table.name;
    if let Some(pk) = table.primary_key.as_mut().filter(|pk| missing(&pk.name)) {
        pk.name = Some(primary_key(t));
    }
    for u in table.uniques.iter_mut().filter(|u| missing(&u.name)) {
        u.name = Some(unique(t, &u.columns));
    }
    for f in table.foreign_keys.iter_mut().filter(|f| missing(&f.name)) {
        f.name = Some(foreign_key(t, &f.columns));
    }
    for (n, c) in table.checks.iter_mut().enumerate() {
        if missing(&c.name) {
            c.name = Some(check(t, n + 1));
        }
    }
}

/// Whether every key and check of `table` has a name.
pub fn complete(table: &Table) -> bool {
    table.primary_key.iter().all(|pk| !missing(&pk.name))
        && table.uniques.iter().all(|u| !missing(&u.name))
        && table.foreign_keys.iter().all(|f| !missing(&f.name))
        && table.checks.iter().all(|c| !missing(&c.name))
}

/// [`fill`] for every table of `schema`.
pub fn fill_schema(schema: &mut Schema) {
    schema.tables.values_mut().for_each(fill);
}

/// `schema` with every name filled, cloned only when one is missing.
pub fn filled(schema: &Schema) -> std::borrow::Cow<'_, Schema> {
    if schema.tables.values().all(complete) {
        std::borrow::Cow::Borrowed(schema)
    } else {
        let mut named = schema.clone();
        fill_schema(&mut named);
        std::borrow::Cow::Owned(named)
    }
}
