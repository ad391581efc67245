//! An Azure AD Connect server's port: machine facts, the installer (once), "Configure staging
//! mode", run profiles, run history, pending exports (csexport) and its files.

use super::{
    azure_sign_in, connectivity_error, down, hook, port_hit, read_host_file, wait, write_host_file,
};
use crate::connect_server::{self, ConnectServer, DEFAULT_INSTALL_LOCATION, connect_version};
use crate::faults::{Connectivity, FaultHit, SQL_DOWN_TEXT, operations};
use crate::sync::SyncEngine;
use crate::tenant::ledger::Incident;
use crate::world::runs::{self, ServerId};
use crate::world::{Shared, WorldState, host_key, scheduler};
use std::rc::Rc;
use upgrade_lab_engine::ports::{
    ConnectInstallation, ConnectServer as ConnectServerPort, InstallMode, InstallReceipt,
    InstallRequest, PortError, PortErrorKind, ServiceAccount, SqlChoice,
};
use upgrade_lab_model::environment::EndpointReach;
use upgrade_lab_model::{
    Connector, PendingExport, RunProfile, RunRecord, ServerEnvironment, SimTime,
};

/// An Azure AD Connect server (installed or not yet).
#[derive(Clone, Debug)]
pub struct ConnectPort {
    shared: Rc<Shared>,
    host: String,
}

impl ConnectPort {
    pub(crate) fn new(shared: Rc<Shared>, host: String) -> Self {
        Self { shared, host }
    }
}

impl ConnectPort {
    /// The host this port's Connect server runs on (canonical, upper case).
    pub fn hostname(&self) -> &str {
        &self.host
    }

    /// Reads the installed server's sync engine.
    fn with_engine<R>(
        &self,
        read: impl FnOnce(&SyncEngine, &crate::ad::ActiveDirectory) -> R,
    ) -> Result<R, PortError> {
        let st = self.shared.state.borrow();
        st.connects
            .get(&self.host)
            .map(|c| read(&c.engine, &st.ad))
            .ok_or_else(|| {
                PortError::new(
                    PortErrorKind::NotInstalled,
                    format!("Azure AD Connect is not installed on {}", self.host),
                )
            })
    }

    fn installed_check(&self, operation: &str) -> Result<(), PortError> {
        down(&self.shared, &self.host, operation)?;
        if self.shared.state.borrow().connects.contains_key(&self.host) {
            Ok(())
        } else {
            Err(PortError::new(
                PortErrorKind::NotInstalled,
                format!("Azure AD Connect is not installed on {}", self.host),
            ))
        }
    }

    fn start_background(&self) {
        let mut st = self.shared.state.borrow_mut();
        let Some(c) = st.connects.get_mut(&self.host) else {
            return;
        };
        if c.scheduler_started {
            return;
        }
        c.scheduler_started = true;
        tokio::task::spawn_local(scheduler::connect(self.shared.clone(), self.host.clone()));
        tokio::task::spawn_local(scheduler::password_hash_sync(
            self.shared.clone(),
            ServerId::Connect(self.host.clone()),
        ));
    }

    fn check_install(&self, request: &InstallRequest) -> Result<(), PortError> {
        let op = operations::CONNECT_INSTALL;
        connectivity_error(&self.shared, &self.host, op)?;
        let is_admin = azure_sign_in(&self.shared, &request.azure_ad, (&self.host, op))?;
        if !is_admin {
            return Err(PortError::new(
                PortErrorKind::InvalidCredentials,
                "The account must hold the Hybrid Identity Administrator or Global Administrator role",
            ));
        }
        let now = self.shared.now();
        let st = self.shared.state.borrow();
        if !st.ad.is_enterprise_admin(&request.enterprise_admin) {
            return Err(PortError::new(
                PortErrorKind::InvalidCredentials,
                format!(
                    "'{}' is not a member of Enterprise Admins or its password is wrong",
                    request.enterprise_admin.account
                ),
            ));
        }
        if request.mode == InstallMode::InPlace {
            self.check_in_place(&st, request)?;
        }
        if let SqlChoice::Existing(sql) = &request.sql
            && sql.is_full()
            && let Some(id) = st.faults.sql_down(&self.host, now)
        {
            drop(st);
            port_hit(&self.shared, id, &self.host, op);
            return Err(PortError::new(
                PortErrorKind::SqlInstanceDown,
                SQL_DOWN_TEXT,
            ));
        }
        self.check_remote_sql(request)
    }

    /// An in-place upgrade runs on the DirSync server and signs in with DirSync's account.
    fn check_in_place(&self, st: &WorldState, request: &InstallRequest) -> Result<(), PortError> {
        if host_key(&st.dirsync_host) != self.host {
            return Err(PortError::new(
                PortErrorKind::Unsupported,
                format!(
                    "an in-place upgrade runs on the DirSync server {}, not on {}",
                    st.dirsync_host, self.host
                ),
            ));
        }
        if let Some(d) = &st.dirsync
            && !d
                .config
                .azure_ad_account
                .eq_ignore_ascii_case(&request.azure_ad.account)
        {
            return Err(PortError::new(
                PortErrorKind::InvalidCredentials,
                format!(
                    "the in-place upgrade must sign in with the account DirSync uses ({}), \
                     not {}",
                    d.config.azure_ad_account, request.azure_ad.account
                ),
            ));
        }
        Ok(())
    }

    /// A SQL Server on another host needs the sync service to run as a domain account.
    fn check_remote_sql(&self, request: &InstallRequest) -> Result<(), PortError> {
        if let SqlChoice::Existing(upgrade_lab_model::SqlBackend::Full { server, .. }) =
            &request.sql
            && !server.eq_ignore_ascii_case(&self.host)
            && !matches!(request.service_account, ServiceAccount::Domain { .. })
        {
            return Err(PortError::new(
                PortErrorKind::Unsupported,
                format!(
                    "SQL Server {server} is remote from {}: the sync service must run as a domain \
                     service account",
                    self.host
                ),
            ));
        }
        Ok(())
    }

    /// The installer run again on a host that has Connect: recorded, and refused.
    fn refuse_rerun(&self, now: SimTime) -> Result<(), PortError> {
        let mut st = self.shared.state.borrow_mut();
        let Some(c) = st.connects.get_mut(&self.host) else {
            return Ok(());
        };
        c.installer_runs += 1;
        st.tenant.ledger.incidents.push(Incident::InstallerRerun {
            at: now,
            host: self.host.clone(),
        });
        Err(PortError::new(
            PortErrorKind::AlreadyInstalled,
            format!(
                "Azure AD Connect is already installed on {}; change it with the \
                 configuration wizard, not the installer",
                self.host
            ),
        ))
    }

    /// "When you select Upgrade, DirSync is uninstalled" (the upgrade document): an in-place
    /// install first inspects the DirSync it runs on, then removes it.
    async fn uninstall_dirsync_here(&self, mode: InstallMode) -> Result<(), PortError> {
        let dirsync_here = mode == InstallMode::InPlace
            && self
                .shared
                .state
                .borrow()
                .dirsync
                .as_ref()
                .is_some_and(|d| d.installed);
        if !dirsync_here {
            return Ok(());
        }
        let now = self.shared.now();
        if let Some(d) = self.shared.state.borrow_mut().dirsync.as_mut() {
            d.inspected_at.get_or_insert(now);
        }
        let mut dirsync = super::DirSyncPort::new(self.shared.clone());
        upgrade_lab_engine::ports::DirSyncServer::uninstall(&mut dirsync).await
    }

    /// The installed server enters the world at `finished_at`, with the ledger's incidents of
    /// the install (a SQL instance DirSync uses, a blocked configuration migrated, the sign-out
    /// the wizard asks for).
    fn commit_install(&self, mut request: InstallRequest, finished_at: SimTime) {
        let mut st = self.shared.state.borrow_mut();
        let st = &mut *st;
        install_incidents(st, &self.host, &request.sql, finished_at);
        if let Some(bug) = st.planted_bug {
            bug.sabotage_settings(&mut request.settings);
        }
        let server = new_server(st, &self.host, request, finished_at);
        st.connects.insert(self.host.clone(), server);
        st.tenant.ledger.incidents.push(Incident::SignOutRequired {
            at: finished_at,
            host: self.host.clone(),
        });
        st.refresh_exporters(finished_at);
    }
}

/// The ledger's incidents of an install on `host`: a SQL instance the installed DirSync uses
/// on another host, a DirSync configuration with blockers migrated.
fn install_incidents(st: &mut WorldState, host: &str, sql: &SqlChoice, at: SimTime) {
    if let SqlChoice::Existing(sql) = sql
        && let Some(d) = st.dirsync.as_ref()
        && d.installed
        && host_key(&d.host) != host
        && (d.config.sql.same_instance(sql))
    {
        st.tenant
            .ledger
            .incidents
            .push(Incident::SharedSqlInstance {
                at,
                host: host.to_string(),
                instance: sql.display_name(),
            });
    }
    let blockers: Vec<String> = st
        .dirsync
        .as_ref()
        .map(|d| {
            d.config
                .blockers()
                .iter()
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default();
    if !blockers.is_empty() {
        st.tenant
            .ledger
            .incidents
            .push(Incident::BlockedConfigurationMigrated {
                at,
                host: host.to_string(),
                reasons: blockers,
            });
    }
}

/// The Connect server an install request makes on `host`, installed at `finished_at`.
fn new_server(
    st: &WorldState,
    host: &str,
    request: InstallRequest,
    finished_at: SimTime,
) -> ConnectServer {
    // `/migrate` always installs in staging mode (the upgrade document).
    let staging = request.staging || request.mode == InstallMode::Migrate;
    let hex = crate::rng::child_seed(st.seed, host) & 0xffff_ffff_ffff;
    let objects = st.ad.live_count();
    ConnectServer {
        host: host.to_string(),
        version: connect_version(),
        mode: request.mode,
        install_location: request
            .install_location
            .clone()
            .unwrap_or_else(|| DEFAULT_INSTALL_LOCATION.to_string()),
        sql: request.sql.clone(),
        service_account: request.service_account.clone(),
        staging,
        service_running: true,
        engine: SyncEngine::new(connect_server::sync_config(&request.settings), objects),
        password_hash_sync: request.settings.features.password_sync,
        settings: request.settings,
        azure_account: format!("Sync_{host}_{hex:012x}@{}", st.tenant.initial_domain),
        phs_watermark: SimTime::START,
        installed_at: finished_at,
        sign_out_pending: true,
        installer_runs: 1,
        scheduler_started: false,
    }
}

impl ConnectServerPort for ConnectPort {
    async fn environment(&mut self) -> Result<ServerEnvironment, PortError> {
        down(&self.shared, &self.host, "connect.environment")?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        let st = self.shared.state.borrow();
        let mut env = st
            .environments
            .get(&self.host)
            .cloned()
            .unwrap_or_else(|| ServerEnvironment::current(&self.host));
        if let Some((id, c, _)) = st.faults.azure_connectivity(&self.host, now) {
            st.faults.hit(
                id,
                FaultHit::PortCall {
                    at: now,
                    host: self.host.clone(),
                    operation: "connect.environment (endpoints unreachable)".into(),
                },
            );
            let reach = match c {
                Connectivity::Unreachable => EndpointReach::Unreachable,
                Connectivity::Proxy407 => EndpointReach::ProxyAuthRequired407,
                Connectivity::Proxy403 => EndpointReach::ProxyForbidden403,
            };
            for e in &mut env.endpoints {
                e.reach = reach;
            }
        }
        Ok(env)
    }

    async fn installation(&mut self) -> Result<Option<ConnectInstallation>, PortError> {
        down(&self.shared, &self.host, "connect.installation")?;
        let st = self.shared.state.borrow();
        Ok(st.connects.get(&self.host).map(|c| ConnectInstallation {
            hostname: c.host.clone(),
            version: c.version.clone(),
            staging: c.staging,
            service_running: c.service_running,
            sql: c.sql.clone(),
        }))
    }

    async fn install(&mut self, request: InstallRequest) -> Result<InstallReceipt, PortError> {
        hook(&self.shared, operations::CONNECT_INSTALL, true);
        down(&self.shared, &self.host, operations::CONNECT_INSTALL)?;
        self.refuse_rerun(self.shared.now())?;
        self.check_install(&request)?;
        self.uninstall_dirsync_here(request.mode).await?;
        let install = self
            .shared
            .state
            .borrow()
            .timing
            .connect_install_and_configure();
        tokio::time::sleep(install.as_std()).await;
        down(&self.shared, &self.host, operations::CONNECT_INSTALL)?;
        let finished_at = self.shared.now();
        let start_sync = request.start_sync;
        self.commit_install(request, finished_at);
        if start_sync {
            self.start_background();
        }
        hook(&self.shared, operations::CONNECT_INSTALL, false);
        Ok(InstallReceipt {
            finished_at,
            version: connect_version(),
            sign_out_required: true,
        })
    }

    async fn set_staging_mode(&mut self, enabled: bool) -> Result<(), PortError> {
        let op = operations::CONNECT_SET_STAGING;
        hook(&self.shared, op, true);
        self.installed_check(op)?;
        connectivity_error(&self.shared, &self.host, op)?;
        // The wizard cannot change configuration while a cycle runs: wait for it.
        let lock = self.shared.lock_for(&self.host);
        let guard = lock.lock().await;
        let ms = self.shared.state.borrow().timing.connect_reconfigure_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        {
            let mut st = self.shared.state.borrow_mut();
            if let Some(c) = st.connects.get_mut(&self.host) {
                c.staging = enabled;
            }
            st.refresh_exporters(now);
        }
        drop(guard);
        if !enabled {
            // "Start the synchronization process" is ticked when leaving staging
            // (docs/real-systems.md, "Staging mode").
            self.start_background();
        }
        hook(&self.shared, operations::CONNECT_SET_STAGING, false);
        Ok(())
    }

    async fn run_profile(
        &mut self,
        connector: Connector,
        profile: RunProfile,
    ) -> Result<RunRecord, PortError> {
        hook(&self.shared, operations::CONNECT_RUN_PROFILE, true);
        let r = runs::run_profile(
            &self.shared,
            &ServerId::Connect(self.host.clone()),
            connector,
            profile,
        )
        .await;
        hook(&self.shared, operations::CONNECT_RUN_PROFILE, false);
        r
    }

    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError> {
        self.installed_check("connect.run_history")?;
        self.with_engine(|e, _| e.history.clone())
    }

    async fn pending_exports(&mut self) -> Result<Vec<PendingExport>, PortError> {
        self.installed_check("connect.pending_exports")?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        self.installed_check("connect.pending_exports")?;
        self.with_engine(crate::sync::SyncEngine::pending_exports)
    }

    async fn pending_exports_page(
        &mut self,
        from: usize,
        max: usize,
    ) -> Result<(Vec<PendingExport>, Option<usize>), PortError> {
        if from == 0 {
            // The query (and its time) is the first page's; the next pages read the same
            // instant's list.
            self.installed_check("connect.pending_exports")?;
            let ms = self.shared.state.borrow().timing.query_ms;
            wait(&self.shared, ms).await;
            self.installed_check("connect.pending_exports")?;
        }
        self.with_engine(|e, ad| e.pending_exports_page(ad, from, max))
    }

    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        down(&self.shared, &self.host, "connect.write_file")?;
        write_host_file(&self.shared, &self.host, path, bytes);
        Ok(())
    }

    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        down(&self.shared, &self.host, "connect.read_file")?;
        read_host_file(&self.shared, &self.host, path)
    }
}
