//! Numbers as a Swedish reader writes them (Språkrådet; the style of Swedish public authorities):
//! thousands grouped by a space that does not break ("5 146"), a decimal comma ("92,4 %"), and
//! time as hours and minutes ("3 h 40 min"). Every page, PDF and spreadsheet label uses these;
//! the JSON and CSV keep plain numbers for machines.

/// The space between groups of thousands: it never breaks a number over two lines.
pub const TUSENTAL: char = '\u{a0}';

/// An integer with its thousands grouped: `5 146`, `-12 000`.
pub fn heltal(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(TUSENTAL);
        }
        out.push(c);
    }
    out
}

/// A decimal number with `decimaler` decimals, grouped and with a comma: `1 234,50`.
pub fn decimal(x: f64, decimaler: usize) -> String {
    let s = format!("{:.*}", decimaler, x.abs());
    let (hel, del) = s.split_once('.').unwrap_or((&s, ""));
    let hel = heltal(hel.parse().unwrap_or(0));
    let tecken = if x < 0.0 && s.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        "-"
    } else {
        ""
    };
    if del.is_empty() {
        format!("{tecken}{hel}")
    } else {
        format!("{tecken}{hel},{del}")
    }
}

/// A share in per cent with `decimaler` decimals: `92,4 %`.
pub fn procent(x: f64, decimaler: usize) -> String {
    format!("{}{TUSENTAL}%", decimal(x, decimaler))
}

/// Minutes as a person reads a length of time: `40 min`, `2 h`, `3 h 40 min`.
pub fn tid(minuter: u32) -> String {
    let (h, m) = (minuter / 60, minuter % 60);
    match (h, m) {
        (0, m) => format!("{m}{TUSENTAL}min"),
        (h, 0) => format!("{}{TUSENTAL}h", heltal(i64::from(h))),
        (h, m) => format!("{}{TUSENTAL}h {m}{TUSENTAL}min", heltal(i64::from(h))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain(s: &str) -> String {
        s.replace(TUSENTAL, " ")
    }

    #[test]
    fn as_a_swedish_reader_writes_them() {
        assert_eq!(plain(&heltal(5146)), "5 146");
        assert_eq!(plain(&heltal(731_101)), "731 101");
        assert_eq!(plain(&heltal(999)), "999");
        assert_eq!(plain(&heltal(-12_000)), "-12 000");
        assert_eq!(plain(&heltal(0)), "0");
        assert_eq!(plain(&procent(92.4, 1)), "92,4 %");
        assert_eq!(plain(&decimal(1234.5, 2)), "1 234,50");
        assert_eq!(plain(&decimal(-0.001, 2)), "0,00");
        assert_eq!(plain(&tid(220)), "3 h 40 min");
        assert_eq!(plain(&tid(40)), "40 min");
        assert_eq!(plain(&tid(120)), "2 h");
        assert_eq!(plain(&tid(0)), "0 min");
    }

    proptest! {
        /// Taking the grouping out gives the number back; groups are three digits but the first.
        #[test]
        fn grouping_loses_nothing(n in any::<i64>()) {
            let s = heltal(n);
            prop_assert_eq!(s.replace(TUSENTAL, "").parse::<i64>().unwrap(), n);
            let groups: Vec<&str> = s.trim_start_matches('-').split(TUSENTAL).collect();
            prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }

        /// Hours and minutes add back up to the minutes.
        #[test]
        fn time_adds_up(m in 0u32..100_000) {
            let s = tid(m).replace(TUSENTAL, "");
            let mut total = 0;
            for part in s.split(' ') {
                if let Some(h) = part.strip_suffix('h') { total += h.parse::<u32>().unwrap() * 60; }
                if let Some(x) = part.strip_suffix("min") { total += x.parse::<u32>().unwrap(); }
            }
            prop_assert_eq!(total, m);
        }
    }
}
