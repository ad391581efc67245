//! Joining the parts of a file read side by side (`chunks`) into one directory, in file order:
//! what needs the whole file is decided here, the rest was decided per part. Here: duplicate
//! DNs and objectGUIDs, one domain per DNS name (the first record wins), the domains named
//! only by `DC=` suffixes, the dropped-attribute counts under the first spelling seen, and
//! `member`/`manager` values pointed at the DN of the object they name.
//!
//! A part stops at its first error. The error wins if nothing the merge checks fails before
//! it in file order, so the error reported is the one a reading from the first line meets
//! first.

use super::error::{LdifError, LdifErrorKind};
use super::names;
use super::read::{LdifImport, SkipCounts};
use super::repeats::repeated;
use super::survey::PartSurvey;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use upgrade_lab_model::{
    Directory, DirectoryObject, Domain, ObjectGuid, OrganizationalUnit, Value,
};

/// What one part of the file holds, in file order.
#[derive(Default)]
pub(super) struct Part<'a> {
    pub(crate) items: Vec<Item>,
    pub(crate) skipped: SkipCounts,
    pub(crate) records_count: usize,
    /// Dropped attribute values: name as written → (first seen in the part, count).
    pub(crate) dropped: FxHashMap<Cow<'a, str>, (usize, usize)>,
    /// Domains named by `DC=` suffixes of the part's entries, in order of first appearance.
    pub(crate) derived_domains: Vec<String>,
    /// The part's first error; no record after it was read.
    pub(crate) failure: Option<Failure>,
    /// The summary of the part's objects, when they are surveyed instead of kept.
    pub(crate) survey: Option<Box<PartSurvey>>,
    /// The DN hashes and objectGUIDs of the part's entries, sorted (`sort_keys`, where the
    /// part is read): the merge looks for repeats among them on all cores.
    pub(crate) keys: Option<Box<SortedKeys>>,
}

/// The keys of a part's entries that must be unique in the file, each list sorted.
#[derive(Default)]
pub(super) struct SortedKeys {
    /// The `Caseless` hash of each entry's DN.
    dns: Vec<u64>,
    /// The objectGUID of each user, group and contact, as a number.
    guids: Vec<u128>,
}

impl Part<'_> {
    /// The part with the dropped attributes' names copied: it no longer borrows the text.
    pub(crate) fn into_owned(self) -> Part<'static> {
        let dropped = self.dropped.into_iter();
        Part {
            items: self.items,
            skipped: self.skipped,
            records_count: self.records_count,
            dropped: dropped
                .map(|(name, n)| (Cow::Owned(name.into_owned()), n))
                .collect(),
            derived_domains: self.derived_domains,
            failure: self.failure,
            survey: self.survey,
            keys: self.keys,
        }
    }

    /// Sorts the keys that must be unique (`keys`): those of the items and those counted
    /// without one (`count_keys`).
    pub(crate) fn sort_keys(&mut self) {
        let keys = self.keys.get_or_insert_with(Box::default);
        keys.dns.extend(self.items.iter().map(|i| i.dn.hash));
        let guids = self.items.iter().filter_map(Item::object_guid);
        keys.guids.extend(guids.map(guid_key));
        keys.dns.sort_unstable();
        keys.guids.sort_unstable();
    }

    /// Notes the keys of an object that leaves no item: its DN and objectGUID.
    pub(crate) fn count_keys(&mut self, dn: &Caseless, guid: ObjectGuid) {
        let keys = self.keys.get_or_insert_with(Box::default);
        keys.dns.push(dn.hash);
        keys.guids.push(guid_key(guid));
    }
}

/// An objectGUID as a number (the bytes as Windows stores them, little-endian).
fn guid_key(guid: ObjectGuid) -> u128 {
    u128::from_le_bytes(guid.to_windows_bytes())
}

/// A modelled entry and the line of its record.
pub(super) struct Item {
    pub(crate) line: usize,
    pub(crate) dn: Caseless,
    pub(crate) what: What,
}

impl Item {
    /// The objectGUID of a user, group or contact (AD holds one object per objectGUID).
    fn object_guid(&self) -> Option<ObjectGuid> {
        match &self.what {
            What::Object(o) => Some(o.guid),
            What::Counted(guid) => Some(*guid),
            What::OrganizationalUnit(_) | What::Domain { .. } => None,
        }
    }
}

pub(super) enum What {
    Object(DirectoryObject),
    /// An object summarized by the part's survey: only its objectGUID is left to check.
    Counted(ObjectGuid),
    OrganizationalUnit(ObjectGuid),
    Domain {
        dns_name: String,
        netbios: Option<Value>,
    },
}

/// The first error of a part. `dn` is the DN (and line) of the record it was found in when
/// that record's DN had already been taken: a duplicate DN there is reported before it.
pub(super) struct Failure {
    pub(crate) dn: Option<(Value, usize)>,
    pub(crate) error: LdifError,
}

impl From<LdifError> for Box<Failure> {
    fn from(error: LdifError) -> Self {
        Box::new(Failure { dn: None, error })
    }
}

/// A DN compared as AD compares names: ASCII case ignored. It carries the hash of its
/// lower-case form, computed where the DN is read (on all cores): the merge's maps only mix
/// that number.
#[derive(Clone)]
pub(super) struct Caseless {
    pub(crate) dn: Value,
    hash: u64,
}

impl Caseless {
    pub(crate) fn new(dn: Value) -> Self {
        let mut state = FxHasher::default();
        let mut buf = [0u8; 64];
        for chunk in dn.as_bytes().chunks(64) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            state.write(lower);
        }
        let hash = state.finish();
        Self { dn, hash }
    }
}

impl PartialEq for Caseless {
    fn eq(&self, other: &Self) -> bool {
        // Most DNs that meet are spelled alike: the byte comparison is the quick way to yes.
        self.hash == other.hash && (self.dn == other.dn || self.dn.eq_ignore_ascii_case(&other.dn))
    }
}
impl Eq for Caseless {}
impl Hash for Caseless {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

pub(super) struct Merge<'a> {
    directory: Directory,
    skipped: SkipCounts,
    records_count: usize,
    /// DNs of modelled entries and the line of their record.
    dns: FxHashMap<Caseless, usize>,
    /// objectGUIDs of the objects read: the line and DN of their record.
    guids: FxHashMap<ObjectGuid, (usize, Value)>,
    /// Dropped attribute values: name as written → (first seen, count).
    dropped: FxHashMap<Cow<'a, str>, (usize, usize)>,
    derived_domains: Vec<String>,
    /// The number of objects after each part: a part's `member` and `manager` values share
    /// the part's interned allocations.
    part_ends: Vec<usize>,
    /// No two entries share a DN or objectGUID (`skip_checks_when_unique`): `dns` and
    /// `guids` stay empty.
    unique: bool,
}

impl<'a> Merge<'a> {
    /// A merge of `items` modelled entries, `objects` of them kept as objects.
    pub(crate) fn new(items: usize, objects: usize) -> Self {
        Self {
            directory: Directory {
                objects: Vec::with_capacity(objects),
                ..Directory::default()
            },
            skipped: SkipCounts::default(),
            records_count: 0,
            dns: FxHashMap::with_capacity_and_hasher(items, rustc_hash::FxBuildHasher),
            guids: FxHashMap::with_capacity_and_hasher(items, rustc_hash::FxBuildHasher),
            dropped: FxHashMap::default(),
            derived_domains: Vec::new(),
            part_ends: Vec::new(),
            unique: false,
        }
    }

    /// Skips the per-entry DN and objectGUID checks when none can fail: no part failed and
    /// no two entries share a DN hash or an objectGUID (found among the parts' sorted keys on
    /// all cores, `repeats`). Otherwise (a duplicate, a hash collision, an error, a part
    /// without sorted keys) the checks run entry by entry and report what they report. For a
    /// merge finished without sharing DN values (`finish`), which needs the DN map.
    pub(crate) fn skip_checks_when_unique(&mut self, parts: &[Part<'_>]) {
        if parts.iter().any(|p| p.failure.is_some()) {
            return;
        }
        let Some(keys) = parts
            .iter()
            .map(|p| p.keys.as_deref())
            .collect::<Option<Vec<&SortedKeys>>>()
        else {
            return;
        };
        let dns: Vec<&[u64]> = keys.iter().map(|k| k.dns.as_slice()).collect();
        let guids: Vec<&[u128]> = keys.iter().map(|k| k.guids.as_slice()).collect();
        let (dns_unique, guids_unique) =
            rayon::join(|| repeated(&dns).is_empty(), || repeated(&guids).is_empty());
        self.unique = dns_unique && guids_unique;
    }

    /// Whether the per-entry DN and objectGUID checks were skipped because no key repeats
    /// (`skip_checks_when_unique`).
    pub(crate) fn keys_unique(&self) -> bool {
        self.unique
    }

    /// Adds the next part; its error (or one found joining it) ends the reading.
    pub(crate) fn part(&mut self, part: Part<'a>) -> Result<(), LdifError> {
        for item in part.items {
            self.item(item)?;
        }
        if let Some(failure) = part.failure {
            if let Some((dn, line)) = failure.dn {
                self.claim_dn(&Caseless::new(dn), line)?;
            }
            return Err(failure.error);
        }
        self.part_ends.push(self.directory.objects.len());
        self.records_count += part.records_count;
        let (s, p) = (&mut self.skipped, part.skipped);
        add_counts(&mut s.entries_by_object_class, p.entries_by_object_class);
        add_counts(&mut s.changes_by_changetype, p.changes_by_changetype);
        s.references += p.references;
        s.root_dse += p.root_dse;
        let mut dropped: Vec<_> = part.dropped.into_iter().collect();
        dropped.sort_by_key(|(_, (order, _))| *order);
        for (name, (_, n)) in dropped {
            let order = self.dropped.len();
            self.dropped.entry(name).or_insert((order, 0)).1 += n;
        }
        for name in part.derived_domains {
            if !self.derived_domains.contains(&name) {
                self.derived_domains.push(name);
            }
        }
        Ok(())
    }

    fn item(&mut self, item: Item) -> Result<(), LdifError> {
        if !self.unique {
            self.claim_dn(&item.dn, item.line)?;
        }
        match item.what {
            What::Object(object) => {
                if !self.unique {
                    self.unique_guid(item.line, object.guid, &object.dn)?;
                }
                self.directory.objects.push(object);
            }
            What::Counted(_) if self.unique => {}
            What::Counted(guid) => self.unique_guid(item.line, guid, &item.dn.dn)?,
            What::OrganizationalUnit(guid) => {
                let dn = item.dn.dn;
                self.directory
                    .organizational_units
                    .push(OrganizationalUnit { guid, dn });
            }
            What::Domain { dns_name, netbios } => {
                let domains = &mut self.directory.domains;
                if domains.iter().all(|d| *d.dns_name != *dns_name) {
                    let netbios_name =
                        netbios.unwrap_or_else(|| Arc::from(names::default_netbios(&dns_name)));
                    domains.push(Domain {
                        dns_name: Arc::from(dns_name),
                        netbios_name,
                    });
                }
            }
        }
        Ok(())
    }

    /// Takes `dn` for the record at `line`: an error when an earlier record has it.
    fn claim_dn(&mut self, dn: &Caseless, line: usize) -> Result<(), LdifError> {
        match self.dns.entry(dn.clone()) {
            Entry::Occupied(first) => Err(LdifError::at(
                line,
                LdifErrorKind::DuplicateDn {
                    dn: dn.dn.to_string(),
                    first_line: *first.get(),
                },
            )),
            Entry::Vacant(slot) => {
                slot.insert(line);
                Ok(())
            }
        }
    }

    /// AD holds one object per objectGUID: a second record with the same GUID is an error
    /// naming both, never a silent drop.
    fn unique_guid(&mut self, line: usize, guid: ObjectGuid, dn: &Value) -> Result<(), LdifError> {
        match self.guids.entry(guid) {
            Entry::Occupied(first) => {
                let (first_line, first_dn) = first.get();
                Err(LdifError::at(
                    line,
                    LdifErrorKind::DuplicateObjectGuid {
                        guid: guid.to_string(),
                        dn: dn.to_string(),
                        first_dn: first_dn.to_string(),
                        first_line: *first_line,
                    },
                ))
            }
            Entry::Vacant(slot) => {
                slot.insert((line, dn.clone()));
                Ok(())
            }
        }
    }

    /// The directory read; `share` points `member` and `manager` values at the DNs they name.
    pub(crate) fn finish(self, share: bool) -> LdifImport {
        let mut directory = self.directory;
        if share {
            share_dn_values(&mut directory.objects, &self.dns, &self.part_ends);
        }
        for name in self.derived_domains {
            if directory.domains.iter().all(|d| *d.dns_name != *name) {
                let netbios = names::default_netbios(&name);
                directory.domains.push(Domain {
                    dns_name: Arc::from(name),
                    netbios_name: Arc::from(netbios),
                });
            }
        }
        directory.forest = directory
            .domains
            .iter()
            .min_by_key(|d| d.dns_name.len())
            .map_or_else(|| Arc::from(""), |d| d.dns_name.clone());
        let mut skipped = self.skipped;
        let mut dropped: Vec<_> = self.dropped.into_iter().collect();
        dropped.sort_by_key(|(_, (order, _))| *order);
        let mut spelling: FxHashMap<String, String> = FxHashMap::default();
        for (name, (_, n)) in dropped {
            let key = spelling
                .entry(name.to_ascii_lowercase())
                .or_insert_with(|| name.to_string());
            *skipped.attribute_values.entry(key.clone()).or_default() += n;
        }
        LdifImport {
            directory,
            skipped,
            records_count: self.records_count,
        }
    }
}

fn add_counts(into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>) {
    for (key, n) in from {
        *into.entry(key).or_default() += n;
    }
}

/// Points every `member` and `manager` value at the `dn` of the object it names when the file
/// holds that object under the same text, so a DN is stored once however often it is
/// referenced. Runs once all entries are read, so forward references are shared too. The
/// parts of the file are visited on all cores (each changes only its own objects' values);
/// a part's values were interned by its reader, so each distinct allocation is looked up once
/// (by address afterwards).
fn share_dn_values(
    objects: &mut [DirectoryObject],
    dns: &FxHashMap<Caseless, usize>,
    part_ends: &[usize],
) {
    let mut parts = Vec::with_capacity(part_ends.len() + 1);
    let (mut rest, mut start) = (objects, 0);
    for &end in part_ends {
        let (part, tail) = rest.split_at_mut(end - start);
        parts.push(part);
        (rest, start) = (tail, end);
    }
    parts.push(rest);
    parts.into_par_iter().for_each(|part| {
        // Address of a value's text → the DN to point it at (`None`: keep it).
        let mut seen: FxHashMap<usize, Option<Value>> = FxHashMap::default();
        let mut share = |v: &mut Value| {
            let target = seen
                .entry(Arc::as_ptr(v).cast::<u8>().addr())
                .or_insert_with(|| {
                    dns.get_key_value(&Caseless::new(v.clone()))
                        .map(|(c, _)| &c.dn)
                        .filter(|t| !Arc::ptr_eq(t, v) && ***t == **v)
                        .cloned()
                });
            if let Some(t) = target {
                *v = t.clone();
            }
        };
        for o in part.iter_mut() {
            if o.attrs.member.is_empty() && o.attrs.manager().is_none() {
                continue;
            }
            // Only this reader holds the attributes yet, so this does not clone them.
            let attrs = Arc::make_mut(&mut o.attrs);
            attrs.member.iter_mut().for_each(&mut share);
            if let Some(mut manager) = attrs.manager_value().cloned() {
                share(&mut manager);
                attrs.set_manager(Some(manager));
            }
        }
    });
}
