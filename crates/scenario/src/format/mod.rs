//! The scenario file format (TOML, `format_version = 1`): serde types with
//! `deny_unknown_fields`, spans kept where a later check needs to point at a value.
//! `scenarios/README.md` documents every key with an example.

pub mod bound;
pub mod budget;
pub mod expect;
pub mod faults;
pub mod steps;
pub mod world;

use serde::Deserialize;
use toml::Spanned;

pub use bound::Bound;
pub use budget::BudgetSection;
pub use expect::{
    AnalysisPage, Checkpoint, DirSyncState, Expect, ExporterExpectation, ExportsExpectation,
    ObjectExpectation, PendingExportsExpectation, Recommendation, RunExpectation, SqlExpectation,
    StepOutcome, ViolationKind,
};
pub use faults::{CRASH_PHASES, CrashPhase, Fault, FaultKind, FaultTrigger};
pub use steps::{
    ACTIONS, AzureAdCredentialChoice, EnterpriseAdminChoice, ServerRef, ServiceAccountSection,
    SqlChoiceSection, Step,
};
pub use world::{
    AttributeFilterSection, DefectsSection, DirSyncSection, FiltersSection, GroupShapeSection,
    LdapSection, ProxyScope, ReachSection, ServerSection, SqlKind, TenantSection, WorldSection,
};

/// The only format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A scenario file as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    #[schemars(with = "u32")]
    pub format_version: Spanned<u32>,
    /// What the scenario checks, naming the rule.
    #[schemars(with = "String")]
    pub description: Spanned<String>,
    /// The scenario's seed (`--seed` overrides it).
    pub seed: u64,
    /// Rule ids of the upgrade document this scenario covers (see `rules::RULES`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub rules: Vec<Spanned<String>>,
    /// Failure modes (docs/real-systems.md, "Failure modes") this scenario reproduces, by number.
    #[serde(default)]
    #[schemars(with = "Vec<u32>")]
    pub failure_modes: Vec<Spanned<u32>>,
    #[schemars(with = "WorldSection")]
    pub world: Spanned<WorldSection>,
    #[serde(default)]
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Expectations judged right after a step.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    #[serde(default)]
    pub expect: Expect,
    /// How much simulated and wall time the scenario may take.
    #[serde(default)]
    pub budget: BudgetSection,
}
