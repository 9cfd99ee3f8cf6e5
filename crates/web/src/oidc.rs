//! Sign-in through the organisation's own identity provider: OpenID Connect, optional, for
//! `kommun` and `forbund` (SPEC § 6; `Role::may_sign_in_externally`).
//!
//! The authorization code flow with PKCE (S256), `state` and `nonce`:
//! 1. `GET /logga-in/oidc` fetches the provider's discovery document and key set (kept ten
//!    minutes), sends the browser to the provider's authorization endpoint and keeps `state`,
//!    `nonce` and the PKCE verifier in a short-lived, HttpOnly cookie bound to this browser.
//! 2. `GET /logga-in/oidc/svar` (the redirect URI) compares `state`, exchanges the code at the
//!    token endpoint with the PKCE verifier and the client secret, and has the ID token checked
//!    by `openidconnect`: signature against the provider's key set (RS256, PS256 or ES256),
//!    issuer, audience (this client), expiry and nonce. The configured claim (`sub`, `email` or
//!    `preferred_username`) names the boj account; [`boj_app::konton::logga_in_extern`] signs it
//!    in if it is an enabled `kommun` or `forbund` account, and refuses anyone else with a page.
//!
//! The provider is reached over HTTPS (rustls with the system's roots); plain HTTP only for a
//! provider on the loopback interface (tests, a local trial). Redirects are not followed.

use crate::AppState;
use crate::auth::{Who, same};
use crate::error::{Failure, PageError};
use crate::extract::Klientadress;
use crate::pages::{self, session_cookie};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use boj_app::konton::{self, ExternInloggning};
use boj_domain::Code;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The path the provider sends the browser back to (register `<public URL>/logga-in/oidc/svar`).
pub const SVARSVAG: &str = "/logga-in/oidc/svar";
const COOKIE: &str = "boj_oidc";
const SECURE_COOKIE: &str = "__Host-boj_oidc";
/// How long a started sign-in may take at the provider.
const GILTIG: Duration = Duration::from_secs(600);
/// How long the discovery document and key set are kept before they are fetched again.
const BEHALL: Duration = Duration::from_secs(600);
/// The longest answer taken from the provider, and the longest wait for it.
const STORST_SVAR: usize = 1 << 20;
const VANTA: Duration = Duration::from_secs(10);

/// Which claim of the ID token names the boj account (its user name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ansprak {
    /// The provider's subject identifier, as it is.
    Sub,
    /// The e-mail address, in lower case; only when the provider says it is verified.
    Email,
    /// The provider's user name, in lower case.
    PreferredUsername,
}

impl Ansprak {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "sub" => Ok(Ansprak::Sub),
            "email" => Ok(Ansprak::Email),
            "preferred_username" => Ok(Ansprak::PreferredUsername),
            other => Err(format!(
                "okänt anspråk ”{other}”: välj sub, email eller preferred_username"
            )),
        }
    }
}

/// The settings of sign-in through an OpenID provider (flags and environment of `serve` and
/// `demo`; see the README).
#[derive(Clone)]
pub struct Installningar {
    /// The issuer URL (its `/.well-known/openid-configuration` is fetched).
    pub utfardare: String,
    pub klient_id: String,
    pub klient_hemlighet: String,
    pub ansprak: Ansprak,
    /// boj's own public address, e.g. `https://boj.example.se`: the redirect URI is this plus
    /// [`SVARSVAG`].
    pub publik_adress: String,
}

impl std::fmt::Debug for Installningar {
    /// Never the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installningar")
            .field("utfardare", &self.utfardare)
            .field("klient_id", &self.klient_id)
            .field("ansprak", &self.ansprak)
            .field("publik_adress", &self.publik_adress)
            .finish_non_exhaustive()
    }
}

type Https = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<axum::body::Bytes>>;

/// A configured OpenID provider: settings, an HTTPS client and the provider's metadata.
pub struct Oidc {
    installningar: Installningar,
    utfardare: IssuerUrl,
    svar: RedirectUrl,
    http: Https,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.installningar.fmt(f)
    }
}

/// `https`, or `http` to a loopback host.
fn tillaten_adress(adress: &str) -> bool {
    let Ok(u) = openidconnect::url::Url::parse(adress) else {
        return false;
    };
    match u.scheme() {
        "https" => true,
        "http" => match u.host() {
            Some(openidconnect::url::Host::Domain(d)) => d == "localhost",
            Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

impl Oidc {
    /// Checks the settings; nothing is fetched until the first sign-in.
    pub fn new(installningar: Installningar) -> Result<Self, String> {
        if !tillaten_adress(&installningar.utfardare) {
            return Err(format!(
                "identitetsutfärdaren ”{}” ska nås över https (http bara på den egna datorn)",
                installningar.utfardare
            ));
        }
        if installningar.klient_id.trim().is_empty()
            || installningar.klient_hemlighet.trim().is_empty()
        {
            return Err("OpenID Connect behöver klient-id och klienthemlighet".into());
        }
        let utfardare = IssuerUrl::new(installningar.utfardare.clone())
            .map_err(|e| format!("ogiltig utfärdaradress: {e}"))?;
        let svar = RedirectUrl::new(format!(
            "{}{SVARSVAG}",
            installningar.publik_adress.trim_end_matches('/')
        ))
        .map_err(|e| format!("ogiltig publik adress: {e}"))?;
        // ring rather than aws-lc-rs: a fraction of the build on two cores. rustls deprecates it
        // for lacking post-quantum key exchange, which is worth little here: what crosses this
        // connection is the provider's public metadata, a single-use code, the client secret (which
        // the operator can replace) and an ID token that is worthless minutes later.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("systemets rotcertifikat kunde inte läsas: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            installningar,
            utfardare,
            svar,
            http: Client::builder(TokioExecutor::new()).build(https),
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    /// The provider's metadata and key set, fetched again after [`BEHALL`].
    async fn metadata(&self) -> Result<CoreProviderMetadata, Failure> {
        self.metadata_som(false).await
    }

    /// The metadata, fetched now when `ny` (the provider may have published a new signing key).
    async fn metadata_som(&self, ny: bool) -> Result<CoreProviderMetadata, Failure> {
        let mut kept = self.metadata.lock().await;
        if !ny
            && let Some((when, m)) = kept.as_ref()
            && when.elapsed() < BEHALL
        {
            return Ok(m.clone());
        }
        let http = self.klient();
        let m = CoreProviderMetadata::discover_async(self.utfardare.clone(), &http)
            .await
            .map_err(|e| {
                tracing::warn!(fel = %e, "identitetsutfärdarens metadata kunde inte hämtas");
                svarar_inte()
            })?;
        // The endpoints the client secret, the code and the keys travel to are held to the
        // issuer's rule: https, or http on the loopback interface only.
        let token = m.token_endpoint().map(|u| u.as_str().to_string());
        if !tillaten_adress(m.jwks_uri().as_str())
            || token.as_deref().is_some_and(|t| !tillaten_adress(t))
        {
            tracing::warn!("identitetsutfärdaren anger en adress utan https; inloggningen avbryts");
            return Err(svarar_inte());
        }
        *kept = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    /// The HTTP client `openidconnect` calls: no redirects, a time limit, a size limit.
    fn klient(
        &self,
    ) -> impl Fn(
        openidconnect::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<openidconnect::HttpResponse, HttpFel>> + Send>,
    > + use<> {
        let http = self.http.clone();
        move |req| {
            let http = http.clone();
            Box::pin(async move {
                let (parts, body) = req.into_parts();
                let req = axum::http::Request::from_parts(parts, Full::new(body.into()));
                let res = tokio::time::timeout(VANTA, http.request(req))
                    .await
                    .map_err(|_| HttpFel("inget svar i tid".into()))?
                    .map_err(|e| HttpFel(e.to_string()))?;
                let (parts, body) = res.into_parts();
                let bytes = Limited::new(body, STORST_SVAR)
                    .collect()
                    .await
                    .map_err(|e| HttpFel(e.to_string()))?
                    .to_bytes();
                Ok(axum::http::Response::from_parts(parts, bytes.to_vec()))
            })
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFel(String);

/// The client of this provider, as its metadata describes it.
type Klient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl Oidc {
    /// The client for `metadata`: this client's id and secret, boj's redirect URI.
    fn klient_for(&self, metadata: CoreProviderMetadata) -> Klient {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.installningar.klient_id.clone()),
            Some(ClientSecret::new(
                self.installningar.klient_hemlighet.clone(),
            )),
        )
        .set_redirect_uri(self.svar.clone())
    }
}

/// The ID token's checks (`openidconnect`): signature by the provider's keys in RS256, PS256 or
/// ES256 (never `none`), issuer, audience this client, expiry; the nonce is given at the call.
fn verifierare(client: &Klient) -> openidconnect::core::CoreIdTokenVerifier<'_> {
    client.id_token_verifier().set_allowed_algs([
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::RsaSsaPssSha256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    ])
}

fn svarar_inte() -> Failure {
    Failure::new(
        StatusCode::BAD_GATEWAY,
        Code::IdentitetsutfardarenSvararInte,
        "Inloggningstjänsten svarar inte just nu. Försök igen om en stund, eller logga in med användarnamn och lösenord.",
    )
}

fn inte_bekraftad() -> Failure {
    Failure::new(
        StatusCode::UNAUTHORIZED,
        Code::EjInloggad,
        "Inloggningen kunde inte bekräftas. Börja om från inloggningssidan.",
    )
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

fn oidc(state: &AppState) -> Result<&Oidc, PageError> {
    state
        .config
        .oidc
        .as_deref()
        .ok_or_else(|| PageError(Failure::not_found()))
}

/// Step 1: to the provider.
pub async fn start(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let o = oidc(&state)?;
    let metadata = o.metadata().await?;
    let client = o.klient_for(metadata);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    // Three URL-safe base64 values: the dot cannot occur in them.
    let value = format!("{}.{}.{}", csrf.secret(), nonce.secret(), verifier.secret());
    let cookie = Cookie::build((cookie_name(&state), value))
        .http_only(true)
        .secure(state.config.secure_cookies)
        // Lax: the provider sends the browser back with a cross-site top-level GET.
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(GILTIG.try_into().unwrap_or_default())
        .build();
    Ok((jar.add(cookie), Redirect::to(url.as_str())).into_response())
}

#[derive(Deserialize)]
pub struct Svar {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "inloggad.html")]
struct Vidare {
    layout: pages::Layout,
}

/// Step 2: back from the provider.
pub async fn svar(
    State(state): State<AppState>,
    Who(who): Who,
    Klientadress(adress): Klientadress,
    jar: CookieJar,
    Query(q): Query<Svar>,
) -> Result<Response, PageError> {
    let o = oidc(&state)?;
    let kept = jar.get(cookie_name(&state)).map(|c| c.value().to_string());
    // The started sign-in is used once, whatever happens now.
    let jar = jar.remove(
        Cookie::build(cookie_name(&state))
            .path("/")
            .http_only(true)
            .secure(state.config.secure_cookies)
            .same_site(SameSite::Lax),
    );
    let failed = |f: Failure| Ok((jar.clone(), PageError(f)).into_response());
    if let Some(e) = &q.error {
        // The provider's error code is a short ASCII word (RFC 6749 § 4.1.2.1); nothing else.
        let e: String = e
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect();
        tracing::info!(adress = %adress, fel = %e, "inloggning via identitetsutfärdare avbruten");
        return failed(Failure::new(
            StatusCode::UNAUTHORIZED,
            Code::EjInloggad,
            "Inloggningen avbröts hos inloggningstjänsten. Börja om från inloggningssidan.",
        ));
    }
    let mut delar = kept.as_deref().unwrap_or("").splitn(3, '.');
    let (Some(csrf), Some(nonce), Some(verifier), Some(code), Some(returned)) = (
        delar.next().filter(|s| !s.is_empty()),
        delar.next(),
        delar.next(),
        q.code.as_deref(),
        q.state.as_deref(),
    ) else {
        return failed(Failure::new(
            StatusCode::BAD_REQUEST,
            Code::OgiltigForfragan,
            "Inloggningen har gått ut eller startades inte i den här webbläsaren. Börja om från inloggningssidan.",
        ));
    };
    if !same(csrf, returned) {
        tracing::warn!(adress = %adress, "inloggning via identitetsutfärdare: fel state");
        return failed(inte_bekraftad());
    }
    let metadata = match o.metadata().await {
        Ok(m) => m,
        Err(f) => return failed(f),
    };
    let client = o.klient_for(metadata);
    let http = o.klient();
    let request = match client.exchange_code(AuthorizationCode::new(code.to_string())) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(fel = %e, "identitetsutfärdaren har ingen token-adress");
            return failed(svarar_inte());
        }
    };
    let token = match request
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
        .request_async(&http)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(adress = %adress, fel = %e, "koden kunde inte växlas mot en ID-token");
            return failed(inte_bekraftad());
        }
    };
    let Some(id_token) = token.id_token() else {
        tracing::warn!(adress = %adress, "identitetsutfärdaren gav ingen ID-token");
        return failed(inte_bekraftad());
    };
    let nonce = Nonce::new(nonce.to_string());
    let first = id_token.claims(&verifierare(&client), &nonce).cloned();
    // A signature by a key not in the set kept: the provider may have rotated its keys since the
    // set was fetched; fetched again, once.
    let claims = match first {
        Err(ClaimsVerificationError::SignatureVerification(_)) => {
            let again = match o.metadata_som(true).await {
                Ok(m) => o.klient_for(m),
                Err(f) => return failed(f),
            };
            id_token.claims(&verifierare(&again), &nonce).cloned()
        }
        other => other,
    };
    let claims = match claims {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(adress = %adress, fel = skal(&e), "ID-token avvisad");
            return failed(inte_bekraftad());
        }
    };
    let namn = match o.installningar.ansprak {
        Ansprak::Sub => Some(claims.subject().to_string()),
        // Only an address the provider says it verified; lower case in ASCII only, so that no
        // look-alike character (the Kelvin sign, say) folds into another account's name.
        Ansprak::Email => claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_ascii_lowercase()),
        Ansprak::PreferredUsername => claims
            .preferred_username()
            .map(|u| u.as_str().to_ascii_lowercase()),
    }
    .filter(|n| n.is_ascii());
    let forra = match &who {
        crate::auth::Identity::Session { secret, .. } => Some(secret.as_str()),
        _ => None,
    };
    let utfall = match &namn {
        Some(n) => konton::logga_in_extern(&state.app, forra, n).await?,
        None => ExternInloggning::EjKopplat,
    };
    match utfall {
        ExternInloggning::Klar(secret) => {
            // A page, not a redirect: a browser that arrived from the provider (a cross-site
            // navigation) does not send the SameSite=Strict session cookie on a redirect that
            // continues it, but does on this page's own navigation.
            let page = Vidare {
                layout: pages::Layout::new(&state, &crate::auth::Identity::Anonymous),
            };
            let html = pages::render(&page)?;
            Ok((jar.add(session_cookie(&state, secret)), html).into_response())
        }
        ExternInloggning::EjKopplat => failed(Failure::new(
            StatusCode::FORBIDDEN,
            Code::EjKopplatKonto,
            match namn {
                Some(n) => format!(
                    "Inloggningstjänsten känner dig som ”{n}”, men inget konto i boj för kommun eller förbund har det namnet. Be boj:s administratör lägga upp kontot, eller logga in med användarnamn och lösenord."
                ),
                None => "Inloggningstjänsten gav inget namn som boj kan känna igen dig på. Be boj:s administratör om hjälp.".into(),
            },
        )),
    }
}

/// Why an ID token was refused, in a word for the log (never the token or its claims).
fn skal(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "utgången",
        ClaimsVerificationError::InvalidAudience(_) => "fel mottagare",
        ClaimsVerificationError::InvalidIssuer(_) => "fel utfärdare",
        ClaimsVerificationError::InvalidNonce(_) => "fel nonce",
        ClaimsVerificationError::SignatureVerification(_) => "ogiltig signatur",
        _ => "ogiltig",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(tillaten_adress("https://idp.example.se"));
        assert!(tillaten_adress("http://127.0.0.1:9000/"));
        assert!(tillaten_adress("http://localhost:9000"));
        assert!(tillaten_adress("http://[::1]:9000"));
        assert!(!tillaten_adress("http://idp.example.se"));
        assert!(!tillaten_adress("ftp://idp.example.se"));
        assert!(!tillaten_adress("idp.example.se"));
    }

    #[test]
    fn claims_parse() {
        assert_eq!(Ansprak::parse("email"), Ok(Ansprak::Email));
        assert_eq!(Ansprak::parse(" sub "), Ok(Ansprak::Sub));
        assert!(Ansprak::parse("name").is_err());
    }

    #[test]
    fn settings_never_print_the_secret() {
        let i = Installningar {
            utfardare: "https://idp.example.se".into(),
            klient_id: "boj".into(),
            klient_hemlighet: "hemligt-värde".into(),
            ansprak: Ansprak::Email,
            publik_adress: "https://boj.example.se".into(),
        };
        assert!(!format!("{i:?}").contains("hemligt"));
        let o = Oidc::new(i).map_err(|e| e.to_string());
        assert!(o.is_ok_and(|o| !format!("{o:?}").contains("hemligt")));
    }
}
