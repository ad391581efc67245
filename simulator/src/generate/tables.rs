//! Tables of realistic values (names, titles, cities, departments, partner domains), drawn once
//! per directory from `fake` with a seeded RNG. Per-object draws index into these tables and
//! share their `Arc<str>` values: calling `fake` per object costs ~1.45 µs and 16 allocations
//! (our measurement, docs/decisions.md, "Copies and memory"), which a million users cannot afford.

use crate::rng::{SimRng, rng_for};
use fake::Fake;
use fake::faker::name::en::{FirstName, LastName};
use fake::faker::{address::en::CityName, company::en::CompanyName, job::en::Title};
use rand::RngExt;
use std::sync::Arc;
use upgrade_lab_model::Value;

/// How many draws from `fake` fill each table (duplicates are removed afterwards).
const NAME_DRAWS: usize = 600;
const SHORT_DRAWS: usize = 120;
/// Longest slug kept from a name, so that UPN prefixes stay under 64 characters.
const SLUG_MAX: usize = 20;

/// Departments of a typical company; `fake` has no such list.
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Engineering",
    "Operations",
    "Legal",
    "Support",
    "Research",
    "Procurement",
    "Facilities",
    "IT",
];

/// Kinds of group, combined with a department to name a group.
pub(crate) const GROUP_PURPOSES: &[&str] = &[
    "Team", "Managers", "Project", "Readers", "Editors", "All", "Admins",
];

/// Employee types, written to `extensionAttribute1`.
const EMPLOYEE_TYPES: &[&str] = &["Employee", "Contractor", "Intern", "Vendor"];

/// A name as shown (`O'Brien`), escaped for a DN (`O'Brien`) and as a mail-safe slug (`obrien`).
#[derive(Debug)]
pub(crate) struct Name {
    pub(crate) shown: Value,
    pub(crate) escaped: Box<str>,
    pub(crate) slug: Box<str>,
}

/// All tables of one directory.
#[derive(Debug)]
pub(crate) struct Tables {
    pub(crate) first_names: Vec<Name>,
    pub(crate) last_names: Vec<Name>,
    pub(crate) titles: Vec<Value>,
    pub(crate) cities: Vec<Value>,
    pub(crate) departments: Vec<Name>,
    pub(crate) group_purposes: Vec<Name>,
    pub(crate) employee_types: Vec<Value>,
    /// Cost centres for `extensionAttribute2` (`CC-1000` …).
    pub(crate) cost_centres: Vec<Value>,
    /// External mail domains of contacts; none of them is a domain of the forest.
    pub(crate) partner_domains: Vec<Box<str>>,
    /// US area codes for telephone numbers (`+1 425 555 0123`).
    pub(crate) area_codes: Vec<u16>,
    pub(crate) no_sync: Value,
}

impl Tables {
    /// Draws the tables of the directory seeded with `seed`. `forest_domains` are kept out of
    /// the partner domains so contacts never collide with users' addresses.
    pub fn build(seed: u64, forest_domains: &[String]) -> Self {
        let mut rng = rng_for(seed, "generate/tables");
        let first_names = names((0..NAME_DRAWS).map(|_| FirstName().fake_with_rng(&mut rng)));
        let last_names = names((0..NAME_DRAWS).map(|_| LastName().fake_with_rng(&mut rng)));
        let titles = values((0..SHORT_DRAWS).map(|_| Title().fake_with_rng(&mut rng)));
        let mut cities = values((0..SHORT_DRAWS).map(|_| CityName().fake_with_rng(&mut rng)));
        // Sorted for de-duplication; shuffled so sibling OUs named after sites look unrelated.
        shuffle(&mut cities, &mut rng);
        let mut partner_domains: Vec<Box<str>> = (0..SHORT_DRAWS)
            .map(|_| {
                let company: String = CompanyName().fake_with_rng(&mut rng);
                format!("{}.com", slug(&company)).into_boxed_str()
            })
            .filter(|d| d.len() > 4 && !forest_domains.iter().any(|f| f.eq_ignore_ascii_case(d)))
            .collect();
        partner_domains.sort();
        partner_domains.dedup();
        if partner_domains.is_empty() {
            partner_domains.push("partner.example.com".into());
        }
        Self {
            first_names,
            last_names,
            titles,
            cities,
            departments: names(DEPARTMENTS.iter().map(std::string::ToString::to_string)),
            group_purposes: names(GROUP_PURPOSES.iter().map(std::string::ToString::to_string)),
            employee_types: EMPLOYEE_TYPES.iter().map(|t| Arc::from(*t)).collect(),
            cost_centres: (0..64)
                .map(|i| Arc::from(format!("CC-{}", 1000 + i * 7)))
                .collect(),
            partner_domains,
            area_codes: vec![
                206, 212, 303, 312, 404, 415, 425, 512, 617, 702, 713, 800, 858, 919,
            ],
            no_sync: Arc::from("NoSync"),
        }
    }
}

/// Sorted, de-duplicated names with their DN-escaped and slug forms; names without any ASCII
/// letter or digit are dropped (they would give an empty mail prefix).
fn names(raw: impl Iterator<Item = String>) -> Vec<Name> {
    let mut all: Vec<String> = raw.filter(|n| !slug(n).is_empty()).collect();
    all.sort();
    all.dedup();
    if all.is_empty() {
        all.push("Alex".to_string());
    }
    all.into_iter()
        .map(|n| Name {
            escaped: upgrade_lab_model::dn::escape(&n).into_boxed_str(),
            slug: slug(&n).into_boxed_str(),
            shown: Arc::from(n),
        })
        .collect()
}

fn values(raw: impl Iterator<Item = String>) -> Vec<Value> {
    let mut all: Vec<String> = raw.filter(|v| !v.trim().is_empty()).collect();
    all.sort();
    all.dedup();
    if all.is_empty() {
        all.push("Staff".to_string());
    }
    all.into_iter().map(Arc::from).collect()
}

/// Fisher–Yates with u32 draws, so the order is the same on every platform.
fn shuffle<T>(items: &mut [T], rng: &mut SimRng) {
    for i in (1..items.len()).rev() {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the shuffled tables hold a few hundred entries"
        )]
        let j = rng.random_range(0..=i as u32) as usize;
        items.swap(i, j);
    }
}

/// Lower-case ASCII letters and digits of `text`, at most `SLUG_MAX` of them.
pub(crate) fn slug(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(SLUG_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_the_same_for_the_same_seed_and_hold_usable_names() {
        let a = Tables::build(1, &["contoso.com".to_string()]);
        let b = Tables::build(1, &["contoso.com".to_string()]);
        let shown = |t: &Tables| {
            t.first_names
                .iter()
                .map(|n| n.shown.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&a), shown(&b));
        assert!(a.first_names.len() > 50, "{}", a.first_names.len());
        assert!(a.last_names.iter().all(|n| !n.slug.is_empty()));
        assert!(a.partner_domains.iter().all(|d| &**d != "contoso.com"));
        let c = Tables::build(2, &["contoso.com".to_string()]);
        assert_ne!(shown(&a), shown(&c));
    }

    #[test]
    fn slugs_keep_only_ascii_letters_and_digits() {
        assert_eq!(slug("O'Brien-Smith"), "obriensmith");
        assert_eq!(slug("Zoë"), "zo");
        assert_eq!(slug(&"x".repeat(40)).len(), SLUG_MAX);
    }
}
