//! The JSON report: the whole outcome of every scenario (analysis, decisions, the timeline with
//! simulated timestamps, run history, pending exports, ledger, invariants, checks). Byte for
//! byte the same for the same files and seeds, except values in fields named `wall_*`.

use crate::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use serde::Serialize;

/// The report's schema version.
pub const JSON_REPORT_VERSION: u32 = 2;

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Summary {
    scenarios: usize,
    passed: usize,
    failed: usize,
    errors: usize,
}

/// The report's root object (its schema is `upgrade-lab schema report`).
#[derive(Serialize, schemars::JsonSchema)]
#[expect(
    clippy::struct_field_names,
    reason = "`report_version` is the JSON report's wire name"
)]
pub(crate) struct Report<'a> {
    report_version: u32,
    summary: Summary,
    wall_duration_ms: u64,
    scenarios: &'a [ScenarioOutcome],
}

/// Pretty-printed JSON with a trailing newline.
pub fn render(suite: &SuiteOutcome) -> String {
    let report = Report {
        report_version: JSON_REPORT_VERSION,
        summary: Summary {
            scenarios: suite.scenarios.len(),
            passed: suite.count(Verdict::Pass),
            failed: suite.count(Verdict::Fail),
            errors: suite.count(Verdict::Error),
        },
        wall_duration_ms: suite.wall_duration_ms,
        scenarios: &suite.scenarios,
    };
    // Serialising plain data with string keys cannot fail; fall back to an explicit error
    // object rather than panicking if it ever does.
    let mut text = serde_json::to_string_pretty(&report)
        .unwrap_or_else(|e| format!("{{\"error\": \"{}\"}}", e.to_string().replace('"', "'")));
    text.push('\n');
    text
}

/// Removes every `wall_*` value from a JSON report, for comparing two runs.
pub fn without_wall_fields(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("wall_"));
            map.values_mut().for_each(without_wall_fields);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_wall_fields),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    #[test]
    fn the_report_parses_and_counts_verdicts() {
        let text = render(&fixtures::suite());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["summary"]["passed"], 1);
        assert_eq!(v["summary"]["failed"], 1);
        assert_eq!(v["summary"]["errors"], 1);
        assert_eq!(v["scenarios"][1]["seed"], 41);
        assert_eq!(v["scenarios"][0]["events"][0]["at_ms"], 0);
        let hit = &v["scenarios"][0]["faults"][0]["hits"][0];
        assert_eq!(hit["what"], "run");
        assert_eq!(hit["status"], "stopped-server-down");
        assert_eq!(v["scenarios"][0]["faults"][0]["hit_count"], 1);
    }

    #[test]
    fn only_wall_fields_differ_between_two_timings() {
        let a = fixtures::suite();
        let mut b = fixtures::suite();
        b.wall_duration_ms += 999;
        b.scenarios[0].wall_duration_ms += 5;
        let parse = |s: &SuiteOutcome| {
            let mut v: serde_json::Value = serde_json::from_str(&render(s)).unwrap();
            without_wall_fields(&mut v);
            v
        };
        assert_ne!(render(&a), render(&b));
        assert_eq!(parse(&a), parse(&b));
    }
}
