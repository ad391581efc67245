//! The tenant's immutableId index: which object each source anchor names, as a hash map from
//! anchor to object would hold it, in about a fifth of the memory (four bytes per bucket, at
//! 1,000,000 objects about 10 MB instead of 50 MB). The table holds object indices only and
//! compares against the anchor the object itself holds; the few keys whose object does not hold
//! them (an add before its write, a soft match whose write was refused) live in a side map.
//!
//! It must not know matching rules: `matching.rs` decides what names what.

use super::TenantObject;
use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::BuildHasher;
use upgrade_lab_model::ImmutableId;

/// Anchor → object index (object indices into the tenant's object list).
#[derive(Debug, Default)]
pub(crate) struct AnchorIndex {
    /// Objects named by the anchor they hold (`TenantObject::immutable_id`).
    table: HashTable<u32>,
    /// Keys whose object does not hold them; a key is in the table or here, never both.
    side: FxHashMap<ImmutableId, u32>,
    /// While a planned export run is written: the hashes of the anchors whose entry was set or
    /// removed since it was planned (what the plan looked up of any other anchor still holds).
    journal: Option<FxHashSet<u64>>,
}

pub(super) fn hash(anchor: &ImmutableId) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(anchor.as_str())
}

/// Whether object `j` holds `anchor`.
fn holds(objects: &[TenantObject], j: u32, anchor: &ImmutableId) -> bool {
    objects[j as usize].immutable_id.as_ref() == Some(anchor)
}

impl AnchorIndex {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            table: HashTable::with_capacity(n),
            side: FxHashMap::default(),
            journal: None,
        }
    }

    /// Starts noting which anchors' entries change (`changed_since_journal`), until
    /// `end_journal`.
    pub(crate) fn start_journal(&mut self) {
        debug_assert!(self.journal.is_none(), "a journal is kept already");
        self.journal = Some(FxHashSet::default());
    }

    /// Stops noting changes.
    pub(crate) fn end_journal(&mut self) {
        self.journal = None;
    }

    /// Whether `anchor`'s entry may have changed since `start_journal` (a hash collision
    /// counts as a change).
    pub(crate) fn changed_since_journal(&self, anchor: &ImmutableId) -> bool {
        self.journal
            .as_ref()
            .is_some_and(|j| !j.is_empty() && j.contains(&hash(anchor)))
    }

    /// Notes, while a journal is kept, that the entry of the anchor hashing to `hash_of_anchor`
    /// changes.
    fn note_change(&mut self, hash_of_anchor: u64) {
        if let Some(journal) = &mut self.journal {
            journal.insert(hash_of_anchor);
        }
    }

    /// The object `anchor` names.
    pub(crate) fn get(&self, objects: &[TenantObject], anchor: &ImmutableId) -> Option<u32> {
        self.get_hashed(objects, hash(anchor), || anchor)
    }

    /// The object the anchor `anchor()` names, whose hash is `hash_of_anchor`: the anchor is
    /// read only to tell it from another key of the same bucket (or from the side map), so a
    /// lookup of a key no object holds seldom touches it.
    pub(crate) fn get_hashed<'a>(
        &self,
        objects: &[TenantObject],
        hash_of_anchor: u64,
        anchor: impl Fn() -> &'a ImmutableId,
    ) -> Option<u32> {
        debug_assert_eq!(hash(anchor()), hash_of_anchor, "the hash of another anchor");
        if !self.side.is_empty()
            && let Some(&i) = self.side.get(anchor())
        {
            return Some(i);
        }
        self.table
            .find(hash_of_anchor, |&j| holds(objects, j, anchor()))
            .copied()
    }

    /// Names object `i` by `anchor`, replacing what `anchor` named.
    pub(crate) fn insert(&mut self, objects: &[TenantObject], anchor: &ImmutableId, i: u32) {
        self.remove(objects, anchor);
        self.note_change(hash(anchor));
        if holds(objects, i, anchor) {
            self.table.insert_unique(hash(anchor), i, |&j| {
                objects[j as usize].immutable_id.as_ref().map_or(0, hash)
            });
        } else {
            self.side.insert(anchor.clone(), i);
        }
    }

    /// How many objects the table holds without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Makes room for `additional` more objects.
    pub(crate) fn reserve(&mut self, objects: &[TenantObject], additional: usize) {
        self.table.reserve(additional, |&j| {
            objects[j as usize].immutable_id.as_ref().map_or(0, hash)
        });
    }

    /// Names object `i` by the anchor it holds (`hash`: that anchor's hash), which names no
    /// object yet.
    pub(crate) fn insert_new(&mut self, objects: &[TenantObject], hash_of_anchor: u64, i: u32) {
        let anchor = objects[i as usize].immutable_id.as_ref();
        debug_assert!(
            anchor.is_some_and(|a| hash(a) == hash_of_anchor && self.get(objects, a).is_none()),
            "object {i} must hold a new anchor with this hash"
        );
        self.note_change(hash_of_anchor);
        self.table.insert_unique(hash_of_anchor, i, |&j| {
            objects[j as usize].immutable_id.as_ref().map_or(0, hash)
        });
    }

    /// Forgets `anchor`.
    pub(crate) fn remove(&mut self, objects: &[TenantObject], anchor: &ImmutableId) {
        self.note_change(hash(anchor));
        if self.side.remove(anchor).is_some() {
            return;
        }
        if let Ok(e) = self
            .table
            .find_entry(hash(anchor), |&j| holds(objects, j, anchor))
        {
            e.remove();
        }
    }

    /// Object `i` is about to hold `anchor` (a write stamps it): keys stay where they name
    /// what they named (`anchor` moves into the table if it names `i`; the anchor `i` held
    /// so far, if the table has it, moves to the side map).
    pub(crate) fn restamp(&mut self, objects: &mut [TenantObject], i: u32, anchor: &ImmutableId) {
        let old = objects[i as usize].immutable_id.clone();
        if old.as_ref() == Some(anchor) {
            return;
        }
        if let Some(old) = old {
            let h = hash(&old);
            if let Ok(e) = self.table.find_entry(h, |&j| j == i) {
                e.remove();
                self.side.insert(old, i);
            }
        }
        let moves = self.side.get(anchor) == Some(&i);
        objects[i as usize].immutable_id = Some(anchor.clone());
        if moves {
            self.side.remove(anchor);
            let objects = &*objects;
            self.table.insert_unique(hash(anchor), i, |&j| {
                objects[j as usize].immutable_id.as_ref().map_or(0, hash)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use upgrade_lab_model::ObjectKind;

    fn object(id: Option<&str>) -> TenantObject {
        TenantObject {
            immutable_id: id.map(ImmutableId::new),
            kind: ObjectKind::User,
            attrs: Arc::default(),
            flow: None,
            quarantined_upn: None,
            admin_role: false,
            seq: 0,
            deleted: false,
        }
    }

    /// Drives the index and a plain map with the same operations; they must agree.
    #[test]
    fn the_index_answers_as_a_map_from_anchor_to_object() {
        let id = |s: &str| ImmutableId::new(s);
        let mut objects: Vec<TenantObject> = (0..200)
            .map(|n| object((n % 2 == 0).then(|| format!("a{n}")).as_deref()))
            .collect();
        let mut index = AnchorIndex::with_capacity(4);
        let mut map: FxHashMap<ImmutableId, u32> = FxHashMap::default();
        for n in (0..200u32).step_by(2) {
            let a = id(&format!("a{n}"));
            index.insert(&objects, &a, n);
            map.insert(a, n);
        }
        // Unstamped keys (an add before its write), a second key for one object, replacing
        // a key, stamping, and removals.
        for n in (1..200u32).step_by(2) {
            let a = id(&format!("u{n}"));
            index.insert(&objects, &a, n);
            map.insert(a, n);
        }
        index.insert(&objects, &id("second"), 1);
        map.insert(id("second"), 1);
        index.insert(&objects, &id("a10"), 12);
        map.insert(id("a10"), 12);
        index.restamp(&mut objects, 3, &id("u3"));
        index.restamp(&mut objects, 1, &id("second"));
        index.restamp(&mut objects, 1, &id("u1"));
        for key in ["a20", "u5", "second", "a13"] {
            index.remove(&objects, &id(key));
            map.remove(&id(key));
        }
        let keys: Vec<String> = (0..200)
            .flat_map(|n| [format!("a{n}"), format!("u{n}")])
            .chain(["second".to_string()])
            .collect();
        for k in keys {
            assert_eq!(
                index.get(&objects, &id(&k)),
                map.get(&id(&k)).copied(),
                "{k}"
            );
        }
    }
}
