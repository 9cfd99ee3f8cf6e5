//! **The report model** (SPEC § 3.3): which tables a follow-up report has, compiled from coded cases.
//!
//! Pure and fast: a case is a few bytes ([`Fall`]), and one pass over them fills every count of
//! every table of the period (the 1 000 000-case benchmark in BENCHMARKS.md). Which cycle period a
//! case and an activity belong to is decided before, by [`tilldela`]: each is reported exactly once.
//!
//! What the caller decides and passes in: the parties and the merged small parties of the agreement
//! version in force on the period's last day (SPEC § 3.3), and the cycle periods the report spans.

use crate::nat::{Skal, Slag, Status};
use boj_domain::bedomning::Skal as Orsak;
use boj_domain::kod::{
    Aktivitetstyp, Aldersgrupp, Brottstyp, ForstaKontakt, Kodlista, Kon, Kontaktsatt, Partnertyp,
    PersonTyp, Polisanmalan, Samverkansform, SarskildOmstandighet, VittnesstodRoll, Volontartimmar,
};
use boj_domain::{Cykel, Datum, Kommunkod, Period};
use serde::{Deserialize, Serialize};

/// Eligibility as a report needs it.
pub const INOM: u8 = 0;
pub const UTANFOR: u8 = 1;
pub const EJ_FASTSTALLD: u8 = 2;

/// A case as reports see it: every item an index into its code list (`Kodlista::ALL`), several-valued
/// items as bit sets, the home municipality as an index into the report's parties (the number of
/// parties for "annan eller okänd hemkommun").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fall {
    /// The cycle period it is reported in (an index the caller gives periods; see [`tilldela`]).
    pub cykel: u8,
    pub person: u8,
    pub hem: u8,
    pub kon: u8,
    pub alder: u8,
    pub brott: u16,
    pub omstandigheter: u8,
    pub polis: u8,
    pub forsta: u8,
    pub informerad: bool,
    /// [`INOM`], [`UTANFOR`] or [`EJ_FASTSTALLD`].
    pub status: u8,
    /// Reasons for `utanfor`, bit i = `Skal::ALL[i]`.
    pub orsaker: u8,
    /// Registered after its own period's report was issued ("varav sent registrerade").
    pub sent: bool,
}

/// An activity: its case (a number identifying the case among the activities, for counting
/// contributing cases; not an index into [`Underlag::fall`]), whether that case is within the
/// agreement, kind, mode, minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aktivitet {
    pub fall: u32,
    pub inom: bool,
    pub cykel: u8,
    pub slag: u8,
    pub satt: u8,
    pub minuter: u16,
    /// A referral's partner kind: 0 none, else 1 + its index in `Partnertyp::ALL`.
    pub partner: u8,
}

/// Collaboration work with partners (about the organisations, not help-seekers): hours of one
/// entry by the partner's kind and the form of the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Samverkan {
    pub cykel: u8,
    /// Index in `Partnertyp::ALL`.
    pub slag: u8,
    /// Index in `Samverkansform::ALL`.
    pub form: u8,
    pub hundradelar: u64,
}

/// A witness-support session: people supported by role (`VittnesstodRoll::ALL` order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vittnesstod {
    pub cykel: u8,
    pub personer: [u32; 4],
}

/// Volunteer hours of one month and kind, in hundredths of an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timmar {
    pub cykel: u8,
    pub slag: u8,
    pub hundradelar: u64,
}

/// What a report is compiled from.
#[derive(Debug, Clone, Default)]
pub struct Underlag {
    /// The parties, in code order.
    pub parter: Vec<Kommunkod>,
    /// Parties whose breakdowns are merged into one row in two-way tables (§ 5, fixed in the
    /// agreement's settings).
    pub sma: Vec<Kommunkod>,
    pub fall: Vec<Fall>,
    /// Sorted by `fall` (contributing cases are counted on the way).
    pub aktiviteter: Vec<Aktivitet>,
    pub vittnesstod: Vec<Vittnesstod>,
    pub timmar: Vec<Timmar>,
    pub samverkan: Vec<Samverkan>,
    /// The agreement's documentation scheme (item codes of `avtal::DOKUMENTATIONSPOSTER`); `None`
    /// records them all. A report has no table for an item the agreement does not record.
    pub poster: Option<Vec<String>>,
    /// For the year report: each party's grant share in kronor and its population.
    pub bidrag: Vec<Bidragsrad>,
    /// Gender `annat` and `okant` published as one category (the agreement's fixed recoding,
    /// `kod::Sammanslagning::KonAnnatOkant`).
    pub kon_annat_okant: bool,
}

/// A party's part of the year's grant, beside which the year report shows its cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bidragsrad {
    pub kommun: Kommunkod,
    pub kronor: u64,
    pub invanare: u64,
}

impl Underlag {
    fn registrerar(&self, post: &str) -> bool {
        self.poster
            .as_ref()
            .is_none_or(|p| p.iter().any(|x| x == post))
    }
}

impl Underlag {
    /// The index a home municipality has in [`Fall::hem`].
    pub fn hem_index(&self, k: Option<Kommunkod>) -> u8 {
        let i = k
            .and_then(|k| self.parter.iter().position(|p| *p == k))
            .unwrap_or(self.parter.len());
        u8::try_from(i).unwrap_or(u8::MAX)
    }
}

/// The unit a table's numbers are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enhet {
    Antal,
    /// Column `minuter` of the activity tables is minutes; the rest counts.
    AntalOchMinuter,
    /// Hundredths of an hour.
    Timmar,
    /// Derived figures in hundredths (per cent with two decimals, kronor with öre).
    Hundradelar,
}

/// The `mangd` of derived tables: not counts, so not in the web; a derived cell is protected
/// whenever one of its inputs is ([`folj_skydd`]).
pub const HARLEDD: &str = "harl";

/// A row or column heading: a stable code, a Swedish label, and for a merged row its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubrik {
    pub code: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

fn rubrik(code: impl Into<String>, label: impl Into<String>) -> Rubrik {
    Rubrik {
        code: code.into(),
        label: label.into(),
        members: Vec::new(),
    }
}

/// One number of a table: its true value, how many cases contribute, and whether it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tal {
    pub varde: u64,
    pub bidrag: u64,
    pub status: Status,
    /// Why it is protected: for the organisation's record, never published.
    pub skal: Option<Skal>,
}

impl Tal {
    fn antal(v: u64) -> Self {
        Tal {
            varde: v,
            bidrag: v,
            status: Status::Publicerad,
            skal: None,
        }
    }
}

/// A table with its margins as cells (SPEC § 4's layout). `koldim` is `None` for a one-way table
/// (one column, `antal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tabell {
    pub id: String,
    pub titel: String,
    /// What is counted, for the cell keys of the web: `ant` cases, `akt` activities, `vit` people
    /// at witness support, `tillf` sessions, `tim` volunteer hours, `hanv` cases referred to a
    /// partner, `samv` hours of collaboration work.
    pub mangd: String,
    pub slag: Slag,
    pub enhet: Enhet,
    pub raddim: String,
    pub koldim: Option<String>,
    pub rader: Vec<Rubrik>,
    pub kolumner: Vec<Rubrik>,
    pub celler: Vec<Vec<Tal>>,
    pub radsummor: Option<Vec<Tal>>,
    pub kolumnsummor: Option<Vec<Tal>>,
    pub total: Option<Tal>,
}

impl Tabell {
    /// Every number with its place: (row, column) for inner cells, margins as `None` parts.
    pub fn alla(&self) -> impl Iterator<Item = &Tal> {
        self.celler
            .iter()
            .flatten()
            .chain(self.radsummor.iter().flatten())
            .chain(self.kolumnsummor.iter().flatten())
            .chain(self.total.iter())
    }

    /// Whether every published margin equals the sum of its parts.
    pub fn summerar(&self) -> bool {
        let rad = |i: usize| self.celler[i].iter().map(|t| t.varde).sum::<u64>();
        let kol = |j: usize| self.celler.iter().map(|r| r[j].varde).sum::<u64>();
        let rader_ok = self
            .radsummor
            .as_ref()
            .is_none_or(|r| r.iter().enumerate().all(|(i, t)| t.varde == rad(i)));
        let kol_ok = self
            .kolumnsummor
            .as_ref()
            .is_none_or(|k| k.iter().enumerate().all(|(j, t)| t.varde == kol(j)));
        let alla: u64 = self.celler.iter().flatten().map(|t| t.varde).sum();
        let tot_ok = self.total.is_none_or(|t| {
            t.varde == alla
                && (self.koldim.is_none() || self.kolumner.len() == 1 || self.radsummor.is_some())
        });
        rader_ok && kol_ok && tot_ok
    }
}

fn envag<K: Kodlista>(
    id: &str,
    titel: &str,
    raddim: &'static str,
    varden: &[u64],
    total: bool,
) -> Tabell {
    Tabell {
        id: id.into(),
        titel: titel.into(),
        mangd: "ant".into(),
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: raddim.into(),
        koldim: None,
        rader: K::ALL.iter().map(|k| rubrik(k.code(), k.label())).collect(),
        kolumner: vec![rubrik("antal", "Antal")],
        celler: varden.iter().map(|&v| vec![Tal::antal(v)]).collect(),
        radsummor: None,
        kolumnsummor: None,
        total: total.then(|| Tal::antal(varden.iter().sum())),
    }
}

/// Row groups of the two-way tables: each party alone, the small ones merged, then the rest.
fn radgrupper(u: &Underlag) -> Vec<(Rubrik, Vec<usize>)> {
    let mut g = Vec::new();
    let sma: Vec<usize> = (0..u.parter.len())
        .filter(|&i| u.sma.contains(&u.parter[i]))
        .collect();
    for (i, p) in u.parter.iter().enumerate() {
        if sma.len() >= 2 && sma.contains(&i) {
            continue;
        }
        g.push((rubrik(p.to_string(), p.namn()), vec![i]));
    }
    if sma.len() >= 2 {
        let koder: Vec<String> = sma.iter().map(|&i| u.parter[i].to_string()).collect();
        let namn: Vec<&str> = sma.iter().map(|&i| u.parter[i].namn()).collect();
        let label = match namn.split_last() {
            Some((sist, forst)) => format!("{} och {sist}", forst.join(", ")),
            None => String::new(),
        };
        g.push((
            Rubrik {
                code: koder.join("+"),
                label,
                members: koder,
            },
            sma,
        ));
    }
    g.push((
        rubrik(ANNAN_OKAND, "Annan eller okänd hemkommun"),
        vec![u.parter.len()],
    ));
    g
}

/// The code of the row for cases whose home is not a party (groups that need no residence).
pub const ANNAN_OKAND: &str = "annan_okand";

fn tvavag<K: Kodlista>(
    id: &str,
    titel: &str,
    koldim: &'static str,
    grupper: &[(Rubrik, Vec<usize>)],
    varden: &[u64],
) -> Tabell {
    let k = K::ALL.len();
    let celler: Vec<Vec<Tal>> = grupper
        .iter()
        .map(|(_, hem)| {
            (0..k)
                .map(|j| Tal::antal(hem.iter().map(|&h| varden[h * k + j]).sum()))
                .collect()
        })
        .collect();
    let radsummor: Vec<Tal> = celler
        .iter()
        .map(|r| Tal::antal(r.iter().map(|t| t.varde).sum()))
        .collect();
    let kolumnsummor: Vec<Tal> = (0..k)
        .map(|j| Tal::antal(celler.iter().map(|r| r[j].varde).sum()))
        .collect();
    let total = Tal::antal(radsummor.iter().map(|t| t.varde).sum());
    Tabell {
        id: id.into(),
        titel: titel.into(),
        mangd: "ant".into(),
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "kommun".into(),
        koldim: Some(koldim.into()),
        rader: grupper.iter().map(|(r, _)| r.clone()).collect(),
        kolumner: K::ALL.iter().map(|x| rubrik(x.code(), x.label())).collect(),
        celler,
        radsummor: Some(radsummor),
        kolumnsummor: Some(kolumnsummor),
        total: Some(total),
    }
}

/// Counts of one pass over the cases.
struct Rakning {
    p: usize,
    person: Vec<u64>,
    kon: Vec<u64>,
    alder: Vec<u64>,
    polis: Vec<u64>,
    forsta: Vec<u64>,
    brott: [u64; 16],
    omst: [u64; 8],
    informerad: [u64; 2],
    orsaker: [u64; 8],
    ej_faststalld: u64,
    sent: u64,
}

fn rakna(u: &Underlag, med: &[bool; 256]) -> Rakning {
    let p = u.parter.len() + 1;
    let mut r = Rakning {
        p,
        person: vec![0; p * PersonTyp::ALL.len()],
        kon: vec![0; p * Kon::ALL.len()],
        alder: vec![0; p * Aldersgrupp::ALL.len()],
        polis: vec![0; p * Polisanmalan::ALL.len()],
        forsta: vec![0; p * ForstaKontakt::ALL.len()],
        brott: [0; 16],
        omst: [0; 8],
        informerad: [0; 2],
        orsaker: [0; 8],
        ej_faststalld: 0,
        sent: 0,
    };
    let (np, nk, na, npo, nf) = (
        PersonTyp::ALL.len(),
        Kon::ALL.len(),
        Aldersgrupp::ALL.len(),
        Polisanmalan::ALL.len(),
        ForstaKontakt::ALL.len(),
    );
    for f in &u.fall {
        if !med[f.cykel as usize] {
            continue;
        }
        if f.status != INOM {
            if f.status == EJ_FASTSTALLD {
                r.ej_faststalld += 1;
            }
            let mut b = f.orsaker;
            while b != 0 {
                r.orsaker[b.trailing_zeros() as usize] += 1;
                b &= b - 1;
            }
            continue;
        }
        let h = (f.hem as usize).min(p - 1);
        // Out-of-range codes would be a bug upstream; `get_mut` keeps it from panicking.
        let inc = |v: &mut Vec<u64>, i: usize| {
            if let Some(x) = v.get_mut(i) {
                *x += 1;
            }
        };
        inc(&mut r.person, h * np + f.person as usize);
        inc(&mut r.kon, h * nk + f.kon as usize);
        inc(&mut r.alder, h * na + f.alder as usize);
        inc(&mut r.polis, h * npo + f.polis as usize);
        inc(&mut r.forsta, h * nf + f.forsta as usize);
        let mut b = f.brott;
        while b != 0 {
            r.brott[b.trailing_zeros() as usize] += 1;
            b &= b - 1;
        }
        let mut b = f.omstandigheter;
        while b != 0 {
            r.omst[b.trailing_zeros() as usize] += 1;
            b &= b - 1;
        }
        r.informerad[usize::from(!f.informerad)] += 1;
        r.sent += u64::from(f.sent);
    }
    r
}

/// Column sums of a `p × k` count array (one-way counts from a two-way one).
fn marginal(v: &[u64], p: usize, k: usize) -> Vec<u64> {
    (0..k).map(|j| (0..p).map(|h| v[h * k + j]).sum()).collect()
}

fn rad_marginal(v: &[u64], p: usize, k: usize) -> Vec<u64> {
    (0..p).map(|h| v[h * k..(h + 1) * k].iter().sum()).collect()
}

/// The activity tables (by kind, by mode): count, minutes, and contributing cases for each.
fn aktivitetstabeller(u: &Underlag, med: &[bool; 256]) -> [Tabell; 2] {
    let mut sorterade;
    let akt: &[Aktivitet] = if u.aktiviteter.is_sorted_by_key(|a| a.fall) {
        &u.aktiviteter
    } else {
        sorterade = u.aktiviteter.clone();
        sorterade.sort_by_key(|a| a.fall);
        &sorterade
    };
    // (count, minutes, contributing cases, last case seen + 1) per kind and per mode.
    let mut slag = [(0u64, 0u64, 0u64, 0u32); 8];
    let mut satt = [(0u64, 0u64, 0u64, 0u32); 8];
    let mut totalt = [(0u64, 0u64, 0u64, 0u32); 1];
    for a in akt {
        // Whether the activity's case is within the agreement travels with the activity: `fall`
        // only numbers the cases among activities, it is no index into `u.fall`.
        if !med[a.cykel as usize] || !a.inom {
            continue;
        }
        for x in [
            slag.get_mut(a.slag as usize),
            satt.get_mut(a.satt as usize),
            totalt.get_mut(0),
        ]
        .into_iter()
        .flatten()
        {
            x.0 += 1;
            x.1 += u64::from(a.minuter);
            if x.3 != a.fall + 1 {
                x.2 += 1;
                x.3 = a.fall + 1;
            }
        }
    }
    let t = totalt[0];
    let tabell = |id: &str,
                  titel: &str,
                  raddim: &'static str,
                  rader: Vec<Rubrik>,
                  v: &[(u64, u64, u64, u32)]| {
        let celler: Vec<Vec<Tal>> = (0..rader.len())
            .map(|i| {
                let (n, m, b, _) = v[i];
                vec![
                    Tal {
                        varde: n,
                        bidrag: b,
                        status: Status::Publicerad,
                        skal: None,
                    },
                    Tal {
                        varde: m,
                        bidrag: b,
                        status: Status::Publicerad,
                        skal: None,
                    },
                ]
            })
            .collect();
        Tabell {
            id: id.into(),
            titel: titel.into(),
            mangd: "akt".into(),
            slag: Slag::Aktiviteter,
            enhet: Enhet::AntalOchMinuter,
            raddim: raddim.into(),
            koldim: Some("matt".into()),
            rader,
            kolumner: vec![rubrik("antal", "Antal"), rubrik("minuter", "Minuter")],
            celler,
            radsummor: None,
            kolumnsummor: Some(vec![
                Tal {
                    varde: t.0,
                    bidrag: t.2,
                    status: Status::Publicerad,
                    skal: None,
                },
                Tal {
                    varde: t.1,
                    bidrag: t.2,
                    status: Status::Publicerad,
                    skal: None,
                },
            ]),
            total: None,
        }
    };
    [
        tabell(
            "aktiviteter_slag",
            "Aktiviteter per slag",
            "slag",
            Aktivitetstyp::ALL
                .iter()
                .map(|k| rubrik(k.code(), k.label()))
                .collect(),
            &slag,
        ),
        tabell(
            "aktiviteter_satt",
            "Aktiviteter per kontaktsätt",
            "satt",
            Kontaktsatt::ALL
                .iter()
                .map(|k| rubrik(k.code(), k.label()))
                .collect(),
            &satt,
        ),
    ]
}

/// Referrals per partner kind: the cases within the agreement referred to a partner of each kind.
/// A count of help-seekers, protected as every count of cases is (SPEC § 5). A case referred to
/// two kinds counts in both; within one kind it counts once per cycle period, so that a longer
/// period is the sum of its cycle reports cell by cell (SPEC § 3.3).
fn hanvisningar(u: &Underlag, med: &[bool; 256]) -> Tabell {
    let mut sett = std::collections::HashSet::new();
    let mut per = [0u64; 8];
    for a in &u.aktiviteter {
        // Only a referral names a partner (`Aktivitet::med_partner`); the web's bound "Σ kinds ≤
        // referrals" rests on it.
        if !med[a.cykel as usize]
            || !a.inom
            || a.partner == 0
            || a.slag != index(Aktivitetstyp::Hanvisning)
        {
            continue;
        }
        let k = usize::from(a.partner - 1);
        if k < per.len() && sett.insert((a.fall, a.cykel, a.partner)) {
            per[k] += 1;
        }
    }
    let mut t = envag::<Partnertyp>(
        "aktiviteter_hanvisningar",
        "Ärenden med hänvisning, per samverkanspartens slag (flera per ärende)",
        "partnerslag",
        &per[..Partnertyp::ALL.len()],
        false,
    );
    t.mangd = "hanv".into();
    t
}

/// Collaboration work (the decision's "samverkan med närliggande verksamheter och föreningar"):
/// hours per partner kind and per form, published as volunteer hours are — they are about the
/// organisations, never about help-seekers.
fn samverkanstabeller(u: &Underlag, med: &[bool; 256]) -> [Tabell; 2] {
    let mut slag = [0u64; 8];
    let mut form = [0u64; 3];
    for s in u.samverkan.iter().filter(|s| med[s.cykel as usize]) {
        if let (Some(a), Some(b)) = (slag.get_mut(s.slag as usize), form.get_mut(s.form as usize)) {
            *a += s.hundradelar;
            *b += s.hundradelar;
        }
    }
    let timmar = |mut t: Tabell| {
        t.mangd = "samv".into();
        t.kolumner = vec![rubrik("timmar", "Timmar")];
        t.slag = Slag::Fritt;
        t.enhet = Enhet::Timmar;
        t
    };
    [
        timmar(envag::<Partnertyp>(
            "samverkan_partnerslag",
            "Samverkan: timmar per samverkanspartens slag",
            "partnerslag",
            &slag[..Partnertyp::ALL.len()],
            true,
        )),
        timmar(envag::<Samverkansform>(
            "samverkan_form",
            "Samverkan: timmar per form",
            "form",
            &form[..Samverkansform::ALL.len()],
            true,
        )),
    ]
}

/// What kind of report: every report has the county tables; the year report adds the two-way tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Omfang {
    Period,
    Ar,
}

impl Omfang {
    /// The year report has the two-way tables; half-years and quarters do not (SPEC § 3.3).
    pub fn av(p: Period) -> Omfang {
        match p {
            Period::Ar(_) => Omfang::Ar,
            _ => Omfang::Period,
        }
    }
}

/// Why a period's report cannot be issued (SPEC § 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hinder {
    /// Only periods that have ended are issued.
    InteSlut,
    /// The period ends before the agreement began.
    ForeAvtalet,
    /// The period is not a whole number of the agreement's reporting cycles.
    InteHelaCykler,
}

/// Whether the report of period `p` may be issued on `idag` under an agreement that began on
/// `borjan` and reports per `cykel` (SPEC § 3.3: "reports are issued for calendar periods that have
/// ended", longer periods are sums of the cycle reports); if so, the cycle periods it consists of.
pub fn utfardbar(
    p: Period,
    idag: Datum,
    borjan: Datum,
    cykel: Cykel,
) -> Result<Vec<Period>, Hinder> {
    if p.end() >= idag {
        return Err(Hinder::InteSlut);
    }
    if p.end() < borjan {
        return Err(Hinder::ForeAvtalet);
    }
    let y = match p {
        Period::Ar(y) | Period::Halvar(y, _) | Period::Kvartal(y, _) => y,
    };
    let alla: Vec<Period> = match cykel {
        Cykel::Kvartal => (1..=4).map(|q| Period::Kvartal(y, q)).collect(),
        Cykel::Halvar => (1..=2).map(|h| Period::Halvar(y, h)).collect(),
        Cykel::Ar => vec![Period::Ar(y)],
    };
    let inom: Vec<Period> = alla
        .into_iter()
        .filter(|c| p.start() <= c.start() && c.end() <= p.end())
        .collect();
    let tacker = inom.first().is_some_and(|f| f.start() == p.start())
        && inom.last().is_some_and(|l| l.end() == p.end());
    if tacker {
        Ok(inom)
    } else {
        Err(Hinder::InteHelaCykler)
    }
}

/// Compiles the tables of a report spanning the cycle periods `cykler` (SPEC § 3.3).
pub fn sammanstall(u: &Underlag, cykler: &[u8], omfang: Omfang) -> Vec<Tabell> {
    let mut med = [false; 256];
    for &c in cykler {
        med[c as usize] = true;
    }
    let r = rakna(u, &med);
    let p = r.p;
    let (np, nk, na, npo, nf) = (
        PersonTyp::ALL.len(),
        Kon::ALL.len(),
        Aldersgrupp::ALL.len(),
        Polisanmalan::ALL.len(),
        ForstaKontakt::ALL.len(),
    );
    let per_kommun = rad_marginal(&r.kon, p, nk);
    let mut t = Vec::new();
    let kommun = Tabell {
        id: "arenden_kommun".into(),
        titel: "Ärenden per hemkommun".into(),
        mangd: "ant".into(),
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "kommun".into(),
        koldim: None,
        rader: u
            .parter
            .iter()
            .map(|k| rubrik(k.to_string(), k.namn()))
            .chain([rubrik(ANNAN_OKAND, "Annan eller okänd hemkommun")])
            .collect(),
        kolumner: vec![rubrik("antal", "Antal")],
        celler: per_kommun.iter().map(|&v| vec![Tal::antal(v)]).collect(),
        radsummor: None,
        kolumnsummor: None,
        total: Some(Tal::antal(per_kommun.iter().sum())),
    };
    t.push(kommun);
    t.push(envag::<PersonTyp>(
        "malgrupp",
        "Ärenden per målgrupp",
        "malgrupp",
        &marginal(&r.person, p, np),
        true,
    ));
    t.push(envag::<Kon>(
        "kon",
        "Ärenden per kön",
        "kon",
        &marginal(&r.kon, p, nk),
        true,
    ));
    t.push(envag::<Aldersgrupp>(
        "alder",
        "Ärenden per åldersgrupp",
        "alder",
        &marginal(&r.alder, p, na),
        true,
    ));
    t.push(envag::<Brottstyp>(
        "brott",
        "Ärenden per brottstyp (flera per ärende)",
        "brott",
        &r.brott[..Brottstyp::ALL.len()],
        false,
    ));
    t.push(envag::<SarskildOmstandighet>(
        "omstandigheter",
        "Ärenden med särskilda omständigheter (flera per ärende)",
        "omstandighet",
        &r.omst[..SarskildOmstandighet::ALL.len()],
        false,
    ));
    t.push(envag::<Polisanmalan>(
        "polisanmalan",
        "Ärenden per polisanmälan",
        "polis",
        &marginal(&r.polis, p, npo),
        true,
    ));
    t.push(envag::<ForstaKontakt>(
        "forsta_kontakt",
        "Ärenden per första kontakt",
        "forsta",
        &marginal(&r.forsta, p, nf),
        true,
    ));
    let mut inf = envag::<PersonTyp>(
        "informerade_11_6",
        "Informerade enligt 11 kap. 6 § SoL",
        "informerad",
        &r.informerad,
        true,
    );
    inf.rader = vec![
        rubrik("ja", "Informerade"),
        rubrik("nej", "Inte informerade"),
    ];
    t.push(inf);
    let [a, b] = aktivitetstabeller(u, &med);
    t.push(a);
    t.push(b);
    t.push(hanvisningar(u, &med));
    let mut utanfor = envag::<PersonTyp>(
        "utanfor",
        "Ärenden utanför överenskommelsen eller inte fastställda, per skäl (flera per ärende)",
        "skal",
        &Orsak::ALL
            .iter()
            .enumerate()
            .map(|(i, _)| r.orsaker[i])
            .chain([r.ej_faststalld])
            .collect::<Vec<u64>>(),
        false,
    );
    utanfor.rader = Orsak::ALL
        .iter()
        .map(|o| rubrik(o.code(), o.label()))
        .chain([rubrik(
            "ej_faststalld",
            "Hemkommun inte angiven (inte fastställt)",
        )])
        .collect();
    t.push(utanfor);
    // Witness support, volunteer hours, late registrations.
    let mut personer = [0u64; 4];
    let mut tillfallen = 0u64;
    for v in u.vittnesstod.iter().filter(|v| med[v.cykel as usize]) {
        tillfallen += 1;
        for (i, n) in v.personer.iter().enumerate() {
            personer[i] += u64::from(*n);
        }
    }
    let mut vit = envag::<VittnesstodRoll>(
        "vittnesstod",
        "Vittnesstöd: stödda personer per roll",
        "roll",
        &personer,
        true,
    );
    vit.mangd = "vit".into();
    vit.kolumner = vec![rubrik("personer", "Personer")];
    t.push(vit);
    t.push(Tabell {
        id: "vittnesstod_tillfallen".into(),
        titel: "Vittnesstöd: tillfällen".into(),
        mangd: "tillf".into(),
        slag: Slag::Fritt,
        enhet: Enhet::Antal,
        raddim: "tillfallen".into(),
        koldim: None,
        rader: vec![rubrik("tillfallen", "Tillfällen")],
        kolumner: vec![rubrik("antal", "Antal")],
        celler: vec![vec![Tal::antal(tillfallen)]],
        radsummor: None,
        kolumnsummor: None,
        total: None,
    });
    let mut timmar = [0u64; 3];
    for h in u.timmar.iter().filter(|h| med[h.cykel as usize]) {
        if let Some(x) = timmar.get_mut(h.slag as usize) {
            *x += h.hundradelar;
        }
    }
    let mut tim = envag::<Volontartimmar>(
        "ideella_timmar",
        "Volontärtimmar per slag",
        "slag",
        &timmar,
        true,
    );
    tim.mangd = "tim".into();
    tim.kolumner = vec![rubrik("timmar", "Timmar")];
    tim.slag = Slag::Fritt;
    tim.enhet = Enhet::Timmar;
    t.push(tim);
    t.extend(samverkanstabeller(u, &med));
    t.push(Tabell {
        id: "sent_registrerade".into(),
        titel: "Varav sent registrerade ärenden".into(),
        mangd: "ant".into(),
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "sent".into(),
        koldim: None,
        rader: vec![rubrik("ja", "Sent registrerade")],
        kolumner: vec![rubrik("antal", "Antal")],
        celler: vec![vec![Tal::antal(r.sent)]],
        radsummor: None,
        kolumnsummor: None,
        total: None,
    });
    t.push(andel_informerade(&r.informerad));
    if omfang == Omfang::Ar {
        let g = radgrupper(u);
        t.push(tvavag::<PersonTyp>(
            "kommun_malgrupp",
            "Ärenden per hemkommun och målgrupp",
            "malgrupp",
            &g,
            &r.person,
        ));
        t.push(tvavag::<Kon>(
            "kommun_kon",
            "Ärenden per hemkommun och kön",
            "kon",
            &g,
            &r.kon,
        ));
        t.push(tvavag::<Aldersgrupp>(
            "kommun_alder",
            "Ärenden per hemkommun och åldersgrupp",
            "alder",
            &g,
            &r.alder,
        ));
        t.push(tvavag::<Polisanmalan>(
            "kommun_polisanmalan",
            "Ärenden per hemkommun och polisanmälan",
            "polis",
            &g,
            &r.polis,
        ));
        t.push(tvavag::<ForstaKontakt>(
            "kommun_forsta_kontakt",
            "Ärenden per hemkommun och första kontakt",
            "forsta",
            &g,
            &r.forsta,
        ));
        if !u.bidrag.is_empty() {
            t.push(bidragstabell(u, &per_kommun));
        }
    }
    if u.kon_annat_okant {
        for x in t
            .iter_mut()
            .filter(|x| x.id == "kon" || x.id == "kommun_kon")
        {
            sla_ihop(
                x,
                &["annat", "okant"],
                rubrik("annat_okant", "Annat eller okänt"),
            );
        }
    }
    // Only the items the agreement records (§ 22 2b: documentation as the agreement says).
    t.retain(|x| {
        POSTER
            .iter()
            .all(|(id, post)| !vilar_pa(&x.id, id) || u.registrerar(post))
    });
    t
}

/// Merges the categories `koder` of a freshly compiled table (its rows if they are the table's
/// rows, else its columns) into one category `ny`, placed where the first of them was.
fn sla_ihop(t: &mut Tabell, koder: &[&str], ny: Rubrik) {
    let slas = |r: &[Rubrik]| -> Vec<usize> {
        r.iter()
            .enumerate()
            .filter(|(_, x)| koder.contains(&x.code.as_str()))
            .map(|(i, _)| i)
            .collect()
    };
    let sum = |v: &[Tal], idx: &[usize]| Tal::antal(idx.iter().map(|&i| v[i].varde).sum());
    let behall = |n: usize, idx: &[usize]| -> Vec<Option<usize>> {
        // For each old index: Some(new position) for kept ones; the first merged one takes the
        // merged value.
        let mut ut = Vec::with_capacity(n);
        let mut pos = 0;
        for i in 0..n {
            if idx.contains(&i) && idx.first() != Some(&i) {
                ut.push(None);
            } else {
                ut.push(Some(pos));
                pos += 1;
            }
        }
        ut
    };
    let rader = slas(&t.rader);
    if t.koldim.is_none() || rader.len() == koder.len() {
        if rader.len() < 2 {
            return;
        }
        let plats = behall(t.rader.len(), &rader);
        let kol = t.kolumner.len();
        let merged: Vec<Tal> = (0..kol)
            .map(|j| {
                let v: Vec<Tal> = t.celler.iter().map(|r| r[j]).collect();
                sum(&v, &rader)
            })
            .collect();
        let mut celler = Vec::new();
        let mut rub = Vec::new();
        for (i, p) in plats.iter().enumerate() {
            if p.is_some() {
                if i == rader[0] {
                    celler.push(merged.clone());
                    rub.push(ny.clone());
                } else {
                    celler.push(t.celler[i].clone());
                    rub.push(t.rader[i].clone());
                }
            }
        }
        if let Some(rs) = &t.radsummor {
            let m = sum(rs, &rader);
            let mut v = Vec::new();
            for (i, p) in plats.iter().enumerate() {
                if p.is_some() {
                    v.push(if i == rader[0] { m } else { rs[i] });
                }
            }
            t.radsummor = Some(v);
        }
        t.celler = celler;
        t.rader = rub;
        return;
    }
    let kolumner = slas(&t.kolumner);
    if kolumner.len() < 2 {
        return;
    }
    let plats = behall(t.kolumner.len(), &kolumner);
    let mut rub = Vec::new();
    for (j, p) in plats.iter().enumerate() {
        if p.is_some() {
            rub.push(if j == kolumner[0] {
                ny.clone()
            } else {
                t.kolumner[j].clone()
            });
        }
    }
    let om = |v: &[Tal]| -> Vec<Tal> {
        let m = sum(v, &kolumner);
        plats
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_some())
            .map(|(j, _)| if j == kolumner[0] { m } else { v[j] })
            .collect()
    };
    t.celler = t.celler.iter().map(|r| om(r)).collect();
    t.kolumnsummor = t.kolumnsummor.as_ref().map(|k| om(k));
    t.kolumner = rub;
}

/// The cycle period after `p`.
pub fn nasta(p: Period) -> Period {
    match p {
        Period::Kvartal(y, 4) => Period::Kvartal(y + 1, 1),
        Period::Kvartal(y, q) => Period::Kvartal(y, q + 1),
        Period::Halvar(y, 2) => Period::Halvar(y + 1, 1),
        Period::Halvar(y, h) => Period::Halvar(y, h + 1),
        Period::Ar(y) => Period::Ar(y + 1),
    }
}

/// **Each case is reported exactly once** (SPEC § 3.3): the cycle period of `datum` (a case's
/// `opened_on`, an activity's date), unless that period's report was already issued when it was
/// registered — then the first later cycle period whose report had not been issued by then. Returns
/// the period and whether it is late. `utgivna` lists issued cycle periods with the day each was
/// first issued. Something dated before the agreement began (`borjan`) belongs to the agreement's
/// first period, since no report is issued for a period before it (and is counted there as outside
/// the agreement's term, not as late).
pub fn tilldela(
    datum: Datum,
    registrerad: Datum,
    cykel: Cykel,
    utgivna: &[(Period, Datum)],
    borjan: Datum,
) -> (Period, bool) {
    let egen = cykel.period_of(datum.max(borjan));
    let mut p = egen;
    while utgivna.iter().any(|(q, d)| *q == p && *d <= registrerad) {
        p = nasta(p);
    }
    (p, p != egen)
}

/// Whether table `tabell` rests on the item whose tables are named `id` (`kon`: `kon` and
/// `kommun_kon`, not `forsta_kontakt`).
fn vilar_pa(tabell: &str, id: &str) -> bool {
    let t = tabell.strip_prefix("kommun_").unwrap_or(tabell);
    let t = t.strip_prefix("andel_").unwrap_or(t);
    t == id || t.starts_with(&format!("{id}_"))
}

/// Which item each table rests on (by a part of its id).
const POSTER: [(&str, &str); 9] = [
    ("aktiviteter", "activities"),
    ("malgrupp", "person_type"),
    ("kon", "gender"),
    ("alder", "age_band"),
    ("brott", "crime_types"),
    ("omstandigheter", "circumstances"),
    ("polisanmalan", "police_report"),
    ("forsta_kontakt", "first_contact"),
    ("informerade", "informed_11_6"),
];

fn harledd(
    id: &str,
    titel: &str,
    rader: Vec<Rubrik>,
    kolumner: Vec<Rubrik>,
    celler: Vec<Vec<u64>>,
) -> Tabell {
    Tabell {
        id: id.into(),
        titel: titel.into(),
        mangd: HARLEDD.into(),
        slag: Slag::Fritt,
        enhet: Enhet::Hundradelar,
        raddim: "rad".into(),
        koldim: Some("kolumn".into()),
        rader,
        kolumner,
        celler: celler
            .into_iter()
            .map(|r| r.into_iter().map(Tal::antal).collect())
            .collect(),
        radsummor: None,
        kolumnsummor: None,
        total: None,
    }
}

/// a / b in hundredths, rounded half up; 0 when b is 0.
fn hundradelar(a: u64, b: u64) -> u64 {
    if b == 0 { 0 } else { (a * 200 + b) / (2 * b) }
}

fn andel_informerade(inf: &[u64; 2]) -> Tabell {
    let total = inf[0] + inf[1];
    harledd(
        "andel_informerade_11_6",
        "Andel informerade enligt 11 kap. 6 § SoL (procent)",
        vec![rubrik("informerade", "Informerade")],
        vec![rubrik("procent", "Procent")],
        vec![vec![hundradelar(inf[0] * 100, total)]],
    )
}

/// The year's grant beside each party's cases (SPEC § 3.3): kronor, share of cases, kr per
/// inhabitant, kr per case.
fn bidragstabell(u: &Underlag, per_kommun: &[u64]) -> Tabell {
    let total: u64 = per_kommun.iter().sum();
    let mut rader = Vec::new();
    let mut celler = Vec::new();
    for b in &u.bidrag {
        let i = u.hem_index(Some(b.kommun)) as usize;
        let arenden = per_kommun.get(i).copied().unwrap_or(0);
        rader.push(rubrik(b.kommun.to_string(), b.kommun.namn()));
        celler.push(vec![
            b.kronor * 100,
            hundradelar(arenden * 100, total),
            hundradelar(b.kronor, b.invanare),
            hundradelar(b.kronor, arenden),
        ]);
    }
    harledd(
        "bidrag_kommun",
        "Bidraget per kommun bredvid kommunens ärenden",
        rader,
        vec![
            rubrik("bidrag_kr", "Bidrag (kr)"),
            rubrik("andel_arenden", "Andel av ärendena (procent)"),
            rubrik("kr_per_invanare", "Kronor per invånare"),
            rubrik("kr_per_arende", "Kronor per ärende"),
        ],
        celler,
    )
}

/// Derived cells follow their inputs: protected wherever an input is (SPEC § 4: "null wherever an
/// input is protected"). Call after protection.
pub fn folj_skydd(t: &mut [Tabell]) {
    let skyddad = |t: &[Tabell], id: &str, rad: Option<&str>| -> bool {
        let Some(x) = t.iter().find(|x| x.id == id) else {
            return true;
        };
        match rad {
            Some(code) => x
                .rader
                .iter()
                .position(|r| r.code == code)
                .is_none_or(|i| x.celler[i].iter().any(|c| c.status == Status::Skyddad)),
            None => x.total.is_none_or(|c| c.status == Status::Skyddad),
        }
    };
    let inf = skyddad(t, "informerade_11_6", Some("ja")) || skyddad(t, "informerade_11_6", None);
    let total = skyddad(t, "arenden_kommun", None);
    let per_rad: Vec<bool> = t
        .iter()
        .find(|x| x.id == "bidrag_kommun")
        .map(|b| {
            b.rader
                .iter()
                .map(|r| skyddad(t, "arenden_kommun", Some(&r.code)))
                .collect()
        })
        .unwrap_or_default();
    for x in t.iter_mut() {
        match x.id.as_str() {
            "andel_informerade_11_6" if inf => {
                for c in x.celler.iter_mut().flatten() {
                    c.status = Status::Skyddad;
                }
            }
            "bidrag_kommun" => {
                for (rad, &k) in x.celler.iter_mut().zip(&per_rad) {
                    // Share of cases and kr per case rest on the case count; the grant and kr per
                    // inhabitant do not.
                    if k || total {
                        rad[1].status = Status::Skyddad;
                    }
                    if k {
                        rad[3].status = Status::Skyddad;
                    }
                }
            }
            _ => {}
        }
    }
}

/// The agreement version in force on `dag` (a period's last day): the newest created on or before
/// it, or the first if all are newer (SPEC § 3.3). `versioner`: (number, day created).
pub fn i_kraft(versioner: &[(i64, Datum)], dag: Datum) -> Option<i64> {
    versioner
        .iter()
        .filter(|(_, d)| *d <= dag)
        .max_by_key(|(n, _)| *n)
        .or_else(|| versioner.iter().min_by_key(|(n, _)| *n))
        .map(|(n, _)| *n)
}

/// A number as published: whole counts as integers, figures in hundredths as decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Publicerat {
    Heltal(u64),
    Decimal(f64),
}

/// One published cell of SPEC § 4: `value` is null when protected; why is never said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PubliceradCell {
    pub value: Option<Publicerat>,
    pub status: &'static str,
}

/// A table as SPEC § 4 publishes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PubliceradTabell {
    pub id: String,
    pub title: String,
    pub rows: Vec<Rubrik>,
    pub columns: Vec<Rubrik>,
    pub cells: Vec<Vec<PubliceradCell>>,
    pub row_totals: Option<Vec<PubliceradCell>>,
    pub column_totals: Option<Vec<PubliceradCell>>,
    pub total: Option<PubliceradCell>,
}

/// The published form of a table (SPEC § 4): protected values are null; the true values, the
/// contributing cases and the reasons stay in the organisation's record.
pub fn publicera(t: &Tabell) -> PubliceradTabell {
    let hundradelar = matches!(t.enhet, Enhet::Timmar | Enhet::Hundradelar);
    let cell = |x: &Tal| PubliceradCell {
        value: (x.status == Status::Publicerad).then(|| {
            if hundradelar {
                Publicerat::Decimal(x.varde as f64 / 100.0)
            } else {
                Publicerat::Heltal(x.varde)
            }
        }),
        status: match x.status {
            Status::Publicerad => "published",
            Status::Skyddad => "protected",
        },
    };
    PubliceradTabell {
        id: t.id.clone(),
        title: t.titel.clone(),
        rows: t.rader.clone(),
        columns: t.kolumner.clone(),
        cells: t
            .celler
            .iter()
            .map(|r| r.iter().map(cell).collect())
            .collect(),
        row_totals: t.radsummor.as_ref().map(|v| v.iter().map(cell).collect()),
        column_totals: t
            .kolumnsummor
            .as_ref()
            .map(|v| v.iter().map(cell).collect()),
        total: t.total.as_ref().map(cell),
    }
}

/// The values a report counted for one case, as text (kept with the report, so that longer periods
/// and later editions are compiled from exactly what was counted, and changes can be found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallpost {
    pub person: PersonTyp,
    /// A municipality code, `utlandet` or `okand`.
    pub hem: String,
    pub kon: Kon,
    pub alder: Aldersgrupp,
    pub brott: Vec<Brottstyp>,
    pub omstandigheter: Vec<SarskildOmstandighet>,
    pub polis: Polisanmalan,
    pub forsta: ForstaKontakt,
    pub informerad: bool,
    /// [`INOM`], [`UTANFOR`] or [`EJ_FASTSTALLD`].
    pub status: u8,
    pub orsaker: Vec<Orsak>,
    pub sent: bool,
}

fn koder<K: Kodlista>(v: &[K]) -> String {
    v.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

fn lista<K: Kodlista>(s: &str) -> Option<Vec<K>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| K::parse(x).ok())
        .collect()
}

fn bitar<K: Kodlista + PartialEq>(v: &[K]) -> u32 {
    v.iter()
        .filter_map(|k| K::ALL.iter().position(|x| x == k))
        .fold(0, |b, i| b | (1 << i))
}

/// A code's place in its list, as [`Fall`] stores it.
pub fn index<K: Kodlista + PartialEq>(k: K) -> u8 {
    K::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8
}

impl Fallpost {
    /// A case's items and eligibility as a report counts them.
    pub fn av(
        s: &boj_domain::arende::Statistik,
        status: boj_domain::bedomning::Status,
        orsaker: Vec<Orsak>,
        sent: bool,
    ) -> Fallpost {
        use boj_domain::bedomning::Status as B;
        Fallpost {
            person: s.person,
            hem: s.hem.code(),
            kon: s.kon,
            alder: s.alder,
            brott: s.brott.clone(),
            omstandigheter: s.omstandigheter.clone(),
            polis: s.polis,
            forsta: s.forsta_kontakt,
            informerad: s.informerad_11_6,
            status: match status {
                B::Inom => INOM,
                B::Utanfor => UTANFOR,
                B::EjFaststalld => EJ_FASTSTALLD,
            },
            orsaker,
            sent,
        }
    }

    /// `|`-separated fields, `,`-separated lists.
    pub fn text(&self) -> String {
        let orsaker: Vec<&str> = self.orsaker.iter().map(|o| o.code()).collect();
        [
            self.person.code().to_string(),
            self.hem.clone(),
            self.kon.code().into(),
            self.alder.code().into(),
            koder(&self.brott),
            koder(&self.omstandigheter),
            self.polis.code().into(),
            self.forsta.code().into(),
            u8::from(self.informerad).to_string(),
            self.status.to_string(),
            orsaker.join(","),
            u8::from(self.sent).to_string(),
        ]
        .join("|")
    }

    pub fn parse(s: &str) -> Option<Self> {
        let f: Vec<&str> = s.split('|').collect();
        let [p, h, k, a, b, o, po, fo, i, st, or, se] = f.as_slice() else {
            return None;
        };
        Some(Fallpost {
            person: PersonTyp::parse(p).ok()?,
            hem: (*h).to_string(),
            kon: Kon::parse(k).ok()?,
            alder: Aldersgrupp::parse(a).ok()?,
            brott: lista(b)?,
            omstandigheter: lista(o)?,
            polis: Polisanmalan::parse(po).ok()?,
            forsta: ForstaKontakt::parse(fo).ok()?,
            informerad: *i == "1",
            status: st.parse().ok()?,
            orsaker: or
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| Orsak::ALL.iter().copied().find(|o| o.code() == x))
                .collect::<Option<Vec<_>>>()?,
            sent: *se == "1",
        })
    }

    /// Whether the same values were counted (the late flag aside).
    pub fn samma(&self, other: &Fallpost) -> bool {
        Fallpost {
            sent: false,
            ..self.clone()
        } == Fallpost {
            sent: false,
            ..other.clone()
        }
    }

    /// The compact form for [`sammanstall`].
    pub fn koda(&self, u: &Underlag, cykel: u8) -> Fall {
        Fall {
            cykel,
            person: index(self.person),
            hem: u.hem_index(Kommunkod::parse(&self.hem).ok()),
            kon: index(self.kon),
            alder: index(self.alder),
            brott: bitar(&self.brott) as u16,
            omstandigheter: bitar(&self.omstandigheter) as u8,
            polis: index(self.polis),
            forsta: index(self.forsta),
            informerad: self.informerad,
            status: self.status,
            orsaker: self
                .orsaker
                .iter()
                .filter_map(|o| Orsak::ALL.iter().position(|x| x == o))
                .fold(0, |b, i| b | (1 << i)),
            sent: self.sent,
        }
    }
}
