//! The same directory, configuration and seed give the same history, event for event; with
//! churn a different seed gives a different one.

mod world_support;

use upgrade_lab_engine::ports::{ConnectServer, DirSyncServer, InstallMode};
use upgrade_lab_model::SimDuration;
use upgrade_lab_simulator::churn::ChurnSpec;
use upgrade_lab_simulator::world::World;
use world_support::{config, directory, install_request};

/// A parallel upgrade under churn; returns the ledger and run histories as JSON-ish text.
fn history(seed: u64) -> String {
    let world = World::builder()
        .directory(directory(80, 4, 4))
        .seed(seed)
        .churn(ChurnSpec {
            changes_per_hour: 60,
            duration: SimDuration::from_hours(8),
            moves: 1,
            ..ChurnSpec::default()
        })
        .build()
        .unwrap();
    let (mut connect, mut dirsync) = (world.connect_port("AADC01"), world.dirsync_port());
    world
        .run(connect.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap();
    world.advance(SimDuration::from_hours(4));
    world.run(dirsync.disable_service()).unwrap();
    world.run(connect.set_staging_mode(false)).unwrap();
    world.advance(SimDuration::from_hours(6));
    let ledger = world.with_state(|st| serde_json::to_string(&st.tenant.ledger).unwrap());
    let objects: Vec<String> = world.with_state(|st| {
        st.tenant
            .ledger
            .exports
            .iter()
            .flat_map(|e| e.objects.iter().map(|(a, op)| format!("{a}:{op:?}")))
            .collect()
    });
    let runs = world.run(connect.run_history()).unwrap();
    format!("{ledger}\n{objects:?}\n{runs:?}\n{:?}", world.report())
}

#[test]
fn the_same_seed_gives_the_same_history_event_for_event() {
    assert_eq!(history(7), history(7));
}

#[test]
fn a_different_seed_with_churn_gives_a_different_history() {
    assert_ne!(history(7), history(8));
}
