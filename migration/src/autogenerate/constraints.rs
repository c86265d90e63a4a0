//! Primary keys, unique constraints, foreign keys and checks, matched by structure; one that
//! matches under another name is renamed.
//!
//! A unique constraint on exactly the primary key's columns adds nothing and is left out on
//! both sides. A foreign key that stays the same is still dropped and made again when what it
//! stands on changes under it: a type change of one of its columns or of the columns it refers
//! to, or the drop of the key it refers to.

use super::{indexes, Phase, Plan};
use crate::canonical::Expressions;
use crate::ops::{Existing, Op};
use crate::schema::{name_of, sorted, Constraint, ForeignKey, Schema, Table, UniqueConstraint};
use std::collections::BTreeSet;

/// Columns changing type and keys being dropped, as (table, column) and (table, sorted
/// columns).
#[derive(Debug, Default)]
pub(super) struct Rebuilt {
    columns: BTreeSet<(String, String)>,
    keys: BTreeSet<(String, Vec<String>)>,
}

impl Rebuilt {
    /// Whether `fk` on `table` has to be dropped before the upgrade's changes and made again
    /// after them.
    fn disturbs(&self, table: &str, fk: &ForeignKey) -> bool {
        let column = |t: &str, c: &String| self.columns.contains(&(t.to_string(), c.clone()));
        fk.columns.iter().any(|c| column(table, c))
            || fk.ref_columns.iter().any(|c| column(&fk.ref_table, c))
            || self
                .keys
                .contains(&(fk.ref_table.clone(), sorted(&fk.ref_columns)))
    }
}

pub(super) fn keys_rebuilt(from: &Schema, to: &Schema) -> Rebuilt {
    let mut rebuilt = Rebuilt::default();
    for (name, before) in &from.tables {
        let Some(after) = to.tables.get(name) else {
            continue;
        };
        for column in &before.columns {
            if after
                .column(&column.name)
                .is_some_and(|c| c.ty != column.ty)
            {
                rebuilt.columns.insert((name.clone(), column.name.clone()));
            }
        }
        let mut key = |columns: &[String]| {
            rebuilt.keys.insert((name.clone(), sorted(columns)));
        };
        if before.primary_key_columns() != after.primary_key_columns()
            && !before.primary_key_columns().is_empty()
        {
            key(before.primary_key_columns());
        }
        let kept = uniques(after);
        for unique in uniques(before) {
            if !kept.iter().any(|u| same_unique(u, unique)) {
                key(&unique.columns);
            }
        }
        for index in indexes::dropped_unique(before, after) {
            if let Some(columns) = index.plain_columns() {
                key(&columns);
            }
        }
    }
    rebuilt
}

/// The unique constraints that are not the primary key over again.
fn uniques(table: &Table) -> Vec<&UniqueConstraint> {
    let pk = sorted(table.primary_key_columns());
    table
        .uniques
        .iter()
        .filter(|u| sorted(&u.columns) != pk)
        .collect()
}

fn same_fk(a: &ForeignKey, b: &ForeignKey) -> bool {
    a.columns == b.columns
        && a.ref_table == b.ref_table
        && a.ref_schema == b.ref_schema
        && a.ref_columns == b.ref_columns
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update
        && a.deferral == b.deferral
        && a.match_full == b.match_full
}

/// Two unique constraints do the same job.
fn same_unique(a: &UniqueConstraint, b: &UniqueConstraint) -> bool {
    a.columns == b.columns && a.nulls_not_distinct == b.nulls_not_distinct
}

/// A rename of a kept key or check whose name differs (both named).
fn rename(table: &str, old: &Option<String>, new: &Option<String>, plan: &mut Plan) {
    let (from, to) = (name_of(old), name_of(new));
    if !from.is_empty() && !to.is_empty() && from != to {
        plan.push(
            Phase::RenameKeys,
            Op::RenameConstraint {
                table: table.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            },
        );
    }
}

pub(super) fn compare(
    before: &Table,
    after: &Table,
    rebuilt: &Rebuilt,
    exprs: &Expressions,
    plan: &mut Plan,
) {
    let table = &after.name;
    let t = || table.clone();

    if let (Some(old), Some(new)) = (&before.primary_key, &after.primary_key) {
        if old.columns == new.columns {
            rename(table, &old.name, &new.name, plan);
        }
    }
    if before.primary_key_columns() != after.primary_key_columns() {
        if let Some(pk) = &before.primary_key {
            plan.push(
                Phase::DropPrimaryKeys,
                Op::DropPrimaryKey {
                    table: t(),
                    name: name_of(&pk.name).to_string(),
                    existing: Existing::known(pk.clone()),
                },
            );
        }
        if let Some(pk) = &after.primary_key {
            plan.push(
                Phase::CreatePrimaryKeys,
                Op::CreatePrimaryKey {
                    table: t(),
                    key: pk.clone(),
                },
            );
        }
    }

    let mut unmatched = uniques(after);
    for unique in uniques(before) {
        match unmatched.iter().position(|u| same_unique(u, unique)) {
            Some(at) => {
                rename(table, &unique.name, &unmatched.remove(at).name, plan);
            }
            None => plan.push(
                Phase::DropUniques,
                Op::DropConstraint {
                    table: t(),
                    name: name_of(&unique.name).to_string(),
                    existing: Existing::known(Constraint::Unique((*unique).clone())),
                },
            ),
        }
    }
    for unique in unmatched {
        plan.push(
            Phase::CreateUniques,
            Op::CreateUnique {
                table: t(),
                unique: unique.clone(),
            },
        );
    }

    let mut unmatched: Vec<&ForeignKey> = after.foreign_keys.iter().collect();
    for fk in &before.foreign_keys {
        let kept = unmatched.iter().position(|k| same_fk(k, fk));
        let again = kept.map(|at| unmatched.remove(at));
        if kept.is_none() || rebuilt.disturbs(table, fk) {
            plan.push(
                Phase::DropForeignKeys,
                Op::DropConstraint {
                    table: t(),
                    name: name_of(&fk.name).to_string(),
                    existing: Existing::known(Constraint::ForeignKey(fk.clone())),
                },
            );
        }
        if let Some(kept) = again.filter(|_| !rebuilt.disturbs(table, fk)) {
            rename(table, &fk.name, &kept.name, plan);
        }
        if let Some(key) = again.filter(|_| rebuilt.disturbs(table, fk)) {
            plan.push(
                Phase::CreateForeignKeys,
                Op::CreateForeignKey {
                    table: t(),
                    key: key.clone(),
                },
            );
        }
    }
    for key in unmatched {
        plan.push(
            Phase::CreateForeignKeys,
            Op::CreateForeignKey {
                table: t(),
                key: key.clone(),
            },
        );
    }

    let mut unmatched: Vec<_> = after.checks.iter().collect();
    for check in &before.checks {
        let key = exprs.key(table, &check.expression);
        match unmatched
            .iter()
            .position(|c| exprs.key(table, &c.expression) == key)
        {
            Some(at) => {
                rename(table, &check.name, &unmatched.remove(at).name, plan);
            }
            None => plan.push(
                Phase::DropChecks,
                Op::DropConstraint {
                    table: t(),
                    name: name_of(&check.name).to_string(),
                    existing: Existing::known(Constraint::Check(check.clone())),
                },
            ),
        }
    }
    for check in unmatched {
        plan.push(
            Phase::CreateChecks,
            Op::CreateCheck {
                table: t(),
                check: check.clone(),
            },
        );
    }
}
