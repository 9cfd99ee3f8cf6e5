//! Cases: the volunteers' intake and support log (SPEC § 3.2), API of SPEC § 4.
//!
//! Intake asks no needs question (11 kap. 5 § SoL): it records the agreement's statistics items and
//! answers at once whether the case is within the agreement, with its reasons (§ 22 2a). Every route
//! here passes `authorize` with the case's organisation and assignee; `kommun`, `forbund` and `admin`
//! never reach a case.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, Failure};
use crate::extract::{ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use boj_app::arenden::{self as fall, Arende};
use boj_domain::Code;
use boj_domain::arende::{Kontakt, Poster};
use boj_domain::bedomning::Bedomning;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// The organisation's short number for the case, `YYYY-NNNN` (the year of its contact date).
    #[schema(example = "2026-0142")]
    pub number: String,
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
    let p = c.statistik.poster();
    CaseOut {
        id: c.id.clone(),
        number: c.nummer.to_string(),
        agreement_id: c.agreement_id.clone(),
        opened_on: c.opened_on.to_string(),
        closed_on: c.closed_on.map(|d| d.to_string()),
        person_type: p.person,
        municipality: p.hem,
        gender: p.kon,
        age_band: p.alder,
        crime_types: p.brott,
        circumstances: p.omstandigheter,
        police_report: p.polis,
        first_contact: p.forsta_kontakt,
        informed_11_6: p.informerad_11_6,
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
    /// The organisation's short number for the case, `YYYY-NNNN`.
    #[schema(example = "2026-0142")]
    pub number: String,
    pub eligibility: EligibilityOut,
}

/// Registers a case. No needs question is asked (11 kap. 5 § SoL); the answer says at once whether
/// the case is within the agreement, and why (§ 22 2a).
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseIn, responses((status = 201, body = CreatedOut), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(body): ApiJson<CaseIn>,
) -> Result<Response, ApiError> {
    let (c, b) = fall::registrera(&state.app, &p, &body.into()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOut {
            number: c.nummer.to_string(),
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
    Ok(Json(case_out(&fall::arende(&state.app, &p, &id).await?)))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    /// The page, from 1 (default 1).
    page: Option<i64>,
    /// Cases per page, 1–500 (default 50).
    per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CasesOut {
    /// The page asked for, latest contact date first.
    pub items: Vec<CaseOut>,
    /// How many cases match in all.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Cases: a support person's own, a coordinator's whole organisation, latest contact first, a page
/// at a time. `status=open` for open ones.
#[utoipa::path(get, path = "/api/v1/cases", params(("status" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)), responses((status = 200, body = CasesOut)))]
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
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=500).contains(&per_page) {
        return Err(Failure::bad_request("per_page ska vara mellan 1 och 500.").into());
    }
    let page = q.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(Failure::bad_request("page ska vara 1 eller större.").into());
    }
    let (cases, total) = fall::sok(
        &state.app,
        &p,
        fall::Urval {
            open_only: open,
            limit: per_page,
            offset: (page - 1) * per_page,
            ..Default::default()
        },
    )
    .await?;
    Ok(Json(CasesOut {
        items: cases.iter().map(case_out).collect(),
        total,
        page,
        per_page,
    }))
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
    Ok(Json(case_out(
        &fall::ratta(&state.app, &p, &id, b.into()).await?,
    )))
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
    let k = fall::kontakt(&state.app, &p, &id).await?.ok_or_else(|| {
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
    fall::aterkalla_samtycke(&state.app, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    pub date: String,
    pub kind: String,
    pub mode: String,
    pub minutes: i64,
    /// For a referral (`hanvisning`, where it is required): the number of the agreement's
    /// collaboration partner the person was referred to.
    #[serde(default)]
    pub partner: Option<u16>,
}

impl From<ActivityIn> for fall::NyAktivitet {
    fn from(b: ActivityIn) -> Self {
        fall::NyAktivitet {
            datum: b.date,
            typ: b.kind,
            satt: b.mode,
            minuter: b.minutes,
            partner: b.partner,
        }
    }
}

/// Records a contact or action in a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/activities", params(("id" = String, Path)), request_body = ActivityIn, responses((status = 201), (status = 422)))]
pub async fn add_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActivityIn>,
) -> Result<StatusCode, ApiError> {
    fall::ny_aktivitet(&state.app, &p, &id, &b.into()).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: String,
    pub date: String,
    pub kind: String,
    pub mode: String,
    pub minutes: u16,
    /// A referral's partner: its number in the agreement's list.
    pub partner: Option<u16>,
    /// The partner's kind when the referral was recorded.
    pub partner_kind: Option<String>,
}

/// A case's contacts and actions, in date order, with the ids that correct or remove them.
#[utoipa::path(get, path = "/api/v1/cases/{id}/activities", params(("id" = String, Path)), responses((status = 200, body = [ActivityOut]), (status = 403), (status = 404)))]
pub async fn activities(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<ActivityOut>>, ApiError> {
    let v = fall::visa(&state.app, &p, &id).await?;
    Ok(Json(
        v.aktiviteter
            .into_iter()
            .map(|(id, a)| ActivityOut {
                id,
                date: a.datum.to_string(),
                kind: boj_domain::kod::Kodlista::code(a.typ).into(),
                mode: boj_domain::kod::Kodlista::code(a.satt).into(),
                minutes: a.minuter,
                partner: a.partner.map(|h| h.id),
                partner_kind: a
                    .partner
                    .map(|h| boj_domain::kod::Kodlista::code(h.slag).into()),
            })
            .collect(),
    ))
}

/// Corrects a contact or action recorded wrongly (audited; 409 once retention has erased the case).
#[utoipa::path(put, path = "/api/v1/cases/{id}/activities/{aid}", params(("id" = String, Path), ("aid" = String, Path)), request_body = ActivityIn, responses((status = 204), (status = 404), (status = 409), (status = 422)))]
pub async fn correct_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, aid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ActivityIn>,
) -> Result<StatusCode, ApiError> {
    fall::ratta_aktivitet(&state.app, &p, &id, &aid, &b.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a contact or action recorded by mistake (audited; 409 once retention has erased the case).
#[utoipa::path(delete, path = "/api/v1/cases/{id}/activities/{aid}", params(("id" = String, Path), ("aid" = String, Path)), responses((status = 204), (status = 404), (status = 409)))]
pub async fn remove_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, aid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    fall::ta_bort_aktivitet(&state.app, &p, &id, &aid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    pub closed_on: String,
}

/// Closes a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", params(("id" = String, Path)), request_body = CloseIn, responses((status = 204), (status = 409), (status = 422)))]
pub async fn close(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CloseIn>,
) -> Result<StatusCode, ApiError> {
    fall::avsluta(&state.app, &p, &id, &b.closed_on).await?;
    Ok(StatusCode::NO_CONTENT)
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
    /// The agreement it is counted in. Absent: the organisation's only agreement in force on the
    /// date, or the one a party of which the court is named after; if that does not single one
    /// out, 422 asks for it.
    #[serde(default)]
    pub agreement_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdOut {
    pub id: String,
}

/// Records a witness-support session at court (counted per session, not per person).
#[utoipa::path(post, path = "/api/v1/witness-support", request_body = WitnessIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn witness(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<WitnessIn>,
) -> Result<Response, ApiError> {
    let c = &b.counts;
    let v = fall::Vittnesstod {
        datum: b.date,
        domstol: b.court,
        antal: [c.vittne, c.malsagande, c.anhorig_van, c.tilltalad],
        timmar: b.hours.to_string(),
        avtal: b.agreement_id,
    };
    let id = fall::vittnesstod(&state.app, &p, &v).await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
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
    /// The agreement they are counted in. Absent: the organisation's only agreement in force that
    /// month; if it has several, 422 asks for it.
    #[serde(default)]
    pub agreement_id: Option<String>,
}

/// Records volunteer hours for a month.
#[utoipa::path(post, path = "/api/v1/volunteer-hours", request_body = HoursIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn hours(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<HoursIn>,
) -> Result<Response, ApiError> {
    let id = fall::volontartimmar(
        &state.app,
        &p,
        &b.month,
        &b.kind,
        &b.hours.to_string(),
        b.agreement_id.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollaborationIn {
    pub agreement_id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The number of one of the agreement's collaboration partners.
    pub partner: u16,
    /// `mote`, `utbildning` or `utatriktat`.
    pub form: String,
    #[schema(value_type = f64)]
    pub hours: serde_json::Number,
}

/// Records collaboration work with a partner (meetings, joint training, outreach) for a month:
/// about the organisations, never about help-seekers.
#[utoipa::path(post, path = "/api/v1/collaboration", request_body = CollaborationIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn collaboration(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<CollaborationIn>,
) -> Result<Response, ApiError> {
    let id = fall::samverkan(
        &state.app,
        &p,
        &fall::Samverkansarbete {
            avtal: b.agreement_id,
            manad: b.month,
            partner: b.partner,
            form: b.form,
            timmar: b.hours.to_string(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
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
    let res = fall::forhandsbedom(
        &state.app,
        &p,
        &b.agreement_id,
        &b.opened_on,
        &b.person_type,
        &b.municipality,
    )
    .await?;
    Ok(Json(eligibility_out(&res)))
}

impl From<CaseIn> for fall::Registrering {
    fn from(c: CaseIn) -> Self {
        let k = c.contact.unwrap_or(ContactIn {
            name: None,
            phone: None,
            email: None,
        });
        fall::Registrering {
            agreement_id: c.agreement_id,
            opened_on: c.opened_on,
            poster: Poster {
                person: c.person_type,
                hem: c.municipality,
                kon: c.gender,
                alder: c.age_band,
                brott: c.crime_types,
                omstandigheter: c.circumstances,
                polis: c.police_report,
                forsta_kontakt: c.first_contact,
                informerad_11_6: c.informed_11_6,
            },
            samtycke: c.consent_contact,
            kontakt: Kontakt {
                name: k.name,
                phone: k.phone,
                email: k.email,
                note: c.note,
            },
            stodperson: c.assignee,
        }
    }
}

impl From<CasePatch> for fall::Rattelse {
    fn from(b: CasePatch) -> Self {
        fall::Rattelse {
            opened_on: b.opened_on,
            person: b.person_type,
            hem: b.municipality,
            kon: b.gender,
            alder: b.age_band,
            brott: b.crime_types,
            omstandigheter: b.circumstances,
            polis: b.police_report,
            forsta_kontakt: b.first_contact,
            informerad_11_6: b.informed_11_6,
            stodperson: b.assignee,
        }
    }
}
