//! upgrade-lab: the command line. Parses arguments, dispatches to one module per subcommand and
//! maps errors to exit codes (0 success, 2 bad arguments or input, as clap's usage errors).
//!
//! It must not hold logic of its own: generation, reading and checking live in the libraries.
//! To add a subcommand, add a variant to `Command` with its `Args` type and a file with
//! `pub fn run(args) -> Result<(), CliError>`.

mod error;
mod formats;
mod generate;
mod inspect;
mod output;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), CliError> = match cli.command {
        Command::Generate(args) => generate::run(*args),
        Command::Inspect(args) => inspect::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
