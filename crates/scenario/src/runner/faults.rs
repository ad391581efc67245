//! What each `[[faults]]` entry hit, read from the world's fault records: the outcome's fault
//! lines, and the error that makes a scenario whose fault hit nothing an error (unless the fault
//! says `may_miss = true`). A fault that changes nothing proves nothing about the failure it
//! stands for.

use crate::diagnostic::line_column;
use crate::format::{CrashPhase, Expect, Fault};
use crate::load::Scenario;
use crate::outcome::{Check, EventSource, FaultHitLine, FaultLine, RunLine, TimelineEvent};
use upgrade_lab_model::{RunStatus, SimTime};
use upgrade_lab_simulator::World;
use upgrade_lab_simulator::faults::{FaultHit, FaultId, FaultTrigger as WorldTrigger, RunPhase};

/// Hits kept per fault in the outcome (the count covers all of them).
pub const FAULT_HITS_KEPT: usize = 10;

/// When a fault strikes, as written in the file.
fn trigger_text(f: &Fault) -> String {
    if let Some(m) = &f.at_minutes {
        format!("at_minutes = {}", m.get_ref())
    } else if let Some(s) = &f.before {
        format!("before = \"{}\"", s.get_ref())
    } else if let Some(s) = &f.after {
        format!("after = \"{}\"", s.get_ref())
    } else if let Some(s) = &f.during {
        match &f.phase {
            Some(p) => format!(
                "during = \"{}\", phase = \"{}\"",
                s.get_ref(),
                p.get_ref().as_str()
            ),
            None => format!("during = \"{}\"", s.get_ref()),
        }
    } else {
        String::new()
    }
}

/// The timeline entry of fault `number` (from 1) as it is planned in the world: on `server`
/// (for the faults that target one) with `trigger`.
pub fn planned_event(
    (number, fault): (usize, &Fault),
    server: Option<String>,
    trigger: &WorldTrigger,
    at: SimTime,
) -> TimelineEvent {
    use serde_json::{Map, Value, json};
    let kind = fault.kind.get_ref().as_str();
    let (on, when) = match trigger {
        WorldTrigger::At(t) => (
            json!({"on": "at", "at_ms": t.0, "at": t.to_string()}),
            format!("at {t}"),
        ),
        WorldTrigger::Before(op) => (
            json!({"on": "before", "operation": op}),
            format!("just before {op}"),
        ),
        WorldTrigger::After(op) => (
            json!({"on": "after", "operation": op}),
            format!("just after {op}"),
        ),
        WorldTrigger::Phase(p) => {
            let phase = phase_name(*p);
            (
                json!({"on": "phase", "phase": phase}),
                format!("at the {phase} point of a run sequence"),
            )
        }
    };
    let mut data = Map::new();
    data.insert("number".into(), json!(number));
    data.insert("kind".into(), json!(kind));
    data.insert("server".into(), json!(server));
    data.insert("trigger".into(), on);
    let minutes = fault.for_minutes.as_ref().map(|m| *m.get_ref());
    data.insert("for_minutes".into(), json!(minutes));
    data.insert("may_miss".into(), Value::Bool(fault.may_miss));
    let on_server = server
        .as_deref()
        .map(|h| format!(" on {h}"))
        .unwrap_or_default();
    let lasting = minutes.map_or_else(
        || ", until the end".into(),
        |m| format!(", for {m} minutes"),
    );
    let text = format!("fault #{number} {kind}{on_server} planned: strikes {when}{lasting}");
    TimelineEvent::new(at.0, EventSource::Fault, kind, text)
        .with_server(server)
        .with_data(data)
}

/// The scenario file's name of a point of a run sequence (`during_export`).
fn phase_name(p: RunPhase) -> &'static str {
    CrashPhase::ALL
        .into_iter()
        .find(|c| c.run_phase() == p)
        .map_or("", CrashPhase::as_str)
}

fn hit_line(hit: &FaultHit) -> FaultHitLine {
    let base = |what: &str, host: &str| FaultHitLine {
        at_ms: hit.at().0,
        what: what.to_string(),
        server: host.to_string(),
        ..FaultHitLine::default()
    };
    match hit {
        FaultHit::PortCall {
            host, operation, ..
        } => FaultHitLine {
            operation: Some(operation.clone()),
            ..base("port_call", host)
        },
        FaultHit::Run {
            host,
            connector,
            profile,
            status,
            ..
        } => FaultHitLine {
            connector: Some(connector.as_str().to_string()),
            profile: Some(profile.as_str().to_string()),
            status: Some(status.as_str().to_string()),
            ..base("run", host)
        },
        FaultHit::CycleSkipped { host, .. } => base("cycle_skipped", host),
        FaultHit::CrashPoint { host, phase, .. } => FaultHitLine {
            operation: Some(crash_phase_name(*phase).to_string()),
            ..base("crash_point", host)
        },
        FaultHit::PasswordSyncSkipped { host, .. } => base("password_sync_skipped", host),
        FaultHit::Export {
            host,
            objects,
            refused,
            retries,
            extra,
            ..
        } => FaultHitLine {
            objects: Some(*objects),
            refused: Some(*refused),
            retries: Some(*retries),
            extra_ms: Some(extra.0),
            ..base("export", host)
        },
    }
}

/// The scenario file's name of a point of a run sequence.
fn crash_phase_name(phase: RunPhase) -> &'static str {
    let named = CrashPhase::ALL.into_iter().find(|p| p.run_phase() == phase);
    named.map_or(phase.as_str(), CrashPhase::as_str)
}

/// The fault lines of a scenario: `ids[i]` is the world's id of the file's fault `i` (`None`
/// when it was never injected).
pub fn fault_lines(scenario: &Scenario, world: &World, ids: &[Option<FaultId>]) -> Vec<FaultLine> {
    let records = world.fault_records();
    scenario
        .file
        .faults
        .iter()
        .zip(ids)
        .enumerate()
        .map(|(i, (f, id))| {
            let record = id.and_then(|id| records.get(id));
            let mut hits: Vec<&FaultHit> =
                record.map(|r| r.hits.iter().collect()).unwrap_or_default();
            hits.sort_by_key(|h| h.at());
            FaultLine {
                number: i + 1,
                kind: f.kind.get_ref().as_str().to_string(),
                trigger: trigger_text(f),
                for_minutes: f.for_minutes.as_ref().map(|m| *m.get_ref()),
                may_miss: f.may_miss,
                active_from_ms: record.and_then(|r| r.from).map(|t| t.0),
                active_until_ms: record.and_then(|r| r.until).map(|t| t.0),
                hit_count: hits.len(),
                hits: hits
                    .into_iter()
                    .take(FAULT_HITS_KEPT)
                    .map(hit_line)
                    .collect(),
            }
        })
        .collect()
}

/// `file:line:column` of fault `index`'s `kind`, or just the file (when the file on disk is
/// not the text that was loaded).
fn location(scenario: &Scenario, index: usize) -> String {
    let path = scenario.path.display();
    let Some(fault) = scenario.file.faults.get(index) else {
        return path.to_string();
    };
    let span = fault.kind.span();
    let kind = fault.kind.get_ref().as_str();
    let text = std::fs::read_to_string(&scenario.path)
        .ok()
        .filter(|t| t.get(span.clone()).is_some_and(|s| s.contains(kind)));
    match text {
        Some(text) => {
            let (line, column) = line_column(&text, span.start);
            format!("{path}:{line}:{column}")
        }
        None => path.to_string(),
    }
}

/// The error for the faults that hit nothing and may not miss, or `None`; the scenario ended
/// at `end_ms`.
pub fn missed_error(scenario: &Scenario, lines: &[FaultLine], end_ms: u64) -> Option<String> {
    let missed: Vec<String> = lines
        .iter()
        .filter(|l| l.hit_count == 0 && !l.may_miss)
        .map(|l| {
            let when = match (l.active_from_ms, l.active_until_ms) {
                (None, _) => "it never started".to_string(),
                (Some(f), _) if f > end_ms => format!(
                    "it starts at T+{}, after the scenario ended at T+{}",
                    upgrade_lab_model::SimDuration(f),
                    upgrade_lab_model::SimDuration(end_ms)
                ),
                (Some(f), Some(u)) => format!(
                    "it was active from T+{} to T+{}",
                    upgrade_lab_model::SimDuration(f),
                    upgrade_lab_model::SimDuration(u)
                ),
                (Some(f), None) => format!(
                    "it was active from T+{} to the end",
                    upgrade_lab_model::SimDuration(f)
                ),
            };
            format!(
                "{}: fault {} hit nothing: {when}, and no port call, run, sync cycle or export \
                 met it",
                location(scenario, l.number - 1),
                l.title()
            )
        })
        .collect();
    if missed.is_empty() {
        return None;
    }
    Some(format!(
        "{}; move its trigger to where it strikes, lengthen it (for_minutes), or mark it \
         `may_miss = true` if the scenario shows that it changes nothing",
        missed.join("; ")
    ))
}

/// Connect's first export run that wrote to Azure AD.
pub fn first_connect_export(runs: &[RunLine]) -> Option<&RunLine> {
    runs.iter()
        .filter(|r| r.server == "connect" && r.profile == "export")
        .filter(|r| r.status != RunStatus::CompletedNoObjects.as_str())
        .min_by_key(|r| r.started_ms)
}

/// The checks of `[expect.first_connect_export]`.
pub fn first_export_checks(expect: &Expect, runs: &[RunLine], lines: &[FaultLine]) -> Vec<Check> {
    let Some(e) = &expect.first_connect_export else {
        return Vec::new();
    };
    let first = first_connect_export(runs);
    let retries = first.map_or(0, |r| {
        lines
            .iter()
            .flat_map(|l| &l.hits)
            .filter(|h| h.what == "export" && h.at_ms == r.ended_ms)
            .filter_map(|h| h.retries)
            .sum::<u64>()
    });
    let measured = [
        (
            "started_minutes",
            &e.started_minutes,
            first.map(|r| r.started_ms / 60_000),
        ),
        (
            "minutes",
            &e.minutes,
            first.map(|r| (r.ended_ms - r.started_ms) / 60_000),
        ),
        ("retries", &e.retries, first.map(|_| retries)),
    ];
    measured
        .into_iter()
        .filter_map(|(key, bound, actual)| {
            let b = bound.as_ref()?.get_ref();
            Some(Check::judged(
                format!("expect.first_connect_export.{key}"),
                b.to_string(),
                actual.map_or("Connect never exported".to_string(), |a| a.to_string()),
                actual.is_some_and(|a| b.contains(a)),
            ))
        })
        .collect()
}
