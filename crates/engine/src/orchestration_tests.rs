//! The engine's steps driven through its public entry against the in-file fakes: each test is
//! one situation of the upgrade document.

use crate::fakes::*;
use crate::ports::{
    AdChanges, ConnectServer, PortError, PortErrorKind, ServiceAccount, SqlChoice, TenantSyncStatus,
};
use crate::*;
use std::cell::Cell;
use std::rc::Rc;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{
    Credential, ExportOperation, ImmutableId, ObjectKind, PendingExport, ProxySetting, RunProfile,
    Secret, SimDuration, SimTime, SqlBackend,
};

type Engine = Upgrade<FakePorts>;

const AAD_ACCOUNT: &str = "dirsync-admin@contoso.onmicrosoft.com";
const AAD_PASSWORD: &str = "Tenant-Pa55-word!";
const EA_ACCOUNT: &str = "CONTOSO\\ea-admin";
const EA_PASSWORD: &str = "Forest-Pa55-word!";

fn engine(users: u64, connect_host: &str, edit: impl FnOnce(&mut UpgradeOptions)) -> Engine {
    let time: Time = Rc::new(Cell::new(0));
    let mut options = UpgradeOptions::new(
        Credential::new(AAD_ACCOUNT, AAD_PASSWORD),
        Credential::new(EA_ACCOUNT, EA_PASSWORD),
    );
    edit(&mut options);
    Upgrade::new(
        FakeDirSync::new(time.clone(), users),
        FakeConnect::new(time.clone(), connect_host),
        FakeAd {
            enterprise_admins: vec![(EA_ACCOUNT.into(), EA_PASSWORD.into())],
            changes: AdChanges::default(),
            changed_at: SimTime(1),
            failure: None,
        },
        FakeTenant {
            accounts: vec![
                (AAD_ACCOUNT.into(), AAD_PASSWORD.into(), true),
                (
                    "helpdesk@contoso.onmicrosoft.com".into(),
                    "pw".into(),
                    false,
                ),
            ],
            status: TenantSyncStatus::default(),
        },
        FakeClock(time),
        options,
    )
}

fn refusal(result: Result<impl std::fmt::Debug, UpgradeError>) -> Refusal {
    match result {
        Err(UpgradeError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn full_sql(server: &str, instance: &str) -> SqlBackend {
    SqlBackend::Full {
        server: server.into(),
        instance: instance.into(),
    }
}

fn events_json(e: &Engine) -> String {
    serde_json::to_string(e.events()).unwrap()
}

#[tokio::test]
async fn in_place_under_50k_uninstalls_dirsync_and_resumes_active_sync() {
    let mut e = engine(12_000, "DIRSYNC01", |_| {});
    let report = e.upgrade_in_place().await.unwrap();
    assert!(report.active && report.sign_out_required);
    assert_eq!(report.sql, "SQL Server Express LocalDB");
    assert_eq!(
        e.dirsync_mut().calls,
        vec!["run_history", "reset_service_account_password", "uninstall"]
    );
    let request = &e.connect_mut().requests[0];
    assert_eq!(request.mode, crate::ports::InstallMode::InPlace);
    assert_eq!(request.sql, SqlChoice::LocalDb);
    assert!(!request.staging && request.start_sync);
    assert_eq!(request.settings.azure_ad_account, AAD_ACCOUNT);
    let json = events_json(&e);
    for word in [
        "service-account-password-reset",
        "dirsync-uninstalled",
        "connect-installed",
        "active-server",
        "sign-out-required",
    ] {
        assert!(json.contains(word), "{word} missing from {json}");
    }
    assert!(!json.contains(AAD_PASSWORD) && !json.contains(EA_PASSWORD));
}

#[tokio::test]
async fn in_place_on_full_sql_keeps_dirsyncs_sql() {
    let mut e = engine(500, "DIRSYNC01", |_| {});
    e.dirsync_mut().installation_mut().config.sql = full_sql("SQL01", "DIRSYNC");
    let analysis = e.analyze().await.unwrap();
    assert!(matches!(analysis.page, AnalysisPage::FullSql { .. }));
    let refused = e.upgrade_in_place().await.unwrap_err();
    assert!(
        matches!(
            refused.refusal(),
            Some(Refusal::RemoteSqlNeedsDomainAccount { .. })
        ),
        "SQL01 is remote from DIRSYNC01: {refused:?}"
    );
    assert!(e.connect_mut().requests.is_empty(), "nothing installed");
    e.options_mut().service_account = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadsync".into(),
        password: upgrade_lab_model::Secret::new("Svc-Passw0rd!"),
    };
    let report = e.upgrade_in_place().await.unwrap();
    assert_eq!(report.sql, "SQL01\\DIRSYNC");
    assert_eq!(
        e.connect_mut().requests[0].sql,
        SqlChoice::Existing(full_sql("SQL01", "DIRSYNC"))
    );
}

#[tokio::test]
async fn in_place_at_50k_needs_continue_upgrading_on_this_computer() {
    let mut e = engine(50_000, "DIRSYNC01", |_| {});
    let r = refusal(e.upgrade_in_place().await);
    assert!(matches!(
        r,
        Refusal::ParallelRecommended {
            objects_count: 50_000,
            ..
        }
    ));
    assert!(e.dirsync_mut().calls.is_empty());

    let mut e = engine(50_000, "DIRSYNC01", |o| o.continue_in_place = true);
    e.upgrade_in_place().await.unwrap();
    assert!(events_json(&e).contains("continue-in-place"));
}

#[tokio::test]
async fn a_blocked_configuration_changes_nothing() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    e.dirsync_mut().installation_mut().config.removed_attributes = vec!["department".into()];
    let r = refusal(e.upgrade_in_place().await);
    assert!(matches!(r, Refusal::ConfigurationBlocked { .. }));
    assert!(matches!(
        refusal(e.export_settings().await),
        Refusal::ConfigurationBlocked { .. }
    ));
    assert!(e.dirsync_mut().calls.is_empty());
    assert!(e.connect_mut().requests.is_empty());
    assert_eq!(e.events().refusals().count(), 2);
}

#[tokio::test]
async fn dirsync_uninstalled_before_the_upgrade_is_refused() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    e.dirsync_mut().discovery = crate::ports::DirSyncDiscovery::NotInstalled {
        uninstalled_at: Some(SimTime(7_200_000)),
    };
    let r = refusal(e.upgrade_in_place().await);
    assert_eq!(
        r,
        Refusal::DirSyncNotFound {
            uninstalled_at: Some(SimTime(7_200_000))
        }
    );
    assert!(r.to_string().contains("T+2:00:00"));
}

#[tokio::test]
async fn in_place_needs_dirsyncs_own_azure_ad_account() {
    let mut e = engine(100, "DIRSYNC01", |o| {
        o.azure_ad = Credential::new("helpdesk@contoso.onmicrosoft.com", "pw");
    });
    let r = refusal(e.upgrade_in_place().await);
    assert!(matches!(r, Refusal::WrongAzureAdAccount { .. }));
    assert!(e.dirsync_mut().calls.is_empty());

    let mut e = engine(100, "DIRSYNC01", |o| {
        o.azure_ad = Credential::new(AAD_ACCOUNT.to_uppercase(), AAD_PASSWORD);
    });
    e.upgrade_in_place().await.unwrap();
}

#[tokio::test]
async fn a_non_admin_or_a_bad_password_is_refused() {
    let mut e = engine(100, "AADC01", |o| {
        o.azure_ad = Credential::new("helpdesk@contoso.onmicrosoft.com", "pw");
        o.force_export = true;
    });
    e.export_settings().await.unwrap();
    let r = refusal(e.install_parallel().await);
    assert!(matches!(r, Refusal::NotHybridIdentityAdmin { .. }));

    let mut e = engine(100, "DIRSYNC01", |o| {
        o.azure_ad = Credential::new(AAD_ACCOUNT, "wrong");
    });
    let r = refusal(e.upgrade_in_place().await);
    assert!(r.to_string().contains("Invalid grant"), "{r}");
}

#[tokio::test]
async fn no_enterprise_admin_no_upgrade() {
    let mut e = engine(100, "DIRSYNC01", |o| {
        o.enterprise_admin = Credential::new("CONTOSO\\domain-admin", "x");
    });
    let r = refusal(e.upgrade_in_place().await);
    assert!(matches!(r, Refusal::NoEnterpriseAdmin { .. }));
    assert!(e.dirsync_mut().calls.is_empty());
}

#[tokio::test]
async fn a_per_user_proxy_blocks_the_installation() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    e.connect_mut().env.proxy = ProxySetting::PerUser {
        address: "http://proxy:8080".into(),
    };
    let findings = e.check_prerequisites().await.unwrap();
    assert_eq!(findings[0].check, PrerequisiteCheck::Proxy);
    let r = refusal(e.upgrade_in_place().await);
    assert!(r.to_string().contains("machine.config"), "{r}");
    assert!(e.dirsync_mut().calls.is_empty());
}

#[tokio::test]
async fn the_installer_is_not_run_again_on_an_installed_server() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    e.rerun_installer().await.unwrap();
    e.upgrade_in_place().await.unwrap();
    let r = refusal(e.rerun_installer().await);
    assert!(matches!(r, Refusal::InstallerRerun { .. }));
}

#[tokio::test]
async fn export_under_50k_needs_force_export() {
    let mut e = engine(49_999, "AADC01", |_| {});
    assert!(matches!(
        refusal(e.export_settings().await),
        Refusal::ExportNotOffered {
            objects_count: 49_999
        }
    ));
    e.options_mut().force_export = true;
    let report = e.export_settings().await.unwrap();
    assert!(events_json(&e).contains("force-export"));
    assert!(e.dirsync_mut().files.contains_key(&report.path));
    // DirSync keeps running and exporting after the export.
    assert!(e.dirsync_mut().installation_mut().service_running);
}

fn pending(op: ExportOperation) -> PendingExport {
    PendingExport {
        operation: op,
        kind: ObjectKind::User,
        anchor: ImmutableId::new("MyIRAFVEd2aImaq7zN3u/w=="),
        display: "CN=New User,OU=Staff,DC=contoso,DC=com".into(),
        changes: upgrade_lab_model::AttributeChanges::default(),
        changes_source_anchor: false,
    }
}

#[tokio::test]
async fn parallel_deployment_from_export_to_cutover() {
    let mut e = engine(60_000, "AADC01", |_| {});
    let export = e.export_settings().await.unwrap();
    let bytes = e.dirsync_mut().files[&export.path].clone();
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(AAD_PASSWORD) && !text.contains(EA_PASSWORD));

    let installed = e.install_parallel().await.unwrap();
    assert!(installed.staging && installed.start_sync);
    let request = &e.connect_mut().requests[0];
    assert_eq!(request.mode, crate::ports::InstallMode::Migrate);
    assert!(request.staging);

    e.connect_mut().pending = vec![pending(ExportOperation::Add)];
    e.ad_mut().changes = AdChanges {
        added: [ImmutableId::new("MyIRAFVEd2aImaq7zN3u/w==")].into(),
        ..AdChanges::default()
    };
    let staging = e.verify_staging().await.unwrap();
    assert!(staging.ready(), "{staging:?}");

    // DirSync still runs: staging cannot go off yet.
    assert!(matches!(
        refusal(e.disable_staging().await),
        Refusal::StagingOffWhileDirSyncExports { .. }
    ));

    let cutover = e.cut_over().await.unwrap();
    assert_eq!(cutover.method, CutoverMethod::Uninstall);
    assert!(cutover.export_run_by_engine);
    assert_eq!(cutover.first_export_status, "success");
    // 15 minutes of uninstall, Connect's AD delta import and sync right after it (10 minutes
    // each in the fake), then the 10-minute export.
    assert_eq!(cutover.sync_gap.to_string(), "0:45:00");
    assert_eq!(
        e.connect_mut().installation.as_ref().map(|i| i.staging),
        Some(false)
    );

    let r = refusal(e.rollback_to_dirsync().await);
    assert!(matches!(r, Refusal::RollbackAfterConnectExported { .. }));
    let json = events_json(&e);
    assert!(json.contains("sync-gap"));
    assert!(!json.contains(AAD_PASSWORD) && !json.contains(EA_PASSWORD));
}

#[tokio::test]
async fn rollback_before_connect_exported_reenables_dirsync() {
    let mut e = engine(60_000, "AADC01", |o| o.cutover = CutoverMethod::Disable);
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    assert_eq!(e.stop_dirsync().await.unwrap(), Some(SimTime(6_000_000)));
    e.disable_staging().await.unwrap();
    let report = e.rollback_to_dirsync().await.unwrap();
    assert!(report.connect_back_in_staging);
    assert!(e.dirsync_mut().installation_mut().service_running);
    assert_eq!(
        e.connect_mut().installation.as_ref().map(|i| i.staging),
        Some(true)
    );
}

#[tokio::test]
async fn rollback_to_an_uninstalled_dirsync_is_refused() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    e.stop_dirsync().await.unwrap();
    assert!(matches!(
        refusal(e.rollback_to_dirsync().await),
        Refusal::NoDirSyncToRollBackTo { .. }
    ));
}

#[tokio::test]
async fn the_new_server_may_not_share_dirsyncs_sql_instance() {
    let mut e = engine(60_000, "AADC01", |o| {
        o.sql = SqlChoice::Existing(full_sql("sql01", "dirsync"));
        o.service_account = ServiceAccount::Domain {
            name: "CONTOSO\\svc".into(),
            password: Secret::new("x"),
        };
    });
    e.dirsync_mut().installation_mut().config.sql = full_sql("SQL01", "DIRSYNC");
    e.export_settings().await.unwrap();
    assert!(matches!(
        refusal(e.install_parallel().await),
        Refusal::DirSyncSqlReused { .. }
    ));
    assert!(e.connect_mut().requests.is_empty());
}

#[tokio::test]
async fn remote_sql_needs_a_domain_service_account() {
    let mut e = engine(60_000, "AADC01", |o| {
        o.sql = SqlChoice::Existing(full_sql("SQL02", "AADC"));
    });
    e.export_settings().await.unwrap();
    assert!(matches!(
        refusal(e.install_parallel().await),
        Refusal::RemoteSqlNeedsDomainAccount { .. }
    ));
    e.options_mut().service_account = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadc".into(),
        password: Secret::new("x"),
    };
    let report = e.install_parallel().await.unwrap();
    assert_eq!(report.sql, "SQL02\\AADC");
}

#[tokio::test]
async fn a_changed_settings_file_is_refused_on_the_new_server() {
    let mut e = engine(60_000, "AADC01", |_| {});
    let export = e.export_settings().await.unwrap();
    let bytes = e.dirsync_mut().files[&export.path].clone();
    let changed = String::from_utf8(bytes)
        .unwrap()
        .replace("contoso.onmicrosoft.com\"", "fabrikam.onmicrosoft.com\"");
    e.connect_mut()
        .write_file(&export.path, changed.into_bytes())
        .await
        .unwrap();
    let err = e.install_parallel().await.unwrap_err();
    assert!(matches!(
        err,
        UpgradeError::Settings(SettingsFileError::ChecksumMismatch { .. })
    ));
    assert!(err.to_string().contains("export again"));
}

#[tokio::test]
async fn verification_waits_for_a_large_directory_s_initial_cycle_longer_than_the_floor() {
    // 2,000,000 objects: the analysis estimates 120 hours, so the wait is 240 hours; a cycle of
    // 100 hours verifies (a fixed 72-hour wait reported it as missing).
    let mut e = engine(2_000_000, "AADC01", |_| {});
    e.connect_mut().initial_cycle_takes = Some(SimDuration::from_hours(100));
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    let staging = e.verify_staging().await.unwrap();
    assert!(
        staging.initial_cycle.verified(),
        "{:?}",
        staging.initial_cycle
    );
}

#[tokio::test]
async fn a_cycle_still_running_when_verification_gives_up_is_not_called_never_started() {
    let mut e = engine(2_000_000, "AADC01", |_| {});
    e.connect_mut().initial_cycle_takes = Some(SimDuration::from_hours(300));
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    let before = e.connect_mut().time.get();
    let staging = e.verify_staging().await.unwrap();
    let waited = SimDuration(e.connect_mut().time.get() - before);
    let problems = &staging.initial_cycle.problems;
    assert!(staging.initial_cycle.none_ran);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("had not finished its first run after 240:00:00 of waiting"),
        "{problems:?}"
    );
    assert!(!problems[0].contains("not started"), "{problems:?}");
    // It gave up at the limit (a multiple of the poll interval), not before and not later.
    assert_eq!(waited, SimDuration::from_hours(240));
    assert!(e.state().initial_cycle_verified_at.is_none());
}

#[tokio::test]
async fn with_start_sync_off_no_initial_cycle_ran_and_cutover_waits() {
    let mut e = engine(60_000, "AADC01", |o| o.start_sync = false);
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    let staging = e.verify_staging().await.unwrap();
    assert!(staging.initial_cycle.none_ran);
    assert!(staging.initial_cycle.problems[0].contains("no initial cycle ran"));
    assert!(matches!(
        refusal(e.cut_over().await),
        Refusal::StagingNotVerified { .. }
    ));
    // DirSync was left alone by the refused cutover.
    assert!(e.dirsync_mut().calls.is_empty());
    let runs = e.run_initial_cycle().await.unwrap();
    assert_eq!(runs.len(), 4);
    assert!(e.verify_staging().await.unwrap().ready());
}

#[tokio::test]
async fn unexpected_deletes_are_reported_before_the_switch() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    e.connect_mut().pending = vec![pending(ExportOperation::Delete)];
    let staging = e.verify_staging().await.unwrap();
    assert!(!staging.ready());
    assert!(staging.pending_exports.unexpected[0].contains("pending deletes"));
}

#[tokio::test]
async fn a_scheduled_export_after_the_switch_is_found_in_history() {
    let mut e = engine(60_000, "AADC01", |o| o.cutover = CutoverMethod::Disable);
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    e.stop_dirsync().await.unwrap();
    e.disable_staging().await.unwrap();
    e.connect_mut()
        .run_profile(Connector::AzureAd, RunProfile::Export)
        .await
        .unwrap();
    let first = e.confirm_first_export().await.unwrap();
    assert_eq!(first.status, "success");
    assert!(!first.run_by_engine);
}

#[tokio::test]
async fn in_place_reports_the_window_without_exports() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    let report = e.upgrade_in_place().await.unwrap();
    // In the fakes: 15 minutes of uninstall, 1 hour of installation, 4 runs of 10 minutes.
    assert_eq!(report.no_export_window.to_string(), "1:55:00");
}

#[tokio::test]
async fn the_event_stream_of_a_parallel_deployment_reads_as_a_report() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    e.verify_staging().await.unwrap();
    e.cut_over().await.unwrap();
    let _ = e.rollback_to_dirsync().await;
    let lines: Vec<String> = e
        .events()
        .events()
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    insta::assert_snapshot!("parallel_deployment_events", lines.join("\n"));
    insta::assert_json_snapshot!("parallel_deployment_events_json", e.events());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
            .block_on(f)
    }

    proptest! {
        #[test]
        fn the_exported_settings_file_never_holds_a_password(
            users in 0u64..120_000,
            aad_password in "[A-Za-z0-9!#%]{10,24}",
            ea_password in "[A-Za-z0-9!#%]{10,24}",
            alternate_id in proptest::option::of("[a-zA-Z]{3,12}"),
        ) {
            let mut e = engine(users, "AADC01", |o| {
                o.force_export = true;
                o.azure_ad = Credential::new(AAD_ACCOUNT, aad_password.clone());
                o.enterprise_admin = Credential::new(EA_ACCOUNT, ea_password.clone());
            });
            e.dirsync_mut().installation_mut().config.alternate_login_id = alternate_id;
            let report = block_on(e.export_settings()).unwrap();
            let bytes = e.dirsync_mut().files[&report.path].clone();
            let text = String::from_utf8(bytes.clone()).unwrap();
            prop_assert!(!text.contains(&aad_password));
            prop_assert!(!text.contains(&ea_password));
            prop_assert_eq!(parse_settings(&bytes), Ok(report.document));
            let events = serde_json::to_string(e.events()).unwrap();
            prop_assert!(!events.contains(&aad_password) && !events.contains(&ea_password));
        }
    }
}

#[tokio::test]
async fn a_failed_uninstall_stops_the_upgrade_before_connect_is_installed() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    let down = PortError::new(PortErrorKind::ServerDown, "the server stopped responding");
    e.dirsync_mut().failures.insert("uninstall", down.clone());
    let err = e.upgrade_in_place().await.unwrap_err();
    assert_eq!(
        err,
        UpgradeError::Port {
            step: "uninstall DirSync",
            source: down
        }
    );
    assert!(
        err.to_string()
            .starts_with("uninstall DirSync: server_down")
    );
    assert!(e.connect_mut().requests.is_empty());
}

#[tokio::test]
async fn an_unreachable_dirsync_server_is_a_port_error_not_a_refusal() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    let down = PortError::new(PortErrorKind::ServerDown, "RPC server unavailable");
    e.dirsync_mut().failures.insert("discover", down);
    let err = e.analyze().await.unwrap_err();
    assert!(err.refusal().is_none());
    assert!(matches!(
        err,
        UpgradeError::Port {
            step: "analyse DirSync",
            ..
        }
    ));
}

#[tokio::test]
async fn a_silent_domain_controller_is_not_taken_for_a_missing_enterprise_admin() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    e.ad_mut().failure = Some(PortError::new(
        PortErrorKind::EndpointUnreachable,
        "The server is not operational",
    ));
    let err = e.upgrade_in_place().await.unwrap_err();
    assert!(matches!(err, UpgradeError::Port { .. }), "{err:?}");
    e.ad_mut().failure = Some(PortError::new(
        PortErrorKind::InvalidCredentials,
        "The user name or password is incorrect",
    ));
    assert!(matches!(
        refusal(e.upgrade_in_place().await),
        Refusal::NoEnterpriseAdmin { .. }
    ));
}

#[tokio::test]
async fn after_an_in_place_upgrade_the_tenants_last_export_refuses_a_rollback() {
    let mut e = engine(100, "DIRSYNC01", |_| {});
    let report = e.upgrade_in_place().await.unwrap();
    e.tenant_mut().status.last_export = Some((
        report.finished_at,
        "DIRSYNC01 (Azure AD Connect 2.5.79.0)".into(),
    ));
    let r = refusal(e.rollback_to_dirsync().await);
    let Refusal::RollbackAfterConnectExported { evidence, .. } = &r else {
        panic!("{r:?}")
    };
    assert!(evidence.contains("tenant's last export"), "{evidence}");
}

#[tokio::test]
async fn a_cutover_by_disabling_dirsync_keeps_it_installed() {
    let mut e = engine(60_000, "AADC01", |o| o.cutover = CutoverMethod::Disable);
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    let report = e.cut_over().await.unwrap();
    assert_eq!(report.method, CutoverMethod::Disable);
    assert_eq!(
        e.dirsync_mut().calls,
        vec!["run_history", "disable_service"]
    );
    assert!(!e.dirsync_mut().installation_mut().service_running);
    // DirSync stopped at once: the gap is Connect's AD delta import and sync right after it,
    // then the 10-minute export.
    assert_eq!(report.sync_gap.to_string(), "0:30:00");
}

#[tokio::test]
async fn a_cutover_before_installation_is_out_of_order() {
    let mut e = engine(60_000, "AADC01", |_| {});
    let err = e.cut_over().await.unwrap_err();
    assert!(matches!(err, UpgradeError::OutOfOrder { .. }), "{err:?}");
    assert!(err.to_string().contains("needs Azure AD Connect installed"));
    assert!(e.dirsync_mut().calls.is_empty());
}

/// An AD that deleted one object since DirSync's last export.
fn one_delete(e: &mut Engine) {
    e.ad_mut().changes = AdChanges {
        deleted: [ImmutableId::new("MyIRAFVEd2aImaq7zN3u/w==")].into(),
        ..AdChanges::default()
    };
}

#[tokio::test]
async fn dirsync_exports_its_backlog_before_the_in_place_uninstall() {
    let mut e = engine(12_000, "DIRSYNC01", |_| {});
    one_delete(&mut e);
    e.upgrade_in_place().await.unwrap();
    assert_eq!(
        e.dirsync_mut().calls,
        vec![
            "run_history",
            "start_sync_cycle",
            "run_history",
            "reset_service_account_password",
            "uninstall"
        ]
    );
}

#[tokio::test]
async fn dirsync_may_not_stop_while_its_last_cycle_fails() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    one_delete(&mut e);
    let down = PortError::new(PortErrorKind::ServerDown, "DIRSYNC01 does not answer");
    e.dirsync_mut().failures.insert("start_sync_cycle", down);
    let err = e.stop_dirsync().await.unwrap_err();
    assert!(matches!(err, UpgradeError::Port { .. }), "{err:?}");
    assert!(e.dirsync_mut().installation_mut().service_running);
    // A cycle that runs but leaves the backlog (its export recorded nowhere) is refused,
    // naming every change left: an add, two updates, a delete.
    e.dirsync_mut().failures.clear();
    e.ad_mut().changed_at = SimTime(u64::MAX);
    e.ad_mut().changes.added = [ImmutableId::new("AAAAAAAAAAAAAAAAAAAAAA==")].into();
    e.ad_mut().changes.updated = [
        ImmutableId::new("BBBBBBBBBBBBBBBBBBBBBA=="),
        ImmutableId::new("CCCCCCCCCCCCCCCCCCCCCA=="),
    ]
    .into();
    assert!(matches!(
        refusal(e.stop_dirsync().await),
        Refusal::DirSyncBacklogNotExported { backlog: 4, .. }
    ));
    assert!(e.dirsync_mut().installation_mut().service_running);
}

/// The runs Connect made on the AD connector after `since`.
fn ad_runs_after(e: &mut Engine, since: SimTime) -> Vec<RunProfile> {
    e.connect_mut()
        .history
        .iter()
        .filter(|r| r.connector == Connector::ActiveDirectory && r.started >= since)
        .map(|r| r.profile)
        .collect()
}

#[tokio::test]
async fn the_staging_server_imports_ad_right_after_dirsync_stops() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    one_delete(&mut e);
    let stopped = e
        .stop_dirsync()
        .await
        .unwrap()
        .expect("DirSync was running");
    assert_eq!(
        ad_runs_after(&mut e, stopped),
        [RunProfile::DeltaImport, RunProfile::DeltaSynchronization]
    );
    let text: Vec<String> = e
        .events()
        .events()
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    let text = text.join("\n");
    assert!(
        text.contains("changed DirSync: Export on the Azure AD connector: success"),
        "{text}"
    );
    assert!(text.contains("checked DirSync's last cycle [ok]"), "{text}");
}

#[tokio::test]
async fn a_staging_server_that_never_imported_is_not_asked_to_catch_up() {
    let mut e = engine(60_000, "AADC01", |_| {});
    e.export_settings().await.unwrap();
    e.install_parallel().await.unwrap();
    // Its history holds Azure AD's runs and AD's synchronization, but no AD import.
    e.connect_mut().history.retain(|r| {
        r.connector == Connector::AzureAd || r.profile == RunProfile::FullSynchronization
    });
    assert!(!e.connect_mut().history.is_empty());
    let stopped = e
        .stop_dirsync()
        .await
        .unwrap()
        .expect("DirSync was running");
    assert!(ad_runs_after(&mut e, stopped).is_empty());
}
