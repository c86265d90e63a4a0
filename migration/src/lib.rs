//! The opdb engine: a plain schema model, readers that fill it from SeaORM entities and from
//! live databases, ops and their SQL per backend, the revision graph, the runner and the CLI.
//!
//! Nothing here knows about the opDB: point it at any entity crate and script directory.
//!
//! The API is small: the [`prelude`] revision files import, and what a binary needs (its
//! compiled revisions, its entities, [`main`]). Everything else is private to the crate.

/// The engine's modules: private to the crate, so that the API is what this file exports; the
/// `testing` feature opens them to the engine's own integration tests.
macro_rules! modules {
    ($($module:ident),* $(,)?) => {
        $(
            #[cfg(feature = "testing")]
            #[doc(hidden)]
            pub mod $module;
            #[cfg(not(feature = "testing"))]
            mod $module;
        )*
    };
}

/// Test support, built only for the engine's integration tests.
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod compare;

modules!(
    apply,
    autogenerate,
    canonical,
    casts,
    cli,
    commands,
    config,
    db,
    ddl,
    definitions,
    diagram,
    dump,
    entities,
    error,
    generate,
    introspect,
    live,
    naming,
    normalize,
    objects,
    ops,
    privileges,
    revision,
    revision_file,
    runtime,
    schema,
    script,
    socket,
    sqlite_stored,
    toposort,
    url,
);

/// What a team's binary uses: its revisions, compiled in by its build script
/// ([`compiled_revision!`]), its entities, and the command line that runs them.
pub use cli::{main, start};
pub use commands::EntityModel;
pub use entities::{foreign_key_schema, EntitySet};
pub use script::{CompiledRevision, CompiledScripts};

/// What revision files import: `use migration::prelude::*;`.
pub mod prelude {
    pub use crate::ops::{ColumnChange, Ops};
    pub use crate::schema::{
        Column, ColumnType, FkAction, ForeignKey, Function, Identity, Index, Sequence, Table,
        Trigger, UniqueConstraint, View,
    };
    pub use sea_orm::{ConnectionTrait, DbErr};
}
