//! `upgrade-lab check [PATH…]`: loads and checks scenario files without running them. Exit 0
//! when every file is valid, 2 with every problem of every file listed otherwise.

use crate::color::{self, ColorChoice, Stream};
use crate::error::EXIT_USAGE;
use crate::error::Finished;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;
use upgrade_lab_scenario::numbers::count_usize;
use upgrade_lab_scenario::{Scenario, ScenarioError, load_all, load_text};

/// Validate scenario files without running them.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  upgrade-lab check scenarios
  upgrade-lab check scenarios/parallel/force-export-under-50k.toml

Everything `run` would refuse is refused here first: unknown keys and words, every number
outside its range (a wait step 1 to 43,200 minutes and all waits within the simulated-time
budget, 90 days by default; run_cycle count 1 to 1,000; churn adds at most 10 × the directory,
at least 10,000 and at most 1,000,000; a [world.timing] operation at most 7 days, a per-object
cost at most 10 minutes; ...; scenarios/README.md lists every range), and an LDIF world file
that does not read, located at its own path:line:column.")]
pub struct CheckArgs {
    /// Scenario files or folders of them (searched recursively for *.toml); `-` reads one
    /// scenario from standard input.
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
}

/// Loads the scenario files of `paths` as `load_all` does; `-` is one scenario read from
/// standard input, named `stdin` (its relative world files resolve from the current folder).
pub fn load_scenarios(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<ScenarioError>> {
    let stdin = Path::new("-");
    let files: Vec<PathBuf> = paths.iter().filter(|p| *p != stdin).cloned().collect();
    let mut errors = Vec::new();
    let mut scenarios = if files.is_empty() {
        Vec::new()
    } else {
        load_all(&files).unwrap_or_else(|mut e| {
            errors.append(&mut e);
            Vec::new()
        })
    };
    if files.len() < paths.len() {
        let mut text = String::new();
        let read = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text);
        match read.map_err(|e| {
            vec![ScenarioError::about_path(
                stdin,
                format!("cannot read a scenario from standard input: {e}"),
                Some("pipe a scenario file (TOML, UTF-8) into `-`".into()),
            )]
        }) {
            Ok(_) => match load_text("stdin", stdin, text) {
                Ok(s) => scenarios.push(s),
                Err(mut e) => errors.append(&mut e),
            },
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

/// Checks the files; `color` colours the error excerpts.
pub fn check_paths(paths: &[PathBuf], color: bool) -> Finished {
    match load_scenarios(paths) {
        Ok(scenarios) => Finished {
            exit_code: 0,
            stdout: match scenarios.len() {
                1 => "1 scenario file is valid\n".to_string(),
                n => format!("{} are valid\n", count_usize(n, "scenario file")),
            },
            stderr: String::new(),
        },
        Err(errors) => {
            let mut stderr: String = errors.iter().map(|e| e.render(color) + "\n").collect();
            let _ = writeln!(
                stderr,
                "{} in scenario files; fix them and run `upgrade-lab check` again",
                count_usize(errors.len(), "problem")
            );
            Finished {
                exit_code: EXIT_USAGE,
                stdout: String::new(),
                stderr,
            }
        }
    }
}

/// The subcommand.
pub fn run(args: &CheckArgs, color: ColorChoice) -> ExitCode {
    let color = color::wanted(color, Stream::Stderr);
    let result = check_paths(&args.paths, color);
    let _ = std::io::stdout().write_all(result.stdout.as_bytes());
    let _ = std::io::stderr().write_all(result.stderr.as_bytes());
    ExitCode::from(result.exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("upgrade-lab-check-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    const GOOD: &str = "format_version = 1\ndescription = \"d\"\nseed = 1\n[world]\nusers = 10\n[[steps]]\naction = \"analyze\"\n";

    #[test]
    fn valid_files_exit_0() {
        let d = temp_dir("ok");
        std::fs::write(d.join("a.toml"), GOOD).unwrap();
        let r = check_paths(std::slice::from_ref(&d), false);
        assert_eq!(r.exit_code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, "1 scenario file is valid\n");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn one_bad_file_exits_2_and_lists_its_position() {
        let d = temp_dir("bad");
        std::fs::write(d.join("a.toml"), GOOD).unwrap();
        std::fs::write(d.join("b.toml"), GOOD.replace("users = 10", "users = -1")).unwrap();
        let r = check_paths(std::slice::from_ref(&d), false);
        assert_eq!(r.exit_code, 2);
        assert!(r.stderr.contains("b.toml:5:9"), "{}", r.stderr);
        assert!(
            r.stderr.contains("\n1 problem in scenario files"),
            "{}",
            r.stderr
        );
        std::fs::remove_dir_all(d).unwrap();
    }
}
