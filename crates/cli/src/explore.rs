//! `upgrade-lab explore`: random upgrade histories with faults and churn, judged by every
//! invariant and the tenant oracle; each distinct failure shrunk and written as a scenario file.
//! Exit 0 when no history failed, 1 when one did, 2 on bad arguments.

use crate::error::CliError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use upgrade_lab_scenario::explore::history::UpgradePath;
use upgrade_lab_scenario::explore::{ExploreOptions, Found, Summary, explore};
use upgrade_lab_scenario::numbers::{
    count, count_irregular, count_usize, thousands, thousands_usize,
};
use upgrade_lab_simulator::world::PlantedBug;

/// The largest directory a history may draw (`--max-objects`).
pub const MAX_OBJECTS_LIMIT: u32 = 200_000;
/// The most histories one exploration runs.
pub const MAX_HISTORIES: u64 = 10_000_000;

/// Which upgrade path the histories take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PathArg {
    InPlace,
    Parallel,
    Any,
}

/// Bugs `--plant-bug` can plant (a test affordance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BugArg {
    DropOuFilterInMigration,
    WrongSignInAttribute,
    SkipDeleteExports,
    ReplayInterruptedExport,
    RestartLosesStagedImports,
}

/// Explore random upgrade histories: seeded worlds, documented and wrong step orders, churn
/// and faults at random times. Every invariant and the independent tenant oracle judge each
/// history; a failing one is shrunk and written to --out as a scenario file.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  upgrade-lab explore --histories 1000 --seed 7
  upgrade-lab explore --histories 10000 --max-objects 2000 --jobs 2
  upgrade-lab explore --path parallel --histories 200
  upgrade-lab explore --seed 7 --history 412          (replay one history)")]
pub struct ExploreArgs {
    /// Histories to run (1 to 10,000,000).
    #[arg(long, default_value_t = 200)]
    pub histories: u64,
    /// The exploration's seed: the same seed draws the same histories.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The largest directory a history draws, users + groups + contacts (0 to 200,000).
    #[arg(long, default_value_t = 2_000)]
    pub max_objects: u32,
    #[arg(long, value_enum, default_value_t = PathArg::Any)]
    pub path: PathArg,
    /// Worker threads; default one per core.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Where shrunk failures are written (created if missing).
    #[arg(long, default_value = "explore-failures")]
    pub out: PathBuf,
    /// Run only this history of the seed (the number a failure names).
    #[arg(long)]
    pub history: Option<u64>,
    /// Candidate histories judged while shrinking one failure.
    #[arg(long, default_value_t = 400)]
    pub shrink_budget: usize,
    /// Test affordance: plant a bug in the simulated system under test.
    #[arg(long, value_enum, hide = true)]
    pub plant_bug: Option<BugArg>,
}

impl BugArg {
    fn planted(self) -> PlantedBug {
        match self {
            BugArg::DropOuFilterInMigration => PlantedBug::DropOuFilterInMigration,
            BugArg::WrongSignInAttribute => PlantedBug::WrongSignInAttribute,
            BugArg::SkipDeleteExports => PlantedBug::SkipDeleteExports,
            BugArg::ReplayInterruptedExport => PlantedBug::ReplayInterruptedExport,
            BugArg::RestartLosesStagedImports => PlantedBug::RestartLosesStagedImports,
        }
    }
}

fn options(args: &ExploreArgs) -> Result<ExploreOptions, CliError> {
    if !(1..=MAX_HISTORIES).contains(&args.histories) {
        return Err(CliError::usage(format!(
            "--histories {} is out of range: give 1 to {MAX_HISTORIES}",
            args.histories
        )));
    }
    if args.max_objects > MAX_OBJECTS_LIMIT {
        return Err(CliError::usage(format!(
            "--max-objects {} is out of range: give 0 to {MAX_OBJECTS_LIMIT} (larger directories \
             belong in `upgrade-lab bench`)",
            args.max_objects
        )));
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if args.jobs > 4 * cores {
        return Err(CliError::usage(format!(
            "--jobs {} is more than 4 × the {cores} cores here: give 0 (one per core) to {}",
            args.jobs,
            4 * cores
        )));
    }
    Ok(ExploreOptions {
        histories: args.histories,
        seed: args.seed,
        max_objects: args.max_objects,
        path: match args.path {
            PathArg::InPlace => Some(UpgradePath::InPlace),
            PathArg::Parallel => Some(UpgradePath::Parallel),
            PathArg::Any => None,
        },
        jobs: args.jobs,
        only: args.history,
        shrink_budget: args.shrink_budget,
        planted_bug: args.plant_bug.map(BugArg::planted),
    })
}

pub fn run(args: &ExploreArgs) -> ExitCode {
    let options = match options(args) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    let total = options.only.map_or(options.histories, |_| 1);
    let bar = progress_bar(total);
    let summary = explore(&options, &|n| bar.set_position(n));
    bar.finish_and_clear();
    print!("{}", table(&summary, &options));
    if summary.found.is_empty() {
        return ExitCode::SUCCESS;
    }
    match write_found(&summary.found, &args.out) {
        Ok(lines) => {
            print!("{lines}");
            if let Some(bug) = args.plant_bug {
                println!(
                    "note: these failures come from the bug planted with --plant-bug {}; \
                     `upgrade-lab run` replays the files without it, and they pass",
                    clap::ValueEnum::to_possible_value(&bug)
                        .map(|v| v.get_name().to_string())
                        .unwrap_or_default()
                );
            }
            ExitCode::from(crate::error::EXIT_FAILED)
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(e.exit_code())
}

fn progress_bar(total: u64) -> ProgressBar {
    if !crate::live::animated() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "exploring {bar:40} {pos}/{len} histories ({per_sec}, {elapsed}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The closing table: histories by path and final state, refusals, faults, violations, rate.
pub fn table(s: &Summary, o: &ExploreOptions) -> String {
    let mut out = format!(
        "explored {} (seed {}, up to {}) in {:.1} s: {:.1} histories/s\n\n",
        count_irregular(s.histories, "history", "histories"),
        o.seed,
        count(o.max_objects, "object"),
        s.wall_ms as f64 / 1000.0,
        s.rate()
    );
    out.push_str("path        exporting at the end   histories\n");
    for ((path, state), n) in &s.by_path_and_state {
        let _ = writeln!(out, "{path:<11} {state:<22} {:>9}", thousands(*n));
    }
    out.push_str(&counts("refused steps, by refusal", &s.refusals));
    out.push_str(&counts("failed steps, by cause", &s.step_failures));
    out.push_str("\nfault                      injected       hit\n");
    for (kind, (injected, hit)) in &s.faults {
        let (injected, hit) = (thousands(*injected), thousands(*hit));
        let _ = writeln!(out, "{kind:<26} {injected:>8} {hit:>9}");
    }
    let _ = write!(
        out,
        "\nviolations: {} failed (0 expected)\n",
        count_irregular(s.failing, "history", "histories")
    );
    out
}

fn counts(title: &str, map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut out = format!("\n{title}\n");
    if map.is_empty() {
        out.push_str("  none\n");
    }
    for (k, n) in map {
        let _ = writeln!(out, "  {k:<40} {:>7}", thousands(*n));
    }
    out
}

/// Writes each shrunk failure to `dir`; returns the lines that name them.
fn write_found(found: &[Found], dir: &Path) -> Result<String, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::usage(format!("cannot create {}: {e}", dir.display())))?;
    let mut out = String::new();
    for f in found {
        let Some(text) = f.shrunk_text() else {
            continue;
        };
        let path = dir.join(f.file_name());
        std::fs::write(&path, text)
            .map_err(|e| CliError::usage(format!("cannot write {}: {e}", path.display())))?;
        let s = f.shrunk.as_ref().map_or(&f.original, |s| &s.history);
        let _ = write!(
            out,
            "history {}: {}\n  shrunk to {}, {}, {}: {}\n  run it: \
             upgrade-lab run {}\n  replay the original: {}\n",
            f.original.number,
            f.failure.summary(),
            count(s.world.objects(), "object"),
            count_usize(s.steps.len(), "step"),
            count_usize(s.faults.len(), "fault"),
            path.display(),
            path.display(),
            f.replay_command
        );
        let same: Vec<u64> = found
            .iter()
            .filter(|o| o.shrunk.is_none() && o.failure.same_as(&f.failure))
            .map(|o| o.original.number)
            .collect();
        if !same.is_empty() {
            let first: Vec<String> = same.iter().take(10).map(u64::to_string).collect();
            let more = same.len().saturating_sub(10);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} the same way: {}{more}",
                match same.len() {
                    1 => "1 other history fails".to_string(),
                    n => format!("{} other histories fail", thousands_usize(n)),
                },
                first.join(", ")
            );
        }
    }
    Ok(out)
}
