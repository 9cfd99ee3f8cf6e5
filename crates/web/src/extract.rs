//! Extractors whose rejections speak the API's error shape instead of axum's plain text.

use crate::error::{ApiError, Failure};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use boj_domain::Code;
use serde::de::DeserializeOwned;

/// `axum::Json`, with bad JSON → 400 `ogiltig_json`, wrong media type → 415, too large → 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(ApiError(json_failure(&rej))),
        }
    }
}

fn json_failure(rej: &JsonRejection) -> Failure {
    match rej {
        JsonRejection::JsonDataError(e) => Failure::new(
            StatusCode::BAD_REQUEST,
            Code::OgiltigJson,
            format!(
                "Ett fält saknas eller har fel typ. (Detalj: {})",
                e.body_text()
            ),
        ),
        JsonRejection::JsonSyntaxError(_) => Failure::new(
            StatusCode::BAD_REQUEST,
            Code::OgiltigJson,
            "Förfrågan är inte giltig JSON.",
        ),
        JsonRejection::MissingJsonContentType(_) => Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::FelMediatyp,
            "Skicka JSON med Content-Type: application/json.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => Failure::bad_request("Förfrågan kunde inte läsas."),
    }
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
