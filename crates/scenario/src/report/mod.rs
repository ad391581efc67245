//! Reports of a scenario run: a terminal table for people, JSON for tools and diffs (every
//! non-`wall_*` byte is deterministic), JUnit XML for CI, and an HTML page with an SVG timeline
//! per scenario.

pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod live;
pub mod timeline;

use crate::outcome::SuiteOutcome;

/// The report formats `upgrade-lab run --format` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// For people on a terminal: a line per scenario and the failures in full.
    Human,
    /// For programs: the whole outcome (`schemas/report.schema.json`).
    Json,
    /// For CI servers: JUnit XML, a test case per scenario.
    Junit,
    /// One self-contained page with a timeline per scenario.
    Html,
}

/// How the human report shows wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WallTime {
    /// Print wall times.
    Show,
    /// `[wall]` instead of the value (snapshots).
    Redact,
}

/// Options of the human report.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// Whether the report carries ANSI colours.
    pub color: bool,
    /// Whether wall times are printed.
    pub wall: WallTime,
}

/// Renders a suite's outcome in a format.
pub fn render(suite: &SuiteOutcome, format: ReportFormat, human: HumanOptions) -> String {
    match format {
        ReportFormat::Human => human::render(suite, human),
        ReportFormat::Json => json::render(suite),
        ReportFormat::Junit => junit::render(suite),
        ReportFormat::Html => html::render(suite, human.wall),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
