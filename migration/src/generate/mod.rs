//! Entities from a database (`opdb generate-entities`): one SeaORM entity module per table of
//! a schema model, and `model.rs` for what is declared beside the entities (views, functions,
//! triggers, `NULLS NOT DISTINCT`).
//!
//! The entity reader ([`crate::entities`]) is the judge of what an entity means. So each
//! table's entity is planned here as attributes ([`Entity`]), and from the same plan the
//! model the reader will get from those attributes is predicted; the autogenerate diff from
//! that prediction to the database lists whatever the entities cannot hold (a multi-column
//! index, a key named otherwise than the reader names it, a deferrable foreign key, a sequence
//! of its own, ...). Nothing is dropped in silence: each such op, each object opdb cannot
//! model, each table SeaORM cannot make an entity of, is one line of [`Generated::missing`].
//!
//! Module names are the table names when those are plain snake-case identifiers; any other
//! table gets a sanitized module name ([`names::snake`]: `Weird Name` is `weird_name.rs`,
//! `type` is `type_.rs`, `model` is `model_2.rs` since `model.rs` is the declarations' file),
//! and `table_name` keeps the real name. Columns alike: `column_name` and `enum_name` keep the
//! real column and give the `Column` variant where the field had to be renamed.

mod entity_file;
mod model_file;
pub mod names;

use crate::autogenerate::{self, describe, Hints};
use crate::entities::{default_sql, read_extra, split_comment};
use crate::naming;
use crate::schema::{
    CheckConstraint, Column, ColumnType, FkAction, ForeignKey, Index, IndexKey, PrimaryKey,
    Schema, Table, UniqueConstraint,
};
use names::Scope;
use std::collections::BTreeMap;

/// What `generate-entities` writes, and what the entities cannot say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    /// File name (`pfs_visit.rs`, `model.rs`) and text, in name order.
    pub files: Vec<(String, String)>,
    /// What the database has that neither the entities nor `model.rs` express, one line each.
    pub missing: Vec<String>,
}

/// The entity modules (and `model.rs`, when something is declared beside them) of `schema`,
/// the schema model of PostgreSQL schema `namespace` (or of a SQLite file), read from the
/// schemas `read` (a key into a schema not among them has no entity to point at).
pub fn generate(schema: &Schema, namespace: &str, read: &[String]) -> Generated {
    let mut missing = Vec::new();
    let plan = plan(schema, read, &mut missing);
    let declared = model_file::Declared::of(schema, &plan);
    // Both as read inside `namespace`, where a key into it names no schema.
    let predicted = predict(schema, &plan, &declared).in_namespace(namespace);
    let actual = schema.clone().in_namespace(namespace);
    for op in autogenerate::diff(&predicted, &actual, &Hints::default()) {
        missing.push(describe::op(&op));
    }
    for object in &schema.unmodelled {
        missing.push(format!("{object} ({} cannot model it)", crate::tool::name()));
    }
    let mut files: Vec<(String, String)> = plan
        .iter()
        .map(|e| (format!("{}.rs", e.module), entity_file::text(e, &plan)))
        .collect();
    if let Some(text) = model_file::text(&declared) {
        files.push(("model.rs".to_string(), text));
    }
    files.sort();
    Generated { files, missing }
}

/// One table's entity, as attributes.
#[derive(Clone, Debug)]
pub(crate) struct Entity {
    pub table: String,
    pub module: String,
    pub comment: Option<String>,
    pub fields: Vec<Field>,
    /// The enum types this module defines (the first table, in name order, that uses each).
    pub enums: Vec<EnumType>,
    pub relations: Vec<Relation>,
}

impl Entity {
    fn field(&self, column: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.column == column)
    }
}

/// One column as a field of `Model`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Field {
    pub column: String,
    pub ident: String,
    pub variant: String,
    /// `column_name` and `enum_name` are written: the field's name is not the column's.
    pub named: bool,
    /// The Rust type, without `Option`.
    pub rust: String,
    pub nullable: bool,
    /// `column_type`, where the Rust type's own would differ: SeaQuery's `ColumnType` variant.
    pub column_type: Option<String>,
    pub primary_key: bool,
    /// A serial primary key (SeaORM's auto-increment); other keys say `auto_increment = false`.
    pub serial: bool,
    pub unique: bool,
    pub indexed: bool,
    pub unique_key: Option<String>,
    pub comment: Option<String>,
    pub default: Option<String>,
    pub extra: Option<String>,
    /// What the reader will make of the column.
    pub predicted: Option<Column>,
}

/// A PostgreSQL enum type as a `DeriveActiveEnum`.
#[derive(Clone, Debug)]
pub(crate) struct EnumType {
    pub name: String,
    pub ident: String,
    /// Variant and label, in the type's order.
    pub labels: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    BelongsTo,
    HasOne,
    HasMany,
}

/// One variant of the entity's `Relation`.
#[derive(Clone, Debug)]
pub(crate) struct Relation {
    pub variant: String,
    pub kind: Kind,
    /// The other entity's module; `None` for the entity itself.
    pub other: Option<String>,
    /// `belongs_to`: this entity's `Column` variants, and the target's.
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `belongs_to` into another PostgreSQL schema ([`crate::foreign_key_schema`]).
    pub ref_schema: Option<String>,
    /// `has_many`: the holder's `belongs_to` variant, where `Related` could not find it.
    pub via: Option<String>,
    /// Several relations reach `other`: a `Linked` struct instead of `Related`.
    pub linked: bool,
}

/// Type names a module of an entity already has (or imports and uses).
const TAKEN_TYPES: &[&str] = &[
    "Model", "ModelEx", "Entity", "Column", "Relation", "ActiveModel", "ActiveModelEx",
    "PrimaryKey", "Json", "Date", "Time", "DateTime", "DateTimeWithTimeZone", "Expr", "Vec",
    "Option", "String", "RcOrArc", "StringLen", "ColumnType",
    // The prelude's traits and types the generated code names.
    "Related", "Linked", "RelationDef", "RelationTrait", "ForeignKeyAction", "ActiveModelBehavior",
    "EntityTrait", "ColumnTrait", "ActiveEnum", "EnumIter", "Iterable", "DbErr",
];

fn plan(schema: &Schema, read: &[String], missing: &mut Vec<String>) -> Vec<Entity> {
    let mut modules = Scope::with(&["model", "lib", "main", "mod"]);
    let mut entities: Vec<Entity> = Vec::new();
    // Each enum type's home: (module, ident).
    let mut enum_home: BTreeMap<String, (String, String)> = BTreeMap::new();
    for table in schema.tables.values() {
        if table.primary_key_columns().is_empty() {
            missing.push(format!(
                "table {} has no primary key, and a SeaORM entity needs one: no entity written \
                 (add a primary key, or exclude the table in alembic.toml)",
                table.name
            ));
            continue;
        }
        let module = match names::is_plain(&table.name) {
            true => modules.take(&table.name, "_"),
            false => modules.take(&names::snake(&table.name, "t_"), "_"),
        };
        let mut types = Scope::with(TAKEN_TYPES);
        let mut enums = Vec::new();
        for column in &table.columns {
            let ColumnType::Enum(name) = &column.ty else {
                continue;
            };
            // SeaORM names a variant type after each label in camel case: labels that differ
            // only in case or punctuation (`happy`, `Happy`) cannot both be one, and `self`
            // would be the keyword `Self`.
            let distinct = |labels: &Vec<String>| {
                let mut seen = std::collections::BTreeSet::new();
                labels.iter().all(|l| {
                    let key = l
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .collect::<String>()
                        .to_lowercase();
                    key != "self" && seen.insert(key)
                })
            };
            match schema.enums.get(name) {
                Some(labels)
                    if !labels.is_empty() && distinct(labels) && !enum_home.contains_key(name) =>
                {
                    let ident = types.take(&names::camel(&names::snake(name, "e_")), "");
                    let mut variants = Scope::default();
                    let labels = labels
                        .iter()
                        .map(|l| (variants.take(&names::camel(&names::snake(l, "v_")), ""), l.clone()))
                        .collect();
                    enum_home.insert(name.clone(), (module.clone(), ident.clone()));
                    enums.push(EnumType {
                        name: name.clone(),
                        ident,
                        labels,
                    });
                }
                _ => {}
            }
        }
        entities.push(Entity {
            table: table.name.clone(),
            module,
            comment: table.comment.clone(),
            fields: Vec::new(),
            enums,
            relations: Vec::new(),
        });
    }
    for entity in entities.iter_mut() {
        let table = &schema.tables[&entity.table];
        entity.fields = fields(table, &entity.module, &enum_home);
    }
    relations(schema, read, &mut entities);
    entities
}

/// The fields of `table`'s entity (in module `module`), with their attributes.
fn fields(
    table: &Table,
    module: &str,
    enum_home: &BTreeMap<String, (String, String)>,
) -> Vec<Field> {
    let pk = table.primary_key_columns();
    let serial_key = match pk {
        [one] => table.column(one).is_some_and(|c| c.auto_increment),
        _ => false,
    };
    let mut idents = Scope::default();
    let mut variants = Scope::default();
    let mut fields: Vec<Field> = Vec::new();
    for column in &table.columns {
        let wanted = match names::is_plain(&column.name) {
            true => column.name.clone(),
            false => names::snake(&column.name, "c_"),
        };
        let ident = idents.take(&wanted, "_");
        let plain_variant = names::camel(&ident);
        let variant = variants.take(&plain_variant, "");
        let named = ident != column.name || variant != plain_variant;
        let enum_path = |name: &str| {
            enum_home.get(name).map(|(home, ident)| match home == module {
                true => ident.clone(),
                false => format!("super::{home}::{ident}"),
            })
        };
        let (rust, column_type, ty) = match sea_type(&column.ty, &enum_path) {
            Some((rust, code)) => {
                let code = code.filter(|c| Some(c.as_str()) != default_code(&rust));
                (rust, code, column.ty.clone())
            }
            // Held as text of a type SeaORM knows by name: the reader's type then differs
            // from the database's, and the diff reports it.
            None => {
                let name = column.ty.to_string();
                let code = format!(
                    "Custom({}.to_owned().into())",
                    crate::revision_file::string_literal(&name)
                );
                ("String".to_string(), Some(code), ColumnType::Other(name))
            }
        };
        let primary_key = pk.contains(&column.name);
        let mut extra = Vec::new();
        if let Some(collation) = &column.collation {
            extra.push(format!("COLLATE \"{}\"", collation.replace('"', "\"\"")));
        }
        let check_name = naming::column_check(&table.name, &column.name);
        if let Some(check) = table
            .checks
            .iter()
            .find(|c| c.name.as_deref() == Some(check_name.as_str()))
        {
            extra.push(format!("CHECK ({})", check.expression));
        }
        if let Some(g) = &column.generated {
            let kind = if g.stored { " STORED" } else { "" };
            extra.push(format!("GENERATED ALWAYS AS ({}){kind}", g.expression));
        }
        let extra = extra.join(" ");
        let read = read_extra(&extra).ok();
        let extra = (!extra.is_empty() && read.is_some()).then_some(extra);
        let read = read.unwrap_or_default();
        let serial = serial_key && primary_key;
        let default = column.default.clone().filter(|_| read.generated.is_none());
        let predicted = Column {
            name: column.name.clone(),
            ty,
            nullable: column.nullable && !primary_key,
            default: default
                .as_deref()
                .map(|d| default_sql(&sea_orm::sea_query::Expr::cust(d.to_string()))),
            comment: split_comment(column.comment.as_deref()).0,
            auto_increment: serial,
            identity: None,
            generated: read.generated,
            collation: read.collation,
        };
        fields.push(Field {
            column: column.name.clone(),
            ident,
            variant,
            named,
            rust,
            nullable: predicted.nullable,
            column_type,
            primary_key,
            serial,
            comment: column.comment.clone(),
            default,
            extra,
            predicted: Some(predicted),
            ..Field::default()
        });
    }
    // A single-column unique constraint is `unique`; a single-column plain index `indexed`;
    // a unique index over plain columns in the table's order `unique_key`, once per column.
    for u in &table.uniques {
        if let [column] = u.columns.as_slice() {
            if let Some(f) = fields.iter_mut().find(|f| f.column == *column) {
                f.unique = true;
            }
        }
    }
    let order = |c: &String| table.columns.iter().position(|t| t.name == *c);
    for index in &table.indexes {
        let plain = index.options.is_empty()
            && index.include.is_empty()
            && index.predicate.is_none()
            && index.method.is_none();
        let Some(columns) = index.plain_columns().filter(|_| plain) else {
            continue;
        };
        if !index.unique {
            if let [column] = columns.as_slice() {
                if let Some(f) = fields.iter_mut().find(|f| f.column == *column) {
                    f.indexed = !f.unique;
                }
            }
            continue;
        }
        let positions: Vec<Option<usize>> = columns.iter().map(order).collect();
        let in_order = positions.windows(2).all(|w| w[0] < w[1]) && positions.iter().all(Option::is_some);
        let free = columns.iter().all(|c| {
            fields
                .iter()
                .any(|f| f.column == *c && f.unique_key.is_none())
        });
        if in_order && free {
            for f in fields.iter_mut().filter(|f| columns.contains(&f.column)) {
                f.unique_key = Some(index.name.clone());
            }
        }
    }
    fields
}

/// A column type as SeaORM holds it: the Rust type and SeaQuery's `ColumnType` variant, or
/// `None` where the features opdb builds SeaORM with have no Rust type for it.
fn sea_type(
    ty: &ColumnType,
    enum_path: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, Option<String>)> {
    let s = |rust: &str, code: &str| Some((rust.to_string(), Some(code.to_string())));
    match ty {
        ColumnType::SmallInt => s("i16", "SmallInteger"),
        ColumnType::Integer => s("i32", "Integer"),
        ColumnType::BigInt => s("i64", "BigInteger"),
        ColumnType::Real => s("f32", "Float"),
        ColumnType::Double => s("f64", "Double"),
        // No decimal type is built (`rust_decimal` would cost build time): held as f64.
        ColumnType::Numeric(None) => s("f64", "Decimal(None)"),
        ColumnType::Numeric(Some((p, q))) => s("f64", &format!("Decimal(Some(({p}, {q})))")),
        ColumnType::Varchar(None) => s("String", "String(StringLen::None)"),
        ColumnType::Varchar(Some(n)) => s("String", &format!("String(StringLen::N({n}))")),
        ColumnType::Char(None) => s("String", "Char(None)"),
        ColumnType::Char(Some(n)) => s("String", &format!("Char(Some({n}))")),
        ColumnType::Text => s("String", "Text"),
        ColumnType::Boolean => s("bool", "Boolean"),
        ColumnType::Date => s("Date", "Date"),
        ColumnType::Time => s("Time", "Time"),
        ColumnType::Timestamp => s("DateTime", "DateTime"),
        ColumnType::TimestampTz => s("DateTimeWithTimeZone", "TimestampWithTimeZone"),
        ColumnType::Interval => s("String", "Interval(None, None)"),
        ColumnType::Json => s("Json", "Json"),
        ColumnType::Jsonb => s("Json", "JsonBinary"),
        ColumnType::Uuid => s("String", "Uuid"),
        ColumnType::Bytea => s("Vec<u8>", "VarBinary(StringLen::None)"),
        ColumnType::Enum(name) => enum_path(name).map(|path| (path, None)),
        ColumnType::Other(name) => {
            let literal = crate::revision_file::string_literal(name);
            s("String", &format!("Custom({literal}.to_owned().into())"))
        }
        ColumnType::Array(inner) => match inner.as_ref() {
            ColumnType::Array(_) | ColumnType::Enum(_) | ColumnType::Bytea => None,
            inner => {
                let (rust, code) = sea_type(inner, enum_path)?;
                let code = code?;
                s(
                    &format!("Vec<{rust}>"),
                    &format!("Array(RcOrArc::new(ColumnType::{code}))"),
                )
            }
        },
    }
}

/// The `ColumnType` SeaORM gives a Rust type when no `column_type` says otherwise.
fn default_code(rust: &str) -> Option<&'static str> {
    Some(match rust {
        "i16" => "SmallInteger",
        "i32" => "Integer",
        "i64" => "BigInteger",
        "f32" => "Float",
        "f64" => "Double",
        "bool" => "Boolean",
        "String" => "String(StringLen::None)",
        "Date" => "Date",
        "Time" => "Time",
        "DateTime" => "DateTime",
        "DateTimeWithTimeZone" => "TimestampWithTimeZone",
        "Json" => "Json",
        "Vec<u8>" => "VarBinary(StringLen::None)",
        _ => return None,
    })
}

/// Both sides of every foreign key whose target has an entity: `belongs_to` on the holder,
/// `has_one` (the key's columns are a key of the holder) or `has_many` on the target; then
/// which relations `Related` can name and which need `Linked`.
fn relations(schema: &Schema, read: &[String], entities: &mut [Entity]) {
    let at: BTreeMap<String, usize> = entities
        .iter()
        .enumerate()
        .map(|(n, e)| (e.table.clone(), n))
        .collect();
    let mut scopes: Vec<Scope> = entities.iter().map(|_| Scope::default()).collect();
    // (holder, target, variant in the holder, key) of each belongs_to.
    let mut keys: Vec<(usize, usize, String, &ForeignKey)> = Vec::new();
    let mut pending = Vec::new();
    for (h, entity) in entities.iter().enumerate() {
        let table = &schema.tables[&entity.table];
        for fk in &table.foreign_keys {
            // A key into a schema that was not read points at a table of that name there, not
            // at the entity of the same name here: no relation (the diff below reports it).
            if fk.ref_schema.as_ref().is_some_and(|s| !read.contains(s)) {
                continue;
            }
            let Some(&t) = at.get(&fk.ref_table) else {
                continue;
            };
            let variants = |e: &Entity, columns: &[String]| -> Option<Vec<String>> {
                columns
                    .iter()
                    .map(|c| e.field(c).map(|f| f.variant.clone()))
                    .collect()
            };
            let (Some(from), Some(to)) = (
                variants(entity, &fk.columns),
                variants(&entities[t], &fk.ref_columns),
            ) else {
                continue;
            };
            let several = table
                .foreign_keys
                .iter()
                .filter(|k| k.ref_table == fk.ref_table)
                .count()
                > 1;
            let wanted = if several || t == h {
                let joined = fk.columns.join("_");
                let stem = joined.strip_suffix("_id").unwrap_or(&joined);
                names::camel(&names::snake(stem, "r_"))
            } else {
                names::camel(&entities[t].module)
            };
            let variant = scopes[h].take(&wanted, "");
            keys.push((h, t, variant.clone(), fk));
            let relation = Relation {
                variant,
                kind: Kind::BelongsTo,
                other: (t != h).then(|| entities[t].module.clone()),
                from,
                to,
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                ref_schema: fk.ref_schema.clone(),
                via: None,
                linked: false,
            };
            pending.push((h, relation));
        }
    }
    for (h, relation) in pending {
        entities[h].relations.push(relation);
    }
    // The inverse sides.
    let mut inverses = Vec::new();
    for (h, t, variant, fk) in &keys {
        let (h, t) = (*h, *t);
        let holder = &schema.tables[&entities[h].table];
        let several = holder
            .foreign_keys
            .iter()
            .filter(|k| k.ref_table == fk.ref_table)
            .count()
            > 1;
        let module = names::camel(&entities[h].module);
        let wanted = match several || t == h {
            true => format!("{module}{variant}"),
            false => module,
        };
        let name = scopes[t].take(&wanted, "");
        let kind = match holder.is_key(&fk.columns) {
            true => Kind::HasOne,
            false => Kind::HasMany,
        };
        inverses.push((
            t,
            Relation {
                variant: name,
                kind,
                other: (t != h).then(|| entities[h].module.clone()),
                from: Vec::new(),
                to: Vec::new(),
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
                ref_schema: None,
                via: Some(variant.clone()),
                linked: false,
            },
        ));
    }
    for (t, relation) in inverses {
        entities[t].relations.push(relation);
    }
    // `Related` names the one relation between two entities; more need `Linked`. An inverse
    // finds its key through the holder's `Related` when the holder has it, else through the
    // holder's variant (`has_many` with `via_rel`: SeaORM has no `has_one` that takes one).
    let reach = |e: &Entity, other: &Option<String>| {
        e.relations.iter().filter(|r| r.other == *other).count()
    };
    let counts: Vec<BTreeMap<Option<String>, usize>> = entities
        .iter()
        .map(|e| {
            e.relations
                .iter()
                .map(|r| (r.other.clone(), reach(e, &r.other)))
                .collect()
        })
        .collect();
    let by_module: BTreeMap<String, usize> = entities
        .iter()
        .enumerate()
        .map(|(n, e)| (e.module.clone(), n))
        .collect();
    for (n, entity) in entities.iter_mut().enumerate() {
        let own = Some(entity.module.clone());
        for r in entity.relations.iter_mut() {
            r.linked = counts[n][&r.other] > 1;
            if r.kind == Kind::BelongsTo {
                continue;
            }
            // How many relations the holder has back to this entity.
            let holder_count = match &r.other {
                None => 2,
                Some(m) => counts[by_module[m]].get(&own).copied().unwrap_or(0),
            };
            if holder_count == 1 {
                r.via = None;
            } else {
                r.kind = Kind::HasMany;
            }
        }
        entity.relations.sort_by(|a, b| a.variant.cmp(&b.variant));
    }
}

/// The model the entity reader will read from the planned entities and `model.rs`: what
/// `check` will compare with the database.
fn predict(schema: &Schema, plan: &[Entity], declared: &model_file::Declared) -> Schema {
    let mut predicted = Schema {
        views: schema.views.clone(),
        functions: schema.functions.clone(),
        triggers: declared.triggers.iter().map(|t| ((t.table.clone(), t.name.clone()), t.clone())).collect(),
        ..Schema::default()
    };
    let by_module: BTreeMap<&str, &Entity> = plan.iter().map(|e| (e.module.as_str(), e)).collect();
    for entity in plan {
        let name = &entity.table;
        let mut table = Table {
            name: name.clone(),
            comment: entity.comment.clone(),
            ..Table::default()
        };
        let mut unique_keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &entity.fields {
            let mut column = f.predicted.clone().expect("every field is predicted");
            if let ColumnType::Enum(e) = &column.ty {
                if let Some(labels) = schema.enums.get(e) {
                    predicted.enums.insert(e.clone(), labels.clone());
                }
            }
            column.nullable = f.nullable;
            if let Some(extra) = f.extra.as_deref().and_then(|x| read_extra(x).ok()) {
                if let Some(check) = extra.check {
                    table.checks.push(CheckConstraint {
                        name: Some(naming::column_check(name, &f.column)),
                        expression: check,
                    });
                }
            }
            if f.unique {
                let columns = vec![f.column.clone()];
                let key = naming::unique(name, &columns);
                table.uniques.push(UniqueConstraint {
                    nulls_not_distinct: declared.nulls_not_distinct(name, &key),
                    name: Some(key),
                    columns,
                });
            }
            if f.indexed && !f.unique {
                let columns = vec![f.column.clone()];
                table.indexes.push(Index {
                    name: naming::index(name, &columns),
                    keys: columns.into_iter().map(IndexKey::Column).collect(),
                    ..Index::default()
                });
            }
            if let Some(key) = &f.unique_key {
                unique_keys.entry(key.clone()).or_default().push(f.column.clone());
            }
            table.columns.push(column);
        }
        for (key, columns) in unique_keys {
            table.indexes.push(Index {
                nulls_not_distinct: declared.nulls_not_distinct(name, &key),
                name: key,
                keys: columns.into_iter().map(IndexKey::Column).collect(),
                unique: true,
                ..Index::default()
            });
        }
        let pk: Vec<String> = entity
            .fields
            .iter()
            .filter(|f| f.primary_key)
            .map(|f| f.column.clone())
            .collect();
        table.primary_key = Some(PrimaryKey {
            name: Some(naming::primary_key(name)),
            columns: pk,
        });
        for r in entity.relations.iter().filter(|r| r.kind == Kind::BelongsTo) {
            let target = match &r.other {
                Some(m) => by_module[m.as_str()],
                None => entity,
            };
            let column_of = |e: &Entity, variant: &String| {
                e.fields
                    .iter()
                    .find(|f| f.variant == *variant)
                    .map(|f| f.column.clone())
                    .unwrap_or_default()
            };
            let columns: Vec<String> = r.from.iter().map(|v| column_of(entity, v)).collect();
            table.foreign_keys.push(ForeignKey {
                name: Some(naming::foreign_key(name, &columns)),
                ref_table: target.table.clone(),
                ref_schema: r.ref_schema.clone(),
                ref_columns: r.to.iter().map(|v| column_of(target, v)).collect(),
                columns,
                on_delete: r.on_delete,
                on_update: r.on_update,
                ..ForeignKey::default()
            });
        }
        predicted.tables.insert(name.clone(), table);
    }
    crate::normalize::schema(&mut predicted);
    predicted
}
