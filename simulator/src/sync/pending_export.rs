//! Pending exports on the Azure AD connector space (docs/real-systems.md, "The sync engine"): the
//! operation, the export hologram, the attributes it changes, and the export memory (how often it
//! was exported without an import confirming it). Read as `model::PendingExport`, csexport's view.
//!
//! It must not know the tenant: applying an export is the world's job.

use crate::sync::connector_space::{AadCsObject, ExportState};
use crate::sync::rules::{self, ExportObject};
use upgrade_lab_model::{ExportOperation, PendingExport};

/// csexport's view of `cs`'s pending export `e`.
pub(crate) fn describe(
    cs: &AadCsObject,
    e: &ExportState,
    display: &upgrade_lab_model::Value,
) -> PendingExport {
    let object = ExportObject {
        kind: cs.kind,
        dn: display,
        anchor: &cs.anchor,
    };
    PendingExport {
        operation: e.operation,
        kind: cs.kind,
        anchor: cs.anchor.clone(),
        display: display.clone(),
        changes: match e.operation {
            ExportOperation::Delete => upgrade_lab_model::AttributeChanges::default(),
            ExportOperation::Add => {
                rules::changes(&object, None, &e.image, rules::written(cs.kind, &e.image))
            }
            ExportOperation::Update => {
                let old = cs.imported();
                let old = old.as_ref();
                let set = old.map_or(0, |old| rules::diff(cs.kind, old, &e.image));
                rules::changes(&object, old, &e.image, set)
            }
        },
        changes_source_anchor: false,
    }
}
