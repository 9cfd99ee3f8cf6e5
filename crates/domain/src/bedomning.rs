//! Eligibility: does a case fall within the agreement? (§ 22 2a; 11 kap. 5 § SoL; SPEC § 3.2)
//!
//! Services are given without individual needs assessment: intake asks no needs question and makes no
//! individual decision. What it does decide, at once and with its reasons, is whether the case falls
//! within the agreement — a pure function of the agreement's term and target-group rule, the parties'
//! decisions, the person's target group and home municipality, and the day the case was opened.
//!
//! - `inom`: within the agreement.
//! - `utanfor`: outside, with every reason that applies — `ej_malgrupp`, `utanfor_avtalstid`, and for
//!   groups that must live in a party municipality `ej_bosatt_i_partskommun` or `part_ej_beslutat`.
//! - `ej_faststalld`: residence is required but not stated, and nothing else puts the case outside.
//!
//! Groups that need no residence are decided by the agreement's term alone. The association may still help someone
//! outside the agreement; the case is then recorded and reported as outside.

use crate::avtal::{Avtalstid, Malgruppsregel, Partstatus, Statusrad};
use crate::datum::Datum;
use crate::kod::{Hemkommun, Kodlista, PersonTyp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Inom,
    Utanfor,
    EjFaststalld,
}

impl Status {
    pub const fn code(self) -> &'static str {
        match self {
            Status::Inom => "inom",
            Status::Utanfor => "utanfor",
            Status::EjFaststalld => "ej_faststalld",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Status::Inom, Status::Utanfor, Status::EjFaststalld]
            .into_iter()
            .find(|x| x.code() == s)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Status::Inom => "Inom överenskommelsen",
            Status::Utanfor => "Utanför överenskommelsen",
            Status::EjFaststalld => "Inte fastställt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skal {
    EjMalgrupp,
    UtanforAvtalstid,
    EjBosattIPartskommun,
    PartEjBeslutat,
}

impl Skal {
    pub const ALL: [Skal; 4] = [
        Skal::EjMalgrupp,
        Skal::UtanforAvtalstid,
        Skal::EjBosattIPartskommun,
        Skal::PartEjBeslutat,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Skal::EjMalgrupp => "ej_malgrupp",
            Skal::UtanforAvtalstid => "utanfor_avtalstid",
            Skal::EjBosattIPartskommun => "ej_bosatt_i_partskommun",
            Skal::PartEjBeslutat => "part_ej_beslutat",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Skal::ALL.into_iter().find(|x| x.code() == s)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Skal::EjMalgrupp => "Ingen av målgrupperna",
            Skal::UtanforAvtalstid => "Utanför avtalstiden",
            Skal::EjBosattIPartskommun => "Bor inte i en partskommun",
            Skal::PartEjBeslutat => "Hemkommunen har inte beslutat",
        }
    }
}

/// A reason with its explanation in plain Swedish and the rule it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Motivering {
    pub skal: Skal,
    pub text: String,
}

/// The answer, with a sentence for the volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bedomning {
    pub status: Status,
    pub skal: Vec<Motivering>,
    pub forklaring: String,
}

/// What eligibility depends on, besides the case's own items.
pub struct Bedomningsgrund<'a> {
    pub tid: &'a Avtalstid,
    pub regel: &'a Malgruppsregel,
    /// The status of each party (from their decisions).
    pub parter: &'a [Statusrad],
}

/// Whether a case is judged again now, or keeps the judgement it has (SPEC § 3.2): a case an
/// issued report counted keeps the status it was reported with until a corrected edition judges it
/// again, and a case whose details retention has erased keeps its frozen status for good; any other
/// case is judged now, on every path (registration, correction, reassignment, the case page, the
/// background re-judging after a decision).
pub fn bedoms_pa_nytt(rapporterat: bool, gallrat: bool) -> bool {
    !(rapporterat || gallrat)
}

/// Decides eligibility (§ 22 2a; see the module docs).
pub fn bedom(
    u: &Bedomningsgrund<'_>,
    person: PersonTyp,
    hem: Hemkommun,
    oppnad: Datum,
) -> Bedomning {
    let mut skal = Vec::new();
    let malgrupp = u.regel.omfattar(person);
    if !malgrupp {
        skal.push(Motivering {
            skal: Skal::EjMalgrupp,
            text: format!(
                "{} är inte en av överenskommelsens målgrupper (§ 22 2a). {}",
                person.label(),
                u.regel.beskrivning()
            ),
        });
    }
    if !u.tid.omfattar(oppnad) {
        let term = match u.tid.till {
            Some(t) => format!("{} – {t}", u.tid.fran),
            None => format!("från {}", u.tid.fran),
        };
        skal.push(Motivering {
            skal: Skal::UtanforAvtalstid,
            text: format!(
                "Ärendet öppnades {oppnad}, utanför överenskommelsens avtalstid ({term})."
            ),
        });
    }
    let bosattning = malgrupp && u.regel.kraver_bosattning(person);
    let mut okand = false;
    let mut inom_text = String::new();
    if bosattning {
        match hem {
            Hemkommun::Okand => okand = true,
            Hemkommun::Utlandet => skal.push(Motivering {
                skal: Skal::EjBosattIPartskommun,
                text: format!(
                    "{} ska bo i en partskommun (§ 22 2a); personen bor utomlands.",
                    person.label()
                ),
            }),
            Hemkommun::Kommun(k) => match u.parter.iter().find(|p| p.kommun == k).map(|p| p.status)
            {
                None => skal.push(Motivering {
                    skal: Skal::EjBosattIPartskommun,
                    text: format!(
                        "{} ska bo i en partskommun (§ 22 2a); {} är inte part i överenskommelsen.",
                        person.label(),
                        k.namn()
                    ),
                }),
                Some(st) if st.galler(oppnad) => {
                    inom_text = format!(
                        " Bosatt i {}, där överenskommelsen gäller från {}.",
                        k.namn(),
                        st.galler_fran().map(|d| d.to_string()).unwrap_or_default()
                    );
                }
                Some(st) => {
                    let why = match st {
                        Partstatus::Beslutad(d) => {
                            format!("överenskommelsen gäller där först från {d}")
                        }
                        Partstatus::Avslagen => "kommunen har avslagit överenskommelsen".into(),
                        Partstatus::Vantar => "kommunens beslut saknas ännu".into(),
                    };
                    skal.push(Motivering {
                        skal: Skal::PartEjBeslutat,
                        text: format!(
                            "{} har inte beslutat att överenskommelsen gäller {oppnad}: {why} (§ 22 punkt 1: den gäller från kommunens eget beslut).",
                            k.namn()
                        ),
                    });
                }
            },
        }
    }
    let (status, forklaring) = if !skal.is_empty() {
        (Status::Utanfor, "Ärendet ligger utanför överenskommelsen. Ni kan ändå ge stöd; ärendet räknas och redovisas som utanför.".to_string())
    } else if okand {
        (
            Status::EjFaststalld,
            format!(
                "{} ska bo i en partskommun (§ 22 2a), men hemkommunen är inte angiven. Ange den om personen vill berätta.",
                person.label()
            ),
        )
    } else if bosattning {
        (
            Status::Inom,
            format!("Inom överenskommelsen (§ 22 2a).{inom_text}"),
        )
    } else {
        (
            Status::Inom,
            format!(
                "Inom överenskommelsen (§ 22 2a): {} behöver inte bo i en partskommun; avtalstiden avgör.",
                person.label().to_lowercase()
            ),
        )
    };
    Bedomning {
        status,
        skal,
        forklaring,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Datum {
        Datum::parse(s).unwrap()
    }

    /// Jämtland: seven parties from 2026-01-01, Berg pending; Åre's decision applies from 2026-03-01
    /// in the variant used for "a later date".
    fn parter(are_from: &str) -> Vec<Statusrad> {
        [
            "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
        ]
        .iter()
        .map(|k| {
            let kod = crate::kommun::Kommunkod::parse(k).unwrap();
            let st = match *k {
                "2326" => Partstatus::Vantar,
                "2321" => Partstatus::Beslutad(d(are_from)),
                _ => Partstatus::Beslutad(d("2026-01-01")),
            };
            Statusrad {
                kommun: kod,
                status: st,
                beslut: None,
            }
        })
        .collect()
    }

    fn run(person: &str, hem: &str, opened: &str, are_from: &str) -> Bedomning {
        let tid = Avtalstid::new(d("2026-01-01"), None, None).unwrap();
        let regel = Malgruppsregel::default();
        let p = parter(are_from);
        let u = Bedomningsgrund {
            tid: &tid,
            regel: &regel,
            parter: &p,
        };
        bedom(
            &u,
            PersonTyp::parse(person).unwrap(),
            Hemkommun::parse(hem).unwrap(),
            d(opened),
        )
    }

    fn codes(b: &Bedomning) -> Vec<&'static str> {
        b.skal.iter().map(|m| m.skal.code()).collect()
    }

    #[test]
    fn the_table_of_the_issue() {
        /// Person, home, opened, Åre applies from, status, reasons.
        type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a [&'a str]);
        let cases: &[Row] = &[
            // person, home, opened, Åre applies from, status, reasons
            (
                "brottsutsatt",
                "2303",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2305",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2309",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2313",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2321",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2361",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "brottsutsatt",
                "2380",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            // Berg's decision is pending.
            (
                "brottsutsatt",
                "2326",
                "2026-03-10",
                "2026-01-01",
                "utanfor",
                &["part_ej_beslutat"],
            ),
            // A victim in Stockholm.
            (
                "brottsutsatt",
                "0180",
                "2026-03-10",
                "2026-01-01",
                "utanfor",
                &["ej_bosatt_i_partskommun"],
            ),
            // A tourist robbed in Åre, who lives abroad.
            (
                "brottsutsatt",
                "utlandet",
                "2026-07-10",
                "2026-01-01",
                "utanfor",
                &["ej_bosatt_i_partskommun"],
            ),
            // A victim whose home is not stated.
            (
                "brottsutsatt",
                "okand",
                "2026-03-10",
                "2026-01-01",
                "ej_faststalld",
                &[],
            ),
            // A witness from another county, and both kinds of relatives from anywhere.
            ("vittne", "1280", "2026-03-10", "2026-01-01", "inom", &[]),
            (
                "anhorig_brottsutsatt",
                "utlandet",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            (
                "anhorig_garningsperson",
                "okand",
                "2026-03-10",
                "2026-01-01",
                "inom",
                &[],
            ),
            // None of the target groups.
            (
                "annan",
                "2380",
                "2026-03-10",
                "2026-01-01",
                "utanfor",
                &["ej_malgrupp"],
            ),
            // Opened the day before the agreement: before its term, and before Östersund's own decision
            // applies (both reasons apply, and both are given).
            (
                "brottsutsatt",
                "2380",
                "2025-12-31",
                "2026-01-01",
                "utanfor",
                &["utanfor_avtalstid", "part_ej_beslutat"],
            ),
            (
                "vittne",
                "2380",
                "2025-12-31",
                "2026-01-01",
                "utanfor",
                &["utanfor_avtalstid"],
            ),
            // Åre's decision applies from a later date.
            (
                "brottsutsatt",
                "2321",
                "2026-02-10",
                "2026-03-01",
                "utanfor",
                &["part_ej_beslutat"],
            ),
            (
                "brottsutsatt",
                "2321",
                "2026-03-01",
                "2026-03-01",
                "inom",
                &[],
            ),
            // Every reason that applies.
            (
                "annan",
                "utlandet",
                "2025-12-31",
                "2026-01-01",
                "utanfor",
                &["ej_malgrupp", "utanfor_avtalstid"],
            ),
            (
                "brottsutsatt",
                "2326",
                "2025-12-31",
                "2026-01-01",
                "utanfor",
                &["utanfor_avtalstid", "part_ej_beslutat"],
            ),
        ];
        for (person, hem, opened, are, status, reasons) in cases {
            let b = run(person, hem, opened, are);
            assert_eq!(
                (b.status.code(), codes(&b)),
                (*status, reasons.to_vec()),
                "{person} {hem} {opened}"
            );
            assert!(!b.forklaring.is_empty());
            assert!(
                b.skal
                    .iter()
                    .all(|m| m.text.contains('§') || m.skal == Skal::UtanforAvtalstid),
                "{b:?}"
            );
        }
    }

    fn person() -> impl Strategy<Value = PersonTyp> {
        proptest::sample::select(PersonTyp::ALL.to_vec())
    }

    fn hem() -> impl Strategy<Value = Hemkommun> {
        prop_oneof![
            Just(Hemkommun::Utlandet),
            Just(Hemkommun::Okand),
            proptest::sample::select(
                crate::kommun::kommuner()
                    .iter()
                    .map(|k| Hemkommun::Kommun(k.kod))
                    .collect::<Vec<_>>()
            ),
        ]
    }

    proptest! {
        #[test]
        fn groups_without_a_residence_rule_ignore_the_home(p in person(), a in hem(), b in hem(), day in 0i32..900) {
            let opened = Datum::from_civil(jiff::civil::date(2025, 6, 1).checked_add(jiff::Span::new().days(day)).unwrap());
            let tid = Avtalstid::new(d("2026-01-01"), None, None).unwrap();
            let regel = Malgruppsregel::default();
            let ps = parter("2026-01-01");
            let u = Bedomningsgrund { tid: &tid, regel: &regel, parter: &ps };
            if !regel.kraver_bosattning(p) {
                prop_assert_eq!(bedom(&u, p, a, opened).status, bedom(&u, p, b, opened).status);
            }
        }

        #[test]
        fn reasons_and_status_agree(p in person(), h in hem(), day in 0i32..900) {
            let opened = Datum::from_civil(jiff::civil::date(2025, 6, 1).checked_add(jiff::Span::new().days(day)).unwrap());
            let tid = Avtalstid::new(d("2026-01-01"), Some(d("2027-06-30")), None).unwrap();
            let regel = Malgruppsregel::default();
            let ps = parter("2026-01-01");
            let b = bedom(&Bedomningsgrund { tid: &tid, regel: &regel, parter: &ps }, p, h, opened);
            prop_assert_eq!(b.status == Status::Utanfor, !b.skal.is_empty());
            prop_assert_eq!(b.skal.iter().any(|m| m.skal == Skal::UtanforAvtalstid), !tid.omfattar(opened));
            prop_assert_eq!(b.skal.iter().any(|m| m.skal == Skal::EjMalgrupp), p == PersonTyp::Annan);
            if b.status == Status::EjFaststalld {
                prop_assert_eq!(h, Hemkommun::Okand);
            }
        }
    }
}
