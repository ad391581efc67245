//! The machine-readable reports of a real run of scenarios that pass, fail, hit faults, record
//! violations and panic: the JSON report carries structured timeline entries and no Rust
//! `Debug` text; the JUnit report validates against the common JUnit schema
//! (`tests/fixtures/junit/`, checked with `xmllint`).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use upgrade_lab_scenario::load::{Scenario, load_file, load_text};
use upgrade_lab_scenario::outcome::{SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::{json, junit};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};

/// Scenarios that pass, among them faults and an expected violation.
const PASSING: [&str; 6] = [
    "in-place/upgrade-resumes-active-sync",
    "parallel/dirsync-sql-instance-refused",
    "faults/crash-during-connect-first-export",
    "faults/throttled-first-export",
    "faults/dirsync-crash-mid-cycle-last-cycle-exports",
    "cutover/rogue-dirsync-restarted",
];
/// Run with a wrong expectation: its verdict is `fail`.
const WRONG: &str = "cutover/rollback-after-export-refused";
/// Panics on purpose: its verdict is `error`.
const PANICS: &str = "faults/endpoint-outage-after-cutover";

fn path(name: &str) -> PathBuf {
    Path::new("scenarios").join(format!("{name}.toml"))
}

/// The suite, run once for every test of this file.
fn suite() -> &'static SuiteOutcome {
    static SUITE: OnceLock<SuiteOutcome> = OnceLock::new();
    SUITE.get_or_init(|| {
        std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
        let mut scenarios: Vec<Scenario> = PASSING
            .iter()
            .chain([&PANICS])
            .map(|n| load_file(n, &path(n)).unwrap())
            .collect();
        let text = std::fs::read_to_string(path(WRONG)).unwrap();
        let edited = text.replace(
            "active_exporter = \"connect\"",
            "active_exporter = \"dirsync\"",
        );
        scenarios.push(load_text(WRONG, &path(WRONG), edited).unwrap());
        let options = RunOptions {
            panic_in: Some(PANICS.to_string()),
            ..RunOptions::default()
        };
        run_suite(&scenarios, &options)
    })
}

/// The report as JSON.
pub fn report() -> Value {
    serde_json::from_str(&json::render(suite())).unwrap()
}

#[test]
fn the_suite_has_every_verdict() {
    let s = suite();
    assert_eq!(s.count(Verdict::Pass), PASSING.len(), "{:?}", verdicts(s));
    assert_eq!(s.count(Verdict::Fail), 1, "{:?}", verdicts(s));
    assert_eq!(s.count(Verdict::Error), 1, "{:?}", verdicts(s));
}

fn verdicts(s: &SuiteOutcome) -> Vec<(&str, Verdict)> {
    s.scenarios
        .iter()
        .map(|o| (o.name.as_str(), o.verdict))
        .collect()
}

/// Every string of `v` that reads like Rust's `Debug` output, with its JSON pointer.
fn debug_text(v: &Value, at: &str, out: &mut Vec<String>) {
    const MARKS: [&str; 6] = [
        "SimTime(",
        "SimDuration(",
        "Some(",
        " { ",
        "(At(",
        "(Phase(",
    ];
    match v {
        Value::String(s) if MARKS.iter().any(|m| s.contains(m)) => out.push(format!("{at}: {s}")),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                debug_text(x, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                debug_text(x, &format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_debug_text_reaches_the_json_report() {
    let mut v = report();
    let mut found = Vec::new();
    debug_text(&v, "", &mut found);
    assert!(found.is_empty(), "{found:#?}");
    // The search finds one planted the way the old fault line read.
    v["scenarios"][0]["events"][0]["text"] =
        Value::from("ServerCrash { host: \"DIRSYNC01\" } (At(SimTime(2000)))");
    debug_text(&v, "", &mut found);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("/scenarios/0/events/0/text"));
}

#[test]
fn timeline_entries_are_structured() {
    let v = report();
    let crash = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "faults/crash-during-connect-first-export")
        .unwrap();
    let events = crash["events"].as_array().unwrap();
    for e in events {
        let keys: Vec<&str> = e
            .as_object()
            .unwrap()
            .keys()
            .map(std::string::String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["at", "at_ms", "data", "kind", "server", "source", "text"],
            "{e}"
        );
        assert!(!e["text"].as_str().unwrap().starts_with("T+"), "{e}");
        assert!(e["at"].as_str().unwrap().starts_with("T+"), "{e}");
    }
    let fault = events.iter().find(|e| e["source"] == "fault").unwrap();
    assert_eq!(fault["kind"], "crash");
    assert_eq!(fault["data"]["kind"], "crash");
    assert_eq!(fault["server"], fault["data"]["server"]);
    assert!(fault["server"].is_string(), "{fault}");
    let on = fault["data"]["trigger"]["on"].as_str().unwrap();
    assert!(["at", "before", "after", "phase"].contains(&on), "{fault}");
    let step = events.iter().find(|e| e["kind"] == "step_result").unwrap();
    assert_eq!(step["source"], "runner");
    assert!(step["data"]["result"]["outcome"].is_string(), "{step}");
    let changed = events.iter().find(|e| e["kind"] == "changed").unwrap();
    assert_eq!(changed["data"]["event"], "changed");
    assert!(changed["server"].is_string(), "{changed}");
    let decisions = crash["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty());
    assert!(
        decisions
            .iter()
            .all(|d| d["source"] == "engine" && (d["kind"] == "decided" || d["kind"] == "refused"))
    );
}

#[test]
fn ledger_violations_name_their_servers_and_times() {
    let v = report();
    let rogue = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "cutover/rogue-dirsync-restarted")
        .unwrap();
    let violations = rogue["ledger"]["violations"].as_array().unwrap();
    let two = violations
        .iter()
        .find(|x| x["kind"] == "two_active_exporters")
        .unwrap_or_else(|| panic!("{violations:#?}"));
    assert_eq!(two["servers"].as_array().unwrap().len(), 2, "{two}");
    assert!(two["at"].as_str().unwrap().starts_with("T+"), "{two}");
    assert_eq!(two["data"]["from"], two["at_ms"], "{two}");
    assert!(two["data"]["to"].is_u64(), "{two}");
}

/// `xmllint --schema xsd` on `xml`: `Ok` when valid, else its complaint. `None` when xmllint is
/// not installed (a failure under `CI=true`, where `.ci/run` installs it).
fn xmllint(xsd: &str, xml: &str) -> Option<Result<(), String>> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/junit")
        .join(xsd);
    let child = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !ci,
                "xmllint is missing ({e}); install Debian's libxml2-utils"
            );
            eprintln!("SKIPPED: xmllint is not installed ({e}); apt-get install libxml2-utils");
            return None;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(said)
    })
}

/// `xml` without any `name="..."` attribute.
fn without_attribute(xml: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        rest = &after[after.find('"').map_or(after.len(), |e| e + 1)..];
    }
    out.push_str(rest);
    out
}

#[test]
fn junit_validates_against_the_common_junit_schema() {
    let xml = junit::render(suite());
    assert!(xml.contains(r#"file="scenarios/cutover/rollback-after-export-refused.toml""#));
    assert!(
        xml.contains("timestamp=\"") && xml.contains("hostname=\""),
        "{xml}"
    );
    let Some(result) = xmllint("junit-10-file-line.xsd", &xml) else {
        return;
    };
    result.unwrap_or_else(|e| panic!("{e}\n{xml}"));
    // Without the two attributes the schema adds, the report is valid against the common
    // schema exactly as published.
    let plain = without_attribute(&without_attribute(&xml, "file"), "line");
    assert!(!plain.contains(" line=\""));
    xmllint("junit-10.xsd", &plain)
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}\n{plain}"));
    // ...and it rejects them, so the check is real.
    assert!(xmllint("junit-10.xsd", &xml).unwrap().is_err());
}

#[test]
fn the_junit_schema_rejects_planted_bugs() {
    let xml = junit::render(suite());
    // An attribute the schema does not know, and properties inside a test case (where the
    // version 1 report put them).
    let unknown = xml.replacen("<testcase ", "<testcase seed=\"5\" ", 1);
    let properties = xml.replacen(
        "<system-out>",
        "<properties><property name=\"seed\" value=\"5\"/></properties><system-out>",
        1,
    );
    let line = xml.replacen(" line=\"", " line=\"x", 1);
    for (planted, bug) in [
        (unknown, "seed"),
        (properties, "properties"),
        (line, "line"),
    ] {
        assert_ne!(planted, xml, "{bug} was not planted");
        let Some(result) = xmllint("junit-10-file-line.xsd", &planted) else {
            return;
        };
        let err = result.expect_err(bug);
        assert!(err.contains(bug), "{bug}: {err}");
    }
}

/// Every error of `value` against the report schema (`upgrade-lab schema report`).
fn schema_errors(value: &Value) -> Vec<String> {
    use upgrade_lab_scenario::schema::{SchemaKind, schema};
    let validator = jsonschema::draft7::new(&schema(SchemaKind::Report)).unwrap();
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_json_report_validates_against_its_schema() {
    let errors = schema_errors(&report());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// A report that drifted from its schema is refused: a wrong type, an unknown verdict, a
/// missing field and a field the schema does not know, each at its place.
#[test]
fn the_report_schema_refuses_planted_drift() {
    type Plant = (&'static str, fn(&mut Value));
    let plants: [Plant; 5] = [
        ("/summary/passed", |v| v["summary"]["passed"] = "one".into()),
        ("/scenarios/0/verdict", |v| {
            v["scenarios"][0]["verdict"] = "maybe".into();
        }),
        ("/scenarios/0/events/0/at_ms", |v| {
            v["scenarios"][0]["events"][0]["at_ms"] = (-1).into();
        }),
        ("/scenarios/0", |v| {
            v["scenarios"][0].as_object_mut().unwrap().remove("seed");
        }),
        ("/scenarios/0/ledger", |v| {
            v["scenarios"][0]["ledger"]["surprise"] = 1.into();
        }),
    ];
    for (at, plant) in plants {
        let mut v = report();
        plant(&mut v);
        let errors = schema_errors(&v);
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{at}: "))),
            "planting at {at} should be refused there; got {errors:?}"
        );
    }
}
