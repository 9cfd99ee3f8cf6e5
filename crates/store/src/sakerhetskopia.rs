//! Backup and restore (SPEC § 4 `backup`, `restore`; § 6 "backups are consistent and restorable").
//!
//! One code path for both databases: a backup is a SQLite file with boj's schema at the source's
//! version, holding a copy of every table read in **one read-only snapshot** of the source (a
//! `REPEATABLE READ` transaction on PostgreSQL, a read transaction of SQLite's WAL mode), so it is
//! consistent while `serve` runs and writes. A manifest table inside the file (`boj_backup`) names
//! the format, the schema version, the time, and per table its row count and the SHA-256 of its
//! rows in order. The file is written under a temporary name and renamed into place, so a backup
//! is either whole or absent.
//!
//! Restore checks the file (SQLite's integrity check, the format, a schema no newer than this boj's,
//! every table's count and digest as it is read), fills an **empty** database — creating its schema
//! up to the backup's version, copying, then applying the newer migrations — in one transaction,
//! so a damaged file leaves nothing behind. The master key is never in a backup: keep it apart
//! (README). The caller runs retention before anything serves.

use crate::{Backend, Result, Store, StoreError};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, AnyRow};
use std::path::Path;

/// The format written in the manifest.
pub const FORMAT: &str = "boj-backup-1";

/// What a backup holds, from its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub schema_version: i64,
    pub created_at: i64,
    /// (table, rows, SHA-256 of its rows).
    pub tables: Vec<(String, i64, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slag {
    Int,
    Text,
    Blob,
}

#[derive(Debug, Clone)]
struct Tabell {
    namn: String,
    kolumner: Vec<(String, Slag)>,
}

fn slag(declared: &str) -> Slag {
    let d = declared.to_ascii_lowercase();
    if d.contains("int") {
        Slag::Int
    } else if d.contains("blob") || d.contains("bytea") {
        Slag::Blob
    } else {
        Slag::Text
    }
}

fn fel(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

/// boj's tables with their columns, parents before the tables whose foreign keys point at them.
async fn tabeller(pool: &sqlx::AnyPool, backend: Backend) -> Result<Vec<Tabell>> {
    let (names_sql, cols_sql, fk_sql) = match backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT IN ('_sqlx_migrations', 'boj_backup') ORDER BY name",
            "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            "SELECT m.name AS t, p.\"table\" AS r FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
             WHERE m.type = 'table'",
        ),
        Backend::Postgres => (
            "SELECT table_name::TEXT AS name FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name NOT IN ('_sqlx_migrations', 'boj_backup') ORDER BY table_name",
            "SELECT column_name::TEXT AS name, data_type::TEXT AS type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            "SELECT tc.table_name::TEXT AS t, ccu.table_name::TEXT AS r FROM information_schema.table_constraints tc \
             JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name \
             AND tc.table_schema = ccu.table_schema WHERE tc.constraint_type = 'FOREIGN KEY' \
             AND tc.table_schema = current_schema()",
        ),
    };
    let names: Vec<String> = sqlx::query_scalar(names_sql).fetch_all(pool).await?;
    let mut out = Vec::new();
    for n in &names {
        let cols = sqlx::query(cols_sql)
            .bind(n.clone())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("name")?,
                    slag(&r.try_get::<String, _>("type")?),
                ))
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
        out.push(Tabell {
            namn: n.clone(),
            kolumner: cols,
        });
    }
    let edges: Vec<(String, String)> = sqlx::query(fk_sql)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("t")?, r.try_get("r")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    // Parents first: repeatedly take the tables whose parents are all taken.
    let mut ordered: Vec<Tabell> = Vec::with_capacity(out.len());
    while !out.is_empty() {
        let before = out.len();
        let mut rest = Vec::new();
        for t in out {
            let ready = edges
                .iter()
                .filter(|(c, p)| *c == t.namn && *p != t.namn)
                .all(|(_, p)| ordered.iter().any(|o| &o.namn == p) || !names.contains(p));
            if ready {
                ordered.push(t);
            } else {
                rest.push(t);
            }
        }
        if rest.len() == before {
            return Err(fel("tabellernas främmande nycklar bildar en cirkel"));
        }
        out = rest;
    }
    // Tables that triggers write when others change (`case_versions`) come last: restored after
    // the tables whose rows bump them, they end as the backup holds them.
    ordered.sort_by_key(|t| HARLEDDA.contains(&t.namn.as_str()));
    Ok(ordered)
}

/// Tables written by triggers on other tables (migration 0022).
const HARLEDDA: [&str; 1] = ["case_versions"];

/// The newest migration applied.
async fn schemaversion(pool: &sqlx::AnyPool) -> Result<i64> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await?
            .unwrap_or(0),
    )
}

/// One value as read, for copying and digesting.
enum Varde {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

fn las(r: &AnyRow, i: usize, s: Slag) -> std::result::Result<Varde, sqlx::Error> {
    Ok(match s {
        Slag::Int => r
            .try_get::<Option<i64>, _>(i)?
            .map_or(Varde::Null, Varde::Int),
        Slag::Text => r
            .try_get::<Option<String>, _>(i)?
            .map_or(Varde::Null, Varde::Text),
        Slag::Blob => r
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Varde::Null, Varde::Blob),
    })
}

fn smalt(h: &mut Sha256, v: &Varde) {
    let (tag, bytes): (u8, Vec<u8>) = match v {
        Varde::Null => (0, Vec::new()),
        Varde::Int(n) => (1, n.to_be_bytes().to_vec()),
        Varde::Text(t) => (2, t.as_bytes().to_vec()),
        Varde::Blob(b) => (3, b.clone()),
    };
    h.update([tag]);
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(&bytes);
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    v: Varde,
    s: Slag,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    match (v, s) {
        (Varde::Int(n), _) => q.bind(n),
        (Varde::Text(t), _) => q.bind(t),
        (Varde::Blob(b), _) => q.bind(b),
        (Varde::Null, Slag::Int) => q.bind(None::<i64>),
        (Varde::Null, Slag::Text) => q.bind(None::<String>),
        (Varde::Null, Slag::Blob) => q.bind(None::<Vec<u8>>),
    }
}

/// Copies `t` from the source transaction into the target one; returns (rows, digest).
async fn kopiera(
    fran: &mut sqlx::AnyConnection,
    till: &mut sqlx::AnyConnection,
    t: &Tabell,
) -> Result<(i64, String)> {
    let cols: Vec<&str> = t.kolumner.iter().map(|(c, _)| c.as_str()).collect();
    let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
    let select = format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        t.namn,
        order.join(", ")
    );
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.namn,
        cols.join(", "),
        (1..=cols.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut h = Sha256::new();
    let mut n = 0i64;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&mut *fran);
    let mut batch: Vec<Vec<Varde>> = Vec::new();
    loop {
        let next = rows.try_next().await?;
        if let Some(r) = &next {
            let mut vals = Vec::with_capacity(t.kolumner.len());
            for (i, (_, s)) in t.kolumner.iter().enumerate() {
                let v = las(r, i, *s)?;
                smalt(&mut h, &v);
                vals.push(v);
            }
            batch.push(vals);
            n += 1;
        }
        if batch.len() >= 512 || (next.is_none() && !batch.is_empty()) {
            for vals in batch.drain(..) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
                for (v, (_, s)) in vals.into_iter().zip(&t.kolumner) {
                    q = bind(q, v, *s);
                }
                q.execute(&mut *till).await?;
            }
        }
        if next.is_none() {
            break;
        }
    }
    Ok((n, hex::encode(h.finalize())))
}

/// A SQLite pool on one file (a backup), read-only or created.
async fn sqlite_fil(path: &Path, skapa: bool) -> Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite://{}?mode={}",
        path.display(),
        if skapa { "rwc" } else { "ro" }
    );
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?)
}

/// Creates an empty file only its owner can read and write.
fn privat_fil(path: &Path) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
        .map(drop)
        .map_err(|e| fel(format!("{} kan inte skapas: {e}", path.display())))
}

/// Takes a consistent backup of `store` into `fil` (replaced atomically when it exists).
pub async fn ta(store: &Store, fil: &Path) -> Result<Manifest> {
    let version = schemaversion(store.pool()).await?;
    let tabeller = tabeller(store.pool(), store.backend).await?;
    let dir = fil
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp_file = dir.join(format!(".boj-backup-{}.tmp", crate::random_hex(8)));
    let result = async {
        // Private from the start: it holds password hashes and wrapped keys. One connection,
        // SQLite's default rollback journal (which takes the file's permissions): one file.
        privat_fil(&tmp_file)?;
        let tmp = sqlite_fil(&tmp_file, true).await?;
        crate::migrator(Backend::Sqlite)
            .run_to(version, &tmp)
            .await?;
        let mut till = tmp.acquire().await?;
        sqlx::query("BEGIN").execute(&mut *till).await?;
        let mut fran = store.pool().acquire().await?;
        match store.backend {
            Backend::Postgres => {
                sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *fran)
                    .await?;
            }
            Backend::Sqlite => {
                sqlx::query("BEGIN").execute(&mut *fran).await?;
            }
        }
        let created_at = store.now();
        let mut manifest = Manifest {
            schema_version: version,
            created_at,
            tables: Vec::new(),
        };
        for t in &tabeller {
            // Rows a migration put there (the audit head) make way for the source's.
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", t.namn)))
                .execute(&mut *till)
                .await?;
            let (rows, digest) = kopiera(&mut fran, &mut till, t).await?;
            manifest.tables.push((t.namn.clone(), rows, digest));
        }
        sqlx::query("COMMIT").execute(&mut *fran).await?;
        drop(fran);
        sqlx::query("CREATE TABLE boj_backup (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .execute(&mut *till)
            .await?;
        let mut rader = vec![
            ("format".to_string(), FORMAT.to_string()),
            ("schema_version".into(), version.to_string()),
            ("created_at".into(), created_at.to_string()),
        ];
        for (t, n, d) in &manifest.tables {
            rader.push((format!("table:{t}"), format!("{n}:{d}")));
        }
        for (k, v) in rader {
            sqlx::query("INSERT INTO boj_backup (key, value) VALUES ($1, $2)")
                .bind(k)
                .bind(v)
                .execute(&mut *till)
                .await?;
        }
        sqlx::query("COMMIT").execute(&mut *till).await?;
        drop(till);
        tmp.close().await;
        std::fs::File::open(&tmp_file)
            .and_then(|f| f.sync_all())
            .map_err(fel)?;
        std::fs::rename(&tmp_file, fil).map_err(|e| {
            fel(format!(
                "säkerhetskopian kan inte skrivas till {}: {e}",
                fil.display()
            ))
        })?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(manifest)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_file);
    }
    result
}

/// Reads and checks a backup's manifest: SQLite's integrity check, the format, and a schema no
/// newer than `nyaste` (this boj's newest migration).
async fn las_manifest(pool: &sqlx::AnyPool, nyaste: i64) -> Result<Manifest> {
    let skadad = |why: &str| {
        fel(format!(
            "säkerhetskopian är skadad eller ingen säkerhetskopia av boj ({why})"
        ))
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .map_err(|_| skadad("filen går inte att läsa som databas"))?;
    if check != "ok" {
        return Err(skadad("databasens integritetskontroll"));
    }
    let rader: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM boj_backup")
        .fetch_all(pool)
        .await
        .map_err(|_| skadad("manifestet saknas"))?;
    let get = |k: &str| {
        rader
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if get("format").as_deref() != Some(FORMAT) {
        return Err(skadad("okänt format"));
    }
    let schema_version: i64 = get("schema_version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| skadad("schemaversion saknas"))?;
    if schema_version > nyaste {
        return Err(fel(format!(
            "säkerhetskopian har ett nyare databasschema ({schema_version}) än den här versionen av boj ({nyaste}): återställ med en boj som är minst lika ny"
        )));
    }
    let mut tables = Vec::new();
    for (k, v) in &rader {
        if let Some(t) = k.strip_prefix("table:") {
            let (n, d) = v.split_once(':').ok_or_else(|| skadad("manifestet"))?;
            tables.push((
                t.to_string(),
                n.parse().map_err(|_| skadad("manifestet"))?,
                d.to_string(),
            ));
        }
    }
    Ok(Manifest {
        schema_version,
        created_at: get("created_at").and_then(|v| v.parse().ok()).unwrap_or(0),
        tables,
    })
}

/// Restores the backup `fil` into `store`, which must be empty (a new data directory or database):
/// checks the file, creates the schema up to the backup's version, copies every table — checking
/// each one's rows and digest against the manifest — and applies the newer migrations. Nothing is
/// kept of a restore that fails.
pub async fn aterstall(store: &Store, fil: &Path) -> Result<Manifest> {
    if !fil.is_file() {
        return Err(fel(format!("{} finns inte", fil.display())));
    }
    if store.is_initialised().await? {
        return Err(fel(
            "databasen har redan innehåll: återställ till en ny datakatalog eller en tom databas",
        ));
    }
    let kopia = sqlite_fil(fil, false).await?;
    let manifest = las_manifest(&kopia, store.newest_migration()).await?;
    let har = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    if har > manifest.schema_version {
        return Err(fel(
            "databasen har redan ett nyare schema än säkerhetskopian: återställ till en ny datakatalog eller en tom databas",
        ));
    }
    let i_kopian = tabeller(&kopia, Backend::Sqlite).await?;
    store.migrate_to(manifest.schema_version).await?;
    // The target's own tables, in their order, are what is copied: a name read from the file is
    // only ever compared with them, never put into SQL. Every one must be in the file with the
    // same columns, and in the manifest.
    let tabeller = tabeller(store.pool(), store.backend).await?;
    for t in &tabeller {
        let Some(k) = i_kopian.iter().find(|k| k.namn == t.namn) else {
            return Err(fel(format!(
                "säkerhetskopian är skadad: tabellen {} saknas i den",
                t.namn
            )));
        };
        let namn = |x: &Tabell| {
            x.kolumner
                .iter()
                .map(|(c, _)| c.clone())
                .collect::<Vec<_>>()
        };
        if namn(k) != namn(t) {
            return Err(fel(format!(
                "säkerhetskopian är skadad: tabellen {} har andra kolumner än schemat",
                t.namn
            )));
        }
    }
    if let Some(k) = i_kopian
        .iter()
        .find(|k| !tabeller.iter().any(|t| t.namn == k.namn))
    {
        return Err(fel(format!(
            "säkerhetskopian är skadad: den har en tabell som schemat inte har ({})",
            k.namn
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect::<String>()
        )));
    }
    let mut fran = kopia.acquire().await?;
    sqlx::query("BEGIN").execute(&mut *fran).await?;
    let mut tx = store.begin().await?;
    for t in &tabeller {
        let Some((_, rows, digest)) = manifest.tables.iter().find(|(n, _, _)| *n == t.namn) else {
            return Err(fel(format!(
                "säkerhetskopian är skadad: tabellen {} saknas i manifestet",
                t.namn
            )));
        };
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", t.namn)))
            .execute(&mut *tx.tx)
            .await?;
        let (n, d) = kopiera(&mut fran, &mut tx.tx, t).await?;
        if n != *rows || d != *digest {
            return Err(fel(format!(
                "säkerhetskopian är skadad: tabellen {} stämmer inte med manifestet; inget är återställt",
                t.namn
            )));
        }
    }
    tx.commit().await?;
    drop(fran);
    kopia.close().await;
    store.migrate().await?;
    Ok(manifest)
}
