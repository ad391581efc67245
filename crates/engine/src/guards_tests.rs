//! Every guard rail, said as the situation it refuses.

use super::*;
use crate::analysis::analyze_installation;
use crate::analysis::tests::installation;
use upgrade_lab_model::{RunStats, RunStatus, Secret, Version};

fn full(server: &str, instance: &str) -> SqlBackend {
    SqlBackend::Full {
        server: server.into(),
        instance: instance.into(),
    }
}

fn run(profile: RunProfile, started: u64, adds: u64) -> RunRecord {
    RunRecord {
        connector: Connector::AzureAd,
        profile,
        started: SimTime(started),
        ended: SimTime(started + 10),
        status: RunStatus::Success,
        stats: RunStats {
            adds,
            ..RunStats::default()
        },
        errors: Vec::new(),
    }
}

#[test]
fn a_blocked_configuration_is_refused() {
    let mut i = installation(10);
    i.config.extension_dll = Some("x.dll".into());
    let r = guard_not_blocked(&analyze_installation(&i)).unwrap_err();
    assert!(matches!(r, Refusal::ConfigurationBlocked { .. }));
    assert!(guard_not_blocked(&analyze_installation(&installation(10))).is_ok());
}

#[test]
fn in_place_at_50k_needs_the_continue_checkbox() {
    let a = analyze_installation(&installation(50_000));
    let r = guard_in_place_allowed(&a, false).unwrap_err();
    assert!(
        r.to_string()
            .contains("Continue upgrading DirSync on this computer")
    );
    assert!(guard_in_place_allowed(&a, true).is_ok());
    assert!(guard_in_place_allowed(&analyze_installation(&installation(49_999)), false).is_ok());
}

#[test]
fn export_under_50k_needs_force_export() {
    let a = analyze_installation(&installation(49_999));
    let r = guard_export_offered(&a, false).unwrap_err();
    assert!(r.to_string().contains("/ForceExport"));
    assert!(guard_export_offered(&a, true).is_ok());
    assert!(guard_export_offered(&analyze_installation(&installation(50_000)), false).is_ok());
}

#[test]
fn the_installer_does_not_run_on_an_installed_server() {
    let installed = ConnectInstallation {
        hostname: "AADC01".into(),
        version: Version::new(&[2, 5, 79, 0]),
        staging: true,
        service_running: true,
        sql: SqlChoice::LocalDb,
    };
    let r = guard_installer_may_run(Some(&installed)).unwrap_err();
    assert!(
        r.to_string()
            .contains("do not run the installation MSI again")
    );
    assert!(guard_installer_may_run(None).is_ok());
}

#[test]
fn dirsyncs_sql_instance_is_not_reused_whatever_the_case() {
    let dirsync = full("SQL01", "DIRSYNC");
    let r = guard_sql_not_dirsyncs(&SqlChoice::Existing(full("sql01", "dirsync")), &dirsync)
        .unwrap_err();
    assert_eq!(
        r,
        Refusal::DirSyncSqlReused {
            instance: "sql01\\dirsync".into()
        }
    );
    assert!(guard_sql_not_dirsyncs(&SqlChoice::Existing(full("SQL01", "AADC")), &dirsync).is_ok());
    assert!(guard_sql_not_dirsyncs(&SqlChoice::LocalDb, &dirsync).is_ok());
    assert!(
        guard_sql_not_dirsyncs(
            &SqlChoice::Existing(full("SQL01", "X")),
            &SqlBackend::Express
        )
        .is_ok()
    );
}

#[test]
fn remote_sql_needs_a_domain_service_account() {
    let remote = SqlChoice::Existing(full("SQL02.contoso.com", "AADC"));
    let r = guard_service_account(&remote, "AADC01", &ServiceAccount::Virtual).unwrap_err();
    assert!(matches!(r, Refusal::RemoteSqlNeedsDomainAccount { .. }));
    let local_account = ServiceAccount::Local {
        name: "svc".into(),
        password: Secret::new("p"),
    };
    assert!(guard_service_account(&remote, "AADC01", &local_account).is_err());
    let domain = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadc".into(),
        password: Secret::new("p"),
    };
    assert!(guard_service_account(&remote, "AADC01", &domain).is_ok());
    let local = SqlChoice::Existing(full("aadc01", "AADC"));
    assert!(guard_service_account(&local, "AADC01.contoso.com", &ServiceAccount::Virtual).is_ok());
    assert!(guard_service_account(&SqlChoice::LocalDb, "AADC01", &ServiceAccount::Virtual).is_ok());
    assert!(!is_remote_sql("localhost", "AADC01"));
}

#[test]
fn staging_stays_on_while_another_connect_server_is_active() {
    let r = guard_one_active_connect(Some("DIRSYNC01"), "AADC01").unwrap_err();
    assert_eq!(
        r,
        Refusal::AnotherConnectActive {
            host: "AADC01".into(),
            active: "DIRSYNC01".into()
        }
    );
    assert!(guard_one_active_connect(Some("aadc01"), "AADC01").is_ok());
    assert!(guard_one_active_connect(None, "AADC01").is_ok());
}

#[test]
fn staging_stays_on_while_dirsync_runs() {
    let running = DirSyncDiscovery::Installed(installation(10));
    let r = guard_staging_off(&running).unwrap_err();
    assert!(matches!(r, Refusal::StagingOffWhileDirSyncExports { .. }));
    let mut stopped = installation(10);
    stopped.service_running = false;
    assert!(guard_staging_off(&DirSyncDiscovery::Installed(stopped)).is_ok());
    assert!(
        guard_staging_off(&DirSyncDiscovery::NotInstalled {
            uninstalled_at: None
        })
        .is_ok()
    );
}

#[test]
fn rollback_is_refused_once_an_export_changed_azure_ad() {
    let history = vec![
        run(RunProfile::FullImport, 0, 5),
        run(RunProfile::Export, 100, 3),
    ];
    let evidence = connect_export_evidence(&history, &TenantSyncStatus::default(), None);
    assert_eq!(evidence.as_ref().map(|e| e.0), Some(SimTime(110)));
    assert!(matches!(
        guard_rollback(evidence),
        Err(Refusal::RollbackAfterConnectExported { .. })
    ));
}

#[test]
fn an_empty_export_counts_only_after_staging_went_off() {
    let history = vec![run(RunProfile::Export, 100, 0)];
    let none = TenantSyncStatus::default();
    assert!(connect_export_evidence(&history, &none, None).is_none());
    assert!(connect_export_evidence(&history, &none, Some(SimTime(200))).is_none());
    assert!(connect_export_evidence(&history, &none, Some(SimTime(50))).is_some());
}

#[test]
fn the_tenants_last_export_after_activation_is_evidence() {
    let tenant = TenantSyncStatus {
        last_export: Some((SimTime(500), "AADC01 (Azure AD Connect)".into())),
        synced_objects: 10,
    };
    let e = connect_export_evidence(&[], &tenant, Some(SimTime(400))).unwrap();
    assert!(e.1.contains("AADC01"));
    assert!(connect_export_evidence(&[], &tenant, Some(SimTime(600))).is_none());
    assert!(guard_rollback(None).is_ok());
}

#[test]
fn stopping_dirsync_whose_last_cycle_was_cut_short_is_refused() {
    let mut i = installation(10);
    assert!(guard_dirsync_cycle_complete(&i).is_ok());
    i.unexported_import = Some(SimTime(5));
    let r = guard_dirsync_cycle_complete(&i).unwrap_err();
    assert!(matches!(r, Refusal::DirSyncCycleIncomplete { .. }));
    assert!(r.to_string().contains("Start-OnlineCoexistenceSync"));
    // A DirSync that no longer runs exports nothing either way.
    i.service_running = false;
    assert!(guard_dirsync_cycle_complete(&i).is_ok());
}
