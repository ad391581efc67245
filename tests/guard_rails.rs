//! Every guard rail of the upgrade document, tested twice: once through the engine (refused, with
//! its reason) and once by driving the world straight into the bad state without the engine,
//! where the world's ledger must report the violation. Removing a guard makes a test fail.

mod common;

use common::{Lab, LabUpgrade, NEW_SERVER, directory, full_sql, world_builder};
use upgrade_lab_engine::ports::{
    ConnectServer, DirSyncServer, InstallMode, InstallRequest, ServiceAccount, SqlChoice,
};
use upgrade_lab_engine::{Refusal, UpgradeError, export_document};
use upgrade_lab_model::{Credential, SimDuration};
use upgrade_lab_simulator::world::report::Violation;

fn refusal<T: std::fmt::Debug>(result: Result<T, UpgradeError>) -> Refusal {
    match result {
        Err(UpgradeError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A parallel deployment up to the staging server, with DirSync still exporting.
fn staged(lab: &Lab) -> LabUpgrade {
    let mut options = lab.options();
    options.force_export = true;
    let mut up = lab.parallel(options);
    lab.world.run(async {
        up.export_settings().await.expect("export");
        up.install_parallel().await.expect("install");
    });
    up
}

fn violations(lab: &Lab) -> Vec<Violation> {
    lab.world.report().violations
}

#[test]
fn staging_off_while_dirsync_exports_is_refused_by_the_engine() {
    let lab = Lab::new(world_builder(directory(150, 11)));
    let mut up = staged(&lab);
    let r = refusal(lab.world.run(async { up.disable_staging().await }));
    assert!(
        matches!(r, Refusal::StagingOffWhileDirSyncExports { .. }),
        "{r:?}"
    );
    assert!(violations(&lab).is_empty());
}

#[test]
fn staging_off_while_dirsync_exports_is_two_active_exporters_in_the_ledger() {
    let lab = Lab::new(world_builder(directory(150, 11)));
    let _up = staged(&lab);
    lab.world.set_staging_directly(NEW_SERVER, false);
    lab.world.advance(SimDuration::from_hours(4));
    let v = violations(&lab);
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::TwoActiveExporters { .. })),
        "{v:?}"
    );
    assert!(lab.world.report().two_active_at_once);
}

fn full_sql_lab() -> Lab {
    let b = world_builder(directory(150, 12));
    let config = full_sql(b.dirsync_config());
    Lab::new(b.dirsync(config))
}

#[test]
fn reusing_dirsyncs_sql_instance_is_refused_by_the_engine() {
    let lab = full_sql_lab();
    let mut options = lab.options();
    options.force_export = true;
    options.sql = SqlChoice::Existing(lab.config.sql.clone());
    options.service_account = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadc".into(),
        password: upgrade_lab_model::Secret::new("Svc-Passw0rd!"),
    };
    let mut up = lab.parallel(options);
    let r = refusal(lab.world.run(async {
        up.export_settings().await.expect("export");
        up.install_parallel().await
    }));
    assert!(matches!(r, Refusal::DirSyncSqlReused { .. }), "{r:?}");
}

#[test]
fn reusing_dirsyncs_sql_instance_is_reported_by_the_ledger() {
    let lab = full_sql_lab();
    let request = direct_request(
        &lab,
        SqlChoice::Existing(lab.config.sql.clone()),
        ServiceAccount::Domain {
            name: "CONTOSO\\svc-aadc".into(),
            password: upgrade_lab_model::Secret::new("Svc-Passw0rd!"),
        },
        lab.enterprise_admin.clone(),
    );
    let installed = install_directly(&lab, request);
    assert!(
        installed.is_ok(),
        "the world lets a careless admin do it: {installed:?}"
    );
    let v = violations(&lab);
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::SharedSqlInstance { .. })),
        "{v:?}"
    );
}

/// What a careless administrator types into the installer on [`NEW_SERVER`], engine bypassed.
fn direct_request(
    lab: &Lab,
    sql: SqlChoice,
    service_account: ServiceAccount,
    enterprise_admin: Credential,
) -> InstallRequest {
    InstallRequest {
        mode: InstallMode::Migrate,
        settings: export_document(&lab.world.with_state(dirsync_installation)),
        install_location: None,
        sql,
        service_account,
        staging: true,
        start_sync: false,
        azure_ad: lab.options().azure_ad,
        enterprise_admin,
    }
}

fn install_directly(
    lab: &Lab,
    request: InstallRequest,
) -> Result<upgrade_lab_engine::ports::InstallReceipt, upgrade_lab_engine::ports::PortError> {
    let mut connect = lab.world.connect_port(NEW_SERVER);
    lab.world.run(async { connect.install(request).await })
}

fn dirsync_installation(
    s: &upgrade_lab_simulator::world::WorldState,
) -> upgrade_lab_engine::ports::DirSyncInstallation {
    let d = s.dirsync.as_ref().expect("DirSync is installed");
    upgrade_lab_engine::ports::DirSyncInstallation {
        hostname: d.host.clone(),
        config: d.config.clone(),
        object_counts: upgrade_lab_model::ObjectCounts::default(),
        domains: vec![d.config.forest.clone()],
        service_running: d.service_running,
        unexported_import: None,
    }
}

/// A completed parallel deployment: Connect active and exporting, DirSync disabled.
fn cut_over(lab: &Lab) -> LabUpgrade {
    let mut options = lab.options();
    options.force_export = true;
    options.cutover = upgrade_lab_engine::CutoverMethod::Disable;
    let mut up = lab.parallel(options);
    lab.world.run(async {
        up.export_settings().await.expect("export");
        up.install_parallel().await.expect("install");
        up.verify_staging().await.expect("verify");
        up.cut_over().await.expect("cutover");
    });
    up
}

#[test]
fn rollback_to_dirsync_after_connect_exported_is_refused_by_the_engine() {
    let lab = Lab::new(world_builder(directory(150, 13)));
    let mut up = cut_over(&lab);
    let r = refusal(lab.world.run(async { up.rollback_to_dirsync().await }));
    assert!(
        matches!(r, Refusal::RollbackAfterConnectExported { .. }),
        "{r:?}"
    );
    let running = lab
        .world
        .with_state(|s| s.dirsync.as_ref().is_some_and(|d| d.service_running));
    assert!(!running, "DirSync stays disabled");
}

#[test]
fn re_enabling_dirsync_after_connect_exported_is_a_rollback_in_the_ledger() {
    let lab = Lab::new(world_builder(directory(150, 13)));
    let _up = cut_over(&lab);
    lab.world.enable_dirsync_directly();
    lab.world.advance(SimDuration::from_hours(4));
    let v = violations(&lab);
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::RollbackToDirSync { .. })),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::TwoActiveExporters { .. })),
        "{v:?}"
    );
}

#[test]
fn re_running_the_installer_on_an_installed_server_is_refused_by_the_engine() {
    let lab = Lab::new(world_builder(directory(150, 14)));
    let mut up = staged(&lab);
    let r = refusal(lab.world.run(async { up.rerun_installer().await }));
    assert!(matches!(r, Refusal::InstallerRerun { .. }), "{r:?}");
    assert!(violations(&lab).is_empty());
}

#[test]
fn re_running_the_installer_is_reported_by_the_ledger() {
    let lab = Lab::new(world_builder(directory(150, 14)));
    let _up = staged(&lab);
    lab.world.rerun_installer(NEW_SERVER, false);
    let v = violations(&lab);
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::InstallerRerun { .. })),
        "{v:?}"
    );
}

#[test]
fn a_blocked_configuration_is_refused_by_the_engine() {
    let b = world_builder(directory(150, 15));
    let mut config = b.dirsync_config();
    config.extension_dll = Some("Contoso.Extension.dll".into());
    let lab = Lab::new(b.dirsync(config));
    let mut up = lab.in_place(lab.options());
    let r = refusal(lab.world.run(async { up.upgrade_in_place().await }));
    assert!(matches!(r, Refusal::ConfigurationBlocked { .. }), "{r:?}");
    let installed = lab
        .world
        .with_state(|s| s.dirsync.as_ref().is_some_and(|d| d.installed));
    assert!(installed, "nothing was uninstalled");
}

#[test]
fn no_enterprise_admin_is_refused_by_the_engine_and_by_the_installer() {
    let lab = Lab::new(world_builder(directory(150, 16)));
    let mut options = lab.options();
    options.enterprise_admin = Credential::new("CONTOSO\\helpdesk", "Helpdesk-Passw0rd!");
    let ea = options.enterprise_admin.clone();
    let mut up = lab.in_place(options);
    let r = refusal(lab.world.run(async { up.upgrade_in_place().await }));
    assert!(matches!(r, Refusal::NoEnterpriseAdmin { .. }), "{r:?}");

    // Without the engine, the installer itself fails on the same credential.
    let request = direct_request(&lab, SqlChoice::LocalDb, ServiceAccount::Virtual, ea);
    let err =
        install_directly(&lab, request).expect_err("the installer refuses a non-Enterprise-Admin");
    assert_eq!(
        err.kind,
        upgrade_lab_engine::ports::PortErrorKind::InvalidCredentials
    );
    assert!(err.message.contains("Enterprise Admins"), "{}", err.message);
}

/// The administrator uninstalls DirSync by hand, before any upgrade wizard looked at it.
fn uninstall_dirsync_by_hand(lab: &Lab) {
    let mut dirsync = lab.world.dirsync_port();
    lab.world
        .run(async { dirsync.uninstall().await })
        .expect("Programs and Features uninstalls it");
}

#[test]
fn dirsync_uninstalled_before_the_upgrade_is_refused_by_the_engine() {
    let lab = Lab::new(world_builder(directory(150, 17)));
    uninstall_dirsync_by_hand(&lab);
    let mut up = lab.in_place(lab.options());
    let r = refusal(lab.world.run(async { up.upgrade_in_place().await }));
    match &r {
        Refusal::DirSyncNotFound { uninstalled_at } => assert!(uninstalled_at.is_some()),
        other => panic!("expected DirSyncNotFound, got {other:?}"),
    }
    assert!(r.to_string().to_lowercase().contains("uninstall"), "{r}");
}

#[test]
fn dirsync_uninstalled_before_the_upgrade_inspected_it_is_reported_by_the_ledger() {
    let lab = Lab::new(world_builder(directory(150, 17)));
    uninstall_dirsync_by_hand(&lab);
    let v = violations(&lab);
    assert!(
        v.iter()
            .any(|v| matches!(v, Violation::DirSyncUninstalledBeforeInspection { .. })),
        "{v:?}"
    );
}

#[test]
fn uninstalling_dirsync_after_the_analysis_is_no_violation() {
    let lab = Lab::new(world_builder(directory(150, 17)));
    let mut up = lab.in_place(lab.options());
    lab.world
        .run(async { up.upgrade_in_place().await })
        .expect("upgrade");
    assert!(violations(&lab).is_empty(), "{:?}", violations(&lab));
}

#[test]
fn a_blocked_configuration_migrated_anyway_is_reported_by_the_ledger() {
    let b = world_builder(directory(150, 15));
    let mut config = b.dirsync_config();
    config.removed_attributes = vec!["department".into()];
    let lab = Lab::new(b.dirsync(config));
    let request = direct_request(
        &lab,
        SqlChoice::LocalDb,
        ServiceAccount::Virtual,
        lab.enterprise_admin.clone(),
    );
    install_directly(&lab, request).expect("the installer does what it is told");
    let v = violations(&lab);
    assert!(
        v.iter().any(|v| matches!(
            v,
            Violation::BlockedConfigurationMigrated { reasons, .. } if reasons[0].contains("department")
        )),
        "{v:?}"
    );
}

#[test]
fn in_place_on_remote_full_sql_without_a_domain_account_is_refused_before_anything_is_removed() {
    let lab = full_sql_lab();
    let mut up = lab.in_place(lab.options());
    let r = refusal(lab.world.run(async { up.upgrade_in_place().await }));
    assert!(
        matches!(r, Refusal::RemoteSqlNeedsDomainAccount { .. }),
        "{r:?}"
    );
    let installed = lab
        .world
        .with_state(|s| s.dirsync.as_ref().is_some_and(|d| d.installed));
    assert!(installed, "DirSync is still there to fall back on");
}
