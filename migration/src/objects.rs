//! Objects a database holds that the model cannot express (procedures, domains, rules,
//! partitions...), and the `include`/`exclude` patterns of `alembic.toml` that say which
//! objects opdb looks at (alembic's `include_name`/`include_object`).
//!
//! opdb must never answer "no differences" while something it did not compare exists: the
//! readers list every such object, `check` fails on them, `diff` and `revision
//! --autogenerate` warn about them, until the settings exclude them. The same patterns leave
//! tables out of the comparison on both sides (PostGIS's `spatial_ref_sys`, say).

use anyhow::{bail, Result};
use std::fmt;

/// The kinds an object can have, as patterns name them (`view:stats_*`).
pub const KINDS: &[&str] = &[
    "table",
    "view",
    "materialized_view",
    "foreign_table",
    "partition",
    "partitioned_table",
    "unlogged_table",
    "inheritance",
    "type",
    "domain",
    "function",
    "procedure",
    "aggregate",
    "trigger",
    "rule",
    "policy",
    "exclusion_constraint",
    "statistics",
    "extension",
    // A comment the model has no place for (on a view's column).
    "comment",
    // An index a concurrent build left INVALID, a key or check added NOT VALID and never
    // validated: what an online upgrade that stopped midway leaves.
    "invalid_index",
    "not_valid_constraint",
];

/// One object the model cannot express.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmodelled {
    /// One of [`KINDS`] (never `table`).
    pub kind: &'static str,
    pub name: String,
    /// The table it belongs to (a trigger's, a rule's, a policy's, a constraint's, a column
    /// collation's; the table itself for what is a property of the table, such as `UNLOGGED`).
    pub table: Option<String>,
    /// What tells overloads apart: a function's arguments.
    pub detail: Option<String>,
}

impl fmt::Display for Unmodelled {
    /// `view stats`, `function f(a integer)`, `trigger audit on pfs_visit`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.replace('_', " "), self.name)?;
        if let Some(detail) = &self.detail {
            write!(f, "({detail})")?;
        }
        // A table's own property (`unlogged table t`) names its table once.
        if let Some(table) = self.table.as_ref().filter(|t| **t != self.name) {
            write!(f, " on {table}")?;
        }
        Ok(())
    }
}

impl Unmodelled {
    pub fn new(kind: &'static str, name: &str) -> Self {
        Unmodelled {
            kind,
            name: name.into(),
            table: None,
            detail: None,
        }
    }

    /// The line `check`, `diff` and autogenerate print for it.
    pub fn warning(&self) -> String {
        let tool = crate::tool::name();
        match self.kind {
            "invalid_index" => {
                return format!(
                    "{self}: a CREATE INDEX CONCURRENTLY that did not finish left it INVALID \
                     (queries do not use it; writes still keep it up): run the stopped `{tool} \
                     upgrade` again, which builds it anew, or DROP INDEX CONCURRENTLY it"
                )
            }
            "not_valid_constraint" => {
                return format!(
                    "{self}: added NOT VALID and never validated, so rows that break it may be \
                     there: run the stopped `{tool} upgrade` again, which validates it, or ALTER \
                     TABLE ... VALIDATE CONSTRAINT"
                )
            }
            _ => {}
        }
        format!(
            "{self}: {tool} cannot model this {}, so it was not compared (exclude it in \
             alembic.toml to leave it alone: exclude = [\"{}:{}\"])",
            self.kind.replace('_', " "),
            self.kind,
            self.name,
        )
    }
}

/// A pattern: an optional kind, then a name where `*` is any run of characters and `?` any
/// one character.
#[derive(Clone, Debug, PartialEq)]
struct Pattern {
    kind: Option<String>,
    name: String,
}

impl Pattern {
    fn parse(key: &str, text: &str) -> Result<Pattern> {
        let (kind, name) = match text.split_once(':') {
            Some((kind, name)) => (Some(kind.trim().to_string()), name.trim()),
            None => (None, text.trim()),
        };
        if let Some(kind) = &kind {
            if !KINDS.contains(&kind.as_str()) {
                bail!(
                    "{key} entry {text:?}: unknown kind {kind:?}; write one of {} before the \
                     ':', or no kind at all",
                    KINDS.join(", ")
                );
            }
        }
        if name.is_empty() {
            bail!("{key} entry {text:?} names nothing: write a name or a pattern such as \"tmp_*\"");
        }
        Ok(Pattern {
            kind,
            name: name.to_string(),
        })
    }

    fn matches(&self, kind: &str, name: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind) && glob(&self.name, name)
    }
}

/// Whether `text` matches `pattern` (`*` any run, `?` any one character), by characters.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// Which objects opdb looks at: all, but those an `exclude` pattern matches, and, when
/// `include` has patterns, only those one of them matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Filter {
    /// The filter of `alembic.toml`'s `include` and `exclude` lists; an entry with an unknown
    /// kind or no name is an error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter> {
        Ok(Filter {
            include: include
                .iter()
                .map(|p| Pattern::parse("include", p))
                .collect::<Result<_>>()?,
            exclude: exclude
                .iter()
                .map(|p| Pattern::parse("exclude", p))
                .collect::<Result<_>>()?,
        })
    }

    /// Whether opdb looks at the object `name` of `kind`.
    pub fn admits(&self, kind: &str, name: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(kind, name)))
            && !self.exclude.iter().any(|p| p.matches(kind, name))
    }

    /// Leaves out of `schema` the tables and unmodelled objects the filter does not admit.
    /// An object on a table (a trigger, say) goes with its table.
    pub fn apply(&self, schema: &mut crate::schema::Schema) {
        schema.tables.retain(|name, _| self.admits("table", name));
        schema.views.retain(|name, v| {
            self.admits(if v.materialized { "materialized_view" } else { "view" }, name)
        });
        schema.functions.retain(|_, f| self.admits("function", &f.name));
        let tables = &schema.tables;
        let views = &schema.views;
        schema.triggers.retain(|(table, name), _| {
            self.admits("trigger", name)
                && (tables.contains_key(table) || views.contains_key(table))
        });
        schema.unmodelled.retain(|o| {
            self.admits(o.kind, &o.name)
                && o.table.as_ref().is_none_or(|t| self.admits("table", t))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_by_characters() {
        for (p, t) in [
            ("*", ""),
            ("*", "abc"),
            ("spatial_ref_sys", "spatial_ref_sys"),
            ("tmp_*", "tmp_"),
            ("tmp_*", "tmp_größe"),
            ("?b*c", "abxxc"),
            ("a*b*c", "aXbYbZc"),
        ] {
            assert!(glob(p, t), "{p} {t}");
        }
        for (p, t) in [("tmp_*", "tm"), ("a?c", "ac"), ("a*b", "aXc"), ("", "a")] {
            assert!(!glob(p, t), "{p} {t}");
        }
    }

    #[test]
    fn include_and_exclude_decide_by_kind_and_name() {
        let f = Filter::new(&[], &["spatial_ref_sys".into(), "view:stats_*".into()]).unwrap();
        assert!(!f.admits("table", "spatial_ref_sys"));
        assert!(!f.admits("view", "stats_daily"));
        assert!(f.admits("table", "stats_daily"));
        assert!(f.admits("function", "refresh"));
        let f = Filter::new(&["table:pfs_*".into()], &["pfs_tmp".into()]).unwrap();
        assert!(f.admits("table", "pfs_visit"));
        assert!(!f.admits("table", "pfs_tmp"));
        assert!(!f.admits("view", "pfs_view"));
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        let e = Filter::new(&[], &["viwe:x".into()]).unwrap_err().to_string();
        assert!(e.contains("unknown kind \"viwe\"") && e.contains("materialized_view"), "{e}");
        let e = Filter::new(&["table:".into()], &[]).unwrap_err().to_string();
        assert!(e.contains("names nothing"), "{e}");
    }
}
