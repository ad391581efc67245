//! The sync engine both servers run (DirSync's FIM engine and Connect's ADSync share one model,
//! docs/real-systems.md, "The sync engine"): an AD connector space, an Azure AD connector space, a
//! metaverse, run profiles, pending exports and run history.
//!
//! Run profiles here are plain code in two halves: `plan_*` reads the inputs as they are when a run
//! starts, `commit_*` applies the result when its modelled time has passed
//! (docs/decisions.md, "Runs and time"). The world decides the time between them and which faults
//! interrupt a run.
//!
//! It must not know the clock, faults, servers or the tenant's rules; it talks to AD and the
//! tenant only through the snapshots it is handed.

/// The connector spaces: index-based object stores found by AD's slot or by immutableId.
pub mod connector_space;
pub(crate) mod export;
pub(crate) mod metaverse;
pub(crate) mod pending_export;
/// Outbound attribute-flow rules and which product's set an engine runs (`FlowSet`).
pub mod rules;
pub(crate) mod run_profiles;

use crate::ad::ActiveDirectory;
use connector_space::{AadConnectorSpace, AdConnectorSpace};
use metaverse::Metaverse;
use rules::{FlowSet, OutboundRules};
use upgrade_lab_model::{
    ImmutableId, ObjectCounts, PendingExport, RunRecord, Scope, ScopeFilters, SourceAnchor, Value,
};

/// How a sync engine is configured: scope filters, the outbound rules and delete prevention.
#[derive(Clone, Debug)]
pub struct SyncConfig {
    /// Which AD objects are in scope (OUs, attribute filters).
    pub filters: ScopeFilters,
    /// The attribute objects are anchored on (DirSync: always objectGUID).
    pub source_anchor: SourceAnchor,
    /// The AD attribute that flows to userPrincipalName (`None`: userPrincipalName).
    pub alternate_login_id: Option<String>,
    /// Accidental-delete prevention threshold (`None` = off). Connect: 500.
    pub delete_threshold: Option<u32>,
    /// Which product's attribute-flow rules this engine runs.
    pub flow: FlowSet,
}

/// Counters of one run before the world stamps times and status on it.
pub use upgrade_lab_model::RunStats;

/// One sync engine's database.
#[derive(Debug)]
pub struct SyncEngine {
    /// Scope, anchor, sign-in attribute and rules the engine runs with.
    pub config: SyncConfig,
    pub(crate) scope: Scope,
    pub(crate) rules: OutboundRules,
    /// The AD connector space, by AD's slot.
    pub ad_cs: AdConnectorSpace,
    pub(crate) aad_cs: AadConnectorSpace,
    /// The metaverse: one object per joined identity.
    pub mv: Metaverse,
    /// The USN up to which AD changes have been imported (`None` before a full import).
    pub(crate) ad_watermark: Option<u64>,
    /// The tenant change sequence up to which Azure AD changes have been imported.
    pub(crate) aad_watermark: Option<u64>,
    /// AD connector-space objects with a pending import, for delta synchronization.
    pub(crate) ad_pending: Vec<u32>,
    pub(crate) aad_pending: Vec<u32>,
    /// Azure AD connector-space objects given a pending export since the last export plan,
    /// and those that plan found still pending (an export stays pending until an import
    /// confirms it): a superset of the objects with a pending export, in no order, so that
    /// an export run reads these instead of the whole connector space (a delta cycle every
    /// three hours over ten million objects).
    pub(crate) export_queue: Vec<u32>,
    /// Every run profile run, in order.
    pub history: Vec<RunRecord>,
    /// When the last AD import that completed had started (changes before it are imported).
    pub(crate) last_ad_import_started: Option<upgrade_lab_model::SimTime>,
}

impl SyncEngine {
    pub(crate) fn new(config: SyncConfig, expected_objects: usize) -> Self {
        Self {
            scope: Scope::new(&config.filters),
            rules: OutboundRules::new(config.alternate_login_id.as_deref()),
            config,
            ad_cs: AdConnectorSpace::with_capacity(expected_objects),
            aad_cs: AadConnectorSpace::with_capacity(expected_objects),
            mv: Metaverse::with_capacity(expected_objects),
            ad_watermark: None,
            aad_watermark: None,
            ad_pending: Vec::new(),
            aad_pending: Vec::new(),
            export_queue: Vec::new(),
            history: Vec::new(),
            last_ad_import_started: None,
        }
    }

    /// Users, groups and contacts in the metaverse.
    pub(crate) fn object_counts(&self) -> ObjectCounts {
        metaverse::counts(&self.mv)
    }

    /// Pending exports on the Azure AD connector, csexport's view, in connector-space order.
    pub(crate) fn pending_exports(&self, ad: &ActiveDirectory) -> Vec<PendingExport> {
        self.pending_exports_page(ad, 0, usize::MAX).0
    }

    /// At most `max` pending exports (at least one) from connector-space position `from` on,
    /// and the position of the next one (`None`: none is left).
    pub(crate) fn pending_exports_page(
        &self,
        ad: &ActiveDirectory,
        from: usize,
        max: usize,
    ) -> (Vec<PendingExport>, Option<usize>) {
        // After a takeover every one of a million objects has one, and each costs a few
        // allocations of its own: described in parallel, collected in order straight into
        // the list (an indexed collect: no second copy of the descriptions).
        use rayon::prelude::*;
        let mut objects = self
            .aad_cs
            .iter_from(from)
            .filter_map(|(i, cs)| Some((i, cs, cs.export.as_ref()?)));
        let pending: Vec<(&connector_space::AadCsObject, &connector_space::ExportState)> = objects
            .by_ref()
            .take(max.max(1))
            .map(|(_, cs, e)| (cs, e))
            .collect();
        let next = objects.next().map(|(i, _, _)| i as usize);
        let page = pending
            .par_iter()
            .with_min_len(4096)
            .map(|&(cs, e)| {
                let display = cs
                    .mv
                    .and_then(|m| self.mv.get(m))
                    .map_or_else(|| Value::from(cs.anchor.as_str()), |m| m.dn.clone());
                let mut export = pending_export::describe(cs, e, &display);
                export.changes_source_anchor = self.reanchors(ad, cs);
                export
            })
            .collect();
        (page, next)
    }

    /// Whether provisioning `cs` gives an object Azure AD already holds under its objectGUID
    /// anchor a new source anchor: the add of a second object for it, the first orphaned.
    fn reanchors(&self, ad: &ActiveDirectory, cs: &connector_space::AadCsObject) -> bool {
        if cs.imported.is_some() {
            return false;
        }
        let by_guid: Option<ImmutableId> = cs
            .mv
            .and_then(|m| self.mv.get(m))
            .and_then(|m| m.ad)
            .and_then(|a| self.ad_cs.get(a))
            .and_then(|a| ad.guid_at(a.ad))
            .map(|g| g.immutable_id());
        by_guid.is_some_and(|g| g != cs.anchor && self.aad_cs.find(&g).is_some())
    }

    /// The metaverse object projected from the AD object with this objectGUID.
    pub fn mv_of(&self, ad: &ActiveDirectory, guid: &upgrade_lab_model::ObjectGuid) -> Option<u32> {
        self.ad_cs
            .find_guid(ad, guid)
            .and_then(|i| self.ad_cs.get(i))
            .and_then(|cs| cs.mv)
    }

    /// Forgets every staged import (test affordance for a planted bug: a restart that loses
    /// them).
    #[doc(hidden)]
    pub(crate) fn drop_staged_imports(&mut self) {
        for i in std::mem::take(&mut self.ad_pending) {
            if let Some(cs) = self.ad_cs.get_mut(i) {
                cs.pending = connector_space::PendingImport::None;
            }
        }
        for i in std::mem::take(&mut self.aad_pending) {
            if let Some(cs) = self.aad_cs.get_mut(i) {
                cs.pending = connector_space::PendingImport::None;
            }
        }
    }
}

impl SyncEngine {
    /// Asserts that the joins between the connector spaces and the metaverse agree both ways:
    /// each metaverse object's AD and Azure AD links name connector-space objects that link
    /// back to it, and each connector-space object's link names a metaverse object that links
    /// back. O(objects): the synchronizations run it after a full run in debug builds.
    pub(crate) fn assert_joins(&self) {
        for (m, o) in self.mv.iter() {
            if let Some(a) = o.ad {
                assert!(
                    self.ad_cs.get(a).is_some_and(|cs| cs.mv == Some(m)),
                    "join inconsistent: metaverse object {m} links AD connector-space object \
                     {a}, which does not link back"
                );
            }
            if let Some(a) = o.aad {
                assert!(
                    self.aad_cs.get(a).is_some_and(|cs| cs.mv == Some(m)),
                    "join inconsistent: metaverse object {m} links Azure AD connector-space \
                     object {a}, which does not link back"
                );
            }
        }
        for (a, cs) in self.ad_cs.iter() {
            if let Some(m) = cs.mv {
                assert!(
                    self.mv.get(m).is_some_and(|o| o.ad == Some(a)),
                    "join inconsistent: AD connector-space object {a} links metaverse object \
                     {m}, which does not link back"
                );
            }
        }
        for (a, cs) in self.aad_cs.iter() {
            if let Some(m) = cs.mv {
                assert!(
                    self.mv.get(m).is_some_and(|o| o.aad == Some(a)),
                    "join inconsistent: Azure AD connector-space object {a} links metaverse \
                     object {m}, which does not link back"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::metaverse::MvObject;
    use super::*;
    use std::sync::Arc;
    use upgrade_lab_model::{DirSyncConfig, ImmutableId, ObjectKind, Value};

    fn engine() -> SyncEngine {
        let config = DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        SyncEngine::new(crate::dirsync_server::sync_config(&config), 0)
    }

    fn mv_object(ad: Option<u32>) -> MvObject {
        MvObject {
            anchor: ImmutableId::new("AAAAAAAAAAAAAAAAAAAAAA=="),
            kind: ObjectKind::User,
            dn: Value::from("CN=Ann,DC=contoso,DC=com".to_string()),
            attrs: Arc::default(),
            ad,
            aad: None,
        }
    }

    #[test]
    fn an_empty_engine_and_an_unjoined_object_hold_the_join_invariant() {
        let mut e = engine();
        e.assert_joins();
        e.mv.insert(mv_object(None));
        e.assert_joins();
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "export plan item 3 names no Azure AD connector-space object")]
    fn an_export_plan_naming_a_missing_object_panics() {
        engine().apply_export(&[3], |_, _, _, _| export::WriteResult {
            result: Ok(()),
            stop: false,
        });
    }

    #[test]
    #[should_panic(expected = "join inconsistent: metaverse object 0 links AD connector-space")]
    fn a_metaverse_link_to_a_missing_connector_space_object_panics() {
        let mut e = engine();
        e.mv.insert(mv_object(Some(7)));
        e.assert_joins();
    }
}
