//! A directory: one forest with its domains, OU tree and objects.

use crate::dn;
use crate::object::{DirectoryObject, ObjectKind};
use crate::value::Value;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A domain of the forest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// DNS name, lower-case (`emea.contoso.com`).
    pub dns_name: Value,
    /// NetBIOS name (`EMEA`).
    pub netbios_name: Value,
}

impl Domain {
    /// The DN of the domain's naming context.
    pub fn dn(&self) -> String {
        dn::domain_dn(&self.dns_name)
    }
}

/// An organizational unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    /// Its objectGUID.
    pub guid: crate::ids::ObjectGuid,
    /// Its distinguished name.
    pub dn: Value,
}

/// One forest: domains, OUs and the users, groups and contacts in them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// The forest root domain's DNS name.
    pub forest: Value,
    /// The forest's domains, the root first.
    pub domains: Vec<Domain>,
    /// Every OU of every domain.
    pub organizational_units: Vec<OrganizationalUnit>,
    /// Users, groups and contacts (not OUs, not tombstones).
    pub objects: Vec<DirectoryObject>,
}

/// Object counts of a directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryCounts {
    /// User objects.
    pub users: usize,
    /// Group objects.
    pub groups: usize,
    /// Contact objects.
    pub contacts: usize,
    /// Organizational units.
    pub organizational_units: usize,
    /// Users whose `userAccountControl` has ACCOUNTDISABLE (bit 2) set.
    pub disabled_users: usize,
    /// Objects per domain DNS name.
    pub by_domain: BTreeMap<String, usize>,
    /// Objects per OU depth (0 = directly under a domain or container).
    pub by_ou_depth: BTreeMap<usize, usize>,
}

impl DirectoryCounts {
    /// Users, contacts and groups: what DirSync's database counts for the upgrade estimate.
    pub fn objects(&self) -> usize {
        self.users + self.groups + self.contacts
    }
}

impl Directory {
    /// Counts by type, domain and OU depth. Objects are counted by the `DC=` part of their DN
    /// as written (a slice of it, so nothing is allocated per object); each distinct part is
    /// turned into its domain name once at the end.
    pub fn counts(&self) -> DirectoryCounts {
        let mut c = DirectoryCounts {
            organizational_units: self.organizational_units.len(),
            ..Default::default()
        };
        let mut by_suffix: FxHashMap<&str, usize> = FxHashMap::default();
        let mut by_depth: Vec<usize> = Vec::new();
        // Neighbouring objects nearly always share their domain: compare before hashing.
        let mut last: (&str, usize) = ("", 0);
        for o in &self.objects {
            match o.kind {
                ObjectKind::User => {
                    c.users += 1;
                    if o.attrs.is_disabled() {
                        c.disabled_users += 1;
                    }
                }
                ObjectKind::Group => c.groups += 1,
                ObjectKind::Contact => c.contacts += 1,
            }
            let (depth, suffix) = dn::ou_depth_and_dc_suffix(&o.dn);
            if last.1 > 0 && last.0 == suffix {
                last.1 += 1;
            } else {
                if last.1 > 0 {
                    *by_suffix.entry(last.0).or_default() += last.1;
                }
                last = (suffix, 1);
            }
            if by_depth.len() <= depth {
                by_depth.resize(depth + 1, 0);
            }
            by_depth[depth] += 1;
        }
        if last.1 > 0 {
            *by_suffix.entry(last.0).or_default() += last.1;
        }
        for (suffix, n) in by_suffix {
            *c.by_domain.entry(dn::domain_of(suffix)).or_default() += n;
        }
        c.by_ou_depth = (0..).zip(by_depth).filter(|(_, n)| *n > 0).collect();
        c
    }

    /// The number of users, contacts and groups.
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }
}
