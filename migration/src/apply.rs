//! Applying ops to a schema model, without a database.
//!
//! The runner tracks the schema this way while it migrates: SQLite's table rebuilds need the
//! whole current definition of a table, and `--sql` scripts have no database to ask. It also
//! checks a revision before any SQL is sent: an op on a table or column that does not exist is
//! an error here, with the names in it. Keys an op creates without a name get their
//! conventional one here ([`Op::fill_names`]; a check by its position), so the model it
//! leaves has every name filled.

use crate::naming;
use crate::ops::{ColumnChange, Op};
use crate::schema::{Commented, Schema, Table, View};
use anyhow::{anyhow, bail, Result};

/// Applies `op` to `schema`.
pub fn apply(schema: &mut Schema, op: &Op) -> Result<()> {
    // PostgreSQL's online forms leave the model as their plain ops do.
    if let Some(plain) = op.plain_form(schema)? {
        for op in &plain {
            apply(schema, op)?;
        }
        if let Op::ValidateConstraint { table, name } = op {
            let t = table_mut(schema, table)?;
            let is = |n: &Option<String>| n.as_deref() == Some(name.as_str());
            if !t.foreign_keys.iter().any(|f| is(&f.name)) && !t.checks.iter().any(|c| is(&c.name)) {
                bail!("table {table} has no foreign key or check {name} to validate");
            }
        }
        return Ok(());
    }
    let unnamed = match op {
        Op::CreateTable(t) => !naming::complete(t),
        Op::CreatePrimaryKey { key, .. } => naming::missing(&key.name),
        Op::CreateUnique { unique, .. } => naming::missing(&unique.name),
        Op::CreateForeignKey { key, .. } => naming::missing(&key.name),
        _ => false,
    };
    if unnamed {
        let mut named = op.clone();
        named.fill_names();
        return apply_named(schema, &named);
    }
    apply_named(schema, op)
}

fn apply_named(schema: &mut Schema, op: &Op) -> Result<()> {
    match op {
        Op::CreateTable(table) => {
            if schema.tables.contains_key(&table.name) {
                bail!("table {} already exists", table.name);
            }
            schema.tables.insert(table.name.clone(), table.clone());
        }
        Op::DropTable { table, .. } => {
            table_mut(schema, table)?;
            schema.tables.remove(table);
            // Its triggers go with it.
            schema.triggers.retain(|(on, _), _| on != table);
        }
        Op::RenameTable { from, to } => {
            if schema.tables.contains_key(to) {
                bail!("cannot rename {from} to {to}: table {to} already exists");
            }
            let mut table = schema
                .tables
                .remove(from)
                .ok_or_else(|| anyhow!("no table {from}"))?;
            table.name = to.clone();
            schema.tables.insert(to.clone(), table);
            for other in schema.tables.values_mut() {
                for fk in &mut other.foreign_keys {
                    if fk.ref_table == *from {
                        fk.ref_table = to.clone();
                    }
                }
            }
        }
        Op::AddColumn { table, column } => {
            let t = table_mut(schema, table)?;
            if t.column(&column.name).is_some() {
                bail!("column {table}.{} already exists", column.name);
            }
            t.columns.push(column.clone());
        }
        Op::DropColumn { table, column, .. } => {
            let t = table_mut(schema, table)?;
            column_index(t, column)?;
            t.columns.retain(|c| c.name != *column);
            // Like PostgreSQL, dropping a column drops the indexes and constraints on it.
            let on = |cols: &[String]| cols.iter().any(|c| c == column);
            t.uniques.retain(|u| !on(&u.columns));
            t.foreign_keys.retain(|f| !on(&f.columns));
            t.indexes.retain(|i| {
                !i.plain_columns().is_some_and(|cols| on(&cols)) && !on(&i.include)
            });
            if t.primary_key.as_ref().is_some_and(|pk| on(&pk.columns)) {
                t.primary_key = None;
            }
        }
        Op::AlterColumn {
            table,
            column,
            change,
            ..
        } => alter_column(schema, table, column, change)?,
        Op::CreatePrimaryKey { table, key } => {
            let t = table_mut(schema, table)?;
            if t.primary_key.is_some() {
                bail!("table {table} already has a primary key");
            }
            check_columns(t, &key.columns)?;
            t.primary_key = Some(key.clone());
        }
        Op::DropPrimaryKey { table, .. } => {
            let t = table_mut(schema, table)?;
            if t.primary_key.take().is_none() {
                bail!("table {table} has no primary key");
            }
        }
        Op::CreateUnique { table, unique } => {
            let t = table_mut(schema, table)?;
            check_columns(t, &unique.columns)?;
            t.uniques.push(unique.clone());
        }
        Op::CreateForeignKey { table, key } => {
            // A key into a named schema may point out of this one: its target is not here to
            // check (if it is, it is checked).
            let target = schema.tables.get(&key.ref_table);
            if key.ref_schema.is_none() || target.is_some() {
                let target = target.ok_or_else(|| {
                    anyhow!("foreign key on {table}: no table {}", key.ref_table)
                })?;
                check_columns(target, &key.ref_columns)?;
            }
            let t = table_mut(schema, table)?;
            check_columns(t, &key.columns)?;
            t.foreign_keys.push(key.clone());
        }
        Op::CreateCheck { table, check } => {
            let t = table_mut(schema, table)?;
            let mut check = check.clone();
            if naming::missing(&check.name) {
                check.name = Some(naming::check(table, t.checks.len() + 1));
            }
            t.checks.push(check);
        }
        Op::DropConstraint { table, name, .. } => {
            let t = table_mut(schema, table)?;
            let is = |n: &Option<String>| n.as_deref() == Some(name.as_str());
            let before = t.uniques.len() + t.foreign_keys.len() + t.checks.len();
            t.uniques.retain(|u| !is(&u.name));
            t.foreign_keys.retain(|f| !is(&f.name));
            t.checks.retain(|c| !is(&c.name));
            if t.uniques.len() + t.foreign_keys.len() + t.checks.len() == before {
                bail!("table {table} has no constraint {name}");
            }
        }
        Op::CreateIndex { table, index } => {
            if schema
                .tables
                .values()
                .any(|t| t.indexes.iter().any(|i| i.name == index.name))
                || schema
                    .views
                    .values()
                    .any(|v| v.indexes.iter().any(|i| i.name == index.name))
            {
                bail!("index {} already exists", index.name);
            }
            if let Some(view) = materialized_mut(schema, table) {
                view.indexes.push(index.clone());
                return Ok(());
            }
            let t = table_mut(schema, table)?;
            if let Some(cols) = index.plain_columns() {
                check_columns(t, &cols)?;
            }
            t.indexes.push(index.clone());
        }
        Op::DropIndex { table, name, .. } => {
            if let Some(view) = materialized_mut(schema, table) {
                let before = view.indexes.len();
                view.indexes.retain(|i| i.name != *name);
                if view.indexes.len() == before {
                    bail!("materialized view {table} has no index {name}");
                }
                return Ok(());
            }
            let t = table_mut(schema, table)?;
            let before = t.indexes.len();
            t.indexes.retain(|i| i.name != *name);
            if t.indexes.len() == before {
                bail!("table {table} has no index {name}");
            }
        }
        Op::RenameConstraint { table, from, to } => {
            let t = table_mut(schema, table)?;
            let names = t
                .primary_key
                .iter_mut()
                .map(|k| &mut k.name)
                .chain(t.uniques.iter_mut().map(|u| &mut u.name))
                .chain(t.foreign_keys.iter_mut().map(|f| &mut f.name))
                .chain(t.checks.iter_mut().map(|c| &mut c.name));
            let mut found = None;
            for name in names {
                if name.as_deref() == Some(to.as_str()) {
                    bail!("table {table} already has a constraint {to}");
                }
                if name.as_deref() == Some(from.as_str()) {
                    found = Some(name);
                }
            }
            match found {
                Some(name) => *name = Some(to.clone()),
                None => bail!("table {table} has no constraint {from}"),
            }
        }
        Op::RenameIndex { table, from, to } => {
            if schema
                .tables
                .values()
                .any(|t| t.indexes.iter().any(|i| i.name == *to))
            {
                bail!("index {to} already exists");
            }
            let t = table_mut(schema, table)?;
            match t.indexes.iter_mut().find(|i| i.name == *from) {
                Some(index) => index.name = to.clone(),
                None => bail!("table {table} has no index {from}"),
            }
        }
        Op::SetTableComment { table, comment } => {
            table_mut(schema, table)?.comment = comment.clone()
        }
        Op::CreateEnum { name, labels } => {
            if schema.enums.insert(name.clone(), labels.clone()).is_some() {
                bail!("enum type {name} already exists");
            }
        }
        Op::DropEnum { name } => {
            if schema.enums.remove(name).is_none() {
                bail!("no enum type {name}");
            }
        }
        Op::AlterEnum { name, labels } => match schema.enums.get_mut(name) {
            Some(existing) => *existing = labels.clone(),
            None => bail!("no enum type {name}"),
        },
        Op::CreateSequence(sequence) => {
            if schema
                .sequences
                .insert(sequence.name.clone(), sequence.clone())
                .is_some()
            {
                bail!("sequence {} already exists", sequence.name);
            }
        }
        Op::DropSequence { name } => {
            if schema.sequences.remove(name).is_none() {
                bail!("no sequence {name}");
            }
        }
        Op::AlterSequence(sequence) => match schema.sequences.get_mut(&sequence.name) {
            Some(existing) => *existing = sequence.clone(),
            None => bail!("no sequence {}", sequence.name),
        },
        Op::CreateView(view) => {
            if schema.views.contains_key(&view.name) || schema.tables.contains_key(&view.name) {
                bail!("cannot create view {}: a table or view of that name exists", view.name);
            }
            schema.views.insert(view.name.clone(), view.clone());
        }
        Op::ReplaceView { view, .. } => match schema.views.get_mut(&view.name) {
            Some(old) if !old.materialized => {
                // What it reads is the new query's; its columns, the new ones when known.
                *old = View {
                    columns: if view.columns.is_empty() {
                        old.columns.clone()
                    } else {
                        view.columns.clone()
                    },
                    ..view.clone()
                };
            }
            Some(_) => bail!(
                "cannot replace materialized view {}: drop it and create it again",
                view.name
            ),
            None => bail!("no view {}", view.name),
        },
        Op::DropView {
            name, materialized, ..
        } => match schema.views.get(name) {
            Some(view) if view.materialized == *materialized => {
                schema.views.remove(name);
            }
            Some(view) => bail!(
                "{name} is {}: drop it with {}",
                if view.materialized {
                    "a materialized view"
                } else {
                    "a plain view"
                },
                if view.materialized {
                    "drop_materialized_view"
                } else {
                    "drop_view"
                }
            ),
            None => bail!("no view {name}"),
        },
        Op::CreateFunction(function) => {
            let key = function.key();
            if schema.functions.contains_key(&key) {
                bail!("function {key} already exists");
            }
            schema.functions.insert(key, function.clone());
        }
        Op::ReplaceFunction { function, .. } => {
            let key = function.key();
            match schema.functions.get_mut(&key) {
                Some(old) => *old = function.clone(),
                None => bail!("no function {key}"),
            }
        }
        Op::DropFunction {
            name, arguments, ..
        } => {
            let key = format!("{name}({arguments})");
            if schema.functions.remove(&key).is_none() {
                // The arguments as written may differ from the model's key in spelling only.
                let wanted = crate::schema::identity_arguments(arguments).to_lowercase();
                let found = schema.functions.iter().find(|(_, f)| {
                    f.name == *name && f.identity_arguments().to_lowercase() == wanted
                });
                match found.map(|(k, _)| k.clone()) {
                    Some(k) => {
                        schema.functions.remove(&k);
                    }
                    None => bail!("no function {key}"),
                }
            }
        }
        Op::SetComment { on, comment } => match on {
            Commented::View { name, .. } => match schema.views.get_mut(name) {
                Some(view) => view.comment = comment.clone(),
                None => bail!("no view {name}"),
            },
            Commented::Function { name, arguments } => {
                let wanted = crate::schema::identity_arguments(arguments).to_lowercase();
                let found = schema.functions.values_mut().find(|f| {
                    f.name == *name && f.identity_arguments().to_lowercase() == wanted
                });
                match found {
                    Some(f) => f.comment = comment.clone(),
                    None => bail!("no function {name}({arguments})"),
                }
            }
        },
        Op::CreateTrigger(trigger) => {
            let key = (trigger.table.clone(), trigger.name.clone());
            if trigger.name.is_empty() {
                crate::definitions::trigger_head(&trigger.definition)?;
            }
            if !schema.tables.contains_key(&trigger.table)
                && !schema.views.contains_key(&trigger.table)
            {
                bail!("no table {} for trigger {}", trigger.table, trigger.name);
            }
            if schema.triggers.insert(key, trigger.clone()).is_some() {
                bail!("table {} already has a trigger {}", trigger.table, trigger.name);
            }
            // A SQLite rebuild makes the table's triggers again from this list.
            if let Some(t) = schema.tables.get_mut(&trigger.table) {
                t.sqlite_triggers.push(trigger.definition.clone());
            }
        }
        Op::DropTrigger { table, name, .. } => {
            if schema
                .triggers
                .remove(&(table.clone(), name.clone()))
                .is_none()
            {
                bail!("table {table} has no trigger {name}");
            }
            if let Some(t) = schema.tables.get_mut(table) {
                t.sqlite_triggers.retain(|sql| {
                    crate::definitions::trigger_head(sql)
                        .map_or(true, |(n, _)| !n.eq_ignore_ascii_case(name))
                });
            }
        }
        // Raw SQL is opaque to the model.
        Op::Execute { .. } => {}
        // Taken as their plain forms by `apply`.
        Op::CreateIndexConcurrently { .. }
        | Op::DropIndexConcurrently { .. }
        | Op::CreateForeignKeyNotValid { .. }
        | Op::CreateCheckNotValid { .. }
        | Op::ValidateConstraint { .. }
        | Op::CreateUniqueUsingIndex { .. } => {
            bail!("{op:?} reached the model as itself")
        }
    }
    Ok(())
}

/// The materialized view `name`, when there is one (its indexes are changed by the index ops).
fn materialized_mut<'a>(schema: &'a mut Schema, name: &str) -> Option<&'a mut View> {
    if schema.tables.contains_key(name) {
        return None;
    }
    schema.views.get_mut(name).filter(|v| v.materialized)
}

fn alter_column(
    schema: &mut Schema,
    table: &str,
    column: &str,
    change: &ColumnChange,
) -> Result<()> {
    let t = table_mut(schema, table)?;
    let at = column_index(t, column)?;
    if let Some(to) = change.rename.as_set() {
        if to != column && t.column(to).is_some() {
            bail!("cannot rename {table}.{column} to {to}: column {to} already exists");
        }
    }
    let c = &mut t.columns[at];
    *c = change.applied_to(c);
    let Some(to) = change.rename.as_set().cloned() else {
        return Ok(());
    };
    let rename = |cols: &mut Vec<String>| {
        for name in cols.iter_mut().filter(|n| *n == column) {
            *name = to.clone();
        }
    };
    if let Some(pk) = &mut t.primary_key {
        rename(&mut pk.columns);
    }
    t.uniques.iter_mut().for_each(|u| rename(&mut u.columns));
    t.foreign_keys
        .iter_mut()
        .for_each(|f| rename(&mut f.columns));
    for index in &mut t.indexes {
        for key in &mut index.keys {
            if matches!(key, crate::schema::IndexKey::Column(c) if c == column) {
                *key = crate::schema::IndexKey::Column(to.clone());
            }
        }
        rename(&mut index.include);
    }
    for other in schema.tables.values_mut() {
        for fk in other
            .foreign_keys
            .iter_mut()
            .filter(|f| f.ref_table == table)
        {
            rename(&mut fk.ref_columns);
        }
    }
    Ok(())
}

fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> Result<&'a mut Table> {
    schema
        .tables
        .get_mut(name)
        .ok_or_else(|| anyhow!("no table {name}"))
}

fn column_index(table: &Table, column: &str) -> Result<usize> {
    table
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| anyhow!("no column {}.{column}", table.name))
}

fn check_columns(table: &Table, columns: &[String]) -> Result<()> {
    for c in columns {
        column_index(table, c)?;
    }
    Ok(())
}
