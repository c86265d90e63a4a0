//! Scratch copies of a database, for rehearsals: the whole database copied to a new one on the
//! same server (or a new file beside a SQLite database), named `<db>_rehearsal_<pid>_<n>` so
//! that a copy left behind is recognized, and dropped afterwards.
//!
//! PostgreSQL copies with `CREATE DATABASE .. TEMPLATE` when nobody else is connected to the
//! database (a file-level copy, the fastest), else with `pg_dump --format=custom | pg_restore`
//! into a new database (the source may be in use meanwhile; the dump is one snapshot). SQLite
//! copies with `VACUUM INTO`, which reads the database in one transaction and writes nothing to
//! it. Nothing is ever written to the source.

use crate::db::connect_to;
use crate::ddl::{ident, literal};
use crate::url::{pg_database, sqlite_file, with_database, DbUrl, UrlSource};
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A copy of a database, dropped by [`Scratch::drop`] (or, if that never runs, when the value
/// goes: a panic still takes the copy with it).
pub struct Scratch {
    /// The copy's URL.
    pub url: DbUrl,
    /// The copy's name: the database's on PostgreSQL, the file's path on SQLite.
    pub name: String,
    /// How it was made, for the report.
    pub how: String,
    kind: Kind,
    dropped: bool,
}

enum Kind {
    Postgres { admin: DbUrl },
    Sqlite { file: PathBuf },
}

/// A new name `<db>_rehearsal_<pid>_<n>_<clock>`, at most `max` bytes (the database's part cut
/// short): the clock's nanoseconds tell apart two runs with one process id (containers, where
/// every run is process 1).
fn scratch_name(db: &str, max: usize) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let suffix = format!(
        "_rehearsal_{}_{}_{clock:08x}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut base = String::new();
    for c in db.chars() {
        if base.len() + c.len_utf8() + suffix.len() > max {
            break;
        }
        base.push(c);
    }
    base + &suffix
}

impl Scratch {
    /// Copies the database of `source` into a new scratch database beside it.
    pub async fn copy(source: &DbUrl) -> Result<Scratch> {
        match source.backend()? {
            DbBackend::Postgres => copy_postgres(source).await,
            _ => copy_sqlite(source).await,
        }
    }

    /// Drops the copy; an error says which copy is left, and how to drop it by hand.
    pub async fn drop(mut self) -> Result<()> {
        self.dropped = true;
        match &self.kind {
            Kind::Postgres { admin } => drop_postgres(admin, &self.name).await,
            Kind::Sqlite { file } => remove_sqlite(file),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let done = match &self.kind {
            Kind::Sqlite { file } => remove_sqlite(file),
            Kind::Postgres { admin } => {
                // From a thread of its own: a `Drop` may run inside the runtime, which cannot
                // be blocked on.
                let (admin, name) = (admin.clone(), self.name.clone());
                std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .context("starting a runtime to drop the scratch copy")?
                        .block_on(drop_postgres(&admin, &name))
                })
                .join()
                .unwrap_or_else(|_| bail!("dropping the scratch copy {} panicked", self.name))
            }
        };
        if let Err(e) = done {
            eprintln!("warning: {}", crate::url::scrub(&format!("{e:#}")));
        }
    }
}

/// The database to connect to while creating and dropping copies of `db`: never `db` itself,
/// since a template must have no other session.
fn maintenance_db(db: &str) -> &'static str {
    match db {
        "postgres" => "template1",
        _ => "postgres",
    }
}

async fn copy_postgres(source: &DbUrl) -> Result<Scratch> {
    let db = pg_database(&source.url)?;
    let admin = DbUrl::new(
        with_database(&source.url, maintenance_db(&db)),
        source.source.clone(),
    );
    let name = scratch_name(&db, 63);
    let url = with_database(&source.url, &name);
    // The copy's URL must name the copy, whatever else the URL says (a `dbname=` parameter):
    // a rehearsal never runs on the database itself.
    if pg_database(&url)? != name || pg_database(&admin.url)? != maintenance_db(&db) {
        bail!(
            "cannot point {source} at another database on its server (does it name the database \
             twice, as with ?dbname=?): give the database in the URL's path alone"
        );
    }
    let conn = connect_to(&admin, None).await?;
    // Not the scratch's to drop until it has made the database (a name another run took must
    // not be dropped by this one).
    let scratch = Scratch {
        url: DbUrl::new(url, source.source.clone()),
        name: name.clone(),
        how: String::new(),
        kind: Kind::Postgres {
            admin: admin.clone(),
        },
        dropped: true,
    };
    let others = conn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            [db.clone().into()],
        ))
        .await
        .context("counting the sessions on the database")?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let mut scratch = scratch;
    let template = match others {
        0 => {
            let sql = format!("CREATE DATABASE {} TEMPLATE {}", ident(&name), ident(&db));
            conn.execute_unprepared(&sql).await.map(|_| ())
        }
        _ => Ok(()),
    };
    match (others, template) {
        (0, Ok(())) => {
            scratch.dropped = false;
            scratch.how = format!("CREATE DATABASE {} TEMPLATE {}", ident(&name), ident(&db));
            conn.close().await.ok();
            return Ok(scratch);
        }
        (0, Err(e)) => {
            scratch.how = format!(
                "pg_dump | pg_restore (TEMPLATE was refused: {})",
                crate::url::scrub(&e.to_string())
            )
        }
        (n, _) => {
            scratch.how = format!(
                "pg_dump | pg_restore ({n} other session{} on {db})",
                if n == 1 { "" } else { "s" }
            )
        }
    }
    crate::pg_tools::require("pg_dump")?;
    crate::pg_tools::require("pg_restore")?;
    conn.execute_unprepared(&format!(
        "CREATE DATABASE {} TEMPLATE template0",
        ident(&name)
    ))
    .await
    .with_context(|| format!("creating the scratch database {name}"))?;
    scratch.dropped = false;
    conn.close().await.ok();
    let (url, from, to) = (source.url.clone(), db.clone(), name.clone());
    tokio::task::spawn_blocking(move || dump_restore(&url, &from, &to))
        .await
        .context("copying the database")??;
    Ok(scratch)
}

/// `pg_dump --format=custom DB | pg_restore --dbname SCRATCH`, stopping at the first error.
fn dump_restore(url: &str, from: &str, to: &str) -> Result<()> {
    let what = format!("copying {from} into {to}");
    let mut dump = crate::pg_tools::command("pg_dump", url, from)?
        .arg("--format=custom")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{what}: cannot run pg_dump"))?;
    let piped = dump.stdout.take().context("pg_dump's output")?;
    let restore = crate::pg_tools::command("pg_restore", url, to)?
        .args(["--no-owner", "--exit-on-error"])
        .stdin(piped)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{what}: cannot run pg_restore"))?;
    let restored = restore.wait_with_output()?;
    let dumped = dump.wait_with_output()?;
    if !dumped.status.success() {
        bail!(
            "{what}: pg_dump failed: {}",
            crate::pg_tools::stderr_line(&dumped.stderr)
        );
    }
    if !restored.status.success() {
        bail!(
            "{what}: pg_restore failed: {}",
            crate::pg_tools::stderr_line(&restored.stderr)
        );
    }
    Ok(())
}

async fn drop_postgres(admin: &DbUrl, name: &str) -> Result<()> {
    let left = || {
        format!(
            "dropping the scratch database {name} (drop it by hand: DROP DATABASE {} WITH \
             (FORCE))",
            ident(name)
        )
    };
    let conn = connect_to(admin, None).await.with_context(left)?;
    let dropped = conn
        .execute_unprepared(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            ident(name)
        ))
        .await;
    conn.close().await.ok();
    dropped.with_context(left)?;
    Ok(())
}

async fn copy_sqlite(source: &DbUrl) -> Result<Scratch> {
    let Some(file) = sqlite_file(&source.url) else {
        bail!("{source} is an in-memory SQLite database: there is nothing to copy; use a file");
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "db".into());
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let copy = file.with_file_name(format!("{}{ext}", scratch_name(&stem, 200)));
    // The path percent-encoded where a URL would read it otherwise, and checked read back.
    let mut path = String::new();
    for c in copy.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => path.push_str(&format!("%{:02X}", c as u32)),
            c => path.push(c),
        }
    }
    let url = format!("sqlite://{path}?mode=rwc");
    if sqlite_file(&url).as_deref() != Some(copy.as_path()) {
        bail!(
            "cannot name a copy beside {} in a URL: move the database to a folder whose path \
             a URL can hold",
            file.display()
        );
    }
    let mut scratch = Scratch {
        url: DbUrl::new(url, UrlSource::Option("--url")),
        name: copy.display().to_string(),
        how: "VACUUM INTO".into(),
        kind: Kind::Sqlite { file: copy.clone() },
        // Not the scratch's to remove until it has made the file.
        dropped: true,
    };
    if !file.exists() {
        // No database yet: the rehearsal starts from an empty one, as `upgrade` would (and the
        // source is not created by connecting to it).
        scratch.how = "a new empty file (the database does not exist yet)".into();
        scratch.dropped = false;
        return Ok(scratch);
    }
    let db = connect_to(source, None).await?;
    let copied = db
        .execute_unprepared(&format!("VACUUM INTO {}", literal(&copy.to_string_lossy())))
        .await;
    db.close().await.ok();
    copied.with_context(|| format!("copying {} to {}", file.display(), copy.display()))?;
    scratch.dropped = false;
    Ok(scratch)
}

/// Removes a SQLite copy and what lives beside it (the runner's lock file, SQLite's journals).
fn remove_sqlite(file: &std::path::Path) -> Result<()> {
    for suffix in ["", "-lock", "-wal", "-shm", "-journal"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| {
                    format!(
                        "removing the scratch copy {} (remove it by hand)",
                        PathBuf::from(path).display()
                    )
                })
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn scratch_names_are_recognizable_and_short_enough() {
        let name = super::scratch_name(&"d".repeat(100), 63);
        assert!(name.len() <= 63, "{name}");
        assert!(name.contains("_rehearsal_"), "{name}");
        assert_ne!(super::scratch_name("db", 63), super::scratch_name("db", 63));
    }
}
