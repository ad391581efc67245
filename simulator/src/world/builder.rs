//! `World::builder()`: every knob is one documented method with a sensible default (turmoil
//! style). `build()` validates, lays out AD, the DirSync server and the tenant, starts the
//! runtime with a paused clock and spawns the background tasks.
//!
//! It must not know scenario files: the scenario runner translates them into these calls.

use super::runs::ServerId;
use super::{Shared, World, WorldState, host_key, scheduler};
use crate::ad::ActiveDirectory;
use crate::churn::ChurnSpec;
use crate::dirsync_server::{DirSyncServer, DirSyncStart};
use crate::faults::{Fault, Faults};
use crate::sync::SyncEngine;
use crate::sync::export::ExportPlan;
use crate::tenant::ledger::{ExportClient, ExportRecord, Product};
use crate::tenant::{Tenant, TenantAccount, TenantSpec};
use crate::timing::Timing;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;
use tokio::task::LocalSet;
use upgrade_lab_model::constants::LOCALDB_MAX_OBJECTS;
use upgrade_lab_model::{
    Credential, DirSyncConfig, Directory, ServerEnvironment, SimDuration, SimTime,
};

/// The password every default account of a world has (simulated accounts only).
pub const DEFAULT_PASSWORD: &str = "Simulated-Passw0rd!";
/// The DirSync server's host name unless `dirsync_host` says otherwise.
pub const DEFAULT_DIRSYNC_HOST: &str = "DIRSYNC01";

/// Why a world could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("the tokio runtime could not start: {0}")]
    /// The simulated world's tokio runtime did not start (an OS error).
    Runtime(#[from] std::io::Error),
    #[error(
        "DirSync on SQL Server Express cannot hold {objects} objects (10 GB is about \
         100,000): set DirSyncConfig.sql to a full SQL Server for a directory this large"
    )]
    /// DirSync is configured for SQL Server Express (LocalDB) but the directory is too big for it.
    ExpressTooSmall {
        /// Objects in the directory (users, groups, contacts, OUs, domains).
        objects: usize,
    },
    #[error(
        "the DirSync configuration names forest '{config}' but the directory's forest is \
         '{directory}'; set DirSyncConfig.forest to the directory's forest"
    )]
    /// `DirSyncConfig.forest` is not the directory's forest.
    ForestMismatch {
        /// The forest `DirSyncConfig.forest` names.
        config: String,
        /// The directory's forest root domain.
        directory: String,
    },
}

/// Builds a [`World`].
#[derive(Clone, Debug)]
pub struct WorldBuilder {
    directory: Directory,
    dirsync: Option<DirSyncConfig>,
    dirsync_host: String,
    dirsync_start: DirSyncStart,
    environments: Vec<ServerEnvironment>,
    pub(super) tenant: TenantSpec,
    timing: Timing,
    seed: u64,
    faults: Vec<Fault>,
    churn: Vec<ChurnSpec>,
    enterprise_admin: Option<Credential>,
    pub(super) azure_ad_password: String,
    planted_bug: Option<super::PlantedBug>,
}

impl Default for WorldBuilder {
    fn default() -> Self {
        Self {
            directory: Directory {
                forest: Arc::from("contoso.com"),
                ..Default::default()
            },
            dirsync: None,
            dirsync_host: DEFAULT_DIRSYNC_HOST.to_string(),
            dirsync_start: DirSyncStart::default(),
            environments: Vec::new(),
            tenant: TenantSpec::default(),
            timing: Timing::default(),
            seed: 0,
            faults: Vec::new(),
            churn: Vec::new(),
            enterprise_admin: None,
            azure_ad_password: DEFAULT_PASSWORD.to_string(),
            planted_bug: None,
        }
    }
}

impl WorldBuilder {
    /// The forest AD holds. Default: an empty `contoso.com`.
    #[must_use]
    pub fn directory(mut self, directory: Directory) -> Self {
        self.directory = directory;
        self
    }

    /// DirSync's configuration. Default: `DirSyncConfig::typical(forest,
    /// "<forest's first label>.onmicrosoft.com")`.
    #[must_use]
    pub fn dirsync(mut self, config: DirSyncConfig) -> Self {
        self.dirsync = Some(config);
        self
    }

    /// The DirSync server's host name. Default: `DIRSYNC01`.
    #[must_use]
    pub fn dirsync_host(mut self, host: &str) -> Self {
        self.dirsync_host = host.to_string();
        self
    }

    /// Where DirSync stands at T+0. Default: [`DirSyncStart::Converged`].
    #[must_use]
    pub fn dirsync_start(mut self, start: DirSyncStart) -> Self {
        self.dirsync_start = start;
        self
    }

    /// The machine facts of a server (by its hostname). Servers without one get
    /// `ServerEnvironment::current(host)`: every prerequisite met.
    #[must_use]
    pub fn environment(mut self, environment: ServerEnvironment) -> Self {
        self.environments.push(environment);
        self
    }

    /// The tenant: DAR, soft match on UPN, quota, cloud-only objects, extra accounts.
    /// Default: `TenantSpec::default()` (DAR on, verified domain: quota 300,000).
    #[must_use]
    pub fn tenant(mut self, spec: TenantSpec) -> Self {
        self.tenant = spec;
        self
    }

    /// The timing model. Default: the calibration of `timing.rs`.
    #[must_use]
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// The world's seed (every component draws from its own child stream). Default: 0.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Plans a fault. Default: none.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// AD churn from T+0. Default: none.
    #[must_use]
    pub fn churn(mut self, spec: ChurnSpec) -> Self {
        self.churn.push(spec);
        self
    }

    /// The Enterprise Admins account. Default: `<NETBIOS>\Administrator` with
    /// [`DEFAULT_PASSWORD`].
    #[must_use]
    pub fn enterprise_admin(mut self, credential: Credential) -> Self {
        self.enterprise_admin = Some(credential);
        self
    }

    /// The password of DirSync's Azure AD account (a Hybrid Identity Administrator of the
    /// tenant). Default: [`DEFAULT_PASSWORD`].
    #[must_use]
    pub fn azure_ad_password(mut self, password: &str) -> Self {
        self.azure_ad_password = password.to_string();
        self
    }

    /// **Test affordance**: plants a bug in the system under test. Default: none.
    #[doc(hidden)]
    #[must_use]
    pub fn planted_bug(mut self, bug: Option<super::PlantedBug>) -> Self {
        self.planted_bug = bug;
        self
    }

    /// The DirSync configuration the world will use (the given one or the default).
    pub fn dirsync_config(&self) -> DirSyncConfig {
        self.dirsync.clone().unwrap_or_else(|| {
            let forest = self.directory.forest.to_string();
            let label = forest.split('.').next().unwrap_or("contoso");
            DirSyncConfig::typical(&forest, &format!("{label}.onmicrosoft.com"))
        })
    }

    /// The default Enterprise Admin credential of this directory.
    pub fn default_enterprise_admin(&self) -> Credential {
        let netbios = self.directory.domains.first().map_or_else(
            || {
                self.directory
                    .forest
                    .split('.')
                    .next()
                    .unwrap_or("CONTOSO")
                    .to_ascii_uppercase()
            },
            |d| d.netbios_name.to_string(),
        );
        Credential::new(format!("{netbios}\\Administrator"), DEFAULT_PASSWORD)
    }

    /// The world at T+0: checks the inputs (the forest DirSync serves, LocalDB's size), runs
    /// DirSync's history when it starts converged and starts the background tasks.
    pub fn build(self) -> Result<World, BuildError> {
        let config = self.dirsync_config();
        self.check(&config)?;
        let (dirsync_start, churn) = (self.dirsync_start, self.churn.clone());
        let mut state = self.into_state(&config);
        if dirsync_start == DirSyncStart::Converged {
            converge(&mut state);
        }
        state.refresh_exporters(SimTime::START);
        start(state, dirsync_start, churn)
    }

    /// The DirSync configuration's forest is the directory's, and a DirSync on SQL Express
    /// (LocalDB) holds no more objects than it can.
    fn check(&self, config: &DirSyncConfig) -> Result<(), BuildError> {
        if !config.forest.eq_ignore_ascii_case(&self.directory.forest) {
            return Err(BuildError::ForestMismatch {
                config: config.forest.clone(),
                directory: self.directory.forest.to_string(),
            });
        }
        let objects = self.directory.objects.len();
        let syncs = self.dirsync_start != DirSyncStart::NotInstalled;
        if syncs && !config.sql.is_full() && objects as u64 > LOCALDB_MAX_OBJECTS {
            return Err(BuildError::ExpressTooSmall { objects });
        }
        Ok(())
    }

    /// The world's state at T+0, before DirSync's history and the background tasks.
    fn into_state(self, config: &DirSyncConfig) -> WorldState {
        let ea = self
            .enterprise_admin
            .clone()
            .unwrap_or_else(|| self.default_enterprise_admin());
        let objects = self.directory.objects.len();
        let ad = ActiveDirectory::new(self.directory, vec![ea]);
        let mut spec = self.tenant;
        // The oracle's ground truth: DirSync's configuration before any upgrade touches it.
        let baseline = crate::oracle::Baseline {
            filters: config.filters.clone(),
            sign_in_attribute: config.alternate_login_id.clone(),
            soft_match_on_upn: spec.soft_match_on_upn,
            cloud_objects: spec.cloud_objects.clone(),
        };
        spec.accounts.push(TenantAccount {
            credential: Credential::new(config.azure_ad_account.clone(), self.azure_ad_password),
            hybrid_identity_admin: true,
            password_expired: false,
        });
        let throttle = self.timing.throttle();
        let tenant = Tenant::new(&config.tenant, spec, throttle, self.seed, objects);
        let dirsync = (self.dirsync_start != DirSyncStart::NotInstalled)
            .then(|| DirSyncServer::new(&self.dirsync_host, config.clone(), objects));
        let mut environments: BTreeMap<String, ServerEnvironment> = self
            .environments
            .into_iter()
            .map(|e| (host_key(&e.hostname), e))
            .collect();
        environments
            .entry(host_key(&self.dirsync_host))
            .or_insert_with(|| ServerEnvironment::current(&self.dirsync_host));
        WorldState {
            seed: self.seed,
            timing: self.timing,
            ad,
            tenant,
            dirsync_host: self.dirsync_host.clone(),
            dirsync,
            connects: BTreeMap::new(),
            faults: Faults::new(self.faults),
            files: BTreeMap::new(),
            environments,
            exporter_state: BTreeMap::new(),
            ad_password_watermark_dirsync: SimTime::START,
            interrupted_exports: BTreeMap::new(),
            retired: Vec::new(),
            baseline,
            planted_bug: self.planted_bug,
        }
    }
}

/// The world around `state`: the paused-clock runtime, DirSync's scheduler (its first cycle
/// now after an initial cycle start, else one cycle interval from now), its password sync and
/// the churn tasks.
fn start(
    state: WorldState,
    dirsync_start: DirSyncStart,
    churn: Vec<ChurnSpec>,
) -> Result<World, BuildError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()?;
    let start = {
        let _g = rt.enter();
        tokio::time::Instant::now()
    };
    let password_sync = state
        .dirsync
        .as_ref()
        .is_some_and(|d| d.config.password_sync);
    let has_dirsync = state.dirsync.is_some();
    let shared = Rc::new(Shared {
        state: RefCell::new(state),
        start,
        locks: RefCell::new(BTreeMap::new()),
    });
    let local = LocalSet::new();
    if has_dirsync {
        let first = match dirsync_start {
            DirSyncStart::InitialCycle => SimDuration::ZERO,
            _ => SimDuration::from_hours(upgrade_lab_model::constants::DIRSYNC_CYCLE_HOURS),
        };
        local.spawn_local(scheduler::dirsync(shared.clone(), first));
        if password_sync {
            local.spawn_local(scheduler::password_hash_sync(
                shared.clone(),
                ServerId::DirSync,
            ));
        }
    }
    for spec in churn {
        local.spawn_local(super::scheduler::churn(shared.clone(), spec));
    }
    Ok(World { local, rt, shared })
}

/// DirSync's history before the scenario: a full cycle and a confirming import, all at T+0.
fn converge(state: &mut WorldState) {
    let Some(d) = state.dirsync.as_mut() else {
        return;
    };
    let client = ExportClient {
        host: host_key(&d.host),
        product: Product::DirSync,
        account: d.azure_account().to_string(),
    };
    let engine: &mut SyncEngine = &mut d.engine;
    engine.last_ad_import_started = Some(SimTime::START);
    let plan = engine.plan_ad_import(&state.ad, true);
    engine.commit_ad_import(plan);
    let (items, watermark) = state.tenant.read_for_import(None);
    engine.commit_aad_import(crate::sync::run_profiles::AadImportPlan {
        full: true,
        items,
        watermark,
    });
    engine.sync_ad(&state.ad, true);
    engine.sync_aad(&state.ad, true);
    if let ExportPlan::Ready(items) = engine.plan_export() {
        let outcome = super::export_run::apply_export(
            engine,
            &mut state.tenant,
            &items,
            super::export_run::WriteLimits {
                admitted: u64::MAX,
                group_member_limit: super::export_run::group_member_limit(&ServerId::DirSync),
                skip_deletes: false,
            },
        );
        if !items.is_empty() {
            state.tenant.ledger.record_export(ExportRecord {
                client,
                started: SimTime::START,
                ended: SimTime::START,
                adds: outcome.stats.adds,
                updates: outcome.stats.updates,
                deletes: outcome.stats.deletes,
                errors: outcome.stats.errors,
                objects: outcome.accepted,
                repeated: outcome.repeated,
            });
        }
    }
    let (items, watermark) = state.tenant.read_for_import(engine.aad_watermark);
    engine.commit_aad_import(crate::sync::run_profiles::AadImportPlan {
        full: false,
        items,
        watermark,
    });
    engine.sync_aad(&state.ad, false);
}
