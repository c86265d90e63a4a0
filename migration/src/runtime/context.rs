//! The script context: a script directory with its compiled revisions and their graph; the ops
//! of a revision in either direction, the line that announces a step, and the schema a set of
//! revisions builds (replayed from their ops, for SQLite's rebuilds and `--sql` scripts).

use super::Direction;
use crate::apply::apply;
use crate::ops::Ops;
use crate::revision::{shown, Graph};
use crate::schema::Schema;
use crate::script::{CompiledRevision, ScriptDir};
use anyhow::{anyhow, Context as _, Result};
use std::collections::BTreeSet;

/// A script directory with its compiled revisions and their graph.
pub struct Context<'a> {
    pub dir: &'a ScriptDir,
    pub compiled: &'a [CompiledRevision],
    pub graph: Graph,
}

impl<'a> Context<'a> {
    pub fn new(dir: &'a ScriptDir, compiled: &'a [CompiledRevision]) -> Result<Self> {
        dir.check_fresh(compiled)?;
        Ok(Context {
            graph: dir.graph(compiled)?,
            dir,
            compiled,
        })
    }

    pub(super) fn compiled(&self, id: &str) -> Result<&CompiledRevision> {
        self.compiled
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| anyhow!("revision {id} is not compiled in"))
    }

    pub(super) fn path(&self, id: &str) -> String {
        self.graph
            .get(id)
            .map(|r| r.path.clone())
            .unwrap_or_else(|| id.to_string())
    }

    pub(crate) fn ops(&self, id: &str, direction: Direction) -> Result<Ops> {
        let rev = self.compiled(id)?;
        let mut ops = Ops::new();
        match direction {
            Direction::Upgrade => (rev.upgrade)(&mut ops),
            Direction::Downgrade => (rev.downgrade)(&mut ops),
        }
        Ok(ops)
    }

    /// One step of a plan: the applied set and version rows after `id`, and the line that
    /// announces it (`Running upgrade a -> b, message`).
    pub(super) fn step(
        &self,
        applied: &BTreeSet<String>,
        versions: &[String],
        id: &str,
        direction: Direction,
    ) -> Result<(BTreeSet<String>, Vec<String>, String)> {
        let mut next = applied.clone();
        match direction {
            Direction::Upgrade => next.insert(id.to_string()),
            Direction::Downgrade => next.remove(id),
        };
        let next_versions = self.graph.version_heads(&next);
        let rev = self
            .graph
            .get(id)
            .ok_or_else(|| anyhow!("unknown revision {id}"))?;
        let line = format!(
            "Running {} {} -> {}, {}",
            direction.word(),
            shown(versions),
            shown(&next_versions),
            rev.message
        );
        Ok((next, next_versions, line))
    }

    /// The schema the revisions in `applied` build, from their own ops. SQLite's table rebuilds
    /// work from it, and so do `--sql` scripts, which have no database to ask. An op on a
    /// table no revision made (a database taken over from another tool, or made by hand) is
    /// passed over: the database is the only witness of that table, and is read for it.
    pub fn replay(&self, applied: &BTreeSet<String>) -> Result<Schema> {
        let mut schema = Schema::default();
        for rev in self.graph.in_order().filter(|r| applied.contains(&r.id)) {
            for op in self.ops(&rev.id, Direction::Upgrade)?.ops() {
                use crate::ops::Op;
                let table = match op {
                    Op::DropTable { table, .. } => Some(table.as_str()),
                    Op::RenameTable { from, .. } => Some(from.as_str()),
                    op => op.changed_table(),
                };
                if table.is_some_and(|t| !schema.tables.contains_key(t)) {
                    continue;
                }
                apply(&mut schema, op)
                    .with_context(|| format!("replaying revision {} ({})", rev.id, rev.path))?;
            }
        }
        Ok(schema)
    }
}
