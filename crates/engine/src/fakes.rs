//! Small in-memory fakes of the ports for the engine's own orchestration tests. They share one
//! millisecond counter as their clock; each keeps just enough state to answer like the real
//! servers do for the steps under test.

use crate::ports::*;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;
use upgrade_lab_model::sync::Connector;
use upgrade_lab_model::{
    Credential, DirSyncConfig, ObjectCounts, PendingExport, RunProfile, RunRecord, RunStats,
    RunStatus, ServerEnvironment, SimDuration, SimTime, Version,
};

pub type Time = Rc<Cell<u64>>;

fn advance(time: &Time, d: SimDuration) {
    time.set(time.get() + d.as_millis());
}

pub struct FakeClock(pub Time);

impl Clock for FakeClock {
    fn now(&self) -> SimTime {
        SimTime(self.0.get())
    }
    async fn sleep(&self, duration: SimDuration) {
        advance(&self.0, duration);
    }
}

pub struct FakeDirSync {
    pub time: Time,
    /// Its run history: the cycles `start_sync_cycle` ran.
    pub history: Vec<RunRecord>,
    pub discovery: DirSyncDiscovery,
    pub files: BTreeMap<String, Vec<u8>>,
    pub calls: Vec<&'static str>,
    /// Calls (by method name) that fail with the given error.
    pub failures: BTreeMap<&'static str, PortError>,
}

impl FakeDirSync {
    fn call(&mut self, name: &'static str) -> Result<(), PortError> {
        self.calls.push(name);
        match self.failures.get(name) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    pub fn new(time: Time, users: u64) -> Self {
        let installation = DirSyncInstallation {
            hostname: "DIRSYNC01".into(),
            config: DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com"),
            object_counts: ObjectCounts {
                users,
                groups: 0,
                contacts: 0,
            },
            domains: vec!["contoso.com".into()],
            service_running: true,
            unexported_import: None,
        };
        Self {
            time,
            history: Vec::new(),
            discovery: DirSyncDiscovery::Installed(installation),
            files: BTreeMap::new(),
            calls: Vec::new(),
            failures: BTreeMap::new(),
        }
    }

    pub fn installation_mut(&mut self) -> &mut DirSyncInstallation {
        match &mut self.discovery {
            DirSyncDiscovery::Installed(i) => i,
            DirSyncDiscovery::NotInstalled { .. } => panic!("DirSync is not installed"),
        }
    }

    fn set_running(&mut self, running: bool) -> Result<(), PortError> {
        match &mut self.discovery {
            DirSyncDiscovery::Installed(i) => {
                i.service_running = running;
                Ok(())
            }
            DirSyncDiscovery::NotInstalled { .. } => Err(PortError::new(
                PortErrorKind::NotInstalled,
                "DirSync is not installed",
            )),
        }
    }
}

impl DirSyncServer for FakeDirSync {
    async fn discover(&mut self) -> Result<DirSyncDiscovery, PortError> {
        if let Some(e) = self.failures.get("discover") {
            return Err(e.clone());
        }
        Ok(self.discovery.clone())
    }
    async fn disable_service(&mut self) -> Result<(), PortError> {
        self.call("disable_service")?;
        self.set_running(false)
    }
    async fn enable_service(&mut self) -> Result<(), PortError> {
        self.call("enable_service")?;
        self.set_running(true)
    }
    async fn uninstall(&mut self) -> Result<(), PortError> {
        self.call("uninstall")?;
        advance(&self.time, SimDuration::from_mins(15));
        self.discovery = DirSyncDiscovery::NotInstalled {
            uninstalled_at: Some(SimTime(self.time.get())),
        };
        Ok(())
    }
    async fn start_sync_cycle(&mut self) -> Result<Vec<RunRecord>, PortError> {
        self.call("start_sync_cycle")?;
        // A cycle takes a minute: a delta import, then an export.
        advance(&self.time, SimDuration::from_mins(1));
        let now = SimTime(self.time.get());
        let run = |connector, profile| RunRecord {
            connector,
            profile,
            started: now,
            ended: now,
            status: upgrade_lab_model::RunStatus::Success,
            stats: RunStats::default(),
            errors: Vec::new(),
        };
        let cycle = vec![
            run(Connector::ActiveDirectory, RunProfile::DeltaImport),
            run(Connector::AzureAd, RunProfile::Export),
        ];
        self.history.extend(cycle.iter().cloned());
        Ok(cycle)
    }
    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError> {
        self.call("run_history")?;
        Ok(self.history.clone())
    }
    async fn reset_service_account_password(
        &mut self,
        _enterprise_admin: &Credential,
    ) -> Result<(), PortError> {
        self.call("reset_service_account_password")?;
        Ok(())
    }
    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        self.files.insert(path.to_string(), bytes);
        Ok(())
    }
    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| PortError::new(PortErrorKind::FileNotFound, path))
    }
}

pub struct FakeConnect {
    pub time: Time,
    pub env: ServerEnvironment,
    pub installation: Option<ConnectInstallation>,
    pub history: Vec<RunRecord>,
    pub pending: Vec<PendingExport>,
    pub files: BTreeMap<String, Vec<u8>>,
    pub requests: Vec<InstallRequest>,
    /// How long the initial cycle the installer starts runs before its four runs show in the
    /// history (`None`: they are there when the installer returns).
    pub initial_cycle_takes: Option<SimDuration>,
    /// When a started initial cycle will have finished, until `run_history` records it.
    cycle_due: Option<u64>,
}

impl FakeConnect {
    pub fn new(time: Time, hostname: &str) -> Self {
        Self {
            time,
            env: ServerEnvironment::current(hostname),
            installation: None,
            history: Vec::new(),
            pending: Vec::new(),
            files: BTreeMap::new(),
            requests: Vec::new(),
            initial_cycle_takes: None,
            cycle_due: None,
        }
    }

    /// Records the four runs of the initial cycle, ending now.
    fn record_initial_cycle(&mut self) {
        for (c, p) in crate::verify::REQUIRED_RUNS {
            self.record(c, p);
        }
    }

    fn record(&mut self, connector: Connector, profile: RunProfile) -> RunRecord {
        let started = SimTime(self.time.get());
        advance(&self.time, SimDuration::from_mins(10));
        let mut stats = RunStats::default();
        if profile == RunProfile::Export {
            let staging = self.installation.as_ref().is_none_or(|i| i.staging);
            if !staging {
                stats.adds = self.pending.len() as u64;
                self.pending.clear();
            }
        }
        let record = RunRecord {
            connector,
            profile,
            started,
            ended: SimTime(self.time.get()),
            status: RunStatus::Success,
            stats,
            errors: Vec::new(),
        };
        self.history.push(record.clone());
        record
    }
}

impl ConnectServer for FakeConnect {
    async fn environment(&mut self) -> Result<ServerEnvironment, PortError> {
        Ok(self.env.clone())
    }
    async fn installation(&mut self) -> Result<Option<ConnectInstallation>, PortError> {
        Ok(self.installation.clone())
    }
    async fn install(&mut self, request: InstallRequest) -> Result<InstallReceipt, PortError> {
        if self.installation.is_some() {
            return Err(PortError::new(PortErrorKind::AlreadyInstalled, "installed"));
        }
        advance(&self.time, SimDuration::from_hours(1));
        self.installation = Some(ConnectInstallation {
            hostname: self.env.hostname.clone(),
            version: Version::new(&[2, 5, 79, 0]),
            staging: request.staging,
            service_running: true,
            sql: request.sql.clone(),
        });
        let start_sync = request.start_sync;
        self.requests.push(request);
        match (start_sync, self.initial_cycle_takes) {
            (false, _) => {}
            (true, None) => self.record_initial_cycle(),
            (true, Some(d)) => self.cycle_due = Some(self.time.get() + d.as_millis()),
        }
        Ok(InstallReceipt {
            finished_at: SimTime(self.time.get()),
            version: Version::new(&[2, 5, 79, 0]),
            sign_out_required: true,
        })
    }
    async fn set_staging_mode(&mut self, enabled: bool) -> Result<(), PortError> {
        let i = self
            .installation
            .as_mut()
            .ok_or_else(|| PortError::new(PortErrorKind::NotInstalled, "not installed"))?;
        i.staging = enabled;
        Ok(())
    }
    async fn run_profile(
        &mut self,
        connector: Connector,
        profile: RunProfile,
    ) -> Result<RunRecord, PortError> {
        Ok(self.record(connector, profile))
    }
    async fn run_history(&mut self) -> Result<Vec<RunRecord>, PortError> {
        if self.cycle_due.is_some_and(|due| self.time.get() >= due) {
            self.cycle_due = None;
            self.record_initial_cycle();
        }
        Ok(self.history.clone())
    }
    async fn pending_exports(&mut self) -> Result<Vec<PendingExport>, PortError> {
        Ok(self.pending.clone())
    }
    async fn write_file(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), PortError> {
        self.files.insert(path.to_string(), bytes);
        Ok(())
    }
    async fn read_file(&mut self, path: &str) -> Result<Vec<u8>, PortError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| PortError::new(PortErrorKind::FileNotFound, path))
    }
}

pub struct FakeAd {
    pub enterprise_admins: Vec<(String, String)>,
    /// The changes AD made, all at `changed_at`.
    pub changes: AdChanges,
    pub changed_at: SimTime,
    /// When set, every call fails with it (a domain controller that does not answer).
    pub failure: Option<PortError>,
}

impl OnPremAd for FakeAd {
    async fn is_enterprise_admin(&mut self, credential: &Credential) -> Result<bool, PortError> {
        if let Some(e) = &self.failure {
            return Err(e.clone());
        }
        let known = self
            .enterprise_admins
            .iter()
            .any(|(a, p)| *a == credential.account && p == credential.password.expose());
        Ok(known)
    }
    async fn changes_since(&mut self, since: SimTime) -> Result<AdChanges, PortError> {
        if since < self.changed_at || since == SimTime::START {
            Ok(self.changes.clone())
        } else {
            Ok(AdChanges::default())
        }
    }
}

pub struct FakeTenant {
    /// account, password, Hybrid Identity Administrator
    pub accounts: Vec<(String, String, bool)>,
    pub status: TenantSyncStatus,
}

impl AzureTenant for FakeTenant {
    async fn sign_in(&mut self, credential: &Credential) -> Result<TenantSession, PortError> {
        self.accounts
            .iter()
            .find(|(a, p, _)| {
                a.eq_ignore_ascii_case(&credential.account) && p == credential.password.expose()
            })
            .map(|(a, _, admin)| TenantSession {
                account: a.clone(),
                is_hybrid_identity_admin: *admin,
            })
            .ok_or_else(|| {
                PortError::new(
                    PortErrorKind::InvalidCredentials,
                    "AADSTS50126: Invalid grant: invalid username or password",
                )
            })
    }
    async fn sync_status(&mut self) -> Result<TenantSyncStatus, PortError> {
        Ok(self.status.clone())
    }
}

/// The fakes as one set of ports.
pub struct FakePorts;

impl Ports for FakePorts {
    type DirSync = FakeDirSync;
    type Connect = FakeConnect;
    type Ad = FakeAd;
    type Tenant = FakeTenant;
    type Clock = FakeClock;
}
