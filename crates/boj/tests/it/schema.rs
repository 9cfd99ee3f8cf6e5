//! The two migration folders must describe the same tables and columns.

use crate::helpers::{fresh_pg_database, pg_url};
use boj_store::Store;
use boj_store::clock::SystemClock;
use std::collections::BTreeSet;
use std::sync::Arc;

/// (table, column) pairs of every `CREATE TABLE` in a migration folder, read from the SQL text.
fn declared(folder: &str) -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = BTreeSet::new();
    for f in files {
        let sql = std::fs::read_to_string(&f).unwrap();
        let sql = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for s in sql.split(';') {
            if let Some(rest) = s.trim().strip_prefix("ALTER TABLE ") {
                let w: Vec<&str> = rest.split_whitespace().collect();
                if let [table, "ADD", "COLUMN", col, ..] = w.as_slice() {
                    out.insert((table.to_string(), col.to_string()));
                }
                continue;
            }
            let Some(rest) = s.trim().strip_prefix("CREATE TABLE ") else {
                continue;
            };
            let (table, body) = rest.split_once('(').unwrap();
            let body = &body[..body.rfind(')').unwrap()];
            for col in body.split(",\n") {
                let first = col.split_whitespace().next().unwrap_or("");
                if !first.is_empty()
                    && !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"].contains(&first)
                {
                    out.insert((table.trim().to_string(), first.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn both_migration_folders_declare_the_same_columns() {
    let sqlite = declared("sqlite");
    let pg = declared("postgres");
    assert!(sqlite.contains(&("users".into(), "password_hash".into())));
    assert_eq!(sqlite, pg);
    let sq_files: Vec<_> = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations/sqlite"),
    )
    .unwrap()
    .map(|e| e.unwrap().file_name())
    .collect();
    for f in sq_files {
        assert!(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../store/migrations/postgres")
                .join(&f)
                .exists(),
            "{f:?} has no PostgreSQL twin"
        );
    }
}

#[tokio::test]
async fn the_migrated_schemas_match_on_both_databases() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(dir.path(), None, Arc::new(SystemClock))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let sq = sqlite.schema_columns().await.unwrap();
    let as_set: BTreeSet<_> = sq.iter().cloned().collect();
    assert_eq!(as_set, declared("sqlite"));
    // With a PostgreSQL server configured, the live schemas must match too.
    if let Some(base) = pg_url() {
        let pg = Store::open(
            dir.path(),
            Some(&fresh_pg_database(&base).await),
            Arc::new(SystemClock),
        )
        .await
        .unwrap();
        pg.migrate().await.unwrap();
        assert_eq!(pg.schema_columns().await.unwrap(), sq);
    }
}
