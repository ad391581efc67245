//! upgrade-lab: the command line. Parses arguments, dispatches to one module per subcommand and
//! maps errors to exit codes (0 success, 2 bad arguments or input, as clap's usage errors).
//!
//! It must not hold logic of its own: generation, reading and checking live in the libraries.
//! To add a subcommand, add a variant to `Command` with its `Args` type and a file with
//! `pub fn run(args) -> Result<(), CliError>`.

mod bench;
mod check;
mod color;
mod error;
mod explore;
mod formats;
mod generate;
mod inspect;
mod ldap_source;
mod live;
mod logging;
mod output;
mod phases;
mod plan;
mod run;
mod schema;
mod shell;
mod step_lines;
mod timeline;

use clap::{CommandFactory, Parser, Subcommand};
use color::ColorChoice;
use error::CliError;
use std::process::ExitCode;

/// Validate the DirSync → Azure AD Connect upgrade against simulated servers.
#[derive(Debug, Parser)]
#[command(name = "upgrade-lab", version, propagate_version = true)]
#[command(after_help = "Examples:
  upgrade-lab run scenarios
  upgrade-lab generate --users 1000 --out - | upgrade-lab inspect -
  upgrade-lab inspect contoso.ldif --fail-on-defects
  upgrade-lab completions bash > ~/.local/share/bash-completion/completions/upgrade-lab
  upgrade-lab man --out target/man
  upgrade-lab schema scenario --out schemas/scenario.schema.json

`-` stands for standard input or output wherever a file is read or written.")]
struct Cli {
    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always
    /// or never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionsArgs),
    /// Print the manual page, or write one per command into a folder.
    Man(shell::ManArgs),
    /// Run one scenario and draw its timeline as SVG.
    Timeline(timeline::TimelineArgs),
    /// Print the JSON Schema of scenario files or of the JSON report.
    Schema(schema::SchemaArgs),
    Plan(plan::PlanArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = logging::init() {
        return finish(Err(e));
    }
    set_replay_program();
    match cli.command {
        Command::Generate(args) => finish(generate::run(*args)),
        // Inspect owns its exit code (1 with --fail-on-defects and a defect found).
        Command::Inspect(args) => inspect::run(&args),
        // Scenario commands own their exit codes (0 pass, 1 a scenario failed, 2 bad input).
        Command::Run(args) => run::run(&args, cli.color),
        Command::Check(args) => check::run(&args, cli.color),
        Command::Bench(args) => bench::run(&args),
        Command::Explore(args) => explore::run(&args),
        Command::Completions(args) => finish(shell::completions(&args, Cli::command())),
        Command::Man(args) => finish(shell::man(args, Cli::command())),
        Command::Timeline(args) => timeline::run(&args, cli.color),
        Command::Schema(args) => finish(schema::run(&args)),
        // Plan owns its exit code (2 on bad input, with the description's errors rendered).
        Command::Plan(args) => plan::run(&args, cli.color),
    }
}

/// Replay commands name the program as it was invoked (argv[0]), or `cargo run` when Cargo
/// started a binary of its target folder.
fn set_replay_program() {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let under_cargo = std::env::var_os("CARGO").is_some();
    upgrade_lab_scenario::replay::set_program(upgrade_lab_scenario::replay::program_for(
        &argv0.to_string_lossy(),
        under_cargo,
    ));
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
