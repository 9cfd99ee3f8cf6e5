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
}
