//! Snapshots of the SVG timeline of real runs: an in-place upgrade, a parallel deployment's
//! cutover, and a throttled first export (a fault window and the sync gap). A change to the
//! drawing or to what the runs do shows up here as a diff to review.

use std::path::{Path, PathBuf};
use upgrade_lab_scenario::load::load_file;
use upgrade_lab_scenario::report::timeline;
use upgrade_lab_scenario::runner::run_scenario;

fn svg_of(name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(Path::new("scenarios").join(format!("{name}.toml")));
    let scenario = load_file(name, &path).expect("the scenario loads");
    let outcome = run_scenario(&scenario, scenario.seed());
    assert_eq!(
        outcome.verdict,
        upgrade_lab_scenario::outcome::Verdict::Pass,
        "{name}"
    );
    timeline::svg(&outcome)
}

fn lanes(svg: &str) -> usize {
    svg.matches("<g class=\"lane\"").count()
}

#[test]
fn in_place_upgrade_timeline() {
    let svg = svg_of("in-place/deletes-during-upgrade-orphaned");
    assert_eq!(
        lanes(&svg),
        2,
        "DirSync, then Azure AD Connect on the same host"
    );
    assert!(svg.contains("data-kind=\"uninstalled\""));
    insta::assert_snapshot!(svg);
}

#[test]
fn parallel_cutover_timeline() {
    let svg = svg_of("cutover/uninstall-then-staging-off");
    assert_eq!(lanes(&svg), 2);
    assert!(svg.contains("class=\"tl-staging\""));
    insta::assert_snapshot!(svg);
}

#[test]
fn throttled_first_export_timeline() {
    let svg = svg_of("faults/throttled-first-export");
    assert!(svg.contains("<g class=\"tl-fault\">"));
    assert!(svg.contains("class=\"tl-gap-bracket\""));
    insta::assert_snapshot!(svg);
}
