//! `upgrade-lab explore`: seeded random upgrade histories, each an ordinary scenario file run
//! through the ordinary runner, judged by every invariant and the independent tenant oracle.
//! A failing history is shrunk to a small file that fails the same way.
//!
//! The pieces: [`draw`] (history N of seed S, independent of the others), [`history`] (the
//! data and its TOML), [`judge`] (run and classify), [`shrink`] (greedy, budgeted).

pub mod draw;
pub mod history;
pub mod judge;
pub mod shrink;

use history::{History, UpgradePath};
use judge::{Failure, Judged, judge};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use upgrade_lab_simulator::world::PlantedBug;

/// The failures shrunk per exploration: one history for each distinct failure, the first ones.
pub const MAX_SHRUNK: usize = 5;

/// What to explore.
#[derive(Clone, Debug)]
pub struct ExploreOptions {
    /// How many random histories to draw and judge.
    pub histories: u64,
    /// The exploration's seed: history N is drawn from this seed and N alone, so any one history
    /// replays by itself.
    pub seed: u64,
    /// The most directory objects a history may ask for (keeps one history's wall time small).
    pub max_objects: u32,
    /// `None`: either path.
    pub path: Option<UpgradePath>,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// Only this history (replaying one the message named).
    pub only: Option<u64>,
    /// Candidates judged while shrinking one failure.
    pub shrink_budget: usize,
    /// **Test affordance**: a bug planted in the system under test, to show explore finds it.
    #[doc(hidden)]
    pub planted_bug: Option<PlantedBug>,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        Self {
            histories: 200,
            seed: 1,
            max_objects: 2_000,
            path: None,
            jobs: 0,
            only: None,
            shrink_budget: 400,
            planted_bug: None,
        }
    }
}

/// A failing history and what shrinking made of it.
#[derive(Clone, Debug)]
pub struct Found {
    /// The history as drawn.
    pub original: History,
    /// Why the judge refused it (the first failure).
    pub failure: Failure,
    /// Every failure of the original history.
    pub failures: Vec<Failure>,
    /// The shrunk history (`None`: not shrunk, another history already shows this failure).
    pub shrunk: Option<shrink::Shrunk>,
    /// The one command that replays the original history.
    pub replay_command: String,
}

impl Found {
    /// The file name the shrunk scenario is written under.
    pub fn file_name(&self) -> String {
        format!(
            "explore-{}-{}.toml",
            self.original.explore_seed, self.original.number
        )
    }

    /// The shrunk scenario file.
    pub fn shrunk_text(&self) -> Option<String> {
        self.shrunk
            .as_ref()
            .map(|s| s.history.to_toml(&judge::description(&s.history)))
    }
}

/// What an exploration found, tallied for the closing table.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Histories drawn and judged.
    pub histories: u64,
    /// (path, who exports at the end) → histories.
    pub by_path_and_state: BTreeMap<(&'static str, &'static str), u64>,
    /// Refusal kind → refused steps.
    pub refusals: BTreeMap<String, u64>,
    /// Failure kind → failed steps (a fault's port error, a step out of order).
    pub step_failures: BTreeMap<String, u64>,
    /// Fault kind → (injected, hit something).
    pub faults: BTreeMap<String, (u64, u64)>,
    /// Histories that failed.
    pub failing: u64,
    /// The failing histories, each shrunk, in the order they were found.
    pub found: Vec<Found>,
    /// Wall time of the whole exploration, in milliseconds.
    pub wall_ms: u64,
}

impl Summary {
    /// Histories per second of wall time.
    pub fn rate(&self) -> f64 {
        self.histories as f64 / (self.wall_ms.max(1) as f64 / 1000.0)
    }

    fn add(&mut self, h: &History, j: &Judged) {
        self.histories += 1;
        *self
            .by_path_and_state
            .entry((h.path.as_str(), j.final_state))
            .or_default() += 1;
        for r in &j.refusals {
            *self.refusals.entry(r.clone()).or_default() += 1;
        }
        for f in &j.step_failures {
            *self.step_failures.entry(f.clone()).or_default() += 1;
        }
        for f in &h.faults {
            self.faults
                .entry(f.kind.as_str().to_string())
                .or_default()
                .0 += 1;
        }
        for k in &j.faults_fired {
            self.faults.entry(k.clone()).or_default().1 += 1;
        }
    }
}

/// Explores `options.histories` histories (or the one `options.only` names); `progress` is
/// called with the number judged so far.
pub fn explore(options: &ExploreOptions, progress: &(dyn Fn(u64) + Sync)) -> Summary {
    let wall = Instant::now();
    let limits = draw::Limits {
        max_objects: options.max_objects,
        path: options.path,
    };
    let numbers: Vec<u64> = match options.only {
        Some(n) => vec![n],
        None => (0..options.histories).collect(),
    };
    let done = AtomicU64::new(0);
    let run = || -> Vec<(History, Judged)> {
        numbers
            .par_iter()
            .map(|&n| {
                let h = draw::history(options.seed, n, limits);
                let (j, _) = judge(&h, options.planted_bug);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                (h, j)
            })
            .collect()
    };
    let judged = match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    let mut summary = Summary::default();
    for (h, j) in &judged {
        summary.add(h, j);
    }
    summary.found = found(judged, options);
    summary.failing = summary.found.len() as u64;
    summary.wall_ms = crate::wall::elapsed_ms(wall);
    summary
}

/// The failing histories; the first one of each distinct failure shrunk, up to `MAX_SHRUNK`.
fn found(judged: Vec<(History, Judged)>, options: &ExploreOptions) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for (h, j) in judged.into_iter().filter(|(_, j)| !j.failures.is_empty()) {
        let failure = j.failures[0].clone();
        let seen = out.iter().any(|f| f.failure.same_as(&failure));
        let shrunk = (!seen && out.iter().filter(|f| f.shrunk.is_some()).count() < MAX_SHRUNK)
            .then(|| {
                let mut s =
                    shrink::shrink(&h, &failure, options.planted_bug, options.shrink_budget);
                s.history.step_outcomes = judge(&s.history, options.planted_bug).0.step_outcomes;
                s
            });
        out.push(Found {
            replay_command: replay_command(&h, options),
            original: h,
            failure,
            failures: j.failures,
            shrunk,
        });
    }
    out
}

/// `upgrade-lab explore` with the options that draw history `h` again, alone.
pub fn replay_command(h: &History, options: &ExploreOptions) -> String {
    let path = options
        .path
        .map(|p| format!(" --path {}", p.as_str().replace('_', "-")))
        .unwrap_or_default();
    format!(
        "upgrade-lab explore --seed {} --history {} --max-objects {}{path}",
        h.explore_seed, h.number, options.max_objects
    )
}
