//! Running one history and judging it: the file it renders is loaded and run exactly as
//! `upgrade-lab run` would, then every invariant and the tenant oracle's verdicts are read from
//! the outcome. A history fails when an invariant is violated that the operator's own hands do
//! not explain, or when the scenario could not run to its end.

use super::history::{History, StepOutcomeDraw};
use crate::format::{Step, ViolationKind};
use crate::load::load_text;
use crate::outcome::{EventSource, ScenarioOutcome, Verdict};
use crate::runner::steps::{StepRecord, StepResult};
use crate::runner::{RunOptions, run_recorded};
use std::collections::BTreeSet;
use std::path::Path;
use upgrade_lab_simulator::tenant::ledger::Product;
use upgrade_lab_simulator::world::PlantedBug;

/// Violations a history that starts DirSync again by hand is expected to show: the rogue
/// exporter itself, and what its exports do to the tenant.
const HAND_MADE: [ViolationKind; 6] = [
    ViolationKind::TwoActiveExporters,
    ViolationKind::DirsyncExportAfterConnect,
    ViolationKind::ObjectLost,
    ViolationKind::ObjectDuplicated,
    ViolationKind::ObjectOrphaned,
    ViolationKind::ObjectStale,
];

/// How a history's failure shows, for "fails the same way" while shrinking.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// An invariant, by its `expect.violations` name.
    Violation(String),
    /// The scenario could not run to its end (the world, the loader, a panic).
    Error(String),
}

impl Failure {
    /// One line for people.
    pub fn summary(&self) -> String {
        match self {
            Failure::Violation(kind) => format!("invariant {kind} violated"),
            Failure::Error(e) => format!("error: {e}"),
        }
    }

    /// Whether `other` is the same failure (an error matches any error of the same cause).
    pub fn same_as(&self, other: &Failure) -> bool {
        match (self, other) {
            (Failure::Violation(a), Failure::Violation(b)) => a == b,
            (Failure::Error(a), Failure::Error(b)) => error_cause(a) == error_cause(b),
            _ => false,
        }
    }
}

/// An error message up to its first colon: its cause without the details.
fn error_cause(e: &str) -> &str {
    e.split(':').next().unwrap_or(e)
}

/// What explore keeps of one history.
#[derive(Clone, Debug)]
pub struct Judged {
    /// Who exports at the end: `connect`, `dirsync`, `none` or `both`.
    pub final_state: &'static str,
    /// Refused steps, by refusal kind.
    pub refusals: Vec<String>,
    /// Failed steps, by failure kind (a fault's port error, a step out of order).
    pub step_failures: Vec<String>,
    /// Faults that hit something, by kind.
    pub faults_fired: Vec<String>,
    /// Every failure, in a fixed order (empty: the history passed).
    pub failures: Vec<Failure>,
    /// The scenario's verdict as `upgrade-lab run` would print it.
    pub verdict: Verdict,
    /// The steps that did not complete, as the file's expectations say them.
    pub step_outcomes: Vec<StepOutcomeDraw>,
}

/// Renders, loads and runs `history`, with `bug` planted in the system under test.
pub fn judge(history: &History, bug: Option<PlantedBug>) -> (Judged, String) {
    let text = history.to_toml(&description(history));
    let name = format!("explore-{}-{}", history.explore_seed, history.number);
    let path = Path::new("explore.toml");
    let scenario = match load_text(&name, path, text.clone()) {
        Ok(s) => s,
        Err(errors) => {
            let message = errors
                .first()
                .map_or(String::new(), std::string::ToString::to_string);
            return (loader_error(&message), text);
        }
    };
    let options = RunOptions {
        jobs: 1,
        planted_bug: bug,
        ..RunOptions::default()
    };
    let (outcome, records) = run_recorded(&scenario, history.seed, &options);
    (judged(history, &outcome, &records), text)
}

/// The description a history's file carries: what it is and how to replay the original.
pub fn description(h: &History) -> String {
    format!(
        "explored history {} of seed {} ({} path, {} objects, {} steps, {} faults)",
        h.number,
        h.explore_seed,
        h.path.as_str(),
        h.world.objects(),
        h.steps.len(),
        h.faults.len(),
    )
}

fn loader_error(message: &str) -> Judged {
    Judged {
        final_state: "none",
        refusals: Vec::new(),
        step_failures: Vec::new(),
        faults_fired: Vec::new(),
        failures: vec![Failure::Error(format!(
            "explore drew a file the loader refuses: {message}"
        ))],
        verdict: Verdict::Error,
        step_outcomes: Vec::new(),
    }
}

/// Whether AD deleted an object while no sync server tracked AD: after the step that stopped
/// DirSync (an in-place upgrade, an uninstall, a disable) and before Azure AD Connect's first
/// AD import. Neither server ever exports that delete, and Azure AD keeps the object: the
/// upgrade's own hazard, which `in-place/deletes-during-upgrade-orphaned` shows.
fn deletes_while_untracked(
    history: &History,
    outcome: &ScenarioOutcome,
    records: &[StepRecord],
) -> bool {
    let at = |name: &str| {
        outcome
            .events
            .iter()
            .find(|e| {
                e.source == EventSource::Runner
                    && e.kind == "step"
                    && e.data_str("step") == Some(name)
            })
            .map(|e| e.at_ms)
    };
    let stopped = history.steps.iter().zip(records).find_map(|(s, r)| {
        let stops = matches!(
            s,
            Step::UpgradeInPlace { .. }
                | Step::UninstallDirsync { .. }
                | Step::DisableDirsync { .. }
        );
        (stops && matches!(r.result, StepResult::Done(_)))
            .then(|| at(s.name()))
            .flatten()
    });
    let Some(stopped) = stopped else {
        return false;
    };
    let first_import = outcome
        .runs
        .iter()
        .find(|r| {
            r.server == "connect"
                && r.connector == "active-directory"
                && r.profile.ends_with("import")
        })
        .map_or(u64::MAX, |r| r.started_ms);
    history.steps.iter().any(|s| {
        matches!(s, Step::Churn { deletes, .. } if *deletes > 0)
            && at(s.name()).is_some_and(|t| t >= stopped && t <= first_import)
    })
}

fn judged(history: &History, outcome: &ScenarioOutcome, records: &[StepRecord]) -> Judged {
    let mut tolerated: BTreeSet<&str> = if history.bypasses_the_engine() {
        HAND_MADE.iter().map(|k| k.as_str()).collect()
    } else {
        BTreeSet::new()
    };
    if deletes_while_untracked(history, outcome, records) {
        tolerated.insert(ViolationKind::ObjectOrphaned.as_str());
    }
    let mut failures: Vec<Failure> = outcome
        .invariants
        .iter()
        .filter(|i| !i.held && !tolerated.contains(i.name.as_str()))
        .map(|i| Failure::Violation(i.name.clone()))
        .collect();
    if let Some(e) = &outcome.error {
        failures.push(Failure::Error(e.clone()));
    }
    let mut refusals = Vec::new();
    let mut step_failures = Vec::new();
    let mut step_outcomes = Vec::new();
    for r in records {
        let (refused, kind) = match &r.result {
            StepResult::Refused { kind, .. } => (true, kind),
            StepResult::Failed { kind, .. } => (false, kind),
            StepResult::Done(_) => continue,
        };
        if refused {
            refusals.push(kind.clone());
        } else {
            step_failures.push(kind.clone());
        }
        step_outcomes.push(StepOutcomeDraw {
            step: r.name.clone(),
            refused,
            kind: kind.clone(),
        });
    }
    Judged {
        final_state: final_state(outcome),
        refusals,
        step_failures,
        faults_fired: outcome
            .faults
            .iter()
            .filter(|f| f.hit_count > 0)
            .map(|f| f.kind.clone())
            .collect(),
        failures,
        verdict: outcome.verdict,
        step_outcomes,
    }
}

/// Who is an active exporter when the history ends.
fn final_state(outcome: &ScenarioOutcome) -> &'static str {
    let dirsync = format!("({})", Product::DirSync.as_str());
    let active: BTreeSet<bool> = outcome
        .ledger
        .active_intervals
        .iter()
        .filter(|i| i.to_ms.is_none())
        .map(|i| i.server.ends_with(&dirsync))
        .collect();
    match (active.contains(&true), active.contains(&false)) {
        (true, true) => "both",
        (true, false) => "dirsync",
        (false, true) => "connect",
        (false, false) => "none",
    }
}
