//! Population figures and grants (SPEC § 3.4). The split itself is `boj_domain::fordelning`.

use crate::{Result, Store, StoreError, audit, conflict_or, new_id};
use boj_domain::fordelning::{Andel, Nyckel, Schema};
use boj_domain::{Code, Datum, DomainError, Kommunkod, Kronor};
use sqlx::Row;

/// Stores a whole population file for one reference date, replacing earlier figures for that date.
pub async fn import_population(
    store: &Store,
    actor: Option<&str>,
    date: Datum,
    rows: &[(Kommunkod, u64)],
) -> Result<()> {
    let now = store.now();
    let mut tx = store.begin().await?;
    for (k, n) in rows {
        sqlx::query("DELETE FROM population WHERE municipality = $1 AND reference_date = $2")
            .bind(k.to_string())
            .bind(date.to_string())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO population (municipality, reference_date, population, imported_at) VALUES ($1, $2, $3, $4)")
            .bind(k.to_string())
            .bind(date.to_string())
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(
        &mut tx,
        now,
        actor,
        "befolkning.importerad",
        Some(&date.to_string()),
    )
    .await?;
    tx.commit().await
}

/// Population of a municipality at a reference date.
pub async fn population(store: &Store, k: Kommunkod, date: Datum) -> Result<Option<u64>> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT population FROM population WHERE municipality = $1 AND reference_date = $2",
    )
    .bind(k.to_string())
    .bind(date.to_string())
    .fetch_optional(store.pool())
    .await?;
    Ok(n.and_then(|n| u64::try_from(n).ok()))
}

/// The reference dates on file, newest first.
pub async fn population_dates(store: &Store) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT reference_date FROM population ORDER BY reference_date DESC",
    )
    .fetch_all(store.pool())
    .await?)
}

/// A grant of an agreement for a year.
#[derive(Debug, Clone)]
pub struct Bidrag {
    pub id: String,
    pub agreement_id: String,
    pub year: i16,
    pub amount: Kronor,
    pub decision_id: String,
    pub key: Nyckel,
    pub schedule: Schema,
    /// The population reference date the key uses.
    pub population_date: Option<Datum>,
}

fn key_columns(key: &Nyckel) -> (Option<i64>, Option<String>) {
    match key {
        Nyckel::GrundPlusBefolkning { grund } => (i64::try_from(grund.whole()).ok(), None),
        Nyckel::FastaAndelar(a) => (
            None,
            Some(
                a.iter()
                    .map(|(k, bp)| format!("{k}={bp}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ),
        _ => (None, None),
    }
}

/// Registers a grant with its split (`parts`, computed by `boj_domain::fordelning::fordela`).
pub async fn create(
    store: &Store,
    actor: Option<&str>,
    g: &Bidrag,
    parts: &[Andel],
) -> Result<Bidrag> {
    let id = new_id("g");
    let (base, shares) = key_columns(&g.key);
    let now = store.now();
    let mut tx = store.begin().await?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM grants WHERE agreement_id = $1 AND year = $2")
            .bind(g.agreement_id.clone())
            .bind(i64::from(g.year))
            .fetch_optional(&mut *tx.tx)
            .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict(existing));
    }
    sqlx::query(
        "INSERT INTO grants (id, agreement_id, year, amount, decision_id, split_key, base_amount, shares, schedule, population_date, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.clone())
    .bind(g.agreement_id.clone())
    .bind(i64::from(g.year))
    .bind(i64::try_from(g.amount.whole()).unwrap_or(i64::MAX))
    .bind(g.decision_id.clone())
    .bind(g.key.code())
    .bind(base)
    .bind(shares)
    .bind(g.schedule.code())
    .bind(g.population_date.map(|d| d.to_string()))
    .bind(now)
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| conflict_or(e, None))?;
    for p in parts {
        sqlx::query("INSERT INTO grant_parts (grant_id, municipality, population, amount, instalments) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.clone())
            .bind(p.kommun.to_string())
            .bind(p.folkmangd.and_then(|n| i64::try_from(n).ok()))
            .bind(i64::try_from(p.belopp).unwrap_or(i64::MAX))
            .bind(p.delbetalningar.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(&mut tx, now, actor, "bidrag.registrerat", Some(&id)).await?;
    tx.commit().await?;
    Ok(Bidrag { id, ..g.clone() })
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Bidrag> {
    let corrupt = |w: &str| StoreError::Other(format!("ogiltigt värde i grants.{w}"));
    let base: Option<i64> = r.try_get("base_amount")?;
    let shares: Option<String> = r.try_get("shares")?;
    let key = match r.try_get::<String, _>("split_key")?.as_str() {
        "befolkning" => Nyckel::Befolkning,
        "lika" => Nyckel::Lika,
        "grund_plus_befolkning" => Nyckel::GrundPlusBefolkning {
            grund: Kronor::from_whole(base.and_then(|b| u64::try_from(b).ok()).unwrap_or(0))
                .map_err(|_| corrupt("base_amount"))?,
        },
        "fasta_andelar" => Nyckel::FastaAndelar(
            shares
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let (k, bp) = s.split_once('=').ok_or_else(|| corrupt("shares"))?;
                    Ok((
                        Kommunkod::parse(k).map_err(|_| corrupt("shares"))?,
                        bp.parse().map_err(|_| corrupt("shares"))?,
                    ))
                })
                .collect::<Result<_>>()?,
        ),
        _ => return Err(corrupt("split_key")),
    };
    Ok(Bidrag {
        id: r.try_get("id")?,
        agreement_id: r.try_get("agreement_id")?,
        year: i16::try_from(r.try_get::<i64, _>("year")?).map_err(|_| corrupt("year"))?,
        amount: Kronor::from_whole(u64::try_from(r.try_get::<i64, _>("amount")?).unwrap_or(0))
            .map_err(|_| corrupt("amount"))?,
        decision_id: r.try_get("decision_id")?,
        key,
        schedule: Schema::parse(&r.try_get::<String, _>("schedule")?)
            .map_err(|_| corrupt("schedule"))?,
        population_date: r
            .try_get::<Option<String>, _>("population_date")?
            .map(|d| Datum::parse(&d))
            .transpose()
            .map_err(|_| corrupt("population_date"))?,
    })
}

const COLUMNS: &str = "id, agreement_id, year, amount, decision_id, split_key, base_amount, shares, schedule, population_date";

/// The grants of an agreement, by year.
pub async fn list(store: &Store, agreement_id: &str) -> Result<Vec<Bidrag>> {
    let sql = format!("SELECT {COLUMNS} FROM grants WHERE agreement_id = $1 ORDER BY year");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn for_year(store: &Store, agreement_id: &str, year: i16) -> Result<Bidrag> {
    let sql = format!("SELECT {COLUMNS} FROM grants WHERE agreement_id = $1 AND year = $2");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .bind(i64::from(year))
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// Refuses a grant whose year or decision does not fit the agreement.
pub fn check_year(year: i64) -> Result<i16> {
    i16::try_from(year)
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            StoreError::Domain(DomainError::new(
                Code::OgiltigForfragan,
                "Året ska vara mellan 2000 och 2100.",
            ))
        })
}

/// A grant's split as it was decided.
pub async fn parts(store: &Store, grant_id: &str) -> Result<Vec<Andel>> {
    let rows = sqlx::query("SELECT municipality, population, amount, instalments FROM grant_parts WHERE grant_id = $1 ORDER BY municipality")
        .bind(grant_id.to_string())
        .fetch_all(store.pool())
        .await?;
    let corrupt = || StoreError::Other("ogiltigt värde i grant_parts".into());
    rows.iter()
        .map(|r| {
            Ok(Andel {
                kommun: Kommunkod::parse(&r.try_get::<String, _>("municipality")?)
                    .map_err(|_| corrupt())?,
                folkmangd: r
                    .try_get::<Option<i64>, _>("population")?
                    .and_then(|n| u64::try_from(n).ok()),
                belopp: u64::try_from(r.try_get::<i64, _>("amount")?).map_err(|_| corrupt())?,
                delbetalningar: r
                    .try_get::<String, _>("instalments")?
                    .split(',')
                    .map(|x| x.parse::<u64>().map_err(|_| corrupt()))
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
}

/// The payers' organisation numbers the agreement's managers entered, by municipality code.
pub async fn betalarnas_orgnr(
    store: &Store,
    agreement_id: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    let rows = sqlx::query(
        "SELECT municipality, orgnr FROM party_orgnr WHERE agreement_id = $1 ORDER BY municipality",
    )
    .bind(agreement_id.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("municipality")?, r.try_get("orgnr")?)))
        .collect()
}

/// Sets (or, with `None`, removes) a party municipality's organisation number for an agreement,
/// audited in the same transaction.
pub async fn satt_betalarens_orgnr(
    store: &Store,
    actor: Option<&str>,
    agreement_id: &str,
    kommun: Kommunkod,
    orgnr: Option<boj_domain::Organisationsnummer>,
) -> Result<()> {
    let now = store.now();
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM party_orgnr WHERE agreement_id = $1 AND municipality = $2")
        .bind(agreement_id.to_string())
        .bind(kommun.to_string())
        .execute(&mut *tx.tx)
        .await?;
    if let Some(nr) = orgnr {
        sqlx::query(
            "INSERT INTO party_orgnr (agreement_id, municipality, orgnr, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(agreement_id.to_string())
        .bind(kommun.to_string())
        .bind(nr.to_string())
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        now,
        actor,
        "avtal.betalarens_orgnr",
        Some(&format!("{agreement_id}/{kommun}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
