//! Organisationsnummer: ten digits with a Luhn check digit (Skatteverket SKV 709).

use crate::error::{Code, DomainError};
use crate::kommun::clip;
use std::fmt;

/// A Swedish organisation number, e.g. `802000-1234` for a non-profit association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Organisationsnummer([u8; 10]);

impl Organisationsnummer {
    /// Accepts `NNNNNN-NNNN` or ten digits in a row. The third digit is at least 2 for legal entities
    /// (which keeps it apart from a personnummer) and the last digit is the Luhn check digit.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let digits: Vec<u8> = match t.len() {
            10 => t.bytes().collect(),
            11 if t.as_bytes()[6] == b'-' => t.bytes().filter(|b| *b != b'-').collect(),
            _ => Vec::new(),
        };
        let err = |why: &str| {
            DomainError::new(
                Code::OgiltigtOrganisationsnummer,
                format!("”{}” är inget giltigt organisationsnummer: {why}", clip(t)),
            )
        };
        if digits.len() != 10 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(err("skriv tio siffror, till exempel 802000-1234."));
        }
        let d: [u8; 10] = [0; 10].map(|_| 0);
        let mut d = d;
        for (i, b) in digits.iter().enumerate() {
            d[i] = b - b'0';
        }
        if d[2] < 2 {
            return Err(err("den tredje siffran ska vara minst 2."));
        }
        if !luhn_ok(&d) {
            return Err(err("kontrollsiffran stämmer inte."));
        }
        Ok(Self(d))
    }
}

impl fmt::Display for Organisationsnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i == 6 {
                f.write_str("-")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The Luhn (mod 10) check over ten digits, as Skatteverket uses it for personnummer,
/// samordningsnummer and organisationsnummer: weights 2,1,2,1,… over the first nine digits.
pub(crate) fn luhn_ok(d: &[u8; 10]) -> bool {
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let p = u32::from(x) * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(d[9])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers() {
        // Skatteverket's own organisation number, and a common non-profit example form.
        let n = Organisationsnummer::parse("202100-5489").unwrap();
        assert_eq!(n.to_string(), "202100-5489");
        assert!(Organisationsnummer::parse("2021005489").is_ok());
    }

    #[test]
    fn refuses_bad_check_digit_and_shape() {
        for bad in [
            "202100-5488",
            "20210-05489",
            "abc",
            "",
            "811218-9876",
            "202100 5489",
        ] {
            assert_eq!(
                Organisationsnummer::parse(bad).unwrap_err().code,
                Code::OgiltigtOrganisationsnummer,
                "{bad}"
            );
        }
    }
}
