//! The diagram for Graphviz: `dot -Tsvg opdb_schema.dot > out.svg` draws it with Graphviz's own
//! layout, one record per table and an edge per foreign key between the joined columns.

use super::{markers, xml_escape};
use crate::schema::Schema;
use std::fmt::Write;

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn render(schema: &Schema, name: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph {} {{", quoted(&format!("{name}_schema")));
    s.push_str(
        "    graph [rankdir=LR, splines=true, nodesep=0.25, ranksep=1.0, fontname=\"monospace\"];\n",
    );
    s.push_str("    node [shape=plain, fontname=\"monospace\", fontsize=10];\n");
    s.push_str("    edge [color=\"#5b7083\", arrowsize=0.6];\n\n");
    for (t, table) in &schema.tables {
        let mut label = String::from(
            "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">",
        );
        let _ = write!(
            label,
            "<tr><td bgcolor=\"#dbe7f3\" colspan=\"3\"><b>{}</b></td></tr>",
            xml_escape(t)
        );
        for c in &table.columns {
            let mut ty = c.ty.to_string();
            if c.nullable {
                ty.push('?');
            }
            let _ = write!(
                label,
                "<tr><td align=\"left\">{}</td><td align=\"left\" port=\"{}\">{}</td><td align=\"left\">{}</td></tr>",
                markers(table, c).join(" "),
                xml_escape(&c.name),
                xml_escape(&c.name),
                xml_escape(&ty)
            );
        }
        label.push_str("</table>>");
        let tooltip = table.comment.clone().unwrap_or_else(|| t.clone());
        let _ = writeln!(
            s,
            "    {} [label={label}, tooltip={}];",
            quoted(t),
            quoted(&tooltip)
        );
    }
    s.push('\n');
    for (t, table) in &schema.tables {
        for fk in &table.foreign_keys {
            let _ = writeln!(
                s,
                "    {}:{} -> {}:{} [tooltip={}];",
                quoted(t),
                quoted(&fk.columns[0]),
                quoted(&fk.ref_table),
                quoted(&fk.ref_columns[0]),
                quoted(&format!(
                    "{t}({}) -> {}({})",
                    fk.columns.join(", "),
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ))
            );
        }
    }
    s.push_str("}\n");
    s
}
