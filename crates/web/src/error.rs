//! How failures become responses.
//!
//! A [`Failure`] is a status, a stable [`Code`] and a Swedish message. The API renders it as
//! `{"error": {"code", "message"}}` (plus `id` for conflicts); pages render it as an HTML page. The
//! cause of an internal error is logged with the request's span and never shown to the user.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use boj_app::{AppError, Kind};
use boj_domain::{Code, Denied, DomainError};
use serde_json::json;

#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    /// For 409: the id of the existing object.
    pub conflict_id: Option<String>,
    /// The input field the error is about, where one is (answered as `error.field`): a field's
    /// API name, or a JSON path such as `items[0].text`.
    pub field: Option<std::borrow::Cow<'static, str>>,
}

impl Failure {
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            conflict_id: None,
            field: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            Code::HittasInte,
            "Det du söker finns inte.",
        )
    }

    /// The same failure, about field `field`.
    pub fn about(mut self, field: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Code::OgiltigForfragan, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError::internal(cause).into()
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            Code::EjInloggad,
            "Du behöver logga in.",
        )
    }

    pub fn expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            Code::SessionenHarGattUt,
            "Din session har gått ut. Logga in igen.",
        )
    }
}

impl From<DomainError> for Failure {
    /// A value parsed at the edge that breaks a rule: as the app would answer it.
    fn from(e: DomainError) -> Self {
        AppError::from(e).into()
    }
}

impl From<Denied> for Failure {
    fn from(d: Denied) -> Self {
        AppError::from(d).into()
    }
}

impl From<AppError> for Failure {
    /// The one place where a use case's kind of failure becomes an HTTP status.
    fn from(e: AppError) -> Self {
        let status = match e.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Denied => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure {
            status,
            code: e.code,
            message: e.message,
            conflict_id: e.conflict_id,
            field: e.field.map(std::borrow::Cow::Borrowed),
        }
    }
}

/// A failure answered as JSON (routes under `/api`).
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let f = self.0;
        let mut error = json!({"code": f.code.as_str(), "message": f.message});
        if let Some(id) = f.conflict_id {
            error["id"] = json!(id);
        }
        if let Some(field) = f.field {
            error["field"] = json!(field);
        }
        (f.status, Json(json!({ "error": error }))).into_response()
    }
}

/// A failure answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "fel.html")]
struct FelSida<'a> {
    /// The page's layout (its header and footer; without the signed-in user, which an error
    /// answered before the handler does not know).
    layout: crate::pages::Layout,
    rubrik: &'static str,
    status: u16,
    message: &'a str,
    code: &'a str,
}

/// The heading of an error page, by status: what happened, in words.
fn rubrik(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "Du behöver logga in",
        403 => "Det här får du inte göra",
        404 => "Sidan finns inte",
        409 => "Det finns redan",
        413 => "För stort",
        422 => "Uppgifterna behöver rättas",
        429 => "Vänta en stund",
        s if s >= 500 => "Något gick fel hos oss",
        _ => "Det gick inte",
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let f = self.0;
        let page = FelSida {
            layout: crate::pages::Layout {
                demo: false,
                user: None,
                csrf: String::new(),
            },
            rubrik: rubrik(f.status),
            status: f.status.as_u16(),
            message: &f.message,
            code: f.code.as_str(),
        };
        match page.render() {
            Ok(html) => (f.status, Html(html)).into_response(),
            Err(_) => (f.status, f.message).into_response(),
        }
    }
}

/// Answers a failure in the form the path calls for: JSON under `/api`, HTML elsewhere.
pub fn respond(path: &str, f: Failure) -> Response {
    if path.starts_with("/api") {
        ApiError(f).into_response()
    } else {
        PageError(f).into_response()
    }
}
