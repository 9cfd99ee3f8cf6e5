//! Detecting personnummer and samordningsnummer in free text (SPEC § 3.2; GDPR Art. 9).
//!
//! Free text in boj must never hold an identity number. A number counts as one when it is written the
//! way those numbers are written — `YYMMDD-NNNN` (or `+` for people over 100), `YYYYMMDD-NNNN`, or ten
//! or twelve digits in a row — **and** it has a valid date (the day plus 60 for a samordningsnummer,
//! folkbokföringslagen 18 a §) and a valid Luhn check digit. Phone numbers as people write them
//! (`070-123 45 67`, `070-1234567`) are not in those shapes and are never flagged.

use crate::error::{Code, DomainError};
use crate::orgnr::luhn_ok;

/// Free text that holds no personnummer or samordningsnummer and is at most `max` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fritext(String);

impl Fritext {
    pub fn parse(s: &str, max: usize) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.chars().count() > max {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                format!("Texten får vara högst {max} tecken."),
            ));
        }
        if hitta(t).is_some() {
            return Err(DomainError::new(
                Code::Personnummer,
                "Texten innehåller något som ser ut som ett personnummer eller samordningsnummer. \
                 Sådana uppgifter får inte sparas i boj; ta bort numret.",
            ));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an identity number was found (byte range in the text), for a precise message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fynd {
    pub start: usize,
    pub end: usize,
}

/// Returns the first personnummer or samordningsnummer in `text`, if any.
pub fn hitta(text: &str) -> Option<Fynd> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let run1 = digit_run(b, i);
        let after1 = i + run1;
        // A digit run glued to letters or other digits by a separator is judged by its whole shape.
        let candidate = if (run1 == 6 || run1 == 8)
            && after1 < b.len()
            && (b[after1] == b'-' || b[after1] == b'+')
            && digit_run(b, after1 + 1) == 4
            && !continues(b, after1 + 5)
        {
            let mut d: Vec<u8> = b[start..after1].to_vec();
            d.extend_from_slice(&b[after1 + 1..after1 + 5]);
            Some((d, after1 + 5))
        } else if run1 == 10 || run1 == 12 {
            Some((b[start..after1].to_vec(), after1))
        } else {
            None
        };
        if let Some((digits, end)) = candidate
            && !preceded_by_number(b, start)
            && is_identity_number(&digits)
        {
            return Some(Fynd { start, end });
        }
        i = after1.max(i + 1);
    }
    None
}

fn digit_run(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// True when the number goes on past `at` with another separator and digit (a longer number).
fn continues(b: &[u8], at: usize) -> bool {
    matches!(b.get(at), Some(c) if c.is_ascii_digit())
        || (matches!(b.get(at), Some(b'-'))
            && matches!(b.get(at + 1), Some(c) if c.is_ascii_digit()))
}

/// True when the digits are the tail of a longer number such as `1-811218-9876`.
fn preceded_by_number(b: &[u8], start: usize) -> bool {
    start >= 2 && b[start - 1] == b'-' && b[start - 2].is_ascii_digit()
}

/// Ten or twelve digits: a valid (possibly samordnings-) date and a valid check digit.
fn is_identity_number(digits: &[u8]) -> bool {
    let d: Vec<u8> = digits.iter().map(|c| c - b'0').collect();
    let (years, rest): (Vec<i16>, &[u8]) = match d.len() {
        12 => {
            let century = i16::from(d[0]) * 10 + i16::from(d[1]);
            if !(18..=20).contains(&century) {
                return false;
            }
            (
                vec![century * 100 + i16::from(d[2]) * 10 + i16::from(d[3])],
                &d[2..],
            )
        }
        10 => {
            let yy = i16::from(d[0]) * 10 + i16::from(d[1]);
            (vec![1900 + yy, 2000 + yy], &d[..])
        }
        _ => return false,
    };
    let Ok(ten) = <[u8; 10]>::try_from(rest) else {
        return false;
    };
    let month = ten[2] * 10 + ten[3];
    let mut day = ten[4] * 10 + ten[5];
    if day > 60 {
        day -= 60; // samordningsnummer
    }
    let date_ok = years
        .iter()
        .any(|&y| jiff::civil::Date::new(y, month as i8, day as i8).is_ok());
    date_ok && luhn_ok(&ten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Skatteverket's published test numbers (fictitious people).
    const PNR: &[&str] = &[
        "811218-9876",
        "19811218-9876",
        "8112189876",
        "198112189876",
        "121212+1212",
        "701063-2391", // samordningsnummer (day 63 = 3rd)
    ];

    #[test]
    fn finds_identity_numbers_in_text() {
        for p in PNR {
            let text = format!("Ringde om {p} igår.");
            let f = hitta(&text).unwrap_or_else(|| panic!("missed {p}"));
            assert_eq!(&text[f.start..f.end], *p);
        }
    }

    #[test]
    fn phone_numbers_are_not_identity_numbers() {
        for t in [
            "070-123 45 67",
            "070-1234567",
            "063-14 30 00",
            "+46 70 123 45 67",
            "08-123 456 78",
            "0046701234567",
            "ärende 2026-03-14",
            "811218-9875", // wrong check digit
            "811318-9876", // month 13
            "1-811218-98761",
        ] {
            assert_eq!(hitta(t), None, "{t}");
        }
    }

    #[test]
    fn free_text_refuses_identity_numbers_with_a_clear_message() {
        let e = Fritext::parse("Ringer tillbaka, pnr 811218-9876", 200).unwrap_err();
        assert_eq!(e.code, Code::Personnummer);
        assert!(e.message.contains("personnummer"));
        assert_eq!(
            Fritext::parse(" Ring 070-123 45 67 efter lunch ", 200)
                .unwrap()
                .as_str(),
            "Ring 070-123 45 67 efter lunch"
        );
        assert!(Fritext::parse(&"x".repeat(201), 200).is_err());
    }

    proptest! {
        #[test]
        fn text_without_ten_digits_is_never_flagged(s in "[a-zåäö ,.:-]{0,40}[0-9]{0,9}[a-zåäö ,.:-]{0,40}") {
            prop_assert_eq!(hitta(&s), None);
        }

        #[test]
        fn a_valid_number_is_found_wherever_it_stands(prefix in "[a-zåäö ]{0,20}", suffix in "[ a-zåäö.]{0,20}", i in 0usize..6) {
            let text = format!("{prefix} {} {suffix}", PNR[i]);
            prop_assert!(hitta(&text).is_some());
        }
    }
}
