//! The live lines of `upgrade-lab run`, as cargo-nextest prints tests: one line per scenario as
//! it ends (status, wall time, simulated time, name), what failed right under a scenario that
//! did not pass, and the summary last. Quiet prints only the scenarios that did not pass;
//! verbose adds each step's result, the expected violations and the faults' hits.
//!
//! These are pure renderings; the command line decides where they go and flushes each one.

use super::WallTime;
use super::human::{BOLD, GREEN, Painter, RED, failure_body, summary_line, violations};
use crate::outcome::{ScenarioOutcome, SuiteOutcome, Verdict};
use std::fmt::Write;
use upgrade_lab_model::SimDuration;

/// How much the live lines say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// Only the scenarios that did not pass, and the summary.
    Quiet,
    /// A line per scenario, what failed, the summary.
    #[default]
    Normal,
    /// Also each step's result, the expected violations and the faults' hits.
    Verbose,
}

/// Options of the live lines.
#[derive(Clone, Copy, Debug)]
pub struct LiveOptions {
    /// Whether the lines carry ANSI colours.
    pub color: bool,
    /// Whether wall times are printed (hidden in snapshots, where they would differ run to run).
    pub wall: WallTime,
    /// How much is printed per scenario (`-q`, default, `-v`).
    pub verbosity: Verbosity,
}

/// `PASS`, `FAIL` or `ERROR`, five columns wide, right-aligned, coloured.
fn status(v: Verdict, p: &Painter) -> String {
    let word = format!("{:>5}", v.as_str().to_uppercase());
    match v {
        Verdict::Pass => p.paint(GREEN, &p.paint(BOLD, &word)),
        Verdict::Fail | Verdict::Error => p.paint(RED, &p.paint(BOLD, &word)),
    }
}

/// `[  0.412s]`, or `[    wall]` redacted.
fn wall(ms: u64, mode: WallTime) -> String {
    let text = match mode {
        WallTime::Show => format!("{:.3}s", ms as f64 / 1000.0),
        WallTime::Redact => "wall".to_string(),
    };
    format!("[{text:>8}]")
}

/// One scenario's line: ` PASS [  0.412s] [sim   1:10:00] in-place/small-express`.
pub fn line(o: &ScenarioOutcome, options: &LiveOptions) -> String {
    let p = Painter {
        color: options.color,
    };
    format!(
        "{} {} [sim {:>9}] {}\n",
        status(o.verdict, &p),
        wall(o.wall_duration_ms, options.wall),
        SimDuration(o.sim_duration_ms).to_string(),
        o.name
    )
}

/// Everything printed when scenario `o` ends: its line (not in quiet mode when it passed),
/// in verbose mode its violations and faults, and when it did not pass what failed and
/// the command that replays it.
pub fn finished(o: &ScenarioOutcome, options: &LiveOptions) -> String {
    let passed = o.verdict == Verdict::Pass;
    if passed && options.verbosity == Verbosity::Quiet {
        return String::new();
    }
    let p = Painter {
        color: options.color,
    };
    let mut out = line(o, options);
    if options.verbosity == Verbosity::Verbose {
        verbose(&mut out, o, &p);
    }
    if !passed {
        failure_body(&mut out, o, &p);
    }
    out
}

/// Each violation, each fault's hit count and first hit. (The steps were printed as they
/// happened: the CLI's `run -v` turns the runner's step events into lines.)
fn verbose(out: &mut String, o: &ScenarioOutcome, p: &Painter) {
    violations(out, o, p);
    for f in &o.faults {
        let first = f
            .hits
            .first()
            .map(super::super::outcome::FaultHitLine::summary)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  fault {}: {} {first}",
            f.title(),
            crate::numbers::count_usize(f.hit_count, "hit")
        );
    }
}

/// The summary, last: the counts, then each scenario that did not pass with its replay command.
pub fn summary(suite: &SuiteOutcome, options: &LiveOptions) -> String {
    let p = Painter {
        color: options.color,
    };
    let rule = "─".repeat(12);
    let mut out = format!(
        "{rule}\n{} {}\n",
        p.paint(BOLD, "Summary"),
        summary_line(suite, options.wall)
    );
    for s in suite
        .scenarios
        .iter()
        .filter(|s| s.verdict != Verdict::Pass)
    {
        let _ = writeln!(out, "{} {}", status(s.verdict, &p), s.name);
        let _ = writeln!(out, "      replay: {}", s.replay_command());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    fn options(verbosity: Verbosity) -> LiveOptions {
        LiveOptions {
            color: false,
            wall: WallTime::Redact,
            verbosity,
        }
    }

    /// Every scenario's lines in the suite's order, then the summary.
    fn all(verbosity: Verbosity) -> String {
        let suite = fixtures::suite();
        let o = options(verbosity);
        let mut text: String = suite.scenarios.iter().map(|s| finished(s, &o)).collect();
        text.push_str(&summary(&suite, &o));
        text
    }

    #[test]
    fn live_lines_of_a_suite_with_a_failure_and_an_error() {
        insta::assert_snapshot!(all(Verbosity::Normal));
    }

    #[test]
    fn quiet_lines_show_only_what_did_not_pass_and_the_summary() {
        let text = all(Verbosity::Quiet);
        assert!(!text.contains("in-place/small-express"), "{text}");
        assert!(text.contains(" FAIL [    wall]"), "{text}");
        assert!(text.contains("replay: "), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn verbose_lines_add_the_faults() {
        let text = all(Verbosity::Verbose);
        assert!(
            text.contains("fault #1 crash (during = \"upgrade_in_place\"): 1 hit T+0:42:00"),
            "{text}"
        );
    }

    #[test]
    fn a_failure_line_comes_with_its_expected_actual_and_replay_right_under_it() {
        let suite = fixtures::suite();
        let failed = suite
            .scenarios
            .iter()
            .find(|s| s.verdict == Verdict::Fail)
            .unwrap();
        let text = finished(failed, &options(Verbosity::Normal));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with(" FAIL"), "{text}");
        assert!(text.contains("    expected: "), "{text}");
        assert!(
            lines.last().unwrap().starts_with("  replay: "),
            "the replay command closes the details: {text}"
        );
    }
}
