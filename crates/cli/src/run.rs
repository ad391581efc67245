//! `upgrade-lab run [PATH…]`: loads every scenario file (all must be valid, else exit 2 and
//! nothing runs), runs the selected ones in parallel, prints or writes a report. Exit 0 when
//! every scenario passed, 1 when one failed, 2 on bad input.

use crate::color::{self, ColorChoice, Stream};
use crate::error::Finished;
use crate::error::{EXIT_FAILED, EXIT_USAGE};
use crate::live::{Printer, animated};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use upgrade_lab_scenario::Scenario;
use upgrade_lab_scenario::determinism::{compare_runs, parse_seeds};
use upgrade_lab_scenario::limits::{MAX_REPEAT, MAX_WALL_SECONDS, max_jobs};
use upgrade_lab_scenario::numbers::{count_usize, thousands_usize};
use upgrade_lab_scenario::outcome::{SuiteOutcome, Verdict};
use upgrade_lab_scenario::report::live::{self, LiveOptions, Verbosity};
use upgrade_lab_scenario::report::{self, HumanOptions, ReportFormat, WallTime};
use upgrade_lab_scenario::runner::{RunOptions, run_suite, run_suite_with, sweep};

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
/// The first run's scenarios are printed as they end; the others only compared.
fn repeated(
    scenarios: &[Scenario],
    options: &RunOptions,
    repeat: u32,
    printer: &Printer,
) -> (SuiteOutcome, String, bool) {
    let runs: Vec<SuiteOutcome> = (0..repeat.max(1))
        .map(|n| match n {
            0 => run_suite_with(scenarios, options, &|f| printer.finished(f)),
            _ => run_suite(scenarios, options),
        })
        .collect();
    let checks = compare_runs(&runs.iter().map(|r| r.scenarios.clone()).collect::<Vec<_>>());
    let mut text = String::new();
    let mut differ = false;
    for c in &checks {
        if let Some((run, at)) = &c.difference {
            differ = true;
            let _ = write!(
                text,
                "determinism: {} (seed {}) differs between run 1 and run {run} at {at}\n  digests: {}\n",
                c.name,
                c.seed,
                c.digests.join(", ")
            );
        }
    }
    if !differ {
        let _ = writeln!(
            text,
            "determinism: {} × {repeat}: every trace digest repeated",
            count_usize(checks.len(), "scenario run")
        );
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
  upgrade-lab run scenarios -q                      # only what failed, and the summary
  upgrade-lab run scenarios/in-place -v --jobs 1    # each step's result as scenarios end
  upgrade-lab run scenarios --format json > r.json  # live lines on stderr, JSON on stdout
  upgrade-lab run scenarios --color never | less

Each scenario prints a line as it ends (status, wall time, simulated time, name), what failed
right under it, and the summary last; a progress bar shows on a terminal (never under
CI=true). NO_COLOR turns colour off and CLICOLOR_FORCE on under --color auto.

Ranges: --seed 0 to 18446744073709551615; --seeds at most 100000 seeds; --jobs 0 to 4 × the
cores; --repeat 1 to 100; --wall-budget 1 to 86400 seconds. The ranges of scenario keys are
in scenarios/README.md.")]
pub struct RunArgs {
    /// Scenario files or folders of them (searched recursively for *.toml); `-` reads one
    /// scenario from standard input.
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
    /// Write the report to this file (`-`: standard output, the live lines then go to
    /// standard error).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print only the scenarios that did not pass, and the summary.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print each step's result, the expected violations and each fault's hits as a
    /// scenario ends.
    #[arg(short, long)]
    pub verbose: bool,
    /// List the scenarios that would run, with their seeds and descriptions; run nothing.
    #[arg(long)]
    pub list: bool,
    /// Write each scenario's final tenant as Microsoft Graph JSON ({"users", "groups",
    /// "contacts"}) to DIR/<scenario name with / replaced by __>.json, e.g.
    /// DIR/cutover__uninstall-then-staging-off.json. DIR is created if missing.
    #[arg(long, value_name = "DIR")]
    pub dump_tenant: Option<PathBuf>,
}

fn selected(scenarios: Vec<Scenario>, filter: Option<&str>) -> Vec<Scenario> {
    scenarios
        .into_iter()
        .filter(|s| filter.is_none_or(|f| s.name.contains(f)))
        .collect()
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

fn bad(stderr: String) -> Finished {
    Finished {
        exit_code: EXIT_USAGE,
        stdout: String::new(),
        stderr,
    }
}

/// `--out -`: the report goes to standard output.
fn out_is_stdout(args: &RunArgs) -> bool {
    args.out.as_deref() == Some(Path::new("-"))
}

/// Where the live lines go: standard error when the report itself goes to standard output
/// (`--format json|junit` without `--out`, or `--out -`), so that stays the pure document.
pub fn live_stream(args: &RunArgs) -> Stream {
    let document_on_stdout =
        out_is_stdout(args) || (args.out.is_none() && args.format != FormatArg::Human);
    if document_on_stdout {
        Stream::Stderr
    } else {
        Stream::Stdout
    }
}

/// The scenarios to run, or what stops the run before it starts (exit 2) or instead of it
/// (`--list`, exit 0).
fn prepare(args: &RunArgs, color: bool) -> Result<Vec<Scenario>, Finished> {
    let scenarios = match crate::check::load_scenarios(&args.paths) {
        Ok(s) => selected(s, args.filter.as_deref()),
        Err(errors) => {
            let mut text: String = errors.iter().map(|e| e.render(color) + "\n").collect();
            let _ = writeln!(
                text,
                "{} in scenario files; nothing was run",
                count_usize(errors.len(), "problem")
            );
            return Err(bad(text));
        }
    };
    if scenarios.is_empty() {
        return Err(bad(format!(
            "no scenario matches --filter {:?}; run with --list to see the names\n",
            args.filter.as_deref().unwrap_or("")
        )));
    }
    if args.list {
        let stdout = scenarios.iter().fold(String::new(), |mut out, s| {
            let seed = args.seed.unwrap_or(s.seed());
            let _ = writeln!(out, "{}  seed {seed}  {}", s.name, s.description());
            out
        });
        return Err(Finished {
            exit_code: 0,
            stdout,
            stderr: String::new(),
        });
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if let Some(problem) = jobs_problem(args.jobs, cores) {
        return Err(bad(problem));
    }
    if let Some(dir) = &args.dump_tenant
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(bad(format!(
            "cannot create the tenant dump folder {}: {e}\nhint: give --dump-tenant a folder you can write to; nothing was run\n",
            dir.display()
        )));
    }
    Ok(scenarios)
}

/// Runs the command: `color` colours error excerpts; the live lines go to `printer` as each
/// scenario ends, then its summary.
pub fn run_paths(args: &RunArgs, color: bool, printer: &Printer) -> Finished {
    let scenarios = match prepare(args, color) {
        Ok(s) => s,
        Err(result) => return result,
    };
    let options = RunOptions {
        seed: args.seed,
        seeds: args.seeds.clone().map_or_else(Vec::new, |s| s.0),
        jobs: args.jobs,
        wall_budget: args.wall_budget,
        dump_tenant: args.dump_tenant.is_some(),
        ..Default::default()
    };
    printer.start(sweep(&scenarios, options.seed, &options.seeds).len() as u64);
    let (suite, determinism, differ) = if let Some(n) = args.repeat {
        repeated(&scenarios, &options, n, printer)
    } else {
        let suite = run_suite_with(&scenarios, &options, &|f| printer.finished(f));
        (suite, String::new(), false)
    };
    printer.done();
    printer.write(&live::summary(&suite, &printer.options));
    if let Some(dir) = &args.dump_tenant
        && let Err(e) = write_dumps(dir, &suite)
    {
        return bad(format!("{e}\n"));
    }
    let exit_code = if suite.all_passed() && !differ {
        0
    } else {
        EXIT_FAILED
    };
    let mut result = report_result(args, &suite, exit_code);
    result.stderr.push_str(&determinism);
    result
}

/// The report for `--out` or standard output; nothing more for the human format without
/// `--out`, whose live lines were the report.
fn report_result(args: &RunArgs, suite: &SuiteOutcome, exit_code: u8) -> Finished {
    let format = match args.format {
        FormatArg::Human => ReportFormat::Human,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Junit => ReportFormat::Junit,
        FormatArg::Html => ReportFormat::Html,
    };
    let human = HumanOptions {
        color: false,
        wall: WallTime::Show,
    };
    let done = |stdout: String| Finished {
        exit_code,
        stdout,
        stderr: String::new(),
    };
    match &args.out {
        None if args.format == FormatArg::Human => done(String::new()),
        None => done(report::render(suite, format, human)),
        Some(_) if out_is_stdout(args) => done(report::render(suite, format, human)),
        Some(path) => {
            let text = report::render(suite, format, human);
            match crate::output::write_output(path, |w| w.write_all(text.as_bytes())) {
                Ok(()) => done(format!(
                    "{} of {} passed; report written to {}\n",
                    thousands_usize(suite.count(Verdict::Pass)),
                    count_usize(suite.scenarios.len(), "scenario"),
                    path.display()
                )),
                Err(e) => bad(format!("{e}\n")),
            }
        }
    }
}

/// The subcommand; `color` is `--color`.
pub fn run(args: &RunArgs, color: ColorChoice) -> ExitCode {
    let stream = live_stream(args);
    let options = LiveOptions {
        color: color::wanted(color, stream),
        wall: WallTime::Show,
        verbosity: match (args.quiet, args.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        },
    };
    let sink: Box<dyn Write + Send> = match stream {
        Stream::Stdout => Box::new(std::io::stdout()),
        Stream::Stderr => Box::new(std::io::stderr()),
    };
    let verbose = options.verbosity == Verbosity::Verbose;
    let printer = std::sync::Arc::new(Printer::new(sink, options, animated()));
    if verbose {
        crate::step_lines::show_steps(std::sync::Arc::clone(&printer));
    }
    let result = run_paths(args, color::wanted(color, Stream::Stderr), &printer);
    let _ = std::io::stdout().write_all(result.stdout.as_bytes());
    let _ = std::io::stderr().write_all(result.stderr.as_bytes());
    ExitCode::from(result.exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::Captured;

    /// A printer into a buffer, plain, wall times redacted.
    fn captured(verbosity: Verbosity) -> (Printer, Captured) {
        let c = Captured::default();
        let options = LiveOptions {
            color: false,
            wall: WallTime::Redact,
            verbosity,
        };
        (Printer::new(Box::new(c.clone()), options, false), c)
    }

    fn run_paths(args: &RunArgs, color: bool) -> (Finished, String) {
        let (printer, c) = captured(Verbosity::Normal);
        let r = super::run_paths(args, color, &printer);
        (r, c.text())
    }

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
            quiet: false,
            verbose: false,
        }
    }

    #[test]
    fn passing_scenarios_exit_0_failing_exit_1_bad_files_exit_2() {
        let d = dir("codes");
        std::fs::write(d.join("ok.toml"), PASSING).unwrap();
        let (r, live) = run_paths(&args(vec![d.clone()]), false);
        assert_eq!(r.exit_code, 0, "{live}{}", r.stderr);
        assert_eq!(
            live,
            " PASS [    wall] [sim   0:00:01] ok\n────────────\nSummary 1 scenario: 1 passed, 0 failed, 0 errors ([wall] wall)\n"
        );
        assert_eq!(r.stdout, "", "the live lines were the human report");
        std::fs::write(
            d.join("wrong.toml"),
            PASSING.replace("\"in_place\"", "\"parallel\""),
        )
        .unwrap();
        let (r, live) = run_paths(&args(vec![d.clone()]), false);
        assert_eq!(r.exit_code, 1);
        assert!(live.contains("--seed 5"), "{live}");
        std::fs::write(d.join("bad.toml"), PASSING.replace("seed = 5", "seed = -5")).unwrap();
        let (r, _) = run_paths(&args(vec![d.clone()]), false);
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
        let (r, _) = run_paths(&a, false);
        assert_eq!(r.stdout, "beta  seed 77  recommend.in-place-under-50k\n");
        a.list = false;
        a.format = FormatArg::Json;
        a.out = Some(d.join("report.json"));
        let (r, _) = run_paths(&a, false);
        assert_eq!(r.exit_code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            format!(
                "1 of 1 scenario passed; report written to {}\n",
                d.join("report.json").display()
            )
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap();
        assert_eq!(json["scenarios"][0]["seed"], 77);
        a.filter = Some("gamma".into());
        assert_eq!(
            run_paths(&a, false).0.exit_code,
            2,
            "a filter matching nothing is bad input"
        );
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn the_live_lines_go_to_stderr_only_when_the_document_goes_to_stdout() {
        let mut a = args(vec![PathBuf::from("x")]);
        assert_eq!(live_stream(&a), Stream::Stdout);
        a.format = FormatArg::Json;
        assert_eq!(live_stream(&a), Stream::Stderr);
        a.out = Some(PathBuf::from("r.json"));
        assert_eq!(live_stream(&a), Stream::Stdout);
        a.out = Some(PathBuf::from("-"));
        a.format = FormatArg::Human;
        assert_eq!(live_stream(&a), Stream::Stderr);
    }
}
