//! An Azure AD Connect server: install options (location, SQL instance, service account), the
//! settings migrated from DirSync (scope filters, alternate login ID, features), staging mode,
//! its sync engine with accidental-delete prevention (500 by default), password hash
//! sync state, installer runs, the sign-out owed after installation, and its files. Its
//! scheduler (every 30 minutes, docs/real-systems.md, "Schedulers") lives in `world::scheduler`.
//!
//! It must not know the engine's ports: `world::ports` turns this state into answers.

use crate::sync::rules::FlowSet;
use crate::sync::{SyncConfig, SyncEngine};
use upgrade_lab_engine::ports::{InstallMode, ServiceAccount, SqlChoice};
use upgrade_lab_model::constants::DELETE_THRESHOLD_DEFAULT;
use upgrade_lab_model::{SettingsDocument, SimTime, Version};

/// The Azure AD Connect build the simulated installer lays down.
pub(crate) fn connect_version() -> Version {
    Version::new(&[2, 5, 79, 0])
}

/// An installed Azure AD Connect.
#[derive(Debug)]
pub struct ConnectServer {
    /// The host Connect runs on (canonical, upper case).
    pub host: String,
    pub(crate) version: Version,
    /// How it was installed: in place over DirSync, `/migrate` or a fresh install.
    pub mode: InstallMode,
    /// The install directory the request named, or the product's default.
    pub install_location: String,
    pub(crate) sql: SqlChoice,
    /// The account the sync service runs as.
    pub service_account: ServiceAccount,
    pub(crate) staging: bool,
    pub(crate) service_running: bool,
    /// Connect's sync engine: connector spaces, metaverse, run history.
    pub engine: SyncEngine,
    /// The settings the install applied (migrated from DirSync, or as requested).
    pub settings: SettingsDocument,
    /// The `Sync_<host>_<hex>` account the Azure AD connector signs in with (docs/real-systems.md,
    /// "Accounts and credentials").
    pub(crate) azure_account: String,
    /// Whether password hash synchronization is on.
    pub password_hash_sync: bool,
    /// Password changes made in AD up to here have reached the tenant.
    pub(crate) phs_watermark: SimTime,
    /// When the installer finished.
    pub installed_at: SimTime,
    /// The wizard asked for a sign-out and in that has not happened yet.
    pub sign_out_pending: bool,
    /// Installer (MSI) runs on this host, the first one included.
    pub installer_runs: u32,
    /// The scheduler runs (started after install with "start sync", or when staging ends).
    pub(crate) scheduler_started: bool,
}

impl ConnectServer {
    /// Whether it exports: installed, its service running and not in staging mode.
    pub(crate) fn is_active_exporter(&self) -> bool {
        self.service_running && !self.staging
    }
}

/// The sync configuration migrated settings give Connect.
pub(crate) fn sync_config(settings: &SettingsDocument) -> SyncConfig {
    SyncConfig {
        source_anchor: settings.source_anchor,
        filters: settings.filters.clone(),
        alternate_login_id: settings.alternate_login_id.clone(),
        delete_threshold: Some(DELETE_THRESHOLD_DEFAULT),
        flow: FlowSet::Connect,
    }
}

/// Default install location of the sync engine (docs/real-systems.md, "The sync engine").
pub(crate) const DEFAULT_INSTALL_LOCATION: &str = "C:\\Program Files\\Microsoft Azure AD Sync";
