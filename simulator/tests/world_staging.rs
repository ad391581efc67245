//! Staging mode imports and synchronizes but never writes to the tenant, whatever happens:
//! churn, manual run profiles (Export included), full and delta cycles, faults.

mod world_support;

use proptest::prelude::*;
use upgrade_lab_engine::ports::{ConnectServer, InstallMode};
use upgrade_lab_model::{Connector, RunProfile, SimDuration, SimTime};
use upgrade_lab_simulator::churn::ChurnSpec;
use upgrade_lab_simulator::faults::{Fault, FaultKind, FaultTrigger};
use upgrade_lab_simulator::tenant::ledger::Product;
use upgrade_lab_simulator::world::World;
use world_support::{config, directory, install_request};

#[derive(Clone, Debug)]
enum Step {
    Wait(u64),
    Run(Connector, RunProfile),
    Churn(u64),
    Crash(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let connector = prop_oneof![Just(Connector::ActiveDirectory), Just(Connector::AzureAd)];
    let profile = prop_oneof![
        Just(RunProfile::FullImport),
        Just(RunProfile::DeltaImport),
        Just(RunProfile::FullSynchronization),
        Just(RunProfile::DeltaSynchronization),
        Just(RunProfile::Export),
    ];
    prop_oneof![
        (1u64..240).prop_map(Step::Wait),
        (connector, profile).prop_map(|(c, p)| Step::Run(c, p)),
        (1u64..200).prop_map(Step::Churn),
        (1u64..120).prop_map(Step::Crash),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: upgrade_lab_simulator::rng::proptest_cases(16), ..ProptestConfig::default() })]

    #[test]
    fn staging_never_writes_to_the_tenant(
        steps in prop::collection::vec(step(), 1..12),
        start_sync in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let world = World::builder().directory(directory(30, 2, 2)).seed(seed).build().unwrap();
        let mut port = world.connect_port("AADC01");
        let mut req = install_request(&config(), InstallMode::Migrate, true);
        req.start_sync = start_sync;
        world.run(port.install(req)).unwrap();
        for s in steps {
            match s {
                Step::Wait(m) => world.advance(SimDuration::from_mins(m)),
                Step::Run(c, p) => {
                    let _ = world.run(port.run_profile(c, p));
                }
                Step::Churn(n) => world.start_churn(ChurnSpec {
                    changes_per_hour: n,
                    duration: SimDuration::from_hours(2),
                    ..ChurnSpec::default()
                }),
                Step::Crash(m) => {
                    let at = world.now() + SimDuration::from_mins(m);
                    world.inject_fault(Fault {
                        kind: FaultKind::ServerCrash { host: "AADC01".into() },
                        trigger: FaultTrigger::At(at),
                        duration: Some(SimDuration::from_mins(10)),
                    });
                }
            }
        }
        world.advance(SimDuration::from_hours(1));
        world.with_state(|st| {
            assert!(st.tenant.ledger.exports.iter().all(|e| e.client.product == Product::DirSync));
            assert!(st.tenant.ledger.password_syncs.iter().all(|p| p.host != "AADC01"));
        });
        prop_assert!(world.report().exporter_intervals.iter().all(|i| i.product == Product::DirSync));
    }
}

#[test]
fn password_hashes_wait_in_staging_and_arrive_as_a_backlog_when_it_ends() {
    let world = World::builder()
        .directory(directory(20, 0, 0))
        .build()
        .unwrap();
    let mut port = world.connect_port("AADC01");
    world
        .run(port.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap();
    let guids: Vec<_> = directory(20, 0, 0).objects.iter().map(|o| o.guid).collect();
    world.change_ad(|ad, now| {
        for g in &guids[..5] {
            ad.change_password(now, g).unwrap();
        }
    });
    world.advance(SimDuration::from_hours(2));
    let mut dirsync = world.dirsync_port();
    world
        .run(upgrade_lab_engine::ports::DirSyncServer::disable_service(
            &mut dirsync,
        ))
        .unwrap();
    world.run(port.set_staging_mode(false)).unwrap();
    world.advance(SimDuration::from_mins(5));
    world.with_state(|st| {
        let connect: Vec<_> = st
            .tenant
            .ledger
            .password_syncs
            .iter()
            .filter(|p| p.host == "AADC01")
            .collect();
        assert_eq!(connect.len(), 1, "{connect:?}");
        assert_eq!(connect[0].passwords, 5);
        assert!(connect[0].at > SimTime(2 * 3_600_000));
    });
}
