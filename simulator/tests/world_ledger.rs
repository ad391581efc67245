//! The export ledger tells who was an active exporter when and reports what must not happen:
//! two active exporters, a rollback to DirSync, an installer re-run, a shared SQL instance;
//! it measures the sync gap, and an in-place upgrade of 50,000 objects takes about 3 hours.

mod world_support;

use upgrade_lab_engine::ports::{
    ConnectServer, DirSyncServer, InstallMode, PortErrorKind, ServiceAccount, SqlChoice,
};
use upgrade_lab_model::{ExportOperation, RunProfile, SimDuration, SqlBackend};
use upgrade_lab_simulator::tenant::ledger::Product;
use upgrade_lab_simulator::world::World;
use upgrade_lab_simulator::world::report::Violation;
use world_support::{config, directory, install_request, user};

fn parallel_world(users: u32) -> World {
    World::builder()
        .directory(directory(users, 2, 2))
        .seed(3)
        .build()
        .unwrap()
}

fn install_staging(world: &World, host: &str) {
    let mut port = world.connect_port(host);
    world
        .run(port.install(install_request(&config(), InstallMode::Migrate, true)))
        .unwrap();
}

#[test]
fn a_parallel_upgrade_done_by_the_book_has_no_violation() {
    let world = parallel_world(40);
    install_staging(&world, "AADC01");
    world.advance(SimDuration::from_hours(1));
    let (mut connect, mut dirsync) = (world.connect_port("AADC01"), world.dirsync_port());
    let pending = world.run(connect.pending_exports()).unwrap();
    // Staging: Connect imported and synchronized; its own rules' attributes wait for export.
    assert!(!pending.is_empty());
    assert!(
        pending
            .iter()
            .all(|p| p.operation == ExportOperation::Update)
    );
    // Exactly the attribute Connect's rules add, with the object's DN as its new value.
    for p in &pending {
        let names: Vec<&str> = p.changes.iter().map(|c| &*c.attribute).collect();
        assert_eq!(names, ["onPremisesDistinguishedName"], "{}", p.display);
        assert_eq!(
            p.changes[0].new.as_slice(),
            std::slice::from_ref(&p.display)
        );
        assert!(p.changes[0].old.is_empty());
    }
    world.with_state(|st| {
        assert!(
            st.tenant
                .ledger
                .exports
                .iter()
                .all(|e| e.client.product == Product::DirSync)
        );
    });
    world.run(dirsync.disable_service()).unwrap();
    world.run(connect.set_staging_mode(false)).unwrap();
    world.advance(SimDuration::from_hours(1));
    let report = world.report();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
    let intervals: Vec<_> = report
        .exporter_intervals
        .iter()
        .map(|i| (i.host.as_str(), i.product, i.to.is_some()))
        .collect();
    assert_eq!(
        intervals,
        vec![
            ("DIRSYNC01", Product::DirSync, true),
            ("AADC01", Product::Connect, false)
        ]
    );
    assert!(world.with_state(|st| {
        st.tenant
            .ledger
            .exports
            .iter()
            .any(|e| e.client.product == Product::Connect)
    }));
}

#[test]
fn staging_off_while_dirsync_runs_is_two_active_exporters() {
    let world = parallel_world(20);
    install_staging(&world, "AADC01");
    world.advance(SimDuration::from_hours(1));
    world.set_staging_directly("AADC01", false);
    world.advance(SimDuration::from_hours(4));
    let report = world.report();
    assert!(report.two_active_at_once);
    assert!(
        report.violations.iter().any(|v| matches!(
            v,
            Violation::TwoActiveExporters { first, second, .. }
                if first.contains("DIRSYNC01") && second.contains("AADC01")
        )),
        "{:?}",
        report.violations
    );
}

#[test]
fn dirsync_enabled_after_connect_exported_is_a_rollback() {
    let world = parallel_world(20);
    install_staging(&world, "AADC01");
    world.advance(SimDuration::from_hours(1));
    let (mut connect, mut dirsync) = (world.connect_port("AADC01"), world.dirsync_port());
    world.run(dirsync.disable_service()).unwrap();
    world.run(connect.set_staging_mode(false)).unwrap();
    world.advance(SimDuration::from_hours(1));
    world
        .change_ad(|ad, now| ad.add(now, user(900, "Staff", "contoso.com")))
        .unwrap();
    world.enable_dirsync_directly();
    world.advance(SimDuration::from_mins(20));
    let report = world.report();
    assert!(report.rollback_at.is_some(), "{report:?}");
    assert!(
        report
            .violations
            .iter()
            .any(|v| matches!(v, Violation::RollbackToDirSync { .. }))
    );
    assert!(report.two_active_at_once);
}

#[test]
fn running_the_installer_again_is_refused_and_recorded() {
    let world = parallel_world(5);
    install_staging(&world, "AADC01");
    let mut port = world.connect_port("aadc01");
    let err = world
        .run(port.install(install_request(&config(), InstallMode::Migrate, false)))
        .unwrap_err();
    assert_eq!(err.kind, PortErrorKind::AlreadyInstalled);
    world.rerun_installer("AADC01", false);
    let report = world.report();
    let reruns = report
        .violations
        .iter()
        .filter(|v| matches!(v, Violation::InstallerRerun { .. }))
        .count();
    assert_eq!(reruns, 2);
    world.with_state(|st| assert_eq!(st.connects["AADC01"].installer_runs, 3));
}

#[test]
fn the_sign_out_after_installation_is_owed_until_it_happens() {
    use upgrade_lab_simulator::tenant::ledger::Incident;
    let world = parallel_world(5);
    install_staging(&world, "AADC01");
    world.with_state(|st| {
        assert!(st.connects["AADC01"].sign_out_pending);
        assert!(matches!(
            st.tenant.ledger.incidents.last(),
            Some(Incident::SignOutRequired { host, .. }) if host == "AADC01"
        ));
    });
    world.sign_out_and_in("aadc01");
    world.with_state(|st| {
        assert!(!st.connects["AADC01"].sign_out_pending);
        assert!(matches!(
            st.tenant.ledger.incidents.last(),
            Some(Incident::SignedOutAndIn { .. })
        ));
    });
}

#[test]
fn a_parallel_server_on_dirsyncs_sql_instance_is_reported() {
    let mut cfg = config();
    cfg.sql = SqlBackend::Full {
        server: "SQL01".into(),
        instance: "DIRSYNC".into(),
    };
    let world = World::builder()
        .directory(directory(5, 0, 0))
        .dirsync(cfg.clone())
        .build()
        .unwrap();
    let mut port = world.connect_port("AADC01");
    let mut req = install_request(&cfg, InstallMode::Migrate, true);
    req.sql = SqlChoice::Existing(SqlBackend::Full {
        server: "sql01".into(),
        instance: "dirsync".into(),
    });
    req.service_account = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadc".into(),
        password: upgrade_lab_model::Secret::new("pw"),
    };
    world.run(port.install(req)).unwrap();
    assert!(world.report().violations.iter().any(|v| matches!(
        v,
        Violation::SharedSqlInstance { instance, .. } if instance == "sql01\\dirsync"
    )));
}

#[test]
fn a_staging_server_never_promoted_leaves_a_growing_sync_gap() {
    let world = parallel_world(10);
    install_staging(&world, "AADC01");
    world.advance(SimDuration::from_hours(1));
    let mut dirsync = world.dirsync_port();
    world.run(dirsync.disable_service()).unwrap();
    world
        .change_ad(|ad, now| ad.add(now, user(901, "Staff", "contoso.com")))
        .unwrap();
    world.advance(SimDuration::from_hours(6));
    let report = world.report();
    assert!(
        report.sync_gap >= SimDuration::from_hours(6),
        "{:?}",
        report.sync_gap
    );
    assert!(!report.converged);
}

#[test]
fn an_in_place_upgrade_of_50k_objects_exports_first_after_three_hours() {
    let world = World::builder()
        .directory(directory(50_000, 0, 0))
        .build()
        .unwrap();
    let (mut dirsync, mut connect) = (world.dirsync_port(), world.connect_port("DIRSYNC01"));
    let started = world.now();
    // The wizard's analysis inspects DirSync before it uninstalls it.
    world.run(dirsync.discover()).unwrap();
    world.run(dirsync.uninstall()).unwrap();
    world
        .run(connect.install(install_request(&config(), InstallMode::InPlace, false)))
        .unwrap();
    let mut exported = None;
    for _ in 0..40 {
        world.advance(SimDuration::from_mins(10));
        exported = world
            .run(connect.run_history())
            .unwrap()
            .iter()
            .find(|r| r.profile == RunProfile::Export)
            .map(|r| (r.started, r.ended));
        if exported.is_some() {
            break;
        }
    }
    // "More than 50,000 objects ... might take longer than three hours": the first export
    // starts after three hours (the calibration table of `timing.rs`), and ends later still.
    let (start, end) = exported.expect("Connect exported");
    let hours = (start - started).as_hours_f64();
    assert!(
        (3.0..3.34).contains(&hours),
        "first export starts after {hours} h"
    );
    assert!(
        end - start > SimDuration::from_mins(30),
        "50,000 writes take over half an hour"
    );
    let report = world.report();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(report.tenant.equals_directory());
}

#[test]
fn a_delete_that_neither_server_carried_leaves_an_orphan_the_report_names() {
    let world = parallel_world(10);
    let victim = directory(10, 2, 2).objects[4].guid;
    // Deleted after DirSync's export at T+0 and before the staging server's first import.
    world.change_ad(|ad, now| ad.delete(now, &victim)).unwrap();
    install_staging(&world, "AADC01");
    world.advance(SimDuration::from_hours(1));
    let (mut connect, mut dirsync) = (world.connect_port("AADC01"), world.dirsync_port());
    world.run(dirsync.disable_service()).unwrap();
    world.run(connect.set_staging_mode(false)).unwrap();
    world.advance(SimDuration::from_hours(1));
    let report = world.report();
    assert!(report.converged);
    let orphans: Vec<_> = report
        .tenant
        .orphaned
        .iter()
        .map(|o| o.immutable_id.clone())
        .collect();
    assert_eq!(orphans, vec![Some(victim.immutable_id().to_string())]);
    // AD still has the tombstone: the orphan is named by its DN.
    let dn = directory(10, 2, 2).objects[4].dn.to_string();
    assert_eq!(report.tenant.orphaned[0].dn.as_deref(), Some(dn.as_str()));
    assert!(report.tenant.missing.is_empty());
    assert!(report.violations.iter().any(|v| matches!(
        v,
        Violation::ObjectOrphaned(o) if o.count == 1
    )));
}

#[test]
fn the_in_place_installer_uninstalls_dirsync_itself_and_wants_dirsyncs_account() {
    use upgrade_lab_simulator::tenant::{TenantAccount, TenantSpec};
    let other = upgrade_lab_model::Credential::new(
        "someone-else@contoso.onmicrosoft.com",
        upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD,
    );
    let world = World::builder()
        .directory(directory(10, 2, 2))
        .tenant(TenantSpec {
            accounts: vec![TenantAccount {
                credential: other.clone(),
                hybrid_identity_admin: true,
                password_expired: false,
            }],
            ..TenantSpec::default()
        })
        .build()
        .unwrap();
    let mut connect = world.connect_port("DIRSYNC01");
    let mut wrong = install_request(&config(), InstallMode::InPlace, false);
    wrong.azure_ad = other;
    let err = world.run(connect.install(wrong)).unwrap_err();
    assert!(err.message.contains("the account DirSync uses"), "{err:?}");
    let started = world.now();
    world
        .run(connect.install(install_request(&config(), InstallMode::InPlace, false)))
        .unwrap();
    world.with_state(|st| {
        let d = st.dirsync.as_ref().unwrap();
        assert!(!d.installed);
        assert!(d.uninstalled_at.is_some_and(|t| t > started));
    });
    world.advance(SimDuration::from_hours(1));
    let report = world.report();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(report.tenant.equals_directory());
}
