//! The settings file of **Export settings** (on the DirSync server) and `/migrate` (on the new
//! server): building the versioned `SettingsDocument`, writing it as pretty JSON with a stable
//! key order and a SHA-256 checksum, and reading it back with a typed error for every way a file
//! can be wrong (not JSON, newer or unsupported schema, unknown field, changed after export,
//! incomplete).
//!
//! Bytes in, bytes out: the ports store the file. A secret cannot reach it: the document has no
//! field a password could go in, and the tests assert it.

use crate::ports::DirSyncInstallation;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::fmt::Write as _;
use upgrade_lab_model::settings::SETTINGS_SCHEMA_VERSION;
use upgrade_lab_model::{
    AttributeFilter, MigratedFeatures, ObjectCounts, ScopeFilters, SettingsDocument, SourceAnchor,
    SqlBackend, Version,
};

/// The product name the document carries.
pub const SOURCE_PRODUCT: &str = "DirSync";

/// Where Export settings writes the file unless told otherwise.
pub const DEFAULT_SETTINGS_PATH: &str =
    "C:\\ProgramData\\AADConnect\\DirSync-Exported-Settings.json";

/// Why a settings file cannot be used. Each says what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingsFileError {
    #[error(
        "the settings file is not valid JSON (line {line}, column {column}: {message}); \
         export the settings again"
    )]
    /// The bytes are not JSON.
    NotJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    #[error(
        "the settings file has no numeric schema_version; it is not a settings file exported \
         by upgrade-lab"
    )]
    /// No numeric `schema_version`: not a settings file of ours.
    MissingSchemaVersion,
    #[error(
        "the settings file was written by a newer upgrade-lab (schema version {found}, this \
         build reads {supported}); upgrade upgrade-lab"
    )]
    /// Written by a newer build.
    NewerSchema {
        /// The file's schema version.
        found: u64,
        /// [`SETTINGS_SCHEMA_VERSION`] of this build.
        supported: u32,
    },
    #[error(
        "the settings file has schema version {found}, which this build does not read \
         (it reads {supported}); export the settings again"
    )]
    /// An older schema this build no longer reads.
    UnsupportedSchema {
        /// The file's schema version.
        found: u64,
        /// [`SETTINGS_SCHEMA_VERSION`] of this build.
        supported: u32,
    },
    /// A key the schema does not have (a dotted path, `filters.extra`).
    #[error("the settings file has an unknown field '{path}'; export the settings again")]
    UnknownField {
        /// The key as a dotted path (`filters.extra`, `filters.attribute_filters[0].x`).
        path: String,
    },
    /// A known key with a value of the wrong shape.
    #[error("the settings file is malformed ({message}); export the settings again")]
    Malformed {
        /// serde_json's description of the shape error.
        message: String,
    },
    /// The content does not match its checksum: edited after export.
    #[error("the settings file was changed after export (checksum mismatch); export again")]
    ChecksumMismatch {
        /// The checksum of the content as read.
        expected: String,
        /// The checksum the file carries.
        found: String,
    },
    #[error(
        "the settings file is incomplete: {} is empty; export the settings again on the \
         DirSync server",
        fields.join(", ")
    )]
    /// Required fields are empty (by their names in the file).
    Incomplete {
        /// The empty fields by their names in the file (`sql.server`).
        fields: Vec<String>,
    },
}

/// Builds the document for an installed DirSync, checksum included.
pub fn export_document(installation: &DirSyncInstallation) -> SettingsDocument {
    let c = &installation.config;
    let mut doc = SettingsDocument {
        schema_version: SETTINGS_SCHEMA_VERSION,
        source_product: SOURCE_PRODUCT.to_string(),
        source_version: c.version.clone(),
        source_host: installation.hostname.clone(),
        tenant: c.tenant.clone(),
        azure_ad_account: c.azure_ad_account.clone(),
        forest: c.forest.clone(),
        domains: installation.domains.clone(),
        filters: c.filters.clone(),
        features: MigratedFeatures {
            password_sync: c.password_sync,
            exchange_hybrid: c.exchange_hybrid,
        },
        alternate_login_id: c.alternate_login_id.clone(),
        sql: c.sql.clone(),
        object_counts: installation.object_counts.clone(),
        source_anchor: SourceAnchor::ObjectGuid,
        checksum: String::new(),
    };
    doc.checksum = checksum(&doc);
    doc
}

/// SHA-256 (lower-case hex) of the document serialised compactly with an empty checksum. Field
/// order is the struct's declaration order, so the canonical form is stable.
pub fn checksum(doc: &SettingsDocument) -> String {
    let mut canonical = doc.clone();
    canonical.checksum.clear();
    // Serialising plain data with string keys cannot fail.
    let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().fold(String::with_capacity(64), |mut hex, b| {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// The file's bytes: pretty JSON, stable key order, trailing newline.
///
/// Only a sealed document is written: its `checksum` must be the one [`checksum`] computes
/// ([`export_document`] seals what it builds, [`parse_settings`] returns only sealed ones), so
/// that the file reads back on the new server. Writing a document edited after it was sealed
/// is a bug and panics.
pub fn to_bytes(doc: &SettingsDocument) -> Vec<u8> {
    assert!(
        doc.checksum == checksum(doc),
        "a settings document is written only as sealed: its checksum must match its content"
    );
    let mut bytes = serde_json::to_vec_pretty(doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Reads and validates a settings file: JSON → schema version → unknown fields → shape →
/// checksum → completeness.
pub fn parse_settings(bytes: &[u8]) -> Result<SettingsDocument, SettingsFileError> {
    // serde_json counts a newline, or the end right after one, as column 0 of the next line;
    // the message says column 1, the first of that line, like every other located error.
    let json: Json = serde_json::from_slice(bytes).map_err(|e| SettingsFileError::NotJson {
        line: e.line().max(1),
        column: e.column().max(1),
        message: e.to_string(),
    })?;
    check_schema_version(&json)?;
    if let Some(path) = unknown_field(&json, &template(), "") {
        return Err(SettingsFileError::UnknownField { path });
    }
    let doc: SettingsDocument =
        serde_json::from_value(json).map_err(|e| SettingsFileError::Malformed {
            message: e.to_string(),
        })?;
    let expected = checksum(&doc);
    if doc.checksum != expected {
        return Err(SettingsFileError::ChecksumMismatch {
            expected,
            found: doc.checksum,
        });
    }
    check_complete(&doc)?;
    Ok(doc)
}

fn check_schema_version(json: &Json) -> Result<(), SettingsFileError> {
    let Some(found) = json.get("schema_version").and_then(Json::as_u64) else {
        return Err(SettingsFileError::MissingSchemaVersion);
    };
    let supported = SETTINGS_SCHEMA_VERSION;
    match found.cmp(&u64::from(supported)) {
        Ordering::Greater => Err(SettingsFileError::NewerSchema { found, supported }),
        Ordering::Less => Err(SettingsFileError::UnsupportedSchema { found, supported }),
        Ordering::Equal => Ok(()),
    }
}

/// The fields a complete document must carry, by their names in the file.
pub fn check_complete(doc: &SettingsDocument) -> Result<(), SettingsFileError> {
    let mut fields = Vec::new();
    let mut need = |name: &str, value: &str| {
        if value.trim().is_empty() {
            fields.push(name.to_string());
        }
    };
    need("source_product", &doc.source_product);
    need("source_host", &doc.source_host);
    need("tenant", &doc.tenant);
    need("azure_ad_account", &doc.azure_ad_account);
    need("forest", &doc.forest);
    if let SqlBackend::Full { server, instance } = &doc.sql {
        need("sql.server", server);
        need("sql.instance", instance);
    }
    if doc.domains.is_empty() {
        fields.push("domains".to_string());
    }
    if doc.source_version.parts().is_empty() {
        fields.push("source_version".to_string());
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(SettingsFileError::Incomplete { fields })
    }
}

/// A document with every optional part present, whose JSON is the key schema of the file.
fn template() -> Json {
    let doc = SettingsDocument {
        schema_version: SETTINGS_SCHEMA_VERSION,
        source_product: String::new(),
        source_version: Version::new(&[1]),
        source_host: String::new(),
        tenant: String::new(),
        azure_ad_account: String::new(),
        forest: String::new(),
        domains: Vec::new(),
        filters: ScopeFilters {
            attribute_filters: vec![AttributeFilter {
                attribute: String::new(),
                value: String::new(),
            }],
            ..ScopeFilters::default()
        },
        features: MigratedFeatures {
            password_sync: false,
            exchange_hybrid: false,
        },
        alternate_login_id: None,
        sql: SqlBackend::Full {
            server: String::new(),
            instance: String::new(),
        },
        object_counts: ObjectCounts::default(),
        source_anchor: SourceAnchor::ObjectGuid,
        checksum: String::new(),
    };
    serde_json::to_value(doc).unwrap_or(Json::Null)
}

/// The first key of `input` (in key order) that the schema does not know, as a dotted path.
fn unknown_field(input: &Json, schema: &Json, path: &str) -> Option<String> {
    match (input, schema) {
        (Json::Object(fields), Json::Object(known)) => fields.iter().find_map(|(key, value)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match known.get(key) {
                None => Some(here),
                Some(sub) => unknown_field(value, sub, &here),
            }
        }),
        (Json::Array(items), Json::Array(known)) => {
            let item_schema = known.first()?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, item)| unknown_field(item, item_schema, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "settings_file_tests.rs"]
mod tests;
