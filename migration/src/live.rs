//! A live database's schema as the diff should see it: opdb's own tables left out and, on
//! SQLite, what SQLite cannot store (comments, enum types, serial widths) taken from the
//! revisions the database has applied.

use crate::config::Config;
use crate::introspect::{introspect, Introspection};
use crate::normalize;
use crate::runtime::Context;
use crate::sqlite_stored;
use anyhow::Result;
use sea_orm::{DatabaseConnection, DbBackend};

/// Every table of the database but the version and history tables.
pub async fn schema(db: &DatabaseConnection, config: &Config) -> Result<Introspection> {
    let mut found = introspect(db, &config.schema).await?;
    found.schema.tables.remove(&config.version_table);
    found.schema.tables.remove(&config.history_table);
    Ok(found)
}

/// The database's schema given that it is at `versions` of `ctx`'s revisions.
pub async fn schema_at(
    ctx: &Context<'_>,
    db: &DatabaseConnection,
    versions: &[String],
) -> Result<crate::schema::Schema> {
    let found = schema(db, &ctx.dir.config).await?.schema;
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(found);
    }
    let mut built = ctx.replay(&ctx.graph.ancestors(versions))?;
    normalize::schema(&mut built);
    Ok(sqlite_stored::restore_sqlite(&found, &built))
}
