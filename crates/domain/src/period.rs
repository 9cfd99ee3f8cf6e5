//! Reporting periods (SPEC § 3.3): calendar years, half-years and quarters, written `2026`, `2026-H1`,
//! `2026-Q3`.

use crate::datum::Datum;
use crate::error::{Code, DomainError};
use crate::kommun::clip;
use std::fmt;

/// An agreement's reporting cycle: the shortest period a report is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cykel {
    Kvartal,
    Halvar,
    Ar,
}

impl Cykel {
    pub const ALL: [Cykel; 3] = [Cykel::Kvartal, Cykel::Halvar, Cykel::Ar];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "kvartal" => Ok(Cykel::Kvartal),
            "halvar" => Ok(Cykel::Halvar),
            "ar" => Ok(Cykel::Ar),
            other => Err(DomainError::new(
                Code::OgiltigKod,
                format!(
                    "”{}” är ingen rapportcykel. Giltiga: kvartal, halvar, ar.",
                    clip(other)
                ),
            )),
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Cykel::Kvartal => "kvartal",
            Cykel::Halvar => "halvar",
            Cykel::Ar => "ar",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Cykel::Kvartal => "Kvartal",
            Cykel::Halvar => "Halvår",
            Cykel::Ar => "År",
        }
    }

    /// The cycle period that contains `d`.
    pub fn period_of(self, d: Datum) -> Period {
        let y = d.year();
        let m = d.civil().month();
        match self {
            Cykel::Ar => Period::Ar(y),
            Cykel::Halvar => Period::Halvar(y, if m <= 6 { 1 } else { 2 }),
            Cykel::Kvartal => Period::Kvartal(y, ((m - 1) / 3 + 1) as u8),
        }
    }
}

/// A calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Ar(i16),
    Halvar(i16, u8),
    Kvartal(i16, u8),
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let err = || {
            DomainError::new(
                Code::OgiltigForfragan,
                format!(
                    "”{}” är ingen period. Skriv till exempel 2026, 2026-H1 eller 2026-Q3.",
                    clip(t)
                ),
            )
        };
        let (year, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let y: i16 = year.parse().map_err(|_| err())?;
        if !(1900..=9998).contains(&y) {
            return Err(err());
        }
        match rest {
            None => Ok(Period::Ar(y)),
            Some("H1") => Ok(Period::Halvar(y, 1)),
            Some("H2") => Ok(Period::Halvar(y, 2)),
            Some(q @ ("Q1" | "Q2" | "Q3" | "Q4")) => Ok(Period::Kvartal(y, q.as_bytes()[1] - b'0')),
            Some(_) => Err(err()),
        }
    }

    /// First day.
    pub fn start(&self) -> Datum {
        let (y, m) = match *self {
            Period::Ar(y) => (y, 1),
            Period::Halvar(y, h) => (y, 1 + 6 * (i8::try_from(h).unwrap_or(1) - 1)),
            Period::Kvartal(y, q) => (y, 1 + 3 * (i8::try_from(q).unwrap_or(1) - 1)),
        };
        Datum::from_civil(jiff::civil::date(y, m, 1))
    }

    /// Last day.
    pub fn end(&self) -> Datum {
        let months: i8 = match self {
            Period::Ar(_) => 12,
            Period::Halvar(..) => 6,
            Period::Kvartal(..) => 3,
        };
        let first_after = self
            .start()
            .civil()
            .checked_add(jiff::Span::new().months(months));
        let last = first_after
            .and_then(|d| d.yesterday())
            .unwrap_or(self.start().civil());
        Datum::from_civil(last)
    }

    pub fn contains(&self, d: Datum) -> bool {
        self.start() <= d && d <= self.end()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Ar(y) => write!(f, "{y}"),
            Period::Halvar(y, h) => write!(f, "{y}-H{h}"),
            Period::Kvartal(y, q) => write!(f, "{y}-Q{q}"),
        }
    }
}

impl Period {
    /// The day a report for this period is due: `frist_dagar` days after its last day.
    pub fn frist(&self, frist_dagar: u16) -> Option<Datum> {
        self.end()
            .civil()
            .checked_add(jiff::Span::new().days(i64::from(frist_dagar)))
            .ok()
            .map(Datum::from_civil)
    }
}

/// The next report deadline on or after `idag` for an agreement running from `fran`: the earliest
/// cycle period (not before the agreement) whose due date has not passed (SPEC § 3.1, status board).
pub fn nasta_frist(
    cykel: Cykel,
    fran: Datum,
    frist_dagar: u16,
    idag: Datum,
) -> Option<(Period, Datum)> {
    let mut p = cykel.period_of(fran.max(idag));
    // Step back while the previous period is still due (a deadline may be up to a year long).
    for _ in 0..8 {
        let prev = cykel.period_of(Datum::from_civil(p.start().civil().yesterday().ok()?));
        if prev.frist(frist_dagar)? < idag || prev.end() < fran {
            break;
        }
        p = prev;
    }
    Some((p, p.frist(frist_dagar)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_bounds_periods() {
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!(
            (q3.start().to_string(), q3.end().to_string()),
            ("2026-07-01".into(), "2026-09-30".into())
        );
        let h1 = Period::parse("2028-H1").unwrap();
        assert_eq!(h1.end().to_string(), "2028-06-30");
        let y = Period::parse("2026").unwrap();
        assert_eq!(
            (y.start().to_string(), y.end().to_string()),
            ("2026-01-01".into(), "2026-12-31".into())
        );
        for bad in ["2026-Q5", "26", "2026-H3", "2026-q1", "", "2026-"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_next_deadline_is_the_earliest_still_ahead() {
        let d = |s: &str| Datum::parse(s).unwrap();
        let (p, due) = nasta_frist(Cykel::Kvartal, d("2026-01-01"), 30, d("2026-11-26")).unwrap();
        assert_eq!(
            (p.to_string(), due.to_string()),
            ("2026-Q4".into(), "2027-01-30".into())
        );
        let (p, _) = nasta_frist(Cykel::Kvartal, d("2026-01-01"), 30, d("2026-10-15")).unwrap();
        assert_eq!(p.to_string(), "2026-Q3");
        let (p, _) = nasta_frist(Cykel::Kvartal, d("2026-01-01"), 366, d("2026-11-26")).unwrap();
        assert_eq!(
            p.to_string(),
            "2026-Q1",
            "a long deadline keeps an early period due"
        );
        let (p, _) = nasta_frist(Cykel::Ar, d("2027-01-01"), 30, d("2026-11-26")).unwrap();
        assert_eq!(p.to_string(), "2027", "not before the agreement starts");
    }

    proptest! {
        #[test]
        fn every_day_is_in_exactly_its_cycle_period(day in 0i32..3000, c in 0usize..3) {
            let d = Datum::from_civil(jiff::civil::date(2025, 1, 1).checked_add(jiff::Span::new().days(day)).unwrap());
            let p = Cykel::ALL[c].period_of(d);
            prop_assert!(p.contains(d));
            prop_assert_eq!(Period::parse(&p.to_string()).unwrap(), p);
        }
    }
}
