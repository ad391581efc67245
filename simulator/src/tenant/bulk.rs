//! Export runs that create many objects at once (a first export writes a whole directory):
//! the adds that cannot meet anything else are found before the run, on every core, and
//! written without the per-write lookups; their index keys go in after the run, in the order
//! of the hash tables' buckets. Every other write's anchor is looked up on every core before
//! the run too; the anchor index journals what the run's writes change, and a write whose
//! anchor an earlier write touched looks it up again at its turn. The tenant ends up exactly as
//! if every write had gone through `apply_write` one after the other.
//!
//! A *clean* add is one whose outcome does not depend on the tenant or on any other write of
//! the run: an add whose values pass validation, whose anchor, UPN and SMTP addresses are held
//! by no object (not even as a stale index key) and by no other write of the run (equal key
//! hashes count as equal, so a hash collision makes both writes go the slow way), and whose UPN
//! is not in the initial domain (the only domain duplicate attribute resiliency writes
//! quarantined UPNs into). Every other write of the run (updates, deletes, conflicts) goes
//! through `apply_write` and looks up only keys no clean add holds, so deferring the clean
//! adds' keys to the end of the run changes no answer. A clean add can still be refused by the
//! quota, which it checks at its turn.
//!
//! It must not know who writes or when, like `matching.rs`.

use super::{Tenant, fold_hash, smtp_addresses};
use crate::sync::connector_space::AadImage;
use rayon::prelude::*;
use std::hash::BuildHasher;
use upgrade_lab_model::{ExportOperation, ImmutableId, ObjectKind};

/// One write of an export run, as the engine will send it.
#[derive(Clone, Copy)]
pub(crate) struct PlannedWrite<'a> {
    pub(crate) operation: ExportOperation,
    pub(crate) anchor: &'a ImmutableId,
    pub(crate) kind: ObjectKind,
    pub(crate) image: &'a AadImage,
}

/// Which index a key belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Index {
    Upn,
    Smtp,
    Anchor,
}

/// One index key of a planned add: the index, the key's hash there and the write's position.
#[derive(Clone, Copy, Debug)]
struct Key {
    /// The index in the top two bits, then the bucket the key's probe starts at, scaled to
    /// the other 62 (`BucketMasks::order`): keys in this order touch each table front to back.
    order: u64,
    hash: u64,
    write: u32,
    index: Index,
}

/// The run's clean adds and, once written, the objects they created.
pub(crate) struct BulkAdds {
    /// Per write of the run: `NOT_CLEAN`, `CLEAN` (a clean add not written yet) or the
    /// object the clean add created. One buffer of four bytes per write (a run of ten million
    /// writes frees few, large buffers: freeing many mid-sized ones makes glibc keep later
    /// allocations in its heap, which costs peak memory).
    state: Vec<u32>,
    /// The clean adds' keys (only theirs).
    keys: Vec<Key>,
    /// Per write that is not a clean add: the object its anchor named when the run was planned
    /// (`NO_OBJECT`: none), looked up on every core. Only the run's own writes change the
    /// anchor index, and the index journals them, so a write whose anchor no earlier write
    /// touched takes this instead of a lookup at its turn.
    held: Vec<u32>,
    /// Where write `k`'s anchor lives (compared, never read): the engine sends the planned
    /// writes in their order, and `is_clean` holds it to that (debug builds).
    #[cfg(debug_assertions)]
    anchors: Vec<usize>,
}

/// A write that is not a clean add.
const NOT_CLEAN: u32 = u32::MAX;
/// A clean add not written yet.
const CLEAN: u32 = u32::MAX - 1;
/// No object (in `BulkAdds::held`).
const NO_OBJECT: u32 = u32::MAX;

/// The bucket masks of the three tables (`Tenant::bucket_masks`).
#[derive(Clone, Copy)]
struct BucketMasks {
    upn: u64,
    smtp: u64,
    anchor: u64,
}

impl BucketMasks {
    /// The index in the top two bits, then the bucket a key's probe starts at (the map's own
    /// hash of the key for the two maps keyed by text hashes, the key's hash itself for the
    /// anchor table) scaled to the other 62 bits, so that the top bits of the order are the
    /// top bits of the bucket in every table.
    fn order(self, index: Index, hash: u64) -> u64 {
        let fx = |h: u64| rustc_hash::FxBuildHasher.hash_one(h);
        let (bucket, mask) = match index {
            Index::Upn => (fx(hash) & self.upn, self.upn),
            Index::Smtp => (fx(hash) & self.smtp, self.smtp),
            Index::Anchor => (hash & self.anchor, self.anchor),
        };
        debug_assert!(mask.count_ones() <= 62, "a table of more than 2^62 buckets");
        (index as u64) << 62 | bucket << (62 - mask.count_ones())
    }
}

/// Partitions by the top 11 bits of the order: few enough that the counting pass writes to
/// each partition's next slot from the cache, many enough that each partition sorts fast.
const PARTITION_BITS: u32 = 11;

/// `keys` sorted by order, then index and hash (equal keys side by side whatever the order
/// is: the order decides only how fast the tables are walked): one counting pass into
/// partitions by the top bits of the order, then each small partition sorted, instead of a
/// comparison sort of millions of keys.
fn sort_by_order(keys: Vec<Key>) -> Vec<Key> {
    let part = |k: &Key| (k.order >> (64 - PARTITION_BITS)) as usize;
    let mut starts = vec![0usize; (1 << PARTITION_BITS) + 1];
    for k in &keys {
        starts[part(k) + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let mut next = starts.clone();
    let mut sorted = vec![
        Key {
            order: 0,
            hash: 0,
            write: 0,
            index: Index::Upn,
        };
        keys.len()
    ];
    for k in keys {
        let p = part(&k);
        sorted[next[p]] = k;
        next[p] += 1;
    }
    let mut rest = sorted.as_mut_slice();
    let mut parts = Vec::with_capacity(1 << PARTITION_BITS);
    for w in starts.windows(2) {
        let (part, tail) = rest.split_at_mut(w[1] - w[0]);
        parts.push(part);
        rest = tail;
    }
    parts
        .into_par_iter()
        .for_each(|p| p.sort_unstable_by_key(|k| (k.order, k.index, k.hash)));
    sorted
}

impl Tenant {
    /// Finds the clean adds among the run's `n` writes (`write(k)`: write `k`, in the order
    /// they will be sent) and makes room in the indices for their keys.
    pub(crate) fn plan_bulk_adds<'w>(
        &mut self,
        n: usize,
        write: impl Fn(usize) -> PlannedWrite<'w> + Sync,
    ) -> BulkAdds {
        let mut state = Vec::with_capacity(n);
        (0..n)
            .into_par_iter()
            .map(|k| {
                if self.may_be_clean(&write(k)) {
                    CLEAN
                } else {
                    NOT_CLEAN
                }
            })
            .collect_into_vec(&mut state);
        let keys = if state.contains(&CLEAN) {
            self.clean_keys(&mut state, &write)
        } else {
            // No add to speed up (a run of updates): no keys to plan.
            Vec::new()
        };
        let mut held = Vec::with_capacity(n);
        (0..n)
            .into_par_iter()
            .map(|k| match state[k] {
                CLEAN => NO_OBJECT,
                _ => (self.by_anchor.get(&self.objects, write(k).anchor)).unwrap_or(NO_OBJECT),
            })
            .collect_into_vec(&mut held);
        self.by_anchor.start_journal();
        BulkAdds {
            state,
            keys,
            held,
            #[cfg(debug_assertions)]
            anchors: (0..n).map(|k| address(write(k).anchor)).collect(),
        }
    }

    /// The keys of the clean adds in bucket order; candidates whose key is taken lose `CLEAN`.
    fn clean_keys<'w>(
        &mut self,
        state: &mut [u32],
        write: &(impl Fn(usize) -> PlannedWrite<'w> + Sync),
    ) -> Vec<Key> {
        // Every write's keys, not only the candidates': a clean add must share none with any
        // other write of the run (an update of the object it creates, say).
        let keys = keys_of_run(state.len(), write);
        // Room first, so that the bucket order below is the one the keys go in with.
        let count = |index: Index| keys.iter().filter(|k| k.index == index).count();
        self.upns.reserve(count(Index::Upn));
        self.smtp.reserve(count(Index::Smtp));
        self.by_anchor.reserve(&self.objects, count(Index::Anchor));
        let masks = self.bucket_masks();
        let mut keys = keys;
        keys.par_iter_mut()
            .for_each(|k| k.order = masks.order(k.index, k.hash));
        let mut keys = sort_by_order(keys);
        let taken: Vec<u32> = (0..keys.len())
            .into_par_iter()
            .filter(|&j| state[keys[j].write as usize] == CLEAN && self.key_taken(&keys, j, write))
            .map(|j| keys[j].write)
            .collect();
        for k in taken {
            state[k as usize] = NOT_CLEAN;
        }
        keys.retain(|k| state[k.write as usize] == CLEAN);
        keys
    }

    /// An add with valid values whose UPN is not in the initial domain.
    fn may_be_clean(&self, w: &PlannedWrite<'_>) -> bool {
        let quarantine_domain = |upn: &str| {
            upn.rsplit_once('@')
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&self.initial_domain))
        };
        w.operation == ExportOperation::Add
            && super::matching::validate(w.kind, w.image).is_ok()
            && !w
                .image
                .attrs
                .user_principal_name()
                .is_some_and(quarantine_domain)
    }

    /// Whether key `j` (of keys sorted by index and hash) is held in the tenant or by another
    /// write of the run.
    fn key_taken<'w>(
        &self,
        keys: &[Key],
        j: usize,
        write: &(impl Fn(usize) -> PlannedWrite<'w> + Sync),
    ) -> bool {
        let k = keys[j];
        let same = |o: Option<&Key>| o.is_some_and(|o| o.index == k.index && o.hash == k.hash);
        if same(j.checked_sub(1).and_then(|p| keys.get(p))) || same(keys.get(j + 1)) {
            return true;
        }
        match k.index {
            Index::Upn => self.upns.contains_key(&k.hash),
            Index::Smtp => self.smtp.contains_key(&k.hash),
            Index::Anchor => self
                .by_anchor
                .get_hashed(&self.objects, k.hash, || write(k.write as usize).anchor)
                .is_some(),
        }
    }

    /// Where keys' probes start in the three tables (the tables grow by powers of two, and
    /// hold seven eighths of their buckets): keys sorted by it touch each table front to back.
    fn bucket_masks(&self) -> BucketMasks {
        let mask = |capacity: usize| {
            let buckets = if capacity < 8 {
                capacity + 1
            } else {
                capacity / 7 * 8
            };
            buckets.next_power_of_two() as u64 - 1
        };
        BucketMasks {
            upn: mask(self.upns.capacity()),
            smtp: mask(self.smtp.capacity()),
            anchor: mask(self.by_anchor.capacity()),
        }
    }

    /// Write `k` of the run, a clean add: the object is created at its turn (the quota is
    /// checked then); its keys wait for `finish_bulk_adds`.
    pub(crate) fn add_clean(
        &mut self,
        bulk: &mut BulkAdds,
        k: usize,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> Result<(), &'static str> {
        debug_assert_eq!(
            bulk.state[k], CLEAN,
            "write {k} is not a clean add not written yet"
        );
        let i = self.create(Some(anchor.clone()), kind, image)?;
        self.stamp(i);
        bulk.state[k] = i;
        Ok(())
    }

    /// Write `k` of a planned run, which carries `anchor` (and the other arguments, as
    /// `apply_write` takes them): a clean add without lookups, any other write with the
    /// object its anchor named at planning, unless a write of the run changed that since.
    /// Whether the write changed nothing (as `holds` says), and the tenant's answer.
    pub(crate) fn apply_planned(
        &mut self,
        bulk: &mut BulkAdds,
        k: usize,
        operation: ExportOperation,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> (Result<(), &'static str>, bool) {
        if bulk.is_clean(k, anchor) {
            return (self.add_clean(bulk, k, anchor, kind, image), false);
        }
        let held = if self.by_anchor.changed_since_journal(anchor) {
            self.by_anchor.get(&self.objects, anchor)
        } else {
            Some(bulk.held[k]).filter(|&i| i != NO_OBJECT)
        };
        debug_assert_eq!(
            held,
            self.by_anchor.get(&self.objects, anchor),
            "write {k}'s anchor changed since the run was planned"
        );
        self.apply_write_noting_at(held, operation, anchor, kind, image)
    }

    /// Indexes the objects the clean adds created, table by table in bucket order.
    pub(crate) fn finish_bulk_adds(&mut self, bulk: BulkAdds) {
        self.by_anchor.end_journal();
        let BulkAdds { state, keys, .. } = bulk;
        for k in keys {
            let i = state[k.write as usize];
            if i == CLEAN {
                // Not written: the run stopped before it, or the quota refused it.
                continue;
            }
            match k.index {
                Index::Upn => assert!(self.upns.insert(k.hash, i).is_none(), "UPN key taken"),
                Index::Smtp => assert!(self.smtp.insert(k.hash, i).is_none(), "SMTP key taken"),
                Index::Anchor => self.by_anchor.insert_new(&self.objects, k.hash, i),
            }
        }
    }
}

impl BulkAdds {
    /// Whether write `k` of the run, which carries `anchor`, is a clean add not written yet.
    pub(crate) fn is_clean(&self, k: usize, anchor: &ImmutableId) -> bool {
        #[cfg(debug_assertions)]
        assert_eq!(
            self.anchors.get(k).copied(),
            Some(address(anchor)),
            "write {k} of the export run is not the planned one"
        );
        let _ = anchor;
        self.state[k] == CLEAN
    }
}

/// The index keys of the run's `n` writes, computed on every core into one buffer of exactly
/// their number (see `BulkAdds::state` for why one).
fn keys_of_run<'w>(n: usize, write: &(impl Fn(usize) -> PlannedWrite<'w> + Sync)) -> Vec<Key> {
    const CHUNK: usize = 1 << 14;
    let chunks = n.div_ceil(CHUNK);
    let range = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(n);
    let counts: Vec<usize> = (0..chunks)
        .into_par_iter()
        .map(|c| range(c).map(|k| keys_of(k, &write(k)).count()).sum())
        .collect();
    let blank = Key {
        order: 0,
        hash: 0,
        write: 0,
        index: Index::Upn,
    };
    let mut keys = vec![blank; counts.iter().sum()];
    let mut rest = keys.as_mut_slice();
    let mut outs = Vec::with_capacity(chunks);
    for &count in &counts {
        let (out, tail) = rest.split_at_mut(count);
        outs.push(out);
        rest = tail;
    }
    outs.into_par_iter().enumerate().for_each(|(c, out)| {
        let mut j = 0;
        for k in range(c) {
            for key in keys_of(k, &write(k)) {
                out[j] = key;
                j += 1;
            }
        }
        assert_eq!(j, out.len(), "chunk {c}'s keys were counted as many");
    });
    keys
}

/// Where an anchor lives, to tell the planned write from another (checked in debug builds).
#[cfg(debug_assertions)]
fn address(anchor: &ImmutableId) -> usize {
    std::ptr::from_ref(anchor).addr()
}

/// The index keys of write `k`: its anchor, its UPN, its SMTP addresses. A write that holds a
/// key twice (two spellings of one address) meets itself, so both copies are kept and the
/// neighbour check marks it.
fn keys_of(k: usize, w: &PlannedWrite<'_>) -> impl Iterator<Item = Key> {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "an export run holds at most a few million writes, far below u32::MAX"
    )]
    let write = k as u32;
    let key = move |index, hash| Key {
        order: 0,
        hash,
        write,
        index,
    };
    let anchor = key(Index::Anchor, super::anchors::hash(w.anchor));
    let upn = (w.image.attrs.user_principal_name()).map(|u| key(Index::Upn, fold_hash(u)));
    let smtp = smtp_addresses(&w.image.attrs).map(move |a| key(Index::Smtp, fold_hash(a)));
    std::iter::once(anchor).chain(upn).chain(smtp)
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
