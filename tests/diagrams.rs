//! The committed diagrams are current, and the SVG layout is legible: no box overlaps another
//! and no foreign-key curve runs through a box it does not start or end at.

mod common;

use migration::diagram::{self, layout};
use std::path::Path;

/// `diagrams/` holds exactly what `opdb diagram` writes for the entities now.
#[test]
fn committed_diagrams_are_current() {
    let schema = common::opdb_entities().schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("diagrams");
    let mut stale = Vec::new();
    for (file, content) in diagram::render_all(&schema, "opdb") {
        let committed = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        if committed != content {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "diagrams/{} out of date with the entities: run `cargo run -- diagram` and commit",
        stale.join(", diagrams/")
    );
}

/// Points along an SVG path made of M, L and C commands.
fn samples(path: &str) -> Vec<(f64, f64)> {
    let tokens: Vec<&str> = path.split([' ', ',']).filter(|t| !t.is_empty()).collect();
    let mut points = Vec::new();
    let mut at = (0.0, 0.0);
    let mut i = 0;
    let num = |t: &str| -> f64 { t.trim_start_matches(['M', 'L', 'C']).parse().unwrap() };
    while i < tokens.len() {
        let t = tokens[i];
        if t.starts_with('M') || t.starts_with('L') {
            let p = (num(t), num(tokens[i + 1]));
            if t.starts_with('L') {
                for k in 1..=20 {
                    let f = k as f64 / 20.0;
                    points.push((at.0 + (p.0 - at.0) * f, at.1 + (p.1 - at.1) * f));
                }
            } else {
                points.push(p);
            }
            at = p;
            i += 2;
        } else if t.starts_with('C') {
            let c1 = (num(t), num(tokens[i + 1]));
            let c2 = (num(tokens[i + 2]), num(tokens[i + 3]));
            let p = (num(tokens[i + 4]), num(tokens[i + 5]));
            for k in 1..=40 {
                let f = k as f64 / 40.0;
                let g = 1.0 - f;
                points.push((
                    g * g * g * at.0
                        + 3.0 * g * g * f * c1.0
                        + 3.0 * g * f * f * c2.0
                        + f * f * f * p.0,
                    g * g * g * at.1
                        + 3.0 * g * g * f * c1.1
                        + 3.0 * g * f * f * c2.1
                        + f * f * f * p.1,
                ));
            }
            at = p;
            i += 6;
        } else {
            panic!("unexpected path token {t} in {path}");
        }
    }
    points
}

#[test]
fn boxes_never_overlap_and_curves_go_around_boxes() {
    let schema = common::opdb_entities().schema();
    for detail in [diagram::Detail::Full, diagram::Detail::Keys] {
        let svg = diagram::svg::render(&schema, "opdb", detail);
        assert_eq!(
            svg.matches("<g id=\"table-").count(),
            common::fixture_table_count()
        );
        // The layout the SVG was drawn from.
        {
            let placed = diagram::svg::placed(&schema, detail);
            let boxes: Vec<(&String, &layout::Placed)> = placed.boxes.iter().collect();
            for (i, (a, pa)) in boxes.iter().enumerate() {
                for (b, pb) in &boxes[i + 1..] {
                    let apart = pa.x + pa.width <= pb.x
                        || pb.x + pb.width <= pa.x
                        || pa.y + pa.height <= pb.y
                        || pb.y + pb.height <= pa.y;
                    assert!(apart, "{detail:?}: boxes {a} and {b} overlap");
                }
            }
            let mut through = Vec::new();
            for r in &placed.routes {
                for (x, y) in samples(&r.path) {
                    for (name, b) in &boxes {
                        if **name == r.table || **name == r.ref_table {
                            continue;
                        }
                        let inside = x > b.x + 1.0
                            && x < b.x + b.width - 1.0
                            && y > b.y + 1.0
                            && y < b.y + b.height - 1.0;
                        if inside {
                            through.push(format!("{} -> {} through {name}", r.table, r.ref_table));
                            break;
                        }
                    }
                }
            }
            through.dedup();
            assert!(through.is_empty(), "{detail:?}: {through:?}");
            assert_eq!(
                placed.routes.len(),
                schema
                    .tables
                    .values()
                    .map(|t| t.foreign_keys.len())
                    .sum::<usize>()
            );
        }
    }
}

/// Lines removed plus lines added to turn `a` into `b` (a longest-common-subsequence diff).
fn changed_lines(a: &str, b: &str) -> usize {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    // lcs[j]: the longest common subsequence of the rows of `a` so far and b[j..].
    let mut lcs = vec![0usize; b.len() + 1];
    for x in a.iter().rev() {
        let mut diagonal = 0;
        for j in (0..b.len()).rev() {
            let before = lcs[j];
            lcs[j] = if *x == b[j] {
                diagonal + 1
            } else {
                lcs[j].max(lcs[j + 1])
            };
            diagonal = before;
        }
    }
    a.len() + b.len() - 2 * lcs[0]
}

#[test]
fn line_diff_counts_changes() {
    assert_eq!(changed_lines("a\nb\nc\n", "a\nb\nc\n"), 0);
    assert_eq!(changed_lines("a\nb\nc\n", "a\nx\nc\n"), 2);
    assert_eq!(changed_lines("a\nb\nc\n", "a\nb\nb2\nc\n"), 1);
    assert_eq!(changed_lines("a\nb\nc\nd\n", "b\nc\nd\ne\n"), 2);
}

/// `schema` with one more column in `table`, unique so the light diagram shows it too.
fn with_column(schema: &migration::schema::Schema, table: &str) -> migration::schema::Schema {
    let mut schema = schema.clone();
    let t = schema.tables.get_mut(table).expect("the table exists");
    t.columns.push(migration::schema::Column {
        name: "added_for_the_test".to_string(),
        ty: migration::schema::ColumnType::Integer,
        nullable: true,
        default: None,
        comment: Some("A column the model did not have".to_string()),
        auto_increment: false,
        identity: None,
        generated: None,
        collation: None,
    });
    t.uniques.push(migration::schema::UniqueConstraint {
        name: None,
        columns: vec!["added_for_the_test".to_string()],
        nulls_not_distinct: false,
    });
    schema
}

/// Lines changed in the full and the light SVG when the model goes from `before` to `after`.
fn diagram_diff(
    before: &migration::schema::Schema,
    after: &migration::schema::Schema,
) -> [usize; 2] {
    [diagram::Detail::Full, diagram::Detail::Keys].map(|detail| {
        changed_lines(
            &diagram::svg::render(before, "opdb", detail),
            &diagram::svg::render(after, "opdb", detail),
        )
    })
}

/// Adding one column to one table changes a few lines of each SVG, not every box's coordinates
/// (it changed 500 to 1,272 lines of the full SVG when every coordinate was absolute and the
/// layout saw exact box sizes). Usually the box grows into its room and only its own lines
/// change; when its room grows, the items below it in its column move, nothing else.
#[test]
fn one_more_column_is_a_small_diagram_diff() {
    let schema = common::opdb_entities().schema();
    let mut report = Vec::new();
    let mut small = 0;
    for table in schema.tables.keys() {
        let [full, light] = diagram_diff(&schema, &with_column(&schema, table));
        report.push(format!("{table}: full {full}, light {light}"));
        small += [full, light].iter().filter(|n| **n <= 30).count();
        assert!(
            full <= 160 && light <= 160,
            "one more column in {table}: {full} lines of the full SVG, {light} of the light one"
        );
        // A leaf, the central table and big ones: their boxes grow within their rooms.
        if [
            "pfs_visit",
            "tel_status",
            "agc_data",
            "cobra_target",
            "pfs_design",
        ]
        .contains(&table.as_str())
        {
            assert!(
                full <= 30 && light <= 40,
                "{table}: full {full}, light {light}"
            );
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        small * 3 >= 2 * 2 * schema.tables.len(),
        "fewer than two in three of the diagrams changed by at most 30 lines:\n{}",
        report.join("\n")
    );
}

/// A new table joined to the central one changes well under half of each SVG. (Not much
/// less: it takes a place in a column's order, which moves its neighbours there and the
/// regression that aligns them.)
#[test]
fn one_more_table_is_a_bounded_diagram_diff() {
    let schema = common::opdb_entities().schema();
    let mut changed = schema.clone();
    let mut table = changed.tables["tel_status"].clone();
    table.name = "zz_added_for_the_test".to_string();
    changed.tables.insert(table.name.clone(), table);
    let [full, light] = diagram_diff(&schema, &changed);
    println!("one more table: full {full}, light {light}");
    let lines = [diagram::Detail::Full, diagram::Detail::Keys].map(|detail| {
        diagram::svg::render(&schema, "opdb", detail)
            .lines()
            .count()
    });
    assert!(
        2 * full < lines[0] && 2 * light < lines[1],
        "one more table: full {full} of {}, light {light} of {} lines",
        lines[0],
        lines[1]
    );
}
