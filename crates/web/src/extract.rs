//! Extractors whose rejections speak the API's error shape instead of axum's plain text.

use crate::error::{ApiError, Failure};
use axum::extract::Multipart;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use boj_app::avtal::Uppladdning;
use boj_domain::Code;
use serde::de::DeserializeOwned;

/// A JSON body, read as the contract says (docs/errors.md): a wrong media type → 415
/// `fel_mediatyp`, too large → 413, not JSON → 400 `ogiltig_json`, a field missing or of the wrong
/// type → 400 `ogiltig_json` with the detail; a string anywhere with a control character other than
/// a line break or tab → 422 `otillatet_tecken` naming its path (`items[0].text`). An explicit
/// `null` for a member means the member is absent (every optional field takes `null`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_typ(req.headers()) {
            return Err(ApiError(Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::FelMediatyp,
                "Skicka JSON med Content-Type: application/json.",
            )));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    Failure::bad_request("Förfrågan kunde inte läsas.")
                }
            })?;
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            if e.is_data() {
                data_fel(&e)
            } else {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    Code::OgiltigJson,
                    "Förfrågan är inte giltig JSON.",
                )
            }
        })?;
        granska(&mut v, &mut String::new())?;
        serde_json::from_value(v)
            .map(ApiJson)
            .map_err(|e| ApiError(data_fel(&e)))
    }
}

fn data_fel(e: &serde_json::Error) -> Failure {
    Failure::new(
        StatusCode::BAD_REQUEST,
        Code::OgiltigJson,
        format!("Ett fält saknas eller har fel typ. (Detalj: {e})"),
    )
}

/// `application/json`, or a `+json` type, as axum's `Json` accepts.
fn json_typ(h: &axum::http::HeaderMap) -> bool {
    let Some(v) = h
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = v
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Walks a JSON body: members that are `null` are taken out (absent), and a string (or member name)
/// with a control character other than a line break or tab is refused, named by its path.
fn granska(v: &mut serde_json::Value, path: &mut String) -> Result<(), Failure> {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Some(c) = crate::vakt::styrtecken(s, true) {
                return Err(crate::vakt::styrtecken_fel(path, c));
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                granska(x, path)?;
                path.truncate(len);
            }
        }
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            for (k, x) in m.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if let Some(c) = crate::vakt::styrtecken(k, false) {
                    return Err(crate::vakt::styrtecken_fel(path, c));
                }
                granska(x, path)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

pub fn too_large() -> Failure {
    Failure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::ForStorForfragan,
        "Förfrågan är för stor.",
    )
}

/// `axum::extract::Query`, with bad parameters → 400 in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| {
                ApiError(Failure::bad_request(format!(
                    "Felaktiga parametrar i adressen. (Detalj: {})",
                    e.body_text()
                )))
            })
    }
}

/// A submitted form as (name, value) pairs, keeping repeated names (checkboxes), which
/// `axum::Form` cannot.
pub type Pairs = Vec<(String, String)>;

pub fn pairs(raw: &axum::extract::RawForm) -> Pairs {
    serde_urlencoded::from_bytes(&raw.0).unwrap_or_default()
}

/// The first value of a field, or empty.
pub fn one(f: &Pairs, k: &str) -> String {
    f.iter()
        .find(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every value of a repeated field.
pub fn many(f: &Pairs, k: &str) -> Vec<String> {
    f.iter()
        .filter(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .collect()
}

/// A decision's document from a multipart form (`file`, optional `title`), for the API and the
/// pages alike.
pub async fn read_upload(mut m: Multipart) -> Result<Uppladdning, Failure> {
    let too_large = too_large;
    let mut title = String::new();
    let mut file: Option<(String, Option<String>, axum::body::Bytes)> = None;
    while let Some(field) = m.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Failure::bad_request("Uppladdningen kunde inte läsas.")
        }
    })? {
        match field.name() {
            Some("title") => {
                title = field
                    .text()
                    .await
                    .map_err(|_| Failure::bad_request("Titeln kunde inte läsas."))?
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let ct = field.content_type().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        Failure::bad_request("Filen kunde inte läsas.")
                    }
                })?;
                file = Some((name, ct, bytes));
            }
            _ => {}
        }
    }
    let (filename, content_type, bytes) = file.ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigtDokument,
            "Välj en fil att ladda upp.",
        )
    })?;
    let title = if title.trim().is_empty() {
        filename.clone()
    } else {
        title
    };
    Ok(Uppladdning {
        titel: title,
        filnamn: filename,
        content_type,
        bytes: bytes.to_vec(),
    })
}

/// A population file from a multipart form (`file`, optional `date`): its bytes and the date as
/// given (empty when not).
pub async fn read_population(mut m: Multipart) -> Result<(Vec<u8>, String), Failure> {
    let mut bytes = None;
    let mut date = String::new();
    while let Some(field) = m
        .next_field()
        .await
        .map_err(|_| Failure::bad_request("Uppladdningen kunde inte läsas."))?
    {
        match field.name() {
            Some("file") => bytes = Some(field.bytes().await.map_err(|_| too_large())?),
            Some("date") => date = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::OgiltigFil,
            "Välj en fil.",
        )
    })?;
    Ok((bytes.to_vec(), date))
}

/// The client's address as the connection reports it (behind a reverse proxy, the proxy's: see
/// ARCHITECTURE.md, "Sign-in"). `okänd` when the server was not started with connection info.
pub struct Klientadress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Klientadress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Klientadress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "okänd".into()),
        ))
    }
}

/// The audit viewer's filters as typed (page and API alike): user name, action (or its start),
/// object id, first and last day (`YYYY-MM-DD`, Swedish days), and `before` for the next page.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GranskningQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<i64>,
}

impl GranskningQuery {
    /// The store's filter; a user name no account has matches nothing.
    pub async fn urval(
        &self,
        app: &boj_app::App,
    ) -> Result<boj_app::konton::Granskningsurval, Failure> {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let dag = |v: &Option<String>| -> Result<Option<jiff::civil::Date>, Failure> {
            set(v)
                .map(|s| boj_domain::Datum::parse(&s).map(|d| d.civil()))
                .transpose()
                .map_err(Failure::from)
        };
        let aktor = match set(&self.actor) {
            Some(n) => Some(
                boj_app::konton::aktor_id(app, &n)
                    .await?
                    .unwrap_or_else(|| format!("(ingen användare heter {n})")),
            ),
            None => None,
        };
        Ok(boj_app::konton::Granskningsurval {
            aktor,
            handling: set(&self.action),
            objekt: set(&self.object),
            fran: dag(&self.from)?.map(boj_domain::datum::svensk_dagstart),
            till: dag(&self.to)?
                .and_then(|d| d.tomorrow().ok())
                .map(boj_domain::datum::svensk_dagstart),
            organisation: None,
            fore: self.before,
        })
    }
}
