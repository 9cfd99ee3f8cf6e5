//! Cases: the volunteers' intake and support log (SPEC § 3.2), API of SPEC § 4.
//!
//! Intake asks no needs question (11 kap. 5 § SoL): it records the agreement's statistics items and
//! answers at once whether the case is within the agreement, with its reasons (§ 22 2a). Every route
//! here passes `authorize` with the case's organisation and assignee; `kommun`, `forbund` and `admin`
//! never reach a case.

use crate::AppState;
use crate::auth::Authed;
use crate::avtal_api::load;
use crate::error::{ApiError, Failure};
use crate::extract::{ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use boj_domain::arende::{self, Aktivitet, Kontakt, Statistik};
use boj_domain::avtal::Avtalsinstallningar;
use boj_domain::behorighet::{self, Bedomning, Underlag};
use boj_domain::kod::*;
use boj_domain::{Action, Arendeomfang, Code, Datum, Principal, Role, Scope, authorize};
use boj_store::StoreError;
use boj_store::arenden::{self, Arende, NyttArende};
use boj_store::avtal::{self, Avtal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn unprocessable(msg: impl Into<String>) -> Failure {
    Failure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Code::OgiltigForfragan,
        msg,
    )
}

/// What judging a case under agreement version `a` reads: its term, its target-group rule and the
/// parties' status board `parter` (read once for any number of cases).
pub fn underlag<'a>(
    a: &'a Avtal,
    parter: &'a [(boj_domain::Kommunkod, boj_domain::avtal::Partstatus)],
) -> Underlag<'a> {
    Underlag {
        tid: &a.version.tid,
        regel: &a.version.settings.malgruppsregel,
        parter,
    }
}

/// Eligibility of a case under an agreement, as of the case's opening day.
pub async fn bedom(
    state: &AppState,
    a: &Avtal,
    it: &Statistik,
    opened_on: Datum,
) -> Result<Bedomning, Failure> {
    let parter = avtal::board(&state.store, a).await?;
    Ok(behorighet::bedom(
        &underlag(a, &parter),
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
    state: &AppState,
    a: &Avtal,
    c: &Arende,
    it: &Statistik,
    opened_on: Datum,
) -> Result<Bedomning, Failure> {
    let reported = c.frozen
        || state
            .register
            .lager(&state.store, &c.agreement_id)
            .await?
            .fall_med_nummer(c.seq)
            .is_some_and(|f| f.raknat());
    if reported {
        Ok(arenden::bedomning(c))
    } else {
        bedom(state, a, it, opened_on).await
    }
}

/// Judges the agreement's cases again after its decisions or terms changed, with one read of the
/// status board, each changed case written with its audit entry. Cases counted in an issued report
/// keep the status they were reported with until a corrected edition (SPEC § 3.2), and so do cases
/// whose details retention has erased. Run in the background, never inside the request that
/// changed the decisions ([`omprova_vantande`]).
async fn omprova(state: &AppState, agreement_id: &str) -> Result<(), Failure> {
    let a = avtal::get(&state.store, agreement_id).await?;
    // The cases no report has counted, by number; read whole 2 000 at a time, so memory does not
    // grow with the agreement. A case registered after this list is judged at registration
    // against the decisions already committed.
    let seqs: Vec<i64> = state
        .register
        .lager(&state.store, &a.id)
        .await?
        .fall
        .iter()
        .filter(|f| !f.raknat())
        .map(|f| f.seq)
        .collect();
    let parter = avtal::board(&state.store, &a).await?;
    let u = underlag(&a, &parter);
    for bit in seqs.chunks(2_000) {
        for c in arenden::med_nummer(&state.store, &a.id, bit)
            .await?
            .into_iter()
            .filter(|c| !c.frozen)
        {
            let it = statistik_of(&c)?;
            let b = behorighet::bedom(&u, it.person, it.hem, c.opened_on);
            if !samma_bedomning(&c, &b) {
                arenden::set_eligibility(&state.store, &c.id, &b).await?;
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
pub async fn omprova_vantande(state: &AppState) -> Result<(), Failure> {
    // One agreement that fails (its request stays, to be tried again) does not hold up the rest.
    let mut fel = None;
    for b in boj_store::omprovning::vantande(&state.store).await? {
        match omprova(state, &b.agreement_id).await {
            Ok(()) => boj_store::omprovning::klar(&state.store, &b).await?,
            Err(e) => fel = fel.or(Some(e)),
        }
    }
    fel.map_or(Ok(()), Err)
}

pub fn statistik_of(c: &Arende) -> Result<Statistik, Failure> {
    Ok(Statistik {
        person: PersonTyp::parse(&c.person_type)?,
        hem: Hemkommun::parse(&c.municipality)?,
        kon: Kon::parse(&c.gender)?,
        alder: Aldersgrupp::parse(&c.age_band)?,
        brott: arende::lista(&c.crime_types)?,
        omstandigheter: arende::lista(&c.circumstances)?,
        polis: Polisanmalan::parse(&c.police_report)?,
        forsta_kontakt: ForstaKontakt::parse(&c.first_contact)?,
        informerad_11_6: c.informed_11_6,
    })
}

/// Loads a case and checks that `p` may work on it.
pub async fn load_case(state: &AppState, p: &Principal, id: &str) -> Result<Arende, Failure> {
    let c = arenden::get(&state.store, id).await?;
    authorize(p, Action::ArbetaMedArende(Some(c.omfang())))?;
    Ok(c)
}

#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct CaseIn {
    pub agreement_id: String,
    pub opened_on: String,
    pub person_type: String,
    /// SCB code, `utlandet` or `okand`.
    pub municipality: String,
    pub gender: String,
    pub age_band: String,
    #[serde(default)]
    pub crime_types: Vec<String>,
    #[serde(default)]
    pub circumstances: Vec<String>,
    pub police_report: String,
    pub first_contact: String,
    pub informed_11_6: bool,
    #[serde(default)]
    pub consent_contact: bool,
    pub contact: Option<ContactIn>,
    pub note: Option<String>,
    /// User id of the support person; default the registering user (coordinators may choose).
    pub assignee: Option<String>,
}

/// Parses the statistics items, refusing values for items the agreement's scheme does not record
/// (§ 22 2b: nothing beyond what the agreement names).
pub fn parse_items(s: &Avtalsinstallningar, c: &CaseIn) -> Result<Statistik, Failure> {
    let scheme = |item: &str| s.dokumentationsposter.iter().any(|x| x == item);
    let refuse = |label: &str| {
        unprocessable(format!(
            "{label} dokumenteras inte enligt överenskommelsen och får inte anges."
        ))
    };
    if !scheme("crime_types") && !c.crime_types.is_empty() {
        return Err(refuse("Brottstyp"));
    }
    if !scheme("circumstances") && !c.circumstances.is_empty() {
        return Err(refuse("Särskilda omständigheter"));
    }
    let brott: Vec<Brottstyp> = arende::lista(&c.crime_types)?;
    if scheme("crime_types") && brott.is_empty() {
        return Err(unprocessable("Ange minst en brottstyp (eller ”okant”)."));
    }
    Ok(Statistik {
        person: PersonTyp::parse(&c.person_type)?,
        hem: Hemkommun::parse(&c.municipality)?,
        kon: Kon::parse(&c.gender)?,
        alder: Aldersgrupp::parse(&c.age_band)?,
        brott,
        omstandigheter: arende::lista(&c.circumstances)?,
        polis: Polisanmalan::parse(&c.police_report)?,
        forsta_kontakt: ForstaKontakt::parse(&c.first_contact)?,
        informerad_11_6: c.informed_11_6,
    })
}

#[derive(Serialize, ToSchema)]
pub struct ReasonOut {
    pub code: &'static str,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct EligibilityOut {
    /// `inom`, `utanfor` or `ej_faststalld`.
    pub status: &'static str,
    pub reasons: Vec<ReasonOut>,
    /// One sentence for the volunteer.
    pub explanation: String,
}

pub fn eligibility_out(b: &Bedomning) -> EligibilityOut {
    EligibilityOut {
        status: b.status.code(),
        reasons: b
            .skal
            .iter()
            .map(|m| ReasonOut {
                code: m.skal.code(),
                text: m.text.clone(),
            })
            .collect(),
        explanation: b.forklaring.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub id: String,
    pub agreement_id: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub person_type: String,
    pub municipality: String,
    pub gender: String,
    pub age_band: String,
    pub crime_types: Vec<String>,
    pub circumstances: Vec<String>,
    pub police_report: String,
    pub first_contact: String,
    pub informed_11_6: bool,
    pub consent_contact: bool,
    /// Whether contact details are on file (they are read through `/contact`).
    pub has_contact: bool,
    pub assignee: Option<String>,
    pub eligibility: EligibilityOut,
}

pub fn case_out(c: &Arende) -> CaseOut {
    CaseOut {
        id: c.id.clone(),
        agreement_id: c.agreement_id.clone(),
        opened_on: c.opened_on.to_string(),
        closed_on: c.closed_on.map(|d| d.to_string()),
        person_type: c.person_type.clone(),
        municipality: c.municipality.clone(),
        gender: c.gender.clone(),
        age_band: c.age_band.clone(),
        crime_types: c.crime_types.clone(),
        circumstances: c.circumstances.clone(),
        police_report: c.police_report.clone(),
        first_contact: c.first_contact.clone(),
        informed_11_6: c.informed_11_6,
        consent_contact: c.consent_contact,
        has_contact: c.has_contact,
        assignee: c.assignee.clone(),
        eligibility: EligibilityOut {
            status: c.eligibility.code(),
            reasons: c
                .reasons
                .iter()
                .map(|(s, t)| ReasonOut {
                    code: s.code(),
                    text: t.clone(),
                })
                .collect(),
            explanation: c.eligibility.label().into(),
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: String,
    pub eligibility: EligibilityOut,
}

/// Checks that `assignee` may hold cases of `org` (a support person or coordinator there).
async fn check_assignee(state: &AppState, org: &str, assignee: &str) -> Result<(), Failure> {
    let u = boj_store::users::get(&state.store, assignee)
        .await
        .map_err(|_| unprocessable("Stödpersonen finns inte."))?;
    match (&u.role, &u.scope) {
        (Role::Stodperson | Role::Samordnare, Scope::Organisation(o))
            if o == org && !u.disabled =>
        {
            Ok(())
        }
        _ => Err(unprocessable(
            "Ärenden kan bara tilldelas organisationens stödpersoner och samordnare.",
        )),
    }
}

/// Registers a case; answers with its id and eligibility.
///
/// The agreement comes from the store's in-memory copy ([`avtal::snapshot`]); if the agreement
/// changed meanwhile (here or in another instance), the writer refuses the stale judgement and the
/// case is judged again on a fresh copy.
pub async fn register(
    state: &AppState,
    p: &Principal,
    body: CaseIn,
) -> Result<(Arende, Bedomning), Failure> {
    let mut tries = 0;
    loop {
        let s = avtal::snapshot(&state.store, &body.agreement_id).await?;
        match register_under(state, p, &body, &s).await {
            Err(Changed) if tries < 3 => {
                state.store.forget_snapshot(&body.agreement_id);
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
    Refused(Failure),
}
use Attempt::{Changed, Refused};

impl<E: Into<Failure>> From<E> for Attempt {
    fn from(e: E) -> Self {
        Refused(e.into())
    }
}

async fn register_under(
    state: &AppState,
    p: &Principal,
    body: &CaseIn,
    s: &avtal::Snapshot,
) -> Result<(Arende, Bedomning), Attempt> {
    let a = &s.avtal;
    authorize(p, Action::LasAvtal(Some(a.omfang())))?;
    // The case belongs to the agreement's organisation, which must be the user's.
    authorize(
        p,
        Action::ArbetaMedArende(Some(Arendeomfang {
            organisation: &a.organisation_id,
            assignee: Some(&p.user_id),
        })),
    )?;
    // No future dates (`arende::inte_framtida`, the rule corrections and activities use).
    let opened_on = arende::inte_framtida(
        Datum::parse(&body.opened_on)?,
        Datum::from_civil(state.store.clock().today()),
    )?;
    let items = parse_items(&a.version.settings, body)?;
    let contact = Kontakt {
        name: body.contact.as_ref().and_then(|c| c.name.clone()),
        phone: body.contact.as_ref().and_then(|c| c.phone.clone()),
        email: body.contact.as_ref().and_then(|c| c.email.clone()),
        note: body.note.clone(),
    }
    .med_samtycke(body.consent_contact)?;
    let assignee = match &body.assignee {
        Some(x) if *x != p.user_id => {
            authorize(
                p,
                Action::TilldelaArende(Some(Arendeomfang {
                    organisation: &a.organisation_id,
                    assignee: None,
                })),
            )?;
            check_assignee(state, &a.organisation_id, x).await?;
            x.clone()
        }
        _ => p.user_id.clone(),
    };
    let b = behorighet::bedom(&underlag(a, &s.board), items.person, items.hem, opened_on);
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
    match arenden::create(&state.store, &state.keys, Some(&p.user_id), &n).await {
        Ok(c) => Ok((c, b)),
        Err(StoreError::Changed) => Err(Changed),
        Err(e) => Err(Refused(e.into())),
    }
}

/// Registers a case. No needs question is asked (11 kap. 5 § SoL); the answer says at once whether
/// the case is within the agreement, and why (§ 22 2a).
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseIn, responses((status = 201, body = CreatedOut), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(body): ApiJson<CaseIn>,
) -> Result<Response, ApiError> {
    let (c, b) = register(&state, &p, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOut {
            id: c.id,
            eligibility: eligibility_out(&b),
        }),
    )
        .into_response())
}

/// A case, without its contact details.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = String, Path)), responses((status = 200, body = CaseOut), (status = 403), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<CaseOut>, ApiError> {
    Ok(Json(case_out(&load_case(&state, &p, &id).await?)))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CasesOut {
    pub items: Vec<CaseOut>,
}

/// Cases: a support person's own, a coordinator's whole organisation. `status=open` for open ones.
#[utoipa::path(get, path = "/api/v1/cases", params(("status" = Option<String>, Query)), responses((status = 200, body = CasesOut)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasesOut>, ApiError> {
    let open = match q.status.as_deref() {
        None | Some("all") => false,
        Some("open") => true,
        Some(_) => return Err(Failure::bad_request("status kan vara open eller all.").into()),
    };
    Ok(Json(CasesOut {
        items: visible(&state, &p, open)
            .await?
            .iter()
            .map(case_out)
            .collect(),
    }))
}

/// The cases `p` may see: own for a support person, the organisation's for a coordinator.
pub async fn visible(state: &AppState, p: &Principal, open: bool) -> Result<Vec<Arende>, Failure> {
    let Scope::Organisation(org) = &p.scope else {
        return Ok(Vec::new());
    };
    let mine = (p.role == Role::Stodperson).then_some(p.user_id.as_str());
    Ok(arenden::list(&state.store, org, open, mine)
        .await?
        .into_iter()
        .filter(|c| authorize(p, Action::ArbetaMedArende(Some(c.omfang()))).is_ok())
        .collect())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub opened_on: Option<String>,
    pub person_type: Option<String>,
    pub municipality: Option<String>,
    pub gender: Option<String>,
    pub age_band: Option<String>,
    pub crime_types: Option<Vec<String>>,
    pub circumstances: Option<Vec<String>>,
    pub police_report: Option<String>,
    pub first_contact: Option<String>,
    pub informed_11_6: Option<bool>,
    /// Reassign (coordinators).
    pub assignee: Option<String>,
}

/// Corrects a case's items or changes its assignee; eligibility is recomputed.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", params(("id" = String, Path)), request_body = CasePatch, responses((status = 200, body = CaseOut), (status = 422)))]
pub async fn patch(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CasePatch>,
) -> Result<Json<CaseOut>, ApiError> {
    Ok(Json(case_out(&correct(&state, &p, &id, b).await?)))
}

/// Applies a correction: the items given replace the stored ones; eligibility is recomputed.
pub async fn correct(
    state: &AppState,
    p: &Principal,
    id: &str,
    b: CasePatch,
) -> Result<Arende, Failure> {
    let c = load_case(state, p, id).await?;
    if c.frozen {
        return Err(Failure {
            conflict_id: Some(c.id.clone()),
            ..Failure::new(
                StatusCode::CONFLICT,
                Code::Konflikt,
                "Ärendet är gallrat: datumen är grovkorniga och uppgifterna kan inte rättas längre.",
            )
        });
    }
    let a = avtal::get(&state.store, &c.agreement_id).await?;
    let merged = CaseIn {
        agreement_id: c.agreement_id.clone(),
        opened_on: b.opened_on.unwrap_or(c.opened_on.to_string()),
        person_type: b.person_type.unwrap_or(c.person_type.clone()),
        municipality: b.municipality.unwrap_or(c.municipality.clone()),
        gender: b.gender.unwrap_or(c.gender.clone()),
        age_band: b.age_band.unwrap_or(c.age_band.clone()),
        crime_types: b.crime_types.unwrap_or(c.crime_types.clone()),
        circumstances: b.circumstances.unwrap_or(c.circumstances.clone()),
        police_report: b.police_report.unwrap_or(c.police_report.clone()),
        first_contact: b.first_contact.unwrap_or(c.first_contact.clone()),
        informed_11_6: b.informed_11_6.unwrap_or(c.informed_11_6),
        consent_contact: c.consent_contact,
        contact: None,
        note: None,
        assignee: None,
    };
    let items = parse_items(&a.version.settings, &merged)?;
    let opened_on = arende::inte_framtida(
        Datum::parse(&merged.opened_on)?,
        Datum::from_civil(state.store.clock().today()),
    )?;
    if c.closed_on.is_some_and(|closed| opened_on > closed) {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDatum,
            "Ärendet kan inte ha öppnats efter att det avslutades.",
        ));
    }
    if let Some(first) = arenden::activities(&state.store, id).await?.first()
        && first.datum < opened_on
    {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDatum,
            "Ärendet har aktiviteter före det nya startdatumet.",
        ));
    }
    let assignee = match b.assignee {
        Some(x) if Some(&x) != c.assignee.as_ref() => {
            authorize(p, Action::TilldelaArende(Some(c.omfang())))?;
            check_assignee(state, &c.organisation_id, &x).await?;
            Some(x)
        }
        _ => c.assignee.clone(),
    };
    // Its items are corrected now; a reported case keeps its status (`galler`).
    let bed = galler(state, &a, &c, &items, opened_on).await?;
    Ok(arenden::update(
        &state.store,
        Some(&p.user_id),
        id,
        &items,
        opened_on,
        assignee.as_deref(),
        &bed,
    )
    .await?)
}

#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
}

/// The contact details of a case (given with consent). Every read is written to the audit log.
#[utoipa::path(get, path = "/api/v1/cases/{id}/contact", params(("id" = String, Path)), responses((status = 200, body = ContactOut), (status = 404)))]
pub async fn get_contact(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<ContactOut>, ApiError> {
    load_case(&state, &p, &id).await?;
    let k = arenden::contact(&state.store, &state.keys, &p.user_id, &id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                Code::HittasInte,
                "Ärendet har inga kontaktuppgifter.",
            )
        })?;
    Ok(Json(ContactOut {
        name: k.name,
        phone: k.phone,
        email: k.email,
        note: k.note,
    }))
}

/// Consent withdrawn: the contact details and the case's data key are erased at once.
#[utoipa::path(delete, path = "/api/v1/cases/{id}/contact", params(("id" = String, Path)), responses((status = 204)))]
pub async fn delete_contact(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    load_case(&state, &p, &id).await?;
    arenden::erase_contact(
        &state.store,
        Some(&p.user_id),
        &id,
        "arende.samtycke_aterkallat",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    pub date: String,
    pub kind: String,
    pub mode: String,
    pub minutes: i64,
}

pub async fn add_activity_to(
    state: &AppState,
    p: &Principal,
    id: &str,
    b: &ActivityIn,
) -> Result<(), Failure> {
    let c = load_case(state, p, id).await?;
    let today = Datum::from_civil(state.store.clock().today());
    arende::inte_framtida(Datum::parse(&b.date)?, today)?;
    let a = Aktivitet::new(
        Datum::parse(&b.date)?,
        Aktivitetstyp::parse(&b.kind)?,
        Kontaktsatt::parse(&b.mode)?,
        b.minutes,
        c.opened_on,
        c.closed_on,
    )?;
    arenden::add_activity(&state.store, Some(&p.user_id), id, &a).await?;
    Ok(())
}

/// Records a contact or action in a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/activities", params(("id" = String, Path)), request_body = ActivityIn, responses((status = 201), (status = 422)))]
pub async fn add_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActivityIn>,
) -> Result<StatusCode, ApiError> {
    add_activity_to(&state, &p, &id, &b).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    pub closed_on: String,
}

pub async fn close_case(
    state: &AppState,
    p: &Principal,
    id: &str,
    on: &str,
) -> Result<(), Failure> {
    let c = load_case(state, p, id).await?;
    if c.closed_on.is_some() {
        return Err(Failure {
            conflict_id: Some(id.to_string()),
            ..Failure::new(
                StatusCode::CONFLICT,
                Code::Konflikt,
                "Ärendet är redan avslutat.",
            )
        });
    }
    let today = Datum::from_civil(state.store.clock().today());
    arende::inte_framtida(Datum::parse(on)?, today)?;
    let on = arende::avsluta(
        Datum::parse(on)?,
        c.opened_on,
        arenden::last_activity(&state.store, id).await?,
    )?;
    arenden::close(&state.store, Some(&p.user_id), id, on).await?;
    Ok(())
}

/// Closes a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", params(("id" = String, Path)), request_body = CloseIn, responses((status = 204), (status = 409), (status = 422)))]
pub async fn close(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CloseIn>,
) -> Result<StatusCode, ApiError> {
    close_case(&state, &p, &id, &b.closed_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hours as a decimal with at most two decimals, at most 1 000 per entry, in hundredths
/// (`boj_domain::tal`, the parser per cent also uses).
fn hundredths(h: &serde_json::Number) -> Result<u32, Failure> {
    boj_domain::tal::hundradelar(&h.to_string(), 100_000).ok_or_else(|| {
        unprocessable("Timmar anges som ett tal med högst två decimaler, till exempel 3.5.")
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountsIn {
    #[serde(default)]
    pub vittne: u32,
    #[serde(default)]
    pub malsagande: u32,
    #[serde(default)]
    pub anhorig_van: u32,
    #[serde(default)]
    pub tilltalad: u32,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessIn {
    pub date: String,
    /// The court, as free text.
    pub court: String,
    pub counts: CountsIn,
    #[schema(value_type = f64)]
    pub hours: serde_json::Number,
}

#[derive(Serialize, ToSchema)]
pub struct IdOut {
    pub id: String,
}

fn org_of(p: &Principal) -> Result<&str, Failure> {
    match &p.scope {
        Scope::Organisation(o) => Ok(o),
        _ => Err(Failure::unauthenticated()),
    }
}

/// Records a witness-support session at court (counted per session, not per person).
#[utoipa::path(post, path = "/api/v1/witness-support", request_body = WitnessIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn witness(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<WitnessIn>,
) -> Result<Response, ApiError> {
    let id = record_witness(&state, &p, &b).await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

pub async fn record_witness(
    state: &AppState,
    p: &Principal,
    b: &WitnessIn,
) -> Result<String, Failure> {
    let date = Datum::parse(&b.date)?;
    let court = boj_domain::personnummer::Fritext::parse(&b.court, 200)?;
    if court.as_str().is_empty() {
        return Err(unprocessable("Ange domstolen."));
    }
    let c = &b.counts;
    if [c.vittne, c.malsagande, c.anhorig_van, c.tilltalad]
        .iter()
        .any(|n| *n > 1000)
    {
        return Err(unprocessable(
            "Antalet personer ska vara ett heltal mellan 0 och 1 000.",
        ));
    }
    Ok(arenden::add_witness_support(
        &state.store,
        Some(&p.user_id),
        org_of(p)?,
        date,
        court.as_str(),
        [c.vittne, c.malsagande, c.anhorig_van, c.tilltalad],
        hundredths(&b.hours)?,
    )
    .await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursIn {
    /// `YYYY-MM`.
    pub month: String,
    /// `brottsofferstod`, `vittnesstod` or `administration`.
    pub kind: String,
    #[schema(value_type = f64)]
    pub hours: serde_json::Number,
}

/// Records volunteer hours for a month.
#[utoipa::path(post, path = "/api/v1/volunteer-hours", request_body = HoursIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn hours(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<HoursIn>,
) -> Result<Response, ApiError> {
    let id = record_hours(&state, &p, &b).await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

pub async fn record_hours(state: &AppState, p: &Principal, b: &HoursIn) -> Result<String, Failure> {
    Datum::parse(&format!("{}-01", b.month)).map_err(|_| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDatum,
            "Ange månaden som ÅÅÅÅ-MM.",
        )
    })?;
    let kind = Volontartimmar::parse(&b.kind)?;
    Ok(arenden::add_volunteer_hours(
        &state.store,
        Some(&p.user_id),
        org_of(p)?,
        &b.month,
        kind.code(),
        hundredths(&b.hours)?,
    )
    .await?)
}

/// Hands a case to another support person (coordinators).
pub async fn reassign(state: &AppState, p: &Principal, id: &str, to: &str) -> Result<(), Failure> {
    let c = load_case(state, p, id).await?;
    authorize(p, Action::TilldelaArende(Some(c.omfang())))?;
    check_assignee(state, &c.organisation_id, to).await?;
    let a = avtal::get(&state.store, &c.agreement_id).await?;
    let it = statistik_of(&c)?;
    let b = galler(state, &a, &c, &it, c.opened_on).await?;
    arenden::update(
        &state.store,
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityIn {
    pub agreement_id: String,
    pub opened_on: String,
    pub person_type: String,
    pub municipality: String,
}

/// The eligibility answer for what the intake form holds so far; records nothing.
#[utoipa::path(post, path = "/api/v1/eligibility", request_body = EligibilityIn, responses((status = 200, body = EligibilityOut), (status = 422)))]
pub async fn preview(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<EligibilityIn>,
) -> Result<Json<EligibilityOut>, ApiError> {
    let a = load(&state, &p, &b.agreement_id, false).await?;
    let parter = avtal::board(&state.store, &a).await?;
    let u = underlag(&a, &parter);
    let res = behorighet::bedom(
        &u,
        PersonTyp::parse(&b.person_type)?,
        Hemkommun::parse(&b.municipality)?,
        Datum::parse(&b.opened_on)?,
    );
    Ok(Json(eligibility_out(&res)))
}
