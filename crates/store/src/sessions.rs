//! Server-side sessions (SPEC § 6).
//!
//! The browser holds only a random 256-bit session id; the database holds its SHA-256, the user, the
//! sign-in stage and the CSRF token. A session expires after `idle` without use and after `absolute`
//! since sign-in, whichever comes first; an expired session is deleted when it is seen.
//!
//! The `stage` leaves room for a second factor: a session starts in [`Stage::Losenord`] when the role
//! needs one and is promoted to [`Stage::Klar`] once the second step succeeds. Only `Klar` sessions
//! authenticate requests.

use crate::users::{self, User};
use crate::{Result, Store, random_hex, sha256_hex};
use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; a second step is still due.
    Losenord,
    /// Fully signed in.
    Klar,
}

impl Stage {
    fn code(self) -> &'static str {
        match self {
            Stage::Losenord => "losenord",
            Stage::Klar => "klar",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Expiry {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl Default for Expiry {
    /// 30 minutes idle, 12 hours in all: a working day, and a short window on a shared computer.
    fn default() -> Self {
        Expiry {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 3600,
        }
    }
}

/// A live session as the web layer sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub stage: Stage,
    pub csrf_token: String,
}

/// What looking up a session id found.
#[derive(Debug)]
pub enum Lookup {
    Live(Session),
    Expired,
    Unknown,
}

/// A session just started: the secret id for the cookie (shown once, stored only hashed) and the
/// session.
#[derive(Debug, Clone)]
pub struct NySession {
    pub hemlighet: String,
    pub session: Session,
}

/// Starts a session. The caller has checked the password.
pub async fn create(store: &Store, user: &User, stage: Stage) -> Result<NySession> {
    let secret = random_hex(32);
    let csrf = random_hex(32);
    let now = store.now();
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, stage, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(sha256_hex(&secret))
    .bind(user.id.clone())
    .bind(stage.code())
    .bind(csrf.clone())
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    crate::audit::append(&mut tx, now, Some(&user.id), "session.inloggad", None).await?;
    tx.commit().await?;
    Ok(NySession {
        hemlighet: secret,
        session: Session {
            user: user.clone(),
            stage,
            csrf_token: csrf,
        },
    })
}

/// Finds the session for a cookie value, enforcing both expiries and refreshing `last_seen_at`.
pub async fn lookup(store: &Store, secret: &str, expiry: Expiry) -> Result<Lookup> {
    let id_hash = sha256_hex(secret);
    let row = sqlx::query("SELECT user_id, stage, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
        .bind(id_hash.clone())
        .fetch_optional(store.pool())
        .await?;
    let Some(r) = row else {
        return Ok(Lookup::Unknown);
    };
    let now = store.now();
    let created: i64 = r.try_get("created_at")?;
    let seen: i64 = r.try_get("last_seen_at")?;
    if now - seen > expiry.idle_secs || now - created > expiry.absolute_secs {
        delete(store, secret).await?;
        return Ok(Lookup::Expired);
    }
    let user = match users::get(store, &r.try_get::<String, _>("user_id")?).await {
        Ok(u) if !u.disabled => u,
        Ok(_) | Err(crate::StoreError::NotFound) => {
            delete(store, secret).await?;
            return Ok(Lookup::Unknown);
        }
        Err(e) => return Err(e),
    };
    // Refresh at most once a minute: keeps idle expiry honest without a write per request.
    // Every write goes through the store's writer queue (`Store::begin`): on SQLite a write beside
    // it could make a queued transaction that has already read fail at once ("database is locked",
    // a read transaction is not let to wait for the write lock).
    if now - seen >= 60 {
        let mut tx = store.begin().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
    }
    let stage = if r.try_get::<String, _>("stage")? == Stage::Klar.code() {
        Stage::Klar
    } else {
        Stage::Losenord
    };
    Ok(Lookup::Live(Session {
        user,
        stage,
        csrf_token: r.try_get("csrf_token")?,
    }))
}

/// Ends a session (sign-out, or expiry).
pub async fn delete(store: &Store, secret: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(sha256_hex(secret))
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Deletes every session past its expiry (run periodically by `serve`).
pub async fn purge_expired(store: &Store, expiry: Expiry) -> Result<u64> {
    let now = store.now();
    let mut tx = store.begin().await?;
    let n = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(now - expiry.idle_secs)
        .bind(now - expiry.absolute_secs)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
