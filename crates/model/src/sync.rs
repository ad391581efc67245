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
    /// Reads every object of the connected directory into the connector space.
    FullImport,
    /// Reads what changed since the last import (AD: by `uSNChanged`).
    DeltaImport,
    /// Runs the rules on every connector-space object (after a rule change, or the first time).
    FullSynchronization,
    /// Runs the rules on what the last import changed.
    DeltaSynchronization,
    /// Writes the pending exports to the connected directory.
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
    /// `success`: completed, changes made, no error.
    Success,
    /// `completed-no-objects`: completed, nothing to do.
    CompletedNoObjects,
    /// `completed-export-errors`: completed; the target refused some exports.
    CompletedExportErrors,
    /// `completed-sync-errors`: completed; some objects failed the rules.
    CompletedSyncErrors,
    /// `stopped-deletion-threshold-exceeded`: an export with more deletes than the accidental-delete threshold.
    StoppedDeletionThresholdExceeded,
    /// `stopped-error-limit`: more errors than the run allows (5,000).
    StoppedErrorLimit,
    /// `stopped-server-down`: the sync server went down during the run.
    StoppedServerDown,
    /// `stopped-database-disk-full`: the database (LocalDB's 10 GB) is full.
    StoppedDatabaseDiskFull,
    /// `stopped-connectivity`: the connected directory could not be reached.
    StoppedConnectivity,
    /// `no-start-credentials`: the connector's credentials were refused; the run did not start.
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
    /// Objects added (in the connector space, or in the target for an export).
    pub adds: u64,
    /// Objects updated.
    pub updates: u64,
    /// Objects deleted.
    pub deletes: u64,
    /// Objects read that had not changed.
    pub unchanged: u64,
    /// Connector-space objects projected into the metaverse (new there).
    pub projections: u64,
    /// Connector-space objects joined to an existing metaverse object.
    pub joins: u64,
    /// Objects the scope filters left out.
    pub filtered: u64,
    /// Objects that failed.
    pub errors: u64,
}

/// One line of run history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The connector it ran on.
    pub connector: Connector,
    /// The profile.
    pub profile: RunProfile,
    /// When it started.
    pub started: SimTime,
    /// When it ended (never before `started`).
    pub ended: SimTime,
    /// How it ended.
    pub status: RunStatus,
    /// Its counters.
    pub stats: RunStats,
    /// The first errors of the run, with the real error names (e.g. `AttributeValueMustBeUnique`).
    pub errors: Vec<String>,
}

/// What a pending export would do to the object in the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportOperation {
    /// Create the object in the target.
    Add,
    /// Change some of its attributes.
    Update,
    /// Delete it from the target.
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
    /// The attribute's Azure AD name (as csexport lists it).
    pub attribute: Value,
    /// Add, replace or delete.
    pub modification: Modification,
    /// What the target holds now (empty: nothing).
    pub old: Values,
    /// What the export writes (empty: the value is removed).
    pub new: Values,
}

/// One unexported change staged on a connector-space object (csexport's view).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExport {
    /// Add, update or delete.
    pub operation: ExportOperation,
    /// User, group or contact.
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
