//! `upgrade-lab timeline SCENARIO --out file.svg`: runs one scenario and writes its timeline as
//! a self-contained SVG (`-` = standard output). Exit 0 when the scenario passed, 1 when it
//! failed (the SVG is written either way), 2 on bad input.

use crate::color::{self, ColorChoice, Stream};
use crate::error::Finished;
use crate::error::{EXIT_FAILED, EXIT_USAGE};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use upgrade_lab_scenario::load_all;
use upgrade_lab_scenario::outcome::Verdict;
use upgrade_lab_scenario::report::timeline;
use upgrade_lab_scenario::runner::{RunOptions, run_suite};

/// Run one scenario and draw its timeline as SVG.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  upgrade-lab timeline scenarios/cutover/uninstall-then-staging-off.toml --out cutover.svg
  upgrade-lab timeline scenarios/faults/throttled-first-export.toml --seed 7 --out - > t.svg

One lane per server (DirSync, Azure AD Connect) with its run profiles as bars, when it was the
active exporter and in staging mode, installs, uninstalls and disables; faults as shaded
windows; AD changes, refusals and violations as markers; the sync gap measured. Hover for
details. `run --format html` draws every scenario's timeline in one page.")]
pub struct TimelineArgs {
    /// One scenario file.
    pub scenario: PathBuf,
    /// Replace the scenario's seed; 0 to 18446744073709551615.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where to write the SVG; `-` for standard output.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the scenario and writes its SVG; `color` colours error excerpts.
pub fn draw(args: &TimelineArgs, color: bool) -> Finished {
    let bad = |stderr: String| Finished {
        exit_code: EXIT_USAGE,
        stdout: String::new(),
        stderr,
    };
    let scenarios = match load_all(std::slice::from_ref(&args.scenario)) {
        Ok(s) => s,
        Err(errors) => {
            let text: String = errors.iter().map(|e| e.render(color) + "\n").collect();
            return bad(format!(
                "{text}nothing was drawn: fix the scenario file first\n"
            ));
        }
    };
    if scenarios.len() != 1 {
        return bad(format!(
            "error: {} holds {} scenarios; timeline draws one\nhint: name one .toml file, or use `upgrade-lab run {} --format html --out report.html` for all of them\n",
            args.scenario.display(),
            scenarios.len(),
            args.scenario.display()
        ));
    }
    let options = RunOptions {
        seed: args.seed,
        jobs: 1,
        ..Default::default()
    };
    let suite = run_suite(&scenarios, &options);
    let Some(outcome) = suite.scenarios.first() else {
        return bad("error: the scenario produced no outcome\n".to_string());
    };
    let svg = timeline::svg(outcome);
    if let Err(e) = crate::output::write_output(&args.out, |w| w.write_all(svg.as_bytes())) {
        return bad(format!("error: {e}\n"));
    }
    let verdict = format!(
        "{}: {} (seed {})\n",
        outcome.name,
        outcome.verdict.as_str(),
        outcome.seed
    );
    Finished {
        exit_code: if outcome.verdict == Verdict::Pass {
            0
        } else {
            EXIT_FAILED
        },
        stdout: String::new(),
        stderr: verdict,
    }
}

/// The subcommand.
pub fn run(args: &TimelineArgs, choice: ColorChoice) -> ExitCode {
    let color = color::wanted(choice, Stream::Stderr);
    let result = draw(args, color);
    let _ = std::io::stderr().write_all(result.stderr.as_bytes());
    ExitCode::from(result.exit_code)
}
