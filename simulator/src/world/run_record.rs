//! What the run profiles of a server share, whichever profile runs: which server (`ServerId`),
//! its sync engine and export client, the modelled time a run spends (a crash can cut it
//! short), and the run records with their fault hits. `runs.rs` (imports and
//! synchronizations) and `export_run.rs` (exports) both build on it.

use super::{Shared, WorldState, host_key};
use crate::faults::{FaultHit, FaultId, RunPhase};
use crate::sync::SyncEngine;
use crate::tenant::ledger::{ExportClient, Product};
use std::rc::Rc;
use upgrade_lab_engine::ports::{PortError, PortErrorKind};
use upgrade_lab_model::{
    Connector, RunProfile, RunRecord, RunStats, RunStatus, SimDuration, SimTime,
};

/// Which server a run is on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerId {
    /// The DirSync server (there is one per world).
    DirSync,
    /// An Azure AD Connect server by host name.
    Connect(String),
}

/// Errors kept in a run record (the first ones, as the Operations tab lists them).
pub(crate) const RUN_ERRORS_KEPT: usize = 20;

pub(crate) fn host_of(st: &WorldState, id: &ServerId) -> String {
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
    if let Some((fault, t)) = crash {
        tokio::time::sleep_until(shared.instant(t)).await;
        Err(fault)
    } else {
        tokio::time::sleep_until(shared.instant(end)).await;
        Ok(())
    }
}

/// Starts, at `at`, the crashes of `host` tied to `phase` of its run sequence; whether one
/// started.
pub(crate) fn crash_point(shared: &Shared, host: &str, phase: RunPhase, at: SimTime) -> bool {
    shared.state.borrow_mut().faults.on_phase(host, phase, at)
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

/// Logs one finished run profile at `debug`, stamped with its simulated end, under the target
/// users filter run profiles by (`RUST_LOG=upgrade_lab_simulator::world::runs=debug`).
fn log_run(host: &str, rec: &RunRecord) {
    tracing::debug!(
        target: "upgrade_lab_simulator::world::runs",
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
