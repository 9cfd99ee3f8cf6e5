//! Server-rendered pages (askama templates in `templates/`). Swedish throughout; no JavaScript
//! needed. Each handler reads its form, calls one use case of `boj-app`, and renders; pages never
//! import the API's modules. This module: the layout, sign-in, the start page.

pub mod arenden;
pub mod avtal;
pub mod bidrag;
pub mod rapporter;

use crate::AppState;
use crate::auth::{Authed, Identity, SECURE_SESSION_COOKIE, SESSION_COOKIE, Who, cookie_name};
use crate::error::PageError;
use crate::extract::Klientadress;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use boj_app::konton::{self, Inloggning, User};
use boj_domain::{Principal, Role};
use serde::Deserialize;

/// What every page's layout needs.
pub struct Layout {
    pub demo: bool,
    /// Signed-in user's name and role label.
    pub user: Option<(String, &'static str)>,
    /// The session's CSRF token, for forms.
    pub csrf: String,
}

impl Layout {
    pub fn new(state: &AppState, identity: &Identity) -> Self {
        match identity {
            Identity::Session { session, .. } => Layout {
                demo: state.config.demo,
                user: Some((session.user.name.clone(), session.user.role.label())),
                csrf: session.csrf_token.clone(),
            },
            _ => Layout {
                demo: state.config.demo,
                user: None,
                csrf: String::new(),
            },
        }
    }
}

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(crate::error::Failure::internal(e)))
}

#[derive(Template)]
#[template(path = "logga_in.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<&'static str>,
    name: String,
    /// Sign-in through the organisation's identity provider is offered (OpenID Connect).
    oidc: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    utgangen: Option<String>,
    utloggad: Option<String>,
    aktiverat: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    Who(who): Who,
    Query(q): Query<LoginQuery>,
) -> Response {
    if who.principal().is_some() {
        return Redirect::to("/").into_response();
    }
    let notice = if q.utgangen.is_some() {
        Some("Din session har gått ut. Logga in igen.")
    } else if q.utloggad.is_some() {
        Some("Du är utloggad.")
    } else if q.aktiverat.is_some() {
        Some(
            "Ditt lösenord är sparat. Logga in; en samordnare godkänner kontot innan du ser ärenden.",
        )
    } else {
        None
    };
    let page = LoginPage {
        layout: Layout::new(&state, &Identity::Anonymous),
        error: None,
        notice,
        name: String::new(),
        oidc: state.config.oidc_pa(),
    };
    render(&page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Checks name and password (`konton::logga_in`, throttled per account and per address); on
/// success starts a fresh session (never reusing an old id) and goes to the start page; after too
/// many failures answers 429 with `Retry-After`. Roles that need a second factor will get a second
/// step here (the session's stage).
pub async fn login(
    State(state): State<AppState>,
    Who(who): Who,
    Klientadress(adress): Klientadress,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let forra = match &who {
        Identity::Session { secret, .. } => Some(secret.as_str()),
        _ => None,
    };
    let name = form.name.trim().to_string();
    let refused = |status: StatusCode, error: String, name: String| {
        let page = LoginPage {
            layout: Layout::new(&state, &Identity::Anonymous),
            error: Some(error),
            notice: None,
            name,
            oidc: state.config.oidc_pa(),
        };
        render(&page).map(|html| (status, html).into_response())
    };
    let (secret, vidare) =
        match konton::logga_in(&state.app, forra, &name, &form.password, &adress).await? {
            Inloggning::Klar(secret) => (secret, "/"),
            Inloggning::AndraSteget(secret) => (secret, "/logga-in/kod"),
            Inloggning::Fel => {
                return refused(
                    StatusCode::UNAUTHORIZED,
                    "Fel användarnamn eller lösenord.".into(),
                    name,
                );
            }
            Inloggning::Vanta(s) => {
                let mut res = refused(
                    StatusCode::TOO_MANY_REQUESTS,
                    boj_domain::inloggning::meddelande(s),
                    name,
                )?;
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(s));
                return Ok(res);
            }
        };
    Ok((
        jar.add(session_cookie(&state, secret)),
        Redirect::to(vidare),
    )
        .into_response())
}

/// The session cookie for a new session's secret: HttpOnly, SameSite=Strict, `Secure` with the
/// `__Host-` prefix when boj runs behind TLS.
pub(crate) fn session_cookie(state: &AppState, secret: String) -> Cookie<'static> {
    Cookie::build((cookie_name(state), secret))
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

pub async fn logout(
    State(state): State<AppState>,
    Who(who): Who,
    jar: CookieJar,
) -> Result<Response, PageError> {
    if let Identity::Session { secret, session } = &who {
        konton::logga_ut(&state.app, secret, &session.user.id).await?;
    }
    // Removed with the attributes it was set with: a browser keeps a `__Host-` cookie whose removal
    // lacks `Secure`.
    let gone = |name: &'static str, secure: bool| {
        Cookie::build(name)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
    };
    let jar = jar
        .remove(gone(SESSION_COOKIE, false))
        .remove(gone(SECURE_SESSION_COOKIE, true));
    Ok((jar, Redirect::to("/logga-in?utloggad=1")).into_response())
}

#[derive(Template)]
#[template(path = "aktivera.html")]
struct ActivationPage {
    layout: Layout,
    token: String,
    /// The account's name; `None` when the link is unknown, used or expired.
    name: Option<String>,
    error: Option<String>,
}

/// The activation link of an account an admin created: the person chooses their own password.
pub async fn activation_form(
    State(state): State<AppState>,
    Who(who): Who,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let u = konton::aktivering(&state.app, &token).await?;
    let status = if u.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    // A browser that holds a session (a shared computer) sends its CSRF token with the form.
    let page = ActivationPage {
        layout: Layout::new(&state, &who),
        token,
        name: u.map(|u| u.name),
        error: None,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct ActivationForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

/// Sets the person's own password with the activation link, then asks them to sign in.
pub async fn activate(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<ActivationForm>,
) -> Result<Response, PageError> {
    let again = |error: String| async {
        let u = konton::aktivering(&state.app, &token).await?;
        let page = ActivationPage {
            layout: Layout::new(&state, &Identity::Anonymous),
            token: token.clone(),
            name: u.map(|u| u.name),
            error: Some(error),
        };
        Ok::<_, PageError>((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    if form.password != form.again {
        return again("Lösenorden är inte lika.".into()).await;
    }
    match konton::aktivera(&state.app, &token, &form.password).await {
        Ok(Some(_)) => Ok(Redirect::to("/logga-in?aktiverat=1").into_response()),
        Ok(None) => {
            let page = ActivationPage {
                layout: Layout::new(&state, &Identity::Anonymous),
                token,
                name: None,
                error: None,
            };
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
        Err(e) if e.kind == boj_app::Kind::Invalid => again(e.message).await,
        Err(e) => Err(e.into()),
    }
}

/// A coordinator approves an account of the organisation from the start page.
pub async fn approve(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    konton::godkann(&state.app, &p, &id).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Template)]
#[template(path = "andra_steget.html")]
struct SecondStepPage {
    layout: Layout,
    error: Option<String>,
    /// Enrolment: the secret as text and the QR code (SVG).
    registrera: Option<(String, String)>,
    /// Shown once, after enrolment.
    reservkoder: Vec<String>,
}

/// The QR code of an `otpauth://` address, as SVG drawn here (no external service).
fn qr_svg(adress: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(adress.as_bytes())
        .map_err(|e| PageError(crate::error::Failure::internal(e)))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}

async fn second_step_page(
    state: &AppState,
    who: &Identity,
    session: &boj_app::konton::Session,
    error: Option<String>,
) -> Result<SecondStepPage, PageError> {
    let registrera = match konton::andra_steget(&state.app, session).await? {
        konton::AndraSteget::Registrera { hemlighet, adress } => {
            Some((hemlighet, qr_svg(&adress)?))
        }
        konton::AndraSteget::Kod => None,
    };
    Ok(SecondStepPage {
        layout: Layout::new(state, who),
        error,
        registrera,
        reservkoder: Vec::new(),
    })
}

/// The second step of a sign-in: enrolment the first time, the code afterwards. Only for a session
/// whose password step is done.
pub async fn second_step_form(
    State(state): State<AppState>,
    Who(who): Who,
) -> Result<Response, PageError> {
    let Identity::Session { session, .. } = &who else {
        return Ok(Redirect::to("/logga-in").into_response());
    };
    if session.stage != boj_app::konton::Stage::Losenord {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&second_step_page(&state, &who, session, None).await?)?.into_response())
}

#[derive(Deserialize)]
pub struct SecondStepForm {
    #[serde(default)]
    kod: String,
}

/// Checks the second step's code; on success the session is renewed and fully signed in.
pub async fn second_step(
    State(state): State<AppState>,
    Who(who): Who,
    Klientadress(adress): Klientadress,
    jar: CookieJar,
    Form(form): Form<SecondStepForm>,
) -> Result<Response, PageError> {
    let Identity::Session { session, secret } = &who else {
        return Ok(Redirect::to("/logga-in").into_response());
    };
    if session.stage != boj_app::konton::Stage::Losenord {
        return Ok(Redirect::to("/").into_response());
    }
    match konton::bekrafta_kod(&state.app, secret, session, &form.kod, &adress).await? {
        konton::Andra::Klar {
            hemlighet,
            reservkoder,
        } => {
            let cookie = session_cookie(&state, hemlighet);
            if reservkoder.is_empty() {
                return Ok((jar.add(cookie), Redirect::to("/")).into_response());
            }
            let page = SecondStepPage {
                layout: Layout::new(&state, &Identity::Anonymous),
                error: None,
                registrera: None,
                reservkoder,
            };
            Ok((jar.add(cookie), render(&page)?).into_response())
        }
        konton::Andra::Fel => {
            let page = second_step_page(
                &state,
                &who,
                session,
                Some(
                    "Fel kod, eller en kod som redan har använts. Vänta på nästa kod i appen."
                        .into(),
                ),
            )
            .await?;
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        konton::Andra::Vanta(s) => {
            let page = second_step_page(
                &state,
                &who,
                session,
                Some(boj_domain::inloggning::meddelande(s)),
            )
            .await?;
            let mut res = (StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(s));
            Ok(res)
        }
    }
}

/// One thing a role can do, shown on its start page.
pub struct Card {
    pub title: &'static str,
    pub text: &'static str,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    layout: Layout,
    name: String,
    role: &'static str,
    scope: String,
    cards: Vec<Card>,
    users: Vec<User>,
    /// The organisations by id and name (the admin's user table and form).
    orgs: Vec<(String, String)>,
    /// Accounts of the coordinator's organisation that wait for approval.
    pending: Vec<User>,
    agreements: Vec<StartAvtal>,
    show_agreements: bool,
    show_cases: bool,
    /// The API tokens (the admin's): id, user, created, last day, status.
    tokens: Vec<(String, String, String, String, &'static str, bool)>,
    /// What was just saved (`?sparat=`), said at the top.
    saved: Option<&'static str>,
}

/// The confirmation for what was just saved: a change redirects with `?sparat=CODE`, and the page
/// says the text `list` has for that code (nothing for an unknown code).
pub fn sparat(list: &[(&str, &'static str)], code: Option<&str>) -> Option<&'static str> {
    list.iter().find(|(k, _)| Some(*k) == code).map(|(_, t)| *t)
}

/// The confirmations the start page shows after a change, by the code it redirects with.
const SPARAT_START: [(&str, &str); 3] = [
    (
        "avstangd",
        "Kontot är avstängt och dess sessioner är avslutade.",
    ),
    ("nyckel", "API-nyckeln är återkallad."),
    ("godkand", "Kontot är godkänt."),
];

#[derive(serde::Deserialize)]
pub struct StartQuery {
    sparat: Option<String>,
}

/// An agreement as the start page summarises it.
pub struct StartAvtal {
    pub id: String,
    pub title: String,
    /// Parties without a decision that makes the agreement apply (shown to `forbund`).
    /// Parties for which the agreement does not apply today, with why.
    pub pending: Vec<String>,
    /// The next report deadline: period and last day.
    pub deadline: Option<(String, String)>,
    /// For municipal officials and county strategists: the figures across the issued periods.
    pub trend: Option<TrendVy>,
}

/// An agreement's figures across its issued periods, from the issued reports only
/// (`boj_app::rapporter::trend`), with the links a reader of them wants next.
pub struct TrendVy {
    /// The columns after the period: the reader's municipality, or every row of the reports.
    pub kolumner: Vec<String>,
    /// (period, report id, values as text), oldest period first.
    pub rader: Vec<(String, String, Vec<String>)>,
    pub diagram: Option<crate::pages::rapporter::Diagram>,
    /// The newest issued report: (id, period, edition).
    pub nyaste: Option<(String, String, i64)>,
    /// The reader's invoice basis this year, or the grants page.
    pub underlag: Option<(String, String)>,
}

/// The trend's columns after the cases: the whole agreement's other main figures.
const OVRIGT: [&str; 2] = [
    "Personer med vittnesstöd (hela överenskommelsen)",
    "Volontärtimmar (hela överenskommelsen)",
];

/// A trend point's values for [`OVRIGT`], as published ("..": protected, or not in that report).
fn ovrigt(t: &boj_app::rapporter::Trendpunkt) -> [String; 2] {
    use boj_domain::svensk::{decimal, heltal};
    [
        t.vittnen.map_or_else(
            || "..".into(),
            |v| heltal(i64::try_from(v).unwrap_or(i64::MAX)),
        ),
        t.timmar.map_or_else(|| "..".into(), |h| decimal(h, 1)),
    ]
}

/// The trend of agreement `a` for `p` (a municipal official: their municipality and the county;
/// a county strategist: every row and the county).
async fn trendvy(
    state: &AppState,
    p: &Principal,
    a: &boj_app::avtal::Avtal,
    year: i16,
) -> Result<TrendVy, PageError> {
    use boj_domain::svensk::heltal;
    let punkter = boj_app::rapporter::trend(&state.app, p, &a.id).await?;
    let (_, lista) = boj_app::rapporter::lista(&state.app, p, &a.id).await?;
    let text = |v: Option<u64>| v.map_or_else(|| "..".into(), |x| heltal(x as i64));
    let egen = match &p.scope {
        boj_domain::Scope::Kommun(k) => Some(k.to_string()),
        _ => None,
    };
    let (kolumner, rader, diagram) = match &egen {
        Some(k) => {
            let namn = punkter
                .iter()
                .rev()
                .find_map(|t| t.kommun(k).map(|(l, _)| l.to_string()))
                .unwrap_or_else(|| k.to_string());
            let rader: Vec<_> = punkter
                .iter()
                .map(|t| {
                    // Not in that report (not yet a party then): a dash, not "protected".
                    let v = t.kommun(k).map_or_else(|| "–".into(), |(_, v)| text(v));
                    let mut v = vec![v, text(t.total)];
                    v.extend(ovrigt(t));
                    (t.period.clone(), t.rapport_id.clone(), v)
                })
                .collect();
            // A municipality whose every figure is protected gets the whole agreement's chart
            // instead (a chart of ".." alone says nothing).
            let egna: Vec<_> = punkter
                .iter()
                .map(|t| (t.period.clone(), t.kommun(k).and_then(|(_, v)| v), false))
                .collect();
            let d = if egna.iter().all(|(_, v, _)| v.is_none()) {
                crate::pages::rapporter::Diagram::enkelt(
                    "Ärenden i hela överenskommelsen per period".into(),
                    punkter
                        .iter()
                        .map(|t| (t.period.clone(), t.total, false))
                        .collect(),
                )
            } else {
                crate::pages::rapporter::Diagram::enkelt(
                    format!("Ärenden från {namn} per period"),
                    egna,
                )
            };
            let mut kolumner = vec![
                format!("Ärenden från {namn}"),
                "Ärenden i hela överenskommelsen".into(),
            ];
            kolumner.extend(OVRIGT.map(String::from));
            (kolumner, rader, d)
        }
        None => {
            // Every row any issued report has, in the newest report's order.
            let mut koder: Vec<(String, String)> = Vec::new();
            for t in punkter.iter().rev() {
                for (c, l, _) in &t.rader {
                    if !koder.iter().any(|(x, _)| x == c) {
                        koder.push((c.clone(), l.clone()));
                    }
                }
            }
            let rader = punkter
                .iter()
                .map(|t| {
                    let mut v: Vec<String> = koder
                        .iter()
                        .map(|(c, _)| {
                            t.rader
                                .iter()
                                .find(|(x, _, _)| x == c)
                                .map_or_else(|| "–".into(), |(_, _, v)| text(*v))
                        })
                        .collect();
                    v.push(text(t.total));
                    v.extend(ovrigt(t));
                    (t.period.clone(), t.rapport_id.clone(), v)
                })
                .collect();
            let d = crate::pages::rapporter::Diagram::enkelt(
                "Ärenden i hela överenskommelsen per period".into(),
                punkter
                    .iter()
                    .map(|t| (t.period.clone(), t.total, false))
                    .collect(),
            );
            let mut kolumner: Vec<String> = koder.into_iter().map(|(_, l)| l).collect();
            kolumner.push("Alla ärenden".into());
            kolumner.extend(OVRIGT.map(String::from));
            (kolumner, rader, d)
        }
    };
    let underlag = match &egen {
        Some(k) => boj_app::bidrag::arets(&state.app, p, &a.id, i64::from(year))
            .await
            .ok()
            .map(|_| {
                (
                    format!("/avtal/{}/bidrag/{year}/underlag/{k}", a.id),
                    format!("Fakturaunderlag {year}"),
                )
            }),
        None => Some((
            format!("/avtal/{}/bidrag", a.id),
            "Bidrag och fördelning".into(),
        )),
    };
    Ok(TrendVy {
        kolumner,
        diagram: (!rader.is_empty()).then_some(diagram),
        rader,
        nyaste: lista.first().map(|u| {
            (
                u.rapport.id.clone(),
                u.rapport.period.clone(),
                u.rapport.edition,
            )
        }),
        underlag,
    })
}

/// The next report deadline of an agreement (`boj_domain::period::nasta_frist`).
fn next_deadline(a: &boj_app::avtal::Avtal, today: jiff::civil::Date) -> Option<(String, String)> {
    let s = &a.version.settings;
    boj_domain::period::nasta_frist(
        s.rapportcykel,
        a.version.tid.fran,
        s.rapportfrist_dagar,
        boj_domain::Datum::from_civil(today),
    )
    .map(|(p, due)| (p.to_string(), due.to_string()))
}

/// What each role may do (SPEC § 2), in the role's own words.
fn cards(role: Role) -> Vec<Card> {
    let c = |title, text| Card { title, text };
    match role {
        Role::Stodperson => vec![c(
            "Dina ärenden",
            "Du registrerar ärenden och arbetar med dina egna ärenden, och ser kontaktuppgifter i dem när den hjälpsökande har samtyckt.",
        )],
        Role::Samordnare => vec![
            c(
                "Organisationens ärenden",
                "Du ser och arbetar med alla ärenden i organisationen och fördelar dem.",
            ),
            c(
                "Vittnesstöd och volontärtimmar",
                "Du registrerar vittnesstödstillfällen och volontärtimmar.",
            ),
            c(
                "Uppföljningsrapporter",
                "Du förhandsgranskar, utfärdar och rättar rapporterna till kommunerna.",
            ),
        ],
        Role::Kommun => vec![c(
            "Din kommuns överenskommelser",
            "Du läser de överenskommelser din kommun är part i, utfärdade rapporter och fördelningen av bidraget. Enskilda ärenden visas aldrig.",
        )],
        Role::Forbund => vec![c(
            "Länets överenskommelser",
            "Du förvaltar länets överenskommelser, parter, beslut, underskrifter, bidrag och befolkningsuppgifter, och läser alla utfärdade rapporter. Enskilda ärenden visas aldrig.",
        )],
        Role::Admin => vec![c(
            "Användare och nycklar",
            "Du hanterar användare, API-nycklar och säkerhetskopior. Ärendeuppgifter visas aldrig för din roll.",
        )],
    }
}

pub async fn start(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Query(q): Query<StartQuery>,
) -> Result<Html<String>, PageError> {
    let p_full = p.clone();
    let Principal {
        name, role, scope, ..
    } = p;
    let (users, orgs) = if role == Role::Admin {
        (
            konton::alla(&state.app, &p_full).await?,
            konton::organisationer(&state.app, &p_full)
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let dag = |t: i64| boj_domain::datum::svensk_dag(t).to_string();
    let tokens = if role == Role::Admin {
        konton::tokens(&state.app, &p_full)
            .await?
            .into_iter()
            .map(|(t, live)| {
                let status = match (t.revoked_at, live) {
                    (Some(_), _) => "Återkallad",
                    (None, false) => "Utgången",
                    (None, true) => "Giltig",
                };
                (
                    t.id,
                    t.user_name,
                    dag(t.created_at),
                    dag(t.expires_at),
                    status,
                    live,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let show_agreements =
        boj_domain::authorize(&p_full, boj_domain::Action::LasAvtal(None)).is_ok();
    let mut agreements = Vec::new();
    if show_agreements {
        let today = state.app.today();
        for x in boj_app::avtal::lasbara_med_beslut(&state.app, &p_full).await? {
            let a = &x.avtal;
            // Not yet decided, refused, or decided but applying only later (§ 22 item 1: from
            // the party's own decision): all of these are not yet parties in practice.
            let idag = boj_domain::Datum::from_civil(today);
            let pending = boj_app::avtal::statustavla(a, &x.beslut)
                .into_iter()
                .filter(|r| !r.status.galler(idag))
                .map(|r| match r.status.galler_fran() {
                    Some(d) => format!("{} (gäller från {d})", r.kommun.namn()),
                    None => format!("{} ({})", r.kommun.namn(), r.status.label().to_lowercase()),
                })
                .collect();
            let trend = if matches!(role, Role::Kommun | Role::Forbund) {
                Some(trendvy(&state, &p_full, a, today.year()).await?)
            } else {
                None
            };
            agreements.push(StartAvtal {
                id: a.id.clone(),
                title: a.version.title.clone(),
                pending,
                deadline: next_deadline(a, today),
                trend,
            });
        }
    }
    render(&StartPage {
        layout: Layout::new(&state, &who),
        name,
        role: role.label(),
        scope: scope.label(),
        cards: cards(role),
        users,
        orgs,
        pending: konton::vantar_pa_godkannande(&state.app, &p_full).await?,
        agreements,
        show_agreements,
        show_cases: boj_domain::authorize(&p_full, boj_domain::Action::RegistreraArende).is_ok(),
        tokens,
        saved: sparat(&SPARAT_START, q.sparat.as_deref()),
    })
}

#[derive(Template)]
#[template(path = "tillganglighet.html")]
struct AccessibilityPage {
    layout: Layout,
}

pub async fn accessibility(
    State(state): State<AppState>,
    Who(who): Who,
) -> Result<Html<String>, PageError> {
    render(&AccessibilityPage {
        layout: Layout::new(&state, &who),
    })
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/boj.css"),
    )
        .into_response()
}

pub async fn intake_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/intake.js"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "granskning.html")]
struct AuditPage {
    layout: Layout,
    q: crate::extract::GranskningQuery,
    rows: Vec<AuditRow>,
    /// The query string of the next (older) page.
    next: Option<String>,
    /// The reader sees only what the organisation's accounts did.
    own_organisation: bool,
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
}

/// The audit log as a page (SPEC § 6), with the same filters as `GET /api/v1/audit`.
pub async fn audit_log(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Query(q): Query<crate::extract::GranskningQuery>,
) -> Result<Html<String>, PageError> {
    let urval = q.urval(&state.app).await?;
    let sida = konton::granskningslogg(&state.app, &p, urval).await?;
    let rows = sida
        .poster
        .iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: jiff::Timestamp::from_second(e.at)
                .map(|t| {
                    t.to_zoned_datetime(boj_domain::datum::stockholm())
                        .strftime("%Y-%m-%d %H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default(),
            actor: match &e.actor {
                Some(a) => sida.namn.get(a).cloned().unwrap_or_else(|| a.clone()),
                None => "boj".into(),
            },
            action: e.action.clone(),
            object: e.object.clone().unwrap_or_default(),
        })
        .collect();
    let next = sida.nasta.map(|before| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("actor", &q.actor),
            ("action", &q.action),
            ("object", &q.object),
            ("from", &q.from),
            ("to", &q.to),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
                pairs.push((k, v.clone()));
            }
        }
        pairs.push(("before", before.to_string()));
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    });
    render(&AuditPage {
        layout: Layout::new(&state, &who),
        own_organisation: p.role != Role::Admin,
        q,
        rows,
        next,
    })
}

#[derive(Template)]
#[template(path = "anvandare_skapad.html")]
struct AccountPage {
    layout: Layout,
    heading: &'static str,
    name: String,
    /// The one-time activation link, shown once.
    link: Option<String>,
}

/// The admin creates an account from the start page's form (`konton::ny_anvandare`): a support
/// person or coordinator gets a one-time activation link, shown once here; other roles the
/// password the admin typed.
pub async fn create_user(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    raw: axum::extract::RawForm,
) -> Result<Html<String>, PageError> {
    let f = crate::extract::pairs(&raw);
    let opt = |k: &str| Some(crate::extract::one(&f, k)).filter(|v| !v.trim().is_empty());
    let n = konton::NyAnvandare {
        namn: crate::extract::one(&f, "name"),
        roll: crate::extract::one(&f, "role"),
        organisation: opt("organisation"),
        kommun: opt("municipality"),
        lan: opt("county"),
        losenord: opt("password"),
    };
    let (u, token) = konton::ny_anvandare(&state.app, &p, &n).await?;
    render(&AccountPage {
        layout: Layout::new(&state, &who),
        heading: "Kontot är skapat",
        name: u.name,
        link: token.map(|t| format!("/aktivera/{t}")),
    })
}

/// The admin disables an account (`konton::inaktivera`): its sessions and tokens end.
pub async fn disable_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    konton::inaktivera(&state.app, &p, &id).await?;
    Ok(Redirect::to("/?sparat=avstangd#sparat").into_response())
}

/// The admin revokes an API token (`konton::aterkalla_token`).
pub async fn revoke_token(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    konton::aterkalla_token(&state.app, &p, &id).await?;
    Ok(Redirect::to("/?sparat=nyckel#sparat").into_response())
}

/// The admin resets a support person's or coordinator's password (`konton::aterstall`): a new
/// activation link, shown once.
pub async fn reset_user(
    State(state): State<AppState>,
    Who(who): Who,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let token = konton::aterstall(&state.app, &p, &id).await?;
    let u = konton::anvandare(&state.app, &p, &id).await?;
    render(&AccountPage {
        layout: Layout::new(&state, &who),
        heading: "Lösenordet är återställt",
        name: u.name,
        link: Some(format!("/aktivera/{token}")),
    })
}
