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
use anyhow::Result;
use sea_orm::DbBackend;

/// What `check` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// When the database is not at the head: where it is and where the head is.
    pub not_at_head: Option<String>,
    /// Each difference between the database and the entities, described.
    pub differences: Vec<String>,
    /// Each object of the database the model cannot express, and so did not compare.
    pub unmodelled: Vec<String>,
    /// Why expressions were compared by their text rather than by the server, if so.
    pub caution: Option<String>,
}

impl CheckOutcome {
    /// Every finding, the version line first: empty when the database matches the entities.
    pub fn lines(&self) -> Vec<String> {
        self.not_at_head
            .iter()
            .chain(&self.differences)
            .chain(&self.unmodelled)
            .cloned()
            .collect()
    }
}

/// Compares the database with the entities.
pub async fn check(project: &Project<'_>) -> Result<CheckOutcome> {
    let ctx = &project.ctx;
    let model = EntityModel::start(project.models, project.name())?;
    let Compared {
        mut from,
        versions,
        mut to,
        hints,
        caution,
        backend,
    } = against_entities(project, model, |_| Ok(())).await?;
    // A SQLite database matches the entities when it holds what SQLite can hold of them: what
    // it cannot (comments, enum types, PostgreSQL's byte-order collations) cannot differ there,
    // and a table no revision made has no revision to say what it was.
    if backend == DbBackend::Sqlite {
        from = sqlite_stored::stored_by_sqlite(&from);
        to = sqlite_stored::stored_by_sqlite(&to);
    }
    let differences = autogenerate::diff(&from, &to, &hints)
        .iter()
        .map(describe::op)
        .collect();
    let unmodelled = from.unmodelled.iter().map(|o| o.warning()).collect();
    let not_at_head = (!ctx.graph.at_head(&versions)).then(|| {
        format!(
            "the database is at {}, not at the head {}",
            shown(&versions),
            shown(&ctx.graph.heads())
        )
    });
    Ok(CheckOutcome {
        not_at_head,
        differences,
        unmodelled,
        caution,
    })
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
}

/// The ops or the script of a `diff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// The ops as revision code lines (none: no differences).
    Ops(Vec<String>),
    /// With `sql`, the script for FROM's backend.
    Script(String),
}

/// The ops (with `sql` the SQL script for FROM's backend) that turn `from` into `to`.
pub async fn diff(
    project: &Project<'_>,
    from: &DiffSide,
    to: &DiffSide,
    sql: bool,
) -> Result<Diff> {
    let dir = project.ctx.dir;
    // The entities are read while both databases are read, each on its own connection, at once.
    let model = match *from == DiffSide::Entities || *to == DiffSide::Entities {
        true => Some(EntityModel::start(project.models, project.name())?),
        false => None,
    };
    // Boxed: two readings side by side make a large future, which would otherwise sit on the
    // caller's stack.
    let (a, b) =
        Box::pin(async { tokio::join!(source(from, "--from", dir), source(to, "--to", dir)) })
            .await;
    // The schemas move on; the connections stay open for the server to canonicalize.
    let split = |read: Option<Read>| match read {
        Some((schema, backend, db)) => (Some((schema, backend)), Some(db)),
        None => (None, None),
    };
    let ((a, db_a), (b, db_b)) = (split(a?), split(b?));
    let dbs = (db_a.as_ref(), db_b.as_ref());
    let result = diff_read(dir, from, to, model, a, b, dbs, sql).await;
    for db in [db_a, db_b].into_iter().flatten() {
        db.close().await.ok();
    }
    result
}

/// The rest of [`diff`], once both sides are read: `a` and `b` the databases' schemas and
/// kinds (`None` for the entities), `dbs` their connections, still open.
#[allow(clippy::too_many_arguments)]
async fn diff_read(
    dir: &ScriptDir,
    from: &DiffSide,
    to: &DiffSide,
    model: Option<super::Building>,
    a: Option<(Schema, DbBackend)>,
    b: Option<(Schema, DbBackend)>,
    dbs: (Option<&sea_orm::DatabaseConnection>, Option<&sea_orm::DatabaseConnection>),
    sql: bool,
) -> Result<Diff> {
    let (model, renames) = match model {
        Some(building) => {
            let (mut schema, hints) = building.get().await?;
            dir.config.filter().apply(&mut schema);
            (Some(schema), hints)
        }
        None => (None, Hints::default()),
    };
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
    })
}

/// A `diff` side read from a database: its schema, its backend, and the connection, still open.
type Read = (Schema, DbBackend, sea_orm::DatabaseConnection);

/// A `diff` side read from a database; `None` for the entities.
async fn source(side: &DiffSide, flag: &'static str, dir: &ScriptDir) -> Result<Option<Read>> {
    let DiffSide::Database(src) = side else {
        return Ok(None);
    };
    let url = DbUrl::new(src, UrlSource::Option(flag));
    let backend = url.backend()?;
    let db = crate::db::connect_to(&url, dir.config.statement_timeout()).await?;
    match live::schema(&db, &dir.config).await {
        Ok(found) => Ok(Some((found.schema, backend, db))),
        Err(e) => {
            db.close().await.ok();
            Err(e)
        }
    }
}
