//! `boj demo`: a demo directory with sample data, served at once.
//!
//! The directory carries a marker file; `demo` refuses a directory without it (so it never touches real
//! data), serves an existing demo as it is, and reseeds it only with `--reset`. Everything seeded is
//! sample data and the UI says so on every page.

use crate::start::{CliError, CliResult, DataArgs, DemoArgs, open, serve_on, web_config};
use boj_app::App;
use boj_domain::avtal::{Avtalsinstallningar, Avtalstid, Beslutsorgan, Utfall};
use boj_domain::{Anvandarnamn, Datum, Kommunkod, Lanskod, NyttLosenord, Period, Role, Scope};
use boj_store::avtal::{self, NyttBeslut, Utkast};
use boj_store::clock::{OffsetClock, SystemClock};
use boj_store::{SharedClock, Store, orgs, users};
use std::path::Path;
use std::sync::Arc;

const MARKER: &str = "boj-demo.txt";
/// The one password of every demo account; printed at start.
pub const DEMO_PASSWORD: &str = "boj-demo-2026";
/// The demo county: Jämtlands län, whose eight municipalities are the agreement's parties.
const LAN: &str = "23";
/// The second partnership beside it (sample data throughout): Västernorrlands län.
const LAN_2: &str = "22";

pub async fn run(a: DemoArgs) -> CliResult<()> {
    let clock: SharedClock = match &a.today {
        Some(s) => Arc::new(OffsetClock::with_today(Datum::parse(s)?.civil())),
        None => Arc::new(SystemClock),
    };
    prepare_dir(&a.data, a.reset)?;
    let data = DataArgs {
        data: a.data.clone(),
        database_url: None,
        key_file: None,
    };
    let store = open(&data, clock.clone()).await?;
    let keys = std::sync::Arc::new(boj_store::nycklar::Nyckelring::create_or_load(&a.data)?);
    let today = clock.today();
    let fresh = !store.is_initialised().await?;
    let app = App::new(store.clone(), keys);
    // The settings are checked before anything is seeded.
    web_config(&a.web, false, true, ([127, 0, 0, 1], 0).into())?;
    if fresh {
        seed(&app, &store, Datum::from_civil(today)).await?;
    }
    let accounts = accounts(&store).await?;
    // Retention as `serve` runs it before serving: cases quiet for longer than the agreement
    // allows are closed, and contact details due are erased, so the demo's lists look as a live
    // installation's would.
    let g = boj_app::bakgrund::gallra(&app).await?;
    if g.stangda + g.gallrade > 0 {
        eprintln!(
            "boj: gallringen avslutade {} och gallrade {} exempelärenden",
            g.stangda, g.gallrade
        );
    }
    if fresh {
        issue_past(&app, &store, Datum::from_civil(today)).await?;
    }
    let web = a.web.clone();
    serve_on(
        &a.web.listen,
        app,
        move |addr| web_config(&web, false, true, addr),
        move || {
            println!(
                "Demo med exempeldata för två partnerskap, Jämtlands län och Västernorrlands län (konton som slutar på -vn), dagens datum {today}."
            );
            println!("Konton (lösenord för alla: {DEMO_PASSWORD}):");
            for (name, role) in accounts {
                println!("  {name:<16} {role}");
            }
        },
    )
    .await
}

/// Issues the demo's past reports as its coordinator, so that a municipal reader sees several:
/// every ended quarter but the latest (left for the coordinator to issue in the demo), and each
/// half-year and year whose quarters are all issued.
async fn issue_past(app: &App, store: &Store, today: Datum) -> CliResult<()> {
    for samordnare in ["samordnare", "samordnare-vn"] {
        let p = users::by_name(store, samordnare).await?.principal();
        issue_past_for(app, &p, today).await?;
    }
    Ok(())
}

async fn issue_past_for(app: &App, p: &boj_domain::Principal, today: Datum) -> CliResult<()> {
    let p = p.clone();
    for a in boj_app::avtal::lasbara(app, &p).await? {
        let mut quarters = Vec::new();
        for y in a.version.tid.fran.year()..=today.year() {
            for q in 1..=4 {
                let period = Period::Kvartal(y, q);
                if period.end() < today && period.end() >= a.version.tid.fran {
                    quarters.push(period);
                }
            }
        }
        quarters.pop();
        let mut periods: Vec<Period> = quarters.clone();
        for y in a.version.tid.fran.year()..=today.year() {
            let with = |qs: &[u8]| {
                qs.iter()
                    .all(|&q| quarters.contains(&Period::Kvartal(y, q)))
            };
            for (h, qs) in [(1, [1, 2]), (2, [3, 4])] {
                if with(&qs) {
                    periods.push(Period::Halvar(y, h));
                }
            }
            if with(&[1, 2, 3, 4]) {
                periods.push(Period::Ar(y));
            }
        }
        for period in periods {
            boj_app::rapporter::utfarda(app, &p, &a.id, &period.to_string())
                .await
                .map_err(|f| CliError::Failure(format!("{period}: {}", f.message)))?;
        }
    }
    Ok(())
}

fn prepare_dir(dir: &Path, reset: bool) -> CliResult<()> {
    let marker = dir.join(MARKER);
    let is_empty = dir
        .read_dir()
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if !is_empty && !marker.exists() {
        return Err(CliError::Usage(format!(
            "{} är ingen demokatalog; boj demo rör bara kataloger som den själv har skapat",
            dir.display()
        )));
    }
    if reset && dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &marker,
        "Den här katalogen skapades av `boj demo` och innehåller bara exempeldata.\n",
    )?;
    Ok(())
}

/// Seeds the demo. The operator creates the organisation and the accounts; the sample-marked
/// agreement, its decisions, document and signature are registered as the county's strategist's
/// would be but with the sample flag no user can set (`seed_agreement`); everything else — the
/// population figures, the grant, every case with its activities, witness support, volunteer
/// hours — goes through the use cases users call (`boj_app`).
async fn seed(app: &App, store: &Store, today: Datum) -> CliResult<()> {
    let password = NyttLosenord::parse(DEMO_PASSWORD)?;
    let org = orgs::create(store, None, "Brottsofferjouren Jämtlands län", None).await?;
    let lan = Lanskod::parse(LAN)?;
    let plan: Vec<(String, Role, Scope)> = vec![
        (
            "stodperson1".into(),
            Role::Stodperson,
            Scope::Organisation(org.id.clone()),
        ),
        (
            "stodperson2".into(),
            Role::Stodperson,
            Scope::Organisation(org.id.clone()),
        ),
        (
            "samordnare".into(),
            Role::Samordnare,
            Scope::Organisation(org.id.clone()),
        ),
        ("forbund".into(), Role::Forbund, Scope::Lan(lan)),
        ("admin".into(), Role::Admin, Scope::System),
    ];
    konton(app, store, lan, plan, &password).await?;
    let principal = |name: &'static str| async move {
        Ok::<_, CliError>(users::by_name(store, name).await?.principal())
    };
    let forbund = principal("forbund").await?;
    let (a, populations) = seed_agreement(app, store, &forbund, &org.id, lan).await?;
    seed_partners(
        app,
        &forbund,
        &a.id,
        &[
            ("Kvinnojouren i länet (exempel)", "kvinnojour"),
            ("Tjejjouren (exempel)", "tjejjour_ungdomsjour"),
            (
                "Socialtjänsten i Östersunds kommun (exempel)",
                "socialtjanst",
            ),
            ("Polisen, lokalpolisområde Östersund (exempel)", "polis"),
            ("Regionens hälso- och sjukvård (exempel)", "halso_sjukvard"),
            (
                "Svenska kyrkan, församlingarna i länet (exempel)",
                "kyrka_trossamfund",
            ),
        ],
    )
    .await?;
    let mut volontarer = Vec::new();
    for name in ["stodperson1", "stodperson2", "stodperson1", "samordnare"] {
        volontarer.push(principal(name).await?);
    }
    let samordnare = principal("samordnare").await?;
    let ort = crate::demo_arenden::Ort {
        seed: 22_2025,
        domstol: "Östersunds tingsrätt",
        per_dag: [30, 40, 20, 10],
    };
    let n = crate::demo_arenden::seed(app, &a, &volontarer, &samordnare, &populations, today, &ort)
        .await?;
    let m = seed_second(app, store, today).await?;
    eprintln!("boj: demodata skapad ({n} + {m} exempelärenden i två partnerskap)");
    Ok(())
}

/// Adds the agreement's collaboration partners, as its county strategist would on its page.
async fn seed_partners(
    app: &App,
    p: &boj_domain::Principal,
    id: &str,
    partners: &[(&str, &str)],
) -> CliResult<()> {
    for (namn, slag) in partners {
        boj_app::avtal::samverkanspartner(
            app,
            p,
            id,
            boj_app::avtal::Partnerandring::LaggTill {
                namn: (*namn).into(),
                slag: (*slag).into(),
                orgnr: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// The second partnership: another victim-support association with the municipalities of another
/// county, its own coordinator, support person, county strategist and municipal accounts — every
/// part of it sample data (its population figures too), to show that a second partnership works
/// beside the first and sees nothing of it.
async fn seed_second(app: &App, store: &Store, today: Datum) -> CliResult<usize> {
    let password = NyttLosenord::parse(DEMO_PASSWORD)?;
    let org = orgs::create(
        store,
        None,
        "Brottsofferjouren Västernorrland (exempel)",
        None,
    )
    .await?;
    let lan = Lanskod::parse(LAN_2)?;
    let plan: Vec<(String, Role, Scope)> = vec![
        (
            "stodperson-vn".into(),
            Role::Stodperson,
            Scope::Organisation(org.id.clone()),
        ),
        (
            "samordnare-vn".into(),
            Role::Samordnare,
            Scope::Organisation(org.id.clone()),
        ),
        ("forbund-vn".into(), Role::Forbund, Scope::Lan(lan)),
    ];
    konton(app, store, lan, plan, &password).await?;
    let principal = |name: &'static str| async move {
        Ok::<_, CliError>(users::by_name(store, name).await?.principal())
    };
    let forbund = principal("forbund-vn").await?;
    let parter: Vec<Kommunkod> = lan.kommuner().map(|k| k.kod).collect();
    let utkast = Utkast {
        title: "Överenskommelse om idéburet offentligt partnerskap om brottsofferstöd i Västernorrlands län (exempel)".into(),
        reference: "Exempel: IOP brottsofferstöd Västernorrland".into(),
        tid: Avtalstid::new(Datum::parse("2026-01-01")?, None, None)?,
        services: "Exempeldata: stöd till brottsutsatta, vittnen och anhöriga utan individuell behovsprövning."
            .into(),
        settings: Avtalsinstallningar::default(),
        parter: parter.clone(),
    };
    let a = avtal::create(store, None, &org.id, lan, true, &utkast).await?;
    // Every party's council decides (sample decisions).
    for (i, k) in parter.iter().enumerate() {
        let d = NyttBeslut {
            organ: Beslutsorgan::Kommunfullmaktige,
            kommun: Some(*k),
            beslutsdatum: Some(Datum::parse(&format!("2025-11-{:02}", 10 + i))?),
            galler_fran: Some(Datum::parse("2026-01-01")?),
            paragraph: format!("§ {}", 90 + 3 * i),
            utfall: Utfall::Bifall,
            presenter: String::new(),
            items: vec![(
                "1".into(),
                "att godkänna överenskommelse om idéburet offentligt partnerskap om brottsofferstöd från och med 2026-01-01 (exempel).".into(),
            )],
            sample: true,
        };
        avtal::add_decision(store, None, &a, &d).await?;
    }
    let rekommendation = NyttBeslut {
        organ: Beslutsorgan::Annan,
        kommun: None,
        beslutsdatum: Some(Datum::parse("2025-10-01")?),
        galler_fran: None,
        paragraph: "§ 1 (exempel)".into(),
        utfall: Utfall::Bifall,
        presenter: String::new(),
        items: vec![(
            "1".into(),
            "att rekommendera kommunerna att bevilja föreningen ett gemensamt grundbidrag om 480 000 kr för 2026 (exempel).".into(),
        )],
        sample: true,
    };
    let rekommendation = avtal::add_decision(store, None, &a, &rekommendation).await?;
    // Population figures for the demo only: sample values in SCB's layout, not SCB's figures.
    let fil = include_bytes!("../demo/exempel-folkmangd-vasternorrland.csv");
    let rader = boj_domain::folkmangd::las(fil)
        .map_err(|e| CliError::Failure(e.join(" ")))?
        .rader;
    boj_app::bidrag::importera_befolkning(app, None, fil, "2024-12-31").await?;
    let grant = boj_app::bidrag::Bidragsforslag {
        ar: 2026,
        belopp: boj_domain::Kronor::from_whole(480_000)?,
        beslut: rekommendation.id.clone(),
        nyckel: Some("grund_plus_befolkning".into()),
        grund: Some(boj_domain::Kronor::from_whole(20_000)?),
        andelar: None,
        schema: Some("arsvis".into()),
        befolkningsdatum: Some("2024-12-31".into()),
    };
    boj_app::bidrag::nytt_bidrag(app, &forbund, &a.id, grant).await?;
    seed_partners(
        app,
        &forbund,
        &a.id,
        &[
            ("Kvinnojouren (exempel)", "kvinnojour"),
            (
                "Socialtjänsten i Sundsvalls kommun (exempel)",
                "socialtjanst",
            ),
            ("Polisen i Västernorrland (exempel)", "polis"),
            ("Ungdomsjouren (exempel)", "tjejjour_ungdomsjour"),
        ],
    )
    .await?;
    let volontarer = vec![
        principal("stodperson-vn").await?,
        principal("samordnare-vn").await?,
    ];
    let samordnare = principal("samordnare-vn").await?;
    let ort = crate::demo_arenden::Ort {
        seed: 22_2026,
        domstol: "Sundsvalls tingsrätt",
        per_dag: [60, 30, 10, 0],
    };
    crate::demo_arenden::seed(app, &a, &volontarer, &samordnare, &rader, today, &ort).await
}

/// Creates the accounts of `plan` and one municipal account per municipality of `lan`. Support
/// persons, coordinators and the admin sign in with a second factor; the demo's keys are fixed and
/// printed.
async fn konton(
    app: &App,
    store: &Store,
    lan: Lanskod,
    mut plan: Vec<(String, Role, Scope)>,
    password: &NyttLosenord,
) -> CliResult<()> {
    for k in lan.kommuner() {
        plan.push((
            format!("kommun-{}", k.kod),
            Role::Kommun,
            Scope::Kommun(Kommunkod::parse(k.kod.as_str())?),
        ));
    }
    for (name, role, scope) in plan {
        let u = users::create(
            store,
            None,
            &Anvandarnamn::parse(&name)?,
            role,
            &scope,
            password,
        )
        .await?;
        if ANDRA_STEGET.contains(&name.as_str()) {
            boj_app::konton::exempel_andra_faktor(app, &u.id, &demo_nyckel(&name)).await?;
        }
    }
    Ok(())
}

/// The demo accounts that sign in with a second factor (SPEC § 6: the case roles and admin).
const ANDRA_STEGET: [&str; 6] = [
    "stodperson1",
    "stodperson2",
    "samordnare",
    "admin",
    "stodperson-vn",
    "samordnare-vn",
];

/// The fixed key of a demo account's second factor: sample data, printed, never secret.
fn demo_nyckel(name: &str) -> [u8; 32] {
    let mut k = [b'.'; 32];
    for (d, s) in k
        .iter_mut()
        .zip(format!("boj-demo-{name}-andra-steget").bytes())
    {
        *d = s;
    }
    k
}

async fn accounts(store: &Store) -> CliResult<Vec<(String, String)>> {
    let mut list: Vec<_> = users::list(store)
        .await?
        .into_iter()
        .map(|u| {
            let scope = match &u.scope {
                Scope::Kommun(k) => format!(" ({})", k.namn()),
                _ => String::new(),
            };
            let andra = if ANDRA_STEGET.contains(&u.name.as_str()) {
                format!(
                    "; andra steget: nyckel {} (lägg in den i en autentiseringsapp, eller kör oathtool --totp -b NYCKEL)",
                    boj_app::konton::nyckeltext(&demo_nyckel(&u.name))
                )
            } else {
                String::new()
            };
            (u.name, format!("{}{scope}{andra}", u.role.label()))
        })
        .collect();
    let rank = |n: &str| {
        [
            "stodperson1",
            "stodperson2",
            "samordnare",
            "forbund",
            "admin",
            "stodperson-vn",
            "samordnare-vn",
            "forbund-vn",
        ]
        .iter()
        .position(|x| *x == n)
        .unwrap_or(9)
    };
    list.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    Ok(list)
}

/// The Jämtland IOP: what § 22 and its summary state, and sample values for the rest, each marked.
async fn seed_agreement(
    app: &App,
    store: &Store,
    forbund: &boj_domain::Principal,
    org: &str,
    lan: Lanskod,
) -> CliResult<(avtal::Avtal, Vec<(Kommunkod, u64)>)> {
    let parter: Vec<Kommunkod> = lan.kommuner().map(|k| k.kod).collect();
    // SPEC § 5's default grouping: the parties under 8 000 inhabitants (Ragunda, Bräcke, Berg).
    let small = ["2303", "2305", "2326"].map(String::from).to_vec();
    // A sample recoding: gender "annat" and "okänt" are tiny, published as one category.
    let settings = Avtalsinstallningar {
        sma_kommuner: small,
        sammanslagningar: vec!["kon_annat_okant".into()],
        ..Avtalsinstallningar::default()
    };
    let utkast = Utkast {
        title: "Överenskommelse om idéburet offentligt partnerskap mellan Brottsofferjouren och Jämtlands läns kommuner".into(),
        reference: "250908 IOP BOJ och Jämtlands 8 kommuner".into(),
        tid: Avtalstid::new(Datum::parse("2026-01-01")?, None, None)?,
        services: "Stöd till brottsutsatta, vittnen, anhöriga till brottsutsatta och anhöriga till gärningspersoner, \
                   utan individuell behovsprövning (11 kap. 5 § SoL) och i form av rådgivning (10 kap. 1 § SoL)."
            .into(),
        settings,
        parter: parter.clone(),
    };
    let a = avtal::create(store, None, org, lan, true, &utkast).await?;

    // SocSam § 22, word for word from the protocol. Its date is not in the excerpt.
    let p22 = NyttBeslut {
        organ: Beslutsorgan::Socsam,
        kommun: None,
        beslutsdatum: None,
        galler_fran: None,
        paragraph: "§ 22".into(),
        utfall: Utfall::Bifall,
        presenter: "Elin Ring, förbundsstrateg".into(),
        items: vec![
            ("1".into(), "att rekommendera kommunerna att godkänna överenskommelse om idéburet offentligt partnerskap (IOP) mellan Brottsofferjouren och länets kommuner från och med 2026-01-01.".into()),
            ("2".into(), "att rekommendera kommunerna besluta att de insatser Brottsofferjouren ger enligt överenskommelse om IOP:".into()),
            ("2a".into(), "ges utan individuell behovsprövning enligt 11 kap. 5 § SoL med villkor om att personer som tar del av insatserna är brottsutsatta kommuninvånare i Jämtlands läns kommuner, vittnen, anhöriga till brottsutsatta och anhöriga till gärningspersoner.".into()),
            ("2b".into(), "är insatser i form av rådgivning enligt 10 kap. 1 § SoL (2025:400) och därmed undantas från dokumentationsskyldigheten enligt 14 kap. 4 § SoL. Dokumentation ska föras och sammanställas i enlighet med vad som framgår av överenskommelse om IOP.".into()),
        ],
        sample: false,
    };
    let b = avtal::add_decision(store, None, &a, &p22).await?;
    avtal::add_document(
        store,
        None,
        &b.id,
        "Protokollsutdrag SocSam § 22",
        "socsam-2025-p22.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../demo/socsam-2025-p22.txt").to_vec(),
    )
    .await?;
    for underlag in [
        "2025-10-10 Tjänsteskrivelse SocSam BOJ IOP och insatser utan behovsprövning",
        "250908 IOP BOJ och Jämtlands 8 kommuner",
    ] {
        avtal::add_document_reference(store, None, &b.id, underlag).await?;
    }
    let signers = ["MW", "EE", "EA"].map(String::from);
    avtal::add_signature(
        store,
        None,
        &b.id,
        "e-signatur",
        "b0k7b1mhusekk8",
        &signers,
        None,
    )
    .await?;

    // The grant recommendation of 2 June, known from the protocol's summary only: its paragraph and
    // wording are not, so the decision is marked as an example.
    let juni = NyttBeslut {
        organ: Beslutsorgan::Socsam,
        kommun: None,
        beslutsdatum: Some(Datum::parse("2025-06-02")?),
        galler_fran: None,
        paragraph: "paragraf okänd".into(),
        utfall: Utfall::Bifall,
        presenter: String::new(),
        items: vec![(
            "1".into(),
            "att rekommendera kommunerna att bevilja Brottsofferjouren utökat grundbidrag om 731 101 kr från och med 2026-01-01.".into(),
        )],
        sample: true,
    };
    let juni = avtal::add_decision(store, None, &a, &juni).await?;

    // SCB's population 2024-12-31, as shipped, and the 2026 grant split by it (the key and the
    // quarterly schedule are sample settings: the protocol states neither).
    let scb_fil = include_bytes!("../demo/scb-folkmangd-jamtland-2024.csv");
    let scb = boj_domain::folkmangd::las(scb_fil).map_err(|e| CliError::Failure(e.join(" ")))?;
    boj_app::bidrag::importera_befolkning(app, None, scb_fil, "2024-12-31").await?;
    let grant = boj_app::bidrag::Bidragsforslag {
        ar: 2026,
        belopp: boj_domain::Kronor::from_whole(731_101)?,
        beslut: juni.id.clone(),
        nyckel: Some("befolkning".into()),
        grund: None,
        andelar: None,
        schema: Some("kvartalsvis".into()),
        befolkningsdatum: Some("2024-12-31".into()),
    };
    boj_app::bidrag::nytt_bidrag(app, forbund, &a.id, grant).await?;

    // Sample decisions of seven councils; Berg (2326) is left pending.
    for (i, k) in parter.iter().filter(|k| k.as_str() != "2326").enumerate() {
        let d = NyttBeslut {
            organ: Beslutsorgan::Kommunfullmaktige,
            kommun: Some(*k),
            beslutsdatum: Some(Datum::parse(&format!("2025-12-{:02}", 8 + i))?),
            galler_fran: Some(Datum::parse("2026-01-01")?),
            paragraph: format!("§ {}", 140 + 7 * i),
            utfall: Utfall::Bifall,
            presenter: String::new(),
            items: vec![(
                "1".into(),
                "att godkänna överenskommelse om idéburet offentligt partnerskap (IOP) mellan Brottsofferjouren och länets kommuner från och med 2026-01-01.".into(),
            )],
            sample: true,
        };
        avtal::add_decision(store, None, &a, &d).await?;
    }
    Ok((a, scb.rader))
}
