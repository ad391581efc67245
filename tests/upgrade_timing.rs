//! The simulated time of an in-place upgrade against the wizard's estimate and Microsoft's
//! upgrade document ("If you have more than 50,000 objects then it might take longer than
//! three hours"): the first Connect export of a 50,000-object in-place upgrade starts at three
//! hours or later, and not much later.

use std::path::PathBuf;
use upgrade_lab_model::SimDuration;
use upgrade_lab_scenario::load_file;
use upgrade_lab_scenario::outcome::Verdict;
use upgrade_lab_scenario::runner::faults::first_connect_export;
use upgrade_lab_scenario::runner::run_scenario;

#[test]
fn the_first_connect_export_of_50000_objects_in_place_starts_between_3_00_and_3_20() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/scale/in-place-50k-continue.toml");
    let s = load_file("scale/in-place-50k-continue", &path)
        .unwrap_or_else(|e| panic!("{}", e[0].plain()));
    let o = run_scenario(&s, s.seed());
    assert_eq!(o.verdict, Verdict::Pass, "{:?} {:?}", o.error, o.failures());
    assert_eq!(o.analysis.as_ref().map(|a| a.objects_count), Some(50_000));
    let first = first_connect_export(&o.runs).expect("Connect exported");
    let started = SimDuration(first.started_ms);
    assert!(
        started >= SimDuration::from_hours(3),
        "first export at T+{started}"
    );
    assert!(
        started <= SimDuration::from_mins(200),
        "first export at T+{started}"
    );
    assert_eq!(
        first.updates + first.adds,
        50_000,
        "every object is written"
    );
}
