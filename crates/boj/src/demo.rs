//! `boj demo`: a demo directory with sample data, served at once.
//!
//! The directory carries a marker file; `demo` refuses a directory without it (so it never touches real
//! data), serves an existing demo as it is, and reseeds it only with `--reset`. Everything seeded is
//! sample data and the UI says so on every page.

use crate::cli::{CliError, CliResult, DataArgs, DemoArgs, open, serve_on, web_config};
use boj_domain::{Anvandarnamn, Datum, Kommunkod, Lanskod, NyttLosenord, Role, Scope};
use boj_store::clock::{OffsetClock, SystemClock};
use boj_store::{SharedClock, Store, orgs, users};
use boj_web::AppState;
use std::path::Path;
use std::sync::Arc;

const MARKER: &str = "boj-demo.txt";
/// The one password of every demo account; printed at start.
pub const DEMO_PASSWORD: &str = "boj-demo-2026";
/// The demo county: Jämtlands län, whose eight municipalities are the agreement's parties.
const LAN: &str = "23";

pub async fn run(a: DemoArgs) -> CliResult<()> {
    let clock: SharedClock = match &a.today {
        Some(s) => Arc::new(OffsetClock::with_today(Datum::parse(s)?.civil())),
        None => Arc::new(SystemClock),
    };
    prepare_dir(&a.data, a.reset)?;
    let data = DataArgs {
        data: a.data.clone(),
        database_url: None,
    };
    let store = open(&data, clock.clone()).await?;
    if !store.is_initialised().await? {
        seed(&store).await?;
    }
    let config = web_config(&a.web, false, true)?;
    let today = clock.today();
    let accounts = accounts(&store).await?;
    serve_on(
        &a.web.listen,
        AppState {
            store,
            config: Arc::new(config),
        },
        move || {
            println!("Demo för Jämtlands län med exempeldata, dagens datum {today}.");
            println!("Konton (lösenord för alla: {DEMO_PASSWORD}):");
            for (name, role) in accounts {
                println!("  {name:<16} {role}");
            }
        },
    )
    .await
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

async fn seed(store: &Store) -> CliResult<()> {
    let password = NyttLosenord::parse(DEMO_PASSWORD)?;
    let org = orgs::create(store, None, "Brottsofferjouren Jämtlands län", None).await?;
    let lan = Lanskod::parse(LAN)?;
    let mut plan: Vec<(String, Role, Scope)> = vec![
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
    for k in lan.kommuner() {
        plan.push((
            format!("kommun-{}", k.kod),
            Role::Kommun,
            Scope::Kommun(Kommunkod::parse(k.kod.as_str())?),
        ));
    }
    for (name, role, scope) in plan {
        users::create(
            store,
            None,
            &Anvandarnamn::parse(&name)?,
            role,
            &scope,
            &password,
        )
        .await?;
    }
    eprintln!("boj: demodata skapad");
    Ok(())
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
            (u.name, format!("{}{scope}", u.role.label()))
        })
        .collect();
    let rank = |n: &str| {
        [
            "stodperson1",
            "stodperson2",
            "samordnare",
            "forbund",
            "admin",
        ]
        .iter()
        .position(|x| *x == n)
        .unwrap_or(9)
    };
    list.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    Ok(list)
}
