//! Writes a `Timeline` as one self-contained SVG document: inline styles, no scripts, no
//! fonts or images fetched, every text XML-escaped, tooltips as `<title>` elements.

use super::model::{Bar, Gap, Lane, Marker, MarkerKind, PLOT_WIDTH_PX, Profile, Span, Timeline};
use std::fmt::Write;

const LEFT: f64 = 170.0;
const WIDTH: f64 = LEFT + PLOT_WIDTH_PX as f64 + 30.0;
const TOP: f64 = 76.0;
/// The upgrade's row (AD changes, refusals, fault labels) and the tenant's row (violations, the
/// sync gap).
const UPGRADE: f64 = 48.0;
const TENANT: f64 = 64.0;
const LANE: f64 = 74.0;
const LEGEND: f64 = 64.0;
const LABEL_CHARS: usize = 34;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `LABEL_CHARS` characters, with `…` when cut.
fn short(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.chars().count() <= LABEL_CHARS {
        return first_line.to_string();
    }
    let cut: String = first_line.chars().take(LABEL_CHARS - 1).collect();
    format!("{cut}…")
}

/// Where the drawing puts things: x of a time, rows from the top.
struct Frame {
    span_ms: u64,
    /// Element ids start with it, so several timelines share one HTML page.
    prefix: String,
}

impl Frame {
    fn x(&self, ms: u64) -> f64 {
        LEFT + (ms.min(self.span_ms) as f64) * PLOT_WIDTH_PX as f64 / self.span_ms as f64
    }

    /// Width of `[from, to]`, at least one pixel so short runs stay visible.
    fn w(&self, from_ms: u64, to_ms: u64) -> f64 {
        (self.x(to_ms) - self.x(from_ms)).max(1.0)
    }
}

fn lanes_bottom(t: &Timeline) -> f64 {
    TOP + UPGRADE + LANE * t.lanes.len() as f64 + TENANT
}

fn height(t: &Timeline) -> f64 {
    lanes_bottom(t) + 18.0 * t.notes.len() as f64 + LEGEND + 10.0
}

/// The whole document; `prefix` starts every element id (empty for a file of its own).
pub fn render(t: &Timeline, prefix: &str) -> String {
    let f = Frame {
        span_ms: t.span_ms.max(1),
        prefix: prefix.to_string(),
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="{p}timeline" viewBox="0 0 {WIDTH} {h}" width="{WIDTH}" height="{h}" role="img" aria-labelledby="{p}title">"#,
        p = escape(prefix),
        h = height(t)
    );
    s.push('\n');
    let _ = writeln!(
        s,
        "<title id=\"{}title\">{}</title>",
        escape(prefix),
        escape(&t.title)
    );
    s.push_str(&defs(&f));
    header(&mut s, t);
    axis(&mut s, t, &f);
    upgrade_row(&mut s, t, &f);
    for (i, lane) in t.lanes.iter().enumerate() {
        lane_group(&mut s, lane, TOP + UPGRADE + LANE * i as f64, &f);
    }
    tenant_row(&mut s, t, &f);
    faults(&mut s, t, &f);
    notes(&mut s, t);
    legend(
        &mut s,
        lanes_bottom(t) + 18.0 * t.notes.len() as f64 + 8.0,
        &f,
    );
    s.push_str("</svg>\n");
    s
}

/// Styles and patterns.
fn defs(f: &Frame) -> String {
    let p = escape(&f.prefix);
    format!(
        r##"<defs>
<pattern id="{p}hatch-error" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="none"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c62828" stroke-width="3"/></pattern>
<pattern id="{p}hatch-staging" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff3b0"/><line x1="0" y1="0" x2="0" y2="8" stroke="#e0b000" stroke-width="3"/></pattern>
<pattern id="{p}hatch-fault" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="10" height="10" fill="#c62828" fill-opacity="0.06"/><line x1="0" y1="0" x2="0" y2="10" stroke="#c62828" stroke-opacity="0.18" stroke-width="2"/></pattern>
</defs>
<style>
.tl-text {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 11px; fill: #24292f; stroke: none; }}
.tl-halo {{ paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }}
.tl-title {{ font-size: 15px; font-weight: 600; }}
.tl-sub {{ fill: #57606a; }}
.tl-lane-label {{ font-size: 12px; font-weight: 600; }}
.tl-grid {{ stroke: #d0d7de; stroke-width: 1; }}
.tl-row {{ fill: #f6f8fa; }}
.tl-bar-full-import {{ fill: #1f5fa8; }}
.tl-bar-delta-import {{ fill: #6fa8dc; }}
.tl-bar-full-sync {{ fill: #6a3d9a; }}
.tl-bar-delta-sync {{ fill: #b39ddb; }}
.tl-bar-export {{ fill: #e07b00; }}
.tl-bar-mixed {{ fill: #8c959f; }}
.tl-error {{ stroke: #c62828; stroke-width: 2; }}
.tl-active {{ fill: #2e9e5b; }}
.tl-staging {{ stroke: #b38f00; stroke-width: 1; }}
.tl-active-label {{ fill: #ffffff; font-weight: 600; }}
.tl-staging-label {{ fill: #5c4a00; font-weight: 600; }}
.tl-fault-label {{ fill: #c62828; font-weight: 600; }}
.tl-gap {{ stroke: #0b3d91; stroke-width: 1.5; fill: none; }}
.tl-gap-label {{ fill: #0b3d91; font-weight: 600; }}
.tl-marker-line {{ stroke-width: 1; stroke-dasharray: 3 2; }}
.tl-installed {{ fill: #2e9e5b; stroke: #2e9e5b; }}
.tl-uninstalled {{ fill: #24292f; stroke: #24292f; }}
.tl-disabled {{ fill: #57606a; stroke: #57606a; }}
.tl-enabled {{ fill: #e07b00; stroke: #e07b00; }}
.tl-refusal {{ fill: #8e24aa; stroke: #8e24aa; }}
.tl-violation {{ fill: #c62828; stroke: #c62828; }}
.tl-churn {{ fill: #57606a; stroke: #57606a; }}
.tl-note {{ fill: #9a6700; font-style: italic; }}
</style>
"##
    )
}

fn header(s: &mut String, t: &Timeline) {
    let _ = writeln!(
        s,
        r#"<text class="tl-text tl-title" x="12" y="22">{}</text>"#,
        escape(&t.title)
    );
    let _ = writeln!(
        s,
        r#"<text class="tl-text tl-sub" x="12" y="40">{}</text>"#,
        escape(&t.subtitle)
    );
}

fn axis(s: &mut String, t: &Timeline, f: &Frame) {
    let bottom = lanes_bottom(t);
    s.push_str("<g class=\"tl-axis\">\n");
    for tick in &t.ticks {
        let x = f.x(tick.at_ms);
        let _ = writeln!(
            s,
            r#"<line class="tl-grid" x1="{x:.1}" y1="{y1:.1}" x2="{x:.1}" y2="{bottom:.1}"/><text class="tl-text tl-sub" x="{x:.1}" y="{y:.1}" text-anchor="middle">{}</text>"#,
            escape(&tick.label),
            y1 = TOP - 6.0,
            y = TOP - 10.0
        );
    }
    s.push_str("</g>\n");
}

/// The shape of a marker kind, centred on (x, y).
fn shape(kind: MarkerKind, x: f64, y: f64) -> String {
    match kind {
        MarkerKind::Installed => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="5"/>"#),
        MarkerKind::Uninstalled => format!(
            r#"<path d="M{a:.1} {b:.1}L{c:.1} {d:.1}M{a:.1} {d:.1}L{c:.1} {b:.1}" stroke-width="2.5"/>"#,
            a = x - 5.0,
            b = y - 5.0,
            c = x + 5.0,
            d = y + 5.0
        ),
        MarkerKind::Disabled => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="9" height="9"/>"#,
            x - 4.5,
            y - 4.5
        ),
        MarkerKind::Enabled => format!(
            r#"<path d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z"/>"#,
            y - 6.0,
            x + 6.0,
            y + 5.0,
            x - 6.0,
            y + 5.0
        ),
        MarkerKind::Refusal => format!(
            r#"<path d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z"/>"#,
            y + 6.0,
            x + 6.0,
            y - 5.0,
            x - 6.0,
            y - 5.0
        ),
        MarkerKind::Violation => format!(
            r#"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z"/>"#,
            y - 7.0,
            x + 7.0,
            y + 7.0,
            x - 7.0
        ),
        MarkerKind::Churn => format!(
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke-width="2"/>"#,
            y - 7.0,
            y + 7.0
        ),
    }
}

/// Markers of one row or lane, from `top` over `height`; labels alternate between two lines
/// so neighbours overlap less.
fn markers(s: &mut String, list: &[Marker], (top, height): (f64, f64), two_lines: bool, f: &Frame) {
    for (i, m) in list.iter().enumerate() {
        let x = f.x(m.at_ms);
        let right = x > LEFT + PLOT_WIDTH_PX as f64 - 190.0;
        let (tx, anchor) = if right {
            (x - 9.0, "end")
        } else {
            (x + 9.0, "start")
        };
        let ty = top
            + 14.0
            + if two_lines {
                12.0 * (i % 2) as f64
            } else {
                0.0
            };
        let _ = write!(
            s,
            r#"<g class="tl-marker tl-{k}" data-kind="{k}"><title>{title}</title>"#,
            k = m.kind.css(),
            title = escape(&m.title)
        );
        if m.kind != MarkerKind::Churn {
            let _ = write!(
                s,
                r#"<line class="tl-marker-line" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}"/>"#,
                top + height
            );
        }
        s.push_str(&shape(m.kind, x, top + 10.0));
        let _ = writeln!(
            s,
            r#"<text class="tl-text tl-halo" x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}">{}</text></g>"#,
            escape(&short(&m.label))
        );
    }
}

fn row_background(s: &mut String, y: f64, height: f64, label: &str, class: &str, id: &str) {
    let _ = writeln!(
        s,
        r#"<g class="{class}" id="{id}"><rect class="tl-row" x="0" y="{y:.1}" width="{WIDTH}" height="{:.1}"/><text class="tl-text tl-lane-label" x="12" y="{:.1}">{}</text>"#,
        height - 2.0,
        y + 18.0,
        escape(label)
    );
}

fn upgrade_row(s: &mut String, t: &Timeline, f: &Frame) {
    let id = format!("{}row-upgrade", escape(&f.prefix));
    row_background(
        s,
        TOP,
        UPGRADE,
        "Upgrade, AD changes",
        "tl-row-upgrade",
        &id,
    );
    markers(s, &t.upgrade, (TOP, UPGRADE - 2.0), true, f);
    s.push_str("</g>\n");
}

fn bar(s: &mut String, b: &Bar, y: f64, f: &Frame) {
    let (x, w) = (f.x(b.from_ms), f.w(b.from_ms, b.to_ms));
    let error = if b.error { " tl-error" } else { "" };
    let _ = write!(
        s,
        r#"<g class="tl-run" data-profile="{p}" data-runs="{n}"><title>{title}</title><rect class="tl-bar-{p}{error}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="22"/>"#,
        p = b.profile.css(),
        n = b.runs,
        title = escape(&b.title)
    );
    if b.error {
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="22" fill="url(#{}hatch-error)"/>"#,
            escape(&f.prefix)
        );
    }
    s.push_str("</g>\n");
}

fn band(s: &mut String, span: &Span, y: f64, class: &str, fill: &str, f: &Frame) {
    let (x, w) = (f.x(span.from_ms), f.w(span.from_ms, span.to_ms));
    let _ = write!(
        s,
        r#"<g class="{class}"><title>{}</title><rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="10"{fill}/>"#,
        escape(&span.title)
    );
    if w > 90.0 {
        let _ = write!(
            s,
            r#"<text class="tl-text {class}-label" x="{:.1}" y="{:.1}" font-size="9">{}</text>"#,
            x + 4.0,
            y + 8.5,
            escape(&span.label)
        );
    }
    s.push_str("</g>\n");
}

fn lane_group(s: &mut String, lane: &Lane, y: f64, f: &Frame) {
    let id = format!("{}{}", escape(&f.prefix), lane.id);
    row_background(s, y, LANE, &lane.label(), "lane", &id);
    let _ = writeln!(
        s,
        r#"<text class="tl-text tl-sub" x="12" y="{:.1}">{}</text>"#,
        y + 33.0,
        escape(lane.role.as_str())
    );
    for b in &lane.bars {
        bar(s, b, y + 24.0, f);
    }
    let staging = format!(r#" fill="url(#{}hatch-staging)""#, escape(&f.prefix));
    for span in &lane.staging {
        band(s, span, y + 48.0, "tl-staging", &staging, f);
    }
    for span in &lane.active {
        band(s, span, y + 60.0, "tl-active", "", f);
    }
    markers(s, &lane.markers, (y, LANE - 2.0), false, f);
    s.push_str("</g>\n");
}

fn gap(s: &mut String, g: &Gap, y: f64, f: &Frame) {
    let (x1, x2) = (f.x(g.from_ms), f.x(g.to_ms));
    let mid = f64::midpoint(x1, x2);
    let anchor = if mid > LEFT + PLOT_WIDTH_PX as f64 - 120.0 {
        "end"
    } else {
        "middle"
    };
    let _ = writeln!(
        s,
        r#"<g class="tl-gap-bracket"><title>{title}</title><path class="tl-gap" d="M{x1:.1} {a:.1}V{y:.1}H{x2:.1}V{a:.1}"/><text class="tl-text tl-halo tl-gap-label" x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}">{label}</text></g>"#,
        title = escape(&g.title),
        a = y - 8.0,
        tx = if anchor == "end" { x2 } else { mid },
        ty = y + 13.0,
        label = escape(&g.label)
    );
}

fn tenant_row(s: &mut String, t: &Timeline, f: &Frame) {
    let y = TOP + UPGRADE + LANE * t.lanes.len() as f64;
    let id = format!("{}row-tenant", escape(&f.prefix));
    row_background(s, y, TENANT, "Azure AD tenant", "tl-row-tenant", &id);
    for (i, g) in t.gaps.iter().enumerate() {
        gap(s, g, y + 40.0 + 4.0 * (i % 2) as f64, f);
    }
    markers(s, &t.tenant, (y, 30.0), true, f);
    s.push_str("</g>\n");
}

/// Fault windows over every lane, labelled at the top.
fn faults(s: &mut String, t: &Timeline, f: &Frame) {
    let bottom = lanes_bottom(t);
    for (i, w) in t.faults.iter().enumerate() {
        let (x, width) = (f.x(w.from_ms), f.w(w.from_ms, w.to_ms));
        let _ = writeln!(
            s,
            r##"<g class="tl-fault"><title>{title}</title><rect x="{x:.1}" y="{top:.1}" width="{width:.1}" height="{h:.1}" fill="url(#{p}hatch-fault)" stroke="#c62828" stroke-opacity="0.5" stroke-dasharray="4 3"/><text class="tl-text tl-halo tl-fault-label" x="{tx:.1}" y="{ty:.1}">{label}</text></g>"##,
            title = escape(&w.title),
            top = TOP,
            h = bottom - TOP,
            p = escape(&f.prefix),
            tx = x + 3.0,
            ty = TOP + UPGRADE - 6.0 - 10.0 * (i % 2) as f64,
            label = escape(&short(&w.label))
        );
    }
}

fn notes(s: &mut String, t: &Timeline) {
    let y = lanes_bottom(t);
    for (i, n) in t.notes.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text class="tl-text tl-note" x="12" y="{:.1}">{}</text>"#,
            y + 14.0 + 18.0 * i as f64,
            escape(n)
        );
    }
}

/// Profiles, bands, fault, gap and markers, in two lines.
fn legend(s: &mut String, y: f64, f: &Frame) {
    let p = escape(&f.prefix);
    s.push_str("<g class=\"tl-legend\">\n");
    let mut x = 12.0;
    for profile in Profile::ALL {
        let _ = write!(
            s,
            r#"<rect class="tl-bar-{}" x="{x:.1}" y="{y:.1}" width="14" height="10"/><text class="tl-text" x="{:.1}" y="{:.1}">{}</text>"#,
            profile.css(),
            x + 18.0,
            y + 9.0,
            profile.label()
        );
        x += 30.0 + 6.0 * profile.label().len() as f64;
    }
    let items = [
        (
            format!(r#"fill="url(#{p}hatch-error)" class="tl-error""#),
            "error or stopped",
        ),
        (r#"class="tl-active""#.to_string(), "active exporter"),
        (
            format!(r#"fill="url(#{p}hatch-staging)" class="tl-staging""#),
            "staging mode",
        ),
        (
            format!(r##"fill="url(#{p}hatch-fault)" stroke="#c62828""##),
            "fault active",
        ),
    ];
    for (attrs, label) in items {
        let _ = write!(
            s,
            r#"<rect {attrs} x="{x:.1}" y="{y:.1}" width="14" height="10"/><text class="tl-text" x="{:.1}" y="{:.1}">{label}</text>"#,
            x + 18.0,
            y + 9.0
        );
        x += 30.0 + 6.0 * label.len() as f64;
    }
    s.push('\n');
    let y2 = y + 26.0;
    let mut x = 12.0;
    for kind in MarkerKind::ALL {
        let _ = write!(
            s,
            r#"<g class="tl-{}">{}</g><text class="tl-text" x="{:.1}" y="{:.1}">{}</text>"#,
            kind.css(),
            shape(kind, x + 6.0, y2 + 5.0),
            x + 16.0,
            y2 + 9.0,
            kind.label()
        );
        x += 32.0 + 6.0 * kind.label().len() as f64;
    }
    let _ = writeln!(
        s,
        r#"<path class="tl-gap" d="M{x:.1} {a:.1}V{b:.1}H{c:.1}V{a:.1}"/><text class="tl-text" x="{t:.1}" y="{y:.1}">sync gap, measured</text>"#,
        a = y2,
        b = y2 + 8.0,
        c = x + 24.0,
        t = x + 30.0,
        y = y2 + 9.0
    );
    s.push_str("</g>\n");
}
