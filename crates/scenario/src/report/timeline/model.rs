//! The drawing model of a timeline: lanes, bars, bands, markers and windows in simulated
//! milliseconds, computed from one `ScenarioOutcome`. It knows nothing about SVG; `svg.rs`
//! draws it.

use crate::outcome::{RunLine, ScenarioOutcome};
use upgrade_lab_model::SimDuration;

/// Width of the plot area in pixels: runs closer than one pixel are drawn as one bar.
pub const PLOT_WIDTH_PX: u64 = 1000;

/// Which product a server lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// A DirSync server's lane.
    DirSync,
    /// An Azure AD Connect server's lane.
    Connect,
}

impl Role {
    /// The product's name as lanes and the ledger write it: `DirSync` or `Azure AD Connect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DirSync => "DirSync",
            Role::Connect => "Azure AD Connect",
        }
    }

    /// The `RunLine::server` word of the role.
    fn run_word(self) -> &'static str {
        match self {
            Role::DirSync => "dirsync",
            Role::Connect => "connect",
        }
    }
}

/// The colour class of a bar: a run profile, or several merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Profile {
    /// `full-import` runs, of either connector.
    FullImport,
    /// `delta-import` runs, of either connector.
    DeltaImport,
    /// `full-synchronization` runs.
    FullSync,
    /// `delta-synchronization` runs.
    DeltaSync,
    /// `export` runs: the only profile that writes to the connected directory.
    Export,
    /// Runs of different profiles merged into one bar (or a profile the drawing does not know).
    Mixed,
}

impl Profile {
    /// Every profile in legend order.
    pub const ALL: [Profile; 6] = [
        Profile::FullImport,
        Profile::DeltaImport,
        Profile::FullSync,
        Profile::DeltaSync,
        Profile::Export,
        Profile::Mixed,
    ];

    /// From `RunLine::profile`; an unknown word is drawn as mixed.
    pub fn from_wire(word: &str) -> Profile {
        match word {
            "full-import" => Profile::FullImport,
            "delta-import" => Profile::DeltaImport,
            "full-synchronization" => Profile::FullSync,
            "delta-synchronization" => Profile::DeltaSync,
            "export" => Profile::Export,
            _ => Profile::Mixed,
        }
    }

    /// The CSS class suffix.
    pub fn css(self) -> &'static str {
        match self {
            Profile::FullImport => "full-import",
            Profile::DeltaImport => "delta-import",
            Profile::FullSync => "full-sync",
            Profile::DeltaSync => "delta-sync",
            Profile::Export => "export",
            Profile::Mixed => "mixed",
        }
    }

    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            Profile::FullImport => "full import",
            Profile::DeltaImport => "delta import",
            Profile::FullSync => "full sync",
            Profile::DeltaSync => "delta sync",
            Profile::Export => "export",
            Profile::Mixed => "several runs merged",
        }
    }
}

/// One run, or runs closer than a pixel merged into one bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Start of the first run, simulated ms since the world started.
    pub from_ms: u64,
    /// End of the last run, simulated ms since the world started.
    pub to_ms: u64,
    /// The runs' profile, `Mixed` when merged runs differ.
    pub profile: Profile,
    /// A run ended in error or was stopped.
    pub error: bool,
    /// How many runs the bar stands for.
    pub runs: usize,
    /// The tooltip: the run's profile, connector, times, status and counts, or for merged runs
    /// how many and when.
    pub title: String,
}

/// A period on a lane (active exporter, staging mode) or across lanes (a fault).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// Start, simulated ms since the world started.
    pub from_ms: u64,
    /// End, simulated ms; the end of the axis when the period lasted to the end.
    pub to_ms: u64,
    /// Short text drawn on it.
    pub label: String,
    /// The tooltip.
    pub title: String,
}

/// What a marker shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// Azure AD Connect was installed on the lane's server.
    Installed,
    /// DirSync was uninstalled.
    Uninstalled,
    /// DirSync's service was disabled.
    Disabled,
    /// DirSync's service was started again (re-enabled).
    Enabled,
    /// The engine refused a step.
    Refusal,
    /// An invariant was violated (on the tenant's row).
    Violation,
    /// AD changes made by a `churn` step (on the upgrade's row).
    Churn,
}

impl MarkerKind {
    /// Every kind in legend order.
    pub const ALL: [MarkerKind; 7] = [
        MarkerKind::Installed,
        MarkerKind::Uninstalled,
        MarkerKind::Disabled,
        MarkerKind::Enabled,
        MarkerKind::Refusal,
        MarkerKind::Violation,
        MarkerKind::Churn,
    ];

    /// The CSS class suffix.
    pub fn css(self) -> &'static str {
        match self {
            MarkerKind::Installed => "installed",
            MarkerKind::Uninstalled => "uninstalled",
            MarkerKind::Disabled => "disabled",
            MarkerKind::Enabled => "enabled",
            MarkerKind::Refusal => "refusal",
            MarkerKind::Violation => "violation",
            MarkerKind::Churn => "churn",
        }
    }

    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            MarkerKind::Installed => "installed",
            MarkerKind::Uninstalled => "uninstalled",
            MarkerKind::Disabled => "disabled",
            MarkerKind::Enabled => "re-enabled",
            MarkerKind::Refusal => "refused",
            MarkerKind::Violation => "violation",
            MarkerKind::Churn => "AD changes",
        }
    }
}

/// A point in time on a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// When, simulated ms since the world started.
    pub at_ms: u64,
    /// What it shows, which sets its shape and colour.
    pub kind: MarkerKind,
    /// A short label drawn beside it.
    pub label: String,
    /// The whole text, as a tooltip.
    pub title: String,
}

/// One server: its runs, when it was the active exporter, when it was in staging mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// `lane-dirsync-dirsync01`: unique and safe as an SVG id.
    pub id: String,
    /// Which product the lane shows.
    pub role: Role,
    /// The server's host name (`DIRSYNC01`, `AADC01`); `None` until an event names it.
    pub host: Option<String>,
    /// The server's runs as bars, in time order.
    pub bars: Vec<Bar>,
    /// When the server was the active exporter.
    pub active: Vec<Span>,
    /// When the server was in staging mode.
    pub staging: Vec<Span>,
    /// Installs, uninstalls, disables and re-enables on this server.
    pub markers: Vec<Marker>,
}

impl Lane {
    /// `AADC01` over `Azure AD Connect`, or the product alone when the host is unknown.
    pub fn label(&self) -> String {
        self.host
            .clone()
            .unwrap_or_else(|| self.role.as_str().to_string())
    }

    /// `AADC01 (Azure AD Connect)`: the host and the product, for sentences.
    pub fn name(&self) -> String {
        match &self.host {
            Some(h) => format!("{h} ({})", self.role.as_str()),
            None => self.role.as_str().to_string(),
        }
    }
}

/// A measured interval with its length as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Start, simulated ms since the world started: DirSync's stop for the cutover gap,
    /// the AD change for the ledger's sync gap.
    pub from_ms: u64,
    /// End, simulated ms: Connect's first export for the cutover gap, the end of the
    /// export that carried the change for the sync gap.
    pub to_ms: u64,
    /// Short text drawn beside the bracket, with the length.
    pub label: String,
    /// The tooltip: what was measured and between which times.
    pub title: String,
}

/// A time axis tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Where, simulated ms since the world started.
    pub at_ms: u64,
    /// `T+h:mm`.
    pub label: String,
}

/// Everything drawn for one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// `name: verdict`.
    pub title: String,
    /// The seed, the simulated duration and the start of the description.
    pub subtitle: String,
    /// The simulated time the x axis covers, from T+0.
    pub span_ms: u64,
    /// The time axis' ticks, from T+0.
    pub ticks: Vec<Tick>,
    /// The upgrade's own row: AD changes (churn) and refusals.
    pub upgrade: Vec<Marker>,
    /// One lane per server, DirSync's first.
    pub lanes: Vec<Lane>,
    /// The tenant's row: violations.
    pub tenant: Vec<Marker>,
    /// Measured intervals drawn as brackets: the engine's cutover gap and the ledger's
    /// sync gap when the timeline can place it.
    pub gaps: Vec<Gap>,
    /// Faults, shaded across every lane.
    pub faults: Vec<Span>,
    /// What the drawing left out or merged, one sentence each.
    pub notes: Vec<String>,
}

/// `T+1:15:08`.
pub fn at(ms: u64) -> String {
    format!("T+{}", SimDuration(ms))
}

/// The span of the x axis: the scenario's simulated time, or the last thing drawn, at least
/// one minute.
fn span_of(o: &ScenarioOutcome) -> u64 {
    let runs = o.runs.iter().map(|r| r.ended_ms);
    let intervals = o
        .ledger
        .active_intervals
        .iter()
        .map(|i| i.to_ms.unwrap_or(i.from_ms));
    let faults = o
        .faults
        .iter()
        .flat_map(|f| [f.active_from_ms, f.active_until_ms])
        .flatten();
    let events = o.events.iter().map(|e| e.at_ms);
    runs.chain(intervals)
        .chain(faults)
        .chain(events)
        .fold(o.sim_duration_ms, u64::max)
        .max(60_000)
}

/// Axis ticks: the smallest round step giving at most 12 ticks, labelled `T+h:mm`.
pub fn ticks(span_ms: u64) -> Vec<Tick> {
    const MIN: u64 = 60_000;
    const STEPS: [u64; 15] = [
        1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200,
    ];
    let step = STEPS
        .iter()
        .map(|m| m * MIN)
        .find(|s| span_ms / s <= 12)
        .unwrap_or(span_ms.div_ceil(12).max(MIN));
    (0..=span_ms / step)
        .map(|i| {
            let ms = i * step;
            let (h, m) = (ms / 3_600_000, ms / MIN % 60);
            Tick {
                at_ms: ms,
                label: format!("T+{h}:{m:02}"),
            }
        })
        .collect()
}

/// `DIRSYNC01 (Azure AD Connect)` → (`DIRSYNC01`, Connect); `None` for another product.
fn parse_exporter(server: &str) -> Option<(String, Role)> {
    let (host, product) = server.strip_suffix(')')?.rsplit_once(" (")?;
    let role = [Role::DirSync, Role::Connect]
        .into_iter()
        .find(|r| r.as_str() == product)?;
    Some((host.to_string(), role))
}

/// A lane id from its role and host: lower-case letters, digits and dashes.
fn lane_id(role: Role, host: Option<&str>) -> String {
    let raw = format!("lane-{}-{}", role.run_word(), host.unwrap_or("unknown"));
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn new_lane(role: Role, host: Option<&str>) -> Lane {
    Lane {
        id: lane_id(role, host),
        role,
        host: host.map(str::to_string),
        bars: Vec::new(),
        active: Vec::new(),
        staging: Vec::new(),
        markers: Vec::new(),
    }
}

/// The lane of `role` on `host` (`None`: the role's first lane), added when missing.
pub(crate) fn lane_mut<'a>(
    lanes: &'a mut Vec<Lane>,
    role: Role,
    host: Option<&str>,
) -> &'a mut Lane {
    let found = lanes.iter().position(|l| {
        l.role == role && (host.is_none() || l.host.is_none() || l.host.as_deref() == host)
    });
    let i = if let Some(i) = found {
        i
    } else {
        lanes.push(new_lane(role, host));
        lanes.sort_by(|a, b| (a.role, &a.host).cmp(&(b.role, &b.host)));
        lanes
            .iter()
            .position(|l| l.role == role && l.host.as_deref() == host)
            .unwrap_or(0)
    };
    if lanes[i].host.is_none() && host.is_some() {
        lanes[i].host = host.map(str::to_string);
        lanes[i].id = lane_id(role, host);
    }
    &mut lanes[i]
}

/// The active-exporter bands, one lane per host and product of the ledger.
fn active_bands(o: &ScenarioOutcome, span_ms: u64, lanes: &mut Vec<Lane>) {
    for i in &o.ledger.active_intervals {
        let Some((host, role)) = parse_exporter(&i.server) else {
            continue;
        };
        let to_ms = i.to_ms.unwrap_or(span_ms);
        let until = i.to_ms.map_or("the end".to_string(), at);
        lane_mut(lanes, role, Some(&host)).active.push(Span {
            from_ms: i.from_ms,
            to_ms,
            label: "active exporter".into(),
            title: format!(
                "{} is the active exporter from {} to {until}",
                i.server,
                at(i.from_ms)
            ),
        });
    }
}

/// One run's tooltip.
fn run_title(r: &RunLine) -> String {
    format!(
        "{} {} on the {} connector, {} to {}: {} ({} adds, {} updates, {} deletes, {} errors)",
        r.server,
        r.profile.replace('-', " "),
        r.connector,
        at(r.started_ms),
        at(r.ended_ms),
        r.status,
        r.adds,
        r.updates,
        r.deletes,
        r.errors
    )
}

fn is_error(r: &RunLine) -> bool {
    !matches!(r.status.as_str(), "success" | "completed-no-objects") || r.errors > 0
}

/// Bars of one server's runs in time order. A run narrower than a pixel (`px_ms`) that starts
/// within two pixels of a bar narrower than two pixels joins it, so a lane holds at most one
/// bar per pixel of narrow runs, and every run a pixel wide or more keeps its own bar.
pub fn bars(runs: &[&RunLine], px_ms: u64) -> Vec<Bar> {
    let mut out: Vec<Bar> = Vec::new();
    for r in runs {
        let profile = Profile::from_wire(&r.profile);
        match out.last_mut() {
            Some(b)
                if r.ended_ms - r.started_ms < px_ms
                    && b.to_ms - b.from_ms < 2 * px_ms
                    && r.started_ms < b.from_ms + 2 * px_ms =>
            {
                b.to_ms = b.to_ms.max(r.ended_ms);
                b.runs += 1;
                b.error |= is_error(r);
                if b.profile != profile {
                    b.profile = Profile::Mixed;
                }
            }
            _ => out.push(Bar {
                from_ms: r.started_ms,
                to_ms: r.ended_ms,
                profile,
                error: is_error(r),
                runs: 1,
                title: run_title(r),
            }),
        }
    }
    for b in out.iter_mut().filter(|b| b.runs > 1) {
        let errors = if b.error { ", some with errors" } else { "" };
        b.title = format!(
            "{} runs from {} to {}{errors}",
            b.runs,
            at(b.from_ms),
            at(b.to_ms)
        );
    }
    out
}

/// Each lane's runs as bars, and a note when runs were merged.
fn run_bars(o: &ScenarioOutcome, span_ms: u64, lanes: &mut Vec<Lane>, notes: &mut Vec<String>) {
    let px_ms = span_ms.div_ceil(PLOT_WIDTH_PX).max(1);
    for role in [Role::DirSync, Role::Connect] {
        let mut runs: Vec<&RunLine> = o
            .runs
            .iter()
            .filter(|r| r.server == role.run_word())
            .collect();
        if runs.is_empty() {
            continue;
        }
        runs.sort_by_key(|r| (r.started_ms, r.ended_ms));
        let lane = lane_mut(lanes, role, None);
        lane.bars = bars(&runs, px_ms);
        if lane.bars.len() < runs.len() {
            notes.push(format!(
                "{}: {} runs drawn as {} bars (runs closer than a pixel are merged; hover for counts)",
                lane.name(),
                runs.len(),
                lane.bars.len()
            ));
        }
    }
}

/// Faults as shaded windows: from when each was active to when it ended (or the end).
fn fault_windows(o: &ScenarioOutcome, span_ms: u64) -> Vec<Span> {
    o.faults
        .iter()
        .filter_map(|f| {
            let from_ms = f.active_from_ms?;
            let to_ms = f.active_until_ms.unwrap_or(span_ms).max(from_ms);
            let hits: Vec<String> = f
                .hits
                .iter()
                .map(crate::outcome::FaultHitLine::summary)
                .collect();
            let hits = if hits.is_empty() {
                "it hit nothing".to_string()
            } else {
                hits.join("; ")
            };
            Some(Span {
                from_ms,
                to_ms,
                label: format!("#{} {}", f.number, f.kind.replace('_', " ")),
                title: format!(
                    "fault {}: {} to {}; {hits}",
                    f.title(),
                    at(from_ms),
                    at(to_ms)
                ),
            })
        })
        .collect()
}

/// Violations on the tenant's row; one judged at the end sits at the end.
fn violation_markers(o: &ScenarioOutcome, span_ms: u64) -> Vec<Marker> {
    o.ledger
        .violations
        .iter()
        .map(|v| Marker {
            at_ms: v.at_ms.unwrap_or(span_ms),
            kind: MarkerKind::Violation,
            label: v.kind.replace('_', " "),
            title: v.lines().join("\n"),
        })
        .collect()
}

/// Whether `lane` was the active exporter at `ms`.
fn active_at(lane: &Lane, ms: u64) -> bool {
    lane.active
        .iter()
        .any(|s| s.from_ms <= ms && ms < s.to_ms.max(s.from_ms + 1))
}

/// Export runs that reached the tenant, as (covers AD changes until, ended): the export of an
/// active exporter, covering what that server's last AD import before it saw.
fn export_marks(o: &ScenarioOutcome, lanes: &[Lane]) -> Vec<(u64, u64)> {
    let mut marks = Vec::new();
    for lane in lanes {
        let mut runs: Vec<&RunLine> = o
            .runs
            .iter()
            .filter(|r| r.server == lane.role.run_word())
            .collect();
        runs.sort_by_key(|r| (r.started_ms, r.ended_ms));
        let mut covers = None;
        for r in runs {
            if r.connector == "active-directory" && r.profile.ends_with("import") {
                covers = Some(r.started_ms);
            }
            if r.profile == "export" && active_at(lane, r.started_ms) {
                marks.extend(covers.map(|c| (c, r.ended_ms)));
            }
        }
    }
    marks
}

/// The ledger's longest wait from an AD change to the export that carried it, placed where it
/// happened: only when the AD changes and runs the timeline knows reproduce its exact length.
pub fn locate_longest_gap(
    o: &ScenarioOutcome,
    lanes: &[Lane],
    changes_ms: &[u64],
    span_ms: u64,
) -> Option<Gap> {
    let longest = o.ledger.longest_gap_ms;
    if longest == 0 {
        return None;
    }
    let marks = export_marks(o, lanes);
    let (from_ms, to_ms) = changes_ms
        .iter()
        .map(|&c| {
            let done = marks
                .iter()
                .filter(|(covers, _)| *covers >= c)
                .map(|(_, ended)| *ended)
                .min()
                .unwrap_or(span_ms)
                .max(c);
            (c, done)
        })
        .max_by_key(|(c, done)| (done - c, std::cmp::Reverse(*c)))?;
    (to_ms - from_ms == longest).then(|| Gap {
        from_ms,
        to_ms,
        label: format!("sync gap {}", SimDuration(longest)),
        title: format!(
            "the longest wait of an AD change for its export: {} (the change at {}, exported by {})",
            SimDuration(longest),
            at(from_ms),
            at(to_ms)
        ),
    })
}

/// Markers drawn per row or lane at most; the rest are counted in a note.
pub const MAX_MARKERS: usize = 200;

fn cap_markers(markers: &mut Vec<Marker>, row: &str, notes: &mut Vec<String>) {
    if markers.len() > MAX_MARKERS {
        notes.push(format!(
            "{row}: the first {MAX_MARKERS} of {} markers are drawn",
            markers.len()
        ));
        markers.truncate(MAX_MARKERS);
    }
}

fn title_lines(o: &ScenarioOutcome) -> (String, String) {
    let title = format!("{}: {}", o.name, o.verdict.as_str());
    let mut description: String = o.description.chars().take(110).collect();
    if description.len() < o.description.len() {
        description.push('…');
    }
    let subtitle = format!(
        "seed {} · {} simulated · {description}",
        o.seed,
        SimDuration(o.sim_duration_ms)
    );
    (title, subtitle)
}

/// The drawing model of one scenario's timeline.
pub fn build(o: &ScenarioOutcome) -> Timeline {
    use super::events;
    let span_ms = span_of(o);
    let mut lanes = vec![new_lane(Role::DirSync, None)];
    let mut notes = Vec::new();
    active_bands(o, span_ms, &mut lanes);
    events::server_markers(&o.events, &mut lanes);
    events::staging_bands(&o.events, span_ms, &mut lanes);
    run_bars(o, span_ms, &mut lanes, &mut notes);
    let mut gaps = events::engine_gaps(&o.events);
    let churn = events::churn_times(&o.events);
    match locate_longest_gap(o, &lanes, &churn, span_ms) {
        Some(g) if !gaps.iter().any(|e| (e.from_ms, e.to_ms) == (g.from_ms, g.to_ms)) => gaps.push(g),
        None if o.ledger.longest_gap_ms > 0 => notes.push(format!(
            "longest wait of an AD change for its export (the ledger's sync gap): {}; the timeline cannot place it exactly",
            SimDuration(o.ledger.longest_gap_ms)
        )),
        // Already drawn as the engine's gap, or no gap at all.
        _ => {}
    }
    let mut upgrade = events::upgrade_markers(&o.events);
    let mut tenant = violation_markers(o, span_ms);
    cap_markers(&mut upgrade, "upgrade", &mut notes);
    cap_markers(&mut tenant, "tenant", &mut notes);
    for lane in &mut lanes {
        let name = lane.name();
        cap_markers(&mut lane.markers, &name, &mut notes);
    }
    let (title, subtitle) = title_lines(o);
    Timeline {
        title,
        subtitle,
        span_ms,
        ticks: ticks(span_ms),
        upgrade,
        lanes,
        tenant,
        gaps,
        faults: fault_windows(o, span_ms),
        notes,
    }
}
