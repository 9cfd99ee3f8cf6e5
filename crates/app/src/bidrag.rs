//! Grants and population (SPEC § 3.4). The split is `boj_domain::fordelning::fordela`; these use
//! cases gather its inputs, store it as decided, and hand out one municipality's invoice basis.

use crate::{App, AppError, Kind};
use boj_domain::fordelning::{self, Andel, Nyckel, Part, Schema};
use boj_domain::{Action, Code, Datum, Kommunkod, Kronor, Principal, Scope, authorize, folkmangd};
use boj_store::StoreError;
use boj_store::avtal::{self, Avtal, Beslut};
use boj_store::bidrag;

pub use boj_store::bidrag::Bidrag;

fn ogiltig(code: Code, msg: impl Into<String>) -> AppError {
    AppError::new(Kind::Invalid, code, msg)
}

/// A year as a grant's year (2000–2100).
pub fn ar(year: i64) -> Result<i16, AppError> {
    Ok(bidrag::check_year(year)?)
}

/// The parties that share a grant: every party of the current version except those that rejected
/// the agreement (pending parties are expected to join and are invoiced like the others). A
/// registered grant's split is the one stored as decided; later decisions or imports never change it.
pub async fn fordelning(app: &App, a: &Avtal, g: &Bidrag) -> Result<Vec<Andel>, AppError> {
    if !g.id.is_empty() {
        let stored = bidrag::parts(&app.store, &g.id).await?;
        if !stored.is_empty() {
            return Ok(stored);
        }
    }
    berakna(app, a, g).await
}

/// Computes a split from today's party statuses and the population figures of the grant's date.
async fn berakna(app: &App, a: &Avtal, g: &Bidrag) -> Result<Vec<Andel>, AppError> {
    let mut parts = Vec::new();
    for rad in avtal::board(&app.store, a).await? {
        if !fordelning::betalar(rad.status) {
            continue;
        }
        let k = rad.kommun;
        let folkmangd = match g.population_date {
            Some(d) => bidrag::population(&app.store, k, d).await?,
            None => None,
        };
        parts.push(Part {
            kommun: k,
            folkmangd,
        });
    }
    Ok(fordelning::fordela(g.amount, &parts, &g.key, g.schedule)?)
}

/// A grant as entered. Amounts are whole kronor; shares per cent with at most two decimals, as
/// text (`boj_domain::tal`).
#[derive(Debug, Clone)]
pub struct Bidragsforslag {
    pub ar: i64,
    pub belopp: Kronor,
    /// The decision behind the grant (a decision of this agreement).
    pub beslut: String,
    /// `befolkning` (default), `lika`, `grund_plus_befolkning` or `fasta_andelar`.
    pub nyckel: Option<String>,
    /// For `grund_plus_befolkning`.
    pub grund: Option<Kronor>,
    /// For `fasta_andelar`: per cent per municipality code, as text.
    pub andelar: Option<Vec<(String, String)>>,
    /// `arsvis` (default) or `kvartalsvis`.
    pub schema: Option<String>,
    /// Population reference date; default the newest on file.
    pub befolkningsdatum: Option<String>,
}

/// A share in per cent with at most two decimals, in basis points (`boj_domain::tal`, the parser
/// hours also use).
fn procent(v: &str) -> Result<u32, AppError> {
    boj_domain::tal::hundradelar(v, 10_000).ok_or_else(|| {
        ogiltig(
            Code::OgiltigForfragan,
            "En andel ska vara ett tal mellan 0 och 100 med högst två decimaler.",
        )
    })
}

/// Parses a grant, checks its decision and computes its split once, so that nothing is saved that
/// cannot be split.
async fn tolka(app: &App, a: &Avtal, f: Bidragsforslag) -> Result<(Bidrag, Vec<Andel>), AppError> {
    let year = ar(f.ar)?;
    let key = match f.nyckel.as_deref().unwrap_or("befolkning") {
        "befolkning" => Nyckel::Befolkning,
        "lika" => Nyckel::Lika,
        "grund_plus_befolkning" => Nyckel::GrundPlusBefolkning {
            grund: f
                .grund
                .ok_or_else(|| ogiltig(Code::OgiltigtBelopp, "Ange grundbeloppet (base_kr)."))?,
        },
        "fasta_andelar" => {
            let shares = f
                .andelar
                .ok_or_else(|| ogiltig(Code::OgiltigForfragan, "Ange andelarna (shares)."))?;
            Nyckel::FastaAndelar(
                shares
                    .iter()
                    .map(|(k, v)| Ok((Kommunkod::parse(k)?, procent(v)?)))
                    .collect::<Result<_, AppError>>()?,
            )
        }
        other => {
            return Err(ogiltig(
                Code::OgiltigKod,
                format!(
                    "”{other}” är ingen fördelningsnyckel. Giltiga: befolkning, lika, grund_plus_befolkning, fasta_andelar."
                ),
            ));
        }
    };
    let schedule = Schema::parse(f.schema.as_deref().unwrap_or("arsvis"))?;
    let population_date = match f
        .befolkningsdatum
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        Some(d) => Some(Datum::parse(d)?),
        None if key.needs_population() => {
            let newest = bidrag::population_dates(&app.store)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    ogiltig(
                        Code::OgiltigForfragan,
                        "Det finns inga befolkningsuppgifter. Importera SCB:s folkmängd först.",
                    )
                })?;
            Some(Datum::parse(&newest)?)
        }
        None => None,
    };
    let decision = avtal::get_decision(&app.store, &f.beslut)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ogiltig(Code::OgiltigForfragan, "Beslutet finns inte."),
            other => other.into(),
        })?;
    if decision.agreement_id != a.id {
        return Err(ogiltig(
            Code::OgiltigForfragan,
            "Beslutet hör till en annan överenskommelse.",
        ));
    }
    let g = Bidrag {
        id: String::new(),
        agreement_id: a.id.clone(),
        year,
        amount: f.belopp,
        decision_id: decision.id,
        key,
        schedule,
        population_date,
    };
    let parts = berakna(app, a, &g).await?;
    Ok((g, parts))
}

/// Registers a grant for a year with its split (a conflict with the existing id if the year has one).
pub async fn nytt_bidrag(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    f: Bidragsforslag,
) -> Result<(Bidrag, Vec<Andel>), AppError> {
    let a = crate::avtal::hantera(app, p, agreement_id).await?;
    let (g, rows) = tolka(app, &a, f).await?;
    let g = bidrag::create(&app.store, Some(&p.user_id), &g, &rows).await?;
    Ok((g, rows))
}

/// A year's grant of an agreement `p` may read, with its split (public among the readers).
pub async fn arets(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    year: i64,
) -> Result<(Avtal, Bidrag, Vec<Andel>), AppError> {
    let a = crate::avtal::las(app, p, agreement_id).await?;
    let g = bidrag::for_year(&app.store, &a.id, ar(year)?).await?;
    let rows = fordelning(app, &a, &g).await?;
    Ok((a, g, rows))
}

/// Every grant of an agreement `a` (read through `avtal::las`), with its split and decision.
pub async fn alla(app: &App, a: &Avtal) -> Result<Vec<(Bidrag, Vec<Andel>, Beslut)>, AppError> {
    let mut out = Vec::new();
    for g in bidrag::list(&app.store, &a.id).await? {
        let rows = fordelning(app, a, &g).await?;
        let d = avtal::get_decision(&app.store, &g.decision_id).await?;
        out.push((g, rows, d));
    }
    Ok(out)
}

/// One municipality's invoice basis for a year.
pub struct Fakturaunderlag {
    pub avtal: Avtal,
    pub bidrag: Bidrag,
    pub kommun: Kommunkod,
    pub andel: Andel,
    pub beslut: Beslut,
    /// The payee's organisation number, where the register has it.
    pub mottagarens_orgnr: Option<String>,
    /// The payer's organisation number, where the agreement's managers entered it
    /// (`satt_betalarens_orgnr`).
    pub betalarens_orgnr: Option<String>,
}

impl Fakturaunderlag {
    /// The reference a payment names: the agreement's reference, the year and the payer's code.
    pub fn betalningsreferens(&self) -> String {
        format!(
            "{}/{}/{}",
            self.avtal.version.reference, self.bidrag.year, self.kommun
        )
    }
}

/// A municipality's invoice basis for a year: for those who read the agreement, a municipal
/// official only for their own municipality (`Action::LasFakturaunderlag`). Each read is audited.
pub async fn fakturaunderlag(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    year: i64,
    kod: &str,
) -> Result<Fakturaunderlag, AppError> {
    let a = avtal::get(&app.store, agreement_id).await?;
    let kommun = Kommunkod::parse(kod)?;
    app.tillat(
        p,
        Action::LasFakturaunderlag(Some((a.omfang(), kommun))),
        &format!("{}/{kommun}", a.id),
    )
    .await?;
    let g = bidrag::for_year(&app.store, &a.id, ar(year)?).await?;
    let andel = fordelning(app, &a, &g)
        .await?
        .into_iter()
        .find(|r| r.kommun == kommun)
        .ok_or_else(AppError::not_found)?;
    let beslut = avtal::get_decision(&app.store, &g.decision_id).await?;
    boj_store::audit::record(
        &app.store,
        Some(&p.user_id),
        "fakturaunderlag.hamtat",
        Some(&format!("{}/{}/{kommun}", a.id, g.year)),
    )
    .await?;
    let mottagarens_orgnr = boj_store::orgs::get(&app.store, &a.organisation_id)
        .await?
        .orgnr;
    let betalarens_orgnr = bidrag::betalarnas_orgnr(&app.store, &a.id)
        .await?
        .remove(&kommun.to_string());
    Ok(Fakturaunderlag {
        avtal: a,
        bidrag: g,
        kommun,
        andel,
        beslut,
        mottagarens_orgnr,
        betalarens_orgnr,
    })
}

/// The payers' organisation numbers of an agreement `p` may read, by municipality code.
pub async fn betalarnas_orgnr(
    app: &App,
    p: &Principal,
    agreement_id: &str,
) -> Result<std::collections::BTreeMap<String, String>, AppError> {
    let a = crate::avtal::las(app, p, agreement_id).await?;
    Ok(bidrag::betalarnas_orgnr(&app.store, &a.id).await?)
}

/// Enters (or, given an empty text, removes) a party municipality's organisation number, which
/// its invoice bases name as the payer's: for those who manage the agreement, for a municipality
/// among its current parties. Audited with the agreement and the municipality code.
pub async fn satt_betalarens_orgnr(
    app: &App,
    p: &Principal,
    agreement_id: &str,
    kod: &str,
    orgnr: &str,
) -> Result<Option<boj_domain::Organisationsnummer>, AppError> {
    let a = crate::avtal::hantera(app, p, agreement_id).await?;
    let kommun = Kommunkod::parse(kod)?;
    if !a.version.parter.contains(&kommun) {
        return Err(boj_domain::DomainError::new(
            Code::OgiltigForfragan,
            format!(
                "{} ({kommun}) är inte part i överenskommelsen.",
                kommun.namn()
            ),
        )
        .falt("orgnr")
        .into());
    }
    let nr = match orgnr.trim() {
        "" => None,
        t => Some(boj_domain::Organisationsnummer::parse(t).map_err(|e| e.falt("orgnr"))?),
    };
    bidrag::satt_betalarens_orgnr(&app.store, Some(&p.user_id), &a.id, kommun, nr).await?;
    Ok(nr)
}

/// The population reference dates on file, newest first (SCB's public figures).
pub async fn befolkningsdatum(app: &App) -> Result<Vec<String>, AppError> {
    Ok(bidrag::population_dates(&app.store).await?)
}

/// Imports SCB's population file (`boj_domain::folkmangd`), all rows or none, for reference date
/// `datum` (empty: 31 December of the file's year, SPEC § 4). A county strategist imports the
/// municipalities of their own county (a national file is welcome; the other counties' rows are
/// left); `p` is `None` for the operator on the command line, who imports every row. Answers the
/// date and the number of municipalities imported.
pub async fn importera_befolkning(
    app: &App,
    p: Option<&Principal>,
    bytes: &[u8],
    datum: &str,
) -> Result<(Datum, usize), AppError> {
    if let Some(p) = p {
        authorize(p, Action::HanteraBefolkning)?;
    }
    let mut parsed = folkmangd::las(bytes).map_err(|e| AppError::from(folkmangd::fel(&e)))?;
    if let Some(Principal {
        scope: Scope::Lan(lan),
        ..
    }) = p
    {
        parsed.rader.retain(|(k, _)| k.lan() == *lan);
        if parsed.rader.is_empty() {
            return Err(ogiltig(
                Code::OgiltigFil,
                "Filen har inga kommuner i ditt län.",
            ));
        }
    }
    let date = referensdatum(datum, parsed.ar)?;
    bidrag::import_population(
        &app.store,
        p.map(|p| p.user_id.as_str()),
        date,
        &parsed.rader,
    )
    .await?;
    Ok((date, parsed.rader.len()))
}

/// The reference date: as given, else 31 December of the file's year (SPEC § 4).
fn referensdatum(given: &str, year: Option<i16>) -> Result<Datum, AppError> {
    if !given.trim().is_empty() {
        return Ok(Datum::parse(given)?);
    }
    let y = year.ok_or_else(|| {
        ogiltig(
            Code::OgiltigtDatum,
            "Filen anger inget år; ange referensdatum.",
        )
    })?;
    Ok(Datum::parse(&format!("{y}-12-31"))?)
}
