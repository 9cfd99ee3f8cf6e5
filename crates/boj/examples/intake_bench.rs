//! Intake benchmark (issue: intake and support log; numbers in BENCHMARKS.md).
//!
//! 1. The yardstick of PERFORMANCE.md, measured in the same run: one SQLite transaction per case
//!    (a case row and an audit row), WAL, `synchronous=FULL`.
//! 2. Cases registered through the HTTP API by 32 concurrent clients against a running boj on SQLite
//!    (WAL, `synchronous=FULL`): every response is sent after the commit, so each acknowledged case
//!    is durable.
//!
//! Run: `cargo run --release -p boj --example intake_bench -- [CASES]` (default 4000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use boj_domain::{Anvandarnamn, Lanskod, NyttLosenord, Role, Scope};
use boj_store::clock::SystemClock;
use boj_store::{Store, orgs, tokens, users};
use boj_web::{AppState, WebConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 32;

async fn yardstick(n: usize) -> f64 {
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("y.sqlite").display()
    );
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    c.execute("PRAGMA journal_mode=WAL").await.unwrap();
    c.execute("PRAGMA synchronous=FULL").await.unwrap();
    c.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, data TEXT)")
        .await
        .unwrap();
    c.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)")
        .await
        .unwrap();
    let start = Instant::now();
    for i in 0..n {
        let mut tx = c.begin().await.unwrap();
        sqlx::query("INSERT INTO cases (data) VALUES ($1)")
            .bind(format!("brottsutsatt,2380,kvinna,{i}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("INSERT INTO audit (what) VALUES ('arende.registrerat')")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let y = yardstick(n.min(5000)).await;
    println!("yardstick: one transaction per case, WAL, synchronous=FULL: {y:.0} commits/s");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let org = orgs::create(&store, None, "Jouren", None).await.unwrap();
    let lan = Lanskod::parse("23").unwrap();
    let f = users::create(
        &store,
        None,
        &Anvandarnamn::parse("forbund").unwrap(),
        Role::Forbund,
        &Scope::Lan(lan),
        &NyttLosenord::parse("ett-langt-losenord").unwrap(),
    )
    .await
    .unwrap();
    let sp = users::create(
        &store,
        None,
        &Anvandarnamn::parse("stod").unwrap(),
        Role::Stodperson,
        &Scope::Organisation(org.id.clone()),
        &NyttLosenord::parse("ett-langt-losenord").unwrap(),
    )
    .await
    .unwrap();
    let ft = tokens::create(&store, None, &f, 30).await.unwrap().token;
    let st = tokens::create(&store, None, &sp, 30).await.unwrap().token;
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
    // Every party decides, so eligibility has real decisions to weigh.
    for k in parties {
        let d = json!({"body": "kommunfullmaktige", "municipality": k, "decided_on": "2025-12-10", "applies_from": "2026-01-01",
                       "paragraph": "§ 1", "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall"});
        let res = c
            .post(format!("{base}/api/v1/agreements/{agreement}/decisions"))
            .bearer_auth(&ft)
            .json(&d)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }

    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CLIENTS {
        let (c, base, st, agreement) = (c.clone(), base.clone(), st.clone(), agreement.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in (w..n).step_by(CLIENTS) {
                let body = json!({
                    "agreement_id": agreement, "opened_on": "2026-03-10", "person_type": "brottsutsatt",
                    "municipality": parties[i % parties.len()], "gender": "kvinna", "age_band": "25-44",
                    "crime_types": ["misshandel"], "circumstances": [], "police_report": "ja", "first_contact": "polis",
                    "informed_11_6": true, "consent_contact": false
                });
                let t = Instant::now();
                let res = c.post(format!("{base}/api/v1/cases")).bearer_auth(&st).json(&body).send().await.unwrap();
                assert_eq!(res.status(), 201);
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    let p =
        |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    let rate = n as f64 / secs;
    println!(
        "http: {n} cases, {CLIENTS} clients: {rate:.0} cases/s, p50 {:.1} ms, p99 {:.1} ms",
        p(0.5),
        p(0.99)
    );
    println!("ratio to yardstick: {:.2}", rate / y);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(count as usize, n);
}
