//! The published report as the formats read it (SPEC § 4's JSON).

use crate::RenderError;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Dokument {
    pub report: Rapport,
    pub signature: Signatur,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Signatur {
    pub key_id: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AvtalRef {
    pub id: String,
    pub title: String,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Part {
    pub code: String,
    pub name: String,
}

/// A collaboration partner, as the year report lists them (issue 18).
#[derive(Debug, Clone, Deserialize)]
pub struct Samverkanspart {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub orgnr: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Regel {
    #[serde(default)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub residence_required_for: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Rapport {
    pub id: String,
    pub agreement: AvtalRef,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub parties: Vec<Part>,
    pub period: String,
    pub edition: i64,
    pub issued_at: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub rule: Regel,
    pub threshold: u64,
    /// The agreement's collaboration partners (year reports).
    #[serde(default)]
    pub partners: Vec<Samverkanspart>,
    pub tables: Vec<Tabell>,
    /// The audit log's head as signed at the issue (absent from reports issued before it was).
    #[serde(default)]
    pub audit_head: Option<Logghuvud>,
}

/// The report's codes as a person reads them: the PDF's cover page and the spreadsheet's "Om
/// rapporten" (the signed JSON keeps the codes).
impl Rapport {
    pub fn malgrupper(&self) -> String {
        personer(&self.rule.target_groups)
    }

    pub fn bosattning_kravs_for(&self) -> String {
        personer(&self.rule.residence_required_for)
    }

    pub fn skal(&self) -> Option<String> {
        use boj_domain::kod::{Kodlista, Utgavaskal};
        self.reason
            .as_ref()
            .map(|r| Utgavaskal::parse(r).map_or_else(|_| r.clone(), |k| k.label().to_string()))
    }

    /// The collaboration partners as a person reads them ("" when the report lists none).
    pub fn samverkansparter(&self) -> String {
        use boj_domain::kod::{Kodlista, Partnertyp};
        self.partners
            .iter()
            .map(|p| {
                let slag = Partnertyp::parse(&p.kind)
                    .map_or_else(|_| p.kind.clone(), |k| k.label().to_lowercase());
                match &p.orgnr {
                    Some(o) => format!("{} ({slag}, {o})", p.name),
                    None => format!("{} ({slag})", p.name),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn utfardad(&self) -> String {
        boj_domain::datum::svensk_tid(&self.issued_at)
    }

    /// What the PDF's cover page reads instead of the codes.
    pub fn etiketter(&self) -> serde_json::Value {
        serde_json::json!({
            "malgrupper": self.malgrupper(),
            "bosattning": self.bosattning_kravs_for(),
            "skal": self.skal(),
            "samverkansparter": self.samverkansparter(),
            "utfardad": self.utfardad(),
        })
    }
}

/// Target-group codes as their Swedish names, in a list.
fn personer(koder: &[String]) -> String {
    use boj_domain::kod::{Kodlista, PersonTyp};
    if koder.is_empty() {
        return "ingen".into();
    }
    koder
        .iter()
        .map(|c| PersonTyp::parse(c).map_or_else(|_| c.clone(), |k| k.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Deserialize)]
pub struct Logghuvud {
    pub seq: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Rubrik {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// A published number: `None` when protected.
#[derive(Debug, Clone, Deserialize)]
pub struct Cell {
    pub value: Option<serde_json::Number>,
    pub status: String,
}

impl Cell {
    /// The value as a number, `None` when protected.
    pub fn tal(&self) -> Option<f64> {
        self.value.as_ref().and_then(|n| n.as_f64())
    }

    /// Swedish text: integers as they are, decimals with a comma, protected as `..`.
    pub fn text(&self) -> String {
        match &self.value {
            None => "..".into(),
            Some(n) if n.is_u64() || n.is_i64() => n.to_string(),
            Some(n) => format!("{:.2}", n.as_f64().unwrap_or(0.0)).replace('.', ","),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tabell {
    pub id: String,
    pub title: String,
    pub rows: Vec<Rubrik>,
    pub columns: Vec<Rubrik>,
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Option<Vec<Cell>>,
    pub column_totals: Option<Vec<Cell>>,
    pub total: Option<Cell>,
}

impl Tabell {
    /// Every number with its (row code, row label, column code, column label), margins as `summa`.
    pub fn lang(&self) -> Vec<(&str, &str, &str, &str, &Cell)> {
        let mut v = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            for (j, c) in self.columns.iter().enumerate() {
                if let Some(x) = self.cells.get(i).and_then(|rad| rad.get(j)) {
                    v.push((
                        r.code.as_str(),
                        r.label.as_str(),
                        c.code.as_str(),
                        c.label.as_str(),
                        x,
                    ));
                }
            }
            if let Some(x) = self.row_totals.as_ref().and_then(|t| t.get(i)) {
                v.push((r.code.as_str(), r.label.as_str(), "summa", "Summa", x));
            }
        }
        for (j, c) in self.columns.iter().enumerate() {
            if let Some(x) = self.column_totals.as_ref().and_then(|t| t.get(j)) {
                v.push(("summa", "Summa", c.code.as_str(), c.label.as_str(), x));
            }
        }
        if let Some(x) = &self.total {
            v.push(("summa", "Summa", "summa", "Summa", x));
        }
        v
    }
}

impl Dokument {
    pub fn las(json: &[u8]) -> Result<Dokument, RenderError> {
        serde_json::from_slice(json).map_err(|e| RenderError::Format(e.to_string()))
    }
}
