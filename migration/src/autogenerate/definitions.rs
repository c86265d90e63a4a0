//! Views, materialized views, functions and triggers, compared by their definitions in the
//! server's form ([`Expressions`]), and planned around what depends on what.
//!
//! PostgreSQL refuses to drop or retype a column, or to drop a function, that a view reads:
//! so every view that reads something the plan drops or changes is dropped first (and, through
//! chains, every view that reads it) and made again afterwards, in an order where each comes
//! after what it reads; a trigger whose function is dropped goes and comes back with it. A
//! plain view whose new query gives the same columns (new ones may follow) is replaced in
//! place, and so keeps the views that read it; any other change drops it and creates it.
//! A function keeps its place (`CREATE OR REPLACE`) unless its result or its argument list
//! (a default) changes.
//!
//! What a view reads is the server's record when a server made it (the catalog, or the scratch
//! schema that canonicalized the model); otherwise the names its query mentions, which can
//! only make the plan drop more than it must, never less.

use super::{indexes, Phase, Plan};
use crate::canonical::Expressions;
use crate::definitions::{mentions, returns};
use crate::ops::{Existing, Op};
use crate::schema::{ColumnType, Commented, Function, Read, Schema, Table, View};
use std::collections::{BTreeMap, BTreeSet};

/// A table, a column of it (`None`: the whole table) and why what reads it must go.
type Changed = (String, Option<String>, String);

/// What the table ops of `ops` change that a view may read: columns dropped or retyped
/// (`table`, `column`), and tables dropped (`table`, `None`), each with the reason a view
/// that reads it gives.
fn changed_reads(from: &Schema, ops: &[&Op]) -> Vec<Changed> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::DropTable { table, .. } => {
                out.push((table.clone(), None, format!("{table} is dropped")))
            }
            Op::DropColumn { table, column, .. } => out.push((
                table.clone(),
                Some(column.clone()),
                format!("{table}.{column} is dropped"),
            )),
            Op::AlterColumn {
                table,
                column,
                change,
                ..
            } if change.ty.is_set() || change.collation.is_set() || change.drop_expression => {
                out.push((
                    table.clone(),
                    Some(column.clone()),
                    format!("{table}.{column} changes type"),
                ))
            }
            Op::AlterEnum { name, .. } => {
                // The type is made again and its columns converted: each is retyped.
                for table in from.tables.values() {
                    for column in &table.columns {
                        let uses = match &column.ty {
                            ColumnType::Enum(e) => e == name,
                            ColumnType::Array(inner) => **inner == ColumnType::Enum(name.clone()),
                            _ => false,
                        };
                        if uses {
                            out.push((
                                table.name.clone(),
                                Some(column.name.clone()),
                                format!("enum type {name} of {}.{} changes", table.name, column.name),
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// What `view` reads: the server's record, or else the names of `schema` its query mentions.
pub(crate) fn reads_of(view: &View, schema: &Schema) -> Vec<Read> {
    if !view.reads.is_empty() {
        return view.reads.clone();
    }
    // Asked of one text about every name of the schema: lowered once.
    let text = &view.definition.to_lowercase();
    let mentions = crate::definitions::mentions_lowercase;
    let mut out = Vec::new();
    let relation = |name: &str, columns: &mut dyn Iterator<Item = &str>, out: &mut Vec<Read>| {
        if mentions(text, name) {
            out.push(Read::Relation(name.to_string()));
            for column in columns {
                if mentions(text, column) {
                    out.push(Read::Column(name.to_string(), column.to_string()));
                }
            }
        }
    };
    for table in schema.tables.values() {
        relation(&table.name, &mut table.columns.iter().map(|c| c.name.as_str()), &mut out);
    }
    for other in schema.views.values().filter(|v| v.name != view.name) {
        relation(&other.name, &mut other.columns.iter().map(|c| c.0.as_str()), &mut out);
    }
    for function in schema.functions.values() {
        if mentions(text, &function.name) {
            out.push(Read::Function(function.key()));
        }
    }
    out
}

/// The views of `schema` named in `names`, each after the views it reads.
pub(crate) fn in_reading_order(schema: &Schema, names: &BTreeSet<String>) -> Vec<String> {
    ordered(schema, names, |n| schema.views.get(n))
}

/// [`in_reading_order`], each view as `view` gives it (as the server made it, say, with what
/// it reads on record).
fn ordered<'a>(
    schema: &Schema,
    names: &BTreeSet<String>,
    view: impl Fn(&str) -> Option<&'a View>,
) -> Vec<String> {
    let reads: BTreeMap<&str, BTreeSet<String>> = names
        .iter()
        .filter_map(|n| view(n))
        .map(|v| {
            let read = reads_of(v, schema)
                .into_iter()
                .filter_map(|r| match r {
                    Read::Relation(n) | Read::Column(n, _) if n != v.name => Some(n),
                    _ => None,
                })
                .collect();
            (v.name.as_str(), read)
        })
        .collect();
    let (mut ordered, cyclic) = crate::toposort::order(names, |n| {
        reads.get(n).cloned().unwrap_or_default()
    });
    // A cycle can only come from names a query mentions without reading them: any order.
    ordered.extend(cyclic);
    ordered
}

/// The functions of `schema` by the key the comparison uses.
fn functions_by_key(schema: &Schema, exprs: &Expressions) -> BTreeMap<String, (Function, Function)> {
    schema
        .functions
        .values()
        .map(|f| {
            let canonical = exprs.function(f);
            (canonical.key(), (f.clone(), canonical))
        })
        .collect()
}

/// Files the ops that turn the views, functions and triggers of `from` into those of `to`,
/// around the table ops already in `plan`.
pub(super) fn compare(from: &Schema, to: &Schema, exprs: &Expressions, plan: &mut Plan) {
    let table_ops: Vec<&Op> = plan.ops.values().flatten().collect();
    let changed = changed_reads(from, &table_ops);
    // Enum types made again (their labels change): what names one outside a table column (a
    // function's argument or result, a view's cast) would hold the old type, whose drop
    // PostgreSQL then refuses.
    let enums: Vec<String> = table_ops
        .iter()
        .filter_map(|op| match op {
            Op::AlterEnum { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let functions_gone = functions(from, to, exprs, &enums, plan);
    let views_gone = views(from, to, exprs, &changed, &enums, &functions_gone, plan);
    triggers(from, to, exprs, &changed, &functions_gone, &views_gone, plan);
}

/// Why `text` must not outlive the enum types made again that it names, if it names one.
fn names_enum(enums: &[String], text: &str) -> Option<String> {
    enums
        .iter()
        .find(|e| mentions(text, e))
        .map(|e| format!("enum type {e} changes"))
}

/// A function's arguments and result: what an enum type made again may be named in.
fn signature(f: &Function) -> String {
    format!("{} {}", f.arguments, returns(&f.definition))
}

/// Files the function ops: added, dropped, replaced in place, or dropped and made again when
/// PostgreSQL cannot replace them. Returns the keys of the functions dropped (for good or to
/// be made again), with why.
fn functions(
    from: &Schema,
    to: &Schema,
    exprs: &Expressions,
    enums: &[String],
    plan: &mut Plan,
) -> BTreeMap<String, String> {
    let before = functions_by_key(from, exprs);
    let after = functions_by_key(to, exprs);
    let mut gone: BTreeMap<String, String> = BTreeMap::new();
    let dropped = |old: &Function, old_canon: &Function| Op::DropFunction {
        name: old.name.clone(),
        arguments: old_canon.identity_arguments(),
        existing: Existing::known(old.clone()),
    };
    // A function a default, check, generated column or index of the target calls is made
    // before the tables; the rest after them, bodies checked against what they read.
    let called_by_tables = |f: &Function| {
        to.tables.values().any(|t| {
            t.columns.iter().any(|c| {
                c.default.as_deref().is_some_and(|d| mentions(d, &f.name))
                    || c.generated.as_ref().is_some_and(|g| mentions(&g.expression, &f.name))
            }) || t.checks.iter().any(|c| mentions(&c.expression, &f.name))
                || t.indexes.iter().any(|i| {
                    i.predicate.as_deref().is_some_and(|p| mentions(p, &f.name))
                        || i.keys.iter().any(|k| match k {
                            crate::schema::IndexKey::Expression(e) => mentions(e, &f.name),
                            crate::schema::IndexKey::Column(_) => false,
                        })
                })
        })
    };
    let create_phase = |f: &Function| match called_by_tables(f) {
        true => Phase::CreateFunctionsEarly,
        false => Phase::CreateFunctions,
    };
    for (key, (old, old_canon)) in &before {
        let Some((new, new_canon)) = after.get(key) else {
            // Dropped for good once nothing uses it (checks and defaults go with the tables'
            // changes; views and triggers went first), or first of all when it names an enum
            // type that is made again.
            gone.insert(key.clone(), format!("function {key} is dropped"));
            let phase = match names_enum(enums, &signature(old_canon)) {
                Some(_) => Phase::DropFunctions,
                None => Phase::DropFunctionsLast,
            };
            plan.push(phase, dropped(old, old_canon));
            continue;
        };
        // PostgreSQL replaces a function in place only with the same result and arguments (it
        // refuses to take a default away, say).
        let same_arguments = exprs.same_text(&old_canon.arguments, &new_canon.arguments);
        let same = same_arguments && exprs.same_text(&old_canon.definition, &new_canon.definition);
        let same_result = returns(&old_canon.definition) == returns(&new_canon.definition);
        let made_again = match names_enum(enums, &signature(old_canon)) {
            Some(why) => Some(why),
            None if same_result && same_arguments => None,
            None if same_result => Some(format!("the arguments of {key} change")),
            None => Some(format!("the result of {key} changes")),
        };
        if let Some(why) = made_again {
            // Made again whole, with its comment.
            gone.insert(key.clone(), why);
            plan.push(Phase::DropFunctions, dropped(old, old_canon));
            plan.push(create_phase(new), Op::CreateFunction(new.clone()));
            continue;
        }
        if !same {
            plan.push(
                create_phase(new),
                Op::ReplaceFunction {
                    function: new.clone(),
                    existing: Existing::known(old.clone()),
                },
            );
        }
        // `CREATE OR REPLACE` keeps the comment it had: a new one is set.
        if old.comment != new.comment {
            plan.push(
                create_phase(new),
                Op::SetComment {
                    on: Commented::Function {
                        name: new.name.clone(),
                        arguments: new_canon.identity_arguments(),
                    },
                    comment: new.comment.clone(),
                },
            );
        }
    }
    for (key, (new, _)) in &after {
        if !before.contains_key(key) {
            plan.push(create_phase(new), Op::CreateFunction(new.clone()));
        }
    }
    gone
}

/// Files the view ops: which views go (for good, or to be made again after what they read
/// changes), which are replaced in place, which are made, with their comments and the indexes
/// of materialized views that stay. Returns the views that go, with why (empty: their own
/// change).
fn views(
    from: &Schema,
    to: &Schema,
    exprs: &Expressions,
    changed: &[Changed],
    enums: &[String],
    functions_gone: &BTreeMap<String, String>,
    plan: &mut Plan,
) -> BTreeMap<String, String> {
    let canon_from: BTreeMap<&str, View> =
        from.views.values().map(|v| (v.name.as_str(), exprs.view(v))).collect();
    let canon_to: BTreeMap<&str, View> =
        to.views.values().map(|v| (v.name.as_str(), exprs.view(v))).collect();
    // What each view of `from` reads, found once (by the names it mentions, without a record).
    let reads: BTreeMap<&str, Vec<Read>> = canon_from
        .iter()
        .map(|(name, view)| (*name, reads_of(view, from)))
        .collect();
    let mut gone: BTreeMap<String, String> = BTreeMap::new();
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    for (name, old) in &canon_from {
        let Some(new) = canon_to.get(name) else {
            gone.insert(name.to_string(), String::new());
            continue;
        };
        let forced = reads[name]
            .iter()
            .find_map(|read| match read {
                Read::Column(t, c) => changed.iter().find_map(|(table, column, why)| {
                    (table == t && column.as_ref().is_none_or(|col| col == c))
                        .then(|| why.clone())
                }),
                Read::Relation(t) => changed.iter().find_map(|(table, column, why)| {
                    (table == t && column.is_none()).then(|| why.clone())
                }),
                Read::Function(key) => functions_gone.get(key).cloned(),
            })
            .or_else(|| names_enum(enums, &old.definition));
        let same = old.materialized == new.materialized
            && exprs.same_text(&old.definition, &new.definition);
        match (forced, same) {
            (Some(why), _) => {
                gone.insert(name.to_string(), format!("it reads what changes: {why}"));
            }
            (None, true) => {}
            (None, false) => {
                let keeps_columns = !old.materialized
                    && !new.materialized
                    && !old.columns.is_empty()
                    && new.columns.starts_with(&old.columns);
                if keeps_columns {
                    replaced.insert(name.to_string());
                } else {
                    gone.insert(name.to_string(), String::new());
                }
            }
        }
    }
    // Through chains: a view that reads a view that goes, goes too.
    loop {
        let more: Vec<(String, String)> = reads
            .iter()
            .filter(|(name, _)| !gone.contains_key(**name))
            .filter_map(|(name, read)| {
                read.iter().find_map(|read| match read {
                    Read::Relation(v) | Read::Column(v, _) if gone.contains_key(v) => Some((
                        name.to_string(),
                        format!("it reads view {v}, which is dropped"),
                    )),
                    _ => None,
                })
            })
            .collect();
        if more.is_empty() {
            break;
        }
        for (name, why) in more {
            replaced.remove(&name);
            gone.insert(name, why);
        }
    }

    // Drops, each view before the views it reads.
    let dropped: BTreeSet<String> = gone.keys().cloned().collect();
    for name in in_reading_order(from, &dropped).into_iter().rev() {
        let old = &from.views[&name];
        let why = &gone[&name];
        plan.push(
            Phase::DropViews,
            Op::DropView {
                name: name.clone(),
                materialized: old.materialized,
                existing: Existing::known(old.clone()),
                because: match (why.is_empty(), to.views.contains_key(&name)) {
                    (false, true) => Existing::known(why.clone()),
                    _ => Existing::unknown(),
                },
            },
        );
    }
    // Creations and replacements, each view after the views it reads.
    let made: BTreeSet<String> = to
        .views
        .keys()
        .filter(|n| gone.contains_key(*n) || !from.views.contains_key(*n) || replaced.contains(*n))
        .cloned()
        .collect();
    // In the order the server's record of the model's views gives, where it has one.
    for name in ordered(to, &made, |n| canon_to.get(n)) {
        let new = &to.views[&name];
        let op = if replaced.contains(&name) {
            Op::ReplaceView {
                view: new.clone(),
                existing: Existing::known(from.views[&name].clone()),
            }
        } else {
            Op::CreateView(new.clone())
        };
        plan.push(Phase::CreateViews, op);
    }
    // The comments of views that stay (one made again has its own).
    for (name, new) in &to.views {
        match from.views.get(name) {
            Some(old) if !gone.contains_key(name) && old.comment != new.comment => plan.push(
                Phase::CreateViews,
                Op::SetComment {
                    on: Commented::View {
                        name: name.clone(),
                        materialized: new.materialized,
                    },
                    comment: new.comment.clone(),
                },
            ),
            _ => {}
        }
    }
    // The indexes of materialized views that stay, as the server writes their expressions.
    for (name, new) in &canon_to {
        let Some(old) = canon_from.get(name) else {
            continue;
        };
        if gone.contains_key(*name) || !new.materialized {
            continue;
        }
        let as_table = |v: &View| Table {
            name: v.name.clone(),
            indexes: v.indexes.clone(),
            ..Table::default()
        };
        indexes::compare(&as_table(old), &as_table(new), exprs, plan);
    }
    gone
}

/// Files the trigger ops: those that change or go, and those made again with their function,
/// their view, or a column they name.
fn triggers(
    from: &Schema,
    to: &Schema,
    exprs: &Expressions,
    changed: &[Changed],
    functions_gone: &BTreeMap<String, String>,
    views_gone: &BTreeMap<String, String>,
    plan: &mut Plan,
) {
    // Triggers: those that change or go, and those whose function or view goes.
    for (key, old) in &from.triggers {
        let new = to.triggers.get(key);
        let same = new.is_some_and(|new| {
            exprs.same_text(&exprs.trigger(old), &exprs.trigger(new))
        });
        let function_gone = old
            .function
            .as_ref()
            .is_some_and(|f| functions_gone.contains_key(f));
        // PostgreSQL refuses to retype a column a trigger names (`UPDATE OF`, `WHEN`).
        let column_changes = changed.iter().any(|(table, column, _)| {
            *table == old.table
                && column
                    .as_ref()
                    .is_some_and(|c| mentions(&old.definition, c))
        });
        if !same || function_gone || column_changes || views_gone.contains_key(&old.table) {
            plan.push(
                Phase::DropTriggers,
                Op::DropTrigger {
                    table: old.table.clone(),
                    name: old.name.clone(),
                    existing: Existing::known(old.clone()),
                },
            );
            if let Some(new) = new {
                plan.push(Phase::CreateTriggers, Op::CreateTrigger(new.clone()));
            }
        }
    }
    for (key, new) in &to.triggers {
        if !from.triggers.contains_key(key) {
            plan.push(Phase::CreateTriggers, Op::CreateTrigger(new.clone()));
        }
    }
}
