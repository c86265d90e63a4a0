//! PostgreSQL DDL.
//!
//! One op, one or more statements, each `ALTER TABLE` changing one thing: the statements are
//! what tests and `--sql` scripts show, so alters of one table are not merged into one.

use super::{
    constraint_lines, constraint_name, create_index, foreign_key_clause, ident, idents, literal,
};
use crate::ops::{Change, Op};
use crate::schema::{Column, ColumnType, Schema, Sequence, Table};
use anyhow::Result;

/// The type as PostgreSQL spells it; serial columns become `serial`/`bigserial`.
pub fn type_sql(ty: &ColumnType, auto_increment: bool) -> String {
    match (ty, auto_increment) {
        (ColumnType::SmallInt, true) => "smallserial".into(),
        (ColumnType::Integer, true) => "serial".into(),
        (ColumnType::BigInt, true) => "bigserial".into(),
        (ColumnType::Enum(name), _) => ident(name),
        (ColumnType::Array(inner), _) => format!("{}[]", type_sql(inner, false)),
        (ty, _) => ty.to_string(),
    }
}

fn column_sql(c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), type_sql(&c.ty, c.auto_increment));
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        s.push_str(&format!(" DEFAULT {default}"));
    }
    s
}

fn comment_sql(table: &str, column: Option<&str>, comment: Option<&str>) -> String {
    let target = match column {
        Some(c) => format!("COLUMN {}.{}", ident(table), ident(c)),
        None => format!("TABLE {}", ident(table)),
    };
    let text = comment.map(literal).unwrap_or_else(|| "NULL".into());
    format!("COMMENT ON {target} IS {text}")
}

/// `CREATE TABLE` with its keys and checks, then its comments and indexes.
pub fn create_table(t: &Table) -> Vec<String> {
    let mut lines: Vec<String> = t.columns.iter().map(column_sql).collect();
    lines.extend(constraint_lines(t, true));
    let mut out = vec![format!(
        "CREATE TABLE {} (\n    {}\n)",
        ident(&t.name),
        lines.join(",\n    ")
    )];
    if t.comment.is_some() {
        out.push(comment_sql(&t.name, None, t.comment.as_deref()));
    }
    for c in t.columns.iter().filter(|c| c.comment.is_some()) {
        out.push(comment_sql(&t.name, Some(&c.name), c.comment.as_deref()));
    }
    for index in &t.indexes {
        out.push(create_index(&t.name, index, true));
    }
    out
}

fn sequence_options(s: &Sequence) -> String {
    format!(
        "INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} {}",
        s.increment,
        s.min_value,
        s.max_value,
        s.start,
        if s.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// Recreates enum type `name` with `labels`: the old type is renamed away, every column of it
/// (or of an array of it) in any table is converted through text, and the old type is dropped.
/// The columns are found in the catalog when the statement runs, so columns made by raw SQL
/// are converted too; typed defaults are set aside during the conversion and put back.
fn alter_enum(name: &str, labels: &[String]) -> Vec<String> {
    let old = format!("{name}_opdb_old");
    let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
    vec![
        format!("ALTER TYPE {} RENAME TO {}", ident(name), ident(&old)),
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            ident(name),
            labels.join(", ")
        ),
        format!(
            "DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT n.nspname, c.relname, a.attname, a.atttypid = {old_lit}::regtype AS scalar,
               pg_get_expr(d.adbin, d.adrelid) AS dflt
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.atttypid IN ({old_lit}::regtype, {old_array}::regtype)
          AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I DROP DEFAULT',
                           col.nspname, col.relname, col.attname);
        END IF;
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s USING %I::%s::%s',
                       col.nspname, col.relname, col.attname,
                       CASE WHEN col.scalar THEN {new} ELSE {new_array} END,
                       col.attname,
                       CASE WHEN col.scalar THEN 'text' ELSE 'text[]' END,
                       CASE WHEN col.scalar THEN {new} ELSE {new_array} END);
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT %s',
                           col.nspname, col.relname, col.attname,
                           replace(col.dflt, {old_lit}, {new}));
        END IF;
    END LOOP;
END $$",
            old_lit = literal(&ident(&old)),
            old_array = literal(&format!("{}[]", ident(&old))),
            new = literal(&ident(name)),
            new_array = literal(&format!("{}[]", ident(name))),
        ),
        format!("DROP TYPE {}", ident(&old)),
    ]
}

/// Makes `table.column` serial (a sequence it owns, numbering on from the largest value) or
/// plain (dropping its sequence, whatever it is called).
fn alter_serial(table: &str, column: &str, ty: &ColumnType, serial: bool) -> Vec<String> {
    let alter = |what: String| {
        format!(
            "ALTER TABLE {} ALTER COLUMN {} {what}",
            ident(table),
            ident(column)
        )
    };
    if serial {
        let sequence = crate::naming::serial_sequence(table, column);
        vec![
            format!(
                "CREATE SEQUENCE {} AS {} OWNED BY {}.{}",
                ident(&sequence),
                type_sql(ty, false),
                ident(table),
                ident(column)
            ),
            alter(format!(
                "SET DEFAULT nextval({})",
                literal(&ident(&sequence))
            )),
            format!(
                "SELECT setval({}, COALESCE(MAX({}), 0) + 1, false) FROM {}",
                literal(&ident(&sequence)),
                ident(column),
                ident(table)
            ),
        ]
    } else {
        vec![
            alter("DROP DEFAULT".into()),
            format!(
                "DO $$ BEGIN EXECUTE 'DROP SEQUENCE ' || pg_get_serial_sequence({}, {}); END $$",
                literal(&ident(table)),
                literal(column)
            ),
        ]
    }
}

pub fn render(op: &Op, before: &Schema) -> Result<Vec<String>> {
    let alter = |table: &str, what: String| format!("ALTER TABLE {} {what}", ident(table));
    Ok(match op {
        Op::CreateTable(t) => create_table(t),
        Op::DropTable { table, .. } => vec![format!("DROP TABLE {}", ident(table))],
        Op::RenameTable { from, to } => vec![alter(from, format!("RENAME TO {}", ident(to)))],
        Op::AddColumn { table, column } => {
            let mut out = vec![alter(table, format!("ADD COLUMN {}", column_sql(column)))];
            if column.comment.is_some() {
                out.push(comment_sql(
                    table,
                    Some(&column.name),
                    column.comment.as_deref(),
                ));
            }
            out
        }
        Op::DropColumn { table, column, .. } => {
            vec![alter(table, format!("DROP COLUMN {}", ident(column)))]
        }
        Op::AlterColumn {
            table,
            column,
            change,
            existing,
        } => {
            let col = ident(column);
            let mut out = Vec::new();
            if let Change::Set(ty) = &change.ty {
                let mut s = format!("ALTER COLUMN {col} TYPE {}", type_sql(ty, false));
                if let Some(using) = &change.using {
                    s.push_str(&format!(" USING {using}"));
                }
                out.push(alter(table, s));
            }
            if let Change::Set(serial) = change.auto_increment {
                // The sequence's type: the new one, else the column's as the op carries it,
                // else as the model has it.
                let old = existing
                    .get()
                    .or_else(|| before.table(table).and_then(|t| t.column(column)));
                let ty = match (&change.ty, old) {
                    (Change::Set(ty), _) => ty.clone(),
                    (Change::Keep, Some(old)) => old.ty.clone(),
                    (Change::Keep, None) => ColumnType::Integer,
                };
                out.extend(alter_serial(table, column, &ty, serial));
            }
            match change.nullable {
                Change::Set(false) => {
                    out.push(alter(table, format!("ALTER COLUMN {col} SET NOT NULL")))
                }
                Change::Set(true) => {
                    out.push(alter(table, format!("ALTER COLUMN {col} DROP NOT NULL")))
                }
                Change::Keep => {}
            }
            match &change.default {
                Change::Set(Some(d)) => {
                    out.push(alter(table, format!("ALTER COLUMN {col} SET DEFAULT {d}")))
                }
                Change::Set(None) => {
                    out.push(alter(table, format!("ALTER COLUMN {col} DROP DEFAULT")))
                }
                Change::Keep => {}
            }
            if let Change::Set(comment) = &change.comment {
                out.push(comment_sql(table, Some(column), comment.as_deref()));
            }
            if let Change::Set(to) = &change.rename {
                out.push(alter(
                    table,
                    format!("RENAME COLUMN {col} TO {}", ident(to)),
                ));
            }
            out
        }
        Op::CreatePrimaryKey { table, key } => vec![alter(
            table,
            format!(
                "ADD {}PRIMARY KEY ({})",
                constraint_name(&key.name),
                idents(&key.columns)
            ),
        )],
        Op::DropPrimaryKey { table, name, .. } | Op::DropConstraint { table, name, .. } => {
            vec![alter(table, format!("DROP CONSTRAINT {}", ident(name)))]
        }
        Op::CreateUnique { table, unique } => vec![alter(
            table,
            format!(
                "ADD {}UNIQUE ({})",
                constraint_name(&unique.name),
                idents(&unique.columns)
            ),
        )],
        Op::CreateForeignKey { table, key } => {
            vec![alter(table, format!("ADD {}", foreign_key_clause(key)))]
        }
        Op::CreateCheck { table, check } => vec![alter(
            table,
            format!(
                "ADD {}CHECK ({})",
                constraint_name(&check.name),
                check.expression
            ),
        )],
        Op::CreateIndex { table, index } => vec![create_index(table, index, true)],
        Op::DropIndex { name, .. } => vec![format!("DROP INDEX {}", ident(name))],
        Op::SetTableComment { table, comment } => {
            vec![comment_sql(table, None, comment.as_deref())]
        }
        Op::CreateEnum { name, labels } => {
            let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
            vec![format!(
                "CREATE TYPE {} AS ENUM ({})",
                ident(name),
                labels.join(", ")
            )]
        }
        Op::DropEnum { name } => vec![format!("DROP TYPE {}", ident(name))],
        Op::AlterEnum { name, labels } => alter_enum(name, labels),
        Op::CreateSequence(s) => vec![format!(
            "CREATE SEQUENCE {} {}",
            ident(&s.name),
            sequence_options(s)
        )],
        Op::AlterSequence(s) => vec![format!(
            "ALTER SEQUENCE {} {}",
            ident(&s.name),
            sequence_options(s)
        )],
        Op::DropSequence { name } => vec![format!("DROP SEQUENCE {}", ident(name))],
        Op::Execute { sql } => vec![sql.clone()],
    })
}
