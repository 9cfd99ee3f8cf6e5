//! Grants, population import and invoice bases through HTTP.

use crate::helpers::{TestApp, error_code, spawn_app};
use boj_domain::Role;
use serde_json::{Value, json};

const SCB: &[u8] = include_bytes!("../../demo/scb-folkmangd-jamtland-2024.csv");
const JAMTLAND: [&str; 8] = [
    "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
];

struct Setup {
    token: String,
    id: String,
    decision: String,
}

async fn setup(app: &TestApp) -> Setup {
    setup_med_titel(app, "IOP").await
}

async fn setup_med_titel(app: &TestApp, title: &str) -> Setup {
    let f = app.user("forbund", Role::Forbund).await;
    let token = app.token(&f).await;
    let c = TestApp::client();
    let body = json!({"organisation_id": app.org_id, "title": title, "reference": "REF", "valid_from": "2026-01-01", "parties": JAMTLAND});
    let a: Value = app
        .post_agreement(&token, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = a["id"].as_str().unwrap().to_string();
    let d = json!({"body": "socsam", "municipality": null, "decided_on": "2025-06-02", "applies_from": null, "paragraph": "§ 9",
                   "items": [{"number": "1", "text": "att rekommendera bidrag"}], "outcome": "bifall"});
    let d: Value = c
        .post(app.at(&format!("/api/v1/agreements/{id}/decisions")))
        .bearer_auth(&token)
        .json(&d)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Setup {
        token,
        id,
        decision: d["id"].as_str().unwrap().to_string(),
    }
}

async fn import(app: &TestApp, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("folkmangd.csv"),
    );
    TestApp::client()
        .post(app.at("/api/v1/population"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_grant_is_split_exactly_and_each_municipality_gets_its_invoice_basis() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = import(&app, &s.token, SCB.to_vec()).await;
    assert_eq!(res.status(), 201);
    let imported: Value = res.json().await.unwrap();
    assert_eq!(
        (
            imported["reference_date"].as_str(),
            imported["municipalities"].as_u64()
        ),
        (Some("2024-12-31"), Some(8))
    );

    let c = TestApp::client();
    let grant = json!({"year": 2026, "amount_kr": 731101, "decision_id": s.decision, "key": "befolkning", "schedule": "kvartalsvis"});
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{}/grants", s.id)))
        .bearer_auth(&s.token)
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // The same year again is a conflict naming the existing grant.
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{}/grants", s.id)))
        .bearer_auth(&s.token)
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);

    let kommun = app.user("kommun-2303", Role::Kommun).await;
    let kt = app.token(&kommun).await;
    let alloc: Value = c
        .get(app.at(&format!("/api/v1/agreements/{}/allocation?year=2026", s.id)))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = alloc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows.iter()
            .map(|r| r["amount_kr"].as_u64().unwrap())
            .sum::<u64>(),
        731_101
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["population"].as_u64().unwrap())
            .sum::<u64>(),
        132_839
    );
    for r in rows {
        assert_eq!(
            r["instalments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .sum::<u64>(),
            r["amount_kr"].as_u64().unwrap()
        );
    }

    // Ragunda's invoice basis: a printable page and a CSV for Swedish Excel.
    let (kc, _) = app.login("kommun-2303").await;
    let page = crate::helpers::text(
        &kc,
        app.at(&format!("/avtal/{}/bidrag/2026/underlag/2303", s.id)),
    )
    .await;
    let ragunda = rows.iter().find(|r| r["municipality"] == "2303").unwrap()["amount_kr"]
        .as_u64()
        .unwrap();
    assert!(page.contains("Ragunda kommun (kommunkod 2303)") && page.contains("Delbetalningar"));
    // Payer, payee, what a payment names, and the way back.
    assert!(
        page.contains("<dt>Betalare</dt>")
            && page.contains("<dt>Mottagare</dt><dd>Testjouren</dd>")
    );
    assert!(
        page.contains("<dt>Ange vid betalning</dt><dd><strong>")
            && page.contains("/2026/2303</strong>")
    );
    assert!(page.contains(&format!("href=\"/avtal/{}/bidrag\"", s.id)));
    let csv = kc
        .get(app.at(&format!("/avtal/{}/bidrag/2026/underlag/2303/csv", s.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[1].contains(";2303;Ragunda;2026;"));
    let sum: u64 = lines[1..]
        .iter()
        .map(|l| l.rsplit(';').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, ragunda);
    // The same invoice basis as a PDF, with the amount in its text.
    let res = kc
        .get(app.at(&format!("/avtal/{}/bidrag/2026/underlag/2303/pdf", s.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let text = doc.extract_text(&[1]).unwrap();
    assert!(
        text.contains("Fakturaunderlag 2026")
            && text.contains("Ragunda kommun (kommunkod 2303)")
            && text.contains("Ange vid betalning"),
        "{text}"
    );
    // Another municipality's basis is not for Ragunda's official.
    let res = kc
        .get(app.at(&format!("/avtal/{}/bidrag/2026/underlag/2380/pdf", s.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A later rejection does not change the split that was decided.
    let nej = json!({"body": "kommunfullmaktige", "municipality": "2380", "decided_on": "2026-09-01", "applies_from": null,
                     "paragraph": "§ 7", "items": [{"number": "1", "text": "att avslå"}], "outcome": "avslag"});
    assert_eq!(app.post_decision(&s.token, &s.id, &nej).await.status(), 201);
    let again: Value = c
        .get(app.at(&format!("/api/v1/agreements/{}/allocation?year=2026", s.id)))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["rows"], alloc["rows"]);
    // ...but not Östersund's.
    let res = kc
        .get(app.at(&format!("/avtal/{}/bidrag/2026/underlag/2380", s.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn bad_grants_and_population_files_are_refused() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let post = |body: Value| {
        let c = c.clone();
        let url = app.at(&format!("/api/v1/agreements/{}/grants", s.id));
        let t = s.token.clone();
        async move { error_code(c.post(url).bearer_auth(t).json(&body).send().await.unwrap()).await }
    };
    // Without population figures the population key cannot be used.
    let (status, _, message) =
        post(json!({"year": 2026, "amount_kr": 731101, "decision_id": s.decision})).await;
    assert_eq!(status, 422);
    assert!(message.contains("befolkningsuppgifter"), "{message}");

    // A file that lacks a party: imported, but the split then names the missing municipality.
    let partial: Vec<u8> = SCB
        .split(|b| *b == b'\n')
        .filter(|l| !l.starts_with(b"\"2326"))
        .collect::<Vec<_>>()
        .join(&b'\n');
    assert_eq!(import(&app, &s.token, partial).await.status(), 201);
    let (status, _, message) =
        post(json!({"year": 2026, "amount_kr": 731101, "decision_id": s.decision})).await;
    assert_eq!(status, 422);
    assert!(message.contains("Berg"), "{message}");

    // A broken file is refused whole, with line numbers.
    let (status, code, message) = error_code(
        import(
            &app,
            &s.token,
            b"\"region\",\"2024\"\n\"2303 Ragunda\",-4\n\"9999 X\",3\n".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "ogiltig_fil"));
    assert!(
        message.contains("Rad 2") && message.contains("Rad 3"),
        "{message}"
    );

    assert_eq!(import(&app, &s.token, SCB.to_vec()).await.status(), 201);
    for (body, want) in [
        (
            json!({"year": 2026, "amount_kr": -5, "decision_id": s.decision}),
            "negativt",
        ),
        (
            json!({"year": 2026, "amount_kr": 731101.5, "decision_id": s.decision}),
            "hela kronor",
        ),
        (
            json!({"year": 2026, "amount_kr": 100, "decision_id": s.decision, "key": "fasta_andelar",
                "shares": {"2303": 50, "2305": 10, "2309": 10, "2313": 10, "2321": 10, "2326": 5, "2361": 2, "2380": 2}}),
            "100 %",
        ),
        (
            json!({"year": 2026, "amount_kr": 100, "decision_id": "b_finns_inte"}),
            "Beslutet finns inte",
        ),
    ] {
        let (status, _, message) = post(body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert!(message.contains(want), "{message}");
    }
    let ok = json!({"year": 2026, "amount_kr": 100, "decision_id": s.decision, "key": "fasta_andelar",
                    "shares": {"2303": 12.5, "2305": 12.5, "2309": 12.5, "2313": 12.5, "2321": 12.5, "2326": 12.5, "2361": 12.5, "2380": 12.5}});
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{}/grants", s.id)))
        .bearer_auth(&s.token)
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    assert_eq!(
        a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["amount_kr"].as_u64().unwrap())
            .sum::<u64>(),
        100
    );
}

/// The invoice basis's CSV guards text against spreadsheet formulas with the report CSV's guard
/// (`boj_render::csv_format::saker`): a title given as a formula is text in the file.
#[tokio::test]
async fn the_invoice_basis_csv_guards_every_text_like_the_report_csv() {
    let app = spawn_app().await;
    let s = setup_med_titel(&app, "\t=HYPERLINK(\"https://example.org\")").await;
    assert_eq!(import(&app, &s.token, SCB.to_vec()).await.status(), 201);
    let grant = json!({"year": 2026, "amount_kr": 731101, "decision_id": s.decision, "key": "befolkning", "schedule": "kvartalsvis"});
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/agreements/{}/grants", s.id)))
        .bearer_auth(&s.token)
        .json(&grant)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(status, 201, "{}", res.text().await.unwrap());
    app.user("kommun-2303", Role::Kommun).await;
    let (kc, _) = app.login("kommun-2303").await;
    let csv = kc
        .get(app.at(&format!("/avtal/{}/bidrag/2026/underlag/2303/csv", s.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let rad = text.lines().nth(1).unwrap();
    let falt = rad.split(';').next().unwrap();
    assert!(
        falt.trim_start_matches('"').starts_with('\''),
        "the title is guarded: {rad}"
    );
}

/// A county strategist imports the population of their own county: a file of another county's
/// municipalities is refused, and nothing is stored.
#[tokio::test]
async fn a_strategist_imports_only_their_own_countys_population() {
    let app = spawn_app().await;
    let skane = boj_domain::Scope::Lan(boj_domain::Lanskod::parse("12").unwrap());
    let f = app.user_in("forbund-skane", Role::Forbund, skane).await;
    let t = app.token(&f).await;
    let (status, code, _) = error_code(import(&app, &t, SCB.to_vec()).await).await;
    assert_eq!((status, code.as_str()), (422, "ogiltig_fil"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM population")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn the_payer_s_organisation_number_is_entered_once_and_named_on_its_invoice_basis() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    assert_eq!(import(&app, &s.token, SCB.to_vec()).await.status(), 201);
    let c = TestApp::client();
    let grant = json!({"year": 2026, "amount_kr": 731101, "decision_id": s.decision});
    let res = c
        .post(app.at(&format!("/api/v1/agreements/{}/grants", s.id)))
        .bearer_auth(&s.token)
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let put = |kod: &str, token: &str, body: Value| {
        c.put(app.at(&format!("/api/v1/agreements/{}/parties/{kod}/orgnr", s.id)))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    let kommun = app.user("kommun-2303", Role::Kommun).await;
    let kt = app.token(&kommun).await;
    // Before: the payer is named by name and code alone.
    let (kc, _) = app.login("kommun-2303").await;
    let underlag = format!("/avtal/{}/bidrag/2026/underlag/2303", s.id);
    let page = crate::helpers::text(&kc, app.at(&underlag)).await;
    assert!(page.contains("<dt>Betalare</dt><dd>Ragunda kommun (kommunkod 2303)</dd>"));
    // A wrong check digit, a municipality that is no party, and a municipal official are refused.
    let (status, code, _) = error_code(
        put("2303", &s.token, json!({"orgnr": "212000-2412"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (422, "ogiltigt_organisationsnummer")
    );
    let res = put("1480", &s.token, json!({"orgnr": "212000-2411"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "orgnr");
    assert_eq!(
        put("2303", &kt, json!({"orgnr": "212000-2411"}))
            .await
            .unwrap()
            .status(),
        403
    );
    // Entered by the county strategist: the page, the PDF and the grants page say it.
    let res = put("2303", &s.token, json!({"orgnr": "2120002411"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["orgnr"], "212000-2411");
    let page = crate::helpers::text(&kc, app.at(&underlag)).await;
    assert!(page.contains(
        "<dt>Betalare</dt><dd>Ragunda kommun (kommunkod 2303, organisationsnummer 212000-2411)</dd>"
    ));
    let pdf = kc
        .get(app.at(&format!("{underlag}/pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = lopdf::Document::load_mem(&pdf)
        .unwrap()
        .extract_text(&[1])
        .unwrap();
    assert!(text.contains("212000-2411"), "{text}");
    // Through the grants page's form: removed again with an empty field, with a confirmation.
    let (fc, csrf) = app.login("forbund").await;
    let res = fc
        .post(app.at(&format!("/avtal/{}/bidrag/betalare/2303", s.id)))
        .form(&[("csrf", csrf.as_str()), ("orgnr", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let page = crate::helpers::text(&fc, app.at(&to)).await;
    assert!(page.contains("Organisationsnumret är sparat"));
    let page = crate::helpers::text(&kc, app.at(&underlag)).await;
    assert!(page.contains("<dt>Betalare</dt><dd>Ragunda kommun (kommunkod 2303)</dd>"));
    // A bad number in the form keeps the page, with the message.
    let res = fc
        .post(app.at(&format!("/avtal/{}/bidrag/betalare/2303", s.id)))
        .form(&[("csrf", csrf.as_str()), ("orgnr", "12")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("inget giltigt organisationsnummer")
    );
    // Every change is in the audit trail under the agreement and the municipality.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'avtal.betalarens_orgnr' AND object = $1",
    )
    .bind(format!("{}/2303", s.id))
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(n, 2);
}
