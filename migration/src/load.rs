//! Loading fixtures ([`crate::fixtures`]) into an emptied database, for `reset`: all tables in
//! one transaction, parents before children, then every sequence set past the largest id.
//!
//! PostgreSQL: each file goes in by `COPY ... FROM STDIN (FORMAT csv)`, the file's own bytes.
//! The foreign keys that close a cycle among the loaded tables (self-references included) are
//! made `DEFERRABLE INITIALLY DEFERRED` inside the transaction, checked by `SET CONSTRAINTS
//! ALL IMMEDIATE` once every table is in, and put back as they were before it commits: a
//! failure anywhere rolls back the rows and the keys' change alike. Sequences: every sequence a
//! column takes its values from (serial, identity, or a default calling `nextval`) is set to
//! the largest value of those columns, so the next insert without an id gets the one after.
//!
//! SQLite: multi-row `INSERT`s with the values bound (booleans written `true`/`false`, `t`/`f`
//! or `1`/`0` stored as 1 and 0, as SeaORM reads them), foreign keys off while loading and
//! checked by `PRAGMA foreign_key_check` before the commit. SQLite needs no sequences set:
//! `INTEGER PRIMARY KEY` takes the largest rowid plus one, and `AUTOINCREMENT` records the
//! largest id inserted.

use crate::ddl::{ident, literal};
use crate::fixtures::Fixture;
use crate::schema::{ColumnType, Deferral, ForeignKey, Schema, Table};
use anyhow::{anyhow, bail, Context as _, Result};
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value,
};
use std::collections::BTreeMap;

/// What a load did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    /// Each table loaded, in load order, with its rows.
    pub tables: Vec<(String, u64)>,
    /// The foreign keys deferred while loading (`table.key`).
    pub deferred: Vec<String>,
    /// Sequences set past the largest id.
    pub sequences: usize,
}

/// Loads `fixtures` into `schema` (`live`, as the database has it) in `order`, deferring the
/// keys of `deferred`.
pub async fn load(
    db: &DatabaseConnection,
    schema: &str,
    live: &Schema,
    fixtures: &[Fixture],
    order: &[String],
    deferred: &[(&Table, &ForeignKey)],
) -> Result<Loaded> {
    let by_table: BTreeMap<&str, &Fixture> =
        fixtures.iter().map(|f| (f.table.as_str(), f)).collect();
    let ordered: Vec<&Fixture> = order
        .iter()
        .filter_map(|t| by_table.get(t.as_str()).copied())
        .collect();
    match db.get_database_backend() {
        DbBackend::Postgres => load_postgres(db, schema, live, &ordered, deferred).await,
        _ => load_sqlite(db, live, &ordered).await,
    }
}

/// `schema.table`, quoted.
fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", ident(schema), ident(table))
}

/// The statements that set every sequence of the columns of `live`'s tables (in `schema`; not
/// opdb's own) to the largest value they hold (those of empty columns are left as they are),
/// as one query that returns how many it set; `None` when no column takes its values from a
/// sequence.
async fn sequences_sql(
    db: &DatabaseConnection,
    schema: &str,
    live: &Schema,
) -> Result<Option<String>> {
    let s = literal(schema);
    // Identity columns own their sequence ('i'); serial columns own theirs ('a') and call it
    // in their default, as a default calling `nextval` on a sequence of its own does.
    let sql = format!(
        "SELECT sn.nspname::text AS seq_schema, sc.relname::text AS seq, c.relname::text AS tbl, \
           a.attname::text AS col \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid \
           AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass \
           AND d.deptype IN ('a', 'i') \
         JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S' \
         JOIN pg_namespace sn ON sn.oid = sc.relnamespace \
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') \
         UNION \
         SELECT sn.nspname::text, sc.relname::text, c.relname::text, a.attname::text \
         FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ad.adnum \
         JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid \
           AND d.refclassid = 'pg_class'::regclass \
         JOIN pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S' \
         JOIN pg_namespace sn ON sn.oid = sc.relnamespace \
         WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') \
         ORDER BY 1, 2, 3, 4"
    );
    let rows = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .with_context(|| format!("listing the sequences of schema {schema}"))?;
    let mut columns: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for row in rows {
        let key = (row.try_get("", "seq_schema")?, row.try_get("", "seq")?);
        let table: String = row.try_get("", "tbl")?;
        if live.tables.contains_key(&table) {
            columns
                .entry(key)
                .or_default()
                .push((table, row.try_get("", "col")?));
        }
    }
    let sets: Vec<String> = columns
        .iter()
        .map(|((seq_schema, seq), cols)| {
            let maxima: Vec<String> = cols
                .iter()
                .map(|(t, c)| {
                    format!(
                        "(SELECT max({})::bigint FROM {})",
                        ident(c),
                        qualified(schema, t)
                    )
                })
                .collect();
            let largest = match maxima.len() {
                1 => maxima[0].clone(),
                _ => format!("GREATEST({})", maxima.join(", ")),
            };
            format!(
                "SELECT setval({}::regclass, m) FROM (SELECT {largest} AS m) x WHERE m IS NOT NULL",
                literal(&qualified(seq_schema, seq))
            )
        })
        .collect();
    Ok((!sets.is_empty()).then(|| {
        format!(
            "SELECT count(*)::bigint AS n FROM ({}) s",
            sets.join(" UNION ALL ")
        )
    }))
}

async fn load_postgres(
    db: &DatabaseConnection,
    schema: &str,
    live: &Schema,
    fixtures: &[&Fixture],
    deferred: &[(&Table, &ForeignKey)],
) -> Result<Loaded> {
    let sequences = sequences_sql(db, schema, live).await?;
    let mut loaded = Loaded::default();
    let mut defer = Vec::new();
    let mut restore = Vec::new();
    for (table, fk) in deferred {
        let name = fk.name.as_deref().ok_or_else(|| {
            anyhow!("a foreign key of table {} has no name", table.name)
        })?;
        loaded.deferred.push(format!("{}.{name}", table.name));
        if fk.deferral == Deferral::InitiallyDeferred {
            continue;
        }
        let alter = format!(
            "ALTER TABLE {} ALTER CONSTRAINT {}",
            qualified(schema, &table.name),
            ident(name)
        );
        defer.push(format!("{alter} DEFERRABLE INITIALLY DEFERRED"));
        restore.push(match fk.deferral {
            Deferral::Deferrable => format!("{alter} DEFERRABLE INITIALLY IMMEDIATE"),
            _ => format!("{alter} NOT DEFERRABLE"),
        });
    }
    let mut conn = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .context("taking the connection for the load")?;
    let run = async {
        let mut begin = vec!["BEGIN".to_string()];
        begin.extend(defer);
        sqlx::raw_sql(AssertSqlSafe(begin.join(";\n")))
            .execute(&mut *conn)
            .await
            .context("deferring the foreign keys of cycles")?;
        for f in fixtures {
            let sql = format!(
                "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                qualified(schema, &f.table),
                crate::ddl::idents(&f.columns)
            );
            let mut copy = conn
                .copy_in_raw(&sql)
                .await
                .map_err(|e| anyhow!("{}: {}", f.path.display(), server_message(&e)))?;
            if let Err(e) = copy.send(&f.text[f.data_start..]).await {
                let _ = copy.abort("the client could not send the file").await;
                return Err(e.into());
            }
            let rows = copy
                .finish()
                .await
                .map_err(|e| anyhow!("{}: {}", f.path.display(), server_message(&e)))?;
            loaded.tables.push((f.table.clone(), rows));
        }
        let mut end = vec!["SET CONSTRAINTS ALL IMMEDIATE".to_string()];
        end.extend(restore);
        sqlx::raw_sql(AssertSqlSafe(end.join(";\n")))
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                anyhow!(
                    "the fixtures break a foreign key of a cycle: {}",
                    server_message(&e)
                )
            })?;
        if let Some(sql) = &sequences {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .fetch_one(&mut *conn)
                .await
                .context("setting the sequences past the largest ids")?;
            loaded.sequences = n as usize;
        }
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        anyhow::Ok(())
    };
    match run.await {
        Ok(()) => Ok(loaded),
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// The server's message and where it was (`COPY t, line 3`), on one line.
fn server_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
            match pg.and_then(|p| p.r#where()) {
                Some(place) => format!("{} ({})", db.message(), place.replace('\n', "; ")),
                None => db.message().to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// One field as SQLite stores it for `ty`: booleans as 0 and 1.
fn sqlite_value(ty: Option<&ColumnType>, field: &Option<String>) -> Result<Value> {
    let Some(text) = field else {
        return Ok(Value::String(None));
    };
    if matches!(ty, Some(ColumnType::Boolean)) {
        let b = match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "1" | "y" | "yes" | "on" => 1,
            "f" | "false" | "0" | "n" | "no" | "off" => 0,
            other => bail!("{other:?} is not a boolean (write true or false)"),
        };
        return Ok(Value::BigInt(Some(b)));
    }
    Ok(Value::String(Some(text.clone())))
}

async fn load_sqlite(
    db: &DatabaseConnection,
    live: &Schema,
    fixtures: &[&Fixture],
) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let txn = db
        .begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    for f in fixtures {
        let table = live.tables.get(&f.table);
        let types: Vec<Option<&ColumnType>> = f
            .columns
            .iter()
            .map(|c| table.and_then(|t| t.column(c)).map(|c| &c.ty))
            .collect();
        // SQLite takes up to 32,766 bound values in a statement.
        let per_statement = (32_000 / f.columns.len().max(1)).clamp(1, 500);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            ident(&f.table),
            crate::ddl::idents(&f.columns)
        );
        let row_marks = format!("({})", vec!["?"; f.columns.len()].join(", "));
        for (chunk_no, chunk) in f.rows.chunks(per_statement).enumerate() {
            let mut values = Vec::with_capacity(chunk.len() * f.columns.len());
            for (i, row) in chunk.iter().enumerate() {
                for (field, ty) in row.iter().zip(&types) {
                    values.push(sqlite_value(*ty, field).with_context(|| {
                        format!(
                            "{} record {}",
                            f.path.display(),
                            chunk_no * per_statement + i + 2
                        )
                    })?);
                }
            }
            let sql = format!("{head}{}", vec![row_marks.as_str(); chunk.len()].join(", "));
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                values,
            ))
            .await
            .with_context(|| format!("loading {}", f.path.display()))?;
        }
        loaded.tables.push((f.table.clone(), f.rows.len() as u64));
    }
    let broken = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA foreign_key_check",
        ))
        .await?;
    if let Some(row) = broken.first() {
        let table: String = row.try_get_by_index(0)?;
        let rowid: Option<i64> = row.try_get_by_index(1)?;
        let parent: String = row.try_get_by_index(2)?;
        bail!(
            "the fixtures break {} foreign key{}: the first, table {table} row {} refers to a \
             row of {parent} that is not there; nothing was loaded",
            broken.len(),
            if broken.len() == 1 { "" } else { "s" },
            rowid.map(|r| r.to_string()).unwrap_or("?".into())
        );
    }
    txn.commit().await?;
    Ok(loaded)
}
