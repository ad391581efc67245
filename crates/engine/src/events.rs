//! The engine's typed event stream: what it checked (and found), what it decided (and why), what
//! it changed (on which server) and what it refused (and the reason). The scenario harness turns
//! these into terminal, JSON and JUnit reports.
//!
//! Events never carry a secret: they are built from names, counts and sentences only.

use crate::estimate::Recommendation;
use crate::prerequisites::{PrerequisiteCheck, Severity};
use serde::Serialize;
use std::fmt;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{RunProfile, SimDuration, SimTime, Version};

/// One event, stamped with the simulated (or real) time the clock port gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EngineEvent {
    /// When it happened, on the clock port (simulated milliseconds since the world started).
    pub at: SimTime,
    /// What happened; serialised flat next to `at`, tagged by `event`.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EventKind {
    /// Something was inspected; `passed` is false when the finding is a problem.
    Checked {
        /// What was inspected.
        check: Check,
        /// Whether the finding is fine (`false`: a problem the report shows red).
        passed: bool,
        /// What was found, in a sentence an operator can act on.
        finding: String,
    },
    /// The engine chose something, and says why.
    Decided {
        /// What was chosen.
        decision: Decision,
        /// Why, in the upgrade document's terms.
        reason: String,
    },
    /// A server (or the tenant) was changed.
    Changed {
        /// The server the change was made on.
        server: ServerRole,
        /// What was changed.
        change: Change,
    },
    /// The engine refused a step.
    Refused {
        /// Why, and what to do instead.
        refusal: Refusal,
    },
}

/// What was checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(tag = "check", rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Check {
    /// One prerequisite finding.
    Prerequisite {
        /// Which prerequisite.
        prerequisite: PrerequisiteCheck,
        /// Whether it blocks the installation or only warns.
        severity: Severity,
    },
    /// All prerequisites (reported when there is no finding).
    Prerequisites,
    /// Whether DirSync is installed (and what the analysis found), or already gone.
    #[serde(rename = "dirsync-installation")]
    #[strum(serialize = "dirsync_installation")]
    DirSyncInstallation,
    /// DirSync's last cycle exported what AD changed since its last export.
    #[serde(rename = "dirsync-backlog")]
    #[strum(serialize = "dirsync_backlog")]
    DirSyncBacklog,
    /// The staging server imported AD right after DirSync stopped.
    ConnectCatchUp,
    /// In place: the Azure AD account typed is the one DirSync uses.
    AzureAdAccount,
    /// The Azure AD account signs in and holds the Hybrid Identity Administrator role.
    TenantSignIn,
    /// The Enterprise Admins credentials are valid and a member of the group.
    EnterpriseAdmin,
    /// The settings file on the new server reads, is sealed and complete.
    SettingsFile,
    /// Whether Azure AD Connect is already installed (the installer must not run again).
    ExistingInstallation,
    /// The new server's SQL instance is not DirSync's.
    SqlInstance,
    /// The service account suits the SQL Server (a domain account when it is remote).
    ServiceAccount,
    /// The staging server's Full Import and Full Synchronization on both connectors.
    InitialCycle,
    /// Every pending export on the Azure AD connector is explained by a change in AD.
    PendingExports,
    /// Connect's first export after staging mode went off.
    FirstExport,
    /// Whether Connect has exported to Azure AD (a rollback to DirSync is refused once it has).
    ConnectExported,
}

/// The page the wizard shows when the analysis is finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(tag = "page", rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum AnalysisPage {
    /// SQL Express and fewer than 50,000 objects: ready to upgrade.
    Ready,
    /// DirSync uses a full SQL Server: the page shows it (`server\instance`).
    FullSql {
        /// DirSync's SQL Server as `server\instance`.
        server_instance: String,
    },
    /// 50,000 objects or more: Export settings, or "Continue upgrading DirSync on this computer".
    RecommendParallel,
    /// Unsupported DirSync changes: the upgrade cannot proceed.
    Blocked {
        /// One sentence per blocker (a removed attribute, an extension DLL, …).
        reasons: Vec<String>,
    },
}

impl AnalysisPage {
    /// The page's name in scenario files and reports (`full_sql`); serde's tag in kebab-case.
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for AnalysisPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisPage::Ready => f.write_str("ready to upgrade"),
            AnalysisPage::FullSql { server_instance } => write!(
                f,
                "DirSync uses the full SQL Server {server_instance}; the upgrade keeps using it"
            ),
            AnalysisPage::RecommendParallel => f.write_str(
                "50,000 objects or more: a parallel deployment is recommended (Export settings), \
                 or tick \"Continue upgrading DirSync on this computer\"",
            ),
            AnalysisPage::Blocked { reasons } => {
                write!(f, "the upgrade is blocked: {}", reasons.join("; "))
            }
        }
    }
}

/// What was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(tag = "decision", rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Decision {
    /// The analysis page the wizard shows.
    AnalysisPage {
        /// The page.
        page: AnalysisPage,
    },
    /// The estimate and the recommendation that follows from it.
    Recommendation {
        /// In place below 50,000 objects, parallel at 50,000 or more.
        recommendation: Recommendation,
        /// Users + groups + contacts in DirSync's database.
        objects_count: u64,
        /// Three hours per 50,000 objects, rounded down to the second.
        estimate: SimDuration,
    },
    /// The user overrode the recommendation.
    Override {
        /// Which of the wizard's two overrides.
        what: Override,
    },
    /// Where the new installation keeps its database.
    SqlInstance {
        /// `SQL Server Express LocalDB`, or `server\instance`.
        instance: String,
    },
    /// Which server now exports to Azure AD (never two at once).
    ActiveServer {
        /// The server's host name.
        host: String,
    },
    /// The user must sign out of Windows and in again before using the sync tools.
    SignOutRequired {
        /// The server to sign in to again.
        host: String,
    },
    /// The sync gap of the cutover: from DirSync's stop to Connect's first export.
    SyncGap {
        /// The time nothing exported to Azure AD.
        gap: SimDuration,
    },
}

/// The wizard's two overrides of its recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Override {
    /// "Continue upgrading DirSync on this computer" with 50,000 objects or more.
    ContinueInPlace,
    /// `AzureADConnect.exe /ForceExport` with fewer than 50,000 objects.
    ForceExport,
}

/// Which server a change touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum ServerRole {
    /// The DirSync server.
    #[serde(rename = "dirsync")]
    #[strum(serialize = "dirsync")]
    DirSync,
    /// The server Azure AD Connect is installed on (the DirSync server itself in place).
    Connect,
    /// The Azure AD tenant.
    Tenant,
}

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(tag = "change", rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Change {
    /// Export settings wrote the settings file on the DirSync server.
    SettingsExported {
        /// The DirSync server.
        host: String,
        /// Where the file was written.
        path: String,
        /// The file's size in bytes.
        bytes_count: u64,
    },
    /// The settings file was copied to the new server.
    SettingsCopied {
        /// The same path on both servers.
        path: String,
    },
    /// The password of DirSync's AD account was reset: passwords are never migrated.
    ServiceAccountPasswordReset {
        /// DirSync's AD account (`DOMAIN\MSOL_…`).
        account: String,
        /// Why it was reset.
        note: String,
    },
    /// DirSync was uninstalled (in place, or at the cutover).
    #[serde(rename = "dirsync-uninstalled")]
    #[strum(serialize = "dirsync_uninstalled")]
    DirSyncUninstalled {
        /// The DirSync server.
        host: String,
    },
    /// DirSync's service was stopped and disabled (the cutover's "disable" method).
    #[serde(rename = "dirsync-disabled")]
    #[strum(serialize = "dirsync_disabled")]
    DirSyncDisabled {
        /// The DirSync server.
        host: String,
    },
    /// DirSync's service was enabled and started again (a rollback).
    #[serde(rename = "dirsync-enabled")]
    #[strum(serialize = "dirsync_enabled")]
    DirSyncEnabled {
        /// The DirSync server.
        host: String,
    },
    /// Azure AD Connect was installed.
    ConnectInstalled {
        /// The server it was installed on.
        host: String,
        /// The version installed.
        version: Version,
        /// Installed in staging mode (a `/migrate` installation always is).
        staging: bool,
        /// The initial cycle starts as soon as the configuration completes.
        start_sync: bool,
        /// Its database: `SQL Server Express LocalDB` or `server\instance`.
        sql: String,
    },
    /// Staging mode was turned on or off.
    StagingMode {
        /// The Connect server.
        host: String,
        /// On (`true`: sync runs, nothing exports) or off (the server exports).
        enabled: bool,
    },
    /// A run profile ran.
    RunProfile {
        /// On which connector.
        connector: Connector,
        /// Which profile.
        profile: RunProfile,
        /// Its status string (`success`, `stopped-server-down`, …).
        status: String,
    },
}

/// Why the engine refused a step. Each says what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error, strum::IntoStaticStr)]
#[cfg_attr(test, derive(strum::EnumIter))]
#[serde(tag = "refusal", rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Refusal {
    /// DirSync is not installed on the server the upgrade starts from.
    #[error(
        "DirSync was not found on this server{}; do not uninstall DirSync before the upgrade: \
         Azure AD Connect reads and migrates its configuration and uninstalls it itself. \
         Without it there is nothing to migrate: do a fresh installation of Azure AD Connect",
        uninstalled_at.map(|t| format!(" (it was uninstalled at {t})")).unwrap_or_default()
    )]
    #[serde(rename = "dirsync-not-found")]
    #[strum(serialize = "dirsync_not_found")]
    DirSyncNotFound {
        /// When it was uninstalled, if it was there before.
        uninstalled_at: Option<SimTime>,
    },
    /// DirSync's configuration has changes the upgrade cannot migrate.
    #[error(
        "the upgrade is blocked: {}; install a new Azure AD Connect server in staging mode, \
         compare it with DirSync and reapply the changes as custom configuration",
        reasons.join("; ")
    )]
    ConfigurationBlocked {
        /// One sentence per blocker.
        reasons: Vec<String>,
    },
    /// In place with 50,000 objects or more, without "Continue upgrading DirSync on this computer".
    #[error(
        "{objects_count} objects is 50,000 or more: a parallel deployment is recommended \
         (estimated {estimate}); tick \"Continue upgrading DirSync on this computer\" to upgrade \
         in place anyway"
    )]
    ParallelRecommended {
        /// Users + groups + contacts.
        objects_count: u64,
        /// The wizard's estimate of the upgrade time.
        estimate: SimDuration,
    },
    /// Export settings with fewer than 50,000 objects, without `/ForceExport`.
    #[error(
        "with {objects_count} objects (fewer than 50,000) the wizard recommends an in-place \
         upgrade and offers no Export settings; run AzureADConnect.exe /ForceExport to export \
         anyway"
    )]
    ExportNotOffered {
        /// Users + groups + contacts.
        objects_count: u64,
    },
    /// A blocking prerequisite finding on the Connect server.
    #[error(
        "the server does not meet the prerequisites of Azure AD Connect: {}",
        problems.join("; ")
    )]
    PrerequisitesNotMet {
        /// One sentence per blocking finding, with its fix.
        problems: Vec<String>,
    },
    /// In place, the Azure AD account typed is not the one DirSync uses.
    #[error(
        "'{given}' is not the account DirSync uses to connect to Azure AD; enter the password \
         of '{expected}'"
    )]
    WrongAzureAdAccount {
        /// The account typed.
        given: String,
        /// The account DirSync uses.
        expected: String,
    },
    /// The Azure AD sign-in failed.
    #[error("sign-in to Azure AD as '{account}' failed: {reason}")]
    TenantSignInFailed {
        /// The account that tried.
        account: String,
        /// The tenant's answer.
        reason: String,
    },
    /// The Azure AD account lacks the Hybrid Identity Administrator role.
    #[error(
        "'{account}' is not a Hybrid Identity Administrator (or Global Administrator) of the \
         tenant; assign the role directly to the account and try again"
    )]
    NotHybridIdentityAdmin {
        /// The account that signed in.
        account: String,
    },
    /// The Enterprise Admins credentials are wrong, expired or not a member.
    #[error(
        "'{account}' is not a valid Enterprise Admins account of the forest; Enterprise Admin \
         credentials are required to reset the password of DirSync's account and configure \
         the AD DS connector"
    )]
    NoEnterpriseAdmin {
        /// The account typed.
        account: String,
    },
    /// The installation MSI on a server where Azure AD Connect is installed.
    #[error(
        "Azure AD Connect is already installed on {host}; do not run the installation MSI \
         again: open Azure AD Connect from the Start menu and use Additional tasks"
    )]
    InstallerRerun {
        /// The server.
        host: String,
    },
    /// The new server was given DirSync's own SQL instance.
    #[error(
        "the SQL instance {instance} is the one DirSync uses; one sync engine per SQL instance: \
         choose another instance or let the wizard install SQL Server Express"
    )]
    #[serde(rename = "dirsync-sql-reused")]
    #[strum(serialize = "dirsync_sql_reused")]
    DirSyncSqlReused {
        /// The instance as `server\\instance`.
        instance: String,
    },
    /// A remote SQL Server with a service account that is not a domain account.
    #[error(
        "SQL Server {sql_server} is remote from {host}: the service account must be a domain \
         account (DOMAIN\\name)"
    )]
    RemoteSqlNeedsDomainAccount {
        /// The SQL Server's name.
        sql_server: String,
        /// The Connect server.
        host: String,
    },
    /// Staging mode off while DirSync still runs: two exporters.
    #[error(
        "staging mode cannot be turned off while DirSync on {host} still runs and exports; \
         uninstall or disable DirSync first: only one sync tool may export at a time"
    )]
    #[serde(rename = "staging-off-while-dirsync-exports")]
    #[strum(serialize = "staging_off_while_dirsync_exports")]
    StagingOffWhileDirSyncExports {
        /// The DirSync server.
        host: String,
    },
    /// A second Azure AD Connect server would become active.
    #[error(
        "Azure AD Connect on {active} is the active server: {host} cannot become a second \
         active one; put {active} in staging mode first: only one sync server may export at a \
         time"
    )]
    #[serde(rename = "another-connect-active")]
    #[strum(serialize = "another_connect_active")]
    AnotherConnectActive {
        /// The server that was to become active.
        host: String,
        /// The server that is active.
        active: String,
    },
    /// DirSync's last cycle did not export what AD changed since its last export.
    #[error(
        "DirSync cannot stop yet: {backlog} AD changes since its last export have not reached \
         Azure AD (its last cycle's export: {status}); a new Azure AD Connect server never sees \
         objects deleted before its first import, so Azure AD would keep them. Fix what stops \
         DirSync's export and retry"
    )]
    #[serde(rename = "dirsync-backlog-not-exported")]
    #[strum(serialize = "dirsync_backlog_not_exported")]
    DirSyncBacklogNotExported {
        /// AD changes left unexported.
        backlog: usize,
        /// The status of the last cycle's export (`not run` when it did not run).
        status: String,
    },
    /// A stopped DirSync whose last cycle was cut short after its import.
    #[error(
        "DirSync on {host} imported changes at {imported_at} that it has not exported: its \
         last sync cycle was cut short (the server went down after the import or in the \
         middle of the export). Stopping it now would leave them unexported, and the staging \
         server may never have seen them (objects deleted meanwhile stay in Azure AD). Let \
         DirSync complete a sync cycle (Start-OnlineCoexistenceSync), then stop it"
    )]
    #[serde(rename = "dirsync-cycle-incomplete")]
    #[strum(serialize = "dirsync_cycle_incomplete")]
    DirSyncCycleIncomplete {
        /// The DirSync server.
        host: String,
        /// When the import nothing exported after started.
        imported_at: SimTime,
    },
    /// The switch before the staging server's initial cycle completed without errors.
    #[error(
        "the staging server is not verified: {}; let the initial cycle complete without \
         errors before switching from DirSync",
        missing.join("; ")
    )]
    StagingNotVerified {
        /// What the initial cycle is missing, one sentence each.
        missing: Vec<String>,
    },
    /// A rollback to DirSync after Connect exported to Azure AD.
    #[error(
        "Azure AD Connect exported to Azure AD at {exported_at} ({evidence}); rolling back to \
         DirSync is not supported and can lose data in Azure AD"
    )]
    RollbackAfterConnectExported {
        /// When Connect exported.
        exported_at: SimTime,
        /// How we know (a run in history, or the tenant's last export).
        evidence: String,
    },
    /// A rollback when DirSync is no longer installed.
    #[error(
        "DirSync is no longer installed{}; there is nothing to roll back to",
        uninstalled_at.map(|t| format!(" (uninstalled at {t})")).unwrap_or_default()
    )]
    #[serde(rename = "no-dirsync-to-roll-back-to")]
    #[strum(serialize = "no_dirsync_to_roll_back_to")]
    NoDirSyncToRollBackTo {
        /// When it was uninstalled, if known.
        uninstalled_at: Option<SimTime>,
    },
}

/// The snake_case names scenario files and reports use (`dirsync_sql_reused`); serde's tag is
/// the same name in kebab-case (`dirsync-sql-reused`), as the tests below check.
macro_rules! snake_names {
    ($($t:ty),*) => {$(
        impl $t {
            /// The name in scenario files and reports (snake_case).
            pub fn as_str(&self) -> &'static str {
                self.into()
            }
        }
    )*};
}
snake_names!(Check, Decision, Override, ServerRole, Change, Refusal);

impl EventKind {
    /// The kinds `expect.events` names this event by: a change or a decision by its name,
    /// staging mode as `staging_enabled` / `staging_disabled`, an override as
    /// `override_<what>`; nothing for checks and refusals.
    pub fn expect_kind(&self) -> Option<String> {
        match self {
            EventKind::Changed {
                change: Change::StagingMode { enabled, .. },
                ..
            } => Some(
                if *enabled {
                    "staging_enabled"
                } else {
                    "staging_disabled"
                }
                .into(),
            ),
            EventKind::Changed { change, .. } => Some(change.as_str().into()),
            EventKind::Decided {
                decision: Decision::Override { what },
                ..
            } => Some(format!("override_{}", what.as_str())),
            EventKind::Decided { decision, .. } => Some(decision.as_str().into()),
            _ => None,
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Prerequisite {
                prerequisite,
                severity,
            } => write!(f, "prerequisite {prerequisite} ({severity})"),
            Check::Prerequisites => f.write_str("prerequisites"),
            Check::DirSyncInstallation => f.write_str("DirSync installation"),
            Check::DirSyncBacklog => f.write_str("DirSync's last cycle"),
            Check::ConnectCatchUp => f.write_str("Connect's import after DirSync stopped"),
            Check::AzureAdAccount => f.write_str("Azure AD account"),
            Check::TenantSignIn => f.write_str("Azure AD sign-in"),
            Check::EnterpriseAdmin => f.write_str("Enterprise Admins credentials"),
            Check::SettingsFile => f.write_str("settings file"),
            Check::ExistingInstallation => f.write_str("existing installation"),
            Check::SqlInstance => f.write_str("SQL instance"),
            Check::ServiceAccount => f.write_str("service account"),
            Check::InitialCycle => f.write_str("initial cycle"),
            Check::PendingExports => f.write_str("pending exports"),
            Check::FirstExport => f.write_str("first export"),
            Check::ConnectExported => f.write_str("Azure AD Connect exported"),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::AnalysisPage { page } => write!(f, "analysis page: {page}"),
            Decision::Recommendation {
                recommendation,
                objects_count,
                estimate,
            } => write!(
                f,
                "{objects_count} objects, estimated {estimate}: {recommendation}"
            ),
            Decision::Override { what } => write!(f, "override: {what}"),
            Decision::SqlInstance { instance } => write!(f, "database: {instance}"),
            Decision::ActiveServer { host } => write!(f, "active server: {host}"),
            Decision::SignOutRequired { host } => write!(f, "sign out required on {host}"),
            Decision::SyncGap { gap } => write!(f, "sync gap {gap}"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::SettingsExported {
                host,
                path,
                bytes_count,
            } => write!(
                f,
                "settings exported on {host} to {path} ({bytes_count} bytes)"
            ),
            Change::SettingsCopied { path } => {
                write!(f, "settings file copied to the new server at {path}")
            }
            Change::ServiceAccountPasswordReset { account, note } => {
                write!(f, "password of {account} reset ({note})")
            }
            Change::DirSyncUninstalled { host } => write!(f, "DirSync uninstalled on {host}"),
            Change::DirSyncDisabled { host } => write!(f, "DirSync disabled on {host}"),
            Change::DirSyncEnabled { host } => write!(f, "DirSync enabled on {host}"),
            Change::ConnectInstalled {
                host,
                version,
                staging,
                start_sync,
                sql,
            } => write!(
                f,
                "Azure AD Connect {version} installed on {host} (staging {}, start sync {}, {sql})",
                on_off(*staging),
                on_off(*start_sync)
            ),
            Change::StagingMode { host, enabled } => {
                write!(f, "staging mode {} on {host}", on_off(*enabled))
            }
            Change::RunProfile {
                connector,
                profile,
                status,
            } => write!(f, "{profile} on the {connector} connector: {status}"),
        }
    }
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Override::ContinueInPlace => "continue upgrading DirSync on this computer",
            Override::ForceExport => "export settings with /ForceExport",
        })
    }
}

impl fmt::Display for ServerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerRole::DirSync => "DirSync",
            ServerRole::Connect => "Connect",
            ServerRole::Tenant => "Azure AD",
        })
    }
}

/// The event in one sentence, without its time.
impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Checked {
                check,
                passed,
                finding,
            } => {
                let mark = if *passed { "ok" } else { "PROBLEM" };
                write!(f, "checked {check} [{mark}]: {finding}")
            }
            EventKind::Decided { decision, reason } => {
                write!(f, "decided {decision} ({reason})")
            }
            EventKind::Changed { server, change } => write!(f, "changed {server}: {change}"),
            EventKind::Refused { refusal } => write!(f, "REFUSED: {refusal}"),
        }
    }
}

impl fmt::Display for EngineEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.at, self.kind)
    }
}

/// Logs one event; the texts are the reports' own sentences, which never carry a secret.
fn log_event(at: SimTime, kind: &EventKind) {
    match kind {
        EventKind::Checked {
            check,
            passed,
            finding,
        } => tracing::info!(sim = %at, %check, passed, "checked: {finding}"),
        EventKind::Decided { decision, reason } => {
            tracing::info!(sim = %at, "decided {decision} ({reason})");
        }
        EventKind::Changed { change, .. } => tracing::info!(sim = %at, "changed: {change}"),
        EventKind::Refused { refusal } => tracing::warn!(sim = %at, "refused: {refusal}"),
    }
}

/// The sink the orchestrator appends to. Oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EventLog {
    events: Vec<EngineEvent>,
}

impl EventLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an event and logs it (target `upgrade_lab_engine::events`): refusals at `warn`, the
    /// rest at `info`, stamped with the simulated time as the field `sim`.
    ///
    /// Events come in time order: the clock port never goes back, so an event stamped before
    /// the last one is a bug (asserted in debug builds).
    pub fn push(&mut self, at: SimTime, kind: EventKind) {
        debug_assert!(
            self.events.last().is_none_or(|last| last.at <= at),
            "events are appended in time order: {at} comes before the last event's time"
        );
        log_event(at, &kind);
        self.events.push(EngineEvent { at, kind });
    }

    /// The events so far, oldest first.
    pub fn events(&self) -> &[EngineEvent] {
        &self.events
    }

    /// Hands the events over, leaving the log empty (for a runner that reports step by step).
    pub fn drain(&mut self) -> Vec<EngineEvent> {
        std::mem::take(&mut self.events)
    }

    /// The refusals among the events, oldest first.
    pub fn refusals(&self) -> impl Iterator<Item = &Refusal> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Refused { refusal } => Some(refusal),
            _ => None,
        })
    }

    /// How many events the log holds.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the log holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "events are appended in time order")]
    fn an_event_stamped_before_the_last_one_fires() {
        let mut log = EventLog::new();
        let sign_out = || EventKind::Decided {
            decision: Decision::SignOutRequired {
                host: "AADC01".into(),
            },
            reason: "test".into(),
        };
        log.push(SimTime(2_000), sign_out());
        log.push(SimTime(2_000), sign_out());
        log.push(SimTime(1_000), sign_out());
    }

    /// serde's tag of `value` under `tag`, in snake_case.
    fn serde_tag<T: Serialize>(value: &T, tag: &str) -> String {
        let v = serde_json::to_value(value).unwrap();
        v[tag].as_str().unwrap().replace('-', "_")
    }

    #[test]
    fn snake_names_are_serde_tags() {
        for r in Refusal::iter() {
            assert_eq!(r.as_str(), serde_tag(&r, "refusal"));
        }
        assert_eq!(
            Refusal::DirSyncSqlReused {
                instance: String::new()
            }
            .as_str(),
            "dirsync_sql_reused"
        );
        let h = || "H".to_string();
        let changes = [
            Change::SettingsExported {
                host: h(),
                path: h(),
                bytes_count: 1,
            },
            Change::SettingsCopied { path: h() },
            Change::ServiceAccountPasswordReset {
                account: h(),
                note: h(),
            },
            Change::DirSyncUninstalled { host: h() },
            Change::DirSyncDisabled { host: h() },
            Change::DirSyncEnabled { host: h() },
            Change::ConnectInstalled {
                host: h(),
                version: Version::new(&[1]),
                staging: false,
                start_sync: false,
                sql: h(),
            },
            Change::StagingMode {
                host: h(),
                enabled: true,
            },
            Change::RunProfile {
                connector: Connector::AzureAd,
                profile: RunProfile::Export,
                status: h(),
            },
        ];
        for c in &changes {
            assert_eq!(c.as_str(), serde_tag(c, "change"));
        }
        let decisions = [
            Decision::AnalysisPage {
                page: AnalysisPage::Ready,
            },
            Decision::Recommendation {
                recommendation: Recommendation::InPlace,
                objects_count: 1,
                estimate: SimDuration(1),
            },
            Decision::Override {
                what: Override::ContinueInPlace,
            },
            Decision::SqlInstance { instance: h() },
            Decision::ActiveServer { host: h() },
            Decision::SignOutRequired { host: h() },
            Decision::SyncGap {
                gap: SimDuration(1),
            },
        ];
        for d in &decisions {
            assert_eq!(d.as_str(), serde_tag(d, "decision"));
        }
        for (o, name) in [
            (Override::ContinueInPlace, "continue_in_place"),
            (Override::ForceExport, "force_export"),
        ] {
            assert_eq!(o.as_str(), name);
            assert_eq!(serde_json::to_value(o).unwrap(), name.replace('_', "-"));
        }
        assert_eq!(ServerRole::DirSync.as_str(), "dirsync");
        for c in [
            Check::DirSyncInstallation,
            Check::DirSyncBacklog,
            Check::ConnectCatchUp,
        ] {
            assert_eq!(c.as_str(), serde_tag(&c, "check"));
        }
    }

    #[test]
    fn expect_kinds_name_staging_and_overrides() {
        let staging = |enabled| EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::StagingMode {
                host: "C".into(),
                enabled,
            },
        };
        assert_eq!(
            staging(true).expect_kind().as_deref(),
            Some("staging_enabled")
        );
        assert_eq!(
            staging(false).expect_kind().as_deref(),
            Some("staging_disabled")
        );
        let over = EventKind::Decided {
            decision: Decision::Override {
                what: Override::ForceExport,
            },
            reason: String::new(),
        };
        assert_eq!(over.expect_kind().as_deref(), Some("override_force_export"));
        let refused = EventKind::Refused {
            refusal: Refusal::InstallerRerun { host: "C".into() },
        };
        assert_eq!(refused.expect_kind(), None);
    }

    #[test]
    fn refusals_say_what_is_wrong_and_what_to_do() {
        let r = Refusal::DirSyncNotFound {
            uninstalled_at: Some(SimTime(3_600_000)),
        };
        let text = r.to_string();
        assert!(text.contains("uninstalled at T+1:00:00"), "{text}");
        assert!(text.contains("do not uninstall DirSync before the upgrade"));
        let r = Refusal::StagingOffWhileDirSyncExports {
            host: "DIRSYNC01".into(),
        };
        assert!(r.to_string().contains("uninstall or disable DirSync first"));
    }

    #[test]
    fn events_serialize_with_their_kind_tag() {
        let mut log = EventLog::new();
        log.push(
            SimTime(5),
            EventKind::Refused {
                refusal: Refusal::InstallerRerun {
                    host: "AADC".into(),
                },
            },
        );
        let json = serde_json::to_string(&log).unwrap();
        assert_eq!(
            json,
            r#"[{"at":5,"event":"refused","refusal":{"refusal":"installer-rerun","host":"AADC"}}]"#
        );
        assert_eq!(log.refusals().count(), 1);
        assert!(log.events()[0].to_string().contains("REFUSED"));
    }
}
