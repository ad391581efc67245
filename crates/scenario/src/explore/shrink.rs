//! Shrinking a failing history: greedy passes over smaller candidates (fewer faults, fewer
//! steps, fewer objects, simpler configuration, smaller churn, shorter waits, earlier and
//! shorter faults), keeping a candidate whenever it still fails the same way, until none does
//! or the run budget is spent. Each candidate is judged exactly as the original was.

use super::history::{History, When};
use super::judge::{Failure, judge};
use crate::format::Step;
use upgrade_lab_simulator::world::PlantedBug;

/// The smallest history found that fails the same way.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest history found that still fails the same way.
    pub history: History,
    /// Candidates judged.
    pub runs: usize,
}

/// Shrinks `original`, which fails with `failure`, judging at most `budget` candidates.
pub fn shrink(
    original: &History,
    failure: &Failure,
    bug: Option<PlantedBug>,
    budget: usize,
) -> Shrunk {
    let mut best = original.clone();
    let mut runs = 0;
    'passes: loop {
        for candidate in candidates(&best) {
            if runs >= budget {
                break 'passes;
            }
            runs += 1;
            let (judged, _) = judge(&candidate, bug);
            if judged.failures.iter().any(|f| f.same_as(failure)) {
                best = candidate;
                continue 'passes;
            }
        }
        break;
    }
    Shrunk {
        history: best,
        runs,
    }
}

/// Every one-change-smaller history, the largest reductions first.
fn candidates(h: &History) -> Vec<History> {
    let mut out = Vec::new();
    if !h.faults.is_empty() {
        out.push(History {
            faults: Vec::new(),
            ..h.clone()
        });
    }
    for i in 0..h.faults.len() {
        let mut c = h.clone();
        c.faults.remove(i);
        out.push(c);
    }
    for i in (0..h.steps.len()).rev() {
        out.push(without_step(h, i));
    }
    out.extend(smaller_worlds(h));
    out.extend(smaller_steps(h));
    out.extend(smaller_faults(h));
    // A halved zero is no smaller: judging it again would only spend the budget.
    let same = h.to_toml("");
    out.retain(|c| c.to_toml("") != same);
    out
}

/// `h` without step `i` and the faults that name it.
fn without_step(h: &History, i: usize) -> History {
    let mut c = h.clone();
    let removed = c.steps.remove(i);
    c.faults.retain(|f| f.when.step() != Some(removed.name()));
    c
}

fn smaller_worlds(h: &History) -> Vec<History> {
    let w = &h.world;
    let mut worlds = Vec::new();
    let mut push = |f: &dyn Fn(&mut super::history::WorldDraw)| {
        let mut c = w.clone();
        f(&mut c);
        if c != *w {
            worlds.push(c);
        }
    };
    push(&|c| {
        c.groups = 0;
        c.contacts = 0;
    });
    push(&|c| c.users /= 2);
    push(&|c| c.groups /= 2);
    push(&|c| c.contacts /= 2);
    push(&|c| c.users = c.users.saturating_sub(1));
    push(&|c| {
        c.two_domains = false;
        c.root_domain_only = false;
    });
    push(&|c| c.root_domain_only = false);
    push(&|c| c.included_ou = None);
    push(&|c| c.excluded_ou = None);
    push(&|c| {
        c.no_sync_users = 0;
        c.no_sync_filter = false;
    });
    push(&|c| c.no_sync_filter = false);
    push(&|c| c.invalid_upns = 0);
    push(&|c| c.invalid_upns /= 2);
    push(&|c| c.full_sql = false);
    push(&|c| c.alternate_id = false);
    push(&|c| c.password_sync = true);
    push(&|c| c.dar = true);
    push(&|c| {
        c.cloud_only_users = 0;
        c.cloud_only_groups = 0;
    });
    push(&|c| c.no_sync_users = c.no_sync_users.min(c.users));
    worlds
        .into_iter()
        .map(|world| History { world, ..h.clone() })
        .collect()
}

/// Smaller churn, shorter waits, single sync cycles.
fn smaller_steps(h: &History) -> Vec<History> {
    let mut out = Vec::new();
    for i in 0..h.steps.len() {
        let smaller = match &h.steps[i] {
            Step::Churn {
                id,
                adds,
                updates,
                deletes,
            } if adds + updates + deletes > 0 => vec![
                Step::Churn {
                    id: id.clone(),
                    adds: adds / 2,
                    updates: *updates,
                    deletes: *deletes,
                },
                Step::Churn {
                    id: id.clone(),
                    adds: *adds,
                    updates: updates / 2,
                    deletes: *deletes,
                },
                Step::Churn {
                    id: id.clone(),
                    adds: *adds,
                    updates: *updates,
                    deletes: deletes / 2,
                },
            ],
            Step::Wait { id, minutes } if *minutes > 1 => vec![Step::Wait {
                id: id.clone(),
                minutes: minutes / 2,
            }],
            Step::RunCycle { id, server, count } if *count > 1 => vec![Step::RunCycle {
                id: id.clone(),
                server: *server,
                count: 1,
            }],
            _ => Vec::new(),
        };
        for step in smaller {
            let mut c = h.clone();
            c.steps[i] = step;
            out.push(c);
        }
    }
    out
}

/// Earlier and shorter faults.
fn smaller_faults(h: &History) -> Vec<History> {
    let mut out = Vec::new();
    for i in 0..h.faults.len() {
        let f = &h.faults[i];
        if let When::AtMinutes(m) = f.when
            && m > 0
        {
            let mut c = h.clone();
            c.faults[i].when = When::AtMinutes(m / 2);
            out.push(c);
        }
        if f.phase.is_some() {
            let mut c = h.clone();
            c.faults[i].phase = None;
            out.push(c);
        }
        if let Some(m) = f.for_minutes
            && m > 1
        {
            let mut c = h.clone();
            c.faults[i].for_minutes = Some(m / 2);
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::draw::{Limits, history};
    use super::*;

    #[test]
    fn every_candidate_is_smaller_in_one_way() {
        let limits = Limits {
            max_objects: 500,
            path: None,
        };
        for n in 0..40 {
            let h = history(2, n, limits);
            for c in candidates(&h) {
                let smaller = c.faults.len() < h.faults.len()
                    || c.steps.len() < h.steps.len()
                    || c.world != h.world
                    || c.steps
                        .iter()
                        .zip(&h.steps)
                        .any(|(a, b)| format!("{a:?}") != format!("{b:?}"))
                    || c.faults != h.faults;
                assert!(smaller, "history {n}: a candidate equal to its source");
                assert!(c.world.objects() <= h.world.objects());
            }
        }
    }

    #[test]
    fn removing_a_step_removes_the_faults_that_name_it() {
        let limits = Limits {
            max_objects: 50,
            path: None,
        };
        let h = (0..200)
            .map(|n| history(4, n, limits))
            .find(|h| h.faults.iter().any(|f| f.when.step().is_some()))
            .expect("some history has a fault tied to a step");
        let named = h.faults.iter().find_map(|f| f.when.step()).unwrap();
        let i = h.steps.iter().position(|s| s.name() == named).unwrap();
        let c = without_step(&h, i);
        assert!(c.faults.iter().all(|f| f.when.step() != Some(named)));
        assert_eq!(c.steps.len(), h.steps.len() - 1);
    }
}
