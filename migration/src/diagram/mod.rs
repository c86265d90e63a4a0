//! Schema diagrams and a schema reference, generated from the model (`opdb diagram`).
//!
//! Five files per database, all from the same [`Schema`]: an SVG of every table with every
//! column, a light SVG with the key columns only, the same graph for Graphviz (`.dot`) and for
//! Mermaid (`.mmd`, which GitHub renders), and a Markdown reference. The SVGs are laid out here
//! ([`layout`]), with no external program, so they can be regenerated anywhere and compared
//! byte for byte: the same model always gives the same files.

pub mod dot;
pub mod layout;
pub mod markdown;
pub mod mermaid;
pub mod room;
pub mod svg;

use crate::schema::{Column, Schema, Table};

/// The files for database `name`: (file name, content).
pub fn render_all(schema: &Schema, name: &str) -> Vec<(String, String)> {
    vec![
        (
            format!("{name}_schema.svg"),
            svg::render(schema, name, Detail::Full),
        ),
        (
            format!("{name}_schema_light.svg"),
            svg::render(schema, name, Detail::Keys),
        ),
        (format!("{name}_schema.dot"), dot::render(schema, name)),
        (format!("{name}_schema.mmd"), mermaid::render(schema)),
        (format!("{name}_schema.md"), markdown::render(schema, name)),
    ]
}

/// How much of each table a diagram shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every column.
    Full,
    /// Primary-key, foreign-key and unique columns only.
    Keys,
}

/// The key roles of a column: `PK`, `FK`, `UK`.
pub fn markers(table: &Table, column: &Column) -> Vec<&'static str> {
    let name = &column.name;
    let mut m = Vec::new();
    if table.primary_key_columns().contains(name) {
        m.push("PK");
    }
    if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.contains(name))
    {
        m.push("FK");
    }
    let unique_index = table
        .indexes
        .iter()
        .any(|i| i.unique && i.plain_columns().is_some_and(|cols| cols.contains(name)));
    if table.uniques.iter().any(|u| u.columns.contains(name)) || unique_index {
        m.push("UK");
    }
    m
}

/// The columns a diagram of `detail` shows for `table`.
pub fn shown_columns(table: &Table, detail: Detail) -> Vec<&Column> {
    table
        .columns
        .iter()
        .filter(|c| detail == Detail::Full || !markers(table, c).is_empty())
        .collect()
}

/// Text for XML content and attributes.
pub fn xml_escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            c => s.push(c),
        }
    }
    s
}
