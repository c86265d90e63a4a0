//! Backups taken before an upgrade, and putting one back.
//!
//! PostgreSQL: `pg_dump --format=custom` of the schemas the script directory manages, restored
//! with `pg_restore --clean --if-exists` in one transaction (all of it or nothing). SQLite:
//! `VACUUM INTO` a new file (one consistent snapshot, the database itself not written),
//! restored by copying the file back under the runner's lock. A backup is named by database,
//! revision and UTC time (`opdb_1e0c7d5a9b22_20261121T101502Z.dump`) and written under a
//! temporary name first, so a file with the final name is always a whole backup.

use crate::ddl::{ident, literal};
use crate::pg_tools;
use crate::url::{pg_database, sqlite_file, DbUrl};
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// A file or database name part: letters, digits, `_`, `-` and `.` kept, the rest `_`.
fn file_part(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            true => c,
            false => '_',
        })
        .collect()
}

/// The database's name, for a backup's file name: a PostgreSQL database's, a SQLite file's
/// stem.
fn database_label(url: &DbUrl) -> Result<String> {
    Ok(match url.backend()? {
        DbBackend::Postgres => pg_database(&url.url)?,
        _ => sqlite_file(&url.url)
            .and_then(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "sqlite".into()),
    })
}

/// A new backup file in `dir` for the database of `url` at `revision`: `<db>_<rev>_<UTC>.dump`
/// (`.sqlite` for SQLite), a `-N` added if one of that name exists.
fn backup_path(dir: &Path, url: &DbUrl, revision: &str) -> Result<PathBuf> {
    let ext = match url.backend()? {
        DbBackend::Postgres => "dump",
        _ => "sqlite",
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!(
        "{}_{}_{stamp}",
        file_part(&database_label(url)?),
        file_part(revision)
    );
    let mut path = dir.join(format!("{base}.{ext}"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.{ext}"));
        n += 1;
    }
    Ok(path)
}

/// Fails, naming the missing tool, when the client tools a backup of `url` needs are not here
/// (PostgreSQL's `pg_dump`; SQLite needs none).
pub fn check_tools(url: &DbUrl, tool: &str) -> Result<()> {
    match url.backend()? {
        DbBackend::Postgres => pg_tools::require(tool),
        _ => Ok(()),
    }
}

/// Backs up `schemas` of the database at `url` (at `revision`, for the name) into `dir`: the
/// file written, or `None` when there is nothing to back up yet (no schema, no file).
pub async fn take(
    url: &DbUrl,
    schemas: &[String],
    revision: &str,
    dir: &Path,
) -> Result<Option<PathBuf>> {
    check_tools(url, "pg_dump")?;
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "creating the backup folder {}: choose a folder you may write",
            dir.display()
        )
    })?;
    let path = backup_path(dir, url, revision)?;
    let mut partial = path.clone().into_os_string();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let taken = match url.backend()? {
        DbBackend::Postgres => take_postgres(url, schemas, &partial).await,
        _ => take_sqlite(url, &partial).await,
    };
    let taken = match taken {
        Ok(true) => std::fs::rename(&partial, &path)
            .with_context(|| format!("naming the backup {}", path.display()))
            .map(|_| Some(path)),
        Ok(false) => Ok(None),
        Err(e) => Err(e),
    };
    if taken.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    taken
}

/// `pg_dump --format=custom` of those of `schemas` that exist into `file`; `false` if none does.
async fn take_postgres(url: &DbUrl, schemas: &[String], file: &Path) -> Result<bool> {
    let db = crate::db::connect_to(url, None).await?;
    let mut present = Vec::new();
    for schema in schemas {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present",
                [schema.as_str().into()],
            ))
            .await?;
        if row.map(|r| r.try_get::<bool>("", "present")).transpose()? == Some(true) {
            present.push(schema.clone());
        }
    }
    db.close().await.ok();
    if present.is_empty() {
        return Ok(false);
    }
    let name = pg_database(&url.url)?;
    let mut cmd = pg_tools::command("pg_dump", &url.url, &name)?;
    cmd.arg("--format=custom").arg("--file").arg(file);
    for schema in &present {
        // Quoted, so that the name is matched as written, not as a pattern.
        cmd.arg(format!("--schema=\"{}\"", schema.replace('"', "\"\"")));
    }
    tokio::task::spawn_blocking(move || pg_tools::run(&mut cmd, "backing up the database"))
        .await
        .context("backing up the database")??;
    Ok(true)
}

/// `VACUUM INTO file`; `false` when the database file does not exist yet.
async fn take_sqlite(url: &DbUrl, file: &Path) -> Result<bool> {
    let Some(source) = sqlite_file(&url.url) else {
        bail!("{url} is an in-memory SQLite database: it cannot be backed up; use a file");
    };
    if !source.exists() {
        return Ok(false);
    }
    let db = crate::db::connect_to(url, None).await?;
    let done = db
        .execute_unprepared(&format!("VACUUM INTO {}", literal(&file.to_string_lossy())))
        .await;
    db.close().await.ok();
    done.with_context(|| format!("backing up {} into {}", source.display(), file.display()))?;
    Ok(true)
}

/// What a backup holds, for the question before restoring it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contents {
    /// PostgreSQL: the schemas in the dump, and its tables (schema, name).
    pub schemas: Vec<String>,
    pub tables: Vec<(String, String)>,
    /// PostgreSQL: the tables of those schemas the dump does not hold (made after it), which
    /// a restore drops.
    pub extra: Vec<(String, String)>,
}

/// Reads what the backup `file` holds, checking it is one for `url`'s backend, and which tables
/// of the database it does not hold.
pub async fn contents(url: &DbUrl, file: &Path) -> Result<Contents> {
    let mut found = listed(url, file)?;
    if url.backend()? == DbBackend::Postgres {
        let db = crate::db::connect_to(url, None).await?;
        for schema in &found.schemas {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n \
                     ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') \
                     ORDER BY 1",
                    [schema.as_str().into()],
                ))
                .await?;
            for r in rows {
                let name: String = r.try_get("", "name")?;
                if !found.tables.iter().any(|(s, t)| s == schema && *t == name) {
                    found.extra.push((schema.clone(), name));
                }
            }
        }
        db.close().await.ok();
    }
    Ok(found)
}

/// What the backup `file` lists, checking it is one for `url`'s backend.
fn listed(url: &DbUrl, file: &Path) -> Result<Contents> {
    if !file.is_file() {
        bail!("{} is not a file: give the path of a backup", file.display());
    }
    match url.backend()? {
        DbBackend::Postgres => {
            pg_tools::require("pg_restore")?;
            let mut cmd = std::process::Command::new("pg_restore");
            cmd.arg("--list").arg(file);
            let listed = pg_tools::run(&mut cmd, &format!("reading {}", file.display()))?;
            let mut found = Contents {
                schemas: Vec::new(),
                tables: Vec::new(),
                extra: Vec::new(),
            };
            for line in String::from_utf8_lossy(&listed.stdout).lines() {
                if line.starts_with(';') {
                    continue;
                }
                // `ID; OID OID KIND SCHEMA NAME OWNER`
                let fields: Vec<&str> = line.split_whitespace().collect();
                match fields.get(3..6) {
                    Some(["SCHEMA", "-", name]) => found.schemas.push(name.to_string()),
                    Some(["TABLE", schema, name]) if *schema != "DATA" => {
                        found.tables.push((schema.to_string(), name.to_string()))
                    }
                    _ => {}
                }
            }
            Ok(found)
        }
        _ => {
            let mut head = [0u8; 16];
            let read = std::fs::File::open(file)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
            if read.is_err() || &head != b"SQLite format 3\0" {
                bail!(
                    "{} is not a SQLite database: give a backup that `upgrade --backup` wrote",
                    file.display()
                );
            }
            Ok(Contents {
                schemas: Vec::new(),
                tables: Vec::new(),
                extra: Vec::new(),
            })
        }
    }
}

/// Puts the backup `file` (whose [`contents`] are `found`) back into the database of `url`.
pub async fn restore(url: &DbUrl, file: &Path, found: &Contents) -> Result<()> {
    match url.backend()? {
        DbBackend::Postgres => restore_postgres(url, file, found).await,
        _ => restore_sqlite(url, file),
    }
}

/// On PostgreSQL, in one transaction (psql's `--single-transaction`): every object of the
/// backup's schemas dropped (`public`'s one by one, so that it keeps its owner; another schema
/// whole, since the backup makes it again), then the backup's own statements (`pg_restore -f
/// -`). Whatever fails, the database is as it was: the objects made after the backup (tables,
/// views, sequences, functions, types) go with the rest only when the whole restore succeeds.
async fn restore_postgres(url: &DbUrl, file: &Path, found: &Contents) -> Result<()> {
    pg_tools::require("psql")?;
    let db = crate::db::connect_to(url, None).await?;
    let public: Vec<String> = found
        .schemas
        .iter()
        .filter(|s| *s == "public")
        .cloned()
        .collect();
    let listed = crate::wipe::drop_statements(&db, &public).await;
    db.close().await.ok();
    let mut drops = listed.context("listing the objects to replace")?;
    for schema in found.schemas.iter().filter(|s| *s != "public") {
        drops.push(format!("DROP SCHEMA IF EXISTS {} CASCADE", ident(schema)));
    }
    let name = pg_database(&url.url)?;
    let mut script: Vec<u8> = drops.join(";\n").into_bytes();
    script.extend_from_slice(b";\n");
    // The backup's table of contents less `public`'s CREATE SCHEMA: that schema stays (its
    // objects were dropped above), as it must for a role that does not own it.
    let mut list = std::process::Command::new("pg_restore");
    list.arg("--list").arg(file);
    let listed = pg_tools::run(&mut list, &format!("reading {}", file.display()))?;
    let kept: String = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(3..6) != Some(&["SCHEMA", "-", "public"][..])
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let list_file = std::env::temp_dir().join(format!(
        "{}-restore-{}.list",
        crate::tool::name(),
        std::process::id()
    ));
    std::fs::write(&list_file, kept)
        .with_context(|| format!("writing {}", list_file.display()))?;
    let mut sql = std::process::Command::new("pg_restore");
    sql.args(["--file", "-", "--use-list"])
        .arg(&list_file)
        .arg(file);
    let restored = pg_tools::run(&mut sql, &format!("reading {}", file.display()));
    let _ = std::fs::remove_file(&list_file);
    let restored = restored?;
    script.extend_from_slice(&restored.stdout);
    let mut psql = pg_tools::command("psql", &url.url, &name)?;
    psql.args(["-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"])
        .stdin(std::process::Stdio::piped());
    tokio::task::spawn_blocking(move || {
        pg_tools::run_with_input(
            &mut psql,
            &script,
            "restoring the backup (one transaction: nothing was changed)",
        )
    })
    .await
    .context("restoring the backup")??;
    Ok(())
}

/// Copies the backup over the database file, under the runner's lock (no run is under way),
/// through a temporary file renamed into place; SQLite's journals of the replaced file go.
fn restore_sqlite(url: &DbUrl, file: &Path) -> Result<()> {
    let Some(target) = sqlite_file(&url.url) else {
        bail!("{url} is an in-memory SQLite database: there is nothing to restore into");
    };
    let lock_path = crate::runtime::sqlite_lock_path(&url.url)
        .context("the SQLite database has no lock file")?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening the lock file {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        bail!(
            "another {} run is working on {}: restore when it is done",
            crate::tool::name(),
            target.display()
        );
    }
    let mut temporary = target.clone().into_os_string();
    temporary.push(".restoring");
    let temporary = PathBuf::from(temporary);
    let placed = std::fs::copy(file, &temporary)
        .with_context(|| format!("copying {} beside {}", file.display(), target.display()))
        .and_then(|_| {
            std::fs::rename(&temporary, &target)
                .with_context(|| format!("putting the backup in place of {}", target.display()))
        });
    if let Err(e) = placed {
        // The database and its journals are as they were.
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    // Only once the backup is in place: the replaced file's journals, which would otherwise be
    // read as the backup's.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut beside = target.clone().into_os_string();
        beside.push(suffix);
        let _ = std::fs::remove_file(beside);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::UrlSource;

    #[test]
    fn backups_are_named_by_database_revision_and_time() {
        let dir = std::env::temp_dir();
        let url = DbUrl::new("postgres://u:secret@h/lab", UrlSource::Env);
        let path = backup_path(&dir, &url, "1e0c7d5a9b22").unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("lab_1e0c7d5a9b22_2"), "{name}");
        assert_eq!(file_part("a b/c+d"), "a_b_c_d");
        assert!(name.ends_with("Z.dump"), "{name}");
        let url = DbUrl::new("sqlite:///x/lab.sqlite?mode=rwc", UrlSource::Env);
        let name = backup_path(&dir, &url, "base").unwrap();
        let name = name.file_name().unwrap().to_string_lossy();
        assert!(name.starts_with("lab_base_") && name.ends_with("Z.sqlite"), "{name}");
    }
}
