//! Near-valid settings documents: a `SettingsDocument` with random fields (empty, huge,
//! unicode, edge numbers, either SQL backend), edited as JSON (keys dropped, added or renamed,
//! values of the wrong type, deep nesting, duplicate keys, huge numbers), and most of the time
//! given the checksum of what it now holds, so the edits reach the checks after the checksum.

use super::Vocabulary;
use crate::mutate::{INTERESTING_NUMBERS, INTERESTING_TEXT, pick};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use serde_json::{Value as Json, json};
use upgrade_lab_engine::settings_file;
use upgrade_lab_model::settings::SETTINGS_SCHEMA_VERSION;
use upgrade_lab_model::{
    AttributeFilter, MigratedFeatures, ObjectCounts, ScopeFilters, SettingsDocument, SourceAnchor,
    SqlBackend, Version,
};

/// The keys of the corpus documents (at every depth) and their string values.
pub fn vocabulary(corpus: &[Vec<u8>]) -> Vocabulary {
    let mut v = Vocabulary::default();
    for input in corpus {
        if let Ok(json) = serde_json::from_slice::<Json>(input) {
            harvest(&json, &mut v);
        }
    }
    v.keys
        .extend(["kind", "server", "instance", "attribute", "value"].map(String::from));
    v.dedup();
    v
}

fn harvest(json: &Json, v: &mut Vocabulary) {
    match json {
        Json::Object(map) => {
            for (k, value) in map {
                v.keys.push(k.clone());
                harvest(value, v);
            }
        }
        Json::Array(items) => items.iter().for_each(|i| harvest(i, v)),
        Json::String(s) => v.words.push(s.clone()),
        _ => {}
    }
}

/// A settings file's bytes.
pub fn generate(rng: &mut ChaCha8Rng, v: &Vocabulary) -> Vec<u8> {
    let doc = document(rng, v);
    let mut json = serde_json::to_value(&doc).unwrap_or(Json::Null);
    for _ in 0..rng.random_range(0..4u32) {
        edit(rng, &mut json, v);
    }
    if rng.random_bool(0.8)
        && let Ok(doc) = serde_json::from_value::<SettingsDocument>(json.clone())
        && let Some(obj) = json.as_object_mut()
    {
        obj.insert(
            "checksum".into(),
            Json::String(settings_file::checksum(&doc)),
        );
    }
    let mut bytes = if rng.random_bool(0.5) {
        serde_json::to_vec_pretty(&json).unwrap_or_default()
    } else {
        serde_json::to_vec(&json).unwrap_or_default()
    };
    text_edit(rng, &mut bytes);
    bytes
}

fn text(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    match rng.random_range(0..8u32) {
        0 => String::new(),
        1 => " \t ".to_string(),
        2 => pick(rng, INTERESTING_TEXT).to_string(),
        3 => "ü😀".repeat(rng.random_range(1..2000usize)),
        _ if !v.words.is_empty() => pick(rng, &v.words).clone(),
        _ => "contoso.com".to_string(),
    }
}

fn texts(rng: &mut ChaCha8Rng, v: &Vocabulary) -> Vec<String> {
    (0..rng.random_range(0..4usize))
        .map(|_| text(rng, v))
        .collect()
}

fn count(rng: &mut ChaCha8Rng) -> u64 {
    *pick(
        rng,
        &[
            0,
            1,
            49_999,
            50_000,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ],
    )
}

fn document(rng: &mut ChaCha8Rng, v: &Vocabulary) -> SettingsDocument {
    let parts: Vec<u32> = (0..rng.random_range(1..7usize))
        .map(|_| *pick(rng, &[0, 1, 7020, u32::MAX]))
        .collect();
    let sql = if rng.random_bool(0.5) {
        SqlBackend::Express
    } else {
        SqlBackend::Full {
            server: text(rng, v),
            instance: text(rng, v),
        }
    };
    let filters = ScopeFilters {
        domains: texts(rng, v),
        included_ous: texts(rng, v),
        excluded_ous: texts(rng, v),
        attribute_filters: (0..rng.random_range(0..3usize))
            .map(|_| AttributeFilter {
                attribute: text(rng, v),
                value: text(rng, v),
            })
            .collect(),
    };
    SettingsDocument {
        schema_version: SETTINGS_SCHEMA_VERSION,
        source_product: text(rng, v),
        source_version: Version::new(&parts),
        source_host: text(rng, v),
        tenant: text(rng, v),
        azure_ad_account: text(rng, v),
        forest: text(rng, v),
        domains: texts(rng, v),
        filters,
        features: MigratedFeatures {
            password_sync: rng.random(),
            exchange_hybrid: rng.random(),
        },
        alternate_login_id: rng.random_bool(0.5).then(|| text(rng, v)),
        sql,
        object_counts: ObjectCounts {
            users: count(rng),
            groups: count(rng),
            contacts: count(rng),
        },
        source_anchor: if rng.random() {
            SourceAnchor::ObjectGuid
        } else {
            SourceAnchor::ConsistencyGuid
        },
        checksum: String::new(),
    }
}

/// A JSON value of any type, often the wrong one for where it goes.
fn any_value(rng: &mut ChaCha8Rng, v: &Vocabulary) -> Json {
    match rng.random_range(0..8u32) {
        0 => Json::Null,
        1 => json!(rng.random::<bool>()),
        2 => {
            let number: &&str = pick(rng, INTERESTING_NUMBERS);
            serde_json::from_str(number).unwrap_or(json!(-1))
        }
        3 => json!(text(rng, v)),
        4 => json!([text(rng, v)]),
        5 => json!({ pick(rng, &v.keys).clone(): text(rng, v) }),
        6 => json!(*pick(
            rng,
            &[
                "1.0.7020.0",
                "1..2",
                "1.2.3.4.5.6.7",
                "",
                "4294967296.0",
                " 1 "
            ]
        )),
        _ => {
            let depth = rng.random_range(1..200usize);
            (0..depth).fold(json!(1), |acc, _| json!([acc]))
        }
    }
}

/// One edit somewhere in the tree: replace, remove or add a key, or change a value's type.
fn edit(rng: &mut ChaCha8Rng, node: &mut Json, v: &Vocabulary) {
    if rng.random_bool(0.5) {
        let child = match node {
            Json::Object(map) if !map.is_empty() => {
                let i = rng.random_range(0..map.len());
                map.values_mut().nth(i)
            }
            Json::Array(items) if !items.is_empty() => {
                let i = rng.random_range(0..items.len());
                items.get_mut(i)
            }
            _ => None,
        };
        if let Some(child) = child {
            return edit(rng, child, v);
        }
    }
    match node {
        Json::Object(map) if !map.is_empty() && rng.random_bool(0.5) => {
            let i = rng.random_range(0..map.len());
            let key = map.keys().nth(i).cloned().unwrap_or_default();
            if rng.random_bool(0.5) {
                map.remove(&key);
            } else {
                map.insert(key, any_value(rng, v));
            }
        }
        Json::Object(map) => {
            let key = if rng.random_bool(0.8) && !v.keys.is_empty() {
                pick(rng, &v.keys).clone()
            } else {
                "unknown_field".to_string()
            };
            map.insert(key, any_value(rng, v));
        }
        other => *other = any_value(rng, v),
    }
}

/// Edits of the text JSON cannot express: duplicate keys, a BOM, trailing bytes, CRLF,
/// comments, a truncated end.
fn text_edit(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    match rng.random_range(0..12u32) {
        0 => {
            if let Some(i) = bytes.iter().position(|b| *b == b'{') {
                let dup = b"\"schema_version\": 1, ".to_vec();
                bytes.splice((i + 1)..=i, dup);
            }
        }
        1 => bytes
            .splice(0..0, b"\xEF\xBB\xBF".iter().copied())
            .for_each(drop),
        2 => bytes.extend_from_slice(b"\n{}"),
        3 => {
            *bytes = String::from_utf8_lossy(bytes)
                .replace('\n', "\r\n")
                .into_bytes();
        }
        4 => bytes.truncate(rng.random_range(0..=bytes.len())),
        5 => bytes
            .splice(0..0, b"// exported\n".iter().copied())
            .for_each(drop),
        _ => {}
    }
}
