//! The model's schema version (`major.minor.patch`), for applications that check what they talk
//! to, as the LSST DESC registry records a schema version with every upgrade: a revision says
//! the version the model has once it is applied (`Schema Version: 2.1.0` in its header, which
//! autogenerate writes when the entities declare one with `EntitySet::schema_version`), each
//! history row records the version after its step, and `check` fails when the database's and
//! the model's disagree in their major version.

use anyhow::{bail, Result};
use std::fmt;

/// `major.minor.patch`, each a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl SchemaVersion {
    /// Reads `text`; anything but three numbers joined by dots is an error saying so.
    pub fn parse(text: &str) -> Result<SchemaVersion> {
        let parts: Vec<Option<u64>> = text
            .split('.')
            .map(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        match parts.as_slice() {
            [Some(major), Some(minor), Some(patch)] => Ok(SchemaVersion {
                major: *major,
                minor: *minor,
                patch: *patch,
            }),
            _ => bail!(
                "schema version {:?} is not major.minor.patch (three numbers, as 2.1.0)",
                crate::revision_file::doc_text(text)
            ),
        }
    }
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::SchemaVersion;

    #[test]
    fn three_numbers_and_nothing_else() {
        assert_eq!(SchemaVersion::parse("2.10.0").unwrap().to_string(), "2.10.0");
        for bad in ["2.1", "2.1.0.0", "v2.1.0", "2.x.0", "", "2..1", "-1.0.0", "2.1.0 "] {
            assert!(SchemaVersion::parse(bad).is_err(), "{bad}");
        }
        assert!(SchemaVersion::parse("1.9.9").unwrap() < SchemaVersion::parse("1.10.0").unwrap());
    }
}
