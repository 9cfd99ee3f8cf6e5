//! # boj-render
//!
//! An issued report in the formats councils, archives and the public read (SPEC § 3.3): CSV, XLSX
//! and PDF. Everything here renders the **published** document — the signed JSON of SPEC
//! § 4, where a protected value is null — never the organisation's record, so a protected cell cannot
//! leak through a format: it is `..` everywhere.
//!
//! Kept apart from the other crates because it carries the heaviest dependencies (typesetting,
//! spreadsheets); nothing else waits for them to build.

pub mod csv_format;
pub mod dokument;
pub mod pdf;
pub mod xlsx;

pub use dokument::{Dokument, Rapport, Tabell};

/// What can go wrong while rendering.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("rapporten kunde inte läsas: {0}")]
    Format(String),
    #[error("{0}")]
    Skriv(String),
}
