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
    /// `objectGUID`: DirSync's anchor, immutable for the object's life.
    #[serde(rename = "objectGUID")]
    ObjectGuid,
    /// `ms-DS-ConsistencyGuid`: Connect's default on a fresh installation.
    #[serde(rename = "ms-DS-ConsistencyGuid")]
    ConsistencyGuid,
}

/// Features that migrate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigratedFeatures {
    /// Password hash synchronization.
    pub password_sync: bool,
    /// Exchange hybrid deployment (attribute write-back).
    pub exchange_hybrid: bool,
}

/// Object counts recorded at export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCounts {
    /// Users in DirSync's database.
    pub users: u64,
    /// Groups.
    pub groups: u64,
    /// Contacts.
    pub contacts: u64,
}

impl ObjectCounts {
    /// Users + groups + contacts: what the estimate and the 50,000 boundary count.
    pub fn total(&self) -> u64 {
        self.users + self.groups + self.contacts
    }
}

/// The exported DirSync settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsDocument {
    /// [`SETTINGS_SCHEMA_VERSION`] of the build that wrote it.
    pub schema_version: u32,
    /// Always "DirSync" for this document.
    pub source_product: String,
    /// DirSync's version.
    pub source_version: Version,
    /// Host the settings were exported on.
    pub source_host: String,
    /// The tenant's initial domain.
    pub tenant: String,
    /// The Azure AD account DirSync used (a name, never its password).
    pub azure_ad_account: String,
    /// The forest root domain.
    pub forest: String,
    /// Domains of the forest DirSync saw.
    pub domains: Vec<String>,
    /// Domain, OU and user-attribute filtering.
    pub filters: ScopeFilters,
    /// Password sync and Exchange hybrid.
    pub features: MigratedFeatures,
    /// Alternate login ID attribute, when DirSync flowed another attribute to the UPN.
    pub alternate_login_id: Option<String>,
    /// DirSync's database, so that the new server can refuse to share it.
    pub sql: SqlBackend,
    /// Object counts at export.
    pub object_counts: ObjectCounts,
    /// Always `objectGUID`: the new server must anchor as DirSync did.
    pub source_anchor: SourceAnchor,
    /// SHA-256 (hex) of the document serialised with this field empty.
    pub checksum: String,
}
