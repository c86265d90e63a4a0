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
    cmd.arg("--host")
        .arg(options.get_host())
        .arg("--port")
        .arg(options.get_port().to_string())
        .arg("--username")
        .arg(options.get_username())
        .arg("--dbname")
        .arg(database)
        // Never a password prompt: a password the URL lacks is an error, not a wait.
        .arg("--no-password");
    match password(url) {
        Some(p) => cmd.env("PGPASSWORD", p),
        None => cmd.env_remove("PGPASSWORD"),
    };
    Ok(cmd)
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
