//! From LDIF records to the directory model: users, groups, contacts, OUs and domains, with
//! everything the model does not hold counted in `SkipCounts` instead of silently dropped.
//!
//! Classification by `objectClass`: `computer` is skipped (computers are users to AD, not to
//! this upgrade), then `user` → User (trust accounts like `CHILD1$` included), `group` →
//! Group, `contact` → Contact, `organizationalUnit` → OU, `domainDNS`/`domain` → Domain (the
//! `DomainDnsZones`/`ForestDnsZones` application partitions excepted). Anything else is
//! counted under its most specific (last written) class; entries without one under `(none)`.
//!
//! Domains also come from the `DC=` suffixes of the objects' DNs when the file has no record
//! for them; their NetBIOS name is `nETBIOSName` when a domain record carries it, else the
//! first DNS label upper-cased. The forest is the shortest domain DNS name (the first of
//! equal length). Objects without `objectGUID` get `names::guid_from_dn`. `whenChanged` maps
//! to ms since 1970 (`time.rs`). Attribute names are case-insensitive; options are ignored.
//! Values of attributes the model drops are not decoded, so they cannot fail the import.

use super::chunks;
use super::error::{LdifError, LdifErrorKind};
use super::merge::{Caseless, Failure, Item, Merge, Part, What};
use super::names;
use super::parents::ParentShapes;
use super::parse::{AttrLine, RawValue, Record, RecordKind, Records};
use super::survey::PartSurvey;
use super::text;
use super::time;
use super::values::{
    Attr, attr_of, bad_value, dn_value, extra_value, flags_u32, number, read_guid, second_value,
    set_once,
};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::{self, AttrId, Field, Storage};
use upgrade_lab_model::{
    Attributes, Directory, DirectoryObject, ExtraAttributes, Interner, ObjectGuid, ObjectKind,
    TextBuilder, Value, dn,
};

/// A directory read from LDIF, and what was in the file but not taken into it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LdifImport {
    /// The directory the file describes.
    pub directory: Directory,
    /// What the reader left out, counted by kind.
    pub skipped: SkipCounts,
    /// Records in the file (entries, change records and references; not `version:`).
    pub records_count: usize,
}

/// What the reader did not take into the model, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SkipCounts {
    /// Entries of classes the model does not hold, by most specific objectClass (`container`,
    /// `computer`, `crossRef`, `domainDNS (application partition)`, `(none)`…).
    pub entries_by_object_class: BTreeMap<String, usize>,
    /// `ref:` search-continuation records.
    pub references: usize,
    /// Change records other than `changetype: add`, by changetype (`modify`, `delete`…).
    pub changes_by_changetype: BTreeMap<String, usize>,
    /// Entries with an empty DN (the rootDSE).
    pub(crate) root_dse: usize,
    /// Values dropped from modelled entries (users, groups, contacts, OUs, domains) because
    /// the model has no place for them, by attribute name (case variants merged under the
    /// first spelling seen).
    pub attribute_values: BTreeMap<String, usize>,
}

impl SkipCounts {
    /// Records skipped whole: unmodelled entries, references, change records, rootDSE.
    pub fn records(&self) -> usize {
        self.entries_by_object_class.values().sum::<usize>()
            + self.references
            + self.changes_by_changetype.values().sum::<usize>()
            + self.root_dse
    }
}

/// How the reader builds the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Point every `member` and `manager` value at the `dn` of the object it names, so a DN
    /// is stored once however often it is referenced (a pass over all objects once the file
    /// is read). On by default: the simulator keeps the directory and its many copies. A
    /// caller that reads the directory once and drops it (`inspect`) can skip the pass; the
    /// directory is equal either way.
    pub share_dn_values: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            share_dn_values: true,
        }
    }
}

impl ReadOptions {
    /// The defaults, with `share_dn_values` set to `share`.
    #[must_use]
    pub fn sharing_dn_values(share: bool) -> Self {
        Self {
            share_dn_values: share,
        }
    }
}

/// Reads LDIF text into a directory. A large text is cut at record boundaries and its parts
/// read on all cores (`chunks`); the parts are then joined in file order (`merge`), so the
/// directory, the counts and the first error (in file order) are those of a reading from the
/// first line to the last.
pub fn read_directory(text: &str) -> Result<LdifImport, LdifError> {
    read_directory_with(text, ReadOptions::default())
}

/// `read_directory` with options.
pub fn read_directory_with(text: &str, options: ReadOptions) -> Result<LdifImport, LdifError> {
    read_in_parts(text, chunks::parts_for(text.len()), options)
}

/// `read_directory` with the text cut into at most `parts` parts.
pub(crate) fn read_in_parts(
    text: &str,
    parts: usize,
    options: ReadOptions,
) -> Result<LdifImport, LdifError> {
    let (merge, _) = merged(text, parts, false)?;
    Ok(merge.finish(options.share_dn_values))
}

/// The text cut into at most `parts` parts, read side by side and joined in file order. With
/// `survey`, each part's objects are summarized (`PartSurvey`, one per part, in order) and
/// dropped instead of kept in the directory.
pub(super) fn merged(
    text: &str,
    parts: usize,
    survey: bool,
) -> Result<(Merge<'_>, Vec<PartSurvey>), LdifError> {
    let pieces = chunks::split(text, parts);
    let read = |p: &chunks::Piece| read_piece(&text[p.range.clone()], p, survey);
    let read: Vec<Part<'_>> = if pieces.len() == 1 {
        vec![read(&pieces[0])]
    } else {
        pieces.par_iter().map(read).collect()
    };
    join(read, survey)
}

/// `merged` of bytes that should be UTF-8 text, each piece checked on the core that reads it.
/// When one is not UTF-8, the error is the one `text::utf8` gives for the whole text.
pub(super) fn merged_bytes(
    bytes: &[u8],
    parts: usize,
    survey: bool,
) -> Result<(Merge<'_>, Vec<PartSurvey>), LdifError> {
    merged_bytes_with(bytes, parts, survey, true)
}

/// `merged_bytes`; without `count_lines` the lines of the parts after the first are not
/// counted (`chunks::split_bytes_with`), so the lines an error names are wrong: for a caller
/// that reads again with them when it meets one (`survey_bytes`).
pub(super) fn merged_bytes_with(
    bytes: &[u8],
    parts: usize,
    survey: bool,
    count_lines: bool,
) -> Result<(Merge<'_>, Vec<PartSurvey>), LdifError> {
    let pieces = chunks::split_bytes_with(bytes, parts, count_lines);
    let read = |p: &chunks::Piece| {
        let body = std::str::from_utf8(&bytes[p.range.clone()]).ok()?;
        Some(read_piece(body, p, survey))
    };
    let read: Option<Vec<Part<'_>>> = if pieces.len() == 1 {
        read(&pieces[0]).map(|p| vec![p])
    } else {
        pieces.par_iter().map(read).collect()
    };
    match read {
        Some(read) => join(read, survey),
        // A piece is not UTF-8, so neither is the whole (the cuts are at ASCII bytes).
        None => merged(text::utf8(bytes)?, parts, survey),
    }
}

/// Joins the parts read, in file order (`merge`), taking their surveys out first.
pub(super) fn join(
    mut read: Vec<Part<'_>>,
    survey: bool,
) -> Result<(Merge<'_>, Vec<PartSurvey>), LdifError> {
    let surveys = read
        .iter_mut()
        .filter_map(|p| p.survey.take())
        .map(|s| *s)
        .collect();
    let items = read.iter().map(|p| p.items.len()).sum();
    let mut merge = Merge::new(items, if survey { 0 } else { items });
    if survey {
        merge.skip_checks_when_unique(&read);
    }
    for part in read {
        merge.part(part)?;
    }
    Ok((merge, surveys))
}

/// `body` is the piece's text.
pub(super) fn read_piece<'a>(body: &'a str, piece: &chunks::Piece, survey: bool) -> Part<'a> {
    read_piece_as(body, piece, survey, false)
}

/// `read_piece` of a surveyed piece whose users, groups and contacts leave only their keys
/// (DN hash and objectGUID, `Part::count_keys`), no item: for a reading that gives up when
/// two entries share a key (`windows`), since the merge's per-entry checks would not see them.
pub(super) fn read_piece_keys<'a>(body: &'a str, piece: &chunks::Piece) -> Part<'a> {
    read_piece_as(body, piece, true, true)
}

fn read_piece_as<'a>(
    body: &'a str,
    piece: &chunks::Piece,
    survey: bool,
    keys_only: bool,
) -> Part<'a> {
    let mut records = if piece.range.start == 0 {
        Records::new(body)
    } else {
        Records::continuing(body, piece.first_line)
    };
    let mut rec = Record::default();
    let mut reader = Reader::new(if keys_only { 0 } else { body.len() });
    reader.keys_only = keys_only;
    if survey {
        reader.part.survey = Some(Box::new(PartSurvey::for_text(body.len())));
    }
    loop {
        match records.next_into(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                reader.part.failure = Some(Failure { dn: None, error });
                break;
            }
        }
        reader.part.records_count += 1;
        let skipped = &mut reader.part.skipped;
        let done = match rec.kind {
            RecordKind::Reference => {
                skipped.references += 1;
                Ok(())
            }
            RecordKind::Change(c) => {
                count(&mut skipped.changes_by_changetype, c.as_str());
                Ok(())
            }
            RecordKind::Entry => reader.entry(&rec),
        };
        if let Err(failure) = done {
            reader.part.failure = Some(*failure);
            break;
        }
    }
    if let Some(survey) = reader.part.survey.as_deref_mut() {
        survey.sort_hashes();
    }
    if survey && reader.part.failure.is_none() {
        reader.part.sort_keys();
    }
    reader.part
}

/// Reads an LDIF file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with its BOM (`ldifde -u`).
pub fn read_directory_bytes(bytes: &[u8]) -> Result<LdifImport, LdifError> {
    read_directory_bytes_with(bytes, ReadOptions::default())
}

/// `read_directory_bytes` with options.
pub fn read_directory_bytes_with(
    bytes: &[u8],
    options: ReadOptions,
) -> Result<LdifImport, LdifError> {
    match text::utf8_bytes(bytes) {
        Some(utf8) => {
            let (merge, _) = merged_bytes(utf8, chunks::parts_for(utf8.len()), false)?;
            Ok(merge.finish(options.share_dn_values))
        }
        None => read_directory_with(&text::decode(bytes)?, options),
    }
}

fn count(map: &mut BTreeMap<String, usize>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

/// What an entry's objectClass values make of it.
enum Class<'r> {
    Modelled(Modelled),
    Skip(Cow<'r, str>),
}

/// The entries the model holds.
#[derive(Clone, Copy)]
enum Modelled {
    Object(ObjectKind),
    OrganizationalUnit,
    Domain,
}

/// Attribute values of one object being read; the vectors keep their capacity across entries.
#[derive(Default)]
struct Buffers {
    /// The object's texts as read (single-valued ones once each, `seen` says which).
    texts: TextBuilder,
    seen: Vec<Field>,
    members: Vec<Value>,
    /// `manager`, interned as `member` values are.
    manager: Option<Value>,
    /// Whether the object has a `manager` value (also when the part is surveyed).
    has_manager: bool,
    /// The extras' rows, with their values (without them when the part is surveyed).
    extras: Vec<(AttrId, Option<Value>)>,
    /// `member` values checked but not kept (when the part is surveyed).
    member_count: usize,
    scratch: Vec<u8>,
}

/// Reads the records of one part of the file into a `Part`.
struct Reader<'a> {
    part: Part<'a>,
    interner: Interner,
    /// `member` values apart from the rest: many more distinct values, which would crowd the
    /// small table of shared values out of the cache.
    dn_interner: Interner,
    seen_suffixes: FxHashSet<Box<str>>,
    last_suffix: Box<str>,
    /// The last `DC=` suffix `note_domain_of` was given (before application partitions are
    /// looked through).
    last_noted_suffix: Box<str>,
    parent_shapes: ParentShapes,
    buffers: Buffers,
    /// Surveyed objects leave only their keys, no item (`read_piece_keys`).
    keys_only: bool,
}

impl<'a> Reader<'a> {
    fn new(text_len: usize) -> Self {
        let entries_guess = text_len / 512;
        Self {
            part: Part {
                items: Vec::with_capacity(entries_guess),
                ..Part::default()
            },
            interner: Interner::with_capacity(entries_guess / 8),
            dn_interner: Interner::with_capacity(entries_guess),
            seen_suffixes: FxHashSet::default(),
            last_suffix: Box::from(""),
            last_noted_suffix: Box::from(""),
            parent_shapes: ParentShapes::default(),
            buffers: Buffers::default(),
            keys_only: false,
        }
    }

    /// Reads an entry into an item of the part. The error of a modelled entry found after
    /// its DN was taken carries that DN: in a reading from the start, a duplicate DN would
    /// have been reported first.
    fn entry(&mut self, rec: &Record<'a>) -> Result<(), Box<Failure>> {
        let dn_text = names::strip_extended_dn(&rec.dn);
        if dn_text.trim().is_empty() {
            self.part.skipped.root_dse += 1;
            return Ok(());
        }
        let class = match classify(rec, dn_text, &mut self.buffers.scratch)? {
            Class::Modelled(class) => class,
            Class::Skip(name) => {
                count(&mut self.part.skipped.entries_by_object_class, &name);
                return Ok(());
            }
        };
        // One walk (of the first RDN, the parent remembered): well formed, named `DC=`, and
        // where its domain part starts.
        let Some(shape) = self.parent_shapes.shape(dn_text) else {
            let kind = LdifErrorKind::DnNotWellFormed(rec.dn.to_string());
            return Err(LdifError::at(rec.line, kind).into());
        };
        if !matches!(class, Modelled::Domain) && shape.first_is_dc {
            let kind = LdifErrorKind::DcNamedEntry(rec.dn.to_string());
            return Err(LdifError::at(rec.line, kind).into());
        }
        // Not interned: an entry's DN is unique. `member` and `manager` values are pointed at
        // this allocation when the file is read (`merge::share_dn_values`).
        let dn: Value = Arc::from(dn_text);
        let suffix = shape.dc_start.map(|s| &dn_text[s..]);
        match self.modelled(rec, class, &dn, suffix) {
            Ok(what) => {
                let line = rec.line;
                let dn = Caseless::new(dn);
                match what {
                    What::Counted(guid) if self.keys_only => self.part.count_keys(&dn, guid),
                    what => self.part.items.push(Item { line, dn, what }),
                }
                Ok(())
            }
            Err(error) => Err(Box::new(Failure {
                dn: Some((dn, rec.line)),
                error,
            })),
        }
    }

    fn modelled(
        &mut self,
        rec: &Record<'a>,
        class: Modelled,
        dn: &Value,
        suffix: Option<&str>,
    ) -> Result<What, LdifError> {
        Ok(match class {
            Modelled::Object(kind) => {
                self.note_domain_of(dn, suffix, rec.line)?;
                let mut meta = Meta::default();
                let a = self.attributes(rec, &mut meta)?;
                let guid = meta.guid.unwrap_or_else(|| names::guid_from_dn(dn));
                match self.part.survey.as_deref_mut() {
                    Some(survey) => {
                        let members = std::mem::take(&mut self.buffers.member_count);
                        survey.note(kind, dn, &a, members);
                        What::Counted(guid)
                    }
                    None => What::Object(DirectoryObject {
                        guid,
                        kind,
                        dn: dn.clone(),
                        attrs: Arc::new(a),
                        usn_changed: meta.usn.unwrap_or(0),
                        when_changed_ms: meta.when.unwrap_or(0),
                    }),
                }
            }
            Modelled::OrganizationalUnit => {
                self.note_domain_of(dn, suffix, rec.line)?;
                What::OrganizationalUnit(self.ou_guid(rec)?)
            }
            Modelled::Domain => self.domain(rec, dn)?,
        })
    }

    /// Notes the domain an entry lies in. Below a DNS application partition
    /// (`DC=DomainDnsZones,DC=contoso,DC=com`) that is the domain holding the partition.
    /// `suffix` is the DN from its first `DC=` RDN on (`dn::shape`).
    fn note_domain_of(
        &mut self,
        dn_text: &str,
        suffix: Option<&str>,
        line: usize,
    ) -> Result<(), LdifError> {
        let Some(suffix) = suffix else {
            return Ok(());
        };
        // Neighbouring entries nearly always share their suffix, which was noted already: the
        // same suffix always comes to the same domain (and an error ends the part).
        if *self.last_noted_suffix == *suffix {
            return Ok(());
        }
        self.note_domain_suffix(dn_text, suffix, line)?;
        self.last_noted_suffix = suffix.into();
        Ok(())
    }

    /// `note_domain_of` an entry whose DN has the `DC=` suffix `suffix`.
    fn note_domain_suffix(
        &mut self,
        dn_text: &str,
        mut suffix: &str,
        line: usize,
    ) -> Result<(), LdifError> {
        if is_application_partition(suffix) {
            match names::dc_suffix(names::parent(suffix)) {
                Some(rest) => suffix = rest,
                None => return Ok(()),
            }
        }
        // Neighbouring entries nearly always share their domain: compare before hashing.
        if *self.last_suffix == *suffix || self.seen_suffixes.contains(suffix) {
            return Ok(());
        }
        self.last_suffix = suffix.into();
        self.seen_suffixes.insert(suffix.into());
        let name = dn::domain_of(suffix);
        check_dns_name(&name, line, dn_text)?;
        if !name.is_empty() && !self.part.derived_domains.contains(&name) {
            self.part.derived_domains.push(name);
        }
        Ok(())
    }

    fn drop_value(&mut self, attr: &AttrLine<'a>) {
        let dropped = &mut self.part.dropped;
        let order = dropped.len();
        match dropped.get_mut(attr.name.as_ref()) {
            Some((_, n)) => *n += 1,
            None => {
                dropped.insert(attr.name.clone(), (order, 1));
            }
        }
    }

    /// A domain record: its DNS name and NetBIOS name (joined with the others by `merge`).
    fn domain(&mut self, rec: &Record<'a>, dn_value: &Value) -> Result<What, LdifError> {
        let dns_name = dn::domain_of(dn_value);
        check_dns_name(&dns_name, rec.line, dn_value)?;
        let mut netbios = None;
        for attr in rec.attrs() {
            if attr.name.eq_ignore_ascii_case("nETBIOSName") {
                let text = attr.text(&mut self.buffers.scratch)?;
                set_once(&mut netbios, self.interner.intern(text.trim()), attr)?;
            } else if !is_structural(&attr.name) {
                self.drop_value(attr);
            }
        }
        Ok(What::Domain { dns_name, netbios })
    }

    fn ou_guid(&mut self, rec: &Record<'a>) -> Result<ObjectGuid, LdifError> {
        let mut guid = None;
        for attr in rec.attrs() {
            if attr.name.eq_ignore_ascii_case("objectGUID") {
                if guid.is_some() {
                    return Err(second_value(attr));
                }
                guid = Some(read_guid(attr, &mut self.buffers.scratch)?);
            } else if !is_structural(&attr.name) && !attr.name.eq_ignore_ascii_case("ou") {
                self.drop_value(attr);
            }
        }
        Ok(guid.unwrap_or_else(|| names::guid_from_dn(names::strip_extended_dn(&rec.dn))))
    }

    /// Reads an object's attributes, every value checked as the model holds it. For a
    /// surveyed part the attributes hold only what the survey reads (`kept_by_survey`, the
    /// flags): `member`, `manager` and the extras are checked, counted where the survey counts
    /// them, and not kept.
    fn attributes(&mut self, rec: &Record<'a>, meta: &mut Meta) -> Result<Attributes, LdifError> {
        let mut a = Attributes::default();
        for attr in rec.attrs() {
            let which = attr_of(&attr.name);
            if !self.text_attr(attr, which)?
                && !flag_attr(attr, which, &mut a, &mut self.buffers.scratch)?
            {
                self.other_attr(attr, which, &mut a, meta)?;
            }
        }
        let b = &mut self.buffers;
        if self.part.survey.is_some() {
            b.extras.clear();
        } else if !b.extras.is_empty() {
            let extras = b.extras.drain(..).filter_map(|(id, v)| Some((id, v?)));
            a.extra = Some(Box::new(ExtraAttributes::new(extras.collect())));
        }
        a.member = b.members.drain(..).collect();
        a.set_manager(b.manager.take());
        b.has_manager = false;
        b.seen.clear();
        a.set_texts(&mut b.texts);
        Ok(a)
    }

    /// Reads a single-valued text or DN attribute, or one value of proxyAddresses or member,
    /// into the object's text builder (members into `a`'s list); false when `which` is none of
    /// those.
    fn text_attr(&mut self, attr: &AttrLine<'a>, which: Attr) -> Result<bool, LdifError> {
        let b = &mut self.buffers;
        let field = match which {
            Attr::Cn => Field::Cn,
            Attr::SamAccountName => Field::SamAccountName,
            Attr::UserPrincipalName => Field::UserPrincipalName,
            Attr::Mail => Field::Mail,
            Attr::DisplayName => Field::DisplayName,
            Attr::GivenName => Field::GivenName,
            Attr::Sn => Field::Sn,
            Attr::Department => Field::Department,
            Attr::Title => Field::Title,
            Attr::City => Field::City,
            Attr::Manager => {
                if b.has_manager {
                    return Err(second_value(attr));
                }
                b.has_manager = true;
                if self.part.survey.is_some() {
                    attr.text(&mut b.scratch)?;
                } else {
                    b.manager = Some(dn_value(attr, &mut b.scratch, &mut self.dn_interner)?);
                }
                return Ok(true);
            }
            Attr::TelephoneNumber => Field::TelephoneNumber,
            Attr::Description if b.seen.contains(&Field::Description) => {
                self.drop_value(attr);
                return Ok(true);
            }
            Attr::Description => Field::Description,
            Attr::ProxyAddresses => Field::ProxyAddresses,
            Attr::Member if self.part.survey.is_some() => {
                // Checked as a kept value is; only the number of values is surveyed.
                attr.text(&mut b.scratch)?;
                b.member_count += 1;
                return Ok(true);
            }
            Attr::Member => {
                let v = dn_value(attr, &mut b.scratch, &mut self.dn_interner)?;
                b.members.push(v);
                return Ok(true);
            }
            _ => return Ok(false),
        };
        let text = attr.text(&mut b.scratch)?;
        if field != Field::ProxyAddresses {
            if b.seen.contains(&field) {
                return Err(second_value(attr));
            }
            b.seen.push(field);
        }
        if self.part.survey.is_none() || kept_by_survey(field) {
            b.texts.set(field, text);
        }
        Ok(true)
    }

    /// Reads the identity, flag, number and time attributes, the extension attributes and
    /// the modelled extras; drops (and counts) what the model does not hold.
    fn other_attr(
        &mut self,
        attr: &AttrLine<'a>,
        which: Attr,
        a: &mut Attributes,
        meta: &mut Meta,
    ) -> Result<(), LdifError> {
        let b = &mut self.buffers;
        let i = &mut self.interner;
        match which {
            Attr::ObjectGuid => {
                if meta.guid.is_some() {
                    return Err(second_value(attr));
                }
                meta.guid = Some(read_guid(attr, &mut b.scratch)?);
            }
            Attr::ConsistencyGuid => {
                if a.consistency_guid().is_some() {
                    return Err(second_value(attr));
                }
                a.set_consistency_guid(Some(read_guid(attr, &mut b.scratch)?));
            }
            Attr::UsnChanged => {
                let n = attr.text(&mut b.scratch)?.trim().parse::<u64>();
                let n =
                    n.map_err(|_| bad_value(attr, "a whole number (an update sequence number)"))?;
                set_once(&mut meta.usn, n, attr)?;
            }
            Attr::WhenChanged => {
                let t = attr.text(&mut b.scratch)?;
                let ms = time::parse_generalized(t).map_err(|why| bad_value(attr, why))?;
                set_once(&mut meta.when, ms, attr)?;
            }
            Attr::Extension(n) => {
                if b.seen.contains(&Field::Extension(n)) {
                    return Err(second_value(attr));
                }
                b.seen.push(Field::Extension(n));
                let v = attr.text(&mut b.scratch)?;
                if self.part.survey.is_none() {
                    b.texts.set(Field::Extension(n), v);
                }
            }
            Attr::Other => match attribute_flow::by_ad_name(&attr.name)
                .filter(|id| id.flow().storage == Storage::Extra)
            {
                Some(id) => {
                    if !id.flow().multi_valued && b.extras.iter().any(|(r, _)| *r == id) {
                        return Err(second_value(attr));
                    }
                    let v = if self.part.survey.is_some() {
                        // Checked as `extra_value` checks it: only base64 can fail.
                        if let RawValue::Base64(_) = attr.value {
                            attr.bytes(&mut b.scratch)?;
                        }
                        None
                    } else {
                        Some(extra_value(attr, &mut b.scratch, i)?)
                    };
                    b.extras.push((id, v));
                }
                None => self.drop_value(attr),
            },
            _ => {}
        }
        Ok(())
    }
}

/// Reads userAccountControl, groupType and isCriticalSystemObject into `a`; false when
/// `which` is none of those.
fn flag_attr(
    attr: &AttrLine<'_>,
    which: Attr,
    a: &mut Attributes,
    scratch: &mut Vec<u8>,
) -> Result<bool, LdifError> {
    match which {
        Attr::UserAccountControl => {
            let n = number(
                attr,
                scratch,
                "a whole number (the userAccountControl flags)",
            )?;
            let v = flags_u32(n).ok_or_else(|| bad_value(attr, "a 32-bit flag value"))?;
            let mut uac = a.user_account_control();
            set_once(&mut uac, v, attr)?;
            a.set_user_account_control(uac);
        }
        Attr::GroupType => {
            let n = number(attr, scratch, "a whole number (the groupType flags)")?;
            let v = flags_u32(n).ok_or_else(|| bad_value(attr, "a 32-bit flag value"))?;
            let mut group_type = a.group_type();
            set_once(&mut group_type, v.cast_signed(), attr)?;
            a.set_group_type(group_type);
        }
        Attr::IsCriticalSystemObject => {
            let t = attr.text(scratch)?.trim();
            a.set_critical_system_object(if t.eq_ignore_ascii_case("TRUE") {
                true
            } else if t.eq_ignore_ascii_case("FALSE") {
                false
            } else {
                return Err(bad_value(attr, "TRUE or FALSE"));
            });
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The texts a surveyed part keeps of an object: what `PartSurvey::note` reads (the default
/// scope rules read `sAMAccountName`, `mail` and the primary SMTP address; the defect checks
/// the UPN and the proxy addresses). The other values are checked and dropped.
fn kept_by_survey(field: Field) -> bool {
    matches!(
        field,
        Field::SamAccountName | Field::Mail | Field::UserPrincipalName | Field::ProxyAddresses
    )
}

/// What a record says about its object beside the attributes: objectGUID, uSNChanged and
/// whenChanged (milliseconds since 1601), each at most once.
#[derive(Default)]
struct Meta {
    guid: Option<ObjectGuid>,
    usn: Option<u64>,
    when: Option<u64>,
}

/// Attributes that describe the record itself, neither modelled nor worth counting as dropped.
fn is_structural(name: &str) -> bool {
    name.eq_ignore_ascii_case("objectClass") || name.eq_ignore_ascii_case("distinguishedName")
}

fn classify<'r>(
    rec: &'r Record<'_>,
    dn_text: &str,
    scratch: &mut Vec<u8>,
) -> Result<Class<'r>, LdifError> {
    let (mut user, mut computer, mut group, mut contact, mut ou, mut domain) =
        (false, false, false, false, false, false);
    let mut last: Option<&'r AttrLine<'_>> = None;
    for attr in rec
        .attrs()
        .iter()
        .filter(|a| a.name.eq_ignore_ascii_case("objectClass"))
    {
        let c = attr.text(scratch)?.trim();
        let is = |name: &str| c.eq_ignore_ascii_case(name);
        user |= is("user");
        computer |= is("computer");
        group |= is("group");
        contact |= is("contact");
        ou |= is("organizationalUnit");
        domain |= is("domainDNS") || is("domain");
        last = Some(attr);
    }
    Ok(if computer {
        Class::Skip(Cow::Borrowed("computer"))
    } else if user {
        Class::Modelled(Modelled::Object(ObjectKind::User))
    } else if group {
        Class::Modelled(Modelled::Object(ObjectKind::Group))
    } else if contact {
        Class::Modelled(Modelled::Object(ObjectKind::Contact))
    } else if ou {
        Class::Modelled(Modelled::OrganizationalUnit)
    } else if domain && is_application_partition(dn_text) {
        Class::Skip(Cow::Borrowed("domainDNS (application partition)"))
    } else if domain {
        Class::Modelled(Modelled::Domain)
    } else {
        match last {
            None => Class::Skip(Cow::Borrowed("(none)")),
            Some(attr) => match &attr.value {
                RawValue::Text(t) => Class::Skip(Cow::Borrowed(t.trim())),
                RawValue::Base64(_) => Class::Skip(Cow::Owned(attr.text(scratch)?.trim().into())),
            },
        }
    })
}

/// The DNS name a DN's `DC=` components spell must have no empty label and no white space or
/// control character (`DC=c ,DC=com` does not name a domain), so it writes back as the same
/// name.
fn check_dns_name(name: &str, line: usize, dn_text: &str) -> Result<(), LdifError> {
    let label_ok =
        |l: &str| !l.is_empty() && !l.chars().any(|c| c.is_whitespace() || c.is_control());
    if name.is_empty() || name.split('.').all(label_ok) {
        return Ok(());
    }
    Err(LdifError::at(
        line,
        LdifErrorKind::NotADnsName {
            dn: dn_text.to_string(),
            name: name.to_string(),
        },
    ))
}

/// `DC=DomainDnsZones,…` and `DC=ForestDnsZones,…` are DNS application partitions whose heads
/// are `domainDNS` objects, not domains. The first label of the DNS name the `DC=` components
/// spell (`dn::domain_of`) decides, as it does when the name is written back as
/// `DC=domaindnszones,…`: so no domain is read that would read back as a partition.
/// Checked per entry, so it reads the first `DC=` value in place unless it is escaped or quoted.
fn is_application_partition(dn_text: &str) -> bool {
    let Some(rdn) = dn::rdn_iter(dn_text).find(|r| dn::rdn_type_is(r, "DC")) else {
        return false;
    };
    let value = rdn.split_once('=').map_or("", |(_, v)| v);
    let unescaped;
    let value = if value.contains(['\\', '"']) {
        unescaped = dn::unescape(value);
        unescaped.as_str()
    } else {
        value.trim()
    };
    let first = value.split('.').next().unwrap_or("");
    first.eq_ignore_ascii_case("domaindnszones") || first.eq_ignore_ascii_case("forestdnszones")
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
