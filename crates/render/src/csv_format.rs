//! CSV in long format (SPEC § 3.3): one line per number — table, row, column, value, status — for
//! Swedish Excel: UTF-8 with BOM, `;` between fields, decimal comma, and no text cell that starts
//! with `=`, `+`, `-` or `@` (formula injection) unless it is a number.

use crate::{Dokument, RenderError};

/// Text that a spreadsheet would not take for a formula.
pub fn saker(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
            if s.replace(',', ".").parse::<f64>().is_err() =>
        {
            format!("'{s}")
        }
        _ => s.to_string(),
    }
}

pub fn csv(d: &Dokument) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let fel = |e: csv::Error| RenderError::Skriv(e.to_string());
    w.write_record([
        "tabell",
        "tabell_namn",
        "rad",
        "rad_namn",
        "kolumn",
        "kolumn_namn",
        "varde",
        "status",
    ])
    .map_err(fel)?;
    for t in &d.report.tables {
        for (rad, radnamn, kol, kolnamn, c) in t.lang() {
            let status = if c.value.is_none() {
                "skyddad"
            } else {
                "publicerad"
            };
            w.write_record([
                saker(&t.id),
                saker(&t.title),
                saker(rad),
                saker(radnamn),
                saker(kol),
                saker(kolnamn),
                c.text(),
                status.to_string(),
            ])
            .map_err(fel)?;
        }
    }
    let mut ut = vec![0xEF, 0xBB, 0xBF];
    ut.extend(
        w.into_inner()
            .map_err(|e| RenderError::Skriv(e.to_string()))?,
    );
    Ok(ut)
}
