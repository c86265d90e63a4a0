//! Database URLs: which backend a URL names, where it came from, and its password in every
//! form it can take, so that no message that leaves the process ever shows it.
//!
//! A URL is checked here before any driver sees it, because a driver's parse error repeats the
//! whole URL, password included. What opdb says of a URL it prints redacted ([`redact`]); as a
//! last line of defence, every password a command has seen is registered ([`register`]) and
//! [`scrub`] replaces it, in any of its spellings, in whatever the binary prints.

use anyhow::{bail, Result};
use sea_orm::DbBackend;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where a command's database URL came from, for messages that name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlSource {
    /// A command-line option: `--url`, `--from`, `--to`.
    Option(&'static str),
    /// The `DATABASE_URL` environment variable.
    Env,
    /// The first line of a script directory's `db.cfg`.
    DbCfg(PathBuf),
    /// Nothing was given: the script directory's embedded SQLite file.
    Default,
    /// A URL handed to the library directly.
    #[cfg(any(test, feature = "testing"))]
    Given,
}

impl fmt::Display for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlSource::Option(flag) => write!(f, "{flag}"),
            UrlSource::Env => write!(f, "DATABASE_URL"),
            UrlSource::DbCfg(path) => write!(f, "{}", path.display()),
            UrlSource::Default => write!(f, "the embedded SQLite default"),
            #[cfg(any(test, feature = "testing"))]
            UrlSource::Given => write!(f, "the caller"),
        }
    }
}

/// A database URL and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbUrl {
    pub url: String,
    pub source: UrlSource,
}

impl DbUrl {
    pub fn new(url: impl Into<String>, source: UrlSource) -> DbUrl {
        let url = url.into();
        register(&url);
        DbUrl { url, source }
    }

    /// The backend, or a one-line error saying what is wrong with the URL and where it came
    /// from.
    pub fn backend(&self) -> Result<DbBackend> {
        match backend_of(&self.url) {
            Ok(b) => Ok(b),
            Err(e) => bail!("{e} (the URL from {})", self.source),
        }
    }
}

impl fmt::Display for DbUrl {
    /// The URL without its password, and where it came from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", redact(&self.url), self.source)
    }
}

/// The dialect a URL speaks, without connecting; a one-line error for anything else, with the
/// likely fix (a misspelled scheme, SQLAlchemy's `postgresql+driver://`, a password that needs
/// percent-encoding, a bad port).
pub fn backend_of(url: &str) -> Result<DbBackend> {
    let shown = redact(url);
    let Some(colon) = url.find(':') else {
        bail!("this is not a database URL: use postgres://user@host/db or sqlite:path");
    };
    let scheme = url[..colon].to_ascii_lowercase();
    match scheme.as_str() {
        "postgres" | "postgresql" => {
            if !url[colon..].starts_with("://") {
                bail!("'{shown}' is not a PostgreSQL URL: use postgres://user@host:5432/db");
            }
            check_postgres(url, &shown)?;
            Ok(DbBackend::Postgres)
        }
        "sqlite" => Ok(DbBackend::Sqlite),
        _ => {
            let hint = if let Some((base, driver)) = scheme.split_once('+') {
                format!(
                    "that is SQLAlchemy's form with the driver '{driver}': write {base}://... \
                     without '+{driver}'"
                )
            } else if matches!(scheme.as_str(), "mysql" | "mariadb") {
                format!(
                    "MySQL and MariaDB are not supported yet: {} speaks postgres:// and sqlite:",
                    crate::tool::name()
                )
            } else if let Some(near) = ["postgres", "postgresql", "sqlite"]
                .into_iter()
                .find(|k| edit_distance(k, &scheme) <= 2)
            {
                format!(
                    "did you mean {near}{}?",
                    if near == "sqlite" { ":" } else { "://" }
                )
            } else {
                "use postgres://user@host/db or sqlite:path".to_string()
            };
            bail!("unsupported database URL scheme '{scheme}' in {shown}: {hint}")
        }
    }
}

/// Checks what makes a PostgreSQL URL unparseable, before the driver repeats it whole.
fn check_postgres(url: &str, shown: &str) -> Result<()> {
    let rest = &url[url.find("://").map(|i| i + 3).unwrap_or(0)..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if let Some(at) = rest.rfind('@') {
        if at > authority_end {
            bail!(
                "the user or password in {shown} contains '/', '?' or '#': percent-encode them \
                 (%2F, %3F, %23)"
            );
        }
    }
    let authority = &rest[..authority_end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // A bracketed IPv6 address carries colons of its own.
    let port = match hostport.rsplit_once(']') {
        Some((_, after)) => after.strip_prefix(':'),
        None => hostport.rsplit_once(':').map(|(_, p)| p),
    };
    if let Some(port) = port {
        if !port.is_empty() && !matches!(port.parse::<u16>(), Ok(p) if p > 0) {
            bail!("the port '{port}' in {shown} is not a number from 1 to 65535");
        }
    }
    if let Err(e) = url.parse::<sea_orm::sqlx::postgres::PgConnectOptions>() {
        let cause = scrub(&e.to_string()).replace(url, shown);
        bail!("cannot read the URL {shown}: {cause}");
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Where the password sits in `url`: the byte range of the userinfo's password, if any. The
/// userinfo ends at the last `@`, so a password holding `/`, `?`, `#` or `@` is still found.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let at = rest.rfind('@')?;
    let colon = rest[..at].find(':')?;
    Some((start + colon + 1, start + at))
}

/// Values of `password=` and `sslpassword=` query parameters: byte ranges.
fn query_password_spans(url: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let Some(q) = url.find('?') else {
        return spans;
    };
    let mut pos = q + 1;
    for part in url[q + 1..].split('&') {
        if let Some((key, _)) = part.split_once('=') {
            let key = key.to_ascii_lowercase();
            if key == "password" || key == "sslpassword" {
                let start = pos + key.len() + 1;
                spans.push((start, pos + part.len()));
            }
        }
        pos += part.len() + 1;
    }
    spans
}

/// The URL with every password (in the userinfo or a `password=` parameter) shown as `***`.
pub fn redact(url: &str) -> String {
    let mut spans = query_password_spans(url);
    if let Some(span) = password_span(url) {
        spans.push(span);
    }
    spans.sort();
    let mut out = String::with_capacity(url.len());
    let mut at = 0;
    for (start, end) in spans {
        if start < at || end < start {
            continue;
        }
        out.push_str(&url[at..start]);
        out.push_str("***");
        at = end;
    }
    out.push_str(&url[at..]);
    out
}

/// Every spelling of the URL's passwords that a message could contain: as written, and
/// percent-decoded.
pub fn secrets(url: &str) -> Vec<String> {
    let mut spans = query_password_spans(url);
    spans.extend(password_span(url));
    let mut out = Vec::new();
    for (start, end) in spans {
        let Some(raw) = url.get(start..end) else {
            continue;
        };
        for form in [
            raw.to_string(),
            percent_decode(raw),
            percent_decode(&raw.replace('+', " ")),
        ] {
            if !form.is_empty() && !out.contains(&form) {
                out.push(form);
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL's password, percent-decoded (from the userinfo, else a `password=` parameter), to
/// hand to a client tool through its environment.
pub fn password(url: &str) -> Option<String> {
    let (start, end) = password_span(url).or_else(|| query_password_spans(url).first().copied())?;
    url.get(start..end).map(percent_decode)
}

/// `url` (PostgreSQL) naming database `name` instead of its own: a scratch database on the same
/// server, reached as the same user.
pub fn with_database(url: &str, name: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url[start..].find('?') {
        Some(q) => url.split_at(start + q),
        None => (url, ""),
    };
    let base = match base[start..].find('/') {
        Some(slash) => &base[..start + slash],
        None => base,
    };
    // A `dbname` parameter would name the database again, and win over the path.
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.to_ascii_lowercase().starts_with("dbname="))
        .collect();
    let query = match kept.is_empty() {
        true => String::new(),
        false => format!("?{}", kept.join("&")),
    };
    let name: String = name
        .bytes()
        .map(|b| match b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
            true => (b as char).to_string(),
            false => format!("%{b:02X}"),
        })
        .collect();
    format!("{base}/{name}{query}")
}

/// The database a PostgreSQL URL names (the user's name when it names none, as libpq does).
pub fn pg_database(url: &str) -> Result<String> {
    let options: sea_orm::sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|_| anyhow::anyhow!("cannot read the URL {}", redact(url)))?;
    Ok(options
        .get_database()
        .unwrap_or(options.get_username())
        .to_string())
}

/// The file a SQLite URL names, or `None` for an in-memory database (which has none).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let options: sea_orm::sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    let file = options.get_filename();
    let name = file.to_string_lossy();
    // sqlx names an in-memory database `file:sqlx-in-memory-N`.
    if name.is_empty()
        || name == ":memory:"
        || name.starts_with("file:sqlx-in-memory-")
        || url.contains("mode=memory")
    {
        return None;
    }
    Some(file.to_path_buf())
}

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers the passwords of `url`, so that [`scrub`] hides them wherever they appear.
pub fn register(url: &str) {
    let found = secrets(url);
    if found.is_empty() {
        return;
    }
    let mut all = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    for s in found {
        if !all.contains(&s) {
            all.push(s);
        }
    }
    // Longest first, so a password is never half-replaced by a shorter one inside it.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered password, in each of its spellings, replaced by `***`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_string();
    for secret in SECRETS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        out = out.replace(secret.as_str(), "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://pfs:s3cret@db.example:5432/opdb?sslmode=require"),
            "postgres://pfs:***@db.example:5432/opdb?sslmode=require"
        );
        assert_eq!(redact("postgres://pfs@db/opdb"), "postgres://pfs@db/opdb");
        assert_eq!(
            redact("sqlite:opdb.sqlite?mode=rwc"),
            "sqlite:opdb.sqlite?mode=rwc"
        );
        assert_eq!(redact("postgres://u:p%40ss@h/d"), "postgres://u:***@h/d");
        assert_eq!(
            redact("postgres://u:pa/ss@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("postgres://u:pa?s#s@h/d"), "postgres://u:***@h/d");
        assert_eq!(
            redact("postgres://u@h/d?sslmode=disable&password=secret&x=1"),
            "postgres://u@h/d?sslmode=disable&password=***&x=1"
        );
        assert_eq!(
            redact("postgres://u:a@h/d?PASSWORD=b"),
            "postgres://u:***@h/d?PASSWORD=***"
        );
    }

    #[test]
    fn secrets_cover_every_spelling() {
        let s = secrets("postgres://u:p%40ss%2Fw@h/d?password=x%20y+z");
        for form in ["p%40ss%2Fw", "p@ss/w", "x%20y+z", "x y+z", "x y z"] {
            assert!(s.contains(&form.to_string()), "{form} missing from {s:?}");
        }
        assert!(secrets("postgres://u@h/d").is_empty());
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%4"), "a%4");
        assert_eq!(percent_decode("%41%zz"), "A%zz");
    }

    #[test]
    fn bad_urls_are_explained_without_the_password() {
        for (url, expected) in [
            (
                "mysql://u:secret@h/d",
                "MySQL and MariaDB are not supported",
            ),
            ("postgress://u:secret@h/d", "did you mean postgres"),
            ("postgresql+psycopg2://u:secret@h/d", "SQLAlchemy's form"),
            ("postgres://u:se/cret@h/d", "percent-encode"),
            ("postgres://u:se?cret@h/d", "percent-encode"),
            ("postgres://u:se#cret@h/d", "percent-encode"),
            ("postgres://u:secret@h:99999/d", "port '99999'"),
            ("postgres://u:secret@h:x/d", "port 'x'"),
            ("secret", "not a database URL"),
        ] {
            let e = backend_of(url).unwrap_err().to_string();
            assert!(e.contains(expected), "{url}: {e}");
            assert!(!e.contains("secret") || url == "secret", "{url}: {e}");
        }
        assert_eq!(
            backend_of("postgres://u:secret@[::1]:5432/d").unwrap(),
            DbBackend::Postgres
        );
        assert_eq!(backend_of("sqlite::memory:").unwrap(), DbBackend::Sqlite);
    }

    #[test]
    fn urls_name_other_databases_and_files() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        // A `dbname` parameter would win over the path: it goes, and the path names the copy.
        let copy = with_database("postgres://u@h/real?dbname=real&sslmode=disable", "copy");
        assert_eq!(copy, "postgres://u@h/copy?sslmode=disable");
        assert_eq!(pg_database(&copy).unwrap(), "copy");
        let odd = with_database("postgres://u@h/real", "a b/c?d");
        assert_eq!(pg_database(&odd).unwrap(), "a b/c?d");
        assert_eq!(pg_database("postgres://u@h/db?sslmode=disable").unwrap(), "db");
        assert_eq!(pg_database("postgres://u@h").unwrap(), "u");
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(
            sqlite_file("sqlite:///tmp/a.sqlite?mode=rwc"),
            Some(PathBuf::from("/tmp/a.sqlite"))
        );
    }

    #[test]
    fn scrub_replaces_registered_passwords() {
        register("postgres://u:Tr0ub4dor%263@h/d");
        assert_eq!(
            scrub("auth failed for Tr0ub4dor&3 and Tr0ub4dor%263"),
            "auth failed for *** and ***"
        );
    }
}
