//! Intake and the support log through HTTP.

use crate::helpers::{TestApp, error_code, spawn_app};
use boj_domain::Role;
use serde_json::{Value, json};
use sqlx::Row;

pub(crate) struct Setup {
    pub(crate) agreement: String,
    pub(crate) forbund: String,
    pub(crate) sp1: String,
    pub(crate) sp2: String,
    pub(crate) sam: String,
}

/// Jämtland-like: an agreement with Ragunda and Östersund decided from 2026-01-01, Berg pending.
pub(crate) async fn setup(app: &TestApp) -> Setup {
    let f = app.user("forbund", Role::Forbund).await;
    let forbund = app.token(&f).await;
    let c = TestApp::client();
    let body = json!({"organisation_id": app.org_id, "title": "IOP", "reference": "REF", "valid_from": "2026-01-01", "parties": ["2303", "2326", "2380"]});
    let a: Value = app
        .post_agreement(&forbund, &body)
        .await
        .json()
        .await
        .unwrap();
    let agreement = a["id"].as_str().unwrap().to_string();
    for k in ["2303", "2380"] {
        let d = json!({"body": "kommunfullmaktige", "municipality": k, "decided_on": "2025-12-10", "applies_from": "2026-01-01",
                       "paragraph": "§ 1", "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall"});
        assert_eq!(
            c.post(app.at(&format!("/api/v1/agreements/{agreement}/decisions")))
                .bearer_auth(&forbund)
                .json(&d)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
    }
    let sp1 = app.user("stodperson1", Role::Stodperson).await;
    let sp2 = app.user("stodperson2", Role::Stodperson).await;
    let sam = app.user("samordnare", Role::Samordnare).await;
    Setup {
        agreement,
        forbund,
        sp1: app.token(&sp1).await,
        sp2: app.token(&sp2).await,
        sam: app.token(&sam).await,
    }
}

fn case(agreement: &str, municipality: &str) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": "2026-03-10", "person_type": "brottsutsatt", "municipality": municipality,
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": ["nara_relation"],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    })
}

#[tokio::test]
async fn a_volunteer_registers_anonymous_and_consented_cases_and_works_on_them() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    // Anonymous: the default path.
    let res = app.post_case(&s.sp1, &case(&s.agreement, "2303")).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["eligibility"]["status"], "inom");
    let anon = created["id"].as_str().unwrap().to_string();

    // With consent and contact details; a victim from Berg, whose decision is pending.
    let mut with = case(&s.agreement, "2326");
    with["consent_contact"] = json!(true);
    with["contact"] = json!({"name": "Anna", "phone": "070-123 45 67"});
    with["note"] = json!("Ring efter lunch");
    let created: Value = app.post_case(&s.sp1, &with).await.json().await.unwrap();
    assert_eq!(created["eligibility"]["status"], "utanfor");
    assert_eq!(
        created["eligibility"]["reasons"][0]["code"],
        "part_ej_beslutat"
    );
    assert!(
        created["eligibility"]["reasons"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Berg")
    );
    let cid = created["id"].as_str().unwrap().to_string();

    // The case itself never carries the contact details; the contact endpoint does, and is audited.
    let got: Value = c
        .get(app.at(&format!("/api/v1/cases/{cid}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["has_contact"], true);
    assert!(!got.to_string().contains("Anna"));
    let contact: Value = c
        .get(app.at(&format!("/api/v1/cases/{cid}/contact")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (contact["name"].as_str(), contact["note"].as_str()),
        (Some("Anna"), Some("Ring efter lunch"))
    );
    let last = boj_store::audit::recent(&app.store, 1).await.unwrap();
    assert_eq!(
        (last[0].action.as_str(), last[0].object.as_deref()),
        ("arende.kontaktuppgifter_lasta", Some(cid.as_str()))
    );
    // ...and nothing of it is stored in the clear.
    let raw: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM case_contacts WHERE case_id = $1")
        .bind(cid.clone())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(!raw.windows(4).any(|w| w == b"Anna"));

    // Activities, then closing.
    let act = json!({"date": "2026-03-11", "kind": "stodsamtal", "mode": "telefon", "minutes": 40});
    assert_eq!(
        c.post(app.at(&format!("/api/v1/cases/{anon}/activities")))
            .bearer_auth(&s.sp1)
            .json(&act)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        c.post(app.at(&format!("/api/v1/cases/{anon}/close")))
            .bearer_auth(&s.sp1)
            .json(&json!({"closed_on": "2026-03-12"}))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let open: Value = c
        .get(app.at("/api/v1/cases?status=open"))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open["items"].as_array().unwrap().len(), 1);

    // Consent withdrawn: erased at once.
    assert_eq!(
        c.delete(app.at(&format!("/api/v1/cases/{cid}/contact")))
            .bearer_auth(&s.sp1)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{cid}/contact")))
            .bearer_auth(&s.sp1)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_keys")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(keys, 0);

    // When Berg decides, the case's eligibility follows (judged again in the background).
    app.post_decision(&s.forbund, &s.agreement, &berg_beslutar())
        .await;
    app.omprova().await;
    let got: Value = c
        .get(app.at(&format!("/api/v1/cases/{cid}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["eligibility"]["status"], "inom");
}

#[tokio::test]
async fn only_the_assigned_volunteer_and_coordinators_see_a_case() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let created: Value = app
        .post_case(&s.sp1, &case(&s.agreement, "2380"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let (status, code, _) = error_code(
        c.get(app.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&s.sp2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "utanfor_behorighet"));
    // The probe leaves a trace: who, and which case — nothing else.
    let (actor, object): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT actor, object FROM audit_log WHERE action = 'atkomst.nekad' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let sp2 = boj_store::users::by_name(&app.store, "stodperson2")
        .await
        .unwrap();
    assert_eq!(actor.as_deref(), Some(sp2.id.as_str()));
    assert_eq!(object.as_deref(), Some(id.as_str()));
    // A refusal at the route's gate is audited the same way.
    let (status, _, _) = error_code(
        c.get(app.at("/api/v1/users"))
            .bearer_auth(&s.sp2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    let object: Option<String> = sqlx::query_scalar(
        "SELECT object FROM audit_log WHERE action = 'atkomst.nekad' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(object.as_deref(), Some("/api/v1/users"));
    let list: Value = c
        .get(app.at("/api/v1/cases"))
        .bearer_auth(&s.sp2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&s.sam)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for (name, role) in [("kommun-2303", Role::Kommun), ("admin", Role::Admin)] {
        let u = app.user(name, role).await;
        let t = app.token(&u).await;
        let (status, code, _) = error_code(
            c.get(app.at(&format!("/api/v1/cases/{id}")))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, code.as_str()), (403, "forbjuden_atgard"), "{name}");
    }
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&s.forbund)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A volunteer cannot hand a case over; a coordinator can.
    let sp2_id = boj_store::users::by_name(&app.store, "stodperson2")
        .await
        .unwrap()
        .id;
    let (status, _, _) = error_code(
        c.patch(app.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&s.sp1)
            .json(&json!({"assignee": sp2_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    let res = c
        .patch(app.at(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&s.sam)
        .json(&json!({"assignee": sp2_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{id}")))
            .bearer_auth(&s.sp2)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn bad_case_input_is_refused_and_nothing_is_half_saved() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let post = |body: Value| {
        let c = c.clone();
        let url = app.at("/api/v1/cases");
        let t = s.sp1.clone();
        async move { error_code(c.post(url).bearer_auth(t).json(&body).send().await.unwrap()).await }
    };
    let mut unknown = case(&s.agreement, "2380");
    unknown["crime_types"] = json!(["inbrott"]);
    assert_eq!(post(unknown).await.1, "ogiltig_kod");
    let mut pnr = case(&s.agreement, "2380");
    pnr["consent_contact"] = json!(true);
    pnr["note"] = json!("hennes pnr är 811218-9876");
    assert_eq!(post(pnr).await.1, "personnummer_i_fritext");
    let mut no_consent = case(&s.agreement, "2380");
    no_consent["contact"] = json!({"phone": "070-123 45 67"});
    let (status, _, message) = post(no_consent).await;
    assert_eq!(status, 422);
    assert!(message.contains("samtycke"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);

    let created: Value = app
        .post_case(&s.sp1, &case(&s.agreement, "2380"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    for minutes in [-1, 1441] {
        let act = json!({"date": "2026-03-11", "kind": "stodsamtal", "mode": "telefon", "minutes": minutes});
        let (status, _, _) = error_code(
            c.post(app.at(&format!("/api/v1/cases/{id}/activities")))
                .bearer_auth(&s.sp1)
                .json(&act)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422);
    }
    let (status, code, _) = error_code(
        c.post(app.at(&format!("/api/v1/cases/{id}/close")))
            .bearer_auth(&s.sp1)
            .json(&json!({"closed_on": "2026-03-01"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "ogiltigt_datum"));
    c.post(app.at(&format!("/api/v1/cases/{id}/close")))
        .bearer_auth(&s.sp1)
        .json(&json!({"closed_on": "2026-03-12"}))
        .send()
        .await
        .unwrap();
    let act = json!({"date": "2026-03-13", "kind": "stodsamtal", "mode": "telefon", "minutes": 10});
    let (status, _, message) = error_code(
        c.post(app.at(&format!("/api/v1/cases/{id}/activities")))
            .bearer_auth(&s.sp1)
            .json(&act)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(message.contains("avslutat"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activities")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Dates after today are refused: they would hold off retention.
    let created: Value = app
        .post_case(&s.sp1, &case(&s.agreement, "2380"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let act = json!({"date": "2099-01-01", "kind": "stodsamtal", "mode": "telefon", "minutes": 10});
    let (status, code, _) = error_code(
        c.post(app.at(&format!("/api/v1/cases/{id}/activities")))
            .bearer_auth(&s.sp1)
            .json(&act)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "ogiltigt_datum"));
    let (status, _, _) = error_code(
        c.post(app.at(&format!("/api/v1/cases/{id}/close")))
            .bearer_auth(&s.sp1)
            .json(&json!({"closed_on": "2099-01-01"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn coordinators_record_witness_support_and_volunteer_hours() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let w = json!({"date": "2026-04-02", "court": "Östersunds tingsrätt", "counts": {"vittne": 3, "malsagande": 1}, "hours": 6.5});
    assert_eq!(
        c.post(app.at("/api/v1/witness-support"))
            .bearer_auth(&s.sam)
            .json(&w)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        c.post(app.at("/api/v1/witness-support"))
            .bearer_auth(&s.sp1)
            .json(&w)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let h = json!({"month": "2026-04", "kind": "vittnesstod", "hours": 12.25});
    assert_eq!(
        c.post(app.at("/api/v1/volunteer-hours"))
            .bearer_auth(&s.sam)
            .json(&h)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let bad = json!({"month": "2026-13", "kind": "vittnesstod", "hours": 1});
    assert_eq!(
        error_code(
            c.post(app.at("/api/v1/volunteer-hours"))
                .bearer_auth(&s.sam)
                .json(&bad)
                .send()
                .await
                .unwrap()
        )
        .await
        .0,
        422
    );
}

#[tokio::test]
async fn the_intake_form_registers_a_case_and_shows_the_answer_at_once() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (c, csrf) = app.login("stodperson1").await;
    let page = crate::helpers::text(&c, app.at("/arenden/nytt")).await;
    assert!(page.contains("Inga frågor om behov"));
    let form = [
        ("csrf", csrf.as_str()),
        ("agreement_id", s.agreement.as_str()),
        ("opened_on", "2026-03-10"),
        ("person_type", "brottsutsatt"),
        ("municipality", "utlandet"),
        ("gender", "man"),
        ("age_band", "45-64"),
        ("crime_types", "ran"),
        ("police_report", "ja"),
        ("first_contact", "polis"),
        ("informed_11_6", "ja"),
    ];
    let res = c.post(app.at("/arenden")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let page = crate::helpers::text(&c, app.at(&to)).await;
    assert!(page.contains("Utanför överenskommelsen"), "no answer shown");
    assert!(page.contains("bor utomlands"));
    // A personnummer in the note is refused, and the form keeps what was typed.
    let mut bad: Vec<(&str, &str)> = form.to_vec();
    bad.extend([
        ("consent_contact", "ja"),
        ("note", "pnr 811218-9876"),
        ("name", "Olle"),
    ]);
    let res = c.post(app.at("/arenden")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("personnummer"));
    assert!(page.contains("value=\"Olle\""));
    let list = crate::helpers::text(&c, app.at("/arenden")).await;
    assert!(list.contains(">1 ärende<"));
}

#[tokio::test]
async fn retention_closes_inactive_cases_and_shreds_expired_details_from_the_files() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    // A case that keeps its details, so that the erased ones share their pages with live rows
    // (an emptied page at a table's end is simply cut off, which would prove nothing).
    let mut live = case(&s.agreement, "2380");
    live["opened_on"] = json!("2026-11-26");
    live["consent_contact"] = json!(true);
    live["contact"] = json!({"name": "Kvarvarande Person", "phone": "070-111 22 33"});
    let live: Value = app.post_case(&s.sp1, &live).await.json().await.unwrap();
    let live_sealed: Vec<u8> =
        sqlx::query_scalar("SELECT sealed FROM case_contacts WHERE case_id = $1")
            .bind(live["id"].as_str().unwrap().to_string())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    // Opened today (2026-11-26) with consent, then closed today.
    let mut body = case(&s.agreement, "2380");
    body["opened_on"] = json!("2026-11-26");
    body["consent_contact"] = json!(true);
    body["contact"] = json!({"name": "Unikanamnet Testsson", "phone": "070-765 43 21"});
    let created: Value = app.post_case(&s.sp1, &body).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    c.post(app.at(&format!("/api/v1/cases/{id}/close")))
        .bearer_auth(&s.sp1)
        .json(&json!({"closed_on": "2026-11-26"}))
        .send()
        .await
        .unwrap();
    // An old case without activity since March.
    let old: Value = app
        .post_case(&s.sp1, &case(&s.agreement, "2303"))
        .await
        .json()
        .await
        .unwrap();
    let old = old["id"].as_str().unwrap().to_string();
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM case_contacts WHERE case_id = $1")
        .bind(id.clone())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let wrapped: Vec<u8> = sqlx::query_scalar("SELECT wrapped FROM case_keys WHERE case_id = $1")
        .bind(id.clone())
        .fetch_one(app.store.pool())
        .await
        .unwrap();

    // On PostgreSQL the details are put in the tables' files now, so that the search at the end
    // would find them if erasure left them there.
    if crate::helpers::pg_url().is_some() {
        sqlx::query("CHECKPOINT")
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let first = boj_store::gallring::run(&app.store).await.unwrap();
    assert_eq!(
        first,
        boj_store::gallring::Utfall {
            stangda: 1,
            gallrade: 0,
            rensat: true,
            upptagen: false,
        }
    );
    let got: Value = c
        .get(app.at(&format!("/api/v1/cases/{old}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["closed_on"], "2026-11-26");
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{id}/contact")))
            .bearer_auth(&s.sp1)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A reason with an exact day (as "… gäller från …" reads), to see it go at erasure.
    sqlx::query("UPDATE cases SET eligibility_reasons = $1 WHERE id = $2")
        .bind(r#"["Kommunens beslut gäller från 2026-02-17."]"#)
        .bind(old.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 31));
    let second = boj_store::gallring::run(&app.store).await.unwrap();
    assert_eq!(second.gallrade, 2);
    assert!(second.rensat);
    // No exact day of either case remains anywhere in its rows (SPEC § 3.2): every date is the
    // first of its month, every moment the first second of its month in Sweden, and the reasons
    // name months only.
    for case in [&id, &old] {
        let r = sqlx::query("SELECT opened_on, closed_on, last_activity_on, registered_at, erased_at, eligibility_reasons FROM cases WHERE id = $1")
            .bind(case.to_string())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        let mut dates: Vec<String> = vec![r.get("opened_on"), r.get("last_activity_on")];
        dates.push(r.get::<Option<String>, _>("closed_on").unwrap());
        let mut moments: Vec<i64> = vec![r.get("registered_at")];
        moments.push(r.get::<Option<i64>, _>("erased_at").unwrap());
        let reasons: String = r.get("eligibility_reasons");
        for a in sqlx::query("SELECT date, registered_at FROM activities WHERE case_id = $1")
            .bind(case.to_string())
            .fetch_all(app.store.pool())
            .await
            .unwrap()
        {
            dates.push(a.get("date"));
            moments.push(a.get("registered_at"));
        }
        for d in &dates {
            assert!(d.ends_with("-01"), "{case}: date {d}");
        }
        let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
        for m in &moments {
            let z = jiff::Timestamp::from_second(*m)
                .unwrap()
                .to_zoned_datetime(tz.clone());
            assert_eq!(
                (z.day(), z.hour(), z.minute(), z.second()),
                (1, 0, 0, 0),
                "{case}: moment {z}"
            );
        }
        let exact = reasons.as_bytes().windows(10).any(|w| {
            w[4] == b'-'
                && w[7] == b'-'
                && w.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        });
        assert!(!exact, "{case}: reasons {reasons}");
    }
    let reasons: String = sqlx::query_scalar("SELECT eligibility_reasons FROM cases WHERE id = $1")
        .bind(old.clone())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(reasons.contains("gäller från 2026-02."), "{reasons}");
    assert_eq!(
        c.get(app.at(&format!("/api/v1/cases/{id}/contact")))
            .bearer_auth(&s.sp1)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let got: Value = c
        .get(app.at(&format!("/api/v1/cases/{old}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (got["opened_on"].as_str(), got["closed_on"].as_str()),
        (Some("2026-03-01"), Some("2026-11-01"))
    );
    assert_eq!(got["eligibility"]["status"], "inom");
    assert_eq!(
        boj_store::gallring::run(&app.store).await.unwrap(),
        boj_store::gallring::Utfall {
            rensat: true,
            ..Default::default()
        },
        "a second run changes nothing"
    );

    // On SQLite: neither the ciphertext, nor the wrapped key, nor the plaintext is left in the files.
    if crate::helpers::pg_url().is_none() {
        let mut bytes = Vec::new();
        for f in ["boj.sqlite", "boj.sqlite-wal"] {
            if let Ok(b) = std::fs::read(app.data_dir().join(f)) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 10_000, "read the database files");
        let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(
            !contains(&sealed[25..57]),
            "the ciphertext is still in the files"
        );
        assert!(
            !contains(&wrapped[25..57]),
            "the wrapped data key is still in the files"
        );
        assert!(!contains(b"Unikanamnet"));
    } else {
        // On PostgreSQL: the files of the two tables that held them, as the server keeps them
        // (read where the server runs on this machine and the tests may read its directory, as in
        // CI). What this covers and does not — the server's write-ahead log keeps old pages until
        // it recycles them — is stated in SECURITY.md.
        sqlx::query("CHECKPOINT")
            .execute(app.store.pool())
            .await
            .unwrap();
        let dir: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        if std::path::Path::new(&dir).is_dir() {
            let mut bytes = Vec::new();
            for t in ["case_contacts", "case_keys"] {
                let rel: String = sqlx::query_scalar("SELECT pg_relation_filepath($1)")
                    .bind(t)
                    .fetch_one(app.store.pool())
                    .await
                    .unwrap();
                bytes.extend(std::fs::read(std::path::Path::new(&dir).join(&rel)).unwrap());
            }
            let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
            // The search finds what is there: the live case's details.
            assert!(
                contains(&live_sealed[25..57]),
                "the search reads the right files"
            );
            assert!(
                !contains(&sealed[25..57]),
                "the ciphertext is in the table's file"
            );
            assert!(
                !contains(&wrapped[25..57]),
                "the wrapped key is in the table's file"
            );
        } else {
            eprintln!(
                "PostgreSQL's data directory {dir} is not on this machine: its files are not searched"
            );
        }
    }
}

#[tokio::test]
async fn corrections_recompute_eligibility_and_the_preview_records_nothing() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let preview = json!({"agreement_id": s.agreement, "opened_on": "2026-03-10", "person_type": "brottsutsatt", "municipality": "2326"});
    let res = c
        .post(app.at("/api/v1/eligibility"))
        .bearer_auth(&s.sp1)
        .json(&preview)
        .send()
        .await
        .unwrap();
    let b: Value = res.json().await.unwrap();
    assert_eq!(
        (b["status"].as_str(), b["reasons"][0]["code"].as_str()),
        (Some("utanfor"), Some("part_ej_beslutat"))
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);

    let created: Value = app
        .post_case(&s.sp1, &case(&s.agreement, "2326"))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let (sam, csrf) = app.login("samordnare").await;
    let page = crate::helpers::text(&sam, app.at(&format!("/arenden/{id}/ratta"))).await;
    assert!(page.contains("Rätta ärendets uppgifter"));
    let form = [
        ("csrf", csrf.as_str()),
        ("opened_on", "2026-03-10"),
        ("person_type", "brottsutsatt"),
        ("municipality", "2380"),
        ("gender", "kvinna"),
        ("age_band", "25-44"),
        ("crime_types", "misshandel"),
        ("police_report", "ja"),
        ("first_contact", "polis"),
    ];
    assert_eq!(
        sam.post(app.at(&format!("/arenden/{id}/ratta")))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let got: Value = c
        .get(app.at(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            got["municipality"].as_str(),
            got["eligibility"]["status"].as_str()
        ),
        (Some("2380"), Some("inom"))
    );

    let w = [
        ("csrf", csrf.as_str()),
        ("date", "2026-04-02"),
        ("court", "Östersunds tingsrätt"),
        ("vittne", "2"),
        ("malsagande", "1"),
        ("anhorig_van", "0"),
        ("tilltalad", "0"),
        ("hours", "4,5"),
    ];
    let res = sam
        .post(app.at("/verksamhet/vittnesstod"))
        .form(&w)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("registrerat"));
    let hundredths: i64 = sqlx::query_scalar("SELECT hundredths FROM witness_support")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(hundredths, 450);
}

#[tokio::test]
async fn concurrent_registrations_share_commits_and_one_bad_case_fails_alone() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let a = boj_store::avtal::get(&app.store, &s.agreement)
        .await
        .unwrap();
    let keys = boj_store::nycklar::Nyckelring::create_or_load(app.data_dir()).unwrap();
    let keys = std::sync::Arc::new(keys);
    let sp = boj_store::users::by_name(&app.store, "stodperson1")
        .await
        .unwrap()
        .id;
    let revision = boj_store::avtal::snapshot(&app.store, &s.agreement)
        .await
        .unwrap()
        .revision;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (store, keys, a, sp) = (app.store.clone(), keys.clone(), a.clone(), sp.clone());
        tasks.push(tokio::spawn(async move {
            let items = boj_domain::arende::Statistik {
                person: boj_domain::kod::PersonTyp::Vittne,
                hem: boj_domain::kod::Hemkommun::Okand,
                kon: boj_domain::kod::Kon::Okant,
                alder: boj_domain::kod::Aldersgrupp::Okand,
                brott: vec![boj_domain::kod::Brottstyp::Okant],
                omstandigheter: vec![],
                polis: boj_domain::kod::Polisanmalan::Okant,
                forsta_kontakt: boj_domain::kod::ForstaKontakt::Sjalv,
                informerad_11_6: false,
            };
            let b = boj_domain::bedomning::Bedomning {
                status: boj_domain::bedomning::Status::Inom,
                skal: vec![],
                forklaring: String::new(),
            };
            // Case 7 names a support person who does not exist: its insert fails on the foreign key.
            let assignee = if i == 7 {
                "u_finns_inte".to_string()
            } else {
                sp
            };
            let n = boj_store::arenden::NyttArende {
                agreement_id: &a.id,
                organisation_id: &a.organisation_id,
                opened_on: boj_domain::Datum::parse("2026-05-05").unwrap(),
                items: &items,
                assignee: Some(&assignee),
                eligibility: &b,
                revision,
                contact: None,
            };
            boj_store::arenden::create(&store, &keys, None, &n)
                .await
                .map_err(|e| e.to_string())
        }));
    }
    let mut ok = 0;
    let mut fel = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => fel.push(e),
        }
    }
    // Only the bad case is refused, for its own reason.
    assert_eq!(ok, 39, "refused: {fel:?}");
    assert!(
        fel[0].contains("FOREIGN KEY") || fel[0].contains("foreign key"),
        "{fel:?}"
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 39);
    boj_store::audit::verify(&app.store, &app.audit_key())
        .await
        .unwrap();
}

/// Intake judges cases on an in-memory copy of the agreement. When another instance sharing the
/// database records a decision (simulated here by its SQL, which this instance's cache never hears
/// of), the next case must still be judged under that decision: the writer compares the agreement's
/// revision inside its transaction, refuses the stale judgement, and the case is judged again.
#[tokio::test]
async fn a_decision_recorded_by_another_instance_is_not_missed_by_the_cached_agreement() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let register = |m: &'static str| {
        c.post(app.at("/api/v1/cases"))
            .bearer_auth(&s.sp1)
            .json(&case(&s.agreement, m))
            .send()
    };
    let before: Value = register("2326").await.unwrap().json().await.unwrap();
    // Berg has not decided yet: outside, for that reason.
    assert_eq!(before["eligibility"]["status"], "utanfor");
    // Another instance records Berg's approval: its decision row and the revision bump.
    let pool = app.store.pool();
    sqlx::query(
        "INSERT INTO decisions (id, agreement_id, seq, body, municipality, decided_on, applies_from, paragraph, outcome, \
         presenter, sample, recorded_at, recorded_by) \
         VALUES ('b_annan', $1, 99, 'kommunfullmaktige', '2326', '2025-12-10', '2026-01-01', '§ 9', 'bifall', '', 0, $2, NULL)",
    )
    .bind(s.agreement.clone())
    .bind(app.store.now())
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE agreements SET revision = revision + 1 WHERE id = $1")
        .bind(s.agreement.clone())
        .execute(pool)
        .await
        .unwrap();
    let res = register("2326").await.unwrap();
    assert_eq!(res.status(), 201);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["eligibility"]["status"], "inom");
}

/// One rule decides which status a case holds (SPEC § 3.2): a case counted in an issued report
/// keeps the status it was reported with when a decision changes, and the API, the case page and a
/// reassignment through the page all agree on it.
#[tokio::test]
async fn a_reported_case_keeps_its_status_on_every_path() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // Berg has not decided: its resident's case is outside the agreement when the first quarter
    // is issued.
    let id = app.register_case(&s.sp1, &case(&s.agreement, "2326")).await;
    let fore = app.case_status(&s.sam, &id).await;
    assert_ne!(fore, "inom");
    assert_eq!(
        app.issue(&s.sam, &s.agreement, "2026-Q1").await.status(),
        201
    );
    // Berg decides: a case not yet reported would now be within the agreement; this one was
    // reported outside it and stays so until a corrected edition.
    let res = app
        .post_decision(&s.forbund, &s.agreement, &berg_beslutar())
        .await;
    assert_eq!(res.status(), 201);
    app.omprova().await;
    assert_eq!(app.case_status(&s.sam, &id).await, fore);
    // The case page shows the same status as the API, not a live judgement.
    let (pc, csrf) = app.login("samordnare").await;
    let page = crate::helpers::text(&pc, app.at(&format!("/arenden/{id}"))).await;
    let etikett = boj_domain::bedomning::Status::parse(&fore).unwrap().label();
    assert!(page.contains(etikett), "{page}");
    assert!(!page.contains("Inom överenskommelsen"), "{page}");
    // Handing the case over through the page keeps it too.
    let sp2 = boj_store::users::by_name(&app.store, "stodperson2")
        .await
        .unwrap()
        .id;
    let res = pc
        .post(app.at(&format!("/arenden/{id}/tilldela")))
        .form(&[("csrf", csrf.as_str()), ("assignee", sp2.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(app.case_status(&s.sam, &id).await, fore);
    assert_eq!(
        boj_store::arenden::get(&app.store, &id)
            .await
            .unwrap()
            .assignee
            .as_deref(),
        Some(sp2.as_str())
    );
}

/// Berg's council approves the agreement, from 2026-03-01.
fn berg_beslutar() -> Value {
    json!({"body": "kommunfullmaktige", "municipality": "2326", "decided_on": "2026-03-20", "applies_from": "2026-03-01",
           "paragraph": "§ 2", "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall"})
}

/// The request that records a decision does not judge the cases again (SPEC § 2: its response
/// time would grow with the cases whose status changes, a live count): its transaction records
/// the request, and the cases are judged in the background, each change with its audit entry.
#[tokio::test]
async fn a_decision_leaves_judging_the_cases_to_the_background() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let id = app.register_case(&s.sp1, &case(&s.agreement, "2326")).await;
    let fore = app.case_status(&s.sam, &id).await;
    assert_ne!(fore, "inom");
    // Judging the cases takes the agreement's report register: held here, nothing can judge them,
    // and the decision is still recorded at once.
    let las = app.state.app.hall_register(&s.agreement).await.unwrap();
    let res = app
        .post_decision(&s.forbund, &s.agreement, &berg_beslutar())
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        app.case_status(&s.sam, &id).await,
        fore,
        "not judged inside the request"
    );
    let vantar = boj_store::omprovning::vantande(&app.store).await.unwrap();
    assert!(vantar.iter().any(|b| b.agreement_id == s.agreement));
    drop(las);
    app.omprova().await;
    assert_eq!(app.case_status(&s.sam, &id).await, "inom");
    let vantar = boj_store::omprovning::vantande(&app.store).await.unwrap();
    assert!(vantar.iter().all(|b| b.agreement_id != s.agreement));
    let poster: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'arende.behorighet_omprovad' AND object = $1",
    )
    .bind(id.clone())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(poster >= 1);
}

/// Nothing in code is specific to one county: the new-case form lists the agreements' own parties
/// first, wherever they are (here Skåne's).
#[tokio::test]
async fn the_new_case_form_lists_the_agreements_parties_first_in_any_county() {
    let app = spawn_app().await;
    let skane = boj_domain::Scope::Lan(boj_domain::Lanskod::parse("12").unwrap());
    let forbund = app.user_in("forbund-skane", Role::Forbund, skane).await;
    let token = app.token(&forbund).await;
    let body = json!({"organisation_id": app.org_id, "title": "IOP Skåne", "reference": "REF", "valid_from": "2026-01-01", "parties": ["1280", "1281"]});
    let res = app.post_agreement(&token, &body).await;
    assert_eq!(res.status(), 201);
    app.user("stodperson1", Role::Stodperson).await;
    let (c, _) = app.login("stodperson1").await;
    let page = crate::helpers::text(&c, app.at("/arenden/nytt")).await;
    let malmo = page.find(">Malmö<").expect("Malmö is offered");
    let lund = page.find(">Lund<").expect("Lund is offered");
    let ale = page.find(">Ale<").expect("every municipality is offered");
    let ostersund = page
        .find(">Östersund<")
        .expect("every municipality is offered");
    let parties = page.find("label=\"Överenskommelsens kommuner\"").unwrap();
    let rest = page.find("label=\"Övriga kommuner\"").unwrap();
    assert!(parties < malmo && parties < lund && malmo < rest && lund < rest);
    assert!(rest < ale && rest < ostersund);
}

/// The intake form chooses nothing in advance for the statistics the municipalities read: who
/// seeks support and how the first contact came about are the volunteer's required choices.
#[tokio::test]
async fn the_intake_form_preselects_no_statistics_answer() {
    let app = spawn_app().await;
    setup(&app).await;
    let (c, _) = app.login("stodperson1").await;
    let page = crate::helpers::text(&c, app.at("/arenden/nytt")).await;
    assert!(page.contains(r#"name="person_type" value="brottsutsatt" required>"#));
    assert!(!page.contains(r#"name="person_type" value="brottsutsatt" required checked"#));
    assert!(page.contains(r#"<select id="first_contact" name="first_contact" required><option value="">Välj …</option>"#));
    assert!(!page.contains(r#"<option value="polis" selected>"#));
}

/// Closing a case is confirmed, and a closed case can be opened again until retention erases it.
#[tokio::test]
async fn a_case_is_closed_with_confirmation_and_reopened_until_it_is_erased() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let id = app.register_case(&s.sp1, &case(&s.agreement, "2380")).await;
    let (c, csrf) = app.login("stodperson1").await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.at(&path);
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let closed = |id: String| {
        let store = app.store.clone();
        async move {
            boj_store::arenden::get(&store, &id)
                .await
                .unwrap()
                .closed_on
        }
    };
    // Without the confirmation nothing happens.
    let res = post(
        format!("/arenden/{id}/avsluta"),
        vec![("csrf", csrf.clone()), ("closed_on", "2026-11-26".into())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Kryssa i"));
    assert!(closed(id.clone()).await.is_none());
    let res = post(
        format!("/arenden/{id}/avsluta"),
        vec![
            ("csrf", csrf.clone()),
            ("closed_on", "2026-11-26".into()),
            ("bekrafta", "ja".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(closed(id.clone()).await.is_some());
    let page = crate::helpers::text(&c, app.at(&format!("/arenden/{id}"))).await;
    assert!(page.contains("Öppna ärendet igen"));
    // Reopened: open again, its last activity today, and an audit entry.
    let res = post(
        format!("/arenden/{id}/ateroppna"),
        vec![("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let got = boj_store::arenden::get(&app.store, &id).await.unwrap();
    assert!(got.closed_on.is_none());
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'arende.ateroppnat' AND object = $1",
    )
    .bind(id.clone())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);
    // Open already: a conflict. Erased: never again.
    let res = post(
        format!("/arenden/{id}/ateroppna"),
        vec![("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(res.status(), 409);
    post(
        format!("/arenden/{id}/avsluta"),
        vec![
            ("csrf", csrf.clone()),
            ("closed_on", "2026-11-26".into()),
            ("bekrafta", "ja".into()),
        ],
    )
    .await;
    sqlx::query("UPDATE cases SET erased_at = 1 WHERE id = $1")
        .bind(id.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    let res = post(
        format!("/arenden/{id}/ateroppna"),
        vec![("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("gallrat"));
}

/// The coordinator's case list: newest first, 50 to a page, filtered by support person and home
/// municipality.
#[tokio::test]
async fn the_case_list_pages_and_filters() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for n in 0..55 {
        let mut body = case(&s.agreement, if n % 5 == 0 { "2303" } else { "2380" });
        body["opened_on"] = json!(format!("2026-0{}-1{}", 1 + n % 9, n % 10));
        let token = if n < 5 { &s.sp2 } else { &s.sp1 };
        app.register_case(token, &body).await;
    }
    let (c, _) = app.login("samordnare").await;
    let get = |q: &str| {
        let url = app.at(&format!("/arenden?visa=alla{q}"));
        let c = c.clone();
        async move { crate::helpers::text(&c, url).await }
    };
    const ROW: &str = "<tr><th scope=\"row\" data-label=\"Nummer\"><a href=\"/arenden/";
    let first = get("").await;
    assert!(first.contains("55 ärenden, sida 1 av 2"), "caption");
    assert_eq!(first.matches(ROW).count(), 50);
    assert!(first.contains("Nästa sida"));
    let second = get("&sida=2").await;
    assert_eq!(second.matches(ROW).count(), 5);
    assert!(second.contains("Föregående sida"));
    // Newest first: the first row is the latest opening date.
    let first_row = first.split(ROW).nth(1).unwrap();
    assert!(first_row.contains(">2026-09-"), "{}", &first_row[..160]);
    // Oldest first; by number (the highest first).
    let oldest = get("&sortera=aldst").await;
    assert!(
        oldest.split(ROW).nth(1).unwrap().contains(">2026-01-10<"),
        "oldest first"
    );
    let by_number = get("&sortera=nummer").await;
    assert!(
        by_number.split(ROW).nth(1).unwrap().contains(">2026-0055<"),
        "highest number first"
    );
    // Search by number, as people type it.
    for q in ["2026-0007", "2026-7", "7"] {
        let found = get(&format!("&nummer={q}")).await;
        assert!(found.contains(">1 ärende<"), "{q}");
        assert!(found.contains(">2026-0007<"), "{q}");
    }
    let bad = get("&nummer=abc").await;
    assert!(
        bad.contains("Ange ärendenumret som 2026-0142"),
        "a clear message"
    );
    // A period of contact dates (inclusive): the cases of March (n % 9 == 2: six of them).
    let march = get("&fran=2026-03-01&till=2026-03-31").await;
    assert!(march.contains(">6 ärenden<"), "by period");
    let bad = get("&fran=2026-02-30").await;
    assert!(
        bad.contains("Från-datumet är inte ett datum"),
        "a clear message"
    );
    // No activity for at least 150 days before 2026-11-26 (the test's today): opened by 2026-06-29.
    let idle = get("&vilande=150").await;
    let expected = (0..55)
        .filter(|n| {
            let (m, d) = (1 + n % 9, 10 + n % 10);
            (m, d) <= (6, 29)
        })
        .count();
    assert!(
        idle.contains(&format!(">{expected} ärenden<")),
        "by last activity"
    );
    // By support person (the five stodperson2 registered) and by home municipality (eleven in 2303).
    let sp2 = boj_store::users::by_name(&app.store, "stodperson2")
        .await
        .unwrap();
    let theirs = get(&format!("&stodperson={}", sp2.id)).await;
    assert!(theirs.contains("5 ärenden"), "by support person");
    let ragunda = get("&kommun=2303").await;
    assert!(ragunda.contains("11 ärenden"), "by home municipality");
}

/// A case gets a short number per organisation and year of its contact date, in registration
/// order, shown on its page and in the API.
#[tokio::test]
async fn cases_are_numbered_per_organisation_and_year() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut numbers = Vec::new();
    for opened in ["2026-03-10", "2025-12-30", "2026-01-02"] {
        let mut body = case(&s.agreement, "2380");
        body["opened_on"] = json!(opened);
        let res = app.post_case(&s.sp1, &body).await;
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        numbers.push(v["number"].as_str().unwrap().to_string());
    }
    assert_eq!(numbers, ["2026-0001", "2025-0001", "2026-0002"]);
    let id = app.register_case(&s.sp1, &case(&s.agreement, "2380")).await;
    let (c, _) = app.login("stodperson1").await;
    let page = crate::helpers::text(&c, app.at(&format!("/arenden/{id}"))).await;
    assert!(page.contains("<h1>Ärende 2026-0003</h1>"));
}

/// A refused intake names the field and puts the message beside it, with the focus there, and
/// saves nothing; the API answers the same field as `error.field`.
#[tokio::test]
async fn an_intake_error_sits_beside_its_field() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (c, csrf) = app.login("stodperson1").await;
    let form = |extra: Vec<(&'static str, &'static str)>| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf", csrf.clone()),
            ("agreement_id", s.agreement.clone()),
            ("opened_on", "2026-03-10".into()),
            ("municipality", "2380".into()),
            ("gender", "okant".into()),
            ("age_band", "okand".into()),
            ("crime_types", "okant".into()),
            ("police_report", "okant".into()),
        ];
        f.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
        f
    };
    let send = |f: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.at("/arenden");
        async move { c.post(url).form(&f).send().await.unwrap() }
    };
    // No target group chosen.
    let res = send(form(vec![("first_contact", "okant")])).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r##"<a href="#person_type">Vem söker stöd?</a>"##),
        "named in the summary"
    );
    assert!(
        page.contains(
            r#"<p class="field-error" id="person_type-fel">Välj typ av hjälpsökande.</p>"#
        )
    );
    // A personnummer in the note: beside the note, which is focused, its section open.
    let res = send(form(vec![
        ("person_type", "vittne"),
        ("first_contact", "okant"),
        ("consent_contact", "ja"),
        ("note", "Ring 811218-9876 i morgon"),
    ]))
    .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="note-fel" autofocus>Ring 811218-9876 i morgon</textarea>"#));
    assert!(page.contains(r#"id="note-fel""#));
    assert!(page.contains("<details open>"));
    // "Okänt" is a first contact like any other; nothing was saved by the refusals.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let res = send(form(vec![
        ("person_type", "vittne"),
        ("first_contact", "okant"),
    ]))
    .await;
    assert_eq!(res.status(), 303);
    // The API names the field too.
    let mut body = case(&s.agreement, "2380");
    body["opened_on"] = json!("2099-01-01");
    let res = app.post_case(&s.sp1, &body).await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "opened_on");
}

/// An activity is corrected or removed, audited, and the report register counts what is there now;
/// once retention has erased the case, its activities stay as they are.
#[tokio::test]
async fn activities_are_corrected_and_removed() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let id = app.register_case(&s.sp1, &case(&s.agreement, "2380")).await;
    let c = TestApp::client();
    let activity =
        json!({"date": "2026-03-11", "kind": "stodsamtal", "mode": "telefon", "minutes": 30});
    let res = c
        .post(app.at(&format!("/api/v1/cases/{id}/activities")))
        .bearer_auth(&s.sp1)
        .json(&activity)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let list = |token: String| {
        let c = c.clone();
        let url = app.at(&format!("/api/v1/cases/{id}/activities"));
        async move { c.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let v: Value = list(s.sp1.clone()).await.json().await.unwrap();
    let aid = v[0]["id"].as_str().unwrap().to_string();
    assert_eq!(v[0]["kind"], "stodsamtal");
    // Another volunteer's case is not theirs to see or change.
    assert_eq!(list(s.sp2.clone()).await.status(), 403);
    let by_kind = || {
        let c = c.clone();
        let url = app.at(&format!(
            "/api/v1/reports/preview?agreement_id={}&from=2026-01-01&to=2026-03-31",
            s.agreement
        ));
        let sam = s.sam.clone();
        async move {
            let pv: Value = c
                .get(url)
                .bearer_auth(sam)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let t = pv["tables"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["table"]["id"] == "aktiviteter_slag")
                .unwrap()
                .clone();
            let rows = t["table"]["rows"].as_array().unwrap().clone();
            let at = |code: &str| rows.iter().position(|r| r["code"] == code).unwrap();
            (
                t["table"]["cells"][at("stodsamtal")][0]["value"].clone(),
                t["table"]["cells"][at("information")][0]["value"].clone(),
            )
        }
    };
    assert_eq!(by_kind().await, (json!(1), json!(0)));
    let put = |body: Value, token: String| {
        let c = c.clone();
        let url = app.at(&format!("/api/v1/cases/{id}/activities/{aid}"));
        async move {
            c.put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let corrected =
        json!({"date": "2026-03-12", "kind": "information", "mode": "mote", "minutes": 45});
    assert_eq!(put(corrected.clone(), s.sp2.clone()).await.status(), 403);
    let res = put(
        json!({"date": "2099-01-01", "kind": "information", "mode": "mote", "minutes": 45}),
        s.sp1.clone(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "date");
    assert_eq!(put(corrected, s.sp1.clone()).await.status(), 204);
    let v: Value = list(s.sp1.clone()).await.json().await.unwrap();
    assert_eq!(
        (
            v[0]["date"].clone(),
            v[0]["kind"].clone(),
            v[0]["minutes"].clone()
        ),
        (json!("2026-03-12"), json!("information"), json!(45))
    );
    assert_eq!(
        by_kind().await,
        (json!(0), json!(1)),
        "the register counts the correction"
    );
    // Removed through the page, once confirmed.
    let (pc, csrf) = app.login("stodperson1").await;
    let remove = |confirm: bool| {
        let pc = pc.clone();
        let url = app.at(&format!("/arenden/{id}/aktiviteter/{aid}/ta-bort"));
        let mut f = vec![("csrf", csrf.clone())];
        if confirm {
            f.push(("bekrafta", "ja".into()));
        }
        async move { pc.post(url).form(&f).send().await.unwrap() }
    };
    assert_eq!(remove(false).await.status(), 422);
    let res = remove(true).await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("sparat=aktivitet_borttagen")
    );
    let page = crate::helpers::text(
        &pc,
        app.at(&format!("/arenden/{id}?sparat=aktivitet_borttagen")),
    )
    .await;
    assert!(page.contains("Aktiviteten är borttagen."));
    assert_eq!(
        list(s.sp1.clone()).await.json::<Value>().await.unwrap(),
        json!([])
    );
    assert_eq!(
        by_kind().await,
        (json!(0), json!(0)),
        "the register counts the removal"
    );
    assert_eq!(remove(true).await.status(), 404);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object = $1 AND action LIKE 'arende.aktivitet%' ORDER BY seq",
    )
    .bind(id.clone())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "arende.aktivitet",
            "arende.aktivitet_rattad",
            "arende.aktivitet_borttagen"
        ]
    );
    // An erased case's activities stay.
    let res = c
        .post(app.at(&format!("/api/v1/cases/{id}/activities")))
        .bearer_auth(&s.sp1)
        .json(&activity)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = list(s.sp1.clone()).await.json().await.unwrap();
    let aid2 = v[0]["id"].as_str().unwrap().to_string();
    // Once an issued report has counted it, it stays as reported.
    let res = app.issue(&s.sam, &s.agreement, "2026-Q1").await;
    assert_eq!(res.status(), 201);
    let res = c
        .delete(app.at(&format!("/api/v1/cases/{id}/activities/{aid2}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("räknad i en utfärdad rapport")
    );
    assert_eq!(
        list(s.sp1.clone())
            .await
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    sqlx::query("UPDATE cases SET eligibility_frozen = 1 WHERE id = $1")
        .bind(id.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    let res = c
        .delete(app.at(&format!("/api/v1/cases/{id}/activities/{aid2}")))
        .bearer_auth(&s.sp1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
}

/// The API's case list comes a page at a time, latest contact first, with the total; the pages
/// together hold every case once.
#[tokio::test]
async fn the_api_case_list_pages() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut ids = std::collections::BTreeSet::new();
    for n in 0..7 {
        let mut body = case(&s.agreement, "2380");
        body["opened_on"] = json!(format!("2026-03-1{n}"));
        ids.insert(app.register_case(&s.sp1, &body).await);
    }
    let c = TestApp::client();
    let page = |q: &'static str| {
        let c = c.clone();
        let url = app.at(&format!("/api/v1/cases?{q}"));
        let t = s.sam.clone();
        async move { c.get(url).bearer_auth(t).send().await.unwrap() }
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut dates = Vec::new();
    for q in [
        "per_page=3&page=1",
        "per_page=3&page=2",
        "per_page=3&page=3",
    ] {
        let v: Value = page(q).await.json().await.unwrap();
        assert_eq!(v["total"], 7);
        for c in v["items"].as_array().unwrap() {
            seen.insert(c["id"].as_str().unwrap().to_string());
            dates.push(c["opened_on"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen, ids, "every case once");
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "latest first: {dates:?}"
    );
    for bad in ["per_page=0", "per_page=501", "page=0", "page=x"] {
        assert_eq!(page(bad).await.status(), 400, "{bad}");
    }
}

/// The case list is kept in the process by the organisation's case version (`arenden::sok`): after
/// every kind of change — a new case, a correction, an activity, closing, withdrawn consent, a
/// change made by another instance — the next list shows it.
#[tokio::test]
async fn the_case_list_is_never_stale() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    let list = |app: &TestApp| {
        let c = c.clone();
        let url = app.at("/api/v1/cases");
        let t = s.sam.clone();
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
            v
        }
    };
    assert_eq!(list(&app).await["total"], 0);
    let mut with = case(&s.agreement, "2303");
    with["consent_contact"] = json!(true);
    with["contact"] = json!({"name": "Anna"});
    let id = app.register_case(&s.sp1, &with).await;
    let v = list(&app).await;
    assert_eq!(
        (v["total"].as_i64(), v["items"][0]["has_contact"].as_bool()),
        (Some(1), Some(true))
    );
    // A correction.
    let res = c
        .patch(app.at(&format!("/api/v1/cases/{id}")))
        .bearer_auth(&s.sam)
        .json(&json!({"age_band": "45-64"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(list(&app).await["items"][0]["age_band"], "45-64");
    // Withdrawn consent: the contact row goes, the case row stays as it was.
    let res = c
        .delete(app.at(&format!("/api/v1/cases/{id}/contact")))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(list(&app).await["items"][0]["has_contact"], false);
    // Closing.
    let res = c
        .post(app.at(&format!("/api/v1/cases/{id}/close")))
        .bearer_auth(&s.sam)
        .json(&json!({"closed_on": "2026-03-20"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(list(&app).await["items"][0]["closed_on"], "2026-03-20");
    // Another instance registers a case: this one's next list has it.
    let other = app.second_instance().await;
    other
        .register_case(&s.sp1, &case(&s.agreement, "2380"))
        .await;
    assert_eq!(list(&app).await["total"], 2);
}

/// Registrations and corrections of the same organisation at once never fail: each case write takes
/// the audit chain's head and bumps the organisation's case version, and on PostgreSQL the version
/// is bumped at commit (a deferred trigger), so no two transactions take the two in opposite order.
#[tokio::test]
async fn concurrent_registrations_and_corrections_never_deadlock() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(app.register_case(&s.sp1, &case(&s.agreement, "2303")).await);
    }
    let c = TestApp::client();
    let mut uppgifter = Vec::new();
    for round in 0..4 {
        for id in &ids {
            let (c, url, t) = (
                c.clone(),
                app.at(&format!("/api/v1/cases/{id}")),
                s.sam.clone(),
            );
            let band = if round % 2 == 0 { "45-64" } else { "25-44" };
            uppgifter.push(tokio::spawn(async move {
                c.patch(url)
                    .bearer_auth(t)
                    .json(&json!({"age_band": band}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        for _ in 0..6 {
            let (c, url, t, body) = (
                c.clone(),
                app.at("/api/v1/cases"),
                s.sp1.clone(),
                case(&s.agreement, "2380"),
            );
            uppgifter.push(tokio::spawn(async move {
                c.post(url)
                    .bearer_auth(t)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
    }
    for u in uppgifter {
        let status = u.await.unwrap();
        assert!(status == 200 || status == 201, "{status}");
    }
}
