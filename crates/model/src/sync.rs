//! The vocabulary of a sync engine that the upgrade engine reads through its ports: connectors,
//! run profiles, run history with the real status strings, and pending exports
//! (docs/real-systems.md, "The sync engine").

use crate::ids::ImmutableId;
use crate::object::ObjectKind;
use crate::time::SimTime;
use crate::value::{Value, Values};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::fmt;

/// The two connectors of a DirSync-lineage installation. Wire name (reports, scenario files):
/// `active-directory`, `azure-ad` ([`Connector::as_str`], serde's name); `Display` is the name
/// the Synchronization Service Manager shows.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Connector {
    /// The Active Directory Domain Services connector (one forest).
    ActiveDirectory,
    /// The Azure AD connector (`b891884f-…`).
    AzureAd,
}

impl Connector {
    /// The wire name (`active-directory`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Connector::ActiveDirectory => "Active Directory",
            Connector::AzureAd => "Azure AD",
        })
    }
}

/// Run profiles (docs/real-systems.md, "The sync engine"). Wire name: `full-import`, ...
/// ([`RunProfile::as_str`], serde's name); `Display` is the console's name (`Full Import`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RunProfile {
    FullImport,
    DeltaImport,
    FullSynchronization,
    DeltaSynchronization,
    Export,
}

impl RunProfile {
    /// The wire name (`full-import`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for RunProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunProfile::FullImport => "Full Import",
            RunProfile::DeltaImport => "Delta Import",
            RunProfile::FullSynchronization => "Full Synchronization",
            RunProfile::DeltaSynchronization => "Delta Synchronization",
            RunProfile::Export => "Export",
        })
    }
}

/// A run's result as the Operations tab shows it
/// (docs/real-systems.md, "The sync engine").
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RunStatus {
    Success,
    CompletedNoObjects,
    CompletedExportErrors,
    CompletedSyncErrors,
    StoppedDeletionThresholdExceeded,
    StoppedErrorLimit,
    StoppedServerDown,
    StoppedDatabaseDiskFull,
    StoppedConnectivity,
    NoStartCredentials,
    /// Azure AD refused the sync client (quota exceeded, throttled beyond retry).
    StoppedQuotaExceeded,
}

impl RunStatus {
    /// The exact string of the Operations tab, as serde writes it.
    pub fn as_str(&self) -> &'static str {
        self.into()
    }

    /// Whether the run completed without errors.
    pub fn is_clean(&self) -> bool {
        matches!(self, RunStatus::Success | RunStatus::CompletedNoObjects)
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counters of a run (import, sync and export counters folded into one record).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStats {
    pub adds: u64,
    pub updates: u64,
    pub deletes: u64,
    pub unchanged: u64,
    pub projections: u64,
    pub joins: u64,
    pub filtered: u64,
    pub errors: u64,
}

/// One line of run history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub connector: Connector,
    pub profile: RunProfile,
    pub started: SimTime,
    pub ended: SimTime,
    pub status: RunStatus,
    pub stats: RunStats,
    /// The first errors of the run, with the real error names (e.g. `AttributeValueMustBeUnique`).
    pub errors: Vec<String>,
}

/// What a pending export would do to the object in the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportOperation {
    Add,
    Update,
    Delete,
}

/// How an export changes one attribute, in csexport's vocabulary.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Modification {
    /// The target has no value yet.
    Add,
    /// The target's value is replaced.
    Replace,
    /// The target's value is removed.
    Delete,
}

impl Modification {
    /// The wire name (`add`, `replace`, `delete`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The modification that turns `old` into `new` (`None`: nothing changes).
    pub fn between<T: PartialEq>(old: &[T], new: &[T]) -> Option<Modification> {
        match (old.is_empty(), new.is_empty()) {
            _ if old == new => None,
            (true, _) => Some(Modification::Add),
            (_, true) => Some(Modification::Delete),
            _ => Some(Modification::Replace),
        }
    }
}

/// The attribute lines of one pending export; one inline (a takeover's updates carry one).
pub type AttributeChanges = SmallVec<[AttributeChange; 1]>;

/// One attribute of a pending export: its Azure AD name, the value the target holds and the
/// value the export writes (multi-valued attributes list every value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeChange {
    pub attribute: Value,
    pub modification: Modification,
    pub old: Values,
    pub new: Values,
}

/// One unexported change staged on a connector-space object (csexport's view).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExport {
    pub operation: ExportOperation,
    pub kind: ObjectKind,
    /// The source anchor of the object.
    pub anchor: ImmutableId,
    /// The target DN or display name, for people reading the report. Shared with the object's
    /// own DN: a verification after a takeover reads a million of these.
    pub display: Value,
    /// The attributes the export writes, by their Azure AD names, in table order; empty for
    /// deletes. An add lists every value it writes.
    pub changes: AttributeChanges,
    /// Set when the export would change the object's source anchor in the target.
    pub changes_source_anchor: bool,
}

#[cfg(test)]
mod wire_name_tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Each wire name is serde's name: the one spelling scenario files and reports share.
    fn same_as_serde<T: Serialize + Copy>(
        all: impl Iterator<Item = T>,
        name: fn(T) -> &'static str,
    ) {
        for v in all {
            assert_eq!(serde_json::to_value(v).unwrap(), name(v));
        }
    }

    #[test]
    fn wire_names_are_serde_names() {
        same_as_serde(Connector::iter(), Connector::as_str);
        same_as_serde(RunProfile::iter(), RunProfile::as_str);
        same_as_serde(Modification::iter(), Modification::as_str);
        same_as_serde(ObjectKind::iter(), ObjectKind::as_str);
        for s in RunStatus::iter() {
            assert_eq!(serde_json::to_value(&s).unwrap(), s.as_str());
        }
        assert_eq!(Connector::AzureAd.as_str(), "azure-ad");
        assert_eq!(
            RunProfile::DeltaSynchronization.as_str(),
            "delta-synchronization"
        );
        assert_eq!(RunStatus::StoppedServerDown.as_str(), "stopped-server-down");
        assert_eq!(Connector::ActiveDirectory.to_string(), "Active Directory");
        assert_eq!(RunProfile::FullImport.to_string(), "Full Import");
    }
}
