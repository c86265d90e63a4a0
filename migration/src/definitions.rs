//! Views, functions and triggers: the objects the model holds as SQL text rather than as
//! structure. What is read out of that text is read here, and only what the plans need: a
//! trigger's name and table, a function's argument list and result, the names a query
//! mentions when no server has said what it reads. Comparing the texts is the server's work
//! ([`crate::canonical`]); showing how two of them differ is [`unified`]'s.

use anyhow::{bail, Result};

/// `text` split at its commas outside parentheses, brackets and quotes (an argument list,
/// `a integer, b numeric(10,2) DEFAULT '1,2'`).
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<u8>, 0);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(' | b'[') => depth += 1,
            (None, b')' | b']') => depth -= 1,
            (None, b',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() || !parts.is_empty() {
        parts.push(&text[start..]);
    }
    parts
}

/// A query or statement as a server wrote it, without surrounding white space or a closing
/// semicolon, and otherwise as it is.
pub fn trimmed(sql: &str) -> String {
    sql.trim().trim_end_matches(';').trim_end().to_string()
}

/// A query or statement as the model keeps it: without surrounding white space or a closing
/// semicolon, and its lines after the first without the indentation they all share (the
/// indentation of the Rust source they were written in), so that revisions show them plainly.
pub fn statement_text(sql: &str) -> String {
    let text = sql.trim().trim_end_matches(';').trim_end();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.map(str::trim_end).collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    std::iter::once(first.trim_end())
        .chain(rest.iter().map(|l| l.get(indent..).unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One identifier at the start of `text` (bare or double-quoted), and the rest.
fn identifier(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    if let Some(quoted) = text.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                return Some((name, &quoted[i + 1..]));
            }
            name.push(c);
        }
        return None;
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    (end > 0).then(|| (text[..end].to_lowercase(), &text[end..]))
}

/// A possibly schema-qualified name at the start of `text`: its last part, and the rest.
fn qualified(text: &str) -> Option<(String, &str)> {
    let (mut name, mut rest) = identifier(text)?;
    while let Some(after) = rest.strip_prefix('.') {
        let (next, more) = identifier(after)?;
        name = next;
        rest = more;
    }
    Some((name, rest))
}

/// The query of a `CREATE [TEMP] VIEW [IF NOT EXISTS] name [(columns)] AS query` statement,
/// as SQLite keeps it: what follows `AS`, trimmed.
pub fn view_query(sql: &str) -> Option<String> {
    // ASCII case only: the offsets found in the upper-case text are the statement's own.
    let upper = sql.to_ascii_uppercase();
    let at = upper.find("VIEW")?;
    let mut rest = &sql[at + "VIEW".len()..];
    let start = rest.trim_start();
    if start.to_ascii_uppercase().starts_with("IF NOT EXISTS") {
        rest = &start["IF NOT EXISTS".len()..];
    }
    let (_, rest) = qualified(rest)?;
    let rest = rest.trim_start();
    // A list of column names the model cannot hold: not read (reported, never matched).
    if rest.starts_with('(') {
        return None;
    }
    if !rest.get(..2)?.eq_ignore_ascii_case("AS") {
        return None;
    }
    let query = &rest[2..];
    query
        .starts_with(|c: char| c.is_whitespace() || c == '(')
        .then(|| trimmed(query))
}

/// The name and table of a `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name ... ON table ...`
/// statement.
pub fn trigger_head(sql: &str) -> Result<(String, String)> {
    // ASCII case only: the offsets found in the upper-case text are the statement's own.
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find("TRIGGER") else {
        bail!("{:?} is not a CREATE TRIGGER statement: write CREATE TRIGGER name ... ON table ...", short(sql));
    };
    let head = upper[..at].split_whitespace().collect::<Vec<_>>().join(" ");
    if !matches!(
        head.as_str(),
        "CREATE" | "CREATE OR REPLACE" | "CREATE CONSTRAINT" | "CREATE OR REPLACE CONSTRAINT"
    ) {
        bail!("{:?} is not a CREATE TRIGGER statement: write CREATE TRIGGER name ... ON table ...", short(sql));
    }
    let Some((name, rest)) = identifier(&sql[at + "TRIGGER".len()..]) else {
        bail!("{:?}: no trigger name after CREATE TRIGGER", short(sql));
    };
    // The table follows the first ` ON ` outside quotes after the name.
    let words = rest.as_bytes();
    let upper_rest = rest.to_ascii_uppercase();
    let mut quote = None;
    for (i, &b) in words.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            _ if upper_rest.as_bytes()[i..].starts_with(b"ON")
                && i > 0
                && words[i - 1].is_ascii_whitespace()
                && words.get(i + 2).is_some_and(u8::is_ascii_whitespace) =>
            {
                if let Some((table, _)) = qualified(&rest[i + 2..]) {
                    return Ok((name, table));
                }
            }
            _ => {}
        }
    }
    bail!("{:?}: no ON table in the trigger's statement", short(sql))
}

/// A `CREATE TRIGGER` statement as SQLite stores it: its opening words (`create temp trigger
/// if not exists`) written `CREATE TRIGGER`, the rest as given.
pub fn sqlite_stored_trigger(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find("TRIGGER") else {
        return sql.to_string();
    };
    let mut rest = sql[at + "TRIGGER".len()..].trim_start();
    if rest.to_ascii_uppercase().starts_with("IF NOT EXISTS") {
        rest = rest["IF NOT EXISTS".len()..].trim_start();
    }
    format!("CREATE TRIGGER {rest}")
}

/// The first line of `sql`, cut short, for messages.
fn short(sql: &str) -> String {
    let line = sql.trim().lines().next().unwrap_or_default();
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_string(),
    }
}

/// The result a function's definition declares (`RETURNS integer`, `RETURNS TABLE(...)`), in
/// lower case with white space collapsed: a function whose result changes cannot be replaced
/// in place (PostgreSQL refuses `CREATE OR REPLACE`), it is dropped and created.
pub fn returns(definition: &str) -> String {
    let text = crate::normalize::collapse_space(definition);
    let lower = text.to_lowercase();
    let Some(at) = lower.find("returns ") else {
        return String::new();
    };
    let rest = &lower[at + "returns ".len()..];
    // A table's columns, whatever words they hold, up to its closing parenthesis.
    if let Some(columns) = rest.strip_prefix("table") {
        let open = rest.len() - columns.trim_start().len();
        if rest[open..].starts_with('(') {
            if let Some(close) = crate::normalize::closing_paren(rest, open) {
                return format!("table{}", &rest[open..=close]);
            }
        }
    }
    const NEXT: &[&str] = &[
        " language ", " as ", " immutable", " stable", " volatile", " strict", " security ",
        " cost ", " rows ", " parallel ", " leakproof", " called ", " set ", " window",
        " begin ", " support ", " transform ", " external ",
    ];
    let end = NEXT
        .iter()
        .filter_map(|w| top_level_find(rest, w))
        .min()
        .unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

/// Where `word` first stands in `text` outside parentheses and quotes.
pub(crate) fn top_level_find(text: &str, word: &str) -> Option<usize> {
    let (mut depth, mut quote) = (0i32, None::<u8>);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            _ if depth == 0 && text.as_bytes()[i..].starts_with(word.as_bytes()) => {
                return Some(i)
            }
            _ => {}
        }
    }
    None
}

/// Whether `text` mentions `name` as a word (not inside a longer name): what a
/// query is taken to read when no server has said, so that its plan drops and makes it in a
/// safe order. It may see a column where there is none (a word in a comment); that only
/// makes a view more often dropped and made again, never left in the way.
pub fn mentions(text: &str, name: &str) -> bool {
    mentions_lowercase(&text.to_lowercase(), name)
}

/// [`mentions`] in a text already in lower case: what asks of one text about many names
/// lowers it once.
pub fn mentions_lowercase(lower: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    if name.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    lower.match_indices(&name).any(|(at, _)| {
        !word(lower[..at].chars().next_back()) && !word(lower[at + name.len()..].chars().next())
    })
}

/// How `old` became `new`, as a unified diff of their lines (the `similar` crate), for the
/// definitions of views, functions and triggers in `check`, `diff` and revision headers.
pub fn unified(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(&format!("{}\n", old.trim_end()), &format!("{}\n", new.trim_end()))
        .unified_diff()
        .context_radius(3)
        .header("before", "after")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_lists_split_at_top_level_commas() {
        assert_eq!(
            split_top_level("a integer, b numeric(10,2) DEFAULT '1,2', c text[]"),
            ["a integer", " b numeric(10,2) DEFAULT '1,2'", " c text[]"]
        );
        assert!(split_top_level("  ").is_empty());
        assert_eq!(
            crate::schema::identity_arguments("a integer DEFAULT 1, OUT b text, c text = 'x,y'"),
            "a integer, c text"
        );
        assert_eq!(
            crate::schema::identity_arguments("\"İİİİ\" integer = 1, \"a=b\" int DEFAULT 2"),
            "\"İİİİ\" integer, \"a=b\" int"
        );
    }

    #[test]
    fn statements_lose_their_semicolon_and_shared_indentation() {
        assert_eq!(
            statement_text("SELECT a,\n           b\n        FROM t\n        WHERE x;  \n"),
            "SELECT a,\n   b\nFROM t\nWHERE x"
        );
        assert_eq!(statement_text("  SELECT 1 ;"), "SELECT 1");
        // A dollar-quoted body keeps what is inside it but for the shared indentation.
        assert_eq!(
            statement_text("AS $$\n      BEGIN\n          RETURN NEW;\n      END\n      $$"),
            "AS $$\nBEGIN\n    RETURN NEW;\nEND\n$$"
        );
    }

    #[test]
    fn a_trigger_statement_names_its_trigger_and_table() {
        assert_eq!(
            trigger_head("CREATE TRIGGER touch BEFORE UPDATE ON public.item FOR EACH ROW EXECUTE FUNCTION touch()").unwrap(),
            ("touch".into(), "item".into())
        );
        assert_eq!(
            trigger_head("create or replace trigger \"On Mark\" after insert or update of \"on\" on \"My Table\" for each row execute function f()").unwrap(),
            ("On Mark".into(), "My Table".into())
        );
        // Text that is not ASCII, before and after the table, is no trouble.
        assert_eq!(
            trigger_head("CREATE TRIGGER t AFTER UPDATE OF prix_été ON articlé FOR EACH ROW EXECUTE FUNCTION f()").unwrap(),
            ("t".into(), "articlé".into())
        );
        assert_eq!(
            trigger_head("CREATE TRIGGER t /* İİİ ÉTÉ */ BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION f()").unwrap(),
            ("t".into(), "item".into())
        );
        for bad in ["CREATE VIEW v AS SELECT 1", "CREATE TRIGGER", "CREATE TRIGGER t BEFORE INSERT"] {
            assert!(trigger_head(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_view_statement_gives_its_query() {
        assert_eq!(
            view_query("CREATE VIEW v AS\nSELECT 1;").as_deref(),
            Some("SELECT 1")
        );
        assert_eq!(
            view_query("create temp view if not exists \"a as b\" as select 1, 2").as_deref(),
            Some("select 1, 2")
        );
        assert_eq!(view_query("CREATE VIEW main.v AS(SELECT 1)").as_deref(), Some("(SELECT 1)"));
        assert_eq!(view_query("CREATE VIEW été AS SELECT 'ÉTÉ'").as_deref(), Some("SELECT 'ÉTÉ'"));
        // Column names the model cannot hold: not read as if they were not there.
        assert_eq!(view_query("CREATE VIEW v (x, y) AS SELECT 1, 2"), None);
        assert_eq!(view_query("CREATE VIEW v ASSELECT"), None);
        assert_eq!(view_query("CREATE TABLE t (id)"), None);
    }

    #[test]
    fn sqlite_stores_a_trigger_under_its_own_opening_words() {
        assert_eq!(
            sqlite_stored_trigger("create   temp trigger if not exists tr after insert on t begin select 1; end"),
            "CREATE TRIGGER tr after insert on t begin select 1; end"
        );
    }

    #[test]
    fn results_and_mentions_are_read_from_the_text() {
        assert_eq!(returns("RETURNS integer LANGUAGE sql AS $$ select 1 $$"), "integer");
        // Words inside a table's columns are its columns', not the definition's next clause.
        assert_eq!(
            returns("RETURNS TABLE(id integer, window_start timestamptz, cost numeric) LANGUAGE sql"),
            "table(id integer, window_start timestamptz, cost numeric)"
        );
        assert_ne!(
            returns("RETURNS TABLE(id integer, window_start timestamptz)"),
            returns("RETURNS TABLE(id integer, window_start timestamptz, more text)")
        );
        assert_eq!(returns("RETURNS numeric(10, 2) STRICT AS 'x'"), "numeric(10, 2)");
        assert_eq!(
            returns("\n RETURNS TABLE(a integer)\n LANGUAGE sql\nAS $f$ select 1 $f$"),
            "table(a integer)"
        );
        assert!(mentions("SELECT t.exptime FROM pfs_visit t", "pfs_visit"));
        assert!(mentions("SELECT t.exptime FROM pfs_visit t", "EXPTIME"));
        assert!(!mentions("SELECT t.exptime_max FROM pfs_visits t", "pfs_visit"));
        assert!(!mentions("SELECT 1", "exptime"));
    }
}
