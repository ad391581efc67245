//! The sync engine behaves as the engine does, not as a filtered copy: imports stage without
//! touching the metaverse, exports stay unconfirmed until an import brings them back, AD deletes
//! arrive as pending deletes, delta cycles converge after churn, the delete threshold stops an
//! export before it deletes anything.

mod world_support;

use upgrade_lab_engine::ports::{ConnectServer, InstallMode};
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{
    Connector, ExportOperation, RunProfile, RunStatus, SimDuration, sync::Connector as C,
};
use upgrade_lab_simulator::churn::ChurnSpec;
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::sync::connector_space::PendingImport;
use upgrade_lab_simulator::world::World;
use upgrade_lab_simulator::world::runs::ServerId;
use world_support::{config, directory, install_request};

/// A world without DirSync where Connect is installed in place, active, scheduler not started.
fn connect_only(users: u32) -> (World, upgrade_lab_simulator::world::ports::ConnectPort) {
    let world = World::builder()
        .directory(directory(users, 2, 2))
        .dirsync_start(DirSyncStart::NotInstalled)
        .build()
        .unwrap();
    let mut port = world.connect_port("DIRSYNC01");
    let mut req = install_request(&config(), InstallMode::InPlace, false);
    req.start_sync = false;
    world.run(port.install(req)).unwrap();
    (world, port)
}

fn run(world: &World, port: &mut impl ConnectServer, c: Connector, p: RunProfile) -> RunStatus {
    world.run(port.run_profile(c, p)).unwrap().status
}

#[test]
fn a_full_import_alone_changes_no_metaverse_object() {
    let (world, mut port) = connect_only(10);
    assert_eq!(
        run(
            &world,
            &mut port,
            C::ActiveDirectory,
            RunProfile::FullImport
        ),
        RunStatus::Success
    );
    world.with_state(|st| {
        let e = &st.connects["DIRSYNC01"].engine;
        assert_eq!(e.mv.len(), 0);
        assert!(e.ad_cs.len() >= 10);
        assert!(
            e.ad_cs
                .iter()
                .all(|(_, o)| o.pending() == PendingImport::Add)
        );
    });
    run(
        &world,
        &mut port,
        C::ActiveDirectory,
        RunProfile::FullSynchronization,
    );
    world.with_state(|st| assert!(st.connects["DIRSYNC01"].engine.mv.len() >= 10));
}

#[test]
fn an_export_stays_unconfirmed_and_is_exported_again_until_an_import_brings_it_back() {
    let (world, mut port) = connect_only(10);
    for (c, p) in [
        (C::ActiveDirectory, RunProfile::FullImport),
        (C::AzureAd, RunProfile::FullImport),
        (C::ActiveDirectory, RunProfile::FullSynchronization),
        (C::AzureAd, RunProfile::FullSynchronization),
    ] {
        run(&world, &mut port, c, p);
    }
    let before = world.run(port.pending_exports()).unwrap();
    assert!(before.iter().all(|p| p.operation == ExportOperation::Add));
    assert_eq!(
        run(&world, &mut port, C::AzureAd, RunProfile::Export),
        RunStatus::Success
    );
    // Exported, not yet confirmed: still pending, and exported again by the next export.
    assert_eq!(
        world.run(port.pending_exports()).unwrap().len(),
        before.len()
    );
    run(&world, &mut port, C::AzureAd, RunProfile::Export);
    let exports = world.with_state(|st| st.tenant.ledger.exports.len());
    assert_eq!(exports, 2);
    run(&world, &mut port, C::AzureAd, RunProfile::DeltaImport);
    assert!(world.run(port.pending_exports()).unwrap().is_empty());
    assert!(world.report().tenant.equals_directory());
}

#[test]
fn pending_exports_read_page_by_page_are_the_whole_list_and_cost_one_query() {
    let (world, mut port) = connect_only(10);
    world.run_cycle_now(ServerId::Connect("DIRSYNC01".into()));
    let whole = world.run(port.pending_exports()).unwrap();
    assert!(whole.len() > 7, "{} pending exports", whole.len());
    let start = world.now();
    let (mut pages, mut next) = world.run(port.pending_exports_page(0, 3)).unwrap();
    let after_first = world.now();
    assert!(
        after_first > start,
        "the first page is the query and takes its time"
    );
    let mut count = 1;
    while let Some(from) = next {
        let (page, after) = world.run(port.pending_exports_page(from, 3)).unwrap();
        assert!(!page.is_empty() && page.len() <= 3);
        pages.extend(page);
        next = after;
        count += 1;
    }
    assert_eq!(
        world.now(),
        after_first,
        "the next pages read the same instant"
    );
    assert_eq!(count, whole.len().div_ceil(3));
    assert_eq!(pages, whole);
}

#[test]
fn an_ad_delete_reaches_the_metaverse_as_a_pending_delete_on_the_next_delta_import() {
    let (world, mut port) = connect_only(10);
    // The second cycle's import confirms the first cycle's exports.
    world.run_cycle_now(ServerId::Connect("DIRSYNC01".into()));
    world.run_cycle_now(ServerId::Connect("DIRSYNC01".into()));
    assert!(world.run(port.pending_exports()).unwrap().is_empty());
    let victim = directory(10, 2, 2).objects[3].guid;
    world.change_ad(|ad, now| ad.delete(now, &victim)).unwrap();
    run(
        &world,
        &mut port,
        C::ActiveDirectory,
        RunProfile::DeltaImport,
    );
    world.with_state(|st| {
        let e = &st.connects["DIRSYNC01"].engine;
        let cs = e
            .ad_cs
            .find_guid(&st.ad, &victim)
            .and_then(|i| e.ad_cs.get(i))
            .unwrap();
        assert_eq!(cs.pending(), PendingImport::Delete);
        assert!(
            e.mv_of(&st.ad, &victim).is_some(),
            "the metaverse waits for a sync"
        );
    });
    run(
        &world,
        &mut port,
        C::ActiveDirectory,
        RunProfile::DeltaSynchronization,
    );
    let pending = world.run(port.pending_exports()).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].operation, ExportOperation::Delete);
    assert_eq!(pending[0].anchor, victim.immutable_id());
    world.with_state(|st| {
        assert!(
            st.connects["DIRSYNC01"]
                .engine
                .mv_of(&st.ad, &victim)
                .is_none()
        );
    });
}

#[test]
fn delta_cycles_converge_after_churn() {
    let world = World::builder()
        .directory(directory(60, 3, 3))
        .seed(11)
        .churn(ChurnSpec {
            changes_per_hour: 40,
            duration: SimDuration::from_hours(5),
            moves: 1,
            ..ChurnSpec::default()
        })
        .build()
        .unwrap();
    world.advance(SimDuration::from_hours(10));
    let report = world.report();
    assert!(
        world.with_state(|st| st
            .ad
            .changes_since(upgrade_lab_model::SimTime::START)
            .added
            .len())
            > 0
    );
    assert!(report.converged, "{report:?}");
    assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    // DirSync's 3-hour cycles: at T+3h, T+6h, T+9h.
    let cycles = world.with_state(|st| {
        st.dirsync
            .as_ref()
            .unwrap()
            .engine
            .history
            .iter()
            .filter(|r| r.profile == RunProfile::Export)
            .count()
    });
    assert_eq!(cycles, 3);
}

#[test]
fn deletes_above_the_threshold_stop_the_export_before_anything_is_deleted() {
    let (world, _port) = connect_only(620);
    let host = ServerId::Connect("DIRSYNC01".into());
    world.run_cycle_now(host.clone());
    world.run_cycle_now(host.clone());
    let synced = world.with_state(|st| st.tenant.synced_count());
    let victims: Vec<_> = directory(620, 2, 2).objects[..600]
        .iter()
        .map(|o| o.guid)
        .collect();
    world.change_ad(|ad, now| {
        for v in &victims {
            ad.delete(now, v).unwrap();
        }
    });
    let runs = world.run_cycle_now(host);
    let export = runs.last().unwrap();
    assert_eq!(export.profile, RunProfile::Export);
    assert_eq!(export.status, RunStatus::StoppedDeletionThresholdExceeded);
    assert_eq!(
        export.status.as_str(),
        "stopped-deletion-threshold-exceeded"
    );
    assert!(
        export.errors[0].contains("Event 116"),
        "{:?}",
        export.errors
    );
    assert!(
        export.errors[0].contains("600 pending deletes"),
        "{:?}",
        export.errors
    );
    assert!(export.errors[0].contains("threshold of 500"));
    assert_eq!(world.with_state(|st| st.tenant.synced_count()), synced);
}

mod convergence {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: upgrade_lab_simulator::rng::proptest_cases(8), ..ProptestConfig::default() })]

        /// Whatever the churn, once it stops the next delta cycles bring the tenant back to the
        /// directory, for DirSync and for an active Connect server alike.
        #[test]
        fn delta_cycles_converge_after_any_churn(
            seed in any::<u64>(),
            rate in 1u64..120,
            hours in 1u64..4,
            connect in any::<bool>(),
        ) {
            let world = World::builder()
                .directory(directory(40, 2, 2))
                .seed(seed)
                .build()
                .unwrap();
            if connect {
                // The staging server's first import comes before DirSync stops: an object deleted
                // after DirSync's last export and before that import would stay in the tenant
                // (Connect never deletes what it did not provision), as the ledger then reports.
                let (mut c, mut d) = (world.connect_port("AADC01"), world.dirsync_port());
                world.run(c.install(install_request(&config(), InstallMode::Migrate, true))).unwrap();
                world.advance(SimDuration::from_hours(1));
                world.run(upgrade_lab_engine::ports::DirSyncServer::disable_service(&mut d)).unwrap();
                world.run(c.set_staging_mode(false)).unwrap();
            }
            world.start_churn(ChurnSpec {
                changes_per_hour: rate,
                duration: SimDuration::from_hours(hours),
                moves: 1,
                ..ChurnSpec::default()
            });
            world.advance(SimDuration::from_hours(hours + 7));
            let report = world.report();
            prop_assert!(report.converged, "{:?}", report);
            prop_assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
            prop_assert!(report.violations.is_empty(), "{:?}", report.violations);
        }
    }
}

#[test]
fn dirsync_above_its_opt_in_threshold_withholds_the_deletes_and_exports_the_rest() {
    let mut cfg = config();
    cfg.delete_threshold = Some(5);
    let dir = directory(30, 0, 0);
    let world = World::builder()
        .directory(dir.clone())
        .dirsync(cfg)
        .build()
        .unwrap();
    let synced = world.with_state(|st| st.tenant.synced_count());
    let (gone, changed) = (&dir.objects[..10], dir.objects[20].guid);
    world.change_ad(|ad, now| {
        for o in gone {
            ad.delete(now, &o.guid).unwrap();
        }
        ad.update(now, &changed, |a| a.set_text(Field::Title, Some("CTO")))
            .unwrap();
    });
    world.advance(SimDuration::from_hours(3) + SimDuration::from_mins(10));
    let export = world.with_state(|st| {
        st.dirsync
            .as_ref()
            .unwrap()
            .engine
            .history
            .iter()
            .rfind(|r| r.profile == RunProfile::Export)
            .cloned()
            .unwrap()
    });
    assert_eq!(export.status, RunStatus::StoppedDeletionThresholdExceeded);
    assert!(
        export.errors[0].contains("10 pending deletes"),
        "{:?}",
        export.errors
    );
    assert_eq!((export.stats.updates, export.stats.deletes), (1, 0));
    world.with_state(|st| {
        assert_eq!(st.tenant.synced_count(), synced);
        let t = st.tenant.get(&changed.immutable_id()).unwrap();
        assert_eq!(t.attrs.title(), Some("CTO"));
    });
}
