//! The input guard (SPEC § 4 and § 6; issue 17): what no route accepts is refused before any
//! handler runs, and every error answers in the form its path calls for.
//!
//! - **The address.** A path that is not UTF-8 once percent-decoded, or that holds a control
//!   character, and a query parameter that does, are refused with 400 (a `%00` would otherwise
//!   reach a lookup, which PostgreSQL refuses with an error of its own).
//! - **Form bodies** (`application/x-www-form-urlencoded`, the pages): a value with a control
//!   character other than a line break or tab is refused with 422 `otillatet_tecken` naming the
//!   field. (JSON bodies are checked the same way by `extract::ApiJson`, which knows their paths.)
//! - **The error shape.** axum answers some rejections itself, in plain text: a path segment that
//!   does not parse, a multipart body without a boundary, a body over the limit. Any 4xx or 5xx
//!   response that is not already in the contract's form is answered again as
//!   `{"error": {"code", "message"}}` under `/api` and as the HTML error page elsewhere, with a
//!   stable code by status.

use crate::error::{Failure, respond};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use boj_domain::Code;
use percent_encoding::percent_decode;

/// The guard as a middleware; `limit` is the body limit of form and JSON bodies.
pub async fn vakt(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if let Err(f) = adress(req.uri()) {
        return respond(&path, f);
    }
    let req = if ar_formular(req.headers()) {
        match formular(req, limit).await {
            Ok(r) => r,
            Err(f) => return respond(&path, f),
        }
    } else {
        req
    };
    enhetlig(&path, next.run(req).await)
}

/// The first character no text in boj holds (`personnummer::otillatet`: control characters and
/// bidi overrides) in `s`, line breaks and tabs let through where `rader`.
pub fn styrtecken(s: &str, rader: bool) -> Option<char> {
    s.chars().find(|&c| {
        boj_domain::personnummer::otillatet(c) && !(rader && matches!(c, '\n' | '\r' | '\t'))
    })
}

/// A control character in a field: 422, naming the field.
pub fn styrtecken_fel(falt: &str, c: char) -> Failure {
    Failure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Code::OtillatetTecken,
        format!(
            "Fältet ”{}” innehåller ett otillåtet osynligt tecken (U+{:04X}, ett styrtecken). Ta bort det och skicka igen.",
            clip(falt),
            u32::from(c)
        ),
    )
    .about(clip(falt))
}

/// A field's name as an error may show it: at most 60 characters, without control characters.
fn clip(s: &str) -> String {
    s.chars()
        .filter(|c| !boj_domain::personnummer::otillatet(*c))
        .take(60)
        .collect()
}

/// The path and the query: UTF-8, and no control characters.
fn adress(uri: &Uri) -> Result<(), Failure> {
    let fel = |m: &str| Failure::new(StatusCode::BAD_REQUEST, Code::OgiltigForfragan, m);
    let path = percent_decode(uri.path().as_bytes())
        .decode_utf8()
        .map_err(|_| fel("Adressen är inte giltig text (den ska vara UTF-8)."))?;
    if styrtecken(&path, false).is_some() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            Code::OtillatetTecken,
            "Adressen innehåller ett otillåtet osynligt tecken (styrtecken).",
        ));
    }
    for par in uri.query().unwrap_or_default().split('&') {
        let (k, v) = par.split_once('=').unwrap_or((par, ""));
        let las = |s: &str| {
            percent_decode(s.replace('+', " ").as_bytes())
                .decode_utf8()
                .map(|c| c.into_owned())
        };
        let (Ok(k), Ok(v)) = (las(k), las(v)) else {
            return Err(fel("En parameter i adressen är inte giltig text (UTF-8)."));
        };
        if let Some(c) = styrtecken(&k, false).or_else(|| styrtecken(&v, false)) {
            let mut f = styrtecken_fel(&k, c);
            f.status = StatusCode::BAD_REQUEST;
            return Err(f);
        }
    }
    Ok(())
}

/// A form body, by the rule axum's form extractors read one by (a content type that *starts with*
/// the form type), so that nothing a handler would read as a form escapes the check; a content type
/// that is not text is read as a form too, to be safe.
fn ar_formular(h: &HeaderMap) -> bool {
    match h.get(header::CONTENT_TYPE) {
        None => false,
        Some(v) => v.to_str().map_or(true, |v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        }),
    }
}

/// A form body read whole (within the limit), its values checked, and handed on unchanged.
async fn formular(req: Request, limit: usize) -> Result<Request, Failure> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| crate::extract::too_large())?;
    let par: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| Failure::bad_request("Formuläret kunde inte läsas."))?;
    for (k, v) in &par {
        if let Some(c) = styrtecken(k, false).or_else(|| styrtecken(v, true)) {
            return Err(styrtecken_fel(k, c));
        }
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A 4xx or 5xx response not in the contract's form (`/api`: JSON; pages: HTML), answered again in
/// that form with a stable code by status. Headers a client acts on (`Allow`, `Retry-After`,
/// `WWW-Authenticate`) are kept.
fn enhetlig(path: &str, res: Response) -> Response {
    let s = res.status();
    if !(s.is_client_error() || s.is_server_error()) {
        return res;
    }
    let typ = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let api = path.starts_with("/api");
    if (api && typ.starts_with("application/json")) || (!api && typ.starts_with("text/html")) {
        return res;
    }
    let (code, message) = match s {
        StatusCode::BAD_REQUEST => (
            Code::OgiltigForfragan,
            "Förfrågan kunde inte läsas: adressen eller innehållet har fel form.",
        ),
        StatusCode::UNAUTHORIZED => (Code::EjInloggad, "Du behöver logga in."),
        StatusCode::FORBIDDEN => (Code::ForbjudenAtgard, "Det här får du inte göra."),
        StatusCode::NOT_FOUND => (Code::HittasInte, "Det du söker finns inte."),
        StatusCode::METHOD_NOT_ALLOWED => (
            Code::MetodEjTillaten,
            "Den här adressen tar inte emot den metoden.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (Code::ForStorForfragan, "Förfrågan är för stor."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            Code::FelMediatyp,
            "Innehållet har en typ som adressen inte tar emot.",
        ),
        s if s.is_client_error() => (
            Code::OgiltigForfragan,
            "Förfrågan kunde inte tas emot som den är.",
        ),
        _ => (
            Code::Internt,
            "Något gick fel hos oss. Försök igen om en stund.",
        ),
    };
    let mut ny = respond(path, Failure::new(s, code, message));
    for h in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&h) {
            ny.headers_mut().insert(h, v.clone());
        }
    }
    ny
}
