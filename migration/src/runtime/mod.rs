//! Running revisions (alembic's `runtime/migration.py`): the version and history tables, the
//! lock, one transaction per revision, and offline `--sql` scripts.
//!
//! Each revision runs in a transaction of its own with its version update and history row, and
//! commits before the next begins, on both backends: a failing (or killed) revision is rolled
//! back whole and the database stays at the revision before it, with every earlier revision of
//! the run kept. Concurrent runs wait for each other for `lock_wait` seconds: a session advisory
//! lock on PostgreSQL; on SQLite an exclusive lock on the file `<database>-lock` beside it
//! (released by the operating system if the process dies), with each revision a `BEGIN
//! IMMEDIATE` transaction. Every call to the database is bounded by `statement_timeout`.
//!
//! In parts: [`context`] (the script directory, its revisions and graph), [`versions`] (the
//! version and history tables), [`lock`], [`online`] (the run against a database), [`batch`]
//! (a PostgreSQL revision in one message) and [`offline`] (`--sql` scripts).

mod batch;
mod context;
mod lock;
mod offline;
mod online;
mod phased;
mod versions;

pub use context::Context;
pub use offline::{offline_script, offline_stamp};
pub use online::{migrate, stamp, SchemaVersions};
pub(crate) use lock::sqlite_lock_path;
pub use online::connect_runner;
pub(crate) use online::{search_path, short, timed};
pub use versions::{read_history, read_versions, HistoryRow};
pub(crate) use versions::interrupted;
pub use versions::Interrupted;

/// How a run plans each revision on PostgreSQL: the plain plan (one transaction per revision,
/// cut only around `CONCURRENTLY` steps) or the online plan ([`crate::lock_plan`]), and
/// whether an online run may go ahead with steps that have no online form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunMode {
    pub online: bool,
    pub allow_blocking: bool,
}

/// Which way a run goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}
