//! Shared pieces of the benchmarks: directory sizes, quick mode, and the world and engine
//! wiring of a whole upgrade.
//!
//! Quick mode (`UPGRADE_LAB_BENCH_QUICK=1`, what CI runs with `cargo test --benches`) keeps only
//! the smallest size of each benchmark so that they keep compiling and working within CI's time.

#![allow(dead_code)]

use upgrade_lab_engine::UpgradeOptions;
use upgrade_lab_engine::ports::SqlChoice;
use upgrade_lab_model::{Credential, Directory, SqlBackend};
use upgrade_lab_simulator::generate::{DirectorySpec, generate};
use upgrade_lab_simulator::world::{World, WorldBuilder};

/// Whether only the smallest sizes run.
pub fn quick() -> bool {
    std::env::var_os("UPGRADE_LAB_BENCH_QUICK").is_some()
}

/// `sizes`, or only the first one in quick mode.
pub fn sizes(sizes: &[u32]) -> Vec<u32> {
    if quick() {
        vec![sizes[0].min(2_000)]
    } else {
        sizes.to_vec()
    }
}

/// The large customer's directory (`DirectorySpec::large_customer`) of `objects` users, groups
/// and contacts, seed 42.
pub fn spec(objects: u32) -> DirectorySpec {
    DirectorySpec::large_customer(objects, 42)
}

/// Issue 2's generation target: 1,000,000 users, 100,000 groups, 20,000 contacts.
pub fn issue_target_spec() -> DirectorySpec {
    DirectorySpec {
        users: 1_000_000,
        groups: 100_000,
        contacts: 20_000,
        ..spec(1_120_000)
    }
}

pub fn directory(objects: u32) -> Directory {
    generate(&spec(objects)).expect("bench spec is valid")
}

/// A world whose DirSync has converged over `directory`, as a large customer runs it
/// (`WorldBuilder::large_customer`: full SQL Server, raised tenant quota), with the Azure AD and
/// Enterprise Admin credentials an upgrade needs.
pub fn world(directory: Directory) -> (World, Credential, Credential) {
    let builder = WorldBuilder::large_customer(directory).seed(7);
    let aad = builder.azure_ad_credential();
    let ea = builder.default_enterprise_admin();
    let world = builder.build().expect("bench world builds");
    (world, aad, ea)
}

/// The whole parallel deployment of the document on an existing world: export settings,
/// install with `/migrate` in staging on a local full SQL Server (initial cycle: Full Import and Full Synchronization on
/// both connectors), verification, cutover and the first export.
pub fn parallel_deployment(world: &World, aad: Credential, ea: Credential) {
    let mut options = UpgradeOptions::new(aad, ea);
    options.force_export = true;
    // A full SQL Server on the new server itself: LocalDB holds about 100,000 objects only.
    options.sql = SqlChoice::Existing(SqlBackend::Full {
        server: "AADC01".into(),
        instance: "ADSYNC".into(),
    });
    let mut up = world.upgrade("AADC01", options);
    world.run(async {
        up.export_settings().await.expect("export settings");
        up.install_parallel().await.expect("install");
        let staging = up.verify_staging().await.expect("verify");
        assert!(staging.initial_cycle.verified(), "{staging:?}");
        up.cut_over().await.expect("cutover");
    });
}

/// The whole in-place upgrade on an existing world.
pub fn in_place_upgrade(world: &World, aad: Credential, ea: Credential) {
    let mut options = UpgradeOptions::new(aad, ea);
    options.continue_in_place = true;
    let host = world.dirsync_port().hostname();
    let mut up = world.upgrade(&host, options);
    world.run(async {
        up.upgrade_in_place().await.expect("in-place upgrade");
    });
}
