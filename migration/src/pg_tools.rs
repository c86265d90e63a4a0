//! PostgreSQL's client tools (`pg_dump`, `pg_restore`), which backups and rehearsal copies run:
//! found before anything starts, with an error naming the missing tool and what to install;
//! run against the server of a URL with its host, port, user and database as arguments and the
//! password in the tool's environment (`PGPASSWORD`), never on a command line anyone can print.

use crate::url::{password, scrub};
use anyhow::{anyhow, bail, Context as _, Result};
use std::process::{Command, Output};

/// Fails, naming the tool and what to install, when `tool` does not run here.
pub fn require(tool: &str) -> Result<()> {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!(
            "{tool} --version failed ({}): reinstall PostgreSQL's client tools",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => bail!(
            "{tool} is not installed or not on PATH ({e}): install PostgreSQL's client tools \
             (postgresql-client on Debian and Ubuntu, libpq on Homebrew), of the server's major \
             version or newer"
        ),
    }
}

/// `tool` set up to reach database `database` on the server of `url` (a PostgreSQL URL): its
/// connection as arguments, the password in its environment.
pub fn command(tool: &str, url: &str, database: &str) -> Result<Command> {
    let options: sea_orm::sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|_| anyhow!("cannot read the URL {}", crate::url::redact(url)))?;
    let mut cmd = Command::new(tool);
    // A Unix socket's folder is libpq's host, as the URL's `?host=/dir` is sqlx's.
    let host = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => options.get_host().to_string(),
    };
    // The database as a connection string, quoted: libpq reads a bare name holding `=` as one.
    let quoted = database.replace('\\', "\\\\").replace('\'', "\\'");
    cmd.arg("--host")
        .arg(host)
        .arg("--port")
        .arg(options.get_port().to_string())
        .arg("--username")
        .arg(options.get_username())
        .arg("--dbname")
        .arg(format!("dbname='{quoted}'"))
        // Never a password prompt: a password the URL lacks is an error, not a wait.
        .arg("--no-password");
    // The URL's password, else whatever PGPASSWORD the tool itself connected with.
    if let Some(p) = password(url) {
        cmd.env("PGPASSWORD", p);
    }
    // TLS as the URL asks for it, so the client tools verify what the tool verified.
    for (param, variable) in [
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ] {
        if let Some(value) = query_param(url, param) {
            cmd.env(variable, value);
        }
    }
    Ok(cmd)
}

/// The value of the query parameter `name` of `url`, percent-decoded for the common cases.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.replace("%2F", "/").replace("%2f", "/").replace("%20", " "))
    })
}

/// [`run`] with `input` on the tool's standard input (written from a thread of its own, so
/// that a tool that answers while it reads cannot stall on a full pipe).
pub fn run_with_input(cmd: &mut Command, input: &[u8], what: &str) -> Result<Output> {
    use std::io::Write as _;
    let tool = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("{what}: cannot run {tool}"))?;
    let mut stdin = child.stdin.take().context("the tool's input")?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .with_context(|| format!("{what}: waiting for {tool}"))?;
    let _ = writer.join();
    if !out.status.success() {
        bail!("{what}: {tool} failed: {}", stderr_line(&out.stderr));
    }
    Ok(out)
}

/// Runs `cmd` (a client tool, doing `what`) to its end: its output, or its error message on
/// one line, passwords scrubbed.
pub fn run(cmd: &mut Command, what: &str) -> Result<Output> {
    let tool = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot run {tool}"))?;
    if !out.status.success() {
        bail!("{what}: {tool} failed: {}", stderr_line(&out.stderr));
    }
    Ok(out)
}

/// A tool's standard error as one line, passwords scrubbed.
pub fn stderr_line(stderr: &[u8]) -> String {
    scrub(
        &String::from_utf8_lossy(stderr)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}
