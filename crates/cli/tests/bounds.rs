//! Bad input that once hung or ate the machine is refused by `check` and by `run` before
//! anything runs: exit 2, the value located at file:line:column with the allowed range and a
//! hint, in well under a few seconds. Paths in the snapshots are normalised to `<dir>`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;

use common::BIN;

const HEAD: &str = "format_version = 1\ndescription = \"d\"\nseed = 1\n[world]\nusers = 50\ngroups = 10\ncontacts = 10\n";

fn scratch(test: &str) -> PathBuf {
    common::scratch("bounds", test)
}

/// Runs the binary in `dir` with `NO_COLOR`, timing it.
fn run_in(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let o = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (o, start.elapsed())
}

fn normalised(o: &Output, dir: &Path) -> String {
    String::from_utf8_lossy(&o.stderr).replace(&dir.display().to_string(), "<dir>")
}

fn run(args: &[&str]) -> (Output, Duration) {
    run_in(Path::new("."), args)
}

/// `check` and `run` both refuse `file` (run in its folder, so the snapshots hold short
/// relative paths) with exit 2, quickly; returns `check`'s stderr.
fn refused(dir: &Path, file: &Path) -> String {
    let path = file.file_name().unwrap().to_str().unwrap();
    let run = |args: &[&str]| run_in(dir, args);
    let (check, took) = run(&["check", path]);
    assert_eq!(check.status.code(), Some(2), "{}", normalised(&check, dir));
    assert!(took < Duration::from_secs(5), "check took {took:?}");
    let (ran, took) = run(&["run", path]);
    assert_eq!(ran.status.code(), Some(2), "{}", normalised(&ran, dir));
    assert!(took < Duration::from_secs(5), "run took {took:?}");
    assert!(ran.stdout.is_empty(), "nothing ran");
    let text = normalised(&check, dir);
    assert!(!text.contains("panicked"), "{text}");
    text
}

fn scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_trillion_churn_adds() {
    let d = scratch("churn");
    let f = scenario(
        &d,
        "churn.toml",
        &format!("{HEAD}[[steps]]\naction = \"churn\"\nadds = 1000000000000\n"),
    );
    let text = refused(&d, &f);
    assert!(
        text.contains("churn.toml:10:8: adds = 1,000,000,000,000 is out of range"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn four_billion_cycles() {
    let d = scratch("cycles");
    let f = scenario(
        &d,
        "cycles.toml",
        &format!("{HEAD}[[steps]]\naction = \"run_cycle\"\ncount = 4294967295\n"),
    );
    let text = refused(&d, &f);
    assert!(text.contains("cycles.toml:10:9: run_cycle count"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn four_hundred_thirty_day_waits() {
    let d = scratch("waits");
    let waits = "[[steps]]\naction = \"wait\"\nminutes = 43200\n".repeat(400);
    let f = scenario(&d, "waits.toml", &format!("{HEAD}{waits}"));
    let text = refused(&d, &f);
    assert!(
        text.contains("waits.toml:1207:11: the wait steps' total minutes"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn an_install_of_u64_max_milliseconds() {
    let d = scratch("timing");
    let f = scenario(
        &d,
        "timing.toml",
        &format!(
            "{HEAD}[world.timing]\nconnect_install_ms = 18446744073709551615\n[[steps]]\naction = \"analyze\"\n"
        ),
    );
    let text = refused(&d, &f);
    assert!(
        text.contains("timing.toml:9:22: connect_install_ms"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_broken_ldif_file_is_refused_by_check_at_its_line() {
    let d = scratch("ldif");
    fs::write(
        d.join("broken.ldif"),
        "version: 1\n\ndn: CN=x,DC=contoso,DC=com\nobjectClass user\n",
    )
    .unwrap();
    let f = scenario(
        &d,
        "ldif.toml",
        "format_version = 1\ndescription = \"d\"\nseed = 1\n[world]\nldif = \"broken.ldif\"\n[[steps]]\naction = \"analyze\"\n",
    );
    let text = refused(&d, &f);
    assert!(
        text.contains("broken.ldif:4:1: the LDIF file is not usable"),
        "{text}"
    );
    assert!(
        text.contains("ldif.toml:5:8"),
        "names the scenario's key: {text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn ten_thousand_jobs_are_refused_at_once() {
    let d = scratch("jobs");
    let f = scenario(
        &d,
        "ok.toml",
        &format!("{HEAD}[[steps]]\naction = \"analyze\"\n"),
    );
    let (o, took) = run(&["run", f.to_str().unwrap(), "--jobs", "10000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(took < Duration::from_secs(5), "{took:?}");
    let text = normalised(&o, &d);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let expected = format!(
        "error: --jobs 10000 is out of range: allowed 0 to {} (4 × the {cores} cores)\n",
        4 * cores
    );
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.contains("hint: use --jobs 0"), "{text}");
    // Just inside the limit runs.
    let max = (4 * cores).to_string();
    let (o, _) = run(&["run", f.to_str().unwrap(), "--jobs", &max]);
    assert_eq!(o.status.code(), Some(0), "{}", normalised(&o, &d));
}

#[test]
fn bad_seed_lists_repeat_counts_and_wall_budgets_exit_2() {
    let d = scratch("flags");
    let f = scenario(
        &d,
        "ok.toml",
        &format!("{HEAD}[[steps]]\naction = \"analyze\"\n"),
    );
    let path = f.to_str().unwrap();
    for (flag, value, says) in [
        ("--seeds", "9..2", "the range 9..2 is empty"),
        ("--seeds", "1..x", "`x` is not a seed"),
        (
            "--seeds",
            "0..100000",
            "100001 seeds is more than a sweep may run (100000)",
        ),
        ("--repeat", "0", "0 is not in 1..=100"),
        ("--repeat", "101", "101 is not in 1..=100"),
        ("--wall-budget", "86401", "86401 is not in 1..=86400"),
        ("--seed", "-1", "unexpected argument"),
    ] {
        let (o, _) = run(&["run", path, flag, value]);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        let text = normalised(&o, &d);
        assert!(text.contains(says), "{flag} {value}: {text}");
    }
    let (o, _) = run(&["run", path, "--seed", "3", "--seeds", "1,2"]);
    assert_eq!(o.status.code(), Some(2), "--seed and --seeds conflict");
}

#[test]
fn repeat_compares_digests_and_seeds_sweep_names_scenario_at_seed() {
    let d = scratch("repeat");
    let f = scenario(
        &d,
        "ok.toml",
        &format!("{HEAD}[[steps]]\naction = \"analyze\"\n"),
    );
    let path = f.to_str().unwrap();
    let (o, _) = run(&["run", path, "--check-determinism"]);
    assert_eq!(o.status.code(), Some(0), "{}", normalised(&o, &d));
    let err = normalised(&o, &d);
    assert!(
        err.contains("determinism: 1 scenario run × 2: every trace digest repeated"),
        "{err}"
    );
    let (o, _) = run(&["run", path, "--seeds", "7,9", "--repeat", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", normalised(&o, &d));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(" ok@7\n") && out.contains(" ok@9\n"), "{out}");
    assert!(normalised(&o, &d).contains("2 scenario runs × 3"));
    // A failing sweep names the seed to replay.
    let wrong = scenario(
        &d,
        "wrong.toml",
        &format!(
            "{HEAD}[[steps]]\naction = \"analyze\"\n[expect]\nrecommendation = \"parallel\"\n"
        ),
    );
    let (o, _) = run(&["run", wrong.to_str().unwrap(), "--seeds", "4..5"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("FAIL wrong@5"), "{out}");
    assert!(out.contains("wrong.toml --seed 5"), "{out}");
}

#[test]
fn help_documents_the_ranges() {
    let (o, _) = run(&["run", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for says in [
        "at most 4 × the cores",
        "1 to 100",
        "1 to 86400",
        "at most 100000 seeds",
        "0 to 18446744073709551615",
    ] {
        assert!(help.contains(says), "run --help lacks {says:?}:\n{help}");
    }
    let (o, _) = run(&["check", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("scenarios/README.md"), "{help}");
}
