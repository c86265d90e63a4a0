//! The build script watches only what compiles into the binary: the `versions/` folders, the
//! `alembic.toml` settings (and itself). A write to the embedded SQLite database, `db.cfg` or
//! `trash/` must not force a rebuild, as it did when the whole `alembic/` folder was watched.

use std::path::Path;

#[test]
fn the_build_script_watches_only_versions_folders_and_settings() {
    // Cargo keeps what the build script printed next to its OUT_DIR.
    let output = Path::new(env!("OUT_DIR")).parent().unwrap().join("output");
    let printed = std::fs::read_to_string(&output).unwrap();
    let watched: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert!(
        watched.iter().any(|p| p.ends_with("alembic/opdb/versions")),
        "{watched:?}"
    );
    for path in &watched {
        let p = Path::new(path);
        let under_versions = p
            .ancestors()
            .any(|a| a.file_name().is_some_and(|n| n == "versions"));
        assert!(
            watched
                .iter()
                .any(|p| p.ends_with("alembic/opdb/alembic.toml")),
            "{watched:?}"
        );
        assert!(
            under_versions || p.ends_with("build.rs") || p.ends_with("alembic.toml"),
            "the build script watches {path}, so writing there rebuilds the binary"
        );
    }
}
