//! The `opdb` command line: alembic's commands and names, over the compiled-in revisions.

use crate::autogenerate::{self, describe, Hints};
use crate::entities::EntitySet;
use crate::live;
use crate::normalize;
use crate::ops::Op;
use crate::revision::{shown, Graph, Revision};
use crate::runtime::{self, Context, Direction};
use crate::schema::Schema;
use crate::script::{CompiledRevision, CompiledScripts, RevisionFile, ScriptDir};
use crate::url::{scrub, DbUrl, UrlSource};
use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand};
use sea_orm::DbBackend;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Keeps a database schema in code (SeaORM entities) and in step with the live database, the
/// way alembic does: revisions under alembic/NAME/versions, applied heads in alembic_version.
#[derive(Debug, Parser)]
#[command(name = "opdb", version, long_about = None)]
#[command(
    after_help = "Database URL, first found: --url, DATABASE_URL, the first line of \
alembic/NAME/db.cfg; with none of them, the embedded SQLite file alembic/NAME/NAME.sqlite."
)]
pub struct Cli {
    /// The database to work on: the script directory alembic/NAME
    #[arg(short = 'n', long, global = true, default_value = "opdb")]
    pub name: String,
    /// Database URL (postgres://user@host/db or sqlite:path); overrides DATABASE_URL and db.cfg
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Project folder holding alembic/ [default: the current folder if it has alembic/, else
    /// the source tree this binary was built from]
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a script directory alembic/NAME (settings, versions/, trash/)
    Init {
        /// Name of the database's folder
        name: String,
    },
    /// Create a new revision file on top of the current head: empty, or with --autogenerate
    /// the changes that bring the database to the model
    Revision {
        /// What the revision does; becomes the file's first line and its name
        #[arg(short, long)]
        message: String,
        /// Fill the revision with what the database (which must be at head) lacks against the
        /// model, and a downgrade that undoes it
        #[arg(long)]
        autogenerate: bool,
        /// With --autogenerate, write the revision even when there is nothing to do
        #[arg(long, requires = "autogenerate")]
        allow_empty: bool,
        /// Revision to build on [default: the single head]; with several heads, name one
        #[arg(long)]
        head: Option<String>,
        /// Allow --head to name a revision that is not a head (starts a new branch)
        #[arg(long)]
        splice: bool,
        /// Branch label for the new revision (repeatable)
        #[arg(long = "branch-label")]
        branch_label: Vec<String>,
        /// Revision the new one depends on besides its parent (repeatable)
        #[arg(long = "depends-on")]
        depends_on: Vec<String>,
        /// Use this id (12 hex digits) instead of a random one
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
    },
    /// Upgrade the database to TARGET (head, heads, an id or prefix, +N, REV+N, label@head)
    Upgrade {
        /// Where to go; with --sql, START:END or END (from base)
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Print the SQL script instead of running it
        #[arg(long)]
        sql: bool,
    },
    /// Downgrade the database to TARGET (base, an id or prefix, -N, REV-N)
    Downgrade {
        /// Where to go; with --sql, START:END
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Print the SQL script instead of running it
        #[arg(long)]
        sql: bool,
    },
    /// Show the database's current revision(s)
    Current {
        /// Show each revision's details
        #[arg(short, long)]
        verbose: bool,
    },
    /// List revisions, newest first
    History {
        /// Range START:END of revisions to list (either side may be empty)
        #[arg(short = 'r', long = "rev-range")]
        rev_range: Option<String>,
        /// Show each revision's details
        #[arg(short, long)]
        verbose: bool,
        /// List the steps applied to the database (the history table) instead
        #[arg(long)]
        applied: bool,
    },
    /// Show the head revisions
    Heads {
        /// Show each revision's details
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show the revisions where history branches
    Branches {
        /// Show each revision's details
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show one revision
    Show {
        /// Revision id, prefix, label, head
        rev: String,
    },
    /// Set the version table to REV without running any migration
    Stamp {
        /// Revision(s) to stamp (head, heads, base, ids)
        #[arg(required = true)]
        revisions: Vec<String>,
        /// Empty the version table first, even of revisions the scripts don't know
        #[arg(long)]
        purge: bool,
        /// Print the SQL instead of running it
        #[arg(long)]
        sql: bool,
    },
    /// Compare the database with the model: exit 0 when they match, else list the differences
    /// and exit 1
    Check,
    /// Print the ops (or with --sql the SQL script) that turn one schema into another
    Diff {
        /// The schema to start from: a database URL, or `model` for the entities
        #[arg(long)]
        from: String,
        /// The schema to reach: a database URL, or `model` for the entities
        #[arg(long)]
        to: String,
        /// Print the SQL script for FROM's backend instead of the ops
        #[arg(long)]
        sql: bool,
    },
    /// Draw the schema into diagrams/: SVG diagrams (every column, and key columns only),
    /// Graphviz and Mermaid sources and a Markdown reference; from the model, or with --url
    /// from that database
    Diagram {
        /// Folder to write into [default: diagrams/ in the project folder]
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the model's reference schema (tests/fixtures/NAME_schema.sql): the entities applied
    /// to a scratch database on the PostgreSQL server of --url, read back by pg_dump; the
    /// model-consistency tests compare the entities with it
    DumpSchema {
        /// File to write [default: tests/fixtures/NAME_schema.sql in the project folder]
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Create a revision that merges two or more revisions (usually heads)
    Merge {
        /// Revisions to merge; `heads` means all of them
        #[arg(required = true)]
        revisions: Vec<String>,
        /// What the merge is for
        #[arg(short, long)]
        message: String,
        /// Branch label for the merge revision (repeatable)
        #[arg(long = "branch-label")]
        branch_label: Vec<String>,
        /// Use this id (12 hex digits) instead of a random one
        #[arg(long = "rev-id")]
        rev_id: Option<String>,
    },
}

/// Parses the process arguments, runs, and turns any error into one line and exit code 1.
pub async fn main(
    scripts: Vec<CompiledScripts>,
    models: &[Model],
    default_root: &Path,
) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Some(url) = &cli.url {
        crate::url::register(url);
    }
    let mut stdout = Scrubbed::new(std::io::stdout());
    let result = run(cli, &scripts, models, default_root, &mut stdout).await;
    stdout.flush().ok();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", scrub(&one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// Standard output with every password the command has seen hidden ([`scrub`]). Whole lines
/// are scrubbed, since `writeln!` writes a line in pieces and a password could straddle two.
struct Scrubbed<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> Scrubbed<W> {
    fn new(out: W) -> Self {
        Scrubbed {
            out,
            line: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.line[..upto]).into_owned();
        self.line.drain(..upto);
        self.out.write_all(scrub(&text).as_bytes())
    }
}

impl<W: Write> Write for Scrubbed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        if let Some(end) = self.line.iter().rposition(|&b| b == b'\n') {
            self.emit(end + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.emit(self.line.len())?;
        self.out.flush()
    }
}

/// The model of one script directory: the entities that describe its database.
#[derive(Clone, Copy)]
pub struct Model {
    /// The script directory's name (`alembic/<database>`).
    pub database: &'static str,
    pub entities: fn() -> EntitySet,
}

impl Model {
    fn find(models: &[Model], name: &str) -> Result<EntitySet> {
        Ok((Self::lookup(models, name)?.entities)())
    }

    /// Starts reading the entities of `name`'s model into its schema and rename hints on a
    /// blocking thread, so that a database can be read meanwhile.
    fn start(models: &[Model], name: &str) -> Result<Building> {
        let entities = Self::lookup(models, name)?.entities;
        Ok(Building(tokio::task::spawn_blocking(move || {
            let set = entities();
            (set.schema(), set.hints())
        })))
    }

    fn lookup<'a>(models: &'a [Model], name: &str) -> Result<&'a Model> {
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

/// A model being read from its entities (see [`Model::start`]).
struct Building(tokio::task::JoinHandle<(Schema, Hints)>);

impl Building {
    /// The model's schema and rename hints.
    async fn get(self) -> Result<(Schema, Hints)> {
        self.0
            .await
            .map_err(|e| anyhow::anyhow!("reading the entities failed: {e}"))
    }
}

/// An error and its causes on one line.
pub fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where alembic/ is: `--root`, else the current folder if it has one, else `default_root`.
fn project_root(cli_root: Option<&Path>, default_root: &Path) -> PathBuf {
    if let Some(root) = cli_root {
        return root.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) if cwd.join("alembic").is_dir() => cwd,
        _ => default_root.to_path_buf(),
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
        let cfg = PathBuf::from(dir.label()).join("db.cfg");
        return Ok((DbUrl::new(url, UrlSource::DbCfg(cfg)), None));
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

/// Runs one parsed command, writing its output to `out`.
pub async fn run(
    cli: Cli,
    scripts: &[CompiledScripts],
    models: &[Model],
    default_root: &Path,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let root = project_root(cli.root.as_deref(), default_root);
    if let Command::Init { name } = &cli.command {
        let dir = ScriptDir::init(&root, name)?;
        writeln!(
            out,
            "Created {} (alembic.toml, versions/, trash/)",
            dir.dir.display()
        )?;
        writeln!(
            out,
            "Put the connection URL on the first line of {}/db.cfg (git-ignored), or use --url",
            dir.dir.display()
        )?;
        return Ok(());
    }
    let dir = ScriptDir::open(&root, &cli.name)?;
    let compiled: &[CompiledRevision] = scripts
        .iter()
        .find(|s| s.database == cli.name)
        .map(|s| s.revisions.as_slice())
        .unwrap_or(&[]);
    let ctx = Context::new(&dir, compiled)?;
    let url = || -> Result<DbUrl> {
        let (url, notice) = database_url(cli.url.as_deref(), &dir)?;
        if let Some(notice) = notice {
            eprintln!("{notice}");
        }
        Ok(url)
    };

    match cli.command {
        Command::Init { .. } => unreachable!("handled above"),
        Command::Revision {
            message,
            autogenerate,
            allow_empty,
            head,
            splice,
            branch_label,
            depends_on,
            rev_id,
        } => {
            let down = match head.as_deref() {
                None if ctx.graph.is_empty() => Vec::new(),
                None => ctx.graph.single_head()?,
                Some("base") => Vec::new(),
                Some(h) => {
                    let ids = ctx.graph.resolve(h, &[])?;
                    let heads = ctx.graph.heads();
                    if let Some(not_head) = ids.iter().find(|id| !heads.contains(id)) {
                        if !splice {
                            bail!(
                                "revision {not_head} is not a head revision; use --splice to \
                                 start a new branch from it"
                            );
                        }
                    }
                    ids
                }
            };
            let depends_on = depends_on
                .iter()
                .map(|d| ctx.graph.resolve_one(d))
                .collect::<Result<Vec<_>>>()?;
            let mut file = new_file(&ctx.graph, rev_id, message, down, branch_label, depends_on)?;
            if autogenerate {
                let model = Model::start(models, &cli.name)?;
                let (from, versions) = database_at(&ctx, &url()?).await?;
                if !ctx.graph.at_head(&versions) {
                    bail!(
                        "Target database is not up to date: it is at {}, the head is {}; run \
                         `opdb upgrade head` first",
                        shown(&versions),
                        shown(&ctx.graph.heads())
                    );
                }
                let (to, hints) = model.get().await?;
                let (upgrade, downgrade) = autogenerate::revision_ops(&from, &to, &hints)?;
                if upgrade.is_empty() && !allow_empty {
                    writeln!(
                        out,
                        "No changes in schema detected: no revision written (--allow-empty \
                         writes one anyway)"
                    )?;
                    return Ok(());
                }
                let warnings = describe::warnings(&from, &upgrade);
                fill(&mut file, &upgrade, &downgrade, &warnings);
                write_file(&dir, &file, out)?;
                summarize(&upgrade, &warnings, out)?;
            } else {
                write_file(&dir, &file, out)?;
            }
        }
        Command::Check => {
            let model = Model::start(models, &cli.name)?;
            let (from, versions) = database_at(&ctx, &url()?).await?;
            let (to, hints) = model.get().await?;
            let mut lines: Vec<String> = autogenerate::diff(&from, &to, &hints)
                .iter()
                .map(describe::op)
                .collect();
            if !ctx.graph.at_head(&versions) {
                lines.insert(
                    0,
                    format!(
                        "the database is at {}, not at the head {}",
                        shown(&versions),
                        shown(&ctx.graph.heads())
                    ),
                );
            }
            if lines.is_empty() {
                writeln!(
                    out,
                    "No new upgrade operations detected: the database matches the model"
                )?;
            } else {
                for line in &lines {
                    writeln!(out, "- {line}")?;
                }
                bail!(
                    "the database differs from the model in {} way{}",
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" }
                );
            }
        }
        Command::Diagram { out: folder } => {
            let schema = match cli.url.as_deref() {
                Some(url) => {
                    let url = DbUrl::new(url, UrlSource::Option("--url"));
                    let db = crate::db::connect_to(&url, None).await?;
                    let found = live::schema(&db, &dir.config).await;
                    db.close().await.ok();
                    found?.schema
                }
                None => Model::find(models, &cli.name)?.schema(),
            };
            let folder = folder.unwrap_or_else(|| root.join("diagrams"));
            std::fs::create_dir_all(&folder)
                .with_context(|| format!("creating {}", folder.display()))?;
            for (file, content) in crate::diagram::render_all(&schema, &cli.name) {
                let path = folder.join(&file);
                std::fs::write(&path, content)
                    .with_context(|| format!("writing {}", path.display()))?;
                writeln!(out, "Wrote {}", path.display())?;
            }
        }
        Command::DumpSchema { out: file } => {
            let model = Model::find(models, &cli.name)?.schema();
            let text = crate::dump::reference_schema(&url()?, &model, &cli.name).await?;
            let file = file.unwrap_or_else(|| {
                root.join("tests/fixtures")
                    .join(format!("{}_schema.sql", cli.name))
            });
            std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
            writeln!(out, "Wrote {}", file.display())?;
        }
        Command::Diff { from, to, sql } => {
            // The model is read from the entities while both databases are read, each on its
            // own connection, at once.
            let model = match from == "model" || to == "model" {
                true => Some(Model::start(models, &cli.name)?),
                false => None,
            };
            // Boxed: two readings side by side make a large future, which would otherwise sit
            // on the caller's stack.
            let (a, b) = Box::pin(async {
                tokio::join!(source(&from, "--from", &dir), source(&to, "--to", &dir))
            })
            .await;
            let (a, b) = (a?, b?);
            let (model, renames) = match model {
                Some(building) => {
                    let (schema, hints) = building.get().await?;
                    (Some(schema), hints)
                }
                None => (None, Hints::default()),
            };
            let hints = match (from.as_str(), to.as_str()) {
                ("model", "model") => Hints::default(),
                (_, "model") => renames,
                ("model", _) => renames.reversed(),
                _ => Hints::default(),
            };
            let side = |found: Option<(Schema, DbBackend)>| match found {
                Some((schema, backend)) => (schema, Some(backend)),
                None => (model.clone().unwrap_or_default(), None),
            };
            let (mut a, backend_a) = side(a);
            let (mut b, backend_b) = side(b);
            if backend_a == Some(DbBackend::Sqlite) || backend_b == Some(DbBackend::Sqlite) {
                a = normalize::stored_by_sqlite(&a);
                b = normalize::stored_by_sqlite(&b);
            }
            let ops = autogenerate::diff(&a, &b, &hints);
            if sql {
                let backend = backend_a.or(backend_b).unwrap_or(DbBackend::Postgres);
                out.write_all(crate::ddl::script(backend, &a, &ops)?.as_bytes())?;
            } else if ops.is_empty() {
                writeln!(out, "// No differences")?;
            } else {
                for line in autogenerate::render::lines(&ops) {
                    writeln!(out, "{line}")?;
                }
            }
        }
        Command::Merge {
            revisions,
            message,
            branch_label,
            rev_id,
        } => {
            let mut down = Vec::new();
            for r in &revisions {
                for id in ctx.graph.resolve(r, &[])? {
                    if !down.contains(&id) {
                        down.push(id);
                    }
                }
            }
            if down.len() < 2 {
                bail!(
                    "merge needs at least two distinct revisions, got {}",
                    down.join(", ")
                );
            }
            let file = new_file(&ctx.graph, rev_id, message, down, branch_label, Vec::new())?;
            write_file(&dir, &file, out)?;
        }
        Command::Upgrade { target, sql } => {
            migrate(&ctx, url()?, Direction::Upgrade, &target, sql, out).await?
        }
        Command::Downgrade { target, sql } => {
            migrate(&ctx, url()?, Direction::Downgrade, &target, sql, out).await?
        }
        Command::Stamp {
            revisions,
            purge,
            sql,
        } => {
            if sql {
                let backend = url()?.backend()?;
                out.write_all(runtime::offline_stamp(&ctx, backend, &revisions)?.as_bytes())?;
            } else {
                let url = url()?;
                let versions = runtime::stamp(&ctx, &url, &revisions, purge, out).await?;
                print_versions(&ctx.graph, &versions, out)?;
            }
        }
        Command::Current { verbose } => {
            let url = url()?;
            let db = crate::db::connect_to(&url, dir.config.statement_timeout()).await?;
            let versions = runtime::read_versions(&db, &dir.config).await?;
            db.close().await.ok();
            ctx.graph.check_versions(&versions)?;
            if versions.is_empty() {
                writeln!(out, "(base): no revision applied")?;
            }
            for v in &versions {
                let rev = ctx.graph.get(v).expect("checked above");
                if verbose {
                    describe(&ctx.graph, rev, out)?;
                } else {
                    writeln!(out, "{}", line(&ctx.graph, rev))?;
                }
            }
        }
        Command::History {
            rev_range,
            verbose,
            applied,
        } => {
            if applied {
                let url = url()?;
                let db = crate::db::connect_to(&url, dir.config.statement_timeout()).await?;
                let rows = runtime::read_history(&db, &dir.config).await?;
                db.close().await.ok();
                for r in rows {
                    writeln!(
                        out,
                        "{} {:<9} {} .. {} by {} (opdb {})",
                        r.revision, r.direction, r.started_at, r.finished_at, r.who, r.tool_version
                    )?;
                }
                return Ok(());
            }
            let (start, end) = match rev_range.as_deref() {
                None => (None, None),
                Some(range) => match range.split_once(':') {
                    Some((s, e)) => ((!s.is_empty()).then_some(s), (!e.is_empty()).then_some(e)),
                    None => bail!("-r takes a range START:END, got '{range}'"),
                },
            };
            let end_set = match end {
                Some(e) => ctx.graph.resolve(e, &[])?,
                None => ctx.graph.heads(),
            };
            let shown = ctx.graph.ancestors(&end_set);
            let hidden = match start {
                Some(s) => {
                    let start_set = ctx.graph.resolve(s, &[])?;
                    let mut below = ctx.graph.ancestors(&start_set);
                    for id in &start_set {
                        below.remove(id);
                    }
                    below
                }
                None => Default::default(),
            };
            for rev in ctx.graph.in_order().rev() {
                if shown.contains(&rev.id) && !hidden.contains(&rev.id) {
                    if verbose {
                        describe(&ctx.graph, rev, out)?;
                    } else {
                        writeln!(out, "{}", line(&ctx.graph, rev))?;
                    }
                }
            }
        }
        Command::Heads { verbose } => {
            for id in ctx.graph.heads() {
                let rev = ctx.graph.get(&id).expect("a head is a revision");
                if verbose {
                    describe(&ctx.graph, rev, out)?;
                } else {
                    writeln!(out, "{}", line(&ctx.graph, rev))?;
                }
            }
        }
        Command::Branches { verbose } => {
            for (id, children) in ctx.graph.branch_points() {
                let rev = ctx.graph.get(&id).expect("a branch point is a revision");
                if verbose {
                    describe(&ctx.graph, rev, out)?;
                } else {
                    writeln!(out, "{}", line(&ctx.graph, rev))?;
                }
                for child in children {
                    let c = ctx.graph.get(&child).expect("a child is a revision");
                    writeln!(out, "    -> {}, {}", c.id, c.message)?;
                }
            }
        }
        Command::Show { rev } => {
            for id in ctx.graph.resolve(&rev, &[])? {
                let rev = ctx.graph.get(&id).expect("resolved");
                describe(&ctx.graph, rev, out)?;
            }
        }
    }
    Ok(())
}

/// The database's schema (without opdb's tables) and its version rows.
async fn database_at(ctx: &Context<'_>, url: &DbUrl) -> Result<(Schema, Vec<String>)> {
    let db = crate::db::connect_to(url, ctx.dir.config.statement_timeout()).await?;
    let versions = runtime::read_versions(&db, &ctx.dir.config).await?;
    ctx.graph.check_versions(&versions)?;
    let schema = live::schema_at(ctx, &db, &versions).await;
    db.close().await.ok();
    Ok((schema?, versions))
}

/// A `diff` side read from a database, with its backend; `None` for `model`.
async fn source(
    src: &str,
    flag: &'static str,
    dir: &ScriptDir,
) -> Result<Option<(Schema, DbBackend)>> {
    if src == "model" {
        return Ok(None);
    }
    let url = DbUrl::new(src, UrlSource::Option(flag));
    let backend = url.backend()?;
    let db = crate::db::connect_to(&url, dir.config.statement_timeout()).await?;
    let found = live::schema(&db, &dir.config).await;
    db.close().await.ok();
    Ok(Some((found?.schema, backend)))
}

/// Puts generated ops into a revision file: the header says what was found and warns about
/// what may lose data.
fn fill(file: &mut RevisionFile, upgrade: &[Op], downgrade: &[Op], warnings: &[String]) {
    file.notes
        .push("Generated by `opdb revision --autogenerate`. It found:".into());
    file.notes
        .extend(upgrade.iter().map(|op| format!("- {}", describe::op(op))));
    if !warnings.is_empty() {
        file.notes.push(String::new());
    }
    for warning in warnings {
        file.notes.push(format!("WARNING: {warning}"));
    }
    file.upgrade = autogenerate::render::lines(upgrade);
    file.downgrade = autogenerate::render::lines(downgrade);
}

fn summarize(ops: &[Op], warnings: &[String], out: &mut (dyn Write + Send)) -> Result<()> {
    writeln!(
        out,
        "{} change{}:",
        ops.len(),
        if ops.len() == 1 { "" } else { "s" }
    )?;
    for op in ops {
        writeln!(out, "  - {}", describe::op(op))?;
    }
    for warning in warnings {
        writeln!(out, "WARNING: {warning}")?;
    }
    Ok(())
}

async fn migrate(
    ctx: &Context<'_>,
    url: DbUrl,
    direction: Direction,
    target: &str,
    sql: bool,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    if sql {
        let backend = url.backend()?;
        let script = runtime::offline_script(ctx, backend, direction, target)?;
        out.write_all(script.as_bytes())?;
    } else {
        let versions = runtime::migrate(ctx, &url, direction, target, out).await?;
        print_versions(&ctx.graph, &versions, out)?;
    }
    Ok(())
}

fn new_file(
    graph: &Graph,
    rev_id: Option<String>,
    message: String,
    down: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
) -> Result<RevisionFile> {
    let id = match rev_id {
        Some(id) => {
            if id.len() != 12
                || !id
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            {
                bail!("--rev-id must be 12 lowercase hex digits, got '{id}'");
            }
            id
        }
        None => crate::script::new_revision_id(),
    };
    if graph.get(&id).is_some() {
        bail!("revision {id} already exists");
    }
    Ok(RevisionFile {
        id,
        message,
        down,
        branch_labels,
        depends_on,
        create_date: chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        notes: Vec::new(),
        upgrade: vec!["// Record this revision's changes on `op`, for example:".into(),
            "// op.add_column(\"pfs_visit\", Column::new(\"seeing\", ColumnType::Real).comment(\"FWHM [arcsec]\"));".into()],
        downgrade: vec!["// Undo what upgrade did, in reverse order, for example:".into(),
            "// op.drop_column(\"pfs_visit\", \"seeing\");".into()],
    })
}

fn write_file(dir: &ScriptDir, file: &RevisionFile, out: &mut (dyn Write + Send)) -> Result<()> {
    let path = dir.write_revision(file)?;
    writeln!(out, "Generated {}", path.display())?;
    writeln!(
        out,
        "Revisions are compiled in: rebuild (cargo build, or cargo run -- ...) before the next command"
    )?;
    Ok(())
}

fn print_versions(graph: &Graph, versions: &[String], out: &mut (dyn Write + Send)) -> Result<()> {
    if versions.is_empty() {
        writeln!(out, "Database is at (base)")?;
    }
    for v in versions {
        match graph.get(v) {
            Some(rev) => writeln!(out, "Database is at {}", line(graph, rev))?,
            None => writeln!(out, "Database is at {v}")?,
        }
    }
    Ok(())
}

/// `down -> id (head) (mergepoint), message`, as alembic's history prints it.
fn line(graph: &Graph, rev: &Revision) -> String {
    let down = if rev.down.is_empty() {
        "<base>".to_string()
    } else {
        rev.down.join(", ")
    };
    format!(
        "{down} -> {}{}, {}",
        rev.id,
        markers(graph, rev),
        rev.message
    )
}

fn markers(graph: &Graph, rev: &Revision) -> String {
    let mut m = String::new();
    if graph.heads().contains(&rev.id) {
        m.push_str(" (head)");
    }
    if rev.down.len() > 1 {
        m.push_str(" (mergepoint)");
    }
    if graph.children(&rev.id).len() > 1 {
        m.push_str(" (branchpoint)");
    }
    if !rev.branch_labels.is_empty() {
        m.push_str(&format!(" ({})", rev.branch_labels.join(", ")));
    }
    m
}

fn describe(graph: &Graph, rev: &Revision, out: &mut (dyn Write + Send)) -> Result<()> {
    writeln!(out, "Rev: {}{}", rev.id, markers(graph, rev))?;
    writeln!(
        out,
        "Parent: {}",
        if rev.down.is_empty() {
            "<base>".into()
        } else {
            rev.down.join(", ")
        }
    )?;
    if !rev.depends_on.is_empty() {
        writeln!(out, "Also depends on: {}", rev.depends_on.join(", "))?;
    }
    let children = graph.children(&rev.id);
    if !children.is_empty() {
        writeln!(out, "Branches into: {}", children.join(", "))?;
    }
    writeln!(out, "Path: {}", rev.path)?;
    writeln!(out)?;
    writeln!(out, "    {}", rev.message)?;
    writeln!(out)?;
    writeln!(out, "    Revision ID: {}", rev.id)?;
    writeln!(out, "    Revises: {}", rev.down.join(", "))?;
    writeln!(out, "    Create Date: {}", rev.create_date)?;
    writeln!(out)?;
    Ok(())
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
