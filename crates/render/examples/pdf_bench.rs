//! Benchmark of issue "report formats": the PDF of the year report compiled from 1 000 000
//! synthetic cases (the skew of `boj-rapport`'s `rapport_bench`). Only the PDF is timed: the report
//! is compiled, protected, published and signed first.
//!
//! `cargo run --release -p boj-render --example pdf_bench -- [CASES] [OUT.pdf]`
//! `cargo run --release -p boj-render --example pdf_bench -- --json REPORT.json OUT.pdf` renders a
//! signed report file instead.

use boj_domain::Kommunkod;
use boj_rapport::modell::{self, Aktivitet, Bidragsrad, Fall, Omfang, Underlag};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn val(rng: &mut StdRng, w: &[u32]) -> u8 {
    let s: u32 = w.iter().sum();
    let mut x = rng.random_range(0..s);
    for (i, &v) in w.iter().enumerate() {
        if x < v {
            return i as u8;
        }
        x -= v;
    }
    0
}

fn signerad(antal: usize) -> Vec<u8> {
    let koder = [
        "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
    ];
    let parter: Vec<Kommunkod> = koder
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .collect();
    let pop = [5_100u64, 6_300, 9_700, 15_400, 5_000, 6_900, 11_300, 64_000];
    let mut u = Underlag {
        bidrag: parter
            .iter()
            .zip(pop)
            .map(|(k, p)| Bidragsrad {
                kommun: *k,
                kronor: 731_101 * p / 123_700,
                invanare: p,
            })
            .collect(),
        sma: ["2303", "2305", "2326"]
            .iter()
            .filter_map(|k| Kommunkod::parse(k).ok())
            .collect(),
        parter,
        ..Underlag::default()
    };
    let mut rng = StdRng::seed_from_u64(2026);
    for i in 0..antal {
        let f = Fall {
            cykel: rng.random_range(0..4),
            person: val(&mut rng, &[76_000, 12_000, 11_000, 2, 998]),
            hem: val(&mut rng, &[68, 62, 98, 154, 52, 114, 122, 646, 30]),
            kon: val(&mut rng, &[52_000, 44_000, 1, 3_999]),
            alder: val(&mut rng, &[6_000, 12_000, 38_000, 28_000, 15_998, 2]),
            brott: 1
                << val(
                    &mut rng,
                    &[
                        30_000, 20_000, 6_000, 3_000, 15_000, 12_000, 5_000, 1, 1_500, 5_000, 2_499,
                    ],
                ),
            omstandigheter: 0,
            polis: val(&mut rng, &[80_000, 19_998, 2]),
            forsta: val(&mut rng, &[70_000, 29_998, 2]),
            informerad: rng.random_range(0..10) < 8,
            status: val(&mut rng, &[940, 50, 10]),
            orsaker: 0,
            sent: false,
        };
        u.fall.push(f);
        u.aktiviteter.push(Aktivitet {
            partner: 0,
            fall: i as u32,
            inom: f.status == modell::INOM,
            cykel: f.cykel,
            slag: val(&mut rng, &[500, 250, 120, 60, 40, 30]),
            satt: val(&mut rng, &[700, 200, 40, 60]),
            minuter: rng.random_range(5..120),
        });
    }
    let mut t = modell::sammanstall(&u, &[0, 1, 2, 3], Omfang::Ar);
    if boj_rapport::skydda_dokument(&[], "2026/1", &mut t, true, &[], &[], 5).is_err() {
        eprintln!("the audit refused the report");
        std::process::exit(1);
    }
    let tables: Vec<serde_json::Value> = t
        .iter()
        .filter_map(|x| serde_json::to_value(modell::publicera(x)).ok())
        .collect();
    let parties: Vec<serde_json::Value> = koder
        .iter()
        .map(|k| serde_json::json!({"code": k, "name": Kommunkod::parse(k).map(|x| x.namn()).unwrap_or("")}))
        .collect();
    let report = serde_json::json!({
        "id": "r_bench", "agreement": {"id": "a_bench", "title": "Överenskommelse om idéburet offentligt partnerskap", "version": 1},
        "organisation": "Brottsofferjouren", "parties": parties,
        "period": "2026", "edition": 1, "issued_at": "2027-01-20T09:12:00Z", "reason": null,
        "rule": {"target_groups": ["brottsutsatt", "vittne", "anhorig_brottsutsatt", "anhorig_garningsperson"], "residence_required_for": ["brottsutsatt"]},
        "threshold": 5, "tables": tables,
    });
    match boj_rapport::signatur::signera(report, &[1u8; 32], "k_bench") {
        Ok((b, _)) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(3);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (json, ut) = if args.get(1).map(String::as_str) == Some("--json") {
        let Some(bytes) = args.get(2).and_then(|p| std::fs::read(p).ok()) else {
            eprintln!("usage: pdf_bench --json REPORT.json OUT.pdf");
            std::process::exit(2);
        };
        (bytes, args.get(3).cloned())
    } else {
        let antal = args
            .get(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_000_000);
        let t = Instant::now();
        let j = signerad(antal);
        println!(
            "compiled, protected and signed the year report of {antal} cases: {:.0} ms (not part of the PDF time)",
            t.elapsed().as_secs_f64() * 1000.0
        );
        (j, args.get(2).cloned())
    };
    // The first run parses the fonts; report it apart, then time warm runs.
    let t = Instant::now();
    let mut pdf = match boj_render::pdf::pdf(&json) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!(
        "first PDF (fonts parsed): {:.0} ms, {} bytes",
        t.elapsed().as_secs_f64() * 1000.0,
        pdf.len()
    );
    let mut tider = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        pdf = boj_render::pdf::pdf(&json).unwrap_or_default();
        tider.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    tider.sort_by(f64::total_cmp);
    println!(
        "PDF of the year report: best {:.0} ms, median {:.0} ms",
        tider[0],
        tider[tider.len() / 2]
    );
    if let Some(p) = ut {
        if let Err(e) = std::fs::write(&p, &pdf) {
            eprintln!("{e}");
            std::process::exit(3);
        }
        println!("wrote {p}");
    }
}
