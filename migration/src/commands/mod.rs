//! The commands, one function per command as in alembic's `command.py`: each takes typed
//! arguments, does the work and returns a typed outcome. `cli.rs` only parses the arguments,
//! calls one of these and prints what it returns; the tests call them directly.
//!
//! Here: the resolved project a command works on ([`Project`]), the entities each script
//! directory is compared with ([`EntityModel`]), and what several families share.

pub mod check;
pub mod diagram;
pub mod dump_schema;
pub mod generate_entities;
pub mod init;
pub mod inspect;
pub mod merge;
pub mod migrate;
pub mod refresh;
pub mod rehearse;
pub mod restore;
pub mod reset;
pub mod revision;
pub mod stamp;

use crate::autogenerate::Hints;
use crate::entities::EntitySet;
use crate::runtime::Context;
use crate::schema::Schema;
use crate::script::{CompiledRevision, CompiledScripts, ScriptDir};
use crate::url::{DbUrl, UrlSource};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

/// The entities that describe one script directory's database (what `--from model` and
/// `check` compare with).
#[derive(Clone, Copy)]
pub struct EntityModel {
    /// The script directory's name (`alembic/<database>`).
    pub database: &'static str,
    pub entities: fn() -> EntitySet,
}

impl EntityModel {
    /// The entities of `name`'s script directory.
    pub(crate) fn find(models: &[EntityModel], name: &str) -> Result<EntitySet> {
        let set = (Self::lookup(models, name)?.entities)();
        set.supported()?;
        Ok(set)
    }

    /// The schema version the entities of `name` declare.
    pub(crate) fn version(models: &[EntityModel], name: &str) -> Result<Option<String>> {
        Ok(Self::find(models, name)?.declared_version().map(str::to_string))
    }

    /// Starts reading the entities of `name` into their schema and rename hints on a
    /// blocking thread, so that a database can be read meanwhile.
    pub(crate) fn start(models: &[EntityModel], name: &str) -> Result<Building> {
        let entities = Self::lookup(models, name)?.entities;
        Ok(Building(tokio::task::spawn_blocking(move || {
            let set = entities();
            set.supported()?;
            let hints = set.hints();
            Ok((set.into_schema(), hints))
        })))
    }

    fn lookup<'a>(models: &'a [EntityModel], name: &str) -> Result<&'a EntityModel> {
        match models.iter().find(|m| m.database == name) {
            Some(m) => Ok(m),
            None => {
                let known: Vec<&str> = models.iter().map(|m| m.database).collect();
                bail!(
                    "this binary has no model for alembic/{name} (it has: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            }
        }
    }
}

/// Entities being read (see [`EntityModel::start`]).
pub(crate) struct Building(tokio::task::JoinHandle<Result<(Schema, Hints)>>);

impl Building {
    /// The entities' schema and rename hints.
    pub(crate) async fn get(self) -> Result<(Schema, Hints)> {
        self.0
            .await
            .map_err(|e| anyhow::anyhow!("reading the entities failed: {e}"))?
    }
}

/// What every command but `init` works on: the project folder, one script directory with its
/// compiled revisions and their graph, the entities, and the `--url` given, if any.
pub struct Project<'a> {
    /// The folder holding `alembic/`.
    pub root: PathBuf,
    /// The script directory, its compiled revisions and their graph.
    pub ctx: Context<'a>,
    /// The entities of every script directory this binary knows.
    pub models: &'a [EntityModel],
    /// The database URL given on the command line, before DATABASE_URL and db.cfg.
    pub url: Option<String>,
    /// The schemas chosen on the command line (`--schema`), if any: else every schema of
    /// `alembic.toml`.
    pub chosen_schemas: Vec<String>,
}

impl<'a> Project<'a> {
    /// The project over `dir` with the revisions of `scripts` compiled for it; fails when the
    /// binary is out of date with the files on disk.
    pub fn new(
        root: &Path,
        dir: &'a ScriptDir,
        scripts: &'a [CompiledScripts],
        models: &'a [EntityModel],
        url: Option<String>,
    ) -> Result<Project<'a>> {
        let compiled: &[CompiledRevision] = scripts
            .iter()
            .find(|s| s.database == dir.name)
            .map(|s| s.revisions.as_slice())
            .unwrap_or(&[]);
        Ok(Project {
            root: root.to_path_buf(),
            ctx: Context::new(dir, compiled)?,
            models,
            url,
            chosen_schemas: Vec::new(),
        })
    }

    /// The same project working on the database at `url` instead (a scratch copy).
    pub fn at_url(&self, url: String) -> Result<Project<'a>> {
        Ok(Project {
            root: self.root.clone(),
            ctx: Context::new(self.ctx.dir, self.ctx.compiled)?,
            models: self.models,
            url: Some(url),
            chosen_schemas: self.chosen_schemas.clone(),
        })
    }

    /// Works on `names` only (`--schema`), each one of `alembic.toml`'s schemas.
    pub fn choose_schemas(&mut self, names: &[String]) -> Result<()> {
        let configured = self.ctx.dir.config.schema_list();
        for name in names {
            if !configured.contains(name) {
                bail!(
                    "--schema {name}: {} manages schema{} {} only (schema/schemas in \
                     alembic.toml)",
                    self.ctx.dir.label(),
                    if configured.len() == 1 { "" } else { "s" },
                    configured.join(", ")
                );
            }
        }
        self.chosen_schemas = names.to_vec();
        Ok(())
    }

    /// The schemas `diff` compares: those named with `--schema` (any schema of the databases
    /// compared), else `alembic.toml`'s.
    pub fn diff_schemas(&self) -> Vec<String> {
        match self.chosen_schemas.is_empty() {
            true => self.ctx.dir.config.schema_list(),
            false => self.chosen_schemas.clone(),
        }
    }

    /// The schemas a command works on, in `alembic.toml`'s order: those chosen with
    /// `--schema`, else all of them.
    pub fn schemas(&self) -> Vec<String> {
        self.ctx
            .dir
            .config
            .schema_list()
            .into_iter()
            .filter(|s| self.chosen_schemas.is_empty() || self.chosen_schemas.contains(s))
            .collect()
    }

    /// The script directory's name (`alembic/<name>`).
    pub fn name(&self) -> &str {
        &self.ctx.dir.name
    }

    /// The database URL ([`database_url`]); the notice about the SQLite default goes to
    /// standard error.
    pub fn database_url(&self) -> Result<DbUrl> {
        let (url, notice) = database_url(self.url.as_deref(), self.ctx.dir)?;
        if let Some(notice) = notice {
            eprintln!("{notice}");
        }
        Ok(url)
    }
}

/// How a migration command ended: with `--sql`, the script; else the version table as read
/// back afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Script(String),
    At(Vec<String>),
    /// A run over several schemas: where each one now is.
    AtEach(Vec<(String, Vec<String>)>),
}

impl RunOutcome {
    /// Where a run left its schemas: one schema's versions alone, several with their names.
    pub(crate) fn at(mut versions: crate::runtime::SchemaVersions) -> RunOutcome {
        match versions.len() {
            1 => RunOutcome::At(versions.remove(0).1),
            _ => RunOutcome::AtEach(versions),
        }
    }
}

/// The database URL, where it came from and, when it is the SQLite default, a notice saying so.
pub fn database_url(cli_url: Option<&str>, dir: &ScriptDir) -> Result<(DbUrl, Option<String>)> {
    if let Some(url) = cli_url {
        return Ok((DbUrl::new(url, UrlSource::Option("--url")), None));
    }
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.is_empty() {
            return Ok((DbUrl::new(url, UrlSource::Env), None));
        }
    }
    if let Some(url) = dir.db_cfg_url()? {
        let cfg = match dir.detached {
            true => dir.dir.join("db.cfg"),
            false => PathBuf::from(dir.label()).join("db.cfg"),
        };
        return Ok((DbUrl::new(url, UrlSource::DbCfg(cfg)), None));
    }
    if dir.detached {
        bail!(
            "no database URL: this binary runs without its source tree (alembic/{} is compiled \
             in); give --url, set DATABASE_URL, or put the URL on the first line of {}",
            dir.name,
            dir.dir.join("db.cfg").display()
        );
    }
    let path = dir.sqlite_path();
    let notice = format!(
        "Using the embedded SQLite database {} (no --url, DATABASE_URL or {}/db.cfg)",
        path.display(),
        dir.label()
    );
    Ok((
        DbUrl::new(
            format!("sqlite://{}?mode=rwc", path.display()),
            UrlSource::Default,
        ),
        Some(notice),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// --url, then DATABASE_URL, then db.cfg, then the SQLite default (with a notice).
    #[test]
    fn the_url_comes_from_the_first_place_that_has_one() {
        let root = std::env::temp_dir().join(format!("opdb-url-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = ScriptDir::init(&root, "x").unwrap();
        std::env::remove_var("DATABASE_URL");
        let (url, notice) = database_url(None, &dir).unwrap();
        let url = url.url;
        assert!(url.starts_with("sqlite://") && url.ends_with("alembic/x/x.sqlite?mode=rwc"));
        assert!(notice.unwrap().contains("embedded SQLite"));
        std::fs::write(dir.dir.join("db.cfg"), "# staging\npostgres://cfg@h/db\n").unwrap();
        let (url, notice) = database_url(None, &dir).unwrap();
        assert_eq!(url.url, "postgres://cfg@h/db");
        assert_eq!(url.source, UrlSource::DbCfg("alembic/x/db.cfg".into()));
        assert!(notice.is_none());
        std::env::set_var("DATABASE_URL", "postgres://env@h/db");
        assert_eq!(
            database_url(None, &dir).unwrap().0,
            DbUrl::new("postgres://env@h/db", UrlSource::Env)
        );
        assert_eq!(
            database_url(Some("sqlite::memory:"), &dir).unwrap().0,
            DbUrl::new("sqlite::memory:", UrlSource::Option("--url"))
        );
        std::env::remove_var("DATABASE_URL");
        std::fs::write(dir.dir.join("db.cfg"), "\n# nothing\n").unwrap();
        assert!(database_url(None, &dir)
            .unwrap_err()
            .to_string()
            .contains("db.cfg"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
