//! **Disclosure control** (röjandekontroll): choosing which cells to protect (SPEC § 5).
//!
//! Works on the web of cells ([`Nat`]) and may only change cells that are not yet issued
//! (`fast == false`); issued documents never change.
//!
//! 1. **Primary**: a count of cases with 1 ≤ c < n, and a count of activities or sum of minutes with
//!    fewer than n contributing cases, is protected — inner cell or margin alike. Zero is published.
//!    Volunteer hours are published as they are.
//! 2. **Secondary, line by line** until nothing changes, on every line (a row or column and its
//!    total, a merged row and its members, a year and its quarters):
//!    - no line may have exactly one protected cell (it would be its total minus the rest);
//!    - where the total is published, each protected count c < n must be able to reach n from what the
//!      line shows: c + Σ (v − 1) over the line's other protected cells ≥ n (each of them is at least
//!      1, and the attacker knows it — sdcTools/UserSupport issue 194 recovered ones this way, and
//!      issue 307 protected small cells one by one but not *as a group*: this is the group condition);
//!    - the cell added is the smallest published non-zero cell of the line that is not issued, a part
//!      before the total (least information lost, totals kept where possible).
//! 3. Lines interact (a cell is in a row, a column and a period line), and the line rules do not see
//!    every way they combine. So the caller runs the independent audit ([`crate::granskning`]) and,
//!    for each cell it names, calls [`forstark`], which protects one more cell in each of that cell's
//!    lines; as a last resort [`skydda_allt`] protects every not-issued non-zero cell of a table (see
//!    [`crate::skydda_och_granska`]); the audit has the last word either way.
//!
//! A local method with a group condition and an exact check afterwards, rather than an optimal
//! model (τ-Argus "Optimal", sdcTable's `OPT`) or GaussSuppression's elimination, which guarantees
//! only that cells are not exactly derivable: why, in `docs/disclosure-control.md`.

use crate::nat::{Nat, Skal, Slag, Status};

/// Whether a cell's own value makes it primary.
fn primar(slag: Slag, varde: u64, bidrag: u64, n: u64) -> bool {
    match slag {
        Slag::Arenden => (1..n).contains(&varde),
        Slag::Aktiviteter => varde > 0 && (1..n).contains(&bidrag),
        Slag::Fritt => false,
    }
}

fn skydda_cell(nat: &mut Nat, c: usize, skal: Skal) -> bool {
    let cell = &mut nat.celler[c];
    if cell.fast || cell.skyddad() || cell.varde == 0 {
        return false;
    }
    cell.status = Status::Skyddad;
    cell.skal = Some(skal);
    true
}

/// Protects the smallest published non-zero cell of line `li` that may still change (parts before
/// the total); whether one was found.
fn en_till(nat: &mut Nat, li: usize) -> bool {
    let l = &nat.linjer[li];
    let kandidat = |c: usize| {
        let x = &nat.celler[c];
        !x.fast && !x.skyddad() && x.varde > 0
    };
    let del = l
        .delar
        .iter()
        .copied()
        .filter(|&c| kandidat(c))
        .min_by_key(|&c| (nat.celler[c].varde, c));
    let val = del.or_else(|| kandidat(l.summa).then_some(l.summa));
    match val {
        Some(c) => skydda_cell(nat, c, Skal::Sekundar),
        None => false,
    }
}

/// Whether line `li` needs one more protected cell.
fn behover(nat: &Nat, li: usize, n: u64) -> bool {
    let l = &nat.linjer[li];
    let alla = || std::iter::once(l.summa).chain(l.delar.iter().copied());
    let skyddade = alla().filter(|&c| nat.celler[c].skyddad()).count();
    if skyddade == 1 {
        return true;
    }
    if skyddade == 0 || nat.celler[l.summa].skyddad() {
        return false;
    }
    // The total is published: the group condition for each protected small count.
    let spel: u64 = l
        .delar
        .iter()
        .filter(|&&c| nat.celler[c].skyddad())
        .map(|&c| nat.celler[c].varde.saturating_sub(1))
        .sum();
    l.delar.iter().any(|&c| {
        let x = &nat.celler[c];
        let liten = match x.slag {
            Slag::Arenden => (1..n).contains(&x.varde),
            Slag::Aktiviteter => true,
            Slag::Fritt => false,
        };
        // What the others' slack lets this one reach: its value plus their excess over 1.
        let nar = x.varde + spel - x.varde.saturating_sub(1);
        let mal = match x.slag {
            Slag::Arenden => n,
            _ => x.varde + 1,
        };
        x.skyddad() && liten && nar < mal
    })
}

/// Primary protection, then the line rules until nothing changes. Returns the lines that needed a
/// cell and had none left to give (the audit will name their cells).
pub fn skydda(nat: &mut Nat, n: u64) -> Vec<usize> {
    for c in 0..nat.celler.len() {
        let x = &nat.celler[c];
        if primar(x.slag, x.varde, x.bidrag, n) {
            skydda_cell(nat, c, Skal::Primar);
        }
    }
    linjevis(nat, n)
}

fn linjevis(nat: &mut Nat, n: u64) -> Vec<usize> {
    let mut olosta = Vec::new();
    loop {
        let mut andrad = false;
        olosta.clear();
        for li in 0..nat.linjer.len() {
            // A line may need several cells: add one at a time until it is satisfied.
            while behover(nat, li, n) {
                if en_till(nat, li) {
                    andrad = true;
                } else {
                    olosta.push(li);
                    break;
                }
            }
        }
        if !andrad {
            return olosta;
        }
    }
}

/// One more protected cell in each line of each named cell, then the line rules again; whether
/// anything changed.
pub fn forstark(nat: &mut Nat, celler: &[usize], n: u64) -> bool {
    let per = nat.linjer_per_cell();
    let mut andrad = false;
    for &c in celler {
        andrad |= skydda_cell(nat, c, Skal::Sekundar);
        for &li in &per[c] {
            andrad |= en_till(nat, li);
        }
    }
    linjevis(nat, n);
    andrad
}

/// Protects every not-issued non-zero cell in `celler`.
pub fn skydda_allt(nat: &mut Nat, celler: &[usize]) -> bool {
    let mut andrad = false;
    for &c in celler {
        andrad |= skydda_cell(nat, c, Skal::Sekundar);
    }
    andrad
}
