//! Decision benchmark (issue: one door per use case; numbers in BENCHMARKS.md).
//!
//! Recording a decision must not take longer when it changes the status of many cases: its
//! response time would otherwise tell a county strategist how many live cases it flipped (SPEC § 2
//! forbids live counts). The cases are judged again in the background, from the outbox the
//! decision's transaction writes.
//!
//! Against a running boj on SQLite, through HTTP: an agreement whose parties have all decided but
//! Berg, and `CASES` cases (default 150) of people living in Berg. Then, alternately, a decision
//! that flips every one of those cases (Berg approves, then rejects, then approves…) and one that
//! flips none (Krokom approves again) — the yardstick, measured in the same run. Between two
//! decisions the background work is waited for (the outbox drained), so each request meets an idle
//! server; at the end the audit log must hold one re-judging entry per flipped case and round.
//!
//! Run: `cargo run --release -p boj --example decision_bench -- [CASES] [ROUNDS]` (150, 30).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use boj_domain::{Anvandarnamn, NyttLosenord, Role, Scope};
use boj_store::clock::SystemClock;
use boj_store::{Store, orgs, tokens, users};
use boj_web::{AppState, WebConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Waits until the background re-judging has worked off every request.
async fn drained(store: &Store) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while count(store, "SELECT COUNT(*) FROM rejudge_queue").await > 0 {
        assert!(Instant::now() < deadline, "re-judging did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(150);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let org = orgs::create(&store, None, "Jouren", None).await.unwrap();
    let user = |name: &str, role, scope| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            let u = users::create(
                &store,
                None,
                &Anvandarnamn::parse(&name).unwrap(),
                role,
                &scope,
                &NyttLosenord::parse("ett-langt-losenord").unwrap(),
            )
            .await
            .unwrap();
            tokens::create(&store, None, &u, 30).await.unwrap().token
        }
    };
    let lan = boj_domain::Lanskod::parse("23").unwrap();
    let ft = user("forbund", Role::Forbund, Scope::Lan(lan)).await;
    let st = user(
        "stod",
        Role::Stodperson,
        Scope::Organisation(org.id.clone()),
    )
    .await;
    let keys = Arc::new(boj_store::nycklar::Nyckelring::create_or_load(dir.path()).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        app: boj_app::App::new(store.clone(), keys),
        config: Arc::new(WebConfig {
            secure_cookies: false,
            ..WebConfig::default()
        }),
    };
    tokio::spawn(boj_web::serve(listener, state, std::future::pending()));

    let c = reqwest::Client::new();
    let parties = [
        "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
    ];
    let a: serde_json::Value = c
        .post(format!("{base}/api/v1/agreements"))
        .bearer_auth(&ft)
        .json(&json!({"organisation_id": org.id, "title": "IOP", "reference": "R", "valid_from": "2026-01-01", "parties": parties}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let agreement = a["id"].as_str().unwrap().to_string();
    // No decision date: each counts as made when recorded, so the latest recorded governs.
    let decide = |k: &str, outcome: &str, nr: usize| {
        let (c, base, ft, agreement) = (c.clone(), base.clone(), ft.clone(), agreement.clone());
        let d = json!({"body": "kommunfullmaktige", "municipality": k, "applies_from": "2026-01-01",
                       "paragraph": format!("§ {nr}"), "items": [{"number": "1", "text": "att besluta"}],
                       "outcome": outcome});
        async move {
            let t = Instant::now();
            let res = c
                .post(format!("{base}/api/v1/agreements/{agreement}/decisions"))
                .bearer_auth(&ft)
                .json(&d)
                .send()
                .await
                .unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(res.status(), 201);
            ms
        }
    };
    // Every party but Berg (2326) decides.
    for k in parties.iter().filter(|k| **k != "2326") {
        decide(k, "bifall", 0).await;
    }
    for _ in 0..n {
        let body = json!({
            "agreement_id": agreement, "opened_on": "2026-03-10", "person_type": "brottsutsatt",
            "municipality": "2326", "gender": "kvinna", "age_band": "25-44",
            "crime_types": ["misshandel"], "circumstances": [], "police_report": "ja", "first_contact": "polis",
            "informed_11_6": true, "consent_contact": false
        });
        let res = c
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&st)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    drained(&store).await;
    let omprovade = "SELECT COUNT(*) FROM audit_log WHERE action = 'arende.behorighet_omprovad'";
    let fore = count(&store, omprovade).await;

    let (mut flips, mut none) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        // Berg approves (its cases come within the agreement) or rejects (they leave it again).
        let outcome = if r % 2 == 0 { "bifall" } else { "avslag" };
        flips.push(decide("2326", outcome, r + 1).await);
        drained(&store).await;
        // Krokom approves once more: no case changes.
        none.push(decide("2309", "bifall", r + 1).await);
        drained(&store).await;
    }
    let efter = count(&store, omprovade).await;
    let (f, z) = (median(&mut flips), median(&mut none));
    println!(
        "decision that flips {n} cases: median {f:.2} ms (min {:.2}, max {:.2}) over {rounds} rounds",
        flips[0],
        flips[flips.len() - 1]
    );
    println!(
        "yardstick, decision that flips none: median {z:.2} ms (min {:.2}, max {:.2})",
        none[0],
        none[none.len() - 1]
    );
    println!("ratio: {:.2}", f / z);
    println!(
        "re-judging entries in the audit log: {} ({} expected: {n} cases × {rounds} rounds)",
        efter - fore,
        n * rounds
    );
    assert_eq!((efter - fore) as usize, n * rounds);
}
