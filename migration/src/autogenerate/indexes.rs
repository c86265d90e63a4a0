//! Indexes, matched by what they index (keys with their order, operator class and collation,
//! included columns, uniqueness and whether nulls collide, predicate, method), not by name; one
//! that matches under another name is renamed.

use super::{Phase, Plan};
use crate::canonical::Expressions;
use crate::ops::{Existing, Op};
use crate::schema::{Index, Table};

/// Two indexes do the same job.
fn same(table: &str, a: &Index, b: &Index, exprs: &Expressions) -> bool {
    let predicate = |i: &Index| i.predicate.as_deref().map(|p| exprs.key(table, p));
    a.keys == b.keys
        && a.options == b.options
        && a.include == b.include
        && a.unique == b.unique
        && a.nulls_not_distinct == b.nulls_not_distinct
        && predicate(a) == predicate(b)
        && a.method == b.method
}

pub(super) fn compare(before: &Table, after: &Table, exprs: &Expressions, plan: &mut Plan) {
    let table = &after.name;
    let mut unmatched: Vec<&Index> = after.indexes.iter().collect();
    for index in &before.indexes {
        match unmatched.iter().position(|i| same(table, i, index, exprs)) {
            Some(at) => {
                let kept = unmatched.remove(at);
                if kept.name != index.name {
                    plan.push(
                        Phase::RenameKeys,
                        Op::RenameIndex {
                            table: table.clone(),
                            from: index.name.clone(),
                            to: kept.name.clone(),
                        },
                    );
                }
            }
            None => plan.push(
                Phase::DropIndexes,
                Op::DropIndex {
                    table: table.clone(),
                    name: index.name.clone(),
                    existing: Existing::known(index.clone()),
                },
            ),
        }
    }
    for index in unmatched {
        plan.push(
            Phase::CreateIndexes,
            Op::CreateIndex {
                table: table.clone(),
                index: index.clone(),
            },
        );
    }
}

/// Unique indexes of `before` without a twin in `after`: keys a foreign key may lean on that
/// the upgrade drops.
pub(super) fn dropped_unique<'a>(before: &'a Table, after: &Table) -> Vec<&'a Index> {
    before
        .indexes
        .iter()
        .filter(|i| i.unique && i.predicate.is_none())
        // Neither side has a predicate here, so how predicates compare does not matter.
        .filter(|i| {
            let exprs = Expressions::exact();
            !after.indexes.iter().any(|a| same(&after.name, a, i, &exprs))
        })
        .collect()
}
