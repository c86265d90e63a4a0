//! Room: the space the layout keeps for a table's box, a little more than the box needs.
//!
//! Diagrams are committed, so a small change to the model should be a small change to the
//! diagram. If the layout saw each box's exact size, one more column would make its box a row
//! taller, push every box below it down, pull the boxes joined to those, and so on: most of
//! the coordinates in the file would change. Instead the layout places *rooms*: a box's row
//! count rounded up to the next of a series of sizes, with at least one row to spare ([`rows`]),
//! and its width in characters rounded up to a multiple of [`CHARS_STEP`], again with some to
//! spare ([`chars`]). The box is drawn at its own size at the top of its room. A new column
//! then fills a spare row and nothing else moves; only when the last spare row is used does
//! the room grow, by a whole step, which leaves room again for the next few columns (as a
//! growable array grows its capacity), and even then only what the room touches below it in
//! its column moves (see [`super::layout`]). The steps grow with the size, so a big table,
//! which gains columns more often, grows its room less often, for at most a quarter of white
//! space.

/// Rows are reserved in steps of at least this many.
pub const ROWS_STEP: usize = 3;
/// Characters of width are reserved in steps of this many.
pub const CHARS_STEP: usize = 6;

/// The rows reserved for a box of `rows` rows: at least one more, the next of the sizes 3, 6,
/// 9, 12, 15, 18, 22, 27, 33, 41, ... which grow by a quarter (at least [`ROWS_STEP`]), so the
/// bigger a table, the more columns it can gain before its room grows, for a quarter's waste
/// at most.
pub fn rows(rows: usize) -> usize {
    let mut room = ROWS_STEP;
    while room <= rows {
        room += (room / 4).max(ROWS_STEP);
    }
    room
}

/// The characters of width reserved for a box `chars` characters wide: at least one more, a
/// multiple of [`CHARS_STEP`].
pub fn chars(chars: usize) -> usize {
    (chars / CHARS_STEP + 1) * CHARS_STEP
}

#[cfg(test)]
mod tests {
    #[test]
    fn room_has_spare_and_grows_in_steps() {
        assert_eq!(super::rows(0), 3);
        assert_eq!(super::rows(2), 3);
        assert_eq!(super::rows(3), 6);
        assert_eq!(super::rows(18), 22);
        assert_eq!(super::rows(40), 41);
        assert_eq!(super::rows(41), 51);
        assert_eq!(super::chars(11), 12);
        assert_eq!(super::chars(12), 18);
        for n in 0..1000 {
            let room = super::rows(n);
            assert!(room > n && room <= n + n / 4 + super::ROWS_STEP);
            assert!(super::rows(n + 1) >= room);
        }
    }
}
