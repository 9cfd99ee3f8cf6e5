//! **What a cycle report counted**, compactly (SPEC § 3.3: each case and activity is reported
//! exactly once; longer periods and later editions are compiled from exactly what was counted).
//!
//! A case's report values fit in one integer ([`Fallkod`]: every item an index or a bit set, as
//! [`Fall`] has them, with the home municipality as its code); a cycle report keeps the cases and
//! activities it counted as a [`Rakning`] — a case's stable number (`seq`, the audit sequence number
//! of its registration) with its code, an activity's number with its case's — stored with the
//! report in binary parts of at most [`DEL`] cases and activities each ([`Rakning::delar`]). At a
//! million cases a year a quarter's record is about 15 MB in some twenty parts, read back in
//! milliseconds (one row per item took seconds to write and minutes to read), and a reader holds
//! one part at a time.

use crate::modell::{self, Aktivitet, Fall, Fallpost, Samverkan, Timmar, Underlag, Vittnesstod};
use boj_domain::Kommunkod;
use boj_domain::bedomning::Skal as Orsak;
use boj_domain::kod::{
    Aldersgrupp, Brottstyp, ForstaKontakt, Kodlista, Kon, PersonTyp, Polisanmalan,
    SarskildOmstandighet,
};

/// A case's report values in one integer: bit fields for person type (3 bits), home municipality
/// (14: the municipality's number, 0 unknown, 1 abroad), gender (2), age band (3), crime types (11,
/// a set), circumstances (5, a set), police report (2), first contact (2), told of 11 kap. 6 § (1),
/// eligibility (2), reasons for `utanfor` (4, a set) and late registration (1). Bit 63 is free for
/// the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fallkod(pub u64);

const FALT: [(u32, u32); 12] = [
    (0, 3),   // person
    (3, 14),  // hem
    (17, 2),  // kon
    (19, 3),  // alder
    (22, 11), // brott
    (33, 5),  // omstandigheter
    (38, 2),  // polis
    (40, 2),  // forsta
    (42, 1),  // informerad
    (43, 2),  // status
    (45, 4),  // orsaker
    (49, 1),  // sent
];
const PERSON: usize = 0;
const HEM: usize = 1;
const KON: usize = 2;
const ALDER: usize = 3;
const BROTT: usize = 4;
const OMST: usize = 5;
const POLIS: usize = 6;
const FORSTA: usize = 7;
const INFORMERAD: usize = 8;
const STATUS: usize = 9;
const ORSAKER: usize = 10;
const SENT: usize = 11;
/// Every bit a code uses (the caller may use the rest).
pub const KODBITAR: u64 = (1 << 50) - 1;
const HEM_OKAND: u64 = 0;
const HEM_UTLANDET: u64 = 1;

fn bitar<K: Kodlista + PartialEq>(v: &[K]) -> u64 {
    v.iter()
        .filter_map(|k| K::ALL.iter().position(|x| x == k))
        .fold(0, |b, i| b | (1 << i))
}

fn ur_bitar<K: Kodlista + Copy>(b: u64) -> Vec<K> {
    K::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| b & (1 << i) != 0)
        .map(|(_, k)| *k)
        .collect()
}

fn nr<K: Kodlista + PartialEq>(k: K) -> u64 {
    u64::from(modell::index(k))
}

/// A municipality's code as a number (`1280` → 1280).
pub fn kommunnummer(k: Kommunkod) -> u16 {
    k.as_str()
        .bytes()
        .fold(0u16, |n, b| n * 10 + u16::from(b.wrapping_sub(b'0')))
}

impl Fallkod {
    fn falt(self, f: usize) -> u64 {
        let (start, bredd) = FALT[f];
        (self.0 >> start) & ((1 << bredd) - 1)
    }

    fn med(self, f: usize, v: u64) -> Fallkod {
        let (start, bredd) = FALT[f];
        let mask = ((1u64 << bredd) - 1) << start;
        Fallkod((self.0 & !mask) | ((v << start) & mask))
    }

    /// The code of a case's values as counted.
    pub fn av(p: &Fallpost) -> Fallkod {
        let hem = match p.hem.as_str() {
            "utlandet" => HEM_UTLANDET,
            s => Kommunkod::parse(s)
                .map(|k| u64::from(kommunnummer(k)))
                .unwrap_or(HEM_OKAND),
        };
        let orsaker = p
            .orsaker
            .iter()
            .filter_map(|o| Orsak::ALL.iter().position(|x| x == o))
            .fold(0, |b, i| b | (1 << i));
        Fallkod(0)
            .med(PERSON, nr(p.person))
            .med(HEM, hem)
            .med(KON, nr(p.kon))
            .med(ALDER, nr(p.alder))
            .med(BROTT, bitar(&p.brott))
            .med(OMST, bitar(&p.omstandigheter))
            .med(POLIS, nr(p.polis))
            .med(FORSTA, nr(p.forsta))
            .med(INFORMERAD, u64::from(p.informerad))
            .med(STATUS, u64::from(p.status))
            .med(ORSAKER, orsaker)
            .med(SENT, u64::from(p.sent))
    }

    /// The values back (`None` for a code no case can have).
    pub fn fallpost(self) -> Option<Fallpost> {
        let ett = |f: usize| usize::try_from(self.falt(f)).ok();
        let hem = match self.falt(HEM) {
            HEM_OKAND => "okand".to_string(),
            HEM_UTLANDET => "utlandet".to_string(),
            n => format!("{n:04}"),
        };
        Some(Fallpost {
            person: *PersonTyp::ALL.get(ett(PERSON)?)?,
            hem,
            kon: *Kon::ALL.get(ett(KON)?)?,
            alder: *Aldersgrupp::ALL.get(ett(ALDER)?)?,
            brott: ur_bitar::<Brottstyp>(self.falt(BROTT)),
            omstandigheter: ur_bitar::<SarskildOmstandighet>(self.falt(OMST)),
            polis: *Polisanmalan::ALL.get(ett(POLIS)?)?,
            forsta: *ForstaKontakt::ALL.get(ett(FORSTA)?)?,
            informerad: self.falt(INFORMERAD) == 1,
            status: u8::try_from(self.falt(STATUS)).ok()?,
            orsaker: Orsak::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| self.falt(ORSAKER) & (1 << i) != 0)
                .map(|(_, o)| *o)
                .collect(),
            sent: self.falt(SENT) == 1,
        })
    }

    /// Eligibility ([`modell::INOM`], [`modell::UTANFOR`] or [`modell::EJ_FASTSTALLD`]).
    pub fn status(self) -> u8 {
        self.falt(STATUS) as u8
    }

    pub fn sent(self) -> bool {
        self.falt(SENT) == 1
    }

    pub fn med_sent(self, sent: bool) -> Fallkod {
        self.med(SENT, u64::from(sent))
    }

    /// Only the code's own bits (what the caller kept in the rest dropped).
    pub fn ren(self) -> Fallkod {
        Fallkod(self.0 & KODBITAR)
    }

    /// Whether the same values were counted, the late flag aside.
    pub fn samma(self, annan: Fallkod) -> bool {
        self.ren().med_sent(false) == annan.ren().med_sent(false)
    }

    /// The compact form [`modell::sammanstall`] reads; `hem` gives a municipality number's index
    /// in the report's parties ([`Hemindex`]).
    pub fn fall(self, hem: &Hemindex, cykel: u8) -> Fall {
        Fall {
            cykel,
            person: self.falt(PERSON) as u8,
            hem: hem.index(self.falt(HEM) as u16),
            kon: self.falt(KON) as u8,
            alder: self.falt(ALDER) as u8,
            brott: self.falt(BROTT) as u16,
            omstandigheter: self.falt(OMST) as u8,
            polis: self.falt(POLIS) as u8,
            forsta: self.falt(FORSTA) as u8,
            informerad: self.falt(INFORMERAD) == 1,
            status: self.status(),
            orsaker: self.falt(ORSAKER) as u8,
            sent: self.sent(),
        }
    }
}

/// A report's parties by municipality number, for [`Fallkod::fall`].
pub struct Hemindex {
    nummer: Vec<u16>,
}

impl Hemindex {
    pub fn av(u: &Underlag) -> Hemindex {
        Hemindex {
            nummer: u.parter.iter().map(|k| kommunnummer(*k)).collect(),
        }
    }

    fn index(&self, n: u16) -> u8 {
        let i = self
            .nummer
            .iter()
            .position(|x| *x == n && n > 1)
            .unwrap_or(self.nummer.len());
        u8::try_from(i).unwrap_or(u8::MAX)
    }
}

/// An activity as counted: its number, its case's number, kind and mode (indices of
/// `Aktivitetstyp::ALL` and `Kontaktsatt::ALL`), minutes, and whether its case was within the
/// agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aktpost {
    pub seq: i64,
    pub fall: i64,
    pub slag: u8,
    pub satt: u8,
    pub minuter: u16,
    pub inom: bool,
    /// A referral's partner kind: 0 none, else 1 + its index in `Partnertyp::ALL` (stored in the
    /// upper bits of the byte `inom` has, so records written before referrals named partners read
    /// back with none).
    pub partner: u8,
}

/// What one cycle report counted, each item with its values as counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rakning {
    /// (case number, code), by case number.
    pub fall: Vec<(i64, Fallkod)>,
    pub aktiviteter: Vec<Aktpost>,
    /// (id, people by role in `VittnesstodRoll::ALL` order)
    pub vittnesstod: Vec<(String, [u32; 4])>,
    /// (id, kind index of `Volontartimmar::ALL`, hundredths of an hour)
    pub timmar: Vec<(String, u8, u64)>,
    /// Collaboration work: (id, partner kind index of `Partnertyp::ALL`, form index of
    /// `Samverkansform::ALL`, hundredths of an hour).
    pub samverkan: Vec<(String, u8, u8, u64)>,
}

/// Records written before collaboration work was counted.
const MAGI_1: &[u8; 4] = b"BOJ1";
/// Records with collaboration work after the volunteer hours.
const MAGI: &[u8; 4] = b"BOJ2";

struct Lasare<'a>(&'a [u8]);

impl Lasare<'_> {
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.bytes(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn text(&mut self) -> Option<String> {
        let n = self.u16()?;
        String::from_utf8(self.bytes(usize::from(n))?.to_vec()).ok()
    }
    fn antal(&mut self, storlek: usize) -> Option<usize> {
        let n = usize::try_from(self.u32()?).ok()?;
        // A count the rest of the bytes cannot hold is a damaged record, not an allocation.
        (n.checked_mul(storlek)? <= self.0.len()).then_some(n)
    }
}

fn text(ut: &mut Vec<u8>, s: &str) {
    let b = &s.as_bytes()[..s.len().min(usize::from(u16::MAX))];
    ut.extend_from_slice(&(b.len() as u16).to_le_bytes());
    ut.extend_from_slice(b);
}

/// Items a part of a stored record holds at most, of cases and of activities each: a part is
/// at most about 1.2 MB, so reading or writing a record never holds more than one part's bytes.
pub const DEL: usize = 32_768;

/// Little-endian fixed-width records after a four-byte tag; counts as `u32`.
fn koda_del(
    fall: &[(i64, Fallkod)],
    aktiviteter: &[Aktpost],
    vittnesstod: &[(String, [u32; 4])],
    timmar: &[(String, u8, u64)],
    samverkan: &[(String, u8, u8, u64)],
) -> Vec<u8> {
    let mut ut = Vec::with_capacity(16 + fall.len() * 16 + aktiviteter.len() * 21);
    ut.extend_from_slice(MAGI);
    ut.extend_from_slice(&(fall.len() as u32).to_le_bytes());
    for (seq, k) in fall {
        ut.extend_from_slice(&seq.to_le_bytes());
        ut.extend_from_slice(&k.0.to_le_bytes());
    }
    ut.extend_from_slice(&(aktiviteter.len() as u32).to_le_bytes());
    for a in aktiviteter {
        ut.extend_from_slice(&a.seq.to_le_bytes());
        ut.extend_from_slice(&a.fall.to_le_bytes());
        ut.push(a.slag);
        ut.push(a.satt);
        ut.extend_from_slice(&a.minuter.to_le_bytes());
        ut.push(u8::from(a.inom) | (a.partner << 1));
    }
    ut.extend_from_slice(&(vittnesstod.len() as u32).to_le_bytes());
    for (id, p) in vittnesstod {
        text(&mut ut, id);
        for n in p {
            ut.extend_from_slice(&n.to_le_bytes());
        }
    }
    ut.extend_from_slice(&(timmar.len() as u32).to_le_bytes());
    for (id, k, h) in timmar {
        text(&mut ut, id);
        ut.push(*k);
        ut.extend_from_slice(&h.to_le_bytes());
    }
    ut.extend_from_slice(&(samverkan.len() as u32).to_le_bytes());
    for (id, k, f, h) in samverkan {
        text(&mut ut, id);
        ut.push(*k);
        ut.push(*f);
        ut.extend_from_slice(&h.to_le_bytes());
    }
    ut
}

/// One part of a stored record: how many cases and activities it holds, and its bytes.
pub struct Del {
    pub fall: usize,
    pub aktiviteter: usize,
    pub bytes: Vec<u8>,
}

impl Rakning {
    /// The whole record as one value ([`Rakning::las`] reads it).
    pub fn koda(&self) -> Vec<u8> {
        koda_del(
            &self.fall,
            &self.aktiviteter,
            &self.vittnesstod,
            &self.timmar,
            &self.samverkan,
        )
    }

    /// The record in parts of at most `storlek` cases and `storlek` activities each, every part a
    /// whole record of its items (the first also holds the witness sessions and hours), encoded
    /// one at a time as the caller takes them. Read back part by part, they are this record's
    /// items in order ([`Rakning::utoka`]); there is always at least one part.
    pub fn delar(&self, storlek: usize) -> impl Iterator<Item = Del> + '_ {
        let storlek = storlek.max(1);
        let n = self
            .fall
            .len()
            .div_ceil(storlek)
            .max(self.aktiviteter.len().div_ceil(storlek))
            .max(1);
        (0..n).map(move |i| {
            let bit = |len: usize| (i * storlek).min(len)..((i + 1) * storlek).min(len);
            let fall = &self.fall[bit(self.fall.len())];
            let akt = &self.aktiviteter[bit(self.aktiviteter.len())];
            let (v, t, s) = if i == 0 {
                (&self.vittnesstod[..], &self.timmar[..], &self.samverkan[..])
            } else {
                (&[][..], &[][..], &[][..])
            };
            Del {
                fall: fall.len(),
                aktiviteter: akt.len(),
                bytes: koda_del(fall, akt, v, t, s),
            }
        })
    }

    /// Appends a later part's items.
    pub fn utoka(&mut self, del: Rakning) {
        self.fall.extend(del.fall);
        self.aktiviteter.extend(del.aktiviteter);
        self.vittnesstod.extend(del.vittnesstod);
        self.timmar.extend(del.timmar);
        self.samverkan.extend(del.samverkan);
    }

    /// `None` for bytes that are not a whole record.
    pub fn las(b: &[u8]) -> Option<Rakning> {
        let mut l = Lasare(b);
        let magi = l.bytes(4)?;
        let med_samverkan = magi == MAGI;
        if !med_samverkan && magi != MAGI_1 {
            return None;
        }
        let mut r = Rakning::default();
        let n = l.antal(16)?;
        r.fall.reserve(n);
        for _ in 0..n {
            r.fall.push((l.i64()?, Fallkod(l.u64()?)));
        }
        let n = l.antal(21)?;
        r.aktiviteter.reserve(n);
        for _ in 0..n {
            r.aktiviteter.push(Aktpost {
                seq: l.i64()?,
                fall: l.i64()?,
                slag: l.u8()?,
                satt: l.u8()?,
                minuter: l.u16()?,
                inom: false,
                partner: 0,
            });
            let b = l.u8()?;
            if let Some(a) = r.aktiviteter.last_mut() {
                a.inom = b & 1 == 1;
                a.partner = b >> 1;
            }
        }
        let n = l.antal(18)?;
        for _ in 0..n {
            let id = l.text()?;
            r.vittnesstod
                .push((id, [l.u32()?, l.u32()?, l.u32()?, l.u32()?]));
        }
        let n = l.antal(11)?;
        for _ in 0..n {
            let id = l.text()?;
            r.timmar.push((id, l.u8()?, l.u64()?));
        }
        if med_samverkan {
            let n = l.antal(12)?;
            for _ in 0..n {
                let id = l.text()?;
                r.samverkan.push((id, l.u8()?, l.u8()?, l.u64()?));
            }
        }
        l.0.is_empty().then_some(r)
    }

    /// Adds the items to `u` as cycle period `cykel` of the report. An activity's case is
    /// numbered by [`fallnummer`], the same in every part of a longer period, so a contributing
    /// case is counted once. `None` if a case number is out of that range (nothing is added then).
    pub fn fyll(&self, u: &mut Underlag, cykel: u8) -> Option<()> {
        let fall: Vec<u32> = self
            .aktiviteter
            .iter()
            .map(|a| fallnummer(a.fall))
            .collect::<Option<_>>()?;
        let hem = Hemindex::av(u);
        u.fall.reserve(self.fall.len());
        u.fall
            .extend(self.fall.iter().map(|(_, k)| k.fall(&hem, cykel)));
        u.aktiviteter.reserve(self.aktiviteter.len());
        u.aktiviteter.extend(
            self.aktiviteter
                .iter()
                .zip(fall)
                .map(|(a, fall)| Aktivitet {
                    fall,
                    inom: a.inom,
                    cykel,
                    slag: a.slag,
                    satt: a.satt,
                    minuter: a.minuter,
                    partner: a.partner,
                }),
        );
        u.vittnesstod
            .extend(self.vittnesstod.iter().map(|(_, p)| Vittnesstod {
                cykel,
                personer: *p,
            }));
        u.timmar.extend(self.timmar.iter().map(|(_, k, h)| Timmar {
            cykel,
            slag: *k,
            hundradelar: *h,
        }));
        u.samverkan
            .extend(self.samverkan.iter().map(|(_, k, f, h)| Samverkan {
                cykel,
                slag: *k,
                form: *f,
                hundradelar: *h,
            }));
        Some(())
    }
}

/// A case's number as [`Aktivitet::fall`] holds it: case numbers are audit sequence numbers (those
/// registered before migration 0011 negative), moved by 2³¹ into `u32`, so the same case has the
/// same number in every part of a longer period and sorting by it sorts by case. `None` beyond
/// 2³¹ audit entries either way.
pub fn fallnummer(seq: i64) -> Option<u32> {
    u32::try_from(seq.checked_add(1 << 31)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use boj_domain::bedomning::Skal;
    use proptest::prelude::*;

    fn valj<K: Kodlista + Copy>(i: usize) -> K {
        K::ALL[i % K::ALL.len()]
    }

    prop_compose! {
        fn fallpost()(
            p in 0usize..10, h in 0usize..4, k in 0usize..10, a in 0usize..10,
            b in proptest::collection::vec(0usize..20, 0..4),
            o in proptest::collection::vec(0usize..10, 0..3),
            po in 0usize..10, f in 0usize..10, i: bool, st in 0u8..3,
            or in proptest::collection::vec(0usize..4, 0..3), se: bool,
        ) -> Fallpost {
            let mut brott: Vec<Brottstyp> = b.into_iter().map(valj).collect();
            brott.sort_by_key(|x| modell::index(*x));
            brott.dedup();
            let mut omst: Vec<SarskildOmstandighet> = o.into_iter().map(valj).collect();
            omst.sort_by_key(|x| modell::index(*x));
            omst.dedup();
            let mut orsaker: Vec<Skal> = or.into_iter().map(|i| Skal::ALL[i]).collect();
            orsaker.sort_by_key(|x| Skal::ALL.iter().position(|y| y == x));
            orsaker.dedup();
            Fallpost {
                person: valj(p),
                hem: ["2361", "utlandet", "okand", "0114"][h].to_string(),
                kon: valj(k),
                alder: valj(a),
                brott,
                omstandigheter: omst,
                polis: valj(po),
                forsta: valj(f),
                informerad: i,
                status: st,
                orsaker,
                sent: se,
            }
        }
    }

    /// A record written before referrals named partners and collaboration was counted (tag
    /// `BOJ1`, the activity's last byte 0 or 1) reads back with no partner and no collaboration.
    #[test]
    fn an_older_record_still_reads() {
        let mut b = b"BOJ1".to_vec();
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&7i64.to_le_bytes());
        b.extend_from_slice(&3i64.to_le_bytes());
        b.extend_from_slice(&[5, 1]);
        b.extend_from_slice(&45u16.to_le_bytes());
        b.push(1);
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        let r = Rakning::las(&b).unwrap();
        assert_eq!(
            r.aktiviteter,
            vec![Aktpost {
                seq: 7,
                fall: 3,
                slag: 5,
                satt: 1,
                minuter: 45,
                inom: true,
                partner: 0
            }]
        );
        assert!(r.samverkan.is_empty());
        // The same bytes under the new tag lack the collaboration count: refused.
        b[3] = b'2';
        assert_eq!(Rakning::las(&b), None);
    }

    proptest! {
        /// A code holds exactly the case's values: they come back unchanged, and the compact form
        /// for the tables is the one the text snapshot gives.
        #[test]
        fn koden_haller_vardena(p in fallpost()) {
            let k = Fallkod::av(&p);
            prop_assert_eq!(k.ren(), k);
            prop_assert_eq!(k.fallpost(), Some(p.clone()));
            prop_assert_eq!(Fallpost::parse(&p.text()), Some(p.clone()));
            let u = Underlag {
                parter: vec![Kommunkod::parse("2361").unwrap(), Kommunkod::parse("2303").unwrap()],
                ..Underlag::default()
            };
            prop_assert_eq!(k.fall(&Hemindex::av(&u), 2), p.koda(&u, 2));
            prop_assert!(k.samma(k.med_sent(!p.sent)));
        }

        /// A record reads back as written, and a cut or lengthened one is refused.
        #[test]
        fn rakningen_lases_som_den_skrevs(
            fall in proptest::collection::vec((any::<i64>(), fallpost()), 0..20),
            akt in proptest::collection::vec((any::<i64>(), any::<i64>(), 0u8..6, 0u8..4, 0u16..1441, any::<bool>(), 0u8..9), 0..20),
            vit in proptest::collection::vec(("[a-z0-9_]{0,40}", any::<[u32; 4]>()), 0..4),
            tim in proptest::collection::vec(("[a-z0-9_]{0,40}", 0u8..3, any::<u64>()), 0..4),
            sam in proptest::collection::vec(("[a-z0-9_]{0,40}", 0u8..8, 0u8..3, any::<u64>()), 0..4),
            kapa in 1usize..8,
        ) {
            let r = Rakning {
                fall: fall.iter().map(|(s, p)| (*s, Fallkod::av(p))).collect(),
                aktiviteter: akt.iter().map(|(seq, fall, slag, satt, minuter, inom, partner)| Aktpost {
                    seq: *seq, fall: *fall, slag: *slag, satt: *satt, minuter: *minuter, inom: *inom,
                    partner: *partner,
                }).collect(),
                vittnesstod: vit,
                timmar: tim,
                samverkan: sam,
            };
            let b = r.koda();
            prop_assert_eq!(Rakning::las(&b), Some(r.clone()));
            prop_assert_eq!(Rakning::las(&b[..b.len() - kapa.min(b.len())]), None);
            let mut langre = b.clone();
            langre.push(0);
            prop_assert_eq!(Rakning::las(&langre), None);
            // In parts: each part a whole record, together the record, in order.
            let mut hopa = Rakning::default();
            let mut antal = 0;
            for d in r.delar(kapa) {
                let del = Rakning::las(&d.bytes);
                prop_assert!(del.is_some());
                let del = del.unwrap_or_default();
                prop_assert!(d.fall <= kapa && d.aktiviteter <= kapa);
                prop_assert_eq!((del.fall.len(), del.aktiviteter.len()), (d.fall, d.aktiviteter));
                hopa.utoka(del);
                antal += 1;
            }
            prop_assert_eq!(hopa, r.clone());
            prop_assert_eq!(antal, r.fall.len().div_ceil(kapa).max(r.aktiviteter.len().div_ceil(kapa)).max(1));
        }
    }
}
