//! Expressions compared in the form their database keeps them, not by a tokenizer.
//!
//! PostgreSQL rewrites what it is given: `CHECK (a > 0 AND (b OR c))` comes back as
//! `CHECK (((a > 0) AND (b OR c)))`, `x IN (1, 2)` as `(x = ANY (ARRAY[1, 2]))`, a literal
//! gains its type's cast. No set of text rules can tell `a > 0 AND (b OR c)` from
//! `(a > 0 AND b) OR c` and still take both spellings of one expression as equal, so, as Atlas
//! does with its dev database, opdb lets the server write the model's side: the tables whose
//! checks, defaults or index predicates are not already written as the database has them are
//! created in a scratch schema inside a transaction that is rolled back, read back with the
//! same catalog reader as the database, and each expression of the model is mapped to the
//! server's text. The diff then compares texts exactly ([`Expressions::Canonical`]), white
//! space outside quotes aside.
//!
//! A table the server refuses (an expression that does not parse, a function that does not
//! exist yet) keeps its text as written, and so differs from the database: never a silent
//! match. SQLite keeps what it was given, so its texts are compared exactly as they are.

use crate::autogenerate::{self, Hints};
use crate::normalize;
use crate::schema::{Function, Generated, Schema, Table, View};
use anyhow::{Context as _, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};
use std::collections::BTreeMap;

/// How the diff decides that two expressions (checks, defaults, index predicates) are one.
#[derive(Clone, Debug, Default)]
pub enum Expressions {
    /// Neither side was written by a server (two models built by hand or from entities, or a
    /// model against a database that could not canonicalize it): compared by a key that
    /// leaves out what PostgreSQL adds (casts, grouping parentheses, case), which can take two
    /// different expressions for one ([`normalize::expression_key`]).
    #[default]
    Approximate,
    /// Every text is as a database keeps it, or mapped to that form: compared exactly.
    Canonical(Canonical),
}

/// The server's text of each model expression that was not already in it: per table, for a
/// check or index predicate by its text, for a default by its column and text.
#[derive(Clone, Debug, Default)]
pub struct Canonical {
    map: BTreeMap<(String, Slot, String), String>,
    /// Views by name and query as written: as the server made them (its query, what it
    /// reads, the columns it gives).
    views: BTreeMap<(String, String), View>,
    /// Functions by name, arguments and definition as written: as the server made them.
    functions: BTreeMap<(String, String, String), Function>,
    /// Triggers by statement as written: the server's statement.
    triggers: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    /// A check or index predicate.
    Expression,
    /// The default of this column.
    Default(String),
    /// The generation expression of this column.
    Generated(String),
}

impl Canonical {
    /// The server's text for what the model wrote as `written` in `slot` of `table`, or
    /// `written` itself when the server did not write it.
    fn text<'a>(&'a self, table: &str, slot: Slot, written: &'a str) -> &'a str {
        self.map
            .get(&(table.to_string(), slot, written.to_string()))
            .map_or(written, String::as_str)
    }
}

impl Expressions {
    /// Expressions compared exactly, as two databases of one kind hold them.
    pub fn exact() -> Expressions {
        Expressions::Canonical(Canonical::default())
    }

    /// What a check or index predicate of `table` is compared by.
    pub fn key(&self, table: &str, expr: &str) -> String {
        match self {
            Expressions::Approximate => normalize::expression_key(expr),
            Expressions::Canonical(c) => {
                let text = c.text(table, Slot::Expression, expr);
                normalize::collapse_space(&normalize::check_expr(text))
            }
        }
    }

    /// What the default `expr` of `table`.`column` is compared by.
    pub fn default_key(&self, table: &str, column: &str, expr: &str) -> String {
        match self {
            Expressions::Approximate => expr.to_string(),
            Expressions::Canonical(c) => {
                normalize::collapse_space(c.text(table, Slot::Default(column.into()), expr))
            }
        }
    }

    /// Whether two generated columns `table`.`column` compute the same way.
    pub fn same_generated(
        &self,
        table: &str,
        column: &str,
        a: Option<&Generated>,
        b: Option<&Generated>,
    ) -> bool {
        let key = |g: &Generated| match self {
            Expressions::Approximate => normalize::expression_key(&g.expression),
            Expressions::Canonical(c) => {
                let text = c.text(table, Slot::Generated(column.into()), &g.expression);
                normalize::collapse_space(&normalize::check_expr(text))
            }
        };
        match (a, b) {
            (Some(a), Some(b)) => a.stored == b.stored && key(a) == key(b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }

    /// `view` as it is compared: as the server made it, when a server canonicalized it (its
    /// query in the server's words, what it reads, its columns), else as it is.
    pub fn view(&self, view: &View) -> View {
        let made = match self {
            Expressions::Canonical(c) => c.views.get(&(view.name.clone(), view.definition.clone())),
            Expressions::Approximate => None,
        };
        match made {
            Some(server) => View {
                name: view.name.clone(),
                definition: server.definition.clone(),
                materialized: view.materialized,
                with_data: view.with_data,
                // Each index as the server made it, where it did.
                indexes: view
                    .indexes
                    .iter()
                    .map(|index| {
                        server
                            .indexes
                            .iter()
                            .find(|made| made.name == index.name)
                            .unwrap_or(index)
                            .clone()
                    })
                    .collect(),
                reads: server.reads.clone(),
                columns: server.columns.clone(),
                comment: view.comment.clone(),
            },
            None => view.clone(),
        }
    }

    /// `function` as it is compared: its arguments, identity and definition as the server
    /// made them, when a server canonicalized it.
    pub fn function(&self, function: &Function) -> Function {
        let key = (
            function.name.clone(),
            function.arguments.clone(),
            function.definition.clone(),
        );
        match self {
            Expressions::Canonical(c) => c.functions.get(&key).cloned(),
            Expressions::Approximate => None,
        }
        .unwrap_or_else(|| function.clone())
    }

    /// A trigger's statement as it is compared.
    pub fn trigger(&self, trigger: &crate::schema::Trigger) -> String {
        match self {
            Expressions::Canonical(c) => c.triggers.get(&trigger.definition).cloned(),
            Expressions::Approximate => None,
        }
        .unwrap_or_else(|| trigger.definition.clone())
    }

    /// Whether two definitions (of views, functions, triggers) are one: as the server wrote
    /// them, white space outside quotes aside; else also whatever the case.
    pub fn same_text(&self, a: &str, b: &str) -> bool {
        match self {
            Expressions::Canonical(_) => normalize::collapse_space(a) == normalize::collapse_space(b),
            Expressions::Approximate => {
                normalize::collapse_space(a).to_lowercase() == normalize::collapse_space(b).to_lowercase()
            }
        }
    }

    /// Whether two defaults of `table`.`column` are one.
    pub fn same_default(
        &self,
        table: &str,
        column: &str,
        a: Option<&str>,
        b: Option<&str>,
    ) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => {
                self.default_key(table, column, a) == self.default_key(table, column, b)
            }
            (a, b) => a == b,
        }
    }
}

/// What comparing two schemas (the entities and a database, or two databases) needs, `db`
/// being a database of the kind they were read from or will be made in: on PostgreSQL the
/// expressions of every table the two have but write otherwise, from both sides, in the
/// server's words ([`postgres`]); on SQLite an exact comparison. When the server cannot make a
/// scratch schema (a role without `CREATE` on the database), the comparison is approximate and
/// the second value says why.
pub async fn for_pair(
    db: &DatabaseConnection,
    a: &Schema,
    b: &Schema,
) -> Result<(Expressions, Option<String>)> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok((Expressions::exact(), None));
    }
    let uncertain: Vec<&str> = a
        .tables
        .values()
        .filter(|t| !written_alike(t, b.tables.get(&t.name)))
        .map(|t| t.name.as_str())
        .collect();
    let mut canonical = Canonical::default();
    if !uncertain.is_empty() {
        let sides = [shadow(a, &uncertain), shadow(b, &uncertain)];
        match postgres(db, &sides).await {
            Ok(made) => canonical = made,
            Err(e) => {
                return Ok((
                    Expressions::Approximate,
                    Some(format!(
                        "checks, defaults and index predicates were compared by their text, \
                         not by the server ({e:#}): a difference in grouping may go unseen"
                    )),
                ))
            }
        }
    }
    for (side, other) in [(a, b), (b, a)] {
        if definitions_alike(side, other) {
            continue;
        }
        if let Err(e) = definitions(db, side, &mut canonical).await {
            return Ok((
                Expressions::Approximate,
                Some(format!(
                    "views, functions and triggers were compared by their text, not by the \
                     server ({e:#}): they may differ in spelling only"
                )),
            ));
        }
    }
    Ok((Expressions::Canonical(canonical), None))
}

/// Every view, function and trigger of `side` is as a server wrote it (read from a
/// database), or written exactly as `other` has it: nothing for the server to add.
fn definitions_alike(side: &Schema, other: &Schema) -> bool {
    let views = side.views.values().all(|v| {
        !v.columns.is_empty()
            || other
                .views
                .get(&v.name)
                .is_some_and(|o| o.definition == v.definition)
    });
    let functions = side.functions.values().all(|f| {
        !f.identity.is_empty()
            || other.functions.values().any(|o| {
                o.name == f.name && o.arguments == f.arguments && o.definition == f.definition
            })
    });
    let triggers = side.triggers.values().all(|t| {
        t.function.is_some()
            || other
                .triggers
                .get(&(t.table.clone(), t.name.clone()))
                .is_some_and(|o| o.definition == t.definition)
    });
    views && functions && triggers
}

/// Makes the views, functions and triggers of `side` in a scratch schema of `db` (with the
/// tables and types they use), in a transaction rolled back at the end, reads them back with
/// the catalog reader, and records each as the server made it in `canonical`. What the server
/// refuses keeps its text as written, and so differs from a database: never a silent match.
///
/// Each function is made twice: under its own name, for the views and triggers that call it,
/// and under a name of its own (`opdb_function_N`), by which the server's reading of it is
/// told from its overloads'. Function bodies are not checked (`check_function_bodies` off,
/// as pg_dump does), so that a function may call what is made after it.
async fn definitions(db: &DatabaseConnection, side: &Schema, canonical: &mut Canonical) -> Result<()> {
    let txn = db.begin().await.context("starting a transaction")?;
    let result = async {
        let scratch = scratch_schema(&txn, "definitions").await?;
        txn.execute_unprepared("SET LOCAL check_function_bodies = off")
            .await
            .context("leaving function bodies unchecked in the scratch schema")?;
        // The types, and the tables the definitions mention, as plain columns.
        // Each text lowered once: every table's name is looked for in each.
        let texts: Vec<String> = side
            .views
            .values()
            .map(|v| v.definition.to_lowercase())
            .chain(side.functions.values().map(|f| f.definition.to_lowercase()))
            .chain(side.functions.values().map(|f| f.arguments.to_lowercase()))
            .chain(side.triggers.values().map(|t| t.definition.to_lowercase()))
            .collect();
        let tables: Vec<Table> = side
            .tables
            .values()
            .filter(|t| {
                texts
                    .iter()
                    .any(|text| crate::definitions::mentions_lowercase(text, &t.name))
            })
            .map(|t| Table {
                name: t.name.clone(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| crate::schema::Column {
                        default: None,
                        auto_increment: false,
                        identity: None,
                        generated: None,
                        ..c.clone()
                    })
                    .collect(),
                // A view may group by it (what the key decides, a query need not list).
                primary_key: t.primary_key.clone(),
                ..Table::default()
            })
            .collect();
        let base = Schema {
            enums: side.enums.clone(),
            sequences: side.sequences.clone(),
            tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
            ..Schema::default()
        };
        let sql = crate::ddl::statements(
            DbBackend::Postgres,
            &mut Schema::default(),
            &autogenerate::diff(&Schema::default(), &base, &Hints::default()),
        )?;
        txn.execute_unprepared(&sql)
            .await
            .context("making the tables the definitions use in the scratch schema")?;
        // Each statement in a savepoint of its own: one the server refuses leaves the others.
        let attempt = |sql: String| {
            let txn = &txn;
            async move {
                let ok = txn
                    .execute_unprepared(&format!("SAVEPOINT opdb_one; {sql}"))
                    .await
                    .is_ok();
                if !ok {
                    txn.execute_unprepared("ROLLBACK TO SAVEPOINT opdb_one").await?;
                }
                Ok::<bool, sea_orm::DbErr>(ok)
            }
        };
        let functions: Vec<&Function> = side.functions.values().collect();
        for (n, f) in functions.iter().enumerate() {
            for name in [f.name.clone(), format!("opdb_function_{n}")] {
                attempt(format!(
                    "CREATE FUNCTION {}({}) {}",
                    crate::ddl::ident(&name),
                    f.arguments,
                    f.definition
                ))
                .await?;
            }
        }
        // Views in the order their texts suggest; one that fails for want of another is tried
        // again after the rest, until a round makes nothing new.
        let names: std::collections::BTreeSet<String> = side.views.keys().cloned().collect();
        let mut pending = crate::autogenerate::views_in_reading_order(side, &names);
        loop {
            let mut failed = Vec::new();
            for name in &pending {
                let view = View {
                    with_data: false,
                    indexes: Vec::new(),
                    ..side.views[name].clone()
                };
                let sql = crate::ddl::postgres::create_view(&view).join(";\n");
                if !attempt(sql).await? {
                    failed.push(name.clone());
                }
            }
            if failed.is_empty() || failed.len() == pending.len() {
                break;
            }
            pending = failed;
        }
        // Materialized views' indexes (on views left empty: the server allows it), so that
        // their key expressions and predicates are the server's too.
        for view in side.views.values().filter(|v| v.materialized) {
            for index in &view.indexes {
                attempt(crate::ddl::create_index(&view.name, index, true)).await?;
            }
        }
        for trigger in side.triggers.values() {
            attempt(trigger.definition.clone()).await?;
        }
        let read = crate::introspect::introspect_in(&txn, &scratch)
            .await
            .context("reading the scratch schema")?
            .schema;
        for view in side.views.values() {
            if let Some(made) = read.views.get(&view.name) {
                canonical
                    .views
                    .insert((view.name.clone(), view.definition.clone()), made.clone());
            }
        }
        for (n, f) in functions.iter().enumerate() {
            let alias = format!("opdb_function_{n}");
            if let Some(made) = read.functions.values().find(|m| m.name == alias) {
                canonical.functions.insert(
                    (f.name.clone(), f.arguments.clone(), f.definition.clone()),
                    Function {
                        name: f.name.clone(),
                        comment: f.comment.clone(),
                        ..made.clone()
                    },
                );
            }
        }
        for trigger in side.triggers.values() {
            let key = (trigger.table.clone(), trigger.name.clone());
            if let Some(made) = read.triggers.get(&key) {
                canonical
                    .triggers
                    .insert(trigger.definition.clone(), made.definition.clone());
            }
        }
        Ok(())
    }
    .await;
    txn.rollback().await.ok();
    result
}

/// Makes a scratch schema inside `txn`, first on the transaction's search path, and returns
/// its name.
async fn scratch_schema(txn: &sea_orm::DatabaseTransaction, what: &str) -> Result<String> {
    let scratch = scratch_name(what);
    txn.execute_unprepared(&format!(
        "CREATE SCHEMA {schema}; \
         SELECT set_config('search_path', '{schema}, ' || current_setting('search_path'), true)",
        schema = crate::ddl::ident(&scratch)
    ))
    .await
    .context("making a scratch schema")?;
    Ok(scratch)
}

/// A schema name no other run uses: this process's, and within it a count.
fn scratch_name(what: &str) -> String {
    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    format!(
        "opdb_{what}_{}_{}_{}",
        std::process::id(),
        MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    )
}

/// Every expression of `table` is written as `other` (the same table on the other side) has
/// it, so the server has nothing to add; or the other side has no such table, so there is
/// nothing to compare it with (it is created or dropped whole).
fn written_alike(table: &Table, other: Option<&Table>) -> bool {
    let Some(live) = other else {
        return true;
    };
    let exact = Expressions::exact();
    let key = |e: &str| exact.key(&table.name, e);
    let live_exprs: Vec<String> = live
        .checks
        .iter()
        .map(|c| key(&c.expression))
        .chain(live.indexes.iter().filter_map(|i| i.predicate.as_deref().map(key)))
        .collect();
    let checks = table
        .checks
        .iter()
        .all(|c| live_exprs.contains(&key(&c.expression)));
    let predicates = table
        .indexes
        .iter()
        .filter_map(|i| i.predicate.as_deref())
        .all(|p| live_exprs.contains(&key(p)));
    let defaults = table.columns.iter().all(|c| match &c.default {
        None => true,
        Some(d) => live
            .column(&c.name)
            .and_then(|l| l.default.as_deref())
            .is_some_and(|l| exact.same_default(&table.name, &c.name, Some(d), Some(l))),
    });
    let generated = table.columns.iter().all(|c| {
        c.generated.is_none()
            || live.column(&c.name).is_some_and(|l| {
                exact.same_generated(
                    &table.name,
                    &c.name,
                    c.generated.as_ref(),
                    l.generated.as_ref(),
                )
            })
    });
    checks && predicates && defaults && generated
}

/// Each side's tables made in a scratch schema of `db`, in a transaction rolled back at the
/// end, and their expressions read back; then made again from what was read, and read once
/// more. Twice, because PostgreSQL's own text of an expression is not always stored as the
/// same expression: `(ARRAY['a'::varchar])::text[]` comes back with the cast pushed into the
/// elements (pg_dump's output has the same trait), and the second text is stable. Every text,
/// from either side, maps to its second reading.
async fn postgres(db: &DatabaseConnection, sides: &[Schema]) -> Result<Canonical> {
    let txn = db.begin().await.context("starting a transaction")?;
    let result = async {
        let mut canonical = Canonical::default();
        let mut made = 0;
        for side in sides {
            let first = texts(side, &store(&txn, side, &mut made).await?);
            let again = rewritten(side, &first);
            let second = texts(&again, &store(&txn, &again, &mut made).await?);
            for ((table, slot, written), once) in first {
                let key = (table, slot, once);
                let twice = second.get(&key).cloned().unwrap_or_else(|| key.2.clone());
                canonical.map.insert((key.0, key.1, written), twice);
            }
        }
        Ok(canonical)
    }
    .await;
    txn.rollback().await.ok();
    result
}

/// Makes `shadow` in a new scratch schema inside `txn` and reads it back.
async fn store(
    txn: &sea_orm::DatabaseTransaction,
    shadow: &Schema,
    made: &mut usize,
) -> Result<Schema> {
    *made += 1;
    let scratch = scratch_schema(txn, &format!("canonical_{made}")).await?;
    // Enums and sequences first, then the tables: all at once, or, when one is refused,
    // each on its own, so that one bad expression leaves the others compared by the server.
    let all = Schema {
        enums: shadow.enums.clone(),
        sequences: shadow.sequences.clone(),
        ..Schema::default()
    };
    let base = crate::ddl::statements(
        DbBackend::Postgres,
        &mut Schema::default(),
        &autogenerate::diff(&Schema::default(), &all, &Hints::default()),
    )?;
    txn.execute_unprepared(&format!("SAVEPOINT opdb_all; {base}"))
        .await
        .context("making the model's types in the scratch schema")?;
    let table_sql = |table: &Table| -> Result<String> {
        let one = Schema {
            tables: BTreeMap::from([(table.name.clone(), table.clone())]),
            ..all.clone()
        };
        let ops = autogenerate::diff(&all, &one, &Hints::default());
        crate::ddl::statements(DbBackend::Postgres, &mut all.clone(), &ops)
    };
    let mut together = String::from("SAVEPOINT opdb_tables; ");
    for table in shadow.tables.values() {
        together.push_str(&table_sql(table)?);
    }
    if txn.execute_unprepared(&together).await.is_err() {
        txn.execute_unprepared("ROLLBACK TO SAVEPOINT opdb_tables")
            .await?;
        for table in shadow.tables.values() {
            let sql = format!("SAVEPOINT opdb_one; {}", table_sql(table)?);
            if txn.execute_unprepared(&sql).await.is_err() {
                txn.execute_unprepared("ROLLBACK TO SAVEPOINT opdb_one")
                    .await?;
            }
        }
    }
    let read = crate::introspect::introspect_in(txn, &scratch).await;
    Ok(read.context("reading the scratch schema")?.schema)
}

/// Where an expression stands, and its text.
type Texts = BTreeMap<(String, Slot, String), String>;

/// Each expression of `shadow` (by table, place and text) and the text `read` (the same
/// tables as the server made them) has for it.
fn texts(shadow: &Schema, read: &Schema) -> Texts {
    let mut out = Texts::new();
    for (name, table) in &shadow.tables {
        let Some(server) = read.tables.get(name) else {
            continue;
        };
        let mut put = |slot: Slot, written: &str, kept: &str| {
            out.insert((name.clone(), slot, written.to_string()), kept.to_string());
        };
        for column in &table.columns {
            let Some(server) = server.column(&column.name) else {
                continue;
            };
            if let (Some(written), Some(kept)) = (&column.default, &server.default) {
                put(Slot::Default(column.name.clone()), written, kept);
            }
            if let (Some(written), Some(kept)) = (&column.generated, &server.generated) {
                let slot = Slot::Generated(column.name.clone());
                put(slot, &written.expression, &kept.expression);
            }
        }
        for check in &table.checks {
            let kept = server.checks.iter().find(|c| c.name == check.name);
            if let Some(kept) = kept {
                put(Slot::Expression, &check.expression, &kept.expression);
            }
        }
        for index in &table.indexes {
            let kept = server.indexes.iter().find(|i| i.name == index.name);
            if let (Some(written), Some(kept)) = (
                &index.predicate,
                kept.and_then(|i| i.predicate.as_deref()),
            ) {
                put(Slot::Expression, written, kept);
            }
        }
    }
    out
}

/// `shadow` with each expression replaced by its text in `texts`.
fn rewritten(shadow: &Schema, texts: &Texts) -> Schema {
    let mut out = shadow.clone();
    for (name, table) in out.tables.iter_mut() {
        let text = |slot: Slot, written: &str| {
            texts
                .get(&(name.clone(), slot, written.to_string()))
                .cloned()
                .unwrap_or_else(|| written.to_string())
        };
        for column in &mut table.columns {
            if let Some(d) = &column.default {
                column.default = Some(text(Slot::Default(column.name.clone()), d));
            }
            if let Some(g) = &mut column.generated {
                g.expression = text(Slot::Generated(column.name.clone()), &g.expression);
            }
        }
        for check in &mut table.checks {
            check.expression = text(Slot::Expression, &check.expression);
        }
        for index in &mut table.indexes {
            if let Some(p) = &index.predicate {
                index.predicate = Some(text(Slot::Expression, p));
            }
        }
    }
    out
}

/// What the scratch schema needs of `model` to hold the expressions of `tables`: the enum
/// types and sequences, and each table with its columns (serial and identity numbering left
/// out), defaults, checks and predicate indexes, without keys.
fn shadow(model: &Schema, tables: &[&str]) -> Schema {
    Schema {
        enums: model.enums.clone(),
        sequences: model.sequences.clone(),
        tables: tables
            .iter()
            .filter_map(|name| model.tables.get(*name))
            .map(|t| {
                let mut t = t.clone();
                for column in &mut t.columns {
                    column.auto_increment = false;
                    column.identity = None;
                }
                t.primary_key = None;
                t.uniques.clear();
                t.foreign_keys.clear();
                t.indexes.retain(|i| i.predicate.is_some());
                t.comment = None;
                (t.name.clone(), t)
            })
            .collect(),
        ..Schema::default()
    }
}
