//! Issued reports, their signing keys and what each counted (SPEC § 3.3).
//!
//! An issued report is never changed: a correction is a new row (the next edition). Each cycle
//! report records the items it counted with their values as counted (`report_items`), which is how
//! every case is reported exactly once and how the coordinator sees what changed since.

use crate::nycklar::Nyckelring;
use crate::{Result, Store, StoreError, Tx, audit, new_id};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An issued report without its document and record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rapport {
    pub id: String,
    pub agreement_id: String,
    pub period: String,
    pub edition: i64,
    /// A cycle report (counts items) rather than a sum of cycle reports.
    pub cycle: bool,
    pub parts: Vec<String>,
    pub issued_at: i64,
    pub issued_by: Option<String>,
    /// The edition's reason code (published).
    pub reason: Option<String>,
    /// The coordinator's free text on it (the organisation's record only).
    pub reason_note: Option<String>,
    pub digest: String,
    pub key_id: String,
}

const COLUMNS: &str = "id, agreement_id, period, edition, cycle, parts, issued_at, issued_by, reason, reason_note, digest, key_id";

fn from_row(r: &AnyRow) -> Result<Rapport> {
    let parts: String = r.try_get("parts")?;
    Ok(Rapport {
        id: r.try_get("id")?,
        agreement_id: r.try_get("agreement_id")?,
        period: r.try_get("period")?,
        edition: r.try_get("edition")?,
        cycle: r.try_get::<i64, _>("cycle")? == 1,
        parts: parts.split_whitespace().map(str::to_string).collect(),
        issued_at: r.try_get("issued_at")?,
        issued_by: r.try_get("issued_by")?,
        reason: r.try_get("reason")?,
        reason_note: r.try_get("reason_note")?,
        digest: r.try_get("digest")?,
        key_id: r.try_get("key_id")?,
    })
}

/// Every edition of every report of an agreement, oldest first.
pub async fn of_agreement(store: &Store, agreement_id: &str) -> Result<Vec<Rapport>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE agreement_id = $1 ORDER BY issued_at, period, edition"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn get(store: &Store, id: &str) -> Result<Rapport> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The signed document exactly as published.
pub async fn document(store: &Store, id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT document FROM reports WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The organisation's record of a report (true values and reasons).
pub async fn record(store: &Store, id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT record FROM reports WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// (kind, item id, snapshot) of what a cycle report counted.
pub async fn items(store: &Store, report_id: &str) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT kind, item_id, snapshot FROM report_items WHERE report_id = $1 ORDER BY kind, item_id",
    )
    .bind(report_id.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("kind")?,
                r.try_get("item_id")?,
                r.try_get("snapshot")?,
            ))
        })
        .collect()
}

/// Ids of the items of `kind` that some report of the agreement has counted.
pub async fn reported(
    store: &Store,
    agreement_id: &str,
    kind: &str,
) -> Result<std::collections::HashSet<String>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT i.item_id FROM report_items i JOIN reports r ON r.id = i.report_id \
         WHERE r.agreement_id = $1 AND i.kind = $2",
    )
    .bind(agreement_id.to_string())
    .bind(kind.to_string())
    .fetch_all(store.pool())
    .await?;
    Ok(ids.into_iter().collect())
}

/// Takes the agreement's report lock for the rest of the transaction (PostgreSQL: the agreement's
/// row; SQLite has one writer at a time) and answers how many reports it has.
pub async fn lock(store: &Store, tx: &mut Tx, agreement_id: &str) -> Result<i64> {
    if store.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM agreements WHERE id = $1 FOR UPDATE")
            .bind(agreement_id.to_string())
            .fetch_optional(&mut *tx.tx)
            .await?;
    }
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE agreement_id = $1")
            .bind(agreement_id.to_string())
            .fetch_one(&mut *tx.tx)
            .await?,
    )
}

/// A report to store.
pub struct NyRapport<'a> {
    pub agreement_id: &'a str,
    pub period: &'a str,
    pub edition: i64,
    pub cycle: bool,
    pub parts: &'a [String],
    pub issued_at: i64,
    /// The edition's reason, a code (published).
    pub reason: Option<&'a str>,
    /// The coordinator's free text on the edition: the organisation's record only.
    pub reason_note: Option<&'a str>,
    pub document: &'a str,
    pub digest: &'a str,
    pub key_id: &'a str,
    pub record: &'a str,
    pub items: &'a [(&'static str, String, String)],
}

/// Writes a report (in the caller's transaction, so an edition and the re-issued longer periods
/// land together) with its audit entry. The unique index refuses a second report of an edition.
pub async fn insert(tx: &mut Tx, actor: Option<&str>, id: &str, n: &NyRapport<'_>) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO reports (id, agreement_id, period, edition, cycle, parts, issued_at, issued_by, reason, \
         reason_note, document, digest, key_id, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id.to_string())
    .bind(n.agreement_id.to_string())
    .bind(n.period.to_string())
    .bind(n.edition)
    .bind(i64::from(n.cycle))
    .bind(n.parts.join(" "))
    .bind(n.issued_at)
    .bind(actor.map(str::to_string))
    .bind(n.reason.map(str::to_string))
    .bind(n.reason_note.map(str::to_string))
    .bind(n.document.to_string())
    .bind(n.digest.to_string())
    .bind(n.key_id.to_string())
    .bind(n.record.to_string())
    .execute(&mut *tx.tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &r
        && e.is_unique_violation()
    {
        return Err(StoreError::Conflict(None));
    }
    r?;
    for (kind, item, snapshot) in n.items {
        sqlx::query(
            "INSERT INTO report_items (report_id, kind, item_id, snapshot) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(kind.to_string())
        .bind(item.clone())
        .bind(snapshot.clone())
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(tx, n.issued_at, actor, "rapport.utfardad", Some(id)).await
}

/// A public signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nyckel {
    pub id: String,
    pub organisation_id: String,
    pub public_key: Vec<u8>,
    pub created_at: i64,
}

pub async fn public_keys(store: &Store) -> Result<Vec<Nyckel>> {
    let rows = sqlx::query(
        "SELECT id, organisation_id, public_key, created_at FROM signing_keys ORDER BY created_at, id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Nyckel {
                id: r.try_get("id")?,
                organisation_id: r.try_get("organisation_id")?,
                public_key: r.try_get("public_key")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The organisation's signing key (id and private key), created on first use. The private key is
/// kept wrapped by the master key.
pub async fn signing_key(
    store: &Store,
    keys: &Nyckelring,
    organisation_id: &str,
) -> Result<(String, zeroize::Zeroizing<[u8; 32]>)> {
    let row = sqlx::query(
        "SELECT id, wrapped FROM signing_keys WHERE organisation_id = $1 ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(organisation_id.to_string())
    .fetch_optional(store.pool())
    .await?;
    if let Some(r) = row {
        let id: String = r.try_get("id")?;
        let wrapped: Vec<u8> = r.try_get("wrapped")?;
        let key = keys.unwrap_key(&wrapped, &format!("signing_keys.wrapped:{id}"))?;
        return Ok((id, key));
    }
    let id = new_id("k");
    let key = Nyckelring::new_data_key();
    let public = boj_rapport::signatur::publik(&key);
    let wrapped = keys.wrap(&key, &format!("signing_keys.wrapped:{id}"))?;
    let now = store.now();
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO signing_keys (id, organisation_id, public_key, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.clone())
    .bind(organisation_id.to_string())
    .bind(public.to_vec())
    .bind(wrapped)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(&mut tx, now, None, "nyckel.skapad", Some(&id)).await?;
    tx.commit().await?;
    Ok((id, key))
}

/// Activities of an agreement's cases: (id, case id, date, kind, mode, minutes, registered_at).
pub async fn activities(
    store: &Store,
    agreement_id: &str,
) -> Result<Vec<(String, String, String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT a.id, a.case_id, a.date, a.kind, a.mode, a.minutes, a.registered_at FROM activities a \
         JOIN cases c ON c.id = a.case_id WHERE c.agreement_id = $1 ORDER BY a.case_id, a.id",
    )
    .bind(agreement_id.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("case_id")?,
                r.try_get("date")?,
                r.try_get("kind")?,
                r.try_get("mode")?,
                r.try_get("minutes")?,
                r.try_get("registered_at")?,
            ))
        })
        .collect()
}

/// Witness-support sessions of an organisation: (id, date, [vittne, malsagande, anhorig_van,
/// tilltalad], registered_at).
pub async fn witness_sessions(
    store: &Store,
    organisation_id: &str,
) -> Result<Vec<(String, String, [i64; 4], i64)>> {
    let rows = sqlx::query(
        "SELECT id, date, vittne, malsagande, anhorig_van, tilltalad, registered_at FROM witness_support \
         WHERE organisation_id = $1 ORDER BY date, id",
    )
    .bind(organisation_id.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("date")?,
                [
                    r.try_get("vittne")?,
                    r.try_get("malsagande")?,
                    r.try_get("anhorig_van")?,
                    r.try_get("tilltalad")?,
                ],
                r.try_get("registered_at")?,
            ))
        })
        .collect()
}

/// Volunteer hours of an organisation: (id, month YYYY-MM, kind, hundredths, registered_at).
pub async fn volunteer_hours(
    store: &Store,
    organisation_id: &str,
) -> Result<Vec<(String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT id, month, kind, hundredths, registered_at FROM volunteer_hours WHERE organisation_id = $1 \
         ORDER BY month, id",
    )
    .bind(organisation_id.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("month")?,
                r.try_get("kind")?,
                r.try_get("hundredths")?,
                r.try_get("registered_at")?,
            ))
        })
        .collect()
}

/// Writes an audit entry for a download of a report.
pub async fn log_download(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    format: &str,
) -> Result<()> {
    let mut tx = store.begin().await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        &format!("rapport.hamtad.{format}"),
        Some(id),
    )
    .await?;
    tx.commit().await
}
