//! Record-layer tests: what each line shape of RFC 2849 reads as.

use super::*;

/// A record as owned data: kind, dn, attribute lines.
type OwnedRecord = (RecordKind, String, Vec<(String, RawValue<'static>)>);

fn all(text: &str) -> Result<Vec<OwnedRecord>, LdifError> {
    let mut r = Records::new(text);
    let mut rec = Record::default();
    let mut out = Vec::new();
    while r.next_into(&mut rec)? {
        let attrs = rec
            .attrs()
            .iter()
            .map(|a| {
                let v = match &a.value {
                    RawValue::Text(t) => RawValue::Text(Cow::Owned(t.to_string())),
                    RawValue::Base64(t) => RawValue::Base64(Cow::Owned(t.to_string())),
                };
                (a.name.to_string(), v)
            })
            .collect();
        out.push((rec.kind, rec.dn.to_string(), attrs));
    }
    Ok(out)
}

fn text(v: &str) -> RawValue<'static> {
    RawValue::Text(Cow::Owned(v.to_string()))
}

#[test]
fn folded_lines_lose_exactly_one_space() {
    let recs = all("dn: CN=a,DC=x\ndescription: one\n  two\n three\n").unwrap();
    assert_eq!(
        recs[0].2,
        vec![("description".into(), text("one twothree"))]
    );
}

#[test]
fn folded_dn_and_folded_attribute_name_join() {
    let recs = all("dn: CN=a,\n DC=x\ndescr\n iption: v\n").unwrap();
    assert_eq!(recs[0].1, "CN=a,DC=x");
    assert_eq!(recs[0].2, vec![("description".into(), text("v"))]);
}

#[test]
fn spaces_after_the_colon_options_and_base64() {
    let recs =
        all("dn:: Q049Wm/DqyxEQz14\nlDAPDisplayName:  sudoNotBefore\nobjectGUID;binary:: AAEC\n")
            .unwrap();
    assert_eq!(recs[0].1, "CN=Zoë,DC=x");
    assert_eq!(
        recs[0].2,
        vec![
            ("lDAPDisplayName".into(), text("sudoNotBefore")),
            (
                "objectGUID".into(),
                RawValue::Base64(Cow::Owned("AAEC".into()))
            ),
        ]
    );
}

#[test]
fn crlf_lf_mixed_comments_version_and_blank_lines() {
    let t = "\r\n# comment\r\n folded comment\r\nversion: 1\r\n\r\ndn: CN=a\r\ncn: a\n\n\n# c\ndn: CN=b\r\ncn: b\r\n\r\n\r\n";
    let recs = all(t).unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].1, "CN=b");
    assert_eq!(recs[1].2, vec![("cn".into(), text("b"))]);
}

#[test]
fn version_may_be_followed_directly_by_a_record() {
    let recs = all("version: 1\ndn: CN=a\ncn: a").unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].2, vec![("cn".into(), text("a"))]);
}

#[test]
fn change_records_and_references_are_recognised() {
    let t = "dn:\nchangetype: modify\nadd: schemaUpdateNow\nschemaUpdateNow: 1\n-\n\nref: ldap:///DC=x\n\ndn: CN=a\ncontrol: 1.2.3 true\nchangetype: add\ncn: a\n\ndn: CN=b\nchangetype: delete\n";
    let recs = all(t).unwrap();
    let kinds: Vec<RecordKind> = recs.iter().map(|r| r.0).collect();
    assert_eq!(
        kinds,
        vec![
            RecordKind::Change(ChangeType::Modify),
            RecordKind::Reference,
            RecordKind::Entry,
            RecordKind::Change(ChangeType::Delete)
        ]
    );
    assert_eq!(recs[0].1, "");
    assert_eq!(recs[2].2, vec![("cn".into(), text("a"))]);
}

#[test]
fn empty_input_has_no_records() {
    assert!(all("").unwrap().is_empty());
    assert!(all("\n\r\n# only a comment\n").unwrap().is_empty());
}

#[test]
fn the_name_table_holds_exactly_letters_digits_hyphen_and_dot() {
    for b in 0..=255u8 {
        let plain = b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
        assert_eq!(NAME_BYTE[usize::from(b)], plain, "byte {b}");
    }
}
