//! The engine's ports as handles into the world: `DirSyncPort`, `ConnectPort` (one per host:
//! in place it targets the DirSync host, in parallel a new host), `AdPort`, `TenantPort` and
//! `ClockPort`. Every call spends modelled time and answers with the real systems' words,
//! including the faults active at that moment.
//!
//! It must not decide anything for the engine: guard rails are the engine's; the world only
//! records what happened (the ledger reports unsafe sequences).

use super::runs::{self, ServerId};
use super::{Shared, World, host_key, scheduler};
use crate::connect_server::{self, ConnectServer, DEFAULT_INSTALL_LOCATION, connect_version};
use crate::faults::{Connectivity, FaultKind, SERVER_DOWN_TEXT, SQL_DOWN_TEXT, operations};
use crate::sync::SyncEngine;
use crate::tenant::ledger::Incident;
use std::rc::Rc;
use upgrade_engine::ports::{
    AzureTenant, ChangeCounts, Clock, ConnectInstallation, ConnectServer as ConnectServerPort,
    DirSyncDiscovery, DirSyncInstallation, DirSyncServer as DirSyncServerPort, InstallMode,
    InstallReceipt, InstallRequest, OnPremAd, PortError, PortErrorKind, SqlChoice, TenantSession,
    TenantSyncStatus,
};
use upgrade_lab_model::environment::EndpointReach;
use upgrade_lab_model::{
    Connector, Credential, PendingExport, RunProfile, RunRecord, ServerEnvironment, SimDuration,
    SimTime,
};

impl World {
    /// The DirSync server's port.
    pub fn dirsync_port(&self) -> DirSyncPort {
        DirSyncPort {
            shared: self.shared.clone(),
        }
    }

    /// An Azure AD Connect server's port on `host` (the DirSync host for an in-place upgrade).
    pub fn connect_port(&self, host: &str) -> ConnectPort {
        ConnectPort {
            shared: self.shared.clone(),
            host: host_key(host),
        }
    }

    pub fn ad_port(&self) -> AdPort {
        AdPort {
            shared: self.shared.clone(),
        }
    }

    pub fn tenant_port(&self) -> TenantPort {
        TenantPort {
            shared: self.shared.clone(),
        }
    }

    pub fn clock(&self) -> ClockPort {
        ClockPort {
            shared: self.shared.clone(),
        }
    }
}

async fn wait(shared: &Shared, ms: u64) {
    let _ = shared;
    tokio::time::sleep(SimDuration(ms).as_std()).await;
}

fn hook(shared: &Shared, operation: &str, before: bool) {
    let now = shared.now();
    shared
        .state
        .borrow_mut()
        .faults
        .on_operation(operation, before, now);
}

fn down(shared: &Shared, host: &str) -> Result<(), PortError> {
    let now = shared.now();
    if shared.state.borrow().faults.server_down(host, now) {
        return Err(PortError::new(PortErrorKind::ServerDown, SERVER_DOWN_TEXT));
    }
    Ok(())
}

fn connectivity_error(shared: &Shared, host: &str) -> Result<(), PortError> {
    let now = shared.now();
    match shared.state.borrow().faults.azure_connectivity(host, now) {
        None => Ok(()),
        Some((c, text)) => Err(PortError::new(
            match c {
                Connectivity::Unreachable => PortErrorKind::EndpointUnreachable,
                Connectivity::Proxy407 => PortErrorKind::ProxyAuthenticationRequired,
                Connectivity::Proxy403 => PortErrorKind::ProxyForbidden,
            },
            text,
        )),
    }
}

/// Checks an Azure AD sign-in, faults on the account included.
fn azure_sign_in(shared: &Shared, credential: &Credential) -> Result<bool, PortError> {
    let now = shared.now();
    let st = shared.state.borrow();
    for k in st.faults.active(now) {
        match k {
            FaultKind::AzureCredentialsInvalid { account }
                if account.eq_ignore_ascii_case(&credential.account) =>
            {
                return Err(PortError::new(
                    PortErrorKind::InvalidCredentials,
                    "AADSTS50126: Error validating credentials due to invalid username or password. (Invalid grant)",
                ));
            }
            FaultKind::AzureCredentialsExpired { account }
                if account.eq_ignore_ascii_case(&credential.account) =>
            {
                return Err(PortError::new(
                    PortErrorKind::ExpiredCredentials,
                    "AADSTS50055: The password is expired.",
                ));
            }
            _ => {}
        }
    }
    st.tenant
        .check_sign_in(credential)
        .map_err(|(expired, text)| {
            let kind = if expired {
                PortErrorKind::ExpiredCredentials
            } else {
                PortErrorKind::InvalidCredentials
            };
            PortError::new(kind, text)
        })
}

fn read_host_file(shared: &Shared, host: &str, path: &str) -> Result<Vec<u8>, PortError> {
    shared
        .state
        .borrow()
        .files
        .get(&host_key(host))
        .and_then(|f| f.get(path))
        .cloned()
        .ok_or_else(|| {
            PortError::new(
                PortErrorKind::FileNotFound,
                format!("Could not find file '{path}' on {host}"),
            )
        })
}

fn write_host_file(shared: &Shared, host: &str, path: &str, bytes: Vec<u8>) {
    shared
        .state
        .borrow_mut()
        .files
        .entry(host_key(host))
        .or_default()
        .insert(path.to_string(), bytes);
}

/// The DirSync server.
#[derive(Clone, Debug)]
pub struct DirSyncPort {
    shared: Rc<Shared>,
}

impl DirSyncPort {
    pub fn hostname(&self) -> String {
        self.shared.state.borrow().dirsync_host.clone()
    }

    /// Runs a manual sync cycle (`Start-OnlineCoexistenceSync`) and waits for it.
    pub async fn start_sync_cycle(&mut self) -> Vec<RunRecord> {
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

    fn installed_check(&self) -> Result<(), PortError> {
        let host = self.hostname();
        down(&self.shared, &host)?;
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
        self.installed_check()?;
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

impl DirSyncServerPort for DirSyncPort {
    async fn discover(&mut self) -> Result<DirSyncDiscovery, PortError> {
        hook(&self.shared, operations::DIRSYNC_DISCOVER, true);
        let host = self.hostname();
        down(&self.shared, &host)?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let st = self.shared.state.borrow();
        let out = match &st.dirsync {
            Some(d) if d.installed => DirSyncDiscovery::Installed(DirSyncInstallation {
                hostname: d.host.clone(),
                config: d.config.clone(),
                object_counts: d.engine.object_counts(),
                domains: st.ad.domains.clone(),
                service_running: d.service_running,
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
        self.installed_check()?;
        let host = self.hostname();
        // Uninstalling stops the service: a running cycle finishes first.
        let lock = self.shared.lock_for(&host);
        let _guard = lock.lock().await;
        let duration = {
            let st = self.shared.state.borrow();
            let objects = st
                .dirsync
                .as_ref()
                .map(|d| d.engine.mv.len() as u64)
                .unwrap_or(0);
            st.timing.dirsync_uninstall(objects)
        };
        tokio::time::sleep(duration.as_std()).await;
        down(&self.shared, &host)?;
        let now = self.shared.now();
        {
            let mut st = self.shared.state.borrow_mut();
            if let Some(d) = st.dirsync.as_mut() {
                d.installed = false;
                d.service_running = false;
                d.uninstalled_at = Some(now);
                // The database goes with it.
                d.engine = SyncEngine::new(d.engine.config.clone(), 0);
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
        self.installed_check()?;
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
        down(&self.shared, &host)?;
        write_host_file(&self.shared, &host, path, bytes);
        Ok(())
    }

    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        let host = self.hostname();
        down(&self.shared, &host)?;
        read_host_file(&self.shared, &host, path)
    }
}

/// An Azure AD Connect server (installed or not yet).
#[derive(Clone, Debug)]
pub struct ConnectPort {
    shared: Rc<Shared>,
    host: String,
}

impl ConnectPort {
    pub fn hostname(&self) -> &str {
        &self.host
    }

    fn installed_check(&self) -> Result<(), PortError> {
        down(&self.shared, &self.host)?;
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
        connectivity_error(&self.shared, &self.host)?;
        let is_admin = azure_sign_in(&self.shared, &request.azure_ad)?;
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
            if host_key(&st.dirsync_host) != self.host {
                return Err(PortError::new(
                    PortErrorKind::Unsupported,
                    format!(
                        "an in-place upgrade runs on the DirSync server {}, not on {}",
                        st.dirsync_host, self.host
                    ),
                ));
            }
            if st.dirsync.as_ref().is_some_and(|d| d.installed) {
                return Err(PortError::new(
                    PortErrorKind::Unsupported,
                    format!(
                        "DirSync is still installed on {}: uninstall it first",
                        self.host
                    ),
                ));
            }
        }
        if let SqlChoice::Existing(sql) = &request.sql
            && sql.is_full()
            && st.faults.sql_down(&self.host, now)
        {
            return Err(PortError::new(
                PortErrorKind::SqlInstanceDown,
                SQL_DOWN_TEXT,
            ));
        }
        Ok(())
    }
}

impl ConnectServerPort for ConnectPort {
    async fn environment(&mut self) -> Result<ServerEnvironment, PortError> {
        down(&self.shared, &self.host)?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let now = self.shared.now();
        let st = self.shared.state.borrow();
        let mut env = st
            .environments
            .get(&self.host)
            .cloned()
            .unwrap_or_else(|| ServerEnvironment::current(&self.host));
        if let Some((c, _)) = st.faults.azure_connectivity(&self.host, now) {
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
        down(&self.shared, &self.host)?;
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
        down(&self.shared, &self.host)?;
        let now = self.shared.now();
        {
            let mut st = self.shared.state.borrow_mut();
            if let Some(c) = st.connects.get_mut(&self.host) {
                c.installer_runs += 1;
                st.tenant.ledger.incidents.push(Incident::InstallerRerun {
                    at: now,
                    host: self.host.clone(),
                });
                return Err(PortError::new(
                    PortErrorKind::AlreadyInstalled,
                    format!(
                        "Azure AD Connect is already installed on {}; change it with the \
                         configuration wizard, not the installer",
                        self.host
                    ),
                ));
            }
        }
        self.check_install(&request)?;
        let (install_ms, configure_ms) = {
            let st = self.shared.state.borrow();
            (st.timing.connect_install_ms, st.timing.connect_configure_ms)
        };
        tokio::time::sleep(SimDuration(install_ms + configure_ms).as_std()).await;
        down(&self.shared, &self.host)?;
        let finished_at = self.shared.now();
        let start_sync = request.start_sync;
        {
            let mut st = self.shared.state.borrow_mut();
            // `/migrate` always installs in staging mode (D1).
            let staging = request.staging || request.mode == InstallMode::Migrate;
            if let SqlChoice::Existing(sql) = &request.sql
                && let Some(d) = st.dirsync.as_ref()
                && d.installed
                && host_key(&d.host) != self.host
                && (d.config.sql.same_instance(sql))
            {
                st.tenant
                    .ledger
                    .incidents
                    .push(Incident::SharedSqlInstance {
                        at: finished_at,
                        host: self.host.clone(),
                        instance: sql.display_name(),
                    });
            }
            let hex = crate::rng::child_seed(st.seed, &self.host) & 0xffff_ffff_ffff;
            let objects = st.ad.live_count();
            let server = ConnectServer {
                host: self.host.clone(),
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
                azure_account: format!(
                    "Sync_{}_{hex:012x}@{}",
                    self.host, st.tenant.initial_domain
                ),
                phs_watermark: SimTime::START,
                installed_at: finished_at,
                sign_out_pending: true,
                installer_runs: 1,
                scheduler_started: false,
            };
            st.connects.insert(self.host.clone(), server);
            st.tenant.ledger.incidents.push(Incident::SignOutRequired {
                at: finished_at,
                host: self.host.clone(),
            });
            st.refresh_exporters(finished_at);
        }
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
        hook(&self.shared, operations::CONNECT_SET_STAGING, true);
        self.installed_check()?;
        connectivity_error(&self.shared, &self.host)?;
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
            // "Start the synchronization process" is ticked when leaving staging (STG).
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
        self.installed_check()?;
        Ok(self.shared.state.borrow().connects[&self.host]
            .engine
            .history
            .clone())
    }

    async fn pending_exports(&mut self) -> Result<Vec<PendingExport>, PortError> {
        self.installed_check()?;
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        self.installed_check()?;
        Ok(self.shared.state.borrow().connects[&self.host]
            .engine
            .pending_exports())
    }

    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        down(&self.shared, &self.host)?;
        write_host_file(&self.shared, &self.host, path, bytes);
        Ok(())
    }

    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        down(&self.shared, &self.host)?;
        read_host_file(&self.shared, &self.host, path)
    }
}

/// On-premises AD.
#[derive(Clone, Debug)]
pub struct AdPort {
    shared: Rc<Shared>,
}

impl OnPremAd for AdPort {
    async fn is_enterprise_admin(&mut self, credential: &Credential) -> Result<bool, PortError> {
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        Ok(self
            .shared
            .state
            .borrow()
            .ad
            .is_enterprise_admin(credential))
    }

    async fn changes_since(&mut self, since: SimTime) -> Result<ChangeCounts, PortError> {
        Ok(self.shared.state.borrow().ad.changes_since(since))
    }
}

/// The Azure AD tenant.
#[derive(Clone, Debug)]
pub struct TenantPort {
    shared: Rc<Shared>,
}

impl AzureTenant for TenantPort {
    async fn sign_in(&mut self, credential: &Credential) -> Result<TenantSession, PortError> {
        hook(&self.shared, operations::TENANT_SIGN_IN, true);
        let now = self.shared.now();
        let unreachable = self
            .shared
            .state
            .borrow()
            .faults
            .is_active(now, &FaultKind::AzureAdUnreachable);
        if unreachable {
            return Err(PortError::new(
                PortErrorKind::EndpointUnreachable,
                crate::faults::UNREACHABLE_TEXT,
            ));
        }
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let admin = azure_sign_in(&self.shared, credential)?;
        hook(&self.shared, operations::TENANT_SIGN_IN, false);
        Ok(TenantSession {
            account: credential.account.clone(),
            is_hybrid_identity_admin: admin,
        })
    }

    async fn sync_status(&mut self) -> Result<TenantSyncStatus, PortError> {
        let st = self.shared.state.borrow();
        Ok(TenantSyncStatus {
            last_export: st.tenant.ledger.last_export().map(|e| {
                (
                    e.ended,
                    format!("{} ({})", e.client.host, e.client.product.as_str()),
                )
            }),
            synced_objects: st.tenant.synced_count(),
        })
    }
}

/// The world's paused tokio clock.
#[derive(Clone, Debug)]
pub struct ClockPort {
    shared: Rc<Shared>,
}

impl Clock for ClockPort {
    fn now(&self) -> SimTime {
        self.shared.now()
    }

    async fn sleep(&self, duration: SimDuration) {
        tokio::time::sleep(duration.as_std()).await;
    }
}
