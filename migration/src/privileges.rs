//! Privileges (PostgreSQL): which roles may read and which may write each schema, as
//! `alembic.toml` says (`[grants.<schema>]`), compared with the catalog (`check`) and made so
//! after each schema's revisions (`upgrade`, `downgrade`); their `--sql` scripts grant them, but
//! cannot see what to revoke.
//!
//! They are settings rather than revision steps because they belong to the deployment, not to
//! the model: a test database has other role names than the production one, and one model
//! lives in several schemas with different readers and writers (a production schema only read
//! by ordinary users, a working schema they write), while a revision is the same in every
//! schema.
//!
//! A reader gets `USAGE` on the schema and `SELECT` on its tables, views and sequences; a writer
//! gets `USAGE`, `SELECT, INSERT, UPDATE, DELETE` on the tables, `SELECT` on the views and
//! materialized views, and `USAGE, SELECT` on the sequences (an insert numbers its rows from
//! them). The same go into the schema's default privileges of
//! the role that runs opdb, for tables made later by other means. Every other privilege a role
//! holds on those objects is a difference, and `upgrade` revokes it, but for each object's
//! owner's (all of it, always) and the role running opdb's (which must keep what it has to go
//! on migrating). opdb's own tables (and their sequences) and what `exclude` leaves alone are
//! not compared. A role that does not exist is an error naming it: opdb does not create login
//! roles.

use crate::config::{Config, Grants};
use crate::ddl::ident;
use anyhow::{bail, Context as _, Result};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::{BTreeMap, BTreeSet};

/// What a privilege is on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Object {
    Schema,
    Table(String),
    /// A view or materialized view: read, never written, by readers and writers alike.
    View(String),
    Sequence(String),
    /// The default privileges on tables made later in the schema by the role running opdb.
    FutureTables,
    /// The same for sequences.
    FutureSequences,
}

/// One privilege one role holds on one object: (object, role, privilege).
pub type Privilege = (Object, String, String);

/// What a reader and a writer get on each kind of object.
const READ_TABLE: &[&str] = &["SELECT"];
const WRITE_TABLE: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE"];
const READ_SEQUENCE: &[&str] = &["SELECT"];
const WRITE_SEQUENCE: &[&str] = &["USAGE", "SELECT"];

/// A schema's sequence: its name, and the table whose column owns it, if any (its readers
/// and writers are that table's).
pub type SequenceOf = (String, Option<String>);

/// The privileges `grants` asks for on a schema holding `tables` and `sequences`.
pub fn wanted(
    grants: &Grants,
    tables: &[String],
    views: &[String],
    sequences: &[SequenceOf],
) -> BTreeSet<Privilege> {
    let mut out = BTreeSet::new();
    let mut add = |object: &Object, role: &String, privileges: &[&str]| {
        for p in privileges {
            out.insert((object.clone(), role.clone(), p.to_string()));
        }
    };
    // Readers and writers by kind: (readers, writers, what each gets).
    let mut give = |object: Object, (read, write): (&[String], &[String]), kind: [&[&str]; 2]| {
        for role in read {
            add(&object, role, kind[0]);
        }
        for role in write {
            add(&object, role, kind[1]);
        }
    };
    let on_tables = [READ_TABLE, WRITE_TABLE];
    let on_sequences = [READ_SEQUENCE, WRITE_SEQUENCE];
    for role in grants.roles() {
        give(Object::Schema, (std::slice::from_ref(role), &[]), [&["USAGE"]; 2]);
    }
    for t in tables {
        give(Object::Table(t.clone()), grants.of_table(t), on_tables);
    }
    for v in views {
        give(Object::View(v.clone()), grants.of_table(v), [READ_TABLE, READ_TABLE]);
    }
    for (s, owner) in sequences {
        let roles = match owner {
            Some(table) => grants.of_table(table),
            None => (&grants.read[..], &grants.write[..]),
        };
        give(Object::Sequence(s.clone()), roles, on_sequences);
    }
    let schema_roles = (&grants.read[..], &grants.write[..]);
    give(Object::FutureTables, schema_roles, on_tables);
    give(Object::FutureSequences, schema_roles, on_sequences);
    out
}

/// The schema's tables and sequences as the catalog has them, each with its kind, its owner
/// and, for a sequence a column owns, that table; then the schema (kind `n`) with its owner,
/// and the role running opdb (kind `me`).
const OBJECTS: &str = "
SELECT c.relkind::text AS kind, c.relname::text AS name, pg_get_userbyid(c.relowner) AS owner,
       (SELECT t.relname::text FROM pg_depend d, pg_class t
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
          AND d.refclassid = 'pg_class'::regclass AND t.oid = d.refobjid) AS owner_table
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
  AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
UNION ALL
SELECT 'n', '', pg_get_userbyid(nspowner), NULL FROM pg_namespace WHERE nspname = $1
UNION ALL
SELECT 'me', '', current_user::text, NULL";

/// Every privilege held on the schema, its tables and sequences and its default privileges
/// for the current role, by anyone but the object's owner (`PUBLIC` for everyone).
const HELD: &str = "
SELECT 'schema' AS kind, '' AS name,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS role,
       a.privilege_type AS privilege
FROM pg_namespace n, aclexplode(n.nspacl) a
WHERE n.nspname = $1 AND a.grantee <> n.nspowner
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view'
                      ELSE 'table' END, c.relname::text,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       a.privilege_type
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
  AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND a.grantee <> c.relowner
UNION ALL
SELECT CASE d.defaclobjtype WHEN 'r' THEN 'future_tables' WHEN 'S' THEN 'future_sequences'
                            ELSE 'future_other' END, '',
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       a.privilege_type
FROM pg_default_acl d, aclexplode(d.defaclacl) a
WHERE d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)
  AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
  AND a.grantee <> d.defaclrole";

/// What `config`'s schema holds and what its grants want: (held, wanted), over the same
/// objects (the tables and sequences of the schema, but opdb's own and those of tables the
/// settings leave alone), leaving out what each object's owner holds (all of it, always) and
/// the role running opdb (which must keep what it has to go on migrating).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    grants: &Grants,
) -> Result<(BTreeSet<Privilege>, BTreeSet<Privilege>)> {
    let schema = &config.schema;
    let backend = DbBackend::Postgres;
    let filter = config.filter();
    let own = |table: &str| table == config.version_table || table == config.history_table;
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            OBJECTS,
            [schema.clone().into()],
        ))
        .await
        .with_context(|| format!("reading the tables of schema {schema}"))?;
    let (mut tables, mut views, mut sequences) = (Vec::new(), Vec::new(), Vec::new());
    // Each object's owner, and the role running opdb.
    let mut owners: BTreeMap<Object, String> = BTreeMap::new();
    let mut me = String::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let name: String = row.try_get("", "name")?;
        let owner: String = row.try_get("", "owner")?;
        let owner_table: Option<String> = row.try_get("", "owner_table")?;
        match kind.as_str() {
            "n" => {
                owners.insert(Object::Schema, owner);
                continue;
            }
            "me" => {
                me = owner;
                continue;
            }
            _ => {}
        }
        let table = owner_table.as_deref().unwrap_or(&name);
        let filtered_as = match kind.as_str() {
            "v" => "view",
            "m" => "materialized_view",
            _ => "table",
        };
        if own(table) || !filter.admits(filtered_as, table) {
            continue;
        }
        match kind.as_str() {
            "v" | "m" => {
                owners.insert(Object::View(name.clone()), owner);
                views.push(name);
            }
            "S" => {
                owners.insert(Object::Sequence(name.clone()), owner);
                sequences.push((name, owner_table));
            }
            _ => {
                owners.insert(Object::Table(name.clone()), owner);
                tables.push(name);
            }
        }
    }
    let considered: BTreeSet<Object> = tables
        .iter()
        .map(|t| Object::Table(t.clone()))
        .chain(views.iter().map(|v| Object::View(v.clone())))
        .chain(sequences.iter().map(|(s, _)| Object::Sequence(s.clone())))
        .chain([Object::Schema, Object::FutureTables, Object::FutureSequences])
        .collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            HELD,
            [schema.clone().into()],
        ))
        .await
        .with_context(|| format!("reading the privileges of schema {schema}"))?;
    let mut held = BTreeSet::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let name: String = row.try_get("", "name")?;
        let object = match kind.as_str() {
            "schema" => Object::Schema,
            "table" => Object::Table(name),
            "view" => Object::View(name),
            "sequence" => Object::Sequence(name),
            "future_tables" => Object::FutureTables,
            "future_sequences" => Object::FutureSequences,
            _ => continue,
        };
        let role: String = row.try_get("", "role")?;
        if considered.contains(&object) && role != me {
            held.insert((
                object,
                role,
                row.try_get::<String>("", "privilege")?,
            ));
        }
    }
    let mut wanted = wanted(grants, &tables, &views, &sequences);
    // The runner's default privileges are its own to give; the owner holds everything anyway.
    owners.insert(Object::FutureTables, me.clone());
    owners.insert(Object::FutureSequences, me.clone());
    wanted.retain(|(object, role, _)| *role != me && owners.get(object) != Some(role));
    Ok((held, wanted))
}

/// Fails, naming them, when roles of `config`'s grants on `schemas` do not exist.
pub async fn check_roles<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    schemas: &[String],
) -> Result<()> {
    let mut named: BTreeMap<&str, String> = BTreeMap::new();
    let grants = config.grants.iter().filter(|(s, _)| schemas.contains(s));
    for (schema, grants) in grants {
        let tables = grants.tables.iter().map(|(table, t)| {
            (format!("grants.{schema}.tables.{table}"), &t.read, &t.write)
        });
        let lists = std::iter::once((format!("grants.{schema}"), &grants.read, &grants.write))
            .chain(tables);
        for (key, read, write) in lists {
            for (kind, roles) in [("read", read), ("write", write)] {
                for role in roles.iter().filter(|r| *r != "PUBLIC") {
                    named
                        .entry(role)
                        .or_insert_with(|| format!("{key}.{kind}"));
                }
            }
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = named.keys().map(|r| r.to_string()).collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT rolname::text AS name FROM pg_roles WHERE rolname = ANY($1)",
            [list.into()],
        ))
        .await
        .context("reading the roles alembic.toml grants privileges to")?;
    let found: BTreeSet<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name"))
        .collect::<Result<_, _>>()?;
    let missing: Vec<String> = named
        .iter()
        .filter(|(role, _)| !found.contains(**role))
        .map(|(role, key)| format!("{role:?} ({key} in alembic.toml)"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "role{} {} do{} not exist: create {} (CREATE ROLE ... LOGIN) or fix the grants; \
             {} does not create roles, and changed nothing",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            if missing.len() == 1 { "es" } else { "" },
            if missing.len() == 1 { "it" } else { "them" },
            crate::tool::name(),
        );
    }
    Ok(())
}

/// The statements that take `held` to `wanted` in `schema`: revokes, then grants.
pub fn statements(
    schema: &str,
    held: &BTreeSet<Privilege>,
    wanted: &BTreeSet<Privilege>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (verb, set) in [
        ("REVOKE", held.difference(wanted)),
        ("GRANT", wanted.difference(held)),
    ] {
        out.extend(grouped(set).into_iter().map(|((object, role), privileges)| {
            statement(verb, schema, &object, &role, &privileges)
        }));
    }
    out
}

/// The privileges of each (object, role), in the order SQL lists them.
fn grouped<'a>(
    set: impl Iterator<Item = &'a Privilege>,
) -> BTreeMap<(Object, String), Vec<String>> {
    let mut out: BTreeMap<(Object, String), Vec<String>> = BTreeMap::new();
    for (object, role, privilege) in set {
        out.entry((object.clone(), role.clone()))
            .or_default()
            .push(privilege.clone());
    }
    let rank = |p: &String| {
        ["USAGE", "SELECT", "INSERT", "UPDATE", "DELETE"]
            .iter()
            .position(|q| q == p)
            .unwrap_or(9)
    };
    for privileges in out.values_mut() {
        privileges.sort_by_key(|p| (rank(p), p.clone()));
    }
    out
}

/// One `GRANT` or `REVOKE` (`verb`).
fn statement(verb: &str, schema: &str, object: &Object, role: &str, privileges: &[String]) -> String {
    let who = grantee(role);
    let to = if verb == "GRANT" { "TO" } else { "FROM" };
    let what = privileges.join(", ");
    let schema_name = ident(schema);
    match object {
        Object::Schema => format!("{verb} {what} ON SCHEMA {schema_name} {to} {who}"),
        Object::Table(t) | Object::View(t) => {
            format!("{verb} {what} ON TABLE {schema_name}.{} {to} {who}", ident(t))
        }
        Object::Sequence(s) => {
            format!("{verb} {what} ON SEQUENCE {schema_name}.{} {to} {who}", ident(s))
        }
        Object::FutureTables => format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_name} {verb} {what} ON TABLES {to} {who}"
        ),
        Object::FutureSequences => format!(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_name} {verb} {what} ON SEQUENCES {to} {who}"
        ),
    }
}

/// A role as a grant names it: `PUBLIC` (everyone) as the keyword, any other quoted as needed.
fn grantee(role: &str) -> String {
    match role {
        "PUBLIC" => "PUBLIC".to_string(),
        role => ident(role),
    }
}

/// Each difference between `held` and `wanted`, described as `check` lists them.
pub fn describe(held: &BTreeSet<Privilege>, wanted: &BTreeSet<Privilege>) -> Vec<String> {
    let what = |object: &Object| match object {
        Object::Schema => "the schema".to_string(),
        Object::Table(t) => format!("table {t}"),
        Object::View(v) => format!("view {v}"),
        Object::Sequence(s) => format!("sequence {s}"),
        Object::FutureTables => "tables made later (default privileges)".to_string(),
        Object::FutureSequences => "sequences made later (default privileges)".to_string(),
    };
    let mut out = Vec::new();
    for ((object, role), privileges) in grouped(wanted.difference(held)) {
        out.push(format!(
            "grant {} on {} to {role}",
            privileges.join(", "),
            what(&object)
        ));
    }
    for ((object, role), privileges) in grouped(held.difference(wanted)) {
        out.push(format!(
            "revoke {} on {} from {role}",
            privileges.join(", "),
            what(&object)
        ));
    }
    out
}

/// The grants of `config`'s schema for a `--sql` script, which cannot read what is held:
/// every wanted privilege on the tables of `model` (the schema once the script has run, less
/// what the settings leave alone), their sequences and the default privileges, granted again
/// (a grant already held changes nothing); nothing revoked. A serial or identity column's
/// sequence, whose name only the server knows for sure, is found by the server
/// (`pg_get_serial_sequence`) in a `DO` block.
pub fn offline(config: &Config, grants: &Grants, model: &crate::schema::Schema) -> Vec<String> {
    let schema = &config.schema;
    let mut model = model.clone();
    config.filter().apply(&mut model);
    let tables: Vec<String> = model.tables.keys().cloned().collect();
    let views: Vec<String> = model.views.keys().cloned().collect();
    let free: Vec<SequenceOf> = model.sequences.keys().map(|s| (s.clone(), None)).collect();
    let wanted = wanted(grants, &tables, &views, &free);
    let mut out = statements(schema, &BTreeSet::new(), &wanted);
    for (name, table) in &model.tables {
        let (read, write) = grants.of_table(name);
        let numbered = table
            .columns
            .iter()
            .filter(|c| c.auto_increment || c.identity.is_some());
        for column in numbered {
            let qualified = format!("{}.{}", ident(schema), ident(name));
            let roles = read
                .iter()
                .map(|r| (r, READ_SEQUENCE))
                .chain(write.iter().map(|r| (r, WRITE_SEQUENCE)));
            for (role, privileges) in roles {
                // Every text in the block is a string literal, and the block's quote is one
                // that none of them holds: nothing of a name is code.
                let body = format!(
                    "BEGIN EXECUTE format('GRANT {} ON SEQUENCE %s TO %s', \
                     pg_get_serial_sequence({}, {}), {}); END",
                    privileges.join(", "),
                    crate::ddl::literal(&qualified),
                    crate::ddl::literal(&column.name),
                    crate::ddl::literal(&grantee(role)),
                );
                let quote = (0..)
                    .map(|n| format!("$opdb{n}$"))
                    .find(|q| !body.contains(q.as_str()))
                    .unwrap_or_default();
                out.push(format!("DO {quote} {body} {quote}"));
            }
        }
    }
    out
}
