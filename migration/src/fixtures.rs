//! Fixtures for `reset`: a folder of CSV files, one per table, named `<table>.csv`, whose header
//! row names the columns it gives. Read and parsed whole before the database is touched (a
//! malformed file changes nothing), checked against the tables the database has after
//! `upgrade head` (an unknown table or column loads nothing), and put in foreign-key order.
//!
//! CSV as RFC 4180 and PostgreSQL's `COPY ... (FORMAT csv)` read it: fields separated by `,`,
//! quoted with `"` (a quote inside doubled), line breaks `\n` or `\r\n`. An unquoted empty
//! field is NULL; a quoted one (`""`) is the empty string. PostgreSQL is sent the file's bytes
//! after the header as they are, so both backends load the same values.

use crate::schema::{Schema, Table};
use anyhow::{bail, Context as _, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One table's fixture file, parsed.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The table, from the file's name.
    pub table: String,
    pub path: PathBuf,
    /// The columns its header names, in order.
    pub columns: Vec<String>,
    /// Each row's fields, `None` for NULL.
    pub rows: Vec<Vec<Option<String>>>,
    /// The file's bytes, and where its rows start (after the header).
    pub text: Vec<u8>,
    pub data_start: usize,
}

/// Every `*.csv` file of `dir`, parsed, in file-name order (other files are left alone); a
/// one-line error naming the file and line of the first malformed one.
pub fn read_dir(dir: &Path) -> Result<Vec<Fixture>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "reading the fixtures folder {} (--fixtures names a folder of <table>.csv files)",
            dir.display()
        )
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading the fixtures folder {}", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == "csv") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|p| read(p)).collect()
}

/// One fixture file, parsed.
pub fn read(path: &Path) -> Result<Fixture> {
    let table = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = parse(&text).with_context(|| path.display().to_string())?;
    let Some((header, data_start)) = parsed.first().cloned() else {
        bail!(
            "{} is empty: its first line must name the columns it gives",
            path.display()
        );
    };
    let mut columns = Vec::new();
    for field in header {
        match field {
            Some(name) if !name.is_empty() => columns.push(name),
            _ => bail!(
                "{}: the header has an empty column name: name every column",
                path.display()
            ),
        }
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = columns.iter().find(|c| !seen.insert(c.as_str())) {
        bail!(
            "{}: the header names column {twice:?} twice: keep one",
            path.display()
        );
    }
    let mut rows = Vec::with_capacity(parsed.len() - 1);
    for (n, (row, _)) in parsed.into_iter().enumerate().skip(1) {
        if row.len() != columns.len() {
            bail!(
                "{} record {}: {} field{}, the header names {} column{}",
                path.display(),
                n + 1,
                row.len(),
                if row.len() == 1 { "" } else { "s" },
                columns.len(),
                if columns.len() == 1 { "" } else { "s" }
            );
        }
        rows.push(row);
    }
    Ok(Fixture {
        table,
        path: path.to_path_buf(),
        columns,
        rows,
        text,
        data_start,
    })
}

/// The records of a CSV text, each with the byte offset just past it; a trailing line break
/// ends the last record, and a UTF-8 byte-order mark before the first is skipped.
pub fn parse(text: &[u8]) -> Result<Vec<(Vec<Option<String>>, usize)>> {
    let mut records = Vec::new();
    let mut i = if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line = 1;
    let field_text = |bytes: &[u8], line: usize| -> Result<String> {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| anyhow::anyhow!("line {line}: not UTF-8: save the file as UTF-8"))
    };
    while i < text.len() {
        let mut record = Vec::new();
        loop {
            // One field, at `i`.
            if text.get(i) == Some(&b'"') {
                let start_line = line;
                let mut value = Vec::new();
                i += 1;
                loop {
                    match text.get(i) {
                        None => bail!(
                            "line {start_line}: a quoted field is never closed: add the closing \""
                        ),
                        Some(b'"') if text.get(i + 1) == Some(&b'"') => {
                            value.push(b'"');
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(&b) => {
                            line += usize::from(b == b'\n');
                            value.push(b);
                            i += 1;
                        }
                    }
                }
                if !matches!(text.get(i), None | Some(b',') | Some(b'\n') | Some(b'\r')) {
                    bail!(
                        "line {line}: text after a closing quote: quote the whole field, and \
                         double a quote inside it (\"\")"
                    );
                }
                record.push(Some(field_text(&value, line)?));
            } else {
                let start = i;
                while !matches!(text.get(i), None | Some(b',') | Some(b'\n') | Some(b'\r')) {
                    i += 1;
                }
                let raw = &text[start..i];
                record.push(match raw.is_empty() {
                    true => None,
                    false => Some(field_text(raw, line)?),
                });
            }
            match text.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if text.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    break;
                }
                Some(b'\n') | Some(b'\r') => {
                    i += 1;
                    break;
                }
                _ => break,
            }
        }
        line += 1;
        records.push((record, i));
    }
    Ok(records)
}

/// Checks every fixture against `schema` (the tables after `upgrade head`): each names a
/// table of it, with columns of that table that can be written. A one-line error naming the
/// file and what is wrong.
pub fn check(fixtures: &[Fixture], schema: &Schema, label: &str) -> Result<()> {
    for f in fixtures {
        let Some(table) = schema.tables.get(&f.table) else {
            bail!(
                "{}: {label} has no table {:?} (a fixture file is named after its table: \
                 <table>.csv); rename or remove the file",
                f.path.display(),
                f.table
            );
        };
        for column in &f.columns {
            match table.column(column) {
                None => bail!(
                    "{}: table {} has no column {column:?} (its columns: {}); fix the header",
                    f.path.display(),
                    f.table,
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(c) if c.generated.is_some() => bail!(
                    "{}: column {column:?} of table {} is generated: leave it out of the header",
                    f.path.display(),
                    f.table
                ),
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The fixtures' tables in an order where each comes after the tables its foreign keys refer
/// to, and the foreign keys that close a cycle among them (self-references included), which
/// the load defers: `(table, key)` pairs.
pub fn load_order<'a>(
    fixtures: &[Fixture],
    schema: &'a Schema,
) -> (Vec<String>, Vec<(&'a Table, &'a crate::schema::ForeignKey)>) {
    let names: BTreeSet<String> = fixtures.iter().map(|f| f.table.clone()).collect();
    // The keys between loaded tables of one schema, and the tables each refers to.
    let keys = |name: &str| -> Vec<&'a crate::schema::ForeignKey> {
        schema
            .tables
            .get(name)
            .map(|t| {
                t.foreign_keys
                    .iter()
                    .filter(|fk| fk.ref_schema.is_none() && names.contains(&fk.ref_table))
                    .collect()
            })
            .unwrap_or_default()
    };
    let refers = |name: &str| -> BTreeSet<String> {
        keys(name).iter().map(|fk| fk.ref_table.clone()).collect()
    };
    let groups = crate::toposort::cycles(&names, refers);
    let group_of = |name: &str| groups.iter().position(|g| g.contains(name));
    let mut deferred = Vec::new();
    for name in &names {
        for fk in keys(name) {
            let in_cycle = fk.ref_table == *name
                || group_of(name).is_some_and(|g| group_of(&fk.ref_table) == Some(g));
            if in_cycle {
                deferred.push((&schema.tables[name], fk));
            }
        }
    }
    // Without the deferred keys the graph has no cycle: every table gets its place.
    let (order, cyclic) = crate::toposort::order(&names, |name| {
        keys(name)
            .into_iter()
            .filter(|fk| !deferred.iter().any(|(t, d)| t.name == name && std::ptr::eq(*d, *fk)))
            .map(|fk| fk.ref_table.clone())
            .collect()
    });
    debug_assert!(cyclic.is_empty(), "cycles left: {cyclic:?}");
    let mut order = order;
    order.extend(cyclic);
    (order, deferred)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<Option<String>>> {
        parse(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    }

    #[test]
    fn csv_as_postgresql_reads_it() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            fields("a,b,c\n1,,\"\"\r\n\"x,\"\"y\"\"\nz\",2,3"),
            vec![
                vec![s("a"), s("b"), s("c")],
                vec![s("1"), None, s("")],
                vec![s("x,\"y\"\nz"), s("2"), s("3")],
            ]
        );
        assert_eq!(fields("\u{feff}id\n1\n"), vec![vec![s("id")], vec![s("1")]]);
        let e = parse(b"a\n\"open\n").unwrap_err().to_string();
        assert!(e.contains("line 2: a quoted field is never closed"), "{e}");
        let e = parse(b"a\n\"x\"y\n").unwrap_err().to_string();
        assert!(e.contains("text after a closing quote"), "{e}");
        // The offset after the header is where PostgreSQL's rows start.
        let text = b"id,name\n1,a\n";
        assert_eq!(&text[parse(text).unwrap()[0].1..], b"1,a\n");
    }
}
