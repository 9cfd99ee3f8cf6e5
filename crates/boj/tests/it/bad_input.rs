//! Bad input gets a 4xx with a stable code and a Swedish message — never a 5xx.

use crate::helpers::{TestApp, error_code, spawn_app};
use boj_domain::Role;
use serde_json::json;

async fn admin_token(app: &crate::helpers::TestApp) -> String {
    let admin = app.user("admin", Role::Admin).await;
    app.token(&admin).await
}

#[tokio::test]
async fn an_unknown_municipality_code_is_422() {
    let app = spawn_app().await;
    let t = admin_token(&app).await;
    for bad in ["9999", "23", "Ragunda", ""] {
        let body = json!({"name": "kommun-x", "role": "kommun", "municipality": bad, "password": "ett-langt-losenord"});
        let res = app.post_user(&t, &body).await;
        let (status, code, message) = error_code(res).await;
        assert_eq!((status, code.as_str()), (422, "ogiltig_kommunkod"), "{bad}");
        assert!(message.contains("ingen kommunkod"), "{message}");
    }
}

#[tokio::test]
async fn a_malformed_date_is_422() {
    let app = spawn_app().await;
    let t = admin_token(&app).await;
    for bad in ["2026-13-45", "2026-02-29", "imorgon", "27-01-01"] {
        let body = json!({"user": "admin", "expires_on": bad});
        let res = app.post_token(&t, &body).await;
        let (status, code, message) = error_code(res).await;
        assert_eq!((status, code.as_str()), (422, "ogiltigt_datum"), "{bad}");
        assert!(message.contains("ÅÅÅÅ-MM-DD"));
    }
    // A real date in the past breaks the rule, not the format.
    let body = json!({"user": "admin", "expires_on": "2020-01-01"});
    let res = app.post_token(&t, &body).await;
    assert_eq!(error_code(res).await.0, 422);
    // A valid one works.
    let body = json!({"user": "admin", "expires_on": "2027-01-31"});
    let res = app.post_token(&t, &body).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let app = spawn_app().await;
    let t = admin_token(&app).await;
    let body =
        json!({"name": "x".repeat(200_000), "role": "admin", "password": "ett-langt-losenord"});
    let res = app.post_user(&t, &body).await;
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (413, "for_stor_forfragan"));
}

#[tokio::test]
async fn wrong_json_types_and_broken_json_are_400() {
    let app = spawn_app().await;
    let t = admin_token(&app).await;
    let c = TestApp::client();
    let wrong_type = json!({"name": 5, "role": "admin", "password": "ett-langt-losenord"});
    let (status, code, message) = error_code(app.post_user(&t, &wrong_type).await).await;
    assert_eq!((status, code.as_str()), (400, "ogiltig_json"));
    assert!(message.contains("fel typ"));
    let missing = json!({"role": "admin"});
    let (status, code, _) = error_code(app.post_user(&t, &missing).await).await;
    assert_eq!((status, code.as_str()), (400, "ogiltig_json"));
    let res = c
        .post(app.at("/api/v1/users"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (400, "ogiltig_json"));
    let res = c
        .post(app.at("/api/v1/users"))
        .bearer_auth(&t)
        .body("name=x")
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (415, "fel_mediatyp"));
}

#[tokio::test]
async fn rule_breaking_values_are_422_and_conflicts_409_with_the_id() {
    let app = spawn_app().await;
    let t = admin_token(&app).await;
    let cases = [
        (
            json!({"name": "x", "role": "admin", "password": "ett-langt-losenord"}),
            "ogiltigt_namn",
        ),
        (
            json!({"name": "ny", "role": "kung", "password": "ett-langt-losenord"}),
            "ogiltig_roll",
        ),
        (
            json!({"name": "ny", "role": "admin", "password": "kort"}),
            "svagt_losenord",
        ),
        (
            json!({"name": "ny", "role": "kommun", "password": "ett-langt-losenord"}),
            "ogiltig_behorighetsomfattning",
        ),
        (
            json!({"name": "ny", "role": "forbund", "county": "99", "password": "ett-langt-losenord"}),
            "ogiltig_lanskod",
        ),
        (
            json!({"name": "ny", "role": "stodperson", "organisation": "o_finns_inte"}),
            "ogiltig_behorighetsomfattning",
        ),
        (json!({"name": "ny", "role": "admin"}), "ogiltig_forfragan"),
    ];
    for (body, want) in cases {
        let (status, code, _) = error_code(app.post_user(&t, &body).await).await;
        assert_eq!((status, code.as_str()), (422, want), "{body}");
    }
    // Nothing was half-saved: only the admin exists.
    assert_eq!(boj_store::users::list(&app.store).await.unwrap().len(), 1);

    let admin_id = boj_store::users::by_name(&app.store, "admin")
        .await
        .unwrap()
        .id;
    let dup = json!({"name": "admin", "role": "admin", "password": "ett-langt-losenord"});
    let res = app.post_user(&t, &dup).await;
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "konflikt");
    assert_eq!(body["error"]["id"], admin_id.as_str());
}

#[tokio::test]
async fn unknown_paths_and_methods_are_4xx_in_the_right_form() {
    let app = spawn_app().await;
    let c = TestApp::client();
    let (status, code, _) =
        error_code(c.get(app.at("/api/v1/finns-inte")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (404, "hittas_inte"));
    let res = c.get(app.at("/finns-inte")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Det du söker finns inte.")
    );
    let res = c.put(app.at("/api/v1/health")).send().await.unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (405, "metod_ej_tillaten"));
}
