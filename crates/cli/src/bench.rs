//! `upgrade-lab bench`: one whole upgrade of a generated directory, timed phase by phase. It
//! generates the directory, builds the world (DirSync's converged cycle included) and runs the
//! upgrade through the engine, the same flow as the criterion benches, then prints wall time,
//! simulated time, their ratio, objects per wall second and peak memory of each phase.
//!
//! It must not hold upgrade logic: every step is the engine's; wall time is measured here only
//! and never reaches a simulated result.

mod scaling;

use crate::error::{CliError, EXIT_FAILED};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::process::ExitCode;
use std::time::Instant;
use upgrade_lab_engine::ports::SqlChoice;
use upgrade_lab_engine::{UpgradeError, UpgradeOptions};
use upgrade_lab_model::{Credential, SimDuration, SimTime, SqlBackend};
use upgrade_lab_scenario::numbers::{count_usize, thousands};
use upgrade_lab_simulator::generate::{DirectorySpec, generate};
use upgrade_lab_simulator::world::{World, WorldBuilder};

const EXAMPLES: &str = "\
Examples:
  upgrade-lab bench --objects 50000
  upgrade-lab bench --objects 1000000 --path parallel --format json
  /usr/bin/time -v upgrade-lab bench --objects 1000000   # peak RSS as the OS sees it
  upgrade-lab bench --scaling 10000,100000,1000000       # one row per size
  upgrade-lab bench --objects 10000000                   # the largest: about 60 s

Each phase ends with a `phase … done in` line on stderr (a spinner while it runs on a
terminal, not under CI=true); the figures go to stdout. With --scaling, each size runs in a
fresh process of its own (so each peak RSS is that size's alone) and one table compares them.";

/// The Connect server of a parallel deployment.
const PARALLEL_HOST: &str = "AADC01";

/// Time one whole upgrade of a generated directory, phase by phase.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct BenchArgs {
    /// Objects in the directory: users, groups (1 in 11) and contacts (1 in 56); at most
    /// 10,000,000.
    #[arg(long, default_value_t = 50_000)]
    objects: u32,
    /// Several sizes, comma-separated (at most 8, e.g. 10000,100000,1000000): each runs in a
    /// process of its own, and one row per size shows wall and simulated time, their ratio,
    /// peak RSS and wall time per object.
    #[arg(long, value_name = "SIZES", conflicts_with = "objects")]
    scaling: Option<String>,
    /// Which upgrade to run.
    #[arg(long, value_enum, default_value_t = UpgradePath::Parallel)]
    path: UpgradePath,
    /// Seed of the directory and of the world.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// How the figures are printed.
    #[arg(long, value_enum, default_value_t = BenchFormat::Human)]
    format: BenchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradePath {
    /// Upgrade DirSync's own server (directories under 50,000 objects).
    InPlace,
    /// Install Connect on a new server with `/migrate`, verify staging, cut over.
    Parallel,
}

impl UpgradePath {
    /// The name `--path` takes and the figures print: `parallel`, `in-place`.
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchFormat {
    Human,
    Json,
}

/// The figures of one phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseFigures {
    pub phase: &'static str,
    pub wall_ms: f64,
    pub simulated_ms: u64,
    /// Simulated time per wall time; `None` when no wall time could be measured.
    pub compression_ratio: Option<f64>,
    pub objects_per_wall_second: Option<f64>,
    /// The process's peak resident memory up to the end of the phase (`VmHWM`); `None` where
    /// unavailable. Not reset per phase: resetting it would also hide the peak from
    /// `/usr/bin/time` and `getrusage`.
    pub peak_rss_bytes: Option<u64>,
}

/// The figures of a whole bench run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub objects_count: usize,
    pub path: UpgradePath,
    pub seed: u64,
    pub phases: Vec<PhaseFigures>,
    pub total: PhaseFigures,
}

/// Exit codes: 0 the upgrade ran and the figures are printed, 1 an upgrade step failed (the
/// flow itself is broken), 2 bad arguments.
pub fn run(args: &BenchArgs) -> ExitCode {
    if let Some(sizes) = &args.scaling {
        return scaling::run(args, sizes);
    }
    print_report(bench(args), args.format, human)
}

/// Prints a bench report (one upgrade's or the scaling table's) as `format` asks, or its error;
/// the exit code says which.
pub(crate) fn print_report<T: serde::Serialize>(
    report: Result<T, CliError>,
    format: BenchFormat,
    human: impl Fn(&T) -> String,
) -> ExitCode {
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    match format {
        BenchFormat::Human => print!("{}", human(&report)),
        BenchFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: cannot print the figures: {e}");
                return ExitCode::from(EXIT_FAILED);
            }
        },
    }
    ExitCode::SUCCESS
}

/// Times the phases one after the other.
struct Stopwatch {
    objects: usize,
    ui: crate::phases::Phases,
    phases: Vec<PhaseFigures>,
    started: Instant,
}

impl Stopwatch {
    fn new(objects: usize) -> Self {
        Self {
            objects,
            ui: crate::phases::Phases::new(),
            phases: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Runs `work` as phase `phase`; it returns its result and the simulated time it took.
    fn phase<R>(
        &mut self,
        phase: &'static str,
        work: impl FnOnce() -> Result<(R, u64), CliError>,
    ) -> Result<R, CliError> {
        let start = Instant::now();
        let (result, simulated_ms) = self.ui.run(phase, None, work)?;
        let wall_ms = start.elapsed().as_secs_f64() * 1_000.0;
        self.phases.push(figures(
            phase,
            wall_ms,
            simulated_ms,
            self.objects,
            peak_rss_bytes(),
        ));
        Ok(result)
    }

    fn finish(self, path: UpgradePath, seed: u64) -> BenchReport {
        let wall_ms = self.started.elapsed().as_secs_f64() * 1_000.0;
        let simulated_ms = self.phases.iter().map(|p| p.simulated_ms).sum();
        let peak = self.phases.iter().filter_map(|p| p.peak_rss_bytes).max();
        BenchReport {
            objects_count: self.objects,
            path,
            seed,
            total: figures("total", wall_ms, simulated_ms, self.objects, peak),
            phases: self.phases,
        }
    }
}

fn figures(
    phase: &'static str,
    wall_ms: f64,
    simulated_ms: u64,
    objects: usize,
    peak_rss_bytes: Option<u64>,
) -> PhaseFigures {
    let measured = wall_ms > 0.0;
    PhaseFigures {
        phase,
        wall_ms,
        simulated_ms,
        compression_ratio: measured.then(|| simulated_ms as f64 / wall_ms),
        objects_per_wall_second: measured.then(|| objects as f64 * 1_000.0 / wall_ms),
        peak_rss_bytes,
    }
}

fn bench(args: &BenchArgs) -> Result<BenchReport, CliError> {
    if args.objects == 0 {
        return Err(CliError::usage(
            "--objects must be at least 1: give the number of directory objects to upgrade",
        ));
    }
    if u64::from(args.objects) > DirectorySpec::MAX_OBJECTS {
        return Err(CliError::usage(format!(
            "--objects {} is more than the generator makes (at most {}): lower it",
            thousands(args.objects),
            thousands(DirectorySpec::MAX_OBJECTS)
        )));
    }
    let spec = DirectorySpec::large_customer(args.objects, args.seed);
    let mut watch = Stopwatch::new(args.objects as usize);
    let directory = watch.phase("generate", || {
        let d = generate(&spec).map_err(|e| CliError::usage(format!("cannot generate: {e}")))?;
        Ok((d, 0))
    })?;
    watch.objects = directory.objects.len();
    let (world, aad, ea) = watch.phase("world build (DirSync converged)", || {
        Ok((build_world(directory, args.seed)?, 0))
    })?;
    match args.path {
        UpgradePath::Parallel => parallel(&mut watch, &world, aad, ea)?,
        UpgradePath::InPlace => in_place(&mut watch, &world, aad, ea)?,
    }
    let report = watch.finish(args.path, args.seed);
    // The process ends once the figures are printed: freeing a million-object world object by
    // object would only add a second to the wall time `/usr/bin/time` sees.
    std::mem::forget(world);
    Ok(report)
}

/// A world whose DirSync has converged, as a large customer runs it
/// (`WorldBuilder::large_customer`: full SQL Server, raised tenant quota), with the Azure AD and
/// Enterprise Admin credentials the upgrade signs in with.
fn build_world(
    directory: upgrade_lab_model::Directory,
    seed: u64,
) -> Result<(World, Credential, Credential), CliError> {
    let builder = WorldBuilder::large_customer(directory).seed(seed);
    let aad = builder.azure_ad_credential();
    let ea = builder.default_enterprise_admin();
    let world = builder
        .build()
        .map_err(|e| CliError::usage(format!("cannot build the world: {e}")))?;
    Ok((world, aad, ea))
}

/// A failed step: what failed and why, exit code 1.
fn step_failed(step: &str) -> impl Fn(UpgradeError) -> CliError + '_ {
    move |e| CliError::failed(format!("the upgrade step '{step}' failed: {e}"))
}

/// Runs one engine step inside the world and returns its result with the simulated time taken.
fn in_world<R>(world: &World, step: impl Future<Output = R>) -> (R, u64) {
    let before: SimTime = world.now();
    let result = world.run(step);
    (result, world.now().since(before).0)
}

fn parallel(
    watch: &mut Stopwatch,
    world: &World,
    aad: Credential,
    ea: Credential,
) -> Result<(), CliError> {
    let mut options = UpgradeOptions::new(aad, ea);
    options.force_export = true;
    // A full SQL Server on the new server itself: LocalDB holds about 100,000 objects only.
    options.sql = SqlChoice::Existing(SqlBackend::Full {
        server: PARALLEL_HOST.into(),
        instance: "ADSYNC".into(),
    });
    let mut up = world.upgrade(PARALLEL_HOST, options);
    watch.phase("export settings", || {
        let (r, sim) = in_world(world, up.export_settings());
        r.map_err(step_failed("export settings"))?;
        Ok(((), sim))
    })?;
    watch.phase("install with /migrate (staging initial cycle)", || {
        let (r, sim) = in_world(world, up.install_parallel());
        r.map_err(step_failed("install"))?;
        Ok(((), sim))
    })?;
    watch.phase("verify staging", || {
        let (r, sim) = in_world(world, up.verify_staging());
        let staging = r.map_err(step_failed("verify staging"))?;
        if !staging.initial_cycle.verified() {
            return Err(CliError::failed(format!(
                "the staging server's initial cycle did not verify ({}); the bench upgrade \
                 stopped before the cutover",
                staging.initial_cycle.problems.join("; ")
            )));
        }
        Ok(((), sim))
    })?;
    watch.phase("cut over (first export)", || {
        let (r, sim) = in_world(world, up.cut_over());
        r.map_err(step_failed("cut over"))?;
        Ok(((), sim))
    })
}

fn in_place(
    watch: &mut Stopwatch,
    world: &World,
    aad: Credential,
    ea: Credential,
) -> Result<(), CliError> {
    let mut options = UpgradeOptions::new(aad, ea);
    options.continue_in_place = true;
    let host = world.dirsync_port().hostname();
    let mut up = world.upgrade(&host, options);
    watch.phase("upgrade in place", || {
        let (r, sim) = in_world(world, up.upgrade_in_place());
        r.map_err(step_failed("upgrade in place"))?;
        Ok(((), sim))
    })
}

/// `VmHWM` of `/proc/self/status` in bytes (Linux only).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The figures as a table for people: a phase a row, the total last.
fn human(report: &BenchReport) -> String {
    let path = report.path.name();
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_header([
            "phase",
            "wall",
            "simulated",
            "sim/wall",
            "objects/wall s",
            "peak RSS",
        ]);
    for p in report.phases.iter().chain(std::iter::once(&report.total)) {
        table.add_row([
            p.phase.to_string(),
            format!("{} ms", decimal(p.wall_ms, 1)),
            SimDuration(p.simulated_ms).to_string(),
            p.compression_ratio
                .filter(|_| p.simulated_ms > 0)
                .map_or_else(|| "-".into(), ratio),
            p.objects_per_wall_second
                .map_or_else(|| "-".into(), |r| thousands(whole(r))),
            p.peak_rss_bytes.map_or_else(|| "unavailable".into(), mib),
        ]);
    }
    align(&mut table);
    format!(
        "bench: {}, {path} upgrade, seed {}\n\n{table}\n",
        count_usize(report.objects_count, "object"),
        report.seed,
    )
}

/// Two spaces between columns and none at the line's ends; numbers (every column after the
/// first) right-aligned.
fn align(table: &mut comfy_table::Table) {
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((if i == 0 { 0 } else { 2 }, 0));
        if i > 0 {
            column.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
}

/// Bytes in MiB with one decimal: `2027.4 MiB`.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A rate or ratio rounded to a whole number: finite and non-negative by construction (a count
/// over a positive duration); a NaN reads as 0 and anything past `u64::MAX` as `u64::MAX`,
/// which is what Rust's float-to-int `as` guarantees.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "`as` saturates and maps NaN to 0, which is the reading wanted for a printed rate"
)]
fn whole(r: f64) -> u64 {
    r.round() as u64
}

/// `x` with `places` decimals and its whole part in thousands: `12,345.6`.
fn decimal(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_string(), thousands);
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Simulated time per wall time with the digits that matter: `1,234x`, `12.3x`, `0.42x`,
/// never a `0x` that hides a phase slower than real time.
fn ratio(r: f64) -> String {
    match r {
        r if r >= 100.0 => format!("{}x", thousands(whole(r))),
        r if r >= 1.0 => format!("{r:.1}x"),
        r if r >= 0.01 => format!("{r:.2}x"),
        _ => "<0.01x".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_big_numbers_read_without_a_zero_x() {
        assert_eq!(ratio(0.004), "<0.01x");
        assert_eq!(ratio(0.42), "0.42x");
        assert_eq!(ratio(12.34), "12.3x");
        assert_eq!(ratio(162_992_277.4), "162,992,277x");
        assert_eq!(decimal(12_345.67, 1), "12,345.7");
        assert_eq!(decimal(0.04, 1), "0.0");
    }

    #[test]
    fn figures_without_wall_time_have_no_ratios() {
        let f = figures("x", 0.0, 10, 5, None);
        assert_eq!(f.compression_ratio, None);
        assert_eq!(f.objects_per_wall_second, None);
        let f = figures("x", 500.0, 1_000, 100, Some(1));
        assert_eq!(f.compression_ratio, Some(2.0));
        assert_eq!(f.objects_per_wall_second, Some(200.0));
    }
}
