//! Tables created and dropped, in foreign-key order.
//!
//! New tables are created after the tables they refer to, with their foreign keys inline; only
//! a cycle of new tables gets the foreign keys that close it added afterwards. Dropped tables go
//! before the tables they refer to; only a cycle among them has its foreign keys dropped first.

use super::{Phase, Plan};
use crate::ops::{Existing, Op};
use crate::schema::{name_of, Constraint, Schema, Table};
use crate::toposort::order;
use std::collections::BTreeSet;

pub(super) fn compare(from: &Schema, to: &Schema, plan: &mut Plan) {
    create(from, to, plan);
    drop(from, to, plan);
}

fn create(from: &Schema, to: &Schema, plan: &mut Plan) {
    let new: BTreeSet<String> = to
        .tables
        .keys()
        .filter(|n| !from.tables.contains_key(*n))
        .cloned()
        .collect();
    let (ordered, cyclic) = order(&new, |name| {
        refers_to(&to.tables[name])
            .filter(|r| new.contains(*r) && *r != name)
            .map(str::to_string)
            .collect()
    });
    for name in ordered {
        plan.push(
            Phase::CreateTables,
            Op::CreateTable(to.tables[&name].clone()),
        );
    }
    let cyclic_set: BTreeSet<&String> = cyclic.iter().collect();
    for name in &cyclic {
        let mut table = to.tables[name].clone();
        let (later, inline) = table
            .foreign_keys
            .drain(..)
            .partition(|fk| fk.ref_table != *name && cyclic_set.contains(&fk.ref_table));
        table.foreign_keys = inline;
        plan.push(Phase::CreateTables, Op::CreateTable(table));
        for key in later {
            plan.push(
                Phase::CreateForeignKeys,
                Op::CreateForeignKey {
                    table: name.clone(),
                    key,
                },
            );
        }
    }
}

fn drop(from: &Schema, to: &Schema, plan: &mut Plan) {
    let gone: BTreeSet<String> = from
        .tables
        .keys()
        .filter(|n| !to.tables.contains_key(*n))
        .cloned()
        .collect();
    // A dropped table waits for the dropped tables that refer to it.
    let mut referenced_by: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for name in &gone {
        for target in refers_to(&from.tables[name]).filter(|r| *r != name) {
            referenced_by
                .entry(target)
                .or_default()
                .insert(name.clone());
        }
    }
    let (ordered, cyclic) = order(&gone, |name| {
        referenced_by.get(name).cloned().unwrap_or_default()
    });
    for name in &cyclic {
        for fk in &from.tables[name].foreign_keys {
            if fk.ref_table != *name && cyclic.contains(&fk.ref_table) {
                plan.push(
                    Phase::DropForeignKeys,
                    Op::DropConstraint {
                        table: name.clone(),
                        name: name_of(&fk.name).to_string(),
                        existing: Existing::known(Constraint::ForeignKey(fk.clone())),
                    },
                );
            }
        }
    }
    for name in ordered.into_iter().chain(cyclic) {
        let existing = Existing::known(from.tables[&name].clone());
        plan.push(
            Phase::DropTables,
            Op::DropTable {
                table: name,
                existing,
            },
        );
    }
}

fn refers_to(table: &Table) -> impl Iterator<Item = &str> {
    table.foreign_keys.iter().map(|fk| fk.ref_table.as_str())
}
