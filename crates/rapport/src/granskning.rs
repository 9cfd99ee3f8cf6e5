//! **The audit** (granskning): does the promise of SPEC § 5 hold, cell by cell?
//!
//! Independent of [`crate::skydd`] by construction: it reads only the published web ([`Nat`]: values,
//! which cells are shown, the lines) and the threshold, never how or why protections were chosen. It
//! plays the attacker: every protected cell is an unknown integer, at least 1 where the published
//! rules never protect a zero and at least 0 where they may ([`golv`]), every published cell is
//! known, every line holds.
//! For each protected cell and each implied difference it computes the **integer** bounds — the
//! smallest and largest value any integer table consistent with all of that allows — by integer
//! programming (good_lp over the pure-Rust microlp, branch and bound). A line ties only its unknown
//! cells, so the unknowns fall into independent groups and each bound is solved over its group alone.
//!
//! The promise, per cell (SPEC § 5):
//! - no protected cell is determined exactly (its bounds differ): a protection that hides nothing
//!   misleads the reader;
//! - a count of cases whose true value c has 1 ≤ c < n — protected, or an implied difference between
//!   any two editions — must have an upper bound of at least n (or none), and for a negative
//!   difference a lower bound of at most −n; a *published* such count is a breach;
//! - a published count of activities or sum of minutes with fewer than n contributing cases is a
//!   breach, and so is a change of activities or minutes between two editions that is determined
//!   exactly (one person's support, to the minute);
//! - volunteer hours carry no promise.

use crate::nat::{Nat, Slag, Status};
use good_lp::solvers::microlp::microlp;
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, constraint,
    variable,
};
use serde::Serialize;
use std::collections::HashMap;

/// What a bound is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "slag")]
pub enum Mal {
    Cell {
        cell: usize,
    },
    /// `plus` − `minus`, two editions of one cell.
    Skillnad {
        plus: usize,
        minus: usize,
    },
}

/// What the attacker can reach for one protected or implied value, and the verdict. From
/// [`granska_exakt`], `min`/`max` are the integer bounds; from [`granska`], the range its witnesses
/// span (the exact bound in a direction where a program was solved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grans {
    pub mal: Mal,
    pub sant: i64,
    /// `None`: no lower bound.
    pub min: Option<i64>,
    /// `None`: no upper bound.
    pub max: Option<i64>,
    pub haller: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Granskning {
    pub granser: Vec<Grans>,
    /// The solver failed on some group (reported, and counted as a breach).
    pub fel: Vec<String>,
}

impl Granskning {
    /// Whether the promise holds everywhere.
    pub fn haller(&self) -> bool {
        self.fel.is_empty() && self.granser.iter().all(|g| g.haller)
    }

    /// The bounds that break the promise.
    pub fn brott(&self) -> impl Iterator<Item = &Grans> {
        self.granser.iter().filter(|g| !g.haller)
    }
}

/// Groups of unknown cells that some line ties together (union–find).
struct Grupper {
    foralder: Vec<usize>,
}

impl Grupper {
    fn rot(&mut self, mut i: usize) -> usize {
        while self.foralder[i] != i {
            self.foralder[i] = self.foralder[self.foralder[i]];
            i = self.foralder[i];
        }
        i
    }
    /// The root without shortening paths (for use behind a shared reference).
    fn rot_utan_komprimering(&self, mut i: usize) -> usize {
        while self.foralder[i] != i {
            i = self.foralder[i];
        }
        i
    }
    fn forena(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.rot(a), self.rot(b));
        if ra != rb {
            self.foralder[ra] = rb;
        }
    }
}

/// Unknown cells tied by a line or an inequality, in groups.
fn bind(nat: &Nat) -> Grupper {
    let okand = |c: usize| nat.celler[c].status == Status::Skyddad;
    let mut g = Grupper {
        foralder: (0..nat.celler.len()).collect(),
    };
    for l in &nat.linjer {
        let mut u = std::iter::once(l.summa)
            .chain(l.delar.iter().copied())
            .filter(|&c| okand(c));
        if let Some(first) = u.next() {
            for c in u {
                g.forena(first, c);
            }
        }
    }
    for (delar, b) in &nat.hogst {
        let mut u = delar
            .iter()
            .copied()
            .chain(std::iter::once(*b))
            .filter(|&c| okand(c));
        if let Some(first) = u.next() {
            for c in u {
                g.forena(first, c);
            }
        }
    }
    g
}

/// Each cell's group as the audit forms them: protected cells that share a root are solved
/// together, since a line or an inequality ties them (a published cell is its own root).
pub fn grupper(nat: &Nat) -> Vec<usize> {
    let mut g = bind(nat);
    (0..nat.celler.len()).map(|c| g.rot(c)).collect()
}

#[derive(Clone, Copy)]
enum Riktning {
    Max,
    Min,
}

/// One group's integer program: its unknowns and the lines on them.
struct Program<'a> {
    nat: &'a Nat,
    /// Unknown cells of the group.
    okanda: Vec<usize>,
    /// Each cell's least value ([`golv`]).
    golv: &'a [i64],
    /// Lines with at least one unknown of the group.
    linjer: Vec<usize>,
    /// Inequalities (`Nat::hogst`) with at least one unknown of the group.
    hogst: Vec<usize>,
}

/// The least value each cell can have as the attacker reads the published rules
/// (`nat::nollor_skyddas`): 0 for a sum of minutes (activities may last 0 minutes); 1 in a document
/// that never protects zeros; in one that may, 0 for a
/// cell in lines that each have another protected cell, or for a cell in no line whose earlier
/// edition was protected or not zero (a changed zero); 1 otherwise. Worked out here from what is
/// published, not taken from the protection.
pub fn golv(nat: &Nat) -> Vec<i64> {
    let per = nat.linjer_per_cell();
    let mut tidigare: Vec<Vec<usize>> = vec![Vec::new(); nat.celler.len()];
    for im in &nat.implicita {
        tidigare[im.plus].push(im.minus);
    }
    (0..nat.celler.len())
        .map(|c| {
            if nat.celler[c].minuter {
                return 0;
            }
            if !nat.celler[c].nollor {
                return 1;
            }
            let kan_vara_noll = if per[c].is_empty() {
                tidigare[c].iter().any(|&m| {
                    let m = &nat.celler[m];
                    m.status == Status::Skyddad || m.varde > 0
                })
            } else {
                per[c].iter().all(|&li| {
                    let l = &nat.linjer[li];
                    std::iter::once(l.summa)
                        .chain(l.delar.iter().copied())
                        .any(|d| d != c && nat.celler[d].status == Status::Skyddad)
                })
            };
            i64::from(!kan_vara_noll)
        })
        .collect()
}

impl Program<'_> {
    /// The bound of Σ coef·cell in one direction with a solution that attains it (every unknown's
    /// value); `Ok(None)` when unbounded.
    fn los(&self, mal: &[(usize, f64)], r: Riktning) -> Result<Option<(i64, Losning)>, String> {
        let mut pv = ProblemVariables::new();
        let vars: HashMap<usize, Variable> = self
            .okanda
            .iter()
            .map(|&c| (c, pv.add(variable().integer().min(self.golv[c] as f64))))
            .collect();
        let mut konstant = 0.0;
        let mut uttryck = Expression::from(0.0);
        for &(c, k) in mal {
            match vars.get(&c) {
                Some(v) => uttryck += k * *v,
                None => konstant += k * self.nat.celler[c].varde as f64,
            }
        }
        let mut modell = match r {
            Riktning::Max => pv.maximise(uttryck.clone()),
            Riktning::Min => pv.minimise(uttryck.clone()),
        }
        .using(microlp);
        for &li in &self.linjer {
            let l = &self.nat.linjer[li];
            // summa − Σ delar = 0, known values moved to the right.
            let mut lhs = Expression::from(0.0);
            let mut rhs = 0.0;
            let mut term = |c: usize, k: f64| match vars.get(&c) {
                Some(v) => lhs += k * *v,
                None => rhs -= k * self.nat.celler[c].varde as f64,
            };
            term(l.summa, 1.0);
            for &d in &l.delar {
                term(d, -1.0);
            }
            modell = modell.with(constraint::eq(lhs, rhs));
        }
        for &hi in &self.hogst {
            // Σ parts − b ≤ 0, known values moved to the right.
            let (delar, b) = &self.nat.hogst[hi];
            let mut lhs = Expression::from(0.0);
            let mut rhs = 0.0;
            for (c, k) in delar
                .iter()
                .map(|&a| (a, 1.0))
                .chain(std::iter::once((*b, -1.0)))
            {
                match vars.get(&c) {
                    Some(v) => lhs += k * *v,
                    None => rhs -= k * self.nat.celler[c].varde as f64,
                }
            }
            modell = modell.with(constraint::leq(lhs, rhs));
        }
        match modell.solve() {
            Ok(s) => {
                let losning = vars
                    .iter()
                    .map(|(&c, v)| (c, s.value(*v).round() as i64))
                    .collect();
                Ok(Some((
                    (s.eval(&uttryck) + konstant).round() as i64,
                    losning,
                )))
            }
            Err(ResolutionError::Unbounded) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Values of a group's unknowns that satisfy everything the attacker knows.
type Losning = HashMap<usize, i64>;

/// Audits the web against threshold `n`: the verdict on every protected cell and every implied
/// difference. Each verdict needs only a witness — a table the attacker cannot rule out in which
/// the small count reaches n, or the protected cell takes another value — so solutions found on
/// the way are kept per group and reused, and a program is solved only where none of them
/// decides. `min`/`max` of a [`Grans`] are then the range the witnesses span (the exact bound
/// where a program was solved in that direction). [`granska_exakt`] computes every bound.
pub fn granska(nat: &Nat, n: u64) -> Granskning {
    gransk(nat, n, false)
}

/// Like [`granska`], with the exact integer bounds of every protected cell and difference.
pub fn granska_exakt(nat: &Nat, n: u64) -> Granskning {
    gransk(nat, n, true)
}

fn gransk(nat: &Nat, n: u64, exakt: bool) -> Granskning {
    let n = n as i64;
    let celler = &nat.celler;
    // Each cell is judged by its own document's threshold; a difference by the larger of its two.
    let n_av = |c: usize| match celler[c].troskel {
        0 => n,
        t => t as i64,
    };
    let golv = golv(nat);
    let okand = |c: usize| celler[c].status == Status::Skyddad;
    let mut g = bind(nat);
    // Lines per group, by the group of any of their unknowns.
    let mut hogst_i: HashMap<usize, Vec<usize>> = Default::default();
    for (hi, (delar, b)) in nat.hogst.iter().enumerate() {
        if let Some(c) = delar
            .iter()
            .copied()
            .chain(std::iter::once(*b))
            .find(|&c| okand(c))
        {
            let r = g.rot(c);
            hogst_i.entry(r).or_default().push(hi);
        }
    }
    let mut linjer_i: HashMap<usize, Vec<usize>> = Default::default();
    let mut okanda_i: HashMap<usize, Vec<usize>> = Default::default();
    for (c, _) in celler.iter().enumerate().filter(|(c, _)| okand(*c)) {
        let r = g.rot(c);
        okanda_i.entry(r).or_default().push(c);
    }
    for (li, l) in nat.linjer.iter().enumerate() {
        if let Some(c) = std::iter::once(l.summa)
            .chain(l.delar.iter().copied())
            .find(|&c| okand(c))
        {
            let r = g.rot(c);
            linjer_i.entry(r).or_default().push(li);
        }
    }
    let program = |rotter: &[usize]| {
        let mut p = Program {
            nat,
            golv: &golv,
            okanda: Vec::new(),
            linjer: Vec::new(),
            hogst: Vec::new(),
        };
        let mut r: Vec<usize> = rotter.to_vec();
        r.sort_unstable();
        r.dedup();
        for x in r {
            p.okanda.extend(okanda_i.get(&x).into_iter().flatten());
            p.linjer.extend(linjer_i.get(&x).into_iter().flatten());
            p.hogst.extend(hogst_i.get(&x).into_iter().flatten());
        }
        p
    };

    let mut ut = Granskning {
        granser: Vec::new(),
        fel: Vec::new(),
    };
    // Witnesses per group; the true values are always one.
    let mut vittnen: HashMap<usize, Vec<Losning>> = HashMap::new();
    let los = |mal: &[(usize, f64)],
               rotter: &[usize],
               r: Riktning,
               vittnen: &mut HashMap<usize, Vec<Losning>>,
               fel: &mut Vec<String>|
     -> Option<Option<i64>> {
        match program(rotter).los(mal, r) {
            Ok(Some((v, losning))) => {
                for &rot in rotter {
                    let del: Losning = losning
                        .iter()
                        .filter(|(c, _)| g.rot_utan_komprimering(**c) == rot)
                        .map(|(c, v)| (*c, *v))
                        .collect();
                    vittnen.entry(rot).or_default().push(del);
                }
                Some(Some(v))
            }
            Ok(None) => Some(None),
            Err(e) => {
                fel.push(e);
                None
            }
        }
    };
    // What the witnesses say Σ coef·cell can be: (least, largest) seen.
    let spann = |mal: &[(usize, f64)], vittnen: &HashMap<usize, Vec<Losning>>| -> (i64, i64) {
        let mut lo = 0i64;
        let mut hi = 0i64;
        // Unknowns of different groups vary independently: combine each term's own range; terms of
        // one group are taken from the same witness.
        let mut per_grupp: HashMap<usize, Vec<(usize, i64)>> = HashMap::new();
        for &(c, k) in mal {
            let k = k as i64;
            if okand(c) {
                per_grupp
                    .entry(g.rot_utan_komprimering(c))
                    .or_default()
                    .push((c, k));
            } else {
                lo += k * celler[c].varde as i64;
                hi += k * celler[c].varde as i64;
            }
        }
        for (rot, termer) in per_grupp {
            let sant: i64 = termer
                .iter()
                .map(|&(c, k)| k * celler[c].varde as i64)
                .sum();
            let (mut a, mut b) = (sant, sant);
            for w in vittnen.get(&rot).into_iter().flatten() {
                let v: i64 = termer
                    .iter()
                    .map(|&(c, k)| k * w.get(&c).copied().unwrap_or(celler[c].varde as i64))
                    .sum();
                a = a.min(v);
                b = b.max(v);
            }
            lo += a;
            hi += b;
        }
        (lo, hi)
    };

    // The verdict on Σ coef·cell with true value `sant`: `liten` asks that it can reach n
    // (positive) or −n (negative); `rorlig` that it is not determined exactly.
    let doma = |mal: &[(usize, f64)],
                n: i64,
                liten: bool,
                rorlig: bool,
                sant: i64,
                vittnen: &mut HashMap<usize, Vec<Losning>>,
                fel: &mut Vec<String>|
     -> Option<(Option<i64>, Option<i64>, bool)> {
        let rotter: Vec<usize> = mal
            .iter()
            .filter(|(c, _)| okand(*c))
            .map(|(c, _)| g.rot_utan_komprimering(*c))
            .collect();
        let (lo, hi) = spann(mal, vittnen);
        let mut min = Some(lo);
        let mut max = Some(hi);
        let ok = |min: Option<i64>, max: Option<i64>| {
            let nar = if !liten {
                true
            } else if sant > 0 {
                max.is_none_or(|x| x >= n)
            } else {
                min.is_none_or(|x| x <= -n)
            };
            let ror = !rorlig || min.is_none() || max.is_none() || min != max;
            nar && ror
        };
        if !exakt && ok(min, max) {
            return Some((min, max, true));
        }
        // Solve towards what is missing: the side the small count must reach first.
        let forst = if liten && sant < 0 {
            [Riktning::Min, Riktning::Max]
        } else {
            [Riktning::Max, Riktning::Min]
        };
        for r in forst {
            let losning = los(mal, &rotter, r, vittnen, fel)?;
            match r {
                Riktning::Max => max = losning,
                Riktning::Min => min = losning,
            }
            if !exakt && ok(min, max) {
                return Some((min, max, true));
            }
        }
        Some((min, max, ok(min, max)))
    };

    for (i, c) in celler.iter().enumerate() {
        let v = c.varde as i64;
        let n = n_av(i);
        match (c.status, c.slag) {
            (Status::Publicerad, Slag::Arenden) if (1..n).contains(&v) => {
                ut.granser.push(Grans {
                    mal: Mal::Cell { cell: i },
                    sant: v,
                    min: Some(v),
                    max: Some(v),
                    haller: false,
                });
            }
            (Status::Publicerad, Slag::Aktiviteter) if (1..n).contains(&(c.bidrag as i64)) => {
                ut.granser.push(Grans {
                    mal: Mal::Cell { cell: i },
                    sant: v,
                    min: Some(v),
                    max: Some(v),
                    haller: false,
                });
            }
            (Status::Publicerad, _) | (Status::Skyddad, Slag::Fritt) => {}
            (Status::Skyddad, slag) => {
                let liten = slag == Slag::Arenden && (1..n).contains(&v);
                let Some((min, max, haller)) =
                    doma(&[(i, 1.0)], n, liten, true, v, &mut vittnen, &mut ut.fel)
                else {
                    continue;
                };
                ut.granser.push(Grans {
                    mal: Mal::Cell { cell: i },
                    sant: v,
                    min,
                    max,
                    haller,
                });
            }
        }
    }

    for im in &nat.implicita {
        let (p, m) = (&celler[im.plus], &celler[im.minus]);
        if p.slag == Slag::Fritt {
            continue;
        }
        let sant = p.varde as i64 - m.varde as i64;
        let n = n_av(im.plus).max(n_av(im.minus));
        let (liten, rorlig) = match p.slag {
            Slag::Arenden => ((1..n).contains(&sant.abs()), false),
            _ => (false, sant != 0),
        };
        let (min, max, haller) = if !okand(im.plus) && !okand(im.minus) {
            let haller = !liten && !rorlig;
            (Some(sant), Some(sant), haller)
        } else {
            if !liten && !rorlig && !exakt {
                continue;
            }
            match doma(
                &[(im.plus, 1.0), (im.minus, -1.0)],
                n,
                liten,
                rorlig,
                sant,
                &mut vittnen,
                &mut ut.fel,
            ) {
                Some(b) => b,
                None => continue,
            }
        };
        ut.granser.push(Grans {
            mal: Mal::Skillnad {
                plus: im.plus,
                minus: im.minus,
            },
            sant,
            min,
            max,
            haller,
        });
    }
    ut
}
