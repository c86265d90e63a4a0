//! The opDB's model, as the engine reads it: the `opdb` binary, the tests and the benchmarks all
//! take it from here.

/// Every opDB entity, read by the engine (in the entity crate: see `entity::entities`).
pub use entity::entities;
