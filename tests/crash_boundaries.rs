//! A crash at every boundary of both upgrade paths: before, during and after each step of the
//! documented step orders, for each server of the path, and at each point inside a run
//! sequence (`phase`: after the imports, after the synchronizations, halfway through an export)
//! from each step on. Each crash lasts 30 minutes (the server restarts); the path then goes on,
//! a step the crash failed is retried once the server is back, and the world is left an hour
//! and a half to converge.
//!
//! Every boundary must end with no invariant violated (nothing lost, duplicated, orphaned,
//! stale or exported twice, never two active exporters) and either resume or stop at a refusal
//! or error kind the scenario README documents. The table of boundary → outcome is
//! `docs/crash-boundaries.md`; `UPDATE_CRASH_TABLE=1 cargo test --test crash_boundaries`
//! rewrites it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use upgrade_lab_scenario::format::CRASH_PHASES;
use upgrade_lab_scenario::outcome::{EventSource, ScenarioOutcome};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};
use upgrade_lab_scenario::vocabulary::{ERROR_KINDS, REFUSAL_KINDS};
use upgrade_lab_scenario::{Scenario, load_text};
use upgrade_lab_simulator::world::PlantedBug;

/// Minutes a crashed server stays down.
const DOWN_MINUTES: u64 = 30;
/// Retries of failed steps before the outcome is taken as it stands.
const MAX_ROUNDS: usize = 4;

/// One step of a path: its action and the rest of its TOML table.
struct PathStep {
    action: &'static str,
    keys: &'static str,
}

struct UpgradePath {
    name: &'static str,
    seed: u64,
    /// The servers a crash can take down (in place, Connect is installed on DirSync's machine:
    /// one server).
    servers: &'static [&'static str],
    steps: &'static [PathStep],
}

const fn step(action: &'static str, keys: &'static str) -> PathStep {
    PathStep { action, keys }
}

/// The documented step orders (`scenarios/in-place/`, `scenarios/cutover/`), with churn so
/// the exports carry directory changes. In place, the churn waits for Connect's initial cycle:
/// an object deleted before Connect's first import is never deleted from Azure AD (the
/// exporter gap of `cutover/deleted-before-takeover-orphans`), crash or not.
const PATHS: [UpgradePath; 2] = [
    UpgradePath {
        name: "in-place",
        seed: 940,
        servers: &["connect"],
        steps: &[
            step("analyze", ""),
            step("upgrade_in_place", ""),
            step("wait", "minutes = 60"),
            step("churn", "adds = 5\nupdates = 20\ndeletes = 3"),
            step("run_cycle", "server = \"connect\""),
        ],
    },
    UpgradePath {
        name: "parallel",
        seed: 941,
        servers: &["connect", "dirsync"],
        steps: &[
            step("analyze", ""),
            step("export_settings", "force = true"),
            step("install_parallel", ""),
            step("churn", "adds = 5\nupdates = 20\ndeletes = 3"),
            step("wait", "minutes = 200"),
            step("verify_staging", ""),
            step("uninstall_dirsync", ""),
            step("disable_staging", ""),
            step("run_cycle", "server = \"connect\""),
        ],
    },
];

/// When a boundary's crash strikes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum When {
    Before,
    During,
    After,
    /// `during` the step with this `phase`.
    Phase(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Boundary {
    path: usize,
    step: usize,
    when: When,
    server: &'static str,
}

impl Boundary {
    fn path(&self) -> &'static UpgradePath {
        &PATHS[self.path]
    }

    fn name(&self) -> String {
        let when = match &self.when {
            When::Before => "before".to_string(),
            When::During => "during".to_string(),
            When::After => "after".to_string(),
            When::Phase(p) => format!("during-{p}"),
        };
        format!(
            "{}/{}-{}-{}-{}",
            self.path().name,
            self.step,
            self.path().steps[self.step].action,
            when,
            self.server
        )
    }

    /// The table's words for where the crash strikes.
    fn label(&self) -> String {
        let action = self.path().steps[self.step].action;
        match &self.when {
            When::Before => format!("before `{action}`"),
            When::During => format!("during `{action}`"),
            When::After => format!("after `{action}`"),
            When::Phase(p) => format!("`{p}`, from `{action}` on"),
        }
    }
}

/// Every boundary: step boundaries × server × path, and the run-sequence phases from each step.
fn boundaries() -> Vec<Boundary> {
    let mut out = Vec::new();
    for (p, path) in PATHS.iter().enumerate() {
        for s in 0..path.steps.len() {
            for &server in path.servers {
                let mut whens = vec![When::Before, When::During, When::After];
                whens.extend(CRASH_PHASES.iter().map(|p| When::Phase(p)));
                for when in whens {
                    out.push(Boundary {
                        path: p,
                        step: s,
                        when,
                        server,
                    });
                }
            }
        }
    }
    out
}

fn step_id(i: usize, action: &str) -> String {
    format!("s{i}_{action}")
}

/// The scenario text of a boundary; `retries` are the step indices retried (each after the
/// server's restart).
fn scenario_text(b: &Boundary, retries: &[usize]) -> String {
    let path = b.path();
    let mut t = format!(
        "format_version = 1\ndescription = \"crash {}\"\nseed = {}\n\n[world]\nusers = 400\n\
         groups = 80\ncontacts = 20\n",
        b.label().replace('`', ""),
        path.seed
    );
    let mut push = |id: String, action: &str, keys: &str| {
        let _ = write!(
            t,
            "\n[[steps]]\naction = \"{action}\"\nid = \"{id}\"\n{keys}\n"
        );
    };
    for (i, s) in path.steps.iter().enumerate() {
        push(step_id(i, s.action), s.action, s.keys);
        let crash_here = i == b.step && !matches!(b.when, When::Phase(_));
        if crash_here || retries.contains(&i) {
            push(
                format!("s{i}_restart"),
                "wait",
                &format!("minutes = {DOWN_MINUTES}"),
            );
        }
        if retries.contains(&i) {
            push(format!("s{i}_retry"), s.action, s.keys);
        }
    }
    push("converge".into(), "wait", "minutes = 90");
    let target = step_id(b.step, path.steps[b.step].action);
    let trigger = match &b.when {
        When::Before => format!("before = \"{target}\""),
        When::During => format!("during = \"{target}\""),
        When::After => format!("after = \"{target}\""),
        When::Phase(p) => format!("during = \"{target}\"\nphase = \"{p}\""),
    };
    let _ = write!(
        t,
        "\n[[faults]]\nkind = \"crash\"\nserver = \"{}\"\n{trigger}\nfor_minutes = {DOWN_MINUTES}\n\
         may_miss = true\n",
        b.server
    );
    t
}

fn load(b: &Boundary, retries: &[usize]) -> Scenario {
    let name = b.name();
    let text = scenario_text(b, retries);
    load_text(&name, Path::new(&format!("{name}.toml")), text.clone())
        .unwrap_or_else(|e| panic!("{name}: {}\n{text}", e[0].plain()))
}

/// A step's result as the runner's timeline says it: `None` when done, else its outcome
/// (`refused`, `failed`) and kind.
fn step_results(o: &ScenarioOutcome) -> Vec<(String, Option<(String, String)>)> {
    o.events
        .iter()
        .filter(|e| e.source == EventSource::Runner && e.kind == "step_result")
        .filter_map(|e| {
            let name = e.data_str("step")?.to_string();
            let result = e.data.get("result")?;
            let outcome = result.get("outcome")?.as_str()?;
            let failure = (outcome != "done").then(|| {
                let kind = result.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                (outcome.to_string(), kind.to_string())
            });
            Some((name, failure))
        })
        .collect()
}

/// What a boundary came to.
#[derive(Clone, Debug)]
struct Outcome {
    text: String,
    violations: Vec<String>,
    undocumented: Vec<String>,
}

/// The step indices of the path steps (not retries) that failed, first attempts only.
fn failed_steps(b: &Boundary, o: &ScenarioOutcome, retries: &[usize]) -> Vec<usize> {
    let results: BTreeMap<String, bool> = step_results(o)
        .into_iter()
        .map(|(n, f)| (n, f.is_none()))
        .collect();
    b.path()
        .steps
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            !retries.contains(i) && results.get(&step_id(*i, s.action)) == Some(&false)
        })
        .map(|(i, _)| i)
        .collect()
}

fn judge(b: &Boundary, o: &ScenarioOutcome, retries: &[usize]) -> Outcome {
    let violations: Vec<String> = o
        .invariants
        .iter()
        .filter(|i| !i.held)
        .map(|i| format!("{}: {}", i.name, i.detail))
        .collect();
    let path = b.path();
    let mut left = Vec::new();
    let mut undocumented = Vec::new();
    for (name, failure) in step_results(o) {
        let Some((how, kind)) = failure else { continue };
        let documented = match how.as_str() {
            "refused" => REFUSAL_KINDS.contains(&kind.as_str()),
            _ => ERROR_KINDS.contains(&kind.as_str()),
        };
        if !documented {
            undocumented.push(format!("{name}: {how} {kind}"));
        }
        // `s{i}_{action}`, `s{i}_restart` or `s{i}_retry`.
        let Some((index, suffix)) = name.strip_prefix('s').and_then(|n| n.split_once('_')) else {
            continue;
        };
        let Some(i) = index
            .parse::<usize>()
            .ok()
            .filter(|&i| i < path.steps.len())
        else {
            continue;
        };
        if suffix == "retry" || !retries.contains(&i) {
            left.push(format!("{how} `{kind}` at `{}`", path.steps[i].action));
        }
    }
    let fault = o.faults.first();
    let started = fault.is_some_and(|f| f.active_from_ms.is_some());
    let hits = fault.map_or(0, |f| f.hit_count);
    let retried: Vec<&str> = retries.iter().map(|&i| path.steps[i].action).collect();
    let text = if !violations.is_empty() {
        let kinds: Vec<&str> = violations
            .iter()
            .map(|v| v.split(':').next().unwrap_or(v))
            .collect();
        format!(
            "violated `{}`: AD deletes before Connect's first sync (exporter gap, see the note)",
            kinds.join("`, `")
        )
    } else if !started {
        "not reached: the crash never struck (no such run, or no middle, after the step)"
            .to_string()
    } else if !left.is_empty() {
        left.join(", ")
    } else if hits == 0 {
        "resumed (the crash met nothing)".to_string()
    } else if retried.is_empty() {
        "resumed".to_string()
    } else {
        format!("resumed after retrying `{}`", retried.join("`, `"))
    };
    Outcome {
        text,
        violations,
        undocumented,
    }
}

fn run(scenarios: &[Scenario], bug: Option<PlantedBug>) -> Vec<ScenarioOutcome> {
    let options = RunOptions {
        jobs: 2,
        planted_bug: bug,
        ..Default::default()
    };
    run_suite(scenarios, &options).scenarios
}

/// Runs every boundary, retrying failed steps after the restart, and judges each.
fn outcomes(all: &[Boundary], bug: Option<PlantedBug>) -> Vec<Outcome> {
    let mut retries: Vec<Vec<usize>> = vec![Vec::new(); all.len()];
    let mut done: Vec<Option<Outcome>> = vec![None; all.len()];
    for round in 0..MAX_ROUNDS {
        let todo: Vec<usize> = (0..all.len()).filter(|&i| done[i].is_none()).collect();
        let scenarios: Vec<Scenario> = todo.iter().map(|&i| load(&all[i], &retries[i])).collect();
        let results = run(&scenarios, bug);
        for (&i, o) in todo.iter().zip(&results) {
            let failed = failed_steps(&all[i], o, &retries[i]);
            let last = round + 1 == MAX_ROUNDS;
            let started = o.faults.first().is_some_and(|f| f.active_from_ms.is_some());
            // Only the first failure is retried: the later ones may follow from it.
            match failed.first() {
                Some(&first) if !last && started => {
                    retries[i].push(first);
                    retries[i].sort_unstable();
                }
                _ => done[i] = Some(judge(&all[i], o, &retries[i])),
            }
        }
    }
    done.into_iter().map(|o| o.expect("judged")).collect()
}

fn table(all: &[Boundary], outcomes: &[Outcome]) -> String {
    let mut t = String::from(
        "# Crash at every boundary\n\n\
         Generated by `tests/crash_boundaries.rs` (`UPDATE_CRASH_TABLE=1 cargo test --test \
         crash_boundaries` rewrites it; the test fails when this file and the outcomes \
         differ). Each row is one scenario: the path's documented steps, a `crash` of the \
         server for 30 minutes at the boundary, a 30-minute wait for the restart, every step \
         the crash failed retried once the server is back, and 90 minutes to converge. Every \
         row ended with no invariant violated (nothing lost, duplicated, orphaned, stale or \
         exported twice; never two active exporters).\n\n\
         Outcomes: **resumed** (every step worked), **resumed after retrying** (the step \
         named failed while the server was down and worked when retried), **refused / \
         failed `kind` at `step`** (a refusal or error kind of `scenarios/README.md` that a \
         retry did not clear; the later steps then meet the state it left), **not reached** \
         (the trigger never fired: no run sequence of that server reached the `phase` after \
         the step, or the step has no middle), **violated** (see the note in \
         `tests/crash_boundaries.rs`: a known exporter gap of the in-place path).\n",
    );
    for (p, path) in PATHS.iter().enumerate() {
        let steps: Vec<&str> = path.steps.iter().map(|s| s.action).collect();
        let _ = write!(
            t,
            "\n## {}\n\nSteps: `{}`.\n\n| crash of | when | outcome |\n|---|---|---|\n",
            path.name,
            steps.join("` → `")
        );
        for (b, o) in all.iter().zip(outcomes).filter(|(b, _)| b.path == p) {
            let _ = writeln!(t, "| {} | {} | {} |", b.server, b.label(), o.text);
        }
    }
    t
}

fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/crash-boundaries.md")
}

/// Boundaries where the crash widens the exporter gap of an in-place upgrade: Connect's
/// initial cycle stops after its imports, and AD deletes the churn makes before Connect's
/// first synchronization leave tenant objects nobody deletes. Connect starts from an empty
/// database (LocalDB where DirSync used SQL Express): an object deleted from AD before Connect
/// projected it never joins its tenant object, which stays a disconnector, and Connect does
/// not delete what it did not provision. The same happens without a crash when deletes fall
/// in that window (`cutover/deleted-before-takeover-orphans` for the parallel path); the only
/// remedy is removing the orphans in Azure AD by hand. These boundaries must violate exactly
/// `object_orphaned`, and no other boundary may.
const KNOWN_GAP: [&str; 3] = [
    "in-place/0-analyze-during-after_import-connect",
    "in-place/1-upgrade_in_place-during-after_import-connect",
    "in-place/2-wait-during-after_import-connect",
];

fn problems(all: &[Boundary], results: &[Outcome]) -> Vec<String> {
    let mut problems = Vec::new();
    for (b, o) in all.iter().zip(results) {
        let kinds: Vec<&str> = o
            .violations
            .iter()
            .map(|v| v.split(':').next().unwrap_or(v))
            .collect();
        let allowed: &[&str] = if KNOWN_GAP.contains(&b.name().as_str()) {
            &["object_orphaned"]
        } else {
            &[]
        };
        if kinds != allowed {
            problems.push(format!("{}: violated {:?}", b.name(), o.violations));
        }
        if !o.undocumented.is_empty() {
            problems.push(format!("{}: undocumented {:?}", b.name(), o.undocumented));
        }
    }
    problems
}

#[test]
fn every_boundary_resumes_or_refuses_and_the_table_is_current() {
    let all = boundaries();
    let results = outcomes(&all, None);
    let rendered = table(&all, &results);
    let path = table_path();
    if std::env::var_os("UPDATE_CRASH_TABLE").is_some() {
        std::fs::write(&path, &rendered).expect("write the table");
    }
    let problems = problems(&all, &results);
    assert!(problems.is_empty(), "{problems:#?}");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/crash-boundaries.md differs from the outcomes; review and rerun with \
         UPDATE_CRASH_TABLE=1.\n--- rendered ---\n{rendered}"
    );
}

#[test]
fn every_phase_and_step_and_server_is_enumerated() {
    let all = boundaries();
    let per_path: usize = PATHS
        .iter()
        .map(|p| p.steps.len() * p.servers.len() * (3 + CRASH_PHASES.len()))
        .sum();
    assert_eq!(all.len(), per_path);
    let mut names: Vec<String> = all.iter().map(Boundary::name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.len(), "each boundary is its own scenario");
}

/// The test has teeth: an export that, after a crash, replays the writes the interrupted run
/// had made shows as `export_repeated` on the boundaries that crash in the middle of an export.
#[test]
fn a_replayed_export_after_a_crash_is_caught() {
    let all: Vec<Boundary> = boundaries()
        .into_iter()
        .filter(|b| b.when == When::Phase("during_export"))
        .collect();
    let clean = outcomes(&all, None);
    assert!(clean.iter().all(|o| o.violations.is_empty()), "{clean:#?}");
    let planted = outcomes(&all, Some(PlantedBug::ReplayInterruptedExport));
    let caught: Vec<String> = all
        .iter()
        .zip(&planted)
        .filter(|(_, o)| {
            o.violations
                .iter()
                .any(|v| v.starts_with("export_repeated"))
        })
        .map(|(b, _)| b.name())
        .collect();
    assert!(
        !caught.is_empty(),
        "the replay went unnoticed: {planted:#?}"
    );
}

/// And a restart that loses what the imports staged before the crash (the watermarks kept, so
/// nothing reads the changes again) leaves the tenant stale: the oracle sees it on the
/// boundaries that crash right after a cycle's imports once the churn happened.
#[test]
fn a_restart_that_loses_the_staged_imports_is_caught() {
    let all: Vec<Boundary> = boundaries()
        .into_iter()
        .filter(|b| b.when == When::Phase("after_import") && b.server == "connect")
        .filter(|b| b.path().steps[b.step].action == "churn")
        .collect();
    assert!(!all.is_empty());
    let planted = outcomes(&all, Some(PlantedBug::RestartLosesStagedImports));
    let caught: Vec<String> = all
        .iter()
        .zip(&planted)
        .filter(|(_, o)| o.violations.iter().any(|v| v.starts_with("object_")))
        .map(|(b, _)| b.name())
        .collect();
    assert!(
        !caught.is_empty(),
        "the lost imports went unnoticed: {planted:#?}"
    );
}
