//! Verification of the staging server before the switch (the upgrade document, "Verify that Azure
//! AD Connect is ready to begin sync"): the four runs of the Operations tab (Full Import and Full
//! Synchronization on both connectors) completed without errors, and the pending exports hold
//! nothing unexpected: every pending add, update and delete is explained by a change AD made since
//! the settings were exported or, for updates, by an attribute Connect's rules flow and DirSync's
//! did not (`model::attribute_flow`); no source-anchor changes.
//!
//! Pure functions of run history, pending exports and AD's change counts.

use crate::ports::AdChanges;
use serde::Serialize;
use std::collections::BTreeMap;
use upgrade_lab_model::attribute_flow;
use upgrade_lab_model::constants::DIRSYNC_CYCLE_HOURS;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{
    ExportOperation, ObjectKind, PendingExport, RunProfile, RunRecord, RunStatus,
};
use upgrade_lab_model::{SimDuration, SimTime};

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
    /// The connector it runs on.
    pub connector: Connector,
    /// Full Import or Full Synchronization.
    pub profile: RunProfile,
    /// The status string of the latest such run; `None` if it never ran.
    pub status: Option<String>,
    /// Errors the latest such run reported.
    pub errors_count: u64,
    /// It ran and ended without errors.
    pub clean: bool,
}

/// The initial cycle's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InitialCycle {
    /// The four required runs, in [`REQUIRED_RUNS`] order.
    pub runs: Vec<RequiredRun>,
    /// True when not one of the four runs is in the history: start_sync was off, or the cycle
    /// had not finished a run when verification stopped waiting.
    pub none_ran: bool,
    /// What is missing or failed, as sentences; empty = verified.
    pub problems: Vec<String>,
}

impl InitialCycle {
    /// Verified: the four runs ran and ended clean.
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }

    /// The verdict when verification stopped waiting after `waited` with the synchronization
    /// started: a history without any of the four runs means the cycle is still on its first
    /// run, not that it never started, and the problem says so. Any other verdict is kept.
    #[must_use]
    pub fn still_running_after(mut self, waited: SimDuration) -> Self {
        if self.none_ran {
            self.problems = vec![format!(
                "the initial cycle started at installation had not finished its first run \
                 after {waited} of waiting: a large directory's first Full Import can take \
                 days; wait for the four runs on the Operations tab, then verify again"
            )];
        }
        self
    }

    /// Whether a crash cut the initial cycle short: one of its runs stopped
    /// `stopped-server-down`, or some ran and the others never started.
    pub fn cut_short(&self) -> bool {
        let down = RunStatus::StoppedServerDown.as_str();
        let stopped = self.runs.iter().any(|r| r.status.as_deref() == Some(down));
        let missing = self.runs.iter().any(|r| r.status.is_none());
        stopped || (missing && !self.none_ran)
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
    let what = format!("{} on the {} connector", r.profile, r.connector);
    match &r.status {
        None => format!("{what} has not run"),
        Some(status) => format!("{what} ended {status} with {} errors", r.errors_count),
    }
}

/// Pending exports of one object type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperationCounts {
    /// Objects to be created in Azure AD.
    pub adds: u64,
    /// Objects to be changed.
    pub updates: u64,
    /// Objects to be deleted.
    pub deletes: u64,
}

impl OperationCounts {
    fn count(&mut self, operation: ExportOperation) {
        match operation {
            ExportOperation::Add => self.adds += 1,
            ExportOperation::Update => self.updates += 1,
            ExportOperation::Delete => self.deletes += 1,
        }
    }

    /// Adds + updates + deletes.
    pub fn total(&self) -> u64 {
        self.adds + self.updates + self.deletes
    }
}

/// How many pending exports are listed by name in the report's examples, at most.
pub const EXAMPLES_MAX: usize = 10;

/// The pending-export report of the Azure AD connector (csexport + CSExportAnalyzer's view),
/// with every pending export classified: explained by AD's changes since the settings were
/// exported (*directory*), by Connect's rules flowing attributes DirSync's did not (*rules*), or
/// by neither (*unexplained*: a person must look before switching).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PendingExportReport {
    /// Pending exports per object type.
    pub by_kind: BTreeMap<ObjectKind, OperationCounts>,
    /// All pending exports; each is filed once under `directory`, `rules_only_updates` or `unexplained`.
    pub totals: OperationCounts,
    /// How many pending updates change each attribute.
    pub updated_attributes: BTreeMap<String, u64>,
    /// Pending exports that would change an object's source anchor (never expected).
    pub source_anchor_changes: u64,
    /// Objects AD added since the settings were exported (less one DirSync cycle, see
    /// [`explaining_changes_since`]).
    pub ad_adds_since_export: u64,
    /// Objects AD updated since then.
    pub ad_updates_since_export: u64,
    /// Objects AD deleted since then.
    pub ad_deletes_since_export: u64,
    /// Pending exports AD's changes explain: objects added, updated, deleted in AD.
    pub directory: OperationCounts,
    /// Attributes Connect's rules flow and DirSync's did not, with the objects they update.
    pub rule_differences: BTreeMap<String, u64>,
    /// Pending updates that carry rule differences only.
    pub rules_only_updates: u64,
    /// Pending exports neither AD's changes nor the rules explain.
    pub unexplained: OperationCounts,
    /// The first unexplained exports, each as one sentence naming the object.
    pub unexplained_examples: Vec<String>,
    /// What a person must look at before switching; empty = nothing unexpected.
    pub unexpected: Vec<String>,
}

/// From when AD's changes explain pending exports: a change DirSync had not exported by the
/// time the settings were exported (or, without an export, Connect was installed) is at most
/// one DirSync cycle older than that.
/// `exported` is when the settings were exported, else when Connect was installed.
pub fn explaining_changes_since(exported: Option<SimTime>) -> SimTime {
    let exported = exported.unwrap_or(SimTime::START);
    let cycle = SimDuration::from_hours(DIRSYNC_CYCLE_HOURS).as_millis();
    SimTime(exported.0.saturating_sub(cycle))
}

/// Builds the report, classifies every pending export and flags the unexpected.
pub fn pending_export_report(pending: &[PendingExport], ad: &AdChanges) -> PendingExportReport {
    let mut tally = PendingExportTally::new(ad);
    tally.add(pending);
    tally.finish()
}

/// A pending-export report built page by page (`pending_export_report` in parts): the pages
/// added in list order give the report the whole list gives.
#[derive(Debug)]
pub struct PendingExportTally<'a> {
    report: PendingExportReport,
    ad: &'a AdChanges,
    /// Pending exports added so far.
    count: usize,
}

impl<'a> PendingExportTally<'a> {
    /// An empty report against AD's changes `ad`.
    pub fn new(ad: &'a AdChanges) -> Self {
        Self {
            report: PendingExportReport {
                ad_adds_since_export: ad.added.len() as u64,
                ad_updates_since_export: ad.updated.len() as u64,
                ad_deletes_since_export: ad.deleted.len() as u64,
                ..PendingExportReport::default()
            },
            ad,
            count: 0,
        }
    }

    /// Counts and classifies the next pending exports of the list.
    pub fn add(&mut self, pending: &[PendingExport]) {
        let report = &mut self.report;
        for p in pending {
            report.by_kind.entry(p.kind).or_default().count(p.operation);
            report.totals.count(p.operation);
            if p.changes_source_anchor {
                report.source_anchor_changes += 1;
            }
            classify(report, p, self.ad);
        }
        self.count += pending.len();
    }

    /// The report of every pending export added, with what is unexpected flagged.
    pub fn finish(self) -> PendingExportReport {
        let mut report = self.report;
        report.unexpected = unexpected(&report);
        assert_each_export_filed_once(&report, self.count);
        report
    }
}

/// Asserts that every pending export was counted once in the totals and filed once: under
/// AD's changes (`directory`), the rules (`rules_only_updates`, updates only) or
/// `unexplained`. A classification that drops or double-files an export would hide it from
/// the verdict.
fn assert_each_export_filed_once(report: &PendingExportReport, pending_count: usize) {
    let (t, d, u) = (report.totals, report.directory, report.unexplained);
    assert_eq!(
        t.total(),
        pending_count as u64,
        "every pending export is counted once in the totals"
    );
    assert!(
        t.adds == d.adds + u.adds
            && t.deletes == d.deletes + u.deletes
            && t.updates == d.updates + u.updates + report.rules_only_updates,
        "every pending export is filed once: under AD's changes, the rules or unexplained \
         (totals {t:?}, directory {d:?}, rules only {}, unexplained {u:?})",
        report.rules_only_updates
    );
}

/// Files one pending export under directory, rules or unexplained.
fn classify(report: &mut PendingExportReport, p: &PendingExport, ad: &AdChanges) {
    let explained = match p.operation {
        ExportOperation::Add => ad.added.contains(&p.anchor),
        ExportOperation::Delete => ad.deleted.contains(&p.anchor),
        ExportOperation::Update => {
            let mut by_ad = false;
            for c in &p.changes {
                count_name(&mut report.updated_attributes, &c.attribute);
                if attribute_flow::is_rule_difference(&c.attribute, p.kind) {
                    count_name(&mut report.rule_differences, &c.attribute);
                } else {
                    by_ad = true;
                }
            }
            if !by_ad {
                report.rules_only_updates += 1;
                return;
            }
            ad.updated.contains(&p.anchor)
                || ad.added.contains(&p.anchor)
                || ad.updated_then_deleted.contains(&p.anchor)
        }
    };
    if explained {
        report.directory.count(p.operation);
        return;
    }
    report.unexplained.count(p.operation);
    if report.unexplained_examples.len() < EXAMPLES_MAX {
        report.unexplained_examples.push(example(p));
    }
}

/// What explains the pending exports, in one sentence: totals, AD's share, the rules' share.
pub fn explained(r: &PendingExportReport) -> String {
    let (t, d) = (r.totals, r.directory);
    let rules: Vec<String> = r
        .rule_differences
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    let rules = if rules.is_empty() {
        "none".to_string()
    } else {
        rules.join(", ")
    };
    format!(
        "{} adds, {} updates, {} deletes pending: {} adds, {} updates, {} deletes AD made since \
         the settings export, {} updates by Connect's rules only (rule differences: {rules}); \
         nothing unexpected",
        t.adds, t.updates, t.deletes, d.adds, d.updates, d.deletes, r.rules_only_updates
    )
}

/// Counts `name` without allocating its key again (a takeover lists a million updates).
fn count_name(counts: &mut BTreeMap<String, u64>, name: &str) {
    match counts.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            counts.insert(name.to_string(), 1);
        }
    }
}

/// One unexplained export as a sentence: the operation, the object, and for an update the
/// attributes that are not rule differences with their old and new values.
fn example(p: &PendingExport) -> String {
    let object = format!("{} {}", p.kind.as_str(), p.display);
    match p.operation {
        ExportOperation::Add => format!("add of {object}, which AD did not add"),
        ExportOperation::Delete => format!("delete of {object}, which AD did not delete"),
        ExportOperation::Update => {
            let lines: Vec<String> = p
                .changes
                .iter()
                .filter(|c| !attribute_flow::is_rule_difference(&c.attribute, p.kind))
                .map(|c| format!("{} {} -> {}", c.attribute, quoted(&c.old), quoted(&c.new)))
                .collect();
            format!(
                "update of {object}, which AD did not change: {}",
                lines.join(", ")
            )
        }
    }
}

/// Values as people read them: `"a", "b"`, or `(none)`.
fn quoted(values: &[upgrade_lab_model::Value]) -> String {
    if values.is_empty() {
        return "(none)".to_string();
    }
    let v: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    v.join(", ")
}

fn unexpected(r: &PendingExportReport) -> Vec<String> {
    let mut out = Vec::new();
    let u = &r.unexplained;
    if u.deletes > 0 {
        out.push(format!(
            "{} pending deletes that AD's changes do not explain (AD deleted {} objects since \
             the export): check the domain, OU and attribute filters before switching",
            u.deletes, r.ad_deletes_since_export
        ));
    }
    if r.source_anchor_changes > 0 {
        out.push(format!(
            "{} pending exports change the source anchor: DirSync anchored on objectGUID and \
             the new server must too",
            r.source_anchor_changes
        ));
    }
    if u.adds > 0 {
        out.push(format!(
            "{} pending adds that AD's changes do not explain (AD added {} objects since the \
             export): objects DirSync synced may not join, or the scope grew (check the \
             filters and the source anchor)",
            u.adds, r.ad_adds_since_export
        ));
    }
    if u.updates > 0 {
        out.push(format!(
            "{} pending updates change values AD did not change and Connect's rules do not \
             explain (check the sign-in attribute and the attribute flow)",
            u.updates
        ));
    }
    if !out.is_empty() && !r.unexplained_examples.is_empty() {
        out.push(format!(
            "for example: {}",
            r.unexplained_examples.join("; ")
        ));
    }
    out
}

/// Everything verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StagingReport {
    /// The four runs of the initial cycle.
    pub initial_cycle: InitialCycle,
    /// What the server would export once staging mode is off.
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
    use upgrade_lab_model::{
        AttributeChange, ImmutableId, Modification, RunStats, RunStatus, SimDuration, SimTime,
        Value,
    };

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

    fn anchor(n: u8) -> ImmutableId {
        upgrade_lab_model::ObjectGuid::from_bytes([n; 16]).immutable_id()
    }

    fn pending(op: ExportOperation, kind: ObjectKind, n: u8, attrs: &[&str]) -> PendingExport {
        PendingExport {
            operation: op,
            kind,
            anchor: anchor(n),
            display: format!("CN=object{n}").into(),
            changes: attrs
                .iter()
                .map(|a| AttributeChange {
                    attribute: Value::from(*a),
                    modification: Modification::Replace,
                    old: [Value::from("before")].into_iter().collect(),
                    new: [Value::from("after")].into_iter().collect(),
                })
                .collect(),
            changes_source_anchor: false,
        }
    }

    fn ad(added: &[u8], updated: &[u8], deleted: &[u8]) -> AdChanges {
        let set = |ns: &[u8]| ns.iter().map(|&n| anchor(n)).collect();
        AdChanges {
            added: set(added),
            updated: set(updated),
            deleted: set(deleted),
            updated_then_deleted: std::collections::BTreeSet::new(),
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
    fn an_initial_cycle_a_crash_cut_short_is_told_from_one_never_started() {
        let all = four_clean();
        assert!(!check_initial_cycle(&all).cut_short());
        assert!(!check_initial_cycle(&[]).cut_short(), "never started");
        assert!(check_initial_cycle(&all[..2]).cut_short(), "imports only");
        let mut crashed = all.clone();
        crashed[3].status = RunStatus::StoppedServerDown;
        assert!(check_initial_cycle(&crashed).cut_short());
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
    fn a_successful_run_with_errors_is_not_clean() {
        let mut h = four_clean();
        h[0].stats.errors = 2;
        let c = check_initial_cycle(&h);
        assert!(!c.verified());
        assert!(
            c.problems[0].contains("ended success with 2 errors"),
            "{:?}",
            c.problems
        );
    }

    #[test]
    fn giving_up_on_a_started_cycle_says_it_is_still_running_and_keeps_other_verdicts() {
        let waited = SimDuration::from_hours(72);
        let none = check_initial_cycle(&[]).still_running_after(waited);
        assert!(none.none_ran && !none.verified());
        assert_eq!(none.problems.len(), 1);
        assert!(none.problems[0].contains("had not finished its first run after 72:00:00"));
        let clean = check_initial_cycle(&four_clean());
        assert_eq!(clean.clone().still_running_after(waited), clean);
        let partial = check_initial_cycle(&four_clean()[..2]);
        assert_eq!(partial.clone().still_running_after(waited), partial);
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
    fn directory_changes_and_rule_differences_explain_everything() {
        use ExportOperation::*;
        let p = vec![
            pending(Add, ObjectKind::User, 1, &["cn", "displayName"]),
            pending(
                Update,
                ObjectKind::User,
                2,
                &["jobTitle", "onPremisesDistinguishedName"],
            ),
            pending(
                Update,
                ObjectKind::Group,
                3,
                &["onPremisesDistinguishedName"],
            ),
            pending(Update, ObjectKind::User, 4, &["c"]),
            pending(Delete, ObjectKind::Contact, 5, &[]),
        ];
        let r = pending_export_report(&p, &ad(&[1], &[2], &[5]));
        assert!(r.unexpected.is_empty(), "{:?}", r.unexpected);
        let one_each = OperationCounts {
            adds: 1,
            updates: 1,
            deletes: 1,
        };
        assert_eq!(r.directory, one_each);
        assert_eq!(r.unexplained, OperationCounts::default());
        assert_eq!(r.rule_differences["onPremisesDistinguishedName"], 2);
        assert_eq!(r.rule_differences["c"], 1);
        assert_eq!(r.rules_only_updates, 2);
        assert_eq!(r.totals.updates, 3);
        assert_eq!(r.updated_attributes["jobTitle"], 1);
        assert_eq!(r.by_kind[&ObjectKind::Group].updates, 1);
        assert_eq!(r.ad_adds_since_export, 1);
        assert_eq!(r.ad_updates_since_export, 1);
        assert_eq!(r.ad_deletes_since_export, 1);
        assert_eq!(r.totals.total(), 5);
        assert_eq!(
            explained(&r),
            "1 adds, 3 updates, 1 deletes pending: 1 adds, 1 updates, 1 deletes AD made since the \
             settings export, 2 updates by Connect's rules only (rule differences: c 1, \
             onPremisesDistinguishedName 2); nothing unexpected"
        );
    }

    #[test]
    fn what_ad_did_not_change_is_unexplained_and_named() {
        use ExportOperation::*;
        let mut anchor_change = pending(Update, ObjectKind::User, 9, &["sourceAnchor"]);
        anchor_change.changes_source_anchor = true;
        let p = vec![
            pending(Delete, ObjectKind::Contact, 1, &[]),
            pending(Add, ObjectKind::User, 2, &[]),
            pending(Add, ObjectKind::User, 3, &[]),
            // userPrincipalName is not a rule difference: a value AD did not change.
            pending(Update, ObjectKind::User, 4, &["userPrincipalName"]),
            anchor_change,
        ];
        let r = pending_export_report(&p, &ad(&[], &[9], &[]));
        assert_eq!(
            r.unexplained,
            OperationCounts {
                adds: 2,
                updates: 1,
                deletes: 1,
            }
        );
        assert_eq!(r.unexpected.len(), 5, "{:?}", r.unexpected);
        assert!(r.unexpected[0].contains("1 pending deletes"));
        assert!(r.unexpected[1].contains("source anchor"));
        assert!(r.unexpected[2].contains("2 pending adds"));
        assert!(r.unexpected[3].contains("1 pending updates"));
        assert!(r.unexpected[4].contains(
            "update of user CN=object4, which AD did not change: userPrincipalName \"before\" -> \"after\""
        ));
        let report = StagingReport {
            initial_cycle: check_initial_cycle(&four_clean()),
            pending_exports: r,
        };
        assert!(!report.ready());
    }

    #[test]
    fn a_source_anchor_change_alone_gives_one_sentence_and_no_examples() {
        let mut p = pending(ExportOperation::Update, ObjectKind::User, 3, &["jobTitle"]);
        p.changes_source_anchor = true;
        let r = pending_export_report(&[p], &ad(&[], &[3], &[]));
        assert_eq!(r.unexpected.len(), 1, "{:?}", r.unexpected);
        assert!(r.unexpected[0].contains("change the source anchor"));
    }

    #[test]
    fn an_update_ad_made_on_an_object_it_also_added_is_explained() {
        let p = vec![pending(
            ExportOperation::Update,
            ObjectKind::User,
            7,
            &["jobTitle"],
        )];
        let r = pending_export_report(&p, &ad(&[7], &[], &[]));
        assert_eq!(r.directory.updates, 1);
        assert!(r.unexpected.is_empty());
    }

    #[test]
    fn a_pending_update_of_an_object_ad_changed_then_deleted_is_ad_s_doing() {
        // Connect imported AD's change and not yet its delete: the update is AD's.
        let p = vec![pending(
            ExportOperation::Update,
            ObjectKind::User,
            7,
            &["jobTitle"],
        )];
        let mut changes = ad(&[], &[], &[7]);
        changes.updated_then_deleted.insert(anchor(7));
        let r = pending_export_report(&p, &changes);
        assert_eq!(r.directory.updates, 1);
        assert!(r.unexpected.is_empty(), "{:?}", r.unexpected);
        // An object AD only deleted never explains an update: that one is Connect's own.
        let r = pending_export_report(&p, &ad(&[], &[], &[7]));
        assert_eq!(r.unexplained.updates, 1);
        assert!(
            r.unexpected
                .iter()
                .any(|u| u.contains("which AD did not change"))
        );
    }

    #[test]
    fn changes_explain_from_one_dirsync_cycle_before_the_export() {
        let hours = |h: u64| SimTime(SimDuration::from_hours(h).as_millis());
        assert_eq!(explaining_changes_since(Some(hours(5))), hours(2));
        assert_eq!(explaining_changes_since(Some(hours(1))), SimTime::START);
        assert_eq!(explaining_changes_since(None), SimTime::START);
    }

    #[test]
    fn a_report_built_page_by_page_is_the_whole_lists_report() {
        use ExportOperation::*;
        let p: Vec<_> = (0..40)
            .map(|n| match n % 4 {
                0 => pending(Add, ObjectKind::User, n, &[]),
                1 => pending(
                    Update,
                    ObjectKind::Group,
                    n,
                    &["onPremisesDistinguishedName"],
                ),
                2 => pending(Update, ObjectKind::User, n, &["jobTitle"]),
                _ => pending(Delete, ObjectKind::Contact, n, &[]),
            })
            .collect();
        let changes = ad(&[0, 4, 8], &[2], &[3]);
        let whole = pending_export_report(&p, &changes);
        let mut tally = PendingExportTally::new(&changes);
        for page in p.chunks(7) {
            tally.add(page);
        }
        assert_eq!(tally.finish(), whole);
        assert_eq!(whole.unexplained_examples.len(), EXAMPLES_MAX);
    }

    #[test]
    #[should_panic(expected = "every pending export is counted once in the totals")]
    fn a_tally_that_skipped_a_page_fires() {
        let (p, _) = filed_report();
        let changes = ad(&[1], &[], &[]);
        let mut tally = PendingExportTally::new(&changes);
        tally.add(&p);
        tally.count += 1;
        tally.finish();
    }

    #[test]
    fn examples_are_capped() {
        let p: Vec<_> = (0..30)
            .map(|n| pending(ExportOperation::Add, ObjectKind::User, n, &[]))
            .collect();
        let r = pending_export_report(&p, &AdChanges::default());
        assert_eq!(r.unexplained.adds, 30);
        assert_eq!(r.unexplained_examples.len(), EXAMPLES_MAX);
    }

    fn filed_report() -> (Vec<PendingExport>, PendingExportReport) {
        use ExportOperation::*;
        let p = vec![
            pending(Add, ObjectKind::User, 1, &[]),
            pending(Update, ObjectKind::User, 2, &["jobTitle"]),
            pending(
                Update,
                ObjectKind::Group,
                3,
                &["onPremisesDistinguishedName"],
            ),
            pending(Delete, ObjectKind::Contact, 5, &[]),
        ];
        let r = pending_export_report(&p, &ad(&[1], &[], &[]));
        (p, r)
    }

    #[test]
    #[should_panic(expected = "every pending export is counted once in the totals")]
    fn a_report_that_lost_an_export_fires() {
        let (p, r) = filed_report();
        assert_each_export_filed_once(&r, p.len() + 1);
    }

    #[test]
    #[should_panic(expected = "every pending export is filed once")]
    fn an_export_filed_twice_fires() {
        let (p, mut r) = filed_report();
        r.directory.deletes += 1;
        assert_each_export_filed_once(&r, p.len());
    }
}
