//! The metaverse (docs/real-systems.md, "The sync engine"): one object per joined identity, keyed
//! by its source anchor (objectGUID), holding the inbound-flowed attribute block (shared with the
//! AD connector space) and its links to at most one object per connector space.
//!
//! It keeps no index of its own: every metaverse object is projected from, and lives as long as,
//! an AD connector-space object with the same objectGUID, so `SyncEngine::mv_of` finds it through
//! the AD connector space (one hash map fewer per engine: ~45 MB at 1,000,000 objects).
//!
//! It must not know the tenant or timing.

use crate::sync::connector_space::Link;
use std::sync::Arc;
use upgrade_lab_model::{Attributes, ImmutableId, Value};

/// A metaverse object (`person` or `group`).
#[derive(Clone, Debug)]
pub struct MvObject {
    // No objectGUID of its own: the anchor and the AD connector-space object (`ad`) carry it,
    // and 16 bytes per object are 32 MB across two servers at 1,000,000 objects.
    /// The source anchor Azure AD keeps (`immutableId`, computed once at projection).
    pub(crate) anchor: ImmutableId,
    // No class of its own either: it is its AD connector-space object's (`SyncEngine::mv_kind`;
    // AD never changes an object's class), and the byte would pad the object to 56 bytes.
    /// The DN and attribute block the last synchronization flowed in, kept here only while an
    /// import has since read newer ones into the AD connector-space object (`None`: they are
    /// that object's, `SyncEngine::mv_values`). Eight bytes where a copy took 24.
    pub(crate) behind: Option<Box<MvValues>>,
    /// The AD connector-space object (the one that projected it).
    pub(crate) ad: Link,
    /// The Azure AD connector-space object.
    pub(crate) aad: Link,
}

/// A metaverse object's own inbound-flowed values, while they differ from its AD connector-space
/// object's.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MvValues {
    /// The DN.
    pub(crate) dn: Value,
    /// The attribute block.
    pub(crate) attrs: Arc<Attributes>,
}

/// The metaverse: index-based slots; removed slots stay empty so held indices stay valid.
#[derive(Clone, Debug, Default)]
pub struct Metaverse {
    slots: Vec<Option<MvObject>>,
    live: usize,
}

impl Metaverse {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            slots: Vec::with_capacity(n),
            live: 0,
        }
    }

    pub(crate) fn insert(&mut self, object: MvObject) -> u32 {
        self.slots.push(Some(object));
        self.live += 1;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
        )]
        let i = (self.slots.len() - 1) as u32;
        i
    }

    pub(crate) fn remove(&mut self, i: u32) -> Option<MvObject> {
        let v = self.slots.get_mut(i as usize)?.take();
        if v.is_some() {
            self.live -= 1;
        }
        v
    }

    /// The metaverse object at index `i`, unless it was removed.
    pub fn get(&self, i: u32) -> Option<&MvObject> {
        self.slots.get(i as usize)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, i: u32) -> Option<&mut MvObject> {
        self.slots.get_mut(i as usize)?.as_mut()
    }

    /// Live metaverse objects.
    pub fn len(&self) -> usize {
        self.live
    }

    /// No live metaverse object.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live objects with their indices, in index order.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
    )]
    pub fn iter(&self) -> impl Iterator<Item = (u32, &MvObject)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|v| (i as u32, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metaverse_object_keeps_its_packed_size() {
        // Two `Link`s (4 bytes each) where `Option<u32>`s took 8, no class byte, and the DN and
        // attribute block only while they lag the AD connector space's: 32 bytes, not 64.
        assert_eq!(std::mem::size_of::<MvObject>(), 32);
        assert_eq!(std::mem::size_of::<Option<MvObject>>(), 32);
    }
}
