//! Dropping every object of a schema, for `reset`: what a test suite does before it builds the
//! schema again from the revisions.
//!
//! PostgreSQL: the schema's objects are dropped one by one (`DROP ... IF EXISTS ... CASCADE`,
//! all in one transaction sent as one message), not the schema itself, so that it keeps its
//! owner and privileges (`public` belongs to `pg_database_owner` on PostgreSQL 15 and later,
//! and is often not the test user's), and so that extensions and their objects (PostGIS's
//! `spatial_ref_sys`), which need a superuser to make again, stay. Dropped: tables,
//! partitioned and foreign tables, views, materialized views, sequences, functions,
//! procedures and aggregates, types and domains; with them (CASCADE) their indexes,
//! constraints, triggers, rules, policies and statistics, and anything in another schema
//! that depends on them. SQLite: every table and view (indexes and triggers go with them),
//! foreign keys off.

use crate::ddl::{ident, literal};
use anyhow::{Context as _, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// Every object of `schema` (PostgreSQL) that neither an extension nor another object owns
/// (a range type's constructors, an identity column's sequence), as `(kind, name)`
/// with `kind` what `DROP` takes and `name` ready to follow it; in an order where what drops
/// more comes first (tables, then sequences, routines, types).
fn postgres_objects(schema: &str) -> String {
    let s = literal(schema);
    let not_extension = |catalog: &str, oid: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{catalog}'::regclass \
             AND e.objid = {oid} AND e.deptype IN ('e', 'i'))"
        )
    };
    format!(
        "SELECT kind, name, args FROM ( \
         SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' \
           WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, \
           c.relname::text AS name, NULL::text AS args, \
           CASE c.relkind WHEN 'S' THEN 2 ELSE 1 END AS pass \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') \
           AND NOT c.relispartition AND {rel} \
         UNION ALL \
         SELECT 'ROUTINE', p.proname::text, pg_get_function_identity_arguments(p.oid), 3 \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = {s} AND {proc} \
         UNION ALL \
         SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname::text, NULL, 4 \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = {s} AND t.typtype IN ('e', 'd', 'r', 'c') \
           AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid \
             AND r.relkind = 'c')) AND {ty} \
         ) o ORDER BY pass, kind, name, args",
        rel = not_extension("pg_class", "c.oid"),
        proc = not_extension("pg_proc", "p.oid"),
        ty = not_extension("pg_type", "t.oid"),
    )
}

/// Drops every object of `schemas` (PostgreSQL) or of the file (SQLite); returns how many
/// statements that took (one per object found).
pub async fn wipe(db: &DatabaseConnection, schemas: &[String]) -> Result<usize> {
    let backend = db.get_database_backend();
    let drops = drop_statements(db, schemas).await?;
    if drops.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    if backend == DbBackend::Sqlite {
        // Dropping a table SQLite would otherwise first delete row by row, checking keys.
        txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
            .await?;
    }
    let script = drops.join(";\n");
    txn.execute_unprepared(&script)
        .await
        .with_context(|| format!("dropping every object ({})", crate::runtime::short(&script)))?;
    txn.commit().await?;
    Ok(drops.len())
}

/// The statements that drop every object of `schemas` (PostgreSQL) or of the file (SQLite),
/// one per object found: what [`wipe`] runs, and what a restore runs in its own transaction
/// before the backup's statements.
pub(crate) async fn drop_statements(
    db: &DatabaseConnection,
    schemas: &[String],
) -> Result<Vec<String>> {
    let backend = db.get_database_backend();
    let mut drops = Vec::new();
    match backend {
        DbBackend::Postgres => {
            for schema in schemas {
                let rows = db
                    .query_all_raw(Statement::from_string(backend, postgres_objects(schema)))
                    .await
                    .with_context(|| format!("listing the objects of schema {schema}"))?;
                for row in rows {
                    let kind: String = row.try_get("", "kind")?;
                    let name: String = row.try_get("", "name")?;
                    let args: Option<String> = row.try_get("", "args")?;
                    let args = args.map(|a| format!("({a})")).unwrap_or_default();
                    drops.push(format!(
                        "DROP {kind} IF EXISTS {}.{}{args} CASCADE",
                        ident(schema),
                        ident(&name)
                    ));
                }
            }
        }
        _ => {
            let rows = db
                .query_all_raw(Statement::from_string(
                    backend,
                    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') \
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type DESC, name",
                ))
                .await
                .context("listing the tables and views of the SQLite file")?;
            for row in rows {
                let kind: String = row.try_get("", "type")?;
                let name: String = row.try_get("", "name")?;
                drops.push(format!(
                    "DROP {} IF EXISTS {}",
                    kind.to_ascii_uppercase(),
                    ident(&name)
                ));
            }
        }
    }
    Ok(drops)
}
