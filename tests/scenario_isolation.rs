//! A scenario cannot take the suite down: a panic inside one becomes that scenario's error in
//! every report format while the others still run, and a scenario over its simulated-time or
//! wall-time budget ends with an error naming the budget, the step and how to raise it.

use std::path::Path;
use upgrade_lab_scenario::load::{Scenario, load_text};
use upgrade_lab_scenario::outcome::{SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::{HumanOptions, WallTime, human, json, junit};
use upgrade_lab_scenario::runner::{RunOptions, run_one, run_suite};

const SMALL: &str = "format_version = 1\ndescription = \"recommend.in-place-under-50k\"\nseed = 5\n[world]\nusers = 60\ngroups = 5\ncontacts = 5\n";

fn scenario(name: &str, body: &str) -> Scenario {
    let text = format!("{SMALL}{body}");
    let path = Path::new("scenarios").join(format!("{name}.toml"));
    load_text(name, &path, text).unwrap_or_else(|e| panic!("{}", e[0].plain()))
}

fn analyze(name: &str) -> Scenario {
    scenario(
        name,
        "[[steps]]\naction = \"analyze\"\n[expect]\nrecommendation = \"in_place\"\n",
    )
}

/// The panic's location moves with the code: keep the file, drop line and column.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("runner/mod.rs:") {
        let after = &rest[i + "runner/mod.rs:".len()..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit() && c != ':')
            .unwrap_or(after.len());
        out.push_str(&rest[..i]);
        out.push_str("runner/mod.rs:LINE:COLUMN");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_panicking_scenario_is_an_error_in_every_report_and_the_others_still_run() {
    let scenarios = [analyze("a-first"), analyze("b-panics"), analyze("c-last")];
    let mut suite = run_suite(
        &scenarios,
        &RunOptions {
            jobs: 2,
            panic_in: Some("b-panics".into()),
            ..RunOptions::default()
        },
    );
    let verdicts: Vec<Verdict> = suite.scenarios.iter().map(|s| s.verdict).collect();
    assert_eq!(verdicts, [Verdict::Pass, Verdict::Error, Verdict::Pass]);
    let error = suite.scenarios[1].error.clone().unwrap();
    assert!(
        error.contains("planted panic in scenario `b-panics`"),
        "{error}"
    );
    assert!(
        error.contains("runner/mod.rs:"),
        "the location is kept: {error}"
    );
    for s in &mut suite.scenarios {
        s.wall_duration_ms = 0;
    }
    let suite = SuiteOutcome {
        scenarios: suite.scenarios,
        wall_duration_ms: 0,
        wall_started_at: None,
        wall_hostname: None,
    };
    let shown = human::render(
        &suite,
        HumanOptions {
            color: false,
            wall: WallTime::Redact,
        },
    );
    insta::assert_snapshot!("panic_human", normalise(&shown));
    let mut value: serde_json::Value = serde_json::from_str(&json::render(&suite)).unwrap();
    json::without_wall_fields(&mut value);
    let errors: Vec<&serde_json::Value> = value["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["error"])
        .collect();
    insta::assert_snapshot!(
        "panic_json_errors",
        normalise(&serde_json::to_string_pretty(&errors).unwrap())
    );
    let xml = junit::render(&suite);
    assert!(xml.contains(r#"errors="1""#), "{xml}");
    insta::assert_snapshot!("panic_junit", normalise(&xml));
}

#[test]
fn the_simulated_time_budget_stops_a_long_run_cycle_and_names_it() {
    let s = scenario(
        "budget",
        "[budget]\nsim_days = 1\n[[steps]]\naction = \"wait\"\nminutes = 1380\n[[steps]]\naction = \"run_cycle\"\nserver = \"dirsync\"\ncount = 1000\n[[steps]]\naction = \"churn\"\nupdates = 1\n",
    );
    let o = run_one(&s, 5, &RunOptions::default());
    assert_eq!(o.verdict, Verdict::Error, "{:?} {:?}", o.error, o.checks);
    let e = o.error.clone().unwrap();
    assert!(
        e.contains("the simulated-time budget of 1 days ran out in step `run_cycle`"),
        "{e}"
    );
    assert!(e.contains("[budget] sim_days"), "{e}");
    let steps: Vec<&str> = o
        .events
        .iter()
        .filter(|e| e.kind == "step")
        .filter_map(|e| e.data_str("step"))
        .collect();
    assert_eq!(steps, ["wait", "run_cycle"], "churn never ran");
    let day = 24 * 3_600_000;
    assert!(
        o.sim_duration_ms < day + 3 * 3_600_000,
        "the cycles stopped soon after the day: {}",
        o.sim_duration_ms
    );
    // Within the budget the same scenario runs to its end.
    let mut roomy = s;
    roomy.file.budget.sim_days = None;
    let o = run_one(&roomy, 5, &RunOptions::default());
    assert!(o.error.is_none(), "{:?}", o.error);
}

#[test]
fn the_wall_time_budget_ends_the_scenario_and_says_how_to_raise_it() {
    let s = analyze("wall");
    let o = run_one(
        &s,
        5,
        &RunOptions {
            wall_budget: Some(0),
            ..RunOptions::default()
        },
    );
    assert_eq!(o.verdict, Verdict::Error);
    let e = o.error.unwrap();
    assert!(
        e.contains("the wall-time budget of 0 s ran out in step `analyze`"),
        "{e}"
    );
    assert!(e.contains("--wall-budget"), "{e}");
    let o = run_one(&s, 5, &RunOptions::default());
    assert_eq!(o.verdict, Verdict::Pass, "{:?}", o.error);
}
