//! The engine's ports as handles into the world: `DirSyncPort`, `ConnectPort` (one per host:
//! in place it targets the DirSync host, in parallel a new host), `AdPort`, `TenantPort` and
//! `ClockPort`. Every call spends modelled time and answers with the real systems' words,
//! including the faults active at that moment.
//!
//! It must not decide anything for the engine: guard rails are the engine's; the world only
//! records what happened (the ledger reports unsafe sequences).

mod connect;
mod directory;
mod dirsync;

pub use connect::ConnectPort;
pub use directory::{AdPort, ClockPort, TenantPort};
pub use dirsync::DirSyncPort;

use super::{Shared, World, host_key};
use crate::faults::{Connectivity, FaultHit, FaultId, FaultKind, SERVER_DOWN_TEXT};
use upgrade_lab_engine::ports::{PortError, PortErrorKind, Ports};
use upgrade_lab_engine::{Upgrade, UpgradeOptions};
use upgrade_lab_model::{Credential, SimDuration};

/// A world's ports, as the engine's `Ports`.
pub struct WorldPorts;

impl Ports for WorldPorts {
    type DirSync = DirSyncPort;
    type Connect = ConnectPort;
    type Ad = AdPort;
    type Tenant = TenantPort;
    type Clock = ClockPort;
}

/// The upgrade engine wired to a world's ports.
pub type WorldUpgrade = Upgrade<WorldPorts>;

impl World {
    /// The upgrade engine driving this world, with Azure AD Connect on `connect_host`: the
    /// DirSync host for an in-place upgrade, a new host for a parallel deployment.
    pub fn upgrade(&self, connect_host: &str, options: UpgradeOptions) -> WorldUpgrade {
        Upgrade::new(
            self.dirsync_port(),
            self.connect_port(connect_host),
            self.ad_port(),
            self.tenant_port(),
            self.clock(),
            options,
        )
    }

    /// The DirSync server's port.
    pub fn dirsync_port(&self) -> DirSyncPort {
        DirSyncPort::new(self.shared.clone())
    }

    /// An Azure AD Connect server's port on `host` (the DirSync host for an in-place upgrade).
    pub fn connect_port(&self, host: &str) -> ConnectPort {
        ConnectPort::new(self.shared.clone(), host_key(host))
    }

    /// The engine's port onto AD (forest facts, credentials).
    pub fn ad_port(&self) -> AdPort {
        AdPort::new(self.shared.clone())
    }

    /// The engine's port onto the Azure AD tenant (sign-in, directory sync state).
    pub fn tenant_port(&self) -> TenantPort {
        TenantPort::new(self.shared.clone())
    }

    /// The engine's clock: the world's simulated time.
    pub fn clock(&self) -> ClockPort {
        ClockPort::new(self.shared.clone())
    }
}

pub(super) async fn wait(shared: &Shared, ms: u64) {
    let _ = shared;
    tokio::time::sleep(SimDuration(ms).as_std()).await;
}

pub(super) fn hook(shared: &Shared, operation: &str, before: bool) {
    let now = shared.now();
    shared
        .state
        .borrow_mut()
        .faults
        .on_operation(operation, before, now);
}

/// Records that fault `id` failed the port call `operation` on `host` now.
pub(super) fn port_hit(shared: &Shared, id: FaultId, host: &str, operation: &str) {
    let at = shared.now();
    shared.state.borrow().faults.hit(
        id,
        FaultHit::PortCall {
            at,
            host: host_key(host),
            operation: operation.to_string(),
        },
    );
}

/// Fails the port call `operation` when `host` is down.
pub(super) fn down(shared: &Shared, host: &str, operation: &str) -> Result<(), PortError> {
    let now = shared.now();
    let crash = shared.state.borrow().faults.server_down(host, now);
    if let Some(id) = crash {
        port_hit(shared, id, host, operation);
        return Err(PortError::new(PortErrorKind::ServerDown, SERVER_DOWN_TEXT));
    }
    Ok(())
}

/// Fails the port call `operation` when `host` cannot reach Azure AD.
pub(super) fn connectivity_error(
    shared: &Shared,
    host: &str,
    operation: &str,
) -> Result<(), PortError> {
    let now = shared.now();
    let found = shared.state.borrow().faults.azure_connectivity(host, now);
    match found {
        None => Ok(()),
        Some((id, c, text)) => Err({
            port_hit(shared, id, host, operation);
            PortError::new(
                match c {
                    Connectivity::Unreachable => PortErrorKind::EndpointUnreachable,
                    Connectivity::Proxy407 => PortErrorKind::ProxyAuthenticationRequired,
                    Connectivity::Proxy403 => PortErrorKind::ProxyForbidden,
                },
                text,
            )
        }),
    }
}

/// Checks an Azure AD sign-in from `host` (for `operation`), faults on the account included.
pub(super) fn azure_sign_in(
    shared: &Shared,
    credential: &Credential,
    (host, operation): (&str, &str),
) -> Result<bool, PortError> {
    let now = shared.now();
    let st = shared.state.borrow();
    let hit = |id: FaultId| {
        st.faults.hit(
            id,
            FaultHit::PortCall {
                at: now,
                host: host_key(host),
                operation: operation.to_string(),
            },
        );
    };
    for (id, k) in st.faults.active(now) {
        match k {
            FaultKind::AzureCredentialsInvalid { account }
                if account.eq_ignore_ascii_case(&credential.account) =>
            {
                hit(id);
                return Err(PortError::new(
                    PortErrorKind::InvalidCredentials,
                    "AADSTS50126: Error validating credentials due to invalid username or password. (Invalid grant)",
                ));
            }
            FaultKind::AzureCredentialsExpired { account }
                if account.eq_ignore_ascii_case(&credential.account) =>
            {
                hit(id);
                return Err(PortError::new(
                    PortErrorKind::ExpiredCredentials,
                    "AADSTS50055: The password is expired.",
                ));
            }
            _ => {}
        }
    }
    st.tenant
        .check_sign_in(credential)
        .map_err(|(expired, text)| {
            let kind = if expired {
                PortErrorKind::ExpiredCredentials
            } else {
                PortErrorKind::InvalidCredentials
            };
            PortError::new(kind, text)
        })
}

pub(super) fn read_host_file(
    shared: &Shared,
    host: &str,
    path: &str,
) -> Result<Vec<u8>, PortError> {
    shared
        .state
        .borrow()
        .files
        .get(&host_key(host))
        .and_then(|f| f.get(path))
        .cloned()
        .ok_or_else(|| {
            PortError::new(
                PortErrorKind::FileNotFound,
                format!("Could not find file '{path}' on {host}"),
            )
        })
}

pub(super) fn write_host_file(shared: &Shared, host: &str, path: &str, bytes: Vec<u8>) {
    shared
        .state
        .borrow_mut()
        .files
        .entry(host_key(host))
        .or_default()
        .insert(path.to_string(), bytes);
}
