//! From reports to the web of cells ([`Nat`]), and back: the bridge between the report model and
//! disclosure control.
//!
//! Each number of each document becomes a cell keyed by document, quantity and category codes, so
//! the same quantity in two tables of one document is one cell (the row total of "municipality ×
//! gender" is the cell of "cases per municipality"). Lines: each table's rows and columns with their
//! margins; a merged row with its members; a longer period with the cycle documents it sums; and the
//! implied differences between any two editions of a period.

use crate::modell::Tabell;
use crate::nat::{Cell, Implicit, Nat};

/// One issued or new document: an id unique among those passed (period and edition, e.g.
/// `2026-Q1/1`), its tables, whether it is issued (frozen), and whether it may protect zeros
/// ([`crate::nat::nollor_skyddas`]).
#[derive(Debug, Clone)]
pub struct Dokument<'a> {
    pub id: String,
    pub tabeller: &'a [Tabell],
    pub fast: bool,
    pub nollor: bool,
    /// Its threshold n, which stays with it if an amendment changes the agreement's (0: the
    /// audit's).
    pub troskel: u64,
}

/// Where a table's numbers are in the web.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Platser {
    pub celler: Vec<Vec<usize>>,
    pub radsummor: Option<Vec<usize>>,
    pub kolumnsummor: Option<Vec<usize>>,
    pub total: Option<usize>,
}

fn nyckel(dok: &str, mangd: &str, dims: &mut Vec<(&str, &str)>) -> String {
    dims.sort_unstable();
    let d: Vec<String> = dims.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{dok}#{mangd}|{}", d.join(";"))
}

/// Builds the web. `summor`: (a longer period's document, the cycle documents it sums);
/// `utgavor`: (a later edition, an earlier edition) of one period — every such pair, so that the
/// attacker's differences between any two editions are audited (SPEC § 5).
pub fn bygg(
    dok: &[Dokument],
    summor: &[(usize, Vec<usize>)],
    utgavor: &[(usize, usize)],
) -> (Nat, Vec<Vec<Platser>>) {
    let mut nat = Nat::default();
    let mut platser = Vec::with_capacity(dok.len());
    let mut slutet: Vec<Vec<String>> = Vec::with_capacity(dok.len());
    for d in dok {
        let mut pl = Vec::with_capacity(d.tabeller.len());
        let mut nycklar = Vec::new();
        for t in d.tabeller {
            if t.mangd == crate::modell::HARLEDD {
                // Derived figures are not counts; they follow their inputs (`modell::folj_skydd`).
                pl.push(Platser::default());
                continue;
            }
            let mut cell =
                |dims: &mut Vec<(&str, &str)>, tal: &crate::modell::Tal, nat: &mut Nat| {
                    let key = nyckel(&d.id, &t.mangd, dims);
                    let mut c = Cell::ny(key.clone(), tal.varde, tal.bidrag, t.slag);
                    c.status = tal.status;
                    c.fast = d.fast;
                    c.nollor = d.nollor;
                    c.troskel = d.troskel;
                    c.minuter = t.enhet == crate::modell::Enhet::AntalOchMinuter
                        && dims.iter().any(|(k, v)| *k == "matt" && *v == "minuter");
                    let i = nat.cell(c);
                    nycklar.push(key);
                    i
                };
            let kol = |j: usize| {
                t.koldim
                    .as_deref()
                    .map(|k| (k, t.kolumner[j].code.as_str()))
            };
            let celler: Vec<Vec<usize>> = t
                .celler
                .iter()
                .enumerate()
                .map(|(i, rad)| {
                    rad.iter()
                        .enumerate()
                        .map(|(j, tal)| {
                            let mut dims = vec![(t.raddim.as_str(), t.rader[i].code.as_str())];
                            dims.extend(kol(j));
                            cell(&mut dims, tal, &mut nat)
                        })
                        .collect()
                })
                .collect();
            let radsummor = t.radsummor.as_ref().map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, tal)| {
                        cell(
                            &mut vec![(t.raddim.as_str(), t.rader[i].code.as_str())],
                            tal,
                            &mut nat,
                        )
                    })
                    .collect::<Vec<usize>>()
            });
            let kolumnsummor = t.kolumnsummor.as_ref().map(|k| {
                k.iter()
                    .enumerate()
                    .map(|(j, tal)| cell(&mut kol(j).into_iter().collect(), tal, &mut nat))
                    .collect::<Vec<usize>>()
            });
            let total = t
                .total
                .as_ref()
                .map(|tal| cell(&mut Vec::new(), tal, &mut nat));
            if let Some(r) = &radsummor {
                for (i, &s) in r.iter().enumerate() {
                    nat.linje(s, celler[i].clone());
                }
            }
            if let Some(k) = &kolumnsummor {
                for (j, &s) in k.iter().enumerate() {
                    nat.linje(s, celler.iter().map(|rad| rad[j]).collect());
                }
            }
            if let Some(tot) = total {
                match (&radsummor, &kolumnsummor) {
                    (Some(r), Some(k)) => {
                        nat.linje(tot, r.clone());
                        nat.linje(tot, k.clone());
                    }
                    // One-way: the total of the single column.
                    _ => nat.linje(tot, celler.iter().flatten().copied().collect()),
                }
            }
            pl.push(Platser {
                celler,
                radsummor,
                kolumnsummor,
                total,
            });
        }
        // Several-valued tables and late registrations: each count is at most the document's cases.
        if let Some(t) = nat.hitta(&nyckel(&d.id, "ant", &mut Vec::new())) {
            for (tab, p) in d.tabeller.iter().zip(&pl) {
                if tab.mangd == "ant"
                    && tab.total.is_none()
                    && matches!(
                        tab.id.as_str(),
                        "brott" | "omstandigheter" | "sent_registrerade"
                    )
                {
                    for &c in p.celler.iter().flatten() {
                        nat.hogst.push((vec![c], t));
                    }
                }
            }
        }
        // Referrals: the cases referred to each kind of partner, summed, are at most the referral
        // activities of the document (each case, kind and period has a referral of its own).
        if let Some(akt) = nat.hitta(&nyckel(
            &d.id,
            "akt",
            &mut vec![("slag", "hanvisning"), ("matt", "antal")],
        )) {
            for (tab, p) in d.tabeller.iter().zip(&pl) {
                if tab.mangd == "hanv" {
                    let delar: Vec<usize> = p.celler.iter().flatten().copied().collect();
                    nat.hogst.push((delar, akt));
                }
            }
        }
        // Merged rows: their total is the sum of their members' cells (same document).
        for (t, p) in d.tabeller.iter().zip(&pl) {
            let Some(r) = &p.radsummor else { continue };
            for (i, rad) in t.rader.iter().enumerate() {
                if rad.members.is_empty() {
                    continue;
                }
                let delar: Option<Vec<usize>> = rad
                    .members
                    .iter()
                    .map(|m| {
                        nat.hitta(&nyckel(
                            &d.id,
                            &t.mangd,
                            &mut vec![(t.raddim.as_str(), m.as_str())],
                        ))
                    })
                    .collect();
                if let Some(delar) = delar {
                    nat.linje(r[i], delar);
                }
            }
        }
        nycklar.sort_unstable();
        nycklar.dedup();
        slutet.push(nycklar);
        platser.push(pl);
    }
    let rest = |k: &str| {
        k.split_once('#')
            .map(|(_, r)| r.to_string())
            .unwrap_or_default()
    };
    for (lang, delar) in summor {
        for k in &slutet[*lang] {
            let r = rest(k);
            let ids: Option<Vec<usize>> = delar
                .iter()
                .map(|&d| nat.hitta(&format!("{}#{r}", dok[d].id)))
                .collect();
            if let (Some(ids), Some(s)) = (ids, nat.hitta(k)) {
                nat.linje(s, ids);
            }
        }
    }
    for &(ny, gammal) in utgavor {
        for k in &slutet[ny] {
            let r = rest(k);
            if let (Some(plus), Some(minus)) =
                (nat.hitta(k), nat.hitta(&format!("{}#{r}", dok[gammal].id)))
            {
                nat.implicita.push(Implicit { plus, minus });
            }
        }
    }
    (nat, platser)
}

/// Writes the statuses chosen in the web back into a document's tables.
pub fn skriv_tillbaka(nat: &Nat, tabeller: &mut [Tabell], platser: &[Platser]) {
    for (t, p) in tabeller.iter_mut().zip(platser) {
        for (rad, ids) in t.celler.iter_mut().zip(&p.celler) {
            for (tal, &i) in rad.iter_mut().zip(ids) {
                tal.status = nat.celler[i].status;
                tal.skal = nat.celler[i].skal;
            }
        }
        for (tal, &i) in t
            .radsummor
            .iter_mut()
            .flatten()
            .zip(p.radsummor.iter().flatten())
        {
            tal.status = nat.celler[i].status;
            tal.skal = nat.celler[i].skal;
        }
        for (tal, &i) in t
            .kolumnsummor
            .iter_mut()
            .flatten()
            .zip(p.kolumnsummor.iter().flatten())
        {
            tal.status = nat.celler[i].status;
            tal.skal = nat.celler[i].skal;
        }
        if let (Some(tal), Some(i)) = (t.total.as_mut(), p.total) {
            tal.status = nat.celler[i].status;
            tal.skal = nat.celler[i].skal;
        }
    }
}

/// The cells of each table of document `d`, for [`crate::skydda_och_granska`]'s last resort.
pub fn tabellceller(platser: &[Platser]) -> Vec<Vec<usize>> {
    platser
        .iter()
        .map(|p| {
            p.celler
                .iter()
                .flatten()
                .chain(p.radsummor.iter().flatten())
                .chain(p.kolumnsummor.iter().flatten())
                .chain(p.total.iter())
                .copied()
                .collect()
        })
        .collect()
}
