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
    pub const ZERO: Self = Self(0);

    pub const fn from_secs(secs: u64) -> Self {
        Self(secs * 1_000)
    }
    pub const fn from_mins(mins: u64) -> Self {
        Self(mins * 60_000)
    }
    pub const fn from_hours(hours: u64) -> Self {
        Self(hours * 3_600_000)
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / 3_600_000.0
    }
    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0)
    }
    pub fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl SimTime {
    pub const START: Self = Self(0);

    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0 + d.0)
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
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0 + d.0)
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
        assert_eq!(SimDuration::from_mins(90).as_hours_f64(), 1.5);
    }
}
