//! On-premises AD, the tenant and the clock as ports.

use super::{azure_sign_in, hook, wait};
use crate::faults::{FaultKind, operations};
use crate::world::Shared;
use std::rc::Rc;
use upgrade_lab_engine::ports::{
    AdChanges, AzureTenant, Clock, OnPremAd, PortError, PortErrorKind, TenantSession,
    TenantSyncStatus,
};
use upgrade_lab_model::{Credential, SimDuration, SimTime};

/// On-premises AD.
#[derive(Clone, Debug)]
pub struct AdPort {
    shared: Rc<Shared>,
}

impl AdPort {
    pub(crate) fn new(shared: Rc<Shared>) -> Self {
        Self { shared }
    }
}

impl OnPremAd for AdPort {
    async fn is_enterprise_admin(&mut self, credential: &Credential) -> Result<bool, PortError> {
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        Ok(self
            .shared
            .state
            .borrow()
            .ad
            .is_enterprise_admin(credential))
    }

    async fn changes_since(&mut self, since: SimTime) -> Result<AdChanges, PortError> {
        Ok(self.shared.state.borrow().ad.changes_since(since))
    }
}

/// The Azure AD tenant.
#[derive(Clone, Debug)]
pub struct TenantPort {
    shared: Rc<Shared>,
}

impl TenantPort {
    pub(crate) fn new(shared: Rc<Shared>) -> Self {
        Self { shared }
    }
}

impl AzureTenant for TenantPort {
    async fn sign_in(&mut self, credential: &Credential) -> Result<TenantSession, PortError> {
        hook(&self.shared, operations::TENANT_SIGN_IN, true);
        let now = self.shared.now();
        let unreachable = self
            .shared
            .state
            .borrow()
            .faults
            .find_kind(now, &FaultKind::AzureAdUnreachable);
        if let Some(id) = unreachable {
            super::port_hit(&self.shared, id, "AZURE AD", operations::TENANT_SIGN_IN);
            return Err(PortError::new(
                PortErrorKind::EndpointUnreachable,
                crate::faults::UNREACHABLE_TEXT,
            ));
        }
        let ms = self.shared.state.borrow().timing.query_ms;
        wait(&self.shared, ms).await;
        let admin = azure_sign_in(
            &self.shared,
            credential,
            ("AZURE AD", operations::TENANT_SIGN_IN),
        )?;
        hook(&self.shared, operations::TENANT_SIGN_IN, false);
        Ok(TenantSession {
            account: credential.account.clone(),
            is_hybrid_identity_admin: admin,
        })
    }

    async fn sync_status(&mut self) -> Result<TenantSyncStatus, PortError> {
        let st = self.shared.state.borrow();
        Ok(TenantSyncStatus {
            last_export: st.tenant.ledger.last_export().map(|e| {
                (
                    e.ended,
                    format!("{} ({})", e.client.host, e.client.product.as_str()),
                )
            }),
            synced_objects: st.tenant.synced_count(),
        })
    }
}

/// The world's paused tokio clock.
#[derive(Clone, Debug)]
pub struct ClockPort {
    shared: Rc<Shared>,
}

impl ClockPort {
    pub(crate) fn new(shared: Rc<Shared>) -> Self {
        Self { shared }
    }
}

impl Clock for ClockPort {
    fn now(&self) -> SimTime {
        self.shared.now()
    }

    async fn sleep(&self, duration: SimDuration) {
        tokio::time::sleep(duration.as_std()).await;
    }
}
