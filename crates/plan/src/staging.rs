//! The parallel path's staging window: how long the new server stages, and how fast AD changes
//! meanwhile (`--changes-per-hour`, else the description's `[churn]`, else not at all), checked
//! against the directory, and what the rehearsal made of it.

use crate::PlanInput;
use crate::model::Staging;
use crate::rehearse::StagingWindow;
use upgrade_lab_model::constants::DIRSYNC_CYCLE_HOURS;
use upgrade_lab_scenario::numbers::thousands;
use upgrade_lab_scenario::outcome::{OperationCountsLine, PendingSummary};
use upgrade_lab_simulator::churn::ChurnSpec;

/// The longest staging window a plan rehearses: a week.
pub const MAX_STAGING_HOURS: u64 = 7 * 24;

/// Most changes the rehearsal makes over the whole window (it makes each one).
pub const MAX_WINDOW_CHANGES: u64 = 1_000_000;

/// `n` changes an hour as adds, updates and deletes in the simulator's typical mix (its
/// `ChurnSpec` weights; about 1 % adds, 5 % modifies, 1 % deletes of a delta), updates taking
/// the rounding.
pub fn split(n: u64) -> (u64, u64, u64) {
    let mix = ChurnSpec::default();
    let total = u64::from(mix.adds + mix.updates + mix.deletes);
    let adds = n * u64::from(mix.adds) / total;
    let deletes = n * u64::from(mix.deletes) / total;
    (adds, n - adds - deletes, deletes)
}

/// The window the input asks for, and where its rate came from (`none`,
/// `changes_per_hour`, `churn`); an error when the window or rate cannot be rehearsed.
pub fn window(input: &PlanInput) -> Result<(StagingWindow, &'static str), String> {
    let hours = input.staging_hours;
    if !(1..=MAX_STAGING_HOURS).contains(&hours) {
        return Err(format!(
            "a staging window of {hours} hours is outside 1 to {MAX_STAGING_HOURS} (a week)"
        ));
    }
    let (rate, source) = match (input.changes_per_hour, &input.description.churn) {
        (Some(n), _) => (split(n), "changes_per_hour"),
        (None, Some(c)) => (c.rate(), "churn"),
        (None, None) => ((0, 0, 0), "none"),
    };
    let w = StagingWindow { hours, rate };
    let (a, u, d) = w.total();
    let objects = input.directory.objects.len() as u64;
    if a + u + d > MAX_WINDOW_CHANGES {
        return Err(format!(
            "the change rate makes {} changes in the {hours}-hour staging window, more than the rehearsal makes ({}): lower the rate or the window",
            thousands(a + u + d),
            thousands(MAX_WINDOW_CHANGES)
        ));
    }
    if d * 2 > objects {
        return Err(format!(
            "the change rate deletes {} objects in the {hours}-hour staging window, more than half of the directory's {}: check the deletes an hour (a directory deletes a few per cent a day)",
            thousands(d),
            thousands(objects)
        ));
    }
    Ok((w, source))
}

/// What the plan says of the window, once the rehearsal ran; `pending` is the parallel path's
/// pending exports at verification.
pub fn summary(w: &StagingWindow, source: &str, pending: Option<&PendingSummary>) -> Staging {
    let (a, u, d) = w.total();
    Staging {
        hours: w.hours,
        adds_per_hour: w.rate.0,
        updates_per_hour: w.rate.1,
        deletes_per_hour: w.rate.2,
        rate_source: source.to_string(),
        made: OperationCountsLine {
            adds: a,
            updates: u,
            deletes: d,
        },
        statement: statement(w, source, pending),
    }
}

/// What the window's rate means for verification, in a sentence or two.
fn statement(w: &StagingWindow, source: &str, pending: Option<&PendingSummary>) -> String {
    let (a, u, d) = w.total();
    let hours = w.hours;
    let rate = format!(
        "{} adds, {} updates and {} deletes an hour",
        thousands(w.rate.0),
        thousands(w.rate.1),
        thousands(w.rate.2)
    );
    match (w.changes(), source, pending) {
        (true, _, None) => format!(
            "AD changed at {rate} during the {hours}-hour staging window, but the parallel rehearsal did not reach verification, so the plan cannot say which changes would be pending there: fix what stops it first."
        ),
        (true, _, Some(p)) => {
            let from = match source {
                "changes_per_hour" => "--changes-per-hour, in a typical delta's mix",
                _ => "the description's [churn]",
            };
            let still = p.directory.adds + p.directory.updates + p.directory.deletes;
            format!(
                "AD changed at {rate} (from {from}) during the {hours}-hour staging window: {} changes. At verification {} of them were still pending on the staging server, beside Connect's rule differences: the changes DirSync had not exported yet (it exports every {DIRSYNC_CYCLE_HOURS} hours); the others had reached Azure AD through DirSync, or fall outside the sync scope.",
                thousands(a + u + d),
                thousands(still)
            )
        }
        (false, "none", _) => format!(
            "No change rate given: the rehearsal assumed AD does not change during the {hours}-hour staging window, so the pending exports at verification show Connect's rule differences only. A real directory keeps changing while the new server stages, and verification then also shows every change DirSync has not exported yet (up to {DIRSYNC_CYCLE_HOURS} hours of them); give the rate with --changes-per-hour N or a [churn] table in the description to rehearse it."
        ),
        (false, _, _) => format!(
            "A change rate of 0 given: the rehearsal made no AD changes during the {hours}-hour staging window, so the pending exports at verification show Connect's rule differences only."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_splits_in_the_typical_mix_and_keeps_its_total() {
        assert_eq!(split(700), (100, 500, 100));
        assert_eq!(split(10), (1, 8, 1));
        assert_eq!(split(0), (0, 0, 0));
        for n in [1, 6, 7, 99, 1234] {
            let (a, u, d) = split(n);
            assert_eq!(a + u + d, n);
        }
    }
}
