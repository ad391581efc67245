//! The Azure AD write throttle: 7,000 writes per 5 minutes per tenant, shared by every client
//! (domain-facts §8, PERF: "shared with scripts, dynamic groups, MFA/SSPR registrations").
//!
//! It must not know who writes: it books writes into fixed windows and says when they end.

use std::collections::BTreeMap;

/// Fixed windows of `window_ms`, each admitting `writes_per_window` writes.
#[derive(Clone, Debug)]
pub struct WriteThrottle {
    writes_per_window: u64,
    window_ms: u64,
    /// Writes already booked, by window index.
    used: BTreeMap<u64, u64>,
}

impl WriteThrottle {
    pub fn new(writes_per_window: u64, window_ms: u64) -> Self {
        Self {
            writes_per_window: writes_per_window.max(1),
            window_ms: window_ms.max(1),
            used: BTreeMap::new(),
        }
    }

    /// Books `writes` writes starting at `start_ms`, each taking `ms_per_write`, and returns when
    /// the last one is done. A spent window makes the writer wait for the next one.
    pub fn reserve(&mut self, start_ms: u64, writes: u64, ms_per_write: u64) -> u64 {
        let first_window = start_ms / self.window_ms;
        // Windows that ended before this booking never matter again.
        self.used = self.used.split_off(&first_window);
        let mut t = start_ms;
        let mut remaining = writes;
        while remaining > 0 {
            let w = t / self.window_ms;
            let window_end = (w + 1) * self.window_ms;
            let used = self.used.get(&w).copied().unwrap_or(0);
            let capacity = self.writes_per_window.saturating_sub(used);
            let fit_in_time = if ms_per_write == 0 {
                remaining
            } else {
                (window_end - t).div_ceil(ms_per_write)
            };
            let take = remaining.min(capacity).min(fit_in_time);
            if take == 0 {
                t = window_end;
                continue;
            }
            *self.used.entry(w).or_insert(0) += take;
            remaining -= take;
            t += take * ms_per_write;
        }
        t
    }

    /// Writes booked in the window holding `at_ms`.
    pub fn used_in_window(&self, at_ms: u64) -> u64 {
        self.used
            .get(&(at_ms / self.window_ms))
            .copied()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_thousand_writes_take_about_thirty_six_minutes() {
        let mut t = WriteThrottle::new(7_000, 300_000);
        let end = t.reserve(0, 50_000, 30);
        assert_eq!(end, 7 * 300_000 + 1_000 * 30);
    }

    #[test]
    fn two_clients_share_one_window() {
        let mut t = WriteThrottle::new(7_000, 300_000);
        assert_eq!(t.reserve(0, 6_000, 0), 0);
        // Only 1,000 writes are left in the first window: the rest wait for the second.
        assert_eq!(t.reserve(0, 2_000, 0), 300_000);
        assert_eq!(t.used_in_window(300_000), 1_000);
    }
}
