//! Fixed-point numbers with two decimals: volunteer hours (SPEC § 3.2, in hundredths of an hour)
//! and shares in per cent (SPEC § 3.4, in basis points). One parser for both, so an hour and a
//! per cent are read alike everywhere.

/// `text` — a decimal number with at most two decimals, `.` or `,` between whole and fraction —
/// in hundredths, if it is at most `hogst` hundredths. `None` for a negative number, more than
/// two decimals, an exponent, anything else, or more than `hogst`.
pub fn hundradelar(text: &str, hogst: u32) -> Option<u32> {
    let t = text.trim().replace(',', ".");
    let (hel, del) = t.split_once('.').unwrap_or((&t, ""));
    let siffror = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if hel.is_empty() || !siffror(hel) || !siffror(del) || del.len() > 2 {
        return None;
    }
    let hel: u32 = hel.parse().ok()?;
    let del: u32 = if del.is_empty() {
        0
    } else {
        format!("{del:0<2}").parse().ok()?
    };
    hel.checked_mul(100)?
        .checked_add(del)
        .filter(|x| *x <= hogst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every value up to the limit, written with none, one or two decimals and either
        /// separator, reads back exactly; above the limit it is refused.
        #[test]
        fn hundradelar_lases_exakt(v in 0u32..200_000, komma: bool, hogst in 0u32..200_000) {
            let sep = if komma { "," } else { "." };
            let texter = [
                format!("{}{sep}{:02}", v / 100, v % 100),
                if v % 10 == 0 { format!("{}{sep}{}", v / 100, (v % 100) / 10) } else { format!("{}{sep}{:02}", v / 100, v % 100) },
                if v % 100 == 0 { format!("{}", v / 100) } else { format!("{}{sep}{:02}", v / 100, v % 100) },
            ];
            for t in texter {
                prop_assert_eq!(hundradelar(&t, hogst), (v <= hogst).then_some(v), "{}", t);
            }
        }
    }

    #[test]
    fn annat_an_tal_med_hogst_tva_decimaler_vagras() {
        for t in [
            "-1",
            "1.234",
            "1e2",
            "",
            ".5",
            "1.",
            "1..2",
            "abc",
            "1 000",
            "+1",
            "4294967296",
        ] {
            assert_eq!(
                hundradelar(t, u32::MAX),
                if t == "1." { Some(100) } else { None },
                "{t}"
            );
        }
    }
}
