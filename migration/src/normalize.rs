//! Putting two schema models on the same footing before they are compared.
//!
//! A database hands back what the entities wrote in its own words: PostgreSQL adds casts to
//! defaults (`'none'::character varying`) and parentheses to checks (`CHECK ((x > 0))`). Both
//! sides go through the functions here so that only real differences remain. What SQLite
//! cannot store at all (comments, enum types, serial widths) is another matter:
//! [`crate::sqlite_stored`].

use crate::schema::{ColumnType, Schema, Table};

/// Normalizes every default and check of `schema` in place, and names every key and check
/// that has no name yet ([`crate::naming::fill`]).
pub fn schema(schema: &mut Schema) {
    for table in schema.tables.values_mut() {
        table_in_place(table);
        crate::naming::fill(table);
    }
}

fn table_in_place(table: &mut Table) {
    for column in &mut table.columns {
        if let Some(default) = &column.default {
            column.default = Some(default_expr(default, &column.ty));
        }
        if let Some(identity) = &mut column.identity {
            identity.normalize(&column.ty);
        }
        if let Some(generated) = &mut column.generated {
            generated.expression = check_expr(&generated.expression);
        }
    }
    for check in &mut table.checks {
        check.expression = check_expr(&check.expression);
    }
    for index in &mut table.indexes {
        if let Some(predicate) = &index.predicate {
            index.predicate = Some(check_expr(predicate));
        }
        index.normalize_options();
    }
}

/// A default as one canonical text, so that defaults compare by value: outer parentheses and
/// casts of literals gone; on a numeric column numbers unquoted and written one way (`5`,
/// `'5'`, `5.0` and `05.00` are `5`), but for a `numeric` without a scale, which keeps the
/// scale it is given (`5.0` reads back as `5.0`, not `5`), only the zeros that change nothing
/// go (`05.0` is `5.0`); on a boolean column every spelling PostgreSQL takes for
/// true or false (`'false'`, `'f'`, `'no'`, `'off'`, `'0'`) is `false` or `true`;
/// `TRUE`/`FALSE`/`NULL` in lower case.
pub fn default_expr(expr: &str, ty: &ColumnType) -> String {
    let e = default_text(expr, ty);
    if is_numeric(ty) {
        if let Some(number) = plain_decimal(&e, *ty == ColumnType::Numeric(None)) {
            return number;
        }
    }
    if *ty == ColumnType::Boolean {
        let unquoted = e
            .strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or(&e)
            .trim()
            .to_ascii_lowercase();
        match unquoted.as_str() {
            "true" | "t" | "yes" | "y" | "on" | "1" => return "true".into(),
            "false" | "f" | "no" | "n" | "off" | "0" => return "false".into(),
            _ => {}
        }
    }
    e
}

/// A decimal number without exponent written one way: no sign but a needed `-`, no leading
/// zeros, no trailing zeros after the point unless `keep_scale`, no point without a fraction
/// (`-0.50` is `-0.5`, `+007.0` is `7`, `-0` is `0`); `None` for anything else.
fn plain_decimal(text: &str, keep_scale: bool) -> Option<String> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let fraction = match keep_scale {
        true => fraction,
        false => fraction.trim_end_matches('0'),
    };
    let mut out = String::new();
    let zero = whole.is_empty() && fraction.bytes().all(|b| b == b'0');
    if negative && !zero {
        out.push('-');
    }
    out.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    Some(out)
}

fn default_text(expr: &str, ty: &ColumnType) -> String {
    let mut e = strip_parens(expr.trim()).to_string();
    if let Some(end) = literal_end(&e) {
        // `'x'::character varying` and `'{}'::integer[]`: the cast only restates the column's type.
        if e[end..].starts_with("::") {
            e.truncate(end);
        }
        // Only a literal that is the whole default is unquoted (`'1' || x` stays as it is).
        if end == e.len() {
            let inner = &e[1..end - 1];
            if is_numeric(ty) && inner.parse::<f64>().is_ok() {
                e = inner.to_string();
            }
        }
    } else if let Some((value, _cast)) = e.split_once("::") {
        // `(-1)::integer`, `0::bigint`.
        let value = strip_parens(value.trim());
        if value.parse::<f64>().is_ok() {
            e = value.to_string();
        }
    }
    let e = strip_parens(&e);
    match e.to_ascii_lowercase().as_str() {
        "true" | "false" | "null" => e.to_ascii_lowercase(),
        _ => e.to_string(),
    }
}

/// A check or index predicate as one canonical text: outer parentheses gone, white space
/// outside quotes collapsed (inside, it is part of a value: `'a  b'` is not `'a b'`).
pub fn check_expr(expr: &str) -> String {
    let e = expr.trim();
    let e = e
        .strip_prefix("CHECK ")
        .or_else(|| e.strip_prefix("check "))
        .unwrap_or(e);
    strip_parens(&collapse_space(e)).to_string()
}

/// `expr` with each run of white space outside quotes made one space, and none at either end:
/// how two texts a database keeps are compared ([`crate::canonical`]). Quoted text (`'a  b'`,
/// `"my  col"`) is kept as it is.
pub fn collapse_space(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut quote: Option<char> = None;
    let mut space = false;
    for ch in expr.trim().chars() {
        match quote {
            Some(q) => {
                out.push(ch);
                if ch == q {
                    quote = None;
                }
            }
            None if ch.is_whitespace() => space = true,
            None => {
                if space {
                    out.push(' ');
                    space = false;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                }
                out.push(ch);
            }
        }
    }
    out
}

/// What two check or predicate expressions are compared by. PostgreSQL prints back what it was
/// given with casts on literals and columns (`(0)::double precision`, `(name)::text`) and a
/// parenthesis around every operand, so the key leaves out casts, grouping parentheses (not
/// those of calls such as `lower(x)` or `IN (...)`), case and white space outside quotes. The
/// expression itself is kept as written; only the comparison uses this.
pub fn expression_key(expr: &str) -> String {
    const MULTI_WORD: &[&str] = &[
        "double precision",
        "character varying",
        "timestamp without time zone",
        "timestamp with time zone",
        "time without time zone",
        "time with time zone",
        "bit varying",
    ];
    let text = check_expr(expr);
    // Pass 1: drop casts. `i` moves a whole character at a time: the text may hold any letter.
    let mut no_casts = String::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c == '\'' || c == '"' {
            let end = text[i + 1..].find(c).map_or(text.len(), |e| i + 2 + e);
            no_casts.push_str(&text[i..end]);
            i = end;
            continue;
        }
        if text[i..].starts_with("::") {
            let rest = &text[i + 2..];
            let lower = rest.to_ascii_lowercase();
            let len = MULTI_WORD
                .iter()
                .find(|w| lower.starts_with(*w))
                .map(|w| w.len())
                .unwrap_or_else(|| {
                    rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '"'))
                        .unwrap_or(rest.len())
                });
            let mut end = i + 2 + len;
            while text[end..].starts_with("[]") {
                end += 2;
            }
            i = end;
            continue;
        }
        no_casts.push(c);
        i += c.len_utf8();
    }
    // Pass 2: drop grouping parentheses, case and white space outside quotes.
    let chars: Vec<char> = no_casts.chars().collect();
    let mut dropped = vec![false; chars.len()];
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut last_significant: Option<char> = None;
    let mut word = String::new();
    for (n, &ch) in chars.iter().enumerate() {
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '(') => {
                const OPERATORS: &[&str] = &["and", "or", "not", "is", "when", "then", "else"];
                let call = last_significant.is_some_and(|p| p.is_alphanumeric() || p == '_')
                    && !OPERATORS.contains(&word.to_ascii_lowercase().as_str());
                stack.push((n, !call));
            }
            (None, ')') => {
                if let Some((open, grouping)) = stack.pop() {
                    if grouping {
                        dropped[open] = true;
                        dropped[n] = true;
                    }
                }
            }
            _ => {}
        }
        if !ch.is_whitespace() {
            last_significant = Some(ch);
        }
        if ch.is_alphanumeric() || ch == '_' {
            if n > 0 && chars[n - 1].is_whitespace() {
                word.clear();
            }
            word.push(ch);
        } else if !ch.is_whitespace() {
            word.clear();
        }
    }
    let mut key = String::new();
    let mut quote: Option<char> = None;
    for (n, &ch) in chars.iter().enumerate() {
        if dropped[n] {
            continue;
        }
        match (quote, ch) {
            (Some(q), _) if ch == q => {
                quote = None;
                key.push(ch);
            }
            (Some(_), _) => key.push(ch),
            (None, '\'' | '"') => {
                quote = Some(ch);
                key.push(ch);
            }
            (None, _) if ch.is_whitespace() => {}
            (None, _) => key.extend(ch.to_lowercase()),
        }
    }
    key
}

fn is_numeric(ty: &ColumnType) -> bool {
    use ColumnType::*;
    matches!(ty, SmallInt | Integer | BigInt | Real | Double | Numeric(_))
}

/// Where a leading string literal ends (just after its closing quote), if `e` starts with one.
fn literal_end(e: &str) -> Option<usize> {
    let bytes = e.as_bytes();
    if bytes.first() != Some(&b'\'') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// `e` without parentheses that wrap all of it: `((x > 0))` is `x > 0`, `(a) + (b)` stays.
pub fn strip_parens(mut e: &str) -> &str {
    loop {
        let t = e.trim();
        if !(t.starts_with('(') && t.ends_with(')')) || closing_paren(t, 0) != Some(t.len() - 1) {
            return t;
        }
        e = &t[1..t.len() - 1];
    }
}

/// The index of the parenthesis closing the one at `open`, skipping quoted text.
pub fn closing_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (i, &b) in s.as_bytes().iter().enumerate().skip(open) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType as T;

    #[test]
    fn defaults_compare_by_value() {
        use crate::schema::ColumnType as T;
        let n = T::Numeric(Some((10, 2)));
        for spelling in ["5", "'5'", "5.0", "'5.00'::numeric", "(5)::numeric", "+005", "05.000"] {
            assert_eq!(default_expr(spelling, &n), "5", "{spelling}");
        }
        assert_eq!(default_expr("-0.50", &T::Double), "-0.5");
        assert_eq!(default_expr("'-0'", &T::Integer), "0");
        assert_eq!(default_expr("(-1)::integer", &T::Integer), "-1");
        assert_eq!(default_expr("1e3", &T::Double), "1e3");
        // A numeric without a scale keeps the one it is given: 5.0 reads back as 5.0.
        let free = T::Numeric(None);
        assert_eq!(default_expr("'5.0'::numeric", &free), "5.0");
        assert_eq!(default_expr("+05.0", &free), "5.0");
        assert_ne!(default_expr("5", &free), default_expr("5.0", &free));
        assert_eq!(default_expr("(5)", &free), default_expr("'5'", &free));
        assert_eq!(default_expr("-0.0", &free), "0.0");
        assert_eq!(default_expr("'5'", &T::Text), "'5'");
        assert_ne!(default_expr("5", &n), default_expr("6", &n));
        for spelling in ["false", "'false'", "FALSE", "'f'", "'no'", "'off'", "'0'", "'False'"] {
            assert_eq!(default_expr(spelling, &T::Boolean), "false", "{spelling}");
        }
        for spelling in ["true", "'true'", "'t'", "'yes'", "'on'", "'1'", "TRUE"] {
            assert_eq!(default_expr(spelling, &T::Boolean), "true", "{spelling}");
        }
        assert_eq!(default_expr("'false'", &T::Text), "'false'");
    }

    #[test]
    fn defaults_lose_casts_and_parentheses() {
        assert_eq!(
            default_expr("'none'::character varying", &T::Varchar(None)),
            "'none'"
        );
        assert_eq!(default_expr("'-1'::integer", &T::Integer), "-1");
        assert_eq!(default_expr("(-1)", &T::Integer), "-1");
        assert_eq!(default_expr("'-1'", &T::Text), "'-1'");
        assert_eq!(default_expr("TRUE", &T::Boolean), "true");
        assert_eq!(default_expr("now()", &T::TimestampTz), "now()");
        assert_eq!(default_expr("'it''s'::text", &T::Text), "'it''s'");
        assert_eq!(
            default_expr("'{}'::real[]", &T::Array(Box::new(T::Real))),
            "'{}'"
        );
        assert_eq!(default_expr("(0)", &T::Numeric(None)), "0");
    }

    #[test]
    fn expression_keys_ignore_what_postgresql_adds() {
        assert_eq!(
            expression_key("CHECK ((exptime >= (0)::double precision))"),
            expression_key("exptime >= 0")
        );
        assert_eq!(
            expression_key("((a > 0) AND ((name)::text <> 'x'::text))"),
            expression_key("a > 0 and name <> 'x'")
        );
        assert_eq!(expression_key("lower(name)"), "lower(name)");
        assert_ne!(expression_key("note = 'A'"), expression_key("note = 'a'"));
        assert_eq!(expression_key("x IN (1, 2)"), "xin(1,2)");
        assert_eq!(expression_key("a > 0 AND (b OR c)"), "a>0andborc");
    }

    #[test]
    fn white_space_collapses_outside_quotes_only() {
        assert_eq!(collapse_space("  a  >\n 0 "), "a > 0");
        assert_eq!(collapse_space("note <> 'a  b'"), "note <> 'a  b'");
        assert_eq!(collapse_space("\"my  col\"  > 0"), "\"my  col\" > 0");
        assert_eq!(collapse_space("größe  >  0"), "größe > 0");
        assert_ne!(collapse_space("x = 'a b'"), collapse_space("x = 'a  b'"));
    }

    #[test]
    fn checks_lose_outer_parentheses() {
        assert_eq!(check_expr("CHECK ((x > 0))"), "x > 0");
        assert_eq!(check_expr("(a) + (b) > 0"), "(a) + (b) > 0");
        assert_eq!(check_expr("(x  >\n 0)"), "x > 0");
        assert_eq!(check_expr("(note = ')')"), "note = ')'");
        assert_eq!(check_expr("(note =  'a  b')"), "note = 'a  b'");
    }
}
