//! Rust identifiers for database names: modules, fields, variants and type names that are
//! always valid identifiers, never keywords, and unique where they must be.
//!
//! A database name is never pasted into code: an identifier is built from its ASCII letters
//! and digits alone (anything else becomes `_`), and the real name goes beside it into a
//! string literal (`table_name`, `column_name`). A name that is already a plain snake-case
//! identifier (`pfs_visit_id`) is used as it is, as a hand-written entity would.

use std::collections::BTreeSet;

/// Rust's keywords, which no module, field or variant may be: the build script's list, which
/// reads the modules back.
use migration_build::KEYWORDS;

/// Whether `name` is a plain snake-case identifier that SeaORM maps back to itself: lower-case
/// ASCII words of letters and digits joined by single underscores, starting with a letter, and
/// no keyword.
pub fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
        && !KEYWORDS.contains(&name)
}

/// `name` as a snake-case identifier: ASCII letters lowered, digits kept, anything else `_`;
/// one that would start with a digit or be empty starts with `prefix`, a keyword ends in `_`.
pub fn snake(name: &str, prefix: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("{prefix}{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `snake` in upper camel case, as SeaORM (heck) writes a plain field's `Column` variant:
/// each word between underscores capitalized.
pub fn camel(snake: &str) -> String {
    let mut s = String::new();
    for word in snake.split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            s.push(first.to_ascii_uppercase());
            s.extend(chars);
        }
    }
    s
}

/// Identifiers handed out in one scope (a folder of modules, a struct's fields, an enum's
/// variants), each unique: a second `x` becomes `x_2` (or `X2`).
#[derive(Debug, Default)]
pub struct Scope {
    used: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `taken` are already used.
    pub fn with(taken: &[&str]) -> Scope {
        Scope {
            used: taken.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `wanted`, or with a number after it (`_2`, `_3`, ... joined by `sep`) when taken.
    pub fn take(&mut self, wanted: &str, sep: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 2;
        while self.used.contains(&name) || name == "Self" {
            name = format!("{wanted}{sep}{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain_and_unique() {
        assert!(is_plain("pfs_visit_id") && is_plain("f3c_mcs") && is_plain("x_1"));
        for odd in ["Weird Name", "type", "a__b", "x_", "_x", "1x", "", "größe"] {
            assert!(!is_plain(odd), "{odd}");
        }
        assert_eq!(snake("Weird Name", "c_"), "weird_name");
        assert_eq!(snake("type", "c_"), "type_");
        assert_eq!(snake("1st", "t_"), "t_1st");
        assert_eq!(snake("größe", "c_"), "gr__e");
        assert_eq!(snake("", "c_"), "c_");
        assert_eq!(camel("camera_model_f3c_mcs"), "CameraModelF3cMcs");
        assert_eq!(camel("x_1"), "X1");
        let mut scope = Scope::with(&["model"]);
        assert_eq!(scope.take("model", "_"), "model_2");
        assert_eq!(scope.take("a", "_"), "a");
        assert_eq!(scope.take("a", "_"), "a_2");
        let mut variants = Scope::default();
        assert_eq!(variants.take("Self", ""), "Self2");
    }
}
