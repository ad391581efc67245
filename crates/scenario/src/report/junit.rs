//! The JUnit XML report (quick-junit): one test suite, one test case per scenario named after
//! it, its seed and description as properties, failures with expected versus actual and the
//! replay command.

use crate::outcome::{SuiteOutcome, Verdict};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The XML document.
pub fn render(suite: &SuiteOutcome) -> String {
    let mut report = Report::new("upgrade-lab");
    let mut ts = TestSuite::new("scenarios");
    for s in &suite.scenarios {
        let status = match s.verdict {
            Verdict::Pass => TestCaseStatus::success(),
            Verdict::Fail | Verdict::Error => {
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
                        failures.first().map(|f| {
                            format!("{}: expected {}, got {}", f.what, f.expected, f.actual)
                        })
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
        };
        let mut case = TestCase::new(s.name.as_str(), status);
        let classname = s.name.rsplit_once('/').map_or("scenarios", |(dir, _)| dir);
        case.set_classname(classname)
            .set_time(Duration::from_millis(s.wall_duration_ms))
            .add_property(Property::new("seed", s.seed.to_string()))
            .add_property(Property::new("description", s.description.as_str()))
            .add_property(Property::new(
                "sim_duration_ms",
                s.sim_duration_ms.to_string(),
            ));
        for f in &s.faults {
            let first = f
                .hits
                .first()
                .map(|h| format!("; first: {}", h.summary()))
                .unwrap_or_default();
            let hits = if f.hit_count == 1 { "hit" } else { "hits" };
            case.add_property(Property::new(
                format!("fault.{}", f.number),
                format!("{}: {} {hits}{first}", f.title(), f.hit_count),
            ));
        }
        ts.add_test_case(case);
    }
    ts.set_time(Duration::from_millis(suite.wall_duration_ms));
    report.add_test_suite(ts);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- the JUnit report could not be written: {e} -->\n"))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    #[test]
    fn one_test_case_per_scenario_with_the_seed_as_a_property() {
        let xml = render(&fixtures::suite());
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert!(xml.contains(r#"name="seed" value="41""#), "{xml}");
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
        assert!(xml.contains(r#"name="fault.1""#), "{xml}");
        assert!(
            xml.contains("throttling (at_minutes = 10, for_minutes = 5): 0 hits\""),
            "{xml}"
        );
    }
}
