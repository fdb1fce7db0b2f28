//! Wall-clock time for `std::time`: a [`DateTime`] is a count of
//! milliseconds since the Unix epoch, in UTC, with the proleptic
//! Gregorian calendar (days to dates by Howard Hinnant's algorithms), and
//! prints as an HL7 `TS` (`YYYYMMDDHHMMSS`) or ISO 8601, the forms an
//! acknowledgement's MSH-7 and a FHIR `instant` need.

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in UTC, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub unix_ms: i64,
}

/// A date and time of day, as read off a [`DateTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millisecond: u32,
}

const MS_PER_DAY: i64 = 86_400_000;

impl DateTime {
    /// The system clock now (a clock set before 1970 reads as negative).
    pub fn now() -> DateTime {
        let unix_ms = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        DateTime { unix_ms }
    }

    pub fn from_unix_ms(unix_ms: i64) -> DateTime {
        DateTime { unix_ms }
    }

    /// The date and time of day.
    pub fn civil(self) -> Civil {
        let days = self.unix_ms.div_euclid(MS_PER_DAY);
        let ms = self.unix_ms.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        // `ms` is below a day's 86 400 000, so every part fits a u32.
        let part = |n: i64| u32::try_from(n).unwrap_or(0);
        Civil {
            year,
            month,
            day,
            hour: part(ms / 3_600_000),
            minute: part(ms / 60_000 % 60),
            second: part(ms / 1000 % 60),
            millisecond: part(ms % 1000),
        }
    }

    /// The instant of a date and time of day in UTC (`None` when a part
    /// is out of its range or the result out of `i64`).
    pub fn from_civil(c: Civil) -> Option<DateTime> {
        if !(1..=12).contains(&c.month)
            || c.day < 1
            || c.day > days_in_month(c.year, c.month)
            || c.hour > 23
            || c.minute > 59
            || c.second > 59
            || c.millisecond > 999
        {
            return None;
        }
        let days = days_from_civil(c.year, c.month, c.day)?;
        let ms = i64::from(c.hour) * 3_600_000
            + i64::from(c.minute) * 60_000
            + i64::from(c.second) * 1000
            + i64::from(c.millisecond);
        days.checked_mul(MS_PER_DAY)?
            .checked_add(ms)
            .map(DateTime::from_unix_ms)
    }

    /// HL7 v2 `TS`/`DTM` to the second: `20261205183000`.
    pub fn to_hl7(self) -> String {
        let c = self.civil();
        format!(
            "{}{:02}{:02}{:02}{:02}{:02}",
            year_text(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second
        )
    }

    /// ISO 8601 in UTC with milliseconds, as JavaScript's
    /// `toISOString`: `2026-12-05T18:30:00.000Z` (years outside 0–9999
    /// with a sign and six digits).
    pub fn to_iso8601(self) -> String {
        let c = self.civil();
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year_text(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            c.millisecond
        )
    }
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_iso8601())
    }
}

fn year_text(year: i64) -> String {
    if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{year:+07}")
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?.checked_add(doe - 719_468)
}

/// The proleptic Gregorian date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are in range by construction (1–31 and 1–12).
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_print_in_both_forms() {
        let t = DateTime::from_unix_ms(0);
        assert_eq!(t.to_hl7(), "19700101000000");
        assert_eq!(t.to_iso8601(), "1970-01-01T00:00:00.000Z");
        let t = DateTime::from_unix_ms(1_796_495_400_123);
        assert_eq!(t.to_iso8601(), "2026-12-05T18:30:00.123Z");
        assert_eq!(t.to_hl7(), "20261205183000");
        let leap = DateTime::from_unix_ms(951_782_400_000);
        assert_eq!(leap.to_iso8601(), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            DateTime::from_unix_ms(-1).to_iso8601(),
            "1969-12-31T23:59:59.999Z"
        );
        assert_eq!(
            DateTime::from_unix_ms(253_402_300_800_000).to_iso8601(),
            "+010000-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn every_day_of_many_years_round_trips() {
        let mut days = days_from_civil(1600, 1, 1).unwrap();
        let end = days_from_civil(2400, 12, 31).unwrap();
        let mut expected = (1600, 1, 1);
        while days <= end {
            assert_eq!(civil_from_days(days), expected);
            assert_eq!(
                days_from_civil(expected.0, expected.1, expected.2),
                Some(days)
            );
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            days += 1;
        }
    }

    #[test]
    fn civil_parts_are_checked() {
        let c = DateTime::from_unix_ms(1_796_495_400_123).civil();
        assert_eq!(
            DateTime::from_civil(c).map(|t| t.unix_ms),
            Some(1_796_495_400_123)
        );
        assert_eq!(
            DateTime::from_civil(Civil {
                day: 31,
                month: 11,
                ..c
            }),
            None
        );
        assert_eq!(
            DateTime::from_civil(Civil {
                month: 2,
                day: 29,
                year: 2100,
                ..c
            }),
            None
        );
        assert!(
            DateTime::from_civil(Civil {
                month: 2,
                day: 29,
                year: 2000,
                ..c
            })
            .is_some()
        );
        assert_eq!(DateTime::from_civil(Civil { hour: 24, ..c }), None);
    }

    #[test]
    fn the_clock_reads_after_2025() {
        assert!(DateTime::now().civil().year >= 2025);
    }
}
