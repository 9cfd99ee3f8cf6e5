//! Retention (SPEC § 3.2), per agreement: when a case is closed for inactivity and when its
//! contact details are erased. The store applies these limits (`boj-store`'s `gallring`); the rule
//! is here.
//!
//! - A case without activity for `inaktiv_stangs_dagar` days (default 180) is closed.
//! - `kontaktuppgifter_raderas_dagar` days (default 30) after a case is closed, its contact details,
//!   note and data key are erased, its dates coarsened to the first of their month
//!   ([`manadens_forsta`]) and its eligibility frozen; the statistics items are kept.

use crate::avtal::Avtalsinstallningar;
use crate::datum::Datum;
use crate::error::{Code, DomainError};

/// The least number of days contact details are kept after a case is closed (SPEC § 3.2: retention
/// settings have floors). A week: a case closed by mistake, or closed automatically while the
/// person was away, can be reopened with its contact details, and a volunteer can still make the
/// follow-up call the support promised.
pub const GOLV_KONTAKT_DAGAR: u16 = 7;
/// The least number of days without activity before a case is closed automatically: a month is an
/// ordinary gap between contacts in victim support (a trial date, a reply from the police), and
/// closing sooner would close live cases and start their erasure.
pub const GOLV_INAKTIV_DAGAR: u16 = 30;

/// An agreement's retention times: the two settings retention runs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gallringstider {
    /// Days after closing before contact details and the note are erased.
    pub kontakt_dagar: u16,
    /// Days without activity before a case is closed.
    pub inaktiv_dagar: u16,
}

impl Gallringstider {
    pub fn av(s: &Avtalsinstallningar) -> Self {
        Self {
            kontakt_dagar: s.kontaktuppgifter_raderas_dagar,
            inaktiv_dagar: s.inaktiv_stangs_dagar,
        }
    }

    /// Whether these times erase or close sooner than `i_kraft` in either respect: such a change
    /// takes effect only when a coordinator of the organisation holding the data accepts it (SPEC
    /// § 3.2).
    pub fn kortare_an(&self, i_kraft: &Gallringstider) -> bool {
        self.kontakt_dagar < i_kraft.kontakt_dagar || self.inaktiv_dagar < i_kraft.inaktiv_dagar
    }

    /// Refuses times under the floors ([`GOLV_KONTAKT_DAGAR`], [`GOLV_INAKTIV_DAGAR`]).
    pub fn over_golven(&self) -> Result<(), DomainError> {
        if self.kontakt_dagar < GOLV_KONTAKT_DAGAR || self.inaktiv_dagar < GOLV_INAKTIV_DAGAR {
            return Err(DomainError::new(
                Code::GallringUnderGolvet,
                format!(
                    "Kontaktuppgifter sparas minst {GOLV_KONTAKT_DAGAR} dagar efter avslut, och ett ärende avslutas tidigast efter {GOLV_INAKTIV_DAGAR} dagar utan aktivitet."
                ),
            ));
        }
        Ok(())
    }
}

/// The days that decide what retention does on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granser {
    /// A case last active on or before this day is closed.
    pub stang_senast_aktiv: Datum,
    /// A case closed on or before this day has its contact details erased and dates coarsened.
    pub radera_avslutat: Datum,
}

/// The retention limits on day `idag` under the retention times in force.
pub fn granser(idag: Datum, t: Gallringstider) -> Granser {
    Granser {
        stang_senast_aktiv: dagar_fore(idag, t.inaktiv_dagar),
        radera_avslutat: dagar_fore(idag, t.kontakt_dagar),
    }
}

fn dagar_fore(idag: Datum, dagar: u16) -> Datum {
    idag.civil()
        .checked_sub(jiff::Span::new().days(i64::from(dagar)))
        .map(Datum::from_civil)
        .unwrap_or(idag)
}

/// An erased case's date: the first of its month (no exact day is kept, SPEC § 3.2).
pub fn manadens_forsta(d: Datum) -> Datum {
    Datum::from_civil(d.civil().first_of_month())
}

/// An erased case's stored moment (a registration time, in Unix seconds): the first second of its
/// month in Sweden (Europe/Stockholm), so that no exact day is kept (SPEC § 3.2).
pub fn manadens_borjan(sekunder: i64) -> i64 {
    let tz = crate::datum::stockholm();
    crate::datum::svensk_dag(sekunder)
        .first_of_month()
        .to_zoned_datetime(tz)
        .map_or(sekunder, |z| z.timestamp().as_second())
}

/// An erased case's text (an eligibility reason such as "… gäller från 2026-01-02"): every date in
/// it written as its month only (`2026-01`), so that no exact day is kept (SPEC § 3.2).
pub fn utan_dagar(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    while i < b.len() {
        let is_date = digits(i..i + 4)
            && b.get(i + 4) == Some(&b'-')
            && digits(i + 5..i + 7)
            && b.get(i + 7) == Some(&b'-')
            && digits(i + 8..i + 10)
            && !b.get(i + 10).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && b[i - 1].is_ascii_digit());
        if is_date {
            out.push_str(&text[i..i + 7]);
            i += 10;
        } else {
            // Advance one whole character (the text is UTF-8).
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Datum {
        Datum::parse(s).unwrap()
    }

    #[test]
    fn a_case_is_due_on_the_day_its_time_is_up_and_not_before() {
        let s = Avtalsinstallningar {
            inaktiv_stangs_dagar: 180,
            kontaktuppgifter_raderas_dagar: 30,
            ..Avtalsinstallningar::default()
        };
        let g = granser(d("2026-07-31"), Gallringstider::av(&s));
        assert_eq!(g.stang_senast_aktiv, d("2026-02-01"));
        assert_eq!(g.radera_avslutat, d("2026-07-01"));
        // Across a year's end and a leap day.
        let g = granser(d("2028-03-01"), Gallringstider::av(&s));
        assert_eq!(g.radera_avslutat, d("2028-01-31"));
    }

    #[test]
    fn an_erased_date_keeps_only_its_month() {
        assert_eq!(manadens_forsta(d("2026-02-28")), d("2026-02-01"));
        assert_eq!(manadens_forsta(d("2026-12-01")), d("2026-12-01"));
    }

    #[test]
    fn shorter_in_either_respect_is_shorter() {
        let t = |k, i| Gallringstider {
            kontakt_dagar: k,
            inaktiv_dagar: i,
        };
        assert!(t(29, 180).kortare_an(&t(30, 180)));
        assert!(t(30, 179).kortare_an(&t(30, 180)));
        assert!(t(60, 90).kortare_an(&t(30, 180)));
        assert!(!t(30, 180).kortare_an(&t(30, 180)));
        assert!(!t(60, 365).kortare_an(&t(30, 180)));
    }

    #[test]
    fn the_floors_hold() {
        let t = |k, i| Gallringstider {
            kontakt_dagar: k,
            inaktiv_dagar: i,
        };
        assert!(
            t(GOLV_KONTAKT_DAGAR, GOLV_INAKTIV_DAGAR)
                .over_golven()
                .is_ok()
        );
        assert!(t(GOLV_KONTAKT_DAGAR - 1, 180).over_golven().is_err());
        assert!(t(30, GOLV_INAKTIV_DAGAR - 1).over_golven().is_err());
        assert!(t(0, 1).over_golven().is_err());
    }

    #[test]
    fn an_erased_moment_keeps_only_its_month_in_sweden() {
        // 2026-03-01 00:30 in Stockholm is 2026-02-28 23:30 UTC: March, in Sweden.
        let t = jiff::Timestamp::from_second(1_772_321_400).unwrap();
        assert_eq!(t.to_string(), "2026-02-28T23:30:00Z");
        let m = manadens_borjan(t.as_second());
        assert_eq!(
            jiff::Timestamp::from_second(m).unwrap().to_string(),
            "2026-02-28T23:00:00Z"
        );
        assert_eq!(manadens_borjan(m), m);
        assert!(m <= t.as_second());
    }

    #[test]
    fn dates_in_text_keep_only_their_month() {
        assert_eq!(
            utan_dagar("Bergs beslut gäller från 2027-01-01; öppnat 2026-12-24."),
            "Bergs beslut gäller från 2027-01; öppnat 2026-12."
        );
        // Not dates: longer digit runs, phone numbers, other forms.
        for t in ["12026-01-011", "070-123 45 67", "2026-1-2", "år 2026"] {
            assert_eq!(utan_dagar(t), t);
        }
        assert_eq!(utan_dagar("åäö 2026-05-17 ö"), "åäö 2026-05 ö");
    }

    proptest::proptest! {
        /// No date (YYYY-MM-DD) survives, whatever surrounds it.
        #[test]
        fn no_exact_date_survives(a in "[^0-9]{0,20}", y in 1900u16..2100, m in 1u8..13, d in 1u8..29, b in "[^0-9]{0,20}") {
            let text = format!("{a} {y:04}-{m:02}-{d:02} {b}");
            let out = utan_dagar(&text);
            let date = format!("{y:04}-{m:02}-{d:02}");
            proptest::prop_assert!(!out.contains(&date), "{out}");
        }
    }
}
