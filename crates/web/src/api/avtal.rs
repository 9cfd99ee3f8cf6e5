//! The agreement register's JSON API (SPEC § 4): agreements, versions, decisions, documents, signatures.
//! Reading needs `Action::LasAvtal` for the agreement; every write needs `Action::HanteraAvtal`.

use crate::AppState;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use boj_app::avtal::{self as register, Avtal, Beslut};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// Target groups (codes of `person_type`, not `annan`); default all four of § 22 2a.
    pub target_groups: Option<Vec<String>>,
    /// Groups that must live in a party municipality; default `brottsutsatt`.
    pub residence_required_for: Option<Vec<String>>,
    /// Statistics items of the documentation scheme; default all ten.
    pub items: Option<Vec<String>>,
    /// `kvartal`, `halvar` or `ar`; default `kvartal`.
    pub cycle: Option<String>,
    /// Days after a period's end by which its report is due; default 30.
    pub deadline_days: Option<u16>,
    /// Disclosure threshold; default 5.
    pub threshold: Option<u8>,
    /// Parties merged into one row in two-way tables.
    pub merged_municipalities: Option<Vec<String>>,
    /// Fixed recodings of tiny categories for publication: `kon_annat_okant`.
    pub merged_categories: Option<Vec<String>>,
    pub contact_retention_days: Option<u16>,
    pub inactive_close_days: Option<u16>,
}

impl From<SettingsIn> for register::Installningar {
    fn from(s: SettingsIn) -> Self {
        register::Installningar {
            malgrupper: s.target_groups,
            bosattning_kravs_for: s.residence_required_for,
            poster: s.items,
            cykel: s.cycle,
            frist_dagar: s.deadline_days,
            troskel: s.threshold,
            sma_kommuner: s.merged_municipalities,
            sammanslagningar: s.merged_categories,
            kontakt_dagar: s.contact_retention_days,
            inaktiv_dagar: s.inactive_close_days,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementIn {
    /// The organisation that delivers the services (required when creating).
    pub organisation_id: Option<String>,
    pub title: String,
    pub reference: String,
    pub valid_from: String,
    /// Null: until further notice.
    pub valid_to: Option<String>,
    pub notice_months: Option<u8>,
    #[serde(default)]
    pub services: String,
    /// SCB codes of the parties.
    pub parties: Vec<String>,
    pub settings: Option<SettingsIn>,
    /// For an amendment: what changed and why.
    pub change_note: Option<String>,
}

impl From<AgreementIn> for register::Forslag {
    fn from(b: AgreementIn) -> Self {
        register::Forslag {
            organisation_id: b.organisation_id,
            titel: b.title,
            referens: b.reference,
            fran: b.valid_from,
            till: b.valid_to,
            uppsagning_manader: b.notice_months,
            tjanster: b.services,
            parter: b.parties,
            installningar: b.settings.map(Into::into),
            andring: b.change_note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PartyOut {
    pub municipality: String,
    pub name: &'static str,
    /// `beslutad`, `vantar` or `avslagen`.
    pub status: &'static str,
    pub applies_from: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    pub title: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignatureOut {
    pub id: String,
    pub method: String,
    pub reference: String,
    pub signers: Vec<String>,
    pub signed_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub number: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: String,
    pub body: &'static str,
    pub municipality: Option<String>,
    pub decided_on: Option<String>,
    pub applies_from: Option<String>,
    pub paragraph: String,
    pub items: Vec<ItemOut>,
    pub outcome: &'static str,
    pub presenter: String,
    /// Sample data (the demo), not a real decision.
    pub sample: bool,
    pub documents: Vec<DocumentOut>,
    pub signatures: Vec<SignatureOut>,
}

impl From<&Beslut> for DecisionOut {
    fn from(b: &Beslut) -> Self {
        DecisionOut {
            id: b.id.clone(),
            body: b.utfall.organ.code(),
            municipality: b.utfall.kommun.map(|k| k.to_string()),
            decided_on: b.utfall.beslutsdatum.map(|d| d.to_string()),
            applies_from: b.utfall.galler_fran.map(|d| d.to_string()),
            paragraph: b.paragraph.clone(),
            items: b
                .items
                .iter()
                .map(|(n, t)| ItemOut {
                    number: n.clone(),
                    text: t.clone(),
                })
                .collect(),
            outcome: b.utfall.utfall.code(),
            presenter: b.presenter.clone(),
            sample: b.sample,
            documents: b
                .documents
                .iter()
                .map(|d| DocumentOut {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    filename: d.filename.clone(),
                    content_type: d.content_type.clone(),
                    size: d.size,
                    sha256: d.sha256.clone(),
                })
                .collect(),
            signatures: b
                .signatures
                .iter()
                .map(|s| SignatureOut {
                    id: s.id.clone(),
                    method: s.method.clone(),
                    reference: s.reference.clone(),
                    signers: s.signers.clone(),
                    signed_at: s.signed_at.map(|d| d.to_string()),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RuleOut {
    pub target_groups: Vec<String>,
    pub residence_required_for: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsOut {
    pub items: Vec<String>,
    pub cycle: &'static str,
    pub deadline_days: u16,
    pub threshold: u8,
    pub merged_municipalities: Vec<String>,
    pub merged_categories: Vec<String>,
    pub contact_retention_days: u16,
    pub inactive_close_days: u16,
    /// The neighbouring services and associations the agreement works with and refers people to.
    pub partners: Vec<PartnerOut>,
}

/// A collaboration partner of the agreement.
#[derive(Serialize, ToSchema)]
pub struct PartnerOut {
    /// Its number in the agreement, never reused: a referral names it.
    pub id: u16,
    pub name: String,
    /// `kvinnojour`, `tjejjour_ungdomsjour`, `socialtjanst`, `polis`, `halso_sjukvard`,
    /// `kyrka_trossamfund`, `annan_forening` or `annan_myndighet`.
    pub kind: String,
    pub orgnr: Option<String>,
}

/// The retention times retention runs by (SPEC § 3.2).
#[derive(Serialize, ToSchema)]
pub struct RetentionOut {
    pub contact_retention_days: u16,
    pub inactive_close_days: u16,
    /// The version whose shorter times wait for a coordinator of the organisation to accept them
    /// (`POST /api/v1/agreements/{id}/retention/accept`); until then these times apply.
    pub pending_version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: String,
    pub version: i64,
    pub latest_version: i64,
    pub title: String,
    pub reference: String,
    pub organisation: String,
    pub county: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub notice_months: Option<u8>,
    pub services: String,
    pub rule: RuleOut,
    /// This version's settings (its retention times may still wait: see `retention`).
    pub settings: SettingsOut,
    pub retention: RetentionOut,
    /// The settings are sample values (the demo).
    pub sample: bool,
    pub parties: Vec<PartyOut>,
    pub decisions: Vec<DecisionOut>,
    /// Grants per year (the grants register).
    pub grants: Vec<serde_json::Value>,
}

pub fn agreement_out(a: &Avtal, beslut: &[Beslut]) -> AgreementOut {
    let v = &a.version;
    let s = &v.settings;
    AgreementOut {
        id: a.id.clone(),
        version: v.number,
        latest_version: a.latest,
        title: v.title.clone(),
        reference: v.reference.clone(),
        organisation: a.organisation_id.clone(),
        county: a.lan.to_string(),
        valid_from: v.tid.fran.to_string(),
        valid_to: v.tid.till.map(|d| d.to_string()),
        notice_months: v.tid.uppsagning_manader,
        services: v.services.clone(),
        rule: RuleOut {
            target_groups: s.malgruppsregel.malgrupper.clone(),
            residence_required_for: s.malgruppsregel.bosattning_kravs_for.clone(),
        },
        settings: SettingsOut {
            items: s.dokumentationsposter.clone(),
            cycle: s.rapportcykel.code(),
            deadline_days: s.rapportfrist_dagar,
            threshold: s.troskel,
            merged_municipalities: s.sma_kommuner.clone(),
            merged_categories: s.sammanslagningar.clone(),
            contact_retention_days: s.kontaktuppgifter_raderas_dagar,
            inactive_close_days: s.inaktiv_stangs_dagar,
            partners: s
                .samverkanspartner
                .iter()
                .map(|p| PartnerOut {
                    id: p.id,
                    name: p.namn.clone(),
                    kind: p.slag.clone(),
                    orgnr: p.orgnr.clone(),
                })
                .collect(),
        },
        retention: RetentionOut {
            contact_retention_days: a.gallring.kontakt_dagar,
            inactive_close_days: a.gallring.inaktiv_dagar,
            pending_version: a.gallring_vantar,
        },
        sample: a.sample,
        parties: register::statustavla(a, beslut)
            .into_iter()
            .map(|r| PartyOut {
                municipality: r.kommun.to_string(),
                name: r.kommun.namn(),
                status: r.status.code(),
                applies_from: r.status.galler_fran().map(|d| d.to_string()),
            })
            .collect(),
        decisions: beslut.iter().map(DecisionOut::from).collect(),
        grants: Vec::new(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgreementsOut {
    pub items: Vec<AgreementOut>,
}

/// The agreements the caller may read, current versions.
#[utoipa::path(get, path = "/api/v1/agreements", responses((status = 200, body = AgreementsOut)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(p): Authed,
) -> Result<Json<AgreementsOut>, ApiError> {
    let items = register::lasbara_med_beslut(&state.app, &p)
        .await?
        .iter()
        .map(|x| agreement_out(&x.avtal, &x.beslut))
        .collect();
    Ok(Json(AgreementsOut { items }))
}

/// One agreement: the current version, parties with status, decisions, documents, signatures.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", params(("id" = String, Path)),
    responses((status = 200, body = AgreementOut), (status = 403), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<AgreementOut>, ApiError> {
    let a = register::las(&state.app, &p, &id).await?;
    let b = register::beslut(&state.app, &a).await?;
    Ok(Json(agreement_out(&a, &b)))
}

/// Registers an agreement for the strategist's county.
#[utoipa::path(post, path = "/api/v1/agreements", request_body = AgreementIn,
    responses((status = 201, body = AgreementOut), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(body): ApiJson<AgreementIn>,
) -> Result<Response, ApiError> {
    let a = register::skapa(&state.app, &p, body.into()).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(&a, &[]))).into_response())
}

/// Amends an agreement: a new version; old versions stay readable.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/versions", params(("id" = String, Path)), request_body = AgreementIn,
    responses((status = 201, body = AgreementOut), (status = 403), (status = 422)))]
pub async fn amend(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgreementIn>,
) -> Result<Response, ApiError> {
    let a = register::andra(&state.app, &p, &id, body.into()).await?;
    let b = register::beslut(&state.app, &a).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(&a, &b))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerIn {
    pub name: String,
    /// A code of the partner kinds (see `PartnerOut::kind`).
    pub kind: String,
    /// The partner's organisation number, if known.
    #[serde(default)]
    pub orgnr: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerAddedOut {
    /// The new partner's number.
    pub id: u16,
    /// The agreement's new version, which holds it.
    pub version: i64,
}

/// Adds a collaboration partner to the agreement's list (a new version of the agreement): the
/// county strategist or a coordinator of the organisation.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/partners", params(("id" = String, Path)), request_body = PartnerIn,
    responses((status = 201, body = PartnerAddedOut), (status = 403), (status = 409), (status = 422)))]
pub async fn add_partner(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PartnerIn>,
) -> Result<Response, ApiError> {
    let (nr, a) = register::samverkanspartner(
        &state.app,
        &p,
        &id,
        register::Partnerandring::LaggTill {
            namn: b.name,
            slag: b.kind,
            orgnr: b.orgnr,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(PartnerAddedOut {
            id: nr,
            version: a.version.number,
        }),
    )
        .into_response())
}

/// Removes a collaboration partner from the agreement's list (a new version of the agreement).
/// Referrals and collaboration work already recorded keep naming it.
#[utoipa::path(delete, path = "/api/v1/agreements/{id}/partners/{partner}",
    params(("id" = String, Path), ("partner" = u16, Path, description = "The partner's number")),
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn remove_partner(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, partner)): Path<(String, u16)>,
) -> Result<StatusCode, ApiError> {
    register::samverkanspartner(
        &state.app,
        &p,
        &id,
        register::Partnerandring::TaBort(partner),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The version whose shorter retention times the coordinator read and accepts.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRetentionIn {
    pub version: i64,
}

/// A coordinator of the organisation accepts the shorter retention times an amendment proposed;
/// they take effect now (SPEC § 3.2). 409 when another version waits than the one named.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/retention/accept", params(("id" = String, Path)), request_body = AcceptRetentionIn,
    responses((status = 200, body = AgreementOut), (status = 403), (status = 404), (status = 409)))]
pub async fn accept_retention(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AcceptRetentionIn>,
) -> Result<Json<AgreementOut>, ApiError> {
    let a = register::godkann_gallring(&state.app, &p, &id, body.version).await?;
    let b = register::beslut(&state.app, &a).await?;
    Ok(Json(agreement_out(&a, &b)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub number: String,
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `socsam`, `kommunfullmaktige`, `kommunstyrelse`, `socialnamnd` or `annan`.
    pub body: String,
    pub municipality: Option<String>,
    pub decided_on: Option<String>,
    pub applies_from: Option<String>,
    pub paragraph: String,
    pub items: Vec<ItemIn>,
    /// `bifall`, `avslag` or `aterremiss`.
    pub outcome: String,
    #[serde(default)]
    pub presenter: String,
}

impl From<DecisionIn> for register::Beslutsforslag {
    fn from(d: DecisionIn) -> Self {
        register::Beslutsforslag {
            organ: d.body,
            kommun: d.municipality,
            beslutsdatum: d.decided_on,
            galler_fran: d.applies_from,
            paragraf: d.paragraph,
            punkter: d.items.into_iter().map(|i| (i.number, i.text)).collect(),
            utfall: d.outcome,
            foredragande: d.presenter,
        }
    }
}

/// Records a decision of a body; for a municipality, its latest decision governs its status.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/decisions", params(("id" = String, Path)), request_body = DecisionIn,
    responses((status = 201, body = DecisionOut), (status = 403), (status = 422)))]
pub async fn add_decision(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionIn>,
) -> Result<Response, ApiError> {
    let (_, b) = register::nytt_beslut(&state.app, &p, &id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(DecisionOut::from(&b))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureIn {
    /// E.g. `e-signatur`.
    pub method: String,
    /// The signing service's transaction reference.
    pub reference: String,
    pub signers: Vec<String>,
    pub signed_at: Option<String>,
}

/// Records how a decision was signed.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/signatures", params(("id" = String, Path)), request_body = SignatureIn,
    responses((status = 201, body = SignatureOut), (status = 403), (status = 422)))]
pub async fn add_signature(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SignatureIn>,
) -> Result<Response, ApiError> {
    let (_, s) = register::underskrift(
        &state.app,
        &p,
        &id,
        &body.method,
        &body.reference,
        &body.signers,
        body.signed_at.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignatureOut {
            id: s.id,
            method: s.method,
            reference: s.reference,
            signers: s.signers,
            signed_at: s.signed_at.map(|d| d.to_string()),
        }),
    )
        .into_response())
}

/// Uploads a document of a decision (multipart: `file`, optional `title`); stored with its SHA-256.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/documents", params(("id" = String, Path)),
    responses((status = 201, body = DocumentOut), (status = 403), (status = 413), (status = 422)))]
pub async fn add_document(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    m: Multipart,
) -> Result<Response, ApiError> {
    // Authorised before the upload is read.
    register::beslutet(&state.app, &p, &id, true).await?;
    let u = crate::extract::read_upload(m).await?;
    let (_, d) = register::nytt_dokument(&state.app, &p, &id, u).await?;
    Ok((
        StatusCode::CREATED,
        Json(DocumentOut {
            id: d.id,
            title: d.title,
            filename: d.filename,
            content_type: d.content_type,
            size: d.size,
            sha256: d.sha256,
        }),
    )
        .into_response())
}

/// A decision's document, checked against its SHA-256.
#[utoipa::path(get, path = "/api/v1/documents/{id}", params(("id" = String, Path)),
    responses((status = 200), (status = 403), (status = 404), (status = 409)))]
pub async fn get_document(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = register::dokument(&state.app, &p, &id).await?;
    Ok(crate::visning::dokument(meta, bytes))
}
