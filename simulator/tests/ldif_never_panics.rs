//! Property: no input makes the reader panic. Arbitrary bytes, and LDIF-shaped text stitched
//! from the fragments that trip parsers (folds, base64, `<`, separators, changetypes, broken
//! GUIDs and times), either read or fail with an error that names a line inside the input.

use proptest::prelude::*;
use std::fmt::Write as _;
use upgrade_lab_simulator::ldif::{read_directory, read_directory_bytes, write_directory};

const FRAGMENTS: &[&str] = &[
    "dn: ",
    "dn:: ",
    "dn:",
    "CN=a,DC=b",
    "CN=Smith\\, J,OU=x,DC=c,DC=d",
    "<GUID=1>;",
    "DC=DomainDnsZones,DC=b",
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    ":",
    "::",
    ":<",
    "<",
    "-",
    "#",
    "version: 1",
    "version: 2",
    "ref: ldap:///x",
    "changetype: add",
    "changetype: modify",
    "changetype: bogus",
    "control: 1.2.3",
    "objectClass: user",
    "objectClass: group",
    "objectClass: organizationalUnit",
    "objectClass: domainDNS",
    "objectClass: computer",
    "objectGUID:: ",
    "objectGUID: ",
    "6Gd2SrsmeEiT3Hmh/5hTqw==",
    "f28780cd-c87a-4a71-9f4c-15d66464bab8",
    "AAEC",
    "====",
    "whenChanged: ",
    "20150230000000.0Z",
    "99991231235959.999Z",
    "19700101000000+2359",
    "userAccountControl: ",
    "groupType: ",
    "-2147483646",
    "99999999999999999999",
    "member: ",
    "manager:: ",
    "extensionAttribute15: ",
    "extensionAttribute0: ",
    "nETBIOSName: ",
    "isCriticalSystemObject: ",
    "TRUE",
    "é",
    "\u{FEFF}",
];

const LINE_STARTS: &[&str] = &[
    "dn: ",
    "dn:: ",
    "objectClass: ",
    "objectGUID:: ",
    "objectGUID: ",
    "member: ",
    "manager: ",
    "cn: ",
    "cn:: ",
    "whenChanged: ",
    "uSNChanged: ",
    "userAccountControl: ",
    "groupType: ",
    "changetype: ",
    "version: ",
    "ref: ",
    "description: ",
    "description:",
    " ",
    "-",
    "#",
    "",
];

const VALUES: &[&str] = &[
    "CN=a,DC=b",
    "CN=b,OU=o,DC=b",
    "OU=o,DC=b",
    "DC=b",
    "DC=ForestDnsZones,DC=b",
    "Q049YSxEQz1i",
    "user",
    "group",
    "contact",
    "organizationalUnit",
    "domainDNS",
    "computer",
    "6Gd2SrsmeEiT3Hmh/5hTqw==",
    "f28780cd-c87a-4a71-9f4c-15d66464bab8",
    "AAEC",
    "/w==",
    "20150227014849.0Z",
    "20150230014849.0Z",
    "4294967296",
    "-2147483646",
    "add",
    "modify",
    "delete",
    "1",
    "",
    "<x",
    "é",
];

const ATTRIBUTES: &[&str] = &[
    "cn",
    "sAMAccountName",
    "displayName",
    "description",
    "member",
    "manager",
    "objectGUID",
    "ms-DS-ConsistencyGuid",
    "userAccountControl",
    "groupType",
    "isCriticalSystemObject",
    "uSNChanged",
    "whenChanged",
    "extensionAttribute7",
    "nETBIOSName",
    "objectSid",
];

const CLASSES: &[&str] = &[
    "user",
    "group",
    "contact",
    "organizationalUnit",
    "domainDNS",
];

/// Whole entries of modelled classes with attribute values drawn from `VALUES`, so that the
/// mapping to the model runs (and fails) on odd values.
fn entries() -> impl Strategy<Value = String> {
    let attr_line = (
        proptest::sample::select(ATTRIBUTES),
        proptest::sample::select(&[": ", ":: ", ":"][..]),
        proptest::sample::select(VALUES),
    );
    let entry = (
        proptest::sample::select(&["CN=e", "OU=e", "DC=e"][..]),
        proptest::sample::select(CLASSES),
        proptest::collection::vec(attr_line, 0..8),
    );
    proptest::collection::vec(entry, 1..6).prop_map(|entries| {
        let mut text = String::new();
        for (i, (rdn, class, attrs)) in entries.into_iter().enumerate() {
            let _ = write!(text, "dn: {rdn}{i},DC=b\nobjectClass: {class}\n");
            for (name, sep, value) in attrs {
                let _ = writeln!(text, "{name}{sep}{value}");
            }
            text.push('\n');
        }
        text
    })
}

/// Lines that look like LDIF (so that whole entries form and reach the mapping), or any
/// concatenation of fragments (so that lines break in odd places).
fn ldif_like() -> impl Strategy<Value = String> {
    let line = (
        proptest::sample::select(LINE_STARTS),
        proptest::sample::select(VALUES),
        proptest::sample::select(&["\n", "\r\n", "\n\n"][..]),
    )
        .prop_map(|(a, b, c)| format!("{a}{b}{c}"));
    prop_oneof![
        proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..60)
            .prop_map(|f| f.concat()),
        proptest::collection::vec(line, 0..40).prop_map(|l| l.concat()),
        entries(),
    ]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_directory_bytes(&bytes);
    }

    #[test]
    fn ldif_shaped_text_reads_or_fails_at_a_line_of_the_input(text in ldif_like()) {
        match read_directory(&text) {
            Ok(import) => {
                // Whatever reads can be written.
                let mut out = Vec::new();
                write_directory(&import.directory, &mut out).unwrap();
            }
            Err(e) => {
                let lines = text.split('\n').count();
                prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {}: {}", e.line, lines, e);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn ldif_shaped_text_as_utf16_never_panics(text in ldif_like(), big_endian in any::<bool>()) {
        let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        let _ = read_directory_bytes(&bytes);
    }
}
