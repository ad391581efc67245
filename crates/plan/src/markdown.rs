//! The plan as Markdown: what an operator reads and pastes into a change request.

use crate::model::{PathPlan, Plan, Prerequisite, Source, Staging};
use crate::rehearse::PathKind;
use std::fmt::Write;
use upgrade_lab_scenario::config_diff::ConfigDiff;
use upgrade_lab_scenario::numbers::{thousands, thousands_usize};
use upgrade_lab_scenario::outcome::PendingSummary;

/// A table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub fn render(p: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Upgrade plan: DirSync to Azure AD Connect\n");
    let _ = writeln!(
        s,
        "Directory: {} · rehearsed in the simulator with seed {} · plan version {}\n",
        p.source, p.seed, p.plan_version
    );
    decision(&mut s, p);
    assumptions(&mut s, p);
    directory(&mut s, p);
    sizing(&mut s, p);
    prerequisites(&mut s, p);
    refused(&mut s, p);
    configuration(&mut s, p);
    for path in &p.paths {
        path_section(&mut s, path, Some(&p.staging));
    }
    s
}

fn decision(s: &mut String, p: &Plan) {
    let chosen = p.paths.iter().find(|x| x.path == p.recommended_path);
    let _ = writeln!(s, "## Decision\n");
    let _ = writeln!(
        s,
        "Recommended path: **{}**: {}.\n",
        p.recommended_path.title(),
        chosen.map_or("not rehearsed", |c| c.decision.as_str())
    );
    s.push_str("| path | decision | sync gap | rehearsal | reasons |\n|---|---|---|---|---|\n");
    for x in &p.paths {
        let _ = writeln!(
            s,
            "| {} | {} | {} min | {} min, {} | {} |",
            x.path.title(),
            x.decision.as_str(),
            thousands(x.sync_gap_minutes),
            thousands(x.duration_minutes),
            x.verdict,
            cell(&match x.reasons.as_slice() {
                [] => "none".to_string(),
                [one] => one.clone(),
                [first, more @ ..] =>
                    format!("{first} (and {} more in the path's section)", more.len()),
            })
        );
    }
    s.push('\n');
}

fn assumptions(s: &mut String, p: &Plan) {
    let _ = writeln!(s, "## What the description gave, and what was assumed\n");
    for a in &p.assumptions {
        let _ = writeln!(s, "- `{}`: {}", a.section, a.statement);
    }
    s.push('\n');
}

fn directory(s: &mut String, p: &Plan) {
    let d = &p.directory;
    let w = &p.wizard;
    let _ = writeln!(s, "## Directory and the wizard\n");
    let _ = writeln!(s, "- forest {} ({})", d.forest, d.domains.join(", "));
    let _ = writeln!(
        s,
        "- {} users, {} groups, {} contacts, {} OUs; {} objects in DirSync's scope",
        thousands_usize(d.users),
        thousands_usize(d.groups),
        thousands_usize(d.contacts),
        thousands_usize(d.organizational_units),
        thousands(d.in_scope)
    );
    for (why, n) in &d.out_of_scope {
        let _ = writeln!(s, "- left out: {} {why}", thousands_usize(*n));
    }
    let _ = writeln!(
        s,
        "- analysis page: `{}`; recommendation: `{}`; estimate: {} minutes for {} objects; DirSync's SQL: {}",
        w.page,
        w.recommendation,
        thousands(w.estimate_minutes),
        thousands(w.objects),
        w.sql
    );
    let blockers = if w.blockers.is_empty() {
        "none".to_string()
    } else {
        w.blockers.join("; ")
    };
    let _ = writeln!(s, "- blockers: {blockers}\n");
}

fn sizing(s: &mut String, p: &Plan) {
    let q = &p.sql_sizing;
    let t = &p.tenant_quota;
    let _ = writeln!(s, "## SQL sizing and tenant quota\n");
    let _ = writeln!(
        s,
        "- SQL: {} objects against LocalDB's {} GB (about {} objects): fits: {}. {}.",
        thousands(q.objects),
        q.localdb_limit_gb,
        thousands(q.localdb_limit_objects),
        yes(q.fits_localdb),
        q.advice
    );
    let _ = writeln!(
        s,
        "- tenant quota ({}): {} objects from this directory and {} cloud-only against a quota of {} ({} verified domain): {}: {}.\n",
        t.source.as_str(),
        thousands(t.objects),
        thousands(t.cloud_only),
        thousands(t.quota),
        if t.verified_domain { "with a" } else { "no" },
        if t.fits { "fits" } else { "DOES NOT FIT" },
        t.advice
    );
}

fn prerequisites(s: &mut String, p: &Plan) {
    let _ = writeln!(s, "## Prerequisites\n");
    s.push_str("| path | server | check | has | needs | passed | source |\n|---|---|---|---|---|---|---|\n");
    for x in &p.prerequisites {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            x.path.as_str(),
            x.server,
            cell(&x.check),
            cell(&x.value),
            cell(&x.required),
            if x.passed { "pass" } else { "FAIL" },
            x.source.as_str()
        );
    }
    let to_fix: Vec<&Prerequisite> = p.prerequisites.iter().filter(|x| !x.passed).collect();
    let _ = writeln!(s, "\nTo fix before the upgrade:\n");
    if to_fix.is_empty() {
        s.push_str("- nothing\n");
    }
    for x in &to_fix {
        let _ = writeln!(
            s,
            "- {} on {} ({} path, {}): {}. Fix: {}.",
            x.check,
            x.server,
            x.path.as_str(),
            x.source.as_str(),
            x.detail,
            x.fix
        );
    }
    if p.prerequisites.iter().any(|x| x.source == Source::Assumed) {
        s.push_str("\nRows marked `assumed` are the simulator's defaults, not your servers: describe them in the description file, or check them by hand against the runbook's first step.\n");
    }
    s.push('\n');
}

fn refused(s: &mut String, p: &Plan) {
    let total: usize = p.refused.iter().map(|r| r.count).sum();
    let _ = writeln!(
        s,
        "## Objects Azure AD would refuse\n\n{} in DirSync's scope.\n",
        thousands_usize(total)
    );
    s.push_str("| kind | count | why | examples |\n|---|---|---|---|\n");
    for r in &p.refused {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.kind,
            thousands_usize(r.count),
            cell(&r.why),
            cell(&r.examples.join("; "))
        );
    }
    s.push('\n');
}

fn configuration(s: &mut String, p: &Plan) {
    let c = &p.configuration;
    let _ = writeln!(s, "## DirSync's configuration\n");
    let list = |s: &mut String, title: &str, items: &[String]| {
        let _ = writeln!(s, "{title}:\n");
        if items.is_empty() {
            s.push_str("- nothing\n");
        }
        for i in items {
            let _ = writeln!(s, "- {i}");
        }
        s.push('\n');
    };
    list(s, "Carries over", &c.carries);
    list(s, "Blocks the upgrade", &c.blocks);
    list(s, "Reset, not carried", &c.resets);
}

pub fn pending(s: &mut String, p: &PendingSummary) {
    s.push_str("| pending exports | adds | updates | deletes |\n|---|---|---|---|\n");
    for (label, a, u, d) in p.rows() {
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} |",
            thousands(a),
            thousands(u),
            thousands(d)
        );
    }
    if !p.rule_differences.is_empty() {
        let list: Vec<String> = p
            .rule_differences
            .iter()
            .map(|(a, n)| format!("`{a}` {}", thousands(*n)))
            .collect();
        let _ = writeln!(
            s,
            "\nRule differences (updates carrying each attribute): {}",
            list.join(", ")
        );
    }
    s.push('\n');
}

pub fn config_diff(s: &mut String, d: &ConfigDiff) {
    let _ = writeln!(
        s,
        "DirSync ⇄ Connect configuration on {}: {} carried, {} changed, {} dropped.\n",
        d.connect_host, d.carried, d.changed, d.dropped
    );
    s.push_str("| area | item | DirSync | Connect | status | how |\n|---|---|---|---|---|---|\n");
    let v = |x: &Option<String>| cell(x.as_deref().unwrap_or("—"));
    for l in &d.lines {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            l.area,
            cell(&l.item),
            v(&l.dirsync),
            v(&l.connect),
            l.status.as_str(),
            v(&l.how)
        );
    }
    s.push('\n');
}

/// The staging window's statement and the pending exports split by what made them.
fn staging_breakdown(s: &mut String, st: &Staging, p: &PendingSummary) {
    let d = &p.directory;
    let _ = writeln!(
        s,
        "From AD's changes during the {}-hour staging window ({} adds, {} updates, {} deletes an hour): {} adds, {} updates, {} deletes pending of {} changes made. From Connect's rule differences only: {} updates.\n",
        st.hours,
        thousands(st.adds_per_hour),
        thousands(st.updates_per_hour),
        thousands(st.deletes_per_hour),
        thousands(d.adds),
        thousands(d.updates),
        thousands(d.deletes),
        thousands(st.made.adds + st.made.updates + st.made.deletes),
        thousands(p.rules_only_updates)
    );
}

fn path_section(s: &mut String, x: &PathPlan, staging: Option<&Staging>) {
    let _ = writeln!(s, "## {}: {}\n", x.path.title(), x.decision.as_str());
    let _ = writeln!(
        s,
        "Predicted sync gap: {} minutes (the longest an AD change waits for an export to Azure AD). Rehearsal: {} simulated minutes, verdict {}.\n",
        thousands(x.sync_gap_minutes),
        thousands(x.duration_minutes),
        x.verdict
    );
    if !x.reasons.is_empty() {
        let _ = writeln!(s, "Why {}:\n", x.decision.as_str());
        for r in &x.reasons {
            let _ = writeln!(s, "- {}", cell(r));
        }
        s.push('\n');
    }
    if let Some(st) = staging.filter(|_| x.path == PathKind::Parallel) {
        let _ = writeln!(
            s,
            "### Staging window and pending exports at verification\n"
        );
        let _ = writeln!(s, "{}\n", st.statement);
        if let Some(p) = &x.pending_at_verification {
            pending(s, p);
            staging_breakdown(s, st, p);
        }
    }
    if let Some(d) = &x.config_diff {
        let _ = writeln!(s, "### DirSync ⇄ Connect configuration\n");
        config_diff(s, d);
    }
    let _ = writeln!(s, "### Runbook\n");
    for st in &x.runbook {
        let _ = writeln!(s, "{}. **{}** on {}", st.number, st.title, st.server);
        for a in &st.actions {
            let _ = writeln!(s, "   - {a}");
        }
        let mark = if st.gate_passed {
            "passed in rehearsal"
        } else {
            "NOT passed in rehearsal"
        };
        let _ = writeln!(s, "   - gate: {} ({mark}: {})", st.gate, st.rehearsal);
    }
    s.push('\n');
}
