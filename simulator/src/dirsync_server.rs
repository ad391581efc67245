//! The DirSync server: its version, SQL Express or full SQL, its configuration and accounts, its
//! sync engine (the database whose metaverse the wizard counts), its service state and its files.
//! Its scheduler (a cycle every 3 hours, docs/real-systems.md, "Schedulers") lives in
//! `world::scheduler`.
//!
//! It must not know the engine's ports: `world::ports` turns this state into answers.

use crate::sync::rules::FlowSet;
use crate::sync::{SyncConfig, SyncEngine};
use upgrade_lab_model::SourceAnchor;
use upgrade_lab_model::{DirSyncConfig, SimTime};

/// Where a world's DirSync stands when the world starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DirSyncStart {
    /// DirSync has been syncing for a while: its full cycle completed at T+0 (no simulated time
    /// spent), the tenant holds its exports, and its next delta cycle is 3 hours later.
    #[default]
    Converged,
    /// DirSync was just configured: its initial full cycle starts at T+0 and takes its time.
    InitialCycle,
    /// No DirSync on the host (already uninstalled before the scenario).
    NotInstalled,
}

/// The DirSync server's state.
#[derive(Debug)]
pub struct DirSyncServer {
    /// The host DirSync runs on, as the world was built with it.
    pub host: String,
    /// DirSync's configuration (filters, accounts, SQL, password sync).
    pub config: DirSyncConfig,
    /// False once the upgrade (or an operator) uninstalled it.
    pub installed: bool,
    /// When it was uninstalled, if it was.
    pub uninstalled_at: Option<SimTime>,
    /// The "Windows Azure Active Directory Sync Service" and FIM service run.
    pub service_running: bool,
    /// DirSync's sync engine: connector spaces, metaverse, run history.
    pub engine: SyncEngine,
    /// Set when `MSOL_` password was reset by the wizard.
    pub(crate) service_account_reset_at: Option<SimTime>,
    /// When the Connect installer first inspected this installation (its analysis).
    pub(crate) inspected_at: Option<SimTime>,
}

impl DirSyncServer {
    pub(crate) fn new(host: &str, config: DirSyncConfig, expected_objects: usize) -> Self {
        let engine = SyncEngine::new(sync_config(&config), expected_objects);
        Self {
            host: host.to_string(),
            config,
            installed: true,
            uninstalled_at: None,
            service_running: true,
            engine,
            service_account_reset_at: None,
            inspected_at: None,
        }
    }

    /// The Azure AD connector account DirSync exports with.
    pub(crate) fn azure_account(&self) -> &str {
        &self.config.azure_ad_account
    }

    /// Whether DirSync exports every cycle (installed and its service running).
    pub(crate) fn is_active_exporter(&self) -> bool {
        self.installed && self.service_running
    }
}

/// The sync engine configuration a DirSync configuration gives (DirSync's opt-in delete
/// prevention, docs/real-systems.md, "Prevent accidental deletes").
pub(crate) fn sync_config(config: &DirSyncConfig) -> SyncConfig {
    SyncConfig {
        source_anchor: SourceAnchor::ObjectGuid,
        filters: config.filters.clone(),
        alternate_login_id: config.alternate_login_id.clone(),
        delete_threshold: config.delete_threshold,
        flow: FlowSet::DirSync,
    }
}
