//! Property: any directory the model can hold, written as LDIF and read back, is the same
//! directory; and writing what was read gives the same bytes.

use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::Arc;
use upgrade_lab_model::TextBuilder;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{
    Attributes, Directory, DirectoryObject, Domain, ObjectGuid, ObjectKind, OrganizationalUnit,
    Value, dn,
};
use upgrade_lab_simulator::ldif::{read_directory_bytes, time, write_directory};

/// Text with what LDIF finds hard: commas, colons, `<`, `#`, quotes, backslashes, non-ASCII,
/// tabs, CR and LF, leading and trailing spaces; sometimes long enough to fold.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[ a-zA-Z0-9,:<>#=+\"\\\\;éüß–\t\n\r.@-]{0,16}",
        1 => "[a-zA-Z ,é]{60,140}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    text().prop_map(Value::from)
}

fn opt_value() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(value())
}

fn guid() -> impl Strategy<Value = ObjectGuid> {
    any::<[u8; 16]>().prop_map(ObjectGuid::from_bytes)
}

/// Attributes other than `member` and `manager`, which name other objects.
fn attributes() -> impl Strategy<Value = Attributes> {
    let names = (
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
    );
    let org = (
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
        opt_value(),
        proptest::collection::vec(value(), 0..4),
    );
    let flags = (
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<i32>()),
        proptest::collection::btree_map(1u8..=15, value(), 0..4),
        proptest::option::of(guid()),
        any::<bool>(),
    );
    (names, org, flags).prop_map(|(n, o, f)| {
        let mut a = Attributes::with_texts({
            let mut b = TextBuilder::default();
            let singles = [
                (Field::Cn, n.0),
                (Field::SamAccountName, n.1),
                (Field::UserPrincipalName, n.2),
                (Field::Mail, n.3),
                (Field::DisplayName, n.4),
                (Field::GivenName, n.5),
                (Field::Sn, n.6),
                (Field::Department, o.0),
                (Field::Title, o.1),
                (Field::City, o.2),
                (Field::TelephoneNumber, o.3),
                (Field::Description, o.4),
            ];
            for (field, value) in singles {
                if let Some(v) = value {
                    b.set(field, &v);
                }
            }
            for p in &o.5 {
                b.set(Field::ProxyAddresses, p);
            }
            for (k, v) in &f.2 {
                b.set(Field::Extension(*k), v);
            }
            b.finish()
        });
        a.set_user_account_control(f.0);
        a.set_group_type(f.1);
        a.set_consistency_guid(f.3);
        a.set_critical_system_object(f.4);
        a
    })
}

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}"
}

/// One forest root and up to two child domains (longer names, so the root stays the forest).
fn domains() -> impl Strategy<Value = Vec<Domain>> {
    (
        label(),
        label(),
        proptest::collection::vec((label(), proptest::option::of("[A-Z0-9]{1,15}")), 0..3),
    )
        .prop_map(|(a, b, children)| {
            let root = format!("{a}.{b}");
            let mut out = vec![Domain {
                netbios_name: Value::from(a.to_uppercase()),
                dns_name: Value::from(root.as_str()),
            }];
            for (i, (c, netbios)) in children.into_iter().enumerate() {
                let name = format!("{c}{i}.{root}");
                let default =
                    c.to_uppercase().chars().take(14).collect::<String>() + &i.to_string();
                out.push(Domain {
                    dns_name: Value::from(name.as_str()),
                    netbios_name: Value::from(netbios.unwrap_or(default)),
                });
            }
            out
        })
}

/// An object before its DN-valued attributes are resolved.
type ObjectSeed = (
    ObjectKind,
    String,
    Index,
    ObjectGuid,
    Attributes,
    Vec<Index>,
    Option<Index>,
    (u64, u64),
);

fn object_seed() -> impl Strategy<Value = ObjectSeed> {
    (
        prop_oneof![
            Just(ObjectKind::User),
            Just(ObjectKind::Group),
            Just(ObjectKind::Contact)
        ],
        text(),
        any::<Index>(),
        guid(),
        attributes(),
        proptest::collection::vec(any::<Index>(), 0..24),
        proptest::option::of(any::<Index>()),
        (any::<u64>(), 0..=time::MAX_MS),
    )
}

fn directory() -> impl Strategy<Value = Directory> {
    (
        domains(),
        proptest::collection::vec((text(), any::<Index>(), guid()), 0..4),
        proptest::collection::vec(object_seed(), 0..10),
    )
        .prop_map(|(domains, ou_seeds, object_seeds)| {
            let domain_dns: Vec<String> = domains.iter().map(Domain::dn).collect();
            let ous: Vec<OrganizationalUnit> = ou_seeds
                .into_iter()
                .enumerate()
                .map(|(i, (name, parent, guid))| OrganizationalUnit {
                    guid,
                    dn: Value::from(format!(
                        "OU={},{}",
                        dn::escape(&format!("{name} {i}")),
                        parent.get(&domain_dns)
                    )),
                })
                .collect();
            let parents: Vec<String> = ous
                .iter()
                .map(|o| o.dn.to_string())
                .chain(domain_dns.iter().cloned())
                .collect();
            let dns: Vec<Value> = object_seeds
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let rdn = dn::escape(&format!("{} {i}", s.1));
                    Value::from(format!("CN={rdn},{}", s.2.get(&parents)))
                })
                .collect();
            // Members name objects of this directory and one outside it.
            let outside = Value::from(format!("CN=Outside\\, Someone,{}", domain_dns[0]));
            let targets: Vec<Value> = dns.iter().cloned().chain([outside]).collect();
            let objects = object_seeds
                .into_iter()
                .zip(&dns)
                .map(
                    |((kind, _, _, guid, mut attrs, members, manager, (usn, when)), dn)| {
                        attrs.member = members.iter().map(|m| m.get(&targets).clone()).collect();
                        let manager = manager.map(|m| m.get(&targets).clone());
                        attrs.set_text(Field::Manager, manager.as_deref());
                        DirectoryObject {
                            guid,
                            kind,
                            dn: dn.clone(),
                            attrs: Arc::new(attrs),
                            usn_changed: usn,
                            when_changed_ms: when,
                        }
                    },
                )
                .collect();
            Directory {
                forest: domains[0].dns_name.clone(),
                domains,
                organizational_units: ous,
                objects,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        upgrade_lab_simulator::rng::proptest_cases(128)
    ))]

    #[test]
    fn any_directory_written_as_ldif_reads_back_equal(dir in directory()) {
        let mut out = Vec::new();
        write_directory(&dir, &mut out).unwrap();
        let import = read_directory_bytes(&out)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&out))))?;
        prop_assert_eq!(&import.directory, &dir);
        prop_assert_eq!(import.skipped.records(), 0);
        prop_assert!(import.skipped.attribute_values.is_empty());
        // The writer keeps every line within 78 columns.
        let text = std::str::from_utf8(&out).unwrap();
        prop_assert!(text.split("\r\n").all(|l| l.len() <= 78));
        let mut again = Vec::new();
        write_directory(&import.directory, &mut again).unwrap();
        prop_assert_eq!(again, out);
    }
}
