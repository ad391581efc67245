//! Snapshots of the human report for three scenarios run against the simulated world: one that
//! passes, one whose guard rail refuses a step, and one whose expectation is wrong on purpose
//! (so the failure section with expected, actual and the replay command is pinned too).

use std::path::{Path, PathBuf};
use upgrade_lab_scenario::load::{load_file, load_text};
use upgrade_lab_scenario::outcome::{SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::{HumanOptions, WallTime, human, junit};
use upgrade_lab_scenario::runner::run_scenario;

fn path(name: &str) -> PathBuf {
    Path::new("scenarios").join(format!("{name}.toml"))
}

fn suite() -> SuiteOutcome {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).unwrap();
    let pass = load_file(
        "in-place/upgrade-resumes-active-sync",
        &path("in-place/upgrade-resumes-active-sync"),
    )
    .unwrap();
    let refused = load_file(
        "parallel/dirsync-sql-instance-refused",
        &path("parallel/dirsync-sql-instance-refused"),
    )
    .unwrap();
    let text = std::fs::read_to_string(path("cutover/rollback-after-export-refused")).unwrap();
    let wrong = load_text(
        "cutover/rollback-after-export-refused",
        &path("cutover/rollback-after-export-refused"),
        text.replace(
            "active_exporter = \"connect\"",
            "active_exporter = \"dirsync\"",
        ),
    )
    .unwrap();
    SuiteOutcome {
        scenarios: [pass, refused, wrong]
            .iter()
            .map(|s| run_scenario(s, s.seed()))
            .collect(),
        wall_duration_ms: 0,
        wall_started_at: None,
        wall_hostname: None,
    }
}

#[test]
fn human_report_of_three_scenarios() {
    let suite = suite();
    let verdicts: Vec<Verdict> = suite.scenarios.iter().map(|s| s.verdict).collect();
    assert_eq!(verdicts, [Verdict::Pass, Verdict::Pass, Verdict::Fail]);
    let text = human::render(
        &suite,
        HumanOptions {
            color: false,
            wall: WallTime::Redact,
        },
    );
    insta::assert_snapshot!(text);
    let xml = junit::render(&suite);
    assert!(xml.contains("seed: 706"), "{xml}");
    assert!(
        xml.contains(r#"file="scenarios/in-place/upgrade-resumes-active-sync.toml" line="1""#),
        "{xml}"
    );
}
