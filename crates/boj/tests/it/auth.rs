//! Sign-in, sessions, CSRF and scope, through HTTP.

use crate::helpers::{PASSWORD, TestApp, error_code, spawn_app};
use boj_domain::Role;
use boj_store::Clock;
use jiff::SignedDuration;

#[tokio::test]
async fn sign_in_works_and_shows_a_role_aware_start_page() {
    let app = spawn_app().await;
    app.user("kommun-2303", Role::Kommun).await;
    let c = TestApp::client();
    let res = c.get(app.at("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/logga-in");

    let (c, _) = app.login("kommun-2303").await;
    let page = crate::helpers::text(&c, app.at("/")).await;
    assert!(page.contains("Välkommen, kommun-2303"));
    assert!(page.contains("Kommunhandläggare"));
    assert!(page.contains("Ragunda (2303)"));
    assert!(page.contains("Enskilda ärenden visas aldrig"));
    // The admin's user list is not on a municipal official's page.
    assert!(!page.contains("Alla användarkonton"));
    let me: serde_json::Value = c
        .get(app.at("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "kommun");
    assert_eq!(me["municipality"], "2303");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_and_secure_when_configured() {
    let app = crate::helpers::spawn_app_with(boj_web::WebConfig::default()).await;
    app.user("kommun-2303", Role::Kommun).await;
    let res = TestApp::client()
        .post(app.at("/logga-in"))
        .form(&[("name", "kommun-2303"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-boj_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    // Behind TLS, browsers are told to stay on HTTPS.
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    // Signing out removes the cookie with the same attributes, or the browser keeps it.
    let session = cookie.split(';').next().unwrap().to_string();
    let page = TestApp::client()
        .get(app.at("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_in(&page);
    let res = TestApp::client()
        .post(app.at("/logga-ut"))
        .header("cookie", &session)
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let removal: Vec<&str> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .filter(|c| c.starts_with("__Host-boj_session="))
        .collect();
    assert_eq!(removal.len(), 1, "{removal:?}");
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
        "Max-Age=0",
    ] {
        assert!(
            removal[0].contains(flag),
            "{flag} missing in {}",
            removal[0]
        );
    }
}

/// Without TLS in front (the demo, tests) no HSTS header: it would lock browsers out of plain HTTP.
#[tokio::test]
async fn no_hsts_on_plain_http() {
    let app = spawn_app().await;
    let res = TestApp::client()
        .get(app.at("/logga-in"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}

/// An upload form carries its CSRF token as a field of the multipart body; the query string is
/// never read for it (it ends up in logs and referrers).
#[tokio::test]
async fn an_upload_form_carries_its_csrf_token_in_the_body_not_the_query() {
    let app = spawn_app().await;
    app.user("forbund", Role::Forbund).await;
    let (c, csrf) = app.login("forbund").await;
    let file = include_bytes!("../../demo/scb-folkmangd-jamtland-2024.csv");
    let form = |with_field: bool| {
        let mut f = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.to_vec()).file_name("folkmangd.csv"),
            )
            .text("date", "2024-12-31");
        if with_field {
            f = f.text("csrf", csrf.clone());
        }
        f
    };
    let res = c
        .post(app.at(&format!("/befolkning?csrf={csrf}")))
        .multipart(form(false))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("CSRF"));
    let res = c
        .post(app.at("/befolkning"))
        .multipart(form(true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("8 kommuner importerades")
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_swedish() {
    let app = spawn_app().await;
    app.user("stodperson1", Role::Stodperson).await;
    for (name, pw) in [
        ("stodperson1", "fel-losenord-1"),
        ("finns-inte", PASSWORD),
        ("stodperson1", ""),
    ] {
        let res = TestApp::client()
            .post(app.at("/logga-in"))
            .form(&[("name", name), ("password", pw)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.headers().get("set-cookie").is_none());
        let page = res.text().await.unwrap();
        assert!(page.contains("Fel användarnamn eller lösenord."));
    }
}

impl TestApp {
    /// `POST /logga-in` with a name and a password.
    async fn sign_in(&self, name: &str, password: &str) -> reqwest::Response {
        TestApp::client()
            .post(self.at("/logga-in"))
            .form(&[("name", name), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// Signs in with the password in a new client and opens the second step: the client, the
    /// page and its CSRF token.
    async fn to_second_step(&self, name: &str) -> (reqwest::Client, String, String) {
        let c = TestApp::client();
        c.post(self.at("/logga-in"))
            .form(&[("name", name), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let page = crate::helpers::text(&c, self.at("/logga-in/kod")).await;
        let csrf = crate::helpers::csrf_in(&page);
        (c, page, csrf)
    }

    /// `POST /logga-in/kod` with a code.
    async fn send_code(&self, c: &reqwest::Client, csrf: &str, kod: &str) -> reqwest::Response {
        c.post(self.at("/logga-in/kod"))
            .form(&[("csrf", csrf), ("kod", kod)])
            .send()
            .await
            .unwrap()
    }

    async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action.to_string())
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

/// Guessing is throttled (SPEC § 6): after five wrong passwords an account must wait, doubling
/// with each further failure up to a lockout that lifts by itself; 429 with `Retry-After` and a
/// Swedish message; the right password does not help meanwhile; a colleague at the same address
/// signs in normally; every failure and the lockout are audit entries without the password.
#[tokio::test]
async fn guessing_a_password_is_throttled_per_account_and_audited() {
    let app = spawn_app().await;
    app.user("stodperson1", Role::Stodperson).await;
    app.user("samordnare", Role::Samordnare).await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let res = app.sign_in("stodperson1", &format!("gissning-{i}")).await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            let wait: i64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=900).contains(&wait), "{wait}");
            let page = res.text().await.unwrap();
            assert!(
                page.contains("För många misslyckade inloggningar"),
                "{page}"
            );
        }
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // The right password does not help while the account waits.
    assert_eq!(app.sign_in("stodperson1", PASSWORD).await.status(), 429);
    // A colleague at the same address is not locked out by the flood.
    assert_eq!(app.sign_in("samordnare", PASSWORD).await.status(), 303);
    // Refused attempts did not count: five failures, one lockout, and no password in the log.
    assert_eq!(app.audit_count("inloggning.misslyckad").await, 5);
    assert_eq!(app.audit_count("inloggning.sparrad").await, 1);
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE object LIKE '%gissning%' OR actor LIKE '%gissning%'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(logged, 0);
    // Each further failure doubles the wait; the lock lifts by itself.
    app.clock.advance(SignedDuration::from_secs(2));
    assert_eq!(app.sign_in("stodperson1", "gissning-x").await.status(), 401);
    let res = app.sign_in("stodperson1", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "2");
    app.clock.advance(SignedDuration::from_secs(3));
    assert_eq!(app.sign_in("stodperson1", PASSWORD).await.status(), 303);
    // A success clears the account's count: the next wrong password costs nothing.
    assert_eq!(app.sign_in("stodperson1", "gissning-y").await.status(), 401);
    assert_eq!(app.sign_in("stodperson1", PASSWORD).await.status(), 303);
}

/// Names no account has are throttled by the client's address (fifty free failures an hour),
/// and nothing typed into the name field is stored.
#[tokio::test]
async fn guessing_names_is_throttled_by_address() {
    let app = spawn_app().await;
    for i in 0..51 {
        let res = app.sign_in(&format!("ingen-sadan-{i}"), "x").await;
        assert_eq!(res.status(), if i < 50 { 401 } else { 429 }, "attempt {i}");
    }
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM signin_failures")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert!(keys.iter().all(|k| !k.contains("ingen-sadan")), "{keys:?}");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_their_session() {
    let app = spawn_app().await;
    let u = app.user("stodperson1", Role::Stodperson).await;
    let (c, _) = app.login("stodperson1").await;
    boj_store::users::disable(&app.store, None, &u.id)
        .await
        .unwrap();
    let (status, code, _) = error_code(c.get(app.at("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (401, "ej_inloggad"));
    let res = TestApp::client()
        .post(app.at("/logga-in"))
        .form(&[("name", "stodperson1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_session_expires_when_idle() {
    let app = spawn_app().await;
    app.user("samordnare", Role::Samordnare).await;
    let (c, _) = app.login("samordnare").await;
    assert_eq!(
        c.get(app.at("/api/v1/me")).send().await.unwrap().status(),
        200
    );
    app.clock.advance(SignedDuration::from_mins(31));
    let (status, code, message) =
        error_code(c.get(app.at("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (401, "sessionen_har_gatt_ut"));
    assert!(message.contains("Logga in igen"));
    // The expired session is gone, so the page now asks for a plain sign-in.
    let res = c.get(app.at("/")).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_session_expires_after_twelve_hours_even_when_used() {
    let app = spawn_app().await;
    app.user("forbund", Role::Forbund).await;
    let (c, _) = app.login("forbund").await;
    let mut minutes = 0;
    let res = loop {
        app.clock.advance(SignedDuration::from_mins(20));
        minutes += 20;
        let res = c.get(app.at("/")).send().await.unwrap();
        if res.status() != 200 || minutes > 13 * 60 {
            break res;
        }
    };
    // Used every 20 minutes, so never idle: it is the 12-hour limit that ends it.
    assert_eq!(minutes, 12 * 60 + 20);
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/logga-in?utgangen=1");
    let page = TestApp::client()
        .get(app.at("/logga-in?utgangen=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Din session har gått ut"));
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.user("admin", Role::Admin).await;
    let (c, csrf) = app.login("admin").await;

    // Sign-out form without its token.
    let res = c
        .post(app.at("/logga-ut"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("säkerhetstoken"));
    // API call with the session cookie but no header.
    let body = serde_json::json!({"name": "ny-anvandare", "role": "admin", "password": "ett-langt-losenord"});
    let (status, code, _) = error_code(
        c.post(app.at("/api/v1/users"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "csrf_saknas"));
    // A wrong token is as good as none.
    let res = c
        .post(app.at("/api/v1/users"))
        .header("x-csrf-token", "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // With the token it goes through.
    let res = c
        .post(app.at("/api/v1/users"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // And the form with its token signs out.
    let res = c
        .post(app.at("/logga-ut"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        c.get(app.at("/api/v1/me")).send().await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused_even_to_the_sign_in_form() {
    let app = spawn_app().await;
    app.user("admin", Role::Admin).await;
    let res = TestApp::client()
        .post(app.at("/logga-in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = TestApp::client()
        .post(app.at("/logga-in"))
        .header("origin", "https://elak.example")
        .form(&[("name", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn requests_outside_the_role_or_its_scope_are_refused() {
    let app = spawn_app().await;
    let admin = app.user("admin", Role::Admin).await;
    let kommun = app.user("kommun-2303", Role::Kommun).await;
    let t = app.token(&kommun).await;
    let c = TestApp::client();
    // Someone else's account: the role may read accounts, but only its own.
    let (status, code, message) = error_code(
        c.get(app.at(&format!("/api/v1/users/{}", admin.id)))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "utanfor_behorighet"));
    assert!(message.contains("utanför din behörighet"));
    // Its own account is fine.
    let res = c
        .get(app.at(&format!("/api/v1/users/{}", kommun.id)))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Managing users is not for this role at all.
    let (status, code, _) = error_code(
        c.get(app.at("/api/v1/users"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbjuden_atgard"));
}

#[tokio::test]
async fn bearer_tokens_expire_and_can_be_revoked() {
    let app = spawn_app().await;
    let admin = app.user("admin", Role::Admin).await;
    let t = boj_store::tokens::create(&app.store, None, &admin, 1)
        .await
        .unwrap();
    let c = TestApp::client();
    assert_eq!(
        c.get(app.at("/api/v1/me"))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.clock.advance(SignedDuration::from_hours(25));
    assert_eq!(
        c.get(app.at("/api/v1/me"))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let t2 = app.token(&admin).await;
    let id = t2.split('_').take(3).collect::<Vec<_>>()[1..].join("_");
    let res = c
        .delete(app.at(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&t2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, code, _) = error_code(
        c.get(app.at("/api/v1/me"))
            .bearer_auth(&t2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (401, "ej_inloggad"));
}

#[tokio::test]
async fn responses_carry_strict_security_headers() {
    let app = spawn_app().await;
    let res = TestApp::client()
        .get(app.at("/logga-in"))
        .send()
        .await
        .unwrap();
    let h = res.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn an_admin_cannot_mint_a_token_that_reads_cases() {
    let app = spawn_app().await;
    let admin = app.user("admin", Role::Admin).await;
    app.user("stodperson1", Role::Stodperson).await;
    app.user("kommun-2303", Role::Kommun).await;
    let t = app.token(&admin).await;
    let res = app
        .post_token(&t, &serde_json::json!({"user": "stodperson1"}))
        .await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (403, "forbjuden_atgard"));
    let res = app
        .post_token(&t, &serde_json::json!({"user": "kommun-2303"}))
        .await;
    assert_eq!(res.status(), 201);
}

/// No admin action yields an account that sees cases (SPEC § 2). An admin creates a coordinator
/// without a password; the person chooses one with a one-time activation link; the account sees
/// no case until a coordinator of the organisation approves it; an admin's reset takes the
/// approval away again.
#[tokio::test]
async fn an_admin_cannot_turn_an_account_into_case_access() {
    let app = spawn_app().await;
    let admin = app.user("admin", Role::Admin).await;
    let at = app.token(&admin).await;
    let sam = app.user("samordnare", Role::Samordnare).await;
    let st = app.token(&sam).await;
    let org = app.org_id.clone();
    // With a password chosen by the admin: refused.
    let body = serde_json::json!({"name": "ny-samordnare", "role": "samordnare", "organisation": org, "password": "admins-eget-losenord"});
    let (status, _, message) = error_code(app.post_user(&at, &body).await).await;
    assert_eq!(status, 422);
    assert!(message.contains("aktiveringslänk"), "{message}");
    // Without: an account and a one-time link, shown once.
    let body =
        serde_json::json!({"name": "ny-samordnare", "role": "samordnare", "organisation": org});
    let res = app.post_user(&at, &body).await;
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["approved"], false);
    let link = created["activation_url"].as_str().unwrap().to_string();
    assert!(link.starts_with("/aktivera/"), "{link}");
    let id = created["id"].as_str().unwrap().to_string();
    let listed: serde_json::Value = TestApp::client()
        .get(app.at(&format!("/api/v1/users/{id}")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.get("activation_url").is_none(), "{listed}");
    // No password works before activation, and nobody can approve it yet: the admin holds the
    // link, so only an account its person has activated can be approved.
    assert_eq!(app.sign_in("ny-samordnare", PASSWORD).await.status(), 401);
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/users/{id}/approve")))
        .bearer_auth(&st)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // The person sets their own.
    let page = TestApp::client().get(app.at(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("ny-samordnare"));
    let res = TestApp::client()
        .post(app.at(&link))
        .form(&[("password", PASSWORD), ("again", "inte-samma-losenord")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = TestApp::client()
        .post(app.at(&link))
        .form(&[("password", PASSWORD), ("again", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Used once.
    let res = TestApp::client()
        .post(app.at(&link))
        .form(&[
            ("password", "ett-annat-losenord"),
            ("again", "ett-annat-losenord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Signed in, but no case until approved.
    let (c, _) = app.login("ny-samordnare").await;
    let (status, code, _) = error_code(c.get(app.at("/api/v1/cases")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (403, "ej_godkand"));
    // The admin cannot approve it; a coordinator of the organisation can.
    let approve = format!("/api/v1/users/{id}/approve");
    let res = TestApp::client()
        .post(app.at(&approve))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = TestApp::client()
        .post(app.at(&approve))
        .bearer_auth(&st)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Its old session ended with the change; signed in again, it sees the organisation's cases.
    let (c, _) = app.login("ny-samordnare").await;
    assert_eq!(
        c.get(app.at("/api/v1/cases"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // An admin's reset ends its sessions, its password and its approval; a new link, once.
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/users/{id}/reset")))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let reset: serde_json::Value = res.json().await.unwrap();
    assert_eq!(reset["approved"], false);
    assert!(
        reset["activation_url"]
            .as_str()
            .unwrap()
            .starts_with("/aktivera/")
    );
    assert_eq!(
        c.get(app.at("/api/v1/cases"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(app.sign_in("ny-samordnare", PASSWORD).await.status(), 401);
    // Every step is in the audit log.
    for action in [
        "anvandare.skapad",
        "anvandare.aktiverad",
        "anvandare.godkand",
        "anvandare.aterstalld",
    ] {
        assert!(app.audit_count(action).await >= 1, "{action}");
    }
}

/// Guesses sent at once are counted before their passwords are tried: no more of them are tried
/// than one by one.
#[tokio::test]
async fn guesses_sent_at_once_are_throttled_like_one_by_one() {
    let app = spawn_app().await;
    app.user("stodperson1", Role::Stodperson).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = app.at("/logga-in");
        tasks.push(tokio::spawn(async move {
            TestApp::client()
                .post(url)
                .form(&[
                    ("name", "stodperson1"),
                    ("password", &format!("gissning-{i}")),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut tried = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == 401 || s == 429, "{s}");
        tried += usize::from(s == 401);
    }
    assert_eq!(tried, 5);
    assert_eq!(app.audit_count("inloggning.misslyckad").await, 5);
}

/// An admin signs in in two steps (SPEC § 6): the password alone opens nothing; the first time
/// the admin enrols a TOTP app from the page's QR code or key and gets ten recovery codes; a code
/// is accepted once; a recovery code works once; wrong codes are throttled and audited.
#[tokio::test]
async fn an_admin_signs_in_with_a_second_factor() {
    let app = spawn_app().await;
    app.user("admin", Role::Admin).await;
    let c = TestApp::client();
    let res = c
        .post(app.at("/logga-in"))
        .form(&[("name", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/logga-in/kod");
    // The half session reaches nothing.
    let res = c.get(app.at("/api/v1/users")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    // Enrolment: a QR code drawn here and the key as text.
    let page = crate::helpers::text(&c, app.at("/logga-in/kod")).await;
    assert!(page.contains("<svg"), "{page}");
    let b32 = crate::helpers::between(&page, "<code id=\"hemlighet\">", "</code>").unwrap();
    let csrf = crate::helpers::csrf_in(&page);
    let now = app.clock.now().as_second();
    // A wrong code is refused and audited.
    let res = app.send_code(&c, &csrf, "000000").await;
    assert_eq!(res.status(), 401);
    assert_eq!(app.audit_count("tvafaktor.misslyckad").await, 1);
    let kod = crate::helpers::totp_now(&b32, now);
    let res = app.send_code(&c, &csrf, &kod).await;
    assert_eq!(res.status(), 200);
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let page = res.text().await.unwrap();
    let koder: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .filter_map(|x| x.split("</code>").next())
        .map(str::to_string)
        .collect();
    assert_eq!(koder.len(), 10);
    assert_eq!(app.audit_count("tvafaktor.registrerad").await, 1);
    // Signed in, with a new session id.
    assert!(set_cookie.starts_with("boj_session="), "{set_cookie}");
    assert_eq!(
        c.get(app.at("/api/v1/users"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // The same code again, in a new sign-in: refused (a code is accepted once).
    let (c2, page, csrf2) = app.to_second_step("admin").await;
    assert!(!page.contains("hemlighet"), "enrolled once");
    let res = app.send_code(&c2, &csrf2, &kod).await;
    assert_eq!(res.status(), 401);
    // A recovery code works, once.
    let res = app.send_code(&c2, &csrf2, &koder[0]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        c2.get(app.at("/api/v1/users"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (c3, _, csrf3) = app.to_second_step("admin").await;
    let res = app.send_code(&c3, &csrf3, &koder[0]).await;
    assert_eq!(res.status(), 401);
    // The next time step's code works.
    app.clock.advance(SignedDuration::from_secs(30));
    let kod = crate::helpers::totp_now(&b32, app.clock.now().as_second());
    let res = app.send_code(&c3, &csrf3, &kod).await;
    assert_eq!(res.status(), 303);
    // An operator's reset (`boj user reset-2fa`) removes the factor: the next sign-in enrols anew.
    let admin_id = boj_store::users::by_name(&app.store, "admin")
        .await
        .unwrap()
        .id;
    boj_store::tvafaktor::aterstall(&app.store, None, &admin_id)
        .await
        .unwrap();
    let (_, page, _) = app.to_second_step("admin").await;
    assert!(page.contains("id=\"hemlighet\""), "{page}");
    assert_eq!(app.audit_count("tvafaktor.aterstalld").await, 1);
    // No code or key is in the audit log.
    let leaked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE object LIKE $1 OR object LIKE $2")
            .bind(format!("%{kod}%"))
            .bind(format!("%{b32}%"))
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(leaked, 0);
}

/// The admin's start page creates, disables and resets accounts (issue: pages for every role):
/// a support person gets a one-time activation link shown once, never a password from the admin.
#[tokio::test]
async fn the_admin_creates_disables_and_resets_accounts_on_the_start_page() {
    let app = spawn_app().await;
    app.user("admin", Role::Admin).await;
    let (c, csrf) = app.login("admin").await;
    let page = crate::helpers::text(&c, app.at("/")).await;
    assert!(page.contains("Nytt konto") && page.contains("Testjouren"));
    let res = c
        .post(app.at("/anvandare"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "nyvolontar"),
            ("role", "stodperson"),
            ("organisation", app.org_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let link = crate::helpers::between(&page, "<code id=\"aktiveringslank\">", "</code>")
        .expect("the activation link is shown");
    assert!(link.starts_with("/aktivera/"));
    // The link works for the person.
    let form = TestApp::client().get(app.at(&link)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    // A password for a case role is refused.
    let res = c
        .post(app.at("/anvandare"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "annan"),
            ("role", "samordnare"),
            ("organisation", app.org_id.as_str()),
            ("password", "ett-langt-losenord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let user = boj_store::users::by_name(&app.store, "nyvolontar")
        .await
        .unwrap();
    // Reset: a new link, the old one gone.
    let res = c
        .post(app.at(&format!("/anvandare/{}/aterstall", user.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let new_link =
        crate::helpers::between(&page, "<code id=\"aktiveringslank\">", "</code>").unwrap();
    assert_ne!(new_link, link);
    // Disable.
    let res = c
        .post(app.at(&format!("/anvandare/{}/stang-av", user.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/?sparat=avstangd#sparat");
    assert!(
        boj_store::users::by_name(&app.store, "nyvolontar")
            .await
            .unwrap()
            .disabled
    );
    // API tokens: listed by account name (never the secret), and revoked from the page.
    let official = app.user("kommun-2303", Role::Kommun).await;
    let secret = app.token(&official).await;
    let page = crate::helpers::text(&c, app.at("/")).await;
    assert!(page.contains("<h2 id=\"nycklar\">API-nycklar</h2>"));
    assert!(page.contains("<tr><td>kommun-2303</td>") && !page.contains(&secret));
    let id = boj_store::tokens::list(&app.store).await.unwrap()[0]
        .id
        .clone();
    assert!(page.contains(&format!("/api-nycklar/{id}/aterkalla")));
    let works = |t: String| {
        let url = app.at("/api/v1/agreements");
        async move {
            TestApp::client()
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(works(secret.clone()).await, 200);
    let res = c
        .post(app.at(&format!("/api-nycklar/{id}/aterkalla")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/?sparat=nyckel#sparat");
    assert_eq!(works(secret).await, 401);
    let page = crate::helpers::text(&c, app.at("/?sparat=nyckel")).await;
    assert!(page.contains("API-nyckeln är återkallad.") && page.contains("<td>Återkallad</td>"));
}
