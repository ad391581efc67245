//! upgrade-lab-scenario: scenario files for upgrade-lab. The TOML format and its loader (errors
//! point at `file:line:column` with a hint), the checks of impossible values, the catalogue of
//! the upgrade document's rules, the runner (one simulated world per scenario, the engine driven
//! step by step, faults, expectations and invariants; scenarios in parallel with rayon) and the
//! reports (terminal table, JSON, JUnit XML).
//!
//! Flow: [`load_all`] (every file checked before anything runs) → [`runner::run_suite`] →
//! [`report::render`].
//!
//! It must not know the command line (the CLI calls it) and never reads the wall clock except
//! to fill report fields named `wall_*`.
//!
//! ```
//! use upgrade_lab_scenario::load::load_text;
//! let text = r#"
//! format_version = 1
//! description = "fewer than 50,000 objects: the wizard recommends an in-place upgrade"
//! seed = 7
//! [world]
//! users = 900
//! groups = 80
//! contacts = 20
//! [[steps]]
//! action = "analyze"
//! [expect]
//! recommendation = "in_place"
//! "#;
//! let s = load_text("small", std::path::Path::new("small.toml"), text.to_string()).unwrap();
//! assert_eq!(s.seed(), 7);
//! ```

pub mod config_diff;
pub mod determinism;
pub mod diagnostic;
pub mod explore;
pub mod format;
pub mod graph;
pub mod limits;
pub mod load;
pub mod numbers;
pub mod outcome;
pub mod replay;
pub mod report;
pub mod rules;
pub mod runner;
pub mod schema;
pub mod validate;
pub mod vocabulary;
pub mod wall;

pub use diagnostic::ScenarioError;
pub use load::{Scenario, discover, load_all, load_file, load_text};
#[cfg(test)]
mod load_assertion_tests;
#[cfg(test)]
mod load_tests;
