//! Every route of boj, with the gate it passes. The router is built from this table and nothing else,
//! and the route × role test walks it: a route added here without an entry there fails the tests.

use crate::AppState;
use crate::auth::Gate;
use crate::error::{Failure, respond};
use crate::{api, pages};
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, post};
use boj_domain::{Action, Code};

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub gate: Gate,
    pub handler: MethodRouter<AppState>,
}

fn r(method: Method, path: &'static str, gate: Gate, handler: MethodRouter<AppState>) -> Route {
    Route {
        method,
        path,
        gate,
        handler,
    }
}

use Gate::{Public, Signed};

pub fn table() -> Vec<Route> {
    vec![
        // Pages.
        r(
            Method::GET,
            "/",
            Signed(Action::SeStartsida),
            get(pages::start),
        ),
        r(Method::GET, "/logga-in", Public, get(pages::login_form)),
        r(Method::POST, "/logga-in", Public, post(pages::login)),
        r(
            Method::POST,
            "/logga-ut",
            Signed(Action::SeStartsida),
            post(pages::logout),
        ),
        r(
            Method::GET,
            "/tillganglighet",
            Public,
            get(pages::accessibility),
        ),
        r(
            Method::GET,
            "/static/boj.css",
            Public,
            get(pages::stylesheet),
        ),
        // API.
        r(
            Method::GET,
            "/api/openapi.json",
            Public,
            get(api::openapi_json),
        ),
        r(Method::GET, "/api/v1/health", Public, get(api::health)),
        r(
            Method::GET,
            "/api/v1/municipalities",
            Public,
            get(api::municipalities),
        ),
        r(
            Method::GET,
            "/api/v1/me",
            Signed(Action::SeStartsida),
            get(api::me),
        ),
        r(
            Method::GET,
            "/api/v1/users",
            Signed(Action::HanteraAnvandare),
            get(api::list_users),
        ),
        r(
            Method::POST,
            "/api/v1/users",
            Signed(Action::HanteraAnvandare),
            post(api::create_user),
        ),
        r(
            Method::GET,
            "/api/v1/users/{id}",
            Signed(Action::LasAnvandare(None)),
            get(api::get_user),
        ),
        r(
            Method::POST,
            "/api/v1/users/{id}/disable",
            Signed(Action::HanteraAnvandare),
            post(api::disable_user),
        ),
        r(
            Method::POST,
            "/api/v1/tokens",
            Signed(Action::HanteraTokens),
            post(api::create_token),
        ),
        r(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            Signed(Action::HanteraTokens),
            delete(api::revoke_token),
        ),
    ]
}

/// 405 for a known path with another method.
pub async fn method_not_allowed(uri: Uri) -> Response {
    respond(
        uri.path(),
        Failure::new(
            StatusCode::METHOD_NOT_ALLOWED,
            Code::MetodEjTillaten,
            "Den här adressen tar inte emot den metoden.",
        ),
    )
}

/// 404 for unknown paths, in the form the path calls for.
pub async fn not_found(uri: Uri) -> Response {
    respond(uri.path(), Failure::not_found())
}
