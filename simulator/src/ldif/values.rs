//! Decoding one attribute value of an LDIF entry into the model's types: text (shared through
//! the interner or not), numbers, flag words, GUIDs; and the errors that name the attribute,
//! its line and its column when a value does not fit.

use super::error::{LdifError, LdifErrorKind};
use super::names;
use super::parse::{AttrLine, RawValue};
use std::sync::Arc;
use upgrade_lab_model::{Interner, ObjectGuid, Value};

/// The attribute name lower-cased into `buf`; `None` when too long to be one the model holds.
pub(super) fn lower_name<'b>(name: &str, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let bytes = name.as_bytes();
    let out = buf.get_mut(..bytes.len())?;
    out.copy_from_slice(bytes);
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}

pub(super) fn extension_number(lower: &str) -> Option<u8> {
    let n = lower.strip_prefix("extensionattribute")?;
    if n.starts_with('0') {
        return None;
    }
    n.parse::<u8>().ok().filter(|n| (1..=15).contains(n))
}

pub(super) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    attr: &AttrLine<'_>,
) -> Result<(), LdifError> {
    if slot.is_some() {
        return Err(second_value(attr));
    }
    *slot = Some(value);
    Ok(())
}

pub(super) fn second_value(attr: &AttrLine<'_>) -> LdifError {
    LdifError::at(attr.line, LdifErrorKind::SecondValue(attr.name.to_string()))
}

pub(super) fn bad_value(attr: &AttrLine<'_>, expected: &'static str) -> LdifError {
    let value = match &attr.value {
        RawValue::Text(t) => t.to_string(),
        RawValue::Base64(b) => format!(":: {b}"),
    };
    LdifError::at_column(
        attr.line,
        attr.column,
        LdifErrorKind::BadValue {
            attribute: attr.name.to_string(),
            value,
            expected,
        },
    )
}

/// A value most objects have their own of (names, addresses): one allocation, not interned.
pub(super) fn unique(attr: &AttrLine<'_>, scratch: &mut Vec<u8>) -> Result<Value, LdifError> {
    attr.text(scratch).map(Arc::from)
}

/// A value many objects repeat (departments, titles, cities, first names): interned, so each
/// text is stored once.
pub(super) fn shared(
    attr: &AttrLine<'_>,
    scratch: &mut Vec<u8>,
    interner: &mut Interner,
) -> Result<Value, LdifError> {
    attr.text(scratch).map(|t| interner.intern(t))
}

/// A DN value (`member`, `manager`): interned like `shared` (a group member is usually a member
/// of many groups), without the extended-DN components (`<GUID=…>;`) some tools put first, as
/// they are dropped from an entry's own dn. Once the file is read, values naming an object of
/// the file are pointed at that object's `dn` (`read::share_dn_values`).
pub(super) fn dn_value(
    attr: &AttrLine<'_>,
    scratch: &mut Vec<u8>,
    interner: &mut Interner,
) -> Result<Value, LdifError> {
    attr.text(scratch)
        .map(|t| interner.intern(names::strip_extended_dn(t)))
}

pub(super) fn number(
    attr: &AttrLine<'_>,
    scratch: &mut Vec<u8>,
    expected: &'static str,
) -> Result<i64, LdifError> {
    let t = attr.text(scratch)?.trim();
    t.parse::<i64>().map_err(|_| bad_value(attr, expected))
}

/// A 32-bit flag word, written signed (`-2147483646`, as AD writes groupType) or unsigned.
pub(super) fn flags_u32(n: i64) -> Option<u32> {
    if let Ok(v) = u32::try_from(n) {
        Some(v)
    } else {
        i32::try_from(n).ok().map(|v| v as u32)
    }
}

/// objectGUID-like values: base64 of the 16 bytes in Windows order, or GUID text (Samba).
pub(super) fn read_guid(
    attr: &AttrLine<'_>,
    scratch: &mut Vec<u8>,
) -> Result<ObjectGuid, LdifError> {
    match &attr.value {
        RawValue::Base64(_) => {
            let bytes = attr.bytes(scratch)?;
            ObjectGuid::from_windows_bytes(bytes).map_err(|_| {
                LdifError::at_column(
                    attr.line,
                    attr.column,
                    LdifErrorKind::BadGuidLength {
                        attribute: attr.name.to_string(),
                        bytes_count: bytes.len(),
                    },
                )
            })
        }
        RawValue::Text(t) => ObjectGuid::parse_text(t).map_err(|_| {
            LdifError::at_column(
                attr.line,
                attr.column,
                LdifErrorKind::BadGuidText {
                    attribute: attr.name.to_string(),
                    value: t.to_string(),
                },
            )
        }),
    }
}
