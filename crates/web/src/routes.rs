//! Every route of boj, with the gate it passes. The router is built from this table and nothing else,
//! and the route × role test walks it: a route added here without an entry there fails the tests.

use crate::AppState;
use crate::auth::Gate;
use crate::error::{Failure, respond};
use crate::{api, pages};
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, patch, post};
use boj_domain::{Action, Code};

/// Uploads may be as large as the largest document, plus the form around it.
pub(crate) const UPLOAD_LIMIT: usize = boj_domain::dokument::MAX_BYTES + 64 * 1024;
const LAS: Gate = Gate::Signed(Action::LasAvtal(None));
const HANTERA: Gate = Gate::Signed(Action::HanteraAvtal(None));
const UNDERLAG: Gate = Gate::Signed(Action::LasFakturaunderlag(None));
const ARENDE: Gate = Gate::Signed(Action::ArbetaMedArende(None));
const BEFOLKNING: Gate = Gate::Signed(Action::HanteraBefolkning);
const RAPPORT: Gate = Gate::Signed(Action::LasRapport(None));
const UTFARDA: Gate = Gate::Signed(Action::UtfardaRapport(None));
const GALLRING: Gate = Gate::Signed(Action::GodkannaGallring(None));

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
    #[allow(unused_mut)]
    let mut table = vec![
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
            Method::GET,
            "/logga-in/kod",
            Public,
            get(pages::second_step_form),
        ),
        r(
            Method::POST,
            "/logga-in/kod",
            Public,
            post(pages::second_step),
        ),
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
            "/api/v1/users/{id}/reset",
            Signed(Action::HanteraAnvandare),
            post(api::reset_user),
        ),
        r(
            Method::POST,
            "/api/v1/users/{id}/approve",
            Signed(Action::GodkannaAnvandare(None)),
            post(api::approve_user),
        ),
        r(
            Method::GET,
            "/aktivera/{token}",
            Public,
            get(pages::activation_form),
        ),
        r(
            Method::POST,
            "/aktivera/{token}",
            Public,
            post(pages::activate),
        ),
        r(
            Method::GET,
            "/granskning",
            Signed(Action::LasGranskningslogg),
            get(pages::audit_log),
        ),
        r(
            Method::GET,
            "/api/v1/audit",
            Signed(Action::LasGranskningslogg),
            get(api::audit_log),
        ),
        r(
            Method::POST,
            "/anvandare/{id}/godkann",
            Signed(Action::GodkannaAnvandare(None)),
            post(pages::approve),
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
        r(Method::GET, "/avtal", LAS, get(pages::avtal::list)),
        r(Method::POST, "/avtal", HANTERA, post(pages::avtal::create)),
        r(
            Method::GET,
            "/avtal/ny",
            HANTERA,
            get(pages::avtal::new_form),
        ),
        r(Method::GET, "/avtal/{id}", LAS, get(pages::avtal::show)),
        r(
            Method::GET,
            "/avtal/{id}/version/{n}",
            LAS,
            get(pages::avtal::show_version),
        ),
        r(
            Method::GET,
            "/avtal/{id}/andra",
            HANTERA,
            get(pages::avtal::edit_form),
        ),
        r(
            Method::POST,
            "/avtal/{id}/andra",
            HANTERA,
            post(pages::avtal::amend),
        ),
        r(
            Method::POST,
            "/avtal/{id}/beslut",
            HANTERA,
            post(pages::avtal::add_decision),
        ),
        r(
            Method::POST,
            "/beslut/{id}/dokument",
            HANTERA,
            post(pages::avtal::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/beslut/{id}/underskrifter",
            HANTERA,
            post(pages::avtal::add_signature),
        ),
        r(
            Method::GET,
            "/dokument/{id}",
            LAS,
            get(pages::avtal::document),
        ),
        // Agreement register, API.
        r(
            Method::GET,
            "/api/v1/agreements",
            LAS,
            get(api::avtal::list),
        ),
        r(
            Method::POST,
            "/api/v1/agreements",
            HANTERA,
            post(api::avtal::create),
        ),
        r(
            Method::GET,
            "/api/v1/agreements/{id}",
            LAS,
            get(api::avtal::get),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/versions",
            HANTERA,
            post(api::avtal::amend),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/decisions",
            HANTERA,
            post(api::avtal::add_decision),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/retention/accept",
            GALLRING,
            post(api::avtal::accept_retention),
        ),
        r(
            Method::POST,
            "/avtal/{id}/gallring/godkann",
            GALLRING,
            post(pages::avtal::accept_retention),
        ),
        r(
            Method::POST,
            "/api/v1/decisions/{id}/documents",
            HANTERA,
            post(api::avtal::add_document).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/api/v1/decisions/{id}/signatures",
            HANTERA,
            post(api::avtal::add_signature),
        ),
        r(
            Method::GET,
            "/api/v1/documents/{id}",
            LAS,
            get(api::avtal::get_document),
        ),
        // Grants and population.
        r(
            Method::GET,
            "/avtal/{id}/bidrag",
            LAS,
            get(pages::bidrag::page),
        ),
        r(
            Method::POST,
            "/avtal/{id}/bidrag",
            HANTERA,
            post(pages::bidrag::create_page),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}",
            UNDERLAG,
            get(pages::bidrag::invoice_page),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/csv",
            UNDERLAG,
            get(pages::bidrag::invoice_csv),
        ),
        r(
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/pdf",
            UNDERLAG,
            get(pages::bidrag::invoice_pdf),
        ),
        r(
            Method::GET,
            "/befolkning",
            BEFOLKNING,
            get(pages::bidrag::population_page),
        ),
        r(
            Method::POST,
            "/befolkning",
            BEFOLKNING,
            post(pages::bidrag::population_upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        r(
            Method::POST,
            "/api/v1/agreements/{id}/grants",
            HANTERA,
            post(api::bidrag::create_grant),
        ),
        r(
            Method::GET,
            "/api/v1/agreements/{id}/allocation",
            LAS,
            get(api::bidrag::allocation),
        ),
        r(
            Method::POST,
            "/api/v1/population",
            BEFOLKNING,
            post(api::bidrag::import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        // Reports.
        r(
            Method::GET,
            "/avtal/{id}/rapporter",
            RAPPORT,
            get(pages::rapporter::list),
        ),
        r(
            Method::POST,
            "/avtal/{id}/rapporter",
            UTFARDA,
            post(pages::rapporter::issue),
        ),
        r(
            Method::GET,
            "/avtal/{id}/rapporter/forhandsgranska",
            UTFARDA,
            get(pages::rapporter::preview),
        ),
        r(
            Method::GET,
            "/rapporter/{id}",
            RAPPORT,
            get(pages::rapporter::show),
        ),
        r(
            Method::POST,
            "/rapporter/{id}/utgavor",
            UTFARDA,
            post(pages::rapporter::edition),
        ),
        r(
            Method::GET,
            "/api/v1/reports",
            RAPPORT,
            get(api::rapporter::list),
        ),
        r(
            Method::POST,
            "/api/v1/reports",
            UTFARDA,
            post(api::rapporter::issue),
        ),
        r(
            Method::GET,
            "/api/v1/reports/preview",
            UTFARDA,
            get(api::rapporter::preview),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}",
            RAPPORT,
            get(api::rapporter::get),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/pdf",
            RAPPORT,
            get(api::rapporter::pdf),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/csv",
            RAPPORT,
            get(api::rapporter::csv),
        ),
        r(
            Method::GET,
            "/api/v1/reports/{id}/xlsx",
            RAPPORT,
            get(api::rapporter::xlsx),
        ),
        r(
            Method::POST,
            "/api/v1/reports/{id}/editions",
            UTFARDA,
            post(api::rapporter::edition),
        ),
        r(
            Method::GET,
            "/api/v1/keys",
            Public,
            get(api::rapporter::keys),
        ),
        // Cases.
        r(
            Method::POST,
            "/api/v1/cases",
            Signed(Action::RegistreraArende),
            post(api::arenden::create),
        ),
        r(
            Method::GET,
            "/api/v1/cases",
            ARENDE,
            get(api::arenden::list),
        ),
        r(
            Method::GET,
            "/api/v1/cases/{id}",
            ARENDE,
            get(api::arenden::get),
        ),
        r(
            Method::PATCH,
            "/api/v1/cases/{id}",
            ARENDE,
            patch(api::arenden::patch),
        ),
        r(
            Method::GET,
            "/api/v1/cases/{id}/contact",
            ARENDE,
            get(api::arenden::get_contact),
        ),
        r(
            Method::DELETE,
            "/api/v1/cases/{id}/contact",
            ARENDE,
            delete(api::arenden::delete_contact),
        ),
        r(
            Method::POST,
            "/api/v1/cases/{id}/activities",
            ARENDE,
            post(api::arenden::add_activity),
        ),
        r(
            Method::POST,
            "/api/v1/cases/{id}/close",
            ARENDE,
            post(api::arenden::close),
        ),
        r(
            Method::POST,
            "/api/v1/witness-support",
            Signed(Action::RegistreraVerksamhet),
            post(api::arenden::witness),
        ),
        r(
            Method::POST,
            "/api/v1/volunteer-hours",
            Signed(Action::RegistreraVerksamhet),
            post(api::arenden::hours),
        ),
        // Case pages.
        r(Method::GET, "/arenden", ARENDE, get(pages::arenden::list)),
        r(
            Method::POST,
            "/arenden",
            Signed(Action::RegistreraArende),
            post(pages::arenden::create),
        ),
        r(
            Method::GET,
            "/arenden/nytt",
            Signed(Action::RegistreraArende),
            get(pages::arenden::new_form),
        ),
        r(
            Method::GET,
            "/arenden/{id}",
            ARENDE,
            get(pages::arenden::show),
        ),
        r(
            Method::POST,
            "/arenden/{id}/aktiviteter",
            ARENDE,
            post(pages::arenden::add_activity),
        ),
        r(
            Method::POST,
            "/arenden/{id}/avsluta",
            ARENDE,
            post(pages::arenden::close),
        ),
        r(
            Method::POST,
            "/arenden/{id}/samtycke",
            ARENDE,
            post(pages::arenden::withdraw_consent),
        ),
        r(
            Method::POST,
            "/arenden/{id}/tilldela",
            Signed(Action::TilldelaArende(None)),
            post(pages::arenden::reassign),
        ),
        r(
            Method::POST,
            "/api/v1/eligibility",
            Signed(Action::RegistreraArende),
            post(api::arenden::preview),
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
            get(pages::arenden::verksamhet),
        ),
        r(
            Method::POST,
            "/verksamhet/vittnesstod",
            Signed(Action::RegistreraVerksamhet),
            post(pages::arenden::witness),
        ),
        r(
            Method::POST,
            "/verksamhet/timmar",
            Signed(Action::RegistreraVerksamhet),
            post(pages::arenden::hours),
        ),
        r(
            Method::GET,
            "/arenden/{id}/ratta",
            ARENDE,
            get(pages::arenden::edit_form),
        ),
        r(
            Method::POST,
            "/arenden/{id}/ratta",
            ARENDE,
            post(pages::arenden::correct),
        ),
    ];
    // Sign-in through the organisation's identity provider (`oidc`): public, as the sign-in form is.
    #[cfg(feature = "oidc")]
    table.extend([
        r(
            Method::GET,
            "/logga-in/oidc",
            Public,
            get(crate::oidc::start),
        ),
        r(
            Method::GET,
            crate::oidc::SVARSVAG,
            Public,
            get(crate::oidc::svar),
        ),
    ]);
    table
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
