//! API bearer tokens (SPEC § 4): created on the command line for one user, expiring (90 days unless
//! told otherwise), stored only as SHA-256 hashes, revocable.
//!
//! A token reads `boj_<id>_<secret>`; the id part lets an operator revoke it by id without ever
//! seeing the secret again.

use crate::users::{self, User};
use crate::{Result, Store, StoreError, audit, new_id, random_hex, sha256_hex};
use sqlx::Row;

pub const DEFAULT_DAYS: i64 = 90;

pub struct NewToken {
    pub id: String,
    /// Shown once, never stored.
    pub token: String,
    pub expires_at: i64,
}

pub async fn create(
    store: &Store,
    actor: Option<&str>,
    user: &User,
    days: i64,
) -> Result<NewToken> {
    if !(1..=366).contains(&days) {
        return Err(StoreError::Domain(boj_domain::DomainError::new(
            boj_domain::Code::OgiltigForfragan,
            "En token kan gälla 1–366 dagar.",
        )));
    }
    let id = new_id("t");
    let token = format!("boj_{id}_{}", random_hex(32));
    let now = store.now();
    let expires_at = now + days * 86_400;
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO api_tokens (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.clone())
        .bind(user.id.clone())
        .bind(sha256_hex(&token))
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(&mut tx, now, actor, "token.skapad", Some(&id)).await?;
    tx.commit().await?;
    Ok(NewToken {
        id,
        token,
        expires_at,
    })
}

/// The user a token belongs to, if the token is known, unexpired, unrevoked and its user enabled.
pub async fn authenticate(store: &Store, token: &str) -> Result<Option<User>> {
    // One query: the token and its user (this runs on every API request).
    let cols = users::COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols}, t.expires_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(sha256_hex(token))
        .fetch_optional(store.pool())
        .await?;
    let Some(r) = row else { return Ok(None) };
    let revoked: Option<i64> = r.try_get("revoked_at")?;
    if revoked.is_some() || r.try_get::<i64, _>("expires_at")? <= store.now() {
        return Ok(None);
    }
    let user = users::from_row(&r)?;
    Ok((!user.disabled).then_some(user))
}

/// A token as the admin's list shows it: never its secret (only its hash is stored anyway).
#[derive(Debug, Clone)]
pub struct Tokenrad {
    pub id: String,
    pub user_name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// Every token, newest first, with its user's name.
pub async fn list(store: &Store) -> Result<Vec<Tokenrad>> {
    let rows = sqlx::query(
        "SELECT t.id, u.name, t.created_at, t.expires_at, t.revoked_at FROM api_tokens t \
         JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Tokenrad {
                id: r.try_get("id")?,
                user_name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

pub async fn revoke(store: &Store, actor: Option<&str>, id: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    let n =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(store.now())
            .bind(id.to_string())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, store.now(), actor, "token.aterkallad", Some(id)).await?;
    tx.commit().await
}
