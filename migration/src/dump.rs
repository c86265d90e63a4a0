//! The reference schema: the model as PostgreSQL itself writes it down, for model-consistency
//! tests that must follow the entities as they change.
//!
//! The model is applied to a scratch database on a PostgreSQL server and `pg_dump
//! --schema-only --no-owner` reads it back, so the text comes from the server, not from opdb's
//! own renderer; `pg_dump`'s comments, blank-line runs and its per-run `\restrict` key are
//! dropped so the same model always gives the same file. The scratch database is dropped
//! afterwards, whatever happens.

use crate::autogenerate::{self, Hints};
use crate::schema::Schema;
use crate::url::{DbUrl, UrlSource};
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend};
use std::process::Command;

/// The reference schema of `model`, made on the server `server` points at (any database on it).
pub async fn reference_schema(server: &DbUrl, model: &Schema, title: &str) -> Result<String> {
    if server.backend()? != DbBackend::Postgres {
        bail!(
            "dump-schema needs a PostgreSQL server to write the schema down: give --url \
             postgres://user@host/postgres (it creates and drops a scratch database there)"
        );
    }
    let scratch = format!(
        "opdb_dump_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let admin = crate::db::connect_to(server, None).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{scratch}\""))
        .await
        .with_context(|| format!("creating the scratch database {scratch}"))?;
    let dumped = dump_into(server, &scratch, model).await;
    let dropped = admin
        .execute_unprepared(&format!(
            "DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)"
        ))
        .await;
    admin.close().await.ok();
    let body = dumped?;
    dropped.with_context(|| format!("dropping the scratch database {scratch}"))?;
    Ok(format!(
        "-- {title} reference schema, generated from the entities by `{tool} dump-schema`:\n\
         -- the model applied to a scratch PostgreSQL database, dumped with pg_dump --schema-only\n\
         -- --no-owner (comments and repeated blank lines dropped). {} tables.\n\
         -- Load with: psql -v ON_ERROR_STOP=1 -d DB -f THIS_FILE\n\n\n{body}",
        model.tables.len(),
        tool = crate::tool::name()
    ))
}

async fn dump_into(server: &DbUrl, scratch: &str, model: &Schema) -> Result<String> {
    let options: sea_orm::sqlx::postgres::PgConnectOptions =
        server.url.parse().context("reading the server URL")?;
    let url = DbUrl::new(
        crate::url::with_database(&server.url, scratch),
        UrlSource::Option("--url"),
    );
    let db = crate::db::connect_to(&url, None).await?;
    // The model goes into the scratch database's one schema: a key the entities point into a
    // named schema is a key into it.
    let mut model = model.clone();
    for table in model.tables.values_mut() {
        for key in &mut table.foreign_keys {
            key.ref_schema = None;
        }
    }
    let ops = autogenerate::diff(&Schema::default(), &model, &Hints::default());
    let sql = crate::ddl::script(DbBackend::Postgres, &Schema::default(), &ops)?;
    let applied = db.execute_unprepared(&sql).await;
    db.close().await.ok();
    applied.context("applying the model to the scratch database")?;
    let mut cmd = Command::new("pg_dump");
    cmd.args(["--schema-only", "--no-owner"])
        .arg("--host")
        .arg(options.get_host())
        .arg("--port")
        .arg(options.get_port().to_string())
        .arg("--username")
        .arg(options.get_username())
        .arg("--dbname")
        .arg(scratch);
    // The password goes to pg_dump through its environment, never on its command line.
    if let Some(password) = crate::url::password(&server.url) {
        cmd.env("PGPASSWORD", password);
    }
    let out = cmd.output().map_err(|e| {
        anyhow::anyhow!("cannot run pg_dump ({e}): install PostgreSQL's client tools")
    })?;
    if !out.status.success() {
        bail!(
            "pg_dump failed: {}",
            crate::url::scrub(String::from_utf8_lossy(&out.stderr).trim())
        );
    }
    Ok(normalize_dump(&String::from_utf8_lossy(&out.stdout)))
}

/// pg_dump's text without what changes from run to run or version to version: comments, the
/// `\restrict` lines, runs of blank lines.
pub fn normalize_dump(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with("--") || line.starts_with('\\') {
            continue;
        }
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_lose_only_comments_keys_and_blank_runs() {
        let dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\nSET a = 0;\n\n\n\
                    CREATE TABLE t (\n    id integer\n);\n\n\\unrestrict abc\n\n";
        assert_eq!(
            normalize_dump(dump),
            "SET a = 0;\n\nCREATE TABLE t (\n    id integer\n);\n"
        );
    }
}
