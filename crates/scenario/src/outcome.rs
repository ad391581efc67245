//! What running a scenario produced: the verdict, each expectation as expected-versus-actual,
//! and the facts behind them (analysis, decisions, timeline, run history, pending exports,
//! the exporter ledger, invariants). Reports are renderings of these values.
//!
//! Only fields whose names start with `wall_` hold wall-clock measurements; everything else is
//! a function of the scenario file and its seed.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The verdict of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every expectation held and no unexpected invariant violation happened.
    Pass,
    /// An expectation or an invariant failed.
    Fail,
    /// The scenario could not be run to its end (the world could not be built), or a fault
    /// hit nothing, so the scenario proved nothing about it.
    Error,
}

impl Verdict {
    /// The word the human report prints: `pass`, `FAIL` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

/// One expectation (or invariant) compared with what happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Check {
    /// The expectation's key, e.g. `expect.recommendation` or
    /// `checkpoint[after verify_staging].active_exporter`.
    pub what: String,
    /// What the scenario expects, as text (a range reads `10..=20`, `>= 10`, `<= 9`).
    pub expected: String,
    /// What happened, as text comparable with `expected`.
    pub actual: String,
    /// Whether `actual` satisfies `expected`.
    pub ok: bool,
}

impl Check {
    /// A check that holds when `expected` and `actual` are the same text.
    pub fn new(
        what: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        let (expected, actual) = (expected.into(), actual.into());
        Self {
            what: what.into(),
            ok: expected == actual,
            expected,
            actual,
        }
    }

    /// A check whose verdict is decided by the caller (ranges, subsets).
    pub fn judged(
        what: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        ok: bool,
    ) -> Self {
        Self {
            what: what.into(),
            expected: expected.into(),
            actual: actual.into(),
            ok,
        }
    }
}

/// Who reported a timeline event.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// The upgrade engine's event stream: `checked`, `decided`, `changed`, `refused`.
    Engine,
    /// A `[[faults]]` entry was planned: its kind (`crash`, `throttling`, ...).
    Fault,
    /// The scenario runner: `step` (a step starts), `step_result` (how it ended).
    Runner,
}

impl EventSource {
    /// The name the JSON report uses: `engine`, `fault` or `runner`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Engine => "engine",
            EventSource::Fault => "fault",
            EventSource::Runner => "runner",
        }
    }
}

/// One entry of the timeline, at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TimelineEvent {
    /// Simulated milliseconds since the world started.
    pub at_ms: u64,
    /// The same time for people: `T+1:18:32`.
    pub at: String,
    /// Who reported it: `engine`, `fault` or `runner`.
    pub source: EventSource,
    /// Engine: `checked`, `decided`, `changed`, `refused`; fault: its kind as the scenario
    /// names it (`crash`); runner: `step`, `step_result`.
    pub kind: String,
    /// The host the event concerns, when there is one (`AADC01`, `DIRSYNC01`).
    pub server: Option<String>,
    /// One sentence for people, without the time.
    pub text: String,
    /// The event's fields. Engine: the engine's own event (tagged by `event`, then `check`,
    /// `decision`, `change` or `refusal`), times in ms; fault: `number`, `kind`, `server`,
    /// `trigger` (`on`: `at`, `before`, `after`, `phase`), `for_minutes`; runner: `step`,
    /// `action`, `index` and, for `step_result`, `result` (`outcome`, `kind`, `message`).
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl TimelineEvent {
    /// An event at `at_ms` with its `at` text filled in.
    pub fn new(
        at_ms: u64,
        source: EventSource,
        kind: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            at_ms,
            at: upgrade_lab_model::SimTime(at_ms).to_string(),
            source,
            kind: kind.into(),
            server: None,
            text: text.into(),
            data: serde_json::Map::new(),
        }
    }

    /// The event with `server` set to the host it concerns.
    #[must_use]
    pub fn with_server(mut self, server: Option<String>) -> Self {
        self.server = server;
        self
    }

    /// The event with its structured `data` fields.
    #[must_use]
    pub fn with_data(mut self, data: serde_json::Map<String, serde_json::Value>) -> Self {
        self.data = data;
        self
    }

    /// A string field of `data`.
    pub fn data_str(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(|v| v.as_str())
    }

    /// `T+0:20:18 text`, the line the human report prints.
    pub fn line(&self) -> String {
        format!("{} {}", self.at, self.text)
    }
}

/// The wizard's analysis page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AnalysisSummary {
    /// The analysis page shown: `ready`, `full_sql`, `recommend_parallel` or `blocked`.
    pub page: String,
    /// The upgrade the wizard recommends: `in_place` or `parallel`.
    pub recommendation: String,
    /// The wizard's upgrade-time estimate, whole minutes (3 hours per 50,000 objects).
    pub estimate_minutes: u64,
    /// Users, groups and contacts in DirSync's database.
    pub objects_count: u64,
    /// What blocks the upgrade: `removed_attributes`, `extension_dll`; empty when nothing does.
    pub blockers: Vec<String>,
    /// DirSync's database as the page shows it: `server\instance` for a full SQL Server, else
    /// `SQL Server Express (local)`.
    pub sql: String,
}

/// One line of a server's run history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RunLine {
    /// Whose run history: `dirsync` or `connect`.
    pub server: String,
    /// The connector run: `active-directory` or `azure-ad`.
    pub connector: String,
    /// The run profile: `full-import`, `delta-import`, `full-synchronization`,
    /// `delta-synchronization` or `export`.
    pub profile: String,
    /// When the run started, simulated ms since the world started.
    pub started_ms: u64,
    /// When the run ended, simulated ms since the world started.
    pub ended_ms: u64,
    /// The run's status as the Operations tab shows it (`success`, `completed-no-objects`,
    /// `stopped-server-down`, …).
    pub status: String,
    /// Objects the run added (to the connector space, the metaverse or Azure AD, by profile).
    pub adds: u64,
    /// Objects the run updated.
    pub updates: u64,
    /// Objects the run deleted.
    pub deletes: u64,
    /// Objects the run failed on (export errors, sync errors).
    pub errors: u64,
}

/// Pending exports on Connect's Azure AD connector, classified the way verification does:
/// explained by AD's changes since the settings export (`directory`), by Connect's rules
/// flowing attributes DirSync's did not (`rule_differences`), or by neither (`unexplained`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PendingSummary {
    /// Pending adds (objects Azure AD does not hold yet).
    pub adds: u64,
    /// Pending updates.
    pub updates: u64,
    /// Pending deletes.
    pub deletes: u64,
    /// Adds + updates + deletes.
    pub total: u64,
    /// The pending exports AD's changes since the settings export explain.
    pub directory: OperationCountsLine,
    /// Azure AD attribute name → pending updates that carry it.
    pub rule_differences: BTreeMap<String, u64>,
    /// Pending updates that carry rule differences only.
    pub rules_only_updates: u64,
    /// The pending exports neither AD's changes nor Connect's rules explain; verification
    /// refuses to switch while any is left.
    pub unexplained: OperationCountsLine,
    /// The first unexplained exports, one sentence each.
    pub unexplained_examples: Vec<String>,
}

impl PendingSummary {
    /// `(label, adds, updates, deletes)`: the total, then what explains it (AD's changes,
    /// Connect's rules only) and what nothing explains; the rows every report shows.
    pub fn rows(&self) -> [(&'static str, u64, u64, u64); 4] {
        let line = |label, c: &OperationCountsLine| (label, c.adds, c.updates, c.deletes);
        [
            ("total", self.adds, self.updates, self.deletes),
            line("explained by AD's changes", &self.directory),
            ("by Connect's rules only", 0, self.rules_only_updates, 0),
            line("unexplained", &self.unexplained),
        ]
    }
}

/// Adds, updates and deletes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OperationCountsLine {
    /// Objects added.
    pub adds: u64,
    /// Objects updated.
    pub updates: u64,
    /// Objects deleted.
    pub deletes: u64,
}

/// A period during which a server was an active exporter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ActiveInterval {
    /// The exporter as `HOST (product)`, e.g. `AADC01 (Azure AD Connect)`.
    pub server: String,
    /// When it became the active exporter, simulated ms since the world started.
    pub from_ms: u64,
    /// When it stopped, simulated ms since the world started; `null`: still active at the end.
    pub to_ms: Option<u64>,
}

/// A violation the ledger, the tenant oracle or the runner recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ViolationLine {
    /// The `expect.violations` name of its kind.
    pub kind: String,
    /// When it happened, simulated ms since the world started; `null` for a state judged at
    /// the end (the tenant, the sync gap).
    pub at_ms: Option<u64>,
    /// The same time for people: `T+1:18:32`; `null` with `at_ms`.
    pub at: Option<String>,
    /// The hosts it concerns (both servers of two active exporters), by name.
    pub servers: Vec<String>,
    /// One sentence.
    pub summary: String,
    /// The record's own fields beside those above, times in ms with a `_text` twin
    /// (two active exporters: `first`, `second`, `from`, `to`; a repeated export: `count`;
    /// the sync gap: `gap_minutes`, `max_minutes`).
    pub data: serde_json::Map<String, serde_json::Value>,
    /// How many objects it concerns (0 when it is not about objects).
    pub object_count: u64,
    /// The first objects it names, with their differences when values are wrong.
    pub objects: Vec<ViolationObject>,
}

/// One object a violation names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ViolationObject {
    /// How the report names the object: its DN when AD has or had it, else what identifies
    /// it in the tenant.
    pub name: String,
    /// The object's distinguished name in AD; absent when AD never held it.
    pub dn: Option<String>,
    /// The tenant object's immutableId (base64); absent when it has none.
    pub immutable_id: Option<String>,
    /// The attributes whose values are wrong (`object_stale`); empty for other kinds.
    pub differences: Vec<AttributeDifference>,
}

/// One wrong value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AttributeDifference {
    /// The tenant attribute compared (e.g. `userPrincipalName`), or `kind`, `immutableId` or
    /// `deleted` when the object itself is wrong.
    pub attribute: String,
    /// The value the tenant oracle expects from AD and the configured flow.
    pub expected: String,
    /// The value the tenant holds.
    pub actual: String,
}

impl ViolationLine {
    /// The summary, then the named objects (`name: attribute expected 'x', actual 'y'`).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.summary.clone()];
        for o in &self.objects {
            let mut line = o.name.clone();
            if o.dn.is_some()
                && let Some(id) = &o.immutable_id
            {
                let _ = write!(line, " (immutableId {id})");
            }
            let diffs: Vec<String> = o
                .differences
                .iter()
                .map(|d| {
                    format!(
                        "{} expected '{}', actual '{}'",
                        d.attribute, d.expected, d.actual
                    )
                })
                .collect();
            if !diffs.is_empty() {
                line.push_str(": ");
                line.push_str(&diffs.join("; "));
            }
            out.push(line);
        }
        let named = self.objects.len() as u64;
        if self.object_count > named {
            out.push(format!("... and {} more", self.object_count - named));
        }
        out
    }
}

/// The tenant's record of exporters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LedgerSummary {
    /// Exports received per client (`dirsync`, `connect`).
    pub exports_by_client: BTreeMap<String, u64>,
    /// When each server was an active exporter (running, not in staging), in time order.
    pub active_intervals: Vec<ActiveInterval>,
    /// Every invariant violation the ledger, the tenant oracle or the runner recorded.
    pub violations: Vec<ViolationLine>,
    /// The longest an AD change waited for the export that carried it, in simulated ms (the
    /// figure `expect.sync_gap_minutes` judges).
    pub longest_gap_ms: u64,
}

/// One thing a fault hit. `what` says which fields are set: `port_call` (operation),
/// `run` (connector, profile, status), `cycle_skipped`, `password_sync_skipped`, `export`
/// (objects, refused, retries, extra_ms).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FaultHitLine {
    /// When the fault hit, simulated ms since the world started.
    pub at_ms: u64,
    /// What it hit: `port_call`, `run`, `cycle_skipped`, `password_sync_skipped` or `export`.
    pub what: String,
    /// The server's host name.
    pub server: String,
    /// `port_call`: the operation that failed; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// `run`: the connector of the run it stopped; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// `run`: the run profile it stopped; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// `run`: the status the run ended with; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `export`: the writes the export planned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<u64>,
    /// `export`: writes refused (export errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<u64>,
    /// `export`: writes answered HTTP 429 and sent again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    /// `export`: simulated ms the export took beyond what it would have taken without the
    /// fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ms: Option<u64>,
}

impl FaultHitLine {
    /// One line for people: `T+4:31:05 AADC01 export: 8,400 objects, 3 retries, +10:00`.
    pub fn summary(&self) -> String {
        let at = upgrade_lab_model::SimDuration(self.at_ms);
        let detail = match self.what.as_str() {
            "port_call" => format!("call {} failed", self.operation.as_deref().unwrap_or("")),
            "run" => format!(
                "{} {} run {}",
                self.connector.as_deref().unwrap_or(""),
                self.profile.as_deref().unwrap_or(""),
                self.status.as_deref().unwrap_or("")
            ),
            "export" => format!(
                "export of {}: {} refused, {} retried, {} longer",
                crate::numbers::count(self.objects.unwrap_or(0), "object"),
                crate::numbers::thousands(self.refused.unwrap_or(0)),
                crate::numbers::thousands(self.retries.unwrap_or(0)),
                upgrade_lab_model::SimDuration(self.extra_ms.unwrap_or(0))
            ),
            other => other.replace('_', " "),
        };
        format!("T+{at} {} {detail}", self.server)
    }
}

/// One `[[faults]]` entry: as written, when it was active and what it hit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FaultLine {
    /// Its place among the file's `[[faults]]`, from 1.
    pub number: usize,
    /// The fault's `kind` as written, e.g. `crash`.
    pub kind: String,
    /// When it strikes, as written: `after = "disable_staging"`.
    pub trigger: String,
    /// `for_minutes` as written, simulated minutes; absent: it lasts to the end.
    pub for_minutes: Option<u64>,
    /// `may_miss` as written: whether hitting nothing is allowed.
    pub may_miss: bool,
    /// When it started, simulated ms since the world started; absent: it never started.
    pub active_from_ms: Option<u64>,
    /// When it ended, simulated ms; absent: it lasted to the end (or never started).
    pub active_until_ms: Option<u64>,
    /// How many things it hit in all; 0 makes the scenario an error unless `may_miss`.
    pub hit_count: usize,
    /// The first 10 hits, in time order (`hit_count` counts them all).
    pub hits: Vec<FaultHitLine>,
}

impl FaultLine {
    /// `#1 throttling (after = "disable_staging", for_minutes = 30)`.
    pub fn title(&self) -> String {
        let lasting = self
            .for_minutes
            .map(|m| format!(", for_minutes = {m}"))
            .unwrap_or_default();
        format!("#{} {} ({}{lasting})", self.number, self.kind, self.trigger)
    }
}

/// One invariant, checked on the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InvariantResult {
    /// The invariant's kind, as `expect.violations` names it (`two_active_exporters`, …).
    pub name: String,
    /// `true`: no violation of this kind happened.
    pub held: bool,
    /// The scenario lists this violation in `expect.violations`.
    pub violation_expected: bool,
    /// The summaries of its violations, `; `-separated (empty when it held).
    pub detail: String,
    /// Each violation of this kind with the objects it names.
    pub violations: Vec<ViolationLine>,
}

impl InvariantResult {
    /// Whether the result is what the scenario wanted.
    pub fn ok(&self) -> bool {
        self.held != self.violation_expected
    }
}

/// Everything one scenario run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ScenarioOutcome {
    /// The scenario's name: its path below the folder given, without `.toml`; a seed sweep
    /// appends `@seed`.
    pub name: String,
    /// The scenario file, as given on the command line.
    pub file: String,
    /// The file's `description`.
    pub description: String,
    /// The seed the scenario ran with (the file's, or `--seed`/`--seeds`).
    pub seed: u64,
    /// `pass`, `fail` or `error`.
    pub verdict: Verdict,
    /// Simulated time the scenario took, in simulated ms.
    pub sim_duration_ms: u64,
    /// Wall-clock time the scenario took to run, in real ms (differs between runs).
    pub wall_duration_ms: u64,
    /// The installer's analysis page; `null` when no step ran the analysis.
    pub analysis: Option<AnalysisSummary>,
    /// Decisions the engine took (recommendation, plan) and its refusals, in order: the
    /// timeline's `decided` and `refused` engine events.
    pub decisions: Vec<TimelineEvent>,
    /// The whole timeline in time order: engine events, faults and the runner's steps.
    pub events: Vec<TimelineEvent>,
    /// Every run of both servers' run histories (DirSync's, then Connect's).
    pub runs: Vec<RunLine>,
    /// Connect's pending exports at the end, classified; `null` when Connect is not installed
    /// or could not be read.
    pub pending_exports: Option<PendingSummary>,
    /// The tenant's record of exporters: exports per client, active intervals, violations,
    /// the sync gap.
    pub ledger: LedgerSummary,
    /// Every invariant kind, judged over the whole run.
    pub invariants: Vec<InvariantResult>,
    /// Every expectation of the file (and its checkpoints) compared with what happened.
    pub checks: Vec<Check>,
    /// What each `[[faults]]` entry hit.
    pub faults: Vec<FaultLine>,
    /// Why the scenario could not run to its end, or a fault hit nothing (verdict `Error`).
    pub error: Option<String>,
    /// What Azure AD Connect's configuration holds against what DirSync's held, once the
    /// upgrade installed Connect with DirSync's settings (`/migrate` or in place); absent from
    /// the JSON report otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_diff: Option<crate::config_diff::ConfigDiff>,
    /// The final tenant as Graph JSON shapes it, when the run asked for it (`--dump-tenant`);
    /// never part of a report.
    #[serde(skip)]
    pub tenant: Option<crate::graph::GraphTenant>,
}

impl ScenarioOutcome {
    /// The expectations and invariants that failed.
    pub fn failures(&self) -> Vec<Check> {
        let mut out: Vec<Check> = self.checks.iter().filter(|c| !c.ok).cloned().collect();
        out.extend(self.invariants.iter().filter(|i| !i.ok()).map(|i| {
            Check::judged(
                format!("invariant {}", i.name),
                if i.violation_expected {
                    "violated (expected by the scenario)"
                } else {
                    "holds"
                },
                if i.held {
                    "held".to_string()
                } else {
                    let lines: Vec<String> =
                        i.violations.iter().flat_map(ViolationLine::lines).collect();
                    format!("violated: {}", lines.join("\n      "))
                },
                false,
            )
        }));
        out
    }

    /// The verdict the checks and invariants give.
    pub fn judge(&mut self) {
        if self.error.is_some() {
            self.verdict = Verdict::Error;
        } else if self.failures().is_empty() {
            self.verdict = Verdict::Pass;
        } else {
            self.verdict = Verdict::Fail;
        }
    }

    /// The one command that replays this scenario with its seed, with the program as the
    /// process was invoked (`crate::replay::program`) and the file shell-quoted.
    pub fn replay_command(&self) -> String {
        crate::replay::command(crate::replay::program(), &self.file, self.seed)
    }
}

/// The outcome of a whole run of scenarios, in name order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SuiteOutcome {
    /// Each scenario run, in name order (then seed order).
    pub scenarios: Vec<ScenarioOutcome>,
    /// Wall-clock time the whole run took, in real ms (differs between runs).
    pub wall_duration_ms: u64,
    /// When the run started, wall clock, UTC, RFC 3339 (`2026-11-30T02:55:07Z`); `null` when
    /// unknown.
    pub wall_started_at: Option<String>,
    /// The host name of the machine it ran on; `null` when unknown.
    pub wall_hostname: Option<String>,
}

impl SuiteOutcome {
    /// How many scenarios ended with `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.verdict == verdict)
            .count()
    }

    /// Whether every scenario passed.
    pub fn all_passed(&self) -> bool {
        self.count(Verdict::Pass) == self.scenarios.len()
    }
}
