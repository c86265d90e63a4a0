//! A layered layout of tables and foreign keys (Sugiyama's method, kept small).
//!
//! Tables go in columns: a table stands to the right of every table it refers to, and as close
//! to them as that allows, so related tables sit near each other. A foreign key that spans
//! several columns gets a reserved slot in each column it crosses, so no edge runs through a
//! box. The order within columns is improved by barycenter sweeps (fewer crossings), and the
//! vertical positions by isotonic regression: each box as close as possible to the boxes it
//! is joined to, never overlapping. Every step breaks ties by name, so the layout of a schema
//! is always the same.
//!
//! The layout is also stable: diagrams are committed, and one more column should change a few
//! lines of them, not move every box. So the columns, their order and the regression see the
//! graph only, every box at one nominal height; then each column is stacked down from where
//! the regression put its items, each table in its *room* ([`super::room`], a little more than
//! its box), pushing the items below it down only where they would overlap. A box that grows
//! within its room moves nothing; a room that grows moves only the items it touches below it
//! in its own column, never a box elsewhere.

use crate::schema::Schema;
use std::collections::{BTreeMap, BTreeSet};

/// Sizes of what is laid out.
pub struct Metrics {
    /// Width and height of each table's box.
    pub boxes: BTreeMap<String, (f64, f64)>,
    /// Width and height of the room kept for each box (see [`super::room`]): the layout places
    /// rooms, so a box that grows within its room moves nothing else.
    pub rooms: BTreeMap<String, (f64, f64)>,
    /// The one height the sweeps that align boxes with their neighbours give every box, so
    /// that where a box goes depends on the graph, not on the sizes of other boxes.
    pub nominal: f64,
    /// The vertical centre of each (table, column) row, from the top of its box.
    pub rows: BTreeMap<(String, String), f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// One foreign key's route: from the referencing column to the referenced one.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub table: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// SVG path data.
    pub path: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub boxes: BTreeMap<String, Placed>,
    pub routes: Vec<Route>,
    pub width: f64,
    pub height: f64,
}

const MARGIN: f64 = 20.0;
const BOX_GAP: f64 = 18.0;
const SLOT: f64 = 6.0;
const SLOT_GAP: f64 = 4.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Table(usize),
    /// The slot of edge `.0` in some column.
    Slot(usize),
}

/// An edge between two tables in different columns: `low` is in the left column.
struct Edge {
    fk: usize,
    low: usize,
    /// Items from `low` to `high`, one per column.
    chain: Vec<Item>,
}

/// Lays out `schema` with boxes of the given sizes; `top` leaves room above for a title.
pub fn layout(schema: &Schema, metrics: &Metrics, top: f64) -> Layout {
    let names: Vec<&String> = schema.tables.keys().collect();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    // Every foreign key between two tables present: (table, fk).
    let fks: Vec<(usize, &crate::schema::ForeignKey)> = names
        .iter()
        .enumerate()
        .flat_map(|(i, n)| schema.tables[*n].foreign_keys.iter().map(move |fk| (i, fk)))
        .filter(|(_, fk)| index.contains_key(fk.ref_table.as_str()))
        .collect();
    let n = names.len();
    let mut parents: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let mut children: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (child, fk) in &fks {
        let parent = index[fk.ref_table.as_str()];
        if parent != *child {
            parents[*child].insert(parent);
            children[parent].insert(*child);
        }
    }
    let layer = layers(n, &parents, &children);

    // Edges get a slot in every column strictly between their ends.
    let mut edges = Vec::new();
    for (k, (child, fk)) in fks.iter().enumerate() {
        let parent = index[fk.ref_table.as_str()];
        if parent == *child || layer[parent] == layer[*child] {
            continue;
        }
        let (low, high) = if layer[parent] < layer[*child] {
            (parent, *child)
        } else {
            (*child, parent)
        };
        let id = edges.len();
        let mut chain = vec![Item::Table(low)];
        chain.extend((layer[low] + 1..layer[high]).map(|_| Item::Slot(id)));
        chain.push(Item::Table(high));
        edges.push(Edge { fk: k, low, chain });
    }

    // Columns, each an ordered list of items.
    let columns_count = layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<Item>> = vec![Vec::new(); columns_count];
    for (t, l) in layer.iter().enumerate() {
        columns[*l].push(Item::Table(t));
    }
    for e in &edges {
        for (step, item) in e.chain.iter().enumerate() {
            if matches!(item, Item::Slot(_)) {
                columns[layer[e.low] + step].push(*item);
            }
        }
    }
    // Neighbours of each item in the columns left and right of it.
    let mut left: BTreeMap<(usize, Item), Vec<Item>> = BTreeMap::new();
    let mut right: BTreeMap<(usize, Item), Vec<Item>> = BTreeMap::new();
    for e in &edges {
        for (step, pair) in e.chain.windows(2).enumerate() {
            let col = layer[e.low] + step;
            right.entry((col, pair[0])).or_default().push(pair[1]);
            left.entry((col + 1, pair[1])).or_default().push(pair[0]);
        }
    }
    order_columns(&mut columns, &left, &right);

    // Sizes of what is placed: rooms, not boxes, and x of columns.
    let drawn = |t: usize| {
        metrics
            .boxes
            .get(names[t])
            .copied()
            .unwrap_or((100.0, 40.0))
    };
    let size = |item: &Item| match item {
        Item::Table(t) => {
            let (w, h) = drawn(*t);
            let (rw, rh) = metrics.rooms.get(names[*t]).copied().unwrap_or((w, h));
            (rw.max(w), rh.max(h))
        }
        Item::Slot(_) => (0.0, SLOT),
    };
    // The height the sweeps see.
    let nominal = |item: &Item| match item {
        Item::Table(_) => metrics.nominal,
        Item::Slot(_) => SLOT,
    };
    let mut x = Vec::with_capacity(columns_count);
    let mut widths = Vec::with_capacity(columns_count);
    let mut at = MARGIN;
    for (c, column) in columns.iter().enumerate() {
        let width = column.iter().map(|i| size(i).0).fold(0.0, f64::max);
        x.push(at);
        widths.push(width);
        let crossing = right
            .iter()
            .filter(|((col, _), _)| *col == c)
            .map(|(_, v)| v.len())
            .sum::<usize>();
        at += width + (60.0 + 3.0 * crossing as f64).min(220.0);
    }

    let mut y: BTreeMap<(usize, Item), f64> = BTreeMap::new();
    for (c, column) in columns.iter().enumerate() {
        let mut at = 0.0;
        for item in column {
            y.insert((c, *item), at);
            at += nominal(item) + gap(item);
        }
    }
    // Pull items towards their neighbours, alternating directions.
    let center = |y: &BTreeMap<(usize, Item), f64>, c: usize, item: &Item| {
        y[&(c, *item)] + nominal(item) / 2.0
    };
    for round in 0..8 {
        let sweep: Vec<usize> = if round % 2 == 0 {
            (1..columns_count)
                .chain((0..columns_count.saturating_sub(1)).rev())
                .collect()
        } else {
            (0..columns_count.saturating_sub(1))
                .rev()
                .chain(1..columns_count)
                .collect()
        };
        for c in sweep {
            let column = &columns[c];
            let mut wanted = Vec::with_capacity(column.len());
            for item in column {
                let mut around = Vec::new();
                if c > 0 {
                    for l in left.get(&(c, *item)).into_iter().flatten() {
                        around.push(center(&y, c - 1, l));
                    }
                }
                for r in right.get(&(c, *item)).into_iter().flatten() {
                    around.push(center(&y, c + 1, r));
                }
                let here = center(&y, c, item);
                let target = if around.is_empty() {
                    here
                } else {
                    around.iter().sum::<f64>() / around.len() as f64
                };
                let weight = match item {
                    Item::Table(_) => 1.0 + around.len() as f64,
                    Item::Slot(_) => 1.0,
                };
                wanted.push((target - nominal(item) / 2.0, weight));
            }
            let heights: Vec<f64> = column.iter().map(|i| nominal(i) + gap(i)).collect();
            for (item, top) in column.iter().zip(place(&wanted, &heights)) {
                y.insert((c, *item), top);
            }
        }
    }
    // Stack each column's rooms down from where the sweeps put them: a room pushes the ones
    // below it down only where they would overlap, so a room that grows moves nothing in other
    // columns, and in its own only the rooms it touches below.
    for (c, column) in columns.iter().enumerate() {
        let mut free = f64::NEG_INFINITY;
        for item in column {
            let top = y[&(c, *item)].max(free);
            y.insert((c, *item), top);
            free = top + size(item).1 + gap(item);
        }
    }
    let lowest = y.values().copied().fold(f64::INFINITY, f64::min);
    let shift = top + MARGIN - if lowest.is_finite() { lowest } else { 0.0 };

    let mut boxes = BTreeMap::new();
    for (c, column) in columns.iter().enumerate() {
        for item in column {
            if let Item::Table(t) = item {
                let (w, h) = drawn(*t);
                boxes.insert(
                    names[*t].clone(),
                    Placed {
                        x: x[c],
                        y: y[&(c, *item)] + shift,
                        width: w,
                        height: h,
                    },
                );
            }
        }
    }

    let row_y = |table: &str, columns: &[String]| -> f64 {
        let b = &boxes[table];
        columns
            .first()
            .and_then(|c| metrics.rows.get(&(table.to_string(), c.clone())))
            .map_or(b.y + 12.0, |offset| b.y + offset)
    };
    let mut routes = Vec::new();
    for e in &edges {
        let (child, fk) = fks[e.fk];
        let (parent_name, child_name) = (names[index[fk.ref_table.as_str()]], names[child]);
        let end_y = |t: usize| {
            if names[t] == child_name {
                row_y(child_name, &fk.columns)
            } else {
                row_y(parent_name, &fk.ref_columns)
            }
        };
        let low = &boxes[names[e.low]];
        let low_col = layer[e.low];
        // Start at the right edge of the low box, straight out to the column's edge.
        let mut points = vec![
            (low.x + low.width, end_y(e.low)),
            (x[low_col] + widths[low_col], end_y(e.low)),
        ];
        for (step, item) in e.chain.iter().enumerate().skip(1) {
            let col = low_col + step;
            match item {
                Item::Slot(_) => {
                    let sy = y[&(col, *item)] + shift + SLOT / 2.0;
                    points.push((x[col], sy));
                    points.push((x[col] + widths[col], sy));
                }
                Item::Table(t) => points.push((x[col], end_y(*t))),
            }
        }
        routes.push(route(names[child], fk, path(&points)));
    }
    // A table referring to itself: a loop on its right side.
    for (child, fk) in &fks {
        let parent = index[fk.ref_table.as_str()];
        let name = names[*child];
        if parent == *child {
            let b = &boxes[name];
            let (y1, y2) = (row_y(name, &fk.columns), row_y(name, &fk.ref_columns));
            let x0 = b.x + b.width;
            let d = format!(
                "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                x0,
                y1,
                x0 + 36.0,
                y1,
                x0 + 36.0,
                y2,
                x0,
                y2
            );
            routes.push(route(name, fk, d));
        } else if layer[parent] == layer[*child] {
            // Only a cycle can put both ends in one column: a curve on the right side.
            let (a, b) = (&boxes[name], &boxes[names[parent]]);
            let (y1, y2) = (
                row_y(name, &fk.columns),
                row_y(names[parent], &fk.ref_columns),
            );
            let x0 = a.x + a.width;
            let x1 = b.x + b.width;
            let bulge = x0.max(x1) + 40.0;
            let d =
                format!("M{x0:.1},{y1:.1} C{bulge:.1},{y1:.1} {bulge:.1},{y2:.1} {x1:.1},{y2:.1}");
            routes.push(route(name, fk, d));
        }
    }
    routes.sort_by(|a, b| {
        (&a.table, &a.columns, &a.ref_table).cmp(&(&b.table, &b.columns, &b.ref_table))
    });

    let width = x
        .last()
        .zip(widths.last())
        .map_or(2.0 * MARGIN, |(x, w)| x + w + MARGIN + 40.0);
    let height = boxes.values().map(|b| b.y + b.height).fold(top, f64::max) + MARGIN;
    Layout {
        boxes,
        routes,
        width,
        height,
    }
}

fn route(table: &str, fk: &crate::schema::ForeignKey, path: String) -> Route {
    Route {
        table: table.to_string(),
        columns: fk.columns.clone(),
        ref_table: fk.ref_table.clone(),
        ref_columns: fk.ref_columns.clone(),
        path,
    }
}

fn gap(item: &Item) -> f64 {
    match item {
        Item::Table(_) => BOX_GAP,
        Item::Slot(_) => SLOT_GAP,
    }
}

/// SVG path through `points`: straight inside columns, S-curves across the gaps between them.
fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            d.push_str(&format!("M{x:.1},{y:.1}"));
            continue;
        }
        let (px, py) = points[i - 1];
        if i % 2 == 1 {
            d.push_str(&format!(" L{x:.1},{y:.1}"));
        } else {
            let mid = (px + x) / 2.0;
            d.push_str(&format!(" C{mid:.1},{py:.1} {mid:.1},{y:.1} {x:.1},{y:.1}"));
        }
    }
    d
}

/// Column of each table: after everything it refers to, then moved right towards the tables
/// that refer to it where that shortens edges. Cycles are broken where a depth-first walk in
/// name order closes them.
fn layers(n: usize, parents: &[BTreeSet<usize>], children: &[BTreeSet<usize>]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; n];
    let mut layer = vec![0usize; n];
    // Iterative depth-first walk over parents.
    for start in 0..n {
        if state[start] != State::New {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> =
            vec![(start, parents[start].iter().copied().collect())];
        state[start] = State::Open;
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(p) if state[p] == State::New => {
                    state[p] = State::Open;
                    stack.push((p, parents[p].iter().copied().collect()));
                }
                Some(_) => {}
                None => {
                    layer[node] = parents[node]
                        .iter()
                        .filter(|p| state[**p] == State::Done)
                        .map(|p| layer[*p] + 1)
                        .max()
                        .unwrap_or(0);
                    state[node] = State::Done;
                    stack.pop();
                }
            }
        }
    }
    // Move tables right, next to the first of the tables that refer to them.
    let mut by_layer: Vec<usize> = (0..n).collect();
    by_layer.sort_by_key(|t| std::cmp::Reverse(layer[*t]));
    for t in by_layer {
        let nearest = children[t]
            .iter()
            .filter(|c| layer[**c] > layer[t])
            .map(|c| layer[*c] - 1)
            .min();
        // Its parents stand left of where it is, so left of where it goes too.
        if let Some(l) = nearest.filter(|l| *l > layer[t]) {
            layer[t] = l;
        }
    }
    layer
}

/// Orders each column by the barycentre of its neighbours, sweeping right then left.
fn order_columns(
    columns: &mut [Vec<Item>],
    left: &BTreeMap<(usize, Item), Vec<Item>>,
    right: &BTreeMap<(usize, Item), Vec<Item>>,
) {
    let count = columns.len();
    for round in 0..12 {
        let forward = round % 2 == 0;
        let order: Vec<usize> = if forward {
            (1..count).collect()
        } else {
            (0..count.saturating_sub(1)).rev().collect()
        };
        for c in order {
            let (neighbour_col, links) = if forward {
                (c - 1, left)
            } else {
                (c + 1, right)
            };
            let position: BTreeMap<Item, usize> = columns[neighbour_col]
                .iter()
                .enumerate()
                .map(|(i, item)| (*item, i))
                .collect();
            let current: BTreeMap<Item, usize> = columns[c]
                .iter()
                .enumerate()
                .map(|(i, item)| (*item, i))
                .collect();
            let key = |item: &Item| -> f64 {
                let ps: Vec<usize> = links
                    .get(&(c, *item))
                    .into_iter()
                    .flatten()
                    .filter_map(|n| position.get(n).copied())
                    .collect();
                if ps.is_empty() {
                    current[item] as f64
                } else {
                    ps.iter().sum::<usize>() as f64 / ps.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize, Item)> = columns[c]
                .iter()
                .map(|item| (key(item), current[item], *item))
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, _, item)| item).collect();
        }
    }
}

/// Tops for items in a fixed order, each wanting `wanted.0` (with weight `wanted.1`), each
/// taking `heights` (gap included) of space: the weighted least-squares placement without
/// overlaps, by pool-adjacent-violators on the tops less the space above each item.
fn place(wanted: &[(f64, f64)], heights: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(heights.len());
    let mut sum = 0.0;
    for h in heights {
        offset.push(sum);
        sum += h;
    }
    // Blocks of (mean, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (i, (want, weight)) in wanted.iter().enumerate() {
        blocks.push((want - offset[i], *weight, 1));
        while blocks.len() > 1 {
            let (m2, w2, n2) = blocks[blocks.len() - 1];
            let (m1, w1, n1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.truncate(blocks.len() - 2);
            blocks.push(((m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2));
        }
    }
    let mut tops = Vec::with_capacity(wanted.len());
    for (mean, _, count) in blocks {
        for _ in 0..count {
            let i = tops.len();
            tops.push(mean + offset[i]);
        }
    }
    tops
}

#[cfg(test)]
mod tests {
    use super::place;

    #[test]
    fn placement_keeps_order_and_space() {
        // Both want 0; each is 10 high: they share the overlap.
        assert_eq!(place(&[(0.0, 1.0), (0.0, 1.0)], &[10.0, 10.0]), [-5.0, 5.0]);
        // Far apart: each where it wants to be.
        assert_eq!(
            place(&[(0.0, 1.0), (50.0, 1.0)], &[10.0, 10.0]),
            [0.0, 50.0]
        );
    }
}
