//! PostgreSQL introspection from the system catalogs: a fixed number of queries for the whole
//! schema, whose plans do not depend on the catalogs' statistics.
//!
//! A freshly created database (a new test or CI database, a copy restored for a rehearsal) has
//! never had its catalogs analyzed, and on such a database a join between catalogs can be
//! planned as a nested loop that rescans one catalog per row of another: the columns query,
//! joined to `pg_description`, once took a third of a second at 1,000 tables and filtered 7.5
//! million rows. So no query here joins two catalogs. The first reads the schema's relations;
//! each of the others reads one catalog, filtered by the relations' oids written into the query
//! as one constant array (an index lookup per oid, or a hashed filter, whatever the statistics
//! say: a bound parameter would be cast again for every row), and the rows are joined here.
//!
//! The queries go in batches, each one message and one round trip: those that need only the
//! schema's name, then those that need the oids the first found, then, only when needed, the
//! names of what those point to in other schemas and the options of sequences (free ones and
//! identity columns').

use super::{take_ident, Introspection};
use crate::normalize::closing_paren;
use crate::objects::Unmodelled;
use crate::schema::{
    CheckConstraint, Column, ColumnType, Deferral, FkAction, ForeignKey, Generated, Identity, Index, IndexKey,
    KeyOptions, PrimaryKey, Schema,
    Function, Read, Sequence, Table, Trigger, UniqueConstraint, View,
};
use anyhow::{Context, Result};
use futures_util::StreamExt;
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::{self, AssertSqlSafe, Column as _, Either, Row as _, ValueRef as _};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionSession,
    TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// The schema's tables, views, materialized views, foreign tables, composite types and
/// partitions, its indexes with their access method's oid, and every sequence of the database
/// (a column may own a sequence of another schema). The methods are named by
/// [`ACCESS_METHODS`]: a subquery per index row cost more than the rest of this query.
const RELATIONS: &str = "
SELECT c.oid::int8 AS oid, c.relname::text AS name, c.relkind::text AS kind,
       (SELECT current_setting('server_version_num')::int) AS version,
       coalesce(c.relnamespace = $NAMESPACE, false) AS here,
       c.relispartition AS partition, c.relpersistence::text AS persistence,
       c.relam::int8 AS method, c.relispopulated AS populated
FROM pg_class c
WHERE (c.relnamespace = $NAMESPACE
       AND c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm', 'f', 'c'))
   OR c.relkind = 'S'
ORDER BY c.relname::text";

/// Index access methods (btree, hash, gist, gin, ...): a handful of rows.
const ACCESS_METHODS: &str = "SELECT oid::int8 AS oid, amname::text AS name FROM pg_am";

/// Whether the schema exists: one row.
const NAMESPACE: &str = "SELECT $NAMESPACE IS NOT NULL AS present";

/// What else the schema holds that the model cannot express, each branch reading one catalog:
/// functions (with their arguments: overloads are distinct), domains and range types,
/// extensions, extended statistics; and every object that belongs to an extension (reported
/// as its extension, not one by one) or is part of another (a range type's constructors).
const OTHER_OBJECTS: &str = "
SELECT 'function' AS kind, oid::int8 AS oid, proname::text AS name, prokind::text AS detail,
       pg_get_function_identity_arguments(oid) AS arguments
FROM pg_proc WHERE pronamespace = $NAMESPACE
UNION ALL
SELECT 'type', oid::int8, typname::text, typtype::text, NULL
FROM pg_type WHERE typnamespace = $NAMESPACE
                   AND typtype IN ('d', 'r')
UNION ALL
SELECT 'extension', oid::int8, extname::text, '', NULL
FROM pg_extension WHERE extnamespace = $NAMESPACE
UNION ALL
SELECT 'statistics', oid::int8, stxname::text, '', NULL
FROM pg_statistic_ext WHERE stxnamespace = $NAMESPACE
UNION ALL
SELECT 'member', objid::int8, '', classid::regclass::text, NULL
FROM pg_depend WHERE deptype = 'e' OR (deptype = 'i' AND classid = 'pg_proc'::regclass)";

/// Triggers (not the ones the server makes for foreign keys) with their statements and the
/// functions they call, rules (not a view's own) and row security policies on the schema's
/// tables and views. A trigger's statement is the "pretty" one, which names its table as the
/// search path sees it (the other always qualifies it).
const TABLE_OBJECTS: &str = "
SELECT 'trigger' AS kind, tgname::text AS name, tgrelid::int8 AS table_oid,
       pg_get_triggerdef(oid, true) AS definition, tgfoid::int8 AS function_oid
FROM pg_trigger WHERE tgrelid = ANY($OIDS) AND NOT tgisinternal
UNION ALL
SELECT 'rule', rulename::text, ev_class::int8, NULL, NULL
FROM pg_rewrite WHERE ev_class = ANY($OIDS) AND rulename <> '_RETURN'
UNION ALL
SELECT 'policy', polname::text, polrelid::int8, NULL, NULL
FROM pg_policy WHERE polrelid = ANY($OIDS)
UNION ALL
SELECT 'inheritance', inhparent::regclass::text, inhrelid::int8, NULL, NULL
FROM pg_inherits WHERE inhrelid = ANY($OIDS)";

/// The queries of the schema's views and materialized views, as the server writes them back.
const VIEWS: &str = "
SELECT oid::int8 AS oid, pg_get_viewdef(oid) AS definition
FROM pg_class WHERE oid = ANY($OIDS)";

/// What the views read: the dependencies of their rewrite rules on the schema's tables and
/// views (by column, or whole) and on its functions. Each branch is one lookup in
/// `pg_depend`'s index on what is depended on; the rule's view is found by the rule's oid.
const VIEW_READS: &str = "
SELECT (SELECT ev_class FROM pg_rewrite WHERE oid = objid)::int8 AS view_oid,
       false AS function, refobjid::int8 AS ref_oid, refobjsubid::int AS ref_attnum
FROM pg_depend
WHERE refclassid = 'pg_class'::regclass AND refobjid = ANY($OIDS)
      AND classid = 'pg_rewrite'::regclass AND deptype = 'n'
UNION ALL
SELECT (SELECT ev_class FROM pg_rewrite WHERE oid = objid)::int8, true, refobjid::int8, 0
FROM pg_depend
WHERE refclassid = 'pg_proc'::regclass AND refobjid = ANY($FUNCTIONS)
      AND classid = 'pg_rewrite'::regclass AND deptype = 'n'";

/// The schema's functions: their argument lists (as declared, and as told apart from
/// overloads) and their whole definitions.
const FUNCTIONS: &str = "
SELECT oid::int8 AS oid, pg_get_function_arguments(oid) AS arguments,
       pg_get_function_identity_arguments(oid) AS identity, pg_get_functiondef(oid) AS definition
FROM pg_proc WHERE oid = ANY($OIDS)";

/// Comments on the tables and views (`objsubid` 0) and their columns, and on the functions
/// (numbered -1 here).
const COMMENTS: &str = "
SELECT objoid::int8 AS oid, objsubid AS attnum, description
FROM pg_description
WHERE classoid = 'pg_class'::regclass AND objoid = ANY($OIDS)
UNION ALL
SELECT objoid::int8, -1, description
FROM pg_description
WHERE classoid = 'pg_proc'::regclass AND objoid = ANY($FUNCTIONS)";

const COLUMNS: &str = "
SELECT attrelid::int8 AS oid, attname::text AS name, attnum::int AS attnum,
       format_type(atttypid, atttypmod) AS type, atttypid::int8 AS type_oid,
       attnotnull AS not_null, attidentity::text AS identity, attcollation::int8 AS collation,
       attgenerated::text AS generated,
       CASE WHEN attcollation NOT IN (0, 100)
                 AND attcollation <> (SELECT typcollation FROM pg_type WHERE oid = atttypid)
            THEN (SELECT collname::text FROM pg_collation WHERE oid = attcollation) END
         AS own_collation
FROM pg_attribute
WHERE attrelid = ANY($OIDS) AND attnum > 0 AND NOT attisdropped";

/// Defaults and generated expressions. Given a table, `pg_get_expr` opens it to name its
/// columns (a relation cache entry built per table: 30 ms of the server's time at 1,000
/// tables); a default cannot refer to a column, so only an expression that holds one (a
/// generated column's: a `{VAR` node) is given its table.
const DEFAULTS: &str = "
SELECT adrelid::int8 AS oid, adnum::int AS attnum,
       pg_get_expr(adbin, CASE WHEN adbin::text LIKE '%{VAR %' THEN adrelid ELSE 0 END) AS expr
FROM pg_attrdef
WHERE adrelid = ANY($OIDS)";

/// What the sequences belong to: a column (a serial's or an identity's sequence) or anything.
const SEQUENCE_OWNERS: &str = "
SELECT objid::int8 AS oid, refclassid = 'pg_class'::regclass AS on_relation,
       refobjid::int8 AS ref_oid, refobjsubid AS ref_attnum
FROM pg_depend
WHERE classid = 'pg_class'::regclass AND deptype IN ('a', 'i') AND objid = ANY($OIDS)";

const SEQUENCES: &str = "
SELECT seqrelid::int8 AS oid, seqstart AS start, seqincrement AS increment,
       seqmin AS min_value, seqmax AS max_value, seqcycle AS cycle
FROM pg_sequence
WHERE seqrelid = ANY($OIDS)";

/// Keys, foreign keys, checks and exclusion constraints (only to know which indexes they own).
/// Expressions here and in [`INDEXES`] are deparsed as pg_dump does (not "pretty"), a text
/// that parses back to the same expression: the pretty form drops parentheses around casts,
/// and `flag::text = ANY (ARRAY['a'::varchar]::text[])` is stored anew as another tree.
const CONSTRAINTS: &str = "
SELECT conrelid::int8 AS oid, conname::text AS name, contype::text AS kind,
       conkey::int[] AS attnums, confrelid::int8 AS ref_oid, confkey::int[] AS ref_attnums,
       confdeltype::text AS on_delete, confupdtype::text AS on_update, conindid::int8 AS index_oid,
       condeferrable AS deferrable, condeferred AS deferred, confmatchtype::text AS match_type,
       convalidated AS validated,
       CASE WHEN contype = 'c' THEN pg_get_constraintdef(oid, false) END AS definition
FROM pg_constraint
WHERE conrelid = ANY($OIDS) AND contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY conrelid, conname::text";

const INDEXES: &str = "
SELECT indexrelid::int8 AS oid, indrelid::int8 AS table_oid, indisunique AS is_unique,
       pg_get_expr(indpred, indrelid, false) AS predicate,
       CASE WHEN indexprs IS NOT NULL THEN
           ARRAY(SELECT CASE WHEN indkey[k - 1] = 0
                             THEN pg_get_indexdef(indexrelid, k, false) ELSE '' END
                 FROM generate_series(1, indnkeyatts::int) k ORDER BY k)
       END AS keys,
       indkey::text AS indkey, indnkeyatts::int AS key_count, $NND AS nulls_not_distinct,
       indoption::text AS indoption, indclass::text AS indclass,
       indcollation::text AS indcollation, indisvalid AS valid
FROM pg_index
WHERE indrelid = ANY($OIDS)";

/// Operator classes that are not their type's default (a few dozen): only these are named.
const OPCLASSES: &str = "
SELECT oid::int8 AS oid, opcname::text AS name FROM pg_opclass WHERE NOT opcdefault";

/// Collations of index keys that differ from their column's.
const COLLATIONS: &str = "
SELECT oid::int8 AS oid, collname::text AS name FROM pg_collation WHERE oid = ANY($OIDS)";

/// Tables of other schemas that foreign keys point at: their names, schemas and column names.
const FOREIGN_TABLES: &str = "
SELECT oid::int8 AS oid, relname::text AS name,
       (SELECT nspname::text FROM pg_namespace WHERE oid = relnamespace) AS schema
FROM pg_class WHERE oid = ANY($OIDS)";
const FOREIGN_COLUMNS: &str = "
SELECT attrelid::int8 AS oid, attnum::int AS attnum, attname::text AS name
FROM pg_attribute
WHERE attrelid = ANY($OIDS) AND attnum > 0";

/// Enum types of the whole database (a column's type may live in another schema), with their
/// array types, and their labels in order.
const ENUMS: &str = "
SELECT oid::int8 AS oid, typarray::int8 AS array_oid, typname::text AS name,
       coalesce(typnamespace = $NAMESPACE, false) AS here
FROM pg_type
WHERE typtype = 'e'
ORDER BY typname::text";
const ENUM_LABELS: &str = "
SELECT enumtypid::int8 AS oid, enumlabel::text AS label
FROM pg_enum
WHERE enumtypid = ANY($OIDS)
ORDER BY enumtypid, enumsortorder";

/// A catalog query ready to send: what it reads (to say what failed) and its text, in which
/// `$NAMESPACE` stands for the schema's oid.
struct Query {
    what: &'static str,
    sql: String,
}

impl Query {
    fn new(what: &'static str, sql: &str) -> Self {
        Self {
            what,
            sql: sql.to_string(),
        }
    }

    /// The query filtered by `oids`, an `oid[]` literal from [`oid_array`], for `$OIDS`.
    fn oids(what: &'static str, sql: &str, oids: &str) -> Self {
        Self::new(what, &sql.replace("$OIDS", oids))
    }
}

/// How the queries reach the server.
enum Link<'a, C> {
    /// A connection held for the reads alone: each batch of queries goes as one simple-query
    /// message, which the server runs in order in one implicit transaction and answers in one
    /// go. One round trip per batch, where a prepared query costs two (parse and describe, then
    /// bind and execute): `check` on the opDB sent 27 round trips for its catalog reads.
    Wire(&'a mut sqlx::PgConnection),
    /// Inside a caller's transaction, one query at a time through SeaORM.
    Each(&'a C),
}

struct Reader<'a, C> {
    link: Link<'a, C>,
    /// The schema's oid as a scalar subquery, for `$NAMESPACE`.
    namespace: String,
    /// The statement that puts the schema alone on the search path, so that the server writes
    /// the names of its own types and sequences unqualified (in defaults, types, checks), as
    /// the model has them, and those of other schemas qualified.
    search_path: String,
    queries: usize,
    batches: usize,
}

/// A row of a catalog query, its cells found by name in the query's column list (a dozen
/// names at most: a scan of them is cheaper than the driver's lookup of each name, which hashes
/// it twice with SipHash; reading cells was a third of the client's time on a 10,000-table
/// catalog).
struct Row {
    cells: Cells,
    columns: std::sync::Arc<[String]>,
}

/// A row's cells as the server sent them.
enum Cells {
    /// In text (the simple-query protocol's form): parsed here, by [`Cell::from_text`], which
    /// costs a fraction of the driver's checked decoding of each cell.
    Text(PgRow),
    /// In binary, decoded by the driver.
    Binary(QueryResult),
}

/// The rows of one query, each with the query's column names.
fn rows(cells: Vec<Cells>) -> Vec<Row> {
    let columns: std::sync::Arc<[String]> = match cells.first() {
        Some(Cells::Text(row)) => row.columns().iter().map(|c| c.name().to_string()).collect(),
        Some(Cells::Binary(row)) => row.column_names().into(),
        None => std::sync::Arc::new([]),
    };
    cells
        .into_iter()
        .map(|cells| Row {
            cells,
            columns: columns.clone(),
        })
        .collect()
}

/// A value a catalog cell holds.
trait Cell: sea_orm::TryGetable + Sized {
    /// The value of a cell in text form (`None`: NULL).
    fn from_text(text: Option<&str>) -> Result<Self>;
}

fn not_null(text: Option<&str>) -> Result<&str> {
    text.context("unexpected NULL")
}

impl Cell for String {
    fn from_text(text: Option<&str>) -> Result<Self> {
        not_null(text).map(str::to_string)
    }
}

impl Cell for i64 {
    fn from_text(text: Option<&str>) -> Result<Self> {
        let text = not_null(text)?;
        text.parse().with_context(|| format!("{text:?} is not a number"))
    }
}

impl Cell for i32 {
    fn from_text(text: Option<&str>) -> Result<Self> {
        let text = not_null(text)?;
        text.parse().with_context(|| format!("{text:?} is not a number"))
    }
}

impl Cell for bool {
    fn from_text(text: Option<&str>) -> Result<Self> {
        match not_null(text)? {
            "t" => Ok(true),
            "f" => Ok(false),
            other => anyhow::bail!("{other:?} is not a boolean"),
        }
    }
}

impl<T: Cell> Cell for Option<T> {
    fn from_text(text: Option<&str>) -> Result<Self> {
        text.map(|_| T::from_text(text)).transpose()
    }
}

impl<T: Cell> Cell for Vec<T>
where
    Vec<T>: sea_orm::TryGetable,
{
    fn from_text(text: Option<&str>) -> Result<Self> {
        array_elements(not_null(text)?)?
            .iter()
            .map(|element| T::from_text(element.as_deref()))
            .collect()
    }
}

/// The elements of a one-dimensional array in PostgreSQL's text form (`{a,"b,c",NULL}`, after
/// bounds such as `[0:1]=` if any), NULL elements as `None` (a quoted `"NULL"` is the text).
fn array_elements(text: &str) -> Result<Vec<Option<String>>> {
    let malformed = || format!("{text:?} is not an array");
    let body = &text[text.find('{').with_context(malformed)?..];
    let inner = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .with_context(malformed)?;
    let mut out = Vec::new();
    if inner.is_empty() {
        return Ok(out);
    }
    let mut chars = inner.chars().peekable();
    loop {
        let mut value = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.push(chars.next().with_context(malformed)?),
                    Some('"') => break,
                    Some(c) => value.push(c),
                    None => anyhow::bail!(malformed()),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
        }
        out.push((quoted || value != "NULL").then_some(value));
        match chars.next() {
            Some(',') => {}
            None => return Ok(out),
            Some(_) => anyhow::bail!(malformed()),
        }
    }
}

impl<C: ConnectionTrait> Reader<'_, C> {
    /// Runs `batch` and returns each query's rows, in order.
    async fn send(&mut self, batch: Vec<Query>) -> Result<Vec<Vec<Row>>> {
        self.queries += batch.len();
        let sqls: Vec<String> = batch
            .iter()
            .map(|q| q.sql.replace("$NAMESPACE", &self.namespace))
            .collect();
        let failed = |what: &str| format!("reading {what} from the PostgreSQL catalog");
        match &mut self.link {
            Link::Each(db) => {
                let mut out = Vec::with_capacity(batch.len());
                for (query, sql) in batch.iter().zip(sqls) {
                    self.batches += 1;
                    let found = db
                        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
                        .await
                        .with_context(|| failed(query.what))?;
                    out.push(rows(found.into_iter().map(Cells::Binary).collect()));
                }
                Ok(out)
            }
            Link::Wire(conn) => {
                self.batches += 1;
                // The first statements turn JIT off for this message's implicit transaction (see
                // `introspect_in` for why) and set the search path for it.
                let mut text = format!("SET LOCAL jit = off; {}", self.search_path);
                for sql in &sqls {
                    text.push_str(";\n");
                    text.push_str(sql);
                }
                let mut out = Vec::with_capacity(batch.len());
                let mut found: Vec<Cells> = Vec::new();
                // Statements the server has completed, the two SETs included.
                let mut done = 0;
                const SETS: usize = 2;
                let mut answers = sqlx::raw_sql(AssertSqlSafe(text)).fetch_many(&mut **conn);
                while let Some(answer) = answers.next().await {
                    match answer {
                        Ok(Either::Right(row)) => found.push(Cells::Text(row)),
                        Ok(Either::Left(_)) => {
                            if done >= SETS {
                                out.push(rows(std::mem::take(&mut found)));
                            }
                            done += 1;
                        }
                        Err(e) => {
                            let what = match done {
                                0 => "the JIT setting",
                                1 => "the search path",
                                n => batch.get(n - SETS).map_or("the catalog", |q| q.what),
                            };
                            return Err(anyhow::Error::new(e).context(failed(what)));
                        }
                    }
                }
                anyhow::ensure!(
                    out.len() == batch.len(),
                    "reading the PostgreSQL catalog: the server answered {} of {} queries",
                    out.len(),
                    batch.len()
                );
                Ok(out)
            }
        }
    }
}

/// The oid of schema `name` as a scalar subquery. The name is written as hexadecimal digits
/// that the server decodes: nothing of it is read as SQL, whatever it holds and however the
/// server reads string literals (`standard_conforming_strings`).
fn namespace_oid(name: &str) -> String {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    format!(
        "(SELECT oid FROM pg_namespace WHERE nspname = convert_from(decode('{hex}', 'hex'), 'UTF8'))"
    )
}

/// `SET LOCAL search_path TO "name"`: the schema alone (the system catalog is searched first
/// anyway), for the transaction (or savepoint) it runs in.
fn search_path(name: &str) -> String {
    format!("SET LOCAL search_path TO {}", crate::ddl::ident(name))
}

/// Oids as an `oid[]` constant (`'{1,2,3}'::oid[]`): numbers the catalogs gave, written by
/// this function, nothing else.
fn oid_array<'a>(oids: impl IntoIterator<Item = &'a i64>) -> String {
    let list: Vec<String> = oids.into_iter().map(i64::to_string).collect();
    format!("'{{{}}}'::oid[]", list.join(","))
}

fn get<T: Cell>(row: &Row, column: &str) -> Result<T> {
    let index = row
        .columns
        .iter()
        .position(|c| c == column)
        .with_context(|| format!("catalog column {column} missing from the query"))?;
    let read = match &row.cells {
        Cells::Text(cells) => cells
            .try_get_raw(index)
            .map_err(anyhow::Error::new)
            .and_then(|value| match value.is_null() {
                true => T::from_text(None),
                false => T::from_text(Some(value.as_str().map_err(|e| anyhow::anyhow!(e))?)),
            }),
        Cells::Binary(cells) => cells.try_get_by_index(index).map_err(anyhow::Error::new),
    };
    read.with_context(|| format!("reading catalog column {column}"))
}

/// Reads `namespace` on a connection of its own, taken from `db`'s pool for the reads (see
/// [`Link::Wire`]).
pub async fn introspect(db: &DatabaseConnection, namespace: &str) -> Result<Introspection> {
    let mut conn = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .context("taking a connection for the catalog reads")?;
    // Each message's statements run in an implicit transaction of their own: the JIT setting
    // each one turns off with SET LOCAL is back when it ends, and a failed read leaves nothing
    // open.
    let link: Link<'_, DatabaseConnection> = Link::Wire(&mut conn);
    read(link, namespace).await
}

/// Reads `namespace` through `db`, a transaction (then in a savepoint) or a connection.
pub async fn introspect_in<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    namespace: &str,
) -> Result<Introspection> {
    // One transaction holds one connection for every read: given a pool, each statement would
    // take the connection and give it back, and sqlx pings a connection each time it is given
    // back (a round trip more per statement). Inside a transaction already, this is a savepoint.
    let txn = db.begin().await.context("starting the catalog reads")?;
    // The server compiles a query to machine code (JIT) when the planner's estimate of its cost
    // passes a threshold, and the estimate follows the catalogs' statistics: once the catalogs
    // of a 1,000-table database were analyzed, the indexes query was compiled, 200 ms for a
    // query that runs in 5. Catalog reads never gain from it: it is off for this transaction
    // (or savepoint) alone, and the session's own setting is back when it ends.
    txn.execute_unprepared(&format!("SET LOCAL jit = off; {}", search_path(namespace)))
        .await
        .context("turning off JIT compilation and setting the search path for the catalog reads")?;
    let found = read(Link::Each(&txn), namespace).await;
    // Nothing was written: rolled back, whether the reads succeeded or not (a failed read's
    // error is the one returned).
    let ended = txn.rollback().await;
    let found = found?;
    ended.context("ending the catalog reads")?;
    Ok(found)
}

async fn read<C: ConnectionTrait>(link: Link<'_, C>, namespace: &str) -> Result<Introspection> {
    let mut reader = Reader {
        link,
        namespace: namespace_oid(namespace),
        search_path: search_path(namespace),
        queries: 0,
        batches: 0,
    };
    let mut schema = Schema::default();

    // The first batch: what the schema's name finds.
    let [present, relations, access_methods, enum_rows, class_rows, other_rows] = split(
        reader
            .send(vec![
                Query::new("the schema", NAMESPACE),
                Query::new("tables", RELATIONS),
                Query::new("access methods", ACCESS_METHODS),
                Query::new("enum types", ENUMS),
                Query::new("operator classes", OPCLASSES),
                Query::new("other objects", OTHER_OBJECTS),
            ])
            .await?,
    )?;

    let exists = match present.first() {
        Some(row) => get::<bool>(row, "present")?,
        None => false,
    };
    // Relations: the schema's tables by oid, its indexes' names and methods, every sequence.
    // The tables being filled, by oid (a lookup per catalog row: by name it compared names);
    // they go into the schema, by name, once filled.
    let mut tables: Keyed<i64, Table> = Keyed::default();
    // An index's name, method's oid and place in name order (the server's collation).
    let mut index_names: HashMap<i64, (String, i64, usize)> = HashMap::new();
    let mut sequences: HashMap<i64, (String, bool)> = HashMap::new();
    // The server's version, which every row carries (an empty schema has none: then 0).
    let mut version = 0;
    // Relations the model cannot express, by oid (extension members are left out below).
    let mut other_relations: Vec<(i64, Unmodelled)> = Vec::new();
    // Views and materialized views, by oid.
    let mut views: Keyed<i64, View> = Keyed::default();
    for row in relations {
        version = get::<i32>(&row, "version")?;
        let oid: i64 = get(&row, "oid")?;
        let name: String = get(&row, "name")?;
        let kind: String = get(&row, "kind")?;
        if kind == "v" || kind == "m" {
            views.insert(
                oid,
                View {
                    name,
                    materialized: kind == "m",
                    with_data: get(&row, "populated")?,
                    ..View::default()
                },
            );
            continue;
        }
        let unmodelled = match kind.as_str() {
            "r" | "p" if get::<bool>(&row, "partition")? => Some("partition"),
            "f" => Some("foreign_table"),
            "c" => Some("type"),
            _ => None,
        };
        if let Some(kind) = unmodelled {
            other_relations.push((oid, Unmodelled::new(kind, &name)));
            continue;
        }
        match kind.as_str() {
            "r" | "p" => {
                // Properties of a table the model has no words for: the table is compared,
                // and they are reported.
                let property = match (kind.as_str(), get::<String>(&row, "persistence")?.as_str()) {
                    (_, "u") => Some("unlogged_table"),
                    ("p", _) => Some("partitioned_table"),
                    _ => None,
                };
                if let Some(property) = property {
                    other_relations.push((
                        oid,
                        Unmodelled {
                            table: Some(name.clone()),
                            ..Unmodelled::new(property, &name)
                        },
                    ));
                }
                tables.insert(
                    oid,
                    Table {
                        name,
                        ..Table::default()
                    },
                );
            }
            "i" | "I" => {
                let rank = index_names.len();
                index_names.insert(oid, (name, get(&row, "method")?, rank));
            }
            _ => {
                sequences.insert(oid, (name, get(&row, "here")?));
            }
        }
    }
    let mut methods: HashMap<i64, String> = HashMap::new();
    for row in access_methods {
        methods.insert(get(&row, "oid")?, get(&row, "name")?);
    }
    // Enum types (and arrays of them) by type oid.
    let mut enum_types: HashSet<i64> = HashSet::new();
    let mut enums_here: Vec<(i64, String)> = Vec::new();
    for row in enum_rows {
        let oid: i64 = get(&row, "oid")?;
        enum_types.insert(oid);
        enum_types.insert(get(&row, "array_oid")?);
        if get::<bool>(&row, "here")? {
            enums_here.push((oid, get(&row, "name")?));
        }
    }

    // Operator classes that are not their type's default, by oid: an index key's class is
    // named only when it is one of them.
    let mut classes: HashMap<i64, String> = HashMap::new();
    for row in class_rows {
        classes.insert(get(&row, "oid")?, get(&row, "name")?);
    }

    // What belongs to an extension (reported once, as its extension), and the functions of
    // the schema that do not: those are modelled, read in the second batch.
    let mut members: HashSet<(String, i64)> = HashSet::new();
    for row in &other_rows {
        if get::<String>(row, "kind")? == "member" {
            let detail: String = get::<Option<String>>(row, "detail")?.unwrap_or_default();
            members.insert((detail, get(row, "oid")?));
        }
    }
    let mut function_oids: Vec<i64> = Vec::new();
    for row in &other_rows {
        let oid: i64 = get(row, "oid")?;
        if get::<String>(row, "kind")? == "function"
            && get::<Option<String>>(row, "detail")?.as_deref() == Some("f")
            && !members.contains(&("pg_proc".to_string(), oid))
        {
            function_oids.push(oid);
        }
    }

    // The second batch: what the tables, views and sequences found own.
    let table_oids = oid_array(tables.keys());
    let view_oids = oid_array(views.keys());
    // Tables and views: the columns, indexes and triggers of both are read alike.
    let relation_oids = oid_array(tables.keys().chain(views.keys()));
    let functions_array = oid_array(&function_oids);
    // `indnullsnotdistinct` is PostgreSQL 15's.
    let nnd = if version >= 150000 {
        "indnullsnotdistinct"
    } else {
        "false"
    };
    let enum_oids = oid_array(enums_here.iter().map(|(oid, _)| oid));
    let [comment_rows, default_rows, owner_rows, column_rows, constraints, index_rows, table_object_rows, label_rows, view_rows, read_rows, function_rows] =
        split(
            reader
                .send(vec![
                    Query::oids(
                        "comments",
                        &COMMENTS.replace("$FUNCTIONS", &functions_array),
                        &relation_oids,
                    ),
                    Query::oids("column defaults", DEFAULTS, &table_oids),
                    Query::oids("sequence owners", SEQUENCE_OWNERS, &oid_array(sequences.keys())),
                    Query::oids("columns", COLUMNS, &relation_oids),
                    Query::oids("constraints", CONSTRAINTS, &table_oids),
                    Query::oids("indexes", &INDEXES.replace("$NND", nnd), &relation_oids),
                    Query::oids("triggers, rules and policies", TABLE_OBJECTS, &relation_oids),
                    Query::oids("enum labels", ENUM_LABELS, &enum_oids),
                    Query::oids("views", VIEWS, &view_oids),
                    Query::oids(
                        "what views read",
                        &VIEW_READS.replace("$FUNCTIONS", &functions_array),
                        &relation_oids,
                    ),
                    Query::oids("functions", FUNCTIONS, &functions_array),
                ])
                .await?,
        )?;

    let mut comments: Keyed<(i64, i32), String> = Keyed::default();
    for row in comment_rows {
        comments.insert(
            (get(&row, "oid")?, get(&row, "attnum")?),
            get(&row, "description")?,
        );
    }
    for (oid, table) in tables.iter_mut() {
        table.comment = comments.remove(&(*oid, 0));
    }
    for (oid, view) in views.iter_mut() {
        view.comment = comments.remove(&(*oid, 0));
    }

    let mut defaults: Keyed<(i64, i32), String> = Keyed::default();
    for row in default_rows {
        if let Some(expr) = get::<Option<String>>(&row, "expr")? {
            defaults.insert((get(&row, "oid")?, get(&row, "attnum")?), expr);
        }
    }

    // Sequences a column owns (serial or identity), and sequences anything owns.
    let mut owned_by_column: Keyed<(i64, i32), i64> = Keyed::default();
    let mut owned: HashSet<i64> = HashSet::new();
    for row in owner_rows {
        owned.insert(get(&row, "oid")?);
        if get::<bool>(&row, "on_relation")? {
            owned_by_column.insert(
                (get(&row, "ref_oid")?, get(&row, "ref_attnum")?),
                get(&row, "oid")?,
            );
        }
    }

    // Column names by (table, number), to name the columns of keys and indexes, and their
    // collations, to see which index keys collate otherwise.
    let mut numbered: Keyed<(i64, i32), String> = Keyed::default();
    let mut collations: Keyed<(i64, i32), i64> = Keyed::default();
    // Identity columns' sequences: sequence oid to (table oid, column).
    let mut identity_sequences: HashMap<i64, (i64, String)> = HashMap::new();
    // In table and column order, sorted here: the server's sort took a third of the query.
    let mut column_rows = column_rows
        .into_iter()
        .map(|row| Ok((get::<i64>(&row, "oid")?, get::<i32>(&row, "attnum")?, row)))
        .collect::<Result<Vec<_>>>()?;
    column_rows.sort_unstable_by_key(|(oid, attnum, _)| (*oid, *attnum));
    for (oid, attnum, row) in column_rows {
        let name: String = get(&row, "name")?;
        numbered.insert((oid, attnum), name.clone());
        collations.insert((oid, attnum), get(&row, "collation")?);
        if let Some(view) = views.get_mut(&oid) {
            view.columns.push((name, get(&row, "type")?));
            continue;
        }
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        let mut default = defaults.remove(&(oid, attnum));
        // A generated column's expression is held where a default is (`s`: stored, the only
        // kind PostgreSQL 15 has).
        let mut generated = None;
        if !get::<String>(&row, "generated")?.is_empty() {
            generated = default.take().map(|expression| Generated {
                expression,
                stored: true,
            });
        }
        // attidentity: `a` always, `d` by default; its options are its sequence's, read below.
        let identity = match get::<String>(&row, "identity")?.as_str() {
            "a" | "d" => {
                if let Some(sequence) = owned_by_column.get(&(oid, attnum)) {
                    identity_sequences.insert(*sequence, (oid, name.clone()));
                }
                Some(Identity {
                    always: get::<String>(&row, "identity")? == "a",
                    ..Identity::default()
                })
            }
            _ => None,
        };
        let serial = owned_by_column.contains_key(&(oid, attnum))
            && default
                .as_deref()
                .is_some_and(|d| d.starts_with("nextval("));
        let enum_like = enum_types.contains(&get::<i64>(&row, "type_oid")?);
        table.columns.push(Column {
            name,
            ty: parse_type(&get::<String>(&row, "type")?, enum_like),
            nullable: !get::<bool>(&row, "not_null")?,
            default: if serial { None } else { default },
            comment: comments.remove(&(oid, attnum)),
            auto_increment: serial && identity.is_none(),
            identity,
            generated,
            collation: get(&row, "own_collation")?,
        });
    }

    // Comments on a view's columns, which the model cannot hold: reported, never dropped in
    // silence.
    let mut view_column_comments: Vec<Unmodelled> = comments
        .keys()
        .filter(|(oid, attnum)| *attnum > 0 && views.contains_key(oid))
        .filter_map(|key| {
            let view = &views.get(&key.0)?.name;
            let column = numbered.get(key)?;
            Some(Unmodelled {
                table: Some(view.clone()),
                ..Unmodelled::new("comment", &format!("{view}.{column}"))
            })
        })
        .collect();
    schema.unmodelled.append(&mut view_column_comments);

    let mut nulls_not_distinct: HashSet<i64> = HashSet::new();
    for row in &index_rows {
        if get::<bool>(row, "nulls_not_distinct")? {
            nulls_not_distinct.insert(get(row, "oid")?);
        }
    }
    // Tables of other schemas that foreign keys point at, named in the third batch.
    let foreign: Vec<i64> = constraints
        .iter()
        .map(|row| get::<i64>(row, "ref_oid"))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|oid| *oid != 0 && !tables.contains_key(oid))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Each index key's options: (descending, nulls first), operator class and collation oids.
    let numbers = |row: &Row, column: &str| -> Result<Vec<i64>> {
        get::<String>(row, column)?
            .split_whitespace()
            .map(|n| {
                n.parse()
                    .with_context(|| format!("reading {column} entry {n:?}"))
            })
            .collect()
    };
    // A key collates otherwise when its collation is neither none, nor its column's (for an
    // expression, the database default, 100).
    let mut odd_collations: HashSet<i64> = HashSet::new();
    let mut key_collations: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
    for row in &index_rows {
        let (oid, table_oid): (i64, i64) = (get(row, "oid")?, get(row, "table_oid")?);
        let attnums = numbers(row, "indkey")?;
        let odd: Vec<Option<i64>> = numbers(row, "indcollation")?
            .into_iter()
            .zip(&attnums)
            .map(|(collation, attnum)| {
                let own = match attnum {
                    0 => 100,
                    n => collations.get(&(table_oid, *n as i32)).copied().unwrap_or(0),
                };
                (collation != 0 && collation != own).then_some(collation)
            })
            .collect();
        odd_collations.extend(odd.iter().flatten());
        key_collations.insert(oid, odd);
    }
    // Sequences of the schema that nothing owns (a serial's sequence is part of its column).
    let free: Vec<i64> = sequences
        .iter()
        .filter(|(oid, (_, here))| *here && !owned.contains(oid))
        .map(|(oid, _)| *oid)
        .collect();
    let wanted: Vec<i64> = free
        .iter()
        .chain(identity_sequences.keys())
        .copied()
        .collect();
    // The third batch, when needed: the names of what the second found in other schemas
    // (foreign keys' tables and their columns, collations) and the options of sequences.
    let mut names: HashMap<i64, String> =
        tables.iter().map(|(oid, t)| (*oid, t.name.clone())).collect();
    let mut collation_names: HashMap<i64, String> = HashMap::new();
    // The schemas of tables in other schemas that keys point at.
    let mut schemas: HashMap<i64, String> = HashMap::new();
    if !foreign.is_empty() || !odd_collations.is_empty() || !wanted.is_empty() {
        let foreign = oid_array(&foreign);
        let [table_rows, column_rows, collation_rows, sequence_rows] = split(
            reader
                .send(vec![
                    Query::oids("referenced tables", FOREIGN_TABLES, &foreign),
                    Query::oids("referenced columns", FOREIGN_COLUMNS, &foreign),
                    Query::oids("collations", COLLATIONS, &oid_array(&odd_collations)),
                    Query::oids("sequences", SEQUENCES, &oid_array(&wanted)),
                ])
                .await?,
        )?;
        for row in table_rows {
            let oid = get(&row, "oid")?;
            names.insert(oid, get(&row, "name")?);
            let schema: String = get(&row, "schema")?;
            if schema != namespace {
                schemas.insert(oid, schema);
            }
        }
        for row in column_rows {
            numbered.insert(
                (get(&row, "oid")?, get(&row, "attnum")?),
                get(&row, "name")?,
            );
        }
        for row in collation_rows {
            collation_names.insert(get(&row, "oid")?, get(&row, "name")?);
        }
        for row in sequence_rows {
            let oid: i64 = get(&row, "oid")?;
            if let Some((table, column)) = identity_sequences.get(&oid) {
                let column = tables
                    .get_mut(table)
                    .and_then(|t| t.columns.iter_mut().find(|c| c.name == *column));
                if let Some(Column {
                    identity: Some(identity),
                    ty,
                    ..
                }) = column
                {
                    identity.start = Some(get(&row, "start")?);
                    identity.increment = Some(get(&row, "increment")?);
                    identity.min_value = Some(get(&row, "min_value")?);
                    identity.max_value = Some(get(&row, "max_value")?);
                    identity.cycle = get(&row, "cycle")?;
                    identity.normalize(ty);
                }
                continue;
            }
            let (name, _) = &sequences[&oid];
            schema.sequences.insert(
                name.clone(),
                Sequence {
                    name: name.clone(),
                    start: get(&row, "start")?,
                    increment: get(&row, "increment")?,
                    min_value: get(&row, "min_value")?,
                    max_value: get(&row, "max_value")?,
                    cycle: get(&row, "cycle")?,
                },
            );
        }
    }
    let name_all = |table: i64, attnums: Option<Vec<i32>>| -> Vec<String> {
        attnums
            .unwrap_or_default()
            .into_iter()
            .map(|n| {
                numbered
                    .get(&(table, n))
                    .cloned()
                    .unwrap_or_else(|| format!("#{n}"))
            })
            .collect()
    };

    // Indexes a primary key, unique or exclusion constraint owns are that constraint's.
    let mut constraint_indexes: HashSet<(i64, i64)> = HashSet::new();
    for row in &constraints {
        let oid: i64 = get(row, "oid")?;
        let kind: String = get(row, "kind")?;
        if matches!(kind.as_str(), "p" | "u" | "x") {
            constraint_indexes.insert((oid, get(row, "index_oid")?));
        }
        let Some(table) = tables.get_mut(&oid) else {
            continue;
        };
        let name: String = get(row, "name")?;
        let columns = name_all(oid, get(row, "attnums")?);
        // A key or check added NOT VALID and never validated: read as what it will be, and
        // named as a difference until it is validated.
        if !get::<bool>(row, "validated")? {
            schema.unmodelled.push(Unmodelled {
                table: Some(table.name.clone()),
                ..Unmodelled::new("not_valid_constraint", &name)
            });
        }
        match kind.as_str() {
            "p" => {
                table.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns,
                })
            }
            "u" => table.uniques.push(UniqueConstraint {
                name: Some(name),
                columns,
                nulls_not_distinct: nulls_not_distinct.contains(&get(row, "index_oid")?),
            }),
            "f" => {
                let ref_oid: i64 = get(row, "ref_oid")?;
                table.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns,
                    ref_columns: name_all(ref_oid, get(row, "ref_attnums")?),
                    ref_table: names.get(&ref_oid).cloned().unwrap_or_default(),
                    ref_schema: schemas.get(&ref_oid).cloned(),
                    on_delete: fk_action(&get::<String>(row, "on_delete")?),
                    on_update: fk_action(&get::<String>(row, "on_update")?),
                    deferral: match (get(row, "deferrable")?, get(row, "deferred")?) {
                        (false, _) => Deferral::NotDeferrable,
                        (true, false) => Deferral::Deferrable,
                        (true, true) => Deferral::InitiallyDeferred,
                    },
                    match_full: get::<String>(row, "match_type")? == "f",
                })
            }
            "x" => schema.unmodelled.push(Unmodelled {
                table: Some(table.name.clone()),
                ..Unmodelled::new("exclusion_constraint", &name)
            }),
            "c" => {
                let definition: String =
                    get::<Option<String>>(row, "definition")?.unwrap_or_default();
                let expression = definition
                    .strip_prefix("CHECK ")
                    .unwrap_or(&definition)
                    .to_string();
                table.checks.push(CheckConstraint {
                    name: Some(name),
                    expression,
                });
            }
            _ => {}
        }
    }

    let mut indexes = Vec::new();
    for row in index_rows {
        let oid: i64 = get(&row, "oid")?;
        let table_oid: i64 = get(&row, "table_oid")?;
        if constraint_indexes.contains(&(table_oid, oid)) {
            continue;
        }
        let on_relation = tables.contains_key(&table_oid) || views.contains_key(&table_oid);
        let (true, Some((name, method, rank))) = (on_relation, index_names.get(&oid)) else {
            continue;
        };
        // The key columns' numbers (0 for an expression), then any INCLUDE columns.
        let key_count = get::<i32>(&row, "key_count")?.max(0) as usize;
        let mut attnums: Vec<i32> = numbers(&row, "indkey")?
            .into_iter()
            .map(|n| n as i32)
            .collect();
        let include = name_all(table_oid, Some(attnums.split_off(key_count.min(attnums.len()))));
        let flags = numbers(&row, "indoption")?;
        let class = numbers(&row, "indclass")?;
        let odd_collation = key_collations.remove(&oid).unwrap_or_default();
        let options: Vec<KeyOptions> = (0..attnums.len())
            .map(|k| {
                // indoption: 1 is DESC, 2 is NULLS FIRST.
                let flag = flags.get(k).copied().unwrap_or(0);
                let descending = flag & 1 != 0;
                KeyOptions {
                    descending,
                    nulls_first: Some(flag & 2 != 0),
                    opclass: class.get(k).and_then(|c| classes.get(c)).cloned(),
                    collation: odd_collation
                        .get(k)
                        .copied()
                        .flatten()
                        .and_then(|c| collation_names.get(&c).cloned()),
                }
            })
            .collect();
        // Only an index with expressions has its key texts read.
        let keys: Vec<String> = get::<Option<Vec<String>>>(&row, "keys")?
            .unwrap_or_else(|| vec![String::new(); attnums.len()]);
        let mut index = Index {
            name: name.clone(),
            keys: keys
                .into_iter()
                .zip(attnums)
                .map(|(key, attnum)| match attnum {
                    0 => IndexKey::Expression(key),
                    n => IndexKey::Column(
                        numbered
                            .get(&(table_oid, n))
                            .cloned()
                            .unwrap_or_else(|| format!("#{n}")),
                    ),
                })
                .collect(),
            unique: get(&row, "is_unique")?,
            nulls_not_distinct: get(&row, "nulls_not_distinct")?,
            predicate: get(&row, "predicate")?,
            method: methods
                .get(method)
                .filter(|m| *m != "btree")
                .cloned(),
            options,
            include,
        };
        index.normalize_options();
        // An index a concurrent build left INVALID: read as what it was to be, and named as a
        // difference until it is built again or dropped.
        if !get::<bool>(&row, "valid")? {
            let on = tables
                .get(&table_oid)
                .map(|t| t.name.clone())
                .or_else(|| views.get(&table_oid).map(|v| v.name.clone()));
            schema.unmodelled.push(Unmodelled {
                table: on,
                ..Unmodelled::new("invalid_index", &index.name)
            });
        }
        indexes.push((*rank, table_oid, index));
    }
    indexes.sort_by_key(|(rank, _, _)| *rank);
    for (_, table_oid, index) in indexes {
        if let Some(table) = tables.get_mut(&table_oid) {
            table.indexes.push(index);
        } else if let Some(view) = views.get_mut(&table_oid) {
            view.indexes.push(index);
        }
    }

    let mut labels: HashMap<i64, Vec<String>> = HashMap::new();
    for row in label_rows {
        labels
            .entry(get(&row, "oid")?)
            .or_default()
            .push(get(&row, "label")?);
    }
    for (oid, name) in enums_here {
        schema
            .enums
            .insert(name, labels.remove(&oid).unwrap_or_default());
    }

    // Functions, by oid, keyed as the model keys them.
    let mut functions: Keyed<i64, Function> = Keyed::default();
    for row in function_rows {
        let arguments: String = get(&row, "arguments")?;
        let whole: String = get(&row, "definition")?;
        // `CREATE OR REPLACE FUNCTION schema.name(arguments)` and a line break, then the rest.
        let head = format!("({arguments})\n");
        let definition = match whole.find(&head) {
            Some(at) => &whole[at + head.len()..],
            None => whole.as_str(),
        };
        functions.insert(
            get(&row, "oid")?,
            Function {
                name: String::new(),
                arguments,
                definition: crate::definitions::trimmed(definition),
                identity: get(&row, "identity")?,
                comment: None,
            },
        );
    }

    // Everything else the schema holds, but what belongs to an extension: that is reported
    // once, as its extension.
    let mut others: Vec<((String, i64), Unmodelled)> = Vec::new();
    for row in other_rows {
        let oid: i64 = get(&row, "oid")?;
        let detail: String = get::<Option<String>>(&row, "detail")?.unwrap_or_default();
        let name: String = get(&row, "name")?;
        let (class, object) = match get::<String>(&row, "kind")?.as_str() {
            "member" => continue,
            "function" if functions.contains_key(&oid) => {
                if let Some(f) = functions.get_mut(&oid) {
                    f.name = name;
                }
                continue;
            }
            "function" => (
                "pg_proc",
                Unmodelled {
                    detail: get(&row, "arguments")?,
                    ..Unmodelled::new(
                        match detail.as_str() {
                            "p" => "procedure",
                            "a" => "aggregate",
                            _ => "function",
                        },
                        &name,
                    )
                },
            ),
            "type" if detail == "d" => ("pg_type", Unmodelled::new("domain", &name)),
            "type" => ("pg_type", Unmodelled::new("type", &name)),
            "extension" => ("pg_extension", Unmodelled::new("extension", &name)),
            _ => ("pg_statistic_ext", Unmodelled::new("statistics", &name)),
        };
        others.push(((class.to_string(), oid), object));
    }
    others.extend(
        other_relations
            .into_iter()
            .map(|(oid, o)| (("pg_class".to_string(), oid), o)),
    );
    schema.unmodelled.extend(
        others
            .into_iter()
            .filter(|(key, _)| !members.contains(key))
            .map(|(_, o)| o),
    );
    for (oid, function) in functions.iter_mut() {
        function.comment = comments.remove(&(*oid, -1));
    }
    let key_of: HashMap<i64, String> = functions.iter().map(|(oid, f)| (*oid, f.key())).collect();
    for row in table_object_rows {
        let table_oid: i64 = get(&row, "table_oid")?;
        let table = tables
            .get(&table_oid)
            .map(|t| t.name.clone())
            .or_else(|| views.get(&table_oid).map(|v| v.name.clone()));
        let name: String = get(&row, "name")?;
        let kind = match get::<String>(&row, "kind")?.as_str() {
            "trigger" => {
                let definition: String = get::<Option<String>>(&row, "definition")?.unwrap_or_default();
                let function = get::<Option<i64>>(&row, "function_oid")?;
                let table = table.unwrap_or_default();
                schema.triggers.insert(
                    (table.clone(), name.clone()),
                    Trigger {
                        table,
                        name,
                        definition: crate::definitions::trimmed(&definition),
                        function: function.and_then(|oid| key_of.get(&oid).cloned()),
                    },
                );
                continue;
            }
            "rule" => "rule",
            "inheritance" => "inheritance",
            _ => "policy",
        };
        schema.unmodelled.push(Unmodelled {
            table,
            ..Unmodelled::new(kind, &name)
        });
    }
    // Views: their queries, then what they read.
    for row in view_rows {
        if let Some(view) = views.get_mut(&get::<i64>(&row, "oid")?) {
            let definition: Option<String> = get(&row, "definition")?;
            view.definition = crate::definitions::trimmed(&definition.unwrap_or_default());
        }
    }
    let relation_names: HashMap<i64, String> = tables
        .iter()
        .map(|(oid, t)| (*oid, t.name.clone()))
        .chain(views.iter().map(|(oid, v)| (*oid, v.name.clone())))
        .collect();
    for row in read_rows {
        let Some(view_oid) = get::<Option<i64>>(&row, "view_oid")? else {
            continue;
        };
        let ref_oid: i64 = get(&row, "ref_oid")?;
        let read = if get::<bool>(&row, "function")? {
            key_of.get(&ref_oid).cloned().map(Read::Function)
        } else {
            let Some(relation) = relation_names.get(&ref_oid) else {
                continue;
            };
            match get::<i32>(&row, "ref_attnum")? {
                0 => Some(Read::Relation(relation.clone())),
                n => numbered
                    .get(&(ref_oid, n))
                    .map(|column| Read::Column(relation.clone(), column.clone())),
            }
        };
        if let (Some(read), Some(view)) = (read, views.get_mut(&view_oid)) {
            if ref_oid != view_oid && !view.reads.contains(&read) {
                view.reads.push(read);
            }
        }
    }
    for view in views.values_mut() {
        view.reads.sort();
    }
    schema.views = views.into_values().map(|v| (v.name.clone(), v)).collect();
    schema.functions = functions
        .into_values()
        .map(|f| (f.key(), f))
        .collect();
    schema.tables = tables.into_values().map(|t| (t.name.clone(), t)).collect();
    schema.unmodelled.sort();

    Ok(Introspection {
        schema,
        exists,
        queries: reader.queries,
        batches: reader.batches,
    })
}

/// The answers of a batch of `N` queries, one by one.
fn split<const N: usize>(answers: Vec<Vec<Row>>) -> Result<[Vec<Row>; N]> {
    let got = answers.len();
    answers
        .try_into()
        .map_err(|_| anyhow::anyhow!("reading the PostgreSQL catalog: {got} answers to {N} queries"))
}

/// Hash maps keyed by oids and column numbers: the standard hasher (SipHash, made to withstand
/// keys chosen to collide) took more time than the lookups it served. These keys are the
/// catalog's own numbers; the mixing is FxHash's (rustc's).
type Keyed<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<NumberHasher>>;

#[derive(Default)]
struct NumberHasher(u64);

impl NumberHasher {
    fn add(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.add(u64::from(*b));
        }
    }
    fn write_i32(&mut self, n: i32) {
        self.add(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// `format_type` output to the model's type. `enum_like` marks an enum (or array of one), whose
/// name may come schema-qualified or quoted.
pub fn parse_type(text: &str, enum_like: bool) -> ColumnType {
    if let Some(inner) = text.strip_suffix("[]") {
        return ColumnType::Array(Box::new(parse_type(inner, enum_like)));
    }
    if enum_like {
        return ColumnType::Enum(last_name(text));
    }
    // A type with arguments is a lower-case name, its arguments in one pair of parentheses and
    // perhaps more words (`timestamp(3) without time zone`); anything else keeps its text.
    let (base, args) = match text.find('(') {
        Some(open) => {
            let close = match closing_paren(text, open) {
                Some(close)
                    if text[..open]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b' ') =>
                {
                    close
                }
                _ => return ColumnType::Other(text.to_string()),
            };
            let args: Option<Vec<u32>> = text[open + 1..close]
                .split(',')
                .map(|a| a.trim().parse().ok())
                .collect();
            match args {
                Some(args) if args.len() <= 2 => {
                    (format!("{}{}", &text[..open], &text[close + 1..]), args)
                }
                _ => return ColumnType::Other(text.to_string()),
            }
        }
        None => (text.to_string(), Vec::new()),
    };
    let first = args.first().copied();
    match base.trim() {
        "smallint" | "int2" => ColumnType::SmallInt,
        "integer" | "int" | "int4" => ColumnType::Integer,
        "bigint" | "int8" => ColumnType::BigInt,
        "real" | "float4" => ColumnType::Real,
        "double precision" | "float8" => ColumnType::Double,
        "numeric" | "decimal" => ColumnType::Numeric(match args.as_slice() {
            [p, s] => Some((*p, *s)),
            [p] => Some((*p, 0)),
            _ => None,
        }),
        "character varying" | "varchar" => ColumnType::Varchar(first),
        "character" | "char" | "bpchar" => ColumnType::Char(first),
        "text" => ColumnType::Text,
        "boolean" | "bool" => ColumnType::Boolean,
        "date" => ColumnType::Date,
        "time without time zone" | "time" => ColumnType::Time,
        "timestamp without time zone" | "timestamp" => ColumnType::Timestamp,
        "timestamp with time zone" | "timestamptz" => ColumnType::TimestampTz,
        "interval" => ColumnType::Interval,
        "json" => ColumnType::Json,
        "jsonb" => ColumnType::Jsonb,
        "uuid" => ColumnType::Uuid,
        "bytea" => ColumnType::Bytea,
        _ => ColumnType::Other(text.to_string()),
    }
}

/// The last part of a possibly schema-qualified, possibly quoted name: `public."Mood"` is
/// `Mood`, `"a.b"` is `a.b`.
fn last_name(text: &str) -> String {
    let mut rest = text;
    loop {
        let (name, after) = if rest.starts_with('"') {
            take_ident(rest)
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        };
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{array_elements, parse_type};
    use crate::schema::ColumnType as T;

    /// Arrays as PostgreSQL writes them in text (`array_out`): quoted elements with escapes,
    /// NULL elements, and the quoted text "NULL", which is no NULL.
    #[test]
    fn array_texts_read_element_by_element() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(array_elements("{}").unwrap(), Vec::<Option<String>>::new());
        assert_eq!(
            array_elements("{1,2,3}").unwrap(),
            [some("1"), some("2"), some("3")]
        );
        assert_eq!(
            array_elements(r#"{"",NULL,"NULL","a,b","say \"hi\"","back\\slash",x}"#).unwrap(),
            [
                some(""),
                None,
                some("NULL"),
                some("a,b"),
                some(r#"say "hi""#),
                some(r"back\slash"),
                some("x"),
            ]
        );
        assert_eq!(
            array_elements("[0:1]={7,8}").unwrap(),
            [some("7"), some("8")]
        );
        for bad in ["", "1,2", "{1,2", r#"{"open}"#, r#"{"a"b}"#] {
            assert!(array_elements(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn format_type_spellings_normalize() {
        assert_eq!(parse_type("integer", false), T::Integer);
        assert_eq!(
            parse_type("character varying(5)", false),
            T::Varchar(Some(5))
        );
        assert_eq!(parse_type("character varying", false), T::Varchar(None));
        assert_eq!(parse_type("real[]", false), T::Array(Box::new(T::Real)));
        assert_eq!(
            parse_type("numeric(10,2)", false),
            T::Numeric(Some((10, 2)))
        );
        assert_eq!(
            parse_type("timestamp(3) without time zone", false),
            T::Timestamp
        );
        assert_eq!(
            parse_type("timestamp with time zone", false),
            T::TimestampTz
        );
        assert_eq!(parse_type("public.\"Mood\"", true), T::Enum("Mood".into()));
        assert_eq!(parse_type("tsvector", false), T::Other("tsvector".into()));
        assert_eq!(parse_type("public.mood", true), T::Enum("mood".into()));
        assert_eq!(
            parse_type("\"a.b\"[]", true),
            T::Array(Box::new(T::Enum("a.b".into())))
        );
        for odd in [
            "\"a)(b\"",
            "varchar(",
            "numeric(10,",
            "numeric(1,2,3)",
            "bit(x)",
            "é(1)",
        ] {
            assert_eq!(parse_type(odd, false), T::Other(odd.into()));
        }
    }
}
