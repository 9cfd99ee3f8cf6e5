//! Fuzzing every parser of outside data (issue 17), with proptest's generators: valid samples
//! mutated byte by byte (flipped, inserted, removed, cut off) and plain noise. A parser may refuse
//! anything; it may never panic, and the server may never answer 5xx.
//!
//! - SCB's population files, in each layout `folkmangd::las` takes;
//! - an upload's type check (`dokument::dokumenttyp`): name, declared type and bytes;
//! - the report verifier's input: the signed JSON (`signatur::verifiera`) and the PDF that carries it
//!   (`pdf::bifogad_json`), from a report issued here;
//! - form bodies and JSON bodies through the running server, pages and API alike, and addresses.
//!
//! The number of cases per target is `BOJ_FUZZ` (default 48, so the test command stays quick);
//! `.ci/run` runs these targets again with thousands, within a time limit.

use crate::arenden::setup;
use crate::helpers::{TestApp, spawn_app};
use crate::rapporter::case;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

fn fall() -> u32 {
    std::env::var("BOJ_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

fn config() -> Config {
    Config {
        cases: fall(),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A sample mutated: up to eight edits (a byte changed, inserted or removed, or the rest cut off).
fn mutera(prov: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let n = prov.len().max(1);
    prop::collection::vec((0..n + 1, 0u8..4, any::<u8>()), 0..8).prop_map(move |edits| {
        let mut b = prov.clone();
        for (i, op, x) in edits {
            let i = i.min(b.len());
            match op {
                0 if i < b.len() => b[i] = x,
                1 => b.insert(i, x),
                2 if i < b.len() => {
                    b.remove(i);
                }
                3 => b.truncate(i),
                _ => {}
            }
        }
        b
    })
}

/// Mutations of any of `prov`, or noise.
fn indata(prov: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    let mut s: Vec<BoxedStrategy<Vec<u8>>> = prov.into_iter().map(|p| mutera(p).boxed()).collect();
    s.push(prop::collection::vec(any::<u8>(), 0..512).boxed());
    proptest::strategy::Union::new(s).boxed()
}

/// The harness itself: a parser that panics on a sample made shorter is caught (a fuzzer that
/// cannot fail proves nothing).
#[test]
fn fuzz_harness_catches_a_planted_panic() {
    let prov = b"811218-9876;Ragunda;5000".to_vec();
    let len = prov.len();
    let mut r = TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let utfall = r.run(&mutera(prov), |b| {
        assert!(b.len() >= len, "planted panic");
        Ok(())
    });
    assert!(utfall.is_err(), "the planted panic was not found");
}

const SCB: &[u8] = include_bytes!("../../demo/scb-folkmangd-jamtland-2024.csv");

#[test]
fn fuzz_scb_population_files() {
    let text = String::from_utf8_lossy(SCB).to_string();
    let prov = vec![
        SCB.to_vec(),
        text.replace(';', ",").into_bytes(),
        text.replace(';', "\t").into_bytes(),
        text.replace('\n', "\r\n").into_bytes(),
        [b"\xEF\xBB\xBF".as_slice(), SCB].concat(),
    ];
    let mut r = TestRunner::new(config());
    r.run(&indata(prov), |b| {
        let _ = boj_domain::folkmangd::las(&b);
        Ok(())
    })
    .unwrap();
}

#[test]
fn fuzz_uploaded_documents_type_check() {
    let prov = vec![
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n%%EOF".to_vec(),
        b"PK\x03\x04\x14\x00\x06\x00word/document.xml".to_vec(),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec(),
    ];
    let namn = prop::sample::select(vec![
        "beslut.pdf",
        "protokoll.docx",
        "a.PDF",
        "utan",
        ".pdf",
        "x.",
        "ä.ödt",
    ]);
    let typ = prop::option::of(prop::sample::select(vec![
        "application/pdf",
        "application/pdf; charset=x",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
        "",
        ";;",
    ]));
    let mut r = TestRunner::new(config());
    r.run(&(namn, typ, indata(prov)), |(n, t, b)| {
        let _ = boj_domain::dokument::dokumenttyp(n, t, &b);
        Ok(())
    })
    .unwrap();
}

/// The server's answers to mutated bodies and addresses: never a 5xx. Inputs are drawn up front
/// (no shrinking: the failing input is printed as it was sent).
fn dra(s: &BoxedStrategy<Vec<u8>>, n: u32) -> Vec<Vec<u8>> {
    let mut r = TestRunner::new(config());
    (0..n)
        .map(|_| s.new_tree(&mut r).unwrap().current())
        .collect()
}

/// Sends body `b` as `typ`; the answer is anything but a 5xx.
async fn ingen_5xx(req: reqwest::RequestBuilder, typ: &str, path: &str, b: Vec<u8>) {
    let text = String::from_utf8_lossy(&b).to_string();
    let res = req
        .header("content-type", typ)
        .body(b)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().as_u16() < 500,
        "{path}: {} for {text:?}",
        res.status()
    );
}

#[tokio::test]
async fn fuzz_reports_verifier_json_and_pdf_and_the_server_s_bodies() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for n in 0..6 {
        let g = if n % 2 == 0 { "kvinna" } else { "man" };
        app.register_case(&s.sp1, &case(&s.agreement, "2026-08-20", "2380", g))
            .await;
    }
    let res = app.issue(&s.sam, &s.agreement, "2026-Q3").await;
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = TestApp::client();
    let hamta = |path: String| {
        let c = c.clone();
        let sam = s.sam.clone();
        async move {
            c.get(path)
                .bearer_auth(sam)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let json = hamta(app.at(&format!("/api/v1/reports/{id}"))).await;
    let pdf = hamta(app.at(&format!("/api/v1/reports/{id}/pdf"))).await;
    assert!(boj_rapport::signatur::verifiera(&json, None).is_ok());
    assert_eq!(
        boj_render::pdf::bifogad_json(&pdf).as_deref(),
        Some(&json[..])
    );

    // The verifier's JSON, and the PDF carrying it (fewer cases: a PDF is parsed whole each time).
    let mut r = TestRunner::new(config());
    r.run(&indata(vec![json.clone()]), |b| {
        let _ = boj_rapport::signatur::verifiera(&b, None);
        Ok(())
    })
    .unwrap();
    let mut r = TestRunner::new(Config {
        cases: fall().div_ceil(4),
        ..config()
    });
    r.run(&indata(vec![pdf]), |b| {
        if let Some(j) = boj_render::pdf::bifogad_json(&b) {
            let _ = boj_rapport::signatur::verifiera(&j, None);
        }
        Ok(())
    })
    .unwrap();

    // JSON bodies to the API, mutated from valid ones.
    let kropp = serde_json::to_vec(&case(&s.agreement, "2026-08-21", "2380", "man")).unwrap();
    let beslut = serde_json::to_vec(
        &serde_json::json!({"body": "kommunfullmaktige", "municipality": "2326",
        "decided_on": "2025-12-10", "applies_from": "2026-01-01", "paragraph": "§ 1",
        "items": [{"number": "1", "text": "att godkänna"}], "outcome": "bifall"}),
    )
    .unwrap();
    let mal = [
        ("/api/v1/cases".to_string(), kropp, s.sp1.clone()),
        (
            format!("/api/v1/agreements/{}/decisions", s.agreement),
            beslut,
            s.forbund.clone(),
        ),
    ];
    for (path, prov, token) in mal {
        for b in dra(&indata(vec![prov]), fall()) {
            let req = c.post(app.at(&path)).bearer_auth(&token);
            ingen_5xx(req, "application/json", &path, b).await;
        }
    }

    // Form bodies to a page, with the session and its CSRF token.
    let (pc, csrf) = app.login("stodperson1").await;
    let form = format!(
        "csrf={csrf}&agreement_id={}&opened_on=2026-08-21&person_type=brottsutsatt&municipality=2380&gender=man\
         &age_band=25-44&crime_types=misshandel&police_report=ja&first_contact=polis&informed_11_6=ja&note=Ring+efter+lunch",
        s.agreement
    );
    for b in dra(&indata(vec![form.into_bytes()]), fall()) {
        let req = pc.post(app.at("/arenden"));
        ingen_5xx(req, "application/x-www-form-urlencoded", "/arenden", b).await;
    }

    // Addresses: path and query, percent-encoded from mutated bytes.
    let adresser = indata(vec![
        format!("cases/{id}?status=open&page=2").into_bytes(),
        b"reports?agreement_id=a_1".to_vec(),
    ]);
    for b in dra(&adresser, fall()) {
        let kodad: String = b
            .iter()
            .map(|x| match x {
                b'a'..=b'z' | b'0'..=b'9' | b'/' | b'?' | b'=' | b'&' | b'_' | b'-' => {
                    char::from(*x).to_string()
                }
                _ => format!("%{x:02X}"),
            })
            .collect();
        let res = c
            .get(format!("{}/api/v1/{kodad}", app.url))
            .bearer_auth(&s.sam)
            .send()
            .await
            .unwrap();
        assert!(res.status().as_u16() < 500, "{kodad}: {}", res.status());
    }
}
