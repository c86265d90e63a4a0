//! `opdb`: the opDB's schema tool. The engine is the `migration` crate; this binary adds the
//! opDB's entities (the model) and the revisions under `alembic/*/versions/`, compiled in by
//! `build.rs`.

use migration::cli::Model;
use migration::entities::EntitySet;
use std::path::Path;
use std::process::ExitCode;

include!(concat!(env!("OUT_DIR"), "/revisions.rs"));

/// Every opDB entity, read by the engine.
fn opdb_entities() -> EntitySet {
    let mut set = EntitySet::new();
    macro_rules! add {
        ($m:ident) => {
            set.add(entity::$m::Entity);
        };
    }
    entity::for_each_entity!(add);
    set
}

/// The model of each script directory.
const MODELS: &[Model] = &[Model {
    database: "opdb",
    entities: opdb_entities,
}];

#[tokio::main]
async fn main() -> ExitCode {
    migration::cli::main(
        compiled_scripts(),
        MODELS,
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
    .await
}
