//! The range checks: every number of a scenario file against its limit in `limits.rs`, each
//! error at the value with the allowed range and what to do.

use super::Checker;
use crate::format::{ScenarioFile, SqlKind, Step};
use crate::limits::{
    Budget, MAX_CLOUD_ONLY, MAX_MEMBERSHIPS, MAX_MS_PER_OBJECT, MAX_OBJECTS, MAX_OPERATION_MS,
    MAX_OVERSIZED_GROUPS, MAX_RUN_CYCLES, MAX_SIM_DAYS, MAX_TENANT_QUOTA, MAX_WAIT_MINUTES,
    MAX_WALL_SECONDS, THROTTLE_WINDOW_MS, WRITES_PER_WINDOW, churn_adds_limit,
};
use std::ops::Range;
use upgrade_lab_model::constants::LOCALDB_MAX_OBJECTS;

#[cfg(test)]
mod tests;

/// `12345678` → `12,345,678`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The span of the value of `key = …` in the table `[header]`, or of the first `key = …`
/// anywhere (inline tables, dotted keys); `fallback` when the key is not written.
pub fn key_span(text: &str, header: &str, key: &str, fallback: Range<usize>) -> Range<usize> {
    let head = format!("[{header}]");
    let table = text
        .match_indices(&head)
        .find(|(i, _)| *i == 0 || text.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| {
            let body = i + head.len();
            let end = text[body..]
                .find("\n[")
                .map_or(text.len(), |e| body + e + 1);
            body..end
        });
    let within = table.unwrap_or(0..text.len());
    find_key(text, within, key).unwrap_or(fallback)
}

/// The span of the value of `key = …` in the step whose `[[steps]]` header is at `step`, else
/// the header.
fn step_key_span(text: &str, step: Range<usize>, key: &str) -> Range<usize> {
    let end = text[step.end..]
        .find("\n[")
        .map_or(text.len(), |e| step.end + e);
    find_key(text, step.start..end, key).unwrap_or(step)
}

fn find_key(text: &str, within: Range<usize>, key: &str) -> Option<Range<usize>> {
    let area = &text[within.clone()];
    for (i, _) in area.match_indices(key) {
        let before = area[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &area[i + key.len()..];
        let Some(value) = rest.trim_start_matches([' ', '\t']).strip_prefix('=') else {
            continue;
        };
        let value_text = value.trim_start_matches([' ', '\t']);
        let start = within.start + i + key.len() + (rest.len() - value_text.len());
        let len = value_text
            .find(|c: char| c.is_whitespace() || c == ',' || c == '}' || c == '#')
            .unwrap_or(value_text.len());
        return Some(start..start + len.max(1));
    }
    None
}

impl Checker<'_> {
    /// `value` must lie in `min..=max`; the message names the key, the value and the range.
    fn range(
        &mut self,
        span: Range<usize>,
        key: &str,
        value: u64,
        (min, max): (u64, u64),
        unit: &str,
        help: &str,
    ) {
        if value < min || value > max {
            self.err(
                span,
                format!(
                    "{key} = {} is out of range: allowed {} to {}{unit}",
                    thousands(value),
                    thousands(min),
                    thousands(max)
                ),
                format!("{help}; scenarios/README.md lists every range"),
            );
        }
    }
}

/// Every range check of a file. `objects` is the directory's size when it is known (a
/// generated directory's counts, or the objects the LDIF file holds).
pub(super) fn check(c: &mut Checker, file: &ScenarioFile, objects: Option<u64>) {
    budget(c, file);
    let budget = Budget::of(file, None);
    sizes(c, file, objects);
    let reach = steps(c, file, objects.unwrap_or(0), &budget);
    timing(c, file, reach);
    faults(c, file, &budget);
}

fn budget(c: &mut Checker, file: &ScenarioFile) {
    let b = &file.budget;
    if let Some(d) = &b.sim_days {
        let help = "a scenario spans at most a year of simulated time";
        c.range(
            d.span(),
            "sim_days",
            *d.get_ref(),
            (1, MAX_SIM_DAYS),
            " days",
            help,
        );
    }
    if let Some(s) = &b.wall_seconds {
        let help = "a scenario runs at most a day of wall time";
        let max = MAX_WALL_SECONDS;
        c.range(
            s.span(),
            "wall_seconds",
            *s.get_ref(),
            (1, max),
            " seconds",
            help,
        );
    }
}

fn sizes(c: &mut Checker, file: &ScenarioFile, objects: Option<u64>) {
    let w = file.world.get_ref();
    let text = c.text.clone();
    let world = file.world.span();
    if let Some(g) = &w.group_shape {
        let groups = w.groups.as_ref().map_or(0, |g| u64::from(*g.get_ref()));
        let mean = u64::from(g.mean_members.unwrap_or(12));
        let span = key_span(&text, "world.group_shape", "mean_members", world.clone());
        let memberships = groups.saturating_mul(mean);
        c.range(
            span,
            "groups × mean_members",
            memberships,
            (0, MAX_MEMBERSHIPS),
            " memberships",
            "lower groups or mean_members",
        );
    }
    if let Some(d) = &w.defects {
        let span = key_span(&text, "world.defects", "oversized_groups", world.clone());
        let n = u64::from(d.oversized_groups);
        c.range(
            span,
            "oversized_groups",
            n,
            (0, u64::from(MAX_OVERSIZED_GROUPS)),
            "",
            "each oversized group holds more than 50,000 members; a few show the refusal",
        );
    }
    let t = &w.tenant;
    let cloud = u64::from(t.cloud_only_users) + u64::from(t.cloud_only_groups);
    let span = key_span(&text, "world.tenant", "cloud_only_users", world.clone());
    c.range(
        span,
        "cloud_only_users + cloud_only_groups",
        cloud,
        (0, MAX_CLOUD_ONLY),
        "",
        "plant fewer cloud-only objects",
    );
    if let Some(q) = &t.quota {
        c.range(
            q.span(),
            "quota",
            *q.get_ref(),
            (1, MAX_TENANT_QUOTA),
            " objects",
            "omit it for the default (50,000, or 300,000 with a verified domain)",
        );
    }
    let express = w.dirsync.installed && w.dirsync.sql == SqlKind::Express;
    if let Some(n) = objects
        && express
        && n > LOCALDB_MAX_OBJECTS
    {
        let span = w.ldif.as_ref().map_or(world, toml::Spanned::span);
        c.err(
            span,
            format!(
                "DirSync on SQL Server Express cannot hold {} objects: allowed up to {}",
                thousands(n),
                thousands(LOCALDB_MAX_OBJECTS)
            ),
            "Express's 10 GB holds about 100,000 objects: add `sql = \"full\"` with sql_server and sql_instance to [world.dirsync], or make the directory smaller",
        );
    }
}

/// A churn step's counts against the directory before it: adds within the churn limit, and an
/// existing live object for each update and delete.
fn churn(
    c: &mut Checker,
    span: &dyn Fn(&str) -> std::ops::Range<usize>,
    (adds, updates, deletes): (u64, u64, u64),
    live: u64,
) {
    let help = format!(
        "a churn step adds at most 10 × the {} live objects before it (at least 10,000, at most 1,000,000)",
        thousands(live)
    );
    c.range(
        span("adds"),
        "adds",
        adds,
        (0, churn_adds_limit(live)),
        "",
        &help,
    );
    let changed = updates.saturating_add(deletes);
    let help =
        "each update and delete needs its own live object: add objects first, or change fewer";
    let at = if updates >= deletes {
        "updates"
    } else {
        "deletes"
    };
    c.range(
        span(at),
        "updates + deletes",
        changed,
        (0, live),
        " (the live objects before the step)",
        help,
    );
}

/// The step checks: waits, cycles and churn against the directory as it grows and shrinks.
/// Returns the most objects the world reaches.
fn steps(c: &mut Checker, file: &ScenarioFile, objects: u64, budget: &Budget) -> u64 {
    let (mut live, mut reach, mut waited) = (objects, objects, 0u64);
    let text = c.text.clone();
    let errors_before = c.errors.len();
    for step in &file.steps {
        let span = |key: &str| step_key_span(&text, step.span(), key);
        match step.get_ref() {
            Step::Wait { minutes, .. } => {
                let help = "split a longer wait into several steps, within the scenario's budget";
                c.range(
                    span("minutes"),
                    "wait minutes",
                    *minutes,
                    (1, MAX_WAIT_MINUTES),
                    " (30 days)",
                    help,
                );
                waited = waited.saturating_add(*minutes);
            }
            Step::RunCycle { count, .. } => {
                let max = u64::from(MAX_RUN_CYCLES);
                c.range(
                    span("count"),
                    "run_cycle count",
                    u64::from(*count),
                    (1, max),
                    "",
                    "a wait step lets the scheduler run cycles for longer",
                );
            }
            Step::Churn {
                adds,
                updates,
                deletes,
                ..
            } => {
                churn(c, &span, (*adds, *updates, *deletes), live);
                live = live.saturating_sub(*deletes).saturating_add(*adds);
                reach = reach.saturating_add(*adds);
            }
            _ => {}
        }
    }
    // A step's own `adds` error already says it.
    if reach > MAX_OBJECTS && c.errors.len() == errors_before {
        let span = file
            .steps
            .first()
            .map_or(file.world.span(), toml::Spanned::span);
        c.range(
            span,
            "the directory plus every churn add",
            reach,
            (0, MAX_OBJECTS),
            " objects",
            "add fewer objects",
        );
    }
    let max = budget.sim_minutes();
    if waited > max {
        let span = file
            .steps
            .iter()
            .rev()
            .find(|s| matches!(s.get_ref(), Step::Wait { .. }))
            .map_or(file.world.span(), |s| {
                step_key_span(&text, s.span(), "minutes")
            });
        c.range(
            span,
            "the wait steps' total minutes",
            waited,
            (0, max),
            " (the simulated-time budget)",
            "wait less, or raise `[budget] sim_days`",
        );
    }
    reach
}

/// Fields that cost per object or per write; the others are fixed durations.
const PER_OBJECT: [&str; 11] = [
    "full_import_ad_ms_per_object",
    "delta_import_ad_ms_per_change",
    "full_import_aad_ms_per_object",
    "delta_import_aad_ms_per_change",
    "full_sync_ad_ms_per_object",
    "delta_sync_ad_ms_per_object",
    "full_sync_aad_ms_per_object",
    "delta_sync_aad_ms_per_object",
    "export_ms_per_write",
    "dirsync_uninstall_ms_per_object",
    "aad_writes_per_window",
];

/// The allowed range of a `[world.timing]` field, its unit and a hint.
pub fn timing_range(field: &str) -> ((u64, u64), &'static str, &'static str) {
    match field {
        "aad_writes_per_window" => (
            WRITES_PER_WINDOW,
            " writes",
            "Azure AD admits 7,000 writes per 5 minutes",
        ),
        "aad_throttle_window_ms" => (
            THROTTLE_WINDOW_MS,
            " ms",
            "Azure AD's window is 5 minutes (300000)",
        ),
        f if PER_OBJECT.contains(&f) => (
            (0, MAX_MS_PER_OBJECT),
            " ms (10 minutes) per object",
            "a per-object cost is at most 10 minutes",
        ),
        _ => (
            (0, MAX_OPERATION_MS),
            " ms (7 days)",
            "one operation takes at most 7 days",
        ),
    }
}

fn timing(c: &mut Checker, file: &ScenarioFile, reach: u64) {
    let Some(t) = &file.world.get_ref().timing else {
        return;
    };
    let text = c.text.clone();
    let timing = t.get_ref();
    for (field, value) in timing.fields() {
        let span = key_span(&text, "world.timing", field, t.span());
        let (range, unit, help) = timing_range(field);
        c.range(span.clone(), field, value, range, unit, help);
        let whole_run = field.ends_with("_per_object")
            || field.ends_with("_per_change")
            || field == "export_ms_per_write";
        let total = value
            .saturating_mul(reach)
            .saturating_add(timing.run_overhead_ms);
        if whole_run
            && field != "dirsync_uninstall_ms_per_object"
            && value <= MAX_MS_PER_OBJECT
            && total > MAX_OPERATION_MS
        {
            c.err(
                span,
                format!("{field} = {value} makes one run over {} objects take {} ms: allowed up to {} ms (7 days)", thousands(reach), thousands(total), thousands(MAX_OPERATION_MS)),
                "lower the cost: a run's overhead plus its per-object cost × the objects is at most 7 days",
            );
        }
    }
}

fn faults(c: &mut Checker, file: &ScenarioFile, budget: &Budget) {
    let max = budget.sim_minutes();
    for f in &file.faults {
        let help = "a fault strikes within the scenario's simulated-time budget; raise `[budget] sim_days` for a later one";
        if let Some(at) = &f.at_minutes {
            c.range(
                at.span(),
                "at_minutes",
                *at.get_ref(),
                (0, max),
                " (the simulated-time budget)",
                help,
            );
        }
        if let Some(m) = &f.for_minutes
            && *m.get_ref() > 0
        {
            c.range(
                m.span(),
                "for_minutes",
                *m.get_ref(),
                (1, max),
                " (the simulated-time budget)",
                "omit it to last until the end",
            );
        }
    }
}
