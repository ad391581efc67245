//! The Export run profile on the Azure AD connector inside the world: staging mode (never
//! exports), accidental-delete prevention (event 116), the tenant-wide write throttle, the
//! quota stop, the 5,000-error limit, and the ledger entries of every export that ran.
//!
//! It must not know the engine's orchestration: `runs` calls in here.

use super::run_record::{
    RUN_ERRORS_KEPT, ServerId, client_of, crash_point, engine_mut, engine_mut_split, is_staging,
    not_installed, record, record_stopped, record_stopped_with, spend,
};
use super::{Shared, WorldState};
use crate::faults::{FaultHit, FaultId, RunPhase, SERVER_DOWN_TEXT, THROTTLED_TEXT};
use crate::sync::SyncEngine;
use crate::sync::export::{ExportPlan, WriteResult, deletes_withheld_text, event_116_text};
use crate::tenant::Tenant;
use crate::tenant::bulk::PlannedWrite;
use crate::tenant::ledger::ExportRecord;
use crate::tenant::matching::QUOTA_EXCEEDED;
use crate::tenant::throttle::Reservation;
use std::rc::Rc;
use upgrade_lab_engine::ports::PortError;
use upgrade_lab_model::constants::{
    CONNECT_GROUP_MEMBER_LIMIT_MEMBERS, DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS,
    GROUP_MEMBER_LIMIT_ERROR, RUN_ERROR_LIMIT,
};
use upgrade_lab_model::validate::over_group_member_limit;
use upgrade_lab_model::{
    Connector, ExportOperation, ImmutableId, ObjectKind, RunProfile, RunRecord, RunStats,
    RunStatus, SimDuration, SimTime,
};

/// The Export run profile on the Azure AD connector.
pub(crate) async fn export(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    started: SimTime,
) -> Result<RunRecord, PortError> {
    let (staging, overhead) = {
        let st = shared.state.borrow();
        (is_staging(&st, id), SimDuration(st.timing.run_overhead_ms))
    };
    if staging {
        // Staging mode: export is disabled, nothing reaches Azure AD
        // (docs/real-systems.md, "Staging mode").
        let _ = spend(shared, host, started, overhead).await;
        return Ok(record(
            shared,
            id,
            (Connector::AzureAd, RunProfile::Export, started),
            RunStatus::CompletedNoObjects,
            RunStats::default(),
            vec!["staging mode is enabled: nothing was exported to Azure AD".into()],
        ));
    }
    replay_interrupted(shared, id, host, started);
    let (plan, end, throttled) = plan_export(shared, id, host, started)?;
    let begin = SimTime(started.0 + overhead.0);
    if planned_writes(&plan) > 0 {
        // Halfway through the writes (the run's end is past its overhead).
        let mid = SimTime(begin.0 + (end.0.saturating_sub(begin.0)) / 2);
        crash_point(shared, host, RunPhase::DuringExport, mid);
    }
    if let Err(crash) = spend(shared, host, started, end - started).await {
        return Ok(crashed_export(
            shared,
            (id, host),
            crash,
            (started, begin, end),
            plan,
            &throttled,
        ));
    }
    let (items, withheld) = match plan {
        ExportPlan::DeletionThresholdExceeded { deletes, threshold } => {
            return Ok(record(
                shared,
                id,
                (Connector::AzureAd, RunProfile::Export, started),
                RunStatus::StoppedDeletionThresholdExceeded,
                RunStats::default(),
                vec![event_116_text(deletes, threshold)],
            ));
        }
        ExportPlan::Ready(items) => (items, None),
        ExportPlan::DeletesWithheld {
            items,
            deletes,
            threshold,
        } => (items, Some(deletes_withheld_text(deletes, threshold))),
    };
    finish_export(shared, (id, host), started, &items, withheld, &throttled)
}

/// The export's plan, booked with the tenant's throttle from the end of the run's overhead:
/// the plan, when its last write lands and how the throttle took the writes.
fn plan_export(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    started: SimTime,
) -> Result<(ExportPlan, SimTime, Throttled), PortError> {
    let mut st = shared.state.borrow_mut();
    let st = &mut *st;
    let timing = st.timing.clone();
    let Some(engine) = engine_mut_split(&mut st.dirsync, &mut st.connects, id) else {
        return Err(not_installed(host));
    };
    let plan = engine.plan_export();
    let writes = planned_writes(&plan) as u64;
    let begin = started.0 + timing.run_overhead_ms;
    let t = book_writes(st, begin, writes, timing.export_ms_per_write);
    Ok((plan, SimTime(t.reservation.end_ms), t))
}

/// An export that ran to its end: the admitted writes applied to the tenant, the run marked
/// in the ledger (what AD import it covers) and its writes recorded.
fn finish_export(
    shared: &Rc<Shared>,
    (id, host): (&ServerId, &str),
    started: SimTime,
    items: &[u32],
    withheld: Option<String>,
    throttled: &Throttled,
) -> Result<RunRecord, PortError> {
    let now = shared.now();
    let mut guard = shared.state.borrow_mut();
    let st = &mut *guard;
    let client = client_of(st, id);
    throttled.record_hits(st, host, now);
    let skip_deletes = matches!(id, ServerId::Connect(_))
        && st.planted_bug == Some(super::PlantedBug::SkipDeleteExports);
    let Some(engine) = engine_mut_split(&mut st.dirsync, &mut st.connects, id) else {
        return Err(not_installed(host));
    };
    let limits = WriteLimits {
        admitted: throttled.reservation.admitted,
        group_member_limit: group_member_limit(id),
        skip_deletes,
    };
    let mut out = apply_export(engine, &mut st.tenant, items, limits);
    if let Some(text) = withheld {
        out.errors.insert(0, text);
        if out.status.is_clean() {
            out.status = RunStatus::StoppedDeletionThresholdExceeded;
        }
    }
    let covers = engine_mut(st, id).map(|engine| engine.last_ad_import_started);
    if let Some(Some(covers)) = covers {
        st.tenant
            .ledger
            .export_runs
            .push(crate::tenant::ledger::ExportRunMark {
                host: host.to_string(),
                covers_changes_until: covers,
                ended: now,
            });
    }
    if let Some(client) = client
        && !items.is_empty()
    {
        ledger_export(st, client, (started, now), &mut out);
    }
    drop(guard);
    Ok(record(
        shared,
        id,
        (Connector::AzureAd, RunProfile::Export, started),
        out.status,
        out.stats,
        out.errors,
    ))
}

/// Records an export's writes in the ledger (its accepted and repeated writes move there).
fn ledger_export(
    st: &mut WorldState,
    client: crate::tenant::ledger::ExportClient,
    (started, ended): (SimTime, SimTime),
    out: &mut ExportOutcome,
) {
    st.tenant.ledger.record_export(ExportRecord {
        client,
        started,
        ended,
        adds: out.stats.adds,
        updates: out.stats.updates,
        deletes: out.stats.deletes,
        errors: out.stats.errors,
        objects: std::mem::take(&mut out.accepted),
        repeated: std::mem::take(&mut out.repeated),
    });
}

/// The writes an export plan sends.
fn planned_writes(plan: &ExportPlan) -> usize {
    match plan {
        ExportPlan::Ready(items) | ExportPlan::DeletesWithheld { items, .. } => items.len(),
        ExportPlan::DeletionThresholdExceeded { .. } => 0,
    }
}

/// An export the host's crash stopped now: the writes the throttle had let through by now
/// (in plan order, each recorded in the export memory as it was written) reached the tenant;
/// the rest stay pending for the next export. The run ends `stopped-server-down` with the
/// counts of what it wrote.
fn crashed_export(
    shared: &Rc<Shared>,
    (id, host): (&ServerId, &str),
    crash: FaultId,
    (started, begin, end): (SimTime, SimTime, SimTime),
    plan: ExportPlan,
    throttled: &Throttled,
) -> RunRecord {
    let now = shared.now();
    let items = match plan {
        ExportPlan::Ready(items) | ExportPlan::DeletesWithheld { items, .. } => items,
        ExportPlan::DeletionThresholdExceeded { .. } => Vec::new(),
    };
    let admitted = throttled.reservation.admitted.min(items.len() as u64);
    let done = writes_done(now, (begin, end), admitted);
    let written = &items[..done.min(items.len())];
    let mut guard = shared.state.borrow_mut();
    let st = &mut *guard;
    let client = client_of(st, id);
    let bug = st.planted_bug;
    let Some(engine) = engine_mut_split(&mut st.dirsync, &mut st.connects, id) else {
        drop(guard);
        return record_stopped(
            shared,
            id,
            crash,
            (Connector::AzureAd, RunProfile::Export, started),
            RunStatus::StoppedServerDown,
            vec![SERVER_DOWN_TEXT.into()],
        );
    };
    if bug == Some(super::PlantedBug::ReplayInterruptedExport) {
        let replay = replay_writes(engine, written);
        st.interrupted_exports.insert(host.to_string(), replay);
    }
    let limits = WriteLimits {
        admitted: written.len() as u64,
        group_member_limit: group_member_limit(id),
        skip_deletes: false,
    };
    let mut out = apply_export(engine, &mut st.tenant, written, limits);
    if let Some(client) = client
        && !out.accepted.is_empty()
    {
        ledger_export(st, client, (started, now), &mut out);
    }
    drop(guard);
    let mut errors = out.errors;
    errors.insert(0, SERVER_DOWN_TEXT.into());
    record_stopped_with(
        shared,
        id,
        crash,
        (Connector::AzureAd, RunProfile::Export, started),
        (RunStatus::StoppedServerDown, out.stats),
        errors,
    )
}

/// Writes done by `now` of `admitted` spread evenly over `begin..end` (the throttle's
/// windows are not replayed write by write).
fn writes_done(now: SimTime, (begin, end): (SimTime, SimTime), admitted: u64) -> usize {
    let span = end.0.saturating_sub(begin.0);
    match now.0.checked_sub(begin.0) {
        Some(spent) if span > 0 => {
            (u128::from(admitted) * u128::from(spent.min(span)) / u128::from(span)) as usize
        }
        _ => 0,
    }
}

/// A write as it was sent, kept to replay it (the planted bug only).
#[derive(Clone, Debug)]
pub(crate) struct ReplayWrite {
    operation: ExportOperation,
    anchor: ImmutableId,
    kind: ObjectKind,
    image: crate::sync::connector_space::AadImage,
}

fn replay_writes(engine: &SyncEngine, items: &[u32]) -> Vec<ReplayWrite> {
    items
        .iter()
        .filter_map(|&i| {
            let cs = engine.aad_cs.get(i)?;
            let e = cs.export.as_ref()?;
            Some(ReplayWrite {
                operation: e.operation,
                anchor: cs.anchor.clone(),
                kind: cs.kind,
                image: e.image.clone(),
            })
        })
        .collect()
}

/// **Planted bug** (`ReplayInterruptedExport`): the next export after a crash first sends
/// again every write the interrupted export had made, from its first item.
fn replay_interrupted(shared: &Rc<Shared>, id: &ServerId, host: &str, started: SimTime) {
    let mut guard = shared.state.borrow_mut();
    let st = &mut *guard;
    let Some(writes) = st.interrupted_exports.remove(host) else {
        return;
    };
    let Some(client) = client_of(st, id) else {
        return;
    };
    let mut record = ExportRecord {
        client,
        started,
        ended: started,
        adds: 0,
        updates: 0,
        deletes: 0,
        errors: 0,
        objects: Vec::new(),
        repeated: Vec::new(),
    };
    for w in writes {
        let unchanged = st.tenant.holds(w.operation, &w.anchor, &w.image);
        if st
            .tenant
            .apply_write(w.operation, &w.anchor, w.kind, &w.image)
            .is_ok()
        {
            match w.operation {
                ExportOperation::Add => record.adds += 1,
                ExportOperation::Update => record.updates += 1,
                ExportOperation::Delete => record.deletes += 1,
            }
            if unchanged {
                record.repeated.push(w.anchor.clone());
            }
            record.objects.push((w.anchor, w.operation));
        }
    }
    if !record.objects.is_empty() {
        st.tenant.ledger.record_export(record);
    }
}

/// What an export run did.
pub(crate) struct ExportOutcome {
    pub(crate) stats: RunStats,
    pub(crate) errors: Vec<String>,
    pub(crate) status: RunStatus,
    /// Each accepted write, for the ledger.
    pub(crate) accepted: Vec<(ImmutableId, ExportOperation)>,
    /// Accepted writes that changed nothing: the tenant held them already (`Tenant::holds`).
    pub(crate) repeated: Vec<ImmutableId>,
}

/// How the tenant's throttle took an export's writes, and the throttling faults that shaped it.
struct Throttled {
    reservation: Reservation,
    writes: u64,
    /// The end without the faults.
    plain_end_ms: u64,
    faults: Vec<FaultId>,
}

impl Throttled {
    /// Records the export on each throttling fault that delayed or refused its writes.
    fn record_hits(&self, st: &WorldState, host: &str, at: SimTime) {
        let r = self.reservation;
        let refused = self.writes - r.admitted;
        let extra = r.end_ms.saturating_sub(self.plain_end_ms);
        if refused == 0 && r.retries == 0 && extra == 0 {
            return;
        }
        for &fault in &self.faults {
            st.faults.hit(
                fault,
                FaultHit::Export {
                    at,
                    host: host.to_string(),
                    objects: self.writes,
                    refused,
                    retries: r.retries,
                    extra: SimDuration(extra),
                },
            );
        }
    }
}

/// Books `writes` from `begin` on the tenant's throttle, around the throttling faults that
/// overlap the export.
fn book_writes(st: &mut WorldState, begin: u64, writes: u64, ms_per_write: u64) -> Throttled {
    let plain_end_ms = st
        .tenant
        .throttle
        .clone()
        .reserve(begin, writes, ms_per_write);
    let blocks = if writes == 0 {
        Vec::new()
    } else {
        // A block that starts during the export delays the export, which can then meet a
        // later block: look until the end of time.
        st.faults
            .throttling_between(SimTime(begin), SimTime(u64::MAX))
    };
    let blocked: Vec<(u64, Option<u64>)> = blocks
        .iter()
        .map(|(_, f, u)| (f.0, u.map(|u| u.0)))
        .collect();
    let reservation = st
        .tenant
        .throttle
        .reserve_around(begin, writes, ms_per_write, &blocked);
    let faults = blocks
        .iter()
        .filter(|(_, f, _)| f.0 < reservation.end_ms.max(begin + 1))
        .map(|(i, _, _)| *i)
        .collect();
    Throttled {
        reservation,
        writes,
        plain_end_ms,
        faults,
    }
}

/// What an export run may write.
#[derive(Clone, Copy)]
pub(crate) struct WriteLimits {
    /// Writes the tenant admits before it throttles the rest.
    pub(crate) admitted: u64,
    /// Groups with this many members or more are refused (the product's rule).
    pub(crate) group_member_limit: usize,
    /// A planted bug (tests of the verdicts only): deletes stay pending, the run reports success.
    pub(crate) skip_deletes: bool,
}

/// Sends the planned writes to the tenant: counts, the first errors with their names, the
/// quota stop and the 5,000-error limit (docs/real-systems.md, "The sync engine"), within `limits`.
pub(crate) fn apply_export(
    engine: &mut SyncEngine,
    tenant: &mut Tenant,
    items: &[u32],
    limits: WriteLimits,
) -> ExportOutcome {
    let mut out = ExportOutcome {
        stats: RunStats::default(),
        errors: Vec::new(),
        status: RunStatus::Success,
        accepted: Vec::with_capacity(items.len()),
        repeated: Vec::new(),
    };
    let mut sent = 0u64;
    let planned = |k: usize| planned_write(engine, items[k]);
    let mut bulk = tenant.plan_bulk_adds(items.len(), planned);
    let mut k = 0usize;
    engine.apply_export(items, |operation, anchor, kind, image| {
        k += 1;
        if limits.skip_deletes && operation == ExportOperation::Delete {
            let result = Err("PlantedBugSkippedDelete");
            return WriteResult {
                result,
                stop: false,
            };
        }
        sent += 1;
        let mut unchanged = false;
        let result = if sent > limits.admitted {
            Err("Throttled")
        } else if over_limit(operation, kind, image, limits.group_member_limit) {
            Err(GROUP_MEMBER_LIMIT_ERROR)
        } else {
            let (result, held) =
                tenant.apply_planned(&mut bulk, k - 1, operation, anchor, kind, image);
            unchanged = held;
            result
        };
        let stop = match result {
            Ok(()) => {
                out.accept(operation, anchor, unchanged);
                false
            }
            Err(name) => out.refuse(name, anchor),
        };
        WriteResult { result, stop }
    });
    tenant.finish_bulk_adds(bulk);
    if out.status == RunStatus::Success {
        out.status = if out.stats.errors > 0 {
            RunStatus::CompletedExportErrors
        } else if items.is_empty() {
            RunStatus::CompletedNoObjects
        } else {
            RunStatus::Success
        };
    }
    out
}

/// The write `SyncEngine::apply_export` will send for export-plan item `i`: every item of a
/// plan has a pending export (`SyncEngine::plan_export`).
fn planned_write(engine: &SyncEngine, i: u32) -> PlannedWrite<'_> {
    let cs = engine
        .aad_cs
        .get(i)
        .expect("an export plan names Azure AD connector-space objects");
    let e = cs
        .export
        .as_ref()
        .expect("an export plan names objects with a pending export");
    PlannedWrite {
        operation: e.operation,
        anchor: &cs.anchor,
        kind: cs.kind,
        image: &e.image,
    }
}

impl ExportOutcome {
    /// A write the tenant accepted (`unchanged`: it already held exactly those values).
    fn accept(&mut self, operation: ExportOperation, anchor: &ImmutableId, unchanged: bool) {
        match operation {
            ExportOperation::Add => self.stats.adds += 1,
            ExportOperation::Update => self.stats.updates += 1,
            ExportOperation::Delete => self.stats.deletes += 1,
        }
        if unchanged {
            self.repeated.push(anchor.clone());
        }
        self.accepted.push((anchor.clone(), operation));
    }

    /// A write refused with the error `name`; true when the run must stop (the tenant's
    /// quota, or more errors than a run allows).
    fn refuse(&mut self, name: &str, anchor: &ImmutableId) -> bool {
        self.stats.errors += 1;
        if self.errors.len() < RUN_ERRORS_KEPT {
            let text = if name == "Throttled" {
                THROTTLED_TEXT
            } else {
                name
            };
            self.errors.push(format!("{text}: {anchor}"));
        }
        if name == QUOTA_EXCEEDED {
            self.status = RunStatus::StoppedQuotaExceeded;
            self.errors.push(QUOTA_TEXT.into());
            true
        } else if self.stats.errors > u64::from(RUN_ERROR_LIMIT) {
            self.status = RunStatus::StoppedErrorLimit;
            true
        } else {
            false
        }
    }
}

/// A group the exporting product's outbound rule does not provision: too many members.
fn over_limit(
    operation: ExportOperation,
    kind: ObjectKind,
    image: &crate::sync::connector_space::AadImage,
    limit_members: usize,
) -> bool {
    operation != ExportOperation::Delete
        && kind == ObjectKind::Group
        && over_group_member_limit(image.attrs.member.len(), limit_members)
}

/// The member limit of the group rule of the product exporting from `id`.
pub(crate) fn group_member_limit(id: &ServerId) -> usize {
    match id {
        ServerId::DirSync => DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS,
        ServerId::Connect(_) => CONNECT_GROUP_MEMBER_LIMIT_MEMBERS,
    }
}

/// The words of DirSync's quota e-mail
/// (docs/real-systems.md, "Export errors, quota and throttling").
const QUOTA_TEXT: &str = "Synchronization has been stopped. The company has exceeded the \
    number of objects that can be synchronized.";
