//! Benchmark of issue "compiling the follow-up": 1 000 000 synthetic cases of one year with a
//! realistic skew, aggregated into every table of the year report; then protection and audit of
//! the year report with its four quarters and two half-years already issued.
//!
//! `cargo run --release -p boj-rapport --example rapport_bench -- [CASES] [CSV_DIR]`
//! With CSV_DIR, the same cases and activities are written there as CSV for
//! `python3 perf/rapport_duckdb.py CSV_DIR` (DuckDB doing the same aggregation).

use boj_domain::Kommunkod;
use boj_rapport::bygg::Dokument;
use boj_rapport::modell::{self, Aktivitet, Fall, Omfang, Tabell, Underlag};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::time::Instant;

/// Picks an index by weight.
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

fn underlag(antal: usize) -> Underlag {
    let koder = [
        "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
    ];
    let parter: Vec<Kommunkod> = koder
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .collect();
    let sma = ["2303", "2305", "2326"]
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .collect();
    // Population 2024 (thousands × 10), and a share of cases from elsewhere or unknown.
    let hem = [68, 62, 98, 154, 52, 114, 122, 646, 30];
    // Weights per 100 000: common categories, and a few so rare that a year has only a handful of
    // cases in them, spread over municipalities and quarters (the tiny cells).
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
    let mut u = Underlag {
        parter,
        sma,
        ..Underlag::default()
    };
    u.fall.reserve(antal);
    for i in 0..antal {
        let status = val(&mut rng, &[940, 50, 10]);
        let mut b = 1u16 << val(&mut rng, &brott);
        if rng.random_range(0..10) == 0 {
            b |= 1 << val(&mut rng, &brott);
        }
        let o = if rng.random_range(0..4) == 0 {
            1u8 << val(&mut rng, &omst)
        } else {
            0
        };
        let f = Fall {
            cykel: rng.random_range(0..4),
            person: val(&mut rng, &person),
            hem: val(&mut rng, &hem),
            kon: val(&mut rng, &kon),
            alder: val(&mut rng, &alder),
            brott: b,
            omstandigheter: o,
            polis: val(&mut rng, &polis),
            forsta: val(&mut rng, &forsta),
            informerad: rng.random_range(0..10) < 8,
            status,
            orsaker: if status == modell::UTANFOR {
                1 << rng.random_range(0..4)
            } else {
                0
            },
            sent: rng.random_range(0..200) == 0,
        };
        u.fall.push(f);
        for _ in 0..val(&mut rng, &[30, 40, 20, 10]) {
            u.aktiviteter.push(Aktivitet {
                partner: 0,
                fall: i as u32,
                inom: u.fall[i].status == modell::INOM,
                cykel: f.cykel,
                slag: val(&mut rng, &[500, 250, 120, 60, 40, 30]),
                satt: val(&mut rng, &[700, 200, 40, 60]),
                minuter: rng.random_range(5..120),
            });
        }
    }
    u
}

fn skriv_csv(u: &Underlag, dir: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/fall.csv"))?);
    writeln!(
        f,
        "id,cykel,person,hem,kon,alder,brott,omst,polis,forsta,informerad,status,orsaker,sent"
    )?;
    for (i, c) in u.fall.iter().enumerate() {
        writeln!(
            f,
            "{i},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            c.cykel,
            c.person,
            c.hem,
            c.kon,
            c.alder,
            c.brott,
            c.omstandigheter,
            c.polis,
            c.forsta,
            u8::from(c.informerad),
            c.status,
            c.orsaker,
            u8::from(c.sent)
        )?;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/aktiviteter.csv"))?);
    writeln!(f, "fall,cykel,slag,satt,minuter")?;
    for a in &u.aktiviteter {
        writeln!(
            f,
            "{},{},{},{},{}",
            a.fall, a.cykel, a.slag, a.satt, a.minuter
        )?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let antal: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let t0 = Instant::now();
    let u = underlag(antal);
    println!(
        "built {} cases and {} activities in memory: {:.0} ms (start-up cost, not part of the aggregation)",
        u.fall.len(),
        u.aktiviteter.len(),
        t0.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(dir) = args.get(2) {
        if let Err(e) = skriv_csv(&u, dir) {
            eprintln!("could not write CSV: {e}");
            std::process::exit(3);
        }
        println!("wrote {dir}/fall.csv and {dir}/aktiviteter.csv");
    }
    // Aggregation of the year report: warm, best and median of 15.
    let mut tider = Vec::new();
    let mut ar = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        ar = modell::sammanstall(&u, &[0, 1, 2, 3], Omfang::Ar);
        tider.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    tider.sort_by(f64::total_cmp);
    println!(
        "aggregation into the {} tables of the year report: best {:.1} ms, median {:.1} ms",
        ar.len(),
        tider[0],
        tider[tider.len() / 2]
    );

    // A fingerprint to compare with the DuckDB script's: cases within, activities, contributing cases.
    let tab = |id: &str| ar.iter().find(|t| t.id == id);
    if let (Some(k), Some(a)) = (tab("arenden_kommun"), tab("aktiviteter_slag")) {
        let kol = a
            .kolumnsummor
            .as_ref()
            .map(|v| (v[0].varde, v[1].varde, v[0].bidrag));
        println!(
            "check: {} cases within the agreement; activities, minutes, contributing cases: {:?}",
            k.total.map(|t| t.varde).unwrap_or(0),
            kol.unwrap_or_default()
        );
    }

    // Issue Q1–Q4, H1, H2 (not timed), then the year (timed): protection plus audit.
    let mut utgivna: Vec<(String, Vec<Tabell>)> = Vec::new();
    let steg: [(&str, Vec<u8>, Vec<usize>); 6] = [
        ("2026-Q1/1", vec![0], vec![]),
        ("2026-Q2/1", vec![1], vec![]),
        ("2026-Q3/1", vec![2], vec![]),
        ("2026-Q4/1", vec![3], vec![]),
        ("2026-H1/1", vec![0, 1], vec![0, 1]),
        ("2026-H2/1", vec![2, 3], vec![2, 3]),
    ];
    // Every longer period's lines to its parts, as the server's history holds them (a year sums
    // its quarters).
    let utfarda =
        |utgivna: &[(String, Vec<Tabell>)], id: &str, ny: &mut Vec<Tabell>, delar: Vec<usize>| {
            let dok = dokument(utgivna);
            let mut summor: Vec<(usize, Vec<usize>)> = [(4, vec![0, 1]), (5, vec![2, 3])]
                .into_iter()
                .filter(|(l, _)| *l < dok.len())
                .collect();
            if !delar.is_empty() {
                summor.push((dok.len(), delar));
            }
            boj_rapport::skydda_dokument(&dok, id, ny, !id.contains("-Q"), &summor, &[], 5)
        };
    for (id, cykler, delar) in steg {
        let mut ny = modell::sammanstall(&u, &cykler, Omfang::Period);
        if utfarda(&utgivna, id, &mut ny, delar).is_err() {
            eprintln!("{id}: the audit refused");
            std::process::exit(1);
        }
        utgivna.push((id.to_string(), ny));
    }
    let mut tider = Vec::new();
    let mut skyddade = 0;
    let mut granser = 0;
    let mut aret = Vec::new();
    for _ in 0..5 {
        let mut ny = ar.clone();
        let t = Instant::now();
        let g = utfarda(&utgivna, "2026/1", &mut ny, vec![0, 1, 2, 3]);
        tider.push(t.elapsed().as_secs_f64() * 1000.0);
        match g {
            Ok(g) => granser = g.granser.len(),
            Err(_) => {
                eprintln!("year: the audit refused");
                std::process::exit(1);
            }
        }
        skyddade = ny
            .iter()
            .flat_map(|t| t.alla())
            .filter(|x| x.status == boj_rapport::nat::Status::Skyddad)
            .count();
        aret = ny;
    }
    tider.sort_by(f64::total_cmp);
    println!(
        "protection + audit of the year report (Q1–Q4, H1, H2 issued): best {:.0} ms, median {:.0} ms; {} cells protected in the year, {} bounds computed",
        tider[0],
        tider[tider.len() / 2],
        skyddade,
        granser
    );

    utgivna.push(("2026/1".to_string(), aret));
    forlust(
        &utgivna,
        &[(4, vec![0, 1]), (5, vec![2, 3]), (6, vec![4, 5])],
    );
}

/// Issued documents as the protection reads them (cycle reports are the quarters, whose first
/// editions never protect zeros).
fn dokument(utgivna: &[(String, Vec<Tabell>)]) -> Vec<Dokument<'_>> {
    utgivna
        .iter()
        .map(|(id, t)| Dokument {
            id: id.clone(),
            tabeller: t,
            fast: true,
            nollor: !id.contains("-Q"),
            troskel: 0,
        })
        .collect()
}

/// Information loss against the optimum for the same tables: each issued document's pattern next
/// to the least-loss pattern the audit accepts given the documents before it
/// (`boj_rapport::optimum`, a mixed-integer program with the audit as its oracle).
fn forlust(dok: &[(String, Vec<Tabell>)], summor: &[(usize, Vec<usize>)]) {
    let d = dokument(dok);
    let t = Instant::now();
    // Programs solved per document at most (`RUNDOR` in the environment).
    let rundor = std::env::var("RUNDOR")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let j = boj_rapport::optimum::jamfor(&d, summor, &[], 5, rundor, |x| {
        println!("{}", boj_rapport::optimum::rad(x))
    });
    println!("{}", boj_rapport::optimum::summa(&j));
    println!("the optima took {:.1} s", t.elapsed().as_secs_f64());
}
