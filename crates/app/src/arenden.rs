//! Cases: the volunteers' intake and support log (SPEC § 3.2).
//!
//! Intake asks no needs question (11 kap. 5 § SoL): it records the agreement's statistics items and
//! answers at once whether the case is within the agreement, with its reasons (§ 22 2a). Every use
//! case here authorises with the case's organisation and assignee (`Action::ArbetaMedArende`);
//! `kommun`, `forbund` and `admin` never reach a case.

use crate::{App, AppError, Kind};
use boj_domain::arende::{self, Kontakt, Poster, Statistik};
use boj_domain::bedomning::{self, Bedomning, Bedomningsgrund};
use boj_domain::kod::{Aktivitetstyp, Hemkommun, Kodlista, Kontaktsatt, PersonTyp, Volontartimmar};
use boj_domain::personnummer::Fritext;
use boj_domain::{Action, Arendeomfang, Code, Datum, Principal, Role, Scope, authorize};
use boj_store::StoreError;
use boj_store::arenden::{self, NyttArende};
use boj_store::avtal::{self, Avtal};
use boj_store::users;

pub use boj_domain::arende::Aktivitet;
pub use boj_store::arenden::{Arende, Ordning, Urval};

/// What judging a case under agreement version `a` reads: its term, its target-group rule and the
/// parties' status board `parter` (read once for any number of cases).
pub fn grund<'a>(a: &'a Avtal, parter: &'a [boj_domain::avtal::Statusrad]) -> Bedomningsgrund<'a> {
    Bedomningsgrund {
        tid: &a.version.tid,
        regel: &a.version.settings.malgruppsregel,
        parter,
    }
}

/// Eligibility of a case under an agreement, as of the case's opening day.
async fn bedom(
    app: &App,
    a: &Avtal,
    it: &Statistik,
    opened_on: Datum,
) -> Result<Bedomning, AppError> {
    let parter = avtal::board(&app.store, a).await?;
    Ok(bedomning::bedom(
        &grund(a, &parter),
        it.person,
        it.hem,
        opened_on,
    ))
}

/// The eligibility case `c` holds with items `it` opened on `opened_on` — the one rule every path
/// uses (SPEC § 3.2): a case whose details retention has erased, or that an issued report counted,
/// keeps the status it has (a reported case until a corrected edition judges it again); any other
/// is judged now.
pub async fn galler(
    app: &App,
    a: &Avtal,
    c: &Arende,
    it: &Statistik,
    opened_on: Datum,
) -> Result<Bedomning, AppError> {
    let rapporterat = !c.frozen
        && app
            .register
            .lager(&app.store, &c.agreement_id)
            .await?
            .fall_med_nummer(c.seq)
            .is_some_and(|f| f.raknat());
    if bedomning::bedoms_pa_nytt(rapporterat, c.frozen) {
        bedom(app, a, it, opened_on).await
    } else {
        Ok(arenden::bedomning(c))
    }
}

/// Judges the agreement's cases again after its decisions or terms changed, with one read of the
/// status board, each changed case written with its audit entry. Cases counted in an issued report
/// keep the status they were reported with until a corrected edition (SPEC § 3.2), and so do cases
/// whose details retention has erased. Run in the background, never inside the request that
/// changed the decisions ([`omprova_vantande`]).
async fn omprova(app: &App, agreement_id: &str) -> Result<(), AppError> {
    let a = avtal::get(&app.store, agreement_id).await?;
    // The cases no report has counted, by number; read whole 2 000 at a time, so memory does not
    // grow with the agreement. A case registered after this list is judged at registration
    // against the decisions already committed.
    let seqs: Vec<i64> = app
        .register
        .lager(&app.store, &a.id)
        .await?
        .fall
        .iter()
        .filter(|f| !f.raknat())
        .map(|f| f.seq)
        .collect();
    let parter = avtal::board(&app.store, &a).await?;
    let u = grund(&a, &parter);
    for bit in seqs.chunks(2_000) {
        for c in arenden::med_nummer(&app.store, &a.id, bit)
            .await?
            .into_iter()
            .filter(|c| bedomning::bedoms_pa_nytt(false, c.frozen))
        {
            let it = &c.statistik;
            let b = bedomning::bedom(&u, it.person, it.hem, c.opened_on);
            if !samma_bedomning(&c, &b) {
                arenden::set_eligibility(&app.store, &c.id, &b).await?;
            }
        }
    }
    Ok(())
}

/// Whether judgement `b` is the one case `c` has stored (status and reasons).
pub fn samma_bedomning(c: &Arende, b: &Bedomning) -> bool {
    b.status == c.eligibility
        && b.skal
            .iter()
            .map(|m| m.skal)
            .eq(c.reasons.iter().map(|(k, _)| *k))
}

/// Works off every waiting request to judge an agreement's cases again (the outbox a decision or
/// an amendment writes in its own transaction, `boj_store::omprovning`). The server runs it in the
/// background when told of a change and every minute; it may run in several places at once.
pub async fn omprova_vantande(app: &App) -> Result<(), AppError> {
    // One agreement that fails (its request stays, to be tried again) does not hold up the rest.
    let mut fel = None;
    for b in boj_store::omprovning::vantande(&app.store).await? {
        match omprova(app, &b.agreement_id).await {
            Ok(()) => boj_store::omprovning::klar(&app.store, &b).await?,
            Err(e) => fel = fel.or(Some(e)),
        }
    }
    fel.map_or(Ok(()), Err)
}

/// A case `p` may work on (`Action::ArbetaMedArende` with its organisation and assignee).
pub async fn arende(app: &App, p: &Principal, id: &str) -> Result<Arende, AppError> {
    let c = arenden::get(&app.store, id).await?;
    app.tillat(p, Action::ArbetaMedArende(Some(c.omfang())), &c.id)
        .await?;
    Ok(c)
}

/// A case as its page shows it: the case, the status it holds ([`galler`], the rule the API and
/// the reports use), its activities, and the people a coordinator may hand it to.
pub struct Visning {
    pub arende: Arende,
    pub bedomning: Bedomning,
    /// (activity id, activity), in date order.
    pub aktiviteter: Vec<(String, Aktivitet)>,
    /// (user id, name) of those who may hold the case; empty unless `p` may reassign it.
    pub stodpersoner: Vec<(String, String)>,
    /// The agreement's collaboration partners, which a referral names.
    pub partner: Vec<boj_domain::avtal::Samverkanspartner>,
}

/// The case page's view of case `id`.
pub async fn visa(app: &App, p: &Principal, id: &str) -> Result<Visning, AppError> {
    let c = arende(app, p, id).await?;
    let a = avtal::get(&app.store, &c.agreement_id).await?;
    let bedomning = galler(app, &a, &c, &c.statistik, c.opened_on).await?;
    let stodpersoner = if authorize(p, Action::TilldelaArende(Some(c.omfang()))).is_ok() {
        stodpersoner(app, &c.organisation_id).await?
    } else {
        Vec::new()
    };
    Ok(Visning {
        aktiviteter: arenden::activities(&app.store, id).await?,
        bedomning,
        stodpersoner,
        arende: c,
        partner: a.version.settings.samverkanspartner,
    })
}

/// The people who may hold a case of organisation `org` (`access::kan_halla_arende`), by name.
async fn stodpersoner(app: &App, org: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(users::list(&app.store)
        .await?
        .into_iter()
        .filter(|u| boj_domain::access::kan_halla_arende(u.role, &u.scope, !u.disabled, org))
        .map(|u| (u.id, u.name))
        .collect())
}

/// Checks that `assignee` may hold cases of `org` (`access::kan_halla_arende`).
async fn kan_halla(app: &App, org: &str, assignee: &str) -> Result<(), AppError> {
    let u = users::get(&app.store, assignee)
        .await
        .map_err(|_| AppError::invalid("Stödpersonen finns inte."))?;
    if boj_domain::access::kan_halla_arende(u.role, &u.scope, !u.disabled, org) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "Ärenden kan bara tilldelas organisationens stödpersoner och samordnare.",
        ))
    }
}

/// A case to register, as entered.
#[derive(Debug, Clone, Default)]
pub struct Registrering {
    pub agreement_id: String,
    pub opened_on: String,
    pub poster: Poster,
    /// Consent to keep contact details (SPEC § 3.2).
    pub samtycke: bool,
    /// Contact details and note, kept only with consent.
    pub kontakt: Kontakt,
    /// User id of the support person; default the registering user (coordinators may choose).
    pub stodperson: Option<String>,
}

/// Registers a case; answers with it and its eligibility.
///
/// The agreement comes from the store's in-memory copy ([`avtal::snapshot`]); if the agreement
/// changed meanwhile (here or in another instance), the writer refuses the stale judgement and the
/// case is judged again on a fresh copy.
pub async fn registrera(
    app: &App,
    p: &Principal,
    r: &Registrering,
) -> Result<(Arende, Bedomning), AppError> {
    let mut tries = 0;
    loop {
        let s = avtal::snapshot(&app.store, &r.agreement_id).await?;
        match registrera_under(app, p, r, &s).await {
            Err(Changed) if tries < 3 => {
                app.store.forget_snapshot(&r.agreement_id);
                tries += 1;
            }
            Err(Changed) => return Err(StoreError::Changed.into()),
            Err(Refused(f)) => return Err(f),
            Ok(r) => return Ok(r),
        }
    }
}

/// Why one attempt to register did not succeed.
enum Attempt {
    /// The agreement moved on under the judgement; try again.
    Changed,
    Refused(AppError),
}
use Attempt::{Changed, Refused};

impl<E: Into<AppError>> From<E> for Attempt {
    fn from(e: E) -> Self {
        Refused(e.into())
    }
}

async fn registrera_under(
    app: &App,
    p: &Principal,
    r: &Registrering,
    s: &avtal::Snapshot,
) -> Result<(Arende, Bedomning), Attempt> {
    let a = &s.avtal;
    app.tillat(p, Action::LasAvtal(Some(a.omfang())), &a.id)
        .await?;
    // The case belongs to the agreement's organisation, which must be the user's.
    app.tillat(
        p,
        Action::ArbetaMedArende(Some(Arendeomfang {
            organisation: &a.organisation_id,
            assignee: Some(&p.user_id),
        })),
        &a.id,
    )
    .await?;
    let opened_on = Datum::parse(&r.opened_on)
        .and_then(|d| arende::inte_framtida(d, idag(app)))
        .map_err(|e| e.falt("opened_on"))?;
    let items = r
        .poster
        .i_schemat(&a.version.settings.dokumentationsposter)?;
    let contact = r.kontakt.clone().med_samtycke(r.samtycke)?;
    let assignee = match &r.stodperson {
        Some(x) if *x != p.user_id => {
            app.tillat(
                p,
                Action::TilldelaArende(Some(Arendeomfang {
                    organisation: &a.organisation_id,
                    assignee: None,
                })),
                &a.id,
            )
            .await?;
            kan_halla(app, &a.organisation_id, x).await?;
            x.clone()
        }
        _ => p.user_id.clone(),
    };
    let b = bedomning::bedom(&grund(a, &s.board), items.person, items.hem, opened_on);
    let n = NyttArende {
        agreement_id: &a.id,
        organisation_id: &a.organisation_id,
        opened_on,
        items: &items,
        assignee: Some(&assignee),
        eligibility: &b,
        revision: s.revision,
        contact: contact.as_ref(),
    };
    match arenden::create(&app.store, &app.keys, Some(&p.user_id), &n).await {
        Ok(c) => Ok((c, b)),
        Err(StoreError::Changed) => Err(Changed),
        Err(e) => Err(Refused(e.into())),
    }
}

fn idag(app: &App) -> Datum {
    Datum::from_civil(app.today())
}

/// A page of the cases `p` works with — a support person's own, a coordinator's organisation's —
/// as `u` selects and orders them, and how many match in all (the database filters and pages).
/// Municipal officials, county strategists and admins have none.
pub async fn sok(
    app: &App,
    p: &Principal,
    mut u: arenden::Urval,
) -> Result<(Vec<Arende>, i64), AppError> {
    let Scope::Organisation(org) = &p.scope else {
        return Ok((Vec::new(), 0));
    };
    if p.role == Role::Stodperson {
        u.assignee = Some(p.user_id.clone());
    }
    let (cases, total) = arenden::sok(&app.store, org, &u).await?;
    Ok((
        cases
            .into_iter()
            .filter(|c| authorize(p, Action::ArbetaMedArende(Some(c.omfang()))).is_ok())
            .collect(),
        total,
    ))
}

/// The home municipalities among the cases `p` works with (the list's filter).
pub async fn hemkommuner(app: &App, p: &Principal) -> Result<Vec<Hemkommun>, AppError> {
    let Scope::Organisation(org) = &p.scope else {
        return Ok(Vec::new());
    };
    let mine = (p.role == Role::Stodperson).then_some(p.user_id.as_str());
    Ok(arenden::hemkommuner(&app.store, org, mine)
        .await?
        .iter()
        .filter_map(|h| Hemkommun::parse(h).ok())
        .collect())
}

/// A correction: the items given replace the stored ones; a new assignee (coordinators).
#[derive(Debug, Clone, Default)]
pub struct Rattelse {
    pub opened_on: Option<String>,
    pub person: Option<String>,
    pub hem: Option<String>,
    pub kon: Option<String>,
    pub alder: Option<String>,
    pub brott: Option<Vec<String>>,
    pub omstandigheter: Option<Vec<String>>,
    pub polis: Option<String>,
    pub forsta_kontakt: Option<String>,
    pub informerad_11_6: Option<bool>,
    pub stodperson: Option<String>,
}

/// Corrects a case's items or changes its assignee; the status it holds follows [`galler`].
pub async fn ratta(app: &App, p: &Principal, id: &str, b: Rattelse) -> Result<Arende, AppError> {
    let c = arende(app, p, id).await?;
    if c.frozen {
        return Err(AppError::conflict(
            Some(c.id.clone()),
            "Ärendet är gallrat: datumen är grovkorniga och uppgifterna kan inte rättas längre.",
        ));
    }
    let a = avtal::get(&app.store, &c.agreement_id).await?;
    let stored = c.statistik.poster();
    let merged = Poster {
        person: b.person.unwrap_or(stored.person),
        hem: b.hem.unwrap_or(stored.hem),
        kon: b.kon.unwrap_or(stored.kon),
        alder: b.alder.unwrap_or(stored.alder),
        brott: b.brott.unwrap_or(stored.brott),
        omstandigheter: b.omstandigheter.unwrap_or(stored.omstandigheter),
        polis: b.polis.unwrap_or(stored.polis),
        forsta_kontakt: b.forsta_kontakt.unwrap_or(stored.forsta_kontakt),
        informerad_11_6: b.informerad_11_6.unwrap_or(stored.informerad_11_6),
    };
    let items = merged.i_schemat(&a.version.settings.dokumentationsposter)?;
    let opened_on = match &b.opened_on {
        Some(d) => arende::inte_framtida(Datum::parse(d)?, idag(app))?,
        None => c.opened_on,
    };
    if c.closed_on.is_some_and(|closed| opened_on > closed) {
        return Err(AppError::new(
            Kind::Invalid,
            Code::OgiltigtDatum,
            "Ärendet kan inte ha öppnats efter att det avslutades.",
        ));
    }
    if let Some((_, first)) = arenden::activities(&app.store, id).await?.first()
        && first.datum < opened_on
    {
        return Err(AppError::new(
            Kind::Invalid,
            Code::OgiltigtDatum,
            "Ärendet har aktiviteter före det nya startdatumet.",
        ));
    }
    let assignee = match b.stodperson {
        Some(x) if Some(&x) != c.assignee.as_ref() => {
            app.tillat(p, Action::TilldelaArende(Some(c.omfang())), &c.id)
                .await?;
            kan_halla(app, &c.organisation_id, &x).await?;
            Some(x)
        }
        _ => c.assignee.clone(),
    };
    // Its items are corrected now; a reported case keeps its status (`galler`).
    let bed = galler(app, &a, &c, &items, opened_on).await?;
    Ok(arenden::update(
        &app.store,
        Some(&p.user_id),
        id,
        &items,
        opened_on,
        assignee.as_deref(),
        &bed,
    )
    .await?)
}

/// Hands a case to another support person (coordinators); its status follows [`galler`].
pub async fn tilldela(app: &App, p: &Principal, id: &str, to: &str) -> Result<(), AppError> {
    let c = arende(app, p, id).await?;
    app.tillat(p, Action::TilldelaArende(Some(c.omfang())), &c.id)
        .await?;
    kan_halla(app, &c.organisation_id, to).await?;
    let a = avtal::get(&app.store, &c.agreement_id).await?;
    let it = c.statistik.clone();
    let b = galler(app, &a, &c, &it, c.opened_on).await?;
    arenden::update(
        &app.store,
        Some(&p.user_id),
        id,
        &it,
        c.opened_on,
        Some(to),
        &b,
    )
    .await?;
    Ok(())
}

/// The contact details of a case (given with consent), `None` when there are none. Every read is
/// written to the audit log.
pub async fn kontakt(app: &App, p: &Principal, id: &str) -> Result<Option<Kontakt>, AppError> {
    arende(app, p, id).await?;
    Ok(arenden::contact(&app.store, &app.keys, &p.user_id, id).await?)
}

/// Consent withdrawn: the contact details and the case's data key are erased at once.
pub async fn aterkalla_samtycke(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
    arende(app, p, id).await?;
    Ok(arenden::erase_contact(
        &app.store,
        Some(&p.user_id),
        id,
        "arende.samtycke_aterkallat",
    )
    .await?)
}

/// An activity as entered.
#[derive(Debug, Clone)]
pub struct NyAktivitet {
    pub datum: String,
    pub typ: String,
    pub satt: String,
    pub minuter: i64,
    /// A referral's partner: its number in the agreement's list of collaboration partners.
    pub partner: Option<u16>,
}

/// Records a contact or action in a case.
pub async fn ny_aktivitet(
    app: &App,
    p: &Principal,
    id: &str,
    b: &NyAktivitet,
) -> Result<(), AppError> {
    let c = arende(app, p, id).await?;
    let a = aktivitet(app, &c, b, c.closed_on, None).await?;
    arenden::add_activity(&app.store, Some(&p.user_id), id, &a).await?;
    Ok(())
}

/// An activity as typed, checked against its case (not before it opened, not in the future, none
/// added once `stangd`), each error naming its field.
async fn aktivitet(
    app: &App,
    c: &Arende,
    b: &NyAktivitet,
    stangd: Option<Datum>,
    befintlig: Option<&Aktivitet>,
) -> Result<Aktivitet, AppError> {
    let datum = Datum::parse(&b.datum)
        .and_then(|d| arende::inte_framtida(d, idag(app)))
        .map_err(|e| e.falt("date"))?;
    let a = Aktivitet::new(
        datum,
        Aktivitetstyp::parse(&b.typ).map_err(|e| e.falt("kind"))?,
        Kontaktsatt::parse(&b.satt).map_err(|e| e.falt("mode"))?,
        b.minuter,
        c.opened_on,
        stangd,
    )?;
    // A corrected referral that names the partner it named (or, recorded before referrals named
    // one, still names none) keeps it, whether or not the agreement's list still holds it.
    if let Some(f) = befintlig
        && f.typ == Aktivitetstyp::Hanvisning
        && a.typ == Aktivitetstyp::Hanvisning
        && f.partner.map(|h| h.id) == b.partner
    {
        return Ok(Aktivitet {
            partner: f.partner,
            ..a
        });
    }
    let s = avtal::snapshot(&app.store, &c.agreement_id).await?;
    Ok(a.med_partner(b.partner, &s.avtal.version.settings.samverkanspartner)?)
}

/// A case whose activity `aktivitet_id` may change: one retention has not erased (checked again in
/// the write), and an activity no issued report has counted. A counted activity stays as it was
/// reported: a corrected edition copies what the report counted, so a change would never reach the
/// reports (SPEC § 3.3); a new, correct activity can be recorded instead.
async fn andringsbart(
    app: &App,
    p: &Principal,
    id: &str,
    aktivitet_id: &str,
) -> Result<Arende, AppError> {
    let c = arende(app, p, id).await?;
    if c.frozen {
        return Err(AppError::conflict(
            Some(id.to_string()),
            "Ärendets uppgifter är gallrade; dess aktiviteter kan inte ändras.",
        ));
    }
    let seq = arenden::activity_seq(&app.store, id, aktivitet_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let raknad = {
        let lager = app.register.lager(&app.store, &c.agreement_id).await?;
        lager
            .akt
            .binary_search_by_key(&seq, |a| a.seq)
            .is_ok_and(|i| lager.akt[i].raknad())
    };
    if raknad {
        return Err(AppError::conflict(
            Some(aktivitet_id.to_string()),
            "Aktiviteten är räknad i en utfärdad rapport och ändras inte. Registrera en ny aktivitet om något behöver läggas till.",
        ));
    }
    Ok(c)
}

/// Corrects activity `aktivitet_id` of case `id` (its support person or a coordinator of the
/// organisation; audited). A case whose details retention has erased is not changed (409).
pub async fn ratta_aktivitet(
    app: &App,
    p: &Principal,
    id: &str,
    aktivitet_id: &str,
    b: &NyAktivitet,
) -> Result<(), AppError> {
    let c = andringsbart(app, p, id, aktivitet_id).await?;
    // A closed case's activity may be corrected, within the days the case was open. A referral
    // keeps the partner it names even if the list has changed since.
    let befintlig = arenden::activities(&app.store, id)
        .await?
        .into_iter()
        .find(|(aid, _)| aid == aktivitet_id)
        .map(|(_, a)| a)
        .ok_or_else(AppError::not_found)?;
    let a = aktivitet(app, &c, b, None, Some(&befintlig)).await?;
    if let Some(stangd) = c.closed_on
        && a.datum > stangd
    {
        return Err(AppError::from(
            boj_domain::DomainError::new(
                Code::OgiltigtDatum,
                format!("Ärendet avslutades {stangd}; aktiviteten kan inte ligga efter det."),
            )
            .falt("date"),
        ));
    }
    arenden::correct_activity(&app.store, Some(&p.user_id), id, aktivitet_id, &a).await?;
    Ok(())
}

/// Removes activity `aktivitet_id` of case `id`, recorded by mistake (audited; 409 once erased).
pub async fn ta_bort_aktivitet(
    app: &App,
    p: &Principal,
    id: &str,
    aktivitet_id: &str,
) -> Result<(), AppError> {
    andringsbart(app, p, id, aktivitet_id).await?;
    arenden::remove_activity(&app.store, Some(&p.user_id), id, aktivitet_id).await?;
    Ok(())
}

/// Closes a case on day `on`.
pub async fn avsluta(app: &App, p: &Principal, id: &str, on: &str) -> Result<(), AppError> {
    let c = arende(app, p, id).await?;
    if c.closed_on.is_some() {
        return Err(AppError::conflict(
            Some(id.to_string()),
            "Ärendet är redan avslutat.",
        ));
    }
    let on = arende::inte_framtida(Datum::parse(on)?, idag(app))?;
    let on = arende::avsluta(
        on,
        c.opened_on,
        arenden::last_activity(&app.store, id).await?,
    )?;
    arenden::close(&app.store, Some(&p.user_id), id, on).await?;
    Ok(())
}

/// Reopens a closed case (its support person or a coordinator of the organisation), while
/// retention has not erased it; a 409 when it is open, or erased (SPEC § 3.2: erased stays erased).
pub async fn ateroppna(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
    let c = arende(app, p, id).await?;
    if c.closed_on.is_none() {
        return Err(AppError::conflict(
            Some(id.to_string()),
            "Ärendet är redan öppet.",
        ));
    }
    arenden::reopen(&app.store, Some(&p.user_id), id, idag(app))
        .await
        .map_err(|e| match e {
            boj_store::StoreError::Conflict(_) => AppError::conflict(
                Some(id.to_string()),
                "Ärendet är gallrat och kan inte öppnas igen: dess kontaktuppgifter och datum finns inte kvar.",
            ),
            other => other.into(),
        })
}

/// Hours in hundredths, as text with at most two decimals, at most 1 000 per entry
/// (`boj_domain::tal`, the parser per cent also uses).
fn hundradelar(h: &str) -> Result<u32, AppError> {
    boj_domain::tal::hundradelar(h, 100_000).ok_or_else(|| {
        AppError::invalid("Timmar anges som ett tal med högst två decimaler, till exempel 3.5.")
    })
}

fn org_of(p: &Principal) -> Result<&str, AppError> {
    match &p.scope {
        Scope::Organisation(o) => Ok(o),
        _ => Err(AppError::unauthenticated()),
    }
}

/// A witness-support session at court, as entered.
#[derive(Debug, Clone)]
pub struct Vittnesstod {
    pub datum: String,
    /// The court, as free text.
    pub domstol: String,
    /// People supported per role: witness, injured party, relative, defendant.
    pub antal: [u32; 4],
    /// Hours as text (`3.5`).
    pub timmar: String,
    /// The agreement it is counted in; `None` for the default ([`verksamhetens_avtal`]).
    pub avtal: Option<String>,
}

/// The agreement an entry of the organisation's own work is counted in (issue 18: each is counted
/// in one agreement only): the one named, which must be the organisation's, or else
/// `avtal::forvalt_avtal` — its only agreement, or its only one in force in `dagar`, or the one a party of which the
/// court is named after. When that does not single one out, the entry must name it.
async fn verksamhetens_avtal(
    app: &App,
    p: &Principal,
    valt: Option<&str>,
    dagar: (Datum, Datum),
    domstol: Option<&str>,
) -> Result<boj_store::avtal::Avtal, AppError> {
    let org = org_of(p)?;
    if let Some(id) = valt.map(str::trim).filter(|s| !s.is_empty()) {
        let a = crate::avtal::las(app, p, id).await?;
        if a.organisation_id != org {
            return Err(AppError::not_found());
        }
        return Ok(a);
    }
    let egna: Vec<boj_store::avtal::Avtal> = avtal::list(&app.store)
        .await?
        .into_iter()
        .filter(|a| a.organisation_id == org)
        .collect();
    let kandidater: Vec<_> = egna
        .iter()
        .map(|a| (a.id.clone(), a.version.tid, a.version.parter.clone()))
        .collect();
    let valt = boj_domain::avtal::forvalt_avtal(&kandidater, dagar, domstol)
        .map(str::to_string)
        .map_err(|i_kraft| {
            boj_domain::DomainError::new(
                Code::OgiltigForfragan,
                match (egna.len(), i_kraft) {
                    (0, _) => "Organisationen har ingen överenskommelse att räkna det i.",
                    (_, 0) => "Ingen av organisationens överenskommelser gäller då: välj vilken det ska räknas i.",
                    _ => "Organisationen har flera överenskommelser som gäller då: välj vilken det ska räknas i, så att inget räknas två gånger.",
                },
            )
            .falt("agreement_id")
        })?;
    egna.into_iter()
        .find(|a| a.id == valt)
        .ok_or_else(AppError::not_found)
}

/// Records a witness-support session (counted per session, not per person) in one agreement of the
/// organisation; its id.
pub async fn vittnesstod(app: &App, p: &Principal, b: &Vittnesstod) -> Result<String, AppError> {
    authorize(p, Action::RegistreraVerksamhet)?;
    let date = Datum::parse(&b.datum)?;
    let court = Fritext::rad(&b.domstol, 200).map_err(|e| e.falt("court"))?;
    if court.as_str().is_empty() {
        return Err(AppError::invalid("Ange domstolen."));
    }
    let antal = boj_domain::arende::vittnesstod_antal(b.antal)?;
    let timmar = hundradelar(&b.timmar)?;
    let a = verksamhetens_avtal(
        app,
        p,
        b.avtal.as_deref(),
        (date, date),
        Some(court.as_str()),
    )
    .await?;
    Ok(arenden::add_witness_support(
        &app.store,
        Some(&p.user_id),
        (org_of(p)?, &a.id),
        date,
        court.as_str(),
        antal,
        timmar,
    )
    .await?)
}

/// A month written `YYYY-MM`: its first day.
fn manad(m: &str) -> Result<Datum, AppError> {
    let m = m.trim();
    if m.len() != 7 {
        return Err(manadsfel());
    }
    Datum::parse(&format!("{m}-01")).map_err(|_| manadsfel())
}

/// The last day of the month that begins on `forsta`.
fn manadens_sista(forsta: Datum) -> Datum {
    Datum::from_civil(forsta.civil().last_of_month())
}

fn manadsfel() -> AppError {
    AppError::from(
        boj_domain::DomainError::new(Code::OgiltigtDatum, "Ange månaden som ÅÅÅÅ-MM.")
            .falt("month"),
    )
}

/// Records volunteer hours for a month (`YYYY-MM`) of kind `typ` in one agreement of the
/// organisation (`avtal`, or the default); the entry's id.
pub async fn volontartimmar(
    app: &App,
    p: &Principal,
    manad_text: &str,
    typ: &str,
    timmar: &str,
    avtal: Option<&str>,
) -> Result<String, AppError> {
    authorize(p, Action::RegistreraVerksamhet)?;
    let forsta = manad(manad_text)?;
    let kind = Volontartimmar::parse(typ)?;
    let timmar = hundradelar(timmar)?;
    let a = verksamhetens_avtal(app, p, avtal, (forsta, manadens_sista(forsta)), None).await?;
    Ok(arenden::add_volunteer_hours(
        &app.store,
        Some(&p.user_id),
        org_of(p)?,
        &a.id,
        manad_text.trim(),
        kind.code(),
        timmar,
    )
    .await?)
}

/// Collaboration work with a partner of an agreement in a month, as entered.
#[derive(Debug, Clone)]
pub struct Samverkansarbete {
    pub avtal: String,
    /// `YYYY-MM`.
    pub manad: String,
    /// The partner's number in the agreement's list.
    pub partner: u16,
    /// A code of `Samverkansform`.
    pub form: String,
    /// Hours as text (`3.5`).
    pub timmar: String,
}

/// Records collaboration work (meetings, joint training, outreach) with one of the agreement's
/// partners — about the organisations, never about help-seekers; its id. The organisation's
/// coordinators record it, as they record volunteer hours.
pub async fn samverkan(app: &App, p: &Principal, b: &Samverkansarbete) -> Result<String, AppError> {
    authorize(p, Action::RegistreraVerksamhet)?;
    let forsta = manad(&b.manad)?;
    let form = boj_domain::kod::Samverkansform::parse(&b.form).map_err(|e| e.falt("form"))?;
    let timmar = hundradelar(&b.timmar)?;
    let a = verksamhetens_avtal(
        app,
        p,
        Some(&b.avtal),
        (forsta, manadens_sista(forsta)),
        None,
    )
    .await?;
    let partner =
        boj_domain::arende::Hanvisning::i_listan(&a.version.settings.samverkanspartner, b.partner)?;
    Ok(arenden::add_collaboration(
        &app.store,
        Some(&p.user_id),
        &arenden::NySamverkan {
            org: org_of(p)?,
            agreement_id: &a.id,
            month: b.manad.trim(),
            partner,
            form,
            hundredths: timmar,
        },
    )
    .await?)
}

/// The eligibility answer for what the intake form holds so far; records nothing.
pub async fn forhandsbedom(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    opened_on: &str,
    person: &str,
    hem: &str,
) -> Result<Bedomning, AppError> {
    let a = crate::avtal::las(app, p, agreement_id).await?;
    let parter = avtal::board(&app.store, &a).await?;
    Ok(bedomning::bedom(
        &grund(&a, &parter),
        PersonTyp::parse(person)?,
        Hemkommun::parse(hem)?,
        Datum::parse(opened_on)?,
    ))
}
