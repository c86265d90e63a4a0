//! Ops on one table run together (alembic's `ModifyTableOps`): SQLite rebuilds the table once
//! for a run, PostgreSQL merges the run's `ALTER TABLE` actions into as few statements as keep
//! their order. Judged by the databases, not by opdb: random runs of ops, applied merged to one
//! database and one op at a time to another, must fail alike or leave the same schema (as
//! `pg_dump --schema-only` and SQLite's `sqlite_master` print it) and the same rows.

mod common;

use migration::ddl;
use migration::ops::{ColumnChange, Op, Ops};
use migration::schema::{Column, ColumnType, FkAction, ForeignKey, Index, Schema, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// xorshift64*: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

const PARENT: &str = "parent";

fn start_table(name: &str) -> Table {
    Table::new(name)
        .col(
            Column::new("id", ColumnType::Integer)
                .not_null()
                .auto_increment(),
        )
        .col(Column::new("a", ColumnType::Integer))
        .col(Column::new("b", ColumnType::Varchar(Some(20))))
        .col(
            Column::new("c", ColumnType::Text)
                .not_null()
                .server_default("'x'"),
        )
        .col(
            Column::new("d", ColumnType::Integer)
                .not_null()
                .server_default("0"),
        )
        .primary_key(["id"])
        .index(Index::new(&format!("{name}_a_idx"), ["a"]))
}

fn rows(name: &str) -> String {
    format!(
        "INSERT INTO {name} (id, a, b, c, d) VALUES (1, 1, 'one', 'x', 1), (2, NULL, 'two', 'y', \
         2), (3, 3, NULL, 'z', 3), (4, 4, 'four', 'x', 4)"
    )
}

/// A random run of 2 to 6 ops on `name`, valid for the model as each leaves it.
fn random_run(rng: &mut Rng, schema: &Schema, name: &str) -> Vec<Op> {
    let mut model = schema.clone();
    let mut ops = Ops::new();
    let len = 2 + rng.below(5);
    let mut fresh = 0;
    while ops.steps.len() < len {
        fresh += 1;
        let table = model.table(name).unwrap().clone();
        let others: Vec<&Column> = table.columns.iter().filter(|c| c.name != "id").collect();
        let column = rng.pick(&others).map(|c| (*c).clone());
        let before = ops.steps.len();
        match (rng.below(12), column) {
            (0, _) => {
                let column = match rng.below(4) {
                    0 => Column::new(&format!("n{fresh}"), ColumnType::Integer),
                    1 => Column::new(&format!("n{fresh}"), ColumnType::Text)
                        .not_null()
                        .server_default("'q'"),
                    2 => Column::new(&format!("n{fresh}"), ColumnType::Varchar(Some(10)))
                        .server_default("'v'"),
                    _ => Column::new(&format!("n{fresh}"), ColumnType::BigInt).not_null(),
                };
                ops.add_column(name, column);
            }
            (1, Some(c)) if others.len() > 1 => {
                ops.drop_column(name, &c.name);
            }
            (2, Some(c)) => {
                let mut change = ColumnChange::new();
                change = match &c.ty {
                    ColumnType::Integer if rng.below(3) == 0 => change
                        .ty(ColumnType::Text)
                        .using(&format!("CAST({} AS TEXT)", c.name)),
                    ColumnType::Integer => change.ty(ColumnType::BigInt),
                    ColumnType::BigInt => change.ty(ColumnType::Integer),
                    ColumnType::Varchar(_) => change.ty(ColumnType::Text),
                    _ => change.ty(ColumnType::Varchar(Some(40))),
                };
                if rng.below(3) == 0 {
                    change = change.nullable(!c.nullable);
                }
                ops.alter_column(name, &c.name, change);
            }
            (3, Some(c)) => {
                ops.alter_column(name, &c.name, ColumnChange::new().nullable(!c.nullable));
            }
            (4, Some(c)) => {
                let default = match (&c.default, &c.ty) {
                    (Some(_), _) => None,
                    (None, ColumnType::Integer | ColumnType::BigInt) => Some("7"),
                    (None, _) => Some("'w'"),
                };
                ops.alter_column(name, &c.name, ColumnChange::new().server_default(default));
            }
            (5, Some(c)) => {
                ops.rename_column(name, &c.name, &format!("r{fresh}"));
            }
            (6, Some(c)) => {
                ops.push(Op::CreateUnique {
                    table: name.into(),
                    unique: migration::schema::UniqueConstraint {
                        name: None,
                        columns: vec![c.name.clone()],
                        nulls_not_distinct: false,
                    },
                });
            }
            (7, _) => {
                ops.create_check(
                    name,
                    &format!("{name}_ck{fresh}"),
                    &format!("id > -{fresh}"),
                );
            }
            (8, Some(c)) => match table.indexes.first() {
                Some(index) if rng.below(2) == 0 => {
                    ops.drop_index(name, &index.name.clone());
                }
                _ => {
                    let mut index = Index::new(&format!("{name}_ix{fresh}"), []);
                    index = index.column(&c.name);
                    ops.create_index(name, index);
                }
            },
            (9, _) => {
                let mut names: Vec<String> = table
                    .uniques
                    .iter()
                    .filter_map(|u| u.name.clone())
                    .collect();
                names.extend(table.checks.iter().filter_map(|c| c.name.clone()));
                names.extend(table.foreign_keys.iter().filter_map(|f| f.name.clone()));
                if let Some(constraint) = rng.pick(&names) {
                    ops.drop_constraint(name, constraint);
                }
            }
            (10, _) => {
                let column = format!("p{fresh}");
                ops.add_column(name, Column::new(&column, ColumnType::Integer));
                ops.push(Op::CreateForeignKey {
                    table: name.into(),
                    key: ForeignKey {
                        name: None,
                        columns: vec![column],
                        ref_table: PARENT.into(),
                        ref_columns: vec!["id".into()],
                        on_delete: FkAction::NoAction,
                        on_update: FkAction::NoAction,
                        ..ForeignKey::default()
                    },
                });
            }
            (11, Some(c)) => {
                ops.set_column_comment(name, &c.name, Some(&format!("comment {fresh}")));
            }
            _ => {}
        }
        for step in &ops.steps[before..] {
            if let migration::ops::Step::Op(op) = step {
                migration::apply::apply(&mut model, op).unwrap();
            }
        }
    }
    ops.ops().cloned().collect()
}

/// One op at a time, as before runs were merged.
fn one_by_one(backend: DbBackend, ops: &[Op], before: &Schema) -> Vec<String> {
    let mut model = before.clone();
    let mut out = Vec::new();
    for op in ops {
        out.extend(ddl::render(backend, op, &model).unwrap());
        migration::apply::apply(&mut model, op).unwrap();
    }
    out
}

/// The run's statements as the runner sends them.
fn merged(backend: DbBackend, ops: &[Op], before: &Schema) -> Vec<String> {
    let mut model = before.clone();
    let mut out = Vec::new();
    for run in migration::ops::table_runs(ops, Op::changed_table) {
        let run: Vec<&Op> = ops[run].iter().collect();
        out.extend(ddl::render_run(backend, &run, &model).unwrap());
        for op in run {
            migration::apply::apply(&mut model, op).unwrap();
        }
    }
    out
}

/// Runs `sqls` in one transaction; the error, if any.
async fn run(db: &DatabaseConnection, sqls: &[String]) -> Result<(), String> {
    let txn = db.begin().await.unwrap();
    for sql in sqls {
        if let Err(e) = txn.execute_unprepared(sql).await {
            txn.rollback().await.unwrap();
            return Err(format!("{sql}: {e}"));
        }
    }
    txn.commit().await.map_err(|e| e.to_string())
}

async fn text(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap();
    row.try_get_by_index::<Option<String>>(0)
        .unwrap()
        .unwrap_or_default()
}

/// Each table's rows, in id order, as the database prints them.
async fn all_rows(db: &DatabaseConnection, tables: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tables {
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => {
                format!("SELECT json_agg(x ORDER BY id)::text FROM {t} x")
            }
            _ => {
                let columns = text(
                    db,
                    &format!("SELECT group_concat(name, ' ') FROM pragma_table_info('{t}')"),
                )
                .await;
                let pairs: Vec<String> = columns
                    .split(' ')
                    .map(|c| format!("'{c}', \"{c}\""))
                    .collect();
                format!(
                    "SELECT json_group_array(json_object({})) FROM (SELECT * FROM {t} ORDER BY id)",
                    pairs.join(", ")
                )
            }
        };
        out.push(format!("{t}: {}", text(db, &sql).await));
    }
    out
}

struct Outcome {
    statements: (usize, usize),
    rebuilds: (usize, usize),
    succeeded: usize,
    /// SQLite runs that pass as one rebuild and fail one op at a time.
    only_merged: usize,
    cases: usize,
}

/// Sets up `cases` tables on both databases, runs a random run on each (merged on `a`, one by
/// one on `b`), and checks that each case fails on both or on neither.
async fn play(
    backend: DbBackend,
    a: &DatabaseConnection,
    b: &DatabaseConnection,
    cases: usize,
) -> (Outcome, Vec<String>) {
    let mut schema = Schema::default();
    let parent = Table::new(PARENT)
        .col(Column::new("id", ColumnType::Integer).not_null())
        .primary_key(["id"]);
    let mut setup = vec![Op::CreateTable(parent)];
    let names: Vec<String> = (0..cases).map(|k| format!("t{k}")).collect();
    setup.extend(names.iter().map(|n| Op::CreateTable(start_table(n))));
    let mut sqls = Vec::new();
    for op in &setup {
        sqls.extend(ddl::render(backend, op, &schema).unwrap());
        migration::apply::apply(&mut schema, op).unwrap();
    }
    sqls.extend(names.iter().map(|n| rows(n)));
    sqls.push(format!("INSERT INTO {PARENT} (id) VALUES (1), (2)"));
    run(a, &sqls).await.unwrap();
    run(b, &sqls).await.unwrap();

    let mut rng = Rng(0x5eed_0bdb_u64 + backend as u64);
    let mut outcome = Outcome {
        statements: (0, 0),
        rebuilds: (0, 0),
        succeeded: 0,
        only_merged: 0,
        cases,
    };
    let rebuilds = |sqls: &[String]| {
        let creates = |s: &&String| s.starts_with("CREATE TABLE") && s.contains("_opdb_new_");
        sqls.iter().filter(creates).count()
    };
    for name in &names {
        let ops = random_run(&mut rng, &schema, name);
        let together = merged(backend, &ops, &schema);
        let apart = one_by_one(backend, &ops, &schema);
        outcome.statements.0 += together.len();
        outcome.statements.1 += apart.len();
        outcome.rebuilds.0 += rebuilds(&together);
        outcome.rebuilds.1 += rebuilds(&apart);
        let (ra, mut rb) = (run(a, &together).await, run(b, &apart).await);
        // A rebuild checks the table as the run leaves it, not in between (alembic's batch
        // mode too): a run that adds a key its duplicates break, then drops the column, fails
        // one op at a time and passes as one rebuild. Then `b` takes the rebuild as well, so
        // the two stay comparable. Nothing else may differ.
        if let (Ok(()), Err(_), DbBackend::Sqlite) = (&ra, &rb, backend) {
            outcome.only_merged += 1;
            rb = run(b, &together).await;
        }
        assert_eq!(
            ra.is_ok(),
            rb.is_ok(),
            "{name}: merged {ra:?}, one by one {rb:?}\nops: {ops:#?}\nmerged: {together:#?}"
        );
        if ra.is_ok() {
            outcome.succeeded += 1;
            for op in &ops {
                migration::apply::apply(&mut schema, op).unwrap();
            }
        }
    }
    (outcome, names)
}

fn report(backend: &str, o: &Outcome) {
    eprintln!(
        "{backend}: {} of {} random runs applied ({} only as one rebuild); statements {} merged \
         vs {} one by one; table rebuilds {} vs {}",
        o.succeeded,
        o.cases,
        o.only_merged,
        o.statements.0,
        o.statements.1,
        o.rebuilds.0,
        o.rebuilds.1
    );
}

#[tokio::test]
async fn merged_runs_do_on_postgres_what_their_ops_do_one_by_one() {
    let (Some(da), Some(dbb)) = (
        common::pg("runs_merged").await,
        common::pg("runs_apart").await,
    ) else {
        return;
    };
    if !common::pg_dump_runs("merged_runs_do_on_postgres_what_their_ops_do_one_by_one") {
        return;
    }
    let (a, b) = (da.connect().await, dbb.connect().await);
    let (outcome, names) = play(DbBackend::Postgres, &a, &b, 120).await;
    report("PostgreSQL", &outcome);
    let (sa, sb) = (
        common::pg_dump_schema(&da.url),
        common::pg_dump_schema(&dbb.url),
    );
    assert!(
        sa == sb,
        "the schemas differ\n{}",
        common::first_difference(&sa, &sb, ("merged", "one by one"))
    );
    assert!(
        sa.matches("CREATE TABLE").count() > 100,
        "pg_dump printed the tables"
    );
    assert_eq!(all_rows(&a, &names).await, all_rows(&b, &names).await);
    assert!(
        outcome.succeeded >= outcome.cases / 3,
        "too few runs applied to judge"
    );
    assert!(
        outcome.statements.0 < outcome.statements.1,
        "merging saved no statement"
    );
}

#[tokio::test]
async fn one_rebuild_per_run_does_on_sqlite_what_the_ops_do_one_by_one() {
    let dir = std::env::temp_dir().join(format!("opdb-runs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = |n: &str| format!("sqlite://{}?mode=rwc", dir.join(n).display());
    let a = migration::db::connect(&url("merged.sqlite")).await.unwrap();
    let b = migration::db::connect(&url("apart.sqlite")).await.unwrap();
    let (outcome, names) = play(DbBackend::Sqlite, &a, &b, 150).await;
    report("SQLite", &outcome);
    // SQLite keeps each table's SQL as written, and `ADD COLUMN` splices into it: compare
    // the texts without their white space, one object per line.
    let schema = "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(30)) \
                  FROM (SELECT * FROM sqlite_master ORDER BY name)";
    let words = |text: String| {
        let objects: Vec<String> = text
            .split('\u{1e}')
            .map(|o| o.split_whitespace().collect::<String>())
            .collect();
        objects.join("\n")
    };
    let (sa, sb) = (words(text(&a, schema).await), words(text(&b, schema).await));
    assert!(
        sa == sb,
        "the schemas differ\n{}",
        common::first_difference(&sa, &sb, ("merged", "one by one"))
    );
    let sequences = "SELECT group_concat(name || '=' || seq) FROM sqlite_sequence";
    assert_eq!(text(&a, sequences).await, text(&b, sequences).await);
    assert_eq!(all_rows(&a, &names).await, all_rows(&b, &names).await);
    assert!(
        outcome.succeeded >= outcome.cases / 3,
        "too few runs applied to judge"
    );
    assert!(
        outcome.rebuilds.0 < outcome.rebuilds.1,
        "no rebuild was saved"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plain cases, spelled out: three alters of one table are one SQLite rebuild, and their
/// actions one PostgreSQL statement.
#[test]
fn a_run_of_alters_is_one_rebuild_and_one_statement() {
    let mut schema = Schema::default();
    migration::apply::apply(&mut schema, &Op::CreateTable(start_table("t"))).unwrap();
    let mut ops = Ops::new();
    ops.alter_column("t", "a", ColumnChange::new().ty(ColumnType::BigInt))
        .alter_column("t", "b", ColumnChange::new().nullable(false))
        .alter_column("t", "c", ColumnChange::new().server_default(Some("'y'")));
    let ops: Vec<Op> = ops.ops().cloned().collect();
    let sqlite = merged(DbBackend::Sqlite, &ops, &schema);
    assert_eq!(
        sqlite
            .iter()
            .filter(|s| s.starts_with("CREATE TABLE"))
            .count(),
        1,
        "{sqlite:#?}"
    );
    assert_eq!(
        one_by_one(DbBackend::Sqlite, &ops, &schema)
            .iter()
            .filter(|s| s.starts_with("CREATE TABLE"))
            .count(),
        3
    );
    assert_eq!(
        merged(DbBackend::Postgres, &ops, &schema),
        ["ALTER TABLE t\n    ALTER COLUMN a TYPE bigint,\n    ALTER COLUMN b SET NOT NULL,\n    \
          ALTER COLUMN c SET DEFAULT 'y'"]
    );
}

/// An alter's `USING` reads the table before it: after a rename in the same run it names the
/// new column, which the rebuild's source table does not have, so the run is cut there.
#[tokio::test]
async fn a_using_expression_after_a_rename_reads_the_renamed_column() {
    let dir = std::env::temp_dir().join(format!("opdb-using-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = |n: &str| format!("sqlite://{}?mode=rwc", dir.join(n).display());
    let mut schema = Schema::default();
    let create = Op::CreateTable(start_table("t"));
    let setup = [
        ddl::render(DbBackend::Sqlite, &create, &schema).unwrap(),
        vec![rows("t")],
    ];
    migration::apply::apply(&mut schema, &create).unwrap();
    let mut ops = Ops::new();
    ops.rename_column("t", "a", "z")
        .alter_column(
            "t",
            "z",
            ColumnChange::new()
                .ty(ColumnType::Text)
                .using("CAST(z * 10 AS TEXT)"),
        )
        .alter_column(
            "t",
            "b",
            ColumnChange::new().nullable(true).ty(ColumnType::Text),
        );
    let ops: Vec<Op> = ops.ops().cloned().collect();
    let mut found = Vec::new();
    for (file, sqls) in [
        ("merged.sqlite", merged(DbBackend::Sqlite, &ops, &schema)),
        ("apart.sqlite", one_by_one(DbBackend::Sqlite, &ops, &schema)),
    ] {
        let db = migration::db::connect(&url(file)).await.unwrap();
        run(&db, &setup.concat()).await.unwrap();
        run(&db, &sqls)
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        found.push(all_rows(&db, &["t".to_string()]).await);
    }
    assert_eq!(found[0], found[1]);
    assert!(found[0][0].contains(r#""z":"10""#), "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
