//! The `opdb` command line: alembic's commands and names, over the compiled-in revisions.
//!
//! Only the surface: parsing the arguments, calling the command's function in [`commands`],
//! printing its outcome, exit codes, and passwords kept off standard output.

use crate::commands::check::{CheckOutcome, Diff, DiffOutcome, DiffSide};
use crate::commands::merge::MergeArgs;
use crate::commands::revision::{Found, RevisionArgs, RevisionOutcome};
use crate::commands::{self, EntityModel, Project, RunOutcome};
use crate::revision::{Graph, Revision};
use crate::runtime::{Direction, RunMode};
use crate::script::{CompiledScripts, ScriptDir};
use crate::url::scrub;
use anyhow::{bail, Context as _, Result};
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
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
    /// The database to work on: the script directory alembic/NAME [default: the binary's
    /// script directory when it has one, else the tool's name]
    #[arg(short = 'n', long, global = true)]
    pub name: Option<String>,
    /// Database URL (postgres://user@host/db or sqlite:path); overrides DATABASE_URL and db.cfg
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Project folder holding alembic/ [default: the current folder if it has alembic/, else
    /// the source tree this binary was built from]
    #[arg(long, global = true)]
    pub root: Option<PathBuf>,
    /// Work on this PostgreSQL schema only, one of alembic.toml's schema/schemas (repeatable);
    /// for diff, any schema of the databases compared [default: every schema of alembic.toml]
    #[arg(long = "schema", global = true, value_name = "NAME")]
    pub schema: Vec<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a script directory alembic/NAME (settings, versions/, trash/)
    Init {
        /// Name of the database's folder [default: -n, else the binary's script directory,
        /// else the tool's name]
        name: Option<String>,
        /// Also write a baseline revision that builds the database's whole schema (of --url,
        /// DATABASE_URL or the new folder's db.cfg; --schema names its schemas) from empty:
        /// `stamp head` then adopts the live database
        #[arg(long)]
        from_database: bool,
    },
    /// Write one SeaORM entity module per table of the database (--url, or alembic/NAME's
    /// settings and db.cfg when it exists) into --out, and model.rs for what is declared beside
    /// them; lists what the entities cannot express and then exits 1
    GenerateEntities {
        /// Folder to write the modules into
        #[arg(long)]
        out: PathBuf,
        /// Write over files that exist
        #[arg(long)]
        force: bool,
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
        /// Run the upgrade on a scratch copy of the database (same server, or a file beside
        /// it), then check the copy and drop it: each revision's time and the rows of the
        /// tables it names, before and after; the database itself is not written
        #[arg(long, conflicts_with_all = ["sql", "backup"])]
        rehearse: bool,
        /// Back the database up into DIR before the first revision runs (pg_dump custom
        /// format of the schemas, or a SQLite copy); if that fails, nothing is upgraded
        /// [default: backup_dir in alembic.toml, else no backup]
        #[arg(long, value_name = "DIR", conflicts_with = "sql")]
        backup: Option<PathBuf>,
        /// Follow the online plan (PostgreSQL): indexes built CONCURRENTLY, keys and checks
        /// added NOT VALID and validated apart, NOT NULL proved by a check first, each table's
        /// changes committed apart, every statement under lock_timeout and retried; writers go
        /// on [default: online in alembic.toml]
        #[arg(long)]
        online: bool,
        /// With --online, run steps that have no online form (a type change that rewrites the
        /// table, say) instead of refusing the revision
        #[arg(long, requires = "online")]
        allow_blocking: bool,
    },
    /// Put back a backup that `upgrade --backup` wrote (pg_restore --clean --if-exists in one
    /// transaction, or the SQLite file copied back), after asking
    Restore {
        /// The backup file
        file: PathBuf,
        /// Restore without asking (needed where standard input is not a terminal)
        #[arg(long)]
        yes: bool,
    },
    /// Downgrade the database to TARGET (base, an id or prefix, -N, REV-N)
    Downgrade {
        /// Where to go; with --sql, START:END
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Print the SQL script instead of running it
        #[arg(long)]
        sql: bool,
        /// Follow the online plan, as `upgrade --online` does
        #[arg(long)]
        online: bool,
        /// With --online, run steps that have no online form instead of refusing
        #[arg(long, requires = "online")]
        allow_blocking: bool,
    },
    /// Refresh the model's materialized views, each after the views it reads, CONCURRENTLY
    /// where a unique index allows it, printing each one's time (for cron)
    Refresh,
    /// Wipe a test database and build it again: drop every object of its schemas, upgrade to
    /// head, load the CSV fixtures of --fixtures in foreign-key order, set the sequences past
    /// the largest ids, analyze, refresh materialized views. Refuses any database not marked
    /// as a test database (test_databases in alembic.toml, or <TOOL>_TEST_DATABASE=1)
    Reset {
        /// Folder of fixtures: one CSV file per table, <table>.csv, its header naming the
        /// columns; an unquoted empty field is NULL, "" the empty string
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
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

/// [`main`] on a runtime of its own: what a team's `fn main` calls (through
/// [`crate::main!`]). `tool` is the binary's name (in help, messages, lock keys and file
/// headers); every compiled script directory is described by `entities`. The runtime's code is
/// compiled here, in the engine, so a binary that is only its revisions and this call compiles
/// in seconds (its revisions need no optimizing: they run once per upgrade).
pub fn start(
    tool: &'static str,
    scripts: Vec<CompiledScripts>,
    entities: fn() -> crate::EntitySet,
    default_root: &Path,
) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(main(tool, scripts, entities, default_root)),
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the process arguments, runs, and turns any error into one line and exit code 1.
pub async fn main(
    tool: &'static str,
    scripts: Vec<CompiledScripts>,
    entities: fn() -> crate::EntitySet,
    default_root: &Path,
) -> ExitCode {
    crate::tool::set(tool);
    let models: Vec<EntityModel> = scripts
        .iter()
        .map(|s| EntityModel {
            database: s.database,
            entities,
        })
        .collect();
    let parsed = Cli::command()
        .name(tool)
        .bin_name(tool)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
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
    let result = run(cli, &scripts, &models, default_root, &mut stdout).await;
    stdout.flush().ok();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`opdb history | head`): stop quietly, as a tool killed by
        // SIGPIPE would, with its exit status (128 + 13).
        Err(e) if broken_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            eprintln!("error: {}", scrub(&one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

/// Whether `e` is a write to a pipe whose reader has gone.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
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

/// Runs one parsed command, writing its output to `out`.
pub async fn run(
    cli: Cli,
    scripts: &[CompiledScripts],
    models: &[EntityModel],
    default_root: &Path,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let root = project_root(cli.root.as_deref(), default_root);
    // A binary built with one script directory works on it unless told otherwise.
    let name = match (&cli.name, scripts) {
        (Some(name), _) => name.clone(),
        (None, [only]) => only.database.to_string(),
        // A binary's name may hold `-`, which no script directory's name does.
        (None, _) => crate::tool::name().replace('-', "_"),
    };
    match &cli.command {
        Command::Init {
            name: folder,
            from_database,
        } => {
            let name = folder.as_deref().unwrap_or(&name);
            let made = match from_database {
                false => commands::init::init(&root, name)?,
                true => {
                    commands::init::init_from_database(&root, name, cli.url.as_deref(), &cli.schema)
                        .await?
                }
            };
            writeln!(
                out,
                "Created {} (alembic.toml, versions/, trash/)",
                made.dir.display()
            )?;
            match &made.baseline {
                None => writeln!(
                    out,
                    "Put the connection URL on the first line of {}/db.cfg (git-ignored), or use --url",
                    made.dir.display()
                )?,
                Some((path, left_out)) => {
                    writeln!(out, "Generated {} (the baseline)", path.display())?;
                    for warning in left_out {
                        writeln!(out, "WARNING: not in the baseline: {warning}")?;
                    }
                    writeln!(
                        out,
                        "Next: rebuild (cargo build), then `stamp head` on the live database (it \
                         matches the baseline); `check` then compares it with your entities \
                         (`generate-entities --url URL --out DIR` writes them)"
                    )?;
                }
            }
            return Ok(());
        }
        Command::GenerateEntities { out: folder, force } => {
            let args = commands::generate_entities::GenerateArgs {
                out: folder.clone(),
                force: *force,
            };
            let outcome = commands::generate_entities::generate_entities(
                &root,
                &name,
                cli.url.as_deref(),
                &cli.schema,
                args,
            )
            .await?;
            for path in &outcome.written {
                writeln!(out, "Wrote {}", path.display())?;
            }
            for line in &outcome.missing {
                eprintln!("not expressible in entities: {}", scrub(line));
            }
            if !outcome.missing.is_empty() {
                bail!(
                    "the entities written miss {} thing{} of the database (listed above): add \
                     them by hand or in a revision, or exclude them in alembic.toml",
                    outcome.missing.len(),
                    if outcome.missing.len() == 1 { "" } else { "s" }
                );
            }
            return Ok(());
        }
        _ => {}
    }
    let dir = match ScriptDir::open(&root, &name) {
        Ok(dir) => dir,
        // Copied where its source tree is not: the script directory as compiled in, its
        // `db.cfg` in `--root` or the current folder.
        Err(e) => match scripts.iter().find(|s| s.database == name) {
            Some(built) if !root.join("alembic").join(&name).exists() => {
                let base = match &cli.root {
                    Some(root) => root.clone(),
                    None => std::env::current_dir().context("reading the current folder")?,
                };
                ScriptDir::compiled(&base, &name, built.settings)?
            }
            _ => return Err(e),
        },
    };
    let mut project = Project::new(&root, &dir, scripts, models, cli.url)?;
    match cli.command {
        // `diff` compares any schema of two databases.
        Command::Diff { .. } => project.chosen_schemas = cli.schema.clone(),
        _ => project.choose_schemas(&cli.schema)?,
    }
    let project = project;
    let graph = &project.ctx.graph;

    match cli.command {
        Command::Init { .. } | Command::GenerateEntities { .. } => unreachable!("handled above"),
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
            let args = RevisionArgs {
                message,
                autogenerate,
                allow_empty,
                head,
                splice,
                branch_labels: branch_label,
                depends_on,
                rev_id,
            };
            match commands::revision::revision(&project, args).await? {
                RevisionOutcome::NoChanges {
                    unmodelled,
                    caution,
                } => {
                    writeln!(
                        out,
                        "No changes in schema detected: no revision written (--allow-empty \
                         writes one anyway)"
                    )?;
                    if let Some(caution) = caution {
                        writeln!(out, "WARNING: {caution}")?;
                    }
                    for warning in unmodelled {
                        writeln!(out, "WARNING: not compared: {warning}")?;
                    }
                }
                RevisionOutcome::Written { path, found } => {
                    print_written(&path, out)?;
                    if let Some(found) = found {
                        summarize(&found, out)?;
                    }
                }
            }
        }
        Command::Check => {
            let applied = commands::inspect::applied_steps(&project).await?;
            for warning in applied.changed(&project.ctx) {
                writeln!(out, "WARNING: {warning}")?;
            }
            let outcome: CheckOutcome = commands::check::check(&project).await?;
            if let Some(caution) = &outcome.caution {
                writeln!(out, "WARNING: {caution}")?;
            }
            let versions =
                commands::check::version_mismatches(&project, &applied.recorded_versions())?;
            for line in &versions {
                writeln!(out, "- {line}")?;
            }
            let lines = outcome.lines();
            if lines.is_empty() && !versions.is_empty() {
                bail!("the database's schema version and the model's differ in their major version");
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
                let found = lines.len() - outcome.unmodelled.len();
                let plural = |n: usize| if n == 1 { "" } else { "s" };
                match (found, outcome.unmodelled.len()) {
                    (found, 0) => bail!(
                        "the database differs from the model in {found} way{}",
                        plural(found)
                    ),
                    (0, n) => bail!(
                        "the database holds {n} object{} {} cannot model and did not compare \
                         (exclude them in alembic.toml to leave them alone)",
                        plural(n),
                        crate::tool::name()
                    ),
                    (found, n) => bail!(
                        "the database differs from the model in {found} way{}, and holds {n} \
                         object{} {} cannot model and did not compare",
                        plural(found),
                        plural(n),
                        crate::tool::name()
                    ),
                }
            }
        }
        Command::Diagram { out: folder } => {
            for path in commands::diagram::diagram(&project, folder).await? {
                writeln!(out, "Wrote {}", path.display())?;
            }
        }
        Command::DumpSchema { out: file } => {
            let file = commands::dump_schema::dump_schema(&project, file).await?;
            writeln!(out, "Wrote {}", file.display())?;
        }
        Command::Diff { from, to, sql } => {
            let (from, to) = (DiffSide::parse(&from), DiffSide::parse(&to));
            let diff = commands::check::diff(&project, &from, &to, sql).await?;
            print_diff(&diff, sql, out)?;
        }
        Command::Merge {
            revisions,
            message,
            branch_label,
            rev_id,
        } => {
            let args = MergeArgs {
                revisions,
                message,
                branch_labels: branch_label,
                rev_id,
            };
            let merged = commands::merge::merge(&project, args)?;
            print_written(&merged.path, out)?;
        }
        Command::Upgrade {
            target,
            rehearse: true,
            online,
            allow_blocking,
            ..
        } => {
            let mode = RunMode {
                online,
                allow_blocking,
            };
            let rehearsal =
                Box::pin(commands::rehearse::rehearse_with(&project, &target, mode, out)).await?;
            let n = rehearsal.steps.len();
            match rehearsal.failure {
                Some(failure) => bail!("the rehearsal failed: {failure}"),
                None => writeln!(
                    out,
                    "Rehearsal passed: {n} revision{} on the copy {} (made by {}), dropped; the \
                     database itself was not touched",
                    if n == 1 { "" } else { "s" },
                    rehearsal.copy,
                    rehearsal.how
                )?,
            }
        }
        Command::Upgrade {
            target,
            sql,
            backup,
            online,
            allow_blocking,
            ..
        } => {
            if !sql {
                for warning in commands::inspect::changed(&project).await? {
                    writeln!(out, "WARNING: {warning}")?;
                }
            }
            let options = commands::migrate::MigrateOptions {
                sql,
                backup: backup.as_deref(),
                mode: RunMode {
                    online,
                    allow_blocking,
                },
            };
            let outcome = Box::pin(commands::migrate::migrate_with(
                &project,
                Direction::Upgrade,
                &target,
                &options,
                out,
            ))
            .await?;
            print_run(graph, &outcome, out)?;
        }
        Command::Restore { file, yes } => {
            use std::io::IsTerminal as _;
            let mut ask = |question: &str| -> Result<bool> {
                eprint!("{}", scrub(question));
                let mut answer = String::new();
                std::io::stdin()
                    .read_line(&mut answer)
                    .context("reading the answer")?;
                Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
            };
            let confirm = match (yes, std::io::stdin().is_terminal()) {
                (true, _) => commands::restore::Confirm::Yes,
                (false, true) => commands::restore::Confirm::Ask(&mut ask),
                (false, false) => bail!(
                    "restore replaces what the database holds and asks first, but standard \
                     input is not a terminal: add --yes to restore without asking"
                ),
            };
            let restored = commands::restore::restore(&project, &file, confirm).await?;
            writeln!(out, "Restored {} into {restored}", file.display())?;
        }
        Command::Downgrade {
            target,
            sql,
            online,
            allow_blocking,
        } => {
            let options = commands::migrate::MigrateOptions {
                sql,
                mode: RunMode {
                    online,
                    allow_blocking,
                },
                ..Default::default()
            };
            let outcome = Box::pin(commands::migrate::migrate_with(
                &project,
                Direction::Downgrade,
                &target,
                &options,
                out,
            ))
            .await?;
            print_run(graph, &outcome, out)?;
        }
        Command::Stamp {
            revisions,
            purge,
            sql,
        } => {
            let outcome = commands::stamp::stamp(&project, &revisions, purge, sql, out).await?;
            print_run(graph, &outcome, out)?;
        }
        Command::Refresh => {
            commands::refresh::refresh(&project, out).await?;
        }
        Command::Reset { fixtures } => {
            let done = commands::reset::reset(&project, fixtures.as_deref(), out).await?;
            print_run(graph, &RunOutcome::at(done.versions.clone()), out)?;
            writeln!(
                out,
                "Reset {} in {:.3} s: {} object{} dropped, {} row{} loaded, {} materialized \
                 view{} refreshed",
                done.database,
                done.seconds,
                done.dropped,
                if done.dropped == 1 { "" } else { "s" },
                done.rows(),
                if done.rows() == 1 { "" } else { "s" },
                done.refreshed,
                if done.refreshed == 1 { "" } else { "s" }
            )?;
        }
        Command::Current { verbose } => {
            if verbose {
                for warning in commands::inspect::changed(&project).await? {
                    writeln!(out, "WARNING: {warning}")?;
                }
            }
            let schemas = commands::inspect::current(&project).await?;
            let several = schemas.len() > 1;
            for (schema, revisions) in schemas {
                if several {
                    writeln!(out, "Schema {schema}:")?;
                }
                if revisions.is_empty() {
                    writeln!(out, "(base): no revision applied")?;
                }
                print_revisions(graph, &revisions, verbose, out)?;
            }
            for (schema, i) in Box::pin(commands::inspect::stopped(&project)).await? {
                let finish = match i.direction.as_str() {
                    "downgrade" => format!("{} downgrade {}-1", crate::tool::name(), i.revision),
                    _ => format!("{} upgrade {}", crate::tool::name(), i.revision),
                };
                writeln!(
                    out,
                    "Revision {} stopped after phase {} of {} of its {}{}: `{finish}` finishes it",
                    i.revision,
                    i.done,
                    i.of,
                    i.direction,
                    if several_schemas(&project) {
                        format!(" (schema {schema})")
                    } else {
                        String::new()
                    }
                )?;
            }
        }
        Command::History {
            rev_range,
            verbose,
            applied,
        } => {
            if applied {
                let schemas = commands::inspect::applied_each(&project).await?;
                let several = schemas.len() > 1;
                for (schema, rows) in schemas {
                    if several {
                        writeln!(out, "Schema {schema}:")?;
                    }
                    for r in rows {
                        let phase = match &r.phase {
                            Some(p) => format!(" phase {p}"),
                            None => String::new(),
                        };
                        writeln!(
                            out,
                            "{} {:<9}{phase} {} .. {} by {} (opdb {})",
                            r.revision,
                            r.direction,
                            r.started_at,
                            r.finished_at,
                            r.who,
                            r.tool_version
                        )?;
                    }
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
            let revisions = commands::inspect::history(&project, start, end)?;
            print_revisions(graph, &revisions, verbose, out)?;
        }
        Command::Heads { verbose } => {
            let revisions = commands::inspect::heads(&project);
            print_revisions(graph, &revisions, verbose, out)?;
        }
        Command::Branches { verbose } => {
            for (rev, children) in commands::inspect::branches(&project) {
                print_revisions(graph, &[rev], verbose, out)?;
                for c in children {
                    writeln!(out, "    -> {}, {}", c.id, c.message)?;
                }
            }
        }
        Command::Show { rev } => {
            for rev in commands::inspect::show(&project, &rev)? {
                details(graph, rev, out)?;
            }
        }
    }
    Ok(())
}

/// What `revision` and `merge` print after writing a file.
fn print_written(path: &Path, out: &mut (dyn Write + Send)) -> Result<()> {
    writeln!(out, "Generated {}", path.display())?;
    writeln!(
        out,
        "Revisions are compiled in: rebuild (cargo build, or cargo run -- ...) before the next command"
    )?;
    Ok(())
}

/// `diff`'s output: what was not compared comes first, as comments of the output's language,
/// so that neither a script nor "No differences" can hide it; then the script or the ops.
pub fn print_diff(diff: &Diff, sql: bool, out: &mut dyn Write) -> Result<()> {
    let comment = if sql { "--" } else { "//" };
    // Names come from the databases: escaped, so that none can end its comment line and
    // become SQL (or code) in what the user pipes on.
    for warning in &diff.unmodelled {
        let warning = crate::revision_file::doc_text(warning);
        writeln!(out, "{comment} WARNING: not compared: {warning}")?;
    }
    if let Some(caution) = &diff.caution {
        let caution = crate::revision_file::doc_text(caution);
        writeln!(out, "{comment} WARNING: {caution}")?;
    }
    // Definitions come from the databases too: each line escaped as well.
    for change in &diff.definitions {
        for line in change.lines() {
            writeln!(out, "{comment} {}", crate::revision_file::doc_text(line))?;
        }
    }
    match &diff.outcome {
        DiffOutcome::Script(script) => out.write_all(script.as_bytes())?,
        DiffOutcome::Ops(lines) if lines.is_empty() && diff.unmodelled.is_empty() => {
            writeln!(out, "// No differences")?
        }
        DiffOutcome::Ops(lines) if lines.is_empty() => writeln!(
            out,
            "// No differences in what {} compares; {} object{} above not compared",
            crate::tool::name(),
            diff.unmodelled.len(),
            if diff.unmodelled.len() == 1 { "" } else { "s" }
        )?,
        DiffOutcome::Ops(lines) => {
            for line in lines {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// What autogenerate found, as `revision --autogenerate` prints it after the file's path.
fn summarize(found: &Found, out: &mut (dyn Write + Send)) -> Result<()> {
    let n = found.changes.len();
    writeln!(out, "{} change{}:", n, if n == 1 { "" } else { "s" })?;
    for change in &found.changes {
        writeln!(out, "  - {change}")?;
    }
    for warning in &found.warnings {
        writeln!(out, "WARNING: {warning}")?;
    }
    for warning in &found.unmodelled {
        writeln!(out, "WARNING: not compared: {warning}")?;
    }
    Ok(())
}

/// A migration's outcome: the `--sql` script as it is, else where the database now is.
fn print_run(graph: &Graph, outcome: &RunOutcome, out: &mut (dyn Write + Send)) -> Result<()> {
    match outcome {
        RunOutcome::Script(script) => out.write_all(script.as_bytes())?,
        RunOutcome::At(versions) => print_versions(graph, versions, out)?,
        RunOutcome::AtEach(schemas) => {
            for (schema, versions) in schemas {
                let mut lines = Vec::new();
                print_versions(graph, versions, &mut lines)?;
                for line in String::from_utf8_lossy(&lines).lines() {
                    let line = line.strip_prefix("Database is at ").unwrap_or(line);
                    writeln!(out, "Schema {schema} is at {line}")?;
                }
            }
        }
    }
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

/// Each revision on one [`line`], or with `verbose` in [`details`].
fn print_revisions(
    graph: &Graph,
    revisions: &[&Revision],
    verbose: bool,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    for rev in revisions {
        if verbose {
            details(graph, rev, out)?;
        } else {
            writeln!(out, "{}", line(graph, rev))?;
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

/// A revision in full, as alembic's `show` prints it.
fn details(graph: &Graph, rev: &Revision, out: &mut (dyn Write + Send)) -> Result<()> {
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
/// Whether the project works on several schemas (messages then name the schema).
fn several_schemas(project: &commands::Project<'_>) -> bool {
    project.schemas().len() > 1
}

#[cfg(test)]
mod size_probe {
    #[test]
    fn probe() {
        let cli = <super::Cli as clap::Parser>::try_parse_from(["opdb", "current"]).unwrap();
        let mut out = Vec::new();
        let f = super::run(
            cli,
            &[],
            &[],
            std::path::Path::new("/nonexistent"),
            &mut out,
        );
        eprintln!("SIZE run future = {}", std::mem::size_of_val(&f));
    }
}
