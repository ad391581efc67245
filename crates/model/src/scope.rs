//! Which AD objects are in scope for sync: the configured domain, OU and attribute filters
//! and the default scope rules (service accounts, critical system objects, contacts that are
//! not mail-enabled); see `docs/real-systems.md`, "Filtering" and "The sync engine".

use crate::dirsync::ScopeFilters;
use crate::dn;
use crate::object::{Attributes, DirectoryObject, ObjectKind};

/// Compiled scope filters: DNs normalised once so the per-object test is cheap.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    domains: Vec<String>,
    included_ous: Vec<String>,
    excluded_ous: Vec<String>,
    attribute_filters: Vec<(String, String)>,
}

/// Why an object is out of scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfScope {
    /// In a domain the domain filter leaves out.
    Domain,
    /// Outside the included OUs, or inside an excluded one.
    OrganizationalUnit,
    /// A user whose attribute matches an attribute filter.
    AttributeFilter,
    /// The sync tools' own accounts (`MSOL_…`, `AAD_…`), never synced.
    ServiceAccount,
    /// `isCriticalSystemObject: TRUE` (built-in accounts and groups).
    CriticalSystemObject,
    /// A user without `sAMAccountName`.
    NoSamAccountName,
    /// A contact with neither a `mail` nor a primary SMTP address that holds an `@`.
    ContactNotMailEnabled,
}

impl OutOfScope {
    /// Why, for people (the count tables of `inspect` and `plan`).
    pub fn label(self) -> &'static str {
        match self {
            OutOfScope::Domain => "outside the included domains",
            OutOfScope::OrganizationalUnit => "outside the included OUs",
            OutOfScope::AttributeFilter => "filtered by attribute",
            OutOfScope::ServiceAccount => "sync service accounts (MSOL_, AAD_)",
            OutOfScope::CriticalSystemObject => "critical system objects",
            OutOfScope::NoSamAccountName => "users without sAMAccountName",
            OutOfScope::ContactNotMailEnabled => "contacts not mail-enabled",
        }
    }
}

impl Scope {
    /// The scope DirSync's filters describe (domains and OUs compared as AD compares names).
    pub fn new(filters: &ScopeFilters) -> Self {
        let norm = |v: &Vec<String>| v.iter().map(|d| dn::normalize(d)).collect();
        Self {
            domains: filters
                .domains
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            included_ous: norm(&filters.included_ous),
            excluded_ous: norm(&filters.excluded_ous),
            attribute_filters: filters
                .attribute_filters
                .iter()
                .map(|f| (f.attribute.clone(), f.value.clone()))
                .collect(),
        }
    }

    /// Everything in scope (no filters).
    pub fn everything() -> Self {
        Self::default()
    }

    /// Whether DirSync would sync the object.
    pub fn contains(&self, object: &DirectoryObject) -> bool {
        self.why_out(object).is_none()
    }

    /// `None` when the object is in scope, else the first reason it is not.
    pub fn why_out(&self, object: &DirectoryObject) -> Option<OutOfScope> {
        self.why_out_of(object.kind, &object.dn, &object.attrs)
    }

    /// `why_out` of an object given by its class, DN and attributes (a sync engine's copy of
    /// an object keeps these without the rest of the object).
    pub fn why_out_of(&self, kind: ObjectKind, dn: &str, a: &Attributes) -> Option<OutOfScope> {
        if a.is_critical_system_object() {
            return Some(OutOfScope::CriticalSystemObject);
        }
        if !self.domains.is_empty() && !self.domains.iter().any(|d| in_domain(dn, d)) {
            return Some(OutOfScope::Domain);
        }
        if !self.included_ous.is_empty() || !self.excluded_ous.is_empty() {
            let n = dn::normalize(dn);
            let within = |c: &String| n.ends_with(&format!(",{c}"));
            if self.excluded_ous.iter().any(within)
                || (!self.included_ous.is_empty() && !self.included_ous.iter().any(within))
            {
                return Some(OutOfScope::OrganizationalUnit);
            }
        }
        match kind {
            ObjectKind::User => {
                let Some(sam) = a.sam_account_name() else {
                    return Some(OutOfScope::NoSamAccountName);
                };
                if sam.starts_with("MSOL_") || sam.starts_with("AAD_") {
                    return Some(OutOfScope::ServiceAccount);
                }
                let filtered = self
                    .attribute_filters
                    .iter()
                    .any(|(attr, value)| a.get_text(attr).as_deref() == Some(value.as_str()));
                if filtered {
                    return Some(OutOfScope::AttributeFilter);
                }
            }
            ObjectKind::Contact => {
                let mail_ok = a.mail().is_some_and(|m| m.contains('@'));
                let smtp_ok = a.primary_smtp().is_some_and(|m| m.contains('@'));
                if !(mail_ok || smtp_ok) {
                    return Some(OutOfScope::ContactNotMailEnabled);
                }
            }
            ObjectKind::Group => {}
        }
        None
    }
}

/// Whether `dn`'s domain (its `DC=` values joined with dots, as `dn::domain_of` gives it) is
/// `domain` (lower case, as `Scope::new` keeps it), compared label by label without building
/// the domain's name.
fn in_domain(dn: &str, domain: &str) -> bool {
    let mut labels = domain.split('.');
    let mut count = 0usize;
    for rdn in dn::rdn_iter(dn).filter(|r| dn::rdn_type_is(r, "DC")) {
        let value = rdn.split_once('=').map_or("", |(_, v)| v);
        if value.contains(['\\', '"', '.']) {
            // Escaped or dotted values: compare the name `domain_of` builds.
            return dn::domain_of(dn) == domain;
        }
        if !labels
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(value.trim()))
        {
            return false;
        }
        count += 1;
    }
    if count == 0 {
        return domain.is_empty();
    }
    labels.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute_flow::Field;
    use crate::dirsync::AttributeFilter;
    use crate::ids::ObjectGuid;
    use std::sync::Arc;

    fn user(dn: &str, sam: &str, ext15: Option<&str>) -> DirectoryObject {
        let mut attrs = Attributes::from_texts(&[(Field::SamAccountName, sam)]);
        if let Some(v) = ext15 {
            attrs.set_text(Field::Extension(15), Some(v));
        }
        DirectoryObject {
            guid: ObjectGuid::default(),
            kind: ObjectKind::User,
            dn: Arc::from(dn),
            attrs: Arc::new(attrs),
            usn_changed: 1,
            when_changed_ms: 0,
        }
    }

    #[test]
    fn filters_and_default_rules_decide_scope() {
        let s = Scope::new(&ScopeFilters {
            domains: vec!["contoso.com".into()],
            included_ous: vec!["OU=Staff,DC=contoso,DC=com".into()],
            excluded_ous: vec!["OU=Old,OU=Staff,DC=contoso,DC=com".into()],
            attribute_filters: vec![AttributeFilter {
                attribute: "extensionAttribute15".into(),
                value: "NoSync".into(),
            }],
        });
        assert!(s.contains(&user("CN=a,OU=Staff,DC=contoso,DC=com", "a", None)));
        let out = |dn, sam, e| s.why_out(&user(dn, sam, e));
        assert_eq!(
            out("CN=a,OU=Staff,DC=fabrikam,DC=com", "a", None),
            Some(OutOfScope::Domain)
        );
        assert_eq!(
            out("CN=a,OU=Lab,DC=contoso,DC=com", "a", None),
            Some(OutOfScope::OrganizationalUnit)
        );
        assert_eq!(
            out("CN=a,OU=Old,OU=Staff,DC=contoso,DC=com", "a", None),
            Some(OutOfScope::OrganizationalUnit)
        );
        assert_eq!(
            out("CN=a,OU=Staff,DC=contoso,DC=com", "a", Some("NoSync")),
            Some(OutOfScope::AttributeFilter)
        );
        assert_eq!(
            out("CN=a,OU=Staff,DC=contoso,DC=com", "MSOL_ab12", None),
            Some(OutOfScope::ServiceAccount)
        );
    }

    #[test]
    fn the_domain_test_agrees_with_domain_of() {
        let dns = [
            "CN=a,OU=Staff,DC=contoso,DC=com",
            "CN=a,OU=Staff,DC=Contoso,DC=COM",
            "CN=a,DC=sub,DC=contoso,DC=com",
            "CN=a,DC=contoso",
            "CN=a,OU=x",
            "CN=a,DC=con\\2Ctoso,DC=com",
            "CN=a,DC= contoso ,DC=com",
            "",
        ];
        let domains = [
            "contoso.com",
            "sub.contoso.com",
            "contoso",
            "",
            "com",
            "con,toso.com",
        ];
        for d in dns {
            for domain in domains {
                assert_eq!(
                    in_domain(d, domain),
                    dn::domain_of(d) == domain,
                    "{d:?} in {domain:?}"
                );
            }
        }
    }
}
