//! The forest's shape: domains (the first is the forest root) and, below each, a tree of OUs
//! `ou_depth` levels deep with `ou_fan_out` children per level. Objects live in the leaf OUs
//! (or in `CN=Users` when the depth is 0); service accounts in `CN=Users` of the root domain.

use super::spec::DirectorySpec;
use super::tables::Tables;
use crate::rng::rng_for;
use std::sync::Arc;
use upgrade_lab_model::{Domain, OrganizationalUnit, Value, dn};

/// A place objects can be created in.
#[derive(Debug)]
pub(crate) struct Container {
    pub(crate) dn: Value,
    /// Index into `Layout::domains`.
    pub(crate) domain: usize,
}

/// Domains, OUs and the containers objects are spread over.
#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) domains: Vec<Domain>,
    pub(crate) organizational_units: Vec<OrganizationalUnit>,
    /// Leaf containers, domain by domain; objects pick one uniformly.
    pub(crate) containers: Vec<Container>,
    /// `CN=Users` of the forest root, home of the service accounts.
    pub(crate) root_users: Value,
}

impl Layout {
    pub fn build(spec: &DirectorySpec, tables: &Tables) -> Self {
        let mut rng = rng_for(spec.seed, "generate/ous");
        let mut layout = Layout {
            domains: Vec::with_capacity(spec.domains.len()),
            organizational_units: Vec::new(),
            containers: Vec::new(),
            root_users: Arc::from(""),
        };
        for (index, name) in spec.domains.iter().enumerate() {
            let dns_name = name.to_ascii_lowercase();
            let domain_dn = dn::domain_dn(&dns_name);
            let netbios: String = dns_name
                .split('.')
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase()
                .chars()
                .take(15)
                .collect();
            if index == 0 {
                layout.root_users = Arc::from(format!("CN=Users,{domain_dn}"));
            }
            if spec.ou_depth == 0 {
                layout.containers.push(Container {
                    dn: Arc::from(format!("CN=Users,{domain_dn}")),
                    domain: index,
                });
            } else {
                let mut tree = OuTree {
                    spec,
                    tables,
                    rng: &mut rng,
                    layout: &mut layout,
                    domain: index,
                };
                tree.add_children(&domain_dn, 1);
            }
            layout.domains.push(Domain {
                dns_name: Arc::from(dns_name),
                netbios_name: Arc::from(netbios),
            });
        }
        layout
    }
}

struct OuTree<'a> {
    spec: &'a DirectorySpec,
    tables: &'a Tables,
    rng: &'a mut crate::rng::SimRng,
    layout: &'a mut Layout,
    domain: usize,
}

impl OuTree<'_> {
    /// Adds the OUs of `level` below `parent`, depth first so parents precede their children.
    fn add_children(&mut self, parent: &str, level: u32) {
        let offset = super::users::pick(self.rng, 1 << 16);
        for child in 0..self.spec.ou_fan_out {
            let name = ou_name(self.tables, level, child as usize, offset);
            let ou_dn: Value = Arc::from(format!("OU={name},{parent}"));
            self.layout.organizational_units.push(OrganizationalUnit {
                guid: super::random_guid(self.rng),
                dn: ou_dn.clone(),
            });
            if level == self.spec.ou_depth {
                self.layout.containers.push(Container {
                    dn: ou_dn,
                    domain: self.domain,
                });
            } else {
                self.add_children(&ou_dn, level + 1);
            }
        }
    }
}

/// Sites at the first level, departments at the second, numbered units below. Names are taken
/// in table order from a seeded `offset`, so siblings always get distinct names.
fn ou_name(tables: &Tables, level: u32, child: usize, offset: usize) -> String {
    let names: Vec<&str> = match level {
        1 => tables.cities.iter().map(|c| &**c).collect(),
        2 => tables.departments.iter().map(|d| &*d.shown).collect(),
        _ => Vec::new(),
    };
    let len = names.len();
    let name = if len == 0 {
        format!("Unit {}", child + 1)
    } else {
        let first = names[(offset + child) % len];
        match child / len {
            0 => first.to_string(),
            round => format!("{first} {}", round + 1),
        }
    };
    dn::escape(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet;

    #[test]
    fn every_level_has_distinct_sibling_names_even_beyond_the_tables() {
        let spec = DirectorySpec {
            domains: vec!["contoso.com".into(), "emea.contoso.com".into()],
            ou_depth: 3,
            ou_fan_out: 30,
            ..DirectorySpec::default()
        };
        let tables = Tables::build(spec.seed, &spec.domains);
        let layout = Layout::build(&spec, &tables);
        let per_domain = 30 + 30 * 30 + 30 * 30 * 30;
        assert_eq!(layout.organizational_units.len(), 2 * per_domain);
        assert_eq!(layout.containers.len(), 2 * 30 * 30 * 30);
        let dns: FxHashSet<String> = layout
            .organizational_units
            .iter()
            .map(|ou| dn::normalize(&ou.dn))
            .collect();
        assert_eq!(dns.len(), layout.organizational_units.len());
        assert!(
            layout
                .organizational_units
                .iter()
                .all(|ou| dn::is_well_formed(&ou.dn))
        );
        assert_eq!(&*layout.root_users, "CN=Users,DC=contoso,DC=com");
        assert_eq!(&*layout.domains[1].netbios_name, "EMEA");
    }

    #[test]
    fn depth_zero_puts_objects_in_each_domains_users_container() {
        let spec = DirectorySpec {
            domains: vec!["contoso.com".into(), "emea.contoso.com".into()],
            ou_depth: 0,
            ..DirectorySpec::default()
        };
        let tables = Tables::build(spec.seed, &spec.domains);
        let layout = Layout::build(&spec, &tables);
        assert!(layout.organizational_units.is_empty());
        let containers: Vec<&str> = layout.containers.iter().map(|c| &*c.dn).collect();
        assert_eq!(
            containers,
            [
                "CN=Users,DC=contoso,DC=com",
                "CN=Users,DC=emea,DC=contoso,DC=com"
            ]
        );
    }
}
