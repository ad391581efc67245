//! The budgets of one running scenario: simulated time since the world started and wall time
//! since the scenario started. The runner checks them between steps, and the long steps
//! (`run_cycle` with a count, `wait`) between their cycles and days; running out ends the
//! scenario with an error naming the budget, the step and how to raise it.

use crate::limits::{Budget, MAX_SIM_DAYS, MAX_WALL_SECONDS};
use std::time::Instant;
use upgrade_lab_model::SimTime;

/// A scenario's budgets and when it started.
#[derive(Clone, Copy, Debug)]
pub struct Guard {
    pub budget: Budget,
    started: Instant,
}

impl Guard {
    pub fn start(budget: Budget) -> Self {
        Self {
            budget,
            started: Instant::now(),
        }
    }

    /// Whether either budget has run out at simulated time `now`.
    pub fn spent(&self, now: SimTime) -> bool {
        now.0 > self.budget.sim.as_millis() || self.started.elapsed() > self.budget.wall
    }

    /// The error when a budget has run out at `now`, in or after the step named `step`.
    pub fn exceeded(&self, now: SimTime, step: &str) -> Option<String> {
        let days = self.budget.sim.as_millis() / 86_400_000;
        if now.0 > self.budget.sim.as_millis() {
            return Some(format!(
                "the simulated-time budget of {days} days ran out in step `{step}` (simulated time {now}); \
                 raise it with `[budget] sim_days = N` (at most {MAX_SIM_DAYS}), or shorten the scenario"
            ));
        }
        let elapsed = self.started.elapsed();
        (elapsed > self.budget.wall).then(|| {
            format!(
                "the wall-time budget of {} s ran out in step `{step}` (after {} s); raise it with \
                 `[budget] wall_seconds = N` or `upgrade-lab run --wall-budget N` (at most {MAX_WALL_SECONDS})",
                self.budget.wall.as_secs(),
                elapsed.as_secs()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use upgrade_lab_model::SimDuration;

    #[test]
    fn each_budget_names_itself_the_step_and_the_way_to_raise_it() {
        let g = Guard::start(Budget {
            sim: SimDuration::from_days(2),
            wall: Duration::from_secs(60),
        });
        let two_days = SimTime(SimDuration::from_days(2).as_millis());
        assert_eq!(
            g.exceeded(two_days, "wait"),
            None,
            "the limit itself is inside"
        );
        assert!(!g.spent(two_days));
        let later = SimTime(two_days.0 + 1);
        let e = g.exceeded(later, "wait").unwrap();
        assert!(e.contains("simulated-time budget of 2 days"), "{e}");
        assert!(e.contains("step `wait`") && e.contains("sim_days"), "{e}");
        assert!(g.spent(later));
        assert!(!g.spent(SimTime(0)), "a minute of wall time is left");
        let g = Guard::start(Budget {
            sim: SimDuration::from_days(2),
            wall: Duration::ZERO,
        });
        std::thread::sleep(Duration::from_millis(2));
        assert!(g.spent(SimTime(0)), "wall time alone spends it");
        let e = g.exceeded(SimTime(0), "run_cycle").unwrap();
        assert!(e.contains("wall-time budget of 0 s"), "{e}");
        assert!(e.contains("--wall-budget"), "{e}");
    }
}
