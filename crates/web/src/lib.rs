//! # boj-web
//!
//! The web layer: server-rendered Swedish HTML that works without JavaScript, and the JSON API under
//! `/api/v1` with its OpenAPI document at `/api/openapi.json`. Handlers are thin: extract, parse into
//! domain types, call the store, map the error.
//!
//! The [`routes::table`] lists every route with its [`auth::Gate`]; the router is built from that table
//! alone, so no route can exist without a stated authorisation, and the route × role test walks the
//! same table.

pub mod api;
pub mod arenden;
pub mod arenden_pages;
pub mod auth;
pub mod avtal_api;
pub mod avtal_pages;
pub mod bidrag;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod pages;
pub mod rapporter;
pub mod rapporter_api;
pub mod rapporter_pages;
pub mod register;
pub mod routes;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use boj_store::Store;
use boj_store::sessions::Expiry;
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
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            expiry: Expiry::default(),
            secure_cookies: true,
            demo: false,
            body_limit: 64 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// The master key (from the data directory), for case contact details.
    pub keys: Arc<boj_store::nycklar::Nyckelring>,
    /// Cases and activities as reports see them, in memory (`register.rs`).
    pub register: Arc<register::Register>,
    /// Wakes the background work that judges cases again after a decision
    /// (`arenden::omprova_vantande`).
    pub omprovning: Arc<tokio::sync::Notify>,
}

/// The whole application as one router (tests serve it on port 0).
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for r in routes::table() {
        let gate = r.gate;
        let handler = r
            .handler
            .route_layer(from_fn(move |req: Request, next: Next| {
                auth::gate(gate, req, next)
            }));
        router = router.route(r.path, handler);
    }
    let body_limit = state.config.body_limit;
    router
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(from_fn(security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // Method and path only: query strings and bodies never reach the logs.
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
        }))
        .with_state(state)
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

/// Serves until `shutdown` resolves, then finishes the requests in flight. Also builds the report
/// register, judges cases again after decisions and amendments, purges expired sessions every ten
/// minutes and runs retention once a day, all in the background.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The report register is built in the background as serving begins, so that the first
    // preview or issue does not pay for it (its start-up cost, BENCHMARKS.md).
    let warm = state.clone();
    tokio::spawn(async move {
        let Ok(avtal) = boj_store::avtal::list(&warm.store).await else {
            return;
        };
        for a in avtal {
            if let Err(e) = warm.register.lager(&warm.store, &a.id).await {
                tracing::warn!(error = %e.message, "rapportregistret kunde inte byggas");
            }
        }
    });
    // Cases judged again after decisions and amendments, from the outbox their transactions
    // wrote: when told of one, and every minute for requests another instance left.
    let omprovning = state.clone();
    let omprovare = tokio::spawn(async move {
        loop {
            if let Err(e) = arenden::omprova_vantande(&omprovning).await {
                tracing::warn!(error = %e.message, "ärendena kunde inte bedömas på nytt");
            }
            tokio::select! {
                _ = omprovning.omprovning.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            }
        }
    });
    let store = state.store.clone();
    let expiry = state.config.expiry;
    let janitor = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        let mut retention_day = store.clock().today();
        loop {
            tick.tick().await;
            if let Err(e) = boj_store::sessions::purge_expired(&store, expiry).await {
                tracing::warn!(error = %e, "kunde inte rensa utgångna sessioner");
            }
            // Retention once a day (it also ran before serving began).
            let today = store.clock().today();
            if today != retention_day {
                retention_day = today;
                match boj_store::gallring::run(&store).await {
                    Ok(u) => tracing::info!(stangda = u.stangda, gallrade = u.gallrade, "gallring"),
                    Err(e) => tracing::warn!(error = %e, "gallringen misslyckades"),
                }
            }
        }
    });
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    janitor.abort();
    omprovare.abort();
    result
}
