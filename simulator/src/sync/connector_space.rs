//! Connector spaces (docs/real-systems.md, "The sync engine"): the AD connector's staged copies of
//! directory objects and the Azure AD connector's copies of tenant objects, each with its pending
//! import and (for Azure AD) its pending export. Storage is index based (`Slots`): a `Vec` of slots
//! and an FxHash index.
//!
//! It must not know run profiles or timing: it is the data the run profiles work on.

use crate::sync::rules::FlowSet;
use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::sync::Arc;
use upgrade_lab_model::{
    Attributes, DirectoryObject, ExportOperation, ImmutableId, ObjectGuid, ObjectKind,
};

/// A change an import staged and no synchronization has processed yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingImport {
    /// Nothing staged: the object is as the last synchronization saw it.
    None,
    /// The object is new in the connector space.
    Add,
    /// Attribute values changed.
    Update,
    /// The object was deleted from the connected directory.
    Delete,
}

/// An AD connector-space object: the hologram of the last import (sharing AD's attribute block).
#[derive(Clone, Debug)]
pub struct AdCsObject {
    pub(crate) object: DirectoryObject,
    /// What the last import staged for the next synchronization.
    pub pending: PendingImport,
    /// The metaverse object this connector is joined to.
    pub(crate) mv: Option<u32>,
}

/// What Azure AD holds for an object: its attributes and which product's rules wrote them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AadImage {
    pub(crate) attrs: Arc<Attributes>,
    pub(crate) flow: FlowSet,
}

/// An Azure AD connector-space object.
#[derive(Clone, Debug)]
pub(crate) struct AadCsObject {
    pub(crate) anchor: ImmutableId,
    pub(crate) kind: ObjectKind,
    /// Azure AD's values as of the last import (`None`: never imported, an export object).
    pub(crate) imported: Option<AadImage>,
    pub(crate) pending: PendingImport,
    pub(crate) mv: Option<u32>,
    pub(crate) export: Option<ExportState>,
}

/// Index-based storage: removed slots stay `None` so indices held elsewhere stay valid.
#[derive(Clone, Debug)]
pub struct Slots<K, T> {
    /// One cell per index ever handed out; `None` once removed.
    cells: Vec<Option<T>>,
    index: FxHashMap<K, u32>,
    live: usize,
}

impl<K: Hash + Eq + Clone, T> Default for Slots<K, T> {
    fn default() -> Self {
        Self {
            cells: Vec::new(),
            index: FxHashMap::default(),
            live: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, T> Slots<K, T> {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            cells: Vec::with_capacity(n),
            index: FxHashMap::with_capacity_and_hasher(n, rustc_hash::FxBuildHasher),
            live: 0,
        }
    }

    /// The index of the object with this key.
    pub fn find(&self, key: &K) -> Option<u32> {
        self.index.get(key).copied()
    }

    pub(crate) fn insert(&mut self, key: K, value: T) -> u32 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
        )]
        let i = self.cells.len() as u32;
        self.cells.push(Some(value));
        self.index.insert(key, i);
        self.live += 1;
        i
    }

    pub(crate) fn remove(&mut self, i: u32, key: &K) -> Option<T> {
        let v = self.cells.get_mut(i as usize)?.take();
        if v.is_some() {
            self.index.remove(key);
            self.live -= 1;
        }
        v
    }

    /// The object at index `i`, unless it was removed.
    pub fn get(&self, i: u32) -> Option<&T> {
        self.cells.get(i as usize)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, i: u32) -> Option<&mut T> {
        self.cells.get_mut(i as usize)?.as_mut()
    }

    /// Number of slot positions (live or not): the bound of indices.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
    )]
    pub(crate) fn capacity_used(&self) -> u32 {
        self.cells.len() as u32
    }

    /// Live objects.
    pub fn len(&self) -> usize {
        self.live
    }

    /// No live object.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live objects with their indices, in index order.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
    )]
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.cells
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|v| (i as u32, v)))
    }
}

/// The AD connector space.
pub(crate) type AdConnectorSpace = Slots<ObjectGuid, AdCsObject>;
/// The Azure AD connector space.
pub(crate) type AadConnectorSpace = Slots<ImmutableId, AadCsObject>;

/// An unexported, or exported but unconfirmed, change of one Azure AD connector-space object.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExportState {
    pub(crate) operation: ExportOperation,
    /// The values to write (for deletes: the last known image).
    pub(crate) image: AadImage,
    /// Exports of this change not yet confirmed by an import (`C=n` in the UI).
    pub(crate) exported_count: u32,
    /// The last export error's name (e.g. `AttributeValueMustBeUnique`).
    pub(crate) last_error: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_slots_keep_other_indices_valid() {
        let mut s: Slots<u8, &str> = Slots::default();
        let a = s.insert(1, "a");
        let b = s.insert(2, "b");
        assert_eq!(s.remove(a, &1), Some("a"));
        assert_eq!(s.get(b), Some(&"b"));
        assert_eq!(s.find(&1), None);
        assert_eq!(s.len(), 1);
        assert_eq!(s.iter().count(), 1);
    }
}
