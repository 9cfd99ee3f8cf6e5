//! The JSON API (`/api/v1`): wire types and handlers, one module per part of SPEC § 4. Each
//! handler converts its request into a use case's input, calls `boj-app`, and answers; a value that
//! does not parse is a 422 with its stable code. This module: health, reference data, users and
//! tokens.

pub mod arenden;
pub mod avtal;
pub mod bidrag;
pub mod rapporter;

use crate::AppState;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use boj_app::konton::{self, User};
use boj_domain::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"items": [...]}`, the shape of every list.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: &'static str,
    pub version: &'static str,
}

/// Liveness and database reachability. Public.
#[utoipa::path(get, path = "/api/v1/health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.app.ping().await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// The OpenAPI document, generated from the code.
pub async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    Json(crate::openapi::served(state.config.body_limit))
}

#[derive(Serialize, ToSchema)]
pub struct Municipality {
    /// SCB municipality code.
    pub code: String,
    pub name: &'static str,
    /// SCB county code.
    pub county: String,
    pub county_name: &'static str,
}

/// All 290 municipalities with their SCB codes and counties. Public reference data.
#[utoipa::path(get, path = "/api/v1/municipalities", responses((status = 200, body = Items<Municipality>)))]
pub async fn municipalities() -> Json<Items<Municipality>> {
    Json(Items {
        items: boj_domain::kommun::kommuner()
            .iter()
            .map(|k| Municipality {
                code: k.kod.to_string(),
                name: k.namn,
                county: k.lan.to_string(),
                county_name: k.lan_namn,
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub name: String,
    /// `stodperson`, `samordnare`, `kommun`, `forbund` or `admin`.
    pub role: String,
    pub organisation: Option<String>,
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub disabled: bool,
    /// Approved by a coordinator of its organisation (an account an admin created for a support
    /// person or coordinator is not, until then, and sees no cases).
    pub approved: bool,
    /// Only when the account was just created or reset: the one-time link with which the person
    /// sets their own password (shown once; valid seven days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        let (organisation, municipality, county) = match &u.scope {
            Scope::Organisation(o) => (Some(o.clone()), None, None),
            Scope::Kommun(k) => (None, Some(k.to_string()), None),
            Scope::Lan(l) => (None, None, Some(l.to_string())),
            Scope::System => (None, None, None),
        };
        UserOut {
            id: u.id.clone(),
            name: u.name.clone(),
            role: u.role.code().into(),
            organisation,
            municipality,
            county,
            disabled: u.disabled,
            approved: u.approved,
            activation_url: None,
        }
    }
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = UserOut), (status = 401)))]
pub async fn me(
    State(state): State<AppState>,
    Authed(p): Authed,
) -> Result<Json<UserOut>, ApiError> {
    let u = konton::anvandare(&state.app, &p, &p.user_id).await?;
    Ok(Json(UserOut::from(&u)))
}

/// Every user account (admin).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Items<UserOut>), (status = 403)))]
pub async fn list_users(
    State(state): State<AppState>,
    Authed(p): Authed,
) -> Result<Json<Items<UserOut>>, ApiError> {
    let list = konton::alla(&state.app, &p).await?;
    Ok(Json(Items {
        items: list.iter().map(UserOut::from).collect(),
    }))
}

/// One user account: one's own, or any for admin.
#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 403), (status = 404)))]
pub async fn get_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<UserOut>, ApiError> {
    let u = konton::anvandare(&state.app, &p, &id).await?;
    Ok(Json(UserOut::from(&u)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserIn {
    pub name: String,
    pub role: String,
    /// Required for `stodperson` and `samordnare`.
    pub organisation: Option<String>,
    /// SCB code, required for `kommun`.
    pub municipality: Option<String>,
    /// SCB county code, required for `forbund`.
    pub county: Option<String>,
    /// At least 10 characters; required for `kommun`, `forbund` and `admin`, never given for
    /// `stodperson` or `samordnare` (they get an activation link and choose their own).
    pub password: Option<String>,
}

/// Creates a user (admin). 409 with the existing id when the name is taken.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserIn,
    responses((status = 201, body = UserOut), (status = 409), (status = 422)))]
pub async fn create_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(body): ApiJson<NewUserIn>,
) -> Result<impl IntoResponse, ApiError> {
    let n = konton::NyAnvandare {
        namn: body.name,
        roll: body.role,
        organisation: body.organisation,
        kommun: body.municipality,
        lan: body.county,
        losenord: body.password,
    };
    let (u, token) = konton::ny_anvandare(&state.app, &p, &n).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserOut {
            activation_url: token.map(|t| format!("/aktivera/{t}")),
            ..UserOut::from(&u)
        }),
    ))
}

/// Approves an account of the coordinator's organisation, so that it may see cases.
#[utoipa::path(post, path = "/api/v1/users/{id}/approve", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 403), (status = 404)))]
pub async fn approve_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<UserOut>, ApiError> {
    let u = konton::godkann(&state.app, &p, &id).await?;
    Ok(Json(UserOut::from(&u)))
}

/// Resets a support person's or coordinator's password (admin): a new one-time activation link;
/// the account needs a coordinator's approval again.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset", params(("id" = String, Path)),
    responses((status = 200, body = UserOut), (status = 404), (status = 422)))]
pub async fn reset_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<Json<UserOut>, ApiError> {
    let token = konton::aterstall(&state.app, &p, &id).await?;
    let u = konton::anvandare(&state.app, &p, &id).await?;
    Ok(Json(UserOut {
        activation_url: Some(format!("/aktivera/{token}")),
        ..UserOut::from(&u)
    }))
}

/// Disables a user, ending their sessions and tokens (admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", params(("id" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn disable_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    konton::inaktivera(&state.app, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenIn {
    /// The user name the token acts as.
    pub user: String,
    /// Last day of validity (`YYYY-MM-DD`); default 90 days from today.
    pub expires_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    /// Shown once; only its hash is stored.
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Creates a bearer token for a user (admin).
#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenIn,
    responses((status = 201, body = TokenOut), (status = 404), (status = 422)))]
pub async fn create_token(
    State(state): State<AppState>,
    Authed(p): Authed,
    ApiJson(body): ApiJson<NewTokenIn>,
) -> Result<impl IntoResponse, ApiError> {
    let t = konton::ny_token(&state.app, &p, &body.user, body.expires_on.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenOut {
            id: t.id,
            token: t.token,
            expires_at: t.expires_at,
        }),
    ))
}

/// Revokes a token by id (admin).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    konton::aterkalla_token(&state.app, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One audit entry: ids only, never a help-seeker's data.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The acting user's id (none for boj's own work, such as retention).
    pub actor: Option<String>,
    /// Their user name, where the reader may know it.
    pub actor_name: Option<String>,
    pub action: String,
    pub object: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryOut>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// The audit log (SPEC § 6): admin reads all of it, a coordinator what the organisation's accounts
/// did. Filters narrow it; `action` matches a whole action or its start (`arende.`).
#[utoipa::path(get, path = "/api/v1/audit", params(crate::extract::GranskningQuery),
    responses((status = 200, body = AuditPage), (status = 403), (status = 422)))]
pub async fn audit_log(
    State(state): State<AppState>,
    Authed(p): Authed,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<crate::extract::GranskningQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let urval = q.urval(&state.app).await?;
    let sida = konton::granskningslogg(&state.app, &p, urval).await?;
    Ok(Json(AuditPage {
        items: sida
            .poster
            .into_iter()
            .map(|e| AuditEntryOut {
                seq: e.seq,
                at: jiff::Timestamp::from_second(e.at)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                actor_name: e.actor.as_ref().and_then(|a| sida.namn.get(a).cloned()),
                actor: e.actor,
                action: e.action,
                object: e.object,
            })
            .collect(),
        next_before: sida.nasta,
    }))
}
