//! Municipalities and counties: the 290 SCB codes.
//!
//! The list is the project's own data file `data/kommuner.csv` (built from SCB's list of municipality
//! and county codes), compiled into the binary. A [`Kommunkod`] can only hold one of those codes.

use crate::error::{Code, DomainError};
use serde::Serialize;
use std::fmt;
use std::sync::LazyLock;

const KOMMUNER_CSV: &str = include_str!("../data/kommuner.csv");

/// One municipality with its county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kommun {
    pub kod: Kommunkod,
    pub namn: &'static str,
    pub lan: Lanskod,
    pub lan_namn: &'static str,
}

/// SCB's municipalities in code order (looked up by binary search: every stored case is parsed
/// through [`Kommunkod::parse`] when read).
static KOMMUNER: LazyLock<Vec<Kommun>> = LazyLock::new(|| {
    let mut v: Vec<Kommun> = KOMMUNER_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let mut f = line.split(',');
            let kod = f.next()?.trim();
            let namn = f.next()?.trim();
            let lan = f.next()?.trim();
            let lan_namn = f.next()?.trim();
            Some(Kommun {
                kod: Kommunkod(four(kod)?),
                namn,
                lan: Lanskod(two(lan)?),
                lan_namn,
            })
        })
        .collect();
    v.sort_by_key(|k| k.kod.0);
    v
});

fn plats(code: [u8; 4]) -> Option<usize> {
    KOMMUNER.binary_search_by_key(&code, |k| k.kod.0).ok()
}

fn four(s: &str) -> Option<[u8; 4]> {
    let b: [u8; 4] = s.as_bytes().try_into().ok()?;
    b.iter().all(u8::is_ascii_digit).then_some(b)
}

fn two(s: &str) -> Option<[u8; 2]> {
    let b: [u8; 2] = s.as_bytes().try_into().ok()?;
    b.iter().all(u8::is_ascii_digit).then_some(b)
}

/// All 290 municipalities, ordered by code.
pub fn kommuner() -> &'static [Kommun] {
    &KOMMUNER
}

/// A municipality code that SCB has assigned (four digits, e.g. `0180` for Stockholm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kommunkod([u8; 4]);

impl Kommunkod {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        let err = || {
            DomainError::new(
                Code::OgiltigKommunkod,
                format!(
                    "”{}” är ingen kommunkod. En kommunkod har fyra siffror, till exempel 0180 för Stockholm.",
                    clip(s)
                ),
            )
        };
        let code = four(s).ok_or_else(err)?;
        if plats(code).is_some() {
            Ok(Kommunkod(code))
        } else {
            Err(err())
        }
    }

    pub fn as_str(&self) -> &str {
        // The bytes are ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or("????")
    }

    /// The municipality this code names.
    pub fn kommun(&self) -> &'static Kommun {
        // Every Kommunkod comes from the list, so it is found; index 0 is never reached in practice.
        &KOMMUNER[plats(self.0).unwrap_or(0)]
    }

    pub fn namn(&self) -> &'static str {
        self.kommun().namn
    }

    pub fn lan(&self) -> Lanskod {
        Lanskod([self.0[0], self.0[1]])
    }
}

impl fmt::Display for Kommunkod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kommunkod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A county code (two digits, e.g. `01` for Stockholms län).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lanskod([u8; 2]);

impl Lanskod {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        let err = || {
            DomainError::new(
                Code::OgiltigtLanskod,
                format!(
                    "”{}” är ingen länskod. En länskod har två siffror, till exempel 01 för Stockholms län.",
                    clip(s)
                ),
            )
        };
        let code = two(s).ok_or_else(err)?;
        if KOMMUNER.iter().any(|k| k.lan.0 == code) {
            Ok(Lanskod(code))
        } else {
            Err(err())
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn namn(&self) -> &'static str {
        KOMMUNER
            .iter()
            .find(|k| k.lan == *self)
            .map(|k| k.lan_namn)
            .unwrap_or("")
    }

    /// The municipalities of this county, ordered by code.
    pub fn kommuner(&self) -> impl Iterator<Item = &'static Kommun> + '_ {
        KOMMUNER.iter().filter(move |k| k.lan == *self)
    }
}

impl fmt::Display for Lanskod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Lanskod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Shortens user input quoted back in a message, so that a huge value does not make a huge message.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_290_municipalities_in_21_counties() {
        assert_eq!(kommuner().len(), 290);
        let mut lan: Vec<_> = kommuner().iter().map(|k| k.lan).collect();
        lan.dedup();
        assert_eq!(lan.len(), 21);
        // Every code's first two digits are its county.
        assert!(kommuner().iter().all(|k| k.kod.lan() == k.lan));
    }

    #[test]
    fn jamtland_has_eight_municipalities() {
        let z = Lanskod::parse("23").unwrap();
        let names: Vec<_> = z.kommuner().map(|k| k.namn).collect();
        assert_eq!(
            names,
            [
                "Ragunda",
                "Bräcke",
                "Krokom",
                "Strömsund",
                "Åre",
                "Berg",
                "Härjedalen",
                "Östersund"
            ]
        );
        assert_eq!(z.namn(), "Jämtlands län");
    }

    #[test]
    fn parses_known_codes_only() {
        assert_eq!(Kommunkod::parse("2380").unwrap().namn(), "Östersund");
        assert_eq!(Kommunkod::parse(" 0114 ").unwrap().namn(), "Upplands Väsby");
        for bad in ["", "238", "23800", "2399", "abcd", "０１１４", "9999"] {
            assert_eq!(
                Kommunkod::parse(bad).unwrap_err().code,
                Code::OgiltigKommunkod,
                "{bad}"
            );
        }
        assert!(Lanskod::parse("99").is_err());
    }
}
