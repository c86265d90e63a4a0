//! PostgreSQL DDL.
//!
//! One op renders to one or more statements ([`render`]). A run of ops on one table
//! ([`crate::ops::table_runs`]) renders to fewer ([`render_run`]): neighbouring `ALTER TABLE`
//! actions share one statement, so the table is locked, scanned and rewritten once for them.
//! PostgreSQL runs the actions of one statement in passes (drops, then type changes, added
//! columns, `SET NOT NULL`, defaults; constraints are added in passes of their own), not in
//! the order written, so actions share a statement only where that order is the written one:
//! the merged statement does exactly what the separate ones did.

use super::{
    constraint_lines, constraint_name, create_index, foreign_key_clause, ident, idents, literal,
    unique_clause,
};
use crate::ops::{Change, Op};
use crate::schema::{Column, ColumnType, Commented, Identity, Schema, Sequence, Table, View};
use anyhow::Result;

/// The type as PostgreSQL spells it; serial columns become `serial`/`bigserial`.
pub fn type_sql(ty: &ColumnType, auto_increment: bool) -> String {
    match (ty, auto_increment) {
        (ColumnType::SmallInt, true) => "smallserial".into(),
        (ColumnType::Integer, true) => "serial".into(),
        (ColumnType::BigInt, true) => "bigserial".into(),
        (ColumnType::Enum(name), _) => ident(name),
        (ColumnType::Array(inner), _) => format!("{}[]", type_sql(inner, false)),
        (ty, _) => ty.to_string(),
    }
}

fn column_sql(c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), type_sql(&c.ty, c.auto_increment));
    if let Some(collation) = &c.collation {
        s.push_str(&format!(" COLLATE {}", ident(collation)));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        s.push_str(&format!(" DEFAULT {default}"));
    }
    if let Some(identity) = &c.identity {
        s.push_str(&format!(" {}", identity.sql()));
    }
    if let Some(generated) = &c.generated {
        s.push_str(&super::generated_sql(generated));
    }
    s
}

fn comment_sql(table: &str, column: Option<&str>, comment: Option<&str>) -> String {
    let target = match column {
        Some(c) => format!("COLUMN {}.{}", ident(table), ident(c)),
        None => format!("TABLE {}", ident(table)),
    };
    let text = comment.map(literal).unwrap_or_else(|| "NULL".into());
    format!("COMMENT ON {target} IS {text}")
}

/// `CREATE TABLE` with its keys and checks, then its comments and indexes.
pub fn create_table(t: &Table) -> Vec<String> {
    let mut lines: Vec<String> = t.columns.iter().map(column_sql).collect();
    lines.extend(constraint_lines(t, true));
    let mut out = vec![format!(
        "CREATE TABLE {} (\n    {}\n)",
        ident(&t.name),
        lines.join(",\n    ")
    )];
    if t.comment.is_some() {
        out.push(comment_sql(&t.name, None, t.comment.as_deref()));
    }
    for c in t.columns.iter().filter(|c| c.comment.is_some()) {
        out.push(comment_sql(&t.name, Some(&c.name), c.comment.as_deref()));
    }
    for index in &t.indexes {
        out.push(create_index(&t.name, index, true));
    }
    out
}

fn sequence_options(s: &Sequence) -> String {
    format!(
        "INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} {}",
        s.increment,
        s.min_value,
        s.max_value,
        s.start,
        if s.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// Recreates enum type `name` with `labels`: the old type is renamed away, every column of it
/// (or of an array of it) in any table is converted through text, and the old type is dropped.
/// The columns are found in the catalog when the statement runs, so columns made by raw SQL
/// are converted too; typed defaults are set aside during the conversion and put back.
fn alter_enum(name: &str, labels: &[String]) -> Vec<String> {
    let old = format!("{name}_opdb_old");
    let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
    vec![
        format!("ALTER TYPE {} RENAME TO {}", ident(name), ident(&old)),
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            ident(name),
            labels.join(", ")
        ),
        format!(
            "DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT n.nspname, c.relname, a.attname, a.atttypid = {old_lit}::regtype AS scalar,
               pg_get_expr(d.adbin, d.adrelid) AS dflt
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.atttypid IN ({old_lit}::regtype, {old_array}::regtype)
          AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I DROP DEFAULT',
                           col.nspname, col.relname, col.attname);
        END IF;
        EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s USING %I::%s::%s',
                       col.nspname, col.relname, col.attname,
                       CASE WHEN col.scalar THEN {new} ELSE {new_array} END,
                       col.attname,
                       CASE WHEN col.scalar THEN 'text' ELSE 'text[]' END,
                       CASE WHEN col.scalar THEN {new} ELSE {new_array} END);
        IF col.dflt IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I SET DEFAULT %s',
                           col.nspname, col.relname, col.attname,
                           replace(col.dflt, {old_lit}, {new}));
        END IF;
    END LOOP;
END $$",
            old_lit = literal(&ident(&old)),
            old_array = literal(&format!("{}[]", ident(&old))),
            new = literal(&ident(name)),
            new_array = literal(&format!("{}[]", ident(name))),
        ),
        format!("DROP TYPE {}", ident(&old)),
    ]
}

/// Makes `table.column` serial (a sequence it owns, numbering on from the largest value) or
/// plain (dropping its sequence, whatever it is called).
fn alter_serial(table: &str, column: &str, ty: &ColumnType, serial: bool) -> Vec<Stmt> {
    let alter = |pass: Pass, what: String| {
        let text = format!("ALTER COLUMN {} {what}", ident(column));
        Stmt::alter(table, pass, Some(column), text)
    };
    if serial {
        let sequence = crate::naming::serial_sequence(table, column);
        vec![
            Stmt::Other(format!(
                "CREATE SEQUENCE {} AS {} OWNED BY {}.{}",
                ident(&sequence),
                type_sql(ty, false),
                ident(table),
                ident(column)
            )),
            alter(
                Pass::SetDefault,
                format!("SET DEFAULT nextval({})", literal(&ident(&sequence))),
            ),
            Stmt::Other(format!(
                "SELECT setval({}, COALESCE(MAX({}), 0) + 1, false) FROM {}",
                literal(&ident(&sequence)),
                ident(column),
                ident(table)
            )),
        ]
    } else {
        vec![
            alter(Pass::Drop, "DROP DEFAULT".into()),
            Stmt::Other(do_block(&format!(
                "BEGIN EXECUTE 'DROP SEQUENCE ' || pg_get_serial_sequence({}, {}); END",
                literal(&ident(table)),
                literal(column)
            ))),
        ]
    }
}

/// `DO` with `body` dollar-quoted by a tag the body does not hold (names inside it are
/// anyone's text: `$$` in one must not end the block).
pub(crate) fn do_block(body: &str) -> String {
    let tag = (0..)
        .map(|n| match n {
            0 => "$$".to_string(),
            n => format!("$opdb{n}$"),
        })
        .find(|tag| !body.contains(tag.as_str()))
        .unwrap_or_default();
    format!("DO {tag} {body} {tag}")
}

/// `SET GENERATED ... SET ...`: every option of an identity, the defaults by `NO` where
/// PostgreSQL has it (the start of an ascending sequence is its minimum).
fn set_identity(identity: &Identity) -> String {
    let mut s = format!(
        "SET GENERATED {}",
        if identity.always { "ALWAYS" } else { "BY DEFAULT" }
    );
    s.push_str(&format!(" SET INCREMENT BY {}", identity.increment.unwrap_or(1)));
    match identity.min_value {
        Some(n) => s.push_str(&format!(" SET MINVALUE {n}")),
        None => s.push_str(" SET NO MINVALUE"),
    }
    match identity.max_value {
        Some(n) => s.push_str(&format!(" SET MAXVALUE {n}")),
        None => s.push_str(" SET NO MAXVALUE"),
    }
    s.push_str(&format!(
        " SET START WITH {}",
        identity.start.or(identity.min_value).unwrap_or(1)
    ));
    s.push_str(if identity.cycle { " SET CYCLE" } else { " SET NO CYCLE" });
    s
}

/// The statements of `op`, given the schema before it, as if it ran alone.
#[cfg(any(test, feature = "testing"))]
pub fn render(op: &Op, before: &Schema) -> Result<Vec<String>> {
    Ok(statements(op, before)?
        .into_iter()
        .map(Stmt::into_sql)
        .collect())
}

/// The statements of a run of ops on one table, given the schema before them: neighbouring
/// actions merged into one `ALTER TABLE` where PostgreSQL runs them in the written order.
pub fn render_run(ops: &[&Op], before: &Schema) -> Result<Vec<String>> {
    let mut model = std::borrow::Cow::Borrowed(before);
    let mut out: Vec<Stmt> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        for stmt in statements(op, &model)? {
            match (out.last_mut(), stmt) {
                (Some(Stmt::Alter(table, actions)), Stmt::Alter(t, mut more))
                    if *table == t && joins(actions, &more[0]) =>
                {
                    actions.append(&mut more)
                }
                (_, stmt) => out.push(stmt),
            }
        }
        // Later ops read the model only for what an op lacks (a column's old type); the
        // runner passes an empty schema, which has no table to move on.
        let last = i + 1 == ops.len();
        if let (false, Some(table)) = (last, op.changed_table()) {
            if model.table(table).is_some() {
                crate::apply::apply(model.to_mut(), op)?;
            }
        }
    }
    Ok(out.into_iter().map(Stmt::into_sql).collect())
}

/// When PostgreSQL runs an `ALTER TABLE` action (tablecmds.c, `ATPrepCmd`): a statement's
/// actions run pass by pass, and in the written order within a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pass {
    /// `DROP COLUMN`, `DROP CONSTRAINT`, `DROP NOT NULL`, `DROP DEFAULT`.
    Drop,
    /// `ALTER COLUMN ... TYPE`.
    AlterType,
    AddColumn,
    SetNotNull,
    /// `SET DEFAULT`.
    SetDefault,
    /// `ADD PRIMARY KEY`, `ADD UNIQUE`: turned into index builds of a later pass when run.
    IndexConstraint,
    /// `ADD FOREIGN KEY`, `ADD CHECK`.
    Constraint,
    /// `RENAME`: a statement of its own.
    Alone,
}

/// One `ALTER TABLE` action: its pass, the column it changes, and its text.
#[derive(Debug)]
struct Action {
    pass: Pass,
    column: Option<String>,
    text: String,
}

/// A statement: `ALTER TABLE` with its actions, or any other.
#[derive(Debug)]
enum Stmt {
    Alter(String, Vec<Action>),
    Other(String),
}

impl Stmt {
    fn alter(table: &str, pass: Pass, column: Option<&str>, text: String) -> Stmt {
        let action = Action {
            pass,
            column: column.map(str::to_string),
            text,
        };
        Stmt::Alter(table.to_string(), vec![action])
    }

    fn into_sql(self) -> String {
        match self {
            Stmt::Other(sql) => sql,
            Stmt::Alter(table, actions) if actions.len() == 1 => {
                format!("ALTER TABLE {} {}", ident(&table), actions[0].text)
            }
            Stmt::Alter(table, actions) => {
                let texts: Vec<&str> = actions.iter().map(|a| a.text.as_str()).collect();
                format!(
                    "ALTER TABLE {}\n    {}",
                    ident(&table),
                    texts.join(",\n    ")
                )
            }
        }
    }
}

/// Whether `next` may join the statement holding `actions` and still run after them: the
/// column actions in non-decreasing pass order (never one column's type twice), constraints
/// only beside constraints of their own kind, renames never.
fn joins(actions: &[Action], next: &Action) -> bool {
    let last = actions.last().map(|a| a.pass);
    let column_pass = |p: Pass| p <= Pass::SetDefault;
    match (last, next.pass) {
        (_, Pass::Alone) | (Some(Pass::Alone), _) | (None, _) => false,
        (Some(last), Pass::AlterType) if last <= Pass::AlterType => !actions
            .iter()
            .any(|a| a.pass == Pass::AlterType && a.column == next.column),
        (Some(last), next) if column_pass(last) && column_pass(next) => next >= last,
        (Some(last), next) => last == next && !column_pass(next),
    }
}

/// The statements of `op`, with each `ALTER TABLE` action's pass.
fn statements(op: &Op, before: &Schema) -> Result<Vec<Stmt>> {
    let other = |sqls: Vec<String>| sqls.into_iter().map(Stmt::Other).collect::<Vec<_>>();
    let one = |sql: String| vec![Stmt::Other(sql)];
    Ok(match op {
        Op::CreateTable(t) => other(create_table(t)),
        Op::DropTable { table, .. } => one(format!("DROP TABLE {}", ident(table))),
        Op::RenameTable { from, to } => vec![Stmt::alter(
            from,
            Pass::Alone,
            None,
            format!("RENAME TO {}", ident(to)),
        )],
        Op::AddColumn { table, column } => {
            let mut out = vec![Stmt::alter(
                table,
                Pass::AddColumn,
                Some(&column.name),
                format!("ADD COLUMN {}", column_sql(column)),
            )];
            if column.comment.is_some() {
                out.push(Stmt::Other(comment_sql(
                    table,
                    Some(&column.name),
                    column.comment.as_deref(),
                )));
            }
            out
        }
        Op::DropColumn { table, column, .. } => vec![Stmt::alter(
            table,
            Pass::Drop,
            Some(column),
            format!("DROP COLUMN {}", ident(column)),
        )],
        Op::AlterColumn {
            table,
            column,
            change,
            existing,
        } => {
            let col = ident(column);
            let on_column = |pass: Pass, what: String| {
                Stmt::alter(
                    table,
                    pass,
                    Some(column),
                    format!("ALTER COLUMN {col} {what}"),
                )
            };
            let mut out = Vec::new();
            let old = existing
                .get()
                .or_else(|| before.table(table).and_then(|t| t.column(column)));
            // An identity goes first (a serial or a new identity may then take its place) and
            // comes last, after the column is NOT NULL; one that changes is set in place.
            let (drop_identity, add_identity) = match (&change.identity, old) {
                (Change::Set(None), _) => (true, None),
                (Change::Set(Some(new)), Some(Column { identity: Some(_), .. })) => {
                    out.push(Stmt::alter(
                        table,
                        Pass::Alone,
                        Some(column),
                        format!("ALTER COLUMN {col} {}", set_identity(new)),
                    ));
                    (false, None)
                }
                (Change::Set(Some(new)), _) => (false, Some(new)),
                (Change::Keep, _) => (false, None),
            };
            if drop_identity {
                out.push(Stmt::alter(
                    table,
                    Pass::Alone,
                    Some(column),
                    format!("ALTER COLUMN {col} DROP IDENTITY"),
                ));
            }
            if change.collation.is_set() && !change.ty.is_set() {
                anyhow::bail!(
                    "the collation of {table}.{column} changes with its type (ALTER COLUMN .. \
                     TYPE t COLLATE c): give the type too, ColumnChange::new().ty(..).collate(..)"
                );
            }
            if let Change::Set(ty) = &change.ty {
                let mut s = format!("TYPE {}", type_sql(ty, false));
                match &change.collation {
                    Change::Set(Some(c)) => s.push_str(&format!(" COLLATE {}", ident(c))),
                    Change::Set(None) => s.push_str(" COLLATE \"default\""),
                    Change::Keep => {}
                }
                if let Some(using) = &change.using {
                    s.push_str(&format!(" USING {using}"));
                } else if change.cast {
                    // PostgreSQL's explicit cast where it has one, else through text.
                    let through_text = old.is_none_or(|c| !crate::casts::explicit_cast(&c.ty, ty));
                    let via = match (through_text, ty) {
                        (false, _) => "",
                        (true, ColumnType::Array(_)) => "::text[]",
                        (true, _) => "::text",
                    };
                    s.push_str(&format!(" USING {col}{via}::{}", type_sql(ty, false)));
                }
                out.push(on_column(Pass::AlterType, s));
                // A serial that stays one: its sequence takes the new integer type too
                // (serial to bigserial makes it `AS bigint`), as a new serial's would. Where
                // the op does not say what the column was (a revision's recorded op, run
                // without a model), the database is asked: a column that owns a sequence and is
                // no identity (PostgreSQL changes an identity's sequence itself).
                let integer = matches!(
                    ty,
                    ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
                );
                let may_be_serial = old.is_none_or(|c| c.auto_increment);
                if integer && may_be_serial && *change.auto_increment.or(&true) {
                    let (t, c) = (literal(&ident(table)), literal(column));
                    out.push(Stmt::Other(do_block(&format!(
                        "DECLARE s text := pg_get_serial_sequence({t}, {c}); BEGIN \
                         IF s IS NOT NULL AND (SELECT attidentity FROM pg_attribute \
                         WHERE attrelid = {t}::regclass AND attname = {c}) = '' THEN \
                         EXECUTE 'ALTER SEQUENCE ' || s || ' AS {}'; END IF; END",
                        type_sql(ty, false)
                    ))));
                }
            }
            if let Change::Set(serial) = change.auto_increment {
                // The sequence's type: the new one, else the column's as the op carries it,
                // else as the model has it.
                let old = existing
                    .get()
                    .or_else(|| before.table(table).and_then(|t| t.column(column)));
                let ty = match (&change.ty, old) {
                    (Change::Set(ty), _) => ty.clone(),
                    (Change::Keep, Some(old)) => old.ty.clone(),
                    (Change::Keep, None) => ColumnType::Integer,
                };
                out.extend(alter_serial(table, column, &ty, serial));
            }
            if change.drop_expression {
                out.push(on_column(Pass::Drop, "DROP EXPRESSION".into()));
            }
            match change.nullable {
                Change::Set(false) => out.push(on_column(Pass::SetNotNull, "SET NOT NULL".into())),
                Change::Set(true) => out.push(on_column(Pass::Drop, "DROP NOT NULL".into())),
                Change::Keep => {}
            }
            match &change.default {
                Change::Set(Some(d)) => {
                    out.push(on_column(Pass::SetDefault, format!("SET DEFAULT {d}")))
                }
                Change::Set(None) => out.push(on_column(Pass::Drop, "DROP DEFAULT".into())),
                Change::Keep => {}
            }
            if let Change::Set(comment) = &change.comment {
                out.push(Stmt::Other(comment_sql(
                    table,
                    Some(column),
                    comment.as_deref(),
                )));
            }
            if let Some(identity) = add_identity {
                out.push(Stmt::alter(
                    table,
                    Pass::Alone,
                    Some(column),
                    format!("ALTER COLUMN {col} ADD {}", identity.sql()),
                ));
                // Numbering goes on after the rows the table already has (a serial's ids).
                out.push(Stmt::Other(format!(
                    "SELECT setval(pg_get_serial_sequence({}, {}), COALESCE(MAX({col}), 0) + 1, \
                     false) FROM {}",
                    literal(&ident(table)),
                    literal(column),
                    ident(table)
                )));
            }
            if let Change::Set(to) = &change.rename {
                out.push(Stmt::alter(
                    table,
                    Pass::Alone,
                    Some(column),
                    format!("RENAME COLUMN {col} TO {}", ident(to)),
                ));
            }
            out
        }
        Op::CreatePrimaryKey { table, key } => vec![Stmt::alter(
            table,
            Pass::IndexConstraint,
            None,
            format!(
                "ADD {}PRIMARY KEY ({})",
                constraint_name(&key.name),
                idents(&key.columns)
            ),
        )],
        Op::DropPrimaryKey { table, name, .. } | Op::DropConstraint { table, name, .. } => {
            vec![Stmt::alter(
                table,
                Pass::Drop,
                None,
                format!("DROP CONSTRAINT {}", ident(name)),
            )]
        }
        Op::CreateUnique { table, unique } => vec![Stmt::alter(
            table,
            Pass::IndexConstraint,
            None,
            format!("ADD {}", unique_clause(unique)),
        )],
        Op::CreateForeignKey { table, key } => vec![Stmt::alter(
            table,
            Pass::Constraint,
            None,
            format!("ADD {}", foreign_key_clause(key)),
        )],
        Op::CreateCheck { table, check } => vec![Stmt::alter(
            table,
            Pass::Constraint,
            None,
            format!(
                "ADD {}CHECK ({})",
                constraint_name(&check.name),
                check.expression
            ),
        )],
        Op::CreateIndex { table, index } => one(create_index(table, index, true)),
        Op::DropIndex { name, .. } => one(format!("DROP INDEX {}", ident(name))),
        Op::RenameConstraint { table, from, to } => one(format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            ident(table),
            ident(from),
            ident(to)
        )),
        Op::RenameIndex { from, to, .. } => {
            one(format!("ALTER INDEX {} RENAME TO {}", ident(from), ident(to)))
        }
        Op::SetTableComment { table, comment } => one(comment_sql(table, None, comment.as_deref())),
        Op::CreateEnum { name, labels } => {
            let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
            one(format!(
                "CREATE TYPE {} AS ENUM ({})",
                ident(name),
                labels.join(", ")
            ))
        }
        Op::DropEnum { name } => one(format!("DROP TYPE {}", ident(name))),
        Op::AlterEnum { name, labels } => other(alter_enum(name, labels)),
        Op::CreateSequence(s) => one(format!(
            "CREATE SEQUENCE {} {}",
            ident(&s.name),
            sequence_options(s)
        )),
        Op::AlterSequence(s) => one(format!(
            "ALTER SEQUENCE {} {}",
            ident(&s.name),
            sequence_options(s)
        )),
        Op::DropSequence { name } => one(format!("DROP SEQUENCE {}", ident(name))),
        Op::CreateView(view) => other(create_view(view)),
        Op::ReplaceView { view, .. } => one(format!(
            "CREATE OR REPLACE VIEW {} AS\n{}",
            ident(&view.name),
            view.definition
        )),
        Op::DropView {
            name, materialized, ..
        } => one(format!(
            "DROP {}VIEW {}",
            if *materialized { "MATERIALIZED " } else { "" },
            ident(name)
        )),
        Op::CreateFunction(f) => {
            let mut out = vec![format!(
                "CREATE FUNCTION {}({})\n{}",
                ident(&f.name),
                f.arguments,
                f.definition
            )];
            if f.comment.is_some() {
                out.push(object_comment_sql(
                    &Commented::Function {
                        name: f.name.clone(),
                        arguments: f.identity_arguments(),
                    },
                    f.comment.as_deref(),
                ));
            }
            other(out)
        }
        Op::SetComment { on, comment } => one(object_comment_sql(on, comment.as_deref())),
        Op::ReplaceFunction { function: f, .. } => one(format!(
            "CREATE OR REPLACE FUNCTION {}({})\n{}",
            ident(&f.name),
            f.arguments,
            f.definition
        )),
        Op::DropFunction {
            name, arguments, ..
        } => one(format!("DROP FUNCTION {}({arguments})", ident(name))),
        Op::CreateTrigger(t) => one(t.definition.clone()),
        Op::DropTrigger { table, name, .. } => {
            one(format!("DROP TRIGGER {} ON {}", ident(name), ident(table)))
        }
        Op::Execute { sql } => one(sql.clone()),
        Op::CreateIndexConcurrently { table, index } => one(
            create_index(table, index, true).replacen(" INDEX ", " INDEX CONCURRENTLY ", 1),
        ),
        Op::DropIndexConcurrently { name, .. } => {
            one(format!("DROP INDEX CONCURRENTLY {}", ident(name)))
        }
        Op::CreateForeignKeyNotValid { table, key } => vec![Stmt::alter(
            table,
            Pass::Alone,
            None,
            format!("ADD {} NOT VALID", foreign_key_clause(key)),
        )],
        Op::CreateCheckNotValid { table, check } => vec![Stmt::alter(
            table,
            Pass::Alone,
            None,
            format!(
                "ADD {}CHECK ({}) NOT VALID",
                constraint_name(&check.name),
                check.expression
            ),
        )],
        Op::ValidateConstraint { table, name } => vec![Stmt::alter(
            table,
            Pass::Alone,
            None,
            format!("VALIDATE CONSTRAINT {}", ident(name)),
        )],
        Op::CreateUniqueUsingIndex { table, name, index } => vec![Stmt::alter(
            table,
            Pass::Alone,
            None,
            format!(
                "ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                ident(name),
                ident(index)
            ),
        )],
    })
}

/// `COMMENT ON` a view or a function.
fn object_comment_sql(on: &Commented, comment: Option<&str>) -> String {
    let target = match on {
        Commented::View { name, materialized } => format!(
            "{}VIEW {}",
            if *materialized { "MATERIALIZED " } else { "" },
            ident(name)
        ),
        Commented::Function { name, arguments } => format!("FUNCTION {}({arguments})", ident(name)),
    };
    let text = comment.map(literal).unwrap_or_else(|| "NULL".into());
    format!("COMMENT ON {target} IS {text}")
}

/// A view's `CREATE`, its comment, and a materialized view's indexes.
pub fn create_view(view: &View) -> Vec<String> {
    let comment = view.comment.as_deref().map(|c| {
        object_comment_sql(
            &Commented::View {
                name: view.name.clone(),
                materialized: view.materialized,
            },
            Some(c),
        )
    });
    if !view.materialized {
        let mut out = vec![format!(
            "CREATE VIEW {} AS\n{}",
            ident(&view.name),
            view.definition
        )];
        out.extend(comment);
        return out;
    }
    let mut out = vec![format!(
        "CREATE MATERIALIZED VIEW {} AS\n{}\nWITH {}DATA",
        ident(&view.name),
        view.definition,
        if view.with_data { "" } else { "NO " }
    )];
    out.extend(comment);
    out.extend(
        view.indexes
            .iter()
            .map(|index| create_index(&view.name, index, true)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{do_block, render};
    use crate::ops::{ColumnChange, Existing, Op};
    use crate::schema::{Column, ColumnType as T, Schema, Table};

    fn alter(column: &str, change: ColumnChange, was: Option<Column>) -> Op {
        Op::AlterColumn {
            table: "t".into(),
            column: column.into(),
            change,
            existing: Existing::from_option(was),
        }
    }

    /// The text of each new feature's statement, without a server.
    #[test]
    fn statements_read_as_postgresql_takes_them() {
        let none = Schema::default();
        let table = Table::new("t")
            .col(Column::new("id", T::BigInt).identity_always().identity_start(5))
            .col(Column::new("note", T::Text).collate("C").not_null())
            .col(Column::new("twice", T::BigInt).generated_stored("id * 2"));
        let create = render(&Op::CreateTable(table), &none).unwrap();
        assert_eq!(
            create[0],
            "CREATE TABLE t (\n    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY (START WITH 5),\n    \
             note text COLLATE \"C\" NOT NULL,\n    \
             twice bigint GENERATED ALWAYS AS (id * 2) STORED\n)"
        );
        let cases = [
            // No assignment cast from varchar to integer: through text.
            (
                alter(
                    "n",
                    ColumnChange::new().ty(T::Integer).cast(),
                    Some(Column::new("n", T::Varchar(None))),
                ),
                "ALTER TABLE t ALTER COLUMN n TYPE integer USING n::text::integer",
            ),
            // An explicit cast where PostgreSQL has one.
            (
                alter(
                    "ok",
                    ColumnChange::new().ty(T::Boolean).cast(),
                    Some(Column::new("ok", T::Integer)),
                ),
                "ALTER TABLE t ALTER COLUMN ok TYPE boolean USING ok::boolean",
            ),
            (
                alter("note", ColumnChange::new().ty(T::Text).collate(Some("C")), None),
                "ALTER TABLE t ALTER COLUMN note TYPE text COLLATE \"C\"",
            ),
            (
                alter("note", ColumnChange::new().ty(T::Text).collate(None), None),
                "ALTER TABLE t ALTER COLUMN note TYPE text COLLATE \"default\"",
            ),
            (
                alter("twice", ColumnChange::new().drop_expression(), None),
                "ALTER TABLE t ALTER COLUMN twice DROP EXPRESSION",
            ),
            (
                Op::RenameIndex {
                    table: "t".into(),
                    from: "ix_a".into(),
                    to: "Ix B".into(),
                },
                "ALTER INDEX ix_a RENAME TO \"Ix B\"",
            ),
        ];
        for (op, wanted) in cases {
            let got = render(&op, &none).unwrap();
            assert_eq!(got.first().map(String::as_str), Some(wanted), "{got:?}");
        }
        // A collation changes with the type, which PostgreSQL needs named.
        let bare = alter("note", ColumnChange::new().collate(Some("C")), None);
        let e = render(&bare, &none).unwrap_err().to_string();
        assert!(e.contains("give the type too"), "{e}");
    }

    #[test]
    fn a_do_block_is_quoted_by_a_tag_its_body_does_not_hold() {
        assert_eq!(do_block("BEGIN END"), "DO $$ BEGIN END $$");
        let hostile = "BEGIN PERFORM 'a$$b'; END";
        assert_eq!(do_block(hostile), format!("DO $opdb1$ {hostile} $opdb1$"));
        let worse = "BEGIN PERFORM 'a$$b$opdb1$'; END";
        assert_eq!(do_block(worse), format!("DO $opdb2$ {worse} $opdb2$"));
    }
}
