//! `[world] planted_secrets = true`: every credential the scenario uses got a recognisable
//! password (see `setup::Passwords`); after the run none of them may appear in any output: the
//! scenario's human, JSON and JUnit reports, any file on any server of the world, the event
//! stream, the tenant dump. A hit is a failed check naming the output and the credential, never
//! the password.

use super::facts::contains;
use super::setup::Passwords;
use crate::outcome::{Check, ScenarioOutcome, SuiteOutcome};
use crate::report::{self, HumanOptions, ReportFormat, WallTime};
use std::fmt::Write as _;
use upgrade_lab_simulator::World;

/// One output to search: its name in the check and its bytes.
pub struct Output {
    /// Where the bytes come from (`report.json`, `event 3`), as the check names it.
    pub name: String,
    /// The output, byte for byte.
    pub bytes: Vec<u8>,
}

/// The scenario's reports in every format, as `run` would print them for this scenario alone.
pub fn report_outputs(outcome: &ScenarioOutcome) -> Vec<Output> {
    let suite = SuiteOutcome {
        scenarios: vec![outcome.clone()],
        wall_duration_ms: 0,
        wall_started_at: None,
        wall_hostname: None,
    };
    let human = HumanOptions {
        color: false,
        wall: WallTime::Redact,
    };
    [
        ("human report", ReportFormat::Human),
        ("JSON report", ReportFormat::Json),
        ("JUnit report", ReportFormat::Junit),
    ]
    .into_iter()
    .map(|(name, format)| Output {
        name: name.to_string(),
        bytes: report::render(&suite, format, human).into_bytes(),
    })
    .collect()
}

/// Every file on every server of the world, named `host:path`.
pub fn file_outputs(world: &World) -> Vec<Output> {
    world
        .server_files()
        .into_iter()
        .map(|f| Output {
            name: format!("file {}:{}", f.host, f.path),
            bytes: f.bytes,
        })
        .collect()
}

/// The timeline (engine events, steps, faults) as the reports carry it, and the engine's
/// events as JSON.
pub fn event_outputs(outcome: &ScenarioOutcome, engine_events_json: String) -> Vec<Output> {
    let timeline = outcome.events.iter().fold(String::new(), |mut out, e| {
        let data = serde_json::Value::Object(e.data.clone());
        let server = e.server.as_deref().unwrap_or("-");
        let (source, kind, text) = (e.source.as_str(), &e.kind, &e.text);
        let _ = writeln!(out, "{} {source} {kind} {server} {text} {data}", e.at_ms);
        out
    });
    vec![
        Output {
            name: "event stream".to_string(),
            bytes: timeline.into_bytes(),
        },
        Output {
            name: "engine events".to_string(),
            bytes: engine_events_json.into_bytes(),
        },
    ]
}

/// One failed check per (output, credential) hit, or one passing check when nothing leaked.
pub fn scan(passwords: &Passwords, outputs: &[Output]) -> Vec<Check> {
    let mut out = Vec::new();
    for o in outputs {
        for (credential, secret) in passwords.named() {
            if contains(&o.bytes, secret.expose().as_bytes()) {
                out.push(Check::judged(
                    format!("planted_secrets in {}", o.name),
                    "no planted password",
                    format!("{credential} appears in it"),
                    false,
                ));
            }
        }
    }
    if out.is_empty() {
        out.push(Check::judged(
            "planted_secrets",
            "no planted password in any output",
            format!(
                "none of {} passwords in {} outputs",
                passwords.named().len(),
                outputs.len()
            ),
            true,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(text: &str) -> Vec<Output> {
        vec![Output {
            name: "JSON report".into(),
            bytes: text.as_bytes().to_vec(),
        }]
    }

    #[test]
    fn a_planted_password_in_an_output_fails_without_printing_it() {
        let p = Passwords::new(true, 0xabc);
        let clean = scan(&p, &outputs("{\"checks\": []}"));
        assert_eq!(clean.len(), 1);
        assert!(clean[0].ok);
        let leaked = format!("{{\"detail\": \"{}\"}}", p.enterprise_admin.expose());
        let checks = scan(&p, &outputs(&leaked));
        assert_eq!(checks.len(), 1, "{checks:?}");
        assert!(!checks[0].ok);
        assert_eq!(checks[0].what, "planted_secrets in JSON report");
        assert!(checks[0].actual.contains("Enterprise Admin"));
        let shown = format!(
            "{} {} {}",
            checks[0].what, checks[0].expected, checks[0].actual
        );
        assert!(!shown.contains(p.enterprise_admin.expose()));
    }

    #[test]
    fn planted_passwords_are_distinct_and_differ_from_the_default() {
        let p = Passwords::new(true, 7);
        let texts: Vec<&str> = p.named().iter().map(|(_, s)| s.expose()).collect();
        for (i, t) in texts.iter().enumerate() {
            assert!(!texts[..i].contains(t));
            assert_ne!(*t, World::default_password());
        }
    }
}
