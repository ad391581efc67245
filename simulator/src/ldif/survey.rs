//! What `inspect` reports of an LDIF file, read without keeping the directory: each object's
//! values are checked exactly as `read_directory` checks them (same checks, same errors), but
//! the object is never built: only the texts the survey reads are kept (`read::kept_by_survey`)
//! and summarized on the core that read them (counts, the reason the default scope leaves the
//! object out, its UPN and proxy addresses for the defect scan), so the memory does not grow
//! by the size of the directory. The parts are joined in file order
//! as `read_directory` joins them (duplicate DNs and objectGUIDs, domains, forest), and the
//! summaries give what `Directory::counts`, `Scope::why_out` and `validate::find_defects`
//! give for the directory `read_directory` returns (`survey_tests.rs` holds both to that).
//! `member` values are checked as the full reading checks them but only counted.

use super::chunks;
use super::error::LdifError;
use super::merge::Merge;
use super::read::{SkipCounts, merged, merged_bytes, merged_bytes_with};
use super::repeats::repeated;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::ops::Range;
use upgrade_lab_model::validate::{
    DefectReport, Listed, ObjectFindings, Occurrence as Held, check_attributes, duplicates_among,
    folded_hash,
};
use upgrade_lab_model::{Attributes, DirectoryCounts, Domain, ObjectKind, Scope, Value, dn};

/// What an LDIF file holds, as `inspect` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LdifSurvey {
    /// The forest's DNS name (the shortest domain name; empty without domains).
    pub forest: Value,
    /// The domains, as `read_directory` lists them.
    pub domains: Vec<Domain>,
    /// `Directory::counts` of the directory the file describes.
    pub counts: DirectoryCounts,
    /// Objects the default scope rules (`Scope::everything`) leave out, by reason label.
    pub out_of_default_scope: BTreeMap<&'static str, usize>,
    /// `validate::find_defects` of the directory the file describes.
    pub defects: DefectReport,
    /// What the reader left out, counted by kind.
    pub skipped: SkipCounts,
}

/// Surveys LDIF text: what `read_directory` would read, counted and checked, or its error.
pub fn survey(text: &str) -> Result<LdifSurvey, LdifError> {
    survey_in_parts(text, chunks::parts_for(text.len()))
}

/// `survey` of a file's bytes: UTF-8 (a BOM is dropped) or UTF-16 with its BOM.
pub fn survey_bytes(bytes: &[u8]) -> Result<LdifSurvey, LdifError> {
    match super::text::utf8_bytes(bytes) {
        Some(utf8) => survey_utf8_in_parts(utf8, chunks::parts_for(utf8.len())),
        None => survey(&super::text::decode(bytes)?),
    }
}

/// `survey_bytes` of bytes that should be UTF-8 (no BOM), cut into at most `parts` parts, each
/// checked for UTF-8 on the core that reads it. Lines only name errors: the lines of the
/// parts are counted (a pass over the text) only when there is an error to report, by
/// reading the text again.
pub(crate) fn survey_utf8_in_parts(utf8: &[u8], parts: usize) -> Result<LdifSurvey, LdifError> {
    match merged_bytes_with(utf8, parts, true, false) {
        Ok(read) => Ok(summarize(read)),
        Err(_) => Ok(summarize(merged_bytes(utf8, parts, true)?)),
    }
}

/// `survey` with the text cut into at most `parts` parts.
pub(crate) fn survey_in_parts(text: &str, parts: usize) -> Result<LdifSurvey, LdifError> {
    Ok(summarize(merged(text, parts, true)?))
}

/// The survey of the parts joined.
pub(super) fn summarize((merge, surveys): (Merge<'_>, Vec<PartSurvey>)) -> LdifSurvey {
    let import = merge.finish(false);
    let directory = import.directory;
    let ((mut counts, out_of_default_scope), defects) =
        rayon::join(|| counts_and_scope(&surveys), || defects(&surveys));
    counts.organizational_units = directory.organizational_units.len();
    // Freeing the summaries (a DN and the values of every object) is left to another thread.
    rayon::spawn(move || drop(surveys));
    LdifSurvey {
        forest: directory.forest,
        domains: directory.domains,
        counts,
        out_of_default_scope,
        defects,
        skipped: import.skipped,
    }
}

/// One UPN or proxy address of a part: the hash of its lower-case form, the object holding
/// it (index among the part's objects), its place among that object's values, and where its
/// text lies in the part's `values`.
struct Occurrence {
    hash: u64,
    object: usize,
    position: usize,
    text: Range<usize>,
}

/// The summary of one part's objects, in file order.
#[derive(Default)]
pub(super) struct PartSurvey {
    scope: Scope,
    users: usize,
    disabled_users: usize,
    groups: usize,
    contacts: usize,
    /// Objects by domain name; runs of objects with the same `DC=` suffix are counted first.
    by_domain: FxHashMap<String, usize>,
    run: Option<(Value, Range<usize>, usize)>,
    by_depth: Vec<usize>,
    out_of_scope: BTreeMap<&'static str, usize>,
    findings: ObjectFindings,
    /// `dn::ou_depth_and_dc_suffix` by parent DN (the DN after its first RDN, which for an
    /// object is never `DC=`): the depth and the length of the suffix. A file names few OUs.
    by_parent: FxHashMap<Box<str>, (usize, usize)>,
    /// The DN of each object, in order.
    dns: Vec<Value>,
    /// The UPNs and proxy addresses, one after the other.
    values: String,
    upns: Vec<Occurrence>,
    proxies: Vec<Occurrence>,
    /// The hashes of `upns` and `proxies`, sorted (`sort_hashes`): the defect scan looks for
    /// repeats among them on all cores and sorts only the occurrences of those.
    upn_hashes: Vec<u64>,
    proxy_hashes: Vec<u64>,
}

impl PartSurvey {
    /// A survey of a part of `len` bytes, its lists sized for what such a part holds (in an
    /// export about one object per kilobyte, with a UPN, two proxy addresses and 120 bytes of
    /// them), so they do not grow by copying into fresh pages.
    pub(super) fn for_text(len: usize) -> Self {
        let objects = len / 768;
        Self {
            dns: Vec::with_capacity(objects),
            values: String::with_capacity(len / 6),
            upns: Vec::with_capacity(objects),
            proxies: Vec::with_capacity(objects * 3),
            ..Self::default()
        }
    }

    /// Notes an object of class `kind` named `dn` that holds `members` `member` values, as the
    /// passes over a directory
    /// would see it. `a` holds what the survey reads (the reader keeps no more of it).
    pub(super) fn note(&mut self, kind: ObjectKind, dn: &Value, a: &Attributes, members: usize) {
        match kind {
            ObjectKind::User => {
                self.users += 1;
                if a.is_disabled() {
                    self.disabled_users += 1;
                }
            }
            ObjectKind::Group => self.groups += 1,
            ObjectKind::Contact => self.contacts += 1,
        }
        let (depth, suffix) = self.ou_depth_and_dc_suffix(dn);
        self.count_domain(dn, suffix);
        if self.by_depth.len() <= depth {
            self.by_depth.resize(depth + 1, 0);
        }
        self.by_depth[depth] += 1;
        if let Some(reason) = self.scope.why_out_of(kind, dn, a) {
            *self.out_of_scope.entry(reason.label()).or_default() += 1;
        }
        self.note_defects(kind, dn, a, members);
        self.dns.push(dn.clone());
    }

    /// Sorts the hashes of the part's UPNs and proxy addresses (once its objects are noted).
    pub(super) fn sort_hashes(&mut self) {
        let sorted = |list: &[Occurrence]| {
            let mut hashes: Vec<u64> = list.iter().map(|o| o.hash).collect();
            hashes.sort_unstable();
            hashes
        };
        self.upn_hashes = sorted(&self.upns);
        self.proxy_hashes = sorted(&self.proxies);
    }

    /// `dn::ou_depth_and_dc_suffix(dn)`, walked once per parent DN: the first RDN of an
    /// object's DN counts neither as an OU nor (not `DC=`, `Reader::entry` refuses that) as the
    /// start of the suffix, so DNs with the same parent have the same depth and suffix.
    fn ou_depth_and_dc_suffix<'d>(&mut self, dn: &'d str) -> (usize, &'d str) {
        let mut rdns = dn::rdn_iter(dn);
        let first = rdns.next();
        let parent = rdns.rest();
        if let Some(&(depth, suffix)) = self.by_parent.get(parent) {
            return (depth, &dn[dn.len() - suffix..]);
        }
        let (depth, suffix) = dn::ou_depth_and_dc_suffix(dn);
        if suffix.len() <= parent.len() && !first.is_some_and(|r| dn::rdn_type_is(r, "DC")) {
            self.by_parent.insert(parent.into(), (depth, suffix.len()));
        }
        (depth, suffix)
    }

    /// Counts the object named `dn` under its `DC=` suffix `suffix` (a slice of `dn`).
    fn count_domain(&mut self, dn: &Value, suffix: &str) {
        if let Some((last, range, n)) = &mut self.run
            && last[range.clone()] == *suffix
        {
            *n += 1;
            return;
        }
        self.end_run();
        let start = dn.len() - suffix.len();
        self.run = Some((dn.clone(), start..dn.len(), 1));
    }

    fn end_run(&mut self) {
        if let Some((dn, range, n)) = self.run.take() {
            *self.by_domain.entry(dn::domain_of(&dn[range])).or_default() += n;
        }
    }

    /// The checks of `validate::find_defects`, on one object (`validate::check_attributes`);
    /// its UPNs and proxy addresses are copied into `values`, as the object is dropped.
    fn note_defects(&mut self, kind: ObjectKind, dn: &str, a: &Attributes, members: usize) {
        let object = self.dns.len();
        let (values, upns, proxies) = (&mut self.values, &mut self.upns, &mut self.proxies);
        let findings = &mut self.findings;
        check_attributes(kind, dn, a, members, findings, |list, value, position| {
            let start = values.len();
            values.push_str(value);
            let held = Occurrence {
                hash: folded_hash(value),
                object,
                position,
                text: start..values.len(),
            };
            match list {
                Listed::Upn => upns.push(held),
                Listed::Proxy => proxies.push(held),
            }
        });
    }
}

/// `Directory::counts` (but the OU count) and the out-of-scope reasons, from the parts.
fn counts_and_scope(parts: &[PartSurvey]) -> (DirectoryCounts, BTreeMap<&'static str, usize>) {
    let mut c = DirectoryCounts::default();
    let mut by_depth: Vec<usize> = Vec::new();
    let mut out = BTreeMap::new();
    for p in parts {
        c.users += p.users;
        c.disabled_users += p.disabled_users;
        c.groups += p.groups;
        c.contacts += p.contacts;
        let mut by_domain = p.by_domain.clone();
        if let Some((dn, range, n)) = &p.run {
            *by_domain
                .entry(dn::domain_of(&dn[range.clone()]))
                .or_default() += n;
        }
        for (domain, n) in by_domain {
            *c.by_domain.entry(domain).or_default() += n;
        }
        if by_depth.len() < p.by_depth.len() {
            by_depth.resize(p.by_depth.len(), 0);
        }
        for (total, n) in by_depth.iter_mut().zip(&p.by_depth) {
            *total += n;
        }
        for (reason, n) in &p.out_of_scope {
            *out.entry(*reason).or_default() += n;
        }
    }
    c.by_ou_depth = (0..).zip(by_depth).filter(|(_, n)| *n > 0).collect();
    (c, out)
}

/// `validate::find_defects`, from the parts. Only values whose hash repeats can be
/// duplicates: those are found first (`repeats`, on all cores), and only their occurrences
/// are handed to `duplicates_among`, which would drop every other one.
fn defects(parts: &[PartSurvey]) -> DefectReport {
    let mut report = DefectReport::default();
    let lists = |hashes: fn(&PartSurvey) -> &[u64]| parts.iter().map(hashes).collect::<Vec<_>>();
    let (upn_repeats, proxy_repeats) = rayon::join(
        || repeated(&lists(|p| &p.upn_hashes)),
        || repeated(&lists(|p| &p.proxy_hashes)),
    );
    let mut dns: Vec<&str> = Vec::with_capacity(parts.iter().map(|p| p.dns.len()).sum());
    let mut upns = Vec::new();
    let mut proxies = Vec::new();
    let repeats = |list: &[u64], o: &&Occurrence| list.binary_search(&o.hash).is_ok();
    for p in parts {
        let f = &p.findings;
        report.invalid_values.extend_from_slice(&f.invalid_values);
        report
            .oversized_groups
            .extend_from_slice(&f.oversized_groups);
        report
            .too_many_proxy_addresses
            .extend_from_slice(&f.too_many_proxy_addresses);
        let offset = dns.len();
        let of = |o: &Occurrence| Held {
            hash: o.hash,
            object: offset + o.object,
            position: o.position,
            value: &p.values[o.text.clone()],
        };
        if !upn_repeats.is_empty() {
            upns.extend(p.upns.iter().filter(|o| repeats(&upn_repeats, o)).map(of));
        }
        if !proxy_repeats.is_empty() {
            proxies.extend(
                p.proxies
                    .iter()
                    .filter(|o| repeats(&proxy_repeats, o))
                    .map(of),
            );
        }
        dns.extend(p.dns.iter().map(|d| &**d));
    }
    (report.duplicate_upns, report.duplicate_proxy_addresses) = rayon::join(
        || duplicates_among(&|i| dns[i], upns),
        || duplicates_among(&|i| dns[i], proxies),
    );
    report
}

#[cfg(test)]
#[path = "survey_tests.rs"]
mod tests;
