//! From the bytes of a file to text: a UTF-8 byte order mark is dropped, UTF-16 (what
//! `ldifde -u` writes, little-endian with the BOM FF FE; big-endian FE FF is accepted too) is
//! decoded, and invalid UTF-8 is reported with the line and column where it starts.

use super::error::{LdifError, LdifErrorKind};
use std::borrow::Cow;

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// The text of an LDIF file given as bytes. Borrows when the bytes are UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, LdifError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return utf8(rest).map(Cow::Borrowed);
    }
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes).map(Cow::Owned),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes).map(Cow::Owned),
        // No BOM but a NUL in the second byte: UTF-16LE text starting with ASCII (`d\0n\0`).
        // A NUL is never valid in UTF-8 LDIF, so this cannot misread a UTF-8 file.
        [first, 0, ..] if *first != 0 => utf16(bytes, u16::from_le_bytes).map(Cow::Owned),
        _ => utf8(bytes).map(Cow::Borrowed),
    }
}

/// The bytes `decode` reads as UTF-8 (a UTF-8 BOM dropped), or `None` when it decodes them as
/// UTF-16: a caller may then check them for UTF-8 in parts, and report a failure with `utf8`.
pub(crate) fn utf8_bytes(bytes: &[u8]) -> Option<&[u8]> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return Some(rest);
    }
    match bytes {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => None,
        [first, 0, ..] if *first != 0 => None,
        _ => Some(bytes),
    }
}

/// Drops a leading U+FEFF (a BOM that survived into text).
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

/// `bytes` as UTF-8 text, or an error naming the line and column where it stops being UTF-8.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, LdifError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        #[expect(
            clippy::naive_bytecount,
            reason = "runs once, on the error path of a bad file"
        )]
        let line = 1 + good.iter().filter(|b| **b == b'\n').count();
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        // Column in characters: the bytes before the bad one on its line are valid UTF-8.
        let column = 1 + String::from_utf8_lossy(&good[line_start..]).chars().count();
        LdifError::at_column(line, column, LdifErrorKind::InvalidUtf8)
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, LdifError> {
    let (pairs, odd) = bytes.as_chunks::<2>();
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut line = 1usize;
    for c in char::decode_utf16(pairs.iter().map(|p| unit(*p))) {
        match c {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                text.push(c);
            }
            Err(_) => {
                return Err(LdifError::at(
                    line,
                    LdifErrorKind::InvalidUtf16("an unpaired surrogate"),
                ));
            }
        }
    }
    if !odd.is_empty() {
        return Err(LdifError::at(
            line,
            LdifErrorKind::InvalidUtf16("an odd number of bytes"),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_little_endian_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "dn: CN=Zoë\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "dn: CN=Zoë\r\n");
    }

    #[test]
    fn utf16_big_endian_and_bomless_little_endian_decode() {
        let mut be = vec![0xFE, 0xFF];
        let mut le = Vec::new();
        for u in "dn: x\n".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&be).unwrap(), "dn: x\n");
        assert_eq!(decode(&le).unwrap(), "dn: x\n");
    }

    #[test]
    fn utf8_bom_is_dropped_and_bad_utf8_points_at_line_and_column() {
        assert_eq!(decode(b"\xEF\xBB\xBFdn: x").unwrap(), "dn: x");
        let e = decode(b"dn: x\ncn: ab\xFF").unwrap_err();
        assert_eq!((e.line, e.column), (2, Some(7)));
        assert_eq!(e.kind, LdifErrorKind::InvalidUtf8);
    }

    #[test]
    fn broken_utf16_is_an_error_not_a_panic() {
        let e = decode(&[0xFF, 0xFE, b'd', 0, b'n']).unwrap_err();
        assert_eq!(
            e.kind,
            LdifErrorKind::InvalidUtf16("an odd number of bytes")
        );
        let e = decode(&[0xFF, 0xFE, 0x00, 0xD8, b'x', 0]).unwrap_err();
        assert_eq!(e.kind, LdifErrorKind::InvalidUtf16("an unpaired surrogate"));
    }
}
