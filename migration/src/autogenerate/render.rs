//! Ops to revision source (alembic's `autogenerate/render.py`).
//!
//! Each op becomes one call on `op`, written with the builders revision files use, and laid out
//! the way rustfmt lays out such calls (its default widths: 100 for a line, 60 for a call's
//! arguments, a chain or an array): on one line when it fits, otherwise one argument, one
//! chained call or one array item per line. `tests/codegen.rs` holds the layout to
//! `rustfmt --check` on a corpus of revisions. Texts reach the source only through
//! [`string_literal`], which escapes whatever could end the literal or the line.
//!
//! Names come filled from the diff; a name equal to the conventional one is left to the
//! builder that gives it (`primary_key` rather than `primary_key_named`). What an op carries
//! of the old state (`existing`) is not written: the revision API does not take it.

use crate::naming;
use crate::ops::Op;
use crate::revision_file::string_literal;
use crate::schema::{
    name_of, Column, ColumnType, Deferral, FkAction, ForeignKey, Function, Identity, Index,
    IndexKey, Sequence, Table, UniqueConstraint, View,
};

/// rustfmt's defaults: the line width, and the width of a call's arguments or of a chain's
/// calls (after its head) beyond which they go one per line.
const MAX_WIDTH: usize = 100;

thread_local! {
    /// Set while laying out a statement with a line too long for any layout (a long comment,
    /// say). rustfmt leaves such a statement exactly as it is written, so there opdb keeps the
    /// layout it has always written (committed revisions are held to it byte for byte) instead
    /// of rustfmt's rules, which only show on statements that fit.
    static KEPT_AS_WRITTEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
const SMALL_WIDTH: usize = 60;

/// A piece of Rust source to lay out.
#[derive(Clone, Debug)]
enum Expr {
    Atom(String),
    /// `name(args)`; `name` may be a path such as `op.create_table` or `Column::new`.
    Call(String, Vec<Expr>),
    /// `head.m1(args).m2(args)`.
    Chain(Box<Expr>, Vec<(String, Vec<Expr>)>),
    /// `[a, b]`, or with a prefix `&[a, b]`.
    Array(&'static str, Vec<Expr>),
}

fn flat(e: &Expr) -> String {
    match e {
        Expr::Atom(s) => s.clone(),
        Expr::Array(prefix, items) => format!("{prefix}[{}]", flat_args(items)),
        Expr::Call(name, args) => format!("{name}({})", flat_args(args)),
        Expr::Chain(head, calls) => {
            let mut s = flat(head);
            for (name, args) in calls {
                s.push_str(&format!(".{name}({})", flat_args(args)));
            }
            s
        }
    }
}

fn flat_args(args: &[Expr]) -> String {
    args.iter().map(flat).collect::<Vec<_>>().join(", ")
}

/// How many columns `text` takes on screen, as rustfmt counts them (`角` takes two).
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `width(&flat(e))`, without writing the text: the layout asks it of every expression at
/// every depth, and writing out a 1,000-table revision's tables once per depth took most of
/// autogenerate's time. The parts join at ASCII punctuation, so their widths add up.
fn flat_width(e: &Expr) -> usize {
    match e {
        Expr::Atom(s) => width(s),
        Expr::Array(prefix, items) => width(prefix) + 2 + flat_args_width(items),
        Expr::Call(name, args) => width(name) + 2 + flat_args_width(args),
        Expr::Chain(head, calls) => flat_width(head) + calls_width(calls),
    }
}

/// `width(&flat_args(args))`.
fn flat_args_width(args: &[Expr]) -> usize {
    args.iter().map(flat_width).sum::<usize>() + 2 * args.len().saturating_sub(1)
}

/// The width of a chain's calls after its head (`.name(args)` each).
fn calls_width(calls: &[(String, Vec<Expr>)]) -> usize {
    calls
        .iter()
        .map(|(name, args)| 1 + width(name) + 2 + flat_args_width(args))
        .sum()
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

/// `e` laid out starting at column `indent`, followed by `tail` characters on its last line,
/// by rustfmt's rules for calls and chains:
/// - a call stays on one line when it fits and its arguments take at most 60 characters (a
///   lone chain argument is exempt); otherwise a lone call argument overflows (`f(g(` with
///   `g`'s arguments one per line), and anything else goes one argument per line;
/// - a chain stays on one line when it fits and, with two calls or more, takes at most 60
///   characters; a single call breaks inside its arguments when they can break; otherwise
///   each call goes on a line of its own.
fn layout(e: &Expr, indent: usize, tail: usize) -> String {
    let one = flat_width(e);
    let fits = indent + one + tail <= MAX_WIDTH;
    match e {
        Expr::Atom(s) => s.clone(),
        Expr::Array(prefix, items) => {
            if fits && flat_args_width(items) <= SMALL_WIDTH {
                flat(e)
            } else {
                array_broken(prefix, items, indent)
            }
        }
        Expr::Call(name, args) => {
            if fits && args_stay_flat(args) {
                return flat(e);
            }
            match args.as_slice() {
                [Expr::Call(inner, inner_args)] => {
                    call_vertical(&format!("{name}({inner}"), inner_args, indent) + ")"
                }
                [Expr::Array(prefix, items)] => {
                    format!("{name}({}", array_broken(prefix, items, indent)) + ")"
                }
                // A chain that breaks inside its last call's arguments starts on this line
                // (`name(head.call(` ... `))`) when the calls before the last stay on the
                // first line, that line takes at most 60 characters, and it does not take two
                // lines where the chain on a line of its own takes one (rustfmt's
                // `try_overflow_last_item`).
                [Expr::Chain(head, calls)] if overflows(&calls[calls.len() - 1..], indent + 4, 1) => {
                    let vertical = call_vertical(name, args, indent);
                    let [before @ .., (last, last_args)] = calls.as_slice() else {
                        return vertical;
                    };
                    let prefix = flat(&Expr::Chain(head.clone(), before.to_vec()));
                    let call = Expr::Call(format!("{prefix}.{last}"), last_args.clone());
                    let chain_text = layout(&call, indent, 1);
                    let overflowed = format!("{name}({chain_text})");
                    let vertical_fits = vertical.lines().all(|l| width(l) <= MAX_WIDTH);
                    if KEPT_AS_WRITTEN.get() {
                        // What opdb has always written here, which rustfmt keeps.
                        return match before.is_empty() && !vertical_fits {
                            true => overflowed,
                            false => vertical,
                        };
                    }
                    let first = chain_text.lines().next().unwrap_or_default();
                    let flat_before = matches!(head.as_ref(), Expr::Call(_, a) if args_stay_flat(a))
                        && before.iter().all(|(_, a)| args_stay_flat(a));
                    // While overflowing, rustfmt keeps every chain inside on one line but for
                    // its last call's arguments (`force_one_line_chain`).
                    let chains_flat = !chain_text.lines().any(|l| l.trim_start().starts_with('.'));
                    let first_fits = flat_before
                        && chains_flat
                        && width(first) <= SMALL_WIDTH
                        && indent + width(name) + 1 + width(first) < MAX_WIDTH;
                    let vertical_flat = vertical_fits && vertical.lines().count() == 3;
                    if first_fits && !(overflowed.lines().count() == 2 && vertical_flat) {
                        overflowed
                    } else {
                        vertical
                    }
                }
                _ => call_vertical(name, args, indent),
            }
        }
        Expr::Chain(head, calls) => {
            // On one line, every call of the chain obeys its own width rule as well.
            let calls_flat = calls.iter().all(|(_, args)| args_stay_flat(args))
                && match head.as_ref() {
                    Expr::Call(_, args) => args_stay_flat(args),
                    _ => true,
                };
            if fits && calls_flat && (calls.len() == 1 || one <= SMALL_WIDTH) {
                return flat(e);
            }
            // The head is laid out in the whole chain's room, what follows it kept free.
            let head_text = layout(head, indent, tail);
            let head_flat = !head_text.contains('\n');
            if head_flat && overflows(calls, indent + 4, tail) {
                let (name, args) = &calls[0];
                let call = Expr::Call(format!("{}.{name}", flat(head)), args.clone());
                return layout(&call, indent, tail);
            }
            // The calls go one indent in, or, after a head that itself broke over lines
            // (`Column::new(` .. `)`), at the indent of the head's closing line.
            let mut s = head_text;
            let inner = if head_flat { indent + 4 } else { indent };
            for (n, (name, args)) in calls.iter().enumerate() {
                let call = Expr::Call(format!(".{name}"), args.clone());
                let tail = if n + 1 == calls.len() { tail } else { 0 };
                s.push('\n');
                s.push_str(&pad(inner));
                s.push_str(&layout(&call, inner, tail));
            }
            // With two calls or more, when all but the last fit in 60 characters, the last
            // may stay on their line and break inside its arguments, if that takes fewer
            // lines.
            if let (true, [before @ .., (name, args)]) = (head_flat && calls.len() >= 2, &calls[..])
            {
                // A last call with one plain argument overflows too when on a line of its
                // own it would not fit either (then both take three lines, and rustfmt keeps
                // the chain on its first line).
                let own_line = indent + 4 + 1 + width(name) + 2 + flat_args_width(args) + tail;
                let breakable = args.last().is_some_and(|a| !matches!(a, Expr::Atom(_)))
                    || (!KEPT_AS_WRITTEN.get() && args.len() == 1 && own_line > MAX_WIDTH);
                if breakable && flat_width(head) + calls_width(before) <= SMALL_WIDTH {
                    let prefix = flat(&Expr::Chain(head.clone(), before.to_vec()));
                    let call = Expr::Call(format!("{prefix}.{name}"), args.clone());
                    let overflowed = layout(&call, indent, tail);
                    let first_fits = overflowed
                        .lines()
                        .next()
                        .is_some_and(|l| width(l) <= SMALL_WIDTH);
                    let broke = overflowed.contains('\n');
                    if broke && first_fits && overflowed.lines().count() < s.lines().count() {
                        return overflowed;
                    }
                }
            }
            s
        }
    }
}

/// Whether a call's arguments may stay on its line: at most 60 characters, or one argument that
/// stays on one line by its own rules (an atom, a chain of one call or of at most 60
/// characters, an array of at most 60).
fn args_stay_flat(args: &[Expr]) -> bool {
    let lone = match args {
        [Expr::Atom(_)] => true,
        [chain @ Expr::Chain(_, calls)] => calls.len() == 1 || flat_width(chain) <= SMALL_WIDTH,
        [Expr::Array(_, items)] => flat_args_width(items) <= SMALL_WIDTH,
        _ => false,
    };
    lone || flat_args_width(args) <= SMALL_WIDTH
}

/// Whether a chain that does not fit on one line breaks inside the arguments of its one call
/// (`head.call(` then the arguments) rather than putting the call on a line of its own: when
/// the call would not fit on a line of its own either, or its arguments may not stay on one
/// line by their own width rule.
fn overflows(calls: &[(String, Vec<Expr>)], inner: usize, tail: usize) -> bool {
    let [(name, args)] = calls else {
        return false;
    };
    let own_line = inner + 1 + width(name) + 2 + flat_args_width(args) + tail;
    // On a line of its own the call obeys its own width rule.
    own_line > MAX_WIDTH || !args_stay_flat(args)
}

/// An array over several lines: short items (at most 10 characters, as rustfmt counts them)
/// packed into lines, longer ones one per line.
fn array_broken(prefix: &str, items: &[Expr], indent: usize) -> String {
    let inner = indent + 4;
    let texts: Vec<String> = items.iter().map(flat).collect();
    let mut s = format!("{prefix}[\n");
    if texts.iter().all(|t| width(t) <= 10) {
        let mut line = String::new();
        for t in &texts {
            if !line.is_empty() && inner + width(&line) + 1 + width(t) + 1 > MAX_WIDTH {
                s.push_str(&format!("{}{}\n", pad(inner), line.trim_end()));
                line.clear();
            }
            line.push_str(&format!("{t}, "));
        }
        s.push_str(&format!("{}{}\n", pad(inner), line.trim_end()));
    } else {
        for (t, item) in texts.iter().zip(items) {
            let text = if inner + width(t) < MAX_WIDTH {
                t.clone()
            } else {
                layout(item, inner, 1)
            };
            s.push_str(&format!("{}{text},\n", pad(inner)));
        }
    }
    s.push_str(&pad(indent));
    s.push(']');
    s
}

/// `name(` then each argument on a line of its own, then `)`.
fn call_vertical(name: &str, args: &[Expr], indent: usize) -> String {
    if args.is_empty() {
        return format!("{name}()");
    }
    let inner = indent + 4;
    let mut s = format!("{name}(\n");
    for arg in args {
        s.push_str(&pad(inner));
        s.push_str(&layout(arg, inner, 1));
        s.push_str(",\n");
    }
    s.push_str(&pad(indent));
    s.push(')');
    s
}

fn atom(s: impl Into<String>) -> Expr {
    Expr::Atom(s.into())
}

/// Every text in the generated code (names, comments, defaults, expressions) is written by
/// [`string_literal`], which escapes whatever could end the literal or the line.
fn lit(s: &str) -> Expr {
    atom(string_literal(s))
}

fn names(columns: &[String]) -> Expr {
    Expr::Array("", columns.iter().map(|c| lit(c)).collect())
}

fn labels(labels: &[String]) -> Expr {
    Expr::Array("&", labels.iter().map(|c| lit(c)).collect())
}

fn optional(s: &Option<String>) -> Expr {
    match s {
        Some(s) => Expr::Call("Some".into(), vec![lit(s)]),
        None => atom("None"),
    }
}

/// A column type as the expression that builds it.
pub fn column_type(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Array(inner) => format!("ColumnType::array({})", column_type(inner)),
        ColumnType::Enum(name) => format!("ColumnType::enum_type({})", string_literal(name)),
        ColumnType::Other(name) => format!("ColumnType::other({})", string_literal(name)),
        other => format!("ColumnType::{other:?}"),
    }
}

/// A column type as the expression that builds it, for layout: calls where rustfmt sees calls.
fn type_expr(ty: &ColumnType) -> Expr {
    let call = |name: &str, args: Vec<Expr>| Expr::Call(format!("ColumnType::{name}"), args);
    match ty {
        ColumnType::Array(inner) => call("array", vec![type_expr(inner)]),
        ColumnType::Enum(name) => call("enum_type", vec![lit(name)]),
        ColumnType::Other(name) => call("other", vec![lit(name)]),
        ColumnType::Varchar(n) | ColumnType::Char(n) => {
            let name = if matches!(ty, ColumnType::Varchar(_)) {
                "Varchar"
            } else {
                "Char"
            };
            let arg = match n {
                Some(n) => Expr::Call("Some".into(), vec![atom(n.to_string())]),
                None => atom("None"),
            };
            call(name, vec![arg])
        }
        ColumnType::Numeric(Some((p, s))) => call(
            "Numeric",
            vec![Expr::Call("Some".into(), vec![atom(format!("({p}, {s})"))])],
        ),
        other => atom(column_type(other)),
    }
}

fn fk_action(action: FkAction) -> Expr {
    atom(format!("FkAction::{action:?}"))
}

fn column(c: &Column) -> Expr {
    let mut calls = Vec::new();
    if c.auto_increment {
        calls.push(("auto_increment".to_string(), vec![]));
    } else if let Some(identity) = &c.identity {
        let kind = match identity.always {
            true => "identity_always",
            false => "identity_by_default",
        };
        calls.push((kind.to_string(), vec![]));
        calls.extend(identity_options(identity, "identity_"));
    } else if !c.nullable {
        calls.push(("not_null".to_string(), vec![]));
    }
    if let Some(collation) = &c.collation {
        calls.push(("collate".to_string(), vec![lit(collation)]));
    }
    if let Some(d) = &c.default {
        calls.push(("server_default".to_string(), vec![lit(d)]));
    }
    if let Some(generated) = &c.generated {
        let kind = match generated.stored {
            true => "generated_stored",
            false => "generated_virtual",
        };
        calls.push((kind.to_string(), vec![lit(&generated.expression)]));
    }
    if let Some(comment) = &c.comment {
        calls.push(("comment".to_string(), vec![lit(comment)]));
    }
    chain(
        Expr::Call("Column::new".into(), vec![lit(&c.name), type_expr(&c.ty)]),
        calls,
    )
}

/// `Identity::always().start(10)`.
fn identity_expr(i: &Identity) -> Expr {
    let head = match i.always {
        true => "Identity::always",
        false => "Identity::by_default",
    };
    chain(Expr::Call(head.into(), vec![]), identity_options(i, ""))
}

/// An identity's options as builder calls, named `<prefix>start` and so on: `identity_start` on
/// a `Column`, `start` on an `Identity`.
fn identity_options(i: &Identity, prefix: &str) -> Vec<(String, Vec<Expr>)> {
    let mut calls = Vec::new();
    for (name, value) in [
        ("start", i.start),
        ("increment", i.increment),
        ("min", i.min_value),
        ("max", i.max_value),
    ] {
        if let Some(n) = value {
            calls.push((format!("{prefix}{name}"), vec![atom(n.to_string())]));
        }
    }
    if i.cycle {
        calls.push((format!("{prefix}cycle"), vec![]));
    }
    calls
}

fn chain(head: Expr, calls: Vec<(String, Vec<Expr>)>) -> Expr {
    if calls.is_empty() {
        head
    } else {
        Expr::Chain(Box::new(head), calls)
    }
}

fn index(i: &Index) -> Expr {
    let mut calls = Vec::new();
    let head = match i.plain_columns().filter(|_| i.options.is_empty()) {
        Some(columns) => Expr::Call("Index::new".into(), vec![lit(&i.name), names(&columns)]),
        None => {
            // Each key, then how it is ordered and compared.
            for (n, key) in i.keys.iter().enumerate() {
                match key {
                    IndexKey::Column(c) => calls.push(("column".to_string(), vec![lit(c)])),
                    IndexKey::Expression(e) => calls.push(("expression".to_string(), vec![lit(e)])),
                }
                let o = i.options_of(n);
                if let Some(c) = &o.collation {
                    calls.push(("collate".into(), vec![lit(c)]));
                }
                if let Some(c) = &o.opclass {
                    calls.push(("opclass".into(), vec![lit(c)]));
                }
                if o.descending {
                    calls.push(("desc".into(), vec![]));
                }
                match o.nulls_first {
                    Some(true) => calls.push(("nulls_first".into(), vec![])),
                    Some(false) => calls.push(("nulls_last".into(), vec![])),
                    None => {}
                }
            }
            Expr::Call(
                "Index::new".into(),
                vec![lit(&i.name), Expr::Array("", vec![])],
            )
        }
    };
    if !i.include.is_empty() {
        calls.push(("include".into(), vec![names(&i.include)]));
    }
    if i.unique {
        calls.push(("unique".into(), vec![]));
    }
    if i.nulls_not_distinct {
        calls.push(("nulls_not_distinct".into(), vec![]));
    }
    if let Some(p) = &i.predicate {
        calls.push(("filter".into(), vec![lit(p)]));
    }
    if let Some(m) = &i.method {
        calls.push(("using".into(), vec![lit(m)]));
    }
    chain(head, calls)
}

/// `UniqueConstraint::new([...])` with its options, for a constraint plain calls cannot say.
fn unique_key(table: &str, u: &UniqueConstraint) -> Expr {
    let mut calls = Vec::new();
    if let Some(name) = u.name.as_ref() {
        if *name != naming::unique(table, &u.columns) {
            calls.push(("name".to_string(), vec![lit(name)]));
        }
    }
    if u.nulls_not_distinct {
        calls.push(("nulls_not_distinct".into(), vec![]));
    }
    chain(
        Expr::Call("UniqueConstraint::new".into(), vec![names(&u.columns)]),
        calls,
    )
}

fn foreign_key(table: &str, fk: &ForeignKey) -> Expr {
    let mut calls = Vec::new();
    if let Some(name) = fk.name.as_ref() {
        if *name != naming::foreign_key(table, &fk.columns) {
            calls.push(("name".to_string(), vec![lit(name)]));
        }
    }
    if fk.on_delete != FkAction::NoAction {
        calls.push(("on_delete".into(), vec![fk_action(fk.on_delete)]));
    }
    if fk.on_update != FkAction::NoAction {
        calls.push(("on_update".into(), vec![fk_action(fk.on_update)]));
    }
    match fk.deferral {
        Deferral::NotDeferrable => {}
        Deferral::Deferrable => calls.push(("deferrable".into(), vec![])),
        Deferral::InitiallyDeferred => calls.push(("initially_deferred".into(), vec![])),
    }
    if fk.match_full {
        calls.push(("match_full".into(), vec![]));
    }
    if let Some(schema) = &fk.ref_schema {
        calls.insert(0, ("ref_schema".into(), vec![lit(schema)]));
    }
    chain(
        Expr::Call(
            "ForeignKey::new".into(),
            vec![
                names(&fk.columns),
                lit(&fk.ref_table),
                names(&fk.ref_columns),
            ],
        ),
        calls,
    )
}

fn table(t: &Table) -> Expr {
    let mut calls = Vec::new();
    if let Some(c) = &t.comment {
        calls.push(("comment".to_string(), vec![lit(c)]));
    }
    for c in &t.columns {
        calls.push(("col".into(), vec![column(c)]));
    }
    if let Some(pk) = &t.primary_key {
        match &pk.name {
            Some(name) if *name != naming::primary_key(&t.name) => calls.push((
                "primary_key_named".into(),
                vec![lit(name), names(&pk.columns)],
            )),
            _ => calls.push(("primary_key".into(), vec![names(&pk.columns)])),
        }
    }
    for u in &t.uniques {
        match &u.name {
            _ if u.nulls_not_distinct => {
                calls.push(("unique_key".into(), vec![unique_key(&t.name, u)]))
            }
            Some(name) if *name != naming::unique(&t.name, &u.columns) => {
                calls.push(("unique_named".into(), vec![lit(name), names(&u.columns)]))
            }
            _ => calls.push(("unique".into(), vec![names(&u.columns)])),
        }
    }
    for fk in &t.foreign_keys {
        calls.push(("foreign_key".into(), vec![foreign_key(&t.name, fk)]));
    }
    for c in &t.checks {
        calls.push((
            "check".into(),
            vec![lit(name_of(&c.name)), lit(&c.expression)],
        ));
    }
    for i in &t.indexes {
        calls.push(("index".into(), vec![index(i)]));
    }
    chain(Expr::Call("Table::new".into(), vec![lit(&t.name)]), calls)
}

fn sequence(s: &Sequence) -> Expr {
    let default = Sequence::new(&s.name);
    let mut calls = Vec::new();
    let mut set = |name: &str, value: i64, default: i64| {
        if value != default {
            calls.push((name.to_string(), vec![atom(value.to_string())]));
        }
    };
    set("start", s.start, default.start);
    set("increment", s.increment, default.increment);
    set("min_value", s.min_value, default.min_value);
    set("max_value", s.max_value, default.max_value);
    if s.cycle {
        calls.push(("cycle".into(), vec![]));
    }
    chain(
        Expr::Call("Sequence::new".into(), vec![lit(&s.name)]),
        calls,
    )
}

/// The call that records `o`, as an expression.
fn statement(o: &Op) -> Expr {
    let call = |name: &str, args: Vec<Expr>| Expr::Call(format!("op.{name}"), args);
    match o {
        Op::CreateTable(t) => call("create_table", vec![table(t)]),
        Op::DropTable { table, .. } => call("drop_table", vec![lit(table)]),
        Op::RenameTable { from, to } => call("rename_table", vec![lit(from), lit(to)]),
        Op::AddColumn { table, column: c } => call("add_column", vec![lit(table), column(c)]),
        Op::DropColumn { table, column, .. } => call("drop_column", vec![lit(table), lit(column)]),
        Op::AlterColumn {
            table,
            column,
            change,
            ..
        } => {
            if let Some(to) = change.only_rename() {
                return call("rename_column", vec![lit(table), lit(column), lit(to)]);
            }
            if let Some(comment) = change.only_comment() {
                return call(
                    "set_column_comment",
                    vec![lit(table), lit(column), optional(comment)],
                );
            }
            let mut calls = Vec::new();
            if let Some(ty) = change.ty.as_set() {
                calls.push(("ty".to_string(), vec![type_expr(ty)]));
            }
            if let Some(using) = &change.using {
                calls.push(("using".into(), vec![lit(using)]));
            }
            if let Some(collation) = change.collation.as_set() {
                calls.push(("collate".into(), vec![optional(collation)]));
            }
            if change.cast {
                calls.push(("cast".into(), vec![]));
            }
            if change.drop_expression {
                calls.push(("drop_expression".into(), vec![]));
            }
            if let Some(serial) = change.auto_increment.as_set() {
                calls.push(("auto_increment".into(), vec![atom(serial.to_string())]));
            }
            if let Some(identity) = change.identity.as_set() {
                let arg = match identity {
                    Some(i) => Expr::Call("Some".into(), vec![identity_expr(i)]),
                    None => atom("None"),
                };
                calls.push(("identity".into(), vec![arg]));
            }
            if let Some(nullable) = change.nullable.as_set() {
                calls.push(("nullable".into(), vec![atom(nullable.to_string())]));
            }
            if let Some(default) = change.default.as_set() {
                calls.push(("server_default".into(), vec![optional(default)]));
            }
            if let Some(comment) = change.comment.as_set() {
                calls.push(("comment".into(), vec![optional(comment)]));
            }
            if let Some(to) = change.rename.as_set() {
                calls.push(("rename".into(), vec![lit(to)]));
            }
            call(
                "alter_column",
                vec![
                    lit(table),
                    lit(column),
                    chain(Expr::Call("ColumnChange::new".into(), vec![]), calls),
                ],
            )
        }
        Op::CreatePrimaryKey { table, key } => match &key.name {
            Some(name) if *name != naming::primary_key(table) => call(
                "create_primary_key_named",
                vec![lit(table), lit(name), names(&key.columns)],
            ),
            _ => call("create_primary_key", vec![lit(table), names(&key.columns)]),
        },
        Op::DropPrimaryKey { table, name, .. } => {
            if *name == naming::primary_key(table) {
                call("drop_primary_key", vec![lit(table)])
            } else {
                call("drop_primary_key_named", vec![lit(table), lit(name)])
            }
        }
        Op::CreateUnique { table, unique } => match &unique.name {
            _ if unique.nulls_not_distinct => call(
                "create_unique_key",
                vec![lit(table), unique_key(table, unique)],
            ),
            Some(name) if *name != naming::unique(table, &unique.columns) => call(
                "create_unique_named",
                vec![lit(table), lit(name), names(&unique.columns)],
            ),
            _ => call("create_unique", vec![lit(table), names(&unique.columns)]),
        },
        Op::CreateForeignKey { table, key } => call(
            "create_foreign_key",
            vec![lit(table), foreign_key(table, key)],
        ),
        Op::CreateCheck { table, check } => call(
            "create_check",
            vec![
                lit(table),
                lit(name_of(&check.name)),
                lit(&check.expression),
            ],
        ),
        Op::DropConstraint { table, name, .. } => {
            call("drop_constraint", vec![lit(table), lit(name)])
        }
        Op::CreateIndex { table, index: i } => call("create_index", vec![lit(table), index(i)]),
        Op::DropIndex { table, name, .. } => call("drop_index", vec![lit(table), lit(name)]),
        Op::RenameConstraint { table, from, to } => {
            call("rename_constraint", vec![lit(table), lit(from), lit(to)])
        }
        Op::RenameIndex { table, from, to } => {
            call("rename_index", vec![lit(table), lit(from), lit(to)])
        }
        Op::SetTableComment { table, comment } => {
            call("set_table_comment", vec![lit(table), optional(comment)])
        }
        Op::CreateEnum { name, labels: l } => call("create_enum", vec![lit(name), labels(l)]),
        Op::DropEnum { name } => call("drop_enum", vec![lit(name)]),
        Op::AlterEnum { name, labels: l } => call("alter_enum", vec![lit(name), labels(l)]),
        Op::CreateSequence(s) => call("create_sequence", vec![sequence(s)]),
        Op::DropSequence { name } => call("drop_sequence", vec![lit(name)]),
        Op::AlterSequence(s) => call("alter_sequence", vec![sequence(s)]),
        Op::CreateView(v) => call("create_view", vec![view(v)]),
        Op::ReplaceView { view: v, .. } => call("replace_view", vec![view(v)]),
        Op::DropView {
            name, materialized, ..
        } => match materialized {
            true => call("drop_materialized_view", vec![lit(name)]),
            false => call("drop_view", vec![lit(name)]),
        },
        Op::CreateFunction(f) => call("create_function", vec![function(f)]),
        Op::ReplaceFunction { function: f, .. } => call("replace_function", vec![function(f)]),
        Op::DropFunction {
            name, arguments, ..
        } => call("drop_function", vec![lit(name), lit(arguments)]),
        Op::SetComment { on, comment } => match on {
            crate::schema::Commented::View { name, materialized } => call(
                if *materialized {
                    "set_materialized_view_comment"
                } else {
                    "set_view_comment"
                },
                vec![lit(name), optional(comment)],
            ),
            crate::schema::Commented::Function { name, arguments } => call(
                "set_function_comment",
                vec![lit(name), lit(arguments), optional(comment)],
            ),
        },
        Op::CreateTrigger(t) => call(
            "create_trigger",
            vec![Expr::Call("Trigger::new".into(), vec![lit(&t.definition)])],
        ),
        Op::DropTrigger { table, name, .. } => call("drop_trigger", vec![lit(table), lit(name)]),
        Op::Execute { sql } => call("execute", vec![lit(sql)]),
        Op::CreateIndexConcurrently { table, index: i } => {
            call("create_index_concurrently", vec![lit(table), index(i)])
        }
        Op::DropIndexConcurrently { table, name, .. } => {
            call("drop_index_concurrently", vec![lit(table), lit(name)])
        }
        Op::CreateForeignKeyNotValid { table, key } => call(
            "create_foreign_key_not_valid",
            vec![lit(table), foreign_key(table, key)],
        ),
        Op::CreateCheckNotValid { table, check } => call(
            "create_check_not_valid",
            vec![
                lit(table),
                lit(name_of(&check.name)),
                lit(&check.expression),
            ],
        ),
        Op::ValidateConstraint { table, name } => {
            call("validate_constraint", vec![lit(table), lit(name)])
        }
        Op::CreateUniqueUsingIndex { table, name, index } => call(
            "create_unique_using_index",
            vec![lit(table), lit(name), lit(index)],
        ),
    }
}

/// `View::new(..)` or `View::materialized(..)` with its indexes.
fn view(v: &View) -> Expr {
    let head = Expr::Call(
        if v.materialized {
            "View::materialized"
        } else {
            "View::new"
        }
        .into(),
        vec![lit(&v.name), lit(&v.definition)],
    );
    let mut calls: Vec<(String, Vec<Expr>)> = Vec::new();
    if let Some(c) = &v.comment {
        calls.push(("comment".into(), vec![lit(c)]));
    }
    calls.extend(v.indexes.iter().map(|i| ("index".to_string(), vec![index(i)])));
    if v.materialized && !v.with_data {
        calls.push(("with_no_data".into(), vec![]));
    }
    chain(head, calls)
}

fn function(f: &Function) -> Expr {
    let head = Expr::Call(
        "Function::new".into(),
        vec![lit(&f.name), lit(&f.arguments), lit(&f.definition)],
    );
    let calls = match &f.comment {
        Some(c) => vec![("comment".to_string(), vec![lit(c)])],
        None => Vec::new(),
    };
    chain(head, calls)
}

/// The body lines of a function that records `ops`, without the function's own indentation.
pub fn lines(ops: &[Op]) -> Vec<String> {
    body_lines(ops.iter().map(statement))
}

/// What is declared beside the entities, on the `EntitySet` (`model.rs`, which
/// `generate-entities` writes).
pub enum Declaration<'a> {
    Function(&'a Function),
    View(&'a View),
    /// A trigger, by its whole `CREATE TRIGGER` statement.
    Trigger(&'a str),
    /// A unique key of a table (table, key) whose null keys collide.
    NullsNotDistinct(&'a str, &'a str),
}

/// The body lines of a function that makes `declarations` on `set`, laid out as [`lines`] lays
/// out ops.
pub fn declarations(declarations: &[Declaration]) -> Vec<String> {
    let call = |name: &str, args: Vec<Expr>| Expr::Call(format!("set.{name}"), args);
    body_lines(declarations.iter().map(|d| match d {
        Declaration::Function(f) => call("function", vec![function(f)]),
        Declaration::View(v) => call("view", vec![view(v)]),
        Declaration::Trigger(sql) => call("trigger", vec![lit(sql)]),
        Declaration::NullsNotDistinct(table, key) => {
            call("nulls_not_distinct", vec![lit(table), lit(key)])
        }
    }))
}

/// Each statement laid out at a function body's indentation and ended with `;`, its lines
/// without that indentation.
fn body_lines(statements: impl Iterator<Item = Expr>) -> Vec<String> {
    const BODY: usize = 4;
    let mut out = Vec::new();
    for statement in statements {
        let mut text = layout(&statement, BODY, 1) + ";";
        if text.lines().any(|l| width(l) > MAX_WIDTH) {
            KEPT_AS_WRITTEN.set(true);
            text = layout(&statement, BODY, 1) + ";";
            KEPT_AS_WRITTEN.set(false);
        }
        for (n, line) in text.lines().enumerate() {
            let line = if n == 0 {
                line
            } else {
                line.get(BODY..).unwrap_or(line)
            };
            out.push(line.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Existing;
    use crate::schema::PrimaryKey;

    #[test]
    fn statements_fit_or_break_like_rustfmt() {
        let t = Table {
            name: "agc_data".into(),
            comment: Some("AGC data".into()),
            columns: vec![
                Column::new("agc_exposure_id", ColumnType::Integer).not_null(),
                Column::new("note", ColumnType::Varchar(Some(8))).comment("A note"),
            ],
            primary_key: Some(PrimaryKey {
                name: Some("agc_data_pkey".into()),
                columns: vec!["agc_exposure_id".into()],
            }),
            ..Table::default()
        };
        let text = lines(&[
            Op::CreateTable(t),
            Op::DropTable {
                table: "x".into(),
                existing: Existing::unknown(),
            },
        ])
        .join("\n");
        assert_eq!(
            text,
            r#"op.create_table(
    Table::new("agc_data")
        .comment("AGC data")
        .col(Column::new("agc_exposure_id", ColumnType::Integer).not_null())
        .col(Column::new("note", ColumnType::Varchar(Some(8))).comment("A note"))
        .primary_key(["agc_exposure_id"]),
);
op.drop_table("x");"#
        );
    }
}
