//! Wall-clock facts a report may carry in its `wall_*` fields: when the run started and on which
//! machine. Nothing else in a report may depend on them.

use std::time::{SystemTime, UNIX_EPOCH};

/// `time` in UTC as RFC 3339 to the second: `2026-11-30T02:55:07Z` (a time before 1970 reads
/// as the epoch).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let second = i64::try_from(secs).unwrap_or(i64::MAX);
    jiff::Timestamp::from_second(second)
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Wall milliseconds since `start` (a `u64` holds 584 million years of them; beyond that it
/// saturates rather than wraps).
pub fn elapsed_ms(start: std::time::Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// This machine's host name: the kernel's, else `HOSTNAME` or `COMPUTERNAME`; `None` when
/// none is known.
pub fn hostname() -> Option<String> {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    kernel
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_in_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_920_907);
        assert_eq!(rfc3339(t), "2026-11-29T02:55:07Z");
        // A leap day.
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
    }
}
