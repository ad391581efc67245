//! upgrade-lab-plan: the plan of a real DirSync → Azure AD Connect upgrade. Given a directory
//! (read by the caller from an LDIF export or over LDAP) and a description of the DirSync
//! installation (the keys of a scenario's `[world.dirsync]`, and optionally the real machines
//! and the directory's change rate: [`description`]), it rehearses both paths — in place
//! and the parallel deployment (swing migration) — in the simulated world, through the scenario
//! runner, seeded and deterministic, and writes what an operator needs before touching
//! production: the wizard's page and recommendation, the estimate, SQL sizing, the tenant
//! quota, prerequisites, the objects Azure AD would refuse, what DirSync's configuration carries
//! over and what blocks, each path's sync gap and pending exports at verification, the
//! DirSync ⇄ Connect configuration diff, and a go/no-go runbook. As Markdown, HTML (with the
//! HTML report's SVG timeline) or JSON, optionally with stable pseudonyms for every name.
//!
//! It must not know the command line, files, the network or the clock: the caller reads the
//! inputs and writes the outputs. Passwords never reach it.

mod anonymise;
mod assumptions;
mod build;
pub mod description;
mod html;
mod markdown;
mod model;
mod prerequisites;
pub mod rehearse;
mod runbook;
mod staging;

pub use anonymise::{Anonymiser, NameKind, WELL_KNOWN, is_public, pseudonym};
pub use description::Description;
pub use model::*;
pub use rehearse::PathKind;
pub use staging::MAX_STAGING_HOURS;

use std::sync::Arc;
use upgrade_lab_model::Directory;

/// What a plan is made from.
pub struct PlanInput {
    /// The directory to rehearse with, as read from LDIF or LDAP.
    pub directory: Arc<Directory>,
    /// Where the directory came from, for the plan's source line (`ldif export.ldif`).
    pub source: String,
    /// The DirSync description, checked ([`description::read`]).
    pub description: Description,
    /// The directory's changes an hour from the command line (`--changes-per-hour`), spread
    /// over adds, updates and deletes as a typical directory's delta is; it replaces the
    /// description's `[churn]`. `None`: `[churn]`, or no changes when that is absent too.
    pub changes_per_hour: Option<u64>,
    /// Hours the new server stages before it is verified (1 to [`MAX_STAGING_HOURS`]).
    pub staging_hours: u64,
    /// The rehearsals' seed: the same inputs and seed give the same plan, byte for byte.
    pub seed: u64,
}

/// The default seed of the rehearsals.
pub const DEFAULT_SEED: u64 = 1;

/// The staging window a plan rehearses when the caller gives none: one hour.
pub const DEFAULT_STAGING_HOURS: u64 = 1;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// What an operator reads and pastes into a change request.
    Markdown,
    /// One self-contained page, with the rehearsals' timelines.
    Html,
    /// The plan's data (`plan_version` 1; fields are only ever added).
    Json,
}

/// Rehearses both paths and assembles the plan.
pub fn plan(input: &PlanInput) -> Result<Plan, String> {
    build::plan(input)
}

/// The plan in `format`; with an anonymiser every name of the directory is replaced by its
/// pseudonym, in every text of the output (SVG and JSON included).
pub fn render(plan: &Plan, format: Format, anonymiser: Option<&Anonymiser>) -> String {
    match format {
        Format::Markdown => {
            let text = markdown::render(plan);
            anonymiser.map_or_else(|| text.clone(), |a| a.apply(&text))
        }
        Format::Html => {
            let text = html::render(plan);
            anonymiser.map_or_else(|| text.clone(), |a| a.apply_html(&text))
        }
        Format::Json => {
            let mut value = serde_json::to_value(plan)
                .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
            if let Some(a) = anonymiser {
                a.apply_json(&mut value);
            }
            let mut t = serde_json::to_string_pretty(&value).unwrap_or_default();
            t.push('\n');
            t
        }
    }
}
