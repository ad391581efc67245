//! A real Active Directory domain controller on loopback: Samba, provisioned into a scratch
//! folder, filled with users, contacts, groups (one of more than 2,000 members, so the read needs
//! ranged retrieval) and an OU, then read over LDAPS and over LDAP with StartTLS, both checked
//! against the LDIF export of the same directory; then `upgrade-lab inspect --ldap` against the
//! DC reports what `inspect` of the export reports.
//!
//! Needs Debian's `samba`, `ldb-tools` and `ldap-utils` (and `openssl` for the test CA) and root (Samba's DC
//! binds port 389 and 636 on 127.0.0.1). Without them the test says so and passes, except under
//! `CI=true`, where `.ci/run` installs them and a missing one is a failure.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use support::samba::*;
use upgrade_lab_ldap::{LdapReadError, LdapSource, read_directory};
use upgrade_lab_model::Secret;

/// The directory with its lists in one order (servers may return entries in any order).
fn canonical(mut d: upgrade_lab_model::Directory) -> upgrade_lab_model::Directory {
    d.objects.sort_by_key(|o| o.guid);
    d.organizational_units.sort_by_key(|o| o.guid);
    d
}

/// `inspect --ldap` (password from the environment) and `inspect` of ldapsearch's export give
/// the same JSON report.
fn inspect_live_equals_inspect_export(dir: &Path) {
    let bin = env!("CARGO_BIN_EXE_upgrade-lab");
    let export = dir.join("export.ldif");
    fs::write(&export, ldapsearch_export(dir)).unwrap();
    let from_file = run(
        Command::new(bin)
            .args(["inspect", "--format", "json"])
            .arg(&export),
        "inspect export.ldif",
    );
    let live = run(
        Command::new(bin)
            .env("UPGRADE_LAB_LDAP_PASSWORD", ADMIN_PASSWORD)
            .args([
                "inspect",
                "--format",
                "json",
                "--ldap",
                "ldaps://127.0.0.1:636",
            ])
            .args(["--bind-dn", "Administrator@lab.test", "--ca-file"])
            .arg(dir.join("ca.pem")),
        "inspect --ldap",
    );
    let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
    let (mut live_json, mut file_json) = (json(&live), json(&from_file));
    let mut skipped = (
        live_json["ldif_skipped"].take(),
        file_json["ldif_skipped"].take(),
    );
    // `ldapsearch -LLL` leaves the search continuation references out of its LDIF (they are
    // comments); the live read counts them (Samba refers to its DNS and configuration
    // partitions).
    assert!(
        skipped.0["references"].as_u64().is_some_and(|n| n >= 1),
        "{}",
        skipped.0
    );
    skipped.0["references"] = 0.into();
    assert_eq!(
        live_json, file_json,
        "inspect --ldap reports what inspect of the export does"
    );
    assert_eq!(
        skipped.0, skipped.1,
        "and skips the same entries and values"
    );
    assert!(!live.contains(ADMIN_PASSWORD));
}

fn source(url: &str, dir: &Path) -> LdapSource {
    let mut s = LdapSource::new(url);
    s.bind_dn = Some(format!("Administrator@{}", REALM.to_ascii_lowercase()));
    s.password = Some(Secret::new(ADMIN_PASSWORD));
    s.ca_file = Some(dir.join("ca.pem"));
    s
}

#[test]
fn a_live_samba_dc_reads_like_its_ldif_export() {
    if !available() {
        return;
    }
    let (dc, dir) = lab_dc("samba");
    let from_ldif = canonical(
        upgrade_lab_simulator::ldif::read_directory(&ldapsearch_export(&dir))
            .expect("the export reads")
            .directory,
    );

    let ldaps = read_directory(&source("ldaps://127.0.0.1:636", &dir)).expect("LDAPS read");
    let mut starttls = source("ldap://127.0.0.1:389", &dir);
    starttls.starttls = true;
    let over_starttls = read_directory(&starttls).expect("StartTLS read");

    let users = ldaps
        .import
        .directory
        .objects
        .iter()
        .filter(|o| o.kind == upgrade_lab_model::ObjectKind::User)
        .count();
    assert!(users >= USERS, "{users} users");
    let big = ldaps
        .import
        .directory
        .objects
        .iter()
        .find(|o| o.attrs.sam_account_name() == Some("biggroup"))
        .expect("the big group");
    assert_eq!(
        big.attrs.member.len(),
        BIG_GROUP_MEMBERS,
        "every member, through ranged retrieval"
    );
    assert!(
        ldaps.ranged_values >= BIG_GROUP_MEMBERS - 1_500,
        "ranged retrieval fetched {}",
        ldaps.ranged_values
    );
    assert_eq!(ldaps.base, BASE, "the base is the defaultNamingContext");
    assert_eq!(
        canonical(ldaps.import.directory),
        from_ldif,
        "LDAP and LDIF give the same model"
    );
    assert_eq!(canonical(over_starttls.import.directory), from_ldif);

    let mut wrong = source("ldaps://127.0.0.1:636", &dir);
    wrong.password = Some(Secret::new("not-the-password"));
    let e = read_directory(&wrong).unwrap_err();
    assert!(matches!(e, LdapReadError::Bind { .. }), "{e}");
    assert!(!e.to_string().contains("not-the-password"), "{e}");
    let mut untrusted = source("ldaps://127.0.0.1:636", &dir);
    untrusted.ca_file = None;
    let e = read_directory(&untrusted).unwrap_err();
    assert!(
        matches!(e, LdapReadError::Connect { .. }),
        "a certificate of an unknown CA is refused: {e}"
    );

    inspect_live_equals_inspect_export(&dir);

    drop(dc);
    let e = read_directory(&source("ldaps://127.0.0.1:636", &dir)).unwrap_err();
    assert!(matches!(e, LdapReadError::Connect { .. }), "{e}");
    let _ = fs::remove_dir_all(&dir);
}
