//! Checks of values Azure AD refuses or resolves specially: malformed UPNs and proxy addresses,
//! duplicates across the directory, oversized groups and objects. Used by `inspect`, by the
//! generator's own tests and by the simulated tenant.

use crate::constants::{DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS, PROXY_ADDRESSES_MAX, UPN_PREFIX_MAX};
use crate::directory::Directory;
use crate::object::ObjectKind;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::{Deserialize, Serialize};

/// Characters Azure AD accepts in a UPN prefix besides letters and digits.
const UPN_PREFIX_EXTRA: &str = "'.-_!#^~";

/// Why a UPN is refused (`IdentityDataValidationFailed`), or `None` when it is well formed.
pub fn upn_problem(upn: &str) -> Option<&'static str> {
    let Some((prefix, suffix)) = upn.split_once('@') else {
        return Some("has no '@'");
    };
    if prefix.is_empty() || prefix.len() > UPN_PREFIX_MAX {
        return Some("prefix is empty or longer than 64 characters");
    }
    if prefix.starts_with('.') || prefix.ends_with('.') || prefix.contains("..") {
        return Some("prefix starts or ends with a dot, or has two in a row");
    }
    if !prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || UPN_PREFIX_EXTRA.contains(c))
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
    let Some((scheme, address)) = value.split_once(':') else {
        return Some("has no 'type:' prefix");
    };
    if scheme.is_empty() || address.is_empty() {
        return Some("type or address is empty");
    }
    if scheme.eq_ignore_ascii_case("smtp") {
        let Some((local, domain)) = address.split_once('@') else {
            return Some("SMTP address has no '@'");
        };
        if local.is_empty() || local.contains(char::is_whitespace) || !is_domain_name(domain) {
            return Some("SMTP address is not local@domain");
        }
    }
    None
}

fn is_domain_name(s: &str) -> bool {
    !s.is_empty()
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
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

/// Finds every defect of `directory`, in one pass over its objects. UPNs compare
/// case-insensitively, as Azure AD does; proxy addresses compare without their type prefix's
/// case. A value is lower-cased (allocated) only when it is not ASCII or when it is reported.
pub fn find_defects(directory: &Directory) -> DefectReport {
    let mut report = DefectReport::default();
    let capacity = directory.objects.len();
    let mut upns: FxHashMap<Folded<'_>, Holders> =
        FxHashMap::with_capacity_and_hasher(capacity, FxBuildHasher);
    let mut proxies: FxHashMap<Folded<'_>, Holders> =
        FxHashMap::with_capacity_and_hasher(capacity, FxBuildHasher);
    for (i, o) in directory.objects.iter().enumerate() {
        let a = &o.attrs;
        if let Some(upn) = a.user_principal_name() {
            hold(&mut upns, upn, i);
            if let Some(p) = upn_problem(upn) {
                report
                    .invalid_values
                    .push(invalid(&o.dn, "userPrincipalName", upn, p));
            }
        }
        for p in a.proxy_addresses() {
            hold(&mut proxies, p, i);
            if let Some(problem) = proxy_address_problem(p) {
                report
                    .invalid_values
                    .push(invalid(&o.dn, "proxyAddresses", p, problem));
            }
        }
        if o.kind == ObjectKind::Group
            && over_group_member_limit(a.member.len(), DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS)
        {
            report.oversized_groups.push(o.dn.to_string());
        }
        if a.proxy_addresses().len() > PROXY_ADDRESSES_MAX {
            report.too_many_proxy_addresses.push(o.dn.to_string());
        }
    }
    report.duplicate_upns = duplicates(directory, upns);
    report.duplicate_proxy_addresses = duplicates(directory, proxies);
    report
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

/// The objects holding one value, by index in the directory: the first without allocating.
struct Holders {
    first: usize,
    more: Vec<usize>,
}

fn hold<'d>(map: &mut FxHashMap<Folded<'d>, Holders>, value: &'d str, i: usize) {
    match map.entry(Folded::new(value)) {
        std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().more.push(i),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(Holders {
                first: i,
                more: Vec::new(),
            });
        }
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

fn duplicates(directory: &Directory, map: FxHashMap<Folded<'_>, Holders>) -> Vec<Duplicate> {
    let mut dups: Vec<(usize, Duplicate)> = map
        .into_iter()
        .filter(|(_, holders)| !holders.more.is_empty())
        .map(|(value, h)| {
            let holders = std::iter::once(h.first)
                .chain(h.more)
                .map(|i| directory.objects[i].dn.to_string())
                .collect();
            let value = value.into_lowercase();
            (h.first, Duplicate { value, holders })
        })
        .collect();
    dups.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.value.cmp(&b.1.value)));
    dups.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
                attrs: std::sync::Arc::new(Attributes {
                    member: member.into_boxed_slice(),
                    ..Attributes::default()
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
}
