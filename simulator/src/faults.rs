//! Faults a scenario injects: the Azure AD endpoint unreachable, a proxy answering 407 or 403,
//! wrong or expired credentials, a SQL instance down, a server crash (also in the middle of a
//! run), and throttling; each at a simulated time or before / after a named operation, for a
//! while or for good. The texts are the real systems' words (domain-facts §2.7, §7.2, §10).
//!
//! It must not know how servers react: the world asks "what is active now on this host?".

use serde::Deserialize;
use upgrade_lab_model::{SimDuration, SimTime};

/// Named operations a fault can be tied to (`Before`/`After`).
pub mod operations {
    pub const DIRSYNC_DISCOVER: &str = "dirsync.discover";
    pub const DIRSYNC_DISABLE: &str = "dirsync.disable_service";
    pub const DIRSYNC_ENABLE: &str = "dirsync.enable_service";
    pub const DIRSYNC_UNINSTALL: &str = "dirsync.uninstall";
    pub const CONNECT_INSTALL: &str = "connect.install";
    pub const CONNECT_SET_STAGING: &str = "connect.set_staging_mode";
    pub const CONNECT_RUN_PROFILE: &str = "connect.run_profile";
    pub const TENANT_SIGN_IN: &str = "tenant.sign_in";
}

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultKind {
    /// No route to Azure AD from any server.
    AzureAdUnreachable,
    /// The host's proxy answers HTTP 407.
    ProxyAuthRequired { host: String },
    /// The host's proxy answers HTTP 403 (URL not allowed).
    ProxyForbidden { host: String },
    /// The AD connector account's password was changed: `no-start-credentials`, event 6000.
    AdConnectorCredentialsInvalid { host: String },
    /// The tenant refuses this account's password.
    AzureCredentialsInvalid { account: String },
    /// This account's password has expired.
    AzureCredentialsExpired { account: String },
    /// The SQL instance of this host does not answer.
    SqlInstanceDown { host: String },
    /// The server is down (crashed or shut down); a run in progress stops.
    ServerCrash { host: String },
    /// Azure AD throttles every write.
    Throttling,
}

/// When a fault starts.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultTrigger {
    At(SimTime),
    Before(String),
    After(String),
}

/// One planned fault.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    pub trigger: FaultTrigger,
    /// How long it lasts; `None` = until the end of the run.
    #[serde(default)]
    pub duration: Option<SimDuration>,
}

/// Planned and triggered faults.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    planned: Vec<Fault>,
    /// Faults whose start is known: (kind, from, until).
    started: Vec<(FaultKind, SimTime, Option<SimTime>)>,
}

impl Faults {
    pub fn new(planned: Vec<Fault>) -> Self {
        let mut f = Self::default();
        for fault in planned {
            f.plan(fault);
        }
        f
    }

    pub fn plan(&mut self, fault: Fault) {
        if let FaultTrigger::At(t) = fault.trigger {
            let until = fault.duration.map(|d| t + d);
            self.started.push((fault.kind, t, until));
        } else {
            self.planned.push(fault);
        }
    }

    /// Starts the faults tied to the start (`before = true`) or end of `operation`.
    pub fn on_operation(&mut self, operation: &str, before: bool, now: SimTime) {
        let (fire, keep): (Vec<Fault>, Vec<Fault>) = std::mem::take(&mut self.planned)
            .into_iter()
            .partition(|f| match &f.trigger {
                FaultTrigger::Before(op) => before && op == operation,
                FaultTrigger::After(op) => !before && op == operation,
                FaultTrigger::At(_) => false,
            });
        self.planned = keep;
        for f in fire {
            let until = f.duration.map(|d| now + d);
            self.started.push((f.kind, now, until));
        }
    }

    /// Faults active at `now`.
    pub fn active(&self, now: SimTime) -> impl Iterator<Item = &FaultKind> {
        self.started
            .iter()
            .filter(move |(_, from, until)| *from <= now && until.is_none_or(|u| now < u))
            .map(|(k, _, _)| k)
    }

    pub fn is_active(&self, now: SimTime, kind: &FaultKind) -> bool {
        self.active(now).any(|k| k == kind)
    }

    /// Whether `host` is down at `now`.
    pub fn server_down(&self, host: &str, now: SimTime) -> bool {
        self.active(now).any(
            |k| matches!(k, FaultKind::ServerCrash { host: h } if h.eq_ignore_ascii_case(host)),
        )
    }

    /// The first crash of `host` starting inside `[from, to)`: a run spanning it stops there.
    pub fn crash_between(&self, host: &str, from: SimTime, to: SimTime) -> Option<SimTime> {
        self.started
            .iter()
            .filter(|(k, t, _)| {
                matches!(k, FaultKind::ServerCrash { host: h } if h.eq_ignore_ascii_case(host))
                    && from < *t
                    && *t < to
            })
            .map(|(_, t, _)| *t)
            .min()
    }

    /// The connectivity problem between `host` and Azure AD at `now`, in the real words.
    pub fn azure_connectivity(&self, host: &str, now: SimTime) -> Option<(Connectivity, String)> {
        self.active(now).find_map(|k| match k {
            FaultKind::AzureAdUnreachable => {
                Some((Connectivity::Unreachable, UNREACHABLE_TEXT.to_string()))
            }
            FaultKind::ProxyAuthRequired { host: h } if h.eq_ignore_ascii_case(host) => {
                Some((Connectivity::Proxy407, PROXY_407_TEXT.to_string()))
            }
            FaultKind::ProxyForbidden { host: h } if h.eq_ignore_ascii_case(host) => {
                Some((Connectivity::Proxy403, PROXY_403_TEXT.to_string()))
            }
            _ => None,
        })
    }

    pub fn sql_down(&self, host: &str, now: SimTime) -> bool {
        self.active(now).any(
            |k| matches!(k, FaultKind::SqlInstanceDown { host: h } if h.eq_ignore_ascii_case(host)),
        )
    }

    pub fn ad_credentials_invalid(&self, host: &str, now: SimTime) -> bool {
        self.active(now).any(|k| {
            matches!(k, FaultKind::AdConnectorCredentialsInvalid { host: h } if h.eq_ignore_ascii_case(host))
        })
    }

    pub fn throttling(&self, now: SimTime) -> bool {
        self.is_active(now, &FaultKind::Throttling)
    }
}

/// Which connectivity failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connectivity {
    Unreachable,
    Proxy407,
    Proxy403,
}

pub const UNREACHABLE_TEXT: &str = "Unable to connect to the remote server";
pub const PROXY_407_TEXT: &str =
    "The remote server returned an error: (407) Proxy Authentication Required.";
pub const PROXY_403_TEXT: &str = "The remote server returned an error: (403) Forbidden.";
pub const SQL_DOWN_TEXT: &str = "A network-related or instance-specific error occurred while \
    establishing a connection to SQL Server. The server was not found or was not accessible. \
    (provider: SQL Network Interfaces, error: 26 - Error Locating Server/Instance Specified)";
pub const SERVER_DOWN_TEXT: &str =
    "The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)";
pub const THROTTLED_TEXT: &str = "Throttled: the tenant exceeded 7,000 writes per 5 minutes \
    (HTTP 429 Too Many Requests); the export is retried next cycle";

/// Application event 6000 for an AD connector whose account password is wrong (§2.7, CONN).
pub fn event_6000_text(forest: &str) -> String {
    format!(
        "Event 6000: The management agent \"{forest}\" failed to run because the credentials \
         were invalid."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!f.server_down("ds01", SimTime(99)));
        assert!(f.server_down("ds01", SimTime(120)));
        assert!(!f.server_down("ds01", SimTime(150)));
        assert_eq!(
            f.crash_between("DS01", SimTime(0), SimTime(200)),
            Some(SimTime(100))
        );
        assert!(!f.throttling(SimTime(10)));
        f.on_operation(operations::CONNECT_INSTALL, false, SimTime(10));
        assert!(!f.throttling(SimTime(10)));
        f.on_operation(operations::CONNECT_INSTALL, true, SimTime(10));
        assert!(f.throttling(SimTime(11)));
    }

    #[test]
    fn faults_deserialize_from_scenario_tables() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":{"kind":"proxy-auth-required","host":"AADC01"},"trigger":{"at":60000}}"#,
        )
        .unwrap();
        assert_eq!(f.trigger, FaultTrigger::At(SimTime(60_000)));
        let faults = Faults::new(vec![f]);
        let (c, text) = faults
            .azure_connectivity("aadc01", SimTime(60_000))
            .unwrap();
        assert_eq!(c, Connectivity::Proxy407);
        assert!(text.contains("(407)"));
    }
}
