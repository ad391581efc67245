//! The invariants are checked on every run: a violation nobody announced fails the scenario, an
//! announced one that does not happen fails it too, and so does a refusal the file did not list.

mod common;

use common::run_edited;
use upgrade_lab_scenario::outcome::{ScenarioOutcome, Verdict};

fn failed_checks(o: &ScenarioOutcome) -> Vec<String> {
    o.failures().into_iter().map(|c| c.what).collect()
}

#[test]
fn an_unannounced_rogue_exporter_fails_the_scenario() {
    let o = run_edited("cutover/rogue-dirsync-restarted", |t| {
        t.replace(
            "violations = [\"two_active_exporters\", \"dirsync_export_after_connect\"]\n",
            "",
        )
    });
    assert_eq!(o.verdict, Verdict::Fail);
    let failed = failed_checks(&o);
    assert!(
        failed.contains(&"invariant two_active_exporters".to_string()),
        "{failed:?}"
    );
    assert!(
        failed.contains(&"invariant dirsync_export_after_connect".to_string()),
        "{failed:?}"
    );
}

#[test]
fn an_announced_violation_that_does_not_happen_fails_the_scenario() {
    let o = run_edited("cutover/rogue-dirsync-restarted", |t| {
        t.replace("[[steps]]\naction = \"enable_dirsync\"\n", "")
    });
    assert_eq!(o.verdict, Verdict::Fail);
    let failures = o.failures();
    let two = failures
        .iter()
        .find(|c| c.what == "invariant two_active_exporters")
        .expect("the expected violation is reported missing");
    assert_eq!(two.expected, "violated (expected by the scenario)");
    assert_eq!(two.actual, "held");
}

#[test]
fn a_refusal_the_file_does_not_list_fails_the_scenario() {
    let o = run_edited("parallel/force-export-under-50k", |t| {
        t.replace(
            "[[steps]]\naction = \"install_parallel\"\n",
            "[[steps]]\naction = \"install_parallel\"\n\n[[steps]]\naction = \"disable_staging\"\n",
        )
    });
    assert_eq!(o.verdict, Verdict::Fail);
    let f = o.failures();
    let step = f.iter().find(|c| c.what == "step disable_staging").unwrap();
    assert!(
        step.actual.starts_with("staging_off_while_dirsync_exports"),
        "{}",
        step.actual
    );
}

#[test]
fn deletes_the_staging_server_never_saw_fail_the_run_naming_five_orphans() {
    let o = run_edited("cutover/deleted-before-takeover-orphans", |t| {
        t.replace("violations = [\"object_orphaned\"]\n", "")
    });
    assert_eq!(o.verdict, Verdict::Fail);
    let failures = o.failures();
    let orphaned = failures
        .iter()
        .find(|c| c.what == "invariant object_orphaned")
        .unwrap_or_else(|| panic!("{failures:?}"));
    let inv = o
        .invariants
        .iter()
        .find(|i| i.name == "object_orphaned")
        .unwrap();
    let v = &inv.violations[0];
    assert_eq!(v.object_count, 5, "{}", orphaned.actual);
    assert_eq!(v.objects.len(), 5);
    for obj in &v.objects {
        // AD still holds their tombstones: each is named by its DN, with its immutableId.
        let dn = obj.dn.as_deref().unwrap_or_else(|| panic!("{obj:?}"));
        assert!(orphaned.actual.contains(dn), "{}", orphaned.actual);
        assert!(obj.immutable_id.is_some());
    }
    // Nothing else went wrong: the orphans are the only failure.
    assert_eq!(failures.len(), 1, "{failures:?}");
}

#[test]
fn a_sync_gap_over_the_stated_maximum_is_a_violation_the_scenario_may_list() {
    // The scenario queues AD changes for over an hour while nobody exports.
    let name = "cutover/exporter-gap-queues-changes";
    let tight = |t: String| {
        t.replace(
            "sync_gap_minutes = { min = 60 }",
            "sync_gap_minutes = { max = 59 }",
        )
    };
    let o = run_edited(name, tight);
    assert_eq!(o.verdict, Verdict::Fail);
    assert_eq!(
        failed_checks(&o),
        vec!["invariant sync_gap_exceeded".to_string()]
    );
    let listed = run_edited(name, |t| {
        tight(t).replace(
            "[expect]\n",
            "[expect]\nviolations = [\"sync_gap_exceeded\"]\n",
        )
    });
    assert_eq!(listed.verdict, Verdict::Pass, "{:?}", listed.failures());
}
