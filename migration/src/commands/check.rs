//! `check` and `diff`: what separates the database from the entities, and the ops (or SQL)
//! that turn any schema (a database or the entities) into another.

use super::revision::{against_entities, Compared};
use super::{EntityModel, Project};
use crate::autogenerate::{self, describe, Hints};
use crate::canonical::Expressions;
use crate::live;
use crate::revision::shown;
use crate::schema::Schema;
use crate::script::ScriptDir;
use crate::sqlite_stored;
use crate::url::{DbUrl, UrlSource};
use anyhow::{Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend};

/// What `check` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// Each schema not at the head: where it is and where the head is.
    pub not_at_head: Vec<String>,
    /// Each difference between the database and the entities, described, and each privilege
    /// that differs from what `alembic.toml` grants.
    pub differences: Vec<String>,
    /// Each object of the database the model cannot express, and so did not compare.
    pub unmodelled: Vec<String>,
    /// Why expressions were compared by their text rather than by the server, if so.
    pub caution: Option<String>,
}

impl CheckOutcome {
    /// Every finding, the version lines first: empty when the database matches the entities.
    pub fn lines(&self) -> Vec<String> {
        self.not_at_head
            .iter()
            .chain(&self.differences)
            .chain(&self.unmodelled)
            .cloned()
            .collect()
    }
}

/// Where the schema version the database recorded last (its history table's latest row that
/// has one) and the version the entities declare differ in their major version: one line each
/// (naming the schema when there are several). Nothing recorded, or nothing declared, is no
/// disagreement.
pub fn version_mismatches(
    project: &Project<'_>,
    recorded: &[(&str, Option<&str>)],
) -> Result<Vec<String>> {
    use crate::schema_version::SchemaVersion;
    let Some(declared) = EntityModel::version(project.models, project.name())? else {
        return Ok(Vec::new());
    };
    let model = SchemaVersion::parse(&declared)?;
    let several = recorded.len() > 1;
    let mut found = Vec::new();
    for (schema, version) in recorded {
        let Some(version) = version else { continue };
        let Ok(at) = SchemaVersion::parse(version) else {
            continue;
        };
        if at.major != model.major {
            found.push(format!(
                "{}the database is at schema version {at}, the model at {model}: their major \
                 versions differ (upgrade the database, or run a binary of its version)",
                match several {
                    true => format!("schema {schema}: "),
                    false => String::new(),
                }
            ));
        }
    }
    Ok(found)
}

/// Compares each schema of the database ([`Project::schemas`]) with the entities; with several
/// schemas, each finding names its schema.
pub async fn check(project: &Project<'_>) -> Result<CheckOutcome> {
    let ctx = &project.ctx;
    let model = EntityModel::start(project.models, project.name())?;
    let compared = against_entities(project, model, false, true, |_| Ok(())).await?;
    let several = compared.len() > 1;
    let mut outcome = CheckOutcome {
        not_at_head: Vec::new(),
        differences: Vec::new(),
        unmodelled: Vec::new(),
        caution: None,
    };
    for Compared {
        schema,
        mut from,
        versions,
        mut to,
        hints,
        caution,
        backend,
        privileges,
        ..
    } in compared
    {
        let prefix = match several {
            true => format!("schema {schema}: "),
            false => String::new(),
        };
        // A SQLite database matches the entities when it holds what SQLite can hold of them:
        // what it cannot (comments, enum types, PostgreSQL's byte-order collations) cannot
        // differ there, and a table no revision made has no revision to say what it was.
        if backend == DbBackend::Sqlite {
            from = sqlite_stored::stored_by_sqlite(&from);
            to = sqlite_stored::stored_by_sqlite(&to);
        }
        let ops = autogenerate::diff(&from, &to, &hints);
        outcome
            .differences
            .extend(ops.iter().map(|op| format!("{prefix}{}", describe::op(op))));
        outcome.differences.extend(
            describe::definition_changes(&ops, &hints.expressions)
                .into_iter()
                .map(|d| format!("{prefix}{d}")),
        );
        outcome
            .differences
            .extend(privileges.iter().map(|p| format!("{prefix}{p}")));
        outcome.unmodelled.extend(
            from.unmodelled
                .iter()
                .map(|o| format!("{prefix}{}", o.warning())),
        );
        if !ctx.graph.at_head(&versions) {
            outcome.not_at_head.push(format!(
                "{}the database is at {}, not at the head {}",
                prefix,
                shown(&versions),
                shown(&ctx.graph.heads())
            ));
        }
        outcome.caution = outcome.caution.or(caution);
    }
    Ok(outcome)
}

/// One side of a `diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffSide {
    /// The entities (`model` on the command line).
    Entities,
    /// The database at this URL.
    Database(String),
}

impl DiffSide {
    /// `model` is the entities, anything else a database URL.
    pub fn parse(text: &str) -> DiffSide {
        match text {
            "model" => DiffSide::Entities,
            url => DiffSide::Database(url.to_string()),
        }
    }
}

/// What `diff` found, and what it could not compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    pub outcome: DiffOutcome,
    /// Objects of either database the model cannot express, as warnings.
    pub unmodelled: Vec<String>,
    /// Why expressions were compared by their text rather than by the server, if so.
    pub caution: Option<String>,
    /// How each changed view, function and trigger definition reads before and after, as
    /// unified diffs ([`describe::definition_changes`]).
    pub definitions: Vec<String>,
}

/// The ops or the script of a `diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// The ops as revision code lines (none: no differences).
    Ops(Vec<String>),
    /// With `sql`, the script for FROM's backend.
    Script(String),
}

/// The ops (with `sql` the SQL script for FROM's backend) that turn `from` into `to`, in each
/// schema of [`Project::diff_schemas`], grouped by schema.
pub async fn diff(
    project: &Project<'_>,
    from: &DiffSide,
    to: &DiffSide,
    sql: bool,
) -> Result<Diff> {
    let dir = project.ctx.dir;
    let mut schemas = project.diff_schemas();
    // The entities are read while both databases are read, each on its own connection, at once.
    let model = match *from == DiffSide::Entities || *to == DiffSide::Entities {
        true => Some(EntityModel::start(project.models, project.name())?),
        false => None,
    };
    let sqlite = [from, to].iter().any(|side| match side {
        DiffSide::Database(url) => url.starts_with("sqlite:"),
        DiffSide::Entities => false,
    });
    if sqlite {
        // SQLite has no schemas: they all collapse into the one file.
        schemas.truncate(1);
    }
    // Boxed: two readings side by side make a large future, which would otherwise sit on the
    // caller's stack.
    let (a, b) = Box::pin(async {
        tokio::join!(
            source(from, "--from", dir, &schemas),
            source(to, "--to", dir, &schemas)
        )
    })
    .await;
    let (a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            // The first error, once the other side's connection is closed.
            let mut first = None;
            for read in [a, b] {
                match read {
                    Ok(Some(read)) => {
                        read.db.close().await.ok();
                    }
                    Ok(None) => {}
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            return Err(first.unwrap_or_else(|| anyhow::anyhow!("reading the databases failed")));
        }
    };
    let result = async {
        let (model, renames) = match model {
            Some(building) => {
                let (mut schema, hints) = building.get().await?;
                dir.config.filter().apply(&mut schema);
                (Some(schema), hints)
            }
            None => (None, Hints::default()),
        };
        let several = schemas.len() > 1;
        let headed = schemas != ["public"] && !sqlite;
        let mut whole = Diff {
            outcome: match sql {
                true => DiffOutcome::Script(String::new()),
                false => DiffOutcome::Ops(Vec::new()),
            },
            unmodelled: Vec::new(),
            caution: None,
            definitions: Vec::new(),
        };
        let limit = dir.config.statement_timeout();
        for (n, schema) in schemas.iter().enumerate() {
            let (a_side, b_side) = (side(&a, n), side(&b, n));
            let dbs = (a_side.as_ref().map(|s| s.2), b_side.as_ref().map(|s| s.2));
            for db in [dbs.0, dbs.1].into_iter().flatten() {
                if db.get_database_backend() == DbBackend::Postgres {
                    // The scratch schema of the expressions sees what this schema sees.
                    let sql = crate::runtime::search_path(schema, false);
                    crate::runtime::timed(limit, db.execute_unprepared(&sql)).await?;
                }
            }
            let model = model.clone().map(|m| m.in_namespace(schema));
            let one = diff_read(
                from,
                to,
                model,
                renames.clone(),
                a_side.map(|s| (s.0, s.1)),
                b_side.map(|s| (s.0, s.1)),
                dbs,
                sql,
            )
            .await
            .map_err(|e| match several {
                true => e.context(format!("schema {schema}")),
                false => e,
            })?;
            let prefix = match several {
                true => format!("schema {schema}: "),
                false => String::new(),
            };
            whole
                .unmodelled
                .extend(one.unmodelled.iter().map(|u| format!("{prefix}{u}")));
            whole.caution = whole.caution.or(one.caution);
            whole
                .definitions
                .extend(one.definitions.iter().map(|d| format!("{prefix}{d}")));
            // Both are scripts, or both ops: `sql` chose for both.
            match (&mut whole.outcome, one.outcome) {
                (DiffOutcome::Script(all), DiffOutcome::Script(part)) => {
                    if headed {
                        all.push_str(&format!(
                            "-- Schema {}\n{};\n\n",
                            crate::revision_file::doc_text(schema),
                            crate::runtime::search_path(schema, false)
                        ));
                    }
                    all.push_str(&part);
                }
                (DiffOutcome::Ops(all), DiffOutcome::Ops(part)) => {
                    if headed && !part.is_empty() {
                        all.push(format!(
                            "// schema {}",
                            crate::revision_file::doc_text(schema)
                        ));
                    }
                    all.extend(part);
                }
                (_, other) => whole.outcome = other,
            }
        }
        for (flag, read) in [("--from", &a), ("--to", &b)] {
            for (other, tables) in read.iter().flat_map(|r| &r.others) {
                whole.unmodelled.push(format!(
                    "{flag}: schema {other} ({tables} relation{}) is not compared: `diff \
                     --schema {other}` compares it",
                    if *tables == 1 { "" } else { "s" }
                ));
            }
        }
        Ok(whole)
    }
    .await;
    for read in [a, b].into_iter().flatten() {
        read.db.close().await.ok();
    }
    result
}

/// The rest of [`diff`], once both sides are read: `a` and `b` the databases' schemas and
/// kinds (`None` for the entities), `dbs` their connections, still open.
#[allow(clippy::too_many_arguments)]
async fn diff_read(
    from: &DiffSide,
    to: &DiffSide,
    model: Option<Schema>,
    renames: Hints,
    a: Option<(Schema, DbBackend)>,
    b: Option<(Schema, DbBackend)>,
    dbs: (Option<&sea_orm::DatabaseConnection>, Option<&sea_orm::DatabaseConnection>),
    sql: bool,
) -> Result<Diff> {
    let mut hints = match (from, to) {
        (DiffSide::Entities, DiffSide::Entities) => Hints::default(),
        (_, DiffSide::Entities) => renames,
        (DiffSide::Entities, _) => renames.reversed(),
        _ => Hints::default(),
    };
    let side = |found: Option<(Schema, DbBackend)>| match found {
        Some((schema, backend)) => (schema, Some(backend)),
        None => (model.clone().unwrap_or_default(), None),
    };
    let (mut a_schema, backend_a) = side(a);
    let (mut b_schema, backend_b) = side(b);
    if backend_a == Some(DbBackend::Sqlite) || backend_b == Some(DbBackend::Sqlite) {
        a_schema = sqlite_stored::stored_by_sqlite(&a_schema);
        b_schema = sqlite_stored::stored_by_sqlite(&b_schema);
    }
    // Expressions: the server writes both sides, the entities' and another database's alike
    // (PostgreSQL does not always store its own text of an expression as it was); SQLite
    // keeps what it was given; across kinds only an approximate key is left.
    let mut caution = None;
    hints.expressions = match (backend_a, backend_b, dbs) {
        (Some(kind), Some(other), (Some(db), _)) if kind == other => {
            let found = crate::canonical::for_pair(db, &a_schema, &b_schema).await?;
            caution = found.1;
            found.0
        }
        (Some(_), Some(_), _) => {
            caution = Some(
                "the databases are of two kinds: checks, defaults and index predicates were \
                 compared by their text, and a difference in grouping may go unseen"
                    .to_string(),
            );
            Expressions::Approximate
        }
        (Some(_), None, (Some(db), _)) => {
            let found = crate::canonical::for_pair(db, &b_schema, &a_schema).await?;
            caution = found.1;
            found.0
        }
        (None, Some(_), (_, Some(db))) => {
            let found = crate::canonical::for_pair(db, &a_schema, &b_schema).await?;
            caution = found.1;
            found.0
        }
        _ => Expressions::exact(),
    };
    let (a, b) = (a_schema, b_schema);
    let ops = autogenerate::diff(&a, &b, &hints);
    let outcome = if sql {
        let backend = backend_a.or(backend_b).unwrap_or(DbBackend::Postgres);
        DiffOutcome::Script(crate::ddl::script(backend, &a, &ops)?)
    } else {
        DiffOutcome::Ops(autogenerate::render::lines(&ops))
    };
    let side = |flag: &str, schema: &Schema| -> Vec<String> {
        schema
            .unmodelled
            .iter()
            .map(|o| format!("{flag}: {}", o.warning()))
            .collect()
    };
    let mut unmodelled = side("--from", &a);
    unmodelled.extend(side("--to", &b));
    Ok(Diff {
        outcome,
        unmodelled,
        caution,
        definitions: describe::definition_changes(&ops, &hints.expressions),
    })
}

/// Schema `n` of a side read from a database, with its kind and connection; `None` for the
/// entities.
fn side(read: &Option<Read>, n: usize) -> Option<(Schema, DbBackend, &sea_orm::DatabaseConnection)> {
    read.as_ref()
        .and_then(|r| Some((r.schemas.get(n)?.clone(), r.backend, &r.db)))
}

/// A `diff` side read from a database.
struct Read {
    /// Each schema compared, in order.
    schemas: Vec<Schema>,
    backend: DbBackend,
    /// The connection, still open for the server to canonicalize expressions.
    db: sea_orm::DatabaseConnection,
    /// Other schemas of the database that hold relations, with how many: not compared, and
    /// said so.
    others: Vec<(String, i64)>,
}

/// A `diff` side read from a database, each of `schemas`; `None` for the entities.
async fn source(
    side: &DiffSide,
    flag: &'static str,
    dir: &ScriptDir,
    schemas: &[String],
) -> Result<Option<Read>> {
    let DiffSide::Database(src) = side else {
        return Ok(None);
    };
    let url = DbUrl::new(src, UrlSource::Option(flag));
    let backend = url.backend()?;
    let db = crate::db::connect_to(&url, dir.config.statement_timeout()).await?;
    let read = async {
        let mut found = Vec::new();
        for schema in schemas {
            let read = live::schema(&db, &dir.config.for_schema(schema)).await;
            found.push(read.with_context(|| format!("{flag} {}", url))?.schema);
        }
        let others = match backend {
            DbBackend::Postgres => other_schemas(&db, schemas).await?,
            _ => Vec::new(),
        };
        anyhow::Ok((found, others))
    }
    .await;
    match read {
        Ok((schemas, others)) => Ok(Some(Read {
            schemas,
            backend,
            db,
            others,
        })),
        Err(e) => {
            db.close().await.ok();
            Err(e)
        }
    }
}

/// The schemas of a PostgreSQL database, other than `compared` and the server's own, that
/// hold tables, views, sequences or other relations, with how many: one scan of `pg_class`.
async fn other_schemas(
    db: &sea_orm::DatabaseConnection,
    compared: &[String],
) -> Result<Vec<(String, i64)>> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT relnamespace::regnamespace::text AS schema, count(*) AS relations \
             FROM pg_class WHERE relkind IN ('r', 'p', 'v', 'm', 'f', 'S') \
             GROUP BY relnamespace ORDER BY 1",
        ))
        .await
        .context("listing the database's schemas")?;
    let mut others = Vec::new();
    for row in rows {
        let quoted: String = row.try_get("", "schema")?;
        let name = crate::introspect::unquote(&quoted);
        let own = name == "information_schema" || name.starts_with("pg_");
        if !own && !compared.contains(&name) {
            others.push((name, row.try_get::<i64>("", "relations")?));
        }
    }
    Ok(others)
}
