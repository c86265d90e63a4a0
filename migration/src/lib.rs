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
    backup,
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
    hazards,
    interrupt,
    introspect,
    live,
    load,
    lock_plan,
    naming,
    normalize,
    objects,
    fixtures,
    ops,
    pg_tools,
    privileges,
    revision,
    revision_file,
    runtime,
    schema,
    schema_version,
    scratch,
    script,
    socket,
    sqlite_stored,
    test_database,
    tool,
    toposort,
    url,
    wipe,
);

/// What a team's binary uses: its revisions and entities, compiled in by its build script
/// (`migration_build::build()`), and the command line that runs them ([`main!`], or
/// [`start`]). The rest is for the code the build script generates.
pub use cli::start;
pub use entities::{foreign_key_schema, EntitySet};
#[doc(hidden)]
pub use script::{CompiledRevision, CompiledScripts};

/// The whole `main.rs` of a team's binary: `migration::main!();` runs the command line with
/// the revisions of `alembic/*/versions/` and the entities of `src/entity/`, both compiled in
/// by `migration_build::build()` in its `build.rs`. With the entities in a crate of their own,
/// name the function that reads them: `migration::main!(entity::entities);`. The binary's name
/// is the tool's name in its help and messages.
#[macro_export]
macro_rules! main {
    () => {
        /// The entities of `src/entity/`, found by `migration_build::build()`.
        #[allow(dead_code)]
        pub mod entity {
            include!(concat!(env!("OUT_DIR"), "/migration_entities.rs"));
        }
        $crate::main!(entity::entities);
    };
    ($entities:path) => {
        include!(concat!(env!("OUT_DIR"), "/migration_revisions.rs"));

        fn main() -> ::std::process::ExitCode {
            $crate::start(
                env!("CARGO_BIN_NAME"),
                compiled_scripts(),
                $entities,
                ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
            )
        }
    };
}

/// The entity modules of a folder and `entities()`, which reads them all into one set, as
/// `migration_build::entities(folder)` found them in the crate's `build.rs`: the body of an
/// entity crate's `lib.rs` (or of the module that holds the folder).
#[macro_export]
macro_rules! entities {
    () => {
        include!(concat!(env!("OUT_DIR"), "/migration_entities.rs"));
    };
}

/// What revision files import: `use migration::prelude::*;`.
pub mod prelude {
    pub use crate::ops::{ColumnChange, Ops};
    pub use crate::schema::{
        Column, ColumnType, FkAction, ForeignKey, Function, Identity, Index, Sequence, Table,
        Trigger, UniqueConstraint, View,
    };
    pub use sea_orm::{ConnectionTrait, DbErr};
}
