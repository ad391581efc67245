//! The runner: one world per scenario, built from the file and a seed; the engine driven step
//! by step; faults injected at their times and around their steps; the expectations and the
//! invariants checked at the end. The same file and seed give the same outcome, byte for byte,
//! apart from the `wall_*` fields.

pub(crate) mod budget;
pub(crate) mod expect;
pub(crate) mod facts;
pub mod faults;
pub(crate) mod isolate;
pub mod secrets;
pub mod setup;
pub mod steps;
pub(crate) mod world_spec;

#[cfg(test)]
mod object_tests;

use crate::format::{FaultTrigger, Step};
use crate::limits::Budget;
use crate::load::Scenario;
use crate::outcome::{OperationCountsLine, ScenarioOutcome, SuiteOutcome, TimelineEvent, Verdict};
use rayon::prelude::*;
use setup::{Setup, host_of, world_fault};
use std::time::Instant;
use upgrade_lab_engine::UpgradeOptions;
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
    /// A seed sweep: each scenario runs once with each of these seeds (named `scenario@seed`);
    /// empty = each scenario once.
    pub seeds: Vec<u64>,
    /// Replaces every scenario's wall-time budget, in seconds.
    pub wall_budget: Option<u64>,
    /// **Test affordance**: the scenario of this name panics in its first step, so tests can
    /// show a panic becomes that scenario's error. Scenario files cannot set it.
    #[doc(hidden)]
    pub panic_in: Option<String>,
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
        let server = fault.kind.get_ref().targets_server().then(|| host.clone());
        let kind = world_fault(*fault.kind.get_ref(), host, &setup.config.azure_ad_account);
        timeline.push(faults::planned_event(
            (n + 1, fault),
            server,
            &world_trigger,
            setup.world.now(),
        ));
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
        ledger: crate::outcome::LedgerSummary::default(),
        invariants: Vec::new(),
        checks: Vec::new(),
        faults: Vec::new(),
        error: None,
        tenant: None,
        config_diff: None,
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
    events: &[upgrade_lab_engine::EngineEvent],
) -> Vec<crate::outcome::Check> {
    let name = scenario.file.steps[index].get_ref().name();
    let mut out = Vec::new();
    for cp in &scenario.file.checkpoints {
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
    events: &[upgrade_lab_engine::EngineEvent],
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
    let options = RunOptions {
        dump_tenant,
        ..RunOptions::default()
    };
    run_one(scenario, seed, &options)
}

/// Runs one scenario with `seed` under `options`. A panic inside it becomes its error (verdict
/// `error`, the panic's message and location), never the caller's.
pub fn run_one(scenario: &Scenario, seed: u64, options: &RunOptions) -> ScenarioOutcome {
    run_recorded(scenario, seed, options).0
}

/// [`run_one`], keeping how each step ended (what `explore` tallies).
pub(crate) fn run_recorded(
    scenario: &Scenario,
    seed: u64,
    options: &RunOptions,
) -> (ScenarioOutcome, Vec<steps::StepRecord>) {
    let wall = Instant::now();
    let span = tracing::info_span!("scenario", name = %scenario.name, seed);
    let _entered = span.enter();
    let caught = isolate::catch(|| run_planted(scenario, seed, options));
    let (mut outcome, records) = caught.result.unwrap_or_else(|panic| {
        let mut o = empty_outcome(scenario, seed);
        o.error = Some(format!(
            "the scenario panicked (a bug in upgrade-lab, not in the scenario): {panic}"
        ));
        (o, Vec::new())
    });
    if outcome.error.is_none()
        && let Some(first) = caught.swallowed.first()
    {
        outcome.error = Some(format!(
            "a panic was caught inside the simulated world (a bug in upgrade-lab): {first}"
        ));
    }
    outcome.judge();
    outcome.wall_duration_ms = crate::wall::elapsed_ms(wall);
    (outcome, records)
}

/// The steps, each with its faults, timeline entries and checkpoints; stops when a budget ran
/// out and returns that error.
struct Drive<'a> {
    scenario: &'a Scenario,
    setup: &'a Setup,
    guard: budget::Guard,
    panic_here: bool,
    timeline: Vec<TimelineEvent>,
    records: Vec<steps::StepRecord>,
    events: Vec<upgrade_lab_engine::EngineEvent>,
    checkpoint_checks: Vec<crate::outcome::Check>,
    fault_ids: Vec<Option<FaultId>>,
}

impl Drive<'_> {
    fn steps(&mut self, upgrade: &mut steps::SimUpgrade) -> Option<String> {
        let (scenario, setup, world) = (self.scenario, self.setup, &self.setup.world);
        for (i, step) in scenario.file.steps.iter().enumerate() {
            let step = step.get_ref();
            if let Some(e) = self.guard.exceeded(world.now(), step.name()) {
                return Some(e);
            }
            assert!(
                !self.panic_here,
                "planted panic in scenario `{}`",
                scenario.name
            );
            inject(
                scenario,
                setup,
                (i, false),
                &mut self.fault_ids,
                &mut self.timeline,
            );
            self.timeline
                .push(steps::started_event(i, step, world.now()));
            let (record, step_events) = steps::run_logged((i, step), upgrade, setup, &self.guard);
            self.timeline
                .extend(step_events.iter().map(|e| facts::timeline_event(e, setup)));
            self.timeline
                .push(steps::result_event(i, &record, world.now()));
            self.events.extend(step_events);
            self.records.push(record);
            let checks =
                checkpoints_after(scenario, i, setup, upgrade, &self.records, &self.events);
            self.checkpoint_checks.extend(checks);
            inject(
                scenario,
                setup,
                (i, true),
                &mut self.fault_ids,
                &mut self.timeline,
            );
            if let Some(e) = self.guard.exceeded(world.now(), step.name()) {
                return Some(e);
            }
        }
        None
    }
}

/// Runs one scenario with `seed` and, for tests of the verdicts, a planted bug.
fn run_planted(
    scenario: &Scenario,
    seed: u64,
    options: &RunOptions,
) -> (ScenarioOutcome, Vec<steps::StepRecord>) {
    let mut outcome = empty_outcome(scenario, seed);
    let guard = budget::Guard::start(Budget::of(&scenario.file, options.wall_budget));
    let setup = match setup::build(scenario, seed, options.planted_bug) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(format!("the world could not be built: {e}"));
            return (outcome, Vec::new());
        }
    };
    let world = &setup.world;
    let upgrade_options = UpgradeOptions::new(
        setup.enterprise_admin.clone(),
        setup.enterprise_admin.clone(),
    );
    let mut upgrade = world.upgrade(&setup.connect_host, upgrade_options);
    let mut drive = Drive {
        scenario,
        setup: &setup,
        guard,
        panic_here: options.panic_in.as_deref() == Some(scenario.name.as_str()),
        timeline: Vec::new(),
        records: Vec::new(),
        events: Vec::new(),
        checkpoint_checks: Vec::new(),
        fault_ids: setup.fault_ids.clone(),
    };
    let budget_error = drive.steps(&mut upgrade);
    let Drive {
        mut timeline,
        records,
        events,
        checkpoint_checks,
        fault_ids,
        ..
    } = drive;
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
    outcome.decisions = facts::decisions(&facts.events, &setup);
    outcome.ledger = facts::ledger_summary(&facts);
    outcome.events = timeline;
    outcome.runs.clone_from(&facts.runs);
    outcome.pending_exports.clone_from(&facts.pending);
    outcome.config_diff = crate::config_diff::connect_side(world, &setup.connect_host)
        .map(|c| crate::config_diff::diff(&setup.config, &c));
    outcome.sim_duration_ms = facts.now_ms;
    outcome.error = budget_error.or(outcome.error);
    if options.dump_tenant {
        outcome.tenant = Some(crate::graph::tenant(&world.tenant_records()));
    }
    if setup.passwords.planted {
        outcome.judge();
        let found = scan_for_secrets(&outcome, &setup, &facts.events);
        outcome.checks.extend(found);
    }
    (outcome, facts.steps)
}

/// Each scenario with the seeds it runs with and the name it is reported by: its own seed
/// (or `seed`) under its own name, or with a sweep each of `seeds` as `scenario@seed`, seeds in
/// order. The suite runner and the `tests/scenarios.rs` harness both name runs this way.
pub fn sweep<'a>(
    scenarios: &'a [Scenario],
    seed: Option<u64>,
    seeds: &[u64],
) -> Vec<(String, &'a Scenario, u64)> {
    scenarios
        .iter()
        .flat_map(|s| {
            let runs: Vec<(String, u64)> = if seeds.is_empty() {
                vec![(s.name.clone(), seed.unwrap_or(s.seed()))]
            } else {
                seeds
                    .iter()
                    .map(|&n| (format!("{}@{n}", s.name), n))
                    .collect()
            };
            runs.into_iter().map(move |(name, n)| (name, s, n))
        })
        .collect()
}

/// A scenario run that just ended, as [`run_suite_with`] tells its caller: the outcome (named
/// as the suite reports it) and how each step ended.
#[derive(Clone, Copy, Debug)]
pub struct Finished<'a> {
    /// The scenario's outcome, as the reports show it.
    pub outcome: &'a ScenarioOutcome,
    /// Each step as it ran, with its result.
    pub steps: &'a [steps::StepRecord],
}

/// Runs scenarios in parallel (each its own world and seed) and returns them in input order;
/// with a seed sweep each scenario once per seed, named `scenario@seed`, seeds in order.
pub fn run_suite(scenarios: &[Scenario], options: &RunOptions) -> SuiteOutcome {
    run_suite_with(scenarios, options, &|_| {})
}

/// [`run_suite`], calling `on_done` with each scenario run as it ends (in completion order, on
/// the worker that ran it), so a caller can print it at once. The returned outcome is the same
/// as [`run_suite`]'s: in input order, whatever order the runs ended in.
pub fn run_suite_with(
    scenarios: &[Scenario],
    options: &RunOptions,
    on_done: &(dyn Fn(Finished<'_>) + Sync),
) -> SuiteOutcome {
    let wall = Instant::now();
    let started = crate::wall::rfc3339(std::time::SystemTime::now());
    let jobs = sweep(scenarios, options.seed, &options.seeds);
    let run = || -> Vec<ScenarioOutcome> {
        jobs.par_iter()
            .map(|(name, s, seed)| {
                let (outcome, steps) = run_recorded(s, *seed, options);
                let outcome = ScenarioOutcome {
                    name: name.clone(),
                    ..outcome
                };
                on_done(Finished {
                    outcome: &outcome,
                    steps: &steps,
                });
                outcome
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
        wall_duration_ms: crate::wall::elapsed_ms(wall),
        wall_started_at: Some(started),
        wall_hostname: crate::wall::hostname(),
    }
}

#[cfg(test)]
mod sweep_tests {
    use super::*;
    use crate::load::load_text;

    fn scenario(name: &str, seed: u64) -> Scenario {
        let text = format!(
            "format_version = 1\ndescription = \"d\"\nseed = {seed}\n[world]\nusers = 60\n[[steps]]\naction = \"analyze\"\n"
        );
        load_text(name, std::path::Path::new("x.toml"), text).unwrap()
    }

    #[test]
    fn a_sweep_names_each_run_scenario_at_seed_and_no_sweep_keeps_the_name() {
        let s = [scenario("a", 3), scenario("b", 4)];
        let named = |seed, seeds: &[u64]| -> Vec<(String, u64)> {
            sweep(&s, seed, seeds)
                .into_iter()
                .map(|(n, _, seed)| (n, seed))
                .collect()
        };
        assert_eq!(named(None, &[]), [("a".into(), 3), ("b".into(), 4)]);
        assert_eq!(named(Some(9), &[]), [("a".into(), 9), ("b".into(), 9)]);
        let swept = named(None, &[7, 8]);
        let expected: Vec<(String, u64)> = vec![
            ("a@7".into(), 7),
            ("a@8".into(), 8),
            ("b@7".into(), 7),
            ("b@8".into(), 8),
        ];
        assert_eq!(swept, expected);
    }

    #[test]
    fn each_run_is_told_once_as_it_ends_and_the_suite_is_what_run_suite_returns() {
        let s = [scenario("a", 3), scenario("b", 4), scenario("c", 5)];
        let options = RunOptions {
            seeds: vec![1, 2],
            jobs: 2,
            ..RunOptions::default()
        };
        let told = std::sync::Mutex::new(Vec::new());
        let with = run_suite_with(&s, &options, &|f| {
            assert!(!f.steps.is_empty(), "{} ran its step", f.outcome.name);
            told.lock().unwrap().push(f.outcome.name.clone());
        });
        let plain = run_suite(&s, &options);
        let names = |suite: &SuiteOutcome| -> Vec<String> {
            suite.scenarios.iter().map(|o| o.name.clone()).collect()
        };
        assert_eq!(names(&with), ["a@1", "a@2", "b@1", "b@2", "c@1", "c@2"]);
        let mut told = told.into_inner().unwrap();
        told.sort();
        assert_eq!(told, names(&plain), "every run told exactly once");
        let json = |suite: &SuiteOutcome| {
            let mut v: serde_json::Value =
                serde_json::from_str(&crate::report::json::render(suite)).unwrap();
            crate::report::json::without_wall_fields(&mut v);
            v
        };
        assert_eq!(json(&with), json(&plain), "the report does not change");
    }
}
