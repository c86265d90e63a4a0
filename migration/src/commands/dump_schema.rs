//! `dump-schema`: the entities' reference schema (tests/fixtures/NAME_schema.sql), written by
//! applying them to a scratch PostgreSQL database and reading it back with pg_dump.

use super::{EntityModel, Project};
use anyhow::{Context as _, Result};
use std::path::PathBuf;

/// Writes the reference schema to `file` (default: `tests/fixtures/NAME_schema.sql` in the
/// project folder), using the PostgreSQL server of the project's URL; returns the file.
pub async fn dump_schema(project: &Project<'_>, file: Option<PathBuf>) -> Result<PathBuf> {
    let name = project.name();
    let model = EntityModel::find(project.models, name)?.into_schema();
    let text = crate::dump::reference_schema(&project.database_url()?, &model, name).await?;
    let file = file.unwrap_or_else(|| {
        project
            .root
            .join("tests/fixtures")
            .join(format!("{name}_schema.sql"))
    });
    std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}
