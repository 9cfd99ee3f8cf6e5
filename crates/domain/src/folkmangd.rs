//! Reading SCB's population files (SPEC § 7).
//!
//! One parser for the layouts SCB and spreadsheets produce: ISO-8859-1 or UTF-8 (with or without a
//! byte-order mark), comma or semicolon, with or without a title line, quoted or not, labels like
//! `"0180 Stockholm"`, and county rows (`"01 Stockholms län"`) that are not municipalities and are
//! skipped. The reference year comes from the header (`"2024"` or `"Folkmängd 2024"`).
//!
//! A file is taken whole or not at all: every error is reported with its line number and nothing is
//! returned unless every row is good.

use crate::error::{Code, DomainError};
use crate::kommun::Kommunkod;

/// A parsed population file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folkmangd {
    /// The year in the header, if any.
    pub ar: Option<i16>,
    /// Population per municipality, in file order.
    pub rader: Vec<(Kommunkod, u64)>,
}

/// Decodes bytes as UTF-8 if they are valid UTF-8, otherwise as ISO-8859-1 (every byte is a code point).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses a population file; on failure, every problem with its line number.
pub fn las(bytes: &[u8]) -> Result<Folkmangd, Vec<String>> {
    let text = decode(bytes);
    let lines: Vec<&str> = text.lines().collect();
    // The header's first field is `region` (a title line may mention the word too, but not first).
    let Some(header_at) = lines.iter().position(|l| {
        l.trim_start()
            .trim_start_matches('"')
            .to_lowercase()
            .starts_with("region")
    }) else {
        return Err(vec![
            "Filen saknar rubrikraden (”region” och år). Är det en folkmängdsfil från SCB?".into(),
        ]);
    };
    let header = lines[header_at];
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let ar = header
        .split([';', ',', ' ', '"'])
        .filter_map(|w| (w.len() == 4).then(|| w.parse::<i16>().ok()).flatten())
        .find(|y| (1900..=2200).contains(y));
    let mut errors = Vec::new();
    let mut rader: Vec<(Kommunkod, u64)> = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(header_at + 1) {
        let nr = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(line.as_bytes());
        let Some(Ok(rec)) = reader.records().next() else {
            errors.push(format!("Rad {nr}: kunde inte läsas."));
            continue;
        };
        let label = rec.get(0).unwrap_or("").trim();
        let value = rec.get(1).unwrap_or("").trim();
        let code: String = label.chars().take_while(|c| c.is_ascii_digit()).collect();
        match code.len() {
            2 if label.to_lowercase().contains("län") || label.len() > 2 => continue, // a county row
            4 => {}
            _ => {
                // Footnotes and source lines that SCB appends after the table.
                if value.is_empty() {
                    continue;
                }
                errors.push(format!("Rad {nr}: ”{label}” börjar inte med en kommunkod."));
                continue;
            }
        }
        let kod = match Kommunkod::parse(&code) {
            Ok(k) => k,
            Err(_) => {
                errors.push(format!("Rad {nr}: {code} är ingen kommunkod."));
                continue;
            }
        };
        let digits: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let n = if digits.starts_with('-') {
            errors.push(format!(
                "Rad {nr}: folkmängden för {} får inte vara negativ.",
                kod.namn()
            ));
            continue;
        } else {
            match digits.parse::<u64>() {
                Ok(n) if n <= 100_000_000 => n,
                _ => {
                    errors.push(format!(
                        "Rad {nr}: ”{value}” är ingen folkmängd (ett heltal) för {}.",
                        kod.namn()
                    ));
                    continue;
                }
            }
        };
        if rader.iter().any(|(k, _)| *k == kod) {
            errors.push(format!(
                "Rad {nr}: {} ({kod}) finns redan tidigare i filen.",
                kod.namn()
            ));
            continue;
        }
        rader.push((kod, n));
    }
    if rader.is_empty() && errors.is_empty() {
        errors.push("Filen innehåller inga kommuner.".into());
    }
    if errors.is_empty() {
        Ok(Folkmangd { ar, rader })
    } else {
        Err(errors)
    }
}

/// The errors of [`las`] as one domain error.
pub fn fel(errors: &[String]) -> DomainError {
    DomainError::new(
        Code::OgiltigFil,
        format!("Filen importerades inte. {}", errors.join(" ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1(s: &str) -> Vec<u8> {
        s.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect()
    }

    const PXWEB: &str = "\"Folkmängd efter region och år\"\r\n\r\n\"region\",\"2024\"\r\n\"2303 Ragunda\",5146\r\n\"2305 Bräcke\",6035\r\n\"2309 Krokom\",15680\r\n\"2313 Strömsund\",11023\r\n\"2321 Åre\",12693\r\n\"2326 Berg\",7108\r\n\"2361 Härjedalen\",10175\r\n\"2380 Östersund\",64979\r\n";

    #[test]
    fn reads_the_shipped_pxweb_file_in_iso_8859_1() {
        let f = las(&latin1(PXWEB)).unwrap();
        assert_eq!(f.ar, Some(2024));
        assert_eq!(f.rader.len(), 8);
        assert_eq!(f.rader.iter().map(|(_, n)| n).sum::<u64>(), 132_839);
        assert_eq!(f.rader[7].0.namn(), "Östersund");
    }

    #[test]
    fn reads_the_other_layouts() {
        let semicolon = "\"Folkmängd per region\"\n\"region\";\"Folkmängd 2024\"\n\"23 Jämtlands län\";132839\n\"2303 Ragunda\";5146\n\"2380 Östersund\";64979\n";
        let f = las(&latin1(semicolon)).unwrap();
        assert_eq!((f.ar, f.rader.len()), (Some(2024), 2));
        let api = "\"region\",\"Folkmängd 2024\"\n\"2303 Ragunda\",5146\n";
        assert_eq!(las(api.as_bytes()).unwrap().rader.len(), 1);
        let spreadsheet = "\u{feff}region;2024\n2303 Ragunda;5 146\n2380 Östersund;64 979\n";
        let f = las(spreadsheet.as_bytes()).unwrap();
        assert_eq!(f.rader[1], (Kommunkod::parse("2380").unwrap(), 64_979));
    }

    #[test]
    fn refuses_bad_rows_with_line_numbers_and_returns_nothing() {
        let bad = "\"region\",\"2024\"\n\"2303 Ragunda\",5146\n\"2399 Påhittad\",10\n\"2380 Östersund\",-5\n\"2303 Ragunda\",5146\n";
        let errors = las(bad.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("Rad 3:") && errors[0].contains("2399"));
        assert!(errors[1].starts_with("Rad 4:") && errors[1].contains("negativ"));
        assert!(errors[2].starts_with("Rad 5:") && errors[2].contains("finns redan"));
        assert!(las(b"inget alls").is_err());
    }
}
