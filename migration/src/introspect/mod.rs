//! Live database to the schema model.
//!
//! Each backend reads its catalog with a fixed number of queries, however many tables there
//! are: one per kind of object, never one per table. sea-schema is not used here because its
//! PostgreSQL discovery reads no comments and no plain indexes and costs three queries per
//! table.

#[cfg(test)]
mod fuzz;
pub mod postgres;
pub mod sqlite;

use crate::schema::Schema;
use anyhow::{bail, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

/// A schema read from a database, with what the reading cost.
#[derive(Clone, Debug)]
pub struct Introspection {
    pub schema: Schema,
    /// Whether the PostgreSQL schema read exists (a schema that does not is read as empty;
    /// [`Introspection::existing`] makes that an error). Always true on SQLite.
    pub exists: bool,
    /// Catalog queries sent (the tests hold it constant, whatever the size).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub queries: usize,
    /// Batches of queries sent, each as one message (one round trip) on PostgreSQL; on SQLite,
    /// and inside a transaction, each query is a batch of its own.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub batches: usize,
}

impl Introspection {
    /// The schema read, or [`crate::error::MigrateError::NoSchema`] when `namespace` does not
    /// exist: what read-only commands use, so that a misspelled schema is not an empty one.
    pub fn existing(self, namespace: &str) -> Result<Introspection> {
        match self.exists {
            true => Ok(self),
            false => Err(crate::error::MigrateError::NoSchema {
                schema: namespace.to_string(),
            }
            .into()),
        }
    }
}

/// Reads every table, column, key, index and enum type of `namespace` (PostgreSQL's schema,
/// usually `public`), on a connection of `db`'s pool.
pub async fn introspect(db: &DatabaseConnection, namespace: &str) -> Result<Introspection> {
    if db.get_database_backend() != DbBackend::Postgres {
        return introspect_in(db, namespace).await;
    }
    let mut found = postgres::introspect(db, namespace).await?;
    crate::normalize::schema(&mut found.schema);
    Ok(found)
}

/// [`introspect`] through `db`, a transaction (which sees its own changes) or a connection.
pub async fn introspect_in<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    namespace: &str,
) -> Result<Introspection> {
    let mut found = match db.get_database_backend() {
        DbBackend::Postgres => postgres::introspect_in(db, namespace).await?,
        DbBackend::Sqlite => sqlite::introspect(db).await?,
        other => bail!("{other:?} databases are not supported: use PostgreSQL or SQLite"),
    };
    crate::normalize::schema(&mut found.schema);
    Ok(found)
}

/// The identifier `s` starts with, and the rest.
pub(crate) fn take_ident(s: &str) -> (String, &str) {
    let s = s.trim_start();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if let Some(rest) = s.strip_prefix(open) {
            let mut end = 0;
            let bytes = rest.as_bytes();
            while end < bytes.len() {
                if bytes[end] as char == close {
                    if open == '"' && bytes.get(end + 1) == Some(&b'"') {
                        end += 2;
                        continue;
                    }
                    break;
                }
                end += 1;
            }
            let name = rest[..end].replace("\"\"", "\"");
            return (name, &rest[(end + 1).min(rest.len())..]);
        }
    }
    let end = s
        .find(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .unwrap_or(s.len());
    (s[..end].to_string(), &s[end..])
}

/// An identifier without its quotes (`"Mood"` is `Mood`, `"a""b"` is `a"b`).
pub(crate) fn unquote(s: &str) -> String {
    take_ident(s).0
}
