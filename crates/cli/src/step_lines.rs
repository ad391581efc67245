//! `run -v`: each step of each scenario as it happens, one line when it starts and one when it
//! ends, stamped with the simulated time. The runner already says both as `tracing` events of
//! its steps target (inside the `scenario{name, seed}` span); this layer turns them into live
//! lines through the run's [`Printer`], so they share its lock and its progress bar.
//!
//! The layer is part of the process's subscriber from the start (a subscriber is global and
//! set once) and prints nothing until `run -v` hands it the printer.

use crate::live::Printer;
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The runner's module whose events are the steps.
const STEPS_TARGET: &str = "upgrade_lab_scenario::runner::steps";

/// The printer of a `run -v`; unset, the layer prints nothing.
static PRINTER: OnceLock<Arc<Printer>> = OnceLock::new();

/// Sends step lines to `printer` from now on (once per process: `run` is called once).
pub fn show_steps(printer: Arc<Printer>) {
    let _ = PRINTER.set(printer);
}

/// The layer, with the filter that limits it to the runner's spans and step events.
pub fn layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let filter: Targets =
        Targets::new().with_target("upgrade_lab_scenario::runner", tracing::Level::INFO);
    StepLines.with_filter(filter)
}

struct StepLines;

/// The scenario's name, kept on its span.
struct ScenarioName(String);

impl<S> Layer<S> for StepLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(span), Some(name)) = (ctx.span(id), fields.name) {
            span.extensions_mut().insert(ScenarioName(name));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(printer) = PRINTER.get() else { return };
        if event.metadata().target() != STEPS_TARGET {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let scenario = ctx.event_scope(event).and_then(|scope| {
            scope
                .from_root()
                .find_map(|s| s.extensions().get::<ScenarioName>().map(|n| n.0.clone()))
        });
        printer.write(&line(&fields, scenario.as_deref().unwrap_or("-")));
    }
}

/// `      step 2 [T+0:10:00] in-place/x: upgrade_in_place starts`.
fn line(fields: &Fields, scenario: &str) -> String {
    format!(
        "      step {} [{}] {scenario}: {}\n",
        fields.step.as_deref().unwrap_or("-"),
        fields.sim.as_deref().unwrap_or("-"),
        fields.message
    )
}

/// The fields a step event and the scenario span carry.
#[derive(Default)]
struct Fields {
    name: Option<String>,
    sim: Option<String>,
    step: Option<String>,
    message: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.record_str(field, &text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "name" => self.name = Some(value.to_string()),
            "sim" => self.sim = Some(value.to_string()),
            "step" => self.step = Some(value.to_string()),
            "message" => self.message = value.to_string(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.record_str(field, &value.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_names_the_step_time_and_scenario() {
        let fields = Fields {
            name: None,
            sim: Some("T+0:10:00".into()),
            step: Some("2".into()),
            message: "upgrade_in_place starts".into(),
        };
        assert_eq!(
            line(&fields, "in-place/x"),
            "      step 2 [T+0:10:00] in-place/x: upgrade_in_place starts\n"
        );
    }
}
