//! `refresh`: every materialized view of the model refreshed, each after the views it reads,
//! `CONCURRENTLY` where the server allows it (a unique index on plain columns, over every row,
//! and a view already filled), so that readers are not locked out meanwhile. The command a
//! team puts in cron instead of a hand-written refresh function.

use super::{EntityModel, Project};
use crate::schema::View;
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend};
use std::collections::BTreeSet;
use std::io::Write;

/// One materialized view refreshed.
#[derive(Clone, Debug, PartialEq)]
pub struct Refreshed {
    pub schema: String,
    pub view: String,
    /// Refreshed `CONCURRENTLY` (readers kept reading the old rows meanwhile).
    pub concurrently: bool,
    pub seconds: f64,
}

/// Whether the server can refresh `view` (as the database has it) concurrently: it is filled,
/// and has a unique index of plain columns with no predicate.
pub fn concurrent(view: &View) -> bool {
    view.with_data
        && view.indexes.iter().any(|i| {
            i.unique && i.predicate.is_none() && i.plain_columns().is_some()
        })
}

/// Refreshes the model's materialized views in each schema of the project, in an order where
/// each comes after the views it reads (the database's own record), printing each one's time
/// to `out` as it goes.
pub async fn refresh(project: &Project<'_>, out: &mut (dyn Write + Send)) -> Result<Vec<Refreshed>> {
    let ctx = &project.ctx;
    let (model, _) = EntityModel::start(project.models, project.name())?.get().await?;
    let wanted: BTreeSet<&str> = model
        .views
        .values()
        .filter(|v| v.materialized)
        .map(|v| v.name.as_str())
        .collect();
    let url = project.database_url()?;
    let db = crate::db::connect_to(&url, ctx.dir.config.statement_timeout()).await?;
    let result = async {
        if db.get_database_backend() != DbBackend::Postgres {
            bail!(
                "{} has no materialized views (PostgreSQL has them): nothing to refresh",
                if db.get_database_backend() == DbBackend::Sqlite {
                    "SQLite"
                } else {
                    "this database"
                }
            );
        }
        let mut done = Vec::new();
        if wanted.is_empty() {
            writeln!(out, "The model has no materialized views: nothing to refresh")?;
            return Ok(done);
        }
        let several = project.schemas().len() > 1;
        for schema in project.schemas() {
            let live = crate::introspect::introspect(&db, &schema)
                .await?
                .existing(&schema)?
                .schema;
            let missing: Vec<&str> = wanted
                .iter()
                .filter(|name| !live.views.get(**name).is_some_and(|v| v.materialized))
                .copied()
                .collect();
            if !missing.is_empty() {
                bail!(
                    "schema {schema} has no materialized view {}: run `upgrade head` first",
                    missing.join(", ")
                );
            }
            let wanted = |name: &str| wanted.contains(name);
            done.extend(refresh_schema(&db, &schema, &live, &wanted, true, several, out).await?);
        }
        Ok(done)
    }
    .await;
    db.close().await.ok();
    result
}

/// Refreshes the materialized views of `schema` (as `live` has it) that `wanted` names, each
/// after the views it reads, `CONCURRENTLY` where `concurrently` allows and the view can be
/// (see [`concurrent`]), printing each one's time (with its schema when `several`).
pub(crate) async fn refresh_schema(
    db: &sea_orm::DatabaseConnection,
    schema: &str,
    live: &crate::schema::Schema,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    concurrently: bool,
    several: bool,
    out: &mut (dyn Write + Send),
) -> Result<Vec<Refreshed>> {
    // Every view in reading order (a plain view may stand between two materialized ones),
    // then the wanted materialized views in that order.
    let all: BTreeSet<String> = live.views.keys().cloned().collect();
    let order = crate::autogenerate::views_in_reading_order(live, &all);
    db.execute_unprepared(&crate::runtime::search_path(schema, false))
        .await
        .with_context(|| format!("setting the search path to schema {schema}"))?;
    let mut done = Vec::new();
    for name in order
        .iter()
        .filter(|n| wanted(n) && live.views[*n].materialized)
    {
        let view = &live.views[name];
        let concurrently = concurrently && concurrent(view);
        let sql = format!(
            "REFRESH MATERIALIZED VIEW {}{}",
            if concurrently { "CONCURRENTLY " } else { "" },
            crate::ddl::ident(name)
        );
        let started = std::time::Instant::now();
        db.execute_unprepared(&sql)
            .await
            .with_context(|| format!("refreshing materialized view {name} ({sql})"))?;
        let seconds = started.elapsed().as_secs_f64();
        writeln!(
            out,
            "Refreshed {}{name}{} in {:.3} s",
            if several {
                format!("{schema}.")
            } else {
                String::new()
            },
            if concurrently { " concurrently" } else { "" },
            seconds
        )?;
        done.push(Refreshed {
            schema: schema.to_string(),
            view: name.clone(),
            concurrently,
            seconds,
        });
    }
    Ok(done)
}
