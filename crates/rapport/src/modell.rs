//! **The report model** (SPEC § 3.3): which tables a follow-up report has, compiled from coded cases.
//!
//! Pure and fast: a case is a few bytes ([`Fall`]), and one pass over them fills every count of
//! every table of the period (the 1 000 000-case benchmark in BENCHMARKS.md). Which cycle period a
//! case and an activity belong to is decided before, by [`tilldela`]: each is reported exactly once.
//!
//! What the caller decides and passes in: the parties and the merged small parties of the agreement
//! version in force on the period's last day (SPEC § 3.3), and the cycle periods the report spans.

use crate::nat::{Slag, Status};
use boj_domain::behorighet::Skal as Orsak;
use boj_domain::kod::{
    Aktivitetstyp, Aldersgrupp, Brottstyp, ForstaKontakt, Kodlista, Kon, Kontaktsatt, PersonTyp,
    Polisanmalan, SarskildOmstandighet, VittnesstodRoll, Volontartimmar,
};
use boj_domain::{Cykel, Datum, Kommunkod, Period};
use serde::Serialize;

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

/// An activity: the case it belongs to (index into the cases), kind, mode, minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aktivitet {
    pub fall: u32,
    pub cykel: u8,
    pub slag: u8,
    pub satt: u8,
    pub minuter: u16,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Enhet {
    Antal,
    /// Column `minuter` of the activity tables is minutes; the rest counts.
    AntalOchMinuter,
    /// Hundredths of an hour.
    Timmar,
}

/// A row or column heading: a stable code, a Swedish label, and for a merged row its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rubrik {
    pub code: String,
    pub label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tal {
    pub varde: u64,
    pub bidrag: u64,
    pub status: Status,
}

impl Tal {
    fn antal(v: u64) -> Self {
        Tal {
            varde: v,
            bidrag: v,
            status: Status::Publicerad,
        }
    }
}

/// A table with its margins as cells (SPEC § 4's layout). `koldim` is `None` for a one-way table
/// (one column, `antal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tabell {
    pub id: String,
    pub titel: String,
    /// What is counted, for the cell keys of the web: `ant` cases, `akt` activities, `vit` people
    /// at witness support, `tillf` sessions, `tim` volunteer hours.
    pub mangd: &'static str,
    pub slag: Slag,
    pub enhet: Enhet,
    pub raddim: &'static str,
    pub koldim: Option<&'static str>,
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
        mangd: "ant",
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim,
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
        mangd: "ant",
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "kommun",
        koldim: Some(koldim),
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
        let inom = u
            .fall
            .get(a.fall as usize)
            .is_some_and(|f| f.status == INOM);
        if !med[a.cykel as usize] || !inom {
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
                    },
                    Tal {
                        varde: m,
                        bidrag: b,
                        status: Status::Publicerad,
                    },
                ]
            })
            .collect();
        Tabell {
            id: id.into(),
            titel: titel.into(),
            mangd: "akt",
            slag: Slag::Aktiviteter,
            enhet: Enhet::AntalOchMinuter,
            raddim,
            koldim: Some("matt"),
            rader,
            kolumner: vec![rubrik("antal", "Antal"), rubrik("minuter", "Minuter")],
            celler,
            radsummor: None,
            kolumnsummor: Some(vec![
                Tal {
                    varde: t.0,
                    bidrag: t.2,
                    status: Status::Publicerad,
                },
                Tal {
                    varde: t.1,
                    bidrag: t.2,
                    status: Status::Publicerad,
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

/// What kind of report: every report has the county tables; the year report adds the two-way tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Omfang {
    Period,
    Ar,
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
        mangd: "ant",
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "kommun",
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
    vit.mangd = "vit";
    t.push(vit);
    t.push(Tabell {
        id: "vittnesstod_tillfallen".into(),
        titel: "Vittnesstöd: tillfällen".into(),
        mangd: "tillf",
        slag: Slag::Fritt,
        enhet: Enhet::Antal,
        raddim: "tillfallen",
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
    tim.mangd = "tim";
    tim.slag = Slag::Fritt;
    tim.enhet = Enhet::Timmar;
    t.push(tim);
    t.push(Tabell {
        id: "sent_registrerade".into(),
        titel: "Varav sent registrerade ärenden".into(),
        mangd: "ant",
        slag: Slag::Arenden,
        enhet: Enhet::Antal,
        raddim: "sent",
        koldim: None,
        rader: vec![rubrik("ja", "Sent registrerade")],
        kolumner: vec![rubrik("antal", "Antal")],
        celler: vec![vec![Tal::antal(r.sent)]],
        radsummor: None,
        kolumnsummor: None,
        total: None,
    });
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
    }
    t
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
/// first issued.
pub fn tilldela(
    datum: Datum,
    registrerad: Datum,
    cykel: Cykel,
    utgivna: &[(Period, Datum)],
) -> (Period, bool) {
    let egen = cykel.period_of(datum);
    let mut p = egen;
    while utgivna.iter().any(|(q, d)| *q == p && *d <= registrerad) {
        p = nasta(p);
    }
    (p, p != egen)
}
