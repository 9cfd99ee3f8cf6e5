//! Who is asking, and may they: identification, CSRF protection and the route gate.
//!
//! [`identify`] runs on every request. It reads a bearer token (`Authorization: Bearer …`) or the
//! session cookie, and for every state-changing request it enforces CSRF protection:
//! - all state-changing requests must pass the Fetch-Metadata check (`Sec-Fetch-Site` must be
//!   `same-origin` or `none`; without it, an `Origin` header must name this host) — this also covers
//!   the sign-in form, which has no session yet;
//! - requests authenticated by the session cookie must also carry the session's CSRF token, in the
//!   `x-csrf-token` header or the `csrf` field of the form (urlencoded or multipart) — never in
//!   the query string, which ends up in logs and referrers. Bearer-token requests carry no cookie
//!   and need neither.
//!
//! [`gate`] runs per route with the route's [`Gate`] and calls [`boj_domain::authorize`] — the one
//! authorisation decision — before the handler sees the request.

use crate::AppState;
use crate::error::{Failure, respond};
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use boj_app::konton::{self, Lookup, Session, Stage};
use boj_domain::{Action, Code, Principal, authorize};

pub const SESSION_COOKIE: &str = "boj_session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-boj_session";

/// What [`identify`] found out about the requester.
#[derive(Clone, Debug)]
pub enum Identity {
    Anonymous,
    /// A session cookie that was valid once but has expired.
    Expired,
    Session {
        session: Session,
        secret: String,
    },
    Token(Principal),
}

impl Identity {
    pub fn principal(&self) -> Option<Principal> {
        match self {
            Identity::Session { session, .. } if session.stage == Stage::Klar => {
                Some(session.user.principal())
            }
            Identity::Token(p) => Some(p.clone()),
            _ => None,
        }
    }
}

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in user for whom `authorize(principal, action)` allows the action.
    Signed(Action<'static>),
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Constant-time comparison, so a CSRF token cannot be guessed byte by byte from timing.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Fetch-Metadata / Origin check against cross-site state changes.
fn same_origin(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        }
        // Neither header: not a browser (browsers send Origin on every cross-origin POST).
        (None, _) => true,
        (Some(_), None) => false,
    }
}

fn csrf_failure() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        Code::CsrfSaknas,
        "Förfrågan saknar giltig säkerhetstoken (CSRF). Ladda om sidan och försök igen.",
    )
}

pub async fn identify(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let state_changing = !is_safe(req.method());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);

    let identity = if let Some(token) = bearer {
        match konton::med_token(&state.app, &token).await {
            Ok(Some(user)) => Identity::Token(user.principal()),
            Ok(None) => {
                return respond(
                    &path,
                    Failure::new(
                        StatusCode::UNAUTHORIZED,
                        Code::EjInloggad,
                        "Ogiltig eller utgången token.",
                    ),
                );
            }
            Err(e) => return respond(&path, e.into()),
        }
    } else if let Some(c) = jar.get(cookie_name(&state)) {
        let secret = c.value().to_string();
        match konton::session(&state.app, &secret, state.config.expiry).await {
            Ok(Lookup::Live(session)) => Identity::Session { session, secret },
            Ok(Lookup::Expired) => Identity::Expired,
            Ok(Lookup::Unknown) => Identity::Anonymous,
            Err(e) => return respond(&path, e.into()),
        }
    } else {
        Identity::Anonymous
    };

    let mut req = req;
    if state_changing && !matches!(identity, Identity::Token(_)) {
        if !same_origin(&req) {
            return respond(&path, csrf_failure());
        }
        if let Identity::Session { session, .. } = &identity {
            let (ok, rebuilt) = match csrf_from_request(req, state.config.body_limit).await {
                Ok((token, r)) => (token.is_some_and(|t| same(&t, &session.csrf_token)), r),
                Err(resp) => return resp,
            };
            if !ok {
                return respond(&path, csrf_failure());
            }
            req = rebuilt;
        }
    }
    req.extensions_mut().insert(identity);
    next.run(req).await
}

/// Finds the CSRF token in the header or, for a form, in its `csrf` field; gives the request back
/// with its body intact.
async fn csrf_from_request(
    req: Request,
    limit: usize,
) -> Result<(Option<String>, Request), Response> {
    if let Some(t) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok((Some(t.to_string()), req));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        return multipart_csrf(req, content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((None, req));
    }
    let path = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        respond(
            &path,
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Code::ForStorForfragan,
                "Förfrågan är för stor.",
            ),
        )
    })?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|fields| {
            fields
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v)
        });
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The `csrf` field of a multipart form (an upload): the body is read once, up to the upload
/// limit, searched for the field, and handed on intact.
async fn multipart_csrf(
    req: Request,
    content_type: String,
) -> Result<(Option<String>, Request), Response> {
    let path = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, crate::routes::UPLOAD_LIMIT)
        .await
        .map_err(|_| respond(&path, crate::extract::too_large()))?;
    let probe = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
        .map_err(|e| respond(&path, Failure::internal(e)))?;
    let mut token = None;
    if let Ok(mut m) = axum::extract::Multipart::from_request(probe, &()).await {
        while let Ok(Some(field)) = m.next_field().await {
            if field.name() == Some("csrf") {
                token = field.text().await.ok();
                break;
            }
        }
    }
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The per-route gate: signs-in and authorises before the handler runs.
pub async fn gate(app: boj_app::App, gate: Gate, req: Request, next: Next) -> Response {
    let Gate::Signed(action) = gate else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_string();
    let identity = req
        .extensions()
        .get::<Identity>()
        .cloned()
        .unwrap_or(Identity::Anonymous);
    let Some(principal) = identity.principal() else {
        if !path.starts_with("/api") {
            let to = if matches!(identity, Identity::Expired) {
                "/logga-in?utgangen=1"
            } else {
                "/logga-in"
            };
            return Redirect::to(to).into_response();
        }
        let f = if matches!(identity, Identity::Expired) {
            Failure::expired()
        } else {
            Failure::unauthenticated()
        };
        return respond(&path, f);
    };
    if let Err(denied) = authorize(&principal, action) {
        // Logged and audited like a refusal at the object (`boj_app::konton::nekad`); the
        // refusal stands even if the audit entry cannot be written.
        // The route's template, never the raw path: nothing a client typed into it is kept.
        let route = req
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or_else(|| "(ingen väg)".to_string(), |m| m.as_str().to_string());
        if let Err(e) = konton::nekad(&app, &principal, &route).await {
            tracing::error!(error = %e.message, "en nekad åtkomst kunde inte skrivas i granskningsloggen");
        }
        return respond(&path, denied.into());
    }
    let mut req = req;
    req.extensions_mut().insert(principal);
    next.run(req).await
}

/// The signed-in, authorised user, for handlers behind a [`Gate::Signed`].
pub struct Authed(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Authed)
            .ok_or_else(|| respond(parts.uri.path(), Failure::unauthenticated()))
    }
}

/// The requester's identity as [`identify`] found it (signed in or not), for public pages.
pub struct Who(pub Identity);

impl<S: Send + Sync> FromRequestParts<S> for Who {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Who(parts
            .extensions
            .get::<Identity>()
            .cloned()
            .unwrap_or(Identity::Anonymous)))
    }
}
