//! The report engine on the real path (issue: the compiled documentation at a million cases).
//!
//! 1. `boj demo` makes a data directory (SQLite) with the Jämtland agreement, dated early in 2026 so
//!    that nothing is issued yet, and stops.
//! 2. The store is seeded with CASES synthetic cases of 2026 and their activities (the skew of a
//!    county: common and very rare categories), each with its audit entry, through
//!    `boj_store::arenden::massregistrera`.
//! 3. The shipped binary serves the directory (`boj demo --today 2027-01-20` on the existing
//!    directory: no seeding, the clock in January 2027), and the coordinator, over HTTP with a
//!    bearer token, previews the year, then issues Q1–Q4, H1, H2 and the year. Each call is timed end
//!    to end; the server's resident memory is read from /proc after each, and its peak at the end.
//!    A few case registrations are timed before and after, to show intake is unaffected.
//!
//! 4. The information loss of every issued report against the optimum for the same tables
//!    (`boj_rapport::optimum`), from the records the server stored.
//!
//! CASES = 0 serves the demo's own sample data instead (the demo issues Q1–Q3 and H1 itself).
//!
//! With CSV_DIR, the same cases are written there for `python3 perf/rapport_duckdb.py CSV_DIR`
//! (DuckDB aggregating the same year: the yardstick, run in the same session).
//!
//! Run: `cargo build --release -p boj && cargo run --release -p boj --example report_bench -- [CASES] [CSV_DIR]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use boj_domain::Datum;
use boj_domain::arende::{Aktivitet, Statistik};
use boj_domain::bedomning::{Bedomning, Motivering, Skal, Status};
use boj_domain::kod::{
    Aktivitetstyp, Aldersgrupp, Brottstyp, ForstaKontakt, Hemkommun, Kodlista, Kon, Kontaktsatt,
    PersonTyp, Polisanmalan, SarskildOmstandighet,
};
use boj_store::arenden::{Massfall, massregistrera};
use boj_store::clock::SystemClock;
use boj_store::{Store, avtal, tokens, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::io::{BufRead, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

fn val(rng: &mut StdRng, w: &[u32]) -> usize {
    let s: u32 = w.iter().sum();
    let mut x = rng.random_range(0..s);
    for (i, &v) in w.iter().enumerate() {
        if x < v {
            return i;
        }
        x -= v;
    }
    0
}

fn rss(pid: u32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// Starts `boj demo` and returns it with the URL it prints first.
fn demo(boj: &std::path::Path, data: &std::path::Path, today: &str) -> (Child, String) {
    let mut child = Command::new(boj)
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--today",
            today,
            "--data",
        ])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the boj binary (cargo build --release -p boj)");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    out.read_line(&mut url).unwrap();
    // Keep reading what it prints so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    (child, url.trim().trim_end_matches('/').to_string())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let csv_dir = args.get(2).cloned();
    // A data directory to keep: seeded on the first run, reused as it is on later ones.
    let keep = args.get(3).map(std::path::PathBuf::from);
    let boj = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("boj");
    let tmp = tempfile::tempdir().unwrap();
    let data = keep.clone().unwrap_or_else(|| tmp.path().join("data"));
    let seed = !data.exists();
    let kopia = tmp.path().join("kopia");
    if seed {
        // 1. The agreement, its parties and decisions, users; nothing issued.
        // CASES = 0: the demo's own sample data instead, dated so that it issues its past
        // quarters and H1 itself.
        let (mut c, _) = demo(
            &boj,
            &data,
            if n == 0 { "2027-01-20" } else { "2026-03-15" },
        );
        c.kill().unwrap();
        c.wait().unwrap();
    }

    // 2. Seed the year (a kept directory is used as seeded, through a copy, so that its reports
    //    are issued anew each run).
    let store = Store::open(&data, None, Arc::new(SystemClock))
        .await
        .unwrap();
    let a = avtal::list(&store).await.unwrap().remove(0);
    let sam = users::by_name(&store, "samordnare").await.unwrap();
    let token = tokens::create(&store, None, &sam, 90).await.unwrap().token;
    let parter = [
        "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380", "0180",
    ];
    let hem = [68, 62, 98, 154, 52, 114, 122, 646, 30];
    let person = [76_000, 12_000, 11_000, 2, 998];
    let kon = [52_000, 44_000, 1, 3_999];
    let alder = [6_000, 12_000, 38_000, 28_000, 15_998, 2];
    let brott = [
        30_000, 20_000, 6_000, 3_000, 15_000, 12_000, 5_000, 1, 1_500, 5_000, 2_499,
    ];
    let omst = [15_000, 2, 1_000, 3_000, 1_200];
    let polis = [80_000, 19_998, 2];
    let forsta = [70_000, 29_998, 2];
    let mut rng = StdRng::seed_from_u64(2026);
    let mut csv = csv_dir.as_ref().map(|d| {
        std::fs::create_dir_all(d).unwrap();
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(format!("{d}/fall.csv")).unwrap());
        writeln!(
            f,
            "id,cykel,person,hem,kon,alder,brott,omst,polis,forsta,informerad,status,orsaker,sent"
        )
        .unwrap();
        let mut g =
            std::io::BufWriter::new(std::fs::File::create(format!("{d}/aktiviteter.csv")).unwrap());
        writeln!(g, "fall,cykel,slag,satt,minuter").unwrap();
        (f, g)
    });
    let start = Instant::now();
    let mut aktiviteter = 0usize;
    let mut batch = Vec::new();
    // The cases are generated (from a fixed seed) when the store is seeded or CSV is asked for.
    for i in 0..if seed || csv.is_some() { n } else { 0 } {
        let dag = rng.random_range(0..365);
        let opened = Datum::from_civil(
            jiff::civil::date(2026, 1, 1)
                .checked_add(jiff::Span::new().days(dag))
                .unwrap(),
        );
        let cykel = (opened.civil().month() as usize - 1) / 3;
        let status = val(&mut rng, &[940, 50, 10]);
        let mut b = vec![val(&mut rng, &brott)];
        if rng.random_range(0..10) == 0 {
            b.push(val(&mut rng, &brott));
        }
        b.sort_unstable();
        b.dedup();
        let o: Vec<usize> = if rng.random_range(0..4) == 0 {
            vec![val(&mut rng, &omst)]
        } else {
            vec![]
        };
        let (p, h, k, al, po, fo) = (
            val(&mut rng, &person),
            val(&mut rng, &hem),
            val(&mut rng, &kon),
            val(&mut rng, &alder),
            val(&mut rng, &polis),
            val(&mut rng, &forsta),
        );
        let informerad = rng.random_range(0..10) < 8;
        let orsak = rng.random_range(0..4usize);
        let mut akt = Vec::new();
        for _ in 0..val(&mut rng, &[10, 20, 30, 40]) {
            // Within the case's quarter, on or after its opening.
            let slut = [90, 180, 273, 364][cykel];
            let d = rng.random_range(dag..=slut);
            let (s, m, min) = (
                val(&mut rng, &[500, 250, 120, 60, 40, 30]),
                val(&mut rng, &[700, 200, 40, 60]),
                rng.random_range(5..120i64),
            );
            if let Some((_, g)) = csv.as_mut() {
                writeln!(g, "{i},{cykel},{s},{m},{min}").unwrap();
            }
            akt.push(Aktivitet {
                partner: None,
                datum: Datum::from_civil(
                    jiff::civil::date(2026, 1, 1)
                        .checked_add(jiff::Span::new().days(d))
                        .unwrap(),
                ),
                typ: Aktivitetstyp::ALL[s],
                satt: Kontaktsatt::ALL[m],
                minuter: min as u16,
            });
        }
        aktiviteter += akt.len();
        if let Some((f, _)) = csv.as_mut() {
            let bits = |v: &[usize]| v.iter().fold(0u32, |x, i| x | (1 << i));
            let hem_i = if h == 8 { 8 } else { h };
            writeln!(
                f,
                "{i},{cykel},{p},{hem_i},{k},{al},{},{},{po},{fo},{},{},{},0",
                bits(&b),
                bits(&o),
                u8::from(informerad),
                [0, 1, 2][status],
                if status == 1 { 1 << orsak } else { 0 }
            )
            .unwrap();
        }
        let reg = jiff::civil::date(2026, 1, 1)
            .checked_add(jiff::Span::new().days(dag))
            .unwrap()
            .at(12, 0, 0, 0)
            .in_tz("UTC")
            .unwrap()
            .timestamp()
            .as_second();
        batch.push(Massfall {
            agreement_id: a.id.clone(),
            organisation_id: a.organisation_id.clone(),
            opened_on: opened,
            registered_at: reg,
            statistik: Statistik {
                person: PersonTyp::ALL[p],
                hem: Hemkommun::parse(parter[h]).unwrap(),
                kon: Kon::ALL[k],
                alder: Aldersgrupp::ALL[al],
                brott: b.iter().map(|x| Brottstyp::ALL[*x]).collect(),
                omstandigheter: o.iter().map(|x| SarskildOmstandighet::ALL[*x]).collect(),
                polis: Polisanmalan::ALL[po],
                forsta_kontakt: ForstaKontakt::ALL[fo],
                informerad_11_6: informerad,
            },
            bedomning: Bedomning {
                status: [Status::Inom, Status::Utanfor, Status::EjFaststalld][status],
                skal: if status == 1 {
                    vec![Motivering {
                        skal: Skal::ALL[orsak],
                        text: "syntetiskt skäl".into(),
                    }]
                } else {
                    Vec::new()
                },
                forklaring: String::new(),
            },
            activities: akt,
        });
        if batch.len() == 20_000 || i + 1 == n {
            if seed {
                massregistrera(&store, &batch).await.unwrap();
            }
            batch.clear();
        }
    }
    drop(csv);
    store.close().await;
    let data = if keep.is_some() {
        let _ = Command::new("cp").arg("-r").arg(&data).arg(&kopia).status();
        kopia
    } else {
        data
    };
    if seed {
        println!(
            "seeded {n} cases and {aktiviteter} activities of 2026 in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    } else {
        println!("the kept data directory is served as it was seeded (a copy)");
    }

    // 3. Served by the shipped binary; the coordinator over HTTP.
    let started = Instant::now();
    let (mut server, url) = demo(&boj, &data, "2027-01-20");
    let pid = server.id();
    let http = reqwest::Client::new();
    println!("server resident memory at start: {} MB", rss(pid, "VmRSS"));

    let intake = |label: &'static str| {
        let (http, url, token, a) = (http.clone(), url.clone(), token.clone(), a.id.clone());
        async move {
            let mut t = Vec::new();
            for _ in 0..50 {
                let s = Instant::now();
                let r = http
                    .post(format!("{url}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "agreement_id": a, "opened_on": "2027-01-19", "person_type": "brottsutsatt",
                        "municipality": "2380", "gender": "kvinna", "age_band": "25-44",
                        "crime_types": ["misshandel"], "circumstances": [], "police_report": "ja",
                        "first_contact": "polis", "informed_11_6": true, "consent_contact": false
                    }))
                    .send()
                    .await
                    .unwrap();
                if r.status() != 201 {
                    let st = r.status();
                    println!(
                        "intake {label}: answered {st}: {}",
                        r.text().await.unwrap_or_default()
                    );
                    return;
                }
                t.push(s.elapsed().as_secs_f64() * 1000.0);
            }
            t.sort_by(f64::total_cmp);
            println!(
                "intake {label}: 50 cases one after another, median {:.1} ms, max {:.1} ms",
                t[25], t[49]
            );
        }
    };
    intake("before any report").await;

    let preview = format!(
        "{url}/api/v1/reports/preview?agreement_id={}&from=2026-01-01&to=2026-12-31",
        a.id
    );
    for run in [
        "first (waits for the register built at start)",
        "warm",
        "warm",
        "warm",
    ] {
        let s = Instant::now();
        let r = http.get(&preview).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let _ = r.bytes().await.unwrap();
        if run.starts_with("first") {
            println!(
                "server start to the first preview answered: {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        println!(
            "preview of 2026, {run}: {:.0} ms (server {} MB)",
            s.elapsed().as_secs_f64() * 1000.0,
            rss(pid, "VmRSS")
        );
    }
    for period in [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-H1", "2026-H2", "2026",
    ] {
        let s = Instant::now();
        let r = http
            .post(format!("{url}/api/v1/reports"))
            .bearer_auth(&token)
            .json(&json!({"agreement_id": a.id, "period": period}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        if n == 0 && status == 409 {
            println!("{period}: issued by the demo already");
            continue;
        }
        assert_eq!(status, 201, "{period}: {body}");
        println!(
            "issue {period}: {:.0} ms (server {} MB)",
            s.elapsed().as_secs_f64() * 1000.0,
            rss(pid, "VmRSS")
        );
    }
    intake("after the reports").await;
    println!("server peak resident memory: {} MB", rss(pid, "VmHWM"));
    server.kill().unwrap();
    server.wait().unwrap();

    // 4. Information loss of what was issued against the optimum for the same tables.
    let store = Store::open(&data, None, Arc::new(SystemClock))
        .await
        .unwrap();
    let rundor = std::env::var("RUNDOR")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let s = Instant::now();
    println!("{}", forlust(&store, &a.id, rundor).await);
    println!(
        "the optima took {:.0} ms",
        s.elapsed().as_secs_f64() * 1000.0
    );
}

/// Each issued report's protection against the least-loss pattern the audit accepts given the
/// reports before it (`boj_rapport::optimum`), from the records the server stored.
async fn forlust(store: &Store, agreement_id: &str, rundor: usize) -> String {
    use boj_rapport::bygg::Dokument;
    use boj_rapport::modell::Tabell;
    use boj_store::rapporter;
    let mut kvar = rapporter::of_agreement(store, agreement_id).await.unwrap();
    // Issue order: within a second, cycle reports, then half-years, then years (as they are
    // issued); and each report after its parts.
    let langd = |p: &str| u8::from(p.contains('H')) + 2 * u8::from(!p.contains(['Q', 'H']));
    kvar.sort_by_key(|r| (r.issued_at, langd(&r.period), r.edition));
    let mut rapporter = Vec::new();
    while !kvar.is_empty() {
        let i = kvar
            .iter()
            .position(|r| {
                r.parts
                    .iter()
                    .all(|d| rapporter.iter().any(|x: &rapporter::Rapport| &x.id == d))
            })
            .unwrap();
        rapporter.push(kvar.remove(i));
    }
    let mut tabeller = Vec::new();
    let mut trosklar = Vec::new();
    for r in &rapporter {
        let t: Vec<Tabell> =
            serde_json::from_str(&rapporter::record(store, &r.id).await.unwrap()).unwrap();
        let d: serde_json::Value =
            serde_json::from_str(&rapporter::document(store, &r.id).await.unwrap()).unwrap();
        tabeller.push(t);
        trosklar.push(d["report"]["threshold"].as_u64().unwrap());
    }
    let plats = |id: &str| rapporter.iter().position(|r| r.id == id).unwrap();
    let dok: Vec<Dokument> = rapporter
        .iter()
        .zip(&tabeller)
        .zip(&trosklar)
        .map(|((r, t), n)| Dokument {
            id: format!("{}/{}", r.period, r.edition),
            tabeller: t,
            fast: true,
            nollor: boj_rapport::nat::nollor_skyddas(r.cycle, r.edition),
            troskel: *n,
        })
        .collect();
    let summor: Vec<(usize, Vec<usize>)> = rapporter
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.cycle)
        .map(|(i, r)| (i, r.parts.iter().map(|d| plats(d)).collect()))
        .collect();
    let mut utgavor = Vec::new();
    for (i, r) in rapporter.iter().enumerate() {
        for (j, x) in rapporter.iter().enumerate() {
            if x.period == r.period && x.edition < r.edition {
                utgavor.push((i, j));
            }
        }
    }
    let j = boj_rapport::optimum::jamfor(&dok, &summor, &utgavor, trosklar[0], rundor, |x| {
        println!("{}", boj_rapport::optimum::rad(x))
    });
    boj_rapport::optimum::summa(&j)
}
