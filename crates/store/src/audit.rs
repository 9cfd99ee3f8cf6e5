//! The append-only, hash-chained audit log (SPEC § 6).
//!
//! Every state change calls [`append`] inside its own transaction, so the entry and the change commit
//! together or not at all. Entry *n* stores `hash = SHA-256(prev_hash ‖ seq ‖ at ‖ actor ‖ action ‖
//! object)`; rewriting or cutting an entry breaks every later hash, which [`verify`] detects. The head
//! (`audit_head`) is updated first in the transaction: that row lock orders concurrent writers on
//! PostgreSQL, and on SQLite writers are serialised anyway.
//!
//! Entries hold user ids, action names and object ids — never anything about a help-seeker beyond a
//! case id.

use crate::{Result, Store, StoreError, Tx};
use boj_rapport::signatur::Kontrollpunkt;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub hash: String,
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: i64,
    actor: Option<&str>,
    action: &str,
    object: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        actor.unwrap_or(""),
        action,
        object.unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry in `tx`. `action` is a stable name such as `anvandare.skapad`.
pub async fn append(
    tx: &mut Tx,
    at: i64,
    actor: Option<&str>,
    action: &str,
    object: Option<&str>,
) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx.tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let hash = entry_hash(&prev, seq, at, actor, action, object);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor.map(str::to_string))
    .bind(action.to_string())
    .bind(object.map(str::to_string))
    .bind(prev)
    .bind(hash.clone())
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut *tx.tx)
        .await?;
    Ok(seq)
}

/// Appends one entry in a transaction of its own (for events that change nothing else, like a sign-in).
pub async fn record(
    store: &Store,
    actor: Option<&str>,
    action: &str,
    object: Option<&str>,
) -> Result<()> {
    let mut tx = store.begin().await?;
    append(&mut tx, store.now(), actor, action, object).await?;
    tx.commit().await
}

/// The action of a signed checkpoint entry.
pub const KONTROLLPUNKT: &str = "granskning.kontrollpunkt";

/// Signs the chain's head in `tx` with the instance's checkpoint key and appends the checkpoint as
/// the next entry (`granskning.kontrollpunkt`, its object the compact checkpoint). Returns the
/// signed head: (number, hash) — the entry just before the checkpoint.
pub async fn kontrollpunkt_in(tx: &mut Tx, at: i64, nyckel: &[u8; 32]) -> Result<Kontrollpunkt> {
    // Locks the head's row, so that nothing is appended between reading and signing it.
    let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx.tx)
        .await?;
    let k = Kontrollpunkt::signera(
        head.try_get("seq")?,
        &head.try_get::<String, _>("hash")?,
        nyckel,
    );
    append(tx, at, None, KONTROLLPUNKT, Some(&k.kompakt())).await?;
    Ok(k)
}

/// A checkpoint of the chain as it stands, in a transaction of its own — unless the newest entry is
/// a checkpoint already (nothing happened since), which is then answered.
pub async fn kontrollpunkt(store: &Store, nyckel: &[u8; 32]) -> Result<Kontrollpunkt> {
    let mut tx = store.begin().await?;
    let newest = sqlx::query(
        "SELECT l.action, l.object FROM audit_head h JOIN audit_log l ON l.seq = h.seq WHERE h.id = 1",
    )
    .fetch_optional(&mut *tx.tx)
    .await?;
    if let Some(r) = newest
        && r.try_get::<String, _>("action")? == KONTROLLPUNKT
        && let Some(k) = r
            .try_get::<Option<String>, _>("object")?
            .as_deref()
            .and_then(Kontrollpunkt::fran_kompakt)
    {
        return Ok(k);
    }
    let k = kontrollpunkt_in(&mut tx, store.now(), nyckel).await?;
    tx.commit().await?;
    Ok(k)
}

/// Whether the log holds any signed checkpoint (then its key must not be made anew).
pub async fn har_kontrollpunkter(store: &Store) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(KONTROLLPUNKT)
        .fetch_one(store.pool())
        .await?;
    Ok(n > 0)
}

/// Whether the log still holds entry `seq` with hash `hash` (what an issued report or an exported
/// checkpoint shows of it).
pub async fn nar_fram_till(store: &Store, seq: i64, hash: &str) -> Result<bool> {
    let stored: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_optional(store.pool())
        .await?;
    Ok(stored.as_deref() == Some(hash))
}

/// The newest entries, newest first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object, hash FROM audit_log ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                object: r.try_get("object")?,
                hash: r.try_get("hash")?,
            })
        })
        .collect()
}

/// What the audit viewer asks for (SPEC § 6): every field narrows; entries newest first.
#[derive(Debug, Clone, Default)]
pub struct Urval {
    /// The acting user's id.
    pub aktor: Option<String>,
    /// An action, or the start of one (`arende.` for every case action).
    pub handling: Option<String>,
    /// The object's id, exactly.
    pub objekt: Option<String>,
    /// From this moment (Unix seconds), inclusive.
    pub fran: Option<i64>,
    /// Before this moment, exclusive.
    pub till: Option<i64>,
    /// Only what accounts of this organisation did.
    pub organisation: Option<String>,
    /// Only entries numbered below this (the next page).
    pub fore: Option<i64>,
}

/// Entries per page of the audit viewer.
pub const SIDA: usize = 50;

/// One page of entries matching `u`, newest first; and the number to ask `fore` for the next page,
/// if there is one.
pub async fn sok(store: &Store, u: &Urval) -> Result<(Vec<Entry>, Option<i64>)> {
    enum Bind {
        Text(String),
        Int(i64),
    }
    let mut villkor: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut villkor_med = |sql: &str, b: Bind| {
        binds.push(b);
        villkor.push(sql.replace('?', &format!("${}", binds.len())));
    };
    if let Some(a) = &u.aktor {
        villkor_med("actor = ?", Bind::Text(a.clone()));
    }
    if let Some(h) = &u.handling {
        // A prefix: the wildcard characters of LIKE taken literally.
        let escaped = h
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        villkor_med(
            "action LIKE ? ESCAPE '\\'",
            Bind::Text(format!("{escaped}%")),
        );
    }
    if let Some(o) = &u.objekt {
        villkor_med("object = ?", Bind::Text(o.clone()));
    }
    if let Some(f) = u.fran {
        villkor_med("at >= ?", Bind::Int(f));
    }
    if let Some(t) = u.till {
        villkor_med("at < ?", Bind::Int(t));
    }
    if let Some(o) = &u.organisation {
        villkor_med(
            "actor IN (SELECT id FROM users WHERE organisation_id = ?)",
            Bind::Text(o.clone()),
        );
    }
    if let Some(f) = u.fore {
        villkor_med("seq < ?", Bind::Int(f));
    }
    let sql = format!(
        "SELECT seq, at, actor, action, object, hash FROM audit_log {} ORDER BY seq DESC LIMIT {}",
        if villkor.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", villkor.join(" AND "))
        },
        SIDA + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    let rows = q.fetch_all(store.pool()).await?;
    let mut entries = rows
        .iter()
        .map(|r| {
            Ok(Entry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                object: r.try_get("object")?,
                hash: r.try_get("hash")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let next = if entries.len() > SIDA {
        entries.truncate(SIDA);
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok((entries, next))
}

/// An audit chain that holds: how many entries, and the head's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kedja {
    pub poster: i64,
    pub huvud: String,
    /// Signed checkpoints found in the chain, every one of them holding.
    pub kontrollpunkter: i64,
}

/// Recomputes the chain from the start and checks every checkpoint in it: signed with `nyckel`'s
/// public key (the instance's, `Nyckelring::granskningsnyckel`) over the entry just before it.
/// Returns the number of entries, the head hash and how many checkpoints held, or names the first
/// entry or checkpoint where the log breaks.
pub async fn verify(store: &Store, publik: &[u8; 32]) -> Result<Kedja> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(store.pool())
    .await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.pool())
        .await?;
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    let mut kontrollpunkter = 0;
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        let actor: Option<String> = r.try_get("actor")?;
        let object: Option<String> = r.try_get("object")?;
        let action: String = r.try_get("action")?;
        let stored_prev: String = r.try_get("prev_hash")?;
        let hash: String = r.try_get("hash")?;
        let want = entry_hash(
            &prev,
            seq,
            r.try_get("at")?,
            actor.as_deref(),
            &action,
            object.as_deref(),
        );
        if seq != expected_seq || stored_prev != prev || hash != want {
            return Err(StoreError::Other(format!(
                "granskningsloggen bryts vid post {}",
                seq.min(expected_seq)
            )));
        }
        if action == KONTROLLPUNKT {
            let k = object.as_deref().and_then(Kontrollpunkt::fran_kompakt);
            let holds = k
                .as_ref()
                .is_some_and(|k| k.seq == seq - 1 && k.hash == prev && k.stammer(publik));
            if !holds {
                return Err(StoreError::Other(format!(
                    "kontrollpunkten i post {seq} stämmer inte: dess signatur eller den kedja den intygar är ändrad"
                )));
            }
            kontrollpunkter += 1;
        }
        prev = hash;
        expected_seq += 1;
    }
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("hash")?;
    if head_seq != expected_seq - 1 || head_hash != prev {
        return Err(StoreError::Other(
            "granskningsloggens sista poster saknas".into(),
        ));
    }
    Ok(Kedja {
        poster: head_seq,
        huvud: prev,
        kontrollpunkter,
    })
}

/// The newest sequence number of the chain (everything up to it is committed: the chain is written
/// under one lock, so numbers follow commit order).
pub async fn head(store: &Store) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(store.pool())
            .await?,
    )
}

/// Entries numbered in (`efter`, `till`] that change a case already registered, its activities or
/// the reports (new cases and activities are found by their numbers):
/// (number, action, object). The report register follows the store through these.
pub async fn andringar(
    store: &Store,
    efter: i64,
    till: i64,
) -> Result<Vec<(i64, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT seq, action, object FROM audit_log WHERE seq > $1 AND seq <= $2 \
         AND action IN ('arende.andrat', 'arende.behorighet_omprovad', 'arende.gallrat', \
         'arende.aktivitet_rattad', 'arende.aktivitet_borttagen', 'rapport.utfardad') \
         ORDER BY seq",
    )
    .bind(efter)
    .bind(till)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("seq")?,
                r.try_get("action")?,
                r.try_get("object")?,
            ))
        })
        .collect()
}

/// Appends many entries at once, chained exactly as one by one would (bulk registration); returns
/// their sequence numbers in order.
pub async fn append_many(
    tx: &mut Tx,
    entries: &[(i64, Option<&str>, &str, Option<&str>)],
) -> Result<Vec<i64>> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx.tx)
        .await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let mut rows = Vec::with_capacity(entries.len());
    for (at, actor, action, object) in entries {
        seq += 1;
        let hash = entry_hash(&prev, seq, *at, *actor, action, *object);
        rows.push((seq, prev, hash.clone()));
        prev = hash;
    }
    for (bit, e) in rows.chunks(140).zip(entries.chunks(140)) {
        let values: Vec<String> = (0..bit.len())
            .map(|i| {
                let b = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (seq, at, actor, action, object, prev_hash, hash) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((seq, prev, hash), (at, actor, action, object)) in bit.iter().zip(e) {
            q = q
                .bind(*seq)
                .bind(*at)
                .bind(actor.map(str::to_string))
                .bind(action.to_string())
                .bind(object.map(str::to_string))
                .bind(prev.clone())
                .bind(hash.clone());
        }
        q.execute(&mut *tx.tx).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(prev)
        .execute(&mut *tx.tx)
        .await?;
    Ok(rows.iter().map(|r| r.0).collect())
}
