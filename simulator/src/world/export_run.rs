//! The Export run profile on the Azure AD connector inside the world: staging mode (never
//! exports), accidental-delete prevention (event 116), the tenant-wide write throttle, the
//! quota stop, the 5,000-error limit, and the ledger entries of every export that ran.
//!
//! It must not know the engine's orchestration: `runs` calls in here.

use super::Shared;
use super::runs::{
    RUN_ERRORS_KEPT, ServerId, client_of, engine_mut, engine_mut_split, is_staging, not_installed,
    record, spend,
};
use crate::faults::{SERVER_DOWN_TEXT, THROTTLED_TEXT};
use crate::sync::SyncEngine;
use crate::sync::export::{ExportPlan, WriteResult, deletes_withheld_text, event_116_text};
use crate::tenant::Tenant;
use crate::tenant::ledger::ExportRecord;
use crate::tenant::matching::QUOTA_EXCEEDED;
use std::rc::Rc;
use upgrade_engine::ports::PortError;
use upgrade_lab_model::constants::RUN_ERROR_LIMIT;
use upgrade_lab_model::{
    Connector, ExportOperation, ImmutableId, RunProfile, RunRecord, RunStats, RunStatus,
    SimDuration, SimTime,
};

/// The Export run profile on the Azure AD connector.
pub(crate) async fn export(
    shared: &Rc<Shared>,
    id: &ServerId,
    host: &str,
    started: SimTime,
) -> Result<RunRecord, PortError> {
    let (connector, profile) = (Connector::AzureAd, RunProfile::Export);
    let (staging, overhead) = {
        let st = shared.state.borrow();
        (is_staging(&st, id), SimDuration(st.timing.run_overhead_ms))
    };
    if staging {
        // Staging mode: export is disabled, nothing reaches Azure AD (§3).
        let _ = spend(shared, host, started, overhead).await;
        return Ok(record(
            shared,
            id,
            (connector, profile, started),
            RunStatus::CompletedNoObjects,
            RunStats::default(),
            vec!["staging mode is enabled: nothing was exported to Azure AD".into()],
        ));
    }
    let (plan, end) = {
        let mut st = shared.state.borrow_mut();
        let timing = st.timing.clone();
        let Some(engine) = engine_mut(&mut st, id) else {
            return Err(not_installed(host));
        };
        let plan = engine.plan_export();
        let writes = match &plan {
            ExportPlan::Ready(items) | ExportPlan::DeletesWithheld { items, .. } => {
                items.len() as u64
            }
            ExportPlan::DeletionThresholdExceeded { .. } => 0,
        };
        let begin = started.0 + timing.run_overhead_ms;
        let end = st
            .tenant
            .throttle
            .reserve(begin, writes, timing.export_ms_per_write);
        (plan, SimTime(end))
    };
    if spend(shared, host, started, end - started).await.is_err() {
        return Ok(record(
            shared,
            id,
            (connector, profile, started),
            RunStatus::StoppedServerDown,
            RunStats::default(),
            vec![SERVER_DOWN_TEXT.into()],
        ));
    }
    let (items, withheld) = match plan {
        ExportPlan::DeletionThresholdExceeded { deletes, threshold } => {
            return Ok(record(
                shared,
                id,
                (connector, profile, started),
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
    let now = shared.now();
    let mut guard = shared.state.borrow_mut();
    let st = &mut *guard;
    let client = client_of(st, id);
    let throttled = st.faults.throttling(now);
    let skip_deletes = matches!(id, ServerId::Connect(_))
        && st.planted_bug == Some(super::PlantedBug::SkipDeleteExports);
    let Some(engine) = engine_mut_split(&mut st.dirsync, &mut st.connects, id) else {
        return Err(not_installed(host));
    };
    let ExportOutcome {
        stats,
        mut errors,
        mut status,
        accepted,
    } = apply_export(engine, &mut st.tenant, &items, (throttled, skip_deletes));
    if let Some(text) = withheld {
        errors.insert(0, text);
        if status.is_clean() {
            status = RunStatus::StoppedDeletionThresholdExceeded;
        }
    }
    let covers = engine_mut(st, id).map(|engine| engine.last_ad_import_started);
    if let Some(Some(covers)) = covers {
        let host = host.to_string();
        st.tenant
            .ledger
            .export_runs
            .push(crate::tenant::ledger::ExportRunMark {
                host,
                covers_changes_until: covers,
                ended: now,
            });
    }
    if let Some(client) = client
        && !items.is_empty()
    {
        st.tenant.ledger.exports.push(ExportRecord {
            client,
            started,
            ended: now,
            adds: stats.adds,
            updates: stats.updates,
            deletes: stats.deletes,
            errors: stats.errors,
            objects: accepted,
        });
    }
    drop(guard);
    Ok(record(
        shared,
        id,
        (connector, profile, started),
        status,
        stats,
        errors,
    ))
}

/// What an export run did.
pub(crate) struct ExportOutcome {
    pub stats: RunStats,
    pub errors: Vec<String>,
    pub status: RunStatus,
    /// Each accepted write, for the ledger.
    pub accepted: Vec<(ImmutableId, ExportOperation)>,
}

/// Sends the planned writes to the tenant: counts, the first errors with their names, the
/// quota stop and the 5,000-error limit (§2.7). `skip_deletes` is a planted bug: deletes stay
/// pending and the run reports success.
pub(crate) fn apply_export(
    engine: &mut SyncEngine,
    tenant: &mut Tenant,
    items: &[u32],
    (throttled, skip_deletes): (bool, bool),
) -> ExportOutcome {
    let mut stats = RunStats::default();
    let mut errors = Vec::new();
    let mut accepted = Vec::with_capacity(items.len());
    let mut status = RunStatus::Success;
    engine.apply_export(items, |operation, anchor, kind, image| {
        if skip_deletes && operation == ExportOperation::Delete {
            let result = Err("PlantedBugSkippedDelete");
            return WriteResult {
                result,
                stop: false,
            };
        }
        let result = if throttled {
            Err("Throttled")
        } else {
            tenant.apply_write(operation, anchor, kind, image)
        };
        let mut stop = false;
        match result {
            Ok(()) => {
                match operation {
                    ExportOperation::Add => stats.adds += 1,
                    ExportOperation::Update => stats.updates += 1,
                    ExportOperation::Delete => stats.deletes += 1,
                }
                accepted.push((anchor.clone(), operation));
            }
            Err(name) => {
                stats.errors += 1;
                if errors.len() < RUN_ERRORS_KEPT {
                    let text = if name == "Throttled" {
                        THROTTLED_TEXT
                    } else {
                        name
                    };
                    errors.push(format!("{text}: {anchor}"));
                }
                if name == QUOTA_EXCEEDED {
                    status = RunStatus::StoppedQuotaExceeded;
                    errors.push(QUOTA_TEXT.into());
                    stop = true;
                } else if stats.errors > u64::from(RUN_ERROR_LIMIT) {
                    status = RunStatus::StoppedErrorLimit;
                    stop = true;
                }
            }
        }
        WriteResult { result, stop }
    });
    if status == RunStatus::Success {
        status = if stats.errors > 0 {
            RunStatus::CompletedExportErrors
        } else if items.is_empty() {
            RunStatus::CompletedNoObjects
        } else {
            RunStatus::Success
        };
    }
    ExportOutcome {
        stats,
        errors,
        status,
        accepted,
    }
}

/// The words of the quota e-mail (B-QUOTA).
const QUOTA_TEXT: &str = "Synchronization has been stopped. The company has exceeded the \
    number of objects that can be synchronized.";
