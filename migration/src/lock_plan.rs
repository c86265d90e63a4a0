//! A revision's steps cut into phases, each committed on its own: the plan the runner follows
//! when a revision cannot run in one transaction (it holds a `CONCURRENTLY` step) or when the
//! upgrade is online (`--online`, or `online = true` in `alembic.toml`).
//!
//! PostgreSQL refuses `CREATE INDEX CONCURRENTLY` inside a transaction, and a transaction that
//! holds one table's lock while it waits for another's makes writers of the first wait too.
//! So the online plan rewrites what would block writers into PostgreSQL's online forms
//! ([`crate::hazards`] names them) and puts each table's changes in a phase of their own:
//!
//! - an index on an existing table: `CREATE INDEX CONCURRENTLY`, alone, outside any
//!   transaction; a dropped index: `DROP INDEX CONCURRENTLY`;
//! - a foreign key or a check: added `NOT VALID` (a brief lock, no scan), then `VALIDATE
//!   CONSTRAINT` in a phase of its own (a scan under a lock writers pass);
//! - `SET NOT NULL`: a `CHECK (column IS NOT NULL) NOT VALID`, validated apart, then `SET NOT
//!   NULL` (PostgreSQL skips its scan when a valid check proves it) with the check dropped in
//!   the same transaction;
//! - a unique constraint: its unique index built `CONCURRENTLY`, then `ADD CONSTRAINT ...
//!   UNIQUE USING INDEX` (no scan);
//! - everything else as it is, in phases that lock one existing table each.
//!
//! Ops on tables the revision itself creates are not rewritten: nobody else uses those yet.
//! The plain plan is the revision's steps in one transaction, cut only around the steps that
//! must run outside one. The runner ([`crate::runtime`]) runs each phase with `lock_timeout`,
//! retries it when the timeout strikes, records each phase in the history table, and resumes
//! a revision interrupted between phases.

use crate::ops::{ColumnChange, DataFn, Existing, Op, Step};
use crate::schema::{CheckConstraint, Index, IndexKey};
use std::collections::BTreeSet;

/// One thing a phase does: an op (the revision's, or one the online plan wrote for it), or a
/// data migration of the revision.
pub enum Item<'a> {
    /// Boxed: an op is much larger than a data migration's reference.
    Op(Box<Op>),
    Data(&'a DataFn),
}

impl std::fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Op(op) => op.fmt(f),
            Item::Data(_) => f.write_str("Data(..)"),
        }
    }
}

/// A part of a revision committed on its own.
#[derive(Debug)]
pub struct Phase<'a> {
    pub items: Vec<Item<'a>>,
    /// Runs outside any transaction (a `CONCURRENTLY` op, alone in its phase).
    pub alone: bool,
    /// The revision's steps it comes from, numbered from 1.
    pub steps: BTreeSet<usize>,
}

impl Phase<'_> {
    /// The ops of the phase.
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.items.iter().filter_map(|i| match i {
            Item::Op(op) => Some(&**op),
            Item::Data(_) => None,
        })
    }

    /// How messages name it: `step 3`, `steps 2, 4-5`.
    pub fn label(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let steps: Vec<usize> = self.steps.iter().copied().collect();
        let mut i = 0;
        while i < steps.len() {
            let mut j = i;
            while j + 1 < steps.len() && steps[j + 1] == steps[j] + 1 {
                j += 1;
            }
            parts.push(match i == j {
                true => steps[i].to_string(),
                false => format!("{}-{}", steps[i], steps[j]),
            });
            i = j + 1;
        }
        let word = if steps.len() == 1 { "step" } else { "steps" };
        format!("{word} {}", parts.join(", "))
    }
}

/// What a phase locks, for grouping: items with no key join any transaction phase.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    /// Locks no table anyone else uses.
    Free,
    /// Locks this existing table.
    Table(String),
    /// Needs a transaction of its own (a validation, raw SQL, a data migration, a new table
    /// with keys into existing ones).
    Own,
    /// Runs outside any transaction.
    Alone,
}

/// The phases of a revision's `steps`: the online plan, or the plain one.
pub fn plan(steps: &[Step], online: bool) -> Vec<Phase<'_>> {
    let mut keyed: Vec<(usize, Item<'_>, Key)> = Vec::new();
    let mut created: BTreeSet<String> = BTreeSet::new();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let op = match step {
            Step::Data(f) => {
                let key = if online { Key::Own } else { Key::Free };
                keyed.push((n, Item::Data(f), key));
                continue;
            }
            Step::Op(op) => &**op,
        };
        let existing = |t: &str| !created.contains(t);
        if online {
            for (op, key) in online_form(op, &existing) {
                keyed.push((n, Item::Op(Box::new(op)), key));
            }
        } else {
            // A validation written by hand is meant to run apart from the NOT VALID add that
            // took the strong lock: its own transaction, as in the online plan.
            let key = match op {
                _ if op.outside_transaction() => Key::Alone,
                Op::ValidateConstraint { .. } => Key::Own,
                _ => Key::Free,
            };
            keyed.push((n, Item::Op(Box::new(op.clone())), key));
        }
        match op {
            Op::CreateTable(t) => {
                created.insert(t.name.clone());
            }
            Op::RenameTable { from, to } if created.contains(from) => {
                created.insert(to.clone());
            }
            _ => {}
        }
    }
    group(keyed)
}

/// Phases from keyed items, in order: a transaction phase takes free items and the items of
/// at most one table; an item that needs a phase of its own gets one.
fn group(keyed: Vec<(usize, Item<'_>, Key)>) -> Vec<Phase<'_>> {
    let mut phases: Vec<Phase> = Vec::new();
    // The key of the last phase, while it may take more items.
    let mut open: Option<Key> = None;
    for (step, item, key) in keyed {
        let joins = match (&open, &key) {
            (Some(_), Key::Free) => true,
            (Some(Key::Free), Key::Table(_)) => true,
            (Some(Key::Table(a)), Key::Table(b)) => a == b,
            _ => false,
        };
        if joins {
            let phase = phases.last_mut().expect("an open phase");
            phase.items.push(item);
            phase.steps.insert(step);
            if let (Some(Key::Free), Key::Table(_)) = (&open, &key) {
                open = Some(key);
            }
            continue;
        }
        let alone = key == Key::Alone;
        phases.push(Phase {
            items: vec![item],
            alone,
            steps: BTreeSet::from([step]),
        });
        open = match key {
            Key::Free | Key::Table(_) => Some(key),
            Key::Own | Key::Alone => None,
        };
    }
    phases
}

/// The name of the check that stands in for `NOT NULL` on `table.column` while it is proved,
/// within PostgreSQL's 63 bytes.
pub fn not_null_check(table: &str, column: &str) -> String {
    let mut name = format!("{table}_{column}_not_null");
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// `op` as the online plan runs it, each part with its key. `existing` says whether a table was
/// there before the revision.
fn online_form(op: &Op, existing: &dyn Fn(&str) -> bool) -> Vec<(Op, Key)> {
    let on_existing = op.locked_table().is_some_and(existing);
    let validate = |table: &str, name: &str| {
        (
            Op::ValidateConstraint {
                table: table.into(),
                name: name.into(),
            },
            Key::Own,
        )
    };
    let table_key = |t: &str| Key::Table(t.to_string());
    match op {
        _ if op.outside_transaction() => vec![(op.clone(), Key::Alone)],
        // Raw SQL; validations, and keys added NOT VALID (which lock the table they point at
        // too), written by hand: a transaction of their own.
        Op::Execute { .. }
        | Op::ValidateConstraint { .. }
        | Op::CreateForeignKeyNotValid { .. } => vec![(op.clone(), Key::Own)],
        Op::CreateTable(t) => {
            let into_existing = t
                .foreign_keys
                .iter()
                .any(|k| k.ref_table != t.name && existing(&k.ref_table));
            let key = if into_existing { Key::Own } else { Key::Free };
            vec![(op.clone(), key)]
        }
        // A key from a new table into an existing one locks the existing one.
        Op::CreateForeignKey { key, .. } if !on_existing && existing(&key.ref_table) => {
            vec![(op.clone(), Key::Own)]
        }
        _ if !on_existing => vec![(op.clone(), Key::Free)],
        Op::CreateIndex { table, index } => vec![(
            Op::CreateIndexConcurrently {
                table: table.clone(),
                index: index.clone(),
            },
            Key::Alone,
        )],
        Op::DropIndex {
            table,
            name,
            existing,
        } => vec![(
            Op::DropIndexConcurrently {
                table: table.clone(),
                name: name.clone(),
                existing: existing.clone(),
            },
            Key::Alone,
        )],
        Op::CreateForeignKey { table, key } => {
            let name = crate::schema::name_of(&key.name).to_string();
            vec![
                (
                    Op::CreateForeignKeyNotValid {
                        table: table.clone(),
                        key: key.clone(),
                    },
                    Key::Own,
                ),
                validate(table, &name),
            ]
        }
        Op::CreateCheck { table, check } if !crate::naming::missing(&check.name) => {
            let name = crate::schema::name_of(&check.name).to_string();
            vec![
                (
                    Op::CreateCheckNotValid {
                        table: table.clone(),
                        check: check.clone(),
                    },
                    table_key(table),
                ),
                validate(table, &name),
            ]
        }
        Op::CreateUnique { table, unique } if !crate::naming::missing(&unique.name) => {
            let name = crate::schema::name_of(&unique.name).to_string();
            let index = Index {
                name: name.clone(),
                keys: unique.columns.iter().cloned().map(IndexKey::Column).collect(),
                unique: true,
                nulls_not_distinct: unique.nulls_not_distinct,
                ..Index::default()
            };
            vec![
                (
                    Op::CreateIndexConcurrently {
                        table: table.clone(),
                        index,
                    },
                    Key::Alone,
                ),
                (
                    Op::CreateUniqueUsingIndex {
                        table: table.clone(),
                        name: name.clone(),
                        index: name,
                    },
                    table_key(table),
                ),
            ]
        }
        Op::AlterColumn {
            table,
            column,
            change,
            existing,
        } if change.nullable == crate::ops::Change::Set(false) => {
            let check = not_null_check(table, column);
            let rest = ColumnChange {
                nullable: crate::ops::Change::Keep,
                ..change.clone()
            };
            let mut out = vec![
                (
                    Op::CreateCheckNotValid {
                        table: table.clone(),
                        check: CheckConstraint {
                            name: Some(check.clone()),
                            expression: format!("{} IS NOT NULL", crate::ddl::ident(column)),
                        },
                    },
                    table_key(table),
                ),
                validate(table, &check),
                (
                    Op::AlterColumn {
                        table: table.clone(),
                        column: column.clone(),
                        change: ColumnChange::new().nullable(false),
                        existing: existing.clone(),
                    },
                    table_key(table),
                ),
                (
                    Op::DropConstraint {
                        table: table.clone(),
                        name: check,
                        existing: Existing::unknown(),
                    },
                    table_key(table),
                ),
            ];
            // The rest of the change after it (a default, a comment, a rename, a type: brief
            // unless the type rewrites the table, which the hazards name).
            if !rest.is_empty() {
                out.push((
                    Op::AlterColumn {
                        table: table.clone(),
                        column: column.clone(),
                        change: rest,
                        existing: existing.clone(),
                    },
                    table_key(table),
                ));
            }
            out
        }
        _ => vec![(op.clone(), table_key(op.locked_table().unwrap_or_default()))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Ops;
    use crate::schema::{Column, ColumnType, ForeignKey, Table};

    fn shape(phases: &[Phase]) -> Vec<String> {
        phases
            .iter()
            .map(|p| {
                let ops: Vec<String> = p.ops().map(crate::autogenerate::describe::op).collect();
                format!(
                    "{}{}: {}",
                    if p.alone { "alone " } else { "" },
                    p.label(),
                    ops.join("; ")
                )
            })
            .collect()
    }

    #[test]
    fn the_online_plan_puts_each_blocking_step_in_its_online_form_and_phase() {
        let mut op = Ops::new();
        op.create_table(Table::new("fresh").col(Column::new("id", ColumnType::Integer)));
        op.create_index("fresh", Index::new("fresh_id_idx", ["id"]));
        op.create_index("visit", Index::new("visit_seeing_idx", ["seeing"]));
        op.create_foreign_key("visit", ForeignKey::new(["design_id"], "design", ["id"]));
        op.create_check("visit", "visit_seeing_check", "seeing > 0");
        op.alter_column("visit", "seeing", ColumnChange::new().nullable(false));
        op.create_unique("visit", ["seq"]);
        op.drop_index("visit", "visit_old_idx");
        op.add_column("visit", Column::new("note", ColumnType::Text));
        let online = plan(&op.steps, true);
        assert_eq!(
            shape(&online),
            [
                "steps 1-2: add table fresh; add index fresh_id_idx on fresh",
                "alone step 3: add index visit_seeing_idx on visit concurrently",
                "step 4: add foreign key visit(design_id) -> design(id) not valid",
                "step 4: validate constraint visit_design_id_fkey of visit",
                "step 5: add check constraint on visit not valid: seeing > 0",
                "step 5: validate constraint visit_seeing_check of visit",
                "step 6: add check constraint on visit not valid: seeing IS NOT NULL",
                "step 6: validate constraint visit_seeing_not_null of visit",
                "step 6: alter column visit.seeing: NOT NULL; drop constraint visit_seeing_not_null \
                 of visit",
                "alone step 7: add unique index visit_seq_key on visit concurrently",
                "step 7: add unique constraint visit_seq_key of visit using index visit_seq_key",
                "alone step 8: drop index visit_old_idx of visit concurrently",
                "step 9: add column visit.note (text)",
            ]
        );
        let plain = plan(&op.steps, false);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].label(), "steps 1-9");
        let mut op = Ops::new();
        op.add_column("visit", Column::new("note", ColumnType::Text));
        op.create_index_concurrently("visit", Index::new("visit_note_idx", ["note"]));
        op.set_table_comment("visit", Some("x"));
        assert_eq!(
            shape(&plan(&op.steps, false)),
            [
                "step 1: add column visit.note (text)",
                "alone step 2: add index visit_note_idx on visit concurrently",
                "step 3: change the comment of table visit",
            ]
        );
    }
}
