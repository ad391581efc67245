//! What the timeline takes from the structured events: staging on and off, installs,
//! uninstalls, disables and re-enables as lane markers, refusals and AD changes (churn) on the
//! upgrade's row, and the cutover's sync gap the engine measured.

use super::model::{Gap, Lane, Marker, MarkerKind, Role, Span, at, lane_mut};
use crate::outcome::{EventSource, TimelineEvent};
use serde_json::{Map, Value};
use upgrade_lab_model::SimDuration;

/// The object under `key` of an event's data (`change`, `decision`, `refusal`).
fn inner<'a>(e: &'a TimelineEvent, key: &str) -> Option<&'a Map<String, Value>> {
    e.data.get(key).and_then(Value::as_object)
}

/// The tag of the inner object: `staging-mode`, `sync-gap`, ...
fn tag<'a>(e: &'a TimelineEvent, key: &str) -> Option<&'a str> {
    inner(e, key)?.get(key)?.as_str()
}

/// A lane marker for a change to a server, with the lane it belongs on.
fn change_marker(e: &TimelineEvent) -> Option<(Role, MarkerKind, &'static str)> {
    if e.source != EventSource::Engine || e.kind != "changed" {
        return None;
    }
    Some(match tag(e, "change")? {
        "dirsync-uninstalled" => (Role::DirSync, MarkerKind::Uninstalled, "uninstalled"),
        "dirsync-disabled" => (Role::DirSync, MarkerKind::Disabled, "disabled"),
        "dirsync-enabled" => (Role::DirSync, MarkerKind::Enabled, "re-enabled"),
        "connect-installed" => (Role::Connect, MarkerKind::Installed, "installed"),
        _ => return None,
    })
}

/// Installs, uninstalls, disables and re-enables on their server's lane.
pub fn server_markers(events: &[TimelineEvent], lanes: &mut Vec<Lane>) {
    for e in events {
        let Some((role, kind, label)) = change_marker(e) else {
            continue;
        };
        lane_mut(lanes, role, e.server.as_deref())
            .markers
            .push(Marker {
                at_ms: e.at_ms,
                kind,
                label: label.to_string(),
                title: e.line(),
            });
    }
}

/// Whether the event turns staging mode on (`Some(true)`) or off, and on which host. Azure AD
/// Connect installed in staging mode starts it.
fn staging_switch(e: &TimelineEvent) -> Option<bool> {
    if e.source != EventSource::Engine || e.kind != "changed" {
        return None;
    }
    let change = inner(e, "change")?;
    match tag(e, "change")? {
        "staging-mode" => change.get("enabled")?.as_bool(),
        "connect-installed" => change.get("staging")?.as_bool().filter(|on| *on),
        _ => None,
    }
}

/// Staging-mode bands on the Connect lanes, from each switch on to the next switch off (or the
/// end).
pub fn staging_bands(events: &[TimelineEvent], span_ms: u64, lanes: &mut Vec<Lane>) {
    let mut open: Vec<(Option<String>, u64)> = Vec::new();
    let close = |lanes: &mut Vec<Lane>, host: Option<String>, from_ms: u64, to: Option<u64>| {
        let until = to.map_or("the end".to_string(), at);
        lane_mut(lanes, Role::Connect, host.as_deref())
            .staging
            .push(Span {
                from_ms,
                to_ms: to.unwrap_or(span_ms),
                label: "staging mode".into(),
                title: format!(
                    "staging mode on {} from {} to {until}: exports nothing",
                    host.as_deref().unwrap_or("Azure AD Connect"),
                    at(from_ms)
                ),
            });
    };
    for e in events {
        match staging_switch(e) {
            Some(true) if !open.iter().any(|(h, _)| *h == e.server) => {
                open.push((e.server.clone(), e.at_ms));
            }
            Some(false) => {
                if let Some(i) = open.iter().position(|(h, _)| *h == e.server) {
                    let (host, from) = open.remove(i);
                    close(lanes, host, from, Some(e.at_ms));
                }
            }
            _ => {}
        }
    }
    for (host, from) in open {
        close(lanes, host, from, None);
    }
}

/// Refusals, and AD changes the scenario made (its `churn` steps), on the upgrade's row.
pub fn upgrade_markers(events: &[TimelineEvent]) -> Vec<Marker> {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if e.source == EventSource::Engine && e.kind == "refused" {
            out.push(Marker {
                at_ms: e.at_ms,
                kind: MarkerKind::Refusal,
                label: format!(
                    "refused: {}",
                    tag(e, "refusal").unwrap_or("step").replace('-', " ")
                ),
                title: e.line(),
            });
        }
        if e.source == EventSource::Runner
            && e.kind == "step"
            && e.data_str("action") == Some("churn")
        {
            let result = events[i..]
                .iter()
                .find(|r| r.kind == "step_result" && r.data.get("index") == e.data.get("index"));
            let message = result.and_then(|r| {
                r.data
                    .get("result")?
                    .get("message")?
                    .as_str()
                    .map(str::to_string)
            });
            out.push(Marker {
                at_ms: e.at_ms,
                kind: MarkerKind::Churn,
                label: message.clone().unwrap_or_else(|| "AD changes".into()),
                title: format!(
                    "{} churn: {}",
                    at(e.at_ms),
                    message.unwrap_or_else(|| e.text.clone())
                ),
            });
        }
    }
    out
}

/// When the scenario's churn steps changed AD.
pub fn churn_times(events: &[TimelineEvent]) -> Vec<u64> {
    events
        .iter()
        .filter(|e| {
            e.source == EventSource::Runner
                && e.kind == "step"
                && e.data_str("action") == Some("churn")
        })
        .map(|e| e.at_ms)
        .collect()
}

/// The cutover's sync gap the engine decided on: from DirSync's stop to Connect's first export.
pub fn engine_gaps(events: &[TimelineEvent]) -> Vec<Gap> {
    events
        .iter()
        .filter(|e| e.source == EventSource::Engine && tag(e, "decision") == Some("sync-gap"))
        .filter_map(|e| {
            let gap = inner(e, "decision")?.get("gap")?.as_u64()?;
            Some(Gap {
                from_ms: e.at_ms.saturating_sub(gap),
                to_ms: e.at_ms,
                label: format!("cutover gap {}", SimDuration(gap)),
                title: e.line(),
            })
        })
        .collect()
}
