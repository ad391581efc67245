//! The largest bench, opt-in: the parallel deployment of a 10,000,000-object directory, end to
//! end, once, against its targets (at most 60 s wall and 12 GiB peak RSS). It takes a minute
//! and most of a 23 GiB machine's memory, so it runs only with `UPGRADE_LAB_BENCH_10M=1`:
//!
//! ```sh
//! UPGRADE_LAB_BENCH_10M=1 cargo bench --bench ten_million
//! ```
//!
//! With `UPGRADE_LAB_BENCH_QUICK=1` too, it runs 2,000 objects (the flow, not the figures).
//! Without the variable it says how to run it and stops (so `cargo bench` and CI's
//! `cargo test --benches` pass over it). `upgrade-lab bench --objects 10000000` runs the same
//! world and upgrade with a finer phase table. One run, not criterion's ten samples: a sample
//! is a minute of a shared machine.

mod support;

use std::process::ExitCode;
use std::time::Instant;

/// The environment variable that opts in.
const OPT_IN: &str = "UPGRADE_LAB_BENCH_10M";
/// Objects in the directory.
const OBJECTS: u32 = 10_000_000;
/// Most wall time of the whole run, in seconds.
const WALL_TARGET_S: f64 = 60.0;
/// Most peak resident memory of the process, in bytes (12 GiB).
const PEAK_TARGET_BYTES: u64 = 12 * 1024 * 1024 * 1024;

fn main() -> ExitCode {
    if std::env::var_os(OPT_IN).is_none_or(|v| v != "1") {
        println!(
            "ten_million: skipped; set {OPT_IN}=1 to run the 10,000,000-object parallel \
             deployment (about a minute and up to 12 GiB)"
        );
        return ExitCode::SUCCESS;
    }
    // Quick mode (`UPGRADE_LAB_BENCH_QUICK=1`) runs 2,000 objects: the flow, not the figures.
    let objects = support::sizes(&[OBJECTS])[0];
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut phase = |name: &'static str, since: Instant| {
        rows.push((name, since.elapsed().as_secs_f64(), peak_rss_bytes()));
        Instant::now()
    };
    let t = Instant::now();
    let directory = support::directory(objects);
    let t = phase("generate", t);
    let (world, aad, ea) = support::world(directory);
    let t = phase("world build (DirSync converged)", t);
    support::parallel_deployment(&world, aad, ea);
    phase("upgrade (export settings to first export)", t);
    let wall = started.elapsed().as_secs_f64();
    let peak = rows.iter().filter_map(|r| r.2).max();
    println!("ten_million: {objects} objects, parallel deployment\n");
    for (name, secs, peak) in &rows {
        println!("{name:<45} {secs:>8.2} s  {:>12}", mib(*peak));
    }
    println!("{:<45} {wall:>8.2} s  {:>12}", "total", mib(peak));
    // Freeing ten million objects one by one would only add seconds after the figures.
    std::mem::forget(world);
    let wall_met = wall <= WALL_TARGET_S;
    let peak_met = peak.is_some_and(|p| p <= PEAK_TARGET_BYTES);
    println!(
        "\nwall {wall:.1} s against {WALL_TARGET_S} s: {}; peak {} against 12 GiB: {}",
        verdict(wall_met),
        mib(peak),
        verdict(peak_met)
    );
    if wall_met && peak_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or_else(
        || "unavailable".to_string(),
        |b| format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    )
}

/// `VmHWM` of `/proc/self/status` in bytes (Linux only): the process's peak so far.
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
