//! The date-like string grammar shared by PostHog's VMs (hog-stl.md §2.10).
//!
//! ```text
//! input := WS* date ( SEP time zone? )? WS*
//! date  := YYYY "-" MM "-" DD               (year 0000 rejected)
//! SEP   := "T" | "t" | " "
//! time  := HH ":" MM ( ":" SS frac? )?      (HH <= 23; a fraction requires seconds)
//! frac  := ("." | ",") 1-9 digits           (truncated to milliseconds)
//! zone  := "Z" | "z" | ("+"|"-") HH ( ":"? MM )?
//! ```
//!
//! The grammar is deliberately narrow: this parse also runs implicitly when a string is compared
//! with a date, so `2024`, `20240101` or a bare time must *not* be taken for dates.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::calendar::{MAX_ABS_MILLIS, local_to_millis};

/// A parsed date-like string, before a zone is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLike {
    /// Calendar date and wall-clock time (midnight when the input has no time part).
    pub local: NaiveDateTime,
    /// Explicit UTC offset in seconds, if the input carried one.
    pub offset_seconds: Option<i32>,
}

/// Epoch milliseconds of a date-like string; zone-less input is read as wall-clock time in `zone`.
pub fn parse_date_like_millis(input: &str, zone: Tz) -> Option<i64> {
    let parsed = parse_date_like(input)?;
    let millis = match parsed.offset_seconds {
        Some(offset) => parsed.local.and_utc().timestamp_millis() - i64::from(offset) * 1000,
        None => local_to_millis(parsed.local, zone),
    };
    (millis.abs() <= MAX_ABS_MILLIS).then_some(millis)
}

/// Epoch seconds (with millisecond fraction) of a date-like string, as used by comparisons.
pub fn parse_date_like_seconds(input: &str, zone: Tz) -> Option<f64> {
    parse_date_like_millis(input, zone).map(|ms| ms as f64 / 1000.0)
}

/// Parses the grammar above; `None` for anything else (including impossible dates like Feb 30).
pub fn parse_date_like(input: &str) -> Option<DateLike> {
    let mut s = Scanner {
        bytes: input.trim().as_bytes(),
        pos: 0,
    };
    let year = s.digits(4)?;
    s.expect(b'-')?;
    let month = s.digits(2)?;
    s.expect(b'-')?;
    let day = s.digits(2)?;
    if year == 0 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    if s.at_end() {
        return Some(DateLike {
            local: date.and_time(NaiveTime::MIN),
            offset_seconds: None,
        });
    }
    match s.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = s.digits(2)?;
    s.expect(b':')?;
    let minute = s.digits(2)?;
    let mut second = 0;
    let mut millis = 0;
    if s.peek() == Some(b':') {
        s.pos += 1;
        second = s.digits(2)?;
        if matches!(s.peek(), Some(b'.' | b',')) {
            s.pos += 1;
            let start = s.pos;
            while s.peek().is_some_and(|b| b.is_ascii_digit()) {
                s.pos += 1;
            }
            let frac = &s.bytes[start..s.pos];
            if frac.is_empty() || frac.len() > 9 {
                return None;
            }
            // Truncate (never round) to milliseconds, as the reference VMs do.
            millis = frac
                .iter()
                .take(3)
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            millis *= 10u32.pow(3 - frac.len().min(3) as u32);
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, millis)?;
    let offset_seconds = if s.at_end() {
        None
    } else {
        let offset = match s.next()? {
            b'Z' | b'z' => 0,
            sign @ (b'+' | b'-') => {
                let hours = s.digits(2)?;
                if s.peek() == Some(b':') {
                    s.pos += 1;
                }
                let minutes = if s.at_end() { 0 } else { s.digits(2)? };
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let total = (hours * 3600 + minutes * 60) as i32;
                if sign == b'-' { -total } else { total }
            }
            _ => return None,
        };
        Some(offset)
    };
    if !s.at_end() {
        return None;
    }
    Some(DateLike {
        local: date.and_time(time),
        offset_seconds,
    })
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }
    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }
    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let chunk = self.bytes.get(self.pos..self.pos + n)?;
        if !chunk.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(
            chunk
                .iter()
                .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<f64> {
        parse_date_like_seconds(s, Tz::UTC)
    }

    #[test]
    fn accepts_the_grammar() {
        assert_eq!(utc("2021-01-01 12:34:56"), Some(1609504496.0));
        assert_eq!(utc("2024-05-03T12:34:56Z"), Some(1714739696.0));
        assert_eq!(utc("  2024-05-03t12:34:56z "), Some(1714739696.0));
        assert_eq!(utc("2024-05-03"), Some(1714694400.0));
        assert_eq!(utc("2024-05-03T12:34"), Some(1714739640.0));
        assert_eq!(utc("2009-02-11T06:42:23.123456789Z"), Some(1234334543.123));
        assert_eq!(utc("2009-02-11T06:42:23,5Z"), Some(1234334543.5));
        assert_eq!(utc("2021-03-04T05:06:07+02:00"), Some(1614827167.0));
        assert_eq!(utc("2021-03-04T05:06:07+0200"), Some(1614827167.0));
        assert_eq!(utc("2021-03-04T05:06:07-02"), Some(1614841567.0));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "2024",
            "2024-01",
            "20240101",
            "2024-W05",
            "2024-001",
            "12:30",
            "0000-01-01",
            "2024-02-30",
            "2024-13-01",
            "2024-01-01T24:00",
            "2024-01-01T12",
            "2024-01-01T12:30.5",
            "2024-01-01T12:30:00.",
            "2024-01-01T12:30:00.1234567890",
            "2024-01-01X12:30",
            "2024-01-01T12:30:00+2",
            "2024-01-01T12:30:00+02:3",
            "2024-01-01T12:30:00 Z",
            "",
            "2024-1-01",
            "٢٠٢٤-01-01",
            "2024-01-01T12:60",
            "2024-01-01T12:30:60",
        ] {
            assert_eq!(utc(bad), None, "{bad:?} must not parse");
        }
    }

    #[test]
    fn zone_applies_only_to_zoneless_input() {
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            parse_date_like_seconds("2024-05-03 08:34:56", ny),
            Some(1714739696.0)
        );
        assert_eq!(
            parse_date_like_seconds("2024-05-03T12:34:56Z", ny),
            Some(1714739696.0)
        );
        // A wall-clock time inside the spring-forward gap moves forward by the gap.
        assert_eq!(
            parse_date_like_seconds("2024-03-10 02:30:00", ny),
            parse_date_like_seconds("2024-03-10T07:30:00Z", Tz::UTC)
        );
    }
}
