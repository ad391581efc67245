//! Running run profiles and cycles on a server inside the world: availability checks (server
//! down, SQL down, not installed), faults that stop a run at its start (`no-start-credentials`
//! with event 6000, `stopped-connectivity` with the proxy's or network's words), the modelled
//! time between reading and committing, crashes in the middle of a run (`stopped-server-down`),
//! staging mode (never exports), the Azure AD throttle and the 5,000-error limit.
//!
//! It must not know the engine's orchestration: ports and schedulers call in here.

use super::{Shared, WorldState, host_key};
use crate::faults::{
    FaultHit, FaultId, RunPhase, SERVER_DOWN_TEXT, SQL_DOWN_TEXT, event_6000_text,
};
use crate::sync::SyncEngine;
use crate::tenant::ledger::{ExportClient, Product};
use std::rc::Rc;
use upgrade_lab_engine::ports::{PortError, PortErrorKind};
use upgrade_lab_model::constants::LOCALDB_MAX_OBJECTS;
use upgrade_lab_model::{
    Connector, RunProfile, RunRecord, RunStats, RunStatus, SimDuration, SimTime,
};

/// Which server a run is on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerId {
    DirSync,
    /// An Azure AD Connect server by host name.
    Connect(String),
}

/// Errors kept in a run record (the first ones, as the Operations tab lists them).
pub(crate) const RUN_ERRORS_KEPT: usize = 20;

fn host_of(st: &WorldState, id: &ServerId) -> String {
    match id {
        ServerId::DirSync => host_key(&st.dirsync_host),
        ServerId::Connect(h) => host_key(h),
    }
}

/// The engine of a server (installed ones only).
pub(crate) fn engine_mut<'a>(st: &'a mut WorldState, id: &ServerId) -> Option<&'a mut SyncEngine> {
    match id {
        ServerId::DirSync => st
            .dirsync
            .as_mut()
            .filter(|d| d.installed)
            .map(|d| &mut d.engine),
        ServerId::Connect(h) => st.connects.get_mut(&host_key(h)).map(|c| &mut c.engine),
    }
}

pub(crate) fn client_of(st: &WorldState, id: &ServerId) -> Option<ExportClient> {
    match id {
        ServerId::DirSync => st.dirsync.as_ref().map(|d| ExportClient {
            host: host_key(&d.host),
            product: Product::DirSync,
            account: d.azure_account().to_string(),
        }),
        ServerId::Connect(h) => st.connects.get(&host_key(h)).map(|c| ExportClient {
            host: host_key(&c.host),
            product: Product::Connect,
            account: c.azure_account.clone(),
        }),
    }
}

pub(crate) fn is_staging(st: &WorldState, id: &ServerId) -> bool {
    match id {
        ServerId::DirSync => false,
        ServerId::Connect(h) => st.connects.get(&host_key(h)).is_some_and(|c| c.staging),
    }
}

/// Whether the server's database is SQL Server Express / LocalDB, limited to 10 GB ≈ 100,000
/// objects (docs/real-systems.md, "SQL Express, LocalDB and full SQL Server").
pub(crate) fn uses_local_db(st: &WorldState, id: &ServerId) -> bool {
    match id {
        ServerId::DirSync => st.dirsync.as_ref().is_some_and(|d| !d.config.sql.is_full()),
        ServerId::Connect(h) => st.connects.get(&host_key(h)).is_some_and(|c| match &c.sql {
            upgrade_lab_engine::ports::SqlChoice::LocalDb => true,
            upgrade_lab_engine::ports::SqlChoice::Existing(b) => !b.is_full(),
        }),
    }
}

/// What the Operations tab and the event log say when LocalDB reaches 10 GB.
pub(crate) const DISK_FULL_TEXT: &str = "Event 6323: The server encountered an error because \
    SQL Server is out of disk space (LocalDB 10 GB limit reached)";

/// Why the server cannot run `operation` now, in its own words; a fault that causes it records
/// the failed call.
pub(crate) fn unavailable(
    st: &WorldState,
    id: &ServerId,
    now: SimTime,
    operation: &str,
) -> Option<PortError> {
    let host = host_of(st, id);
    let hit = |fault: FaultId| {
        st.faults.hit(
            fault,
            FaultHit::PortCall {
                at: now,
                host: host.clone(),
                operation: operation.to_string(),
            },
        )
    };
    if let Some(fault) = st.faults.server_down(&host, now) {
        hit(fault);
        return Some(PortError::new(PortErrorKind::ServerDown, SERVER_DOWN_TEXT));
    }
    let installed = match id {
        ServerId::DirSync => st.dirsync.as_ref().is_some_and(|d| d.installed),
        ServerId::Connect(h) => st.connects.contains_key(&host_key(h)),
    };
    if !installed {
        return Some(PortError::new(
            PortErrorKind::NotInstalled,
            format!("no sync engine is installed on {host}"),
        ));
    }
    if let Some(fault) = st.faults.sql_down(&host, now) {
        hit(fault);
        return Some(PortError::new(
            PortErrorKind::SqlInstanceDown,
            SQL_DOWN_TEXT,
        ));
    }
    None
}

/// A run that cannot start because of a fault: the fault, the run's status and words.
fn start_failure(
    st: &WorldState,
    host: &str,
    connector: Connector,
    now: SimTime,
) -> Option<(FaultId, RunStatus, String)> {
    match connector {
        Connector::ActiveDirectory => st.faults.ad_credentials_invalid(host, now).map(|f| {
            (
                f,
                RunStatus::NoStartCredentials,
                event_6000_text(&st.ad.forest),
            )
        }),
        Connector::AzureAd => st
            .faults
            .azure_connectivity(host, now)
            .map(|(f, _, text)| (f, RunStatus::StoppedConnectivity, text)),
    }
}

/// Waits `duration` unless the host crashes first; `Err(the crash)` then, at its time.
pub(crate) async fn spend(
    shared: &Rc<Shared>,
    host: &str,
    started: SimTime,
    duration: SimDuration,
) -> Result<(), FaultId> {
    let end = started + duration;
    let crash = shared
        .state
        .borrow()
        .faults
        .crash_between(host, started, end);
    match crash {
        Some((fault, t)) => {
            tokio::time::sleep_until(shared.instant(t)).await;
            Err(fault)
        }
        None => {
            tokio::time::sleep_until(shared.instant(end)).await;
            Ok(())
        }
    }
}

/// Starts, at `at`, the crashes of `host` tied to `phase` of its run sequence; whether one
/// started.
pub(crate) fn crash_point(shared: &Shared, host: &str, phase: RunPhase, at: SimTime) -> bool {
    shared.state.borrow_mut().faults.on_phase(host, phase, at)
}

/// **Planted bug** (`RestartLosesStagedImports`): the crash after the imports loses what they
/// staged (the watermarks stay), so the next delta synchronization has nothing to process.
fn planted_restart_loses_staged_imports(shared: &Shared, id: &ServerId) {
    let mut st = shared.state.borrow_mut();
    if st.planted_bug != Some(super::PlantedBug::RestartLosesStagedImports) {
        return;
    }
    if let Some(e) = engine_mut(&mut st, id) {
        e.drop_staged_imports();
    }
}

/// Records a run that `fault` stopped, and the hit on the fault.
pub(crate) fn record_stopped(
    shared: &Rc<Shared>,
    id: &ServerId,
    fault: FaultId,
    run: (Connector, RunProfile, SimTime),
    status: RunStatus,
    errors: Vec<String>,
) -> RunRecord {
    let stopped = (status, RunStats::default());
    record_stopped_with(shared, id, fault, run, stopped, errors)
}

/// Records a run that `fault` stopped after it did what `stats` counts, and the hit.
pub(crate) fn record_stopped_with(
    shared: &Rc<Shared>,
    id: &ServerId,
    fault: FaultId,
    run: (Connector, RunProfile, SimTime),
    (status, stats): (RunStatus, RunStats),
    errors: Vec<String>,
) -> RunRecord {
    let rec = record(shared, id, run, status.clone(), stats, errors);
    let st = shared.state.borrow();
    st.faults.hit(
        fault,
        FaultHit::Run {
            at: rec.ended,
            host: host_of(&st, id),
            connector: rec.connector,
            profile: rec.profile,
            status,
        },
    );
    rec
}

/// A run the host's crash stopped.
fn crashed(
    shared: &Rc<Shared>,
    id: &ServerId,
    fault: FaultId,
    run: (Connector, RunProfile, SimTime),
) -> RunRecord {
    record_stopped(
        shared,
        id,
        fault,
        run,
        RunStatus::StoppedServerDown,
        vec![SERVER_DOWN_TEXT.into()],
    )
}

pub(crate) fn record(
    shared: &Rc<Shared>,
    id: &ServerId,
    (connector, profile, started): (Connector, RunProfile, SimTime),
    status: RunStatus,
    stats: RunStats,
    errors: Vec<String>,
) -> RunRecord {
    let rec = RunRecord {
        connector,
        profile,
        started,
        ended: shared.now(),
        status,
        stats,
        errors,
    };
    let mut st = shared.state.borrow_mut();
    log_run(&host_of(&st, id), &rec);
    if let Some(e) = engine_mut(&mut st, id) {
        e.history.push(rec.clone());
    }
    rec
}

/// Logs one finished run profile at `debug`, stamped with its simulated end.
fn log_run(host: &str, rec: &RunRecord) {
    tracing::debug!(
        sim = %rec.ended,
        host,
        connector = %rec.connector,
        profile = %rec.profile,
        status = rec.status.as_str(),
        adds = rec.stats.adds,
        updates = rec.stats.updates,
        deletes = rec.stats.deletes,
        errors = rec.stats.errors,
        "run profile ended after {}",
        rec.ended.since(rec.started)
    );
}

/// Runs one profile, waiting for the server's run lock first.
pub(crate) async fn run_profile(
    shared: &Rc<Shared>,
    id: &ServerId,
    connector: Connector,
    profile: RunProfile,
) -> Result<RunRecord, PortError> {
    let host = host_of(&shared.state.borrow(), id);
    let lock = shared.lock_for(&host);
    let _guard = lock.lock().await;
    run_profile_locked(shared, id, connector, profile).await
}

/// Runs one profile; the caller holds the run lock.
pub(crate) async fn run_profile_locked(
    shared: &Rc<Shared>,
    id: &ServerId,
    connector: Connector,
    profile: RunProfile,
) -> Result<RunRecord, PortError> {
    let started = shared.now();
    let (host, overhead, failure) = {
        let st = shared.state.borrow();
        let operation = format!("run_profile {connector} {profile}");
        if let Some(e) = unavailable(&st, id, started, &operation) {
            return Err(e);
        }
        let host = host_of(&st, id);
        let failure = start_failure(&st, &host, connector, started);
        (host, SimDuration(st.timing.run_overhead_ms), failure)
    };
    let stopped = |shared: &Rc<Shared>, status, errors| {
        record(
            shared,
            id,
            (connector, profile, started),
            status,
            RunStats::default(),
            errors,
        )
    };
    let run = (connector, profile, started);
    if let Some((fault, status, text)) = failure {
        if let Err(crash) = spend(shared, &host, started, overhead).await {
            return Ok(crashed(shared, id, crash, run));
        }
        return Ok(record_stopped(shared, id, fault, run, status, vec![text]));
    }
    use RunProfile::*;
    match (connector, profile) {
        (_, Export) if connector == Connector::ActiveDirectory => {
            // No writeback is configured: the AD connector has nothing to export.
            let _ = spend(shared, &host, started, overhead).await;
            Ok(stopped(shared, RunStatus::CompletedNoObjects, Vec::new()))
        }
        (_, Export) => super::export_run::export(shared, id, &host, started).await,
        (Connector::ActiveDirectory, FullImport | DeltaImport) => {
            let full = profile == FullImport;
            let (plan, duration, disk_full) = {
                let mut st = shared.state.borrow_mut();
                let st = &mut *st;
                let timing = st.timing.clone();
                let local_db = uses_local_db(st, id);
                let ad = &st.ad;
                let engine = engine_mut_split(&mut st.dirsync, &mut st.connects, id);
                let Some(engine) = engine else {
                    return Err(not_installed(&host));
                };
                let plan = engine.plan_ad_import(ad, full);
                let cost = if plan.full {
                    timing.full_import_ad_ms_per_object
                } else {
                    timing.delta_import_ad_ms_per_change
                };
                let d = timing.run(plan.items.len() as u64, cost);
                let objects_after = if plan.full {
                    plan.items.len()
                } else {
                    engine.ad_cs.len() + plan.items.len()
                };
                let disk_full = local_db && objects_after as u64 > LOCALDB_MAX_OBJECTS;
                (plan, d, disk_full)
            };
            if let Err(crash) = spend(shared, &host, started, duration).await {
                return Ok(crashed(shared, id, crash, run));
            }
            if disk_full {
                return Ok(stopped(
                    shared,
                    RunStatus::StoppedDatabaseDiskFull,
                    vec![DISK_FULL_TEXT.into()],
                ));
            }
            let stats = engine_mut(&mut shared.state.borrow_mut(), id)
                .map(|e| {
                    e.last_ad_import_started = Some(started);
                    e.commit_ad_import(plan)
                })
                .unwrap_or_default();
            Ok(finish(shared, id, connector, profile, started, stats))
        }
        (Connector::AzureAd, FullImport | DeltaImport) => {
            let (plan, duration) = {
                let mut st = shared.state.borrow_mut();
                let timing = st.timing.clone();
                let Some(engine) = engine_mut(&mut st, id) else {
                    return Err(not_installed(&host));
                };
                let full = profile == FullImport || engine.aad_watermark.is_none();
                let after = if full { None } else { engine.aad_watermark };
                let (items, watermark) = st.tenant.read_for_import(after);
                let cost = if full {
                    timing.full_import_aad_ms_per_object
                } else {
                    timing.delta_import_aad_ms_per_change
                };
                let d = timing.run(items.len() as u64, cost);
                (
                    crate::sync::run_profiles::AadImportPlan {
                        full,
                        items,
                        watermark,
                    },
                    d,
                )
            };
            if let Err(crash) = spend(shared, &host, started, duration).await {
                return Ok(crashed(shared, id, crash, run));
            }
            let stats = engine_mut(&mut shared.state.borrow_mut(), id)
                .map(|e| e.commit_aad_import(plan))
                .unwrap_or_default();
            let rec = finish(shared, id, connector, profile, started, stats);
            if crash_point(shared, &host, RunPhase::AfterImport, shared.now()) {
                planted_restart_loses_staged_imports(shared, id);
            }
            Ok(rec)
        }
        (_, FullSynchronization | DeltaSynchronization) => {
            let full = profile == FullSynchronization;
            let duration = {
                let mut st = shared.state.borrow_mut();
                let timing = st.timing.clone();
                let Some(engine) = engine_mut(&mut st, id) else {
                    return Err(not_installed(&host));
                };
                let (objects, cost) = match (connector, full) {
                    (Connector::ActiveDirectory, true) => {
                        (engine.ad_cs.len(), timing.full_sync_ad_ms_per_object)
                    }
                    (Connector::ActiveDirectory, false) => {
                        (engine.ad_pending.len(), timing.delta_sync_ad_ms_per_object)
                    }
                    (Connector::AzureAd, true) => {
                        (engine.aad_cs.len(), timing.full_sync_aad_ms_per_object)
                    }
                    (Connector::AzureAd, false) => (
                        engine.aad_pending.len(),
                        timing.delta_sync_aad_ms_per_object,
                    ),
                };
                timing.run(objects as u64, cost)
            };
            if let Err(crash) = spend(shared, &host, started, duration).await {
                return Ok(crashed(shared, id, crash, run));
            }
            let stats = engine_mut(&mut shared.state.borrow_mut(), id)
                .map(|e| match connector {
                    Connector::ActiveDirectory => e.sync_ad(full),
                    Connector::AzureAd => e.sync_aad(full),
                })
                .unwrap_or_default();
            let rec = finish(shared, id, connector, profile, started, stats);
            if connector == Connector::AzureAd {
                crash_point(shared, &host, RunPhase::AfterSync, shared.now());
            }
            Ok(rec)
        }
    }
}

pub(crate) fn engine_mut_split<'a>(
    dirsync: &'a mut Option<crate::dirsync_server::DirSyncServer>,
    connects: &'a mut std::collections::BTreeMap<String, crate::connect_server::ConnectServer>,
    id: &ServerId,
) -> Option<&'a mut SyncEngine> {
    match id {
        ServerId::DirSync => dirsync
            .as_mut()
            .filter(|d| d.installed)
            .map(|d| &mut d.engine),
        ServerId::Connect(h) => connects.get_mut(&host_key(h)).map(|c| &mut c.engine),
    }
}

pub(crate) fn not_installed(host: &str) -> PortError {
    PortError::new(
        PortErrorKind::NotInstalled,
        format!("no sync engine is installed on {host}"),
    )
}

fn finish(
    shared: &Rc<Shared>,
    id: &ServerId,
    connector: Connector,
    profile: RunProfile,
    started: SimTime,
    stats: RunStats,
) -> RunRecord {
    let nothing = stats.adds + stats.updates + stats.deletes + stats.projections + stats.joins == 0;
    let status = if nothing {
        RunStatus::CompletedNoObjects
    } else {
        RunStatus::Success
    };
    record(
        shared,
        id,
        (connector, profile, started),
        status,
        stats,
        Vec::new(),
    )
}

/// One scheduler cycle, in the scheduler's order (docs/real-systems.md, "The sync engine"):
/// import AD, import Azure AD, sync AD, sync Azure AD, export
/// (not in staging mode). Initial (full) profiles until both connectors have a watermark.
/// A step's error does not stop the cycle (since 1.1.484); an unavailable server does.
pub(crate) async fn run_cycle(shared: &Rc<Shared>, id: &ServerId) -> Vec<RunRecord> {
    let host = host_of(&shared.state.borrow(), id);
    let lock = shared.lock_for(&host);
    let _guard = lock.lock().await;
    let (full, staging) = {
        let mut st = shared.state.borrow_mut();
        let staging = is_staging(&st, id);
        let full = engine_mut(&mut st, id)
            .map(|e| e.ad_watermark.is_none() || e.aad_watermark.is_none())
            .unwrap_or(true);
        (full, staging)
    };
    let (import, sync) = if full {
        (RunProfile::FullImport, RunProfile::FullSynchronization)
    } else {
        (RunProfile::DeltaImport, RunProfile::DeltaSynchronization)
    };
    let mut steps = vec![
        (Connector::ActiveDirectory, import),
        (Connector::AzureAd, import),
        (Connector::ActiveDirectory, sync),
        (Connector::AzureAd, sync),
    ];
    if !staging {
        steps.push((Connector::AzureAd, RunProfile::Export));
    }
    let mut out = Vec::new();
    for (connector, profile) in steps {
        match run_profile_locked(shared, id, connector, profile).await {
            Ok(r) => {
                let down = r.status == RunStatus::StoppedServerDown;
                out.push(r);
                if down {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    out
}
