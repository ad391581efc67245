//! What the runner reads from the world and the engine once the steps are done: the facts the
//! expectations are checked against and the report is made of.

use super::setup::Setup;
use super::steps::{SimUpgrade, StepRecord};
use crate::format::{ObjectExpectation, ViolationKind};
use crate::outcome::{
    ActiveInterval, AnalysisSummary, AttributeDifference, EventSource, LedgerSummary,
    OperationCountsLine, PendingSummary, RunLine, TimelineEvent, ViolationLine, ViolationObject,
};
use std::collections::BTreeMap;
use upgrade_lab_engine::ports::SqlChoice;
use upgrade_lab_engine::ports::{AzureTenant, ConnectServer};
use upgrade_lab_engine::verify;
use upgrade_lab_engine::{Analysis, EngineEvent, EventKind, ServerRole};
use upgrade_lab_model::{
    DirectoryObject, PendingExport, RunRecord, SimDuration, SimTime, SqlBackend,
};
use upgrade_lab_simulator::World;
use upgrade_lab_simulator::tenant::TenantObject;
use upgrade_lab_simulator::world::queries::AdName;
use upgrade_lab_simulator::world::report::{LedgerReport, Violation};

/// Everything the expectations look at.
pub struct Facts {
    pub now_ms: u64,
    pub analysis: Option<Analysis>,
    pub steps: Vec<StepRecord>,
    pub events: Vec<EngineEvent>,
    /// Run history as report lines (DirSync's, then Connect's).
    pub runs: Vec<RunLine>,
    pub pending: Option<PendingSummary>,
    pub ledger: LedgerReport,
    /// Export records per client product.
    pub exports_by_client: BTreeMap<String, u64>,
    pub active_exporter: String,
    pub dirsync_state: String,
    pub connect_staging: bool,
    pub tenant_objects: u64,
    pub tenant_live_objects: u64,
    pub settings_exported: bool,
    /// A settings file on some server contains the world's password.
    pub settings_file_has_secret: bool,
    /// What the scenario's churn steps that ran asked for: adds, updates, deletes.
    pub churn: OperationCountsLine,
    /// The SQL Server the analysis found: `express` or `server\instance`; `none` before it.
    pub sql_found: String,
    /// The SQL Server Connect is installed on: `localdb`, `express`, `server\instance` or
    /// `none` (not installed).
    pub connect_sql: String,
    /// What the world says about each object of the expectations, in their order.
    pub objects: Vec<ObjectFact>,
}

/// An AD object an expectation names, and its tenant object.
#[derive(Clone, Debug, Default)]
pub struct ObjectFact {
    /// The AD object and whether it is deleted; `None` when AD never held it.
    pub ad: Option<(DirectoryObject, bool)>,
    /// The live tenant object synced from it.
    pub tenant: Option<TenantObject>,
}

/// Whether facts are read at the end (through the engine's ports, as an administrator would)
/// or at a checkpoint (straight from the world, so no simulated time passes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    End,
    Checkpoint,
}

fn sql_word(sql: &SqlBackend) -> String {
    match sql {
        SqlBackend::Express => "express".to_string(),
        SqlBackend::Full { .. } => sql.display_name(),
    }
}

fn connect_sql_word(sql: Option<SqlChoice>) -> String {
    match sql {
        None => "none".to_string(),
        Some(SqlChoice::LocalDb) => "localdb".to_string(),
        Some(SqlChoice::Existing(b)) => sql_word(&b),
    }
}

/// Looks up the objects `wanted` names in AD and the tenant.
pub fn object_facts(world: &World, wanted: &[ObjectExpectation]) -> Vec<ObjectFact> {
    wanted
        .iter()
        .map(|o| {
            let name = match (&o.dn, &o.sam_account_name) {
                (Some(d), _) => AdName::Dn(d.get_ref()),
                (None, Some(s)) => AdName::SamAccountName(s.get_ref()),
                (None, None) => return ObjectFact::default(),
            };
            let ad = world.find_ad_object(name);
            let tenant = ad
                .as_ref()
                .and_then(|(a, _)| world.tenant_object(&a.guid.immutable_id()))
                .filter(TenantObject::is_synced);
            ObjectFact { ad, tenant }
        })
        .collect()
}

fn run_line(server: &str, r: &RunRecord) -> RunLine {
    RunLine {
        server: server.to_string(),
        connector: r.connector.as_str().to_string(),
        profile: r.profile.as_str().to_string(),
        started_ms: r.started.0,
        ended_ms: r.ended.0,
        status: r.status.as_str().to_string(),
        adds: r.stats.adds,
        updates: r.stats.updates,
        deletes: r.stats.deletes,
        errors: r.stats.errors,
    }
}

/// The kinds an engine event contributes to `expect.events`.
pub fn event_kinds(e: &EngineEvent) -> Vec<String> {
    e.kind.expect_kind().into_iter().collect()
}

/// An engine event as a timeline entry: its sentence, the host it concerns (named in the event,
/// or the server a change touched) and the engine's own serde form as `data`.
pub fn timeline_event(e: &EngineEvent, setup: &Setup) -> TimelineEvent {
    let kind = match &e.kind {
        EventKind::Checked { .. } => "checked",
        EventKind::Decided { .. } => "decided",
        EventKind::Changed { .. } => "changed",
        EventKind::Refused { .. } => "refused",
    };
    let mut data = match serde_json::to_value(&e.kind) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    add_time_texts(&mut data);
    let server = named_host(&data).or_else(|| match &e.kind {
        EventKind::Changed { server, .. } => match server {
            ServerRole::DirSync => Some(setup.dirsync_host.clone()),
            ServerRole::Connect => Some(setup.connect_host.clone()),
            ServerRole::Tenant => None,
        },
        _ => None,
    });
    TimelineEvent::new(e.at.0, EventSource::Engine, kind, e.kind.to_string())
        .with_server(server)
        .with_data(data)
}

/// The engine's decisions and refusals, as the reports list them.
pub fn decisions(events: &[EngineEvent], setup: &Setup) -> Vec<TimelineEvent> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Decided { .. } | EventKind::Refused { .. }
            )
        })
        .map(|e| timeline_event(e, setup))
        .collect()
}

/// The `host` an event names, at its top or in its `change`, `decision` or `refusal`.
fn named_host(data: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let host = |m: &serde_json::Map<String, serde_json::Value>| {
        m.get("host").and_then(|h| h.as_str()).map(str::to_string)
    };
    host(data).or_else(|| {
        ["change", "decision", "refusal", "check"]
            .iter()
            .filter_map(|k| data.get(*k).and_then(|v| v.as_object()))
            .find_map(host)
    })
}

/// Beside each time the engine serialises as milliseconds (`uninstalled_at`, `estimate`, ...)
/// its text for people as `<name>_text` (`T+1:20:48`, `3:00:00`), at any depth.
fn add_time_texts(map: &mut serde_json::Map<String, serde_json::Value>) {
    const INSTANTS: [&str; 7] = [
        "uninstalled_at",
        "imported_at",
        "exported_at",
        "at",
        "from",
        "to",
        "connect_first_export",
    ];
    const SPANS: [&str; 2] = ["estimate", "gap"];
    let mut texts = Vec::new();
    for (key, value) in map.iter_mut() {
        match value {
            serde_json::Value::Object(inner) => add_time_texts(inner),
            serde_json::Value::Number(n) => {
                let Some(ms) = n.as_u64() else { continue };
                if INSTANTS.contains(&key.as_str()) {
                    texts.push((format!("{key}_text"), SimTime(ms).to_string()));
                } else if SPANS.contains(&key.as_str()) {
                    texts.push((format!("{key}_text"), SimDuration(ms).to_string()));
                }
            }
            _ => {}
        }
    }
    for (key, text) in texts {
        map.insert(key, serde_json::Value::String(text));
    }
}

/// The pending exports, classified by the engine's verification rules against AD's changes.
fn pending_summary(
    pending: &[PendingExport],
    upgrade: &mut SimUpgrade,
    world: &World,
) -> PendingSummary {
    let state = upgrade.state();
    let since = verify::explaining_changes_since(state.settings_exported_at.or(state.installed_at));
    // Read from AD directly: a checkpoint must not let simulated time pass.
    let changes = world.ad_changes_since(since);
    let r = verify::pending_export_report(pending, &changes);
    let line = |c: verify::OperationCounts| OperationCountsLine {
        adds: c.adds,
        updates: c.updates,
        deletes: c.deletes,
    };
    PendingSummary {
        adds: r.totals.adds,
        updates: r.totals.updates,
        deletes: r.totals.deletes,
        total: r.totals.total(),
        directory: line(r.directory),
        rule_differences: r.rule_differences,
        rules_only_updates: r.rules_only_updates,
        unexplained: line(r.unexplained),
        unexplained_examples: r.unexplained_examples,
    }
}

/// Reads the facts at `moment`; `objects` are the objects the judged expectations name.
pub fn collect(
    setup: &Setup,
    upgrade: &mut SimUpgrade,
    steps: Vec<StepRecord>,
    events: Vec<EngineEvent>,
    objects: &[ObjectExpectation],
    moment: Moment,
) -> Facts {
    let world = &setup.world;
    let (runs, pending) = runs_and_pending(setup, upgrade, moment);
    let tenant_objects = match moment {
        Moment::End => world
            .run(async { upgrade.tenant_mut().sync_status().await })
            .map_or(0, |s| s.synced_objects),
        Moment::Checkpoint => world.tenant_synced_count(),
    };
    let ledger = world.report();
    let active_exporter = active_exporter(&ledger);
    let mut exports_by_client: BTreeMap<String, u64> = BTreeMap::new();
    for e in world.ledger_exports() {
        *exports_by_client.entry(e.product.to_string()).or_default() += 1;
    }
    let settings_file_has_secret = settings_file_has_secret(setup);
    let dirsync_state = world.dirsync_state().as_str().to_string();
    let connect_staging = world.connect_staging(&setup.connect_host);
    let tenant_live_objects = world.tenant_live_count();
    let state = upgrade.state();
    Facts {
        now_ms: world.now().0,
        analysis: state.analysis.clone(),
        settings_exported: state.settings_exported_at.is_some() || state.settings.is_some(),
        steps,
        events,
        runs,
        pending,
        ledger,
        exports_by_client,
        active_exporter,
        dirsync_state,
        connect_staging,
        tenant_objects,
        tenant_live_objects,
        settings_file_has_secret,
        churn: OperationCountsLine::default(),
        sql_found: state
            .analysis
            .as_ref()
            .map_or_else(|| "none".to_string(), |a| sql_word(&a.sql)),
        connect_sql: connect_sql_word(world.connect_sql(&setup.connect_host)),
        objects: object_facts(world, objects),
    }
}

/// Both servers' run histories (DirSync's first) and Connect's pending exports at `moment`.
fn runs_and_pending(
    setup: &Setup,
    upgrade: &mut SimUpgrade,
    moment: Moment,
) -> (Vec<RunLine>, Option<PendingSummary>) {
    let world = &setup.world;
    let mut runs: Vec<RunLine> = world
        .dirsync_port()
        .run_history()
        .iter()
        .map(|r| run_line("dirsync", r))
        .collect();
    let (connect_runs, pending) = match moment {
        Moment::End => end_connect(setup, upgrade),
        Moment::Checkpoint => world
            .connect_snapshot(&setup.connect_host)
            .map_or((None, None), |(r, p)| (Some(r), Some(p))),
    };
    runs.extend(
        connect_runs
            .iter()
            .flatten()
            .map(|r| run_line("connect", r)),
    );
    let pending = pending.map(|p| pending_summary(&p, upgrade, world));
    (runs, pending)
}

/// The product exporting now (its ledger interval is open), or `none`.
fn active_exporter(ledger: &LedgerReport) -> String {
    ledger
        .exporter_intervals
        .iter()
        .filter(|i| i.to.is_none())
        .map(|i| i.product.key())
        .next_back()
        .unwrap_or("none")
        .to_string()
}

/// Whether any file on any server holds one of the scenario's passwords, byte for byte.
fn settings_file_has_secret(setup: &Setup) -> bool {
    setup.world.server_files().iter().any(|f| {
        setup
            .passwords
            .named()
            .iter()
            .any(|(_, p)| contains(&f.bytes, p.expose().as_bytes()))
    })
}

/// Connect's run history and pending exports through its port (the query takes its time).
fn end_connect(
    setup: &Setup,
    upgrade: &mut SimUpgrade,
) -> (
    Option<Vec<RunRecord>>,
    Option<Vec<upgrade_lab_model::PendingExport>>,
) {
    let world = &setup.world;
    *upgrade.connect_mut() = world.connect_port(&setup.connect_host);
    if world.connect_installed(&setup.connect_host) {
        world.run(async {
            let c = upgrade.connect_mut();
            (c.run_history().await.ok(), c.pending_exports().await.ok())
        })
    } else {
        (None, None)
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The analysis as the report shows it.
pub fn analysis_summary(a: &Analysis) -> AnalysisSummary {
    AnalysisSummary {
        page: a.page.as_str().to_string(),
        recommendation: a.recommendation.as_str().to_string(),
        estimate_minutes: a.estimate.as_millis() / 60_000,
        objects_count: a.objects_count,
        blockers: a.blockers.iter().map(ToString::to_string).collect(),
        sql: a.sql.display_name(),
    }
}

/// The ledger as the report shows it.
pub fn ledger_summary(f: &Facts) -> LedgerSummary {
    LedgerSummary {
        exports_by_client: f.exports_by_client.clone(),
        active_intervals: f
            .ledger
            .exporter_intervals
            .iter()
            .map(|i| ActiveInterval {
                server: format!("{} ({})", i.host, i.product.as_str()),
                from_ms: i.from.0,
                to_ms: i.to.map(|t| t.0),
            })
            .collect(),
        violations: f.ledger.violations.iter().map(violation_line).collect(),
        longest_gap_ms: f.ledger.sync_gap.as_millis(),
    }
}

/// The `expect.violations` kind of a violation the world reported.
pub fn violation_kind(v: &Violation) -> ViolationKind {
    match v {
        Violation::TwoActiveExporters { .. } => ViolationKind::TwoActiveExporters,
        Violation::RollbackToDirSync { .. } => ViolationKind::DirsyncExportAfterConnect,
        Violation::InstallerRerun { .. } => ViolationKind::InstallerRerun,
        Violation::SharedSqlInstance { .. } => ViolationKind::SharedSqlInstance,
        Violation::DirSyncUninstalledBeforeInspection { .. } => {
            ViolationKind::DirsyncUninstalledBeforeInspection
        }
        Violation::BlockedConfigurationMigrated { .. } => {
            ViolationKind::BlockedConfigurationMigrated
        }
        Violation::ObjectLost(_) => ViolationKind::ObjectLost,
        Violation::ObjectDuplicated(_) => ViolationKind::ObjectDuplicated,
        Violation::ObjectOrphaned(_) => ViolationKind::ObjectOrphaned,
        Violation::ObjectStale(_) => ViolationKind::ObjectStale,
        Violation::CloudObjectChanged(_) => ViolationKind::CloudObjectChanged,
        Violation::ExportRepeated { .. } => ViolationKind::ExportRepeated,
    }
}

/// A violation as the reports show it: its kind, time, sentence and objects.
pub fn violation_line(v: &Violation) -> ViolationLine {
    let mut data = match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    // The kind and the named objects have their own fields.
    data.remove("kind");
    if !v.objects().is_empty() {
        data.remove("objects");
    }
    let servers = match v {
        Violation::TwoActiveExporters { first, second, .. } => [first, second]
            .iter()
            .map(|s| {
                s.split_once(" (")
                    .map_or(s.as_str(), |(host, _)| host)
                    .to_string()
            })
            .collect(),
        _ => named_host(&data).into_iter().collect(),
    };
    add_time_texts(&mut data);
    ViolationLine {
        kind: violation_kind(v).as_str().to_string(),
        at_ms: v.at().map(|t| t.0),
        at: v.at().map(|t| t.to_string()),
        servers,
        summary: v.to_string(),
        data,
        object_count: v.object_count(),
        objects: v
            .objects()
            .into_iter()
            .map(|(o, diffs)| ViolationObject {
                name: o.name.clone(),
                dn: o.dn.clone(),
                immutable_id: o.immutable_id.clone(),
                differences: diffs
                    .iter()
                    .map(|d| AttributeDifference {
                        attribute: d.attribute.to_string(),
                        expected: d.expected.clone(),
                        actual: d.actual.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
