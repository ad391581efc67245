//! Invariants of the directory generator on small worlds: determinism (also across thread
//! counts), well-formed values everywhere a defect was not planted, planted defects counted
//! exactly, and references (`manager`, `member`) that point at real objects.

use proptest::prelude::*;
use rustc_hash::FxHashSet;
use upgrade_lab_model::constants::{GROUP_MEMBER_LIMIT, PROXY_ADDRESSES_MAX};
use upgrade_lab_model::validate::{find_defects, proxy_address_problem, upn_problem};
use upgrade_lab_model::{Directory, ObjectKind};
use upgrade_lab_simulator::generate::{
    DirectorySpec, GroupShape, PlantedDefects, SpecError, generate,
};

fn small_spec() -> impl Strategy<Value = DirectorySpec> {
    (
        any::<u64>(),
        (0u32..400, 0u32..60, 0u32..40),
        (0u32..4, 1u32..4, 1usize..3),
        (0u32..3, 0u32..3, 0u32..3, 0u32..3),
        (0u32..5, 0u32..3, 0u16..=1000, 0u16..=1000),
        (0u32..3, 0u32..10, 10u32..40),
    )
        .prop_map(
            |(seed, (users, groups, contacts), (depth, fan_out, domains), d, extra, shape)| {
                let (dup_upn, dup_proxy, invalid, too_many) = d;
                let (no_sync, service, disabled, nesting) = extra;
                let (min, mean_add, max) = shape;
                DirectorySpec {
                    seed,
                    users: users + 40,
                    groups,
                    contacts,
                    domains: ["contoso.com", "emea.contoso.com", "fabrikam.net"][..domains]
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect(),
                    ou_depth: depth,
                    ou_fan_out: fan_out,
                    disabled_per_mille: disabled,
                    no_sync_users: no_sync,
                    service_accounts: service,
                    group_shape: GroupShape {
                        min_members: min,
                        mean_members: (min + mean_add).min(max),
                        max_members: max,
                        distribution_per_mille: 300,
                        nesting_per_mille: nesting,
                        nesting_depth: 3,
                    },
                    defects: PlantedDefects {
                        duplicate_upns: dup_upn,
                        duplicate_proxy_addresses: dup_proxy,
                        invalid_upns: invalid,
                        oversized_groups: 0,
                        too_many_proxy_addresses: too_many,
                    },
                }
            },
        )
}

fn check_references(directory: &Directory) {
    let dns: FxHashSet<&str> = directory.objects.iter().map(|o| &*o.dn).collect();
    assert_eq!(dns.len(), directory.objects.len(), "DNs are unique");
    let guids: FxHashSet<_> = directory.objects.iter().map(|o| o.guid).collect();
    assert_eq!(
        guids.len(),
        directory.objects.len(),
        "objectGUIDs are unique"
    );
    for o in &directory.objects {
        if let Some(m) = o.attrs.manager() {
            assert!(dns.contains(m), "manager {m} of {} exists", o.dn);
        }
        for m in &o.attrs.member {
            assert!(dns.contains(&**m), "member {m} of {} exists", o.dn);
        }
        let unique: FxHashSet<&str> = o.attrs.member.iter().map(|m| &**m).collect();
        assert_eq!(
            unique.len(),
            o.attrs.member.len(),
            "members of {} are distinct",
            o.dn
        );
    }
    assert!(
        directory
            .objects
            .windows(2)
            .all(|w| w[0].usn_changed < w[1].usn_changed),
        "uSNChanged increases"
    );
}

proptest! {
    #[test]
    fn the_same_spec_gives_the_same_directory(spec in small_spec()) {
        let a = generate(&spec).unwrap();
        let b = generate(&spec).unwrap();
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn planted_defects_are_counted_exactly_and_nothing_else_is_wrong(spec in small_spec()) {
        let directory = generate(&spec).unwrap();
        let counts = directory.counts();
        prop_assert_eq!(counts.users, spec.users as usize);
        prop_assert_eq!(counts.groups, spec.groups as usize);
        prop_assert_eq!(counts.contacts, spec.contacts as usize);

        let report = find_defects(&directory);
        let d = &spec.defects;
        prop_assert_eq!(report.duplicate_upns.len(), d.duplicate_upns as usize);
        prop_assert!(report.duplicate_upns.iter().all(|x| x.holders.len() == 2));
        prop_assert_eq!(report.duplicate_proxy_addresses.len(), d.duplicate_proxy_addresses as usize);
        prop_assert_eq!(report.invalid_values.len(), d.invalid_upns as usize);
        prop_assert!(report.invalid_values.iter().all(|v| v.attribute == "userPrincipalName"));
        prop_assert_eq!(report.too_many_proxy_addresses.len(), d.too_many_proxy_addresses as usize);
        prop_assert!(report.oversized_groups.is_empty());

        let planted_upns: FxHashSet<&str> =
            report.invalid_values.iter().map(|v| v.value.as_str()).collect();
        for o in &directory.objects {
            if let Some(upn) = o.attrs.user_principal_name() {
                prop_assert!(upn_problem(upn).is_none() || planted_upns.contains(upn), "{}", upn);
            }
            for p in o.attrs.proxy_addresses() {
                prop_assert!(proxy_address_problem(p).is_none(), "{}", p);
            }
            if o.kind == ObjectKind::Contact {
                prop_assert!(o.attrs.primary_smtp().is_some_and(|m| m.contains('@')));
            }
        }
        let no_sync = directory.objects.iter()
            .filter(|o| o.attrs.extension_attribute(15).is_some_and(|v| v == "NoSync"))
            .count();
        prop_assert_eq!(no_sync, spec.no_sync_users as usize);
        let service = directory.objects.iter()
            .filter(|o| o.attrs.sam_account_name().is_some_and(|s| s.starts_with("MSOL_")))
            .count();
        prop_assert_eq!(service, spec.service_accounts as usize);
        check_references(&directory);
    }

    #[test]
    fn groups_hold_between_min_and_max_users_plus_their_nested_groups(spec in small_spec()) {
        let directory = generate(&spec).unwrap();
        let group_dns: FxHashSet<&str> = directory.objects.iter()
            .filter(|o| o.kind == ObjectKind::Group)
            .map(|o| &*o.dn)
            .collect();
        let regular = spec.regular_users();
        let shape = &spec.group_shape;
        let mut nested = 0;
        for g in directory.objects.iter().filter(|o| o.kind == ObjectKind::Group) {
            let users = g.attrs.member.iter().filter(|m| !group_dns.contains(&***m)).count();
            let users = u32::try_from(users).unwrap();
            nested += u32::try_from(g.attrs.member.len()).unwrap() - users;
            prop_assert!(users <= shape.max_members.min(regular), "{} users in {}", users, g.dn);
            prop_assert!(users >= shape.min_members.min(regular), "{} users in {}", users, g.dn);
        }
        if shape.nesting_per_mille == 0 {
            prop_assert_eq!(nested, 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: upgrade_lab_simulator::rng::proptest_cases(16), ..ProptestConfig::default() })]

    #[test]
    fn generated_directories_survive_an_ldif_round_trip(spec in small_spec()) {
        let directory = generate(&spec).unwrap();
        let mut out = Vec::new();
        upgrade_lab_simulator::ldif::write_directory(&directory, &mut out).unwrap();
        let back = upgrade_lab_simulator::ldif::read_directory_bytes(&out).unwrap();
        prop_assert_eq!(back.skipped.records(), 0);
        prop_assert_eq!(back.directory, directory);
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let spec = DirectorySpec {
        users: 40_000,
        groups: 9_000,
        contacts: 20_000,
        ..DirectorySpec::default()
    };
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| generate(&spec).unwrap())
    };
    assert_eq!(on(1), on(3));
}

#[test]
fn oversized_groups_are_planted_over_the_member_limit() {
    let spec = DirectorySpec {
        users: u32::try_from(GROUP_MEMBER_LIMIT).unwrap() + 10,
        groups: 20,
        contacts: 0,
        defects: PlantedDefects {
            oversized_groups: 2,
            too_many_proxy_addresses: 1,
            ..Default::default()
        },
        ..DirectorySpec::default()
    };
    let directory = generate(&spec).unwrap();
    let report = find_defects(&directory);
    assert_eq!(report.oversized_groups.len(), 2);
    assert_eq!(report.too_many_proxy_addresses.len(), 1);
    let holder = directory
        .objects
        .iter()
        .find(|o| o.attrs.proxy_addresses().len() > PROXY_ADDRESSES_MAX)
        .unwrap();
    assert!(holder.attrs.proxy_addresses().len() <= PROXY_ADDRESSES_MAX + 10);
    check_references(&directory);
}

#[test]
fn too_few_users_for_an_oversized_group_is_a_clear_error() {
    let spec = DirectorySpec {
        users: 100,
        defects: PlantedDefects {
            oversized_groups: 1,
            ..Default::default()
        },
        ..DirectorySpec::default()
    };
    let err = generate(&spec).unwrap_err();
    assert_eq!(
        err,
        SpecError::NotEnoughUsersForOversizedGroups { users: 100 }
    );
    assert!(err.to_string().contains("raise users above 50000"));
}

#[test]
fn an_empty_spec_gives_a_forest_without_objects() {
    let spec = DirectorySpec {
        users: 0,
        groups: 0,
        contacts: 0,
        ..DirectorySpec::default()
    };
    let directory = generate(&spec).unwrap();
    assert!(directory.objects.is_empty());
    assert_eq!(&*directory.forest, "contoso.com");
    assert_eq!(directory.organizational_units.len(), 3 + 9);
}

#[test]
fn members_share_the_referenced_objects_dn_and_managers_name_one() {
    let directory = generate(&DirectorySpec::default()).unwrap();
    let by_dn: rustc_hash::FxHashMap<&str, &upgrade_lab_model::DirectoryObject> =
        directory.objects.iter().map(|o| (&*o.dn, o)).collect();
    let mut references = 0;
    for o in &directory.objects {
        for r in &o.attrs.member {
            let target = by_dn[&**r];
            assert!(std::sync::Arc::ptr_eq(r, &target.dn), "{r} is a copy");
            references += 1;
        }
        // A manager is text in the packed store: it must name an object, not share its DN.
        if let Some(m) = o.attrs.manager() {
            assert!(by_dn.contains_key(m), "manager {m} of {} exists", o.dn);
            references += 1;
        }
    }
    assert!(references > 1_000, "{references}");
}
