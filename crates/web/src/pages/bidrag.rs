//! Grants and population, the pages (SPEC § 3.4): the split per year, the form that registers a
//! grant, one municipality's invoice basis (printable, PDF and CSV), the population import. The use
//! cases are `boj_app::bidrag`.

use crate::AppState;
use crate::auth::{Authed, Who};
use crate::error::{Failure, PageError};
use crate::extract::{Pairs, one, pairs};
use crate::pages::{Layout, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use boj_app::avtal::{self as register, Avtal, Beslut};
use boj_app::bidrag::{self as bidrag, Bidrag, Bidragsforslag, Fakturaunderlag};
use boj_domain::fordelning::{self, Andel};
use boj_domain::{Action, Code, Kronor, Principal, authorize};
use boj_render::csv_format::saker;

fn unprocessable(code: Code, msg: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, code, msg)
}

/// A decision as one line: body, paragraph and date.
fn decision_label(b: &Beslut) -> String {
    let date = b
        .utfall
        .beslutsdatum
        .map(|x| format!(", {x}"))
        .unwrap_or_default();
    format!("{} {}{date}", b.utfall.organ.label(), b.paragraph)
}

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

fn year_view(p: &Principal, a: &Avtal, g: &Bidrag, rows: &[Andel], d: &Beslut) -> Ar {
    let total = g.amount.whole();
    Ar {
        year: g.year,
        amount: g.amount.to_string(),
        key: g.key.label(),
        schedule: g.schedule.label(),
        population_date: g
            .population_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "–".into()),
        decision: decision_label(d),
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
                    boj_domain::svensk::procent(r.belopp as f64 * 100.0 / total as f64, 2)
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
    }
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
    /// Each party's organisation number as the invoice bases name the payer (code, name, number).
    payers: Vec<(String, &'static str, Option<String>)>,
    error: Option<String>,
    saved: Option<&'static str>,
}

/// The confirmations the grants page shows after a change, by the code it redirects with.
const SPARAT: [(&str, &str); 2] = [
    ("bidrag", "Bidraget är registrerat och fördelat."),
    (
        "orgnr",
        "Organisationsnumret är sparat. Kommunens fakturaunderlag anger det.",
    ),
];

#[derive(serde::Deserialize)]
pub struct GrantsQuery {
    sparat: Option<String>,
}

async fn bidrag_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    id: &str,
    error: Option<String>,
    saved: Option<&'static str>,
) -> Result<BidragPage, PageError> {
    let a = register::las(&state.app, p, id).await?;
    let mut orgnr = bidrag::betalarnas_orgnr(&state.app, p, &a.id).await?;
    let years = bidrag::alla(&state.app, &a)
        .await?
        .iter()
        .map(|(g, rows, d)| year_view(p, &a, g, rows, d))
        .collect();
    let decisions = register::beslut(&state.app, &a)
        .await?
        .iter()
        .map(|b| (b.id.clone(), decision_label(b)))
        .collect();
    Ok(BidragPage {
        layout: Layout::new(state, who),
        manage: authorize(p, Action::HanteraAvtal(Some(a.omfang()))).is_ok(),
        years,
        decisions,
        dates: bidrag::befolkningsdatum(&state.app).await?,
        parties: a
            .version
            .parter
            .iter()
            .map(|k| (k.to_string(), k.namn()))
            .collect(),
        payers: a
            .version
            .parter
            .iter()
            .map(|k| (k.to_string(), k.namn(), orgnr.remove(&k.to_string())))
            .collect(),
        error,
        saved,
        a,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    Query(q): Query<GrantsQuery>,
) -> Result<Html<String>, PageError> {
    let saved = crate::pages::sparat(&SPARAT, q.sparat.as_deref());
    render(&bidrag_page(&state, &who, &p, &id, None, saved).await?)
}

/// The form beside each party on the grants page: its organisation number as payer.
pub async fn payer_orgnr_page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path((id, kod)): Path<(String, String)>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f: Pairs = pairs(&raw);
    match bidrag::satt_betalarens_orgnr(&state.app, &p, &id, &kod, &one(&f, "orgnr")).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/avtal/{id}/bidrag?sparat=orgnr#betalare")).into_response())
        }
        Err(e) => {
            let e = Failure::from(e);
            if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN {
                let page = bidrag_page(&state, &who, &p, &id, Some(e.message), None).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
            } else {
                Err(PageError(e))
            }
        }
    }
}

/// A number as people type it (spaces, a decimal comma), as text with a decimal point.
fn number(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .collect::<String>()
        .replace(',', ".")
}

/// Whole, non-negative kronor from a form field.
fn kronor(s: &str, what: &str) -> Result<Kronor, Failure> {
    let t = number(s);
    match t.parse::<u64>() {
        Ok(n) => Ok(Kronor::from_whole(n)?),
        Err(_) if t.starts_with('-') && t[1..].parse::<f64>().is_ok() => Err(unprocessable(
            Code::OgiltigtBelopp,
            format!("{what} får inte vara negativt."),
        )),
        Err(_) if t.parse::<f64>().is_ok() => Err(unprocessable(
            Code::OgiltigtBelopp,
            format!("{what} ska vara hela kronor, utan ören."),
        )),
        Err(_) => Err(unprocessable(
            Code::OgiltigtBelopp,
            format!("{what} ska vara ett tal."),
        )),
    }
}

pub async fn create_page(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f: Pairs = pairs(&raw);
    let result = async {
        let a = register::hantera(&state.app, &p, &id).await?;
        let key = one(&f, "key");
        let andelar = (key == "fasta_andelar").then(|| {
            a.version
                .parter
                .iter()
                .map(|k| (k.to_string(), number(&one(&f, &format!("andel_{k}")))))
                .collect()
        });
        let forslag = Bidragsforslag {
            ar: one(&f, "year")
                .parse()
                .map_err(|_| unprocessable(Code::OgiltigForfragan, "Ange år med fyra siffror."))?,
            belopp: kronor(&one(&f, "amount_kr"), "Beloppet")?,
            beslut: one(&f, "decision_id"),
            grund: if key == "grund_plus_befolkning" {
                Some(kronor(&one(&f, "base_kr"), "Grundbeloppet")?)
            } else {
                None
            },
            nyckel: Some(key),
            andelar,
            schema: Some(one(&f, "schedule")),
            befolkningsdatum: Some(one(&f, "population_date")),
        };
        Ok::<_, Failure>(bidrag::nytt_bidrag(&state.app, &p, &id, forslag).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/avtal/{id}/bidrag?sparat=bidrag")).into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let page = bidrag_page(&state, &who, &p, &id, Some(e.message), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Template)]
#[template(path = "fakturaunderlag.html")]
struct UnderlagPage {
    layout: Layout,
    agreement_id: String,
    v: Faktura,
    csv: String,
    pdf: String,
}

/// One municipality's invoice basis as the page and the PDF show it.
#[derive(serde::Serialize)]
struct Faktura {
    title: String,
    reference: String,
    /// The payee, with its organisation number where the register has it.
    organisation: String,
    /// What a payment names.
    payment_reference: String,
    kommun: String,
    year: i16,
    decision: String,
    key: String,
    population: String,
    total: String,
    amount: String,
    instalments: Vec<(String, String)>,
}

fn faktura(u: &Fakturaunderlag) -> Faktura {
    Faktura {
        title: u.avtal.version.title.clone(),
        reference: u.avtal.version.reference.clone(),
        kommun: match &u.betalarens_orgnr {
            Some(nr) => format!(
                "{} kommun (kommunkod {}, organisationsnummer {nr})",
                u.kommun.namn(),
                u.kommun
            ),
            None => format!("{} kommun (kommunkod {})", u.kommun.namn(), u.kommun),
        },
        organisation: match &u.mottagarens_orgnr {
            Some(nr) => format!("{} (organisationsnummer {nr})", u.avtal.organisation_name),
            None => u.avtal.organisation_name.clone(),
        },
        payment_reference: u.betalningsreferens(),
        year: u.bidrag.year,
        decision: decision_label(&u.beslut),
        key: u.bidrag.key.label(),
        population: u
            .andel
            .folkmangd
            .map(|n| {
                format!(
                    "{} invånare ({})",
                    boj_domain::svensk::heltal(i64::try_from(n).unwrap_or(i64::MAX)),
                    u.bidrag
                        .population_date
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "–".into()),
        total: u.bidrag.amount.to_string(),
        amount: kr(u.andel.belopp),
        instalments: fordelning::forfallodagar(u.bidrag.year, u.bidrag.schedule)
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
    let u = bidrag::fakturaunderlag(&state.app, &p, &id, year, &kod).await?;
    render(&UnderlagPage {
        layout: Layout::new(&state, &who),
        agreement_id: u.avtal.id.clone(),
        v: faktura(&u),
        csv: format!(
            "/avtal/{}/bidrag/{}/underlag/{}/csv",
            u.avtal.id, u.bidrag.year, u.kommun
        ),
        pdf: format!(
            "/avtal/{}/bidrag/{}/underlag/{}/pdf",
            u.avtal.id, u.bidrag.year, u.kommun
        ),
    })
}

/// The invoice basis as a typeset PDF.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, year, kod)): Path<(String, i64, String)>,
) -> Result<Response, PageError> {
    let u = bidrag::fakturaunderlag(&state.app, &p, &id, year, &kod).await?;
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
                    u.bidrag.year, u.kommun
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
    let u = bidrag::fakturaunderlag(&state.app, &p, &id, year, &kod).await?;
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
    for (i, (due, b)) in fordelning::forfallodagar(u.bidrag.year, u.bidrag.schedule)
        .into_iter()
        .zip(&u.andel.delbetalningar)
        .enumerate()
    {
        let rec = [
            saker(&u.avtal.version.title),
            saker(&u.avtal.version.reference),
            saker(&u.avtal.organisation_name),
            u.kommun.to_string(),
            u.kommun.namn().to_string(),
            u.bidrag.year.to_string(),
            saker(&decision_label(&u.beslut)),
            saker(&u.bidrag.key.label()),
            u.bidrag.amount.whole().to_string(),
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
                    u.bidrag.year, u.kommun
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
        dates: bidrag::befolkningsdatum(&state.app).await?,
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
    let imported = async {
        let (bytes, date) = crate::extract::read_population(m).await?;
        Ok::<_, Failure>(bidrag::importera_befolkning(&state.app, Some(&p), &bytes, &date).await?)
    }
    .await;
    let (message, error, status) = match imported {
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
        dates: bidrag::befolkningsdatum(&state.app).await?,
        message,
        error,
    };
    Ok((status, render(&page)?).into_response())
}
