//! The errors a program using the engine may want to tell apart (sqlx's `MigrateError` is the
//! model): which revision, file and state each is about, as data. The binary turns them into
//! its one-line messages through `Display`; everything else stays an `anyhow` error with its
//! context. They travel inside `anyhow::Error` (as the error, or as the context of the cause
//! they wrap), so `error.downcast_ref::<MigrateError>()` finds them.

use crate::revision::shown;
use std::fmt;

/// A revision as errors name it: its id and its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrateError {
    /// One head was needed, and there are several.
    MultipleHeads { heads: Vec<Named> },
    /// A revision prefix matches several revisions.
    AmbiguousRevision { prefix: String, matches: Vec<Named> },
    /// No revision has this id, prefix or branch label.
    UnknownRevision { text: String },
    /// The database's version table names a revision the scripts do not have.
    UnknownVersion { id: String },
    /// The revisions' down revisions and dependencies form a cycle (the revisions caught in it).
    Cycle { revisions: Vec<Named> },
    /// `revision --autogenerate` on a database that is not at the head.
    NotAtHead { at: Vec<String>, heads: Vec<String> },
    /// The binary's compiled revisions differ from the files of the script directory.
    StaleBinary { dir: String, problems: Vec<String> },
    /// A command found no schema of this name in the database where it needs one: a command
    /// that only reads (rather than reading a schema that is not there as an empty one), or a
    /// downgrade.
    NoSchema { schema: String },
    /// A revision failed and was rolled back (its cause is the error this one is the context
    /// of); the database stays at `at`.
    RevisionFailed {
        direction: &'static str,
        revision: Named,
        /// What happened: "failed and was rolled back", "could not start", ...
        what: String,
        at: String,
    },
}

fn list(named: &[Named], show: impl Fn(&Named) -> String) -> String {
    named.iter().map(show).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrateError::MultipleHeads { heads } => write!(
                f,
                "multiple head revisions are present ({}); please specify a specific target \
                 revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
                list(heads, |h| format!("{} in {}", h.id, h.path))
            ),
            MigrateError::AmbiguousRevision { prefix, matches } => write!(
                f,
                "revision prefix '{prefix}' is ambiguous: it matches {}",
                list(matches, |m| format!("{} ({})", m.id, m.path))
            ),
            MigrateError::UnknownRevision { text } => {
                write!(f, "can't locate revision identified by '{text}'")
            }
            MigrateError::UnknownVersion { id } => write!(
                f,
                "can't locate revision {id}: the database's version table names a revision that \
                 is not in the scripts (use `stamp --purge` to overwrite it)"
            ),
            MigrateError::Cycle { revisions } => write!(
                f,
                "the revisions form a cycle: {}",
                list(revisions, |r| format!("{} ({})", r.id, r.path))
            ),
            MigrateError::NotAtHead { at, heads } => write!(
                f,
                "Target database is not up to date: it is at {}, the head is {}; run \
                 `{} upgrade head` first",
                shown(at),
                shown(heads),
                crate::tool::name()
            ),
            MigrateError::StaleBinary { dir, problems } => write!(
                f,
                "this {} binary is out of date with {dir}/versions ({}): rebuild it (cargo \
                 build, or cargo run -- ...) and run the command again",
                crate::tool::name(),
                problems.join(", ")
            ),
            MigrateError::NoSchema { schema } => write!(
                f,
                "the database has no schema {schema:?}: check `schema`/`schemas` in \
                 alembic.toml (or --schema), or run `upgrade`, which creates it"
            ),
            MigrateError::RevisionFailed {
                direction,
                revision,
                what,
                at,
            } => write!(
                f,
                "{direction} of revision {} ({}) {what}; the database stays at {at}",
                revision.id, revision.path
            ),
        }
    }
}

impl std::error::Error for MigrateError {}

/// Whether `e` says that a schema does not exist ([`MigrateError::NoSchema`]).
pub fn no_schema(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<MigrateError>(),
            Some(MigrateError::NoSchema { .. })
        )
    })
}

/// The engine's error in `e`, if it holds one.
#[cfg(any(test, feature = "testing"))]
pub fn migrate_error(e: &anyhow::Error) -> Option<&MigrateError> {
    e.chain()
        .find_map(|c| c.downcast_ref::<MigrateError>())
        .or_else(|| e.downcast_ref::<MigrateError>())
}
