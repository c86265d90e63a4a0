//! `alembic.toml`: a script directory's settings (what alembic keeps in `alembic.ini`), with
//! their defaults, their checks and the commented file `opdb init` writes.

use anyhow::{bail, Result};
use serde::Deserialize;

/// `alembic.toml`: per-database settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// PostgreSQL schema (namespace) the tables live in.
    pub schema: String,
    /// Several PostgreSQL schemas that each hold the whole model, in the order `upgrade` brings
    /// them to the target (`downgrade` goes the other way); each has its own version and
    /// history tables. Empty: the one [`Config::schema`].
    pub schemas: Vec<String>,
    /// Table of applied heads, alembic's name by default so alembic can read it too.
    pub version_table: String,
    /// Table of every applied step.
    pub history_table: String,
    /// New revision file names: `{rev}` is the id, `{slug}` the message in snake case.
    pub file_template: String,
    /// Seconds a run waits for another run's lock before giving up.
    pub lock_wait: u64,
    /// Seconds one statement may take before the run gives up on it (0: no limit); also the
    /// server's `statement_timeout` on PostgreSQL.
    pub statement_timeout: u64,
    /// Roles that may read and write each schema (PostgreSQL), by schema name
    /// ([`crate::privileges`]); a schema not named here has its privileges left alone.
    pub grants: std::collections::BTreeMap<String, Grants>,
    /// Patterns of the objects opdb compares (all when empty), `[kind:]name` with `*` and `?`.
    pub include: Vec<String>,
    /// Patterns of the objects opdb leaves alone, on both sides of every comparison.
    pub exclude: Vec<String>,
    /// Folder `upgrade` backs the database up into before it applies anything (relative: to
    /// the project folder); `None`: no backup unless `upgrade --backup DIR`.
    pub backup_dir: Option<std::path::PathBuf>,
    /// Patterns (`*`, `?`) of the names of the databases `reset` may wipe: PostgreSQL database
    /// names, SQLite file names ([`crate::test_database`]).
    pub test_databases: Vec<String>,
    /// Upgrades and downgrades follow the online plan ([`crate::lock_plan`]) on PostgreSQL, as
    /// `--online` asks for one run.
    pub online: bool,
    /// How long one statement of an online run waits for a lock before it gives up (and the
    /// phase is retried): PostgreSQL's `lock_timeout`, such as `"2s"` or `"500ms"`.
    pub lock_timeout: String,
    /// How many times an online phase is tried again after a lock timeout, waiting longer each
    /// time, before the run stops.
    pub lock_retries: u32,
}

/// The roles given access to one schema: `read` may read its tables, `write` may also insert,
/// update and delete; `tables` names other roles for some tables.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Grants {
    pub read: Vec<String>,
    pub write: Vec<String>,
    /// Tables whose readers and writers are these instead of the schema's.
    pub tables: std::collections::BTreeMap<String, TableGrants>,
}

/// The roles given access to one table, instead of its schema's.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TableGrants {
    pub read: Vec<String>,
    pub write: Vec<String>,
}

impl Grants {
    /// Every role named, the tables' included: each may use the schema.
    pub fn roles(&self) -> impl Iterator<Item = &String> {
        self.read
            .iter()
            .chain(&self.write)
            .chain(self.tables.values().flat_map(|t| t.read.iter().chain(&t.write)))
    }

    /// The readers and writers of `table`: its own, or the schema's.
    pub fn of_table(&self, table: &str) -> (&[String], &[String]) {
        match self.tables.get(table) {
            Some(t) => (&t.read, &t.write),
            None => (&self.read, &self.write),
        }
    }
}

/// The longest name PostgreSQL keeps (`NAMEDATALEN - 1` bytes); a longer one it cuts short.
const MAX_NAME: usize = 63;

impl Config {
    /// The schemas the model lives in, in order: [`Config::schemas`], or the one
    /// [`Config::schema`].
    pub fn schema_list(&self) -> Vec<String> {
        match self.schemas.is_empty() {
            true => vec![self.schema.clone()],
            false => self.schemas.clone(),
        }
    }

    /// These settings for one of the schemas: [`Config::schema`] is `name`, and the version
    /// and history tables, the catalog reads and the statements are that schema's.
    pub fn for_schema(&self, name: &str) -> Config {
        Config {
            schema: name.to_string(),
            schemas: Vec::new(),
            ..self.clone()
        }
    }

    /// [`Config::lock_wait`] as a duration.
    pub fn lock_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lock_wait)
    }

    /// [`Config::statement_timeout`] as a duration, `None` for no limit.
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        (self.statement_timeout > 0).then(|| std::time::Duration::from_secs(self.statement_timeout))
    }

    /// The objects [`Config::include`] and [`Config::exclude`] let opdb compare. The patterns
    /// were checked when the file was read ([`Config::check`]).
    pub fn filter(&self) -> crate::objects::Filter {
        crate::objects::Filter::new(&self.include, &self.exclude).unwrap_or_default()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: "public".into(),
            schemas: Vec::new(),
            version_table: "alembic_version".into(),
            history_table: format!("{}_history", crate::tool::name()),
            file_template: "{rev}_{slug}".into(),
            lock_wait: 300,
            statement_timeout: 3600,
            include: Vec::new(),
            exclude: Vec::new(),
            grants: Default::default(),
            backup_dir: None,
            test_databases: Vec::new(),
            online: false,
            lock_timeout: "2s".into(),
            lock_retries: 5,
        }
    }
}

impl Config {
    /// Refuses settings that would write outside `versions/` or name no table: one line
    /// saying which key is wrong and what to write instead.
    pub fn check(&self) -> Result<()> {
        for (key, value) in [
            ("schema", &self.schema),
            ("version_table", &self.version_table),
            ("history_table", &self.history_table),
            ("file_template", &self.file_template),
        ] {
            if value.trim().is_empty() {
                bail!("{key} is empty: give it a name, or remove the line for the default");
            }
        }
        if !self.schemas.is_empty() && self.schema != "public" {
            bail!(
                "schema and schemas are both set: keep schemas (the list) and remove the schema \
                 line"
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for name in &self.schemas {
            if name.trim().is_empty() {
                bail!("schemas holds an empty name: remove it");
            }
            if !seen.insert(name) {
                bail!("schemas names {name:?} twice: keep one");
            }
        }
        for name in self.schema_list() {
            if name.starts_with("pg_") || name == "information_schema" {
                bail!(
                    "schema {name:?} is PostgreSQL's own (names starting with pg_ and \
                     information_schema are reserved): choose another name"
                );
            }
            if name.chars().any(char::is_control) {
                bail!("schema {name:?} holds a control character: remove it");
            }
            if name.len() > MAX_NAME {
                bail!(
                    "schema {name:?} is {} bytes long: PostgreSQL keeps {MAX_NAME} at most; \
                     shorten it",
                    name.len()
                );
            }
        }
        let schemas = self.schema_list();
        for (schema, grants) in &self.grants {
            if !schemas.contains(schema) {
                bail!(
                    "grants.{schema}: {schema:?} is not one of the schemas {} manages ({}): \
                     fix the name, or add it to schema/schemas",
                    crate::tool::name(),
                    schemas.join(", ")
                );
            }
            for role in grants.roles() {
                if role.trim().is_empty()
                    || role.chars().any(char::is_control)
                    || role.len() > MAX_NAME
                {
                    bail!(
                        "grants.{schema}: role {role:?} is not a role name (1 to {MAX_NAME} \
                         bytes, no control characters): fix it"
                    );
                }
            }
        }
        let template = &self.file_template;
        if template.contains(['/', '\\', ':']) || template.contains("..") {
            bail!(
                "file_template {template:?} must be a plain file name (no '/', '\\', ':' or \
                 '..'): revision files are written into versions/"
            );
        }
        if template.chars().any(char::is_control) {
            bail!("file_template {template:?} holds a control character: remove it");
        }
        crate::objects::Filter::new(&self.include, &self.exclude)?;
        if self
            .backup_dir
            .as_ref()
            .is_some_and(|d| d.as_os_str().is_empty())
        {
            bail!("backup_dir is empty: give a folder, or remove the line for no backups");
        }
        if self.test_databases.iter().any(|p| p.trim().is_empty()) {
            bail!("test_databases holds an empty pattern: remove it");
        }
        parse_duration(&self.lock_timeout).map_err(|why| {
            anyhow::anyhow!(
                "lock_timeout {:?} {why}: write a duration such as \"2s\" or \"500ms\"",
                self.lock_timeout
            )
        })?;
        Ok(())
    }

    /// [`Config::lock_timeout`] as a duration (checked when the file was read).
    pub fn lock_timeout(&self) -> std::time::Duration {
        parse_duration(&self.lock_timeout).unwrap_or(std::time::Duration::from_secs(2))
    }
}

/// A duration written as PostgreSQL writes one: a whole number of `ms` or `s`; more than zero,
/// at most an hour.
fn parse_duration(text: &str) -> std::result::Result<std::time::Duration, &'static str> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000)
    } else {
        return Err("has no unit");
    };
    let n: u64 = number.trim().parse().map_err(|_| "is not a whole number of ms or s")?;
    let ms = n.saturating_mul(scale);
    match ms {
        0 => Err("is zero (no wait at all would fail every busy table)"),
        ms if ms > 3_600_000 => Err("is over an hour"),
        ms => Ok(std::time::Duration::from_millis(ms)),
    }
}

pub(crate) const CONFIG_TEMPLATE: &str = r#"# opdb settings for this database (what alembic keeps in alembic.ini).
# Every key is optional; the values shown are the defaults.

# PostgreSQL schema (namespace) the tables live in: every statement, catalog read and the
# version tables use it, and `upgrade` creates it if it is missing. (SQLite has no schemas.)
schema = "public"

# The same model in several PostgreSQL schemas of one database (instead of `schema`), in the
# order `upgrade` brings them to the target; `downgrade` goes the other way. Each schema has
# its own version and history tables (alembic's version_table_schema), and `--schema NAME`
# makes a command work on one of them. A foreign key names its target's schema in the
# entities (`schema_name` on the target entity); otherwise it points into its own schema.
# For example: schemas = ["production", "working"]
schemas = []

# Table that holds the applied head revision(s); alembic's own name, so alembic can read it.
version_table = "alembic_version"

# Table that records every applied step: revision, direction, when, who, tool version.
history_table = "opdb_history"

# File names of new revisions: {rev} is the revision id, {slug} the message in snake case.
file_template = "{rev}_{slug}"

# Seconds `upgrade`, `downgrade` and `stamp` wait for another run to finish before giving up.
lock_wait = 300

# Seconds one statement may run before opdb gives up on it and the revision is rolled back
# (0: no limit). On PostgreSQL it is also the session's statement_timeout.
statement_timeout = 3600

# Objects opdb leaves alone, on the database's side and the entities' alike: patterns of names
# (`*` any run of characters, `?` one), each optionally after a kind and a colon. Kinds: table,
# view, materialized_view, foreign_table, partition, type, domain, function, procedure,
# aggregate, trigger, rule, policy, exclusion_constraint, statistics, extension.
# For example: exclude = ["spatial_ref_sys", "view:stats_*", "extension:postgis"]
# Anything opdb cannot model and that is not excluded makes `check` fail.
exclude = []

# When not empty, opdb compares only the objects one of these patterns matches.
include = []

# Folder `upgrade` backs the database up into before it applies any revision (relative: to the
# project folder): pg_dump --format=custom of the schemas above on PostgreSQL, VACUUM INTO on
# SQLite, named by database, revision and UTC time; `restore FILE` puts one back. If the
# backup fails, nothing is upgraded. Off unless set (or `upgrade --backup DIR`).
# For example: backup_dir = "backups"

# Databases `reset` may wipe and refill (test databases): patterns of PostgreSQL database names,
# or of SQLite file names (`*` any run of characters, `?` one). `reset` refuses any other
# database unless OPDB_TEST_DATABASE=1 is set in its environment.
# For example: test_databases = ["*_test", "opdb_test_*"]
test_databases = []

# Online upgrades (PostgreSQL): `online = true` makes every `upgrade` and `downgrade` follow the
# online plan, as `--online` does for one run: indexes built and dropped CONCURRENTLY, foreign
# keys and checks added NOT VALID and validated apart, SET NOT NULL proved by a validated check,
# unique constraints made from an index built CONCURRENTLY, each table's changes committed
# apart. Every statement then waits at most lock_timeout for a lock; a phase that times out is
# tried again lock_retries times, waiting longer each time, before the run stops (the phases
# committed so far are recorded, and the next run goes on from there).
online = false
lock_timeout = "2s"
lock_retries = 5

# Roles that may read and write each schema (PostgreSQL), one table per schema: `read` roles
# get USAGE on the schema and SELECT on its tables and sequences, `write` roles also INSERT,
# UPDATE and DELETE (and USAGE on the sequences); the same as default privileges for tables
# made later. `check` compares them, `upgrade` and `downgrade` make them so after the schema's
# revisions (revoking what else roles hold there). The roles must exist: opdb does not create
# them. A schema with no table here has its privileges left alone. For example:
# [grants.production]
# read = ["registry_reader"]
# write = ["registry_admin"]
# A table with other readers and writers than its schema's:
# [grants.production.tables.provenance]
# read = ["registry_reader"]
# write = ["registry_admin", "registry_writer"]
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::ScriptDir;

    fn config(edit: impl FnOnce(&mut Config)) -> Result<()> {
        let mut c = Config::default();
        edit(&mut c);
        c.check()
    }

    #[test]
    fn settings_that_write_outside_versions_or_name_nothing_are_refused() {
        assert!(config(|_| {}).is_ok());
        assert!(config(|c| c.file_template = "%Y_{rev}-{slug}".into()).is_ok());
        for bad in [
            "../{rev}_{slug}",
            "/tmp/{rev}",
            "sub/{rev}",
            "..{rev}",
            "C:{rev}",
            "a\\{rev}",
        ] {
            let e = config(|c| c.file_template = bad.into())
                .unwrap_err()
                .to_string();
            assert!(e.contains("plain file name"), "{bad}: {e}");
        }
        for key in ["schema", "version_table", "history_table", "file_template"] {
            let e = config(|c| match key {
                "schema" => c.schema.clear(),
                "version_table" => c.version_table.clear(),
                "history_table" => c.history_table = " ".into(),
                _ => c.file_template.clear(),
            })
            .unwrap_err()
            .to_string();
            assert!(e.starts_with(&format!("{key} is empty")), "{e}");
        }
    }

    #[test]
    fn schemas_and_grants_are_checked() {
        let parsed = |text: &str| -> Result<Config> {
            let config: Config = toml::from_str(text)?;
            config.check()?;
            Ok(config)
        };
        let ok = parsed(
            "schemas = [\"production\", \"working\"]\n[grants.working]\nread = [\"r\"]\n\
             [grants.working.tables.t]\nwrite = [\"w\"]\n",
        )
        .unwrap();
        assert_eq!(ok.schema_list(), ["production", "working"]);
        let working = &ok.grants["working"];
        assert_eq!(working.of_table("t"), (&[][..], &["w".to_string()][..]));
        assert_eq!(working.of_table("u"), (&["r".to_string()][..], &[][..]));
        assert_eq!(parsed("schema = \"ops\"\n").unwrap().schema_list(), ["ops"]);
        let timeout = parsed("lock_timeout = \"500ms\"\n").unwrap().lock_timeout();
        assert_eq!(timeout, std::time::Duration::from_millis(500));
        for (text, expected) in [
            (
                "schema = \"ops\"\nschemas = [\"a\"]\n",
                "schema and schemas are both set",
            ),
            ("schemas = [\"a\", \"a\"]\n", "schemas names \"a\" twice"),
            ("schemas = [\" \"]\n", "schemas holds an empty name"),
            ("schema = \"pg_x\"\n", "PostgreSQL's own"),
            ("schema = \"a\\nb\"\n", "control character"),
            (
                "[grants.prod]\nread = [\"r\"]\n",
                "grants.prod: \"prod\" is not one of the schemas opdb manages (public)",
            ),
            ("[grants.public]\nread = [\"\"]\n", "is not a role name"),
            ("[grants.public]\nreed = [\"r\"]\n", "unknown field `reed`"),
            ("lock_timeout = \"2\"\n", "lock_timeout \"2\" has no unit: write a duration"),
            ("lock_timeout = \"0ms\"\n", "lock_timeout \"0ms\" is zero"),
            ("lock_timeout = \"1.5s\"\n", "is not a whole number of ms or s"),
            ("lock_timeout = \"2h\"\n", "has no unit"),
            (&format!("schema = \"{}\"\n", "s".repeat(64)), "64 bytes long"),
            (
                &format!("[grants.public]\nread = [\"{}\"]\n", "r".repeat(64)),
                "is not a role name",
            ),
        ] {
            let e = format!("{:#}", parsed(text).unwrap_err());
            assert!(e.contains(expected), "{text}: {e}");
        }
    }

    #[test]
    fn alembic_toml_is_checked_when_loaded() {
        let root = std::env::temp_dir().join(format!("opdb-script-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        ScriptDir::init(&root, "db").unwrap();
        let toml = root.join("alembic/db/alembic.toml");
        for (text, expected) in [
            (
                "file_template = \"../../{rev}_{slug}\"\n",
                "plain file name",
            ),
            ("version_table = \"\"\n", "version_table is empty"),
            ("history_table = \"\"\n", "history_table is empty"),
            ("schema = \"\"\n", "schema is empty"),
            (
                "exclude = [\"view:ok\", \"veiw:x\"]\n",
                "exclude entry \"veiw:x\": unknown kind \"veiw\"",
            ),
        ] {
            std::fs::write(&toml, text).unwrap();
            let e = format!("{:#}", ScriptDir::open(&root, "db").unwrap_err());
            assert!(e.contains("alembic.toml: ") && e.contains(expected), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
