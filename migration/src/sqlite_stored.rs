//! What a SQLite database can hold of a schema model, and the model's details put back on what
//! it holds.
//!
//! SQLite keeps no comments, no enum types, no sequences, no index methods, operator classes,
//! `NULLS` placements or `INCLUDE` columns, no `NULLS NOT DISTINCT`, no `MATCH FULL`, no schemas
//! (a key into another schema is a key into the one file) and no serial `bigint`. Comparing a SQLite database with a model means comparing it with what SQLite would
//! have kept of the model ([`stored_by_sqlite`]); reading a SQLite database that opdb built
//! means putting back, from the revisions it applied, what SQLite dropped
//! ([`restore_sqlite`]).

use crate::schema::{ColumnType, Schema};

/// What SQLite keeps of `schema`: no comments, no enum types (their columns are text under the
/// type's name), no index methods, and a serial key is SQLite's `INTEGER PRIMARY KEY
/// AUTOINCREMENT` whatever its integer width. A serial column that is not the whole primary key
/// has no SQLite form and is a plain column there.
pub fn stored_by_sqlite(schema: &Schema) -> Schema {
    let mut out = schema.clone();
    out.enums.clear();
    out.sequences.clear();
    // A trigger's statement as SQLite stores it (`CREATE TRIGGER`, no `IF NOT EXISTS`).
    for trigger in out.triggers.values_mut() {
        trigger.definition = crate::definitions::sqlite_stored_trigger(&trigger.definition);
    }
    for view in out.views.values_mut() {
        view.comment = None;
    }
    for table in out.tables.values_mut() {
        table.comment = None;
        let pk = table.primary_key_columns().to_vec();
        for column in &mut table.columns {
            column.comment = None;
            // No identity columns: the column is a plain one (a lone integer key is still
            // SQLite's rowid, numbered when an insert gives no value).
            column.identity = None;
            column.ty = sqlite_type(&column.ty);
            // PostgreSQL's byte-order collations are SQLite's default.
            if column
                .collation
                .as_deref()
                .is_some_and(crate::ddl::sqlite::is_binary)
            {
                column.collation = None;
            }
            if column.auto_increment {
                if pk == [column.name.clone()] {
                    column.ty = ColumnType::Integer;
                } else {
                    column.auto_increment = false;
                }
            }
        }
        for unique in &mut table.uniques {
            unique.nulls_not_distinct = false;
        }
        for key in &mut table.foreign_keys {
            key.ref_schema = None;
        }
        for index in &mut table.indexes {
            index.method = None;
            index.nulls_not_distinct = false;
            index.include.clear();
            for o in &mut index.options {
                o.opclass = None;
                o.nulls_first = None;
            }
            index.normalize_options();
        }
        for key in &mut table.foreign_keys {
            // SQLite parses MATCH and ignores it.
            key.match_full = false;
        }
    }
    out
}

fn sqlite_type(ty: &ColumnType) -> ColumnType {
    match ty {
        ColumnType::Enum(name) => ColumnType::Other(name.clone()),
        ColumnType::Array(inner) => ColumnType::Array(Box::new(sqlite_type(inner))),
        other => other.clone(),
    }
}

/// A SQLite database's schema with what SQLite cannot store put back from `model` (the schema
/// its applied revisions built): comments, enum types, serial widths, index methods. Only
/// objects whose stored form agrees with the model's get the model's details; anything changed
/// behind the revisions' back stays as the database shows it.
pub fn restore_sqlite(db: &Schema, model: &Schema) -> Schema {
    let mut out = db.clone();
    out.enums = model.enums.clone();
    for (name, table) in out.tables.iter_mut() {
        let Some(known) = model.tables.get(name) else {
            continue;
        };
        let stored = stored_by_sqlite(&Schema {
            tables: [(name.clone(), known.clone())].into(),
            ..Schema::default()
        });
        let stored = &stored.tables[name];
        table.comment = known.comment.clone();
        for column in &mut table.columns {
            if let (Some(s), Some(k)) = (stored.column(&column.name), known.column(&column.name)) {
                if s == column {
                    *column = k.clone();
                }
            }
        }
        for index in &mut table.indexes {
            let same = |i: &&crate::schema::Index| {
                i.keys == index.keys && i.unique == index.unique && i.predicate == index.predicate
            };
            if let Some(k) = known.indexes.iter().find(same) {
                index.method = k.method.clone();
                let kept = stored.indexes.iter().find(|s| s.name == k.name);
                if kept.is_some_and(|s| s.options == index.options) {
                    index.options = k.options.clone();
                    index.include = k.include.clone();
                }
            }
        }
        for key in &mut table.foreign_keys {
            let same = |k: &&crate::schema::ForeignKey| {
                crate::schema::ForeignKey {
                    match_full: false,
                    ..(*k).clone()
                } == *key
            };
            if let Some(k) = known.foreign_keys.iter().find(same) {
                key.match_full = k.match_full;
            }
        }
    }
    out
}
