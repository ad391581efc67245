//! The Export run profile on the Azure AD connector (§2.6, §4.3): collects pending exports
//! (unconfirmed ones again: the engine re-exports until an import confirms, §2.2), stops before
//! deleting anything when the deletes exceed the accidental-delete threshold, and records each
//! export's outcome in the export memory.
//!
//! It must not know the tenant's rules: the world applies each item and hands back results.

use super::SyncEngine;
use super::connector_space::AadImage;
use super::rules::AttrMask;
use upgrade_lab_model::{ExportOperation, ImmutableId, ObjectKind};

/// One write an export run sends.
#[derive(Clone, Debug)]
pub struct ExportItem {
    pub cs: u32,
    pub operation: ExportOperation,
    pub anchor: ImmutableId,
    pub kind: ObjectKind,
    pub image: AadImage,
    pub mask: AttrMask,
}

/// What an export run will do.
#[derive(Debug)]
pub enum ExportPlan {
    /// More pending deletes than the threshold: nothing is exported (§4.3).
    DeletionThresholdExceeded {
        deletes: u64,
        threshold: u32,
    },
    Ready(Vec<ExportItem>),
}

/// The text of application event 116 (source "Directory Synchronization", Warning, §4.3).
pub fn event_116_text(deletes: u64, threshold: u32) -> String {
    format!(
        "Event 116 (Directory Synchronization, Warning): The number of deletions for this sync \
         cycle ({deletes} pending deletes) has exceeded the current threshold of {threshold} \
         objects. Deletions will be suppressed for this sync cycle. Export to Microsoft Entra ID \
         was Stopped. Accidental delete threshold was reached."
    )
}

impl SyncEngine {
    /// The writes of an export run, in connector-space order, unless the threshold stops it.
    pub fn plan_export(&self) -> ExportPlan {
        let items: Vec<ExportItem> = self
            .aad_cs
            .iter()
            .filter_map(|(i, cs)| {
                let e = cs.export.as_ref()?;
                Some(ExportItem {
                    cs: i,
                    operation: e.operation,
                    anchor: cs.anchor.clone(),
                    kind: cs.kind,
                    image: e.image.clone(),
                    mask: e.mask,
                })
            })
            .collect();
        let deletes = items
            .iter()
            .filter(|x| x.operation == ExportOperation::Delete)
            .count() as u64;
        match self.config.delete_threshold {
            Some(threshold) if deletes > u64::from(threshold) => {
                ExportPlan::DeletionThresholdExceeded { deletes, threshold }
            }
            _ => ExportPlan::Ready(items),
        }
    }

    /// Records each write's outcome: success leaves the export unconfirmed until an import
    /// brings the value back; an error keeps it pending with the error's name.
    pub fn commit_export(&mut self, results: &[(u32, Result<(), &'static str>)]) {
        for (i, r) in results {
            if let Some(e) = self.aad_cs.get_mut(*i).and_then(|cs| cs.export.as_mut()) {
                match r {
                    Ok(()) => {
                        e.exported_count += 1;
                        e.last_error = None;
                    }
                    Err(name) => e.last_error = Some(name),
                }
            }
        }
    }
}
