//! The command line's behaviour as a whole: its output when its reader goes away (`opdb history
//! | head -1` ends quietly, with the status a tool killed by SIGPIPE has, not with "error:
//! Broken pipe"), and the script directory it works on when not told.

use std::process::{Command, Stdio};

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // A pipe whose reader is gone before the binary starts: its first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_opdb"))
        .arg("history")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "", "nothing is said on the standard error");
    assert_eq!(out.status.code(), Some(141), "{:?}", out.status);
}

/// A team's binary built with one script directory (`lab`) works on it without `-n lab`; told
/// another name, it says that one is missing.
#[tokio::test]
async fn a_binary_with_one_script_directory_works_on_it_unnamed() {
    use clap::Parser;
    use migration::cli::{self, Cli};
    let root = std::env::temp_dir().join(format!("opdb-unnamed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    migration::script::ScriptDir::init(&root, "lab").unwrap();
    let scripts = [migration::script::CompiledScripts {
        database: "lab",
        revisions: Vec::new(),
        settings: None,
    }];
    let models = [migration::commands::EntityModel {
        database: "lab",
        entities: migration::EntitySet::new,
    }];
    let run = async |args: &[&str]| {
        let root_arg = root.display().to_string();
        let mut argv = vec!["opdb", "--root", root_arg.as_str()];
        argv.extend(args);
        let mut out = Vec::new();
        let done = Box::pin(cli::run(
            Cli::try_parse_from(argv).unwrap(),
            &scripts,
            &models,
            &root,
            &mut out,
        ))
        .await;
        (
            done.map_err(|e| cli::one_line(&e)),
            String::from_utf8(out).unwrap(),
        )
    };
    let (done, out) = run(&["current"]).await;
    assert!(done.is_ok(), "{done:?}");
    assert!(out.contains("(base): no revision applied"), "{out}");
    assert!(
        root.join("alembic/lab/lab.sqlite").exists(),
        "lab's own SQLite file"
    );
    let (done, _) = run(&["-n", "other", "current"]).await;
    assert!(
        done.as_ref()
            .unwrap_err()
            .contains("alembic/other: create it with `opdb init other`"),
        "{done:?}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
