//! `reset`: a test database wiped and built again, as a test suite does before each test file
//! (the APTrust registry's `db:reset`): every object of the configured schemas dropped
//! ([`crate::wipe`]), `upgrade head` by the normal runner, the fixtures of `--fixtures DIR`
//! loaded in foreign-key order with the keys of cycles deferred and every sequence set past
//! the largest id ([`crate::fixtures`], [`crate::load`]), statistics refreshed (`ANALYZE`) and
//! materialized views refreshed.
//!
//! It refuses any database not marked as a test database ([`crate::test_database`]), before
//! it connects to a SQLite file (opening one may create it) or changes anything on
//! PostgreSQL. The fixtures are read and parsed before anything is dropped; their tables and
//! columns are checked against the database once it is at head, before any row is loaded.

use super::Project;
use crate::fixtures::{self, Fixture};
use crate::runtime::{self, Direction};
use anyhow::{Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `reset` did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResetOutcome {
    /// The database's name (PostgreSQL) or file name (SQLite).
    pub database: String,
    /// Objects dropped.
    pub dropped: usize,
    /// Where the version table is afterwards, per schema.
    pub versions: Vec<(String, Vec<String>)>,
    /// Per schema, what the fixtures loaded.
    pub loaded: Vec<(String, crate::load::Loaded)>,
    /// Materialized views refreshed.
    pub refreshed: usize,
    pub seconds: f64,
}

impl ResetOutcome {
    /// Rows loaded in all.
    pub fn rows(&self) -> u64 {
        self.loaded
            .iter()
            .flat_map(|(_, l)| &l.tables)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The fixtures of `schema`: `DIR/<schema>/` when the project has several schemas and that
/// folder exists, else `DIR` itself.
fn fixtures_dir(dir: &Path, schema: &str, several: bool) -> PathBuf {
    match several && dir.join(schema).is_dir() {
        true => dir.join(schema),
        false => dir.to_path_buf(),
    }
}

/// Resets the project's database: refuses unless it is a test database, then drops every
/// object of its schemas, upgrades to head, loads the CSV files of `fixtures` (when given),
/// sets the sequences, analyzes and refreshes materialized views; reports its steps on `out`.
pub async fn reset(
    project: &Project<'_>,
    fixtures: Option<&Path>,
    out: &mut (dyn Write + Send),
) -> Result<ResetOutcome> {
    let started = Instant::now();
    let url = project.database_url()?;
    let backend = url.backend()?;
    let config = &project.ctx.dir.config;
    let label = project.ctx.dir.label();
    let schemas = project.schemas();
    let several = schemas.len() > 1;
    if backend == DbBackend::Sqlite {
        let file = crate::test_database::sqlite_file_name(&url.url);
        crate::test_database::ensure(&file, config, &label, &format!("{url}"))?;
    }
    let db = runtime::connect_runner(&url, config).await?;
    let result = Box::pin(async {
        let database = match backend {
            DbBackend::Postgres => {
                let row = db
                    .query_one_raw(Statement::from_string(
                        backend,
                        "SELECT current_database()::text AS name",
                    ))
                    .await?
                    .context("reading the database's name")?;
                let name: String = row.try_get("", "name")?;
                crate::test_database::ensure(&name, config, &label, &format!("{url}"))?;
                name
            }
            _ => crate::test_database::sqlite_file_name(&url.url),
        };
        let mut outcome = ResetOutcome {
            database,
            ..ResetOutcome::default()
        };
        // Every file is read and parsed before anything changes.
        let mut files: Vec<(String, Vec<Fixture>)> = Vec::new();
        if let Some(dir) = fixtures {
            for schema in &schemas {
                files.push((
                    schema.clone(),
                    fixtures::read_dir(&fixtures_dir(dir, schema, several))?,
                ));
            }
        }
        // Checked before anything is dropped, against the tables the revisions make, when
        // their ops say all of it (no raw SQL, no data migration); else only afterwards,
        // against the database at head.
        if !files.is_empty() {
            if let Some(head) = head_of_revisions(&project.ctx)? {
                for (_, files) in &files {
                    fixtures::check(files, &head, "the revisions' head")?;
                }
            }
        }
        outcome.dropped = crate::wipe::wipe(&db, &schemas).await?;
        writeln!(
            out,
            "Dropped {} object{} of {}",
            outcome.dropped,
            if outcome.dropped == 1 { "" } else { "s" },
            match backend {
                DbBackend::Postgres => format!(
                    "schema{} {}",
                    if several { "s" } else { "" },
                    schemas.join(", ")
                ),
                _ => outcome.database.clone(),
            }
        )?;
        let at = Box::pin(runtime::migrate(
            &project.ctx,
            &url,
            &schemas,
            Direction::Upgrade,
            "head",
            runtime::RunMode::default(),
            out,
        ))
        .await?;
        outcome.versions = at;
        // Each schema as it is at head, opdb's own tables left out.
        let mut lives = Vec::new();
        for schema in &schemas {
            let mut live = crate::introspect::introspect(&db, schema).await?.schema;
            live.tables.remove(&config.version_table);
            live.tables.remove(&config.history_table);
            lives.push(live);
        }
        let mut analyze = Vec::new();
        for (schema, files) in &files {
            let live = &lives[schemas.iter().position(|s| s == schema).unwrap_or_default()];
            let place = match several {
                true => format!("schema {schema}"),
                false => "the database at head".to_string(),
            };
            fixtures::check(files, live, &place)?;
            let (order, deferred) = fixtures::load_order(files, live);
            let loading = Instant::now();
            let loaded = crate::load::load(&db, schema, live, files, &order, &deferred).await?;
            let rows: u64 = loaded.tables.iter().map(|(_, n)| n).sum();
            writeln!(
                out,
                "Loaded {rows} row{} into {} table{}{} in {:.3} s{}",
                if rows == 1 { "" } else { "s" },
                loaded.tables.len(),
                if loaded.tables.len() == 1 { "" } else { "s" },
                if several {
                    format!(" of schema {schema}")
                } else {
                    String::new()
                },
                loading.elapsed().as_secs_f64(),
                match loaded.deferred.len() {
                    0 => String::new(),
                    n => format!(
                        " (foreign key{} of cycles deferred: {})",
                        if n == 1 { "" } else { "s" },
                        loaded.deferred.join(", ")
                    ),
                }
            )?;
            if backend == DbBackend::Postgres {
                writeln!(
                    out,
                    "Set {} sequence{} past the largest id",
                    loaded.sequences,
                    if loaded.sequences == 1 { "" } else { "s" }
                )?;
                analyze.extend(
                    loaded
                        .tables
                        .iter()
                        .map(|(t, _)| format!("{}.{}", crate::ddl::ident(schema), crate::ddl::ident(t))),
                );
            }
            outcome.loaded.push((schema.clone(), loaded));
        }
        // Statistics of the new rows, for the planner.
        let statistics = match backend {
            DbBackend::Postgres if !analyze.is_empty() => Some(format!("ANALYZE {}", analyze.join(", "))),
            DbBackend::Sqlite if !files.is_empty() => Some("ANALYZE".to_string()),
            _ => None,
        };
        if let Some(sql) = statistics {
            db.execute_unprepared(&sql)
                .await
                .context("refreshing the statistics (ANALYZE)")?;
        }
        if backend == DbBackend::Postgres {
            for (schema, live) in schemas.iter().zip(&lives) {
                let all = |_: &str| true;
                let done = super::refresh::refresh_schema(
                    &db, schema, live, &all, false, several, out,
                )
                .await?;
                outcome.refreshed += done.len();
            }
        }
        outcome.seconds = started.elapsed().as_secs_f64();
        anyhow::Ok(outcome)
    })
    .await;
    db.close().await.ok();
    result
}

/// The schema the revisions build, replayed from their ops, when those say all of it: `None`
/// when a revision runs raw SQL or a data migration (the database at head is then the only
/// witness of its tables).
fn head_of_revisions(ctx: &crate::runtime::Context<'_>) -> Result<Option<crate::schema::Schema>> {
    let head = ctx.graph.ancestors(&ctx.graph.heads());
    for id in &head {
        let ops = ctx.ops(id, Direction::Upgrade)?;
        let raw = ops.steps.iter().any(|step| match step {
            crate::ops::Step::Data(_) => true,
            crate::ops::Step::Op(op) => matches!(**op, crate::ops::Op::Execute { .. }),
        });
        if raw {
            return Ok(None);
        }
    }
    Ok(Some(ctx.replay(&head)?))
}
