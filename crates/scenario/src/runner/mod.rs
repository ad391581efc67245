//! The runner: one world per scenario, built from the file and a seed; the engine driven step
//! by step; faults injected at their times and around their steps; the expectations and the
//! invariants checked at the end. The same file and seed give the same outcome, byte for byte,
//! apart from the `wall_*` fields.

pub mod expect;
pub mod facts;
pub mod faults;
pub mod secrets;
pub mod setup;
pub mod steps;

#[cfg(test)]
mod object_tests;

use crate::format::{FaultTrigger, Step};
use crate::load::Scenario;
use crate::outcome::{OperationCountsLine, ScenarioOutcome, SuiteOutcome, TimelineEvent, Verdict};
use rayon::prelude::*;
use setup::{Setup, host_of, world_fault};
use std::time::Instant;
use upgrade_engine::UpgradeOptions;
use upgrade_lab_model::SimDuration;
use upgrade_lab_simulator::faults::{
    Fault, FaultId, FaultTrigger as WorldTrigger, RunPhase, operations,
};
use upgrade_lab_simulator::world::PlantedBug;

/// How a suite runs.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Replaces every scenario's seed.
    pub seed: Option<u64>,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// **Test affordance**: a bug planted in the simulated system under test, so tests can show
    /// the verdicts catch it. Scenario files cannot set it.
    #[doc(hidden)]
    pub planted_bug: Option<PlantedBug>,
    /// Keep each scenario's final tenant, Graph-shaped, in its outcome.
    pub dump_tenant: bool,
}

/// The world operation a fault `during` a step is tied to (the middle of the step), or `None`
/// for steps without one (the fault then starts as the step starts).
fn during_operation(step: &Step) -> Option<WorldTrigger> {
    Some(match step {
        Step::UpgradeInPlace { .. } => WorldTrigger::After(operations::DIRSYNC_UNINSTALL.into()),
        Step::InstallParallel { .. } => WorldTrigger::After(operations::CONNECT_INSTALL.into()),
        Step::UninstallDirsync { .. } => WorldTrigger::Before(operations::DIRSYNC_UNINSTALL.into()),
        Step::DisableDirsync { .. } => WorldTrigger::Before(operations::DIRSYNC_DISABLE.into()),
        Step::DisableStaging { .. } => WorldTrigger::Before(operations::CONNECT_SET_STAGING.into()),
        // The middle of the cycle: its imports done, its synchronizations not started.
        Step::RunCycle { .. } => WorldTrigger::Phase(RunPhase::AfterImport),
        _ => return None,
    })
}

/// Injects the faults tied to step `index` (`after` = false: before and during), noting each
/// one's world id in `ids`.
fn inject(
    scenario: &Scenario,
    setup: &Setup,
    (index, after): (usize, bool),
    ids: &mut [Option<FaultId>],
    timeline: &mut Vec<TimelineEvent>,
) {
    let faults = scenario.file.faults.iter().zip(&scenario.fault_triggers);
    for (n, (fault, trigger)) in faults.enumerate() {
        let step = scenario.file.steps[index].get_ref();
        let world_trigger = match (trigger, after) {
            (FaultTrigger::BeforeStep(i), false) if *i == index => {
                WorldTrigger::At(setup.world.now())
            }
            (FaultTrigger::AfterStep(i), true) if *i == index => {
                WorldTrigger::At(setup.world.now())
            }
            (FaultTrigger::DuringStep(i), false) if *i == index => match &fault.phase {
                Some(phase) => WorldTrigger::Phase(phase.get_ref().run_phase()),
                None => during_operation(step).unwrap_or(WorldTrigger::At(setup.world.now())),
            },
            _ => continue,
        };
        let host = host_of(fault.server.unwrap_or_default(), &setup.connect_host);
        let kind = world_fault(*fault.kind.get_ref(), host, &setup.config.azure_ad_account);
        timeline.push(TimelineEvent {
            at_ms: setup.world.now().0,
            source: "fault".into(),
            kind: fault.kind.get_ref().as_str().into(),
            detail: format!("{kind:?} ({world_trigger:?})"),
        });
        let id = setup.world.inject_fault(Fault {
            kind,
            trigger: world_trigger,
            duration: fault
                .for_minutes
                .as_ref()
                .map(|m| SimDuration::from_mins(*m.get_ref())),
        });
        if let Some(slot) = ids.get_mut(n) {
            *slot = Some(id);
        }
    }
}

fn empty_outcome(scenario: &Scenario, seed: u64) -> ScenarioOutcome {
    ScenarioOutcome {
        name: scenario.name.clone(),
        file: scenario.path.display().to_string(),
        description: scenario.description().to_string(),
        seed,
        verdict: Verdict::Error,
        sim_duration_ms: 0,
        wall_duration_ms: 0,
        analysis: None,
        decisions: Vec::new(),
        events: Vec::new(),
        runs: Vec::new(),
        pending_exports: None,
        ledger: Default::default(),
        invariants: Vec::new(),
        checks: Vec::new(),
        faults: Vec::new(),
        error: None,
        tenant: None,
    }
}

/// What the churn steps that ran asked AD for (each gets exactly that, on distinct objects).
fn churn_asked(scenario: &Scenario, ran: &[steps::StepRecord]) -> OperationCountsLine {
    let mut sum = OperationCountsLine::default();
    for (step, record) in scenario.file.steps.iter().zip(ran) {
        if let (
            Step::Churn {
                adds,
                updates,
                deletes,
                ..
            },
            steps::StepResult::Done(_),
        ) = (step.get_ref(), &record.result)
        {
            sum.adds += adds;
            sum.updates += updates;
            sum.deletes += deletes;
        }
    }
    sum
}

/// The checks of every checkpoint after step `index`, judged on the facts of this moment.
fn checkpoints_after(
    scenario: &Scenario,
    index: usize,
    setup: &Setup,
    upgrade: &mut steps::SimUpgrade,
    records: &[steps::StepRecord],
    events: &[upgrade_engine::EngineEvent],
) -> Vec<crate::outcome::Check> {
    let name = scenario.file.steps[index].get_ref().name();
    let mut out = Vec::new();
    for cp in scenario.file.checkpoints.iter() {
        if cp.after.get_ref() != name {
            continue;
        }
        let e = cp.expect.get_ref();
        let mut facts = facts::collect(
            setup,
            upgrade,
            records.to_vec(),
            events.to_vec(),
            &e.objects,
            facts::Moment::Checkpoint,
        );
        facts.churn = churn_asked(scenario, records);
        out.extend(expect::checkpoint_checks(name, e, &facts));
    }
    out
}

/// With planted secrets: searches every output of the run for the planted passwords.
fn scan_for_secrets(
    outcome: &ScenarioOutcome,
    setup: &Setup,
    events: &[upgrade_engine::EngineEvent],
) -> Vec<crate::outcome::Check> {
    let mut outputs = secrets::report_outputs(outcome);
    outputs.extend(secrets::file_outputs(&setup.world));
    outputs.extend(secrets::event_outputs(
        outcome,
        serde_json::to_string(events).unwrap_or_default(),
    ));
    if let Some(t) = &outcome.tenant {
        outputs.push(secrets::Output {
            name: "tenant dump".to_string(),
            bytes: t.to_json().into_bytes(),
        });
    }
    secrets::scan(&setup.passwords, &outputs)
}

/// What each fault hit, the error when one hit nothing, and the checks that read the hits.
fn fault_outcome(
    outcome: &mut ScenarioOutcome,
    scenario: &Scenario,
    (world, ids): (&upgrade_lab_simulator::World, &[Option<FaultId>]),
    facts: &facts::Facts,
) {
    outcome.faults = faults::fault_lines(scenario, world, ids);
    outcome.error = faults::missed_error(scenario, &outcome.faults, facts.now_ms);
    outcome.checks.extend(faults::first_export_checks(
        &scenario.file.expect,
        &facts.runs,
        &outcome.faults,
    ));
}

/// Runs one scenario with `seed`.
pub fn run_scenario(scenario: &Scenario, seed: u64) -> ScenarioOutcome {
    run_scenario_with(scenario, seed, false)
}

/// Runs one scenario with `seed`; `dump_tenant` keeps the final tenant in the outcome.
pub fn run_scenario_with(scenario: &Scenario, seed: u64, dump_tenant: bool) -> ScenarioOutcome {
    run_planted(scenario, seed, dump_tenant, None)
}

/// Runs one scenario with `seed` and, for tests of the verdicts, a planted bug.
fn run_planted(
    scenario: &Scenario,
    seed: u64,
    dump_tenant: bool,
    bug: Option<PlantedBug>,
) -> ScenarioOutcome {
    run_recorded(scenario, seed, dump_tenant, bug).0
}

/// Runs one scenario and keeps how each step ended (what `explore` tallies).
pub(crate) fn run_recorded(
    scenario: &Scenario,
    seed: u64,
    dump_tenant: bool,
    bug: Option<PlantedBug>,
) -> (ScenarioOutcome, Vec<steps::StepRecord>) {
    let wall = Instant::now();
    let mut outcome = empty_outcome(scenario, seed);
    let setup = match setup::build(scenario, seed, bug) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(format!("the world could not be built: {e}"));
            outcome.judge();
            outcome.wall_duration_ms = wall.elapsed().as_millis() as u64;
            return (outcome, Vec::new());
        }
    };
    let world = &setup.world;
    let options = UpgradeOptions::new(
        setup.enterprise_admin.clone(),
        setup.enterprise_admin.clone(),
    );
    let mut upgrade = world.upgrade(&setup.connect_host, options);
    let mut timeline = Vec::new();
    let mut records = Vec::new();
    let mut events = Vec::new();
    let mut checkpoint_checks = Vec::new();
    let mut fault_ids = setup.fault_ids.clone();
    for (i, step) in scenario.file.steps.iter().enumerate() {
        let step = step.get_ref();
        inject(scenario, &setup, (i, false), &mut fault_ids, &mut timeline);
        timeline.push(TimelineEvent {
            at_ms: world.now().0,
            source: "runner".into(),
            kind: "step".into(),
            detail: step.name().to_string(),
        });
        let (record, step_events) = steps::run_step(i, step, &mut upgrade, &setup, seed);
        timeline.extend(step_events.iter().map(facts::timeline_event));
        timeline.push(TimelineEvent {
            at_ms: world.now().0,
            source: "runner".into(),
            kind: "step-result".into(),
            detail: format!("{}: {}", record.name, record.result),
        });
        events.extend(step_events);
        records.push(record);
        checkpoint_checks.extend(checkpoints_after(
            scenario,
            i,
            &setup,
            &mut upgrade,
            &records,
            &events,
        ));
        inject(scenario, &setup, (i, true), &mut fault_ids, &mut timeline);
    }
    let e = &scenario.file.expect;
    let mut facts = facts::collect(
        &setup,
        &mut upgrade,
        records,
        events,
        &e.objects,
        facts::Moment::End,
    );
    facts.churn = churn_asked(scenario, &facts.steps);
    timeline.sort_by_key(|e| e.at_ms);
    outcome.checks = checkpoint_checks;
    outcome.checks.extend(expect::checks(e, &facts));
    fault_outcome(&mut outcome, scenario, (world, &fault_ids), &facts);
    outcome.invariants = expect::invariants(&scenario.file.expect, &facts);
    outcome.analysis = facts.analysis.as_ref().map(facts::analysis_summary);
    outcome.decisions = facts
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                upgrade_engine::EventKind::Decided { .. }
                    | upgrade_engine::EventKind::Refused { .. }
            )
        })
        .map(|e| e.to_string())
        .collect();
    outcome.ledger = facts::ledger_summary(&facts);
    outcome.events = timeline;
    outcome.runs = facts.runs.clone();
    outcome.pending_exports = facts.pending.clone();
    outcome.sim_duration_ms = facts.now_ms;
    if dump_tenant {
        outcome.tenant = Some(crate::graph::tenant(&world.tenant_records()));
    }
    if setup.passwords.planted {
        outcome.judge();
        let found = scan_for_secrets(&outcome, &setup, &facts.events);
        outcome.checks.extend(found);
    }
    outcome.judge();
    outcome.wall_duration_ms = wall.elapsed().as_millis() as u64;
    (outcome, facts.steps)
}

/// Runs scenarios in parallel (each its own world and seed) and returns them in input order.
pub fn run_suite(scenarios: &[Scenario], options: &RunOptions) -> SuiteOutcome {
    let wall = Instant::now();
    let run = || -> Vec<ScenarioOutcome> {
        scenarios
            .par_iter()
            .map(|s| {
                let seed = options.seed.unwrap_or(s.seed());
                run_planted(s, seed, options.dump_tenant, options.planted_bug)
            })
            .collect()
    };
    let outcomes = match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    SuiteOutcome {
        scenarios: outcomes,
        wall_duration_ms: wall.elapsed().as_millis() as u64,
    }
}
