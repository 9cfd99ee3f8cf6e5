//! Grants and population (SPEC § 3.4): the API, the pages, the invoice basis (printable and CSV).
//! The split is `boj_domain::fordelning::fordela`; this module gathers its inputs and shows it.

use crate::AppState;
use crate::auth::{Authed, Who};
use crate::avtal_api::load;
use crate::error::{ApiError, Failure, PageError};
use crate::extract::{ApiJson, ApiQuery};
use crate::extract::{Pairs, one, pairs};
use crate::pages::{Layout, render};
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use boj_domain::fordelning::{self, Andel, Nyckel, Part, Schema};
use boj_domain::{Action, Code, Datum, Kommunkod, Kronor, Principal, authorize, folkmangd};
use boj_render::csv_format::saker;
use boj_store::avtal::{self, Avtal};
use boj_store::bidrag::{self, Bidrag};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn unprocessable(code: Code, msg: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

/// The parties that share a grant: every party of the current version except those that rejected
/// the agreement (pending parties are expected to join and are invoiced like the others).
pub async fn split(state: &AppState, a: &Avtal, g: &Bidrag) -> Result<Vec<Andel>, Failure> {
    // A registered grant's split is stored as decided; later decisions or imports never change it.
    if !g.id.is_empty() {
        let stored = bidrag::parts(&state.store, &g.id).await?;
        if !stored.is_empty() {
            return Ok(stored);
        }
    }
    compute_split(state, a, g).await
}

/// Computes a split from today's party statuses and the population figures of the grant's date.
async fn compute_split(state: &AppState, a: &Avtal, g: &Bidrag) -> Result<Vec<Andel>, Failure> {
    let mut parts = Vec::new();
    for (k, st) in avtal::board(&state.store, a).await? {
        if !fordelning::betalar(st) {
            continue;
        }
        let folkmangd = match g.population_date {
            Some(d) => bidrag::population(&state.store, k, d).await?,
            None => None,
        };
        parts.push(Part {
            kommun: k,
            folkmangd,
        });
    }
    Ok(fordelning::fordela(g.amount, &parts, &g.key, g.schedule)?)
}

/// A decision as one line: body, paragraph and date.
fn decision_label(b: &avtal::Beslut) -> String {
    let date = b
        .utfall
        .beslutsdatum
        .map(|x| format!(", {x}"))
        .unwrap_or_default();
    format!("{} {}{date}", b.utfall.organ.label(), b.paragraph)
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

/// A share in per cent with at most two decimals, in basis points (`boj_domain::tal`, the parser
/// hours also use).
fn percent_bp(v: &serde_json::Number) -> Result<u32, Failure> {
    boj_domain::tal::hundradelar(&v.to_string(), 10_000).ok_or_else(|| {
        unprocessable(
            Code::OgiltigForfragan,
            "En andel ska vara ett tal mellan 0 och 100 med högst två decimaler.",
        )
    })
}

/// Parses a grant, checks its decision and computes its split once, so that nothing is saved that
/// cannot be split.
async fn grant(
    state: &AppState,
    a: &Avtal,
    body: GrantIn,
) -> Result<(Bidrag, Vec<Andel>), Failure> {
    let year = bidrag::check_year(body.year)?;
    let amount = kronor(&body.amount_kr, "Beloppet")?;
    let key = match body.key.as_deref().unwrap_or("befolkning") {
        "befolkning" => Nyckel::Befolkning,
        "lika" => Nyckel::Lika,
        "grund_plus_befolkning" => Nyckel::GrundPlusBefolkning {
            grund: kronor(
                body.base_kr.as_ref().ok_or_else(|| {
                    unprocessable(Code::OgiltigtBelopp, "Ange grundbeloppet (base_kr).")
                })?,
                "Grundbeloppet",
            )?,
        },
        "fasta_andelar" => {
            let shares = body
                .shares
                .ok_or_else(|| unprocessable(Code::OgiltigForfragan, "Ange andelarna (shares)."))?;
            Nyckel::FastaAndelar(
                shares
                    .iter()
                    .map(|(k, v)| Ok((Kommunkod::parse(k)?, percent_bp(v)?)))
                    .collect::<Result<_, Failure>>()?,
            )
        }
        other => {
            return Err(unprocessable(
                Code::OgiltigKod,
                format!(
                    "”{other}” är ingen fördelningsnyckel. Giltiga: befolkning, lika, grund_plus_befolkning, fasta_andelar."
                ),
            ));
        }
    };
    let schedule = Schema::parse(body.schedule.as_deref().unwrap_or("arsvis"))?;
    let population_date = match body
        .population_date
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        Some(d) => Some(Datum::parse(d)?),
        None if key.needs_population() => {
            let newest = bidrag::population_dates(&state.store)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    unprocessable(
                        Code::OgiltigForfragan,
                        "Det finns inga befolkningsuppgifter. Importera SCB:s folkmängd först.",
                    )
                })?;
            Some(Datum::parse(&newest)?)
        }
        None => None,
    };
    let decision = avtal::get_decision(&state.store, &body.decision_id)
        .await
        .map_err(|e| match e {
            boj_store::StoreError::NotFound => {
                unprocessable(Code::OgiltigForfragan, "Beslutet finns inte.")
            }
            other => other.into(),
        })?;
    if decision.agreement_id != a.id {
        return Err(unprocessable(
            Code::OgiltigForfragan,
            "Beslutet hör till en annan överenskommelse.",
        ));
    }
    let g = Bidrag {
        id: String::new(),
        agreement_id: a.id.clone(),
        year,
        amount,
        decision_id: decision.id,
        key,
        schedule,
        population_date,
    };
    let parts = compute_split(state, a, &g).await?;
    Ok((g, parts))
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
    let a = load(&state, &p, &id, true).await?;
    let (g, rows) = grant(&state, &a, body).await?;
    let g = bidrag::create(&state.store, Some(&p.user_id), &g, &rows).await?;
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
    let a = load(&state, &p, &id, false).await?;
    let g = bidrag::for_year(&state.store, &a.id, bidrag::check_year(q.year)?).await?;
    let rows = split(&state, &a, &g).await?;
    Ok(Json(allocation_out(&g, &rows)))
}

/// Imports a population file (multipart `file`, optional `date`) into the register.
pub async fn import(
    state: &AppState,
    p: &Principal,
    mut m: Multipart,
) -> Result<(Datum, usize), Failure> {
    let mut bytes = None;
    let mut date = String::new();
    while let Some(field) = m
        .next_field()
        .await
        .map_err(|_| Failure::bad_request("Uppladdningen kunde inte läsas."))?
    {
        match field.name() {
            Some("file") => {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|_| crate::extract::too_large())?,
                )
            }
            Some("date") => date = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| unprocessable(Code::OgiltigFil, "Välj en fil."))?;
    let parsed = folkmangd::las(&bytes).map_err(|e| Failure::from(folkmangd::fel(&e)))?;
    let date = reference_date(&date, parsed.ar)?;
    boj_store::bidrag::import_population(&state.store, Some(&p.user_id), date, &parsed.rader)
        .await?;
    Ok((date, parsed.rader.len()))
}

/// The reference date: as given, else 31 December of the file's year (SPEC § 4).
pub fn reference_date(given: &str, year: Option<i16>) -> Result<Datum, Failure> {
    if !given.trim().is_empty() {
        return Ok(Datum::parse(given)?);
    }
    let y = year.ok_or_else(|| {
        unprocessable(
            Code::OgiltigtDatum,
            "Filen anger inget år; ange referensdatum.",
        )
    })?;
    Ok(Datum::parse(&format!("{y}-12-31"))?)
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
    let (d, n) = import(&state, &p, m).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportOut {
            reference_date: d.to_string(),
            municipalities: n,
        }),
    )
        .into_response())
}

// ---- Pages ----

/// A year's split, ready for the page.
pub struct Ar {
    pub year: i16,
    pub amount: String,
    pub key: String,
    pub schedule: &'static str,
    pub population_date: String,
    pub decision: String,
    pub rows: Vec<Rad>,
    pub sum: String,
}

pub struct Rad {
    pub kod: String,
    pub namn: &'static str,
    pub folkmangd: String,
    pub andel: String,
    pub belopp: String,
    pub per_invanare: String,
    pub own_invoice: bool,
}

fn kr(n: u64) -> String {
    Kronor::from_whole(n)
        .map(|k| k.to_string())
        .unwrap_or_default()
}

async fn year_view(state: &AppState, p: &Principal, a: &Avtal, g: &Bidrag) -> Result<Ar, Failure> {
    let rows = split(state, a, g).await?;
    let d = avtal::get_decision(&state.store, &g.decision_id).await?;
    let total = g.amount.whole();
    Ok(Ar {
        year: g.year,
        amount: g.amount.to_string(),
        key: g.key.label(),
        schedule: g.schedule.label(),
        population_date: g
            .population_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "–".into()),
        decision: decision_label(&d),
        sum: kr(rows.iter().map(|r| r.belopp).sum()),
        rows: rows
            .iter()
            .map(|r| Rad {
                kod: r.kommun.to_string(),
                namn: r.kommun.namn(),
                folkmangd: r
                    .folkmangd
                    .map(|n| kr(n).trim_end_matches("\u{a0}kr").to_string())
                    .unwrap_or_else(|| "–".into()),
                andel: if total == 0 {
                    "–".into()
                } else {
                    format!("{:.2} %", r.belopp as f64 * 100.0 / total as f64).replace('.', ",")
                },
                belopp: kr(r.belopp),
                per_invanare: r
                    .folkmangd
                    .and_then(|n| fordelning::kr_per_invanare(r.belopp, n))
                    .map(|s| format!("{s} kr"))
                    .unwrap_or_else(|| "–".into()),
                own_invoice: authorize(p, Action::LasFakturaunderlag(Some((a.omfang(), r.kommun))))
                    .is_ok(),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "bidrag.html")]
struct BidragPage {
    layout: Layout,
    a: Avtal,
    years: Vec<Ar>,
    manage: bool,
    decisions: Vec<(String, String)>,
    dates: Vec<String>,
    parties: Vec<(String, &'static str)>,
    error: Option<String>,
}

async fn bidrag_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    id: &str,
    error: Option<String>,
) -> Result<BidragPage, PageError> {
    let a = load(state, p, id, false).await?;
    let mut years = Vec::new();
    for g in bidrag::list(&state.store, &a.id).await? {
        years.push(year_view(state, p, &a, &g).await?);
    }
    let decisions = avtal::decisions(&state.store, &a.id)
        .await?
        .iter()
        .map(|b| (b.id.clone(), decision_label(b)))
        .collect();
    Ok(BidragPage {
        layout: Layout::new(state, who),
        manage: authorize(p, Action::HanteraAvtal(Some(a.omfang()))).is_ok(),
        years,
        decisions,
        dates: bidrag::population_dates(&state.store).await?,
        parties: a
            .version
            .parter
            .iter()
            .map(|k| (k.to_string(), k.namn()))
            .collect(),
        error,
        a,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    render(&bidrag_page(&state, &who, &p, &id, None).await?)
}

fn number(s: &str, what: &str) -> Result<serde_json::Number, Failure> {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .collect::<String>()
        .replace(',', ".");
    serde_json::from_str::<serde_json::Number>(&t)
        .map_err(|_| unprocessable(Code::OgiltigtBelopp, format!("{what} ska vara ett tal.")))
}

pub async fn create_page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let a = load(&state, &p, &id, true).await?;
    let f: Pairs = pairs(&raw);
    let result = async {
        let key = one(&f, "key");
        let shares = if key == "fasta_andelar" {
            let mut m = std::collections::BTreeMap::new();
            for k in &a.version.parter {
                m.insert(
                    k.to_string(),
                    number(&one(&f, &format!("andel_{k}")), "Andelen")?,
                );
            }
            Some(m)
        } else {
            None
        };
        let body = GrantIn {
            year: one(&f, "year")
                .parse()
                .map_err(|_| unprocessable(Code::OgiltigForfragan, "Ange år med fyra siffror."))?,
            amount_kr: number(&one(&f, "amount_kr"), "Beloppet")?,
            decision_id: one(&f, "decision_id"),
            base_kr: if key == "grund_plus_befolkning" {
                Some(number(&one(&f, "base_kr"), "Grundbeloppet")?)
            } else {
                None
            },
            key: Some(key),
            shares,
            schedule: Some(one(&f, "schedule")),
            population_date: Some(one(&f, "population_date")),
        };
        let g = grant(&state, &a, body).await?;
        Ok::<_, Failure>(bidrag::create(&state.store, Some(&p.user_id), &g.0, &g.1).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/avtal/{id}/bidrag")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let page = bidrag_page(&state, &who, &p, &id, Some(e.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// One municipality's invoice basis for a year.
struct Underlag {
    a: Avtal,
    g: Bidrag,
    kommun: Kommunkod,
    andel: Andel,
    decision: String,
}

async fn underlag(
    state: &AppState,
    p: &Principal,
    id: &str,
    year: i64,
    kod: &str,
) -> Result<Underlag, Failure> {
    let a = avtal::get(&state.store, id).await?;
    let kommun = Kommunkod::parse(kod)?;
    authorize(p, Action::LasFakturaunderlag(Some((a.omfang(), kommun))))?;
    let g = bidrag::for_year(&state.store, &a.id, bidrag::check_year(year)?).await?;
    let andel = split(state, &a, &g)
        .await?
        .into_iter()
        .find(|r| r.kommun == kommun)
        .ok_or_else(Failure::not_found)?;
    let d = avtal::get_decision(&state.store, &g.decision_id).await?;
    let decision = decision_label(&d);
    boj_store::audit::record(
        &state.store,
        Some(&p.user_id),
        "fakturaunderlag.hamtat",
        Some(&format!("{}/{}/{kommun}", a.id, g.year)),
    )
    .await?;
    Ok(Underlag {
        a,
        g,
        kommun,
        andel,
        decision,
    })
}

#[derive(Template)]
#[template(path = "fakturaunderlag.html")]
struct UnderlagPage {
    layout: Layout,
    v: Faktura,
    csv: String,
    pdf: String,
}

/// One municipality's invoice basis as the page and the PDF show it.
#[derive(serde::Serialize)]
struct Faktura {
    title: String,
    reference: String,
    organisation: String,
    kommun: String,
    year: i16,
    decision: String,
    key: String,
    population: String,
    total: String,
    amount: String,
    instalments: Vec<(String, String)>,
}

fn faktura(u: &Underlag) -> Faktura {
    Faktura {
        title: u.a.version.title.clone(),
        reference: u.a.version.reference.clone(),
        organisation: u.a.organisation_name.clone(),
        kommun: format!("{} ({})", u.kommun.namn(), u.kommun),
        year: u.g.year,
        decision: u.decision.clone(),
        key: u.g.key.label(),
        population: u
            .andel
            .folkmangd
            .map(|n| {
                format!(
                    "{n} invånare ({})",
                    u.g.population_date
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "–".into()),
        total: u.g.amount.to_string(),
        amount: kr(u.andel.belopp),
        instalments: fordelning::forfallodagar(u.g.year, u.g.schedule)
            .into_iter()
            .zip(u.andel.delbetalningar.iter().map(|b| kr(*b)))
            .collect(),
    }
}

pub async fn invoice_page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path((id, year, kod)): Path<(String, i64, String)>,
) -> Result<Html<String>, PageError> {
    let u = underlag(&state, &p, &id, year, &kod).await?;
    render(&UnderlagPage {
        layout: Layout::new(&state, &who),
        v: faktura(&u),
        csv: format!(
            "/avtal/{}/bidrag/{}/underlag/{}/csv",
            u.a.id, u.g.year, u.kommun
        ),
        pdf: format!(
            "/avtal/{}/bidrag/{}/underlag/{}/pdf",
            u.a.id, u.g.year, u.kommun
        ),
    })
}

/// The invoice basis as a typeset PDF.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, year, kod)): Path<(String, i64, String)>,
) -> Result<Response, PageError> {
    let u = underlag(&state, &p, &id, year, &kod).await?;
    let data = serde_json::to_string(&faktura(&u)).map_err(|e| PageError(Failure::internal(e)))?;
    let body = tokio::task::spawn_blocking(move || boj_render::pdf::fakturaunderlag(&data))
        .await
        .map_err(|e| PageError(Failure::internal(e)))?
        .map_err(|e| PageError(Failure::internal(e)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"fakturaunderlag-{}-{}.pdf\"",
                    u.g.year, u.kommun
                ),
            ),
        ],
        body,
    )
        .into_response())
}

/// The invoice basis as CSV for Swedish Excel: UTF-8 with BOM, `;`, one instalment per row.
pub async fn invoice_csv(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, year, kod)): Path<(String, i64, String)>,
) -> Result<Response, PageError> {
    let u = underlag(&state, &p, &id, year, &kod).await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = [
        "overenskommelse",
        "referens",
        "organisation",
        "kommunkod",
        "kommun",
        "ar",
        "beslut",
        "nyckel",
        "bidrag_totalt_kr",
        "kommunens_belopp_kr",
        "delbetalning",
        "forfallodag",
        "belopp_kr",
    ];
    w.write_record(header)
        .map_err(|e| PageError(Failure::internal(e)))?;
    let n = u.andel.delbetalningar.len();
    for (i, (due, b)) in fordelning::forfallodagar(u.g.year, u.g.schedule)
        .into_iter()
        .zip(&u.andel.delbetalningar)
        .enumerate()
    {
        let rec = [
            saker(&u.a.version.title),
            saker(&u.a.version.reference),
            saker(&u.a.organisation_name),
            u.kommun.to_string(),
            u.kommun.namn().to_string(),
            u.g.year.to_string(),
            saker(&u.decision),
            saker(&u.g.key.label()),
            u.g.amount.whole().to_string(),
            u.andel.belopp.to_string(),
            format!("{} av {n}", i + 1),
            due,
            b.to_string(),
        ];
        w.write_record(&rec)
            .map_err(|e| PageError(Failure::internal(e)))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| PageError(Failure::internal(e)))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"fakturaunderlag-{}-{}.csv\"",
                    u.g.year, u.kommun
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "befolkning.html")]
struct BefolkningPage {
    layout: Layout,
    dates: Vec<String>,
    message: Option<String>,
    error: Option<String>,
}

pub async fn population_page(
    State(state): State<AppState>,
    Who(who): Who,
) -> Result<Html<String>, PageError> {
    render(&BefolkningPage {
        layout: Layout::new(&state, &who),
        dates: bidrag::population_dates(&state.store).await?,
        message: None,
        error: None,
    })
}

pub async fn population_upload(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    m: Multipart,
) -> Result<Response, PageError> {
    let (message, error, status) = match import(&state, &p, m).await {
        Ok((d, n)) => (
            Some(format!("{n} kommuner importerades med referensdatum {d}.")),
            None,
            StatusCode::OK,
        ),
        Err(e) if e.status.is_client_error() => (None, Some(e.message), e.status),
        Err(e) => return Err(PageError(e)),
    };
    let page = BefolkningPage {
        layout: Layout::new(&state, &who),
        dates: bidrag::population_dates(&state.store).await?,
        message,
        error,
    };
    Ok((status, render(&page)?).into_response())
}
