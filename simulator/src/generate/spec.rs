//! What a generated directory should look like (`DirectorySpec`) and the checks that refuse a
//! spec the generator cannot honour. Pure data: no randomness, no I/O.

use serde::{Deserialize, Serialize};
use upgrade_lab_model::constants::{GROUP_MEMBER_LIMIT, PROXY_ADDRESSES_MAX};

/// The most objects (users + groups + contacts) one spec may ask for: the ten million of the
/// largest bench (`upgrade-lab bench --objects 10000000`).
pub const MAX_OBJECTS: u64 = 10_000_000;
/// The most OUs one spec may produce across all domains.
pub(crate) const MAX_ORGANIZATIONAL_UNITS: u64 = 100_000;
/// The most domains a forest may have here.
pub(crate) const MAX_DOMAINS: usize = 64;
/// The deepest group nesting the generator builds.
pub(crate) const MAX_NESTING_DEPTH: u32 = 16;

/// A directory to generate. Every field has a default, so a spec file names only what differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectorySpec {
    /// Seed of every random draw; the same spec gives the same directory on every machine.
    pub seed: u64,
    /// Number of users, service accounts included.
    pub users: u32,
    /// Number of groups, security and distribution.
    pub groups: u32,
    /// Number of mail-enabled contacts.
    pub contacts: u32,
    /// DNS names of the forest's domains; the first is the forest root.
    pub domains: Vec<String>,
    /// Levels of OUs below each domain (0: objects sit in `CN=Users`).
    pub ou_depth: u32,
    /// Child OUs per OU (and top-level OUs per domain).
    pub ou_fan_out: u32,
    /// Users that are disabled (`userAccountControl` 514), per mille of the regular users.
    pub disabled_per_mille: u16,
    /// Users stamped `extensionAttribute15 = NoSync`, the value DirSync attribute filters use.
    pub no_sync_users: u32,
    /// DirSync service accounts (`MSOL_…` in `CN=Users` of the root domain), which the default
    /// scope rules leave out. Counted in `users`.
    pub service_accounts: u32,
    /// Group sizes, kinds and nesting.
    pub group_shape: GroupShape,
    /// Defects planted on purpose, each at an exact count.
    pub defects: PlantedDefects,
}

impl Default for DirectorySpec {
    fn default() -> Self {
        Self {
            seed: 1,
            users: 1_000,
            groups: 100,
            contacts: 20,
            domains: vec!["contoso.com".to_string()],
            ou_depth: 2,
            ou_fan_out: 3,
            disabled_per_mille: 50,
            no_sync_users: 0,
            service_accounts: 0,
            group_shape: GroupShape::default(),
            defects: PlantedDefects::default(),
        }
    }
}

/// How groups are shaped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupShape {
    /// Fewest user members of a group.
    pub min_members: u32,
    /// Average user members of a group (sizes are skewed: most groups are small, a few large).
    pub mean_members: u32,
    /// Most user members of a group (below `GROUP_MEMBER_LIMIT`; plant oversized groups
    /// through `defects.oversized_groups`).
    pub max_members: u32,
    /// Groups that are distribution groups (mail-enabled), per mille; the rest are security.
    pub distribution_per_mille: u16,
    /// Groups nested as a member of another group, per mille.
    pub nesting_per_mille: u16,
    /// Deepest chain of nested groups (0: no nesting).
    pub nesting_depth: u32,
}

impl Default for GroupShape {
    fn default() -> Self {
        Self {
            min_members: 1,
            mean_members: 12,
            max_members: 2_000,
            distribution_per_mille: 300,
            nesting_per_mille: 100,
            nesting_depth: 3,
        }
    }
}

/// Defects Azure AD refuses or resolves specially, planted at exact counts so that `inspect`,
/// the simulated tenant and scenarios can be tested against known answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlantedDefects {
    /// Pairs of users sharing one userPrincipalName (each pair is one duplicate value).
    pub duplicate_upns: u32,
    /// Pairs of users sharing one proxyAddress (each pair is one duplicate value).
    pub duplicate_proxy_addresses: u32,
    /// Users whose userPrincipalName holds a character Azure AD refuses.
    pub invalid_upns: u32,
    /// Groups with more than `GROUP_MEMBER_LIMIT` members (needs more users than that).
    pub oversized_groups: u32,
    /// Users with more than `PROXY_ADDRESSES_MAX` proxyAddresses.
    pub too_many_proxy_addresses: u32,
}

/// Why a spec cannot be generated. Each message says what is wrong and what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    #[error(
        "the spec asks for {asked} objects; the generator makes at most {MAX_OBJECTS}: lower users, groups or contacts"
    )]
    /// Users, groups and contacts together exceed `MAX_OBJECTS` (OUs are limited apart).
    TooManyObjects {
        /// Users + groups + contacts, as the spec asks.
        asked: u64,
    },
    #[error("the spec names no domain: give at least one DNS name (the first is the forest root)")]
    /// `domains` is empty.
    NoDomain,
    #[error("the spec names {0} domains; at most {MAX_DOMAINS} are supported")]
    /// More than `MAX_DOMAINS` domains (how many were given).
    TooManyDomains(usize),
    #[error(
        "domain '{name}' is not a DNS name ({problem}); use labels of letters, digits and '-' separated by dots, like contoso.com"
    )]
    /// A domain that is not a DNS name.
    BadDomain {
        /// The domain as given.
        name: String,
        /// What is wrong with it (e.g. "an empty label").
        problem: &'static str,
    },
    #[error("domain '{0}' is listed twice; list each domain once")]
    /// A domain listed twice (the name, as given).
    DuplicateDomain(String),
    #[error(
        "ou_depth {depth} with ou_fan_out {fan_out} makes more than {MAX_ORGANIZATIONAL_UNITS} OUs; lower one of them"
    )]
    /// `ou_depth` and `ou_fan_out` make more than `MAX_ORGANIZATIONAL_UNITS` OUs.
    TooManyOus {
        /// `ou_depth`: levels of OUs under each domain.
        depth: u32,
        /// `ou_fan_out`: child OUs per OU.
        fan_out: u32,
    },
    #[error("ou_depth is {0} but ou_fan_out is 0: give a fan-out of at least 1 or a depth of 0")]
    /// A positive `ou_depth` (given here) with `ou_fan_out` 0.
    ZeroFanOut(u32),
    #[error("{field} is {value}; a per-mille value is at most 1000")]
    /// A per-mille setting above 1000.
    PerMilleOutOfRange {
        /// The setting's name, as in the spec.
        field: &'static str,
        /// Its value, in thousandths.
        value: u16,
    },
    #[error(
        "group_shape needs min_members <= mean_members <= max_members, got {min} <= {mean} <= {max}"
    )]
    /// `group_shape`'s member counts are out of order.
    BadGroupSizes {
        /// `min_members`.
        min: u32,
        /// `mean_members`.
        mean: u32,
        /// `max_members`.
        max: u32,
    },
    #[error(
        "group_shape.max_members is {0}, at or above the member limit of {GROUP_MEMBER_LIMIT} (only smaller groups are exported); plant oversized groups with defects.oversized_groups instead"
    )]
    /// `group_shape.max_members` (given here) reaches `GROUP_MEMBER_LIMIT`.
    GroupMaxOverLimit(u32),
    #[error("group_shape.nesting_depth is {0}; at most {MAX_NESTING_DEPTH} is supported")]
    /// `group_shape.nesting_depth` (given here) exceeds `MAX_NESTING_DEPTH`.
    NestingTooDeep(u32),
    #[error(
        "service_accounts ({service}) exceeds users ({users}); raise users or lower service_accounts"
    )]
    /// More service accounts than users.
    TooManyServiceAccounts {
        /// `service_accounts`.
        service: u32,
        /// `users`.
        users: u32,
    },
    #[error(
        "the planted defects and NoSync users need {needed} regular users but the spec has {available}; raise users or lower the defect counts"
    )]
    /// Planted defects and NoSync users need more regular users than there are.
    NotEnoughUsers {
        /// Regular users the defects and NoSync users need.
        needed: u64,
        /// Regular users (users minus service accounts).
        available: u64,
    },
    #[error(
        "defects.oversized_groups needs groups of more than {GROUP_MEMBER_LIMIT} members, but the spec has only {users} regular users; raise users above {GROUP_MEMBER_LIMIT} or set oversized_groups to 0"
    )]
    /// Oversized groups are asked for but there are too few regular users to fill one.
    NotEnoughUsersForOversizedGroups {
        /// Regular users (users minus service accounts).
        users: u64,
    },
    #[error(
        "defects.oversized_groups is {oversized} but the spec has only {groups} groups; raise groups or lower oversized_groups"
    )]
    /// More oversized groups than groups.
    NotEnoughGroups {
        /// `defects.oversized_groups`.
        oversized: u32,
        /// `groups`.
        groups: u32,
    },
}

impl DirectorySpec {
    /// The most objects (users + groups + contacts) one spec may ask for: [`MAX_OBJECTS`].
    pub const MAX_OBJECTS: u64 = MAX_OBJECTS;

    /// The directory of the benches: `objects` users, groups and contacts in the proportions
    /// of a large customer (1,000,000 users, 100,000 groups, 20,000 contacts: a group per 11
    /// objects, a contact per 56), in OUs two levels deep with four children each.
    pub fn large_customer(objects: u32, seed: u64) -> Self {
        let groups = objects / 11;
        let contacts = objects / 56;
        DirectorySpec {
            seed,
            users: objects - groups - contacts,
            groups,
            contacts,
            ou_depth: 2,
            ou_fan_out: 4,
            ..DirectorySpec::default()
        }
    }

    /// Users that are not service accounts.
    pub fn regular_users(&self) -> u32 {
        self.users.saturating_sub(self.service_accounts)
    }

    /// Users, groups and contacts together.
    pub fn objects_count(&self) -> u64 {
        u64::from(self.users) + u64::from(self.groups) + u64::from(self.contacts)
    }

    /// OUs per domain: fan_out + fan_out² + … + fan_out^depth, or `None` above the limit.
    pub(crate) fn ous_per_domain(&self) -> Option<u64> {
        let mut total: u64 = 0;
        let mut level: u64 = 1;
        for _ in 0..self.ou_depth {
            level = level.checked_mul(u64::from(self.ou_fan_out))?;
            total = total.checked_add(level)?;
            if total > MAX_ORGANIZATIONAL_UNITS {
                return None;
            }
        }
        Some(total)
    }

    /// Checks that the spec can be generated as asked.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.objects_count() > MAX_OBJECTS {
            return Err(SpecError::TooManyObjects {
                asked: self.objects_count(),
            });
        }
        self.validate_domains()?;
        if self.ou_depth > 0 && self.ou_fan_out == 0 {
            return Err(SpecError::ZeroFanOut(self.ou_depth));
        }
        let too_many_ous = SpecError::TooManyOus {
            depth: self.ou_depth,
            fan_out: self.ou_fan_out,
        };
        let per_domain = self.ous_per_domain().ok_or(too_many_ous.clone())?;
        if per_domain * self.domains.len() as u64 > MAX_ORGANIZATIONAL_UNITS {
            return Err(too_many_ous);
        }
        let g = &self.group_shape;
        for (field, value) in [
            ("disabled_per_mille", self.disabled_per_mille),
            (
                "group_shape.distribution_per_mille",
                g.distribution_per_mille,
            ),
            ("group_shape.nesting_per_mille", g.nesting_per_mille),
        ] {
            if value > 1000 {
                return Err(SpecError::PerMilleOutOfRange { field, value });
            }
        }
        if !(g.min_members <= g.mean_members && g.mean_members <= g.max_members) {
            return Err(SpecError::BadGroupSizes {
                min: g.min_members,
                mean: g.mean_members,
                max: g.max_members,
            });
        }
        if g.max_members as usize >= GROUP_MEMBER_LIMIT {
            return Err(SpecError::GroupMaxOverLimit(g.max_members));
        }
        if g.nesting_depth > MAX_NESTING_DEPTH {
            return Err(SpecError::NestingTooDeep(g.nesting_depth));
        }
        self.validate_defects()
    }

    fn validate_domains(&self) -> Result<(), SpecError> {
        if self.domains.is_empty() {
            return Err(SpecError::NoDomain);
        }
        if self.domains.len() > MAX_DOMAINS {
            return Err(SpecError::TooManyDomains(self.domains.len()));
        }
        for (i, name) in self.domains.iter().enumerate() {
            if let Some(problem) = dns_name_problem(name) {
                return Err(SpecError::BadDomain {
                    name: name.clone(),
                    problem,
                });
            }
            if self.domains[..i]
                .iter()
                .any(|d| d.eq_ignore_ascii_case(name))
            {
                return Err(SpecError::DuplicateDomain(name.clone()));
            }
        }
        Ok(())
    }

    fn validate_defects(&self) -> Result<(), SpecError> {
        if self.service_accounts > self.users {
            return Err(SpecError::TooManyServiceAccounts {
                service: self.service_accounts,
                users: self.users,
            });
        }
        let d = &self.defects;
        let regular = u64::from(self.regular_users());
        let needed = 2 * u64::from(d.duplicate_upns)
            + 2 * u64::from(d.duplicate_proxy_addresses)
            + u64::from(d.invalid_upns)
            + u64::from(d.too_many_proxy_addresses)
            + u64::from(self.no_sync_users);
        if needed > regular {
            return Err(SpecError::NotEnoughUsers {
                needed,
                available: regular,
            });
        }
        if d.oversized_groups > 0 {
            if regular <= GROUP_MEMBER_LIMIT as u64 {
                return Err(SpecError::NotEnoughUsersForOversizedGroups { users: regular });
            }
            if d.oversized_groups > self.groups {
                return Err(SpecError::NotEnoughGroups {
                    oversized: d.oversized_groups,
                    groups: self.groups,
                });
            }
        }
        Ok(())
    }
}

/// Proxy addresses a user planted with too many carries: just over the limit.
pub(crate) const TOO_MANY_PROXY_ADDRESSES: usize = PROXY_ADDRESSES_MAX + 5;

/// Why `name` is not a DNS domain name, or `None`.
fn dns_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 253 {
        return Some("empty or longer than 253 characters");
    }
    if !name.contains('.') {
        return Some("it has no dot");
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Some("a label is empty or longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label starts or ends with '-'");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some("a label holds a character other than a letter, digit or '-'");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_spec_is_valid() {
        assert_eq!(DirectorySpec::default().validate(), Ok(()));
    }

    #[test]
    fn the_large_customer_keeps_the_requested_total_up_to_the_maximum() {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "MAX_OBJECTS is ten million, a u32"
        )]
        let max = MAX_OBJECTS as u32;
        for n in [1, 11, 56, 50_000, 1_000_000, max] {
            let s = DirectorySpec::large_customer(n, 1);
            assert_eq!(s.objects_count(), u64::from(n));
            assert_eq!(s.validate(), Ok(()), "{n}");
        }
        assert!(
            DirectorySpec::large_customer(max + 1, 1)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let base = DirectorySpec::default();
        let cases: Vec<(DirectorySpec, &str)> = vec![
            (
                DirectorySpec {
                    users: 10_000_000,
                    ..base.clone()
                },
                "at most 10000000",
            ),
            (
                DirectorySpec {
                    domains: vec![],
                    ..base.clone()
                },
                "no domain",
            ),
            (
                DirectorySpec {
                    domains: vec!["contoso".into()],
                    ..base.clone()
                },
                "no dot",
            ),
            (
                DirectorySpec {
                    domains: vec!["contoso.com".into(), "Contoso.com".into()],
                    ..base.clone()
                },
                "twice",
            ),
            (
                DirectorySpec {
                    ou_depth: 10,
                    ou_fan_out: 10,
                    ..base.clone()
                },
                "more than 100000 OUs",
            ),
            (
                DirectorySpec {
                    disabled_per_mille: 1001,
                    ..base.clone()
                },
                "disabled_per_mille",
            ),
            (
                DirectorySpec {
                    defects: PlantedDefects {
                        oversized_groups: 1,
                        ..Default::default()
                    },
                    ..base.clone()
                },
                "raise users above 50000",
            ),
            (
                DirectorySpec {
                    users: 3,
                    defects: PlantedDefects {
                        duplicate_upns: 2,
                        ..Default::default()
                    },
                    ..base.clone()
                },
                "need 4 regular users but the spec has 3",
            ),
        ];
        for (spec, expected) in cases {
            let err = spec.validate().expect_err(expected).to_string();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn spec_files_name_only_what_differs_and_typos_are_refused() {
        let spec: DirectorySpec =
            serde_json::from_str(r#"{"users": 5, "defects": {"invalid_upns": 1}}"#).unwrap();
        assert_eq!(spec.users, 5);
        assert_eq!(spec.defects.invalid_upns, 1);
        assert_eq!(spec.groups, DirectorySpec::default().groups);
        let err = serde_json::from_str::<DirectorySpec>(r#"{"userz": 5}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `userz`"));
    }
}
