//! No password leaves the process: every malformed or failing URL, from each place a URL comes
//! from, gives one line that names the URL with its password hidden and exits non-zero; and a
//! run with a password in its URL prints it nowhere (output, `--sql` scripts, errors) and
//! stores it nowhere (the history table). The real `opdb` binary runs each case.

mod common;

use sea_orm::{ConnectionTrait, Statement};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every spelling of the test password a message could hold.
const FORMS: &[&str] = &[
    "s3cr/et",
    "s3cr%2Fet",
    "s3cr?et",
    "s3cr#et",
    "hunter2pw",
    "Hunter2Pw",
];

fn assert_clean(what: &str, text: &str) {
    for form in FORMS {
        assert!(
            !text.contains(form),
            "{what} shows the password ({form}):\n{text}"
        );
    }
}

fn opdb(args: &[&str], env: &[(&str, &str)], root: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opdb"));
    if let Some(root) = root {
        cmd.arg("--root").arg(root);
    }
    cmd.args(args).env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running opdb")
}

/// A project folder with a copy of the opDB's script directory (its revisions match the
/// binary's), so that its `db.cfg` can be written.
fn project(test: &str) -> PathBuf {
    common::opdb_project(&format!("secrets-{test}"), None)
}

/// Each URL that cannot be used: (URL, what the one-line error must say).
const BAD: &[(&str, &str)] = &[
    (
        "postgres://pfs:s3cr/et@127.0.0.1:5432/opdb",
        "percent-encode",
    ),
    (
        "postgres://pfs:s3cr?et@127.0.0.1:5432/opdb",
        "percent-encode",
    ),
    (
        "postgres://pfs:s3cr#et@127.0.0.1:5432/opdb",
        "percent-encode",
    ),
    (
        "postgres://pfs:hunter2pw@127.0.0.1:99999/opdb",
        "port '99999'",
    ),
    (
        "postgres://pfs:hunter2pw@127.0.0.1:port/opdb",
        "port 'port'",
    ),
    ("mysql://pfs:hunter2pw@127.0.0.1/opdb", "not supported yet"),
    (
        "postgress://pfs:hunter2pw@127.0.0.1/opdb",
        "did you mean postgres://",
    ),
    (
        "postgresql+psycopg2://pfs:hunter2pw@127.0.0.1/opdb",
        "SQLAlchemy",
    ),
    (
        "postgres://pfs@127.0.0.1:1/opdb?password=hunter2pw",
        "connection refused",
    ),
    (
        "postgres://pfs:hunter2pw@127.0.0.1:1/opdb",
        "connection refused",
    ),
    (
        "postgres://pfs:hunter2pw@no-such-host.invalid/opdb",
        "unknown host",
    ),
    ("hunter2pw", "not a database URL"),
];

#[test]
fn bad_urls_give_one_line_without_the_password_from_every_source() {
    let root = project("bad");
    for (url, expected) in BAD {
        let cfg = root.join("alembic/opdb/db.cfg");
        std::fs::write(&cfg, format!("{url}\n")).unwrap();
        let mut runs = vec![
            ("--url", opdb(&["--url", url, "current"], &[], Some(&root))),
            (
                "DATABASE_URL",
                opdb(&["current"], &[("DATABASE_URL", url)], Some(&root)),
            ),
            ("alembic/opdb/db.cfg", opdb(&["current"], &[], Some(&root))),
            (
                "--from",
                opdb(&["diff", "--from", url, "--to", "model"], &[], Some(&root)),
            ),
        ];
        // Offline scripts never connect, but still read the URL's backend.
        if !matches!(*expected, "connection refused" | "unknown host") {
            let sql = opdb(
                &["--url", url, "upgrade", "head", "--sql"],
                &[],
                Some(&root),
            );
            runs.push(("--url", sql));
        }
        for (source, out) in runs {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{url} via {source}: {stderr}");
            assert_clean(&format!("{url} via {source}"), &format!("{stdout}{stderr}"));
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(
                lines.len(),
                1,
                "{url} via {source}: not one line:\n{stderr}"
            );
            assert!(lines[0].starts_with("error: "), "{stderr}");
            assert!(lines[0].contains(expected), "{url} via {source}: {stderr}");
            assert!(
                lines[0].contains(source),
                "{url}: does not name {source}: {stderr}"
            );
            assert!(!lines[0].contains("at line"), "{stderr}");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A connection failure names its real cause, not "pool timed out", and fails fast.
#[test]
fn connection_failures_say_why() {
    let started = std::time::Instant::now();
    let out = opdb(
        &[
            "--url",
            "postgres://pfs:hunter2pw@127.0.0.1:1/opdb",
            "check",
        ],
        &[],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("pool timed out"), "{stderr}");
    assert!(
        started.elapsed().as_secs() < 4,
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_password_in_the_url_appears_nowhere() {
    let Some(db) = common::pg("secrets_run").await else {
        return;
    };
    // Trust authentication accepts any password: the URL carries one, as a user's would.
    let url = db.url.replacen("://postgres@", "://postgres:Hunter2Pw@", 1);
    let with_query = format!("{}?password=Hunter2Pw", db.url);
    assert_ne!(url, db.url, "the test URL should carry a password");
    let mut seen = String::new();
    for args in [
        vec!["--url", &url, "upgrade", "head"],
        vec!["--url", &url, "current", "--verbose"],
        vec!["--url", &with_query, "history", "--applied"],
        vec!["--url", &url, "check"],
        vec!["--url", &url, "upgrade", "head", "--sql"],
        vec!["--url", &url, "downgrade", "head:base", "--sql"],
        vec!["--url", &url, "stamp", "head", "--sql"],
        vec!["diff", "--from", &url, "--to", "model", "--sql"],
        vec!["diff", "--from", &with_query, "--to", "model"],
        vec!["--url", &url, "upgrade", "no_such_revision"],
        vec!["--url", &url, "downgrade", "+1"],
    ] {
        let out = opdb(&args, &[], None);
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        seen.contains("Database is at"),
        "the run did not happen:\n{seen}"
    );
    assert_clean("the output", &seen);
    let conn = db.connect().await;
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(h.* AS TEXT) AS row FROM opdb_history h",
        ))
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert_clean(
            "the history table",
            &r.try_get::<String>("", "row").unwrap(),
        );
    }
}
