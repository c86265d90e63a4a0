//! What each op does to the tables writers use, on PostgreSQL: the lock it takes, whether it
//! scans or rewrites the table while holding it, and what the online plan
//! ([`crate::lock_plan`]) does instead (pg-schema-diff's hazards, for ops).
//!
//! A step that takes a lock writers wait for and then scans or rewrites the table blocks them
//! for as long as that takes: `CREATE INDEX` (SHARE), `ADD FOREIGN KEY` (SHARE ROW EXCLUSIVE on
//! both tables), `ADD CHECK`, `SET NOT NULL`, `ADD UNIQUE` and most type changes (ACCESS
//! EXCLUSIVE). The revision header lists these per step, `upgrade` prints them before it starts,
//! and `upgrade --online` refuses a revision with one that has no online form unless told to
//! go ahead. Steps that take a strong lock only briefly (a catalog change) are listed too: the
//! online plan bounds their wait with `lock_timeout`, so writers never queue behind them for
//! longer. Ops on tables the same revision creates lock nothing anyone else uses, and are not
//! listed.
//!
//! The locks are PostgreSQL 15's (its documentation's "Explicit Locking" and `ALTER TABLE`
//! pages); SQLite takes one lock on the whole file for any write.

use crate::ops::{Change, Op, Step};
use crate::schema::{ColumnType, Schema};
use std::collections::BTreeSet;

/// A table lock mode, the weakest each op needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Writers go on (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`, `COMMENT`).
    ShareUpdateExclusive,
    /// Writers wait, readers go on (`CREATE INDEX`).
    Share,
    /// Writers wait, readers go on (`ADD FOREIGN KEY`, `CREATE TRIGGER`).
    ShareRowExclusive,
    /// Everyone waits.
    AccessExclusive,
}

impl Lock {
    pub fn name(self) -> &'static str {
        match self {
            Lock::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            Lock::Share => "SHARE",
            Lock::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            Lock::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// Whether `INSERT`, `UPDATE` and `DELETE` (ROW EXCLUSIVE) wait for it.
    pub fn blocks_writes(self) -> bool {
        self != Lock::ShareUpdateExclusive
    }
}

/// What a step does while it holds its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// A catalog change: the lock is held for milliseconds.
    Brief,
    /// Reads every row (an index build, a constraint check).
    Scan,
    /// Writes the whole table anew.
    Rewrite,
}

/// What the online plan does about a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Online {
    /// Nothing to do: the step is brief or lets writers through; the plan runs it under
    /// `lock_timeout`.
    AsIs,
    /// The plan's form, in words.
    Instead(&'static str),
    /// No form that lets writers through: a maintenance window.
    Blocking,
    /// Raw SQL or a data migration: opdb cannot tell.
    Unknown,
}

/// One step's hazard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    /// The step, numbered from 1 as messages number them.
    pub step: usize,
    /// The op in words ([`crate::autogenerate::describe::op`]).
    pub what: String,
    /// The table it locks (for an enum type change, the type).
    pub table: String,
    pub lock: Lock,
    pub work: Work,
    pub online: Online,
}

impl Hazard {
    /// Whether writers wait for this step for as long as a scan or a rewrite takes, as the
    /// plain plan runs it.
    pub fn blocks_writers(&self) -> bool {
        self.lock.blocks_writes() && self.work != Work::Brief
    }

    /// Whether the online plan still blocks writers with it.
    pub fn blocks_online(&self) -> bool {
        matches!(self.online, Online::Blocking)
    }

    /// The line a revision header and `upgrade` print, such as `step 3, alter column
    /// pfs_visit.seeing: type bigint: rewrites pfs_visit under ACCESS EXCLUSIVE (reads and
    /// writes wait): no online form, needs a maintenance window`.
    pub fn line(&self) -> String {
        if self.online == Online::Unknown {
            return format!(
                "step {}, {}: {} cannot tell what it locks or for how long (online, it runs \
                 under lock_timeout)",
                self.step,
                self.what,
                crate::tool::name()
            );
        }
        let who_waits = match self.lock {
            Lock::ShareUpdateExclusive => "writes go on",
            Lock::AccessExclusive => "reads and writes wait",
            _ => "writes wait",
        };
        let work = match self.work {
            Work::Brief => format!("{} on {} briefly", self.lock.name(), self.table),
            Work::Scan => format!(
                "scans {} under {} ({who_waits})",
                self.table,
                self.lock.name()
            ),
            Work::Rewrite => format!(
                "rewrites {} under {} ({who_waits})",
                self.table,
                self.lock.name()
            ),
        };
        let online = match &self.online {
            Online::AsIs | Online::Unknown => String::new(),
            Online::Instead(how) => format!("; online: {how}"),
            Online::Blocking => ": no online form, needs a maintenance window".to_string(),
        };
        format!("step {}, {}: {work}{online}", self.step, self.what)
    }
}

/// The hazards of a revision's steps on PostgreSQL, in step order: one per step that locks a
/// table the revision did not create itself (see the module's text), and one per data
/// migration or raw SQL step. `before` is the schema before them, as far as it is known (the
/// revisions' replayed ops): where an op does not say what it changes (a revision's recorded
/// `alter_column` lacks the old type), it is looked up there, and a type change whose old type
/// is nowhere is taken as a rewrite.
pub fn of_steps(steps: &[Step], before: &Schema) -> Vec<Hazard> {
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut model = before.clone();
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Data(_) => out.push(unknown(i + 1, "data migration")),
            Step::Op(op) => {
                out.extend(of_op(i + 1, op, &created, &model));
                // The model follows as far as it can: an op on a table it does not know (made
                // by raw SQL) changes nothing in it.
                let _ = crate::apply::apply(&mut model, op);
                match &**op {
                    Op::CreateTable(t) => {
                        created.insert(t.name.clone());
                    }
                    Op::RenameTable { from, to } if created.contains(from) => {
                        created.insert(to.clone());
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// [`of_steps`] for ops alone (the diff's, which say what they change).
pub fn of_ops(ops: &[Op]) -> Vec<Hazard> {
    let steps: Vec<Step> = ops.iter().map(|op| Step::Op(Box::new(op.clone()))).collect();
    of_steps(&steps, &Schema::default())
}

fn unknown(step: usize, what: &str) -> Hazard {
    Hazard {
        step,
        what: what.to_string(),
        table: "the tables it names".into(),
        lock: Lock::AccessExclusive,
        work: Work::Brief,
        online: Online::Unknown,
    }
}

/// Whether a change of type from `from` to `to` leaves the table's bytes as they are
/// (PostgreSQL then changes only the catalog): a longer or unbounded character type, a numeric
/// of more precision and the same scale.
fn binary_coercible(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    match (from, to) {
        (a, b) if a == b => true,
        (Varchar(Some(a)), Varchar(Some(b))) => a <= b,
        (Varchar(_) | Text, Varchar(None) | Text) => true,
        (Numeric(Some((p, s))), Numeric(Some((q, t)))) => s == t && p <= q,
        (Numeric(_), Numeric(None)) => true,
        _ => false,
    }
}

/// Whether a default expression is volatile, so that adding a column with it writes every row
/// (a constant or a stable default is stored once, in the catalog).
fn volatile_default(sql: &str) -> bool {
    let lower = sql.to_lowercase();
    [
        "nextval(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate_",
        "clock_timestamp(",
        "timeofday(",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

fn hazard(step: usize, op: &Op, table: &str, lock: Lock, work: Work, online: Online) -> Hazard {
    Hazard {
        step,
        what: crate::autogenerate::describe::op(op),
        table: table.to_string(),
        lock,
        work,
        online,
    }
}

/// The hazard of one op (numbered `step`), given the tables the revision created before it;
/// `None` when it locks no table anyone else uses.
fn of_op(step: usize, op: &Op, created: &BTreeSet<String>, before: &Schema) -> Option<Hazard> {
    use Lock::*;
    use Work::*;
    let new = |t: &str| created.contains(t);
    let h = |table: &str, lock, work, online| Some(hazard(step, op, table, lock, work, online));
    match op {
        Op::Execute { .. } => Some(unknown(step, "raw SQL")),
        Op::CreateTable(t) => {
            // Its foreign keys lock the tables they point at, briefly (the table is empty).
            let target = t
                .foreign_keys
                .iter()
                .find(|k| k.ref_table != t.name && !new(&k.ref_table) && k.ref_schema.is_none())?;
            h(&target.ref_table, ShareRowExclusive, Brief, Online::AsIs)
        }
        Op::AlterEnum { name, .. } => Some(Hazard {
            step,
            what: crate::autogenerate::describe::op(op),
            table: format!("every table with a column of type {name}"),
            lock: AccessExclusive,
            work: Rewrite,
            online: Online::Blocking,
        }),
        // A key from a new table into an existing one locks the existing one, briefly.
        Op::CreateForeignKey { table, key } | Op::CreateForeignKeyNotValid { table, key }
            if new(table) =>
        {
            if new(&key.ref_table) || key.ref_schema.is_some() {
                return None;
            }
            h(&key.ref_table, ShareRowExclusive, Brief, Online::AsIs)
        }
        _ => {
            let table = op.locked_table()?;
            if new(table) {
                return None;
            }
            let (lock, work, online) = match op {
                Op::DropTable { .. } | Op::RenameTable { .. } | Op::DropColumn { .. } => {
                    (AccessExclusive, Brief, Online::AsIs)
                }
                Op::AddColumn { column, .. } => {
                    let rewrites = column.generated.as_ref().is_some_and(|g| g.stored)
                        || column.identity.is_some()
                        || column.auto_increment
                        || column.default.as_deref().is_some_and(volatile_default);
                    match rewrites {
                        true => (AccessExclusive, Rewrite, Online::Blocking),
                        false => (AccessExclusive, Brief, Online::AsIs),
                    }
                }
                Op::AlterColumn {
                    table,
                    column,
                    change,
                    existing,
                } => {
                    let was = existing.get().or_else(|| before.table(table)?.column(column));
                    let retyped = match (&change.ty, was) {
                        (Change::Set(to), Some(was)) => !binary_coercible(&was.ty, to),
                        (Change::Set(_), None) => true,
                        (Change::Keep, _) => false,
                    } || change.collation.is_set()
                        || change.using.is_some()
                        || change.cast;
                    if retyped {
                        (AccessExclusive, Rewrite, Online::Blocking)
                    } else if change.nullable == Change::Set(false) {
                        (
                            AccessExclusive,
                            Scan,
                            Online::Instead(
                                "CHECK (column IS NOT NULL) NOT VALID, validated apart, then SET \
                                 NOT NULL without a scan",
                            ),
                        )
                    } else {
                        (AccessExclusive, Brief, Online::AsIs)
                    }
                }
                Op::CreatePrimaryKey { .. } => (AccessExclusive, Scan, Online::Blocking),
                Op::CreateUnique { unique, .. } if crate::naming::missing(&unique.name) => {
                    (AccessExclusive, Scan, Online::Blocking)
                }
                Op::CreateUnique { .. } => (
                    AccessExclusive,
                    Scan,
                    Online::Instead("unique index built CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX"),
                ),
                Op::CreateForeignKey { .. } => (
                    ShareRowExclusive,
                    Scan,
                    Online::Instead("added NOT VALID, then VALIDATE CONSTRAINT apart"),
                ),
                // The online plan names the check it validates apart: an unnamed one (named
                // by its position only when applied) keeps the plain form.
                Op::CreateCheck { check, .. } if crate::naming::missing(&check.name) => {
                    (AccessExclusive, Scan, Online::Blocking)
                }
                Op::CreateCheck { .. } => (
                    AccessExclusive,
                    Scan,
                    Online::Instead("added NOT VALID, then VALIDATE CONSTRAINT apart"),
                ),
                Op::CreateIndex { .. } => (
                    Share,
                    Scan,
                    Online::Instead("CREATE INDEX CONCURRENTLY"),
                ),
                Op::DropIndex { .. } => (
                    AccessExclusive,
                    Brief,
                    Online::Instead("DROP INDEX CONCURRENTLY"),
                ),
                Op::CreateIndexConcurrently { .. }
                | Op::DropIndexConcurrently { .. }
                | Op::ValidateConstraint { .. } => (ShareUpdateExclusive, Scan, Online::AsIs),
                Op::CreateForeignKeyNotValid { .. } | Op::CreateTrigger(_) => {
                    (ShareRowExclusive, Brief, Online::AsIs)
                }
                Op::RenameIndex { .. } | Op::SetTableComment { .. } => {
                    (ShareUpdateExclusive, Brief, Online::AsIs)
                }
                _ => (AccessExclusive, Brief, Online::AsIs),
            };
            h(table, lock, work, online)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{ColumnChange, Existing, Ops};
    use crate::schema::{Column, ForeignKey, Index, Table};

    #[test]
    fn hazards_name_the_lock_the_work_and_the_online_form() {
        let mut op = Ops::new();
        op.create_table(Table::new("fresh").col(Column::new("id", ColumnType::Integer)));
        op.create_index("fresh", Index::new("fresh_id_idx", ["id"]));
        op.create_index("pfs_visit", Index::new("pfs_visit_seeing_idx", ["seeing"]));
        op.create_foreign_key(
            "pfs_visit",
            ForeignKey::new(["design_id"], "pfs_design", ["pfs_design_id"]),
        );
        op.alter_column("pfs_visit", "seeing", ColumnChange::new().nullable(false));
        op.push(Op::AlterColumn {
            table: "pfs_visit".into(),
            column: "note".into(),
            change: ColumnChange::new().ty(ColumnType::Text),
            existing: Existing::known(Column::new("note", ColumnType::Varchar(Some(10)))),
        });
        op.alter_column("pfs_visit", "seeing", ColumnChange::new().ty(ColumnType::BigInt));
        op.execute("UPDATE pfs_visit SET seeing = 1");
        let lines: Vec<String> = of_steps(&op.steps, &Schema::default())
            .iter()
            .map(Hazard::line)
            .collect();
        assert_eq!(
            lines,
            [
                "step 3, add index pfs_visit_seeing_idx on pfs_visit: scans pfs_visit under SHARE \
                 (writes wait); online: CREATE INDEX CONCURRENTLY",
                "step 4, add foreign key pfs_visit(design_id) -> pfs_design(pfs_design_id): scans \
                 pfs_visit under SHARE ROW EXCLUSIVE (writes wait); online: added NOT VALID, then \
                 VALIDATE CONSTRAINT apart",
                "step 5, alter column pfs_visit.seeing: NOT NULL: scans pfs_visit under ACCESS \
                 EXCLUSIVE (reads and writes wait); online: CHECK (column IS NOT NULL) NOT VALID, \
                 validated apart, then SET NOT NULL without a scan",
                "step 6, alter column pfs_visit.note: type text: ACCESS EXCLUSIVE on pfs_visit \
                 briefly",
                "step 7, alter column pfs_visit.seeing: type bigint: rewrites pfs_visit under \
                 ACCESS EXCLUSIVE (reads and writes wait): no online form, needs a maintenance \
                 window",
                "step 8, raw SQL: opdb cannot tell what it locks or for how long (online, it runs \
                 under lock_timeout)",
            ]
        );
    }
}
