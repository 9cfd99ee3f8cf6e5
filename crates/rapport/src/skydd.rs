//! **Disclosure control** (röjandekontroll): choosing which cells to protect (SPEC § 5).
//!
//! Works on the web of cells ([`Nat`]) and may only change cells that are not yet issued
//! (`fast == false`); issued documents never change.
//!
//! 0. **What is already known** ([`bestam`]): a new cell the attacker can compute from issued
//!    documents alone (a year's cell whose quarters are all published, a merged row whose members
//!    are) is never protected — a protection that hides nothing misleads the reader and breaks the
//!    promise. A new cell that sums issued cells of which one is protected **inherits** the
//!    protection (a year adds nothing to what its quarters told).
//! 1. **Primary**: a count of cases with 1 ≤ c < n, and a count of activities or sum of minutes with
//!    fewer than n contributing cases, is protected — inner cell or margin alike. In a later edition
//!    also every count of cases that moved by 1 ≤ |d| < n from any earlier edition, every count of
//!    activities or minutes that moved at all, and every *changed zero* (a zero that was not zero in
//!    an earlier edition). Volunteer hours are published as they are.
//! 2. **Secondary, line by line** until nothing changes, on every line (a row or column and its
//!    total, a merged row and its members, a year and its quarters):
//!    - no line may have exactly one protected cell (it would be its total minus the rest);
//!    - where the total is published, each protected count c < n must be able to reach n from what the
//!      line shows: c + Σ (v − least) over the line's other protected cells ≥ n (each of them is at
//!      least 1 in a first edition, and the attacker knows it — sdcTools/UserSupport issue 194
//!      recovered ones this way, and issue 307 protected small cells one by one but not *as a
//!      group*: this is the group condition);
//!    - the cell added is the cheapest: the smallest published non-zero cell of the line that may
//!      still change, a part before the total (least information lost, totals kept where possible).
//! 3. **Zeros** ([`nollor`]): in a document that may protect zeros, a zero is protected when every
//!    line it is in has another protected cell — the published rule that lets the attacker assume
//!    only "at least 0" there.
//! 4. Lines interact, and the line rules do not see every way they combine. So the caller runs the
//!    independent audit ([`crate::granskning`]) and, for each cell it names, calls [`forstark`];
//!    as a last resort [`skydda_allt`] protects every new non-zero cell that is not already known
//!    (see [`crate::skydda_och_granska`], and docs/disclosure-control.md for why that passes).
//!
//! A local method with a group condition and an exact check afterwards, rather than an optimal
//! model (τ-Argus "Optimal", sdcTable's `OPT`) or GaussSuppression's elimination: why, in
//! `docs/disclosure-control.md`; what it costs against the optimum, in BENCHMARKS.md.

use crate::nat::{Nat, Skal, Slag, Status};

/// Whether a cell's own value makes it primary.
fn primar(slag: Slag, varde: u64, bidrag: u64, n: u64) -> bool {
    match slag {
        Slag::Arenden => (1..n).contains(&varde),
        // Whatever its value: a sum of minutes can be 0 while a case contributes.
        Slag::Aktiviteter => (1..n).contains(&bidrag),
        Slag::Fritt => false,
    }
}

/// Whether a cell may still be protected: new, not protected, not known from issued documents,
/// and not zero unless `noll`.
fn kan(nat: &Nat, c: usize, noll: bool) -> bool {
    let x = &nat.celler[c];
    !x.fast
        && !x.skyddad()
        && !x.bestamd
        && x.slag != Slag::Fritt
        && (x.varde > 0 || noll || x.minuter)
}

fn skydda_cell(nat: &mut Nat, c: usize, skal: Skal) -> bool {
    let noll = nat.celler[c].nollor;
    if !kan(nat, c, noll) {
        return false;
    }
    let cell = &mut nat.celler[c];
    cell.status = Status::Skyddad;
    cell.skal = Some(skal);
    true
}

/// Marks the new cells the attacker can compute from issued documents alone (`bestamd`): issued
/// published cells are known; in a line, the only unknown cell is known, and where the known cells
/// of a line already add up to its known total, its unknown parts are zero and known.
pub fn bestam(nat: &mut Nat) {
    let mut kand: Vec<bool> = nat.celler.iter().map(|c| c.fast && !c.skyddad()).collect();
    loop {
        let mut andrad = false;
        for l in &nat.linjer {
            let alla = || std::iter::once(l.summa).chain(l.delar.iter().copied());
            let okanda: Vec<usize> = alla().filter(|&c| !kand[c]).collect();
            let ny = match okanda.as_slice() {
                [] => false,
                [en] => {
                    kand[*en] = true;
                    true
                }
                _ if kand[l.summa] => {
                    let kant: u64 = l
                        .delar
                        .iter()
                        .filter(|&&c| kand[c])
                        .map(|&c| nat.celler[c].varde)
                        .sum();
                    if kant == nat.celler[l.summa].varde {
                        for &c in &okanda {
                            kand[c] = true;
                        }
                        true
                    } else {
                        false
                    }
                }
                _ => false,
            };
            andrad |= ny;
        }
        if !andrad {
            break;
        }
    }
    for (c, k) in nat.celler.iter_mut().zip(kand) {
        c.bestamd = k && !c.fast;
    }
}

/// Protects the cheapest published non-zero cell of line `li` that may still change (parts before
/// the total); whether one was found.
fn en_till(nat: &mut Nat, li: usize) -> bool {
    let l = &nat.linjer[li];
    let del = l
        .delar
        .iter()
        .copied()
        .filter(|&c| kan(nat, c, false))
        .min_by_key(|&c| (nat.celler[c].varde, c));
    let val = del.or_else(|| kan(nat, l.summa, false).then_some(l.summa));
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
    let minst = |c: usize| u64::from(!nat.celler[c].nollor && !nat.celler[c].minuter);
    // The total is published: the group condition for each protected small count.
    let spel: u64 = l
        .delar
        .iter()
        .filter(|&&c| nat.celler[c].skyddad())
        .map(|&c| nat.celler[c].varde.saturating_sub(minst(c)))
        .sum();
    l.delar.iter().any(|&c| {
        let x = &nat.celler[c];
        let liten = match x.slag {
            Slag::Arenden => (1..n).contains(&x.varde),
            Slag::Aktiviteter => true,
            Slag::Fritt => false,
        };
        // What the others' slack lets this one reach: its value plus their excess over the least.
        let nar = x.varde + spel - x.varde.saturating_sub(minst(c));
        let mal = match x.slag {
            Slag::Arenden => n,
            _ => x.varde + 1,
        };
        x.skyddad() && liten && nar < mal
    })
}

/// Steps 0 to 3: what is known, inherited protection, primary protection, the line rules until
/// nothing changes, and the zeros.
pub fn skydda(nat: &mut Nat, n: u64) {
    bestam(nat);
    // Inherited: a new total of issued parts of which one is protected (a year of its quarters).
    for li in 0..nat.linjer.len() {
        let l = &nat.linjer[li];
        let arv = !nat.celler[l.summa].fast
            && l.delar.iter().all(|&d| nat.celler[d].fast)
            && l.delar.iter().any(|&d| nat.celler[d].skyddad());
        if arv {
            let s = l.summa;
            skydda_cell(nat, s, Skal::Sekundar);
        }
    }
    for c in 0..nat.celler.len() {
        let x = &nat.celler[c];
        if primar(x.slag, x.varde, x.bidrag, n) {
            skydda_cell(nat, c, Skal::Primar);
        }
    }
    // Changes between editions (the new edition is `plus`).
    for i in 0..nat.implicita.len() {
        let im = nat.implicita[i];
        let (p, m) = (&nat.celler[im.plus], &nat.celler[im.minus]);
        if p.fast {
            continue;
        }
        // Judged against what the earlier edition published, never its hidden value (the attacker
        // knows this rule): a cell protected in an earlier edition stays protected.
        let d = p.varde.abs_diff(m.varde);
        let andrad = p.slag != Slag::Fritt
            && (m.skyddad()
                || match p.slag {
                    Slag::Arenden => (1..n).contains(&d) || (p.varde == 0 && m.varde > 0),
                    _ => d > 0,
                });
        if andrad {
            skydda_cell(nat, im.plus, Skal::Primar);
        }
    }
    linjevis(nat, n);
    nollor(nat);
}

fn linjevis(nat: &mut Nat, n: u64) {
    loop {
        let mut andrad = false;
        for li in 0..nat.linjer.len() {
            // A line may need several cells: add one at a time until it is satisfied.
            while behover(nat, li, n) {
                if en_till(nat, li) {
                    andrad = true;
                } else {
                    break;
                }
            }
        }
        if !andrad {
            return;
        }
    }
}

/// Step 3, the published rule on zeros: in a document that may protect zeros, every new zero that
/// is in at least one line, each of which has another protected cell, is protected (until nothing
/// changes).
pub fn nollor(nat: &mut Nat) {
    let per = nat.linjer_per_cell();
    loop {
        let mut andrad = false;
        for (c, linjer) in per.iter().enumerate() {
            let x = &nat.celler[c];
            if !x.nollor || x.varde != 0 || linjer.is_empty() || !kan(nat, c, true) {
                continue;
            }
            let alla_har = linjer.iter().all(|&li| {
                let l = &nat.linjer[li];
                std::iter::once(l.summa)
                    .chain(l.delar.iter().copied())
                    .any(|d| d != c && nat.celler[d].skyddad())
            });
            if alla_har {
                andrad |= skydda_cell(nat, c, Skal::Sekundar);
            }
        }
        if !andrad {
            return;
        }
    }
}

/// One more protected cell in each line of each named cell, then the line rules and the zeros
/// again; whether anything changed.
pub fn forstark(nat: &mut Nat, celler: &[usize], n: u64) -> bool {
    let per = nat.linjer_per_cell();
    let mut andrad = false;
    for &c in celler {
        andrad |= skydda_cell(nat, c, Skal::Sekundar);
        for &li in &per[c] {
            andrad |= en_till(nat, li);
        }
        // A several-valued count bounded by the document's cases: hide that bound too.
        let storre: Vec<usize> = nat
            .hogst
            .iter()
            .filter(|(delar, _)| delar.contains(&c))
            .map(|(_, b)| *b)
            .collect();
        for b in storre {
            andrad |= skydda_cell(nat, b, Skal::Sekundar);
        }
    }
    linjevis(nat, n);
    nollor(nat);
    andrad
}

/// Protects every cell in `celler` that may still be protected (new, non-zero, not known from
/// issued documents), then the zeros; whether anything changed.
pub fn skydda_allt(nat: &mut Nat, celler: &[usize]) -> bool {
    let mut andrad = false;
    for &c in celler {
        if nat.celler[c].varde > 0 {
            andrad |= skydda_cell(nat, c, Skal::Sekundar);
        }
    }
    nollor(nat);
    andrad
}
