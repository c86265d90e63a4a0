//! The plain schema model.
//!
//! Entities and live databases are both turned into this one model, so that comparing them is
//! a pure function of two values. It holds data only: no database handles, no SeaORM types.
//! Names of keys and indexes are kept (revisions need them to drop things) but comparisons
//! are by structure.
//!
//! Key and check names are `Option<String>` for two reasons: a `ForeignKey::new` in a revision
//! file is built before the table it goes on is known (the table's builder names it), and a
//! model may be built by hand as a plain value. Every place that builds a model fills them
//! ([`crate::naming::fill`]), so downstream code reads them with [`name_of`] and never falls
//! back on a conventional name of its own.

use std::collections::BTreeMap;
use std::fmt;

/// A whole schema: every table by name, plus the PostgreSQL enum types the columns use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    /// PostgreSQL enum types: name to labels, in order.
    pub enums: BTreeMap<String, Vec<String>>,
    /// Sequences of their own (PostgreSQL), by name. A serial column's sequence is not here:
    /// it belongs to its column (`Column::auto_increment`).
    pub sequences: BTreeMap<String, Sequence>,
    /// Views and materialized views, by name ([`crate::definitions`]).
    pub views: BTreeMap<String, View>,
    /// Functions, by [`Function::key`]: overloads are distinct objects.
    pub functions: BTreeMap<String, Function>,
    /// Triggers, by table and name.
    pub triggers: BTreeMap<(String, String), Trigger>,
    /// What a database holds that the model cannot express (procedures, domains, rules...):
    /// never diffed, always reported ([`crate::objects`]). Empty for entities and revisions.
    pub unmodelled: Vec<crate::objects::Unmodelled>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// The schema as it reads inside PostgreSQL schema `namespace`: a key naming `namespace`
    /// as its target's schema is a key into its own schema (`ref_schema` `None`), as the
    /// catalog reads of `namespace` give it.
    pub fn in_namespace(mut self, namespace: &str) -> Schema {
        for table in self.tables.values_mut() {
            for key in &mut table.foreign_keys {
                if key.ref_schema.as_deref() == Some(namespace) {
                    key.ref_schema = None;
                }
            }
        }
        self
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub name: String,
    pub comment: Option<String>,
    /// In declaration order, which is the order the database shows them in.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<UniqueConstraint>,
    pub foreign_keys: Vec<ForeignKey>,
    pub indexes: Vec<Index>,
    pub checks: Vec<CheckConstraint>,
    /// SQLite only: the `CREATE TRIGGER` statements of the table's triggers, as SQLite keeps
    /// them. The model cannot express triggers (they are reported as such); this is only so
    /// that a table rebuild, whose `DROP TABLE` drops them, makes them again.
    pub sqlite_triggers: Vec<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The primary key's columns, or none.
    pub fn primary_key_columns(&self) -> &[String] {
        self.primary_key
            .as_ref()
            .map(|pk| pk.columns.as_slice())
            .unwrap_or(&[])
    }

    /// Whether `columns` (in any order) are exactly the primary key, a unique constraint or a
    /// unique index: the column sets a foreign key may point at.
    pub fn is_key(&self, columns: &[String]) -> bool {
        let wanted = sorted(columns);
        std::iter::once(self.primary_key_columns().to_vec())
            .chain(self.uniques.iter().map(|u| u.columns.clone()))
            .chain(
                self.indexes
                    .iter()
                    .filter(|i| i.unique && i.predicate.is_none())
                    .filter_map(Index::plain_columns),
            )
            .any(|key| !key.is_empty() && sorted(&key) == wanted)
    }
}

/// The column names in name order, for comparing key columns as sets.
pub(crate) fn sorted(columns: &[String]) -> Vec<String> {
    let mut v = columns.to_vec();
    v.sort();
    v
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub nullable: bool,
    /// The default as SQL text, already normalized; `None` for serial/identity columns, whose
    /// sequence default is implied by `auto_increment`.
    pub default: Option<String>,
    pub comment: Option<String>,
    /// A serial column: the database numbers new rows from a sequence the column owns and
    /// names in its default.
    pub auto_increment: bool,
    /// An identity column (`GENERATED ... AS IDENTITY`, PostgreSQL).
    pub identity: Option<Identity>,
    /// A generated column (`GENERATED ALWAYS AS (expr) STORED`): the database computes its
    /// values; it has no default.
    pub generated: Option<Generated>,
    /// A collation other than the type's default (`COLLATE "C"`, SQLite's `NOCASE`).
    pub collation: Option<String>,
}

/// How a generated column computes its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The expression over the row's other columns, as SQL.
    pub expression: String,
    /// Computed when the row is written and kept (`STORED`, PostgreSQL's only kind), rather
    /// than when it is read (`VIRTUAL`, SQLite's default).
    pub stored: bool,
}

/// How an identity column numbers its rows. An option left `None` is the type's default for
/// an ascending sequence (start 1, increment 1, minimum 1, the type's maximum).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// `GENERATED ALWAYS` (an insert may not give a value) rather than `BY DEFAULT`.
    pub always: bool,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub cycle: bool,
}

impl Identity {
    /// Options equal to the defaults of an ascending sequence of `ty` become `None`.
    pub fn normalize(&mut self, ty: &ColumnType) {
        let max = match ty {
            ColumnType::SmallInt => i16::MAX as i64,
            ColumnType::Integer => i32::MAX as i64,
            _ => i64::MAX,
        };
        let ascending = self.increment.unwrap_or(1) > 0;
        if ascending {
            let min = self.min_value.unwrap_or(1);
            if self.min_value == Some(1) {
                self.min_value = None;
            }
            if self.start == Some(min) && self.min_value.is_none() {
                self.start = None;
            }
            if self.max_value == Some(max) {
                self.max_value = None;
            }
        }
        if self.increment == Some(1) {
            self.increment = None;
        }
    }

    /// The clause after the column's type: `GENERATED ALWAYS AS IDENTITY (START WITH 10)`.
    pub fn sql(&self) -> String {
        let mut options = Vec::new();
        if let Some(n) = self.start {
            options.push(format!("START WITH {n}"));
        }
        if let Some(n) = self.increment {
            options.push(format!("INCREMENT BY {n}"));
        }
        if let Some(n) = self.min_value {
            options.push(format!("MINVALUE {n}"));
        }
        if let Some(n) = self.max_value {
            options.push(format!("MAXVALUE {n}"));
        }
        if self.cycle {
            options.push("CYCLE".into());
        }
        let mut s = format!(
            "GENERATED {} AS IDENTITY",
            if self.always { "ALWAYS" } else { "BY DEFAULT" }
        );
        if !options.is_empty() {
            s.push_str(&format!(" ({})", options.join(" ")));
        }
        s
    }
}

/// Column types after normalization, so `int4`, `integer` and SeaORM's `Integer` are one value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnType {
    SmallInt,
    Integer,
    BigInt,
    Real,
    Double,
    Numeric(Option<(u32, u32)>),
    Varchar(Option<u32>),
    Char(Option<u32>),
    Text,
    Boolean,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Json,
    Jsonb,
    Uuid,
    Bytea,
    Array(Box<ColumnType>),
    /// A PostgreSQL enum type, by name.
    Enum(String),
    /// Anything else, as the database spells it.
    Other(String),
}

impl ColumnType {
    /// Whether values of the two types can be compared in a join without a cast that loses
    /// anything: the whole integer family together, the floating types together, the
    /// character types together, and otherwise only equal types.
    pub fn joins_with(&self, other: &ColumnType) -> bool {
        use ColumnType::*;
        let family = |t: &ColumnType| match t {
            SmallInt | Integer | BigInt => 1,
            Real | Double | Numeric(_) => 2,
            Varchar(_) | Char(_) | Text => 3,
            _ => 0,
        };
        self == other || (family(self) != 0 && family(self) == family(other))
    }
}

impl fmt::Display for ColumnType {
    /// PostgreSQL's spelling, which is also what revision files and reports show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ColumnType::*;
        match self {
            SmallInt => f.write_str("smallint"),
            Integer => f.write_str("integer"),
            BigInt => f.write_str("bigint"),
            Real => f.write_str("real"),
            Double => f.write_str("double precision"),
            Numeric(None) => f.write_str("numeric"),
            Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            Varchar(None) => f.write_str("varchar"),
            Varchar(Some(n)) => write!(f, "varchar({n})"),
            Char(None) => f.write_str("char"),
            Char(Some(n)) => write!(f, "char({n})"),
            Text => f.write_str("text"),
            Boolean => f.write_str("boolean"),
            Date => f.write_str("date"),
            Time => f.write_str("time"),
            Timestamp => f.write_str("timestamp"),
            TimestampTz => f.write_str("timestamptz"),
            Interval => f.write_str("interval"),
            Json => f.write_str("json"),
            Jsonb => f.write_str("jsonb"),
            Uuid => f.write_str("uuid"),
            Bytea => f.write_str("bytea"),
            Array(inner) => write!(f, "{inner}[]"),
            Enum(name) => f.write_str(name),
            Other(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UniqueConstraint {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15): two rows whose key is null collide.
    pub nulls_not_distinct: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// When a constraint is checked: at the end of each statement, or, if deferrable, when the
/// transaction commits (`SET CONSTRAINTS ... DEFERRED`, or from the start).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Deferral {
    #[default]
    NotDeferrable,
    /// `DEFERRABLE INITIALLY IMMEDIATE`.
    Deferrable,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    InitiallyDeferred,
}

impl Deferral {
    /// The clause after the key's actions, or nothing for the default.
    pub fn sql(self) -> &'static str {
        match self {
            Deferral::NotDeferrable => "",
            Deferral::Deferrable => " DEFERRABLE",
            Deferral::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// The schema of `ref_table` when it is not the key's own (PostgreSQL: a key from a
    /// working schema into a production one); `None`, the same schema as the key's table.
    /// SQLite has no schemas: there every key is a key into the one file.
    pub ref_schema: Option<String>,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferral: Deferral,
    /// `MATCH FULL`: a key whose columns are partly null is refused (the default, `MATCH
    /// SIMPLE`, lets it through unchecked). SQLite parses it and ignores it.
    pub match_full: bool,
}

/// One key of an index: a column, or an expression such as `lower(name)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndexKey {
    Column(String),
    Expression(String),
}

/// How one index key is ordered and compared. The default is the backend's: ascending, nulls
/// where the direction puts them, the type's default operator class and collation.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyOptions {
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST`, when not the direction's own (last when
    /// ascending, first when descending): normalized to `None` when it is.
    pub nulls_first: Option<bool>,
    /// An operator class other than the type's default (`jsonb_path_ops`).
    pub opclass: Option<String>,
    /// A collation other than the column's (`"C"`, SQLite's `NOCASE`).
    pub collation: Option<String>,
}

impl KeyOptions {
    pub fn is_default(&self) -> bool {
        *self == KeyOptions::default()
    }

    /// The text after the key: ` COLLATE "C" jsonb_path_ops DESC NULLS LAST`.
    pub fn sql(&self, quote: impl Fn(&str) -> String) -> String {
        let mut s = String::new();
        if let Some(collation) = &self.collation {
            s.push_str(&format!(" COLLATE {}", quote(collation)));
        }
        if let Some(opclass) = &self.opclass {
            s.push_str(&format!(" {}", quote(opclass)));
        }
        if self.descending {
            s.push_str(" DESC");
        }
        match self.nulls_first {
            Some(true) => s.push_str(" NULLS FIRST"),
            Some(false) => s.push_str(" NULLS LAST"),
            None => {}
        }
        s
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    pub name: String,
    pub keys: Vec<IndexKey>,
    /// Each key's options, in the keys' order; empty when every key has the defaults (the
    /// builders and readers keep it so: [`Index::options_of`] reads it).
    pub options: Vec<KeyOptions>,
    /// Columns stored in the index but not keys of it (`INCLUDE`, PostgreSQL).
    pub include: Vec<String>,
    pub unique: bool,
    /// `NULLS NOT DISTINCT` on a unique index (PostgreSQL 15).
    pub nulls_not_distinct: bool,
    /// The WHERE of a partial index.
    pub predicate: Option<String>,
    /// The access method (`btree`, `gin`, ...); `None` means the backend's default.
    pub method: Option<String>,
}

impl Index {
    /// The options of key `n`.
    pub fn options_of(&self, n: usize) -> KeyOptions {
        self.options.get(n).cloned().unwrap_or_default()
    }

    /// [`Index::options`] in its one spelling: as many as the keys, or none when all are the
    /// defaults; a `NULLS` placement that is the direction's own is no option.
    pub fn normalize_options(&mut self) {
        for o in &mut self.options {
            if o.nulls_first == Some(o.descending) {
                o.nulls_first = None;
            }
        }
        if self.options.iter().all(KeyOptions::is_default) {
            self.options.clear();
        } else {
            self.options.resize(self.keys.len(), KeyOptions::default());
        }
    }

    /// The column names, when every key is a plain column.
    pub fn plain_columns(&self) -> Option<Vec<String>> {
        self.keys
            .iter()
            .map(|k| match k {
                IndexKey::Column(c) => Some(c.clone()),
                IndexKey::Expression(_) => None,
            })
            .collect()
    }
}

/// A unique, foreign key or check constraint: what `Op::DropConstraint` drops.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    Unique(UniqueConstraint),
    ForeignKey(ForeignKey),
    Check(CheckConstraint),
}

/// A key's or check's name. Every model builder fills names ([`crate::naming::fill`]), so
/// this is empty only for a value built by hand that went through none of them; the SQL
/// writers then leave the name to the database rather than write `CONSTRAINT ""`.
pub fn name_of(name: &Option<String>) -> &str {
    name.as_deref().unwrap_or_default()
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckConstraint {
    pub name: Option<String>,
    pub expression: String,
}

/// A sequence that no column owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    pub name: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cycle: bool,
}

impl Sequence {
    /// PostgreSQL's defaults for an ascending bigint sequence.
    pub fn new(name: &str) -> Self {
        Sequence {
            name: name.into(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: i64::MAX,
            cycle: false,
        }
    }
    pub fn start(mut self, start: i64) -> Self {
        self.start = start;
        self
    }
    pub fn increment(mut self, increment: i64) -> Self {
        self.increment = increment;
        self
    }
    pub fn min_value(mut self, min_value: i64) -> Self {
        self.min_value = min_value;
        self
    }
    pub fn max_value(mut self, max_value: i64) -> Self {
        self.max_value = max_value;
        self
    }
    pub fn cycle(mut self) -> Self {
        self.cycle = true;
        self
    }
}

/// A view or materialized view: a query kept by name. Its definition is SQL text, compared in
/// the form the server keeps it ([`crate::canonical`]); what it reads and the columns it gives
/// are context the server reports (for plans), not part of what is compared.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub name: String,
    /// The query (`SELECT ...`), as the model wrote it or as the server keeps it
    /// (`pg_get_viewdef`), without a closing semicolon.
    pub definition: String,
    /// A materialized view (PostgreSQL): the query's rows are stored, and refreshed on demand.
    pub materialized: bool,
    /// Materialized: filled when created (`WITH DATA`, the default), or left unreadable until
    /// its first refresh (`WITH NO DATA`).
    pub with_data: bool,
    /// Materialized: its indexes (a unique one lets it be refreshed `CONCURRENTLY`).
    pub indexes: Vec<Index>,
    /// What the query reads, as the server recorded it; empty when unknown.
    pub reads: Vec<Read>,
    /// The columns it gives, by name and type as the server reports them; empty when unknown.
    pub columns: Vec<(String, String)>,
    pub comment: Option<String>,
}

impl PartialEq for View {
    /// Equal when they define the same thing: what they read and give is context.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.definition == other.definition
            && self.materialized == other.materialized
            && self.with_data == other.with_data
            && self.indexes == other.indexes
            && self.comment == other.comment
    }
}

/// Something a view reads (or a trigger calls), as the server's dependencies record it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// A column of a table or view.
    Column(String, String),
    /// A table or view as a whole.
    Relation(String),
    /// A function, by [`Function::key`].
    Function(String),
}

/// A function (PostgreSQL: SQL or PL/pgSQL). Its name and arguments tell it from its
/// overloads; the rest of its definition is SQL text, compared in the server's form.
#[derive(Clone, Debug, Default)]
pub struct Function {
    pub name: String,
    /// The argument list as declared, without its parentheses (`a integer, b text DEFAULT
    /// 'x'`), as the model wrote it or as the server lists it.
    pub arguments: String,
    /// Everything after the argument list: `RETURNS integer LANGUAGE sql IMMUTABLE AS $$ ...
    /// $$`, as the model wrote it or as `pg_get_functiondef` writes it.
    pub definition: String,
    /// The arguments that tell overloads apart, as the server lists them (`a integer, b text`:
    /// no defaults); empty when unknown (then [`identity_arguments`] of `arguments`).
    pub identity: String,
    pub comment: Option<String>,
}

impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.arguments == other.arguments
            && self.definition == other.definition
            && self.comment == other.comment
    }
}

impl Function {
    /// The identity arguments: the server's when known, else read from the declared list.
    pub fn identity_arguments(&self) -> String {
        if self.identity.is_empty() {
            identity_arguments(&self.arguments)
        } else {
            self.identity.clone()
        }
    }

    /// What tells it from every other function of its schema: `name(identity arguments)`.
    pub fn key(&self) -> String {
        format!("{}({})", self.name, self.identity_arguments())
    }
}

/// The identity form of a declared argument list: each argument without its default
/// (`DEFAULT x` or `= x`), white space collapsed, `OUT` arguments left out (they do not tell
/// overloads apart). An approximation of the server's `pg_get_function_identity_arguments`,
/// used only where no server has read the function.
pub fn identity_arguments(arguments: &str) -> String {
    crate::definitions::split_top_level(arguments)
        .into_iter()
        .map(|arg| {
            let arg = crate::normalize::collapse_space(arg.trim());
            // ASCII case only, so that the offsets are the argument's own; outside quotes.
            let lower = arg.to_ascii_lowercase();
            let cut = [" default ", "="]
                .iter()
                .filter_map(|m| crate::definitions::top_level_find(&lower, m))
                .min()
                .unwrap_or(arg.len());
            arg[..cut].trim().to_string()
        })
        .filter(|arg| !arg.is_empty() && !arg.to_ascii_lowercase().starts_with("out "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a comment of its own is on, beside tables and columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Commented {
    View { name: String, materialized: bool },
    /// A function, by name and identity arguments.
    Function { name: String, arguments: String },
}

/// A trigger on a table (or a view): when it fires and the function it calls, as one
/// `CREATE TRIGGER` statement, compared in the server's form (`pg_get_triggerdef`).
#[derive(Clone, Debug, Default)]
pub struct Trigger {
    pub table: String,
    pub name: String,
    /// The whole `CREATE TRIGGER ...` statement, without a closing semicolon.
    pub definition: String,
    /// The function it calls, by [`Function::key`], as the server recorded it; empty when
    /// unknown.
    pub function: Option<String>,
}

impl PartialEq for Trigger {
    fn eq(&self, other: &Self) -> bool {
        self.table == other.table && self.name == other.name && self.definition == other.definition
    }
}
