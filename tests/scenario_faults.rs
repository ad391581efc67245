//! Faults must take effect: every fault of the suite hits something (or says `may_miss`), a
//! fault placed where it cannot strike makes its scenario an error, and the throttled first
//! export's assertions turn red without the throttle.

use std::path::PathBuf;
use upgrade_lab_scenario::outcome::{ScenarioOutcome, Verdict};
use upgrade_lab_scenario::runner::run_scenario;
use upgrade_lab_scenario::{load_all, load_text};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

fn run_edited(name: &str, edit: impl Fn(String) -> String) -> ScenarioOutcome {
    let path = scenario_path(name);
    let text = edit(std::fs::read_to_string(&path).unwrap());
    let s = load_text(name, &path, text).unwrap_or_else(|e| panic!("{}", e[0].plain()));
    run_scenario(&s, s.seed())
}

#[test]
fn every_fault_in_the_suite_hits_something_or_may_miss() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let scenarios =
        load_all(std::slice::from_ref(&root)).unwrap_or_else(|e| panic!("{}", e[0].plain()));
    let with_faults: Vec<_> = scenarios
        .iter()
        .filter(|s| !s.file.faults.is_empty())
        .collect();
    assert!(with_faults.len() >= 8, "the suite injects faults");
    let mut missed = Vec::new();
    for s in with_faults {
        let o = run_scenario(s, s.seed());
        for f in o.faults.iter().filter(|f| f.hit_count == 0 && !f.may_miss) {
            missed.push(format!("{} {}", s.name, f.title()));
        }
    }
    assert!(missed.is_empty(), "faults that hit nothing: {missed:?}");
}

const LATE_CRASH: &str = "\n[[faults]]\nkind = \"crash\"\nat_minutes = 100000\n";

#[test]
fn a_fault_that_cannot_strike_makes_the_scenario_an_error_that_says_what_to_do() {
    let o = run_edited("in-place/small-express-ready", |t| {
        format!("{t}{LATE_CRASH}")
    });
    assert_eq!(o.verdict, Verdict::Error, "{:?}", o.error);
    let error = o.error.unwrap();
    assert!(error.contains("small-express-ready.toml"), "{error}");
    assert!(
        error.contains("#1 crash (at_minutes = 100000) hit nothing"),
        "{error}"
    );
    assert!(
        error.contains("it starts at T+1666:40:00, after the scenario ended at T+"),
        "{error}"
    );
    assert!(error.contains("may_miss = true"), "{error}");
    assert_eq!(o.faults[0].hit_count, 0);
}

#[test]
fn may_miss_lets_a_fault_hit_nothing() {
    let o = run_edited("in-place/small-express-ready", |t| {
        format!("{t}{LATE_CRASH}may_miss = true\n")
    });
    assert_eq!(o.verdict, Verdict::Pass, "{:?} {:?}", o.error, o.failures());
    assert!(o.faults[0].may_miss);
}

#[test]
fn the_throttle_shapes_connects_first_export_and_its_checks_fail_without_it() {
    let name = "faults/throttled-first-export";
    let o = run_edited(name, |t| t);
    assert_eq!(o.verdict, Verdict::Pass, "{:?} {:?}", o.error, o.failures());
    let throttle = &o.faults[0];
    assert!(throttle.hit_count > 0);
    assert!(
        throttle.hits.iter().any(|h| h.retries.unwrap_or(0) > 0),
        "{throttle:?}"
    );

    // Without the fault, the first export is quick and has no retries: the checks turn red.
    let o = run_edited(name, |t| {
        let start = t.find("[[faults]]").unwrap();
        let end = t[start..].find("\n\n").map_or(t.len(), |e| start + e);
        format!("{}{}", &t[..start], &t[end..])
    });
    let failed: Vec<String> = o.failures().into_iter().map(|c| c.what).collect();
    assert!(
        failed.contains(&"expect.first_connect_export.retries".to_string()),
        "{failed:?}"
    );
    assert!(
        failed.contains(&"expect.first_connect_export.minutes".to_string()),
        "{failed:?}"
    );
}
