//! The terminal report: one line per scenario (name, result, simulated duration, wall time), a
//! summary, and for each failure what was expected, what happened, and the command that replays
//! it. Colours only when the caller asks.

use super::{HumanOptions, WallTime};
use crate::numbers::{count_usize, thousands_usize};
use crate::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;
use upgrade_lab_model::SimDuration;

/// What passed.
pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
/// What failed.
pub(crate) const RED: Style = AnsiColor::Red.on_default();
/// Headings and scenario names.
pub(crate) const BOLD: Style = Style::new().bold();
/// What is there for reference (descriptions, passed checks).
pub(crate) const DIM: Style = Style::new().dimmed();

/// Paints text with a style when the output takes colour, and leaves it plain otherwise.
pub(crate) struct Painter {
    pub(crate) color: bool,
}

impl Painter {
    /// `text` in `style`, reset after it; `text` itself without colour.
    pub(crate) fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    pub(crate) fn verdict(&self, v: Verdict, width: usize) -> String {
        let text = format!("{:<width$}", v.as_str());
        match v {
            Verdict::Pass => self.paint(GREEN, &text),
            Verdict::Fail | Verdict::Error => self.paint(RED, &text),
        }
    }
}

pub(crate) fn wall(ms: u64, mode: WallTime) -> String {
    match mode {
        WallTime::Show => format!("{:.3}s", ms as f64 / 1000.0),
        WallTime::Redact => "[wall]".to_string(),
    }
}

/// Renders the table, the summary and the failures.
pub fn render(suite: &SuiteOutcome, options: HumanOptions) -> String {
    let p = Painter {
        color: options.color,
    };
    let name_w = suite
        .scenarios
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(8)
        .max("scenario".len());
    let mut out = String::new();
    let header = format!(
        "{:<name_w$}  {:<6}  {:>12}  {:>9}",
        "scenario", "result", "simulated", "wall"
    );
    let _ = writeln!(out, "{}", p.paint(BOLD, &header));
    for s in &suite.scenarios {
        let _ = writeln!(
            out,
            "{:<name_w$}  {}  {:>12}  {:>9}",
            s.name,
            p.verdict(s.verdict, 6),
            SimDuration(s.sim_duration_ms).to_string(),
            wall(s.wall_duration_ms, options.wall)
        );
        violations(&mut out, s, &p);
    }
    let _ = writeln!(out, "\n{}", summary_line(suite, options.wall));
    faults(&mut out, suite, &p);
    for s in suite
        .scenarios
        .iter()
        .filter(|s| s.verdict != Verdict::Pass)
    {
        failure(&mut out, s, &p);
    }
    out
}

/// Every violation of a scenario under its line: an expected one with the objects it names, an
/// unexpected one as its summary (the failure section below shows its objects).
pub(crate) fn violations(out: &mut String, s: &ScenarioOutcome, p: &Painter) {
    for i in s.invariants.iter().filter(|i| !i.held) {
        for v in &i.violations {
            let lines = v.lines();
            if i.violation_expected {
                let head = format!("  expected violation {}: {}", v.kind, lines[0]);
                let _ = writeln!(out, "{}", p.paint(DIM, &head));
                for l in &lines[1..] {
                    let _ = writeln!(out, "      {l}");
                }
            } else {
                let head = format!("  VIOLATION {}: {}", v.kind, lines[0]);
                let _ = writeln!(out, "{}", p.paint(RED, &head));
            }
        }
    }
}

/// Hits shown per fault line.
const HITS_SHOWN: usize = 2;

/// A line per injected fault: its hit count and first hits.
fn faults(out: &mut String, suite: &SuiteOutcome, p: &Painter) {
    let with_faults = || suite.scenarios.iter().filter(|s| !s.faults.is_empty());
    if with_faults().next().is_none() {
        return;
    }
    let _ = writeln!(
        out,
        "
{}",
        p.paint(BOLD, "Faults")
    );
    for s in with_faults() {
        let _ = writeln!(out, "  {}", s.name);
        for f in &s.faults {
            let first: Vec<String> = f
                .hits
                .iter()
                .take(HITS_SHOWN)
                .map(super::super::outcome::FaultHitLine::summary)
                .collect();
            let hits = match f.hit_count {
                0 if f.may_miss => "no hits (may_miss)".to_string(),
                0 => p.paint(RED, "NO HITS"),
                n => count_usize(n, "hit"),
            };
            let first = if first.is_empty() {
                String::new()
            } else {
                format!("; first: {}", first.join(" | "))
            };
            let _ = writeln!(out, "    {}: {hits}{first}", f.title());
        }
    }
}

fn failure(out: &mut String, s: &ScenarioOutcome, p: &Painter) {
    let _ = writeln!(
        out,
        "\n{} {}",
        p.verdict(s.verdict, 0),
        p.paint(BOLD, &s.name)
    );
    failure_body(out, s, p);
}

/// `3 scenarios: 2 passed, 1 failed, 0 errors (1.234s wall)`.
pub(crate) fn summary_line(suite: &SuiteOutcome, mode: WallTime) -> String {
    format!(
        "{}: {} passed, {} failed, {} ({} wall)",
        count_usize(suite.scenarios.len(), "scenario"),
        thousands_usize(suite.count(Verdict::Pass)),
        thousands_usize(suite.count(Verdict::Fail)),
        count_usize(suite.count(Verdict::Error), "error"),
        wall(suite.wall_duration_ms, mode)
    )
}

/// What failed in a scenario that did not pass: its description, its error, each failed
/// expectation as expected-versus-actual, and the command that replays it.
pub(crate) fn failure_body(out: &mut String, s: &ScenarioOutcome, p: &Painter) {
    let _ = writeln!(out, "  {}", p.paint(DIM, &s.description));
    if let Some(e) = &s.error {
        let _ = writeln!(out, "  error: {e}");
    }
    for f in s.failures() {
        let _ = writeln!(out, "  {}", f.what);
        let _ = writeln!(out, "    expected: {}", f.expected);
        let _ = writeln!(out, "    actual:   {}", p.paint(RED, &f.actual));
    }
    let _ = writeln!(out, "  replay: {}", s.replay_command());
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    fn plain() -> HumanOptions {
        HumanOptions {
            color: false,
            wall: WallTime::Redact,
        }
    }

    #[test]
    fn the_table_lists_every_scenario_and_failures_carry_a_replay_command() {
        let text = render(&fixtures::suite(), plain());
        assert!(text.contains("in-place/small-express"), "{text}");
        assert!(text.contains("replay: cargo run --release -p upgrade-lab -- run scenarios/parallel/shared-sql.toml --seed 41"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour when not asked: {text}");
        assert!(
            !text.contains("replay: cargo run --release -p upgrade-lab -- run scenarios/in-place"),
            "{text}"
        );
    }

    #[test]
    fn colour_codes_appear_only_when_asked() {
        let text = render(
            &fixtures::suite(),
            HumanOptions {
                color: true,
                wall: WallTime::Show,
            },
        );
        assert!(
            text.contains(&GREEN.render().to_string()) && text.contains(&RED.render().to_string()),
            "{text}"
        );
    }

    #[test]
    fn each_fault_gets_a_line_with_its_hits_and_a_missed_one_stands_out() {
        let text = render(&fixtures::suite(), plain());
        assert!(
            text.contains(
                "#1 crash (during = \"upgrade_in_place\"): 1 hit; first: T+0:42:00 DIRSYNC01"
            ),
            "{text}"
        );
        assert!(
            text.contains("#1 throttling (at_minutes = 10, for_minutes = 5): NO HITS"),
            "{text}"
        );
    }

    #[test]
    fn human_report_snapshot_of_three_scenarios() {
        insta::assert_snapshot!(render(&fixtures::suite(), plain()));
    }
}
