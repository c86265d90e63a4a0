//! The opdb engine: a plain schema model, readers that fill it from SeaORM entities and from
//! live databases, and (as it grows) the diff, ops, rendering, revision graph and runner.
//!
//! Nothing here knows about the opDB: point it at any entity crate.

pub mod compare;
pub mod db;
pub mod entities;
pub mod introspect;
pub mod schema;
