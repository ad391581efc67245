//! The Export run profile on the Azure AD connector (docs/real-systems.md, "The sync engine",
//! "Prevent accidental deletes"): collects pending exports
//! (unconfirmed ones again: the engine re-exports until an import confirms), stops before
//! deleting anything when the deletes exceed the accidental-delete threshold, and counts each
//! accepted export in the export memory.
//!
//! It must not know the tenant's rules: the world applies each item and hands back results.

use super::SyncEngine;
use super::connector_space::{AadCsObject, AadImage};
use upgrade_lab_model::{ExportOperation, ImmutableId, ObjectKind};

/// What an export run will do.
#[derive(Debug)]
pub(crate) enum ExportPlan {
    /// More pending deletes than the threshold: nothing is exported.
    DeletionThresholdExceeded { deletes: u64, threshold: u32 },
    /// The Azure AD connector-space objects to write, in connector-space order.
    Ready(Vec<u32>),
    /// DirSync's opt-in prevention: above its threshold every delete of the cycle is withheld
    /// and the other changes are exported (DirSync's behaviour in
    /// docs/real-systems.md, "Prevent accidental deletes").
    DeletesWithheld {
        items: Vec<u32>,
        deletes: u64,
        threshold: u32,
    },
}

/// What DirSync reports when it withholds a cycle's deletes (an e-mail is sent).
pub(crate) fn deletes_withheld_text(deletes: u64, threshold: u32) -> String {
    format!(
        "{deletes} pending deletes exceed the accidental-delete threshold of {threshold} \
         (Set-PreventAccidentalDeletes): every delete of this cycle was withheld and an e-mail \
         was sent"
    )
}

/// The text of application event 116 (source "Directory Synchronization", Warning).
pub(crate) fn event_116_text(deletes: u64, threshold: u32) -> String {
    format!(
        "Event 116 (Directory Synchronization, Warning): The number of deletions for this sync \
         cycle ({deletes} pending deletes) has exceeded the current threshold of {threshold} \
         objects. Deletions will be suppressed for this sync cycle. Export to Microsoft Entra ID \
         was Stopped. Accidental delete threshold was reached."
    )
}

/// What the target answered to one write, and whether the run must stop after it.
pub(crate) struct WriteResult {
    pub(crate) result: Result<(), &'static str>,
    pub(crate) stop: bool,
}

impl SyncEngine {
    /// The writes of an export run (unconfirmed ones again), unless the threshold stops it.
    pub(crate) fn plan_export(&mut self) -> ExportPlan {
        let items = self.pending_export_items();
        let deletes = items
            .iter()
            .filter_map(|&i| self.aad_cs.get(i)?.export.as_ref())
            .filter(|e| e.operation == ExportOperation::Delete)
            .count() as u64;
        match self.config.delete_threshold {
            Some(threshold) if deletes > u64::from(threshold) => match self.config.flow {
                super::rules::FlowSet::Connect => {
                    ExportPlan::DeletionThresholdExceeded { deletes, threshold }
                }
                super::rules::FlowSet::DirSync => ExportPlan::DeletesWithheld {
                    items: items
                        .into_iter()
                        .filter(|&i| {
                            self.aad_cs
                                .get(i)
                                .and_then(|cs| cs.export.as_ref())
                                .is_some_and(|e| e.operation != ExportOperation::Delete)
                        })
                        .collect(),
                    deletes,
                    threshold,
                },
            },
            _ => ExportPlan::Ready(items),
        }
    }

    /// The Azure AD connector-space objects with a pending export, in connector-space order,
    /// read from the export queue (which keeps just these).
    fn pending_export_items(&mut self) -> Vec<u32> {
        let aad_cs = &self.aad_cs;
        let queue = &mut self.export_queue;
        queue.sort_unstable();
        queue.dedup();
        queue.retain(|&i| aad_cs.get(i).is_some_and(|cs| cs.export.is_some()));
        debug_assert_eq!(
            *queue,
            aad_cs
                .iter()
                .filter(|(_, cs)| cs.export.is_some())
                .map(|(i, _)| i)
                .collect::<Vec<u32>>(),
            "the export queue misses a pending export"
        );
        queue.clone()
    }

    /// Sends each planned write through `write` and counts the accepted ones in the export
    /// memory: success leaves the export unconfirmed until an import brings the value back; an
    /// error keeps it pending (the run's error list names it). No per-item copy is made.
    pub(crate) fn apply_export(
        &mut self,
        items: &[u32],
        mut write: impl FnMut(ExportOperation, &ImmutableId, ObjectKind, &AadImage) -> WriteResult,
    ) {
        for &i in items {
            debug_assert!(
                self.aad_cs.get(i).is_some_and(|cs| cs.export.is_some()),
                "export plan item {i} names no Azure AD connector-space object with a pending \
                 export"
            );
            let Some(AadCsObject {
                anchor,
                kind,
                export: Some(e),
                ..
            }) = self.aad_cs.get_mut(i)
            else {
                continue;
            };
            let r = write(e.operation, anchor, *kind, &e.image);
            if r.result.is_ok() {
                e.exported_count += 1;
            }
            if r.stop {
                return;
            }
        }
    }
}
