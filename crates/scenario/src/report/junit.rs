//! The JUnit XML report (quick-junit), valid against the common JUnit schema (Jenkins' xUnit
//! plugin's `junit-10.xsd`) plus `file` and `line` on each test case: one test suite with the
//! run's wall-clock `timestamp` and `hostname` and its properties, one test case per scenario
//! named after it, with `file` (the scenario file as given) and `line` (its first failing
//! expectation, else 1) for CI annotators, its seed, description and faults in `<system-out>`,
//! failures with expected versus actual and the replay command.

use crate::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The XML document.
pub fn render(suite: &SuiteOutcome) -> String {
    let mut report = Report::new("upgrade-lab");
    let mut ts = TestSuite::new("scenarios");
    for s in &suite.scenarios {
        let source = std::fs::read_to_string(&s.file).unwrap_or_default();
        ts.add_test_case(test_case(s, &source));
    }
    ts.set_time(Duration::from_millis(suite.wall_duration_ms));
    if let Some(at) = &suite.wall_started_at {
        ts.extra.insert("timestamp".into(), at.as_str().into());
    }
    if let Some(host) = &suite.wall_hostname {
        ts.extra.insert("hostname".into(), host.as_str().into());
    }
    ts.add_property(Property::new(
        "upgrade_lab_version",
        env!("CARGO_PKG_VERSION"),
    ));
    report.add_test_suite(ts);
    let xml = report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- the JUnit report could not be written: {e} -->\n"));
    without_testsuites_skipped(xml)
}

/// quick-junit writes `skipped` on `<testsuites>`, which the common schema does not define
/// there (scenarios are never skipped; each `<testsuite>` keeps its own count).
fn without_testsuites_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites ") else {
        return xml;
    };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    match tag.find(" skipped=\"") {
        Some(at) => {
            let value_end = tag[at + 10..]
                .find('"')
                .map_or(tag.len(), |e| at + 10 + e + 1);
            let mut out = xml.clone();
            out.replace_range(start + at..start + value_end, "");
            out
        }
        None => xml,
    }
}

fn status(s: &ScenarioOutcome) -> TestCaseStatus {
    if s.verdict == Verdict::Pass {
        return TestCaseStatus::success();
    }
    let kind = if s.verdict == Verdict::Fail {
        NonSuccessKind::Failure
    } else {
        NonSuccessKind::Error
    };
    let mut st = TestCaseStatus::non_success(kind);
    let failures = s.failures();
    let first = s
        .error
        .clone()
        .or_else(|| {
            failures
                .first()
                .map(|f| format!("{}: expected {}, got {}", f.what, f.expected, f.actual))
        })
        .unwrap_or_default();
    let mut body: Vec<String> = failures
        .iter()
        .map(|f| {
            format!(
                "{}\n  expected: {}\n  actual:   {}",
                f.what, f.expected, f.actual
            )
        })
        .collect();
    body.push(format!("replay: {}", s.replay_command()));
    st.set_message(first).set_description(body.join("\n"));
    st
}

/// One scenario's test case; `source` is its file's text (empty when it cannot be read).
fn test_case(s: &ScenarioOutcome, source: &str) -> TestCase {
    let mut case = TestCase::new(s.name.as_str(), status(s));
    let classname = s.name.rsplit_once('/').map_or("scenarios", |(dir, _)| dir);
    let what = s.failures().first().map(|f| f.what.clone());
    let line = what.map_or(1, |w| failure_line(source, &w));
    case.set_classname(classname)
        .set_time(Duration::from_millis(s.wall_duration_ms));
    case.extra.insert("file".into(), s.file.as_str().into());
    case.extra.insert("line".into(), line.to_string().into());
    let mut out = vec![
        format!("seed: {}", s.seed),
        format!("description: {}", s.description),
        format!(
            "simulated duration: {}",
            upgrade_lab_model::SimDuration(s.sim_duration_ms)
        ),
    ];
    for f in &s.faults {
        let first = f
            .hits
            .first()
            .map(|h| format!("; first: {}", h.summary()))
            .unwrap_or_default();
        let hits = if f.hit_count == 1 { "hit" } else { "hits" };
        out.push(format!(
            "fault {}: {} {hits}{first}",
            f.title(),
            f.hit_count
        ));
    }
    case.set_system_out(out.join("\n") + "\n");
    case
}

/// The line (from 1) of the file's text where a failed check's expectation is written:
/// `expect.recommendation` → its `recommendation =` line under `[expect]`, `expect.runs[1]` →
/// the second `[[expect.runs]]`, `checkpoint[after x]` → that checkpoint's `after` line, an
/// invariant → `violations =` under `[expect]`, else the `[expect]` header; 1 when not found.
pub fn failure_line(source: &str, what: &str) -> usize {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let find = |from: usize, pred: &dyn Fn(&str) -> bool| {
        lines[from.min(lines.len())..]
            .iter()
            .position(|l| pred(l))
            .map(|i| from + i)
    };
    let expect = find(0, &|l| l == "[expect]");
    let found = if let Some(step) = what
        .strip_prefix("checkpoint[after ")
        .and_then(|r| r.strip_suffix(']'))
    {
        let quoted = format!("\"{step}\"");
        find(0, &|l| l.starts_with("after") && l.contains(&quoted))
    } else if let Some(key) = what.strip_prefix("expect.") {
        let name = key.split(['.', '[', ' ']).next().unwrap_or(key);
        let nth: usize = key
            .split_once('[')
            .and_then(|(_, r)| r.split(']').next()?.parse().ok())
            .unwrap_or(0);
        let table = format!("[[expect.{name}]]");
        let section = format!("[expect.{name}]");
        let assigned = |l: &str| {
            l.strip_prefix(name)
                .is_some_and(|r| r.trim_start().starts_with('='))
        };
        let tables: Vec<usize> = (0..lines.len()).filter(|&i| lines[i] == table).collect();
        tables
            .get(nth)
            .copied()
            .or_else(|| find(0, &|l| l == section))
            .or_else(|| expect.and_then(|e| find(e, &assigned)))
            .or(expect)
    } else if what.starts_with("invariant ") {
        let assigned = |l: &str| l.starts_with("violations") && l.contains('=');
        expect.and_then(|e| find(e, &assigned)).or(expect)
    } else {
        None
    };
    found.map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    #[test]
    fn one_test_case_per_scenario_with_file_line_and_the_seed_in_its_output() {
        let xml = render(&fixtures::suite());
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert!(xml.contains("seed: 41"), "{xml}");
        assert!(
            xml.contains(r#"tests="3""#) && xml.contains(r#"failures="1""#),
            "{xml}"
        );
        assert!(xml.contains(r#"errors="1""#), "{xml}");
        assert!(
            xml.contains("run scenarios/parallel/shared-sql.toml --seed 41"),
            "{xml}"
        );
        assert!(xml.contains(r#"classname="in-place""#), "{xml}");
        assert!(
            xml.contains(r#"file="scenarios/parallel/shared-sql.toml" line="1""#),
            "{xml}"
        );
        assert!(
            xml.contains("fault #1 throttling (at_minutes = 10, for_minutes = 5): 0 hits"),
            "{xml}"
        );
        assert!(xml.contains(r#"timestamp="2026-11-30T02:55:07Z""#), "{xml}");
        assert!(xml.contains(r#"hostname="ci-runner-1""#), "{xml}");
        // Properties only on the test suite, as the common schema allows.
        assert_eq!(xml.matches("<properties>").count(), 1, "{xml}");
        let suite_start = xml.find("<testsuite ").unwrap();
        assert!(xml.find("<properties>").unwrap() > suite_start);
        assert!(xml.find("<properties>").unwrap() < xml.find("<testcase ").unwrap());
        let root = &xml[xml.find("<testsuites ").unwrap()..];
        assert!(
            !root[..root.find('>').unwrap()].contains("skipped"),
            "{xml}"
        );
    }

    #[test]
    fn the_line_of_a_failed_expectation() {
        let text = "format_version = 1\n\n[[steps]]\naction = \"analyze\"\n\n\
                    [[checkpoints]]\nafter = \"analyze\"\n\n[expect]\n\
                    recommendation = \"in_place\"\nviolations = []\n\n\
                    [[expect.runs]]\nserver = \"dirsync\"\n\n[[expect.runs]]\n\
                    server = \"connect\"\n\n[expect.sql]\nkind = \"express\"\n";
        assert_eq!(failure_line(text, "expect.recommendation"), 10);
        assert_eq!(failure_line(text, "invariant two_active_exporters"), 11);
        assert_eq!(failure_line(text, "expect.runs[1]"), 16);
        assert_eq!(failure_line(text, "expect.sql.kind"), 19);
        assert_eq!(failure_line(text, "checkpoint[after analyze]"), 7);
        assert_eq!(failure_line(text, "expect.active_exporter"), 9, "[expect]");
        assert_eq!(failure_line("", "expect.recommendation"), 1);
        assert_eq!(failure_line(text, "something else"), 1);
    }
}
