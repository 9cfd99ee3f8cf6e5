//! Synthetic cases for the demo: a fixed seed, dated from the agreement's start up to the day before
//! the demo's today, roughly proportional to population, with a mix like BOJ's (most cases victims
//! referred by the police; assault, threats, fraud and theft the most common; a few relatives of
//! perpetrators; tourists in Åre outside the agreement). All of it is sample data.

use crate::start::CliResult;
use boj_domain::arende::Statistik;
use boj_domain::bedomning::{Bedomningsgrund, bedom};
use boj_domain::kod::*;
use boj_domain::{Datum, Kommunkod};
use boj_store::Store;
use boj_store::arenden::{self, NyttArende};
use boj_store::avtal::{self, Avtal};
use boj_store::nycklar::Nyckelring;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Picks one of `items` with the given weights.
fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (t, w) in items {
        if x < *w {
            return *t;
        }
        x -= w;
    }
    items[0].0
}

pub async fn seed(
    store: &Store,
    keys: &Nyckelring,
    a: &Avtal,
    assignees: &[String],
    populations: &[(Kommunkod, u64)],
    today: Datum,
) -> CliResult<usize> {
    let mut rng = StdRng::seed_from_u64(22_2025);
    let snap = avtal::snapshot(store, &a.id).await?;
    let parter = snap.board.clone();
    let u = Bedomningsgrund {
        tid: &a.version.tid,
        regel: &a.version.settings.malgruppsregel,
        parter: &parter,
    };
    let elsewhere: Vec<Kommunkod> = ["0180", "1480", "2281", "2480", "1283"]
        .iter()
        .filter_map(|k| Kommunkod::parse(k).ok())
        .collect();
    let homes: Vec<(Kommunkod, u32)> = populations
        .iter()
        .map(|(k, n)| (*k, u32::try_from(*n).unwrap_or(0)))
        .collect();
    let mut day = a.version.tid.fran.civil();
    let mut n = 0;
    while day < today.civil() {
        let count = pick(&mut rng, &[(0u32, 30), (1, 40), (2, 20), (3, 10)]);
        for _ in 0..count {
            let person = pick(
                &mut rng,
                &[
                    (PersonTyp::Brottsutsatt, 70),
                    (PersonTyp::Vittne, 10),
                    (PersonTyp::AnhorigBrottsutsatt, 12),
                    (PersonTyp::AnhorigGarningsperson, 3),
                    (PersonTyp::Annan, 5),
                ],
            );
            let where_ = rng.random_range(0..100);
            let hem = if where_ < 6 && person == PersonTyp::Brottsutsatt {
                Hemkommun::Utlandet // a tourist robbed or assaulted in Åre
            } else if where_ < 10 {
                Hemkommun::Kommun(elsewhere[rng.random_range(0..elsewhere.len())])
            } else if where_ < 14 {
                Hemkommun::Okand
            } else {
                Hemkommun::Kommun(pick(&mut rng, &homes))
            };
            let tourist = hem == Hemkommun::Utlandet;
            let brott = pick(
                &mut rng,
                &[
                    (Brottstyp::Misshandel, 25),
                    (Brottstyp::HotOfredande, 20),
                    (Brottstyp::Bedrageri, 15),
                    (Brottstyp::StoldInbrott, if tourist { 40 } else { 15 }),
                    (Brottstyp::Sexualbrott, 7),
                    (Brottstyp::Skadegorelse, 5),
                    (Brottstyp::Ran, if tourist { 10 } else { 3 }),
                    (Brottstyp::Trafikbrott, 3),
                    (Brottstyp::Annat, 5),
                    (Brottstyp::Okant, 2),
                    (Brottstyp::MordDrap, 1),
                ],
            );
            let mut brott_list = vec![brott];
            if rng.random_range(0..10) == 0 {
                brott_list.push(Brottstyp::HotOfredande);
                brott_list.sort();
                brott_list.dedup();
            }
            let mut omst = Vec::new();
            if matches!(
                brott,
                Brottstyp::Misshandel | Brottstyp::HotOfredande | Brottstyp::Sexualbrott
            ) && rng.random_range(0..100) < 35
            {
                omst.push(SarskildOmstandighet::NaraRelation);
            }
            if rng.random_range(0..100) < 4 {
                omst.push(pick(
                    &mut rng,
                    &[
                        (SarskildOmstandighet::Hatbrott, 3),
                        (SarskildOmstandighet::Internetrelaterat, 5),
                        (SarskildOmstandighet::Skolrelaterat, 3),
                        (SarskildOmstandighet::Hedersrelaterat, 1),
                    ],
                ));
            }
            let items = Statistik {
                person,
                hem,
                kon: pick(
                    &mut rng,
                    &[
                        (Kon::Kvinna, 55),
                        (Kon::Man, 42),
                        (Kon::Annat, 1),
                        (Kon::Okant, 2),
                    ],
                ),
                alder: pick(
                    &mut rng,
                    &[
                        (Aldersgrupp::Under18, 8),
                        (Aldersgrupp::Ar18_24, 14),
                        (Aldersgrupp::Ar25_44, 34),
                        (Aldersgrupp::Ar45_64, 26),
                        (Aldersgrupp::Over65, 13),
                        (Aldersgrupp::Okand, 5),
                    ],
                ),
                brott: brott_list,
                omstandigheter: omst,
                polis: pick(
                    &mut rng,
                    &[
                        (Polisanmalan::Ja, 75),
                        (Polisanmalan::Nej, 15),
                        (Polisanmalan::Okant, 10),
                    ],
                ),
                forsta_kontakt: pick(
                    &mut rng,
                    &[
                        (ForstaKontakt::Polis, 65),
                        (ForstaKontakt::Sjalv, 25),
                        (ForstaKontakt::Annan, 10),
                    ],
                ),
                informerad_11_6: rng.random_range(0..100) < 85,
            };
            let opened = Datum::from_civil(day);
            let b = bedom(&u, items.person, items.hem, opened);
            let assignee = &assignees[rng.random_range(0..assignees.len())];
            let n_arende = NyttArende {
                agreement_id: &a.id,
                organisation_id: &a.organisation_id,
                opened_on: opened,
                items: &items,
                assignee: Some(assignee),
                eligibility: &b,
                revision: snap.revision,
                contact: None,
            };
            let c = arenden::create(store, keys, None, &n_arende).await?;
            let mut last = opened;
            for _ in 0..rng.random_range(1..=3) {
                let d = day
                    .checked_add(jiff::Span::new().days(rng.random_range(0..21)))
                    .unwrap_or(day);
                if d >= today.civil() {
                    continue;
                }
                let act = boj_domain::arende::Aktivitet::new(
                    Datum::from_civil(d),
                    pick(
                        &mut rng,
                        &[
                            (Aktivitetstyp::Stodsamtal, 50),
                            (Aktivitetstyp::Information, 25),
                            (Aktivitetstyp::PraktiskHjalp, 8),
                            (Aktivitetstyp::MedfoljningPolis, 4),
                            (Aktivitetstyp::MedfoljningRattegang, 5),
                            (Aktivitetstyp::Hanvisning, 8),
                        ],
                    ),
                    pick(
                        &mut rng,
                        &[
                            (Kontaktsatt::Telefon, 70),
                            (Kontaktsatt::Mote, 20),
                            (Kontaktsatt::Video, 3),
                            (Kontaktsatt::Skriftligt, 7),
                        ],
                    ),
                    i64::from(pick(
                        &mut rng,
                        &[(15u32, 20), (30, 40), (45, 20), (60, 15), (120, 5)],
                    )),
                    opened,
                    None,
                )?;
                last = last.max(act.datum);
                arenden::add_activity(store, None, &c.id, &act).await?;
            }
            let age = last
                .civil()
                .until(today.civil())
                .map(|s| s.get_days())
                .unwrap_or(0);
            if age > 14 && rng.random_range(0..100) < 85 {
                arenden::close(store, None, &c.id, last).await?;
            }
            n += 1;
        }
        day = day.tomorrow().unwrap_or(today.civil());
    }
    // Witness support at the district court every other Tuesday, and volunteer hours per month.
    let org = &a.organisation_id;
    let mut d = a.version.tid.fran.civil();
    while d < today.civil() {
        if d.weekday() == jiff::civil::Weekday::Tuesday && d.day() <= 14 {
            let counts = [
                rng.random_range(0..5),
                rng.random_range(0..3),
                rng.random_range(0..4),
                rng.random_range(0..2),
            ];
            arenden::add_witness_support(
                store,
                None,
                org,
                Datum::from_civil(d),
                "Östersunds tingsrätt",
                counts,
                rng.random_range(300..900),
            )
            .await?;
        }
        if d.day() == 1
            && d.checked_add(jiff::Span::new().months(1))
                .is_ok_and(|next| next <= today.civil())
        {
            let month = format!("{:04}-{:02}", d.year(), d.month());
            for (kind, base) in [
                ("brottsofferstod", 6000u32),
                ("vittnesstod", 2500),
                ("administration", 1500),
            ] {
                arenden::add_volunteer_hours(
                    store,
                    None,
                    org,
                    &month,
                    kind,
                    base + rng.random_range(0..2000),
                )
                .await?;
            }
        }
        d = d.tomorrow().unwrap_or(today.civil());
    }
    Ok(n)
}
