//! Faults a scenario injects: the Azure AD endpoint unreachable, a proxy answering 407 or 403,
//! wrong or expired credentials, a SQL instance down, a server crash (also in the middle of a run),
//! and throttling; each at a simulated time or before / after a named operation, for a while or for
//! good. The texts are the real systems' words (docs/real-systems.md, "The sync engine",
//! "Prerequisites", "Failure modes").
//!
//! It must not know how servers react: the world asks "what is active now on this host?".

use serde::Deserialize;
use std::cell::RefCell;
use upgrade_lab_model::{Connector, RunProfile, RunStatus, SimDuration, SimTime};

/// Named operations a fault can be tied to (`Before`/`After`).
pub mod operations {
    pub(crate) const DIRSYNC_DISCOVER: &str = "dirsync.discover";
    /// The engine stops DirSync's service (a fault trigger's operation name).
    pub const DIRSYNC_DISABLE: &str = "dirsync.disable_service";
    pub(crate) const DIRSYNC_ENABLE: &str = "dirsync.enable_service";
    /// The engine uninstalls DirSync.
    pub const DIRSYNC_UNINSTALL: &str = "dirsync.uninstall";
    pub(crate) const DIRSYNC_SYNC_CYCLE: &str = "dirsync.start_sync_cycle";
    pub(crate) const DIRSYNC_RUN_HISTORY: &str = "dirsync.run_history";
    /// The engine installs Connect on a host.
    pub const CONNECT_INSTALL: &str = "connect.install";
    /// The engine switches staging mode on a Connect server.
    pub const CONNECT_SET_STAGING: &str = "connect.set_staging_mode";
    pub(crate) const CONNECT_RUN_PROFILE: &str = "connect.run_profile";
    pub(crate) const TENANT_SIGN_IN: &str = "tenant.sign_in";
}

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[strum(serialize_all = "kebab-case")]
pub enum FaultKind {
    /// No route to Azure AD from any server.
    AzureAdUnreachable,
    /// The host's proxy answers HTTP 407.
    ProxyAuthRequired {
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// The host's proxy answers HTTP 403 (URL not allowed).
    ProxyForbidden {
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// The AD connector account's password was changed: `no-start-credentials`, event 6000.
    AdConnectorCredentialsInvalid {
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// The tenant refuses this account's password.
    AzureCredentialsInvalid {
        /// The Azure AD account, as its UPN.
        account: String,
    },
    /// This account's password has expired.
    AzureCredentialsExpired {
        /// The Azure AD account, as its UPN.
        account: String,
    },
    /// The SQL instance of this host does not answer.
    SqlInstanceDown {
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// The server is down (crashed or shut down); a run in progress stops.
    ServerCrash {
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// Azure AD throttles every write.
    Throttling,
}

impl FaultKind {
    /// The wire name (the serde tag), for logs.
    pub(crate) fn name(&self) -> &'static str {
        self.into()
    }

    /// The host or account it concerns; empty when it concerns every server.
    pub(crate) fn subject(&self) -> &str {
        match self {
            FaultKind::AzureAdUnreachable | FaultKind::Throttling => "",
            FaultKind::ProxyAuthRequired { host }
            | FaultKind::ProxyForbidden { host }
            | FaultKind::AdConnectorCredentialsInvalid { host }
            | FaultKind::SqlInstanceDown { host }
            | FaultKind::ServerCrash { host } => host,
            FaultKind::AzureCredentialsInvalid { account }
            | FaultKind::AzureCredentialsExpired { account } => account,
        }
    }
}

/// Logs a fault that starts at `at`, at `debug`.
fn log_start(fault: &Fault, at: SimTime) {
    tracing::debug!(
        sim = %at,
        fault = fault.kind.name(),
        subject = fault.kind.subject(),
        "fault starts{}",
        fault
            .duration
            .map(|d| format!(", lasting {d}"))
            .unwrap_or_default()
    );
}

/// A point inside a server's run sequence (a sync cycle, or the four runs of verification)
/// where a crash can strike.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RunPhase {
    /// The imports completed (the Azure AD connector's import, the second of a cycle), before
    /// the synchronization runs: the connector space holds the staged imports.
    AfterImport,
    /// The synchronization runs completed (the Azure AD connector's, the last of them), before
    /// the export: the pending exports are computed.
    AfterSync,
    /// Halfway through an export run that writes to Azure AD: the writes booked before the
    /// crash reached the tenant, the rest did not.
    DuringExport,
}

impl RunPhase {
    #[cfg(test)]
    pub(crate) const ALL: [RunPhase; 3] = [
        RunPhase::AfterImport,
        RunPhase::AfterSync,
        RunPhase::DuringExport,
    ];

    /// The wire name (`after-import`), serde's name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// When a fault starts.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultTrigger {
    /// At this simulated time (ms since the world started).
    At(SimTime),
    /// Just before the first port call named this (see `operations`, e.g. `connect.install`).
    Before(String),
    /// Just after the first port call named this completes.
    After(String),
    /// The first time, from when the fault is planned, a run sequence of the fault's server
    /// reaches this point (a `ServerCrash` only).
    Phase(RunPhase),
}

/// One planned fault.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// When it starts: a simulated time, or before or after an operation or run phase.
    pub trigger: FaultTrigger,
    /// How long it lasts; `None` = until the end of the run.
    #[serde(default)]
    pub duration: Option<SimDuration>,
}

/// A fault's position in the order it was planned (builder faults first, then injected ones).
pub type FaultId = usize;

/// One thing a fault changed, at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultHit {
    /// A port call failed because of the fault.
    PortCall {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
        /// The port call that failed (see `operations`).
        operation: String,
    },
    /// A run profile stopped (at its start or in its middle) because of the fault.
    Run {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
        /// The connector whose run stopped.
        connector: Connector,
        /// The run profile that stopped.
        profile: RunProfile,
        /// The status the run recorded, as Synchronization Service Manager shows it.
        status: RunStatus,
    },
    /// A scheduler woke and did not start its sync cycle (server or SQL down).
    CycleSkipped {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// Password hash sync did not reach Azure AD this interval.
    PasswordSyncSkipped {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
    },
    /// The server went down at this point of a run sequence (a crash tied to a [`RunPhase`]).
    CrashPoint {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
        /// The point of the run sequence where it went down.
        phase: RunPhase,
    },
    /// An export whose writes Azure AD refused or made wait (HTTP 429, retried).
    Export {
        /// Simulated time of the hit.
        at: SimTime,
        /// Host name of the server it applies to (e.g. `DIRSYNC01`).
        host: String,
        /// Writes the export planned.
        objects: u64,
        /// Writes refused (export errors).
        refused: u64,
        /// Writes answered 429 and sent again after the Retry-After wait.
        retries: u64,
        /// Time the export took beyond what it would have taken without the fault.
        extra: SimDuration,
    },
}

impl FaultHit {
    /// When it happened.
    pub fn at(&self) -> SimTime {
        match self {
            FaultHit::PortCall { at, .. }
            | FaultHit::Run { at, .. }
            | FaultHit::CycleSkipped { at, .. }
            | FaultHit::PasswordSyncSkipped { at, .. }
            | FaultHit::CrashPoint { at, .. }
            | FaultHit::Export { at, .. } => *at,
        }
    }
}

/// A fault as written, when it was active and what it hit: [`crate::world::World::fault_records`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultRecord {
    pub(crate) fault: Fault,
    /// When it started; `None` while its operation has not happened.
    pub from: Option<SimTime>,
    /// When it ended; `None` = it lasts to the end (or never started).
    pub until: Option<SimTime>,
    /// What it hit, in order: each failed call, stopped run, skipped cycle or refused export.
    pub hits: Vec<FaultHit>,
}

/// One planned fault with its start and what it hit so far.
#[derive(Clone, Debug)]
struct Entry {
    fault: Fault,
    from: Option<SimTime>,
    until: Option<SimTime>,
    /// Recorded through `&Faults`: the world consults faults under a shared borrow.
    hits: RefCell<Vec<FaultHit>>,
}

impl Entry {
    fn active_at(&self, now: SimTime) -> bool {
        self.from.is_some_and(|f| f <= now) && self.until.is_none_or(|u| now < u)
    }
}

/// Planned and triggered faults, and what each hit.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    entries: Vec<Entry>,
}

fn same_host(h: &str, host: &str) -> bool {
    h.eq_ignore_ascii_case(host)
}

impl Faults {
    pub(crate) fn new(planned: Vec<Fault>) -> Self {
        let mut f = Self::default();
        for fault in planned {
            f.plan(fault);
        }
        f
    }

    /// Plans a fault and returns its id.
    pub(crate) fn plan(&mut self, fault: Fault) -> FaultId {
        let (from, until) = match fault.trigger {
            FaultTrigger::At(t) => (Some(t), fault.duration.map(|d| t + d)),
            _ => (None, None),
        };
        if let Some(at) = from {
            log_start(&fault, at);
        }
        self.entries.push(Entry {
            fault,
            from,
            until,
            hits: RefCell::new(Vec::new()),
        });
        self.entries.len() - 1
    }

    /// Starts the faults tied to the start (`before = true`) or end of `operation`.
    pub(crate) fn on_operation(&mut self, operation: &str, before: bool, now: SimTime) {
        for e in self.entries.iter_mut().filter(|e| e.from.is_none()) {
            let fire = match &e.fault.trigger {
                FaultTrigger::Before(op) => before && op == operation,
                FaultTrigger::After(op) => !before && op == operation,
                FaultTrigger::At(_) | FaultTrigger::Phase(_) => false,
            };
            if fire {
                log_start(&e.fault, now);
                e.from = Some(now);
                e.until = e.fault.duration.map(|d| now + d);
            }
        }
    }

    /// Starts, at `at`, the crashes of `host` waiting for `phase` (each fires once), recording
    /// the crash point on each; returns whether one fired.
    pub(crate) fn on_phase(&mut self, host: &str, phase: RunPhase, at: SimTime) -> bool {
        let mut fired = false;
        for e in self.entries.iter_mut().filter(|e| e.from.is_none()) {
            let waiting = matches!(
                (&e.fault.kind, &e.fault.trigger),
                (FaultKind::ServerCrash { host: h }, FaultTrigger::Phase(p))
                    if same_host(h, host) && *p == phase
            );
            if waiting {
                log_start(&e.fault, at);
                e.from = Some(at);
                e.until = e.fault.duration.map(|d| at + d);
                e.hits.borrow_mut().push(FaultHit::CrashPoint {
                    at,
                    host: host.to_ascii_uppercase(),
                    phase,
                });
                fired = true;
            }
        }
        fired
    }

    /// Records that fault `id` changed something.
    pub(crate) fn hit(&self, id: FaultId, hit: FaultHit) {
        if let Some(e) = self.entries.get(id) {
            e.hits.borrow_mut().push(hit);
        }
    }

    /// Every fault as written, with its activity and hits, in plan order.
    pub fn records(&self) -> Vec<FaultRecord> {
        self.entries
            .iter()
            .map(|e| FaultRecord {
                fault: e.fault.clone(),
                from: e.from,
                until: e.until,
                hits: e.hits.borrow().clone(),
            })
            .collect()
    }

    /// Faults active at `now`, with their ids.
    pub(crate) fn active(&self, now: SimTime) -> impl Iterator<Item = (FaultId, &FaultKind)> {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.active_at(now))
            .map(|(i, e)| (i, &e.fault.kind))
    }

    fn find(&self, now: SimTime, pred: impl Fn(&FaultKind) -> bool) -> Option<FaultId> {
        self.active(now).find(|(_, k)| pred(k)).map(|(i, _)| i)
    }

    /// The active fault of exactly `kind` at `now`.
    pub(crate) fn find_kind(&self, now: SimTime, kind: &FaultKind) -> Option<FaultId> {
        self.find(now, |k| k == kind)
    }

    /// The crash that has `host` down at `now`.
    pub(crate) fn server_down(&self, host: &str, now: SimTime) -> Option<FaultId> {
        self.find(
            now,
            |k| matches!(k, FaultKind::ServerCrash { host: h } if same_host(h, host)),
        )
    }

    /// The first crash of `host` starting inside `(from, to)`: a run spanning it stops there.
    pub(crate) fn crash_between(
        &self,
        host: &str,
        from: SimTime,
        to: SimTime,
    ) -> Option<(FaultId, SimTime)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match (&e.fault.kind, e.from) {
                (FaultKind::ServerCrash { host: h }, Some(t))
                    if same_host(h, host) && from < t && t < to =>
                {
                    Some((i, t))
                }
                _ => None,
            })
            .min_by_key(|(_, t)| *t)
    }

    /// The connectivity problem between `host` and Azure AD at `now`, in the real words.
    pub(crate) fn azure_connectivity(
        &self,
        host: &str,
        now: SimTime,
    ) -> Option<(FaultId, Connectivity, String)> {
        self.active(now).find_map(|(i, k)| {
            let (c, text) = match k {
                FaultKind::AzureAdUnreachable => (Connectivity::Unreachable, UNREACHABLE_TEXT),
                FaultKind::ProxyAuthRequired { host: h } if same_host(h, host) => {
                    (Connectivity::Proxy407, PROXY_407_TEXT)
                }
                FaultKind::ProxyForbidden { host: h } if same_host(h, host) => {
                    (Connectivity::Proxy403, PROXY_403_TEXT)
                }
                _ => return None,
            };
            Some((i, c, text.to_string()))
        })
    }

    pub(crate) fn sql_down(&self, host: &str, now: SimTime) -> Option<FaultId> {
        self.find(
            now,
            |k| matches!(k, FaultKind::SqlInstanceDown { host: h } if same_host(h, host)),
        )
    }

    /// The server or its SQL instance is down at `now`.
    pub(crate) fn host_down(&self, host: &str, now: SimTime) -> Option<FaultId> {
        self.server_down(host, now)
            .or_else(|| self.sql_down(host, now))
    }

    pub(crate) fn ad_credentials_invalid(&self, host: &str, now: SimTime) -> Option<FaultId> {
        self.find(now, |k| {
            matches!(k, FaultKind::AdConnectorCredentialsInvalid { host: h } if same_host(h, host))
        })
    }

    #[cfg(test)]
    fn throttling(&self, now: SimTime) -> Option<FaultId> {
        self.find(now, |k| *k == FaultKind::Throttling)
    }

    /// Throttling faults that start before `to` and end after `from` (or never): `(id, start,
    /// end)`, by start.
    pub(crate) fn throttling_between(
        &self,
        from: SimTime,
        to: SimTime,
    ) -> Vec<(FaultId, SimTime, Option<SimTime>)> {
        let mut out: Vec<_> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match (&e.fault.kind, e.from) {
                (FaultKind::Throttling, Some(t)) if t < to && e.until.is_none_or(|u| from < u) => {
                    Some((i, t, e.until))
                }
                _ => None,
            })
            .collect();
        out.sort_by_key(|(_, t, _)| *t);
        out
    }
}

/// Which connectivity failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Connectivity {
    Unreachable,
    Proxy407,
    Proxy403,
}

pub(crate) const UNREACHABLE_TEXT: &str = "Unable to connect to the remote server";
pub(crate) const PROXY_407_TEXT: &str =
    "The remote server returned an error: (407) Proxy Authentication Required.";
pub(crate) const PROXY_403_TEXT: &str = "The remote server returned an error: (403) Forbidden.";
pub(crate) const SQL_DOWN_TEXT: &str = "A network-related or instance-specific error occurred while \
    establishing a connection to SQL Server. The server was not found or was not accessible. \
    (provider: SQL Network Interfaces, error: 26 - Error Locating Server/Instance Specified)";
pub(crate) const SERVER_DOWN_TEXT: &str =
    "The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)";
pub(crate) const THROTTLED_TEXT: &str = "Throttled: the tenant exceeded 7,000 writes per 5 minutes \
    (HTTP 429 Too Many Requests); the export is retried next cycle";

/// Application event 6000 for an AD connector whose account password is wrong
/// (docs/real-systems.md, "Accounts and credentials").
pub(crate) fn event_6000_text(forest: &str) -> String {
    format!(
        "Event 6000: The management agent \"{forest}\" failed to run because the credentials \
         were invalid."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_phase_names_are_serde_names() {
        for phase in RunPhase::ALL {
            let back: RunPhase = serde_json::from_value(phase.as_str().into()).unwrap();
            assert_eq!(back, phase);
        }
        assert_eq!(RunPhase::DuringExport.as_str(), "during-export");
    }

    #[test]
    fn each_kind_name_is_its_wire_name() {
        let subject = |name: &str| match name {
            "azure-ad-unreachable" | "throttling" => ("", ""),
            n if n.starts_with("azure-credentials") => ("account", "a@x"),
            _ => ("host", "H"),
        };
        let names = [
            "azure-ad-unreachable",
            "proxy-auth-required",
            "proxy-forbidden",
            "ad-connector-credentials-invalid",
            "azure-credentials-invalid",
            "azure-credentials-expired",
            "sql-instance-down",
            "server-crash",
            "throttling",
        ];
        for name in names {
            let (key, value) = subject(name);
            let field = if key.is_empty() {
                String::new()
            } else {
                format!(", \"{key}\": \"{value}\"")
            };
            let json = format!("{{\"kind\": \"{name}\"{field}}}");
            let kind: FaultKind = serde_json::from_str(&json).unwrap();
            assert_eq!(kind.name(), name);
            assert_eq!(kind.subject(), value, "{name}");
        }
    }

    #[test]
    fn timed_faults_start_and_end_and_operation_faults_fire_once() {
        let mut f = Faults::new(vec![
            Fault {
                kind: FaultKind::ServerCrash {
                    host: "DS01".into(),
                },
                trigger: FaultTrigger::At(SimTime(100)),
                duration: Some(SimDuration(50)),
            },
            Fault {
                kind: FaultKind::Throttling,
                trigger: FaultTrigger::Before(operations::CONNECT_INSTALL.into()),
                duration: None,
            },
        ]);
        assert_eq!(f.server_down("ds01", SimTime(99)), None);
        assert_eq!(f.server_down("ds01", SimTime(120)), Some(0));
        assert_eq!(f.server_down("ds01", SimTime(150)), None);
        assert_eq!(
            f.crash_between("DS01", SimTime(0), SimTime(200)),
            Some((0, SimTime(100)))
        );
        assert_eq!(f.throttling(SimTime(10)), None);
        f.on_operation(operations::CONNECT_INSTALL, false, SimTime(10));
        assert_eq!(f.throttling(SimTime(10)), None);
        f.on_operation(operations::CONNECT_INSTALL, true, SimTime(10));
        assert_eq!(f.throttling(SimTime(11)), Some(1));
        f.on_operation(operations::CONNECT_INSTALL, true, SimTime(500));
        assert_eq!(f.records()[1].from, Some(SimTime(10)), "a fault fires once");
    }

    #[test]
    fn a_phase_crash_fires_once_on_its_host_and_records_the_point() {
        let mut f = Faults::new(vec![Fault {
            kind: FaultKind::ServerCrash {
                host: "AADC01".into(),
            },
            trigger: FaultTrigger::Phase(RunPhase::AfterSync),
            duration: Some(SimDuration(30)),
        }]);
        assert!(!f.on_phase("DIRSYNC01", RunPhase::AfterSync, SimTime(5)));
        assert!(!f.on_phase("aadc01", RunPhase::AfterImport, SimTime(5)));
        assert_eq!(f.server_down("AADC01", SimTime(6)), None);
        assert!(f.on_phase("aadc01", RunPhase::AfterSync, SimTime(10)));
        assert_eq!(f.server_down("AADC01", SimTime(10)), Some(0));
        assert_eq!(f.server_down("AADC01", SimTime(40)), None);
        assert!(
            !f.on_phase("aadc01", RunPhase::AfterSync, SimTime(50)),
            "fires once"
        );
        let r = &f.records()[0];
        assert_eq!((r.from, r.until), (Some(SimTime(10)), Some(SimTime(40))));
        assert!(matches!(
            r.hits[..],
            [FaultHit::CrashPoint {
                phase: RunPhase::AfterSync,
                ..
            }]
        ));
    }

    #[test]
    fn hits_are_kept_per_fault_with_its_window() {
        let f = Faults::new(vec![Fault {
            kind: FaultKind::SqlInstanceDown { host: "A".into() },
            trigger: FaultTrigger::At(SimTime(5)),
            duration: Some(SimDuration(10)),
        }]);
        let id = f.sql_down("a", SimTime(6)).unwrap();
        f.hit(
            id,
            FaultHit::CycleSkipped {
                at: SimTime(6),
                host: "A".into(),
            },
        );
        let r = &f.records()[0];
        assert_eq!((r.from, r.until), (Some(SimTime(5)), Some(SimTime(15))));
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].at(), SimTime(6));
    }

    #[test]
    fn faults_deserialize_from_scenario_tables() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":{"kind":"proxy-auth-required","host":"AADC01"},"trigger":{"at":60000}}"#,
        )
        .unwrap();
        assert_eq!(f.trigger, FaultTrigger::At(SimTime(60_000)));
        let faults = Faults::new(vec![f]);
        let (_, c, text) = faults
            .azure_connectivity("aadc01", SimTime(60_000))
            .unwrap();
        assert_eq!(c, Connectivity::Proxy407);
        assert!(text.contains("(407)"));
    }
}
