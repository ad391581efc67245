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
    /// The scenario format's version; this build reads only `1`.
    #[schemars(with = "u32")]
    pub format_version: Spanned<u32>,
    /// What the scenario checks, naming the rule; shown in every report.
    #[schemars(with = "String")]
    pub description: Spanned<String>,
    /// The scenario's seed, 0 to 2^64 − 1; `--seed N` replaces it. Each component of the world
    /// draws from its own child seed, so the same seed gives the same report byte for byte.
    pub seed: u64,
    /// Ids of the upgrade document's rules this scenario covers (listed in
    /// `scenarios/README.md`; unknown ids are refused).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub rules: Vec<Spanned<String>>,
    /// Numbers (1 to 54) of the failure modes of `docs/real-systems.md` ("Failure modes") this
    /// scenario reproduces.
    #[serde(default)]
    #[schemars(with = "Vec<u32>")]
    pub failure_modes: Vec<Spanned<u32>>,
    /// The world to build: the directory (generated, LDIF or LDAP), DirSync's configuration,
    /// the servers, timing overrides and the tenant.
    #[schemars(with = "WorldSection")]
    pub world: Spanned<WorldSection>,
    /// What the operator does, in order; each step has an `action` and an optional unique `id`.
    /// A refused or failed step does not stop the scenario.
    #[serde(default)]
    #[schemars(with = "Vec<Step>")]
    pub steps: Vec<Spanned<Step>>,
    /// Failures injected at a simulated time or around a step; a fault that hits nothing makes
    /// the scenario an error unless it says `may_miss = true`.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Expectations judged right after a step, against the facts of that moment (no simulated
    /// time passes).
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// What must be true when the scenario ends; every key is optional and an unset key is
    /// not checked.
    #[serde(default)]
    pub expect: Expect,
    /// How much simulated time (`sim_days`, default 90) and wall time (`wall_seconds`, default
    /// 600) the scenario may take before it ends with verdict `error`.
    #[serde(default)]
    pub budget: BudgetSection,
}
