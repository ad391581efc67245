//! Decoding one attribute value of an LDIF entry into the model's types: text (shared through
//! the interner or not), numbers, flag words, GUIDs; and the errors that name the attribute,
//! its line and its column when a value does not fit.

use super::error::{LdifError, LdifErrorKind};
use super::names;
use super::parse::{AttrLine, RawValue};
use upgrade_lab_model::{Interner, ObjectGuid, Value};

/// The attributes the model holds, by LDAP display name (case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Attr {
    /// `objectClass` and `distinguishedName`: they describe the record, read elsewhere.
    Structural,
    ObjectGuid,
    ConsistencyGuid,
    Cn,
    SamAccountName,
    UserPrincipalName,
    Mail,
    DisplayName,
    GivenName,
    Sn,
    Department,
    Title,
    City,
    Manager,
    TelephoneNumber,
    Description,
    ProxyAddresses,
    Member,
    UserAccountControl,
    GroupType,
    IsCriticalSystemObject,
    UsnChanged,
    WhenChanged,
    /// `extensionAttribute1`–`15`.
    Extension(u8),
    /// Anything else: dropped and counted.
    Other,
}

/// Which modelled attribute `name` is. Dispatches on the length and the first letter
/// first, so a name is compared with at most two candidates and never copied.
pub(super) fn attr_of(name: &str) -> Attr {
    // Exports spell names as the schema does: the exact comparison (of a known length) first.
    let is = |candidate: &str| name == candidate || name.eq_ignore_ascii_case(candidate);
    let first = name.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
    match (name.len(), first) {
        (1, b'l') if is("l") => Attr::City,
        (2, b'c') if is("cn") => Attr::Cn,
        (2, b's') if is("sn") => Attr::Sn,
        (4, b'm') if is("mail") => Attr::Mail,
        (5, b't') if is("title") => Attr::Title,
        (6, b'm') if is("member") => Attr::Member,
        (7, b'm') if is("manager") => Attr::Manager,
        (9, b'g') if is("givenName") => Attr::GivenName,
        (9, b'g') if is("groupType") => Attr::GroupType,
        (10, b'o') if is("objectGUID") => Attr::ObjectGuid,
        (10, b'd') if is("department") => Attr::Department,
        (10, b'u') if is("uSNChanged") => Attr::UsnChanged,
        (11, b'o') if is("objectClass") => Attr::Structural,
        (11, b'd') if is("displayName") => Attr::DisplayName,
        (11, b'd') if is("description") => Attr::Description,
        (11, b'w') if is("whenChanged") => Attr::WhenChanged,
        (14, b's') if is("sAMAccountName") => Attr::SamAccountName,
        (14, b'p') if is("proxyAddresses") => Attr::ProxyAddresses,
        (15, b't') if is("telephoneNumber") => Attr::TelephoneNumber,
        (17, b'd') if is("distinguishedName") => Attr::Structural,
        (17, b'u') if is("userPrincipalName") => Attr::UserPrincipalName,
        (18, b'u') if is("userAccountControl") => Attr::UserAccountControl,
        (19 | 20, b'e') => extension_number(name).map_or(Attr::Other, Attr::Extension),
        (21, b'm') if is("ms-DS-ConsistencyGuid") => Attr::ConsistencyGuid,
        (22, b'i') if is("isCriticalSystemObject") => Attr::IsCriticalSystemObject,
        _ => Attr::Other,
    }
}

/// `extensionAttributeN` → N for 1–15 (no leading zeros).
fn extension_number(name: &str) -> Option<u8> {
    let (prefix, n) = name.split_at_checked(18)?;
    if !prefix.eq_ignore_ascii_case("extensionAttribute") || n.starts_with('0') {
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

/// A value of an attribute kept in the sparse store: text as it is (interned: such values
/// repeat across objects: countries, companies, offices), binary values (`objectSid`,
/// `thumbnailPhoto`, certificates) as their base64 text, the way Azure AD receives non-string
/// values.
pub(super) fn extra_value(
    attr: &AttrLine<'_>,
    scratch: &mut Vec<u8>,
    interner: &mut Interner,
) -> Result<Value, LdifError> {
    match &attr.value {
        RawValue::Base64(b64) => {
            let bytes = attr.bytes(scratch)?;
            Ok(match std::str::from_utf8(bytes) {
                Ok(t) => interner.intern(t),
                Err(_) => interner.intern(b64.trim()),
            })
        }
        RawValue::Text(t) => Ok(interner.intern(t)),
    }
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
        i32::try_from(n).ok().map(i32::cast_unsigned)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_match_whatever_their_case() {
        assert_eq!(attr_of("SAMACCOUNTNAME"), Attr::SamAccountName);
        assert_eq!(attr_of("mS-DS-ConsistencyGuid"), Attr::ConsistencyGuid);
        assert_eq!(attr_of("L"), Attr::City);
        assert_eq!(attr_of("extensionattribute9"), Attr::Extension(9));
        assert_eq!(attr_of("extensionAttribute15"), Attr::Extension(15));
        for other in [
            "extensionAttribute0",
            "extensionAttribute16",
            "extensionAttribute09",
            "extensionAttributeX",
            "city",
            "objectSid",
            "",
            "é",
        ] {
            assert_eq!(attr_of(other), Attr::Other, "{other}");
        }
    }

    /// Every name the dispatch knows, in any case: a wrong length or first letter in one of
    /// its arms makes that name `Other`.
    #[test]
    fn every_modelled_name_is_found_in_any_case() {
        let names = [
            ("l", Attr::City),
            ("cn", Attr::Cn),
            ("sn", Attr::Sn),
            ("mail", Attr::Mail),
            ("title", Attr::Title),
            ("member", Attr::Member),
            ("manager", Attr::Manager),
            ("givenName", Attr::GivenName),
            ("groupType", Attr::GroupType),
            ("objectGUID", Attr::ObjectGuid),
            ("department", Attr::Department),
            ("uSNChanged", Attr::UsnChanged),
            ("objectClass", Attr::Structural),
            ("displayName", Attr::DisplayName),
            ("description", Attr::Description),
            ("whenChanged", Attr::WhenChanged),
            ("sAMAccountName", Attr::SamAccountName),
            ("proxyAddresses", Attr::ProxyAddresses),
            ("telephoneNumber", Attr::TelephoneNumber),
            ("distinguishedName", Attr::Structural),
            ("userPrincipalName", Attr::UserPrincipalName),
            ("userAccountControl", Attr::UserAccountControl),
            ("extensionAttribute1", Attr::Extension(1)),
            ("extensionAttribute12", Attr::Extension(12)),
            ("ms-DS-ConsistencyGuid", Attr::ConsistencyGuid),
            ("isCriticalSystemObject", Attr::IsCriticalSystemObject),
        ];
        for (name, attr) in names {
            for spelled in [name.to_string(), name.to_uppercase(), name.to_lowercase()] {
                assert_eq!(attr_of(&spelled), attr, "{spelled}");
            }
        }
    }

    #[test]
    fn flag_words_read_signed_or_unsigned() {
        assert_eq!(flags_u32(-2_147_483_646), Some(0x8000_0002));
        assert_eq!(flags_u32(2_147_483_650), Some(0x8000_0002));
        assert_eq!(flags_u32(4_294_967_296), None);
        assert_eq!(flags_u32(-2_147_483_649), None);
    }
}
