//! Running run profiles and cycles on a server inside the world: availability checks (server
//! down, SQL down, not installed), faults that stop a run at its start (`no-start-credentials`
//! with event 6000, `stopped-connectivity` with the proxy's or network's words), the modelled
//! time between reading and committing, crashes in the middle of a run (`stopped-server-down`),
//! staging mode (never exports), the Azure AD throttle and the 5,000-error limit.
//!
//! It must not know the engine's orchestration: ports and schedulers call in here.

pub use super::run_record::ServerId;
use super::run_record::{
    crash_point, engine_mut, engine_mut_split, host_of, is_staging, not_installed, record,
    record_stopped, spend,
};
use super::{Shared, WorldState, host_key};
use crate::faults::{
    FaultHit, FaultId, RunPhase, SERVER_DOWN_TEXT, SQL_DOWN_TEXT, event_6000_text,
};
use crate::sync::SyncEngine;
use std::rc::Rc;
use upgrade_lab_engine::ports::{PortError, PortErrorKind};
use upgrade_lab_model::constants::LOCALDB_MAX_OBJECTS;
use upgrade_lab_model::{
    Connector, RunProfile, RunRecord, RunStats, RunStatus, SimDuration, SimTime,
};

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
        );
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
    use RunProfile::{DeltaImport, DeltaSynchronization, Export, FullImport, FullSynchronization};
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
    let run = (connector, profile, started);
    if let Some((fault, status, text)) = failure {
        if let Err(stopped) = spend_or_crash(shared, id, &host, run, overhead).await {
            return Ok(stopped);
        }
        return Ok(record_stopped(shared, id, fault, run, status, vec![text]));
    }
    match (connector, profile) {
        (Connector::ActiveDirectory, Export) => {
            // No writeback is configured: the AD connector has nothing to export.
            let _ = spend(shared, &host, started, overhead).await;
            let empty = (RunStatus::CompletedNoObjects, RunStats::default());
            Ok(record(shared, id, run, empty.0, empty.1, Vec::new()))
        }
        (Connector::AzureAd, Export) => super::export_run::export(shared, id, &host, started).await,
        (Connector::ActiveDirectory, FullImport | DeltaImport) => {
            ad_import(shared, id, &host, run).await
        }
        (Connector::AzureAd, FullImport | DeltaImport) => aad_import(shared, id, &host, run).await,
        (_, FullSynchronization | DeltaSynchronization) => {
            synchronize(shared, id, &host, run).await
        }
    }
}

/// A run: its connector, profile and start.
type Run = (Connector, RunProfile, SimTime);

/// Waits `duration` from the run's start; `Err(the run the crash stopped)` when the host
/// crashes first (a run in progress ends `stopped-server-down`).
async fn spend_or_crash(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    run: Run,
    duration: SimDuration,
) -> Result<(), RunRecord> {
    spend(shared, host, run.2, duration)
        .await
        .map_err(|crash| crashed(shared, id, crash, run))
}

/// A full or delta import of the AD connector; SQL Express / LocalDB stops it when the
/// connector space would outgrow the database.
async fn ad_import(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    run: Run,
) -> Result<RunRecord, PortError> {
    let full = run.1 == RunProfile::FullImport;
    let (plan, duration, disk_full) = {
        let mut st = shared.state.borrow_mut();
        let st = &mut *st;
        let timing = st.timing.clone();
        let local_db = uses_local_db(st, id);
        let ad = &st.ad;
        let engine = engine_mut_split(&mut st.dirsync, &mut st.connects, id);
        let Some(engine) = engine else {
            return Err(not_installed(host));
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
    if disk_full {
        if let Err(stopped) = spend_or_crash(shared, id, host, run, duration).await {
            return Ok(stopped);
        }
        let status = RunStatus::StoppedDatabaseDiskFull;
        let errors = vec![DISK_FULL_TEXT.into()];
        return Ok(record(shared, id, run, status, RunStats::default(), errors));
    }
    let done = spend_then_commit(shared, (id, host), run, duration, |e, _| {
        e.last_ad_import_started = Some(run.2);
        e.commit_ad_import(plan)
    });
    Ok(done.await.unwrap_or_else(|stopped| stopped))
}

/// A full or delta import of the Azure AD connector (full when it never imported); a crash
/// can be planted right after it.
async fn aad_import(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    run: Run,
) -> Result<RunRecord, PortError> {
    let profile = run.1;
    let (plan, duration) = {
        let mut st = shared.state.borrow_mut();
        let timing = st.timing.clone();
        let Some(engine) = engine_mut(&mut st, id) else {
            return Err(not_installed(host));
        };
        let full = profile == RunProfile::FullImport || engine.aad_watermark.is_none();
        let after = if full { None } else { engine.aad_watermark };
        let (items, watermark) = st.tenant.read_for_import(after);
        let cost = if full {
            timing.full_import_aad_ms_per_object
        } else {
            timing.delta_import_aad_ms_per_change
        };
        let d = timing.run(items.len() as u64, cost);
        let plan = crate::sync::run_profiles::AadImportPlan {
            full,
            items,
            watermark,
        };
        (plan, d)
    };
    let done = spend_then_commit(shared, (id, host), run, duration, |e, _| {
        e.commit_aad_import(plan)
    });
    let rec = match done.await {
        Ok(rec) => rec,
        Err(stopped) => return Ok(stopped),
    };
    if crash_point(shared, host, RunPhase::AfterImport, shared.now()) {
        planted_restart_loses_staged_imports(shared, id);
    }
    Ok(rec)
}

/// A full or delta synchronization of either connector; a crash can be planted after the
/// Azure AD connector's.
async fn synchronize(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    run: Run,
) -> Result<RunRecord, PortError> {
    let (connector, profile, _) = run;
    let full = profile == RunProfile::FullSynchronization;
    let duration = {
        let mut st = shared.state.borrow_mut();
        let timing = st.timing.clone();
        let Some(engine) = engine_mut(&mut st, id) else {
            return Err(not_installed(host));
        };
        let (objects, cost) = match (connector, full) {
            (Connector::ActiveDirectory, true) => {
                (engine.ad_cs.len(), timing.full_sync_ad_ms_per_object)
            }
            (Connector::ActiveDirectory, false) => {
                (engine.ad_pending.len(), timing.delta_sync_ad_ms_per_object)
            }
            (Connector::AzureAd, true) => (engine.aad_cs.len(), timing.full_sync_aad_ms_per_object),
            (Connector::AzureAd, false) => (
                engine.aad_pending.len(),
                timing.delta_sync_aad_ms_per_object,
            ),
        };
        timing.run(objects as u64, cost)
    };
    let done = spend_then_commit(shared, (id, host), run, duration, |e, ad| match connector {
        Connector::ActiveDirectory => e.sync_ad(ad, full),
        Connector::AzureAd => e.sync_aad(ad, full),
    });
    let rec = match done.await {
        Ok(rec) => rec,
        Err(stopped) => return Ok(stopped),
    };
    if connector == Connector::AzureAd {
        crash_point(shared, host, RunPhase::AfterSync, shared.now());
    }
    Ok(rec)
}

/// What every import and synchronization shares once it is planned: the run takes `duration`
/// (`Err(the stopped run)` when the host crashes first), then `commit` applies it to the
/// server's sync engine (reading AD as it is then) and the run is recorded.
async fn spend_then_commit(
    shared: &Rc<Shared>,
    (id, host): (&ServerId, &str),
    run: Run,
    duration: SimDuration,
    commit: impl FnOnce(&mut SyncEngine, &crate::ad::ActiveDirectory) -> RunStats,
) -> Result<RunRecord, RunRecord> {
    spend_or_crash(shared, id, host, run, duration).await?;
    let stats = {
        let mut st = shared.state.borrow_mut();
        let st = &mut *st;
        engine_mut_split(&mut st.dirsync, &mut st.connects, id)
            .map(|e| commit(e, &st.ad))
            .unwrap_or_default()
    };
    Ok(finish(shared, id, run, stats))
}

/// A run that ran to its end: `completed-no-objects` when it changed nothing.
fn finish(shared: &Rc<Shared>, id: &ServerId, run: Run, stats: RunStats) -> RunRecord {
    let nothing = stats.adds + stats.updates + stats.deletes + stats.projections + stats.joins == 0;
    let status = if nothing {
        RunStatus::CompletedNoObjects
    } else {
        RunStatus::Success
    };
    record(shared, id, run, status, stats, Vec::new())
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
            .is_none_or(|e| e.ad_watermark.is_none() || e.aad_watermark.is_none());
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
