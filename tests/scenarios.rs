//! Every scenario file under `scenarios/` as its own named test (libtest-mimic): `cargo test
//! --test scenarios -- parallel/` runs one folder. A failing scenario prints what was expected,
//! what happened and the command that replays it.
//!
//! `UPGRADE_LAB_SEEDS=1..100` (or `7,9,12`) sweeps seeds: each scenario once per seed, each run a
//! test named `scenario@seed`, so `cargo nextest run --test scenarios --partition count:K/N`
//! spreads a long sweep across CI runners. A bad list is one failing test saying why.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;
use upgrade_lab_scenario::determinism::seeds_from_env;
use upgrade_lab_scenario::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::{HumanOptions, WallTime, human};
use upgrade_lab_scenario::runner::{run_scenario, sweep};

fn explain(outcome: ScenarioOutcome) -> String {
    let suite = SuiteOutcome {
        scenarios: vec![outcome],
        wall_duration_ms: 0,
        wall_started_at: None,
        wall_hostname: None,
    };
    human::render(
        &suite,
        HumanOptions {
            color: false,
            wall: WallTime::Redact,
        },
    )
}

/// One trial per scenario and seed, named as the suite runner names them.
fn sweep_trials(scenarios: &[Arc<upgrade_lab_scenario::Scenario>], seeds: &[u64]) -> Vec<Trial> {
    let mut trials = Vec::new();
    for s in scenarios {
        let runs = sweep(std::slice::from_ref(s.as_ref()), None, seeds);
        for (name, _, seed) in runs {
            let s = Arc::clone(s);
            trials.push(Trial::test(name, move || {
                let outcome = run_scenario(&s, seed);
                if outcome.verdict == Verdict::Pass {
                    Ok(())
                } else {
                    Err(Failed::from(explain(outcome)))
                }
            }));
        }
    }
    trials
}

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let seeds = match seeds_from_env("UPGRADE_LAB_SEEDS") {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => {
            let trial = Trial::test("UPGRADE_LAB_SEEDS is a seed list", move || {
                Err(Failed::from(e.clone()))
            });
            libtest_mimic::run(&args, vec![trial]).exit();
        }
    };
    let trials = match upgrade_lab_scenario::load_all(std::slice::from_ref(&root)) {
        Ok(scenarios) => {
            let scenarios: Vec<Arc<_>> = scenarios.into_iter().map(Arc::new).collect();
            sweep_trials(&scenarios, &seeds)
        }
        Err(errors) => {
            let text: String = errors.iter().map(|e| e.plain() + "\n").collect();
            vec![Trial::test("scenario files are valid", move || {
                Err(Failed::from(text.clone()))
            })]
        }
    };
    libtest_mimic::run(&args, trials).exit();
}
