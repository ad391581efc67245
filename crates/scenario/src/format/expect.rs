//! `[expect]`: what must be true when the scenario ends (or, for refusals and errors, what must
//! have happened on the way). Every key is optional; an unset key is not checked.

use super::bound::Bound;
use super::steps::ServerRef;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use upgrade_lab_model::{Connector, RunProfile, RunStatus};

/// The analysis page variants of the wizard (docs/real-systems.md, "The in-place upgrade").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisPage {
    /// Ready to upgrade in place: under 50,000 objects on SQL Express, nothing blocks.
    Ready,
    /// The page shows the full SQL Server DirSync uses (an in-place upgrade keeps it).
    FullSql,
    /// 50,000 objects or more: the page recommends a parallel deployment and offers
    /// Export settings.
    RecommendParallel,
    /// Removed attributes or an extension DLL block the upgrade.
    Blocked,
}

impl AnalysisPage {
    /// The name a scenario file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisPage::Ready => "ready",
            AnalysisPage::FullSql => "full_sql",
            AnalysisPage::RecommendParallel => "recommend_parallel",
            AnalysisPage::Blocked => "blocked",
        }
    }
}

/// The upgrade option the wizard recommends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Upgrade DirSync's server in place (under 50,000 objects).
    InPlace,
    /// Install Connect on a separate server from exported settings (50,000 objects or more).
    Parallel,
}

impl Recommendation {
    /// The name a scenario file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::InPlace => "in_place",
            Recommendation::Parallel => "parallel",
        }
    }
}

/// Who exports to Azure AD at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExporterExpectation {
    /// DirSync is the server exporting to Azure AD.
    Dirsync,
    /// Azure AD Connect (out of staging mode) is the server exporting to Azure AD.
    Connect,
    /// Nothing exports: DirSync is off and Connect is missing or in staging mode.
    None,
}

impl ExporterExpectation {
    /// The name a scenario file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ExporterExpectation::Dirsync => "dirsync",
            ExporterExpectation::Connect => "connect",
            ExporterExpectation::None => "none",
        }
    }
}

/// The state DirSync ends in: the world's own type, so the file and the world spell it alike.
pub use upgrade_lab_simulator::world::queries::DirSyncState;

/// A refusal by the engine's guard rails, or an error reported by a server, at a step.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepOutcome {
    /// The step's name (its `id`, else its action).
    #[schemars(with = "String")]
    pub step: Spanned<String>,
    /// The refusal or error kind (see the README's lists).
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    /// Text the refusal's or error's message must contain (optional).
    pub message_contains: Option<String>,
}

/// `[expect.pending_exports]`: pending exports on Connect's Azure AD connector at the end, and
/// how verification explains them.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingExportsExpectation {
    /// Pending adds (objects Azure AD does not hold yet).
    #[schemars(with = "Option<Bound>")]
    pub adds: Option<Spanned<Bound>>,
    /// Pending updates.
    #[schemars(with = "Option<Bound>")]
    pub updates: Option<Spanned<Bound>>,
    /// Pending deletes.
    #[schemars(with = "Option<Bound>")]
    pub deletes: Option<Spanned<Bound>>,
    /// Pending exports of every operation: adds + updates + deletes.
    #[schemars(with = "Option<Bound>")]
    pub total: Option<Spanned<Bound>>,
    /// Pending adds explained by objects AD added since the settings export.
    #[schemars(with = "Option<Bound>")]
    pub directory_adds: Option<Spanned<Bound>>,
    /// Pending updates explained by AD's changes since the settings export.
    #[schemars(with = "Option<Bound>")]
    pub directory_updates: Option<Spanned<Bound>>,
    /// Pending deletes explained by objects AD deleted since the settings export.
    #[schemars(with = "Option<Bound>")]
    pub directory_deletes: Option<Spanned<Bound>>,
    /// Pending updates that carry only attributes Connect's rules flow and DirSync's did not.
    #[schemars(with = "Option<Bound>")]
    pub rules_only_updates: Option<Spanned<Bound>>,
    /// Azure AD attribute name → pending updates that carry it as a rule difference.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Bound>")]
    pub rule_differences: BTreeMap<Spanned<String>, Spanned<Bound>>,
    /// Pending exports neither AD's changes nor the rules explain (adds, updates and deletes).
    #[schemars(with = "Option<Bound>")]
    pub unexplained: Option<Spanned<Bound>>,
    /// Pending exports are exactly the scenario's churn (its churn steps' adds, updates and
    /// deletes, as directory changes) plus the rule differences, and nothing unexplained.
    pub equals_churn: Option<bool>,
}

/// `[expect.exports]`: how many export runs reached the tenant from each client.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportsExpectation {
    /// Export runs from DirSync that reached the tenant.
    #[schemars(with = "Option<Bound>")]
    pub dirsync: Option<Spanned<Bound>>,
    /// Export runs from Azure AD Connect that reached the tenant.
    #[schemars(with = "Option<Bound>")]
    pub connect: Option<Spanned<Bound>>,
}

/// `[[expect.runs]]`: run-history lines that must exist.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunExpectation {
    /// The server whose run history is searched: `connect` (default) or `dirsync`.
    #[serde(default)]
    pub server: ServerRef,
    /// The connector: `active-directory` or `azure-ad`; unset: either.
    pub connector: Option<Connector>,
    /// The run profile: `full-import`, `delta-import`, `full-synchronization`,
    /// `delta-synchronization` or `export`; unset: any.
    pub profile: Option<RunProfile>,
    /// The run's status as the Operations tab shows it, e.g. `success`,
    /// `stopped-deletion-threshold-exceeded`.
    pub status: RunStatus,
    /// How many runs must match; default: at least one.
    #[schemars(with = "Option<Bound>")]
    pub count: Option<Spanned<Bound>>,
    /// Bounds on the run's adds; only runs within every given bound count.
    #[schemars(with = "Option<Bound>")]
    pub adds: Option<Spanned<Bound>>,
    /// Bounds on the run's updates; only runs within every given bound count.
    #[schemars(with = "Option<Bound>")]
    pub updates: Option<Spanned<Bound>>,
    /// Bounds on the run's deletes; only runs within every given bound count.
    #[schemars(with = "Option<Bound>")]
    pub deletes: Option<Spanned<Bound>>,
    /// Only the server's first export run (the first run of the `export` profile on its
    /// Azure AD connector, whatever it wrote) can match.
    #[serde(default)]
    pub first_export: bool,
}

/// `[expect.sql]`: the SQL Server the analysis found and the one Connect was installed on, each
/// `server\instance` (compared without case), `express` or, for Connect, `localdb` / `none`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlExpectation {
    /// The SQL Server the analysis found: `server\instance` as the wizard shows it
    /// (in TOML `"SQL01\\DIRSYNC"`) or `express`; compared without case.
    #[schemars(with = "Option<String>")]
    pub analysis_found: Option<Spanned<String>>,
    /// What Connect was installed on: `server\instance`, `express`, `localdb` or `none`
    /// (not installed); compared without case.
    #[schemars(with = "Option<String>")]
    pub connect_uses: Option<Spanned<String>>,
}

/// Attribute names `[[expect.objects]]` may compare (LDAP display names, any case).
pub const OBJECT_ATTRIBUTES: &[&str] = &[
    "cn",
    "sAMAccountName",
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "displayName",
    "givenName",
    "sn",
    "department",
    "title",
    "l",
    "city",
    "manager",
    "telephoneNumber",
    "description",
    "userAccountControl",
    "groupType",
    "ms-DS-ConsistencyGuid",
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
];

/// `[[expect.objects]]`: one AD object, named by exactly one of `dn` and `sam_account_name`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectExpectation {
    /// The object's distinguished name (compared without case); exactly one of `dn` and
    /// `sam_account_name`.
    #[schemars(with = "Option<String>")]
    pub dn: Option<Spanned<String>>,
    /// The object's sAMAccountName (compared without case); exactly one of `dn` and
    /// `sam_account_name`.
    #[schemars(with = "Option<String>")]
    pub sam_account_name: Option<Spanned<String>>,
    /// Whether the tenant holds a live object synced from it.
    #[schemars(with = "bool")]
    pub in_tenant: Spanned<bool>,
    /// The tenant object's immutableId (base64).
    #[schemars(with = "Option<String>")]
    pub immutable_id: Option<Spanned<String>>,
    /// Values the tenant object must hold, by AD/LDAP attribute name.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub attributes: BTreeMap<Spanned<String>, String>,
}

impl ObjectExpectation {
    /// How the object is named, as `dn=...` or `sam_account_name=...`.
    pub fn label(&self) -> String {
        match (&self.dn, &self.sam_account_name) {
            (Some(d), _) => format!("dn={}", d.get_ref()),
            (None, Some(s)) => format!("sam_account_name={}", s.get_ref()),
            (None, None) => "an unnamed object".to_string(),
        }
    }
}

/// `[[checkpoints]]`: expectations judged right after one step, against the facts of that
/// moment.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The step (its `id`, else its action) after which the facts are taken.
    #[schemars(with = "String")]
    pub after: Spanned<String>,
    /// The same keys as `[expect]`, except those that only make sense for the whole run.
    #[schemars(with = "Expect")]
    pub expect: Spanned<Expect>,
}

/// Invariant violations a scenario provokes on purpose. Every kind the world's ledger and the
/// tenant oracle can report is one of these; its wire name comes from `as_str`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Two servers were active exporters at the same time.
    TwoActiveExporters,
    /// DirSync exported after Azure AD Connect had exported (a downgrade).
    DirsyncExportAfterConnect,
    /// The Azure AD Connect installer ran again on an installed server.
    InstallerRerun,
    /// A new server was installed on the SQL instance DirSync still uses.
    SharedSqlInstance,
    /// DirSync was uninstalled before the installer inspected it.
    DirsyncUninstalledBeforeInspection,
    /// Connect was installed from a DirSync configuration that blocks the upgrade.
    BlockedConfigurationMigrated,
    /// An in-scope object has no tenant object once converged.
    ObjectLost,
    /// An in-scope object's identity is held by another live tenant object.
    ObjectDuplicated,
    /// A synced tenant object has no in-scope source once converged.
    ObjectOrphaned,
    /// A synced tenant object has a wrong kind or wrong values once converged.
    ObjectStale,
    /// A cloud-only object the sync should not touch was changed.
    CloudObjectChanged,
    /// The sync gap exceeded the scenario's `sync_gap_minutes` maximum.
    SyncGapExceeded,
    /// A server exported a change the tenant already held from its earlier write.
    ExportRepeated,
}

impl ViolationKind {
    /// Every kind, in the order of the README's invariants table.
    pub const ALL: [ViolationKind; 13] = [
        ViolationKind::TwoActiveExporters,
        ViolationKind::DirsyncExportAfterConnect,
        ViolationKind::InstallerRerun,
        ViolationKind::SharedSqlInstance,
        ViolationKind::DirsyncUninstalledBeforeInspection,
        ViolationKind::BlockedConfigurationMigrated,
        ViolationKind::ObjectLost,
        ViolationKind::ObjectDuplicated,
        ViolationKind::ObjectOrphaned,
        ViolationKind::ObjectStale,
        ViolationKind::CloudObjectChanged,
        ViolationKind::SyncGapExceeded,
        ViolationKind::ExportRepeated,
    ];

    /// The name a scenario file and the reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::TwoActiveExporters => "two_active_exporters",
            ViolationKind::DirsyncExportAfterConnect => "dirsync_export_after_connect",
            ViolationKind::InstallerRerun => "installer_rerun",
            ViolationKind::SharedSqlInstance => "shared_sql_instance",
            ViolationKind::DirsyncUninstalledBeforeInspection => {
                "dirsync_uninstalled_before_inspection"
            }
            ViolationKind::BlockedConfigurationMigrated => "blocked_configuration_migrated",
            ViolationKind::ObjectLost => "object_lost",
            ViolationKind::ObjectDuplicated => "object_duplicated",
            ViolationKind::ObjectOrphaned => "object_orphaned",
            ViolationKind::ObjectStale => "object_stale",
            ViolationKind::CloudObjectChanged => "cloud_object_changed",
            ViolationKind::SyncGapExceeded => "sync_gap_exceeded",
            ViolationKind::ExportRepeated => "export_repeated",
        }
    }
}

/// `[expect]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The installer's analysis page: `ready`, `full_sql`, `recommend_parallel` or
    /// `blocked`.
    pub analysis_page: Option<AnalysisPage>,
    /// The upgrade the wizard recommends: `in_place` or `parallel`.
    pub recommendation: Option<Recommendation>,
    /// The wizard's upgrade-time estimate, in whole minutes (3 hours per 50,000 users,
    /// groups and contacts).
    #[schemars(with = "Option<Bound>")]
    pub estimate_minutes: Option<Spanned<Bound>>,
    /// Blocker kinds the analysis lists: `removed_attributes`, `extension_dll`.
    #[schemars(with = "Option<Vec<String>>")]
    pub blockers: Option<Vec<Spanned<String>>>,
    /// Prerequisite findings that must be reported (see the README's list).
    #[schemars(with = "Option<Vec<String>>")]
    pub prerequisite_findings: Option<Vec<Spanned<String>>>,
    /// Refusals by the engine's guard rails that must happen (`step`, `kind`, optional
    /// `message_contains`); every refusal that happens must be listed here.
    #[serde(default)]
    pub refusals: Vec<StepOutcome>,
    /// Errors servers report at a step that must happen (`step`, `kind`, optional
    /// `message_contains`); every step error must be listed here.
    #[serde(default)]
    pub errors: Vec<StepOutcome>,
    /// Pending exports on Connect's Azure AD connector at the end, and how verification
    /// explains them.
    pub pending_exports: Option<PendingExportsExpectation>,
    /// Who exports to Azure AD at the end: `dirsync`, `connect` or `none`.
    pub active_exporter: Option<ExporterExpectation>,
    /// The state DirSync ends in: `running`, `disabled` or `uninstalled`.
    pub dirsync_state: Option<DirSyncState>,
    /// Whether Connect ends in staging mode.
    pub connect_staging: Option<bool>,
    /// `true`: every in-scope AD object is in the tenant once, with the values its
    /// flow defines, and nothing else synced is.
    pub tenant_equals_directory: Option<bool>,
    /// Objects synced from on-premises in the tenant at the end.
    #[schemars(with = "Option<Bound>")]
    pub tenant_objects: Option<Spanned<Bound>>,
    /// Every live object in the tenant, cloud-only ones included.
    #[schemars(with = "Option<Bound>")]
    pub tenant_live_objects: Option<Spanned<Bound>>,
    /// The longest an AD change waited for the export that carried it, in simulated minutes;
    /// `min` is a check, exceeding `max` is the violation `sync_gap_exceeded`.
    #[schemars(with = "Option<Bound>")]
    pub sync_gap_minutes: Option<Spanned<Bound>>,
    /// Simulated time the whole scenario takes, in minutes.
    #[schemars(with = "Option<Bound>")]
    pub sim_minutes: Option<Spanned<Bound>>,
    /// The settings file was exported and holds no secret.
    pub settings_exported: Option<bool>,
    /// The installer asked the user to sign out and in again.
    pub sign_out_required: Option<bool>,
    /// Engine changes and decisions that must appear in the timeline (see the README's list).
    #[schemars(with = "Option<Vec<String>>")]
    pub events: Option<Vec<Spanned<String>>>,
    /// Engine changes and decisions that must not appear (the same words as `events`).
    #[schemars(with = "Option<Vec<String>>")]
    pub events_absent: Option<Vec<Spanned<String>>>,
    /// The SQL Server the analysis found and the one Connect uses.
    pub sql: Option<SqlExpectation>,
    /// Individual AD objects and their tenant counterparts.
    #[serde(default)]
    pub objects: Vec<ObjectExpectation>,
    /// Exports the tenant received, per client.
    pub exports: Option<ExportsExpectation>,
    /// Run-history lines that must exist (`server`, `connector`, `profile`, `status`, `count`,
    /// statistics bounds, `first_export`).
    #[serde(default)]
    pub runs: Vec<RunExpectation>,
    /// Connect's first export that reached Azure AD: when it started, how long it took, its
    /// throttling retries.
    pub first_connect_export: Option<super::faults::FirstExportExpectation>,
    /// Invariant violations this scenario provokes on purpose (they then must happen).
    #[serde(default)]
    #[schemars(with = "Vec<ViolationKind>")]
    pub violations: Vec<Spanned<ViolationKind>>,
}
