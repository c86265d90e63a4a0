//! SQLite DDL.
//!
//! Types SQLite lacks map to declared types that keep their meaning for readers and for
//! introspection: `timestamptz` is `TIMESTAMPTZ` (ISO-8601 text), `jsonb` is `JSONB` and `json`
//! is `JSON` (JSON text), arrays are `<ELEMENT> ARRAY` (a JSON array as text), enums are their
//! type name (text). Serial keys are `INTEGER PRIMARY KEY AUTOINCREMENT`. Comments and enum
//! types have no SQLite form and live in the model only.
//!
//! SQLite's `ALTER TABLE` can add, drop and rename columns and rename tables; everything else
//! (types, nullability, defaults, keys, foreign keys, checks) rebuilds the table: create the
//! new table, copy the rows and the `AUTOINCREMENT` high-water mark, drop the old one, rename,
//! recreate the indexes. The runner defers foreign-key checks to the end of the revision's
//! transaction so that no row is refused midway. A rebuild needs the whole table, not only the
//! column or key an op carries (`existing`), so it is read from the model before the op.
//!
//! A run of ops on one table ([`render_run`]) is one rebuild, copying the rows once: each
//! column of the table the run leaves is traced back to its column (or `USING` expression) in
//! the table before it.

use super::{constraint_lines, create_index, ident, literal};
use crate::apply::apply;
use crate::ops::{Change, Op};
use crate::schema::{Column, ColumnType, Function, Schema, Sequence, Table, View};
use anyhow::{anyhow, Result};

pub fn type_sql(ty: &ColumnType) -> String {
    use ColumnType::*;
    match ty {
        SmallInt => "SMALLINT".into(),
        Integer => "INTEGER".into(),
        BigInt => "BIGINT".into(),
        Real => "REAL".into(),
        Double => "DOUBLE PRECISION".into(),
        Numeric(None) => "NUMERIC".into(),
        Numeric(Some((p, s))) => format!("NUMERIC({p}, {s})"),
        Varchar(None) => "VARCHAR".into(),
        Varchar(Some(n)) => format!("VARCHAR({n})"),
        Char(None) => "CHAR".into(),
        Char(Some(n)) => format!("CHAR({n})"),
        Text => "TEXT".into(),
        Boolean => "BOOLEAN".into(),
        Date => "DATE".into(),
        Time => "TIME".into(),
        Timestamp => "TIMESTAMP".into(),
        TimestampTz => "TIMESTAMPTZ".into(),
        Interval => "INTERVAL".into(),
        Json => "JSON".into(),
        Jsonb => "JSONB".into(),
        Uuid => "UUID".into(),
        Bytea => "BLOB".into(),
        Array(inner) => format!("{} ARRAY", type_sql(inner)),
        Enum(name) => ident(name),
        Other(s) => s.clone(),
    }
}

/// Whether this column is the table's `INTEGER PRIMARY KEY AUTOINCREMENT`.
fn is_rowid_serial(t: &Table, c: &Column) -> bool {
    c.auto_increment && t.primary_key_columns() == [c.name.clone()]
}

fn column_sql(t: &Table, c: &Column) -> String {
    if is_rowid_serial(t, c) {
        return format!(
            "{} INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT",
            ident(&c.name)
        );
    }
    let mut s = format!("{} {}", ident(&c.name), type_sql(&c.ty));
    if let Some(collation) = c.collation.as_deref().filter(|c| !is_binary(c)) {
        s.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        s.push_str(&format!(" DEFAULT ({default})"));
    }
    if let Some(generated) = &c.generated {
        s.push_str(&super::generated_sql(generated));
    }
    s
}

fn create_table_as(t: &Table, name: &str) -> String {
    let mut lines: Vec<String> = t.columns.iter().map(|c| column_sql(t, c)).collect();
    let serial_pk = t.columns.iter().any(|c| is_rowid_serial(t, c));
    // SQLite has no schemas: a key into another schema is a key into the one file. Nor has
    // it NULLS NOT DISTINCT: there a unique key lets rows with null keys through.
    let mut local = t.clone();
    for key in &mut local.foreign_keys {
        key.ref_schema = None;
    }
    for unique in &mut local.uniques {
        unique.nulls_not_distinct = false;
    }
    lines.extend(constraint_lines(&local, !serial_pk));
    format!(
        "CREATE TABLE {} (\n    {}\n)",
        ident(name),
        lines.join(",\n    ")
    )
}

pub fn create_table(t: &Table) -> Vec<String> {
    let mut out = vec![create_table_as(t, &t.name)];
    out.extend(t.indexes.iter().map(|i| create_index(&t.name, i, false)));
    out
}

/// The table after `op`, rebuilt from the table before it. `sources` maps each new column to
/// the SQL that fills it from the old table; columns it leaves out get their default.
fn rebuild(before: &Table, after: &Table, sources: &[(String, String)]) -> Vec<String> {
    let temp = format!("_opdb_new_{}", after.name);
    let mut out = vec![create_table_as(after, &temp)];
    let (cols, exprs): (Vec<String>, Vec<String>) = sources
        .iter()
        .map(|(col, expr)| (ident(col), expr.clone()))
        .unzip();
    if !cols.is_empty() {
        out.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            ident(&temp),
            cols.join(", "),
            exprs.join(", "),
            ident(&before.name)
        ));
    }
    // The copy leaves the new table's `sqlite_sequence` row at the highest id copied, so the
    // ids of deleted last rows would come back: carry the old table's row over instead. Its
    // own row goes with `DROP TABLE`, and `RENAME` renames the new table's row.
    if after.columns.iter().any(|c| is_rowid_serial(after, c)) {
        out.push(format!(
            "DELETE FROM sqlite_sequence WHERE name = {}",
            literal(&temp)
        ));
        out.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence \
             WHERE name = {}",
            literal(&temp),
            literal(&before.name)
        ));
    }
    out.push(format!("DROP TABLE {}", ident(&before.name)));
    // Since SQLite 3.26 a rename checks every view and trigger of the schema, and those that
    // read the table just dropped fail it ("error in view v: no such table"); the legacy rename
    // leaves them as written, reading the table again once it has its name back.
    out.push("PRAGMA legacy_alter_table = ON".into());
    out.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        ident(&temp),
        ident(&after.name)
    ));
    out.push("PRAGMA legacy_alter_table = OFF".into());
    out.extend(
        after
            .indexes
            .iter()
            .map(|i| create_index(&after.name, i, false)),
    );
    // `DROP TABLE` dropped the table's triggers: make them again, as SQLite had them (one that
    // reads a column the rebuild removed fails here, and the revision with it).
    out.extend(before.sqlite_triggers.iter().cloned());
    out
}

/// Where a column of the table after an op takes its values from, in the table before it.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Column(String),
    /// An expression over the old table's columns (an alter's `USING`).
    Expr(String),
}

impl Source {
    fn sql(&self) -> String {
        match self {
            Source::Column(c) => ident(c),
            Source::Expr(e) => e.clone(),
        }
    }
}

/// Every column of `new` that `op` carries over from `old`, with where its values come from:
/// columns of the same name keep theirs, an altered column takes its old column's or its
/// `USING` expression's (or, for [`ColumnChange::cast`](crate::ops::ColumnChange::cast), a
/// `CAST` to its new type). Columns left out (added ones) get their default. A `USING` in
/// PostgreSQL's own syntax (`::`) is refused rather than pasted into SQLite's SQL.
fn sources(op: &Op, old: &Table, new: &Table) -> Result<Vec<(String, Source)>> {
    // A generated column of the new table computes its own values: it is never copied into.
    let mut out: Vec<(String, Source)> = new
        .columns
        .iter()
        .filter(|c| old.column(&c.name).is_some() && c.generated.is_none())
        .map(|c| (c.name.clone(), Source::Column(c.name.clone())))
        .collect();
    if let Op::AlterColumn { column, change, .. } = op {
        let new_name = change.rename.or(column);
        out.retain(|(c, _)| c != new_name);
        let from = match (&change.using, change.cast, change.ty.as_set()) {
            (Some(using), _, _) if has_double_colon(using) => anyhow::bail!(
                "the change of {}.{column} converts values with PostgreSQL's `USING {using}`, \
                 which SQLite cannot run: write it with CAST(x AS type), or use .cast() for \
                 a plain cast to the new type",
                old.name
            ),
            (Some(using), _, _) => Source::Expr(using.clone()),
            (None, true, Some(ty)) => {
                Source::Expr(format!("CAST({} AS {})", ident(column), type_sql(ty)))
            }
            _ => Source::Column(column.clone()),
        };
        if new.column(new_name).is_some_and(|c| c.generated.is_none()) {
            out.push((new_name.to_string(), from));
        }
    }
    Ok(out)
}

/// Whether a collation orders by bytes, as SQLite's default `BINARY` does (PostgreSQL's `C`
/// and `POSIX` do too).
pub(crate) fn is_binary(collation: &str) -> bool {
    ["BINARY", "C", "POSIX"]
        .iter()
        .any(|b| collation.eq_ignore_ascii_case(b))
}

/// Whether `sql` holds PostgreSQL's `::` cast outside quotes.
fn has_double_colon(sql: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut last = ' ';
    for ch in sql.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == ':' && last == ':' => return true,
            None => {}
        }
        last = if quote.is_some() { ' ' } else { ch };
    }
    false
}

/// The rebuild from `old` to `new`, filling the columns from `sources`.
fn rebuild_with(old: &Table, new: &Table, sources: &[(String, Source)]) -> Result<Vec<String>> {
    let sources: Vec<(String, String)> = sources
        .iter()
        .map(|(c, source)| (c.clone(), source.sql()))
        .collect();
    Ok(rebuild(old, new, &sources))
}

fn table<'a>(schema: &'a Schema, name: &str) -> Result<&'a Table> {
    schema
        .tables
        .get(name)
        .ok_or_else(|| anyhow!("no table {name}"))
}

/// Whether `op` needs its table rebuilt: SQLite's `ALTER TABLE` cannot do it in place.
pub(crate) fn needs_rebuild(op: &Op, before: &Schema) -> Result<bool> {
    Ok(match op {
        // SQLite adds a column in place only when it can fill the rows: nullable or with a
        // default, and computed when read (a STORED one needs its values written).
        Op::AddColumn { column, .. } => {
            !((column.nullable || column.default.is_some()) && !column.auto_increment)
                || column.generated.as_ref().is_some_and(|g| g.stored)
        }
        Op::DropColumn {
            table: name,
            column,
            ..
        } => {
            let old = table(before, name)?;
            old.primary_key_columns().contains(column)
                || old.uniques.iter().any(|u| u.columns.contains(column))
                || old.foreign_keys.iter().any(|f| f.columns.contains(column))
                || old
                    .indexes
                    .iter()
                    .any(|i| i.plain_columns().is_none_or(|cols| cols.contains(column)))
        }
        Op::AlterColumn { change, .. } => {
            change.ty.is_set()
                || change.collation.is_set()
                || change.drop_expression
                || change.nullable.is_set()
                || change.default.is_set()
                || change.auto_increment.is_set()
        }
        Op::CreatePrimaryKey { .. }
        | Op::DropPrimaryKey { .. }
        | Op::CreateUnique { .. }
        | Op::CreateForeignKey { .. }
        | Op::CreateCheck { .. }
        | Op::DropConstraint { .. }
        | Op::RenameConstraint { .. } => true,
        _ => false,
    })
}

/// The statements of `op`, given the schema before it.
pub fn render(op: &Op, before: &Schema) -> Result<Vec<String>> {
    if op.is_online_form() {
        let plain = op.plain_form(before)?.unwrap_or_default();
        return render_run(&plain.iter().collect::<Vec<_>>(), before);
    }
    if let (Some(name), true) = (op.changed_table(), needs_rebuild(op, before)?) {
        let old = table(before, name)?;
        let mut after = before.clone();
        apply(&mut after, op)?;
        let new = table(&after, name)?;
        return rebuild_with(old, new, &sources(op, old, new)?);
    }
    let alter = |t: &str, what: String| format!("ALTER TABLE {} {what}", ident(t));
    Ok(match op {
        Op::CreateTable(t) => create_table(t),
        Op::DropTable { table, .. } => vec![format!("DROP TABLE {}", ident(table))],
        Op::RenameTable { from, to } => vec![alter(from, format!("RENAME TO {}", ident(to)))],
        Op::AddColumn {
            table: name,
            column,
        } => vec![alter(
            name,
            format!("ADD COLUMN {}", column_sql(table(before, name)?, column)),
        )],
        Op::DropColumn { table, column, .. } => {
            vec![alter(table, format!("DROP COLUMN {}", ident(column)))]
        }
        Op::AlterColumn {
            table,
            column,
            change,
            ..
        } => match &change.rename {
            Change::Set(to) => vec![alter(
                table,
                format!("RENAME COLUMN {} TO {}", ident(column), ident(to)),
            )],
            Change::Keep => Vec::new(), // a comment change: nothing to store
        },
        // `needs_rebuild` sends every key and check change to a rebuild, above.
        Op::CreatePrimaryKey { table, .. }
        | Op::DropPrimaryKey { table, .. }
        | Op::CreateUnique { table, .. }
        | Op::CreateForeignKey { table, .. }
        | Op::CreateCheck { table, .. }
        | Op::DropConstraint { table, .. }
        | Op::RenameConstraint { table, .. } => {
            anyhow::bail!("a key or check of {table} can only change by a rebuild")
        }
        // SQLite cannot rename an index: it is made again under its new name.
        Op::RenameIndex { table: name, from, to } => {
            let index = table(before, name)?
                .indexes
                .iter()
                .find(|i| i.name == *from)
                .ok_or_else(|| anyhow!("table {name} has no index {from}"))?;
            let renamed = crate::schema::Index {
                name: to.clone(),
                ..index.clone()
            };
            vec![
                format!("DROP INDEX {}", ident(from)),
                create_index(name, &renamed, false),
            ]
        }
        Op::CreateIndex { table, index } => vec![create_index(table, index, false)],
        Op::DropIndex { name, .. } => vec![format!("DROP INDEX {}", ident(name))],
        // Enum columns are text on SQLite, so their types need nothing stored.
        Op::SetTableComment { .. }
        | Op::CreateEnum { .. }
        | Op::DropEnum { .. }
        | Op::AlterEnum { .. } => Vec::new(),
        Op::CreateSequence(Sequence { name, .. })
        | Op::DropSequence { name }
        | Op::AlterSequence(Sequence { name, .. }) => {
            anyhow::bail!("SQLite has no sequences (sequence {name}): use PostgreSQL")
        }
        Op::CreateView(view) if !view.materialized => vec![format!(
            "CREATE VIEW {} AS\n{}",
            ident(&view.name),
            view.definition
        )],
        Op::ReplaceView { view, .. } => vec![
            format!("DROP VIEW {}", ident(&view.name)),
            format!("CREATE VIEW {} AS\n{}", ident(&view.name), view.definition),
        ],
        Op::DropView {
            name,
            materialized: false,
            ..
        } => vec![format!("DROP VIEW {}", ident(name))],
        Op::CreateView(View { name, .. }) | Op::DropView { name, .. } => anyhow::bail!(
            "SQLite has no materialized views (materialized view {name}): use PostgreSQL, or \
             a plain view"
        ),
        Op::CreateFunction(Function { name, .. })
        | Op::ReplaceFunction {
            function: Function { name, .. },
            ..
        }
        | Op::DropFunction { name, .. } => anyhow::bail!(
            "SQLite has no SQL functions (function {name}): use PostgreSQL"
        ),
        // SQLite keeps no comments.
        Op::SetComment { .. } => Vec::new(),
        Op::CreateTrigger(t) => vec![t.definition.clone()],
        Op::DropTrigger { name, .. } => vec![format!("DROP TRIGGER {}", ident(name))],
        Op::Execute { sql } => vec![sql.clone()],
        // Taken as their plain forms above.
        Op::CreateIndexConcurrently { .. }
        | Op::DropIndexConcurrently { .. }
        | Op::CreateForeignKeyNotValid { .. }
        | Op::CreateCheckNotValid { .. }
        | Op::ValidateConstraint { .. }
        | Op::CreateUniqueUsingIndex { .. } => Vec::new(),
    })
}

/// The statements of a run of ops on one table ([`crate::ops::table_runs`]), given the schema
/// before them: where any of them needs a rebuild, one rebuild does them all (alembic's batch
/// mode), copying the rows once. The run is cut where an alter's `USING` expression would
/// have to read a column an earlier op of the run renamed, added or computed.
pub fn render_run(ops: &[&Op], before: &Schema) -> Result<Vec<String>> {
    // PostgreSQL's online forms are their plain ops here (SQLite locks the whole file to write
    // anyway): a run holding one is rendered as the plain run.
    if ops.iter().any(|op| op.is_online_form()) {
        let mut model = before.clone();
        let mut plain = Vec::new();
        for op in ops {
            match op.plain_form(&model)? {
                Some(ops) => plain.extend(ops),
                None => plain.push((*op).clone()),
            }
            apply(&mut model, op)?;
        }
        return render_run(&plain.iter().collect::<Vec<_>>(), before);
    }
    let [first, rest @ ..] = ops else {
        return Ok(Vec::new());
    };
    let Some(name) = first.changed_table().filter(|_| !rest.is_empty()) else {
        return ops.iter().try_fold(Vec::new(), |mut out, op| {
            out.extend(render(op, before)?);
            Ok(out)
        });
    };
    let mut model = before.clone();
    let mut out = Vec::new();
    let mut segment = Segment::new(table(&model, name)?);
    for op in ops {
        let old = table(&model, name)?.clone();
        let in_place = match needs_rebuild(op, &model)? {
            true => None,
            false => Some(render(op, &model)?),
        };
        apply(&mut model, op)?;
        let new = table(&model, name)?;
        let step = sources(op, &old, new)?;
        if !segment.takes(&step) {
            out.extend(segment.finish(&old)?);
            segment = Segment::new(&old);
        }
        segment.add(step, in_place);
    }
    out.extend(segment.finish(table(&model, name)?)?);
    Ok(out)
}

/// Ops of a run done together: by one rebuild from `start` when any needs one, else by their
/// own statements.
struct Segment {
    start: Table,
    /// Each column of the table as the segment leaves it, and its source in `start`.
    columns: Vec<(String, Option<Source>)>,
    /// The ops' own statements, while none needs a rebuild.
    in_place: Option<Vec<String>>,
}

impl Segment {
    fn new(start: &Table) -> Segment {
        let columns = start
            .columns
            .iter()
            .map(|c| (c.name.clone(), Some(Source::Column(c.name.clone()))))
            .collect();
        Segment {
            start: start.clone(),
            columns,
            in_place: Some(Vec::new()),
        }
    }

    /// Whether an op whose columns come from `step` can join: an expression reads the
    /// columns before the op, which must be `start`'s own, unrenamed and uncomputed.
    fn takes(&self, step: &[(String, Source)]) -> bool {
        let plain = self
            .columns
            .iter()
            .all(|(c, source)| source.as_ref() == Some(&Source::Column(c.clone())));
        plain || !step.iter().any(|(_, s)| matches!(s, Source::Expr(_)))
    }

    fn add(&mut self, step: Vec<(String, Source)>, in_place: Option<Vec<String>>) {
        self.columns = step
            .into_iter()
            .map(|(c, source)| {
                let from = match source {
                    Source::Column(old) => self
                        .columns
                        .iter()
                        .find(|(name, _)| *name == old)
                        .and_then(|(_, s)| s.clone()),
                    expr => Some(expr),
                };
                (c, from)
            })
            .collect();
        self.in_place = match (self.in_place.take(), in_place) {
            (Some(mut all), Some(sqls)) => {
                all.extend(sqls);
                Some(all)
            }
            _ => None,
        };
    }

    /// The segment's statements, given the table as it leaves it.
    fn finish(self, end: &Table) -> Result<Vec<String>> {
        match self.in_place {
            Some(sqls) => Ok(sqls),
            None => {
                let sources: Vec<(String, Source)> = self
                    .columns
                    .into_iter()
                    .filter_map(|(c, s)| Some((c, s?)))
                    .collect();
                rebuild_with(&self.start, end, &sources)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::{ColumnChange, Existing, Op};
    use crate::schema::{Column, ColumnType, PrimaryKey, Schema, Table};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    fn column(name: &str, nullable: bool, auto_increment: bool) -> Column {
        Column {
            name: name.into(),
            ty: ColumnType::Integer,
            nullable,
            default: None,
            comment: None,
            auto_increment,
            identity: None,
            generated: None,
            collation: None,
        }
    }

    /// A `USING` in PostgreSQL's syntax is refused, not pasted into SQLite's rebuild; a plain
    /// `.cast()` is written as SQLite's `CAST`.
    #[test]
    fn a_postgresql_using_is_not_pasted_into_sqlite() {
        let table = Table {
            name: "t".into(),
            columns: vec![Column {
                ty: ColumnType::Text,
                ..column("n", true, false)
            }],
            ..Table::default()
        };
        let mut before = Schema::default();
        before.tables.insert("t".into(), table);
        let alter = |change: ColumnChange| Op::AlterColumn {
            table: "t".into(),
            column: "n".into(),
            change: change.ty(ColumnType::Integer),
            existing: Existing::unknown(),
        };
        let refused = super::render(&alter(ColumnChange::new().using("n::integer")), &before);
        let error = refused.unwrap_err().to_string();
        assert!(error.contains("USING n::integer"), "{error}");
        let quoted = super::render(&alter(ColumnChange::new().using("n || '::'")), &before);
        assert!(quoted.is_ok(), "{quoted:?}");
        let cast = super::render(&alter(ColumnChange::new().cast()), &before).unwrap();
        assert!(
            cast.iter().any(|s| s.contains("CAST(n AS INTEGER)")),
            "{cast:?}"
        );
    }

    /// A rebuild copies the rows into a new table, whose `sqlite_sequence` row would start from
    /// the highest id copied: the id of a deleted last row would come back.
    #[tokio::test]
    async fn a_rebuild_keeps_the_autoincrement_high_water_mark() {
        let file = std::env::temp_dir().join(format!("opdb-rebuild-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let db = crate::db::connect(&url).await.unwrap();
        let table = Table {
            name: "visit".into(),
            columns: vec![column("id", false, true), column("n", false, false)],
            primary_key: Some(PrimaryKey {
                name: Some("visit_pkey".into()),
                columns: vec!["id".into()],
            }),
            ..Table::default()
        };
        let empty = Schema::default();
        let create = [Op::CreateTable(table.clone())];
        let run = |from: Schema, ops: Vec<Op>| {
            let db = &db;
            async move {
                let sql = crate::ddl::script(DbBackend::Sqlite, &from, &ops).unwrap();
                db.execute_unprepared(&sql).await.unwrap();
            }
        };
        run(empty.clone(), create.to_vec()).await;
        db.execute_unprepared(
            "INSERT INTO visit (n) VALUES (1), (2), (3); DELETE FROM visit WHERE id = 3;",
        )
        .await
        .unwrap();

        let mut before = empty;
        crate::apply::apply(&mut before, &create[0]).unwrap();
        let alter = Op::AlterColumn {
            table: "visit".into(),
            column: "n".into(),
            change: ColumnChange::new().nullable(true),
            existing: Existing::unknown(),
        };
        let statements = super::render(&alter, &before).unwrap();
        assert!(
            statements.iter().any(|s| s.starts_with("DROP TABLE")),
            "{statements:?}"
        );
        run(before, vec![alter]).await;

        db.execute_unprepared("INSERT INTO visit (n) VALUES (NULL)")
            .await
            .unwrap();
        let ids: Vec<i64> = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id FROM visit ORDER BY id",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("", "id").unwrap())
            .collect();
        let sequences: Vec<(String, i64)> = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name, seq FROM sqlite_sequence ORDER BY name",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row.try_get("", "name").unwrap(),
                    row.try_get("", "seq").unwrap(),
                )
            })
            .collect();
        db.close().await.ok();
        let _ = std::fs::remove_file(&file);
        assert_eq!(ids, [1, 2, 4]);
        assert_eq!(sequences, [("visit".to_string(), 4)]);
    }
}
