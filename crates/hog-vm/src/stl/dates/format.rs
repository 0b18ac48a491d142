//! `formatDateTime`'s ClickHouse-style `%` tokens and the ISO-8601 form used by `toString`.

use std::fmt::Write;

use chrono::{Datelike, Weekday};

use super::calendar::Local;

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Formats wall-clock fields with a ClickHouse-style format string (hog-stl.md §2.10).
///
/// Text outside tokens is copied; an unknown token or a trailing lone `%` produces nothing.
/// Where PostHog's VMs differ, this follows Node: `%e` unpadded, `%f` milliseconds (3 digits),
/// `%w` ISO weekday (Sunday = 7), `%Q` quarter.
pub fn format_clickhouse(local: &Local, format: &str) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(token) = chars.next() else { break };
        write_token(&mut out, local, token);
    }
    out
}

fn write_token(out: &mut String, t: &Local, token: char) {
    let date = t.date();
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    let yy = TwoDigitYear(t.year());
    // `write!` into a String cannot fail.
    let _ = match token {
        'a' => write!(out, "{}", &WEEKDAYS[weekday_index(date.weekday())][..3]),
        'b' => write!(out, "{}", &MONTHS[t.month0()][..3]),
        'c' | 'm' => write!(out, "{:02}", t.month()),
        'C' | 'g' | 'y' => write!(out, "{yy}"),
        'd' => write!(out, "{:02}", t.day()),
        'D' => write!(out, "{:02}/{:02}/{yy}", t.month(), t.day()),
        'e' => write!(out, "{}", t.day()),
        'f' => write!(out, "{:03}", t.millisecond()),
        'F' => write!(
            out,
            "{}-{:02}-{:02}",
            FourDigitYear(t.year()),
            t.month(),
            t.day()
        ),
        'G' | 'Y' => write!(out, "{}", FourDigitYear(t.year())),
        'h' | 'I' | 'l' => write!(out, "{hour12:02}"),
        'H' | 'k' => write!(out, "{:02}", t.hour()),
        'i' => write!(out, "{:02}", t.minute()),
        'j' => write!(out, "{:03}", date.ordinal()),
        'M' => write!(out, "{}", MONTHS[t.month0()]),
        'n' => {
            out.push('\n');
            Ok(())
        }
        'p' => write!(out, "{}", if t.hour() < 12 { "AM" } else { "PM" }),
        'Q' => write!(out, "{}", t.month0() / 3 + 1),
        'r' => write!(
            out,
            "{hour12:02}:{:02} {}",
            t.minute(),
            if t.hour() < 12 { "AM" } else { "PM" }
        ),
        'R' => write!(out, "{:02}:{:02}", t.hour(), t.minute()),
        's' | 'S' => write!(out, "{:02}", t.second()),
        't' => {
            out.push('\t');
            Ok(())
        }
        'T' => write!(out, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        'u' | 'w' => write!(out, "{}", weekday_index(date.weekday()) + 1),
        'V' => write!(out, "{:02}", date.iso_week().week()),
        'W' => write!(out, "{}", WEEKDAYS[weekday_index(date.weekday())]),
        'z' => {
            let (sign, abs) = sign_abs(t.offset_seconds);
            write!(out, "{sign}{:02}{:02}", abs / 3600, abs % 3600 / 60)
        }
        '%' => write!(out, "%"),
        _ => Ok(()),
    };
}

/// ISO-8601 with milliseconds, as `toString` prints datetimes: `Z` for UTC, else `±HH:MM`.
pub fn iso_8601(local: &Local, zone_is_utc: bool) -> String {
    let mut out = String::with_capacity(29);
    write_year(&mut out, local.year());
    let _ = write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        local.millisecond()
    );
    if zone_is_utc {
        out.push('Z');
    } else {
        let (sign, abs) = sign_abs(local.offset_seconds);
        let _ = write!(out, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60);
    }
    out
}

/// `yyyy` in luxon's formatter: at least four digits, a minus sign for years before 1 BCE.
struct FourDigitYear(i32);

impl std::fmt::Display for FourDigitYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 < 0 {
            write!(f, "-{:04}", self.0.unsigned_abs())
        } else {
            write!(f, "{:04}", self.0)
        }
    }
}

/// `yy` in luxon's formatter: the last two digits, signed for negative years.
struct TwoDigitYear(i32);

impl std::fmt::Display for TwoDigitYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = self.0.unsigned_abs() % 100;
        if self.0 < 0 {
            write!(f, "-{last:02}")
        } else {
            write!(f, "{last:02}")
        }
    }
}

/// Four-digit year; years outside 0..=9999 get a sign and six digits, as ISO (and luxon) write them.
fn write_year(out: &mut String, year: i32) {
    let _ = if (0..=9999).contains(&year) {
        write!(out, "{year:04}")
    } else if year < 0 {
        write!(out, "-{:06}", year.unsigned_abs())
    } else {
        write!(out, "+{year:06}")
    };
}

fn sign_abs(offset_seconds: i32) -> (char, u32) {
    (
        if offset_seconds < 0 { '-' } else { '+' },
        offset_seconds.unsigned_abs(),
    )
}

fn weekday_index(day: Weekday) -> usize {
    day.num_days_from_monday() as usize
}

trait Month0 {
    fn month0(&self) -> usize;
}

impl Month0 for Local {
    fn month0(&self) -> usize {
        (self.month() - 1) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stl::dates::calendar::parse_zone;
    use chrono_tz::Tz;

    /// 2009-02-11 18:39:03.123456 UTC, a Wednesday (the corpus `dateFormat` reference instant).
    fn reference(zone: &str) -> Local {
        Local::at(1_234_377_543_123, parse_zone(zone).unwrap()).unwrap()
    }

    #[test]
    fn every_token_matches_the_corpus() {
        let t = reference("UTC");
        let cases = [
            ("%a", "Wed"),
            ("%b", "Feb"),
            ("%c", "02"),
            ("%C", "09"),
            ("%d", "11"),
            ("%D", "02/11/09"),
            ("%e", "11"),
            ("%f", "123"),
            ("%F", "2009-02-11"),
            ("%g", "09"),
            ("%G", "2009"),
            ("%h", "06"),
            ("%H", "18"),
            ("%i", "39"),
            ("%I", "06"),
            ("%j", "042"),
            ("%k", "18"),
            ("%l", "06"),
            ("%m", "02"),
            ("%M", "February"),
            ("%n", "\n"),
            ("%p", "PM"),
            ("%Q", "1"),
            ("%r", "06:39 PM"),
            ("%R", "18:39"),
            ("%s", "03"),
            ("%S", "03"),
            ("%t", "\t"),
            ("%T", "18:39:03"),
            ("%u", "3"),
            ("%V", "07"),
            ("%w", "3"),
            ("%W", "Wednesday"),
            ("%y", "09"),
            ("%Y", "2009"),
            ("%z", "+0000"),
            ("%%", "%"),
            ("%q", ""),
            ("%", ""),
            ("one banana", "one banana"),
        ];
        for (fmt, want) in cases {
            assert_eq!(format_clickhouse(&t, fmt), want, "token {fmt}");
        }
        assert_eq!(
            format_clickhouse(&t, "%Y no way %m is this %d a %H real %i time %S"),
            "2009 no way 02 is this 11 a 18 real 39 time 03"
        );
    }

    #[test]
    fn zones_shift_the_wall_clock() {
        let fmt = "%Y-%m-%d %H:%i:%S";
        assert_eq!(
            format_clickhouse(&reference("Europe/Brussels"), fmt),
            "2009-02-11 19:39:03"
        );
        assert_eq!(
            format_clickhouse(&reference("America/New_York"), fmt),
            "2009-02-11 13:39:03"
        );
        assert_eq!(
            format_clickhouse(&reference("America/New_York"), "%z"),
            "-0500"
        );
        assert_eq!(
            format_clickhouse(&reference("Asia/Kolkata"), "%z %e"),
            "+0530 12"
        );
    }

    #[test]
    fn iso_form() {
        let ms = 1_714_739_696_000;
        let at = |z: &str| Local::at(ms, parse_zone(z).unwrap()).unwrap();
        assert_eq!(iso_8601(&at("UTC"), true), "2024-05-03T12:34:56.000Z");
        assert_eq!(
            iso_8601(&at("Europe/Brussels"), false),
            "2024-05-03T14:34:56.000+02:00"
        );
        assert_eq!(
            iso_8601(&at("America/New_York"), false),
            "2024-05-03T08:34:56.000-04:00"
        );
        let old = Local::at(-62_198_755_200_000, Tz::UTC).unwrap();
        assert_eq!(iso_8601(&old, true), "-000001-01-01T00:00:00.000Z");
        assert_eq!(
            format_clickhouse(&old, "%Y %C %y %F"),
            "-0001 -01 -01 -0001-01-01"
        );
    }
}
