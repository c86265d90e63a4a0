//! Live database to the schema model.
//!
//! Each backend reads its catalog with a fixed number of queries, however many tables there
//! are: one per kind of object, never one per table. sea-schema is not used here because its
//! PostgreSQL discovery reads no comments and no plain indexes and costs three queries per
//! table.

pub mod postgres;
pub mod sqlite;

use crate::schema::Schema;
use anyhow::{bail, Result};
use sea_orm::{DatabaseConnection, DbBackend};

/// A schema read from a database, with what the reading cost.
#[derive(Clone, Debug)]
pub struct Introspection {
    pub schema: Schema,
    /// Catalog queries sent.
    pub queries: usize,
}

/// Reads every table, column, key, index and enum type of `namespace` (PostgreSQL's schema,
/// usually `public`).
pub async fn introspect(db: &DatabaseConnection, namespace: &str) -> Result<Introspection> {
    let mut found = match db.get_database_backend() {
        DbBackend::Postgres => postgres::introspect(db, namespace).await?,
        DbBackend::Sqlite => sqlite::introspect(db).await?,
        other => bail!("{other:?} databases are not supported: use PostgreSQL or SQLite"),
    };
    crate::normalize::schema(&mut found.schema);
    Ok(found)
}
