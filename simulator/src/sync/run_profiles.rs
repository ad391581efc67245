//! Import and synchronization run profiles (docs/real-systems.md, "The sync engine"): Full/Delta
//! Import on both connectors stage pending imports without touching the metaverse; Full/Delta
//! Synchronization join, project, flow attributes, and provision or deprovision to the Azure AD
//! connector space, staging pending exports.
//!
//! It must not know the clock or the tenant's matching rules: imports receive snapshots.

use super::SyncEngine;
use super::connector_space::ExportState;
use super::connector_space::{AadCsObject, AadImage, AdCsObject, Link, PendingImport};
use super::metaverse::{Metaverse, MvObject, MvValues};
use super::rules::diff;
use crate::ad::{ActiveDirectory, AdEntry};
use rayon::prelude::*;
use std::sync::Arc;
use upgrade_lab_model::{
    Attributes, ExportOperation, ImmutableId, ObjectKind, OutOfScope, RunStats, Scope,
    ScopeFilters, SourceAnchor, Value,
};

/// Items per parallel job: below this a run's per-object work stays on one thread.
const PAR_MIN: usize = 4096;

/// One AD object as an import read it: AD's slot and what the connector space keeps.
#[derive(Debug)]
pub(crate) struct AdImportItem {
    /// AD's slot of the object.
    pub(crate) ad: u32,
    pub(crate) kind: ObjectKind,
    pub(crate) dn: Value,
    pub(crate) attrs: Arc<Attributes>,
    /// A tombstone, or an object that left the selected partitions or OUs.
    pub(crate) gone: bool,
}

/// What an AD import read when it started.
#[derive(Debug)]
pub(crate) struct AdImportPlan {
    pub(crate) full: bool,
    /// Objects read, in AD's storage order.
    pub(crate) items: Vec<AdImportItem>,
    pub(crate) watermark: u64,
}

/// One tenant object as the Azure AD connector reads it (`None` image = deleted).
#[derive(Clone, Debug)]
pub(crate) struct AadImportItem {
    pub(crate) anchor: ImmutableId,
    pub(crate) kind: ObjectKind,
    pub(crate) image: Option<AadImage>,
}

/// What an Azure AD import read when it started.
#[derive(Debug)]
pub(crate) struct AadImportPlan {
    pub(crate) full: bool,
    pub(crate) items: Vec<AadImportItem>,
    pub(crate) watermark: u64,
}

/// Whether the partition (domain) and container (OU) selection of the AD connector excludes
/// the object: such objects are never imported (docs/real-systems.md, "Filtering").
fn outside_partitions(filters: &ScopeFilters, scope: &Scope, e: AdEntry<'_>) -> bool {
    let f = filters;
    if f.domains.is_empty() && f.included_ous.is_empty() && f.excluded_ous.is_empty() {
        return false;
    }
    let o = &e.object;
    matches!(
        scope.why_out_of(o.kind, &o.dn, &o.attrs),
        Some(OutOfScope::Domain | OutOfScope::OrganizationalUnit)
    )
}

impl SyncEngine {
    /// Reads AD for a Full Import (everything in the selected partitions and OUs) or a Delta
    /// Import (changes after the watermark, tombstones included), in AD's storage order (read
    /// in parallel, collected in order; a delta reads only the slots AD changed since).
    pub(crate) fn plan_ad_import(&self, ad: &ActiveDirectory, full: bool) -> AdImportPlan {
        let watermark = ad.highest_usn();
        let (filters, scope) = (&self.config.filters, &self.scope);
        let delta_after = if full { None } else { self.ad_watermark };
        let item = |i: usize, e: AdEntry<'_>| {
            let gone = match delta_after {
                Some(w) if e.object.usn_changed <= w => return None,
                Some(_) => e.deleted || outside_partitions(filters, scope, e),
                None if e.deleted || outside_partitions(filters, scope, e) => return None,
                None => false,
            };
            #[expect(
                clippy::cast_possible_truncation,
                reason = "indices are u32 by design: a world holds a few million objects at most, far below u32::MAX"
            )]
            let ad = i as u32;
            Some(AdImportItem {
                ad,
                kind: e.object.kind,
                dn: e.object.dn.clone(),
                attrs: e.object.attrs.clone(),
                gone,
            })
        };
        let items = match delta_after.and_then(|w| ad.slots_changed_after(w)) {
            Some(slots) => slots
                .par_iter()
                .with_min_len(PAR_MIN)
                .filter_map(|&i| item(i as usize, ad.entry(i as usize)?))
                .collect(),
            None => (0..ad.slot_count())
                .into_par_iter()
                .with_min_len(PAR_MIN)
                .filter_map(|i| item(i, ad.entry(i)?))
                .collect(),
        };
        AdImportPlan {
            full: full || self.ad_watermark.is_none(),
            items,
            watermark,
        }
    }

    fn stage_ad(&mut self, i: u32, p: PendingImport) {
        if let Some(cs) = self.ad_cs.get_mut(i) {
            let was = cs.pending();
            cs.set_pending(match (was, p) {
                (PendingImport::Add, PendingImport::Update) => PendingImport::Add,
                _ => p,
            });
            if was == PendingImport::None {
                self.ad_pending.push(i);
            }
        }
    }

    /// Stages the AD import's changes as pending imports. The metaverse is not touched.
    pub(crate) fn commit_ad_import(&mut self, plan: AdImportPlan) -> RunStats {
        let mut stats = RunStats::default();
        let mut seen = if plan.full {
            vec![false; self.ad_cs.capacity_used() as usize + plan.items.len()]
        } else {
            Vec::new()
        };
        for item in plan.items {
            let found = self.ad_cs.find(item.ad);
            match (found, item.gone) {
                (Some(i), true) => {
                    self.stage_ad(i, PendingImport::Delete);
                    stats.deletes += 1;
                }
                (None, true) => stats.filtered += 1,
                (Some(i), false) => {
                    if plan.full {
                        seen[i as usize] = true;
                    }
                    let Some(cs) = self.ad_cs.get_mut(i) else {
                        continue;
                    };
                    let same = Arc::ptr_eq(&cs.attrs, &item.attrs) && cs.dn == item.dn;
                    if same && cs.pending() != PendingImport::Delete {
                        stats.unchanged += 1;
                    } else {
                        keep_behind(&mut self.mv, cs);
                        cs.dn = item.dn;
                        cs.attrs = item.attrs;
                        self.stage_ad(i, PendingImport::Update);
                        stats.updates += 1;
                    }
                }
                (None, false) => {
                    let i = self
                        .ad_cs
                        .insert(AdCsObject::new(item.ad, item.kind, item.dn, item.attrs));
                    if plan.full {
                        seen.resize(seen.len().max(i as usize + 1), false);
                        seen[i as usize] = true;
                    }
                    self.stage_ad(i, PendingImport::Add);
                    stats.adds += 1;
                }
            }
        }
        if plan.full {
            // Objects a full import no longer sees are obsolete: a pending delete.
            let missing: Vec<u32> = self
                .ad_cs
                .iter()
                .filter(|(i, _)| !seen.get(*i as usize).copied().unwrap_or(false))
                .map(|(i, _)| i)
                .collect();
            for i in missing {
                self.stage_ad(i, PendingImport::Delete);
                stats.deletes += 1;
            }
        }
        self.ad_watermark = Some(plan.watermark);
        stats
    }

    fn stage_aad(&mut self, i: u32, p: PendingImport) {
        if let Some(cs) = self.aad_cs.get_mut(i) {
            let was = cs.pending;
            cs.pending = p;
            if was == PendingImport::None {
                self.aad_pending.push(i);
            }
        }
    }

    /// Stages the Azure AD import's changes, confirming exports whose values came back.
    pub(crate) fn commit_aad_import(&mut self, plan: AadImportPlan) -> RunStats {
        let mut stats = RunStats::default();
        let mut seen = vec![false; self.aad_cs.capacity_used() as usize];
        // Each item's object is looked up in parallel first; a lookup stays good until the
        // loop adds or removes an object (then the rest are looked up again, in order).
        let found: Vec<Option<u32>> = plan
            .items
            .par_iter()
            .with_min_len(PAR_MIN)
            .map_init(
                || None,
                |last, item| self.aad_cs.find_after(&item.anchor, last),
            )
            .collect();
        let mut reshaped = false;
        for (item, found) in plan.items.into_iter().zip(found) {
            let live = self.aad_cs.len();
            let found = if reshaped {
                self.aad_cs.find(&item.anchor)
            } else {
                found
            };
            match found {
                Some(i) => {
                    if let Some(s) = seen.get_mut(i as usize) {
                        *s = true;
                    }
                    self.import_known(i, item.image, &mut stats);
                }
                None if item.image.is_some() => {
                    let i =
                        self.aad_cs
                            .insert(AadCsObject::new(item.anchor, item.kind, item.image));
                    self.stage_aad(i, PendingImport::Add);
                    stats.adds += 1;
                }
                None => stats.unchanged += 1,
            }
            reshaped |= self.aad_cs.len() != live;
        }
        if plan.full {
            let gone: Vec<u32> = self
                .aad_cs
                .iter()
                .filter(|(i, cs)| {
                    cs.has_imported() && !seen.get(*i as usize).copied().unwrap_or(true)
                })
                .map(|(i, _)| i)
                .collect();
            for i in gone {
                self.import_known(i, None, &mut stats);
            }
        }
        self.aad_watermark = Some(plan.watermark);
        stats
    }

    fn import_known(&mut self, i: u32, image: Option<AadImage>, stats: &mut RunStats) {
        let Some(cs) = self.aad_cs.get_mut(i) else {
            return;
        };
        let changed = !cs.imported_is(image.as_ref());
        // An exported value is confirmed when the import brings it back. A delete is
        // done once the object is gone, whoever deleted it: a staging server's pending delete
        // of an object DirSync already deleted has nothing left to do.
        let confirmed = match (&cs.export, &image) {
            (Some(e), Some(img)) if e.operation != ExportOperation::Delete => {
                e.exported_count > 0 && diff(cs.kind, &e.image, img) == 0
            }
            (Some(e), None) => e.operation == ExportOperation::Delete,
            _ => false,
        };
        if confirmed {
            cs.export = None;
        }
        let deleted = image.is_none();
        cs.set_imported(image);
        if deleted && cs.mv.is_none() && cs.export.is_none() {
            self.aad_cs.remove(i);
            stats.deletes += 1;
            return;
        }
        if changed {
            self.stage_aad(
                i,
                if deleted {
                    PendingImport::Delete
                } else {
                    PendingImport::Update
                },
            );
            if deleted {
                stats.deletes += 1;
            } else {
                stats.updates += 1;
            }
        } else {
            stats.unchanged += 1;
        }
    }

    /// Full (every connector-space object) or Delta (pending imports only) Synchronization of
    /// the AD connector: join or project, flow attributes inbound, then outbound. What each
    /// object's own data decides (scope, the anchor a projection takes) is computed in parallel
    /// first; the effects are applied in connector-space order.
    pub(crate) fn sync_ad(&mut self, ad: &ActiveDirectory, full: bool) -> RunStats {
        let mut stats = RunStats::default();
        let work: Vec<u32> = if full {
            self.ad_pending.clear();
            self.ad_cs.iter().map(|(i, _)| i).collect()
        } else {
            std::mem::take(&mut self.ad_pending)
        };
        let prepared: Vec<AdPrep> = work
            .par_iter()
            .with_min_len(PAR_MIN)
            .map_init(|| None, |last, &i| self.prepare_ad(ad, i, full, last))
            .collect();
        let mut dirty: Vec<Outbound> = Vec::with_capacity(work.len());
        for (i, prep) in work.into_iter().zip(prepared) {
            self.sync_ad_object(i, prep, full, &mut stats, &mut dirty);
        }
        self.outbound_all(&dirty);
        if cfg!(debug_assertions) && full {
            self.assert_joins();
        }
        stats
    }

    /// What connector-space object `i`'s own data decides for its synchronization: whether it
    /// is out of scope and, when it would project, its anchor. Read-only: processing another
    /// object changes neither its pending import, its values nor its join.
    /// `last`: the Azure AD object the last anchor looked up led to (see
    /// `AadConnectorSpace::find_after`).
    fn prepare_ad(
        &self,
        ad: &ActiveDirectory,
        i: u32,
        full: bool,
        last: &mut Option<u32>,
    ) -> AdPrep {
        let skip = AdPrep {
            out_of_scope: false,
            anchor: None,
            held_by: AnchorHint::Unknown,
        };
        let Some(cs) = self.ad_cs.get(i) else {
            return skip;
        };
        let pending = cs.pending();
        if pending == PendingImport::Delete || (pending == PendingImport::None && !full) {
            return skip;
        }
        let out_of_scope = self
            .scope
            .why_out_of(cs.kind(), &cs.dn, &cs.attrs)
            .is_some();
        let mut held_by = AnchorHint::Unknown;
        let anchor = (!out_of_scope && cs.mv.is_none()).then(|| {
            if let (SourceAnchor::ConsistencyGuid, Some(c)) =
                (self.config.source_anchor, cs.attrs.consistency_guid())
            {
                c.immutable_id()
            } else {
                let guid = ad.guid_at(cs.ad()).unwrap_or_default();
                let (anchor, holder) = self.shared_anchor(guid, last);
                held_by = holder;
                anchor
            }
        });
        AdPrep {
            out_of_scope,
            anchor,
            held_by,
        }
    }

    fn sync_ad_object(
        &mut self,
        i: u32,
        prep: AdPrep,
        full: bool,
        stats: &mut RunStats,
        dirty: &mut Vec<Outbound>,
    ) {
        let Some(cs) = self.ad_cs.get_mut(i) else {
            return;
        };
        let pending = cs.take_pending();
        if pending == PendingImport::None && !full {
            return;
        }
        let linked = cs.mv.get();
        if pending == PendingImport::Delete {
            if let Some(m) = linked {
                self.delete_mv(m);
            }
            self.ad_cs.remove(i);
            stats.deletes += 1;
            return;
        }
        if prep.out_of_scope {
            // A filtered disconnector: disjoining removes the metaverse object ("Filtering").
            cs.mv = Link::NONE;
            if let Some(m) = linked {
                self.delete_mv(m);
                stats.deletes += 1;
            }
            stats.filtered += 1;
            return;
        }
        let (dn, attrs) = (cs.dn.clone(), cs.attrs.clone());
        let Some(m) = linked else {
            // A metaverse object lives exactly as long as its AD connector, so a new
            // connector never finds one to join: it projects.
            stats.projections += 1;
            let Some(anchor) = prep.anchor else {
                return;
            };
            let m = self.mv.insert(MvObject {
                anchor,
                behind: None,
                ad: Link::to(i),
                aad: Link::NONE,
            });
            if let Some(cs) = self.ad_cs.get_mut(i) {
                cs.mv = Link::to(m);
            }
            dirty.push(Outbound {
                m,
                held_by: prep.held_by,
            });
            return;
        };
        if let Some(mv) = self.mv.get_mut(m) {
            // Without values of its own the object holds the connector's already.
            let flows = mv
                .behind
                .take()
                .is_some_and(|old| !Arc::ptr_eq(&old.attrs, &attrs) || old.dn != dn);
            if flows {
                stats.updates += 1;
            } else {
                stats.unchanged += 1;
            }
            if flows || full {
                dirty.push(Outbound::joined(m));
            }
        }
    }

    /// The immutableId of `guid`, sharing the Azure AD connector space's copy when an import
    /// brought the object already (a server taking over a synced tenant): one string fewer per
    /// object, about 48 MB at 1,000,000. With it, the Azure AD object holding it, which spares
    /// outbound flow a second lookup. `last`: the holder found last (see
    /// `AadConnectorSpace::find_after`).
    fn shared_anchor(
        &self,
        guid: upgrade_lab_model::ObjectGuid,
        last: &mut Option<u32>,
    ) -> (ImmutableId, AnchorHint) {
        if self.aad_cs.is_empty() {
            return (guid.immutable_id(), AnchorHint::Absent);
        }
        let text = guid.immutable_id_text();
        match self
            .aad_cs
            .find_text_after(text.as_str(), last)
            .and_then(|a| Some((a, self.aad_cs.get(a)?)))
        {
            Some((a, cs)) => (cs.anchor.clone(), AnchorHint::At(a)),
            None => (ImmutableId::new(text.as_str()), AnchorHint::Absent),
        }
    }

    /// Removes a metaverse object and deprovisions its Azure AD connector-space object.
    fn delete_mv(&mut self, m: u32) {
        let Some(mv) = self.mv.get(m) else {
            return;
        };
        let aad = mv.aad.get();
        self.mv.remove(m);
        if let Some(a) = aad {
            self.deprovision(a);
        }
    }

    fn deprovision(&mut self, a: u32) {
        let Some(cs) = self.aad_cs.get_mut(a) else {
            return;
        };
        cs.mv = Link::NONE;
        let reached_tenant =
            cs.has_imported() || cs.export.as_ref().is_some_and(|e| e.exported_count > 0);
        if reached_tenant {
            let image = cs
                .imported()
                .or_else(|| cs.export.as_ref().map(|e| e.image.clone()));
            if let Some(image) = image {
                cs.export = Some(ExportState::new(ExportOperation::Delete, image));
                self.export_queue.push(a);
            }
        } else {
            self.aad_cs.remove(a);
        }
    }

    /// Full or Delta Synchronization of the Azure AD connector: joins imported tenant objects to
    /// metaverse objects by source anchor, then re-evaluates outbound flow for joined ones
    /// (each for its own Azure AD object only, so after every join).
    pub(crate) fn sync_aad(&mut self, ad: &ActiveDirectory, full: bool) -> RunStats {
        let mut stats = RunStats::default();
        let work: Vec<u32> = if full {
            self.aad_pending.clear();
            self.aad_cs.iter().map(|(i, _)| i).collect()
        } else {
            std::mem::take(&mut self.aad_pending)
        };
        // The metaverse object each unjoined object's anchor leads to, looked up in parallel
        // (joins change neither anchors nor the AD side); whether it is still free to join is
        // decided in order below.
        let targets: Vec<Option<u32>> = work
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|&a| {
                let cs = self.aad_cs.get(a)?;
                if cs.mv.is_some() || (cs.pending == PendingImport::None && !full) {
                    return None;
                }
                let ad_cs = &self.ad_cs;
                cs.anchor
                    .to_object_guid()
                    .and_then(|g| ad_cs.find_guid(ad, &g))
                    .and_then(|i| ad_cs.get(i))
                    .and_then(|o| o.mv.get())
            })
            .collect();
        let mut flow: Vec<Outbound> = Vec::with_capacity(work.len());
        for (a, target) in work.into_iter().zip(targets) {
            let Some(cs) = self.aad_cs.get_mut(a) else {
                continue;
            };
            let pending = std::mem::replace(&mut cs.pending, PendingImport::None);
            if pending == PendingImport::None && !full {
                continue;
            }
            let m = if let Some(m) = cs.mv.get() {
                m
            } else {
                match target {
                    Some(m) if self.mv.get(m).is_some_and(|o| o.aad.is_none()) => {
                        cs.mv = Link::to(m);
                        if let Some(o) = self.mv.get_mut(m) {
                            o.aad = Link::to(a);
                        }
                        stats.joins += 1;
                        m
                    }
                    _ => {
                        // A disconnector: Connect never deletes what it did not provision.
                        stats.filtered += 1;
                        continue;
                    }
                }
            };
            stats.updates += 1;
            flow.push(Outbound::joined(m));
        }
        self.outbound_all(&flow);
        if cfg!(debug_assertions) && full {
            self.assert_joins();
        }
        stats
    }

    /// Outbound flow for metaverse objects `work`, in order: each chunk's images and export
    /// operations are computed in parallel (read-only), then applied one by one.
    fn outbound_all(&mut self, work: &[Outbound]) {
        for chunk in work.chunks(OUTBOUND_CHUNK) {
            let plans: Vec<Option<OutboundPlan>> = chunk
                .par_iter()
                .with_min_len(PAR_MIN)
                .map(|&o| self.plan_outbound(o))
                .collect();
            for (o, plan) in chunk.iter().zip(plans) {
                if let Some(plan) = plan {
                    self.apply_outbound(o.m, plan);
                }
            }
        }
    }

    /// Metaverse object `m`'s outbound image and, for the Azure AD object it is or would be
    /// joined to now, the operation it needs (`None`: nothing to export).
    fn plan_outbound(&self, Outbound { m, held_by }: Outbound) -> Option<OutboundPlan> {
        let mv = self.mv.get(m)?;
        let kind = self.mv_kind(mv)?;
        let (_, attrs) = self.mv_values(mv)?;
        let image = AadImage {
            attrs: self.rules.outbound(kind, attrs),
            flow: self.config.flow,
        };
        let target = mv
            .aad
            .get()
            .or_else(|| self.unjoined_anchor_holder(&mv.anchor, held_by));
        let decided = target.and_then(|a| {
            self.aad_cs
                .get(a)
                .map(|cs| (a, operation(kind, cs, &image)))
        });
        Some(OutboundPlan {
            kind,
            image,
            decided,
        })
    }

    /// Whether Azure AD object `a` exists and is joined to no metaverse object.
    fn is_unjoined(&self, a: u32) -> bool {
        self.aad_cs.get(a).is_some_and(|c| c.mv.is_none())
    }

    /// The unjoined Azure AD object holding `anchor`, as a lookup would find it, with what the
    /// AD side found (`hint`): the object there while it still holds the anchor (an anchor has
    /// one holder at most); none when no object held it then (since then only provisioning
    /// added holders, and it joins them at once); else a lookup.
    fn unjoined_anchor_holder(&self, anchor: &ImmutableId, hint: AnchorHint) -> Option<u32> {
        let unjoined = |a: &u32| self.is_unjoined(*a);
        let holder = match hint {
            AnchorHint::At(a) if self.aad_cs.get(a).is_some_and(|c| c.anchor == *anchor) => Some(a),
            AnchorHint::Absent => None,
            AnchorHint::At(_) | AnchorHint::Unknown => self.aad_cs.find(anchor),
        };
        let found = holder.filter(unjoined);
        debug_assert_eq!(
            found,
            self.aad_cs.find(anchor).filter(unjoined),
            "a stale anchor hint was used"
        );
        found
    }

    /// The unjoined Azure AD object holding `anchor`, for a metaverse object whose plan
    /// `decided` an operation against the object that held it then, if any. No lookup is
    /// needed: nothing is removed while outbound flow runs and an anchor has one holder at
    /// most, so a holder now either is the planned one or was joined already when planned
    /// (or was provisioned since, joined at once), and a join is not undone here.
    fn unjoined_holder(
        &self,
        anchor: &ImmutableId,
        decided: Option<(u32, Option<ExportOperation>)>,
    ) -> Option<u32> {
        let unjoined = |a: &u32| self.is_unjoined(*a);
        let holder = decided.map(|(a, _)| a).filter(unjoined);
        debug_assert_eq!(
            holder,
            self.aad_cs.find(anchor).filter(unjoined),
            "the anchor's unjoined holder changed since the chunk was planned"
        );
        holder
    }

    /// Outbound provisioning and export attribute flow for one metaverse object, applying its
    /// plan (the operation is recomputed when the plan's Azure AD object is not the one joined).
    fn apply_outbound(&mut self, m: u32, plan: OutboundPlan) {
        let Some(mv) = self.mv.get(m) else {
            return;
        };
        let kind = plan.kind;
        let a = if let Some(a) = mv.aad.get() {
            a
        } else {
            // Reverse join on the anchor before provisioning a new export object. The object
            // the plan found by the anchor still holds it (nothing is removed while outbound
            // flow runs), so while it is unjoined it is the one a lookup would find now.
            let a = match self.unjoined_holder(&mv.anchor, plan.decided) {
                Some(a) => a,
                None => self
                    .aad_cs
                    .insert(AadCsObject::new(mv.anchor.clone(), kind, None)),
            };
            debug_assert!(self.is_unjoined(a), "provisioning joins an unjoined object");
            if let Some(cs) = self.aad_cs.get_mut(a) {
                cs.mv = Link::to(m);
            }
            if let Some(mv) = self.mv.get_mut(m) {
                mv.aad = Link::to(a);
            }
            a
        };
        let Some(cs) = self.aad_cs.get_mut(a) else {
            return;
        };
        let image = plan.image;
        let decided = match plan.decided {
            Some((planned, op)) if planned == a => op,
            _ => operation(kind, cs, &image),
        };
        let Some(operation) = decided else {
            cs.export = None;
            return;
        };
        let mut export = ExportState::new(operation, image);
        if let Some(e) = cs.export.as_ref()
            && e.operation == operation
            && e.image == export.image
        {
            export.keep_memory_of(e);
        }
        cs.export = Some(export);
        self.export_queue.push(a);
    }
}

/// Before an import overwrites `cs`'s DN and attributes: its metaverse object keeps the ones its
/// last synchronization flowed in (unless it keeps older ones already).
fn keep_behind(mv: &mut Metaverse, cs: &AdCsObject) {
    if let Some(o) = cs.mv.get().and_then(|m| mv.get_mut(m))
        && o.behind.is_none()
    {
        o.behind = Some(Box::new(MvValues {
            dn: cs.dn.clone(),
            attrs: cs.attrs.clone(),
        }));
    }
}

/// What `prepare_ad` found for one connector-space object.
struct AdPrep {
    out_of_scope: bool,
    /// The anchor a projection takes (`None`: it would not project).
    anchor: Option<ImmutableId>,
    /// What held `anchor` in the Azure AD connector space when it was taken: a hint for
    /// outbound flow's reverse join.
    held_by: AnchorHint,
}

/// What the AD side found of a projection's anchor in the Azure AD connector space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AnchorHint {
    /// Not looked up (or already joined).
    Unknown,
    /// No object held it.
    Absent,
    /// This object held it (checked again before use).
    At(u32),
}

/// A metaverse object due for outbound flow.
#[derive(Clone, Copy, Debug)]
struct Outbound {
    m: u32,
    /// What held its anchor when the AD side was prepared.
    held_by: AnchorHint,
}

impl Outbound {
    /// A metaverse object whose Azure AD side needs no lookup (joined, or looked up anew).
    fn joined(m: u32) -> Self {
        Self {
            m,
            held_by: AnchorHint::Unknown,
        }
    }
}

/// Metaverse objects whose outbound plans are held at once (about 2 MB of plans).
const OUTBOUND_CHUNK: usize = 65_536;

/// What outbound flow computed for one metaverse object before applying it.
struct OutboundPlan {
    /// The metaverse object's class (its AD connector-space object's).
    kind: ObjectKind,
    image: AadImage,
    /// The Azure AD object the operation was computed against and the operation.
    decided: Option<(u32, Option<ExportOperation>)>,
}

/// The export operation `image` needs on `cs` (`None`: Azure AD holds it already).
fn operation(kind: ObjectKind, cs: &AadCsObject, image: &AadImage) -> Option<ExportOperation> {
    match &cs.imported() {
        None => Some(ExportOperation::Add),
        Some(img) if diff(kind, img, image) != 0 => Some(ExportOperation::Update),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::DirSyncConfig;

    fn attrs(name: &str) -> Arc<Attributes> {
        let mut a = Attributes::default();
        a.set_text(
            upgrade_lab_model::attribute_flow::Field::DisplayName,
            Some(name),
        );
        Arc::new(a)
    }

    #[test]
    fn a_metaverse_object_keeps_what_it_synchronized_until_the_next_synchronization() {
        let config = DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        let mut e = SyncEngine::new(crate::dirsync_server::sync_config(&config), 0);
        let (dn1, a1) = (Value::from("CN=Ann,DC=contoso,DC=com"), attrs("Ann"));
        let i = e.ad_cs.insert(AdCsObject::new(
            0,
            ObjectKind::User,
            dn1.clone(),
            a1.clone(),
        ));
        let m = e.mv.insert(MvObject {
            anchor: ImmutableId::new("AAAAAAAAAAAAAAAAAAAAAA=="),
            behind: None,
            ad: Link::to(i),
            aad: Link::NONE,
        });
        let values = |e: &SyncEngine| {
            let (dn, a) = e.mv_values(e.mv.get(m).unwrap()).unwrap();
            (dn.clone(), a.clone())
        };
        assert_eq!(values(&e), (dn1.clone(), a1.clone()));
        // Two imports before a synchronization: the metaverse keeps the first values.
        for (dn, a) in [
            ("CN=Bob,DC=contoso,DC=com", "Bob"),
            ("CN=Cy,DC=contoso,DC=com", "Cy"),
        ] {
            let cs = e.ad_cs.get_mut(i).unwrap();
            cs.mv = Link::to(m);
            keep_behind(&mut e.mv, cs);
            (cs.dn, cs.attrs) = (Value::from(dn), attrs(a));
            assert_eq!(values(&e), (dn1.clone(), a1.clone()));
        }
        let mut dirty = Vec::new();
        let mut stats = RunStats::default();
        e.ad_cs
            .get_mut(i)
            .unwrap()
            .set_pending(PendingImport::Update);
        let prep = AdPrep {
            out_of_scope: false,
            anchor: None,
            held_by: AnchorHint::Unknown,
        };
        e.sync_ad_object(i, prep, false, &mut stats, &mut dirty);
        let dirty: Vec<u32> = dirty.iter().map(|o| o.m).collect();
        assert_eq!((stats.updates, dirty.as_slice()), (1, [m].as_slice()));
        assert!(e.mv.get(m).unwrap().behind.is_none());
        assert_eq!(values(&e).0, Value::from("CN=Cy,DC=contoso,DC=com"));
    }

    #[test]
    fn an_anchor_hint_is_used_only_while_it_still_answers_as_a_lookup_would() {
        use AnchorHint::{Absent, At, Unknown};
        let config = DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        let mut e = SyncEngine::new(crate::dirsync_server::sync_config(&config), 0);
        let (ann, bob, cy) = (
            ImmutableId::new("AAAAAAAAAAAAAAAAAAAAAA=="),
            ImmutableId::new("BBBBBBBBBBBBBBBBBBBBBB=="),
            ImmutableId::new("CCCCCCCCCCCCCCCCCCCCCC=="),
        );
        let insert = |e: &mut SyncEngine, id: &ImmutableId| {
            e.aad_cs
                .insert(AadCsObject::new(id.clone(), ObjectKind::User, None))
        };
        let a = insert(&mut e, &ann);
        let b = insert(&mut e, &bob);
        assert_eq!(e.unjoined_anchor_holder(&ann, At(a)), Some(a));
        assert_eq!(e.unjoined_anchor_holder(&ann, Unknown), Some(a));
        // A hint to another anchor's object, or to a removed one, is looked past.
        assert_eq!(e.unjoined_anchor_holder(&ann, At(b)), Some(a));
        e.aad_cs.remove(a);
        assert_eq!(e.unjoined_anchor_holder(&ann, At(a)), None);
        let c = insert(&mut e, &ann);
        assert_eq!(e.unjoined_anchor_holder(&ann, At(a)), Some(c));
        assert_eq!(e.unjoined_anchor_holder(&bob, At(c)), Some(b));
        // A joined holder is no answer, whatever the hint; an absent anchor has none.
        e.aad_cs.get_mut(b).unwrap().mv = Link::to(0);
        assert_eq!(e.unjoined_anchor_holder(&bob, At(b)), None);
        assert_eq!(e.unjoined_anchor_holder(&bob, Absent), None);
        assert_eq!(e.unjoined_anchor_holder(&cy, Absent), None);
        assert_eq!(e.unjoined_anchor_holder(&cy, Unknown), None);
    }
}
