//! What the protection of a new report weighs it against (SPEC § 5): every edition of every report
//! issued under the agreement, and the new ones already prepared in the same issue (a corrected
//! quarter with the half-year and year that contain it). The pure half of issuing: `boj-app`
//! reads the issued reports from the store into a [`Historik`], prepares each new report as a
//! [`Rapportutkast`], and stores what [`Historik::skydda`] accepted.

use crate::bygg::Dokument;
use crate::modell::Tabell;
use crate::nat::nollor_skyddas;
use crate::rakning::Rakning;
use boj_domain::Period;
use std::collections::HashMap;

/// A report prepared for issue.
#[derive(Debug, Clone)]
pub struct Rapportutkast {
    pub id: String,
    pub period: Period,
    pub edition: i64,
    /// A cycle report (counts its own items) or a longer period (sums its parts).
    pub cycle: bool,
    /// For a longer period: its cycle reports' ids.
    pub parts: Vec<String>,
    pub tabeller: Vec<Tabell>,
    /// What a cycle report counted (`None` for a half-year or year, which sums its parts).
    pub rakning: Option<Rakning>,
    /// The threshold it is protected under (set by [`Historik::skydda`]; published).
    pub troskel: u64,
}

/// An issued report as the protection sees it.
#[derive(Debug, Clone)]
pub struct Utgivet {
    pub id: String,
    pub period: String,
    pub edition: i64,
    pub cycle: bool,
    pub parts: Vec<String>,
    pub tabeller: Vec<Tabell>,
    /// The threshold of the agreement version in force on its last day.
    pub troskel: u64,
    /// The ids of the earlier editions of its period.
    pub forra: Vec<String>,
}

/// Why a report cannot be issued against the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hinder {
    /// A part of a longer period is not in the history (a store inconsistency).
    DelSaknas,
    /// The audit found this many values it could not protect against what is issued.
    Underkand(usize),
}

/// One document of the history.
#[derive(Debug, Clone)]
struct Dok {
    id: String,
    /// `period/edition`.
    namn: String,
    tabeller: Vec<Tabell>,
    nollor: bool,
    troskel: u64,
}

/// Issued documents as the protection sees them.
#[derive(Debug, Clone, Default)]
pub struct Historik {
    dok: Vec<Dok>,
    /// (report id, its parts' ids)
    summor: Vec<(String, Vec<String>)>,
    /// (edition id, an earlier edition's id)
    utgavor: Vec<(String, String)>,
}

impl Historik {
    /// Adds an issued report, oldest first. A longer period is protected under no more than its
    /// cycle reports' thresholds (a threshold raised within the year would otherwise make the sums
    /// of published quarters breaches no protection can mend).
    pub fn utgivet(&mut self, u: Utgivet) {
        let troskel = u
            .parts
            .iter()
            .filter_map(|d| self.troskel(d))
            .fold(u.troskel, u64::min);
        if !u.cycle {
            self.summor.push((u.id.clone(), u.parts));
        }
        // Every earlier edition: the attacker subtracts any two (SPEC § 5).
        for f in u.forra {
            self.utgavor.push((u.id.clone(), f));
        }
        self.dok.push(Dok {
            namn: format!("{}/{}", u.period, u.edition),
            nollor: nollor_skyddas(u.cycle, u.edition),
            id: u.id,
            tabeller: u.tabeller,
            troskel,
        });
    }

    /// The threshold document `id` was protected under.
    pub fn troskel(&self, id: &str) -> Option<u64> {
        self.dok.iter().find(|x| x.id == id).map(|x| x.troskel)
    }

    /// Protects `k` against everything before it under threshold `troskel` (no more than its
    /// parts'), audits, and adds it to the history. `forra`: the earlier editions of its period.
    pub fn skydda(
        &mut self,
        k: &mut Rapportutkast,
        troskel: u64,
        forra: &[String],
    ) -> Result<(), Hinder> {
        let troskel = k
            .parts
            .iter()
            .filter_map(|d| self.troskel(d))
            .fold(troskel, u64::min);
        k.troskel = troskel;
        let index: HashMap<&str, usize> = self
            .dok
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        let ny = self.dok.len();
        let mut summor: Vec<(usize, Vec<usize>)> = self
            .summor
            .iter()
            .filter_map(|(s, delar)| {
                Some((
                    *index.get(s.as_str())?,
                    delar
                        .iter()
                        .map(|d| index.get(d.as_str()).copied())
                        .collect::<Option<_>>()?,
                ))
            })
            .collect();
        if !k.cycle {
            let delar: Option<Vec<usize>> = k
                .parts
                .iter()
                .map(|d| index.get(d.as_str()).copied())
                .collect();
            summor.push((ny, delar.ok_or(Hinder::DelSaknas)?));
        }
        let mut utgavor: Vec<(usize, usize)> = self
            .utgavor
            .iter()
            .filter_map(|(a, b)| Some((*index.get(a.as_str())?, *index.get(b.as_str())?)))
            .collect();
        for f in forra.iter().filter_map(|f| index.get(f.as_str())) {
            utgavor.push((ny, *f));
        }
        let dok: Vec<Dokument> = self
            .dok
            .iter()
            .map(|d| Dokument {
                id: d.namn.clone(),
                tabeller: &d.tabeller,
                fast: true,
                nollor: d.nollor,
                troskel: d.troskel,
            })
            .collect();
        let namn = format!("{}/{}", k.period, k.edition);
        let nollor = nollor_skyddas(k.cycle, k.edition);
        crate::skydda_dokument(
            &dok,
            &namn,
            &mut k.tabeller,
            nollor,
            &summor,
            &utgavor,
            troskel,
        )
        .map_err(|g| Hinder::Underkand(g.brott().count() + g.fel.len()))?;
        drop(dok);
        if !k.cycle {
            self.summor.push((k.id.clone(), k.parts.clone()));
        }
        for f in forra {
            self.utgavor.push((k.id.clone(), f.clone()));
        }
        self.dok.push(Dok {
            id: k.id.clone(),
            namn,
            tabeller: k.tabeller.clone(),
            nollor,
            troskel,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utgivet(id: &str, period: &str, cycle: bool, parts: &[&str], troskel: u64) -> Utgivet {
        Utgivet {
            id: id.into(),
            period: period.into(),
            edition: 1,
            cycle,
            parts: parts.iter().map(|p| p.to_string()).collect(),
            tabeller: Vec::new(),
            troskel,
            forra: Vec::new(),
        }
    }

    #[test]
    fn a_longer_period_is_protected_under_no_more_than_its_parts_thresholds() {
        let mut h = Historik::default();
        h.utgivet(utgivet("q1", "2026-Q1", true, &[], 3));
        h.utgivet(utgivet("q2", "2026-Q2", true, &[], 5));
        h.utgivet(utgivet("h1", "2026-H1", false, &["q1", "q2"], 5));
        assert_eq!(h.troskel("h1"), Some(3));
        let mut ar = Rapportutkast {
            id: "ar".into(),
            period: Period::parse("2026").unwrap(),
            edition: 1,
            cycle: false,
            parts: vec!["q1".into(), "q2".into()],
            tabeller: Vec::new(),
            rakning: None,
            troskel: 0,
        };
        h.skydda(&mut ar, 5, &[]).unwrap();
        assert_eq!(ar.troskel, 3);
        assert_eq!(h.troskel("ar"), Some(3));
    }

    #[test]
    fn a_longer_period_whose_part_is_not_issued_is_refused() {
        let mut h = Historik::default();
        h.utgivet(utgivet("q1", "2026-Q1", true, &[], 5));
        let mut h1 = Rapportutkast {
            id: "h1".into(),
            period: Period::parse("2026-H1").unwrap(),
            edition: 1,
            cycle: false,
            parts: vec!["q1".into(), "q2".into()],
            tabeller: Vec::new(),
            rakning: None,
            troskel: 0,
        };
        assert_eq!(h.skydda(&mut h1, 5, &[]), Err(Hinder::DelSaknas));
        assert_eq!(h.troskel("h1"), None);
    }
}
