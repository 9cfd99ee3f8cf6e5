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
    /// The field the error is about (its API name), shown beside it and focused.
    error_field: Option<String>,
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
    /// Not stated and abroad; the agreements' parties; every other municipality.
    municipalities_first: Vec<(String, String)>,
    municipalities_parties: Vec<(String, String)>,
    municipalities_rest: Vec<(String, String)>,
}

/// The intake form's fields by API name, with the label a person sees (for the error summary).
const FALTNAMN: [(&str, &str); 16] = [
    ("agreement_id", "Överenskommelse"),
    ("opened_on", "Datum för kontakten"),
    ("person_type", "Vem söker stöd?"),
    ("municipality", "Hemkommun"),
    ("gender", "Kön"),
    ("age_band", "Ålder"),
    ("crime_types", "Brottstyp"),
    ("circumstances", "Särskilda omständigheter"),
    ("police_report", "Polisanmält?"),
    ("first_contact", "Första kontakten via"),
    (
        "informed_11_6",
        "Informerad om rätten att ansöka om bistånd",
    ),
    ("consent_contact", "Samtycke"),
    ("name", "Namn"),
    ("phone", "Telefon"),
    ("email", "E-post"),
    ("note", "Anteckning"),
];

impl NyttPage {
    fn value(&self, k: &str) -> String {
        one(&self.f, k)
    }

    fn fel_vid(&self, falt: &str) -> bool {
        self.error_field.as_deref() == Some(falt)
    }

    fn felet(&self) -> &str {
        self.error.as_deref().unwrap_or_default()
    }

    fn falt_namn(&self) -> &'static str {
        FALTNAMN
            .iter()
            .find(|(k, _)| Some(*k) == self.error_field.as_deref())
            .map_or("", |(_, l)| l)
    }

    /// The attributes of a field the error is about: marked invalid, described by the message, and
    /// focused when the page opens.
    fn attr(&self, falt: &str) -> String {
        if self.fel_vid(falt) {
            format!(r#" aria-invalid="true" aria-describedby="{falt}-fel" autofocus"#)
        } else {
            String::new()
        }
    }

    /// The same for a group of radio buttons or checkboxes (its first box takes the focus).
    fn attr_grupp(&self, falt: &str) -> String {
        if self.fel_vid(falt) {
            format!(r#" aria-describedby="{falt}-fel" class="invalid""#)
        } else {
            String::new()
        }
    }

    /// Whether the error is about the contact details (their section is then open).
    fn kontaktfel(&self) -> bool {
        ["consent_contact", "name", "phone", "email", "note"]
            .iter()
            .any(|f| self.fel_vid(f))
    }
}

async fn nytt_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    f: Pairs,
    error: Option<Failure>,
) -> Result<NyttPage, PageError> {
    let readable = boj_app::avtal::lasbara_med_beslut(&state.app, p).await?;
    let agreements = readable
        .iter()
        .map(|x| (x.avtal.id.clone(), x.avtal.version.title.clone()))
        .collect();
    let parter: std::collections::HashSet<_> = readable
        .iter()
        .flat_map(|x| x.avtal.version.parter.iter().copied())
        .collect();
    let first_choice = |k: &str, default: &str| {
        let v = many(&f, k);
        if v.is_empty() {
            vec![default.to_string()]
        } else {
            v
        }
    };
    let municipalities_first: Vec<(String, String)> = vec![
        ("okand".into(), "Okänt / inte angiven".into()),
        ("utlandet".into(), "Bor utomlands".into()),
    ];
    // The agreements' parties first (the common answers), then every other municipality.
    let (parties, rest): (Vec<_>, Vec<_>) = boj_domain::kommun::kommuner()
        .iter()
        .partition(|k| parter.contains(&k.kod));
    let named = |v: Vec<&boj_domain::kommun::Kommun>| {
        let mut v: Vec<(String, String)> = v
            .into_iter()
            .map(|k| (k.kod.to_string(), k.namn.to_string()))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    Ok(NyttPage {
        layout: Layout::new(state, who),
        heading: "Nytt ärende".into(),
        action: "/arenden".into(),
        editing: false,
        error_field: error
            .as_ref()
            .and_then(|e| e.field.as_deref().map(str::to_string)),
        error: error.map(|e| e.message),
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
        municipalities_first,
        municipalities_parties: named(parties),
        municipalities_rest: named(rest),
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
            let page = nytt_page(&state, &who, &p, f, Some(e)).await?;
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
    pub nummer: String,
    pub opened_on: String,
    pub last_activity_on: String,
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
    /// A case number to find (`2026-0142`, `142`).
    nummer: Option<String>,
    /// Contact dates from and to (inclusive).
    fran: Option<String>,
    till: Option<String>,
    /// Only cases without an activity for at least this many days.
    vilande: Option<String>,
    /// The order: `nyast` (default), `aldst`, `nummer`, `aktivitet` (longest without activity first).
    sortera: Option<String>,
    /// The page, from 1.
    sida: Option<usize>,
}

/// The orders the case list offers, (code, label).
const ORDNINGAR: [(&str, &str); 4] = [
    ("nyast", "Nyast först"),
    ("aldst", "Äldst först"),
    ("nummer", "Ärendenummer"),
    ("aktivitet", "Längst sedan aktivitet"),
];

/// The "no activity for" choices, (days, label).
const VILANDE: [(&str, &str); 3] = [
    ("30", "Minst 30 dagar"),
    ("90", "Minst 90 dagar"),
    ("150", "Minst 150 dagar"),
];

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
    /// The number searched for, the period, "no activity for", the order, and what was wrong with
    /// the search.
    nummer: String,
    fran: String,
    till: String,
    vilande: String,
    sortera: String,
    ordningar: &'static [(&'static str, &'static str)],
    vilande_val: &'static [(&'static str, &'static str)],
    sokfel: Option<String>,
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
    let text = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_string();
    let (nummer, fran, till, vilande) = (
        text(&q.nummer),
        text(&q.fran),
        text(&q.till),
        text(&q.vilande),
    );
    let sortera = Some(text(&q.sortera))
        .filter(|s| ORDNINGAR.iter().any(|(k, _)| k == s))
        .unwrap_or_else(|| "nyast".into());
    let mut sokfel = Vec::new();
    let sokning = match nummer.as_str() {
        "" => None,
        n => {
            let s = boj_domain::arende::Nummersokning::tolka(n);
            if s.is_none() {
                sokfel.push("Ange ärendenumret som 2026-0142 eller bara 142.");
            }
            s
        }
    };
    let datum = |s: &str, fel: &'static str, sokfel: &mut Vec<&'static str>| {
        if s.is_empty() {
            return None;
        }
        let d = boj_domain::Datum::parse(s).ok();
        if d.is_none() {
            sokfel.push(fel);
        }
        d
    };
    let fran_d = datum(
        &fran,
        "Från-datumet är inte ett datum (ÅÅÅÅ-MM-DD).",
        &mut sokfel,
    );
    let till_d = datum(
        &till,
        "Till-datumet är inte ett datum (ÅÅÅÅ-MM-DD).",
        &mut sokfel,
    );
    let today = state.app.today();
    let vilande_sedan = VILANDE
        .iter()
        .find(|(k, _)| *k == vilande)
        .and_then(|(k, _)| k.parse::<i64>().ok())
        .map(|n| boj_domain::Datum::from_civil(today).plus_dagar(-n));
    let mut homes: Vec<(String, String)> = fall::hemkommuner(&state.app, &p)
        .await?
        .into_iter()
        .map(|h| (h.code(), h.label().to_string()))
        .collect();
    homes.sort_by(|a, b| a.1.cmp(&b.1));
    let urval = |sida: usize| fall::Urval {
        open_only: !show_all,
        assignee: Some(volunteer.clone()).filter(|v| !v.is_empty()),
        home: Some(home.clone()).filter(|v| !v.is_empty()),
        eligibility: Some(filter.clone()).filter(|v| !v.is_empty()),
        number: sokning.map(|s| (s.ar, s.lopnr)),
        from: fran_d,
        to: till_d,
        idle_since: vilande_sedan,
        order: match sortera.as_str() {
            "aldst" => fall::Ordning::Aldst,
            "nummer" => fall::Ordning::Nummer,
            "aktivitet" => fall::Ordning::Aktivitet,
            _ => fall::Ordning::Nyast,
        },
        limit: PER_SIDA as i64,
        offset: ((sida - 1) * PER_SIDA) as i64,
    };
    let wanted = q.sida.unwrap_or(1).clamp(1, 1_000_000);
    let (mut cases, total) = fall::sok(&state.app, &p, urval(wanted)).await?;
    let total = usize::try_from(total).unwrap_or(0);
    let pages = total.div_ceil(PER_SIDA).max(1);
    // A page past the end shows the last one.
    let page = wanted.min(pages);
    if page != wanted {
        cases = fall::sok(&state.app, &p, urval(page)).await?.0;
    }
    let link = |n: usize| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if show_all {
            pairs.push(("visa", "alla".into()));
        }
        for (k, v) in [
            ("status", &filter),
            ("stodperson", &volunteer),
            ("kommun", &home),
            ("nummer", &nummer),
            ("fran", &fran),
            ("till", &till),
            ("vilande", &vilande),
            ("sortera", &sortera),
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
        .map(|c| Rad {
            nummer: c.nummer.to_string(),
            opened_on: c.opened_on.to_string(),
            last_activity_on: c.last_activity_on.to_string(),
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
        nummer,
        fran,
        till,
        vilande,
        sortera,
        ordningar: &ORDNINGAR,
        vilande_val: &VILANDE,
        sokfel: (!sokfel.is_empty()).then(|| sokfel.join(" ")),
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
    /// What was just saved (a code of [`SPARAT`]).
    sparat: Option<String>,
}

/// The confirmations the case page shows after a change, by the code the change redirects with.
const SPARAT: [(&str, &str); 8] = [
    ("aktivitet", "Aktiviteten är sparad."),
    ("aktivitet_rattad", "Rättelsen av aktiviteten är sparad."),
    ("aktivitet_borttagen", "Aktiviteten är borttagen."),
    ("rattat", "Rättelsen är sparad."),
    (
        "avslutat",
        "Ärendet är avslutat. Det kan öppnas igen tills det gallras.",
    ),
    ("ateroppnat", "Ärendet är öppnat igen."),
    ("tilldelat", "Ärendet har fått ny stödperson."),
    ("samtycke", "Kontaktuppgifterna är raderade."),
];

/// An activity as the case page lists it, with what its correction form needs.
pub struct AktRad {
    pub id: String,
    pub datum: String,
    pub typ: &'static str,
    pub satt: &'static str,
    pub minuter: String,
    pub kinds: Vec<Val>,
    pub modes: Vec<Val>,
    pub minutes: u16,
    /// A referral's partner, as the list names it.
    pub partner: Option<String>,
    /// The agreement's partners for the correction form: (number, name, chosen).
    pub partners: Vec<(u16, String, bool)>,
}

#[derive(Template)]
#[template(path = "arende.html")]
struct ShowPage {
    layout: Layout,
    c: Arende,
    just_registered: bool,
    saved: Option<&'static str>,
    status: &'static str,
    explanation: String,
    reasons: Vec<String>,
    items: Vec<(&'static str, String)>,
    activities: Vec<AktRad>,
    kinds: Vec<Val>,
    modes: Vec<Val>,
    partners: Vec<(u16, String, bool)>,
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
        partner: samverkan,
    } = fall::visa(&state.app, &p, &id).await?;
    let partners = |vald: Option<u16>| -> Vec<(u16, String, bool)> {
        samverkan
            .iter()
            .map(|sp| (sp.id, partnernamn(sp), Some(sp.id) == vald))
            .collect()
    };
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
        saved: crate::pages::sparat(&SPARAT, q.sparat.as_deref()),
        status: b.status.label(),
        explanation: b.forklaring.clone(),
        reasons: b.skal.iter().map(|m| m.text.clone()).collect(),
        items,
        activities: aktiviteter
            .into_iter()
            .map(|(id, a)| AktRad {
                id,
                datum: a.datum.to_string(),
                typ: a.typ.label(),
                satt: a.satt.label(),
                minuter: boj_domain::svensk::tid(u32::from(a.minuter)),
                kinds: vals::<Aktivitetstyp>(&[a.typ.code().into()]),
                modes: vals::<Kontaktsatt>(&[a.satt.code().into()]),
                minutes: a.minuter,
                partner: a.partner.map(|h| {
                    samverkan
                        .iter()
                        .find(|sp| sp.id == h.id)
                        .map_or_else(|| h.slag.label().to_string(), partnernamn)
                }),
                partners: {
                    let mut v = partners(a.partner.map(|h| h.id));
                    // A partner since removed from the list stays this referral's own.
                    if let Some(h) = a.partner
                        && !v.iter().any(|(nr, ..)| *nr == h.id)
                    {
                        v.push((
                            h.id,
                            format!("{} (inte längre i listan)", h.slag.label()),
                            true,
                        ));
                    }
                    v
                },
            })
            .collect(),
        kinds: vals::<Aktivitetstyp>(&["stodsamtal".into()]),
        modes: vals::<Kontaktsatt>(&["telefon".into()]),
        partners: partners(None),
        contact,
        today: state.app.today().to_string(),
        assignees,
        c,
    })
}

/// Back to the case page, saying what was saved (a code of [`SPARAT`]).
fn back(id: &str, sparat: &str) -> Response {
    Redirect::to(&format!("/arenden/{id}?sparat={sparat}#sparat")).into_response()
}

/// A partner as lists name it: "Kvinnojouren i Exempelstad (kvinnojour)".
fn partnernamn(sp: &boj_domain::avtal::Samverkanspartner) -> String {
    match sp.typ() {
        Some(t) => format!("{} ({})", sp.namn, t.label().to_lowercase()),
        None => sp.namn.clone(),
    }
}

/// An activity as its form gives it.
fn ny_aktivitet(f: &Pairs) -> Result<fall::NyAktivitet, PageError> {
    let minutes = one(f, "minutes").trim().parse::<i64>().map_err(|_| {
        PageError(Failure {
            field: Some("minutes".into()),
            ..Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                boj_domain::Code::OgiltigForfragan,
                "Ange minuter som ett heltal.",
            )
        })
    })?;
    Ok(fall::NyAktivitet {
        datum: one(f, "date"),
        typ: one(f, "kind"),
        satt: one(f, "mode"),
        minuter: minutes,
        // The partner field counts for a referral only; the form shows it for every kind.
        partner: (one(f, "kind").trim() == "hanvisning")
            .then(|| one(f, "partner"))
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().parse().unwrap_or(0)),
    })
}

pub async fn add_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let b = ny_aktivitet(&pairs(&raw))?;
    fall::ny_aktivitet(&state.app, &p, &id, &b).await?;
    Ok(back(&id, "aktivitet"))
}

/// Corrects an activity (`arenden::ratta_aktivitet`).
pub async fn correct_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, aid)): Path<(String, String)>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let b = ny_aktivitet(&pairs(&raw))?;
    fall::ratta_aktivitet(&state.app, &p, &id, &aid, &b).await?;
    Ok(back(&id, "aktivitet_rattad"))
}

/// Removes an activity recorded by mistake, once confirmed (`arenden::ta_bort_aktivitet`).
pub async fn remove_activity(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, aid)): Path<(String, String)>,
    raw: RawForm,
) -> Result<Response, PageError> {
    if one(&pairs(&raw), "bekrafta") != "ja" {
        return Err(PageError(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            boj_domain::Code::OgiltigForfragan,
            "Kryssa i att du vill ta bort aktiviteten.",
        )));
    }
    fall::ta_bort_aktivitet(&state.app, &p, &id, &aid).await?;
    Ok(back(&id, "aktivitet_borttagen"))
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
    Ok(back(&id, "avslutat"))
}

/// Reopens a closed case (`arenden::ateroppna`), while retention has not erased it.
pub async fn reopen(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    fall::ateroppna(&state.app, &p, &id).await?;
    Ok(back(&id, "ateroppnat"))
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    fall::aterkalla_samtycke(&state.app, &p, &id).await?;
    Ok(back(&id, "samtycke"))
}

pub async fn reassign(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    fall::tilldela(&state.app, &p, &id, &one(&f, "assignee")).await?;
    Ok(back(&id, "tilldelat"))
}

#[derive(Template)]
#[template(path = "verksamhet.html")]
struct VerksamhetPage {
    layout: Layout,
    today: String,
    month: String,
    message: Option<String>,
    error: Option<String>,
    /// The organisation's agreements: (id, title).
    avtal: Vec<(String, String)>,
    /// Per agreement (its title), its partners: (`agreement id/number`, name).
    partner: Vec<(String, Vec<(String, String)>)>,
}

async fn verksamhet_page(
    state: &AppState,
    who: &crate::auth::Identity,
    message: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let today = state.app.today();
    let avtal = match who.principal() {
        Some(p) => boj_app::avtal::lasbara(&state.app, &p)
            .await
            .map_err(|e| PageError(e.into()))?,
        None => Vec::new(),
    };
    render(&VerksamhetPage {
        layout: Layout::new(state, who),
        today: today.to_string(),
        month: format!("{:04}-{:02}", today.year(), today.month()),
        message,
        error,
        partner: avtal
            .iter()
            .filter(|a| !a.version.settings.samverkanspartner.is_empty())
            .map(|a| {
                (
                    a.version.title.clone(),
                    a.version
                        .settings
                        .samverkanspartner
                        .iter()
                        .map(|sp| (format!("{}/{}", a.id, sp.id), partnernamn(sp)))
                        .collect(),
                )
            })
            .collect(),
        avtal: avtal.into_iter().map(|a| (a.id, a.version.title)).collect(),
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
        avtal: Some(one(&f, "agreement_id")),
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
        Some(&one(&f, "agreement_id")),
    )
    .await
    .map(|_| ())
    .map_err(Failure::from);
    answer(&state, &who, r, "Timmarna är registrerade.").await
}

/// Collaboration work with a partner (`arenden::samverkan`): the partner is chosen as
/// `agreement id/number`.
pub async fn collaboration(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: RawForm,
) -> Result<Response, PageError> {
    let f = pairs(&raw);
    let vald = one(&f, "partner");
    let (avtal, nr) = vald.rsplit_once('/').unwrap_or(("", ""));
    let b = fall::Samverkansarbete {
        avtal: avtal.to_string(),
        manad: one(&f, "month"),
        partner: nr.trim().parse().unwrap_or(0),
        form: one(&f, "form"),
        timmar: hours_text(&one(&f, "hours")),
    };
    let r = if vald.trim().is_empty() {
        Err(Failure::from(boj_app::AppError::from(
            boj_domain::DomainError::new(
                boj_domain::Code::OgiltigForfragan,
                "Välj samverkanspart.",
            )
            .falt("partner"),
        )))
    } else {
        fall::samverkan(&state.app, &p, &b)
            .await
            .map(|_| ())
            .map_err(Failure::from)
    };
    answer(&state, &who, r, "Samverkan är registrerad.").await
}

/// The intake form, filled with a case's items, for correcting them.
async fn edit_page(
    state: &AppState,
    who: &crate::auth::Identity,
    p: &Principal,
    c: &Arende,
    f: Option<Pairs>,
    error: Option<Failure>,
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
        Ok(_) => Ok(back(&id, "rattat")),
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY
                || e.status == StatusCode::BAD_REQUEST =>
        {
            let page = edit_page(&state, &who, &p, &c, Some(f), Some(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}
