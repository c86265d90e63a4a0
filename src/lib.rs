//! The opDB's model, as the engine reads it: the `opdb` binary, the tests and the benchmarks all
//! take it from here.

use migration::EntityModel;
use migration::EntitySet;

/// Every opDB entity, read by the engine.
pub fn entities() -> EntitySet {
    let mut set = EntitySet::new();
    macro_rules! add {
        ($m:ident) => {
            set.add(entity::$m::Entity);
        };
    }
    entity::for_each_entity!(add);
    set
}

/// The model of each script directory under `alembic/`.
pub const MODELS: &[EntityModel] = &[EntityModel {
    database: "opdb",
    entities,
}];
