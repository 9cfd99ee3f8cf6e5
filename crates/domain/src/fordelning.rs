//! Splitting a grant among the parties (SPEC § 1 grant row, § 3.4).
//!
//! The protocol does not say how the municipalities share the 731 101 kr; the key is a setting of the
//! grant. Whatever the key, the split is exact to the krona: the parts always sum to the decided amount,
//! and each party's instalments sum to its part. Both use the **largest-remainder method** (Hamilton):
//! every part gets the whole kronor of its exact quota, and the kronor left over go one each to the
//! parts with the largest fractional remainders; **ties go to the lower municipality code** (for
//! instalments, to the earlier instalment). All arithmetic is in integers, so nothing is lost to
//! floating point.

use crate::belopp::Kronor;
use crate::error::{Code, DomainError};
use crate::kommun::Kommunkod;

/// How the grant is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nyckel {
    /// In proportion to population at a reference date (the default).
    Befolkning,
    /// Equal shares.
    Lika,
    /// A fixed base per party, the rest in proportion to population.
    GrundPlusBefolkning { grund: Kronor },
    /// Fixed shares in hundredths of a per cent (basis points; 10 000 = 100 %), one per party.
    FastaAndelar(Vec<(Kommunkod, u32)>),
}

impl Nyckel {
    pub const fn code(&self) -> &'static str {
        match self {
            Nyckel::Befolkning => "befolkning",
            Nyckel::Lika => "lika",
            Nyckel::GrundPlusBefolkning { .. } => "grund_plus_befolkning",
            Nyckel::FastaAndelar(_) => "fasta_andelar",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Nyckel::Befolkning => "Efter folkmängd".into(),
            Nyckel::Lika => "Lika delar".into(),
            Nyckel::GrundPlusBefolkning { grund } => {
                format!("Grundbelopp {grund} per kommun, resten efter folkmängd")
            }
            Nyckel::FastaAndelar(_) => "Fasta andelar i procent".into(),
        }
    }

    /// Whether the key needs population figures.
    pub const fn needs_population(&self) -> bool {
        matches!(
            self,
            Nyckel::Befolkning | Nyckel::GrundPlusBefolkning { .. }
        )
    }
}

/// Payment schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Arsvis,
    Kvartalsvis,
}

impl Schema {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "arsvis" => Ok(Schema::Arsvis),
            "kvartalsvis" => Ok(Schema::Kvartalsvis),
            _ => Err(DomainError::new(
                Code::OgiltigKod,
                "Okänd betalningsplan. Giltiga: arsvis, kvartalsvis.",
            )),
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Schema::Arsvis => "arsvis",
            Schema::Kvartalsvis => "kvartalsvis",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Schema::Arsvis => "En gång per år",
            Schema::Kvartalsvis => "Kvartalsvis",
        }
    }

    pub const fn antal(self) -> usize {
        match self {
            Schema::Arsvis => 1,
            Schema::Kvartalsvis => 4,
        }
    }
}

/// When each instalment falls due: the year's first day, or the first day of each quarter.
pub fn forfallodagar(ar: i16, schema: Schema) -> Vec<String> {
    match schema {
        Schema::Arsvis => vec![format!("{ar}-01-01")],
        Schema::Kvartalsvis => ["01", "04", "07", "10"]
            .iter()
            .map(|m| format!("{ar}-{m}-01"))
            .collect(),
    }
}

/// Whether a party shares the grant: every party except one that rejected the agreement. A pending
/// party is expected to join (SocSam recommended all of them, § 22 item 1) and is invoiced like the others.
pub fn betalar(status: crate::avtal::Partstatus) -> bool {
    status != crate::avtal::Partstatus::Avslagen
}

/// Splits `total` in proportion to `weights` (largest remainder; ties to the earlier position, so
/// callers order by municipality code). The parts sum to `total` exactly. All weights zero: equal split.
pub fn storsta_rest(total: u64, weights: &[u128]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().sum();
    let weights: Vec<u128> = if sum == 0 {
        vec![1; weights.len()]
    } else {
        weights.to_vec()
    };
    let sum: u128 = weights.iter().sum();
    let t = u128::from(total);
    let mut parts: Vec<u64> = weights
        .iter()
        .map(|w| u64::try_from(t * w / sum).unwrap_or(u64::MAX))
        .collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; a stable sort keeps earlier positions first among equals.
    order.sort_by(|&a, &b| ((t * weights[b]) % sum).cmp(&((t * weights[a]) % sum)));
    for &i in order
        .iter()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        parts[i] += 1;
    }
    parts
}

/// One party in a split: its population (when the key uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub kommun: Kommunkod,
    pub folkmangd: Option<u64>,
}

/// One party's share of the grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Andel {
    pub kommun: Kommunkod,
    pub folkmangd: Option<u64>,
    pub belopp: u64,
    pub delbetalningar: Vec<u64>,
}

/// Splits `belopp` among `parter` by `nyckel`, with instalments by `schema`. The result is ordered by
/// municipality code, whatever order the parties come in.
pub fn fordela(
    belopp: Kronor,
    parter: &[Part],
    nyckel: &Nyckel,
    schema: Schema,
) -> Result<Vec<Andel>, DomainError> {
    let mut parter = parter.to_vec();
    parter.sort_by_key(|p| p.kommun);
    parter.dedup_by_key(|p| p.kommun);
    if parter.is_empty() {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            "Det finns inga parter att fördela bidraget på.",
        ));
    }
    let total = belopp.whole();
    let population = |p: &Part| {
        p.folkmangd.ok_or_else(|| {
            DomainError::new(
                Code::OgiltigForfragan,
                format!("Folkmängd saknas för {} ({}). Importera befolkningsuppgifter för referensdatumet.", p.kommun.namn(), p.kommun),
            )
        })
    };
    let belopp: Vec<u64> = match nyckel {
        Nyckel::Lika => storsta_rest(total, &vec![1; parter.len()]),
        Nyckel::Befolkning => {
            let w = parter
                .iter()
                .map(|p| population(p).map(u128::from))
                .collect::<Result<Vec<_>, _>>()?;
            storsta_rest(total, &w)
        }
        Nyckel::GrundPlusBefolkning { grund } => {
            let bas = grund
                .whole()
                .checked_mul(parter.len() as u64)
                .filter(|b| *b <= total)
                .ok_or_else(|| {
                    DomainError::new(
                        Code::OgiltigtBelopp,
                        "Grundbeloppen tillsammans är större än bidraget.",
                    )
                })?;
            let w = parter
                .iter()
                .map(|p| population(p).map(u128::from))
                .collect::<Result<Vec<_>, _>>()?;
            storsta_rest(total - bas, &w)
                .into_iter()
                .map(|x| x + grund.whole())
                .collect()
        }
        Nyckel::FastaAndelar(andelar) => {
            let sum: u64 = andelar.iter().map(|(_, a)| u64::from(*a)).sum();
            if sum != 10_000 {
                return Err(DomainError::new(
                    Code::OgiltigForfragan,
                    format!(
                        "De fasta andelarna ska vara 100 % tillsammans, inte {},{:02} %.",
                        sum / 100,
                        sum % 100
                    ),
                ));
            }
            let w = parter
                .iter()
                .map(|p| {
                    andelar
                        .iter()
                        .find(|(k, _)| *k == p.kommun)
                        .map(|(_, a)| u128::from(*a))
                        .ok_or_else(|| {
                            DomainError::new(
                                Code::OgiltigForfragan,
                                format!("Andel saknas för {} ({}).", p.kommun.namn(), p.kommun),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if let Some((k, _)) = andelar
                .iter()
                .find(|(k, _)| !parter.iter().any(|p| p.kommun == *k))
            {
                return Err(DomainError::new(
                    Code::OgiltigKommunkod,
                    format!("{} ({k}) är inte part.", k.namn()),
                ));
            }
            storsta_rest(total, &w)
        }
    };
    Ok(parter
        .iter()
        .zip(belopp)
        .map(|(p, b)| Andel {
            kommun: p.kommun,
            folkmangd: p.folkmangd,
            belopp: b,
            delbetalningar: storsta_rest(b, &vec![1; schema.antal()]),
        })
        .collect())
}

/// Kronor per inhabitant with two decimals, rounded half up, as Swedish text (`5,50`).
pub fn kr_per_invanare(belopp: u64, folkmangd: u64) -> Option<String> {
    if folkmangd == 0 {
        return None;
    }
    let hundradelar =
        (u128::from(belopp) * 100 * 2 + u128::from(folkmangd)) / (2 * u128::from(folkmangd));
    Some(format!("{},{:02}", hundradelar / 100, hundradelar % 100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// SCB 2024-12-31 for Jämtland's eight municipalities.
    fn jamtland() -> Vec<Part> {
        [
            ("2303", 5146),
            ("2305", 6035),
            ("2309", 15680),
            ("2313", 11023),
            ("2321", 12693),
            ("2326", 7108),
            ("2361", 10175),
            ("2380", 64979),
        ]
        .iter()
        .map(|(k, n)| Part {
            kommun: Kommunkod::parse(k).unwrap(),
            folkmangd: Some(*n),
        })
        .collect()
    }

    #[test]
    fn the_jamtland_grant_splits_exactly_by_population() {
        let a = fordela(
            Kronor::from_whole(731_101).unwrap(),
            &jamtland(),
            &Nyckel::Befolkning,
            Schema::Kvartalsvis,
        )
        .unwrap();
        assert_eq!(a.iter().map(|x| x.belopp).sum::<u64>(), 731_101);
        // Östersund: 731 101 × 64 979 / 132 839, rounded down or up by one krona.
        let ost = a.iter().find(|x| x.kommun.as_str() == "2380").unwrap();
        let exact = 731_101u64 * 64_979 / 132_839;
        assert!((exact..=exact + 1).contains(&ost.belopp), "{}", ost.belopp);
        for x in &a {
            assert_eq!(x.delbetalningar.iter().sum::<u64>(), x.belopp);
            assert_eq!(x.delbetalningar.len(), 4);
        }
        assert_eq!(
            kr_per_invanare(ost.belopp, 64_979).unwrap(),
            format!("{},{}", 5, 50)
        );
    }

    #[test]
    fn ties_go_to_the_lower_code_and_the_earlier_instalment() {
        let parts = [
            Part {
                kommun: Kommunkod::parse("2380").unwrap(),
                folkmangd: None,
            },
            Part {
                kommun: Kommunkod::parse("2303").unwrap(),
                folkmangd: None,
            },
        ];
        let a = fordela(
            Kronor::from_whole(3).unwrap(),
            &parts,
            &Nyckel::Lika,
            Schema::Kvartalsvis,
        )
        .unwrap();
        assert_eq!(
            (a[0].kommun.as_str(), a[0].belopp, a[1].belopp),
            ("2303", 2, 1)
        );
        assert_eq!(a[0].delbetalningar, [1, 1, 0, 0]);
    }

    #[test]
    fn instalments_fall_due_at_the_start_of_each_period() {
        assert_eq!(forfallodagar(2026, Schema::Arsvis), ["2026-01-01"]);
        assert_eq!(
            forfallodagar(2026, Schema::Kvartalsvis),
            ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]
        );
        assert!(betalar(crate::avtal::Partstatus::Vantar));
        assert!(!betalar(crate::avtal::Partstatus::Avslagen));
    }

    #[test]
    fn keys_are_checked() {
        let j = jamtland();
        let bad = Nyckel::FastaAndelar(j.iter().map(|p| (p.kommun, 1200)).collect());
        assert!(
            fordela(Kronor::from_whole(100).unwrap(), &j, &bad, Schema::Arsvis)
                .unwrap_err()
                .message
                .contains("100 %")
        );
        let base = Nyckel::GrundPlusBefolkning {
            grund: Kronor::from_whole(50_000).unwrap(),
        };
        let a = fordela(
            Kronor::from_whole(731_101).unwrap(),
            &j,
            &base,
            Schema::Arsvis,
        )
        .unwrap();
        assert!(a.iter().all(|x| x.belopp >= 50_000));
        assert!(
            fordela(
                Kronor::from_whole(100_000).unwrap(),
                &j,
                &base,
                Schema::Arsvis
            )
            .is_err()
        );
        let mut missing = j.clone();
        missing[0].folkmangd = None;
        assert!(
            fordela(
                Kronor::from_whole(100).unwrap(),
                &missing,
                &Nyckel::Befolkning,
                Schema::Arsvis
            )
            .unwrap_err()
            .message
            .contains("Ragunda")
        );
    }

    fn parts_strategy() -> impl Strategy<Value = Vec<Part>> {
        proptest::sample::subsequence(
            crate::kommun::kommuner()
                .iter()
                .map(|k| k.kod)
                .collect::<Vec<_>>(),
            1..12,
        )
        .prop_flat_map(|codes| {
            let n = codes.len();
            (Just(codes), proptest::collection::vec(0u64..2_000_000, n)).prop_map(
                |(codes, pops)| {
                    codes
                        .into_iter()
                        .zip(pops)
                        .map(|(kommun, p)| Part {
                            kommun,
                            folkmangd: Some(p),
                        })
                        .collect()
                },
            )
        })
    }

    proptest! {
        #[test]
        fn parts_and_instalments_sum_exactly(total in 0u64..10_000_000_000, parts in parts_strategy(), quarterly in any::<bool>()) {
            let schema = if quarterly { Schema::Kvartalsvis } else { Schema::Arsvis };
            let a = fordela(Kronor::from_whole(total).unwrap(), &parts, &Nyckel::Befolkning, schema).unwrap();
            prop_assert_eq!(a.iter().map(|x| x.belopp).sum::<u64>(), total);
            for x in &a {
                prop_assert_eq!(x.delbetalningar.iter().sum::<u64>(), x.belopp);
            }
        }

        #[test]
        fn a_larger_population_never_gets_less(total in 0u64..100_000_000, parts in parts_strategy()) {
            let a = fordela(Kronor::from_whole(total).unwrap(), &parts, &Nyckel::Befolkning, Schema::Arsvis).unwrap();
            for x in &a {
                for y in &a {
                    if x.folkmangd > y.folkmangd {
                        prop_assert!(x.belopp >= y.belopp, "{:?} vs {:?}", x, y);
                    }
                }
            }
        }

        #[test]
        fn the_order_of_the_parties_does_not_matter(total in 0u64..100_000_000, parts in parts_strategy(), seed in any::<u64>()) {
            let mut shuffled = parts.clone();
            let n = shuffled.len();
            for i in 0..n {
                shuffled.swap(i, (seed as usize).wrapping_add(i * 7) % n);
            }
            let k = Kronor::from_whole(total).unwrap();
            prop_assert_eq!(
                fordela(k, &parts, &Nyckel::Befolkning, Schema::Kvartalsvis).unwrap(),
                fordela(k, &shuffled, &Nyckel::Befolkning, Schema::Kvartalsvis).unwrap()
            );
        }
    }
}
