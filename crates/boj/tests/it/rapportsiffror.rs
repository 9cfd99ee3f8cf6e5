//! The figures of issued reports, checked against computations written apart from the report
//! engine: plain SQL `GROUP BY` over the stored cases and activities, the sum of the quarters, and
//! arithmetic an outsider can do on the published documents alone (SPEC § 5).

use crate::arenden::{Setup, setup};
use crate::helpers::{TestApp, spawn_app};
use crate::rapporter::case;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const KOMMUNER: [&str; 4] = ["2303", "2326", "2380", "0180"];
const KON: [&str; 4] = ["kvinna", "man", "annat", "okant"];
const SLAG: [&str; 6] = [
    "stodsamtal",
    "information",
    "praktisk_hjalp",
    "medfoljning_polis",
    "medfoljning_rattegang",
    "hanvisning",
];
const SATT: [&str; 4] = ["telefon", "mote", "video", "skriftligt"];

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    let res = TestApp::client()
        .post(app.at(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Random cases (some outside the agreement: Berg is pending, a victim from elsewhere needs
/// residence) with random activities, opened in the first two quarters; returns the case ids.
/// The agreement's collaboration partners (a women's shelter, 1, and the police, 2), added once.
async fn partners(app: &TestApp, s: &Setup) {
    let a: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/agreements/{}", s.agreement)))
        .bearer_auth(&s.forbund)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if a["settings"]["partners"]
        .as_array()
        .is_some_and(|p| !p.is_empty())
    {
        return;
    }
    for (name, kind) in [("Kvinnojouren", "kvinnojour"), ("Polisen", "polis")] {
        post(
            app,
            &s.forbund,
            &format!("/api/v1/agreements/{}/partners", s.agreement),
            &json!({"name": name, "kind": kind}),
        )
        .await;
    }
}

async fn slumpa(app: &TestApp, s: &Setup, seed: u64) -> Vec<String> {
    partners(app, s).await;
    let (token, agreement) = (s.sp1.as_str(), s.agreement.as_str());
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ids = Vec::new();
    for _ in 0..70 {
        let manad = rng.random_range(1..=6);
        let dag = rng.random_range(1..=28);
        let opened = format!("2026-{manad:02}-{dag:02}");
        let vittne = rng.random_bool(0.3);
        let body = json!({
            "agreement_id": agreement, "opened_on": opened,
            "person_type": if vittne { "vittne" } else { "brottsutsatt" },
            "municipality": KOMMUNER[rng.random_range(0..KOMMUNER.len())],
            "gender": KON[rng.random_range(0..KON.len())], "age_band": "25-44",
            "crime_types": ["misshandel"], "circumstances": [], "police_report": "ja",
            "first_contact": "polis", "informed_11_6": rng.random_bool(0.8), "consent_contact": false
        });
        let id = post(app, token, "/api/v1/cases", &body).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        // Activities in the case's quarter (so that no late registration blurs the check).
        for _ in 0..rng.random_range(0..4) {
            let am = if manad <= 3 {
                rng.random_range(manad..=3)
            } else {
                rng.random_range(manad..=6)
            };
            let kind = SLAG[rng.random_range(0..SLAG.len())];
            let mut act = json!({
                "date": format!("2026-{am:02}-{:02}", rng.random_range(dag.min(28)..=28)),
                "kind": kind,
                "mode": SATT[rng.random_range(0..SATT.len())],
                "minutes": rng.random_range(5..120),
            });
            if kind == "hanvisning" {
                act["partner"] = json!(rng.random_range(1..=2));
            }
            post(app, token, &format!("/api/v1/cases/{id}/activities"), &act).await;
        }
        ids.push(id);
    }
    ids
}

/// The organisation's record of a report (true values): table id → the table.
async fn register(app: &TestApp, id: &str) -> BTreeMap<String, Value> {
    let record = boj_store::rapporter::record(&app.store, id).await.unwrap();
    let t: Vec<Value> = serde_json::from_str(&record).unwrap();
    t.into_iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t))
        .collect()
}

fn varde(t: &Value, rad: &str, kol: usize) -> i64 {
    let i = t["rader"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["code"] == rad)
        .unwrap_or_else(|| panic!("row {rad} in {}", t["id"]));
    t["celler"][i][kol]["varde"].as_i64().unwrap()
}

/// `SELECT key, COUNT(*), SUM(minutes)` over a period, as plain SQL.
async fn sql(
    app: &TestApp,
    q: &str,
    agreement: &str,
    fran: &str,
    till: &str,
) -> Vec<(String, i64, i64)> {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(q.to_string()))
        .bind(agreement.to_string())
        .bind(fran.to_string())
        .bind(till.to_string())
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get::<String, _>(0),
                r.get::<i64, _>(1),
                r.get::<i64, _>(2),
            )
        })
        .collect()
}

const AKT_SLAG: &str = "SELECT a.kind, COUNT(*), CAST(SUM(a.minutes) AS BIGINT) FROM activities a \
    JOIN cases c ON c.id = a.case_id WHERE c.agreement_id = $1 AND c.eligibility = 'inom' \
    AND a.date >= $2 AND a.date <= $3 GROUP BY a.kind";
const AKT_SATT: &str = "SELECT a.mode, COUNT(*), CAST(SUM(a.minutes) AS BIGINT) FROM activities a \
    JOIN cases c ON c.id = a.case_id WHERE c.agreement_id = $1 AND c.eligibility = 'inom' \
    AND a.date >= $2 AND a.date <= $3 GROUP BY a.mode";
const KOMMUN: &str = "SELECT CASE WHEN municipality IN ('2303', '2326', '2380') THEN municipality \
    ELSE 'annan_okand' END AS k, COUNT(*), CAST(0 AS BIGINT) FROM cases WHERE agreement_id = $1 \
    AND eligibility = 'inom' AND opened_on >= $2 AND opened_on <= $3 GROUP BY 1";
/// Referrals: the distinct cases within the agreement referred to each kind of partner.
const HANV: &str = "SELECT a.partner_kind, COUNT(DISTINCT a.case_id), CAST(0 AS BIGINT) FROM activities a \
    JOIN cases c ON c.id = a.case_id WHERE c.agreement_id = $1 AND c.eligibility = 'inom' \
    AND a.kind = 'hanvisning' AND a.date >= $2 AND a.date <= $3 GROUP BY a.partner_kind";
const KONET: &str = "SELECT gender, COUNT(*), CAST(0 AS BIGINT) FROM cases WHERE agreement_id = $1 \
    AND eligibility = 'inom' AND opened_on >= $2 AND opened_on <= $3 GROUP BY gender";

/// Every row of `tabell` (column `kol`, and minutes in column 1 for activities) equals SQL's.
async fn jamfor(
    app: &TestApp,
    r: &BTreeMap<String, Value>,
    tabell: &str,
    q: &str,
    agreement: &str,
    (fran, till): (&str, &str),
) {
    let t = &r[tabell];
    let rader: Vec<String> = t["rader"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect();
    let svar: BTreeMap<String, (i64, i64)> = sql(app, q, agreement, fran, till)
        .await
        .into_iter()
        .map(|(k, n, m)| (k, (n, m)))
        .collect();
    let akt = t["mangd"] == "akt";
    for rad in &rader {
        let (n, m) = svar.get(rad).copied().unwrap_or((0, 0));
        assert_eq!(varde(t, rad, 0), n, "{tabell} {rad} {fran}–{till}: count");
        if akt {
            assert_eq!(varde(t, rad, 1), m, "{tabell} {rad} {fran}–{till}: minutes");
        }
    }
    assert_eq!(
        svar.keys().filter(|k| !rader.contains(k)).count(),
        0,
        "{tabell}: SQL has rows the report lacks"
    );
}

/// The true values of a recorded table: inner cells, margins, total.
fn varden(t: &Value) -> Vec<i64> {
    let mut v: Vec<i64> = Vec::new();
    for rad in t["celler"].as_array().unwrap() {
        v.extend(
            rad.as_array()
                .unwrap()
                .iter()
                .map(|c| c["varde"].as_i64().unwrap()),
        );
    }
    for k in ["radsummor", "kolumnsummor"] {
        if let Some(a) = t[k].as_array() {
            v.extend(a.iter().map(|c| c["varde"].as_i64().unwrap()));
        }
    }
    if let Some(x) = t["total"]["varde"].as_i64() {
        v.push(x);
    }
    v
}

/// Every counting cell of the longer period is the sum of its quarters'.
fn summa_av(h: &BTreeMap<String, Value>, delar: &[&BTreeMap<String, Value>]) {
    for (id, t) in h {
        if t["mangd"] == "harl" {
            continue;
        }
        let mut summa = vec![0; varden(t).len()];
        for d in delar {
            for (s, x) in summa.iter_mut().zip(varden(&d[id])) {
                *s += x;
            }
        }
        assert_eq!(varden(t), summa, "{id}: not the sum of its parts");
    }
}

async fn issue(app: &TestApp, token: &str, agreement: &str, period: &str) -> String {
    post(
        app,
        token,
        "/api/v1/reports",
        &json!({"agreement_id": agreement, "period": period}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Q1, Q2 and H1 as recorded: activities (kind and mode), municipalities and gender equal plain
/// SQL in each, and H1 is the sum of the quarters in every table.
async fn forsta_halvaret(
    app: &TestApp,
    agreement: &str,
    q1: &str,
    q2: &str,
    h1: &str,
) -> (
    BTreeMap<String, Value>,
    BTreeMap<String, Value>,
    BTreeMap<String, Value>,
) {
    let (r1, r2, rh) = (
        register(app, q1).await,
        register(app, q2).await,
        register(app, h1).await,
    );
    for (r, period) in [
        (&r1, ("2026-01-01", "2026-03-31")),
        (&r2, ("2026-04-01", "2026-06-30")),
        (&rh, ("2026-01-01", "2026-06-30")),
    ] {
        for (tabell, q) in [
            ("aktiviteter_slag", AKT_SLAG),
            ("aktiviteter_satt", AKT_SATT),
            ("arenden_kommun", KOMMUN),
            ("kon", KONET),
        ] {
            jamfor(app, r, tabell, q, agreement, period).await;
        }
    }
    // Referrals count a case once per quarter and partner kind; the half-year sums them.
    for (r, period) in [
        (&r1, ("2026-01-01", "2026-03-31")),
        (&r2, ("2026-04-01", "2026-06-30")),
    ] {
        jamfor(app, r, "aktiviteter_hanvisningar", HANV, agreement, period).await;
    }
    assert!(
        varden(&rh["aktiviteter_hanvisningar"]).iter().sum::<i64>() > 0,
        "the sample has referrals"
    );
    summa_av(&rh, &[&r1, &r2]);
    (r1, r2, rh)
}

#[tokio::test]
async fn every_figure_equals_plain_sql_and_a_half_year_is_the_sum_of_its_quarters() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let ids = slumpa(&app, &s, 7).await;
    let q1 = issue(&app, &s.sam, &s.agreement, "2026-Q1").await;
    let q2 = issue(&app, &s.sam, &s.agreement, "2026-Q2").await;
    let h1 = issue(&app, &s.sam, &s.agreement, "2026-H1").await;
    let (_, r2, _) = forsta_halvaret(&app, &s.agreement, &q1, &q2, &h1).await;

    // One case's gender corrected: the new edition moves the gender table and nothing else.
    let inom: Vec<String> = {
        use sqlx::Row;
        sqlx::query(
            "SELECT id FROM cases WHERE agreement_id = $1 AND eligibility = 'inom' \
             AND opened_on >= '2026-04-01' AND gender = 'kvinna' ORDER BY id",
        )
        .bind(s.agreement.clone())
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
    };
    let fall = inom.first().expect("a woman's case in Q2");
    assert!(ids.contains(fall));
    let res = TestApp::client()
        .patch(app.at(&format!("/api/v1/cases/{fall}")))
        .bearer_auth(&s.sam)
        .json(&json!({"gender": "man"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let e2 = post(
        &app,
        &s.sam,
        &format!("/api/v1/reports/{q2}/editions"),
        &json!({"reason": "rattelse_uppgift"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r2b = register(&app, &e2).await;
    let flyttade: Vec<&String> = r2
        .iter()
        .filter(|(id, t)| varden(t) != varden(&r2b[*id]))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(flyttade, vec!["kon"], "only the gender table moves");
    jamfor(
        &app,
        &r2b,
        "kon",
        KONET,
        &s.agreement,
        ("2026-04-01", "2026-06-30"),
    )
    .await;
}

/// Published cells of one table of a published document, by (row, column).
fn publicerat(doc: &Value) -> BTreeMap<(String, String, String), Option<i64>> {
    let mut ut = BTreeMap::new();
    for t in doc["tables"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap().to_string();
        for (i, rad) in t["cells"].as_array().unwrap().iter().enumerate() {
            for (j, c) in rad.as_array().unwrap().iter().enumerate() {
                ut.insert(
                    (
                        id.clone(),
                        t["rows"][i]["code"].as_str().unwrap().to_string(),
                        t["columns"][j]["code"].as_str().unwrap().to_string(),
                    ),
                    c["value"].as_i64(),
                );
            }
        }
        if let Some(x) = t.get("total").filter(|x| !x.is_null()) {
            ut.insert((id, "total".into(), "total".into()), x["value"].as_i64());
        }
    }
    ut
}

async fn dokument(app: &TestApp, token: &str, id: &str) -> Value {
    let v: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/reports/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.get("report").cloned().unwrap_or(v)
}

/// The issue's story: a woman→man correction and back, a crime type going from the threshold to
/// one below it, then the year after every quarter and half-year. Every report is issued, and an
/// outsider subtracting any two editions of a period finds no small change of cases and no
/// change of activities at all.
#[tokio::test]
async fn corrections_and_the_year_are_issued_and_no_two_editions_tell_a_small_change() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    slumpa(&app, &s, 11).await;
    // Exactly five sexual-offence cases in Q2 (the threshold), in Östersund.
    let mut sexual = Vec::new();
    for d in [
        "2026-04-03",
        "2026-04-09",
        "2026-05-02",
        "2026-05-20",
        "2026-06-11",
    ] {
        let mut body = case(&s.agreement, d, "2380", "kvinna");
        body["crime_types"] = json!(["sexualbrott"]);
        sexual.push(
            post(&app, &s.sp1, "/api/v1/cases", &body).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Later quarters have cases too.
    for d in ["2026-08-10", "2026-11-10"] {
        for g in ["kvinna", "man", "kvinna", "man", "kvinna", "man"] {
            post(
                &app,
                &s.sp1,
                "/api/v1/cases",
                &case(&s.agreement, d, "2380", g),
            )
            .await;
        }
    }
    app.clock.advance(jiff::SignedDuration::from_hours(55 * 24)); // to 2027-01-20
    let mut q2 = String::new();
    for p in [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-H1", "2026-H2",
    ] {
        let id = issue(&app, &s.sam, &s.agreement, p).await;
        if p == "2026-Q2" {
            q2 = id;
        }
    }
    let patch = |id: String, body: Value| {
        let c = c.clone();
        let url = app.at(&format!("/api/v1/cases/{id}"));
        let token = s.sam.clone();
        async move {
            let res = c
                .patch(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
    };
    let mut utgavor = vec![q2.clone()];
    let ny = |from: String| {
        let path = format!("/api/v1/reports/{from}/editions");
        let (app, token) = (&app, s.sam.clone());
        async move {
            post(app, &token, &path, &json!({"reason": "rattelse_uppgift"})).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // A woman's case becomes a man's, then back: editions 2 and 3.
    patch(sexual[0].clone(), json!({"gender": "man"})).await;
    utgavor.push(ny(q2.clone()).await);
    patch(sexual[0].clone(), json!({"gender": "kvinna"})).await;
    utgavor.push(ny(q2.clone()).await);
    // Five sexual-offence cases become four: edition 4 (n → n − 1).
    patch(sexual[1].clone(), json!({"crime_types": ["misshandel"]})).await;
    utgavor.push(ny(q2.clone()).await);
    // The year, after all its quarters and half-years and the corrections.
    let ar = issue(&app, &s.sam, &s.agreement, "2026").await;
    let doc = dokument(&app, &s.sam, &ar).await;
    let tabeller: Vec<&str> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        tabeller.contains(&"kommun_kon"),
        "the year has its two-way tables"
    );

    let mut docs = Vec::new();
    for id in &utgavor {
        docs.push(publicerat(&dokument(&app, &s.sam, id).await));
    }
    for (i, a) in docs.iter().enumerate() {
        for b in &docs[i + 1..] {
            for (k, va) in a {
                let (Some(x), Some(Some(y))) = (va, b.get(k)) else {
                    continue;
                };
                let d = (x - y).abs();
                if k.0.starts_with("aktiviteter") {
                    assert_eq!(d, 0, "{k:?}: activities moved between published editions");
                } else {
                    assert!(d == 0 || d >= 5, "{k:?}: {x} and {y} tell a change of {d}");
                }
            }
        }
    }
}

/// An amendment raises the threshold from 5 to 7 late in the year: the quarters issued before keep
/// theirs, the last quarter is protected at 7, and the year — which repeats its quarters' published
/// cells — is protected under the smallest of its quarters' thresholds and still issued.
#[tokio::test]
async fn a_threshold_raised_within_the_year_still_lets_every_report_be_issued() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    slumpa(&app, &s, 5).await;
    for d in ["2026-10-05", "2026-11-02"] {
        for g in ["kvinna", "kvinna", "kvinna", "man", "man", "man"] {
            post(
                &app,
                &s.sp1,
                "/api/v1/cases",
                &case(&s.agreement, d, "2380", g),
            )
            .await;
        }
    }
    for p in ["2026-Q1", "2026-Q2", "2026-Q3", "2026-H1"] {
        issue(&app, &s.sam, &s.agreement, p).await;
    }
    let v2 = json!({"title": "IOP", "reference": "REF", "valid_from": "2026-01-01",
        "parties": ["2303", "2326", "2380"], "change_note": "Högre röjandetröskel",
        "settings": {"threshold": 7}});
    post(
        &app,
        &s.forbund,
        &format!("/api/v1/agreements/{}/versions", s.agreement),
        &v2,
    )
    .await;
    app.clock.advance(jiff::SignedDuration::from_hours(55 * 24)); // to 2027-01-20
    let q4 = issue(&app, &s.sam, &s.agreement, "2026-Q4").await;
    issue(&app, &s.sam, &s.agreement, "2026-H2").await;
    let ar = issue(&app, &s.sam, &s.agreement, "2026").await;
    let q4doc = dokument(&app, &s.sam, &q4).await;
    assert_eq!(q4doc["threshold"], 7);
    for (k, v) in publicerat(&q4doc) {
        if let Some(v) = v
            && !k.0.starts_with("aktiviteter")
        {
            assert!(v == 0 || v >= 7, "{k:?} = {v} published under threshold 7");
        }
    }
    assert_eq!(dokument(&app, &s.sam, &ar).await["threshold"], 5);
}

async fn preview(app: &TestApp, token: &str, agreement: &str) -> Value {
    let res = TestApp::client()
        .get(app.at(&format!(
            "/api/v1/reports/preview?agreement_id={agreement}&from=2026-01-01&to=2026-12-31"
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The report register is kept in memory per instance and follows the store through the audit
/// log: a second instance on the same database sees cases, activities and corrections made
/// through the first, and each instance learns what the other issued, so no case is counted twice.
#[tokio::test]
async fn a_second_instance_follows_every_change_through_the_audit_log() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let b = app.second_instance().await;
    slumpa(&app, &s, 11).await;
    let forst = preview(&b, &s.sam, &s.agreement).await;
    assert_eq!(forst, preview(&app, &s.sam, &s.agreement).await);
    // More through the first instance: cases, activities and a correction.
    let ids = slumpa(&app, &s, 12).await;
    let res = TestApp::client()
        .patch(app.at(&format!("/api/v1/cases/{}", ids[0])))
        .bearer_auth(&s.sam)
        .json(&json!({"gender": "annat", "municipality": "2326"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let nu = preview(&b, &s.sam, &s.agreement).await;
    assert_ne!(nu, forst, "the second instance saw the new cases");
    assert_eq!(nu, preview(&app, &s.sam, &s.agreement).await);
    // The second instance issues Q1, the first Q2 and H1: every figure is SQL's, H1 the sum.
    let q1 = issue(&b, &s.sam, &s.agreement, "2026-Q1").await;
    let q2 = issue(&app, &s.sam, &s.agreement, "2026-Q2").await;
    let h1 = issue(&app, &s.sam, &s.agreement, "2026-H1").await;
    forsta_halvaret(&app, &s.agreement, &q1, &q2, &h1).await;
}
