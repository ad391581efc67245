//! Verification of the staging server before the switch (seed document, "Verify that Azure AD
//! Connect is ready to begin sync"): the four runs of the Operations tab (Full Import and Full
//! Synchronization on both connectors) completed without errors, and the pending exports hold
//! nothing unexpected (domain-facts §2.8, §3): no deletes, no source-anchor changes, no more adds
//! than the AD changes since the export explain.
//!
//! Pure functions of run history, pending exports and AD's change counts.

use crate::ports::ChangeCounts;
use serde::Serialize;
use std::collections::BTreeMap;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{ExportOperation, ObjectKind, PendingExport, RunProfile, RunRecord};

/// The four runs the document asks to see completed, in the order it lists them.
pub const REQUIRED_RUNS: [(Connector, RunProfile); 4] = [
    (Connector::ActiveDirectory, RunProfile::FullImport),
    (Connector::AzureAd, RunProfile::FullImport),
    (Connector::ActiveDirectory, RunProfile::FullSynchronization),
    (Connector::AzureAd, RunProfile::FullSynchronization),
];

/// One of the four required runs as the Operations tab shows it (the latest of its kind).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequiredRun {
    pub connector: Connector,
    pub profile: RunProfile,
    /// The status string of the latest such run; `None` if it never ran.
    pub status: Option<String>,
    pub errors_count: u64,
    pub clean: bool,
}

/// The initial cycle's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InitialCycle {
    pub runs: Vec<RequiredRun>,
    /// True when not one of the four runs is in the history (start_sync was off).
    pub none_ran: bool,
    /// What is missing or failed, as sentences; empty = verified.
    pub problems: Vec<String>,
}

impl InitialCycle {
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the four runs in the history.
pub fn check_initial_cycle(history: &[RunRecord]) -> InitialCycle {
    let runs: Vec<RequiredRun> = REQUIRED_RUNS
        .iter()
        .map(|&(connector, profile)| {
            let latest = history
                .iter()
                .rev()
                .find(|r| r.connector == connector && r.profile == profile);
            match latest {
                None => RequiredRun {
                    connector,
                    profile,
                    status: None,
                    errors_count: 0,
                    clean: false,
                },
                Some(r) => {
                    let errors_count = r.stats.errors.max(r.errors.len() as u64);
                    RequiredRun {
                        connector,
                        profile,
                        status: Some(r.status.as_str().to_string()),
                        errors_count,
                        clean: r.status.is_clean() && errors_count == 0,
                    }
                }
            }
        })
        .collect();
    let none_ran = runs.iter().all(|r| r.status.is_none());
    let problems = if none_ran {
        vec![
            "no initial cycle ran (the synchronization was not started after installation): \
             run Full Import and Full Synchronization on both connectors"
                .to_string(),
        ]
    } else {
        runs.iter().filter(|r| !r.clean).map(run_problem).collect()
    };
    InitialCycle {
        runs,
        none_ran,
        problems,
    }
}

fn run_problem(r: &RequiredRun) -> String {
    let what = format!(
        "{} on the {} connector",
        r.profile.as_str(),
        r.connector.as_str()
    );
    match &r.status {
        None => format!("{what} has not run"),
        Some(status) => format!("{what} ended {status} with {} errors", r.errors_count),
    }
}

/// Pending exports of one object type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperationCounts {
    pub adds: u64,
    pub updates: u64,
    pub deletes: u64,
}

/// The pending-export report of the Azure AD connector (csexport + CSExportAnalyzer's view).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PendingExportReport {
    pub by_kind: BTreeMap<ObjectKind, OperationCounts>,
    pub totals: OperationCounts,
    /// How many pending updates change each attribute.
    pub updated_attributes: BTreeMap<String, u64>,
    pub source_anchor_changes: u64,
    /// AD's changes since the settings were exported, which explain pending adds and deletes.
    pub ad_adds_since_export: u64,
    pub ad_updates_since_export: u64,
    pub ad_deletes_since_export: u64,
    /// What a person must look at before switching; empty = nothing unexpected.
    pub unexpected: Vec<String>,
}

/// Builds the report and flags the unexpected.
pub fn pending_export_report(
    pending: &[PendingExport],
    ad_changes: &ChangeCounts,
) -> PendingExportReport {
    let mut report = PendingExportReport {
        ad_adds_since_export: ad_changes.adds,
        ad_updates_since_export: ad_changes.updates,
        ad_deletes_since_export: ad_changes.deletes,
        ..PendingExportReport::default()
    };
    for p in pending {
        let counts = report.by_kind.entry(p.kind).or_default();
        for c in [counts, &mut report.totals] {
            match p.operation {
                ExportOperation::Add => c.adds += 1,
                ExportOperation::Update => c.updates += 1,
                ExportOperation::Delete => c.deletes += 1,
            }
        }
        if p.operation == ExportOperation::Update {
            for a in &p.attributes {
                *report.updated_attributes.entry(a.to_string()).or_default() += 1;
            }
        }
        if p.changes_source_anchor {
            report.source_anchor_changes += 1;
        }
    }
    report.unexpected = unexpected(&report);
    report
}

fn unexpected(r: &PendingExportReport) -> Vec<String> {
    let mut out = Vec::new();
    if r.totals.deletes > 0 {
        out.push(format!(
            "{} pending deletes in Azure AD (AD shows {} deletes since the export): check \
             the domain, OU and attribute filters before switching",
            r.totals.deletes, r.ad_deletes_since_export
        ));
    }
    if r.source_anchor_changes > 0 {
        out.push(format!(
            "{} pending exports change the source anchor: DirSync anchored on objectGUID and \
             the new server must too",
            r.source_anchor_changes
        ));
    }
    if r.totals.adds > r.ad_adds_since_export {
        out.push(format!(
            "{} pending adds but AD shows only {} objects added since the export: objects \
             DirSync synced may not join (check the scope and the source anchor)",
            r.totals.adds, r.ad_adds_since_export
        ));
    }
    out
}

/// Everything verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StagingReport {
    pub initial_cycle: InitialCycle,
    pub pending_exports: PendingExportReport,
}

impl StagingReport {
    /// Ready to switch: the four runs are clean and nothing unexpected is pending.
    pub fn ready(&self) -> bool {
        self.initial_cycle.verified() && self.pending_exports.unexpected.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::{ImmutableId, RunStats, RunStatus, SimTime};

    fn run(connector: Connector, profile: RunProfile, status: RunStatus) -> RunRecord {
        RunRecord {
            connector,
            profile,
            started: SimTime(0),
            ended: SimTime(1),
            status,
            stats: RunStats::default(),
            errors: Vec::new(),
        }
    }

    fn four_clean() -> Vec<RunRecord> {
        REQUIRED_RUNS
            .iter()
            .map(|&(c, p)| run(c, p, RunStatus::Success))
            .collect()
    }

    fn pending(op: ExportOperation, kind: ObjectKind, attrs: &[&str]) -> PendingExport {
        PendingExport {
            operation: op,
            kind,
            anchor: ImmutableId::new("MyIRAFVEd2aImaq7zN3u/w=="),
            display: "CN=x".into(),
            attributes: attrs
                .iter()
                .map(|a| upgrade_lab_model::Value::from(*a))
                .collect(),
            changes_source_anchor: false,
        }
    }

    #[test]
    fn the_four_clean_runs_verify() {
        let c = check_initial_cycle(&four_clean());
        assert!(c.verified(), "{:?}", c.problems);
        assert!(!c.none_ran);
    }

    #[test]
    fn with_start_sync_off_no_initial_cycle_ran() {
        let c = check_initial_cycle(&[]);
        assert!(c.none_ran);
        assert!(c.problems[0].contains("no initial cycle ran"));
    }

    #[test]
    fn a_missing_or_failed_run_is_named() {
        let mut h = four_clean();
        h.remove(1);
        let mut bad = run(
            Connector::AzureAd,
            RunProfile::FullSynchronization,
            RunStatus::CompletedSyncErrors,
        );
        bad.stats.errors = 3;
        h.push(bad);
        let c = check_initial_cycle(&h);
        assert_eq!(
            c.problems,
            vec![
                "Full Import on the Azure AD connector has not run".to_string(),
                "Full Synchronization on the Azure AD connector ended completed-sync-errors \
                 with 3 errors"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn the_latest_run_of_a_kind_counts() {
        let mut h = vec![run(
            Connector::ActiveDirectory,
            RunProfile::FullImport,
            RunStatus::StoppedConnectivity,
        )];
        h.extend(four_clean());
        assert!(check_initial_cycle(&h).verified());
    }

    #[test]
    fn explained_adds_and_updates_are_not_flagged() {
        let p = vec![
            pending(ExportOperation::Add, ObjectKind::User, &[]),
            pending(
                ExportOperation::Update,
                ObjectKind::User,
                &["displayName", "mail"],
            ),
            pending(ExportOperation::Update, ObjectKind::Group, &["displayName"]),
        ];
        let r = pending_export_report(
            &p,
            &ChangeCounts {
                adds: 1,
                updates: 2,
                deletes: 0,
            },
        );
        assert!(r.unexpected.is_empty(), "{:?}", r.unexpected);
        assert_eq!(r.totals.updates, 2);
        assert_eq!(r.updated_attributes["displayName"], 2);
        assert_eq!(r.by_kind[&ObjectKind::Group].updates, 1);
    }

    #[test]
    fn deletes_anchor_changes_and_unexplained_adds_are_flagged() {
        let mut anchor = pending(ExportOperation::Update, ObjectKind::User, &["sourceAnchor"]);
        anchor.changes_source_anchor = true;
        let p = vec![
            pending(ExportOperation::Delete, ObjectKind::Contact, &[]),
            pending(ExportOperation::Add, ObjectKind::User, &[]),
            pending(ExportOperation::Add, ObjectKind::User, &[]),
            anchor,
        ];
        let r = pending_export_report(&p, &ChangeCounts::default());
        assert_eq!(r.unexpected.len(), 3, "{:?}", r.unexpected);
        assert!(r.unexpected[0].contains("1 pending deletes"));
        assert!(r.unexpected[1].contains("source anchor"));
        assert!(r.unexpected[2].contains("2 pending adds but AD shows only 0"));
        let report = StagingReport {
            initial_cycle: check_initial_cycle(&four_clean()),
            pending_exports: r,
        };
        assert!(!report.ready());
    }
}
