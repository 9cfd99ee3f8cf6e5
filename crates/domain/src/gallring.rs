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

/// The days that decide what retention does on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granser {
    /// A case last active on or before this day is closed.
    pub stang_senast_aktiv: Datum,
    /// A case closed on or before this day has its contact details erased and dates coarsened.
    pub radera_avslutat: Datum,
}

/// The retention limits on day `idag` under an agreement's settings.
pub fn granser(idag: Datum, s: &Avtalsinstallningar) -> Granser {
    Granser {
        stang_senast_aktiv: dagar_fore(idag, s.inaktiv_stangs_dagar),
        radera_avslutat: dagar_fore(idag, s.kontaktuppgifter_raderas_dagar),
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
        let g = granser(d("2026-07-31"), &s);
        assert_eq!(g.stang_senast_aktiv, d("2026-02-01"));
        assert_eq!(g.radera_avslutat, d("2026-07-01"));
        // Across a year's end and a leap day.
        let g = granser(d("2028-03-01"), &s);
        assert_eq!(g.radera_avslutat, d("2028-01-31"));
    }

    #[test]
    fn an_erased_date_keeps_only_its_month() {
        assert_eq!(manadens_forsta(d("2026-02-28")), d("2026-02-01"));
        assert_eq!(manadens_forsta(d("2026-12-01")), d("2026-12-01"));
    }
}
