//! Hostile input (issue 17): identity numbers in disguise, control characters, addresses that are
//! not text, bodies of the wrong kind, shape or size, injection strings. Each is a 4xx in the
//! contract's form (JSON under `/api`, the HTML error page elsewhere), and nothing is half-saved.
//! These run on SQLite and, with `BOJ_TEST_DATABASE_URL`, on PostgreSQL, which refuses a NUL in text
//! with an error of its own: a NUL that reached it would surface as a 5xx.

use crate::arenden::setup;
use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

fn case(agreement: &str) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": "2026-03-10", "person_type": "brottsutsatt", "municipality": "2303",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": true
    })
}

async fn cases(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// The error body of a response: (status, code, field).
async fn fel(res: reqwest::Response) -> (u16, String, Option<String>) {
    let status = res.status().as_u16();
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{status}: {ct}");
    let b: Value = res.json().await.unwrap();
    (
        status,
        b["error"]["code"].as_str().expect("error.code").to_string(),
        b["error"]["field"].as_str().map(str::to_string),
    )
}

#[tokio::test]
async fn identity_numbers_in_disguise_are_refused_and_phone_numbers_kept() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for pnr in [
        "811218 9876",
        "811218\u{2013}9876",
        "81 12 18-98 76",
        "\u{FF18}\u{FF11}\u{FF11}\u{FF12}\u{FF11}\u{FF18}-\u{FF19}\u{FF18}\u{FF17}\u{FF16}",
        "811218\u{200B}-9876",
    ] {
        let mut c = case(&s.agreement);
        c["contact"] = json!({"name": "Anna"});
        c["note"] = json!(format!("Hennes nummer: {pnr}, ring efter lunch"));
        let (status, code, field) = fel(app.post_case(&s.sp1, &c).await).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (422, "personnummer_i_fritext", Some("note")),
            "{pnr:?}"
        );
    }
    assert_eq!(cases(&app).await, 0, "nothing saved");
    let mut c = case(&s.agreement);
    c["contact"] = json!({"name": "Anna", "phone": "070-123 45 67"});
    c["note"] = json!("Ring +46 70 123 45 67 eller 070\u{2013}123 45 67 efter lunch");
    assert_eq!(app.post_case(&s.sp1, &c).await.status(), 201);
}

#[tokio::test]
async fn control_characters_are_refused_naming_the_field_on_every_backend() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    // In a case's note and name: 422 naming the field.
    for (falt, varde) in [
        ("note", "a\u{0}b"),
        ("note", "a\u{1b}[2Jb"),
        ("name", "An\nna"),
    ] {
        let mut body = case(&s.agreement);
        body["contact"] = json!({"name": "Anna"});
        if falt == "note" {
            body["note"] = json!(varde);
        } else {
            body["contact"]["name"] = json!(varde);
        }
        let (status, code, field) = fel(app.post_case(&s.sp1, &body).await).await;
        assert_eq!(status, 422, "{varde:?}");
        assert_eq!(code, "otillatet_tecken");
        assert!(field.unwrap().ends_with(falt));
    }
    // A note keeps its lines and tabs.
    let mut body = case(&s.agreement);
    body["contact"] = json!({"name": "Anna"});
    body["note"] = json!("rad ett\nrad\ttvå");
    assert_eq!(app.post_case(&s.sp1, &body).await.status(), 201);
    assert_eq!(cases(&app).await, 1);
    // Deep in a body: the path is named.
    let d = json!({"body": "kommunfullmaktige", "municipality": "2326", "decided_on": "2025-12-10", "applies_from": null,
                   "paragraph": "§ 1", "items": [{"number": "1", "text": "att\u{0}godkänna"}], "outcome": "bifall"});
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{}/decisions", s.agreement)))
        .bearer_auth(&s.forbund)
        .json(&d)
        .send()
        .await
        .unwrap();
    assert_eq!(
        fel(res).await,
        (422, "otillatet_tecken".into(), Some("items[0].text".into()))
    );
    // A bidirectional override (a name shown in another order than it is stored).
    let mut body = case(&s.agreement);
    body["contact"] = json!({"name": "Anna"});
    body["note"] = json!("se bilaga \u{202E}gnp.exe");
    assert_eq!(
        fel(app.post_case(&s.sp1, &body).await).await.1,
        "otillatet_tecken"
    );
    // A form sent with a content type the guard must still read as a form.
    let (fc, fcsrf) = app.login("forbund").await;
    let res = fc
        .post(app.at(&format!("/avtal/{}/bidrag/betalare/2303", s.agreement)))
        .header("content-type", "application/x-www-form-urlencodedX")
        .body(format!("csrf={fcsrf}&orgnr=21%00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Refused by the guard (its message), not only by the number's own check.
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("otillåtet osynligt tecken")
    );
    // An agreement's description of its services, and an e-mail address.
    let a = json!({"organisation_id": app.org_id, "title": "IOP", "reference": "R", "valid_from": "2026-01-01",
                   "parties": ["2303"], "services": "Stöd\u{0}samtal"});
    let (_, code, field) = fel(app.post_agreement(&s.forbund, &a).await).await;
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("otillatet_tecken", Some("services"))
    );
    let mut body = case(&s.agreement);
    body["contact"] = json!({"name": "Anna", "email": "a\u{7}@b.se"});
    let field = fel(app.post_case(&s.sp1, &body).await).await.2.unwrap();
    assert!(field.ends_with("email"), "{field}");
    // A court (one line) and an agreement's title.
    let w = json!({"date": "2026-04-02", "court": "Östersunds\u{7}tingsrätt", "counts": {"vittne": 1}, "hours": 1});
    let res = c
        .post(app.at("/api/v1/witness-support"))
        .bearer_auth(&s.sam)
        .json(&w)
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await.1, "otillatet_tecken");
    let a = json!({"organisation_id": app.org_id, "title": "IOP\u{0}", "reference": "R", "valid_from": "2026-01-01", "parties": ["2303"]});
    let (status, code, field) = fel(app.post_agreement(&s.forbund, &a).await).await;
    assert_eq!(
        (status, code.as_str(), field.as_deref()),
        (422, "otillatet_tecken", Some("title"))
    );
    // In an address: 400 before any lookup, JSON under /api and HTML for a page.
    for path in [
        "/api/v1/cases/%00",
        "/api/v1/cases/a%0Ab",
        "/api/v1/cases?status=%00",
    ] {
        let res = c
            .get(app.at(path))
            .bearer_auth(&s.sam)
            .send()
            .await
            .unwrap();
        assert_eq!(fel(res).await.0, 400, "{path}");
    }
    let (pc, csrf) = app.login("samordnare").await;
    let res = pc.get(app.at("/arenden/%00")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // In a form: 422 with the HTML error page, nothing saved.
    let before = cases(&app).await;
    let res = pc
        .post(app.at("/arenden"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("agreement_id", s.agreement.as_str()),
            ("opened_on", "2026-03-10"),
            ("person_type", "brottsutsatt"),
            ("municipality", "2303"),
            ("first_contact", "polis"),
            ("note", "a\u{0}b"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("otillåtet osynligt tecken")
    );
    assert_eq!(cases(&app).await, before);
}

#[tokio::test]
async fn every_rejection_has_the_contract_s_shape() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    // A path that is not UTF-8.
    let res = c
        .get(app.at("/api/v1/cases/%FF"))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await.0, 400);
    // JSON, and a multipart body without a boundary, to a multipart route.
    let url = app.at("/api/v1/population");
    let res = c
        .post(&url)
        .bearer_auth(&s.forbund)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = fel(res).await;
    assert!(status == 400 || status == 415, "{status}");
    assert!(!code.is_empty());
    let res = c
        .post(&url)
        .bearer_auth(&s.forbund)
        .header("content-type", "multipart/form-data")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await.0, 400);
    // JSON nested a thousand levels, numbers beyond 64 bits, a date that does not exist.
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let res = c
        .post(app.at("/api/v1/cases"))
        .bearer_auth(&s.sp1)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await, (400, "ogiltig_json".into(), None));
    let res = c
        .post(app.at("/api/v1/volunteer-hours"))
        .bearer_auth(&s.sam)
        .header("content-type", "application/json")
        .body(r#"{"month": "2026-04", "kind": "vittnesstod", "hours": 1, "x": 123456789012345678901234567890}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await.0, 400);
    let mut body = case(&s.agreement);
    body["opened_on"] = json!("2026-02-30");
    assert_eq!(
        fel(app.post_case(&s.sp1, &body).await).await.1,
        "ogiltigt_datum"
    );
    // Oversize bodies on a JSON route and a form route: 413, in each one's form.
    let res = c
        .post(app.at("/api/v1/cases"))
        .bearer_auth(&s.sp1)
        .header("content-type", "application/json")
        .body(format!("{{\"note\": \"{}\"}}", "x".repeat(200_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(fel(res).await.0, 413);
    let (pc, csrf) = app.login("samordnare").await;
    let big = "x".repeat(200_000);
    let res = pc
        .post(app.at("/arenden"))
        .form(&[("csrf", csrf.as_str()), ("note", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(cases(&app).await, 0, "nothing half-saved");
}

#[tokio::test]
async fn an_explicit_null_is_an_absent_field() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let d = json!({"body": "kommunfullmaktige", "municipality": "2326", "decided_on": "2025-12-10", "applies_from": "2026-01-01",
                   "paragraph": "§ 1", "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall",
                   "presenter": null});
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/agreements/{}/decisions", s.agreement)))
        .bearer_auth(&s.forbund)
        .json(&d)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let mut c = case(&s.agreement);
    c["consent_contact"] = json!(null);
    c["circumstances"] = json!(null);
    assert_eq!(app.post_case(&s.sp1, &c).await.status(), 201);
}

#[tokio::test]
async fn injection_strings_are_kept_as_text_and_shown_escaped() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let farlig = "'); DROP TABLE cases; -- <script>alert(1)</script>";
    let mut c = case(&s.agreement);
    c["contact"] = json!({"name": "Robert'); DROP TABLE cases;--"});
    c["note"] = json!(farlig);
    let res = app.post_case(&s.sp1, &c).await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Kept verbatim...
    let kontakt: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/cases/{id}/contact")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(kontakt["note"], farlig);
    assert_eq!(cases(&app).await, 1, "the table is still there");
    // ...and shown as text: an agreement titled with markup.
    let a = json!({"organisation_id": app.org_id, "title": "IOP <script>alert(1)</script>", "reference": "R\"><img src=x>",
                   "valid_from": "2026-01-01", "parties": ["2303"]});
    let res = app.post_agreement(&s.forbund, &a).await;
    assert_eq!(res.status(), 201);
    let aid = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (pc, _) = app.login("forbund").await;
    let page = crate::helpers::text(&pc, app.at(&format!("/avtal/{aid}"))).await;
    assert!(!page.contains("<script>alert(1)</script>") && !page.contains("<img src=x>"));
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the title is on the page, escaped"
    );
    // An overlong name is refused, not cut.
    let mut c = case(&s.agreement);
    c["contact"] = json!({"name": "Å".repeat(101)});
    let (status, _, field) = fel(app.post_case(&s.sp1, &c).await).await;
    assert_eq!((status, field.as_deref()), (422, Some("name")));
    // A user name that only looks like another (Cyrillic а, a fullwidth letter) is refused: names
    // are a–z, digits and a few marks, so no two accounts look alike.
    let admin = app.user("admin", boj_domain::Role::Admin).await;
    let t = app.token(&admin).await;
    for namn in ["\u{0430}dmin", "\u{FF41}dmin", "admin\u{200B}"] {
        let body = json!({"name": namn, "role": "kommun", "municipality": "2303", "password": "ett-langt-losenord"});
        let (status, code, _) = fel(app.post_user(&t, &body).await).await;
        assert_eq!((status, code.as_str()), (422, "ogiltigt_namn"), "{namn:?}");
    }
}
