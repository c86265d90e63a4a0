//! The opDB's model, as the engine reads it: the `opdb` binary, the tests and the benchmarks all
//! take it from here.

use migration::EntityModel;

/// Every opDB entity, read by the engine (in the entity crate: see `entity::entities`).
pub use entity::entities;

/// The model of each script directory under `alembic/`.
pub const MODELS: &[EntityModel] = &[EntityModel {
    database: "opdb",
    entities,
}];
