//! Whether output is coloured: the one place that decides, from `--color`, whether the stream
//! is a terminal, `NO_COLOR` and `CLICOLOR_FORCE` (the conventions of no-color.org and
//! bixense.com/clicolors).

use std::ffi::OsStr;
use std::io::IsTerminal;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE colours a pipe too.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// A stream colours may go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    pub fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }
}

/// Whether to colour `stream` under `choice` and this process's environment.
pub fn wanted(choice: ColorChoice, stream: Stream) -> bool {
    decide(
        choice,
        stream.is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("CLICOLOR_FORCE").as_deref(),
    )
}

/// The rule: `always` and `never` win; under `auto` a non-empty `NO_COLOR` turns colour off, a
/// `CLICOLOR_FORCE` other than empty or `0` turns it on, else a terminal gets colour.
pub fn decide(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&OsStr>,
    clicolor_force: Option<&OsStr>,
) -> bool {
    let set = |v: Option<&OsStr>| v.is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set(no_color) => false,
        ColorChoice::Auto if set(clicolor_force) && clicolor_force != Some(OsStr::new("0")) => true,
        ColorChoice::Auto => is_terminal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn auto_colours_a_terminal_unless_no_color_and_a_pipe_only_when_forced() {
        use ColorChoice::*;
        assert!(decide(Auto, true, None, None));
        assert!(!decide(Auto, false, None, None));
        assert!(!decide(Auto, true, os("1"), None));
        assert!(
            decide(Auto, true, os(""), None),
            "an empty NO_COLOR is unset"
        );
        assert!(decide(Auto, false, None, os("1")));
        assert!(!decide(Auto, false, None, os("0")));
        assert!(!decide(Auto, false, None, os("")));
        assert!(!decide(Auto, true, os("1"), os("1")), "NO_COLOR wins");
        assert!(decide(Always, false, os("1"), None), "the flag wins");
        assert!(!decide(Never, true, None, os("1")));
    }
}
