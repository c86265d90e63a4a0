//! Compiles the revisions in: every `alembic/<name>/versions/*.rs` becomes a module of the
//! binary, listed in `compiled_scripts()`. No hand registration; `trash/` is never compiled.
//!
//! Cargo reruns this when a `versions/` folder changes, and only then: not when the embedded
//! SQLite database, `db.cfg` or `trash/` beside them are written (a directory named in
//! `rerun-if-changed` is watched with everything under it). A new script directory is picked
//! up because `opdb init` touches this file.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("alembic");
    println!("cargo:rerun-if-changed=build.rs");
    let mut modules = String::new();
    let mut scripts = String::from("/// The revisions of every script directory, as compiled.\n");
    scripts.push_str("pub fn compiled_scripts() -> Vec<migration::CompiledScripts> {\n    vec![\n");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut n = 0;
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let versions = dir.join("versions");
        println!("cargo:rerun-if-changed={}", versions.display());
        // The settings too, for the binary to run where its source tree is not.
        let settings = dir.join("alembic.toml");
        println!("cargo:rerun-if-changed={}", settings.display());
        let settings = match settings.is_file() {
            true => format!("Some(include_str!({:?}))", settings.display().to_string()),
            false => "None".to_string(),
        };
        let mut files: Vec<_> = std::fs::read_dir(&versions)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "rs"));
        files.sort();
        let _ = writeln!(
            scripts,
            "        migration::CompiledScripts {{\n            database: {name:?},\n            revisions: vec!["
        );
        for file in files {
            println!("cargo:rerun-if-changed={}", file.display());
            let path = file.display().to_string();
            let file_name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let module = format!("revision_{n}");
            n += 1;
            let _ = writeln!(
                modules,
                "#[allow(unused_variables, unused_imports, dead_code)]\n#[path = {path:?}]\nmod {module};"
            );
            let _ = writeln!(
                scripts,
                "                migration::compiled_revision!({file_name:?}, include_str!({path:?}), {module}),"
            );
        }
        let _ = writeln!(
            scripts,
            "            ],\n            settings: {settings},\n        }},"
        );
    }
    scripts.push_str("    ]\n}\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("revisions.rs");
    std::fs::write(out, modules + "\n" + &scripts).expect("writing revisions.rs");
}
