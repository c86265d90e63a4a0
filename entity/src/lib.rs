//! The opDB (Subaru PFS operational database) as SeaORM 2.0 entities.
//!
//! These modules are the single source of truth of the schema: `opdb revision --autogenerate`
//! diffs them against the live database, and the tests check them against
//! `tests/fixtures/opdb_schema.sql`. See the crate README for the conventions.
//!
//! Every file of this folder is a module, and its entity part of [`entities`], found by the
//! build script (`migration_build::entities`): a new entity file needs no list edited. The
//! entities are read here, with the entities, rather than in the binary: the binary is
//! compiled again for every new revision, and reading 61 entities is most of what it would
//! compile again (BENCHMARKS.md, "A new revision's rebuild").
//!
//! [`for_each_entity!`] calls a macro once for every entity module:
//!
//! ```
//! let mut names = Vec::new();
//! macro_rules! push {
//!     ($m:ident) => {
//!         names.push(sea_orm::EntityName::table_name(&entity::$m::Entity));
//!     };
//! }
//! entity::for_each_entity!(push);
//! assert_eq!(names.len(), entity::entities().entities.len());
//! ```

migration::entities!();
