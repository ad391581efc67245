//! One search result entry as raw bytes, read from the protocol's BER without a panic (the
//! client crate's own `SearchEntry::construct` panics on a malformed entry, and turns values
//! that happen to be valid UTF-8 into text, which would lose nothing here but hides which
//! values were binary), and the `;range=low-high` option of ranged retrieval.

use ldap3::ResultEntry;
use ldap3::asn1::StructureTag;

/// One entry: its DN and its attributes in the order the server sent them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEntry {
    pub dn: String,
    pub attributes: Vec<(String, Vec<Vec<u8>>)>,
}

/// `SearchResultEntry`'s application tag (RFC 4511, section 4.5.2).
const SEARCH_RESULT_ENTRY: u64 = 4;

/// Reads an entry; `None` when the BER is not a well-formed `SearchResultEntry`.
pub fn raw_entry(entry: ResultEntry) -> Option<RawEntry> {
    let mut parts = entry
        .0
        .match_id(SEARCH_RESULT_ENTRY)?
        .expect_constructed()?
        .into_iter();
    let dn = String::from_utf8(parts.next()?.expect_primitive()?).ok()?;
    let mut attributes = Vec::new();
    for attribute in parts.next()?.expect_constructed()? {
        attributes.push(attribute_of(attribute)?);
    }
    Some(RawEntry { dn, attributes })
}

fn attribute_of(tag: StructureTag) -> Option<(String, Vec<Vec<u8>>)> {
    let mut parts = tag.expect_constructed()?.into_iter();
    let name = String::from_utf8(parts.next()?.expect_primitive()?).ok()?;
    let values = parts
        .next()?
        .expect_constructed()?
        .into_iter()
        .map(StructureTag::expect_primitive)
        .collect::<Option<Vec<_>>>()?;
    Some((name, values))
}

/// An attribute name with a `range=` option, as AD answers a multi-valued attribute with more
/// values than its MaxValRange (1,500 by default): `member;range=0-1499`, then, for the last
/// part, `member;range=1500-*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranged<'a> {
    /// The name without the range option (`member`).
    pub base: &'a str,
    pub low: u64,
    /// `None` for `*`: this part holds the last values.
    pub high: Option<u64>,
}

impl Ranged<'_> {
    /// The option that asks for the values after this part (`member;range=1500-*`).
    pub fn next_request(&self) -> Option<String> {
        self.high
            .map(|h| format!("{};range={}-*", self.base, h + 1))
    }
}

/// The range option of an attribute name, if it has one (`member;range=0-1499`); other
/// options (`;binary`) are kept in `base`.
pub fn ranged(name: &str) -> Option<Ranged<'_>> {
    let at = name.to_ascii_lowercase().find(";range=")?;
    let (base, option) = (&name[..at], &name[at + ";range=".len()..]);
    let (low, high) = option.split_once('-')?;
    let low = low.parse().ok()?;
    let high = match high {
        "*" => None,
        h => Some(h.parse().ok()?),
    };
    Some(Ranged { base, low, high })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3::asn1::{ASNTag, OctetString, Sequence, Tag};

    fn octets(bytes: &[u8]) -> Tag {
        Tag::OctetString(OctetString {
            inner: bytes.to_vec(),
            ..Default::default()
        })
    }

    fn entry(dn: &[u8], attributes: Vec<(&[u8], Vec<&[u8]>)>) -> ResultEntry {
        let attrs = attributes
            .into_iter()
            .map(|(name, values)| {
                Tag::Sequence(Sequence {
                    inner: vec![
                        octets(name),
                        Tag::Sequence(Sequence {
                            inner: values.into_iter().map(octets).collect(),
                            ..Default::default()
                        }),
                    ],
                    ..Default::default()
                })
            })
            .collect();
        let body = Tag::Sequence(Sequence {
            id: SEARCH_RESULT_ENTRY,
            class: ldap3::asn1::TagClass::Application,
            inner: vec![
                octets(dn),
                Tag::Sequence(Sequence {
                    inner: attrs,
                    ..Default::default()
                }),
            ],
        });
        ResultEntry::new(body.into_structure())
    }

    #[test]
    fn an_entry_keeps_binary_values_as_bytes_and_the_server_order() {
        let guid: &[u8] = &[0xff, 0x00, 0x41, 0xfe];
        let e = raw_entry(entry(
            b"CN=Ann,DC=lab,DC=test",
            vec![(b"objectGUID", vec![guid]), (b"cn", vec![b"Ann"])],
        ))
        .unwrap();
        assert_eq!(e.dn, "CN=Ann,DC=lab,DC=test");
        assert_eq!(e.attributes[0], ("objectGUID".into(), vec![guid.to_vec()]));
        assert_eq!(e.attributes[1].0, "cn");
    }

    #[test]
    fn a_malformed_entry_is_none_not_a_panic() {
        assert_eq!(
            raw_entry(entry(&[0xff, 0xfe], vec![])),
            None,
            "a DN not UTF-8"
        );
        let not_an_entry = ResultEntry::new(octets(b"x").into_structure());
        assert_eq!(raw_entry(not_an_entry), None);
    }

    #[test]
    fn range_options_name_the_next_part() {
        let r = ranged("member;range=0-1499").unwrap();
        assert_eq!((r.base, r.low, r.high), ("member", 0, Some(1499)));
        assert_eq!(r.next_request().as_deref(), Some("member;range=1500-*"));
        let last = ranged("Member;Range=1500-*").unwrap();
        assert_eq!((last.base, last.high), ("Member", None));
        assert_eq!(last.next_request(), None);
        assert_eq!(ranged("member"), None);
        assert_eq!(ranged("member;range=x-2"), None);
    }
}
