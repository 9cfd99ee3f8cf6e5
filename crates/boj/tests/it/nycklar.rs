//! Key rotation (SPEC § 6: keys can be rotated): `boj keys rotate` while the server registers cases
//! with contact details leaves every detail readable with the new master key alone, the old key
//! gone; `boj keys rotate-signing` gives an organisation a new report-signing key while the old
//! public key stays published; the master key can live outside the data directory.

use crate::arenden::setup;
use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use sqlx::Row;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn case(agreement: &str, n: usize) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": "2026-11-20", "person_type": "brottsutsatt", "municipality": "2380",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": true,
        "contact": {"name": format!("Person Nummer{n}"), "phone": "070-765 43 21"}
    })
}

/// Every case's contact details read through the server, each the name it was registered with.
async fn contacts_read_right(app: &TestApp, token: &str, cases: &[(String, usize)]) {
    for (id, n) in cases {
        let v: Value = TestApp::client()
            .get(app.at(&format!("/api/v1/cases/{id}/contact")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["name"], format!("Person Nummer{n}"), "{id}");
    }
}

fn key_files(app: &TestApp) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(app.data_dir().join("keys"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn rotating_the_master_key_under_load_leaves_every_detail_readable_with_the_new_key_only() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // The coordinator's second factor and the organisation's signing key are wrapped too.
    app.login("samordnare").await;
    let (code, _, err) = app.boj(&["keys", "rotate-signing", "--organisation", &app.org_id]);
    assert_eq!(code, 0, "{err}");
    let mut cases = Vec::new();
    for n in 0..30 {
        let v: Value = app
            .post_case(&s.sp1, &case(&s.agreement, n))
            .await
            .json()
            .await
            .unwrap();
        cases.push((v["id"].as_str().unwrap().to_string(), n));
    }
    let before = std::fs::read_to_string(app.data_dir().join("keys").join("master.key")).unwrap();

    // Intake goes on through the rotation: the server wraps new cases' keys meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (url, token, agreement, stop) = (
            app.at("/api/v1/cases"),
            s.sp1.clone(),
            s.agreement.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let c = TestApp::client();
            let mut made = Vec::new();
            let mut n = 1000;
            while !stop.load(Ordering::Relaxed) {
                let res = c
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&case(&agreement, n))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let v: Value = res.json().await.unwrap();
                made.push((v["id"].as_str().unwrap().to_string(), n));
                n += 1;
            }
            made
        })
    };
    let (code, out, err) = app.boj(&["keys", "rotate"]);
    assert_eq!(code, 0, "{out}{err}");
    stop.store(true, Ordering::Relaxed);
    cases.extend(writer.await.unwrap());
    assert!(out.contains("huvudnyckeln är bytt"), "{out}");

    // A new master key; no next or retired key is left beside it.
    let after = std::fs::read_to_string(app.data_dir().join("keys").join("master.key")).unwrap();
    assert_ne!(before, after);
    assert_eq!(key_files(&app), ["granskning.key", "master.key"]);

    // Every wrapped key opens with the new master key alone.
    let fresh = boj_store::nycklar::Nyckelring::load(app.data_dir()).unwrap();
    for (table, id_col, col) in boj_store::nyckelbyte::INSLAGNA {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col} AS id, {col} AS w FROM {table}"
        )))
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        assert!(!rows.is_empty(), "{table}");
        for r in rows {
            let id: String = r.get("id");
            let w: Vec<u8> = r.get("w");
            fresh
                .unwrap_key(&w, &format!("{table}.{col}:{id}"))
                .unwrap_or_else(|e| panic!("{table} {id}: {e}"));
        }
    }
    // And through the server, which began with the old key: every case's details, right.
    contacts_read_right(&app, &s.sp1, &cases).await;
    // The coordinator still signs in with the second factor sealed before the rotation.
    app.login("samordnare").await;
    // The rotation is in the audit log.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'nyckel.huvudnyckel_bytt'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_new_signing_key_signs_from_now_on_and_the_old_stays_published() {
    let app = spawn_app().await;
    setup(&app).await;
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let (code, out, err) =
                app.boj(&["keys", "rotate-signing", "--organisation", &app.org_id]);
            assert_eq!(code, 0, "{err}");
            out.trim().to_string()
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    let keys: Value = TestApp::client()
        .get(app.at("/api/v1/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let published: Vec<&str> = keys["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.iter().all(|id| published.contains(&id.as_str())),
        "{keys}"
    );
    // The newest signs.
    let keyring = boj_store::nycklar::Nyckelring::load(app.data_dir()).unwrap();
    let now = boj_store::rapporter::signing_key(&app.store, &keyring, &app.org_id)
        .await
        .unwrap();
    assert_eq!(now.id, ids[1]);
    // An organisation that does not exist is refused.
    let (code, _, err) = app.boj(&["keys", "rotate-signing", "--organisation", "o_finns_inte"]);
    assert_eq!(code, 3, "{err}");
}

#[tokio::test]
async fn the_master_key_can_live_outside_the_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("boj-master.key");
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_boj"))
            .args(args)
            .arg("--data")
            .arg(data.path())
            .arg("--key-file")
            .arg(&key_file)
            .env_remove("BOJ_DATABASE_URL")
            .env("BOJ_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = c.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["init"], "ett-langt-losenord\n");
    assert_eq!(code, 0, "{err}");
    assert!(key_file.exists());
    assert!(
        !data.path().join("keys").join("master.key").exists(),
        "the key is not in the data directory"
    );
    let (code, err) = run(&["keys", "rotate"], "");
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&["audit", "verify"], "");
    assert_eq!(code, 0, "{err}");
}

/// An interrupted rotation goes on where it stopped: the next key written and some values wrapped
/// under it, then `boj keys rotate` again finishes the job.
#[tokio::test]
async fn an_interrupted_rotation_is_finished_by_running_it_again() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut cases = Vec::new();
    for n in 0..5 {
        let v: Value = app
            .post_case(&s.sp1, &case(&s.agreement, n))
            .await
            .json()
            .await
            .unwrap();
        cases.push((v["id"].as_str().unwrap().to_string(), n));
    }
    // The first rotation stopped after writing its next key and before re-wrapping anything; the
    // server wraps new cases' keys with the next key from then on.
    let keys = boj_store::nycklar::Nyckelring::load(app.data_dir()).unwrap();
    assert!(keys.paborja_byte().unwrap());
    for n in 5..8 {
        let v: Value = app
            .post_case(&s.sp1, &case(&s.agreement, n))
            .await
            .json()
            .await
            .unwrap();
        cases.push((v["id"].as_str().unwrap().to_string(), n));
    }
    let next_header = keys.huvud().unwrap();
    let under_next: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM case_keys WHERE substr(wrapped, 1, 9) = $1")
            .bind(next_header.clone())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        under_next, 3,
        "the server wraps with the next key once it exists"
    );
    assert!(key_files(&app).iter().any(|f| f == "master.key.next"));

    let (code, out, err) = app.boj(&["keys", "rotate"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(key_files(&app), ["granskning.key", "master.key"]);
    // The key the first run made is the one in use: nothing wrapped under it was redone for
    // nothing, and everything opens with it alone.
    let fresh = boj_store::nycklar::Nyckelring::load(app.data_dir()).unwrap();
    assert_eq!(fresh.huvud().unwrap(), next_header);
    assert_eq!(
        boj_store::nyckelbyte::kvar(&app.store, &fresh)
            .await
            .unwrap(),
        0
    );
    contacts_read_right(&app, &s.sp1, &cases).await;
}
