//! The build-script half of the engine: what a team's `build.rs` calls so that its binary has
//! its revisions and its entities compiled in, with no list kept by hand.
//!
//! - [`build`], in the `build.rs` of a team's binary: every `alembic/<name>/versions/*.rs`
//!   becomes a module of the binary, listed in `compiled_scripts()` with the folder's
//!   `alembic.toml` (so the binary also runs where its source tree is not); and, when the crate
//!   has a folder `src/entity/`, every file in it becomes a module and every entity in them part
//!   of the model. `migration::main!()` in `main.rs` takes both.
//! - [`entities`], in the `build.rs` of an entity crate (the opDB's `entity/`): the same for a
//!   folder of its own, taken by `migration::entities!()` in its `lib.rs`.
//! - [`revisions`]: the revisions only, for a binary whose entities are in another crate.
//!
//! An entity file is found by what it derives (`DeriveEntityModel` or `DeriveEntity`); the
//! engine then checks, through SeaORM's entity registry, that no entity of the folder's modules
//! was missed (one nested in a module of its own, say). A file `model.rs` in the folder holds
//! what entities cannot say (views, functions, triggers), in `pub fn declare(set: &mut
//! migration::EntitySet)`.
//!
//! This crate has no dependencies: a build script's are compiled a second time, for the host,
//! and the engine's (sea-orm, sqlx, tokio) would double the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file of the entity folder that declares what entities cannot say.
pub const MODEL_FILE: &str = "model.rs";

/// Compiles the crate's revisions in (`alembic/*/versions/*.rs`), and its entities when it
/// has a folder `src/entity/`: the whole of a team's `build.rs`.
pub fn build() {
    revisions();
    let folder = manifest_dir().join("src").join("entity");
    if !folder.is_dir() {
        // Watched from above, so that the folder's first files are compiled in when it comes.
        watch(&manifest_dir().join("src"));
    }
    write_entities(&folder, folder.is_dir());
}

/// Rust's keywords (strict, reserved and the 2018 and 2024 editions'), which no module may be
/// named as it is; the engine's entity generator avoids the same list.
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "union", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Has cargo run the build script again when `path` changes; a path that does not exist is
/// not named (cargo would run the script on every build).
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// Compiles the crate's revisions in: every `alembic/<name>/versions/*.rs`, and each folder's
/// `alembic.toml`. Writes `$OUT_DIR/migration_revisions.rs`, which defines
/// `compiled_scripts()`.
///
/// Cargo reruns this when a `versions/` folder or a settings file changes, and only then: not
/// when the embedded SQLite database, `db.cfg` or `trash/` beside them are written (a folder
/// named in `rerun-if-changed` is watched with everything under it). A new script directory
/// is picked up because `init` touches the crate's `build.rs`.
pub fn revisions() {
    watch(&manifest_dir().join("build.rs"));
    let root = manifest_dir().join("alembic");
    let mut modules = String::new();
    let mut scripts = String::from("/// The revisions of every script directory, as compiled.\n");
    scripts.push_str(
        "#[allow(dead_code)]\npub fn compiled_scripts() -> Vec<::migration::CompiledScripts> {\n    vec![\n",
    );
    let mut n = 0;
    for dir in listing(&root).into_iter().filter(|p| p.is_dir()) {
        let name = file_name(&dir);
        let versions = dir.join("versions");
        watch(&versions);
        let settings = dir.join("alembic.toml");
        watch(&settings);
        let settings = match settings.is_file() {
            true => format!("Some(include_str!({:?}))", settings.display().to_string()),
            false => "None".to_string(),
        };
        let _ = writeln!(
            scripts,
            "        ::migration::CompiledScripts {{\n            database: {name:?},\n            revisions: vec!["
        );
        for file in listing(&versions)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        {
            watch(&file);
            let path = file.display().to_string();
            let module = format!("revision_{n}");
            n += 1;
            let _ = writeln!(
                modules,
                "#[allow(unused_variables, unused_imports, dead_code)]\n#[path = {path:?}]\nmod {module};"
            );
            let _ = writeln!(
                scripts,
                "                ::migration::compiled_revision!({:?}, include_str!({path:?}), {module}),",
                file_name(&file)
            );
        }
        let _ = writeln!(
            scripts,
            "            ],\n            settings: {settings},\n        }},"
        );
    }
    scripts.push_str("    ]\n}\n");
    write_out("migration_revisions.rs", &(modules + "\n" + &scripts));
}

/// Compiles the entity files of `folder` (relative to the crate, e.g. `"src"` or
/// `"src/entity"`) in: writes `$OUT_DIR/migration_entities.rs`, which `migration::entities!()`
/// includes. Every `.rs` file of the folder but `lib.rs`, `main.rs` and `mod.rs` becomes a
/// public module named after it, and the file's entity (if it has one) part of `entities()`.
pub fn entities(folder: &str) {
    let folder = manifest_dir().join(folder);
    if !folder.is_dir() {
        panic!(
            "migration_build::entities: no folder {}: name the folder of the entity files, \
             relative to the crate",
            folder.display()
        );
    }
    write_entities(&folder, true);
}

/// Writes `migration_entities.rs` for the files of `folder` (none when `present` is false: a
/// crate with no entities yet still builds, with an empty model).
fn write_entities(folder: &Path, present: bool) {
    let mut modules = String::new();
    let mut adds = String::new();
    let mut names = Vec::new();
    let mut walk = String::new();
    let mut declare = String::new();
    if present {
        // The folder itself: a file added or removed changes what is compiled in.
        watch(folder);
        for file in listing(folder) {
            let name = file_name(&file);
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            if !file.is_file() || ["lib", "main", "mod"].contains(&stem) {
                continue;
            }
            let module = module_name(stem);
            let _ = writeln!(
                modules,
                "#[path = {:?}]\npub mod {module};",
                file.display().to_string()
            );
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if name == MODEL_FILE {
                declare = format!("    {module}::declare(&mut set);\n");
            } else if derives_an_entity(&text) {
                let _ = writeln!(adds, "    set.add({module}::Entity);");
                let _ = writeln!(walk, "        $callback!({module});");
                names.push(format!("{module:?}"));
            }
        }
    }
    let text = format!(
        "{modules}
/// Every entity of the folder, read by the engine into one set: found by
/// `migration_build`, so a new entity file is part of the model with no list edited.
#[allow(dead_code)]
pub fn entities() -> ::migration::EntitySet {{
    let mut set = ::migration::EntitySet::new();
{adds}{declare}    set.found_in(module_path!(), &[{names}]);
    set
}}

/// Calls `$callback!(module)` once for every entity module of the folder, in file-name
/// order: how generic code (tests, reports) walks the whole model without a list kept by hand
/// (SeaORM's `EntityTrait` is not object-safe, so the entities cannot sit in one `Vec`).
#[allow(unused_macros)]
#[macro_export]
macro_rules! for_each_entity {{
    ($callback:ident) => {{
{walk}    }};
}}
",
        names = names.join(", ")
    );
    write_out("migration_entities.rs", &text);
}

/// Whether a file derives a SeaORM entity at its top level: a `#[derive(...)]` starting a line
/// (as rustfmt lays out a top-level item) that names `DeriveEntityModel` or `DeriveEntity`.
/// An entity nested in a module of the file is not taken (its `Entity` is not the module's);
/// the engine names it through SeaORM's registry instead (`EntitySet::found_in`).
pub fn derives_an_entity(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find("#[derive(") {
        let at_line_start = at == 0 || rest[..at].ends_with('\n');
        let inside = &rest[at + "#[derive(".len()..];
        let end = inside.find(")]").unwrap_or(inside.len());
        if at_line_start
            && inside[..end]
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(|word| word.rsplit("::").next().unwrap_or(word))
                .any(|word| word == "DeriveEntityModel" || word == "DeriveEntity")
        {
            return true;
        }
        rest = &inside[end..];
    }
    false
}

/// A file stem as a module name: a keyword as a raw identifier (`type.rs` is `r#type`).
fn module_name(stem: &str) -> String {
    let valid = stem
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && stem.chars().all(|c| c.is_alphanumeric() || c == '_')
        && stem != "_"
        // These have no raw form: `r#self` is no identifier.
        && !["self", "Self", "super", "crate"].contains(&stem);
    if !valid {
        panic!(
            "migration_build: the file {stem}.rs cannot be a Rust module: name it in snake_case \
             (letters, digits and '_', not starting with a digit; not self, super or crate)"
        );
    }
    match KEYWORDS.contains(&stem) {
        true => format!("r#{stem}"),
        false => stem.to_string(),
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

/// The entries of `dir`, sorted; none when it cannot be read.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn write_out(name: &str, text: &str) {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    if let Err(e) = std::fs::write(&out, text) {
        panic!("migration_build: writing {}: {e}", out.display());
    }
}

#[cfg(test)]
mod tests {
    use super::{derives_an_entity, module_name};

    #[test]
    fn an_entity_is_found_by_what_it_derives() {
        assert!(derives_an_entity(
            "#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]"
        ));
        assert!(derives_an_entity(
            "#[derive(Copy, Clone, Default, Debug, DeriveEntity)]"
        ));
        assert!(!derives_an_entity("// #[derive(DeriveEntityModel)]"));
        assert!(derives_an_entity(
            "//! x\n#[derive(\n    Clone,\n    sea_orm::DeriveEntityModel,\n)]\npub struct Model;"
        ));
        assert!(!derives_an_entity(
            "pub mod inner {\n    #[derive(DeriveEntityModel)]\n    pub struct Model;\n}"
        ));
        assert!(!derives_an_entity("#[derive(DeriveRelation, EnumIter)]"));
        assert!(!derives_an_entity("#[derive(DeriveEntityModelish)]"));
    }

    #[test]
    fn keywords_are_raw_identifiers() {
        assert_eq!(module_name("type"), "r#type");
        assert_eq!(module_name("pfs_visit"), "pfs_visit");
    }
}
