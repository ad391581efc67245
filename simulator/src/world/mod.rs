//! The simulated world: AD, the DirSync server, Azure AD Connect servers and the tenant on a
//! tokio current-thread runtime with a paused clock, so simulated hours pass in microseconds.
//! Background activity (schedulers, password hash sync, churn) runs as tasks on a `LocalSet`
//! sharing `Rc<Shared>`; no task holds a `RefCell` borrow across an await.
//!
//! Drive the engine inside the world with [`World::run`]:
//!
//! ```
//! use upgrade_lab_engine::ports::{Clock, DirSyncServer};
//! use upgrade_lab_simulator::world::World;
//! let world = World::builder().build().unwrap();
//! let (mut dirsync, clock) = (world.dirsync_port(), world.clock());
//! let found = world.run(async move {
//!     clock.sleep(upgrade_lab_model::SimDuration::from_hours(4)).await;
//!     dirsync.discover().await
//! });
//! assert!(found.is_ok());
//! // four hours of waiting plus the one-second query of `discover`
//! assert_eq!(world.now().0, 4 * 3_600_000 + 1_000);
//! ```
//!
//! At a glance:
//! - build: `World::builder()` → `.directory(Directory)`, `.dirsync(DirSyncConfig)`,
//!   `.dirsync_host(&str)`, `.dirsync_start(DirSyncStart)`, `.environment(ServerEnvironment)`,
//!   `.tenant(TenantSpec)`, `.timing(Timing)`, `.seed(u64)`, `.fault(Fault)`,
//!   `.churn(ChurnSpec)`, `.enterprise_admin(Credential)`, `.azure_ad_password(&str)`,
//!   `.build() -> Result<World, BuildError>`;
//! - drive: `world.run(future)`, `world.advance(SimDuration)`, `world.now()`,
//!   `world.run_cycle_now(ServerId)`;
//! - ports: `dirsync_port()`, `connect_port(host)`, `ad_port()`, `tenant_port()`, `clock()`;
//! - faults: `inject_fault(Fault) -> FaultId`, `fault_records()` (each fault's window and hits);
//! - scenario and bad-actor operations: `change_ad`, `inject_fault`, `start_churn`,
//!   `enable_dirsync_directly`, `set_staging_directly`, `rerun_installer`, `sign_out_and_in`;
//! - queries (no simulated time passes): `find_ad_object`, `tenant_object`, `connect_sql`,
//!   `connect_snapshot`, `tenant_records`, `server_files`, `dirsync_state`,
//!   `connect_installed`, `connect_staging`, `ad_changes_since`, `ledger_exports`,
//!   `canonical_host` (see `queries`);
//! - verdicts: `world.report()` (`report::LedgerReport` with `violations`; the tenant judged by
//!   `crate::oracle` against `WorldState::baseline`), and
//!   `world.with_state(|st| …)` for the raw ledger (`st.tenant.ledger`), run histories and
//!   connector spaces.
//!
//! It must not know scenario files or reports; it never reads the wall clock.

/// `WorldBuilder`: a world's directory, servers, tenant, faults and seed.
pub mod builder;
mod export_run;
/// `WorldBuilder::large_customer`: the benches' world of millions of objects.
mod large_customer;
/// The engine's ports implemented on the world (`World::upgrade` wires them).
pub mod ports;
/// Read-only answers about the world; no simulated time passes.
pub mod queries;
/// The ledger's verdicts: exporter intervals, violations, the tenant judged.
pub mod report;
mod run_record;
/// Run profiles and sync cycles on a server (`ServerId` names the server).
pub mod runs;
mod scheduler;

use crate::ad::ActiveDirectory;
use crate::churn::ChurnSpec;
use crate::connect_server::ConnectServer;
use crate::dirsync_server::DirSyncServer;
use crate::faults::{Fault, FaultId, FaultRecord, Faults};
use crate::tenant::Tenant;
use crate::tenant::ledger::{ExporterEvent, Incident, Product};
use crate::timing::Timing;
pub use builder::WorldBuilder;
pub use ports::WorldUpgrade;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use tokio::runtime::Runtime;
use tokio::task::LocalSet;
use tokio::time::Instant;
use upgrade_lab_model::{ServerEnvironment, SimDuration, SimTime};

/// Everything the world holds. Borrow it through [`World::with_state`].
#[derive(Debug)]
pub struct WorldState {
    pub(crate) seed: u64,
    pub(crate) timing: Timing,
    /// The on-premises directory, with its USNs and tombstones.
    pub ad: ActiveDirectory,
    /// The Azure AD tenant and its ledger of exports and incidents.
    pub tenant: Tenant,
    pub(crate) dirsync_host: String,
    /// The DirSync server (`None`: the world started without one).
    pub dirsync: Option<DirSyncServer>,
    /// Connect servers by upper-case host name.
    pub connects: BTreeMap<String, ConnectServer>,
    pub(crate) faults: Faults,
    /// Files per upper-case host name, by path.
    pub(crate) files: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// Machine facts per upper-case host name.
    pub(crate) environments: BTreeMap<String, ServerEnvironment>,
    /// The last recorded "active exporter" state per (host, product).
    pub(crate) exporter_state: BTreeMap<(String, Product), bool>,
    /// Password changes up to here have reached the tenant through DirSync's password sync.
    pub(crate) ad_password_watermark_dirsync: SimTime,
    /// What the tenant oracle judges by, snapshotted when the world was built.
    pub(crate) baseline: crate::oracle::Baseline,
    #[doc(hidden)]
    pub(crate) planted_bug: Option<PlantedBug>,
    /// Writes of an export a crash interrupted, per upper-case host: kept only under the
    /// planted bug `ReplayInterruptedExport`, which sends them again.
    pub(crate) interrupted_exports: BTreeMap<String, Vec<export_run::ReplayWrite>>,
    /// The databases of uninstalled servers, never read again: they are freed with the world,
    /// not by the uninstall, so that a cutover does not spend its time freeing a million
    /// objects (and a process that ends with the world does not free them at all).
    pub(crate) retired: Vec<crate::sync::SyncEngine>,
}

/// **Test affordance**: a bug planted on purpose in the system under test, so that tests can
/// show the oracle and the invariants catch it. Scenario files cannot set it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantedBug {
    /// The migrated settings lose their OU filters.
    DropOuFilterInMigration,
    /// The migrated settings flow `mail` as the sign-in attribute (or userPrincipalName when
    /// DirSync already flowed mail).
    WrongSignInAttribute,
    /// Connect's exports skip every delete (left pending) and report success.
    SkipDeleteExports,
    /// After a crash in the middle of an export, the next export of that server first sends
    /// again every write the interrupted run had made (a replay from its first item).
    ReplayInterruptedExport,
    /// A crash right after a cycle's imports loses what they staged; the watermarks stay, so
    /// the changes are never synchronized.
    RestartLosesStagedImports,
}

impl PlantedBug {
    /// The migrated settings as the bug leaves them.
    pub(crate) fn sabotage_settings(self, settings: &mut upgrade_lab_model::SettingsDocument) {
        match self {
            PlantedBug::DropOuFilterInMigration => {
                settings.filters.included_ous.clear();
                settings.filters.excluded_ous.clear();
            }
            PlantedBug::WrongSignInAttribute => {
                let mail = settings
                    .alternate_login_id
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case("mail"));
                settings.alternate_login_id = (!mail).then(|| "mail".to_string());
            }
            PlantedBug::SkipDeleteExports
            | PlantedBug::ReplayInterruptedExport
            | PlantedBug::RestartLosesStagedImports => {}
        }
    }
}

/// Host names compare without case, as Windows does.
pub fn host_key(host: &str) -> String {
    host.to_ascii_uppercase()
}

impl WorldState {
    /// Records every change of a server's active-exporter state at `now`.
    pub(crate) fn refresh_exporters(&mut self, now: SimTime) {
        let mut current: Vec<((String, Product), bool)> = Vec::new();
        if let Some(d) = &self.dirsync {
            current.push((
                (host_key(&d.host), Product::DirSync),
                d.is_active_exporter(),
            ));
        }
        for (h, c) in &self.connects {
            current.push(((h.clone(), Product::Connect), c.is_active_exporter()));
        }
        for (key, active) in current {
            let was = self.exporter_state.get(&key).copied().unwrap_or(false);
            if was != active {
                self.tenant.ledger.exporter_events.push(ExporterEvent {
                    at: now,
                    host: key.0.clone(),
                    product: key.1,
                    active,
                });
                self.exporter_state.insert(key, active);
            }
        }
    }
}

/// State shared by the world, its ports and its background tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) state: RefCell<WorldState>,
    pub(crate) start: Instant,
    /// One run lock per host: a sync engine runs one run profile at a time.
    pub(crate) locks: RefCell<BTreeMap<String, Rc<tokio::sync::Mutex<()>>>>,
}

impl Shared {
    /// Simulated time since the world started (must be called inside the world's runtime).
    pub fn now(&self) -> SimTime {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "u64 ms last 584 million years; simulated runs last days"
        )]
        let ms = Instant::now().duration_since(self.start).as_millis() as u64;
        SimTime(ms)
    }

    pub(crate) fn lock_for(&self, host: &str) -> Rc<tokio::sync::Mutex<()>> {
        self.locks
            .borrow_mut()
            .entry(host_key(host))
            .or_default()
            .clone()
    }

    /// The tokio instant of a simulated time.
    pub(crate) fn instant(&self, at: SimTime) -> Instant {
        self.start + std::time::Duration::from_millis(at.0)
    }
}

/// One simulated world.
pub struct World {
    // Field order matters: the LocalSet (and its tasks) drop before the runtime.
    local: LocalSet,
    rt: Runtime,
    pub(crate) shared: Rc<Shared>,
}

impl World {
    /// A builder with the defaults: an empty `contoso.com`, DirSync converged on `DIRSYNC01`,
    /// the default tenant and timing, seed 0.
    pub fn builder() -> WorldBuilder {
        WorldBuilder::default()
    }

    /// Runs `future` (typically the engine's work, with ports moved in) inside the world until
    /// it completes; background activity advances with simulated time meanwhile.
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(&self.rt, future)
    }

    /// Lets `duration` of simulated time pass.
    pub fn advance(&self, duration: SimDuration) {
        let d = duration.as_std();
        self.run(async move { tokio::time::sleep(d).await });
    }

    /// Simulated time now.
    pub fn now(&self) -> SimTime {
        let _g = self.rt.enter();
        self.shared.now()
    }

    /// Reads the world's state.
    pub fn with_state<R>(&self, read: impl FnOnce(&WorldState) -> R) -> R {
        read(&self.shared.state.borrow())
    }

    /// Changes AD directly (a scenario's administrator at work); `now` is passed in.
    pub fn change_ad<R>(&self, change: impl FnOnce(&mut ActiveDirectory, SimTime) -> R) -> R {
        let now = self.now();
        change(&mut self.shared.state.borrow_mut().ad, now)
    }

    /// Plans a fault; its id indexes [`World::fault_records`] (builder faults come first, in
    /// the order they were added).
    pub fn inject_fault(&self, fault: Fault) -> FaultId {
        self.shared.state.borrow_mut().faults.plan(fault)
    }

    /// Every planned fault as written, when it was active and what it hit (failed port calls,
    /// stopped runs, skipped cycles, refused or delayed exports), in plan order.
    pub fn fault_records(&self) -> Vec<FaultRecord> {
        self.shared.state.borrow().faults.records()
    }

    /// Starts AD churn from now.
    pub fn start_churn(&self, spec: ChurnSpec) {
        let shared = self.shared.clone();
        self.local
            .spawn_local(async move { scheduler::churn(shared, spec).await });
    }

    /// **Bad actor**: starts DirSync's service again without the engine (e.g. after cutover).
    pub fn enable_dirsync_directly(&self) {
        let now = self.now();
        let started = {
            let mut st = self.shared.state.borrow_mut();
            let Some(d) = st.dirsync.as_mut().filter(|d| d.installed) else {
                return;
            };
            d.service_running = true;
            st.refresh_exporters(now);
            true
        };
        if started {
            let shared = self.shared.clone();
            self.local.spawn_local(async move {
                runs::run_cycle(&shared, &runs::ServerId::DirSync).await;
            });
        }
    }

    /// **Bad actor**: switches staging mode on `host` without the engine's guard rails.
    pub fn set_staging_directly(&self, host: &str, enabled: bool) {
        let now = self.now();
        let mut st = self.shared.state.borrow_mut();
        if let Some(c) = st.connects.get_mut(&host_key(host)) {
            c.staging = enabled;
        }
        st.refresh_exporters(now);
    }

    /// **Bad actor**: runs the Connect installer (MSI) again on an installed server to turn
    /// staging off, instead of the configuration wizard (the upgrade document warns against it).
    pub fn rerun_installer(&self, host: &str, staging: bool) {
        let now = self.now();
        let mut st = self.shared.state.borrow_mut();
        if let Some(c) = st.connects.get_mut(&host_key(host)) {
            c.installer_runs += 1;
            c.staging = staging;
            st.tenant.ledger.incidents.push(Incident::InstallerRerun {
                at: now,
                host: host_key(host),
            });
        }
        st.refresh_exporters(now);
    }

    /// The administrator signs out of Windows and in again after an install (the upgrade document).
    pub fn sign_out_and_in(&self, host: &str) {
        let now = self.now();
        let mut st = self.shared.state.borrow_mut();
        if let Some(c) = st.connects.get_mut(&host_key(host)) {
            c.sign_out_pending = false;
            st.tenant.ledger.incidents.push(Incident::SignedOutAndIn {
                at: now,
                host: host_key(host),
            });
        }
    }

    /// Runs one sync cycle on a server now (as `Start-ADSyncSyncCycle` or
    /// `Start-OnlineCoexistenceSync` would) and waits for it.
    pub fn run_cycle_now(&self, server: runs::ServerId) -> Vec<upgrade_lab_model::RunRecord> {
        let shared = self.shared.clone();
        self.run(async move { runs::run_cycle(&shared, &server).await })
    }

    /// Runs one DirSync sync cycle now; the run records.
    pub fn run_dirsync_cycle_now(&self) -> Vec<upgrade_lab_model::RunRecord> {
        self.run_cycle_now(runs::ServerId::DirSync)
    }

    /// Runs one Azure AD Connect sync cycle on `host` now; the run records.
    pub fn run_connect_cycle_now(&self, host: &str) -> Vec<upgrade_lab_model::RunRecord> {
        self.run_cycle_now(runs::ServerId::Connect(host.to_string()))
    }

    /// Exactly `adds` new users, `updates` changed and `deletes` deleted objects (distinct
    /// ones, fewer when AD holds fewer) in AD now, drawn from the stream `stream` of the world's
    /// seed, new users numbered from `first_serial` (`churn::apply_exact`). Returns how many
    /// changes were made.
    pub fn churn_exact(
        &self,
        stream: &str,
        first_serial: u64,
        (adds, updates, deletes): (u64, u64, u64),
    ) -> u64 {
        let seed = self.with_state(|st| st.seed);
        let mut rng = crate::rng::rng_for(seed, stream);
        let mut serial = first_serial;
        let wanted = crate::churn::ExactChurn {
            adds,
            updates,
            deletes,
        };
        let done = self
            .change_ad(|ad, now| crate::churn::apply_exact(ad, &mut rng, now, wanted, &mut serial));
        done.adds + done.updates + done.deletes
    }

    /// The ledger's verdicts: exporter intervals, violations, sync gap, tenant vs directory.
    pub fn report(&self) -> report::LedgerReport {
        let now = self.now();
        report::build(&self.shared.state.borrow(), now)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _g = self.rt.enter();
        // Tasks hold timers of this runtime: drop them while it is current.
        let local = std::mem::take(&mut self.local);
        drop(local);
    }
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World").finish_non_exhaustive()
    }
}

pub use crate::faults::FaultKind;
