//! Compiles the opDB's revisions in (every `alembic/<name>/versions/*.rs`, no hand
//! registration; `trash/` is never compiled): see `migration_build::revisions`.

fn main() {
    migration_build::revisions();
}
