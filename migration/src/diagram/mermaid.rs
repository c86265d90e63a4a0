//! The diagram as a Mermaid `erDiagram`, which GitHub renders where the file is shown.

use super::markers;
use crate::schema::{Schema, Table};
use std::fmt::Write;

/// Mermaid attribute types are single words: `double precision` is `double_precision`,
/// `varchar(8)` is `varchar_8`, `real[]` is `real_array`.
fn word(ty: &str) -> String {
    let mut s = ty
        .replace("[]", "_array")
        .replace([' ', '(', ','], "_")
        .replace(')', "");
    while s.ends_with('_') {
        s.pop();
    }
    s
}

fn comment(text: &str) -> String {
    text.replace('"', "'").replace('\n', " ")
}

/// The relation's ends: the referenced table has exactly one row; the referencing side zero
/// or one (when its columns are a key) or many, and the link is optional when a column may be
/// NULL.
fn cardinality(table: &Table, columns: &[String]) -> &'static str {
    let optional = columns
        .iter()
        .any(|c| table.column(c).is_some_and(|c| c.nullable));
    let one = if optional { "|o" } else { "||" };
    let many = if table.is_key(columns) { "o|" } else { "o{" };
    match (one, many) {
        ("||", "o|") => "||--o|",
        ("||", _) => "||--o{",
        (_, "o|") => "|o--o|",
        _ => "|o--o{",
    }
}

pub fn render(schema: &Schema) -> String {
    let mut s = String::from("erDiagram\n");
    for (name, table) in &schema.tables {
        let _ = writeln!(s, "    {name} {{");
        for c in &table.columns {
            let keys = markers(table, c).join(", ");
            let mut line = format!("        {} {}", word(&c.ty.to_string()), c.name);
            if !keys.is_empty() {
                line.push(' ');
                line.push_str(&keys);
            }
            let mut note = String::new();
            if !c.nullable {
                note.push_str("NOT NULL");
            }
            if let Some(text) = &c.comment {
                if !note.is_empty() {
                    note.push_str(". ");
                }
                note.push_str(&comment(text));
            }
            if !note.is_empty() {
                let _ = write!(line, " \"{note}\"");
            }
            s.push_str(&line);
            s.push('\n');
        }
        s.push_str("    }\n");
    }
    for (name, table) in &schema.tables {
        for fk in &table.foreign_keys {
            let _ = writeln!(
                s,
                "    {} {} {name} : \"{}\"",
                fk.ref_table,
                cardinality(table, &fk.columns),
                fk.columns.join(", ")
            );
        }
    }
    s
}
