//! Read-only questions about one world that scenario expectations and tenant dumps ask: an AD
//! object by name, a tenant object by immutableId, what Connect was installed on, and the whole
//! tenant as typed records, the files on the servers, DirSync's and Connect's state, the
//! ledger's exports. None of them lets simulated time pass. The scenario runner reads the world
//! only through these and the other methods of `World` (ARCHITECTURE.md, "the sealed world").

use super::{World, host_key};
use crate::tenant::TenantObject;
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use upgrade_lab_engine::ports::AdChanges;
use upgrade_lab_engine::ports::SqlChoice;
use upgrade_lab_model::{
    Attributes, DirectoryObject, ImmutableId, ObjectKind, PendingExport, RunRecord, SimTime, Value,
};

/// DirSync's service as an administrator finds it; scenario files name it in
/// `expect.dirsync_state` with the same spelling.
/// DirSync as a scenario sees it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    serde::Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum DirSyncState {
    /// Installed, its service running.
    Running,
    /// Installed, its service stopped.
    Disabled,
    /// Removed (or never installed).
    Uninstalled,
}

impl DirSyncState {
    /// `running`, `disabled` or `uninstalled`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A file on a server.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerFile {
    /// The host's canonical (upper-case) name.
    pub host: String,
    /// The path on that host, as the product wrote it.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// One export run the ledger recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportEntry {
    pub(crate) host: String,
    /// `dirsync` or `connect` (`Product::key`).
    pub product: &'static str,
    pub(crate) started: SimTime,
    /// The objects it wrote.
    pub(crate) objects_count: usize,
}

/// How a scenario names an AD object (compared without case, as AD does).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum AdName<'a> {
    /// The object's distinguished name, e.g. `CN=Smith\, John,OU=Sales,DC=contoso,DC=com`.
    Dn(&'a str),
    /// The object's sAMAccountName (pre-Windows 2000 logon name), without the domain.
    SamAccountName(&'a str),
}

/// A `DirSyncProvisioningErrors` entry with the time of the export that recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisioningErrorRecord {
    /// The attribute in conflict: `UserPrincipalName` or `ProxyAddresses`.
    pub attribute: &'static str,
    /// The value in conflict, as the object holds it (`SMTP:` prefixed for an address).
    pub value: String,
    /// When the export run that wrote the object started (its first export run in the ledger).
    pub at: Option<SimTime>,
}

/// One live tenant object as the tenant shows it.
#[derive(Clone, Debug)]
pub struct TenantRecord {
    /// A stable GUID-shaped id (16 bytes) drawn from the world's seed and the object's identity.
    pub id: [u8; 16],
    /// User, group or contact.
    pub kind: ObjectKind,
    /// `None` for cloud-only objects.
    pub immutable_id: Option<ImmutableId>,
    /// The values the tenant holds.
    pub attrs: Arc<Attributes>,
    /// The UPN Azure AD shows (the quarantined one after a conflict).
    pub upn: Option<Value>,
    /// DN of the AD object it was synced from, while that object exists.
    pub on_premises_dn: Option<Value>,
    /// The duplicate-attribute errors recorded against this object, oldest first.
    pub provisioning_errors: Vec<ProvisioningErrorRecord>,
}

fn stable_id(seed: u64, key: &str) -> [u8; 16] {
    let mut rng = crate::rng::rng_for(seed, &format!("tenant-object-id/{key}"));
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

/// What identifies a tenant object across runs: its anchor, else (cloud-only) its kind and
/// position among the tenant's objects.
fn identity(o: &TenantObject, position: usize) -> String {
    match &o.immutable_id {
        Some(id) => format!("anchor/{id}"),
        None => format!("cloud/{}/{position}", o.kind.as_str()),
    }
}

impl World {
    /// The AD object named so and whether it is a tombstone (a live object wins over a deleted
    /// one of the same name), if AD ever held one.
    pub fn find_ad_object(&self, name: AdName<'_>) -> Option<(DirectoryObject, bool)> {
        let matches = |o: &DirectoryObject| match name {
            AdName::Dn(dn) => o.dn.eq_ignore_ascii_case(dn),
            AdName::SamAccountName(sam) => o
                .attrs
                .sam_account_name()
                .as_ref()
                .is_some_and(|s| s.eq_ignore_ascii_case(sam)),
        };
        self.with_state(|st| {
            let mut found: Option<(DirectoryObject, bool)> = None;
            for e in st.ad.changes_after_usn(0).filter(|e| matches(e.object)) {
                if found.as_ref().is_none_or(|(_, deleted)| *deleted) {
                    found = Some((e.object.clone(), e.deleted));
                }
            }
            found
        })
    }

    /// The canonical name of a host: host names compare without case, as Windows does.
    pub fn canonical_host(host: &str) -> String {
        host_key(host)
    }

    /// The password every account of a world has unless the builder was given another.
    pub fn default_password() -> &'static str {
        super::builder::DEFAULT_PASSWORD
    }

    /// Every file on every server, by host then path.
    pub fn server_files(&self) -> Vec<ServerFile> {
        self.with_state(|st| {
            st.files
                .iter()
                .flat_map(|(host, files)| {
                    files.iter().map(move |(path, bytes)| ServerFile {
                        host: host.clone(),
                        path: path.clone(),
                        bytes: bytes.clone(),
                    })
                })
                .collect()
        })
    }

    /// DirSync's state now.
    pub fn dirsync_state(&self) -> DirSyncState {
        self.with_state(|st| match &st.dirsync {
            Some(d) if d.installed && d.service_running => DirSyncState::Running,
            Some(d) if d.installed => DirSyncState::Disabled,
            _ => DirSyncState::Uninstalled,
        })
    }

    /// Whether Azure AD Connect is installed on `host`.
    pub fn connect_installed(&self, host: &str) -> bool {
        self.with_state(|st| st.connects.contains_key(&host_key(host)))
    }

    /// Whether Azure AD Connect on `host` is in staging mode (`false` when not installed).
    pub fn connect_staging(&self, host: &str) -> bool {
        self.with_state(|st| st.connects.get(&host_key(host)).is_some_and(|c| c.staging))
    }

    /// What AD changed since `since`, read without the time the AD port charges.
    pub fn ad_changes_since(&self, since: SimTime) -> AdChanges {
        self.with_state(|st| st.ad.changes_since(since))
    }

    /// How many tenant objects came from a sync client.
    pub fn tenant_synced_count(&self) -> u64 {
        self.with_state(|st| st.tenant.synced_count())
    }

    /// How many tenant objects are live (synced or cloud-only, not deleted).
    pub fn tenant_live_count(&self) -> u64 {
        self.with_state(|st| st.tenant.live_count())
    }

    /// The ledger's export runs, oldest first.
    pub fn ledger_exports(&self) -> Vec<ExportEntry> {
        self.with_state(|st| {
            st.tenant
                .ledger
                .exports
                .iter()
                .map(|e| ExportEntry {
                    host: e.client.host.clone(),
                    product: e.client.product.key(),
                    started: e.started,
                    objects_count: e.objects.len(),
                })
                .collect()
        })
    }

    /// The live tenant object with this immutableId, if any.
    pub fn tenant_object(&self, id: &ImmutableId) -> Option<TenantObject> {
        self.with_state(|st| st.tenant.get(id).cloned())
    }

    /// The SQL Server choice Azure AD Connect was installed with on `host`, if installed.
    pub fn connect_sql(&self, host: &str) -> Option<SqlChoice> {
        self.with_state(|st| st.connects.get(&host_key(host)).map(|c| c.sql.clone()))
    }

    /// Connect's run history and pending exports on `host` as they are now, read without the
    /// query time the port charges; `None` when Connect is not installed there.
    pub fn connect_snapshot(&self, host: &str) -> Option<(Vec<RunRecord>, Vec<PendingExport>)> {
        self.with_state(|st| {
            st.connects
                .get(&host_key(host))
                .map(|c| (c.engine.history.clone(), c.engine.pending_exports(&st.ad)))
        })
    }

    /// Every live tenant object, in the tenant's own order (creation order).
    pub fn tenant_records(&self) -> Vec<TenantRecord> {
        self.with_state(|st| {
            let errored: BTreeMap<&ImmutableId, Option<SimTime>> = st
                .tenant
                .provisioning_errors
                .iter()
                .map(|e| (&e.anchor, None))
                .collect();
            let mut first_export = errored;
            for record in &st.tenant.ledger.exports {
                for (anchor, _) in &record.objects {
                    if let Some(at @ None) = first_export.get_mut(anchor) {
                        *at = Some(record.started);
                    }
                }
            }
            st.tenant
                .objects
                .iter()
                .enumerate()
                .filter(|(_, o)| !o.deleted)
                .map(|(i, o)| TenantRecord {
                    id: stable_id(st.seed, &identity(o, i)),
                    kind: o.kind,
                    immutable_id: o.immutable_id.clone(),
                    attrs: o.attrs.clone(),
                    upn: o.effective_upn().map(Value::from),
                    on_premises_dn: o
                        .immutable_id
                        .as_ref()
                        .and_then(ImmutableId::to_object_guid)
                        .and_then(|g| st.ad.get(&g))
                        .map(|a| a.dn.clone()),
                    provisioning_errors: st
                        .tenant
                        .provisioning_errors
                        .iter()
                        .filter(|e| Some(&e.anchor) == o.immutable_id.as_ref())
                        .map(|e| ProvisioningErrorRecord {
                            attribute: e.attribute,
                            value: e.value.clone(),
                            at: first_export.get(&e.anchor).copied().flatten(),
                        })
                        .collect(),
                })
                .collect()
        })
    }
}
