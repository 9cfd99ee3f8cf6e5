//! A user's whole story against the store (after atuin's `db_story`): runs on SQLite, and on
//! PostgreSQL when `BOJ_TEST_DATABASE_URL` is set.

use crate::helpers::{TestApp, spawn_app};
use boj_domain::Role;
use boj_store::{audit, tokens, users};
use serde_json::json;

#[tokio::test]
async fn an_admin_sets_up_a_colleague_who_then_works_through_the_api() {
    let app = spawn_app().await;
    let admin = app.user("admin", Role::Admin).await;
    let admin_token = app.token(&admin).await;
    let c = TestApp::client();

    // The admin creates a county strategist through the API.
    let res = app.post_user(&admin_token, &json!({"name": "forbund", "role": "forbund", "county": "23", "password": "ett-langt-losenord"})).await;
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert!(created["id"].as_str().unwrap().starts_with("u_"));
    assert_eq!(created["county"], "23");

    // ...and a token for them.
    let res = app
        .post_token(&admin_token, &json!({"user": "forbund"}))
        .await;
    assert_eq!(res.status(), 201);
    let tok: serde_json::Value = res.json().await.unwrap();
    let token = tok["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("boj_t_"));

    // The strategist works with it.
    let me: serde_json::Value = c
        .get(app.at("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "forbund");
    assert_eq!(me["role"], "forbund");

    // A new password ends sessions; disabling ends tokens too.
    let u = users::by_name(&app.store, "forbund").await.unwrap();
    assert!(
        users::authenticate(&app.store, "forbund", "ett-langt-losenord")
            .await
            .unwrap()
            .is_some()
    );
    users::set_password(
        &app.store,
        Some(&admin.id),
        &u.id,
        &boj_domain::NyttLosenord::parse("ett-annat-losenord").unwrap(),
    )
    .await
    .unwrap();
    assert!(
        users::authenticate(&app.store, "forbund", "ett-langt-losenord")
            .await
            .unwrap()
            .is_none()
    );
    let res = c
        .post(app.at(&format!("/api/v1/users/{}/disable", u.id)))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        c.get(app.at("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert!(
        tokens::authenticate(&app.store, &token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users::authenticate(&app.store, "forbund", "ett-annat-losenord")
            .await
            .unwrap()
            .is_none()
    );

    // Every change is in the audit log, in order, and the chain holds.
    let actions: Vec<String> = audit::recent(&app.store, 100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.action)
        .collect();
    let want = [
        "organisation.skapad",
        "anvandare.skapad",
        "token.skapad",
        "anvandare.skapad",
        "token.skapad",
        "anvandare.losenord_bytt",
        "anvandare.avstangd",
    ];
    assert_eq!(actions, want);
    let audit::Kedja {
        poster: n,
        huvud: head,
        ..
    } = audit::verify(&app.store, &app.audit_key()).await.unwrap();
    assert_eq!(n, want.len() as i64);
    assert_eq!(head.len(), 64);
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_audit_chain() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move {
            audit::record(&store, None, "test.samtidig", Some(&format!("x{i}"))).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let n = audit::verify(&app.store, &app.audit_key())
        .await
        .unwrap()
        .poster;
    assert_eq!(n, 17); // the organisation, and the sixteen
}
