//! `restore FILE`: puts back a backup that `upgrade --backup` (or `backup_dir`) wrote, after
//! saying what it replaces and asking (see [`crate::backup`]).

use super::Project;
use crate::backup;
use anyhow::{bail, Result};
use std::path::Path;

/// Whether to go on: `Yes` (`--yes`), or ask with this question (`true`: go on).
pub enum Confirm<'q> {
    Yes,
    Ask(&'q mut dyn FnMut(&str) -> Result<bool>),
}

/// Restores the backup `file` into the project's database, once confirmed; the database's
/// description (password hidden) on success.
pub async fn restore(project: &Project<'_>, file: &Path, confirm: Confirm<'_>) -> Result<String> {
    let url = project.database_url()?;
    let found = backup::contents(&url, file).await?;
    let what = match found.schemas.is_empty() {
        true => "the whole database file".to_string(),
        false => format!(
            "schema{} {} ({} table{} in the backup)",
            if found.schemas.len() == 1 { "" } else { "s" },
            found.schemas.join(", "),
            found.tables.len(),
            if found.tables.len() == 1 { "" } else { "s" }
        ),
    };
    let dropped = match found.extra.is_empty() {
        true => String::new(),
        false => format!(
            ", dropping {} it does not hold ({})",
            if found.extra.len() == 1 { "a table" } else { "tables" },
            found
                .extra
                .iter()
                .map(|(s, t)| format!("{s}.{t}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if let Confirm::Ask(ask) = confirm {
        let question = format!(
            "Restore {} into {url}? This replaces {what} with the backup's{dropped}. \
             [y/N] ",
            file.display()
        );
        if !ask(&question)? {
            bail!("not restored: the answer was not yes");
        }
    }
    backup::restore(&url, file, &found).await?;
    Ok(format!("{what} of {url}{dropped}"))
}
