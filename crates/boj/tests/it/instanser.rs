//! Several instances on one database (SPEC § 6): a second `boj serve` — the binary, its own
//! process — beside the in-process one. A session made on one works on the other; a decision
//! recorded on one is seen by the other's intake at once; retention runs once at a time.

use crate::arenden::setup;
use crate::helpers::{TestApp, csrf_in, pg_url, serve, spawn_app};
use boj_store::Clock;
use serde_json::{Value, json};

#[tokio::test]
async fn two_instances_share_sessions_and_see_each_others_decisions() {
    let app = spawn_app().await;
    // The other instance keeps the world's time: this one is brought to it, so that both judge a
    // session's age alike.
    let now = jiff::Timestamp::now();
    app.clock.advance(app.clock.now().duration_until(now));
    let s = setup(&app).await;
    // A second `boj serve` (plain-HTTP cookies, as the in-process one), killed when the test ends.
    let (_other, url) = serve(&app, &["--insecure-cookies"]).await;

    // Signed in on this instance (password and second factor), the session works on the other.
    let (c, csrf) = app.login("samordnare").await;
    let page = c.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("samordnare"));
    assert_eq!(csrf_in(&page), csrf, "one session, one CSRF token");
    // Signing out on the other ends it here too.
    let out = c
        .post(format!("{url}/logga-ut"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let here = c.get(app.at("/")).send().await.unwrap();
    assert_eq!(here.status(), 303, "the session ended on both");

    // Berg (2326) has not decided: a case there is outside the agreement, judged here.
    let case = json!({
        "agreement_id": s.agreement, "opened_on": "2026-11-20", "person_type": "brottsutsatt", "municipality": "2326",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    });
    let before: Value = app.post_case(&s.sp1, &case).await.json().await.unwrap();
    assert_ne!(before["eligibility"]["status"], "inom", "{before}");
    // Berg's decision is recorded on the other instance…
    let d = json!({"body": "kommunfullmaktige", "municipality": "2326", "decided_on": "2025-12-15",
        "applies_from": "2026-01-01", "paragraph": "§ 9", "items": [{"number": "1", "text": "att godkänna"}],
        "outcome": "bifall"});
    let res = TestApp::client()
        .post(format!("{url}/api/v1/agreements/{}/decisions", s.agreement))
        .bearer_auth(&s.forbund)
        .json(&d)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // …and this instance's intake judges by it at once, though it had the agreement cached.
    let after: Value = app.post_case(&s.sp1, &case).await.json().await.unwrap();
    assert_eq!(after["eligibility"]["status"], "inom", "{after}");
}

#[tokio::test]
async fn retention_runs_in_one_instance_at_a_time() {
    let app = spawn_app().await;
    setup(&app).await;
    let Some(_) = pg_url() else {
        // SQLite is served by one instance: the lock is always its own.
        let las = app.store.las(boj_store::LAS_GALLRING).await.unwrap();
        assert!(las.is_some());
        las.unwrap().slapp().await;
        assert!(!boj_store::gallring::run(&app.store).await.unwrap().upptagen);
        return;
    };
    // Another instance holds the retention lock: this one does nothing and says so, through the
    // command line too.
    let held = app
        .store
        .las(boj_store::LAS_GALLRING)
        .await
        .unwrap()
        .expect("the lock is free");
    assert!(
        app.store
            .las(boj_store::LAS_GALLRING)
            .await
            .unwrap()
            .is_none()
    );
    assert!(boj_store::gallring::run(&app.store).await.unwrap().upptagen);
    let (code, _, err) = app.boj(&["retention", "run"]);
    assert_eq!(code, 0);
    assert!(err.contains("en annan instans gallrar"), "{err}");
    held.slapp().await;
    let u = boj_store::gallring::run(&app.store).await.unwrap();
    assert!(!u.upptagen);
    // Released after the run: the next one gets it.
    let again = app.store.las(boj_store::LAS_GALLRING).await.unwrap();
    assert!(again.is_some());
    again.unwrap().slapp().await;
}
