//! Properties of the whole upgrade. For random directories (0–5,000 objects) and random supported
//! DirSync configurations, both documented paths end with the tenant equal to the in-scope
//! directory and never two active exporters. For random operator histories (explore's drawing:
//! documented and wrong step orders, churn during the upgrade, faults of every kind at random
//! times), every invariant and the tenant oracle hold. A case that cannot be generated fails;
//! the case count is `PROPTEST_CASES` (default 16).

mod common;

use common::{Lab, world_builder};
use proptest::prelude::*;
use upgrade_lab_engine::ports::ServiceAccount;
use upgrade_lab_model::{AttributeFilter, DirSyncConfig, Secret, SimDuration, SqlBackend};
use upgrade_lab_scenario::explore::draw::{self, Limits};
use upgrade_lab_scenario::explore::judge::judge;
use upgrade_lab_simulator::generate::{DirectorySpec, generate};

fn cases() -> u32 {
    upgrade_lab_simulator::rng::proptest_cases(16)
}

#[derive(Clone, Debug)]
struct Setup {
    spec: DirectorySpec,
    filter_second_domain_out: bool,
    include_first_ou_only: bool,
    no_sync_filter: bool,
    alternate_login_id: bool,
    password_sync: bool,
    full_sql: bool,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        0u32..4_000,
        0u32..400,
        0u32..200,
        1usize..3,
        any::<u64>(),
        0u32..50,
        proptest::bool::ANY,
        (proptest::bool::ANY, proptest::bool::ANY),
        (
            proptest::bool::ANY,
            proptest::bool::ANY,
            proptest::bool::ANY,
        ),
    )
        .prop_map(
            |(
                users,
                groups,
                contacts,
                domains,
                seed,
                no_sync,
                second_out,
                (ou, nf),
                (alt, phs, sql),
            )| {
                let domains = ["contoso.com", "emea.contoso.com"][..domains]
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect();
                let spec = DirectorySpec {
                    seed,
                    users: users.max(no_sync),
                    groups,
                    contacts,
                    domains,
                    no_sync_users: no_sync.min(users),
                    ..DirectorySpec::default()
                };
                Setup {
                    spec,
                    filter_second_domain_out: second_out,
                    include_first_ou_only: ou,
                    no_sync_filter: nf,
                    alternate_login_id: alt,
                    password_sync: phs,
                    full_sql: sql,
                }
            },
        )
}

fn configured_lab(s: &Setup) -> Result<Lab, TestCaseError> {
    let directory = generate(&s.spec)
        .map_err(|e| TestCaseError::fail(format!("the directory could not be generated: {e}")))?;
    let first_ou = directory
        .organizational_units
        .first()
        .map(|o| o.dn.to_string());
    let builder = world_builder(directory);
    let mut config: DirSyncConfig = builder.dirsync_config();
    if s.filter_second_domain_out {
        config.filters.domains = vec!["contoso.com".into()];
    }
    if s.include_first_ou_only
        && let Some(ou) = first_ou
    {
        config.filters.included_ous = vec![ou];
    }
    if s.no_sync_filter {
        config.filters.attribute_filters = vec![AttributeFilter {
            attribute: "extensionAttribute15".into(),
            value: "NoSync".into(),
        }];
    }
    if s.alternate_login_id {
        config.alternate_login_id = Some("mail".into());
    }
    config.password_sync = s.password_sync;
    if s.full_sql {
        config.sql = SqlBackend::Full {
            server: "SQL01".into(),
            instance: "DIRSYNC".into(),
        };
    }
    Ok(Lab::new(builder.dirsync(config)))
}

fn assert_converged(lab: &Lab) -> Result<(), TestCaseError> {
    lab.world.advance(SimDuration::from_hours(1));
    let report = lab.world.report();
    prop_assert!(!report.two_active_at_once, "{:?}", report.violations);
    prop_assert!(report.violations.is_empty(), "{:?}", report.violations);
    prop_assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn in_place_ends_with_the_tenant_equal_to_the_in_scope_directory(s in setup()) {
        let lab = configured_lab(&s)?;
        let mut options = lab.options();
        if s.full_sql {
            // DirSync's SQL Server is remote: the new sync service needs a domain account.
            options.service_account = ServiceAccount::Domain {
                name: "CONTOSO\\svc-aadsync".into(),
                password: Secret::new("Svc-Passw0rd!"),
            };
        }
        let mut up = lab.in_place(options);
        lab.world.run(async { up.upgrade_in_place().await }).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_converged(&lab)?;
    }

    #[test]
    fn parallel_ends_with_the_tenant_equal_to_the_in_scope_directory(s in setup()) {
        let lab = configured_lab(&s)?;
        let mut options = lab.options();
        options.force_export = true;
        let mut up = lab.parallel(options);
        lab.world
            .run(async {
                up.export_settings().await?;
                up.install_parallel().await?;
                up.verify_staging().await?;
                up.cut_over().await
            })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_converged(&lab)?;
    }

    #[test]
    fn random_histories_keep_every_invariant(seed in any::<u64>(), number in 0u64..1_000_000) {
        let limits = Limits { max_objects: 1_000, path: None };
        let history = draw::history(seed, number, limits);
        let (judged, text) = judge(&history, None);
        prop_assert!(
            judged.failures.is_empty(),
            "{:?}\nreplay: upgrade-lab explore --seed {seed} --history {number} --max-objects 1000\n{text}",
            judged.failures
        );
    }
}
