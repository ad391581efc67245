//! How Azure AD answers one export write (docs/real-systems.md, "Hard match and soft match",
//! "Duplicate attribute resiliency", "Export errors, quota and throttling"): hard match on
//! immutableId, soft match on UPN or primary SMTP for objects without an immutableId,
//! duplicate-attribute resiliency (quarantine the UPN, drop the address, record
//! `DirSyncProvisioningErrors`) or, without it, `AttributeValueMustBeUnique`; `InvalidSoftMatch`,
//! `ObjectTypeMismatch`, `LargeObject`, `DataValidationFailed` and the object quota.
//!
//! It must not know who writes or when: the caller books throttle time and ledger entries.

use super::{ProvisioningError, Tenant, TenantObject, smtp_addresses};
use crate::sync::connector_space::AadImage;
use rand::RngExt;
use upgrade_lab_model::constants::PROXY_ADDRESSES_MAX;
use upgrade_lab_model::validate::upn_problem;
use upgrade_lab_model::{ExportOperation, ImmutableId, ObjectKind, Value};

/// The error name a quota refusal carries; an export run stops on it.
pub(crate) const QUOTA_EXCEEDED: &str = "QuotaExceeded";

/// Conflicts of a block's UPN and SMTP addresses with other live objects.
struct Conflicts {
    upn: bool,
    smtp: Vec<String>,
}

/// An index lookup made already, or not.
#[derive(Clone, Copy, Default)]
enum Lookup {
    #[default]
    NotMade,
    /// The live holder found (`None`: no live object holds the value).
    Made(Option<u32>),
}

/// Holders `add` looked up before it writes (the UPN's, the primary SMTP address's), so the
/// conflict check does not look them up again: nothing changes the indices in between.
#[derive(Clone, Copy, Default)]
struct Known<'a> {
    /// The live holder of the block's UPN, when looked up.
    upn: Lookup,
    /// The primary SMTP address (a slice of the block's value) and its live holder.
    primary_smtp: Option<(&'a str, Option<u32>)>,
}

impl Tenant {
    /// Applies one export write and answers with Azure AD's error name on refusal.
    pub(crate) fn apply_write(
        &mut self,
        operation: ExportOperation,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> Result<(), &'static str> {
        let held = self.by_anchor.get(&self.objects, anchor);
        self.apply_write_at(held, operation, anchor, kind, image)
    }

    /// `holds`, then `apply_write`, with the object the anchor's index names (`held`), looked
    /// up already: whether the write changed nothing and the tenant's answer.
    pub(super) fn apply_write_noting_at(
        &mut self,
        held: Option<u32>,
        operation: ExportOperation,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> (Result<(), &'static str>, bool) {
        let unchanged = self.holds_at(held, operation, anchor, image);
        (
            self.apply_write_at(held, operation, anchor, kind, image),
            unchanged,
        )
    }

    /// `apply_write` with the object the anchor's index names (`held`), looked up already.
    fn apply_write_at(
        &mut self,
        held: Option<u32>,
        operation: ExportOperation,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> Result<(), &'static str> {
        let existing = held.filter(|&i| !self.objects[i as usize].deleted);
        match (operation, existing) {
            (ExportOperation::Delete, Some(i)) => {
                self.unindex(i);
                self.stamp(i);
                self.objects[i as usize].deleted = true;
                self.live -= 1;
                Ok(())
            }
            // Deleting what is already gone changes nothing.
            (ExportOperation::Delete, None) => Ok(()),
            (_, Some(i)) => {
                validate(kind, image)?;
                if self.objects[i as usize].kind != kind {
                    return Err("ObjectTypeMismatch");
                }
                self.write(i, anchor, image, Known::default())
            }
            (_, None) => {
                validate(kind, image)?;
                self.add(held, anchor, kind, image)
            }
        }
    }

    /// Whether this write would change nothing: the tenant already holds exactly what it
    /// carries, written by the same product's rules (an add or update of a live object with
    /// these values and this anchor, a delete of an object that product's rules last wrote and
    /// that is gone). Sending it again is a repeated export.
    pub(crate) fn holds(
        &self,
        operation: ExportOperation,
        anchor: &ImmutableId,
        image: &AadImage,
    ) -> bool {
        self.holds_at(
            self.by_anchor.get(&self.objects, anchor),
            operation,
            anchor,
            image,
        )
    }

    /// `holds` with the object the anchor's index names (`held`), looked up already.
    fn holds_at(
        &self,
        held: Option<u32>,
        operation: ExportOperation,
        anchor: &ImmutableId,
        image: &AadImage,
    ) -> bool {
        let Some(i) = held else {
            return false;
        };
        let o = &self.objects[i as usize];
        if o.flow != Some(image.flow) || o.immutable_id.as_ref() != Some(anchor) {
            return false;
        }
        match operation {
            ExportOperation::Delete => o.deleted,
            ExportOperation::Add | ExportOperation::Update => {
                !o.deleted
                    && o.quarantined_upn.is_none()
                    && (std::sync::Arc::ptr_eq(&o.attrs, &image.attrs) || o.attrs == image.attrs)
            }
        }
    }

    /// Creates an object for `anchor` (`held`: the deleted object the anchor names, if any),
    /// or soft-matches a cloud object.
    fn add(
        &mut self,
        held: Option<u32>,
        anchor: &ImmutableId,
        kind: ObjectKind,
        image: &AadImage,
    ) -> Result<(), &'static str> {
        // The conflict check of the write below needs the UPN's holder anyway.
        let upn_holder = image
            .attrs
            .user_principal_name()
            .and_then(|u| self.find_by_upn(u));
        let mut known = Known {
            upn: Lookup::Made(upn_holder),
            primary_smtp: None,
        };
        let by_upn = (self.spec.soft_match_on_upn && kind == ObjectKind::User)
            .then_some(upn_holder)
            .flatten();
        let candidate = by_upn.or_else(|| {
            let primary = image.attrs.primary_smtp()?;
            let holder = self.find_by_smtp(primary);
            known.primary_smtp = Some((primary, holder));
            holder
        });
        if let Some(c) = candidate {
            let co = &self.objects[c as usize];
            if co.immutable_id.is_none() {
                if co.kind != kind {
                    return Err("ObjectTypeMismatch");
                }
                if co.admin_role {
                    return Err("ExistingAdminRoleConflict");
                }
                // Soft match: the cloud object becomes on-premises managed.
                self.by_anchor.insert(&self.objects, anchor, c);
                return self.write(c, anchor, image, known);
            }
            if !self.spec.duplicate_attribute_resiliency {
                return Err("InvalidSoftMatch");
            }
        }
        // The anchor is set by `write` once the values pass the uniqueness checks.
        let i = self.create(None, kind, image)?;
        if held.is_some() {
            // The anchor stops naming the deleted object, whether or not the create succeeds.
            self.by_anchor.remove(&self.objects, anchor);
        }
        // `write` stamps the anchor on the new object; it is indexed once the create succeeded
        // (nothing looks the anchor up in between).
        let r = self.write(i, anchor, image, known);
        if r.is_ok() {
            self.by_anchor.insert(&self.objects, anchor, i);
        } else {
            // The create failed as a whole: nothing stays behind.
            self.objects.pop();
            self.live -= 1;
        }
        r
    }

    /// Creates a live object holding `image` as its writer sent it (`immutable_id`: its
    /// anchor, when it may hold it at once), unless the object quota is reached.
    pub(super) fn create(
        &mut self,
        immutable_id: Option<ImmutableId>,
        kind: ObjectKind,
        image: &AadImage,
    ) -> Result<u32, &'static str> {
        if self.live_count_fast() >= self.quota() {
            return Err(QUOTA_EXCEEDED);
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the quota check above keeps the tenant far below u32::MAX objects"
        )]
        let i = self.objects.len() as u32;
        self.objects.push(TenantObject {
            immutable_id,
            kind,
            attrs: image.attrs.clone(),
            flow: Some(image.flow),
            quarantined_upn: None,
            admin_role: false,
            seq: 0,
            deleted: false,
        });
        self.live += 1;
        Ok(i)
    }

    fn conflicts(&self, me: u32, image: &AadImage, known: Known<'_>) -> Conflicts {
        let upn_holder = match known.upn {
            Lookup::Made(holder) => holder,
            Lookup::NotMade => image
                .attrs
                .user_principal_name()
                .and_then(|u| self.find_by_upn(u)),
        };
        let upn = upn_holder.is_some_and(|h| h != me);
        let holder = |a: &str| match known.primary_smtp {
            Some((p, h)) if std::ptr::eq(p, a) => h,
            _ => self.find_by_smtp(a),
        };
        let smtp = smtp_addresses(&image.attrs)
            .filter(|a| holder(a).is_some_and(|h| h != me))
            .map(str::to_string)
            .collect();
        Conflicts { upn, smtp }
    }

    /// Writes values onto object `i`, resolving duplicates with DAR or refusing them.
    fn write(
        &mut self,
        i: u32,
        anchor: &ImmutableId,
        image: &AadImage,
        known: Known<'_>,
    ) -> Result<(), &'static str> {
        let o = &self.objects[i as usize];
        if std::sync::Arc::ptr_eq(&o.attrs, &image.attrs)
            && o.quarantined_upn.is_none()
            && o.immutable_id.as_ref() == Some(anchor)
        {
            // The same values again (another product's rules, or a re-export): they were
            // checked for uniqueness when first written and are indexed already.
            self.stamp(i);
            self.objects[i as usize].flow = Some(image.flow);
            return Ok(());
        }
        if o.quarantined_upn.is_none()
            && o.immutable_id.as_ref() == Some(anchor)
            && o.attrs.user_principal_name() == image.attrs.user_principal_name()
            && o.attrs.proxy_addresses().eq(image.attrs.proxy_addresses())
            && self.indexed_to(i)
        {
            // Equal UPN and addresses, each indexed to this object (another product's rules
            // exporting the same identity in a new block): no conflict is possible and the
            // index would come out the same, so only the block changes.
            self.stamp(i);
            let o = &mut self.objects[i as usize];
            o.attrs = image.attrs.clone();
            o.flow = Some(image.flow);
            return Ok(());
        }
        let c = self.conflicts(i, image, known);
        if (c.upn || !c.smtp.is_empty()) && !self.spec.duplicate_attribute_resiliency {
            return Err("AttributeValueMustBeUnique");
        }
        // Sequence 0: an object `add` just pushed, never indexed.
        if self.objects[i as usize].seq != 0 {
            self.unindex(i);
        }
        let quarantined = self.record_conflicts(anchor, image, &c);
        self.by_anchor.restamp(&mut self.objects, i, anchor);
        self.stamp(i);
        let o = &mut self.objects[i as usize];
        o.attrs = image.attrs.clone();
        o.flow = Some(image.flow);
        o.quarantined_upn = quarantined;
        self.index(i);
        Ok(())
    }

    /// Duplicate attribute resiliency: each conflict becomes a provisioning error; a
    /// conflicting UPN is quarantined as `<prefix><4 digits>@<initial domain>`, returned.
    fn record_conflicts(
        &mut self,
        anchor: &ImmutableId,
        image: &AadImage,
        c: &Conflicts,
    ) -> Option<Value> {
        let quarantined = if c.upn {
            let upn = image.attrs.user_principal_name().unwrap_or("user");
            let prefix = upn.split('@').next().unwrap_or("user");
            let digits = self.quarantine_rng.random_range(0..10_000u32);
            let q = format!("{prefix}{digits:04}@{}", self.initial_domain);
            self.provisioning_errors.push(ProvisioningError {
                anchor: anchor.clone(),
                attribute: "UserPrincipalName",
                value: upn.to_string(),
            });
            Some(Value::from(q))
        } else {
            None
        };
        for a in &c.smtp {
            self.provisioning_errors.push(ProvisioningError {
                anchor: anchor.clone(),
                attribute: "ProxyAddresses",
                value: format!("SMTP:{a}"),
            });
        }
        quarantined
    }

    /// Whether object `i`'s UPN and every SMTP address are indexed to it.
    fn indexed_to(&self, i: u32) -> bool {
        let o = &self.objects[i as usize];
        o.effective_upn()
            .is_none_or(|u| self.upns.get(&super::fold_hash(u)) == Some(&i))
            && smtp_addresses(&o.attrs).all(|a| self.smtp.get(&super::fold_hash(a)) == Some(&i))
    }

    fn live_count_fast(&self) -> u64 {
        self.live
    }
}

/// Values Azure AD refuses outright (docs/real-systems.md, "Export errors, quota and throttling").
pub(super) fn validate(kind: ObjectKind, image: &AadImage) -> Result<(), &'static str> {
    if kind == ObjectKind::User
        && let Some(upn) = image.attrs.user_principal_name()
        && upn_problem(upn).is_some()
    {
        return Err("DataValidationFailed");
    }
    if image.attrs.proxy_addresses().len() > PROXY_ADDRESSES_MAX {
        return Err("LargeObject");
    }
    Ok(())
}
