//! JSON Schemas (draft 7, what editors' TOML and JSON tooling reads most widely) of the two
//! formats people write and read: the scenario file (what the loader accepts; TOML maps onto
//! it key for key) and the JSON report (what `run --format json` writes). Both are derived from
//! the serde types themselves, so a key renamed in the code is renamed in the schema.
//!
//! The schema checks shapes: keys, types, enum values. The loader checks the rest (a step that
//! names a server the world lacks, `min <= max`, a rule id that exists) and says where.

use crate::format::{FORMAT_VERSION, ScenarioFile};
use crate::report::json::{JSON_REPORT_VERSION, Report};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::{Value, json};

/// Which document a schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// The scenario file's schema: what a `.toml` scenario may hold.
    Scenario,
    /// The JSON report's schema: what `run --format json` writes.
    Report,
}

/// The schema as a JSON value.
pub fn schema(kind: SchemaKind) -> Value {
    let (settings, title, description) = match kind {
        SchemaKind::Scenario => (
            SchemaSettings::draft07().for_deserialize(),
            format!("upgrade-lab scenario file (format_version = {FORMAT_VERSION})"),
            "A scenario: a world, the upgrade steps, faults, and what must hold. \
             Keys are documented in scenarios/README.md.",
        ),
        SchemaKind::Report => (
            SchemaSettings::draft07()
                .for_serialize()
                .with_transform(RecursiveTransform(closed_objects)),
            format!("upgrade-lab JSON report (report_version = {JSON_REPORT_VERSION})"),
            "What `upgrade-lab run --format json` writes: every scenario's outcome.",
        ),
    };
    let generator = settings.into_generator();
    let root = match kind {
        SchemaKind::Scenario => generator.into_root_schema_for::<ScenarioFile>(),
        SchemaKind::Report => generator.into_root_schema_for::<Report<'static>>(),
    };
    let mut value = root.to_value();
    if let Value::Object(map) = &mut value {
        map.insert("title".into(), json!(title));
        map.insert("description".into(), json!(description));
    }
    value
}

/// The schema as pretty-printed JSON with a trailing newline, as `upgrade-lab schema` prints
/// it and `schemas/*.schema.json` holds it.
pub fn render(kind: SchemaKind) -> String {
    let mut text = serde_json::to_string_pretty(&schema(kind))
        .expect("a schema is plain JSON with string keys");
    text.push('\n');
    text
}

/// The report is written by us, so every object has exactly its declared keys: a field the
/// schema lacks is a report that drifted from its schema, not an extension point.
fn closed_objects(schema: &mut Schema) {
    if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
        schema.insert("additionalProperties".into(), Value::Bool(false));
    }
}
