//! A case's recorded items (SPEC § 3.2; § 22 2b: only what the agreement's documentation scheme names).
//!
//! A case is one person's contact about one matter. No case journal: the statistics items, the
//! assigned support person, dates, activities, and — only with recorded consent — contact details and
//! one short note, which are encrypted and erased on schedule (see `boj-store`'s `arenden`).

use crate::datum::Datum;
use crate::error::{Code, DomainError};
use crate::kod::{
    Aktivitetstyp, Aldersgrupp, Brottstyp, ForstaKontakt, Hemkommun, Kodlista, Kon, Kontaktsatt,
    PersonTyp, Polisanmalan, SarskildOmstandighet,
};
use crate::personnummer::Fritext;

/// The statistics items of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistik {
    pub person: PersonTyp,
    pub hem: Hemkommun,
    pub kon: Kon,
    pub alder: Aldersgrupp,
    pub brott: Vec<Brottstyp>,
    pub omstandigheter: Vec<SarskildOmstandighet>,
    pub polis: Polisanmalan,
    pub forsta_kontakt: ForstaKontakt,
    /// 11 kap. 6 § SoL: told that they may apply for individually assessed services.
    pub informerad_11_6: bool,
}

/// A case's statistics items as codes, the form they are entered and stored in; [`Poster::statistik`]
/// parses them. Which items the agreement records is checked first ([`Poster::i_schemat`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Poster {
    pub person: String,
    /// SCB code, `utlandet` or `okand`.
    pub hem: String,
    pub kon: String,
    pub alder: String,
    pub brott: Vec<String>,
    pub omstandigheter: Vec<String>,
    pub polis: String,
    pub forsta_kontakt: String,
    pub informerad_11_6: bool,
}

impl Poster {
    /// Parses the items, refusing any the agreement's documentation scheme `schema` does not
    /// record (§ 22 2b: nothing beyond what the agreement names), and requiring a crime type where
    /// it does (`okant` when it is not known).
    pub fn i_schemat(&self, schema: &[String]) -> Result<Statistik, DomainError> {
        let har = |item: &str| schema.iter().any(|x| x == item);
        let refuse = |label: &str| {
            DomainError::new(
                Code::OgiltigForfragan,
                format!("{label} dokumenteras inte enligt överenskommelsen och får inte anges."),
            )
        };
        if !har("crime_types") && !self.brott.is_empty() {
            return Err(refuse("Brottstyp").falt("crime_types"));
        }
        if !har("circumstances") && !self.omstandigheter.is_empty() {
            return Err(refuse("Särskilda omständigheter").falt("circumstances"));
        }
        let s = self.statistik()?;
        if har("crime_types") && s.brott.is_empty() {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Välj minst en brottstyp, eller ”Okänt” om den inte är känd.",
            )
            .falt("crime_types"));
        }
        Ok(s)
    }

    /// Parses the items as stored (every code checked; no scheme).
    pub fn statistik(&self) -> Result<Statistik, DomainError> {
        let f = |falt: &'static str| move |e: DomainError| e.falt(falt);
        Ok(Statistik {
            person: PersonTyp::parse(&self.person).map_err(f("person_type"))?,
            hem: Hemkommun::parse(&self.hem).map_err(f("municipality"))?,
            kon: Kon::parse(&self.kon).map_err(f("gender"))?,
            alder: Aldersgrupp::parse(&self.alder).map_err(f("age_band"))?,
            brott: lista(&self.brott).map_err(f("crime_types"))?,
            omstandigheter: lista(&self.omstandigheter).map_err(f("circumstances"))?,
            polis: Polisanmalan::parse(&self.polis).map_err(f("police_report"))?,
            forsta_kontakt: ForstaKontakt::parse(&self.forsta_kontakt)
                .map_err(f("first_contact"))?,
            informerad_11_6: self.informerad_11_6,
        })
    }
}

/// The most people of one role a single witness-support session may record (SPEC § 3.2: witness
/// support is counted per session, with the people supported per role; a court day's session, so
/// larger numbers are typing errors).
pub const VITTNESSTOD_HOGST: u32 = 1_000;

/// The people supported at one witness-support session, per role (witness, injured party,
/// relative, defendant): each at most [`VITTNESSTOD_HOGST`].
pub fn vittnesstod_antal(antal: [u32; 4]) -> Result<[u32; 4], DomainError> {
    if antal.iter().any(|n| *n > VITTNESSTOD_HOGST) {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            "Antalet personer ska vara ett heltal mellan 0 och 1 000.",
        ));
    }
    Ok(antal)
}

impl Statistik {
    /// The items as codes, the form they are entered and stored in.
    pub fn poster(&self) -> Poster {
        Poster {
            person: self.person.code().into(),
            hem: self.hem.code(),
            kon: self.kon.code().into(),
            alder: self.alder.code().into(),
            brott: self.brott.iter().map(|k| k.code().to_string()).collect(),
            omstandigheter: self
                .omstandigheter
                .iter()
                .map(|k| k.code().to_string())
                .collect(),
            polis: self.polis.code().into(),
            forsta_kontakt: self.forsta_kontakt.code().into(),
            informerad_11_6: self.informerad_11_6,
        }
    }
}

/// Parses a list of codes, each once.
pub fn lista<K: Kodlista + PartialEq + Ord>(codes: &[String]) -> Result<Vec<K>, DomainError> {
    let mut out: Vec<K> = codes
        .iter()
        .map(|c| K::parse(c))
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Codes joined for storage and reports.
pub fn koder<K: Kodlista>(v: &[K]) -> String {
    v.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

/// Contact details, given only with consent.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Kontakt {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
}

impl Kontakt {
    /// Checks lengths and free text (no identity numbers in the name or note; SPEC § 3.2). A phone
    /// number in the phone field is a phone number and is not checked for one.
    pub fn check(self) -> Result<Self, DomainError> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let name = clean(self.name)
            .map(|n| Fritext::rad(&n, 100).map(|f| f.as_str().to_string()))
            .transpose()
            .map_err(|e| e.falt("name"))?;
        let note = clean(self.note)
            .map(|n| Fritext::parse(&n, 500).map(|f| f.as_str().to_string()))
            .transpose()
            .map_err(|e| e.falt("note"))?;
        let phone = clean(self.phone);
        if let Some(p) = &phone
            && (p.len() > 30
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')))
        {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Telefonnumret får bara ha siffror, mellanslag, +, - och parenteser.",
            )
            .falt("phone"));
        }
        let email = clean(self.email);
        if let Some(e) = &email
            && (e.len() > 200
                || !e.contains('@')
                || e.contains(char::is_whitespace)
                || e.chars().any(crate::personnummer::otillatet))
        {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "E-postadressen ser inte ut som en e-postadress.",
            )
            .falt("email"));
        }
        Ok(Kontakt {
            name,
            phone,
            email,
            note,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none() && self.email.is_none() && self.note.is_none()
    }

    /// What may be kept of the contact details given at intake: only with the person's recorded
    /// consent (§ 22 2b: advice under 10 kap. 1 § SoL, no case journal, only what the agreement
    /// names plus — with consent — what is needed to call back; SPEC § 3.2), checked as
    /// [`Kontakt::check`] does. Details without consent are refused, not silently dropped, so
    /// the volunteer knows; nothing given is `None`.
    pub fn med_samtycke(self, samtycke: bool) -> Result<Option<Kontakt>, DomainError> {
        let k = self.check()?;
        match (k.is_empty(), samtycke) {
            (true, _) => Ok(None),
            (false, true) => Ok(Some(k)),
            (false, false) => Err(DomainError::new(
                Code::OgiltigForfragan,
                "Kontaktuppgifter och anteckning får bara sparas med personens samtycke. Kryssa i samtycket eller lämna fälten tomma.",
            )
            .falt("consent_contact")),
        }
    }
}

/// One contact or action in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aktivitet {
    pub datum: Datum,
    pub typ: Aktivitetstyp,
    pub satt: Kontaktsatt,
    pub minuter: u16,
    /// For a referral (`hanvisning`): the partner of the agreement referred to, by its number and
    /// its kind when the referral was recorded. Nothing else about the person is recorded.
    pub partner: Option<Hanvisning>,
}

/// The partner a referral or collaboration entry names: its number in the agreement's list and
/// its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hanvisning {
    pub id: u16,
    pub slag: crate::kod::Partnertyp,
}

impl Hanvisning {
    /// Partner `id` of the agreement's list `partners`, as an entry names it (422 on `partner`
    /// when the list does not hold it).
    pub fn i_listan(
        partners: &[crate::avtal::Samverkanspartner],
        id: u16,
    ) -> Result<Self, DomainError> {
        partners
            .iter()
            .find(|sp| sp.id == id)
            .and_then(|sp| {
                Some(Hanvisning {
                    id: sp.id,
                    slag: sp.typ()?,
                })
            })
            .ok_or_else(|| {
                DomainError::new(
                    Code::OgiltigForfragan,
                    format!("Samverkanspart {id} finns inte i överenskommelsens lista."),
                )
                .falt("partner")
            })
    }
}

impl Aktivitet {
    /// Names the partner of a referral (the collaboration the decision asks for): a referral names
    /// one partner of the agreement's list, `partners`; any other activity names none.
    pub fn med_partner(
        mut self,
        partner: Option<u16>,
        partners: &[crate::avtal::Samverkanspartner],
    ) -> Result<Self, DomainError> {
        match (self.typ, partner) {
            (Aktivitetstyp::Hanvisning, None) if partners.is_empty() => Err(DomainError::new(
                Code::OgiltigForfragan,
                "En hänvisning anger vilken samverkanspart personen hänvisades till, men överenskommelsen har inga samverkansparter ännu. Samordnaren eller förbundsstrategen lägger till dem på överenskommelsens sida.",
            )
            .falt("partner")),
            (Aktivitetstyp::Hanvisning, None) => Err(DomainError::new(
                Code::OgiltigForfragan,
                "Välj vilken samverkanspart personen hänvisades till.",
            )
            .falt("partner")),
            (Aktivitetstyp::Hanvisning, Some(id)) => {
                self.partner = Some(Hanvisning::i_listan(partners, id)?);
                Ok(self)
            }
            (_, Some(_)) => Err(DomainError::new(
                Code::OgiltigForfragan,
                "Bara en hänvisning anger en samverkanspart.",
            )
            .falt("partner")),
            (_, None) => Ok(self),
        }
    }

    /// An activity happens between the case's opening and closing, and lasts 0–1 440 minutes.
    pub fn new(
        datum: Datum,
        typ: Aktivitetstyp,
        satt: Kontaktsatt,
        minuter: i64,
        oppnad: Datum,
        stangd: Option<Datum>,
    ) -> Result<Self, DomainError> {
        if stangd.is_some() {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Ärendet är avslutat; öppna ett nytt ärende för en ny kontakt.",
            ));
        }
        if !(0..=1440).contains(&minuter) {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Minuterna ska vara mellan 0 och 1 440 (ett dygn).",
            )
            .falt("minutes"));
        }
        if datum < oppnad {
            return Err(DomainError::new(
                Code::OgiltigtDatum,
                format!("Aktiviteten ({datum}) kan inte ligga före ärendets start ({oppnad})."),
            )
            .falt("date"));
        }
        Ok(Self {
            datum,
            typ,
            satt,
            minuter: u16::try_from(minuter).unwrap_or(0),
            partner: None,
        })
    }
}

/// A case's short number, per organisation and year of its contact date (issue 16): `2026-0142` is
/// the organisation's 142nd case of 2026. The store gives it once, at registration; it names the case
/// in lists and pages instead of an id or a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Arendenummer {
    pub ar: i64,
    pub lopnr: i64,
}

impl std::fmt::Display for Arendenummer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:04}", self.ar, self.lopnr)
    }
}

/// What a search for a case number asks: `2026-0142`, `2026-142`, or just `142` (any year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nummersokning {
    pub ar: Option<i64>,
    pub lopnr: i64,
}

impl Nummersokning {
    /// Reads what a person types; `None` if it is not a case number.
    pub fn tolka(s: &str) -> Option<Self> {
        let s = s.trim();
        let siffror = |t: &str| -> Option<i64> {
            (!t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        };
        match s.split_once(['-', '\u{2013}', '/']) {
            Some((a, n)) if a.trim().len() == 4 => Some(Self {
                ar: Some(siffror(a.trim())?),
                lopnr: siffror(n.trim())?,
            }),
            Some(_) => None,
            None => Some(Self {
                ar: None,
                lopnr: siffror(s)?,
            }),
        }
    }

    pub fn traffar(&self, n: Arendenummer) -> bool {
        self.lopnr == n.lopnr && self.ar.is_none_or(|a| a == n.ar)
    }
}

/// Closing: not before the case opened, nor before its last activity.
pub fn avsluta(
    stangd: Datum,
    oppnad: Datum,
    senaste_aktivitet: Option<Datum>,
) -> Result<Datum, DomainError> {
    if stangd < oppnad {
        return Err(DomainError::new(
            Code::OgiltigtDatum,
            format!("Ärendet kan inte avslutas ({stangd}) före det öppnades ({oppnad})."),
        ));
    }
    if let Some(a) = senaste_aktivitet
        && stangd < a
    {
        return Err(DomainError::new(
            Code::OgiltigtDatum,
            format!("Ärendet har en aktivitet {a}, efter avslutsdatumet."),
        ));
    }
    Ok(stangd)
}

/// Dates in the support log cannot lie after today: a future activity or closing date would hold off
/// retention (SPEC § 3.2) indefinitely.
pub fn inte_framtida(datum: Datum, idag: Datum) -> Result<Datum, DomainError> {
    if datum > idag {
        return Err(DomainError::new(
            Code::OgiltigtDatum,
            format!("Datumet {datum} ligger i framtiden."),
        ));
    }
    Ok(datum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Datum {
        Datum::parse(s).unwrap()
    }

    /// Contact details are kept only with consent: without it any detail is refused, with it they
    /// are kept exactly when something was given (whitespace is nothing).
    #[test]
    fn contact_details_only_with_consent() {
        let tom = Kontakt {
            name: Some("  ".into()),
            phone: None,
            email: None,
            note: None,
        };
        let namn = Kontakt {
            name: Some("Kim".into()),
            ..tom.clone()
        };
        assert_eq!(tom.clone().med_samtycke(false), Ok(None));
        assert_eq!(tom.med_samtycke(true), Ok(None));
        assert!(namn.clone().med_samtycke(false).is_err());
        assert_eq!(
            namn.med_samtycke(true).map(|k| k.and_then(|k| k.name)),
            Ok(Some("Kim".to_string()))
        );
    }

    #[test]
    fn case_numbers_read_as_people_type_them() {
        let n = Arendenummer {
            ar: 2026,
            lopnr: 142,
        };
        assert_eq!(n.to_string(), "2026-0142");
        for s in ["2026-0142", " 2026-142 ", "2026\u{2013}0142", "142", "0142"] {
            let q = Nummersokning::tolka(s).unwrap();
            assert!(q.traffar(n), "{s}");
        }
        assert!(!Nummersokning::tolka("2025-0142").unwrap().traffar(n));
        assert!(!Nummersokning::tolka("143").unwrap().traffar(n));
        for s in [
            "",
            "abc",
            "26-0142",
            "2026-",
            "2026-x1",
            "12345678901234567890",
        ] {
            assert_eq!(Nummersokning::tolka(s), None, "{s}");
        }
        // Ten thousand and more still print whole.
        assert_eq!(
            Arendenummer {
                ar: 2026,
                lopnr: 12345
            }
            .to_string(),
            "2026-12345"
        );
    }

    #[test]
    fn activities_and_closing_are_checked() {
        let o = d("2026-03-01");
        assert!(
            Aktivitet::new(
                d("2026-03-02"),
                Aktivitetstyp::Stodsamtal,
                Kontaktsatt::Telefon,
                30,
                o,
                None
            )
            .is_ok()
        );
        assert!(
            Aktivitet::new(
                d("2026-03-02"),
                Aktivitetstyp::Stodsamtal,
                Kontaktsatt::Telefon,
                -1,
                o,
                None
            )
            .is_err()
        );
        assert!(
            Aktivitet::new(
                d("2026-03-02"),
                Aktivitetstyp::Stodsamtal,
                Kontaktsatt::Telefon,
                1441,
                o,
                None
            )
            .is_err()
        );
        assert!(
            Aktivitet::new(
                d("2026-02-28"),
                Aktivitetstyp::Stodsamtal,
                Kontaktsatt::Telefon,
                5,
                o,
                None
            )
            .is_err()
        );
        assert!(
            Aktivitet::new(
                d("2026-03-02"),
                Aktivitetstyp::Stodsamtal,
                Kontaktsatt::Telefon,
                5,
                o,
                Some(d("2026-03-05"))
            )
            .is_err()
        );
        assert!(avsluta(d("2026-02-01"), o, None).is_err());
        assert!(avsluta(d("2026-03-03"), o, Some(d("2026-03-04"))).is_err());
        assert_eq!(
            avsluta(d("2026-03-04"), o, Some(d("2026-03-04"))).unwrap(),
            d("2026-03-04")
        );
    }

    #[test]
    fn contact_details_refuse_identity_numbers_but_take_phone_numbers() {
        let k = Kontakt {
            name: Some("Anna".into()),
            phone: Some("070-123 45 67".into()),
            email: None,
            note: Some("pnr 811218-9876".into()),
        };
        assert_eq!(k.check().unwrap_err().code, Code::Personnummer);
        let k = Kontakt {
            name: Some(" Anna ".into()),
            phone: Some("070-123 45 67".into()),
            email: Some("a@b.se".into()),
            note: None,
        };
        assert_eq!(k.check().unwrap().name.as_deref(), Some("Anna"));
    }
}
