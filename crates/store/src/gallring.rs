//! Retention (SPEC § 3.2), per agreement, by the limits of `boj_domain::gallring::granser`:
//!
//! - a case without activity for `inaktiv_stangs_dagar` days (default 180) is closed;
//! - `kontaktuppgifter_raderas_dagar` days (default 30) after a case is closed, its contact details,
//!   note and data key are erased (crypto-shredding), its dates — opened, closed, last activity and
//!   every activity — are coarsened to the first of their month (`gallring::manadens_forsta`, here
//!   in SQL), its registration times to their month's first second (`manadens_borjan`), the dates in
//!   its eligibility reasons to their month (`utan_dagar`), and its eligibility is frozen; the
//!   statistics items are kept.
//!
//! `serve` runs this at start (so a restored backup is brought up to date before it serves) and then
//! daily; `boj retention run` runs it once. Running it twice changes nothing the second time.

use crate::{Result, Store, audit, avtal};
use boj_domain::{Datum, gallring};
use sqlx::Row;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Utfall {
    pub stangda: u64,
    pub gallrade: u64,
    /// Whether what erasure freed is gone from the files too (SQLite: the WAL checkpoint finished;
    /// PostgreSQL: the VACUUM ran). `false` is retried at the next run.
    pub rensat: bool,
    /// Another instance was running retention: this run did nothing.
    pub upptagen: bool,
}

/// First of the month, for a `YYYY-MM-DD` column, in SQL both databases understand.
const MONTH: &str = "substr({c}, 1, 8) || '01'";

fn month(col: &str) -> String {
    MONTH.replace("{c}", col)
}

/// Runs retention, once across instances: on PostgreSQL under a database lock, and not at all
/// (`Utfall::upptagen`) while another instance runs it.
pub async fn run(store: &Store) -> Result<Utfall> {
    let Some(las) = store.las(crate::LAS_GALLRING).await? else {
        return Ok(Utfall {
            upptagen: true,
            ..Utfall::default()
        });
    };
    let out = run_ensam(store).await;
    las.slapp().await;
    out
}

async fn run_ensam(store: &Store) -> Result<Utfall> {
    let today = Datum::from_civil(store.clock().today());
    let mut out = Utfall::default();
    for a in avtal::list(store).await? {
        // The times in force: a shortening waits for the organisation's coordinator (SPEC § 3.2).
        let g = gallring::granser(today, a.gallring);
        let mut tx = store.begin().await?;
        let closed = sqlx::query(
            "UPDATE cases SET closed_on = $1 WHERE agreement_id = $2 AND closed_on IS NULL AND last_activity_on <= $3",
        )
        .bind(today.to_string())
        .bind(a.id.clone())
        .bind(g.stang_senast_aktiv.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if closed > 0 {
            audit::append(
                &mut tx,
                store.now(),
                None,
                "gallring.inaktiva_stangda",
                Some(&format!("{}:{closed}", a.id)),
            )
            .await?;
        }
        tx.commit().await?;
        out.stangda += closed;

        let due = sqlx::query("SELECT id FROM cases WHERE agreement_id = $1 AND erased_at IS NULL AND closed_on IS NOT NULL AND closed_on <= $2")
            .bind(a.id.clone())
            .bind(g.radera_avslutat.to_string())
            .fetch_all(store.pool())
            .await?;
        for r in &due {
            let id: String = r.try_get("id")?;
            let mut tx = store.begin().await?;
            // Read in the transaction that rewrites them: the registration time and the
            // eligibility reasons, whose exact days go too — and only while the case is still due
            // (reopened or erased since the list was read, it is left alone).
            let Some(c) = sqlx::query(
                "SELECT registered_at, eligibility_reasons FROM cases WHERE id = $1 \
                 AND erased_at IS NULL AND closed_on IS NOT NULL AND closed_on <= $2",
            )
            .bind(id.clone())
            .bind(g.radera_avslutat.to_string())
            .fetch_optional(&mut *tx.tx)
            .await?
            else {
                continue;
            };
            let registered_at: i64 = c.try_get("registered_at")?;
            let reasons: String = c.try_get("eligibility_reasons")?;
            let activities =
                sqlx::query("SELECT id, registered_at FROM activities WHERE case_id = $1")
                    .bind(id.clone())
                    .fetch_all(&mut *tx.tx)
                    .await?;
            sqlx::query("DELETE FROM case_contacts WHERE case_id = $1")
                .bind(id.clone())
                .execute(&mut *tx.tx)
                .await?;
            sqlx::query("DELETE FROM case_keys WHERE case_id = $1")
                .bind(id.clone())
                .execute(&mut *tx.tx)
                .await?;
            // Every date and moment of the case to its month (SPEC § 3.2) — erased_at too, which
            // would otherwise tell the day it closed (retention runs daily).
            let sql = format!(
                "UPDATE cases SET consent_contact = 0, eligibility_frozen = 1, erased_at = $1, opened_on = {}, closed_on = {}, \
                 last_activity_on = {}, registered_at = $2, eligibility_reasons = $3 WHERE id = $4",
                month("opened_on"),
                month("closed_on"),
                month("last_activity_on")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(gallring::manadens_borjan(store.now()))
                .bind(gallring::manadens_borjan(registered_at))
                .bind(gallring::utan_dagar(&reasons))
                .bind(id.clone())
                .execute(&mut *tx.tx)
                .await?;
            let sql = format!(
                "UPDATE activities SET date = {}, registered_at = $1 WHERE id = $2",
                month("date")
            );
            for a in &activities {
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(gallring::manadens_borjan(a.try_get("registered_at")?))
                    .bind(a.try_get::<String, _>("id")?)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            audit::append(&mut tx, store.now(), None, "arende.gallrat", Some(&id)).await?;
            tx.commit().await?;
            out.gallrade += 1;
        }
    }
    // Every run, not only one that erased: on SQLite a checkpoint that could not finish last time
    // (a reader held the WAL) is tried again; on PostgreSQL a rewrite right after an erasure keeps
    // the erased rows while any older snapshot may still see them (a test caught it), so the next
    // run's rewrite is what removes them. The rewrite holds the two tables for its moment.
    out.rensat = store.compact_erased().await?;
    if !out.rensat {
        tracing::warn!(
            "raderade sidor kunde inte tas bort ur WAL-filen nu; nästa gallring försöker igen"
        );
    }
    Ok(out)
}
