//! **The least-loss protection pattern**, a yardstick for benchmarks: never used when issuing.
//!
//! Given the web of a new document and everything issued before it, which cells of the new
//! document should be protected so that the audit ([`crate::granskning::granska`]) accepts the
//! result while hiding as little as possible? The protection ([`crate::skydd`]) answers with rules
//! and rounds; this module answers exactly, to measure how much more the rules hide than they must
//! (BENCHMARKS.md, "information loss").
//!
//! The loss of a pattern is counted in people: a protected count of cases hides its value, a
//! protected count of activities or sum of minutes hides its contributing cases; ties go to fewer
//! cells. The search is a mixed-integer program over one binary per protectable new cell (good_lp
//! over microlp, as the audit), with the audit as the oracle (combinatorial cuts):
//!
//! 1. Forced: a new count the audit names as a breach when everything is published is protected;
//!    a new cell the issued documents already determine (`skydd::bestam`), a zero the document's
//!    published rule never protects (`nat::nollor_skyddas`, `granskning::golv`) and volunteer
//!    hours are not.
//! 2. Necessary, for new cells and for cells issued protected alike: a protected cell of cases or
//!    activities is never the only unknown of a line (it would be determined exactly); for a new
//!    zero this is also the published rule on when it may be protected. A protected small count c must be able to reach n: in each line where it is a
//!    part, the other protected parts can give up at most their values, so they must hold n − c
//!    between them unless the line's total is protected.
//! 3. Solve; audit the pattern. Each breach names a target; the attacker's bounds on it depend only
//!    on the group of unknown cells it lies in (cells tied by lines). Publishing more cells can only
//!    narrow them (the attacker learns more), so every better pattern must protect at least one new
//!    cell that shares a line with that group, or stop protecting the target itself: that
//!    inequality is added and the program solved again.
//!
//! Each round's optimum is a lower bound on the true optimum; the first pattern the audit accepts is
//! the optimum. A round limit returns the bound reached, marked unproven.

use crate::granskning::{Mal, granska, grupper};
use crate::nat::{Nat, Slag, Status};
use good_lp::solvers::microlp::microlp;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use std::collections::{HashMap, HashSet};

/// The result for one new document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Optimum {
    /// The new cells the optimum protects (indices into the web).
    pub skyddade: Vec<usize>,
    /// Its loss ([`forlust`]).
    pub forlust: u64,
    /// Whether the audit accepted it (the optimum); otherwise `forlust` is a lower bound only.
    pub bevisat: bool,
    /// Programs solved.
    pub rundor: usize,
}

/// What protecting `c` hides, in people: the value of a count of cases, the contributing cases of
/// activities or minutes, nothing for volunteer hours.
pub fn vikt(nat: &Nat, c: usize) -> u64 {
    let x = &nat.celler[c];
    match x.slag {
        Slag::Arenden => x.varde,
        Slag::Aktiviteter => x.bidrag,
        Slag::Fritt => 0,
    }
}

/// The loss of protecting `celler`.
pub fn forlust(nat: &Nat, celler: &[usize]) -> u64 {
    celler.iter().map(|&c| vikt(nat, c)).sum()
}

/// Everything the new document could lose: the weight of all its cells.
pub fn allt(nat: &Nat) -> u64 {
    (0..nat.celler.len())
        .filter(|&c| !nat.celler[c].fast)
        .map(|c| vikt(nat, c))
        .sum()
}

/// The least-loss pattern for the new (not `fast`) cells of `nat` under threshold `n`; the new
/// cells' statuses in `nat` are ignored. `None` when no pattern passes (the issued documents
/// already break the promise) or the solver fails.
pub fn optimum(nat: &Nat, n: u64, hogst_rundor: usize) -> Option<Optimum> {
    let mut nat = nat.clone();
    for c in nat.celler.iter_mut().filter(|c| !c.fast) {
        c.status = Status::Publicerad;
        c.skal = None;
    }
    crate::skydd::bestam(&mut nat);
    let per = nat.linjer_per_cell();
    let mut tidigare: Vec<Vec<usize>> = vec![Vec::new(); nat.celler.len()];
    for im in &nat.implicita {
        tidigare[im.plus].push(im.minus);
    }
    // The protectable cells, and those that must be.
    let fri: Vec<usize> = (0..nat.celler.len())
        .filter(|&c| {
            let x = &nat.celler[c];
            if x.fast || x.bestamd || x.slag == Slag::Fritt {
                return false;
            }
            if x.varde > 0 || x.minuter {
                return true;
            }
            // A zero: only where the document's published rule lets the attacker think it may be
            // one (in lines, the line constraints below keep to the rule).
            x.nollor
                && (!per[c].is_empty()
                    || tidigare[c]
                        .iter()
                        .any(|&m| nat.celler[m].skyddad() || nat.celler[m].varde > 0))
        })
        .collect();
    let plats: HashMap<usize, usize> = fri.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let mut tvingade: HashSet<usize> = HashSet::new();
    // With everything new published, a new count the audit names is a breach whatever else is
    // protected (a published count below n, or a published difference to a published earlier
    // edition): it must be protected. Other breaches are left to the cuts.
    for g in granska(&nat, n).brott() {
        let c = match g.mal {
            Mal::Cell { cell } => cell,
            // Against a published earlier edition that stays published (issued, or one the
            // program cannot protect), only the new edition's cell can hide the difference.
            Mal::Skillnad { plus, minus }
                if !nat.celler[minus].skyddad()
                    && (nat.celler[minus].fast || !plats.contains_key(&minus)) =>
            {
                plus
            }
            Mal::Skillnad { .. } => continue,
        };
        if plats.contains_key(&c) {
            tvingade.insert(c);
        } else if !nat.celler[c].fast {
            // A new cell that cannot be protected (determined, or a zero the rule never
            // protects) and must be: no pattern passes.
            return None;
        }
    }
    // Rows of the program: Σ coef·x ≥ rhs over positions in `fri`.
    type Rad = (Vec<(usize, f64)>, f64);
    let mut rader: Vec<Rad> = tvingade
        .iter()
        .map(|c| (vec![(plats[c], 1.0)], 1.0))
        .collect();
    let fast_skyddad = |d: usize| nat.celler[d].fast && nat.celler[d].skyddad();
    // What every pattern needs of each cell that is or may be protected — its own position, or
    // `None` when it was issued protected: Σ row + `fast` ≥ k · (x_c, or 1).
    let mut krav = |mut rad: Vec<(usize, f64)>, egen: Option<usize>, k: f64, fast: f64| {
        if fast >= k {
            return;
        }
        match egen {
            Some(i) => {
                rad.push((i, -k));
                rader.push((rad, -fast));
            }
            // An empty row would only make the program infeasible: the audit decides instead.
            None if !rad.is_empty() => rader.push((rad, k - fast)),
            None => {}
        }
    };
    for (c, linjer) in per.iter().enumerate() {
        let egen = plats.get(&c).copied();
        let x = &nat.celler[c];
        if x.slag == Slag::Fritt || (egen.is_none() && !fast_skyddad(c)) {
            continue;
        }
        for &li in linjer {
            let l = &nat.linjer[li];
            let alla = || std::iter::once(l.summa).chain(l.delar.iter().copied());
            // Never the only unknown of a line (it would be determined exactly).
            if !alla().any(|d| d != c && fast_skyddad(d)) {
                let rad = alla()
                    .filter(|&d| d != c)
                    .filter_map(|d| plats.get(&d).map(|&i| (i, 1.0)))
                    .collect();
                krav(rad, egen, 1.0, 0.0);
            }
            // Capacity: a protected count of cases c with 1 ≤ c < n must be able to reach n, so
            // in a line where it is a part, the other protected parts must be able to give up
            // n − c between them (each at most its value), or the line's total be protected.
            let n = if x.troskel == 0 { n } else { x.troskel };
            if x.slag != Slag::Arenden || !(1..n).contains(&x.varde) || l.summa == c {
                continue;
            }
            let behov = (n - x.varde) as f64;
            let (mut rad, mut fast) = (Vec::new(), 0.0);
            for (d, kap) in std::iter::once((l.summa, behov)).chain(
                l.delar
                    .iter()
                    .filter(|&&d| d != c)
                    .map(|&d| (d, behov.min(nat.celler[d].varde as f64))),
            ) {
                match plats.get(&d) {
                    Some(&j) => rad.push((j, kap)),
                    None if fast_skyddad(d) => fast += kap,
                    None => {}
                }
            }
            krav(rad, egen, behov, fast);
        }
    }
    let epsilon = 1.0 / (fri.len() as f64 + 1.0);
    let mut rundor = 0;
    let mut basta_grans = 0;
    while rundor < hogst_rundor {
        rundor += 1;
        let val = los(&nat, &fri, &rader, epsilon)?;
        let skyddade: Vec<usize> = val.iter().map(|&i| fri[i]).collect();
        basta_grans = basta_grans.max(forlust(&nat, &skyddade));
        let mut prov = nat.clone();
        for &c in &skyddade {
            prov.celler[c].status = Status::Skyddad;
        }
        let g = granska(&prov, n);
        if g.haller() {
            return Some(Optimum {
                forlust: forlust(&nat, &skyddade),
                skyddade,
                bevisat: true,
                rundor,
            });
        }
        let valda: HashSet<usize> = val.iter().copied().collect();
        let grupper = grupper(&prov);
        let mut nya_rader = 0;
        for b in g.brott() {
            let mal = match b.mal {
                Mal::Cell { cell } => vec![cell],
                Mal::Skillnad { plus, minus } => vec![plus, minus],
            };
            let rad = snitt(&prov, &per, &grupper, &mal, &plats, &valda);
            if rad.0.is_empty() && rad.1 > 0.0 {
                // Nothing can mend this breach: no pattern passes.
                return None;
            }
            rader.push(rad);
            nya_rader += 1;
        }
        if nya_rader == 0 {
            // The solver failed on a group (`fel`): not a pattern property.
            return None;
        }
    }
    Some(Optimum {
        skyddade: Vec::new(),
        forlust: basta_grans,
        bevisat: false,
        rundor,
    })
}

/// The cut for a breach on `mal`: at least one protectable cell not protected now that shares a
/// line or an inequality with the targets' groups (or is a target), or one of the new targets
/// protected now published.
fn snitt(
    nat: &Nat,
    per: &[Vec<usize>],
    grupper: &[usize],
    mal: &[usize],
    plats: &HashMap<usize, usize>,
    valda: &HashSet<usize>,
) -> (Vec<(usize, f64)>, f64) {
    let rotter: HashSet<usize> = mal
        .iter()
        .filter(|&&c| nat.celler[c].skyddad())
        .map(|&c| grupper[c])
        .collect();
    let grupp: Vec<usize> = (0..nat.celler.len())
        .filter(|&c| nat.celler[c].skyddad() && rotter.contains(&grupper[c]))
        .collect();
    let mut grannar: HashSet<usize> = mal.iter().copied().collect();
    for &c in &grupp {
        for &li in &per[c] {
            let l = &nat.linjer[li];
            grannar.extend(std::iter::once(l.summa).chain(l.delar.iter().copied()));
        }
    }
    let i_grupp: HashSet<usize> = grupp.iter().copied().collect();
    for (delar, b) in &nat.hogst {
        if delar.iter().any(|a| i_grupp.contains(a)) {
            grannar.insert(*b);
        }
        if i_grupp.contains(b) {
            grannar.extend(delar.iter().copied());
        }
    }
    let mut rad = Vec::new();
    let mut rhs = 1.0;
    for c in grannar {
        let Some(&i) = plats.get(&c) else { continue };
        if !valda.contains(&i) {
            rad.push((i, 1.0));
        } else if mal.contains(&c) {
            // (1 − x_t): published again, the target's own breach is gone.
            rad.push((i, -1.0));
            rhs -= 1.0;
        }
    }
    rad.sort_by_key(|x| x.0);
    (rad, rhs)
}

/// One program: the positions in `fri` to protect.
fn los(
    nat: &Nat,
    fri: &[usize],
    rader: &[(Vec<(usize, f64)>, f64)],
    eps: f64,
) -> Option<Vec<usize>> {
    let mut pv = ProblemVariables::new();
    let x: Vec<Variable> = fri.iter().map(|_| pv.add(variable().binary())).collect();
    let mal: Expression = fri
        .iter()
        .zip(&x)
        .map(|(&c, &v)| (vikt(nat, c) as f64 + eps) * v)
        .sum();
    let mut m = pv.minimise(mal).using(microlp);
    for (rad, rhs) in rader {
        let lhs: Expression = rad.iter().map(|&(i, k)| k * x[i]).sum();
        m = m.with(lhs.geq(*rhs));
    }
    let s = m.solve().ok()?;
    Some(
        x.iter()
            .enumerate()
            .filter(|(_, v)| s.value(**v) > 0.5)
            .map(|(i, _)| i)
            .collect(),
    )
}

/// One issued document's loss next to the optimum's for the same tables, given the documents
/// before it as they were issued.
#[derive(Debug, Clone)]
pub struct Jamforelse {
    pub id: String,
    /// The cells the protection protected, and their loss.
    pub celler: usize,
    pub forlust: u64,
    /// Everything the document could lose ([`allt`]).
    pub allt: u64,
    /// Whether the audit accepts the published pattern in this web (a check on the comparison:
    /// the optimum is a lower bound only for patterns it accepts).
    pub haller: bool,
    pub optimum: Option<Optimum>,
}

/// For each of `dok`, in issue order, the pattern it was issued with against the optimum given
/// the documents before it ([`crate::bygg::bygg`]'s `summor` and `utgavor`, over all of `dok`);
/// `klar` is told of each as it is done.
pub fn jamfor(
    dok: &[crate::bygg::Dokument],
    summor: &[(usize, Vec<usize>)],
    utgavor: &[(usize, usize)],
    n: u64,
    hogst_rundor: usize,
    mut klar: impl FnMut(&Jamforelse),
) -> Vec<Jamforelse> {
    (0..dok.len())
        .map(|i| {
            let mut alla = dok[..=i].to_vec();
            alla[i].fast = false;
            let s: Vec<(usize, Vec<usize>)> = summor
                .iter()
                .filter(|(l, d)| *l <= i && d.iter().all(|x| *x < *l))
                .cloned()
                .collect();
            let u: Vec<(usize, usize)> = utgavor
                .iter()
                .copied()
                .filter(|(a, b)| *a <= i && *b <= i)
                .collect();
            let (nat, _) = crate::bygg::bygg(&alla, &s, &u);
            let boj: Vec<usize> = (0..nat.celler.len())
                .filter(|&c| !nat.celler[c].fast && nat.celler[c].skyddad())
                .collect();
            let troskel = match dok[i].troskel {
                0 => n,
                t => t,
            };
            let j = Jamforelse {
                id: dok[i].id.clone(),
                celler: boj.len(),
                forlust: forlust(&nat, &boj),
                allt: allt(&nat),
                haller: granska(&nat, troskel).haller(),
                optimum: optimum(&nat, troskel, hogst_rundor),
            };
            klar(&j);
            j
        })
        .collect()
}

fn andel(l: u64, a: u64) -> f64 {
    100.0 * l as f64 / a.max(1) as f64
}

/// One document's comparison as a line of a benchmark's output.
pub fn rad(x: &Jamforelse) -> String {
    let o = x.optimum.as_ref();
    format!(
        "loss {}: boj hides {} cells, {} of {} ({:.3} %); the optimum {} ({:.3} %) after {} programs{}",
        x.id,
        x.celler,
        x.forlust,
        x.allt,
        andel(x.forlust, x.allt),
        match o {
            Some(o) if o.bevisat => format!("{} cells, {}", o.skyddade.len(), o.forlust),
            Some(o) => format!("at least {}", o.forlust),
            None => "none".to_string(),
        },
        andel(o.map_or(0, |o| o.forlust), x.allt),
        o.map_or(0, |o| o.rundor),
        match o {
            _ if !x.haller => " [the audit refuses the published pattern in this web]",
            None => " [no optimum: the solver failed, or no pattern passes]",
            Some(o) if !o.bevisat => " [not proven within the limit: a lower bound]",
            Some(_) => "",
        }
    )
}

/// The comparison over all documents, as a line: shares of everything they count, and the ratio
/// of what boj hides to the optimum (an upper bound where an optimum is only bounded below).
pub fn summa(j: &[Jamforelse]) -> String {
    let alla: u64 = j.iter().map(|x| x.allt).sum();
    let bl: u64 = j.iter().map(|x| x.forlust).sum();
    let bc: usize = j.iter().map(|x| x.celler).sum();
    let ol: u64 = j
        .iter()
        .map(|x| x.optimum.as_ref().map_or(0, |o| o.forlust))
        .sum();
    let bevisat = j
        .iter()
        .all(|x| x.optimum.as_ref().is_some_and(|o| o.bevisat));
    format!(
        "loss over the {} documents: boj hides {bc} cells, {:.3} % of what they count; the optimum {:.3} %; ratio (hidden, in people) {}{:.2}{}",
        j.len(),
        andel(bl, alla),
        andel(ol, alla),
        if bevisat { "" } else { "at most " },
        bl as f64 / ol.max(1) as f64,
        if bevisat {
            ""
        } else {
            " (some optima only bounded below)"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nat::Cell;
    use proptest::prelude::*;

    /// A two-way table of cases (`rader` × `kolumner`) with its margins and total, new, in a
    /// first edition (zeros never protected).
    fn tabell(v: &[Vec<u64>]) -> Nat {
        let mut nat = Nat::default();
        let celler: Vec<Vec<usize>> = v
            .iter()
            .enumerate()
            .map(|(i, rad)| {
                rad.iter()
                    .enumerate()
                    .map(|(j, &x)| nat.cell(Cell::ny(format!("c{i}{j}"), x, x, Slag::Arenden)))
                    .collect()
            })
            .collect();
        let rs: Vec<usize> = v
            .iter()
            .enumerate()
            .map(|(i, rad)| {
                let s = rad.iter().sum();
                nat.cell(Cell::ny(format!("r{i}"), s, s, Slag::Arenden))
            })
            .collect();
        let ks: Vec<usize> = (0..v[0].len())
            .map(|j| {
                let s = v.iter().map(|r| r[j]).sum();
                nat.cell(Cell::ny(format!("k{j}"), s, s, Slag::Arenden))
            })
            .collect();
        let t: u64 = v.iter().flatten().sum();
        let tot = nat.cell(Cell::ny("t", t, t, Slag::Arenden));
        for (i, &r) in rs.iter().enumerate() {
            nat.linje(r, celler[i].clone());
        }
        for (j, &k) in ks.iter().enumerate() {
            nat.linje(k, celler.iter().map(|r| r[j]).collect());
        }
        nat.linje(tot, rs);
        nat.linje(tot, ks);
        nat
    }

    /// The least loss over every pattern of the new cells that the audit accepts, protecting a
    /// zero only where the published rule lets it be one (`granskning::golv`).
    fn brute(nat: &Nat, n: u64) -> Option<u64> {
        let fria: Vec<usize> = (0..nat.celler.len())
            .filter(|&c| !nat.celler[c].fast && (nat.celler[c].varde > 0 || nat.celler[c].nollor))
            .collect();
        let mut basta: Option<u64> = None;
        for bitar in 0u32..(1 << fria.len()) {
            let valda: Vec<usize> = (0..fria.len())
                .filter(|k| bitar & (1 << k) != 0)
                .map(|k| fria[k])
                .collect();
            let l = forlust(nat, &valda);
            if basta.is_some_and(|b| b <= l) {
                continue;
            }
            let mut p = nat.clone();
            for &c in &valda {
                p.celler[c].status = Status::Skyddad;
            }
            let golv = crate::granskning::golv(&p);
            if valda.iter().any(|&c| p.celler[c].varde == 0 && golv[c] > 0) {
                continue;
            }
            if granska(&p, n).haller() {
                basta = Some(l);
            }
        }
        basta
    }

    /// `tabell` with every key prefixed, marked issued with the given protected cells, or new in
    /// a later edition (which may protect zeros).
    fn utgava(v: &[Vec<u64>], namn: &str, skyddade: Option<&[usize]>) -> Nat {
        let mut nat = tabell(v);
        for (i, c) in nat.celler.iter_mut().enumerate() {
            c.key = format!("{namn}{}", c.key);
            match skyddade {
                Some(s) => {
                    c.fast = true;
                    if s.contains(&i) {
                        c.status = Status::Skyddad;
                    }
                }
                None => c.nollor = true,
            }
        }
        nat
    }

    /// Two editions in one web: the first issued, the second new, with the attacker's
    /// differences between them.
    fn tva_utgavor(forsta: &Nat, andra: &Nat) -> Nat {
        let mut nat = Nat::default();
        for c in forsta.celler.iter().chain(&andra.celler) {
            nat.cell(c.clone());
        }
        let k = forsta.celler.len();
        for (x, delta) in [(forsta, 0), (andra, k)] {
            for l in &x.linjer {
                nat.linje(l.summa + delta, l.delar.iter().map(|d| d + delta).collect());
            }
        }
        for i in 0..k {
            nat.implicita.push(crate::nat::Implicit {
                plus: k + i,
                minus: i,
            });
        }
        nat
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// On small two-way tables the program finds exactly the least loss that trying every
        /// pattern finds, and its pattern passes the audit.
        #[test]
        fn samma_som_att_prova_allt(
            v in proptest::collection::vec(proptest::collection::vec(0u64..9, 3), 2),
        ) {
            let nat = tabell(&v);
            let opt = optimum(&nat, 3, 500);
            let b = brute(&nat, 3);
            prop_assert_eq!(opt.as_ref().map(|o| o.forlust), b);
            if let Some(o) = opt {
                prop_assert!(o.bevisat);
                let mut p = nat.clone();
                for &c in &o.skyddade {
                    p.celler[c].status = Status::Skyddad;
                }
                prop_assert!(granska(&p, 3).haller());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// With an issued first edition (protected by the optimum itself) and a corrected second:
        /// the same least loss as trying every pattern of the second, zeros included where the
        /// rule allows them.
        #[test]
        fn en_andra_utgava_som_att_prova_allt(
            v in proptest::collection::vec(proptest::collection::vec(0u64..7, 3), 2),
            rattelse in (0usize..2, 0usize..3, any::<bool>()),
        ) {
            let Some(forsta) = optimum(&tabell(&v), 3, 500) else { return Ok(()) };
            let mut v2 = v.clone();
            let (i, j, upp) = rattelse;
            v2[i][j] = if upp { v2[i][j] + 1 } else { v2[i][j].saturating_sub(1) };
            let nat = tva_utgavor(
                &utgava(&v, "a", Some(&forsta.skyddade)),
                &utgava(&v2, "b", None),
            );
            let opt = optimum(&nat, 3, 2_000);
            prop_assert!(opt.as_ref().is_none_or(|o| o.bevisat));
            prop_assert_eq!(opt.map(|o| o.forlust), brute(&nat, 3));
        }
    }
}
