//! Mapping tests: how records become users, groups, contacts, OUs and domains, and what is
//! counted instead of kept.

use super::*;
use std::sync::Arc;
use upgrade_lab_model::{ObjectGuid, ObjectKind};

fn read(text: &str) -> LdifImport {
    read_directory(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_root_dse_and_change_records_are_counted_not_kept() {
    let import =
        read("dn:\nobjectClass: top\n\ndn: CN=a,DC=x\nchangetype: delete\n\nref: ldap:///DC=y\n");
    assert_eq!(import.skipped.root_dse, 1);
    assert_eq!(import.skipped.changes_by_changetype.get("delete"), Some(&1));
    assert_eq!(import.skipped.references, 1);
    assert_eq!(import.skipped.records(), 3);
    assert_eq!(import.records_count, 3);
    assert!(import.directory.objects.is_empty() && import.directory.domains.is_empty());
    assert_eq!(&*import.directory.forest, "");
}

#[test]
fn attribute_names_are_case_insensitive_and_options_ignored() {
    let import = read(
        "dn: CN=a,DC=x\nOBJECTCLASS: User\nsamaccountname: a\nExtensionAttribute15: z\nextensionattribute2: y\nobjectGUID;binary:: 6Gd2SrsmeEiT3Hmh/5hTqw==\nextensionAttribute16: dropped\nextensionAttribute02: dropped\n",
    );
    let o = &import.directory.objects[0];
    assert_eq!(o.kind, ObjectKind::User);
    assert_eq!(o.attrs.sam_account_name(), Some("a"));
    let ext: Vec<(u8, &str)> = o.attrs.extension_attributes().collect();
    assert_eq!(ext, vec![(2, "y"), (15, "z")]);
    assert_eq!(o.guid.immutable_id().as_str(), "6Gd2SrsmeEiT3Hmh/5hTqw==");
    let dropped = &import.skipped.attribute_values;
    assert_eq!(dropped.get("extensionAttribute16"), Some(&1));
    assert_eq!(dropped.get("extensionAttribute02"), Some(&1));
}

#[test]
fn a_second_description_is_counted_and_case_variants_merge_under_the_first_spelling() {
    let import = read(
        "dn: CN=a,DC=x\nobjectClass: contact\ndescription: one\ndescription: two\nfoo: 1\n\ndn: CN=b,DC=x\nobjectClass: contact\nFOO: 2\nFoo: 3\n",
    );
    let o = &import.directory.objects[0];
    assert_eq!(o.kind, ObjectKind::Contact);
    assert_eq!(o.attrs.description(), Some("one"));
    let dropped: Vec<(&str, usize)> = import
        .skipped
        .attribute_values
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(dropped, vec![("description", 1), ("foo", 3)]);
}

#[test]
fn domains_come_from_records_and_dn_suffixes_and_the_shortest_is_the_forest() {
    let import = read(
        "dn: DC=emea,DC=contoso,DC=com\nobjectClass: domainDNS\nnETBIOSName: EUROPE\n\ndn: CN=a,OU=x,DC=Contoso,DC=com\nobjectClass: user\n\ndn: OU=y,DC=apac,DC=contoso,DC=com\nobjectClass: organizationalUnit\n\ndn: DC=DomainDnsZones,DC=contoso,DC=com\nobjectClass: domainDNS\n",
    );
    let d = &import.directory;
    let domains: Vec<(&str, &str)> = d
        .domains
        .iter()
        .map(|d| (&*d.dns_name, &*d.netbios_name))
        .collect();
    assert_eq!(
        domains,
        vec![
            ("emea.contoso.com", "EUROPE"),
            ("contoso.com", "CONTOSO"),
            ("apac.contoso.com", "APAC")
        ]
    );
    assert_eq!(&*d.forest, "contoso.com");
    assert_eq!(
        import
            .skipped
            .entries_by_object_class
            .get("domainDNS (application partition)"),
        Some(&1)
    );
}

#[test]
fn computers_are_skipped_even_though_they_are_users() {
    let import = read(
        "dn: CN=ws,DC=x\nobjectClass: top\nobjectClass: user\nobjectClass: computer\n\ndn: CN=gmsa,DC=x\nobjectClass: msDS-GroupManagedServiceAccount\nobjectClass: computer\n",
    );
    assert!(import.directory.objects.is_empty());
    assert_eq!(
        import.skipped.entries_by_object_class.get("computer"),
        Some(&2)
    );
}

#[test]
fn text_and_base64_guids_and_consistency_guids_agree() {
    let import = read(
        "dn: CN=a,DC=x\nobjectClass: user\nobjectGUID: {4A7667E8-26BB-4878-93DC-79A1FF9853AB}\nms-DS-ConsistencyGuid:: 6Gd2SrsmeEiT3Hmh/5hTqw==\n",
    );
    let o = &import.directory.objects[0];
    let expected = ObjectGuid::from_base64_windows("6Gd2SrsmeEiT3Hmh/5hTqw==").unwrap();
    assert_eq!(o.guid, expected);
    assert_eq!(o.attrs.consistency_guid(), Some(expected));
}

#[test]
fn extended_dns_lose_their_guid_and_sid_components() {
    let import = read(
        "dn: <GUID=4a7667e8-26bb-4878-93dc-79a1ff9853ab>;CN=a,DC=x\nobjectClass: user\n\ndn: CN=g,DC=x\nobjectClass: group\nmember: <GUID=4a7667e8-26bb-4878-93dc-79a1ff9853ab>;<SID=S-1-5-21-1>;CN=a,DC=x\n",
    );
    let d = &import.directory;
    assert_eq!(&*d.objects[0].dn, "CN=a,DC=x");
    assert!(Arc::ptr_eq(&d.objects[1].attrs.member[0], &d.objects[0].dn));
}

#[test]
fn flags_read_signed_or_unsigned_and_times_with_offsets() {
    let import = read(
        "dn: CN=g,DC=x\nobjectClass: group\ngroupType: 2147483656\nuSNChanged: 18446744073709551615\nwhenChanged: 19700101010000+0100\n\ndn: CN=u,DC=x\nobjectClass: user\nuserAccountControl: -1\nisCriticalSystemObject: false\n",
    );
    let d = &import.directory;
    assert_eq!(d.objects[0].attrs.group_type(), Some(-2_147_483_640));
    assert_eq!(d.objects[0].usn_changed, u64::MAX);
    assert_eq!(d.objects[0].when_changed_ms, 0);
    assert_eq!(d.objects[1].attrs.user_account_control(), Some(u32::MAX));
    assert!(!d.objects[1].attrs.is_critical_system_object());
}

#[test]
fn a_utf8_bom_in_text_or_bytes_is_ignored() {
    let text = "\u{FEFF}version: 1\ndn: CN=a,DC=x\nobjectClass: user\n";
    assert_eq!(read(text).directory.objects.len(), 1);
    assert_eq!(
        read_directory_bytes(text.as_bytes()).unwrap().directory,
        read(text).directory
    );
}

#[test]
fn entries_without_object_class_are_counted_under_none() {
    let import = read("dn: CN=Guest,CN=Users,DC=x\nuserParameters:: AAAA\n");
    assert_eq!(
        import.skipped.entries_by_object_class.get("(none)"),
        Some(&1)
    );
    // Dropped attributes are only counted on modelled entries.
    assert!(import.skipped.attribute_values.is_empty());
}

#[test]
fn member_values_share_one_allocation_but_keep_their_own_text() {
    let import = read(
        "dn: CN=g1,DC=x\nobjectClass: group\nmember: CN=u,DC=x\nmember: CN=out,DC=y\n\ndn: CN=g2,DC=x\nobjectClass: group\nmember: CN=out,DC=y\nmember: cn=U,dc=x\n\ndn: CN=u,DC=x\nobjectClass: user\n",
    );
    let o = &import.directory.objects;
    let (g1, g2, u) = (&o[0].attrs, &o[1].attrs, &o[2]);
    // A forward reference points at the user's own dn.
    assert!(Arc::ptr_eq(&g1.member[0], &u.dn));
    // A DN outside the file is stored once for both groups.
    assert!(Arc::ptr_eq(&g1.member[1], &g2.member[0]));
    // Another spelling of the same name keeps its text.
    assert_eq!(&*g2.member[1], "cn=U,dc=x");
}

/// Without the sharing pass the directory is the same; only the allocations differ.
#[test]
fn reading_without_sharing_dn_values_gives_an_equal_directory() {
    let text = "dn: CN=g1,DC=x\nobjectClass: group\nmember: CN=u,DC=x\n\ndn: CN=u,DC=x\nobjectClass: user\nmanager: CN=g1,DC=x\n";
    let shared = read(text);
    let unshared = read_directory_with(text, ReadOptions::sharing_dn_values(false)).unwrap();
    assert_eq!(unshared, shared);
    let o = &unshared.directory.objects;
    assert!(!Arc::ptr_eq(&o[0].attrs.member[0], &o[1].dn));
    let o = &shared.directory.objects;
    assert!(Arc::ptr_eq(&o[0].attrs.member[0], &o[1].dn));
    // A manager naming an object of the file shares its DN too.
    assert!(Arc::ptr_eq(o[1].attrs.manager_value().unwrap(), &o[0].dn));
    assert_eq!(o[1].attrs.manager(), Some("CN=g1,DC=x"));
}

#[test]
fn a_second_manager_value_is_refused() {
    let text = "dn: CN=u,DC=x\nobjectClass: user\nmanager: CN=a,DC=x\nmanager: CN=b,DC=x\n";
    let err = read_directory_with(text, ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("manager"), "{err}");
}

#[test]
fn every_attribute_either_product_flows_is_kept_in_the_sparse_store() {
    let import = read(
        "dn: CN=a,OU=Staff,DC=x\nobjectClass: user\nsAMAccountName: a\ncompany: Contoso\nc: NL\nco: Netherlands\nst: Noord-Holland\nmobile: +31 6 1234\nemployeeID: E-17\nphysicalDeliveryOfficeName: Amsterdam 3\notherTelephone: 1\notherTelephone: 2\nobjectSid:: AQUAAAAAAAUVAAAA/w==\nunicodePwd: dropped\n",
    );
    let a = &import.directory.objects[0].attrs;
    let get = |name: &str| {
        let id = upgrade_lab_model::attribute_flow::by_ad_name(name).unwrap();
        a.values(id)
            .iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(get("company"), ["Contoso"]);
    assert_eq!(get("C"), ["NL"]);
    assert_eq!(get("co"), ["Netherlands"]);
    assert_eq!(get("st"), ["Noord-Holland"]);
    assert_eq!(get("mobile"), ["+31 6 1234"]);
    assert_eq!(get("employeeID"), ["E-17"]);
    assert_eq!(get("physicalDeliveryOfficeName"), ["Amsterdam 3"]);
    assert_eq!(get("otherTelephone"), ["1", "2"]);
    // A binary value is kept as its base64 text, as Azure AD receives it.
    assert_eq!(get("objectSid"), ["AQUAAAAAAAUVAAAA/w=="]);
    assert_eq!(
        a.get_text("physicalDeliveryOfficeName").as_deref(),
        Some("Amsterdam 3")
    );
    // What neither product flows is still dropped and counted.
    assert_eq!(import.skipped.attribute_values.get("unicodePwd"), Some(&1));
}

#[test]
fn a_second_record_with_the_same_object_guid_is_an_error_naming_both() {
    let text = "dn: CN=a,DC=x\nobjectClass: user\nobjectGUID:: 6Gd2SrsmeEiT3Hmh/5hTqw==\n\n\
                dn: CN=b,DC=x\nobjectClass: contact\nobjectGUID:: 6Gd2SrsmeEiT3Hmh/5hTqw==\n";
    let e = read_directory(text).unwrap_err();
    let message = e.to_string();
    assert_eq!(e.line, 5, "{message}");
    assert!(message.contains("`CN=b,DC=x`"), "{message}");
    assert!(
        message.contains("`CN=a,DC=x` (the record at line 1)"),
        "{message}"
    );
    assert!(
        message.contains("fix or remove one of the two records"),
        "{message}"
    );
}

#[test]
fn a_second_value_of_a_single_valued_kept_attribute_is_an_error() {
    let e =
        read_directory("dn: CN=a,DC=x\nobjectClass: user\ncompany: A\ncompany: B\n").unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.to_string().contains("`company` has a second value"),
        "{e}"
    );
    // A multi-valued one takes every value.
    let ok = read("dn: CN=a,DC=x\nobjectClass: user\notherMobile: 1\notherMobile: 2\n");
    let id = upgrade_lab_model::attribute_flow::by_ad_name("otherMobile").unwrap();
    assert_eq!(ok.directory.objects[0].attrs.values(id).len(), 2);
}

#[test]
fn entries_below_a_dns_application_partition_belong_to_the_domain_holding_it() {
    // Found by fuzzing: a group below `DC=DomainDnsZones` gave a domain `domaindnszones…`,
    // whose record, written, read back as the partition (skipped) and changed the domains.
    let text = "dn: CN=g,DC=DomainDnsZones,DC=contoso,DC=com\nobjectClass: group\n\n\
                dn: CN=h,DC=ForestDnsZones;DC=fabrikam,DC=com\nobjectClass: group\n\n\
                dn: CN=i,DC=DomainDnsZones\nobjectClass: group\n";
    let import = read(text);
    let names: Vec<&str> = import
        .directory
        .domains
        .iter()
        .map(|d| &*d.dns_name)
        .collect();
    assert_eq!(names, ["contoso.com", "fabrikam.com"]);
    let mut out = Vec::new();
    crate::ldif::write_directory(&import.directory, &mut out).unwrap();
    let again = read(std::str::from_utf8(&out).unwrap());
    assert_eq!(again.directory, import.directory);
}

#[test]
fn a_domain_record_whose_first_dc_is_a_dns_partition_is_the_partition() {
    // Found by fuzzing: `N="",DC=DomainDnsZones,C=` read as the domain `domaindnszones`,
    // written as `DC=domaindnszones`, which reads back as the partition (skipped); the same
    // with `DC=DomainDnsZones.=`, written as `DC=domaindnszones,DC=\=`.
    for dn in [
        r#"N="",DC=DomainDnsZones,C="#,
        r#"DC="ForestDnsZones",DC=contoso,DC=com"#,
        r"DC=DomainDnsZone\73,DC=contoso,DC=com",
        // A dot inside one component: the name's first label is the partition's.
        r#"N="",DC=DomainDnsZones.="#,
    ] {
        let import = read(&format!("dn: {dn}\nobjectClass: domainDNS\n"));
        assert!(import.directory.domains.is_empty(), "{dn}");
        assert_eq!(
            import
                .skipped
                .entries_by_object_class
                .keys()
                .collect::<Vec<_>>(),
            ["domainDNS (application partition)"],
            "{dn}"
        );
    }
}
