//! The SVG diagrams: a box per table (its columns with types, nullability and key markers) and
//! a curve per foreign key from the referencing column to the referenced one. Table and column
//! comments are the boxes' and rows' `<title>`s, which browsers show as tooltips.
//!
//! Each box is a group placed by one `translate`, with everything in it relative to the box:
//! a box that moves changes one line of the file, not one per row.

use super::layout::{layout, Layout, Metrics};
use super::{markers, room, shown_columns, xml_escape, Detail};
use crate::schema::{Schema, Table};
use std::collections::BTreeMap;
use std::fmt::Write;

const FONT: f64 = 12.0;
/// Advance of one character of the monospace font at [`FONT`] (0.6 em).
const CHAR: f64 = 7.2;
const HEADER: f64 = 24.0;
const ROW: f64 = 17.0;
const PAD: f64 = 8.0;
const TITLE: f64 = 56.0;

/// The text of a row: key markers, name, type (`?` when nullable).
fn row_parts(table: &Table, column: &crate::schema::Column) -> (String, String, String) {
    let mut ty = column.ty.to_string();
    if column.auto_increment {
        ty = format!("{ty} serial");
    }
    if column.nullable {
        ty.push('?');
    }
    (markers(table, column).join(" "), column.name.clone(), ty)
}

/// Widths (in characters) of the marker, name and type fields of a table's rows, spaces after
/// them included. The name field has room to spare (see [`room`]): the types stay where they
/// are when a column with a somewhat longer name is added, so its rows do not change.
fn widths(table: &Table, detail: Detail) -> (usize, usize, usize) {
    let mut w = (0, 0, 0);
    for c in shown_columns(table, detail) {
        let (m, n, t) = row_parts(table, c);
        w.0 = w.0.max(m.len());
        w.1 = w.1.max(n.chars().count());
        w.2 = w.2.max(t.len());
    }
    let marker = if w.0 > 0 { w.0 + 1 } else { 0 };
    (marker, room::chars(w.1 + 1), w.2)
}

fn metrics(schema: &Schema, detail: Detail) -> Metrics {
    let mut boxes = BTreeMap::new();
    let mut rooms = BTreeMap::new();
    let mut rows = BTreeMap::new();
    let size = |chars: usize, rows: usize| {
        (
            chars as f64 * CHAR + 2.0 * PAD,
            HEADER + rows as f64 * ROW + 6.0,
        )
    };
    for (name, table) in &schema.tables {
        let (m, n, t) = widths(table, detail);
        let columns = shown_columns(table, detail);
        let chars = (m + n + t + 1).max(name.chars().count() + 2);
        boxes.insert(name.clone(), size(chars, columns.len()));
        rooms.insert(
            name.clone(),
            size(room::chars(chars), room::rows(columns.len())),
        );
        for (i, c) in columns.iter().enumerate() {
            rows.insert(
                (name.clone(), c.name.clone()),
                HEADER + i as f64 * ROW + ROW / 2.0 + 2.0,
            );
        }
    }
    Metrics {
        boxes,
        rooms,
        rows,
        nominal: size(0, room::ROWS_STEP).1,
    }
}

/// Where the boxes and curves of the diagram of `schema` go.
pub fn placed(schema: &Schema, detail: Detail) -> Layout {
    layout(schema, &metrics(schema, detail), TITLE)
}

/// The diagram of `schema`, titled with the database's `name`.
pub fn render(schema: &Schema, name: &str, detail: Detail) -> String {
    let placed = placed(schema, detail);
    let fk_count: usize = schema.tables.values().map(|t| t.foreign_keys.len()).sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}">"#,
        w = placed.width,
        h = placed.height
    );
    s.push_str(
        r##"<style>
.fk { fill: none; stroke: #5b7083; stroke-width: 1.2; opacity: 0.75 }
.fk:hover { stroke: #d9480f; stroke-width: 2.5; opacity: 1 }
.box { fill: #ffffff; stroke: #44546a; stroke-width: 1 }
.head { fill: #dbe7f3; stroke: #44546a; stroke-width: 1 }
.name { font-weight: bold; fill: #1b2a3a }
.key { fill: #b35900; font-size: 10px; font-weight: bold }
.col { fill: #1b2a3a }
.pk { fill: #1b2a3a; font-weight: bold }
.type { fill: #6b7b8c }
.title { font-size: 16px; font-weight: bold; fill: #1b2a3a }
.legend { font-size: 11px; fill: #44546a }
</style>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b7083"/></marker>
<marker id="dot" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5"><circle cx="5" cy="5" r="4" fill="#5b7083"/></marker></defs>
"##,
    );
    let _ = writeln!(
        s,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>
<text class="title" x="20" y="26">{} schema{}: {} tables, {fk_count} foreign keys</text>
<text class="legend" x="20" y="44">PK primary key · FK foreign key · UK unique · type? nullable · each arrow runs from a foreign-key column to the column it references · hover for comments</text>"##,
        xml_escape(name),
        if detail == Detail::Keys {
            " (key columns)"
        } else {
            ""
        },
        schema.tables.len()
    );

    s.push_str("<g id=\"foreign-keys\">\n");
    for r in &placed.routes {
        // Routes run from the left box to the right one; the arrow points at the referenced
        // table, whichever side it is on.
        let referenced_left = placed.boxes[&r.ref_table].x <= placed.boxes[&r.table].x;
        let (start, end) = if referenced_left {
            ("arrow", "dot")
        } else {
            ("dot", "arrow")
        };
        let _ = writeln!(
            s,
            r#"<path class="fk" d="{}" marker-start="url(#{start})" marker-end="url(#{end})"><title>{}({}) → {}({})</title></path>"#,
            r.path,
            xml_escape(&r.table),
            xml_escape(&r.columns.join(", ")),
            xml_escape(&r.ref_table),
            xml_escape(&r.ref_columns.join(", "))
        );
    }
    s.push_str("</g>\n");

    for (name, table) in &schema.tables {
        let b = &placed.boxes[name];
        let (mw, nw, _) = widths(table, detail);
        let title = match &table.comment {
            Some(c) => format!("{name}: {c}"),
            None => name.clone(),
        };
        // One line places the box; everything in it is relative to its top left corner, so a
        // box that moves changes that line only.
        let _ = writeln!(
            s,
            r#"<g id="table-{}" transform="translate({:.1},{:.1})">"#,
            xml_escape(name),
            b.x,
            b.y
        );
        let _ = writeln!(s, "<title>{}</title>", xml_escape(&title));
        let _ = writeln!(
            s,
            r#"<rect class="box" width="{:.1}" height="{:.1}" rx="3"/>"#,
            b.width, b.height
        );
        let _ = writeln!(
            s,
            r#"<path class="head" d="M0,{HEADER:.1} V3 Q0,0 3,0 H{x2:.1} Q{xr:.1},0 {xr:.1},3 V{HEADER:.1} Z"/>"#,
            x2 = b.width - 3.0,
            xr = b.width
        );
        let _ = writeln!(
            s,
            r#"<text class="name" x="{PAD:.1}" y="16.5">{}</text>"#,
            xml_escape(name)
        );
        for (i, c) in shown_columns(table, detail).iter().enumerate() {
            let (m, n, t) = row_parts(table, c);
            let baseline = HEADER + i as f64 * ROW + 14.0;
            let x_name = PAD + mw as f64 * CHAR;
            let x_type = x_name + nw as f64 * CHAR;
            let mut tip = format!("{}.{}: {}", name, c.name, c.ty);
            if !c.nullable {
                tip.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                tip.push_str(&format!(" DEFAULT {d}"));
            }
            if let Some(comment) = &c.comment {
                tip.push_str(&format!("\n{comment}"));
            }
            let class = if table.primary_key_columns().contains(&c.name) {
                "pk"
            } else {
                "col"
            };
            let _ = write!(s, "<g><title>{}</title>", xml_escape(&tip));
            if !m.is_empty() {
                let _ = write!(
                    s,
                    r#"<text class="key" x="{:.1}" y="{:.1}">{}</text>"#,
                    PAD, baseline, m
                );
            }
            let _ = writeln!(
                s,
                r#"<text class="{class}" x="{x_name:.1}" y="{baseline:.1}">{}</text><text class="type" x="{x_type:.1}" y="{baseline:.1}">{}</text></g>"#,
                xml_escape(&n),
                xml_escape(&t)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}
