//! Collaboration with neighbouring services and associations (issue 18): the agreement's partners,
//! referrals that name them, collaboration work, and how each reaches the follow-up report; witness
//! support counted in one agreement only; and a second partnership that sees nothing of the first.

use crate::arenden::{Setup, setup};
use crate::helpers::{TestApp, error_code, spawn_app};
use boj_domain::{Kommunkod, Lanskod, Role, Scope};
use serde_json::{Value, json};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = TestApp::client()
        .request(method, app.at(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, token, path, Some(body)).await
}

/// A GET that must answer 200, as JSON.
async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    json_of(
        send(app, reqwest::Method::GET, token, path, None).await,
        200,
    )
    .await
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn case(agreement: &str, opened: &str) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": opened, "person_type": "brottsutsatt",
        "municipality": "2303", "gender": "kvinna", "age_band": "25-44",
        "crime_types": ["misshandel"], "circumstances": [], "police_report": "ja",
        "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    })
}

fn referral(date: &str, partner: Option<u16>) -> Value {
    let mut a = json!({"date": date, "kind": "hanvisning", "mode": "telefon", "minutes": 20});
    if let Some(p) = partner {
        a["partner"] = json!(p);
    }
    a
}

async fn add_partner(app: &TestApp, token: &str, agreement: &str, name: &str, kind: &str) -> u16 {
    let v = json_of(
        post(
            app,
            token,
            &format!("/api/v1/agreements/{agreement}/partners"),
            &json!({"name": name, "kind": kind}),
        )
        .await,
        201,
    )
    .await;
    u16::try_from(v["id"].as_u64().unwrap()).unwrap()
}

/// The published cell of table `id`, row `row`, first column: `None` when protected.
fn cell(doc: &Value, id: &str, row: &str) -> Option<f64> {
    let t = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("table {id}"));
    let i = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["code"] == row)
        .unwrap_or_else(|| panic!("row {row} of {id}"));
    t["cells"][i][0]["value"].as_f64()
}

async fn issue(app: &TestApp, token: &str, agreement: &str, period: &str) -> Value {
    let r = json_of(
        post(
            app,
            token,
            "/api/v1/reports",
            &json!({"agreement_id": agreement, "period": period}),
        )
        .await,
        201,
    )
    .await;
    let id = r["id"].as_str().unwrap();
    let v = get(app, token, &format!("/api/v1/reports/{id}")).await;
    v.get("report").cloned().unwrap_or(v)
}

async fn partners_and_referrals(app: &TestApp, s: &Setup) -> (u16, u16, u16) {
    // The county strategist and the organisation's coordinator both keep the list.
    let kvinnojour = add_partner(app, &s.forbund, &s.agreement, "Kvinnojouren", "kvinnojour").await;
    let polis = add_partner(app, &s.forbund, &s.agreement, "Polisen", "polis").await;
    let soc = add_partner(app, &s.sam, &s.agreement, "Socialtjänsten", "socialtjanst").await;
    assert_eq!((kvinnojour, polis, soc), (1, 2, 3));
    // A support person does not; a name twice is a conflict; a kind outside the list is refused.
    let path = format!("/api/v1/agreements/{}/partners", s.agreement);
    let (st, ..) =
        error_code(post(app, &s.sp1, &path, &json!({"name": "X", "kind": "polis"})).await).await;
    assert_eq!(st, 403);
    let (st, ..) = error_code(
        post(
            app,
            &s.sam,
            &path,
            &json!({"name": "polisen", "kind": "polis"}),
        )
        .await,
    )
    .await;
    assert_eq!(st, 409);
    let (st, code, _) = error_code(
        post(
            app,
            &s.sam,
            &path,
            &json!({"name": "Y", "kind": "ambulans"}),
        )
        .await,
    )
    .await;
    assert_eq!((st, code.as_str()), (422, "ogiltig_kod"));
    // Removing one is a new version, and its number is never given again.
    let res = send(
        app,
        reqwest::Method::DELETE,
        &s.sam,
        &format!("{path}/{soc}"),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    let again = add_partner(app, &s.sam, &s.agreement, "Socialtjänsten", "socialtjanst").await;
    assert_eq!(again, 4);
    let a = get(app, &s.sp1, &format!("/api/v1/agreements/{}", s.agreement)).await;
    let names: Vec<&str> = a["settings"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Kvinnojouren", "Polisen", "Socialtjänsten"]);
    assert_eq!(
        a["latest_version"], 6,
        "each change of the list is a version"
    );
    (kvinnojour, polis, again)
}

#[tokio::test]
async fn a_referral_names_a_partner_and_is_counted_per_kind_protected_when_small() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (kvinnojour, polis, _) = partners_and_referrals(&app, &s).await;

    // Five cases referred to the women's shelter (one of them twice), two also to the police.
    let mut ids = Vec::new();
    for d in 2..=6 {
        ids.push(
            app.register_case(&s.sp1, &case(&s.agreement, &format!("2026-02-0{d}")))
                .await,
        );
    }
    for (i, id) in ids.iter().enumerate() {
        let acts = format!("/api/v1/cases/{id}/activities");
        let res = post(
            &app,
            &s.sp1,
            &acts,
            &referral("2026-02-10", Some(kvinnojour)),
        )
        .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        if i == 0 {
            let res = post(
                &app,
                &s.sp1,
                &acts,
                &referral("2026-02-12", Some(kvinnojour)),
            )
            .await;
            assert_eq!(res.status(), 201);
        }
        if i < 2 {
            let res = post(&app, &s.sp1, &acts, &referral("2026-02-11", Some(polis))).await;
            assert_eq!(res.status(), 201);
        }
    }
    // A referral names a partner of the list; nothing else names one.
    let acts = format!("/api/v1/cases/{}/activities", ids[0]);
    for (body, what) in [
        (referral("2026-02-10", None), "no partner"),
        (
            referral("2026-02-10", Some(99)),
            "a partner not on the list",
        ),
        (
            json!({"date": "2026-02-10", "kind": "stodsamtal", "mode": "telefon", "minutes": 20, "partner": kvinnojour}),
            "a partner on support",
        ),
    ] {
        let res = post(&app, &s.sp1, &acts, &body).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["field"], "partner", "{what}: {body}");
    }
    // The case page names the partner.
    let (c, _) = app.login("stodperson1").await;
    let page = crate::helpers::text(&c, app.at(&format!("/arenden/{}", ids[0]))).await;
    assert!(
        page.contains("Hänvisning till Kvinnojouren (kvinnojour)"),
        "{page}"
    );

    // Collaboration work: the coordinator records it; a support person may not.
    for (partner, form, hours) in [
        (kvinnojour, "mote", 3.5),
        (polis, "utbildning", 2.0),
        (kvinnojour, "utatriktat", 1.25),
    ] {
        let b = json!({"agreement_id": s.agreement, "month": "2026-03", "partner": partner, "form": form, "hours": hours});
        json_of(post(&app, &s.sam, "/api/v1/collaboration", &b).await, 201).await;
    }
    let b = json!({"agreement_id": s.agreement, "month": "2026-03", "partner": 7, "form": "mote", "hours": 1});
    let (st, ..) = error_code(post(&app, &s.sam, "/api/v1/collaboration", &b).await).await;
    assert_eq!(st, 422);
    let b = json!({"agreement_id": s.agreement, "month": "2026-03", "partner": 1, "form": "mote", "hours": 1});
    let (st, ..) = error_code(post(&app, &s.sp1, "/api/v1/collaboration", &b).await).await;
    assert_eq!(st, 403);

    let doc = issue(&app, &s.sam, &s.agreement, "2026-Q1").await;
    let t = "aktiviteter_hanvisningar";
    assert_eq!(
        cell(&doc, t, "kvinnojour"),
        Some(5.0),
        "five cases, the twice-referred once"
    );
    assert_eq!(cell(&doc, t, "polis"), None, "two cases: protected");
    assert_eq!(cell(&doc, t, "socialtjanst"), Some(0.0));
    assert_eq!(
        cell(&doc, "samverkan_partnerslag", "kvinnojour"),
        Some(4.75)
    );
    assert_eq!(cell(&doc, "samverkan_partnerslag", "polis"), Some(2.0));
    assert_eq!(cell(&doc, "samverkan_form", "utbildning"), Some(2.0));
    // The same counts by plain SQL over the stored referrals.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT a.partner_kind, COUNT(DISTINCT a.case_id) FROM activities a JOIN cases c ON c.id = a.case_id \
         WHERE c.agreement_id = $1 AND a.kind = 'hanvisning' GROUP BY a.partner_kind ORDER BY 1",
    )
    .bind(s.agreement.clone())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let sql: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        sql,
        [("kvinnojour".to_string(), 5), ("polis".to_string(), 2)]
    );
    // A quarter's report lists no partners; the year's does.
    assert!(doc.get("partners").is_none());
}

#[tokio::test]
async fn the_year_report_lists_the_partners() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    partners_and_referrals(&app, &s).await;
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 60));
    for q in 1..=4 {
        issue(&app, &s.sam, &s.agreement, &format!("2026-Q{q}")).await;
    }
    let doc = issue(&app, &s.sam, &s.agreement, "2026").await;
    let names: Vec<&str> = doc["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Kvinnojouren", "Polisen", "Socialtjänsten"]);
}

#[tokio::test]
async fn a_witness_session_is_counted_in_one_agreement_of_an_organisation_with_two() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // A second agreement of the same organisation, in another county.
    let vn = app
        .user_in(
            "forbund-vn",
            Role::Forbund,
            Scope::Lan(Lanskod::parse("22").unwrap()),
        )
        .await;
    let vn = app.token(&vn).await;
    let body = json!({"organisation_id": app.org_id, "title": "IOP 2", "reference": "REF 2",
                      "valid_from": "2026-01-01", "parties": ["2281", "2262"]});
    let b = json_of(app.post_agreement(&vn, &body).await, 201).await;
    let b = b["id"].as_str().unwrap().to_string();

    let w = |court: &str, agreement: Option<&str>| {
        let mut v = json!({"date": "2026-02-03", "court": court,
            "counts": {"vittne": 2, "malsagande": 1}, "hours": 4});
        if let Some(a) = agreement {
            v["agreement_id"] = json!(a);
        }
        v
    };
    // The court names the agreement when the one entering does not.
    json_of(
        post(
            &app,
            &s.sam,
            "/api/v1/witness-support",
            &w("Östersunds tingsrätt", None),
        )
        .await,
        201,
    )
    .await;
    json_of(
        post(
            &app,
            &s.sam,
            "/api/v1/witness-support",
            &w("Sundsvalls tingsrätt", None),
        )
        .await,
        201,
    )
    .await;
    json_of(
        post(
            &app,
            &s.sam,
            "/api/v1/witness-support",
            &w("Hovrätten", Some(&b)),
        )
        .await,
        201,
    )
    .await;
    // Nothing singles one out: the entry must name it.
    let (st, _, _) = error_code(
        post(
            &app,
            &s.sam,
            "/api/v1/witness-support",
            &w("Hovrätten", None),
        )
        .await,
    )
    .await;
    assert_eq!(st, 422);
    let h = json!({"month": "2026-02", "kind": "administration", "hours": 10});
    let res = post(&app, &s.sam, "/api/v1/volunteer-hours", &h).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "agreement_id", "{body}");
    let mut h = h;
    h["agreement_id"] = json!(s.agreement);
    json_of(post(&app, &s.sam, "/api/v1/volunteer-hours", &h).await, 201).await;

    let first = issue(&app, &s.sam, &s.agreement, "2026-Q1").await;
    let second = issue(&app, &s.sam, &b, "2026-Q1").await;
    let sessions = |d: &Value| cell(d, "vittnesstod_tillfallen", "tillfallen").unwrap();
    assert_eq!(
        (sessions(&first), sessions(&second)),
        (1.0, 2.0),
        "three sessions, each once"
    );
    let hours = |d: &Value| cell(d, "ideella_timmar", "administration").unwrap();
    assert_eq!((hours(&first), hours(&second)), (10.0, 0.0));
}

/// Route × role × tenant: a second association, its coordinator and support person, the second
/// county's strategist and a municipality there, against every route that names an object of the
/// first partnership. Each is refused or told it does not exist; none gets a 2xx or a 5xx.
#[tokio::test]
async fn the_second_partnerships_users_are_refused_everything_of_the_first() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (kvinnojour, ..) = partners_and_referrals(&app, &s).await;
    let case_id = app
        .register_case(&s.sp1, &case(&s.agreement, "2026-02-02"))
        .await;
    let acts = format!("/api/v1/cases/{case_id}/activities");
    json_of(
        post(
            &app,
            &s.sp1,
            &acts,
            &referral("2026-02-10", Some(kvinnojour)),
        )
        .await,
        201,
    )
    .await;
    let report = issue(&app, &s.sam, &s.agreement, "2026-Q1").await;
    let report_id = report["id"].as_str().unwrap().to_string();
    let activity: Value = get(&app, &s.sp1, &acts).await;
    let aid = activity[0]["id"].as_str().unwrap().to_string();
    assert_eq!(activity[0]["partner_kind"], "kvinnojour");
    let decision = {
        let a = get(
            &app,
            &s.forbund,
            &format!("/api/v1/agreements/{}", s.agreement),
        )
        .await;
        a["decisions"][0]["id"].as_str().unwrap().to_string()
    };

    let org2 = boj_store::orgs::create(&app.store, None, "Andra jouren", None)
        .await
        .unwrap();
    let lan2 = Scope::Lan(Lanskod::parse("22").unwrap());
    let mut others = Vec::new();
    for (name, role, scope) in [
        (
            "samordnare-2",
            Role::Samordnare,
            Scope::Organisation(org2.id.clone()),
        ),
        (
            "stodperson-2",
            Role::Stodperson,
            Scope::Organisation(org2.id.clone()),
        ),
        ("forbund-2", Role::Forbund, lan2),
        (
            "kommun-2281",
            Role::Kommun,
            Scope::Kommun(Kommunkod::parse("2281").unwrap()),
        ),
    ] {
        let u = app.user_in(name, role, scope).await;
        others.push((name, app.token(&u).await));
    }
    let mut checked = 0;
    for route in boj_web::routes::table() {
        let p = route.path;
        if !(p.contains("{id}") || p.contains("{aid}")) || p.starts_with("/api/v1/users") {
            continue;
        }
        if p.starts_with("/aktivera")
            || p.contains("/anvandare/")
            || p.contains("api-nycklar")
            || p.contains("tokens")
        {
            continue;
        }
        let id = if p.contains("/cases/") || p.starts_with("/arenden/") {
            case_id.as_str()
        } else if p.contains("/reports/") || p.starts_with("/rapporter/") {
            report_id.as_str()
        } else if p.contains("/decisions/") || p.starts_with("/beslut/") {
            decision.as_str()
        } else {
            s.agreement.as_str()
        };
        let path = p
            .replace("{id}", id)
            .replace("{aid}", &aid)
            .replace("{partner}", &kvinnojour.to_string())
            .replace("{kod}", "2303")
            .replace("{year}", "2026")
            .replace("{n}", "1");
        for (who, token) in &others {
            let mut req = TestApp::client()
                .request(route.method.clone(), app.at(&path))
                .bearer_auth(token);
            if route.method != reqwest::Method::GET {
                req = if path.starts_with("/api/") {
                    req.json(&json!({}))
                } else {
                    req.form(&[("bekrafta", "ja")])
                };
            }
            let res = req.send().await.unwrap();
            let st = res.status().as_u16();
            assert!(
                st == 403
                    || st == 404
                    || (st == 422 && route.method != reqwest::Method::GET)
                    || st == 400,
                "{} {path} as {who}: {st}",
                route.method
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} requests");
    // Well-formed writes naming the first partnership's agreement, case or partner reach the use
    // case, and are refused there.
    let writes = [
        (
            reqwest::Method::POST,
            format!("/api/v1/agreements/{}/partners", s.agreement),
            json!({"name": "Främmande", "kind": "polis"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/collaboration".to_string(),
            json!({"agreement_id": s.agreement, "month": "2026-02", "partner": kvinnojour, "form": "mote", "hours": 2}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/witness-support".to_string(),
            json!({"agreement_id": s.agreement, "date": "2026-02-03", "court": "Tingsrätten",
                   "counts": {"vittne": 1}, "hours": 2}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/volunteer-hours".to_string(),
            json!({"agreement_id": s.agreement, "month": "2026-02", "kind": "administration", "hours": 2}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/cases/{case_id}/activities"),
            referral("2026-02-12", Some(kvinnojour)),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/cases/{case_id}/activities/{aid}"),
            referral("2026-02-12", Some(kvinnojour)),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/cases".to_string(),
            case(&s.agreement, "2026-02-02"),
        ),
    ];
    for (method, path, body) in &writes {
        for (who, token) in &others {
            let res = send(&app, method.clone(), token, path, Some(body)).await;
            let st = res.status().as_u16();
            assert!(st == 403 || st == 404, "{method} {path} as {who}: {st}");
        }
    }
    // The first partnership's figures are unchanged by all of it.
    let nu = get(&app, &s.sam, &format!("/api/v1/agreements/{}", s.agreement)).await;
    assert_eq!(nu["settings"]["partners"].as_array().unwrap().len(), 3);
    // Their lists hold nothing of the first partnership.
    for (who, token) in &others {
        for path in ["/api/v1/agreements", "/api/v1/reports"] {
            let res = send(&app, reqwest::Method::GET, token, path, None).await;
            if res.status() == 200 {
                let v: Value = res.json().await.unwrap();
                let text = v.to_string();
                assert!(!text.contains(&s.agreement), "{path} as {who}: {text}");
            }
        }
        let res = send(&app, reqwest::Method::GET, token, "/api/v1/cases", None).await;
        if res.status() == 200 {
            let v: Value = res.json().await.unwrap();
            assert!(!v.to_string().contains(&case_id), "cases as {who}");
        }
    }
}

/// A referral keeps the partner it names when the list changes: correcting it needs no partner of
/// today's list, and the case page still names it.
#[tokio::test]
async fn a_referral_keeps_its_partner_after_the_partner_leaves_the_list() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (_, polis, soc) = partners_and_referrals(&app, &s).await;
    let id = app
        .register_case(&s.sp1, &case(&s.agreement, "2026-04-02"))
        .await;
    let acts = format!("/api/v1/cases/{id}/activities");
    json_of(
        post(&app, &s.sp1, &acts, &referral("2026-04-03", Some(polis))).await,
        201,
    )
    .await;
    let list = get(&app, &s.sp1, &acts).await;
    let aid = list[0]["id"].as_str().unwrap().to_string();
    let res = send(
        &app,
        reqwest::Method::DELETE,
        &s.forbund,
        &format!("/api/v1/agreements/{}/partners/{polis}", s.agreement),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    // A new referral to the removed partner is refused; correcting the old one is not.
    let res = post(&app, &s.sp1, &acts, &referral("2026-04-04", Some(polis))).await;
    assert_eq!(res.status(), 422);
    let mut b = referral("2026-04-05", Some(polis));
    b["minutes"] = json!(45);
    let res = send(
        &app,
        reqwest::Method::PUT,
        &s.sp1,
        &format!("{acts}/{aid}"),
        Some(&b),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let list = get(&app, &s.sp1, &acts).await;
    assert_eq!(
        (list[0]["partner"].as_u64(), list[0]["minutes"].as_u64()),
        (Some(u64::from(polis)), Some(45))
    );
    assert_eq!(list[0]["partner_kind"], "polis");
    // Moved to a partner on the list, it takes that one.
    let b = referral("2026-04-05", Some(soc));
    let res = send(
        &app,
        reqwest::Method::PUT,
        &s.sp1,
        &format!("{acts}/{aid}"),
        Some(&b),
    )
    .await;
    assert!(res.status().is_success());
    let list = get(&app, &s.sp1, &acts).await;
    assert_eq!(list[0]["partner_kind"], "socialtjanst");
}

/// The agreement page's partner form: a coordinator adds a partner; a bad organisation number is
/// said beside the form with what was typed kept, and nothing is saved.
#[tokio::test]
async fn the_agreement_page_adds_a_partner_and_explains_a_refusal() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (c, csrf) = app.login("samordnare").await;
    let path = app.at(&format!("/avtal/{}/samverkansparter", s.agreement));
    let res = c
        .post(&path)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Tjejjouren Exempel"),
            ("kind", "tjejjour_ungdomsjour"),
            ("orgnr", "802000-0001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"samverkanspart-fel\""), "{page}");
    assert!(page.contains("value=\"Tjejjouren Exempel\""));
    assert!(page.contains("value=\"tjejjour_ungdomsjour\" selected"));
    let res = c
        .post(&path)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Tjejjouren Exempel"),
            ("kind", "tjejjour_ungdomsjour"),
            ("orgnr", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = crate::helpers::text(&c, app.at(&format!("/avtal/{}", s.agreement))).await;
    assert!(
        page.contains("<th scope=\"row\">Tjejjouren Exempel</th>"),
        "{page}"
    );
    assert!(page.contains("Tjejjour eller ungdomsjour"));
}

/// The page a coordinator records the organisation's own work on: collaboration with a partner
/// chosen from the agreement's list, and a refusal said on the page with nothing saved.
#[tokio::test]
async fn the_coordinator_records_collaboration_on_the_page() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let (kvinnojour, ..) = partners_and_referrals(&app, &s).await;
    let (c, csrf) = app.login("samordnare").await;
    let page = crate::helpers::text(&c, app.at("/verksamhet")).await;
    let value = format!("{}/{kvinnojour}", s.agreement);
    assert!(
        page.contains(&format!(
            "<option value=\"{value}\">Kvinnojouren (kvinnojour)</option>"
        )),
        "{page}"
    );
    let send = |partner: String, hours: &'static str| {
        let c = c.clone();
        let csrf = csrf.clone();
        let url = app.at("/verksamhet/samverkan");
        async move {
            c.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("month", "2026-03"),
                    ("partner", partner.as_str()),
                    ("form", "utbildning"),
                    ("hours", hours),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = send(value.clone(), "2,5").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Samverkan är registrerad.")
    );
    let res = send(String::new(), "1").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Välj samverkanspart."));
    let doc = issue(&app, &s.sam, &s.agreement, "2026-Q1").await;
    assert_eq!(cell(&doc, "samverkan_form", "utbildning"), Some(2.5));
}
