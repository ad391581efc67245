//! The HTML report: one self-contained page (inline CSS and SVG, no script, font, image or
//! network request). The summary table first, then one section per scenario, failures first
//! and open: what failed (expected versus actual), the timeline, the pending-export breakdown,
//! the faults and the replay command. Every text is escaped.

use super::WallTime;
use super::timeline::{self, svg::escape};
use crate::outcome::{PendingSummary, ScenarioOutcome, SuiteOutcome, Verdict};
use std::fmt::Write;
use upgrade_lab_model::SimDuration;

const STYLE: &str = r#"
:root { --fg: #24292f; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa;
  --pass: #1a7f37; --fail: #c62828; --error: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1260px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; display: inline; }
h3 { font-size: 14px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
.totals { color: var(--muted); margin-bottom: 18px; }
.totals b { color: var(--fg); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 54px; text-align: center; border-radius: 12px;
  padding: 0 8px; font-weight: 600; font-size: 12px; color: #fff; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.error { background: var(--error); }
tr.fail td, tr.error td { background: #fff5f5; }
section.scenario { border: 1px solid var(--line); border-radius: 8px; margin: 14px 0;
  background: var(--bg); }
section.scenario.fail, section.scenario.error { border-color: var(--fail);
  box-shadow: 0 0 0 1px var(--fail) inset; }
summary { cursor: pointer; padding: 10px 14px; list-style-position: inside; }
summary .meta { color: var(--muted); margin-left: 10px; font-size: 13px; }
.body { padding: 0 14px 14px; }
.desc { color: var(--muted); margin: 0 0 8px; }
.timeline-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px;
  background: #fff; }
.timeline-box svg { display: block; }
code, pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); padding: 8px 10px; border-radius: 6px; overflow-x: auto;
  margin: 4px 0; white-space: pre-wrap; }
td.expected { color: var(--pass); } td.actual { color: var(--fail); }
.error-text { color: var(--error); font-weight: 600; }
a { color: #0969da; }
"#;

/// The whole page.
pub fn render(suite: &SuiteOutcome, wall: WallTime) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>upgrade-lab: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&totals_text(suite))
    );
    summary(&mut s, suite, wall);
    for o in ordered(suite) {
        section(&mut s, o, &anchor(suite, o), wall);
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

fn totals_text(suite: &SuiteOutcome) -> String {
    let n = suite.scenarios.len();
    let noun = if n == 1 { "scenario" } else { "scenarios" };
    format!(
        "{} of {n} {noun} passed, {} failed, {} errors",
        suite.count(Verdict::Pass),
        suite.count(Verdict::Fail),
        suite.count(Verdict::Error)
    )
}

/// Errors, then failures, then passes; by name within each.
fn ordered(suite: &SuiteOutcome) -> Vec<&ScenarioOutcome> {
    let rank = |v: Verdict| match v {
        Verdict::Error => 0,
        Verdict::Fail => 1,
        Verdict::Pass => 2,
    };
    let mut list: Vec<&ScenarioOutcome> = suite.scenarios.iter().collect();
    list.sort_by_key(|o| rank(o.verdict));
    list
}

fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
    }
}

/// An anchor id for a scenario: its index in the suite, so names need no mangling.
fn anchor(suite: &SuiteOutcome, o: &ScenarioOutcome) -> String {
    let i = suite
        .scenarios
        .iter()
        .position(|s| std::ptr::eq(s, o))
        .unwrap_or(0);
    format!("s{i}")
}

fn wall_text(ms: u64, wall: WallTime) -> String {
    match wall {
        WallTime::Show => format!("{:.2} s", ms as f64 / 1000.0),
        WallTime::Redact => "[wall]".to_string(),
    }
}

fn summary(s: &mut String, suite: &SuiteOutcome, wall: WallTime) {
    let _ = write!(
        s,
        "<h1>upgrade-lab report</h1>\n<p class=\"totals\"><b>{}</b> · wall time {}</p>\n",
        escape(&totals_text(suite)),
        wall_text(suite.wall_duration_ms, wall)
    );
    s.push_str("<table class=\"summary\">\n<thead><tr><th>verdict</th><th>scenario</th><th class=\"num\">seed</th><th class=\"num\">simulated</th><th class=\"num\">wall</th></tr></thead>\n<tbody>\n");
    for o in ordered(suite) {
        let _ = writeln!(
            s,
            "<tr class=\"{c}\"><td><span class=\"badge {c}\">{v}</span></td><td><a href=\"#{a}\">{name}</a></td><td class=\"num\">{seed}</td><td class=\"num\">{sim}</td><td class=\"num\">{w}</td></tr>",
            c = class(o.verdict),
            v = o.verdict.as_str(),
            a = anchor(suite, o),
            name = escape(&o.name),
            seed = o.seed,
            sim = SimDuration(o.sim_duration_ms),
            w = wall_text(o.wall_duration_ms, wall)
        );
    }
    s.push_str("</tbody>\n</table>\n");
}

/// One scenario: open when it did not pass.
fn section(s: &mut String, o: &ScenarioOutcome, id: &str, wall: WallTime) {
    let c = class(o.verdict);
    let open = if o.verdict == Verdict::Pass {
        ""
    } else {
        " open"
    };
    let _ = write!(
        s,
        "<section class=\"scenario {c}\" id=\"{id}\">\n<details{open}>\n<summary><span class=\"badge {c}\">{v}</span> <h2>{name}</h2><span class=\"meta\">seed {seed} · {sim} simulated · {w} wall</span></summary>\n<div class=\"body\">\n<p class=\"desc\">{desc}<br><code>{file}</code></p>\n",
        v = o.verdict.as_str(),
        name = escape(&o.name),
        seed = o.seed,
        sim = SimDuration(o.sim_duration_ms),
        w = wall_text(o.wall_duration_ms, wall),
        desc = escape(&o.description),
        file = escape(&o.file)
    );
    if let Some(e) = &o.error {
        let _ = writeln!(s, "<p class=\"error-text\">{}</p>", escape(e));
    }
    failures(s, o);
    let _ = writeln!(
        s,
        "<h3>Timeline</h3>\n<div class=\"timeline-box\">\n{}</div>",
        timeline::svg_with_prefix(o, &format!("{id}-"))
    );
    if let Some(p) = &o.pending_exports {
        pending(s, p);
    }
    if let Some(d) = &o.config_diff {
        config_diff(s, d);
    }
    faults(s, o);
    let _ = write!(
        s,
        "<h3>Replay</h3>\n<pre>{}</pre>\n</div>\n</details>\n</section>\n",
        escape(&o.replay_command())
    );
}

fn failures(s: &mut String, o: &ScenarioOutcome) {
    let list = o.failures();
    if list.is_empty() {
        return;
    }
    s.push_str("<h3>Failed checks</h3>\n<table class=\"failures\">\n<thead><tr><th>check</th><th>expected</th><th>actual</th></tr></thead>\n<tbody>\n");
    for f in &list {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td class=\"expected\"><pre>{}</pre></td><td class=\"actual\"><pre>{}</pre></td></tr>",
            escape(&f.what),
            escape(&f.expected),
            escape(&f.actual)
        );
    }
    s.push_str("</tbody>\n</table>\n");
}

/// DirSync ⇄ Connect: each line of DirSync's configuration carried, changed or dropped.
pub fn config_diff(s: &mut String, d: &crate::config_diff::ConfigDiff) {
    let _ = writeln!(
        s,
        "<h3>DirSync ⇄ Connect configuration</h3>\n<p>On {}: {} carried, {} changed, {} dropped.</p>",
        escape(&d.connect_host),
        d.carried,
        d.changed,
        d.dropped
    );
    s.push_str("<table class=\"config-diff\">\n<thead><tr><th>area</th><th>item</th><th>DirSync</th><th>Connect</th><th>status</th><th>how</th></tr></thead>\n<tbody>\n");
    let cell = |v: &Option<String>| escape(v.as_deref().unwrap_or("—"));
    for l in &d.lines {
        let _ = writeln!(
            s,
            "<tr class=\"{st}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{st}</td><td>{}</td></tr>",
            l.area,
            escape(&l.item),
            cell(&l.dirsync),
            cell(&l.connect),
            cell(&l.how),
            st = l.status.as_str(),
        );
    }
    s.push_str("</tbody>\n</table>\n");
}

/// The pending exports on Connect's Azure AD connector, by what explains them.
fn pending(s: &mut String, p: &PendingSummary) {
    s.push_str("<h3>Pending exports</h3>\n<table class=\"pending\">\n<thead><tr><th></th><th class=\"num\">adds</th><th class=\"num\">updates</th><th class=\"num\">deletes</th></tr></thead>\n<tbody>\n");
    for (label, a, u, d) in p.rows() {
        let _ = writeln!(
            s,
            "<tr><td>{label}</td><td class=\"num\">{a}</td><td class=\"num\">{u}</td><td class=\"num\">{d}</td></tr>"
        );
    }
    s.push_str("</tbody>\n</table>\n");
    if !p.rule_differences.is_empty() {
        let list: Vec<String> = p
            .rule_differences
            .iter()
            .map(|(attr, n)| format!("<code>{}</code> {n}", escape(attr)))
            .collect();
        let _ = writeln!(
            s,
            "<p>Rule differences (updates carrying each attribute): {}</p>",
            list.join(", ")
        );
    }
    if !p.unexplained_examples.is_empty() {
        s.push_str("<p>First unexplained exports:</p>\n<ul>\n");
        for e in &p.unexplained_examples {
            let _ = writeln!(s, "<li>{}</li>", escape(e));
        }
        s.push_str("</ul>\n");
    }
}

fn faults(s: &mut String, o: &ScenarioOutcome) {
    if o.faults.is_empty() {
        return;
    }
    s.push_str("<h3>Faults</h3>\n<table class=\"faults\">\n<thead><tr><th>fault</th><th>active</th><th>what it hit</th></tr></thead>\n<tbody>\n");
    for f in &o.faults {
        let window = match (f.active_from_ms, f.active_until_ms) {
            (Some(a), Some(b)) => {
                format!("{} to {}", timeline::model::at(a), timeline::model::at(b))
            }
            (Some(a), None) => format!("from {} to the end", timeline::model::at(a)),
            (None, _) => "never started".to_string(),
        };
        let mut hits: Vec<String> = f.hits.iter().map(|h| escape(&h.summary())).collect();
        if f.hit_count > f.hits.len() {
            hits.push(format!("… and {} more", f.hit_count - f.hits.len()));
        }
        if hits.is_empty() {
            hits.push("nothing".to_string());
        }
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&f.title()),
            escape(&window),
            hits.join("<br>")
        );
    }
    s.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn page() -> String {
        let mut suite = fixtures::suite();
        suite.scenarios[1].checks[0].actual = "<script>alert(\"x\")</script> & more".into();
        render(&suite, WallTime::Redact)
    }

    #[test]
    fn failures_come_first_and_open() {
        let html = page();
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(
            at("id=\"s2\"") < at("id=\"s1\""),
            "the error, then the failure"
        );
        assert!(at("id=\"s1\"") < at("id=\"s0\""), "then the pass");
        assert!(html.contains("<section class=\"scenario fail\" id=\"s1\">\n<details open>"));
        assert!(html.contains("<section class=\"scenario pass\" id=\"s0\">\n<details>"));
        assert!(html.contains("1 of 3 scenarios passed, 1 failed, 1 errors"));
    }

    #[test]
    fn everything_is_escaped_and_nothing_is_fetched() {
        let html = page();
        assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
        assert!(!html.contains("<script"));
        let outside_svg_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !outside_svg_namespace.contains("http"),
            "no link, font or image to fetch"
        );
        assert!(
            html.contains("[wall]") && !html.contains(" s</td>"),
            "wall time redacted"
        );
    }

    #[test]
    fn each_scenario_has_its_timeline_with_its_own_ids() {
        let html = page();
        assert_eq!(html.matches("<svg ").count(), 3);
        for i in 0..3 {
            assert!(html.contains(&format!("id=\"s{i}-timeline\"")), "{i}");
        }
        assert!(html.contains("fill=\"url(#s1-hatch-staging)\""));
    }

    #[test]
    fn failed_checks_faults_pending_and_replay() {
        let mut suite = fixtures::suite();
        suite.scenarios[1].pending_exports = Some(PendingSummary {
            updates: 5,
            total: 5,
            rules_only_updates: 5,
            rule_differences: [("onPremisesDistinguishedName".to_string(), 5)].into(),
            ..PendingSummary::default()
        });
        let html = render(&suite, WallTime::Redact);
        assert!(html.contains("<code>expect.refusals[0]</code>"));
        assert!(html.contains("install_parallel refused: shared_sql_instance"));
        assert!(html.contains("<td>by Connect's rules only</td>"));
        assert!(html.contains("<code>onPremisesDistinguishedName</code> 5"));
        assert!(html.contains("#1 throttling (at_minutes = 10, for_minutes = 5)"));
        assert!(html.contains("run scenarios/parallel/shared-sql.toml --seed 41"));
    }
}
