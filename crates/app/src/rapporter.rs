//! Follow-up reports (SPEC § 3.3, § 4): preview, issue, editions, the signed document, keys.
//!
//! The rules are in `boj-rapport` (tables, each item in one cycle period, protection, audit,
//! signing); this module gathers what a report counts from the store, runs them, and stores the
//! result in one transaction. Live numbers (preview, changes since issue) are for the agreement
//! organisation's coordinators only; issued reports are public documents for everyone who reads the
//! agreement.

use crate::register::Lager;
use crate::{App, AppError, Kind};
use boj_domain::datum::svensk_dag;
use boj_domain::kod::{Kodlista, Sammanslagning, Utgavaskal};
use boj_domain::{Action, Code, Cykel, Datum, Kommunkod, Period, Principal};
use boj_rapport::historik::{Hinder, Historik, Rapportutkast, Utgivet};
use boj_rapport::modell::{self, Aktivitet, Bidragsrad, Fallpost, Omfang, Tabell, Underlag};
use boj_rapport::rakning::{Aktpost, Fallkod, Hemindex, Rakning};
use boj_rapport::signatur::{self, Kontrollpunkt};
use boj_store::arenden::{self, Arende};
use boj_store::avtal::{self, Avtal};
use boj_store::rapporter::{self, NyRapport};
pub use boj_store::rapporter::{Nyckel as PublikNyckel, Rapport};
use std::collections::HashMap;

/// Fills `u` with what `r` counted, as cycle period `cykel` of the report.
fn fyll(u: &mut Underlag, r: &Rakning, cykel: u8) -> Result<(), AppError> {
    r.fyll(u, cykel)
        .ok_or_else(|| AppError::internal("ett ärendenummer ryms inte i rapportens numrering"))
}

fn ogiltig(msg: impl Into<String>) -> AppError {
    AppError::new(Kind::Invalid, Code::OgiltigPeriod, msg)
}

/// Fills `u` with what the cycle reports `parts` counted, part `i` as cycle period `i`, sized once
/// and read one stored part at a time (a year at a million cases holds its coded cases, not its
/// parts' records as well).
/// A part prepared in the same transaction (a new edition, `klara`) is read from memory.
async fn fyll_delar(
    app: &App,
    u: &mut Underlag,
    parts: &[String],
    klara: &[Klar],
) -> Result<(), AppError> {
    let i_minnet = |id: &String| {
        klara
            .iter()
            .find(|k| &k.id == id)
            .and_then(|k| k.rakning.as_ref())
    };
    let lagrade: Vec<String> = parts
        .iter()
        .filter(|d| i_minnet(d).is_none())
        .cloned()
        .collect();
    let antal = rapporter::rakning_antal(&app.store, &lagrade).await?;
    let (nya_fall, nya_akt) = parts.iter().filter_map(i_minnet).fold((0, 0), |(f, a), r| {
        (f + r.fall.len(), a + r.aktiviteter.len())
    });
    u.fall.reserve_exact(antal.fall + nya_fall);
    u.aktiviteter.reserve_exact(antal.aktiviteter + nya_akt);
    for (i, id) in parts.iter().enumerate() {
        match i_minnet(id) {
            Some(r) => fyll(u, r, i as u8)?,
            None => rapporter::rakning_delar(&app.store, id, |r| fyll(u, &r, i as u8)).await?,
        }
    }
    Ok(())
}

/// A case's values as a report counts them.
fn fallpost(c: &Arende, sent: bool) -> Result<Fallpost, AppError> {
    let s = &c.statistik;
    let orsaker = c.reasons.iter().map(|(s, _)| *s).collect();
    Ok(Fallpost::av(s, c.eligibility, orsaker, sent))
}

/// A case's values as a report counts them, as one code.
fn fallkod(c: &Arende, sent: bool) -> Result<Fallkod, AppError> {
    Ok(Fallkod::av(&fallpost(c, sent)?))
}

/// The agreement version in force on the period's last day (SPEC § 3.3).
async fn version_i_kraft(app: &App, a: &Avtal, p: Period) -> Result<Avtal, AppError> {
    let mut versioner = Vec::new();
    for n in 1..=a.latest {
        let v = avtal::get_version(&app.store, &a.id, Some(n)).await?;
        versioner.push((n, Datum::from_civil(svensk_dag(v.version.created_at))));
    }
    let n = modell::i_kraft(&versioner, p.end()).unwrap_or(a.latest);
    Ok(avtal::get_version(&app.store, &a.id, Some(n)).await?)
}

/// A longer period sums its cycle reports cell by cell, so they must be compiled with the same
/// parties, merged small parties and fixed recodings as it is (a change within the year would leave
/// cells the attacker can link but the audit could not, or a line that does not hold): refused
/// otherwise, naming what to do.
async fn samma_indelning(
    app: &App,
    a: &Avtal,
    lang: &Avtal,
    period: Period,
    delar: &[Period],
) -> Result<(), AppError> {
    for d in delar {
        let v = version_i_kraft(app, a, *d).await?;
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
async fn underlag(app: &App, a: &Avtal, p: Period) -> Result<Underlag, AppError> {
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
        Period::Ar(y) => match boj_store::bidrag::for_year(&app.store, &a.id, y).await {
            Ok(g) => Some(g),
            // No grant that year: the year report has no grant table.
            Err(boj_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        _ => None,
    };
    if let Some(g) = grant {
        for d in boj_store::bidrag::parts(&app.store, &g.id).await? {
            u.bidrag.push(Bidragsrad {
                kommun: d.kommun,
                kronor: d.belopp,
                invanare: d.folkmangd.unwrap_or(0),
            });
        }
    }
    Ok(u)
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

/// Adds the agreement's witness-support sessions, volunteer hours and collaboration work that `med`
/// takes to `r`: it is given the item's id, date and the day it was registered, and answers
/// `Some(late)` to take it. Each session and entry belongs to one agreement of its organisation, so
/// none is counted in two (issue 18). (They are few: read from the store each time.)
async fn ovriga(
    app: &App,
    a: &Avtal,
    r: &mut Rakning,
    med: impl Fn(&str, Datum, Datum) -> Option<bool>,
) -> Result<(), AppError> {
    let store = &app.store;
    for v in rapporter::witness_sessions(store, &a.id).await? {
        if med(&v.id, v.datum, registrerad(v.registrerad)).is_some() {
            r.vittnesstod.push((v.id, v.antal));
        }
    }
    for t in rapporter::volunteer_hours(store, &a.id).await? {
        if med(&t.id, t.manad, registrerad(t.registrerad)).is_some() {
            r.timmar.push((t.id, modell::index(t.typ), t.hundradelar));
        }
    }
    for s in rapporter::collaboration(store, &a.id).await? {
        if med(&s.id, s.manad, registrerad(s.registrerad)).is_some() {
            r.samverkan.push((
                s.id,
                modell::index(s.slag),
                modell::index(s.form),
                s.hundradelar,
            ));
        }
    }
    Ok(())
}

/// The items a cycle report for `p` counts: everything no report has counted whose period (by
/// `modell::tilldela`) is `p`, from the register.
async fn nya_poster(
    app: &App,
    lager: &Lager,
    a: &Avtal,
    p: Period,
    cykel: Cykel,
    rapporter: &[Rapport],
) -> Result<Rakning, AppError> {
    let utgivna = utgivna_cykler(rapporter);
    let fran = a.version.tid.fran;
    let slut = p.end();
    // An item's period is never before its own, so nothing dated after `p` can be in it.
    let i = |datum: Datum, reg: Datum| -> Option<bool> {
        if datum.max(fran) > slut {
            return None;
        }
        let (q, sent) = modell::tilldela(datum, reg, cykel, &utgivna, fran);
        (q == p).then_some(sent)
    };
    let fall = || {
        lager
            .fall
            .iter()
            .filter(|f| !f.raknat())
            .filter_map(|f| Some((f, i(f.oppnat, f.registrerat)?)))
    };
    let akt = || {
        lager
            .akt
            .iter()
            .filter(|x| !x.raknad() && i(x.datum, x.registrerat).is_some())
    };
    // Sized once by counting first: growing by doubling would hold the old and the new copy.
    let mut r = Rakning {
        fall: Vec::with_capacity(fall().count()),
        aktiviteter: Vec::with_capacity(akt().count()),
        ..Rakning::default()
    };
    for (f, sent) in fall() {
        r.fall.push((f.seq, f.kod().med_sent(sent)));
    }
    for x in akt() {
        let fall = &lager.fall[x.fall as usize];
        r.aktiviteter.push(Aktpost {
            seq: x.seq,
            fall: fall.seq,
            slag: x.slag,
            satt: x.satt(),
            minuter: x.minuter(),
            inom: fall.inom(),
            partner: x.partner(),
        });
    }
    ovriga(app, a, &mut r, |id, d, reg| {
        if lager.raknade_ovrigt.contains(id) {
            return None;
        }
        i(d, reg)
    })
    .await?;
    Ok(r)
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

/// A report ready to be stored: the agreement version it is compiled under (in force on its last
/// day) and the report as `boj_rapport::historik` prepared it.
struct Klar {
    avtal: Avtal,
    r: Rapportutkast,
}

impl std::ops::Deref for Klar {
    type Target = Rapportutkast;
    fn deref(&self) -> &Rapportutkast {
        &self.r
    }
}

/// Everything issued under the agreement, as the protection weighs a new report against it
/// (`boj_rapport::historik`): each report's stored tables and the threshold it was protected
/// under — that of the version in force on its last day.
async fn historik(app: &App, a: &Avtal, rapporter: &[Rapport]) -> Result<Historik, AppError> {
    let mut trosklar: HashMap<String, u64> = HashMap::new();
    let mut h = Historik::default();
    for r in rapporter {
        let record = rapporter::record(&app.store, &r.id).await?;
        let tabeller: Vec<Tabell> = serde_json::from_str(&record)
            .map_err(|_| AppError::internal("en rapports register kunde inte läsas"))?;
        let troskel = match trosklar.get(&r.period) {
            Some(t) => *t,
            None => {
                let v = version_i_kraft(app, a, Period::parse(&r.period)?).await?;
                let t = u64::from(v.version.settings.troskel);
                trosklar.insert(r.period.clone(), t);
                t
            }
        };
        h.utgivet(Utgivet {
            id: r.id.clone(),
            period: r.period.clone(),
            edition: r.edition,
            cycle: r.cycle,
            parts: r.parts.clone(),
            tabeller,
            troskel,
            forra: rapporter
                .iter()
                .filter(|x| x.period == r.period && x.edition < r.edition)
                .map(|x| x.id.clone())
                .collect(),
        });
    }
    Ok(h)
}

/// Protects a prepared report against the history (`Historik::skydda`), as a use case's failure.
fn skydda(h: &mut Historik, k: &mut Klar, troskel: u64, forra: &[String]) -> Result<(), AppError> {
    h.skydda(&mut k.r, troskel, forra).map_err(|e| match e {
        Hinder::DelSaknas => AppError::internal("en delrapport saknas"),
        Hinder::Underkand(n) => AppError::new(
            Kind::Invalid,
            Code::GranskningenUnderkande,
            format!(
                "Röjandegranskningen underkände rapporten: {n} värden kunde inte skyddas mot det som redan är utgivet. Inget har utfärdats."
            ),
        ),
    })
}

/// The published report (SPEC § 4) as a JSON value, before signing. `logg`: the audit log's head
/// as it was signed when the report was issued (SPEC § 6), so that anyone holding the report can
/// later show that the log still reaches it (`boj audit verify --against`).
fn dokument(
    a: &Avtal,
    k: &Klar,
    issued_at: i64,
    reason: Option<&str>,
    logg: &Kontrollpunkt,
) -> serde_json::Value {
    let issued = jiff::Timestamp::from_second(issued_at)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let regel = &a.version.settings.malgruppsregel;
    let mut d = serde_json::json!({
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
        "audit_head": {"seq": logg.seq, "sha256": logg.hash},
    });
    // The year report lists the agreement's collaboration partners (issue 18): organisations,
    // public, never anyone helped.
    if matches!(k.period, Period::Ar(_)) {
        d["partners"] = a
            .version
            .settings
            .samverkanspartner
            .iter()
            .map(|p| serde_json::json!({"name": p.namn, "kind": p.slag, "orgnr": p.orgnr}))
            .collect();
    }
    d
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
    app: &App,
    p: &Principal,
    klara: &[Klar],
    utgava: Option<&Utgava<'_>>,
    omprovade: &[(String, boj_domain::bedomning::Bedomning)],
    sedan: usize,
    lager: Option<&mut Lager>,
) -> Result<(), AppError> {
    let Some(forsta) = klara.first() else {
        return Ok(());
    };
    let agreement_id = forsta.avtal.id.clone();
    let rapporter::Signeringsnyckel {
        id: key_id,
        privat: key,
    } = rapporter::signing_key(&app.store, &app.keys, &forsta.avtal.organisation_id).await?;
    let issued_at = app.store.now();
    let mut tx = app.store.begin().await?;
    let nu = rapporter::lock(&app.store, &mut tx, &agreement_id).await?;
    if usize::try_from(nu).ok() != Some(sedan) {
        return Err(AppError::new(
            Kind::Conflict,
            Code::Konflikt,
            "En annan rapport utfärdades samtidigt för överenskommelsen. Försök igen.",
        ));
    }
    // The log's head, signed by the instance, goes into every report of this issue.
    let logg =
        boj_store::audit::kontrollpunkt_in(&mut tx, issued_at, &*app.keys.granskningsnyckel()?)
            .await?;
    for (id, b) in omprovade {
        arenden::set_eligibility_in(&mut tx, Some(&p.user_id), issued_at, id, b).await?;
    }
    for k in klara {
        let json = dokument(&k.avtal, k, issued_at, utgava.map(|u| u.reason), &logg);
        let (doc, sig) = signatur::signera(json, &key, &key_id)
            .map_err(|e| AppError::internal(e.to_string()))?;
        let doc = String::from_utf8(doc).map_err(|e| AppError::internal(e.to_string()))?;
        let record =
            serde_json::to_string(&k.tabeller).map_err(|e| AppError::internal(e.to_string()))?;
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
                items: k.rakning.as_ref(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if let Some(lager) = lager {
        for r in klara.iter().filter_map(|k| k.rakning.as_ref()) {
            lager.markera(r);
        }
    }
    Ok(())
}

/// Loads an agreement and checks that `p` may issue its reports.
pub async fn load_for_issue(app: &App, p: &Principal, id: &str) -> Result<Avtal, AppError> {
    let a = avtal::get(&app.store, id).await?;
    app.tillat(p, Action::UtfardaRapport(Some(a.omfang())), &a.id)
        .await?;
    Ok(a)
}

/// Issues the report of a period (SPEC § 3.3); returns its id. A period issued before is a 409 with
/// the existing report's id.
pub async fn utfarda(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    period: &str,
) -> Result<String, AppError> {
    let a = load_for_issue(app, p, agreement_id).await?;
    let period = Period::parse(period)?;
    let idag = Datum::from_civil(app.store.clock().today());
    let a = version_i_kraft(app, &a, period).await?;
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
    let rapporter = rapporter::of_agreement(&app.store, &a.id).await?;
    if let Some(r) = senaste(&rapporter).get(&period.to_string()) {
        return Err(AppError {
            conflict_id: Some(r.id.clone()),
            ..AppError::new(
                Kind::Conflict,
                Code::Konflikt,
                format!("Rapporten för {period} är redan utfärdad. En rättelse blir en ny utgåva."),
            )
        });
    }
    let mut u = underlag(app, &a, period).await?;
    // A cycle report counts from the register (held until it is stored, so two issues in this
    // instance take turns); a longer period sums its parts' records and needs no register.
    let mut lager = None;
    let (rakning, cycle, parts, cykler) = if delar.len() == 1 && delar[0] == period {
        let l = lager.insert(app.register.lager(&app.store, &a.id).await?);
        let r = nya_poster(app, l, &a, period, cykel, &rapporter).await?;
        fyll(&mut u, &r, 0)?;
        (Some(r), true, Vec::new(), vec![0u8])
    } else {
        samma_indelning(app, &a, &a, period, &delar).await?;
        let senaste = senaste(&rapporter);
        let mut parts = Vec::new();
        for d in &delar {
            let r = senaste.get(&d.to_string()).ok_or_else(|| {
                ogiltig(format!("Rapporten för {d} är inte utfärdad ännu; {period} kan utfärdas när alla dess delar är det."))
            })?;
            parts.push(r.id.clone());
        }
        fyll_delar(app, &mut u, &parts, &[]).await?;
        (None, false, parts, (0..delar.len() as u8).collect())
    };
    // By case, in place: `sammanstall` would otherwise sort a copy to count contributing cases.
    u.aktiviteter.sort_unstable_by_key(|x| x.fall);
    let mut k = Klar {
        avtal: a.clone(),
        r: Rapportutkast {
            id: boj_store::new_id("r"),
            period,
            edition: 1,
            cycle,
            parts,
            tabeller: modell::sammanstall(&u, &cykler, Omfang::av(period)),
            rakning,
            troskel: 0,
        },
    };
    drop(u);
    let mut h = historik(app, &a, &rapporter).await?;
    skydda(&mut h, &mut k, u64::from(a.version.settings.troskel), &[])?;
    spara(
        app,
        p,
        std::slice::from_ref(&k),
        None,
        &[],
        rapporter.len(),
        lager.as_deref_mut(),
    )
    .await?;
    Ok(k.r.id)
}

/// A new edition of a cycle report after corrections; re-issues every issued longer period that
/// contains it. Returns the new edition's id.
pub async fn ny_utgava(
    app: &App,
    p: &Principal,
    report_id: &str,
    reason: &str,
    note: Option<&str>,
) -> Result<String, AppError> {
    let r = rapporter::get(&app.store, report_id).await?;
    let a = load_for_issue(app, p, &r.agreement_id).await?;
    // The reason is published as a code; free text stays in the organisation's record (SPEC § 5).
    let reason = Utgavaskal::parse(reason)?;
    if let Some(n) = note {
        if n.chars().count() > 500 {
            return Err(AppError::new(
                Kind::Invalid,
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
    let rapporter = rapporter::of_agreement(&app.store, &a.id).await?;
    let senaste = senaste(&rapporter);
    let gammal = *senaste.get(&r.period).ok_or_else(AppError::not_found)?;
    let period = Period::parse(&gammal.period)?;
    let a = version_i_kraft(app, &a, period).await?;
    let troskel = u64::from(a.version.settings.troskel);
    let mut lager = app.register.lager(&app.store, &a.id).await?;
    // The same items as the last edition, with their values now: its cases read a slice at a
    // time, eligibility judged again for the corrected edition and written with the edition, in
    // its transaction, so a refused edition changes nothing.
    let forra = rapporter::rakning(&app.store, &gammal.id).await?;
    let mut nu = Rakning {
        fall: Vec::with_capacity(forra.fall.len()),
        aktiviteter: Vec::with_capacity(forra.aktiviteter.len()),
        ..Rakning::default()
    };
    let mut omprovade = Vec::new();
    // The status board once for every case of the edition.
    let parter = avtal::board(&app.store, &a).await?;
    let bedomning = crate::arenden::grund(&a, &parter);
    for bit in forra.fall.chunks(2_000) {
        let seqs: Vec<i64> = bit.iter().map(|(s, _)| *s).collect();
        let mut nuvarande: HashMap<i64, Arende> = arenden::med_nummer(&app.store, &a.id, &seqs)
            .await?
            .into_iter()
            .map(|c| (c.seq, c))
            .collect();
        for (seq, f) in bit {
            match nuvarande.get_mut(seq) {
                Some(c) => {
                    if !c.frozen {
                        let it = &c.statistik;
                        let b = boj_domain::bedomning::bedom(
                            &bedomning,
                            it.person,
                            it.hem,
                            c.opened_on,
                        );
                        let samma = crate::arenden::samma_bedomning(c, &b);
                        c.eligibility = b.status;
                        c.reasons = b.skal.iter().map(|m| (m.skal, m.text.clone())).collect();
                        if !samma {
                            omprovade.push((c.id.clone(), b));
                        }
                    }
                    nu.fall.push((*seq, fallkod(c, f.sent())?));
                }
                None => nu.fall.push((*seq, *f)),
            }
        }
    }
    nu.fall.sort_unstable_by_key(|(s, _)| *s);
    // An activity never changes once logged (retention only moves it to the first of its month);
    // whether its case is within the agreement may have: as this edition judges it, or as the
    // case is stored (the register) for a case an earlier report counted.
    for x in &forra.aktiviteter {
        let inom = match nu.fall.binary_search_by_key(&x.fall, |(s, _)| *s) {
            Ok(i) => nu.fall[i].1.status() == modell::INOM,
            Err(_) => lager.fall_med_nummer(x.fall).map_or(x.inom, |f| f.inom()),
        };
        nu.aktiviteter.push(Aktpost { inom, ..*x });
    }
    nu.vittnesstod = forra.vittnesstod.clone();
    nu.timmar = forra.timmar.clone();
    nu.samverkan = forra.samverkan.clone();
    let mut h = historik(app, &a, &rapporter).await?;
    let mut u = underlag(app, &a, period).await?;
    fyll(&mut u, &nu, 0)?;
    u.aktiviteter.sort_unstable_by_key(|x| x.fall);
    let mut cyk = Klar {
        avtal: a.clone(),
        r: Rapportutkast {
            id: boj_store::new_id("r"),
            period,
            edition: gammal.edition + 1,
            cycle: true,
            parts: Vec::new(),
            tabeller: modell::sammanstall(&u, &[0], Omfang::av(period)),
            rakning: Some(nu),
            troskel: 0,
        },
    };
    skydda(
        &mut h,
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
        let la = version_i_kraft(app, &a, lp).await?;
        let delperioder: Vec<Period> = l
            .parts
            .iter()
            .filter_map(|d| rapporter.iter().find(|r| &r.id == d))
            .filter_map(|r| Period::parse(&r.period).ok())
            .collect();
        samma_indelning(app, &a, &la, lp, &delperioder).await?;
        let mut u = underlag(app, &la, lp).await?;
        let delar: Vec<String> = l
            .parts
            .iter()
            .map(|d| ersatt.get(d).cloned().unwrap_or_else(|| d.clone()))
            .collect();
        fyll_delar(app, &mut u, &delar, &klara).await?;
        let parts = delar;
        u.aktiviteter.sort_unstable_by_key(|x| x.fall);
        let cykler: Vec<u8> = (0..parts.len() as u8).collect();
        let mut k = Klar {
            avtal: la.clone(),
            r: Rapportutkast {
                id: boj_store::new_id("r"),
                period: lp,
                edition: l.edition + 1,
                cycle: false,
                parts,
                tabeller: modell::sammanstall(&u, &cykler, Omfang::av(lp)),
                rakning: None,
                troskel: 0,
            },
        };
        skydda(
            &mut h,
            &mut k,
            u64::from(la.version.settings.troskel),
            &tidigare_utgavor(&rapporter, &l.period),
        )?;
        ersatt.insert(l.id.clone(), k.id.clone());
        klara.push(k);
    }
    spara(
        app,
        p,
        &klara,
        Some(&utgava),
        &omprovade,
        rapporter.len(),
        Some(&mut lager),
    )
    .await?;
    Ok(ny_id)
}

/// How many cases of each cycle report's newest edition have changed since it was issued
/// (coordinators only: a public counter would be a live count).
pub async fn andrade(
    app: &App,
    p: &Principal,
    a: &Avtal,
) -> Result<HashMap<String, usize>, AppError> {
    app.tillat(p, Action::UtfardaRapport(Some(a.omfang())), &a.id)
        .await?;
    let rapporter = rapporter::of_agreement(&app.store, &a.id).await?;
    let lager = app.register.lager(&app.store, &a.id).await?;
    let mut ut = HashMap::new();
    for r in senaste(&rapporter).values().filter(|r| r.cycle) {
        let mut n = 0;
        rapporter::rakning_delar(&app.store, &r.id, |del| {
            n += del
                .fall
                .iter()
                .filter(|(seq, k)| {
                    lager
                        .fall_med_nummer(*seq)
                        .is_some_and(|f| !f.kod().samma(*k))
                })
                .count();
            Ok::<_, AppError>(())
        })
        .await?;
        ut.insert(r.id.clone(), n);
    }
    Ok(ut)
}

/// Live tables for any date range (inclusive), for the coordinator: true values, with the cells a
/// report would protect marked (protected against nothing issued, so only indicative).
pub async fn forhandsgranska(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    fran: Datum,
    till: Datum,
) -> Result<Vec<Tabell>, AppError> {
    let a = load_for_issue(app, p, agreement_id).await?;
    if till < fran {
        return Err(AppError::new(
            Kind::Invalid,
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
    let mut u = underlag(app, &a, period).await?;
    {
        let lager = app.register.lager(&app.store, &a.id).await?;
        let hem = Hemindex::av(&u);
        let inne = |d: Datum| fran <= d && d <= till;
        // At most everything: untouched capacity costs no memory, growing by doubling does.
        u.fall.reserve(lager.fall.len());
        u.aktiviteter.reserve(lager.akt.len());
        u.fall.extend(
            lager
                .fall
                .iter()
                .filter(|f| inne(f.oppnat))
                .map(|f| f.kod().fall(&hem, 0)),
        );
        // Numbered by the case's place in the register, so contributing cases are counted once.
        u.aktiviteter.extend(
            lager
                .akt
                .iter()
                .filter(|x| inne(x.datum))
                .map(|x| Aktivitet {
                    fall: x.fall,
                    inom: lager.fall[x.fall as usize].inom(),
                    cykel: 0,
                    slag: x.slag,
                    satt: x.satt(),
                    minuter: x.minuter(),
                    partner: x.partner(),
                }),
        );
    }
    let mut r = Rakning::default();
    ovriga(app, &a, &mut r, |_, d, _| {
        (fran <= d && d <= till).then_some(false)
    })
    .await?;
    fyll(&mut u, &r, 0)?;
    // By case, in place: `sammanstall` would otherwise sort a copy to count contributing cases.
    u.aktiviteter.sort_unstable_by_key(|x| x.fall);
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

/// A report and its agreement, for a principal who may read its reports (public documents for
/// everyone who reads the agreement, SPEC § 3.3).
pub async fn las(app: &App, p: &Principal, id: &str) -> Result<(Rapport, Avtal), AppError> {
    let r = rapporter::get(&app.store, id).await?;
    let a = avtal::get(&app.store, &r.agreement_id).await?;
    app.tillat(p, Action::LasRapport(Some(a.omfang())), &a.id)
        .await?;
    Ok((r, a))
}

/// An agreement and every issued edition of its reports, for a principal who may read them.
pub async fn av_avtal(
    app: &App,
    p: &Principal,
    agreement_id: &str,
) -> Result<(Avtal, Vec<Rapport>), AppError> {
    let a = avtal::post(&app.store, agreement_id).await?.avtal.clone();
    app.tillat(p, Action::LasRapport(Some(a.omfang())), &a.id)
        .await?;
    let v = rapporter::of_agreement(&app.store, &a.id).await?;
    Ok((a, v))
}

/// The signed document of a report exactly as issued, after its download (in `format`) is
/// written to the audit log.
pub async fn hamta(
    app: &App,
    p: &Principal,
    id: &str,
    format: &str,
) -> Result<(Rapport, Avtal, String), AppError> {
    let (r, a) = las(app, p, id).await?;
    let doc = rapporter::document(&app.store, &r.id).await?;
    rapporter::log_download(&app.store, Some(&p.user_id), &r.id, format).await?;
    Ok((r, a, doc))
}

/// The public keys that sign reports (public: anyone may verify a report).
pub async fn signeringsnycklar(app: &App) -> Result<Vec<PublikNyckel>, AppError> {
    Ok(rapporter::public_keys(&app.store).await?)
}

/// An issued edition as a list shows it.
pub struct Utgiven {
    pub rapport: Rapport,
    /// The day the period's report was due (SPEC § 3.1: the agreement's reporting deadline).
    pub frist: Option<Datum>,
    /// Whether the period's first edition was issued by its deadline.
    pub i_tid: bool,
}

/// The issued reports of an agreement `p` may read: newest period first, newest edition first,
/// each with its deadline and whether the period's first edition met it.
pub async fn lista(
    app: &App,
    p: &Principal,
    agreement_id: &str,
) -> Result<(Avtal, Vec<Utgiven>), AppError> {
    let (a, mut v) = av_avtal(app, p, agreement_id).await?;
    v.sort_by(|x, y| {
        let px = Period::parse(&x.period).map(|p| p.end()).ok();
        let py = Period::parse(&y.period).map(|p| p.end()).ok();
        py.cmp(&px)
            .then(y.period.len().cmp(&x.period.len()))
            .then(y.edition.cmp(&x.edition))
    });
    let forst: HashMap<String, i64> = v
        .iter()
        .filter(|r| r.edition == 1)
        .map(|r| (r.period.clone(), r.issued_at))
        .collect();
    let ut = v
        .into_iter()
        .map(|r| {
            let frist = Period::parse(&r.period)
                .ok()
                .and_then(|p| p.frist(a.version.settings.rapportfrist_dagar));
            let utgiven = forst.get(&r.period).map(|t| registrerad(*t));
            Utgiven {
                i_tid: matches!((utgiven, frist), (Some(u), Some(f)) if u <= f),
                frist,
                rapport: r,
            }
        })
        .collect();
    Ok((a, ut))
}

/// One issued period's cases per home municipality and in all, as its newest edition published
/// them (SPEC § 3.3). `None` where the report protects the value.
pub struct Trendpunkt {
    pub period: String,
    pub rapport_id: String,
    /// (row code, row label, value) of the report's "Ärenden per hemkommun": a municipality, a
    /// merged row of small parties (its members in [`Trendpunkt::medlemmar`]), or the other rows.
    pub rader: Vec<(String, String, Option<u64>)>,
    /// The members of merged rows: (row code, member codes).
    pub medlemmar: Vec<(String, Vec<String>)>,
    pub total: Option<u64>,
    /// The whole agreement's other main figures as published (`None`: protected, or not in that
    /// report): persons given witness support, and volunteer hours.
    pub vittnen: Option<u64>,
    pub timmar: Option<f64>,
}

impl Trendpunkt {
    /// The value of municipality `k`'s row (its own, or the merged row it belongs to), with the
    /// row's label.
    pub fn kommun(&self, k: &str) -> Option<(&str, Option<u64>)> {
        let rad = self
            .medlemmar
            .iter()
            .find(|(_, m)| m.iter().any(|x| x == k))
            .map_or(k, |(r, _)| r.as_str());
        self.rader
            .iter()
            .find(|(c, _, _)| c == rad)
            .map(|(_, l, v)| (l.as_str(), *v))
    }
}

/// The agreement's trend: for every cycle period with an issued report, the cases per home
/// municipality and in all, persons given witness support and volunteer hours, **as published** (the newest edition of each period; never live counts,
/// so a protected value stays protected here), oldest period first.
pub async fn trend(
    app: &App,
    p: &Principal,
    agreement_id: &str,
) -> Result<Vec<Trendpunkt>, AppError> {
    let (_, v) = av_avtal(app, p, agreement_id).await?;
    let mut nyaste: HashMap<String, Rapport> = HashMap::new();
    for r in v.into_iter().filter(|r| r.cycle) {
        match nyaste.get(&r.period) {
            Some(x) if x.edition >= r.edition => {}
            _ => {
                nyaste.insert(r.period.clone(), r);
            }
        }
    }
    let mut ut = Vec::with_capacity(nyaste.len());
    for r in nyaste.into_values() {
        let doc: serde_json::Value =
            serde_json::from_str(&rapporter::document(&app.store, &r.id).await?)
                .map_err(|_| AppError::internal("rapporten kunde inte läsas"))?;
        let Some(t) = doc["report"]["tables"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["id"] == "arenden_kommun"))
        else {
            continue;
        };
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        // A table's published total (a protected total has no value).
        let summa = |id: &str| {
            doc["report"]["tables"]
                .as_array()
                .and_then(|t| t.iter().find(|t| t["id"] == id))
                .map(|t| t["total"]["value"].clone())
                .unwrap_or_default()
        };
        let rows = t["rows"].as_array().cloned().unwrap_or_default();
        let cells = t["cells"].as_array().cloned().unwrap_or_default();
        ut.push(Trendpunkt {
            period: r.period.clone(),
            rapport_id: r.id.clone(),
            rader: rows
                .iter()
                .zip(&cells)
                .map(|(row, c)| {
                    (
                        text(&row["code"]),
                        text(&row["label"]),
                        c[0]["value"].as_u64(),
                    )
                })
                .collect(),
            medlemmar: rows
                .iter()
                .filter_map(|row| {
                    let m: Vec<String> = row["members"].as_array()?.iter().map(text).collect();
                    Some((text(&row["code"]), m))
                })
                .collect(),
            total: t["total"]["value"].as_u64(),
            vittnen: summa("vittnesstod").as_u64(),
            timmar: summa("ideella_timmar").as_f64(),
        });
    }
    ut.sort_by_key(|x| Period::parse(&x.period).map(|p| p.end()).ok());
    Ok(ut)
}
