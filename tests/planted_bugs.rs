//! Bugs planted on purpose in the simulated system under test (`PlantedBug`, a hidden test
//! affordance): each must turn at least one scenario red because of an invariant the tenant
//! oracle judges, while the same scenarios are green without it. This is what shows the verdicts
//! do not take the word of the server they judge.

use std::path::PathBuf;
use upgrade_lab_scenario::outcome::{SuiteOutcome, Verdict};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};
use upgrade_lab_scenario::{Scenario, load_file};
use upgrade_lab_simulator::world::PlantedBug;

fn scenarios(names: &[&str]) -> Vec<Scenario> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    names
        .iter()
        .map(|n| {
            let path = root.join(format!("{n}.toml"));
            load_file(n, &path).unwrap_or_else(|e| panic!("{n}: {}", e[0].plain()))
        })
        .collect()
}

fn run(s: &[Scenario], bug: Option<PlantedBug>) -> SuiteOutcome {
    run_suite(
        s,
        &RunOptions {
            jobs: 1,
            planted_bug: bug,
            ..Default::default()
        },
    )
}

/// Green without the bug; with it, some scenario fails on `invariant <kind>`.
fn assert_caught(names: &[&str], bug: PlantedBug, kind: &str) {
    let s = scenarios(names);
    let clean = run(&s, None);
    for o in &clean.scenarios {
        assert_eq!(
            o.verdict,
            Verdict::Pass,
            "{} without a bug: {:?}",
            o.name,
            o.failures()
        );
    }
    let planted = run(&s, Some(bug));
    let what = format!("invariant {kind}");
    let caught: Vec<&str> = planted
        .scenarios
        .iter()
        .filter(|o| o.verdict == Verdict::Fail && o.failures().iter().any(|f| f.what == what))
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        !caught.is_empty(),
        "{bug:?} was not caught by {what}: {:#?}",
        planted
            .scenarios
            .iter()
            .map(|o| (&o.name, o.failures()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_migration_that_drops_the_ou_filter_leaves_orphans() {
    assert_caught(
        &["in-place/migrates-domain-ou-filters"],
        PlantedBug::DropOuFilterInMigration,
        "object_orphaned",
    );
}

#[test]
fn a_migration_that_flows_the_wrong_sign_in_attribute_leaves_wrong_upns() {
    assert_caught(
        &[
            "in-place/migrates-alternate-id",
            "in-place/migrates-alternate-id-local-upn",
        ],
        PlantedBug::WrongSignInAttribute,
        "object_stale",
    );
}

#[test]
fn exports_that_skip_deletes_leave_orphans() {
    assert_caught(
        &["cutover/cloud-only-objects-untouched"],
        PlantedBug::SkipDeleteExports,
        "object_orphaned",
    );
}
