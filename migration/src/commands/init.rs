//! `init`: a new script directory `alembic/NAME` (settings, versions/, trash/).

use crate::script::ScriptDir;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// What `init` made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitOutcome {
    /// The new `root/alembic/NAME`.
    pub dir: PathBuf,
}

/// Creates `root/alembic/<name>`.
pub fn init(root: &Path, name: &str) -> Result<InitOutcome> {
    let dir = ScriptDir::init(root, name)?;
    Ok(InitOutcome { dir: dir.dir })
}
