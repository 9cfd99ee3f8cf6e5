//! The reports API of SPEC § 4 and the public signing keys.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, Failure};
use crate::extract::{ApiJson, ApiQuery};
use crate::visning::{PreviewTable, preview_out};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use boj_app::rapporter::{self, Rapport, forhandsgranska, ny_utgava, utfarda};
use boj_domain::datum::svensk_dag;
use boj_domain::{Datum, Principal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    pub agreement_id: String,
    /// `2026`, `2026-H1` or `2026-Q3`.
    pub period: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditionIn {
    /// Why: `rattelse_uppgift`, `sen_registrering` or `behorighet_omprovad` (published).
    pub reason: String,
    /// Free text for the organisation's record (never published), at most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdOut {
    pub id: String,
}

/// An issued report in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub id: String,
    pub period: String,
    pub edition: i64,
    pub issued_at: String,
    /// The day of issue in Sweden.
    pub issued_on: String,
    pub sha256: String,
    pub key_id: String,
    pub reason: Option<String>,
    /// The day the report was due (SPEC § 3.1: the agreement's reporting deadline).
    pub deadline: Option<String>,
    /// Whether the period's first edition was issued by its deadline.
    pub on_time: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportOut>,
}

/// An issued edition as the list shows it.
pub fn report_out(u: rapporter::Utgiven) -> ReportOut {
    let r = u.rapport;
    ReportOut {
        issued_at: jiff::Timestamp::from_second(r.issued_at)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        issued_on: svensk_dag(r.issued_at).to_string(),
        deadline: u.frist.map(|d| d.to_string()),
        on_time: u.i_tid,
        id: r.id,
        period: r.period,
        edition: r.edition,
        sha256: r.digest,
        key_id: r.key_id,
        reason: r.reason,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub agreement_id: String,
}

/// Issued reports of an agreement, newest edition first.
#[utoipa::path(get, path = "/api/v1/reports", params(ListQuery), responses((status = 200, body = ReportList)))]
pub async fn list(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ReportList>, ApiError> {
    let (_, v) = rapporter::lista(&state.app, &p, &q.agreement_id).await?;
    Ok(Json(ReportList {
        items: v.into_iter().map(report_out).collect(),
    }))
}

/// Issues the report of an ended period (coordinators of the agreement's organisation).
#[utoipa::path(post, path = "/api/v1/reports", request_body = IssueIn, responses((status = 201, body = IdOut), (status = 409), (status = 422)))]
pub async fn issue(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(b): ApiJson<IssueIn>,
) -> Result<Response, ApiError> {
    let id = utfarda(&state.app, &p, &b.agreement_id, &b.period).await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

/// A new edition of a cycle report after corrections; longer periods containing it follow.
#[utoipa::path(post, path = "/api/v1/reports/{id}/editions", params(("id" = String, Path)), request_body = EditionIn, responses((status = 201, body = IdOut), (status = 422)))]
pub async fn edition(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EditionIn>,
) -> Result<Response, ApiError> {
    let id = ny_utgava(&state.app, &p, &id, &b.reason, b.note.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

/// The signed report document (SPEC § 4), exactly as issued.
#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = String, Path)), responses((status = 200, description = "The signed JSON document")))]
pub async fn get(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (r, doc) = signed(&state, &p, &id, "json").await?;
    Ok(attachment(&r, "json", "application/json", doc.into_bytes()))
}

/// The signed document of a report `p` may read, after its download is audited.
async fn signed(
    state: &AppState,
    p: &Principal,
    id: &str,
    format: &str,
) -> Result<(Rapport, String), Failure> {
    let (r, _, doc) = rapporter::hamta(&state.app, p, id, format).await?;
    Ok((r, doc))
}

/// The published document of a report, parsed for the formats, after the download is audited.
async fn published(
    state: &AppState,
    p: &Principal,
    id: &str,
    format: &str,
) -> Result<(Rapport, boj_render::Dokument), Failure> {
    let (r, doc) = signed(state, p, id, format).await?;
    let d =
        boj_render::Dokument::las(doc.as_bytes()).map_err(|e| Failure::internal(e.to_string()))?;
    Ok((r, d))
}

fn attachment(r: &Rapport, ext: &str, mime: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"rapport-{}-utgava-{}.{ext}\"",
                    r.period, r.edition
                ),
            ),
        ],
        body,
    )
        .into_response()
}

/// The report as CSV in long format (UTF-8 with BOM, `;`), for Swedish Excel.
#[utoipa::path(get, path = "/api/v1/reports/{id}/csv", params(("id" = String, Path)), responses((status = 200, description = "CSV")))]
pub async fn csv(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (r, d) = published(&state, &p, &id, "csv").await?;
    let body = boj_render::csv_format::csv(&d).map_err(|e| Failure::internal(e.to_string()))?;
    Ok(attachment(&r, "csv", "text/csv; charset=utf-8", body))
}

/// The report as XLSX: one sheet per table and "Om rapporten".
#[utoipa::path(get, path = "/api/v1/reports/{id}/xlsx", params(("id" = String, Path)), responses((status = 200, description = "XLSX")))]
pub async fn xlsx(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (r, d) = published(&state, &p, &id, "xlsx").await?;
    let body = boj_render::xlsx::xlsx(&d).map_err(|e| Failure::internal(e.to_string()))?;
    Ok(attachment(
        &r,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body,
    ))
}

/// The report as a typeset PDF/A-3b with the signed JSON attached (`boj report verify` reads it).
#[utoipa::path(get, path = "/api/v1/reports/{id}/pdf", params(("id" = String, Path)), responses((status = 200, description = "PDF")))]
pub async fn pdf(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (r, doc) = signed(&state, &p, &id, "pdf").await?;
    let body = tokio::task::spawn_blocking(move || boj_render::pdf::pdf(doc.as_bytes()))
        .await
        .map_err(|e| Failure::internal(e.to_string()))?
        .map_err(|e| Failure::internal(e.to_string()))?;
    Ok(attachment(&r, "pdf", "application/pdf", body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    pub agreement_id: String,
    /// First day, inclusive (YYYY-MM-DD).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOut {
    pub agreement_id: String,
    pub from: String,
    pub to: String,
    pub tables: Vec<PreviewTable>,
}

/// Live numbers for any date range (coordinators only; never published).
#[utoipa::path(get, path = "/api/v1/reports/preview", params(PreviewQuery), responses((status = 200, body = PreviewOut)))]
pub async fn preview(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> Result<Json<PreviewOut>, ApiError> {
    let fran = Datum::parse(&q.from)?;
    let till = Datum::parse(&q.to)?;
    let t = forhandsgranska(&state.app, &p, &q.agreement_id, fran, till).await?;
    Ok(Json(PreviewOut {
        agreement_id: q.agreement_id,
        from: fran.to_string(),
        to: till.to_string(),
        tables: preview_out(&t),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyOut {
    pub id: String,
    pub organisation_id: String,
    pub alg: &'static str,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    pub items: Vec<KeyOut>,
}

/// Public keys that sign reports (public: anyone may verify a report).
#[utoipa::path(get, path = "/api/v1/keys", responses((status = 200, body = KeyList)))]
pub async fn keys(State(state): State<AppState>) -> Result<Json<KeyList>, ApiError> {
    Ok(Json(KeyList {
        items: rapporter::signeringsnycklar(&state.app)
            .await?
            .into_iter()
            .map(|k| KeyOut {
                id: k.id,
                organisation_id: k.organisation_id,
                alg: "Ed25519",
                public_key: boj_rapport::signatur::base64(&k.public_key),
                created_at: jiff::Timestamp::from_second(k.created_at)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            })
            .collect(),
    }))
}
