//! Whether output is coloured: the one place that decides, from `--color` and, under `auto`,
//! `anstream`'s reading of the stream and the environment (`NO_COLOR` turns colour off,
//! a non-empty `CLICOLOR_FORCE` turns it on for a pipe too, `CLICOLOR=0` and `TERM=dumb` turn it
//! off on a terminal: the conventions of no-color.org and bixense.com/clicolors).

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

/// Whether to colour `stream` under `choice` and this process's environment.
pub fn wanted(choice: ColorChoice, stream: Stream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let auto = match stream {
                Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
                Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
            };
            auto != anstream::ColorChoice::Never
        }
    }
}
