//! `[budget]`: how much simulated time and wall time one scenario may take before the runner
//! ends it with an error naming the budget (defaults and ranges in `limits.rs`).

use serde::Deserialize;
use toml::Spanned;

/// `[budget]`; unset keys take the defaults.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetSection {
    /// Simulated days the scenario may span (steps, faults and the final checks).
    #[schemars(with = "Option<u64>")]
    pub sim_days: Option<Spanned<u64>>,
    /// Wall-clock seconds the scenario may run (`run --wall-budget` overrides it).
    #[schemars(with = "Option<u64>")]
    pub wall_seconds: Option<Spanned<u64>>,
}
