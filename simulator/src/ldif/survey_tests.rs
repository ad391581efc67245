//! The survey gives what the passes over the directory `read_directory` returns give:
//! `Directory::counts`, `Scope::why_out` and `validate::find_defects`, the same domains and
//! skip counts, and the same first error, on generated directories (with every planted defect
//! kind) and on generated LDIF with errors at every place a part may start.

use super::super::chunks::tests::ldif;
use super::super::read::{LdifImport, ReadOptions, read_in_parts};
use super::super::write_directory;
use super::*;
use crate::generate::{DirectorySpec, PlantedDefects, generate};
use crate::rng::proptest_cases;
use proptest::prelude::*;
use std::fmt::Write as _;
use upgrade_lab_model::validate::find_defects;

/// What the model path reports for `import`: the survey built from the directory's passes.
fn from_directory(import: LdifImport) -> LdifSurvey {
    let d = import.directory;
    let scope = Scope::everything();
    let mut out_of_default_scope = BTreeMap::new();
    for o in &d.objects {
        if let Some(reason) = scope.why_out(o) {
            *out_of_default_scope.entry(reason.label()).or_default() += 1;
        }
    }
    LdifSurvey {
        counts: d.counts(),
        defects: find_defects(&d),
        forest: d.forest,
        domains: d.domains,
        out_of_default_scope,
        skipped: import.skipped,
    }
}

fn ldif_of(spec: &DirectorySpec) -> String {
    let directory = generate(spec).unwrap();
    let mut out = Vec::new();
    write_directory(&directory, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The survey of `text` in `parts` parts against the model path's, from text and from bytes
/// (whose parts' lines are counted only when an error needs them).
fn assert_agree(text: &str, parts: usize) {
    let model = read_in_parts(text, 1, ReadOptions::default()).map(from_directory);
    assert_eq!(survey_in_parts(text, parts), model);
    assert_eq!(survey_utf8_in_parts(text.as_bytes(), parts), model);
}

#[test]
fn a_generated_directory_with_every_defect_kind_surveys_as_its_directory_reports() {
    let spec = DirectorySpec {
        seed: 7,
        users: 2_000,
        groups: 150,
        contacts: 60,
        domains: vec!["contoso.com".into(), "emea.contoso.com".into()],
        disabled_per_mille: 90,
        no_sync_users: 7,
        service_accounts: 3,
        defects: PlantedDefects {
            duplicate_upns: 4,
            duplicate_proxy_addresses: 5,
            invalid_upns: 6,
            oversized_groups: 0,
            too_many_proxy_addresses: 2,
        },
        ..DirectorySpec::default()
    };
    let text = ldif_of(&spec);
    let survey = survey_in_parts(&text, 7).unwrap();
    // The planted defects are there to compare, not an empty report against an empty one.
    assert_eq!(survey.defects.duplicate_upns.len(), 4);
    assert!(survey.defects.duplicate_proxy_addresses.len() >= 5);
    assert!(survey.defects.invalid_values.len() >= 6);
    assert_eq!(survey.defects.too_many_proxy_addresses.len(), 2);
    assert!(survey.counts.disabled_users > 0 && survey.counts.by_domain.len() == 2);
    assert!(!survey.out_of_default_scope.is_empty());
    for parts in [1, 2, 7, 64] {
        assert_agree(&text, parts);
    }
}

#[test]
fn a_group_at_the_member_limit_surveys_as_oversized() {
    let spec = DirectorySpec {
        seed: 3,
        users: 50_100,
        groups: 2,
        contacts: 0,
        defects: PlantedDefects {
            oversized_groups: 1,
            ..PlantedDefects::default()
        },
        ..DirectorySpec::default()
    };
    let text = ldif_of(&spec);
    let survey = survey_in_parts(&text, 4).unwrap();
    assert_eq!(survey.defects.oversized_groups.len(), 1);
    assert_agree(&text, 4);
}

/// A survey that differs from the model path's in one count must fail the comparison: the
/// check above is not vacuous.
#[test]
fn a_changed_count_or_holder_fails_the_agreement() {
    let spec = DirectorySpec {
        seed: 11,
        users: 300,
        groups: 20,
        contacts: 10,
        defects: PlantedDefects {
            duplicate_upns: 2,
            ..PlantedDefects::default()
        },
        ..DirectorySpec::default()
    };
    let text = ldif_of(&spec);
    let model = from_directory(read_in_parts(&text, 1, ReadOptions::default()).unwrap());
    let survey = survey_in_parts(&text, 3).unwrap();
    assert_eq!(survey, model);
    let mut wrong = survey.clone();
    wrong.counts.disabled_users += 1;
    assert_ne!(wrong, model);
    let mut wrong = survey;
    wrong.defects.duplicate_upns[0].holders.reverse();
    assert_ne!(wrong, model);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases(64)))]

    /// Messy LDIF (folded lines, base64, comments, CRLF, change records, errors): the same
    /// result or the same first error as the model path, in any number of parts.
    #[test]
    fn messy_ldif_surveys_as_it_reads(
        seed in any::<u64>(),
        records in 1u64..80,
        parts in 1usize..100,
    ) {
        let text = ldif(seed, records);
        let model = read_in_parts(&text, 1, ReadOptions::default()).map(from_directory);
        prop_assert_eq!(survey_in_parts(&text, parts), model.clone());
        prop_assert_eq!(survey_utf8_in_parts(text.as_bytes(), parts), model);
    }

    #[test]
    fn generated_directories_survey_as_they_read(
        seed in any::<u64>(),
        users in 0u32..400,
        groups in 0u32..40,
        contacts in 0u32..30,
        parts in 1usize..16,
    ) {
        let spec = DirectorySpec {
            seed,
            users,
            groups,
            contacts,
            disabled_per_mille: 100,
            ..DirectorySpec::default()
        };
        assert_agree(&ldif_of(&spec), parts);
    }
}

/// Two users, far enough apart to land in different parts, with `second` written after
/// `first`'s record and filler between them.
fn two_users(first: &str, second: &str) -> String {
    let mut text = String::from("version: 1\n\n");
    text.push_str(first);
    for i in 0..2_000 {
        let _ = write!(
            text,
            "\ndn: CN=filler{i},DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: f{i}\n"
        );
    }
    text.push('\n');
    text.push_str(second);
    text
}

#[test]
fn duplicate_dns_and_object_guids_across_parts_are_the_errors_a_reading_reports() {
    let guid = "objectGUID: 6f8e3ac4-0000-4000-8000-000000000001\n";
    let ann = format!("dn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\n{guid}");
    let bob = format!("dn: CN=Bob,DC=contoso,DC=com\nobjectClass: user\n{guid}");
    let ann_again = "dn: cn=ANN,DC=contoso,DC=com\nobjectClass: user\n";
    for text in [two_users(&ann, &bob), two_users(&ann, ann_again)] {
        let read = read_in_parts(&text, 1, ReadOptions::default()).unwrap_err();
        for parts in [1, 2, 8] {
            assert_eq!(survey_in_parts(&text, parts).unwrap_err(), read);
            assert_eq!(
                survey_utf8_in_parts(text.as_bytes(), parts).unwrap_err(),
                read
            );
        }
    }
}

#[test]
fn bytes_that_are_not_utf8_in_a_later_part_give_the_error_of_the_whole_text() {
    let mut bytes = two_users("dn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\n", "").into_bytes();
    bytes.extend_from_slice(b"dn: CN=B\xFFb,DC=contoso,DC=com\nobjectClass: user\n");
    let expected = super::super::text::decode(&bytes).unwrap_err();
    assert!(super::super::chunks::split_bytes(&bytes, 4).len() > 1);
    for survey in [true, false] {
        let e = merged_bytes(&bytes, 4, survey).map(|_| ()).unwrap_err();
        assert_eq!(e, expected);
    }
    assert_eq!(survey_bytes(&bytes).unwrap_err(), expected);
    assert_eq!(
        super::super::read_directory_bytes(&bytes).unwrap_err(),
        expected
    );
}

/// The values the survey checks but does not keep (`manager`, the extras, the extension
/// attributes, the texts no count reads): the same result or error as the model path, each
/// error far enough into the text to lie in a later part.
#[test]
fn values_checked_but_not_kept_fail_or_pass_as_they_read() {
    let good = "manager: CN=Ann,DC=contoso,DC=com\nco: Norway\nauthOrig: CN=a\nauthOrig: CN=b\n\
                extensionAttribute3: x\ndescription: one\ndescription: two\ntitle:: VGl0bGU=\n\
                company:: /w==\n";
    let bad = [
        "manager: CN=Ann,DC=contoso,DC=com\nmanager: CN=Bob,DC=contoso,DC=com\n",
        "manager:: not base64!\n",
        "co: Norway\nco: Sweden\n",
        "company:: not base64!\n",
        "extensionAttribute3: x\nextensionAttribute3: y\n",
        "extensionAttribute4:: /w==\n",
        "title: a\ntitle: b\n",
        "displayName:: /w==\n",
    ];
    for (i, extra) in std::iter::once(good).chain(bad).enumerate() {
        let user = format!("dn: CN=U{i},DC=contoso,DC=com\nobjectClass: user\n{extra}");
        let text = two_users("dn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\n", &user);
        let model = read_in_parts(&text, 1, ReadOptions::default()).map(from_directory);
        assert_eq!(model.is_ok(), i == 0, "{extra}");
        for parts in [1, 3] {
            assert_eq!(survey_in_parts(&text, parts), model, "{extra}");
            assert_eq!(
                survey_utf8_in_parts(text.as_bytes(), parts),
                model,
                "{extra}"
            );
        }
    }
}

/// Every default scope rule meets an object it leaves out and one it keeps, from the values
/// the survey keeps of them (`kept_by_survey`): a contact mail-enabled by `mail` only or by
/// its primary SMTP address only, users without `sAMAccountName` or named as sync accounts,
/// a critical system object.
#[test]
fn the_default_scope_rules_read_what_the_survey_keeps() {
    let records = [
        "CN=C1,DC=contoso,DC=com\nobjectClass: contact\nmail: c1@contoso.com",
        "CN=C2,DC=contoso,DC=com\nobjectClass: contact\nproxyAddresses: SMTP:c2@contoso.com",
        "CN=C3,DC=contoso,DC=com\nobjectClass: contact\nmail: none\nproxyAddresses: smtp:c3@x.com",
        "CN=U1,DC=contoso,DC=com\nobjectClass: user\ndisplayName: no sam",
        "CN=U2,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: MSOL_1234",
        "CN=U3,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: u3\nuserAccountControl: 514",
        "CN=G1,DC=contoso,DC=com\nobjectClass: group\nisCriticalSystemObject: TRUE",
    ];
    let mut text = String::new();
    for r in records {
        let _ = write!(text, "dn: {r}\n\n");
    }
    let survey = survey_in_parts(&text, 1).unwrap();
    let out = &survey.out_of_default_scope;
    assert_eq!(out.values().sum::<usize>(), 4, "{out:?}");
    assert_eq!(out.len(), 4, "{out:?}");
    assert_eq!(survey.counts.disabled_users, 1);
    assert_agree(&text, 1);
}
