//! The plan as data: what every format renders. Its JSON is `plan_version` 1; fields are only
//! ever added.

use crate::rehearse::PathKind;
use serde::Serialize;
use std::collections::BTreeMap;
use upgrade_lab_scenario::config_diff::ConfigDiff;
use upgrade_lab_scenario::outcome::{PendingSummary, ScenarioOutcome};

/// The plan's JSON schema version.
pub const PLAN_VERSION: u32 = 1;

/// The whole plan.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub plan_version: u32,
    /// Where the directory came from.
    pub source: String,
    /// The rehearsals' seed.
    pub seed: u64,
    pub directory: DirectorySummary,
    pub wizard: Wizard,
    pub sql_sizing: SqlSizing,
    pub tenant_quota: TenantQuota,
    pub prerequisites: Vec<Prerequisite>,
    pub refused: Vec<RefusedKind>,
    pub configuration: Configuration,
    /// The path the plan recommends: the wizard's, unless its rehearsal is no-go and the other's
    /// is go.
    pub recommended_path: PathKind,
    pub paths: Vec<PathPlan>,
    /// The rehearsals' outcomes, for the HTML timeline; not part of the JSON.
    #[serde(skip)]
    pub outcomes: Vec<ScenarioOutcome>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DirectorySummary {
    pub forest: String,
    pub domains: Vec<String>,
    pub users: usize,
    pub groups: usize,
    pub contacts: usize,
    pub organizational_units: usize,
    /// Users, groups and contacts DirSync's scope (default rules and its filters) keeps.
    pub in_scope: u64,
    /// Objects left out, by reason.
    pub out_of_scope: BTreeMap<String, usize>,
}

/// The installer's analysis page, as the rehearsal saw it.
#[derive(Clone, Debug, Serialize)]
pub struct Wizard {
    /// `ready`, `recommend_parallel`, `full_sql` or `blocked`.
    pub page: String,
    /// `in_place` or `parallel`.
    pub recommendation: String,
    pub estimate_minutes: u64,
    /// Users, groups and contacts in DirSync's database (what the wizard counts).
    pub objects: u64,
    pub blockers: Vec<String>,
    /// DirSync's SQL as the page names it.
    pub sql: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SqlSizing {
    pub objects: u64,
    /// LocalDB's (and SQL Express's) database limit.
    pub localdb_limit_gb: u32,
    /// About this many objects fit in it.
    pub localdb_limit_objects: u64,
    pub fits_localdb: bool,
    /// What the new server's SQL must be, in one sentence.
    pub advice: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TenantQuota {
    /// Objects the tenant will hold from this directory (in DirSync's scope).
    pub objects: u64,
    pub without_verified_domain: u64,
    pub with_verified_domain: u64,
    pub fits_without_verified_domain: bool,
    pub fits_with_verified_domain: bool,
    pub advice: String,
}

/// One prerequisite check of a path's server.
#[derive(Clone, Debug, Serialize)]
pub struct Prerequisite {
    pub path: PathKind,
    pub server: String,
    pub check: String,
    pub passed: bool,
    pub detail: String,
}

/// Objects of one kind Azure AD would refuse.
#[derive(Clone, Debug, Serialize)]
pub struct RefusedKind {
    pub kind: String,
    /// Why Azure AD refuses them, and the error it answers.
    pub why: String,
    pub count: usize,
    /// The first few, as `DN: detail`.
    pub examples: Vec<String>,
}

/// What DirSync's configuration carries over, and what blocks.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    pub carries: Vec<String>,
    pub blocks: Vec<String>,
    /// What the upgrade resets rather than carries.
    pub resets: Vec<String>,
}

/// One path's rehearsal and runbook.
#[derive(Clone, Debug, Serialize)]
pub struct PathPlan {
    pub path: PathKind,
    /// `go` or `no_go`.
    pub decision: Decision,
    /// Why not, when no-go.
    pub reasons: Vec<String>,
    /// The rehearsal's verdict (`pass`, `fail`, `error`).
    pub verdict: String,
    /// The longest an AD change waited for an export to Azure AD, in minutes (rounded up).
    pub sync_gap_minutes: u64,
    /// Simulated time of the whole rehearsal, in minutes.
    pub duration_minutes: u64,
    /// The pending exports at verification (parallel only).
    pub pending_at_verification: Option<PendingSummary>,
    pub config_diff: Option<ConfigDiff>,
    pub runbook: Vec<RunbookStep>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Go,
    NoGo,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
        }
    }
}

/// One step of a runbook.
#[derive(Clone, Debug, Serialize)]
pub struct RunbookStep {
    pub number: usize,
    pub title: String,
    /// The server it runs on.
    pub server: String,
    /// The exact wizard options and commands.
    pub actions: Vec<String>,
    /// What must be true before the next step.
    pub gate: String,
    /// How the step went in the rehearsal: `passed`, or what stopped it.
    pub rehearsal: String,
    pub gate_passed: bool,
}
