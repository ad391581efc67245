//! A count or duration expectation: either an exact number (`adds = 0`) or a range
//! (`adds = { min = 10, max = 20 }`, either end optional). The loader checks `min <= max`.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Inclusive bounds on a number; `None` means unbounded on that side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bound {
    /// The smallest value allowed (inclusive); `None`: no lower bound.
    pub min: Option<u64>,
    /// The largest value allowed (inclusive); `None`: no upper bound.
    pub max: Option<u64>,
}

impl Bound {
    /// The bound that holds only `n` (what a plain number in a scenario file means).
    pub fn exactly(n: u64) -> Self {
        Self {
            min: Some(n),
            max: Some(n),
        }
    }

    /// The bound `0..=n`.
    pub fn at_most(n: u64) -> Self {
        Self {
            min: None,
            max: Some(n),
        }
    }

    /// Whether `value` lies within both ends.
    pub fn contains(&self, value: u64) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }

    /// Whether the range can hold any value at all.
    pub fn is_satisfiable(&self) -> bool {
        match (self.min, self.max) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (Some(a), Some(b)) => write!(f, "{a}..={b}"),
            (Some(a), None) => write!(f, ">= {a}"),
            (None, Some(b)) => write!(f, "<= {b}"),
            (None, None) => f.write_str("any"),
        }
    }
}

struct BoundVisitor;

impl<'de> Visitor<'de> for BoundVisitor {
    type Value = Bound;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer or a table { min = N, max = M }")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bound, E> {
        u64::try_from(v)
            .map(Bound::exactly)
            .map_err(|_| E::custom(format!("{v} is negative; counts and durations start at 0")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bound, E> {
        Ok(Bound::exactly(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Bound, A::Error> {
        let mut bound = Bound::default();
        while let Some(key) = map.next_key::<String>()? {
            let value: i64 = map.next_value()?;
            let value = u64::try_from(value).map_err(|_| {
                de::Error::custom(format!("{key} = {value} is negative; bounds start at 0"))
            })?;
            match key.as_str() {
                "min" => bound.min = Some(value),
                "max" => bound.max = Some(value),
                other => return Err(de::Error::unknown_field(other, &["min", "max"])),
            }
        }
        Ok(bound)
    }
}

/// A scenario file writes a bound as a number or as `{ min, max }`; a report always writes the
/// table form (the derived `Serialize`), so the schema follows the generator's contract.
impl schemars::JsonSchema for Bound {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Bound".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let table = schemars::json_schema!({
            "type": "object",
            "properties": {
                "min": { "type": ["integer", "null"], "minimum": 0 },
                "max": { "type": ["integer", "null"], "minimum": 0 },
            },
            "additionalProperties": false,
        });
        if generator.contract().is_serialize() {
            return table;
        }
        schemars::json_schema!({
            "description": "A count or duration: exactly N, or { min = N, max = M } (either end optional).",
            "anyOf": [{ "type": "integer", "minimum": 0 }, table],
        })
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoundVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, schemars::JsonSchema)]
    struct Doc {
        a: Bound,
    }

    fn parse(text: &str) -> Result<Bound, String> {
        toml::from_str::<Doc>(text)
            .map(|d| d.a)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn a_number_is_exact_and_a_table_is_a_range() {
        assert_eq!(parse("a = 3").unwrap(), Bound::exactly(3));
        let r = parse("a = { min = 2 }").unwrap();
        assert!(r.contains(2) && r.contains(1_000) && !r.contains(1));
        assert_eq!(parse("a = { max = 9 }").unwrap().to_string(), "<= 9");
        assert!(!parse("a = { min = 5, max = 1 }").unwrap().is_satisfiable());
    }

    #[test]
    fn negative_values_and_unknown_keys_are_refused() {
        assert!(parse("a = -1").unwrap_err().contains("negative"));
        assert!(parse("a = { min = -4 }").unwrap_err().contains("negative"));
        assert!(parse("a = { mni = 4 }").unwrap_err().contains("mni"));
        assert!(parse("a = \"x\"").is_err());
    }
}
