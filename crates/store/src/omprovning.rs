//! The outbox of re-judging (migration 0013): an agreement whose decisions or terms changed has
//! its cases judged again in the background (`boj_web::arenden::omprova_vantande`), never inside the
//! request that recorded the change.

use crate::{Result, Store, Tx};
use sqlx::Row;

/// Records, in the caller's transaction, that the agreement's cases are to be judged again.
pub(crate) async fn begar(tx: &mut Tx, agreement_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO rejudge_queue (agreement_id, n) VALUES ($1, 1) \
         ON CONFLICT (agreement_id) DO UPDATE SET n = rejudge_queue.n + 1",
    )
    .bind(agreement_id.to_string())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// A request waiting to be worked off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Begaran {
    pub agreement_id: String,
    /// Requests so far: [`klar`] removes the row only if no new one came meanwhile.
    pub n: i64,
}

/// The agreements whose cases wait to be judged again.
pub async fn vantande(store: &Store) -> Result<Vec<Begaran>> {
    let rows = sqlx::query("SELECT agreement_id, n FROM rejudge_queue ORDER BY agreement_id")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Begaran {
                agreement_id: r.try_get("agreement_id")?,
                n: r.try_get("n")?,
            })
        })
        .collect()
}

/// Marks a request worked off, unless another came after it was read. A write like any other:
/// through [`Store::begin`], queued behind the other writers on SQLite.
pub async fn klar(store: &Store, b: &Begaran) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM rejudge_queue WHERE agreement_id = $1 AND n = $2")
        .bind(b.agreement_id.clone())
        .bind(b.n)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
