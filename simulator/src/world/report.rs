//! The ledger's verdicts for the scenario runner: who was an active exporter when, whether two
//! were active at once, whether DirSync exported after Connect had (a rollback), the sync gap,
//! installer re-runs and a shared SQL instance, and whether the tenant equals the directory
//! (DESIGN "Meanings we agreed on").
//!
//! It must not change the world: it reads the state and the ledger.

use super::WorldState;
use crate::sync::rules::OutboundRules;
use crate::tenant::ledger::{Incident, Product};
use crate::tenant::{fold_hash, smtp_addresses};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use upgrade_lab_model::{
    ImmutableId, ObjectKind, RunProfile, RunStatus, Scope, ScopeFilters, SimDuration, SimTime,
    sync::Connector,
};

/// A span during which a server was an active exporter (`to = None`: still is). The span
/// follows the service's configuration (running, export enabled); a crash shows as missing
/// exports in the ledger, not as a gap here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExporterInterval {
    pub host: String,
    pub product: Product,
    pub from: SimTime,
    pub to: Option<SimTime>,
}

/// Something that must not happen, as the ledger saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Violation {
    /// Two servers were active exporters at the same time (STG: active/active unsupported).
    TwoActiveExporters {
        first: String,
        second: String,
        from: SimTime,
        to: SimTime,
    },
    /// DirSync exported after Azure AD Connect had exported (D1: no rollback).
    RollbackToDirSync {
        at: SimTime,
        connect_first_export: SimTime,
    },
    InstallerRerun {
        at: SimTime,
        host: String,
    },
    SharedSqlInstance {
        at: SimTime,
        host: String,
        instance: String,
    },
    /// DirSync was uninstalled before the upgrade inspected it (D1).
    DirSyncUninstalledBeforeInspection {
        at: SimTime,
        host: String,
    },
    /// A configuration the upgrade cannot migrate was migrated anyway (D1).
    BlockedConfigurationMigrated {
        at: SimTime,
        host: String,
        reasons: Vec<String>,
    },
    /// After convergence the tenant differs from the in-scope directory.
    TenantMismatch {
        missing: u64,
        duplicated: u64,
        stale: u64,
        orphaned: u64,
    },
}

impl Violation {
    /// When the violation happened (`None` for the tenant mismatch, a state at report time).
    pub fn at(&self) -> Option<SimTime> {
        match self {
            Violation::TwoActiveExporters { from, .. } => Some(*from),
            Violation::RollbackToDirSync { at, .. }
            | Violation::InstallerRerun { at, .. }
            | Violation::SharedSqlInstance { at, .. }
            | Violation::DirSyncUninstalledBeforeInspection { at, .. }
            | Violation::BlockedConfigurationMigrated { at, .. } => Some(*at),
            Violation::TenantMismatch { .. } => None,
        }
    }
}

/// Tenant versus directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TenantCheck {
    pub in_scope: u64,
    /// In-scope AD objects without a tenant object carrying their immutableId.
    pub missing: Vec<ImmutableId>,
    /// In-scope AD objects whose UPN or primary SMTP another live tenant object also carries.
    pub duplicated: Vec<ImmutableId>,
    /// Tenant objects whose values differ from what the outbound flow defines.
    pub stale: Vec<ImmutableId>,
    /// Synced tenant objects without an in-scope source.
    pub orphaned: Vec<ImmutableId>,
}

impl TenantCheck {
    pub fn equals_directory(&self) -> bool {
        self.missing.is_empty()
            && self.duplicated.is_empty()
            && self.stale.is_empty()
            && self.orphaned.is_empty()
    }
}

/// The report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerReport {
    pub at: SimTime,
    pub exporter_intervals: Vec<ExporterInterval>,
    pub two_active_at_once: bool,
    /// When DirSync first exported after Connect had exported, if it did.
    pub rollback_at: Option<SimTime>,
    /// The longest time an AD change waited for an export that carried it.
    pub sync_gap: SimDuration,
    /// Whether a full cycle (AD import then export) completed after the last AD change.
    pub converged: bool,
    pub tenant: TenantCheck,
    pub provisioning_errors: usize,
    pub violations: Vec<Violation>,
}

/// Builds the report at `now`.
pub fn build(st: &WorldState, now: SimTime) -> LedgerReport {
    let intervals = exporter_intervals(st);
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
    let exports = &st.tenant.ledger.exports;
    // Connect "has exported" once one of its export runs reached the tenant, whether or not it
    // had changes to write: from then on the tenant takes it as the sync client (D1).
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
    if let (Some(at), Some(c)) = (rollback_at, connect_first) {
        violations.push(Violation::RollbackToDirSync {
            at,
            connect_first_export: c,
        });
    }
    for incident in &st.tenant.ledger.incidents {
        match incident {
            Incident::InstallerRerun { at, host } => violations.push(Violation::InstallerRerun {
                at: *at,
                host: host.clone(),
            }),
            Incident::SharedSqlInstance { at, host, instance } => {
                violations.push(Violation::SharedSqlInstance {
                    at: *at,
                    host: host.clone(),
                    instance: instance.clone(),
                })
            }
            Incident::DirSyncUninstalledBeforeInspection { at, host } => {
                violations.push(Violation::DirSyncUninstalledBeforeInspection {
                    at: *at,
                    host: host.clone(),
                })
            }
            Incident::BlockedConfigurationMigrated { at, host, reasons } => {
                violations.push(Violation::BlockedConfigurationMigrated {
                    at: *at,
                    host: host.clone(),
                    reasons: reasons.clone(),
                })
            }
            Incident::SignOutRequired { .. } | Incident::SignedOutAndIn { .. } => {}
        }
    }
    let last_change = st.ad.change_times().last();
    let converged = converged(st, last_change);
    let tenant = tenant_check(st);
    if converged && !tenant.equals_directory() {
        violations.push(Violation::TenantMismatch {
            missing: tenant.missing.len() as u64,
            duplicated: tenant.duplicated.len() as u64,
            stale: tenant.stale.len() as u64,
            orphaned: tenant.orphaned.len() as u64,
        });
    }
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

/// The scope and outbound rules "tenant equals directory" is judged by: the active exporter's
/// (an active Connect server, else an active DirSync), else any Connect server's, else DirSync's.
fn judged_config(st: &WorldState) -> (ScopeFilters, Option<String>) {
    let of_connect = |c: &crate::connect_server::ConnectServer| {
        (
            c.engine.config.filters.clone(),
            c.engine.config.alternate_login_id.clone(),
        )
    };
    let of_dirsync = |d: &crate::dirsync_server::DirSyncServer| {
        (
            d.config.filters.clone(),
            d.config.alternate_login_id.clone(),
        )
    };
    if let Some(c) = st.connects.values().find(|c| c.is_active_exporter()) {
        return of_connect(c);
    }
    if let Some(d) = st.dirsync.as_ref().filter(|d| d.is_active_exporter()) {
        return of_dirsync(d);
    }
    match (st.connects.values().next(), &st.dirsync) {
        (Some(c), _) => of_connect(c),
        (None, Some(d)) => of_dirsync(d),
        (None, None) => (ScopeFilters::default(), None),
    }
}

fn tenant_check(st: &WorldState) -> TenantCheck {
    let (filters, alt) = judged_config(st);
    let scope = Scope::new(&filters);
    let rules = OutboundRules::new(alt.as_deref());
    let mut identities: FxHashMap<u64, u32> = FxHashMap::default();
    let mut mine: Vec<u64> = Vec::new();
    for o in st.tenant.objects() {
        // Each object counts once per value, even when its UPN is also one of its addresses.
        mine.clear();
        mine.extend(o.attrs.user_principal_name.iter().map(|u| fold_hash(u)));
        mine.extend(smtp_addresses(&o.attrs).map(fold_hash));
        mine.sort_unstable();
        mine.dedup();
        for h in &mine {
            *identities.entry(*h).or_default() += 1;
        }
    }
    let mut check = TenantCheck::default();
    let mut expected: FxHashSet<ImmutableId> = FxHashSet::default();
    for o in st.ad.live_objects().filter(|o| scope.contains(o)) {
        check.in_scope += 1;
        let anchor = o.guid.immutable_id();
        let want = rules.outbound(o.kind, &o.attrs);
        match st.tenant.get(&anchor) {
            None => check.missing.push(anchor.clone()),
            Some(t) => {
                let connect = t.flow.is_some_and(|f| f.is_connect());
                let compared = upgrade_lab_model::attribute_flow::flowed_rows(o.kind, connect);
                if t.attrs.differing_rows(&want) & compared != 0 || t.kind != o.kind {
                    check.stale.push(anchor.clone());
                }
            }
        }
        let identity = match o.kind {
            ObjectKind::User => want.user_principal_name.as_deref(),
            _ => want.primary_smtp(),
        };
        if identity.is_some_and(|i| identities.get(&fold_hash(i)).copied().unwrap_or(0) > 1) {
            check.duplicated.push(anchor.clone());
        }
        expected.insert(anchor);
    }
    for t in st.tenant.objects() {
        if let Some(id) = &t.immutable_id
            && !expected.contains(id)
        {
            check.orphaned.push(id.clone());
        }
    }
    check
}

/// Whether the active exporters' last export followed an AD import that started after the
/// last AD change.
fn converged(st: &WorldState, last_change: Option<SimTime>) -> bool {
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
    last_change.is_none() && st.dirsync.as_ref().is_some_and(|d| d.is_active_exporter())
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
