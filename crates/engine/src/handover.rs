//! DirSync's last sync cycle before it stops for good. A new Azure AD Connect server reads AD
//! as it stands: it never learns of an object deleted, or moved out of scope, before its first
//! import, so Azure AD would keep that object forever. Whatever AD changed since DirSync's last
//! export must therefore reach Azure AD through DirSync before DirSync is uninstalled (in
//! place) or stopped (at the cutover). The engine runs one manual cycle
//! (`Start-OnlineCoexistenceSync`) when there is such a backlog, and refuses to stop DirSync when
//! that cycle could not export.

use crate::events::{Change, Check, EventKind, Refusal, ServerRole};
use crate::ports::{ConnectServer, DirSyncServer, OnPremAd, Ports};
use crate::upgrade::{Upgrade, UpgradeError, port};
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{RunProfile, RunRecord, RunStatus, SimTime};

/// Whether an export run wrote what it had: refused writes (Azure AD's own errors) stay with
/// the objects, they are not a backlog a later cycle would clear.
fn exported(r: &RunRecord) -> bool {
    r.connector == Connector::AzureAd
        && r.profile == RunProfile::Export
        && matches!(
            r.status,
            RunStatus::Success | RunStatus::CompletedNoObjects | RunStatus::CompletedExportErrors
        )
}

/// The start of DirSync's last AD import that an export followed: every AD change before it
/// reached Azure AD. The world DirSync was found in counts as exported up to its start.
pub fn covered_until(history: &[RunRecord]) -> SimTime {
    let mut covered = SimTime::START;
    for (i, r) in history.iter().enumerate() {
        let import = r.connector == Connector::ActiveDirectory
            && matches!(r.profile, RunProfile::FullImport | RunProfile::DeltaImport)
            && r.status.is_clean();
        if import
            && history[i..]
                .iter()
                .any(|e| exported(e) && e.started >= r.ended)
        {
            covered = covered.max(r.started);
        }
    }
    covered
}

impl<P: Ports> Upgrade<P> {
    /// Runs DirSync's last cycle when AD changed since its last export; refuses when that
    /// cycle did not export.
    pub(crate) async fn export_dirsync_backlog(&mut self) -> Result<(), UpgradeError> {
        let (covered, backlog, deletes) = self.dirsync_backlog().await?;
        if backlog == 0 {
            return Ok(());
        }
        let runs = self
            .dirsync
            .start_sync_cycle()
            .await
            .map_err(port("run DirSync's last sync cycle"))?;
        let export = runs
            .iter()
            .rev()
            .find(|r| r.connector == Connector::AzureAd && r.profile == RunProfile::Export);
        let status = export.map_or("not run".to_string(), |r| r.status.as_str().to_string());
        if let Some(r) = export {
            self.emit(EventKind::Changed {
                server: ServerRole::DirSync,
                change: Change::RunProfile {
                    connector: r.connector,
                    profile: r.profile,
                    status: status.clone(),
                },
            });
        }
        // The whole cycle must have worked: an import that failed leaves the export nothing.
        let (_, left, _) = self.dirsync_backlog().await?;
        let ok = left == 0;
        self.checked(
            Check::DirSyncBacklog,
            ok,
            format!(
                "DirSync's last cycle before it stops: {backlog} AD changes made since {covered} \
                 ({deletes} deletes), {left} left unexported; export {status}"
            ),
        );
        if !ok {
            return Err(self.refuse(Refusal::DirSyncBacklogNotExported {
                backlog: left,
                status,
            }));
        }
        Ok(())
    }

    /// Right after DirSync stopped at the cutover: the staging server imports and synchronises
    /// AD once, so every object DirSync exported last is in its connector space and a delete
    /// of it before Connect's next scheduled cycle still reaches Azure AD. Best effort: a
    /// failure is reported, DirSync stays stopped.
    pub(crate) async fn connect_catches_up(&mut self) -> Result<(), UpgradeError> {
        let Ok(history) = self.connect.run_history().await else {
            return Ok(());
        };
        let imported = history.iter().any(|r| {
            r.connector == Connector::ActiveDirectory
                && matches!(r.profile, RunProfile::FullImport | RunProfile::DeltaImport)
        });
        if !imported {
            return Ok(());
        }
        for profile in [RunProfile::DeltaImport, RunProfile::DeltaSynchronization] {
            let run = self
                .connect
                .run_profile(Connector::ActiveDirectory, profile)
                .await;
            let (ok, status) = match &run {
                Ok(r) => (r.status.is_clean(), r.status.as_str().to_string()),
                Err(e) => (false, e.message.clone()),
            };
            self.emit(EventKind::Changed {
                server: ServerRole::Connect,
                change: Change::RunProfile {
                    connector: Connector::ActiveDirectory,
                    profile,
                    status: status.clone(),
                },
            });
            if !ok {
                self.checked(
                    Check::ConnectCatchUp,
                    false,
                    format!(
                        "Azure AD Connect could not {profile} AD right after DirSync stopped ({status}): \
                         an object DirSync exported last and deleted before Connect's next cycle \
                         would stay in Azure AD"
                    ),
                );
                break;
            }
        }
        Ok(())
    }

    /// Since when DirSync has exported everything, how many AD changes came after, and how
    /// many of them are deletes.
    async fn dirsync_backlog(&mut self) -> Result<(SimTime, usize, usize), UpgradeError> {
        let history = self
            .dirsync
            .run_history()
            .await
            .map_err(port("read DirSync's run history"))?;
        let covered = covered_until(&history);
        let changes = self
            .ad
            .changes_since(covered)
            .await
            .map_err(port("read AD's changes"))?;
        let backlog = changes.added.len() + changes.updated.len() + changes.deleted.len();
        Ok((covered, backlog, changes.deleted.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(connector: Connector, profile: RunProfile, at: u64, status: RunStatus) -> RunRecord {
        RunRecord {
            connector,
            profile,
            started: SimTime(at),
            ended: SimTime(at + 10),
            status,
            stats: upgrade_lab_model::RunStats::default(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn an_import_counts_once_an_export_followed_it() {
        use Connector::{ActiveDirectory as Ad, AzureAd as Aad};
        assert_eq!(covered_until(&[]), SimTime::START);
        let h = [
            run(Ad, RunProfile::DeltaImport, 100, RunStatus::Success),
            run(
                Aad,
                RunProfile::Export,
                200,
                RunStatus::CompletedExportErrors,
            ),
            run(Ad, RunProfile::DeltaImport, 300, RunStatus::Success),
        ];
        assert_eq!(covered_until(&h), SimTime(100));
        let stopped = [
            run(Ad, RunProfile::DeltaImport, 100, RunStatus::Success),
            run(Aad, RunProfile::Export, 200, RunStatus::StoppedServerDown),
        ];
        assert_eq!(covered_until(&stopped), SimTime::START);
    }

    #[test]
    fn only_a_clean_ad_import_an_export_followed_counts() {
        use Connector::{ActiveDirectory as Ad, AzureAd as Aad};
        let export = run(Aad, RunProfile::Export, 500, RunStatus::Success);
        let covered = |first: RunRecord| covered_until(&[first, export.clone()]);
        // Azure AD's import, AD's synchronization, a failed AD import: none covers AD.
        assert_eq!(
            covered(run(Aad, RunProfile::DeltaImport, 100, RunStatus::Success)),
            SimTime::START
        );
        assert_eq!(
            covered(run(
                Ad,
                RunProfile::DeltaSynchronization,
                100,
                RunStatus::Success
            )),
            SimTime::START
        );
        assert_eq!(
            covered(run(
                Ad,
                RunProfile::FullImport,
                100,
                RunStatus::StoppedServerDown
            )),
            SimTime::START
        );
        assert_eq!(
            covered(run(Ad, RunProfile::FullImport, 100, RunStatus::Success)),
            SimTime(100)
        );
        // An export that started before the import ended does not carry it.
        let early = [
            run(Ad, RunProfile::DeltaImport, 100, RunStatus::Success),
            run(Aad, RunProfile::Export, 105, RunStatus::Success),
        ];
        assert_eq!(covered_until(&early), SimTime::START);
        // A later import an export followed moves the mark on; the latest wins.
        let two = [
            run(Ad, RunProfile::DeltaImport, 100, RunStatus::Success),
            run(Aad, RunProfile::Export, 200, RunStatus::Success),
            run(Ad, RunProfile::DeltaImport, 300, RunStatus::Success),
            run(Aad, RunProfile::Export, 400, RunStatus::CompletedNoObjects),
        ];
        assert_eq!(covered_until(&two), SimTime(300));
    }
}
