//! `revision`: a new revision file on a head, empty or, with autogenerate, filled with what the
//! database (at head) lacks against the entities. Also the revision-file helpers `merge` uses.

use super::{Building, EntityModel, Project};
use crate::autogenerate::{self, describe, Hints};
use crate::error::MigrateError;
use crate::live;
use crate::ops::Op;
use sea_orm::ConnectionTrait;
use crate::revision::Graph;
use crate::revision_file::RevisionFile;
use crate::runtime;
use crate::schema::Schema;
use anyhow::{bail, Result};
use std::path::PathBuf;

/// `revision`'s arguments.
#[derive(Clone, Debug, Default)]
pub struct RevisionArgs {
    /// What the revision does; the file's first line and its name.
    pub message: String,
    /// Fill the revision from the database against the entities.
    pub autogenerate: bool,
    /// With `autogenerate`, write the revision even when there is nothing to do.
    pub allow_empty: bool,
    /// Revision to build on (default: the single head); `base` starts a new root.
    pub head: Option<String>,
    /// Allow `head` to name a revision that is not a head.
    pub splice: bool,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// The id to use instead of a random one (12 lowercase hex digits).
    pub rev_id: Option<String>,
}

/// How `revision` ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevisionOutcome {
    /// Autogenerate found nothing to do and wrote nothing; the objects of the database the
    /// model cannot express, which it did not compare, as warnings.
    NoChanges {
        unmodelled: Vec<String>,
        /// Why expressions were compared by their text rather than by the server, if so.
        caution: Option<String>,
    },
    /// The file was written.
    Written {
        path: PathBuf,
        /// With autogenerate, what it found.
        found: Option<Found>,
    },
}

/// What autogenerate put into a revision: each change described, and the warnings about
/// what may lose data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub changes: Vec<String>,
    pub warnings: Vec<String>,
    /// Objects of the database the model cannot express, left as they are.
    pub unmodelled: Vec<String>,
}

/// Writes a new revision file (see [`RevisionArgs`]).
pub async fn revision(project: &Project<'_>, args: RevisionArgs) -> Result<RevisionOutcome> {
    let ctx = &project.ctx;
    let down = match args.head.as_deref() {
        None if ctx.graph.is_empty() => Vec::new(),
        None => ctx.graph.single_head()?,
        Some("base") => Vec::new(),
        Some(h) => {
            let ids = ctx.graph.resolve(h, &[])?;
            let heads = ctx.graph.heads();
            if let Some(not_head) = ids.iter().find(|id| !heads.contains(id)) {
                if !args.splice {
                    bail!(
                        "revision {not_head} is not a head revision; use --splice to \
                         start a new branch from it"
                    );
                }
            }
            ids
        }
    };
    let depends_on = args
        .depends_on
        .iter()
        .map(|d| ctx.graph.resolve_one(d))
        .collect::<Result<Vec<_>>>()?;
    let mut file = new_file(
        &ctx.graph,
        args.rev_id,
        args.message,
        down,
        args.branch_labels,
        depends_on,
    )?;
    if !args.autogenerate {
        let path = ctx.dir.write_revision(&file)?;
        return Ok(RevisionOutcome::Written { path, found: None });
    }
    if !project.chosen_schemas.is_empty() {
        bail!(
            "revision compares every schema of alembic.toml (its revision runs in each): drop \
             --schema"
        );
    }
    let model = EntityModel::start(project.models, project.name())?;
    // A schema not made yet is compared as empty: the first revision is what builds it.
    let compared = against_entities(project, model, true, false, |versions| {
        match ctx.graph.at_head(versions) {
            true => Ok(()),
            false => Err(MigrateError::NotAtHead {
                at: versions.to_vec(),
                heads: ctx.graph.heads(),
            }
            .into()),
        }
    })
    .await?;
    // One revision runs in every schema: each must need the same ops.
    let mut found: Option<(String, Vec<Op>, Vec<Op>)> = None;
    for c in &compared {
        let (mut upgrade, mut downgrade) = autogenerate::revision_ops(&c.from, &c.to, &c.hints)?;
        name_schemas(&mut upgrade, c);
        name_schemas(&mut downgrade, c);
        match &found {
            Some((first, ops, _)) if *ops != upgrade => bail!(
                "schemas {first} and {} differ from each other, so no one revision brings both to \
                 the model: run `{tool} check` to see how, and bring them together first",
                c.schema,
                tool = crate::tool::name()
            ),
            Some(_) => {}
            None => found = Some((c.schema.clone(), upgrade, downgrade)),
        }
    }
    let (_, upgrade, downgrade) = found.unwrap_or_default();
    // The model's schema version, written when it is not the one the head's revisions give.
    let declared = EntityModel::version(project.models, project.name())?;
    let at_head = ctx.schema_version(&ctx.graph.ancestors(&ctx.graph.heads()));
    file.schema_version = declared.filter(|v| Some(v) != at_head.as_ref());
    let first = compared.first();
    let from = first.map(|c| c.from.clone()).unwrap_or_default();
    let mut unmodelled: Vec<String> = Vec::new();
    let mut caution = None;
    for c in &compared {
        let prefix = match compared.len() {
            1 => String::new(),
            _ => format!("schema {}: ", c.schema),
        };
        unmodelled.extend(
            c.from
                .unmodelled
                .iter()
                .map(|o| format!("{prefix}{}", o.warning())),
        );
        caution = caution.or(c.caution.clone());
    }
    if upgrade.is_empty() && file.schema_version.is_none() && !args.allow_empty {
        return Ok(RevisionOutcome::NoChanges {
            unmodelled,
            caution,
        });
    }
    let mut warnings = describe::warnings(&from, &upgrade);
    for c in compared.iter().filter(|c| c.missing) {
        warnings.push(format!(
            "schema {} does not exist yet: compared as empty (upgrade creates it)",
            c.schema
        ));
    }
    warnings.extend(caution);
    file.autogenerated(&upgrade, &downgrade, &warnings);
    file.locks(&upgrade, &downgrade);
    if let Some(c) = first {
        file.definition_changes(&describe::definition_changes(&upgrade, &c.hints.expressions));
    }
    let mut left_alone = Vec::new();
    for c in &compared {
        left_alone.extend(c.from.unmodelled.iter().cloned());
    }
    left_alone.sort();
    left_alone.dedup();
    file.left_alone(&left_alone);
    let path = ctx.dir.write_revision(&file)?;
    Ok(RevisionOutcome::Written {
        path,
        found: Some(Found {
            changes: upgrade.iter().map(describe::op).collect(),
            warnings,
            unmodelled,
        }),
    })
}

/// Names in `ops` the schema of each key the entities point into a named schema where the
/// comparison, inside that very schema, left it unnamed: one revision runs in every schema,
/// and there the key must still reach the schema the entities name.
fn name_schemas(ops: &mut [Op], c: &Compared) {
    for op in ops {
        for (table, key) in op.foreign_keys_mut() {
            if key.ref_schema.is_none() {
                let declared = c.declared_schemas.get(&(
                    table,
                    key.columns.clone(),
                    key.ref_table.clone(),
                ));
                if declared == Some(&c.schema) {
                    key.ref_schema = declared.cloned();
                }
            }
        }
    }
}

/// The schema the entities name for each foreign key that names one: (table, columns,
/// referenced table) to schema.
type DeclaredSchemas = std::collections::BTreeMap<(String, Vec<String>, String), String>;

/// One schema of the database and the entities, ready to compare.
pub(crate) struct Compared {
    /// The PostgreSQL schema compared (on SQLite, the first schema's name stands for the file).
    pub schema: String,
    /// The schema does not exist yet (read as empty; only where `against_entities` was told
    /// that is allowed).
    pub missing: bool,
    /// The database's schema, without opdb's tables.
    pub from: Schema,
    /// The database's version rows.
    pub versions: Vec<String>,
    /// The entities' schema, less what the settings leave alone.
    pub to: Schema,
    /// The entities' renames, and how expressions compare ([`crate::canonical`]).
    pub hints: Hints,
    /// Why expressions were compared by their text rather than by the server, if so.
    pub caution: Option<String>,
    /// The database's kind.
    pub backend: sea_orm::DbBackend,
    /// How the schema's privileges differ from what `alembic.toml` grants (PostgreSQL, when it
    /// grants any there), described.
    pub privileges: Vec<String>,
    /// The schemas the entities name for their foreign keys (`to` has them unnamed where they
    /// are this schema).
    pub declared_schemas: DeclaredSchemas,
}

/// Reads each schema of `project` ([`Project::schemas`]) while `model` is being read, stops
/// with `at` (given a schema's version rows) before comparing anything, and has the server
/// canonicalize the entities' expressions on the same connection. A PostgreSQL schema that
/// does not exist is an error, or with `missing_is_empty` an empty schema at base (which `at`
/// still judges). With `privileges`, the roles `alembic.toml` grants to must exist, and each
/// schema's privileges are compared with its grants.
pub(crate) async fn against_entities(
    project: &Project<'_>,
    model: Building,
    missing_is_empty: bool,
    privileges: bool,
    at: impl Fn(&[String]) -> Result<()>,
) -> Result<Vec<Compared>> {
    let ctx = &project.ctx;
    let url = project.database_url()?;
    let limit = ctx.dir.config.statement_timeout();
    let db = crate::db::connect_to(&url, limit).await?;
    // Every call is bounded: a server that stops answering ends the command with an error.
    let result = async {
        let backend = db.get_database_backend();
        let mut schemas = project.schemas();
        if backend != sea_orm::DbBackend::Postgres {
            // SQLite has no schemas: they all collapse into the one file.
            schemas.truncate(1);
        }
        let mut read = Vec::new();
        let privileges = privileges && backend == sea_orm::DbBackend::Postgres;
        if privileges {
            runtime::timed(
                limit,
                crate::privileges::check_roles(&db, &ctx.dir.config, &schemas),
            )
            .await?;
        }
        for schema in &schemas {
            let config = ctx.dir.config.for_schema(schema);
            let in_schema = |e: anyhow::Error| match schemas.len() {
                1 => e,
                _ => e.context(format!("schema {schema}")),
            };
            let versions = match runtime::timed(limit, runtime::read_versions(&db, &config)).await {
                Err(e) if missing_is_empty && crate::error::no_schema(&e) => None,
                other => Some(other.map_err(in_schema)?),
            };
            let Some(versions) = versions else {
                // At base, and so where the revisions start: fine only when there are none.
                at(&[]).map_err(in_schema)?;
                read.push((schema.clone(), true, Vec::new(), Schema::default(), Vec::new()));
                continue;
            };
            ctx.graph.check_versions(&versions).map_err(in_schema)?;
            let from = runtime::timed(limit, live::schema_at(ctx, &config, &db, &versions))
                .await
                .map_err(in_schema)?;
            at(&versions).map_err(in_schema)?;
            let granted = match config.grants.get(schema) {
                Some(grants) if privileges => {
                    let read = crate::privileges::read(&db, &config, grants);
                    let (held, wanted) = runtime::timed(limit, read).await?;
                    crate::privileges::describe(&held, &wanted)
                }
                _ => Vec::new(),
            };
            read.push((schema.clone(), false, versions, from, granted));
        }
        let (mut to, hints) = model.get().await?;
        ctx.dir.config.filter().apply(&mut to);
        let declared_schemas: DeclaredSchemas = to
            .tables
            .values()
            .flat_map(|t| {
                t.foreign_keys.iter().filter_map(|k| {
                    let schema = k.ref_schema.clone()?;
                    Some(((t.name.clone(), k.columns.clone(), k.ref_table.clone()), schema))
                })
            })
            .collect();
        let mut compared = Vec::new();
        for (schema, missing, versions, from, privileges) in read {
            let to = to.clone().in_namespace(&schema);
            if backend == sea_orm::DbBackend::Postgres {
                // The scratch schema of the expressions sees what this schema sees.
                let sql = runtime::search_path(&schema, false);
                runtime::timed(limit, db.execute_unprepared(&sql)).await?;
            }
            let (expressions, caution) =
                runtime::timed(limit, crate::canonical::for_pair(&db, &to, &from)).await?;
            let mut hints = hints.clone();
            hints.expressions = expressions;
            compared.push(Compared {
                schema,
                missing,
                from,
                versions,
                to,
                hints,
                caution,
                backend,
                privileges,
                declared_schemas: declared_schemas.clone(),
            });
        }
        Ok(compared)
    }
    .await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), db.close()).await;
    result
}



/// A new revision file on `down`, with a fresh or the given id (not one the graph has) and
/// example bodies.
pub(crate) fn new_file(
    graph: &Graph,
    rev_id: Option<String>,
    message: String,
    down: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
) -> Result<RevisionFile> {
    let file = RevisionFile::new(rev_id, message, down, branch_labels, depends_on)?;
    if graph.get(&file.id).is_some() {
        bail!("revision {} already exists", file.id);
    }
    Ok(file)
}
