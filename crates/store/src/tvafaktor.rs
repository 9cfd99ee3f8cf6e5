//! The second factor's storage (SPEC § 6): each account's TOTP secret sealed with the master key
//! (`user_totp.sealed:<user id>` as associated data), whether it is confirmed, the last time step
//! accepted (a code is accepted once), and one-time recovery codes as SHA-256 hashes.

use crate::nycklar::Nyckelring;
use crate::{Result, Store, audit, sha256_hex};
use sqlx::Row;
use zeroize::Zeroizing;

/// An account's second factor as stored.
pub struct Tvafaktor {
    pub hemlighet: Zeroizing<[u8; 32]>,
    pub bekraftad: bool,
    pub senaste_steg: i64,
}

fn aad(user_id: &str) -> String {
    format!("user_totp.sealed:{user_id}")
}

/// The account's second factor, if one is stored.
pub async fn hamta(store: &Store, keys: &Nyckelring, user_id: &str) -> Result<Option<Tvafaktor>> {
    let row = sqlx::query("SELECT sealed, confirmed, last_step FROM user_totp WHERE user_id = $1")
        .bind(user_id.to_string())
        .fetch_optional(store.pool())
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let sealed: Vec<u8> = r.try_get("sealed")?;
    Ok(Some(Tvafaktor {
        hemlighet: keys.unwrap_key(&sealed, &aad(user_id))?,
        bekraftad: r.try_get::<i64, _>("confirmed")? != 0,
        senaste_steg: r.try_get("last_step")?,
    }))
}

/// Stores a new, unconfirmed secret for the account (replacing an unconfirmed one), or the given
/// secret confirmed (`bekraftad`: the demo's fixed secrets). A confirmed secret is never replaced
/// here: an operator resets it ([`aterstall`]).
pub async fn spara(
    store: &Store,
    keys: &Nyckelring,
    user_id: &str,
    hemlighet: &[u8; 32],
    bekraftad: bool,
) -> Result<()> {
    let sealed = keys.wrap(hemlighet, &aad(user_id))?;
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1 AND confirmed = 0")
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO user_totp (user_id, sealed, confirmed, last_step) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id.to_string())
    .bind(sealed)
    .bind(i64::from(bekraftad))
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// Accepts time step `steg` for the account, once: false if it, or a later one, was accepted
/// before (a replayed code).
pub async fn anvand_steg(store: &Store, user_id: &str, steg: i64) -> Result<bool> {
    let mut tx = store.begin().await?;
    let n =
        sqlx::query("UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
            .bind(steg)
            .bind(user_id.to_string())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    Ok(n == 1)
}

/// Confirms the account's secret with its first accepted step and stores the hashes of its
/// recovery codes, with the audit entry, in one transaction.
pub async fn bekrafta(store: &Store, user_id: &str, steg: i64, koder: &[String]) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("UPDATE user_totp SET confirmed = 1, last_step = $1 WHERE user_id = $2")
        .bind(steg)
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    for k in koder {
        sqlx::query(
            "INSERT INTO recovery_codes (code_hash, user_id, used_at) VALUES ($1, $2, NULL)",
        )
        .bind(sha256_hex(k))
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        store.now(),
        Some(user_id),
        "tvafaktor.registrerad",
        None,
    )
    .await?;
    tx.commit().await
}

/// Uses one of the account's recovery codes, once: false if it is unknown or used.
pub async fn anvand_reservkod(store: &Store, user_id: &str, kod: &str) -> Result<bool> {
    let now = store.now();
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(sha256_hex(kod.trim()))
    .bind(user_id.to_string())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 1 {
        audit::append(
            &mut tx,
            now,
            Some(user_id),
            "tvafaktor.reservkod_anvand",
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// Removes the account's second factor and recovery codes and ends its sessions (an operator's
/// reset, when the person has lost their app and their codes): the next sign-in enrols anew.
pub async fn aterstall(store: &Store, actor: Option<&str>, user_id: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    for sql in [
        "DELETE FROM user_totp WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
    ] {
        sqlx::query(sql)
            .bind(user_id.to_string())
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "tvafaktor.aterstalld",
        Some(user_id),
    )
    .await?;
    tx.commit().await
}
