//! SQLite introspection from `sqlite_master` and the table-valued pragmas: five queries for the
//! whole database, joined over every table (`pragma_table_info(m.name)`), never one per table.
//!
//! The pragmas give columns, keys, foreign keys and index columns; what they leave out
//! (constraint names, checks, `AUTOINCREMENT`, index expressions and `WHERE`) is read from the
//! `CREATE` statements SQLite keeps. Names SQLite does not keep get PostgreSQL's defaults.

use super::{take_ident, unquote, Introspection};
use crate::naming;
use crate::normalize::{closing_paren, strip_parens};
use crate::objects::Unmodelled;
use crate::schema::{
    CheckConstraint, Column, ColumnType, Deferral, FkAction, ForeignKey, Generated, Index, IndexKey,
    KeyOptions, PrimaryKey, Schema, Table, Trigger, UniqueConstraint, View,
};
use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};
use std::collections::BTreeMap;

const TABLES: &str = "
SELECT name, sql FROM sqlite_master
WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY name";

const COLUMNS: &str = "
SELECT m.name AS table_name, p.name AS name, CAST(p.type AS BLOB) AS type,
       p.\"notnull\" AS not_null,
       p.dflt_value AS default_expr, p.pk AS pk, p.hidden AS hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid";

const FOREIGN_KEYS: &str = "
SELECT m.name AS table_name, p.id AS id, p.\"table\" AS ref_table, p.\"from\" AS from_col,
       p.\"to\" AS to_col, p.on_delete AS on_delete, p.on_update AS on_update
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.id, p.seq";

const INDEXES: &str = "
SELECT m.name AS table_name, il.name AS name, il.\"unique\" AS is_unique, il.origin AS origin,
       ix.sql AS sql, ii.name AS column_name
FROM sqlite_master m
JOIN pragma_index_list(m.name) il
JOIN pragma_index_info(il.name) ii
LEFT JOIN sqlite_master ix ON ix.type = 'index' AND ix.name = il.name
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, il.name, ii.seqno";

/// Views and triggers, as SQLite keeps their statements.
const OTHER_OBJECTS: &str = "
SELECT type, name, tbl_name, sql FROM sqlite_master
WHERE type IN ('view', 'trigger')
ORDER BY type, name";

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column)
        .with_context(|| format!("reading SQLite catalog column {column}"))
}

pub async fn introspect<C: ConnectionTrait>(db: &C) -> Result<Introspection> {
    let mut queries = 0;
    let mut query = |what: &'static str, sql: &'static str| {
        queries += 1;
        async move {
            db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await
                .with_context(|| format!("reading {what} from the SQLite catalog"))
        }
    };
    let tables = query("tables", TABLES).await?;
    let columns = query("columns", COLUMNS).await?;
    let foreign_keys = query("foreign keys", FOREIGN_KEYS).await?;
    let indexes = query("indexes", INDEXES).await?;
    let others = query("views and triggers", OTHER_OBJECTS).await?;

    let mut schema = Schema::default();
    let mut declared = BTreeMap::new();
    for row in tables {
        let name: String = get(&row, "name")?;
        let sql: String = get::<Option<String>>(&row, "sql")?.unwrap_or_default();
        declared.insert(name.clone(), Declared::parse(&name, &sql));
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                ..Table::default()
            },
        );
    }

    let mut pk_positions: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in columns {
        let table_name: String = get(&row, "table_name")?;
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let name: String = get(&row, "name")?;
        // `hidden`: 1 a virtual table's hidden column, 2 a virtual generated column, 3 a stored
        // one, whose expression only the `CREATE TABLE` text holds.
        let generated = match get::<i64>(&row, "hidden")? {
            1 => continue,
            hidden @ (2 | 3) => Some(Generated {
                expression: declared
                    .get(&table_name)
                    .and_then(|d| d.generated.get(&name).cloned())
                    .unwrap_or_default(),
                stored: hidden == 3,
            }),
            _ => None,
        };
        let pk: i64 = get(&row, "pk")?;
        if pk > 0 {
            pk_positions
                .entry(table_name.clone())
                .or_default()
                .push((pk, name.clone()));
        }
        // SQLite cuts a declared type it unquoted to the length of the quoted text, by bytes,
        // which can leave half a character: read bytes, keep what is text.
        let ty = String::from_utf8_lossy(&get::<Vec<u8>>(&row, "type")?).into_owned();
        let autoincrement = declared
            .get(&table_name)
            .is_some_and(|d| d.autoincrement.as_deref() == Some(name.as_str()));
        let ty = parse_type(&ty);
        let mut default: Option<String> = get(&row, "default_expr")?;
        // SQLite stores a quoted default of a boolean column as that text ('false' is not 0):
        // say so, so that it is not taken for the boolean PostgreSQL would make of it.
        if let (ColumnType::Boolean, Some(d)) = (&ty, &default) {
            if d.starts_with('\'') {
                default = Some(format!("CAST({d} AS TEXT)"));
            }
        }
        table.columns.push(Column {
            ty,
            nullable: get::<i64>(&row, "not_null")? == 0 && !autoincrement,
            default,
            comment: None,
            auto_increment: autoincrement,
            identity: None,
            generated,
            collation: declared
                .get(&table_name)
                .and_then(|d| d.collations.get(&name).cloned()),
            name,
        });
    }
    for (table_name, mut positions) in pk_positions {
        positions.sort();
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        table.primary_key = Some(PrimaryKey {
            name: Some(
                declared
                    .get(&table_name)
                    .and_then(|d| d.primary_key.clone())
                    .unwrap_or_else(|| naming::primary_key(&table_name)),
            ),
            columns: positions.into_iter().map(|(_, c)| c).collect(),
        });
    }

    // Rows of one foreign key share an id; they come in column order.
    let mut keys: BTreeMap<(String, i64), ForeignKey> = BTreeMap::new();
    for row in foreign_keys {
        let table_name: String = get(&row, "table_name")?;
        let id: i64 = get(&row, "id")?;
        let from: String = get(&row, "from_col")?;
        let to: Option<String> = get(&row, "to_col")?;
        let key = keys
            .entry((table_name.clone(), id))
            .or_default();
        key.ref_table = get(&row, "ref_table")?;
        key.on_delete = fk_action(&get::<String>(&row, "on_delete")?);
        key.on_update = fk_action(&get::<String>(&row, "on_update")?);
        key.columns.push(from);
        key.ref_columns.extend(to);
    }
    for ((table_name, _), mut key) in keys {
        // `REFERENCES t` without columns means t's primary key.
        if key.ref_columns.is_empty() {
            if let Some(target) = schema.tables.get(&key.ref_table) {
                key.ref_columns = target.primary_key_columns().to_vec();
            }
        }
        key.name = Some(
            declared
                .get(&table_name)
                .and_then(|d| d.named("FOREIGN KEY", &key.columns))
                .unwrap_or_else(|| naming::foreign_key(&table_name, &key.columns)),
        );
        key.deferral = declared
            .get(&table_name)
            .map(|d| d.deferral(&key.columns))
            .unwrap_or_default();
        if let Some(table) = schema.tables.get_mut(&table_name) {
            table.foreign_keys.push(key);
        }
    }

    let mut index_rows: BTreeMap<(String, String), IndexRows> = BTreeMap::new();
    for row in indexes {
        let table_name: String = get(&row, "table_name")?;
        let name: String = get(&row, "name")?;
        let entry = index_rows.entry((table_name, name)).or_insert((
            get::<i64>(&row, "is_unique")? != 0,
            get(&row, "origin")?,
            get(&row, "sql")?,
            Vec::new(),
        ));
        entry
            .3
            .push(get::<Option<String>>(&row, "column_name")?.unwrap_or_default());
    }
    for ((table_name, name), (unique, origin, sql, columns)) in index_rows {
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        match origin.as_str() {
            "u" => table.uniques.push(UniqueConstraint {
                name: Some(
                    declared
                        .get(&table_name)
                        .and_then(|d| d.named("UNIQUE", &columns))
                        .unwrap_or_else(|| naming::unique(&table_name, &columns)),
                ),
                columns,
                nulls_not_distinct: false,
            }),
            "c" => {
                let (keys, options, predicate) =
                    sql.as_deref().map(index_parts).unwrap_or_default();
                let mut index = Index {
                    name,
                    keys,
                    options,
                    unique,
                    predicate,
                    ..Index::default()
                };
                index.normalize_options();
                table.indexes.push(index);
            }
            _ => {} // the primary key's own index
        }
    }

    for (name, table) in schema.tables.iter_mut() {
        if let Some(d) = declared.get(name) {
            table.checks = d.checks.clone();
        }
    }
    for row in others {
        let name: String = get(&row, "name")?;
        let sql: Option<String> = get(&row, "sql")?;
        match get::<String>(&row, "type")?.as_str() {
            "view" => match sql.as_deref().and_then(crate::definitions::view_query) {
                Some(definition) => {
                    schema.views.insert(
                        name.clone(),
                        View {
                            name,
                            definition,
                            with_data: true,
                            ..View::default()
                        },
                    );
                }
                // A view whose statement is not read is still never left unsaid.
                None => schema.unmodelled.push(Unmodelled::new("view", &name)),
            },
            _ => {
                let Some(sql) = sql else { continue };
                let listed: String = get(&row, "tbl_name")?;
                // `DROP TABLE` drops a table's triggers: a rebuild makes them again.
                if let Some(t) = schema.tables.get_mut(&listed) {
                    t.sqlite_triggers.push(sql.clone());
                }
                // Named as the model names it: read from the statement by the same reader
                // (which folds unquoted names as PostgreSQL does), else as SQLite lists it.
                let (name, table) = match crate::definitions::trigger_head(&sql) {
                    Ok(head) => head,
                    Err(_) => (name, listed),
                };
                schema.triggers.insert(
                    (table.clone(), name.clone()),
                    Trigger {
                        table,
                        name,
                        definition: crate::definitions::trimmed(&sql),
                        function: None,
                    },
                );
            }
        }
    }
    schema.unmodelled.sort();
    Ok(Introspection {
        schema,
        exists: true,
        queries,
        batches: queries,
    })
}

/// One index's rows: unique, origin (`c`, `u`, `pk`), its `CREATE INDEX` and its columns.
type IndexRows = (bool, String, Option<String>, Vec<String>);

fn fk_action(text: &str) -> FkAction {
    match text.to_ascii_uppercase().as_str() {
        "RESTRICT" => FkAction::Restrict,
        "CASCADE" => FkAction::Cascade,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// A declared SQLite type to the model's type: the names opdb's SQLite DDL writes, plus
/// SQLite's own (`BLOB`, `DOUBLE`); anything else keeps its name.
pub fn parse_type(declared: &str) -> ColumnType {
    let t = declared.trim();
    if let Some(quoted) = t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return ColumnType::Other(quoted.replace("\"\"", "\""));
    }
    let lower = t.to_ascii_lowercase();
    if let Some(inner) = lower.strip_suffix(" array") {
        return ColumnType::Array(Box::new(parse_type(&t[..inner.len()])));
    }
    match lower.as_str() {
        "blob" => ColumnType::Bytea,
        "double" | "float" => ColumnType::Double,
        "" => ColumnType::Other(String::new()),
        _ => match super::postgres::parse_type(&lower, false) {
            ColumnType::Other(_) => ColumnType::Other(t.to_string()),
            known => known,
        },
    }
}

/// What a `CREATE TABLE` says that the pragmas do not.
#[derive(Debug, Default)]
pub(super) struct Declared {
    primary_key: Option<String>,
    /// (kind, columns, name) of each named `CONSTRAINT`.
    constraints: Vec<(String, Vec<String>, String)>,
    /// The columns of each table-level `FOREIGN KEY` that is `DEFERRABLE`, and how.
    deferrable: Vec<(Vec<String>, Deferral)>,
    checks: Vec<CheckConstraint>,
    autoincrement: Option<String>,
    /// Each generated column's expression.
    generated: BTreeMap<String, String>,
    /// Columns declared with a collation other than `BINARY`, SQLite's default.
    collations: BTreeMap<String, String>,
}

impl Declared {
    /// Reads the `CREATE TABLE` statement `sql` of table `table`.
    pub(super) fn parse(table: &str, sql: &str) -> Declared {
        let mut d = Declared::default();
        let Some(body) = paren_body(sql) else {
            return d;
        };
        for element in split_top_level(&body) {
            let element = element.as_str();
            let upper = element.to_ascii_uppercase();
            let (name, rest, rest_upper) = if upper.starts_with("CONSTRAINT ") {
                let after = element[11..].trim_start();
                let (name, rest) = take_ident(after);
                let rest = rest.trim_start();
                (Some(name), rest, rest.to_ascii_uppercase())
            } else {
                (None, element, upper.clone())
            };
            let kind = ["PRIMARY KEY", "UNIQUE", "FOREIGN KEY", "CHECK"]
                .into_iter()
                .find(|k| rest_upper.starts_with(k));
            match kind {
                Some("CHECK") => {
                    let expr = paren_body(rest).unwrap_or_default();
                    let n = d.checks.len() + 1;
                    d.checks.push(CheckConstraint {
                        name: Some(name.unwrap_or_else(|| naming::check(table, n))),
                        expression: strip_parens(&expr).to_string(),
                    });
                }
                Some(kind) => {
                    let columns: Vec<String> = paren_body(rest)
                        .map(|body| split_top_level(&body).iter().map(|c| unquote(c)).collect())
                        .unwrap_or_default();
                    if kind == "FOREIGN KEY" {
                        let deferral = deferral_of(rest);
                        if deferral != Deferral::NotDeferrable {
                            d.deferrable.push((columns.clone(), deferral));
                        }
                    }
                    if let Some(name) = name {
                        if kind == "PRIMARY KEY" {
                            d.primary_key = Some(name.clone());
                        }
                        d.constraints.push((kind.to_string(), columns, name));
                    }
                }
                None => {
                    // A column definition: its name, then its type and clauses.
                    let (column, rest) = take_ident(element);
                    if find_word(rest, "AUTOINCREMENT").is_some() {
                        d.autoincrement = Some(column.clone());
                    }
                    if let Some(at) = find_top_word(rest, "COLLATE") {
                        let (collation, _) = take_ident(&rest[at + 7..]);
                        if !collation.eq_ignore_ascii_case("BINARY") {
                            d.collations.insert(column.clone(), collation);
                        }
                    }
                    // `[GENERATED ALWAYS] AS (expr)`: the first `AS` outside parentheses (a
                    // CHECK's `CAST(x AS t)` is inside its own).
                    if let Some(at) = find_top_word(rest, "AS") {
                        if let Some(expr) = paren_body(&rest[at..]) {
                            d.generated
                                .insert(column.clone(), strip_parens(&expr).to_string());
                        }
                    }
                    if let Some(at) = find_word(rest, "CHECK") {
                        if let Some(expr) = paren_body(&rest[at..]) {
                            d.checks.push(CheckConstraint {
                                name: Some(naming::column_check(table, &column)),
                                expression: strip_parens(&expr).to_string(),
                            });
                        }
                    }
                }
            }
        }
        d
    }

    /// When the foreign key on `columns` is checked.
    fn deferral(&self, columns: &[String]) -> Deferral {
        self.deferrable
            .iter()
            .find(|(c, _)| c == columns)
            .map(|(_, d)| *d)
            .unwrap_or_default()
    }

    /// The name a `CONSTRAINT name KIND (columns)` clause gave.
    fn named(&self, kind: &str, columns: &[String]) -> Option<String> {
        self.constraints
            .iter()
            .find(|(k, c, _)| k == kind && c == columns)
            .map(|(_, _, n)| n.clone())
    }
}

/// The deferral a foreign key clause declares: `DEFERRABLE` not after `NOT`, then `INITIALLY
/// DEFERRED` (SQLite's default and `INITIALLY IMMEDIATE` check at once).
fn deferral_of(clause: &str) -> Deferral {
    let Some(at) = find_word(clause, "DEFERRABLE") else {
        return Deferral::NotDeferrable;
    };
    let last_word = clause[..at]
        .trim_end()
        .rsplit(|c: char| c.is_whitespace() || c == ')')
        .next()
        .unwrap_or_default();
    if last_word.eq_ignore_ascii_case("NOT") {
        return Deferral::NotDeferrable;
    }
    let after = &clause[at..];
    match find_word(after, "INITIALLY") {
        Some(i) if find_word(&after[i..], "DEFERRED").is_some() => Deferral::InitiallyDeferred,
        _ => Deferral::Deferrable,
    }
}

/// The keys and `WHERE` of a `CREATE INDEX` statement.
pub(super) fn index_parts(sql: &str) -> (Vec<IndexKey>, Vec<KeyOptions>, Option<String>) {
    let on = find_word(sql, "ON").unwrap_or(0);
    let Some((open, close)) = first_parens(&sql[on..]).map(|(o, c)| (o + on, c + on)) else {
        return (Vec::new(), Vec::new(), None);
    };
    let (keys, options) = split_top_level(&sql[open + 1..close])
        .iter()
        .map(|key| index_key(key))
        .unzip();
    let rest = &sql[close + 1..];
    let predicate = find_word(rest, "WHERE").map(|at| rest[at + 5..].trim().to_string());
    (keys, options, predicate)
}

/// One key of a `CREATE INDEX`: `"a" COLLATE NOCASE DESC`, `(lower(b)) ASC`.
fn index_key(text: &str) -> (IndexKey, KeyOptions) {
    // The key ends where its first option starts; options are looked for after a
    // parenthesized expression (`find_word` skips quoted text itself).
    let lead = text.len() - text.trim_start().len();
    let start = match text[lead..].starts_with('(') {
        true => closing_paren(text, lead).map_or(lead, |close| close + 1),
        false => lead,
    };
    let tail = &text[start..];
    let cut = ["COLLATE", "ASC", "DESC"]
        .iter()
        .filter_map(|w| find_word(tail, w))
        .min()
        .map_or(text.len(), |at| start + at);
    let (core, options) = (text[..cut].trim(), &text[cut..]);
    let mut o = KeyOptions {
        descending: find_word(options, "DESC").is_some(),
        ..KeyOptions::default()
    };
    if let Some(at) = find_word(options, "COLLATE") {
        let (name, _) = take_ident(&options[at + 7..]);
        o.collation = Some(name);
    }
    let key = if core.starts_with('(') {
        IndexKey::Expression(strip_parens(core).to_string())
    } else {
        IndexKey::Column(unquote(core))
    };
    (key, o)
}

/// The characters of SQL text `s` that are code, with their byte offsets: string literals,
/// quoted names (`"x"`, `` `x` ``, `[x]`) and comments are left out, so that parentheses,
/// commas and keywords inside them are not taken for structure.
fn code_chars(s: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let end: &[char] = match (c, next) {
            ('\'', _) => &['\''],
            ('"', _) => &['"'],
            ('`', _) => &['`'],
            ('[', _) => &[']'],
            ('-', Some('-')) => &['\n'],
            ('/', Some('*')) => &['*', '/'],
            _ => {
                out.push((i, c));
                continue;
            }
        };
        if end.len() == 2 {
            chars.next(); // the `*` of `/*`
        }
        // Skip to the end of the quoted text or comment (a doubled quote ends one quoted part
        // and starts the next, which comes to the same).
        let mut last = None;
        for (_, n) in chars.by_ref() {
            if end.len() == 1 && n == end[0]
                || end.len() == 2 && last == Some(end[0]) && n == end[1]
            {
                break;
            }
            last = Some(n);
        }
    }
    out
}

/// Where the word `word` (ASCII, any case) first appears as code in `s`, not inside a longer
/// name, a literal or a comment.
pub(super) fn find_word(s: &str, word: &str) -> Option<usize> {
    word_among(s, word, code_chars(s).into_iter().map(|(i, _)| i))
}

/// The first of the offsets `at` where `word` (any case) stands whole in `s`.
fn word_among(s: &str, word: &str, mut at: impl Iterator<Item = usize>) -> Option<usize> {
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    at.find(|&i| {
        s.get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
            && !ident(s[..i].chars().next_back())
            && !ident(s[i + word.len()..].chars().next())
    })
}

/// Where `word` (any case, whole) first stands in `s` outside quotes and parentheses.
fn find_top_word(s: &str, word: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut at_top = Vec::new();
    for (i, c) in code_chars(s) {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => at_top.push(i),
            _ => {}
        }
    }
    word_among(s, word, at_top.into_iter())
}

/// The byte offsets of the first code parenthesis of `s` and of the one closing it.
fn first_parens(s: &str) -> Option<(usize, usize)> {
    let mut open = None;
    let mut depth = 0usize;
    for (i, c) in code_chars(s) {
        match c {
            '(' => {
                open.get_or_insert(i);
                depth += 1;
            }
            ')' if open.is_some() => {
                depth -= 1;
                if depth == 0 {
                    return open.map(|o| (o, i));
                }
            }
            _ => {}
        }
    }
    None
}

/// The text inside the first parentheses of `s`.
pub(super) fn paren_body(s: &str) -> Option<String> {
    let (open, close) = first_parens(s)?;
    Some(s[open + 1..close].to_string())
}

/// `s` split at code commas outside parentheses, each part trimmed.
pub(super) fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in code_chars(s) {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(s[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s[start..].trim().is_empty() {
        parts.push(s[start..].trim().to_string());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_table_clauses_are_read() {
        let d = Declared::parse(
            "visit",
            "CREATE TABLE \"visit\" (\n    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \
             n VARCHAR(8) CHECK (length(n) > 0),\n    CONSTRAINT visit_n_key UNIQUE (n),\n    \
             CONSTRAINT positive CHECK ((id > 0))\n)",
        );
        assert_eq!(d.autoincrement.as_deref(), Some("id"));
        assert_eq!(
            d.named("UNIQUE", &["n".into()]).as_deref(),
            Some("visit_n_key")
        );
        let checks: Vec<_> = d
            .checks
            .iter()
            .map(|c| (c.name.clone().unwrap(), c.expression.clone()))
            .collect();
        assert_eq!(
            checks,
            [
                ("visit_n_check".to_string(), "length(n) > 0".to_string()),
                ("positive".to_string(), "id > 0".to_string())
            ]
        );
        let (keys, _, predicate) =
            index_parts("CREATE UNIQUE INDEX ix ON t (a, (lower(b))) WHERE a IS NOT NULL");

        assert_eq!(
            keys,
            [
                IndexKey::Column("a".into()),
                IndexKey::Expression("lower(b)".into())
            ]
        );
        assert_eq!(predicate.as_deref(), Some("a IS NOT NULL"));
        assert_eq!(
            parse_type("REAL ARRAY"),
            ColumnType::Array(Box::new(ColumnType::Real))
        );
        assert_eq!(parse_type("\"Mood\""), ColumnType::Other("Mood".into()));
        assert_eq!(
            parse_type("NUMERIC(10, 2)"),
            ColumnType::Numeric(Some((10, 2)))
        );
        let (keys, options, _) = index_parts(
            "CREATE INDEX ix ON t (\"desc\" DESC, (lower(b)) COLLATE NOCASE, c ASC, \"x y\" COLLATE \"C\" DESC)",
        );
        assert_eq!(
            keys,
            [
                IndexKey::Column("desc".into()),
                IndexKey::Expression("lower(b)".into()),
                IndexKey::Column("c".into()),
                IndexKey::Column("x y".into()),
            ]
        );
        let desc = |d: bool, c: Option<&str>| KeyOptions {
            descending: d,
            collation: c.map(String::from),
            ..KeyOptions::default()
        };
        assert_eq!(
            options,
            [
                desc(true, None),
                desc(false, Some("NOCASE")),
                desc(false, None),
                desc(true, Some("C")),
            ]
        );
    }
}
