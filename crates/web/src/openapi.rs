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
        api::create_token,
        api::revoke_token,
        crate::avtal_api::list,
        crate::avtal_api::get,
        crate::avtal_api::create,
        crate::avtal_api::amend,
        crate::avtal_api::add_decision,
        crate::avtal_api::add_signature,
        crate::avtal_api::add_document,
        crate::avtal_api::get_document,
        crate::bidrag::create_grant,
        crate::bidrag::allocation,
        crate::bidrag::import_api,
        crate::arenden::create,
        crate::arenden::list,
        crate::arenden::get,
        crate::arenden::patch,
        crate::arenden::get_contact,
        crate::arenden::delete_contact,
        crate::arenden::add_activity,
        crate::arenden::close,
        crate::arenden::witness,
        crate::arenden::hours,
        crate::arenden::preview,
        crate::rapporter_api::list,
        crate::rapporter_api::issue,
        crate::rapporter_api::edition,
        crate::rapporter_api::get,
        crate::rapporter_api::pdf,
        crate::rapporter_api::csv,
        crate::rapporter_api::xlsx,
        crate::rapporter_api::preview,
        crate::rapporter_api::keys,
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
