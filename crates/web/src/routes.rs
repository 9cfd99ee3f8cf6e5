//! Every route of boj, with the gate it passes. The router is built from this table and nothing else,
//! and the route × role test walks it: a route added here without an entry there fails the tests.

use crate::AppState;
use crate::auth::Gate;
use crate::error::{Failure, respond};
use crate::{
    api, arenden, arenden_pages, avtal_api, avtal_pages, bidrag, pages, rapporter_api,
    rapporter_pages,
};
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, patch, post};
use boj_domain::{Action, Code};

/// Uploads may be as large as the largest document, plus the form around it.
const UPLOAD_LIMIT: usize = boj_domain::dokument::MAX_BYTES + 64 * 1024;
const LAS: Gate = Gate::Signed(Action::LasAvtal(None));
const HANTERA: Gate = Gate::Signed(Action::HanteraAvtal(None));
const UNDERLAG: Gate = Gate::Signed(Action::LasFakturaunderlag(None));
const ARENDE: Gate = Gate::Signed(Action::ArbetaMedArende(None));
const BEFOLKNING: Gate = Gate::Signed(Action::HanteraBefolkning);
const RAPPORT: Gate = Gate::Signed(Action::LasRapport(None));
const UTFARDA: Gate = Gate::Signed(Action::UtfardaRapport(None));

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
        // Agreement register, pages.
        r(Method::GET, "/avtal", LAS, get(avtal_pages::list)),
        r(Method::POST, "/avtal", HANTERA, post(avtal_pages::create)),
        r(
            Method::GET,
            "/avtal/ny",
            HANTERA,
            get(avtal_pages::new_form),
        ),
        r(Method::GET, "/avtal/{id}", LAS, get(avtal_pages::show)),
        r(
            Method::GET,
            "/avtal/{id}/version/{n}",
            LAS,
            get(avtal_pages::show_version),
        ),
        r(
            Method::GET,
            "/avtal/{id}/andra",
            HANTERA,
            get(avtal_pages::edit_form),
        ),
        r(
            Method::POST,
            "/avtal/{id}/andra",
            HANTERA,
            post(avtal_pages::amend),
        ),
        r(
            Method::POST,
            "/avtal/{id}/beslut",
            HANTERA,
            post(avtal_pages::add_decision),
        ),
        r(
            Method::POST,
            "/beslut/{id}/dokument",
            HANTERA,
            post(avtal_pages::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/beslut/{id}/underskrifter",
            HANTERA,
            post(avtal_pages::add_signature),
        ),
        r(
            Method::GET,
            "/dokument/{id}",
            LAS,
            get(avtal_pages::document),
        ),
        // Agreement register, API.
        r(Method::GET, "/api/v1/agreements", LAS, get(avtal_api::list)),
        r(
            Method::POST,
            "/api/v1/agreements",
            HANTERA,
            post(avtal_api::create),
        ),
        r(
            Method::GET,
            "/api/v1/agreements/{id}",
            LAS,
            get(avtal_api::get),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/versions",
            HANTERA,
            post(avtal_api::amend),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/decisions",
            HANTERA,
            post(avtal_api::add_decision),
        ),
        r(
            Method::POST,
            "/api/v1/decisions/{id}/documents",
            HANTERA,
            post(avtal_api::add_document).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/api/v1/decisions/{id}/signatures",
            HANTERA,
            post(avtal_api::add_signature),
        ),
        r(
            Method::GET,
            "/api/v1/documents/{id}",
            LAS,
            get(avtal_api::get_document),
        ),
        // Grants and population.
        r(Method::GET, "/avtal/{id}/bidrag", LAS, get(bidrag::page)),
        r(
            Method::POST,
            "/avtal/{id}/bidrag",
            HANTERA,
            post(bidrag::create_page),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}",
            UNDERLAG,
            get(bidrag::invoice_page),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/csv",
            UNDERLAG,
            get(bidrag::invoice_csv),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/pdf",
            UNDERLAG,
            get(bidrag::invoice_pdf),
        ),
        r(
            Method::GET,
            "/befolkning",
            BEFOLKNING,
            get(bidrag::population_page),
        ),
        r(
            Method::POST,
            "/befolkning",
            BEFOLKNING,
            post(bidrag::population_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/grants",
            HANTERA,
            post(bidrag::create_grant),
        ),
        r(
            Method::GET,
            "/api/v1/agreements/{id}/allocation",
            LAS,
            get(bidrag::allocation),
        ),
        r(
            Method::POST,
            "/api/v1/population",
            BEFOLKNING,
            post(bidrag::import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        // Reports.
        r(
            Method::GET,
            "/avtal/{id}/rapporter",
            RAPPORT,
            get(rapporter_pages::list),
        ),
        r(
            Method::POST,
            "/avtal/{id}/rapporter",
            UTFARDA,
            post(rapporter_pages::issue),
        ),
        r(
            Method::GET,
            "/avtal/{id}/rapporter/forhandsgranska",
            UTFARDA,
            get(rapporter_pages::preview),
        ),
        r(
            Method::GET,
            "/rapporter/{id}",
            RAPPORT,
            get(rapporter_pages::show),
        ),
        r(
            Method::POST,
            "/rapporter/{id}/utgavor",
            UTFARDA,
            post(rapporter_pages::edition),
        ),
        r(
            Method::GET,
            "/api/v1/reports",
            RAPPORT,
            get(rapporter_api::list),
        ),
        r(
            Method::POST,
            "/api/v1/reports",
            UTFARDA,
            post(rapporter_api::issue),
        ),
        r(
            Method::GET,
            "/api/v1/reports/preview",
            UTFARDA,
            get(rapporter_api::preview),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}",
            RAPPORT,
            get(rapporter_api::get),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/pdf",
            RAPPORT,
            get(rapporter_api::pdf),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/csv",
            RAPPORT,
            get(rapporter_api::csv),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/xlsx",
            RAPPORT,
            get(rapporter_api::xlsx),
        ),
        r(
            Method::POST,
            "/api/v1/reports/{id}/editions",
            UTFARDA,
            post(rapporter_api::edition),
        ),
        r(
            Method::GET,
            "/api/v1/keys",
            Public,
            get(rapporter_api::keys),
        ),
        // Cases.
        r(
            Method::POST,
            "/api/v1/cases",
            Signed(Action::RegistreraArende),
            post(arenden::create),
        ),
        r(Method::GET, "/api/v1/cases", ARENDE, get(arenden::list)),
        r(Method::GET, "/api/v1/cases/{id}", ARENDE, get(arenden::get)),
        r(
            Method::PATCH,
            "/api/v1/cases/{id}",
            ARENDE,
            patch(arenden::patch),
        ),
        r(
            Method::GET,
            "/api/v1/cases/{id}/contact",
            ARENDE,
            get(arenden::get_contact),
        ),
        r(
            Method::DELETE,
            "/api/v1/cases/{id}/contact",
            ARENDE,
            delete(arenden::delete_contact),
        ),
        r(
            Method::POST,
            "/api/v1/cases/{id}/activities",
            ARENDE,
            post(arenden::add_activity),
        ),
        r(
            Method::POST,
            "/api/v1/cases/{id}/close",
            ARENDE,
            post(arenden::close),
        ),
        r(
            Method::POST,
            "/api/v1/witness-support",
            Signed(Action::RegistreraVerksamhet),
            post(arenden::witness),
        ),
        r(
            Method::POST,
            "/api/v1/volunteer-hours",
            Signed(Action::RegistreraVerksamhet),
            post(arenden::hours),
        ),
        // Case pages.
        r(Method::GET, "/arenden", ARENDE, get(arenden_pages::list)),
        r(
            Method::POST,
            "/arenden",
            Signed(Action::RegistreraArende),
            post(arenden_pages::create),
        ),
        r(
            Method::GET,
            "/arenden/nytt",
            Signed(Action::RegistreraArende),
            get(arenden_pages::new_form),
        ),
        r(
            Method::GET,
            "/arenden/{id}",
            ARENDE,
            get(arenden_pages::show),
        ),
        r(
            Method::POST,
            "/arenden/{id}/aktiviteter",
            ARENDE,
            post(arenden_pages::add_activity),
        ),
        r(
            Method::POST,
            "/arenden/{id}/avsluta",
            ARENDE,
            post(arenden_pages::close),
        ),
        r(
            Method::POST,
            "/arenden/{id}/samtycke",
            ARENDE,
            post(arenden_pages::withdraw_consent),
        ),
        r(
            Method::POST,
            "/arenden/{id}/tilldela",
            Signed(Action::TilldelaArende(None)),
            post(arenden_pages::reassign),
        ),
        r(
            Method::POST,
            "/api/v1/eligibility",
            Signed(Action::RegistreraArende),
            post(arenden::preview),
        ),
        r(
            Method::GET,
            "/static/intake.js",
            Public,
            get(pages::intake_script),
        ),
        r(
            Method::GET,
            "/verksamhet",
            Signed(Action::RegistreraVerksamhet),
            get(arenden_pages::verksamhet),
        ),
        r(
            Method::POST,
            "/verksamhet/vittnesstod",
            Signed(Action::RegistreraVerksamhet),
            post(arenden_pages::witness),
        ),
        r(
            Method::POST,
            "/verksamhet/timmar",
            Signed(Action::RegistreraVerksamhet),
            post(arenden_pages::hours),
        ),
        r(
            Method::GET,
            "/arenden/{id}/ratta",
            ARENDE,
            get(arenden_pages::edit_form),
        ),
        r(
            Method::POST,
            "/arenden/{id}/ratta",
            ARENDE,
            post(arenden_pages::correct),
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
