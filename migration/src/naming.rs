//! Default names of keys and indexes: PostgreSQL's own (and SQLAlchemy's `ix_` for indexes), so
//! a database made by `create_all` and one made by opdb name things alike.

/// PostgreSQL keeps at most this many bytes of an identifier.
const MAX_IDENT: usize = 63;

/// An identifier cut to what PostgreSQL keeps, on a character boundary.
pub fn ident(name: &str) -> String {
    let mut end = name.len().min(MAX_IDENT);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

pub fn primary_key(table: &str) -> String {
    ident(&format!("{table}_pkey"))
}

pub fn unique(table: &str, columns: &[String]) -> String {
    ident(&format!("{table}_{}_key", columns.join("_")))
}

pub fn foreign_key(table: &str, columns: &[String]) -> String {
    ident(&format!("{table}_{}_fkey", columns.join("_")))
}

pub fn index(table: &str, columns: &[String]) -> String {
    ident(&format!("ix_{table}_{}", columns.join("_")))
}

pub fn check(table: &str, n: usize) -> String {
    ident(&format!("{table}_check{n}"))
}

/// The sequence PostgreSQL makes for a serial column.
pub fn serial_sequence(table: &str, column: &str) -> String {
    ident(&format!("{table}_{column}_seq"))
}

/// PostgreSQL's name for a check written on one column.
pub fn column_check(table: &str, column: &str) -> String {
    ident(&format!("{table}_{column}_check"))
}
