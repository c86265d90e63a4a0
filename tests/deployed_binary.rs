//! The binary copied alone to a folder where its source tree is not (as on the summit
//! machine): its revisions and settings are compiled in, so with only a `db.cfg` beside it,
//! `upgrade head`, `current`, `check` and `upgrade head --sql` run; what needs the source tree
//! (writing a revision) says so, and so does a missing URL.
//!
//! A deployed binary finds no source tree at the path it was built from; here the source tree
//! is on this machine, so the copy is pointed at its own folder with `--root`, which takes the
//! same way (no `alembic/<name>` there: the compiled one).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `opdb` binary of this build, copied alone into a folder of the test's own.
struct Deployed {
    place: PathBuf,
}

impl Deployed {
    fn new(test: &str) -> Deployed {
        let place =
            std::env::temp_dir().join(format!("opdb-deployed-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&place);
        std::fs::create_dir_all(&place).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_opdb"), place.join("opdb")).unwrap();
        Deployed { place }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(self.place.join("opdb"))
            .current_dir(&self.place)
            .arg("--root")
            .arg(&self.place)
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("the copied binary runs")
    }
}

impl Drop for Deployed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.place);
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn a_binary_copied_alone_migrates_with_only_a_db_cfg() {
    if !common::pg_dump_runs("a_binary_copied_alone_migrates_with_only_a_db_cfg") {
        return;
    }
    let (Some(db), Some(other)) = (
        common::pg("deployed").await,
        common::pg("deployed_sql").await,
    ) else {
        return;
    };
    let d = Deployed::new("migrates");
    let entries: Vec<PathBuf> = std::fs::read_dir(&d.place)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries, [d.place.join("opdb")], "the binary is alone");

    // No URL anywhere: the error says where to put one, and nothing is made.
    let out = d.run(&["upgrade", "head"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no database URL: this binary runs without its source tree"),
        "{}",
        text(&out)
    );
    assert!(!d.place.join("alembic").exists() && !d.place.join("opdb.sqlite").exists());

    std::fs::write(d.place.join("db.cfg"), format!("{}\n", db.url)).unwrap();
    let out = d.run(&["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("0b1a5e000001 (head)"), "{}", text(&out));
    let out = d.run(&["current"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("0b1a5e000001 (head)"), "{}", text(&out));
    let out = d.run(&["check"]);
    assert!(out.status.success(), "{}", text(&out));
    // The catalog, not opdb, counts the opDB's tables.
    assert_eq!(
        common::all_tables(&db.url).await.len(),
        common::fixture_table_count() + 2
    );

    // The script a DBA runs, for another database: psql builds with it what the run built.
    let out = d.run(&["--url", &other.url, "upgrade", "head", "--sql"]);
    assert!(out.status.success(), "{}", text(&out));
    let script = String::from_utf8(out.stdout).unwrap();
    common::psql_script(&other.url, &script);
    let skip = ["alembic_version", "opdb_history"];
    assert_eq!(
        common::pg_dump_schema_without(&other.url, &skip),
        common::pg_dump_schema_without(&db.url, &skip)
    );

    // What needs the source tree says so, and writes nothing.
    let out = d.run(&["revision", "-m", "at the summit"]);
    assert!(!out.status.success());
    assert!(
        text(&out)
            .contains("alembic/opdb is compiled into this binary and its source tree is not here"),
        "{}",
        text(&out)
    );
    assert!(!Path::new(&d.place.join("alembic")).exists());
}
