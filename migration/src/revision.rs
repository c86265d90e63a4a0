//! The revision graph (alembic's `script/revision.py`): a DAG of revisions with merges, branch
//! labels, `depends_on`, several bases and heads; target resolution; upgrade and downgrade
//! plans. Pure: it knows files only by name, for messages.

use crate::error::{MigrateError, Named};
use anyhow::{bail, Result};
use std::collections::{BTreeMap, BTreeSet};

/// One revision's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    pub down: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub message: String,
    pub create_date: String,
    /// The model's schema version once it is applied (`Schema Version:` in its header).
    pub schema_version: Option<String>,
    /// The file it came from, for messages.
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct Graph {
    revs: BTreeMap<String, Revision>,
    /// Revision to the revisions whose down revisions include it.
    children: BTreeMap<String, BTreeSet<String>>,
    /// Every revision, parents (and dependencies) before children, ties broken by id.
    order: Vec<String>,
}

impl Graph {
    /// Builds and checks the graph: duplicate ids or labels, unknown down revisions or
    /// dependencies, and cycles are errors that name the files.
    pub fn new(revisions: Vec<Revision>) -> Result<Graph> {
        let mut revs: BTreeMap<String, Revision> = BTreeMap::new();
        for rev in revisions {
            check_id(&rev)?;
            if let Some(version) = &rev.schema_version {
                crate::schema_version::SchemaVersion::parse(version)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", rev.path))?;
            }
            if let Some(other) = revs.get(&rev.id) {
                bail!(
                    "duplicate revision id {} in {} and {}",
                    rev.id,
                    other.path,
                    rev.path
                );
            }
            revs.insert(rev.id.clone(), rev);
        }
        let mut labels: BTreeMap<&str, &Revision> = BTreeMap::new();
        for rev in revs.values() {
            for label in &rev.branch_labels {
                if let Some(other) = labels.insert(label, rev) {
                    bail!(
                        "branch label {label} is used by both {} and {}",
                        other.path,
                        rev.path
                    );
                }
                if revs.contains_key(label) {
                    bail!("branch label {label} in {} is also a revision id", rev.path);
                }
            }
            for (what, ids) in [
                ("down revision", &rev.down),
                ("depends_on", &rev.depends_on),
            ] {
                for id in ids {
                    if !revs.contains_key(id) {
                        bail!("{}: {what} {id} is not a known revision", rev.path);
                    }
                }
            }
        }
        let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for rev in revs.values() {
            for down in &rev.down {
                children
                    .entry(down.clone())
                    .or_default()
                    .insert(rev.id.clone());
            }
        }
        let order = topological(&revs)?;
        Ok(Graph {
            revs,
            children,
            order,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.revs.get(id)
    }

    pub fn is_empty(&self) -> bool {
        self.revs.is_empty()
    }

    /// Every revision, parents first.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &Revision> {
        self.order.iter().map(|id| &self.revs[id])
    }

    /// Revisions no other revision builds on.
    /// Whether `versions` (a database's version rows) are exactly the heads.
    pub fn at_head(&self, versions: &[String]) -> bool {
        crate::schema::sorted(versions) == crate::schema::sorted(&self.heads())
    }

    pub fn heads(&self) -> Vec<String> {
        self.revs
            .keys()
            .filter(|id| !self.children.contains_key(*id))
            .cloned()
            .collect()
    }

    #[cfg(test)]
    pub fn bases(&self) -> Vec<String> {
        self.revs
            .values()
            .filter(|r| r.down.is_empty())
            .map(|r| r.id.clone())
            .collect()
    }

    /// Revisions with more than one child: where the history branches.
    pub fn branch_points(&self) -> Vec<(String, Vec<String>)> {
        self.children
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(id, c)| (id.clone(), c.iter().cloned().collect()))
            .collect()
    }

    pub fn children(&self, id: &str) -> Vec<String> {
        self.children
            .get(id)
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// One revision by full id, unique prefix or branch label.
    pub fn resolve_one(&self, text: &str) -> Result<String> {
        if self.revs.contains_key(text) {
            return Ok(text.to_string());
        }
        if let Some(rev) = self
            .revs
            .values()
            .find(|r| r.branch_labels.iter().any(|l| l == text))
        {
            return Ok(rev.id.clone());
        }
        let matches: Vec<&String> = self.revs.keys().filter(|id| id.starts_with(text)).collect();
        match matches.as_slice() {
            [one] if !text.is_empty() => Ok((*one).clone()),
            [] | [_] => Err(MigrateError::UnknownRevision {
                text: text.to_string(),
            }
            .into()),
            many => Err(MigrateError::AmbiguousRevision {
                prefix: text.to_string(),
                matches: many.iter().map(|id| self.named(id)).collect(),
            }
            .into()),
        }
    }

    /// A revision as errors name it.
    fn named(&self, id: &str) -> Named {
        Named {
            id: id.to_string(),
            path: self.revs[id].path.clone(),
        }
    }

    /// The one head; an error naming them when there are several.
    pub fn single_head(&self) -> Result<Vec<String>> {
        let heads = self.heads();
        if heads.len() > 1 {
            return Err(MigrateError::MultipleHeads {
                heads: heads.iter().map(|h| self.named(h)).collect(),
            }
            .into());
        }
        Ok(heads)
    }

    /// Resolves a target to the version set it means: `head`, `heads`, `base`, an id or
    /// unique prefix, a branch label, `label@head`, `+N`/`-N` (from `current`), `REV+N`, `REV-N`.
    pub fn resolve(&self, text: &str, current: &[String]) -> Result<Vec<String>> {
        if let Some((start, sign, n)) = split_relative(text) {
            let from = match start {
                "" => current.to_vec(),
                start => self.resolve(start, current)?,
            };
            return self.relative(&from, sign, n, text);
        }
        match text {
            "base" => Ok(Vec::new()),
            "heads" => Ok(self.heads()),
            "head" => self.single_head(),
            _ => {
                if let Some(label) = text.strip_suffix("@head") {
                    let root = self.resolve_one(label)?;
                    let heads: Vec<String> = self
                        .heads()
                        .into_iter()
                        .filter(|h| self.ancestors(std::slice::from_ref(h)).contains(&root))
                        .collect();
                    if heads.len() != 1 {
                        bail!(
                            "branch {label} has {} heads: {}",
                            heads.len(),
                            heads.join(", ")
                        );
                    }
                    return Ok(heads);
                }
                Ok(vec![self.resolve_one(text)?])
            }
        }
    }

    fn relative(&self, from: &[String], sign: char, n: usize, text: &str) -> Result<Vec<String>> {
        let applied = self.ancestors(from);
        let moved: Vec<String> = if sign == '+' {
            self.upgrade_plan(from, &self.heads())?
                .into_iter()
                .take(n)
                .collect()
        } else {
            self.order
                .iter()
                .rev()
                .filter(|id| applied.contains(*id))
                .take(n)
                .cloned()
                .collect()
        };
        if moved.len() < n {
            bail!("relative revision {text} didn't produce {n} migrations");
        }
        let mut set = applied;
        for id in moved {
            if sign == '+' {
                set.insert(id);
            } else {
                set.remove(&id);
            }
        }
        Ok(self.version_heads(&set))
    }

    /// `ids` and everything they build on (down revisions and dependencies), inclusive.
    pub fn ancestors(&self, ids: &[String]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = ids.to_vec();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(rev) = self.revs.get(&id) {
                stack.extend(rev.down.iter().cloned());
                stack.extend(rev.depends_on.iter().cloned());
            }
        }
        seen
    }

    /// What the version table holds for an applied set: its members that no other member
    /// builds on.
    pub fn version_heads(&self, applied: &BTreeSet<String>) -> Vec<String> {
        applied
            .iter()
            .filter(|id| {
                !self
                    .children
                    .get(*id)
                    .is_some_and(|c| c.iter().any(|child| applied.contains(child)))
            })
            .cloned()
            .collect()
    }

    /// Revisions to apply, in order, to go from version set `current` to `target`.
    pub fn upgrade_plan(&self, current: &[String], target: &[String]) -> Result<Vec<String>> {
        let applied = self.ancestors(current);
        let below = if target.is_empty() && !current.is_empty() {
            Some("base".to_string())
        } else {
            target
                .iter()
                .find(|t| applied.contains(*t) && !current.contains(*t))
                .cloned()
        };
        if let Some(below) = below {
            bail!(
                "destination {below} is below the current head(s) {}: upgrade only goes up; use \
                 downgrade",
                shown(current)
            );
        }
        let needed = self.ancestors(target);
        Ok(self
            .order
            .iter()
            .filter(|id| needed.contains(*id) && !applied.contains(*id))
            .cloned()
            .collect())
    }

    /// Revisions to revert, in order (children first), to go from `current` down to `target`.
    pub fn downgrade_plan(&self, current: &[String], target: &[String]) -> Result<Vec<String>> {
        let applied = self.ancestors(current);
        if let Some(missing) = target.iter().find(|t| !applied.contains(*t)) {
            bail!(
                "destination {missing} is not a valid downgrade target from current head(s) {}: \
                 downgrade only goes down; use upgrade",
                shown(current)
            );
        }
        let keep = self.ancestors(target);
        Ok(self
            .order
            .iter()
            .rev()
            .filter(|id| applied.contains(*id) && !keep.contains(*id))
            .cloned()
            .collect())
    }

    /// Checks that a version table's rows are revisions this graph knows.
    pub fn check_versions(&self, versions: &[String]) -> Result<()> {
        for v in versions {
            if !self.revs.contains_key(v) {
                return Err(MigrateError::UnknownVersion { id: v.clone() }.into());
            }
        }
        Ok(())
    }
}

/// `X+N`, `X-N`, `+N`, `-N` split into (X, sign, N).
/// alembic's `version_num` column is a `varchar(32)`: a longer id could never be recorded.
pub const MAX_ID_LEN: usize = 32;

/// Refuses an id the version table cannot hold or that could not be named on a command line.
fn check_id(rev: &Revision) -> Result<()> {
    let id = &rev.id;
    let n = id.chars().count();
    if n == 0 || n > MAX_ID_LEN {
        bail!(
            "{}: revision id {id:?} has {n} characters; alembic's version table holds 1 to \
             {MAX_ID_LEN}: change REVISION (and the DOWN_REVISION entries naming it)",
            rev.path
        );
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!(
            "{}: revision id {id:?} holds a space or control character: change REVISION",
            rev.path
        );
    }
    Ok(())
}

fn split_relative(text: &str) -> Option<(&str, char, usize)> {
    let at = text.rfind(['+', '-'])?;
    let n: usize = text[at + 1..].parse().ok()?;
    let sign = text[at..].chars().next()?;
    Some((&text[..at], sign, n))
}

/// Version rows as messages show them: `(base)` when there are none.
pub fn shown(versions: &[String]) -> String {
    if versions.is_empty() {
        "(base)".to_string()
    } else {
        versions.join(", ")
    }
}

/// Revisions after their down revisions and dependencies, smallest id first among the ready.
fn topological(revs: &BTreeMap<String, Revision>) -> Result<Vec<String>> {
    let ids: BTreeSet<String> = revs.keys().cloned().collect();
    let (order, stuck) = crate::toposort::order(&ids, |id| {
        let rev = &revs[id];
        rev.down.iter().chain(&rev.depends_on).cloned().collect()
    });
    if !stuck.is_empty() {
        let revisions = stuck
            .iter()
            .map(|id| Named {
                id: id.clone(),
                path: revs[id].path.clone(),
            })
            .collect();
        return Err(MigrateError::Cycle { revisions }.into());
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, down: &[&str]) -> Revision {
        Revision {
            id: id.into(),
            down: down.iter().map(|d| d.to_string()).collect(),
            branch_labels: Vec::new(),
            depends_on: Vec::new(),
            message: String::new(),
            create_date: String::new(),
            schema_version: None,
            path: format!("{id}.rs"),
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// The engine's typed error in `e`.
    fn typed(e: anyhow::Error) -> MigrateError {
        crate::error::migrate_error(&e)
            .cloned()
            .unwrap_or_else(|| panic!("not a MigrateError: {e:#}"))
    }

    fn named(id: &str) -> Named {
        Named {
            id: id.into(),
            path: format!("{id}.rs"),
        }
    }

    #[test]
    fn graph_errors_are_typed() {
        let g = diamond();
        assert_eq!(
            typed(g.resolve_one("ffff").unwrap_err()),
            MigrateError::UnknownRevision {
                text: "ffff".into()
            }
        );
        let two = Graph::new(vec![rev("ab0000000001", &[]), rev("ab0000000002", &[])]).unwrap();
        assert_eq!(
            typed(two.resolve_one("ab").unwrap_err()),
            MigrateError::AmbiguousRevision {
                prefix: "ab".into(),
                matches: vec![named("ab0000000001"), named("ab0000000002")],
            }
        );
        assert_eq!(
            typed(two.single_head().unwrap_err()),
            MigrateError::MultipleHeads {
                heads: vec![named("ab0000000001"), named("ab0000000002")],
            }
        );
        assert_eq!(
            typed(g.check_versions(&ids(&["0123456789ab"])).unwrap_err()),
            MigrateError::UnknownVersion {
                id: "0123456789ab".into()
            }
        );
        let cycle = Graph::new(vec![
            rev("aaaa00000001", &["bbbb00000002"]),
            rev("bbbb00000002", &["aaaa00000001"]),
        ]);
        match cycle.map(|_| ()).map_err(typed) {
            Err(MigrateError::Cycle { revisions }) => assert_eq!(
                revisions,
                vec![named("aaaa00000001"), named("bbbb00000002")]
            ),
            other => panic!("{other:?}"),
        }
    }

    /// a - b - c (branch) and b - d, merged by e.
    fn diamond() -> Graph {
        Graph::new(vec![
            rev("aaaa00000001", &[]),
            rev("bbbb00000002", &["aaaa00000001"]),
            rev("cccc00000003", &["bbbb00000002"]),
            rev("dddd00000004", &["bbbb00000002"]),
            rev("eeee00000005", &["cccc00000003", "dddd00000004"]),
        ])
        .unwrap()
    }

    #[test]
    fn plans_follow_the_dag() {
        let g = diamond();
        assert_eq!(g.heads(), ids(&["eeee00000005"]));
        assert_eq!(g.upgrade_plan(&[], &g.heads()).unwrap().len(), 5);
        assert_eq!(
            g.upgrade_plan(&ids(&["cccc00000003"]), &ids(&["eeee00000005"]))
                .unwrap(),
            ids(&["dddd00000004", "eeee00000005"])
        );
        // At head, upgrading to head is nothing to do; below it, or to base, is the wrong way.
        let head = ids(&["eeee00000005"]);
        assert_eq!(g.upgrade_plan(&head, &head).unwrap(), Vec::<String>::new());
        let minus_one = g.resolve("-1", &head).unwrap();
        let e = g.upgrade_plan(&head, &minus_one).unwrap_err().to_string();
        assert!(
            e.contains("is below the current head") && e.contains("use downgrade"),
            "{e}"
        );
        assert!(g.upgrade_plan(&head, &[]).is_err());
        assert!(g.upgrade_plan(&head, &ids(&["aaaa00000001"])).is_err());
        let e = g
            .downgrade_plan(&ids(&["bbbb00000002"]), &ids(&["eeee00000005"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a valid downgrade target"), "{e}");
        assert_eq!(
            g.downgrade_plan(&ids(&["eeee00000005"]), &ids(&["bbbb00000002"]))
                .unwrap(),
            ids(&["eeee00000005", "dddd00000004", "cccc00000003"])
        );
        let applied = g.ancestors(&ids(&["cccc00000003", "dddd00000004"]));
        assert_eq!(
            g.version_heads(&applied),
            ids(&["cccc00000003", "dddd00000004"])
        );
    }

    #[test]
    fn targets_resolve() {
        let g = diamond();
        assert_eq!(g.resolve("head", &[]).unwrap(), ids(&["eeee00000005"]));
        assert_eq!(g.resolve("cccc", &[]).unwrap(), ids(&["cccc00000003"]));
        assert_eq!(g.resolve("+2", &[]).unwrap(), ids(&["bbbb00000002"]));
        assert_eq!(g.resolve("aaaa+1", &[]).unwrap(), ids(&["bbbb00000002"]));
        assert_eq!(
            g.resolve("-1", &ids(&["eeee00000005"])).unwrap(),
            ids(&["cccc00000003", "dddd00000004"])
        );
        assert_eq!(g.resolve("base", &[]).unwrap(), Vec::<String>::new());
        assert!(g.resolve("+9", &[]).is_err());
    }

    #[test]
    fn depends_on_pulls_in_the_other_branch() {
        let mut c = rev("cccc00000003", &[]);
        c.depends_on = vec!["bbbb00000002".into()];
        let g = Graph::new(vec![
            rev("aaaa00000001", &[]),
            rev("bbbb00000002", &["aaaa00000001"]),
            c,
        ])
        .unwrap();
        assert_eq!(g.bases(), ids(&["aaaa00000001", "cccc00000003"]));
        assert_eq!(
            g.upgrade_plan(&[], &ids(&["cccc00000003"])).unwrap(),
            ids(&["aaaa00000001", "bbbb00000002", "cccc00000003"])
        );
        // b stays in the version table: c depends on it but does not build on it.
        let applied = g.ancestors(&ids(&["cccc00000003"]));
        assert_eq!(
            g.version_heads(&applied),
            ids(&["bbbb00000002", "cccc00000003"])
        );
        // Removing b removes c too.
        assert_eq!(
            g.downgrade_plan(
                &ids(&["bbbb00000002", "cccc00000003"]),
                &ids(&["aaaa00000001"])
            )
            .unwrap(),
            ids(&["cccc00000003", "bbbb00000002"])
        );
    }

    #[test]
    fn bad_graphs_are_named() {
        let dup = Graph::new(vec![rev("aaaa00000001", &[]), rev("aaaa00000001", &[])]);
        assert!(dup
            .unwrap_err()
            .to_string()
            .contains("duplicate revision id"));
        let missing = Graph::new(vec![rev("aaaa00000001", &["ffff00000000"])]);
        assert!(missing.unwrap_err().to_string().contains("aaaa00000001.rs"));
        let cycle = Graph::new(vec![
            rev("aaaa00000001", &["bbbb00000002"]),
            rev("bbbb00000002", &["aaaa00000001"]),
        ]);
        assert!(cycle.unwrap_err().to_string().contains("cycle"));
        let g = Graph::new(vec![
            rev("aaaa00000001", &[]),
            rev("aaaa00000002", &["aaaa00000001"]),
            rev("bbbb00000003", &["aaaa00000001"]),
        ])
        .unwrap();
        assert!(g
            .resolve("head", &[])
            .unwrap_err()
            .to_string()
            .contains("multiple head"));
        assert!(g
            .resolve("aaaa", &[])
            .unwrap_err()
            .to_string()
            .contains("ambiguous"));
        assert_eq!(g.resolve("heads", &[]).unwrap().len(), 2);
    }

    #[test]
    fn ids_the_version_table_cannot_hold_are_refused() {
        let long = "a".repeat(MAX_ID_LEN + 1);
        let e = Graph::new(vec![rev(&long, &[])]).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{long}.rs: revision id")), "{e}");
        assert!(e.contains("33 characters"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        assert!(Graph::new(vec![rev(&"a".repeat(MAX_ID_LEN), &[])]).is_ok());
        let e = Graph::new(vec![rev("", &[])]).unwrap_err().to_string();
        assert!(e.contains("0 characters"), "{e}");
        let e = Graph::new(vec![rev("ab\ncd", &[])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("control character"), "{e}");
    }
}
