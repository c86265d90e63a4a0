//! PostgreSQL introspection from the system catalogs: six queries for the whole schema.

use super::{take_ident, Introspection};
use crate::normalize::closing_paren;
use crate::schema::{
    CheckConstraint, Column, ColumnType, FkAction, ForeignKey, Index, IndexKey, PrimaryKey, Schema,
    Sequence, Table, UniqueConstraint,
};
use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement};

const TABLES: &str = "
SELECT c.relname::text AS name, ds.description AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds
       ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY 1";

/// Every column. Owned sequences and comments are joined in whole (hash joins), not looked up
/// per column: per-column lookups cost a third of a second at 1,000 tables.
const COLUMNS: &str = "
WITH owned AS (
    SELECT DISTINCT dep.refobjid, dep.refobjsubid
    FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid
    WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
      AND s.relkind = 'S' AND dep.deptype IN ('a', 'i'))
SELECT c.relname::text AS table_name, a.attname::text AS name, a.attnum::int AS attnum,
       format_type(a.atttypid, a.atttypmod) AS type, t.typtype::text AS typtype,
       elem.typtype::text AS elem_typtype, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       ds.description AS comment, a.attidentity::text AS identity,
       o.refobjid IS NOT NULL AS owns_sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type elem ON elem.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_description ds
       ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
LEFT JOIN owned o ON o.refobjid = c.oid AND o.refobjsubid = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum";

/// Keys, foreign keys and checks. Column numbers are named from the columns already read; only a
/// foreign key into another schema has its referenced columns named here.
const CONSTRAINTS: &str = "
SELECT c.relname::text AS table_name, con.conname::text AS name, con.contype::text AS kind,
       con.conkey::int[] AS attnums, f.relname::text AS ref_table,
       con.confkey::int[] AS ref_attnums,
       CASE WHEN f.relnamespace <> c.relnamespace THEN
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                 ORDER BY k.ord)
       END AS foreign_ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid, true) END AS definition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class f ON f.oid = con.confrelid
WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c') AND c.relkind IN ('r', 'p')
ORDER BY 1, 2";

/// Indexes that no primary key, unique or exclusion constraint owns.
const INDEXES: &str = "
SELECT t.relname::text AS table_name, i.relname::text AS name, ix.indisunique AS is_unique,
       am.amname::text AS method, pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate,
       ARRAY(SELECT CASE WHEN ix.indkey[k - 1] = 0
                         THEN pg_get_indexdef(ix.indexrelid, k, true) ELSE '' END
             FROM generate_series(1, ix.indnkeyatts::int) k ORDER BY k) AS keys,
       ARRAY(SELECT ix.indkey[k - 1]::int
             FROM generate_series(1, ix.indnkeyatts::int) k ORDER BY k) AS attnums
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2";

const ENUMS: &str = "
SELECT t.typname::text AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
             ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = $1 AND t.typtype = 'e'
ORDER BY 1";

/// Sequences no column owns (a serial's sequence is part of its column).
const SEQUENCES: &str = "
SELECT c.relname::text AS name, s.seqstart AS start, s.seqincrement AS increment,
       s.seqmin AS min_value, s.seqmax AS max_value, s.seqcycle AS cycle
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('a', 'i'))
ORDER BY 1";

struct Reader<'a> {
    db: &'a DatabaseConnection,
    namespace: &'a str,
    queries: usize,
}

impl Reader<'_> {
    async fn query(&mut self, what: &str, sql: &str) -> Result<Vec<QueryResult>> {
        self.queries += 1;
        let stmt =
            Statement::from_sql_and_values(DbBackend::Postgres, sql, [self.namespace.into()]);
        self.db
            .query_all_raw(stmt)
            .await
            .with_context(|| format!("reading {what} from the PostgreSQL catalog"))
    }
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column)
        .with_context(|| format!("reading catalog column {column}"))
}

pub async fn introspect(db: &DatabaseConnection, namespace: &str) -> Result<Introspection> {
    let mut reader = Reader {
        db,
        namespace,
        queries: 0,
    };
    let mut schema = Schema::default();

    for row in reader.query("tables", TABLES).await? {
        let name: String = get(&row, "name")?;
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                comment: get(&row, "comment")?,
                ..Table::default()
            },
        );
    }

    // Column names by (table, number), to name the columns of keys and indexes.
    let mut numbered: std::collections::HashMap<(String, i32), String> = Default::default();
    for row in reader.query("columns", COLUMNS).await? {
        let table_name: String = get(&row, "table_name")?;
        numbered.insert(
            (table_name.clone(), get(&row, "attnum")?),
            get(&row, "name")?,
        );
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let default: Option<String> = get(&row, "default_expr")?;
        let identity: String = get(&row, "identity")?;
        let owns_sequence: bool = get(&row, "owns_sequence")?;
        let serial = owns_sequence
            && default
                .as_deref()
                .is_some_and(|d| d.starts_with("nextval("));
        let auto_increment = serial || !identity.is_empty();
        let typtype: String = get(&row, "typtype")?;
        let elem_typtype: Option<String> = get(&row, "elem_typtype")?;
        let enum_like = typtype == "e" || elem_typtype.as_deref() == Some("e");
        table.columns.push(Column {
            name: get(&row, "name")?,
            ty: parse_type(&get::<String>(&row, "type")?, enum_like),
            nullable: !get::<bool>(&row, "not_null")?,
            default: if auto_increment { None } else { default },
            comment: get(&row, "comment")?,
            auto_increment,
        });
    }

    for row in reader.query("constraints", CONSTRAINTS).await? {
        let table_name: String = get(&row, "table_name")?;
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let name: String = get(&row, "name")?;
        let name_all = |table: &str, attnums: Vec<i32>| -> Vec<String> {
            attnums
                .into_iter()
                .map(|n| {
                    numbered
                        .get(&(table.to_string(), n))
                        .cloned()
                        .unwrap_or_else(|| format!("#{n}"))
                })
                .collect()
        };
        let columns = name_all(
            &table_name,
            get::<Option<Vec<i32>>>(&row, "attnums")?.unwrap_or_default(),
        );
        match get::<String>(&row, "kind")?.as_str() {
            "p" => {
                table.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns,
                })
            }
            "u" => table.uniques.push(UniqueConstraint {
                name: Some(name),
                columns,
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns,
                ref_columns: match get::<Option<Vec<String>>>(&row, "foreign_ref_columns")? {
                    Some(names) => names,
                    None => name_all(
                        &get::<String>(&row, "ref_table")?,
                        get::<Option<Vec<i32>>>(&row, "ref_attnums")?.unwrap_or_default(),
                    ),
                },
                ref_table: get(&row, "ref_table")?,
                on_delete: fk_action(&get::<String>(&row, "on_delete")?),
                on_update: fk_action(&get::<String>(&row, "on_update")?),
            }),
            _ => {
                let definition: String =
                    get::<Option<String>>(&row, "definition")?.unwrap_or_default();
                let expression = definition
                    .strip_prefix("CHECK ")
                    .unwrap_or(&definition)
                    .to_string();
                table.checks.push(CheckConstraint {
                    name: Some(name),
                    expression,
                });
            }
        }
    }

    for row in reader.query("indexes", INDEXES).await? {
        let table_name: String = get(&row, "table_name")?;
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let keys: Vec<String> = get(&row, "keys")?;
        let attnums: Vec<i32> = get(&row, "attnums")?;
        let method: String = get(&row, "method")?;
        table.indexes.push(Index {
            name: get(&row, "name")?,
            keys: keys
                .into_iter()
                .zip(attnums)
                .map(|(key, attnum)| match attnum {
                    0 => IndexKey::Expression(key),
                    n => IndexKey::Column(
                        numbered
                            .get(&(table_name.clone(), n))
                            .cloned()
                            .unwrap_or_else(|| format!("#{n}")),
                    ),
                })
                .collect(),
            unique: get(&row, "is_unique")?,
            predicate: get(&row, "predicate")?,
            method: (method != "btree").then_some(method),
        });
    }

    for row in reader.query("enum types", ENUMS).await? {
        schema
            .enums
            .insert(get(&row, "name")?, get(&row, "labels")?);
    }

    for row in reader.query("sequences", SEQUENCES).await? {
        let name: String = get(&row, "name")?;
        schema.sequences.insert(
            name.clone(),
            Sequence {
                name,
                start: get(&row, "start")?,
                increment: get(&row, "increment")?,
                min_value: get(&row, "min_value")?,
                max_value: get(&row, "max_value")?,
                cycle: get(&row, "cycle")?,
            },
        );
    }

    Ok(Introspection {
        schema,
        queries: reader.queries,
    })
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
    use super::parse_type;
    use crate::schema::ColumnType as T;

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
