//! `explore` through its library entry point: a short exploration finds no violation (the CI
//! smoke; `UPGRADE_LAB_EXPLORE_HISTORIES` raises it), the same seed explores the same histories,
//! and a bug planted in the system under test is found within 1,000 histories and shrunk to a
//! scenario file of at most 50 objects and 6 steps that fails the same way through the ordinary
//! loader and runner, and passes without the bug.

use std::path::Path;
use upgrade_lab_scenario::explore::judge::Failure;
use upgrade_lab_scenario::explore::{ExploreOptions, Summary, explore};
use upgrade_lab_scenario::load_file;
use upgrade_lab_scenario::outcome::Verdict;
use upgrade_lab_scenario::runner::{RunOptions, run_suite};
use upgrade_lab_simulator::world::PlantedBug;

fn histories() -> u64 {
    std::env::var("UPGRADE_LAB_EXPLORE_HISTORIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn failures(s: &Summary) -> String {
    s.found
        .iter()
        .map(|f| format!("{}: {}", f.replay_command, f.failure.summary()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_short_exploration_finds_no_violation() {
    let options = ExploreOptions {
        histories: histories(),
        seed: 20_261_129,
        ..ExploreOptions::default()
    };
    let summary = explore(&options, &|_| {});
    assert_eq!(summary.histories, options.histories);
    assert!(summary.found.is_empty(), "{}", failures(&summary));
    // The histories go both ways and meet refusals and faults: the exploration has reach.
    let paths: Vec<&str> = summary.by_path_and_state.keys().map(|(p, _)| *p).collect();
    assert!(paths.contains(&"in_place") && paths.contains(&"parallel"));
    assert!(!summary.refusals.is_empty());
    assert!(summary.faults.values().any(|(_, hit)| *hit > 0));
}

#[test]
fn the_same_seed_explores_the_same_histories() {
    let options = ExploreOptions {
        histories: 40,
        seed: 3,
        jobs: 2,
        ..ExploreOptions::default()
    };
    let a = explore(&options, &|_| {});
    let b = explore(
        &ExploreOptions {
            jobs: 1,
            ..options.clone()
        },
        &|_| {},
    );
    assert_eq!(a.by_path_and_state, b.by_path_and_state);
    assert_eq!(a.refusals, b.refusals);
    assert_eq!(a.step_failures, b.step_failures);
    assert_eq!(a.faults, b.faults);
}

#[test]
fn a_planted_bug_is_found_and_shrunk_to_a_small_file_that_fails_the_same_way() {
    let bug = PlantedBug::DropOuFilterInMigration;
    let options = ExploreOptions {
        histories: 1_000,
        seed: 11,
        planted_bug: Some(bug),
        ..ExploreOptions::default()
    };
    let summary = explore(&options, &|_| {});
    let found = summary
        .found
        .iter()
        .find(|f| f.shrunk.is_some())
        .expect("the planted bug is found within 1,000 histories");
    assert!(
        matches!(found.failure, Failure::Violation(_)),
        "{:?}",
        found.failure
    );
    let shrunk = &found.shrunk.as_ref().unwrap().history;
    assert!(
        shrunk.world.objects() <= 50,
        "{} objects",
        shrunk.world.objects()
    );
    assert!(shrunk.steps.len() <= 6, "{} steps", shrunk.steps.len());
    assert!(
        found
            .replay_command
            .contains(&format!("--history {}", found.original.number))
    );

    let dir = std::env::temp_dir().join(format!("upgrade-lab-explore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(found.file_name());
    std::fs::write(&path, found.shrunk_text().unwrap()).unwrap();
    let Failure::Violation(kind) = &found.failure else {
        unreachable!()
    };
    assert_replays(&path, Some(bug), kind);
    std::fs::remove_dir_all(&dir).ok();
}

/// The written file fails with the bug on exactly that invariant, and passes without it.
fn assert_replays(path: &Path, bug: Option<PlantedBug>, kind: &str) {
    let scenario = load_file("shrunk", path).unwrap_or_else(|e| panic!("{}", e[0].plain()));
    let run = |bug| {
        run_suite(
            std::slice::from_ref(&scenario),
            &RunOptions {
                jobs: 1,
                planted_bug: bug,
                ..Default::default()
            },
        )
        .scenarios
        .remove(0)
    };
    let with = run(bug);
    assert_eq!(with.verdict, Verdict::Fail);
    let failed: Vec<String> = with.failures().iter().map(|c| c.what.clone()).collect();
    assert_eq!(failed, [format!("invariant {kind}")], "{failed:?}");
    assert_eq!(run(None).verdict, Verdict::Pass);
}
