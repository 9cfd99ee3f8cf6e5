//! The audit log cannot be cut or rewritten unseen (SPEC § 6): boj's own connection cannot change
//! or remove an entry, and `boj audit verify` detects what someone who can (the database's owner,
//! who drops the triggers first) does — an entry deleted, edited or moved by the chain; a cut tail
//! or a chain rewritten from the start by a signed checkpoint kept apart (or an issued report).
//!
//! The attacker here works on the tables with SQL and recomputes hashes with his own code (the
//! chain's rule as documented), sharing nothing with boj's.

use crate::helpers::{TestApp, spawn_app};
use boj_domain::Role;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A log with some history, a checkpoint exported to a file at its end, and the file.
async fn with_history() -> (TestApp, std::path::PathBuf) {
    let app = spawn_app().await;
    for (name, role) in [
        ("admin", Role::Admin),
        ("forbund", Role::Forbund),
        ("kommun-2303", Role::Kommun),
        ("samordnare", Role::Samordnare),
    ] {
        app.user(name, role).await;
    }
    let (code, out, err) = app.boj(&["audit", "checkpoint"]);
    assert_eq!(code, 0, "{err}");
    let cp: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(cp["seq"].as_i64().unwrap() >= 5);
    let file = app.data_dir().join("kontrollpunkt.json");
    std::fs::write(&file, out).unwrap();
    // Life goes on after the checkpoint.
    app.user("stodperson1", Role::Stodperson).await;
    (app, file)
}

fn verify(app: &TestApp, against: Option<&std::path::Path>) -> (i32, String) {
    let mut args = vec!["audit", "verify"];
    let path;
    if let Some(f) = against {
        path = f.to_str().unwrap().to_string();
        args.extend(["--against", &path]);
    }
    let (code, out, err) = app.boj(&args);
    (code, format!("{out}{err}"))
}

/// What the database's owner can do and boj's connection cannot: lift the append-only guard.
async fn drop_guard(app: &TestApp) {
    let statements: &[&str] = if app.database_url.is_some() {
        &[
            "DROP TRIGGER audit_log_ingen_andring ON audit_log",
            "DROP TRIGGER audit_log_ingen_tomning ON audit_log",
        ]
    } else {
        &[
            "DROP TRIGGER audit_log_ingen_andring",
            "DROP TRIGGER audit_log_ingen_radering",
        ]
    };
    for s in statements {
        exec(app, s).await;
    }
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(app.store.pool())
        .await
        .unwrap();
}

/// The chain's rule, written by the attacker: SHA-256 over the length-prefixed previous hash,
/// number, time, actor, action and object.
fn chain_hash(prev: &str, seq: i64, at: i64, actor: &str, action: &str, object: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        actor,
        action,
        object,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Recomputes every hash and the head from the rows as they now are (after the attacker's
/// edits), renumbering them 1, 2, … in their order.
async fn rewrite_chain(app: &TestApp) {
    let rows = sqlx::query("SELECT seq, at, actor, action, object FROM audit_log ORDER BY seq")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    exec(app, "DELETE FROM audit_log").await;
    let mut prev = "0".repeat(64);
    for (i, r) in rows.iter().enumerate() {
        let seq = i as i64 + 1;
        let at: i64 = r.get("at");
        let actor: Option<String> = r.get("actor");
        let action: String = r.get("action");
        let object: Option<String> = r.get("object");
        let hash = chain_hash(
            &prev,
            seq,
            at,
            actor.as_deref().unwrap_or(""),
            &action,
            object.as_deref().unwrap_or(""),
        );
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, object, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(seq)
            .bind(at)
            .bind(actor)
            .bind(action)
            .bind(object)
            .bind(prev.clone())
            .bind(hash.clone())
            .execute(app.store.pool())
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(rows.len() as i64)
        .bind(prev)
        .execute(app.store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn boj_cannot_change_or_remove_an_audit_entry() {
    let (app, _) = with_history().await;
    for sql in [
        "UPDATE audit_log SET action = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::query(sql)
            .execute(app.store.pool())
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("granskningsloggen kan bara läggas till"),
            "{sql}: {err}"
        );
    }
    if app.database_url.is_some() {
        let err = sqlx::query("TRUNCATE audit_log")
            .execute(app.store.pool())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("bara läggas till"), "{err}");
    }
    let (code, out) = verify(&app, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("kontrollpunkter"), "{out}");
}

#[tokio::test]
async fn an_untouched_log_verifies_against_its_checkpoint() {
    let (app, cp) = with_history().await;
    let (code, out) = verify(&app, Some(&cp));
    assert_eq!(code, 0, "{out}");
    // A checkpoint file someone signed with another key is not taken for the instance's.
    let mut forged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    forged["signature"] = serde_json::json!(base64_of(&[7u8; 64]));
    let file = app.data_dir().join("forfalskad.json");
    std::fs::write(&file, forged.to_string()).unwrap();
    let (code, out) = verify(&app, Some(&file));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("inte signerad"), "{out}");
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn a_deleted_entry_is_detected() {
    let (app, _) = with_history().await;
    drop_guard(&app).await;
    exec(&app, "DELETE FROM audit_log WHERE seq = 3").await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("post 3"), "{out}");
}

#[tokio::test]
async fn an_edited_entry_is_detected() {
    let (app, _) = with_history().await;
    drop_guard(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET action = 'anvandare.borttagen' WHERE seq = 2",
    )
    .await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("post 2"), "{out}");
}

#[tokio::test]
async fn reordered_entries_are_detected() {
    let (app, _) = with_history().await;
    drop_guard(&app).await;
    // Entries 2 and 3 change places: each keeps its hash, the numbers are swapped.
    exec(&app, "UPDATE audit_log SET seq = -2 WHERE seq = 2").await;
    exec(&app, "UPDATE audit_log SET seq = 2 WHERE seq = 3").await;
    exec(&app, "UPDATE audit_log SET seq = 3 WHERE seq = -2").await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("post 2"), "{out}");
}

#[tokio::test]
async fn a_cut_tail_is_detected_by_a_checkpoint_kept_apart() {
    let (app, cp) = with_history().await;
    let checkpointed: i64 =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&cp).unwrap()).unwrap()
            ["seq"]
            .as_i64()
            .unwrap();
    drop_guard(&app).await;
    // The last entries go, and the head is moved back to what is left: the chain itself holds.
    let keep = checkpointed - 1;
    exec(&app, &format!("DELETE FROM audit_log WHERE seq > {keep}")).await;
    exec(
        &app,
        &format!(
            "UPDATE audit_head SET seq = {keep}, hash = (SELECT hash FROM audit_log WHERE seq = {keep}) WHERE id = 1"
        ),
    )
    .await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 0, "the cut chain holds by itself: {out}");
    let (code, out) = verify(&app, Some(&cp));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("post {checkpointed}")), "{out}");
}

#[tokio::test]
async fn a_rewritten_chain_is_detected_by_its_own_checkpoints_or_one_kept_apart() {
    // The chain rewritten with its checkpoints left in: they no longer attest what they signed.
    let (app, _) = with_history().await;
    drop_guard(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET object = 'u_annan' WHERE seq = 2",
    )
    .await;
    rewrite_chain(&app).await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("kontrollpunkten i post"), "{out}");

    // The same, with the checkpoints taken out too (they cannot be signed again without the
    // key): the chain holds by itself, the checkpoint kept apart does not.
    let (app, cp) = with_history().await;
    drop_guard(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET object = 'u_annan' WHERE seq = 2",
    )
    .await;
    exec(
        &app,
        "DELETE FROM audit_log WHERE action = 'granskning.kontrollpunkt'",
    )
    .await;
    rewrite_chain(&app).await;
    let (code, out) = verify(&app, None);
    assert_eq!(code, 0, "the rewritten chain holds by itself: {out}");
    let (code, out) = verify(&app, Some(&cp));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("når inte fram"), "{out}");
}

/// The audit viewer (SPEC § 6): admin reads the whole log, a coordinator what the organisation's
/// accounts did; filters by user, action (or its start), object and day; pages of 50; ids only.
#[tokio::test]
async fn the_audit_log_is_read_by_admin_and_by_the_organisations_coordinator() {
    use serde_json::{Value, json};
    let app = spawn_app().await;
    let s = crate::arenden::setup(&app).await;
    let admin = app.user("admin", Role::Admin).await;
    let admin = app.token(&admin).await;
    // A case with a name in its contact details: the log names the case by id only.
    let mut body = json!({
        "agreement_id": s.agreement, "opened_on": "2026-11-20", "person_type": "brottsutsatt", "municipality": "2380",
        "gender": "kvinna", "age_band": "25-44", "crime_types": ["misshandel"], "circumstances": [],
        "police_report": "ja", "first_contact": "polis", "informed_11_6": true, "consent_contact": true,
        "contact": {"name": "Unikanamnet Loggsson", "phone": "070-765 43 21"}
    });
    let case: Value = app.post_case(&s.sp1, &body).await.json().await.unwrap();
    let case = case["id"].as_str().unwrap().to_string();
    // Enough entries for more than one page.
    body["consent_contact"] = json!(false);
    body.as_object_mut().unwrap().remove("contact");
    for _ in 0..55 {
        app.post_case(&s.sp2, &body).await;
    }
    let get = |token: &str, query: &str| {
        let req = TestApp::client()
            .get(app.at(&format!("/api/v1/audit{query}")))
            .bearer_auth(token);
        async move { req.send().await.unwrap() }
    };

    // Admin: everything, newest first, in pages.
    let res = get(&admin, "").await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("Unikanamnet"), "help-seeker data in the log");
    let first: Value = serde_json::from_str(&text).unwrap();
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(
        items
            .windows(2)
            .all(|w| w[0]["seq"].as_i64() > w[1]["seq"].as_i64())
    );
    let before = first["next_before"].as_i64().unwrap();
    let second: Value = get(&admin, &format!("?before={before}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        second["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["seq"].as_i64().unwrap() < before)
    );
    // The strategist's work is in the admin's view.
    let forbund: Value = get(&admin, "?actor=forbund").await.json().await.unwrap();
    assert!(
        forbund["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "avtal.skapat" && e["actor_name"] == "forbund")
    );

    // The coordinator: only what the organisation's accounts did.
    let own: Value = get(&s.sam, "?action=arende.").await.json().await.unwrap();
    assert!(!own["items"].as_array().unwrap().is_empty());
    let all_own: Value = get(&s.sam, "").await.json().await.unwrap();
    assert!(
        all_own["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_name"] == "stodperson1"
                || e["actor_name"] == "stodperson2"
                || e["actor_name"] == "samordnare"),
        "{all_own}"
    );
    let none: Value = get(&s.sam, "?actor=forbund").await.json().await.unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
    // By object, user and day.
    let one: Value = get(&s.sam, &format!("?object={case}&actor=stodperson1"))
        .await
        .json()
        .await
        .unwrap();
    let one = one["items"].as_array().unwrap();
    assert!(one.iter().any(|e| e["action"] == "arende.registrerat"));
    assert!(one.iter().all(|e| e["object"] == json!(case)));
    let today: Value = get(&s.sam, "?from=2026-11-26&to=2026-11-26")
        .await
        .json()
        .await
        .unwrap();
    assert!(!today["items"].as_array().unwrap().is_empty());
    let earlier: Value = get(&s.sam, "?to=2026-11-25").await.json().await.unwrap();
    assert!(earlier["items"].as_array().unwrap().is_empty());
    // A bad day is a 422 in the API's shape.
    let (status, code, _) = crate::helpers::error_code(get(&s.sam, "?from=2026-13-01").await).await;
    assert_eq!((status, code.as_str()), (422, "ogiltigt_datum"));

    // Nobody else reads it.
    for token in [&s.sp1, &s.forbund] {
        assert_eq!(get(token, "").await.status(), 403);
    }

    // The page shows the same, to the coordinator, with a link to the older entries.
    let (c, _) = app.login("samordnare").await;
    let page = crate::helpers::text(&c, app.at("/granskning?action=arende.")).await;
    assert!(page.contains("Granskningslogg") && page.contains("stodperson2"));
    assert!(page.contains("Äldre poster"));
    assert!(!page.contains("Unikanamnet"));
}
