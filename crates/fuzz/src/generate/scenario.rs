//! Near-valid scenario files: real sections and keys (harvested from the corpus and the
//! loader's public word lists) with values at the edges: huge and negative numbers, wrong
//! types, deep arrays, unicode and empty strings, duplicated keys and sections.

use super::Vocabulary;
use crate::mutate::{INTERESTING_NUMBERS, pick};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use upgrade_lab_scenario::format::ACTIONS;
use upgrade_lab_scenario::vocabulary;

/// Words of the format: the corpus's keys, section names and string values, plus every action,
/// refusal, error, blocker and event word the loader knows.
pub fn vocabulary(corpus: &[Vec<u8>]) -> Vocabulary {
    let mut v = Vocabulary::default();
    for input in corpus {
        let text = String::from_utf8_lossy(input);
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                v.sections.push(line.to_string());
            } else if let Some((key, value)) = line.split_once('=') {
                v.keys.push(key.trim().to_string());
                let value = value.trim();
                if let Some(s) = value.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    v.words.push(s.to_string());
                }
            }
        }
    }
    let known = ACTIONS.iter().chain(vocabulary::REFUSAL_KINDS);
    let known = known
        .chain(vocabulary::ERROR_KINDS)
        .chain(vocabulary::BLOCKER_KINDS)
        .chain(vocabulary::PREREQUISITE_FINDINGS)
        .chain(vocabulary::EVENT_KINDS);
    v.words.extend(known.map(std::string::ToString::to_string));
    for s in [
        "[world]",
        "[[steps]]",
        "[[faults]]",
        "[expect]",
        "[[checkpoints]]",
    ] {
        v.sections.push(s.to_string());
    }
    v.dedup();
    v
}

/// A scenario file: most often a corpus file with TOML-aware edits, else one built from words.
pub fn generate(rng: &mut ChaCha8Rng, corpus: &[Vec<u8>], v: &Vocabulary) -> Vec<u8> {
    let mut lines: Vec<String> = if !corpus.is_empty() && rng.random_bool(0.7) {
        let base = String::from_utf8_lossy(pick(rng, corpus).as_slice()).into_owned();
        base.lines().map(str::to_string).collect()
    } else {
        from_words(rng, v)
    };
    for _ in 0..rng.random_range(1..6u32) {
        edit(rng, &mut lines, v);
    }
    let sep = if rng.random_bool(0.1) { "\r\n" } else { "\n" };
    lines.join(sep).into_bytes()
}

fn from_words(rng: &mut ChaCha8Rng, v: &Vocabulary) -> Vec<String> {
    let mut lines = vec![
        "format_version = 1".to_string(),
        format!("description = {}", string(rng, v)),
        format!("seed = {}", number(rng)),
    ];
    for _ in 0..rng.random_range(0..12u32) {
        if rng.random_bool(0.3) && !v.sections.is_empty() {
            lines.push(pick(rng, &v.sections).clone());
        }
        lines.push(key_value(rng, v));
    }
    lines
}

/// One TOML-aware edit of the lines.
fn edit(rng: &mut ChaCha8Rng, lines: &mut Vec<String>, v: &Vocabulary) {
    let at = rng.random_range(0..=lines.len());
    match rng.random_range(0..7u32) {
        0 | 1 => {
            let with_value: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('['))
                .collect();
            if !with_value.is_empty() {
                let i = *pick(rng, &with_value);
                let key = lines[i].split_once('=').map_or("", |(k, _)| k).to_string();
                lines[i] = format!("{key}= {}", value(rng, v));
            }
        }
        2 => lines.insert(at, key_value(rng, v)),
        3 if !v.sections.is_empty() => lines.insert(at, pick(rng, &v.sections).clone()),
        4 if !lines.is_empty() => {
            // A block from a section header to the next one, written again (duplicate tables).
            let i = rng.random_range(0..lines.len());
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].starts_with('['))
                .unwrap_or(lines.len());
            let block = lines[i..end].to_vec();
            for (k, l) in block.into_iter().enumerate() {
                lines.insert(end + k, l);
            }
        }
        5 if !lines.is_empty() => {
            let i = rng.random_range(0..lines.len());
            lines.remove(i);
        }
        _ => lines.insert(at, format!("{} = {}", pick_key(rng, v), deep(rng))),
    }
}

fn pick_key(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    if v.keys.is_empty() || rng.random_bool(0.05) {
        "unknown_key".to_string()
    } else {
        pick(rng, &v.keys).clone()
    }
}

fn key_value(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    format!("{} = {}", pick_key(rng, v), value(rng, v))
}

fn number(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.5) {
        pick(rng, INTERESTING_NUMBERS).to_string()
    } else {
        rng.random_range(0..100_000u64).to_string()
    }
}

fn string(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    let word = match rng.random_range(0..6u32) {
        0 => String::new(),
        1 => "   ".to_string(),
        2 => "é😀\u{202E}日本".repeat(rng.random_range(1..50usize)),
        3 => "x".repeat(rng.random_range(1..5000usize)),
        _ if !v.words.is_empty() => pick(rng, &v.words).clone(),
        _ => "word".to_string(),
    };
    format!("{word:?}")
}

/// A TOML value of any type, often the wrong one.
fn value(rng: &mut ChaCha8Rng, v: &Vocabulary) -> String {
    match rng.random_range(0..10u32) {
        0..=3 => number(rng),
        4..=6 => string(rng, v),
        7 => ["true", "false", "1979-05-27T07:32:00Z", "inf", "nan"][rng.random_range(0..5)]
            .to_string(),
        8 => {
            let n = rng.random_range(0..6usize);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    if rng.random_bool(0.5) {
                        number(rng)
                    } else {
                        string(rng, v)
                    }
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        _ => format!("{{ {} }}", key_value(rng, v)),
    }
}

/// Deeply nested arrays or inline tables.
fn deep(rng: &mut ChaCha8Rng) -> String {
    let depth = rng.random_range(1..300usize);
    if rng.random_bool(0.5) {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    } else {
        format!("{}1{}", "{ a = ".repeat(depth), " }".repeat(depth))
    }
}
