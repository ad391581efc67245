//! Each run profile on 50k and 200k objects, and one full cycle on 200k and 1M, wall time, on a
//! Connect server taking over a fresh tenant (so Export really writes every object). Each sample
//! starts from a world prepared up to the profile under test; only the profile (or the cycle) is
//! timed.

mod support;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use std::time::Duration;
use upgrade_lab_engine::export_document;
use upgrade_lab_engine::ports::{
    ConnectServer, DirSyncInstallation, InstallMode, InstallRequest, ServiceAccount, SqlChoice,
};
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{Credential, DirSyncConfig, Directory, RunProfile, SqlBackend};
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::tenant::TenantSpec;
use upgrade_lab_simulator::world::World;
use upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD;
use upgrade_lab_simulator::world::ports::ConnectPort;

/// The documented order of a full cycle; a profile's setup runs everything before it.
const ORDER: [(Connector, RunProfile); 5] = [
    (Connector::ActiveDirectory, RunProfile::FullImport),
    (Connector::AzureAd, RunProfile::FullImport),
    (Connector::ActiveDirectory, RunProfile::FullSynchronization),
    (Connector::AzureAd, RunProfile::FullSynchronization),
    (Connector::AzureAd, RunProfile::Export),
];

/// A world with an active Connect server on a fresh tenant and no cycle run yet.
fn fresh_connect(directory: Directory) -> (World, ConnectPort) {
    let objects = directory.objects.len() as u64;
    let builder = World::builder()
        .directory(directory)
        .seed(7)
        .dirsync_start(DirSyncStart::NotInstalled)
        .tenant(TenantSpec {
            quota: Some(objects * 2 + 1_000),
            ..TenantSpec::default()
        });
    let config: DirSyncConfig = builder.dirsync_config();
    let ea = builder.default_enterprise_admin();
    let world = builder.build().expect("world");
    let host = world.dirsync_port().hostname();
    let settings = export_document(&DirSyncInstallation {
        hostname: host.clone(),
        domains: vec![config.forest.clone()],
        config: config.clone(),
        object_counts: upgrade_lab_model::ObjectCounts::default(),
        service_running: false,
        unexported_import: None,
    });
    let mut connect = world.connect_port(&host);
    let request = InstallRequest {
        mode: InstallMode::InPlace,
        settings,
        install_location: None,
        // A full SQL Server on the server itself: LocalDB stops a 200k import with a full disk.
        sql: SqlChoice::Existing(SqlBackend::Full {
            server: host.clone(),
            instance: "ADSYNC".into(),
        }),
        service_account: ServiceAccount::Virtual,
        staging: false,
        start_sync: false,
        azure_ad: Credential::new(config.azure_ad_account.clone(), DEFAULT_PASSWORD),
        enterprise_admin: ea,
    };
    world
        .run(async { connect.install(request).await })
        .expect("install");
    (world, connect)
}

fn prepared(directory: &Directory, upto: usize) -> (World, ConnectPort) {
    let (world, mut connect) = fresh_connect(directory.clone());
    world.run(async {
        for &(connector, profile) in &ORDER[..upto] {
            let record = connect.run_profile(connector, profile).await.expect("run");
            assert!(record.status.is_clean(), "setup run failed: {record:?}");
        }
    });
    (world, connect)
}

fn run_profiles(c: &mut Criterion) {
    let mut g = c.benchmark_group("run_profile");
    // The untimed setup costs more than the profile: flat sampling keeps iterations few.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    for objects in support::sizes(&[50_000, 200_000]) {
        let directory = support::directory(objects);
        g.throughput(Throughput::Elements(u64::from(objects)));
        for (i, &(connector, profile)) in ORDER.iter().enumerate() {
            let id = format!("{connector} {profile}");
            g.bench_with_input(BenchmarkId::new(id, objects), &directory, |b, d| {
                b.iter_batched(
                    || prepared(d, i),
                    |(world, mut connect)| {
                        let record = world
                            .run(async { connect.run_profile(connector, profile).await })
                            .expect("run");
                        assert!(record.status.is_clean(), "{record:?}");
                        (world, record)
                    },
                    BatchSize::PerIteration,
                );
            });
        }
    }
    g.finish();
}

/// One full cycle in the documented order (Full Import and Full Synchronization on both
/// connectors, then Export of every object to a fresh tenant), timed as a whole.
fn full_cycle(c: &mut Criterion) {
    let mut g = c.benchmark_group("full_cycle");
    // Seconds per iteration: flat sampling runs each of the 10 samples once instead of 1..=10.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(30));
    for objects in support::sizes(&[200_000, 1_000_000]) {
        let directory = support::directory(objects);
        g.throughput(Throughput::Elements(u64::from(objects)));
        g.bench_with_input(BenchmarkId::from_parameter(objects), &directory, |b, d| {
            b.iter_batched(
                || prepared(d, 0),
                |(world, mut connect)| {
                    let records = world.run(async {
                        let mut records = Vec::with_capacity(ORDER.len());
                        for &(connector, profile) in &ORDER {
                            let record = connect.run_profile(connector, profile).await;
                            let record = record.expect("run");
                            assert!(record.status.is_clean(), "{record:?}");
                            records.push(record);
                        }
                        records
                    });
                    (world, records)
                },
                BatchSize::PerIteration,
            );
        });
    }
    g.finish();
}

criterion_group!(benches, run_profiles, full_cycle);
criterion_main!(benches);
