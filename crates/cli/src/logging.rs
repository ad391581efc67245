//! Logs: the `tracing` events of the engine, the simulator and the runner, filtered by
//! `RUST_LOG` (the `tracing-subscriber` `EnvFilter` syntax, e.g.
//! `RUST_LOG=upgrade_lab_simulator::tenant=debug`), written to stderr one line each.
//!
//! Every event of the libraries carries the *simulated* time as its `sim` field: a wall-clock
//! stamp says nothing about an upgrade that took six simulated hours in two seconds, so the line
//! starts with the simulated time instead (`-` for an event without one), then the level, the
//! scenario span and the target. Events are built from names, counts and the reports' own
//! sentences, which never carry a secret.

use crate::error::CliError;
use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The variable that selects what is logged.
pub const LOG_VARIABLE: &str = "RUST_LOG";

/// Installs the process's subscriber: the stderr logger when `RUST_LOG` is set and not empty
/// (nothing is logged otherwise), and the step lines of `run -v` (silent until `run` asks).
pub fn init() -> Result<(), CliError> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::{Layer as _, util::SubscriberInitExt as _};
    let logger = filter_from(std::env::var(LOG_VARIABLE).ok().as_deref())?.map(|filter| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .event_format(SimFormat)
            .with_filter(filter)
    });
    tracing_subscriber::registry()
        .with(logger)
        .with(crate::step_lines::layer())
        .try_init()
        .map_err(|e| CliError::usage(format!("cannot start the logger: {e}")))
}

/// The filter `RUST_LOG` asks for: `None` when unset or empty; an error naming the bad
/// directive when it does not parse.
fn filter_from(value: Option<&str>) -> Result<Option<EnvFilter>, CliError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    EnvFilter::builder().parse(value).map(Some).map_err(|e| {
        CliError::usage(format!(
            "{LOG_VARIABLE}={value:?} is not a valid filter: {e}; write e.g. \
                 {LOG_VARIABLE}=debug or {LOG_VARIABLE}=upgrade_lab_simulator::tenant=debug,info"
        ))
    })
}

/// `T+1:02:03  INFO scenario{name=in-place/x seed=5}: upgrade_lab_engine::events: message k=v`.
struct SimFormat;

impl<S, N> FormatEvent<S, N> for SimFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let sim = fields.sim.as_deref().unwrap_or("-");
        write!(writer, "{sim:>10} {:>5} ", meta.level())?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                write!(writer, "{}", span.name())?;
                let ext = span.extensions();
                if let Some(f) = ext.get::<tracing_subscriber::fmt::FormattedFields<N>>()
                    && !f.is_empty()
                {
                    write!(writer, "{{{f}}}")?;
                }
                writer.write_str(": ")?;
            }
        }
        writeln!(
            writer,
            "{}: {}{}",
            meta.target(),
            fields.message,
            fields.rest
        )
    }
}

/// An event's fields: the simulated time apart, the message, then `key=value` for the rest.
#[derive(Default)]
struct Fields {
    sim: Option<String>,
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "sim" => self.sim = Some(format!("{value:?}")),
            "message" => self.message = format!("{value:?}"),
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
            }
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_string(),
            "sim" => self.sim = Some(value.to_string()),
            // Quoted when it holds a space, so `key=value` pairs stay apart.
            name if value.contains(char::is_whitespace) => {
                let _ = write!(self.rest, " {name}={value:?}");
            }
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn logged(filter: &str, emit: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter_from(Some(filter)).unwrap().unwrap())
            .with_writer(move || writer.clone())
            .event_format(SimFormat)
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn lines_start_with_the_simulated_time_and_keep_the_fields() {
        let text = logged("debug", || {
            let span = tracing::info_span!("scenario", name = %"in-place/x", seed = 5u64);
            let _e = span.enter();
            tracing::debug!(
                sim = "T+1:02:03",
                host = "AADC01",
                adds = 3u64,
                connector = "Azure AD",
                "export ended"
            );
            tracing::info!("no simulated time");
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            " T+1:02:03 DEBUG scenario{name=in-place/x seed=5}: \
             upgrade_lab::logging::tests: export ended host=AADC01 adds=3 connector=\"Azure AD\""
        );
        assert!(lines[1].starts_with("         -  INFO "), "{}", lines[1]);
    }

    #[test]
    fn the_filter_selects_by_target_and_level() {
        let text = logged("upgrade_lab::logging=info", || {
            tracing::debug!(sim = "T+0:00:01", "hidden");
            tracing::info!(sim = "T+0:00:02", "shown");
        });
        assert!(text.contains("shown") && !text.contains("hidden"), "{text}");
    }

    #[test]
    fn an_unset_or_empty_filter_logs_nothing_and_a_bad_one_says_why() {
        assert!(filter_from(None).unwrap().is_none());
        assert!(filter_from(Some("  ")).unwrap().is_none());
        let e = filter_from(Some("debug,=[")).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::EXIT_USAGE);
        assert!(e.to_string().contains("RUST_LOG=\"debug,=[\""), "{e}");
    }
}
