//! The ports: what the engine needs from the servers it drives. The simulator implements them
//! on a virtual clock; other implementations could drive real servers (PowerShell remoting,
//! Microsoft Graph, SQL). The engine holds no other way to touch the world.
//!
//! Futures are not `Send`: the engine runs on one thread, next to the world it drives.

use std::collections::BTreeSet;
use upgrade_lab_model::{
    Credential, DirSyncConfig, ImmutableId, ObjectCounts, PendingExport, RunProfile, RunRecord,
    Secret, ServerEnvironment, SettingsDocument, SimDuration, SimTime, SqlBackend, Version,
    sync::Connector,
};

/// Why a port call failed, in the real systems' own terms (docs/real-systems.md, "The sync engine",
/// "Prerequisites", "Failure modes").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.as_str())]
pub struct PortError {
    /// What kind of failure, for the engine to decide on (never the message).
    pub kind: PortErrorKind,
    /// The words the real system uses (status string, HTTP status, event id and text).
    pub message: String,
}

impl PortError {
    /// A failure of `kind`, in the real system's words.
    pub fn new(kind: PortErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// The kinds of failure a server or the tenant can report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PortErrorKind {
    /// "Unable to connect to the remote server".
    EndpointUnreachable,
    /// HTTP 407 from the proxy.
    ProxyAuthenticationRequired,
    /// HTTP 403 from the proxy.
    ProxyForbidden,
    /// Wrong account or password ("Invalid grant"), or an account without the role needed.
    InvalidCredentials,
    /// The password has expired.
    ExpiredCredentials,
    /// The SQL instance does not answer.
    SqlInstanceDown,
    /// The server crashed or is shut down.
    ServerDown,
    /// Azure AD throttled the client.
    Throttled,
    /// The product is not installed on this server.
    NotInstalled,
    /// The product is already installed (an installer re-run).
    AlreadyInstalled,
    /// The server refused the request as unsupported (it says why).
    Unsupported,
    /// A file the call needs does not exist.
    FileNotFound,
}

impl PortErrorKind {
    /// The kind's name in scenario files and reports (`server_down`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What the installer finds of DirSync on a server.
// Discovered once per step; boxing the installation would change the port's contract.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirSyncDiscovery {
    /// No DirSync. `uninstalled_at` is set when it was there and has been uninstalled.
    NotInstalled {
        /// When it was uninstalled, if it was there before.
        uninstalled_at: Option<SimTime>,
    },
    /// DirSync is installed, as the analysis reads it.
    Installed(DirSyncInstallation),
}

/// An installed DirSync as the wizard's analysis reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirSyncInstallation {
    /// The DirSync server's host name.
    pub hostname: String,
    /// Its configuration (database, accounts, filters, features).
    pub config: DirSyncConfig,
    /// Users, groups and contacts in DirSync's database (the metaverse).
    pub object_counts: ObjectCounts,
    /// Domains of the forest DirSync's AD connector knows.
    pub domains: Vec<String>,
    /// Whether its sync service runs (and so exports every cycle).
    pub service_running: bool,
    /// When DirSync's last AD import started, if no export completed after it: its last
    /// sync cycle was cut short (a crash after the import or in the middle of the export)
    /// and changes it read have not all reached Azure AD.
    pub unexported_import: Option<SimTime>,
}

/// The five ports an upgrade runs on, named once: the engine is `Upgrade<P: Ports>`, a world
/// (or a test's fakes) says which type serves each port.
pub trait Ports {
    /// The DirSync server.
    type DirSync: DirSyncServer;
    /// The server Azure AD Connect is installed on (the DirSync server itself in place).
    type Connect: ConnectServer;
    /// On-premises Active Directory.
    type Ad: OnPremAd;
    /// The Azure AD tenant.
    type Tenant: AzureTenant;
    /// The clock every step reads its time from.
    type Clock: Clock;
}

/// The DirSync server.
#[allow(async_fn_in_trait)]
pub trait DirSyncServer {
    /// What the installer finds of DirSync on the server (the analysis reads it).
    async fn discover(&mut self) -> Result<DirSyncDiscovery, PortError>;
    /// Stops and disables the sync service (the "temporarily disable" path of the document).
    async fn disable_service(&mut self) -> Result<(), PortError>;
    /// Starts the sync service again.
    async fn enable_service(&mut self) -> Result<(), PortError>;
    /// Uninstalls "Windows Azure Active Directory sync tool" (up to 15 minutes).
    async fn uninstall(&mut self) -> Result<(), PortError>;
    /// Runs one sync cycle now (`Start-OnlineCoexistenceSync`) and returns its runs.
    async fn start_sync_cycle(&mut self) -> Result<Vec<RunRecord>, PortError>;
    /// DirSync's run history (Synchronization Service Manager's Operations tab).
    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError>;
    /// Resets the password of DirSync's `MSOL_` AD account (needs Enterprise Admin).
    async fn reset_service_account_password(
        &mut self,
        enterprise_admin: &Credential,
    ) -> Result<(), PortError>;
    /// Writes a file on the server (creating or replacing it).
    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError>;
    /// Reads a file on the server; `FileNotFound` when it is not there.
    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError>;
}

/// Where the new installation keeps its database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SqlChoice {
    /// SQL Server Express LocalDB installed by the wizard (the default).
    LocalDb,
    /// An existing SQL Server instance (DirSync's own when upgrading in place on full SQL).
    Existing(SqlBackend),
}

impl SqlChoice {
    /// The database as the wizard and the reports name it: `SQL Server Express LocalDB`, or
    /// the existing instance's `server\instance`.
    pub fn display_name(&self) -> String {
        match self {
            SqlChoice::LocalDb => "SQL Server Express LocalDB".to_string(),
            SqlChoice::Existing(b) => b.display_name(),
        }
    }
}

/// The account the sync service runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceAccount {
    /// The default virtual service account.
    Virtual,
    /// A domain account (`DOMAIN\name`), required when SQL is remote.
    Domain {
        /// `DOMAIN\name`.
        name: String,
        /// Its password (redacted in `Debug`).
        password: Secret,
    },
    /// A local account.
    Local {
        /// The account's name on the server.
        name: String,
        /// Its password (redacted in `Debug`).
        password: Secret,
    },
}

/// How the installation is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallMode {
    /// On the DirSync server, after DirSync is uninstalled: active at once.
    InPlace,
    /// On a separate server with `/migrate`: staging.
    Migrate,
}

/// Everything the wizard's "Ready to configure" page commits.
#[derive(Clone, Debug)]
pub struct InstallRequest {
    /// In place or `/migrate`.
    pub mode: InstallMode,
    /// The DirSync settings to migrate.
    pub settings: SettingsDocument,
    /// Custom install location; `None` = `C:\Program Files\Microsoft Azure AD Sync`.
    pub install_location: Option<String>,
    /// Where the new installation keeps its database.
    pub sql: SqlChoice,
    /// The account the sync service runs as.
    pub service_account: ServiceAccount,
    /// Install in staging mode: sync runs, nothing exports (`/migrate` always; in place never).
    pub staging: bool,
    /// "Start the synchronization process as soon as the configuration completes".
    pub start_sync: bool,
    /// The Azure AD account and password (Hybrid Identity Administrator).
    pub azure_ad: Credential,
    /// An Enterprise Admins account, used only during installation.
    pub enterprise_admin: Credential,
}

/// What the installer reports when it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallReceipt {
    /// When the installation finished.
    pub finished_at: SimTime,
    /// The Azure AD Connect version installed.
    pub version: Version,
    /// The wizard tells the user to sign out and in before using the sync tools.
    pub sign_out_required: bool,
}

/// An installed Azure AD Connect as its configuration wizard sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectInstallation {
    /// The server's host name.
    pub hostname: String,
    /// The installed version.
    pub version: Version,
    /// Staging mode is on: sync runs, nothing exports.
    pub staging: bool,
    /// The sync service runs.
    pub service_running: bool,
    /// Where it keeps its database.
    pub sql: SqlChoice,
}

/// The Azure AD Connect server.
#[allow(async_fn_in_trait)]
pub trait ConnectServer {
    /// The machine's facts for the prerequisite checks.
    async fn environment(&mut self) -> Result<ServerEnvironment, PortError>;
    /// The installed Azure AD Connect, `None` where it is not installed.
    async fn installation(&mut self) -> Result<Option<ConnectInstallation>, PortError>;
    /// Runs the installer (MSI + wizard) once.
    async fn install(&mut self, request: InstallRequest) -> Result<InstallReceipt, PortError>;
    /// Turns staging mode on or off through the installed configuration wizard
    /// ("Configure staging mode"), never through the installer.
    async fn set_staging_mode(&mut self, enabled: bool) -> Result<(), PortError>;
    /// Runs one profile on one connector and waits for it (`Invoke-ADSyncRunProfile`).
    async fn run_profile(
        &mut self,
        connector: Connector,
        profile: RunProfile,
    ) -> Result<RunRecord, PortError>;
    /// The Operations tab, oldest first.
    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError>;
    /// Pending exports on the Azure AD connector (csexport).
    async fn pending_exports(&mut self) -> Result<Vec<PendingExport>, PortError>;
    /// One page of the pending exports, in `pending_exports`' order: at most `max` of them
    /// from position `from` (0: the first page), and the position of the next page (`None`
    /// after the last). A verification reads a million pending exports page by page instead of
    /// holding every description at once; pages after the first are read at the same instant,
    /// and an implementation charges its query time on the first page only.
    async fn pending_exports_page(
        &mut self,
        from: usize,
        max: usize,
    ) -> Result<(Vec<PendingExport>, Option<usize>), PortError> {
        let all = self.pending_exports().await?;
        let end = from.saturating_add(max.max(1)).min(all.len());
        let page = all.get(from..end).map(<[PendingExport]>::to_vec);
        Ok((page.unwrap_or_default(), (end < all.len()).then_some(end)))
    }
    /// Writes a file on the server (creating or replacing it).
    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError>;
    /// Reads a file on the server; `FileNotFound` when it is not there.
    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError>;
}

/// AD's changes over a period, object by object (users, groups, contacts, by the source anchor
/// each would have in Azure AD), to explain pending exports. An object appears once: added (it
/// did not exist before the period; later updates are part of the add), deleted (a tombstone
/// now), or updated; except one created and deleted within the period, which is both added and
/// deleted (DirSync may have exported it in between).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdChanges {
    /// Objects created in the period.
    pub added: BTreeSet<ImmutableId>,
    /// Objects that existed before and were changed.
    pub updated: BTreeSet<ImmutableId>,
    /// Objects that existed before and are tombstones now.
    pub deleted: BTreeSet<ImmutableId>,
    /// Of `deleted`, those AD changed before deleting them: Connect may have imported the change
    /// and not yet the delete, so a pending update of one is AD's doing.
    pub updated_then_deleted: BTreeSet<ImmutableId>,
}

/// On-premises Active Directory.
#[allow(async_fn_in_trait)]
pub trait OnPremAd {
    /// Whether the credential is valid and a member of Enterprise Admins.
    async fn is_enterprise_admin(&mut self, credential: &Credential) -> Result<bool, PortError>;
    /// Changes made in AD after `since` (adds, updates, deletes of users, groups, contacts),
    /// as an operator reads them from `whenCreated`, `whenChanged` and the tombstones.
    async fn changes_since(&mut self, since: SimTime) -> Result<AdChanges, PortError>;
}

/// A signed-in session with the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantSession {
    /// The account signed in.
    pub account: String,
    /// Hybrid Identity Administrator or Global Administrator.
    pub is_hybrid_identity_admin: bool,
}

/// Directory synchronisation status as the tenant reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantSyncStatus {
    /// When the last export arrived and from which client (host and product).
    pub last_export: Option<(SimTime, String)>,
    /// Objects synced from on-premises.
    pub synced_objects: u64,
}

/// The Azure AD tenant.
#[allow(async_fn_in_trait)]
pub trait AzureTenant {
    /// Signs in with `credential`; `InvalidCredentials` or `ExpiredCredentials` when it cannot.
    async fn sign_in(&mut self, credential: &Credential) -> Result<TenantSession, PortError>;
    /// The tenant's directory synchronization status (the last export and who sent it).
    async fn sync_status(&mut self) -> Result<TenantSyncStatus, PortError>;
}

/// Simulated or real time. The engine never reads a clock of its own.
///
/// The clock never goes back: the engine stamps its events and measures the sync gap with it,
/// and asserts (in debug builds) that what it stamps comes in order.
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// The time now.
    fn now(&self) -> SimTime;
    /// Waits `duration` (a simulated world advances its clock, and the world with it).
    async fn sleep(&self, duration: SimDuration);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_error_kinds_are_named_in_snake_case() {
        let kinds = [
            (PortErrorKind::EndpointUnreachable, "endpoint_unreachable"),
            (
                PortErrorKind::ProxyAuthenticationRequired,
                "proxy_authentication_required",
            ),
            (PortErrorKind::ProxyForbidden, "proxy_forbidden"),
            (PortErrorKind::InvalidCredentials, "invalid_credentials"),
            (PortErrorKind::ExpiredCredentials, "expired_credentials"),
            (PortErrorKind::SqlInstanceDown, "sql_instance_down"),
            (PortErrorKind::ServerDown, "server_down"),
            (PortErrorKind::Throttled, "throttled"),
            (PortErrorKind::NotInstalled, "not_installed"),
            (PortErrorKind::AlreadyInstalled, "already_installed"),
            (PortErrorKind::Unsupported, "unsupported"),
            (PortErrorKind::FileNotFound, "file_not_found"),
        ];
        for (kind, name) in kinds {
            assert_eq!(kind.as_str(), name);
        }
    }
}
