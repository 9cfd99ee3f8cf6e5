//! **The audit** (granskning): does the promise of SPEC § 5 hold, cell by cell?
//!
//! Independent of [`crate::skydd`] by construction: it reads only the published web ([`Nat`]: values,
//! which cells are shown, the lines) and the threshold, never how or why protections were chosen. It
//! plays the attacker: every protected cell is an unknown non-negative integer of at least 1 (zeros
//! are never protected, and the attacker knows it), every published cell is known, every line holds.
//! For each protected cell and each implied difference it computes the **integer** bounds — the
//! smallest and largest value any integer table consistent with all of that allows — by integer
//! programming (good_lp over the pure-Rust microlp, branch and bound). A line ties only its unknown
//! cells, so the unknowns fall into independent groups and each bound is solved over its group alone.
//!
//! The promise, per cell (SPEC § 5):
//! - a count of cases whose true value c has 1 ≤ c < n — protected, or an implied difference between
//!   editions — must have an upper bound of at least n (or none), and for a negative difference a
//!   lower bound of at most −n; a *published* such count is a breach;
//! - a protected count of activities or sum of minutes must not be determined exactly (its bounds
//!   differ); a published one with fewer than n contributing cases is a breach;
//! - volunteer hours carry no promise.

use crate::nat::{Nat, Slag, Status};
use good_lp::solvers::microlp::microlp;
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, constraint,
    variable,
};
use serde::Serialize;

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

/// The attacker's integer bounds on one protected or implied value, and the verdict.
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
    fn forena(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.rot(a), self.rot(b));
        if ra != rb {
            self.foralder[ra] = rb;
        }
    }
}

enum Riktning {
    Max,
    Min,
}

/// One group's integer program: its unknowns and the lines on them.
struct Program<'a> {
    nat: &'a Nat,
    /// Unknown cells of the group.
    okanda: Vec<usize>,
    /// Lines with at least one unknown of the group.
    linjer: Vec<usize>,
}

impl Program<'_> {
    /// The bound of Σ coef·cell in one direction; `Ok(None)` when unbounded.
    fn los(&self, mal: &[(usize, f64)], r: Riktning) -> Result<Option<i64>, String> {
        let mut pv = ProblemVariables::new();
        let vars: Vec<(usize, Variable)> = self
            .okanda
            .iter()
            .map(|&c| (c, pv.add(variable().integer().min(1))))
            .collect();
        let var = |c: usize| vars.iter().find(|(x, _)| *x == c).map(|(_, v)| *v);
        let mut konstant = 0.0;
        let mut uttryck = Expression::from(0.0);
        for &(c, k) in mal {
            match var(c) {
                Some(v) => uttryck += k * v,
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
            let mut term = |c: usize, k: f64| match var(c) {
                Some(v) => lhs += k * v,
                None => rhs -= k * self.nat.celler[c].varde as f64,
            };
            term(l.summa, 1.0);
            for &d in &l.delar {
                term(d, -1.0);
            }
            modell = modell.with(constraint::eq(lhs, rhs));
        }
        match modell.solve() {
            Ok(s) => Ok(Some((s.eval(&uttryck) + konstant).round() as i64)),
            Err(ResolutionError::Unbounded) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Audits the web against threshold `n`.
pub fn granska(nat: &Nat, n: u64) -> Granskning {
    let n = n as i64;
    let celler = &nat.celler;
    let okand = |c: usize| celler[c].status == Status::Skyddad;
    let mut g = Grupper {
        foralder: (0..celler.len()).collect(),
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
    // Lines per group, by the group of any of their unknowns.
    let mut linjer_i: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    let mut okanda_i: std::collections::HashMap<usize, Vec<usize>> = Default::default();
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
            okanda: Vec::new(),
            linjer: Vec::new(),
        };
        let mut r: Vec<usize> = rotter.to_vec();
        r.sort_unstable();
        r.dedup();
        for x in r {
            p.okanda.extend(okanda_i.get(&x).into_iter().flatten());
            p.linjer.extend(linjer_i.get(&x).into_iter().flatten());
        }
        p
    };

    let mut ut = Granskning {
        granser: Vec::new(),
        fel: Vec::new(),
    };
    let bounds = |mal: &[(usize, f64)], rotter: &[usize], fel: &mut Vec<String>| {
        let p = program(rotter);
        let max = p.los(mal, Riktning::Max);
        let min = p.los(mal, Riktning::Min);
        match (min, max) {
            (Ok(a), Ok(b)) => Some((a, b)),
            (Err(e), _) | (_, Err(e)) => {
                fel.push(e);
                None
            }
        }
    };

    for (i, c) in celler.iter().enumerate() {
        let v = c.varde as i64;
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
            (Status::Publicerad, _) => {}
            (Status::Skyddad, slag) => {
                let r = g.rot(i);
                let Some((min, max)) = bounds(&[(i, 1.0)], &[r], &mut ut.fel) else {
                    continue;
                };
                let haller = match slag {
                    Slag::Arenden => !(1..n).contains(&v) || max.is_none_or(|m| m >= n),
                    Slag::Aktiviteter => min != max || min.is_none(),
                    Slag::Fritt => true,
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
        if p.slag != Slag::Arenden {
            continue;
        }
        let sant = p.varde as i64 - m.varde as i64;
        let (min, max) = if !okand(im.plus) && !okand(im.minus) {
            (Some(sant), Some(sant))
        } else {
            let rotter = [g.rot(im.plus), g.rot(im.minus)];
            match bounds(&[(im.plus, 1.0), (im.minus, -1.0)], &rotter, &mut ut.fel) {
                Some(b) => b,
                None => continue,
            }
        };
        let haller = if (1..n).contains(&sant) {
            max.is_none_or(|x| x >= n)
        } else if (1..n).contains(&-sant) {
            min.is_none_or(|x| x <= -n)
        } else {
            true
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
