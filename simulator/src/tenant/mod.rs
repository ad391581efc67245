//! The Azure AD tenant: objects keyed by immutableId, cloud-only objects a scenario plants,
//! uniqueness of UPN and SMTP addresses, duplicate-attribute resiliency, the object quota, the
//! write throttle, sign-in accounts, password hash sync arrivals and the export ledger.
//!
//! It must not know servers or run profiles: clients call `apply_export` with a client identity
//! and the tenant answers as Azure AD would (docs/real-systems.md, "Hard match and soft match" and
//! the two sections after it).

mod anchors;
pub(crate) mod bulk;
/// What the tenant records: exports, incidents, password syncs, the exporters.
pub mod ledger;
pub(crate) mod matching;
pub(crate) mod throttle;

use crate::sync::connector_space::AadImage;
use crate::sync::rules::FlowSet;
use crate::sync::run_profiles::AadImportItem;
use ledger::Ledger;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;
use std::sync::Arc;
use throttle::WriteThrottle;
use upgrade_lab_model::constants::{TENANT_QUOTA_DEFAULT, TENANT_QUOTA_VERIFIED_DOMAIN};
use upgrade_lab_model::{Attributes, Credential, ImmutableId, ObjectKind, Value};

/// An account that can sign in to the tenant.
#[derive(Clone, Debug)]
pub struct TenantAccount {
    /// The account's name and password.
    pub credential: Credential,
    /// Hybrid Identity Administrator or Global Administrator.
    pub hybrid_identity_admin: bool,
    /// Sign-in fails as with an expired password.
    pub password_expired: bool,
}

/// A cloud-only object present before any sync (soft-match candidates, conflicts).
#[derive(Clone, Debug)]
pub struct CloudObject {
    /// User, group or contact.
    pub kind: ObjectKind,
    /// The object's values.
    pub attrs: Attributes,
    /// An immutableId some other tool stamped (soft match then fails with InvalidSoftMatch).
    pub immutable_id: Option<ImmutableId>,
    /// Holds an admin role: never soft-matched ("Existing Admin Role Conflict").
    pub admin_role: bool,
}

/// The tenant a world starts with.
#[derive(Clone, Debug)]
pub struct TenantSpec {
    /// Duplicate attribute resiliency (on for every tenant since 2016).
    pub duplicate_attribute_resiliency: bool,
    /// `SoftMatchOnUpnEnabled` (default on for new tenants).
    pub soft_match_on_upn: bool,
    /// Whether a domain is verified: raises the quota from 50,000 to 300,000.
    pub verified_domain: bool,
    /// An explicit object quota (a raised quota after a support case).
    pub quota: Option<u64>,
    /// Objects present before any sync, stored first, in this order.
    pub cloud_objects: Vec<CloudObject>,
    /// Extra accounts; the DirSync account is always added.
    pub accounts: Vec<TenantAccount>,
}

impl Default for TenantSpec {
    fn default() -> Self {
        Self {
            duplicate_attribute_resiliency: true,
            soft_match_on_upn: true,
            verified_domain: true,
            quota: None,
            cloud_objects: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

/// One tenant object.
#[derive(Clone, Debug)]
pub struct TenantObject {
    /// The source anchor; `None` for a cloud-only object.
    pub immutable_id: Option<ImmutableId>,
    /// User, group or contact.
    pub kind: ObjectKind,
    /// Values as the last writer sent them (the on-premises values for synced objects).
    pub attrs: Arc<Attributes>,
    /// Which product's rules wrote it; `None` for a cloud-only object.
    pub flow: Option<FlowSet>,
    /// DAR replaced the UPN with this value (`prefix1234@tenant.onmicrosoft.com`).
    pub quarantined_upn: Option<Value>,
    /// Holds an admin role (never soft-matched).
    pub admin_role: bool,
    /// Change sequence (the Azure AD connector's delta watermark).
    pub seq: u64,
    /// Deleted (soft-deleted in Azure AD); kept so the delta import sees it.
    pub deleted: bool,
}

impl TenantObject {
    /// A live object a sync client wrote (it has an immutableId).
    pub fn is_synced(&self) -> bool {
        self.immutable_id.is_some() && !self.deleted
    }

    /// The UPN Azure AD shows.
    pub(crate) fn effective_upn(&self) -> Option<&str> {
        self.quarantined_upn
            .as_deref()
            .or(self.attrs.user_principal_name())
    }
}

/// A `DirSyncProvisioningErrors` entry (docs/real-systems.md, "Duplicate attribute resiliency").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProvisioningError {
    pub(crate) anchor: ImmutableId,
    /// The attribute in conflict: `UserPrincipalName` or `ProxyAddresses`.
    pub attribute: &'static str,
    pub(crate) value: String,
}

/// The tenant.
#[derive(Debug)]
pub struct Tenant {
    pub(crate) initial_domain: String,
    pub(crate) spec: TenantSpec,
    pub(crate) objects: Vec<TenantObject>,
    /// immutableId → object (the anchor index; a deleted object keeps its key).
    pub(crate) by_anchor: anchors::AnchorIndex,
    /// Hash of a lower-cased UPN → its holder (Azure AD keeps UPNs unique).
    pub(crate) upns: FxHashMap<u64, u32>,
    /// Hash of a lower-cased SMTP address → its holder.
    pub(crate) smtp: FxHashMap<u64, u32>,
    pub(crate) seq: u64,
    /// The object each change sequence number went to, in order (`stamped[k]` got `k + 1`):
    /// a delta import reads the objects changed after its watermark from here instead of
    /// scanning every object.
    stamped: Vec<u32>,
    /// Live objects (the quota counts them).
    pub(crate) live: u64,
    pub(crate) throttle: WriteThrottle,
    /// Duplicate-attribute errors, in the order they happened.
    pub provisioning_errors: Vec<ProvisioningError>,
    /// What the tenant recorded: exports, incidents, password syncs.
    pub ledger: Ledger,
    /// Quarantine suffix counter (4 digits drawn from the tenant's seeded stream).
    pub(crate) quarantine_rng: crate::rng::SimRng,
}

/// FxHash of a text compared without ASCII case (as `eq_ignore_ascii_case` compares), eight
/// bytes at a time and without allocating: the tenant hashes every UPN and address it indexes,
/// several times per write. The length goes in first, so the zero padding of the last word
/// cannot make two texts of different lengths alike.
pub(crate) fn fold_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut h = FxHasher::default();
    h.write_usize(bytes.len());
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h.write_u64(ascii_lower_word(u64::from_le_bytes(b)));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h.write_u64(ascii_lower_word(u64::from_le_bytes(b)));
    }
    h.finish()
}

/// Lower-cases the ASCII capitals among eight bytes at once and leaves every other byte (UTF-8
/// continuation and lead bytes included) as it is, as `make_ascii_lowercase` does.
fn ascii_lower_word(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each byte's low seven bits plus an offset stays below 256: no carry between bytes.
    let low7 = w & !HIGH;
    let at_least_a = low7 + ONES * (0x80 - u64::from(b'A'));
    let beyond_z = low7 + ONES * (0x80 - u64::from(b'Z') - 1);
    let capital = at_least_a & !beyond_z & !w & HIGH;
    w | (capital >> 2)
}

/// SMTP addresses (`smtp:` any case) of a block, without the prefix.
pub(crate) fn smtp_addresses(a: &Attributes) -> impl Iterator<Item = &str> {
    a.proxy_addresses().filter_map(|p| {
        p.get(..5)
            .filter(|s| s.eq_ignore_ascii_case("smtp:"))
            .map(|_| &p[5..])
    })
}

impl Tenant {
    pub(crate) fn new(
        initial_domain: &str,
        spec: TenantSpec,
        throttle: WriteThrottle,
        seed: u64,
        expected_objects: usize,
    ) -> Self {
        let mut t = Self {
            initial_domain: initial_domain.to_string(),
            objects: Vec::with_capacity(expected_objects + spec.cloud_objects.len()),
            by_anchor: anchors::AnchorIndex::with_capacity(expected_objects),
            upns: FxHashMap::with_capacity_and_hasher(expected_objects, rustc_hash::FxBuildHasher),
            smtp: FxHashMap::with_capacity_and_hasher(expected_objects, rustc_hash::FxBuildHasher),
            seq: 0,
            stamped: Vec::new(),
            live: 0,
            throttle,
            provisioning_errors: Vec::new(),
            ledger: Ledger::default(),
            quarantine_rng: crate::rng::rng_for(seed, "tenant-quarantine"),
            spec: TenantSpec {
                cloud_objects: Vec::new(),
                ..spec.clone()
            },
        };
        for c in spec.cloud_objects {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
            )]
            let i = t.objects.len() as u32;
            t.live += 1;
            t.objects.push(TenantObject {
                immutable_id: c.immutable_id.clone(),
                kind: c.kind,
                attrs: Arc::new(c.attrs),
                flow: None,
                quarantined_upn: None,
                admin_role: c.admin_role,
                seq: 0,
                deleted: false,
            });
            t.stamp(i);
            if let Some(id) = c.immutable_id {
                t.by_anchor.insert(&t.objects, &id, i);
            }
            t.index(i);
        }
        t
    }

    /// The object quota in force (docs/real-systems.md, "Export errors, quota and throttling").
    pub fn quota(&self) -> u64 {
        self.spec.quota.unwrap_or(if self.spec.verified_domain {
            TENANT_QUOTA_VERIFIED_DOMAIN
        } else {
            TENANT_QUOTA_DEFAULT
        })
    }

    /// Objects the tenant holds, deleted ones left out.
    pub fn live_count(&self) -> u64 {
        self.live
    }

    /// Objects synced from on-premises.
    pub fn synced_count(&self) -> u64 {
        self.objects.iter().filter(|o| o.is_synced()).count() as u64
    }

    /// Every object, deleted ones included, in storage order.
    pub fn objects(&self) -> impl Iterator<Item = &TenantObject> {
        self.objects.iter().filter(|o| !o.deleted)
    }

    /// The object with this immutableId, deleted or not.
    pub fn get(&self, anchor: &ImmutableId) -> Option<&TenantObject> {
        let o = &self.objects[self.by_anchor.get(&self.objects, anchor)? as usize];
        (!o.deleted).then_some(o)
    }

    /// The live object holding this UPN (any case), if any.
    pub(crate) fn find_by_upn(&self, upn: &str) -> Option<u32> {
        let i = *self.upns.get(&fold_hash(upn))?;
        let o = &self.objects[i as usize];
        (!o.deleted
            && o.effective_upn()
                .is_some_and(|u| u.eq_ignore_ascii_case(upn)))
        .then_some(i)
    }

    /// The live object holding this SMTP address (any case), if any.
    pub(crate) fn find_by_smtp(&self, address: &str) -> Option<u32> {
        let i = *self.smtp.get(&fold_hash(address))?;
        let o = &self.objects[i as usize];
        (!o.deleted && smtp_addresses(&o.attrs).any(|a| a.eq_ignore_ascii_case(address)))
            .then_some(i)
    }

    pub(crate) fn index(&mut self, i: u32) {
        let o = &self.objects[i as usize];
        if let Some(u) = o.effective_upn() {
            self.upns.entry(fold_hash(u)).or_insert(i);
        }
        for a in smtp_addresses(&o.attrs) {
            self.smtp.entry(fold_hash(a)).or_insert(i);
        }
    }

    pub(crate) fn unindex(&mut self, i: u32) {
        let o = &self.objects[i as usize];
        if let Some(u) = o.effective_upn() {
            let h = fold_hash(u);
            if self.upns.get(&h) == Some(&i) {
                self.upns.remove(&h);
            }
        }
        for a in smtp_addresses(&o.attrs) {
            let h = fold_hash(a);
            if self.smtp.get(&h) == Some(&i) {
                self.smtp.remove(&h);
            }
        }
    }

    /// Gives object `i` the next change sequence number.
    pub(crate) fn stamp(&mut self, i: u32) {
        self.seq += 1;
        self.objects[i as usize].seq = self.seq;
        self.stamped.push(i);
    }

    /// The objects changed after sequence `seq`, in storage order, each once.
    fn changed_after(&self, seq: u64) -> Option<Vec<u32>> {
        let mut changed = self.stamped.get(usize::try_from(seq).ok()?..)?.to_vec();
        changed.sort_unstable();
        changed.dedup();
        Some(changed)
    }

    /// What the Azure AD connector imports: every synced object (full) or those changed after
    /// `after_seq` including deletions (delta). Returns the items and the new watermark.
    pub(crate) fn read_for_import(&self, after_seq: Option<u64>) -> (Vec<AadImportItem>, u64) {
        use rayon::prelude::*;
        let item = |o: &TenantObject| {
            let wanted = match after_seq {
                Some(w) => o.seq > w,
                None => !o.deleted,
            };
            Some(AadImportItem {
                anchor: o.immutable_id.clone().filter(|_| wanted)?,
                kind: o.kind,
                image: (!o.deleted).then(|| AadImage {
                    attrs: o.attrs.clone(),
                    flow: o.flow.unwrap_or(FlowSet::DirSync),
                }),
            })
        };
        // Read in parallel, collected in storage order; a delta reads the changed objects only.
        let items = match after_seq.and_then(|w| self.changed_after(w)) {
            Some(changed) => changed
                .par_iter()
                .with_min_len(4096)
                .filter_map(|&i| item(self.objects.get(i as usize)?))
                .collect(),
            None => self
                .objects
                .par_iter()
                .with_min_len(4096)
                .filter_map(item)
                .collect(),
        };
        (items, self.seq)
    }

    /// Checks a sign-in: `Ok(is_hybrid_identity_admin)` or the AADSTS error text.
    pub(crate) fn check_sign_in(&self, credential: &Credential) -> Result<bool, (bool, String)> {
        let acct = self.spec.accounts.iter().find(|a| {
            a.credential
                .account
                .eq_ignore_ascii_case(&credential.account)
        });
        match acct {
            Some(a) if a.credential.password.expose() == credential.password.expose() => {
                if a.password_expired {
                    Err((true, "AADSTS50055: The password is expired.".to_string()))
                } else {
                    Ok(a.hybrid_identity_admin)
                }
            }
            _ => Err((
                false,
                "AADSTS50126: Error validating credentials due to invalid username or password. \
                 (Invalid grant)"
                    .to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_delta_read_finds_what_a_scan_of_every_object_finds() {
        use upgrade_lab_model::ExportOperation::{Add, Delete, Update};
        use upgrade_lab_model::attribute_flow::Field;
        let block = |upn: &str| AadImage {
            attrs: Arc::new(Attributes::from_texts(&[(Field::UserPrincipalName, upn)])),
            flow: FlowSet::DirSync,
        };
        let cloud = CloudObject {
            kind: ObjectKind::User,
            attrs: Attributes::from_texts(&[(Field::UserPrincipalName, "c@contoso.com")]),
            immutable_id: None,
            admin_role: false,
        };
        let spec = TenantSpec {
            cloud_objects: vec![cloud],
            ..TenantSpec::default()
        };
        let mut t = Tenant::new("t.onmicrosoft.com", spec, WriteThrottle::new(1, 1), 1, 0);
        let id = |n: u32| ImmutableId::new(&format!("id{n}"));
        let user = ObjectKind::User;
        for n in 0..6 {
            let upn = format!("u{n}@contoso.com");
            t.apply_write(Add, &id(n), user, &block(&upn)).unwrap();
        }
        t.apply_write(Update, &id(2), user, &block("two@contoso.com"))
            .unwrap();
        t.apply_write(Delete, &id(4), user, &block("u4@contoso.com"))
            .unwrap();
        // A soft match of the cloud object, and a refused duplicate UPN (quarantined).
        t.apply_write(Add, &id(9), user, &block("c@contoso.com"))
            .unwrap();
        t.apply_write(Add, &id(7), user, &block("u1@contoso.com"))
            .unwrap();
        t.apply_write(Update, &id(2), user, &block("u2@contoso.com"))
            .unwrap();
        let anchors = |items: Vec<AadImportItem>| -> Vec<(String, bool)> {
            items
                .into_iter()
                .map(|i| (i.anchor.to_string(), i.image.is_some()))
                .collect()
        };
        for w in 0..=t.seq + 1 {
            let scanned: Vec<(String, bool)> = t
                .objects
                .iter()
                .filter(|o| o.seq > w)
                .filter_map(|o| Some((o.immutable_id.as_ref()?.to_string(), !o.deleted)))
                .collect();
            assert_eq!(anchors(t.read_for_import(Some(w)).0), scanned, "after {w}");
        }
    }

    #[test]
    fn every_byte_lowers_as_make_ascii_lowercase_does() {
        for byte in 0..=255u8 {
            let word = u64::from_le_bytes([byte, b'Q', 0xC3, byte, b'z', b'@', byte, 0x80]);
            let mut expected = word.to_le_bytes();
            expected.make_ascii_lowercase();
            assert_eq!(
                ascii_lower_word(word),
                u64::from_le_bytes(expected),
                "{byte}"
            );
        }
    }

    #[test]
    fn texts_that_differ_only_in_trailing_zero_bytes_hash_apart() {
        assert_ne!(fold_hash("ab"), fold_hash("ab\0"));
        assert_ne!(fold_hash(""), fold_hash("\0"));
    }

    proptest! {
        #[test]
        fn texts_equal_without_ascii_case_hash_alike(text in "\\PC{0,40}") {
            prop_assert_eq!(fold_hash(&text), fold_hash(&text.to_ascii_uppercase()));
            prop_assert_eq!(fold_hash(&text), fold_hash(&text.to_ascii_lowercase()));
        }
    }
}
