//! Model-consistency tests: the entities agree with themselves and with the reference schema.
//!
//! What the PFS team's CI does with SQLAlchemy's mapper check, and more: every relation is
//! checked both ways, the whole model is compared with `tests/fixtures/opdb_schema.sql` loaded
//! into a real PostgreSQL, and a query through every relation runs against real rows.

mod common;

use common::{load_fixture, opdb_entities, pg};
use migration::entities::{EntitySet, RelationKind};
use migration::schema::{ColumnType, Table};
use sea_orm::{
    ConnectionTrait, EntityTrait, Iterable, JoinType, ModelTrait, PaginatorTrait, QuerySelect,
    RelationTrait,
};
use std::collections::{BTreeMap, BTreeSet};

/// What the reference schema holds, counted in its SQL text (as PostgreSQL's pg_dump wrote it).
#[derive(Debug, Default, PartialEq)]
struct Shape {
    tables: usize,
    columns: usize,
    commented_columns: usize,
    sequences: usize,
    composite_primary_keys: usize,
    foreign_keys: usize,
    composite_foreign_keys: usize,
    indexes: usize,
    unique_indexes: usize,
    uniques: usize,
}

fn fixture_shape(sql: &str) -> Shape {
    let mut shape = Shape::default();
    let mut in_table = false;
    let composite = |line: &str| {
        line.split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .is_some_and(|(cols, _)| cols.contains(','))
    };
    for line in sql.lines() {
        if line.starts_with("CREATE TABLE ") {
            shape.tables += 1;
            in_table = true;
        } else if in_table && line.starts_with(')') {
            in_table = false;
        } else if in_table && !line.trim_start().starts_with("CONSTRAINT ") {
            shape.columns += 1;
        }
        shape.commented_columns += usize::from(line.starts_with("COMMENT ON COLUMN "));
        shape.sequences += usize::from(line.starts_with("CREATE SEQUENCE "));
        if let Some(at) = line.find(" PRIMARY KEY (") {
            shape.composite_primary_keys += usize::from(composite(&line[at..]));
        }
        if let Some(at) = line.find(" FOREIGN KEY (") {
            shape.foreign_keys += 1;
            shape.composite_foreign_keys += usize::from(composite(&line[at..]));
        }
        shape.indexes += usize::from(
            line.starts_with("CREATE INDEX ") || line.starts_with("CREATE UNIQUE INDEX "),
        );
        shape.unique_indexes += usize::from(line.starts_with("CREATE UNIQUE INDEX "));
        shape.uniques += usize::from(line.contains(" UNIQUE ("));
    }
    shape
}

/// The entities hold what the reference schema's text holds, counted independently of
/// introspection (it follows the model: `opdb dump-schema` rewrites it).
#[test]
fn entities_have_the_fixture_shape() {
    let set = opdb_entities();
    let tables: Vec<&Table> = set.entities.values().map(|e| &e.table).collect();
    let columns = tables.iter().flat_map(|t| &t.columns);
    let count = |f: &dyn Fn(&&Table) -> usize| tables.iter().map(f).sum::<usize>();
    assert_eq!(tables.len(), common::fixture_table_count());
    let entities = Shape {
        tables: tables.len(),
        columns: columns.clone().count(),
        commented_columns: columns.clone().filter(|c| c.comment.is_some()).count(),
        sequences: columns.filter(|c| c.auto_increment).count(),
        composite_primary_keys: tables
            .iter()
            .filter(|t| t.primary_key_columns().len() > 1)
            .count(),
        foreign_keys: count(&|t| t.foreign_keys.len()),
        composite_foreign_keys: count(&|t| {
            t.foreign_keys
                .iter()
                .filter(|f| f.columns.len() > 1)
                .count()
        }),
        indexes: count(&|t| t.indexes.len()),
        unique_indexes: count(&|t| t.indexes.iter().filter(|i| i.unique).count()),
        uniques: count(&|t| t.uniques.len()),
    };
    let fixture = fixture_shape(&common::fixture_sql());
    // The PFS reference the fixture started from: 61 tables, 484 columns (340 with comments),
    // 11 sequences, 24 composite primary keys, 62 foreign keys (9 composite), 10 indexes (1
    // unique), 2 unique constraints. The counter must see at least that much of it.
    assert!(fixture.tables >= 61 && fixture.columns >= 484 && fixture.foreign_keys >= 62);
    assert_eq!(
        entities, fixture,
        "the entities and tests/fixtures/opdb_schema.sql differ: after changing the model, run \
         `cargo run -- --url postgres://postgres@127.0.0.1/postgres dump-schema`"
    );
}

/// The reference schema is what `opdb dump-schema` writes from the entities today, as the
/// diagrams are what `opdb diagram` draws.
#[tokio::test]
async fn the_reference_schema_is_current() {
    let Some(_db) = pg("reference_current").await else {
        return;
    };
    if !common::pg_dump_runs("the_reference_schema_is_current") {
        return;
    }
    let out = std::env::temp_dir().join(format!("opdb-reference-{}.sql", std::process::id()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_opdb"))
        .args(["--url", &common::pg_admin_url(), "dump-schema", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let fresh = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(
        fresh == common::fixture_sql(),
        "tests/fixtures/opdb_schema.sql is out of date with the entities: run `cargo run -- \
         --url postgres://postgres@127.0.0.1/postgres dump-schema`"
    );
}

/// Every relation joins columns that exist on both ends, with compatible types, onto a key of
/// the target; every foreign key has its inverse and every inverse its foreign key.
#[test]
fn relations_are_consistent_both_ways() {
    let set = opdb_entities();
    let mut problems = Vec::new();
    for (name, info) in &set.entities {
        for rel in &info.relations {
            let here = format!("{name}::Relation::{}", rel.name);
            if &rel.from_table != name {
                problems.push(format!("{here}: starts at {}, not {name}", rel.from_table));
                continue;
            }
            let Some(target) = set.entities.get(&rel.to_table) else {
                problems.push(format!("{here}: no entity for table {}", rel.to_table));
                continue;
            };
            if rel.from_columns.len() != rel.to_columns.len() || rel.from_columns.is_empty() {
                problems.push(format!(
                    "{here}: joins {:?} to {:?}",
                    rel.from_columns, rel.to_columns
                ));
                continue;
            }
            for (from, to) in rel.from_columns.iter().zip(&rel.to_columns) {
                match (info.table.column(from), target.table.column(to)) {
                    (Some(a), Some(b)) if a.ty.joins_with(&b.ty) => {}
                    (Some(a), Some(b)) => problems.push(format!(
                        "{here}: {name}.{from} is {} but {}.{to} is {}",
                        a.ty, rel.to_table, b.ty
                    )),
                    (None, _) => problems.push(format!("{here}: no column {name}.{from}")),
                    (_, None) => problems.push(format!("{here}: no column {}.{to}", rel.to_table)),
                }
            }
            // The side holding the foreign key must point at a key of the other side.
            let (holder, held, key_cols, fk_cols) = match rel.kind {
                RelationKind::BelongsTo => (info, target, &rel.to_columns, &rel.from_columns),
                _ => (target, info, &rel.from_columns, &rel.to_columns),
            };
            if !held.table.is_key(key_cols) {
                problems.push(format!(
                    "{here}: {}({}) is not a primary or unique key",
                    held.table.name,
                    key_cols.join(", ")
                ));
            }
            if rel.kind == RelationKind::HasOne && !holder.table.is_key(fk_cols) {
                problems.push(format!(
                    "{here}: has_one, but {}({}) may repeat: has_many",
                    holder.table.name,
                    fk_cols.join(", ")
                ));
            }
            // The inverse: the same join, seen from the other entity.
            let inverses = target
                .relations
                .iter()
                .filter(|r| {
                    r.to_table == *name
                        && r.from_columns == rel.to_columns
                        && r.to_columns == rel.from_columns
                        && (r.kind == RelationKind::BelongsTo)
                            != (rel.kind == RelationKind::BelongsTo)
                })
                .count();
            if inverses != 1 {
                problems.push(format!(
                    "{here}: {inverses} inverse relations on {} (want exactly 1)",
                    rel.to_table
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The entities describe exactly the reference schema: the same 61 tables with the same
/// columns, types, nullability, comments, serials, keys, foreign keys and indexes.
#[tokio::test]
async fn entities_reproduce_the_reference_schema() {
    let Some(db) = pg("reference_schema").await else {
        return;
    };
    load_fixture(&db).await;
    let conn = db.connect().await;
    let live = migration::introspect::introspect(&conn, "public")
        .await
        .expect("introspecting the fixture");
    assert_eq!(live.schema.tables.len(), 61, "the fixture loaded whole");
    let model = opdb_entities().schema();
    let diff = migration::compare::differences(&model, &live.schema);
    assert!(diff.is_empty(), "entities vs fixture:\n{}", diff.join("\n"));
}

/// One row per table, with values chosen so that only the right join columns match: columns
/// that a foreign key ties together share a value, and every other group of columns has its
/// own. A relation naming a wrong column finds nothing.
fn synthetic_rows(set: &EntitySet) -> Vec<String> {
    // Union-find over (table, column): a foreign key puts its two ends in one group.
    let mut group: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    fn root(
        g: &BTreeMap<(String, String), (String, String)>,
        k: &(String, String),
    ) -> (String, String) {
        match g.get(k) {
            Some(p) if p != k => root(g, p),
            _ => k.clone(),
        }
    }
    for info in set.entities.values() {
        for fk in &info.table.foreign_keys {
            for (c, r) in fk.columns.iter().zip(&fk.ref_columns) {
                let a = root(&group, &(info.table.name.clone(), c.clone()));
                let b = root(&group, &(fk.ref_table.clone(), r.clone()));
                if a != b {
                    group.insert(a, b);
                }
            }
        }
    }
    let mut numbers: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut value = |t: &str, c: &str| {
        let key = root(&group, &(t.to_string(), c.to_string()));
        let next = 101 + numbers.len();
        *numbers.entry(key).or_insert(next)
    };

    // Parents before children.
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut inserts = Vec::new();
    while done.len() < set.entities.len() {
        let before = done.len();
        for (name, info) in &set.entities {
            let ready = info
                .table
                .foreign_keys
                .iter()
                .all(|fk| done.contains(&fk.ref_table) || fk.ref_table == *name);
            if done.contains(name) || !ready {
                continue;
            }
            let mut cols = Vec::new();
            let mut vals = Vec::new();
            for col in &info.table.columns {
                let v = value(name, &col.name);
                cols.push(format!("\"{}\"", col.name));
                vals.push(literal(&col.ty, v));
            }
            inserts.push(format!(
                "INSERT INTO \"{name}\" ({}) VALUES ({})",
                cols.join(", "),
                vals.join(", ")
            ));
            done.insert(name.clone());
        }
        assert!(done.len() > before, "foreign keys form a cycle");
    }
    inserts
}

fn literal(ty: &ColumnType, v: usize) -> String {
    match ty {
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => v.to_string(),
        ColumnType::Real | ColumnType::Double | ColumnType::Numeric(_) => format!("{v}.5"),
        ColumnType::Varchar(Some(n)) | ColumnType::Char(Some(n)) => {
            let s: String = format!("v{v}").chars().take(*n as usize).collect();
            format!("'{s}'")
        }
        ColumnType::Varchar(None) | ColumnType::Char(None) | ColumnType::Text => format!("'v{v}'"),
        ColumnType::Boolean => "true".into(),
        ColumnType::Timestamp => format!("'2026-01-01 00:00:00'::timestamp + interval '{v} s'"),
        ColumnType::TimestampTz => {
            format!("'2026-01-01 00:00:00+00'::timestamptz + interval '{v} s'")
        }
        ColumnType::Json | ColumnType::Jsonb => format!("'{{\"v\": {v}}}'"),
        ColumnType::Array(inner) => {
            format!("ARRAY[{}, {}]", literal(inner, v), literal(inner, v + 1))
        }
        other => panic!("no test value for type {other}"),
    }
}

/// Every entity loads its row into its Rust model (every type decodes), and every relation of
/// every entity, each way, joins exactly the one row that the foreign key ties it to.
#[tokio::test]
async fn every_relation_queries_real_rows() {
    let Some(db) = pg("relations").await else {
        return;
    };
    load_fixture(&db).await;
    let conn = db.connect().await;
    let set = opdb_entities();
    for insert in synthetic_rows(&set) {
        conn.execute_unprepared(&insert)
            .await
            .unwrap_or_else(|e| panic!("{insert}: {e}"));
    }

    let mut joins = 0;
    macro_rules! check {
        ($m:ident) => {
            let row = entity::$m::Entity::find()
                .one(&conn)
                .await
                .unwrap_or_else(|e| panic!("{}: decoding a row: {e}", stringify!($m)));
            assert!(row.is_some(), "{}: no row", stringify!($m));
            for rel in entity::$m::Relation::iter() {
                let n = entity::$m::Entity::find()
                    .join(JoinType::InnerJoin, rel.def())
                    .count(&conn)
                    .await
                    .unwrap_or_else(|e| panic!("{}::{rel:?}: {e}", stringify!($m)));
                assert_eq!(
                    n,
                    1,
                    "{}::Relation::{rel:?} joined {n} rows",
                    stringify!($m)
                );
                joins += 1;
            }
        };
    }
    entity::for_each_entity!(check);
    assert_eq!(joins, 124, "62 foreign keys, each way");
}

/// `find_related` and `find_linked` work both ways, on single and composite keys and where one
/// table reaches another by several foreign keys.
#[tokio::test]
async fn find_related_works_both_ways() {
    use entity::{calib, calib_set, pfs_config, pfs_config_fiber, pfs_visit, sps_visit};
    let Some(db) = pg("find_related").await else {
        return;
    };
    load_fixture(&db).await;
    let conn = db.connect().await;
    for insert in synthetic_rows(&opdb_entities()) {
        conn.execute_unprepared(&insert).await.expect(&insert);
    }

    let visit = pfs_visit::Entity::find().one(&conn).await.unwrap().unwrap();
    let sps = visit
        .find_related(sps_visit::Entity)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sps.pfs_visit_id, visit.pfs_visit_id);
    let back = sps
        .find_related(pfs_visit::Entity)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, visit);

    // Composite foreign key (pfs_design_id, visit0).
    let config = pfs_config::Entity::find()
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    let fibers = config
        .find_related(pfs_config_fiber::Entity)
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(fibers.len(), 1);
    assert_eq!(
        (fibers[0].pfs_design_id, fibers[0].visit0),
        (config.pfs_design_id, config.visit0)
    );
    let parent = fibers[0]
        .find_related(pfs_config::Entity)
        .one(&conn)
        .await
        .unwrap();
    assert_eq!(parent.as_ref(), Some(&config));

    // calib_set reaches calib four times: each link follows its own column. Point the flat
    // at a calib of its own, so that the arcs and flat links must differ.
    conn.execute_unprepared(
        "INSERT INTO calib (calib_id) VALUES (999); UPDATE calib_set SET calib_flat_id = 999",
    )
    .await
    .unwrap();
    let set = calib_set::Entity::find().one(&conn).await.unwrap().unwrap();
    let arcs = set
        .find_linked(calib_set::CalibArcsLink)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(arcs.calib_id), set.calib_arcs_id.map(i64::from));
    let sets = arcs
        .find_linked(calib::CalibSetCalibArcsLink)
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(sets, vec![set.clone()]);
    // The arcs calib is not the flat one: a link on the wrong column finds nothing.
    let flats = arcs
        .find_linked(calib::CalibSetCalibFlatLink)
        .all(&conn)
        .await
        .unwrap();
    assert!(flats.is_empty());
    let flat = set
        .find_linked(calib_set::CalibFlatLink)
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(flat.calib_id, 999);
    let sets = flat
        .find_linked(calib::CalibSetCalibFlatLink)
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(sets, vec![set]);
}
