//! Progress of long commands (`generate`, `bench`) phase by phase, on stderr: a spinner with
//! the phase's name while it runs when stderr is a terminal (not under `CI=true`), and in every
//! case a line `phase NAME … done in 1.23 s` when it ends, so a log shows where time went.

use crate::live::animated;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::time::{Duration, Instant};

/// The phase lines of one command.
pub struct Phases {
    animate: bool,
}

impl Phases {
    /// Spinners when stderr may show them.
    pub fn new() -> Self {
        Self {
            animate: animated(),
        }
    }

    /// Runs `work` as phase `name` (`bar`: a bar of its own, e.g. objects generated, shown
    /// instead of the spinner), then prints the line with the wall time it took.
    pub fn run<R>(&self, name: &str, bar: Option<ProgressBar>, work: impl FnOnce() -> R) -> R {
        let start = Instant::now();
        let spinner = match (self.animate, bar) {
            (true, Some(bar)) => bar,
            (true, None) => spinner(name),
            (false, _) => ProgressBar::hidden(),
        };
        let result = work();
        spinner.finish_and_clear();
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(done_line(name, start.elapsed()).as_bytes());
        result
    }
}

/// `phase generate 1,000 objects … done in 0.12 s`.
pub fn done_line(name: &str, took: Duration) -> String {
    format!("phase {name} … done in {:.2} s\n", took.as_secs_f64())
}

fn spinner(name: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(name.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_line_names_the_phase_and_its_time() {
        assert_eq!(
            done_line("write JSON", Duration::from_millis(1_234)),
            "phase write JSON … done in 1.23 s\n"
        );
    }
}
