//! `[expect]`: what must be true when the scenario ends (or, for refusals and errors, what must
//! have happened on the way). Every key is optional; an unset key is not checked.

use super::bound::Bound;
use super::steps::ServerRef;
use serde::Deserialize;
use toml::Spanned;
use upgrade_lab_model::{Connector, RunProfile, RunStatus};

/// The analysis page variants of the wizard (D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisPage {
    Ready,
    FullSql,
    RecommendParallel,
    Blocked,
}

impl AnalysisPage {
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    InPlace,
    Parallel,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::InPlace => "in_place",
            Recommendation::Parallel => "parallel",
        }
    }
}

/// Who exports to Azure AD at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExporterExpectation {
    Dirsync,
    Connect,
    None,
}

impl ExporterExpectation {
    pub fn as_str(self) -> &'static str {
        match self {
            ExporterExpectation::Dirsync => "dirsync",
            ExporterExpectation::Connect => "connect",
            ExporterExpectation::None => "none",
        }
    }
}

/// The state DirSync ends in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirSyncState {
    Running,
    Disabled,
    Uninstalled,
}

/// A refusal by the engine's guard rails, or an error reported by a server, at a step.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepOutcome {
    /// The step's name (its `id`, else its action).
    pub step: Spanned<String>,
    /// The refusal or error kind (see the README's lists).
    pub kind: Spanned<String>,
    /// Text the message must contain.
    pub message_contains: Option<String>,
}

/// `[expect.pending_exports]`: pending exports on Connect's Azure AD connector at the end.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingExportsExpectation {
    pub adds: Option<Spanned<Bound>>,
    pub updates: Option<Spanned<Bound>>,
    pub deletes: Option<Spanned<Bound>>,
    pub total: Option<Spanned<Bound>>,
}

/// `[expect.exports]`: how many export runs reached the tenant from each client.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportsExpectation {
    pub dirsync: Option<Spanned<Bound>>,
    pub connect: Option<Spanned<Bound>>,
}

/// `[[expect.runs]]`: run-history lines that must exist.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunExpectation {
    #[serde(default)]
    pub server: ServerRef,
    pub connector: Option<Connector>,
    pub profile: Option<RunProfile>,
    pub status: RunStatus,
    /// How many matching runs; default "at least one".
    pub count: Option<Spanned<Bound>>,
}

/// Invariant violations a scenario provokes on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Two servers were active exporters at the same time.
    TwoActiveExporters,
    /// DirSync exported after Azure AD Connect had exported (a downgrade).
    DirsyncExportAfterConnect,
    /// An in-scope object has no tenant object once converged.
    ObjectLost,
    /// An in-scope object has more than one tenant object.
    ObjectDuplicated,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 4] = [
        ViolationKind::TwoActiveExporters,
        ViolationKind::DirsyncExportAfterConnect,
        ViolationKind::ObjectLost,
        ViolationKind::ObjectDuplicated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::TwoActiveExporters => "two_active_exporters",
            ViolationKind::DirsyncExportAfterConnect => "dirsync_export_after_connect",
            ViolationKind::ObjectLost => "object_lost",
            ViolationKind::ObjectDuplicated => "object_duplicated",
        }
    }
}

/// `[expect]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub analysis_page: Option<AnalysisPage>,
    pub recommendation: Option<Recommendation>,
    /// The wizard's upgrade-time estimate, in minutes.
    pub estimate_minutes: Option<Spanned<Bound>>,
    /// Blocker kinds the analysis lists: `removed_attributes`, `extension_dll`.
    pub blockers: Option<Vec<Spanned<String>>>,
    /// Prerequisite findings that must be reported (see the README's list).
    pub prerequisite_findings: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub refusals: Vec<StepOutcome>,
    #[serde(default)]
    pub errors: Vec<StepOutcome>,
    pub pending_exports: Option<PendingExportsExpectation>,
    pub active_exporter: Option<ExporterExpectation>,
    pub dirsync_state: Option<DirSyncState>,
    /// Whether Connect ends in staging mode.
    pub connect_staging: Option<bool>,
    pub tenant_equals_directory: Option<bool>,
    /// Objects synced from on-premises in the tenant at the end.
    pub tenant_objects: Option<Spanned<Bound>>,
    /// Every live object in the tenant, cloud-only ones included.
    pub tenant_live_objects: Option<Spanned<Bound>>,
    /// Longest time nobody exported to Azure AD between the first and the last export, minutes.
    pub sync_gap_minutes: Option<Spanned<Bound>>,
    /// Simulated time the whole scenario takes, minutes.
    pub sim_minutes: Option<Spanned<Bound>>,
    /// The settings file was exported and holds no secret.
    pub settings_exported: Option<bool>,
    /// The installer asked the user to sign out and in again.
    pub sign_out_required: Option<bool>,
    /// Engine changes and decisions that must appear in the timeline (see the README's list).
    pub events: Option<Vec<Spanned<String>>>,
    /// Exports the tenant received, per client.
    pub exports: Option<ExportsExpectation>,
    #[serde(default)]
    pub runs: Vec<RunExpectation>,
    /// Connect's first export that reached Azure AD: when it started, how long it took, its
    /// throttling retries.
    pub first_connect_export: Option<super::faults::FirstExportExpectation>,
    /// Invariant violations this scenario provokes on purpose (they then must happen).
    #[serde(default)]
    pub violations: Vec<Spanned<ViolationKind>>,
}
