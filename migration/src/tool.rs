//! The tool's name, as the team's binary calls itself (`lab` for a crate `lab`): what help,
//! messages, lock keys and generated file headers say, so that a second team's tool never
//! tells its users to run `opdb`. It is set once, when the binary starts
//! ([`crate::start`]); until then (the engine's own tests) it is `opdb`.

use std::sync::OnceLock;

static NAME: OnceLock<&'static str> = OnceLock::new();

/// Names the tool; the first name given stays.
pub(crate) fn set(name: &'static str) {
    let _ = NAME.set(name);
}

/// The tool's name.
pub fn name() -> &'static str {
    NAME.get().copied().unwrap_or("opdb")
}

/// The tool's name folded into 32 bits: the first key of its advisory locks on PostgreSQL.
/// A name of four ASCII letters is its own bytes (`opdb` is 0x6f706462, the key opdb always
/// used); a longer name's four-byte chunks are combined with exclusive or.
pub(crate) fn lock_key() -> i32 {
    let mut key = [0u8; 4];
    for (i, byte) in name().bytes().enumerate() {
        key[i % 4] ^= byte;
    }
    i32::from_be_bytes(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn opdb_keeps_its_lock_key() {
        assert_eq!(super::lock_key(), 0x6f70_6462);
    }
}
