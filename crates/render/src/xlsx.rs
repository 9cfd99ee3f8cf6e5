//! XLSX: one sheet per table with real numbers (protected cells as the text `..`), and a sheet "Om
//! rapporten" with what the report is and how to check it.

use crate::{Dokument, RenderError};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

fn fel(e: XlsxError) -> RenderError {
    RenderError::Skriv(e.to_string())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn bladnamn(id: &str, tagna: &mut Vec<String>) -> String {
    let ren: String = id
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    let mut namn = ren.clone();
    let mut n = 2;
    while tagna.iter().any(|t| t.eq_ignore_ascii_case(&namn)) {
        namn = format!("{ren}~{n}");
        n += 1;
    }
    tagna.push(namn.clone());
    namn
}

fn skriv(
    ark: &mut Worksheet,
    rad: u32,
    kol: u16,
    c: &crate::dokument::Cell,
    decimal: &Format,
) -> Result<(), RenderError> {
    match c.tal() {
        Some(v) if c.value.as_ref().is_some_and(|n| n.is_f64()) => {
            ark.write_number_with_format(rad, kol, v, decimal)
                .map_err(fel)?;
        }
        Some(v) => {
            ark.write_number(rad, kol, v).map_err(fel)?;
        }
        None => {
            ark.write_string(rad, kol, "..").map_err(fel)?;
        }
    }
    Ok(())
}

pub fn xlsx(d: &Dokument) -> Result<Vec<u8>, RenderError> {
    let r = &d.report;
    let mut wb = Workbook::new();
    let fet = Format::new().set_bold();
    let decimal = Format::new().set_num_format("0.00");
    let mut tagna = vec!["Om rapporten".to_string()];
    {
        let om = wb.add_worksheet().set_name("Om rapporten").map_err(fel)?;
        let rader: Vec<(&str, String)> = vec![
            ("Rapport", format!("Uppföljning {} – utgåva {}", r.period, r.edition)),
            ("Överenskommelse", format!("{} (version {})", r.agreement.title, r.agreement.version)),
            ("Organisation", r.organisation.clone()),
            ("Parter", r.parties.iter().map(|p| format!("{} ({})", p.name, p.code)).collect::<Vec<_>>().join(", ")),
            ("Period", r.period.clone()),
            ("Utgåva", r.edition.to_string()),
            ("Utfärdad", r.utfardad()),
            ("Skäl till utgåvan", r.skal().unwrap_or_default()),
            ("Målgrupper", r.malgrupper()),
            ("Bosättning i partskommun krävs för", r.bosattning_kravs_for()),
            ("Samverkansparter", r.samverkansparter()),
            ("Tröskel", r.threshold.to_string()),
            ("Kontrollsumma (SHA-256)", d.signature.sha256.clone()),
            ("Signerad med nyckel", d.signature.key_id.clone()),
            (
                "Granskningsloggen vid utfärdandet",
                r.audit_head
                    .as_ref()
                    .map(|h| format!("post {}, {}", h.seq, h.sha256))
                    .unwrap_or_default(),
            ),
            ("..", "Värdet visas inte, för att ingen enskild person ska kunna urskiljas (röjandekontroll).".into()),
        ];
        for (i, (k, v)) in rader.iter().enumerate() {
            om.write_string_with_format(i as u32, 0, *k, &fet)
                .map_err(fel)?;
            om.write_string(i as u32, 1, crate::csv_format::saker(v))
                .map_err(fel)?;
        }
        om.set_column_width(0, 34).map_err(fel)?;
        om.set_column_width(1, 90).map_err(fel)?;
    }
    for t in &r.tables {
        let namn = bladnamn(&t.id, &mut tagna);
        let ark = wb.add_worksheet().set_name(&namn).map_err(fel)?;
        ark.write_string_with_format(0, 0, crate::csv_format::saker(&t.title), &fet)
            .map_err(fel)?;
        for (j, c) in t.columns.iter().enumerate() {
            ark.write_string_with_format(1, j as u16 + 1, crate::csv_format::saker(&c.label), &fet)
                .map_err(fel)?;
        }
        let ncol = t.columns.len() as u16;
        if t.row_totals.is_some() {
            ark.write_string_with_format(1, ncol + 1, "Summa", &fet)
                .map_err(fel)?;
        }
        for (i, rad) in t.rows.iter().enumerate() {
            let y = i as u32 + 2;
            ark.write_string(y, 0, crate::csv_format::saker(&rad.label))
                .map_err(fel)?;
            for (j, c) in t.cells.get(i).into_iter().flatten().enumerate() {
                skriv(ark, y, j as u16 + 1, c, &decimal)?;
            }
            if let Some(c) = t.row_totals.as_ref().and_then(|v| v.get(i)) {
                skriv(ark, y, ncol + 1, c, &decimal)?;
            }
        }
        if t.column_totals.is_some() || t.total.is_some() {
            let y = t.rows.len() as u32 + 2;
            ark.write_string_with_format(y, 0, "Summa", &fet)
                .map_err(fel)?;
            for (j, c) in t.column_totals.iter().flatten().enumerate() {
                skriv(ark, y, j as u16 + 1, c, &decimal)?;
            }
            if let Some(c) = &t.total {
                let x = if t.row_totals.is_some() || t.columns.len() != 1 {
                    ncol + 1
                } else {
                    1
                };
                skriv(ark, y, x, c, &decimal)?;
            }
        }
        ark.set_column_width(0, 40).map_err(fel)?;
    }
    wb.save_to_buffer().map_err(fel)
}
