//! The generated directory people read: a 20-object directory (seed 1) as JSON and as LDIF,
//! pinned so any change to names, layout, GUIDs or sampling is a deliberate, reviewed change.

use upgrade_lab_simulator::generate::{DirectorySpec, GroupShape, PlantedDefects, generate};

fn twenty_objects() -> DirectorySpec {
    DirectorySpec {
        seed: 1,
        users: 14,
        groups: 4,
        contacts: 2,
        domains: vec!["contoso.com".into(), "emea.contoso.com".into()],
        ou_depth: 2,
        ou_fan_out: 2,
        disabled_per_mille: 200,
        no_sync_users: 1,
        service_accounts: 1,
        group_shape: GroupShape {
            min_members: 1,
            mean_members: 3,
            max_members: 6,
            distribution_per_mille: 500,
            nesting_per_mille: 500,
            nesting_depth: 2,
        },
        defects: PlantedDefects {
            duplicate_upns: 1,
            duplicate_proxy_addresses: 1,
            invalid_upns: 1,
            oversized_groups: 0,
            too_many_proxy_addresses: 0,
        },
    }
}

#[test]
fn a_twenty_object_directory_as_json() {
    let directory = generate(&twenty_objects()).expect("the spec is valid");
    assert_eq!(directory.object_count(), 20);
    insta::assert_json_snapshot!("twenty_objects_seed_1", directory);
}

#[test]
fn a_twenty_object_directory_as_ldif() {
    let directory = generate(&twenty_objects()).expect("the spec is valid");
    let mut out = Vec::new();
    upgrade_lab_simulator::ldif::write_directory(&directory, &mut out).expect("in memory");
    let text = String::from_utf8(out).expect("the writer writes UTF-8");
    // ldifde's CRLF line endings, shown as LF so the snapshot reads (and diffs) as text.
    insta::assert_snapshot!("twenty_objects_seed_1_ldif", text.replace("\r\n", "\n"));
    let back = upgrade_lab_simulator::ldif::read_directory(&text).expect("reads back");
    assert_eq!(back.directory, directory);
}
