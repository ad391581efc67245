//! Reading in parts gives what reading from the first line gives: the same directory, counts
//! and first error, on generated LDIF with folded lines, base64 values, comments, CRLF and
//! change records at every place a part may start.

use super::super::error::LdifErrorKind;
use super::super::read::{ReadOptions, read_in_parts};
use super::*;
use crate::rng::proptest_cases;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

/// A small deterministic generator (the text only depends on the proptest seed).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// Writes `line` with its ending, folding it at random places when it is long enough.
fn push_line(out: &mut String, g: &mut Gen, line: &str, crlf: bool) {
    let eol = if crlf { "\r\n" } else { "\n" };
    let chars: Vec<char> = line.chars().collect();
    let mut start = 0;
    while chars.len() - start > 4 && g.one_in(3) {
        let cut = start + 1 + usize::try_from(g.below((chars.len() - start - 1) as u64)).unwrap();
        out.extend(&chars[start..cut]);
        out.push_str(eol);
        out.push(' ');
        start = cut;
    }
    out.extend(&chars[start..]);
    out.push_str(eol);
}

const CLASSES: [&str; 6] = [
    "user",
    "group",
    "contact",
    "organizationalUnit",
    "container",
    "computer",
];

/// One record's lines: an entry of a random class, a change record or a reference; with
/// `plant`, an error: 0 an earlier record's DN, 1 a line without a colon, 2 an earlier
/// record's objectGUID, 3 a uSNChanged that is no number.
fn record_lines(g: &mut Gen, i: u64, dns: &[String], plant: Option<u64>) -> Vec<String> {
    let dn = match plant {
        Some(0) if !dns.is_empty() => {
            dns[usize::try_from(g.below(dns.len() as u64)).unwrap()].clone()
        }
        _ => format!("CN=Entry {i},OU=Unit{},DC=contoso,DC=com", g.below(4)),
    };
    let mut lines = Vec::new();
    if plant.is_none() && g.one_in(12) {
        lines.push(format!("ref: ldap://dc{i}.contoso.com/DC=contoso,DC=com"));
        return lines;
    }
    if g.one_in(8) {
        lines.push(format!("dn:: {}", STANDARD.encode(&dn)));
    } else {
        lines.push(format!("dn: {dn}"));
    }
    if plant.is_none() && g.one_in(10) {
        lines.extend(
            [
                "changetype: modify",
                "replace: description",
                "description: x",
                "-",
            ]
            .map(String::from),
        );
        return lines;
    }
    let class = match plant {
        Some(_) => "user",
        None => CLASSES[usize::try_from(g.below(CLASSES.len() as u64)).unwrap()],
    };
    lines.push("objectClass: top".into());
    lines.push(format!("objectClass: {class}"));
    lines.push(format!("cn: Entry {i} with a name long enough to fold"));
    lines.push(format!("sAMAccountName: e{i}"));
    lines.push(format!(
        "description:: {}",
        STANDARD.encode(format!("Zoë {i}"))
    ));
    lines.push(format!("proxyAddresses: SMTP:e{i}@contoso.com"));
    let guid = match plant {
        Some(2) => g.below(i.max(1)),
        _ => i,
    };
    lines.push(format!(
        "objectGUID:: {}",
        STANDARD.encode((u128::from(guid) + 1).to_le_bytes())
    ));
    match plant {
        Some(1) => lines.push("a line without a colon".into()),
        Some(3) => lines.push("uSNChanged: twelve".into()),
        _ => {}
    }
    if g.one_in(4) {
        lines.push(format!("otherAttribute: {i}"));
    }
    lines
}

/// An LDIF text of `records` records: comments (some folded) inside and between records,
/// one or more blank lines between them, CRLF on some lines, `version: 1` now and then.
pub(in crate::ldif) fn ldif(seed: u64, records: u64) -> String {
    let mut g = Gen(seed);
    let mut out = String::new();
    let mut dns = Vec::new();
    if g.one_in(2) {
        out.push_str("version: 1\n\n");
    }
    // Half of the texts hold one planted error, in a random record.
    let planted = g.below(records * 2);
    for i in 0..records {
        if g.one_in(5) {
            let crlf = g.one_in(2);
            push_line(
                &mut out,
                &mut g,
                "# a comment between records, folded sometimes",
                crlf,
            );
        }
        let plant = (i == planted).then(|| g.below(4));
        let lines = record_lines(&mut g, i, &dns, plant);
        if let Some(dn) = lines[0].strip_prefix("dn: ") {
            dns.push(dn.to_string());
        }
        for (k, line) in lines.iter().enumerate() {
            let crlf = g.one_in(3);
            if k > 0 && g.one_in(15) {
                push_line(&mut out, &mut g, "# a comment inside a record", crlf);
            }
            push_line(&mut out, &mut g, line, crlf);
        }
        for _ in 0..=g.below(2) {
            out.push_str(if g.one_in(2) { "\r\n" } else { "\n" });
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases(64)))]

    #[test]
    fn reading_in_parts_reads_what_a_reading_from_the_start_reads(
        seed in any::<u64>(),
        records in 1u64..80,
        parts in 2usize..100,
    ) {
        let text = ldif(seed, records);
        let whole = read_in_parts(&text, 1, ReadOptions::default());
        prop_assert_eq!(read_in_parts(&text, parts, ReadOptions::default()), whole.clone());
        prop_assert_eq!(read_in_parts(&text, text.len(), ReadOptions::default()), whole);
    }

    #[test]
    fn every_piece_starts_at_a_record_and_knows_its_line(
        seed in any::<u64>(),
        records in 1u64..80,
        parts in 1usize..200,
    ) {
        let text = ldif(seed, records);
        let pieces = split(&text, parts);
        prop_assert_eq!(pieces[0].range.start, 0);
        prop_assert_eq!(pieces.last().unwrap().range.end, text.len());
        for w in pieces.windows(2) {
            prop_assert_eq!(w[0].range.end, w[1].range.start);
        }
        for p in &pieces {
            let before = &text[..p.range.start];
            prop_assert_eq!(p.first_line, 1 + before.matches('\n').count());
            if p.range.start > 0 {
                prop_assert!(before.ends_with("\n\n") || before.ends_with("\n\r\n"));
                prop_assert!(text[p.range.start..].starts_with("dn:"));
            }
        }
    }
}

#[test]
fn generated_texts_hold_what_the_property_is_about() {
    // The generator must produce folded lines, base64, comments, CRLF and planted errors, or
    // the property above proves little.
    let texts: Vec<String> = (0..40).map(|s| ldif(s, 60)).collect();
    let all = texts.concat();
    for needle in [
        "\n ",
        "\r\n",
        "dn:: ",
        "# a comment",
        "\r\n\r\n",
        "changetype: modify",
    ] {
        assert!(all.contains(needle), "no {needle:?} in the generated texts");
    }
    let errors = texts
        .iter()
        .filter(|t| read_in_parts(t, 1, ReadOptions::default()).is_err())
        .count();
    assert!((8..32).contains(&errors), "{errors} of 40 texts are errors");
    let pieces: usize = texts.iter().map(|t| split(t, 1000).len()).sum();
    assert!(pieces > 40 * 30, "only {pieces} pieces");
}

#[test]
fn a_part_starts_only_after_the_first_record_so_version_stays_first() {
    let text = "# c\n\ndn: CN=a,DC=x\nobjectClass: user\n\nversion: 1\n\ndn: CN=b,DC=x\nobjectClass: user\n";
    let e = read_in_parts(text, 50, ReadOptions::default()).unwrap_err();
    assert_eq!(
        e,
        read_in_parts(text, 1, ReadOptions::default()).unwrap_err()
    );
    assert_eq!(e.line, 6);
    assert_eq!(split("# c\n\ndn: CN=a,DC=x\n", 50).len(), 1);
}

#[test]
fn the_first_error_in_file_order_wins_across_parts() {
    // Part 2 fails on its own (no colon); part 1's last record repeats an earlier DN, which only
    // the merge can see: the duplicate comes first in the file, so it is the error.
    let text = "dn: CN=a,DC=x\nobjectClass: user\n\ndn: CN=a,DC=x\nobjectClass: user\n\ndn: CN=b,DC=x\nbroken\n";
    let e = read_in_parts(text, 3, ReadOptions::default()).unwrap_err();
    assert_eq!(e.line, 4);
    assert!(matches!(e.kind, LdifErrorKind::DuplicateDn { .. }), "{e}");
    assert_eq!(
        e,
        read_in_parts(text, 1, ReadOptions::default()).unwrap_err()
    );
    // A record whose own error follows a duplicate DN reports the duplicate, as read whole.
    let text =
        "dn: CN=a,DC=x\nobjectClass: user\n\ndn: CN=a,DC=x\nobjectClass: user\nuSNChanged: x\n";
    let e = read_in_parts(text, 2, ReadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, LdifErrorKind::DuplicateDn { .. }), "{e}");
    assert_eq!(
        e,
        read_in_parts(text, 1, ReadOptions::default()).unwrap_err()
    );
}

#[test]
fn newlines_are_counted_eight_bytes_at_a_time_exactly() {
    let text = "a\n\n\x0b\n\u{8a}\n\u{fe}\nxyz\n\n\n\n\n\n\n\n\n\x09\x0a\x0b\n";
    for start in 0..8 {
        let bytes = &text.as_bytes()[start..];
        #[expect(
            clippy::naive_bytecount,
            reason = "the byte-by-byte count is the reference"
        )]
        let plain = bytes.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(count_newlines(bytes), plain, "from {start}");
    }
    assert_eq!(count_newlines(&[0x8a; 64]), 0);
    assert_eq!(count_newlines(&[b'\n'; 64]), 64);
}
