//! Near-valid LDIF: entries of every class the reader knows, attribute names from the model's
//! flow table, plain, base64 (`::`) and folded values, change records with `-` separators,
//! references, comments, duplicated attributes and DNs, extended DNs, edge numbers and times,
//! unicode, CRLF, NULs, and now and then UTF-16 with a byte order mark.

use super::Vocabulary;
use crate::mutate::{INTERESTING_NUMBERS, INTERESTING_TEXT, pick};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::fmt::Write as _;
use upgrade_lab_model::attribute_flow::ATTRIBUTE_FLOWS;

/// The attributes the reader maps to the model by name, besides the flow table's.
const MODELLED: &[&str] = &[
    "objectClass",
    "objectGUID",
    "ms-DS-ConsistencyGuid",
    "cn",
    "sAMAccountName",
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "sn",
    "department",
    "title",
    "l",
    "manager",
    "telephoneNumber",
    "description",
    "proxyAddresses",
    "member",
    "userAccountControl",
    "groupType",
    "isCriticalSystemObject",
    "uSNChanged",
    "whenChanged",
    "extensionAttribute1",
    "extensionAttribute15",
    "extensionAttribute16",
    "nETBIOSName",
    "distinguishedName",
    "ou",
    "dc",
];

const CLASSES: &[&str] = &[
    "user",
    "group",
    "contact",
    "computer",
    "organizationalUnit",
    "domainDNS",
    "domain",
    "container",
    "top",
    "person",
];

/// Attribute names and values seen in the corpus, the modelled names and the flow table's.
pub fn vocabulary(corpus: &[Vec<u8>]) -> Vocabulary {
    let mut v = Vocabulary::default();
    v.keys
        .extend(MODELLED.iter().map(std::string::ToString::to_string));
    v.keys
        .extend(ATTRIBUTE_FLOWS.iter().map(|f| f.ad_name.to_string()));
    for input in corpus {
        let text = String::from_utf8_lossy(input);
        for line in text.lines() {
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("dn") {
                    v.sections
                        .push(value.trim_start_matches(':').trim().to_string());
                } else if !name.starts_with(' ') {
                    v.words
                        .push(value.trim_start_matches(':').trim().to_string());
                }
            }
        }
    }
    v.sections.push("DC=contoso,DC=com".into());
    v.dedup();
    v
}

/// An LDIF file of 0–12 records.
pub fn generate(rng: &mut ChaCha8Rng, v: &Vocabulary) -> Vec<u8> {
    let mut out = String::new();
    if rng.random_bool(0.3) {
        out.push_str(["version: 1\n", "version: 2\n", "version:: MQ==\n"][rng.random_range(0..3)]);
    }
    for _ in 0..rng.random_range(0..12u32) {
        record(rng, v, &mut out);
        out.push('\n');
    }
    let mut bytes = match rng.random_range(0..20u32) {
        0 => out.replace('\n', "\r\n").into_bytes(),
        1 => utf16(&out, rng.random_bool(0.8)),
        2 => [b"\xEF\xBB\xBF".as_slice(), out.as_bytes()].concat(),
        _ => out.into_bytes(),
    };
    if rng.random_bool(0.05) {
        bytes.truncate(rng.random_range(0..=bytes.len()));
    }
    bytes
}

fn record(rng: &mut ChaCha8Rng, v: &Vocabulary, out: &mut String) {
    if rng.random_bool(0.05) {
        out.push_str("# a comment\n folded on\n");
    }
    if rng.random_bool(0.04) {
        out.push_str("ref: ldap://dc.contoso.com/DC=contoso,DC=com\n");
        return;
    }
    let dn = dn(rng, v);
    if rng.random_bool(0.1) {
        line(rng, out, "dn", &dn, true);
    } else {
        line(rng, out, "dn", &dn, false);
    }
    if rng.random_bool(0.12) {
        change(rng, v, out);
        return;
    }
    for _ in 0..rng.random_range(0..4u32) {
        let class = *pick(rng, CLASSES);
        line(rng, out, "objectClass", class, false);
    }
    for _ in 0..rng.random_range(0..14u32) {
        let name = pick(rng, &v.keys).clone();
        let value = value_for(rng, v, &name);
        let b64 = rng.random_bool(0.15);
        line(rng, out, &name, &value, b64);
        if rng.random_bool(0.05) {
            line(rng, out, &name, &value, b64); // a second value
        }
    }
}

fn change(rng: &mut ChaCha8Rng, v: &Vocabulary, out: &mut String) {
    let kinds = [
        "add", "delete", "modify", "modrdn", "moddn", "Modify", "replace",
    ];
    let _ = writeln!(out, "changetype: {}", pick(rng, &kinds));
    for _ in 0..rng.random_range(0..4u32) {
        let name = pick(rng, &v.keys).clone();
        let _ = write!(
            out,
            "replace: {name}\n{name}: {}\n-\n",
            value_for(rng, v, &name)
        );
    }
}

fn dn(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    let base = if v.sections.is_empty() {
        "CN=x,DC=contoso,DC=com".to_string()
    } else {
        pick(rng, &v.sections).clone()
    };
    match rng.random_range(0..12u32) {
        0 => String::new(),
        1 => format!("<GUID={}>;{base}", "44e29801-abfe-4f0a-9b89-d3a5745efcdb"),
        2 => format!(
            "CN=Smith\\, John \"{}\",{base}",
            pick(rng, INTERESTING_TEXT)
        ),
        3 => format!("CN={},{base}", "a,".repeat(rng.random_range(1..200usize))),
        4 => "DC=DomainDnsZones,DC=contoso,DC=com".to_string(),
        5 => format!("CN={}\\", pick(rng, INTERESTING_TEXT)),
        _ => base,
    }
}

fn value_for(rng: &mut ChaCha8Rng, v: &Vocabulary, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if rng.random_bool(0.15) {
        return pick(rng, INTERESTING_TEXT).to_string();
    }
    if ["usnchanged", "useraccountcontrol", "grouptype"].contains(&lower.as_str()) {
        return pick(rng, INTERESTING_NUMBERS).to_string();
    }
    if lower == "whenchanged" {
        let times = [
            "20140923233930.0Z",
            "99991231235959.999Z",
            "19691231235959.0Z",
            "00000229000000Z",
            "20000229120000,5+2359",
            "2014092323",
            "20141332000000Z",
            "20140923233930.0-9999",
            "20140923233960Z",
            "20140923233930.",
        ];
        return pick(rng, &times).to_string();
    }
    if lower.contains("guid") && rng.random_bool(0.5) {
        return "44e29801-abfe-4f0a-9b89-d3a5745efcdb".to_string();
    }
    match rng.random_range(0..5u32) {
        0 => "ü😀日本".repeat(rng.random_range(1..20usize)),
        1 => "v".repeat(rng.random_range(0..3000usize)),
        _ if !v.words.is_empty() => pick(rng, &v.words).clone(),
        _ => "value".to_string(),
    }
}

/// `name: value` (or `name:: base64`), folded at a random width now and then.
fn line(rng: &mut ChaCha8Rng, out: &mut String, name: &str, value: &str, base64: bool) {
    let options = if rng.random_bool(0.05) { ";binary" } else { "" };
    let full = if base64 {
        let bytes: Vec<u8> = if rng.random_bool(0.2) {
            (0..rng.random_range(0..40usize))
                .map(|_| rng.random())
                .collect()
        } else {
            value.as_bytes().to_vec()
        };
        let mut text = STANDARD.encode(&bytes);
        if rng.random_bool(0.05) {
            text.push('!');
        }
        format!("{name}{options}:: {text}")
    } else {
        format!("{name}{options}: {value}")
    };
    if rng.random_bool(0.15) && full.len() > 2 {
        let width = rng.random_range(1..78usize);
        let chars: Vec<char> = full.chars().collect();
        for (i, chunk) in chars.chunks(width).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.extend(chunk);
            out.push('\n');
        }
    } else {
        out.push_str(&full);
        out.push('\n');
    }
}

fn utf16(text: &str, bom: bool) -> Vec<u8> {
    let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    bytes
}
