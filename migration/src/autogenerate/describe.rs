//! Ops in words: the lines `check` prints, the summary `revision --autogenerate` prints, and the
//! header of a generated revision with its warnings about data that may be lost.
//!
//! The warnings read what an op changes from the op itself (`existing`, filled by the diff);
//! only ops that lack it (recorded by hand) have it looked up in the model, replayed op by op.

use crate::apply::apply;
use crate::ops::{Change, Op};
use crate::schema::{Column, ColumnType, Schema};

/// One op as a short line, such as `add column pfs_visit.seeing (real)`.
pub fn op(op: &Op) -> String {
    match op {
        Op::CreateTable(t) => format!("add table {}", t.name),
        Op::DropTable { table, .. } => format!("drop table {table}"),
        Op::RenameTable { from, to } => format!("rename table {from} to {to}"),
        Op::AddColumn { table, column } => match &column.generated {
            Some(g) => format!(
                "add column {table}.{} ({}, {} as {})",
                column.name,
                column.ty,
                if g.stored { "stored" } else { "virtual" },
                g.expression
            ),
            None => format!("add column {table}.{} ({})", column.name, column.ty),
        },
        Op::DropColumn { table, column, .. } => format!("drop column {table}.{column}"),
        Op::AlterColumn {
            table,
            column,
            change,
            ..
        } if change.only_rename().is_some() => format!(
            "rename column {table}.{column} to {}",
            change.only_rename().unwrap_or_default()
        ),
        Op::AlterColumn {
            table,
            column,
            change,
            ..
        } => {
            let mut what = Vec::new();
            if let Change::Set(to) = &change.rename {
                what.push(format!("rename to {to}"));
            }
            if let Change::Set(ty) = &change.ty {
                what.push(format!("type {ty}"));
            }
            match &change.collation {
                Change::Set(Some(c)) => what.push(format!("collation {c}")),
                Change::Set(None) => what.push("default collation".into()),
                Change::Keep => {}
            }
            if let Change::Set(serial) = change.auto_increment {
                what.push(if serial { "serial" } else { "not serial" }.to_string());
            }
            if change.drop_expression {
                what.push("no longer generated (values kept)".into());
            }
            match &change.identity {
                Change::Set(Some(i)) => what.push(i.sql().to_lowercase()),
                Change::Set(None) => what.push("no identity".into()),
                Change::Keep => {}
            }
            if let Change::Set(nullable) = change.nullable {
                what.push(if nullable { "NULL" } else { "NOT NULL" }.to_string());
            }
            match &change.default {
                Change::Set(Some(d)) => what.push(format!("default {d}")),
                Change::Set(None) => what.push("no default".into()),
                Change::Keep => {}
            }
            if change.comment.is_set() {
                what.push("comment".into());
            }
            format!("alter column {table}.{column}: {}", what.join(", "))
        }
        Op::CreatePrimaryKey { table, key } => {
            format!("add primary key {table}({})", key.columns.join(", "))
        }
        Op::DropPrimaryKey { table, name, .. } => format!("drop primary key {name} of {table}"),
        Op::CreateUnique { table, unique } => {
            format!(
                "add unique constraint {table}({}){}",
                unique.columns.join(", "),
                if unique.nulls_not_distinct {
                    " nulls not distinct"
                } else {
                    ""
                }
            )
        }
        Op::CreateForeignKey { table, key } => format!(
            "add foreign key {table}({}) -> {}({}){}{}",
            key.columns.join(", "),
            match &key.ref_schema {
                Some(schema) => format!("{schema}.{}", key.ref_table),
                None => key.ref_table.clone(),
            },
            key.ref_columns.join(", "),
            if key.match_full { " match full" } else { "" },
            key.deferral.sql().to_lowercase()
        ),
        Op::CreateCheck { table, check } => {
            format!("add check constraint on {table}: {}", check.expression)
        }
        Op::DropConstraint { table, name, .. } => format!("drop constraint {name} of {table}"),
        Op::CreateIndex { table, index } => format!(
            "add {}index {} on {table}{}",
            if index.unique { "unique " } else { "" },
            index.name,
            if index.nulls_not_distinct {
                " (nulls not distinct)"
            } else {
                ""
            }
        ),
        Op::DropIndex { table, name, .. } => format!("drop index {name} of {table}"),
        Op::RenameConstraint { table, from, to } => {
            format!("rename constraint {from} of {table} to {to}")
        }
        Op::RenameIndex { table, from, to } => format!("rename index {from} of {table} to {to}"),
        Op::SetTableComment { table, .. } => format!("change the comment of table {table}"),
        Op::CreateEnum { name, labels } => {
            format!("add enum type {name} ({})", labels.join(", "))
        }
        Op::DropEnum { name } => format!("drop enum type {name}"),
        Op::AlterEnum { name, labels } => {
            format!(
                "change the labels of enum type {name} to ({})",
                labels.join(", ")
            )
        }
        Op::CreateSequence(s) => format!("add sequence {}", s.name),
        Op::DropSequence { name } => format!("drop sequence {name}"),
        Op::AlterSequence(s) => format!("alter sequence {}", s.name),
        Op::CreateView(v) if v.materialized => {
            let data = if v.with_data { "" } else { ", with no data" };
            match v.indexes.len() {
                0 => format!("add materialized view {}{data}", v.name),
                1 => format!("add materialized view {} with 1 index{data}", v.name),
                n => format!("add materialized view {} with {n} indexes{data}", v.name),
            }
        }
        Op::CreateView(v) => format!("add view {}", v.name),
        Op::ReplaceView { view, .. } => format!("replace the query of view {}", view.name),
        Op::DropView {
            name,
            materialized,
            because,
            ..
        } => {
            let kind = if *materialized {
                "materialized view"
            } else {
                "view"
            };
            match because.get() {
                Some(why) => format!("drop {kind} {name} to make it again ({why})"),
                None => format!("drop {kind} {name}"),
            }
        }
        Op::CreateFunction(f) => format!("add function {}", f.key()),
        Op::ReplaceFunction { function, .. } => {
            format!("replace the definition of function {}", function.key())
        }
        Op::DropFunction {
            name, arguments, ..
        } => format!("drop function {name}({arguments})"),
        Op::SetComment { on, .. } => match on {
            crate::schema::Commented::View { name, materialized } => format!(
                "change the comment of {}view {name}",
                if *materialized { "materialized " } else { "" }
            ),
            crate::schema::Commented::Function { name, arguments } => {
                format!("change the comment of function {name}({arguments})")
            }
        },
        Op::CreateTrigger(t) => format!("add trigger {} on {}", t.name, t.table),
        Op::DropTrigger { table, name, .. } => format!("drop trigger {name} on {table}"),
        Op::Execute { sql } => format!("execute {sql}"),
        Op::CreateIndexConcurrently { table, index } => format!(
            "add {}index {} on {table} concurrently",
            if index.unique { "unique " } else { "" },
            index.name
        ),
        Op::DropIndexConcurrently { table, name, .. } => {
            format!("drop index {name} of {table} concurrently")
        }
        Op::CreateForeignKeyNotValid { table, key } => format!(
            "add foreign key {table}({}) -> {}({}) not valid",
            key.columns.join(", "),
            key.ref_table,
            key.ref_columns.join(", ")
        ),
        Op::CreateCheckNotValid { table, check } => {
            format!("add check constraint on {table} not valid: {}", check.expression)
        }
        Op::ValidateConstraint { table, name } => format!("validate constraint {name} of {table}"),
        Op::CreateUniqueUsingIndex { table, name, index } => {
            format!("add unique constraint {name} of {table} using index {index}")
        }
    }
}

/// How each view, function and trigger definition `ops` change reads before and after, as
/// unified diffs: one entry per object whose text changes (replaced in place, or dropped and
/// created again with another text), headed by its name. Only what the ops know as it was
/// can be shown (the diff's ops know it; a revision's recorded ops do not). Both texts are
/// shown as `exprs` compares them: in the server's words where a server canonicalized them.
pub fn definition_changes(ops: &[Op], exprs: &crate::canonical::Expressions) -> Vec<String> {
    use crate::schema::{Function, Trigger, View};
    use std::collections::HashMap;
    // What the ops drop, as it was: a create of the same object after it makes it again.
    let mut views: HashMap<&str, &View> = HashMap::new();
    let mut functions: HashMap<String, &Function> = HashMap::new();
    let mut triggers: HashMap<(&str, &str), &Trigger> = HashMap::new();
    for op in ops {
        match op {
            Op::DropView { name, existing, .. } => {
                views.extend(existing.get().map(|v| (name.as_str(), v)));
            }
            Op::DropFunction { existing, .. } => {
                functions.extend(existing.get().map(|f| (exprs.function(f).key(), f)));
            }
            Op::DropTrigger {
                table,
                name,
                existing,
            } => triggers.extend(existing.get().map(|t| ((table.as_str(), name.as_str()), t))),
            _ => {}
        }
    }
    // Each changed object: what it is, its text before and after, in the ops' order.
    let view = |old: &View, new: &View| {
        (
            format!("view {}", new.name),
            exprs.view(old).definition,
            exprs.view(new).definition,
        )
    };
    let function = |old: &Function, new: &Function| {
        (
            format!("function {}", new.key()),
            function_text(&exprs.function(old)),
            function_text(&exprs.function(new)),
        )
    };
    let mut pairs = Vec::new();
    for op in ops {
        match op {
            Op::ReplaceView { view: new, existing } => {
                pairs.extend(existing.get().map(|old| view(old, new)))
            }
            Op::CreateView(new) => pairs.extend(views.get(new.name.as_str()).map(|old| view(old, new))),
            Op::ReplaceFunction {
                function: new,
                existing,
            } => pairs.extend(existing.get().map(|old| function(old, new))),
            Op::CreateFunction(new) => pairs.extend(
                functions
                    .get(&exprs.function(new).key())
                    .map(|old| function(old, new)),
            ),
            Op::CreateTrigger(new) => pairs.extend(
                triggers
                    .get(&(new.table.as_str(), new.name.as_str()))
                    .map(|old| {
                        (
                            format!("trigger {} on {}", new.name, new.table),
                            exprs.trigger(old),
                            exprs.trigger(new),
                        )
                    }),
            ),
            _ => {}
        }
    }
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(what, old, new)| {
            format!(
                "{what}:\n{}",
                crate::definitions::unified(&old, &new).trim_end()
            )
        })
        .collect()
}

/// A function's arguments and definition, as one text to compare.
fn function_text(f: &crate::schema::Function) -> String {
    format!("({})\n{}", f.arguments, f.definition.trim())
}

/// Warnings for the ops that can lose data or fail on existing rows, given the schema before
/// them.
pub fn warnings(from: &Schema, ops: &[Op]) -> Vec<String> {
    let mut model = from.clone();
    let mut out = Vec::new();
    // Added columns already offered as the new name of a dropped one.
    let mut offered: Vec<(&str, &str)> = Vec::new();
    // Columns added by `ops`: one dropped and added again is replaced (made generated).
    let added: std::collections::HashSet<(&str, &str)> = ops
        .iter()
        .filter_map(|op| match op {
            Op::AddColumn { table, column } => Some((table.as_str(), column.name.as_str())),
            _ => None,
        })
        .collect();
    for op in ops {
        match op {
            Op::DropTable { table, .. } => {
                out.push(format!("drops table {table} and every row in it"))
            }
            Op::DropColumn {
                table,
                column,
                existing,
            } => {
                let old = existing
                    .get()
                    .or_else(|| model.table(table).and_then(|t| t.column(column)));
                // Dropped to be added again, generated: its generation cannot change in place.
                let readded = added.contains(&(table.as_str(), column.as_str()));
                if old.is_some_and(|c| c.generated.is_some()) {
                    // A generated column's values are computed: nothing of them is lost.
                } else if readded {
                    out.push(format!(
                        "replaces {table}.{column} by a generated column: the values it holds \
                         are lost, computed anew"
                    ));
                } else {
                    let mut warning = format!("drops column {table}.{column} and its values");
                    if let Some(new) = old.and_then(|old| renamed_to(ops, table, old, &offered)) {
                        offered.push((table, new));
                        warning.push_str(&format!(
                            "; if {table}.{new} (added, of the same type) is {column} renamed, \
                             put #[sea_orm(renamed_from = \"{column}\")] on {new} to rename it \
                             and keep the values"
                        ));
                    }
                    out.push(warning)
                }
            }
            Op::AddColumn { table, column }
                if !column.nullable
                    && column.default.is_none()
                    && !column.auto_increment
                    && column.generated.is_none() =>
            {
                out.push(format!(
                    "adds NOT NULL column {table}.{} without a default: fails if {table} has rows",
                    column.name
                ))
            }
            Op::AlterColumn {
                table,
                column,
                change,
                existing,
            } => {
                let old = existing
                    .get()
                    .or_else(|| model.table(table).and_then(|t| t.column(column)));
                if let (Change::Set(ty), Some(old)) = (&change.ty, old) {
                    if change.cast || change.using.is_some() {
                        out.push(format!(
                            "changes {table}.{column} from {} to {ty} with a cast: fails on a \
                             value that does not convert (check the rows, or edit the cast)",
                            old.ty
                        ));
                    } else if !widens(&old.ty, ty) {
                        out.push(format!(
                            "changes {table}.{column} from {} to {ty}: values may not fit",
                            old.ty
                        ));
                    }
                }
                if change.nullable == Change::Set(false) {
                    out.push(format!(
                        "makes {table}.{column} NOT NULL: fails if it holds NULLs"
                    ));
                }
            }
            Op::AlterEnum { name, labels } => {
                if let Some(old) = model.enums.get(name) {
                    let gone: Vec<&String> = old.iter().filter(|l| !labels.contains(l)).collect();
                    if !gone.is_empty() {
                        out.push(format!(
                            "removes labels {gone:?} of enum type {name}: fails if a row uses one"
                        ));
                    }
                }
            }
            Op::DropSequence { name } => {
                out.push(format!("drops sequence {name} and its position"))
            }
            Op::DropView {
                name,
                materialized,
                because,
                ..
            } => {
                let again = ops
                    .iter()
                    .any(|o| matches!(o, Op::CreateView(v) if v.name == *name));
                match (again, *materialized, because.get()) {
                    (true, true, why) => out.push(format!(
                        "drops materialized view {name} and creates it again{}: its data will \
                         be recomputed",
                        why.map(|w| format!(" ({w})")).unwrap_or_default()
                    )),
                    (true, false, Some(why)) => {
                        out.push(format!("drops view {name} and creates it again ({why})"))
                    }
                    (false, true, _) => {
                        out.push(format!("drops materialized view {name} and its data"))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        // The warnings look at the schema before each op; an op that does not apply (which
        // `verify` reports) only costs later warnings their detail.
        let _ = apply(&mut model, op);
    }
    out
}

/// The column added to `table` by `ops` with the type of the dropped column `old`, not yet
/// `offered` for another: what a rename without `renamed_from` looks like.
fn renamed_to<'a>(
    ops: &'a [Op],
    table: &str,
    old: &Column,
    offered: &[(&str, &str)],
) -> Option<&'a str> {
    ops.iter().find_map(|op| match op {
        Op::AddColumn { table: t, column }
            if t == table && column.ty == old.ty && !offered.contains(&(table, &column.name)) =>
        {
            Some(column.name.as_str())
        }
        _ => None,
    })
}

/// Whether every value of `from` fits `to` unchanged.
fn widens(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    let rank = |t: &ColumnType| match t {
        SmallInt => Some(1),
        Integer => Some(2),
        BigInt => Some(3),
        _ => None,
    };
    match (from, to) {
        (a, b) if a == b => true,
        (a, b) if rank(a).is_some() && rank(b).is_some() => rank(a) <= rank(b),
        (SmallInt | Integer | BigInt, Numeric(None)) => true,
        (Real, Double) => true,
        (Varchar(Some(a)), Varchar(Some(b))) => a <= b,
        (Varchar(_) | Char(_) | Text, Varchar(None) | Text) => true,
        (Char(Some(a)), Varchar(Some(b))) => a <= b,
        (Timestamp, TimestampTz) => true,
        (Json, Jsonb) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autogenerate::{diff, Hints};
    use crate::schema::Table;

    fn table(columns: &[(&str, ColumnType)]) -> Schema {
        let t = Table {
            name: "gadget".into(),
            columns: columns
                .iter()
                .map(|(name, ty)| Column {
                    name: name.to_string(),
                    ty: ty.clone(),
                    nullable: true,
                    default: None,
                    comment: None,
                    auto_increment: false,
                    identity: None,
                    generated: None,
                    collation: None,
                })
                .collect(),
            ..Table::default()
        };
        Schema {
            tables: [(t.name.clone(), t)].into(),
            ..Schema::default()
        }
    }

    #[test]
    fn a_drop_and_an_add_of_the_same_type_suggest_renamed_from() {
        use ColumnType as T;
        let from = table(&[
            ("old_label", T::Text),
            ("count", T::Integer),
            ("x", T::Real),
        ]);
        let to = table(&[("label", T::Text), ("count", T::Integer), ("y", T::Double)]);
        let ops = diff(&from, &to, &Hints::default());
        assert_eq!(
            warnings(&from, &ops),
            [
                "drops column gadget.old_label and its values; if gadget.label (added, of the \
                 same type) is old_label renamed, put #[sea_orm(renamed_from = \"old_label\")] \
                 on label to rename it and keep the values",
                // A real and a double precision are not taken for a rename.
                "drops column gadget.x and its values",
            ]
        );
        // Two drops and two adds of one type: each added column is offered once.
        let from = table(&[("a", T::Text), ("b", T::Text)]);
        let to = table(&[("c", T::Text), ("d", T::Text)]);
        let warned = warnings(&from, &diff(&from, &to, &Hints::default()));
        assert!(
            warned[0].contains("renamed_from = \"a\")] on c "),
            "{warned:?}"
        );
        assert!(
            warned[1].contains("renamed_from = \"b\")] on d "),
            "{warned:?}"
        );
    }
}
