//! The counters of failed sign-ins (SPEC § 6; the rule is `boj_domain::inloggning`), in the
//! database so that several instances count together. A key is `konto:<user id>` or
//! `adress:<client address>`; a name no account has is counted by its address only (nothing of
//! what was typed into the name field is stored: people type passwords into it).
//!
//! An attempt is **reserved** before its password is tried ([`reservera`]): the counters are read
//! and, when no wait applies, raised by one in the same transaction (queued behind every other
//! writer on SQLite, the rows locked on PostgreSQL). So attempts sent at once cannot all slip
//! through before the first failure is written; a success gives its reservation back.

use crate::{Result, Store, audit};
use boj_domain::inloggning::{GLOMS, Raknare};
use sqlx::Row;

/// The key of an account's counter.
pub fn konto(user_id: &str) -> String {
    format!("konto:{user_id}")
}

/// The key of a client address's counter.
pub fn adress(addr: &str) -> String {
    format!("adress:{}", boj_domain::inloggning::adressdel(addr))
}

/// What reserving an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Wait this many seconds; nothing was counted.
    Vanta(i64),
    /// The attempt is counted as a failure until [`lyckad`] gives it back; `sparrad`: a failure
    /// of this attempt starts a wait.
    Reserverad { sparrad: bool },
}

/// Reads the counters of `keys` and, unless the rule makes the attempt wait, counts it on each, in
/// one transaction.
pub async fn reservera(store: &Store, keys: &[String]) -> Result<Reservation> {
    let now = store.now();
    let mut tx = store.begin().await?;
    let mut raknare = Vec::new();
    for k in keys {
        sqlx::query(
            "INSERT INTO signin_failures (key, failures, last_failure) VALUES ($1, 0, 0) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(k.clone())
        .execute(&mut *tx.tx)
        .await?;
        let sql = match store.backend() {
            crate::Backend::Postgres => {
                "SELECT failures, last_failure FROM signin_failures WHERE key = $1 FOR UPDATE"
            }
            crate::Backend::Sqlite => {
                "SELECT failures, last_failure FROM signin_failures WHERE key = $1"
            }
        };
        let r = sqlx::query(sql)
            .bind(k.clone())
            .fetch_one(&mut *tx.tx)
            .await?;
        raknare.push(Raknare {
            misslyckade: u32::try_from(r.try_get::<i64, _>("failures")?).unwrap_or(u32::MAX),
            senast: r.try_get("last_failure")?,
        });
    }
    let (konto, adress) = match raknare.as_slice() {
        [k, a] => (*k, *a),
        [a] => (Raknare::default(), *a),
        _ => (Raknare::default(), Raknare::default()),
    };
    let vanta = boj_domain::inloggning::vanta(konto, adress, now);
    if vanta > 0 {
        tx.commit().await?;
        return Ok(Reservation::Vanta(vanta));
    }
    for (k, r) in keys.iter().zip(&raknare) {
        let efter = r.misslyckad(now);
        sqlx::query("UPDATE signin_failures SET failures = $1, last_failure = $2 WHERE key = $3")
            .bind(i64::from(efter.misslyckade))
            .bind(efter.senast)
            .bind(k.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await?;
    let sparrad =
        boj_domain::inloggning::vanta(konto.misslyckad(now), adress.misslyckad(now), now) > 0;
    Ok(Reservation::Reserverad { sparrad })
}

/// Writes the audit entries of a failed attempt (its reservation stays counted), `handling` its
/// action: with the account's id when the name is an account's — never the name typed, the
/// password or the code.
pub async fn misslyckad(
    store: &Store,
    actor: Option<&str>,
    sparrad: bool,
    handling: &str,
) -> Result<()> {
    let now = store.now();
    let mut tx = store.begin().await?;
    audit::append(&mut tx, now, actor, handling, None).await?;
    if sparrad {
        audit::append(&mut tx, now, actor, "inloggning.sparrad", None).await?;
    }
    tx.commit().await
}

/// A successful sign-in clears the account's counter and gives the address its reservation back.
pub async fn lyckad(store: &Store, konto: &str, adress: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM signin_failures WHERE key = $1")
        .bind(konto.to_string())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "UPDATE signin_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0",
    )
    .bind(adress.to_string())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// Forgets counters whose last failure is older than the rule remembers (the janitor's work).
pub async fn rensa(store: &Store) -> Result<u64> {
    let mut tx = store.begin().await?;
    let n = sqlx::query("DELETE FROM signin_failures WHERE last_failure < $1")
        .bind(store.now() - GLOMS)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
