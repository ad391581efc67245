//! Where the live lines of `run` go and when: each scenario's lines written and flushed the
//! moment it ends (from the worker that ran it, under one lock so two scenarios never
//! interleave), a progress bar on stderr when stderr is a terminal and not under `CI=true`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};
use upgrade_lab_scenario::report::live::{self, LiveOptions};
use upgrade_lab_scenario::runner::Finished;

/// Writes the live lines to one stream.
pub struct Printer {
    sink: Mutex<Box<dyn Write + Send>>,
    /// Whether [`Printer::start`] shows a bar.
    animate: bool,
    bar: OnceLock<ProgressBar>,
    pub options: LiveOptions,
}

impl Printer {
    /// Lines to `sink`; `animate`: a progress bar on stderr once the run starts.
    pub fn new(sink: Box<dyn Write + Send>, options: LiveOptions, animate: bool) -> Self {
        Self {
            sink: Mutex::new(sink),
            animate,
            bar: OnceLock::new(),
            options,
        }
    }

    /// The run of `total` scenario runs starts: the bar appears.
    pub fn start(&self, total: u64) {
        if self.animate {
            let _ = self.bar.set(scenario_bar(total));
        }
    }

    /// Prints what a scenario that just ended shows, and moves the bar.
    pub fn finished(&self, f: Finished<'_>) {
        let text = live::finished(f.outcome, &self.options);
        self.write(&text);
        if let Some(bar) = self.bar.get() {
            bar.inc(1);
        }
    }

    /// Writes `text` at once (the bar steps aside while it does) and flushes it. A reader that
    /// went away (`| head`) only stops the lines, never the run.
    pub fn write(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        let write = || {
            let mut sink = self
                .sink
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = sink.write_all(text.as_bytes()).and_then(|()| sink.flush());
        };
        match self.bar.get() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the bar.
    pub fn done(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// Whether this is a CI run (`CI=true`, as GitHub, GitLab and most CI services set it).
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Whether stderr may show a bar or spinner: a terminal, and not CI.
pub fn animated() -> bool {
    std::io::stderr().is_terminal() && !under_ci()
}

/// A bar of `total` scenario runs on stderr.
fn scenario_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} scenario runs",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A `Write` into a shared buffer: what tests give a printer to read its lines back.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<Mutex<Vec<u8>>>);

#[cfg(test)]
impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[cfg(test)]
impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
