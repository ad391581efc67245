//! What the runner reads from the world and the engine once the steps are done: the facts the
//! expectations are checked against and the report is made of.

use super::setup::Setup;
use super::steps::{SimUpgrade, StepRecord, tag_of};
use crate::format::ViolationKind;
use crate::outcome::{
    ActiveInterval, AnalysisSummary, AttributeDifference, LedgerSummary, OperationCountsLine,
    PendingSummary, RunLine, TimelineEvent, ViolationLine, ViolationObject,
};
use std::collections::BTreeMap;
use upgrade_engine::ports::{AzureTenant, ConnectServer, OnPremAd};
use upgrade_engine::verify;
use upgrade_engine::{Analysis, EngineEvent, EventKind};
use upgrade_lab_model::{PendingExport, RunRecord};
use upgrade_lab_simulator::World;
use upgrade_lab_simulator::tenant::ledger::Product;
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
}

fn run_line(server: &str, r: &RunRecord) -> RunLine {
    RunLine {
        server: server.to_string(),
        connector: tag_of(&serde_json::json!({ "c": r.connector }), "c").replace('_', "-"),
        profile: tag_of(&serde_json::json!({ "p": r.profile }), "p").replace('_', "-"),
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
    match &e.kind {
        EventKind::Changed { change, .. } => {
            let tag = tag_of(change, "change");
            if tag == "staging_mode" {
                let on = serde_json::to_value(change)
                    .ok()
                    .and_then(|v| v.get("enabled").and_then(|b| b.as_bool()))
                    .unwrap_or(false);
                vec![
                    if on {
                        "staging_enabled"
                    } else {
                        "staging_disabled"
                    }
                    .to_string(),
                ]
            } else {
                vec![tag]
            }
        }
        EventKind::Decided { decision, .. } => {
            let tag = tag_of(decision, "decision");
            if tag == "override" {
                let what = serde_json::to_value(decision)
                    .ok()
                    .and_then(|v| v.get("what").and_then(|w| w.as_str()).map(str::to_string))
                    .unwrap_or_default();
                vec![format!("override_{}", what.replace('-', "_"))]
            } else {
                vec![tag]
            }
        }
        _ => Vec::new(),
    }
}

/// The timeline: engine events, step boundaries and faults, by simulated time.
pub fn timeline_event(e: &EngineEvent) -> TimelineEvent {
    let kind = match &e.kind {
        EventKind::Checked { .. } => "checked",
        EventKind::Decided { .. } => "decided",
        EventKind::Changed { .. } => "changed",
        EventKind::Refused { .. } => "refused",
    };
    TimelineEvent {
        at_ms: e.at.0,
        source: "engine".into(),
        kind: kind.into(),
        detail: e.to_string(),
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
    let changes = world
        .run(upgrade.ad_mut().changes_since(since))
        .unwrap_or_default();
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

/// Reads the facts at the end of the scenario.
pub fn collect(
    setup: &Setup,
    upgrade: &mut SimUpgrade,
    steps: Vec<StepRecord>,
    events: Vec<EngineEvent>,
) -> Facts {
    let world = &setup.world;
    *upgrade.connect_mut() = world.connect_port(&setup.connect_host);
    let connect_installed = world.with_state(|st| {
        st.connects
            .contains_key(&setup.connect_host.to_ascii_uppercase())
    });
    let mut runs: Vec<RunLine> = world
        .dirsync_port()
        .run_history()
        .iter()
        .map(|r| run_line("dirsync", r))
        .collect();
    let (connect_runs, pending) = if connect_installed {
        world.run(async {
            let c = upgrade.connect_mut();
            (c.run_history().await.ok(), c.pending_exports().await.ok())
        })
    } else {
        (None, None)
    };
    runs.extend(
        connect_runs
            .iter()
            .flatten()
            .map(|r| run_line("connect", r)),
    );
    let pending = pending.map(|p| pending_summary(&p, upgrade, world));
    let tenant_objects = world
        .run(async { upgrade.tenant_mut().sync_status().await })
        .map(|s| s.synced_objects)
        .unwrap_or(0);
    let ledger = world.report();
    let active_exporter = ledger
        .exporter_intervals
        .iter()
        .filter(|i| i.to.is_none())
        .map(|i| match i.product {
            Product::DirSync => "dirsync",
            Product::Connect => "connect",
        })
        .next_back()
        .unwrap_or("none")
        .to_string();
    let (dirsync_state, connect_staging, exports_by_client, settings_file_has_secret) = world
        .with_state(|st| {
            let ds = match &st.dirsync {
                Some(d) if d.installed && d.service_running => "running",
                Some(d) if d.installed => "disabled",
                _ => "uninstalled",
            };
            let staging = st
                .connects
                .get(&setup.connect_host.to_ascii_uppercase())
                .is_some_and(|c| c.staging);
            let mut by_client: BTreeMap<String, u64> = BTreeMap::new();
            for e in &st.tenant.ledger.exports {
                let client = match e.client.product {
                    Product::DirSync => "dirsync",
                    Product::Connect => "connect",
                };
                *by_client.entry(client.to_string()).or_default() += 1;
            }
            let secret = st.files.values().flat_map(|f| f.values()).any(|bytes| {
                bytes
                    .windows(upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD.len())
                    .any(|w| {
                        w == upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD.as_bytes()
                    })
            });
            (ds.to_string(), staging, by_client, secret)
        });
    let tenant_live_objects = world.with_state(|st| st.tenant.live_count());
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
    }
}

/// The analysis as the report shows it.
pub fn analysis_summary(a: &Analysis) -> AnalysisSummary {
    AnalysisSummary {
        page: tag_of(&a.page, "page"),
        recommendation: tag_of(&serde_json::json!({ "r": a.recommendation }), "r"),
        estimate_minutes: a.estimate.as_millis() / 60_000,
        objects_count: a.objects_count,
        blockers: a.blockers.clone(),
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
    }
}

/// A violation as the reports show it: its kind, time, sentence and objects.
pub fn violation_line(v: &Violation) -> ViolationLine {
    ViolationLine {
        kind: violation_kind(v).as_str().to_string(),
        at_ms: v.at().map(|t| t.0),
        summary: v.to_string(),
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
