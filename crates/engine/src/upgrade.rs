//! The public entry: `Upgrade`, generic over the five ports, with one method per step of the
//! upgrade document so a scenario runner can call them one by one. This file holds the options,
//! the error type, the state carried between steps, and the first steps (prerequisites, analysis,
//! credentials); the in-place, parallel, verification and cutover steps live in their own files.
//!
//! Orchestration only: each method asks the ports, hands their answers to the pure decision
//! functions, emits events and, when a guard rail says no, a `Refused` event and an error.

use crate::analysis::{self, Analysis};
use crate::credentials;
use crate::events::{Check, Decision, EventKind, EventLog, Override, Refusal};
use crate::ports::{
    AzureTenant, Clock, ConnectServer, DirSyncDiscovery, DirSyncInstallation, DirSyncServer,
    OnPremAd, PortError, PortErrorKind, Ports, ServiceAccount, SqlChoice,
};
use crate::prerequisites::{self, ConnectGeneration, Finding};
use crate::settings_file::{DEFAULT_SETTINGS_PATH, SettingsFileError};
use upgrade_lab_model::{Credential, SettingsDocument, SimTime};

/// How the cutover stops DirSync.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutoverMethod {
    /// Uninstall "Windows Azure Active Directory sync tool" (up to 15 minutes).
    #[default]
    Uninstall,
    /// Disable its service, so it can be re-enabled if something goes wrong.
    Disable,
}

/// Everything the operator chooses in the wizard. Holds passwords (as `Secret`), so it is never
/// serialised; `Debug` redacts them.
#[derive(Clone, Debug)]
pub struct UpgradeOptions {
    /// The Azure AD Connect build to install: its prerequisites are checked.
    pub generation: ConnectGeneration,
    /// "Continue upgrading DirSync on this computer" (in place with 50,000 objects or more).
    pub continue_in_place: bool,
    /// `AzureADConnect.exe /ForceExport` (export settings with fewer than 50,000 objects).
    pub force_export: bool,
    /// The Azure AD account (in place: the one DirSync uses) and its password.
    pub azure_ad: Credential,
    /// An Enterprise Admins account of the forest.
    pub enterprise_admin: Credential,
    /// Custom installation location of the new server; `None` = the default.
    pub install_location: Option<String>,
    /// The new server's database (parallel deployment; in place follows DirSync's).
    pub sql: SqlChoice,
    /// The account the new sync service runs as (a domain account when SQL is remote).
    pub service_account: ServiceAccount,
    /// "Start the synchronization process as soon as the configuration completes".
    pub start_sync: bool,
    /// How the cutover stops DirSync.
    pub cutover: CutoverMethod,
    /// Where Export settings writes the file and `/migrate` reads it.
    pub settings_path: String,
}

impl UpgradeOptions {
    /// The wizard's defaults: current generation, no overrides, LocalDB, the virtual service
    /// account, start sync on, cutover by uninstalling DirSync.
    pub fn new(azure_ad: Credential, enterprise_admin: Credential) -> Self {
        Self {
            generation: ConnectGeneration::default(),
            continue_in_place: false,
            force_export: false,
            azure_ad,
            enterprise_admin,
            install_location: None,
            sql: SqlChoice::LocalDb,
            service_account: ServiceAccount::Virtual,
            start_sync: true,
            cutover: CutoverMethod::default(),
            settings_path: DEFAULT_SETTINGS_PATH.to_string(),
        }
    }
}

/// Why a step did not complete.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// A guard rail refused the step (a `Refused` event was emitted).
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The settings file cannot be used.
    #[error("{0}")]
    Settings(#[from] SettingsFileError),
    /// A server or the tenant failed.
    #[error("{step}: {source}")]
    Port {
        /// The step that asked the port ("uninstall DirSync").
        step: &'static str,
        /// What the port answered.
        source: PortError,
    },
    /// The step needs an earlier one first.
    #[error("{step} needs {needs} first")]
    OutOfOrder {
        /// The step that was called.
        step: &'static str,
        /// The step it needs first.
        needs: &'static str,
    },
}

impl UpgradeError {
    /// The refusal, when a guard rail refused the step.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            UpgradeError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

/// What the engine remembers between steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpgradeState {
    /// The last analysis of DirSync.
    pub analysis: Option<Analysis>,
    /// The document exported (parallel) or migrated (in place).
    pub settings: Option<SettingsDocument>,
    /// When Export settings wrote the file (parallel).
    pub settings_exported_at: Option<SimTime>,
    /// When Azure AD Connect's installation finished.
    pub installed_at: Option<SimTime>,
    /// When DirSync stopped exporting (uninstalled or disabled by the engine).
    pub dirsync_stopped_at: Option<SimTime>,
    /// When Connect became the active exporter (in place: at install; parallel: staging off).
    pub connect_active_since: Option<SimTime>,
    /// When the engine last found the staging server's initial cycle verified (the four runs
    /// clean): a staging server turns staging off only after this is set.
    pub initial_cycle_verified_at: Option<SimTime>,
    /// The Connect server that is the active one, once one is.
    pub active_connect_host: Option<String>,
    /// When Connect's first export after the switch ended.
    pub first_export_at: Option<SimTime>,
}

/// The upgrade engine bound to its ports. `connect` is the server Azure AD Connect is installed
/// on: the DirSync server itself for an in-place upgrade, the new server for a parallel
/// deployment. The engine owns the ports; `*_mut` accessors and `into_parts` give them back to
/// a runner that drives the world between steps.
pub struct Upgrade<P: Ports> {
    pub(crate) dirsync: P::DirSync,
    pub(crate) connect: P::Connect,
    pub(crate) ad: P::Ad,
    pub(crate) tenant: P::Tenant,
    pub(crate) clock: P::Clock,
    pub(crate) options: UpgradeOptions,
    pub(crate) events: EventLog,
    pub(crate) state: UpgradeState,
}

/// The ports and the event log an engine hands back (`Upgrade::into_parts`).
pub type Parts<P> = (
    <P as Ports>::DirSync,
    <P as Ports>::Connect,
    <P as Ports>::Ad,
    <P as Ports>::Tenant,
    <P as Ports>::Clock,
    EventLog,
);

pub(crate) fn port(step: &'static str) -> impl FnOnce(PortError) -> UpgradeError {
    move |source| UpgradeError::Port { step, source }
}

impl<P: Ports> Upgrade<P> {
    /// The engine bound to its ports, with an empty event log and no step done yet.
    pub fn new(
        dirsync: P::DirSync,
        connect: P::Connect,
        ad: P::Ad,
        tenant: P::Tenant,
        clock: P::Clock,
        options: UpgradeOptions,
    ) -> Self {
        Self {
            dirsync,
            connect,
            ad,
            tenant,
            clock,
            options,
            events: EventLog::new(),
            state: UpgradeState::default(),
        }
    }

    /// Every event so far (what the engine checked, decided, changed and refused).
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// The event log, for a runner that drains it step by step.
    pub fn events_mut(&mut self) -> &mut EventLog {
        &mut self.events
    }

    /// What the engine remembers between steps.
    pub fn state(&self) -> &UpgradeState {
        &self.state
    }

    /// The operator's choices.
    pub fn options(&self) -> &UpgradeOptions {
        &self.options
    }

    /// The operator's choices, to change between steps (as in the wizard).
    pub fn options_mut(&mut self) -> &mut UpgradeOptions {
        &mut self.options
    }

    /// The DirSync server port, for a runner that drives the world between steps.
    pub fn dirsync_mut(&mut self) -> &mut P::DirSync {
        &mut self.dirsync
    }

    /// The Connect server port.
    pub fn connect_mut(&mut self) -> &mut P::Connect {
        &mut self.connect
    }

    /// The AD port.
    pub fn ad_mut(&mut self) -> &mut P::Ad {
        &mut self.ad
    }

    /// The tenant port.
    pub fn tenant_mut(&mut self) -> &mut P::Tenant {
        &mut self.tenant
    }

    /// The clock port.
    pub fn clock(&self) -> &P::Clock {
        &self.clock
    }

    /// The ports back, and the events.
    pub fn into_parts(self) -> Parts<P> {
        (
            self.dirsync,
            self.connect,
            self.ad,
            self.tenant,
            self.clock,
            self.events,
        )
    }

    pub(crate) fn emit(&mut self, kind: EventKind) {
        let at = self.clock.now();
        self.events.push(at, kind);
    }

    pub(crate) fn checked(&mut self, check: Check, passed: bool, finding: impl Into<String>) {
        self.emit(EventKind::Checked {
            check,
            passed,
            finding: finding.into(),
        });
    }

    pub(crate) fn decided(&mut self, decision: Decision, reason: impl Into<String>) {
        self.emit(EventKind::Decided {
            decision,
            reason: reason.into(),
        });
    }

    /// Emits the `Refused` event and returns the error.
    pub(crate) fn refuse(&mut self, refusal: Refusal) -> UpgradeError {
        self.emit(EventKind::Refused {
            refusal: refusal.clone(),
        });
        UpgradeError::Refused(refusal)
    }

    /// Checks the Connect server's prerequisites for the chosen generation. Findings are
    /// returned (and emitted), not refused: installing refuses on the blocking ones.
    pub async fn check_prerequisites(&mut self) -> Result<Vec<Finding>, UpgradeError> {
        let env = self
            .connect
            .environment()
            .await
            .map_err(port("read the server's prerequisites"))?;
        let generation = self.options.generation;
        let findings = prerequisites::check_prerequisites(&env, generation);
        for f in &findings {
            let check = Check::Prerequisite {
                prerequisite: f.check,
                severity: f.severity,
            };
            self.checked(check, false, format!("{}; fix: {}", f.problem, f.fix));
        }
        if findings.is_empty() {
            let finding = format!(
                "{} meets the prerequisites of Azure AD Connect {generation}",
                env.hostname
            );
            self.checked(Check::Prerequisites, true, finding);
        }
        Ok(findings)
    }

    /// Refuses when a prerequisite finding blocks the installation.
    pub(crate) async fn require_prerequisites(&mut self) -> Result<(), UpgradeError> {
        let findings = self.check_prerequisites().await?;
        let problems = prerequisites::blocking(&findings);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(self.refuse(Refusal::PrerequisitesNotMet { problems }))
        }
    }

    /// Analyses DirSync on its server: the analysis page, the estimate and recommendation.
    pub async fn analyze(&mut self) -> Result<Analysis, UpgradeError> {
        Ok(self.analyze_with_installation().await?.0)
    }

    pub(crate) async fn analyze_with_installation(
        &mut self,
    ) -> Result<(Analysis, DirSyncInstallation), UpgradeError> {
        let discovery = self
            .dirsync
            .discover()
            .await
            .map_err(port("analyse DirSync"))?;
        let installation = match discovery {
            DirSyncDiscovery::Installed(installation) => installation,
            DirSyncDiscovery::NotInstalled { uninstalled_at } => {
                let refusal = Refusal::DirSyncNotFound { uninstalled_at };
                self.checked(Check::DirSyncInstallation, false, refusal.to_string());
                return Err(self.refuse(refusal));
            }
        };
        let analysis = analysis::analyze_installation(&installation);
        self.checked(
            Check::DirSyncInstallation,
            true,
            format!(
                "DirSync {} on {} with {}, {} objects",
                analysis.dirsync_version,
                analysis.host,
                analysis.sql.display_name(),
                analysis.objects_count
            ),
        );
        self.decided(
            Decision::Recommendation {
                recommendation: analysis.recommendation,
                objects_count: analysis.objects_count,
                estimate: analysis.estimate,
            },
            "3 hours per 50,000 objects; 50,000 or more recommends a parallel deployment",
        );
        self.decided(
            Decision::AnalysisPage {
                page: analysis.page.clone(),
            },
            "the page by precedence: blocked, then 50,000 objects or more, then full SQL, \
             then ready",
        );
        self.state.analysis = Some(analysis.clone());
        Ok((analysis, installation))
    }

    pub(crate) fn note_override(&mut self, what: Override, reason: &str) {
        self.decided(Decision::Override { what }, reason);
    }

    /// The wizard's two credential pages. `dirsync_account`: in place, the Azure AD account must
    /// be the one DirSync uses.
    pub(crate) async fn collect_credentials(
        &mut self,
        dirsync_account: Option<&str>,
    ) -> Result<(), UpgradeError> {
        let azure_ad = self.options.azure_ad.clone();
        if let Some(expected) = dirsync_account {
            if let Err(r) = credentials::check_dirsync_account(&azure_ad.account, expected) {
                self.checked(Check::AzureAdAccount, false, r.to_string());
                return Err(self.refuse(r));
            }
            self.checked(
                Check::AzureAdAccount,
                true,
                format!("{} is the account DirSync uses", azure_ad.account),
            );
        }
        let answer = self.tenant.sign_in(&azure_ad).await;
        match credentials::check_tenant_sign_in(&azure_ad.account, answer) {
            Err(r) => {
                self.checked(Check::TenantSignIn, false, r.to_string());
                return Err(self.refuse(r));
            }
            Ok(s) => self.checked(
                Check::TenantSignIn,
                true,
                format!(
                    "signed in to Azure AD as {} (Hybrid Identity Administrator)",
                    s.account
                ),
            ),
        }
        let ea = self.options.enterprise_admin.clone();
        let answer = self.ad.is_enterprise_admin(&ea).await;
        if let Err(e) = &answer {
            let credential_problem = matches!(
                e.kind,
                PortErrorKind::InvalidCredentials | PortErrorKind::ExpiredCredentials
            );
            if !credential_problem {
                return Err(UpgradeError::Port {
                    step: "check the Enterprise Admins credentials",
                    source: e.clone(),
                });
            }
        }
        if let Err(r) = credentials::check_enterprise_admin(&ea.account, &answer) {
            self.checked(Check::EnterpriseAdmin, false, r.to_string());
            return Err(self.refuse(r));
        }
        self.checked(
            Check::EnterpriseAdmin,
            true,
            format!(
                "{} is an Enterprise Admin (used only during installation)",
                ea.account
            ),
        );
        Ok(())
    }
}
