//! Scale: a world holding DirSync (converged: one full cycle at build), Azure AD Connect (its
//! full cycle after an in-place install) and the tenant. Small by default; set
//! `WORLD_SCALE_OBJECTS=1000000` and run in release to measure the targets (one full cycle over
//! 1,000,000 objects ≤ 3 s wall; peak RSS ≤ 2 GiB with `/usr/bin/time -v`).

mod world_support;

use std::time::Instant;
use upgrade_lab_engine::ports::{
    ConnectServer, DirSyncServer, InstallMode, ServiceAccount, SqlChoice,
};
use upgrade_lab_model::{Connector, RunProfile, RunStatus, Secret, SqlBackend};
use upgrade_lab_simulator::tenant::TenantSpec;
use upgrade_lab_simulator::world::World;
use world_support::{config, directory, install_request};

/// A full SQL Server instance: LocalDB and SQL Express stop at 10 GB ≈ 100,000 objects.
fn full_sql(instance: &str) -> SqlBackend {
    SqlBackend::Full {
        server: "SQL01".into(),
        instance: instance.into(),
    }
}

fn domain_account() -> ServiceAccount {
    ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadsync".into(),
        password: Secret::new("simulated"),
    }
}

fn large_dirsync() -> upgrade_lab_model::DirSyncConfig {
    let mut c = config();
    c.sql = full_sql("DIRSYNC");
    c
}

fn objects() -> u32 {
    std::env::var("WORLD_SCALE_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

#[test]
fn a_full_cycle_scales_with_the_directory_and_keeps_the_tenant_equal() {
    let n = objects();
    let dir = directory(n, 0, 0);
    let wall_build = Instant::now();
    let world = World::builder()
        .directory(dir)
        .dirsync(large_dirsync())
        .tenant(TenantSpec {
            quota: Some(u64::from(n) * 2),
            ..TenantSpec::default()
        })
        .build()
        .unwrap();
    let wall_build_ms = wall_build.elapsed().as_millis();
    let (mut dirsync, mut connect) = (world.dirsync_port(), world.connect_port("DIRSYNC01"));
    world.run(dirsync.uninstall()).unwrap();
    let mut req = install_request(&large_dirsync(), InstallMode::InPlace, false);
    req.start_sync = false;
    req.sql = SqlChoice::Existing(full_sql("DIRSYNC"));
    req.service_account = domain_account();
    world.run(connect.install(req)).unwrap();
    let wall_cycle = Instant::now();
    let mut statuses = Vec::new();
    for (c, p) in [
        (Connector::ActiveDirectory, RunProfile::FullImport),
        (Connector::AzureAd, RunProfile::FullImport),
        (Connector::ActiveDirectory, RunProfile::FullSynchronization),
        (Connector::AzureAd, RunProfile::FullSynchronization),
        (Connector::AzureAd, RunProfile::Export),
    ] {
        statuses.push(world.run(connect.run_profile(c, p)).unwrap().status);
    }
    let wall_cycle_ms = wall_cycle.elapsed().as_millis();
    assert!(
        statuses.iter().all(|s| *s == RunStatus::Success),
        "{statuses:?}"
    );
    let exported = world.with_state(|st| st.tenant.ledger.exports.last().map(|e| e.updates));
    // Connect's own rules write every object once (see timing.rs).
    let in_scope = world.with_state(|st| st.connects["DIRSYNC01"].engine.mv.len() as u64);
    assert_eq!(exported, Some(in_scope));
    let wall_report = Instant::now();
    let report = world.report();
    let wall_report_ms = wall_report.elapsed().as_millis();
    assert!(report.tenant.equals_directory());
    eprintln!(
        "objects={n} wall_build_with_dirsync_full_cycle_ms={wall_build_ms} \
         wall_connect_full_cycle_ms={wall_cycle_ms} wall_report_ms={wall_report_ms} \
         simulated={}",
        world.now()
    );
}

/// CPU time of this thread, from `/proc/thread-self/stat` (utime + stime, in ms at 100 Hz);
/// 0 where that file does not exist. The machine may be shared: CPU time says what wall time
/// would be on an idle core.
fn thread_cpu_ms() -> u64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?) * 10)
        })
        .unwrap_or(0)
}

#[test]
fn a_parallel_world_holds_dirsync_connect_and_the_tenant() {
    let n = objects();
    let world = World::builder()
        .directory(directory(n, 0, 0))
        .dirsync(large_dirsync())
        .tenant(TenantSpec {
            quota: Some(u64::from(n) * 2),
            ..TenantSpec::default()
        })
        .build()
        .unwrap();
    let (mut dirsync, mut connect) = (world.dirsync_port(), world.connect_port("AADC01"));
    let mut req = install_request(&large_dirsync(), InstallMode::Migrate, true);
    req.start_sync = false;
    req.sql = SqlChoice::Existing(full_sql("AADSYNC"));
    req.service_account = domain_account();
    world.run(connect.install(req)).unwrap();
    let (wall, cpu) = (Instant::now(), thread_cpu_ms());
    for (c, p) in [
        (Connector::ActiveDirectory, RunProfile::FullImport),
        (Connector::AzureAd, RunProfile::FullImport),
        (Connector::ActiveDirectory, RunProfile::FullSynchronization),
        (Connector::AzureAd, RunProfile::FullSynchronization),
    ] {
        assert_eq!(
            world.run(connect.run_profile(c, p)).unwrap().status,
            RunStatus::Success
        );
    }
    let (wall_sync_ms, cpu_sync_ms) = (wall.elapsed().as_millis(), thread_cpu_ms() - cpu);
    world.run(dirsync.disable_service()).unwrap();
    world.run(connect.set_staging_mode(false)).unwrap();
    let (wall, cpu) = (Instant::now(), thread_cpu_ms());
    let export = world
        .run(connect.run_profile(Connector::AzureAd, RunProfile::Export))
        .unwrap();
    let (wall_export_ms, cpu_export_ms) = (wall.elapsed().as_millis(), thread_cpu_ms() - cpu);
    assert_eq!(export.status, RunStatus::Success);
    assert_eq!(export.stats.updates, u64::from(n));
    assert!(world.with_state(|st| st.dirsync.as_ref().unwrap().engine.mv.len()) == n as usize);
    eprintln!(
        "objects={n} wall_imports_and_syncs_ms={wall_sync_ms} cpu_imports_and_syncs_ms={cpu_sync_ms} \
         wall_export_ms={wall_export_ms} cpu_export_ms={cpu_export_ms} simulated={}",
        world.now()
    );
}
