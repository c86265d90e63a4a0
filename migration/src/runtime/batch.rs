//! One revision in one round trip (PostgreSQL): its transaction, its statements, its version
//! update and history row, sent as one simple-query message.
//!
//! Sent one by one, the opDB's first revision costs 423 round trips. PostgreSQL's simple-query
//! protocol takes many statements in one message, runs them in order and answers each with its
//! own completion, stopping at the first error; inside the explicit `BEGIN` that error leaves
//! the transaction aborted, and opdb rolls it back. Counting the completions tells which
//! statement failed, so the error names its step and statement exactly as when they were sent
//! one at a time. A revision qualifies when every step renders to statements opdb wrote itself:
//! a data migration (Rust code between statements) or raw `op.execute` SQL (which may hold
//! several statements, and so break the count) keeps the one-by-one path.

use super::online::{short, timed};
use crate::ddl;
use crate::ops::{step_ops, steps_label, Op, Ops, Step};
use crate::schema::Schema;
use anyhow::anyhow;
use anyhow::Result;
use futures_util::StreamExt;
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use std::time::Duration;

/// Where a statement of the batch comes from, to say what failed.
#[derive(Clone, Debug)]
pub enum Origin {
    Begin,
    /// Steps of the revision, as a message names them (`step 3`, `steps 3-5`).
    Steps(String),
    /// The version table update (its name).
    Version(String),
    /// The history row (the table's name).
    History(String),
    Commit,
}

/// A statement and where it comes from.
pub type Statement = (String, Origin);

/// The statements of `ops` with their step numbers, or `None` when the revision must run one
/// statement at a time (a data migration, or raw SQL).
pub fn statements(ops: &Ops, backend: DbBackend) -> Result<Option<Vec<Statement>>> {
    let empty = Schema::default();
    let mut out = Vec::new();
    for run in ops.runs() {
        let label = steps_label(&run);
        let steps = &ops.steps[run];
        if steps
            .iter()
            .any(|s| match s {
                Step::Op(op) => matches!(**op, Op::Execute { .. }),
                Step::Data(_) => true,
            })
        {
            return Ok(None);
        }
        let run = step_ops(steps);
        let sqls = ddl::render_run(backend, &run, &empty)
            .map_err(|e| anyhow!("{label}: {run:?}: {e:#}"))?;
        out.extend(
            sqls.into_iter()
                .map(|sql| (sql, Origin::Steps(label.clone()))),
        );
    }
    Ok(Some(out))
}

/// Why a batch failed: at `BEGIN`, in the revision (its step and statement), in the version or
/// history bookkeeping, or at `COMMIT`.
#[derive(Debug)]
pub enum Failure {
    Begin(anyhow::Error),
    Revision(anyhow::Error),
    Commit(anyhow::Error),
}

/// Runs `statements` in one transaction and one message on `db`'s connection; on an error,
/// rolls back and says which statement failed, as the one-by-one runner words it. `limit`
/// bounds the wait for each statement's answer.
pub async fn run(
    db: &DatabaseConnection,
    statements: &[Statement],
    limit: Option<Duration>,
) -> std::result::Result<(), Failure> {
    let mut all: Vec<Statement> = Vec::with_capacity(statements.len() + 2);
    all.push(("BEGIN".into(), Origin::Begin));
    all.extend(statements.iter().cloned());
    all.push(("COMMIT".into(), Origin::Commit));
    let text = all
        .iter()
        .map(|(sql, _)| sql.as_str())
        .collect::<Vec<_>>()
        .join(";\n");
    let pool = db.get_postgres_connection_pool();
    let mut conn = timed(limit, async { pool.acquire().await.map_err(exec_error) })
        .await
        .map_err(|e| Failure::Begin(e.context("taking the connection")))?;
    let mut done = 0;
    let failed = {
        let mut answers = sqlx::raw_sql(AssertSqlSafe(text)).execute_many(&mut *conn);
        loop {
            let answer = async { answers.next().await.transpose().map_err(exec_error) };
            match timed(limit, answer).await {
                Ok(Some(_)) => done += 1,
                Ok(None) if done == all.len() => break None,
                Ok(None) => {
                    break Some(anyhow!(
                        "the server answered {done} of {} statements",
                        all.len()
                    ))
                }
                Err(e) => break Some(e),
            }
        }
    };
    let Some(error) = failed else {
        return Ok(());
    };
    // The failed statement aborted the transaction (or, at COMMIT, ended it): roll back, without
    // waiting long for a server that may have stopped answering.
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        sqlx::raw_sql(AssertSqlSafe("ROLLBACK")).execute(&mut *conn),
    )
    .await;
    let (sql, origin) = &all[done.min(all.len() - 1)];
    Err(match origin {
        Origin::Begin => Failure::Begin(error),
        Origin::Steps(label) => {
            Failure::Revision(anyhow!("{label}: statement `{}`: {error:#}", short(sql)))
        }
        Origin::Version(table) => {
            Failure::Revision(error.context(format!("updating the version table {table}")))
        }
        Origin::History(table) => Failure::Revision(
            error.context(format!("recording the step in the history table {table}")),
        ),
        Origin::Commit => Failure::Commit(error),
    })
}

/// A driver error as SeaORM words it, so messages read as on the one-by-one path.
fn exec_error(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}
