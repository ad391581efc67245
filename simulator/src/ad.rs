//! On-premises Active Directory: the forest's objects with an update sequence number (USN) counter,
//! tombstones for deleted objects (so a delta import sees deletes:
//! docs/decisions.md, "Runs and time"), the change API churn and scenarios use, the Enterprise Admins
//! check and a change log.
//!
//! It must not know connector spaces, servers or the tenant: sync engines read it through
//! `changes_after_usn` and `live_objects`.

use rustc_hash::FxHashMap;
use std::sync::Arc;
use upgrade_lab_engine::ports::AdChanges;
use upgrade_lab_model::{
    Attributes, Credential, Directory, DirectoryObject, ObjectGuid, SimTime, Value, dn,
};

/// What kind of change the log records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ChangeKind {
    Add,
    Update,
    Delete,
    Move,
    Password,
}

/// A change the AD change API refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdError {
    #[error("AD already holds an object with objectGUID {0}; pick another GUID")]
    DuplicateGuid(ObjectGuid),
    #[error("AD holds no live object with objectGUID {0}; it may have been deleted")]
    NoSuchObject(ObjectGuid),
    #[error("'{0}' is not a distinguished name AD accepts")]
    BadDn(String),
}

/// One object slot, as read: the object and whether it is a tombstone.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdEntry<'a> {
    pub(crate) object: &'a DirectoryObject,
    pub(crate) deleted: bool,
}

/// The simulated forest.
#[derive(Debug)]
pub struct ActiveDirectory {
    pub(crate) forest: Value,
    pub(crate) domains: Vec<String>,
    /// Every slot's object (live or tombstone), in storage order: the generated directory's
    /// own vector, never copied.
    objects: Vec<DirectoryObject>,
    /// Per slot, whether it is a tombstone.
    deleted: Vec<bool>,
    by_guid: FxHashMap<ObjectGuid, u32>,
    usn: u64,
    /// The USN the directory started with: changes after it are in `changed`.
    initial_usn: u64,
    /// The slot each USN after `initial_usn` changed, in USN order (`changed[k]` got USN
    /// `initial_usn + k + 1`): a delta import reads the slots changed after its watermark from
    /// here instead of scanning every slot.
    changed: Vec<u32>,
    log: Vec<(SimTime, ChangeKind, ObjectGuid)>,
    enterprise_admins: Vec<Credential>,
}

impl ActiveDirectory {
    /// AD holding `directory`; every object gets a USN in directory order.
    pub(crate) fn new(directory: Directory, enterprise_admins: Vec<Credential>) -> Self {
        let mut objects = directory.objects;
        let mut by_guid =
            FxHashMap::with_capacity_and_hasher(objects.len(), rustc_hash::FxBuildHasher);
        // A second object with one GUID cannot exist in AD: the first one stays. A kept
        // object's slot is the number kept before it (`retain` moves nothing until it drops
        // one, so a directory without repeats is not copied).
        objects.retain(|object| {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
            )]
            let slot = by_guid.len() as u32;
            match by_guid.entry(object.guid) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(slot);
                    true
                }
            }
        });
        let mut usn = 0u64;
        for object in &mut objects {
            usn = usn.max(object.usn_changed) + 1;
            object.usn_changed = usn;
        }
        Self {
            forest: directory.forest,
            domains: directory
                .domains
                .iter()
                .map(|d| d.dns_name.to_string())
                .collect(),
            deleted: vec![false; objects.len()],
            objects,
            by_guid,
            usn,
            initial_usn: usn,
            changed: Vec::new(),
            log: Vec::new(),
            enterprise_admins,
        }
    }

    /// The highest USN handed out (a delta import's next watermark).
    pub(crate) fn highest_usn(&self) -> u64 {
        self.usn
    }

    /// The objects AD holds now (tombstones left out), in storage order.
    pub fn live_objects(&self) -> impl Iterator<Item = &DirectoryObject> {
        self.entries().filter(|e| !e.deleted).map(|e| e.object)
    }

    /// How many objects AD holds now (tombstones left out).
    pub fn live_count(&self) -> usize {
        self.deleted.iter().filter(|d| !**d).count()
    }

    /// Entries (live and tombstones) changed after `usn`, in storage order.
    pub(crate) fn changes_after_usn(&self, usn: u64) -> impl Iterator<Item = AdEntry<'_>> {
        self.entries().filter(move |e| e.object.usn_changed > usn)
    }

    /// Every slot (live objects and tombstones), in storage order: a slot's index never names
    /// another object, since AD keeps a deleted object's slot as its tombstone.
    pub(crate) fn entries(&self) -> impl Iterator<Item = AdEntry<'_>> {
        self.objects
            .iter()
            .zip(&self.deleted)
            .map(|(object, &deleted)| AdEntry { object, deleted })
    }

    /// Slot `i` (live or tombstone).
    pub(crate) fn entry(&self, i: usize) -> Option<AdEntry<'_>> {
        Some(AdEntry {
            object: self.objects.get(i)?,
            deleted: *self.deleted.get(i)?,
        })
    }

    /// The slot of the object with this objectGUID (live or tombstone).
    pub(crate) fn slot_of(&self, guid: &ObjectGuid) -> Option<u32> {
        self.by_guid.get(guid).copied()
    }

    /// The objectGUID of the object in slot `i` (live or tombstone).
    pub(crate) fn guid_at(&self, i: u32) -> Option<ObjectGuid> {
        self.objects.get(i as usize).map(|o| o.guid)
    }

    /// The live object with this objectGUID.
    pub fn get(&self, guid: &ObjectGuid) -> Option<&DirectoryObject> {
        let i = *self.by_guid.get(guid)?;
        self.live_at(i as usize)
    }

    /// Number of object slots (live and tombstones), for sampling by index.
    pub(crate) fn slot_count(&self) -> usize {
        self.objects.len()
    }

    /// The live object in slot `i`, if it is not a tombstone.
    pub(crate) fn live_at(&self, i: usize) -> Option<&DirectoryObject> {
        self.entry(i).filter(|e| !e.deleted).map(|e| e.object)
    }

    /// The next USN, given to slot `slot` for a change of `kind` at `at`.
    fn bump(&mut self, at: SimTime, kind: ChangeKind, guid: ObjectGuid, slot: usize) -> u64 {
        self.usn += 1;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
        )]
        self.changed.push(slot as u32);
        self.log.push((at, kind, guid));
        self.usn
    }

    /// The slots changed after `usn`, in storage order, each once; `None` when `usn` is older
    /// than the directory AD started with (every slot may have changed since).
    pub(crate) fn slots_changed_after(&self, usn: u64) -> Option<Vec<u32>> {
        let from = usize::try_from(usn.checked_sub(self.initial_usn)?).ok()?;
        let mut slots = self.changed.get(from..)?.to_vec();
        slots.sort_unstable();
        slots.dedup();
        Some(slots)
    }

    /// Adds an object (a new user, group or contact).
    pub fn add(&mut self, at: SimTime, mut object: DirectoryObject) -> Result<(), AdError> {
        if self.by_guid.contains_key(&object.guid) {
            return Err(AdError::DuplicateGuid(object.guid));
        }
        if !dn::is_well_formed(&object.dn) {
            return Err(AdError::BadDn(object.dn.to_string()));
        }
        object.usn_changed = self.bump(at, ChangeKind::Add, object.guid, self.objects.len());
        object.when_changed_ms = at.0;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
        )]
        self.by_guid.insert(object.guid, self.objects.len() as u32);
        self.objects.push(object);
        self.deleted.push(false);
        Ok(())
    }

    fn live_index(&self, guid: &ObjectGuid) -> Result<usize, AdError> {
        match self.by_guid.get(guid) {
            Some(&i) if !self.deleted[i as usize] => Ok(i as usize),
            _ => Err(AdError::NoSuchObject(*guid)),
        }
    }

    /// Changes attributes of a live object (copy-on-write: other holders keep the old block).
    pub fn update(
        &mut self,
        at: SimTime,
        guid: &ObjectGuid,
        change: impl FnOnce(&mut Attributes),
    ) -> Result<(), AdError> {
        let i = self.live_index(guid)?;
        let usn = self.bump(at, ChangeKind::Update, *guid, i);
        let o = &mut self.objects[i];
        change(o.attrs_mut());
        o.usn_changed = usn;
        o.when_changed_ms = at.0;
        Ok(())
    }

    /// Deletes an object: it stays as a tombstone with a new USN.
    pub fn delete(&mut self, at: SimTime, guid: &ObjectGuid) -> Result<(), AdError> {
        let i = self.live_index(guid)?;
        let usn = self.bump(at, ChangeKind::Delete, *guid, i);
        self.deleted[i] = true;
        let o = &mut self.objects[i];
        o.usn_changed = usn;
        o.when_changed_ms = at.0;
        Ok(())
    }

    /// Moves an object under `new_parent_dn` (its RDN is kept).
    pub(crate) fn move_to(
        &mut self,
        at: SimTime,
        guid: &ObjectGuid,
        new_parent_dn: &str,
    ) -> Result<(), AdError> {
        if !dn::is_well_formed(new_parent_dn) {
            return Err(AdError::BadDn(new_parent_dn.to_string()));
        }
        let i = self.live_index(guid)?;
        let rdn = dn::rdns(&self.objects[i].dn)
            .first()
            .map(std::string::ToString::to_string)
            .ok_or_else(|| AdError::BadDn(self.objects[i].dn.to_string()))?;
        let usn = self.bump(at, ChangeKind::Move, *guid, i);
        let o = &mut self.objects[i];
        o.dn = Arc::from(format!("{rdn},{new_parent_dn}"));
        o.usn_changed = usn;
        o.when_changed_ms = at.0;
        Ok(())
    }

    /// A user changes their password (password hash sync carries it; no USN-visible attribute
    /// of ours changes).
    pub fn change_password(&mut self, at: SimTime, guid: &ObjectGuid) -> Result<(), AdError> {
        self.live_index(guid)?;
        self.log.push((at, ChangeKind::Password, *guid));
        Ok(())
    }

    /// Whether `credential` is a member of Enterprise Admins with the right password.
    pub(crate) fn is_enterprise_admin(&self, credential: &Credential) -> bool {
        self.enterprise_admins.iter().any(|ea| {
            ea.account.eq_ignore_ascii_case(&credential.account)
                && ea.password.expose() == credential.password.expose()
        })
    }

    /// The objects added, updated (moves count as updates) and deleted after `since`, each
    /// once: an object added and then changed is an add, one added and deleted is nothing.
    pub fn changes_since(&self, since: SimTime) -> AdChanges {
        // The directory AD starts with is not in the log: every logged change came after the
        // world's start, even one made at its first instant.
        let start = if since == SimTime::START {
            0
        } else {
            self.log.partition_point(|(t, _, _)| *t <= since)
        };
        let mut c = AdChanges::default();
        for (_, kind, guid) in &self.log[start..] {
            let anchor = guid.immutable_id();
            match kind {
                ChangeKind::Add => {
                    c.added.insert(anchor);
                }
                ChangeKind::Update | ChangeKind::Move if !c.added.contains(&anchor) => {
                    c.updated.insert(anchor);
                }
                // A tombstone is a delete even when its object was created in the period too
                // (whenCreated after `since`): DirSync may have exported the add in between, and
                // a pending delete of it is then AD's doing. It stays listed as added as well.
                ChangeKind::Delete => {
                    if c.updated.remove(&anchor) {
                        c.updated_then_deleted.insert(anchor.clone());
                    }
                    c.deleted.insert(anchor);
                }
                ChangeKind::Update | ChangeKind::Move | ChangeKind::Password => {}
            }
        }
        c
    }

    /// Times of object changes (not passwords), oldest first: the sync gap is measured on them.
    pub(crate) fn change_times(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.log
            .iter()
            .filter(|(_, k, _)| *k != ChangeKind::Password)
            .map(|(t, _, _)| *t)
    }

    /// Password changes made after `since`, oldest first.
    pub(crate) fn password_changes_since(&self, since: SimTime) -> usize {
        let start = self.log.partition_point(|(t, _, _)| *t <= since);
        self.log[start..]
            .iter()
            .filter(|(_, k, _)| *k == ChangeKind::Password)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::ObjectKind;
    use upgrade_lab_model::attribute_flow::Field;

    fn obj(n: u8) -> DirectoryObject {
        DirectoryObject {
            guid: ObjectGuid::from_bytes([n; 16]),
            kind: ObjectKind::User,
            dn: Arc::from(format!("CN=u{n},OU=Staff,DC=contoso,DC=com")),
            attrs: Arc::new(Attributes::from_texts(&[(
                Field::SamAccountName,
                &format!("u{n}"),
            )])),
            usn_changed: 0,
            when_changed_ms: 0,
        }
    }

    fn ad() -> ActiveDirectory {
        let dir = Directory {
            forest: Arc::from("contoso.com"),
            objects: vec![obj(1), obj(2)],
            ..Default::default()
        };
        ActiveDirectory::new(dir, vec![Credential::new("CONTOSO\\ea", "pw")])
    }

    #[test]
    fn a_directory_with_a_guid_twice_keeps_the_first_object_and_numbers_slots_densely() {
        let mut twin = obj(1);
        twin.dn = Arc::from("CN=twin,OU=Staff,DC=contoso,DC=com");
        let dir = Directory {
            forest: Arc::from("contoso.com"),
            objects: vec![obj(1), obj(2), twin, obj(3)],
            ..Default::default()
        };
        let ad = ActiveDirectory::new(dir, Vec::new());
        assert_eq!(ad.slot_count(), 3);
        assert_eq!(ad.live_count(), 3);
        assert_eq!(&*ad.get(&obj(1).guid).unwrap().dn, &*obj(1).dn);
        for (slot, n) in [(0u32, 1u8), (1, 2), (2, 3)] {
            assert_eq!(ad.slot_of(&obj(n).guid), Some(slot));
            assert_eq!(ad.guid_at(slot), Some(obj(n).guid));
        }
        let usns: Vec<u64> = ad.live_objects().map(|o| o.usn_changed).collect();
        assert_eq!(usns, [1, 2, 3]);
        assert_eq!(ad.highest_usn(), 3);
    }

    #[test]
    fn the_slots_changed_after_a_usn_are_those_a_scan_finds() {
        let mut ad = ad();
        let start = ad.highest_usn();
        let at = SimTime(5);
        ad.add(at, obj(3)).unwrap();
        ad.update(at, &obj(1).guid, |a| a.set_text(Field::Title, Some("x")))
            .unwrap();
        ad.delete(at, &obj(3).guid).unwrap();
        ad.move_to(at, &obj(2).guid, "OU=Sales,DC=contoso,DC=com")
            .unwrap();
        ad.update(at, &obj(1).guid, |a| a.set_text(Field::Title, Some("y")))
            .unwrap();
        for usn in start..=ad.highest_usn() {
            let scanned: Vec<u32> = (0..ad.slot_count())
                .filter(|&i| ad.entry(i).unwrap().object.usn_changed > usn)
                .map(|i| u32::try_from(i).unwrap())
                .collect();
            assert_eq!(ad.slots_changed_after(usn), Some(scanned), "after {usn}");
        }
        assert_eq!(
            ad.slots_changed_after(start - 1),
            None,
            "older than the start"
        );
    }

    #[test]
    fn deletes_leave_tombstones_with_a_newer_usn() {
        let mut ad = ad();
        let before = ad.highest_usn();
        ad.delete(SimTime(5), &obj(1).guid).unwrap();
        let changed: Vec<_> = ad.changes_after_usn(before).collect();
        assert_eq!(changed.len(), 1);
        assert!(changed[0].deleted);
        assert_eq!(ad.live_count(), 1);
        assert_eq!(
            ad.delete(SimTime(6), &obj(1).guid),
            Err(AdError::NoSuchObject(obj(1).guid))
        );
    }

    #[test]
    fn a_change_at_the_first_instant_is_a_change_since_the_start() {
        let mut ad = ad();
        ad.delete(SimTime::START, &obj(1).guid).unwrap();
        assert_eq!(ad.changes_since(SimTime::START).deleted.len(), 1);
        assert!(ad.changes_since(SimTime(1)).deleted.is_empty());
    }

    #[test]
    fn changes_since_lists_each_object_once_and_moves_rename() {
        let mut ad = ad();
        ad.add(SimTime(1), obj(3)).unwrap();
        ad.update(SimTime(2), &obj(2).guid, |a| {
            a.set_text(Field::Title, Some("CFO"));
        })
        .unwrap();
        ad.move_to(SimTime(3), &obj(2).guid, "OU=Moved,DC=contoso,DC=com")
            .unwrap();
        ad.delete(SimTime(4), &obj(1).guid).unwrap();
        ad.add(SimTime(5), obj(4)).unwrap();
        ad.update(SimTime(6), &obj(4).guid, |a| {
            a.set_text(Field::Title, Some("CIO"));
        })
        .unwrap();
        let c = ad.changes_since(SimTime(1));
        let ids = |guids: &[u8]| guids.iter().map(|&n| obj(n).guid.immutable_id()).collect();
        // obj(3) was added at 1, not after; obj(2) updated and moved is one update; obj(4)
        // added and then updated is an add.
        assert_eq!(c.added, ids(&[4]));
        assert_eq!(c.updated, ids(&[2]));
        assert_eq!(c.deleted, ids(&[1]));
        assert!(
            c.updated_then_deleted.is_empty(),
            "obj(1) was deleted unchanged"
        );
        let all = ad.changes_since(SimTime::START);
        assert!(all.added.contains(&obj(3).guid.immutable_id()));
        assert_eq!(
            &*ad.get(&obj(2).guid).unwrap().dn,
            "CN=u2,OU=Moved,DC=contoso,DC=com"
        );
        assert!(matches!(
            ad.add(SimTime(5), obj(3)),
            Err(AdError::DuplicateGuid(_))
        ));

        // An update, then a delete: a delete that remembers the update.
        ad.update(SimTime(7), &obj(2).guid, |a| {
            a.set_text(Field::Title, Some("CEO"));
        })
        .unwrap();
        ad.delete(SimTime(8), &obj(2).guid).unwrap();
        let c = ad.changes_since(SimTime(1));
        assert_eq!(c.deleted, ids(&[1, 2]));
        assert!(c.updated.is_empty());
        assert_eq!(c.updated_then_deleted, ids(&[2]));
    }

    #[test]
    fn an_object_added_and_deleted_in_the_period_is_listed_as_both() {
        let mut ad = ad();
        ad.add(SimTime(2), obj(3)).unwrap();
        ad.delete(SimTime(3), &obj(3).guid).unwrap();
        let c = ad.changes_since(SimTime(1));
        let id = obj(3).guid.immutable_id();
        assert!(c.added.contains(&id));
        assert!(c.deleted.contains(&id));
        assert!(c.updated.is_empty());
    }

    #[test]
    fn only_an_enterprise_admin_with_the_right_password_passes() {
        let ad = ad();
        assert!(ad.is_enterprise_admin(&Credential::new("contoso\\EA", "pw")));
        assert!(!ad.is_enterprise_admin(&Credential::new("CONTOSO\\ea", "nope")));
    }
}
