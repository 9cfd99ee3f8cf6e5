//! Sign-in through an OpenID provider (SPEC § 6): the authorization code round trip against a
//! provider this test starts on loopback, and the ID tokens and answers boj must refuse.
//!
//! The provider is written apart from boj's client: its discovery document and key set are plain
//! JSON, its ID tokens are JWS compact serialisations (RFC 7515) put together here and signed with
//! `rsa` directly, and it checks the PKCE verifier (RFC 7636) and the client's secret itself.
//! `.ci/run` also signs in through a real provider (the `oidc-provider` package) in Chromium.
#![cfg(feature = "oidc")]

use crate::helpers::{TestApp, spawn_app_at};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use boj_domain::{Kommunkod, Role, Scope};
use boj_web::WebConfig;
use boj_web::oidc::{Ansprak, Installningar, Oidc};
use rsa::RsaPrivateKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

const CLIENT_ID: &str = "boj";
const CLIENT_SECRET: &str = "provets-klienthemlighet";

/// What the provider puts in the next ID token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Right,
    /// Signed with a key that is not in the provider's key set, under its key id.
    Forged,
    Expired,
    WrongAudience,
    WrongNonce,
    WrongIssuer,
    /// Claims `alg: none` and carries no signature.
    Unsigned,
    /// Right, but the provider does not say the e-mail address is verified.
    EmailUnverified,
}

/// A code the provider handed out at its authorization endpoint.
struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    email: String,
}

struct Provider {
    issuer: String,
    token: Mutex<Token>,
    grants: Mutex<HashMap<String, Grant>>,
}

/// Two RSA keys for the whole test binary: the provider's, and a forger's.
fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        (
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        )
    })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 JWS over `claims` (RFC 7515 § 7.1, RFC 7518 § 3.3).
fn jws(key: &RsaPrivateKey, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let signature = signer.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", b64(&signature))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<Value> {
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks() -> Json<Value> {
    let public = keys().0.to_public_key();
    Json(json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
        "n": b64(&public.n().to_bytes_be()),
        "e": b64(&public.e().to_bytes_be()),
    }]}))
}

fn token_error(error: &str) -> axum::response::Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State(p): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error("unsupported_grant_type");
    }
    let Some(grant) = form
        .get("code")
        .and_then(|c| p.grants.lock().unwrap().remove(c))
    else {
        return token_error("invalid_grant");
    };
    // PKCE, S256: the verifier's SHA-256 is the challenge sent to the authorization endpoint.
    let verified = form
        .get("code_verifier")
        .is_some_and(|v| b64(&Sha256::digest(v.as_bytes())) == grant.challenge);
    if !verified || form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return token_error("invalid_grant");
    }
    let mode = *p.token.lock().unwrap();
    let t = now();
    let claims = json!({
        "iss": if mode == Token::WrongIssuer { "http://127.0.0.1:1/annan".to_string() } else { p.issuer.clone() },
        "sub": "ext-4711",
        "aud": if mode == Token::WrongAudience { "en-annan-klient" } else { CLIENT_ID },
        "iat": t - 5,
        "exp": if mode == Token::Expired { t - 600 } else { t + 300 },
        "nonce": if mode == Token::WrongNonce { "en-annan-nonce".to_string() } else { grant.nonce.clone() },
        "email": grant.email,
        "email_verified": mode != Token::EmailUnverified,
    });
    let id_token = match mode {
        Token::Forged => jws(&keys().1, &claims),
        Token::Unsigned => format!(
            "{}.{}.",
            b64(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        ),
        _ => jws(&keys().0, &claims),
    };
    Json(json!({
        "access_token": "provets-atkomsttoken",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

async fn start_provider() -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let provider = Arc::new(Provider {
        issuer: format!("http://{}", listener.local_addr().unwrap()),
        token: Mutex::new(Token::Right),
        grants: Mutex::new(HashMap::new()),
    });
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    provider
}

/// boj, with sign-in through `provider`, naming accounts by their e-mail address.
async fn boj_with(provider: &Provider) -> TestApp {
    let issuer = provider.issuer.clone();
    spawn_app_at(move |url| WebConfig {
        secure_cookies: false,
        oidc: Some(Arc::new(
            Oidc::new(Installningar {
                utfardare: issuer,
                klient_id: CLIENT_ID.into(),
                klient_hemlighet: CLIENT_SECRET.into(),
                ansprak: Ansprak::Email,
                publik_adress: url.to_string(),
            })
            .unwrap(),
        )),
        ..WebConfig::default()
    })
    .await
}

/// The browser's way to the provider: boj's redirect, read as the provider's authorization
/// endpoint would read it.
async fn to_provider(app: &TestApp, c: &reqwest::Client) -> HashMap<String, String> {
    let res = c.get(app.at("/logga-in/oidc")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let url = reqwest::Url::parse(&location).unwrap();
    url.query_pairs().into_owned().collect()
}

/// The provider approves the sign-in of `email`: a code for the request `q`.
fn approve(provider: &Provider, q: &HashMap<String, String>, email: &str) -> String {
    let code = format!("kod-{}", provider.grants.lock().unwrap().len() + 1);
    provider.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: q["nonce"].clone(),
            challenge: q["code_challenge"].clone(),
            redirect_uri: q["redirect_uri"].clone(),
            email: email.into(),
        },
    );
    code
}

/// Back at boj's redirect URI with `code` and `state`.
async fn back(app: &TestApp, c: &reqwest::Client, code: &str, state: &str) -> reqwest::Response {
    let mut url = reqwest::Url::parse(&app.at("/logga-in/oidc/svar")).unwrap();
    url.query_pairs_mut()
        .append_pair("code", code)
        .append_pair("state", state);
    c.get(url).send().await.unwrap()
}

/// One whole sign-in of `email` with the provider answering `mode`.
async fn sign_in(
    app: &TestApp,
    provider: &Provider,
    email: &str,
    mode: Token,
) -> (reqwest::Client, reqwest::Response) {
    *provider.token.lock().unwrap() = mode;
    let c = TestApp::client();
    let q = to_provider(app, &c).await;
    let code = approve(provider, &q, email);
    let res = back(app, &c, &code, &q["state"]).await;
    (c, res)
}

fn ragunda() -> Scope {
    Scope::Kommun(Kommunkod::parse("2303").unwrap())
}

async fn audit_actions(app: &TestApp) -> Vec<(Option<String>, String)> {
    sqlx::query_as("SELECT actor, action FROM audit_log ORDER BY seq")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_municipal_official_signs_in_through_the_provider() {
    let provider = start_provider().await;
    let app = boj_with(&provider).await;
    let anna = app
        .user_in("anna.a@ragunda.example", Role::Kommun, ragunda())
        .await;

    // The sign-in page offers the provider.
    let page = TestApp::client()
        .get(app.at("/logga-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"href="/logga-in/oidc""#));

    let c = TestApp::client();
    let q = to_provider(&app, &c).await;
    // The authorization request: the code flow, this client, PKCE with S256, state and nonce.
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], app.at("/logga-in/oidc/svar"));
    assert!(q["scope"].split(' ').any(|s| s == "openid"));
    assert!(q["state"].len() >= 16 && q["nonce"].len() >= 16);
    // Mixed case from the provider: accounts are named in lower case.
    let code = approve(&provider, &q, "Anna.A@Ragunda.example");
    let res = back(&app, &c, &code, &q["state"]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Du är inloggad"));
    let start = c.get(app.at("/")).send().await.unwrap();
    assert_eq!(start.status(), 200);
    assert!(
        start
            .text()
            .await
            .unwrap()
            .contains("anna.a@ragunda.example")
    );
    // The API answers the session too: it is a whole one.
    let me = c.get(app.at("/api/v1/agreements")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert!(
        audit_actions(&app)
            .await
            .contains(&(Some(anna.id.clone()), "inloggning.oidc".into()))
    );

    // The started sign-in is used once: the same answer again is refused.
    let again = back(&app, &c, &code, &q["state"]).await;
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn id_tokens_that_do_not_hold_are_refused() {
    let provider = start_provider().await;
    let app = boj_with(&provider).await;
    app.user_in("anna.a@ragunda.example", Role::Kommun, ragunda())
        .await;
    for mode in [
        Token::Forged,
        Token::Expired,
        Token::WrongAudience,
        Token::WrongNonce,
        Token::WrongIssuer,
        Token::Unsigned,
    ] {
        let (c, res) = sign_in(&app, &provider, "anna.a@ragunda.example", mode).await;
        assert_eq!(res.status(), 401, "{mode:?}");
        let page = res.text().await.unwrap();
        assert!(page.contains("kunde inte bekräftas"), "{mode:?}: {page}");
        // No session came of it.
        let start = c.get(app.at("/")).send().await.unwrap();
        assert_eq!(start.status(), 303, "{mode:?}");
    }
    // An address the provider does not vouch for names nobody.
    let (_, res) = sign_in(
        &app,
        &provider,
        "anna.a@ragunda.example",
        Token::EmailUnverified,
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("ej_kopplat_konto"));
    // The right token still works afterwards.
    let (_, res) = sign_in(&app, &provider, "anna.a@ragunda.example", Token::Right).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn answers_that_do_not_belong_to_the_started_sign_in_are_refused() {
    let provider = start_provider().await;
    let app = boj_with(&provider).await;
    app.user_in("anna.a@ragunda.example", Role::Kommun, ragunda())
        .await;

    // Another state than the one this browser was sent with (a forged or swapped answer).
    let c = TestApp::client();
    let q = to_provider(&app, &c).await;
    let code = approve(&provider, &q, "anna.a@ragunda.example");
    let res = back(&app, &c, &code, "en-annan-state").await;
    assert_eq!(res.status(), 401);

    // An answer to a browser that started nothing (the cookie is absent).
    let q = to_provider(&app, &TestApp::client()).await;
    let code = approve(&provider, &q, "anna.a@ragunda.example");
    let res = back(&app, &TestApp::client(), &code, &q["state"]).await;
    assert_eq!(res.status(), 400);

    // The provider's own refusal.
    let c = TestApp::client();
    to_provider(&app, &c).await;
    let res = c
        .get(app.at("/logga-in/oidc/svar?error=access_denied&state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("avbröts"));
}

#[tokio::test]
async fn only_municipal_and_county_accounts_sign_in_this_way() {
    let provider = start_provider().await;
    let app = boj_with(&provider).await;
    let forbund = app
        .user_in(
            "strateg@lan.example",
            Role::Forbund,
            Scope::Lan(boj_domain::Lanskod::parse("23").unwrap()),
        )
        .await;
    let stod = app
        .user_in(
            "stod@jour.example",
            Role::Stodperson,
            Scope::Organisation(app.org_id.clone()),
        )
        .await;
    let admin = app
        .user_in("admin@jour.example", Role::Admin, Scope::System)
        .await;

    let (_, res) = sign_in(&app, &provider, "strateg@lan.example", Token::Right).await;
    assert_eq!(res.status(), 200);

    // A name no account has: a clear page, and nothing about it kept.
    let before = audit_actions(&app).await.len();
    let (_, res) = sign_in(&app, &provider, "okand@ragunda.example", Token::Right).await;
    assert_eq!(res.status(), 403);
    let page = res.text().await.unwrap();
    assert!(page.contains("ej_kopplat_konto") && page.contains("okand@ragunda.example"));
    assert_eq!(audit_actions(&app).await.len(), before);

    // Case roles and admin sign in with boj's own second factor, never through the provider.
    for (who, user) in [("stod@jour.example", &stod), ("admin@jour.example", &admin)] {
        let (c, res) = sign_in(&app, &provider, who, Token::Right).await;
        assert_eq!(res.status(), 403, "{who}");
        assert!(res.text().await.unwrap().contains("ej_kopplat_konto"));
        assert_eq!(c.get(app.at("/")).send().await.unwrap().status(), 303);
        assert!(
            audit_actions(&app)
                .await
                .contains(&(Some(user.id.clone()), "inloggning.oidc_nekad".into()))
        );
    }
    assert!(
        audit_actions(&app)
            .await
            .contains(&(Some(forbund.id.clone()), "inloggning.oidc".into()))
    );
}

#[tokio::test]
async fn without_a_provider_there_is_no_such_sign_in() {
    let app = crate::helpers::spawn_app().await;
    let c = TestApp::client();
    let page = crate::helpers::text(&c, app.at("/logga-in")).await;
    assert!(!page.contains("/logga-in/oidc"));
    assert_eq!(
        c.get(app.at("/logga-in/oidc"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn a_provider_that_does_not_answer_gets_a_clear_page() {
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = spawn_app_at(move |url| WebConfig {
        secure_cookies: false,
        oidc: Some(Arc::new(
            Oidc::new(Installningar {
                utfardare: issuer,
                klient_id: CLIENT_ID.into(),
                klient_hemlighet: CLIENT_SECRET.into(),
                ansprak: Ansprak::Email,
                publik_adress: url.to_string(),
            })
            .unwrap(),
        )),
        ..WebConfig::default()
    })
    .await;
    let res = TestApp::client()
        .get(app.at("/logga-in/oidc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 502);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("identitetsutfardaren_svarar_inte")
    );
}
