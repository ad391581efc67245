//! The tenant oracle: what Azure AD should hold, worked out without the system under test, and
//! the object-by-object comparison with what it does hold.
//!
//! It reads ONLY:
//! - on-premises AD as it stands (live objects; tombstones only to name an orphan by its DN);
//! - DirSync's configuration as it was *before the upgrade* ([`Baseline`], snapshotted when the
//!   world is built): scope filters, the sign-in (alternate login ID) attribute, password sync;
//! - the tenant's cloud-only objects as they were planted when the world was built, and the
//!   tenant's soft-match switch;
//! - the tenant as it stands, as the thing being judged.
//!
//! It must NOT read any Connect server's configuration, the settings document, connector
//! spaces, the metaverse, nor use the sync engine's code (`sync::rules`, `model::Scope`): scoping
//! and the outbound value of each attribute are written again here, short enough to check by eye.
//!
//! The rules it applies:
//! - **Scope** (DirSync's filtering, "Azure AD Connect sync: Configure filtering" on Microsoft
//!   Learn): critical system objects never sync; a domain filter keeps objects of the listed
//!   domains; OU filters keep objects below an included OU and not below an excluded one; users
//!   need a sAMAccountName, are not the sync service accounts (`MSOL_`, `AAD_`) and match no
//!   attribute filter; contacts must be mail-enabled; groups otherwise sync.
//! - **Values**: every attribute is AD's value, except a user's userPrincipalName, which is the
//!   sign-in attribute's value, falling back to userPrincipalName when that is empty;
//!   accountEnabled is bit 2 of userAccountControl. The immutableId is the base64 objectGUID.
//! - **Soft match** ("Azure AD UserPrincipalName population" / "soft matching" on Microsoft
//!   Learn): a cloud-only object without an immutableId and without an admin role, of the same
//!   kind, whose UPN (users, when the tenant soft-matches on UPN) or SMTP address equals an
//!   in-scope object's, becomes that synced object. Every other cloud-only object must stay as
//!   it was planted.
//! - **Duplicate attribute resiliency** is the tenant's documented behaviour ("Identity
//!   synchronization and duplicate attribute resiliency"): the tenant keeps both objects,
//!   quarantines the later UPN and drops the later address. The oracle models it as the tenant
//!   does: values are compared as the object was sent (the quarantine is not a wrong value), and
//!   an identity (a user's UPN, another object's primary SMTP address) that two live tenant
//!   objects hold is reported as duplicated.

use crate::ad::ActiveDirectory;
use crate::tenant::{CloudObject, Tenant, TenantObject, fold_hash, smtp_addresses};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::{self, AttrId, Field, RowSet};
use upgrade_lab_model::{
    Attributes, DirectoryObject, ImmutableId, ObjectKind, ScopeFilters, Value, dn,
};

/// What the oracle judges by: DirSync's configuration before the upgrade and the planted tenant.
#[derive(Clone, Debug, Default)]
pub(crate) struct Baseline {
    pub(crate) filters: ScopeFilters,
    /// The attribute flowed to userPrincipalName (`None`: userPrincipalName itself).
    pub(crate) sign_in_attribute: Option<String>,
    pub(crate) soft_match_on_upn: bool,
    /// The cloud-only objects, in the order the tenant stored them (its first objects).
    pub(crate) cloud_objects: Vec<CloudObject>,
}

/// One object the tenant should hold because AD holds it in scope.
#[derive(Clone, Debug)]
pub(crate) struct ExpectedObject {
    pub(crate) immutable_id: ImmutableId,
    pub(crate) kind: ObjectKind,
    pub(crate) dn: Value,
    pub(crate) attrs: Arc<Attributes>,
}

/// The tenant the oracle expects.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExpectedTenant {
    pub(crate) synced: Vec<ExpectedObject>,
    /// Indexes (into `Baseline::cloud_objects`) of the cloud-only objects that must stay as
    /// planted; the others are soft-matched by an in-scope object.
    pub(crate) cloud_untouched: Vec<usize>,
}

/// At most this many objects are named per verdict (the count is always complete).
pub(crate) const NAMED_OBJECTS: usize = 20;
/// At most this many differing attributes are shown per object.
const SHOWN_ATTRIBUTES: usize = 3;

/// An object a verdict names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// The DN when AD has or had it; else how the tenant shows it.
    pub name: String,
    /// The AD DN, when AD has or had the object.
    pub dn: Option<String>,
    /// The immutableId (base64 of the objectGUID's Windows byte order), when known.
    pub immutable_id: Option<String>,
}

/// One attribute with a wrong value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttributeDiff {
    /// The Azure AD attribute name (or `kind`, `immutableId`, `deleted`).
    pub attribute: &'static str,
    /// The value the oracle expects, as text.
    pub expected: String,
    /// The value the tenant holds, as text.
    pub actual: String,
}

/// An object whose values differ from what they should be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WrongObject {
    /// The object.
    pub object: ObjectRef,
    /// The first few differences (`kind`, `immutableId`, `deleted` or attribute names).
    pub differences: Vec<AttributeDiff>,
}

/// Tenant versus the oracle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TenantCheck {
    /// AD objects in the baseline's scope: the synced objects the tenant should hold.
    pub in_scope: u64,
    /// In-scope AD objects without a tenant object carrying their immutableId.
    pub missing: Vec<ObjectRef>,
    /// In-scope AD objects whose identity another live tenant object also holds.
    pub duplicated: Vec<ObjectRef>,
    /// Synced tenant objects whose kind or values differ from the expected ones.
    pub stale: Vec<WrongObject>,
    /// Synced tenant objects without an in-scope source.
    pub orphaned: Vec<ObjectRef>,
    /// Cloud-only objects that should be untouched and are not.
    pub cloud_changed: Vec<WrongObject>,
}

impl TenantCheck {
    /// True when nothing is missing, duplicated, stale, orphaned or changed in the cloud.
    pub fn equals_directory(&self) -> bool {
        self.missing.is_empty()
            && self.duplicated.is_empty()
            && self.stale.is_empty()
            && self.orphaned.is_empty()
            && self.cloud_changed.is_empty()
    }
}

/// A filter compiled once: lower-case domains, normalised OU DNs.
struct ScopeRules<'a> {
    domains: Vec<String>,
    included: Vec<String>,
    excluded: Vec<String>,
    filters: &'a ScopeFilters,
}

impl<'a> ScopeRules<'a> {
    fn new(filters: &'a ScopeFilters) -> Self {
        let ous = |v: &Vec<String>| v.iter().map(|o| format!(",{}", dn::normalize(o))).collect();
        Self {
            domains: filters.domains.iter().map(|d| d.to_lowercase()).collect(),
            included: ous(&filters.included_ous),
            excluded: ous(&filters.excluded_ous),
            filters,
        }
    }

    fn in_scope(&self, o: &DirectoryObject) -> bool {
        let a = &o.attrs;
        if a.is_critical_system_object() {
            return false;
        }
        if !self.domains.is_empty() && !self.domains.contains(&dn::domain_of(&o.dn)) {
            return false;
        }
        if !self.included.is_empty() || !self.excluded.is_empty() {
            let n = dn::normalize(&o.dn);
            let below = |ou: &String| n.ends_with(ou.as_str());
            let included = self.included.is_empty() || self.included.iter().any(below);
            if !included || self.excluded.iter().any(below) {
                return false;
            }
        }
        match o.kind {
            ObjectKind::User => {
                let Some(sam) = a.sam_account_name() else {
                    return false;
                };
                let service = sam.starts_with("MSOL_") || sam.starts_with("AAD_");
                let filtered = self
                    .filters
                    .attribute_filters
                    .iter()
                    .any(|f| a.get_text(&f.attribute).as_deref() == Some(f.value.as_str()));
                !service && !filtered
            }
            ObjectKind::Contact => {
                let has_at = |v: Option<&str>| v.is_some_and(|v| v.contains('@'));
                has_at(a.mail()) || has_at(a.primary_smtp())
            }
            ObjectKind::Group => true,
        }
    }
}

/// The values Azure AD should hold for an in-scope AD object.
fn outbound(o: &DirectoryObject, sign_in: Option<&str>) -> Arc<Attributes> {
    let Some(attr) = sign_in.filter(|s| !s.eq_ignore_ascii_case("userPrincipalName")) else {
        return o.attrs.clone();
    };
    if o.kind != ObjectKind::User {
        return o.attrs.clone();
    }
    let value = o.attrs.get_text(attr).filter(|v| !v.is_empty());
    let upn = value.as_deref().or_else(|| o.attrs.user_principal_name());
    if upn == o.attrs.user_principal_name() {
        return o.attrs.clone();
    }
    let mut attrs = (*o.attrs).clone();
    attrs.set_text(Field::UserPrincipalName, upn);
    Arc::new(attrs)
}

/// The tenant DirSync's pre-upgrade configuration defines over AD as it stands.
pub(crate) fn expected_tenant(baseline: &Baseline, ad: &ActiveDirectory) -> ExpectedTenant {
    let scope = ScopeRules::new(&baseline.filters);
    let sign_in = baseline.sign_in_attribute.as_deref();
    let synced: Vec<ExpectedObject> = ad
        .live_objects()
        .filter(|o| scope.in_scope(o))
        .map(|o| ExpectedObject {
            immutable_id: o.guid.immutable_id(),
            kind: o.kind,
            dn: o.dn.clone(),
            attrs: outbound(o, sign_in),
        })
        .collect();
    // Soft-match keys of the synced objects: (kind, folded UPN or SMTP address).
    let mut keys: FxHashSet<(ObjectKind, u64)> = FxHashSet::default();
    for e in &synced {
        if baseline.soft_match_on_upn && e.kind == ObjectKind::User {
            keys.extend(
                e.attrs
                    .user_principal_name()
                    .map(|u| (e.kind, fold_hash(u))),
            );
        }
        keys.extend(e.attrs.primary_smtp().map(|s| (e.kind, fold_hash(s))));
    }
    let cloud_untouched = baseline
        .cloud_objects
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let matchable = c.immutable_id.is_none() && !c.admin_role;
            let upn = c.attrs.user_principal_name().into_iter();
            let hit = upn
                .chain(smtp_addresses(&c.attrs))
                .any(|v| keys.contains(&(c.kind, fold_hash(v))));
            !(matchable && hit)
        })
        .map(|(i, _)| i)
        .collect();
    ExpectedTenant {
        synced,
        cloud_untouched,
    }
}

/// The rows of the published attribute lists the oracle compares for an object of `kind`
/// written by `writer`: DirSync's list always (what DirSync was configured to do), and
/// Connect's additions once Connect's rules wrote the object. Rows whose value is the object
/// itself (its DN, its source anchor) are judged by existence and immutableId instead.
fn compared_rows(kind: ObjectKind, written_by_connect: bool) -> RowSet {
    attribute_flow::flowed_rows(kind, written_by_connect) & !attribute_flow::DERIVED_ROWS
}

/// The Azure AD names of the compared attributes whose values differ.
#[cfg(test)]
pub(crate) fn differing_attributes(
    expected: &Attributes,
    actual: &Attributes,
    rows: RowSet,
) -> Vec<&'static str> {
    attribute_flow::ids(expected.differing_rows(actual) & rows)
        .map(|id| id.flow().aad_name)
        .collect()
}

/// A row's values as people read them: `(none)`, one value, or `[a, b]`.
fn shown(a: &Attributes, id: AttrId) -> String {
    let values = a.values(id);
    match values.as_slice() {
        [] => "(none)".to_string(),
        [one] => one.to_string(),
        many => {
            let v: Vec<&str> = many.iter().map(|v| &**v).collect();
            format!("[{}]", v.join(", "))
        }
    }
}

/// The first few differences with their values.
fn attribute_diffs(expected: &Attributes, actual: &Attributes, rows: RowSet) -> Vec<AttributeDiff> {
    attribute_flow::ids(expected.differing_rows(actual) & rows)
        .take(SHOWN_ATTRIBUTES)
        .map(|id| AttributeDiff {
            attribute: id.flow().aad_name,
            expected: shown(expected, id),
            actual: shown(actual, id),
        })
        .collect()
}

fn diff(attribute: &'static str, expected: &dyn ToString, actual: &dyn ToString) -> AttributeDiff {
    AttributeDiff {
        attribute,
        expected: expected.to_string(),
        actual: actual.to_string(),
    }
}

fn ad_ref(dn: &Value, id: &ImmutableId) -> ObjectRef {
    ObjectRef {
        name: dn.to_string(),
        dn: Some(dn.to_string()),
        immutable_id: Some(id.to_string()),
    }
}

/// Judges the tenant against the oracle.
/// A user whose sign-in value Azure AD refuses (`IdentityDataValidationFailed`) is never in the
/// tenant, under DirSync as under Connect: an export error, not a loss. Whether the value is
/// refused is Azure AD's rule (`model::validate`), judged on the value the oracle expects.
fn refused_by_azure_ad(e: &ExpectedObject) -> bool {
    e.kind == ObjectKind::User
        && e.attrs
            .user_principal_name()
            .is_some_and(|u| upgrade_lab_model::validate::upn_problem(u).is_some())
}

pub(crate) fn check(baseline: &Baseline, ad: &ActiveDirectory, tenant: &Tenant) -> TenantCheck {
    let expected = expected_tenant(baseline, ad);
    let mut check = TenantCheck {
        in_scope: expected.synced.len() as u64,
        ..TenantCheck::default()
    };
    let holders = identity_holders(tenant);
    let mut anchors: FxHashSet<&ImmutableId> = FxHashSet::default();
    for e in &expected.synced {
        anchors.insert(&e.immutable_id);
        if refused_by_azure_ad(e) {
            continue;
        }
        let name = || ad_ref(&e.dn, &e.immutable_id);
        match tenant
            .get(&e.immutable_id)
            .filter(|t| t.immutable_id.as_ref() == Some(&e.immutable_id))
        {
            None => check.missing.push(name()),
            Some(t) => {
                let mut differences = Vec::new();
                if t.kind != e.kind {
                    differences.push(diff("kind", &e.kind.as_str(), &t.kind.as_str()));
                }
                let by_connect = t.flow.is_some_and(super::sync::rules::FlowSet::is_connect);
                let rows = compared_rows(e.kind, by_connect);
                differences.extend(attribute_diffs(&e.attrs, &t.attrs, rows));
                if !differences.is_empty() {
                    check.stale.push(WrongObject {
                        object: name(),
                        differences,
                    });
                }
            }
        }
        let identity = match e.kind {
            ObjectKind::User => e.attrs.user_principal_name(),
            _ => e.attrs.primary_smtp(),
        };
        if identity.is_some_and(|i| holders.get(&fold_hash(i)).copied().unwrap_or(0) > 1) {
            check.duplicated.push(name());
        }
    }
    check.cloud_changed = cloud_changes(baseline, &expected.cloud_untouched, tenant);
    check.orphaned = orphans(baseline, &expected.cloud_untouched, &anchors, ad, tenant);
    check
}

/// How many live tenant objects hold each identity value (an object counts once per value).
fn identity_holders(tenant: &Tenant) -> FxHashMap<u64, u32> {
    let mut holders: FxHashMap<u64, u32> = FxHashMap::default();
    let mut mine: Vec<u64> = Vec::new();
    for o in tenant.objects() {
        mine.clear();
        mine.extend(o.attrs.user_principal_name().iter().map(|u| fold_hash(u)));
        mine.extend(smtp_addresses(&o.attrs).map(fold_hash));
        mine.sort_unstable();
        mine.dedup();
        for h in &mine {
            *holders.entry(*h).or_default() += 1;
        }
    }
    holders
}

fn cloud_name(kind: ObjectKind, a: &Attributes) -> String {
    let shown = a
        .user_principal_name()
        .or(a.primary_smtp())
        .or(a.display_name())
        .unwrap_or("(unnamed)");
    format!("cloud-only {} {shown}", kind.as_str())
}

/// Cloud-only objects that should be as planted and are not.
fn cloud_changes(baseline: &Baseline, untouched: &[usize], tenant: &Tenant) -> Vec<WrongObject> {
    let mut out = Vec::new();
    for &i in untouched {
        let planted = &baseline.cloud_objects[i];
        let Some(now) = tenant.objects.get(i) else {
            continue;
        };
        let mut differences = Vec::new();
        let id = |o: Option<&ImmutableId>| {
            o.map_or("(none)".to_string(), std::string::ToString::to_string)
        };
        if now.deleted {
            differences.push(diff("deleted", &false, &true));
        } else {
            if now.kind != planted.kind {
                differences.push(diff("kind", &planted.kind.as_str(), &now.kind.as_str()));
            }
            if now.immutable_id != planted.immutable_id {
                let (e, a) = (
                    id(planted.immutable_id.as_ref()),
                    id(now.immutable_id.as_ref()),
                );
                differences.push(diff("immutableId", &e, &a));
            }
            // A cloud-only object must keep every value it was planted with.
            differences.extend(attribute_diffs(&planted.attrs, &now.attrs, RowSet::MAX));
        }
        if !differences.is_empty() {
            out.push(WrongObject {
                object: ObjectRef {
                    name: cloud_name(planted.kind, &planted.attrs),
                    dn: None,
                    immutable_id: planted
                        .immutable_id
                        .as_ref()
                        .map(std::string::ToString::to_string),
                },
                differences,
            });
        }
    }
    out
}

/// Synced tenant objects no in-scope AD object accounts for, named by DN when AD has or had it.
fn orphans(
    baseline: &Baseline,
    untouched: &[usize],
    anchors: &FxHashSet<&ImmutableId>,
    ad: &ActiveDirectory,
    tenant: &Tenant,
) -> Vec<ObjectRef> {
    let planted = |i: usize, t: &TenantObject| {
        untouched.contains(&i)
            && baseline.cloud_objects[i].immutable_id.is_some()
            && baseline.cloud_objects[i].immutable_id == t.immutable_id
    };
    let ids: Vec<&ImmutableId> = tenant
        .objects
        .iter()
        .enumerate()
        .filter(|(i, t)| !t.deleted && !planted(*i, t))
        .filter_map(|(_, t)| t.immutable_id.as_ref())
        .filter(|id| !anchors.contains(id))
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    // Every AD entry, tombstones included, by immutableId (only when there are orphans).
    let wanted: FxHashSet<&ImmutableId> = ids.iter().copied().collect();
    let mut dns: FxHashMap<ImmutableId, Value> = FxHashMap::default();
    for e in ad.changes_after_usn(0) {
        let id = e.object.guid.immutable_id();
        if wanted.contains(&id) {
            dns.insert(id, e.object.dn.clone());
        }
    }
    ids.into_iter()
        .map(|id| match dns.get(id) {
            Some(dn) => ad_ref(dn, id),
            None => ObjectRef {
                name: id.to_string(),
                dn: None,
                immutable_id: Some(id.to_string()),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::ObjectGuid;
    use upgrade_lab_model::{PackedTexts, attribute_flow::Field};

    fn user(dn: &str, sam: &str, upn: &str, mail: Option<&str>) -> DirectoryObject {
        DirectoryObject {
            guid: ObjectGuid::default(),
            kind: ObjectKind::User,
            dn: Value::from(dn),
            attrs: Arc::new(Attributes::with_texts(PackedTexts::of_some(&[
                (Field::SamAccountName, Some(sam)),
                (Field::UserPrincipalName, Some(upn)),
                (Field::Mail, mail),
            ]))),
            usn_changed: 1,
            when_changed_ms: 0,
        }
    }

    #[test]
    fn scope_follows_domain_ou_attribute_filters_and_default_rules() {
        let filters = ScopeFilters {
            domains: vec!["contoso.com".into()],
            included_ous: vec!["OU=Staff,DC=contoso,DC=com".into()],
            excluded_ous: vec!["OU=Old,OU=Staff,DC=contoso,DC=com".into()],
            attribute_filters: vec![upgrade_lab_model::AttributeFilter {
                attribute: "mail".into(),
                value: "skip@contoso.com".into(),
            }],
        };
        let s = ScopeRules::new(&filters);
        let u = |dn, sam| user(dn, sam, "a@contoso.com", None);
        assert!(s.in_scope(&u("CN=a,OU=Staff,DC=contoso,DC=com", "a")));
        assert!(!s.in_scope(&u("CN=a,OU=Staff,DC=emea,DC=contoso,DC=com", "a")));
        assert!(!s.in_scope(&u("CN=a,OU=Lab,DC=contoso,DC=com", "a")));
        assert!(!s.in_scope(&u("CN=a,OU=Old,OU=Staff,DC=contoso,DC=com", "a")));
        assert!(!s.in_scope(&u("CN=a,OU=Staff,DC=contoso,DC=com", "MSOL_1")));
        let filtered = user(
            "CN=a,OU=Staff,DC=contoso,DC=com",
            "a",
            "a@x",
            Some("skip@contoso.com"),
        );
        assert!(!s.in_scope(&filtered));
    }

    #[test]
    fn the_sign_in_attribute_gives_the_upn_and_falls_back_when_empty() {
        let with = user(
            "CN=a,DC=contoso,DC=com",
            "a",
            "a@contoso.local",
            Some("ann@contoso.com"),
        );
        let out = outbound(&with, Some("mail"));
        assert_eq!(out.user_principal_name(), Some("ann@contoso.com"));
        assert_eq!(
            differing_attributes(&with.attrs, &out, RowSet::MAX),
            vec!["userPrincipalName"]
        );
        let without = user("CN=b,DC=contoso,DC=com", "b", "b@contoso.local", None);
        assert!(Arc::ptr_eq(
            &outbound(&without, Some("mail")),
            &without.attrs
        ));
    }

    #[test]
    fn every_compared_attribute_is_noticed() {
        let base = Attributes::default();
        let mut changed = base.clone();
        changed.set_user_account_control(Some(514));
        changed.member = vec![Value::from("CN=x")].into_boxed_slice();
        let all = RowSet::MAX;
        assert_eq!(
            differing_attributes(&base, &changed, all),
            vec!["accountEnabled", "member"]
        );
        let d = attribute_diffs(&base, &changed, all);
        assert_eq!(
            (d[0].expected.as_str(), d[0].actual.as_str()),
            ("(none)", "false")
        );
        // Every row of the published lists is compared: a value in any of them is noticed.
        for id in attribute_flow::ids(compared_rows(ObjectKind::User, true)) {
            let mut one = base.clone();
            match id.flow().storage {
                attribute_flow::Storage::Extra => {
                    one.extra = Some(Box::new(upgrade_lab_model::ExtraAttributes::new(vec![(
                        id,
                        Value::from("x"),
                    )])));
                }
                attribute_flow::Storage::Field(_) => continue,
            }
            assert_eq!(
                differing_attributes(&base, &one, all),
                vec![id.flow().aad_name]
            );
        }
        // A group's title is in neither product's list: not compared.
        let mut titled = base.clone();
        titled.set_text(Field::Title, Some("CFO"));
        assert!(
            differing_attributes(&base, &titled, compared_rows(ObjectKind::Group, true)).is_empty()
        );
        // `c` on a user is Connect's addition: compared only once Connect wrote the object.
        let c = attribute_flow::by_ad_name("c").unwrap();
        let mut country = base.clone();
        country.extra = Some(Box::new(upgrade_lab_model::ExtraAttributes::new(vec![(
            c,
            Value::from("NL"),
        )])));
        assert!(
            differing_attributes(&base, &country, compared_rows(ObjectKind::User, false))
                .is_empty()
        );
        assert_eq!(
            differing_attributes(&base, &country, compared_rows(ObjectKind::User, true)),
            vec!["c"]
        );
    }

    /// A converged world with a cloud-only user that soft-matches AD user 0 and one that
    /// matches nobody, and a way to break its tenant on purpose.
    mod planted {
        use crate::generate::{DirectorySpec, generate};
        use crate::tenant::{CloudObject, TenantSpec};
        use crate::world::World;
        use crate::world::report::Violation;
        use upgrade_lab_model::{Attributes, ImmutableId, ObjectKind, Value};
        use upgrade_lab_model::{PackedTexts, attribute_flow::Field};

        fn world() -> (World, Vec<ImmutableId>) {
            let spec = DirectorySpec {
                users: 20,
                groups: 2,
                contacts: 2,
                ..DirectorySpec::default()
            };
            let dir = generate(&spec).unwrap();
            let users: Vec<_> = dir
                .objects
                .iter()
                .filter(|o| o.kind == ObjectKind::User)
                .collect();
            let ids = users.iter().map(|o| o.guid.immutable_id()).collect();
            let cloud = |upn: Option<Value>, name: &str| CloudObject {
                kind: ObjectKind::User,
                attrs: Attributes::with_texts(PackedTexts::of_some(&[
                    (Field::UserPrincipalName, upn.as_deref()),
                    (Field::DisplayName, Some(name)),
                ])),
                immutable_id: None,
                admin_role: false,
            };
            let tenant = TenantSpec {
                cloud_objects: vec![
                    cloud(
                        users[0].attrs.user_principal_name().map(Value::from),
                        "matched",
                    ),
                    cloud(Some(Value::from("cloud@contoso.onmicrosoft.com")), "alone"),
                ],
                ..TenantSpec::default()
            };
            let world = World::builder()
                .directory(dir)
                .tenant(tenant)
                .build()
                .unwrap();
            (world, ids)
        }

        fn kinds(world: &World) -> Vec<&'static str> {
            let mut k: Vec<&'static str> = world
                .report()
                .violations
                .iter()
                .map(|v| match v {
                    Violation::ObjectLost(_) => "lost",
                    Violation::ObjectDuplicated(_) => "duplicated",
                    Violation::ObjectOrphaned(_) => "orphaned",
                    Violation::ObjectStale(_) => "stale",
                    Violation::CloudObjectChanged(_) => "cloud",
                    _ => "other",
                })
                .collect();
            k.sort_unstable();
            k
        }

        fn break_tenant(world: &World, edit: impl FnOnce(&mut crate::tenant::Tenant)) {
            edit(&mut world.shared.state.borrow_mut().tenant);
        }

        #[test]
        fn a_converged_world_with_a_soft_match_holds_every_verdict() {
            let (world, ids) = world();
            let report = world.report();
            assert!(report.converged);
            assert!(report.tenant.equals_directory(), "{:?}", report.tenant);
            assert_eq!(report.tenant.in_scope, 24);
            // The soft-matched cloud user became AD user 0's object.
            let t = &world.shared.state.borrow().tenant;
            assert_eq!(t.objects[0].immutable_id.as_ref(), Some(&ids[0]));
        }

        #[test]
        fn a_deleted_tenant_object_is_lost() {
            let (world, ids) = world();
            break_tenant(&world, |t| {
                let i = t.by_anchor.get(&t.objects, &ids[3]).unwrap() as usize;
                t.objects[i].deleted = true;
            });
            assert_eq!(kinds(&world), vec!["lost"]);
            let lost = &world.report().tenant.missing;
            assert_eq!(lost[0].immutable_id.as_deref(), Some(&*ids[3].to_string()));
            assert!(lost[0].dn.is_some());
        }

        #[test]
        fn a_wrong_value_is_stale_with_expected_and_actual() {
            let (world, ids) = world();
            break_tenant(&world, |t| {
                let i = t.by_anchor.get(&t.objects, &ids[4]).unwrap() as usize;
                let mut attrs = (*t.objects[i].attrs).clone();
                attrs.set_text(Field::Title, Some("Planted"));
                t.objects[i].attrs = attrs.into();
            });
            assert_eq!(kinds(&world), vec!["stale"]);
            let stale = &world.report().tenant.stale[0];
            assert_eq!(stale.differences[0].attribute, "jobTitle");
            assert_eq!(stale.differences[0].actual, "Planted");
        }

        #[test]
        fn a_changed_kind_is_stale() {
            let (world, ids) = world();
            break_tenant(&world, |t| {
                let i = t.by_anchor.get(&t.objects, &ids[5]).unwrap() as usize;
                t.objects[i].kind = ObjectKind::Contact;
            });
            assert_eq!(kinds(&world), vec!["stale"]);
        }

        #[test]
        fn a_synced_object_without_a_source_is_orphaned_by_immutable_id() {
            let (world, _) = world();
            break_tenant(&world, |t| {
                let mut o = t.objects[1].clone();
                o.immutable_id = Some(ImmutableId::new("cGxhbnRlZA=="));
                o.attrs = std::sync::Arc::default();
                t.objects.push(o);
            });
            assert_eq!(kinds(&world), vec!["orphaned"]);
            let o = &world.report().tenant.orphaned[0];
            assert_eq!((o.name.as_str(), o.dn.as_deref()), ("cGxhbnRlZA==", None));
        }

        #[test]
        fn an_identity_two_objects_hold_is_duplicated() {
            let (world, ids) = world();
            break_tenant(&world, |t| {
                let i = t.by_anchor.get(&t.objects, &ids[7]).unwrap() as usize;
                let mut attrs = (*t.objects[i].attrs).clone();
                attrs.set_proxy_addresses::<&str>([]);
                let upn = t.objects[t.by_anchor.get(&t.objects, &ids[6]).unwrap() as usize]
                    .attrs
                    .user_principal_name()
                    .map(str::to_string);
                attrs.set_text(Field::UserPrincipalName, upn.as_deref());
                t.objects[i].attrs = attrs.into();
            });
            // User 6's UPN is held twice; user 7 holds a wrong UPN and lost its addresses.
            assert_eq!(kinds(&world), vec!["duplicated", "stale"]);
        }

        #[test]
        fn a_touched_cloud_only_object_is_reported() {
            let (world, _) = world();
            break_tenant(&world, |t| {
                let mut attrs = (*t.objects[1].attrs).clone();
                attrs.set_text(Field::DisplayName, Some("renamed"));
                t.objects[1].attrs = attrs.into();
            });
            assert_eq!(kinds(&world), vec!["cloud"]);
            let c = &world.report().tenant.cloud_changed[0];
            assert_eq!(
                c.object.name,
                "cloud-only user cloud@contoso.onmicrosoft.com"
            );
            assert_eq!(
                (
                    c.differences[0].expected.as_str(),
                    c.differences[0].actual.as_str()
                ),
                ("alone", "renamed")
            );
        }
    }
}
