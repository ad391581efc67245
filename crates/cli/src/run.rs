//! `upgrade-lab run [PATH…]`: loads every scenario file (all must be valid, else exit 2 and
//! nothing runs), runs the selected ones in parallel, prints or writes a report. Exit 0 when
//! every scenario passed, 1 when one failed, 2 on bad input.

use crate::check::EXIT_BAD_INPUT;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use upgrade_lab_scenario::report::{self, HumanOptions, ReportFormat, WallTime, color_wanted};
use upgrade_lab_scenario::runner::{RunOptions, run_suite};
use upgrade_lab_scenario::{Scenario, load_all};

/// Exit code when a scenario failed.
pub const EXIT_FAILED: u8 = 1;

/// The report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Junit,
}

/// Run scenario files against the simulated world.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario files or folders of them (searched recursively for *.toml).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Run only scenarios whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Replace every scenario's seed (to replay a failure).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Scenarios run at once; default one per core.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// List the scenarios that would run, with their seeds and descriptions; run nothing.
    #[arg(long)]
    pub list: bool,
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
    let suite = run_suite(
        &scenarios,
        &RunOptions {
            seed: args.seed,
            jobs: args.jobs,
        },
    );
    let format = match args.format {
        FormatArg::Human => ReportFormat::Human,
        FormatArg::Json => ReportFormat::Json,
        FormatArg::Junit => ReportFormat::Junit,
    };
    let human = HumanOptions {
        color: color && args.out.is_none(),
        wall: WallTime::Show,
    };
    let text = report::render(&suite, format, human);
    let exit_code = if suite.all_passed() { 0 } else { EXIT_FAILED };
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
