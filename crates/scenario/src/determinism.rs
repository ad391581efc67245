//! Determinism as a command: the trace digest of an outcome (its JSON without `wall_*` fields),
//! the first place two outcomes differ, and seed lists for sweeps (`--seeds 1..100`,
//! `--seeds 7,9,12`, `UPGRADE_LAB_SEEDS`).

use crate::limits::MAX_SEEDS;
use crate::outcome::ScenarioOutcome;
use crate::report::json::without_wall_fields;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The outcome as JSON without its wall-clock fields: what must repeat byte for byte.
pub fn trace(outcome: &ScenarioOutcome) -> Value {
    let mut v = serde_json::to_value(outcome).unwrap_or(Value::Null);
    without_wall_fields(&mut v);
    v
}

/// SHA-256 of [`trace`], in hex.
pub fn digest(outcome: &ScenarioOutcome) -> String {
    let bytes = serde_json::to_vec(&trace(outcome)).unwrap_or_default();
    format!("{:x}", Sha256::digest(&bytes))
}

/// The first place two traces differ, as a JSON pointer with both values (`/events/12/detail:
/// "a" vs "b"`); `None` when they are equal.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    diff_at(a, b, "")
}

fn diff_at(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let here = format!("{at}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = diff_at(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {} vs {}", shown(p), shown(q))),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(d) = diff_at(p, q, &format!("{at}/{i}")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{at}: {} items vs {} items", x.len(), y.len()))
        }
        _ if a == b => None,
        _ => Some(format!("{at}: {} vs {}", shown(Some(a)), shown(Some(b)))),
    }
}

fn shown(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(absent)".to_string();
    };
    let text = v.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Parses a seed list: `A..B` (both ends included), `A,B,C`, or one seed. At most
/// [`MAX_SEEDS`] seeds, no seed twice.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let text = text.trim();
    let number = |s: &str| {
        s.trim().parse::<u64>().map_err(|_| {
            format!(
                "`{}` is not a seed: seeds are whole numbers from 0 to {}",
                s.trim(),
                u64::MAX
            )
        })
    };
    let seeds: Vec<u64> = if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?);
        if a > b {
            return Err(format!(
                "the range {a}..{b} is empty: write the smaller seed first"
            ));
        }
        if b - a >= MAX_SEEDS {
            return Err(too_many(u128::from(b - a) + 1));
        }
        (a..=b).collect()
    } else {
        let seeds = text.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        if seeds.len() as u64 > MAX_SEEDS {
            return Err(too_many(seeds.len() as u128));
        }
        seeds
    };
    let mut sorted = seeds.clone();
    sorted.sort_unstable();
    if let Some([twice, _]) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("seed {twice} is listed twice"));
    }
    Ok(seeds)
}

fn too_many(n: u128) -> String {
    format!("{n} seeds is more than a sweep may run ({MAX_SEEDS}); split it across runs")
}

/// The seeds of the environment variable `var` (such as `UPGRADE_LAB_SEEDS=1..100`), `None`
/// when it is unset or empty.
pub fn seeds_from_env(var: &str) -> Result<Option<Vec<u64>>, String> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => parse_seeds(&v)
            .map(Some)
            .map_err(|e| format!("{var}={v}: {e}")),
        _ => Ok(None),
    }
}

/// What `--repeat` found for one scenario: the runs' digests and, when they differ, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepeatCheck {
    /// The scenario's name.
    pub name: String,
    /// The seed every run used.
    pub seed: u64,
    /// One SHA-256 digest (hex) of the outcome without its wall-time fields per run; all equal
    /// when the scenario is deterministic.
    pub digests: Vec<String>,
    /// The first differing field of the first run that differs from run 1, with its number.
    pub difference: Option<(usize, String)>,
}

/// Compares each scenario's runs (`runs[r][i]` is scenario `i` in run `r`) against run 1.
pub fn compare_runs(runs: &[Vec<ScenarioOutcome>]) -> Vec<RepeatCheck> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let base = trace(o);
            let mut difference = None;
            let digests = runs
                .iter()
                .enumerate()
                .map(|(r, run)| {
                    let d = digest(&run[i]);
                    if difference.is_none() {
                        difference = first_difference(&base, &trace(&run[i])).map(|d| (r + 1, d));
                    }
                    d
                })
                .collect();
            RepeatCheck {
                name: o.name.clone(),
                seed: o.seed,
                digests,
                difference,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_lists_ranges_and_single_seeds_parse() {
        assert_eq!(parse_seeds("1..4").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(parse_seeds("1..=2").unwrap(), vec![1, 2]);
        assert_eq!(parse_seeds("7,9, 12").unwrap(), vec![7, 9, 12]);
        assert_eq!(parse_seeds("5").unwrap(), vec![5]);
        assert_eq!(parse_seeds("3..3").unwrap(), vec![3]);
        assert_eq!(parse_seeds("0..99999").unwrap().len(), 100_000);
    }

    #[test]
    fn bad_seed_lists_say_what_is_wrong() {
        assert!(parse_seeds("").unwrap_err().contains("not a seed"));
        assert!(parse_seeds("9..2").unwrap_err().contains("empty"));
        assert!(
            parse_seeds("1..x")
                .unwrap_err()
                .contains("`x` is not a seed")
        );
        assert!(parse_seeds("-1").unwrap_err().contains("not a seed"));
        assert!(
            parse_seeds("0..100000")
                .unwrap_err()
                .contains("100001 seeds")
        );
        assert!(parse_seeds("1,2,1").unwrap_err().contains("twice"));
        let huge = format!("0..{}", u64::MAX);
        assert!(
            parse_seeds(&huge)
                .unwrap_err()
                .contains("more than a sweep")
        );
    }

    #[test]
    fn repeated_runs_compare_by_digest_and_name_the_first_difference() {
        let run = crate::report::fixtures::suite().scenarios;
        let mut again = run.clone();
        again[0].wall_duration_ms += 1_000;
        let checks = compare_runs(&[run.clone(), again.clone()]);
        assert!(
            checks.iter().all(|c| c.difference.is_none()),
            "wall time is no difference"
        );
        assert_eq!(checks[0].digests[0], checks[0].digests[1]);
        // A planted nondeterminism: the third run took one more simulated millisecond.
        let mut third = run.clone();
        third[1].sim_duration_ms += 1;
        let checks = compare_runs(&[run.clone(), again, third]);
        assert!(checks[0].difference.is_none());
        let (r, d) = checks[1].difference.clone().unwrap();
        assert_eq!(r, 3);
        assert!(d.starts_with("/sim_duration_ms: "), "{d}");
        assert_ne!(checks[1].digests[0], checks[1].digests[2]);
        assert_eq!(checks[1].name, run[1].name);
    }

    #[test]
    fn the_first_difference_is_a_pointer_with_both_values() {
        let a = json!({"name": "x", "events": [{"at_ms": 1, "detail": "a"}, {"at_ms": 2}]});
        assert_eq!(first_difference(&a, &a.clone()), None);
        let mut b = a.clone();
        b["events"][0]["detail"] = json!("b");
        assert_eq!(
            first_difference(&a, &b).unwrap(),
            "/events/0/detail: \"a\" vs \"b\""
        );
        let mut c = a.clone();
        c["events"].as_array_mut().unwrap().pop();
        assert_eq!(
            first_difference(&a, &c).unwrap(),
            "/events: 2 items vs 1 items"
        );
        let mut d = a.clone();
        d["extra"] = json!(1);
        assert_eq!(first_difference(&a, &d).unwrap(), "/extra: (absent) vs 1");
    }
}
