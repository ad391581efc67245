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
    /// The bytes are neither UTF-8 nor UTF-16 with a byte order mark.
    InvalidUtf8,
    #[error(
        "the UTF-16 text is broken ({0}); export it again with `ldifde -u` or convert it to UTF-8"
    )]
    /// UTF-16 text (with a byte order mark) has an unpaired surrogate or an odd byte count; the text says which.
    InvalidUtf16(&'static str),
    #[error("bad version line `{0}`: only `version: 1` exists; fix or remove the line")]
    /// A `version:` line with a value other than 1 (the value as written).
    BadVersion(String),
    #[error("`version:` may only appear once, before the first record; remove this line")]
    /// A `version:` line after the first record, or a second one.
    VersionNotFirst,
    #[error(
        "a continuation line (starting with one space) follows a blank line or starts the file, so there is no line for it to continue; remove the leading space or the blank line before it"
    )]
    /// A folded line (leading space) with no line before it to continue.
    ContinuationBeforeRecord,
    #[error(
        "line `{0}` has no colon; every line of a record must read `attribute: value` (or `attribute:: base64`)"
    )]
    /// A line in a record with no `:` (the line as written).
    MissingColon(String),
    #[error(
        "`{0}` is not an attribute name (letters, digits and `-`, options after `;`); fix the name before the colon"
    )]
    /// The text before the colon is not an attribute description (the name as written).
    BadAttributeName(String),
    #[error(
        "the record starts with `{0}:` but every record must begin with `dn:` (or `ref:` for a search reference); add the missing `dn:` line"
    )]
    /// A record whose first line is not `dn:` (the attribute it starts with instead).
    MissingDn(String),
    #[error(
        "unknown changetype `{0}`; use add, delete, modify, modrdn or moddn (RFC 2849), or drop the line for a plain entry"
    )]
    /// A `changetype:` other than RFC 2849's five (the value as written).
    UnknownChangetype(String),
    #[error("`changetype:` must come right after the `dn:` line; move it up")]
    /// `changetype:` somewhere other than the line after `dn:`.
    ChangetypeMisplaced,
    #[error(
        "`-` separates modifications and is only allowed in a `changetype: modify` record; remove it or add `changetype: modify`"
    )]
    /// A lone `-` line outside a `changetype: modify` record.
    UnexpectedSeparator,
    #[error(
        "the value of `{0}` is a URL (`:<`), which this reader does not fetch; put the value in the file (base64 with `::` if binary)"
    )]
    /// A `:<` URL value for this attribute; the reader never fetches URLs.
    UrlValue(String),
    #[error(
        "the value of `{0}` starts with `<`, which RFC 2849 forbids in a plain value; write `{0}:: <base64>` (or `{0}:< url` for a URL, which this reader does not fetch)"
    )]
    /// A plain (`:`) value of this attribute that begins with `<`.
    ValueStartsWithLessThan(String),
    #[error("the base64 value of `{0}` does not decode ({1}); check the value after `::`")]
    /// A `::` value of the attribute (first) that is not base64; the decoder's message (second).
    BadBase64(String, String),
    #[error(
        "the value of `{0}` is not UTF-8 text once decoded; this attribute holds text, so encode the text as UTF-8 before base64"
    )]
    /// A base64 value of this text attribute that decodes to bytes that are not UTF-8.
    NotUtf8(String),
    #[error(
        "`{attribute}` must hold a 16-byte GUID, this one has {bytes_count} bytes; export the attribute again in binary form"
    )]
    /// A GUID attribute whose decoded value is not 16 bytes long.
    BadGuidLength {
        /// The GUID attribute (`objectGUID`, `ms-DS-ConsistencyGuid`).
        attribute: String,
        /// How many bytes the decoded value has (a GUID has 16).
        bytes_count: usize,
    },
    #[error(
        "`{attribute}` value `{value}` is not a GUID; write it as base64 of its 16 bytes (`{attribute}::`) or as 8-4-4-4-12 hexadecimal text"
    )]
    /// A GUID attribute in text form that is not 8-4-4-4-12 hexadecimal.
    BadGuidText {
        /// The GUID attribute (`objectGUID`, `ms-DS-ConsistencyGuid`).
        attribute: String,
        /// The text as it appears in the file.
        value: String,
    },
    #[error(
        "the dn `{0}` is not a distinguished name (every component must read `type=value`, for example `CN=Smith\\, John,OU=Sales,DC=contoso,DC=com`); fix the dn"
    )]
    /// A dn with a component that is not `type=value` (the dn as written).
    DnNotWellFormed(String),
    #[error(
        "the dn `{0}` starts with `DC=`, which names a domain, but the entry is a user, group, contact or OU (named `CN=` or `OU=` in AD); fix the dn, or make the entry a `domainDNS`"
    )]
    /// A user, group, contact or OU whose dn starts with `DC=` (the dn as written).
    DcNamedEntry(String),
    #[error(
        "the `DC=` components of the dn `{dn}` spell `{name}`, which is not a DNS domain name (an empty label, a space or a control character); fix the dn"
    )]
    /// A domain dn whose `DC=` labels do not make a DNS name.
    NotADnsName {
        /// The dn as written in the file.
        dn: String,
        /// The dotted name its `DC=` components spell.
        name: String,
    },
    #[error(
        "the dn `{dn}` was already used by the record at line {first_line}; every entry needs its own dn, remove or rename one of them"
    )]
    /// A second record with a dn already seen.
    DuplicateDn {
        /// The dn both records use.
        dn: String,
        /// 1-based line of the earlier record with this dn.
        first_line: usize,
    },
    #[error(
        "`{dn}` has objectGUID {guid}, which `{first_dn}` (the record at line {first_line}) already has; AD gives every object its own objectGUID: fix or remove one of the two records"
    )]
    /// A second record with an objectGUID already seen.
    DuplicateObjectGuid {
        /// The shared objectGUID, as 8-4-4-4-12 text.
        guid: String,
        /// The dn of this (the later) record.
        dn: String,
        /// The dn of the earlier record with the same objectGUID.
        first_dn: String,
        /// 1-based line of the earlier record.
        first_line: usize,
    },
    #[error("`{0}` has a second value, but it holds only one; keep one `{0}:` line in this record")]
    /// A second value of a single-valued attribute the model keeps (the attribute).
    SecondValue(String),
    #[error("`{attribute}` value `{value}` is not {expected}; fix the value")]
    /// A value that does not parse as the attribute's type.
    BadValue {
        /// The attribute whose value is wrong.
        attribute: String,
        /// The value as read (after base64 decoding, if any).
        value: String,
        /// What the value must be, phrased to follow "is not" (e.g. "a whole number").
        expected: &'static str,
    },
}
