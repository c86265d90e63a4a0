//! `diagram`: draw the schema, of the entities or of a database, into SVG diagrams, Graphviz
//! and Mermaid sources and a Markdown reference.

use super::{EntityModel, Project};
use crate::live;
use crate::url::{DbUrl, UrlSource};
use anyhow::{bail, Context as _, Result};
use std::path::PathBuf;

/// Draws the entities, or with the project's `--url` that database, into `folder` (default:
/// `diagrams/` in the project folder); returns the files written, in order.
pub async fn diagram(project: &Project<'_>, folder: Option<PathBuf>) -> Result<Vec<PathBuf>> {
    let dir = project.ctx.dir;
    let schema = match project.url.as_deref() {
        Some(url) => {
            let schema = match project.schemas().as_slice() {
                [one] => one.clone(),
                several => bail!(
                    "diagram draws one schema of a database, and alembic.toml has {}: choose one \
                     with --schema",
                    several.join(", ")
                ),
            };
            let url = DbUrl::new(url, UrlSource::Option("--url"));
            let limit = dir.config.statement_timeout();
            let db = crate::db::connect_to(&url, limit).await?;
            let config = dir.config.for_schema(&schema);
            let found = crate::runtime::timed(limit, live::schema(&db, &config)).await;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), db.close()).await;
            found?.schema
        }
        None => EntityModel::find(project.models, project.name())?.into_schema(),
    };
    let folder = folder.unwrap_or_else(|| project.root.join("diagrams"));
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let mut written = Vec::new();
    for (file, content) in crate::diagram::render_all(&schema, project.name()) {
        let path = folder.join(&file);
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
