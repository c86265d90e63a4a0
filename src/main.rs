//! `opdb`: the opDB's schema tool. The engine is the `migration` crate; this binary adds the
//! opDB's entities (the `entity` crate) and the revisions under `alembic/*/versions/`,
//! compiled in by `build.rs`.

migration::main!(entity::entities);
