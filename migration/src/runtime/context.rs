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

    /// The history row of a step of `id` in `direction` that leaves the revisions `after`
    /// applied: the file's checksum when the step applies it, and the schema version then.
    pub(super) fn entry(
        &self,
        id: &str,
        direction: Direction,
        after: &BTreeSet<String>,
    ) -> super::versions::Entry {
        self.entry_as(id, direction.word(), direction == Direction::Upgrade, after)
    }

    /// [`Context::entry`] for a step called `word` (`stamp`, say); `applies` says whether the
    /// revision is applied after it (its checksum recorded).
    pub(super) fn entry_as(
        &self,
        id: &str,
        word: &'static str,
        applies: bool,
        after: &BTreeSet<String>,
    ) -> super::versions::Entry {
        super::versions::Entry {
            revision: id.to_string(),
            direction: word,
            checksum: applies
                .then(|| self.compiled(id).ok().map(|r| r.source_hash))
                .flatten(),
            schema_version: self.schema_version(after),
            phase: None,
        }
    }

    /// The schema version of the model once the revisions `applied` are: the `Schema Version:`
    /// of the last of them (in the graph's order) that declares one.
    pub fn schema_version(&self, applied: &BTreeSet<String>) -> Option<String> {
        self.graph
            .in_order()
            .filter(|r| applied.contains(&r.id))
            .filter_map(|r| r.schema_version.clone())
            .next_back()
    }

    /// The applied revisions (`versions` and their ancestors) whose file has changed since the
    /// step that applied it, by the checksums in `history`, one warning each naming the file:
    /// an applied revision should not be edited (Flyway's validate, sqlx's VersionMismatch).
    pub fn changed_since_applied(
        &self,
        versions: &[String],
        history: &[super::HistoryRow],
    ) -> Vec<String> {
        let applied = self.graph.ancestors(versions);
        let mut changed = Vec::new();
        for rev in self.graph.in_order().filter(|r| applied.contains(&r.id)) {
            let Ok(compiled) = self.compiled(&rev.id) else {
                continue;
            };
            let recorded = history.iter().rev().find(|row| {
                row.revision == rev.id && row.direction != "downgrade" && row.checksum.is_some()
            });
            let Some(row) = recorded else {
                continue;
            };
            let now = super::versions::checksum_text(compiled.source_hash);
            if row.checksum.as_deref() != Some(now.as_str()) {
                changed.push(format!(
                    "revision {} ({}) has changed since it was applied ({} at {}): an applied \
                     revision should not be edited; put it back and make a new revision for the \
                     change",
                    rev.id, rev.path, row.direction, row.finished_at
                ));
            }
        }
        changed
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
