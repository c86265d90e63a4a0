//! Script directories (`alembic/<name>/`) and the revisions compiled into the binary.
//!
//! A script directory holds `alembic.toml` (settings), `versions/*.rs` (revisions, compiled in
//! by the binary's build script), `trash/` (revisions taken out of the chain: never compiled or
//! run) and `db.cfg` (the connection URL on its first line; git-ignored).

use crate::ops::Ops;
use crate::revision::{Graph, Revision};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
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
}

/// Builds a [`CompiledRevision`] from a revision module and its source text:
/// `compiled_revision!("1a2b_init.rs", include_str!("..."), rev_module)`.
#[macro_export]
macro_rules! compiled_revision {
    ($file:expr, $source:expr, $module:ident) => {
        $crate::script::CompiledRevision::new(
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
            path: format!("{dir}/versions/{}", self.file),
        }
    }
}

/// FNV-1a: a stable hash, the same in every build, to notice edited revision files.
pub fn source_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// The alembic-style header of a revision file.
#[derive(Debug, Default)]
struct Header {
    message: String,
    create_date: String,
}

impl Header {
    fn parse(source: &str) -> Header {
        let lines: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .collect();
        let field = |name: &str| {
            lines
                .iter()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        Header {
            message: lines.first().map(|s| unescape_line(s)).unwrap_or_default(),
            create_date: field("Create Date:"),
        }
    }
}

/// `alembic.toml`: per-database settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// PostgreSQL schema (namespace) the tables live in.
    pub schema: String,
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
}

impl Config {
    /// [`Config::lock_wait`] as a duration.
    pub fn lock_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lock_wait)
    }

    /// [`Config::statement_timeout`] as a duration, `None` for no limit.
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        (self.statement_timeout > 0).then(|| std::time::Duration::from_secs(self.statement_timeout))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema: "public".into(),
            version_table: "alembic_version".into(),
            history_table: "opdb_history".into(),
            file_template: "{rev}_{slug}".into(),
            lock_wait: 300,
            statement_timeout: 3600,
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
        Ok(())
    }
}

const CONFIG_TEMPLATE: &str = r#"# opdb settings for this database (what alembic keeps in alembic.ini).
# Every key is optional; the values shown are the defaults.

# PostgreSQL schema (namespace) the tables live in.
schema = "public"

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
"#;

/// One `alembic/<name>/` folder.
#[derive(Clone, Debug)]
pub struct ScriptDir {
    pub name: String,
    /// `alembic/<name>`.
    pub dir: PathBuf,
    pub config: Config,
}

impl ScriptDir {
    /// Opens `root/alembic/<name>`.
    pub fn open(root: &Path, name: &str) -> Result<ScriptDir> {
        let dir = root.join("alembic").join(name);
        if !dir.is_dir() {
            bail!(
                "no script directory {}: create it with `opdb init {name}`",
                dir.display()
            );
        }
        let config_path = dir.join("alembic.toml");
        let config = match std::fs::read_to_string(&config_path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{}: {}",
                    config_path.display(),
                    e.to_string().lines().collect::<Vec<_>>().join(" ")
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", config_path.display())),
        };
        config
            .check()
            .map_err(|e| anyhow::anyhow!("{}: {e}", config_path.display()))?;
        Ok(ScriptDir {
            name: name.to_string(),
            dir,
            config,
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
        std::fs::write(dir.join("alembic.toml"), CONFIG_TEMPLATE)?;
        // The build script compiles the new folder in on its next run: it reruns when it changes.
        if let Ok(build) = std::fs::File::options()
            .append(true)
            .open(root.join("build.rs"))
        {
            let _ = build.set_modified(std::time::SystemTime::now());
        }
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
        self.config
            .check()
            .with_context(|| format!("in {}/alembic.toml", self.label()))?;
        let slug = slug(&file.message);
        let stem = self
            .config
            .file_template
            .replace("{rev}", &file.id)
            .replace("{slug}", &slug);
        let path = self
            .versions_dir()
            .join(format!("{}.rs", stem.trim_end_matches('_')));
        if path.exists() {
            bail!("{} already exists", path.display());
        }
        std::fs::create_dir_all(self.versions_dir())?;
        std::fs::write(&path, file.render())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

fn slug(message: &str) -> String {
    let mut s = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
        if s.len() >= 40 {
            break;
        }
    }
    s.trim_end_matches('_').to_string()
}

/// A revision file to write: header, constants and the bodies of `upgrade` and `downgrade`.
#[derive(Clone, Debug, Default)]
pub struct RevisionFile {
    pub id: String,
    pub message: String,
    pub down: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub create_date: String,
    /// Extra header lines (what autogenerate detected, warnings).
    pub notes: Vec<String>,
    /// Statement lines of `upgrade`, without indentation.
    pub upgrade: Vec<String>,
    pub downgrade: Vec<String>,
}

impl RevisionFile {
    /// The file's text, laid out as rustfmt lays it out (edition 2021, default settings).
    /// opdb lays it out itself (running rustfmt on a 1,000-table revision took half a second),
    /// and a test (`tests/codegen.rs`) holds that layout to `rustfmt --check` on the opDB's
    /// revisions and on 900 random ones. Where rustfmt's own measure of a code line is
    /// uncertain (text outside ASCII, which it measures now in bytes, now in columns, or a line
    /// too long for any layout), rustfmt itself lays the file out when it is installed.
    pub fn render(&self) -> String {
        let text = self.layout();
        let uncertain = text
            .lines()
            .filter(|l| !l.starts_with("//!"))
            .any(|l| !l.is_ascii() || l.len() > 100);
        match uncertain {
            true => rustfmt(&text).unwrap_or(text),
            false => text,
        }
    }

    /// The file's text. Every text from outside (message, ids, object names, comments,
    /// defaults) reaches the source only through [`doc_text`] in the header or
    /// [`string_literal`] in the code.
    pub fn layout(&self) -> String {
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| string_literal(s)).collect();
            format!("&[{}]", items.join(", "))
        };
        let mut s = String::new();
        let mut header = |line: &str| {
            s.push_str(format!("//! {line}").trim_end());
            s.push('\n');
        };
        header(&doc_text(&self.message));
        header("");
        header(&format!("Revision ID: {}", doc_text(&self.id)));
        header(&format!("Revises: {}", doc_text(&self.down.join(", "))));
        header(&format!("Create Date: {}", doc_text(&self.create_date)));
        if !self.notes.is_empty() {
            header("");
            for note in &self.notes {
                header(&doc_text(note));
            }
        }
        s.push_str("\nuse migration::prelude::*;\n\n");
        s.push_str(&format!(
            "pub const REVISION: &str = {};\n",
            string_literal(&self.id)
        ));
        s.push_str(&format!(
            "pub const DOWN_REVISION: &[&str] = {};\n",
            list(&self.down)
        ));
        s.push_str(&format!(
            "pub const BRANCH_LABELS: &[&str] = {};\n",
            list(&self.branch_labels)
        ));
        s.push_str(&format!(
            "pub const DEPENDS_ON: &[&str] = {};\n",
            list(&self.depends_on)
        ));
        for (name, body) in [("upgrade", &self.upgrade), ("downgrade", &self.downgrade)] {
            s.push_str(&format!("\npub fn {name}(op: &mut Ops) {{\n"));
            for line in body {
                if line.is_empty() {
                    s.push('\n');
                } else {
                    s.push_str(&format!("    {line}\n"));
                }
            }
            s.push_str("}\n");
        }
        s
    }
}

/// `text` as a Rust string literal, quotes included. Rust's own `Debug` for `str` escapes
/// `"`, `\\`, every line break (`\\n`, `\\r`, U+0085, U+2028, U+2029), control characters and
/// the bidirectional overrides rustc refuses in literals, as `\\u{..}`; what it leaves is
/// printable and means itself inside `"..."`.
pub fn string_literal(text: &str) -> String {
    format!("{text:?}")
}

/// `text` made safe for a `//!` line: what could end the line, upset rustc (a bare `\\r`,
/// bidirectional overrides) or hide from a reader (control, invisible and line-break
/// characters) is written as a Rust escape (`\\n`, `\\r`, `\\t`, `\\u{2028}`), and `\\` itself
/// as `\\\\`, so that [`unescape_line`] reads back exactly `text`.
pub fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out
}

/// The text [`doc_text`] escaped. A backslash that starts no escape stays as it is, so hand
/// written headers read as written.
pub fn unescape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let simple = match tail.chars().next() {
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('0') => Some('\0'),
            Some('\\') => Some('\\'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            rest = &tail[1..];
            continue;
        }
        let code = tail
            .strip_prefix("u{")
            .and_then(|t| t.split_once('}'))
            .and_then(|(hex, after)| {
                let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
                Some((c, after))
            });
        match code {
            Some((c, after)) => {
                out.push(c);
                rest = after;
            }
            None => {
                out.push('\\');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `source` laid out by rustfmt (edition 2021, read from stdin), or `None` when rustfmt is
/// not installed, fails (a syntax error) or writes nothing. `$RUSTFMT` names another binary.
pub fn rustfmt(source: &str) -> Option<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(program)
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = source.to_string();
    // Written from a thread of its own: rustfmt may write before it has read everything.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    let written = writer.join().ok().and_then(Result::ok);
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && written.is_some() && !text.trim().is_empty()).then_some(text)
}

/// A new revision id: 12 hex digits, like alembic's.
pub fn new_revision_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_files_parse_back() {
        let file = RevisionFile {
            id: "1a2b3c4d5e6f".into(),
            message: "Add cobra table".into(),
            down: vec!["0f0f0f0f0f0f".into()],
            create_date: "2026-11-21 05:00:00".into(),
            upgrade: vec!["op.drop_table(\"x\");".into()],
            ..RevisionFile::default()
        };
        let text = file.render();
        let header = Header::parse(&text);
        assert_eq!(header.message, "Add cobra table");
        assert_eq!(header.create_date, "2026-11-21 05:00:00");
        assert!(text.contains("pub const DOWN_REVISION: &[&str] = &[\"0f0f0f0f0f0f\"];"));
        assert_eq!(slug("Add cobra table, v2!"), "add_cobra_table_v2");
        assert_eq!(new_revision_id().len(), 12);
    }

    /// What could end a `//!` line or a string literal, or hide from a reader.
    const HOSTILE: &str = "x\n#[used] static INJECTED: &str = \"...\"; //\r\n\r \\ \\n */ // \
                           \u{2028}\u{2029}\u{85}\u{202e}\u{2066}\u{1b}\u{7f}\t\0 \\u{41} end";

    #[test]
    fn hostile_header_texts_stay_on_their_lines_and_read_back() {
        let file = RevisionFile {
            id: "1a2b3c4d5e6f".into(),
            message: HOSTILE.into(),
            down: vec!["0f0f0f0f0f0f".into()],
            create_date: "2026-11-21 05:00:00".into(),
            notes: vec![format!("- add index {HOSTILE} on t"), String::new()],
            upgrade: vec!["op.drop_table(\"x\");".into()],
            ..RevisionFile::default()
        };
        let text = file.layout();
        let header: Vec<&str> = text.split('\n').take_while(|l| !l.is_empty()).collect();
        assert_eq!(header.len(), 8, "{text}");
        for line in &header {
            assert!(line.starts_with("//!"), "{line:?}");
            assert!(
                !line.contains(['\r', '\u{2028}', '\u{2029}', '\u{85}', '\u{202e}']),
                "{line:?}"
            );
        }
        assert!(!text.contains('\r'));
        assert_eq!(text.matches("INJECTED").count(), 2, "{text}");
        assert_eq!(Header::parse(&text).message, HOSTILE);
        assert_eq!(Header::parse(&file.render()).message, HOSTILE);
        for plain in [
            "Add cobra table",
            "C:\\temp \\d+ stays",
            "\"quoted\" 'too' ünïcode",
        ] {
            assert_eq!(unescape_line(&doc_text(plain)), plain);
        }
        assert_eq!(doc_text("a\nb\\"), "a\\nb\\\\");
        assert_eq!(
            unescape_line("stray \\q and \\u{zz}"),
            "stray \\q and \\u{zz}"
        );
    }

    #[test]
    fn string_literals_escape_every_line_break_and_control() {
        let lit = string_literal(HOSTILE);
        assert!(lit.starts_with('"') && lit.ends_with('"'));
        let inner = &lit[1..lit.len() - 1];
        assert!(!inner.chars().any(|c| c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')));
        assert!(!inner.replace("\\\\", "").replace("\\\"", "").contains('"'));
    }

    #[test]
    fn messages_with_line_breaks_stay_on_the_first_line_and_read_back() {
        for message in [
            "Add\nthe table",
            "Add\r\nthe table\r",
            "two\n\nparagraphs\u{2028}",
        ] {
            let file = RevisionFile {
                id: "1a2b3c4d5e6f".into(),
                message: message.into(),
                ..RevisionFile::default()
            };
            let text = file.render();
            assert!(text.split('\n').nth(1) == Some("//!"), "{text}");
            assert_eq!(Header::parse(&text).message, message);
        }
    }

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
        ] {
            std::fs::write(&toml, text).unwrap();
            let e = format!("{:#}", ScriptDir::open(&root, "db").unwrap_err());
            assert!(e.contains("alembic.toml: ") && e.contains(expected), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
