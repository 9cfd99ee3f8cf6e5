//! The **web of published numbers** (nät): what disclosure control and the audit both work on.
//!
//! Every number an agreement has ever published or will publish is a [`Cell`]: an inner cell, a
//! margin, a table total, in any period and any edition. What ties them together is a [`Linje`]: a
//! total that equals the sum of its parts — a row of a table and its row total, the quarters and
//! their year, the members of a merged row and that row. This is everything the attacker of SPEC § 5
//! knows about how the tables add up; the rest of what they know (non-negative integers, the
//! threshold, protected counts are at least 1) is in the rules of [`crate::granskning`].
//!
//! A cell the same quantity appears as in two tables (the row total of "municipality × gender" and
//! the cell of "cases per municipality") is *one* cell: the report model gives both the same key.
//! An [`Implicit`] cell is a difference the attacker can form between corresponding cells of two
//! editions of a period (SPEC § 5, implied cells).

use serde::{Deserialize, Serialize};

/// What a cell counts, which decides its primary rule and its promise (SPEC § 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slag {
    /// Cases: help-seekers. Protected when 1 ≤ value < n; promised that a value below n can never
    /// be bounded below n from above.
    Arenden,
    /// Activities, or a sum of minutes: protected when fewer than n cases contribute; promised not to
    /// be determined exactly.
    Aktiviteter,
    /// Volunteer hours: about volunteers, published as they are.
    Fritt,
}

/// Whether a cell is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Publicerad,
    Skyddad,
}

/// Why a cell is protected: kept in the organisation's record, never published (SPEC § 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skal {
    /// Below the threshold (or too few contributing cases).
    Primar,
    /// Chosen so that a primary cell cannot be worked out.
    Sekundar,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Stable name: document, table quantity and category codes; for messages and records.
    pub key: String,
    /// The true value.
    pub varde: u64,
    /// How many cases contribute (equal to `varde` for case counts).
    pub bidrag: u64,
    pub slag: Slag,
    pub status: Status,
    /// Set when protected.
    pub skal: Option<Skal>,
    /// Issued already: its status can no longer change.
    pub fast: bool,
    /// Its document may protect zeros ([`nollor_skyddas`]): there the attacker cannot assume that
    /// a protected count is at least 1 (the audit works out where it may be 0).
    pub nollor: bool,
    /// A sum of minutes: it can be 0 while cases contribute (activities of 0 minutes), so it is
    /// protected by its contributing cases whatever its value, and a protected one may be 0 in any
    /// document.
    pub minuter: bool,
    /// The threshold n of its document (the agreement version it was compiled under); 0: the
    /// audit's.
    pub troskel: u64,
    /// For protection only, never read by the audit: the attacker can already compute this new
    /// cell from issued documents, so protecting it would hide nothing (and break the promise).
    pub bestamd: bool,
}

/// The published rule on zeros (SPEC § 5, docs/disclosure-control.md): the first edition of a
/// cycle report never protects a zero, so there a protected count is at least 1. Later editions,
/// half-years and years may: there a zero is protected when the same cell was not zero in an earlier
/// edition (a *changed zero*), and when every line it is in has another protected cell. Without
/// this, a corrected count going from n to n − 1 could never be issued, nor a year whose two-way
/// tables split a small published total.
pub fn nollor_skyddas(cykelrapport: bool, utgava: i64) -> bool {
    !(cykelrapport && utgava <= 1)
}

impl Cell {
    pub fn ny(key: impl Into<String>, varde: u64, bidrag: u64, slag: Slag) -> Self {
        Cell {
            key: key.into(),
            varde,
            bidrag,
            slag,
            status: Status::Publicerad,
            skal: None,
            fast: false,
            nollor: false,
            minuter: false,
            troskel: 0,
            bestamd: false,
        }
    }

    pub fn skyddad(&self) -> bool {
        self.status == Status::Skyddad
    }
}

/// `summa` = Σ `delar`, as the attacker knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Linje {
    pub summa: usize,
    pub delar: Vec<usize>,
}

/// A difference the attacker can form: `plus` − `minus` (one edition of a cell minus any other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Implicit {
    pub plus: usize,
    pub minus: usize,
}

/// Cells, the lines that tie them and the implied differences.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Nat {
    pub celler: Vec<Cell>,
    pub linjer: Vec<Linje>,
    pub implicita: Vec<Implicit>,
    /// (parts, b): Σ parts ≤ b, as the attacker knows — a count of cases with a crime type, a
    /// circumstance or a late registration is at most the document's count of cases; the cases
    /// referred to partners, summed over the partner kinds, are at most the referrals (each such
    /// case and kind has a referral of its own).
    pub hogst: Vec<(Vec<usize>, usize)>,
    #[serde(skip)]
    index: std::collections::HashMap<String, usize>,
    #[serde(skip)]
    sedda: std::collections::HashSet<Linje>,
}

impl Nat {
    /// Adds a cell or, if one with the same key exists, returns that one (the same quantity in two
    /// tables is one cell).
    pub fn cell(&mut self, c: Cell) -> usize {
        if let Some(&i) = self.index.get(&c.key) {
            return i;
        }
        self.index.insert(c.key.clone(), self.celler.len());
        self.celler.push(c);
        self.celler.len() - 1
    }

    /// Adds the line `summa` = Σ `delar` (once).
    pub fn linje(&mut self, summa: usize, mut delar: Vec<usize>) {
        delar.sort_unstable();
        delar.dedup();
        let l = Linje { summa, delar };
        if self.sedda.insert(l.clone()) {
            self.linjer.push(l);
        }
    }

    /// The cell with this key.
    pub fn hitta(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The lines each cell is in, as its total or as a part.
    pub fn linjer_per_cell(&self) -> Vec<Vec<usize>> {
        let mut per = vec![Vec::new(); self.celler.len()];
        for (i, l) in self.linjer.iter().enumerate() {
            per[l.summa].push(i);
            for &d in &l.delar {
                per[d].push(i);
            }
        }
        per
    }

    /// Whether the values hold together: every total equals the sum of its parts.
    pub fn summerar(&self) -> bool {
        self.linjer.iter().all(|l| {
            self.celler[l.summa].varde == l.delar.iter().map(|&d| self.celler[d].varde).sum::<u64>()
        })
    }
}
