//! Agreements, their settings, and the parties' decisions (SPEC § 1, § 3.1).
//!
//! SocSam only *recommends* (§ 22 item 1): the agreement applies to a municipality from the date that
//! municipality's own decision gives. [`partstatus`] turns a municipality's decisions into its status
//! on the status board; [`Malgruppsregel`] is the target-group rule of § 22 2a as data, so that each
//! agreement stores its own reading and every report can state it.
//!
//! Everything the protocol does not state (thresholds, periods, deadlines, retention) is a default here
//! that the county strategist can change per agreement.

use crate::datum::Datum;
use crate::error::{Code, DomainError};
use crate::kod::{Kodlista, Partnertyp, PersonTyp};
use crate::kommun::{Kommunkod, clip};
use crate::period::Cykel;
use serde::{Deserialize, Serialize};

/// An agreement's term: from a date, to a date or until further notice (with a notice period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avtalstid {
    pub fran: Datum,
    pub till: Option<Datum>,
    /// Months of notice when the agreement runs until further notice.
    pub uppsagning_manader: Option<u8>,
}

impl Avtalstid {
    pub fn new(
        fran: Datum,
        till: Option<Datum>,
        uppsagning_manader: Option<u8>,
    ) -> Result<Self, DomainError> {
        if let Some(t) = till
            && t < fran
        {
            return Err(DomainError::new(
                Code::OgiltigtDatum,
                format!("Avtalet kan inte sluta ({t}) före det börjar ({fran})."),
            ));
        }
        if uppsagning_manader.is_some_and(|m| m > 60) {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Uppsägningstiden kan vara högst 60 månader.",
            ));
        }
        Ok(Self {
            fran,
            till,
            uppsagning_manader,
        })
    }

    /// Whether `d` falls within the term.
    pub fn omfattar(&self, d: Datum) -> bool {
        self.fran <= d && self.till.is_none_or(|t| d <= t)
    }
}

/// The target-group rule of § 22 2a (11 kap. 5 § SoL): which groups the agreement serves without
/// needs assessment, and for which of them residence in a party municipality is required.
///
/// The default is the literal reading of § 22 2a: "brottsutsatta kommuninvånare i länets kommuner,
/// vittnen, anhöriga till brottsutsatta och anhöriga till gärningspersoner" — residence is
/// required of crime victims only; witnesses and relatives qualify wherever they live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malgruppsregel {
    pub malgrupper: Vec<String>,
    pub bosattning_kravs_for: Vec<String>,
}

impl Default for Malgruppsregel {
    fn default() -> Self {
        Self {
            malgrupper: [
                PersonTyp::Brottsutsatt,
                PersonTyp::Vittne,
                PersonTyp::AnhorigBrottsutsatt,
                PersonTyp::AnhorigGarningsperson,
            ]
            .iter()
            .map(|p| p.code().to_string())
            .collect(),
            bosattning_kravs_for: vec![PersonTyp::Brottsutsatt.code().to_string()],
        }
    }
}

impl Malgruppsregel {
    /// Builds a rule from codes, refusing unknown codes, `annan` as a target group, and residence
    /// requirements for groups the rule does not serve.
    pub fn new(malgrupper: &[String], bosattning: &[String]) -> Result<Self, DomainError> {
        let mut m = Vec::new();
        for c in malgrupper {
            let p = PersonTyp::parse(c)?;
            if p == PersonTyp::Annan {
                return Err(DomainError::new(
                    Code::OgiltigKod,
                    "”annan” betyder ingen av målgrupperna och kan inte vara en målgrupp.",
                ));
            }
            if !m.contains(&p) {
                m.push(p);
            }
        }
        if m.is_empty() {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Överenskommelsen ska ha minst en målgrupp.",
            ));
        }
        let mut b = Vec::new();
        for c in bosattning {
            let p = PersonTyp::parse(c)?;
            if !m.contains(&p) {
                return Err(DomainError::new(
                    Code::OgiltigForfragan,
                    format!(
                        "Krav på bosättning för ”{}” som inte är en målgrupp.",
                        p.code()
                    ),
                ));
            }
            if !b.contains(&p) {
                b.push(p);
            }
        }
        m.sort();
        b.sort();
        Ok(Self {
            malgrupper: m.iter().map(|p| p.code().to_string()).collect(),
            bosattning_kravs_for: b.iter().map(|p| p.code().to_string()).collect(),
        })
    }

    pub fn omfattar(&self, p: PersonTyp) -> bool {
        self.malgrupper.iter().any(|c| c == p.code())
    }

    pub fn kraver_bosattning(&self, p: PersonTyp) -> bool {
        self.bosattning_kravs_for.iter().any(|c| c == p.code())
    }

    /// The rule in plain Swedish, for pages and reports.
    pub fn beskrivning(&self) -> String {
        let label = |c: &String| {
            PersonTyp::parse(c)
                .map(|p| p.label().to_lowercase())
                .unwrap_or_else(|_| c.clone())
        };
        let grupper: Vec<String> = self.malgrupper.iter().map(label).collect();
        let bo: Vec<String> = self.bosattning_kravs_for.iter().map(label).collect();
        if bo.is_empty() {
            format!(
                "Målgrupper: {}. Ingen målgrupp behöver bo i en partskommun.",
                grupper.join(", ")
            )
        } else {
            format!(
                "Målgrupper: {}. Bosättning i en partskommun krävs för: {}.",
                grupper.join(", "),
                bo.join(", ")
            )
        }
    }
}

/// The settings an agreement keeps beside its term and parties. All have defaults that are sample
/// values, not facts of the decision, and the county strategist can change every one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Avtalsinstallningar {
    pub malgruppsregel: Malgruppsregel,
    /// Which statistics items the documentation scheme records (SPEC § 3.2; default all ten).
    pub dokumentationsposter: Vec<String>,
    pub rapportcykel: Cykel,
    /// Days after a period's end by which its report is due.
    pub rapportfrist_dagar: u16,
    /// Disclosure threshold n (SPEC § 5; default 5).
    pub troskel: u8,
    /// Parties merged into one row in two-way tables (SPEC § 5; default those under 8 000 inhabitants).
    pub sma_kommuner: Vec<String>,
    /// Fixed recodings of tiny categories in every report (codes of `kod::Sammanslagning`).
    #[serde(default)]
    pub sammanslagningar: Vec<String>,
    /// Days after closing before contact details and the note are erased (SPEC § 3.2; default 30).
    pub kontaktuppgifter_raderas_dagar: u16,
    /// Days without activity before a case is closed automatically (default 180).
    pub inaktiv_stangs_dagar: u16,
    /// The neighbouring services and associations the agreement works with and refers people to
    /// (the decision: "behov av samverkan med närliggande verksamheter och föreningar ska beaktas").
    /// Versioned with the other settings; changed by the county strategist or the organisation's
    /// coordinators (`Action::HanteraSamverkan`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samverkanspartner: Vec<Samverkanspartner>,
}

/// A collaboration partner of an agreement. Its number is never reused within the agreement, so a
/// referral or collaboration entry that names it keeps meaning the same partner in every version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samverkanspartner {
    pub id: u16,
    pub namn: String,
    /// A code of [`Partnertyp`].
    pub slag: String,
    /// The partner's organisation number, if it has one and it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orgnr: Option<String>,
}

impl Samverkanspartner {
    /// A partner from what was entered: a one-line name without identity numbers, a kind of the
    /// code list, and a valid organisation number when one is given.
    pub fn ny(id: u16, namn: &str, slag: &str, orgnr: Option<&str>) -> Result<Self, DomainError> {
        let n = namn.trim();
        if n.is_empty() || n.chars().count() > 200 {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Samverkanspartens namn ska ha 1–200 tecken.",
            )
            .falt("name"));
        }
        let namn = crate::personnummer::Fritext::rad(n, 200).map_err(|e| e.falt("name"))?;
        let slag = Partnertyp::parse(slag).map_err(|e| e.falt("kind"))?;
        let orgnr = orgnr
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                crate::orgnr::Organisationsnummer::parse(o)
                    .map(|o| o.to_string())
                    .map_err(|e| e.falt("orgnr"))
            })
            .transpose()?;
        Ok(Self {
            id,
            namn: namn.as_str().to_string(),
            slag: slag.code().to_string(),
            orgnr,
        })
    }

    pub fn typ(&self) -> Option<Partnertyp> {
        Partnertyp::parse(&self.slag).ok()
    }
}

/// The agreement a witness-support session or volunteer-hours entry of an organisation is counted
/// in, when the one who enters it does not choose: the organisation's only agreement; else its only
/// agreement in force at some time in `fran..=till` (a day, or a month for volunteer hours); else
/// among those the one a party of which the court is named after (a district court is named after
/// its seat: "Göteborgs tingsrätt"). `Err` with how many were in force when that does not single
/// one out — then the entry must name its agreement, so that no figure is counted in two.
pub fn forvalt_avtal<'a>(
    avtal: &'a [(String, Avtalstid, Vec<Kommunkod>)],
    (fran, till): (Datum, Datum),
    domstol: Option<&str>,
) -> Result<&'a str, usize> {
    if let [(id, ..)] = avtal {
        return Ok(id);
    }
    let i_kraft: Vec<_> = avtal
        .iter()
        .filter(|(_, t, _)| t.fran <= till && t.till.is_none_or(|s| fran <= s))
        .collect();
    if let [(id, ..)] = i_kraft.as_slice() {
        return Ok(id);
    }
    let Some(d) = domstol.map(str::to_lowercase) else {
        return Err(i_kraft.len());
    };
    let traffar: Vec<_> = i_kraft
        .iter()
        .filter(|(_, _, parter)| {
            parter
                .iter()
                .any(|k| !k.namn().is_empty() && d.contains(&k.namn().to_lowercase()))
        })
        .collect();
    match traffar.as_slice() {
        [(id, ..)] => Ok(id),
        _ => Err(i_kraft.len()),
    }
}

/// The ten basic items of the national victim-support statistics (SPEC § 3.2), by code.
pub const DOKUMENTATIONSPOSTER: [(&str, &str); 10] = [
    ("person_type", "Typ av hjälpsökande"),
    ("municipality", "Hemkommun"),
    ("gender", "Kön"),
    ("age_band", "Åldersgrupp"),
    ("crime_types", "Brottstyp"),
    ("circumstances", "Särskilda omständigheter"),
    ("police_report", "Polisanmälan"),
    ("first_contact", "Första kontakt"),
    ("informed_11_6", "Information enligt 11 kap. 6 § SoL"),
    ("activities", "Kontakter och insatser"),
];

impl Default for Avtalsinstallningar {
    fn default() -> Self {
        Self {
            malgruppsregel: Malgruppsregel::default(),
            dokumentationsposter: DOKUMENTATIONSPOSTER
                .iter()
                .map(|(c, _)| c.to_string())
                .collect(),
            rapportcykel: Cykel::Kvartal,
            rapportfrist_dagar: 30,
            troskel: 5,
            sma_kommuner: Vec::new(),
            sammanslagningar: Vec::new(),
            kontaktuppgifter_raderas_dagar: 30,
            inaktiv_stangs_dagar: 180,
            samverkanspartner: Vec::new(),
        }
    }
}

impl Avtalsinstallningar {
    /// Whether reports compiled under these settings with `parter` and under `andra` with
    /// `andra_parter` divide the cases alike — the same parties, merged small parties and fixed
    /// recodings — so that a half-year or year can be the sum of its cycle reports cell by cell
    /// (SPEC § 3.3: longer periods are the sums of the cycle reports; § 5: the attacker links them).
    pub fn samma_indelning(
        &self,
        parter: &[Kommunkod],
        andra: &Avtalsinstallningar,
        andra_parter: &[Kommunkod],
    ) -> bool {
        let sorterad = |p: &[Kommunkod]| {
            let mut v = p.to_vec();
            v.sort();
            v
        };
        sorterad(parter) == sorterad(andra_parter)
            && self.sma_kommuner == andra.sma_kommuner
            && self.sammanslagningar == andra.sammanslagningar
    }

    /// Checks the settings against the agreement's parties.
    pub fn check(&self, parter: &[Kommunkod]) -> Result<(), DomainError> {
        if !(2..=50).contains(&self.troskel) {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Röjandetröskeln ska vara mellan 2 och 50.",
            ));
        }
        if self.rapportfrist_dagar > 366 {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Rapportfristen kan vara högst 366 dagar.",
            ));
        }
        crate::gallring::Gallringstider::av(self).over_golven()?;
        if self.kontaktuppgifter_raderas_dagar > 366 || self.inaktiv_stangs_dagar > 3650 {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "Gallringstiderna är orimliga: kontaktuppgifter sparas högst 366 dagar efter avslut, och ett ärende avslutas senast efter 3 650 dagar utan aktivitet.",
            ));
        }
        for p in &self.dokumentationsposter {
            if !DOKUMENTATIONSPOSTER.iter().any(|(c, _)| c == p) {
                return Err(DomainError::new(
                    Code::OgiltigKod,
                    format!("”{}” är ingen dokumentationspost.", clip(p)),
                ));
            }
        }
        for s in &self.sammanslagningar {
            crate::kod::Sammanslagning::parse(s)?;
        }
        if self.samverkanspartner.len() > 500 {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                "En överenskommelse kan ha högst 500 samverkansparter.",
            ));
        }
        for (i, sp) in self.samverkanspartner.iter().enumerate() {
            Samverkanspartner::ny(sp.id, &sp.namn, &sp.slag, sp.orgnr.as_deref())?;
            if sp.id == 0 || self.samverkanspartner[..i].iter().any(|o| o.id == sp.id) {
                return Err(DomainError::new(
                    Code::OgiltigForfragan,
                    "Samverkansparternas nummer ska vara unika och större än 0.",
                ));
            }
        }
        for k in &self.sma_kommuner {
            let kod = Kommunkod::parse(k)?;
            if !parter.contains(&kod) {
                return Err(DomainError::new(
                    Code::OgiltigKommunkod,
                    format!(
                        "{} ({kod}) är inte part och kan inte slås ihop med andra parter.",
                        kod.namn()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The parties of an agreement: at least one, each once.
pub fn parter(koder: &[String]) -> Result<Vec<Kommunkod>, DomainError> {
    let mut out: Vec<Kommunkod> = Vec::new();
    for k in koder {
        let kod = Kommunkod::parse(k)?;
        if out.contains(&kod) {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                format!("{} ({kod}) står med två gånger bland parterna.", kod.namn()),
            ));
        }
        out.push(kod);
    }
    if out.is_empty() {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            "Överenskommelsen ska ha minst en part.",
        ));
    }
    out.sort();
    Ok(out)
}

/// The body that made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beslutsorgan {
    Socsam,
    Kommunfullmaktige,
    Kommunstyrelse,
    Socialnamnd,
    Annan,
}

impl Beslutsorgan {
    pub const ALL: [Beslutsorgan; 5] = [
        Beslutsorgan::Socsam,
        Beslutsorgan::Kommunfullmaktige,
        Beslutsorgan::Kommunstyrelse,
        Beslutsorgan::Socialnamnd,
        Beslutsorgan::Annan,
    ];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|b| b.code() == s.trim()).ok_or_else(|| {
            DomainError::new(
                Code::OgiltigKod,
                "Okänt beslutsorgan. Giltiga: socsam, kommunfullmaktige, kommunstyrelse, socialnamnd, annan.",
            )
        })
    }

    pub const fn code(self) -> &'static str {
        match self {
            Beslutsorgan::Socsam => "socsam",
            Beslutsorgan::Kommunfullmaktige => "kommunfullmaktige",
            Beslutsorgan::Kommunstyrelse => "kommunstyrelse",
            Beslutsorgan::Socialnamnd => "socialnamnd",
            Beslutsorgan::Annan => "annan",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Beslutsorgan::Socsam => "Sociala samrådsgruppen (SocSam)",
            Beslutsorgan::Kommunfullmaktige => "Kommunfullmäktige",
            Beslutsorgan::Kommunstyrelse => "Kommunstyrelsen",
            Beslutsorgan::Socialnamnd => "Socialnämnden",
            Beslutsorgan::Annan => "Annat organ",
        }
    }

    /// A municipality's own bodies decide for that municipality; SocSam and others only recommend.
    pub const fn ar_kommunalt(self) -> bool {
        matches!(
            self,
            Beslutsorgan::Kommunfullmaktige
                | Beslutsorgan::Kommunstyrelse
                | Beslutsorgan::Socialnamnd
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utfall {
    Bifall,
    Avslag,
    Aterremiss,
}

impl Utfall {
    pub const ALL: [Utfall; 3] = [Utfall::Bifall, Utfall::Avslag, Utfall::Aterremiss];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|u| u.code() == s.trim())
            .ok_or_else(|| {
                DomainError::new(
                    Code::OgiltigKod,
                    "Okänt utfall. Giltiga: bifall, avslag, aterremiss.",
                )
            })
    }

    pub const fn code(self) -> &'static str {
        match self {
            Utfall::Bifall => "bifall",
            Utfall::Avslag => "avslag",
            Utfall::Aterremiss => "aterremiss",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Utfall::Bifall => "Bifall",
            Utfall::Avslag => "Avslag",
            Utfall::Aterremiss => "Återremiss",
        }
    }
}

/// A decision as the status board needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beslutsutfall {
    pub organ: Beslutsorgan,
    pub kommun: Option<Kommunkod>,
    pub beslutsdatum: Option<Datum>,
    pub utfall: Utfall,
    pub galler_fran: Option<Datum>,
    /// Order of recording, to break ties between decisions of the same (or an unknown) date.
    pub ordning: i64,
}

impl Beslutsutfall {
    /// Checks a decision before it is recorded: a municipal body names its municipality, which is a
    /// party; SocSam names none; an approval says from when it applies, within the agreement's term.
    pub fn check(&self, parter: &[Kommunkod], tid: &Avtalstid) -> Result<(), DomainError> {
        match (self.organ, self.kommun) {
            (Beslutsorgan::Socsam, Some(_)) => {
                return Err(DomainError::new(
                    Code::OgiltigForfragan,
                    "SocSams beslut gäller ingen enskild kommun.",
                ));
            }
            (o, None) if o.ar_kommunalt() => {
                return Err(DomainError::new(
                    Code::OgiltigForfragan,
                    "Ange vilken kommuns beslut det är.",
                ));
            }
            (_, Some(k)) if !parter.contains(&k) => {
                return Err(DomainError::new(
                    Code::OgiltigKommunkod,
                    format!("{} ({k}) är inte part i överenskommelsen.", k.namn()),
                ));
            }
            _ => {}
        }
        match (self.utfall, self.galler_fran, self.kommun) {
            (Utfall::Bifall, None, Some(_)) => Err(DomainError::new(
                Code::OgiltigtDatum,
                "Ange från vilket datum överenskommelsen gäller för kommunen.",
            )),
            (_, Some(d), _) if !tid.omfattar(d) => Err(DomainError::new(
                Code::OgiltigtDatum,
                format!("Datumet {d} ligger utanför överenskommelsens avtalstid."),
            )),
            _ => Ok(()),
        }
    }
}

/// A party's standing on the status board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partstatus {
    /// Decided to join; the agreement applies from the date.
    Beslutad(Datum),
    /// No decision of its own yet, or sent back (återremiss).
    Vantar,
    Avslagen,
}

impl Partstatus {
    pub const fn code(&self) -> &'static str {
        match self {
            Partstatus::Beslutad(_) => "beslutad",
            Partstatus::Vantar => "vantar",
            Partstatus::Avslagen => "avslagen",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Partstatus::Beslutad(d) => format!("Beslutad, gäller från {d}"),
            Partstatus::Vantar => "Väntar på beslut".into(),
            Partstatus::Avslagen => "Avslagen".into(),
        }
    }

    pub fn galler_fran(&self) -> Option<Datum> {
        match self {
            Partstatus::Beslutad(d) => Some(*d),
            _ => None,
        }
    }

    /// Whether the agreement applies to this party on `d` (§ 22 item 1: from the party's own decision).
    pub fn galler(&self, d: Datum) -> bool {
        self.galler_fran().is_some_and(|f| f <= d)
    }
}

/// A party of an agreement with its status: one row of the status board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statusrad {
    pub kommun: Kommunkod,
    pub status: Partstatus,
    /// The party's own decision that governs its status (its `ordning`), if it has made one.
    pub beslut: Option<i64>,
}

/// The status of `kommun` from all decisions of the agreement: its own latest decision governs
/// (SPEC § 4: "for a municipality, its latest decision governs"); SocSam's recommendation is not a
/// municipality's decision. "Latest" is by decision date, then by order of recording; a decision of
/// unknown date counts as made when it was recorded.
pub fn partstatus(
    kommun: Kommunkod,
    beslut: &[Beslutsutfall],
    registrerad: impl Fn(&Beslutsutfall) -> Datum,
) -> Partstatus {
    match styrande_beslut(kommun, beslut, registrerad) {
        None => Partstatus::Vantar,
        Some(b) => match (b.utfall, b.galler_fran) {
            (Utfall::Bifall, Some(d)) => Partstatus::Beslutad(d),
            (Utfall::Bifall, None) | (Utfall::Aterremiss, _) => Partstatus::Vantar,
            (Utfall::Avslag, _) => Partstatus::Avslagen,
        },
    }
}

/// The decision that governs `kommun`'s status ([`partstatus`]): its own latest.
pub fn styrande_beslut(
    kommun: Kommunkod,
    beslut: &[Beslutsutfall],
    registrerad: impl Fn(&Beslutsutfall) -> Datum,
) -> Option<&Beslutsutfall> {
    beslut
        .iter()
        .filter(|b| b.kommun == Some(kommun) && b.organ.ar_kommunalt())
        .max_by_key(|b| (b.beslutsdatum.unwrap_or_else(|| registrerad(b)), b.ordning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_divide_cases_alike_only_with_the_same_parties_groups_and_recodings() {
        let k = |v: &[&str]| -> Vec<Kommunkod> {
            v.iter().filter_map(|x| Kommunkod::parse(x).ok()).collect()
        };
        let s = Avtalsinstallningar::default();
        let (ab, ba) = (k(&["2303", "2380"]), k(&["2380", "2303"]));
        assert!(
            s.samma_indelning(&ab, &s, &ba),
            "party order does not matter"
        );
        assert!(!s.samma_indelning(&ab, &s, &k(&["2303", "2380", "2326"])));
        let omkodad = Avtalsinstallningar {
            sammanslagningar: vec!["kon_annat_okant".into()],
            ..s.clone()
        };
        assert!(!s.samma_indelning(&ab, &omkodad, &ab));
        let sma = Avtalsinstallningar {
            sma_kommuner: vec!["2303".into()],
            ..s.clone()
        };
        assert!(!s.samma_indelning(&ab, &sma, &ab));
    }

    fn d(s: &str) -> Datum {
        Datum::parse(s).unwrap()
    }
    fn k(s: &str) -> Kommunkod {
        Kommunkod::parse(s).unwrap()
    }
    fn beslut(
        kommun: &str,
        datum: Option<&str>,
        utfall: Utfall,
        fran: Option<&str>,
        ordning: i64,
    ) -> Beslutsutfall {
        Beslutsutfall {
            organ: Beslutsorgan::Kommunfullmaktige,
            kommun: Some(k(kommun)),
            beslutsdatum: datum.map(d),
            utfall,
            galler_fran: fran.map(d),
            ordning,
        }
    }

    #[test]
    fn the_term_refuses_an_end_before_its_start() {
        assert!(Avtalstid::new(d("2026-01-01"), Some(d("2025-12-31")), None).is_err());
        let t = Avtalstid::new(d("2026-01-01"), None, Some(6)).unwrap();
        assert!(t.omfattar(d("2030-05-05")));
        assert!(!t.omfattar(d("2025-12-31")));
    }

    #[test]
    fn parties_are_unique_and_known() {
        assert_eq!(
            parter(&["2380".into(), "2303".into()]).unwrap(),
            vec![k("2303"), k("2380")]
        );
        assert!(
            parter(&["2380".into(), "2380".into()])
                .unwrap_err()
                .message
                .contains("två gånger")
        );
        assert_eq!(
            parter(&["9999".into()]).unwrap_err().code,
            Code::OgiltigKommunkod
        );
        assert!(parter(&[]).is_err());
    }

    #[test]
    fn the_default_rule_is_the_literal_reading_of_22_2a() {
        let r = Malgruppsregel::default();
        assert!(r.kraver_bosattning(PersonTyp::Brottsutsatt));
        for p in [
            PersonTyp::Vittne,
            PersonTyp::AnhorigBrottsutsatt,
            PersonTyp::AnhorigGarningsperson,
        ] {
            assert!(r.omfattar(p) && !r.kraver_bosattning(p));
        }
        assert!(!r.omfattar(PersonTyp::Annan));
        assert!(Malgruppsregel::new(&["vittne".into()], &["brottsutsatt".into()]).is_err());
        assert!(Malgruppsregel::new(&["annan".into()], &[]).is_err());
    }

    #[test]
    fn the_latest_own_decision_governs() {
        let reg = |_: &Beslutsutfall| d("2026-06-01");
        let kod = k("2326");
        assert_eq!(partstatus(kod, &[], reg), Partstatus::Vantar);
        let socsam = Beslutsutfall {
            organ: Beslutsorgan::Socsam,
            kommun: None,
            beslutsdatum: Some(d("2025-10-10")),
            utfall: Utfall::Bifall,
            galler_fran: Some(d("2026-01-01")),
            ordning: 1,
        };
        assert_eq!(
            partstatus(kod, std::slice::from_ref(&socsam), reg),
            Partstatus::Vantar,
            "a recommendation is not a decision"
        );
        let remiss = beslut("2326", Some("2025-11-20"), Utfall::Aterremiss, None, 2);
        let ja = beslut(
            "2326",
            Some("2026-02-15"),
            Utfall::Bifall,
            Some("2026-03-01"),
            3,
        );
        assert_eq!(
            partstatus(kod, &[socsam.clone(), remiss.clone()], reg),
            Partstatus::Vantar
        );
        let st = partstatus(kod, &[socsam, ja.clone(), remiss], reg);
        assert_eq!(st, Partstatus::Beslutad(d("2026-03-01")));
        assert!(!st.galler(d("2026-02-28")) && st.galler(d("2026-03-01")));
        // A later rejection overrides, whatever order they were recorded in.
        let nej = beslut("2326", Some("2026-09-01"), Utfall::Avslag, None, 0);
        assert_eq!(partstatus(kod, &[nej, ja], reg), Partstatus::Avslagen);
    }

    #[test]
    fn decisions_are_checked_against_the_agreement() {
        let tid = Avtalstid::new(d("2026-01-01"), Some(d("2026-12-31")), None).unwrap();
        let parter = [k("2303"), k("2380")];
        assert!(
            beslut("2303", None, Utfall::Bifall, Some("2026-01-01"), 0)
                .check(&parter, &tid)
                .is_ok()
        );
        assert!(
            beslut("2303", None, Utfall::Bifall, None, 0)
                .check(&parter, &tid)
                .is_err()
        );
        assert!(
            beslut("2303", None, Utfall::Bifall, Some("2027-01-01"), 0)
                .check(&parter, &tid)
                .is_err()
        );
        assert_eq!(
            beslut("0114", None, Utfall::Bifall, Some("2026-01-01"), 0)
                .check(&parter, &tid)
                .unwrap_err()
                .code,
            Code::OgiltigKommunkod
        );
    }

    #[test]
    fn settings_check_the_merged_parties() {
        let s = Avtalsinstallningar {
            sma_kommuner: vec!["2303".into()],
            ..Default::default()
        };
        assert!(s.check(&[k("2303")]).is_ok());
        assert!(s.check(&[k("2380")]).is_err());
        let s = Avtalsinstallningar {
            troskel: 1,
            ..Default::default()
        };
        assert!(s.check(&[]).is_err());
    }
    /// Which agreement an organisation's own work is counted in when nobody chooses (issue 18).
    #[test]
    fn the_default_agreement_is_the_only_one_or_the_one_the_court_names() {
        let d = |s: &str| Datum::parse(s).unwrap();
        let k = |s: &str| Kommunkod::parse(s).unwrap();
        let tid = |f: &str, t: Option<&str>| Avtalstid::new(d(f), t.map(d), None).unwrap();
        let en = vec![("a".to_string(), tid("2026-01-15", None), vec![k("2380")])];
        // The only agreement, even in the month it begins, even before it.
        let jan = (d("2026-01-01"), d("2026-01-31"));
        assert_eq!(forvalt_avtal(&en, jan, None), Ok("a"));
        assert_eq!(
            forvalt_avtal(&en, (d("2025-06-01"), d("2025-06-30")), None),
            Ok("a")
        );
        let tva = vec![
            ("a".to_string(), tid("2026-01-15", None), vec![k("2380")]),
            (
                "b".to_string(),
                tid("2026-01-01", Some("2026-01-10")),
                vec![k("2281")],
            ),
        ];
        // A month both touch: neither alone; a day only one covers: that one.
        assert_eq!(forvalt_avtal(&tva, jan, None), Err(2));
        assert_eq!(
            forvalt_avtal(&tva, (d("2026-02-01"), d("2026-02-28")), None),
            Ok("a")
        );
        let dag = (d("2026-01-05"), d("2026-01-05"));
        assert_eq!(
            forvalt_avtal(&tva, dag, Some("Östersunds tingsrätt")),
            Ok("b")
        );
        // Both in force: the court decides, or nothing does.
        let bada = vec![
            ("a".to_string(), tid("2026-01-01", None), vec![k("2380")]),
            ("b".to_string(), tid("2026-01-01", None), vec![k("2281")]),
        ];
        let feb = (d("2026-02-03"), d("2026-02-03"));
        assert_eq!(
            forvalt_avtal(&bada, feb, Some("Sundsvalls tingsrätt")),
            Ok("b")
        );
        assert_eq!(
            forvalt_avtal(&bada, feb, Some("ÖSTERSUNDS TINGSRÄTT")),
            Ok("a")
        );
        assert_eq!(forvalt_avtal(&bada, feb, Some("Hovrätten")), Err(2));
        assert_eq!(forvalt_avtal(&bada, feb, None), Err(2));
        assert_eq!(forvalt_avtal(&[], feb, None), Err(0));
    }
}
