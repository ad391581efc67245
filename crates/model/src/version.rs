//! Dotted version numbers (`1.0.7020.0`, `4.7.2`, `10.0.14393`), compared as numbers, never as
//! strings: `4.10` is newer than `4.9`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A version of up to six numeric components; missing trailing components count as zero.
#[derive(Clone, Debug, Eq)]
pub struct Version {
    parts: Vec<u32>,
}

/// Text that is not a version (the text as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a version: expected numbers separated by dots, such as 4.7.2 or 1.0.7020.0")]
pub struct VersionError(pub String);

/// The most components a version has (`1.2.3.4.5.6`); parsing refuses more.
pub const VERSION_PARTS_MAX: usize = 6;

impl Version {
    /// A version from its components, most significant first (`&[4, 7, 2]`).
    ///
    /// Panics unless there are one to [`VERSION_PARTS_MAX`] components: the program's own
    /// versions are literals, and text from a user goes through [`str::parse`], which refuses
    /// the others with an error.
    pub fn new(parts: &[u32]) -> Self {
        assert!(
            (1..=VERSION_PARTS_MAX).contains(&parts.len()),
            "a version has one to {VERSION_PARTS_MAX} components, not {}",
            parts.len()
        );
        Self {
            parts: parts.to_vec(),
        }
    }

    /// The components as written (trailing zeros kept: `4.7.0` has three).
    pub fn parts(&self) -> &[u32] {
        &self.parts
    }

    fn padded(&self, i: usize) -> u32 {
        self.parts.get(i).copied().unwrap_or(0)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || VersionError(s.to_string());
        let t = s.trim();
        if t.is_empty() {
            return Err(err());
        }
        let parts = t
            .split('.')
            .map(|p| p.parse::<u32>().map_err(|_| err()))
            .collect::<Result<Vec<_>, _>>()?;
        if parts.len() > VERSION_PARTS_MAX {
            return Err(err());
        }
        Ok(Self { parts })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        (0..n)
            .map(|i| self.padded(i).cmp(&other.padded(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: Vec<String> = self.parts.iter().map(u32::to_string).collect();
        f.write_str(&text.join("."))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn versions_compare_as_numbers_not_strings() {
        assert!(v("4.10") > v("4.9"));
        assert!(v("1.0.7020.0") < v("1.0.10000"));
        assert_eq!(v("4.7"), v("4.7.0"));
        assert!(v("2.2.8.0") > v("2.2.7.99"));
        assert_eq!(v("1.0.7020.0").to_string(), "1.0.7020.0");
    }

    #[test]
    fn garbage_is_refused_with_the_text() {
        assert_eq!("4.x".parse::<Version>(), Err(VersionError("4.x".into())));
        assert!("".parse::<Version>().is_err());
        assert!("1.2.3.4.5.6.7".parse::<Version>().is_err());
    }

    #[test]
    #[should_panic(expected = "a version has one to 6 components, not 7")]
    fn a_seven_part_version_fires() {
        Version::new(&[1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    #[should_panic(expected = "a version has one to 6 components, not 0")]
    fn an_empty_version_fires() {
        Version::new(&[]);
    }

    #[test]
    fn parsing_refuses_what_new_asserts() {
        assert!("1.2.3.4.5.6.7".parse::<Version>().is_err());
        assert!("".parse::<Version>().is_err());
        assert_eq!(Version::new(&[1, 2, 3, 4, 5, 6]).to_string(), "1.2.3.4.5.6");
    }
}
