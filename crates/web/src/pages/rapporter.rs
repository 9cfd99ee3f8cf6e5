//! Report pages: the list with issuing and editions, one issued report, the coordinator's preview.

use crate::AppState;
use crate::auth::{Authed, Identity, Who};
use crate::error::{Failure, PageError};
use crate::extract::{Pairs, one, pairs};
use crate::pages::{Layout, render};
use crate::visning::preview_out;
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use boj_app::avtal::Avtal;
use boj_app::rapporter::{self, forhandsgranska, ny_utgava, utfarda};
use boj_domain::datum::svensk_dag;
use boj_domain::kod::{Kodlista, Utgavaskal};
use boj_domain::{Action, Datum, Principal, Scope, authorize};
use boj_rapport::modell::{Enhet, Tabell};
use boj_rapport::nat::Status;
use serde::Deserialize;

struct Rad {
    id: String,
    period: String,
    edition: i64,
    issued: String,
    deadline: String,
    on_time: bool,
    changed: Option<usize>,
}

#[derive(Template)]
#[template(path = "rapporter.html")]
struct ListPage {
    layout: Layout,
    a: Avtal,
    cykel: String,
    troskel: u8,
    rows: Vec<Rad>,
    coordinator: bool,
    /// An edition's reasons: (code, label).
    reasons: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    preview_from: String,
    preview_to: String,
}

async fn list_page(
    state: &AppState,
    who: &Identity,
    p: &Principal,
    id: &str,
    error: Option<String>,
) -> Result<ListPage, Failure> {
    let (a, utgivna) = rapporter::lista(&state.app, p, id).await?;
    let coordinator = authorize(p, Action::UtfardaRapport(Some(a.omfang()))).is_ok();
    let changed = if coordinator {
        rapporter::andrade(&state.app, p, &a).await?
    } else {
        Default::default()
    };
    let rows = utgivna
        .into_iter()
        .map(|u| Rad {
            changed: changed.get(&u.rapport.id).copied(),
            issued: svensk_dag(u.rapport.issued_at).to_string(),
            deadline: u.frist.map(|d| d.to_string()).unwrap_or_default(),
            id: u.rapport.id,
            period: u.rapport.period,
            edition: u.rapport.edition,
            on_time: u.i_tid,
        })
        .collect();
    let today = state.app.today();
    Ok(ListPage {
        layout: Layout::new(state, who),
        cykel: a.version.settings.rapportcykel.label().to_lowercase(),
        troskel: a.version.settings.troskel,
        rows,
        coordinator,
        reasons: Utgavaskal::ALL
            .iter()
            .map(|u| (u.code(), u.label()))
            .collect(),
        error,
        preview_from: format!("{}-01-01", today.year()),
        preview_to: today.to_string(),
        a,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    render(&list_page(&state, &who, &p, &id, None).await?)
}

/// After a refused form: the list again with the message, and the status of the refusal.
async fn refused(
    state: &AppState,
    who: &Identity,
    p: &Principal,
    id: &str,
    e: Failure,
) -> Result<Response, PageError> {
    if !e.status.is_client_error() || e.status == StatusCode::FORBIDDEN {
        return Err(PageError(e));
    }
    let page = list_page(state, who, p, id, Some(e.message)).await?;
    Ok((e.status, render(&page)?).into_response())
}

pub async fn issue(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f: Pairs = pairs(&raw);
    match utfarda(&state.app, &p, &id, &one(&f, "period"))
        .await
        .map_err(Failure::from)
    {
        Ok(r) => Ok(Redirect::to(&format!("/rapporter/{r}")).into_response()),
        Err(e) => refused(&state, &who, &p, &id, e).await,
    }
}

pub async fn edition(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f: Pairs = pairs(&raw);
    let (r, _) = rapporter::las(&state.app, &p, &id).await?;
    let note = one(&f, "note");
    let note = Some(note.trim()).filter(|n| !n.is_empty());
    match ny_utgava(&state.app, &p, &id, &one(&f, "reason"), note)
        .await
        .map_err(Failure::from)
    {
        Ok(n) => Ok(Redirect::to(&format!("/rapporter/{n}")).into_response()),
        Err(e) => refused(&state, &who, &p, &r.agreement_id, e).await,
    }
}

struct RadVy {
    label: String,
    cells: Vec<String>,
    /// The reader's own municipality (marked, and first).
    pub egen: bool,
}

struct TabellVy {
    /// A bar chart for one-way and two-way tables.
    chart: Option<Diagram>,
    id: String,
    title: String,
    columns: Vec<String>,
    row_totals: bool,
    rows: Vec<RadVy>,
    footer: Option<Vec<String>>,
    has_protected: bool,
}

#[derive(Template)]
#[template(path = "rapport.html")]
struct ReportPage {
    layout: Layout,
    id: String,
    agreement_id: String,
    heading: String,
    preview: bool,
    facts: Vec<(String, String)>,
    /// How to check the report: its digest, key and the audit log's head (further down).
    verification: Vec<(String, String)>,
    tables: Vec<TabellVy>,
}

/// Target groups as people read them: the labels of the codes (`anhorig_brottsutsatt` →
/// "Anhörig till brottsutsatt"), lower case after the first.
fn grupper(v: &serde_json::Value) -> String {
    use boj_domain::kod::Kodlista;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(|c| {
                    boj_domain::kod::PersonTyp::parse(c)
                        .map_or_else(|_| c.to_string(), |p| p.label().to_string())
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn siffra(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "..".into(),
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => {
            boj_domain::svensk::heltal(n.as_i64().unwrap_or(i64::MAX))
        }
        serde_json::Value::Number(n) => boj_domain::svensk::decimal(n.as_f64().unwrap_or(0.0), 2),
        _ => String::new(),
    }
}

/// The view of a published table (SPEC § 4 JSON); a municipal official's own municipality first.
fn vy(t: &serde_json::Value, egen: Option<&str>) -> TabellVy {
    let arr = |k: &str| {
        t.get(k)
            .and_then(|x| x.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let value = |c: &serde_json::Value| siffra(c.get("value").unwrap_or(&serde_json::Value::Null));
    let row_totals = arr("row_totals");
    let mut rows: Vec<(String, Vec<String>, bool)> = arr("rows")
        .iter()
        .zip(arr("cells"))
        .enumerate()
        .map(|(i, (r, cells))| {
            let code = r.get("code").and_then(|c| c.as_str()).unwrap_or("");
            let members = r
                .get("members")
                .and_then(|m| m.as_array())
                .cloned()
                .unwrap_or_default();
            let own =
                egen.is_some_and(|k| code == k || members.iter().any(|m| m.as_str() == Some(k)));
            let mut c: Vec<String> = cells
                .as_array()
                .map(|v| v.iter().map(value).collect())
                .unwrap_or_default();
            if let Some(rt) = row_totals.get(i) {
                c.push(value(rt));
            }
            (
                r.get("label")
                    .and_then(|l| l.as_str())
                    .unwrap_or("")
                    .to_string(),
                c,
                own,
            )
        })
        .collect();
    rows.sort_by_key(|(_, _, own)| !own);
    let cols = arr("column_totals");
    let total = t.get("total").filter(|x| !x.is_null());
    let footer = if cols.is_empty() && total.is_none() {
        None
    } else {
        let mut f: Vec<String> = cols.iter().map(value).collect();
        if let Some(tot) = total {
            f.push(value(tot));
        } else if !row_totals.is_empty() {
            f.push(String::new());
        }
        Some(f)
    };
    let text = t.to_string();
    TabellVy {
        chart: stapeldiagram(t, egen),
        id: t
            .get("id")
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string(),
        title: t
            .get("title")
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string(),
        columns: arr("columns")
            .iter()
            .map(|c| {
                c.get("label")
                    .and_then(|l| l.as_str())
                    .unwrap_or("")
                    .to_string()
            })
            .collect(),
        row_totals: !row_totals.is_empty(),
        has_protected: text.contains("\"protected\""),
        rows: rows
            .into_iter()
            .map(|(label, cells, egen)| RadVy { label, cells, egen })
            .collect(),
        footer,
    }
}

pub async fn show(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (r, a, doc) = rapporter::hamta(&state.app, &p, &id, "sida").await?;
    let doc: serde_json::Value =
        serde_json::from_str(&doc).map_err(|_| Failure::internal("rapporten kunde inte läsas"))?;
    let rep = &doc["report"];
    let egen = match &p.scope {
        Scope::Kommun(k) => Some(k.to_string()),
        _ => None,
    };
    let json = rep["tables"].as_array().cloned().unwrap_or_default();
    let tables: Vec<TabellVy> = json.iter().map(|t| vy(t, egen.as_deref())).collect();
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::String(x) => x.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut facts = vec![
        (
            "Överenskommelse".to_string(),
            format!(
                "{} (version {})",
                s(&rep["agreement"]["title"]),
                s(&rep["agreement"]["version"])
            ),
        ),
        ("Organisation".into(), s(&rep["organisation"])),
        ("Period".into(), s(&rep["period"])),
        ("Utgåva".into(), s(&rep["edition"])),
        (
            "Utfärdad".into(),
            boj_domain::datum::svensk_tid(&s(&rep["issued_at"])),
        ),
        ("Målgrupper".into(), grupper(&rep["rule"]["target_groups"])),
        (
            "Bosättning i partskommun krävs för".into(),
            grupper(&rep["rule"]["residence_required_for"]),
        ),
        ("Tröskel".into(), s(&rep["threshold"])),
    ];
    let mut verification = vec![
        (
            "Kontrollsumma (SHA-256)".to_string(),
            s(&doc["signature"]["sha256"]),
        ),
        ("Signerad med nyckel".into(), s(&doc["signature"]["key_id"])),
    ];
    if let Some(seq) = rep["audit_head"]["seq"].as_i64() {
        verification.push((
            "Granskningsloggen vid utfärdandet".into(),
            format!("post {seq}, {}", s(&rep["audit_head"]["sha256"])),
        ));
    }
    if let Some(reason) = rep["reason"].as_str() {
        let label = Utgavaskal::parse(reason).map_or(reason, |u| u.label());
        facts.push(("Skäl till utgåvan".into(), label.to_string()));
    }
    render(&ReportPage {
        layout: Layout::new(&state, &who),
        heading: format!("Uppföljning {} – utgåva {}", r.period, r.edition),
        id: r.id,
        agreement_id: a.id,
        preview: false,
        facts,
        verification,
        tables,
    })
}

#[derive(Debug, Deserialize)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

fn live(t: &Tabell) -> TabellVy {
    let hundradelar = matches!(t.enhet, Enhet::Timmar | Enhet::Hundradelar);
    let c = |x: &boj_rapport::modell::Tal| {
        let v = if hundradelar {
            boj_domain::svensk::decimal(x.varde as f64 / 100.0, 2)
        } else {
            boj_domain::svensk::heltal(i64::try_from(x.varde).unwrap_or(i64::MAX))
        };
        if x.status == Status::Skyddad {
            format!("{v}*")
        } else {
            v
        }
    };
    let footer = if t.kolumnsummor.is_none() && t.total.is_none() {
        None
    } else {
        let mut f: Vec<String> = t.kolumnsummor.iter().flatten().map(c).collect();
        if let Some(x) = &t.total {
            f.push(c(x));
        } else if t.radsummor.is_some() {
            f.push(String::new());
        }
        Some(f)
    };
    TabellVy {
        chart: None,
        id: t.id.clone(),
        title: t.titel.clone(),
        columns: t.kolumner.iter().map(|k| k.label.clone()).collect(),
        row_totals: t.radsummor.is_some(),
        has_protected: false,
        rows: t
            .rader
            .iter()
            .enumerate()
            .map(|(i, r)| RadVy {
                label: r.label.clone(),
                cells: t.celler[i]
                    .iter()
                    .chain(t.radsummor.as_ref().and_then(|v| v.get(i)))
                    .map(c)
                    .collect(),
                egen: false,
            })
            .collect(),
        footer,
    }
}

pub async fn preview(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    Query(q): Query<Range>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let fran = Datum::parse(
        q.from
            .as_deref()
            .unwrap_or(&format!("{}-01-01", today.year())),
    )?;
    let till = Datum::parse(q.to.as_deref().unwrap_or(&today.to_string()))?;
    let t = match forhandsgranska(&state.app, &p, &id, fran, till)
        .await
        .map_err(Failure::from)
    {
        Ok(t) => t,
        Err(e) => return refused(&state, &who, &p, &id, e).await,
    };
    Ok(render(&ReportPage {
        layout: Layout::new(&state, &who),
        heading: format!("Förhandsgranskning {fran} – {till}"),
        id: String::new(),
        agreement_id: id,
        preview: true,
        facts: Vec::new(),
        verification: Vec::new(),
        tables: {
            let json: Vec<serde_json::Value> =
                preview_out(&t).into_iter().map(|x| x.table).collect();
            t.iter()
                .map(live)
                .zip(&json)
                .map(|(mut v, j)| {
                    v.chart = stapeldiagram(j, None);
                    v
                })
                .collect()
        },
    })?
    .into_response())
}

/// The width, in the units of a bar's drawing, of the whole scale.
const SKALA: f64 = 1000.0;

/// A bar chart of a one-way or two-way table, drawn as the page's own HTML: labels and values are
/// real text at the page's size, each bar a small SVG scaled to its column (SVG attributes, so the
/// page's content security policy stands). The reader's municipality comes first and is marked, as
/// in the table. Protected values have no bar and read `..`.
pub struct Diagram {
    /// What it shows (its text alternative says so and that the table has the values).
    pub titel: String,
    /// Whether some value is protected (the caption then says what `..` means).
    pub skyddat: bool,
    /// The series of a stacked chart (the columns of a two-way table); empty for one series.
    pub serier: Vec<String>,
    pub staplar: Vec<Stapel>,
}

pub struct Stapel {
    pub etikett: String,
    pub egen: bool,
    /// (x, width) in [`SKALA`] units and the series' number, per published segment.
    pub delar: Vec<(u32, u32, usize)>,
    /// The bar's value as text (its row total for a stacked bar).
    pub varde: String,
}

/// A chart's value as a person reads it: whole numbers grouped, others with two decimals.
fn tal_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        boj_domain::svensk::heltal(v as i64)
    } else {
        boj_domain::svensk::decimal(v, 2)
    }
}

/// A bar being measured: the bar, its segments' values (`None` protected), and its total.
type Matt = (Stapel, Vec<Option<f64>>, Option<f64>);

/// Measures the bars: the longest fills the scale (a row's total, or the sum of its published
/// segments); each published, positive segment gets its place.
fn mat(staplar: &mut [Matt]) {
    let langd = |(_, v, s): &Matt| s.unwrap_or_else(|| v.iter().flatten().sum());
    let max = staplar.iter().map(langd).fold(0.0, f64::max);
    for (st, varden, _) in staplar {
        let mut x: f64 = 0.0;
        for (serie, v) in varden.iter().enumerate() {
            if let Some(v) = v.filter(|v| *v > 0.0 && max > 0.0) {
                let w = v / max * SKALA;
                st.delar
                    .push((x.round() as u32, w.round().max(1.0) as u32, serie));
                x += w;
            }
        }
    }
}

impl Diagram {
    /// One bar per (label, value, marked), in the order given; `None` is a protected value.
    pub fn enkelt(titel: String, rader: Vec<(String, Option<u64>, bool)>) -> Self {
        let mut staplar: Vec<_> = rader
            .into_iter()
            .map(|(etikett, v, egen)| {
                let v = v.map(|x| x as f64);
                (
                    Stapel {
                        etikett,
                        egen,
                        delar: Vec::new(),
                        varde: v
                            .map_or_else(|| "..".into(), |x| boj_domain::svensk::heltal(x as i64)),
                    },
                    vec![v],
                    v,
                )
            })
            .collect();
        mat(&mut staplar);
        Diagram {
            titel,
            skyddat: staplar.iter().any(|(_, _, v)| v.is_none()),
            serier: Vec::new(),
            staplar: staplar.into_iter().map(|(s, _, _)| s).collect(),
        }
    }
}

fn stapeldiagram(t: &serde_json::Value, egen: Option<&str>) -> Option<Diagram> {
    let arr = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_array()).cloned();
    let columns = arr(t, "columns")?;
    let rows = arr(t, "rows")?;
    let cells = arr(t, "cells")?;
    let row_totals = arr(t, "row_totals");
    let one_way = columns.len() == 1 && rows.len() > 1;
    let two_way = row_totals.is_some() && columns.len() > 1;
    if !(one_way || two_way) {
        return None;
    }
    let tal = |c: &serde_json::Value| c.get("value").and_then(|v| v.as_f64());
    let mut staplar: Vec<Matt> = rows
        .iter()
        .zip(&cells)
        .enumerate()
        .map(|(i, (r, c))| {
            let varden: Vec<Option<f64>> = c
                .as_array()
                .map(|v| v.iter().map(tal).collect())
                .unwrap_or_default();
            let summa = match &row_totals {
                Some(rt) => rt.get(i).and_then(tal),
                None => varden.first().copied().flatten(),
            };
            let code = r.get("code").and_then(|c| c.as_str()).unwrap_or("");
            let members = arr(r, "members").unwrap_or_default();
            let egen =
                egen.is_some_and(|k| code == k || members.iter().any(|m| m.as_str() == Some(k)));
            (
                Stapel {
                    etikett: r
                        .get("label")
                        .and_then(|l| l.as_str())
                        .unwrap_or("")
                        .to_string(),
                    egen,
                    delar: Vec::new(),
                    varde: summa.map_or_else(|| "..".to_string(), tal_text),
                },
                varden,
                summa,
            )
        })
        .collect();
    mat(&mut staplar);
    staplar.sort_by_key(|(s, _, _)| !s.egen);
    Some(Diagram {
        titel: t
            .get("title")
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string(),
        skyddat: staplar
            .iter()
            .any(|(_, v, s)| s.is_none() || v.iter().any(Option::is_none)),
        serier: if two_way {
            columns
                .iter()
                .map(|c| {
                    c.get("label")
                        .and_then(|l| l.as_str())
                        .unwrap_or("")
                        .to_string()
                })
                .collect()
        } else {
            Vec::new()
        },
        staplar: staplar.into_iter().map(|(s, _, _)| s).collect(),
    })
}
