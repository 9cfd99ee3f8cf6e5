//! The route × role matrix (SPEC § 6): every route in `boj_web::routes::table()` against every role and
//! an anonymous caller. A route added to the table without a row here fails `every_route_has_a_row`.

use crate::helpers::{TestApp, spawn_app};
use boj_domain::Role;
use reqwest::Method;
use std::collections::BTreeSet;

/// What a caller gets from a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Passes the gate (the handler may still answer 4xx about the request itself).
    Ok,
    /// Refused: 403.
    No,
    /// Asked to sign in: 401 for the API, a redirect to the sign-in page for pages.
    SignIn,
}
use Outcome::{No, Ok, SignIn};

/// Outcomes for: anonymous, stodperson, samordnare, kommun, forbund, admin.
type Row = (Method, &'static str, [Outcome; 6]);

const PUBLIC: [Outcome; 6] = [Ok, Ok, Ok, Ok, Ok, Ok];
/// The second step of a sign-in (its gate is public; the page itself sends a caller without a
/// half session on: the anonymous to sign in, the signed-in to their start page).
const HALV: [Outcome; 6] = [SignIn, Ok, Ok, Ok, Ok, Ok];
const SIGNED: [Outcome; 6] = [SignIn, Ok, Ok, Ok, Ok, Ok];
const ADMIN: [Outcome; 6] = [SignIn, No, No, No, No, Ok];
/// Reading the register: everyone but admin (SPEC § 2).
const LAS: [Outcome; 6] = [SignIn, Ok, Ok, Ok, Ok, No];
/// Changing the register: the county strategist only.
const FORBUND: [Outcome; 6] = [SignIn, No, No, No, Ok, No];
/// Cases: the organisation's support persons and coordinators only.
const CASES: [Outcome; 6] = [SignIn, Ok, Ok, No, No, No];
/// The audit log: admin all of it, coordinators their organisation's.
const GRANSKNING: [Outcome; 6] = [SignIn, No, Ok, No, No, Ok];
/// Collaboration partners: the county strategist and the organisation's coordinators.
const SAMVERKAN: [Outcome; 6] = [SignIn, No, Ok, No, Ok, No];
/// Witness support and volunteer hours: coordinators.
const SAMORDNARE: [Outcome; 6] = [SignIn, No, Ok, No, No, No];

fn matrix() -> Vec<Row> {
    #[allow(unused_mut)]
    let mut rows = vec![
        (Method::GET, "/", SIGNED),
        (Method::GET, "/logga-in", PUBLIC),
        (Method::POST, "/logga-in", PUBLIC),
        (Method::GET, "/logga-in/kod", HALV),
        (Method::POST, "/logga-in/kod", PUBLIC),
        (Method::POST, "/logga-ut", SIGNED),
        (Method::GET, "/tillganglighet", PUBLIC),
        (Method::GET, "/static/boj.css", PUBLIC),
        (Method::GET, "/api/openapi.json", PUBLIC),
        (Method::GET, "/api/v1/health", PUBLIC),
        (Method::GET, "/api/v1/municipalities", PUBLIC),
        (Method::GET, "/api/v1/me", SIGNED),
        (Method::GET, "/api/v1/users", ADMIN),
        (Method::POST, "/api/v1/users", ADMIN),
        (Method::GET, "/api/v1/users/{id}", SIGNED),
        (Method::POST, "/api/v1/users/{id}/disable", ADMIN),
        (Method::POST, "/api/v1/users/{id}/reset", ADMIN),
        (Method::POST, "/api/v1/users/{id}/approve", SAMORDNARE),
        (Method::GET, "/aktivera/{token}", PUBLIC),
        (Method::POST, "/aktivera/{token}", PUBLIC),
        (Method::POST, "/anvandare/{id}/godkann", SAMORDNARE),
        (Method::POST, "/api-nycklar/{id}/aterkalla", ADMIN),
        (Method::POST, "/api/v1/tokens", ADMIN),
        (Method::DELETE, "/api/v1/tokens/{id}", ADMIN),
        (Method::GET, "/avtal", LAS),
        (Method::POST, "/avtal", FORBUND),
        (Method::GET, "/avtal/ny", FORBUND),
        (Method::GET, "/avtal/{id}", LAS),
        (Method::GET, "/avtal/{id}/version/{n}", LAS),
        (Method::GET, "/avtal/{id}/andra", FORBUND),
        (Method::POST, "/avtal/{id}/andra", FORBUND),
        (Method::POST, "/avtal/{id}/beslut", FORBUND),
        (Method::GET, "/avtal/{id}/beslut/ny", FORBUND),
        (Method::POST, "/beslut/{id}/dokument", FORBUND),
        (Method::POST, "/beslut/{id}/underskrifter", FORBUND),
        (Method::GET, "/dokument/{id}", LAS),
        (Method::GET, "/api/v1/agreements", LAS),
        (Method::POST, "/api/v1/agreements", FORBUND),
        (Method::GET, "/api/v1/agreements/{id}", LAS),
        (Method::POST, "/api/v1/agreements/{id}/versions", FORBUND),
        (Method::POST, "/api/v1/agreements/{id}/decisions", FORBUND),
        (Method::POST, "/api/v1/decisions/{id}/documents", FORBUND),
        (Method::POST, "/api/v1/decisions/{id}/signatures", FORBUND),
        (Method::GET, "/api/v1/documents/{id}", LAS),
        (Method::GET, "/avtal/{id}/bidrag", LAS),
        (Method::POST, "/avtal/{id}/bidrag", FORBUND),
        (Method::POST, "/avtal/{id}/bidrag/betalare/{kod}", FORBUND),
        (Method::GET, "/avtal/{id}/bidrag/{year}/underlag/{kod}", LAS),
        (
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/csv",
            LAS,
        ),
        (
            Method::GET,
            "/avtal/{id}/bidrag/{year}/underlag/{kod}/pdf",
            LAS,
        ),
        (Method::GET, "/befolkning", FORBUND),
        (Method::POST, "/befolkning", FORBUND),
        (Method::POST, "/api/v1/agreements/{id}/grants", FORBUND),
        (
            Method::PUT,
            "/api/v1/agreements/{id}/parties/{kod}/orgnr",
            FORBUND,
        ),
        (Method::GET, "/api/v1/agreements/{id}/allocation", LAS),
        (Method::POST, "/api/v1/population", FORBUND),
        (Method::POST, "/api/v1/cases", CASES),
        (Method::GET, "/api/v1/cases", CASES),
        (Method::GET, "/api/v1/cases/{id}", CASES),
        (Method::PATCH, "/api/v1/cases/{id}", CASES),
        (Method::GET, "/api/v1/cases/{id}/contact", CASES),
        (Method::DELETE, "/api/v1/cases/{id}/contact", CASES),
        (Method::POST, "/api/v1/cases/{id}/activities", CASES),
        (Method::GET, "/api/v1/cases/{id}/activities", CASES),
        (Method::PUT, "/api/v1/cases/{id}/activities/{aid}", CASES),
        (Method::DELETE, "/api/v1/cases/{id}/activities/{aid}", CASES),
        (Method::POST, "/api/v1/cases/{id}/close", CASES),
        (Method::POST, "/api/v1/witness-support", SAMORDNARE),
        (Method::POST, "/api/v1/volunteer-hours", SAMORDNARE),
        (Method::POST, "/api/v1/collaboration", SAMORDNARE),
        (Method::POST, "/verksamhet/samverkan", SAMORDNARE),
        (Method::POST, "/api/v1/agreements/{id}/partners", SAMVERKAN),
        (
            Method::DELETE,
            "/api/v1/agreements/{id}/partners/{partner}",
            SAMVERKAN,
        ),
        (Method::POST, "/avtal/{id}/samverkansparter", SAMVERKAN),
        (
            Method::POST,
            "/avtal/{id}/samverkansparter/{partner}/ta-bort",
            SAMVERKAN,
        ),
        (Method::GET, "/arenden", CASES),
        (Method::POST, "/arenden", CASES),
        (Method::GET, "/arenden/nytt", CASES),
        (Method::GET, "/arenden/{id}", CASES),
        (Method::POST, "/arenden/{id}/aktiviteter", CASES),
        (Method::POST, "/arenden/{id}/aktiviteter/{aid}", CASES),
        (
            Method::POST,
            "/arenden/{id}/aktiviteter/{aid}/ta-bort",
            CASES,
        ),
        (Method::POST, "/arenden/{id}/avsluta", CASES),
        (Method::POST, "/arenden/{id}/ateroppna", CASES),
        (Method::POST, "/arenden/{id}/samtycke", CASES),
        (Method::POST, "/arenden/{id}/tilldela", SAMORDNARE),
        (Method::POST, "/api/v1/eligibility", CASES),
        (Method::GET, "/static/intake.js", PUBLIC),
        (Method::GET, "/verksamhet", SAMORDNARE),
        (Method::POST, "/verksamhet/vittnesstod", SAMORDNARE),
        (Method::POST, "/verksamhet/timmar", SAMORDNARE),
        (Method::GET, "/arenden/{id}/ratta", CASES),
        (Method::POST, "/arenden/{id}/ratta", CASES),
        // Issued reports are read like the register; preview and issuing are the coordinators'.
        (Method::GET, "/avtal/{id}/rapporter", LAS),
        (Method::POST, "/avtal/{id}/rapporter", SAMORDNARE),
        (
            Method::GET,
            "/avtal/{id}/rapporter/forhandsgranska",
            SAMORDNARE,
        ),
        (Method::GET, "/rapporter/{id}", LAS),
        (Method::POST, "/rapporter/{id}/utgavor", SAMORDNARE),
        (Method::GET, "/api/v1/reports", LAS),
        (Method::POST, "/api/v1/reports", SAMORDNARE),
        (Method::GET, "/api/v1/reports/preview", SAMORDNARE),
        (Method::GET, "/api/v1/reports/{id}", LAS),
        (Method::GET, "/api/v1/reports/{id}/pdf", LAS),
        (Method::GET, "/api/v1/reports/{id}/csv", LAS),
        (Method::GET, "/api/v1/reports/{id}/xlsx", LAS),
        (Method::POST, "/api/v1/reports/{id}/editions", SAMORDNARE),
        (Method::GET, "/api/v1/keys", PUBLIC),
        (
            Method::POST,
            "/api/v1/agreements/{id}/retention/accept",
            SAMORDNARE,
        ),
        (Method::POST, "/avtal/{id}/gallring/godkann", SAMORDNARE),
        (Method::GET, "/granskning", GRANSKNING),
        (Method::POST, "/anvandare", ADMIN),
        (Method::POST, "/anvandare/{id}/stang-av", ADMIN),
        (Method::POST, "/anvandare/{id}/aterstall", ADMIN),
        (Method::GET, "/api/v1/audit", GRANSKNING),
    ];
    // Sign-in through an OpenID provider: public, as the sign-in form is (without a provider
    // configured, both answer 404).
    #[cfg(feature = "oidc")]
    rows.extend([
        (Method::GET, "/logga-in/oidc", PUBLIC),
        (Method::GET, "/logga-in/oidc/svar", PUBLIC),
    ]);
    rows
}

#[test]
fn every_route_has_a_row() {
    let routes: BTreeSet<(String, String)> = boj_web::routes::table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let rows: BTreeSet<(String, String)> = matrix()
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the route × role matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that no longer exist: {stale:?}"
    );
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let mut callers: Vec<(String, Option<(String, String)>)> = vec![("anonym".into(), None)];
    for (name, role) in [
        ("stodperson1", Role::Stodperson),
        ("samordnare", Role::Samordnare),
        ("kommun-2303", Role::Kommun),
        ("forbund", Role::Forbund),
        ("admin", Role::Admin),
    ] {
        let u = app.user(name, role).await;
        let t = app.token(&u).await;
        callers.push((name.into(), Some((u.id, t))));
    }
    let c = TestApp::client();
    for (method, path, outcomes) in matrix() {
        for ((who, auth), expected) in callers.iter().zip(outcomes) {
            // A caller's own id where a route reads an account; a missing one where it would change it.
            let concrete = match (path, auth) {
                ("/api/v1/users/{id}", Some((id, _))) => path.replace("{id}", id),
                _ => path.replace("{id}", "x_finns_inte"),
            }
            .replace("{aid}", "x_finns_inte")
            .replace("{n}", "1")
            .replace("{year}", "2026")
            .replace("{kod}", "2303")
            .replace("{partner}", "1");
            let mut req = c.request(method.clone(), app.at(&concrete));
            if let Some((_, token)) = auth {
                req = req.bearer_auth(token);
            }
            if method != Method::GET {
                req = req.json(&serde_json::json!({}));
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status < 500, "{method} {concrete} as {who}: {status}");
            let got = match status {
                401 => SignIn,
                303 if res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/logga-in")
                    && who == "anonym" =>
                {
                    SignIn
                }
                403 => No,
                _ => Ok,
            };
            assert_eq!(
                got, expected,
                "{method} {concrete} as {who}: status {status}"
            );
        }
    }
}

/// The stage axis of the matrix (SPEC § 6): a session of a role that needs a second factor, with
/// the password given but not the code, reaches no signed route — pages send it to sign in, the
/// API answers 401 — whatever the role would reach afterwards. It carries its CSRF token, so what
/// refuses it is the gate, not the CSRF check.
#[tokio::test]
async fn a_session_without_its_second_step_reaches_no_signed_route() {
    let app = spawn_app().await;
    for (name, role) in [
        ("stodperson1", Role::Stodperson),
        ("samordnare", Role::Samordnare),
        ("admin", Role::Admin),
    ] {
        app.user(name, role).await;
        let c = TestApp::client();
        let res = c
            .post(app.at("/logga-in"))
            .form(&[("name", name), ("password", crate::helpers::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/logga-in/kod", "{name}");
        let page = crate::helpers::text(&c, app.at("/logga-in/kod")).await;
        let csrf = crate::helpers::csrf_in(&page);
        let mut tried = 0;
        for (method, path, outcomes) in matrix() {
            if outcomes == PUBLIC || outcomes == HALV {
                continue;
            }
            let concrete = path
                .replace("{id}", "x_finns_inte")
                .replace("{aid}", "x_finns_inte")
                .replace("{n}", "1")
                .replace("{year}", "2026")
                .replace("{kod}", "2303");
            let mut req = c
                .request(method.clone(), app.at(&concrete))
                .header("x-csrf-token", &csrf);
            if method != Method::GET {
                req = req.json(&serde_json::json!({}));
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let to_sign_in = status == 303
                && res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/logga-in");
            assert!(
                status == 401 || to_sign_in,
                "{method} {concrete} with {name}'s half session: {status}"
            );
            tried += 1;
        }
        assert!(tried > 50, "{tried} routes tried");
        // The half session still stands: it was refused, not ended.
        assert_eq!(
            c.get(app.at("/logga-in/kod"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = spawn_app().await;
    let doc: serde_json::Value = TestApp::client()
        .get(app.at("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for r in boj_web::routes::table() {
        if !r.path.starts_with("/api/v1") {
            continue;
        }
        let method = r.method.as_str().to_lowercase();
        assert!(
            doc["paths"][r.path][&method].is_object(),
            "{} {} is not in the OpenAPI document",
            r.method,
            r.path
        );
    }
}

/// The served document tells the truth the contract test (`.ci/api-kontrakt.sh`) relies on: every
/// operation documents its error statuses with the error shape, code fields list the domain's own
/// codes, optional request members take `null`, and gated operations name the bearer scheme.
#[tokio::test]
async fn the_openapi_document_lists_errors_codes_and_nulls() {
    use boj_domain::kod::{Kodlista, PersonTyp};
    let app = spawn_app().await;
    let doc: serde_json::Value = TestApp::client()
        .get(app.at("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fel = "#/components/schemas/Fel";
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let svar = op["responses"].as_object().unwrap();
            for status in ["400", "401"] {
                assert_eq!(
                    svar[status]["content"]["application/json"]["schema"]["$ref"], fel,
                    "{method} {path} {status}"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["413", "415", "422"] {
                    assert!(svar.contains_key(status), "{method} {path} {status}");
                }
            }
            if path.contains('{') {
                assert!(svar.contains_key("404"), "{method} {path}");
            }
        }
    }
    let koder: Vec<&str> = PersonTyp::ALL.iter().map(|k| k.code()).collect();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["CaseIn"]["properties"]["person_type"]["enum"],
        serde_json::json!(koder)
    );
    assert_eq!(
        schemas["Fel"]["properties"]["error"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        boj_domain::Code::ALL.len()
    );
    assert_eq!(
        schemas["DecisionIn"]["properties"]["presenter"]["type"],
        serde_json::json!(["string", "null"])
    );
    assert_eq!(
        doc["paths"]["/api/v1/cases"]["get"]["security"],
        serde_json::json!([{"bearer": []}])
    );
    assert!(
        doc["paths"]["/api/v1/health"]["get"]
            .get("security")
            .is_none()
    );
}

/// Pages, styles and JSON are compressed for a client that accepts it (brotli or gzip), and sent
/// as they are to one that does not.
#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let c = TestApp::client();
    for path in ["/static/boj.css", "/api/openapi.json", "/logga-in"] {
        let plain = c.get(app.at(path)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.bytes().await.unwrap().len();
        for enc in ["br", "gzip"] {
            let res = c
                .get(app.at(path))
                .header("accept-encoding", enc)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-encoding"], enc, "{path}");
            let packed = res.bytes().await.unwrap().len();
            assert!(packed < plain, "{path} {enc}: {packed} of {plain} bytes");
        }
    }
}

/// The accessibility statement follows DIGG's model: compliance level, known gaps, how to report
/// a fault, the supervisory authority, and when it was assessed.
#[tokio::test]
async fn the_accessibility_statement_follows_diggs_model() {
    let app = spawn_app().await;
    let page = TestApp::client()
        .get(app.at("/tillganglighet"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for part in [
        "delvis förenlig",
        "Innehåll som inte är tillgängligt",
        "Rapportera brister",
        "Myndigheten för digital förvaltning",
        "Hur vi testat tjänsten",
        "uppdaterades senast",
    ] {
        assert!(page.contains(part), "{part}");
    }
}

/// A refusal on a page is a page of boj's own layout that says what happened in words; the code is
/// only the technical detail at the end.
#[tokio::test]
async fn a_refused_page_is_explained_in_the_normal_layout() {
    let app = spawn_app().await;
    app.user("kommun-2303", Role::Kommun).await;
    let (c, _) = app.login("kommun-2303").await;
    let res = c.get(app.at("/arenden")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let page = res.text().await.unwrap();
    assert!(page.contains("<h1>Det här får du inte göra</h1>"), "{page}");
    assert!(page.contains("Hoppa till innehållet") && page.contains("Tillgänglighetsredogörelse"));
    let heading = page.find("<h1>").unwrap();
    assert!(page.find("forbjuden_atgard").unwrap() > heading);
}
