//! upgrade-lab-engine: the logic of the DirSync → Azure AD Connect upgrade wizard — prerequisite
//! checks, analysis, estimate and recommendation, settings export and import, the in-place and
//! parallel plans, staging verification, cutover and every guard rail of the upgrade document.
//!
//! It must not know the simulator, `fake`, `rand` or any clock: the servers it drives and time
//! itself come through the traits in [`ports`]; every decision is a pure function of what the
//! ports reported (the modules `prerequisites`, `analysis`, `estimate`, `credentials`,
//! `settings_file`, `verify`, `guards`), and only the orchestration in [`Upgrade`] awaits.
//!
//! # Driving an upgrade step by step
//!
//! ```text
//! let options = UpgradeOptions::new(
//!     Credential::new("dirsync-admin@contoso.onmicrosoft.com", "…"),
//!     Credential::new("CONTOSO\\ea", "…"),
//! );
//! let mut upgrade = Upgrade::new(dirsync, connect, ad, tenant, clock, options);
//!
//! // Parallel deployment (50,000 objects or more, or options.force_export):
//! let analysis = upgrade.analyze().await?;          // analysis.page: Ready | FullSql | RecommendParallel | Blocked
//! upgrade.export_settings().await?;                 // on the DirSync server; DirSync keeps running
//! upgrade.install_parallel().await?;                // /migrate on the new server, staging mode
//! let report = upgrade.verify_staging().await?;     // the four runs + pending exports
//! if report.ready() {
//!     let cutover = upgrade.cut_over().await?;      // stop DirSync, staging off, first export
//!     println!("sync gap {}", cutover.sync_gap);
//! }
//! upgrade.rollback_to_dirsync().await               // Err(Refused(RollbackAfterConnectExported))
//!
//! // In place (fewer than 50,000 objects, or options.continue_in_place):
//! upgrade.upgrade_in_place().await?;                // on the DirSync server; active at once
//!
//! // Finer steps a scenario can call on their own:
//! upgrade.check_prerequisites().await?;             // Vec<Finding>, not refused
//! upgrade.copy_settings_file().await?;              // DirSync server → new server, same path
//! upgrade.run_initial_cycle().await?;               // when start_sync was off
//! upgrade.stop_dirsync().await?;                    // uninstall or disable (options.cutover)
//! upgrade.disable_staging().await?;                 // refused while DirSync still runs
//! upgrade.confirm_first_export().await?;            // finds or runs Connect's first export
//! upgrade.rerun_installer().await                   // refused where Connect is installed
//!
//! // Every step appends to the typed event stream:
//! for event in upgrade.events().events() { println!("{event}"); }
//! ```
//!
//! A refused step returns `UpgradeError::Refused(Refusal)` and appends a `Refused` event whose
//! reason says what is wrong and what to do.
//!
//! # What it models
//!
//! The rules, constants and failure modes of the real systems the engine follows (the upgrade
//! document's steps and guard rails, the 50,000-object recommendation, staging mode, the sync
//! engine's run profiles and statuses) are written down, each with its public Microsoft source,
//! in the repository's `docs/real-systems.md`; the code cites that page by section title.
//!
//! # Invariants
//!
//! The engine asserts what its steps rely on: an in-place installation exports at once and a
//! `/migrate` one starts in staging mode; never two Azure AD Connect servers are the active
//! exporter; events come in time order (the clock port never goes back); the estimate agrees
//! with the recommendation and an analysis with its own counts; every pending export is filed
//! once; only a sealed settings document is written. A failed assertion is a bug in the engine
//! or a port breaking its contract, never a user's mistake: wrong input and a refused step are
//! errors ([`UpgradeError`], [`SettingsFileError`]).

pub mod analysis;
pub mod credentials;
pub mod cutover;
pub mod estimate;
pub mod events;
pub mod guards;
pub mod handover;
pub mod in_place;
mod install;
pub mod parallel;
pub mod ports;
pub mod prerequisites;
pub mod rollback;
pub mod settings_file;
pub mod upgrade;
pub mod verify;

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod orchestration_tests;

pub use analysis::{Analysis, AnalysisPage, MigratableSettings, analyze, analyze_installation};
pub use cutover::{CutoverReport, FirstExport};
pub use estimate::{PlanChoice, Recommendation, estimate_upgrade_time, plan_choice, recommend};
pub use events::{
    Change, Check, Decision, EngineEvent, EventKind, EventLog, Override, Refusal, ServerRole,
};
pub use in_place::InPlaceReport;
pub use parallel::{ExportReport, ParallelReport};
pub use prerequisites::{
    ConnectGeneration, Finding, PrerequisiteCheck, Severity, check_prerequisites,
};
pub use rollback::RollbackReport;
pub use settings_file::{SettingsFileError, export_document, parse_settings};
pub use upgrade::{CutoverMethod, Upgrade, UpgradeError, UpgradeOptions, UpgradeState};
pub use verify::{InitialCycle, PendingExportReport, StagingReport};
