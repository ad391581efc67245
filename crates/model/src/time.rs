//! Simulated time: milliseconds since a world started. The engine never reads a clock; these
//! values come through its clock port.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};

/// A point in simulated time, in milliseconds since the world started.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(pub u64);

/// A span of simulated time, in milliseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(pub u64);

impl SimDuration {
    /// No time.
    pub const ZERO: Self = Self(0);

    /// `secs` seconds. Panics when the milliseconds overflow: the scenario validator bounds
    /// every duration a file can give far below that, so an overflow is a bug, and the runner
    /// turns the panic into that scenario's error.
    pub const fn from_secs(secs: u64) -> Self {
        Self::from_units(secs, 1_000)
    }
    /// `mins` minutes; panics on overflow like [`Self::from_secs`].
    pub const fn from_mins(mins: u64) -> Self {
        Self::from_units(mins, 60_000)
    }
    /// `hours` hours; panics on overflow like [`Self::from_secs`].
    pub const fn from_hours(hours: u64) -> Self {
        Self::from_units(hours, 3_600_000)
    }
    /// `days` days; panics on overflow like [`Self::from_secs`].
    pub const fn from_days(days: u64) -> Self {
        Self::from_units(days, 86_400_000)
    }
    const fn from_units(n: u64, ms_each: u64) -> Self {
        match n.checked_mul(ms_each) {
            Some(ms) => Self(ms),
            // A const fn can only panic with a fixed text.
            None => panic!("simulated time overflow: a duration exceeds u64 milliseconds"),
        }
    }
    /// `self + other`, or `None` past `u64::MAX` milliseconds.
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(ms) => Some(Self(ms)),
            None => None,
        }
    }
    /// `self × n`, or `None` past `u64::MAX` milliseconds.
    pub const fn checked_mul(self, n: u64) -> Option<Self> {
        match self.0.checked_mul(n) {
            Some(ms) => Some(Self(ms)),
            None => None,
        }
    }
    /// `ms_each × n` milliseconds (a per-object cost times a count); panics on overflow like
    /// [`Self::from_secs`].
    pub fn per_item(ms_each: u64, n: u64) -> Self {
        match ms_each.checked_mul(n) {
            Some(ms) => Self(ms),
            None => panic!(
                "simulated time overflow: {n} items at {ms_each} ms each exceed u64 milliseconds"
            ),
        }
    }
    /// The span in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    /// The span in hours, for rates people read.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / 3_600_000.0
    }
    /// The span as a `std::time::Duration`.
    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0)
    }
    /// `self - other`, or zero when `other` is longer.
    #[must_use]
    pub fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl SimTime {
    /// The moment the world started.
    pub const START: Self = Self(0);

    /// `mins` minutes after the world started; panics on overflow like
    /// [`SimDuration::from_secs`].
    pub const fn from_mins(mins: u64) -> Self {
        Self(SimDuration::from_mins(mins).0)
    }

    /// `self + d`, or `None` past `u64::MAX` milliseconds.
    pub const fn checked_add(self, d: SimDuration) -> Option<Self> {
        match self.0.checked_add(d.0) {
            Some(ms) => Some(Self(ms)),
            None => None,
        }
    }

    /// The time from `earlier` to `self`; zero when `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Panics on overflow (a clear message, not a wrap): no validated scenario comes near.
    fn add(self, d: SimDuration) -> SimTime {
        self.checked_add(d)
            .unwrap_or_else(|| panic!("simulated time overflow: {self} + {d}"))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    /// Panics on overflow (a clear message, not a wrap).
    fn add(self, d: SimDuration) -> SimDuration {
        self.checked_add(d)
            .unwrap_or_else(|| panic!("simulated time overflow: {self} + {d}"))
    }
}

/// `h:mm:ss` (hours unbounded), the way run history shows durations.
fn hms(ms: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let s = ms / 1_000;
    write!(f, "{}:{:02}:{:02}", s / 3_600, (s / 60) % 60, s % 60)
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("T+")?;
        hms(self.0, f)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hms(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_hours_minutes_seconds() {
        let t = SimTime::START + SimDuration::from_hours(3) + SimDuration::from_secs(65);
        assert_eq!(t.to_string(), "T+3:01:05");
        assert_eq!((t - SimTime::START).to_string(), "3:01:05");
        assert!((SimDuration::from_mins(90).as_hours_f64() - 1.5).abs() < f64::EPSILON);
    }

    #[test]
    fn conversions_and_sums_are_exact_below_the_limit() {
        assert_eq!(SimDuration::from_days(90).0, 90 * 86_400_000);
        assert_eq!(SimTime::from_mins(3).0, 180_000);
        assert_eq!(
            SimDuration::per_item(60, 50_000),
            SimDuration::from_mins(50)
        );
        let last = SimTime(u64::MAX - 1);
        assert_eq!(last + SimDuration(1), SimTime(u64::MAX));
        assert_eq!(last.checked_add(SimDuration(2)), None);
        assert_eq!(SimDuration(u64::MAX).checked_add(SimDuration(1)), None);
        assert_eq!(SimDuration(u64::MAX / 2).checked_mul(3), None);
        assert_eq!(SimDuration(7).checked_mul(3), Some(SimDuration(21)));
    }

    #[test]
    #[should_panic(expected = "simulated time overflow: T+")]
    fn time_past_the_limit_panics_instead_of_wrapping() {
        let _ = SimTime(u64::MAX) + SimDuration(1);
    }

    #[test]
    #[should_panic(expected = "simulated time overflow")]
    fn a_duration_sum_past_the_limit_panics() {
        let _ = SimDuration(u64::MAX) + SimDuration::from_secs(1);
    }

    #[test]
    #[should_panic(expected = "simulated time overflow: a duration exceeds")]
    fn minutes_past_the_limit_panic() {
        let _ = SimDuration::from_mins(u64::MAX / 60_000 + 1);
    }

    #[test]
    #[should_panic(expected = "exceed u64 milliseconds")]
    fn a_per_object_cost_past_the_limit_panics() {
        let _ = SimDuration::per_item(u64::MAX, 2);
    }
}
