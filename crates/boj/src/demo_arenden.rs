//! Synthetic cases for the demo: a fixed seed, dated from the agreement's start up to the day before
//! the demo's today, roughly proportional to population, with a mix like BOJ's (most cases victims
//! referred by the police; assault, threats, fraud and theft the most common; a few relatives of
//! perpetrators; tourists in Åre outside the agreement). All of it is sample data.
//!
//! Everything here goes through the use cases users call (`boj_app::arenden`): each case is
//! registered, logged, closed and judged by the same functions as one entered on the intake page,
//! by the volunteer who holds it; witness support and volunteer hours are recorded by the
//! coordinator.

use crate::start::CliResult;
use boj_app::App;
use boj_app::arenden::{self as fall, NyAktivitet, Registrering, Vittnesstod};
use boj_app::avtal::Avtal;
use boj_domain::arende::Statistik;
use boj_domain::kod::*;
use boj_domain::{Datum, Kommunkod, Principal};
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

/// Hundredths as the text a form would hold (`12.34`).
fn timmar(hundradelar: u32) -> String {
    format!("{}.{:02}", hundradelar / 100, hundradelar % 100)
}

/// What differs between the demo's partnerships.
pub struct Ort<'a> {
    /// The random seed: each partnership its own, fixed.
    pub seed: u64,
    /// The court where witness support is given.
    pub domstol: &'a str,
    /// Weights of 0, 1, 2 and 3 new cases a day.
    pub per_dag: [u32; 4],
}

/// Seeds the cases of agreement `a`, each held by one of `volontarer`, and the organisation's
/// witness support, volunteer hours and collaboration work with the agreement's partners, recorded
/// by `samordnare`. A referral names one of the agreement's partners.
pub async fn seed(
    app: &App,
    a: &Avtal,
    volontarer: &[Principal],
    samordnare: &Principal,
    populations: &[(Kommunkod, u64)],
    today: Datum,
    ort: &Ort<'_>,
) -> CliResult<usize> {
    let mut rng = StdRng::seed_from_u64(ort.seed);
    // The agreement as it is now: its partners were added after it was registered.
    let partners = boj_app::avtal::las(app, samordnare, &a.id)
        .await?
        .version
        .settings
        .samverkanspartner;
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
        let [w0, w1, w2, w3] = ort.per_dag;
        let count = pick(&mut rng, &[(0u32, w0), (1, w1), (2, w2), (3, w3)]);
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
            let p = &volontarer[rng.random_range(0..volontarer.len())];
            let r = Registrering {
                agreement_id: a.id.clone(),
                opened_on: opened.to_string(),
                poster: items.poster(),
                ..Registrering::default()
            };
            let (c, _) = fall::registrera(app, p, &r).await?;
            let mut last = opened;
            for _ in 0..rng.random_range(1..=3) {
                let d = day
                    .checked_add(jiff::Span::new().days(rng.random_range(0..21)))
                    .unwrap_or(day);
                if d >= today.civil() {
                    continue;
                }
                let typ = pick(
                    &mut rng,
                    &[
                        (Aktivitetstyp::Stodsamtal, 50),
                        (Aktivitetstyp::Information, 25),
                        (Aktivitetstyp::PraktiskHjalp, 8),
                        (Aktivitetstyp::MedfoljningPolis, 4),
                        (Aktivitetstyp::MedfoljningRattegang, 5),
                        (Aktivitetstyp::Hanvisning, 14),
                    ],
                );
                // A referral names one of the agreement's partners; without any, it is support.
                let (typ, partner) = match (typ, partners.is_empty()) {
                    (Aktivitetstyp::Hanvisning, false) => {
                        // Most referrals go to a women's shelter or social services.
                        let vikter: Vec<(u16, u32)> = partners
                            .iter()
                            .map(|sp| {
                                let w = match sp.slag.as_str() {
                                    "kvinnojour" => 40,
                                    "socialtjanst" => 25,
                                    "polis" => 15,
                                    "halso_sjukvard" => 10,
                                    _ => 5,
                                };
                                (sp.id, w)
                            })
                            .collect();
                        (typ, Some(pick(&mut rng, &vikter)))
                    }
                    (Aktivitetstyp::Hanvisning, true) => (Aktivitetstyp::Stodsamtal, None),
                    _ => (typ, None),
                };
                let act = NyAktivitet {
                    datum: Datum::from_civil(d).to_string(),
                    typ: typ.code().to_string(),
                    partner,
                    satt: pick(
                        &mut rng,
                        &[
                            (Kontaktsatt::Telefon, 70),
                            (Kontaktsatt::Mote, 20),
                            (Kontaktsatt::Video, 3),
                            (Kontaktsatt::Skriftligt, 7),
                        ],
                    )
                    .code()
                    .to_string(),
                    minuter: i64::from(pick(
                        &mut rng,
                        &[(15u32, 20), (30, 40), (45, 20), (60, 15), (120, 5)],
                    )),
                };
                last = last.max(Datum::from_civil(d));
                fall::ny_aktivitet(app, p, &c.id, &act).await?;
            }
            let age = last
                .civil()
                .until(today.civil())
                .map(|s| s.get_days())
                .unwrap_or(0);
            if age > 14 && rng.random_range(0..100) < 85 {
                fall::avsluta(app, p, &c.id, &last.to_string()).await?;
            }
            n += 1;
        }
        day = day.tomorrow().unwrap_or(today.civil());
    }
    // Witness support at the district court every other Tuesday, and volunteer hours per month.
    let mut d = a.version.tid.fran.civil();
    while d < today.civil() {
        if d.weekday() == jiff::civil::Weekday::Tuesday && d.day() <= 14 {
            let counts = [
                rng.random_range(0..5),
                rng.random_range(0..3),
                rng.random_range(0..4),
                rng.random_range(0..2),
            ];
            let v = Vittnesstod {
                datum: Datum::from_civil(d).to_string(),
                domstol: ort.domstol.into(),
                antal: counts,
                timmar: timmar(rng.random_range(300..900)),
                avtal: None,
            };
            fall::vittnesstod(app, samordnare, &v).await?;
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
                let h = timmar(base + rng.random_range(0..2000));
                fall::volontartimmar(app, samordnare, &month, kind, &h, Some(&a.id)).await?;
            }
            // Collaboration with one or two partners a month: meetings, training, outreach.
            for _ in 0..rng.random_range(1..=2).min(partners.len()) {
                let sp = &partners[rng.random_range(0..partners.len())];
                let form = pick(
                    &mut rng,
                    &[
                        (Samverkansform::Mote, 6),
                        (Samverkansform::Utbildning, 2),
                        (Samverkansform::Utatriktat, 2),
                    ],
                );
                let b = fall::Samverkansarbete {
                    avtal: a.id.clone(),
                    manad: month.clone(),
                    partner: sp.id,
                    form: form.code().into(),
                    timmar: timmar(rng.random_range(150..1200)),
                };
                fall::samverkan(app, samordnare, &b).await?;
            }
        }
        d = d.tomorrow().unwrap_or(today.civil());
    }
    Ok(n)
}
