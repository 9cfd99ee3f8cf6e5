//! Follow-up reports (SPEC § 3.3, § 4): preview, issue, editions, the signed document, keys.
//!
//! The rules are in `boj-rapport` (tables, each item in one cycle period, protection, audit,
//! signing); this module gathers what a report counts from the store, runs them, and stores the
//! result in one transaction. Live numbers (preview, changes since issue) are for the agreement
//! organisation's coordinators only; issued reports are public documents for everyone who reads the
//! agreement.

use crate::AppState;
use crate::error::Failure;
use axum::http::StatusCode;
use boj_domain::behorighet::Status as Behorighet;
use boj_domain::kod::{Kodlista, Sammanslagning, Utgavaskal, Volontartimmar};
use boj_domain::{Action, Code, Cykel, Datum, Kommunkod, Period, Principal, authorize};
use boj_rapport::bygg::Dokument;
use boj_rapport::modell::{
    self, Aktivitet, Bidragsrad, Fallpost, Omfang, Tabell, Timmar, Underlag, Vittnesstod,
};
use boj_rapport::nat::nollor_skyddas;
use boj_rapport::signatur;
use boj_store::arenden::{self, Arende};
use boj_store::avtal::{self, Avtal};
use boj_store::clock::svensk_dag;
use boj_store::rapporter::{self, NyRapport, Rapport};
use std::collections::HashMap;

fn ogiltig(msg: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, Code::OgiltigPeriod, msg)
}

/// What one report counts, each item with its snapshot.
#[derive(Default)]
struct Poster {
    fall: Vec<(String, Fallpost)>,
    /// (id, case id, kind, mode, minutes, case within the agreement)
    aktiviteter: Vec<(String, String, u8, u8, u16, bool)>,
    vittnesstod: Vec<(String, [u32; 4])>,
    timmar: Vec<(String, u8, u64)>,
}

impl Poster {
    fn snapshots(&self) -> Vec<(&'static str, String, String)> {
        let mut v: Vec<(&'static str, String, String)> = Vec::new();
        for (id, f) in &self.fall {
            v.push(("fall", id.clone(), f.text()));
        }
        for (id, c, k, m, min, inom) in &self.aktiviteter {
            v.push((
                "aktivitet",
                id.clone(),
                format!("{c}|{k}|{m}|{min}|{}", u8::from(*inom)),
            ));
        }
        for (id, p) in &self.vittnesstod {
            v.push((
                "vittnesstod",
                id.clone(),
                format!("{},{},{},{}", p[0], p[1], p[2], p[3]),
            ));
        }
        for (id, k, h) in &self.timmar {
            v.push(("timmar", id.clone(), format!("{k}|{h}")));
        }
        v
    }

    fn from_snapshots(items: &[(String, String, String)]) -> Result<Poster, Failure> {
        let bad = || Failure::internal("en rapports poster kunde inte läsas");
        let mut p = Poster::default();
        for (kind, id, s) in items {
            match kind.as_str() {
                "fall" => p
                    .fall
                    .push((id.clone(), Fallpost::parse(s).ok_or_else(bad)?)),
                "aktivitet" => {
                    let f: Vec<&str> = s.split('|').collect();
                    let [c, k, m, min, inom] = f.as_slice() else {
                        return Err(bad());
                    };
                    p.aktiviteter.push((
                        id.clone(),
                        (*c).to_string(),
                        k.parse().map_err(|_| bad())?,
                        m.parse().map_err(|_| bad())?,
                        min.parse().map_err(|_| bad())?,
                        *inom == "1",
                    ));
                }
                "vittnesstod" => {
                    let n: Vec<u32> = s
                        .split(',')
                        .map(|x| x.parse().map_err(|_| bad()))
                        .collect::<Result<_, _>>()?;
                    let [a, b, c, d] = n.as_slice() else {
                        return Err(bad());
                    };
                    p.vittnesstod.push((id.clone(), [*a, *b, *c, *d]));
                }
                "timmar" => {
                    let (k, h) = s.split_once('|').ok_or_else(bad)?;
                    p.timmar.push((
                        id.clone(),
                        k.parse().map_err(|_| bad())?,
                        h.parse().map_err(|_| bad())?,
                    ));
                }
                _ => return Err(bad()),
            }
        }
        Ok(p)
    }
}

/// A case's values as a report counts them.
fn fallpost(c: &Arende, sent: bool) -> Result<Fallpost, Failure> {
    let s = crate::arenden::statistik_of(c)?;
    let orsaker = c.reasons.iter().map(|(s, _)| *s).collect();
    Ok(Fallpost::av(&s, c.eligibility, orsaker, sent))
}

/// A code's place in its list, from its text.
fn kod_index<K: Kodlista + PartialEq>(s: &str) -> Result<u8, Failure> {
    Ok(modell::index(K::parse(s)?))
}

/// The agreement version in force on the period's last day (SPEC § 3.3).
async fn version_i_kraft(state: &AppState, a: &Avtal, p: Period) -> Result<Avtal, Failure> {
    let mut versioner = Vec::new();
    for n in 1..=a.latest {
        let v = avtal::get_version(&state.store, &a.id, Some(n)).await?;
        versioner.push((n, Datum::from_civil(svensk_dag(v.version.created_at))));
    }
    let n = modell::i_kraft(&versioner, p.end()).unwrap_or(a.latest);
    Ok(avtal::get_version(&state.store, &a.id, Some(n)).await?)
}

/// A longer period sums its cycle reports cell by cell, so they must be compiled with the same
/// parties, merged small parties and fixed recodings as it is (a change within the year would leave
/// cells the attacker can link but the audit could not, or a line that does not hold): refused
/// otherwise, naming what to do.
async fn samma_indelning(
    state: &AppState,
    a: &Avtal,
    lang: &Avtal,
    period: Period,
    delar: &[Period],
) -> Result<(), Failure> {
    for d in delar {
        let v = version_i_kraft(state, a, *d).await?;
        if !v.version.settings.samma_indelning(
            &v.version.parter,
            &lang.version.settings,
            &lang.version.parter,
        ) {
            return Err(ogiltig(format!(
                "{d} redovisades med andra parter, sammanslagna kommuner eller sammanslagna kategorier än {period} ska redovisas med, så {period} kan inte vara summan av sina delar. Ändra sådant från ett nytt år."
            )));
        }
    }
    Ok(())
}

/// The frame of a report under an agreement version: parties, merged small parties, scheme, grant.
async fn underlag(state: &AppState, a: &Avtal, p: Period) -> Result<Underlag, Failure> {
    let mut parter = a.version.parter.clone();
    parter.sort();
    let sma = a
        .version
        .settings
        .sma_kommuner
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .collect();
    let mut u = Underlag {
        parter,
        sma,
        kon_annat_okant: a
            .version
            .settings
            .sammanslagningar
            .iter()
            .any(|s| s == Sammanslagning::KonAnnatOkant.code()),
        poster: Some(a.version.settings.dokumentationsposter.clone()),
        ..Underlag::default()
    };
    let grant = match p {
        Period::Ar(y) => match boj_store::bidrag::for_year(&state.store, &a.id, y).await {
            Ok(g) => Some(g),
            // No grant that year: the year report has no grant table.
            Err(boj_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        _ => None,
    };
    if let Some(g) = grant {
        for d in boj_store::bidrag::parts(&state.store, &g.id).await? {
            u.bidrag.push(Bidragsrad {
                kommun: d.kommun,
                kronor: d.belopp,
                invanare: d.folkmangd.unwrap_or(0),
            });
        }
    }
    Ok(u)
}

/// Fills `u` with the items of `poster`, all in cycle index `cykel`.
fn fyll(
    u: &mut Underlag,
    poster: &Poster,
    cykel: u8,
    fallnummer: &mut HashMap<String, u32>,
) -> Result<(), Failure> {
    for (_, f) in &poster.fall {
        let fall = f.koda(u, cykel);
        u.fall.push(fall);
    }
    for (_, c, k, m, min, inom) in &poster.aktiviteter {
        let n = fallnummer.len() as u32;
        let fall = *fallnummer.entry(c.clone()).or_insert(n);
        u.aktiviteter.push(Aktivitet {
            fall,
            inom: *inom,
            cykel,
            slag: *k,
            satt: *m,
            minuter: *min,
        });
    }
    for (_, p) in &poster.vittnesstod {
        u.vittnesstod.push(Vittnesstod {
            cykel,
            personer: *p,
        });
    }
    for (_, k, h) in &poster.timmar {
        u.timmar.push(Timmar {
            cykel,
            slag: *k,
            hundradelar: *h,
        });
    }
    Ok(())
}

/// Cycle periods with the day their first edition was issued.
fn utgivna_cykler(rapporter: &[Rapport]) -> Vec<(Period, Datum)> {
    rapporter
        .iter()
        .filter(|r| r.cycle && r.edition == 1)
        .filter_map(|r| {
            Some((
                Period::parse(&r.period).ok()?,
                Datum::from_civil(svensk_dag(r.issued_at)),
            ))
        })
        .collect()
}

fn registrerad(ts: i64) -> Datum {
    Datum::from_civil(svensk_dag(ts))
}

/// Gathers the agreement's items (cases, activities, witness-support sessions, volunteer hours) that
/// `med` takes: it is given the item's kind, id, date and the day it was registered, and answers
/// `Some(late)` to take it.
async fn samla(
    state: &AppState,
    a: &Avtal,
    med: impl Fn(&str, &str, Datum, Datum) -> Option<bool>,
) -> Result<Poster, Failure> {
    let store = &state.store;
    let mut poster = Poster::default();
    let mut inom: HashMap<String, bool> = HashMap::new();
    for c in arenden::of_agreement(store, &a.id).await? {
        inom.insert(c.id.clone(), c.eligibility == Behorighet::Inom);
        if let Some(sent) = med("fall", &c.id, c.opened_on, registrerad(c.registered_at)) {
            poster.fall.push((c.id.clone(), fallpost(&c, sent)?));
        }
    }
    for (id, case, date, kind, mode, minutes, reg) in rapporter::activities(store, &a.id).await? {
        if med("aktivitet", &id, Datum::parse(&date)?, registrerad(reg)).is_some() {
            poster.aktiviteter.push((
                id,
                case.clone(),
                kod_index::<boj_domain::kod::Aktivitetstyp>(&kind)?,
                kod_index::<boj_domain::kod::Kontaktsatt>(&mode)?,
                u16::try_from(minutes).unwrap_or(u16::MAX),
                inom.get(&case).copied().unwrap_or(false),
            ));
        }
    }
    for (id, date, n, reg) in rapporter::witness_sessions(store, &a.organisation_id).await? {
        if med("vittnesstod", &id, Datum::parse(&date)?, registrerad(reg)).is_some() {
            let c = |x: i64| u32::try_from(x).unwrap_or(0);
            poster
                .vittnesstod
                .push((id, [c(n[0]), c(n[1]), c(n[2]), c(n[3])]));
        }
    }
    for (id, month, kind, hundredths, reg) in
        rapporter::volunteer_hours(store, &a.organisation_id).await?
    {
        let dag = Datum::parse(&format!("{month}-01"))?;
        if med("timmar", &id, dag, registrerad(reg)).is_some() {
            poster.timmar.push((
                id,
                kod_index::<Volontartimmar>(&kind)?,
                u64::try_from(hundredths).unwrap_or(0),
            ));
        }
    }
    Ok(poster)
}

/// The items a cycle report for `p` counts: everything not yet reported whose period (by
/// `modell::tilldela`) is `p`.
async fn nya_poster(
    state: &AppState,
    a: &Avtal,
    p: Period,
    cykel: Cykel,
    rapporter: &[Rapport],
) -> Result<Poster, Failure> {
    let utgivna = utgivna_cykler(rapporter);
    let mut rapporterade = HashMap::new();
    for kind in ["fall", "aktivitet", "vittnesstod", "timmar"] {
        rapporterade.insert(kind, rapporter::reported(&state.store, &a.id, kind).await?);
    }
    samla(state, a, |kind, id, datum, reg| {
        if rapporterade.get(kind).is_some_and(|r| r.contains(id)) {
            return None;
        }
        let (period, sent) = modell::tilldela(datum, reg, cykel, &utgivna, a.version.tid.fran);
        (period == p).then_some(sent)
    })
    .await
}

/// The newest edition of each period.
fn senaste(rapporter: &[Rapport]) -> HashMap<String, &Rapport> {
    let mut m: HashMap<String, &Rapport> = HashMap::new();
    for r in rapporter {
        let e = m.entry(r.period.clone()).or_insert(r);
        if r.edition > e.edition {
            *e = r;
        }
    }
    m
}

/// The ids of every issued edition of `period`.
fn tidigare_utgavor(rapporter: &[Rapport], period: &str) -> Vec<String> {
    rapporter
        .iter()
        .filter(|r| r.period == period)
        .map(|r| r.id.clone())
        .collect()
}

/// A report ready to be stored.
struct Klar {
    /// The agreement version the report is compiled under (in force on its last day).
    avtal: Avtal,
    id: String,
    period: Period,
    edition: i64,
    cycle: bool,
    parts: Vec<String>,
    tabeller: Vec<Tabell>,
    poster: Poster,
    /// The threshold it is protected under (set by `Historik::skydda`; published).
    troskel: u64,
}

/// Issued documents as the protection sees them: every edition of every report, and the new ones
/// already prepared in this transaction.
struct Historik {
    /// (report id, "period/edition", tables, may protect zeros, threshold)
    dok: Vec<(String, String, Vec<Tabell>, bool, u64)>,
    summor: Vec<(String, Vec<String>)>, // (report id, parts' ids)
    utgavor: Vec<(String, String)>,     // (edition id, an earlier edition's id)
}

impl Historik {
    async fn las(state: &AppState, a: &Avtal, rapporter: &[Rapport]) -> Result<Historik, Failure> {
        let mut trosklar: HashMap<String, u64> = HashMap::new();
        let mut h = Historik {
            dok: Vec::new(),
            summor: Vec::new(),
            utgavor: Vec::new(),
        };
        for r in rapporter {
            let record = rapporter::record(&state.store, &r.id).await?;
            let t: Vec<Tabell> = serde_json::from_str(&record)
                .map_err(|_| Failure::internal("en rapports register kunde inte läsas"))?;
            // The threshold it was protected under: that of the version in force on its last day,
            // for a longer period no more than its cycle reports' (`Historik::skydda`).
            let mut troskel = match trosklar.get(&r.period) {
                Some(t) => *t,
                None => {
                    let v = version_i_kraft(state, a, Period::parse(&r.period)?).await?;
                    let t = u64::from(v.version.settings.troskel);
                    trosklar.insert(r.period.clone(), t);
                    t
                }
            };
            for d in &r.parts {
                if let Some((.., t)) = h.dok.iter().find(|x| &x.0 == d) {
                    troskel = troskel.min(*t);
                }
            }
            h.dok.push((
                r.id.clone(),
                format!("{}/{}", r.period, r.edition),
                t,
                nollor_skyddas(r.cycle, r.edition),
                troskel,
            ));
            if !r.cycle {
                h.summor.push((r.id.clone(), r.parts.clone()));
            }
            // Every earlier edition: the attacker subtracts any two (SPEC § 5).
            for prev in rapporter
                .iter()
                .filter(|x| x.period == r.period && x.edition < r.edition)
            {
                h.utgavor.push((r.id.clone(), prev.id.clone()));
            }
        }
        Ok(h)
    }

    /// Protects `k` against everything before it, audits, and adds it to the history. `forra`: the
    /// earlier editions of its period.
    fn skydda(&mut self, k: &mut Klar, troskel: u64, forra: &[String]) -> Result<(), Failure> {
        // A longer period sums its cycle reports, whose published cells it repeats: it is
        // protected under the smallest of their thresholds (a threshold raised within the year
        // would otherwise make the sums of published quarters breaches no protection can mend).
        let troskel = k
            .parts
            .iter()
            .filter_map(|d| self.dok.iter().find(|x| &x.0 == d).map(|x| x.4))
            .fold(troskel, u64::min);
        k.troskel = troskel;
        let index: HashMap<&str, usize> = self
            .dok
            .iter()
            .enumerate()
            .map(|(i, (id, ..))| (id.as_str(), i))
            .collect();
        let ny = self.dok.len();
        let mut summor: Vec<(usize, Vec<usize>)> = self
            .summor
            .iter()
            .filter_map(|(s, delar)| {
                Some((
                    *index.get(s.as_str())?,
                    delar
                        .iter()
                        .map(|d| index.get(d.as_str()).copied())
                        .collect::<Option<_>>()?,
                ))
            })
            .collect();
        if !k.cycle {
            let delar: Option<Vec<usize>> = k
                .parts
                .iter()
                .map(|d| index.get(d.as_str()).copied())
                .collect();
            summor.push((
                ny,
                delar.ok_or_else(|| Failure::internal("en delrapport saknas"))?,
            ));
        }
        let mut utgavor: Vec<(usize, usize)> = self
            .utgavor
            .iter()
            .filter_map(|(a, b)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?)))
            .collect();
        for f in forra.iter().filter_map(|f| index.get(f.as_str())) {
            utgavor.push((ny, *f));
        }
        let dok: Vec<Dokument> = self
            .dok
            .iter()
            .map(|(_, namn, t, nollor, troskel)| Dokument {
                id: namn.clone(),
                tabeller: t,
                fast: true,
                nollor: *nollor,
                troskel: *troskel,
            })
            .collect();
        let namn = format!("{}/{}", k.period, k.edition);
        let nollor = nollor_skyddas(k.cycle, k.edition);
        boj_rapport::skydda_dokument(&dok, &namn, &mut k.tabeller, nollor, &summor, &utgavor, troskel).map_err(|g| {
            Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::GranskningenUnderkande,
                format!(
                    "Röjandegranskningen underkände rapporten: {} värden kunde inte skyddas mot det som redan är utgivet. Inget har utfärdats.",
                    g.brott().count() + g.fel.len()
                ),
            )
        })?;
        drop(dok);
        if !k.cycle {
            self.summor.push((k.id.clone(), k.parts.clone()));
        }
        for f in forra {
            self.utgavor.push((k.id.clone(), f.clone()));
        }
        self.dok
            .push((k.id.clone(), namn, k.tabeller.clone(), nollor, troskel));
        Ok(())
    }
}

/// The published report (SPEC § 4) as a JSON value, before signing.
fn dokument(a: &Avtal, k: &Klar, issued_at: i64, reason: Option<&str>) -> serde_json::Value {
    let issued = jiff::Timestamp::from_second(issued_at)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let regel = &a.version.settings.malgruppsregel;
    serde_json::json!({
        "id": k.id,
        "agreement": {"id": a.id, "title": a.version.title, "version": a.version.number},
        "organisation": a.organisation_name,
        "parties": a.version.parter.iter().map(|p| serde_json::json!({"code": p.to_string(), "name": p.namn()})).collect::<Vec<_>>(),
        "period": k.period.to_string(),
        "edition": k.edition,
        "issued_at": issued,
        "reason": reason,
        "rule": {"target_groups": regel.malgrupper, "residence_required_for": regel.bosattning_kravs_for},
        "threshold": k.troskel,
        "small_municipalities_merged": a.version.settings.sma_kommuner,
        "footnote": "..: värdet visas inte, för att ingen enskild person ska kunna urskiljas (röjandekontroll).",
        "tables": k.tabeller.iter().map(modell::publicera).collect::<Vec<_>>(),
    })
}

/// Why an edition is issued: the published code and the coordinator's note for the record.
struct Utgava<'a> {
    reason: &'static str,
    note: Option<&'a str>,
}

/// Signs and stores the prepared reports, with the eligibility judged again for an edition, in one
/// transaction. It holds the agreement's report lock and checks that no report was issued since the
/// history was read (`sedan` reports), so two issues at once — two instances on PostgreSQL — cannot
/// both build on the same history: the later one is refused and can simply be tried again.
async fn spara(
    state: &AppState,
    p: &Principal,
    klara: &[Klar],
    utgava: Option<&Utgava<'_>>,
    omprovade: &[(String, boj_domain::behorighet::Bedomning)],
    sedan: usize,
) -> Result<(), Failure> {
    let Some(forsta) = klara.first() else {
        return Ok(());
    };
    let agreement_id = forsta.avtal.id.clone();
    let (key_id, key) =
        rapporter::signing_key(&state.store, &state.keys, &forsta.avtal.organisation_id).await?;
    let issued_at = state.store.now();
    let mut tx = state.store.begin().await?;
    let nu = rapporter::lock(&state.store, &mut tx, &agreement_id).await?;
    if usize::try_from(nu).ok() != Some(sedan) {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            Code::Konflikt,
            "En annan rapport utfärdades samtidigt för överenskommelsen. Försök igen.",
        ));
    }
    for (id, b) in omprovade {
        arenden::set_eligibility_in(&mut tx, Some(&p.user_id), issued_at, id, b).await?;
    }
    for k in klara {
        let json = dokument(&k.avtal, k, issued_at, utgava.map(|u| u.reason));
        let (doc, sig) =
            signatur::signera(json, &key, &key_id).map_err(|e| Failure::internal(e.to_string()))?;
        let doc = String::from_utf8(doc).map_err(|e| Failure::internal(e.to_string()))?;
        let record =
            serde_json::to_string(&k.tabeller).map_err(|e| Failure::internal(e.to_string()))?;
        let items = k.poster.snapshots();
        rapporter::insert(
            &mut tx,
            Some(&p.user_id),
            &k.id,
            &NyRapport {
                agreement_id: &agreement_id,
                period: &k.period.to_string(),
                edition: k.edition,
                cycle: k.cycle,
                parts: &k.parts,
                issued_at,
                reason: utgava.map(|u| u.reason),
                reason_note: utgava.and_then(|u| u.note),
                document: &doc,
                digest: &sig.sha256,
                key_id: &key_id,
                record: &record,
                items: &items,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Loads an agreement and checks that `p` may issue its reports.
pub async fn load_for_issue(state: &AppState, p: &Principal, id: &str) -> Result<Avtal, Failure> {
    let a = avtal::get(&state.store, id).await?;
    authorize(p, Action::UtfardaRapport(Some(a.omfang())))?;
    Ok(a)
}

/// Issues the report of a period (SPEC § 3.3); returns its id. A period issued before is a 409 with
/// the existing report's id.
pub async fn utfarda(
    state: &AppState,
    p: &Principal,
    agreement_id: &str,
    period: &str,
) -> Result<String, Failure> {
    let a = load_for_issue(state, p, agreement_id).await?;
    let period = Period::parse(period)?;
    let idag = Datum::from_civil(state.store.clock().today());
    let a = version_i_kraft(state, &a, period).await?;
    let cykel = a.version.settings.rapportcykel;
    let delar = modell::utfardbar(period, idag, a.version.tid.fran, cykel).map_err(|h| {
        ogiltig(match h {
            modell::Hinder::InteSlut => format!(
                "Perioden {period} är inte slut ({} är sista dagen). Bara avslutade perioder kan utfärdas; en förhandsgranskning går att göra när som helst.",
                period.end()
            ),
            modell::Hinder::ForeAvtalet => format!(
                "Perioden {period} ligger före överenskommelsen, som gäller från {}.",
                a.version.tid.fran
            ),
            modell::Hinder::InteHelaCykler => format!(
                "Överenskommelsen redovisas per {}: {period} är inte en hel sådan period eller flera.",
                cykel.label().to_lowercase()
            ),
        })
    })?;
    let rapporter = rapporter::of_agreement(&state.store, &a.id).await?;
    if let Some(r) = senaste(&rapporter).get(&period.to_string()) {
        return Err(Failure {
            conflict_id: Some(r.id.clone()),
            ..Failure::new(
                StatusCode::CONFLICT,
                Code::Konflikt,
                format!("Rapporten för {period} är redan utfärdad. En rättelse blir en ny utgåva."),
            )
        });
    }
    let mut u = underlag(state, &a, period).await?;
    let mut fallnummer = HashMap::new();
    let (poster, cycle, parts, cykler) = if delar.len() == 1 && delar[0] == period {
        let poster = nya_poster(state, &a, period, cykel, &rapporter).await?;
        fyll(&mut u, &poster, 0, &mut fallnummer)?;
        (poster, true, Vec::new(), vec![0u8])
    } else {
        samma_indelning(state, &a, &a, period, &delar).await?;
        let senaste = senaste(&rapporter);
        let mut parts = Vec::new();
        for (i, d) in delar.iter().enumerate() {
            let r = senaste.get(&d.to_string()).ok_or_else(|| {
                ogiltig(format!("Rapporten för {d} är inte utfärdad ännu; {period} kan utfärdas när alla dess delar är det."))
            })?;
            let items = rapporter::items(&state.store, &r.id).await?;
            fyll(
                &mut u,
                &Poster::from_snapshots(&items)?,
                i as u8,
                &mut fallnummer,
            )?;
            parts.push(r.id.clone());
        }
        (
            Poster::default(),
            false,
            parts,
            (0..delar.len() as u8).collect(),
        )
    };
    let mut k = Klar {
        avtal: a.clone(),
        id: boj_store::new_id("r"),
        period,
        edition: 1,
        cycle,
        parts,
        tabeller: modell::sammanstall(&u, &cykler, Omfang::av(period)),
        poster,
        troskel: 0,
    };
    let mut h = Historik::las(state, &a, &rapporter).await?;
    h.skydda(&mut k, u64::from(a.version.settings.troskel), &[])?;
    spara(
        state,
        p,
        std::slice::from_ref(&k),
        None,
        &[],
        rapporter.len(),
    )
    .await?;
    Ok(k.id)
}

/// A new edition of a cycle report after corrections; re-issues every issued longer period that
/// contains it. Returns the new edition's id.
pub async fn ny_utgava(
    state: &AppState,
    p: &Principal,
    report_id: &str,
    reason: &str,
    note: Option<&str>,
) -> Result<String, Failure> {
    let r = rapporter::get(&state.store, report_id).await?;
    let a = load_for_issue(state, p, &r.agreement_id).await?;
    // The reason is published as a code; free text stays in the organisation's record (SPEC § 5).
    let reason = Utgavaskal::parse(reason)?;
    if let Some(n) = note {
        if n.chars().count() > 500 {
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::OgiltigForfragan,
                "Anteckningen om utgåvan får vara högst 500 tecken.",
            ));
        }
        boj_domain::personnummer::Fritext::parse(n, 500)?;
    }
    let utgava = Utgava {
        reason: reason.code(),
        note,
    };
    if !r.cycle {
        return Err(ogiltig(
            "Ge ut en ny utgåva av den kvartals- eller cykelrapport som rättas; halvår och år som innehåller den följer med.",
        ));
    }
    let rapporter = rapporter::of_agreement(&state.store, &a.id).await?;
    let senaste = senaste(&rapporter);
    let gammal = *senaste.get(&r.period).ok_or_else(Failure::not_found)?;
    let period = Period::parse(&gammal.period)?;
    let a = version_i_kraft(state, &a, period).await?;
    let troskel = u64::from(a.version.settings.troskel);
    // The same items as the last edition, with their values now.
    let forra = Poster::from_snapshots(&rapporter::items(&state.store, &gammal.id).await?)?;
    let mut nu = Poster::default();
    let mut nuvarande: HashMap<String, Arende> = arenden::of_agreement(&state.store, &a.id)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    // Eligibility judged again for the corrected edition; written with the edition, in its
    // transaction, so a refused edition changes nothing.
    let mut omprovade = Vec::new();
    for (id, f) in &forra.fall {
        match nuvarande.get_mut(id) {
            Some(c) => {
                if !c.frozen {
                    let it = crate::arenden::statistik_of(c)?;
                    let b = crate::arenden::bedom(state, &a, &it, c.opened_on).await?;
                    let samma = b.status == c.eligibility
                        && b.skal
                            .iter()
                            .map(|m| m.skal)
                            .eq(c.reasons.iter().map(|(k, _)| *k));
                    c.eligibility = b.status;
                    c.reasons = b.skal.iter().map(|m| (m.skal, m.text.clone())).collect();
                    if !samma {
                        omprovade.push((c.id.clone(), b));
                    }
                }
                nu.fall.push((id.clone(), fallpost(c, f.sent)?));
            }
            None => nu.fall.push((id.clone(), f.clone())),
        }
    }
    let akt: HashMap<String, (String, String, String, i64)> =
        rapporter::activities(&state.store, &a.id)
            .await?
            .into_iter()
            .map(|(id, c, _, k, m, min, _)| (id, (c, k, m, min)))
            .collect();
    for (id, c, k, m, min, inom) in &forra.aktiviteter {
        let inom_nu = nuvarande
            .get(c)
            .map(|x| x.eligibility == Behorighet::Inom)
            .unwrap_or(*inom);
        match akt.get(id) {
            Some((_, kind, mode, minutes)) => nu.aktiviteter.push((
                id.clone(),
                c.clone(),
                kod_index::<boj_domain::kod::Aktivitetstyp>(kind)?,
                kod_index::<boj_domain::kod::Kontaktsatt>(mode)?,
                u16::try_from(*minutes).unwrap_or(u16::MAX),
                inom_nu,
            )),
            None => nu
                .aktiviteter
                .push((id.clone(), c.clone(), *k, *m, *min, inom_nu)),
        }
    }
    nu.vittnesstod = forra.vittnesstod.clone();
    nu.timmar = forra.timmar.clone();
    let mut h = Historik::las(state, &a, &rapporter).await?;
    let mut u = underlag(state, &a, period).await?;
    fyll(&mut u, &nu, 0, &mut HashMap::new())?;
    let mut cyk = Klar {
        avtal: a.clone(),
        id: boj_store::new_id("r"),
        period,
        edition: gammal.edition + 1,
        cycle: true,
        parts: Vec::new(),
        tabeller: modell::sammanstall(&u, &[0], Omfang::av(period)),
        poster: nu,
        troskel: 0,
    };
    h.skydda(
        &mut cyk,
        troskel,
        &tidigare_utgavor(&rapporter, &gammal.period),
    )?;
    let mut klara = vec![];
    let ny_id = cyk.id.clone();
    // Longer periods that contain it, newest editions, re-issued with the new part.
    let mut langre: Vec<&Rapport> = senaste
        .values()
        .copied()
        .filter(|x| !x.cycle && x.parts.contains(&gammal.id))
        .collect();
    langre.sort_by_key(|x| {
        (
            Period::parse(&x.period).map(|p| p.end()).ok(),
            x.period.clone(),
        )
    });
    klara.push(cyk);
    let mut ersatt: HashMap<String, String> = HashMap::from([(gammal.id.clone(), ny_id.clone())]);
    for l in langre {
        let lp = Period::parse(&l.period)?;
        let la = version_i_kraft(state, &a, lp).await?;
        let delperioder: Vec<Period> = l
            .parts
            .iter()
            .filter_map(|d| rapporter.iter().find(|r| &r.id == d))
            .filter_map(|r| Period::parse(&r.period).ok())
            .collect();
        samma_indelning(state, &a, &la, lp, &delperioder).await?;
        let mut u = underlag(state, &la, lp).await?;
        let mut fallnummer = HashMap::new();
        let mut parts = Vec::new();
        for (i, d) in l.parts.iter().enumerate() {
            let del = ersatt.get(d).cloned().unwrap_or_else(|| d.clone());
            let poster = match klara.iter().find(|k| k.id == del) {
                Some(k) => Poster::from_snapshots(
                    &k.poster
                        .snapshots()
                        .into_iter()
                        .map(|(a, b, c)| (a.to_string(), b, c))
                        .collect::<Vec<_>>(),
                )?,
                None => Poster::from_snapshots(&rapporter::items(&state.store, &del).await?)?,
            };
            fyll(&mut u, &poster, i as u8, &mut fallnummer)?;
            parts.push(del);
        }
        let cykler: Vec<u8> = (0..parts.len() as u8).collect();
        let mut k = Klar {
            avtal: la.clone(),
            id: boj_store::new_id("r"),
            period: lp,
            edition: l.edition + 1,
            cycle: false,
            parts,
            tabeller: modell::sammanstall(&u, &cykler, Omfang::av(lp)),
            poster: Poster::default(),
            troskel: 0,
        };
        h.skydda(
            &mut k,
            u64::from(la.version.settings.troskel),
            &tidigare_utgavor(&rapporter, &l.period),
        )?;
        ersatt.insert(l.id.clone(), k.id.clone());
        klara.push(k);
    }
    spara(state, p, &klara, Some(&utgava), &omprovade, rapporter.len()).await?;
    Ok(ny_id)
}

/// How many cases of each cycle report's newest edition have changed since it was issued
/// (coordinators only: a public counter would be a live count).
pub async fn andrade(state: &AppState, a: &Avtal) -> Result<HashMap<String, usize>, Failure> {
    let rapporter = rapporter::of_agreement(&state.store, &a.id).await?;
    let nu: HashMap<String, Arende> = arenden::of_agreement(&state.store, &a.id)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut ut = HashMap::new();
    for r in senaste(&rapporter).values().filter(|r| r.cycle) {
        let mut n = 0;
        for (kind, id, s) in rapporter::items(&state.store, &r.id).await? {
            if kind != "fall" {
                continue;
            }
            let (Some(c), Some(f)) = (nu.get(&id), Fallpost::parse(&s)) else {
                continue;
            };
            if !fallpost(c, f.sent)?.samma(&f) {
                n += 1;
            }
        }
        ut.insert(r.id.clone(), n);
    }
    Ok(ut)
}

/// Live tables for any date range (inclusive), for the coordinator: true values, with the cells a
/// report would protect marked (protected against nothing issued, so only indicative).
pub async fn forhandsgranska(
    state: &AppState,
    p: &Principal,
    agreement_id: &str,
    fran: Datum,
    till: Datum,
) -> Result<Vec<Tabell>, Failure> {
    let a = load_for_issue(state, p, agreement_id).await?;
    if till < fran {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDatum,
            "Slutdatumet ligger före startdatumet.",
        ));
    }
    let hela_ar = fran.civil().day_of_year() == 1
        && till.civil().month() == 12
        && till.civil().day() == 31
        && fran.year() == till.year();
    let period = if hela_ar {
        Period::Ar(fran.year())
    } else {
        Period::Kvartal(till.year(), 1)
    };
    let mut u = underlag(state, &a, period).await?;
    let poster = samla(state, &a, |_, _, d, _| {
        (fran <= d && d <= till).then_some(false)
    })
    .await?;
    fyll(&mut u, &poster, 0, &mut HashMap::new())?;
    let mut t = modell::sammanstall(&u, &[0], if hela_ar { Omfang::Ar } else { Omfang::Period });
    // Indicative protection: against nothing issued. Its failure only means nothing is marked.
    let _ = boj_rapport::skydda_dokument(
        &[],
        "forhandsgranskning",
        &mut t,
        false,
        &[],
        &[],
        u64::from(a.version.settings.troskel),
    );
    Ok(t)
}
