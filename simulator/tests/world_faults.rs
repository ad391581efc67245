//! Each fault surfaces through the ports as the real system would: run status strings, HTTP
//! 403 / 407, `no-start-credentials` with event 6000, AADSTS errors, SQL error 26, the RPC
//! server unavailable, throttling.

mod world_support;

use upgrade_lab_engine::ports::{
    AzureTenant, ConnectServer, DirSyncServer, InstallMode, PortErrorKind,
};
use upgrade_lab_model::environment::EndpointReach;
use upgrade_lab_model::{Connector, Credential, RunProfile, RunStatus, SimDuration};
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::faults::{Fault, FaultHit, FaultKind, FaultTrigger, operations};
use upgrade_lab_simulator::world::World;
use upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD;
use upgrade_lab_simulator::world::ports::ConnectPort;
use world_support::{config, directory, install_request};

fn now_fault(kind: FaultKind) -> Fault {
    Fault {
        kind,
        trigger: FaultTrigger::At(upgrade_lab_model::SimTime::START),
        duration: None,
    }
}

/// Connect installed in place (no DirSync), scheduler not started, faults from T+0 after it.
fn installed(users: u32, faults: Vec<Fault>) -> (World, ConnectPort) {
    let world = World::builder()
        .directory(directory(users, 0, 0))
        .dirsync_start(DirSyncStart::NotInstalled)
        .build()
        .unwrap();
    let mut port = world.connect_port("DIRSYNC01");
    let mut req = install_request(&config(), InstallMode::InPlace, false);
    req.start_sync = false;
    world.run(port.install(req)).unwrap();
    for mut f in faults {
        f.trigger = FaultTrigger::At(world.now());
        world.inject_fault(f);
    }
    (world, port)
}

#[test]
fn azure_ad_unreachable_stops_azure_ad_runs_and_fails_sign_in_and_install() {
    let (world, mut port) = installed(5, vec![now_fault(FaultKind::AzureAdUnreachable)]);
    let r = world
        .run(port.run_profile(Connector::AzureAd, RunProfile::FullImport))
        .unwrap();
    assert_eq!(r.status.as_str(), "stopped-connectivity");
    assert_eq!(
        r.errors,
        vec!["Unable to connect to the remote server".to_string()]
    );
    let ad = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::FullImport))
        .unwrap();
    assert_eq!(ad.status, RunStatus::Success);
    let mut tenant = world.tenant_port();
    let cred = Credential::new(config().azure_ad_account, DEFAULT_PASSWORD);
    let err = world.run(tenant.sign_in(&cred)).unwrap_err();
    assert_eq!(err.kind, PortErrorKind::EndpointUnreachable);
    let mut other = world.connect_port("AADC02");
    let err = world
        .run(other.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::EndpointUnreachable);
}

#[test]
fn a_proxy_answering_407_or_403_says_so() {
    let world = World::builder()
        .directory(directory(5, 0, 0))
        .fault(now_fault(FaultKind::ProxyAuthRequired {
            host: "AADC01".into(),
        }))
        .fault(now_fault(FaultKind::ProxyForbidden {
            host: "AADC02".into(),
        }))
        .build()
        .unwrap();
    let mut a = world.connect_port("AADC01");
    let env = world.run(a.environment()).unwrap();
    assert!(
        env.endpoints
            .iter()
            .all(|e| e.reach == EndpointReach::ProxyAuthRequired407)
    );
    let err = world
        .run(a.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::ProxyAuthenticationRequired);
    assert!(err.message.contains("(407) Proxy Authentication Required"));
    let mut b = world.connect_port("AADC02");
    let err = world
        .run(b.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::ProxyForbidden);
    assert!(err.message.contains("(403) Forbidden"));
}

#[test]
fn a_changed_ad_connector_password_gives_no_start_credentials_and_event_6000() {
    let (world, mut port) = installed(
        5,
        vec![now_fault(FaultKind::AdConnectorCredentialsInvalid {
            host: "DIRSYNC01".into(),
        })],
    );
    let r = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::DeltaImport))
        .unwrap();
    assert_eq!(r.status.as_str(), "no-start-credentials");
    assert_eq!(
        r.errors,
        vec![
            "Event 6000: The management agent \"contoso.com\" failed to run because the \
             credentials were invalid."
                .to_string()
        ]
    );
}

#[test]
fn wrong_or_expired_azure_credentials_are_refused_with_aadsts_codes() {
    let account = config().azure_ad_account;
    let world = World::builder()
        .directory(directory(1, 0, 0))
        .build()
        .unwrap();
    let mut tenant = world.tenant_port();
    let err = world
        .run(tenant.sign_in(&Credential::new(account.clone(), "wrong")))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::InvalidCredentials);
    assert!(err.message.starts_with("AADSTS50126"));
    world.inject_fault(now_fault(FaultKind::AzureCredentialsExpired {
        account: account.clone(),
    }));
    let err = world
        .run(tenant.sign_in(&Credential::new(account.clone(), DEFAULT_PASSWORD)))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::ExpiredCredentials);
    assert!(err.message.starts_with("AADSTS50055"));
}

#[test]
fn a_sql_instance_down_stops_the_sync_engine() {
    let (world, mut port) = installed(
        5,
        vec![now_fault(FaultKind::SqlInstanceDown {
            host: "DIRSYNC01".into(),
        })],
    );
    let err = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::FullImport))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::SqlInstanceDown);
    assert!(err.message.contains("error: 26"));
}

#[test]
fn a_crash_in_the_middle_of_a_run_stops_it_and_the_server_stays_down_for_a_while() {
    // 2,000 objects at 60 ms: the full import takes over 2 minutes; the crash comes at 1.
    let (world, mut port) = installed(2_000, Vec::new());
    world.inject_fault(Fault {
        kind: FaultKind::ServerCrash {
            host: "dirsync01".into(),
        },
        trigger: FaultTrigger::At(world.now() + SimDuration::from_mins(1)),
        duration: Some(SimDuration::from_mins(30)),
    });
    let started = world.now();
    let r = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::FullImport))
        .unwrap();
    assert_eq!(r.status.as_str(), "stopped-server-down");
    assert_eq!(r.ended - started, SimDuration::from_mins(1));
    world.with_state(|st| assert!(st.connects["DIRSYNC01"].engine.ad_cs.is_empty()));
    let err = world.run(port.pending_exports()).unwrap_err();
    assert_eq!(err.kind, PortErrorKind::ServerDown);
    assert!(err.message.contains("The RPC server is unavailable"));
    world.advance(SimDuration::from_mins(31));
    let r = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::FullImport))
        .unwrap();
    assert_eq!(r.status, RunStatus::Success);
}

#[test]
fn a_fault_tied_to_an_operation_starts_with_it() {
    let world = World::builder()
        .directory(directory(5, 0, 0))
        .fault(Fault {
            kind: FaultKind::ServerCrash {
                host: "DIRSYNC01".into(),
            },
            trigger: FaultTrigger::Before(operations::DIRSYNC_UNINSTALL.into()),
            duration: None,
        })
        .build()
        .unwrap();
    let mut dirsync = world.dirsync_port();
    assert!(world.run(dirsync.discover()).is_ok());
    let err = world.run(dirsync.uninstall()).unwrap_err();
    assert_eq!(err.kind, PortErrorKind::ServerDown);
}

#[test]
fn throttling_turns_exports_into_errors_that_are_retried() {
    let (world, mut port) = installed(10, vec![now_fault(FaultKind::Throttling)]);
    for (c, p) in [
        (Connector::ActiveDirectory, RunProfile::FullImport),
        (Connector::AzureAd, RunProfile::FullImport),
        (Connector::ActiveDirectory, RunProfile::FullSynchronization),
        (Connector::AzureAd, RunProfile::FullSynchronization),
    ] {
        world.run(port.run_profile(c, p)).unwrap();
    }
    let r = world
        .run(port.run_profile(Connector::AzureAd, RunProfile::Export))
        .unwrap();
    assert_eq!(r.status.as_str(), "completed-export-errors");
    assert_eq!(r.stats.errors, 10);
    assert!(r.errors[0].contains("Throttled"));
    assert_eq!(world.run(port.pending_exports()).unwrap().len(), 10);
    world.with_state(|st| assert_eq!(st.tenant.synced_count(), 0));
}

#[test]
fn localdb_and_sql_express_stop_at_about_100000_objects() {
    let dir = directory(100_001, 0, 0);
    let err = World::builder().directory(dir.clone()).build().unwrap_err();
    assert!(
        err.to_string()
            .contains("SQL Server Express cannot hold 100001 objects"),
        "{err}"
    );
    let world = World::builder()
        .directory(dir)
        .dirsync_start(DirSyncStart::NotInstalled)
        .build()
        .unwrap();
    let mut port = world.connect_port("DIRSYNC01");
    let mut req = install_request(&config(), InstallMode::InPlace, false);
    req.start_sync = false;
    world.run(port.install(req)).unwrap();
    let r = world
        .run(port.run_profile(Connector::ActiveDirectory, RunProfile::FullImport))
        .unwrap();
    assert_eq!(r.status.as_str(), "stopped-database-disk-full");
    assert!(r.errors[0].contains("Event 6323"));
}

#[test]
fn a_remote_sql_server_needs_a_domain_service_account() {
    let world = World::builder()
        .directory(directory(3, 0, 0))
        .build()
        .unwrap();
    let mut port = world.connect_port("AADC01");
    let mut req = install_request(&config(), InstallMode::Migrate, true);
    req.sql = upgrade_lab_engine::ports::SqlChoice::Existing(upgrade_lab_model::SqlBackend::Full {
        server: "SQL02".into(),
        instance: "AADSYNC".into(),
    });
    let err = world.run(port.install(req)).unwrap_err();
    assert_eq!(err.kind, PortErrorKind::Unsupported);
    assert!(err.message.contains("domain service account"));
}

#[test]
fn a_throttle_that_ends_delays_the_export_with_retries_and_records_what_it_hit() {
    let (world, mut port) = installed(10, vec![]);
    let id = world.inject_fault(Fault {
        kind: FaultKind::Throttling,
        trigger: FaultTrigger::At(world.now()),
        duration: Some(SimDuration::from_mins(12)),
    });
    let throttle_end = world.now() + SimDuration::from_mins(12);
    for (c, p) in [
        (Connector::ActiveDirectory, RunProfile::FullImport),
        (Connector::AzureAd, RunProfile::FullImport),
        (Connector::ActiveDirectory, RunProfile::FullSynchronization),
        (Connector::AzureAd, RunProfile::FullSynchronization),
    ] {
        world.run(port.run_profile(c, p)).unwrap();
    }
    let r = world
        .run(port.run_profile(Connector::AzureAd, RunProfile::Export))
        .unwrap();
    assert_eq!(r.status, RunStatus::Success, "{:?}", r.errors);
    assert_eq!(r.stats.adds, 10);
    assert!(
        r.ended >= throttle_end,
        "the writes waited for the throttle to end"
    );
    world.with_state(|st| assert_eq!(st.tenant.synced_count(), 10));
    let record = &world.fault_records()[id];
    assert_eq!(record.until, Some(throttle_end));
    let [
        FaultHit::Export {
            objects,
            refused,
            retries,
            extra,
            ..
        },
    ] = record.hits.as_slice()
    else {
        panic!("{:?}", record.hits)
    };
    assert_eq!((*objects, *refused), (10, 0));
    assert!(*retries >= 1);
    assert!(*extra > SimDuration::from_mins(5), "{extra}");
}

#[test]
fn a_crash_records_the_port_calls_it_failed_and_a_fault_elsewhere_records_nothing() {
    let (world, mut port) = installed(5, vec![]);
    let crash = world.inject_fault(now_fault_at(
        &world,
        FaultKind::ServerCrash {
            host: "DIRSYNC01".into(),
        },
    ));
    let elsewhere = world.inject_fault(now_fault_at(
        &world,
        FaultKind::SqlInstanceDown {
            host: "OTHER01".into(),
        },
    ));
    assert!(world.run(port.run_history()).is_err());
    let records = world.fault_records();
    assert!(
        matches!(
            records[crash].hits.as_slice(),
            [FaultHit::PortCall { operation, host, .. }]
                if operation == "connect.run_history" && host == "DIRSYNC01"
        ),
        "{:?}",
        records[crash].hits
    );
    assert!(records[elsewhere].hits.is_empty());
    assert!(records[elsewhere].from.is_some());
}

fn now_fault_at(world: &World, kind: FaultKind) -> Fault {
    Fault {
        kind,
        trigger: FaultTrigger::At(world.now()),
        duration: None,
    }
}
