//! The plan as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched):
//! the plan's sections, each path with the HTML report's SVG timeline of its rehearsal and its
//! DirSync ⇄ Connect configuration table. Every text is escaped.

use crate::model::{PathPlan, Plan, Staging};
use std::fmt::Write;
use upgrade_lab_scenario::numbers::{thousands, thousands_usize};
use upgrade_lab_scenario::outcome::{PendingSummary, ScenarioOutcome};
use upgrade_lab_scenario::report::timeline::{self, svg::escape};

const STYLE: &str = "body{margin:0;font:14px/1.5 system-ui,sans-serif;color:#24292f}\
main{max-width:1260px;margin:0 auto;padding:24px}table{border-collapse:collapse;width:100%;margin:6px 0 12px}\
th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #d0d7de;vertical-align:top}th{background:#f6f8fa}\
.go{color:#1a7f37;font-weight:600}.no_go{color:#c62828;font-weight:600}tr.dropped td{background:#fff5f5}\
tr.changed td{background:#fff8c5}.timeline-box{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px}\
.timeline-box svg{display:block}code{font:12px ui-monospace,monospace}";

fn row(s: &mut String, cells: &[String]) {
    s.push_str("<tr>");
    for c in cells {
        let _ = write!(s, "<td>{}</td>", escape(c));
    }
    s.push_str("</tr>\n");
}

fn table(s: &mut String, head: &[&str], rows: Vec<Vec<String>>) {
    s.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(s, "<th>{h}</th>");
    }
    s.push_str("</tr></thead><tbody>\n");
    for r in rows {
        row(s, &r);
    }
    s.push_str("</tbody></table>\n");
}

pub fn render(p: &Plan) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Upgrade plan: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>Upgrade plan: DirSync to Azure AD Connect</h1>\n<p>Directory: {} · seed {} · plan version {}</p>\n",
        escape(&p.directory.forest),
        escape(&p.source),
        p.seed,
        p.plan_version
    );
    let _ = writeln!(
        s,
        "<h2>Decision</h2>\n<p>Recommended path: <b>{}</b></p>",
        escape(p.recommended_path.title())
    );
    table(
        &mut s,
        &["path", "decision", "sync gap (min)", "reasons"],
        p.paths
            .iter()
            .map(|x| {
                vec![
                    x.path.title().into(),
                    x.decision.as_str().into(),
                    thousands(x.sync_gap_minutes),
                    x.reasons.join("; "),
                ]
            })
            .collect(),
    );
    facts(&mut s, p);
    findings(&mut s, p);
    for (x, o) in p.paths.iter().zip(&p.outcomes) {
        path(&mut s, x, o, &p.staging);
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// What the description gave and what the plan assumed, section by section.
fn assumptions(s: &mut String, p: &Plan) {
    let _ = writeln!(
        s,
        "<h2>What the description gave, and what was assumed</h2>"
    );
    table(
        s,
        &["section", "given", "what the plan used"],
        p.assumptions
            .iter()
            .map(|a| {
                vec![
                    a.section.clone(),
                    if a.given { "yes" } else { "no" }.into(),
                    a.statement.clone(),
                ]
            })
            .collect(),
    );
}

/// Prerequisites, refused objects and what DirSync's configuration carries.
fn findings(s: &mut String, p: &Plan) {
    let _ = writeln!(s, "<h2>Prerequisites</h2>");
    table(
        s,
        &[
            "path", "server", "check", "has", "needs", "passed", "source", "fix",
        ],
        p.prerequisites
            .iter()
            .map(|x| {
                vec![
                    x.path.as_str().into(),
                    x.server.clone(),
                    x.check.clone(),
                    x.value.clone(),
                    x.required.clone(),
                    if x.passed { "pass" } else { "FAIL" }.into(),
                    x.source.as_str().into(),
                    x.fix.clone(),
                ]
            })
            .collect(),
    );
    assumptions(s, p);
    let _ = writeln!(s, "<h2>Objects Azure AD would refuse</h2>");
    table(
        s,
        &["kind", "count", "why", "examples"],
        p.refused
            .iter()
            .map(|r| {
                vec![
                    r.kind.clone(),
                    thousands_usize(r.count),
                    r.why.clone(),
                    r.examples.join("; "),
                ]
            })
            .collect(),
    );
    let c = &p.configuration;
    let _ = writeln!(s, "<h2>DirSync's configuration</h2>");
    table(
        s,
        &["carries over", "blocks", "reset"],
        (0..c.carries.len().max(c.blocks.len()).max(c.resets.len()))
            .map(|i| {
                [&c.carries, &c.blocks, &c.resets]
                    .iter()
                    .map(|l| l.get(i).cloned().unwrap_or_default())
                    .collect()
            })
            .collect(),
    );
}

fn facts(s: &mut String, p: &Plan) {
    let (d, w, q, t) = (&p.directory, &p.wizard, &p.sql_sizing, &p.tenant_quota);
    let _ = writeln!(s, "<h2>Directory, wizard, sizing</h2>");
    table(
        s,
        &["", ""],
        vec![
            vec![
                "directory".into(),
                format!(
                    "{} users, {} groups, {} contacts, {} OUs; {} in DirSync's scope",
                    thousands_usize(d.users),
                    thousands_usize(d.groups),
                    thousands_usize(d.contacts),
                    thousands_usize(d.organizational_units),
                    thousands(d.in_scope)
                ),
            ],
            vec![
                "analysis page".into(),
                format!(
                    "{} (recommendation {}, estimate {} minutes, blockers: {})",
                    w.page,
                    w.recommendation,
                    thousands(w.estimate_minutes),
                    if w.blockers.is_empty() {
                        "none".into()
                    } else {
                        w.blockers.join("; ")
                    }
                ),
            ],
            vec![
                "SQL".into(),
                format!(
                    "{} objects, LocalDB {} GB ≈ {} objects: {}",
                    thousands(q.objects),
                    q.localdb_limit_gb,
                    thousands(q.localdb_limit_objects),
                    q.advice
                ),
            ],
            vec![
                "tenant quota".into(),
                format!(
                    "{} objects + {} cloud-only against {} ({}): {}",
                    thousands(t.objects),
                    thousands(t.cloud_only),
                    thousands(t.quota),
                    t.source.as_str(),
                    t.advice
                ),
            ],
        ],
    );
}

/// The pending exports at verification, by what explains them, and the staging window's
/// statement.
fn pending(s: &mut String, p: Option<&PendingSummary>, staging: &Staging) {
    let _ = writeln!(
        s,
        "<h3>Staging window and pending exports at verification</h3>\n<p>{} hours at {} adds, {} updates, {} deletes an hour. {}</p>",
        staging.hours,
        thousands(staging.adds_per_hour),
        thousands(staging.updates_per_hour),
        thousands(staging.deletes_per_hour),
        escape(&staging.statement)
    );
    let Some(p) = p else {
        return;
    };
    table(
        s,
        &["", "adds", "updates", "deletes"],
        p.rows()
            .iter()
            .map(|(label, a, u, d)| {
                vec![
                    (*label).to_string(),
                    thousands(*a),
                    thousands(*u),
                    thousands(*d),
                ]
            })
            .collect(),
    );
}

/// The runbook as an ordered list.
fn runbook(s: &mut String, x: &PathPlan) {
    let _ = writeln!(s, "<h3>Runbook</h3>\n<ol>");
    for st in &x.runbook {
        let _ = write!(
            s,
            "<li><b>{}</b> on {}<ul>",
            escape(&st.title),
            escape(&st.server)
        );
        for a in &st.actions {
            let _ = write!(s, "<li>{}</li>", escape(a));
        }
        let _ = writeln!(
            s,
            "<li>gate: {} ({}: {})</li></ul></li>",
            escape(&st.gate),
            if st.gate_passed {
                "passed in rehearsal"
            } else {
                "NOT passed in rehearsal"
            },
            escape(&st.rehearsal)
        );
    }
    s.push_str("</ol>\n");
}

fn path(s: &mut String, x: &PathPlan, o: &ScenarioOutcome, staging: &Staging) {
    let id = format!("plan-{}-", x.path.as_str());
    let _ = writeln!(
        s,
        "<h2>{}: <span class=\"{}\">{}</span></h2>\n<p>Predicted sync gap: {} minutes.</p>",
        escape(x.path.title()),
        serde_json::to_value(x.decision)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        x.decision.as_str(),
        thousands(x.sync_gap_minutes)
    );
    let _ = writeln!(
        s,
        "<h3>Timeline of the rehearsal</h3>\n<div class=\"timeline-box\">\n{}</div>",
        timeline::svg_with_prefix(o, &id)
    );
    if x.path == crate::rehearse::PathKind::Parallel {
        pending(s, x.pending_at_verification.as_ref(), staging);
    }
    if let Some(d) = &x.config_diff {
        upgrade_lab_scenario::report::html::config_diff(s, d);
    }
    runbook(s, x);
}
