//! Calendar dates without a date library: ISO 8601 parsing, day numbers, calendar arithmetic.
//!
//! A date is a day number (days since 1970-01-01, proleptic Gregorian). A date-time is reduced to
//! its UTC calendar day, and keeps its instant (seconds since the epoch, UTC) so two date-times
//! can still be compared exactly.

pub use crate::syntax::ast::TimeUnit;
use serde::{Deserialize, Serialize};

/// A date, or a date-time with its instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateVal {
    /// The UTC calendar day, as days since 1970-01-01.
    pub day: i32,
    /// Seconds since the epoch (UTC) when a time was given.
    pub secs: Option<i64>,
}

impl DateVal {
    /// A plain calendar day.
    pub fn day(day: i32) -> Self {
        DateVal { day, secs: None }
    }

    /// Compares as the language does: by instant when both have a time, else by calendar day.
    pub fn cmp_lang(&self, other: &DateVal) -> std::cmp::Ordering {
        match (self.secs, other.secs) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.day.cmp(&other.day),
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in a month.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Moves a day by `n` units (negative: back); months and years are calendar ones, and a day
/// past the end of the target month is clamped to its last day (Jan 31 + 1 month = Feb 28/29).
pub fn shift(day: i32, n: i64, unit: TimeUnit) -> i32 {
    match unit {
        TimeUnit::Days => (day as i64 + n) as i32,
        TimeUnit::Weeks => (day as i64 + 7 * n) as i32,
        TimeUnit::Months | TimeUnit::Years => {
            let months = if unit == TimeUnit::Years { 12 * n } else { n };
            let (y, m, d) = civil_from_days(day as i64);
            let total = y * 12 + (m as i64 - 1) + months;
            let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
            let nd = d.min(days_in_month(ny, nm));
            days_from_civil(ny, nm, nd) as i32
        }
    }
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(day as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's UTC calendar day from the system clock.
pub fn today() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    secs.div_euclid(86_400) as i32
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, &c| acc * 10 + (c - b'0') as u32))
}

/// Parses `YYYY-MM-DD` into a day number, checking the calendar.
pub fn parse_day(s: &[u8]) -> Option<i32> {
    let s: &[u8; 10] = s.try_into().ok()?;
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    // Every lead's date goes through here, so the eight digits are checked and read as one
    // 64-bit word, `YYYYMMDD` with the first digit lowest.
    let w = u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        | u64::from(u16::from_le_bytes([s[5], s[6]])) << 32
        | u64::from(u16::from_le_bytes([s[8], s[9]])) << 48;
    let x = w.wrapping_sub(0x3030_3030_3030_3030);
    // A byte below `0` borrows (its top bit is then set); one above `9` sets its top bit
    // once 0x76 is added. Either way the word is refused, so a borrow into the next byte
    // does not matter.
    if (x | x.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    // Each pair of digits becomes its value, in bytes 0, 2, 4 and 6.
    let p = (x & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(10 << 8 | 1) >> 8;
    let y = (p & 0xFF) as u32 * 100 + (p >> 16 & 0xFF) as u32;
    let m = (p >> 32 & 0xFF) as u32;
    let d = (p >> 48 & 0xFF) as u32;
    if !(1..=12).contains(&m) || d == 0 || (d > 28 && d > days_in_month(y as i64, m)) {
        return None;
    }
    Some(days_from_civil_0000(y, m, d))
}

/// [`days_from_civil`] for the years 0 to 9999 that four digits can write, in 32-bit
/// arithmetic without a branch on the era's sign.
#[inline]
fn days_from_civil_0000(y: u32, m: u32, d: u32) -> i32 {
    // Shifted 400 years on (one whole Gregorian cycle of 146,097 days), so that the year
    // before March of year 0 is still positive.
    let y = y + 400 - (m <= 2) as u32;
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe) as i32 - 146_097 - 719_468
}

/// Parses an ISO 8601 date (`2024-06-01`) or date-time (`2024-06-01T09:30`, with optional
/// seconds, fraction and `Z` or `±HH:MM` offset; a space may stand for `T`). A date-time without
/// an offset is taken as UTC. Surrounding whitespace is ignored.
pub fn parse_date(s: &str) -> Option<DateVal> {
    // The usual value, a bare date, needs no trimming.
    if s.len() == 10
        && let Some(day) = parse_day(s.as_bytes())
    {
        return Some(DateVal::day(day));
    }
    let s = s.trim().as_bytes();
    if s.len() < 10 {
        return None;
    }
    let day = parse_day(&s[..10])?;
    if s.len() == 10 {
        return Some(DateVal::day(day));
    }
    if s[10] != b'T' && s[10] != b't' && s[10] != b' ' {
        return None;
    }
    let t = &s[11..];
    if t.len() < 5 || t[2] != b':' {
        return None;
    }
    let hh = digits(&t[..2])?;
    let mm = digits(&t[3..5])?;
    let mut rest = &t[5..];
    let mut ss = 0;
    if rest.first() == Some(&b':') {
        ss = digits(rest.get(1..3)?)?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            rest = &rest[1 + n..];
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let offset: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = digits(&[*h1, *h2])? as i64;
            let m = digits(&[*m1, *m2])? as i64;
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let secs = day as i64 * 86_400 + (hh as i64) * 3600 + (mm as i64) * 60 + ss as i64 - offset;
    Some(DateVal {
        day: secs.div_euclid(86_400) as i32,
        secs: Some(secs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 19_000, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            format_day(days_from_civil(2024, 2, 29) as i32),
            "2024-02-29"
        );
    }

    /// The word-at-a-time `parse_day` against a byte-by-byte reading of the same format.
    #[test]
    fn parse_day_matches_a_plain_reading() {
        fn plain(s: &[u8]) -> Option<i32> {
            let t = std::str::from_utf8(s).ok()?;
            let digits = |r: std::ops::Range<usize>| {
                let p = t.get(r)?;
                p.bytes()
                    .all(|c| c.is_ascii_digit())
                    .then(|| p.parse::<u32>().ok())?
            };
            if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
                return None;
            }
            let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
            if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y as i64, m) {
                return None;
            }
            Some(days_from_civil(y as i64, m, d) as i32)
        }
        for y in (0..=9999).step_by(7).chain(1896..=2104) {
            for m in 0..=13 {
                for d in [0, 1, 2, 9, 10, 15, 28, 29, 30, 31, 32, 39, 99] {
                    let s = format!("{y:04}-{m:02}-{d:02}");
                    assert_eq!(parse_day(s.as_bytes()), plain(s.as_bytes()), "{s}");
                }
            }
        }
        let good = *b"2024-02-29";
        assert!(parse_day(&good).is_some());
        // Every byte of a good date replaced by each byte value: refused unless still a date.
        for i in 0..10 {
            for c in 0..=255u8 {
                let mut s = good;
                s[i] = c;
                assert_eq!(
                    parse_day(&s),
                    plain(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        for s in ["2024-6-01", "2024-06-1 ", "2024/06/01", "", "20240601"] {
            assert_eq!(parse_day(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn parses_dates_and_offsets() {
        assert_eq!(
            parse_date("2024-06-01").unwrap().day,
            days_from_civil(2024, 6, 1) as i32
        );
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-13-01").is_none());
        let late = parse_date("2024-05-31T23:30:00-02:00").unwrap();
        assert_eq!(format_day(late.day), "2024-06-01");
        let early = parse_date("2024-06-01T00:30:00+01:00").unwrap();
        assert_eq!(format_day(early.day), "2024-05-31");
        assert!(parse_date("2024-06-01 10:00:00").is_some());
        assert!(parse_date("2024-06-01T25:00").is_none());
    }

    #[test]
    fn calendar_months_clamp() {
        let jan31 = days_from_civil(2024, 1, 31) as i32;
        assert_eq!(format_day(shift(jan31, 1, TimeUnit::Months)), "2024-02-29");
        assert_eq!(format_day(shift(jan31, -2, TimeUnit::Months)), "2023-11-30");
        let feb29 = days_from_civil(2024, 2, 29) as i32;
        assert_eq!(format_day(shift(feb29, -1, TimeUnit::Years)), "2023-02-28");
    }
}
