//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations.

use crate::api;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "boj API", description = "JSON API för boj. Fel har formen {\"error\": {\"code\", \"message\"}}; koderna listas i docs/errors.md."),
    paths(
        api::health,
        api::municipalities,
        api::me,
        api::list_users,
        api::get_user,
        api::create_user,
        api::disable_user,
        api::reset_user,
        api::approve_user,
        api::create_token,
        api::revoke_token,
        api::avtal::list,
        api::avtal::get,
        api::avtal::create,
        api::avtal::amend,
        api::avtal::accept_retention,
        api::audit_log,
        api::avtal::add_decision,
        api::avtal::add_signature,
        api::avtal::add_document,
        api::avtal::get_document,
        api::bidrag::create_grant,
        api::bidrag::set_payer_orgnr,
        api::bidrag::allocation,
        api::bidrag::import_api,
        api::arenden::create,
        api::arenden::list,
        api::arenden::get,
        api::arenden::patch,
        api::arenden::get_contact,
        api::arenden::delete_contact,
        api::arenden::add_activity,
        api::arenden::activities,
        api::arenden::correct_activity,
        api::arenden::remove_activity,
        api::arenden::close,
        api::arenden::witness,
        api::arenden::hours,
        api::arenden::preview,
        api::rapporter::list,
        api::rapporter::issue,
        api::rapporter::edition,
        api::rapporter::get,
        api::rapporter::pdf,
        api::rapporter::csv,
        api::rapporter::xlsx,
        api::rapporter::preview,
        api::rapporter::keys,
    ),
    components(schemas(api::Health, api::UserOut, api::NewUserIn, api::NewTokenIn, api::TokenOut, api::Municipality)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
