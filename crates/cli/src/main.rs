//! upgrade-lab: the command line. Parses arguments, dispatches to one module per subcommand and
//! maps errors to exit codes (0 success, 2 bad arguments or input, as clap's usage errors).
//!
//! It must not hold logic of its own: generation, reading and checking live in the libraries.
//! To add a subcommand, add a variant to `Command` with its `Args` type and a file with
//! `pub fn run(args) -> Result<(), CliError>`.

mod bench;
mod check;
mod error;
mod explore;
mod formats;
mod generate;
mod inspect;
mod output;
mod run;
mod timeline;

use clap::{Parser, Subcommand};
use error::CliError;
use std::process::ExitCode;

/// Validate the DirSync → Azure AD Connect upgrade against simulated servers.
#[derive(Debug, Parser)]
#[command(name = "upgrade-lab", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    Generate(Box<generate::GenerateArgs>),
    Inspect(inspect::InspectArgs),
    /// Run scenario files against the simulated world.
    Run(run::RunArgs),
    /// Validate scenario files without running them.
    Check(check::CheckArgs),
    /// Time one whole upgrade of a generated directory, phase by phase.
    Bench(bench::BenchArgs),
    Explore(explore::ExploreArgs),
    /// Run one scenario and draw its timeline as SVG.
    Timeline(timeline::TimelineArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Generate(args) => finish(generate::run(*args)),
        Command::Inspect(args) => finish(inspect::run(args)),
        // Scenario commands own their exit codes (0 pass, 1 a scenario failed, 2 bad input).
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Explore(args) => explore::run(args),
        Command::Timeline(args) => timeline::run(args),
    }
}

fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
