//! A team's own crate, made by a test from `tests/template/` as a second team would make it
//! (the engine as a dependency, by path to the engine under test; `migration_build::build()`
//! in `build.rs`; `migration::main!()` in `src/main.rs`), built with cargo and run.
//!
//! Every such crate builds in one target folder beside this build's (`<target>/team-crates`),
//! so the dependencies compile once for all of them; cargo's own lock makes concurrent builds
//! wait for each other. Each crate's binary has a name of its own, since they share that
//! folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The engine's source tree (this workspace).
pub const ENGINE: &str = env!("CARGO_MANIFEST_DIR");

pub struct TeamCrate {
    pub dir: PathBuf,
    pub name: String,
}

impl TeamCrate {
    /// A crate whose package and binary are named `name` (unique among the tests), in a new
    /// folder of the temporary directory.
    pub fn new(name: &str) -> TeamCrate {
        let dir = std::env::temp_dir().join(format!("opdb-team-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_crate(&dir, name);
        TeamCrate {
            dir,
            name: name.to_string(),
        }
    }

    /// Writes `text` to `path` in the crate, making its folder.
    pub fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Copies the template's entity file `file` (`tests/template/entities/`) into the crate's
    /// `src/entity/`.
    pub fn add_entity(&self, file: &str) {
        let text =
            std::fs::read_to_string(Path::new(ENGINE).join("tests/template/entities").join(file))
                .unwrap();
        self.write(&format!("src/entity/{file}"), &text);
    }

    /// `cargo build`s the crate; panics with cargo's output when it fails.
    pub fn build(&self) {
        if let Err(e) = cargo_build(&self.dir) {
            panic!("building {}:\n{e}", self.name);
        }
    }

    /// The built binary.
    pub fn binary(&self) -> PathBuf {
        target_dir().join("debug").join(&self.name)
    }

    /// Runs the built binary in the crate's folder with `args`, no `DATABASE_URL`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(self.binary())
            .args(args)
            .current_dir(&self.dir)
            .env_remove("DATABASE_URL")
            .output()
            .expect("the team's binary runs")
    }
}

/// Makes `dir` the crate `name` from the template: its `Cargo.toml`, `build.rs`,
/// `src/main.rs` and the workspace's `Cargo.lock` (so the build needs no network). What is
/// already in `dir` (entity files, script directories) stays.
pub fn write_crate(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let template = Path::new(ENGINE).join("tests/template");
    let manifest = std::fs::read_to_string(template.join("Cargo.toml.template"))
        .unwrap()
        .replace("NAME", name)
        .replace("ENGINE", ENGINE);
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    for file in ["build.rs", "src/main.rs"] {
        std::fs::copy(template.join(file), dir.join(file)).unwrap();
    }
    std::fs::copy(Path::new(ENGINE).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

/// `cargo build` in `dir`, into the shared target folder; cargo's output when it fails.
fn cargo_build(dir: &Path) -> Result<(), String> {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// Makes `root` (whose `src/entity/` holds entity modules, generated or written, and
/// `alembic/` its script directories) the crate `package` and builds it: its binary, or
/// cargo's output when the build fails.
pub fn build(root: &Path, package: &str) -> Result<PathBuf, String> {
    write_crate(root, package);
    cargo_build(root)?;
    Ok(target_dir().join("debug").join(package))
}

/// Runs the team's `binary` with `args` in `root` (`--root root`): its exit status, standard
/// output and error.
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

impl Drop for TeamCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `<target>/team-crates`: the test binary is `<target>/debug/deps/<test>`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().join("team-crates")
}

/// What a run printed, both streams.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
