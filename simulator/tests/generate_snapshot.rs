//! The generated directory people read: a 20-object directory (seed 1) as JSON, pinned so any
//! change to names, layout, GUIDs or sampling is a deliberate, reviewed change.

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
