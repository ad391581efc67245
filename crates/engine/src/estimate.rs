//! The wizard's estimate of the upgrade time and its recommendation (docs/real-systems.md, "Upgrade
//! paths and the recommendation"): 3 hours per 50,000 objects (users, contacts and groups in
//! DirSync's database); fewer than 50,000 → in-place, 50,000 or more → parallel deployment. Two
//! overrides exist: "Continue upgrading DirSync on this computer" and `AzureADConnect.exe
//! /ForceExport`.
//!
//! Pure integer arithmetic; no clock, no ports.

use serde::{Deserialize, Serialize};
use upgrade_lab_model::SimDuration;
use upgrade_lab_model::constants::{PARALLEL_RECOMMEND_OBJECTS, UPGRADE_HOURS_PER_50K};

/// The upgrade option the wizard recommends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum Recommendation {
    /// Fewer than 50,000 objects: upgrade on the DirSync server (less than three hours).
    InPlace,
    /// 50,000 objects or more: a new server with the exported settings (three hours or more in place).
    Parallel,
}

impl Recommendation {
    /// The name in scenario files and reports (`in_place`); serde's is kebab-case (`in-place`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Recommendation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Recommendation::InPlace => "in-place upgrade recommended (less than three hours)",
            Recommendation::Parallel => "parallel deployment recommended (three hours or more)",
        })
    }
}

/// The estimated upgrade time for `objects_count` objects.
///
/// Computed in whole seconds, rounded **down**: `objects × 10,800 s / 50,000`. Rounding down keeps
/// the document's table exact at its boundary: 49,999 objects estimate 2:59:59 ("less than three
/// hours"), 50,000 estimate exactly 3:00:00. Saturates instead of overflowing.
pub fn estimate_upgrade_time(objects_count: u64) -> SimDuration {
    let per_50k_secs = u128::from(UPGRADE_HOURS_PER_50K) * 3_600;
    let secs = u128::from(objects_count) * per_50k_secs / u128::from(PARALLEL_RECOMMEND_OBJECTS);
    let millis = secs.saturating_mul(1_000);
    let estimate = SimDuration(u64::try_from(millis).unwrap_or(u64::MAX));
    assert_estimate_bounds(objects_count, estimate);
    estimate
}

/// Asserts that the estimate and the recommendation tell one story, as the wizard's table does:
/// fewer than 50,000 objects estimate less than three hours (in place), 50,000 or more at least
/// three hours (parallel). Rounding the estimate up, or changing one constant without the
/// other, breaks it.
fn assert_estimate_bounds(objects_count: u64, estimate: SimDuration) {
    let boundary = SimDuration::from_hours(UPGRADE_HOURS_PER_50K);
    assert_eq!(
        objects_count >= PARALLEL_RECOMMEND_OBJECTS,
        estimate >= boundary,
        "the estimate {estimate} for {objects_count} objects disagrees with the recommendation \
         boundary ({PARALLEL_RECOMMEND_OBJECTS} objects, {boundary})"
    );
}

/// The recommendation for `objects_count` objects.
pub fn recommend(objects_count: u64) -> Recommendation {
    if objects_count >= PARALLEL_RECOMMEND_OBJECTS {
        Recommendation::Parallel
    } else {
        Recommendation::InPlace
    }
}

/// What the wizard allows once the user's overrides are taken into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PlanChoice {
    /// What the wizard recommends for the object count.
    pub recommendation: Recommendation,
    /// The estimated in-place upgrade time ([`estimate_upgrade_time`]).
    pub estimate: SimDuration,
    /// In-place is allowed: recommended, or "Continue upgrading DirSync on this computer".
    pub in_place_allowed: bool,
    /// Export settings is offered: parallel recommended, or `/ForceExport`.
    pub export_offered: bool,
}

/// Applies the two overrides to the recommendation.
pub fn plan_choice(objects_count: u64, continue_in_place: bool, force_export: bool) -> PlanChoice {
    let recommendation = recommend(objects_count);
    PlanChoice {
        recommendation,
        estimate: estimate_upgrade_time(objects_count),
        in_place_allowed: recommendation == Recommendation::InPlace || continue_in_place,
        export_offered: recommendation == Recommendation::Parallel || force_export,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boundary_49_999_is_in_place_under_three_hours() {
        assert_eq!(recommend(49_999), Recommendation::InPlace);
        assert_eq!(estimate_upgrade_time(49_999).to_string(), "2:59:59");
    }

    #[test]
    fn boundary_50_000_is_parallel_at_three_hours() {
        assert_eq!(recommend(50_000), Recommendation::Parallel);
        assert_eq!(estimate_upgrade_time(50_000), SimDuration::from_hours(3));
    }

    #[test]
    fn a_150_000_object_database_takes_nine_hours() {
        assert_eq!(recommend(150_000), Recommendation::Parallel);
        assert_eq!(estimate_upgrade_time(150_000), SimDuration::from_hours(9));
    }

    #[test]
    fn the_estimate_saturates_instead_of_overflowing() {
        assert_eq!(estimate_upgrade_time(u64::MAX), SimDuration(u64::MAX));
        assert_eq!(estimate_upgrade_time(0), SimDuration::ZERO);
    }

    #[test]
    fn overrides_open_the_other_path() {
        let p = plan_choice(60_000, false, false);
        assert!(!p.in_place_allowed && p.export_offered);
        assert!(plan_choice(60_000, true, false).in_place_allowed);
        let p = plan_choice(10_000, false, false);
        assert!(p.in_place_allowed && !p.export_offered);
        assert!(plan_choice(10_000, false, true).export_offered);
    }

    #[test]
    #[should_panic(expected = "disagrees with the recommendation boundary")]
    fn an_estimate_rounded_up_at_the_boundary_fires() {
        // 49,999 objects are 10,799.784 s: rounding up would say three hours, "parallel".
        assert_estimate_bounds(49_999, SimDuration::from_hours(3));
    }

    #[test]
    #[should_panic(expected = "disagrees with the recommendation boundary")]
    fn an_estimate_under_three_hours_for_50_000_objects_fires() {
        assert_estimate_bounds(50_000, SimDuration::from_secs(10_799));
    }

    proptest! {
        #[test]
        fn estimate_is_monotone_in_object_count(a in 0u64..10_000_000, b in 0u64..10_000_000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(estimate_upgrade_time(lo) <= estimate_upgrade_time(hi));
            prop_assert!(
                recommend(lo) == recommend(hi) || recommend(lo) == Recommendation::InPlace
            );
        }
    }
}
