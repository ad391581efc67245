//! The drawing model and the SVG writer on hand-written outcomes.

use super::model::{self, MarkerKind, Profile, Role, Timeline};
use super::svg;
use crate::outcome::*;
use serde_json::json;

fn engine(
    at_ms: u64,
    kind: &str,
    server: &str,
    text: &str,
    data: serde_json::Value,
) -> TimelineEvent {
    let serde_json::Value::Object(map) = data else {
        panic!("data is an object")
    };
    TimelineEvent::new(at_ms, EventSource::Engine, kind, text)
        .with_server(Some(server.to_string()))
        .with_data(map)
}

fn runner(at_ms: u64, kind: &str, data: serde_json::Value) -> TimelineEvent {
    let serde_json::Value::Object(map) = data else {
        panic!("data is an object")
    };
    TimelineEvent::new(at_ms, EventSource::Runner, kind, "churn").with_data(map)
}

fn run(server: &str, profile: &str, (from, to): (u64, u64), status: &str) -> RunLine {
    RunLine {
        server: server.into(),
        connector: "active-directory".into(),
        profile: profile.into(),
        started_ms: from,
        ended_ms: to,
        status: status.into(),
        adds: 1,
        updates: 2,
        deletes: 0,
        errors: 0,
    }
}

const MIN: u64 = 60_000;

/// The engine and runner events of `parallel`.
fn parallel_events() -> Vec<TimelineEvent> {
    vec![
        engine(
            15 * MIN,
            "changed",
            "AADC01",
            "Azure AD Connect installed",
            json!({"event": "changed", "server": "connect", "change": {"change": "connect-installed", "host": "AADC01", "staging": true}}),
        ),
        engine(
            20 * MIN,
            "refused",
            "AADC01",
            "the upgrade is blocked",
            json!({"event": "refused", "refusal": {"refusal": "configuration-blocked"}}),
        ),
        runner(
            30 * MIN,
            "step",
            json!({"step": "churn", "action": "churn", "index": 3}),
        ),
        runner(
            30 * MIN,
            "step_result",
            json!({"step": "churn", "action": "churn", "index": 3, "result": {"outcome": "done", "kind": null, "message": "10 AD changes"}}),
        ),
        engine(
            55 * MIN,
            "changed",
            "DIRSYNC01",
            "DirSync disabled",
            json!({"event": "changed", "server": "dirsync", "change": {"change": "dirsync-disabled", "host": "DIRSYNC01"}}),
        ),
        engine(
            60 * MIN,
            "changed",
            "AADC01",
            "staging mode off",
            json!({"event": "changed", "server": "connect", "change": {"change": "staging-mode", "host": "AADC01", "enabled": false}}),
        ),
        engine(
            62 * MIN,
            "decided",
            "AADC01",
            "sync gap 0:07:00",
            json!({"event": "decided", "decision": {"decision": "sync-gap", "gap": 7 * MIN}}),
        ),
    ]
}

/// A parallel upgrade: DirSync active, Connect installed in staging mode, DirSync disabled,
/// staging off, a throttling fault, a refusal, churn and a violation whose text needs escaping.
pub(crate) fn parallel() -> ScenarioOutcome {
    let mut o = crate::report::fixtures::suite().scenarios.remove(0);
    o.name = "cutover/a<b&\"c\"".into();
    o.sim_duration_ms = 120 * MIN;
    o.runs = vec![
        run("connect", "full-import", (15 * MIN, 20 * MIN), "success"),
        run(
            "connect",
            "export",
            (20 * MIN, 21 * MIN),
            "stopped-server-down",
        ),
        run(
            "connect",
            "delta-synchronization",
            (70 * MIN, 75 * MIN),
            "success",
        ),
    ];
    o.ledger.active_intervals = vec![
        ActiveInterval {
            server: "DIRSYNC01 (DirSync)".into(),
            from_ms: 0,
            to_ms: Some(55 * MIN),
        },
        ActiveInterval {
            server: "AADC01 (Azure AD Connect)".into(),
            from_ms: 62 * MIN,
            to_ms: None,
        },
    ];
    // The fixture's violation, retold: a text that needs escaping, at a time.
    let mut violation = o.invariants[1].violations[0].clone();
    violation.kind = "two_active_exporters".into();
    violation.at_ms = Some(100 * MIN);
    violation.summary = "AADC01 <Connect> & DIRSYNC01 \"both\" exported".into();
    o.ledger.violations = vec![violation];
    o.ledger.longest_gap_ms = 0;
    o.events = parallel_events();
    o.faults[0].kind = "throttling".into();
    o.faults[0].active_from_ms = Some(50 * MIN);
    o.faults[0].active_until_ms = Some(70 * MIN);
    o
}

fn lane(t: &Timeline, role: Role) -> &model::Lane {
    t.lanes.iter().find(|l| l.role == role).expect("the lane")
}

/// Active intervals of the ledger that have no band on their lane: empty when the drawing is
/// right.
fn missing_bands(o: &ScenarioOutcome, t: &Timeline) -> Vec<String> {
    o.ledger
        .active_intervals
        .iter()
        .filter(|i| {
            !t.lanes.iter().any(|l| {
                i.server.starts_with(&l.label()) && l.active.iter().any(|b| b.from_ms == i.from_ms)
            })
        })
        .map(|i| i.server.clone())
        .collect()
}

#[test]
fn a_bar_per_run_coloured_by_profile_and_status() {
    let t = model::build(&parallel());
    let bars = &lane(&t, Role::Connect).bars;
    assert_eq!(bars.len(), 3);
    let kinds: Vec<(Profile, bool)> = bars.iter().map(|b| (b.profile, b.error)).collect();
    assert_eq!(
        kinds,
        [
            (Profile::FullImport, false),
            (Profile::Export, true),
            (Profile::DeltaSync, false)
        ]
    );
    assert!(lane(&t, Role::DirSync).bars.is_empty());
}

#[test]
fn a_band_per_active_interval_and_a_planted_drop_is_caught() {
    let o = parallel();
    let mut t = model::build(&o);
    assert_eq!(lane(&t, Role::DirSync).active.len(), 1);
    assert_eq!(
        lane(&t, Role::Connect).active[0].to_ms,
        t.span_ms,
        "open until the end"
    );
    assert!(missing_bands(&o, &t).is_empty());
    // Planted bug: the drawing loses the Connect server's interval.
    t.lanes.iter_mut().for_each(|l| {
        if l.role == Role::Connect {
            l.active.clear();
        }
    });
    assert_eq!(missing_bands(&o, &t), ["AADC01 (Azure AD Connect)"]);
    let text = svg::render(&t, "");
    assert_eq!(text.matches("<g class=\"tl-active\">").count(), 1);
}

#[test]
fn staging_disable_refusal_churn_and_violation_markers() {
    let t = model::build(&parallel());
    let connect = lane(&t, Role::Connect);
    assert_eq!(connect.host.as_deref(), Some("AADC01"));
    assert_eq!(
        (connect.staging[0].from_ms, connect.staging[0].to_ms),
        (15 * MIN, 60 * MIN)
    );
    assert_eq!(connect.markers[0].kind, MarkerKind::Installed);
    assert_eq!(
        lane(&t, Role::DirSync).markers[0].kind,
        MarkerKind::Disabled
    );
    let upgrade: Vec<(MarkerKind, &str)> = t
        .upgrade
        .iter()
        .map(|m| (m.kind, m.label.as_str()))
        .collect();
    assert_eq!(
        upgrade,
        [
            (MarkerKind::Refusal, "refused: configuration blocked"),
            (MarkerKind::Churn, "10 AD changes")
        ]
    );
    assert_eq!(t.tenant[0].kind, MarkerKind::Violation);
    assert_eq!(t.faults[0].label, "#1 throttling");
    assert_eq!(
        (t.faults[0].from_ms, t.faults[0].to_ms),
        (50 * MIN, 70 * MIN)
    );
}

#[test]
fn the_gap_bracket_says_its_length() {
    let t = model::build(&parallel());
    assert_eq!(t.gaps.len(), 1);
    assert_eq!((t.gaps[0].from_ms, t.gaps[0].to_ms), (55 * MIN, 62 * MIN));
    assert_eq!(t.gaps[0].label, "cutover gap 0:07:00");
    assert!(svg::render(&t, "").contains(">cutover gap 0:07:00</text>"));
}

#[test]
fn the_ledger_gap_is_placed_only_when_it_is_reproduced() {
    let mut o = parallel();
    o.events.retain(|e| e.data.get("decision").is_none());
    o.runs.push(run(
        "connect",
        "delta-import",
        (70 * MIN, 71 * MIN),
        "success",
    ));
    o.runs
        .push(run("connect", "export", (72 * MIN, 73 * MIN), "success"));
    // The churn at 0:30 waits for the export that ends at 1:13: 43 minutes.
    o.ledger.longest_gap_ms = 43 * MIN;
    let t = model::build(&o);
    assert_eq!(t.gaps.len(), 1, "{:?}", t.notes);
    assert_eq!((t.gaps[0].from_ms, t.gaps[0].to_ms), (30 * MIN, 73 * MIN));
    o.ledger.longest_gap_ms = 44 * MIN;
    let t = model::build(&o);
    assert!(t.gaps.is_empty());
    assert!(
        t.notes.iter().any(|n| n.contains("0:44:00")),
        "{:?}",
        t.notes
    );
}

#[test]
fn every_text_is_escaped() {
    let text = super::svg(&parallel());
    assert!(text.contains("cutover/a&lt;b&amp;&quot;c&quot;"));
    assert!(text.contains("AADC01 &lt;Connect&gt; &amp; DIRSYNC01 &quot;both&quot; exported"));
    assert!(!text.contains("a<b"));
    assert_eq!(svg::escape("<&\"'>"), "&lt;&amp;&quot;&#39;&gt;");
    assert!(!text.contains("<script"));
}

#[test]
fn the_same_outcome_gives_the_same_bytes() {
    assert_eq!(super::svg(&parallel()), super::svg(&parallel()));
}

#[test]
fn no_runs_one_server_still_draws_lanes_and_axis() {
    let mut o = crate::report::fixtures::suite().scenarios.remove(2);
    o.events.clear();
    let t = model::build(&o);
    assert_eq!(t.lanes.len(), 1, "the DirSync server is always drawn");
    assert_eq!(t.span_ms, 900_000, "to the fault's end");
    assert_eq!(t.ticks.first().map(|t| t.label.as_str()), Some("T+0:00"));
    let text = svg::render(&t, "");
    assert!(
        text.contains("class=\"lane\" id=\"lane-dirsync-unknown\""),
        "{text}"
    );
}

#[test]
fn several_connect_servers_get_a_lane_each() {
    let mut o = parallel();
    o.ledger.active_intervals.push(ActiveInterval {
        server: "AADC02 (Azure AD Connect)".into(),
        from_ms: 100 * MIN,
        to_ms: None,
    });
    let t = model::build(&o);
    let ids: Vec<&str> = t.lanes.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "lane-dirsync-dirsync01",
            "lane-connect-aadc01",
            "lane-connect-aadc02"
        ]
    );
}

#[test]
fn thousands_of_runs_are_merged_and_the_file_stays_small() {
    let mut o = parallel();
    o.sim_duration_ms = 30 * 24 * 60 * MIN;
    o.runs = (0..6_000u64)
        .map(|i| {
            run(
                "connect",
                "delta-import",
                (i * 7 * MIN, i * 7 * MIN + 5_000),
                "success",
            )
        })
        .collect();
    let t = model::build(&o);
    let bars = &lane(&t, Role::Connect).bars;
    assert!(
        bars.len() <= usize::try_from(model::PLOT_WIDTH_PX).unwrap(),
        "{}",
        bars.len()
    );
    assert_eq!(bars.iter().map(|b| b.runs).sum::<usize>(), 6_000);
    assert!(
        t.notes.iter().any(|n| n.contains("6000 runs drawn as")),
        "{:?}",
        t.notes
    );
    let text = svg::render(&t, "");
    assert!(text.len() < 400_000, "{} bytes", text.len());
}

#[test]
fn ticks_are_round_and_at_most_thirteen() {
    let labels: Vec<String> = model::ticks(2 * 3_600_000)
        .into_iter()
        .map(|t| t.label)
        .collect();
    assert_eq!(labels[..3], ["T+0:00", "T+0:10", "T+0:20"]);
    assert!(model::ticks(90 * 24 * 3_600_000).len() <= 13);
    assert_eq!(model::ticks(60_000).len(), 2);
}

#[test]
fn fixture_timeline_snapshot() {
    insta::assert_snapshot!(super::svg(&parallel()));
}
