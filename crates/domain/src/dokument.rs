//! What kinds of document the register accepts (SPEC § 3.1: decisions carry their documents).
//!
//! A document's declared type must match its bytes: a file named `.pdf` or sent as
//! `application/pdf` must start like a PDF. Only formats that councils' decision documents come in
//! are accepted.

use crate::error::{Code, DomainError};

/// The largest document accepted, in bytes (20 MiB: a long scanned protocol fits).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Decides the content type of an upload from its name, its declared type and its bytes.
pub fn dokumenttyp(
    filnamn: &str,
    deklarerad: Option<&str>,
    bytes: &[u8],
) -> Result<&'static str, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::new(Code::OgiltigtDokument, "Filen är tom."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(DomainError::new(
            Code::ForStorForfragan,
            "Filen är större än 20 MB.",
        ));
    }
    let ext = filnamn
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let decl = deklarerad
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let wanted = match (ext.as_str(), decl.as_str()) {
        ("pdf", _) | (_, "application/pdf") => "application/pdf",
        ("txt", _) | (_, "text/plain") => "text/plain; charset=utf-8",
        ("docx", _) => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("xlsx", _) => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("odt", _) => "application/vnd.oasis.opendocument.text",
        _ => {
            return Err(DomainError::new(
                Code::OgiltigtDokument,
                "Den filtypen tas inte emot. Ladda upp PDF, Word (docx), Excel (xlsx), OpenDocument (odt) eller ren text.",
            ));
        }
    };
    let matches = match wanted {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "text/plain; charset=utf-8" => std::str::from_utf8(bytes).is_ok(),
        _ => is_zip,
    };
    if matches {
        Ok(wanted)
    } else {
        Err(DomainError::new(
            Code::OgiltigtDokument,
            format!(
                "Filen ”{}” är inte vad den utger sig för att vara: innehållet stämmer inte med filtypen.",
                crate::kommun::clip(filnamn)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_must_be_a_pdf() {
        assert_eq!(
            dokumenttyp("beslut.pdf", Some("application/pdf"), b"%PDF-1.7\n...").unwrap(),
            "application/pdf"
        );
        let e =
            dokumenttyp("beslut.pdf", Some("application/pdf"), b"<html>nope</html>").unwrap_err();
        assert_eq!(e.code, Code::OgiltigtDokument);
        assert!(dokumenttyp("x.bin", None, b"%PDF-").is_err());
        assert!(dokumenttyp("protokoll.txt", None, "§ 22 åäö".as_bytes()).is_ok());
        assert!(dokumenttyp("p.docx", None, b"PK\x03\x04rest").is_ok());
        assert!(dokumenttyp("p.docx", None, b"%PDF-").is_err());
        assert!(dokumenttyp("tom.pdf", None, b"").is_err());
    }
}
