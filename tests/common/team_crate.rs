//! A team's crate, built for real in a test: generated entity modules under `src/entities/`,
//! the script directories under `alembic/`, the root `build.rs` as it is, and a `main.rs`
//! that lists the entities (and calls `model::declare` when `model.rs` exists). Every such
//! crate of a test run builds in one target folder (`<this build's target>/team-crates`), so
//! the dependencies compile once.
//!
//! The one place that writes the crate's `build.rs` and `main.rs`: when the engine offers
//! them as library calls, this function changes, and no test does.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes the crate `package` at `root` (whose `src/entities/` holds the generated modules and
/// `alembic/<database>` its script directory) and builds it with `cargo build --offline`; the
/// binary built, or cargo's output when the build fails.
pub fn build(root: &Path, package: &str, database: &str) -> Result<PathBuf, String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = workspace.join("migration");
    let manifest = std::fs::read_to_string(workspace.join("Cargo.toml")).unwrap();
    let sea_orm = manifest
        .lines()
        .find(|l| l.starts_with("sea-orm = "))
        .expect("the workspace's sea-orm dependency");
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nmigration = {{ path = {:?} }}\n{sea_orm}\n\n[workspace]\n",
            engine.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::copy(workspace.join("build.rs"), root.join("build.rs")).unwrap();
    let entities = root.join("src/entities");
    let mut modules: Vec<String> = std::fs::read_dir(&entities)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    modules.sort();
    let mut main = String::from(
        "//! A team's binary: its generated entities and the revisions build.rs compiles in.\n\n\
         use std::path::Path;\nuse std::process::ExitCode;\n\n\
         include!(concat!(env!(\"OUT_DIR\"), \"/revisions.rs\"));\n\n",
    );
    for m in &modules {
        main.push_str(&format!(
            "#[allow(dead_code)]\n#[path = \"entities/{m}.rs\"]\nmod {m};\n"
        ));
    }
    main.push_str("\nfn entities() -> migration::EntitySet {\n    let mut set = migration::EntitySet::new();\n");
    for m in modules.iter().filter(|m| *m != "model") {
        main.push_str(&format!("    set.add({m}::Entity);\n"));
    }
    if modules.iter().any(|m| m == "model") {
        main.push_str("    model::declare(&mut set);\n");
    }
    main.push_str(&format!(
        "    set\n}}\n\nfn main() -> ExitCode {{\n    migration::start(\n        compiled_scripts(),\n        \
         &[migration::EntityModel {{\n            database: {database:?},\n            entities,\n        }}],\n        \
         Path::new(env!(\"CARGO_MANIFEST_DIR\")),\n    )\n}}\n"
    ));
    std::fs::write(root.join("src/main.rs"), main).unwrap();
    // target/debug/deps/<test> → target
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().join("team-crates");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    if !built.status.success() {
        return Err(String::from_utf8_lossy(&built.stderr).into_owned());
    }
    Ok(target.join("debug").join(package))
}

/// Runs the team's `binary` with `args` in `root`: its exit status, standard output and error.
pub fn run(binary: &Path, root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(binary)
        .args(["--root", root.to_str().unwrap()])
        .args(args)
        .current_dir(root)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the team's binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
