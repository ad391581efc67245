//! upgrade-lab: the command line. `run` and `check` drive scenario files (this worktree's
//! dispatch; the lead merges it with the generate/inspect dispatch).

mod check;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Validate the DirSync → Azure AD Connect upgrade against simulated servers.
#[derive(Debug, Parser)]
#[command(name = "upgrade-lab", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate scenario files without running them.
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check(args) => check::run(args),
    }
}
