//! `generate-entities`: SeaORM entity modules (and `model.rs`) written from a live database,
//! for a team that has a database and no entities yet ([`crate::generate`]). Also the reading
//! of a database's whole model that `init --from-database` shares.

use crate::config::Config;
use crate::schema::Schema;
use crate::url::{DbUrl, UrlSource};
use anyhow::{bail, Context as _, Result};
use std::path::{Path, PathBuf};

/// `generate-entities`' arguments.
#[derive(Clone, Debug)]
pub struct GenerateArgs {
    /// The folder to write the modules into (created if missing).
    pub out: PathBuf,
    /// Write over files that exist.
    pub force: bool,
}

/// What `generate-entities` wrote, and what the entities cannot say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOutcome {
    pub written: Vec<PathBuf>,
    /// One line per object of the database that neither the entities nor `model.rs` express.
    pub missing: Vec<String>,
}

/// The settings and URL a database is read with: `alembic/<name>` when it exists under
/// `root` (its settings, and its `db.cfg` for the URL), else the defaults and `url` (or
/// `DATABASE_URL`). The embedded SQLite file, which every other command falls back on, is
/// never the database to read: an empty file would give no entities and an empty baseline.
pub fn source(root: &Path, name: &str, url: Option<&str>) -> Result<(Config, DbUrl)> {
    if root.join("alembic").join(name).is_dir() {
        let dir = crate::script::ScriptDir::open(root, name)?;
        let (url, _) = super::database_url(url, &dir)?;
        if url.source == UrlSource::Default {
            bail!(
                "no database to read: give --url, set DATABASE_URL or put the URL on the first \
                 line of {}/db.cfg",
                dir.label()
            );
        }
        return Ok((dir.config, url));
    }
    let url = match url {
        Some(url) => DbUrl::new(url, UrlSource::Option("--url")),
        None => match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => DbUrl::new(url, UrlSource::Env),
            _ => bail!("no database to read: give --url (there is no alembic/{name} with a db.cfg)"),
        },
    };
    Ok((Config::default(), url))
}

/// The model of the database at `url`, in the schemas `schemas` (empty: those of `config`),
/// less opdb's own tables and what `include`/`exclude` leave alone, and the schema it was read
/// as. Several schemas must hold one model (a key from one into another aside, which the
/// model keeps as the key's schema).
pub async fn read(config: &Config, url: &DbUrl, schemas: &[String]) -> Result<(Schema, String)> {
    let schemas = match schemas.is_empty() {
        true => config.schema_list(),
        false => schemas.to_vec(),
    };
    let limit = config.statement_timeout();
    let db = crate::db::connect_to(url, limit).await?;
    let result = async {
        let sqlite = db.get_database_backend() != sea_orm::DbBackend::Postgres;
        let mut read: Vec<(String, Schema)> = Vec::new();
        for schema in schemas.iter().take(if sqlite { 1 } else { schemas.len() }) {
            let config = config.for_schema(schema);
            let found = crate::runtime::timed(limit, crate::live::schema(&db, &config)).await?;
            read.push((schema.clone(), found.schema));
        }
        anyhow::Ok(read)
    }
    .await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), db.close()).await;
    let mut read = result?.into_iter();
    let Some((first, mut model)) = read.next() else {
        bail!("no schema to read: alembic.toml names none");
    };
    let unqualified = |s: &Schema| {
        let mut s = s.clone();
        for t in s.tables.values_mut() {
            t.foreign_keys.iter_mut().for_each(|k| k.ref_schema = None);
        }
        s
    };
    for (name, other) in read {
        if unqualified(&other) != unqualified(&model) {
            bail!(
                "schemas {first} and {name} hold different models, and entities describe one: \
                 see how with `{tool} diff --schema {first} --schema {name}`, or generate \
                 from one of them with --schema",
                tool = crate::tool::name()
            );
        }
        // A key the other schema reads as into a named schema is that in the model too.
        for (table, t) in &other.tables {
            for key in t.foreign_keys.iter().filter(|k| k.ref_schema.is_some()) {
                let mine = model.tables.get_mut(table).into_iter().flat_map(|t| {
                    t.foreign_keys
                        .iter_mut()
                        .filter(|k| k.columns == key.columns && k.ref_table == key.ref_table)
                });
                for k in mine {
                    k.ref_schema = key.ref_schema.clone();
                }
            }
        }
    }
    Ok((model, first))
}

/// Writes the entity modules of the database (see [`source`] and [`read`]) into `args.out`:
/// refuses to write over a file unless `args.force`; every file is written before the
/// outcome lists what the entities cannot say.
pub async fn generate_entities(
    root: &Path,
    name: &str,
    url: Option<&str>,
    schemas: &[String],
    args: GenerateArgs,
) -> Result<GenerateOutcome> {
    let (config, url) = source(root, name, url)?;
    let (model, namespace) = read(&config, &url, schemas).await?;
    let read_from = match schemas.is_empty() {
        true => config.schema_list(),
        false => schemas.to_vec(),
    };
    let generated = crate::generate::generate(&model, &namespace, &read_from);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let paths: Vec<PathBuf> = generated
        .files
        .iter()
        .map(|(file, _)| args.out.join(file))
        .collect();
    if !args.force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            bail!(
                "{} already exist{}: nothing written (--force writes over them)",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" }
            );
        }
    }
    for (path, (_, text)) in paths.iter().zip(&generated.files) {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    // The build script compiles the folder's files in: it runs again on the next build.
    crate::script::touch_build_script(root);
    // A file of an earlier run (a table since dropped or renamed) would stay in the model.
    let mut missing = generated.missing;
    let mut stale: Vec<PathBuf> = std::fs::read_dir(&args.out)
        .with_context(|| format!("reading {}", args.out.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !paths.contains(p))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| migration_build::derives_an_entity(&t))
        })
        .collect();
    stale.sort();
    for path in stale {
        missing.push(format!(
            "{} was not written by this run (the database has no table for it): remove it, \
             or its entity stays in the model",
            path.display()
        ));
    }
    Ok(GenerateOutcome {
        written: paths,
        missing,
    })
}
