//! Calendar dates and timestamps in Asia/Shanghai (UTC+8, no daylight saving since 1991),
//! computed from a Unix time in milliseconds so the clock can be injected.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// A calendar day, ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1970..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`; anything else (including out-of-range days) is `None`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = i32::try_from(number(0..4)?).ok()?;
        Date::new(
            year,
            u8::try_from(number(5..7)?).ok()?,
            u8::try_from(number(8..10)?).ok()?,
        )
    }

    /// The Shanghai calendar day containing the instant `epoch_ms`.
    pub fn in_shanghai(epoch_ms: f64) -> Date {
        let local = epoch_ms as i64 + SHANGHAI_OFFSET_MS;
        civil_from_days(local.div_euclid(DAY_MS))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| serde::de::Error::custom("expected a date YYYY-MM-DD"))
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// Days since 1970-01-01 for a date (inverse of `civil_from_days`).
pub fn days_from_civil(date: Date) -> i64 {
    let year = i64::from(date.year) - i64::from(date.month <= 2);
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(date.month);
    let doy =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(date.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 3339 timestamp with the Shanghai offset, e.g. `2026-11-30T16:05:09+08:00`.
pub fn rfc3339_shanghai(epoch_ms: f64) -> String {
    let local = epoch_ms as i64 + SHANGHAI_OFFSET_MS;
    let date = civil_from_days(local.div_euclid(DAY_MS));
    let secs = local.rem_euclid(DAY_MS) / 1000;
    format!(
        "{date}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// True for an RFC 3339 timestamp with seconds and an offset (`Z` or `±hh:mm`), as the
/// contract's `created_at` requires. Checks the shape and the calendar date.
pub fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[10] != b'T' || text.get(..10).and_then(Date::parse).is_none() {
        return false;
    }
    let two = |at: usize, max: u8| {
        text.get(at..at + 2)
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u8>().ok())
            .is_some_and(|n| n <= max)
    };
    if !(two(11, 23) && bytes[13] == b':' && two(14, 59) && bytes[16] == b':' && two(17, 60)) {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest.as_bytes() {
        [b'Z'] => true,
        [b'+' | b'-', ..] if rest.len() == 6 => two_digits_colon(&rest[1..]),
        _ => false,
    }
}

fn two_digits_colon(offset: &str) -> bool {
    let b = offset.as_bytes();
    b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b':'
        && b[3].is_ascii_digit()
        && b[4].is_ascii_digit()
}

/// A short local time for people: `2026-11-30 16:05`.
pub fn display_shanghai(epoch_ms: f64) -> String {
    let text = rfc3339_shanghai(epoch_ms);
    format!("{} {}", &text[..10], &text[11..16])
}

/// Parses an HTTP `Retry-After` value (delay seconds or an IMF-fixdate) into a delay in ms.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u32>() {
        return Some(f64::from(seconds) * 1000.0);
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == parts[2])? as u8 + 1;
    let date = Date::new(parts[3].parse().ok()?, month, parts[1].parse().ok()?)?;
    let hms: Vec<i64> = parts[4]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 || hms[0] > 23 || hms[1] > 59 || hms[2] > 60 {
        return None;
    }
    let at_ms = (days_from_civil(date) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]) * 1000;
    Some((at_ms as f64 - now_ms).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // 2026-11-30T16:00:00Z is 2026-12-01 00:00 in Shanghai.
    const UTC_2026_11_30_1600: f64 = 1_796_054_400_000.0;

    #[test]
    fn shanghai_day_turns_at_utc_1600() {
        assert_eq!(
            Date::in_shanghai(UTC_2026_11_30_1600 - 1.0),
            Date::new(2026, 11, 30).unwrap()
        );
        assert_eq!(
            Date::in_shanghai(UTC_2026_11_30_1600),
            Date::new(2026, 12, 1).unwrap()
        );
    }

    #[test]
    fn parse_rejects_bad_dates() {
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2028-02-29"), Date::new(2028, 2, 29));
        for bad in [
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026-01-01x",
            "２０２６-01-01",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_has_offset() {
        assert_eq!(
            rfc3339_shanghai(UTC_2026_11_30_1600 + 3_723_000.0),
            "2026-12-01T01:02:03+08:00"
        );
        assert_eq!(display_shanghai(UTC_2026_11_30_1600), "2026-12-01 00:00");
        assert!(is_rfc3339(&rfc3339_shanghai(UTC_2026_11_30_1600)));
    }

    #[test]
    fn rfc3339_shapes() {
        for good in [
            "2026-11-30T09:00:00+08:00",
            "2026-11-30T01:00:00Z",
            "2026-11-30T01:00:00.123-05:30",
        ] {
            assert!(is_rfc3339(good), "{good}");
        }
        for bad in [
            "2026-11-30 09:00:00+08:00",
            "2026-02-30T09:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T09:00:00",
            "2026-11-30T09:00:00.Z",
            "2026-11-30T09:00:00+0800",
            "2026-11-3é09:00:00+08:00",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(retry_after_ms("120", 0.0), Some(120_000.0));
        let now = 784_111_777_000.0 - 10_000.0;
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(10_000.0)
        );
        assert_eq!(retry_after_ms("soon", 0.0), None);
        assert_eq!(retry_after_ms("-5", 0.0), None);
    }

    proptest! {
        #[test]
        fn days_roundtrip(days in -10_000i64..3_000_000) {
            let date = civil_from_days(days);
            prop_assert_eq!(days_from_civil(date), days);
            if date.year >= 1970 && date.year <= 9999 {
                prop_assert_eq!(Date::parse(&date.to_string()), Some(date));
            }
        }

        #[test]
        fn rfc3339_check_never_panics(text in "\\PC{0,30}") {
            let _ = is_rfc3339(&text);
        }

        #[test]
        fn retry_after_never_panics(text in ".{0,40}", now in 0f64..4e12) {
            let _ = retry_after_ms(&text, now);
        }
    }
}
