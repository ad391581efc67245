//! Same file and seed → the same JSON report, byte for byte, except fields named `wall_*`:
//! run twice, on one thread and on several, and compare.

use std::path::PathBuf;
use upgrade_lab_scenario::load_all;
use upgrade_lab_scenario::report::json::{render, without_wall_fields};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};

fn scenarios(names: &[&str]) -> Vec<upgrade_lab_scenario::Scenario> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let paths: Vec<PathBuf> = names
        .iter()
        .map(|n| root.join(format!("{n}.toml")))
        .collect();
    load_all(&paths).unwrap_or_else(|e| panic!("{}", e[0].plain()))
}

fn report(s: &[upgrade_lab_scenario::Scenario], options: &RunOptions) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&render(&run_suite(s, options))).unwrap();
    without_wall_fields(&mut v);
    v
}

#[test]
fn the_same_files_and_seeds_give_the_same_report_on_one_or_two_threads() {
    let s = scenarios(&[
        "cutover/rogue-dirsync-restarted",
        "faults/throttled-first-export",
        "staging/pending-exports-match-churn",
        "in-place/migrates-domain-ou-filters",
    ]);
    let one = report(
        &s,
        &RunOptions {
            seed: None,
            jobs: 1,
            ..RunOptions::default()
        },
    );
    let two = report(
        &s,
        &RunOptions {
            seed: None,
            jobs: 2,
            ..RunOptions::default()
        },
    );
    assert_eq!(one, two);
    let text = serde_json::to_string(&one).unwrap();
    assert!(!text.contains("\"wall_"), "wall fields were removed");
    assert!(
        text.contains("\"at_ms\""),
        "the timeline carries simulated times"
    );
}

#[test]
fn a_seed_override_is_reported_and_replays_identically() {
    let s = scenarios(&["staging/pending-exports-match-churn"]);
    let options = RunOptions {
        seed: Some(99),
        jobs: 1,
        ..RunOptions::default()
    };
    let a = report(&s, &options);
    let b = report(&s, &options);
    assert_eq!(a, b);
    assert_eq!(a["scenarios"][0]["seed"], 99);
}
