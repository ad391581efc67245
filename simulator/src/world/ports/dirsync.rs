//! The DirSync server's port: discover the installation, stop or start its service, uninstall
//! it (up to 15 minutes), reset its `MSOL_` account, and its files.

use super::{down, hook, read_host_file, wait, write_host_file};
use crate::faults::operations;
use crate::sync::SyncEngine;
use crate::tenant::ledger::Incident;
use crate::world::Shared;
use crate::world::runs::{self, ServerId};
use std::rc::Rc;
use upgrade_lab_engine::ports::{
    DirSyncDiscovery, DirSyncInstallation, DirSyncServer as DirSyncServerPort, PortError,
    PortErrorKind,
};
use upgrade_lab_model::{Credential, RunRecord};

/// The DirSync server.
#[derive(Clone, Debug)]
pub struct DirSyncPort {
    shared: Rc<Shared>,
}

impl DirSyncPort {
    pub(crate) fn new(shared: Rc<Shared>) -> Self {
        Self { shared }
    }
}

impl DirSyncPort {
    /// The DirSync server's host name, as the world was built with it.
    pub fn hostname(&self) -> String {
        self.shared.state.borrow().dirsync_host.clone()
    }

    /// Runs a manual sync cycle (`Start-OnlineCoexistenceSync`) and waits for it.
    pub(crate) async fn start_sync_cycle(&mut self) -> Vec<RunRecord> {
        runs::run_cycle(&self.shared, &ServerId::DirSync).await
    }

    /// DirSync's run history (miisclient's Operations tab).
    pub fn run_history(&self) -> Vec<RunRecord> {
        self.shared
            .state
            .borrow()
            .dirsync
            .as_ref()
            .map(|d| d.engine.history.clone())
            .unwrap_or_default()
    }

    fn installed_check(&self, operation: &str) -> Result<(), PortError> {
        let host = self.hostname();
        down(&self.shared, &host, operation)?;
        let st = self.shared.state.borrow();
        match &st.dirsync {
            Some(d) if d.installed => Ok(()),
            _ => Err(PortError::new(
                PortErrorKind::NotInstalled,
                format!("Windows Azure Active Directory sync tool is not installed on {host}"),
            )),
        }
    }

    async fn set_service(&mut self, running: bool, operation: &str) -> Result<(), PortError> {
        hook(&self.shared, operation, true);
        self.installed_check(operation)?;
        let ms = self.shared.state.borrow().timing.service_control_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        {
            let mut st = self.shared.state.borrow_mut();
            if let Some(d) = st.dirsync.as_mut() {
                d.service_running = running;
            }
            st.refresh_exporters(now);
        }
        if running {
            // The scheduler service runs a cycle when it starts (**inference**).
            let shared = self.shared.clone();
            tokio::task::spawn_local(async move {
                runs::run_cycle(&shared, &ServerId::DirSync).await;
            });
        }
        hook(&self.shared, operation, false);
        Ok(())
    }
}

/// When the last AD import of `history` started, if no export completed after it.
fn unexported_import(history: &[RunRecord]) -> Option<upgrade_lab_model::SimTime> {
    use upgrade_lab_model::{Connector, RunProfile};
    let import = history
        .iter()
        .filter(|r| r.connector == Connector::ActiveDirectory)
        .filter(|r| matches!(r.profile, RunProfile::FullImport | RunProfile::DeltaImport))
        .filter(|r| r.status.is_clean())
        .map(|r| r.started)
        .max()?;
    // An export that ran to its end, whatever it found; one a crash stopped did not.
    let exported = history.iter().any(|r| {
        r.profile == RunProfile::Export
            && r.started >= import
            && r.status != upgrade_lab_model::RunStatus::StoppedServerDown
    });
    (!exported).then_some(import)
}

impl DirSyncServerPort for DirSyncPort {
    async fn start_sync_cycle(&mut self) -> Result<Vec<RunRecord>, PortError> {
        self.installed_check(operations::DIRSYNC_SYNC_CYCLE)?;
        Ok(DirSyncPort::start_sync_cycle(self).await)
    }

    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError> {
        self.installed_check(operations::DIRSYNC_RUN_HISTORY)?;
        Ok(DirSyncPort::run_history(self))
    }

    async fn discover(&mut self) -> Result<DirSyncDiscovery, PortError> {
        hook(&self.shared, operations::DIRSYNC_DISCOVER, true);
        let host = self.hostname();
        down(&self.shared, &host, operations::DIRSYNC_DISCOVER)?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        if let Some(d) = self.shared.state.borrow_mut().dirsync.as_mut()
            && d.installed
        {
            d.inspected_at.get_or_insert(now);
        }
        let st = self.shared.state.borrow();
        let out = match &st.dirsync {
            Some(d) if d.installed => DirSyncDiscovery::Installed(DirSyncInstallation {
                hostname: d.host.clone(),
                config: d.config.clone(),
                object_counts: d.engine.object_counts(),
                domains: st.ad.domains.clone(),
                service_running: d.service_running,
                unexported_import: unexported_import(&d.engine.history),
            }),
            Some(d) => DirSyncDiscovery::NotInstalled {
                uninstalled_at: d.uninstalled_at,
            },
            None => DirSyncDiscovery::NotInstalled {
                uninstalled_at: None,
            },
        };
        drop(st);
        hook(&self.shared, operations::DIRSYNC_DISCOVER, false);
        Ok(out)
    }

    async fn disable_service(&mut self) -> Result<(), PortError> {
        self.set_service(false, operations::DIRSYNC_DISABLE).await
    }

    async fn enable_service(&mut self) -> Result<(), PortError> {
        self.set_service(true, operations::DIRSYNC_ENABLE).await
    }

    async fn uninstall(&mut self) -> Result<(), PortError> {
        hook(&self.shared, operations::DIRSYNC_UNINSTALL, true);
        self.installed_check(operations::DIRSYNC_UNINSTALL)?;
        let host = self.hostname();
        // Uninstalling stops the service: a running cycle finishes first.
        let lock = self.shared.lock_for(&host);
        let _guard = lock.lock().await;
        let duration = {
            let st = self.shared.state.borrow();
            let objects = st.dirsync.as_ref().map_or(0, |d| d.engine.mv.len() as u64);
            st.timing.dirsync_uninstall(objects)
        };
        tokio::time::sleep(duration.as_std()).await;
        down(&self.shared, &host, operations::DIRSYNC_UNINSTALL)?;
        let now = self.shared.now();
        {
            let mut st = self.shared.state.borrow_mut();
            let uninspected = st
                .dirsync
                .as_ref()
                .is_some_and(|d| d.inspected_at.is_none());
            if uninspected {
                st.tenant
                    .ledger
                    .incidents
                    .push(Incident::DirSyncUninstalledBeforeInspection {
                        at: now,
                        host: host.clone(),
                    });
            }
            if let Some(d) = st.dirsync.as_mut() {
                d.installed = false;
                d.service_running = false;
                d.uninstalled_at = Some(now);
                // The database goes with it.
                let empty = SyncEngine::new(d.engine.config.clone(), 0);
                let database = std::mem::replace(&mut d.engine, empty);
                st.retired.push(database);
            }
            st.refresh_exporters(now);
        }
        hook(&self.shared, operations::DIRSYNC_UNINSTALL, false);
        Ok(())
    }

    async fn reset_service_account_password(
        &mut self,
        enterprise_admin: &Credential,
    ) -> Result<(), PortError> {
        self.installed_check("dirsync.reset_service_account_password")?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        let mut st = self.shared.state.borrow_mut();
        if !st.ad.is_enterprise_admin(enterprise_admin) {
            return Err(PortError::new(
                PortErrorKind::InvalidCredentials,
                format!(
                    "'{}' is not a member of Enterprise Admins or its password is wrong; the \
                     MSOL_ account's password cannot be reset",
                    enterprise_admin.account
                ),
            ));
        }
        if let Some(d) = st.dirsync.as_mut() {
            d.service_account_reset_at = Some(now);
        }
        Ok(())
    }

    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        let host = self.hostname();
        down(&self.shared, &host, "dirsync.write_file")?;
        write_host_file(&self.shared, &host, path, bytes);
        Ok(())
    }

    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        let host = self.hostname();
        down(&self.shared, &host, "dirsync.read_file")?;
        read_host_file(&self.shared, &host, path)
    }
}
