//! LDIF (RFC 2849): reading a directory from what `ldifde -f`, `ldapsearch` or Samba's ldb
//! tools write, and writing a directory the way `ldifde -f` does.
//!
//! - `parse`: the record layer (lines, folding, base64, change records, references);
//! - `read`: records → `model::Directory`, counting what the model does not hold;
//! - `chunks` and `merge`: a large text cut at record boundaries, read on all cores and
//!   joined in file order (the same directory, counts and first error as reading it whole);
//! - `survey`: what `inspect` reports of a file (counts, scope, defects), each object's values
//!   checked as `read` checks them, summarized where it is read, never built;
//! - `windows`: `survey` of a file read in windows, one buffer per core;
//! - `parents`: `dn::shape` with each parent DN walked once;
//! - `write`: `model::Directory` → LDIF that reads back to an equal directory;
//! - `time`: `whenChanged` as generalized time ⇄ ms since 1970.
//!
//! It must not know scenarios, the sync engine or the file system: callers hand it text or
//! bytes and a writer.
//!
//! ```
//! use upgrade_lab_simulator::ldif::{read_directory, write_directory};
//! let text = "dn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: ann\n";
//! let import = read_directory(text).unwrap();
//! assert_eq!(import.directory.objects.len(), 1);
//! assert_eq!(&*import.directory.forest, "contoso.com");
//! let mut out = Vec::new();
//! write_directory(&import.directory, &mut out).unwrap();
//! let again = read_directory(std::str::from_utf8(&out).unwrap()).unwrap();
//! assert_eq!(again.directory, import.directory);
//! ```

mod chunks;
mod error;
mod merge;
mod names;
mod parents;
mod parse;
mod read;
mod repeats;
mod survey;
mod text;
/// LDAP generalized time (`20240101120000.0Z`) to and from milliseconds since 1601.
pub mod time;
mod values;
mod windows;
mod write;

pub use error::{LdifError, LdifErrorKind};
pub use names::guid_from_dn;
pub use read::{
    LdifImport, ReadOptions, SkipCounts, read_directory, read_directory_bytes,
    read_directory_bytes_with, read_directory_with,
};
pub use survey::{LdifSurvey, survey, survey_bytes};
pub use windows::{ReadAt, survey_windows};
pub use write::{needs_base64, write_directory};

#[cfg(test)]
mod malformed_tests;
