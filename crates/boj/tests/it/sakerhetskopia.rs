//! Backup and restore through the command line (SPEC § 4, § 6), on the database the tests run on:
//! a backup taken while cases are being registered holds every case acknowledged before it began;
//! a restore brings them back into a new data directory (or an empty PostgreSQL database), runs
//! retention so that what is due is erased again, and refuses a damaged or newer file leaving
//! nothing behind.

use crate::arenden::setup;
use crate::helpers::{TestApp, pg_url, spawn_app};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn case(agreement: &str) -> Value {
    json!({
        "agreement_id": agreement, "opened_on": "2026-11-20", "person_type": "brottsutsatt", "municipality": "2380",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    })
}

/// `boj restore` into a new data directory (and a new PostgreSQL database when the tests run
/// there): exit code, output, the directory and the database URL.
async fn restore(file: &std::path::Path) -> (i32, String, tempfile::TempDir, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = match pg_url() {
        Some(base) => Some(crate::helpers::fresh_pg_database(&base).await),
        None => None,
    };
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_boj"));
    c.args(["restore", "--data"])
        .arg(dir.path())
        .arg(file)
        .env("BOJ_LOG", "warn");
    match &url {
        Some(u) => c.env("BOJ_DATABASE_URL", u),
        None => c.env_remove("BOJ_DATABASE_URL"),
    };
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        dir,
        url,
    )
}

async fn open(dir: &std::path::Path, url: Option<&str>) -> boj_store::Store {
    boj_store::Store::open(dir, url, Arc::new(boj_store::clock::SystemClock))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_during_intake_restores_every_acknowledged_case_and_erases_what_is_due() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // A case with contact details, closed in October: due for erasure by the time of the restore
    // (retention has not run here), so the restore must erase it again.
    let mut old = case(&s.agreement);
    old["opened_on"] = json!("2026-09-01");
    old["consent_contact"] = json!(true);
    old["contact"] = json!({"name": "Gammal Kontakt", "phone": "070-222 33 44"});
    let old: Value = app.post_case(&s.sp1, &old).await.json().await.unwrap();
    let old = old["id"].as_str().unwrap().to_string();
    let res = TestApp::client()
        .post(app.at(&format!("/api/v1/cases/{old}/close")))
        .bearer_auth(&s.sp1)
        .json(&json!({"closed_on": "2026-10-01"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Intake goes on while the backup is taken.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..2 {
        let (url, token, body) = (app.at("/api/v1/cases"), s.sp1.clone(), case(&s.agreement));
        let (acked, stop) = (acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let c = TestApp::client();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let res = c
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let v: Value = res.json().await.unwrap();
                acked
                    .lock()
                    .unwrap()
                    .push(v["id"].as_str().unwrap().to_string());
            }
        }));
    }
    while acked.lock().unwrap().len() < 20 {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let file = app.data_dir().join("kopia.boj");
    let (code, out, err) = app.boj(&["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    // Written whole under its name, nothing left beside it.
    let beside: Vec<_> = std::fs::read_dir(app.data_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".boj-backup"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    let (code, out, dir, url) = restore(&file).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("gallrade 1"), "{out}");
    assert!(
        out.contains("master.key") && out.contains("granskning.key"),
        "the keys are not in a backup: {out}"
    );
    let restored = open(dir.path(), url.as_deref()).await;
    for id in before.iter().chain([&s.agreement]) {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE id = $1 UNION ALL SELECT COUNT(*) FROM agreements WHERE id = $1",
        )
        .bind(id.clone())
        .fetch_all(restored.pool())
        .await
        .unwrap()
        .iter()
        .sum();
        assert_eq!(n, 1, "{id} is not in the restored database");
    }
    // The case that was due is erased again: no details, no key.
    for table in ["case_contacts", "case_keys"] {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE case_id = $1"
        )))
        .bind(old.clone())
        .fetch_one(restored.pool())
        .await
        .unwrap();
        assert_eq!(n, 0, "{table} still holds the erased case");
    }
    // The audit log came along whole: with the instance's key (the master key copied apart, as the
    // operator does), its chain and checkpoints verify.
    std::fs::create_dir_all(dir.path().join("keys")).unwrap();
    std::fs::copy(
        app.data_dir().join("keys").join("master.key"),
        dir.path().join("keys").join("master.key"),
    )
    .unwrap();
    boj_store::audit::verify(&restored, &app.audit_key())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_damaged_or_newer_backup_is_refused_and_nothing_is_restored() {
    let app = spawn_app().await;
    setup(&app).await;
    let file = app.data_dir().join("kopia.boj");
    let (code, out, err) = app.boj(&["backup", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let bytes = std::fs::read(&file).unwrap();

    // One byte of a row changed (the organisation's name): the file is still a sound database.
    let damaged = app.data_dir().join("skadad.boj");
    let mut b = bytes.clone();
    let at = b
        .windows(10)
        .position(|w| w == b"Testjouren")
        .expect("the organisation's name is in the backup");
    b[at] = b'B';
    std::fs::write(&damaged, &b).unwrap();
    // A newer schema than this boj knows.
    let newer = app.data_dir().join("nyare.boj");
    std::fs::write(&newer, &bytes).unwrap();
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rw", newer.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE boj_backup SET value = '99990101000000' WHERE key = 'schema_version'")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    // A table the schema does not have (names from the file never reach the target's SQL).
    let extra = app.data_dir().join("extra.boj");
    std::fs::write(&extra, &bytes).unwrap();
    {
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rw", extra.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE \"x; DROP TABLE users\" (a TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    // Not a backup at all.
    let other = app.data_dir().join("annan.boj");
    std::fs::write(&other, b"inte en databas").unwrap();

    for (f, want) in [
        (&damaged, "skadad"),
        (&newer, "nyare databasschema"),
        (&extra, "en tabell som schemat inte har"),
        (&other, "skadad"),
    ] {
        let (code, out, dir, url) = restore(f).await;
        assert_eq!(code, 2, "{}: {out}", f.display());
        assert!(out.contains(want), "{}: {out}", f.display());
        // Nothing of it is kept: the target has no accounts, no cases.
        let target = open(dir.path(), url.as_deref()).await;
        assert!(!target.is_initialised().await.unwrap(), "{}", f.display());
    }
}
