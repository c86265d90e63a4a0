//! Autogenerate: the ops that turn one schema model into another.
//!
//! [`diff`] is a pure function of two models (plus the renames the entities ask for). Each kind
//! of object is compared in a module of its own, by structure and never by name, and each
//! comparison files its ops under a [`Phase`]. The phases put the ops in an order that always
//! applies: foreign keys that depend on a key, column or table are dropped before it is
//! dropped or changed and made again after; keys come before the foreign keys that need them;
//! tables are created before the foreign keys that point at them. Within a phase ops follow the
//! models' name order, so the same two models always give the same ops.
//!
//! Having both models, the diff fills what each alter and drop changes (`existing` in
//! [`Op`]): the column as it was, the table, key, constraint or index dropped. Names come from
//! the models, filled when they were built; a model built by hand as a plain value is named
//! once on entry ([`crate::naming::filled`]).

mod columns;
mod constraints;
mod definitions;
pub mod describe;
pub(crate) use definitions::in_reading_order as views_in_reading_order;
mod indexes;
pub mod render;
mod tables;
mod types;

use crate::apply::apply;
use crate::canonical::Expressions;
use crate::naming;
use crate::ops::{ColumnChange, Existing, Op};
use crate::schema::Schema;
use anyhow::{bail, Context, Result};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What the diff cannot see in the models themselves.
#[derive(Clone, Debug, Default)]
pub struct Hints {
    /// Column renames: (table, new name) to old name, from SeaORM's `renamed_from`.
    pub column_renames: BTreeMap<(String, String), String>,
    /// How expressions are compared: by the database's own text where a database wrote (or
    /// canonicalized) them ([`crate::canonical`]).
    pub expressions: Expressions,
}

impl Hints {
    /// The same renames seen from the other side, for the downgrade.
    pub fn reversed(&self) -> Hints {
        Hints {
            column_renames: self
                .column_renames
                .iter()
                .map(|((table, new), old)| ((table.clone(), old.clone()), new.clone()))
                .collect(),
            expressions: self.expressions.clone(),
        }
    }
}

/// When an op runs, relative to the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Triggers and views that go or change, before anything they use changes; functions
    /// made again (their result or arguments change) once those are gone.
    DropTriggers,
    DropViews,
    DropFunctions,
    CreateEnums,
    AlterEnums,
    CreateSequences,
    AlterSequences,
    /// Functions that the target's defaults, checks, generated columns or indexes call.
    CreateFunctionsEarly,
    RenameColumns,
    DropForeignKeys,
    DropTables,
    DropIndexes,
    DropUniques,
    DropChecks,
    DropPrimaryKeys,
    DropColumns,
    /// Keys, checks and indexes that stay but are named otherwise (after the drops, so that a
    /// name a dropped one had is free).
    RenameKeys,
    AddColumns,
    AlterColumns,
    /// Generated columns, whose expressions may read columns the alters just changed.
    AddGeneratedColumns,
    CreatePrimaryKeys,
    CreateUniques,
    CreateChecks,
    CreateIndexes,
    CreateTables,
    CreateForeignKeys,
    TableComments,
    /// Functions, then the views that may call them (each after what it reads), then the
    /// triggers that call functions.
    CreateFunctions,
    CreateViews,
    CreateTriggers,
    /// Functions dropped for good, once nothing that calls them is left.
    DropFunctionsLast,
    DropEnums,
    DropSequences,
}

/// Ops filed by phase; read back in phase order.
#[derive(Debug, Default)]
struct Plan {
    ops: BTreeMap<Phase, Vec<Op>>,
}

impl Plan {
    fn push(&mut self, phase: Phase, op: Op) {
        self.ops.entry(phase).or_default().push(op);
    }

    fn into_ops(mut self) -> Vec<Op> {
        if let Some(renames) = self.ops.remove(&Phase::RenameKeys) {
            self.ops.insert(Phase::RenameKeys, ordered_renames(renames));
        }
        self.ops.into_values().flatten().collect()
    }
}

/// The renames of keys, checks and indexes in an order where no name is taken when it is
/// given: a rename to a name another one still has to give up waits for it (`a` to `b` after
/// `b` to `c`), and a cycle (two names swapped) goes through a name of its own. Names are
/// taken as one namespace: an index's name is its schema's, and a key's is its index's.
fn ordered_renames(mut pending: Vec<Op>) -> Vec<Op> {
    fn names(op: &Op) -> (&str, &str) {
        match op {
            Op::RenameConstraint { from, to, .. } | Op::RenameIndex { from, to, .. } => (from, to),
            _ => ("", ""),
        }
    }
    let mut out = Vec::with_capacity(pending.len());
    let mut spare = 0;
    while !pending.is_empty() {
        let free = pending.iter().position(|op| {
            let to = names(op).1;
            !pending.iter().any(|other| names(other).0 == to)
        });
        let at = match free {
            Some(at) => at,
            None => {
                // Every target is still held: a cycle. The first rename goes by a spare name.
                let spare_name = format!("_opdb_rename_{spare}");
                spare += 1;
                let (step, rest) = match pending[0].clone() {
                    Op::RenameConstraint { table, from, to } => (
                        Op::RenameConstraint {
                            table: table.clone(),
                            from,
                            to: spare_name.clone(),
                        },
                        Op::RenameConstraint {
                            table,
                            from: spare_name,
                            to,
                        },
                    ),
                    Op::RenameIndex { table, from, to } => (
                        Op::RenameIndex {
                            table: table.clone(),
                            from,
                            to: spare_name.clone(),
                        },
                        Op::RenameIndex {
                            table,
                            from: spare_name,
                            to,
                        },
                    ),
                    // Only renames are filed here; anything else has no name to wait for.
                    other => {
                        out.push(other);
                        pending.remove(0);
                        continue;
                    }
                };
                out.push(step);
                pending[0] = rest;
                continue;
            }
        };
        out.push(pending.remove(at));
    }
    out
}

/// The ops that turn `from` into `to`, in an order that applies.
pub fn diff(from: &Schema, to: &Schema, hints: &Hints) -> Vec<Op> {
    let (from, to) = (&*naming::filled(from), &*naming::filled(to));
    let mut plan = Plan::default();
    types::compare_enums(from, to, &mut plan);
    types::compare_sequences(from, to, &mut plan);
    let renamed = rename_columns(from, to, hints, &mut plan);
    let replaced = columns::replace_generated(&renamed, to, &hints.expressions, &mut plan);
    let from = &*replaced;
    let rebuilt = constraints::keys_rebuilt(from, to);
    tables::compare(from, to, &mut plan);
    for (name, before) in &from.tables {
        if let Some(after) = to.tables.get(name) {
            let exprs = &hints.expressions;
            columns::compare(before, after, exprs, &mut plan);
            constraints::compare(before, after, &rebuilt, exprs, &mut plan);
            indexes::compare(before, after, exprs, &mut plan);
            if before.comment != after.comment {
                plan.push(
                    Phase::TableComments,
                    Op::SetTableComment {
                        table: name.clone(),
                        comment: after.comment.clone(),
                    },
                );
            }
        }
    }
    definitions::compare(from, to, &hints.expressions, &mut plan);
    plan.into_ops()
}

/// Emits the renames `hints` ask for where the old column exists and the new one does not
/// yet, and returns `from` with them applied, so the rest of the diff sees one column.
fn rename_columns<'a>(
    from: &'a Schema,
    to: &Schema,
    hints: &Hints,
    plan: &mut Plan,
) -> Cow<'a, Schema> {
    // Copied only when a rename applies: a schema of thousands of tables is costly to clone.
    let mut renamed = Cow::Borrowed(from);
    for ((table, new), old) in &hints.column_renames {
        let (Some(before), Some(after)) = (from.tables.get(table), to.tables.get(table)) else {
            continue;
        };
        if before.column(old).is_none() || before.column(new).is_some() {
            continue;
        }
        if after.column(new).is_none() || after.column(old).is_some() {
            continue;
        }
        let op = Op::AlterColumn {
            table: table.clone(),
            column: old.clone(),
            change: ColumnChange::new().rename(new),
            existing: Existing::from_option(before.column(old).cloned()),
        };
        if apply(renamed.to_mut(), &op).is_ok() {
            plan.push(Phase::RenameColumns, op);
        }
    }
    renamed
}

/// A revision's two halves: the ops of `upgrade` (from → to) and of `downgrade` (to → from),
/// each checked by applying it to the model it starts from: what it builds must compare equal
/// to where it should lead.
pub fn revision_ops(from: &Schema, to: &Schema, hints: &Hints) -> Result<(Vec<Op>, Vec<Op>)> {
    let upgrade = diff(from, to, hints);
    let downgrade = diff(to, from, &hints.reversed());
    // An empty half is not checked again: applying nothing and comparing would be the very
    // computation that found nothing to do (rename hints that apply always add an op).
    if !upgrade.is_empty() {
        verify(from, &upgrade, to, &hints.expressions).context("the generated upgrade")?;
    }
    if !downgrade.is_empty() {
        verify(to, &downgrade, from, &hints.expressions).context("the generated downgrade")?;
    }
    Ok((upgrade, downgrade))
}

/// Applies `ops` to `start` and fails unless the result has no differences from `goal`.
pub fn verify(start: &Schema, ops: &[Op], goal: &Schema, expressions: &Expressions) -> Result<()> {
    // Copied only when there is something to apply (a schema of thousands of tables is costly
    // to clone): with no ops, `start` itself must have no differences from `goal`.
    let mut model = Cow::Borrowed(start);
    for op in ops {
        apply(model.to_mut(), op).with_context(|| format!("applying {}", describe::op(op)))?;
    }
    let hints = Hints {
        expressions: expressions.clone(),
        ..Hints::default()
    };
    let left = diff(&model, goal, &hints);
    if !left.is_empty() {
        let left: Vec<String> = left.iter().map(describe::op).collect();
        bail!(
            "does not reach the target (an opdb bug, please report it): still to do: {}",
            left.join("; ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Change, Existing};
    use crate::schema::{CheckConstraint, Column, ColumnType, Table, UniqueConstraint};
    use sea_orm::DbBackend;

    fn schema(tables: Vec<Table>) -> Schema {
        Schema {
            tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
            ..Schema::default()
        }
    }

    /// A model built by hand as a plain value, with a check and a unique constraint that have
    /// no name: autogenerate used to write the check as `.check("", ..)`, which a revision then
    /// ran as `CONSTRAINT "" CHECK (..)`.
    #[test]
    fn keys_without_a_name_get_their_conventional_one_never_an_empty_one() {
        let unnamed = Table {
            name: "gadget".into(),
            columns: vec![Column::new("n", ColumnType::Integer)],
            uniques: vec![UniqueConstraint {
                name: None,
                columns: vec!["n".into()],
                nulls_not_distinct: false,
            }],
            checks: vec![CheckConstraint {
                name: None,
                expression: "n > 0".into(),
            }],
            ..Table::default()
        };
        let empty = Schema::default();
        let model = schema(vec![unnamed.clone()]);
        let (upgrade, downgrade) = revision_ops(&empty, &model, &Hints::default()).unwrap();
        let code = render::lines(&upgrade).join("\n");
        assert!(
            code.contains(r#".check("gadget_check1", "n > 0")"#),
            "{code}"
        );
        assert!(!code.contains(r#""""#), "{code}");
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let sql = crate::ddl::script(backend, &empty, &upgrade).unwrap();
            assert!(
                sql.contains("CONSTRAINT gadget_check1 CHECK (n > 0)"),
                "{sql}"
            );
            assert!(sql.contains("CONSTRAINT gadget_n_key UNIQUE (n)"), "{sql}");
            assert!(!sql.contains(r#"CONSTRAINT """#), "{sql}");
        }
        assert_eq!(render::lines(&downgrade), [r#"op.drop_table("gadget");"#]);

        // Dropped from a hand-built model: dropped by the name it would have been given.
        let mut kept = unnamed.clone();
        kept.checks.clear();
        kept.uniques.clear();
        let ops = diff(&model, &schema(vec![kept]), &Hints::default());
        let code = render::lines(&ops).join("\n");
        assert!(
            code.contains(r#"op.drop_constraint("gadget", "gadget_check1");"#),
            "{code}"
        );
        assert!(
            code.contains(r#"op.drop_constraint("gadget", "gadget_n_key");"#),
            "{code}"
        );

        // A revision that names a check "" gets the conventional name too.
        let table = Table::new("gadget")
            .col(Column::new("n", ColumnType::Integer))
            .check("", "n > 0");
        for sql in crate::ddl::postgres::create_table(&table)
            .into_iter()
            .chain(crate::ddl::sqlite::create_table(&table))
        {
            assert!(!sql.contains(r#"CONSTRAINT """#), "{sql}");
        }
        assert_eq!(table.checks[0].name.as_deref(), Some("gadget_check1"));
    }

    /// The diff's alters and drops carry the column as it was, so the warnings need no model
    /// to find the old type, and the change applied to it gives the column as it will be.
    #[test]
    fn alters_and_drops_carry_what_they_change() {
        let before = Table::new("gadget")
            .col(Column::new("x", ColumnType::Integer))
            .col(Column::new("y", ColumnType::Text));
        let after = Table::new("gadget").col(Column::new("x", ColumnType::SmallInt).not_null());
        let ops = diff(
            &schema(vec![before.clone()]),
            &schema(vec![after.clone()]),
            &Hints::default(),
        );
        let Some(Op::AlterColumn {
            change, existing, ..
        }) = ops.iter().find(|op| matches!(op, Op::AlterColumn { .. }))
        else {
            panic!("no alter in {ops:?}");
        };
        assert_eq!(existing.get(), before.column("x"));
        assert_eq!(change.ty, Change::Set(ColumnType::SmallInt));
        assert_eq!(change.default, Change::Keep);
        assert_eq!(
            Some(change.applied_to(existing.get().unwrap())).as_ref(),
            after.column("x")
        );
        assert!(ops.iter().any(|op| matches!(
            op,
            Op::DropColumn { column, existing, .. }
                if column == "y" && existing.get() == before.column("y")
        )));
        // An empty model: everything the warnings say comes from the ops.
        let warned = describe::warnings(&Schema::default(), &ops);
        assert!(
            warned.contains(
                &"changes gadget.x from integer to smallint: values may not fit".to_string()
            ),
            "{warned:?}"
        );
        // What an op carries is context: the same op recorded by a revision (not knowing the
        // column) is equal to the diff's.
        let recorded = Op::AlterColumn {
            table: "gadget".into(),
            column: "x".into(),
            change: change.clone(),
            existing: Existing::unknown(),
        };
        assert!(ops.contains(&recorded));
    }

    /// Making a column serial on PostgreSQL takes the sequence's type from the column the op
    /// carries when the model does not have it.
    #[test]
    fn a_serial_alter_types_its_sequence_from_the_column_it_carries() {
        let op = Op::AlterColumn {
            table: "gadget".into(),
            column: "id".into(),
            change: ColumnChange::new().auto_increment(true),
            existing: Existing::known(Column::new("id", ColumnType::BigInt)),
        };
        let sql = crate::ddl::postgres::render(&op, &Schema::default()).unwrap();
        assert!(
            sql[0].starts_with("CREATE SEQUENCE gadget_id_seq AS bigint"),
            "{sql:?}"
        );
    }
}
