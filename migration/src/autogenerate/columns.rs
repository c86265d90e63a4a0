//! Columns added, dropped and altered (type, nullability, default, comment, serial, identity).
//!
//! New columns go at the end, as `ADD COLUMN` puts them; a column's position is not compared.

use super::{Phase, Plan};
use crate::canonical::Expressions;
use crate::ops::{Change, ColumnChange, Existing, Op};
use crate::schema::{Column, Table};

pub(super) fn compare(before: &Table, after: &Table, exprs: &Expressions, plan: &mut Plan) {
    let table = &after.name;
    for column in &after.columns {
        match before.column(&column.name) {
            None => plan.push(
                Phase::AddColumns,
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
    if old.auto_increment != new.auto_increment {
        change.auto_increment = Change::Set(new.auto_increment);
    }
    if old.identity != new.identity {
        change.identity = Change::Set(new.identity.clone());
    }
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
