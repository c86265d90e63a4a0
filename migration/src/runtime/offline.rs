//! Offline `--sql` scripts: what `upgrade`, `downgrade` and `stamp` would run, written out for a
//! database administrator, with no database to ask (the schema comes from replaying revisions).

use super::context::Context;
use super::versions::{
    create_version_tables, history_sql, now, stamp_sql, table_name, version_sql, Times,
};
use super::online::search_path;
use super::Direction;
use crate::config::Config;
use crate::ddl::{self, ident};
use crate::ops::{step_ops, Step};
use anyhow::{bail, Context as _, Result};
use sea_orm::DbBackend;
use std::collections::BTreeSet;

/// The `--sql` script for `range` (`END` from base, or `START:END`), for each of `schemas` in
/// order (a downgrade in reverse order; SQLite, which has no schemas, once).
pub fn offline_script(
    ctx: &Context<'_>,
    schemas: &[String],
    backend: DbBackend,
    direction: Direction,
    range: &str,
    online: bool,
) -> Result<String> {
    let (start, end) = match range.split_once(':') {
        Some((s, e)) => (Some(s), e),
        None if direction == Direction::Downgrade => bail!(
            "downgrade with --sql needs a range START:END (it cannot read the database's revision)"
        ),
        None => (None, range),
    };
    let current = match start {
        Some(s) => ctx.graph.resolve(s, &[])?,
        None => Vec::new(),
    };
    let target = ctx.graph.resolve(end, &current)?;
    let plan = match direction {
        Direction::Upgrade => ctx.graph.upgrade_plan(&current, &target)?,
        Direction::Downgrade => ctx.graph.downgrade_plan(&current, &target)?,
    };
    let mut s = format!(
        "-- {} {} {} -> {} for {} ({:?}); generated {}\n\n",
        crate::tool::name(),
        direction.word(),
        start.unwrap_or("base"),
        end,
        ctx.dir.label(),
        backend,
        now()
    );
    match backend {
        DbBackend::Postgres => s.push_str(
            "-- Run with psql: each revision runs only when the database is at the revision it \
             expects\n-- (psql's \\if), so running the script again changes nothing, and a \
             database at\n-- another revision stops it with a message.\n\\set ON_ERROR_STOP \
             on\n\n",
        ),
        _ => s.push_str(
            "-- SQLite's shell has no conditionals: run this script once (it is not guarded).\n\
             -- Table rebuilds need foreign keys off (outside any transaction).\n\
             PRAGMA foreign_keys = OFF;\n\n",
        ),
    }
    if online {
        s.push_str(&format!(
            "-- The online plan: each phase commits on its own, `CONCURRENTLY` steps run outside \
             any transaction,\n-- and every statement in a transaction waits at most \
             lock_timeout ({}) for a lock. A timeout stops\n-- the script (the runner would try \
             the phase again, and records each phase; this script does not):\n-- a revision \
             stopped between phases is finished by hand, not by running this script again.\n\n",
            ctx.dir.config.lock_timeout
        ));
    }
    let mut order: Vec<&String> = match backend {
        DbBackend::Postgres => schemas.iter().collect(),
        _ => schemas.iter().take(1).collect(),
    };
    if direction == Direction::Downgrade {
        order.reverse();
    }
    for schema in order {
        let config = ctx.dir.config.for_schema(schema);
        if backend == DbBackend::Postgres {
            s.push_str(&format!("-- Schema {}\n", crate::revision_file::doc_text(schema)));
            if direction == Direction::Upgrade && schema != "public" {
                s.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {};\n\n", ident(schema)));
            }
            s.push_str(&search_path(schema, false));
            s.push_str(";\n\n");
        }
        let (script, model) =
            schema_script(ctx, &config, backend, direction, &current, &plan, online)?;
        s.push_str(&script);
        if let (DbBackend::Postgres, Some(grants)) = (backend, config.grants.get(schema)) {
            s.push_str(&format!(
                "-- Privileges of schema {} as alembic.toml grants them (what else roles hold \
                 there is not revoked here: `{tool} check` lists it, `{tool} upgrade` revokes it).\n",
                crate::revision_file::doc_text(schema),
                tool = crate::tool::name()
            ));
            for sql in crate::privileges::offline(&config, grants, &model) {
                s.push_str(&sql);
                s.push_str(";\n");
            }
            s.push('\n');
        }
    }
    Ok(s)
}

/// The part of a `--sql` script for one schema: `plan` run from `current`, with the version
/// tables made first when it starts from base.
fn schema_script(
    ctx: &Context<'_>,
    config: &Config,
    backend: DbBackend,
    direction: Direction,
    current: &[String],
    plan: &[String],
    online: bool,
) -> Result<(String, crate::schema::Schema)> {
    let mut s = String::new();
    let mut applied = ctx.graph.ancestors(current);
    let mut model = ctx.replay(&applied)?;
    let version_table = table_name(config, backend, &config.version_table);
    let mut versions = current.to_vec();
    if current.is_empty() && direction == Direction::Upgrade {
        for sql in create_version_tables(config, backend) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
    }
    if backend == DbBackend::Postgres {
        // A history table an older binary made gets the later columns the rows below name.
        for sql in super::versions::history_columns_sql(config, backend, &[]) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
    }
    for id in plan {
        let (next, next_versions, running) = ctx.step(&applied, &versions, id, direction)?;
        // The revision's message is the user's text: kept inside its comment line.
        let running = crate::revision_file::doc_text(&running);
        s.push_str(&format!("-- {running}\n"));
        if backend == DbBackend::Postgres {
            s.push_str(&guard_open(&version_table, id, &versions, &next_versions));
        }
        let ops = ctx.ops(id, direction)?;
        let phases = match backend {
            DbBackend::Postgres => crate::lock_plan::plan(&ops.steps, online),
            _ => Vec::new(),
        };
        if (online && !phases.is_empty()) || phases.len() > 1 {
            s.push_str(&phased_script(ctx, config, id, direction, &next, &phases, online, &mut model)?);
            s.push_str(&version_and_history(config, backend, ctx, id, direction, &next, &versions, &next_versions, &version_table));
            s.push_str("COMMIT;\n\n");
            s.push_str(&guard_close(&version_table, id, &versions));
            applied = next;
            versions = next_versions;
            continue;
        }
        s.push_str("BEGIN;\n\n");
        for run in ops.runs() {
            match &ops.steps[run.clone()] {
                [Step::Data(_)] => s.push_str(&format!(
                    "-- A data migration of revision {id} runs only online (without --sql).\n\n"
                )),
                steps => {
                    let run = step_ops(steps);
                    // Offline, only the triggers the revisions' ops know of can be made again
                    // after a rebuild; the online runner reads the database for the rest.
                    if backend == DbBackend::Sqlite {
                        let rebuilt: BTreeSet<&str> = run
                            .iter()
                            .filter(|op| {
                                ddl::sqlite::needs_rebuild(op, &model).unwrap_or(false)
                            })
                            .filter_map(|op| op.changed_table())
                            .collect();
                        for table in rebuilt {
                            s.push_str(&format!(
                                "-- WARNING: this rebuilds table {}: a trigger made on it by raw \
                                 SQL is dropped with it and not made again by this script (the \
                                 online runner makes it again); check sqlite_master first.\n",
                                crate::revision_file::doc_text(table)
                            ));
                        }
                    }
                    s.push_str(
                        &ddl::render_and_apply(backend, &run, &mut model)
                            .with_context(|| format!("revision {id} ({})", ctx.path(id)))?,
                    )
                }
            }
        }
        s.push_str(&version_and_history(
            config,
            backend,
            ctx,
            id,
            direction,
            &next,
            &versions,
            &next_versions,
            &version_table,
        ));
        s.push_str("COMMIT;\n\n");
        if backend == DbBackend::Postgres {
            s.push_str(&guard_close(&version_table, id, &versions));
        }
        applied = next;
        versions = next_versions;
    }
    Ok((s, model))
}

/// The version table's update and the history row that end a revision in a script.
#[allow(clippy::too_many_arguments)]
fn version_and_history(
    config: &Config,
    backend: DbBackend,
    ctx: &Context<'_>,
    id: &str,
    direction: Direction,
    next: &BTreeSet<String>,
    versions: &[String],
    next_versions: &[String],
    version_table: &str,
) -> String {
    let mut s = String::new();
    for sql in version_sql(version_table, versions, next_versions) {
        s.push_str(&sql);
        s.push_str(";\n\n");
    }
    s.push_str(&history_sql(
        config,
        backend,
        &ctx.entry(id, direction, next),
        Times::Now,
    ));
    s.push_str(";\n\n");
    s
}

/// A revision's phases in a PostgreSQL script ([`crate::lock_plan`]), `model` moved on past
/// them: each transaction phase between `BEGIN` and `COMMIT`, each `CONCURRENTLY` step alone;
/// the script is left inside an open transaction, for the version update and the history row.
#[allow(clippy::too_many_arguments)]
fn phased_script(
    ctx: &Context<'_>,
    config: &Config,
    id: &str,
    direction: Direction,
    _next: &BTreeSet<String>,
    phases: &[crate::lock_plan::Phase<'_>],
    online: bool,
    model: &mut crate::schema::Schema,
) -> Result<String> {
    let backend = DbBackend::Postgres;
    let timeout = config.lock_timeout().as_millis();
    let mut s = String::new();
    let n = phases.len();
    let _ = direction;
    for (k, phase) in phases.iter().enumerate() {
        s.push_str(&format!(
            "-- Phase {}/{n} ({}){}\n",
            k + 1,
            phase.label(),
            if phase.alone { ", outside a transaction" } else { "" }
        ));
        if !phase.alone {
            s.push_str("BEGIN;\n\n");
            if online {
                s.push_str(&format!("SET LOCAL lock_timeout = {timeout};\n\n"));
            }
        }
        let mut ops: Vec<&crate::ops::Op> = Vec::new();
        for item in &phase.items {
            match item {
                crate::lock_plan::Item::Op(op) => ops.push(op),
                crate::lock_plan::Item::Data(_) => s.push_str(&format!(
                    "-- A data migration of revision {id} runs only online (without --sql).\n\n"
                )),
            }
        }
        for run in crate::ops::table_runs(&ops, |op| op.changed_table()) {
            s.push_str(
                &ddl::render_and_apply(backend, &ops[run], model)
                    .with_context(|| format!("revision {id} ({})", ctx.path(id)))?,
            );
        }
        let last = k + 1 == n;
        match (phase.alone, last) {
            (true, false) => {}
            (true, true) => s.push_str("BEGIN;\n\n"),
            (false, false) => s.push_str("COMMIT;\n\n"),
            (false, true) => {}
        }
    }
    Ok(s)
}

/// The version table's rows as one text, in the order of [`versions_text`]: what a guard
/// compares.
fn versions_now(version_table: &str) -> String {
    format!(
        "(SELECT coalesce(string_agg(version_num, ' ' ORDER BY version_num COLLATE \"C\"), '') \
         FROM {version_table})"
    )
}

/// Versions as [`versions_now`] reads them: sorted bytewise, joined by spaces.
fn versions_text(versions: &[String]) -> String {
    let mut sorted = versions.to_vec();
    sorted.sort();
    sorted.join(" ")
}

/// What opens a revision's guard in a psql script: the revision runs when the version table
/// holds `before`, is skipped when it already holds `after`, and anything else stops the script
/// ([`guard_close`]). In psql's meta-commands the revision id is shown by its letters, digits
/// and `_-.` alone (a quote or a backslash there would be psql's to read); everything else is
/// a quoted SQL literal.
fn guard_open(version_table: &str, id: &str, before: &[String], after: &[String]) -> String {
    let now = versions_now(version_table);
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c))
        .collect();
    format!(
        "SELECT {now} = {} AS opdb_done, {now} = {} AS opdb_due \\gset\n\
         \\if :opdb_done\n\\echo 'Revision {id} is already applied: skipped'\n\\elif :opdb_due\n",
        crate::ddl::literal(&versions_text(after)),
        crate::ddl::literal(&versions_text(before)),
    )
}

/// What closes a revision's guard: at any revision but the one it expects, the script stops
/// with a message naming both.
fn guard_close(version_table: &str, id: &str, before: &[String]) -> String {
    let expected = match before.is_empty() {
        true => "base".to_string(),
        false => versions_text(before),
    };
    let body = format!(
        "BEGIN RAISE EXCEPTION 'revision % expects the database at %, but it is at %', {}, {}, \
         coalesce(nullif({}, ''), 'base'); END",
        crate::ddl::literal(id),
        crate::ddl::literal(&expected),
        versions_now(version_table),
    );
    format!(
        "\\else\n{};\n\\endif\n\n",
        crate::ddl::postgres::do_block(&body)
    )
}

/// The `stamp --sql` script: the version tables if missing, then the version table set to
/// `targets` (emptied first: offline, the current rows are unknown) with a history row each.
pub fn offline_stamp(
    ctx: &Context<'_>,
    schemas: &[String],
    backend: DbBackend,
    targets: &[String],
) -> Result<String> {
    let mut wanted = BTreeSet::new();
    for t in targets {
        wanted.extend(ctx.graph.resolve(t, &[])?);
    }
    let versions = ctx
        .graph
        .version_heads(&ctx.graph.ancestors(&wanted.into_iter().collect::<Vec<_>>()));
    let mut s = String::new();
    let count = match backend {
        DbBackend::Postgres => schemas.len(),
        _ => 1,
    };
    for schema in schemas.iter().take(count) {
        let config = &ctx.dir.config.for_schema(schema);
        if backend == DbBackend::Postgres {
            s.push_str(&format!("-- Schema {}\n", crate::revision_file::doc_text(schema)));
            if schema != "public" {
                s.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {};\n\n", ident(schema)));
            }
            s.push_str(&search_path(schema, false));
            s.push_str(";\n\n");
        }
        for sql in create_version_tables(config, backend) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
        s.push_str("BEGIN;\n\n");
        let after = ctx.graph.ancestors(&versions);
        let entries: Vec<_> = versions
            .iter()
            .map(|v| ctx.entry_as(v, "stamp", true, &after))
            .collect();
        for sql in stamp_sql(config, backend, &[], &versions, true, &entries) {
            s.push_str(&sql);
            s.push_str(";\n\n");
        }
        s.push_str("COMMIT;\n");
        if count > 1 {
            s.push('\n');
        }
    }
    Ok(s)
}
