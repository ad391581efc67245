//! A file surveyed in windows gives the survey of its whole text, or `None` (read it whole)
//! exactly when that survey fails; records longer than the window grow it.

use super::super::chunks::tests::ldif;
use super::super::survey::survey;
use super::*;
use crate::rng::proptest_cases;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `read_at` over bytes in memory, as a file would read them.
fn reader(bytes: &[u8]) -> impl Fn(&mut [u8], u64) -> io::Result<()> + Sync + '_ {
    move |buf: &mut [u8], offset: u64| {
        let start = usize::try_from(offset).map_err(io::Error::other)?;
        let src = bytes
            .get(start..start + buf.len())
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

fn windows(bytes: &[u8], stretches: usize, window: usize) -> Option<LdifSurvey> {
    survey_windows_with(bytes.len(), &reader(bytes), stretches, window)
}

/// A directory whose groups are long records: `members` values each.
fn long_records(groups: usize, members: usize) -> String {
    let mut text = String::from("version: 1\n\ndn: DC=contoso,DC=com\nobjectClass: domainDNS\n");
    for g in 0..groups {
        let _ = write!(
            text,
            "\ndn: CN=Group {g},DC=contoso,DC=com\nobjectClass: group\n\
             sAMAccountName: group{g}\nmail: group{g}@contoso.com\n"
        );
        for m in 0..members {
            let _ = writeln!(text, "member: CN=User {m},OU=Staff,DC=contoso,DC=com");
        }
    }
    for u in 0..members.min(500) {
        let _ = write!(
            text,
            "\ndn: CN=User {u},OU=Staff,DC=contoso,DC=com\nobjectClass: user\n\
             sAMAccountName: user{u}\nuserPrincipalName: user{u}@contoso.com\n"
        );
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases(64)))]

    /// Messy LDIF (folded lines, base64, comments, CRLF, change records, errors) in any
    /// number of stretches and windows of any size: the whole text's survey, or `None` when
    /// that is an error.
    #[test]
    fn messy_ldif_surveys_in_windows_as_it_surveys_whole(
        seed in any::<u64>(),
        records in 1u64..80,
        stretches in 1usize..12,
        window in 16usize..600,
    ) {
        let text = ldif(seed, records);
        let whole = survey(&text).ok();
        prop_assert_eq!(windows(text.as_bytes(), stretches, window), whole);
    }
}

#[test]
fn the_messy_texts_hold_clean_files_and_errors() {
    let results: Vec<_> = (0..40)
        .map(|seed| survey(&ldif(seed, 30)).is_ok())
        .collect();
    assert!(results.iter().any(|ok| *ok) && results.iter().any(|ok| !ok));
}

#[test]
fn a_record_longer_than_the_window_grows_it() {
    let text = long_records(3, 3_000);
    let record = text.find("\n\ndn: CN=Group 1").unwrap() - text.find("dn: CN=Group 0").unwrap();
    assert!(record > 100_000, "{record}");
    let whole = survey(&text).unwrap();
    for stretches in [1, 2, 5] {
        assert_eq!(
            windows(text.as_bytes(), stretches, 4096),
            Some(whole.clone())
        );
    }
    // One stretch from the start: the window doubled until a group fitted, and no more than
    // twice that.
    let mut buf = Vec::new();
    let parts = stretch(
        text.len(),
        &reader(text.as_bytes()),
        None,
        None,
        4096,
        &mut buf,
    )
    .unwrap();
    assert!(
        buf.len() >= record && buf.len() < 4 * record,
        "{}",
        buf.len()
    );
    assert!(parts.len() > 3);
}

#[test]
fn each_window_is_cut_at_a_record_start() {
    let text = long_records(0, 50);
    let bytes = text.as_bytes();
    let mut buf = Vec::new();
    let parts = stretch(bytes.len(), &reader(bytes), None, None, 256, &mut buf).unwrap();
    // Many windows, one part each; together they hold every record once.
    assert!(parts.len() > 10, "{}", parts.len());
    let records: usize = parts.iter().map(|p| p.records_count).sum();
    assert_eq!(records, text.matches("\ndn: ").count());
    // The rule the cuts follow: the last start in the window, after a blank line.
    assert_eq!(last_record_start(b"x\n\ndn: a\nb: c\n\ndn: b\nc"), Some(15));
    assert_eq!(last_record_start(b"x\n\ndn: a\n# c\ndn: b\n"), Some(3));
    assert_eq!(last_record_start(b"x\r\n\r\nDN: a\n\ndn"), Some(5));
    assert_eq!(last_record_start(b"dn: a\nb: c\n"), None);
}

#[test]
fn files_the_windows_do_not_read_are_left_to_the_whole_reading() {
    let clean = long_records(1, 20);
    assert!(windows(clean.as_bytes(), 2, 64).is_some());
    // A byte order mark, UTF-16, invalid UTF-8, an error: read whole.
    let bom = format!("\u{feff}{clean}");
    assert_eq!(windows(bom.as_bytes(), 2, 64), None);
    assert!(survey_bytes_ok(bom.as_bytes()));
    let utf16: Vec<u8> = clean.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(windows(&utf16, 2, 64), None);
    let mut bad = clean.clone().into_bytes();
    let at = bad.len() - 10;
    bad[at] = 0xff;
    assert_eq!(windows(&bad, 2, 64), None);
    let error = clean.replace("objectClass: group", "objectClass: group\nno colon");
    assert_eq!(windows(error.as_bytes(), 2, 64), None);
    // The first record beyond the head.
    let late = format!("{}{clean}", "# comment\n".repeat(HEAD / 8));
    assert_eq!(windows(late.as_bytes(), 2, 64), None);
    assert!(survey(&late).is_ok());
}

fn survey_bytes_ok(bytes: &[u8]) -> bool {
    super::super::survey::survey_bytes(bytes).is_ok()
}

#[test]
fn a_read_that_fails_leaves_the_file_to_the_whole_reading() {
    let text = long_records(2, 300);
    let bytes = text.as_bytes();
    let reads = AtomicUsize::new(0);
    let plain = reader(bytes);
    let failing = |buf: &mut [u8], offset: u64| {
        if reads.fetch_add(1, Ordering::Relaxed) == 5 {
            return Err(io::Error::other("disk gone"));
        }
        plain(buf, offset)
    };
    assert_eq!(survey_windows_with(bytes.len(), &failing, 3, 512), None);
    assert!(windows(bytes, 3, 512).is_some());
}

/// Objects leave only their keys: two entries that share a DN (or objectGUID) leave the file
/// to the whole reading, which names both.
#[test]
fn entries_that_share_a_key_leave_the_file_to_the_whole_reading() {
    let clean = long_records(0, 200);
    assert!(windows(clean.as_bytes(), 4, 256).is_some());
    let again =
        "\ndn: CN=User 3,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: x\n";
    let duplicate = format!("{clean}{again}");
    assert!(survey(&duplicate).is_err());
    assert_eq!(windows(duplicate.as_bytes(), 4, 256), None);
    let ou = "\ndn: OU=Staff,DC=contoso,DC=com\nobjectClass: organizationalUnit\n";
    let user_named_as_ou = format!("{clean}{ou}{}", ou.replace("organizationalUnit", "user"));
    assert!(survey(&user_named_as_ou).is_err());
    assert_eq!(windows(user_named_as_ou.as_bytes(), 4, 256), None);
}
