//! `whenChanged` as LDAP generalized time (`20140923233930.0Z`) and back.
//!
//! Mapping (documented, used by both reader and writer): the model's `when_changed_ms` is read
//! as **milliseconds since the Unix epoch, 1970-01-01T00:00:00Z**, so a world whose simulated
//! clock starts at 0 starts on that date. The writer writes whole seconds as AD does (`.0Z`)
//! and other values with three fraction digits (`.123Z`), so every value from 1970 up to the
//! end of year 9999 survives a round trip. Times with an offset (`+0100`) are converted to UTC.

/// Milliseconds from 1970-01-01 to the end of 9999-12-31, the last instant generalized time can
/// hold with a four-digit year.
pub const MAX_MS: u64 = 253_402_300_799_999;

/// Parses generalized time `YYYYMMDDHH[MM[SS[(.|,)fraction]]](Z|±HH[MM])` into ms since 1970.
pub(crate) fn parse_generalized(text: &str) -> Result<u64, &'static str> {
    let t = text.trim();
    let b = t.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !matches!(digits, 10 | 12 | 14) {
        return Err("YYYYMMDDHHMMSS digits");
    }
    let num = |from: usize, len: usize| -> i64 {
        b[from..from + len]
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
    };
    let (year, month, day, hour) = (num(0, 4), num(4, 2), num(6, 2), num(8, 2));
    let minute = if digits >= 12 { num(10, 2) } else { 0 };
    let second = if digits >= 14 { num(12, 2) } else { 0 };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("a real calendar date");
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err("a time of day within 00:00:00–23:59:60");
    }
    let mut rest = &t[digits..];
    let mut fraction_ms = 0i64;
    if let Some(f) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let fd = f.bytes().take_while(u8::is_ascii_digit).count();
        if fd == 0 || digits != 14 {
            return Err("a fraction of seconds only after full seconds");
        }
        // Milliseconds: the first three digits; further digits are below the model's unit.
        let mut ms = 0i64;
        for i in 0..3 {
            ms = ms * 10
                + f.as_bytes()
                    .get(i)
                    .filter(|_| i < fd)
                    .map_or(0, |d| i64::from(d - b'0'));
        }
        fraction_ms = ms;
        rest = &f[fd..];
    }
    let offset_min = match rest.as_bytes() {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), d @ ..]
            if matches!(d.len(), 2 | 4) && d.iter().all(u8::is_ascii_digit) =>
        {
            let two = |i: usize| i64::from(d[i] - b'0') * 10 + i64::from(d[i + 1] - b'0');
            let m = two(0) * 60 + if d.len() == 4 { two(2) } else { 0 };
            if *sign == b'+' { m } else { -m }
        }
        _ => return Err("a time ending in Z (UTC) or an offset like +0100"),
    };
    let days = days_from_civil(year, month, day);
    let ms = (((days * 24 + hour) * 60 + minute - offset_min) * 60 + second) * 1000 + fraction_ms;
    u64::try_from(ms).map_err(|_| "a time on or after 1970-01-01 (the model counts ms since then)")
}

/// Writes ms since 1970 as generalized time, or `None` past year 9999.
pub(crate) fn format_generalized(ms: u64) -> Option<String> {
    if ms > MAX_MS {
        return None;
    }
    let ms = i64::try_from(ms).ok()?;
    let (days, in_day_ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let secs = in_day_ms / 1000;
    let (hh, mm, ss, frac) = (secs / 3600, secs / 60 % 60, secs % 60, in_day_ms % 1000);
    Some(if frac == 0 {
        format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}.0Z")
    } else {
        format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}.{frac:03}Z")
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ad_whole_second_times_read_as_unix_ms() {
        // 2014-09-23T23:39:30Z = 1411515570 s since 1970.
        assert_eq!(
            parse_generalized("20140923233930.0Z"),
            Ok(1_411_515_570_000)
        );
        assert_eq!(parse_generalized("19700101000000.0Z"), Ok(0));
        assert_eq!(parse_generalized("19700101000000Z"), Ok(0));
        assert_eq!(parse_generalized("197001010100+0100"), Ok(0));
        assert_eq!(parse_generalized("20000229120000.25Z"), Ok(951_825_600_250));
        assert_eq!(
            format_generalized(1_411_515_570_000).unwrap(),
            "20140923233930.0Z"
        );
        assert_eq!(
            format_generalized(951_825_600_250).unwrap(),
            "20000229120000.250Z"
        );
    }

    #[test]
    fn bad_times_are_refused_with_the_reason() {
        assert!(parse_generalized("16010101000000.0Z").is_err());
        assert!(parse_generalized("20150230000000.0Z").is_err());
        assert!(parse_generalized("2015").is_err());
        assert!(parse_generalized("20150101000000.0").is_err());
        assert!(parse_generalized("20150101246000.0Z").is_err());
        assert_eq!(format_generalized(MAX_MS + 1), None);
        assert_eq!(format_generalized(MAX_MS).unwrap(), "99991231235959.999Z");
    }

    proptest! {
        #[test]
        fn generalized_time_round_trips_every_ms_up_to_9999(ms in 0u64..=MAX_MS) {
            let text = format_generalized(ms).unwrap();
            prop_assert_eq!(parse_generalized(&text), Ok(ms));
        }
    }
}
