//! `upgrade-lab bench` through the built binary: the figures of every phase in both formats,
//! both upgrade paths, and exit codes of bad arguments. Small directories; no timing is
//! asserted, only that the figures are there and consistent.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_upgrade-lab");

fn bench(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("bench")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let o = bench(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("the json output parses")
}

fn phase_names(report: &serde_json::Value) -> Vec<String> {
    report["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .map(|p| p["phase"].as_str().expect("phase name").to_string())
        .collect()
}

#[test]
fn parallel_json_has_every_phase_with_its_figures() {
    let report = json(&["--objects", "600", "--path", "parallel", "--seed", "3"]);
    assert_eq!(report["objects_count"], 600);
    assert_eq!(report["path"], "parallel");
    assert_eq!(report["seed"], 3);
    assert_eq!(
        phase_names(&report),
        [
            "generate",
            "world build (DirSync converged)",
            "export settings",
            "install with /migrate (staging initial cycle)",
            "verify staging",
            "cut over (first export)",
        ]
    );
    let phases = report["phases"].as_array().expect("phases");
    for p in phases.iter().chain(std::iter::once(&report["total"])) {
        assert!(p["wall_ms"].as_f64().expect("wall_ms") >= 0.0, "{p}");
        assert!(p["simulated_ms"].is_u64(), "{p}");
        if cfg!(target_os = "linux") {
            assert!(
                p["peak_rss_bytes"].as_u64().expect("peak RSS on Linux") > 0,
                "{p}"
            );
        }
        if let Some(ratio) = p["compression_ratio"].as_f64() {
            let expected = p["simulated_ms"].as_f64().expect("number")
                / p["wall_ms"].as_f64().expect("number");
            assert!((ratio - expected).abs() <= expected * 1e-9 + 1e-9, "{p}");
        }
    }
    // Generation and the world build take no simulated time; the upgrade itself does.
    assert_eq!(phases[0]["simulated_ms"], 0);
    assert_eq!(phases[1]["simulated_ms"], 0);
    let simulated: u64 = phases
        .iter()
        .map(|p| p["simulated_ms"].as_u64().expect("number"))
        .sum();
    assert!(simulated > 0);
    assert_eq!(report["total"]["simulated_ms"], simulated);
    assert_eq!(report["total"]["phase"], "total");
}

#[test]
fn simulated_time_is_deterministic_for_a_seed() {
    let times = |r: &serde_json::Value| -> Vec<u64> {
        r["phases"]
            .as_array()
            .expect("phases")
            .iter()
            .map(|p| p["simulated_ms"].as_u64().expect("number"))
            .collect()
    };
    let a = json(&["--objects", "300", "--seed", "9"]);
    let b = json(&["--objects", "300", "--seed", "9"]);
    assert_eq!(times(&a), times(&b));
}

#[test]
fn in_place_runs_one_upgrade_step() {
    let report = json(&["--objects", "400", "--path", "in-place"]);
    assert_eq!(report["path"], "in-place");
    assert_eq!(
        phase_names(&report),
        [
            "generate",
            "world build (DirSync converged)",
            "upgrade in place"
        ]
    );
    assert!(
        report["phases"][2]["simulated_ms"]
            .as_u64()
            .expect("number")
            > 0
    );
}

#[test]
fn human_output_is_a_table_with_a_total() {
    let o = bench(&["--objects", "300"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("bench: 300 objects, parallel upgrade, seed 42"),
        "{out}"
    );
    for column in [
        "phase",
        "wall",
        "simulated",
        "sim/wall",
        "objects/wall s",
        "peak RSS",
    ] {
        assert!(out.contains(column), "{column} missing in {out}");
    }
    let err = String::from_utf8_lossy(&o.stderr);
    for phase in [
        "generate",
        "world build (DirSync converged)",
        "cut over (first export)",
    ] {
        assert!(
            err.contains(&format!("phase {phase} … done in ")),
            "{phase} has no line: {err}"
        );
    }
    let total = out
        .lines()
        .find(|l| l.starts_with("total"))
        .expect("a total line");
    assert!(total.contains(" ms"), "{total}");
    assert!(
        total.contains("MiB") || total.contains("unavailable"),
        "{total}"
    );
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for args in [
        &["--objects", "0"][..],
        &["--objects", "many"][..],
        &["--path", "sideways"][..],
        &["--format", "xml"][..],
    ] {
        let o = bench(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let err = String::from_utf8_lossy(&bench(&["--objects", "0"]).stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--objects"), "{err}");
}

#[test]
fn scaling_runs_each_size_in_a_process_of_its_own() {
    let report = json(&["--scaling", "20000,1000", "--seed", "4"]);
    assert_eq!(report["path"], "parallel");
    assert_eq!(report["seed"], 4);
    let sizes = report["sizes"].as_array().expect("sizes");
    let objects: Vec<u64> = sizes
        .iter()
        .map(|s| s["objects_count"].as_u64().expect("count"))
        .collect();
    assert_eq!(objects, [20_000, 1_000], "in the order given");
    // Each size's simulated time is the one its own bench gives: the same run, read back.
    for size in sizes {
        let n = size["objects_count"].to_string();
        let alone = json(&["--objects", &n, "--seed", "4"]);
        assert_eq!(size["simulated_ms"], alone["total"]["simulated_ms"], "{n}");
        let wall = size["wall_ms"].as_f64().expect("wall");
        let per_object = size["wall_us_per_object"].as_f64().expect("per object");
        let count = size["objects_count"].as_f64().expect("count");
        assert!((per_object - wall * 1_000.0 / count).abs() <= 1e-6 * per_object + 1e-9);
    }
    // The small size ran after the large one; in the same process it would have inherited
    // the large one's peak.
    if cfg!(target_os = "linux") {
        let peak = |i: usize| sizes[i]["peak_rss_bytes"].as_u64().expect("peak RSS");
        assert!(peak(1) < peak(0), "1,000: {} 20,000: {}", peak(1), peak(0));
    }
    let spread = report["wall_per_object_spread"].as_f64().expect("spread");
    assert!(spread >= 1.0, "{spread}");
}

/// The table with what wall time decides masked (wall, its ratios, memory) and its columns
/// cut at their two-space gaps, so the snapshot holds the shape and the simulated times.
fn masked_table(text: &str) -> String {
    let mask = |cell: &str| -> String {
        let unit = cell.rsplit_once(' ').map_or("", |(_, u)| u);
        match cell {
            c if c.ends_with(" ms") || c.ends_with(" µs") || c.ends_with(" MiB") => {
                format!("<n> {unit}")
            }
            c if c.ends_with('x')
                && c[..c.len() - 1]
                    .replace([',', '.'], "")
                    .parse::<u64>()
                    .is_ok() =>
            {
                "<n>x".to_string()
            }
            c => c.to_string(),
        }
    };
    text.lines()
        .map(|line| {
            if let Some(head) = line.strip_suffix('x').and_then(|l| l.rsplit_once(": ")) {
                return format!("{}: <n>x", head.0);
            }
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(mask)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn scaling_table_has_a_row_per_size() {
    let o = bench(&["--scaling", "1000,2000"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for n in ["1,000", "2,000"] {
        assert!(
            err.contains(&format!("phase bench {n} objects (own process) … done in ")),
            "{err}"
        );
    }
    insta::assert_snapshot!(masked_table(&String::from_utf8_lossy(&o.stdout)));
}

#[test]
fn bad_scaling_sizes_exit_2_with_one_line() {
    for (sizes, says) in [
        ("0", "at least 1"),
        ("abc", "'abc' is not a number of objects"),
        ("1000,,2000", "empty size"),
        ("1,2,3,4,5,6,7,8,9", "at most 8"),
        ("20000000", "at most 10,000,000"),
    ] {
        let o = bench(&["--scaling", sizes]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{sizes}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{sizes}: {err}");
        assert!(err.starts_with("error: --scaling"), "{sizes}: {err}");
        assert!(err.contains(says), "{sizes}: {err}");
        assert!(o.stdout.is_empty(), "{sizes}");
    }
    let o = bench(&["--scaling", "1000", "--objects", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with"));
    let o = bench(&["--objects", "10000001"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at most 10,000,000"));
}
