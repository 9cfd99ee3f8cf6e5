//! # boj-store
//!
//! Storage for boj: one code path over SQLite (embedded, the default) and PostgreSQL
//! (`BOJ_DATABASE_URL=postgres://…`), through sqlx's `Any` driver. The schema lives in two migration
//! folders with the same file names (`migrations/sqlite`, `migrations/postgres`), because their DDL
//! differs in details; a test compares the resulting tables and columns.
//!
//! Conventions that keep the one code path honest: integers are `BIGINT` and read as `i64`; flags are
//! 0/1 integers (`bool` does not decode through `Any` on SQLite); timestamps are Unix seconds; civil dates
//! are `TEXT 'YYYY-MM-DD'`; placeholders are `$1…$n`, which both databases accept.
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL`, so a commit that returned survives a
//! power loss; foreign keys are on; `secure_delete` overwrites deleted content. Writers on SQLite are
//! serialised in-process by [`Store::begin`], which avoids `SQLITE_BUSY` upgrades of read transactions.
//!
//! Every state change writes an [`audit`] entry inside the same transaction.

pub mod arenden;
pub mod audit;
pub mod avtal;
pub mod bidrag;
pub mod clock;
pub mod gallring;
pub mod inloggning;
pub mod nyckelbyte;
pub mod nycklar;
pub mod omprovning;
pub mod orgs;
pub mod rapporter;
pub mod sakerhetskopia;
pub mod sessions;
pub mod tokens;
pub mod tvafaktor;
pub mod users;

use boj_domain::DomainError;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use clock::{Clock, SharedClock};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What can go wrong in storage. The web layer maps each to a status and a stable code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value exists already; carries the id of what it conflicts with, when known.
    #[error("conflict with {0:?}")]
    Conflict(Option<String>),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The agreement changed after the caller read it (its revision moved); read it again and retry.
    #[error("agreement changed")]
    Changed,
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The storage handle: a connection pool and the clock every timestamp comes from.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    clock: SharedClock,
    /// SQLite has one writer at a time; taking this before `BEGIN` queues writers here instead of
    /// failing with `SQLITE_BUSY`. `None` on PostgreSQL, which has row locks.
    writer: Option<Arc<Semaphore>>,
    /// The group-commit queue for case registrations (see `arenden::skrivare`).
    intake: Arc<std::sync::OnceLock<tokio::sync::mpsc::Sender<arenden::Skrivning>>>,
    /// Agreements as intake reads them, by id (see [`avtal::snapshot`]).
    snapshots: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<avtal::Snapshot>>>>,
    /// Agreements with their decisions as last read, by id ([`avtal::med_beslut`]).
    registers: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<avtal::Registerpost>>>>,
    /// Pages of the case list with the case version they were read at ([`arenden::sok`]).
    case_pages:
        Arc<std::sync::Mutex<std::collections::HashMap<arenden::Sidnyckel, Arc<arenden::Sida>>>>,
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    pub tx: Transaction<'static, Any>,
    _writer: Option<OwnedSemaphorePermit>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The migrations of a backend.
pub(crate) fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
    }
}

/// The SQLite database file inside a data directory.
pub fn sqlite_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("boj.sqlite")
}

impl Store {
    /// Opens the database: PostgreSQL when `database_url` is given, otherwise SQLite in `data_dir`
    /// (created on first use). Does not migrate; call [`Store::migrate`].
    pub async fn open(
        data_dir: &Path,
        database_url: Option<&str>,
        clock: SharedClock,
    ) -> Result<Self> {
        sqlx::any::install_default_drivers();
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Ok(Self { pool, backend: Backend::Postgres, clock, writer: None, intake: Arc::default(), snapshots: Arc::default(), registers: Arc::default(), case_pages: Arc::default() })
            }
            Some(_) => Err(StoreError::Other(
                "BOJ_DATABASE_URL ska börja med postgres:// (utan den används SQLite i datakatalogen)".into(),
            )),
            None => {
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| StoreError::Other(format!("kan inte skapa {}: {e}", data_dir.display())))?;
                let path = sqlite_path(data_dir);
                let url = format!("sqlite://{}?mode=rwc", path.display());
                // Each SQLite connection is a thread of its own: twice the cores lets the database
                // work overlap the rest, more only switches between threads (the case list under 64
                // clients on 2 cores: p99 12.5 ms with 8, 10.7 ms with 4, 15.7 ms with 2;
                // BENCHMARKS.md). Writes go through their own connection (`writer`).
                let lasare = std::thread::available_parallelism()
                    .map_or(4, |n| 2 * n.get() as u32)
                    .clamp(4, 16);
                let pool = AnyPoolOptions::new()
                    .max_connections(lasare)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = FULL",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA secure_delete = ON",
                            ] {
                                conn.execute(pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?;
                Ok(Self { pool, backend: Backend::Sqlite, clock, writer: Some(Arc::new(Semaphore::new(1))), intake: Arc::default(), snapshots: Arc::default(), registers: Arc::default(), case_pages: Arc::default() })
            }
        }
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        migrator(self.backend)
    }

    /// Applies every migration that has not been applied yet. Safe to run on every start.
    pub async fn migrate(&self) -> Result<()> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Applies the migrations up to `version` (a restore builds the schema of its backup first).
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        self.migrator().run_to(version, &self.pool).await?;
        Ok(())
    }

    /// The newest migration this build knows.
    pub fn newest_migration(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Whether the schema has been created (used by `demo` and `init` to tell a fresh directory).
    pub async fn is_initialised(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .or_else(|e| match e {
                sqlx::Error::Database(_) => Ok(0),
                other => Err(other),
            })?;
        Ok(n > 0)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Now, as Unix seconds, from the store's clock.
    pub fn now(&self) -> i64 {
        self.clock.now().as_second()
    }

    /// Unix seconds of the world's clock ([`Clock::vaggtid`]): what a TOTP code is checked at.
    pub fn vaggtid(&self) -> i64 {
        self.clock.vaggtid().as_second()
    }

    /// The intake writer's queue, started on first use. The writer task holds a store without the
    /// queue, so dropping every store handle ends it.
    pub(crate) fn intake(&self) -> tokio::sync::mpsc::Sender<arenden::Skrivning> {
        self.intake
            .get_or_init(|| {
                let (tx, rx) = tokio::sync::mpsc::channel(1024);
                let inner = Store {
                    intake: Arc::new(std::sync::OnceLock::new()),
                    ..self.clone()
                };
                tokio::spawn(arenden::skrivare(inner, rx));
                tx
            })
            .clone()
    }

    fn cached_snapshot(&self, id: &str) -> Option<Arc<avtal::Snapshot>> {
        self.snapshots.lock().ok().and_then(|m| m.get(id).cloned())
    }

    fn cache_snapshot(&self, id: &str, s: Arc<avtal::Snapshot>) {
        if let Ok(mut m) = self.snapshots.lock() {
            // Keep the newer of two racing reads.
            let newer = m.get(id).is_none_or(|old| old.revision <= s.revision);
            if newer {
                m.insert(id.to_string(), s);
            }
        }
    }

    fn cached_case_page(&self, k: &arenden::Sidnyckel) -> Option<Arc<arenden::Sida>> {
        self.case_pages.lock().ok().and_then(|m| m.get(k).cloned())
    }

    fn cache_case_page(&self, k: arenden::Sidnyckel, sida: Arc<arenden::Sida>) {
        if let Ok(mut m) = self.case_pages.lock() {
            // Bounded: 256 pages of at most 100 cases (a few tens of MB at most) are plenty for the
            // lists, filters and page numbers in use; past that start over rather than keep a
            // least-recently-used order.
            if m.len() >= 256 {
                m.clear();
            }
            m.insert(k, sida);
        }
    }

    fn cached_register(&self, id: &str) -> Option<Arc<avtal::Registerpost>> {
        self.registers.lock().ok().and_then(|m| m.get(id).cloned())
    }

    fn cache_register(&self, id: &str, p: Arc<avtal::Registerpost>) {
        if let Ok(mut m) = self.registers.lock() {
            let newer = m.get(id).is_none_or(|old| old.revision <= p.revision);
            if newer {
                m.insert(id.to_string(), p);
            }
        }
    }

    /// Drops the cached copy of an agreement (after it changed, or after the writer found it stale).
    pub fn forget_snapshot(&self, id: &str) {
        if let Ok(mut m) = self.snapshots.lock() {
            m.remove(id);
        }
    }

    /// Begins a write transaction (queued behind other writers on SQLite).
    pub async fn begin(&self) -> Result<Tx> {
        let permit = match &self.writer {
            Some(s) => Some(
                s.clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| StoreError::Other("skrivkön är stängd".into()))?,
            ),
            None => None,
        };
        // On SQLite the write lock is taken at BEGIN (IMMEDIATE), where a busy database is waited
        // for (`busy_timeout`): a transaction that first reads and then writes would otherwise
        // fail at once with "database is locked" if another connection still held the lock — as
        // a failed transaction does until its rollback, which runs after its permit is returned.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            tx,
            _writer: permit,
        })
    }

    /// A cheap round trip, for the health check.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Table and column names of the schema, sorted, for comparing the two backends.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        use sqlx::Row;
        let rows: Vec<AnyRow> = match self.backend {
            Backend::Sqlite => {
                sqlx::query(
                    "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Backend::Postgres => {
                sqlx::query(
                    "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut out = rows
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("t")?, r.try_get::<String, _>("c")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.sort();
        Ok(out)
    }

    /// Makes erased rows unrecoverable from the database files: on SQLite `secure_delete` has zeroed
    /// the freed pages and a WAL checkpoint (TRUNCATE) removes the old copies from the WAL; on
    /// PostgreSQL `VACUUM FULL` rewrites the tables that held them into new files. Answers whether
    /// that finished (a SQLite checkpoint can be kept from finishing by a reader).
    pub async fn compact_erased(&self) -> Result<bool> {
        match self.backend {
            Backend::Sqlite => {
                // The checkpoint answers (busy, log frames, checkpointed frames); busy = 1 when a
                // reader kept it from finishing. Tried again a few times, a moment apart; the
                // caller learns whether it finished and tries again later if not.
                for _ in 0..20 {
                    let busy: i64 = sqlx::query_scalar("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&self.pool)
                        .await?;
                    if busy == 0 {
                        return Ok(true);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Ok(false)
            }
            Backend::Postgres => {
                // FULL: the tables are written anew and their old files removed, so the erased
                // rows are not left in a page a plain VACUUM would only mark free. It holds the two
                // tables (contact details and case keys, small) for the moment it takes.
                sqlx::query("VACUUM FULL case_contacts, case_keys")
                    .execute(&self.pool)
                    .await?;
                Ok(true)
            }
        }
    }

    /// Takes the database-wide lock `nyckel` for work that one instance does for all (retention,
    /// the audit checkpoint): on PostgreSQL a session advisory lock on a connection of its own,
    /// `None` when another instance holds it; on SQLite, served by one instance, always granted.
    /// Release it with [`Las::slapp`].
    pub async fn las(&self, nyckel: i64) -> Result<Option<Las>> {
        match self.backend {
            Backend::Sqlite => Ok(Some(Las(None))),
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?;
                let fick: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(nyckel)
                    .fetch_one(&mut *conn)
                    .await?;
                Ok(fick.then_some(Las(Some((conn, nyckel)))))
            }
        }
    }

    /// Closes the pool (on SQLite this also checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database-wide lock held by this instance ([`Store::las`]).
pub struct Las(Option<(sqlx::pool::PoolConnection<sqlx::Any>, i64)>);

impl Las {
    /// Releases the lock. Should that fail, the connection is closed, which releases it too.
    pub async fn slapp(mut self) {
        if let Some((mut conn, nyckel)) = self.0.take() {
            let ok = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(nyckel)
                .execute(&mut *conn)
                .await
                .is_ok();
            if !ok {
                let _ = conn.close().await;
            }
        }
    }
}

impl Drop for Las {
    /// A lock dropped unreleased (its work cancelled): its connection leaves the pool and closes,
    /// which ends the session and so the lock — it never goes back to the pool still holding it.
    fn drop(&mut self) {
        if let Some((conn, _)) = self.0.take() {
            drop(conn.detach());
        }
    }
}

/// The locks of [`Store::las`]: retention, and the audit log's hourly checkpoint.
pub const LAS_GALLRING: i64 = 0x626f_6a01;
pub const LAS_KONTROLLPUNKT: i64 = 0x626f_6a02;

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_or(e: sqlx::Error, id: Option<String>) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(id),
        _ => StoreError::Db(e),
    }
}

/// A new opaque id with a type prefix, e.g. `u_3f9a…` (16 random bytes, hex).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(16))
}

/// `n` random bytes from the operating system's generator, as hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // The OS generator failing is not recoverable: without randomness no secret can be made safely.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    hex::encode(b)
}

/// SHA-256 of bytes, as hex.
pub fn sha256_bytes(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// SHA-256 of a secret, as hex: what is stored for session ids and API tokens.
pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}
