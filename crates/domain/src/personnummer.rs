//! Detecting personnummer and samordningsnummer in free text (SPEC § 3.2; GDPR Art. 9), and the
//! characters free text may hold.
//!
//! Free text in boj must never hold an identity number. The text is first **normalised** the way a
//! reader sees it: Unicode compatibility forms folded (NFKC: fullwidth and other styled digits become
//! `0`–`9`), every dash and minus sign read as `-`, every space (no-break, thin, …) as a space, and
//! invisible characters (zero-width space and joiners, soft hyphen, word joiner, BOM) dropped. In
//! that text a number counts as one when it is written the way those numbers are written, in groups:
//!
//! - the date as `YYMMDD` or `YYYYMMDD`, then the last four `NNNN`, apart by a dash, a `+` (people
//!   over 100), spaces, or nothing (`811218-9876`, `811218 9876`, `198112189876`);
//! - or the date in groups of two (`81 12 18`, `1981 12 18`) and/or the last four as `98 76`, with
//!   spaces inside the groups and a dash or `+` between date and last four (`81 12 18-98 76`);
//!
//! **and** it has a valid date (the day plus 60 for a samordningsnummer, folkbokföringslagen 18 a §)
//! and a valid Luhn check digit. A number glued by a dash to more digits on either side
//! (`1-811218-98761`) is part of something longer and is not one.
//!
//! Phone numbers as people write them (`070-123 45 67`, `+46 70 123 45 67`, `08-123 456 78`) are not
//! in those shapes and are never flagged: their groups are of other lengths, or the dash sits inside
//! what would be the date. Ten digits in a row are ambiguous (`0701234567` may be either) and are
//! flagged when date and check digit hold, as before.
//!
//! Free text also holds no control characters: none in a line (`Fritext::rad`), and only line
//! breaks and tabs in a longer text (`Fritext::parse`); `\r\n` from a browser's text area is read
//! as `\n`.

use crate::error::{Code, DomainError};
use crate::orgnr::luhn_ok;
use unicode_normalization::UnicodeNormalization;

/// Free text that holds no personnummer or samordningsnummer, no control characters, and is at most
/// `max` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fritext(String);

impl Fritext {
    /// A text of several lines (a note): line breaks and tabs are allowed.
    pub fn parse(s: &str, max: usize) -> Result<Self, DomainError> {
        Self::las(&s.replace("\r\n", "\n"), max, true)
    }

    /// A text of one line (a name, a court, a title): no control character at all.
    pub fn rad(s: &str, max: usize) -> Result<Self, DomainError> {
        Self::las(s, max, false)
    }

    fn las(s: &str, max: usize, rader: bool) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.chars().count() > max {
            return Err(DomainError::new(
                Code::OgiltigForfragan,
                format!("Texten får vara högst {max} tecken."),
            ));
        }
        if let Some(c) = t
            .chars()
            .find(|&c| otillatet(c) && !(rader && matches!(c, '\n' | '\t')))
        {
            return Err(otillatet_fel(c, rader));
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

/// A character no text in boj holds: the C0 and C1 control characters and DEL (line break and tab
/// are let through where a text has lines, by the caller), and the bidirectional overrides and
/// isolates.
pub fn otillatet(c: char) -> bool {
    c.is_control() || riktningsstyrning(c)
}

/// The message for control character `c` in a text.
pub fn otillatet_fel(c: char, rader: bool) -> DomainError {
    DomainError::new(
        Code::OtillatetTecken,
        format!(
            "Texten innehåller ett otillåtet osynligt tecken (U+{:04X}, ett styrtecken). {}",
            u32::from(c),
            if rader {
                "Radbrytningar och tabbar går bra, men inga andra styrtecken."
            } else {
                "Skriv texten på en rad, utan styrtecken."
            }
        ),
    )
}

/// Where an identity number was found (byte range in the text as given), for a precise message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fynd {
    pub start: usize,
    pub end: usize,
}

/// A character of the normalised text, with the byte range it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tecken {
    Siffra(u8),
    Streck,
    Plus,
    Mellanrum,
    Annat,
}

/// Characters a reader does not see (Unicode's default-ignorable code points: zero-width spaces and
/// joiners, soft hyphen, word joiner, BOM, bidi marks, variation selectors, tags, Hangul fillers),
/// dropped before looking.
fn osynlig(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The bidirectional overrides and isolates, which make text display in another order than it is
/// stored (a file name `gnp.exe` shown as `exe.png`): no text in boj holds them.
fn riktningsstyrning(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn tecken(c: char) -> Tecken {
    match c {
        '0'..='9' => Tecken::Siffra(c as u8 - b'0'),
        // Hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign, small
        // and fullwidth hyphen-minus, Armenian hyphen, hyphen bullet.
        '-'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}'
        | '\u{058A}'
        | '\u{2043}' => Tecken::Streck,
        '+' | '\u{FE62}' | '\u{FF0B}' => Tecken::Plus,
        c if c.is_whitespace() && !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') => {
            Tecken::Mellanrum
        }
        _ => Tecken::Annat,
    }
}

/// A run of digits in the normalised text, and what joins it to the run before.
#[derive(Debug, Clone)]
struct Grupp {
    /// ASCII digits.
    siffror: Vec<u8>,
    start: usize,
    end: usize,
    /// How this group is joined to the one before: `None` when something else stands between (a
    /// letter, a line break, a long gap), else whether the joint holds a dash or plus.
    fog: Option<Fog>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fog {
    /// Spaces only.
    Mellanrum,
    /// A dash or `+`, with at most two spaces on each side; `tatt` when there are none (`1-811218`),
    /// which glues the digits into one longer number (a spaced dash, as a word processor writes
    /// ` – `, only separates).
    Streck { tatt: bool },
}

impl Fog {
    fn streck(f: Option<Fog>) -> bool {
        matches!(f, Some(Fog::Streck { .. }))
    }

    fn limmar(f: Option<Fog>) -> bool {
        matches!(f, Some(Fog::Streck { tatt: true }))
    }
}

/// The digit groups of `text`, normalised (module docs).
fn grupper(text: &str) -> Vec<Grupp> {
    let mut ut: Vec<Grupp> = Vec::new();
    // The joint since the last group: (spaces before a dash, dashes, spaces after), or broken.
    let mut fog: Option<(usize, usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        for n in std::iter::once(c).nfkc() {
            if osynlig(n) {
                continue;
            }
            match tecken(n) {
                Tecken::Siffra(d) => {
                    match (ut.last_mut(), fog) {
                        // Straight on from the last digit (or through invisible characters only).
                        (Some(g), Some((0, 0, 0))) => {
                            g.siffror.push(b'0' + d);
                            g.end = end;
                        }
                        (_, f) => ut.push(Grupp {
                            siffror: vec![b'0' + d],
                            start: i,
                            end,
                            fog: match f {
                                Some((a, 0, _)) if a <= 2 => Some(Fog::Mellanrum),
                                Some((a, 1, b)) if a <= 2 && b <= 2 => Some(Fog::Streck {
                                    tatt: a == 0 && b == 0,
                                }),
                                _ => None,
                            },
                        }),
                    }
                    fog = Some((0, 0, 0));
                }
                Tecken::Mellanrum => {
                    fog = fog.map(|(a, s, b)| if s == 0 { (a + 1, s, b) } else { (a, s, b + 1) });
                }
                Tecken::Streck | Tecken::Plus => fog = fog.map(|(a, s, b)| (a, s + 1, b)),
                Tecken::Annat => fog = None,
            }
        }
    }
    ut
}

/// Returns the first personnummer or samordningsnummer in `text`, if any (module docs).
pub fn hitta(text: &str) -> Option<Fynd> {
    let g = grupper(text);
    for a in 0..g.len() {
        // Glued by a dash to digits before: the tail of something longer.
        if Fog::limmar(g[a].fog) {
            continue;
        }
        for b in a + 1..=g.len().min(a + 5) {
            let siffror: Vec<u8> = g[a..b]
                .iter()
                .flat_map(|x| x.siffror.iter().copied())
                .collect();
            if siffror.len() > 12 {
                break;
            }
            // Glued by a dash to digits after: part of something longer.
            if g.get(b).is_some_and(|x| Fog::limmar(x.fog)) {
                continue;
            }
            let langder: Vec<usize> = g[a..b].iter().map(|x| x.siffror.len()).collect();
            let fogar: Vec<Option<Fog>> = g[a..b].iter().map(|x| x.fog).collect();
            if form(&langder, &fogar) && is_identity_number(&siffror) {
                return Some(Fynd {
                    start: g[a].start,
                    end: g[b - 1].end,
                });
            }
        }
    }
    None
}

/// Whether digit groups of lengths `l`, joined as `fog` (`fog[i]`: the joint before group `i`),
/// are written the way identity numbers are (module docs).
fn form(l: &[usize], fog: &[Option<Fog>]) -> bool {
    const DATUM: [&[usize]; 4] = [&[6], &[8], &[2, 2, 2], &[4, 2, 2]];
    const SISTA: [&[usize]; 2] = [&[4], &[2, 2]];
    if l.len() == 1 {
        return l[0] == 10 || l[0] == 12;
    }
    DATUM.iter().any(|d| {
        SISTA.iter().any(|c| {
            let n = d.len();
            l.len() == n + c.len()
                && l[..n] == **d
                && l[n..] == **c
                && (1..l.len()).all(|i| match i == n {
                    // Between date and last four: a dash or `+`; spaces do when both are whole.
                    true if n == 1 && c.len() == 1 => fog[i].is_some(),
                    true => Fog::streck(fog[i]),
                    // Inside the date or the last four: spaces only.
                    false => fog[i] == Some(Fog::Mellanrum),
                })
        })
    })
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

    #[test]
    fn numbers_in_disguise_are_found() {
        for t in [
            "811218 9876",
            "811218\u{2013}9876", // the en dash a word processor puts in
            "811218\u{2212}9876", // minus sign
            "811218\u{2011}9876", // non-breaking hyphen
            "81 12 18-98 76",
            "81 12 18 - 9876",
            "811218-98 76",
            "1981 12 18-9876",
            "19811218 9876",
            "811218 - 9876",
            "811218\u{00A0}9876",
            "81\u{202F}12\u{202F}18\u{2013}98\u{202F}76",
            "\u{FF18}\u{FF11}\u{FF11}\u{FF12}\u{FF11}\u{FF18}\u{FF0D}\u{FF19}\u{FF18}\u{FF17}\u{FF16}", // fullwidth
            "\u{FF18}\u{FF11}\u{FF11}\u{FF12}\u{FF11}\u{FF18}\u{FF19}\u{FF18}\u{FF17}\u{FF16}",
            "811218\u{200B}-9876", // a zero-width space before the dash
            "8112\u{200B}18\u{00AD}9876",
            "8\u{2060}1\u{200D}1218-9876",
            "121212+1212",
            "701063 2391",
            "811218\u{202E}-9876",
            "8112\u{FE0F}18-9876",
        ] {
            let text = format!("Ringde om {t} igår.");
            let f = hitta(&text).unwrap_or_else(|| panic!("missed {t:?}"));
            assert_eq!(&text[f.start..f.end], t, "the whole number is found");
            // Refused either way (a bidi override is refused as a character of its own).
            assert!(matches!(
                Fritext::parse(&text, 500).unwrap_err().code,
                Code::Personnummer | Code::OtillatetTecken
            ));
        }
    }

    /// A spaced dash only separates (as a word processor writes ` – `): the number beside it is
    /// still found. A tight dash glues digits into a longer number.
    #[test]
    fn a_spaced_dash_beside_a_number_does_not_hide_it() {
        for t in [
            "Anna 811218-9876 \u{2013} 070-123 45 67",
            "kl 14 \u{2013} 811218-9876",
            "1 - 811218-9876",
            "811218-9876 - 121212-1212",
        ] {
            assert!(hitta(t).is_some(), "missed in {t:?}");
        }
        assert_eq!(hitta("1-811218-9876"), None);
        assert_eq!(hitta("811218-9876-12"), None);
    }

    #[test]
    fn control_characters_are_refused_in_free_text() {
        for t in [
            "a\u{0}b",
            "a\u{7}b",
            "a\u{1b}[31mb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\rb",
        ] {
            let e = Fritext::parse(t, 100).unwrap_err();
            assert_eq!(e.code, Code::OtillatetTecken, "{t:?}");
            assert!(e.message.contains("U+"), "{}", e.message);
            assert_eq!(
                Fritext::rad(t, 100).unwrap_err().code,
                Code::OtillatetTecken
            );
        }
        // A note keeps its lines and tabs (a browser's \r\n read as \n); a line holds neither.
        assert_eq!(
            Fritext::parse("rad ett\r\nrad\ttvå", 100).unwrap().as_str(),
            "rad ett\nrad\ttvå"
        );
        assert_eq!(
            Fritext::rad("rad ett\nrad två", 100).unwrap_err().code,
            Code::OtillatetTecken
        );
        assert_eq!(
            Fritext::rad("Östersunds tingsrätt", 100).unwrap().as_str(),
            "Östersunds tingsrätt"
        );
    }

    /// A valid identity number: (the ten digits, the century) for a date, a birth number, and
    /// whether it is a samordningsnummer.
    fn identitet(ar: i16, man: i8, dag: i8, nr: u16, samordning: bool) -> (String, i16) {
        let dag = if samordning { dag + 60 } else { dag };
        let nio = format!("{:02}{man:02}{dag:02}{nr:03}", ar % 100);
        let d: Vec<u32> = nio.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let p = if i % 2 == 0 { x * 2 } else { x };
                p / 10 + p % 10
            })
            .sum();
        (format!("{nio}{}", (10 - sum % 10) % 10), ar / 100)
    }

    const STRECK: [&str; 7] = [
        "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}",
    ];
    const MELLANRUM: [&str; 4] = [" ", "\u{00A0}", "\u{202F}", "\u{2009}"];
    const OSYNLIGT: [&str; 5] = ["", "\u{200B}", "\u{200C}", "\u{2060}", "\u{FEFF}"];

    fn bred(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap(),
                '-' => '\u{FF0D}',
                c => c,
            })
            .collect()
    }

    /// A phone number as people write it: (the form, its digits drawn at random).
    fn telefon(form: usize, d: &[u8], streck: &str, rum: &str) -> String {
        let s = |a: usize, b: usize| {
            d[a..b]
                .iter()
                .map(|x| char::from(b'0' + x))
                .collect::<String>()
        };
        match form {
            0 => format!(
                "07{}{streck}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 4),
                s(4, 6),
                s(6, 8)
            ),
            1 => format!(
                "07{}{rum}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 4),
                s(4, 6),
                s(6, 8)
            ),
            2 => format!("07{}{streck}{}", s(0, 1), s(1, 8)),
            3 => format!(
                "+46{rum}7{}{rum}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 4),
                s(4, 6),
                s(6, 8)
            ),
            4 => format!(
                "+46 (0)7{}{streck}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 4),
                s(4, 6),
                s(6, 8)
            ),
            5 => format!(
                "0046{rum}7{}{rum}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 4),
                s(4, 6),
                s(6, 8)
            ),
            6 => format!("08{streck}{}{rum}{}{rum}{}", s(0, 3), s(3, 6), s(6, 8)),
            7 => format!("08{streck}{}{rum}{}{rum}{}", s(0, 2), s(2, 4), s(4, 6)),
            8 => format!(
                "08{rum}{}{rum}{}{rum}{}{rum}{}",
                s(0, 2),
                s(2, 4),
                s(4, 6),
                s(6, 8)
            ),
            9 => format!(
                "06{}{streck}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 3),
                s(3, 5),
                s(5, 7)
            ),
            10 => format!(
                "06{}{}{streck}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 2),
                s(2, 4),
                s(4, 6),
                s(6, 8)
            ),
            11 => format!(
                "+46{rum}8{streck}{}{rum}{}{rum}{}",
                s(0, 3),
                s(3, 5),
                s(5, 7)
            ),
            _ => format!(
                "07{}{streck}{}{rum}{}{rum}{}",
                s(0, 1),
                s(1, 3),
                s(3, 5),
                s(5, 8)
            ),
        }
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

        /// Every valid personnummer and samordningsnummer in every disguise: the date whole or in
        /// groups of two, with or without the century, any dash or space between, the last four
        /// whole or in two, invisible characters anywhere between the groups, fullwidth digits.
        #[test]
        fn a_number_in_any_disguise_is_found(
            ar in 1901i16..2026, man in 1i8..=12, dag in 1i8..=28, nr in 0u16..1000, samordning: bool,
            sekel: bool, datum_i_par: bool, sista_i_par: bool, vilket in 0usize..3,
            streck in 0usize..7, rum in 0usize..4, osynligt in 0usize..5, breda: bool,
            prefix in "[a-zåäö ]{0,12}", suffix in "[ a-zåäö.]{0,12}",
        ) {
            let (tio, sekel_nr) = identitet(ar, man, dag, nr, samordning);
            let (yy, mm, dd, sista) = (&tio[0..2], &tio[2..4], &tio[4..6], &tio[6..10]);
            let r = MELLANRUM[rum];
            let o = OSYNLIGT[osynligt];
            let yyyy = if sekel { format!("{sekel_nr}{yy}") } else { yy.to_string() };
            let datum = if datum_i_par { format!("{yyyy}{r}{mm}{r}{dd}") } else { format!("{yyyy}{o}{mm}{dd}") };
            let sista = if sista_i_par { format!("{}{r}{}", &sista[..2], &sista[2..]) } else { sista.to_string() };
            // Between date and last four: a dash of any kind (always possible), or when both are
            // whole also spaces or nothing.
            let mellan = match vilket {
                _ if datum_i_par || sista_i_par => format!("{o}{}", STRECK[streck]),
                0 => format!("{o}{}", STRECK[streck]),
                1 => r.to_string(),
                _ => o.to_string(),
            };
            let nummer = format!("{datum}{mellan}{sista}");
            let nummer = if breda { bred(&nummer) } else { nummer };
            let text = format!("{prefix} {nummer} {suffix}");
            prop_assert!(hitta(&text).is_some(), "missed {:?}", nummer);
            // Beside other numbers with a spaced dash between, as a list or a phone number is.
            let bredvid = format!("{} \u{2013} {nummer} - 070-123 45 67", nr % 97);
            prop_assert!(hitta(&bredvid).is_some(), "missed {:?}", bredvid);
            prop_assert_eq!(Fritext::parse(&text, 500).unwrap_err().code, Code::Personnummer);
        }

        /// Phone numbers in every common Swedish form, with any dash and space, in text: never
        /// flagged, whatever their digits.
        #[test]
        fn phone_numbers_are_never_flagged(
            form in 0usize..13, d in proptest::collection::vec(0u8..10, 8),
            streck in 0usize..7, rum in 0usize..4, breda: bool,
            prefix in "[a-zåäö: ]{0,12}", suffix in "[ a-zåäö.]{0,12}",
        ) {
            let t = telefon(form, &d, STRECK[streck], MELLANRUM[rum]);
            let t = if breda { bred(&t) } else { t };
            let text = format!("{prefix} {t} {suffix}");
            prop_assert_eq!(hitta(&text), None, "{:?}", t);
        }

        /// Dates, amounts and case numbers as boj and people write them: never flagged.
        #[test]
        fn dates_amounts_and_case_numbers_are_never_flagged(
            y in 1900u16..2100, m in 1u8..=12, dd in 1u8..=31, n in 0u32..10_000,
            kr in 0u64..100_000_000, form in 0usize..5,
        ) {
            let kronor = crate::svensk::heltal(i64::try_from(kr).unwrap());
            let t = match form {
                0 => format!("{y}-{m:02}-{dd:02}"),
                1 => format!("ärende {y}-{n:04} från {y}-{m:02}-{dd:02}"),
                2 => format!("{kronor} kr"),
                3 => format!("{y}-{m:02}-{dd:02} {kronor} kr"),
                _ => format!("{dd}/{m} {y}, ärende {y}-{n:04}"),
            };
            prop_assert_eq!(hitta(&t), None, "{:?}", t);
        }
    }
}
