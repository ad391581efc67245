//! Compares the facts with the scenario's `[expect]`: one `Check` per expectation, plus a
//! failing check for every refusal or error the scenario did not announce.

use super::facts::{Facts, ObjectFact, event_kinds, violation_kind, violation_line};
use super::steps::StepResult;
use crate::format::{
    Bound, Expect, ObjectExpectation, PendingExportsExpectation, StepOutcome, ViolationKind,
};
use crate::outcome::{
    Check, InvariantResult, OperationCountsLine, PendingSummary, RunLine, ViolationLine,
};
use std::collections::BTreeSet;
use toml::Spanned;
use upgrade_lab_model::{Blocker, Connector, RunProfile};

fn bound(out: &mut Vec<Check>, what: &str, b: Option<&Spanned<Bound>>, actual: u64) {
    if let Some(b) = b {
        let b = b.get_ref();
        out.push(Check::judged(
            what,
            b.to_string(),
            actual.to_string(),
            b.contains(actual),
        ));
    }
}

fn set(words: &[Spanned<String>]) -> String {
    let s: BTreeSet<&str> = words.iter().map(|w| w.get_ref().as_str()).collect();
    s.into_iter().collect::<Vec<_>>().join(", ")
}

fn step_outcomes(out: &mut Vec<Check>, facts: &Facts, expected: &[StepOutcome], refusals: bool) {
    let label = if refusals { "refusals" } else { "errors" };
    for (i, e) in expected.iter().enumerate() {
        let step = e.step.get_ref();
        let record = facts.steps.iter().find(|s| &s.name == step);
        let actual = match record.map(|r| &r.result) {
            None => "the step did not run".to_string(),
            Some(StepResult::Done(s)) => format!("{step} completed: {s}"),
            Some(StepResult::Refused { kind, message }) => {
                format!("{step} refused {kind}: {message}")
            }
            Some(StepResult::Failed { kind, message }) => {
                format!("{step} failed {kind}: {message}")
            }
        };
        let ok = match record.map(|r| &r.result) {
            Some(StepResult::Refused { kind, message }) if refusals => {
                kind == e.kind.get_ref()
                    && e.message_contains
                        .as_ref()
                        .is_none_or(|m| message.contains(m.as_str()))
            }
            Some(StepResult::Failed { kind, message }) if !refusals => {
                kind == e.kind.get_ref()
                    && e.message_contains
                        .as_ref()
                        .is_none_or(|m| message.contains(m.as_str()))
            }
            _ => false,
        };
        let expected = format!(
            "{step} {} {}{}",
            if refusals { "refused" } else { "failed" },
            e.kind.get_ref(),
            e.message_contains
                .as_ref()
                .map(|m| format!(" (\"{m}\")"))
                .unwrap_or_default()
        );
        out.push(Check::judged(
            format!("expect.{label}[{i}]"),
            expected,
            actual,
            ok,
        ));
    }
}

fn unannounced(out: &mut Vec<Check>, facts: &Facts, expect: &Expect) {
    for r in &facts.steps {
        let (kind, message, listed) = match &r.result {
            StepResult::Refused { kind, message } => (
                kind,
                message,
                expect.refusals.iter().any(|e| e.step.get_ref() == &r.name),
            ),
            StepResult::Failed { kind, message } => (
                kind,
                message,
                expect.errors.iter().any(|e| e.step.get_ref() == &r.name),
            ),
            StepResult::Done(_) => continue,
        };
        if !listed {
            out.push(Check::judged(
                format!("step {}", r.name),
                "completes",
                format!("{kind}: {message}"),
                false,
            ));
        }
    }
}

/// `[expect.pending_exports]`: the counts, their classification, and "the churn plus the rule
/// differences, exactly".
fn pending_exports(out: &mut Vec<Check>, p: &PendingExportsExpectation, facts: &Facts) {
    let s = facts.pending.clone().unwrap_or_default();
    let key = |k: &str| format!("expect.pending_exports.{k}");
    for (name, want, actual) in [
        ("adds", &p.adds, s.adds),
        ("updates", &p.updates, s.updates),
        ("deletes", &p.deletes, s.deletes),
        ("total", &p.total, s.total),
        ("directory_adds", &p.directory_adds, s.directory.adds),
        (
            "directory_updates",
            &p.directory_updates,
            s.directory.updates,
        ),
        (
            "directory_deletes",
            &p.directory_deletes,
            s.directory.deletes,
        ),
        (
            "rules_only_updates",
            &p.rules_only_updates,
            s.rules_only_updates,
        ),
    ] {
        bound(out, &key(name), want.as_ref(), actual);
    }
    let unexplained = s.unexplained.adds + s.unexplained.updates + s.unexplained.deletes;
    bound(
        out,
        &key("unexplained"),
        p.unexplained.as_ref(),
        unexplained,
    );
    for (name, b) in &p.rule_differences {
        let actual = s.rule_differences.get(name.get_ref()).copied().unwrap_or(0);
        bound(
            out,
            &key(&format!("rule_differences.{}", name.get_ref())),
            Some(b),
            actual,
        );
    }
    if let Some(want) = p.equals_churn {
        out.push(equals_churn(want, &s, unexplained, facts.churn));
    }
}

/// "The pending exports are the churn plus the rule differences, exactly": the directory's
/// changes equal the churn, nothing is unexplained, and the total adds up.
fn equals_churn(want: bool, s: &PendingSummary, unexplained: u64, c: OperationCountsLine) -> Check {
    let rules: u64 = s.rules_only_updates;
    let holds =
        s.directory == c && unexplained == 0 && s.total == c.adds + c.updates + c.deletes + rules;
    let rule_names: Vec<String> = s
        .rule_differences
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    Check::judged(
        "expect.pending_exports.equals_churn",
        format!(
            "{want}: churn {} adds, {} updates, {} deletes plus {rules} rule-only updates ({})",
            c.adds,
            c.updates,
            c.deletes,
            rule_names.join(", ")
        ),
        format!(
            "{holds}: directory {} adds, {} updates, {} deletes; {unexplained} unexplained{}; {} in all",
            s.directory.adds,
            s.directory.updates,
            s.directory.deletes,
            s.unexplained_examples
                .first()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default(),
            s.total
        ),
        holds == want,
    )
}

/// Every expectation of `expect` as a check.
pub fn checks(expect: &Expect, facts: &Facts) -> Vec<Check> {
    judge(expect, facts, true)
}

/// The expectations of a checkpoint after step `after`, named `checkpoint[after <step>].<key>`.
pub fn checkpoint_checks(after: &str, expect: &Expect, facts: &Facts) -> Vec<Check> {
    let prefix = format!("checkpoint[after {after}]");
    judge(expect, facts, false)
        .into_iter()
        .map(|mut c| {
            if let Some(rest) = c.what.strip_prefix("expect") {
                c.what = format!("{prefix}{rest}");
            }
            c
        })
        .collect()
}

/// `whole_run`: the refusals and errors of every step are judged too (only at the end).
fn judge(expect: &Expect, facts: &Facts, whole_run: bool) -> Vec<Check> {
    let mut out = Vec::new();
    analysis_checks(&mut out, expect, facts);
    if whole_run {
        step_outcomes(&mut out, facts, &expect.refusals, true);
        step_outcomes(&mut out, facts, &expect.errors, false);
        unannounced(&mut out, facts, expect);
    }
    state_checks(&mut out, expect, facts);
    tenant_checks(&mut out, expect, facts);
    event_checks(&mut out, expect, facts);
    if let Some(x) = &expect.exports {
        let n = |c: &str| facts.exports_by_client.get(c).copied().unwrap_or(0);
        bound(
            &mut out,
            "expect.exports.dirsync",
            x.dirsync.as_ref(),
            n("dirsync"),
        );
        bound(
            &mut out,
            "expect.exports.connect",
            x.connect.as_ref(),
            n("connect"),
        );
    }
    runs(&mut out, expect, facts);
    sql(&mut out, expect, facts);
    objects(&mut out, expect, facts);
    out
}

/// The analysis page and the prerequisite findings.
fn analysis_checks(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    let a = facts.analysis.as_ref();
    let page = a.map(|a| a.page.as_str());
    if let Some(p) = expect.analysis_page {
        out.push(Check::new(
            "expect.analysis_page",
            p.as_str(),
            page.unwrap_or("none"),
        ));
    }
    if let Some(r) = expect.recommendation {
        let actual = a.map(|a| a.recommendation.as_str());
        out.push(Check::new(
            "expect.recommendation",
            r.as_str(),
            actual.unwrap_or("none"),
        ));
    }
    bound(
        out,
        "expect.estimate_minutes",
        expect.estimate_minutes.as_ref(),
        a.map_or(0, |a| a.estimate.as_millis() / 60_000),
    );
    if let Some(b) = &expect.blockers {
        let actual: BTreeSet<&str> = a
            .map(|a| a.blockers.iter().map(Blocker::as_str).collect())
            .unwrap_or_default();
        out.push(Check::new(
            "expect.blockers",
            set(b),
            actual.into_iter().collect::<Vec<_>>().join(", "),
        ));
    }
    if let Some(p) = &expect.prerequisite_findings {
        let actual: BTreeSet<String> = facts
            .steps
            .iter()
            .flat_map(|s| s.findings.iter())
            .map(|f| f.check.as_str().to_string())
            .collect();
        out.push(Check::new(
            "expect.prerequisite_findings",
            set(p),
            actual.into_iter().collect::<Vec<_>>().join(", "),
        ));
    }
}

/// Pending exports, the exporter, DirSync and staging.
fn state_checks(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    if let Some(p) = &expect.pending_exports {
        pending_exports(out, p, facts);
    }
    if let Some(e) = expect.active_exporter {
        out.push(Check::new(
            "expect.active_exporter",
            e.as_str(),
            facts.active_exporter.clone(),
        ));
    }
    if let Some(d) = expect.dirsync_state {
        let want = d.as_str();
        out.push(Check::new(
            "expect.dirsync_state",
            want,
            facts.dirsync_state.clone(),
        ));
    }
    if let Some(s) = expect.connect_staging {
        out.push(Check::new(
            "expect.connect_staging",
            s.to_string(),
            facts.connect_staging.to_string(),
        ));
    }
}

/// The tenant, times and the settings file.
fn tenant_checks(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    if let Some(t) = expect.tenant_equals_directory {
        out.push(tenant_equals_directory(t, facts));
    }
    bound(
        out,
        "expect.tenant_objects",
        expect.tenant_objects.as_ref(),
        facts.tenant_objects,
    );
    bound(
        out,
        "expect.tenant_live_objects",
        expect.tenant_live_objects.as_ref(),
        facts.tenant_live_objects,
    );
    // The maximum is the `sync_gap_exceeded` invariant; the check keeps the minimum.
    if let Some(min) = expect
        .sync_gap_minutes
        .as_ref()
        .and_then(|b| b.get_ref().min)
    {
        let (b, gap) = (
            Bound {
                min: Some(min),
                max: None,
            },
            facts.ledger.sync_gap.as_millis() / 60_000,
        );
        out.push(Check::judged(
            "expect.sync_gap_minutes",
            b.to_string(),
            gap.to_string(),
            b.contains(gap),
        ));
    }
    bound(
        out,
        "expect.sim_minutes",
        expect.sim_minutes.as_ref(),
        facts.now_ms / 60_000,
    );
    if let Some(s) = expect.settings_exported {
        out.push(settings_exported(s, facts));
    }
}

/// `tenant_equals_directory`: the tenant holds exactly the directory's in-scope objects.
fn tenant_equals_directory(t: bool, facts: &Facts) -> Check {
    let tc = &facts.ledger.tenant;
    let actual = tc.equals_directory();
    let detail = format!(
        "{actual} (in scope {}, missing {}, duplicated {}, stale {}, orphaned {}, cloud-only \
         changed {})",
        tc.in_scope,
        tc.missing.len(),
        tc.duplicated.len(),
        tc.stale.len(),
        tc.orphaned.len(),
        tc.cloud_changed.len()
    );
    Check::judged(
        "expect.tenant_equals_directory",
        t.to_string(),
        detail,
        t == actual,
    )
}

/// `settings_exported`: the settings were exported and no server file holds a password.
fn settings_exported(s: bool, facts: &Facts) -> Check {
    let actual = facts.settings_exported && !facts.settings_file_has_secret;
    let detail = format!(
        "exported {}, holds a password {}",
        facts.settings_exported, facts.settings_file_has_secret
    );
    Check::judged(
        "expect.settings_exported",
        format!("exported {s}, holds a password false"),
        detail,
        s == actual,
    )
}

/// Engine events that must, or must not, have happened.
fn event_checks(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    let kinds: BTreeSet<String> = facts.events.iter().flat_map(event_kinds).collect();
    if let Some(s) = expect.sign_out_required {
        let actual = kinds.contains("sign_out_required");
        out.push(Check::new(
            "expect.sign_out_required",
            s.to_string(),
            actual.to_string(),
        ));
    }
    for k in expect.events.iter().flatten() {
        let k = k.get_ref();
        let seen = kinds.contains(k);
        out.push(Check::judged(
            format!("expect.events {k}"),
            "present",
            if seen { "present" } else { "absent" },
            seen,
        ));
    }
    events_absent(out, expect, facts);
}

fn events_absent(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    for k in expect.events_absent.iter().flatten() {
        let k = k.get_ref();
        let times: Vec<String> = facts
            .events
            .iter()
            .filter(|e| event_kinds(e).contains(k))
            .map(|e| format!("at {}", e.at))
            .collect();
        out.push(Check::judged(
            format!("expect.events_absent {k}"),
            "absent",
            if times.is_empty() {
                "absent".to_string()
            } else {
                format!("happened {}", times.join(", "))
            },
            times.is_empty(),
        ));
    }
}

fn sql(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    let Some(s) = &expect.sql else { return };
    for (key, want, actual) in [
        ("analysis_found", &s.analysis_found, &facts.sql_found),
        ("connect_uses", &s.connect_uses, &facts.connect_sql),
    ] {
        if let Some(w) = want {
            out.push(Check::judged(
                format!("expect.sql.{key}"),
                w.get_ref().clone(),
                actual.clone(),
                w.get_ref().eq_ignore_ascii_case(actual),
            ));
        }
    }
}

/// The `export` runs of each server's Azure AD connector: the first one of each server.
fn first_exports(facts: &Facts) -> Vec<usize> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, l) in facts.runs.iter().enumerate() {
        if l.connector == Connector::AzureAd.as_str()
            && l.profile == RunProfile::Export.as_str()
            && !seen.contains(&l.server.as_str())
        {
            seen.push(&l.server);
            out.push(i);
        }
    }
    out
}

fn within(b: Option<&Spanned<Bound>>, value: u64) -> bool {
    b.is_none_or(|b| b.get_ref().contains(value))
}

fn run_stats_wanted(r: &crate::format::RunExpectation) -> String {
    let mut parts = Vec::new();
    for (name, b) in [
        ("adds", &r.adds),
        ("updates", &r.updates),
        ("deletes", &r.deletes),
    ] {
        if let Some(b) = b {
            parts.push(format!("{name} {}", b.get_ref()));
        }
    }
    if r.first_export {
        parts.insert(0, "first export".to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn runs(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    let firsts = first_exports(facts);
    for (i, r) in expect.runs.iter().enumerate() {
        let connector = r.connector.map(Connector::as_str);
        let profile = r.profile.map(RunProfile::as_str);
        let candidates: Vec<&RunLine> = facts
            .runs
            .iter()
            .enumerate()
            .filter(|(n, _)| !r.first_export || firsts.contains(n))
            .map(|(_, l)| l)
            .filter(|l| l.server == r.server.as_str())
            .filter(|l| connector.is_none_or(|c| l.connector == c))
            .filter(|l| profile.is_none_or(|p| l.profile == p))
            .filter(|l| l.status == r.status.as_str())
            .collect();
        let matching = candidates
            .iter()
            .filter(|l| within(r.adds.as_ref(), l.adds))
            .filter(|l| within(r.updates.as_ref(), l.updates))
            .filter(|l| within(r.deletes.as_ref(), l.deletes))
            .count() as u64;
        let stats: Vec<String> = candidates
            .iter()
            .map(|l| format!("{}/{}/{}", l.adds, l.updates, l.deletes))
            .collect();
        let b = r.count.as_ref().map_or(
            Bound {
                min: Some(1),
                max: None,
            },
            |c| *c.get_ref(),
        );
        out.push(Check::judged(
            format!("expect.runs[{i}]"),
            format!(
                "{b} runs on {} {} {} with status {}{}",
                r.server.as_str(),
                connector.unwrap_or("any connector"),
                profile.unwrap_or("any profile"),
                r.status.as_str(),
                run_stats_wanted(r)
            ),
            if r.adds.is_some() || r.updates.is_some() || r.deletes.is_some() {
                format!(
                    "{matching} runs (adds/updates/deletes of the candidates: {})",
                    if stats.is_empty() {
                        "none".to_string()
                    } else {
                        stats.join(", ")
                    }
                )
            } else {
                format!("{matching} runs")
            },
            b.contains(matching),
        ));
    }
}

fn objects(out: &mut Vec<Check>, expect: &Expect, facts: &Facts) {
    for (i, (o, f)) in expect.objects.iter().zip(&facts.objects).enumerate() {
        out.extend(object_checks(i, o, f));
    }
}

/// The checks of `[[expect.objects]]` entry `i` against what AD and the tenant hold.
pub(crate) fn object_checks(i: usize, o: &ObjectExpectation, f: &ObjectFact) -> Vec<Check> {
    let what = format!("expect.objects[{i}] {}", o.label());
    let want_in = *o.in_tenant.get_ref();
    let Some((_, deleted)) = &f.ad else {
        return vec![Check::judged(
            format!("{what}.in_tenant"),
            want_in.to_string(),
            "no such object in AD (live or deleted)",
            false,
        )];
    };
    let actual_in = f.tenant.is_some();
    let detail = match (deleted, actual_in) {
        (true, true) => "true (deleted from AD, still in the tenant)".to_string(),
        (true, false) => "false (deleted from AD)".to_string(),
        (false, b) => b.to_string(),
    };
    let mut out = vec![Check::judged(
        format!("{what}.in_tenant"),
        want_in.to_string(),
        detail,
        want_in == actual_in && !(want_in && *deleted),
    )];
    let Some(t) = f.tenant.as_ref().filter(|_| want_in) else {
        return out;
    };
    if let Some(id) = &o.immutable_id {
        let actual = t.immutable_id.as_ref().map_or("none", |i| i.as_str());
        out.push(Check::new(
            format!("{what}.immutable_id"),
            id.get_ref().clone(),
            actual,
        ));
    }
    for (name, want) in &o.attributes {
        let actual = t.attrs.get_text(name.get_ref());
        out.push(Check::judged(
            format!("{what}.attributes.{}", name.get_ref()),
            want.clone(),
            actual.clone().unwrap_or_else(|| "(not set)".to_string()),
            actual.as_deref() == Some(want.as_str()),
        ));
    }
    out
}

/// The sync gap over the scenario's stated maximum, as a violation (none without a maximum).
fn sync_gap_exceeded(expect: &Expect, facts: &Facts) -> Option<ViolationLine> {
    let max = expect.sync_gap_minutes.as_ref()?.get_ref().max?;
    let minutes = facts.ledger.sync_gap.as_millis() / 60_000;
    let mut data = serde_json::Map::new();
    data.insert("gap_minutes".into(), minutes.into());
    data.insert("max_minutes".into(), max.into());
    (minutes > max).then(|| ViolationLine {
        kind: ViolationKind::SyncGapExceeded.as_str().to_string(),
        summary: format!(
            "an AD change waited {minutes} minutes for its export, over the stated maximum of \
             {max} minutes"
        ),
        data,
        ..Default::default()
    })
}

/// The invariants of every run, one per violation kind, each held or violated, and whether the
/// scenario wanted that.
pub fn invariants(expect: &Expect, facts: &Facts) -> Vec<InvariantResult> {
    let wanted: BTreeSet<ViolationKind> = expect.violations.iter().map(|v| *v.get_ref()).collect();
    let mut lines: Vec<(ViolationKind, ViolationLine)> = facts
        .ledger
        .violations
        .iter()
        .map(|v| (violation_kind(v), violation_line(v)))
        .collect();
    lines.extend(sync_gap_exceeded(expect, facts).map(|l| (ViolationKind::SyncGapExceeded, l)));
    ViolationKind::ALL
        .iter()
        .map(|kind| {
            let violations: Vec<ViolationLine> = lines
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, l)| l.clone())
                .collect();
            let summaries: Vec<&str> = violations.iter().map(|l| l.summary.as_str()).collect();
            InvariantResult {
                name: kind.as_str().to_string(),
                held: violations.is_empty(),
                violation_expected: wanted.contains(kind),
                detail: summaries.join("; "),
                violations,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use upgrade_lab_model::{SimDuration, SimTime};
    use upgrade_lab_simulator::oracle::{AttributeDiff, ObjectRef, WrongObject};
    use upgrade_lab_simulator::world::report::{
        LedgerReport, Objects, TenantCheck, Violation, WrongObjects,
    };

    fn object(n: u32) -> ObjectRef {
        ObjectRef {
            name: format!("CN=u{n},DC=contoso,DC=com"),
            dn: Some(format!("CN=u{n},DC=contoso,DC=com")),
            immutable_id: Some(format!("id{n}")),
        }
    }

    fn wrong() -> WrongObjects {
        WrongObjects {
            count: 1,
            objects: vec![WrongObject {
                object: object(9),
                differences: vec![AttributeDiff {
                    attribute: "userPrincipalName",
                    expected: "a@contoso.com".into(),
                    actual: "a@contoso.local".into(),
                }],
            }],
        }
    }

    /// One violation of every kind the world reports.
    fn every_violation() -> Vec<Violation> {
        let (at, host) = (SimTime(60_000), "AADC01".to_string());
        let objects = || Objects {
            count: 25,
            objects: (0..20).map(object).collect(),
        };
        vec![
            Violation::TwoActiveExporters {
                first: "A".into(),
                second: "B".into(),
                from: at,
                to: at,
            },
            Violation::RollbackToDirSync {
                at,
                connect_first_export: at,
            },
            Violation::InstallerRerun {
                at,
                host: host.clone(),
            },
            Violation::SharedSqlInstance {
                at,
                host: host.clone(),
                instance: "SQL01\\DIRSYNC".into(),
            },
            Violation::DirSyncUninstalledBeforeInspection {
                at,
                host: host.clone(),
            },
            Violation::BlockedConfigurationMigrated {
                at,
                host,
                reasons: vec!["extension DLL".into()],
            },
            Violation::ObjectLost(objects()),
            Violation::ObjectDuplicated(objects()),
            Violation::ObjectOrphaned(objects()),
            Violation::ObjectStale(wrong()),
            Violation::CloudObjectChanged(wrong()),
            Violation::ExportRepeated {
                at,
                host: "DIRSYNC01".into(),
                count: 2,
                objects: vec!["id0".into(), "id1".into()],
            },
        ]
    }

    fn facts(violations: Vec<Violation>, gap_minutes: u64) -> Facts {
        Facts {
            now_ms: 0,
            analysis: None,
            steps: Vec::new(),
            events: Vec::new(),
            runs: Vec::new(),
            pending: None,
            ledger: LedgerReport {
                at: SimTime::START,
                exporter_intervals: Vec::new(),
                two_active_at_once: false,
                rollback_at: None,
                sync_gap: SimDuration::from_mins(gap_minutes),
                converged: true,
                tenant: TenantCheck::default(),
                provisioning_errors: 0,
                violations,
            },
            exports_by_client: BTreeMap::new(),
            active_exporter: "connect".into(),
            dirsync_state: "uninstalled".into(),
            connect_staging: false,
            tenant_objects: 0,
            tenant_live_objects: 0,
            settings_exported: false,
            settings_file_has_secret: false,
            churn: OperationCountsLine::default(),
            sql_found: "none".into(),
            connect_sql: "none".into(),
            objects: Vec::new(),
        }
    }

    fn expect(text: &str) -> Expect {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn every_violation_kind_fails_a_run_that_does_not_list_it() {
        let gap = expect("sync_gap_minutes = { max = 30 }");
        let results = invariants(&gap, &facts(every_violation(), 31));
        assert_eq!(results.len(), ViolationKind::ALL.len());
        for r in &results {
            assert!(!r.held && !r.ok(), "{r:?}");
            assert!(!r.violations.is_empty() && !r.detail.is_empty(), "{r:?}");
        }
        // Objects are named (the first 20) with the full count.
        let lost = results.iter().find(|r| r.name == "object_lost").unwrap();
        let lines = lost.violations[0].lines();
        assert!(lines[1].starts_with("CN=u0,DC=contoso,DC=com (immutableId id0)"));
        assert_eq!(lines.last().unwrap(), "... and 5 more");
        let stale = results.iter().find(|r| r.name == "object_stale").unwrap();
        assert!(
            stale.violations[0].lines()[1]
                .ends_with("userPrincipalName expected 'a@contoso.com', actual 'a@contoso.local'")
        );
    }

    #[test]
    fn listed_kinds_must_happen_and_then_pass() {
        let all: Vec<String> = ViolationKind::ALL
            .iter()
            .map(|k| format!("\"{}\"", k.as_str()))
            .collect();
        let listed = expect(&format!(
            "sync_gap_minutes = {{ max = 30 }}\nviolations = [{}]",
            all.join(", ")
        ));
        let happened = invariants(&listed, &facts(every_violation(), 31));
        assert!(
            happened.iter().all(crate::outcome::InvariantResult::ok),
            "{happened:?}"
        );
        let quiet = invariants(&listed, &facts(Vec::new(), 30));
        assert!(quiet.iter().all(|r| r.held && !r.ok()), "{quiet:?}");
    }

    #[test]
    fn the_sync_gap_limit_is_an_invariant_only_when_stated() {
        let none = invariants(&Expect::default(), &facts(Vec::new(), 10_000));
        assert!(none.iter().all(|r| r.held));
        let checks = checks(
            &expect("sync_gap_minutes = { min = 60, max = 90 }"),
            &facts(Vec::new(), 120),
        );
        let gap = checks
            .iter()
            .find(|c| c.what == "expect.sync_gap_minutes")
            .unwrap();
        assert!(
            gap.ok,
            "the minimum holds; the maximum is the invariant's: {gap:?}"
        );
    }
}
