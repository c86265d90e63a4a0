//! Whether two schema models are the same, in words.
//!
//! This is the autogenerate diff read out: an empty list means the diff has nothing to do, so a
//! model check and a generated revision can never disagree about what differs.

use crate::autogenerate::{describe, diff, Hints};
use crate::schema::Schema;

/// Every difference between `expected` and `actual`, one line each, as what would turn
/// `actual` into `expected`, in a stable order.
pub fn differences(expected: &Schema, actual: &Schema) -> Vec<String> {
    diff(actual, expected, &Hints::default())
        .iter()
        .map(describe::op)
        .collect()
}
