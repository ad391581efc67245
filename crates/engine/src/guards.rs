//! The guard rails: every step the upgrade document forbids, each a pure function that answers
//! with a typed `Refusal` and its reason. The orchestrator calls them with what the ports
//! reported and emits a `Refused` event when one says no.
//!
//! Only decisions live here: no port is called.

use crate::analysis::{Analysis, AnalysisPage};
use crate::estimate::plan_choice;
use crate::events::Refusal;
use crate::ports::{
    ConnectInstallation, DirSyncDiscovery, DirSyncInstallation, ServiceAccount, SqlChoice,
    TenantSyncStatus,
};
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{RunProfile, RunRecord, SimTime, SqlBackend};

/// A blocked configuration stops every path of the upgrade.
pub fn guard_not_blocked(analysis: &Analysis) -> Result<(), Refusal> {
    match &analysis.page {
        AnalysisPage::Blocked { reasons } => Err(Refusal::ConfigurationBlocked {
            reasons: reasons.clone(),
        }),
        _ => Ok(()),
    }
}

/// In place with 50,000 objects or more only with "Continue upgrading DirSync on this computer".
pub fn guard_in_place_allowed(analysis: &Analysis, continue_in_place: bool) -> Result<(), Refusal> {
    let choice = plan_choice(analysis.objects_count, continue_in_place, false);
    if choice.in_place_allowed {
        Ok(())
    } else {
        Err(Refusal::ParallelRecommended {
            objects_count: analysis.objects_count,
            estimate: choice.estimate,
        })
    }
}

/// Export settings only where the wizard offers it: 50,000 objects or more, or `/ForceExport`.
pub fn guard_export_offered(analysis: &Analysis, force_export: bool) -> Result<(), Refusal> {
    if plan_choice(analysis.objects_count, false, force_export).export_offered {
        Ok(())
    } else {
        Err(Refusal::ExportNotOffered {
            objects_count: analysis.objects_count,
        })
    }
}

/// The installation MSI must not run again on a server where Connect is installed.
pub fn guard_installer_may_run(installed: Option<&ConnectInstallation>) -> Result<(), Refusal> {
    match installed {
        Some(i) => Err(Refusal::InstallerRerun {
            host: i.hostname.clone(),
        }),
        None => Ok(()),
    }
}

/// The new server must not use DirSync's SQL instance (one sync engine per instance).
pub fn guard_sql_not_dirsyncs(choice: &SqlChoice, dirsync_sql: &SqlBackend) -> Result<(), Refusal> {
    match choice {
        SqlChoice::Existing(b) if b.same_instance(dirsync_sql) => Err(Refusal::DirSyncSqlReused {
            instance: b.display_name(),
        }),
        _ => Ok(()),
    }
}

/// Whether `sql_server` names another machine than `host` (short names compared without case).
pub fn is_remote_sql(sql_server: &str, host: &str) -> bool {
    let short = |s: &str| {
        s.trim()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let server = short(sql_server);
    let local = ["", "localhost", "(local)", "127", "(localdb)"];
    !(local.contains(&server.as_str()) || server == short(host))
}

/// With a remote SQL Server the service account must be a domain account.
pub fn guard_service_account(
    choice: &SqlChoice,
    host: &str,
    account: &ServiceAccount,
) -> Result<(), Refusal> {
    let SqlChoice::Existing(SqlBackend::Full { server, .. }) = choice else {
        return Ok(());
    };
    if is_remote_sql(server, host) && !matches!(account, ServiceAccount::Domain { .. }) {
        return Err(Refusal::RemoteSqlNeedsDomainAccount {
            sql_server: server.clone(),
            host: host.to_string(),
        });
    }
    Ok(())
}

/// DirSync may be stopped for the cutover only once its last sync cycle exported what it
/// imported: a cycle a crash cut short leaves changes only DirSync has read.
pub fn guard_dirsync_cycle_complete(dirsync: &DirSyncInstallation) -> Result<(), Refusal> {
    match dirsync.unexported_import {
        Some(imported_at) if dirsync.service_running => Err(Refusal::DirSyncCycleIncomplete {
            host: dirsync.hostname.clone(),
            imported_at,
        }),
        _ => Ok(()),
    }
}

/// Staging mode may go off only when DirSync no longer runs (never two exporters).
pub fn guard_staging_off(dirsync: &DirSyncDiscovery) -> Result<(), Refusal> {
    match dirsync {
        DirSyncDiscovery::Installed(i) if i.service_running => {
            Err(Refusal::StagingOffWhileDirSyncExports {
                host: i.hostname.clone(),
            })
        }
        _ => Ok(()),
    }
}

/// `host` may become the active Azure AD Connect server (staging off, or an in-place upgrade)
/// only when no other Connect server is the active one.
pub fn guard_one_active_connect(active: Option<&str>, host: &str) -> Result<(), Refusal> {
    match active {
        Some(a) if !a.eq_ignore_ascii_case(host) => Err(Refusal::AnotherConnectActive {
            host: host.to_string(),
            active: a.to_string(),
        }),
        _ => Ok(()),
    }
}

/// When Azure AD Connect first exported to Azure AD, and how we know; `None` if it has not.
///
/// Evidence, in order: an Export run on the Azure AD connector that changed something; any
/// Export run on it since Connect became active; the tenant's last export arriving since Connect
/// became active (DirSync was stopped by then, so it was Connect's).
pub fn connect_export_evidence(
    history: &[RunRecord],
    tenant: &TenantSyncStatus,
    active_since: Option<SimTime>,
) -> Option<(SimTime, String)> {
    let exports = || {
        history
            .iter()
            .filter(|r| r.connector == Connector::AzureAd && r.profile == RunProfile::Export)
    };
    let changed = exports().find(|r| r.stats.adds + r.stats.updates + r.stats.deletes > 0);
    if let Some(r) = changed {
        return Some((
            r.ended,
            format!(
                "run history: Export on the Azure AD connector at {} ({} adds, {} updates, {} \
                 deletes)",
                r.ended, r.stats.adds, r.stats.updates, r.stats.deletes
            ),
        ));
    }
    let since = active_since?;
    if let Some(r) = exports().find(|r| r.started >= since) {
        return Some((
            r.ended,
            format!(
                "run history: Export on the Azure AD connector at {} after staging mode was \
                 turned off",
                r.ended
            ),
        ));
    }
    match &tenant.last_export {
        Some((at, client)) if *at >= since => Some((
            *at,
            format!("the tenant's last export came at {at} from {client}"),
        )),
        _ => None,
    }
}

/// Rolling back to DirSync is refused once Connect has exported.
pub fn guard_rollback(evidence: Option<(SimTime, String)>) -> Result<(), Refusal> {
    match evidence {
        Some((exported_at, evidence)) => Err(Refusal::RollbackAfterConnectExported {
            exported_at,
            evidence,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "guards_tests.rs"]
mod tests;
