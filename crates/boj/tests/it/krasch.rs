//! Crash safety (SPEC § 6: "no acknowledged write is lost if the process is killed"): `boj serve`,
//! the shipped binary, is killed with SIGKILL while clients register cases, twenty times, and
//! started again each time on the same database (SQLite, or PostgreSQL when the tests run there).
//! Afterwards every case that was acknowledged is there, SQLite's integrity check passes and the
//! audit chain holds.

use crate::arenden::setup;
use crate::helpers::{TestApp, serve, spawn_app};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const CYCLES: usize = 20;
const CLIENTS: usize = 4;

#[tokio::test]
async fn killing_serve_while_cases_are_registered_loses_no_acknowledged_case() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let body = json!({
        "agreement_id": s.agreement, "opened_on": "2026-11-20", "person_type": "brottsutsatt", "municipality": "2380",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": false
    });
    let mut acked: Vec<String> = Vec::new();
    for cycle in 0..CYCLES {
        let (mut child, url) = serve(&app, &[]).await;
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            let (url, token, body, stop, tx) = (
                format!("{url}/api/v1/cases"),
                s.sp1.clone(),
                body.clone(),
                stop.clone(),
                tx.clone(),
            );
            clients.push(tokio::spawn(async move {
                let c = TestApp::client();
                while !stop.load(Ordering::Relaxed) {
                    // After the kill a request fails: it was never acknowledged.
                    let Ok(res) = c.post(&url).bearer_auth(&token).json(&body).send().await else {
                        break;
                    };
                    if res.status() != 201 {
                        break;
                    }
                    let Ok(v) = res.json::<Value>().await else {
                        break;
                    };
                    let _ = tx.send(v["id"].as_str().unwrap_or_default().to_string());
                }
            }));
        }
        drop(tx);
        // Killed after a different number of acknowledgements each cycle, mid-stream.
        let want = 3 + (cycle * 7) % 17;
        let mut this_cycle = 0;
        while this_cycle < want {
            let id = rx
                .recv()
                .await
                .expect("the clients stopped before the kill");
            acked.push(id);
            this_cycle += 1;
        }
        child.kill();
        stop.store(true, Ordering::Relaxed);
        // Whatever was answered 201 before the connection broke counts as acknowledged too.
        while let Some(id) = rx.recv().await {
            acked.push(id);
        }
        for c in clients {
            c.await.unwrap();
        }
    }

    // It starts once more after the last kill (recovery), then the database is read directly.
    let (mut child, _) = serve(&app, &[]).await;
    child.kill();
    let store = &app.store;
    let mut missing = Vec::new();
    for id in &acked {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE id = $1")
            .bind(id.clone())
            .fetch_one(store.pool())
            .await
            .unwrap();
        if n != 1 {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged cases lost: {missing:?}",
        missing.len(),
        acked.len()
    );
    if app.database_url.is_none() {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
    boj_store::audit::verify(store, &app.audit_key())
        .await
        .unwrap();
}
