//! Compiles every entity file of `src/` in: a new file is part of the model with no list
//! edited (see `migration_build::entities`).

fn main() {
    migration_build::entities("src");
}
