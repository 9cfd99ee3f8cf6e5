//! The PDF: it opens, its text has the tables and the digest, and the signed JSON inside verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[test]
fn the_pdf_carries_the_tables_the_digest_and_the_signed_report() {
    let (bytes, _) = common::dokument();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let (signed, sig) =
        boj_rapport::signatur::signera(v["report"].clone(), &[9u8; 32], "k_test").unwrap();
    let pdf = boj_render::pdf::pdf(&signed).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The attached document is the signed one, byte for byte, and verifies.
    let inner = boj_render::pdf::bifogad_json(&pdf).expect("the signed JSON is attached");
    assert_eq!(inner, signed);
    let pk = boj_rapport::signatur::publik(&[9u8; 32]);
    assert!(boj_rapport::signatur::verifiera(&inner, Some(&pk)).is_ok());
    // The pages' text: cover with the digest and key, every table, protected cells as "..",
    // page numbers.
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(pages.len() >= 2, "a cover page and the tables");
    let text = doc.extract_text(&pages).unwrap();
    assert!(text.contains(&sig.sha256), "the digest is on the cover");
    assert!(text.contains("k_test"));
    // The cover speaks Swedish: the issue in Swedish time, the target groups by name.
    assert!(
        text.contains("2026-11-26 kl. 10.00"),
        "{}",
        &text[..600.min(text.len())]
    );
    assert!(text.contains("anhörig till brottsutsatt") && !text.contains("anhorig_"));
    assert!(text.contains(&format!("Sida 1 av {}", pages.len())));
    let d = boj_render::Dokument::las(&signed).unwrap();
    for t in &d.report.tables {
        assert!(text.contains(&t.title), "table {} is in the PDF", t.title);
    }
    let kommun = d
        .report
        .tables
        .iter()
        .find(|t| t.id == "arenden_kommun")
        .unwrap();
    assert!(kommun.cells.iter().any(|r| r[0].value.is_none()));
    assert!(text.contains("..:"), "the footnote on protected values");
    assert!(
        text.contains(&format!(
            "Summa \n{}",
            kommun.total.as_ref().unwrap().text()
        )) || text.contains(&kommun.total.as_ref().unwrap().text())
    );
}

#[test]
fn a_json_file_is_not_taken_for_a_pdf() {
    assert!(boj_render::pdf::bifogad_json(b"{\"report\": {}}").is_none());
    assert!(boj_render::pdf::bifogad_json(b"%PDF-1.7 trasig").is_none());
}
