//! Pages of the support log: register a case (works on a phone, no JavaScript needed), my open cases
//! and the coordinator's overview, one case with its activities, closing and consent.

use crate::AppState;
use crate::auth::{Authed, Who};
use crate::error::{Failure, PageError};
use crate::extract::{Pairs, many, one, pairs};
use crate::pages::{Layout, render};
use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use boj_app::arenden::{self as fall, Arende};
use boj_domain::arende::{Kontakt, Poster};
use boj_domain::kod::*;
use boj_domain::{Principal, Role};
use serde::Deserialize;

/// A code and its label, for selects and checkboxes.
pub struct Val {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

fn vals<K: Kodlista>(chosen: &[String]) -> Vec<Val> {
    K::ALL
        .iter()
        .map(|k| Val {
            code: k.code().into(),
            label: k.label().into(),
            checked: chosen.iter().any(|c| c == k.code()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "arende_nytt.html")]
struct NyttPage {
    layout: Layout,
    heading: String,
    action: String,
    editing: bool,
    error: Option<String>,
    agreements: Vec<(String, String)>,
    today: String,
    f: Pairs,
    persons: Vec<Val>,
    genders: Vec<Val>,
    ages: Vec<Val>,
    crimes: Vec<Val>,
    circumstances: Vec<Val>,
    police: Vec<Val>,
    first: Vec<Val>,
    municipalities: Vec<(String, String)>,
}

impl NyttPage {
    fn value(&self, k: &str) -> String {
        one(&self.f, k)
    }
}

async fn nytt_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    f: Pairs,
    error: Option<String>,
) -> Result<NyttPage, PageError> {
    let readable = boj_app::avtal::lasbara(&state.app, p).await?;
    let agreements = readable
        .iter()
        .map(|a| (a.id.clone(), a.version.title.clone()))
        .collect();
    let parter: std::collections::HashSet<_> = readable
        .iter()
        .flat_map(|a| a.version.parter.iter().copied())
        .collect();
    let first_choice = |k: &str, default: &str| {
        let v = many(&f, k);
        if v.is_empty() {
            vec![default.to_string()]
        } else {
            v
        }
    };
    let mut municipalities: Vec<(String, String)> = vec![
        ("okand".into(), "Inte angiven".into()),
        ("utlandet".into(), "Bor utomlands".into()),
    ];
    // The agreements' parties first (the common answers), then every other municipality.
    let mut all: Vec<_> = boj_domain::kommun::kommuner().iter().collect();
    all.sort_by_key(|k| (!parter.contains(&k.kod), k.namn));
    municipalities.extend(
        all.iter()
            .map(|k| (k.kod.to_string(), format!("{} ({})", k.namn, k.kod))),
    );
    Ok(NyttPage {
        layout: Layout::new(state, who),
        heading: "Nytt ärende".into(),
        action: "/arenden".into(),
        editing: false,
        error,
        agreements,
        today: state.app.today().to_string(),
        // No answer is chosen in advance for the statistics the municipalities read: the
        // volunteer picks one (where the list has "okänt", that is the default instead).
        persons: vals::<PersonTyp>(&many(&f, "person_type")),
        genders: vals::<Kon>(&first_choice("gender", "okant")),
        ages: vals::<Aldersgrupp>(&first_choice("age_band", "okand")),
        crimes: vals::<Brottstyp>(&many(&f, "crime_types")),
        circumstances: vals::<SarskildOmstandighet>(&many(&f, "circumstances")),
        police: vals::<Polisanmalan>(&first_choice("police_report", "okant")),
        first: vals::<ForstaKontakt>(&many(&f, "first_contact")),
        municipalities,
        f,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
) -> Result<Html<String>, PageError> {
    render(&nytt_page(&state, &who, &p, Vec::new(), None).await?)
}

pub async fn create(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let opt = |k: &str| Some(one(&f, k)).filter(|s| !s.trim().is_empty());
    let r = fall::Registrering {
        agreement_id: one(&f, "agreement_id"),
        opened_on: one(&f, "opened_on"),
        poster: poster(&f),
        samtycke: one(&f, "consent_contact") == "ja",
        kontakt: Kontakt {
            name: opt("name"),
            phone: opt("phone"),
            email: opt("email"),
            note: opt("note"),
        },
        stodperson: None,
    };
    match fall::registrera(&state.app, &p, &r)
        .await
        .map_err(Failure::from)
    {
        Ok((c, b)) => {
            Ok(Redirect::to(&format!("/arenden/{}?ny={}", c.id, b.status.code())).into_response())
        }
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY
                || e.status == StatusCode::BAD_REQUEST =>
        {
            let page = nytt_page(&state, &who, &p, f, Some(e.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// The statistics items of the intake form.
fn poster(f: &Pairs) -> Poster {
    Poster {
        person: one(f, "person_type"),
        hem: one(f, "municipality"),
        kon: one(f, "gender"),
        alder: one(f, "age_band"),
        brott: many(f, "crime_types"),
        omstandigheter: many(f, "circumstances"),
        polis: one(f, "police_report"),
        forsta_kontakt: one(f, "first_contact"),
        informerad_11_6: one(f, "informed_11_6") == "ja",
    }
}

pub struct Rad {
    pub id: String,
    pub opened_on: String,
    pub person: &'static str,
    pub hem: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub closed: bool,
    pub assignee: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    visa: Option<String>,
    status: Option<String>,
    /// A support person's id (the coordinator's list).
    stodperson: Option<String>,
    /// A home municipality's code (or `utlandet`, `okand`).
    kommun: Option<String>,
    /// The page, from 1.
    sida: Option<usize>,
}

/// Cases per page of the case list.
const PER_SIDA: usize = 50;

#[derive(Template)]
#[template(path = "arenden.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Rad>,
    coordinator: bool,
    show_all: bool,
    filter: String,
    /// The support persons of the organisation, (id, name), and the one chosen.
    volunteers: Vec<(String, String)>,
    volunteer: String,
    /// The home municipalities among the cases, (code, name), and the one chosen.
    homes: Vec<(String, String)>,
    home: String,
    /// How many cases match, this page and how many pages; the query strings of the pages before
    /// and after.
    total: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let show_all = q.visa.as_deref() == Some("alla");
    let filter = q.status.unwrap_or_default();
    let names: std::collections::HashMap<String, String> =
        boj_app::konton::kollegor(&state.app, &p)
            .await?
            .into_iter()
            .collect();
    let volunteer = q.stodperson.clone().unwrap_or_default();
    let home = q.kommun.clone().unwrap_or_default();
    let mut cases = fall::synliga(&state.app, &p, !show_all).await?;
    let mut homes: Vec<(String, String)> = cases
        .iter()
        .map(|c| (c.statistik.hem.code(), c.statistik.hem.label().to_string()))
        .collect();
    homes.sort_by(|a, b| a.1.cmp(&b.1));
    homes.dedup();
    cases.retain(|c| {
        (filter.is_empty() || c.eligibility.code() == filter)
            && (volunteer.is_empty() || c.assignee.as_deref() == Some(volunteer.as_str()))
            && (home.is_empty() || c.statistik.hem.code() == home)
    });
    // Newest first.
    cases.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then_with(|| b.id.cmp(&a.id)));
    let total = cases.len();
    let pages = total.div_ceil(PER_SIDA).max(1);
    let page = q.sida.unwrap_or(1).clamp(1, pages);
    let link = |n: usize| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if show_all {
            pairs.push(("visa", "alla".into()));
        }
        for (k, v) in [
            ("status", &filter),
            ("stodperson", &volunteer),
            ("kommun", &home),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        pairs.push(("sida", n.to_string()));
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    let mut volunteers: Vec<(String, String)> = names
        .iter()
        .map(|(id, n)| (id.clone(), n.clone()))
        .collect();
    volunteers.sort_by(|a, b| a.1.cmp(&b.1));
    let rows = cases
        .into_iter()
        .skip((page - 1) * PER_SIDA)
        .take(PER_SIDA)
        .map(|c| Rad {
            opened_on: c.opened_on.to_string(),
            person: c.statistik.person.label(),
            hem: c.statistik.hem.label(),
            status: c.eligibility.label(),
            status_code: c.eligibility.code(),
            closed: c.closed_on.is_some(),
            assignee: c
                .assignee
                .as_ref()
                .and_then(|a| names.get(a).cloned())
                .unwrap_or_default(),
            id: c.id,
        })
        .collect();
    render(&ListPage {
        layout: Layout::new(&state, &who),
        rows,
        coordinator: p.role == Role::Samordnare,
        show_all,
        filter,
        volunteers,
        volunteer,
        homes,
        home,
        total,
        page,
        pages,
        prev,
        next,
    })
}

#[derive(Deserialize)]
pub struct ShowQuery {
    ny: Option<String>,
    kontakt: Option<String>,
}

#[derive(Template)]
#[template(path = "arende.html")]
struct ShowPage {
    layout: Layout,
    c: Arende,
    just_registered: bool,
    status: &'static str,
    explanation: String,
    reasons: Vec<String>,
    items: Vec<(&'static str, String)>,
    activities: Vec<(String, &'static str, &'static str, i64)>,
    kinds: Vec<Val>,
    modes: Vec<Val>,
    contact: Option<boj_domain::arende::Kontakt>,
    today: String,
    assignees: Vec<(String, String, bool)>,
}

pub async fn show(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let fall::Visning {
        arende: c,
        bedomning: b,
        aktiviteter,
        stodpersoner,
    } = fall::visa(&state.app, &p, &id).await?;
    let contact = if q.kontakt.is_some() && c.has_contact {
        fall::kontakt(&state.app, &p, &id).await?
    } else {
        None
    };
    let assignees = stodpersoner
        .into_iter()
        .map(|(uid, name)| {
            let own = Some(&uid) == c.assignee.as_ref();
            (uid, name, own)
        })
        .collect();
    let it = &c.statistik;
    let labels = |v: Vec<&'static str>| v.join(", ");
    let items = vec![
        ("Typ av hjälpsökande", it.person.label().to_string()),
        ("Hemkommun", it.hem.label().to_string()),
        ("Kön", it.kon.label().to_string()),
        ("Åldersgrupp", it.alder.label().to_string()),
        (
            "Brottstyp",
            labels(it.brott.iter().map(|k| k.label()).collect()),
        ),
        (
            "Särskilda omständigheter",
            if it.omstandigheter.is_empty() {
                "Inga".into()
            } else {
                labels(it.omstandigheter.iter().map(|k| k.label()).collect())
            },
        ),
        ("Polisanmälan", it.polis.label().to_string()),
        ("Första kontakt", it.forsta_kontakt.label().to_string()),
        (
            "Informerad enligt 11 kap. 6 § SoL",
            if it.informerad_11_6 {
                "Ja".into()
            } else {
                "Nej".into()
            },
        ),
    ];
    render(&ShowPage {
        layout: Layout::new(&state, &who),
        just_registered: q.ny.is_some(),
        status: b.status.label(),
        explanation: b.forklaring.clone(),
        reasons: b.skal.iter().map(|m| m.text.clone()).collect(),
        items,
        activities: aktiviteter
            .into_iter()
            .map(|a| {
                (
                    a.datum.to_string(),
                    a.typ.label(),
                    a.satt.label(),
                    i64::from(a.minuter),
                )
            })
            .collect(),
        kinds: vals::<Aktivitetstyp>(&["stodsamtal".into()]),
        modes: vals::<Kontaktsatt>(&["telefon".into()]),
        contact,
        today: state.app.today().to_string(),
        assignees,
        c,
    })
}

fn back(id: &str) -> Response {
    Redirect::to(&format!("/arenden/{id}")).into_response()
}

pub async fn add_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let minutes = one(&f, "minutes").trim().parse::<i64>().map_err(|_| {
        PageError(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            boj_domain::Code::OgiltigForfragan,
            "Ange minuter som ett heltal.",
        ))
    })?;
    let b = fall::NyAktivitet {
        datum: one(&f, "date"),
        typ: one(&f, "kind"),
        satt: one(&f, "mode"),
        minuter: minutes,
    };
    fall::ny_aktivitet(&state.app, &p, &id, &b).await?;
    Ok(back(&id))
}

pub async fn close(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    // Closing is confirmed on the form: a case is not closed by a slip of the finger.
    if one(&f, "bekrafta") != "ja" {
        return Err(PageError(crate::error::Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            boj_domain::Code::OgiltigForfragan,
            "Kryssa i att du vill avsluta ärendet. Ett avslutat ärende kan öppnas igen tills det gallras.",
        )));
    }
    fall::avsluta(&state.app, &p, &id, &one(&f, "closed_on")).await?;
    Ok(back(&id))
}

/// Reopens a closed case (`arenden::ateroppna`), while retention has not erased it.
pub async fn reopen(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    fall::ateroppna(&state.app, &p, &id).await?;
    Ok(back(&id))
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    fall::aterkalla_samtycke(&state.app, &p, &id).await?;
    Ok(back(&id))
}

pub async fn reassign(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    fall::tilldela(&state.app, &p, &id, &one(&f, "assignee")).await?;
    Ok(back(&id))
}

#[derive(Template)]
#[template(path = "verksamhet.html")]
struct VerksamhetPage {
    layout: Layout,
    today: String,
    month: String,
    message: Option<String>,
    error: Option<String>,
}

async fn verksamhet_page(
    state: &AppState,
    who: &crate::auth::Identity,
    message: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let today = state.app.today();
    render(&VerksamhetPage {
        layout: Layout::new(state, who),
        today: today.to_string(),
        month: format!("{:04}-{:02}", today.year(), today.month()),
        message,
        error,
    })
}

pub async fn verksamhet(
    State(state): State<AppState>,
    Who(who): Who,
) -> Result<Html<String>, PageError> {
    verksamhet_page(&state, &who, None, None).await
}

/// Hours as people type them (a decimal comma), as the use case reads them.
fn hours_text(s: &str) -> String {
    s.trim().replace(',', ".")
}

fn count(f: &Pairs, k: &str) -> u32 {
    one(f, k).trim().parse().unwrap_or(u32::MAX)
}

async fn answer(
    state: &AppState,
    who: &crate::auth::Identity,
    r: Result<(), Failure>,
    ok: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(verksamhet_page(state, who, Some(ok.into()), None)
            .await?
            .into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            verksamhet_page(state, who, None, Some(e.message)).await?,
        )
            .into_response()),
        Err(e) => Err(PageError(e)),
    }
}

pub async fn witness(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let b = fall::Vittnesstod {
        datum: one(&f, "date"),
        domstol: one(&f, "court"),
        antal: [
            count(&f, "vittne"),
            count(&f, "malsagande"),
            count(&f, "anhorig_van"),
            count(&f, "tilltalad"),
        ],
        timmar: hours_text(&one(&f, "hours")),
    };
    let r = fall::vittnesstod(&state.app, &p, &b)
        .await
        .map(|_| ())
        .map_err(Failure::from);
    answer(&state, &who, r, "Vittnesstödstillfället är registrerat.").await
}

pub async fn hours(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let r = fall::volontartimmar(
        &state.app,
        &p,
        &one(&f, "month"),
        &one(&f, "kind"),
        &hours_text(&one(&f, "hours")),
    )
    .await
    .map(|_| ())
    .map_err(Failure::from);
    answer(&state, &who, r, "Timmarna är registrerade.").await
}

/// The intake form, filled with a case's items, for correcting them.
async fn edit_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    c: &Arende,
    f: Option<Pairs>,
    error: Option<String>,
) -> Result<NyttPage, PageError> {
    let f = f.unwrap_or_else(|| {
        let q = c.statistik.poster();
        let mut f: Pairs = vec![
            ("agreement_id".into(), c.agreement_id.clone()),
            ("opened_on".into(), c.opened_on.to_string()),
            ("person_type".into(), q.person),
            ("municipality".into(), q.hem),
            ("gender".into(), q.kon),
            ("age_band".into(), q.alder),
            ("police_report".into(), q.polis),
            ("first_contact".into(), q.forsta_kontakt),
            (
                "informed_11_6".into(),
                if q.informerad_11_6 {
                    "ja".into()
                } else {
                    String::new()
                },
            ),
        ];
        f.extend(q.brott.into_iter().map(|x| ("crime_types".to_string(), x)));
        f.extend(
            q.omstandigheter
                .into_iter()
                .map(|x| ("circumstances".to_string(), x)),
        );
        f
    });
    let mut page = nytt_page(state, who, p, f, error).await?;
    page.heading = "Rätta ärendets uppgifter".into();
    page.action = format!("/arenden/{}/ratta", c.id);
    page.editing = true;
    Ok(page)
}

pub async fn edit_form(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let c = fall::arende(&state.app, &p, &id).await?;
    render(&edit_page(&state, &who, &p, &c, None, None).await?)
}

pub async fn correct(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let c = fall::arende(&state.app, &p, &id).await?;
    let f = pairs(&raw);
    let q = poster(&f);
    let patch = fall::Rattelse {
        opened_on: Some(one(&f, "opened_on")),
        person: Some(q.person),
        hem: Some(q.hem),
        kon: Some(q.kon),
        alder: Some(q.alder),
        brott: Some(q.brott),
        omstandigheter: Some(q.omstandigheter),
        polis: Some(q.polis),
        forsta_kontakt: Some(q.forsta_kontakt),
        informerad_11_6: Some(q.informerad_11_6),
        stodperson: None,
    };
    match fall::ratta(&state.app, &p, &id, patch)
        .await
        .map_err(Failure::from)
    {
        Ok(_) => Ok(back(&id)),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY
                || e.status == StatusCode::BAD_REQUEST =>
        {
            let page = edit_page(&state, &who, &p, &c, Some(f), Some(e.message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}
