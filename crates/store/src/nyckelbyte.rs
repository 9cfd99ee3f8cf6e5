//! Re-wrapping under a new master key (`boj keys rotate`, SPEC § 6: keys can be rotated): every
//! value wrapped by a master key — the cases' data keys, the organisations' report-signing keys,
//! the accounts' TOTP secrets — is opened with whichever key wrapped it and wrapped again with the
//! key in use (`Nyckelring::huvud` tells them apart), in batches of their own transactions, while
//! `serve` runs. Each row is replaced only if it is still what was read, so a concurrent change
//! (an erasure, a new key) is never overwritten. Running it again goes on where it stopped.

use crate::nycklar::Nyckelring;
use crate::{Result, Store};
use sqlx::Row;

/// (table, id column, wrapped column): where master-wrapped values live. Their associated data is
/// `table.column:id`.
pub const INSLAGNA: [(&str, &str, &str); 3] = [
    ("case_keys", "case_id", "wrapped"),
    ("signing_keys", "id", "wrapped"),
    ("user_totp", "user_id", "sealed"),
];

const BATCH: i64 = 500;

/// Re-wraps every value not yet under the key in use; answers how many were re-wrapped.
pub async fn sla_om(store: &Store, keys: &Nyckelring) -> Result<u64> {
    let mut total = 0;
    for (table, id_col, col) in INSLAGNA {
        loop {
            let huvud = keys.huvud()?;
            let sql = format!(
                "SELECT {id_col} AS id, {col} AS w FROM {table} WHERE substr({col}, 1, {n}) <> $1 ORDER BY {id_col} LIMIT {BATCH}",
                n = huvud.len()
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(huvud.clone())
                .fetch_all(store.pool())
                .await?;
            if rows.is_empty() {
                break;
            }
            let mut tx = store.begin().await?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                let old: Vec<u8> = r.try_get("w")?;
                let aad = format!("{table}.{col}:{id}");
                let key = keys.unwrap_key(&old, &aad)?;
                let new = keys.wrap(&key, &aad)?;
                let sql =
                    format!("UPDATE {table} SET {col} = $1 WHERE {id_col} = $2 AND {col} = $3");
                total += sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(new)
                    .bind(id)
                    .bind(old)
                    .execute(&mut *tx.tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
        }
    }
    Ok(total)
}

/// How many values are not wrapped with the key in use.
pub async fn kvar(store: &Store, keys: &Nyckelring) -> Result<i64> {
    let huvud = keys.huvud()?;
    let mut n = 0;
    for (table, _, col) in INSLAGNA {
        let sql = format!(
            "SELECT COUNT(*) FROM {table} WHERE substr({col}, 1, {}) <> $1",
            huvud.len()
        );
        n += sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .bind(huvud.clone())
            .fetch_one(store.pool())
            .await?;
    }
    Ok(n)
}

/// The whole rotation, resumable: begin (the next key), re-wrap everything, make the next key the
/// current one, re-wrap what was wrapped with the old key meanwhile, and remove the old key once
/// nothing needs it. Answers how many values were re-wrapped.
pub async fn rotera(store: &Store, keys: &Nyckelring) -> Result<u64> {
    keys.paborja_byte()?;
    let mut n = sla_om(store, keys).await?;
    keys.fullborda()?;
    n += sla_om(store, keys).await?;
    if kvar(store, keys).await? == 0 {
        keys.ta_bort_pensionerade()?;
    }
    crate::audit::record(store, None, "nyckel.huvudnyckel_bytt", None).await?;
    Ok(n)
}
