//! Object identities: `ObjectGuid` as AD stores it and `ImmutableId`, the source anchor Azure AD
//! derives from it (docs/decisions.md, "Source anchor").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// An AD objectGUID. Held in RFC 4122 field order (the order its text form reads), so that
/// `Display` and `Ord` agree with what an administrator sees.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectGuid([u8; 16]);

/// Why a GUID could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuidError {
    /// Binary input that is not 16 bytes (its length).
    #[error("a GUID has 16 bytes, this value has {0}")]
    WrongLength(usize),
    /// Text that is not the hyphenated form (the text).
    #[error("'{0}' is not a GUID: expected 8-4-4-4-12 hexadecimal digits, optionally in braces")]
    BadText(String),
    /// Text that is not base64 (the text).
    #[error("'{0}' is not valid base64")]
    BadBase64(String),
}

impl ObjectGuid {
    /// A GUID from its 16 bytes in RFC 4122 (text) order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 bytes in RFC 4122 (text) order.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A GUID from the bytes Windows stores (`Guid.ToByteArray()`): the first three fields
    /// little-endian. This is what `objectGUID::` carries in ldifde and ldapsearch output.
    pub fn from_windows_bytes(bytes: &[u8]) -> Result<Self, GuidError> {
        let b: [u8; 16] = bytes
            .try_into()
            .map_err(|_| GuidError::WrongLength(bytes.len()))?;
        Ok(Self(*uuid::Uuid::from_bytes_le(b).as_bytes()))
    }

    /// The bytes in the order Windows stores them.
    pub fn to_windows_bytes(&self) -> [u8; 16] {
        uuid::Uuid::from_bytes(self.0).to_bytes_le()
    }

    /// Parses `f28780cd-c87a-4f8e-9a4b-0123456789ab`, with or without braces, any case; no
    /// other form (not the 32 digits without hyphens, nor a `urn:uuid:`).
    pub fn parse_text(text: &str) -> Result<Self, GuidError> {
        let bad = || GuidError::BadText(text.to_string());
        let t = text.trim();
        let t = t
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(t);
        if t.len() != 36 {
            return Err(bad());
        }
        let u = uuid::Uuid::try_parse(t).map_err(|_| bad())?;
        Ok(Self(*u.as_bytes()))
    }

    /// Decodes base64 of the Windows byte order (LDIF `objectGUID::`).
    pub fn from_base64_windows(text: &str) -> Result<Self, GuidError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| GuidError::BadBase64(text.to_string()))?;
        Self::from_windows_bytes(&bytes)
    }

    /// The source anchor Azure AD keeps for an object DirSync anchored on objectGUID.
    pub fn immutable_id(&self) -> ImmutableId {
        ImmutableId(Arc::from(self.immutable_id_text().as_str()))
    }

    /// The text of [`ObjectGuid::immutable_id`] without allocating it: to look an anchor up
    /// before deciding to keep a copy.
    pub fn immutable_id_text(&self) -> GuidAnchorText {
        let mut text = [0u8; GUID_ANCHOR_LEN];
        let written = STANDARD
            .encode_slice(self.to_windows_bytes(), &mut text)
            .expect("16 bytes take 24 base64 characters");
        debug_assert_eq!(written, GUID_ANCHOR_LEN);
        GuidAnchorText(text)
    }
}

/// Base64 characters of a GUID's immutableId (16 bytes, padded: 24).
const GUID_ANCHOR_LEN: usize = 24;

/// The immutableId text of a GUID anchor, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GuidAnchorText([u8; GUID_ANCHOR_LEN]);

impl GuidAnchorText {
    /// The base64 text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("base64 is ASCII")
    }
}

impl fmt::Debug for GuidAnchorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GuidAnchorText({})", self.as_str())
    }
}

impl fmt::Display for ObjectGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&uuid::Uuid::from_bytes(self.0).hyphenated(), f)
    }
}

impl fmt::Debug for ObjectGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectGuid({self})")
    }
}

impl Serialize for ObjectGuid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ObjectGuid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_text(&s).map_err(serde::de::Error::custom)
    }
}

/// Azure AD's `immutableId`: the base64 source anchor. Case-sensitive.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImmutableId(Arc<str>);

impl ImmutableId {
    /// Wraps a value a tenant already holds (for example a cloud object stamped by another tool).
    pub fn new(value: &str) -> Self {
        Self(Arc::from(value))
    }

    /// The base64 text, as Azure AD holds it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The objectGUID this immutableId was derived from, if it is one.
    pub fn to_object_guid(&self) -> Option<ObjectGuid> {
        ObjectGuid::from_base64_windows(&self.0).ok()
    }
}

impl fmt::Display for ImmutableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ImmutableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImmutableId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_windows_bytes_agree_as_dotnet_does() {
        // .NET: new Guid("00112233-4455-6677-8899-aabbccddeeff").ToByteArray()
        // = 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff
        let g = ObjectGuid::parse_text("00112233-4455-6677-8899-aabbccddeeff").unwrap();
        assert_eq!(
            g.to_windows_bytes(),
            [
                0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                0xee, 0xff
            ]
        );
        assert_eq!(g.immutable_id().as_str(), "MyIRAFVEd2aImaq7zN3u/w==");
        assert_eq!(g.immutable_id_text().as_str(), "MyIRAFVEd2aImaq7zN3u/w==");
        assert_eq!(g.immutable_id().to_object_guid(), Some(g));
    }

    #[test]
    fn base64_and_text_forms_give_the_same_immutable_id() {
        let from_b64 = ObjectGuid::from_base64_windows("6Gd2SrsmeEiT3Hmh/5hTqw==").unwrap();
        let from_text = ObjectGuid::parse_text(&from_b64.to_string().to_uppercase()).unwrap();
        assert_eq!(from_b64, from_text);
        assert_eq!(
            from_text.immutable_id().as_str(),
            "6Gd2SrsmeEiT3Hmh/5hTqw=="
        );
        assert_eq!(from_b64.to_string(), "4a7667e8-26bb-4878-93dc-79a1ff9853ab");
    }

    #[test]
    fn a_known_guid_reads_as_windows_writes_it() {
        // The Azure AD connector's id; Python: uuid.UUID("b891884f-…").bytes_le
        let g = ObjectGuid::parse_text("B891884F-051E-4A83-95AF-2544101C9083").unwrap();
        assert_eq!(
            g.to_windows_bytes(),
            [
                0x4f, 0x88, 0x91, 0xb8, 0x1e, 0x05, 0x83, 0x4a, 0x95, 0xaf, 0x25, 0x44, 0x10, 0x1c,
                0x90, 0x83
            ]
        );
        assert_eq!(ObjectGuid::from_windows_bytes(&g.to_windows_bytes()), Ok(g));
        assert_eq!(g.immutable_id().as_str(), "T4iRuB4Fg0qVryVEEByQgw==");
        assert_eq!(g.to_string(), "b891884f-051e-4a83-95af-2544101c9083");
        assert_eq!(g.as_bytes()[0], 0xb8, "held in text order");
    }

    #[test]
    fn only_the_hyphenated_form_is_read() {
        for other in [
            "b891884f051e4a8395af2544101c9083",
            "urn:uuid:b891884f-051e-4a83-95af-2544101c9083",
            "{b891884f-051e-4a83-95af-2544101c9083",
            "b891884f-051e4a83-95af-2544101c-9083",
        ] {
            assert!(
                matches!(ObjectGuid::parse_text(other), Err(GuidError::BadText(_))),
                "{other}"
            );
        }
    }

    #[test]
    fn braces_are_accepted_and_garbage_is_refused() {
        assert!(ObjectGuid::parse_text("{4a7667e8-26bb-4878-93dc-79a1ff9853ab}").is_ok());
        assert!(matches!(
            ObjectGuid::parse_text("4a7667e8-26bb-4878-93dc-79a1ff9853a"),
            Err(GuidError::BadText(_))
        ));
        assert!(matches!(
            ObjectGuid::parse_text("4a7667e8-26bb-4878-93dc-79a1ff9853ag"),
            Err(GuidError::BadText(_))
        ));
        assert_eq!(
            ObjectGuid::from_windows_bytes(&[1, 2, 3]),
            Err(GuidError::WrongLength(3))
        );
    }
}
