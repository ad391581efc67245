//! Checks of values Azure AD refuses or resolves specially: malformed UPNs and proxy addresses,
//! duplicates across the directory, oversized groups and objects. Used by `inspect`, by the
//! generator's own tests and by the simulated tenant.

use crate::constants::{DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS, PROXY_ADDRESSES_MAX, UPN_PREFIX_MAX};
use crate::directory::Directory;
use crate::object::{Attributes, DirectoryObject, ObjectKind};
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher as _;

/// Characters Azure AD accepts in a UPN prefix besides letters and digits.
const UPN_PREFIX_EXTRA: &str = "'.-_!#^~";

/// Why a UPN is refused (`IdentityDataValidationFailed`), or `None` when it is well formed.
pub fn upn_problem(upn: &str) -> Option<&'static str> {
    let Some((prefix, suffix)) = split_at_ascii(upn, b'@') else {
        return Some("has no '@'");
    };
    let p = prefix.as_bytes();
    if p.is_empty() || p.len() > UPN_PREFIX_MAX {
        return Some("prefix is empty or longer than 64 characters");
    }
    if p[0] == b'.' || p[p.len() - 1] == b'.' || p.windows(2).any(|w| w == b"..") {
        return Some("prefix starts or ends with a dot, or has two in a row");
    }
    // Byte by byte: a character beyond ASCII has no byte below 0x80, so it fails as it must.
    if !p
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || UPN_PREFIX_EXTRA.as_bytes().contains(b))
    {
        return Some("prefix holds a character Azure AD does not accept");
    }
    if !is_domain_name(suffix) {
        return Some("suffix is not a DNS domain name");
    }
    None
}

/// Why a proxy address is malformed, or `None`. SMTP addresses must be `prefix:local@domain`.
pub fn proxy_address_problem(value: &str) -> Option<&'static str> {
    let Some((scheme, address)) = split_at_ascii(value, b':') else {
        return Some("has no 'type:' prefix");
    };
    if scheme.is_empty() || address.is_empty() {
        return Some("type or address is empty");
    }
    if scheme.eq_ignore_ascii_case("smtp") {
        let Some((local, domain)) = split_at_ascii(address, b'@') else {
            return Some("SMTP address has no '@'");
        };
        if local.is_empty() || local.contains(char::is_whitespace) || !is_domain_name(domain) {
            return Some("SMTP address is not local@domain");
        }
    }
    None
}

/// `text.split_once(c)` for an ASCII `c`, found byte by byte (an ASCII byte is always a
/// character of its own in UTF-8).
fn split_at_ascii(text: &str, c: u8) -> Option<(&str, &str)> {
    let i = text.bytes().position(|b| b == c)?;
    Some((&text[..i], &text[i + 1..]))
}

fn is_domain_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.contains(&b'.')
        && bytes.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label[0] != b'-'
                && label[label.len() - 1] != b'-'
                && label
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

/// Whether a group of `members` members is over a sync rule's member limit (`limit_members`,
/// e.g. [`DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS`]): the rule provisions only groups with fewer
/// members, so such a group is not exported.
pub fn over_group_member_limit(members: usize, limit_members: usize) -> bool {
    members >= limit_members
}

/// A value that more than one object carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The value (a UPN or a proxy address).
    pub value: String,
    /// DNs of the objects carrying it, in directory order.
    pub holders: Vec<String>,
}

/// A value that is malformed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidValue {
    /// The object's DN.
    pub dn: String,
    /// The attribute holding the value.
    pub attribute: String,
    /// The value.
    pub value: String,
    /// What is wrong with it, in a sentence.
    pub problem: String,
}

/// What `inspect` finds wrong with a directory, each list in directory order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectReport {
    /// UPNs more than one object carries (Azure AD refuses the second: `AttributeValueMustBeUnique`).
    pub duplicate_upns: Vec<Duplicate>,
    /// Proxy addresses more than one object carries (refused the same way).
    pub duplicate_proxy_addresses: Vec<Duplicate>,
    /// Malformed values.
    pub invalid_values: Vec<InvalidValue>,
    /// DNs of groups over the member limit (`DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS` members or
    /// more): DirSync and older Connect rules do not export them.
    pub oversized_groups: Vec<String>,
    /// DNs of objects with more than `PROXY_ADDRESSES_MAX` proxy addresses.
    pub too_many_proxy_addresses: Vec<String>,
}

impl DefectReport {
    /// Nothing found.
    pub fn is_clean(&self) -> bool {
        self.duplicate_upns.is_empty()
            && self.duplicate_proxy_addresses.is_empty()
            && self.invalid_values.is_empty()
            && self.oversized_groups.is_empty()
            && self.too_many_proxy_addresses.is_empty()
    }
}

/// Objects one task of the parallel scan reads.
const SCAN_CHUNK: usize = 4096;

/// Finds every defect of `directory`. Parts of the objects are read on all cores (each part's
/// findings in directory order, joined in order); duplicates are found by sorting every
/// value's case-folded hash, so only values with equal hashes are compared. UPNs compare
/// case-insensitively, as Azure AD does; proxy addresses compare without their type prefix's
/// case. A value is lower-cased (allocated) only when it is not ASCII or when it is reported.
pub fn find_defects(directory: &Directory) -> DefectReport {
    let scans: Vec<Scan<'_>> = directory
        .objects
        .par_chunks(SCAN_CHUNK)
        .enumerate()
        .map(|(c, objects)| scan(objects, c * SCAN_CHUNK))
        .collect();
    let mut report = DefectReport::default();
    let (mut upns, mut proxies) = (Vec::new(), Vec::new());
    for s in scans {
        let f = s.findings;
        report.invalid_values.extend(f.invalid_values);
        report.oversized_groups.extend(f.oversized_groups);
        report
            .too_many_proxy_addresses
            .extend(f.too_many_proxy_addresses);
        upns.extend(s.upns);
        proxies.extend(s.proxies);
    }
    (report.duplicate_upns, report.duplicate_proxy_addresses) = rayon::join(
        || duplicates(directory, upns),
        || duplicates(directory, proxies),
    );
    report
}

/// What one part of the objects holds: its findings in order, and every UPN and proxy address.
#[derive(Default)]
struct Scan<'d> {
    findings: ObjectFindings,
    upns: Vec<Occurrence<'d>>,
    proxies: Vec<Occurrence<'d>>,
}

/// Scans `objects`, the first of which is object `offset` of the directory.
fn scan(objects: &[DirectoryObject], offset: usize) -> Scan<'_> {
    let mut s = Scan::default();
    for (k, o) in objects.iter().enumerate() {
        let i = offset + k;
        let (upns, proxies) = (&mut s.upns, &mut s.proxies);
        check_object(o, o.attrs.member.len(), &mut s.findings, |list, v, n| {
            let held = Occurrence::new(v, i, n);
            match list {
                Listed::Upn => upns.push(held),
                Listed::Proxy => proxies.push(held),
            }
        });
    }
    s
}

/// The findings of the per-object checks, in object order.
#[derive(Clone, Debug, Default)]
pub struct ObjectFindings {
    /// Values Azure AD refuses.
    pub invalid_values: Vec<InvalidValue>,
    /// DNs of groups over DirSync's member limit.
    pub oversized_groups: Vec<String>,
    /// DNs of objects with more proxy addresses than Azure AD takes.
    pub too_many_proxy_addresses: Vec<String>,
}

/// Which list a value held for the duplicate checks belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    /// `userPrincipalName`.
    Upn,
    /// One of `proxyAddresses`.
    Proxy,
}

/// The checks of [`find_defects`] on one object, a group holding `members` members: findings go
/// to `findings`, and `hold(list, value, position)` receives each UPN and proxy address for the
/// duplicate checks. The one place these checks live; the LDIF survey calls it too.
pub fn check_object<'d>(
    o: &'d DirectoryObject,
    members: usize,
    findings: &mut ObjectFindings,
    hold: impl FnMut(Listed, &'d str, usize),
) {
    check_attributes(o.kind, &o.dn, &o.attrs, members, findings, hold);
}

/// [`check_object`] of an object given by its class, DN and attributes, for a reader that
/// has not built the object (the LDIF survey): the same checks, from the one place they live.
pub fn check_attributes<'d>(
    kind: ObjectKind,
    dn: &str,
    a: &'d Attributes,
    members: usize,
    findings: &mut ObjectFindings,
    mut hold: impl FnMut(Listed, &'d str, usize),
) {
    if let Some(upn) = a.user_principal_name() {
        hold(Listed::Upn, upn, 0);
        if let Some(p) = upn_problem(upn) {
            findings
                .invalid_values
                .push(invalid(dn, "userPrincipalName", upn, p));
        }
    }
    let proxies = a.proxy_addresses();
    let proxy_count = proxies.len();
    for (n, p) in proxies.enumerate() {
        hold(Listed::Proxy, p, n);
        if let Some(problem) = proxy_address_problem(p) {
            findings
                .invalid_values
                .push(invalid(dn, "proxyAddresses", p, problem));
        }
    }
    if kind == ObjectKind::Group
        && over_group_member_limit(members, DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS)
    {
        findings.oversized_groups.push(dn.to_string());
    }
    if proxy_count > PROXY_ADDRESSES_MAX {
        findings.too_many_proxy_addresses.push(dn.to_string());
    }
}

/// One value that could be part of a duplicate: the hash of its lower-case form
/// ([`folded_hash`]), the object holding it (index in the directory) and its place among that
/// object's values. The LDIF survey builds these from its own parts.
pub struct Occurrence<'d> {
    /// [`folded_hash`] of `value`.
    pub hash: u64,
    /// The index of the object holding the value, in directory order.
    pub object: usize,
    /// The value's place among that object's values of the attribute.
    pub position: usize,
    /// The value as held.
    pub value: &'d str,
}

impl<'d> Occurrence<'d> {
    /// The occurrence of `value`, held by object `object` at `position`.
    pub fn new(value: &'d str, object: usize, position: usize) -> Self {
        Self {
            hash: folded_hash(value),
            object,
            position,
            value,
        }
    }
}

/// The hash of a value's lower-case form (`str::to_lowercase`), which duplicate checks compare.
pub fn folded_hash(value: &str) -> u64 {
    FxBuildHasher.hash_one(Folded::new(value))
}

/// The values held more than once, each with its holders in directory order, sorted by first
/// holder (then value).
fn duplicates(directory: &Directory, all: Vec<Occurrence<'_>>) -> Vec<Duplicate> {
    duplicates_among(&|i| &directory.objects[i].dn, all)
}

/// The values held more than once among `all`, each with its holders (named by `dn_of` their
/// object index) in directory order, sorted by first holder (then value). Values compare as
/// `str::to_lowercase` compares them.
pub fn duplicates_among<'n>(
    dn_of: &(dyn Fn(usize) -> &'n str + Sync),
    mut all: Vec<Occurrence<'_>>,
) -> Vec<Duplicate> {
    all.par_sort_unstable_by_key(|o| (o.hash, o.object, o.position));
    let mut dups: Vec<(usize, Duplicate)> = Vec::new();
    let dn = |i: usize| dn_of(i).to_string();
    for run in all
        .chunk_by(|a, b| a.hash == b.hash)
        .filter(|r| r.len() > 1)
    {
        // Distinct values may share a hash: group the run by value, in holding order.
        let mut folded: Vec<Option<Folded<'_>>> =
            run.iter().map(|o| Some(Folded::new(o.value))).collect();
        for a in 0..run.len() {
            let Some(value) = folded[a].take() else {
                continue;
            };
            let mut holders = vec![dn(run[a].object)];
            for b in a + 1..run.len() {
                if folded[b].as_ref().is_some_and(|f| *f == value) {
                    folded[b] = None;
                    holders.push(dn(run[b].object));
                }
            }
            if holders.len() > 1 {
                let value = value.into_lowercase();
                dups.push((run[a].object, Duplicate { value, holders }));
            }
        }
    }
    dups.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.value.cmp(&b.1.value)));
    dups.into_iter().map(|(_, d)| d).collect()
}

/// A value as `str::to_lowercase` would compare it: ASCII text kept in place (its lower-case
/// form differs only byte by byte), other text lower-cased once.
enum Folded<'d> {
    Ascii(&'d str),
    Lowered(String),
}

impl<'d> Folded<'d> {
    fn new(text: &'d str) -> Self {
        if text.is_ascii() {
            Folded::Ascii(text)
        } else {
            Folded::Lowered(text.to_lowercase())
        }
    }

    fn raw(&self) -> &str {
        match self {
            Folded::Ascii(t) => t,
            Folded::Lowered(t) => t,
        }
    }

    /// `text.to_lowercase()` of the value.
    fn into_lowercase(self) -> String {
        match self {
            Folded::Ascii(t) => t.to_ascii_lowercase(),
            Folded::Lowered(t) => t,
        }
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        // Lowered text has no ASCII capital left, so ASCII case folding compares both forms.
        self.raw().eq_ignore_ascii_case(other.raw())
    }
}
impl Eq for Folded<'_> {}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut buf = [0u8; 64];
        for chunk in self.raw().as_bytes().chunks(64) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            state.write(lower);
        }
        state.write_u8(0xff);
    }
}

fn invalid(dn: &str, attribute: &str, value: &str, problem: &str) -> InvalidValue {
    InvalidValue {
        dn: dn.to_string(),
        attribute: attribute.to_string(),
        value: value.to_string(),
        problem: problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashMap;

    #[test]
    fn upns_are_checked_as_azure_ad_does() {
        assert_eq!(upn_problem("ann.lee@contoso.com"), None);
        assert_eq!(upn_problem("o'brien@contoso.com"), None);
        assert!(upn_problem("ann lee@contoso.com").is_some());
        assert!(upn_problem("ann@").is_some());
        assert!(upn_problem("ann.@contoso.com").is_some());
        assert!(upn_problem("ann").is_some());
        assert!(upn_problem("a,b@contoso.com").is_some());
        assert!(upn_problem(&format!("{}@contoso.com", "a".repeat(65))).is_some());
    }

    #[test]
    fn a_group_at_the_member_limit_is_over_it_and_one_below_is_not() {
        use crate::constants::CONNECT_GROUP_MEMBER_LIMIT_MEMBERS;
        assert!(!over_group_member_limit(
            49_999,
            DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS
        ));
        assert!(over_group_member_limit(
            50_000,
            DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS
        ));
        assert!(!over_group_member_limit(
            50_000,
            CONNECT_GROUP_MEMBER_LIMIT_MEMBERS
        ));
        assert!(over_group_member_limit(
            250_000,
            CONNECT_GROUP_MEMBER_LIMIT_MEMBERS
        ));
    }

    fn group_of(members: usize) -> Directory {
        use crate::object::{Attributes, DirectoryObject};
        let member: Vec<crate::Value> = (0..members)
            .map(|i| crate::Value::from(format!("CN=user{i},DC=contoso,DC=com")))
            .collect();
        Directory {
            objects: vec![DirectoryObject {
                guid: crate::ObjectGuid::default(),
                kind: ObjectKind::Group,
                dn: crate::Value::from("CN=all staff,DC=contoso,DC=com"),
                attrs: std::sync::Arc::new({
                    let mut a = Attributes::default();
                    a.member = member.into_boxed_slice();
                    a
                }),
                usn_changed: 0,
                when_changed_ms: 0,
            }],
            ..Directory::default()
        }
    }

    #[test]
    fn a_group_over_the_member_limit_is_a_defect_and_one_under_it_is_not() {
        let at = find_defects(&group_of(DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS));
        assert_eq!(at.oversized_groups, vec!["CN=all staff,DC=contoso,DC=com"]);
        assert!(!at.is_clean());
        let under = find_defects(&group_of(DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS - 1));
        assert!(under.is_clean(), "{under:?}");
    }

    #[test]
    fn proxy_addresses_need_a_type_and_a_valid_smtp_address() {
        assert_eq!(proxy_address_problem("SMTP:ann@contoso.com"), None);
        assert_eq!(proxy_address_problem("X500:/o=Contoso/ou=First"), None);
        assert!(proxy_address_problem("ann@contoso.com").is_some());
        assert!(proxy_address_problem("smtp:ann").is_some());
    }

    /// The defect scan as it was written first (every value lower-cased into its own map
    /// key): the one-pass scan must report the same duplicates, in the same order.
    fn plain_duplicates(values: &[(usize, &str)]) -> Vec<(String, Vec<usize>)> {
        let mut map: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, v) in values {
            map.entry(v.to_lowercase()).or_default().push(*i);
        }
        let mut dups: Vec<_> = map.into_iter().filter(|(_, h)| h.len() > 1).collect();
        dups.sort_by(|a, b| a.1[0].cmp(&b.1[0]).then_with(|| a.0.cmp(&b.0)));
        dups
    }

    #[test]
    fn duplicates_compare_as_lower_case_whatever_the_script() {
        use crate::object::{Attributes, DirectoryObject};
        // ASCII case variants, non-ASCII case variants, and the Kelvin sign (U+212A), which
        // lower-cases to an ASCII `k`.
        let upns = [
            "Ann@contoso.com",
            "ZOË@contoso.com",
            "ann@CONTOSO.com",
            "zoë@contoso.com",
            "\u{212A}im@contoso.com",
            "kim@contoso.com",
            "bob@contoso.com",
            "Bob@contoso.com",
            "BOB@contoso.com",
            "solo@contoso.com",
        ];
        let objects = upns
            .iter()
            .enumerate()
            .map(|(i, upn)| DirectoryObject {
                guid: crate::ObjectGuid::default(),
                kind: ObjectKind::User,
                dn: crate::Value::from(format!("CN=u{i},DC=contoso,DC=com")),
                attrs: std::sync::Arc::new(Attributes::from_texts(&[(
                    crate::attribute_flow::Field::UserPrincipalName,
                    upn,
                )])),
                usn_changed: 0,
                when_changed_ms: 0,
            })
            .collect();
        let directory = Directory {
            objects,
            ..Directory::default()
        };
        let found: Vec<(String, Vec<String>)> = find_defects(&directory)
            .duplicate_upns
            .into_iter()
            .map(|d| (d.value, d.holders))
            .collect();
        let indexed: Vec<(usize, &str)> = upns.iter().copied().enumerate().collect();
        let expected: Vec<(String, Vec<String>)> = plain_duplicates(&indexed)
            .into_iter()
            .map(|(v, h)| {
                let holders = h
                    .iter()
                    .map(|i| format!("CN=u{i},DC=contoso,DC=com"))
                    .collect();
                (v, holders)
            })
            .collect();
        assert_eq!(found, expected);
        assert_eq!(found.len(), 4, "{found:?}");
    }

    /// Duplicates and invalid values across the parts of the parallel scan (more objects
    /// than `SCAN_CHUNK`, values repeated far apart and within one object) come out as the
    /// plain sequential scan finds them, in directory order.
    #[test]
    fn the_parallel_scan_finds_what_the_plain_scan_finds() {
        use crate::object::{Attributes, DirectoryObject};
        let n = 3 * SCAN_CHUNK + 17;
        let upn = |i: usize| match i % 1000 {
            7 => "shared@contoso.com".to_string(),
            13 => format!("Bad Name{i}@contoso.com"),
            _ => format!("u{}@contoso.com", i % (2 * SCAN_CHUNK + 5)),
        };
        let proxies = |i: usize| -> Vec<crate::Value> {
            let mut p = vec![crate::Value::from(format!("SMTP:u{i}@contoso.com"))];
            if i.is_multiple_of(777) {
                p.push(crate::Value::from(format!("smtp:U{i}@CONTOSO.com")));
                p.push(crate::Value::from("smtp:no-at"));
            }
            p
        };
        let objects: Vec<DirectoryObject> = (0..n)
            .map(|i| {
                let upn = upn(i);
                let mut attrs = Attributes::from_texts(&[(
                    crate::attribute_flow::Field::UserPrincipalName,
                    upn.as_str(),
                )]);
                attrs.set_proxy_addresses(proxies(i).iter().map(|p| &**p));
                DirectoryObject {
                    guid: crate::ObjectGuid::default(),
                    kind: ObjectKind::User,
                    dn: crate::Value::from(format!("CN=u{i},DC=contoso,DC=com")),
                    attrs: std::sync::Arc::new(attrs),
                    usn_changed: 0,
                    when_changed_ms: 0,
                }
            })
            .collect();
        let directory = Directory {
            objects,
            ..Directory::default()
        };
        let report = find_defects(&directory);
        let holders = |h: &[usize]| -> Vec<String> {
            h.iter()
                .map(|i| format!("CN=u{i},DC=contoso,DC=com"))
                .collect()
        };
        let upns: Vec<(usize, String)> = (0..n).map(|i| (i, upn(i))).collect();
        let upn_refs: Vec<(usize, &str)> = upns.iter().map(|(i, u)| (*i, u.as_str())).collect();
        let expected: Vec<(String, Vec<String>)> = plain_duplicates(&upn_refs)
            .into_iter()
            .map(|(v, h)| (v, holders(&h)))
            .collect();
        let found: Vec<(String, Vec<String>)> = report
            .duplicate_upns
            .iter()
            .map(|d| (d.value.clone(), d.holders.clone()))
            .collect();
        assert_eq!(found, expected);
        assert!(found.len() > 4000, "{}", found.len());
        let all_proxies: Vec<(usize, crate::Value)> = (0..n)
            .flat_map(|i| proxies(i).into_iter().map(move |p| (i, p)))
            .collect();
        let proxy_refs: Vec<(usize, &str)> = all_proxies.iter().map(|(i, p)| (*i, &**p)).collect();
        let expected: Vec<(String, Vec<String>)> = plain_duplicates(&proxy_refs)
            .into_iter()
            .map(|(v, h)| (v, holders(&h)))
            .collect();
        let found: Vec<(String, Vec<String>)> = report
            .duplicate_proxy_addresses
            .iter()
            .map(|d| (d.value.clone(), d.holders.clone()))
            .collect();
        assert_eq!(found, expected);
        let invalid: Vec<&str> = report
            .invalid_values
            .iter()
            .map(|v| v.dn.as_str())
            .collect();
        let expected: Vec<String> = (0..n)
            .flat_map(|i| {
                let bad_upn = upn_problem(&upn(i)).is_some();
                let bad_proxies = proxies(i)
                    .iter()
                    .filter(|p| proxy_address_problem(p).is_some())
                    .count();
                let times = usize::from(bad_upn) + bad_proxies;
                std::iter::repeat_n(format!("CN=u{i},DC=contoso,DC=com"), times)
            })
            .collect();
        assert_eq!(invalid, expected);
        assert!(!invalid.is_empty());
    }
}
