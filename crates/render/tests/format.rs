//! The formats carry the same numbers as the signed document, and a protected cell is `..` in all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use boj_render::Dokument;
use std::collections::HashMap;

fn forvantat(d: &Dokument) -> HashMap<(String, String, String), String> {
    let mut m = HashMap::new();
    for t in &d.report.tables {
        for (r, _, k, _, c) in t.lang() {
            m.insert((t.id.clone(), r.to_string(), k.to_string()), c.text());
        }
    }
    m
}

#[test]
fn the_csv_round_trips_to_the_same_numbers_and_is_safe_to_open() {
    let (_, d) = common::dokument();
    let bytes = boj_render::csv_format::csv(&d).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let mut got = HashMap::new();
    let mut skyddade = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        for f in rec.iter() {
            let farlig =
                f.starts_with(['=', '+', '-', '@']) && f.replace(',', ".").parse::<f64>().is_err();
            assert!(!farlig, "a cell that a spreadsheet would run: {f}");
        }
        if &rec[7] == "skyddad" {
            assert_eq!(&rec[6], "..");
            skyddade += 1;
        }
        got.insert(
            (rec[0].to_string(), rec[2].to_string(), rec[4].to_string()),
            rec[6].to_string(),
        );
    }
    assert!(skyddade > 0, "the sample has protected cells");
    assert_eq!(got, forvantat(&d));
}

#[test]
fn the_xlsx_has_a_sheet_per_table_with_real_numbers() {
    use calamine::{Data, Reader, Xlsx};
    let (_, d) = common::dokument();
    let bytes = boj_render::xlsx::xlsx(&d).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Om rapporten");
    assert_eq!(names.len(), d.report.tables.len() + 1);
    let om = wb.worksheet_range("Om rapporten").unwrap();
    let text: Vec<String> = om
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(
        text.iter()
            .any(|l| l.contains("Tröskel") && l.contains('5'))
    );
    assert!(
        text.iter()
            .any(|l| l.contains("SHA-256") && l.contains("ab"))
    );
    // People read names and Swedish time, not codes and UTC.
    assert!(
        text.iter()
            .any(|l| l == "Målgrupper brottsutsatt, anhörig till brottsutsatt"),
        "{text:?}"
    );
    assert!(
        text.iter().any(|l| l == "Utfärdad 2026-11-26 kl. 10.00"),
        "{text:?}"
    );
    // The municipality table: numbers as numbers, protected cells as "..".
    let t = d
        .report
        .tables
        .iter()
        .find(|t| t.id == "arenden_kommun")
        .unwrap();
    let ark = wb.worksheet_range("arenden_kommun").unwrap();
    for (i, rad) in t.cells.iter().enumerate() {
        let cell = ark.get_value((i as u32 + 2, 1)).unwrap();
        match rad[0].tal() {
            Some(v) => assert_eq!(cell, &Data::Float(v), "row {i}"),
            None => assert_eq!(cell, &Data::String("..".into()), "row {i}"),
        }
    }
    assert!(
        t.cells.iter().any(|r| r[0].value.is_none()),
        "Ragunda's 3 cases are protected"
    );
}
