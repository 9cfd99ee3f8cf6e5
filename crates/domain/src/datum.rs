//! Civil dates (`YYYY-MM-DD`, the ISO 8601 form Swedish authorities use).

use crate::error::{Code, DomainError};
use crate::kommun::clip;
use std::fmt;

/// A calendar date without time or zone. Only `YYYY-MM-DD` with a real day parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datum(jiff::civil::Date);

impl Datum {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let err = || {
            DomainError::new(
                Code::OgiltigtDatum,
                format!(
                    "”{}” är inget giltigt datum. Skriv datum som ÅÅÅÅ-MM-DD, till exempel 2026-01-01.",
                    clip(t)
                ),
            )
        };
        let b = t.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        let n = |r: std::ops::Range<usize>| t[r].parse::<i16>().map_err(|_| err());
        let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
        if y < 1900 {
            return Err(err());
        }
        let m = i8::try_from(m).map_err(|_| err())?;
        let d = i8::try_from(d).map_err(|_| err())?;
        jiff::civil::Date::new(y, m, d)
            .map(Datum)
            .map_err(|_| err())
    }

    pub const fn from_civil(d: jiff::civil::Date) -> Self {
        Self(d)
    }

    pub const fn civil(&self) -> jiff::civil::Date {
        self.0
    }

    pub fn year(&self) -> i16 {
        self.0.year()
    }

    /// The date `n` days later (earlier when `n` is negative); the same date if that leaves the
    /// calendar.
    pub fn plus_dagar(&self, n: i64) -> Self {
        self.0
            .checked_add(jiff::Span::new().days(n))
            .map(Self)
            .unwrap_or(*self)
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Datum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A stored moment (RFC 3339, UTC) as a Swede reads it: `2026-10-05 kl. 14.03`, Swedish time; the
/// text as it is if it is not a moment.
pub fn svensk_tid(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(stockholm())
                .strftime("%Y-%m-%d kl. %H.%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Sweden's time zone, in which boj's dates and times are meant (bundled tz database; UTC only if
/// the bundle lacked it).
pub fn stockholm() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The day in Sweden (Europe/Stockholm) of a Unix timestamp in seconds: what a stored moment's date
/// means in boj (a report's day of issue, a case's day of registration).
pub fn svensk_dag(sekunder: i64) -> jiff::civil::Date {
    let tz = crate::datum::stockholm();
    jiff::Timestamp::from_second(sekunder)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz)
        .date()
}

/// The first second (Unix seconds) of a day in Sweden (Europe/Stockholm).
pub fn svensk_dagstart(dag: jiff::civil::Date) -> i64 {
    let tz = crate::datum::stockholm();
    dag.to_zoned_datetime(tz)
        .map_or(0, |z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            Datum::parse("2026-01-01").unwrap().to_string(),
            "2026-01-01"
        );
        assert_eq!(Datum::parse("2028-02-29").unwrap().year(), 2028);
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-1",
            "26-01-01",
            "2026/01/01",
            "",
            "igår",
            "2026-01-01T00:00",
        ] {
            assert_eq!(
                Datum::parse(bad).unwrap_err().code,
                Code::OgiltigtDatum,
                "{bad}"
            );
        }
    }
}
