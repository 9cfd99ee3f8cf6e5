//! Issuing follow-up reports through HTTP (SPEC § 3.3, § 4): the story of the issue, on a running app.

use crate::arenden::setup;
use crate::helpers::{TestApp, error_code, spawn_app};
use boj_domain::Role;
use serde_json::{Value, json};

/// A victim's case within reach of the agreement (assault, police report, informed).
pub(crate) fn case(agreement: &str, opened_on: &str, municipality: &str, gender: &str) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": opened_on, "person_type": "brottsutsatt", "municipality": municipality,
        "gender": gender, "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    })
}

#[tokio::test]
async fn the_coordinator_issues_quarters_corrects_one_and_municipalities_read_them() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let c = TestApp::client();
    // Cases in Q1, Q2 and Q3: enough in Östersund to publish, a few in Ragunda.
    let mut q2_case = String::new();
    for (i, day) in ["2026-02-10", "2026-05-12", "2026-08-20"]
        .iter()
        .enumerate()
    {
        for n in 0..9 {
            let g = if n % 2 == 0 { "kvinna" } else { "man" };
            let id = app
                .register_case(&s.sp1, &case(&s.agreement, day, "2380", g))
                .await;
            if i == 1 && n == 0 {
                q2_case = id;
            }
        }
        app.register_case(&s.sp1, &case(&s.agreement, day, "2303", "kvinna"))
            .await;
        // Witnesses from elsewhere: within the agreement without residence ("annan eller okänd").
        for _ in 0..6 {
            let mut w = case(&s.agreement, day, "0180", "man");
            w["person_type"] = json!("vittne");
            app.register_case(&s.sp1, &w).await;
        }
    }
    for p in ["2026-Q1", "2026-Q2"] {
        let res = app.issue(&s.sam, &s.agreement, p).await;
        assert_eq!(res.status(), 201, "{p}: {}", res.text().await.unwrap());
    }
    // The half-year is the sum of its quarters, issued once both are.
    let res = app.issue(&s.sam, &s.agreement, "2026-H1").await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // A case opened in Q2 but registered after Q2 was issued goes to the next report issued.
    let late = app
        .register_case(&s.sp1, &case(&s.agreement, "2026-06-01", "2380", "man"))
        .await;
    let res = app.issue(&s.sam, &s.agreement, "2026-Q3").await;
    assert_eq!(res.status(), 201);
    let q3: String = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .into();
    let items = boj_store::rapporter::rakning(&app.store, &q3)
        .await
        .unwrap();
    let seq = boj_store::arenden::get(&app.store, &late)
        .await
        .unwrap()
        .seq;
    let snap = items.fall.iter().find(|(s, _)| *s == seq).map(|x| x.1);
    assert!(
        snap.is_some_and(|k| k.sent()),
        "the late case is counted in Q3, marked late"
    );
    // Its "varav sent registrerade" is 1: a small count, so it is protected in what is published.
    let doc: Value = c
        .get(app.at(&format!("/api/v1/reports/{q3}")))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = doc["report"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "sent_registrerade")
        .unwrap();
    assert_eq!(sent["cells"][0][0]["status"], "protected");
    assert!(sent["cells"][0][0]["value"].is_null());
    // Östersund's 10 cases are published; Ragunda's single case is not (nor, as its partner in the
    // column, the smallest other count).
    let kommun = doc["report"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "arenden_kommun")
        .unwrap();
    let row = |code: &str| {
        kommun["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["code"] == code)
            .unwrap()
    };
    assert_eq!(kommun["cells"][row("2380")][0]["value"], 10);
    assert!(kommun["cells"][row("2303")][0]["value"].is_null());
    assert!(
        !doc.to_string().contains("primar"),
        "why a cell is protected is never published"
    );
    // The organisation's record keeps the true values and each protection's reason.
    let record = boj_store::rapporter::record(&app.store, &q3).await.unwrap();
    assert!(record.contains("\"skal\":\"primar\"") && record.contains("\"skal\":\"sekundar\""));

    // The coordinator's preview: live numbers, with what a report would protect marked, margins too.
    let pv: Value = c
        .get(app.at(&format!(
            "/api/v1/reports/preview?agreement_id={}&from=2026-07-01&to=2026-09-30",
            s.agreement
        )))
        .bearer_auth(&s.sam)
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
        .find(|t| t["table"]["id"] == "arenden_kommun")
        .unwrap();
    let row = |code: &str| {
        t["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["code"] == code)
            .unwrap()
    };
    assert_eq!(
        t["table"]["cells"][row("2303")][0]["value"],
        1,
        "live numbers are shown to the coordinator"
    );
    assert_eq!(t["would_protect"][row("2303")][0], true);
    assert!(t["would_protect_total"].is_boolean());
    // Issuing Q3 again is refused with the existing report's id; so is the unfinished year and Q4.
    let res = app.issue(&s.sam, &s.agreement, "2026-Q3").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["id"], q3.as_str());
    for p in ["2026", "2026-Q4", "2025-Q4"] {
        let (status, code, msg) = error_code(app.issue(&s.sam, &s.agreement, p).await).await;
        assert_eq!(
            (status, code.as_str()),
            (422, "ogiltig_period"),
            "{p}: {msg}"
        );
    }
    let (status, _, _) = error_code(app.issue(&s.sam, "a_finns_inte", "2026-Q1").await).await;
    assert_eq!(status, 404);
    let (status, _, msg) = error_code(app.issue(&s.sam, &s.agreement, "2026-Q5").await).await;
    assert_eq!(status, 422, "{msg}");

    // A Q2 case's items are corrected: the coordinator sees it, and issues a second edition of Q2.
    let res = c
        .patch(app.at(&format!("/api/v1/cases/{q2_case}")))
        .bearer_auth(&s.sam)
        .json(&json!({"gender": "man"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (web, _) = app.login("samordnare").await;
    let page =
        crate::helpers::text(&web, app.at(&format!("/avtal/{}/rapporter", s.agreement))).await;
    assert!(page.contains("1 ärende ändrat sedan utfärdandet"), "{page}");
    let list: Value = c
        .get(app.at(&format!("/api/v1/reports?agreement_id={}", s.agreement)))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q2 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2026-Q2")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The published reason is a code from a short list: free text there is refused.
    let res = c
        .post(app.at(&format!("/api/v1/reports/{q2}/editions")))
        .bearer_auth(&s.sam)
        .json(&json!({"reason": "Rättelse av kön i ett ärende"}))
        .send()
        .await
        .unwrap();
    let (status, code, msg) = error_code(res).await;
    assert_eq!((status, code.as_str()), (422, "ogiltig_kod"));
    assert!(msg.contains("rattelse_uppgift"), "{msg}");
    let res = c
        .post(app.at(&format!("/api/v1/reports/{q2}/editions")))
        .bearer_auth(&s.sam)
        .json(&json!({"reason": "rattelse_uppgift", "note": "Kön rättat i ett ärende"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let list: Value = c
        .get(app.at(&format!("/api/v1/reports?agreement_id={}", s.agreement)))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q2s: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2026-Q2")
        .map(|r| r["edition"].as_i64().unwrap())
        .collect();
    assert_eq!(q2s, vec![2, 1], "newest edition first");
    // The half-year containing Q2 was re-issued with it.
    let h1s: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2026-H1")
        .map(|r| r["edition"].as_i64().unwrap())
        .collect();
    assert_eq!(h1s, vec![2, 1]);
    let h1 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2026-H1")
        .unwrap();
    // The reason is published as a code; the note stays in the organisation's record.
    assert_eq!(h1["reason"], "rattelse_uppgift");
    assert!(!h1.to_string().contains("Kön rättat"));

    // A municipal official reads the issued reports, and nothing live.
    let k = app.user("kommun-2303", Role::Kommun).await;
    let kt = app.token(&k).await;
    let res = c
        .get(app.at(&format!("/api/v1/reports?agreement_id={}", s.agreement)))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .get(app.at(&format!("/api/v1/reports/{q3}")))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let signed = res.bytes().await.unwrap().to_vec();
    for (ext, mime) in [
        ("csv", "text/csv; charset=utf-8"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let res = c
            .get(app.at(&format!("/api/v1/reports/{q3}/{ext}")))
            .bearer_auth(&kt)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{ext}");
        assert_eq!(res.headers()["content-type"], mime);
        let body = res.bytes().await.unwrap();
        if ext == "csv" {
            let text = String::from_utf8(body.to_vec()).unwrap();
            assert!(
                text.contains(
                    "arenden_kommun;Ärenden per hemkommun;2380;Östersund;antal;Antal;10;publicerad"
                ),
                "{text}"
            );
            assert!(text.contains(";..;skyddad"));
        } else {
            assert!(body.starts_with(b"PK"), "a zip container");
        }
    }
    let res = c
        .get(app.at(&format!(
            "/api/v1/reports/preview?agreement_id={}&from=2026-01-01&to=2026-11-25",
            s.agreement
        )))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = c
        .get(app.at(&format!("/api/v1/cases/{late}")))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (web, _) = app.login("kommun-2303").await;
    let page =
        crate::helpers::text(&web, app.at(&format!("/avtal/{}/rapporter", s.agreement))).await;
    assert!(
        page.contains("2026-Q3") && page.contains("Sen"),
        "period and deadline status are listed"
    );
    let view = crate::helpers::text(&web, app.at(&format!("/rapporter/{q3}"))).await;
    assert!(
        view.contains("class=\"bars\" role=\"img\" aria-label=\"Stapeldiagram: "),
        "charts with a text alternative"
    );
    // Their labels and values are real text, not outlined glyphs; the bars are SVG rectangles.
    assert!(view.contains("<span class=\"bar-label\">Östersund"));
    assert!(view.contains("<rect x=\"0\" width=\""));
    assert!(!view.contains("<path"), "no text drawn as outlines");
    // Ragunda's official: their municipality's bar first in the chart and marked, as in the table.
    let chart = view.split("class=\"barlist\"").nth(1).unwrap();
    let first = chart.split("<span class=\"bar-label\">").nth(1).unwrap();
    assert!(
        first.starts_with("Ragunda <strong class=\"own-tag\">din kommun</strong>"),
        "{}",
        &first[..80]
    );
    assert!(view.contains(
        "<tr class=\"egen\"><th scope=\"row\">Ragunda <strong class=\"own-tag\">din kommun</strong>"
    ));
    assert!(
        view.contains("/pdf") && view.contains("/xlsx") && view.contains("/csv"),
        "download links"
    );
    assert!(
        !page.contains("ändrat sedan"),
        "changes since issue are the coordinator's only"
    );
    // Swedish time, and the verification details in their own section after the tables.
    assert!(view.contains(" kl. "), "issued in Swedish time");
    assert!(
        !view.contains("anhorig_brottsutsatt") && view.contains("Brottsutsatt"),
        "target groups by their names, not codes"
    );
    let tables = view.find("Ärenden per hemkommun").unwrap();
    let check = view.find("Kontrollera rapporten").unwrap();
    assert!(check > tables && view.find("Kontrollsumma (SHA-256)").unwrap() > check);

    // The document verifies offline with the public key, and a changed byte does not.
    let keys: Value = c
        .get(app.at("/api/v1/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = keys["items"][0]["public_key"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q3.json");
    std::fs::write(&file, &signed).unwrap();
    // The report carries the audit log's head as it was signed at the issue (SPEC § 6), and the
    // log still reaches it.
    let published: Value = serde_json::from_slice(&signed).unwrap();
    let head = &published["report"]["audit_head"];
    assert!(head["seq"].as_i64().unwrap() > 1, "{head}");
    assert_eq!(head["sha256"].as_str().unwrap().len(), 64);
    let (code, out, err) = app.boj(&["audit", "verify", "--against", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("når fram till 1 intyg"), "{out}");
    // A head rewritten in the report, its digest recomputed to match, fails on the signature.
    let mut forged = published.clone();
    forged["report"]["audit_head"]["seq"] = json!(1);
    let bytes = boj_rapport::signatur::kanonisk(&forged["report"]).unwrap();
    forged["signature"]["sha256"] = json!(boj_rapport::signatur::sha256_hex(&bytes));
    let forged_file = dir.path().join("q3-forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let (code, out, err) = app.boj(&[
        "audit",
        "verify",
        "--against",
        forged_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("signaturen"), "{err}");
    let verify = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_boj"))
            .args(["report", "verify"])
            .arg(&file)
            .args(extra)
            .env_remove("BOJ_DATABASE_URL")
            .env_remove("BOJ_DATA")
            .output()
            .unwrap()
    };
    // The PDF carries the same signed document: verify accepts it as it is.
    let res = c
        .get(app.at(&format!("/api/v1/reports/{q3}/pdf")))
        .bearer_auth(&kt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = dir.path().join("q3.pdf");
    std::fs::write(&pdf, res.bytes().await.unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_boj"))
        .args(["report", "verify"])
        .arg(&pdf)
        .args(["--key", &key])
        .env_remove("BOJ_DATABASE_URL")
        .env_remove("BOJ_DATA")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(&["--key", &key]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signerad med nyckeln"));
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("inte kontrollerad"));
    let text = String::from_utf8(signed).unwrap();
    let i = text.find("\"value\":10").unwrap() + "\"value\":1".len();
    let mut changed = text.into_bytes();
    changed[i] = b'1';
    std::fs::write(&file, &changed).unwrap();
    let out = verify(&["--key", &key]);
    assert_eq!(out.status.code(), Some(1), "one changed byte is refused");
}

/// Two coordinators issue the same quarter at the same moment: one report is issued, the other
/// request is refused with 409, and there is exactly one first edition.
#[tokio::test]
async fn issuing_the_same_period_twice_at_once_issues_it_once() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for n in 0..6 {
        let g = if n % 2 == 0 { "kvinna" } else { "man" };
        app.register_case(&s.sp1, &case(&s.agreement, "2026-04-15", "2380", g))
            .await;
    }
    let (a, b) = tokio::join!(
        app.issue(&s.sam, &s.agreement, "2026-Q2"),
        app.issue(&s.sam, &s.agreement, "2026-Q2")
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let list: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/reports?agreement_id={}", s.agreement)))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

/// Stores a bare cycle report with its record through the store (no document, no protection).
async fn lagg_in(
    app: &TestApp,
    agreement: &str,
    id: &str,
    period: &str,
    nyckel: &str,
    items: Option<&boj_rapport::rakning::Rakning>,
) {
    let mut tx = app.store.begin().await.unwrap();
    boj_store::rapporter::insert(
        &mut tx,
        None,
        id,
        &boj_store::rapporter::NyRapport {
            agreement_id: agreement,
            period,
            edition: 1,
            cycle: true,
            parts: &[],
            issued_at: 0,
            reason: None,
            reason_note: None,
            document: "{}",
            digest: "",
            key_id: nyckel,
            record: "[]",
            items,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A record larger than one part (SPEC § 3.3 at scale) is stored in parts and read back whole, part
/// by part, and sized from the parts' counts, on SQLite and PostgreSQL.
#[tokio::test]
async fn a_large_record_is_stored_and_read_in_parts() {
    use boj_rapport::rakning::{Aktpost, DEL, Fallkod, KODBITAR, Rakning};
    use boj_store::rapporter;
    let app = spawn_app().await;
    let s = setup(&app).await;
    // A report issued through the API first, for the organisation's signing key.
    app.register_case(&s.sp1, &case(&s.agreement, "2026-02-10", "2380", "man"))
        .await;
    assert_eq!(
        app.issue(&s.sam, &s.agreement, "2026-Q1").await.status(),
        201
    );
    let nyckel = rapporter::public_keys(&app.store).await.unwrap()[0]
        .id
        .clone();
    let fall = 2 * DEL + 5;
    let akt = DEL + 1;
    let stor = Rakning {
        fall: (0..fall as i64)
            .map(|i| (i - 7, Fallkod((i as u64 * 7_919) & KODBITAR)))
            .collect(),
        aktiviteter: (0..akt as i64)
            .map(|i| Aktpost {
                seq: i,
                fall: i / 2 - 7,
                slag: (i % 6) as u8,
                satt: (i % 4) as u8,
                minuter: (i % 1_441) as u16,
                inom: i % 3 != 0,
                partner: (i % 9) as u8,
            })
            .collect(),
        vittnesstod: vec![("v_1".to_string(), [1, 2, 3, 4])],
        timmar: vec![("t_1".to_string(), 1, 250)],
        samverkan: vec![("s_1".to_string(), 2, 1, 375)],
    };
    lagg_in(
        &app,
        &s.agreement,
        "r_stor",
        "2099-Q1",
        &nyckel,
        Some(&stor),
    )
    .await;
    let mut delar = Vec::new();
    rapporter::rakning_delar(&app.store, "r_stor", |d| {
        delar.push((d.fall.len(), d.aktiviteter.len(), d.vittnesstod.len()));
        Ok::<_, boj_store::StoreError>(())
    })
    .await
    .unwrap();
    assert_eq!(
        delar,
        [(DEL, DEL, 1), (DEL, 1, 0), (5, 0, 0)],
        "parts of at most DEL items each, the few others in the first"
    );
    assert_eq!(
        rapporter::rakning(&app.store, "r_stor").await.unwrap(),
        stor
    );
    assert_eq!(
        rapporter::rakning_antal(&app.store, &["r_stor".to_string()])
            .await
            .unwrap(),
        rapporter::Antal {
            fall,
            aktiviteter: akt
        }
    );
    // A record written before migration 0012 (one value in report_counts) is read as one part
    // and counts nothing for sizing.
    let liten = Rakning {
        fall: stor.fall[..3].to_vec(),
        aktiviteter: stor.aktiviteter[..2].to_vec(),
        ..Rakning::default()
    };
    lagg_in(&app, &s.agreement, "r_fore", "2099-Q2", &nyckel, None).await;
    sqlx::query("INSERT INTO report_counts (report_id, items) VALUES ($1, $2)")
        .bind("r_fore")
        .bind(liten.koda())
        .execute(app.store.pool())
        .await
        .unwrap();
    let mut delar = 0;
    rapporter::rakning_delar(&app.store, "r_fore", |d| {
        delar += 1;
        assert_eq!(d, liten);
        Ok::<_, boj_store::StoreError>(())
    })
    .await
    .unwrap();
    assert_eq!(delar, 1);
    assert_eq!(
        rapporter::rakning_antal(&app.store, &["r_fore".to_string()])
            .await
            .unwrap(),
        rapporter::Antal::default()
    );
}

/// The start pages of a municipal official and a county strategist show each issued period's cases
/// as the reports published them: a protected value stays protected, and cases registered since
/// do not move the figures (never live counts). Checked against the published JSON.
#[tokio::test]
async fn the_trend_on_the_start_page_is_read_from_issued_reports_only() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for n in 0..9 {
        let g = if n % 2 == 0 { "kvinna" } else { "man" };
        app.register_case(&s.sp1, &case(&s.agreement, "2026-08-20", "2380", g))
            .await;
    }
    app.register_case(&s.sp1, &case(&s.agreement, "2026-08-20", "2303", "kvinna"))
        .await;
    for _ in 0..6 {
        let mut w = case(&s.agreement, "2026-08-20", "0180", "man");
        w["person_type"] = json!("vittne");
        app.register_case(&s.sp1, &w).await;
    }
    // The agreement's other main figures: witness support and volunteer hours.
    let c = TestApp::client();
    let w = json!({"date": "2026-08-12", "court": "Östersunds tingsrätt", "counts": {"vittne": 4, "malsagande": 2}, "hours": 6.5});
    let h = json!({"month": "2026-08", "kind": "vittnesstod", "hours": 12.25});
    for (path, body) in [
        ("/api/v1/witness-support", w),
        ("/api/v1/volunteer-hours", h),
    ] {
        let res = c
            .post(app.at(path))
            .bearer_auth(&s.sam)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{path}");
    }
    let res = app.issue(&s.sam, &s.agreement, "2026-Q3").await;
    assert_eq!(res.status(), 201);
    let q3: String = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .into();
    // More cases of the same quarter after the issue: the live count moves, the trend must not.
    for _ in 0..5 {
        app.register_case(&s.sp1, &case(&s.agreement, "2026-08-21", "2380", "man"))
            .await;
    }
    let doc: Value = TestApp::client()
        .get(app.at(&format!("/api/v1/reports/{q3}")))
        .bearer_auth(&s.sam)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = doc["report"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "arenden_kommun")
        .unwrap();
    let published = |code: &str| {
        let i = t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["code"] == code)
            .unwrap();
        t["cells"][i][0]["value"]
            .as_u64()
            .map_or("..".to_string(), |v| v.to_string())
    };
    let total = t["total"]["value"]
        .as_u64()
        .map_or("..".to_string(), |v| v.to_string());
    assert_eq!(published("2303"), "..", "Ragunda's one case is protected");
    // The other figures as published, written the Swedish way (one decimal for hours).
    let summa = |id: &str| {
        doc["report"]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()["total"]["value"]
            .clone()
    };
    let vittnen = summa("vittnesstod").as_u64().unwrap().to_string();
    let timmar = format!("{:.1}", summa("ideella_timmar").as_f64().unwrap()).replace('.', ",");
    assert_eq!(vittnen, "6");
    let start = |name: &'static str| {
        let app = &app;
        async move {
            let (c, _) = app.login(name).await;
            crate::helpers::text(&c, app.at("/")).await
        }
    };
    let row = |page: &str| {
        let at = page
            .find(&format!("<a href=\"/rapporter/{q3}\">2026-Q3</a>"))
            .expect("the period links its report");
        let end = page[at..].find("</tr>").unwrap() + at;
        page[at..end].to_string()
    };
    let cells = |r: &str| -> Vec<String> {
        r.split("<td class=\"num\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().to_string())
            .collect()
    };
    // Östersund's official: their municipality and the whole agreement.
    app.user_in(
        "kommun-2380",
        Role::Kommun,
        boj_domain::Scope::Kommun(boj_domain::Kommunkod::parse("2380").unwrap()),
    )
    .await;
    let page = start("kommun-2380").await;
    assert!(page.contains("Utvecklingen: IOP"));
    assert!(page.contains(&format!(
        "href=\"/rapporter/{q3}\">Senaste rapporten: 2026-Q3"
    )));
    assert_eq!(
        cells(&row(&page)),
        [
            published("2380"),
            total.clone(),
            vittnen.clone(),
            timmar.clone()
        ]
    );
    assert!(page.contains("Volontärtimmar (hela överenskommelsen)"));
    // Ragunda's: protected stays protected.
    app.user("kommun-2303", Role::Kommun).await;
    let page = start("kommun-2303").await;
    assert_eq!(
        cells(&row(&page)),
        [
            "..".to_string(),
            total.clone(),
            vittnen.clone(),
            timmar.clone()
        ]
    );
    // The county strategist: every row of the report, then the whole agreement.
    let page = start("forbund").await;
    let r = cells(&row(&page));
    assert_eq!(r[r.len() - 3..], [total.clone(), vittnen, timmar]);
    assert!(r.contains(&published("2380")) && r.contains(&"..".to_string()));
    assert!(page.contains("Bidrag och fördelning"));
}
