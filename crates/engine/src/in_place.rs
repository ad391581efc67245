//! The in-place upgrade on the DirSync server (seed document, "In-place upgrade"): analysis,
//! credentials, the guard rails (blocked, 50,000 or more without "Continue upgrading DirSync on
//! this computer", installer re-run, prerequisites), then the **Upgrade** button: DirSync's
//! account password is reset (never migrated), DirSync is uninstalled, Connect is installed with
//! the migrated settings on DirSync's full SQL (or LocalDB) and resumes active sync at once.
//!
//! Orchestration only; the decisions are in `analysis`, `guards`, `credentials`.

use crate::events::{Change, Decision, Override, ServerRole};
use crate::guards;
use crate::ports::{
    Clock, ConnectServer, DirSyncServer, InstallMode, InstallRequest, Ports, SqlChoice,
};
use crate::settings_file;
use crate::upgrade::{Upgrade, UpgradeError, port};
use serde::Serialize;
use upgrade_lab_model::constants::PARALLEL_RECOMMEND_OBJECTS;
use upgrade_lab_model::{SimDuration, SimTime, Version};

/// What the in-place upgrade did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InPlaceReport {
    pub host: String,
    pub objects_count: u64,
    /// Where Connect keeps its database (DirSync's full SQL, or LocalDB).
    pub sql: String,
    pub uninstalled_dirsync_at: SimTime,
    pub finished_at: SimTime,
    /// From DirSync's uninstall to the end of the installation: nothing exported to Azure AD
    /// meanwhile (with 50,000 objects or more, more than three hours).
    pub no_export_window: SimDuration,
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
        guards::guard_not_blocked(&analysis).map_err(|r| self.refuse(r))?;
        guards::guard_in_place_allowed(&analysis, self.options.continue_in_place)
            .map_err(|r| self.refuse(r))?;
        if analysis.objects_count >= PARALLEL_RECOMMEND_OBJECTS {
            self.note_override(
                Override::ContinueInPlace,
                "\"Continue upgrading DirSync on this computer\" was ticked: nothing exports to \
                 Azure AD until the upgrade completes",
            );
        }
        let installed = self
            .connect
            .installation()
            .await
            .map_err(port("look for an existing installation"))?;
        guards::guard_installer_may_run(installed.as_ref()).map_err(|r| self.refuse(r))?;
        guards::guard_one_active_connect(
            self.state.active_connect_host.as_deref(),
            &installation.hostname,
        )
        .map_err(|r| self.refuse(r))?;
        self.require_prerequisites().await?;
        self.collect_credentials(Some(&installation.config.azure_ad_account))
            .await?;

        let settings = settings_file::export_document(&installation);
        let sql = if installation.config.sql.is_full() {
            SqlChoice::Existing(installation.config.sql.clone())
        } else {
            SqlChoice::LocalDb
        };
        // Before anything is uninstalled: a remote full SQL Server needs a domain service
        // account for the new sync service (the upgrade document), in place as in parallel.
        guards::guard_service_account(&sql, &installation.hostname, &self.options.service_account)
            .map_err(|r| self.refuse(r))?;
        let sql_name = match &sql {
            SqlChoice::LocalDb => "SQL Server Express LocalDB".to_string(),
            SqlChoice::Existing(b) => b.display_name(),
        };
        self.decided(
            Decision::SqlInstance {
                instance: sql_name.clone(),
            },
            "in place, Connect keeps DirSync's full SQL Server, or installs LocalDB where \
             DirSync used SQL Express",
        );

        if installation.service_running {
            self.export_dirsync_backlog().await?;
        }
        let host = installation.hostname.clone();
        let ea = self.options.enterprise_admin.clone();
        self.dirsync
            .reset_service_account_password(&ea)
            .await
            .map_err(port("reset the password of DirSync's account"))?;
        self.emit(crate::events::EventKind::Changed {
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
        self.emit(crate::events::EventKind::Changed {
            server: ServerRole::DirSync,
            change: Change::DirSyncUninstalled { host: host.clone() },
        });

        let request = InstallRequest {
            mode: InstallMode::InPlace,
            settings: settings.clone(),
            install_location: self.options.install_location.clone(),
            sql,
            service_account: self.options.service_account.clone(),
            staging: false,
            start_sync: true,
            azure_ad: self.options.azure_ad.clone(),
            enterprise_admin: ea,
        };
        let receipt = self
            .connect
            .install(request)
            .await
            .map_err(port("install Azure AD Connect"))?;
        self.emit(crate::events::EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::ConnectInstalled {
                host: host.clone(),
                version: receipt.version.clone(),
                staging: false,
                start_sync: true,
                sql: sql_name.clone(),
            },
        });
        self.state.settings = Some(settings);
        self.state.installed_at = Some(receipt.finished_at);
        self.state.connect_active_since = Some(receipt.finished_at);
        self.state.active_connect_host = Some(host.clone());
        self.decided(
            Decision::ActiveServer { host: host.clone() },
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
            uninstalled_dirsync_at: uninstall_started,
            finished_at: receipt.finished_at,
            no_export_window: receipt.finished_at.since(uninstall_started),
            version: receipt.version,
            active: true,
            sign_out_required: receipt.sign_out_required,
        })
    }
}
