//! Background activity of the servers: DirSync's scheduler (a cycle every 3 hours),
//! Connect's scheduler (an initial cycle right after installation when "start the
//! synchronization process" was ticked, then every 30 minutes) and password hash sync
//! (every 2 minutes, off in staging mode, resuming with the backlog). See docs/real-systems.md,
//! "Schedulers" and "Staging mode".
//!
//! It must not hold a `RefCell` borrow across an await.

use super::runs::{self, ServerId};
use super::{Shared, WorldState, host_key};
use crate::churn::ChurnSpec;
use crate::faults::FaultHit;
use crate::tenant::ledger::PasswordSyncRecord;
use std::rc::Rc;
use upgrade_lab_model::constants::{AADC_CYCLE_MINUTES, DIRSYNC_CYCLE_HOURS, PHS_INTERVAL_MINUTES};
use upgrade_lab_model::{SimDuration, SimTime};

/// What a scheduler sees when it wakes.
enum Wake {
    Run,
    Skip,
    Stop,
}

/// A running service starts its cycle unless its server or SQL instance is down; the fault
/// that skips a cycle records it.
fn wake_when_up(st: &WorldState, host: &str, service_running: bool, now: SimTime) -> Wake {
    if !service_running {
        return Wake::Skip;
    }
    match st.faults.host_down(host, now) {
        Some(fault) => {
            st.faults.hit(
                fault,
                FaultHit::CycleSkipped {
                    at: now,
                    host: host_key(host),
                },
            );
            Wake::Skip
        }
        None => Wake::Run,
    }
}

fn dirsync_wake(shared: &Shared) -> Wake {
    let now = shared.now();
    let st = shared.state.borrow();
    match &st.dirsync {
        Some(d) if d.installed => wake_when_up(&st, &d.host, d.service_running, now),
        _ => Wake::Stop,
    }
}

/// DirSync's scheduler: a cycle at `first_cycle_in`, then every 3 hours while installed.
pub async fn dirsync(shared: Rc<Shared>, first_cycle_in: SimDuration) {
    let interval = SimDuration::from_hours(DIRSYNC_CYCLE_HOURS);
    let mut next = shared.now() + first_cycle_in;
    loop {
        tokio::time::sleep_until(shared.instant(next)).await;
        match dirsync_wake(&shared) {
            Wake::Stop => return,
            Wake::Skip => {}
            Wake::Run => {
                runs::run_cycle(&shared, &ServerId::DirSync).await;
            }
        }
        next = (next + interval).max(shared.now());
    }
}

fn connect_wake(shared: &Shared, host: &str) -> Wake {
    let now = shared.now();
    let st = shared.state.borrow();
    match st.connects.get(&host_key(host)) {
        Some(c) => wake_when_up(&st, host, c.service_running, now),
        None => Wake::Stop,
    }
}

/// Connect's scheduler: a cycle now, then every 30 minutes (a cycle that overruns delays the
/// next one).
pub(crate) async fn connect(shared: Rc<Shared>, host: String) {
    let interval = SimDuration::from_mins(AADC_CYCLE_MINUTES);
    let mut next = shared.now();
    loop {
        tokio::time::sleep_until(shared.instant(next)).await;
        match connect_wake(&shared, &host) {
            Wake::Stop => return,
            Wake::Skip => {}
            Wake::Run => {
                runs::run_cycle(&shared, &ServerId::Connect(host.clone())).await;
            }
        }
        next = (next + interval).max(shared.now());
    }
}

/// Password hash sync of one server: every 2 minutes, when the server exports.
pub(crate) async fn password_hash_sync(shared: Rc<Shared>, server: ServerId) {
    let interval = SimDuration::from_mins(PHS_INTERVAL_MINUTES);
    let mut next = shared.now() + interval;
    loop {
        tokio::time::sleep_until(shared.instant(next)).await;
        next = next + interval;
        let now = shared.now();
        let mut guard = shared.state.borrow_mut();
        let st = &mut *guard;
        let (host, active, since) = match &server {
            ServerId::DirSync => match &st.dirsync {
                Some(d) if d.installed => (
                    host_key(&d.host),
                    d.service_running && d.config.password_sync,
                    st.ad_password_watermark_dirsync,
                ),
                _ => return,
            },
            ServerId::Connect(h) => match st.connects.get(&host_key(h)) {
                Some(c) => (
                    host_key(h),
                    c.password_hash_sync && c.is_active_exporter(),
                    c.phs_watermark,
                ),
                None => return,
            },
        };
        if !active {
            continue;
        }
        let blocked = (st.faults.server_down(&host, now))
            .or_else(|| st.faults.azure_connectivity(&host, now).map(|(f, _, _)| f));
        if let Some(fault) = blocked {
            let at = now;
            st.faults
                .hit(fault, FaultHit::PasswordSyncSkipped { at, host });
            continue;
        }
        let passwords = st.ad.password_changes_since(since) as u64;
        if passwords > 0 {
            st.tenant.ledger.password_syncs.push(PasswordSyncRecord {
                at: now,
                host: host.clone(),
                passwords,
            });
        }
        match &server {
            ServerId::DirSync => st.ad_password_watermark_dirsync = now,
            ServerId::Connect(h) => {
                if let Some(c) = st.connects.get_mut(&host_key(h)) {
                    c.phs_watermark = now;
                }
            }
        }
    }
}

/// The churn task: from now, `changes_per_hour` spread over batches until `duration` ends.
pub async fn churn(shared: Rc<Shared>, spec: ChurnSpec) {
    let start = shared.now();
    let seed = shared.state.borrow().seed;
    let mut rng = crate::rng::rng_for(seed ^ start.0, "churn");
    let interval = spec.batch_interval.max(SimDuration::from_secs(1));
    let mut done = 0u64;
    let mut serial = start.0;
    let mut at = start;
    loop {
        at = at + interval;
        if at > start + spec.duration {
            return;
        }
        tokio::time::sleep_until(shared.instant(at)).await;
        let elapsed = at.since(start).as_millis();
        let due = spec.changes_per_hour * elapsed / 3_600_000;
        let count = due.saturating_sub(done);
        done = due;
        let now = shared.now();
        let mut st = shared.state.borrow_mut();
        let applied =
            crate::churn::apply_batch(&mut st.ad, &spec, &mut rng, now, count, &mut serial);
        tracing::trace!(sim = %now, applied, "churn changed AD");
    }
}
