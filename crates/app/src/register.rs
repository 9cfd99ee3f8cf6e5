//! **The report register**: each agreement's cases and activities as reports see them, kept in
//! memory in a few bytes each, so that a preview or an issue at a million cases reads no rows.
//!
//! - A case is 24 bytes (its number, its [`Fallkod`], its opening and registration days), an activity
//!   24 (its number, its case's place, date, registration day, kind, mode, minutes); whether a
//!   report has counted an item is one bit of each. At 1 000 000 cases and 2 000 000 activities that
//!   is about 75 MB.
//! - It is built on first use from narrow queries (`boj_store::rapporter::fall_rader`, `akt_rader`)
//!   and the records of the issued cycle reports, and **follows the store through the audit log**:
//!   every change of a case, an activity or the reports writes an audit entry in its own transaction,
//!   and the chain is numbered in commit order under one lock, so before each use the register reads
//!   the entries after the last one it applied and re-reads just what they name. Another instance
//!   sharing PostgreSQL, retention, a recomputed eligibility: all arrive the same way, and nothing
//!   that writes needs to know the register exists (intake is untouched).
//! - Items are ordered by number (numbers follow commit order), so a case is found by binary search
//!   and new items are appended.

use crate::AppError;
use boj_domain::Datum;
use boj_domain::datum::svensk_dag;
use boj_rapport::modell::INOM;
use boj_rapport::rakning::{Fallkod, KODBITAR, Rakning};
use boj_store::Store;
use boj_store::rapporter::{self, Aktrad, Fallrad};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Rows read per query while building (small pages keep the transient rows small).
const SIDA: i64 = 4_000;
const RAKNAD: u64 = 1 << 63;
const AKT_RAKNAD: u16 = 1 << 15;

/// A case as the register keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Fall {
    pub seq: i64,
    kod: u64,
    pub oppnat: Datum,
    pub registrerat: Datum,
}

impl Fall {
    /// Its values as a report would count them now (not late).
    pub fn kod(&self) -> Fallkod {
        Fallkod(self.kod & KODBITAR)
    }
    /// Counted by an issued cycle report.
    pub fn raknat(&self) -> bool {
        self.kod & RAKNAD != 0
    }
    pub fn inom(&self) -> bool {
        self.kod().status() == INOM
    }
}

/// An activity as the register keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Akt {
    pub seq: i64,
    /// Its case's place in [`Lager::fall`].
    pub fall: u32,
    pub datum: Datum,
    pub registrerat: Datum,
    pub slag: u8,
    /// The mode (`Kontaktsatt` index) in the low four bits, a referral's partner kind (0 none,
    /// else 1 + its `Partnertyp` index) in the high four: the record stays 24 bytes.
    satt_partner: u8,
    min: u16,
}

impl Akt {
    pub fn satt(&self) -> u8 {
        self.satt_partner & 0x0f
    }
    pub fn partner(&self) -> u8 {
        self.satt_partner >> 4
    }
    pub fn minuter(&self) -> u16 {
        self.min & !AKT_RAKNAD
    }
    pub fn raknad(&self) -> bool {
        self.min & AKT_RAKNAD != 0
    }
}

fn dag(ts: i64) -> Datum {
    Datum::from_civil(svensk_dag(ts))
}

/// One agreement's items.
#[derive(Default)]
pub struct Lager {
    byggt: bool,
    /// Something arrived out of order: build anew before the next use.
    ombygg: bool,
    /// Every audit entry up to this one is applied.
    sett: i64,
    pub fall: Vec<Fall>,
    pub akt: Vec<Akt>,
    /// Witness-support sessions and volunteer-hours entries some report counted (few: by id).
    pub raknade_ovrigt: HashSet<String>,
}

/// Every agreement's [`Lager`], each behind its own lock.
#[derive(Default)]
pub struct Register {
    lager: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Lager>>>>,
}

impl Register {
    /// The agreement's items, up to date with the store, locked for the caller (an issue holds it
    /// until it has stored the report, so two issues in one instance take turns).
    pub async fn lager(
        &self,
        store: &Store,
        agreement_id: &str,
    ) -> Result<tokio::sync::OwnedMutexGuard<Lager>, AppError> {
        let l = {
            let mut m = self
                .lager
                .lock()
                .map_err(|_| AppError::internal("rapportregistret är låst"))?;
            m.entry(agreement_id.to_string()).or_default().clone()
        };
        let mut g = l.lock_owned().await;
        for _ in 0..2 {
            if let Err(e) = g.folj(store, agreement_id).await {
                // Start again from the store next time rather than serve a half-applied register.
                *g = Lager::default();
                return Err(e);
            }
            if !g.ombygg {
                return Ok(g);
            }
            *g = Lager::default();
        }
        Err(AppError::internal("rapportregistret kunde inte byggas"))
    }
}

impl Lager {
    /// The place of case number `seq`.
    pub fn fall_plats(&self, seq: i64) -> Option<usize> {
        self.fall.binary_search_by_key(&seq, |f| f.seq).ok()
    }

    pub fn fall_med_nummer(&self, seq: i64) -> Option<&Fall> {
        self.fall_plats(seq).map(|i| &self.fall[i])
    }

    fn satt_fall(&mut self, r: &Fallrad) {
        let ny = Fall {
            seq: r.seq,
            kod: r.kod.ren().med_sent(false).0,
            oppnat: r.opened_on,
            registrerat: dag(r.registered_at),
        };
        match self.fall.binary_search_by_key(&r.seq, |f| f.seq) {
            Ok(i) => {
                let raknat = self.fall[i].kod & RAKNAD;
                self.fall[i] = Fall {
                    kod: ny.kod | raknat,
                    ..ny
                };
            }
            // Numbers follow commit order, so a case not seen yet comes after every case seen;
            // anything else would move the places activities point at, so build anew instead.
            Err(i) if i == self.fall.len() => self.fall.push(ny),
            Err(_) => self.ombygg = true,
        }
    }

    fn satt_akt(&mut self, r: &Aktrad) {
        let Some(fall) = self.fall_plats(r.fall) else {
            // Its case is read before it (lower number): anything else, build anew.
            self.ombygg = true;
            return;
        };
        let ny = Akt {
            seq: r.seq,
            fall: fall as u32,
            datum: r.date,
            registrerat: dag(r.registered_at),
            slag: r.slag,
            satt_partner: (r.satt & 0x0f) | (r.partner.min(15) << 4),
            min: r.minuter.min(AKT_RAKNAD - 1),
        };
        match self.akt.binary_search_by_key(&r.seq, |a| a.seq) {
            Ok(i) => {
                let raknad = self.akt[i].min & AKT_RAKNAD;
                self.akt[i] = Akt {
                    min: ny.min | raknad,
                    ..ny
                };
            }
            Err(i) => self.akt.insert(i, ny),
        }
    }

    /// Marks what a cycle report counted (again is harmless).
    pub fn markera(&mut self, r: &Rakning) {
        for (seq, _) in &r.fall {
            if let Ok(i) = self.fall.binary_search_by_key(seq, |f| f.seq) {
                self.fall[i].kod |= RAKNAD;
            }
        }
        for a in &r.aktiviteter {
            if let Ok(i) = self.akt.binary_search_by_key(&a.seq, |x| x.seq) {
                self.akt[i].min |= AKT_RAKNAD;
            }
        }
        for (id, _) in &r.vittnesstod {
            self.raknade_ovrigt.insert(id.clone());
        }
        for (id, ..) in &r.timmar {
            self.raknade_ovrigt.insert(id.clone());
        }
        for (id, ..) in &r.samverkan {
            self.raknade_ovrigt.insert(id.clone());
        }
    }

    /// Reads the activities of these cases anew after one was corrected or removed: the cases'
    /// activities are replaced by what the store holds, each keeping its mark if a report counted it.
    async fn las_om_aktiviteter(
        &mut self,
        store: &Store,
        id: &str,
        till: i64,
        case_ids: &[String],
    ) -> Result<(), AppError> {
        let platser: HashSet<u32> = rapporter::fall_rader_med_id(store, id, till, case_ids)
            .await?
            .iter()
            .filter_map(|r| self.fall_plats(r.seq))
            .map(|i| i as u32)
            .collect();
        let raknade: Vec<i64> = self
            .akt
            .iter()
            .filter(|a| platser.contains(&a.fall) && a.raknad())
            .map(|a| a.seq)
            .collect();
        self.akt.retain(|a| !platser.contains(&a.fall));
        for r in rapporter::akt_rader_for_fall(store, id, till, case_ids).await? {
            self.satt_akt(&r);
        }
        for seq in raknade {
            if let Ok(i) = self.akt.binary_search_by_key(&seq, |a| a.seq) {
                self.akt[i].min |= AKT_RAKNAD;
            }
        }
        Ok(())
    }

    async fn las_nya(&mut self, store: &Store, id: &str, till: i64) -> Result<(), AppError> {
        loop {
            let efter = self.fall.last().map_or(i64::MIN, |f| f.seq);
            let rader = rapporter::fall_rader(store, id, efter, till, SIDA).await?;
            for r in &rader {
                self.satt_fall(r);
            }
            if (rader.len() as i64) < SIDA {
                break;
            }
        }
        loop {
            let efter = self.akt.last().map_or(i64::MIN, |a| a.seq);
            let rader = rapporter::akt_rader(store, id, efter, till, SIDA).await?;
            for r in &rader {
                self.satt_akt(r);
            }
            if (rader.len() as i64) < SIDA {
                break;
            }
        }
        Ok(())
    }

    /// Marks what report `r` counted, if it is a cycle report of agreement `id`. Read again each
    /// time its audit entry arrives, even when this instance issued it: a report listed while
    /// building may name items above the head read then, which are marked when its entry comes.
    async fn markera_rapport(&mut self, store: &Store, id: &str, r: &str) -> Result<(), AppError> {
        let rapport = match rapporter::get(store, r).await {
            Ok(x) => x,
            Err(boj_store::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if rapport.agreement_id == id && rapport.cycle {
            rapporter::rakning_delar(store, r, |del| {
                self.markera(&del);
                Ok::<_, AppError>(())
            })
            .await?;
        }
        Ok(())
    }

    /// Brings the register up to date with the store.
    async fn folj(&mut self, store: &Store, id: &str) -> Result<(), AppError> {
        let till = boj_store::audit::head(store).await?;
        if !self.byggt {
            // Sized once: growing by doubling would hold the old and the new copy at once.
            // Capacity never touched costs no memory, so activities get room for three a case.
            let n = usize::try_from(rapporter::antal_fall(store, id).await?).unwrap_or(0);
            self.fall.reserve(n + n / 8);
            self.akt.reserve(3 * n);
            self.las_nya(store, id, till).await?;
            for r in rapporter::of_agreement(store, id).await? {
                self.markera_rapport(store, id, &r.id).await?;
            }
            self.byggt = true;
            self.sett = till;
            return Ok(());
        }
        if till == self.sett {
            return Ok(());
        }
        let andringar = boj_store::audit::andringar(store, self.sett, till).await?;
        self.las_nya(store, id, till).await?;
        let mut andrade = Vec::new();
        let mut gallrade = Vec::new();
        let mut akt_andrade = Vec::new();
        let mut rapporter_nya = Vec::new();
        for (_, action, object) in andringar {
            let Some(o) = object else { continue };
            match action.as_str() {
                "arende.andrat" | "arende.behorighet_omprovad" => andrade.push(o),
                "arende.gallrat" => {
                    andrade.push(o.clone());
                    gallrade.push(o);
                }
                "arende.aktivitet_rattad" | "arende.aktivitet_borttagen" => akt_andrade.push(o),
                "rapport.utfardad" => rapporter_nya.push(o),
                _ => {}
            }
        }
        andrade.sort();
        andrade.dedup();
        for r in rapporter::fall_rader_med_id(store, id, till, &andrade).await? {
            self.satt_fall(&r);
        }
        gallrade.sort();
        gallrade.dedup();
        for r in rapporter::akt_rader_for_fall(store, id, till, &gallrade).await? {
            self.satt_akt(&r);
        }
        akt_andrade.sort();
        akt_andrade.dedup();
        if !akt_andrade.is_empty() {
            self.las_om_aktiviteter(store, id, till, &akt_andrade)
                .await?;
        }
        for r in rapporter_nya {
            self.markera_rapport(store, id, &r).await?;
        }
        self.sett = till;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The register's memory budget (about 75 MB at a million cases and two million activities)
    /// rests on these sizes; a referral's partner kind shares the mode's byte.
    #[test]
    fn a_case_and_an_activity_stay_24_bytes() {
        assert_eq!(std::mem::size_of::<Fall>(), 24);
        assert_eq!(std::mem::size_of::<Akt>(), 24);
    }

    #[test]
    fn an_activitys_mode_and_partner_share_a_byte() {
        let r = Aktrad {
            seq: 7,
            fall: 1,
            date: Datum::parse("2026-03-02").unwrap_or_else(|_| unreachable!()),
            registered_at: 0,
            slag: 5,
            satt: 3,
            minuter: 30,
            partner: 8,
        };
        let mut l = Lager::default();
        l.fall.push(Fall {
            seq: 1,
            kod: 0,
            oppnat: r.date,
            registrerat: r.date,
        });
        l.satt_akt(&r);
        assert_eq!((l.akt[0].satt(), l.akt[0].partner()), (3, 8));
        assert_eq!(l.akt[0].minuter(), 30);
    }
}
