//! The export ledger: every export that reached the tenant (by which client: host, product,
//! account; when; what), every change of a server's "active exporter" state (docs/decisions.md,
//! "Active exporter"), password hash sync arrivals, and incidents a scenario must hear about
//! (installer re-runs, a shared SQL instance, the sign-out after install).
//!
//! It must not judge: `world::report` turns it into intervals and violations.

use serde::Serialize;
use upgrade_lab_model::{ExportOperation, ImmutableId, SimTime};

/// The sync client products.
/// `as_str` (and serde) give the product's name (`Azure AD Connect`), `key` the lowercase word
/// reports key by (`connect`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
pub enum Product {
    /// Windows Azure Active Directory Sync (DirSync).
    DirSync,
    /// Azure AD Connect.
    #[serde(rename = "Azure AD Connect")]
    Connect,
}

impl Product {
    /// The product's name as reports show it: `DirSync` or `Azure AD Connect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::DirSync => "DirSync",
            Product::Connect => "Azure AD Connect",
        }
    }

    /// The word reports key by: `dirsync` or `connect`.
    pub fn key(self) -> &'static str {
        self.into()
    }
}

/// Who exported.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct ExportClient {
    /// The host's canonical (upper-case) name.
    pub host: String,
    /// The product exporting from that host.
    pub product: Product,
    /// The Azure AD account the client signs in with.
    pub(crate) account: String,
}

/// One export run that reached the tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportRecord {
    /// Who exported: host and product.
    pub client: ExportClient,
    pub(crate) started: SimTime,
    pub(crate) ended: SimTime,
    pub(crate) adds: u64,
    /// Accepted updates.
    pub updates: u64,
    pub(crate) deletes: u64,
    pub(crate) errors: u64,
    /// Each accepted write: the object and the operation.
    #[serde(skip)]
    pub objects: Vec<(ImmutableId, ExportOperation)>,
    /// Accepted writes that changed nothing: the tenant already held exactly these values
    /// from the same product's rules (the write was exported twice).
    #[serde(skip)]
    pub(crate) repeated: Vec<ImmutableId>,
}

impl ExportRecord {
    pub(crate) fn writes(&self) -> u64 {
        self.adds + self.updates + self.deletes
    }
}

/// A server became, or stopped being, an active exporter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ExporterEvent {
    pub(crate) at: SimTime,
    pub(crate) host: String,
    pub(crate) product: Product,
    pub(crate) active: bool,
}

/// Something a scenario must be told about that is not an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Incident {
    /// The Azure AD Connect installer (MSI) was run again on an installed server (the upgrade
    /// document: "Make sure that you don't run the installation MSI file again").
    InstallerRerun {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// A new server was installed on the SQL instance DirSync still uses (docs/real-systems.md,
    /// "Failure modes", 12).
    SharedSqlInstance {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
        /// The SQL instance both servers use, as the installer was given it.
        instance: String,
    },
    /// The installer finished and asked the user to sign out and in again (the upgrade document).
    SignOutRequired {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// The user signed out and in again after the installer asked to (clears `SignOutRequired`).
    SignedOutAndIn {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// DirSync was uninstalled before the Connect installer inspected it, so its configuration
    /// could not be read and migrated (the upgrade document: "do not uninstall DirSync yourself
    /// before the upgrade").
    DirSyncUninstalledBeforeInspection {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
    },
    /// Connect was installed with settings migrated from a DirSync whose configuration blocks
    /// the upgrade: the removed attributes or the extension DLL's logic are silently lost
    /// (docs/real-systems.md, "What migrates, what blocks, what is reset").
    BlockedConfigurationMigrated {
        /// Simulated time it happened.
        at: SimTime,
        /// Host name of the server it happened on.
        host: String,
        /// Why DirSync's configuration blocks the upgrade, one line per reason.
        reasons: Vec<String>,
    },
}

/// Password hashes that arrived from a client's password hash sync agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PasswordSyncRecord {
    /// When the password sync cycle reached the tenant.
    pub at: SimTime,
    /// The host's canonical (upper-case) name.
    pub host: String,
    /// Password hashes it carried.
    pub passwords: u64,
}

/// An export run that actually ran (not staging, not stopped by the threshold): AD changes made
/// before its server's last AD import started are carried by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ExportRunMark {
    pub(crate) host: String,
    pub(crate) covers_changes_until: SimTime,
    pub(crate) ended: SimTime,
}

/// Everything the tenant recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Every export that reached the tenant, in simulated-time order.
    pub exports: Vec<ExportRecord>,
    pub(crate) exporter_events: Vec<ExporterEvent>,
    /// Installs, reruns and sign-outs the tenant's side observed, in order.
    pub incidents: Vec<Incident>,
    /// Every password hash sync cycle that carried hashes, in order.
    pub password_syncs: Vec<PasswordSyncRecord>,
    pub(crate) export_runs: Vec<ExportRunMark>,
}

impl Ledger {
    /// Records an export that reached the tenant and logs it at `debug` (target
    /// `upgrade_lab_simulator::tenant::ledger`), stamped with its simulated end.
    /// Records an export that reached the tenant. Asserts the ledger's own invariants: the
    /// counts are the accepted writes (`objects`: one per add, update or delete), the run ends
    /// after it starts, and exports are recorded in simulated-time order (the clock never runs
    /// back).
    pub(crate) fn record_export(&mut self, record: ExportRecord) {
        assert_eq!(
            record.objects.len() as u64,
            record.writes(),
            "ledger counts disagree: {} accepted writes, {} adds + updates + deletes",
            record.objects.len(),
            record.writes()
        );
        assert!(
            record.started <= record.ended,
            "export run ends at {} before it starts at {}",
            record.ended,
            record.started
        );
        if let Some(last) = self.exports.last() {
            assert!(
                last.ended <= record.ended,
                "simulated time ran back: an export ended at {} after one that ended at {}",
                record.ended,
                last.ended
            );
        }
        tracing::debug!(
            sim = %record.ended,
            host = record.client.host.as_str(),
            product = record.client.product.as_str(),
            adds = record.adds,
            updates = record.updates,
            deletes = record.deletes,
            errors = record.errors,
            "export reached the tenant: {} writes",
            record.writes()
        );
        self.exports.push(record);
    }

    /// The last export that wrote something, and its client.
    pub(crate) fn last_export(&self) -> Option<&ExportRecord> {
        self.exports.iter().rev().find(|e| e.writes() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(started: u64, ended: u64, adds: u64, objects: usize) -> ExportRecord {
        ExportRecord {
            client: ExportClient {
                host: "AADC01".into(),
                product: Product::Connect,
                account: "Sync_AADC01@contoso.onmicrosoft.com".into(),
            },
            started: SimTime(started),
            ended: SimTime(ended),
            adds,
            updates: 0,
            deletes: 0,
            errors: 0,
            objects: (0..objects)
                .map(|i| (ImmutableId::new(&format!("id{i}")), ExportOperation::Add))
                .collect(),
            repeated: Vec::new(),
        }
    }

    #[test]
    fn a_consistent_export_is_recorded() {
        let mut ledger = Ledger::default();
        ledger.record_export(export(0, 10, 2, 2));
        ledger.record_export(export(10, 10, 0, 0));
        assert_eq!(ledger.exports.len(), 2);
    }

    #[test]
    #[should_panic(expected = "ledger counts disagree: 1 accepted writes, 2 adds")]
    fn counts_that_disagree_with_the_writes_panic() {
        Ledger::default().record_export(export(0, 10, 2, 1));
    }

    #[test]
    #[should_panic(expected = "export run ends at")]
    fn an_export_ending_before_it_starts_panics() {
        Ledger::default().record_export(export(10, 5, 0, 0));
    }

    #[test]
    #[should_panic(expected = "simulated time ran back")]
    fn an_export_recorded_out_of_time_order_panics() {
        let mut ledger = Ledger::default();
        ledger.record_export(export(0, 20, 0, 0));
        ledger.record_export(export(0, 10, 0, 0));
    }

    #[test]
    fn product_names_and_keys() {
        assert_eq!(Product::DirSync.key(), "dirsync");
        assert_eq!(Product::Connect.key(), "connect");
        assert_eq!(Product::Connect.as_str(), "Azure AD Connect");
        assert_eq!(
            serde_json::to_value(Product::DirSync).unwrap(),
            Product::DirSync.as_str()
        );
    }
}
