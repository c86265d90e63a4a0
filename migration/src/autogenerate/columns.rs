//! Columns added, dropped and altered (type, nullability, default, comment, serial, identity,
//! generation).
//!
//! New columns go at the end, as `ADD COLUMN` puts them; a column's position is not compared.
//! A generated column made plain keeps its values (`DROP EXPRESSION`); any other change of
//! generation (a new expression, a plain column made generated) cannot be made in place, so
//! the column is dropped and added again ([`replace_generated`]), with what stands on it.

use super::{Phase, Plan};
use crate::canonical::Expressions;
use crate::ops::{Change, ColumnChange, Existing, Op};
use crate::apply::apply;
use std::borrow::Cow;
use crate::schema::{Column, Constraint, IndexKey, Schema, Table};

pub(super) fn compare(before: &Table, after: &Table, exprs: &Expressions, plan: &mut Plan) {
    let table = &after.name;
    for column in &after.columns {
        match before.column(&column.name) {
            None => plan.push(
                match column.generated {
                    Some(_) => Phase::AddGeneratedColumns,
                    None => Phase::AddColumns,
                },
                Op::AddColumn {
                    table: table.clone(),
                    column: column.clone(),
                },
            ),
            Some(old) => {
                if let Some(change) = change(table, old, column, exprs) {
                    plan.push(
                        Phase::AlterColumns,
                        Op::AlterColumn {
                            table: table.clone(),
                            column: column.name.clone(),
                            change,
                            existing: Existing::known(old.clone()),
                        },
                    );
                }
            }
        }
    }
    for column in &before.columns {
        if after.column(&column.name).is_none() {
            plan.push(
                Phase::DropColumns,
                Op::DropColumn {
                    table: table.clone(),
                    column: column.name.clone(),
                    existing: Existing::known(column.clone()),
                },
            );
        }
    }
}

/// What turns `old` into `new`, or `None` when they are the same.
fn change(table: &str, old: &Column, new: &Column, exprs: &Expressions) -> Option<ColumnChange> {
    let mut change = ColumnChange::new();
    if old.ty != new.ty {
        change.ty = Change::Set(new.ty.clone());
        change.cast = !crate::casts::converts_by_itself(&old.ty, &new.ty);
    }
    // PostgreSQL changes a collation with the type: the change names both.
    if old.collation != new.collation {
        change.collation = Change::Set(new.collation.clone());
        change.ty = Change::Set(new.ty.clone());
    }
    if old.auto_increment != new.auto_increment {
        change.auto_increment = Change::Set(new.auto_increment);
    }
    if old.identity != new.identity {
        change.identity = Change::Set(new.identity.clone());
    }
    // Any other change of generation replaced the column before ([`replace_generated`]).
    change.drop_expression = old.generated.is_some() && new.generated.is_none();
    if old.nullable != new.nullable {
        change.nullable = Change::Set(new.nullable);
    }
    // A column becoming serial gets its default from its new sequence.
    let (was, is) = (old.default.as_deref(), new.default.as_deref());
    if !exprs.same_default(table, &new.name, was, is) && !new.auto_increment {
        change.default = Change::Set(new.default.clone());
    }
    if old.comment != new.comment {
        change.comment = Change::Set(new.comment.clone());
    }
    (!change.is_empty()).then_some(change)
}

/// Drops the columns of `from` whose generation changes other than by becoming plain (a new
/// expression, or a plain column made generated), with every index, key and check of their
/// table that stands on them (or may: an expression or predicate that names them), and
/// returns `from` without them: the rest of the diff adds them again, as `to` has them.
pub(super) fn replace_generated<'a>(
    from: &'a Schema,
    to: &Schema,
    exprs: &Expressions,
    plan: &mut Plan,
) -> Cow<'a, Schema> {
    // Copied only when a column is replaced.
    let mut out = Cow::Borrowed(from);
    for (name, before) in &from.tables {
        let Some(after) = to.tables.get(name) else {
            continue;
        };
        for column in &before.columns {
            let Some(new) = after.column(&column.name) else {
                continue;
            };
            let (was, is) = (column.generated.as_ref(), new.generated.as_ref());
            if is.is_none() || exprs.same_generated(name, &column.name, was, is) {
                continue;
            }
            let Some(table) = out.tables.get(name) else {
                continue;
            };
            let mut ops = dependents_dropped(table, &column.name);
            ops.push((
                Phase::DropColumns,
                Op::DropColumn {
                    table: name.clone(),
                    column: column.name.clone(),
                    existing: Existing::known(column.clone()),
                },
            ));
            for (phase, op) in ops {
                if apply(out.to_mut(), &op).is_ok() {
                    plan.push(phase, op);
                }
            }
        }
    }
    out
}

/// The drops of whatever of `table` stands on `column`, as PostgreSQL's `DROP COLUMN` would
/// drop it (an expression that merely names it counts: better made again than lost).
fn dependents_dropped(table: &Table, column: &str) -> Vec<(Phase, Op)> {
    let t = || table.name.clone();
    let on = |columns: &[String]| columns.iter().any(|c| c == column);
    // The column's name as a word of `text` (any case: an unquoted name may be written so).
    let names = |text: &str| {
        let (text, word) = (text.to_lowercase(), column.to_lowercase());
        let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        text.match_indices(&word).any(|(at, _)| {
            !part(text[..at].chars().next_back()) && !part(text[at + word.len()..].chars().next())
        })
    };
    let dropped = |phase: Phase, name: &Option<String>, was: Constraint| {
        let op = Op::DropConstraint {
            table: t(),
            name: name.clone().unwrap_or_default(),
            existing: Existing::known(was),
        };
        (phase, op)
    };
    let mut ops = Vec::new();
    for key in table.foreign_keys.iter().filter(|k| on(&k.columns)) {
        let was = Constraint::ForeignKey(key.clone());
        ops.push(dropped(Phase::DropForeignKeys, &key.name, was));
    }
    for index in &table.indexes {
        let keyed = index.keys.iter().any(|k| match k {
            IndexKey::Column(c) => c == column,
            IndexKey::Expression(e) => names(e),
        });
        if keyed || on(&index.include) || index.predicate.as_deref().is_some_and(names) {
            ops.push((
                Phase::DropIndexes,
                Op::DropIndex {
                    table: t(),
                    name: index.name.clone(),
                    existing: Existing::known(index.clone()),
                },
            ));
        }
    }
    for unique in table.uniques.iter().filter(|u| on(&u.columns)) {
        let was = Constraint::Unique(unique.clone());
        ops.push(dropped(Phase::DropUniques, &unique.name, was));
    }
    for check in table.checks.iter().filter(|c| names(&c.expression)) {
        let was = Constraint::Check(check.clone());
        ops.push(dropped(Phase::DropChecks, &check.name, was));
    }
    ops
}
