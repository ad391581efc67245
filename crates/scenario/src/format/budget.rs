//! `[budget]`: how much simulated time and wall time one scenario may take before the runner
//! ends it with an error naming the budget (defaults and ranges in `limits.rs`).

use serde::Deserialize;
use toml::Spanned;

/// `[budget]`; unset keys take the defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSection {
    /// Simulated days the scenario may span (steps, faults and the final checks).
    pub sim_days: Option<Spanned<u64>>,
    /// Wall-clock seconds the scenario may run (`run --wall-budget` overrides it).
    pub wall_seconds: Option<Spanned<u64>>,
}
