//! The range of every number a scenario file or the command line accepts, in one place: the
//! validator checks them (`upgrade-lab check`, and `run` before anything runs), the runner
//! enforces the budgets, and `scenarios/README.md` documents each one. A range is chosen so a
//! real deployment fits in it with room to spare, and so a scenario inside every range finishes
//! in seconds to minutes within a few GB: a typo (`adds = 1000000000000`) is refused at its
//! line instead of eating the machine.

use std::time::Duration;
use upgrade_lab_model::SimDuration;

/// Objects a world may hold: users + groups + contacts of the generated directory (or the
/// LDIF file's), plus every object the churn steps add.
pub const MAX_OBJECTS: u64 = 2_000_000;
/// Deepest OU tree a generated world may have.
pub const MAX_OU_DEPTH: u32 = 12;
/// Group memberships a generated world may hold (groups × mean_members, plus 50,001 per
/// oversized group).
pub const MAX_MEMBERSHIPS: u64 = 20_000_000;
/// Oversized groups a generated world may plant (each holds more than 50,000 members).
pub const MAX_OVERSIZED_GROUPS: u32 = 20;
/// Cloud-only users plus groups a tenant may hold.
pub const MAX_CLOUD_ONLY: u64 = 1_000_000;
/// Largest tenant object quota.
pub const MAX_TENANT_QUOTA: u64 = 10_000_000;

/// Longest simulated wait of one step: 30 days.
pub const MAX_WAIT_MINUTES: u64 = 30 * 24 * 60;
/// Most cycles one `run_cycle` step runs.
pub const MAX_RUN_CYCLES: u32 = 1_000;
/// A churn step adds at most this many objects per object of the directory before it...
pub const CHURN_ADDS_PER_OBJECT: u64 = 10;
/// ...or this many, whichever is more...
pub const CHURN_ADDS_FLOOR: u64 = 10_000;
/// ...and never more than this.
pub const MAX_CHURN_ADDS: u64 = 1_000_000;

/// Longest fixed duration of one operation in `[world.timing]` (an install, a run's overhead, a
/// query): 7 days, in milliseconds. A run's whole cost (overhead + per-object cost × the most
/// objects the world reaches) is held to the same limit.
pub const MAX_OPERATION_MS: u64 = 7 * 24 * 3_600_000;
/// Highest per-object (or per-write) cost in `[world.timing]`: 10 minutes.
pub const MAX_MS_PER_OBJECT: u64 = 600_000;
/// Azure AD's throttle window, `aad_throttle_window_ms`: 1 second to 1 day.
pub const THROTTLE_WINDOW_MS: (u64, u64) = (1_000, 86_400_000);
/// Writes per throttle window, `aad_writes_per_window`.
pub const WRITES_PER_WINDOW: (u64, u64) = (1, 1_000_000);

/// Simulated days a scenario may span unless `[budget] sim_days` says otherwise.
pub const DEFAULT_SIM_DAYS: u64 = 90;
/// Most simulated days `[budget] sim_days` may allow.
pub const MAX_SIM_DAYS: u64 = 365;
/// Wall-clock seconds a scenario may run unless `[budget] wall_seconds` or `--wall-budget`
/// says otherwise.
pub const DEFAULT_WALL_SECONDS: u64 = 600;
/// Most wall-clock seconds a budget may allow: a day.
pub const MAX_WALL_SECONDS: u64 = 86_400;

/// `run --jobs` may ask for at most this many workers per core.
pub const JOBS_PER_CORE: usize = 4;
/// Most runs of each scenario `run --repeat` may ask for.
pub const MAX_REPEAT: u32 = 100;
/// Most seeds one `run --seeds` sweep may name.
pub const MAX_SEEDS: u64 = 100_000;

/// The budgets one scenario runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Simulated time since the world started.
    pub sim: SimDuration,
    /// Wall time since the scenario started.
    pub wall: Duration,
}

impl Budget {
    /// The file's `[budget]` over the defaults, then the command line's wall budget over both.
    pub fn of(file: &crate::format::ScenarioFile, wall_override: Option<u64>) -> Self {
        let b = &file.budget;
        let days = b
            .sim_days
            .as_ref()
            .map_or(DEFAULT_SIM_DAYS, |d| *d.get_ref());
        let seconds = wall_override
            .or(b.wall_seconds.as_ref().map(|s| *s.get_ref()))
            .unwrap_or(DEFAULT_WALL_SECONDS);
        Self {
            sim: SimDuration::from_days(days.min(MAX_SIM_DAYS)),
            wall: Duration::from_secs(seconds.min(MAX_WALL_SECONDS)),
        }
    }

    /// The simulated budget in whole minutes.
    pub fn sim_minutes(&self) -> u64 {
        self.sim.as_millis() / 60_000
    }
}

/// Most objects a churn step may add to a directory of `objects` live objects.
pub fn churn_adds_limit(objects: u64) -> u64 {
    objects
        .saturating_mul(CHURN_ADDS_PER_OBJECT)
        .clamp(CHURN_ADDS_FLOOR, MAX_CHURN_ADDS)
}

/// Most workers `run --jobs` accepts on a machine with `cores` cores.
pub fn max_jobs(cores: usize) -> usize {
    cores.max(1).saturating_mul(JOBS_PER_CORE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_adds_scale_with_the_directory_between_floor_and_cap() {
        assert_eq!(churn_adds_limit(70), CHURN_ADDS_FLOOR);
        assert_eq!(churn_adds_limit(5_000), 50_000);
        assert_eq!(churn_adds_limit(2_000_000), MAX_CHURN_ADDS);
        assert_eq!(churn_adds_limit(u64::MAX), MAX_CHURN_ADDS);
    }

    #[test]
    fn the_documented_values_hold() {
        // scenarios/README.md and the help texts state these numbers.
        assert_eq!(MAX_OPERATION_MS, 604_800_000, "7 days");
        assert_eq!(MAX_MS_PER_OBJECT, 600_000, "10 minutes");
        assert_eq!(MAX_WAIT_MINUTES, 43_200, "30 days");
        assert_eq!(DEFAULT_SIM_DAYS * 24 * 60, 129_600);
        assert_eq!(MAX_OBJECTS, 2_000_000);
    }

    #[test]
    fn jobs_are_a_multiple_of_the_cores() {
        assert_eq!(max_jobs(2), 8);
        assert_eq!(max_jobs(0), 4);
    }
}
