//! Structural comparison of two schema models.
//!
//! Keys, indexes and foreign keys are compared by what they do (columns, targets, actions),
//! never by name, and a unique constraint on exactly the primary key's columns is redundant and
//! ignored on both sides. The result is a list of readable differences; an empty list means the
//! two schemas are the same.

use crate::schema::{sorted, Column, Index, Schema, Table};
use std::collections::BTreeSet;
use std::fmt::Debug;

/// Every difference between `expected` and `actual`, one line each, in a stable order.
pub fn differences(expected: &Schema, actual: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for name in expected.tables.keys() {
        if !actual.tables.contains_key(name) {
            out.push(format!("table {name}: missing"));
        }
    }
    for name in actual.tables.keys() {
        if !expected.tables.contains_key(name) {
            out.push(format!("table {name}: unexpected"));
        }
    }
    for (name, want) in &expected.tables {
        if let Some(got) = actual.tables.get(name) {
            table_differences(want, got, &mut out);
        }
    }
    for (name, labels) in &expected.enums {
        match actual.enums.get(name) {
            None => out.push(format!("enum type {name}: missing")),
            Some(got) if got != labels => out.push(format!(
                "enum type {name}: labels {labels:?}, found {got:?}"
            )),
            Some(_) => {}
        }
    }
    for name in actual.enums.keys() {
        if !expected.enums.contains_key(name) {
            out.push(format!("enum type {name}: unexpected"));
        }
    }
    out
}

fn table_differences(want: &Table, got: &Table, out: &mut Vec<String>) {
    let t = &want.name;
    if want.comment != got.comment {
        out.push(format!(
            "table {t}: comment {:?}, found {:?}",
            want.comment, got.comment
        ));
    }
    for column in &want.columns {
        match got.column(&column.name) {
            None => out.push(format!("column {t}.{}: missing", column.name)),
            Some(found) => column_differences(t, column, found, out),
        }
    }
    for column in &got.columns {
        if want.column(&column.name).is_none() {
            out.push(format!("column {t}.{}: unexpected", column.name));
        }
    }
    if want.primary_key_columns() != got.primary_key_columns() {
        out.push(format!(
            "table {t}: primary key {:?}, found {:?}",
            want.primary_key_columns(),
            got.primary_key_columns()
        ));
    }
    set_differences(t, "unique constraint", uniques(want), uniques(got), out);
    set_differences(t, "foreign key", foreign_keys(want), foreign_keys(got), out);
    set_differences(t, "index", indexes(want), indexes(got), out);
    let checks = |table: &Table| -> BTreeSet<String> {
        table.checks.iter().map(|c| c.expression.clone()).collect()
    };
    set_differences(t, "check constraint", checks(want), checks(got), out);
}

fn column_differences(t: &str, want: &Column, got: &Column, out: &mut Vec<String>) {
    let c = format!("column {t}.{}", want.name);
    if want.ty != got.ty {
        out.push(format!("{c}: type {}, found {}", want.ty, got.ty));
    }
    if want.nullable != got.nullable {
        let word = |nullable| if nullable { "NULL" } else { "NOT NULL" };
        out.push(format!(
            "{c}: {}, found {}",
            word(want.nullable),
            word(got.nullable)
        ));
    }
    if want.auto_increment != got.auto_increment {
        out.push(format!(
            "{c}: auto-increment {}, found {}",
            want.auto_increment, got.auto_increment
        ));
    }
    if want.default != got.default {
        out.push(format!(
            "{c}: default {:?}, found {:?}",
            want.default, got.default
        ));
    }
    if want.comment != got.comment {
        out.push(format!(
            "{c}: comment {:?}, found {:?}",
            want.comment, got.comment
        ));
    }
}

fn uniques(table: &Table) -> BTreeSet<Vec<String>> {
    let pk = sorted(table.primary_key_columns());
    table
        .uniques
        .iter()
        .map(|u| u.columns.clone())
        .filter(|cols| sorted(cols) != pk)
        .collect()
}

fn foreign_keys(table: &Table) -> BTreeSet<String> {
    table
        .foreign_keys
        .iter()
        .map(|fk| {
            format!(
                "({}) -> {}({}) on delete {} on update {}",
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", "),
                fk.on_delete.sql(),
                fk.on_update.sql()
            )
        })
        .collect()
}

fn indexes(table: &Table) -> BTreeSet<String> {
    table.indexes.iter().map(index_shape).collect()
}

fn index_shape(index: &Index) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|k| match k {
            crate::schema::IndexKey::Column(c) => c.clone(),
            crate::schema::IndexKey::Expression(e) => format!("({e})"),
        })
        .collect();
    let mut s = format!(
        "{}({})",
        if index.unique { "unique " } else { "" },
        keys.join(", ")
    );
    if let Some(method) = &index.method {
        s.push_str(&format!(" using {method}"));
    }
    if let Some(predicate) = &index.predicate {
        s.push_str(&format!(" where {predicate}"));
    }
    s
}

fn set_differences<T: Ord + Debug>(
    t: &str,
    what: &str,
    want: BTreeSet<T>,
    got: BTreeSet<T>,
    out: &mut Vec<String>,
) {
    for item in want.difference(&got) {
        out.push(format!("table {t}: {what} {item:?} missing"));
    }
    for item in got.difference(&want) {
        out.push(format!("table {t}: {what} {item:?} unexpected"));
    }
}
