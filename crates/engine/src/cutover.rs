//! Verification of the staging server and the switch from DirSync (the upgrade document's
//! "Verify…", "Uninstall DirSync", "Enable Azure AD Connect"; docs/real-systems.md, "The parallel
//! deployment"): uninstall or disable DirSync, turn staging off through the installed wizard (never
//! an installer re-run), confirm Connect's first export and report the sync gap, the time nothing
//! exported to Azure AD.
//!
//! Orchestration only; the decisions are in `verify` and `guards`.

use crate::events::{Change, Check, Decision, EventKind, ServerRole};
use crate::guards;
use crate::ports::{Clock, ConnectServer, DirSyncDiscovery, DirSyncServer, OnPremAd, Ports};
use crate::upgrade::{CutoverMethod, Upgrade, UpgradeError, port};
use crate::verify::{self, StagingReport};
use serde::Serialize;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{RunProfile, RunRecord, SimDuration, SimTime};

/// How often verification looks at the Operations tab while the initial cycle runs.
pub const INITIAL_CYCLE_POLL: SimDuration = SimDuration::from_mins(5);
/// The shortest wait for the initial cycle before verification reports what is missing: a large
/// directory's initial cycle "might take multiple days" (docs/real-systems.md, "Timing figures").
pub const INITIAL_CYCLE_WAIT_FLOOR: SimDuration = SimDuration::from_hours(72);
/// How many times the analysis's estimate verification waits at most, for a directory whose
/// estimate is longer than the floor: the estimate is the wizard's figure for syncing the
/// directory once, and an operator who was told "ten days" does not give up after three.
pub const INITIAL_CYCLE_WAIT_ESTIMATES: u64 = 2;

/// How long verification waits for the initial cycle: [`INITIAL_CYCLE_WAIT_FLOOR`], or
/// [`INITIAL_CYCLE_WAIT_ESTIMATES`] times the analysis's estimate when that is longer (no
/// analysis: the floor). At 10,000,000 objects the estimate is 600 hours and the simulated
/// initial cycle about 530: a fixed 72 hours reported a cycle still running as missing.
pub fn initial_cycle_wait_limit(estimate: Option<SimDuration>) -> SimDuration {
    let scaled = estimate.map_or(SimDuration::ZERO, |e| {
        SimDuration(e.0.saturating_mul(INITIAL_CYCLE_WAIT_ESTIMATES))
    });
    scaled.max(INITIAL_CYCLE_WAIT_FLOOR)
}
/// Pending exports verification reads per page (about 10 MB of descriptions at a time).
pub const PENDING_EXPORT_PAGE: usize = 65_536;

/// What the cutover did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CutoverReport {
    /// How DirSync was stopped (`options.cutover`).
    pub method: CutoverMethod,
    /// When DirSync stopped exporting (`None` if it was already stopped by someone else).
    pub dirsync_stopped_at: Option<SimTime>,
    /// When staging mode went off: Connect became the active server.
    pub staging_off_at: SimTime,
    /// When Connect's first export ended.
    pub first_export_at: SimTime,
    /// That export's status string (`success`, …).
    pub first_export_status: String,
    /// Whether the engine ran the export itself (no scheduled one had run yet).
    pub export_run_by_engine: bool,
    /// From DirSync's stop to Connect's first export.
    pub sync_gap: SimDuration,
}

/// Connect's first export after the switch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirstExport {
    /// When the export ended.
    pub at: SimTime,
    /// The run's status string (`success`, `stopped-deletion-threshold-exceeded`, …).
    pub status: String,
    /// The engine ran it (no export had run since staging went off).
    pub run_by_engine: bool,
}

/// The sync gap: from when DirSync stopped (`gap_start`; staging off when it had already
/// stopped) to Connect's first export. The cutover's steps run in that order on a clock that
/// never goes back, so the three times are ordered; a gap computed from times out of order
/// would read as zero and hide the step that ran late.
fn sync_gap(gap_start: SimTime, staging_off_at: SimTime, first_export_at: SimTime) -> SimDuration {
    debug_assert!(
        gap_start <= staging_off_at,
        "DirSync stops before staging mode goes off ({gap_start} > {staging_off_at})"
    );
    debug_assert!(
        staging_off_at <= first_export_at,
        "Connect's first export comes after staging mode went off ({staging_off_at} > \
         {first_export_at})"
    );
    first_export_at.since(gap_start)
}

/// Asserts the switch's step order: a staging server turns staging off (and exports) only after
/// the engine found its initial cycle verified. An in-place server (not in staging) is active
/// from its installation and has no such step.
fn assert_verified_before_export(staging: bool, verified_at: Option<SimTime>) {
    assert!(
        !staging || verified_at.is_some(),
        "a staging server turns staging off only after its initial cycle was verified"
    );
}

impl<P: Ports> Upgrade<P> {
    /// The run history once the initial cycle has run, and how long the engine waited when it
    /// gave up before the cycle finished. With "start the synchronization process" on, the
    /// installer starts the cycle and the operator waits for it, as the Operations tab shows
    /// it: poll every [`INITIAL_CYCLE_POLL`] for at most [`initial_cycle_wait_limit`]. With it
    /// off nothing will run, so there is nothing to wait for.
    async fn wait_for_initial_cycle(
        &mut self,
    ) -> Result<(Vec<RunRecord>, Option<SimDuration>), UpgradeError> {
        let waited_since = self.clock.now();
        let limit = initial_cycle_wait_limit(self.state.analysis.as_ref().map(|a| a.estimate));
        loop {
            let history = self
                .connect
                .run_history()
                .await
                .map_err(port("read run history"))?;
            let all_ran = verify::check_initial_cycle(&history)
                .runs
                .iter()
                .all(|r| r.status.is_some());
            let waited = self.clock.now().since(waited_since);
            if all_ran || !self.options.start_sync {
                return Ok((history, None));
            }
            if waited >= limit {
                return Ok((history, Some(waited)));
            }
            self.clock.sleep(INITIAL_CYCLE_POLL).await;
        }
    }

    /// Verifies the staging server: the four runs and the pending exports.
    pub async fn verify_staging(&mut self) -> Result<StagingReport, UpgradeError> {
        let (mut history, gave_up_after) = self.wait_for_initial_cycle().await?;
        if verify::check_initial_cycle(&history).cut_short() {
            // A crash stopped the initial cycle after some of its runs: the scheduler goes on
            // with delta cycles, so the missing full runs are started by hand, as an operator
            // does after a restart.
            self.run_initial_cycle().await?;
            history = self
                .connect
                .run_history()
                .await
                .map_err(port("read run history"))?;
        }
        let mut initial_cycle = verify::check_initial_cycle(&history);
        if let Some(waited) = gave_up_after {
            initial_cycle = initial_cycle.still_running_after(waited);
        }
        let finding = if initial_cycle.verified() {
            "Full Import and Full Synchronization completed without errors on both connectors"
                .to_string()
        } else {
            initial_cycle.problems.join("; ")
        };
        self.checked(Check::InitialCycle, initial_cycle.verified(), finding);
        let (first, mut next) = self
            .connect
            .pending_exports_page(0, PENDING_EXPORT_PAGE)
            .await
            .map_err(port("read pending exports"))?;
        let exported = self.state.settings_exported_at.or(self.state.installed_at);
        let since = verify::explaining_changes_since(exported);
        let changes = self
            .ad
            .changes_since(since)
            .await
            .map_err(port("read AD changes since the export"))?;
        let mut tally = verify::PendingExportTally::new(&changes);
        tally.add(&first);
        drop(first);
        while let Some(from) = next {
            let (page, after) = self
                .connect
                .pending_exports_page(from, PENDING_EXPORT_PAGE)
                .await
                .map_err(port("read pending exports"))?;
            tally.add(&page);
            next = after;
        }
        let pending_exports = tally.finish();
        let finding = if pending_exports.unexpected.is_empty() {
            verify::explained(&pending_exports)
        } else {
            pending_exports.unexpected.join("; ")
        };
        self.checked(
            Check::PendingExports,
            pending_exports.unexpected.is_empty(),
            finding,
        );
        Ok(StagingReport {
            initial_cycle,
            pending_exports,
        })
    }

    /// Uninstalls or disables DirSync, as `options.cutover` says. Returns when it stopped
    /// (`None` if it was already not running).
    pub async fn stop_dirsync(&mut self) -> Result<Option<SimTime>, UpgradeError> {
        let discovery = self
            .dirsync
            .discover()
            .await
            .map_err(port("look at DirSync"))?;
        let DirSyncDiscovery::Installed(installation) = discovery else {
            self.checked(
                Check::DirSyncInstallation,
                true,
                "DirSync is not installed: nothing to stop",
            );
            return Ok(None);
        };
        let was_running = installation.service_running;
        if was_running {
            // Its last cycle exports what a cut-short cycle left, or the stop is refused.
            self.export_dirsync_backlog().await?;
        } else {
            // A stopped DirSync cannot run that cycle: a cut-short one holds the cutover.
            guards::guard_dirsync_cycle_complete(&installation).map_err(|r| self.refuse(r))?;
        }
        let host = installation.hostname;
        let method = self.options.cutover;
        let stopped_at = self.clock.now();
        let change = match method {
            CutoverMethod::Uninstall => {
                self.dirsync
                    .uninstall()
                    .await
                    .map_err(port("uninstall DirSync"))?;
                Change::DirSyncUninstalled { host }
            }
            CutoverMethod::Disable if !was_running => {
                self.checked(
                    Check::DirSyncInstallation,
                    true,
                    format!("DirSync on {host} is already disabled"),
                );
                return Ok(None);
            }
            CutoverMethod::Disable => {
                self.dirsync
                    .disable_service()
                    .await
                    .map_err(port("disable DirSync"))?;
                Change::DirSyncDisabled { host }
            }
        };
        self.emit(EventKind::Changed {
            server: ServerRole::DirSync,
            change,
        });
        if !was_running {
            return Ok(None);
        }
        self.state.dirsync_stopped_at = Some(stopped_at);
        self.connect_catches_up().await?;
        Ok(Some(stopped_at))
    }

    /// Refuses (`staging_not_verified`) unless the staging server's initial cycle completed
    /// without errors.
    async fn require_initial_cycle(&mut self) -> Result<(), UpgradeError> {
        let history = self
            .connect
            .run_history()
            .await
            .map_err(port("read run history"))?;
        let cycle = verify::check_initial_cycle(&history);
        if cycle.verified() {
            self.state.initial_cycle_verified_at = Some(self.clock.now());
            return Ok(());
        }
        Err(self.refuse(crate::events::Refusal::StagingNotVerified {
            missing: cycle.problems,
        }))
    }

    /// Turns staging mode off through "Configure staging mode". Refused while DirSync runs,
    /// while another Connect server is the active one, and until a staging server's initial
    /// cycle completed without errors.
    pub async fn disable_staging(&mut self) -> Result<SimTime, UpgradeError> {
        let installed = self
            .connect
            .installation()
            .await
            .map_err(port("look at the Connect installation"))?
            .ok_or(UpgradeError::OutOfOrder {
                step: "turning staging mode off",
                needs: "an installed Azure AD Connect",
            })?;
        let discovery = self
            .dirsync
            .discover()
            .await
            .map_err(port("look at DirSync"))?;
        guards::guard_staging_off(&discovery).map_err(|r| self.refuse(r))?;
        // An in-place server is active from its install: only a staging server needs a clean
        // initial cycle before it exports.
        if installed.staging {
            self.require_initial_cycle().await?;
        }
        guards::guard_one_active_connect(
            self.state.active_connect_host.as_deref(),
            &installed.hostname,
        )
        .map_err(|r| self.refuse(r))?;
        assert_verified_before_export(installed.staging, self.state.initial_cycle_verified_at);
        self.connect
            .set_staging_mode(false)
            .await
            .map_err(port("turn staging mode off"))?;
        let at = self.clock.now();
        self.emit(EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::StagingMode {
                host: installed.hostname.clone(),
                enabled: false,
            },
        });
        self.mark_active(
            &installed.hostname,
            at,
            "staging mode is off: Azure AD Connect is the active server; do not switch back \
             to DirSync",
        );
        Ok(at)
    }

    /// Confirms Connect's first export after the switch: one in run history, or one run now.
    pub async fn confirm_first_export(&mut self) -> Result<FirstExport, UpgradeError> {
        let since = self
            .state
            .connect_active_since
            .ok_or(UpgradeError::OutOfOrder {
                step: "confirming the first export",
                needs: "turning staging mode off",
            })?;
        let history = self
            .connect
            .run_history()
            .await
            .map_err(port("read run history"))?;
        let seen = history.into_iter().find(|r| {
            r.connector == Connector::AzureAd
                && r.profile == RunProfile::Export
                && r.started >= since
        });
        let (record, by_engine) = if let Some(r) = seen {
            (r, false)
        } else {
            let r = self
                .connect
                .run_profile(Connector::AzureAd, RunProfile::Export)
                .await
                .map_err(port("run the first export"))?;
            self.emit(EventKind::Changed {
                server: ServerRole::Connect,
                change: Change::RunProfile {
                    connector: Connector::AzureAd,
                    profile: RunProfile::Export,
                    status: r.status.as_str().to_string(),
                },
            });
            (r, true)
        };
        let clean = record.status.is_clean();
        self.checked(
            Check::FirstExport,
            clean,
            format!(
                "Export on the Azure AD connector ended {} at {} ({} adds, {} updates, {} \
                 deletes)",
                record.status,
                record.ended,
                record.stats.adds,
                record.stats.updates,
                record.stats.deletes
            ),
        );
        self.state.first_export_at = Some(record.ended);
        Ok(FirstExport {
            at: record.ended,
            status: record.status.as_str().to_string(),
            run_by_engine: by_engine,
        })
    }

    /// The whole switch: refuses unless the staging server's initial cycle is verified, then
    /// stops DirSync, turns staging off, confirms the first export and reports the sync gap.
    pub async fn cut_over(&mut self) -> Result<CutoverReport, UpgradeError> {
        let installed = self
            .connect
            .installation()
            .await
            .map_err(port("look at the Connect installation"))?;
        if installed.is_none() {
            return Err(UpgradeError::OutOfOrder {
                step: "the cutover",
                needs: "Azure AD Connect installed on the new server",
            });
        }
        self.require_initial_cycle().await?;
        let stopped = self.stop_dirsync().await?;
        let staging_off_at = self.disable_staging().await?;
        let first = self.confirm_first_export().await?;
        let first_export_at = first.at;
        let gap_start = stopped
            .or(self.state.dirsync_stopped_at)
            .unwrap_or(staging_off_at);
        let sync_gap = sync_gap(gap_start, staging_off_at, first_export_at);
        self.decided(
            Decision::SyncGap { gap: sync_gap },
            format!(
                "nothing exported to Azure AD from {gap_start} (DirSync stopped) to \
                 {first_export_at} (Connect's first export)"
            ),
        );
        Ok(CutoverReport {
            method: self.options.cutover,
            dirsync_stopped_at: stopped,
            staging_off_at,
            first_export_at,
            first_export_status: first.status,
            export_run_by_engine: first.run_by_engine,
            sync_gap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_the_floor_unless_twice_the_estimate_is_longer() {
        let h = SimDuration::from_hours;
        assert_eq!(initial_cycle_wait_limit(None), h(72));
        assert_eq!(initial_cycle_wait_limit(Some(h(10))), h(72));
        assert_eq!(initial_cycle_wait_limit(Some(h(36))), h(72));
        assert_eq!(initial_cycle_wait_limit(Some(h(37))), h(74));
        assert_eq!(initial_cycle_wait_limit(Some(h(600))), h(1200));
        assert_eq!(
            initial_cycle_wait_limit(Some(SimDuration(u64::MAX))),
            SimDuration(u64::MAX)
        );
    }

    #[test]
    fn the_gap_runs_from_dirsyncs_stop_to_the_first_export() {
        let gap = sync_gap(SimTime(1_000), SimTime(2_000), SimTime(5_000));
        assert_eq!(gap, SimDuration(4_000));
        assert_eq!(
            sync_gap(SimTime(7), SimTime(7), SimTime(7)),
            SimDuration::ZERO
        );
    }

    #[test]
    fn a_verified_or_in_place_server_may_go_active() {
        assert_verified_before_export(true, Some(SimTime(5)));
        assert_verified_before_export(false, None);
    }

    #[test]
    #[should_panic(expected = "only after its initial cycle was verified")]
    fn staging_off_before_verification_fires() {
        assert_verified_before_export(true, None);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "DirSync stops before staging mode goes off")]
    fn staging_off_before_dirsync_stopped_fires() {
        sync_gap(SimTime(3_000), SimTime(2_000), SimTime(5_000));
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "Connect's first export comes after staging mode went off")]
    fn a_first_export_before_staging_off_fires() {
        sync_gap(SimTime(1_000), SimTime(2_000), SimTime(1_500));
    }
}
