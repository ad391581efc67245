//! The Azure AD write throttle: 7,000 writes per 5 minutes per tenant, shared by every client
//! (docs/real-systems.md, "Export errors, quota and throttling": shared with scripts, dynamic
//! groups, MFA and SSPR registrations).
//!
//! When the tenant throttles (its budget spent by other clients: a throttling fault), Azure AD
//! answers HTTP 429 with a Retry-After of the next window; the sync engine waits and sends the
//! write again, so the export takes longer ([`WriteThrottle::reserve_around`]). A throttle with
//! no end refuses the remaining writes, which are retried on the next cycle.
//!
//! It must not know who writes: it books writes into fixed windows and says when they end.

use std::collections::BTreeMap;

/// What a booking under throttling came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reservation {
    /// When the last admitted write is done.
    pub(crate) end_ms: u64,
    /// Writes Azure AD accepted (the first ones, in order).
    pub(crate) admitted: u64,
    /// Writes answered 429 and sent again.
    pub(crate) retries: u64,
}

/// Fixed windows of `window_ms`, each admitting `writes_per_window` writes.
#[derive(Clone, Debug)]
pub(crate) struct WriteThrottle {
    writes_per_window: u64,
    window_ms: u64,
    /// Writes already booked, by window index.
    used: BTreeMap<u64, u64>,
}

impl WriteThrottle {
    pub(crate) fn new(writes_per_window: u64, window_ms: u64) -> Self {
        Self {
            writes_per_window: writes_per_window.max(1),
            window_ms: window_ms.max(1),
            used: BTreeMap::new(),
        }
    }

    /// Books `writes` writes starting at `start_ms`, each taking `ms_per_write`, and returns when
    /// the last one is done. A spent window makes the writer wait for the next one.
    pub(crate) fn reserve(&mut self, start_ms: u64, writes: u64, ms_per_write: u64) -> u64 {
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

    /// Books writes as [`Self::reserve`] does, but none is admitted inside a `blocked` interval
    /// `[from, until)` (ms; `None` = no end): the write in flight is answered 429 and sent again
    /// at each window start until the block ends (a retry each time). An endless block admits
    /// nothing more: the writes left are refused.
    pub(crate) fn reserve_around(
        &mut self,
        start_ms: u64,
        writes: u64,
        ms_per_write: u64,
        blocked: &[(u64, Option<u64>)],
    ) -> Reservation {
        let mut t = start_ms;
        let mut remaining = writes;
        let mut retries = 0;
        while remaining > 0 {
            let inside = blocked
                .iter()
                .find(|(from, until)| *from <= t && until.is_none_or(|u| t < u));
            if let Some((_, until)) = inside {
                let Some(until) = *until else {
                    break;
                };
                // Retry at each window start until the block ends.
                let mut retry = t;
                while retry < until {
                    retry = (retry / self.window_ms + 1) * self.window_ms;
                    retries += 1;
                }
                t = retry;
                continue;
            }
            // Write up to the next block's start, then look again.
            let next_block = blocked
                .iter()
                .map(|(from, _)| *from)
                .filter(|f| *f > t)
                .min();
            let batch = match (next_block, ms_per_write) {
                (Some(f), ms) if ms > 0 => remaining.min((f - t).div_ceil(ms)),
                _ => remaining,
            };
            t = self.reserve(t, batch, ms_per_write);
            remaining -= batch;
        }
        Reservation {
            end_ms: t,
            admitted: writes - remaining,
            retries,
        }
    }

    /// Writes booked in the window holding `at_ms`.
    #[cfg(test)]
    pub(crate) fn used_in_window(&self, at_ms: u64) -> u64 {
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
    fn a_block_delays_the_writes_after_it_until_it_ends_with_a_retry_per_window() {
        let mut plain = WriteThrottle::new(7_000, 300_000);
        assert_eq!(plain.reserve(0, 1_000, 30), 30_000);
        let mut t = WriteThrottle::new(7_000, 300_000);
        // Blocked from 15 s to 12 min: 500 writes go through, the rest wait for 15:00.
        let r = t.reserve_around(0, 1_000, 30, &[(15_000, Some(720_000))]);
        assert_eq!(r.admitted, 1_000);
        assert_eq!(r.retries, 3, "retried at 5:00, 10:00 and 15:00");
        assert_eq!(r.end_ms, 900_000 + 500 * 30);
    }

    #[test]
    fn an_endless_block_refuses_the_writes_left() {
        let mut t = WriteThrottle::new(7_000, 300_000);
        let r = t.reserve_around(0, 1_000, 30, &[(15_000, None)]);
        assert_eq!(r.admitted, 500);
        assert_eq!(r.end_ms, 15_000);
        let r = t.reserve_around(0, 10, 30, &[]);
        assert_eq!((r.admitted, r.retries), (10, 0));
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
