//! The in-place upgrade on the DirSync server (docs/real-systems.md, "The in-place upgrade"):
//! analysis, credentials, the guard rails (blocked, 50,000 or more without "Continue upgrading
//! DirSync on this computer", installer re-run, prerequisites), then the **Upgrade** button:
//! DirSync's account password is reset (never migrated), DirSync is uninstalled, Connect is
//! installed with the migrated settings on DirSync's full SQL (or LocalDB) and resumes active
//! sync at once.
//!
//! Orchestration only; the decisions are in `analysis`, `guards`, `credentials`.

use crate::analysis::Analysis;
use crate::events::{Change, Decision, EventKind, Override, ServerRole};
use crate::guards;
use crate::ports::{Clock, DirSyncInstallation, DirSyncServer, InstallMode, Ports, SqlChoice};
use crate::settings_file;
use crate::upgrade::{Upgrade, UpgradeError, port};
use serde::Serialize;
use upgrade_lab_model::constants::PARALLEL_RECOMMEND_OBJECTS;
use upgrade_lab_model::{SimDuration, SimTime, Version};

/// What the in-place upgrade did, as the scenario reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InPlaceReport {
    /// The DirSync server, now the Azure AD Connect server.
    pub host: String,
    /// Users, groups and contacts in DirSync's database: what the estimate counted.
    pub objects_count: u64,
    /// Where Connect keeps its database (DirSync's full SQL, or LocalDB).
    pub sql: String,
    /// When DirSync's uninstall started: DirSync exported nothing from then on.
    pub uninstalled_dirsync_at: SimTime,
    /// When the installation finished and Connect became the active server.
    pub finished_at: SimTime,
    /// From DirSync's uninstall to the end of the installation: nothing exported to Azure AD
    /// meanwhile (with 50,000 objects or more, more than three hours).
    pub no_export_window: SimDuration,
    /// The Azure AD Connect version installed.
    pub version: Version,
    /// The server exports at once: it is the active server.
    pub active: bool,
    /// Sign out of Windows and in again before using the sync tools.
    pub sign_out_required: bool,
}

impl<P: Ports> Upgrade<P> {
    /// Upgrades DirSync in place. Refused when blocked, with 50,000 objects or more unless
    /// `continue_in_place`, when Connect is already installed, when prerequisites fail, or when
    /// a credential is wrong.
    pub async fn upgrade_in_place(&mut self) -> Result<InPlaceReport, UpgradeError> {
        let (analysis, installation) = self.analyze_with_installation().await?;
        self.require_in_place_allowed(&analysis, &installation)
            .await?;
        let settings = settings_file::export_document(&installation);
        let sql = self.keep_dirsyncs_database(&installation)?;
        if installation.service_running {
            self.export_dirsync_backlog().await?;
        }
        let uninstalled_at = self.retire_dirsync(&installation).await?;
        let host = installation.hostname;
        let request = self.install_request(
            InstallMode::InPlace,
            settings.clone(),
            sql,
            self.options.service_account.clone(),
        );
        let sql_name = request.sql.display_name();
        let receipt = self
            .install_connect(request, &host, "install Azure AD Connect")
            .await?;
        self.state.settings = Some(settings);
        self.state.installed_at = Some(receipt.finished_at);
        self.mark_active(
            &host,
            receipt.finished_at,
            "the in-place upgrade resumes active sync at once",
        );
        self.decided(
            Decision::SignOutRequired { host: host.clone() },
            "sign out of Windows and in again before using Synchronization Service Manager or \
             the Synchronization Rules Editor",
        );
        Ok(InPlaceReport {
            host,
            objects_count: analysis.objects_count,
            sql: sql_name,
            uninstalled_dirsync_at: uninstalled_at,
            finished_at: receipt.finished_at,
            no_export_window: receipt.finished_at.since(uninstalled_at),
            version: receipt.version,
            active: true,
            sign_out_required: receipt.sign_out_required,
        })
    }

    /// The guard rails before anything changes: not blocked, in place allowed (or overridden),
    /// no installation yet, no other active Connect server, prerequisites met, credentials
    /// right (the Azure AD account must be DirSync's own).
    async fn require_in_place_allowed(
        &mut self,
        analysis: &Analysis,
        installation: &DirSyncInstallation,
    ) -> Result<(), UpgradeError> {
        guards::guard_not_blocked(analysis).map_err(|r| self.refuse(r))?;
        guards::guard_in_place_allowed(analysis, self.options.continue_in_place)
            .map_err(|r| self.refuse(r))?;
        if analysis.objects_count >= PARALLEL_RECOMMEND_OBJECTS {
            self.note_override(
                Override::ContinueInPlace,
                "\"Continue upgrading DirSync on this computer\" was ticked: nothing exports to \
                 Azure AD until the upgrade completes",
            );
        }
        self.require_no_connect_installation().await?;
        guards::guard_one_active_connect(
            self.state.active_connect_host.as_deref(),
            &installation.hostname,
        )
        .map_err(|r| self.refuse(r))?;
        self.require_prerequisites().await?;
        self.collect_credentials(Some(&installation.config.azure_ad_account))
            .await
    }

    /// In place, Connect keeps DirSync's full SQL Server, or installs LocalDB where DirSync
    /// used SQL Express. Refused before anything is uninstalled when that SQL Server is remote
    /// and the service account is not a domain account.
    fn keep_dirsyncs_database(
        &mut self,
        installation: &DirSyncInstallation,
    ) -> Result<SqlChoice, UpgradeError> {
        let sql = if installation.config.sql.is_full() {
            SqlChoice::Existing(installation.config.sql.clone())
        } else {
            SqlChoice::LocalDb
        };
        guards::guard_service_account(&sql, &installation.hostname, &self.options.service_account)
            .map_err(|r| self.refuse(r))?;
        self.decided(
            Decision::SqlInstance {
                instance: sql.display_name(),
            },
            "in place, Connect keeps DirSync's full SQL Server, or installs LocalDB where \
             DirSync used SQL Express",
        );
        Ok(sql)
    }

    /// Resets the password of DirSync's AD account with the Enterprise Admin credentials (it
    /// cannot be read, so it is not migrated), then uninstalls DirSync. Returns when the
    /// uninstall started: from then on nothing exports until Connect is installed.
    async fn retire_dirsync(
        &mut self,
        installation: &DirSyncInstallation,
    ) -> Result<SimTime, UpgradeError> {
        let ea = self.options.enterprise_admin.clone();
        self.dirsync
            .reset_service_account_password(&ea)
            .await
            .map_err(port("reset the password of DirSync's account"))?;
        self.emit(EventKind::Changed {
            server: ServerRole::DirSync,
            change: Change::ServiceAccountPasswordReset {
                account: installation.config.ad_account.clone(),
                note: "DirSync's service account passwords cannot be retrieved and are not \
                       migrated: reset with the Enterprise Admin credentials"
                    .to_string(),
            },
        });
        let uninstall_started = self.clock.now();
        self.state.dirsync_stopped_at = Some(uninstall_started);
        self.dirsync
            .uninstall()
            .await
            .map_err(port("uninstall DirSync"))?;
        self.emit(EventKind::Changed {
            server: ServerRole::DirSync,
            change: Change::DirSyncUninstalled {
                host: installation.hostname.clone(),
            },
        });
        Ok(uninstall_started)
    }
}
