//! The record layer of RFC 2849: splits LDIF text into records of `attribute: value` lines.
//!
//! It handles `version: 1`, `#` comments (also folded ones), folded lines (a line starting with
//! one space continues the previous one; exactly that space is removed), `attr: value` with any
//! number of spaces after the colon, `attr:: base64`, attribute options (`;binary`, dropped),
//! `dn::` base64 DNs, the empty `dn:` of the rootDSE, `changetype:` (add is an entry; delete,
//! modify, modrdn and moddn are change records, read but not kept), `control:` lines, `ref:`
//! search-continuation records, and CRLF, LF or mixed line endings. URL values (`attr:< url`)
//! are refused, never fetched; a plain value starting with `<` is refused too (RFC 2849 forbids
//! it), except for the extended DNs Samba and AD write (`<GUID=…>;CN=…`).
//!
//! It works on `&str` slices of the input: a line only allocates when it is folded, and the
//! record's attribute buffer is reused from one record to the next. It knows nothing of the
//! directory model; `read.rs` maps records to it.

use super::error::{LdifError, LdifErrorKind};
use super::names;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::borrow::Cow;

/// What a record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordKind {
    /// A content record, or a change record with `changetype: add`: an entry.
    Entry,
    /// A `ref:` search-continuation reference (ldapsearch/ldbsearch output): not an entry.
    Reference,
    /// A change record other than add; its lines are read and dropped.
    Change(ChangeType),
}

/// The change types of RFC 2849 other than `add`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChangeType {
    Delete,
    Modify,
    ModRdn,
    ModDn,
}

impl ChangeType {
    /// The changetype as LDIF spells it (`delete`, `modify`, `modrdn`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Delete => "delete",
            ChangeType::Modify => "modify",
            ChangeType::ModRdn => "modrdn",
            ChangeType::ModDn => "moddn",
        }
    }
}

/// A value as written: plain text, or base64 still to decode (only the consumer knows whether
/// the attribute holds text or bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawValue<'a> {
    Text(Cow<'a, str>),
    Base64(Cow<'a, str>),
}

/// One `attribute: value` line of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AttrLine<'a> {
    /// The attribute name as written, without options (`objectGUID;binary` → `objectGUID`).
    pub(crate) name: Cow<'a, str>,
    pub(crate) value: RawValue<'a>,
    /// The line where the attribute starts.
    pub(crate) line: usize,
    /// The column where its value starts.
    pub(crate) column: usize,
}

impl AttrLine<'_> {
    /// Decodes the value's bytes into `scratch` (base64) or borrows them (text).
    pub(crate) fn bytes<'s>(&'s self, scratch: &'s mut Vec<u8>) -> Result<&'s [u8], LdifError> {
        match &self.value {
            RawValue::Text(t) => Ok(t.as_bytes()),
            RawValue::Base64(b) => {
                decode_base64(b, scratch, &self.name, self.line, self.column)?;
                Ok(scratch)
            }
        }
    }

    /// The value as text: plain values as they are, base64 values decoded and checked to be
    /// UTF-8.
    pub(crate) fn text<'s>(&'s self, scratch: &'s mut Vec<u8>) -> Result<&'s str, LdifError> {
        match &self.value {
            RawValue::Text(t) => Ok(t),
            RawValue::Base64(_) => {
                let bytes = self.bytes(scratch)?;
                std::str::from_utf8(bytes).map_err(|_| {
                    LdifError::at_column(
                        self.line,
                        self.column,
                        LdifErrorKind::NotUtf8(self.name.to_string()),
                    )
                })
            }
        }
    }
}

fn decode_base64(
    text: &str,
    out: &mut Vec<u8>,
    name: &str,
    line: usize,
    column: usize,
) -> Result<(), LdifError> {
    out.clear();
    STANDARD.decode_vec(text, out).map_err(|e| {
        LdifError::at_column(
            line,
            column,
            LdifErrorKind::BadBase64(name.to_string(), e.to_string()),
        )
    })
}

/// One record. Reused between records so its attribute buffer keeps its capacity.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    pub(crate) kind: RecordKind,
    /// The DN, decoded when it was base64; empty for the rootDSE and for `ref:` records.
    pub(crate) dn: Cow<'a, str>,
    /// The line of the record's first line (`dn:` or `ref:`).
    pub(crate) line: usize,
    /// The attribute lines of an entry, in file order (empty for other records): the first
    /// `attrs_len`; the lines after them are those of earlier records, overwritten in place
    /// by the next (`push_attr`).
    attrs: Vec<AttrLine<'a>>,
    attrs_len: usize,
}

impl Default for Record<'_> {
    fn default() -> Self {
        Self {
            kind: RecordKind::Entry,
            dn: Cow::Borrowed(""),
            line: 0,
            attrs: Vec::new(),
            attrs_len: 0,
        }
    }
}

impl<'a> Record<'a> {
    /// The attribute lines of an entry, in file order (empty for other records).
    pub(crate) fn attrs(&self) -> &[AttrLine<'a>] {
        &self.attrs[..self.attrs_len]
    }

    /// Adds an attribute line, field by field into a line kept from an earlier record when
    /// there is one: moving a whole line into the list goes through a copy on the stack that
    /// the processor cannot forward (a stall on every line of the file).
    fn push_attr(&mut self, name: Cow<'a, str>, value: RawValue<'a>, line: usize, column: usize) {
        match self.attrs.get_mut(self.attrs_len) {
            Some(kept) => {
                kept.name = name;
                kept.value = value;
                kept.line = line;
                kept.column = column;
            }
            None => self.attrs.push(AttrLine {
                name,
                value,
                line,
                column,
            }),
        }
        self.attrs_len += 1;
    }
}

/// Reads records from LDIF text, one after the other.
pub(crate) struct Records<'a> {
    text: &'a str,
    pos: usize,
    /// The number of the line that starts at `pos`.
    line: usize,
    /// Whether a `version:` line or a record was seen (a version line must come first).
    started: bool,
}

/// A parsed `attribute: value` line.
struct Parsed<'a> {
    name: Cow<'a, str>,
    value: RawValue<'a>,
    column: usize,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text: super::text::strip_bom(text),
            pos: 0,
            line: 1,
            started: false,
        }
    }

    /// Reads a part of a text that starts at a record after the first one (see `chunks`):
    /// `first_line` is the number of its first line, and a `version:` line is out of place.
    pub(crate) fn continuing(text: &'a str, first_line: usize) -> Self {
        Self {
            text,
            pos: 0,
            line: first_line,
            started: true,
        }
    }

    /// Reads the next record into `rec`. `Ok(false)` at the end of the text.
    pub(crate) fn next_into(&mut self, rec: &mut Record<'a>) -> Result<bool, LdifError> {
        rec.attrs_len = 0;
        rec.kind = RecordKind::Entry;
        rec.dn = Cow::Borrowed("");
        let (first, n) = loop {
            if !self.skip_to_record()? {
                return Ok(false);
            }
            let (l, f, n) = self.logical_line_and_first();
            let p = parse_line(l, f, n)?;
            if p.name.eq_ignore_ascii_case("version") {
                if self.started {
                    return Err(LdifError::at(n, LdifErrorKind::VersionNotFirst));
                }
                self.started = true;
                match &p.value {
                    RawValue::Text(v) if v.trim_end() == "1" => continue,
                    RawValue::Text(v) | RawValue::Base64(v) => {
                        return Err(LdifError::at_column(
                            n,
                            p.column,
                            LdifErrorKind::BadVersion(v.to_string()),
                        ));
                    }
                }
            }
            self.started = true;
            break (p, n);
        };
        rec.line = n;
        if first.name.eq_ignore_ascii_case("ref") {
            rec.kind = RecordKind::Reference;
            self.skip_rest_of_record();
            return Ok(true);
        }
        if !first.name.eq_ignore_ascii_case("dn") {
            return Err(LdifError::at(
                n,
                LdifErrorKind::MissingDn(first.name.into_owned()),
            ));
        }
        rec.dn = match first.value {
            RawValue::Text(t) => t,
            RawValue::Base64(b) => {
                let mut bytes = Vec::new();
                decode_base64(&b, &mut bytes, "dn", n, first.column)?;
                Cow::Owned(String::from_utf8(bytes).map_err(|_| {
                    LdifError::at_column(n, first.column, LdifErrorKind::NotUtf8("dn".into()))
                })?)
            }
        };
        self.read_body(rec)?;
        Ok(true)
    }

    /// Reads the lines after `dn:` up to the blank line that ends the record.
    fn read_body(&mut self, rec: &mut Record<'a>) -> Result<(), LdifError> {
        // Lines after the dn that may still be followed by `changetype:` (only `control:`).
        let mut changetype_allowed = true;
        while let Some(b) = self.peek_byte() {
            if b == b'#' {
                self.logical_line();
                continue;
            }
            let (l, f, n) = self.logical_line_and_first();
            if l.is_empty() {
                break;
            }
            if l == "-" {
                if rec.kind == RecordKind::Change(ChangeType::Modify) {
                    continue;
                }
                return Err(LdifError::at(n, LdifErrorKind::UnexpectedSeparator));
            }
            let p = parse_line(l, f, n)?;
            if p.name.eq_ignore_ascii_case("changetype") {
                if !changetype_allowed {
                    return Err(LdifError::at(n, LdifErrorKind::ChangetypeMisplaced));
                }
                changetype_allowed = false;
                rec.kind = changetype(&p, n)?;
                continue;
            }
            if changetype_allowed && p.name.eq_ignore_ascii_case("control") {
                continue;
            }
            changetype_allowed = false;
            if rec.kind == RecordKind::Entry {
                rec.push_attr(p.name, p.value, n, p.column);
            }
        }
        Ok(())
    }

    /// Skips blank lines (also lines of spaces only) and comments. `Ok(false)` at the end.
    fn skip_to_record(&mut self) -> Result<bool, LdifError> {
        loop {
            match self.peek_byte() {
                None => return Ok(false),
                Some(b'#') => {
                    self.logical_line();
                }
                Some(b' ') => {
                    let (l, n) = self.physical_line();
                    if !l.trim().is_empty() {
                        return Err(LdifError::at(n, LdifErrorKind::ContinuationBeforeRecord));
                    }
                }
                Some(b'\r' | b'\n') => {
                    let (l, n) = self.physical_line();
                    if !l.is_empty() {
                        return Err(LdifError::at(n, LdifErrorKind::MissingColon(show(l))));
                    }
                }
                Some(_) => return Ok(true),
            }
        }
    }

    fn skip_rest_of_record(&mut self) {
        while self.peek_byte().is_some() {
            let (l, _) = self.logical_line();
            if l.is_empty() {
                break;
            }
        }
    }

    fn peek_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The next line without its line ending, and its number.
    fn physical_line(&mut self) -> (&'a str, usize) {
        let rest = &self.text[self.pos..];
        let (line, advance) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        let n = self.line;
        self.line += 1;
        (line.strip_suffix('\r').unwrap_or(line), n)
    }

    /// The next line with its continuation lines joined (allocates only when folded), and
    /// its first physical line.
    fn logical_line(&mut self) -> (Cow<'a, str>, usize) {
        let (line, _, n) = self.logical_line_and_first();
        (line, n)
    }

    /// `logical_line`, and the first physical line of it: the attribute name is nearly always
    /// there, so a folded line need not copy it.
    fn logical_line_and_first(&mut self) -> (Cow<'a, str>, &'a str, usize) {
        let (first, n) = self.physical_line();
        if first.is_empty() || self.peek_byte() != Some(b' ') {
            return (Cow::Borrowed(first), first, n);
        }
        let mut joined = String::with_capacity(first.len() * 2);
        joined.push_str(first);
        while self.peek_byte() == Some(b' ') {
            let (more, _) = self.physical_line();
            joined.push_str(&more[1..]);
        }
        (Cow::Owned(joined), first, n)
    }
}

fn changetype(p: &Parsed<'_>, n: usize) -> Result<RecordKind, LdifError> {
    let RawValue::Text(v) = &p.value else {
        return Err(LdifError::at_column(
            n,
            p.column,
            LdifErrorKind::UnknownChangetype("(base64)".into()),
        ));
    };
    let v = v.trim_end();
    let kind = match v.to_ascii_lowercase().as_str() {
        "add" => RecordKind::Entry,
        "delete" => RecordKind::Change(ChangeType::Delete),
        "modify" => RecordKind::Change(ChangeType::Modify),
        "modrdn" => RecordKind::Change(ChangeType::ModRdn),
        "moddn" => RecordKind::Change(ChangeType::ModDn),
        _ => {
            return Err(LdifError::at_column(
                n,
                p.column,
                LdifErrorKind::UnknownChangetype(v.to_string()),
            ));
        }
    };
    Ok(kind)
}

/// A line shortened for an error message.
fn show(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

/// Splits `attr[;options]: value`, `attr:: base64` or `attr:< url` (refused). `first` is the
/// first physical line of `line` (all of it unless folded). Inlined: its result is moved
/// straight into the record's list instead of through a copy on the stack.
#[expect(
    clippy::inline_always,
    reason = "called on every line; without it its result is copied through the stack"
)]
#[inline(always)]
fn parse_line<'a>(line: Cow<'a, str>, first: &'a str, n: usize) -> Result<Parsed<'a>, LdifError> {
    let l: &str = &line;
    let (colon, type_len) = scan_description(l.as_bytes()).map_err(|e| match e {
        DescriptionError::NoColon => LdifError::at(n, LdifErrorKind::MissingColon(show(l))),
        DescriptionError::BadByte { at, colon } => LdifError::at_column(
            n,
            at + 1,
            LdifErrorKind::BadAttributeName(show(&l[..colon])),
        ),
    })?;
    let rest = &l[colon + 1..];
    let (value_start, base64) = match rest.as_bytes().first() {
        Some(b':') => (colon + 2, true),
        Some(b'<') => {
            return Err(LdifError::at_column(
                n,
                colon + 2,
                LdifErrorKind::UrlValue(l[..type_len].to_string()),
            ));
        }
        _ => (colon + 1, false),
    };
    let spaces = l.as_bytes()[value_start..]
        .iter()
        .take_while(|&&b| b == b' ')
        .count();
    let value_start = value_start + spaces;
    let mut value_end = l.len();
    if base64 {
        value_end = value_start + l[value_start..].trim_end().len();
    } else if l.as_bytes().get(value_start) == Some(&b'<')
        && names::extended_dn_prefix_len(&l[value_start..]) == 0
    {
        return Err(LdifError::at_column(
            n,
            value_start + 1,
            LdifErrorKind::ValueStartsWithLessThan(l[..type_len].to_string()),
        ));
    }
    // Everything before the value is ASCII (name, colon, spaces): bytes are characters.
    let column = value_start + 1;
    let (name, value) = match line {
        Cow::Borrowed(b) => (
            Cow::Borrowed(&b[..type_len]),
            Cow::Borrowed(&b[value_start..value_end]),
        ),
        Cow::Owned(mut s) => {
            let name = match first.get(..type_len) {
                Some(name) if colon < first.len() => Cow::Borrowed(name),
                _ => Cow::Owned(s[..type_len].to_string()),
            };
            s.truncate(value_end);
            s.replace_range(..value_start, "");
            (name, Cow::Owned(s))
        }
    };
    let value = if base64 {
        RawValue::Base64(value)
    } else {
        RawValue::Text(value)
    };
    Ok(Parsed {
        name,
        value,
        column,
    })
}

enum DescriptionError {
    NoColon,
    BadByte { at: usize, colon: usize },
}

/// The bytes of a plain attribute name: ASCII letters and digits, `-` and `.` (a table, so
/// the scan of a name costs one load per byte).
static NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "b < 256")]
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.';
        b += 1;
    }
    table
};

/// Finds the colon ending `type[;option…]` and checks the description on the way (one pass):
/// returns the colon's index and the length of the type.
fn scan_description(bytes: &[u8]) -> Result<(usize, usize), DescriptionError> {
    // The common case first: a plain name (letters, digits, `-`, `.`) and its colon.
    let plain = bytes
        .iter()
        .position(|&b| !NAME_BYTE[usize::from(b)])
        .unwrap_or(bytes.len());
    if plain > 0 && bytes.get(plain) == Some(&b':') {
        return Ok((plain, plain));
    }
    let mut type_len = None;
    let mut bad = None;
    for (i, &b) in bytes.iter().enumerate() {
        let ok = match b {
            b':' => {
                let type_len = type_len.unwrap_or(i);
                return match bad.or((type_len == 0).then_some(0)) {
                    Some(at) => Err(DescriptionError::BadByte { at, colon: i }),
                    None => Ok((i, type_len)),
                };
            }
            b';' if type_len.is_none() => {
                type_len = Some(i);
                true
            }
            _ if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' => true,
            // Option values such as `range=0-1499` or `lang-en_US`.
            b';' | b'=' | b'_' => type_len.is_some(),
            _ => false,
        };
        if !ok && bad.is_none() {
            bad = Some(i);
        }
    }
    Err(DescriptionError::NoColon)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
