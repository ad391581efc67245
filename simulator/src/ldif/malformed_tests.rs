//! Malformed input: each case names what is wrong, the line (and column) where, and what to do,
//! and none of them panics.

use super::*;

fn err(text: &str) -> LdifError {
    match read_directory(text) {
        Ok(import) => panic!("expected an error, read {:?}", import.directory),
        Err(e) => e,
    }
}

const USER: &str = "dn: CN=Ann,OU=Sales,DC=contoso,DC=com\nobjectClass: user\n";

#[test]
fn a_record_without_dn_is_refused_at_its_first_line() {
    let e = err("objectClass: user\ncn: Ann\n");
    assert_eq!((e.line, e.column), (1, None));
    assert_eq!(e.kind, LdifErrorKind::MissingDn("objectClass".into()));
    assert_eq!(
        e.to_string(),
        "LDIF line 1: the record starts with `objectClass:` but every record must begin with `dn:` (or `ref:` for a search reference); add the missing `dn:` line"
    );
}

#[test]
fn a_later_record_with_attributes_but_no_dn_is_refused() {
    let e = err(&format!("{USER}\n\ncn: Bob\nobjectClass: user\n"));
    assert_eq!(e.line, 5);
    assert_eq!(e.kind, LdifErrorKind::MissingDn("cn".into()));
}

#[test]
fn an_attribute_line_without_colon_is_shown() {
    let e = err(&format!("{USER}sAMAccountName ann\n"));
    assert_eq!(e.line, 3);
    assert_eq!(
        e.to_string(),
        "LDIF line 3: line `sAMAccountName ann` has no colon; every line of a record must read `attribute: value` (or `attribute:: base64`)"
    );
}

#[test]
fn bad_base64_names_the_attribute_and_column() {
    let e = err(&format!("{USER}displayName:: not*base64\n"));
    assert_eq!((e.line, e.column), (3, Some(15)));
    assert!(matches!(&e.kind, LdifErrorKind::BadBase64(a, _) if a == "displayName"));
    assert!(
        e.to_string().starts_with(
            "LDIF line 3, column 15: the base64 value of `displayName` does not decode ("
        ),
        "{e}"
    );
    assert!(e.to_string().ends_with("check the value after `::`"), "{e}");
}

#[test]
fn a_continuation_line_before_any_record_is_refused() {
    let e = err(" dn: CN=Ann,DC=contoso,DC=com\n");
    assert_eq!(e.line, 1);
    assert_eq!(e.kind, LdifErrorKind::ContinuationBeforeRecord);
    let e = err(&format!("{USER}\n continued\n"));
    assert_eq!(e.line, 4);
    assert_eq!(
        e.to_string(),
        "LDIF line 4: a continuation line (starting with one space) follows a blank line or starts the file, so there is no line for it to continue; remove the leading space or the blank line before it"
    );
}

#[test]
fn an_object_guid_of_the_wrong_length_is_refused() {
    let e = err(&format!("{USER}objectGUID:: AAECAw==\n"));
    assert_eq!((e.line, e.column), (3, Some(14)));
    assert_eq!(
        e.to_string(),
        "LDIF line 3, column 14: `objectGUID` must hold a 16-byte GUID, this one has 4 bytes; export the attribute again in binary form"
    );
}

#[test]
fn an_object_guid_text_that_is_not_a_guid_is_refused() {
    let e = err(&format!("{USER}objectGUID: f28780cd-c87a\n"));
    assert_eq!(e.line, 3);
    assert_eq!(
        e.kind,
        LdifErrorKind::BadGuidText {
            attribute: "objectGUID".into(),
            value: "f28780cd-c87a".into()
        }
    );
}

#[test]
fn a_consistency_guid_of_the_wrong_length_is_refused() {
    let e = err(&format!("{USER}mS-DS-ConsistencyGuid:: AAEC\n"));
    assert_eq!(e.line, 3);
    assert_eq!(
        e.kind,
        LdifErrorKind::BadGuidLength {
            attribute: "mS-DS-ConsistencyGuid".into(),
            bytes_count: 3
        }
    );
}

#[test]
fn invalid_utf8_in_a_plain_value_points_at_line_and_column() {
    let mut bytes = USER.as_bytes().to_vec();
    bytes.extend_from_slice(b"cn: Ann\xE9\n");
    let e = read_directory_bytes(&bytes).unwrap_err();
    assert_eq!((e.line, e.column), (3, Some(8)));
    assert_eq!(
        e.to_string(),
        "LDIF line 3, column 8: the file is not valid UTF-8; save it as UTF-8 (or as UTF-16 with a byte order mark, as `ldifde -u` writes)"
    );
}

#[test]
fn base64_text_that_is_not_utf8_is_refused() {
    let e = err(&format!("{USER}displayName:: /w==\n"));
    assert_eq!(e.line, 3);
    assert_eq!(e.kind, LdifErrorKind::NotUtf8("displayName".into()));
    let e = err("dn:: /w==\nobjectClass: user\n");
    assert_eq!((e.line, e.kind), (1, LdifErrorKind::NotUtf8("dn".into())));
}

#[test]
fn a_plain_value_starting_with_less_than_is_refused() {
    let e = err(&format!("{USER}description: <b>bold</b>\n"));
    assert_eq!((e.line, e.column), (3, Some(14)));
    assert_eq!(
        e.to_string(),
        "LDIF line 3, column 14: the value of `description` starts with `<`, which RFC 2849 forbids in a plain value; write `description:: <base64>` (or `description:< url` for a URL, which this reader does not fetch)"
    );
}

#[test]
fn a_url_value_is_reported_as_unsupported_and_not_fetched() {
    let e = err(&format!("{USER}jpegPhoto:< file:///etc/passwd\n"));
    assert_eq!((e.line, e.column), (3, Some(11)));
    assert_eq!(
        e.to_string(),
        "LDIF line 3, column 11: the value of `jpegPhoto` is a URL (`:<`), which this reader does not fetch; put the value in the file (base64 with `::` if binary)"
    );
}

#[test]
fn a_dn_that_is_not_well_formed_is_refused() {
    let e = err("dn: Ann Smith\nobjectClass: user\n");
    assert_eq!(e.line, 1);
    assert_eq!(e.kind, LdifErrorKind::DnNotWellFormed("Ann Smith".into()));
    assert!(e.to_string().ends_with("; fix the dn"), "{e}");
}

#[test]
fn a_duplicate_dn_names_both_lines_whatever_the_case() {
    let e = err(&format!(
        "{USER}\ndn: cn=ann,ou=sales,dc=CONTOSO,dc=com\nobjectClass: user\n"
    ));
    assert_eq!(e.line, 4);
    assert_eq!(
        e.to_string(),
        "LDIF line 4: the dn `cn=ann,ou=sales,dc=CONTOSO,dc=com` was already used by the record at line 1; every entry needs its own dn, remove or rename one of them"
    );
}

#[test]
fn an_unknown_changetype_is_refused() {
    let e = err("dn: CN=Ann,DC=contoso,DC=com\nchangetype: upsert\n");
    assert_eq!((e.line, e.column), (2, Some(13)));
    assert_eq!(
        e.to_string(),
        "LDIF line 2, column 13: unknown changetype `upsert`; use add, delete, modify, modrdn or moddn (RFC 2849), or drop the line for a plain entry"
    );
}

#[test]
fn a_changetype_after_attributes_is_refused() {
    let e = err(&format!("{USER}changetype: add\n"));
    assert_eq!((e.line, e.kind), (3, LdifErrorKind::ChangetypeMisplaced));
}

#[test]
fn a_bad_version_line_is_refused() {
    let e = err("version: 2\n\ndn: CN=Ann,DC=contoso,DC=com\n");
    assert_eq!((e.line, e.column), (1, Some(10)));
    assert_eq!(
        e.to_string(),
        "LDIF line 1, column 10: bad version line `2`: only `version: 1` exists; fix or remove the line"
    );
    let e = err(&format!("{USER}\nversion: 1\n"));
    assert_eq!((e.line, e.kind), (4, LdifErrorKind::VersionNotFirst));
}

#[test]
fn a_separator_outside_a_modify_record_is_refused() {
    let e = err(&format!("{USER}-\ncn: Ann\n"));
    assert_eq!(e.line, 3);
    assert_eq!(
        e.to_string(),
        "LDIF line 3: `-` separates modifications and is only allowed in a `changetype: modify` record; remove it or add `changetype: modify`"
    );
}

#[test]
fn a_bad_attribute_name_points_at_the_bad_character() {
    let e = err(&format!("{USER}given name: Ann\n"));
    assert_eq!((e.line, e.column), (3, Some(6)));
    assert_eq!(e.kind, LdifErrorKind::BadAttributeName("given name".into()));
}

#[test]
fn a_second_value_of_a_single_valued_attribute_is_refused() {
    let e = err(&format!(
        "{USER}sAMAccountName: ann\nsamaccountname: ann2\n"
    ));
    assert_eq!(e.line, 4);
    assert_eq!(
        e.to_string(),
        "LDIF line 4: `samaccountname` has a second value, but it holds only one; keep one `samaccountname:` line in this record"
    );
}

#[test]
fn numbers_booleans_and_times_that_do_not_parse_are_refused() {
    let e = err(&format!("{USER}userAccountControl: lots\n"));
    assert_eq!((e.line, e.column), (3, Some(21)));
    assert_eq!(
        e.to_string(),
        "LDIF line 3, column 21: `userAccountControl` value `lots` is not a whole number (the userAccountControl flags); fix the value"
    );
    let e = err(&format!("{USER}isCriticalSystemObject: yes\n"));
    assert_eq!(e.line, 3);
    assert!(e.to_string().contains("is not TRUE or FALSE"), "{e}");
    let e = err(&format!("{USER}whenChanged: 20150230000000.0Z\n"));
    assert_eq!(e.line, 3);
    assert!(e.to_string().contains("is not a real calendar date"), "{e}");
    let e = err(&format!("{USER}groupType: 99999999999\n"));
    assert!(e.to_string().contains("is not a 32-bit flag value"), "{e}");
    let e = err(&format!("{USER}uSNChanged: -1\n"));
    assert!(e.to_string().contains("an update sequence number"), "{e}");
}

#[test]
fn broken_utf16_is_refused_with_a_line() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "dn: x\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    bytes.push(b'x');
    let e = read_directory_bytes(&bytes).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        e.kind,
        LdifErrorKind::InvalidUtf16("an odd number of bytes")
    );
}

#[test]
fn values_of_dropped_attributes_are_not_decoded_so_they_cannot_fail() {
    let import = read_directory(&format!("{USER}logonHours:: not*base64\n")).unwrap();
    assert_eq!(import.skipped.attribute_values.get("logonHours"), Some(&1));
}

#[test]
fn a_kept_attribute_with_bad_base64_is_a_located_error() {
    // objectSid flows to Azure AD, so the reader keeps it and must decode it.
    let e = read_directory(&format!("{USER}objectSid:: not*base64\n")).unwrap_err();
    assert!(e.to_string().contains("objectSid"), "{e}");
    assert!(e.line > 1);
}

#[test]
fn an_entry_named_like_a_domain_is_refused() {
    // Found by fuzzing: an OU named `DC=i` read, and was written next to the domain `i`
    // derived from it under the same dn, so the file written did not read back.
    for class in ["organizationalUnit", "user", "group", "contact"] {
        let e = err(&format!("{USER}\ndn: dc=i\nobjectClass: {class}\n"));
        assert_eq!(e.line, 4, "{class}");
        assert_eq!(
            e.kind,
            LdifErrorKind::DcNamedEntry("dc=i".into()),
            "{class}"
        );
        assert!(
            e.to_string().contains("make the entry a `domainDNS`"),
            "{e}"
        );
    }
    read_directory("dn: DC=i\nobjectClass: domainDNS\n").unwrap();
}

#[test]
fn dc_components_that_spell_no_dns_name_are_refused() {
    // Found by fuzzing (AFL's corpus replayed): `DC=c .` read as the domain `c .`, written as
    // `DC=c\ ,DC=`, which reads back as another name.
    for (text, line) in [
        (
            format!("{USER}\ndn: N=,DC=c .\nobjectClass: organizationalUnit\n"),
            4,
        ),
        ("dn: DC=,DC=com\nobjectClass: domainDNS\n".to_string(), 1),
        (
            "dn: CN=a,DC=con\ttoso,DC=com\nobjectClass: user\n".to_string(),
            1,
        ),
    ] {
        let e = err(&text);
        assert_eq!(e.line, line, "{text}");
        assert!(
            matches!(&e.kind, LdifErrorKind::NotADnsName { .. }),
            "{text}: {e}"
        );
    }
    // Dots inside one component still spell a name: it writes back as two components.
    read_directory("dn: CN=a,DC=contoso.com\nobjectClass: user\n").unwrap();
}
