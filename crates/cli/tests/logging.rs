//! `RUST_LOG`: the binary's logs on stderr show the runs and exports stamped with simulated
//! time, follow the filter's targets, say nothing when it is unset, refuse a bad filter with
//! exit 2, and never carry a planted password at any level.

mod common;

use common::{BIN, scratch};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_logged(filter: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("RUST_LOG").current_dir(root());
    if let Some(f) = filter {
        cmd.env("RUST_LOG", f);
    }
    let out = cmd.output().expect("the binary runs");
    assert!(out.status.code().is_some(), "killed by a signal");
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn debug_shows_runs_and_exports_with_simulated_time() {
    let o = run_logged(
        Some("debug"),
        &[
            "run",
            "scenarios/in-place",
            "--jobs",
            "1",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let log = stderr(&o);
    let runs: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("upgrade_lab_simulator::world::runs: run profile ended"))
        .collect();
    assert!(runs.len() > 20, "too few run lines:\n{log}");
    let export = log
        .lines()
        .find(|l| l.contains("upgrade_lab_simulator::tenant::ledger: export reached the tenant"))
        .unwrap_or_else(|| panic!("no export line:\n{log}"));
    for line in runs.iter().chain([&export]) {
        let stamp = line.split_whitespace().next().unwrap_or("");
        assert!(
            stamp.starts_with("T+"),
            "not stamped with simulated time: {line}"
        );
        assert!(line.contains(" scenario{name="), "no scenario span: {line}");
    }
    assert!(
        log.contains("upgrade_lab_engine::events: changed: DirSync uninstalled"),
        "{log}"
    );
    serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .expect("stdout is still the JSON report");
}

#[test]
fn the_filter_selects_targets_and_no_filter_logs_nothing() {
    let args = ["run", "scenarios/in-place/upgrade-resumes-active-sync.toml"];
    let tenant = stderr(&run_logged(
        Some("upgrade_lab_simulator::tenant=debug"),
        &args,
    ));
    assert!(tenant.contains("export reached the tenant"), "{tenant}");
    assert!(
        tenant
            .lines()
            .all(|l| l.contains("upgrade_lab_simulator::tenant")),
        "lines of other targets:\n{tenant}"
    );
    assert_eq!(stderr(&run_logged(None, &args)), "");
    assert_eq!(stderr(&run_logged(Some(""), &args)), "");
}

#[test]
fn a_bad_filter_is_refused_with_exit_2() {
    let o = run_logged(Some("debug,=["), &["run", "scenarios/in-place"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with("error: RUST_LOG=\"debug,=[\" is not a valid filter"),
        "{e}"
    );
    assert!(o.stdout.is_empty(), "nothing ran");
}

/// Every planted password has this shape (`Planted-<credential>-<seed in hex>-Pw!`).
fn leaked(text: &str) -> Option<&str> {
    let at = text.find("Planted-")?;
    let rest = &text[at..];
    rest.find("-Pw!").map(|end| &rest[..end + 4])
}

/// Copies of the credential, in-place and parallel scenarios with every password planted.
fn planted_copies(dir: &Path) -> usize {
    let mut count = 0;
    for folder in ["credentials", "in-place", "parallel", "assertions"] {
        for entry in fs::read_dir(root().join("scenarios").join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            // LDIF worlds name their file relative to the scenario: they stay where they are.
            let skip = text.contains("planted_secrets") || text.contains("ldif");
            if path.extension().is_none_or(|e| e != "toml") || skip {
                continue;
            }
            let planted = text.replacen("[world]\n", "[world]\nplanted_secrets = true\n", 1);
            let name = format!("{folder}-{}", path.file_name().unwrap().to_string_lossy());
            fs::write(dir.join(name), planted).unwrap();
            count += 1;
        }
    }
    count
}

#[test]
fn no_planted_password_reaches_the_logs_at_any_level() {
    assert_eq!(
        leaked("x Planted-AzureAd-e7-Pw! y"),
        Some("Planted-AzureAd-e7-Pw!")
    );
    assert_eq!(leaked("Planted- but no end"), None);
    let dir = scratch("logging", "secrets");
    assert!(planted_copies(&dir) > 20);
    fs::copy(
        root().join("scenarios/assertions/planted-secrets.toml"),
        dir.join("planted-secrets.toml"),
    )
    .unwrap();
    let path = dir.to_string_lossy().into_owned();
    for format in ["human", "json", "junit"] {
        let o = run_logged(Some("trace"), &["run", &path, "--format", format]);
        assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
        let log = stderr(&o);
        let lines = log.lines().count();
        assert!(lines > 300, "{lines} lines: too short to mean anything");
        assert!(log.contains(" DEBUG ") && log.contains("export reached the tenant"));
        for (name, text) in [
            ("stderr", log),
            ("stdout", String::from_utf8_lossy(&o.stdout).into()),
        ] {
            assert_eq!(
                leaked(&text),
                None,
                "a planted password on {name} ({format})"
            );
        }
    }
    fs::remove_dir_all(dir).unwrap();
}
