//! The opdb engine: a plain schema model, readers that fill it from SeaORM entities and from
//! live databases, ops and their SQL per backend, the revision graph, the runner and the CLI.
//!
//! Nothing here knows about the opDB: point it at any entity crate and script directory.

pub mod apply;
pub mod autogenerate;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod db;
pub mod ddl;
pub mod diagram;
pub mod dump;
pub mod entities;
pub mod error;
pub mod introspect;
pub mod live;
pub mod naming;
pub mod normalize;
pub mod ops;
pub mod revision;
pub mod revision_file;
pub mod runtime;
pub mod schema;
pub mod script;
pub mod socket;
pub mod sqlite_stored;
pub mod toposort;
pub mod url;

/// What revision files import: `use migration::prelude::*;`.
pub mod prelude {
    pub use crate::ops::{ColumnChange, Ops};
    pub use crate::schema::{Column, ColumnType, FkAction, ForeignKey, Index, Sequence, Table};
    pub use sea_orm::{ConnectionTrait, DbErr};
}
