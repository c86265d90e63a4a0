//! `opdb`: the opDB's schema tool. The engine is the `migration` crate; this binary adds the
//! opDB's model (`src/lib.rs`) and the revisions under `alembic/*/versions/`, compiled in by
//! `build.rs`.

use std::path::Path;
use std::process::ExitCode;

include!(concat!(env!("OUT_DIR"), "/revisions.rs"));

fn main() -> ExitCode {
    migration::start(
        compiled_scripts(),
        opdb::MODELS,
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
}
