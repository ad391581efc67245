//! After DirSync's initial cycle the tenant holds exactly the in-scope objects with the values
//! the outbound flow defines, whatever the directory and filters.

mod world_support;

use proptest::prelude::*;
use upgrade_lab_model::{AttributeFilter, RunStatus, Scope, ScopeFilters, SimDuration};
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::world::World;
use world_support::{OUS, config, directory};

fn filters() -> impl Strategy<Value = ScopeFilters> {
    (
        prop::sample::subsequence(vec!["contoso.com", "emea.contoso.com"], 0..=2),
        prop::sample::subsequence(OUS.to_vec(), 0..=2),
        prop::sample::subsequence(OUS.to_vec(), 0..=1),
        any::<bool>(),
    )
        .prop_map(|(domains, included, excluded, attr)| ScopeFilters {
            domains: domains
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            included_ous: included
                .iter()
                .flat_map(|ou| {
                    ["DC=contoso,DC=com", "DC=emea,DC=contoso,DC=com"]
                        .map(|d| format!("OU={ou},{d}"))
                })
                .collect(),
            excluded_ous: excluded
                .iter()
                .map(|ou| format!("OU={ou},DC=contoso,DC=com"))
                .collect(),
            attribute_filters: if attr {
                vec![AttributeFilter {
                    attribute: "extensionAttribute15".into(),
                    value: "NoSync".into(),
                }]
            } else {
                Vec::new()
            },
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: upgrade_lab_simulator::rng::proptest_cases(24), ..ProptestConfig::default() })]

    #[test]
    fn initial_cycle_makes_the_tenant_equal_the_in_scope_directory(
        users in 0u32..40,
        groups in 0u32..5,
        contacts in 0u32..5,
        filters in filters(),
        alternate_id in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let dir = directory(users, groups, contacts);
        let mut cfg = config();
        cfg.filters = filters.clone();
        cfg.alternate_login_id = alternate_id.then(|| "mail".to_string());
        let scope = Scope::new(&filters);
        let in_scope: Vec<_> = dir.objects.iter().filter(|o| scope.contains(o)).cloned().collect();
        let world = World::builder()
            .directory(dir)
            .dirsync(cfg)
            .dirsync_start(DirSyncStart::InitialCycle)
            .seed(seed)
            .build()
            .unwrap();
        world.advance(SimDuration::from_hours(1));
        let report = world.report();
        prop_assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
        prop_assert!(report.converged);
        prop_assert_eq!(report.tenant.in_scope, in_scope.len() as u64);
        world.with_state(|st| {
            assert_eq!(st.tenant.synced_count(), in_scope.len() as u64);
            for o in &in_scope {
                let t = st.tenant.get(&o.guid.immutable_id()).expect("in tenant");
                let want_upn = if alternate_id && o.kind == upgrade_lab_model::ObjectKind::User {
                    o.attrs.mail()
                } else {
                    o.attrs.user_principal_name()
                };
                assert_eq!(t.attrs.user_principal_name(), want_upn);
                assert_eq!(t.attrs.display_name(), o.attrs.display_name());
            }
            let history = &st.dirsync.as_ref().unwrap().engine.history;
            assert_eq!(history.len(), 5, "{history:?}");
            assert!(history.iter().all(|r| r.status.is_clean()), "{history:?}");
        });
    }
}

#[test]
fn a_converged_start_equals_an_initial_cycle() {
    let a = World::builder()
        .directory(directory(20, 2, 2))
        .build()
        .unwrap();
    let b = World::builder()
        .directory(directory(20, 2, 2))
        .dirsync_start(DirSyncStart::InitialCycle)
        .build()
        .unwrap();
    b.advance(SimDuration::from_hours(1));
    assert!(a.report().tenant.equals_directory());
    let count = |w: &World| w.with_state(|s| s.tenant.synced_count());
    assert_eq!(count(&a), count(&b));
    // The converged world spent no time; its next DirSync cycle runs 3 hours in.
    assert_eq!(a.now().0, 0);
    a.advance(SimDuration::from_hours(3) + SimDuration::from_mins(5));
    let statuses: Vec<RunStatus> = a.with_state(|s| {
        s.dirsync
            .as_ref()
            .unwrap()
            .engine
            .history
            .iter()
            .map(|r| r.status.clone())
            .collect()
    });
    assert_eq!(statuses.len(), 5, "{statuses:?}");
}
