//! Grants and population, the API (SPEC § 3.4): register a grant, read a year's split, import
//! SCB's population file. The use cases are `boj_app::bidrag`.

use crate::AppState;
use crate::auth::Authed;
use crate::error::{ApiError, Failure};
use crate::extract::{ApiJson, ApiQuery};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use boj_app::bidrag::{self as bidrag, Bidrag, Bidragsforslag};
use boj_domain::fordelning::Andel;
use boj_domain::{Code, Kronor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn unprocessable(code: Code, msg: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

/// An amount given as a JSON number: whole, non-negative kronor.
fn kronor(v: &serde_json::Number, what: &str) -> Result<Kronor, Failure> {
    match v.as_u64() {
        Some(n) => Ok(Kronor::from_whole(n)?),
        None if v.as_i64().is_some_and(|n| n < 0) => Err(unprocessable(
            Code::OgiltigtBelopp,
            format!("{what} får inte vara negativt."),
        )),
        None => Err(unprocessable(
            Code::OgiltigtBelopp,
            format!("{what} ska vara hela kronor, utan ören."),
        )),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    pub year: i64,
    /// Whole kronor.
    #[schema(value_type = u64)]
    pub amount_kr: serde_json::Number,
    /// The decision behind the grant (a decision of this agreement).
    pub decision_id: String,
    /// `befolkning` (default), `lika`, `grund_plus_befolkning` or `fasta_andelar`.
    #[serde(default)]
    pub key: Option<String>,
    /// For `grund_plus_befolkning`: the base per municipality, whole kronor.
    #[schema(value_type = Option<u64>)]
    pub base_kr: Option<serde_json::Number>,
    /// For `fasta_andelar`: per cent per municipality code, at most two decimals, summing to 100.
    #[schema(value_type = Option<Object>)]
    pub shares: Option<std::collections::BTreeMap<String, serde_json::Number>>,
    /// `arsvis` (default) or `kvartalsvis`.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Population reference date; default the newest on file.
    pub population_date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationRow {
    pub municipality: String,
    pub name: &'static str,
    pub population: Option<u64>,
    /// Share of the amount, 0–1.
    pub share: f64,
    pub amount_kr: u64,
    pub kr_per_inhabitant: Option<f64>,
    pub instalments: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct AllocationOut {
    pub year: i16,
    pub amount_kr: u64,
    pub key: &'static str,
    pub schedule: &'static str,
    pub decision_id: String,
    pub population_date: Option<String>,
    pub rows: Vec<AllocationRow>,
}

fn allocation_out(g: &Bidrag, rows: &[Andel]) -> AllocationOut {
    let total = g.amount.whole();
    AllocationOut {
        year: g.year,
        amount_kr: total,
        key: g.key.code(),
        schedule: g.schedule.code(),
        decision_id: g.decision_id.clone(),
        population_date: g.population_date.map(|d| d.to_string()),
        rows: rows
            .iter()
            .map(|r| AllocationRow {
                municipality: r.kommun.to_string(),
                name: r.kommun.namn(),
                population: r.folkmangd,
                share: if total == 0 {
                    0.0
                } else {
                    ((r.belopp as f64 / total as f64) * 1e6).round() / 1e6
                },
                amount_kr: r.belopp,
                kr_per_inhabitant: r
                    .folkmangd
                    .filter(|n| *n > 0)
                    .map(|n| ((r.belopp as f64 / n as f64) * 100.0).round() / 100.0),
                instalments: r.delbetalningar.clone(),
            })
            .collect(),
    }
}

/// Registers a grant for a year; 409 with the existing id if the year has one.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/grants", params(("id" = String, Path)), request_body = GrantIn,
    responses((status = 201, body = AllocationOut), (status = 409), (status = 422)))]
pub async fn create_grant(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantIn>,
) -> Result<Response, ApiError> {
    // Authorised before the amounts are read (as before: 403/404 come first).
    boj_app::avtal::hantera(&state.app, &p, &id).await?;
    let grund = if body.key.as_deref() == Some("grund_plus_befolkning") {
        body.base_kr
            .as_ref()
            .map(|b| kronor(b, "Grundbeloppet"))
            .transpose()?
    } else {
        None
    };
    let f = Bidragsforslag {
        ar: body.year,
        belopp: kronor(&body.amount_kr, "Beloppet")?,
        beslut: body.decision_id,
        nyckel: body.key,
        grund,
        andelar: body
            .shares
            .map(|m| m.into_iter().map(|(k, v)| (k, v.to_string())).collect()),
        schema: body.schedule,
        befolkningsdatum: body.population_date,
    };
    let (g, rows) = bidrag::nytt_bidrag(&state.app, &p, &id, f).await?;
    Ok((StatusCode::CREATED, Json(allocation_out(&g, &rows))).into_response())
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: i64,
}

/// The split of a year's grant among the parties, exact to the krona.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/allocation", params(("id" = String, Path), ("year" = i64, Query)),
    responses((status = 200, body = AllocationOut), (status = 404)))]
pub async fn allocation(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<AllocationOut>, ApiError> {
    let (_, g, rows) = bidrag::arets(&state.app, &p, &id, q.year).await?;
    Ok(Json(allocation_out(&g, &rows)))
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub reference_date: String,
    pub municipalities: usize,
}

/// Imports SCB's population file (multipart: `file`, optional `date`); all rows or none.
#[utoipa::path(post, path = "/api/v1/population", responses((status = 201, body = ImportOut), (status = 422)))]
pub async fn import_api(
    State(state): State<AppState>,
    Authed(p): Authed,
    m: Multipart,
) -> Result<Response, ApiError> {
    let (bytes, date) = crate::extract::read_population(m).await?;
    let (d, n) = bidrag::importera_befolkning(&state.app, Some(&p), &bytes, &date).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportOut {
            reference_date: d.to_string(),
            municipalities: n,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayerIn {
    /// The municipality's organisation number (`212000-0000` form); empty or `null` removes it.
    #[serde(default)]
    pub orgnr: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PayerOut {
    pub municipality: String,
    pub orgnr: Option<String>,
}

/// Enters a party municipality's organisation number, which its invoice bases name as the payer's.
#[utoipa::path(put, path = "/api/v1/agreements/{id}/parties/{kod}/orgnr",
    params(("id" = String, Path), ("kod" = String, Path, description = "The municipality code")),
    request_body = PayerIn, responses((status = 200, body = PayerOut), (status = 403), (status = 404), (status = 422)))]
pub async fn set_payer_orgnr(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, kod)): Path<(String, String)>,
    ApiJson(body): ApiJson<PayerIn>,
) -> Result<Json<PayerOut>, ApiError> {
    let nr = bidrag::satt_betalarens_orgnr(
        &state.app,
        &p,
        &id,
        &kod,
        body.orgnr.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(PayerOut {
        municipality: boj_domain::Kommunkod::parse(&kod)?.to_string(),
        orgnr: nr.map(|n| n.to_string()),
    }))
}
