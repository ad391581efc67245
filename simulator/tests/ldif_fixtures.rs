//! The hand-written fixtures (`fixtures/ldif/`, see its README): each quirk real tools produce
//! and the real sample files do not cover, read to exact values.

use std::sync::Arc;
use upgrade_lab_model::{DirectoryObject, ObjectGuid, ObjectKind};
use upgrade_lab_simulator::ldif::{
    LdifImport, guid_from_dn, read_directory, read_directory_bytes, write_directory,
};

const LDIFDE: &[u8] = include_bytes!("fixtures/ldif/ldifde-export-crlf.ldif");
const VERSION1: &[u8] = include_bytes!("fixtures/ldif/version1-base64-dn.ldif");
const SAMBA: &[u8] = include_bytes!("fixtures/ldif/samba-text-guids.ldif");
const UTF16: &[u8] = include_bytes!("fixtures/ldif/ldifde-unicode-utf16.ldif");

fn read(bytes: &[u8]) -> LdifImport {
    read_directory_bytes(bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn by_dn<'d>(import: &'d LdifImport, dn: &str) -> &'d DirectoryObject {
    import
        .directory
        .objects
        .iter()
        .find(|o| &*o.dn == dn)
        .unwrap_or_else(|| panic!("no object {dn}"))
}

fn guid(text: &str) -> ObjectGuid {
    ObjectGuid::parse_text(text).expect("a GUID")
}

#[test]
fn the_fixture_bytes_keep_their_quirks() {
    assert!(LDIFDE.starts_with(b"\r\ndn: DC=contoso,DC=com\r\nchangetype: add\r\n"));
    let text = std::str::from_utf8(LDIFDE).unwrap();
    assert!(
        text.split("\r\n")
            .all(|l| l.len() <= 78 && !l.contains('\n'))
    );
    assert_eq!(text.matches("changetype: add").count(), 11);
    assert!(VERSION1.starts_with(b"# Written by hand") && !VERSION1.ends_with(b"\n"));
    assert!(UTF16.starts_with(&[0xFF, 0xFE, b'\r', 0, b'\n', 0]));
}

#[test]
fn an_ldifde_export_reads_domain_ous_users_contact_and_group() {
    let import = read(LDIFDE);
    let d = &import.directory;
    assert_eq!(import.records_count, 11);
    assert_eq!(&*d.forest, "contoso.com");
    assert_eq!(d.domains.len(), 1);
    assert_eq!(
        (&*d.domains[0].dns_name, &*d.domains[0].netbios_name),
        ("contoso.com", "CONTOSO")
    );
    let ous: Vec<(&str, ObjectGuid)> = d
        .organizational_units
        .iter()
        .map(|o| (&*o.dn, o.guid))
        .collect();
    assert_eq!(
        ous,
        vec![
            (
                "OU=Sales,DC=contoso,DC=com",
                guid("0f1e2d3c-4b5a-4969-8778-695a4b3c2d1e")
            ),
            (
                r"OU=R\, D,OU=Sales,DC=contoso,DC=com",
                guid("11111111-2222-4333-8444-555555555555")
            ),
        ]
    );
    let kinds: Vec<(ObjectKind, &str)> = d.objects.iter().map(|o| (o.kind, &*o.dn)).collect();
    assert_eq!(
        kinds,
        vec![
            (
                ObjectKind::User,
                r"CN=Smith\, John,OU=R\, D,OU=Sales,DC=contoso,DC=com"
            ),
            (
                ObjectKind::User,
                r"CN=Ng\+Lee\, Ada,OU=Sales,DC=contoso,DC=com"
            ),
            (
                ObjectKind::User,
                r#"CN=Quote\"d\0AName,OU=Sales,DC=contoso,DC=com"#
            ),
            (
                ObjectKind::Contact,
                "CN=Partner Contact,OU=Sales,DC=contoso,DC=com"
            ),
            (
                ObjectKind::Group,
                "CN=Sales Team,OU=Sales,DC=contoso,DC=com"
            ),
            (
                ObjectKind::User,
                "CN=Administrator,CN=Users,DC=contoso,DC=com"
            ),
        ]
    );
    let skipped = &import.skipped;
    assert_eq!(skipped.entries_by_object_class.get("computer"), Some(&1));
    assert_eq!(skipped.entries_by_object_class.get("container"), Some(&1));
    assert_eq!(skipped.records(), 2);
    for (name, n) in [
        ("objectSid", 1),
        ("instanceType", 2),
        ("objectCategory", 1),
        ("sAMAccountType", 1),
        ("name", 2),
        ("dc", 1),
    ] {
        assert_eq!(skipped.attribute_values.get(name), Some(&n), "{name}");
    }
    // targetAddress flows to Azure AD: the contact keeps it.
    let partner = by_dn(&import, "CN=Partner Contact,OU=Sales,DC=contoso,DC=com");
    assert_eq!(
        partner.attrs.get_text("targetAddress").as_deref(),
        Some("SMTP:partner@fabrikam.com")
    );
    assert_eq!(skipped.attribute_values.get("targetAddress"), None);
}

#[test]
fn an_ldifde_user_reads_every_modelled_attribute_exactly() {
    let import = read(LDIFDE);
    let john = by_dn(
        &import,
        r"CN=Smith\, John,OU=R\, D,OU=Sales,DC=contoso,DC=com",
    );
    let a = &john.attrs;
    assert_eq!(john.guid, guid("4a7667e8-26bb-4878-93dc-79a1ff9853ab"));
    assert_eq!(
        john.guid.immutable_id().as_str(),
        "6Gd2SrsmeEiT3Hmh/5hTqw=="
    );
    assert_eq!(john.usn_changed, 40112);
    // 2024-03-02T10:11:12Z
    assert_eq!(john.when_changed_ms, 1_709_374_272_000);
    assert_eq!(a.cn(), Some("Smith, John"));
    assert_eq!(a.sn(), Some("Smith"));
    assert_eq!(a.given_name(), Some("John"));
    assert_eq!(a.display_name(), Some("Smith, John"));
    assert_eq!(a.title(), Some("Engineer"));
    assert_eq!(
        a.description(),
        Some(
            "Builds the \"widgets\" line and keeps the long descriptions that ldifde folds at its width"
        )
    );
    assert_eq!(a.department(), Some("R&D"));
    assert_eq!(a.city(), Some("Zürich"));
    assert_eq!(
        a.manager(),
        Some(r"CN=Ng\+Lee\, Ada,OU=Sales,DC=contoso,DC=com")
    );
    assert_eq!(a.user_account_control(), Some(512));
    assert!(!a.is_disabled());
    assert_eq!(a.sam_account_name(), Some("jsmith"));
    assert_eq!(a.user_principal_name(), Some("john.smith@contoso.com"));
    assert_eq!(a.mail(), Some("john.smith@contoso.com"));
    assert_eq!(a.telephone_number(), Some("+41 44 555 01 02"));
    let proxies: Vec<&str> = a.proxy_addresses().collect();
    assert_eq!(
        proxies,
        vec!["SMTP:john.smith@contoso.com", "smtp:jsmith@contoso.com"]
    );
    assert_eq!(a.primary_smtp(), Some("john.smith@contoso.com"));
    let ext: Vec<(u8, &str)> = a.extension_attributes().collect();
    assert_eq!(ext, vec![(1, "HR"), (3, "EMP-0042")]);
    assert_eq!(
        a.consistency_guid(),
        Some(guid("0a0b0c0d-0e0f-4a1b-8c1d-1e1f2a2b2c2d"))
    );
    assert!(a.member.is_empty() && !a.is_critical_system_object());
}

#[test]
fn escapes_non_ascii_and_spaces_survive_in_dns_and_values() {
    let import = read(LDIFDE);
    let ada = by_dn(&import, r"CN=Ng\+Lee\, Ada,OU=Sales,DC=contoso,DC=com");
    assert_eq!(ada.attrs.cn(), Some("Ng+Lee, Ada"));
    assert_eq!(ada.attrs.display_name(), Some("Adà Ng+Lee"));
    assert_eq!(ada.attrs.user_account_control(), Some(514));
    assert!(ada.attrs.is_disabled());
    let quoted = by_dn(&import, r#"CN=Quote\"d\0AName,OU=Sales,DC=contoso,DC=com"#);
    assert_eq!(quoted.attrs.cn(), Some("Quote\"d\nName"));
    assert_eq!(
        upgrade_lab_model::dn::rdn_value(upgrade_lab_model::dn::rdns(&quoted.dn)[0]),
        "Quote\"d\nName"
    );
    assert_eq!(
        quoted.attrs.description(),
        Some(" leading space and trailing ")
    );
    assert_eq!((quoted.usn_changed, quoted.when_changed_ms), (0, 0));
    let contact = by_dn(&import, "CN=Partner Contact,OU=Sales,DC=contoso,DC=com");
    assert_eq!(contact.attrs.display_name(), Some("Partner – Fabrikam"));
    assert_eq!(contact.attrs.mail(), Some("partner@fabrikam.com"));
    let admin = by_dn(&import, "CN=Administrator,CN=Users,DC=contoso,DC=com");
    assert!(admin.attrs.is_critical_system_object());
}

#[test]
fn group_members_share_the_dn_of_the_objects_they_name() {
    let import = read(LDIFDE);
    let group = by_dn(&import, "CN=Sales Team,OU=Sales,DC=contoso,DC=com");
    assert_eq!(group.attrs.group_type(), Some(-2_147_483_646));
    assert_eq!(group.attrs.sam_account_name(), Some("Sales Team"));
    let members: Vec<&str> = group.attrs.member.iter().map(|m| &**m).collect();
    assert_eq!(
        members,
        vec![
            r"CN=Smith\, John,OU=R\, D,OU=Sales,DC=contoso,DC=com",
            r"CN=Ng\+Lee\, Ada,OU=Sales,DC=contoso,DC=com",
            "CN=Partner Contact,OU=Sales,DC=contoso,DC=com",
            // Folded at 78 columns in the file.
            "CN=Somebody Outside This Export With A Long Name,OU=Elsewhere,DC=contoso,DC=com",
        ]
    );
    let john = by_dn(&import, members[0]);
    assert!(Arc::ptr_eq(&group.attrs.member[0], &john.dn));
    let ada = by_dn(&import, members[1]);
    assert!(Arc::ptr_eq(&group.attrs.member[1], &ada.dn));
    // A manager is text in the packed store: equal to the DN it names, not shared with it.
    let john_manager = by_dn(&import, members[0]).attrs.manager().unwrap();
    assert_eq!(john_manager, &*ada.dn);
}

#[test]
fn version_line_comments_base64_dns_and_plain_utf8_read() {
    let import = read(VERSION1);
    let d = &import.directory;
    assert_eq!(import.records_count, 4);
    assert_eq!(import.skipped.changes_by_changetype.get("modify"), Some(&1));
    // No domain record: the domain comes from the DC= suffix of the entries.
    assert_eq!(&*d.forest, "fabrikam.com");
    assert_eq!(d.domains.len(), 1);
    assert_eq!(&*d.domains[0].netbios_name, "FABRIKAM");
    assert_eq!(
        &*d.organizational_units[0].dn,
        "OU=Zürich,DC=fabrikam,DC=com"
    );
    let zoe = by_dn(&import, "CN=Zoë Müller,OU=Zürich,DC=fabrikam,DC=com");
    let a = &zoe.attrs;
    assert_eq!(zoe.kind, ObjectKind::User);
    assert_eq!(a.cn(), Some("Zoë Müller"));
    assert_eq!(a.given_name(), Some("Zoë"));
    assert_eq!(a.sn(), Some("Müller"));
    assert_eq!(a.display_name(), Some("Zoë Müller (Zürich) – Ünïcödé"));
    assert_eq!(a.city(), Some("Zürich"));
    assert_eq!(
        a.description(),
        Some("plain UTF-8 text folded over two lines, ç included")
    );
    assert_eq!(a.user_account_control(), Some(512));
    assert_eq!(a.sam_account_name(), Some("zoe"));
    // No objectGUID in the file: a GUID derived from the DN, the same on every read.
    assert_eq!(
        zoe.guid,
        guid_from_dn("CN=Zoë Müller,OU=Zürich,DC=fabrikam,DC=com")
    );
    let group = by_dn(&import, "CN=No Guid,OU=Zürich,DC=fabrikam,DC=com");
    assert_eq!(group.kind, ObjectKind::Group);
    assert_eq!(group.attrs.group_type(), Some(-2_147_483_646));
    assert!(Arc::ptr_eq(&group.attrs.member[0], &zoe.dn));
    assert_eq!(
        group.guid,
        guid_from_dn("cn=no guid, ou=Zürich, dc=fabrikam, dc=com")
    );
}

#[test]
fn samba_text_guids_equal_the_base64_guids_of_ldifde() {
    let samba = read(SAMBA);
    let ldifde = read(LDIFDE);
    let dn = r"CN=Smith\, John,OU=R\, D,OU=Sales,DC=contoso,DC=com";
    let from_text = by_dn(&samba, dn);
    let from_base64 = by_dn(&ldifde, dn);
    assert_eq!(from_text.guid, from_base64.guid);
    assert_eq!(
        from_text.guid.immutable_id(),
        from_base64.guid.immutable_id()
    );
    assert_eq!(from_text.when_changed_ms, from_base64.when_changed_ms);
    assert_eq!(
        samba.directory.organizational_units[0].guid,
        ldifde.directory.organizational_units[1].guid
    );
}

#[test]
fn an_ldifde_unicode_export_in_utf16_reads_like_utf8() {
    let import = read(UTF16);
    let d = &import.directory;
    assert_eq!(&*d.forest, "contoso.es");
    let jose = by_dn(&import, "CN=José Núñez,OU=Ventas,DC=contoso,DC=es");
    assert_eq!(jose.attrs.display_name(), Some("José Núñez"));
    assert_eq!(jose.attrs.department(), Some("Ventas y Márketing"));
    assert_eq!(jose.guid, guid("c0ffee00-1234-4567-89ab-cdef01234567"));
    let group = by_dn(&import, "CN=Equipo Ñandú,OU=Ventas,DC=contoso,DC=es");
    assert_eq!(group.attrs.group_type(), Some(-2_147_483_640));
    assert!(Arc::ptr_eq(&group.attrs.member[0], &jose.dn));
    // The same text as UTF-8 reads to the same directory.
    let text = String::from_utf16(
        &UTF16[2..]
            .chunks(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(read_directory(&text).unwrap(), import);
}

#[test]
fn every_fixture_written_back_reads_to_the_same_directory() {
    for bytes in [LDIFDE, VERSION1, SAMBA, UTF16] {
        let first = read(bytes).directory;
        let mut out = Vec::new();
        write_directory(&first, &mut out).unwrap();
        let again = read_directory_bytes(&out).unwrap().directory;
        assert_eq!(again, first);
    }
}
