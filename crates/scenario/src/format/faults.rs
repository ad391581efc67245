//! `[[faults]]`: failures injected at a simulated time or around a named step, each surfacing
//! through the ports the way the real systems report it.

use super::Bound;
use super::steps::ServerRef;
use serde::Deserialize;
use toml::Spanned;

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// An Azure AD endpoint does not answer ("Unable to connect to the remote server").
    EndpointUnreachable,
    /// The proxy demands authentication (HTTP 407).
    #[serde(rename = "proxy_407")]
    Proxy407,
    /// The proxy does not allow the URL (HTTP 403).
    #[serde(rename = "proxy_403")]
    Proxy403,
    /// The Azure AD credential stops working ("Invalid grant").
    BadCredentials,
    /// The Azure AD credential's password expires.
    ExpiredCredentials,
    /// The server's SQL instance stops answering.
    SqlDown,
    /// The server crashes (mid-run when a run is in progress).
    Crash,
    /// Azure AD throttles exports (7,000 writes per 5 minutes exceeded).
    Throttling,
    /// The AD DS connector account's password was changed (`no-start-credentials`).
    AdConnectorCredentials,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::EndpointUnreachable => "endpoint_unreachable",
            FaultKind::Proxy407 => "proxy_407",
            FaultKind::Proxy403 => "proxy_403",
            FaultKind::BadCredentials => "bad_credentials",
            FaultKind::ExpiredCredentials => "expired_credentials",
            FaultKind::SqlDown => "sql_down",
            FaultKind::Crash => "crash",
            FaultKind::Throttling => "throttling",
            FaultKind::AdConnectorCredentials => "ad_connector_credentials",
        }
    }

    /// Whether the fault concerns one server (and so reads `server`).
    pub fn targets_server(self) -> bool {
        matches!(
            self,
            FaultKind::SqlDown
                | FaultKind::Crash
                | FaultKind::Proxy403
                | FaultKind::Proxy407
                | FaultKind::AdConnectorCredentials
        )
    }
}

/// One injected fault. Exactly one of `at_minutes`, `before`, `after` or `during` says when.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: Spanned<FaultKind>,
    /// Simulated minutes since the world started.
    pub at_minutes: Option<Spanned<u64>>,
    /// Just before the named step starts.
    pub before: Option<Spanned<String>>,
    /// Just after the named step ends.
    pub after: Option<Spanned<String>>,
    /// Halfway through the named step (a crash mid-run).
    pub during: Option<Spanned<String>>,
    /// How long the fault lasts; unset = until the scenario ends.
    pub for_minutes: Option<Spanned<u64>>,
    /// The server concerned (`sql_down`, `crash`, `proxy_*`, `ad_connector_credentials`);
    /// default `connect`.
    pub server: Option<ServerRef>,
    /// The fault may hit nothing (a scenario showing that nothing happens); otherwise a fault
    /// that hit nothing makes the scenario an error.
    #[serde(default)]
    pub may_miss: bool,
}

/// When a fault strikes, resolved against the step list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultTrigger {
    AtMinutes(u64),
    BeforeStep(usize),
    AfterStep(usize),
    DuringStep(usize),
}

/// `[expect.first_connect_export]`: Connect's first export run that wrote to Azure AD (status
/// other than `completed-no-objects`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirstExportExpectation {
    /// When it started, simulated minutes since the world started.
    pub started_minutes: Option<Spanned<Bound>>,
    /// How long it ran, minutes.
    pub minutes: Option<Spanned<Bound>>,
    /// Writes Azure AD answered HTTP 429 and the export sent again (throttling).
    pub retries: Option<Spanned<Bound>>,
}
