//! The words an identifier must be quoted to be: PostgreSQL's keywords other than its
//! unreserved ones (`pg_get_keywords()` of PostgreSQL 15, whose categories R, C and T cannot
//! all stand as a column, table or type name, plus the ones 16 and 17 added), and every SQLite
//! keyword (<https://sqlite.org/lang_keywords.html>). One list for both dialects: quoting a
//! lower-case name that did not need it changes nothing, while missing one is a syntax error
//! (a column named `left` or `verbose`).

/// Sorted, lower case, for a binary search.
const KEYWORDS: &[&str] = &[
    "abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and",
    "any", "array", "as", "asc", "asymmetric", "attach", "authorization", "autoincrement",
    "before", "begin", "between", "bigint", "binary", "bit", "boolean", "both", "by", "cascade",
    "case", "cast", "char", "character", "check", "coalesce", "collate", "collation", "column",
    "commit", "concurrently", "conflict", "constraint", "create", "cross", "current",
    "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "database", "dec", "decimal", "default", "deferrable",
    "deferred", "delete", "desc", "detach", "distinct", "do", "drop", "each", "else", "end",
    "escape", "except", "exclude", "exclusive", "exists", "explain", "extract", "fail", "false",
    "fetch", "filter", "first", "float", "following", "for", "foreign", "freeze", "from", "full",
    "generated", "glob", "grant", "greatest", "group", "grouping", "groups", "having", "if",
    "ignore", "ilike", "immediate", "in", "index", "indexed", "initially", "inner", "inout",
    "insert", "instead", "int", "integer", "intersect", "interval", "into", "is", "isnull", "join",
    "json", "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg",
    "json_query", "json_scalar", "json_serialize", "json_table", "json_value", "key", "last",
    "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "match",
    "materialized", "merge_action", "national", "natural", "nchar", "no", "none", "normalize",
    "not", "nothing", "notnull", "null", "nullif", "nulls", "numeric", "of", "offset", "on",
    "only", "or", "order", "others", "out", "outer", "over", "overlaps", "overlay", "partition",
    "placing", "plan", "position", "pragma", "preceding", "precision", "primary", "query", "raise",
    "range", "real", "recursive", "references", "regexp", "reindex", "release", "rename",
    "replace", "restrict", "returning", "right", "rollback", "row", "rows", "savepoint", "select",
    "session_user", "set", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "system_user", "table", "tablesample", "temp", "temporary", "then", "ties", "time",
    "timestamp", "to", "trailing", "transaction", "treat", "trigger", "trim", "true", "unbounded",
    "union", "unique", "update", "user", "using", "vacuum", "values", "varchar", "variadic",
    "verbose", "view", "virtual", "when", "where", "window", "with", "without", "xmlattributes",
    "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
    "xmlroot", "xmlserialize", "xmltable",
];

/// Whether `word` (lower case) must be quoted to be used as an identifier.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{is_keyword, KEYWORDS};

    #[test]
    fn the_list_is_sorted_and_holds_both_dialects_words() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for word in ["left", "verbose", "order", "user", "between", "json_table", "key", "plan"] {
            assert!(is_keyword(word), "{word}");
        }
        for word in ["name", "visit", "pfs_visit_id", "abort_"] {
            assert!(!is_keyword(word), "{word}");
        }
    }
}
