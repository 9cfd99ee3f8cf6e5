//! Amounts in whole Swedish kronor.
//!
//! Grants and invoice bases in boj are whole kronor (the decision's 731 101 kr). An amount is never
//! negative and never fractional; the split of an amount (issue: grants) works in these units so that
//! parts sum exactly.

use crate::error::{Code, DomainError};
use crate::kommun::clip;
use std::fmt;

/// A non-negative whole number of kronor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Kronor(u64);

/// The largest amount boj accepts (a trillion kronor): far above any grant, far below overflow.
const MAX: u64 = 1_000_000_000_000;

impl Kronor {
    /// Parses `731101`, `731 101`, `731 101 kr` (with a normal or no-break space). Refuses decimals,
    /// negative numbers and anything else.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let t = t.strip_suffix("kr").unwrap_or(t).trim_end();
        let digits: String = t
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let err = |why: &str| {
            DomainError::new(
                Code::OgiltigtBelopp,
                format!("”{}” är inget giltigt belopp: {why}", clip(s.trim())),
            )
        };
        if digits.starts_with('-') {
            return Err(err("beloppet får inte vara negativt."));
        }
        if digits.contains([',', '.']) {
            return Err(err("ange hela kronor, utan ören."));
        }
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("ange ett belopp i hela kronor, till exempel 731 101."));
        }
        match digits.parse::<u64>() {
            Ok(v) if v <= MAX => Ok(Kronor(v)),
            _ => Err(err("beloppet är orimligt stort.")),
        }
    }

    pub fn from_whole(v: u64) -> Result<Self, DomainError> {
        if v <= MAX {
            Ok(Kronor(v))
        } else {
            Err(DomainError::new(
                Code::OgiltigtBelopp,
                "Beloppet är orimligt stort.",
            ))
        }
    }

    pub const fn whole(&self) -> u64 {
        self.0
    }
}

/// Swedish form: `731 101 kr` with a no-break space between thousands.
impl fmt::Display for Kronor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(crate::svensk::TUSENTAL);
            }
            out.push(c);
        }
        write!(f, "{out}\u{a0}kr")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_swedish_amounts() {
        assert_eq!(Kronor::parse("731 101 kr").unwrap().whole(), 731_101);
        assert_eq!(Kronor::parse("731101").unwrap().whole(), 731_101);
        assert_eq!(Kronor::parse("0").unwrap().whole(), 0);
        assert_eq!(
            Kronor::parse("731101").unwrap().to_string(),
            "731\u{a0}101\u{a0}kr"
        );
        for bad in ["-5", "10,50", "10.5", "", "tio", "99999999999999999999"] {
            assert_eq!(
                Kronor::parse(bad).unwrap_err().code,
                Code::OgiltigtBelopp,
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(v in 0u64..=MAX) {
            let k = Kronor::from_whole(v).unwrap();
            prop_assert_eq!(Kronor::parse(&k.to_string()).unwrap(), k);
        }
    }
}
