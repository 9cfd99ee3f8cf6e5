//! The typeset PDF (SPEC § 3.3), with Typst: a cover page with the agreement, parties, period,
//! edition, issue date, digest and signing key; every table, breaking across pages with its header
//! repeated; bar charts for the one-way tables; page numbers; PDF/A-3b, with the signed JSON attached
//! (PDF/A-3 allows attachments) so that `boj report verify` works on the PDF as on the JSON.
//!
//! The Typst engine (fonts parsed once) is kept for the life of the process. Fonts are Typst's own
//! bundled fonts, so the output is the same on every machine and needs no network.

use crate::RenderError;
use std::sync::OnceLock;
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

static RAPPORT: &str = include_str!("../templates/rapport.typ");
static FAKTURA: &str = include_str!("../templates/fakturaunderlag.typ");
static DIAGRAMBIBLIOTEK: &str = include_str!("../templates/diagram-lib.typ");

type Motor = TypstEngine<typst_as_lib::TypstTemplateMainFile>;

fn motor(mall: &'static str, cell: &'static OnceLock<Motor>) -> &'static Motor {
    cell.get_or_init(|| {
        TypstEngine::builder()
            .main_file(mall)
            .with_static_source_file_resolver([("diagram-lib.typ", DIAGRAMBIBLIOTEK)])
            .fonts(typst_assets::fonts())
            .build()
    })
}

fn kompilera(motor: &Motor, inputs: Dict) -> Result<PagedDocument, RenderError> {
    motor
        .compile_with_input(inputs)
        .output
        .map_err(|e| RenderError::Skriv(format!("sättningen misslyckades: {e:?}")))
}

/// The report as PDF/A-3b, from the signed JSON exactly as issued.
pub fn pdf(signed_json: &[u8]) -> Result<Vec<u8>, RenderError> {
    static M: OnceLock<Motor> = OnceLock::new();
    let text = std::str::from_utf8(signed_json).map_err(|e| RenderError::Format(e.to_string()))?;
    let etiketter = crate::dokument::Dokument::las(signed_json)?
        .report
        .etiketter()
        .to_string();
    let mut inputs = Dict::new();
    inputs.insert("signed".into(), text.into_value());
    inputs.insert("etiketter".into(), etiketter.into_value());
    let doc = kompilera(motor(RAPPORT, &M), inputs)?;
    let options = typst_pdf::PdfOptions {
        standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_3b])
            .map_err(|e| RenderError::Skriv(format!("{e:?}")))?,
        ..Default::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|e| RenderError::Skriv(format!("PDF: {e:?}")))
}

/// A municipality's invoice basis (SPEC § 3.4) as PDF, from its fields as JSON (title, reference,
/// organisation, kommun, year, decision, key, population, total, amount, instalments).
pub fn fakturaunderlag(json: &str) -> Result<Vec<u8>, RenderError> {
    static M: OnceLock<Motor> = OnceLock::new();
    let mut inputs = Dict::new();
    inputs.insert("data".into(), json.into_value());
    let doc = kompilera(motor(FAKTURA, &M), inputs)?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| RenderError::Skriv(format!("PDF: {e:?}")))
}

/// The signed JSON attached to a report PDF, if `bytes` is one.
pub fn bifogad_json(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(b"%PDF") {
        return None;
    }
    let doc = lopdf::Document::load_mem(bytes).ok()?;
    doc.objects.values().find_map(|o| {
        let s = o.as_stream().ok()?;
        let typ = s.dict.get(b"Type").ok()?.as_name().ok()?;
        if typ != b"EmbeddedFile" {
            return None;
        }
        s.decompressed_content()
            .ok()
            .or_else(|| Some(s.content.clone()))
    })
}
