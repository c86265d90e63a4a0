//! A live database's schema as the diff (and, on SQLite, the runner) should see it: opdb's own
//! tables left out and, on SQLite, what SQLite cannot store (comments, enum types, serial
//! widths) taken from the revisions the database has applied.

use crate::config::Config;
use crate::introspect::{introspect, Introspection};
use crate::normalize;
use crate::runtime::Context;
use crate::sqlite_stored;
use anyhow::Result;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// Every table of `config`'s schema but the version and history tables, and every object the
/// model cannot express, less what the settings leave alone (`include`, `exclude`). A
/// PostgreSQL schema that does not exist is an error that says so
/// ([`crate::error::MigrateError::NoSchema`]), not an empty schema.
pub async fn schema(db: &DatabaseConnection, config: &Config) -> Result<Introspection> {
    let mut found = introspect(db, &config.schema)
        .await?
        .existing(&config.schema)?;
    found.schema.tables.remove(&config.version_table);
    found.schema.tables.remove(&config.history_table);
    config.filter().apply(&mut found.schema);
    Ok(found)
}

/// A SQLite database's tables as it has them now, read through `db` (a transaction sees its
/// own changes), with what SQLite cannot store (comments, enum types, serial widths) put back
/// from `known`, the schema its applied revisions built. Texts stay as SQLite holds them (not
/// normalized): the runner writes rebuilt tables from them.
pub async fn sqlite_now<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    known: &crate::schema::Schema,
) -> Result<crate::schema::Schema> {
    let mut found = crate::introspect::sqlite::introspect(db).await?.schema;
    found.tables.remove(&config.version_table);
    found.tables.remove(&config.history_table);
    for table in found.tables.values_mut() {
        crate::naming::fill(table);
    }
    Ok(sqlite_stored::restore_sqlite(&found, known))
}

/// The schema of `config` (one of `ctx`'s) given that it is at `versions` of `ctx`'s revisions.
pub async fn schema_at(
    ctx: &Context<'_>,
    config: &Config,
    db: &DatabaseConnection,
    versions: &[String],
) -> Result<crate::schema::Schema> {
    let found = schema(db, config).await?.schema;
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(found);
    }
    let mut built = ctx.replay(&ctx.graph.ancestors(versions))?;
    normalize::schema(&mut built);
    Ok(sqlite_stored::restore_sqlite(&found, &built))
}
