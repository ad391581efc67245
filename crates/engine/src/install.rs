//! The steps the in-place upgrade and the parallel deployment share: making sure the installer
//! may run on the Connect server, building the request the wizard's "Ready to configure" page
//! commits, running the installer, and recording which server became the active exporter.
//!
//! The invariants these steps rely on are asserted here, once for both paths: an in-place
//! installation exports at once (no staging, start sync on), a `/migrate` installation starts in
//! staging mode (so its initial cycle runs before it may export), and never two Azure AD Connect
//! servers are the active exporter at the same time (docs/real-systems.md, "Staging mode").

use crate::events::{Change, Decision, EventKind, ServerRole};
use crate::guards;
use crate::ports::{
    ConnectServer, InstallMode, InstallReceipt, InstallRequest, Ports, ServiceAccount, SqlChoice,
};
use crate::upgrade::{Upgrade, UpgradeError, UpgradeState, port};
use upgrade_lab_model::{SettingsDocument, SimTime};

/// Asserts the shape of an installation request: in place means active at once (staging off,
/// start sync on); `/migrate` means staging on, whatever start sync says. The engine builds
/// every request in [`Upgrade::install_request`]; a request of the other shape would let a
/// second server export next to DirSync, or leave an in-place server idle.
pub(crate) fn assert_request_shape(request: &InstallRequest) {
    match request.mode {
        InstallMode::InPlace => assert!(
            !request.staging && request.start_sync,
            "an in-place installation must export at once: staging off, start sync on"
        ),
        InstallMode::Migrate => assert!(
            request.staging,
            "a /migrate installation must start in staging mode, before its initial cycle"
        ),
    }
}

/// Asserts that `host` may become the active exporter: no other Connect server is the active
/// one (the guard `guard_one_active_connect` refused that before), and the state names an
/// active host exactly when it knows since when.
pub(crate) fn assert_one_exporter(state: &UpgradeState, host: &str) {
    assert_eq!(
        state.connect_active_since.is_some(),
        state.active_connect_host.is_some(),
        "the active Connect server and the time it became active are recorded together"
    );
    if let Some(active) = &state.active_connect_host {
        assert!(
            active.eq_ignore_ascii_case(host),
            "two Azure AD Connect servers would export at once: {active} is active, {host} \
             was about to become active"
        );
    }
}

impl<P: Ports> Upgrade<P> {
    /// Refuses (`installer_rerun`) when Azure AD Connect is already installed on the Connect
    /// server: the installation MSI never runs twice.
    pub(crate) async fn require_no_connect_installation(&mut self) -> Result<(), UpgradeError> {
        let installed = self
            .connect
            .installation()
            .await
            .map_err(port("look for an existing installation"))?;
        guards::guard_installer_may_run(installed.as_ref()).map_err(|r| self.refuse(r))
    }

    /// The request the wizard commits: in place, staging off and start sync on; `/migrate`,
    /// staging on and start sync as the operator chose.
    pub(crate) fn install_request(
        &self,
        mode: InstallMode,
        settings: SettingsDocument,
        sql: SqlChoice,
        service_account: ServiceAccount,
    ) -> InstallRequest {
        let (staging, start_sync) = match mode {
            InstallMode::InPlace => (false, true),
            InstallMode::Migrate => (true, self.options.start_sync),
        };
        InstallRequest {
            mode,
            settings,
            install_location: self.options.install_location.clone(),
            sql,
            service_account,
            staging,
            start_sync,
            azure_ad: self.options.azure_ad.clone(),
            enterprise_admin: self.options.enterprise_admin.clone(),
        }
    }

    /// Runs the installer on the Connect server (`host`) and says so.
    pub(crate) async fn install_connect(
        &mut self,
        request: InstallRequest,
        host: &str,
        step: &'static str,
    ) -> Result<InstallReceipt, UpgradeError> {
        assert_request_shape(&request);
        let (staging, start_sync) = (request.staging, request.start_sync);
        let sql = request.sql.display_name();
        let receipt = self.connect.install(request).await.map_err(port(step))?;
        self.emit(EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::ConnectInstalled {
                host: host.to_string(),
                version: receipt.version.clone(),
                staging,
                start_sync,
                sql,
            },
        });
        Ok(receipt)
    }

    /// Records `host` as the active exporter since `at` and says so.
    pub(crate) fn mark_active(&mut self, host: &str, at: SimTime, reason: &str) {
        assert_one_exporter(&self.state, host);
        self.state.connect_active_since = Some(at);
        self.state.active_connect_host = Some(host.to_string());
        self.decided(
            Decision::ActiveServer {
                host: host.to_string(),
            },
            reason,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::Credential;

    fn request(mode: InstallMode, staging: bool, start_sync: bool) -> InstallRequest {
        let installation = crate::analysis::tests::installation(10);
        InstallRequest {
            mode,
            settings: crate::settings_file::export_document(&installation),
            install_location: None,
            sql: SqlChoice::LocalDb,
            service_account: ServiceAccount::Virtual,
            staging,
            start_sync,
            azure_ad: Credential::new("a@contoso.onmicrosoft.com", "pw"),
            enterprise_admin: Credential::new("CONTOSO\\ea", "pw"),
        }
    }

    #[test]
    fn the_engines_request_shapes_pass() {
        assert_request_shape(&request(InstallMode::InPlace, false, true));
        assert_request_shape(&request(InstallMode::Migrate, true, false));
        assert_request_shape(&request(InstallMode::Migrate, true, true));
    }

    #[test]
    #[should_panic(expected = "a /migrate installation must start in staging mode")]
    fn a_migrate_request_without_staging_fires() {
        assert_request_shape(&request(InstallMode::Migrate, false, true));
    }

    #[test]
    #[should_panic(expected = "an in-place installation must export at once")]
    fn an_in_place_request_in_staging_fires() {
        assert_request_shape(&request(InstallMode::InPlace, true, true));
    }

    #[test]
    #[should_panic(expected = "an in-place installation must export at once")]
    fn an_in_place_request_without_start_sync_fires() {
        assert_request_shape(&request(InstallMode::InPlace, false, false));
    }

    fn active(host: Option<&str>, since: Option<u64>) -> UpgradeState {
        UpgradeState {
            active_connect_host: host.map(str::to_string),
            connect_active_since: since.map(SimTime),
            ..UpgradeState::default()
        }
    }

    #[test]
    fn the_same_server_may_become_active_again() {
        assert_one_exporter(&active(None, None), "AADC01");
        assert_one_exporter(&active(Some("aadc01"), Some(5)), "AADC01");
    }

    #[test]
    #[should_panic(expected = "two Azure AD Connect servers would export at once")]
    fn a_second_active_server_fires() {
        assert_one_exporter(&active(Some("AADC01"), Some(5)), "AADC02");
    }

    #[test]
    #[should_panic(expected = "recorded together")]
    fn an_active_host_without_its_time_fires() {
        assert_one_exporter(&active(Some("AADC01"), None), "AADC01");
    }
}
