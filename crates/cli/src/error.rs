//! The CLI's one error type: a one-line reason for the user and the process exit code. Library
//! errors are turned into it at the edge, with the file or flag they concern.

use std::fmt;

/// Exit code of a command that ran and found a failure: a scenario failed, `inspect` found
/// defects, `explore` found a failing history, a bench step failed.
pub const EXIT_FAILED: u8 = 1;

/// Exit code of bad arguments, unreadable or invalid input, and unwritable output: what the user
/// fixes before running again.
pub const EXIT_USAGE: u8 = 2;

/// What a command prints when it ends and the exit code it ends with. Commands return it
/// rather than print and exit, so tests read both without starting a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// `0`, [`EXIT_FAILED`] or [`EXIT_USAGE`].
    pub exit_code: u8,
    /// What goes to standard output.
    pub stdout: String,
    /// What goes to standard error.
    pub stderr: String,
}

/// Why a command failed, said in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    reason: String,
    exit_code: u8,
}

impl CliError {
    /// Bad arguments or input the user can fix (exit code 2).
    pub fn usage(reason: impl Into<String>) -> Self {
        Self {
            reason: one_line(&reason.into()),
            exit_code: EXIT_USAGE,
        }
    }

    /// The command ran and found a failure the user must look at (exit code 1).
    pub fn failed(reason: impl Into<String>) -> Self {
        Self {
            reason: one_line(&reason.into()),
            exit_code: EXIT_FAILED,
        }
    }

    /// The exit code the process ends with.
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Folds a multi-line message (as some parsers give) into one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_line() {
        let e = CliError::usage("bad spec\n  at line 3\n");
        assert_eq!(e.to_string(), "bad spec; at line 3");
        assert_eq!(e.exit_code(), EXIT_USAGE);
    }
}
