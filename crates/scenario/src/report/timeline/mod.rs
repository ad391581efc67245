//! The SVG timeline of one scenario: one lane per server with its run profiles as bars, when
//! it was the active exporter and in staging mode, installs, uninstalls and disables as
//! markers; faults as shaded windows; AD changes, refusals and violations as markers; the sync
//! gap measured. `model` computes what to draw from the outcome, `svg` draws it.

mod events;
pub mod model;
pub mod svg;

use crate::outcome::ScenarioOutcome;

/// The scenario's timeline as a standalone SVG document.
pub fn svg(outcome: &ScenarioOutcome) -> String {
    svg::render(&model::build(outcome), "")
}

/// The timeline for an HTML page holding several: element ids start with `prefix`.
pub fn svg_with_prefix(outcome: &ScenarioOutcome, prefix: &str) -> String {
    svg::render(&model::build(outcome), prefix)
}

#[cfg(test)]
mod tests;
