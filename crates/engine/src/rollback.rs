//! Going back, and running the installer again: the two things the document forbids once the
//! new server is in place. A rollback to DirSync is allowed only before Connect has exported
//! (it puts Connect back in staging first, then re-enables DirSync's service); the installation
//! MSI never runs on a server where Connect is installed.
//!
//! Orchestration only; the decisions are in `guards`.

use crate::events::{Change, Check, Decision, EventKind, Refusal, ServerRole};
use crate::guards;
use crate::ports::{AzureTenant, Clock, ConnectServer, DirSyncDiscovery, DirSyncServer, Ports};
use crate::upgrade::{Upgrade, UpgradeError, port};
use serde::Serialize;
use upgrade_lab_model::SimTime;

/// What the rollback did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RollbackReport {
    /// The DirSync server, the active server again.
    pub dirsync_host: String,
    /// Connect was taken back into staging mode (it had been turned off without exporting).
    pub connect_back_in_staging: bool,
    /// When DirSync was (or already was) running again.
    pub dirsync_enabled_at: SimTime,
}

impl<P: Ports> Upgrade<P> {
    /// Re-enables DirSync. Refused once Connect has exported to Azure AD, and when DirSync is
    /// no longer installed.
    pub async fn rollback_to_dirsync(&mut self) -> Result<RollbackReport, UpgradeError> {
        let evidence = self.connect_export_evidence().await?;
        self.checked(
            Check::ConnectExported,
            evidence.is_none(),
            evidence.as_ref().map_or_else(
                || "Azure AD Connect has not exported to Azure AD".to_string(),
                |(_, e)| e.clone(),
            ),
        );
        guards::guard_rollback(evidence).map_err(|r| self.refuse(r))?;
        let discovery = self
            .dirsync
            .discover()
            .await
            .map_err(port("look at DirSync"))?;
        let installation = match discovery {
            DirSyncDiscovery::NotInstalled { uninstalled_at } => {
                return Err(self.refuse(Refusal::NoDirSyncToRollBackTo { uninstalled_at }));
            }
            DirSyncDiscovery::Installed(i) => i,
        };
        let connect = self
            .connect
            .installation()
            .await
            .map_err(port("look at the Connect installation"))?;
        let mut back_in_staging = false;
        if let Some(c) = connect.filter(|c| !c.staging) {
            self.set_staging(&c.hostname, true).await?;
            // Connect exported while staging mode was being turned on: it is the active server
            // now, so it goes back out of staging and the rollback is refused.
            let since = self.state.connect_active_since;
            if let Err(r) = guards::guard_rollback(self.connect_export_evidence().await?) {
                self.set_staging(&c.hostname, false).await?;
                self.state.connect_active_since = since;
                return Err(self.refuse(r));
            }
            back_in_staging = true;
            self.state.connect_active_since = None;
            self.state.active_connect_host = None;
        }
        if !installation.service_running {
            self.dirsync
                .enable_service()
                .await
                .map_err(port("enable DirSync"))?;
            self.emit(EventKind::Changed {
                server: ServerRole::DirSync,
                change: Change::DirSyncEnabled {
                    host: installation.hostname.clone(),
                },
            });
        }
        let at = self.clock.now();
        self.decided(
            Decision::ActiveServer {
                host: installation.hostname.clone(),
            },
            "rolled back before Azure AD Connect exported: DirSync is the active server again",
        );
        self.state.dirsync_stopped_at = None;
        Ok(RollbackReport {
            dirsync_host: installation.hostname,
            connect_back_in_staging: back_in_staging,
            dirsync_enabled_at: at,
        })
    }

    /// When Connect first exported since it became active, and how we know; `None` if not.
    async fn connect_export_evidence(&mut self) -> Result<Option<(SimTime, String)>, UpgradeError> {
        let history = self
            .connect
            .run_history()
            .await
            .map_err(port("read run history"))?;
        let status = self
            .tenant
            .sync_status()
            .await
            .map_err(port("read the tenant's sync status"))?;
        Ok(guards::connect_export_evidence(
            &history,
            &status,
            self.state.connect_active_since,
        ))
    }

    /// Turns Connect's staging mode on or off and says so.
    async fn set_staging(&mut self, host: &str, enabled: bool) -> Result<(), UpgradeError> {
        self.connect
            .set_staging_mode(enabled)
            .await
            .map_err(port("change staging mode"))?;
        self.emit(EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::StagingMode {
                host: host.to_string(),
                enabled,
            },
        });
        Ok(())
    }

    /// The guard on running the installation MSI: refused where Connect is installed (use the
    /// installed wizard's Additional tasks instead); `Ok` when the server has no installation.
    pub async fn rerun_installer(&mut self) -> Result<(), UpgradeError> {
        self.require_no_connect_installation().await?;
        self.checked(
            Check::ExistingInstallation,
            true,
            "Azure AD Connect is not installed on this server: the installer may run",
        );
        Ok(())
    }
}
