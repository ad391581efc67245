//! `[[faults]]`: failures injected at a simulated time or around a named step, each surfacing
//! through the ports the way the real systems report it.

use super::Bound;
use super::steps::ServerRef;
use serde::Deserialize;
use toml::Spanned;

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
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
    /// The name a scenario file uses in `kind`.
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

/// A point inside a run profile sequence (a sync cycle, or verification's four runs) where a
/// `crash` with `during` strikes: `phase = "after_import"`, `"after_sync"`, `"during_export"`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CrashPhase {
    /// The imports completed (the Azure AD connector's, the second of a cycle); the
    /// synchronization runs have not started.
    AfterImport,
    /// The synchronization runs completed; the export has not started.
    AfterSync,
    /// Halfway through an export that writes to Azure AD: about half its writes reached the
    /// tenant.
    DuringExport,
}

impl CrashPhase {
    /// Every phase, in the order a sync cycle reaches them.
    pub const ALL: [CrashPhase; 3] = [
        CrashPhase::AfterImport,
        CrashPhase::AfterSync,
        CrashPhase::DuringExport,
    ];

    /// The name a scenario file uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            CrashPhase::AfterImport => "after_import",
            CrashPhase::AfterSync => "after_sync",
            CrashPhase::DuringExport => "during_export",
        }
    }

    /// The simulator's point of the run sequence.
    pub fn run_phase(self) -> upgrade_lab_simulator::faults::RunPhase {
        use upgrade_lab_simulator::faults::RunPhase;
        match self {
            CrashPhase::AfterImport => RunPhase::AfterImport,
            CrashPhase::AfterSync => RunPhase::AfterSync,
            CrashPhase::DuringExport => RunPhase::DuringExport,
        }
    }
}

/// The crash points a scenario can name in `phase`, in file spelling (for generators such as
/// the explore command).
pub const CRASH_PHASES: [&str; 3] = [
    CrashPhase::AfterImport.as_str(),
    CrashPhase::AfterSync.as_str(),
    CrashPhase::DuringExport.as_str(),
];

/// One injected fault. Exactly one of `at_minutes`, `before`, `after` or `during` says when.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What goes wrong: `endpoint_unreachable`, `proxy_407`, `proxy_403`, `bad_credentials`,
    /// `expired_credentials`, `sql_down`, `crash`, `throttling` or `ad_connector_credentials`.
    #[schemars(with = "FaultKind")]
    pub kind: Spanned<FaultKind>,
    /// Strike at this simulated minute since the world started (0 to the simulated-time
    /// budget in minutes, 129,600 by default).
    #[schemars(with = "Option<u64>")]
    pub at_minutes: Option<Spanned<u64>>,
    /// Just before the named step (its `id`, else its action) starts.
    #[schemars(with = "Option<String>")]
    pub before: Option<Spanned<String>>,
    /// Just after the named step (its `id`, else its action) ends.
    #[schemars(with = "Option<String>")]
    pub after: Option<Spanned<String>>,
    /// In the middle of the named step (its `id`, else its action), e.g. after DirSync's
    /// uninstall in an in-place upgrade; a crash there lands mid-run.
    #[schemars(with = "Option<String>")]
    pub during: Option<Spanned<String>>,
    /// With `kind = "crash"` and `during`: the point of a run sequence of the server, from the
    /// step's start on, where the crash strikes instead of the step's middle.
    #[schemars(with = "Option<CrashPhase>")]
    pub phase: Option<Spanned<CrashPhase>>,
    /// How long the fault lasts, in simulated minutes (1 to the simulated-time budget);
    /// unset: until the scenario ends.
    #[schemars(with = "Option<u64>")]
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
    /// At this simulated minute since the world started.
    AtMinutes(u64),
    /// Just before the step at this index (from 0) of the file's `[[steps]]` starts.
    BeforeStep(usize),
    /// Just after the step at this index (from 0) ends.
    AfterStep(usize),
    /// Halfway through the step at this index (from 0), or at its `phase` for a crash.
    DuringStep(usize),
}

/// `[expect.first_connect_export]`: Connect's first export run that wrote to Azure AD (status
/// other than `completed-no-objects`).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstExportExpectation {
    /// When it started, simulated minutes since the world started.
    #[schemars(with = "Option<Bound>")]
    pub started_minutes: Option<Spanned<Bound>>,
    /// How long it ran, simulated minutes.
    #[schemars(with = "Option<Bound>")]
    pub minutes: Option<Spanned<Bound>>,
    /// Writes Azure AD answered HTTP 429 and the export sent again (throttling).
    #[schemars(with = "Option<Bound>")]
    pub retries: Option<Spanned<Bound>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;
    use std::path::Path;

    const BASE: &str = "format_version = 1\ndescription = \"t\"\nseed = 1\n\n[world]\n\
                        users = 10\n\n[[steps]]\naction = \"run_cycle\"\n\n[[faults]]\n";

    fn errors_of(fault: &str) -> Vec<String> {
        match load_text("t", Path::new("t.toml"), format!("{BASE}{fault}")) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(crate::diagnostic::ScenarioError::plain)
                .collect(),
        }
    }

    #[test]
    fn crash_phases_are_spelled_once_and_load() {
        for (phase, name) in CrashPhase::ALL.into_iter().zip(CRASH_PHASES) {
            assert_eq!(phase.as_str(), name);
            let fault = format!("kind = \"crash\"\nduring = \"run_cycle\"\nphase = \"{name}\"\n");
            assert_eq!(errors_of(&fault), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn a_phase_needs_a_crash_and_during() {
        let e = errors_of("kind = \"crash\"\nafter = \"run_cycle\"\nphase = \"after_sync\"\n");
        assert!(
            e.len() == 1 && e[0].contains("`phase` needs `during`"),
            "{e:#?}"
        );
        assert!(e[0].contains("t.toml:14:"), "{e:#?}");
        let e = errors_of("kind = \"sql_down\"\nduring = \"run_cycle\"\nphase = \"after_sync\"\n");
        assert!(
            e.len() == 1 && e[0].contains("does not apply to sql_down"),
            "{e:#?}"
        );
        let e = errors_of("kind = \"crash\"\nduring = \"run_cycle\"\nphase = \"mid_export\"\n");
        assert!(e.len() == 1 && e[0].contains("mid_export"), "{e:#?}");
    }
}
