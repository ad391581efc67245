//! A DirSync installation's configuration: what the upgrade wizard analyses and migrates
//! (docs/real-systems.md, "What migrates, what blocks, what is reset") and what blocks it.

use crate::version::Version;
use serde::{Deserialize, Serialize};

/// The database DirSync runs on (docs/real-systems.md, "SQL Express, LocalDB and full SQL Server").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SqlBackend {
    /// The SQL Server Express DirSync installs by default.
    Express,
    /// A full SQL Server, local or remote.
    Full {
        /// The SQL Server's host name.
        server: String,
        /// The instance name on it.
        instance: String,
    },
}

impl SqlBackend {
    /// `server\instance`, the way the wizard shows a full SQL Server.
    pub fn display_name(&self) -> String {
        match self {
            SqlBackend::Express => "SQL Server Express (local)".to_string(),
            SqlBackend::Full { server, instance } => format!("{server}\\{instance}"),
        }
    }

    /// Whether it is a full SQL Server (the analysis page says so; in place keeps it).
    pub fn is_full(&self) -> bool {
        matches!(self, SqlBackend::Full { .. })
    }

    /// Whether two backends are the same database instance (server and instance compared
    /// without regard to case, as Windows names are).
    pub fn same_instance(&self, other: &SqlBackend) -> bool {
        match (self, other) {
            (
                SqlBackend::Full { server, instance },
                SqlBackend::Full {
                    server: s2,
                    instance: i2,
                },
            ) => server.eq_ignore_ascii_case(s2) && instance.eq_ignore_ascii_case(i2),
            _ => false,
        }
    }
}

/// "Filtering based on user attributes": users whose attribute equals the value are not synced
/// (DirSync's connector filter, e.g. `extensionAttribute15 = NoSync`; docs/real-systems.md,
/// "Filtering").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeFilter {
    /// The user attribute (LDAP display name, `extensionAttribute15`).
    pub attribute: String,
    /// The value that excludes a user (compared exactly).
    pub value: String,
}

/// Which domains and OUs DirSync reads. Empty lists mean "everything".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScopeFilters {
    /// Included domains by DNS name; empty = all domains of the forest.
    pub domains: Vec<String>,
    /// Included OUs by DN; empty = every container.
    pub included_ous: Vec<String>,
    /// Excluded OUs by DN (take precedence over inclusions below them).
    pub excluded_ous: Vec<String>,
    /// User attribute filters; a user matching any of them is out of scope.
    pub attribute_filters: Vec<AttributeFilter>,
}

/// DirSync's configuration as the upgrade wizard finds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirSyncConfig {
    /// DirSync's version (the last release is 1.0.7020.0).
    pub version: Version,
    /// Its database.
    pub sql: SqlBackend,
    /// The tenant's initial domain (`contoso.onmicrosoft.com`).
    pub tenant: String,
    /// The Azure AD account DirSync signs in with (the upgrade must use this one).
    pub azure_ad_account: String,
    /// The AD account DirSync created to read the directory (`MSOL_AD_Sync` or `MSOL_<hex>`).
    pub ad_account: String,
    /// The forest's root DNS name.
    pub forest: String,
    /// Domain, OU and user-attribute filtering.
    pub filters: ScopeFilters,
    /// Alternate login ID: the attribute flowed to Azure AD's userPrincipalName (e.g. `mail`).
    pub alternate_login_id: Option<String>,
    /// Password hash synchronization is on.
    pub password_sync: bool,
    /// Exchange hybrid deployment (attribute write-back) is on.
    pub exchange_hybrid: bool,
    /// Attributes removed from DirSync's attribute flow: blocks the upgrade.
    pub removed_attributes: Vec<String>,
    /// A custom extension DLL: blocks the upgrade.
    pub extension_dll: Option<String>,
    /// DirSync's opt-in accidental-delete threshold, off by default
    /// (docs/real-systems.md, "Prevent accidental deletes").
    pub delete_threshold: Option<u32>,
}

impl DirSyncConfig {
    /// A typical DirSync: the last release (1.0.7020.0), SQL Express, everything in scope.
    pub fn typical(forest: &str, tenant: &str) -> Self {
        Self {
            version: Version::new(&[1, 0, 7020, 0]),
            sql: SqlBackend::Express,
            tenant: tenant.to_string(),
            azure_ad_account: format!("dirsync-admin@{tenant}"),
            ad_account: "MSOL_AD_Sync".to_string(),
            forest: forest.to_string(),
            filters: ScopeFilters::default(),
            alternate_login_id: None,
            password_sync: true,
            exchange_hybrid: false,
            removed_attributes: Vec::new(),
            extension_dll: None,
            delete_threshold: None,
        }
    }

    /// Configuration the upgrade cannot migrate (empty = none).
    pub fn blockers(&self) -> Vec<Blocker> {
        let mut out: Vec<Blocker> = self
            .removed_attributes
            .iter()
            .map(|a| Blocker::RemovedAttribute {
                attribute: a.clone(),
            })
            .collect();
        if let Some(dll) = &self.extension_dll {
            out.push(Blocker::ExtensionDll { dll: dll.clone() });
        }
        out
    }
}

/// A DirSync change the upgrade cannot migrate. Classified by kind (`as_str`: the name in
/// scenario files, `removed_attributes` or `extension_dll`); shown and serialized as its sentence.
#[derive(Clone, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Blocker {
    /// An attribute removed from DirSync's attribute flow.
    #[strum(serialize = "removed_attributes")]
    RemovedAttribute {
        /// The attribute's AD name.
        attribute: String,
    },
    /// A custom extension DLL.
    ExtensionDll {
        /// The DLL's file name.
        dll: String,
    },
}

impl Blocker {
    /// The kind's name in scenario files (`expect.blockers`).
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocker::RemovedAttribute { attribute } => write!(
                f,
                "the attribute '{attribute}' was removed from DirSync's attribute flow"
            ),
            Blocker::ExtensionDll { dll } => {
                write!(f, "DirSync uses a custom extension DLL ({dll})")
            }
        }
    }
}

impl Serialize for Blocker {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod blocker_tests {
    use super::*;

    #[test]
    fn blockers_are_typed_and_read_as_sentences() {
        let mut c = DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        assert!(c.blockers().is_empty());
        c.removed_attributes = vec!["mail".into()];
        c.extension_dll = Some("Contoso.Sync.dll".into());
        let b = c.blockers();
        let kinds: Vec<&str> = b.iter().map(Blocker::as_str).collect();
        assert_eq!(kinds, ["removed_attributes", "extension_dll"]);
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            serde_json::json!([
                "the attribute 'mail' was removed from DirSync's attribute flow",
                "DirSync uses a custom extension DLL (Contoso.Sync.dll)"
            ])
        );
    }
}
