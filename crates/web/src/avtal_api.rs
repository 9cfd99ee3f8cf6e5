//! The agreement register's JSON API (SPEC § 4): agreements, versions, decisions, documents, signatures.
//! Reading needs `Action::LasAvtal` for the agreement; every write needs `Action::HanteraAvtal`.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, Failure};
use crate::extract::ApiJson;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use boj_domain::avtal::{
    self as regel, Avtalsinstallningar, Avtalstid, Beslutsorgan, Malgruppsregel, Utfall,
};
use boj_domain::{Action, Code, Cykel, Datum, Kommunkod, Principal, Scope, authorize};
use boj_store::avtal::{self, Avtal, Beslut, Hamtat, NyttBeslut, Utkast};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Loads an agreement and checks that `p` may do `what` with it.
pub async fn load(
    state: &AppState,
    p: &Principal,
    id: &str,
    write: bool,
) -> Result<Avtal, Failure> {
    let a = avtal::get(&state.store, id).await?;
    let action = if write {
        Action::HanteraAvtal(Some(a.omfang()))
    } else {
        Action::LasAvtal(Some(a.omfang()))
    };
    authorize(p, action)?;
    Ok(a)
}

/// Loads a decision and its agreement, checking that `p` may do `what` with the agreement.
pub async fn load_decision(
    state: &AppState,
    p: &Principal,
    id: &str,
    write: bool,
) -> Result<(Avtal, Beslut), Failure> {
    let b = avtal::get_decision(&state.store, id).await?;
    let a = load(state, p, &b.agreement_id, write).await?;
    Ok((a, b))
}

/// The agreements `p` may read.
pub async fn readable(state: &AppState, p: &Principal) -> Result<Vec<Avtal>, Failure> {
    Ok(avtal::list(&state.store)
        .await?
        .into_iter()
        .filter(|a| authorize(p, Action::LasAvtal(Some(a.omfang()))).is_ok())
        .collect())
}

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

impl SettingsIn {
    pub fn parse(self, base: &Avtalsinstallningar) -> Result<Avtalsinstallningar, Failure> {
        let mut s = base.clone();
        if self.target_groups.is_some() || self.residence_required_for.is_some() {
            s.malgruppsregel = Malgruppsregel::new(
                &self
                    .target_groups
                    .unwrap_or(base.malgruppsregel.malgrupper.clone()),
                &self
                    .residence_required_for
                    .unwrap_or(base.malgruppsregel.bosattning_kravs_for.clone()),
            )?;
        }
        if let Some(i) = self.items {
            s.dokumentationsposter = i;
        }
        if let Some(c) = self.cycle {
            s.rapportcykel = Cykel::parse(&c)?;
        }
        if let Some(v) = self.deadline_days {
            s.rapportfrist_dagar = v;
        }
        if let Some(v) = self.threshold {
            s.troskel = v;
        }
        if let Some(v) = self.merged_municipalities {
            s.sma_kommuner = v;
        }
        if let Some(v) = self.merged_categories {
            s.sammanslagningar = v;
        }
        if let Some(v) = self.contact_retention_days {
            s.kontaktuppgifter_raderas_dagar = v;
        }
        if let Some(v) = self.inactive_close_days {
            s.inaktiv_stangs_dagar = v;
        }
        Ok(s)
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

pub fn utkast(
    body: AgreementIn,
    base: &Avtalsinstallningar,
) -> Result<(Utkast, Option<String>, Option<String>), Failure> {
    let fran = Datum::parse(&body.valid_from)?;
    let till = body
        .valid_to
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(Datum::parse)
        .transpose()?;
    let tid = Avtalstid::new(fran, till, body.notice_months)?;
    let parter = regel::parter(&body.parties)?;
    let settings = body.settings.unwrap_or_default().parse(base)?;
    Ok((
        Utkast {
            title: body.title,
            reference: body.reference,
            tid,
            services: body.services,
            settings,
            parter,
        },
        body.organisation_id,
        body.change_note,
    ))
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
    pub settings: SettingsOut,
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
        },
        sample: a.sample,
        parties: avtal::status_board(a, beslut)
            .into_iter()
            .map(|(k, st)| PartyOut {
                municipality: k.to_string(),
                name: k.namn(),
                status: st.code(),
                applies_from: st.galler_fran().map(|d| d.to_string()),
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
    let mut items = Vec::new();
    for a in readable(&state, &p).await? {
        let b = avtal::decisions(&state.store, &a.id).await?;
        items.push(agreement_out(&a, &b));
    }
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
    let a = load(&state, &p, &id, false).await?;
    let b = avtal::decisions(&state.store, &a.id).await?;
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
    let Scope::Lan(lan) = p.scope else {
        return Err(Failure::from(boj_domain::Denied {
            code: Code::ForbjudenAtgard,
            message: "Endast förbundsstrateger registrerar överenskommelser.",
        })
        .into());
    };
    let (u, org, _) = utkast(body, &Avtalsinstallningar::default())?;
    let org = org.ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigForfragan,
            "Ange organisation_id.",
        )
    })?;
    let a = avtal::create(&state.store, Some(&p.user_id), &org, lan, false, &u).await?;
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
    let a = load(&state, &p, &id, true).await?;
    let (u, _, note) = utkast(body, &a.version.settings)?;
    let note = note.unwrap_or_default();
    let a = avtal::amend(&state.store, Some(&p.user_id), &id, &u, &note).await?;
    // The cases are judged again in the background (`arenden::omprova_vantande`).
    state.omprovning.notify_one();
    let b = avtal::decisions(&state.store, &a.id).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(&a, &b))).into_response())
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

pub fn nytt_beslut(d: DecisionIn) -> Result<NyttBeslut, Failure> {
    let opt_date = |s: Option<String>| {
        s.filter(|s| !s.trim().is_empty())
            .map(|s| Datum::parse(&s))
            .transpose()
    };
    Ok(NyttBeslut {
        organ: Beslutsorgan::parse(&d.body)?,
        kommun: d
            .municipality
            .filter(|s| !s.trim().is_empty())
            .map(|s| Kommunkod::parse(&s))
            .transpose()?,
        beslutsdatum: opt_date(d.decided_on)?,
        galler_fran: opt_date(d.applies_from)?,
        paragraph: d.paragraph,
        utfall: Utfall::parse(&d.outcome)?,
        presenter: d.presenter,
        items: d.items.into_iter().map(|i| (i.number, i.text)).collect(),
        sample: false,
    })
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
    let a = load(&state, &p, &id, true).await?;
    let b = avtal::add_decision(&state.store, Some(&p.user_id), &a, &nytt_beslut(body)?).await?;
    // The cases are judged again in the background (`arenden::omprova_vantande`).
    state.omprovning.notify_one();
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
    load_decision(&state, &p, &id, true).await?;
    let signed_at = body
        .signed_at
        .filter(|s| !s.trim().is_empty())
        .map(|s| Datum::parse(&s))
        .transpose()
        .map_err(Failure::from)?;
    let s = avtal::add_signature(
        &state.store,
        Some(&p.user_id),
        &id,
        &body.method,
        &body.reference,
        &body.signers,
        signed_at,
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

/// The fields of a document upload, read from a multipart form.
pub struct Upload {
    pub title: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

pub async fn read_upload(mut m: Multipart) -> Result<Upload, Failure> {
    let too_large = || crate::extract::too_large();
    let mut title = String::new();
    let mut file: Option<(String, Option<String>, Bytes)> = None;
    while let Some(field) = m.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Failure::bad_request("Uppladdningen kunde inte läsas.")
        }
    })? {
        match field.name() {
            Some("title") => {
                title = field
                    .text()
                    .await
                    .map_err(|_| Failure::bad_request("Titeln kunde inte läsas."))?
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let ct = field.content_type().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        Failure::bad_request("Filen kunde inte läsas.")
                    }
                })?;
                file = Some((name, ct, bytes));
            }
            _ => {}
        }
    }
    let (filename, content_type, bytes) = file.ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDokument,
            "Välj en fil att ladda upp.",
        )
    })?;
    let title = if title.trim().is_empty() {
        filename.clone()
    } else {
        title
    };
    Ok(Upload {
        title,
        filename,
        content_type,
        bytes,
    })
}

/// Stores an upload after checking its type against its bytes.
pub async fn store_upload(
    state: &AppState,
    p: &Principal,
    decision_id: &str,
    u: Upload,
) -> Result<avtal::DokumentMeta, Failure> {
    let ct = boj_domain::dokument::dokumenttyp(&u.filename, u.content_type.as_deref(), &u.bytes)?;
    Ok(avtal::add_document(
        &state.store,
        Some(&p.user_id),
        decision_id,
        &u.title,
        &u.filename,
        ct,
        u.bytes.to_vec(),
    )
    .await?)
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
    load_decision(&state, &p, &id, true).await?;
    let d = store_upload(&state, &p, &id, read_upload(m).await?).await?;
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

/// Serves a document after checking its bytes against its SHA-256; a changed document is refused.
pub async fn serve_document(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<Response, Failure> {
    let (meta, agreement_id, bytes) = match avtal::document(&state.store, id).await? {
        Hamtat::Ok {
            meta,
            agreement_id,
            bytes,
        } => (meta, agreement_id, bytes),
        Hamtat::UtanFil { agreement_id, .. } => {
            load(state, p, &agreement_id, false).await?;
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                Code::HittasInte,
                "Dokumentet är registrerat, men filen finns inte i boj.",
            ));
        }
        Hamtat::Andrat { agreement_id, .. } => {
            load(state, p, &agreement_id, false).await?;
            boj_store::audit::record(
                &state.store,
                Some(&p.user_id),
                "dokument.andrat_upptackt",
                Some(id),
            )
            .await?;
            return Err(Failure::new(
                StatusCode::CONFLICT,
                Code::DokumentetArAndrat,
                "Dokumentets innehåll stämmer inte med den kontrollsumma (SHA-256) det sparades med. Det visas inte; kontakta administratören.",
            ));
        }
    };
    load(state, p, &agreement_id, false).await?;
    let filename = meta
        .filename
        .unwrap_or_else(|| "dokument".into())
        .replace(['"', '\\', '\r', '\n'], "_");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                meta.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    filename.replace(|c: char| !c.is_ascii(), "_")
                ),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                meta.sha256.unwrap_or_default(),
            ),
        ],
        bytes,
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
    Ok(serve_document(&state, &p, &id).await?)
}
