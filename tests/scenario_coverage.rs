//! The coverage tables of `scenarios/README.md` against the scenario files: each row lists
//! exactly the files whose `rules` (or `failure_modes`) name it, every rule of the upgrade
//! document has a scenario, and at least 15 failure modes of docs/real-systems.md are reproduced.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use upgrade_lab_scenario::rules::RULES;
use upgrade_lab_scenario::{Scenario, load_all};

type Table = BTreeMap<String, BTreeSet<String>>;

fn suite() -> (Vec<Scenario>, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let scenarios = load_all(std::slice::from_ref(&root)).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(upgrade_lab_scenario::ScenarioError::plain)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let readme = std::fs::read_to_string(root.join("README.md")).expect("scenarios/README.md");
    (scenarios, readme)
}

/// The rows of the table under `heading`: first cell (without backticks) → file names.
fn table(readme: &str, heading: &str) -> Table {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("README has no section '{heading}'"));
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| rule ") && !l.starts_with("| # "))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let key = cells[0].trim_matches('`').to_string();
            let files = cells
                .last()
                .unwrap_or(&"")
                .split(',')
                .map(|f| f.trim().trim_matches('`').to_string())
                .filter(|f| !f.is_empty())
                .collect();
            (key, files)
        })
        .collect()
}

fn from_files(scenarios: &[Scenario], keys: impl Fn(&Scenario) -> Vec<String>) -> Table {
    let mut t = Table::new();
    for s in scenarios {
        for k in keys(s) {
            t.entry(k).or_default().insert(s.name.clone());
        }
    }
    t
}

#[test]
fn the_rules_table_matches_the_files_and_covers_every_rule() {
    let (scenarios, readme) = suite();
    let documented = table(&readme, "Coverage: rules");
    let actual = from_files(&scenarios, |s| {
        s.file.rules.iter().map(|r| r.get_ref().clone()).collect()
    });
    for rule in RULES {
        assert!(
            actual.get(rule.id).is_some_and(|f| !f.is_empty()),
            "no scenario covers rule {} ({})",
            rule.id,
            rule.summary
        );
    }
    assert_eq!(
        documented, actual,
        "README rules table differs from the files"
    );
    assert_eq!(documented.len(), RULES.len());
}

#[test]
fn the_failure_mode_table_matches_the_files_and_has_at_least_fifteen() {
    let (scenarios, readme) = suite();
    let documented = table(&readme, "Coverage: failure modes");
    let actual = from_files(&scenarios, |s| {
        s.file
            .failure_modes
            .iter()
            .map(|m| m.get_ref().to_string())
            .collect()
    });
    assert_eq!(
        documented, actual,
        "README failure-mode table differs from the files"
    );
    assert!(
        actual.len() >= 15,
        "only {} failure modes covered",
        actual.len()
    );
}

#[test]
fn the_suite_is_large_enough_and_every_file_names_a_rule() {
    let (scenarios, _) = suite();
    assert!(scenarios.len() >= 40, "{} scenarios", scenarios.len());
    for s in &scenarios {
        assert!(!s.file.rules.is_empty(), "{} names no rule", s.name);
        assert!(
            s.file
                .rules
                .iter()
                .any(|r| s.description().contains(r.get_ref().as_str())),
            "{}: the description should name one of its rules",
            s.name
        );
        let e = &s.file.expect;
        let asserts_a_fact = e.analysis_page.is_some()
            || e.recommendation.is_some()
            || e.active_exporter.is_some()
            || !e.refusals.is_empty()
            || !e.errors.is_empty()
            || e.prerequisite_findings.is_some()
            || e.pending_exports.is_some()
            || e.tenant_equals_directory.is_some()
            || e.events.is_some()
            || !e.runs.is_empty()
            || e.connect_staging.is_some()
            || e.settings_exported.is_some()
            || e.sign_out_required.is_some()
            || e.dirsync_state.is_some()
            || !e.violations.is_empty();
        assert!(asserts_a_fact, "{} asserts no domain fact", s.name);
    }
    let folders: BTreeSet<&str> = scenarios
        .iter()
        .filter_map(|s| s.name.split_once('/').map(|(d, _)| d))
        .collect();
    for f in [
        "in-place",
        "parallel",
        "blocked",
        "prerequisites",
        "credentials",
        "staging",
        "cutover",
        "faults",
        "scale",
    ] {
        assert!(folders.contains(f), "no scenarios in {f}/");
    }
}

#[test]
fn the_readme_example_scenario_loads_and_passes() {
    let (_, readme) = suite();
    let example = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.starts_with("format_version"))
        .expect("README has a complete example");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/README-example.toml");
    let scenario = upgrade_lab_scenario::load_text("readme-example", &path, example.to_string())
        .unwrap_or_else(|e| panic!("{}", e[0].plain()));
    let outcome = upgrade_lab_scenario::runner::run_scenario(&scenario, scenario.seed());
    assert_eq!(
        outcome.verdict,
        upgrade_lab_scenario::outcome::Verdict::Pass,
        "{:#?}",
        outcome.failures()
    );
}
