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
//!
//! The names follow PostgreSQL's own defaults (and SQLAlchemy's `ix_` for indexes), so a
//! database made by SQLAlchemy's `create_all` has the same names the entities would give it.

use crate::naming;
use crate::schema::{
    CheckConstraint, Column, ColumnType, FkAction, ForeignKey, Index, IndexKey, PrimaryKey, Table,
    UniqueConstraint,
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
    for column in E::Column::iter() {
        let name = column.as_str().to_string();
        let def = column.def();
        let spec = helper.get_column_def::<E>(column);
        let (comment, renamed_from) = split_comment(spec.get_column_spec().comment.as_deref());
        if let Some(check) = spec.get_column_spec().extra.as_deref().and_then(check_of) {
            checks.push(CheckConstraint {
                name: Some(naming::column_check(&table_name, &name)),
                expression: check,
            });
        }
        if let Some(old) = renamed_from {
            column_renames.insert(name.clone(), old);
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
            default: def.get_column_default().map(default_sql),
            comment,
            auto_increment: auto_increment && pk_columns == [name.clone()],
            identity: None,
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
            sqlite_generated: Vec::new(),
        },
        relations,
        column_renames,
        enums,
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
        to_columns: def.to_col.iter().map(|c| c.to_string()).collect(),
        on_delete: def.on_delete.map(fk_action).unwrap_or_default(),
        on_update: def.on_update.map(fk_action).unwrap_or_default(),
        skip_fk: def.skip_fk,
    }
}

/// A default expression as PostgreSQL SQL text.
fn default_sql(expr: &sea_query::SimpleExpr) -> String {
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

/// The expression of a column's `extra = "CHECK (...)"`.
fn check_of(extra: &str) -> Option<String> {
    let rest = extra.trim();
    let rest = rest
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case("check "))
        .map(|_| &rest[6..])?;
    Some(crate::normalize::check_expr(rest))
}

/// SeaORM folds `renamed_from` into the comment it hands to SeaQuery (`...; renamed_from "x"`);
/// split the two apart again.
fn split_comment(comment: Option<&str>) -> (Option<String>, Option<String>) {
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

/// SeaORM's column types to the model's.
pub fn column_type(ty: &sea_query::ColumnType) -> ColumnType {
    use sea_query::ColumnType as S;
    match ty {
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
        S::Array(inner) => ColumnType::Array(Box::new(column_type(inner))),
        S::Custom(name) => ColumnType::Other(name.to_string()),
        other => ColumnType::Other(format!("{other:?}").to_lowercase()),
    }
}

/// Collects entities into one schema model.
#[derive(Debug, Default)]
pub struct EntitySet {
    pub entities: BTreeMap<String, EntityInfo>,
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

    /// The schema the entities describe.
    pub fn schema(&self) -> crate::schema::Schema {
        let mut schema = crate::schema::Schema::default();
        for info in self.entities.values() {
            schema.enums.extend(info.enums.clone());
            schema
                .tables
                .insert(info.table.name.clone(), info.table.clone());
        }
        crate::normalize::schema(&mut schema);
        schema
    }
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
    use super::split_comment;

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
