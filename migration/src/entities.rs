//! Entities to the schema model: what any set of SeaORM entities says about its tables.
//!
//! Everything is read through SeaORM's public traits (`EntityTrait`, `ColumnTrait`,
//! `RelationTrait`) and its `Schema` helper, so this works for any entity crate, not just the
//! opDB's. The mapping of SeaORM attributes to schema objects:
//!
//! | entity says | model gets |
//! |---|---|
//! | `primary_key` on one or more fields | the primary key, named `<table>_pkey` |
//! | `primary_key` with auto-increment (SeaORM's default for one integer key) | a serial column |
//! | `unique` | a unique constraint `<table>_<column>_key` |
//! | `indexed` | an index `ix_<table>_<column>` |
//! | `unique_key = "NAME"` on one or more fields | a unique index called NAME on those fields |
//! | `comment = "..."` | the column comment; `#[sea_orm(comment)]` on the model, the table comment |
//! | a `belongs_to` relation (not `skip_fk`) | a foreign key `<table>_<columns>_fkey` |
//! | `renamed_from = "old"` | a rename hint for the diff |
//! | `extra = "CHECK (expr)"` | a check constraint `<table>_<column>_check` |
//! | `extra = "GENERATED ALWAYS AS (expr) STORED"` (or `VIRTUAL`, SQLite's) | a generated column |
//! | `extra = "COLLATE \"C\""` | the column's collation |
//!
//! Any other `extra` is an error naming the entity and column: it would reach the database
//! through SeaORM's own `create_table`, but opdb could neither create nor compare it.
//!
//! The names follow PostgreSQL's own defaults (and SQLAlchemy's `ix_` for indexes), so a
//! database made by SQLAlchemy's `create_all` has the same names the entities would give it.

use crate::naming;
use crate::schema::{
    CheckConstraint, Column, ColumnType, FkAction, ForeignKey, Generated, Index, IndexKey,
    PrimaryKey, Table, UniqueConstraint,
};
use sea_orm::sea_query::{self, StringLen, TableRef};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, PrimaryKeyTrait,
    RelationTrait,
};
use std::collections::BTreeMap;

/// What one entity says: its table, its relations, and rename hints.
#[derive(Clone, Debug)]
pub struct EntityInfo {
    pub table: Table,
    pub relations: Vec<Relation>,
    /// Column renames the entity asks for (`renamed_from`): new name to old name.
    pub column_renames: BTreeMap<String, String>,
    /// PostgreSQL enum types the columns use: name to labels.
    pub enums: BTreeMap<String, Vec<String>>,
    /// What the entity says that opdb cannot express, one line each.
    pub unsupported: Vec<String>,
}

/// Which way a relation points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// This entity holds the foreign key (`belongs_to`).
    BelongsTo,
    /// The other entity holds a foreign key to this one, and at most one row of it matches.
    HasOne,
    /// The other entity holds a foreign key to this one.
    HasMany,
}

/// One variant of an entity's `Relation` enum, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    /// The enum variant, for messages.
    pub name: String,
    pub kind: RelationKind,
    pub from_table: String,
    pub from_columns: Vec<String>,
    pub to_table: String,
    /// The target's schema, when the relation names one (the target entity's `schema_name`,
    /// or a relation pointed into a schema with [`crate::foreign_key_schema`]).
    pub to_schema: Option<String>,
    pub to_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `skip_fk`: a relation SeaORM may join on but that has no foreign key.
    pub skip_fk: bool,
}

/// Reads one entity.
pub fn read_entity<E: EntityTrait>(entity: E) -> EntityInfo {
    let table_name = entity.table_name().to_string();
    let helper = sea_orm::Schema::new(DbBackend::Postgres);

    let pk_columns: Vec<String> = E::PrimaryKey::iter()
        .map(|pk| pk.into_column().as_str().to_string())
        .collect();
    let auto_increment = E::PrimaryKey::auto_increment() && pk_columns.len() == 1;

    let mut columns = Vec::new();
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    let mut column_renames = BTreeMap::new();
    let mut enums = BTreeMap::new();
    let mut unsupported = Vec::new();
    for column in E::Column::iter() {
        let name = column.as_str().to_string();
        let def = column.def();
        let spec = helper.get_column_def::<E>(column);
        let (comment, renamed_from) = split_comment(spec.get_column_spec().comment.as_deref());
        let mut generated = None;
        let mut collation = None;
        if let Some(extra) = spec.get_column_spec().extra.as_deref() {
            match read_extra(extra) {
                Ok(read) => {
                    if let Some(check) = read.check {
                        checks.push(CheckConstraint {
                            name: Some(naming::column_check(&table_name, &name)),
                            expression: check,
                        });
                    }
                    generated = read.generated;
                    collation = read.collation;
                }
                Err(what) => unsupported.push(format!(
                    "entity {table_name:?}, column {name:?}: extra = {extra:?} {what} ({tool} \
                     understands CHECK (...), GENERATED ALWAYS AS (...) STORED or VIRTUAL, and \
                     COLLATE name): remove it, or make it in a revision with op.execute",
                    tool = crate::tool::name()
                )),
            }
        }
        if let Some(old) = renamed_from {
            column_renames.insert(name.clone(), old);
        }
        if let Err(ty) = read_type(def.get_column_type()) {
            unsupported.push(format!(
                "entity {table_name:?}, column {name:?}: type {ty} has no PostgreSQL or SQLite \
                 spelling {tool} knows: give the column a column_type it can create",
                tool = crate::tool::name()
            ));
        }
        if let sea_query::ColumnType::Enum { name, variants } = def.get_column_type() {
            let labels = variants.iter().map(|v| v.to_string()).collect();
            enums.insert(name.to_string(), labels);
        }
        if def.is_unique() {
            uniques.push(UniqueConstraint {
                name: Some(naming::unique(&table_name, std::slice::from_ref(&name))),
                columns: vec![name.clone()],
                nulls_not_distinct: false,
            });
        }
        columns.push(Column {
            ty: column_type(def.get_column_type()),
            nullable: def.is_null(),
            default: def
                .get_column_default()
                .filter(|_| generated.is_none())
                .map(default_sql),
            comment,
            auto_increment: auto_increment && pk_columns == [name.clone()],
            identity: None,
            generated,
            collation,
            name,
        });
    }

    let prefix = format!("idx-{table_name}-");
    let indexes = helper
        .create_index_from_entity(entity)
        .iter()
        .map(|stmt| {
            let spec = stmt.get_index_spec();
            let columns = spec.get_column_names();
            let sea_name = spec.get_name().unwrap_or_default();
            let key = sea_name.strip_prefix(&prefix).unwrap_or(sea_name);
            let name = if stmt.is_unique_key() {
                key.to_string()
            } else {
                naming::index(&table_name, &columns)
            };
            Index {
                name,
                keys: columns.into_iter().map(IndexKey::Column).collect(),
                unique: stmt.is_unique_key(),
                ..Index::default()
            }
        })
        .collect();

    let relations: Vec<Relation> = E::Relation::iter()
        .map(|rel| read_relation(format!("{rel:?}"), rel.def()))
        .collect();
    let foreign_keys = relations
        .iter()
        .filter(|r| r.kind == RelationKind::BelongsTo && !r.skip_fk)
        .map(|r| ForeignKey {
            name: Some(naming::foreign_key(&table_name, &r.from_columns)),
            columns: r.from_columns.clone(),
            ref_table: r.to_table.clone(),
            ref_schema: r.to_schema.clone(),
            ref_columns: r.to_columns.clone(),
            on_delete: r.on_delete,
            on_update: r.on_update,
            ..ForeignKey::default()
        })
        .collect();

    EntityInfo {
        table: Table {
            comment: entity.comment().map(str::to_string),
            columns,
            primary_key: (!pk_columns.is_empty()).then(|| PrimaryKey {
                name: Some(naming::primary_key(&table_name)),
                columns: pk_columns,
            }),
            uniques,
            foreign_keys,
            indexes,
            checks,
            name: table_name,
            sqlite_triggers: Vec::new(),
        },
        relations,
        column_renames,
        enums,
        unsupported,
    }
}

fn read_relation(name: String, def: sea_orm::RelationDef) -> Relation {
    let kind = match (def.is_owner, def.rel_type) {
        (false, _) => RelationKind::BelongsTo,
        (true, sea_orm::RelationType::HasOne) => RelationKind::HasOne,
        (true, sea_orm::RelationType::HasMany) => RelationKind::HasMany,
    };
    Relation {
        name,
        kind,
        from_table: table_ref_name(&def.from_tbl),
        from_columns: def.from_col.iter().map(|c| c.to_string()).collect(),
        to_table: table_ref_name(&def.to_tbl),
        to_schema: table_ref_schema(&def.to_tbl),
        to_columns: def.to_col.iter().map(|c| c.to_string()).collect(),
        on_delete: def.on_delete.map(fk_action).unwrap_or_default(),
        on_update: def.on_update.map(fk_action).unwrap_or_default(),
        skip_fk: def.skip_fk,
    }
}

/// A default expression as PostgreSQL SQL text.
pub(crate) fn default_sql(expr: &sea_query::SimpleExpr) -> String {
    let select = sea_query::Query::select()
        .expr(expr.clone())
        .to_string(sea_query::PostgresQueryBuilder);
    select.trim_start_matches("SELECT ").to_string()
}

fn table_ref_name(table: &TableRef) -> String {
    match table {
        TableRef::Table(name, _) => name.1.to_string(),
        other => format!("{other:?}"),
    }
}

/// The schema a table reference names, if any.
fn table_ref_schema(table: &TableRef) -> Option<String> {
    match table {
        TableRef::Table(name, _) => name.0.as_ref().map(|schema| schema.1.to_string()),
        _ => None,
    }
}

/// `def` pointed at its target table in PostgreSQL schema `schema`: how an entity says that
/// its foreign key reaches into another schema (a working schema's table referring to a row of
/// the production schema) when the target entity itself lives in every schema of the model.
///
/// ```text
/// fn def(&self) -> RelationDef {
///     let def = Entity::belongs_to(super::dataset::Entity)
///         .from(Column::InputProductionId)
///         .to(super::dataset::Column::DatasetId)
///         .into();
///     migration::foreign_key_schema(def, "production")
/// }
/// ```
pub fn foreign_key_schema(mut def: sea_orm::RelationDef, schema: &str) -> sea_orm::RelationDef {
    use sea_query::IntoIden;
    if let TableRef::Table(name, alias) = def.to_tbl {
        let schema = sea_query::SchemaName(None, sea_query::Alias::new(schema).into_iden());
        def.to_tbl = TableRef::Table(sea_query::TableName(Some(schema), name.1), alias);
    }
    def
}

fn fk_action(action: sea_query::ForeignKeyAction) -> FkAction {
    use sea_query::ForeignKeyAction as A;
    match action {
        A::Restrict => FkAction::Restrict,
        A::Cascade => FkAction::Cascade,
        A::SetNull => FkAction::SetNull,
        A::SetDefault => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// What a column's `extra` says.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Extra {
    pub(crate) check: Option<String>,
    pub(crate) generated: Option<Generated>,
    pub(crate) collation: Option<String>,
}

/// Reads a column's `extra`: clauses `CHECK (expr)`, `[GENERATED ALWAYS] AS (expr)
/// [STORED | VIRTUAL]` and `COLLATE name`, in any order; `Err` says what is not one of them.
pub(crate) fn read_extra(extra: &str) -> Result<Extra, &'static str> {
    let mut out = Extra::default();
    let mut rest = extra.trim();
    // The keyword `word` (any case) at the start of `rest`, and what follows it.
    let word = |rest: &str, word: &str| -> Option<usize> {
        let head = rest.get(..word.len())?;
        let next = rest[word.len()..].chars().next();
        (head.eq_ignore_ascii_case(word) && !next.is_some_and(|c| c.is_alphanumeric() || c == '_'))
            .then_some(word.len())
    };
    // `( ... )` at the start of `rest`: its inside, and what follows.
    let parens = |rest: &str| -> Result<(String, usize), &'static str> {
        let rest_trimmed = rest.trim_start();
        let skipped = rest.len() - rest_trimmed.len();
        if !rest_trimmed.starts_with('(') {
            return Err("lacks the parenthesized expression after CHECK or AS");
        }
        let close = crate::normalize::closing_paren(rest_trimmed, 0)
            .ok_or("has a parenthesis that is not closed")?;
        Ok((rest_trimmed[1..close].to_string(), skipped + close + 1))
    };
    while !rest.is_empty() {
        if let Some(n) = word(rest, "COLLATE") {
            let (name, after) = crate::introspect::take_ident(&rest[n..]);
            if name.is_empty() || out.collation.is_some() {
                return Err("has a COLLATE without one collation name");
            }
            out.collation = Some(name);
            rest = after.trim_start();
            continue;
        }
        if let Some(n) = word(rest, "CHECK") {
            if out.check.is_some() {
                return Err("has two CHECK clauses");
            }
            let (expr, used) = parens(&rest[n..])?;
            out.check = Some(crate::normalize::check_expr(&expr));
            rest = rest[n + used..].trim_start();
            continue;
        }
        let mut at = rest;
        if let Some(n) = word(at, "GENERATED") {
            at = at[n..].trim_start();
            let n = word(at, "ALWAYS").ok_or("says GENERATED without ALWAYS AS")?;
            at = at[n..].trim_start();
        }
        if let Some(n) = word(at, "AS") {
            if out.generated.is_some() {
                return Err("has two generation expressions");
            }
            let (expr, used) = parens(&at[n..])?;
            at = at[n + used..].trim_start();
            let mut stored = false;
            if let Some(n) = word(at, "STORED") {
                stored = true;
                at = at[n..].trim_start();
            } else if let Some(n) = word(at, "VIRTUAL") {
                at = at[n..].trim_start();
            }
            out.generated = Some(Generated {
                expression: crate::normalize::check_expr(&expr),
                stored,
            });
            rest = at;
            continue;
        }
        return Err("holds a clause that is not CHECK, GENERATED ALWAYS AS or COLLATE");
    }
    Ok(out)
}

/// SeaORM folds `renamed_from` into the comment it hands to SeaQuery (`...; renamed_from "x"`);
/// split the two apart again.
pub(crate) fn split_comment(comment: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(comment) = comment else {
        return (None, None);
    };
    // A comment that merely ends in `renamed_from "` has no hint: `get` finds an empty range.
    let hint = comment.rfind("renamed_from \"").and_then(|at| {
        let name = comment.get(at + 14..comment.len().checked_sub(1)?)?;
        comment.ends_with('"').then(|| (at, name.to_string()))
    });
    let (text, hint) = match hint {
        Some((at, name)) => (comment[..at].trim_end_matches("; "), Some(name)),
        None => (comment, None),
    };
    ((!text.is_empty()).then(|| text.to_string()), hint)
}

/// SeaORM's column types to the model's; a type PostgreSQL has no spelling for (MySQL's
/// `YEAR`) comes back as `Other` and is reported by [`read_type`].
pub fn column_type(ty: &sea_query::ColumnType) -> ColumnType {
    read_type(ty).unwrap_or_else(ColumnType::Other)
}

/// SeaORM's column type as the model's, or `Err` with its debug spelling when PostgreSQL has
/// no such type.
fn read_type(ty: &sea_query::ColumnType) -> Result<ColumnType, String> {
    use sea_query::ColumnType as S;
    Ok(match ty {
        S::Char(n) => ColumnType::Char(*n),
        S::String(StringLen::N(n)) => ColumnType::Varchar(Some(*n)),
        S::String(_) => ColumnType::Varchar(None),
        S::Text => ColumnType::Text,
        S::TinyInteger | S::SmallInteger | S::TinyUnsigned | S::SmallUnsigned => {
            ColumnType::SmallInt
        }
        S::Integer | S::Unsigned => ColumnType::Integer,
        S::BigInteger | S::BigUnsigned => ColumnType::BigInt,
        S::Float => ColumnType::Real,
        S::Double => ColumnType::Double,
        S::Decimal(p) | S::Money(p) => ColumnType::Numeric(*p),
        S::DateTime | S::Timestamp => ColumnType::Timestamp,
        S::TimestampWithTimeZone => ColumnType::TimestampTz,
        S::Time => ColumnType::Time,
        S::Date => ColumnType::Date,
        S::Interval(..) => ColumnType::Interval,
        S::Binary(_) | S::VarBinary(_) | S::Blob => ColumnType::Bytea,
        S::Boolean => ColumnType::Boolean,
        S::Json => ColumnType::Json,
        S::JsonBinary => ColumnType::Jsonb,
        S::Uuid => ColumnType::Uuid,
        S::Enum { name, .. } => ColumnType::Enum(name.to_string()),
        S::Array(inner) => ColumnType::Array(Box::new(read_type(inner)?)),
        S::Custom(name) => ColumnType::Other(name.to_string()),
        // PostgreSQL's own types (and pgvector's), spelled as its catalog spells them.
        S::Bit(None) => ColumnType::Other("bit".into()),
        S::Bit(Some(n)) => ColumnType::Other(format!("bit({n})")),
        S::VarBit(n) => ColumnType::Other(format!("bit varying({n})")),
        S::Vector(None) => ColumnType::Other("vector".into()),
        S::Vector(Some(n)) => ColumnType::Other(format!("vector({n})")),
        S::Cidr => ColumnType::Other("cidr".into()),
        S::Inet => ColumnType::Other("inet".into()),
        S::MacAddr => ColumnType::Other("macaddr".into()),
        S::LTree => ColumnType::Other("ltree".into()),
        other => return Err(format!("{other:?}").to_lowercase()),
    })
}

/// Collects entities into one schema model.
#[derive(Debug, Default)]
pub struct EntitySet {
    pub entities: BTreeMap<String, EntityInfo>,
    /// Views and materialized views declared beside the entities, by name.
    views: BTreeMap<String, crate::schema::View>,
    /// Functions declared beside the entities, in declaration order.
    functions: Vec<crate::schema::Function>,
    /// Triggers declared beside the entities, in declaration order.
    triggers: Vec<crate::schema::Trigger>,
    /// What was asked of the set that it could not do (a key it does not have), one line each.
    problems: Vec<String>,
    /// The model's schema version (`major.minor.patch`), when it declares one.
    version: Option<String>,
}

impl EntitySet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add<E: EntityTrait>(&mut self, entity: E) -> &mut Self {
        let info = read_entity(entity);
        self.entities.insert(info.table.name.clone(), info);
        self
    }

    /// Makes the unique key `name` of `table` (a `unique` column's `<table>_<column>_key`, or a
    /// `unique_key = "name"` index) `NULLS NOT DISTINCT` (PostgreSQL 15): two rows whose key
    /// columns are null collide, which SeaORM's attributes cannot say. SQLite has no such
    /// option: there the key lets such rows through.
    pub fn nulls_not_distinct(&mut self, table: &str, name: &str) -> &mut Self {
        let Some(info) = self.entities.get_mut(table) else {
            self.problems.push(format!(
                "nulls_not_distinct({table:?}, {name:?}): no entity has table {table:?}"
            ));
            return self;
        };
        let mut found = false;
        for unique in info.table.uniques.iter_mut() {
            if unique.name.as_deref() == Some(name) {
                unique.nulls_not_distinct = true;
                found = true;
            }
        }
        for index in info.table.indexes.iter_mut() {
            if index.unique && index.name == name {
                index.nulls_not_distinct = true;
                found = true;
            }
        }
        if !found {
            let keys: Vec<&str> = info
                .table
                .uniques
                .iter()
                .filter_map(|u| u.name.as_deref())
                .chain(
                    info.table
                        .indexes
                        .iter()
                        .filter(|i| i.unique)
                        .map(|i| i.name.as_str()),
                )
                .collect();
            self.problems.push(format!(
                "nulls_not_distinct({table:?}, {name:?}): table {table} has no unique key \
                 {name:?} (it has: {})",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            ));
        }
        self
    }

    /// Declares a view or a materialized view (with its indexes) beside the entities: its
    /// query is SQL over the tables and views of the model, compared with the database's in
    /// the server's own form. `set.view(View::new("open_visit", "SELECT ... FROM pfs_visit"))`
    /// or `set.view(View::materialized("visit_stats", "SELECT ...").index(..))`. An entity
    /// whose `table_name` is the view's name reads it through SeaORM (not `add`ed: it is no
    /// table).
    pub fn view(&mut self, view: crate::schema::View) -> &mut Self {
        if view.name.is_empty() || view.definition.is_empty() {
            self.problems
                .push(format!("view {:?}: give it a name and a query", view.name));
        } else if self.views.contains_key(&view.name) {
            self.problems
                .push(format!("view {} is declared twice", view.name));
        }
        self.views.insert(view.name.clone(), view);
        self
    }

    /// Declares a function (SQL or PL/pgSQL): `set.function(Function::new("total", "p
    /// numeric, q integer", "RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * q $$"))`.
    /// Overloads (one name, other arguments) are distinct functions.
    pub fn function(&mut self, function: crate::schema::Function) -> &mut Self {
        if function.name.is_empty() || function.definition.is_empty() {
            self.problems.push(format!(
                "function {:?}: give it a name and a definition (RETURNS ... LANGUAGE ... AS ...)",
                function.name
            ));
        } else if self.functions.iter().any(|f| f.key() == function.key()) {
            self.problems
                .push(format!("function {} is declared twice", function.key()));
        }
        self.functions.push(function);
        self
    }

    /// Declares a trigger by its `CREATE TRIGGER name ... ON table ... EXECUTE FUNCTION f()`
    /// statement.
    pub fn trigger(&mut self, sql: &str) -> &mut Self {
        match crate::schema::Trigger::parse(sql) {
            Ok(trigger) => {
                if self
                    .triggers
                    .iter()
                    .any(|t| t.table == trigger.table && t.name == trigger.name)
                {
                    self.problems.push(format!(
                        "trigger {} on {} is declared twice",
                        trigger.name, trigger.table
                    ));
                }
                self.triggers.push(trigger);
            }
            Err(e) => self.problems.push(format!("trigger: {e:#}")),
        }
        self
    }

    /// Checks, through SeaORM's entity registry (every entity registers itself), that each
    /// entity defined in the modules under `module` is in the set: `modules` are the ones the
    /// build script found an entity in (`migration_build`), and an entity it missed (one nested
    /// in a module of its own, or made by a macro) is named by [`EntitySet::supported`] rather
    /// than silently left out of the model.
    pub fn found_in(&mut self, module: &str, modules: &[&str]) -> &mut Self {
        let raw = |name: &str| name.replace("r#", "");
        let prefix = format!("{}::", raw(module));
        let found: Vec<String> = modules.iter().map(|m| raw(m)).collect();
        for entry in inventory::iter::<sea_orm::EntityRegistry>() {
            let path = raw(entry.module_path);
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            if !found.iter().any(|m| m == rest) {
                self.problems.push(format!(
                    "the entity of module {path} is not in the model: {tool} takes one entity \
                     from each file of the entity folder, at the file's top level (a \
                     `#[derive(..., DeriveEntityModel)]` starting a line): move it to a file \
                     of its own there",
                    tool = crate::tool::name()
                ));
            }
        }
        self
    }

    /// Declares the model's schema version (`major.minor.patch`, as `set.schema_version("2.1.0")`
    /// in `model.rs`): autogenerate writes it into a revision that changes it, `upgrade`
    /// records it with each step, and `check` fails when the database's recorded version and
    /// this one differ in their major version ([`crate::schema_version`]).
    pub fn schema_version(&mut self, version: &str) -> &mut Self {
        match crate::schema_version::SchemaVersion::parse(version) {
            Ok(v) => self.version = Some(v.to_string()),
            Err(e) => self.problems.push(format!("schema_version: {e}")),
        }
        self
    }

    /// The schema version the model declares.
    pub fn declared_version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Fails, naming each, when an entity says something opdb cannot express.
    pub fn supported(&self) -> anyhow::Result<()> {
        // What only the whole set shows: a view named as a table (an entity on a view is
        // declared with `view`, not `add`ed), a trigger on neither.
        let mut clashes = Vec::new();
        for name in self.views.keys().filter(|v| self.entities.contains_key(*v)) {
            clashes.push(format!(
                "view {name} is also an entity's table: an entity that reads a view is not \
                 added to the set (remove its `add`)"
            ));
        }
        for t in &self.triggers {
            if !self.entities.contains_key(&t.table) && !self.views.contains_key(&t.table) {
                clashes.push(format!(
                    "trigger {} is on {}, which is no table or view of the model",
                    t.name, t.table
                ));
            }
        }
        let all: Vec<&String> = self
            .entities
            .values()
            .flat_map(|e| &e.unsupported)
            .chain(&self.problems)
            .chain(&clashes)
            .collect();
        match all.as_slice() {
            [] => Ok(()),
            [one] => anyhow::bail!("{one}"),
            many => anyhow::bail!(
                "{} things {} cannot express: {}",
                many.len(),
                crate::tool::name(),
                many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
            ),
        }
    }

    /// The schema the entities describe, with the views, functions and triggers declared
    /// beside them.
    pub fn schema(&self) -> crate::schema::Schema {
        let mut schema = assemble(
            self.entities
                .values()
                .map(|info| (info.table.clone(), info.enums.clone())),
        );
        self.add_definitions(&mut schema);
        schema
    }

    /// [`EntitySet::schema`], the tables moved rather than copied.
    pub fn into_schema(self) -> crate::schema::Schema {
        let mut schema = crate::schema::Schema::default();
        self.add_definitions(&mut schema);
        let tables = assemble(
            self.entities
                .into_values()
                .map(|info| (info.table, info.enums)),
        );
        crate::schema::Schema {
            views: schema.views,
            functions: schema.functions,
            triggers: schema.triggers,
            ..tables
        }
    }

    fn add_definitions(&self, schema: &mut crate::schema::Schema) {
        schema.views = self.views.clone();
        for view in schema.views.values_mut() {
            for index in &mut view.indexes {
                index.normalize_options();
            }
        }
        schema.functions = self
            .functions
            .iter()
            .map(|f| (f.key(), f.clone()))
            .collect();
        schema.triggers = self
            .triggers
            .iter()
            .map(|t| ((t.table.clone(), t.name.clone()), t.clone()))
            .collect();
    }
}

/// One schema of the entities' tables and the enum types they use.
fn assemble(
    parts: impl Iterator<Item = (crate::schema::Table, BTreeMap<String, Vec<String>>)>,
) -> crate::schema::Schema {
    let mut schema = crate::schema::Schema::default();
    for (table, enums) in parts {
        schema.enums.extend(enums);
        schema.tables.insert(table.name.clone(), table);
    }
    crate::normalize::schema(&mut schema);
    schema
}

impl EntitySet {
    /// What the diff needs beside the schema: the column renames the entities ask for.
    pub fn hints(&self) -> crate::autogenerate::Hints {
        crate::autogenerate::Hints {
            column_renames: self
                .entities
                .values()
                .flat_map(|info| {
                    info.column_renames
                        .iter()
                        .map(|(new, old)| ((info.table.name.clone(), new.clone()), old.clone()))
                })
                .collect(),
            expressions: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{read_extra, split_comment, Extra};

    /// Declarations beside the entities that cannot be: each named, in one error.
    #[test]
    fn bad_declarations_are_named() {
        use crate::schema::{Function, View};
        let mut set = super::EntitySet::new();
        set.add(gauge::Entity)
            .view(View::new("gauge", "SELECT 1"))
            .view(View::new("v", "SELECT 1"))
            .view(View::new("v", "SELECT 2"))
            .view(View::new("empty", " ; "))
            .function(Function::new("f", "a int", "RETURNS int LANGUAGE sql AS 'SELECT a'"))
            .function(Function::new("f", "a int", "RETURNS int LANGUAGE sql AS 'SELECT 1'"))
            .trigger("CREATE TRIGGER t BEFORE INSERT ON nowhere FOR EACH ROW EXECUTE FUNCTION f()")
            .trigger("CREATE VIEW x AS SELECT 1");
        let e = set.supported().unwrap_err().to_string();
        for expected in [
            "6 things opdb cannot express",
            "view v is declared twice",
            "view \"empty\": give it a name and a query",
            "function f(a int) is declared twice",
            "trigger: \"CREATE VIEW x AS SELECT 1\" is not a CREATE TRIGGER statement",
            "view gauge is also an entity's table",
            "trigger t is on nowhere, which is no table or view of the model",
        ] {
            assert!(e.contains(expected), "{expected}: {e}");
        }
    }
    use crate::schema::{ColumnType, Generated};

    mod gauge {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "gauge", comment = "Readings")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            #[sea_orm(extra = "COLLATE \"C\" CHECK (length(code) > 0)", unique)]
            pub code: String,
            #[sea_orm(default_value = 0.5)]
            pub level: f64,
            #[sea_orm(extra = "GENERATED ALWAYS AS (level * 2) STORED")]
            pub twice: Option<f64>,
            #[sea_orm(renamed_from = "old_note", comment = "Free text", indexed)]
            pub note: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// An entity read without a server: what each attribute becomes in the model.
    #[test]
    fn an_entity_reads_into_the_model() {
        let info = super::read_entity(gauge::Entity);
        assert!(info.unsupported.is_empty(), "{:?}", info.unsupported);
        let t = &info.table;
        assert_eq!(t.comment.as_deref(), Some("Readings"));
        let id = t.column("id").unwrap();
        assert!(id.auto_increment && !id.nullable && id.ty == ColumnType::BigInt);
        let code = t.column("code").unwrap();
        assert_eq!(code.collation.as_deref(), Some("C"));
        assert_eq!(t.checks[0].expression, "length(code) > 0");
        assert_eq!(t.checks[0].name.as_deref(), Some("gauge_code_check"));
        assert_eq!(t.uniques[0].columns, ["code"]);
        assert_eq!(t.column("level").unwrap().default.as_deref(), Some("0.5"));
        let twice = t.column("twice").unwrap();
        assert!(twice.nullable && twice.default.is_none());
        assert_eq!(
            twice.generated,
            Some(Generated {
                expression: "level * 2".into(),
                stored: true
            })
        );
        let note = t.column("note").unwrap();
        assert_eq!(note.comment.as_deref(), Some("Free text"));
        assert_eq!(info.column_renames["note"], "old_note");
        assert_eq!(t.indexes[0].name, "ix_gauge_note");
        assert_eq!(t.primary_key.as_ref().unwrap().name.as_deref(), Some("gauge_pkey"));
    }

    #[test]
    fn extras_are_checks_and_generation_or_refused() {
        let read = read_extra("CHECK ((x > 0))").unwrap();
        assert_eq!(read.check.as_deref(), Some("x > 0"));
        let read = read_extra("generated always as (a * 2) stored").unwrap();
        let stored = |e: &str| Generated {
            expression: e.into(),
            stored: true,
        };
        assert_eq!(read.generated, Some(stored("a * 2")));
        let read = read_extra("AS (lower(name)) CHECK (n > 0)").unwrap();
        assert_eq!(read.check.as_deref(), Some("n > 0"));
        assert!(!read.generated.unwrap().stored);
        assert_eq!(read_extra("  ").unwrap(), Extra::default());
        let read = read_extra("COLLATE \"C\" CHECK (x <> '')").unwrap();
        assert_eq!(read.collation.as_deref(), Some("C"));
        assert_eq!(read.check.as_deref(), Some("x <> ''"));
        for bad in [
            "COLLATE",
            "COLLATE a COLLATE b",
            "COLLATE \"C\" NOT NULL",
            "CHECK x > 0",
            "CHECK (x > 0",
            "GENERATED BY DEFAULT AS IDENTITY",
            "CHECK (a) CHECK (b)",
            "CHECKS (a)",
            "größe",
        ] {
            assert!(read_extra(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn comments_split_from_renamed_from_without_panicking() {
        assert_eq!(
            split_comment(Some("FWHM; renamed_from \"old\"")),
            (Some("FWHM".into()), Some("old".into()))
        );
        assert_eq!(
            split_comment(Some("renamed_from \"")),
            (Some("renamed_from \"".into()), None)
        );
        assert_eq!(
            split_comment(Some("x renamed_from \"é\"")).1,
            Some("é".into())
        );
        assert_eq!(split_comment(None), (None, None));
    }
}
