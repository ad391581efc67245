//! `upgrade-lab run [PATH…]`: loads every scenario file (all must be valid, else exit 2 and
//! nothing runs), runs the selected ones in parallel, prints or writes a report. Exit 0 when
//! every scenario passed, 1 when one failed, 2 on bad input.

use crate::check::EXIT_BAD_INPUT;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use upgrade_lab_scenario::determinism::{compare_runs, parse_seeds};
use upgrade_lab_scenario::limits::{MAX_REPEAT, MAX_WALL_SECONDS, max_jobs};
use upgrade_lab_scenario::outcome::SuiteOutcome;
use upgrade_lab_scenario::report::{self, HumanOptions, ReportFormat, WallTime, color_wanted};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};
use upgrade_lab_scenario::{Scenario, load_all};

/// The seeds of `--seeds`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedList(pub Vec<u64>);

fn parse_seed_list(text: &str) -> Result<SeedList, String> {
    parse_seeds(text).map(SeedList)
}

/// `--jobs` against the machine's cores: the error when it asks for too many workers.
fn jobs_problem(jobs: usize, cores: usize) -> Option<String> {
    let max = max_jobs(cores);
    (jobs > max).then(|| {
        format!(
            "error: --jobs {jobs} is out of range: allowed 0 to {max} (4 × the {cores} cores)\nhint: use --jobs 0 for one worker per core; more workers than that only wait for a core\n"
        )
    })
}

/// Runs the suite `repeat` times and compares the traces: the first run, the determinism
/// verdict for stderr, and whether any scenario's runs differed.
fn repeated(
    scenarios: &[Scenario],
    options: &RunOptions,
    repeat: u32,
) -> (SuiteOutcome, String, bool) {
    let runs: Vec<SuiteOutcome> = (0..repeat.max(1))
        .map(|_| run_suite(scenarios, options))
        .collect();
    let checks = compare_runs(&runs.iter().map(|r| r.scenarios.clone()).collect::<Vec<_>>());
    let mut text = String::new();
    let mut differ = false;
    for c in &checks {
        if let Some((run, at)) = &c.difference {
            differ = true;
            text.push_str(&format!(
                "determinism: {} (seed {}) differs between run 1 and run {run} at {at}\n  digests: {}\n",
                c.name,
                c.seed,
                c.digests.join(", ")
            ));
        }
    }
    if !differ {
        text.push_str(&format!(
            "determinism: {} scenario runs × {repeat}: every trace digest repeated\n",
            checks.len()
        ));
    }
    (
        runs.into_iter().next().unwrap_or(SuiteOutcome {
            scenarios: Vec::new(),
            wall_duration_ms: 0,
            wall_started_at: None,
            wall_hostname: None,
        }),
        text,
        differ,
    )
}

/// Exit code when a scenario failed.
pub const EXIT_FAILED: u8 = 1;

/// The report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Junit,
    /// One self-contained HTML page with every scenario's timeline.
    Html,
}

/// Run scenario files against the simulated world.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  upgrade-lab run scenarios
  upgrade-lab run scenarios --filter cutover/ --format junit --out scenarios.xml
  upgrade-lab run scenarios/cutover/rollback-after-export-refused.toml --seed 706
  upgrade-lab run scenarios --list
  upgrade-lab run scenarios/parallel --dump-tenant tenants
  upgrade-lab run scenarios --repeat 2              # every trace digest must repeat
  upgrade-lab run scenarios/staging --seeds 1..100  # a seed sweep: scenario@seed

Ranges: --seed 0 to 18446744073709551615; --seeds at most 100000 seeds; --jobs 0 to 4 × the
cores; --repeat 1 to 100; --wall-budget 1 to 86400 seconds. The ranges of scenario keys are
in scenarios/README.md.")]
pub struct RunArgs {
    /// Scenario files or folders of them (searched recursively for *.toml).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Run only scenarios whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Replace every scenario's seed (to replay a failure); 0 to 18446744073709551615.
    #[arg(long, conflicts_with = "seeds")]
    pub seed: Option<u64>,
    /// Sweep seeds: run each scenario with each seed, reported as scenario@seed. `A..B` (both
    /// ends included) or `A,B,C`; at most 100000 seeds.
    #[arg(long, value_name = "LIST", value_parser = parse_seed_list)]
    pub seeds: Option<SeedList>,
    /// Scenarios run at once; 0 (the default) = one per core; at most 4 × the cores.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Run every scenario N times (1 to 100; N = 2 when given without a value) and compare the
    /// trace digests (the JSON outcome without wall_* fields): exit 1 naming the scenario and
    /// the first differing field when two runs differ.
    #[arg(long, visible_alias = "check-determinism", value_name = "N",
          num_args = 0..=1, default_missing_value = "2",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPEAT)))]
    pub repeat: Option<u32>,
    /// Wall-clock seconds each scenario may run (1 to 86400), replacing `[budget] wall_seconds`
    /// (default 600); a scenario over it ends as an error naming the budget.
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=MAX_WALL_SECONDS))]
    pub wall_budget: Option<u64>,
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// List the scenarios that would run, with their seeds and descriptions; run nothing.
    #[arg(long)]
    pub list: bool,
    /// Write each scenario's final tenant as Microsoft Graph JSON ({"users", "groups",
    /// "contacts"}) to DIR/<scenario name with / replaced by __>.json, e.g.
    /// DIR/cutover__uninstall-then-staging-off.json. DIR is created if missing.
    #[arg(long, value_name = "DIR")]
    pub dump_tenant: Option<PathBuf>,
}

/// What `run` prints and its exit code.
pub struct RunResult {
    pub exit_code: u8,
    pub stdout: String,
    pub stderr: String,
}

fn selected(scenarios: Vec<Scenario>, filter: Option<&str>) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter(|s| filter.is_none_or(|f| s.name.contains(f)))
        .collect()
}

fn write_atomically(path: &PathBuf, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Writes each scenario's tenant to `dir/<name with / as __>.json`, atomically.
fn write_dumps(
    dir: &std::path::Path,
    suite: &upgrade_lab_scenario::outcome::SuiteOutcome,
) -> Result<(), crate::error::CliError> {
    for s in &suite.scenarios {
        if let Some(t) = &s.tenant {
            let path = dir.join(upgrade_lab_scenario::graph::dump_file_name(&s.name));
            crate::output::write_output(&path, |w| w.write_all(t.to_json().as_bytes()))?;
        }
    }
    Ok(())
}

/// Runs the command; `color` colours the human report and error excerpts.
pub fn run_paths(args: &RunArgs, color: bool) -> RunResult {
    let bad = |stderr: String| RunResult {
        exit_code: EXIT_BAD_INPUT,
        stdout: String::new(),
        stderr,
    };
    let scenarios = match load_all(&args.paths) {
        Ok(s) => selected(s, args.filter.as_deref()),
        Err(errors) => {
            let mut text: String = errors.iter().map(|e| e.render(color) + "\n").collect();
            text.push_str(&format!(
                "{} problem(s) in scenario files; nothing was run\n",
                errors.len()
            ));
            return bad(text);
        }
    };
    if scenarios.is_empty() {
        return bad(format!(
            "no scenario matches --filter {:?}; run with --list to see the names\n",
            args.filter.as_deref().unwrap_or("")
        ));
    }
    if args.list {
        let stdout = scenarios
            .iter()
            .map(|s| {
                format!(
                    "{}  seed {}  {}\n",
                    s.name,
                    args.seed.unwrap_or(s.seed()),
                    s.description()
                )
            })
            .collect();
        return RunResult {
            exit_code: 0,
            stdout,
            stderr: String::new(),
        };
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(problem) = jobs_problem(args.jobs, cores) {
        return bad(problem);
    }
    if let Some(dir) = &args.dump_tenant
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return bad(format!(
            "cannot create the tenant dump folder {}: {e}\nhint: give --dump-tenant a folder you can write to; nothing was run\n",
            dir.display()
        ));
    }
    let options = RunOptions {
        seed: args.seed,
        seeds: args.seeds.clone().map_or_else(Vec::new, |s| s.0),
        jobs: args.jobs,
        wall_budget: args.wall_budget,
        dump_tenant: args.dump_tenant.is_some(),
        ..Default::default()
    };
    let (suite, determinism, differ) = match args.repeat {
        Some(n) => repeated(&scenarios, &options, n),
        None => (run_suite(&scenarios, &options), String::new(), false),
    };
    if let Some(dir) = &args.dump_tenant
        && let Err(e) = write_dumps(dir, &suite)
    {
        return bad(format!("{e}\n"));
    }
    let format = match args.format {
        FormatArg::Human => ReportFormat::Human,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Junit => ReportFormat::Junit,
        FormatArg::Html => ReportFormat::Html,
    };
    let human = HumanOptions {
        color: color && args.out.is_none(),
        wall: WallTime::Show,
    };
    let text = report::render(&suite, format, human);
    let exit_code = if suite.all_passed() && !differ {
        0
    } else {
        EXIT_FAILED
    };
    let mut result = report_result(args, &suite, text, exit_code);
    result.stderr.push_str(&determinism);
    result
}

/// Prints the report or writes it to `--out`.
fn report_result(args: &RunArgs, suite: &SuiteOutcome, text: String, exit_code: u8) -> RunResult {
    let bad = |stderr: String| RunResult {
        exit_code: EXIT_BAD_INPUT,
        stdout: String::new(),
        stderr,
    };
    match &args.out {
        Some(path) => match write_atomically(path, &text) {
            Ok(()) => RunResult {
                exit_code,
                stdout: format!(
                    "{} of {} scenarios passed; report written to {}\n",
                    suite.count(upgrade_lab_scenario::outcome::Verdict::Pass),
                    suite.scenarios.len(),
                    path.display()
                ),
                stderr: String::new(),
            },
            Err(e) => bad(format!(
                "cannot write the report to {}: {e}\n",
                path.display()
            )),
        },
        None => RunResult {
            exit_code,
            stdout: text,
            stderr: String::new(),
        },
    }
}

/// The subcommand.
pub fn run(args: RunArgs) -> ExitCode {
    let color = color_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let result = run_paths(&args, color);
    let _ = std::io::stdout().write_all(result.stdout.as_bytes());
    let _ = std::io::stderr().write_all(result.stderr.as_bytes());
    ExitCode::from(result.exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSING: &str = "format_version = 1\ndescription = \"recommend.in-place-under-50k\"\nseed = 5\n[world]\nusers = 60\ngroups = 5\ncontacts = 5\n[[steps]]\naction = \"analyze\"\n[expect]\nrecommendation = \"in_place\"\n";

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("upgrade-lab-run-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn args(paths: Vec<PathBuf>) -> RunArgs {
        RunArgs {
            paths,
            filter: None,
            seed: None,
            seeds: None,
            jobs: 1,
            repeat: None,
            wall_budget: None,
            format: FormatArg::Human,
            out: None,
            list: false,
            dump_tenant: None,
        }
    }

    #[test]
    fn passing_scenarios_exit_0_failing_exit_1_bad_files_exit_2() {
        let d = dir("codes");
        std::fs::write(d.join("ok.toml"), PASSING).unwrap();
        let r = run_paths(&args(vec![d.clone()]), false);
        assert_eq!(r.exit_code, 0, "{}{}", r.stdout, r.stderr);
        std::fs::write(
            d.join("wrong.toml"),
            PASSING.replace("\"in_place\"", "\"parallel\""),
        )
        .unwrap();
        let r = run_paths(&args(vec![d.clone()]), false);
        assert_eq!(r.exit_code, 1);
        assert!(r.stdout.contains("--seed 5"), "{}", r.stdout);
        std::fs::write(d.join("bad.toml"), PASSING.replace("seed = 5", "seed = -5")).unwrap();
        let r = run_paths(&args(vec![d.clone()]), false);
        assert_eq!(r.exit_code, 2);
        assert!(r.stderr.contains("bad.toml:3:8"), "{}", r.stderr);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn list_filter_seed_and_json_out() {
        let d = dir("list");
        std::fs::write(d.join("alpha.toml"), PASSING).unwrap();
        std::fs::write(d.join("beta.toml"), PASSING).unwrap();
        let mut a = args(vec![d.clone()]);
        a.list = true;
        a.filter = Some("bet".into());
        a.seed = Some(77);
        let r = run_paths(&a, false);
        assert_eq!(r.stdout, "beta  seed 77  recommend.in-place-under-50k\n");
        a.list = false;
        a.format = FormatArg::Json;
        a.out = Some(d.join("report.json"));
        let r = run_paths(&a, false);
        assert_eq!(r.exit_code, 0, "{}", r.stderr);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap();
        assert_eq!(json["scenarios"][0]["seed"], 77);
        a.filter = Some("gamma".into());
        assert_eq!(
            run_paths(&a, false).exit_code,
            2,
            "a filter matching nothing is bad input"
        );
        std::fs::remove_dir_all(d).unwrap();
    }
}
