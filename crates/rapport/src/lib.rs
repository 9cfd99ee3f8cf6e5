//! # boj-rapport
//!
//! The compiled documentation of an agreement (§ 22 2b; SPEC § 3.3) and its protection (SPEC § 5), as
//! pure functions without I/O:
//!
//! - [`nat`]: the web of published numbers — cells, the lines that add them up, implied differences;
//! - [`skydd`]: disclosure control, which chooses the protected cells;
//! - [`granskning`]: the audit, which computes the attacker's integer bounds and judges the promise,
//!   independently of how the protections were chosen;
//! - [`skydda_och_granska`]: the two together, as issuing uses them;
//! - [`optimum`]: the least-loss pattern, a yardstick the benchmarks compare the protection with.

pub mod bygg;
pub mod granskning;
pub mod historik;
pub mod modell;
pub mod nat;
pub mod optimum;
pub mod rakning;
pub mod signatur;
pub mod skydd;

use granskning::{Granskning, Mal, granska};
use nat::Nat;

/// How many rounds of "audit, then protect more around what it names" before protecting whole
/// tables.
const RUNDOR: usize = 12;

/// Protects the not-yet-issued cells of `nat` and audits the result.
///
/// `tabeller` groups the new cells by table. When the line rules and the audit's hints do not reach
/// a protection the audit accepts within [`RUNDOR`] rounds, every table with a breach is protected
/// whole (its non-zero cells that the attacker cannot already compute), and if that still fails,
/// every such cell of the document: the last resort, which passes whenever the issued documents
/// keep the promise on their own (docs/disclosure-control.md gives the argument, and the
/// randomised tests check it). `Err` carries the audit that still fails (issuing must refuse).
pub fn skydda_och_granska(
    nat: &mut Nat,
    n: u64,
    tabeller: &[Vec<usize>],
) -> Result<Granskning, Granskning> {
    skydd::skydda(nat, n);
    for _ in 0..RUNDOR {
        let g = granska(nat, n);
        if g.haller() {
            return Ok(g);
        }
        let celler = brottsceller(&g);
        if !skydd::forstark(nat, &celler, n) {
            break;
        }
    }
    let g = granska(nat, n);
    if g.haller() {
        return Ok(g);
    }
    let celler = brottsceller(&g);
    for t in tabeller {
        if t.iter().any(|c| celler.contains(c)) {
            skydd::skydda_allt(nat, t);
        }
    }
    skydd::forstark(nat, &[], n);
    let g = granska(nat, n);
    if g.haller() {
        return Ok(g);
    }
    let alla: Vec<usize> = tabeller.iter().flatten().copied().collect();
    skydd::skydda_allt(nat, &alla);
    skydd::forstark(nat, &[], n);
    let g = granska(nat, n);
    if g.haller() { Ok(g) } else { Err(g) }
}

/// The cells a failing audit names (both sides of a difference).
fn brottsceller(g: &Granskning) -> Vec<usize> {
    let mut v: Vec<usize> = g
        .brott()
        .flat_map(|b| match b.mal {
            Mal::Cell { cell } => vec![cell],
            Mal::Skillnad { plus, minus } => vec![plus, minus],
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Protects a new document against everything issued before it and audits the result; on success
/// the statuses are written into `ny`. `tidigare` are the issued documents; in `summor` and
/// `utgavor` the new document has index `tidigare.len()`; `nollor`: whether the new document may
/// protect zeros ([`nat::nollor_skyddas`]).
pub fn skydda_dokument(
    tidigare: &[bygg::Dokument],
    ny_id: &str,
    ny: &mut [modell::Tabell],
    nollor: bool,
    summor: &[(usize, Vec<usize>)],
    utgavor: &[(usize, usize)],
    n: u64,
) -> Result<Granskning, Granskning> {
    let kopia = ny.to_vec();
    let mut alla = tidigare.to_vec();
    alla.push(bygg::Dokument {
        id: ny_id.to_string(),
        tabeller: &kopia,
        fast: false,
        nollor,
        troskel: n,
    });
    let (mut nat, platser) = bygg::bygg(&alla, summor, utgavor);
    // The lines are what the attacker knows: a line the true values break (a longer period over
    // cycle reports compiled differently) would mislead the audit, so such a document is refused.
    if !nat.summerar() {
        return Err(Granskning {
            granser: Vec::new(),
            fel: vec!["the documents do not add up as their lines say".into()],
        });
    }
    let egna = platser
        .last()
        .map(|p| bygg::tabellceller(p))
        .unwrap_or_default();
    let r = skydda_och_granska(&mut nat, n, &egna);
    if r.is_ok()
        && let Some(p) = platser.last()
    {
        bygg::skriv_tillbaka(&nat, ny, p);
        modell::folj_skydd(ny);
    }
    r
}
