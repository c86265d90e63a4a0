//! Migration operations as plain data, and the thin API revision files build them with.
//!
//! The diff produces [`Op`]s, the renderer writes them as revision source, the dialect layer
//! ([`crate::ddl`]) turns them into each backend's SQL, and revision files record them through
//! [`Ops`]. Nothing here touches a database: the runner does, with what a revision recorded.
//!
//! Ops carry what they change where their producer knows it (alembic's `existing_type`): the
//! diff, which has both models, fills `existing` in alters and drops, so warnings and SQL need
//! no replayed model for them. Ops a revision file records at run time have `existing` unknown
//! (the revision API does not take it), and whoever renders them falls back on the model.
//! Every builder here fills the conventional names ([`crate::naming`]) of what it creates, so
//! code downstream finds names in place.

use crate::naming;
use crate::schema::{
    CheckConstraint, Column, ColumnType, Constraint, Deferral, FkAction, ForeignKey, Generated, Identity, Index, IndexKey, KeyOptions,
    PrimaryKey, Sequence, Table, UniqueConstraint, View, Function, Trigger, Commented,
};
use sea_orm::{DatabaseTransaction, DbErr};
use std::future::Future;
use std::pin::Pin;

/// One schema change.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    CreateTable(Table),
    DropTable {
        table: String,
        /// The table as it was, when the producer knew it.
        existing: Existing<Table>,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: String,
        /// The column as it was, when the producer knew it.
        existing: Existing<Column>,
    },
    AlterColumn {
        table: String,
        column: String,
        change: ColumnChange,
        /// The column as it was, when the producer knew it; with `change` it is also the
        /// column as it will be ([`ColumnChange::applied_to`]).
        existing: Existing<Column>,
    },
    CreatePrimaryKey {
        table: String,
        key: PrimaryKey,
    },
    DropPrimaryKey {
        table: String,
        name: String,
        /// The key as it was, when the producer knew it.
        existing: Existing<PrimaryKey>,
    },
    CreateUnique {
        table: String,
        unique: UniqueConstraint,
    },
    CreateForeignKey {
        table: String,
        key: ForeignKey,
    },
    CreateCheck {
        table: String,
        check: CheckConstraint,
    },
    /// Drops a unique, foreign key or check constraint by name.
    DropConstraint {
        table: String,
        name: String,
        /// The constraint as it was, when the producer knew it.
        existing: Existing<Constraint>,
    },
    CreateIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        name: String,
        /// The index as it was, when the producer knew it.
        existing: Existing<Index>,
    },
    /// Renames a primary key, unique, foreign key or check constraint of `table`.
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    /// Renames an index of `table`.
    RenameIndex {
        table: String,
        from: String,
        to: String,
    },
    SetTableComment {
        table: String,
        comment: Option<String>,
    },
    CreateEnum {
        name: String,
        labels: Vec<String>,
    },
    DropEnum {
        name: String,
    },
    /// Gives an enum type a new list of labels. PostgreSQL can only append labels in place, so
    /// this recreates the type and converts the columns that use it through text.
    AlterEnum {
        name: String,
        labels: Vec<String>,
    },
    CreateSequence(Sequence),
    DropSequence {
        name: String,
    },
    /// Sets every property of an existing sequence to these.
    AlterSequence(Sequence),
    /// Creates a view, or a materialized view with its indexes.
    CreateView(View),
    /// `CREATE OR REPLACE VIEW`: a plain view whose columns stay what they were (new ones may
    /// follow them), so that the views reading it need not be made again.
    ReplaceView {
        view: View,
        /// The view as it was, when the producer knew it.
        existing: Existing<View>,
    },
    DropView {
        name: String,
        materialized: bool,
        /// The view as it was, when the producer knew it.
        existing: Existing<View>,
        /// Why a view that stays is dropped (to be made again after what it reads changes),
        /// when the producer knew it; context, as `existing` is.
        because: Existing<String>,
    },
    CreateFunction(Function),
    /// `CREATE OR REPLACE FUNCTION`: the same name, arguments and result.
    ReplaceFunction {
        function: Function,
        /// The function as it was, when the producer knew it.
        existing: Existing<Function>,
    },
    DropFunction {
        name: String,
        /// The identity arguments (types, with names and modes; no defaults).
        arguments: String,
        /// The function as it was, when the producer knew it.
        existing: Existing<Function>,
    },
    /// Sets or clears the comment of a view or a function (those of tables and columns have
    /// their own ops).
    SetComment {
        on: Commented,
        comment: Option<String>,
    },
    CreateTrigger(Trigger),
    DropTrigger {
        table: String,
        name: String,
        /// The trigger as it was, when the producer knew it.
        existing: Existing<Trigger>,
    },
    /// Raw SQL, sent as written to every backend.
    Execute {
        sql: String,
    },
    /// `CREATE INDEX CONCURRENTLY` (PostgreSQL): builds the index while writers go on. It
    /// cannot run in a transaction: the runner commits before it and runs it alone
    /// ([`crate::lock_plan`]); elsewhere it is [`Op::CreateIndex`].
    CreateIndexConcurrently {
        table: String,
        index: Index,
    },
    /// `DROP INDEX CONCURRENTLY` (PostgreSQL), outside a transaction as above; elsewhere
    /// [`Op::DropIndex`].
    DropIndexConcurrently {
        table: String,
        name: String,
        /// The index as it was, when the producer knew it.
        existing: Existing<Index>,
    },
    /// A foreign key added `NOT VALID` (PostgreSQL): existing rows are not checked, so no scan
    /// holds the lock; [`Op::ValidateConstraint`] checks them later under a lock writers pass.
    /// Elsewhere it is [`Op::CreateForeignKey`].
    CreateForeignKeyNotValid {
        table: String,
        key: ForeignKey,
    },
    /// A check added `NOT VALID`, as above; elsewhere [`Op::CreateCheck`].
    CreateCheckNotValid {
        table: String,
        check: CheckConstraint,
    },
    /// `VALIDATE CONSTRAINT` (PostgreSQL): checks the existing rows against a constraint added
    /// `NOT VALID`, scanning under `SHARE UPDATE EXCLUSIVE`, which writers pass. Nothing
    /// elsewhere (constraints there are checked when made).
    ValidateConstraint {
        table: String,
        name: String,
    },
    /// `ADD CONSTRAINT name UNIQUE USING INDEX index` (PostgreSQL): makes a unique index (built
    /// `CONCURRENTLY` beforehand) the constraint's, without a scan; the index takes the
    /// constraint's name. Elsewhere the index is dropped and the constraint made.
    CreateUniqueUsingIndex {
        table: String,
        name: String,
        index: String,
    },
}

/// What an op knows of the thing it changes, as it was: filled by a producer that has it (the
/// diff), empty for ops a revision file records. It is context, not part of what the op does:
/// two ops that do the same thing are equal whatever each knows (`==` ignores it), so a
/// revision's recorded ops still compare equal to the diff's. Boxed, so that carrying a whole
/// table does not make every op that large.
#[derive(Clone, Debug)]
pub struct Existing<T>(Option<Box<T>>);

impl<T> Existing<T> {
    /// Known: the thing as it was.
    pub fn known(value: T) -> Self {
        Existing(Some(Box::new(value)))
    }
    /// Known or not.
    pub fn from_option(value: Option<T>) -> Self {
        Existing(value.map(Box::new))
    }
    /// Not known (ops recorded by a revision file).
    pub fn unknown() -> Self {
        Existing(None)
    }
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.0.as_deref_mut()
    }
}

impl<T> Default for Existing<T> {
    fn default() -> Self {
        Existing(None)
    }
}

impl<T> PartialEq for Existing<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Op {
    /// The foreign keys this op makes, or makes again when it is undone, with their tables.
    pub fn foreign_keys_mut(&mut self) -> Vec<(String, &mut ForeignKey)> {
        match self {
            Op::CreateTable(t) => {
                let name = t.name.clone();
                t.foreign_keys.iter_mut().map(|k| (name.clone(), k)).collect()
            }
            Op::DropTable { table, existing } => match existing.get_mut() {
                Some(t) => t
                    .foreign_keys
                    .iter_mut()
                    .map(|k| (table.clone(), k))
                    .collect(),
                None => Vec::new(),
            },
            Op::CreateForeignKey { table, key } | Op::CreateForeignKeyNotValid { table, key } => {
                vec![(table.clone(), key)]
            }
            Op::DropConstraint {
                table, existing, ..
            } => match existing.get_mut() {
                Some(Constraint::ForeignKey(key)) => vec![(table.clone(), key)],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Gives the keys this op creates their conventional names where none was given. A check
    /// added on its own is named by `apply`, which knows its position in the table.
    pub fn fill_names(&mut self) {
        match self {
            Op::CreateTable(t) => naming::fill(t),
            Op::CreatePrimaryKey { table, key } if naming::missing(&key.name) => {
                key.name = Some(naming::primary_key(table));
            }
            Op::CreateUnique { table, unique } if naming::missing(&unique.name) => {
                unique.name = Some(naming::unique(table, &unique.columns));
            }
            Op::CreateForeignKey { table, key } | Op::CreateForeignKeyNotValid { table, key }
                if naming::missing(&key.name) =>
            {
                key.name = Some(naming::foreign_key(table, &key.columns));
            }
            _ => {}
        }
    }
}

impl Op {
    /// The existing table this op changes in place (its columns, keys, indexes or comment):
    /// consecutive ops on one table run as one ([`table_runs`]). `None` for ops that create,
    /// drop or rename a table, or change no table.
    pub fn changed_table(&self) -> Option<&str> {
        match self {
            Op::AddColumn { table, .. }
            | Op::DropColumn { table, .. }
            | Op::AlterColumn { table, .. }
            | Op::CreatePrimaryKey { table, .. }
            | Op::DropPrimaryKey { table, .. }
            | Op::CreateUnique { table, .. }
            | Op::CreateForeignKey { table, .. }
            | Op::CreateCheck { table, .. }
            | Op::DropConstraint { table, .. }
            | Op::CreateIndex { table, .. }
            | Op::DropIndex { table, .. }
            | Op::RenameConstraint { table, .. }
            | Op::RenameIndex { table, .. }
            | Op::SetTableComment { table, .. }
            | Op::CreateForeignKeyNotValid { table, .. }
            | Op::CreateCheckNotValid { table, .. }
            | Op::ValidateConstraint { table, .. }
            | Op::CreateUniqueUsingIndex { table, .. } => Some(table),
            // Run alone, outside any transaction: never merged with their neighbours.
            Op::CreateIndexConcurrently { .. } | Op::DropIndexConcurrently { .. } => None,
            _ => None,
        }
    }

    /// Whether this is one of PostgreSQL's online forms, which other backends and the model
    /// take as their [`Op::plain_form`].
    pub fn is_online_form(&self) -> bool {
        matches!(
            self,
            Op::CreateIndexConcurrently { .. }
                | Op::DropIndexConcurrently { .. }
                | Op::CreateForeignKeyNotValid { .. }
                | Op::CreateCheckNotValid { .. }
                | Op::ValidateConstraint { .. }
                | Op::CreateUniqueUsingIndex { .. }
        )
    }

    /// Whether this op cannot run inside a transaction (PostgreSQL's `CONCURRENTLY`).
    pub fn outside_transaction(&self) -> bool {
        matches!(
            self,
            Op::CreateIndexConcurrently { .. } | Op::DropIndexConcurrently { .. }
        )
    }

    /// The table this op locks, whatever it does to it (its own for ops that change one in
    /// place, and the table an index or trigger is on); `None` for ops on no table.
    pub fn locked_table(&self) -> Option<&str> {
        match self {
            Op::CreateIndexConcurrently { table, .. } | Op::DropIndexConcurrently { table, .. } => {
                Some(table)
            }
            Op::DropTable { table, .. } => Some(table),
            Op::RenameTable { from, .. } => Some(from),
            Op::CreateTrigger(t) => Some(&t.table),
            Op::DropTrigger { table, .. } => Some(table),
            op => op.changed_table(),
        }
    }

    /// What this op is where PostgreSQL's online forms do not exist (SQLite, the model): the
    /// plain op it stands for, given the schema before it (for the index a unique constraint
    /// takes over). `None` for ops that are plain already; an empty list for a validation.
    pub fn plain_form(&self, before: &crate::schema::Schema) -> anyhow::Result<Option<Vec<Op>>> {
        Ok(Some(match self {
            Op::CreateIndexConcurrently { table, index } => vec![Op::CreateIndex {
                table: table.clone(),
                index: index.clone(),
            }],
            Op::DropIndexConcurrently {
                table,
                name,
                existing,
            } => vec![Op::DropIndex {
                table: table.clone(),
                name: name.clone(),
                existing: existing.clone(),
            }],
            Op::CreateForeignKeyNotValid { table, key } => vec![Op::CreateForeignKey {
                table: table.clone(),
                key: key.clone(),
            }],
            Op::CreateCheckNotValid { table, check } => vec![Op::CreateCheck {
                table: table.clone(),
                check: check.clone(),
            }],
            Op::ValidateConstraint { .. } => Vec::new(),
            Op::CreateUniqueUsingIndex { table, name, index } => {
                let found = before
                    .tables
                    .get(table)
                    .and_then(|t| t.indexes.iter().find(|i| i.name == *index))
                    .ok_or_else(|| anyhow::anyhow!("table {table} has no index {index}"))?;
                let columns = found.plain_columns().filter(|_| {
                    found.unique && found.predicate.is_none() && found.options.is_empty()
                });
                let Some(columns) = columns else {
                    anyhow::bail!(
                        "index {index} of {table} cannot become a unique constraint: it must be \
                         unique, of plain columns, with no WHERE and default key options"
                    );
                };
                vec![
                    Op::DropIndex {
                        table: table.clone(),
                        name: index.clone(),
                        existing: Existing::known(found.clone()),
                    },
                    Op::CreateUnique {
                        table: table.clone(),
                        unique: UniqueConstraint {
                            name: Some(name.clone()),
                            columns,
                            nulls_not_distinct: found.nulls_not_distinct,
                        },
                    },
                ]
            }
            _ => return Ok(None),
        }))
    }
}

/// Splits `items` into the runs a backend executes together (alembic's `ModifyTableOps`):
/// consecutive items that change the same table ([`Op::changed_table`], through `table`) form
/// one run, every other item a run of its own. Order is kept: the runs, concatenated, are
/// `items`. SQLite rebuilds a table once per run, PostgreSQL merges a run's `ALTER TABLE`s.
pub fn table_runs<'a, T>(
    items: &'a [T],
    table: impl Fn(&'a T) -> Option<&'a str>,
) -> Vec<std::ops::Range<usize>> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut current: Option<&str> = None;
    for (i, item) in items.iter().enumerate() {
        let this = table(item);
        match (runs.last_mut(), this) {
            (Some(run), Some(t)) if current == Some(t) => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
        current = this;
    }
    runs
}

/// One property of an alter: left as it is, or set to a value. Where the value is itself
/// optional (a default, a comment), `Set(None)` removes it, which `Keep` does not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Set(T),
}

impl<T> Change<T> {
    pub fn is_set(&self) -> bool {
        matches!(self, Change::Set(_))
    }
    /// The new value, if this sets one.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Change::Set(value) => Some(value),
            Change::Keep => None,
        }
    }
    /// The value after the change, given the value before.
    pub fn or<'a>(&'a self, old: &'a T) -> &'a T {
        self.as_set().unwrap_or(old)
    }
}

impl<T: Clone> Change<T> {
    /// Sets `value` to the new value, if this sets one.
    pub fn apply_to(&self, value: &mut T) {
        if let Change::Set(new) = self {
            *value = new.clone();
        }
    }
}

/// What an `alter_column` changes; [`Change::Keep`] leaves that property alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnChange {
    pub ty: Change<ColumnType>,
    /// How to convert existing values to the new type (PostgreSQL's `USING`), as written.
    pub using: Option<String>,
    /// Converts existing values with a cast to the new type, written for each backend
    /// (PostgreSQL's `USING col::type`, SQLite's `CAST(col AS type)`): autogenerate's choice
    /// where PostgreSQL would not convert them by itself ([`crate::casts`]).
    pub cast: bool,
    pub nullable: Change<bool>,
    /// The server default as SQL; `Set(None)` drops it.
    pub default: Change<Option<String>>,
    /// `Set(None)` removes the comment.
    pub comment: Change<Option<String>>,
    /// Makes the column serial (numbered by a sequence it owns) or plain.
    pub auto_increment: Change<bool>,
    /// Makes the column an identity column, changes how it numbers rows, or makes it plain.
    pub identity: Change<Option<Identity>>,
    /// The column's collation (`None`: the type's default). PostgreSQL changes it with the type
    /// (`TYPE t COLLATE c`), so a change of collation names the type too.
    pub collation: Change<Option<String>>,
    /// Makes a generated column plain, keeping its values (PostgreSQL's `DROP EXPRESSION`).
    /// A generation expression is never changed in place: the column is dropped and added.
    pub drop_expression: bool,
    /// The new name, applied after the other changes.
    pub rename: Change<String>,
}

impl ColumnChange {
    /// Changes nothing yet; chain what to change.
    pub fn new() -> Self {
        Self::default()
    }
    pub fn ty(mut self, ty: ColumnType) -> Self {
        self.ty = Change::Set(ty);
        self
    }
    /// Converts existing values with `expression` (PostgreSQL's `USING`; on SQLite the same
    /// text fills the rebuilt column, so it must be SQL both understand: no `::`).
    pub fn using(mut self, expression: &str) -> Self {
        self.using = Some(expression.to_string());
        self
    }
    /// Converts existing values with a cast to the new type, written for each backend.
    pub fn cast(mut self) -> Self {
        self.cast = true;
        self
    }
    /// Sets the collation (`None`: the type's default); give the type with [`Self::ty`].
    pub fn collate(mut self, name: Option<&str>) -> Self {
        self.collation = Change::Set(name.map(str::to_string));
        self
    }
    /// Makes a generated column plain, keeping its values.
    pub fn drop_expression(mut self) -> Self {
        self.drop_expression = true;
        self
    }
    pub fn nullable(mut self, nullable: bool) -> Self {
        self.nullable = Change::Set(nullable);
        self
    }
    /// Sets (`Some`) or drops (`None`) the server default, as SQL.
    pub fn server_default(mut self, sql: Option<&str>) -> Self {
        self.default = Change::Set(sql.map(str::to_string));
        self
    }
    pub fn comment(mut self, comment: Option<&str>) -> Self {
        self.comment = Change::Set(comment.map(str::to_string));
        self
    }
    /// Makes the column an identity column (`Some`), changes its options, or makes it plain.
    pub fn identity(mut self, identity: Option<Identity>) -> Self {
        self.identity = Change::Set(identity);
        self
    }
    pub fn auto_increment(mut self, serial: bool) -> Self {
        self.auto_increment = Change::Set(serial);
        self
    }
    pub fn rename(mut self, to: &str) -> Self {
        self.rename = Change::Set(to.to_string());
        self
    }
    /// Whether this changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ColumnChange::new()
    }
    /// The new name, when renaming is all this change does.
    pub fn only_rename(&self) -> Option<&str> {
        let to = self.rename.as_set()?;
        (*self == ColumnChange::new().rename(to)).then_some(to.as_str())
    }
    /// The new comment, when setting it is all this change does.
    pub fn only_comment(&self) -> Option<&Option<String>> {
        let comment = self.comment.as_set()?;
        (*self == ColumnChange::new().comment(comment.as_deref())).then_some(comment)
    }
    /// `column` as this change leaves it: the column as it will be, given the column as it was.
    /// Making a column serial drops its default (its sequence gives it one).
    pub fn applied_to(&self, column: &Column) -> Column {
        let mut c = column.clone();
        self.ty.apply_to(&mut c.ty);
        self.nullable.apply_to(&mut c.nullable);
        self.default.apply_to(&mut c.default);
        self.comment.apply_to(&mut c.comment);
        self.identity.apply_to(&mut c.identity);
        self.collation.apply_to(&mut c.collation);
        if self.drop_expression {
            c.generated = None;
        }
        if let Change::Set(serial) = self.auto_increment {
            c.auto_increment = serial;
            if serial {
                c.default = None;
            }
        }
        self.rename.apply_to(&mut c.name);
        c
    }
}

/// A data migration: runs inside the revision's transaction, online only.
pub type DataFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>>;
pub type DataFn = Box<dyn for<'a> Fn(&'a DatabaseTransaction) -> DataFuture<'a> + Send + Sync>;

/// One recorded step of a revision.
pub enum Step {
    /// Boxed: an op (a whole table, say) is much larger than a data migration.
    Op(Box<Op>),
    Data(DataFn),
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Op(op) => op.fmt(f),
            Step::Data(_) => f.write_str("Data(..)"),
        }
    }
}

/// The ops of a run of steps ([`Ops::runs`]), which holds no data migration.
pub fn step_ops(steps: &[Step]) -> Vec<&Op> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Op(op) => Some(op.as_ref()),
            Step::Data(_) => None,
        })
        .collect()
}

/// How a message names a run of steps (numbered from 1): `step 3`, `steps 3-5`.
pub fn steps_label(run: &std::ops::Range<usize>) -> String {
    match run.len() {
        1 => format!("step {}", run.start + 1),
        _ => format!("steps {}-{}", run.start + 1, run.end),
    }
}

/// What a revision's `upgrade` and `downgrade` receive: each call records one step, which the
/// runner then renders for the backend and runs (or prints, with `--sql`).
#[derive(Debug, Default)]
pub struct Ops {
    pub steps: Vec<Step>,
}

fn cols<const N: usize>(columns: [&str; N]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

impl Ops {
    pub fn new() -> Self {
        Self::default()
    }

    /// The schema operations recorded so far, without the data migrations.
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.steps.iter().filter_map(|s| match s {
            Step::Op(op) => Some(op.as_ref()),
            Step::Data(_) => None,
        })
    }

    /// The steps in runs that change one table each ([`table_runs`]); a data migration is a
    /// run of its own.
    pub fn runs(&self) -> Vec<std::ops::Range<usize>> {
        table_runs(&self.steps, |step| match step {
            Step::Op(op) => op.changed_table(),
            Step::Data(_) => None,
        })
    }

    /// Records `op`, with the names of the keys it creates filled in.
    pub fn push(&mut self, mut op: Op) -> &mut Self {
        op.fill_names();
        self.steps.push(Step::Op(Box::new(op)));
        self
    }

    pub fn create_table(&mut self, table: Table) -> &mut Self {
        self.push(Op::CreateTable(table))
    }

    pub fn drop_table(&mut self, table: &str) -> &mut Self {
        self.push(Op::DropTable {
            table: table.into(),
            existing: Existing::unknown(),
        })
    }

    pub fn rename_table(&mut self, from: &str, to: &str) -> &mut Self {
        self.push(Op::RenameTable {
            from: from.into(),
            to: to.into(),
        })
    }

    pub fn add_column(&mut self, table: &str, column: Column) -> &mut Self {
        self.push(Op::AddColumn {
            table: table.into(),
            column,
        })
    }

    pub fn drop_column(&mut self, table: &str, column: &str) -> &mut Self {
        self.push(Op::DropColumn {
            table: table.into(),
            column: column.into(),
            existing: Existing::unknown(),
        })
    }

    /// Changes a column: `op.alter_column("t", "c", ColumnChange::new().nullable(false))`.
    pub fn alter_column(&mut self, table: &str, column: &str, change: ColumnChange) -> &mut Self {
        self.push(Op::AlterColumn {
            table: table.into(),
            column: column.into(),
            change,
            existing: Existing::unknown(),
        })
    }

    pub fn create_primary_key<const N: usize>(
        &mut self,
        table: &str,
        columns: [&str; N],
    ) -> &mut Self {
        self.push(Op::CreatePrimaryKey {
            table: table.into(),
            key: PrimaryKey {
                name: Some(naming::primary_key(table)),
                columns: cols(columns),
            },
        })
    }

    /// A primary key with a name other than `<table>_pkey`.
    pub fn create_primary_key_named<const N: usize>(
        &mut self,
        table: &str,
        name: &str,
        columns: [&str; N],
    ) -> &mut Self {
        self.push(Op::CreatePrimaryKey {
            table: table.into(),
            key: PrimaryKey {
                name: Some(name.into()),
                columns: cols(columns),
            },
        })
    }

    pub fn drop_primary_key(&mut self, table: &str) -> &mut Self {
        self.drop_primary_key_named(table, &naming::primary_key(table))
    }

    /// Drops a primary key named other than `<table>_pkey`.
    pub fn drop_primary_key_named(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::DropPrimaryKey {
            table: table.into(),
            name: name.into(),
            existing: Existing::unknown(),
        })
    }

    pub fn create_unique<const N: usize>(&mut self, table: &str, columns: [&str; N]) -> &mut Self {
        let columns = cols(columns);
        self.push(Op::CreateUnique {
            table: table.into(),
            unique: UniqueConstraint {
                name: Some(naming::unique(table, &columns)),
                columns,
                nulls_not_distinct: false,
            },
        })
    }

    /// A unique constraint with options ([`UniqueConstraint::new`]).
    pub fn create_unique_key(&mut self, table: &str, unique: UniqueConstraint) -> &mut Self {
        self.push(Op::CreateUnique {
            table: table.into(),
            unique,
        })
    }

    /// A unique constraint with a name other than `<table>_<columns>_key`.
    pub fn create_unique_named<const N: usize>(
        &mut self,
        table: &str,
        name: &str,
        columns: [&str; N],
    ) -> &mut Self {
        self.push(Op::CreateUnique {
            table: table.into(),
            unique: UniqueConstraint {
                name: Some(name.into()),
                columns: cols(columns),
                nulls_not_distinct: false,
            },
        })
    }

    pub fn create_foreign_key(&mut self, table: &str, key: ForeignKey) -> &mut Self {
        self.push(Op::CreateForeignKey {
            table: table.into(),
            key,
        })
    }

    pub fn create_check(&mut self, table: &str, name: &str, expression: &str) -> &mut Self {
        self.push(Op::CreateCheck {
            table: table.into(),
            check: CheckConstraint {
                name: Some(name.into()),
                expression: expression.into(),
            },
        })
    }

    /// Drops a unique, foreign key or check constraint.
    pub fn drop_constraint(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::DropConstraint {
            table: table.into(),
            name: name.into(),
            existing: Existing::unknown(),
        })
    }

    pub fn create_index(&mut self, table: &str, index: Index) -> &mut Self {
        self.push(Op::CreateIndex {
            table: table.into(),
            index,
        })
    }

    pub fn drop_index(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::DropIndex {
            table: table.into(),
            name: name.into(),
            existing: Existing::unknown(),
        })
    }

    /// `CREATE INDEX CONCURRENTLY` on PostgreSQL (writers go on while it builds; it runs
    /// outside the revision's transaction, see the README's online upgrades), a plain
    /// `CREATE INDEX` elsewhere.
    pub fn create_index_concurrently(&mut self, table: &str, index: Index) -> &mut Self {
        self.push(Op::CreateIndexConcurrently {
            table: table.into(),
            index,
        })
    }

    /// `DROP INDEX CONCURRENTLY` on PostgreSQL, outside the transaction as above.
    pub fn drop_index_concurrently(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::DropIndexConcurrently {
            table: table.into(),
            name: name.into(),
            existing: Existing::unknown(),
        })
    }

    /// A foreign key added `NOT VALID` on PostgreSQL (no scan under the lock); follow it with
    /// [`Ops::validate_constraint`] in a later transaction. A plain foreign key elsewhere.
    pub fn create_foreign_key_not_valid(&mut self, table: &str, key: ForeignKey) -> &mut Self {
        self.push(Op::CreateForeignKeyNotValid {
            table: table.into(),
            key,
        })
    }

    /// A check added `NOT VALID` on PostgreSQL, as above.
    pub fn create_check_not_valid(&mut self, table: &str, name: &str, expression: &str) -> &mut Self {
        self.push(Op::CreateCheckNotValid {
            table: table.into(),
            check: CheckConstraint {
                name: Some(name.into()),
                expression: expression.into(),
            },
        })
    }

    /// `VALIDATE CONSTRAINT` on PostgreSQL: checks the rows a `NOT VALID` constraint skipped,
    /// under a lock writers pass. Nothing elsewhere.
    pub fn validate_constraint(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::ValidateConstraint {
            table: table.into(),
            name: name.into(),
        })
    }

    /// Makes the unique index `index` (built with [`Ops::create_index_concurrently`]) the
    /// unique constraint `name`, without a scan (`ADD CONSTRAINT ... UNIQUE USING INDEX`).
    pub fn create_unique_using_index(&mut self, table: &str, name: &str, index: &str) -> &mut Self {
        self.push(Op::CreateUniqueUsingIndex {
            table: table.into(),
            name: name.into(),
            index: index.into(),
        })
    }

    pub fn set_table_comment(&mut self, table: &str, comment: Option<&str>) -> &mut Self {
        self.push(Op::SetTableComment {
            table: table.into(),
            comment: comment.map(str::to_string),
        })
    }

    /// Renames a primary key, unique, foreign key or check constraint.
    pub fn rename_constraint(&mut self, table: &str, from: &str, to: &str) -> &mut Self {
        self.push(Op::RenameConstraint {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        })
    }

    pub fn rename_index(&mut self, table: &str, from: &str, to: &str) -> &mut Self {
        self.push(Op::RenameIndex {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        })
    }

    pub fn rename_column(&mut self, table: &str, from: &str, to: &str) -> &mut Self {
        self.alter_column(table, from, ColumnChange::new().rename(to))
    }

    pub fn set_column_comment(
        &mut self,
        table: &str,
        column: &str,
        comment: Option<&str>,
    ) -> &mut Self {
        self.alter_column(table, column, ColumnChange::new().comment(comment))
    }

    pub fn create_enum(&mut self, name: &str, labels: &[&str]) -> &mut Self {
        self.push(Op::CreateEnum {
            name: name.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        })
    }

    pub fn drop_enum(&mut self, name: &str) -> &mut Self {
        self.push(Op::DropEnum { name: name.into() })
    }

    /// Replaces an enum type's labels; columns of the type keep their values (as text).
    pub fn alter_enum(&mut self, name: &str, labels: &[&str]) -> &mut Self {
        self.push(Op::AlterEnum {
            name: name.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        })
    }

    pub fn create_sequence(&mut self, sequence: Sequence) -> &mut Self {
        self.push(Op::CreateSequence(sequence))
    }

    pub fn drop_sequence(&mut self, name: &str) -> &mut Self {
        self.push(Op::DropSequence { name: name.into() })
    }

    pub fn alter_sequence(&mut self, sequence: Sequence) -> &mut Self {
        self.push(Op::AlterSequence(sequence))
    }

    /// Creates a view or a materialized view (with its indexes):
    /// `op.create_view(View::new("open_visit", "SELECT ..."))`.
    pub fn create_view(&mut self, view: View) -> &mut Self {
        self.push(Op::CreateView(view))
    }

    /// Gives a plain view a new query whose columns begin with the ones it had.
    pub fn replace_view(&mut self, view: View) -> &mut Self {
        self.push(Op::ReplaceView {
            view,
            existing: Existing::unknown(),
        })
    }

    pub fn drop_view(&mut self, name: &str) -> &mut Self {
        self.push(Op::DropView {
            name: name.into(),
            materialized: false,
            existing: Existing::unknown(),
            because: Existing::unknown(),
        })
    }

    pub fn drop_materialized_view(&mut self, name: &str) -> &mut Self {
        self.push(Op::DropView {
            name: name.into(),
            materialized: true,
            existing: Existing::unknown(),
            because: Existing::unknown(),
        })
    }

    /// Creates a function: `op.create_function(Function::new("f", "a integer", "RETURNS ..."))`.
    pub fn create_function(&mut self, function: Function) -> &mut Self {
        self.push(Op::CreateFunction(function))
    }

    /// Gives a function (the same name, arguments and result) a new definition.
    pub fn replace_function(&mut self, function: Function) -> &mut Self {
        self.push(Op::ReplaceFunction {
            function,
            existing: Existing::unknown(),
        })
    }

    /// Drops the function `name` whose arguments are `arguments` (their types, as in `DROP
    /// FUNCTION name(arguments)`).
    pub fn drop_function(&mut self, name: &str, arguments: &str) -> &mut Self {
        self.push(Op::DropFunction {
            name: name.into(),
            arguments: arguments.into(),
            existing: Existing::unknown(),
        })
    }

    pub fn set_view_comment(&mut self, view: &str, comment: Option<&str>) -> &mut Self {
        self.set_comment(view, false, comment)
    }

    pub fn set_materialized_view_comment(&mut self, view: &str, comment: Option<&str>) -> &mut Self {
        self.set_comment(view, true, comment)
    }

    fn set_comment(&mut self, view: &str, materialized: bool, comment: Option<&str>) -> &mut Self {
        self.push(Op::SetComment {
            on: Commented::View {
                name: view.into(),
                materialized,
            },
            comment: comment.map(str::to_string),
        })
    }

    /// Sets the comment of the function `name` whose arguments are `arguments` (their types).
    pub fn set_function_comment(
        &mut self,
        name: &str,
        arguments: &str,
        comment: Option<&str>,
    ) -> &mut Self {
        self.push(Op::SetComment {
            on: Commented::Function {
                name: name.into(),
                arguments: arguments.into(),
            },
            comment: comment.map(str::to_string),
        })
    }

    /// Creates a trigger: `op.create_trigger(Trigger::new("CREATE TRIGGER ..."))`.
    pub fn create_trigger(&mut self, trigger: Trigger) -> &mut Self {
        self.push(Op::CreateTrigger(trigger))
    }

    pub fn drop_trigger(&mut self, table: &str, name: &str) -> &mut Self {
        self.push(Op::DropTrigger {
            table: table.into(),
            name: name.into(),
            existing: Existing::unknown(),
        })
    }

    /// Raw SQL, sent as written.
    pub fn execute(&mut self, sql: &str) -> &mut Self {
        self.push(Op::Execute { sql: sql.into() })
    }

    /// A data migration with the SeaORM connection of the revision's transaction:
    /// `op.run(|db| Box::pin(async move { db.execute_unprepared("...").await?; Ok(()) }))`.
    /// It cannot be printed by `--sql`, which says so in the script.
    pub fn run<F>(&mut self, f: F) -> &mut Self
    where
        F: for<'a> Fn(&'a DatabaseTransaction) -> DataFuture<'a> + Send + Sync + 'static,
    {
        self.steps.push(Step::Data(Box::new(f)));
        self
    }
}

// Builders for the model types, so revision files read like table definitions.

impl Table {
    pub fn new(name: &str) -> Self {
        Table {
            name: name.into(),
            ..Table::default()
        }
    }
    pub fn col(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }
    pub fn comment(mut self, comment: &str) -> Self {
        self.comment = Some(comment.into());
        self
    }
    pub fn primary_key<const N: usize>(mut self, columns: [&str; N]) -> Self {
        self.primary_key = Some(PrimaryKey {
            name: Some(naming::primary_key(&self.name)),
            columns: cols(columns),
        });
        self
    }
    /// A primary key named other than `<table>_pkey`.
    pub fn primary_key_named<const N: usize>(mut self, name: &str, columns: [&str; N]) -> Self {
        self.primary_key = Some(PrimaryKey {
            name: Some(name.into()),
            columns: cols(columns),
        });
        self
    }
    pub fn unique<const N: usize>(mut self, columns: [&str; N]) -> Self {
        let columns = cols(columns);
        self.uniques.push(UniqueConstraint {
            name: Some(naming::unique(&self.name, &columns)),
            columns,
            nulls_not_distinct: false,
        });
        self
    }
    /// A unique constraint with options ([`UniqueConstraint::new`]).
    pub fn unique_key(mut self, unique: UniqueConstraint) -> Self {
        self.uniques.push(unique);
        naming::fill(&mut self);
        self
    }
    /// A unique constraint named other than `<table>_<columns>_key`.
    pub fn unique_named<const N: usize>(mut self, name: &str, columns: [&str; N]) -> Self {
        self.uniques.push(UniqueConstraint {
            name: Some(name.into()),
            columns: cols(columns),
            nulls_not_distinct: false,
        });
        self
    }
    pub fn foreign_key(mut self, key: ForeignKey) -> Self {
        self.foreign_keys.push(key);
        naming::fill(&mut self);
        self
    }
    /// A check constraint; an empty name gets the conventional `<table>_check<n>`.
    pub fn check(mut self, name: &str, expression: &str) -> Self {
        self.checks.push(CheckConstraint {
            name: Some(name.into()),
            expression: expression.into(),
        });
        naming::fill(&mut self);
        self
    }
    /// An index created with the table (by `CREATE INDEX` right after it).
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }
}

impl View {
    /// A view of `query` (a `SELECT`; a closing semicolon is left out).
    pub fn new(name: &str, query: &str) -> Self {
        View {
            name: name.into(),
            definition: crate::definitions::statement_text(query),
            with_data: true,
            ..View::default()
        }
    }
    /// A materialized view of `query`, filled when created (see [`View::with_no_data`]).
    pub fn materialized(name: &str, query: &str) -> Self {
        View {
            materialized: true,
            ..View::new(name, query)
        }
    }
    /// The view's comment.
    pub fn comment(mut self, comment: &str) -> Self {
        self.comment = Some(comment.into());
        self
    }
    /// A materialized view left empty until its first refresh (`WITH NO DATA`).
    pub fn with_no_data(mut self) -> Self {
        self.with_data = false;
        self
    }
    /// An index of a materialized view.
    pub fn index(mut self, mut index: Index) -> Self {
        index.normalize_options();
        self.indexes.push(index);
        self
    }
}

impl Function {
    /// The function `name(arguments)`; `definition` is the rest of its `CREATE FUNCTION`:
    /// `RETURNS integer LANGUAGE sql AS $$ ... $$`.
    pub fn new(name: &str, arguments: &str, definition: &str) -> Self {
        Function {
            name: name.into(),
            arguments: arguments.trim().into(),
            definition: crate::definitions::statement_text(definition),
            identity: String::new(),
            comment: None,
        }
    }
    /// The function's comment.
    pub fn comment(mut self, comment: &str) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

impl Trigger {
    /// The trigger of a `CREATE TRIGGER name ... ON table ...` statement. A statement that is
    /// not one is kept with empty names, and fails where it is used ([`Trigger::parse`] says
    /// what is wrong with it).
    pub fn new(sql: &str) -> Self {
        Trigger::parse(sql).unwrap_or_else(|_| Trigger {
            definition: crate::definitions::statement_text(sql),
            ..Trigger::default()
        })
    }
    /// The trigger of a `CREATE TRIGGER` statement, or what is wrong with it.
    pub fn parse(sql: &str) -> anyhow::Result<Self> {
        let (name, table) = crate::definitions::trigger_head(sql)?;
        Ok(Trigger {
            table,
            name,
            definition: crate::definitions::statement_text(sql),
            function: None,
        })
    }
}


impl ColumnType {
    /// An array of `element`.
    pub fn array(element: ColumnType) -> Self {
        ColumnType::Array(Box::new(element))
    }
    /// The PostgreSQL enum type `name` (create it with `op.create_enum`).
    pub fn enum_type(name: &str) -> Self {
        ColumnType::Enum(name.into())
    }
    /// A type opdb has no name for, as the database spells it.
    pub fn other(name: &str) -> Self {
        ColumnType::Other(name.into())
    }
}

impl Column {
    /// A nullable column with no default or comment.
    pub fn new(name: &str, ty: ColumnType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: true,
            default: None,
            comment: None,
            auto_increment: false,
            identity: None,
            generated: None,
            collation: None,
        }
    }
    pub fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }
    /// A serial column (implies NOT NULL).
    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self.nullable = false;
        self
    }
    /// An identity column whose values the database always gives (`GENERATED ALWAYS AS
    /// IDENTITY`; implies NOT NULL).
    pub fn identity_always(mut self) -> Self {
        self.identity = Some(Identity {
            always: true,
            ..self.identity.unwrap_or_default()
        });
        self.nullable = false;
        self
    }
    /// An identity column an insert may give values to (`GENERATED BY DEFAULT AS IDENTITY`).
    pub fn identity_by_default(mut self) -> Self {
        self.identity = Some(Identity {
            always: false,
            ..self.identity.unwrap_or_default()
        });
        self.nullable = false;
        self
    }
    /// The identity's first value.
    pub fn identity_start(mut self, n: i64) -> Self {
        self.identity.get_or_insert_with(Default::default).start = Some(n);
        self
    }
    pub fn identity_increment(mut self, n: i64) -> Self {
        self.identity.get_or_insert_with(Default::default).increment = Some(n);
        self
    }
    pub fn identity_min(mut self, n: i64) -> Self {
        self.identity.get_or_insert_with(Default::default).min_value = Some(n);
        self
    }
    pub fn identity_max(mut self, n: i64) -> Self {
        self.identity.get_or_insert_with(Default::default).max_value = Some(n);
        self
    }
    /// The identity starts over after its last value.
    pub fn identity_cycle(mut self) -> Self {
        self.identity.get_or_insert_with(Default::default).cycle = true;
        self
    }
    /// The server default, as SQL: `"0"`, `"'none'"`, `"now()"`.
    pub fn server_default(mut self, sql: &str) -> Self {
        self.default = Some(sql.into());
        self
    }
    /// A column the database computes from `expression` and keeps (`GENERATED ALWAYS AS
    /// (expression) STORED`).
    pub fn generated_stored(mut self, expression: &str) -> Self {
        self.generated = Some(Generated {
            expression: expression.into(),
            stored: true,
        });
        self
    }
    /// Values compare and sort by collation `name` (`COLLATE "C"`), not the type's default.
    pub fn collate(mut self, name: &str) -> Self {
        self.collation = Some(name.into());
        self
    }
    /// A column SQLite computes from `expression` when it is read (`GENERATED ALWAYS AS
    /// (expression) VIRTUAL`; PostgreSQL 15 has no such columns).
    pub fn generated_virtual(mut self, expression: &str) -> Self {
        self.generated = Some(Generated {
            expression: expression.into(),
            stored: false,
        });
        self
    }
    pub fn comment(mut self, comment: &str) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

impl ForeignKey {
    /// `columns` of this table refer to `ref_columns` of `ref_table`. Without [`Self::name`]
    /// it is named `<table>_<columns>_fkey` when it is put on its table.
    pub fn new<const N: usize>(
        columns: [&str; N],
        ref_table: &str,
        ref_columns: [&str; N],
    ) -> Self {
        ForeignKey {
            name: None,
            columns: cols(columns),
            ref_table: ref_table.into(),
            ref_columns: cols(ref_columns),
            ..ForeignKey::default()
        }
    }
    /// `DEFERRABLE` (checked at the end of each statement unless deferred by `SET
    /// CONSTRAINTS`).
    pub fn deferrable(mut self) -> Self {
        self.deferral = Deferral::Deferrable;
        self
    }
    /// `DEFERRABLE INITIALLY DEFERRED` (checked when the transaction commits).
    pub fn initially_deferred(mut self) -> Self {
        self.deferral = Deferral::InitiallyDeferred;
        self
    }
    /// `MATCH FULL` (PostgreSQL).
    pub fn match_full(mut self) -> Self {
        self.match_full = true;
        self
    }
    /// The referenced table is in PostgreSQL schema `schema` (a key from one schema into
    /// another); without it, in the key's own schema. SQLite, which has no schemas, ignores it.
    pub fn ref_schema(mut self, schema: &str) -> Self {
        self.ref_schema = Some(schema.into());
        self
    }
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }
    pub fn on_delete(mut self, action: FkAction) -> Self {
        self.on_delete = action;
        self
    }
    pub fn on_update(mut self, action: FkAction) -> Self {
        self.on_update = action;
        self
    }
}

impl Identity {
    /// `GENERATED ALWAYS AS IDENTITY`, with the type's default options.
    pub fn always() -> Self {
        Identity {
            always: true,
            ..Identity::default()
        }
    }
    /// `GENERATED BY DEFAULT AS IDENTITY`, with the type's default options.
    pub fn by_default() -> Self {
        Identity::default()
    }
    pub fn start(mut self, n: i64) -> Self {
        self.start = Some(n);
        self
    }
    pub fn increment(mut self, n: i64) -> Self {
        self.increment = Some(n);
        self
    }
    pub fn min(mut self, n: i64) -> Self {
        self.min_value = Some(n);
        self
    }
    pub fn max(mut self, n: i64) -> Self {
        self.max_value = Some(n);
        self
    }
    pub fn cycle(mut self) -> Self {
        self.cycle = true;
        self
    }
}

impl UniqueConstraint {
    /// A unique constraint on `columns`; without [`Self::name`] it is named
    /// `<table>_<columns>_key` when it is put on its table.
    pub fn new<const N: usize>(columns: [&str; N]) -> Self {
        UniqueConstraint {
            columns: cols(columns),
            ..UniqueConstraint::default()
        }
    }
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }
    /// `NULLS NOT DISTINCT` (PostgreSQL 15): null keys collide.
    pub fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }
}

impl Index {
    /// A plain index on columns.
    pub fn new<const N: usize>(name: &str, columns: [&str; N]) -> Self {
        Index {
            name: name.into(),
            keys: columns
                .iter()
                .map(|c| IndexKey::Column(c.to_string()))
                .collect(),
            ..Index::default()
        }
    }
    /// Adds a column key (after any given so far).
    pub fn column(mut self, name: &str) -> Self {
        self.keys.push(IndexKey::Column(name.into()));
        self
    }
    /// Adds an expression key, such as `lower(name)`.
    pub fn expression(mut self, sql: &str) -> Self {
        self.keys.push(IndexKey::Expression(sql.into()));
        self
    }
    /// The last key so far, as this index orders it: `Index::new("ix", []).column("a").desc()`.
    fn last_key(&mut self, set: impl FnOnce(&mut KeyOptions)) -> &mut Self {
        self.options.resize(self.keys.len(), KeyOptions::default());
        if let Some(options) = self.options.last_mut() {
            set(options);
        }
        self.normalize_options();
        self
    }
    /// The last key sorts descending (nulls first, unless [`Self::nulls_last`]).
    pub fn desc(mut self) -> Self {
        self.last_key(|o| o.descending = true);
        self
    }
    /// The last key puts nulls first.
    pub fn nulls_first(mut self) -> Self {
        self.last_key(|o| o.nulls_first = Some(true));
        self
    }
    /// The last key puts nulls last.
    pub fn nulls_last(mut self) -> Self {
        self.last_key(|o| o.nulls_first = Some(false));
        self
    }
    /// The last key's operator class, such as `jsonb_path_ops` (PostgreSQL).
    pub fn opclass(mut self, name: &str) -> Self {
        self.last_key(|o| o.opclass = Some(name.into()));
        self
    }
    /// The last key's collation, such as `C` (PostgreSQL) or `NOCASE` (SQLite).
    pub fn collate(mut self, name: &str) -> Self {
        self.last_key(|o| o.collation = Some(name.into()));
        self
    }
    /// Columns stored in the index as well as its keys (`INCLUDE`, PostgreSQL).
    pub fn include<const N: usize>(mut self, columns: [&str; N]) -> Self {
        self.include.extend(cols(columns));
        self
    }
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    /// `NULLS NOT DISTINCT` on a unique index (PostgreSQL 15): null keys collide.
    pub fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }
    /// Makes it a partial index.
    pub fn filter(mut self, predicate: &str) -> Self {
        self.predicate = Some(predicate.into());
        self
    }
    pub fn using(mut self, method: &str) -> Self {
        self.method = Some(method.into());
        self
    }
}
