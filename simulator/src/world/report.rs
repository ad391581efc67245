//! The ledger's verdicts for the scenario runner: who was an active exporter when, whether two
//! were active at once, whether DirSync exported after Connect had (a rollback), the sync gap,
//! installer re-runs and a shared SQL instance, and whether the tenant equals the directory as
//! the independent oracle (`crate::oracle`) defines it (docs/decisions.md,
//! "Who judges").
//!
//! It must not change the world: it reads the state and the ledger.

use super::WorldState;
pub use crate::oracle::TenantCheck;
use crate::oracle::{self, AttributeDiff, NAMED_OBJECTS, ObjectRef, WrongObject};
use crate::tenant::ledger::{Incident, Product};
use rustc_hash::FxHashMap;
use serde::Serialize;
use upgrade_lab_model::{RunProfile, RunStatus, SimDuration, SimTime, sync::Connector};

/// A span during which a server was an active exporter (`to = None`: still is). The span
/// follows the service's configuration (running, export enabled); a crash shows as missing
/// exports in the ledger, not as a gap here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExporterInterval {
    /// The host's canonical (upper-case) name.
    pub host: String,
    /// DirSync or Azure AD Connect.
    pub product: Product,
    /// When the server became an active exporter.
    pub from: SimTime,
    /// When it stopped being one (`None`: it still is).
    pub to: Option<SimTime>,
}

/// Something that must not happen, as the ledger saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Violation {
    /// Two servers were active exporters at the same time (active/active is unsupported:
    /// docs/real-systems.md, "Staging mode").
    TwoActiveExporters {
        /// Host name of the server that was the active exporter first.
        first: String,
        /// Host name of the server that became an active exporter while the first still was.
        second: String,
        /// Simulated time the overlap began.
        from: SimTime,
        /// Simulated time the overlap ended (or the end of the run).
        to: SimTime,
    },
    /// DirSync exported after Azure AD Connect had exported (a rollback, which the
    /// upgrade document forbids).
    RollbackToDirSync {
        /// Simulated time it happened.
        at: SimTime,
        /// Simulated time of Azure AD Connect's first export.
        connect_first_export: SimTime,
    },
    /// The Connect installer (MSI) was run again on an installed server (the upgrade document).
    InstallerRerun {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// A new server was installed on the SQL instance DirSync still uses.
    SharedSqlInstance {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
        /// The SQL instance both servers use, as the installer was given it.
        instance: String,
    },
    /// DirSync was uninstalled before the upgrade inspected it (the upgrade document).
    DirSyncUninstalledBeforeInspection {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// A configuration the upgrade cannot migrate was migrated anyway (the upgrade
    /// document).
    BlockedConfigurationMigrated {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
        /// Why DirSync's configuration blocks the upgrade, one line per reason.
        reasons: Vec<String>,
    },
    /// Once converged, in-scope AD objects without their tenant object.
    ObjectLost(Objects),
    /// Once converged, in-scope AD objects whose identity another live tenant object holds.
    ObjectDuplicated(Objects),
    /// Once converged, synced tenant objects without an in-scope source.
    ObjectOrphaned(Objects),
    /// Once converged, synced tenant objects with a wrong kind or wrong values.
    ObjectStale(WrongObjects),
    /// Cloud-only objects the sync should not have touched were changed.
    CloudObjectChanged(WrongObjects),
    /// A server's export wrote a change the tenant already held from that product's earlier
    /// write (the same object, operation and values): a change exported twice, e.g. an
    /// interrupted export replayed after a crash.
    ExportRepeated {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
        /// Writes repeated, over every export.
        count: u64,
        /// The first objects, by immutableId.
        objects: Vec<String>,
    },
}

/// The objects a tenant verdict names: the first [`NAMED_OBJECTS`] and how many there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Objects {
    /// How many objects the verdict concerns (all of them, named or not).
    pub count: u64,
    /// The first of them, by name.
    pub objects: Vec<ObjectRef>,
}

/// Objects with wrong values: the first [`NAMED_OBJECTS`] and how many there are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WrongObjects {
    /// How many objects the verdict concerns (all of them, named or not).
    pub count: u64,
    /// The first of them, with their wrong values.
    pub objects: Vec<WrongObject>,
}

impl Objects {
    fn of(all: &[ObjectRef]) -> Option<Self> {
        (!all.is_empty()).then(|| Self {
            count: all.len() as u64,
            objects: all.iter().take(NAMED_OBJECTS).cloned().collect(),
        })
    }
}

impl WrongObjects {
    fn of(all: &[WrongObject]) -> Option<Self> {
        (!all.is_empty()).then(|| Self {
            count: all.len() as u64,
            objects: all.iter().take(NAMED_OBJECTS).cloned().collect(),
        })
    }
}

impl Violation {
    /// When the violation happened (`None` for the tenant verdicts, a state at report time).
    pub fn at(&self) -> Option<SimTime> {
        match self {
            Violation::TwoActiveExporters { from, .. } => Some(*from),
            Violation::RollbackToDirSync { at, .. }
            | Violation::InstallerRerun { at, .. }
            | Violation::SharedSqlInstance { at, .. }
            | Violation::DirSyncUninstalledBeforeInspection { at, .. }
            | Violation::BlockedConfigurationMigrated { at, .. }
            | Violation::ExportRepeated { at, .. } => Some(*at),
            Violation::ObjectLost(_)
            | Violation::ObjectDuplicated(_)
            | Violation::ObjectOrphaned(_)
            | Violation::ObjectStale(_)
            | Violation::CloudObjectChanged(_) => None,
        }
    }

    /// The objects the violation names, each with its differences (empty for the others).
    pub fn objects(&self) -> Vec<(&ObjectRef, &[AttributeDiff])> {
        match self {
            Violation::ObjectLost(o)
            | Violation::ObjectDuplicated(o)
            | Violation::ObjectOrphaned(o) => o.objects.iter().map(|r| (r, &[][..])).collect(),
            Violation::ObjectStale(w) | Violation::CloudObjectChanged(w) => w
                .objects
                .iter()
                .map(|o| (&o.object, &o.differences[..]))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// How many objects the violation concerns (0 for the others).
    pub fn object_count(&self) -> u64 {
        match self {
            Violation::ObjectLost(o)
            | Violation::ObjectDuplicated(o)
            | Violation::ObjectOrphaned(o) => o.count,
            Violation::ObjectStale(w) | Violation::CloudObjectChanged(w) => w.count,
            _ => 0,
        }
    }
}

fn in_scope(n: u64) -> String {
    format!("{n} in-scope {}", if n == 1 { "object" } else { "objects" })
}

fn synced(n: u64) -> String {
    format!(
        "{n} synced tenant {}",
        if n == 1 { "object" } else { "objects" }
    )
}

/// One sentence per violation, for reports (the objects come from [`Violation::objects`]).
impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::TwoActiveExporters {
                first,
                second,
                from,
                to,
            } => write!(f, "{first} and {second} both exported from {from} to {to}"),
            Violation::RollbackToDirSync {
                at,
                connect_first_export,
            } => write!(
                f,
                "DirSync exported or was re-enabled at {at}, after Azure AD Connect first \
                 exported at {connect_first_export}"
            ),
            Violation::InstallerRerun { at, host } => {
                write!(
                    f,
                    "the Azure AD Connect installer ran again on {host} at {at}"
                )
            }
            Violation::SharedSqlInstance { at, host, instance } => write!(
                f,
                "{host} was installed at {at} on DirSync's SQL instance {instance}"
            ),
            Violation::DirSyncUninstalledBeforeInspection { at, host } => write!(
                f,
                "DirSync on {host} was uninstalled at {at} before the installer inspected it"
            ),
            Violation::BlockedConfigurationMigrated { at, host, reasons } => write!(
                f,
                "{host} was installed at {at} from a blocked configuration: {}",
                reasons.join("; ")
            ),
            Violation::ObjectLost(o) => {
                write!(f, "{} missing from the tenant", in_scope(o.count))
            }
            Violation::ObjectDuplicated(o) => write!(
                f,
                "{} whose identity another tenant object also holds",
                in_scope(o.count)
            ),
            Violation::ObjectOrphaned(o) => {
                write!(f, "{} without an in-scope source", synced(o.count))
            }
            Violation::ObjectStale(w) => {
                write!(f, "{} with a wrong kind or wrong values", synced(w.count))
            }
            Violation::ExportRepeated {
                at,
                host,
                count,
                objects,
            } => write_repeated(f, (host, *at), *count, objects),
            Violation::CloudObjectChanged(w) => {
                let n = w.count;
                let s = if n == 1 { "object" } else { "objects" };
                write!(
                    f,
                    "{n} cloud-only {s} changed, deleted or stamped by the sync"
                )
            }
        }
    }
}

/// The sentence of `ExportRepeated`.
fn write_repeated(
    f: &mut std::fmt::Formatter<'_>,
    (host, at): (&str, SimTime),
    count: u64,
    objects: &[String],
) -> std::fmt::Result {
    write!(
        f,
        "{host} exported {count} {} at {at} that the tenant already held from its \
         earlier write (first: {})",
        if count == 1 { "change" } else { "changes" },
        objects.join(", ")
    )
}

/// The report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerReport {
    /// The simulated time the report was built at.
    pub at: SimTime,
    /// Every span a server was an active exporter, in the order they began.
    pub exporter_intervals: Vec<ExporterInterval>,
    /// Whether two servers were ever active exporters at once.
    pub two_active_at_once: bool,
    /// When DirSync first exported after Connect had exported, if it did.
    pub rollback_at: Option<SimTime>,
    /// The longest time an AD change waited for an export that carried it.
    pub sync_gap: SimDuration,
    /// Whether a full cycle (AD import then export) completed after the last AD change.
    pub converged: bool,
    /// The tenant compared with the oracle's expected tenant.
    pub tenant: TenantCheck,
    /// Duplicate-attribute errors the tenant recorded.
    pub provisioning_errors: usize,
    /// Everything that must not happen and did, in the order found.
    pub violations: Vec<Violation>,
}

/// Builds the report at `now`.
pub(crate) fn build(st: &WorldState, now: SimTime) -> LedgerReport {
    let intervals = exporter_intervals(st);
    let mut violations = overlapping_exporters(&intervals, now);
    let (rollback_at, rollback) = rollback(st, &intervals);
    violations.extend(rollback);
    violations.extend(
        st.tenant
            .ledger
            .incidents
            .iter()
            .filter_map(incident_violation),
    );
    violations.extend(export_repeated(st));
    let last_change = st.ad.change_times().last();
    let converged = converged(st, last_change, now);
    let tenant = oracle::check(&st.baseline, &st.ad, &st.tenant);
    if converged {
        violations.extend(Objects::of(&tenant.missing).map(Violation::ObjectLost));
        violations.extend(Objects::of(&tenant.duplicated).map(Violation::ObjectDuplicated));
        violations.extend(Objects::of(&tenant.orphaned).map(Violation::ObjectOrphaned));
        violations.extend(WrongObjects::of(&tenant.stale).map(Violation::ObjectStale));
    }
    // A cloud-only object is changed by a write, not by a lag: judged whether converged or not.
    violations.extend(WrongObjects::of(&tenant.cloud_changed).map(Violation::CloudObjectChanged));
    LedgerReport {
        at: now,
        two_active_at_once: violations
            .iter()
            .any(|v| matches!(v, Violation::TwoActiveExporters { .. })),
        exporter_intervals: intervals,
        rollback_at,
        sync_gap: sync_gap(st, now),
        converged,
        tenant,
        provisioning_errors: st.tenant.provisioning_errors.len(),
        violations,
    }
}

/// Each pair of different exporters whose active intervals overlap (open intervals end `now`).
fn overlapping_exporters(intervals: &[ExporterInterval], now: SimTime) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (i, a) in intervals.iter().enumerate() {
        for b in &intervals[i + 1..] {
            let (a_to, b_to) = (a.to.unwrap_or(now), b.to.unwrap_or(now));
            let (from, to) = (a.from.max(b.from), a_to.min(b_to));
            let same = a.host == b.host && a.product == b.product;
            if !same && from < to {
                violations.push(Violation::TwoActiveExporters {
                    first: format!("{} ({})", a.host, a.product.as_str()),
                    second: format!("{} ({})", b.host, b.product.as_str()),
                    from,
                    to,
                });
            }
        }
    }
    violations
}

/// When DirSync first exported, or became an active exporter again, after Connect's first
/// export, and the violation that makes.
fn rollback(
    st: &WorldState,
    intervals: &[ExporterInterval],
) -> (Option<SimTime>, Option<Violation>) {
    let exports = &st.tenant.ledger.exports;
    // Connect "has exported" once one of its export runs reached the tenant, whether or not it had
    // changes to write: from then on the tenant takes it as the sync client (the upgrade document's
    // no-rollback rule).
    let connect_first = exports
        .iter()
        .filter(|e| e.client.product == Product::Connect)
        .map(|e| e.started)
        .min();
    // A rollback is DirSync exporting, or DirSync's service becoming an active exporter again,
    // after that point (issue: "DirSync re-enabled or exporting after Connect has exported").
    let rollback_at = connect_first.and_then(|c| {
        let exported = exports
            .iter()
            .filter(|e| e.client.product == Product::DirSync && e.started > c)
            .map(|e| e.started);
        let re_enabled = intervals
            .iter()
            .filter(|i| i.product == Product::DirSync && i.from > c)
            .map(|i| i.from);
        exported.chain(re_enabled).min()
    });
    let violation = match (rollback_at, connect_first) {
        (Some(at), Some(c)) => Some(Violation::RollbackToDirSync {
            at,
            connect_first_export: c,
        }),
        _ => None,
    };
    (rollback_at, violation)
}

/// The violation a ledger incident is, if it is one.
fn incident_violation(incident: &Incident) -> Option<Violation> {
    Some(match incident {
        Incident::InstallerRerun { at, host } => Violation::InstallerRerun {
            at: *at,
            host: host.clone(),
        },
        Incident::SharedSqlInstance { at, host, instance } => Violation::SharedSqlInstance {
            at: *at,
            host: host.clone(),
            instance: instance.clone(),
        },
        Incident::DirSyncUninstalledBeforeInspection { at, host } => {
            Violation::DirSyncUninstalledBeforeInspection {
                at: *at,
                host: host.clone(),
            }
        }
        Incident::BlockedConfigurationMigrated { at, host, reasons } => {
            Violation::BlockedConfigurationMigrated {
                at: *at,
                host: host.clone(),
                reasons: reasons.clone(),
            }
        }
        Incident::SignOutRequired { .. } | Incident::SignedOutAndIn { .. } => return None,
    })
}

/// The first export that repeated writes, and how many exports repeated over the run.
fn export_repeated(st: &WorldState) -> Option<Violation> {
    let exports = &st.tenant.ledger.exports;
    let first = exports.iter().find(|e| !e.repeated.is_empty())?;
    Some(Violation::ExportRepeated {
        at: first.started,
        host: first.client.host.clone(),
        count: exports.iter().map(|e| e.repeated.len() as u64).sum(),
        objects: first
            .repeated
            .iter()
            .take(NAMED_OBJECTS)
            .map(std::string::ToString::to_string)
            .collect(),
    })
}

fn exporter_intervals(st: &WorldState) -> Vec<ExporterInterval> {
    let mut open: FxHashMap<(String, Product), SimTime> = FxHashMap::default();
    let mut out = Vec::new();
    for e in &st.tenant.ledger.exporter_events {
        let key = (e.host.clone(), e.product);
        if e.active {
            open.insert(key, e.at);
        } else if let Some(from) = open.remove(&key) {
            out.push(ExporterInterval {
                host: e.host.clone(),
                product: e.product,
                from,
                to: Some(e.at),
            });
        }
    }
    let mut still: Vec<_> = open.into_iter().collect();
    still.sort();
    for ((host, product), from) in still {
        out.push(ExporterInterval {
            host,
            product,
            from,
            to: None,
        });
    }
    out.sort_by(|a, b| (a.from, &a.host).cmp(&(b.from, &b.host)));
    out
}

/// When the last fault that struck ended: `Err(())` while one still holds at `now` (nothing
/// can be judged converged then), `Ok(None)` when none struck.
fn faults_settled(st: &WorldState, now: SimTime) -> Result<Option<SimTime>, ()> {
    let mut last = None;
    for r in st.faults.records() {
        let Some(from) = r.from.filter(|f| *f <= now) else {
            continue;
        };
        match r.until {
            Some(until) if until <= now => last = last.max(Some(until.max(from))),
            _ => return Err(()),
        }
    }
    Ok(last)
}

/// Whether the active exporters' last export followed an AD import that started after the
/// last AD change and after the last fault ended (an export a fault broke leaves its writes
/// for the next one), with no fault still holding.
fn converged(st: &WorldState, last_change: Option<SimTime>, now: SimTime) -> bool {
    let Ok(fault_end) = faults_settled(st, now) else {
        return false;
    };
    let last_change = last_change.max(fault_end);
    let histories = st
        .dirsync
        .iter()
        .filter(|d| d.is_active_exporter())
        .map(|d| &d.engine.history)
        .chain(
            st.connects
                .values()
                .filter(|c| c.is_active_exporter())
                .map(|c| &c.engine.history),
        );
    let after = last_change.unwrap_or(SimTime::START);
    for h in histories {
        let import = h.iter().find(|r| {
            r.connector == Connector::ActiveDirectory
                && matches!(r.profile, RunProfile::FullImport | RunProfile::DeltaImport)
                && r.started >= after
                && r.status.is_clean()
        });
        if let Some(i) = import
            && h.iter().any(|r| {
                r.profile == RunProfile::Export
                    && r.started >= i.ended
                    && matches!(
                        r.status,
                        RunStatus::Success
                            | RunStatus::CompletedNoObjects
                            | RunStatus::CompletedExportErrors
                    )
            })
        {
            return true;
        }
    }
    // The world's starting state (a converged DirSync, no change since) counts as converged.
    last_change.is_none()
        && st
            .dirsync
            .as_ref()
            .is_some_and(super::super::dirsync_server::DirSyncServer::is_active_exporter)
}

/// For every AD change: the time until an export run whose AD import started after it ended.
fn sync_gap(st: &WorldState, now: SimTime) -> SimDuration {
    let mut marks: Vec<(SimTime, SimTime)> = st
        .tenant
        .ledger
        .export_runs
        .iter()
        .map(|m| (m.covers_changes_until, m.ended))
        .collect();
    marks.sort();
    // suffix minimum of end times over marks sorted by coverage
    let mut suffix = vec![now; marks.len() + 1];
    for i in (0..marks.len()).rev() {
        suffix[i] = suffix[i + 1].min(marks[i].1);
    }
    let mut gap = SimDuration::ZERO;
    for c in st.ad.change_times() {
        let i = marks.partition_point(|(covers, _)| *covers < c);
        let done = suffix[i].max(c);
        gap = gap.max(done - c);
    }
    gap
}
