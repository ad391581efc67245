//! Pending exports on the Azure AD connector space (§2.2, §2.8): the operation, the export
//! hologram, the attributes it changes, and the export memory (how often it was exported without
//! an import confirming it). Read as `model::PendingExport`, csexport's view.
//!
//! It must not know the tenant: applying an export is the world's job.

use crate::sync::connector_space::{AadCsObject, AadImage};
use crate::sync::rules::{AttrMask, mask_names};
use upgrade_lab_model::{ExportOperation, PendingExport};

/// An unexported, or exported but unconfirmed, change of one Azure AD connector-space object.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportState {
    pub operation: ExportOperation,
    /// The values to write (for deletes: the last known image).
    pub image: AadImage,
    /// The attributes the export changes (empty for deletes).
    pub mask: AttrMask,
    /// Exports of this change not yet confirmed by an import (`C=n` in the UI).
    pub exported_count: u32,
    /// The last export error's name (e.g. `AttributeValueMustBeUnique`).
    pub last_error: Option<&'static str>,
}

/// csexport's view of one pending export.
pub fn describe(cs: &AadCsObject, display: upgrade_lab_model::Value) -> Option<PendingExport> {
    let e = cs.export.as_ref()?;
    Some(PendingExport {
        operation: e.operation,
        kind: cs.kind,
        anchor: cs.anchor.clone(),
        display,
        attributes: if e.operation == ExportOperation::Delete {
            Vec::new()
        } else {
            mask_names(e.mask)
        },
        changes_source_anchor: false,
    })
}
