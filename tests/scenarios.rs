//! Every scenario file under `scenarios/` as its own named test (libtest-mimic): `cargo test
//! --test scenarios -- parallel/` runs one folder. A failing scenario prints what was expected,
//! what happened and the command that replays it.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;
use upgrade_lab_scenario::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::{HumanOptions, WallTime, human};
use upgrade_lab_scenario::runner::run_scenario;

fn explain(outcome: ScenarioOutcome) -> String {
    let suite = SuiteOutcome {
        scenarios: vec![outcome],
        wall_duration_ms: 0,
    };
    human::render(
        &suite,
        HumanOptions {
            color: false,
            wall: WallTime::Redact,
        },
    )
}

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let trials = match upgrade_lab_scenario::load_all(std::slice::from_ref(&root)) {
        Ok(scenarios) => scenarios
            .into_iter()
            .map(|s| {
                let s = Arc::new(s);
                let name = s.name.clone();
                Trial::test(name, move || {
                    let outcome = run_scenario(&s, s.seed());
                    if outcome.verdict == Verdict::Pass {
                        Ok(())
                    } else {
                        Err(Failed::from(explain(outcome)))
                    }
                })
            })
            .collect(),
        Err(errors) => {
            let text: String = errors.iter().map(|e| e.plain() + "\n").collect();
            vec![Trial::test("scenario files are valid", move || {
                Err(Failed::from(text.clone()))
            })]
        }
    };
    libtest_mimic::run(&args, trials).exit();
}
