//! `upgrade-lab completions SHELL` and `upgrade-lab man`: shell completions (clap_complete) and
//! manual pages (clap_mangen), both generated from the same argument definitions as `--help`.

use crate::error::CliError;
use crate::output::write_output;
use clap::{Args, Command};
use clap_complete::Shell;
use std::path::{Path, PathBuf};

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  upgrade-lab completions bash > ~/.local/share/bash-completion/completions/upgrade-lab
  upgrade-lab completions zsh > ~/.zfunc/_upgrade-lab
  upgrade-lab completions fish > ~/.config/fish/completions/upgrade-lab.fish
  upgrade-lab completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Print or write the manual pages.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  upgrade-lab man | man -l -
  upgrade-lab man --out target/man   # upgrade-lab.1 and upgrade-lab-<command>.1 each")]
pub struct ManArgs {
    /// Folder to write upgrade-lab.1 and one page per command into (created if missing);
    /// without it the main page goes to standard output.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Writes the completion script of `command` for `args.shell` to standard output.
pub fn completions(args: &CompletionsArgs, mut command: Command) -> Result<(), CliError> {
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    write_output(Path::new("-"), |out| out.write_all(&script))
}

/// The manual pages of `command`: (file name, roff text), the main page first, then one per
/// subcommand (`upgrade-lab-run.1`: clap names a built subcommand after its parent).
pub fn pages(command: Command) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let failed = |e: std::io::Error| CliError::usage(format!("cannot render the manual: {e}"));
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let subcommands = command.get_subcommands().filter(|s| !s.is_hide_set());
    std::iter::once(&command)
        .chain(subcommands)
        .map(|c| {
            let man = clap_mangen::Man::new(c.clone());
            let mut page = Vec::new();
            man.render(&mut page).map_err(failed)?;
            Ok((man.get_filename(), page))
        })
        .collect()
}

/// Prints the main page, or writes every page into `args.out`.
pub fn man(args: ManArgs, command: Command) -> Result<(), CliError> {
    let pages = pages(command)?;
    let Some(dir) = args.out.filter(|d| d != Path::new("-")) else {
        return write_output(Path::new("-"), |out| out.write_all(&pages[0].1));
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::usage(format!(
            "cannot create the folder {}: {e}; give --out a folder you can write to",
            dir.display()
        ))
    })?;
    for (file, text) in &pages {
        write_output(&dir.join(file), |out| out.write_all(text))?;
    }
    Ok(())
}
