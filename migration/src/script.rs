//! Script directories (`alembic/<name>/`) and the revisions compiled into the binary.
//!
//! A script directory holds `alembic.toml` (settings, [`crate::config`]), `versions/*.rs`
//! (revisions, compiled in by the binary's build script; their text is
//! [`crate::revision_file`]), `trash/` (revisions taken out of the chain: never compiled or run)
//! and `db.cfg` (the connection URL on its first line; git-ignored).

use crate::config::{Config, CONFIG_TEMPLATE};
use crate::ops::Ops;
use crate::revision::{Graph, Revision};
use crate::revision_file::{Header, RevisionFile};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One revision file as compiled into the binary. Build it with [`compiled_revision!`].
#[derive(Clone)]
pub struct CompiledRevision {
    pub file: &'static str,
    pub source_hash: u64,
    pub id: &'static str,
    pub down: &'static [&'static str],
    pub branch_labels: &'static [&'static str],
    pub depends_on: &'static [&'static str],
    pub message: String,
    pub create_date: String,
    /// The header's `Schema Version:`, if it has one.
    pub schema_version: Option<String>,
    pub upgrade: fn(&mut Ops),
    pub downgrade: fn(&mut Ops),
}

impl std::fmt::Debug for CompiledRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.id, self.file)
    }
}

/// The revisions of one script directory, as compiled.
#[derive(Clone, Debug)]
pub struct CompiledScripts {
    pub database: &'static str,
    pub revisions: Vec<CompiledRevision>,
    /// Its `alembic.toml` as it was built, for a binary that runs where its source tree is
    /// not ([`ScriptDir::compiled`]); `None` when it had none.
    pub settings: Option<&'static str>,
}

/// Builds a [`CompiledRevision`] from a revision module and its source text:
/// `compiled_revision!("1a2b_init.rs", include_str!("..."), rev_module)`.
#[macro_export]
macro_rules! compiled_revision {
    ($file:expr, $source:expr, $module:ident) => {
        $crate::CompiledRevision::new(
            $file,
            $source,
            $module::REVISION,
            $module::DOWN_REVISION,
            $module::BRANCH_LABELS,
            $module::DEPENDS_ON,
            $module::upgrade,
            $module::downgrade,
        )
    };
}

impl CompiledRevision {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        file: &'static str,
        source: &str,
        id: &'static str,
        down: &'static [&'static str],
        branch_labels: &'static [&'static str],
        depends_on: &'static [&'static str],
        upgrade: fn(&mut Ops),
        downgrade: fn(&mut Ops),
    ) -> Self {
        let header = Header::parse(source);
        CompiledRevision {
            file,
            source_hash: source_hash(source.as_bytes()),
            id,
            down,
            branch_labels,
            depends_on,
            message: header.message,
            create_date: header.create_date,
            schema_version: header.schema_version,
            upgrade,
            downgrade,
        }
    }

    pub fn revision(&self, dir: &str) -> Revision {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Revision {
            id: self.id.to_string(),
            down: strings(self.down),
            branch_labels: strings(self.branch_labels),
            depends_on: strings(self.depends_on),
            message: self.message.clone(),
            create_date: self.create_date.clone(),
            schema_version: self.schema_version.clone(),
            path: format!("{dir}/versions/{}", self.file),
        }
    }
}

/// `alembic.toml`'s text as settings, checked; `path` names it in errors.
fn settings(text: &str, path: &str) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{path}: {}",
            e.to_string().lines().collect::<Vec<_>>().join(" ")
        )
    })?;
    config.check().map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    Ok(config)
}

/// FNV-1a: a stable hash, the same in every build, to notice edited revision files.
pub fn source_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// Marks the crate's build script at `root` changed, so that cargo runs it on the next build and
/// it compiles in what was just written (a new script directory, new entity files); a crate
/// without one is left alone.
pub(crate) fn touch_build_script(root: &Path) {
    if let Ok(build) = std::fs::File::options()
        .append(true)
        .open(root.join("build.rs"))
    {
        let _ = build.set_modified(std::time::SystemTime::now());
    }
}

/// One `alembic/<name>/` folder.
#[derive(Clone, Debug)]
pub struct ScriptDir {
    pub name: String,
    /// `alembic/<name>`; for a script directory compiled in, the folder its `db.cfg` is in.
    pub dir: PathBuf,
    pub config: Config,
    /// Compiled into the binary, its source tree not here ([`ScriptDir::compiled`]).
    pub detached: bool,
}

impl ScriptDir {
    /// Opens `root/alembic/<name>`.
    pub fn open(root: &Path, name: &str) -> Result<ScriptDir> {
        let dir = root.join("alembic").join(name);
        if !dir.is_dir() {
            bail!(
                "no script directory {}: create it with `{} init {name}`",
                dir.display(),
                crate::tool::name()
            );
        }
        let config_path = dir.join("alembic.toml");
        let config = match std::fs::read_to_string(&config_path) {
            Ok(text) => settings(&text, &config_path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", config_path.display())),
        };
        Ok(ScriptDir {
            name: name.to_string(),
            dir,
            config,
            detached: false,
        })
    }

    /// The script directory `name` as compiled into this binary, for a binary copied where
    /// its source tree is not (the summit machine): its settings as built, its `db.cfg` in
    /// `base`, its revisions the binary's own. Nothing on disk to check them against, and no
    /// revision can be written.
    pub fn compiled(base: &Path, name: &str, built: Option<&str>) -> Result<ScriptDir> {
        let config = match built {
            Some(text) => settings(text, &format!("alembic/{name}/alembic.toml (compiled in)"))?,
            None => Config::default(),
        };
        Ok(ScriptDir {
            name: name.to_string(),
            dir: base.to_path_buf(),
            config,
            detached: true,
        })
    }

    /// Creates `root/alembic/<name>` with its settings, `versions/` and `trash/`.
    pub fn init(root: &Path, name: &str) -> Result<ScriptDir> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("database name '{name}' must be letters, digits and underscores");
        }
        let dir = root.join("alembic").join(name);
        if dir.exists() {
            bail!("{} already exists", dir.display());
        }
        for sub in ["versions", "trash"] {
            std::fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("creating {}", dir.join(sub).display()))?;
            std::fs::write(dir.join(sub).join(".gitkeep"), "")?;
        }
        // The settings name the tool as the team's binary calls itself (`lab_history`, "lab settings").
        std::fs::write(
            dir.join("alembic.toml"),
            CONFIG_TEMPLATE
                .replace("opdb", crate::tool::name())
                .replace("OPDB_TEST_DATABASE", &crate::test_database::variable()),
        )?;
        touch_build_script(root);
        Self::open(root, name)
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.dir.join("versions")
    }

    /// `alembic/<name>`, as shown in messages.
    pub fn label(&self) -> String {
        format!("alembic/{}", self.name)
    }

    /// Every `versions/*.rs` with the hash of its content.
    pub fn files_on_disk(&self) -> Result<BTreeMap<String, u64>> {
        if self.detached {
            return Ok(BTreeMap::new());
        }
        let mut files = BTreeMap::new();
        let dir = self.versions_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                let bytes =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files.insert(name, source_hash(&bytes));
            }
        }
        Ok(files)
    }

    /// Fails unless the binary holds exactly the revision files on disk, unchanged.
    pub fn check_fresh(&self, compiled: &[CompiledRevision]) -> Result<()> {
        // Without its source tree the binary's revisions are the only ones there are.
        if self.detached {
            return Ok(());
        }
        let disk = self.files_on_disk()?;
        let built: BTreeMap<&str, u64> = compiled.iter().map(|r| (r.file, r.source_hash)).collect();
        let mut problems = Vec::new();
        for (file, hash) in &disk {
            match built.get(file.as_str()) {
                None => problems.push(format!("{file} is new on disk")),
                Some(h) if h != hash => problems.push(format!("{file} changed on disk")),
                Some(_) => {}
            }
        }
        for file in built.keys() {
            if !disk.contains_key(*file) {
                problems.push(format!("{file} is no longer on disk"));
            }
        }
        if !problems.is_empty() {
            return Err(crate::error::MigrateError::StaleBinary {
                dir: self.label(),
                problems,
            }
            .into());
        }
        Ok(())
    }

    /// The revision graph of the compiled revisions.
    pub fn graph(&self, compiled: &[CompiledRevision]) -> Result<Graph> {
        Graph::new(compiled.iter().map(|r| r.revision(&self.label())).collect())
            .with_context(|| format!("in {}", self.label()))
    }

    /// The connection URL from `db.cfg`: its first line that is not blank or a `#` comment.
    pub fn db_cfg_url(&self) -> Result<Option<String>> {
        let path = self.dir.join("db.cfg");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let line = text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with('#'));
                match line {
                    Some(url) => Ok(Some(url.to_string())),
                    None => bail!("{}: no connection URL on its first line", path.display()),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// The embedded default: `alembic/<name>/<name>.sqlite`.
    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.join(format!("{}.sqlite", self.name))
    }

    /// Writes a new revision file and returns its path.
    pub fn write_revision(&self, file: &RevisionFile) -> Result<PathBuf> {
        if self.detached {
            bail!(
                "{} is compiled into this binary and its source tree is not here: write \
                 revisions where the source tree is, and build the binary again",
                self.label()
            );
        }
        self.config
            .check()
            .with_context(|| format!("in {}/alembic.toml", self.label()))?;
        let path = self
            .versions_dir()
            .join(file.file_name(&self.config.file_template));
        if path.exists() {
            bail!("{} already exists", path.display());
        }
        std::fs::create_dir_all(self.versions_dir())?;
        std::fs::write(&path, file.render())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}
