//! Pages of the agreement register: list, detail with status board, create and amend forms, and the
//! forms that record decisions, documents and signatures (for `forbund`). Read-only for the
//! organisation's staff and the parties' officials.

use crate::AppState;
use crate::auth::{Authed, Who};
use crate::error::{Failure, PageError};
use crate::extract::{Pairs, many, one, pairs};
use crate::pages::{Layout, render};
use askama::Template;
use axum::extract::{Multipart, Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use boj_app::avtal::{self as register, Avtal, Beslut, Beslutsforslag, Forslag, Installningar};
use boj_domain::avtal::{Beslutsorgan, DOKUMENTATIONSPOSTER, Partstatus, Utfall};
use boj_domain::kod::{Kodlista, PersonTyp};
use boj_domain::{Action, Kommunkod, Principal, Scope, authorize};

fn can_manage(p: &Principal, a: &Avtal) -> bool {
    authorize(p, Action::HanteraAvtal(Some(a.omfang()))).is_ok()
}

/// One row of the list.
pub struct Rad {
    pub id: String,
    pub title: String,
    pub reference: String,
    pub term: String,
    pub parter: usize,
    pub vantar: usize,
}

fn term(a: &Avtal) -> String {
    let t = &a.version.tid;
    match (t.till, t.uppsagning_manader) {
        (Some(till), _) => format!("{} – {}", t.fran, till),
        (None, Some(m)) => format!("från {}, tills vidare ({m} månaders uppsägning)", t.fran),
        (None, None) => format!("från {}, tills vidare", t.fran),
    }
}

#[derive(Template)]
#[template(path = "avtal_lista.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Rad>,
    can_create: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
) -> Result<Html<String>, PageError> {
    let mut rows = Vec::new();
    for x in register::lasbara_med_beslut(&state.app, &p).await? {
        let a = &x.avtal;
        let board = register::statustavla(a, &x.beslut);
        rows.push(Rad {
            id: a.id.clone(),
            title: a.version.title.clone(),
            reference: a.version.reference.clone(),
            term: term(a),
            parter: board.len(),
            vantar: board
                .iter()
                .filter(|r| !matches!(r.status, Partstatus::Beslutad(_)))
                .count(),
        });
    }
    render(&ListPage {
        layout: Layout::new(&state, &who),
        rows,
        can_create: authorize(&p, Action::HanteraAvtal(None)).is_ok(),
    })
}

/// A party on the status board.
pub struct Partrad {
    pub kod: String,
    pub namn: &'static str,
    pub status: String,
    pub code: &'static str,
    pub egen: bool,
    /// The party's own decision that governs its status: (decision id, body, paragraph and date).
    pub beslut: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "avtal_visa.html")]
struct ShowPage {
    layout: Layout,
    a: Avtal,
    term: String,
    regel: String,
    poster: Vec<&'static str>,
    sma: Vec<&'static str>,
    board: Vec<Partrad>,
    beslut: Vec<Beslut>,
    manage: bool,
    /// The viewer may accept the shorter retention times waiting (a coordinator of the
    /// organisation).
    accept_retention: bool,
    /// The waiting version and its times, when there is one and this page shows it.
    pending_retention: Option<(i64, u16, u16)>,
    is_current: bool,
    versions: Vec<i64>,
    /// What was just saved (`?sparat=`), said at the top.
    saved: Option<&'static str>,
    /// The viewer keeps the list of collaboration partners (the county strategist or a
    /// coordinator of the organisation), on the current version.
    manage_partners: bool,
    /// This version's partners with their kind's label.
    partners: Vec<(boj_domain::avtal::Samverkanspartner, &'static str)>,
    /// The kinds, with the one the refused form held chosen.
    partner_kinds: Vec<(&'static str, &'static str, bool)>,
    /// A refused partner form: its message, the field it is about, and what was typed.
    partner_fel: Option<PartnerFel>,
}

/// A partner form that was refused, shown again beside its fields.
pub struct PartnerFel {
    pub message: String,
    pub field: Option<String>,
    pub name: String,
    pub kind: String,
    pub orgnr: String,
}

/// The decision form on its own page: the agreement's parties, the bodies and outcomes, and as many
/// item rows as asked for.
#[derive(Template)]
#[template(path = "beslut_ny.html")]
struct DecisionPage {
    layout: Layout,
    a: Avtal,
    board: Vec<(String, &'static str)>,
    organ: Vec<(&'static str, &'static str)>,
    utfall: Vec<(&'static str, &'static str)>,
    /// The form as sent (when it comes back with more rows or an error).
    f: Pairs,
    rader: usize,
    error: Option<String>,
}

impl DecisionPage {
    fn value(&self, k: &str) -> String {
        one(&self.f, k)
    }
}

/// Item rows the decision form shows at first, and at most.
const PUNKTER_FORST: usize = 3;
const PUNKTER_HOGST: usize = 50;

async fn decision_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    id: &str,
    f: Pairs,
    rader: usize,
    error: Option<String>,
) -> Result<DecisionPage, PageError> {
    // Authorised for this agreement (a refusal is audited like every other).
    let a = register::hantera(&state.app, p, id).await?;
    Ok(DecisionPage {
        layout: Layout::new(state, who),
        board: a
            .version
            .parter
            .iter()
            .map(|k| (k.to_string(), k.namn()))
            .collect(),
        organ: Beslutsorgan::ALL
            .iter()
            .map(|o| (o.code(), o.label()))
            .collect(),
        utfall: Utfall::ALL.iter().map(|u| (u.code(), u.label())).collect(),
        a,
        f,
        rader: rader.clamp(1, PUNKTER_HOGST),
        error,
    })
}

/// The decision form (`GET /avtal/{id}/beslut/ny`).
pub async fn decision_form(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    render(&decision_page(&state, &who, &p, &id, Vec::new(), PUNKTER_FORST, None).await?)
}

async fn show_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    id: &str,
    n: Option<i64>,
    saved: Option<&'static str>,
) -> Result<Html<String>, PageError> {
    show_page_med(state, who, p, id, n, saved, None).await
}

async fn show_page_med(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    id: &str,
    n: Option<i64>,
    saved: Option<&'static str>,
    partner_fel: Option<PartnerFel>,
) -> Result<Html<String>, PageError> {
    let a = register::las_version(&state.app, p, id, n).await?;
    let beslut = register::beslut(&state.app, &a).await?;
    let own = match &p.scope {
        Scope::Kommun(k) => Some(*k),
        _ => None,
    };
    let mut board: Vec<Partrad> = register::statustavla(&a, &beslut)
        .into_iter()
        .map(|r| Partrad {
            kod: r.kommun.to_string(),
            namn: r.kommun.namn(),
            status: r.status.label(),
            code: r.status.code(),
            egen: Some(r.kommun) == own,
            beslut: r
                .beslut
                .and_then(|o| beslut.iter().find(|b| b.utfall.ordning == o))
                .map(|b| {
                    let datum = b
                        .utfall
                        .beslutsdatum
                        .map_or_else(|| "datum okänt".to_string(), |d| d.to_string());
                    (
                        b.id.clone(),
                        format!("{} {}, {datum}", b.utfall.organ.label(), b.paragraph),
                    )
                }),
        })
        .collect();
    // A municipal official sees their own municipality first.
    board.sort_by_key(|r| !r.egen);
    let s = &a.version.settings;
    let poster = DOKUMENTATIONSPOSTER
        .iter()
        .filter(|(c, _)| s.dokumentationsposter.iter().any(|x| x == c))
        .map(|(_, l)| *l)
        .collect();
    let sma = s
        .sma_kommuner
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .map(|k| k.namn())
        .collect();
    render(&ShowPage {
        layout: Layout::new(state, who),
        term: term(&a),
        regel: s.malgruppsregel.beskrivning(),
        poster,
        sma,
        board,
        beslut,
        manage: can_manage(p, &a) && n.is_none(),
        accept_retention: a.gallring_vantar.is_some()
            && authorize(p, Action::GodkannaGallring(Some(a.omfang()))).is_ok(),
        pending_retention: a
            .gallring_vantar
            .filter(|v| *v == a.version.number)
            .map(|v| (v, s.kontaktuppgifter_raderas_dagar, s.inaktiv_stangs_dagar)),
        is_current: a.version.number == a.latest,
        versions: (1..=a.latest).rev().collect(),
        saved,
        manage_partners: n.is_none()
            && authorize(p, Action::HanteraSamverkan(Some(a.omfang()))).is_ok(),
        partners: s
            .samverkanspartner
            .iter()
            .map(|sp| (sp.clone(), sp.typ().map_or("", |t| t.label())))
            .collect(),
        partner_kinds: boj_domain::kod::Partnertyp::ALL
            .iter()
            .map(|k| {
                let vald = partner_fel.as_ref().is_some_and(|f| f.kind == k.code());
                (k.code(), k.label(), vald)
            })
            .collect(),
        partner_fel,
        a,
    })
}

/// Adds a collaboration partner from the agreement page's form (`avtal::samverkanspartner`).
pub async fn add_partner(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    let f = crate::extract::pairs(&raw);
    let one = |k: &str| crate::extract::one(&f, k);
    let r = register::samverkanspartner(
        &state.app,
        &p,
        &id,
        register::Partnerandring::LaggTill {
            namn: one("name"),
            slag: one("kind"),
            orgnr: Some(one("orgnr")),
        },
    )
    .await;
    match r.map_err(Failure::from) {
        Ok(_) => Ok(Redirect::to(&format!("/avtal/{id}?sparat=samverkan#sparat")).into_response()),
        // What the strategist or coordinator can mend is said beside the form, with what they typed.
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let fel = PartnerFel {
                message: e.message.clone(),
                field: e.field.as_ref().map(|f| f.to_string()),
                name: one("name"),
                kind: one("kind"),
                orgnr: one("orgnr"),
            };
            let page = show_page_med(&state, &who, &p, &id, None, None, Some(fel)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// Removes a collaboration partner from the agreement page (`avtal::samverkanspartner`).
pub async fn remove_partner(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, partner)): Path<(String, u16)>,
) -> Result<Response, PageError> {
    register::samverkanspartner(
        &state.app,
        &p,
        &id,
        register::Partnerandring::TaBort(partner),
    )
    .await?;
    Ok(Redirect::to(&format!("/avtal/{id}?sparat=samverkan#sparat")).into_response())
}

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    sparat: Option<String>,
}

/// The confirmations the agreement page shows after a change, by the code it redirects with.
const SPARAT: [(&str, &str); 5] = [
    (
        "samverkan",
        "Listan över samverkansparter är ändrad (en ny version av överenskommelsen).",
    ),
    (
        "beslut",
        "Beslutet är registrerat. Statustavlan visar vad det betyder för parten.",
    ),
    ("dokument", "Dokumentet är uppladdat."),
    ("underskrift", "Underskriften är registrerad."),
    (
        "gallring",
        "Den kortare gallringen är godkänd och gäller nu.",
    ),
];

pub async fn show(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let saved = crate::pages::sparat(&SPARAT, q.sparat.as_deref());
    show_page(&state, &who, &p, &id, None, saved).await
}

/// A coordinator accepts the shorter retention times an amendment proposed
/// (`boj_app::avtal::godkann_gallring`).
pub async fn accept_retention(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: axum::extract::RawForm,
) -> Result<Response, PageError> {
    let f = crate::extract::pairs(&raw);
    let version = crate::extract::one(&f, "version")
        .parse::<i64>()
        .map_err(|_| crate::error::Failure::bad_request("Versionen saknas."))?;
    let a = register::godkann_gallring(&state.app, &p, &id, version).await?;
    Ok(Redirect::to(&format!("/avtal/{}?sparat=gallring#sparat", a.id)).into_response())
}

pub async fn show_version(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path((id, n)): Path<(String, i64)>,
) -> Result<Html<String>, PageError> {
    show_page(&state, &who, &p, &id, Some(n), None).await
}

/// A checkbox in a form.
pub struct Val {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "avtal_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    error: Option<String>,
    organisations: Vec<(String, String, bool)>,
    is_new: bool,
    title: String,
    reference: String,
    valid_from: String,
    valid_to: String,
    notice_months: String,
    services: String,
    parties: Vec<Val>,
    groups: Vec<Val>,
    residence: Vec<Val>,
    items: Vec<Val>,
    merged: Vec<Val>,
    recodings: Vec<Val>,
    cycles: Vec<(&'static str, &'static str, bool)>,
    deadline_days: String,
    threshold: String,
    contact_days: String,
    inactive_days: String,
    change_note: String,
}

fn num<T: std::str::FromStr>(f: &Pairs, k: &str, what: &str) -> Result<Option<T>, Failure> {
    let v = one(f, k);
    if v.trim().is_empty() {
        return Ok(None);
    }
    v.trim().parse().map(Some).map_err(|_| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            boj_domain::Code::OgiltigForfragan,
            format!("{what} ska vara ett heltal."),
        )
    })
}

fn forslag(f: &Pairs) -> Result<Forslag, Failure> {
    Ok(Forslag {
        organisation_id: Some(one(f, "organisation_id")).filter(|s| !s.is_empty()),
        titel: one(f, "title"),
        referens: one(f, "reference"),
        fran: one(f, "valid_from"),
        till: Some(one(f, "valid_to")).filter(|s| !s.trim().is_empty()),
        uppsagning_manader: num(f, "notice_months", "Uppsägningstiden")?,
        tjanster: one(f, "services"),
        parter: many(f, "parties"),
        installningar: Some(Installningar {
            malgrupper: Some(many(f, "target_groups")),
            bosattning_kravs_for: Some(many(f, "residence_required_for")),
            poster: Some(many(f, "items")),
            cykel: Some(one(f, "cycle")),
            frist_dagar: num(f, "deadline_days", "Rapportfristen")?,
            troskel: num(f, "threshold", "Röjandetröskeln")?,
            sma_kommuner: Some(many(f, "merged")),
            sammanslagningar: Some(many(f, "recodings")),
            kontakt_dagar: num(f, "contact_days", "Gallringstiden")?,
            inaktiv_dagar: num(f, "inactive_days", "Tiden till automatisk avslutning")?,
        }),
        andring: Some(one(f, "change_note")),
    })
}

/// The form, filled from a submission (`f`) or from an agreement's current version.
async fn form_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    a: Option<&Avtal>,
    f: Option<&Pairs>,
    error: Option<String>,
) -> Result<FormPage, PageError> {
    let lan = match &p.scope {
        Scope::Lan(l) => *l,
        _ => {
            return Err(PageError(Failure::from(boj_domain::Denied {
                code: boj_domain::Code::ForbjudenAtgard,
                message: "Din roll har inte behörighet till det här.",
            })));
        }
    };
    let s = a.map(|a| a.version.settings.clone()).unwrap_or_default();
    let chosen = |k: &str, from_agreement: Vec<String>| -> Vec<String> {
        f.map(|f| many(f, k)).unwrap_or(from_agreement)
    };
    let val = |k: &str, from_agreement: String| -> String {
        f.map(|f| one(f, k)).unwrap_or(from_agreement)
    };
    let parties = chosen(
        "parties",
        a.map(|a| a.version.parter.iter().map(|k| k.to_string()).collect())
            .unwrap_or_else(|| lan.kommuner().map(|k| k.kod.to_string()).collect()),
    );
    let merged = chosen("merged", s.sma_kommuner.clone());
    let recodings = chosen("recodings", s.sammanslagningar.clone());
    let groups = chosen("target_groups", s.malgruppsregel.malgrupper.clone());
    let residence = chosen(
        "residence_required_for",
        s.malgruppsregel.bosattning_kravs_for.clone(),
    );
    let items = chosen("items", s.dokumentationsposter.clone());
    let cycle = val("cycle", s.rapportcykel.code().to_string());
    let mut kandidater: Vec<Kommunkod> = lan.kommuner().map(|k| k.kod).collect();
    for k in parties.iter().filter_map(|k| Kommunkod::parse(k).ok()) {
        if !kandidater.contains(&k) {
            kandidater.push(k);
        }
    }
    let checkbox = |list: &[String], code: String, label: String| Val {
        checked: list.contains(&code),
        code,
        label,
    };
    let person: Vec<PersonTyp> = PersonTyp::ALL
        .iter()
        .copied()
        .filter(|p| *p != PersonTyp::Annan)
        .collect();
    let org = val(
        "organisation_id",
        a.map(|a| a.organisation_id.clone()).unwrap_or_default(),
    );
    Ok(FormPage {
        layout: Layout::new(state, who),
        heading: match a {
            Some(a) => format!("Ändra {}", a.version.title),
            None => "Registrera överenskommelse".into(),
        },
        action: match a {
            Some(a) => format!("/avtal/{}/andra", a.id),
            None => "/avtal".into(),
        },
        error,
        organisations: register::organisationer(&state.app, p)
            .await?
            .into_iter()
            .map(|o| (o.id.clone(), o.name, o.id == org))
            .collect(),
        is_new: a.is_none(),
        title: val(
            "title",
            a.map(|a| a.version.title.clone()).unwrap_or_default(),
        ),
        reference: val(
            "reference",
            a.map(|a| a.version.reference.clone()).unwrap_or_default(),
        ),
        valid_from: val(
            "valid_from",
            a.map(|a| a.version.tid.fran.to_string())
                .unwrap_or_default(),
        ),
        valid_to: val(
            "valid_to",
            a.and_then(|a| a.version.tid.till)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        notice_months: val(
            "notice_months",
            a.and_then(|a| a.version.tid.uppsagning_manader)
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        services: val(
            "services",
            a.map(|a| a.version.services.clone()).unwrap_or_default(),
        ),
        parties: kandidater
            .iter()
            .map(|k| checkbox(&parties, k.to_string(), format!("{} ({k})", k.namn())))
            .collect(),
        merged: kandidater
            .iter()
            .map(|k| checkbox(&merged, k.to_string(), k.namn().to_string()))
            .collect(),
        recodings: boj_domain::kod::Sammanslagning::ALL
            .iter()
            .map(|s| checkbox(&recodings, s.code().into(), s.label().into()))
            .collect(),
        groups: person
            .iter()
            .map(|p| checkbox(&groups, p.code().into(), p.label().into()))
            .collect(),
        residence: person
            .iter()
            .map(|p| checkbox(&residence, p.code().into(), p.label().into()))
            .collect(),
        items: DOKUMENTATIONSPOSTER
            .iter()
            .map(|(c, l)| checkbox(&items, (*c).into(), (*l).into()))
            .collect(),
        cycles: boj_domain::Cykel::ALL
            .iter()
            .map(|c| (c.code(), c.label(), c.code() == cycle))
            .collect(),
        deadline_days: val("deadline_days", s.rapportfrist_dagar.to_string()),
        threshold: val("threshold", s.troskel.to_string()),
        contact_days: val("contact_days", s.kontaktuppgifter_raderas_dagar.to_string()),
        inactive_days: val("inactive_days", s.inaktiv_stangs_dagar.to_string()),
        change_note: val("change_note", String::new()),
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
) -> Result<Html<String>, PageError> {
    render(&form_page(&state, &who, &p, None, None, None).await?)
}

pub async fn edit_form(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let a = register::hantera(&state.app, &p, &id).await?;
    render(&form_page(&state, &who, &p, Some(&a), None, None).await?)
}

async fn refused(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    a: Option<&Avtal>,
    f: &Pairs,
    e: Failure,
) -> Result<Response, PageError> {
    if e.status.is_server_error()
        || e.status == StatusCode::FORBIDDEN
        || e.status == StatusCode::NOT_FOUND
    {
        return Err(PageError(e));
    }
    let page = form_page(state, who, p, a, Some(f), Some(e.message)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let result =
        async { Ok::<_, Failure>(register::skapa(&state.app, &p, forslag(&f)?).await?) }.await;
    match result {
        Ok(a) => Ok(Redirect::to(&format!("/avtal/{}", a.id)).into_response()),
        Err(e) => refused(&state, &who, &p, None, &f, e).await,
    }
}

pub async fn amend(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let a = register::hantera(&state.app, &p, &id).await?;
    let f = pairs(&raw);
    let result =
        async { Ok::<_, Failure>(register::andra(&state.app, &p, &id, forslag(&f)?).await?) }.await;
    match result {
        Ok(a) => Ok(Redirect::to(&format!("/avtal/{}", a.id)).into_response()),
        Err(e) => refused(&state, &who, &p, Some(&a), &f, e).await,
    }
}

pub async fn add_decision(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let rader = one(&f, "rader")
        .parse::<usize>()
        .unwrap_or(PUNKTER_FORST)
        .clamp(1, PUNKTER_HOGST);
    // "One more item": the form again, as filled in, with another row (no JavaScript needed).
    if one(&f, "fler") == "ja" {
        let page = decision_page(&state, &who, &p, &id, f, rader + 1, None).await?;
        return Ok(render(&page)?.into_response());
    }
    let punkter = (1..=rader)
        .map(|i| {
            (
                one(&f, &format!("punkt{i}_nr")),
                one(&f, &format!("punkt{i}_text")),
            )
        })
        .filter(|(n, t)| !n.trim().is_empty() || !t.trim().is_empty())
        .collect();
    let d = Beslutsforslag {
        organ: one(&f, "body"),
        kommun: Some(one(&f, "municipality")),
        beslutsdatum: Some(one(&f, "decided_on")),
        galler_fran: Some(one(&f, "applies_from")),
        paragraf: one(&f, "paragraph"),
        punkter,
        utfall: one(&f, "outcome"),
        foredragande: one(&f, "presenter"),
    };
    match register::nytt_beslut(&state.app, &p, &id, d)
        .await
        .map_err(crate::error::Failure::from)
    {
        Ok((a, b)) => {
            Ok(Redirect::to(&format!("/avtal/{}?sparat=beslut#{}", a.id, b.id)).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let page = decision_page(&state, &who, &p, &id, f, rader, Some(e.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    m: Multipart,
) -> Result<Response, PageError> {
    // Authorised before the upload is read.
    register::beslutet(&state.app, &p, &id, true).await?;
    let u = crate::extract::read_upload(m).await?;
    let (a, _) = register::nytt_dokument(&state.app, &p, &id, u).await?;
    Ok(Redirect::to(&format!("/avtal/{}?sparat=dokument#{id}", a.id)).into_response())
}

pub async fn add_signature(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let signers: Vec<String> = one(&f, "signers")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let (a, _) = register::underskrift(
        &state.app,
        &p,
        &id,
        &one(&f, "method"),
        &one(&f, "reference"),
        &signers,
        Some(&one(&f, "signed_at")),
    )
    .await?;
    Ok(Redirect::to(&format!("/avtal/{}?sparat=underskrift#{id}", a.id)).into_response())
}

pub async fn document(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (meta, bytes) = register::dokument(&state.app, &p, &id).await?;
    Ok(crate::visning::dokument(meta, bytes))
}
