//! Property: no input makes the reader panic. Arbitrary bytes, and LDIF-shaped text stitched
//! from the fragments that trip parsers (folds, base64, `<`, separators, changetypes, broken
//! GUIDs and times), either read or fail with an error that names a line inside the input.

use proptest::prelude::*;
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

fn ldif_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..60).prop_map(|f| f.concat())
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
