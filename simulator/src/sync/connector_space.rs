//! Connector spaces (docs/real-systems.md, "The sync engine"): the AD connector's staged copies of
//! directory objects and the Azure AD connector's copies of tenant objects, each with its pending
//! import and (for Azure AD) its pending export. Storage is index based (`Slots`): a `Vec` of slots;
//! the AD connector space finds objects by AD's slot, the Azure AD one by anchor through a hash
//! table of slot indices.
//!
//! It must not know run profiles or timing: it is the data the run profiles work on.

use crate::ad::ActiveDirectory;
use crate::sync::rules::FlowSet;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Arc;
use upgrade_lab_model::{Attributes, ExportOperation, ImmutableId, ObjectGuid, ObjectKind, Value};

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

/// An AD connector-space object: the hologram of the last import. It names its AD object by
/// AD's slot (stable: AD keeps deleted objects in their slots as tombstones, so a slot never
/// names another object) and keeps what that import read, the DN and the attribute block
/// (shared with AD until AD writes a new one), which may differ from AD now.
///
/// 32 bytes (two engines hold a million each): the slot, the class and the pending import
/// share one `u32` (`AdCsObject::ad`, `kind`, `pending`).
#[derive(Clone, Debug)]
pub struct AdCsObject {
    /// AD's slot (bits 0–27), the class (bits 28–29) and the pending import (bits 30–31).
    packed: u32,
    /// The DN the last import read.
    pub(crate) dn: Value,
    /// The attribute block the last import read.
    pub(crate) attrs: Arc<Attributes>,
    /// The metaverse object this connector is joined to.
    pub(crate) mv: Link,
}

/// The highest AD slot an AD connector-space object can name (28 bits, 268,435,455).
const AD_SLOT_MAX: u32 = (1 << 28) - 1;
/// Where the class starts in `AdCsObject::packed`.
const KIND_SHIFT: u32 = 28;
/// Where the pending import starts in `AdCsObject::packed`.
const PENDING_SHIFT: u32 = 30;

impl AdCsObject {
    /// The hologram of AD's slot `ad` (at most `AD_SLOT_MAX`), joined to nothing, nothing pending.
    pub(crate) fn new(ad: u32, kind: ObjectKind, dn: Value, attrs: Arc<Attributes>) -> Self {
        assert!(
            ad <= AD_SLOT_MAX,
            "AD slot {ad} is beyond the {AD_SLOT_MAX} an AD connector-space object can name"
        );
        let kind = match kind {
            ObjectKind::User => 0,
            ObjectKind::Group => 1,
            ObjectKind::Contact => 2,
        };
        Self {
            packed: ad | (kind << KIND_SHIFT),
            dn,
            attrs,
            mv: Link::NONE,
        }
    }

    /// AD's slot of the object (`ActiveDirectory::guid_at` gives its objectGUID).
    pub(crate) fn ad(&self) -> u32 {
        self.packed & AD_SLOT_MAX
    }

    /// User, group or contact (AD never changes an object's class).
    pub fn kind(&self) -> ObjectKind {
        match (self.packed >> KIND_SHIFT) & 0b11 {
            0 => ObjectKind::User,
            1 => ObjectKind::Group,
            _ => ObjectKind::Contact,
        }
    }

    /// What the last import staged for the next synchronization.
    pub fn pending(&self) -> PendingImport {
        match self.packed >> PENDING_SHIFT {
            0 => PendingImport::None,
            1 => PendingImport::Add,
            2 => PendingImport::Update,
            _ => PendingImport::Delete,
        }
    }

    /// Stages `p` for the next synchronization.
    pub(crate) fn set_pending(&mut self, p: PendingImport) {
        let code = match p {
            PendingImport::None => 0,
            PendingImport::Add => 1,
            PendingImport::Update => 2,
            PendingImport::Delete => 3,
        };
        self.packed = (self.packed & !(0b11 << PENDING_SHIFT)) | (code << PENDING_SHIFT);
    }

    /// The staged import, leaving none staged.
    pub(crate) fn take_pending(&mut self) -> PendingImport {
        let p = self.pending();
        self.set_pending(PendingImport::None);
        p
    }
}

/// What Azure AD holds for an object: its attributes and which product's rules wrote them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AadImage {
    pub(crate) attrs: Arc<Attributes>,
    pub(crate) flow: FlowSet,
}

/// An Azure AD connector-space object. Laid out for size (56 bytes, two engines hold a million
/// each): the imported image is kept as its two halves so the flow tag packs with the other
/// one-byte fields instead of padding an `AadImage` to 16 bytes.
#[derive(Clone, Debug)]
pub(crate) struct AadCsObject {
    pub(crate) anchor: ImmutableId,
    pub(crate) kind: ObjectKind,
    /// Azure AD's attributes as of the last import (`None`: never imported, an export object).
    imported_attrs: Option<Arc<Attributes>>,
    /// Which product's rules wrote the imported attributes (meaningless without them).
    imported_flow: FlowSet,
    pub(crate) pending: PendingImport,
    pub(crate) mv: Link,
    pub(crate) export: Option<ExportState>,
}

impl AadCsObject {
    /// A connector-space object holding `imported` (`None`: an export object), joined to nothing,
    /// with nothing pending.
    pub(crate) fn new(anchor: ImmutableId, kind: ObjectKind, imported: Option<AadImage>) -> Self {
        let mut o = Self {
            anchor,
            kind,
            imported_attrs: None,
            imported_flow: FlowSet::DirSync,
            pending: PendingImport::None,
            mv: Link::NONE,
            export: None,
        };
        o.set_imported(imported);
        o
    }

    /// Azure AD's values as of the last import (`None`: never imported, an export object).
    pub(crate) fn imported(&self) -> Option<AadImage> {
        self.imported_attrs.as_ref().map(|attrs| AadImage {
            attrs: attrs.clone(),
            flow: self.imported_flow,
        })
    }

    /// Whether an import brought this object.
    pub(crate) fn has_imported(&self) -> bool {
        self.imported_attrs.is_some()
    }

    /// Replaces the imported image.
    pub(crate) fn set_imported(&mut self, image: Option<AadImage>) {
        match image {
            Some(AadImage { attrs, flow }) => {
                self.imported_attrs = Some(attrs);
                self.imported_flow = flow;
            }
            None => self.imported_attrs = None,
        }
    }

    /// Whether the imported image equals `image` (attribute values and flow set).
    pub(crate) fn imported_is(&self, image: Option<&AadImage>) -> bool {
        match (&self.imported_attrs, image) {
            (None, None) => true,
            (Some(attrs), Some(img)) => *attrs == img.attrs && self.imported_flow == img.flow,
            _ => false,
        }
    }
}

/// Index-based storage: removed slots stay `None` so indices held elsewhere stay valid. The
/// connector spaces add their own lookup on top.
#[derive(Clone, Debug)]
pub struct Slots<T> {
    /// One cell per index ever handed out; `None` once removed.
    cells: Vec<Option<T>>,
    live: usize,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self {
            cells: Vec::new(),
            live: 0,
        }
    }
}

impl<T> Slots<T> {
    fn with_capacity(n: usize) -> Self {
        Self {
            cells: Vec::with_capacity(n),
            live: 0,
        }
    }

    fn push(&mut self, value: T) -> u32 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
        )]
        let i = self.cells.len() as u32;
        self.cells.push(Some(value));
        self.live += 1;
        i
    }

    fn take(&mut self, i: u32) -> Option<T> {
        let v = self.cells.get_mut(i as usize)?.take();
        if v.is_some() {
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
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.iter_from(0)
    }

    /// Live objects from index `from` on, with their indices, in index order.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
    )]
    pub(crate) fn iter_from(&self, from: usize) -> impl Iterator<Item = (u32, &T)> {
        self.cells
            .iter()
            .enumerate()
            .skip(from)
            .filter_map(|(i, s)| s.as_ref().map(|v| (i as u32, v)))
    }
}

/// No connector-space object for this AD slot.
const NO_OBJECT: u32 = u32::MAX;

/// A link to an object of another store by its index, or to none: four bytes where an
/// `Option<u32>` takes eight (`u32::MAX` stands for none; no store hands out that index).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Link(u32);

impl Link {
    /// No linked object.
    pub const NONE: Self = Self(NO_OBJECT);

    /// A link to the object at index `i` (`u32::MAX` is no index: it reads as none).
    pub fn to(i: u32) -> Self {
        debug_assert!(i != NO_OBJECT, "index {i} is the no-object sentinel");
        Self(i)
    }

    /// The linked index, if any.
    pub fn get(self) -> Option<u32> {
        (self.0 != NO_OBJECT).then_some(self.0)
    }

    /// Links nothing.
    pub fn is_none(self) -> bool {
        self.0 == NO_OBJECT
    }

    /// Links an object.
    pub fn is_some(self) -> bool {
        !self.is_none()
    }
}

impl From<Option<u32>> for Link {
    fn from(i: Option<u32>) -> Self {
        i.map_or(Self::NONE, Self::to)
    }
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get(), f)
    }
}

/// The AD connector space: slots, and the connector-space index of each AD slot (four bytes
/// per AD object instead of a hash map keyed by objectGUID).
#[derive(Clone, Debug, Default)]
pub struct AdConnectorSpace {
    slots: Slots<AdCsObject>,
    by_ad_slot: Vec<u32>,
}

impl std::ops::Deref for AdConnectorSpace {
    type Target = Slots<AdCsObject>;
    fn deref(&self) -> &Slots<AdCsObject> {
        &self.slots
    }
}

impl AdConnectorSpace {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            slots: Slots::with_capacity(n),
            by_ad_slot: Vec::with_capacity(n),
        }
    }

    /// The connector-space object of AD's slot `ad`.
    pub(crate) fn find(&self, ad: u32) -> Option<u32> {
        self.by_ad_slot
            .get(ad as usize)
            .copied()
            .filter(|&i| i != NO_OBJECT)
    }

    /// The connector-space object of the AD object with this objectGUID (live or tombstone).
    pub fn find_guid(&self, ad: &ActiveDirectory, guid: &ObjectGuid) -> Option<u32> {
        self.find(ad.slot_of(guid)?)
    }

    pub(crate) fn get_mut(&mut self, i: u32) -> Option<&mut AdCsObject> {
        self.slots.get_mut(i)
    }

    pub(crate) fn insert(&mut self, object: AdCsObject) -> u32 {
        let ad = object.ad() as usize;
        let i = self.slots.push(object);
        if self.by_ad_slot.len() <= ad {
            self.by_ad_slot.resize(ad + 1, NO_OBJECT);
        }
        self.by_ad_slot[ad] = i;
        i
    }

    pub(crate) fn remove(&mut self, i: u32) -> Option<AdCsObject> {
        let v = self.slots.take(i)?;
        if let Some(s) = self.by_ad_slot.get_mut(v.ad() as usize) {
            *s = NO_OBJECT;
        }
        Some(v)
    }
}

/// The Azure AD connector space: slots, and a hash table of slot indices keyed by the anchor
/// each slot holds (four bytes per bucket instead of a copy of the anchor and its index).
#[derive(Clone, Debug, Default)]
pub(crate) struct AadConnectorSpace {
    slots: Slots<AadCsObject>,
    index: HashTable<u32>,
}

impl std::ops::Deref for AadConnectorSpace {
    type Target = Slots<AadCsObject>;
    fn deref(&self) -> &Slots<AadCsObject> {
        &self.slots
    }
}

/// The hash of an anchor's text in the Azure AD connector space's index.
fn anchor_hash(anchor: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(anchor)
}

impl AadConnectorSpace {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            slots: Slots::with_capacity(n),
            index: HashTable::with_capacity(n),
        }
    }

    /// The object holding this anchor.
    pub(crate) fn find(&self, anchor: &ImmutableId) -> Option<u32> {
        self.find_by(anchor.as_str(), |held| held == anchor)
    }

    /// `find`, looking first at the object after the last one found (`last`, which it moves
    /// on): a connector space and the directory read in step with it often hold the same
    /// objects in the same order (a tenant's objects were exported in the order the exporting
    /// server's connector space holds them), so checking that object reads the slots front to
    /// back instead of the index at random. An anchor has one holder at most, so the answer is
    /// the lookup's either way.
    pub(crate) fn find_after(&self, anchor: &ImmutableId, last: &mut Option<u32>) -> Option<u32> {
        self.find_by_after(anchor.as_str(), last, |held| held == anchor)
    }

    /// `find_after` for the anchor whose text is `anchor`.
    pub(crate) fn find_text_after(&self, anchor: &str, last: &mut Option<u32>) -> Option<u32> {
        self.find_by_after(anchor, last, |held| held.as_str() == anchor)
    }

    fn find_by_after(
        &self,
        text: &str,
        last: &mut Option<u32>,
        is_it: impl Fn(&ImmutableId) -> bool,
    ) -> Option<u32> {
        let next = last.map(|a| a + 1);
        let there = next.filter(|&a| self.get(a).is_some_and(|c| is_it(&c.anchor)));
        let found = there.or_else(|| self.find_by(text, &is_it));
        debug_assert_eq!(found, self.find_by(text, &is_it), "an anchor held twice");
        if found.is_some() {
            *last = found;
        }
        found
    }

    /// The object whose anchor `is_it` accepts, among those whose anchor hashes as `text`.
    fn find_by(&self, text: &str, is_it: impl Fn(&ImmutableId) -> bool) -> Option<u32> {
        let cells = &self.slots.cells;
        self.index
            .find(anchor_hash(text), |&i| {
                cells[i as usize].as_ref().is_some_and(|c| is_it(&c.anchor))
            })
            .copied()
    }

    pub(crate) fn get_mut(&mut self, i: u32) -> Option<&mut AadCsObject> {
        self.slots.get_mut(i)
    }

    /// Adds an object; the anchor must not be held by another one.
    pub(crate) fn insert(&mut self, object: AadCsObject) -> u32 {
        let hash = anchor_hash(object.anchor.as_str());
        debug_assert!(self.find(&object.anchor).is_none(), "anchor held twice");
        let i = self.slots.push(object);
        let cells = &self.slots.cells;
        self.index.insert_unique(hash, i, |&j| {
            cells[j as usize]
                .as_ref()
                .map_or(0, |c| anchor_hash(c.anchor.as_str()))
        });
        i
    }

    pub(crate) fn remove(&mut self, i: u32) -> Option<AadCsObject> {
        let hash = anchor_hash(self.slots.get(i)?.anchor.as_str());
        if let Ok(e) = self.index.find_entry(hash, |&j| j == i) {
            e.remove();
        }
        self.slots.take(i)
    }
}

/// An unexported, or exported but unconfirmed, change of one Azure AD connector-space object.
/// The tenant's refusals are not kept here: the run's error list carries their names.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExportState {
    pub(crate) operation: ExportOperation,
    /// The values to write (for deletes: the last known image).
    pub(crate) image: AadImage,
    /// Exports of this change not yet confirmed by an import (`C=n` in the UI).
    pub(crate) exported_count: u32,
}

impl ExportState {
    /// A change not exported yet.
    pub(crate) fn new(operation: ExportOperation, image: AadImage) -> Self {
        Self {
            operation,
            image,
            exported_count: 0,
        }
    }

    /// The export memory (how often it was exported) of `from`, kept when a sync recomputes
    /// the same change.
    pub(crate) fn keep_memory_of(&mut self, from: &Self) {
        self.exported_count = from.exported_count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::attribute_flow::Field;

    fn aad(anchor: &str) -> AadCsObject {
        AadCsObject::new(ImmutableId::new(anchor), ObjectKind::User, None)
    }

    #[test]
    fn a_lookup_after_the_last_one_answers_as_the_index_does() {
        let mut s = AadConnectorSpace::default();
        let ids: Vec<u32> = ["a", "b", "c"].iter().map(|n| s.insert(aad(n))).collect();
        s.remove(ids[1]);
        for anchor in ["a", "b", "c", "d"] {
            let id = ImmutableId::new(anchor);
            let want = s.find(&id);
            for last in [None, Some(ids[0]), Some(ids[1]), Some(ids[2]), Some(99)] {
                let (mut l1, mut l2) = (last, last);
                assert_eq!(s.find_after(&id, &mut l1), want, "{anchor} after {last:?}");
                assert_eq!(
                    s.find_text_after(anchor, &mut l2),
                    want,
                    "{anchor} after {last:?}"
                );
                // The cursor moves to what was found and stays where it was otherwise.
                assert_eq!((l1, l2), (want.or(last), want.or(last)));
            }
        }
    }

    #[test]
    fn removed_slots_keep_other_indices_valid() {
        let mut s = AadConnectorSpace::default();
        let a = s.insert(aad("a"));
        let b = s.insert(aad("b"));
        assert_eq!(s.remove(a).map(|o| o.anchor), Some(ImmutableId::new("a")));
        assert_eq!(s.get(b).map(|o| o.anchor.as_str()), Some("b"));
        assert_eq!(s.find(&ImmutableId::new("a")), None);
        assert_eq!(s.find(&ImmutableId::new("b")), Some(b));
        assert_eq!(s.len(), 1);
        assert_eq!(s.iter().count(), 1);
    }

    #[test]
    fn the_anchor_index_survives_growth_and_removal() {
        let mut s = AadConnectorSpace::default();
        let ids: Vec<u32> = (0..1000)
            .map(|n| s.insert(aad(&format!("id{n}"))))
            .collect();
        for (n, &i) in ids.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
            assert_eq!(
                s.remove(i).map(|o| o.anchor),
                Some(ImmutableId::new(&format!("id{n}")))
            );
        }
        for (n, &i) in ids.iter().enumerate() {
            let found = s.find(&ImmutableId::new(&format!("id{n}")));
            assert_eq!(found, (n % 3 != 0).then_some(i), "id{n}");
        }
    }

    #[test]
    fn the_ad_connector_space_finds_objects_by_ad_slot() {
        let mut s = AdConnectorSpace::default();
        let object = |ad| {
            AdCsObject::new(
                ad,
                ObjectKind::User,
                Value::from("CN=a,DC=contoso,DC=com"),
                Arc::default(),
            )
        };
        let a = s.insert(object(7));
        let b = s.insert(object(2));
        assert_eq!(
            (s.find(7), s.find(2), s.find(3), s.find(99)),
            (Some(a), Some(b), None, None)
        );
        assert!(s.remove(a).is_some());
        assert_eq!((s.find(7), s.find(2)), (None, Some(b)));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn the_records_keep_their_packed_sizes() {
        use std::mem::size_of;
        assert_eq!(size_of::<Link>(), 4);
        assert_eq!(size_of::<ExportState>(), 24);
        assert_eq!(size_of::<Option<ExportState>>(), 24);
        assert_eq!(size_of::<AadCsObject>(), 56);
        assert_eq!(size_of::<Option<AadCsObject>>(), 56);
        assert_eq!(size_of::<AdCsObject>(), 32);
        assert_eq!(size_of::<Option<AdCsObject>>(), 32);
    }

    #[test]
    fn a_link_reads_back_its_index_and_the_sentinel_reads_as_none() {
        assert_eq!(Link::NONE.get(), None);
        assert!(Link::NONE.is_none() && !Link::NONE.is_some());
        for i in [0, 1, 7, u32::MAX - 1] {
            let l = Link::to(i);
            assert_eq!((l.get(), l.is_some(), l.is_none()), (Some(i), true, false));
            assert_eq!(Link::from(Some(i)), l);
        }
        assert_eq!(Link::from(None), Link::NONE);
        assert_ne!(Link::to(0), Link::NONE);
        assert_eq!(
            format!("{:?} {:?}", Link::to(3), Link::NONE),
            "Some(3) None"
        );
    }

    #[test]
    fn the_export_memory_is_kept_whole() {
        let mut old = ExportState::new(ExportOperation::Update, image(FlowSet::Connect));
        old.exported_count = 3;
        let mut new = ExportState::new(ExportOperation::Update, image(FlowSet::Connect));
        new.keep_memory_of(&old);
        assert_eq!(new, old);
    }

    fn image(flow: FlowSet) -> AadImage {
        let mut attrs = Attributes::default();
        attrs.set_text(Field::DisplayName, Some("Ann"));
        AadImage {
            attrs: Arc::new(attrs),
            flow,
        }
    }

    #[test]
    fn the_imported_image_reads_back_as_it_was_set() {
        let mut o = aad("a");
        assert_eq!((o.imported(), o.has_imported()), (None, false));
        assert!(o.imported_is(None));
        for flow in [FlowSet::Connect, FlowSet::DirSync] {
            let img = image(flow);
            o.set_imported(Some(img.clone()));
            assert_eq!(o.imported(), Some(img.clone()));
            assert!(o.has_imported() && o.imported_is(Some(&img)) && !o.imported_is(None));
            let other = if flow == FlowSet::Connect {
                FlowSet::DirSync
            } else {
                FlowSet::Connect
            };
            assert!(!o.imported_is(Some(&image(other))));
            let mut changed = img.clone();
            Arc::make_mut(&mut changed.attrs).set_text(Field::DisplayName, Some("Bob"));
            assert!(!o.imported_is(Some(&changed)));
        }
        o.set_imported(None);
        assert_eq!((o.imported(), o.has_imported()), (None, false));
        let new = AadCsObject::new(
            ImmutableId::new("b"),
            ObjectKind::Group,
            Some(image(FlowSet::DirSync)),
        );
        assert_eq!(new.imported(), Some(image(FlowSet::DirSync)));
        assert_eq!(
            (new.mv, new.pending, new.export),
            (Link::NONE, PendingImport::None, None)
        );
    }

    #[test]
    fn an_ad_connector_space_object_reads_back_its_slot_class_and_pending_import() {
        let kinds = [ObjectKind::User, ObjectKind::Group, ObjectKind::Contact];
        let pendings = [
            PendingImport::None,
            PendingImport::Add,
            PendingImport::Update,
            PendingImport::Delete,
        ];
        for ad in [0, 1, 12_345, AD_SLOT_MAX] {
            for kind in kinds {
                let mut o = AdCsObject::new(ad, kind, Value::from("CN=a"), Arc::default());
                assert_eq!(
                    (o.ad(), o.kind(), o.pending()),
                    (ad, kind, PendingImport::None)
                );
                for p in pendings {
                    o.set_pending(p);
                    assert_eq!((o.ad(), o.kind(), o.pending()), (ad, kind, p));
                }
                assert_eq!(o.take_pending(), PendingImport::Delete);
                assert_eq!(
                    (o.ad(), o.kind(), o.pending()),
                    (ad, kind, PendingImport::None)
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "AD slot 268435456 is beyond the 268435455")]
    fn an_ad_slot_beyond_28_bits_is_refused() {
        let _ = AdCsObject::new(
            AD_SLOT_MAX + 1,
            ObjectKind::User,
            Value::from("CN=a"),
            Arc::default(),
        );
    }
}
