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
        assert_eq!(svg.matches("<g id=\"table-").count(), entity::TABLE_COUNT);
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
