//! Reads four LDIF files real tools wrote and checks the counts `fixtures/ldif/README.md` gives
//! for them. Their licences (GPL-3.0-or-later, ISC-style) are not the project's, so they are not
//! in the repository: the README names each file's upstream repository, path and commit. Point
//! `UPGRADE_LAB_REAL_LDIF_DIR` at a folder holding them to run these tests; without it each test
//! says it skipped. The quirks they show are also covered by the project's own fixtures
//! (`ldif_fixtures.rs`) and the reader's unit tests (`src/ldif/parse_tests.rs`, `read_tests.rs`).

use std::path::PathBuf;
use upgrade_lab_model::ObjectKind;
use upgrade_lab_simulator::ldif::{LdifImport, read_directory_bytes};

/// The environment variable naming the folder with the real files.
const DIR_VAR: &str = "UPGRADE_LAB_REAL_LDIF_DIR";

fn fixtures() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os(DIR_VAR).map(PathBuf::from) else {
        eprintln!(
            "skipped: set {DIR_VAR} to a folder with the real LDIF files \
             (simulator/tests/fixtures/ldif/README.md says where each comes from)"
        );
        return None;
    };
    assert!(
        dir.is_dir(),
        "{DIR_VAR} is set but {} is not a folder",
        dir.display()
    );
    Some(dir)
}

fn read(dir: &std::path::Path, name: &str) -> LdifImport {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    read_directory_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn sssd_fake_ad_dump_has_21_groups_9_users_and_a_skipped_container() {
    let Some(dir) = fixtures() else { return };
    let import = read(&dir, "sssd-fakead-ad_data.ldif");
    let d = &import.directory;
    let counts = d.counts();
    assert_eq!((counts.groups, counts.users, counts.contacts), (21, 9, 0));
    assert_eq!(import.records_count, 31);
    assert_eq!(
        import.skipped.entries_by_object_class.get("container"),
        Some(&1)
    );
    assert_eq!(import.skipped.records(), 1);
    let by_group_type = |t: i32| {
        d.objects
            .iter()
            .filter(|o| o.attrs.group_type() == Some(t))
            .count()
    };
    assert_eq!(by_group_type(-2_147_483_646), 8);
    assert_eq!(by_group_type(-2_147_483_644), 6);
    assert_eq!(by_group_type(-2_147_483_640), 7);
    let trusts: Vec<&str> = d
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::User && o.attrs.user_account_control() == Some(2080))
        .filter_map(|o| o.attrs.sam_account_name())
        .collect();
    assert_eq!(trusts, vec!["CHILD1$", "SSSDAD_TREE$"]);
    // objectGUID:: is base64 of the Windows byte order, which is also the immutableId.
    let child1 = d
        .objects
        .iter()
        .find(|o| o.attrs.sam_account_name() == Some("CHILD1$"))
        .expect("CHILD1$");
    assert_eq!(
        child1.guid.immutable_id().as_str(),
        "ACE60RcYu0iZv4CMYPK+eg=="
    );
    assert_eq!(&*child1.dn, "cn=CHILD1$,cn=Users,dc=example,dc=com");
    assert_eq!(child1.usn_changed, 2_181_674);
    // whenChanged: 20160423221800.0Z
    assert_eq!(child1.when_changed_ms, 1_461_449_880_000);
    assert_eq!(&*d.forest, "example.com");
    assert_eq!(d.domains.len(), 1);
    assert_eq!(&*d.domains[0].netbios_name, "EXAMPLE");
    // Every entry but the container has an objectSid, which flows to Azure AD and is kept (as
    // base64 text); logonHours flows nowhere and is counted, not lost silently.
    let with_sid = d
        .objects
        .iter()
        .filter(|o| o.attrs.get_text("objectSid").is_some())
        .count();
    assert_eq!(with_sid, 30);
    assert_eq!(import.skipped.attribute_values.get("objectSid"), None);
    assert_eq!(import.skipped.attribute_values.get("logonHours"), Some(&1));
    assert!(
        d.objects
            .iter()
            .all(|o| o.when_changed_ms > 1_400_000_000_000)
    );
    let admin = d
        .objects
        .iter()
        .find(|o| o.attrs.sam_account_name() == Some("Administrator"))
        .expect("Administrator");
    assert!(admin.attrs.is_critical_system_object());
}

#[test]
fn sudo_schema_in_ldifde_format_reads_as_skipped_schema_records() {
    let Some(dir) = fixtures() else { return };
    let import = read(&dir, "sudo-schema.ActiveDirectory");
    assert_eq!(import.records_count, 12);
    assert!(import.directory.objects.is_empty());
    let s = &import.skipped;
    assert_eq!(s.entries_by_object_class.get("attributeSchema"), Some(&10));
    assert_eq!(s.entries_by_object_class.get("classSchema"), Some(&1));
    assert_eq!(s.changes_by_changetype.get("modify"), Some(&1));
    assert_eq!(s.records(), 12);
}

#[test]
fn samba_kcc_configuration_has_one_domain_and_counts_every_class() {
    let Some(dir) = fixtures() else { return };
    let import = read(&dir, "samba-kcc-multisite-config.ldif");
    let d = &import.directory;
    assert_eq!(import.records_count, 68);
    assert!(d.objects.is_empty());
    assert_eq!(d.domains.len(), 1);
    assert_eq!(&*d.forest, "ad.samba.example.com");
    let s = &import.skipped.entries_by_object_class;
    for (class, n) in [
        ("nTDSConnection", 18),
        ("nTDSDSA", 10),
        ("server", 10),
        ("crossRef", 5),
        ("site", 5),
        ("nTDSSiteSettings", 5),
        ("serversContainer", 5),
        ("interSiteTransport", 2),
        ("crossRefContainer", 1),
        ("siteLink", 1),
        ("configuration", 1),
        ("dMD", 1),
        ("(none)", 1),
        ("domainDNS (application partition)", 2),
    ] {
        assert_eq!(s.get(class), Some(&n), "{class}");
    }
    assert_eq!(import.skipped.records(), 67);
}

#[test]
fn samba_dbcheck_output_skips_its_three_search_references() {
    let Some(dir) = fixtures() else { return };
    let import = read(&dir, "samba-dbcheck-userParameters.ldif");
    assert_eq!(import.records_count, 6);
    assert_eq!(import.skipped.references, 3);
    // The three entries carry no objectClass, so they are not taken as users.
    assert_eq!(
        import.skipped.entries_by_object_class.get("(none)"),
        Some(&3)
    );
    assert!(import.directory.objects.is_empty());
}

#[test]
fn every_real_file_written_back_reads_to_the_same_directory() {
    let Some(dir) = fixtures() else { return };
    for name in [
        "sssd-fakead-ad_data.ldif",
        "sudo-schema.ActiveDirectory",
        "samba-kcc-multisite-config.ldif",
        "samba-dbcheck-userParameters.ldif",
    ] {
        let first = read(&dir, name).directory;
        let mut out = Vec::new();
        upgrade_lab_simulator::ldif::write_directory(&first, &mut out).unwrap();
        let again = read_directory_bytes(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.directory, first, "{name}");
    }
}
