//! # boj-web
//!
//! The web layer: server-rendered Swedish HTML that works without JavaScript ([`pages`]), and the
//! JSON API under `/api/v1` with its OpenAPI document at `/api/openapi.json` ([`api`]). This is the
//! only crate that knows HTTP and JSON. Handlers are thin: extract, convert the wire or form input
//! into the use case's input, call one use case of `boj-app`, and answer; the app's error kinds
//! become HTTP statuses in one place ([`error`]). `boj-web` does not depend on `boj-store`: every
//! access goes through an authorised use case. Pages never import [`api`], nor the API pages.
//!
//! The [`routes::table`] lists every route with its [`auth::Gate`]; the router is built from that table
//! alone, so no route can exist without a stated authorisation, and the route × role test walks the
//! same table.

pub mod api;
pub mod auth;
pub mod error;
pub mod extract;
#[cfg(feature = "oidc")]
pub mod oidc;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod vakt;
pub mod visning;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use boj_app::App;
use boj_app::konton::Expiry;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// Settings of the web layer (from flags and environment; see the README).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub expiry: Expiry,
    /// Mark the session cookie `Secure` and give it the `__Host-` prefix. On for `serve` (which expects
    /// TLS in front of it), off for the demo on plain local HTTP.
    pub secure_cookies: bool,
    /// Show the "sample data" banner on every page.
    pub demo: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Sign-in through an OpenID provider, when configured ([`oidc`]).
    #[cfg(feature = "oidc")]
    pub oidc: Option<Arc<oidc::Oidc>>,
}

impl WebConfig {
    /// Whether sign-in through an OpenID provider is offered.
    pub fn oidc_pa(&self) -> bool {
        #[cfg(feature = "oidc")]
        return self.oidc.is_some();
        #[cfg(not(feature = "oidc"))]
        false
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            expiry: Expiry::default(),
            secure_cookies: true,
            demo: false,
            body_limit: 64 * 1024,
            #[cfg(feature = "oidc")]
            oidc: None,
        }
    }
}

/// What every handler gets: the application (its use cases' handle) and the web settings.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The whole application as one router (tests serve it on port 0).
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for r in routes::table() {
        let gate = r.gate;
        let app = state.app.clone();
        let handler = r
            .handler
            .route_layer(from_fn(move |req: Request, next: Next| {
                auth::gate(app.clone(), gate, req, next)
            }));
        router = router.route(r.path, handler);
    }
    let body_limit = state.config.body_limit;
    router
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(DefaultBodyLimit::max(body_limit))
        // Refuses hostile addresses and form values, and answers every error in the contract's
        // form (`vakt.rs`).
        .layer(from_fn_with_state(body_limit, vakt::vakt))
        .layer(from_fn(security_headers))
        // Brotli or gzip, as the client accepts: a report page's charts and tables shrink to a
        // fraction on a slow line (SPEC § 6; BENCHMARKS.md). Images are not compressed again.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(from_fn_with_state(state.config.secure_cookies, hsts))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // Method and the route's template only (`/aktivera/{token}`, `/arenden/{id}`): no
            // activation token, query string or body ever reaches the logs.
            let route = req
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map_or("(ingen väg)", |m| m.as_str());
            tracing::info_span!("http", method = %req.method(), route = %route)
        }))
        .with_state(state)
}

/// HTTP Strict Transport Security when boj runs behind TLS (secure cookies, as `serve` does): a
/// browser that has seen boj once never speaks plain HTTP to it again.
async fn hsts(
    axum::extract::State(on): axum::extract::State<bool>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    if on {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// Strict security headers on every response (SPEC § 6).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::CACHE_CONTROL, "no-store");
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    res
}

/// Serves until `shutdown` resolves, then finishes the requests in flight. Meanwhile the
/// application's background work runs (`boj_app::bakgrund`): the report register, judging cases
/// again after decisions and amendments, purging expired sessions, retention once a day.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let _bakgrund = boj_app::bakgrund::starta(&state.app, state.config.expiry);
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
