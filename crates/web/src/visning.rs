//! Presentation that both faces use (the API's JSON and the pages' charts): no handlers here, so
//! neither [`crate::api`] nor [`crate::pages`] imports the other.

use boj_rapport::modell::{Tabell, publicera};
use serde::Serialize;
use utoipa::ToSchema;

/// A live table: true values, and which cells a report would protect.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewTable {
    #[schema(value_type = Object)]
    pub table: serde_json::Value,
    /// Row by row: whether the cell would be protected in an issued report.
    pub would_protect: Vec<Vec<bool>>,
    /// The same for the margins, where the table has them.
    pub would_protect_row_totals: Option<Vec<bool>>,
    pub would_protect_column_totals: Option<Vec<bool>>,
    pub would_protect_total: Option<bool>,
}

/// Live tables as the preview shows them: every value open, with the cells a report would protect
/// marked.
pub fn preview_out(t: &[Tabell]) -> Vec<PreviewTable> {
    let skyddad = |c: &boj_rapport::modell::Tal| c.status == boj_rapport::nat::Status::Skyddad;
    t.iter()
        .map(|x| {
            let mut open = x.clone();
            for c in open.celler.iter_mut().flatten() {
                c.status = boj_rapport::nat::Status::Publicerad;
            }
            for c in open.radsummor.iter_mut().flatten() {
                c.status = boj_rapport::nat::Status::Publicerad;
            }
            for c in open.kolumnsummor.iter_mut().flatten() {
                c.status = boj_rapport::nat::Status::Publicerad;
            }
            if let Some(c) = open.total.as_mut() {
                c.status = boj_rapport::nat::Status::Publicerad;
            }
            PreviewTable {
                table: serde_json::to_value(publicera(&open)).unwrap_or_default(),
                would_protect: x
                    .celler
                    .iter()
                    .map(|r| r.iter().map(skyddad).collect())
                    .collect(),
                would_protect_row_totals: x
                    .radsummor
                    .as_ref()
                    .map(|v| v.iter().map(skyddad).collect()),
                would_protect_column_totals: x
                    .kolumnsummor
                    .as_ref()
                    .map(|v| v.iter().map(skyddad).collect()),
                would_protect_total: x.total.as_ref().map(skyddad),
            }
        })
        .collect()
}

/// A decision's document as a download, its checked SHA-256 in a header.
pub fn dokument(meta: boj_app::avtal::DokumentMeta, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let filename = meta
        .filename
        .unwrap_or_else(|| "dokument".into())
        .replace(['"', '\\', '\r', '\n'], "_");
    (
        [
            (
                header::CONTENT_TYPE,
                meta.content_type
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    filename.replace(|c: char| !c.is_ascii(), "_")
                ),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                meta.sha256.unwrap_or_default(),
            ),
        ],
        bytes,
    )
        .into_response()
}
