//! Organisations (SPEC § 3.1): the associations whose staff use boj. The agreement register builds on
//! this table; here it holds what user scopes need.

use crate::{Result, Store, StoreError, audit, new_id};
use boj_domain::Organisationsnummer;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub orgnr: Option<String>,
}

pub async fn create(
    store: &Store,
    actor: Option<&str>,
    name: &str,
    orgnr: Option<Organisationsnummer>,
) -> Result<Organisation> {
    let id = new_id("o");
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(StoreError::Domain(boj_domain::DomainError::new(
            boj_domain::Code::OgiltigtNamn,
            "Organisationens namn ska ha 1–200 tecken.",
        )));
    }
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO organisations (id, name, orgnr, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id.clone())
        .bind(name.clone())
        .bind(orgnr.map(|o| o.to_string()))
        .bind(store.now())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "organisation.skapad",
        Some(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(Organisation {
        id,
        name,
        orgnr: orgnr.map(|o| o.to_string()),
    })
}

pub async fn get(store: &Store, id: &str) -> Result<Organisation> {
    let r = sqlx::query("SELECT id, name, orgnr FROM organisations WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Organisation {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        orgnr: r.try_get("orgnr")?,
    })
}

pub async fn list(store: &Store) -> Result<Vec<Organisation>> {
    let rows = sqlx::query("SELECT id, name, orgnr FROM organisations ORDER BY name")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Organisation {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                orgnr: r.try_get("orgnr")?,
            })
        })
        .collect()
}
