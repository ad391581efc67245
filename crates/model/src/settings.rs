//! The settings document the wizard's **Export settings** writes on the DirSync server and
//! `AzureADConnect.exe /migrate` reads on the new server. The real format is not public, so
//! this is our own versioned schema carrying exactly the migratable settings (docs/real-systems.md,
//! "Settings export formats" and "What migrates, what blocks, what is reset").
//!
//! It never holds a secret: there is no field a password could go in. Producing and validating
//! it (checksum, completeness) is engine logic; this module is the shape.

use crate::dirsync::{ScopeFilters, SqlBackend};
use crate::version::Version;
use serde::{Deserialize, Serialize};

/// The schema version this build writes and reads.
pub const SETTINGS_SCHEMA_VERSION: u32 = 1;

/// The attribute a sync server anchors objects on. DirSync anchored on objectGUID, and a server
/// taking over from it must too ("Azure AD Connect: Design concepts", sourceAnchor); Connect
/// installed on its own may choose `ms-DS-ConsistencyGuid`, which takes the objectGUID's value
/// where it is empty and its own where a tool stamped one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceAnchor {
    #[serde(rename = "objectGUID")]
    ObjectGuid,
    #[serde(rename = "ms-DS-ConsistencyGuid")]
    ConsistencyGuid,
}

/// Features that migrate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigratedFeatures {
    pub password_sync: bool,
    pub exchange_hybrid: bool,
}

/// Object counts recorded at export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCounts {
    pub users: u64,
    pub groups: u64,
    pub contacts: u64,
}

impl ObjectCounts {
    pub fn total(&self) -> u64 {
        self.users + self.groups + self.contacts
    }
}

/// The exported DirSync settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsDocument {
    pub schema_version: u32,
    /// Always "DirSync" for this document.
    pub source_product: String,
    pub source_version: Version,
    /// Host the settings were exported on.
    pub source_host: String,
    /// The tenant's initial domain.
    pub tenant: String,
    /// The Azure AD account DirSync used (a name, never its password).
    pub azure_ad_account: String,
    pub forest: String,
    /// Domains of the forest DirSync saw.
    pub domains: Vec<String>,
    pub filters: ScopeFilters,
    pub features: MigratedFeatures,
    /// Alternate login ID attribute, when DirSync flowed another attribute to the UPN.
    pub alternate_login_id: Option<String>,
    /// DirSync's database, so that the new server can refuse to share it.
    pub sql: SqlBackend,
    pub object_counts: ObjectCounts,
    pub source_anchor: SourceAnchor,
    /// SHA-256 (hex) of the document serialised with this field empty.
    pub checksum: String,
}
