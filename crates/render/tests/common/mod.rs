//! A sample published report for the format tests.

use boj_domain::Kommunkod;
use boj_rapport::modell::{self, Fall, Omfang, Underlag};
use boj_render::Dokument;

/// A protected small-county quarter, published and "signed" (the signature is not checked here).
pub fn dokument() -> (Vec<u8>, Dokument) {
    let parter: Vec<Kommunkod> = ["2303", "2326", "2380"]
        .iter()
        .map(|k| Kommunkod::parse(k).unwrap())
        .collect();
    let mut u = Underlag {
        parter,
        ..Underlag::default()
    };
    for i in 0..60u32 {
        u.fall.push(Fall {
            hem: if i % 20 == 0 { 0 } else { 2 },
            kon: (i % 2) as u8,
            alder: (i % 5) as u8,
            brott: 1 << (i % 4),
            status: modell::INOM,
            informerad: i % 3 != 0,
            ..Fall::default()
        });
    }
    let mut t = modell::sammanstall(&u, &[0], Omfang::Period);
    boj_rapport::skydda_dokument(&[], "2026-Q3/1", &mut t, false, &[], &[], 5).unwrap();
    let mut tables: Vec<serde_json::Value> = t
        .iter()
        .map(|x| serde_json::to_value(modell::publicera(x)).unwrap())
        .collect();
    // A hostile label, to check formula safety.
    tables[0]["rows"][0]["label"] = serde_json::json!("=HYPERLINK(\"x\")");
    let doc = serde_json::json!({
        "report": {"id": "r_1", "agreement": {"id": "a_1", "title": "IOP", "version": 1}, "organisation": "BOJ",
                   "parties": [{"code": "2303", "name": "Ragunda"}], "period": "2026-Q3", "edition": 1,
                   "issued_at": "2026-11-26T09:00:00Z", "rule": {"target_groups": ["brottsutsatt", "anhorig_brottsutsatt"], "residence_required_for": ["brottsutsatt"]},
                   "threshold": 5, "tables": tables},
        "signature": {"alg": "Ed25519", "key_id": "k_1", "sha256": "ab", "value": "cd"}
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    let d = Dokument::las(&bytes).unwrap();
    (bytes, d)
}
