//! The one error type of the LDIF reader: what is wrong, on which line (and column, when one
//! place is to blame), and what to do about it. Line and column numbers are 1-based; a value
//! folded over several lines is reported at the line where its attribute starts.

use std::fmt;

/// An LDIF file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdifError {
    /// 1-based line number in the file.
    pub line: usize,
    /// 1-based column (in characters of the unfolded line), when one place is to blame.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: LdifErrorKind,
}

impl LdifError {
    /// An error on `line` (1-based) with no column to blame.
    pub fn at(line: usize, kind: LdifErrorKind) -> Self {
        Self {
            line,
            column: None,
            kind,
        }
    }

    pub(crate) fn at_column(line: usize, column: usize, kind: LdifErrorKind) -> Self {
        Self {
            line,
            column: Some(column),
            kind,
        }
    }
}

impl fmt::Display for LdifError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "LDIF line {}, column {}: {}", self.line, c, self.kind),
            None => write!(f, "LDIF line {}: {}", self.line, self.kind),
        }
    }
}

impl std::error::Error for LdifError {}

/// What is wrong. Each message ends with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdifErrorKind {
    #[error(
        "the file is not valid UTF-8; save it as UTF-8 (or as UTF-16 with a byte order mark, as `ldifde -u` writes)"
    )]
    InvalidUtf8,
    #[error(
        "the UTF-16 text is broken ({0}); export it again with `ldifde -u` or convert it to UTF-8"
    )]
    InvalidUtf16(&'static str),
    #[error("bad version line `{0}`: only `version: 1` exists; fix or remove the line")]
    BadVersion(String),
    #[error("`version:` may only appear once, before the first record; remove this line")]
    VersionNotFirst,
    #[error(
        "a continuation line (starting with one space) follows a blank line or starts the file, so there is no line for it to continue; remove the leading space or the blank line before it"
    )]
    ContinuationBeforeRecord,
    #[error(
        "line `{0}` has no colon; every line of a record must read `attribute: value` (or `attribute:: base64`)"
    )]
    MissingColon(String),
    #[error(
        "`{0}` is not an attribute name (letters, digits and `-`, options after `;`); fix the name before the colon"
    )]
    BadAttributeName(String),
    #[error(
        "the record starts with `{0}:` but every record must begin with `dn:` (or `ref:` for a search reference); add the missing `dn:` line"
    )]
    MissingDn(String),
    #[error(
        "unknown changetype `{0}`; use add, delete, modify, modrdn or moddn (RFC 2849), or drop the line for a plain entry"
    )]
    UnknownChangetype(String),
    #[error("`changetype:` must come right after the `dn:` line; move it up")]
    ChangetypeMisplaced,
    #[error(
        "`-` separates modifications and is only allowed in a `changetype: modify` record; remove it or add `changetype: modify`"
    )]
    UnexpectedSeparator,
    #[error(
        "the value of `{0}` is a URL (`:<`), which this reader does not fetch; put the value in the file (base64 with `::` if binary)"
    )]
    UrlValue(String),
    #[error(
        "the value of `{0}` starts with `<`, which RFC 2849 forbids in a plain value; write `{0}:: <base64>` (or `{0}:< url` for a URL, which this reader does not fetch)"
    )]
    ValueStartsWithLessThan(String),
    #[error("the base64 value of `{0}` does not decode ({1}); check the value after `::`")]
    BadBase64(String, String),
    #[error(
        "the value of `{0}` is not UTF-8 text once decoded; this attribute holds text, so encode the text as UTF-8 before base64"
    )]
    NotUtf8(String),
    #[error(
        "`{attribute}` must hold a 16-byte GUID, this one has {bytes_count} bytes; export the attribute again in binary form"
    )]
    BadGuidLength {
        attribute: String,
        bytes_count: usize,
    },
    #[error(
        "`{attribute}` value `{value}` is not a GUID; write it as base64 of its 16 bytes (`{attribute}::`) or as 8-4-4-4-12 hexadecimal text"
    )]
    BadGuidText { attribute: String, value: String },
    #[error(
        "the dn `{0}` is not a distinguished name (every component must read `type=value`, for example `CN=Smith\\, John,OU=Sales,DC=contoso,DC=com`); fix the dn"
    )]
    DnNotWellFormed(String),
    #[error(
        "the dn `{0}` starts with `DC=`, which names a domain, but the entry is a user, group, contact or OU (named `CN=` or `OU=` in AD); fix the dn, or make the entry a `domainDNS`"
    )]
    DcNamedEntry(String),
    #[error(
        "the `DC=` components of the dn `{dn}` spell `{name}`, which is not a DNS domain name (an empty label, a space or a control character); fix the dn"
    )]
    NotADnsName { dn: String, name: String },
    #[error(
        "the dn `{dn}` was already used by the record at line {first_line}; every entry needs its own dn, remove or rename one of them"
    )]
    DuplicateDn { dn: String, first_line: usize },
    #[error(
        "`{dn}` has objectGUID {guid}, which `{first_dn}` (the record at line {first_line}) already has; AD gives every object its own objectGUID: fix or remove one of the two records"
    )]
    DuplicateObjectGuid {
        guid: String,
        dn: String,
        first_dn: String,
        first_line: usize,
    },
    #[error("`{0}` has a second value, but it holds only one; keep one `{0}:` line in this record")]
    SecondValue(String),
    #[error("`{attribute}` value `{value}` is not {expected}; fix the value")]
    BadValue {
        attribute: String,
        value: String,
        expected: &'static str,
    },
}
