//! The plan as data: what every format renders. Its JSON is `plan_version` 1; fields are only
//! ever added.

use crate::rehearse::PathKind;
use serde::Serialize;
use std::collections::BTreeMap;
use upgrade_lab_scenario::config_diff::ConfigDiff;
use upgrade_lab_scenario::outcome::{OperationCountsLine, PendingSummary, ScenarioOutcome};

/// The plan's JSON schema version.
pub const PLAN_VERSION: u32 = 1;

/// The whole plan.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub plan_version: u32,
    /// Where the directory came from.
    pub source: String,
    /// The rehearsals' seed.
    pub seed: u64,
    /// What the directory holds and DirSync's scope keeps.
    pub directory: DirectorySummary,
    /// The installer's analysis page.
    pub wizard: Wizard,
    /// Whether LocalDB holds the directory.
    pub sql_sizing: SqlSizing,
    /// The tenant's quota against the directory.
    pub tenant_quota: TenantQuota,
    /// Every prerequisite of each path's server, passed or not.
    pub prerequisites: Vec<Prerequisite>,
    /// Each optional section of the description: given, or what the plan assumed.
    pub assumptions: Vec<Assumption>,
    /// The parallel path's staging window and the change rate rehearsed in it.
    pub staging: Staging,
    /// The objects in scope Azure AD would refuse, by kind.
    pub refused: Vec<RefusedKind>,
    /// What DirSync's configuration carries over, blocks and resets.
    pub configuration: Configuration,
    /// The path the plan recommends: the wizard's, unless its rehearsal is no-go and the other's
    /// is go.
    pub recommended_path: PathKind,
    /// In place, then parallel.
    pub paths: Vec<PathPlan>,
    /// The rehearsals' outcomes, for the HTML timeline; not part of the JSON.
    #[serde(skip)]
    pub outcomes: Vec<ScenarioOutcome>,
}

/// What the directory holds.
#[derive(Clone, Debug, Serialize)]
pub struct DirectorySummary {
    /// The forest root's DNS name.
    pub forest: String,
    /// Every domain's DNS name, the root first.
    pub domains: Vec<String>,
    /// User objects.
    pub users: usize,
    /// Group objects.
    pub groups: usize,
    /// Contact objects.
    pub contacts: usize,
    /// Organizational units.
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
    /// The wizard's estimate of the upgrade's duration.
    pub estimate_minutes: u64,
    /// Users, groups and contacts in DirSync's database (what the wizard counts).
    pub objects: u64,
    /// What blocks the upgrade, one sentence each; empty when nothing does.
    pub blockers: Vec<String>,
    /// DirSync's SQL as the page names it.
    pub sql: String,
}

/// Whether LocalDB (10 GB) holds the directory.
#[derive(Clone, Debug, Serialize)]
pub struct SqlSizing {
    /// Users, groups and contacts in DirSync's database.
    pub objects: u64,
    /// LocalDB's (and SQL Express's) database limit.
    pub localdb_limit_gb: u32,
    /// About this many objects fit in it.
    pub localdb_limit_objects: u64,
    /// `objects` below `localdb_limit_objects`.
    pub fits_localdb: bool,
    /// What the new server's SQL must be, in one sentence.
    pub advice: String,
}

/// The tenant's object quota against what this directory brings (`[tenant]`, or the default
/// tenant: a verified domain, no cloud-only objects).
#[derive(Clone, Debug, Serialize)]
pub struct TenantQuota {
    /// Objects the tenant will hold from this directory (in DirSync's scope).
    pub objects: u64,
    /// The quota without a verified domain.
    pub without_verified_domain: u64,
    /// The quota with one.
    pub with_verified_domain: u64,
    /// Whether the directory's objects fit without a verified domain.
    pub fits_without_verified_domain: bool,
    /// Whether they fit with one.
    pub fits_with_verified_domain: bool,
    /// What to do, in one sentence.
    pub advice: String,
    /// Whether the tenant has a verified domain.
    pub verified_domain: bool,
    /// Objects created in Azure AD only, which count against the quota too.
    pub cloud_only: u64,
    /// The quota that applies: `[tenant] quota`, else by `verified_domain`.
    pub quota: u64,
    /// `objects + cloud_only <= quota`.
    pub fits: bool,
    /// Whether `[tenant]` describes the tenant, or it is assumed.
    pub source: Source,
}

/// One prerequisite of a path's server, checked against the machine the description gives.
#[derive(Clone, Debug, Serialize)]
pub struct Prerequisite {
    /// The path whose server it concerns.
    pub path: PathKind,
    /// The server's name as the rehearsal calls it (`DIRSYNC01`, `AADC01`).
    pub server: String,
    /// What is checked (`operating system`, `.NET Framework`, …, `SQL`).
    pub check: String,
    /// Whether the server meets it.
    pub passed: bool,
    /// One sentence: the value against the requirement, or what is wrong.
    pub detail: String,
    /// What the server has (`Windows Server 2012 R2 (6.3.9600)`).
    pub value: String,
    /// What Azure AD Connect needs.
    pub required: String,
    /// What to do before the upgrade; empty when it passes.
    pub fix: String,
    /// Where the value came from.
    pub source: Source,
}

/// Where a value the plan judges came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The description file gives it.
    Described,
    /// The description does not: the simulator's default (a server that meets the current
    /// prerequisites, a tenant with a verified domain). Check the real machine.
    Assumed,
    /// What the plan itself chooses (the new server's SQL).
    Planned,
}

impl Source {
    /// The word reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Described => "described",
            Source::Assumed => "assumed",
            Source::Planned => "planned",
        }
    }
}

/// One section of the description: given, or assumed (and what was assumed).
#[derive(Clone, Debug, Serialize)]
pub struct Assumption {
    /// `[dirsync_host]`, `[server]`, `[tenant]` or `[churn]`.
    pub section: String,
    /// Whether the description gives it.
    pub given: bool,
    /// What the plan used: the keys given, and the defaults of those not given.
    pub statement: String,
}

/// The parallel path's staging window as rehearsed: how long, and how fast AD changed.
#[derive(Clone, Debug, Serialize)]
pub struct Staging {
    /// Hours from the staging server's install to its verification.
    pub hours: u64,
    /// New users an hour.
    pub adds_per_hour: u64,
    /// Changed objects an hour.
    pub updates_per_hour: u64,
    /// Deleted objects an hour.
    pub deletes_per_hour: u64,
    /// Where the rate came from: `none` (no rate given: AD assumed unchanged),
    /// `changes_per_hour` (the command line) or `churn` (the description's `[churn]`).
    pub rate_source: String,
    /// The changes the rehearsal made in AD during the window.
    pub made: OperationCountsLine,
    /// What the rate means for verification, in one or two sentences.
    pub statement: String,
}

/// Objects of one kind Azure AD would refuse.
#[derive(Clone, Debug, Serialize)]
pub struct RefusedKind {
    /// `duplicate_upn`, `duplicate_proxy_address`, `invalid_value`, `oversized_group` or
    /// `too_many_proxy_addresses`.
    pub kind: String,
    /// Why Azure AD refuses them, and the error it answers.
    pub why: String,
    /// How many objects (or shared values) of the kind.
    pub count: usize,
    /// The first few, as `DN: detail`.
    pub examples: Vec<String>,
}

/// What DirSync's configuration carries over, and what blocks.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    /// Settings the upgrade carries over, one line each.
    pub carries: Vec<String>,
    /// Customisations that block the upgrade, with what to do.
    pub blocks: Vec<String>,
    /// What the upgrade resets rather than carries.
    pub resets: Vec<String>,
}

/// One path's rehearsal and runbook.
#[derive(Clone, Debug, Serialize)]
pub struct PathPlan {
    /// Which path.
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
    /// DirSync ⇄ Connect configuration, once the rehearsal installed Connect.
    pub config_diff: Option<ConfigDiff>,
    /// The ordered steps, each with its gate.
    pub runbook: Vec<RunbookStep>,
}

/// Whether a path can go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Every gate passed in the rehearsal, and the machines meet the prerequisites.
    Go,
    /// Something stops the path; the reasons say what.
    NoGo,
}

impl Decision {
    /// `GO` or `NO-GO`, as reports print it.
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
    /// 1, 2, …
    pub number: usize,
    /// What the step does, in a few words.
    pub title: String,
    /// The server it runs on.
    pub server: String,
    /// The exact wizard options and commands.
    pub actions: Vec<String>,
    /// What must be true before the next step.
    pub gate: String,
    /// How the step went in the rehearsal: `passed`, or what stopped it.
    pub rehearsal: String,
    /// Whether the rehearsal passed the gate.
    pub gate_passed: bool,
}
