//! Columns added, dropped and altered (type, nullability, default, comment, serial, identity).
//!
//! New columns go at the end, as `ADD COLUMN` puts them; a column's position is not compared.

use super::{Phase, Plan};
use crate::ops::{Change, ColumnChange, Existing, Op};
use crate::schema::{Column, Table};

pub(super) fn compare(before: &Table, after: &Table, plan: &mut Plan) {
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
                if let Some(change) = change(old, column) {
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
fn change(old: &Column, new: &Column) -> Option<ColumnChange> {
    let mut change = ColumnChange::new();
    if old.ty != new.ty {
        change.ty = Change::Set(new.ty.clone());
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
    if old.default != new.default && !new.auto_increment {
        change.default = Change::Set(new.default.clone());
    }
    if old.comment != new.comment {
        change.comment = Change::Set(new.comment.clone());
    }
    (!change.is_empty()).then_some(change)
}
