//! The agreement register through HTTP: who sees and changes what, the status board, documents.

use crate::helpers::{TestApp, csrf_in, error_code, spawn_app};
use boj_domain::Role;
use serde_json::{Value, json};

fn agreement(parties: &[&str]) -> Value {
    json!({
        "title": "IOP om brottsofferstöd",
        "reference": "250908 IOP",
        "valid_from": "2026-01-01",
        "valid_to": null,
        "parties": parties,
    })
}

/// A county strategist (Jämtland) with a token, and an agreement of theirs.
async fn setup(app: &TestApp, parties: &[&str]) -> (String, String) {
    let f = app.user("forbund", Role::Forbund).await;
    let t = app.token(&f).await;
    let mut body = agreement(parties);
    body["organisation_id"] = json!(app.org_id);
    let res = app.post_agreement(&t, &body).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    (t, a["id"].as_str().unwrap().to_string())
}

fn decision(kommun: &str, applies_from: &str) -> Value {
    json!({
        "body": "kommunfullmaktige", "municipality": kommun, "decided_on": "2025-12-10",
        "applies_from": applies_from, "paragraph": "§ 140",
        "items": [{"number": "1", "text": "att godkänna överenskommelsen"}], "outcome": "bifall", "presenter": ""
    })
}

#[tokio::test]
async fn the_latest_decision_of_each_party_drives_the_status_board() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303", "2380"]).await;
    let c = TestApp::client();
    let get = || async {
        c.get(app.at(&format!("/api/v1/agreements/{id}")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let a = get().await;
    assert_eq!(a["parties"][0]["status"], "vantar");
    assert!(a["parties"][0]["applies_from"].is_null());
    assert_eq!(a["rule"]["residence_required_for"], json!(["brottsutsatt"]));
    assert_eq!(a["settings"]["threshold"], 5);

    let res = c
        .post(app.at(&format!("/api/v1/agreements/{id}/decisions")))
        .bearer_auth(&t)
        .json(&decision("2380", "2026-02-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let a = get().await;
    let oster = a["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["municipality"] == "2380")
        .unwrap()
        .clone();
    assert_eq!(
        (oster["status"].as_str(), oster["applies_from"].as_str()),
        (Some("beslutad"), Some("2026-02-01"))
    );
    assert_eq!(a["decisions"][0]["items"][0]["number"], "1");

    // A later rejection governs.
    let mut nej = decision("2380", "");
    nej["decided_on"] = json!("2026-06-01");
    nej["outcome"] = json!("avslag");
    nej["applies_from"] = Value::Null;
    assert_eq!(
        c.post(app.at(&format!("/api/v1/agreements/{id}/decisions")))
            .bearer_auth(&t)
            .json(&nej)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let a = get().await;
    assert!(
        a["parties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["municipality"] == "2380" && p["status"] == "avslagen")
    );
}

#[tokio::test]
async fn recording_a_decision_in_the_ui_changes_the_board() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303", "2326"]).await;
    let (c, _) = app.login("forbund").await;
    let page = crate::helpers::text(&c, app.at(&format!("/avtal/{id}"))).await;
    assert!(page.contains("Berg"));
    assert!(page.matches("Väntar på beslut").count() >= 2);
    let csrf = csrf_in(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("body", "kommunfullmaktige"),
        ("municipality", "2326"),
        ("decided_on", "2026-03-02"),
        ("paragraph", "§ 31"),
        ("outcome", "bifall"),
        ("applies_from", "2026-04-01"),
        ("presenter", ""),
        ("punkt1_nr", "1"),
        ("punkt1_text", "att godkänna överenskommelsen"),
    ];
    let res = c
        .post(app.at(&format!("/avtal/{id}/beslut")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = crate::helpers::text(&c, app.at(&format!("/avtal/{id}"))).await;
    assert!(
        page.contains("Beslutad, gäller från 2026-04-01"),
        "the board did not change"
    );
    let a: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/agreements/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        a["parties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["municipality"] == "2326" && p["applies_from"] == "2026-04-01")
    );
    // A decision for a municipality that is not a party is refused with a message, nothing saved.
    let mut bad = form;
    bad[2] = ("municipality", "0114");
    let res = c
        .post(app.at(&format!("/avtal/{id}/beslut")))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("är inte part"));
    // The form comes back as it was filled in, on its own page.
    assert!(page.contains("<h1>Registrera beslut</h1>") && page.contains("value=\"§ 31\""));
    let a: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/agreements/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["decisions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn amendments_are_new_versions_and_old_ones_stay_readable() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303"]).await;
    let mut v2 = agreement(&["2303", "2305"]);
    v2["title"] = json!("IOP om brottsofferstöd, tillägg");
    v2["change_note"] = json!("Bräcke ansluter");
    // A recoding outside the fixed list is refused with the list.
    v2["settings"] = json!({"merged_categories": ["kon_alla"]});
    let (status, code, msg) = error_code(
        TestApp::client()
            .post(app.at(&format!("/api/v1/agreements/{id}/versions")))
            .bearer_auth(&t)
            .json(&v2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "ogiltig_kod"), "{msg}");
    assert!(msg.contains("kon_annat_okant"), "{msg}");
    v2["settings"] = json!({"threshold": 7, "merged_municipalities": ["2303", "2305"], "merged_categories": ["kon_annat_okant"]});
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/agreements/{id}/versions")))
        .bearer_auth(&t)
        .json(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!(
        (a["version"].as_i64(), a["settings"]["threshold"].as_i64()),
        (Some(2), Some(7))
    );
    assert_eq!(
        a["settings"]["merged_categories"],
        json!(["kon_annat_okant"])
    );
    assert_eq!(a["parties"].as_array().unwrap().len(), 2);
    let (c, _) = app.login("forbund").await;
    let old = crate::helpers::text(&c, app.at(&format!("/avtal/{id}/version/1"))).await;
    assert!(old.contains("Du läser version 1"));
    assert!(!old.contains("Bräcke"));
}

#[tokio::test]
async fn municipal_officials_see_only_their_agreements_and_nobody_else_writes() {
    let app = spawn_app().await;
    let (t, ours) = setup(&app, &["2303", "2380"]).await;
    let mut other = agreement(&["2380"]);
    other["organisation_id"] = json!(app.org_id);
    let res = app.post_agreement(&t, &other).await;
    let theirs = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let kommun = app.user("kommun-2303", Role::Kommun).await;
    let kt = app.token(&kommun).await;
    let c = TestApp::client();
    let list: Value = c
        .get(app.at("/api/v1/agreements"))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [ours.as_str()]);
    let (status, code, _) = error_code(
        c.get(app.at(&format!("/api/v1/agreements/{theirs}")))
            .bearer_auth(&kt)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "utanfor_behorighet"));
    let (status, _, _) = error_code(
        c.post(app.at(&format!("/api/v1/agreements/{ours}/decisions")))
            .bearer_auth(&kt)
            .json(&decision("2303", "2026-01-01"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);

    // A strategist of another county neither reads nor writes.
    let other_county = boj_store::users::create(
        &app.store,
        None,
        &boj_domain::Anvandarnamn::parse("forbund-22").unwrap(),
        Role::Forbund,
        &boj_domain::Scope::Lan(boj_domain::Lanskod::parse("22").unwrap()),
        &boj_domain::NyttLosenord::parse(crate::helpers::PASSWORD).unwrap(),
    )
    .await
    .unwrap();
    let ot = app.token(&other_county).await;
    assert_eq!(
        c.get(app.at(&format!("/api/v1/agreements/{ours}")))
            .bearer_auth(&ot)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let list: Value = c
        .get(app.at("/api/v1/agreements"))
        .bearer_auth(&ot)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_changed_document_is_reported_not_served() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303"]).await;
    let c = TestApp::client();
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{id}/decisions")))
        .bearer_auth(&t)
        .json(&decision("2303", "2026-01-01"))
        .send()
        .await
        .unwrap();
    let did = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("title", "Protokoll")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone())
                .file_name("protokoll.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let res = c
        .post(app.at(&format!("/api/v1/decisions/{did}/documents")))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let doc: Value = res.json().await.unwrap();
    let doc_id = doc["id"].as_str().unwrap().to_string();
    let res = c
        .get(app.at(&format!("/api/v1/documents/{doc_id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["x-content-sha256"].to_str().unwrap(),
        doc["sha256"].as_str().unwrap()
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);

    let mut tampered = pdf.clone();
    tampered[10] ^= 1;
    sqlx::query("UPDATE documents SET content = $1 WHERE id = $2")
        .bind(tampered)
        .bind(doc_id.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    let (status, code, message) = error_code(
        c.get(app.at(&format!("/api/v1/documents/{doc_id}")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "dokumentet_ar_andrat"));
    assert!(message.contains("SHA-256"));
    let actions: Vec<String> = boj_store::audit::recent(&app.store, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["dokument.andrat_upptackt"]);
}

#[tokio::test]
async fn bad_agreements_and_uploads_are_refused_and_nothing_is_half_saved() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303"]).await;
    let c = TestApp::client();
    let cases = [
        (
            json!({"valid_from": "2026-01-01", "valid_to": "2025-12-31"}),
            "ogiltigt_datum",
            "före det börjar",
        ),
        (
            json!({"parties": ["2303", "9999"]}),
            "ogiltig_kommunkod",
            "ingen kommunkod",
        ),
        (
            json!({"parties": ["2303", "2303"]}),
            "ogiltig_forfragan",
            "två gånger",
        ),
        (
            json!({"settings": {"threshold": 1}}),
            "ogiltig_forfragan",
            "Röjandetröskeln",
        ),
        (
            json!({"settings": {"merged_municipalities": ["2380"]}}),
            "ogiltig_kommunkod",
            "inte part",
        ),
    ];
    for (patch, want, text) in cases {
        let mut body = agreement(&["2303"]);
        body["organisation_id"] = json!(app.org_id);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, code, message) = error_code(app.post_agreement(&t, &body).await).await;
        assert_eq!((status, code.as_str()), (422, want), "{patch}");
        assert!(message.contains(text), "{message}");
    }
    assert_eq!(boj_store::avtal::list(&app.store).await.unwrap().len(), 1);

    let res = c
        .post(app.at(&format!("/api/v1/agreements/{id}/decisions")))
        .bearer_auth(&t)
        .json(&decision("2303", "2026-01-01"))
        .send()
        .await
        .unwrap();
    let did = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let upload = |bytes: Vec<u8>, name: &str, mime: &str| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        )
    };
    let res = c
        .post(app.at(&format!("/api/v1/decisions/{did}/documents")))
        .bearer_auth(&t)
        .multipart(upload(
            b"<html>inte en pdf</html>".to_vec(),
            "beslut.pdf",
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "ogiltigt_dokument"));
    let res = c
        .post(app.at(&format!("/api/v1/decisions/{did}/documents")))
        .bearer_auth(&t)
        .multipart(upload(
            vec![b'%'; 50 * 1024 * 1024],
            "stor.pdf",
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (413, "for_stor_forfragan"));
    let d = boj_store::avtal::get_decision(&app.store, &did)
        .await
        .unwrap();
    assert!(d.documents.is_empty());
}

#[tokio::test]
async fn the_create_form_registers_an_agreement_and_explains_refusals() {
    let app = spawn_app().await;
    app.user("forbund", Role::Forbund).await;
    let (c, _) = app.login("forbund").await;
    let page = crate::helpers::text(&c, app.at("/avtal/ny")).await;
    let csrf = csrf_in(&page);
    // All eight Jämtland municipalities are offered, and checked, as parties.
    assert_eq!(page.matches("name=\"parties\"").count(), 8);
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("organisation_id", &app.org_id),
        ("title", "IOP Testlän"),
        ("reference", "REF-1"),
        ("valid_from", "2026-01-01"),
        ("valid_to", "2025-06-30"),
        ("parties", "2303"),
        ("parties", "2380"),
        ("target_groups", "brottsutsatt"),
        ("target_groups", "vittne"),
        ("residence_required_for", "brottsutsatt"),
        ("items", "person_type"),
        ("cycle", "halvar"),
        ("deadline_days", "45"),
        ("threshold", "5"),
    ];
    let res = c.post(app.at("/avtal")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("kan inte sluta"), "no explanation");
    assert!(
        page.contains("value=\"IOP Testlän\""),
        "the form lost what was typed"
    );
    assert!(boj_store::avtal::list(&app.store).await.unwrap().is_empty());

    form[5] = ("valid_to", "");
    let res = c.post(app.at("/avtal")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let list = boj_store::avtal::list(&app.store).await.unwrap();
    assert_eq!(list.len(), 1);
    let v = &list[0].version;
    assert_eq!(v.parter.len(), 2);
    assert_eq!(v.settings.rapportcykel, boj_domain::Cykel::Halvar);
    assert_eq!(
        v.settings.malgruppsregel.malgrupper,
        ["brottsutsatt", "vittne"]
    );
}

/// A county strategist manages only agreements whose parties lie in the county (SPEC § 2): neither
/// a new agreement nor an amendment may bring in another county's municipality.
#[tokio::test]
async fn a_strategist_cannot_bring_another_countys_municipality_into_an_agreement() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303", "2380"]).await;
    let mut body = agreement(&["2303", "1280"]);
    body["organisation_id"] = json!(app.org_id);
    let res = app.post_agreement(&t, &body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("utanfor_behorighet"), "{text}");
    let mut amended = agreement(&["2303", "2380", "1280"]);
    amended["change_note"] = json!("Malmö med");
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/agreements/{id}/versions")))
        .bearer_auth(&t)
        .json(&amended)
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_code(res).await;
    assert_eq!((status, code.as_str()), (403, "utanfor_behorighet"));
    let a: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/agreements/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["latest_version"], 1);
}

/// Retention settings have floors, and a change that shortens them takes effect only when a
/// coordinator of the organisation holding the data accepts it (SPEC § 3.2): the county strategist
/// can propose, not erase. Retention runs by the times in force meanwhile.
#[tokio::test]
async fn shortening_retention_waits_for_the_coordinator_and_the_floors_hold() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303"]).await;
    let sam = app.user("samordnare", Role::Samordnare).await;
    let st = app.token(&sam).await;
    let amend = |settings: Value| {
        let mut v = agreement(&["2303"]);
        v["change_note"] = json!("Gallringen ändras");
        v["settings"] = settings;
        let c = TestApp::client();
        let url = app.at(&format!("/api/v1/agreements/{id}/versions"));
        let t = t.clone();
        async move { c.post(url).bearer_auth(&t).json(&v).send().await.unwrap() }
    };
    // Under the floors: refused, nothing saved.
    for s in [
        json!({"contact_retention_days": 0}),
        json!({"contact_retention_days": 6}),
        json!({"inactive_close_days": 1}),
        json!({"inactive_close_days": 29}),
    ] {
        let (status, code, msg) = error_code(amend(s.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "gallring_under_golvet"),
            "{s}: {msg}"
        );
        assert!(msg.contains("minst 7 dagar"), "{msg}");
    }
    let a: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/agreements/{id}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["latest_version"], 1);

    // Shorter, above the floors: the version is saved, its times wait.
    let res = amend(json!({"contact_retention_days": 7, "inactive_close_days": 30})).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["settings"]["contact_retention_days"], 7);
    assert_eq!(
        a["retention"],
        json!({"contact_retention_days": 30, "inactive_close_days": 180, "pending_version": 2})
    );
    // The times in force are what retention runs by: a case quiet for 60 days stays open.
    let sp = app.user("stodperson1", Role::Stodperson).await;
    let spt = app.token(&sp).await;
    let case = app
        .register_case(
            &spt,
            &json!({"agreement_id": id, "opened_on": "2026-09-20", "person_type": "brottsutsatt",
                "municipality": "2303", "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"],
                "circumstances": [], "police_report": "ja", "first_contact": "polis", "informed_11_6": true,
                "consent_contact": false}),
        )
        .await;
    let closed = |case: String| {
        let store = app.store.clone();
        async move {
            boj_store::arenden::get(&store, &case)
                .await
                .unwrap()
                .closed_on
                .is_some()
        }
    };
    boj_store::gallring::run(&app.store).await.unwrap();
    assert!(!closed(case.clone()).await, "closed by times not in force");

    // Only a coordinator of the organisation accepts; the strategist cannot.
    let accept = |token: String, version: i64| {
        let c = TestApp::client();
        let url = app.at(&format!("/api/v1/agreements/{id}/retention/accept"));
        async move {
            c.post(url)
                .bearer_auth(&token)
                .json(&json!({ "version": version }))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(accept(t.clone(), 2).await.status(), 403);
    // Another version than the one waiting is never accepted unseen.
    assert_eq!(accept(st.clone(), 1).await.status(), 409);
    let res = accept(st.clone(), 2).await;
    assert_eq!(res.status(), 200);
    let a: Value = res.json().await.unwrap();
    assert_eq!(
        a["retention"],
        json!({"contact_retention_days": 7, "inactive_close_days": 30, "pending_version": null})
    );
    // Nothing waits any more.
    assert_eq!(accept(st.clone(), 2).await.status(), 409);
    // Now the shorter times apply: the quiet case is closed.
    boj_store::gallring::run(&app.store).await.unwrap();
    assert!(closed(case.clone()).await);

    // Longer times take effect at once; the proposal and the acceptance are audit entries.
    let res = amend(json!({"contact_retention_days": 60, "inactive_close_days": 365})).await;
    let a: Value = res.json().await.unwrap();
    assert_eq!(a["retention"]["pending_version"], Value::Null);
    assert_eq!(a["retention"]["inactive_close_days"], 365);
    let actions: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT actor, action FROM audit_log WHERE action LIKE 'avtal.gallring%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        actions.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>(),
        ["avtal.gallring_vantar", "avtal.gallring_godkand"]
    );
    assert_eq!(actions[1].0.as_deref(), Some(sam.id.as_str()));
}

/// The decision form has its own page with date pickers and takes any number of items: "one more
/// item" gives the form again with a row more and nothing lost; the saved decision is confirmed and
/// the board names it.
#[tokio::test]
async fn a_decision_takes_any_number_of_items_and_is_confirmed() {
    let app = spawn_app().await;
    let (_, id) = setup(&app, &["2303", "2326"]).await;
    let (c, _) = app.login("forbund").await;
    let page = crate::helpers::text(&c, app.at(&format!("/avtal/{id}/beslut/ny"))).await;
    assert!(page.contains(r#"<input id="decided_on" name="decided_on" type="date""#));
    assert!(page.contains(r#"name="punkt3_text""#) && !page.contains(r#"name="punkt4_text""#));
    let csrf = csrf_in(&page);
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf.as_str()),
        ("body", "kommunfullmaktige"),
        ("municipality", "2326"),
        ("decided_on", "2026-03-02"),
        ("paragraph", "§ 31"),
        ("outcome", "bifall"),
        ("applies_from", "2026-04-01"),
        ("presenter", ""),
        ("rader", "3"),
        ("punkt1_nr", "1"),
        ("punkt1_text", "att godkänna överenskommelsen"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut more = form.clone();
    more.push(("fler".into(), "ja".into()));
    let page = c
        .post(app.at(&format!("/avtal/{id}/beslut")))
        .form(&more)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="punkt4_text""#), "a fourth row");
    assert!(
        page.contains(">att godkänna överenskommelsen</textarea>"),
        "nothing lost"
    );
    assert!(page.contains(r#"name="rader" value="4""#));
    // Seven items are seven items.
    form.retain(|(k, _)| k != "rader");
    form.push(("rader".into(), "7".into()));
    for i in 2..=7 {
        form.push((format!("punkt{i}_nr"), i.to_string()));
        form.push((format!("punkt{i}_text"), format!("punkt nummer {i}")));
    }
    let res = c
        .post(app.at(&format!("/avtal/{id}/beslut")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!("/avtal/{id}?sparat=beslut#")),
        "{to}"
    );
    let page = crate::helpers::text(&c, app.at(&to)).await;
    assert!(page.contains("Beslutet är registrerat."));
    assert!(page.contains("punkt nummer 7"));
    let decision = to.split('#').nth(1).unwrap();
    assert!(
        page.contains(&format!(
            "<a href=\"#{decision}\">Kommunfullmäktige § 31, 2026-03-02</a>"
        )),
        "the board links the party's own decision"
    );
}

/// The list of agreements is served from the process's copy while nothing changed, and every kind
/// of change — a decision, a document, a signature, an amendment — is in the next list at once.
#[tokio::test]
async fn the_agreement_list_is_never_stale() {
    let app = spawn_app().await;
    let (t, id) = setup(&app, &["2303", "2326"]).await;
    let c = TestApp::client();
    let list = || {
        let c = c.clone();
        let url = app.at("/api/v1/agreements");
        let t = t.clone();
        async move {
            let v: Value = c
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["items"][0].clone()
        }
    };
    assert_eq!(list().await["decisions"].as_array().unwrap().len(), 0);
    let d = json!({"body": "kommunfullmaktige", "municipality": "2326", "decided_on": "2026-03-02", "applies_from": "2026-04-01",
                   "paragraph": "§ 31", "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall"});
    let res = app.post_decision(&t, &id, &d).await;
    assert_eq!(res.status(), 201);
    let did = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = list().await;
    assert_eq!(a["decisions"].as_array().unwrap().len(), 1, "the decision");
    let form = reqwest::multipart::Form::new()
        .text("title", "Protokoll")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec())
                .file_name("protokoll.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let res = c
        .post(app.at(&format!("/api/v1/decisions/{did}/documents")))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(
        list().await["decisions"][0]["documents"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the document"
    );
    let res = c
        .post(app.at(&format!("/api/v1/decisions/{did}/signatures")))
        .bearer_auth(&t)
        .json(&json!({"method": "e-signatur", "reference": "tx-1", "signers": ["Ordförande"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    assert_eq!(
        list().await["decisions"][0]["signatures"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the signature"
    );
    let mut v2 = agreement(&["2303", "2326"]);
    v2["title"] = json!("IOP, version 2");
    v2["change_note"] = json!("Ny titel");
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{id}/versions")))
        .bearer_auth(&t)
        .json(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    assert_eq!(list().await["title"], "IOP, version 2", "the amendment");
}
