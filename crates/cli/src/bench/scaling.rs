//! `upgrade-lab bench --scaling 10000,100000,1000000`: the same bench at several sizes, each in
//! a fresh process of this program (`bench --objects N --format json`), so that each size's
//! peak RSS is its own and no size inherits another's heap. The children's figures are read
//! back from their JSON and shown one row per size, with the wall time per object that says
//! whether the cost per object stays flat as the directory grows.

use super::{BenchArgs, align, decimal, mib, ratio, thousands};
use crate::error::CliError;
use serde::{Deserialize, Serialize};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;
use upgrade_lab_model::SimDuration;
use upgrade_lab_simulator::generate::DirectorySpec;

/// The most sizes one table compares (each is a whole bench run).
pub const MAX_SIZES: usize = 8;

/// What `--scaling` is for, in the messages about it.
const SIZES_EXAMPLE: &str = "give object counts separated by commas, like 10000,100000,1000000";

/// One size's figures, as its own process measured them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingRow {
    /// Objects in the directory of this size.
    pub objects_count: usize,
    /// Wall time of the whole bench in that process (generation, world build, upgrade), in ms.
    pub wall_ms: f64,
    /// Simulated time of the upgrade, in ms.
    pub simulated_ms: u64,
    /// Simulated time per wall time; `None` when no wall time could be measured.
    pub compression_ratio: Option<f64>,
    /// That process's peak resident memory (`VmHWM`) in bytes; `None` where unavailable.
    pub peak_rss_bytes: Option<u64>,
    /// Wall time per object, in microseconds.
    pub wall_us_per_object: f64,
}

/// The table of a scaling run.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingReport {
    /// The upgrade every size ran.
    pub path: super::UpgradePath,
    /// The seed every size ran with.
    pub seed: u64,
    /// One row per size, in the order given.
    pub sizes: Vec<ScalingRow>,
    /// The largest wall time per object over the smallest: 1.0 when the cost per object is
    /// flat.
    pub wall_per_object_spread: f64,
}

/// What this module reads of a child's `--format json` figures.
#[derive(Debug, Deserialize)]
struct ChildReport {
    objects_count: usize,
    total: ChildTotal,
}

#[derive(Debug, Deserialize)]
struct ChildTotal {
    wall_ms: f64,
    simulated_ms: u64,
    compression_ratio: Option<f64>,
    peak_rss_bytes: Option<u64>,
}

/// Runs every size of `sizes` (the `--scaling` text) and prints the table. Exit codes as
/// `bench`'s: 1 when a size's run failed, 2 for bad sizes.
pub fn run(args: &BenchArgs, sizes: &str) -> ExitCode {
    let report = parse_sizes(sizes).and_then(|sizes| scale(args, &sizes));
    super::print_report(report, args.format, human)
}

/// The sizes of `--scaling`: 1 to [`MAX_SIZES`] object counts, each from 1 to the generator's
/// maximum, separated by commas (`_` may group digits).
pub fn parse_sizes(text: &str) -> Result<Vec<u32>, CliError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() > MAX_SIZES {
        return Err(CliError::usage(format!(
            "--scaling names {} sizes; one table compares at most {MAX_SIZES}: split them over \
             several runs",
            parts.len()
        )));
    }
    parts.into_iter().map(parse_size).collect()
}

fn parse_size(part: &str) -> Result<u32, CliError> {
    if part.is_empty() {
        return Err(CliError::usage(format!(
            "--scaling has an empty size (nothing between two commas, or at an end); \
             {SIZES_EXAMPLE}"
        )));
    }
    let digits = part.replace('_', "");
    let max = DirectorySpec::MAX_OBJECTS;
    let too_big = || {
        CliError::usage(format!(
            "--scaling: {part} objects is more than the generator makes (at most {}); lower \
             that size",
            thousands(max)
        ))
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::usage(format!(
            "--scaling: '{part}' is not a number of objects; {SIZES_EXAMPLE}"
        )));
    }
    let n: u64 = digits.parse().map_err(|_| too_big())?;
    if n == 0 {
        return Err(CliError::usage(
            "--scaling: a size of 0 objects has nothing to upgrade; each size must be at least 1",
        ));
    }
    if n > max {
        return Err(too_big());
    }
    u32::try_from(n).map_err(|_| too_big())
}

/// Runs the sizes one after the other, each in a process of its own.
fn scale(args: &BenchArgs, sizes: &[u32]) -> Result<ScalingReport, CliError> {
    let exe = std::env::current_exe().map_err(|e| {
        CliError::failed(format!(
            "cannot find this program's own executable to run each size in: {e}"
        ))
    })?;
    let mut rows = Vec::with_capacity(sizes.len());
    for &objects in sizes {
        let start = Instant::now();
        let row = child(&exe, args, objects)?;
        eprint!(
            "{}",
            crate::phases::done_line(
                &format!("bench {} objects (own process)", thousands(objects)),
                start.elapsed()
            )
        );
        rows.push(row);
    }
    Ok(ScalingReport {
        path: args.path,
        seed: args.seed,
        wall_per_object_spread: spread(&rows),
        sizes: rows,
    })
}

/// One size in a fresh process of `exe`: its figures, or why it failed. Its phase lines go to
/// this process's stderr as they come.
fn child(exe: &std::path::Path, args: &BenchArgs, objects: u32) -> Result<ScalingRow, CliError> {
    let output = Command::new(exe)
        .args(["bench", "--objects", &objects.to_string()])
        .args([
            "--path",
            &args.path.name(),
            "--seed",
            &args.seed.to_string(),
        ])
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| CliError::failed(format!("cannot start {}: {e}", exe.display())))?;
    let size = format!("the bench of {} objects", thousands(objects));
    if !output.status.success() {
        return Err(CliError::failed(format!(
            "{size} failed ({}); its own error is above",
            exit_reason(output.status)
        )));
    }
    let report: ChildReport = serde_json::from_slice(&output.stdout).map_err(|e| {
        CliError::failed(format!(
            "{size} printed figures this program cannot read: {e}"
        ))
    })?;
    Ok(row(&report))
}

/// How a child ended, for people: `exit code 1`, `killed by signal 9 (…)`.
fn exit_reason(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let hint = if signal == 9 {
                " (the kernel's out-of-memory killer sends this)"
            } else {
                ""
            };
            return format!("killed by signal {signal}{hint}");
        }
    }
    status
        .code()
        .map_or_else(|| status.to_string(), |c| format!("exit code {c}"))
}

fn row(report: &ChildReport) -> ScalingRow {
    let t = &report.total;
    let objects = report.objects_count.max(1) as f64;
    ScalingRow {
        objects_count: report.objects_count,
        wall_ms: t.wall_ms,
        simulated_ms: t.simulated_ms,
        compression_ratio: t.compression_ratio,
        peak_rss_bytes: t.peak_rss_bytes,
        wall_us_per_object: t.wall_ms * 1_000.0 / objects,
    }
}

/// The largest wall time per object over the smallest (1.0 for one size, or when a size took
/// no measurable time).
fn spread(rows: &[ScalingRow]) -> f64 {
    let per_object = rows.iter().map(|r| r.wall_us_per_object);
    let max = per_object.clone().fold(f64::NAN, f64::max);
    let min = per_object.fold(f64::NAN, f64::min);
    if min > 0.0 { max / min } else { 1.0 }
}

/// The table for people: a size a row, in the order given, and the spread below it.
fn human(report: &ScalingReport) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_header([
            "objects",
            "wall",
            "simulated",
            "sim/wall",
            "peak RSS",
            "wall/object",
        ]);
    for r in &report.sizes {
        table.add_row([
            thousands(r.objects_count as u64),
            format!("{} ms", decimal(r.wall_ms, 1)),
            SimDuration(r.simulated_ms).to_string(),
            r.compression_ratio
                .filter(|_| r.simulated_ms > 0)
                .map_or_else(|| "-".into(), ratio),
            r.peak_rss_bytes.map_or_else(|| "unavailable".into(), mib),
            format!("{} µs", decimal(r.wall_us_per_object, 2)),
        ]);
    }
    align(&mut table);
    format!(
        "bench scaling: {} sizes, {} upgrade, seed {}, each size in a process of its own\n\n\
         {table}\n\nwall per object, slowest size over fastest: {:.2}x\n",
        report.sizes.len(),
        report.path.name(),
        report.seed,
        report.wall_per_object_spread,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage_error(text: &str) -> String {
        let e = parse_sizes(text).expect_err(text);
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE, "{text}");
        e.to_string()
    }

    #[test]
    fn sizes_are_counts_separated_by_commas() {
        assert_eq!(
            parse_sizes("10000, 100_000,1000000").expect("valid"),
            [10_000, 100_000, 1_000_000]
        );
        assert_eq!(parse_sizes("10000000").expect("the maximum"), [10_000_000]);
        assert_eq!(parse_sizes("1,2,3,4,5,6,7,8").expect("eight").len(), 8);
    }

    #[test]
    fn bad_sizes_say_what_is_wrong() {
        assert!(usage_error("0").contains("at least 1"));
        assert!(usage_error("abc").contains("'abc' is not a number of objects"));
        assert!(usage_error("-5").contains("not a number"));
        assert!(usage_error("1000,,2000").contains("empty size"));
        assert!(usage_error("1,2,3,4,5,6,7,8,9").contains("9 sizes"));
        assert!(usage_error("10000001").contains("at most 10,000,000"));
        assert!(usage_error("99999999999999999999999").contains("at most 10,000,000"));
    }

    fn row_of(objects: usize, wall_ms: f64) -> ScalingRow {
        row(&ChildReport {
            objects_count: objects,
            total: ChildTotal {
                wall_ms,
                simulated_ms: 60_000,
                compression_ratio: Some(60_000.0 / wall_ms),
                peak_rss_bytes: Some(3 * 1024 * 1024),
            },
        })
    }

    #[test]
    fn the_spread_is_the_slowest_per_object_over_the_fastest() {
        let rows = [row_of(1_000, 10.0), row_of(10_000, 150.0)];
        assert!((rows[0].wall_us_per_object - 10.0).abs() < 1e-9);
        assert!((rows[1].wall_us_per_object - 15.0).abs() < 1e-9);
        assert!((spread(&rows) - 1.5).abs() < 1e-9);
        assert!((spread(&rows[..1]) - 1.0).abs() < 1e-9);
        assert!((spread(&[row_of(1, 0.0), row_of(2, 1.0)]) - 1.0).abs() < 1e-9);
    }
}
