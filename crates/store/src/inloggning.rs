//! The counters of failed sign-ins (SPEC § 6; the rule is `boj_domain::inloggning`), in the
//! database so that several instances count together. A key is `konto:<user id>`,
//! `namn:<SHA-256 of the name>` for a name no account has (the name itself is never stored: people
//! type passwords into it), or `adress:<client address>`.

use crate::{Result, Store, audit, sha256_hex};
use boj_domain::inloggning::{GLOMS, Raknare};
use sqlx::Row;

/// The key of an account's counter.
pub fn konto(user_id: &str) -> String {
    format!("konto:{user_id}")
}

/// The key of the counter of a name no account has.
pub fn namn(name: &str) -> String {
    format!("namn:{}", sha256_hex(&name.trim().to_lowercase()))
}

/// The key of a client address's counter.
pub fn adress(addr: &str) -> String {
    format!("adress:{addr}")
}

/// A counter as stored (zero when there is none).
pub async fn raknare(store: &Store, key: &str) -> Result<Raknare> {
    let row = sqlx::query("SELECT failures, last_failure FROM signin_failures WHERE key = $1")
        .bind(key.to_string())
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => Raknare {
            misslyckade: u32::try_from(r.try_get::<i64, _>("failures")?).unwrap_or(u32::MAX),
            senast: r.try_get("last_failure")?,
        },
        None => Raknare::default(),
    })
}

/// Counts a failed sign-in on every key, in one transaction with its audit entry (`actor`: the
/// account's user id when the name is an account's; never the name or the password). `sparrad`:
/// the failure starts a wait, recorded as a lockout.
pub async fn misslyckad(
    store: &Store,
    keys: &[String],
    actor: Option<&str>,
    sparrad: bool,
) -> Result<()> {
    let now = store.now();
    let mut tx = store.begin().await?;
    for k in keys {
        sqlx::query(
            "INSERT INTO signin_failures (key, failures, last_failure) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN $2 - signin_failures.last_failure > $3 THEN 1 ELSE signin_failures.failures + 1 END, \
             last_failure = $2",
        )
        .bind(k.clone())
        .bind(now)
        .bind(GLOMS)
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(&mut tx, now, actor, "inloggning.misslyckad", None).await?;
    if sparrad {
        audit::append(&mut tx, now, actor, "inloggning.sparrad", None).await?;
    }
    tx.commit().await
}

/// A successful sign-in clears the account's counter.
pub async fn lyckad(store: &Store, key: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM signin_failures WHERE key = $1")
        .bind(key.to_string())
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
