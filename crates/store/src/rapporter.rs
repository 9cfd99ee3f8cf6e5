//! Issued reports, their signing keys and what each counted (SPEC § 3.3).
//!
//! An issued report is never changed: a correction is a new row (the next edition). Each cycle
//! report records the items it counted with their values as counted (`report_count_parts`: one
//! compact record per report, in parts of bounded size), which is how every case is reported
//! exactly once and how the coordinator sees what changed since. The report register reads cases
//! and activities through the narrow queries at the end of this module.

use crate::nycklar::Nyckelring;
use crate::{Result, Store, StoreError, Tx, audit, new_id};
use boj_domain::Datum;
use boj_domain::bedomning::{Skal, Status};
use boj_domain::kod::{self, Kodlista};
use boj_rapport::modell::{self, Fallpost};
use boj_rapport::rakning::{self, Aktpost, Fallkod, Rakning};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An issued report without its document and record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rapport {
    pub id: String,
    pub agreement_id: String,
    pub period: String,
    pub edition: i64,
    /// A cycle report (counts items) rather than a sum of cycle reports.
    pub cycle: bool,
    pub parts: Vec<String>,
    pub issued_at: i64,
    pub issued_by: Option<String>,
    /// The edition's reason code (published).
    pub reason: Option<String>,
    /// The coordinator's free text on it (the organisation's record only).
    pub reason_note: Option<String>,
    pub digest: String,
    pub key_id: String,
}

const COLUMNS: &str = "id, agreement_id, period, edition, cycle, parts, issued_at, issued_by, reason, reason_note, digest, key_id";

fn from_row(r: &AnyRow) -> Result<Rapport> {
    let parts: String = r.try_get("parts")?;
    Ok(Rapport {
        id: r.try_get("id")?,
        agreement_id: r.try_get("agreement_id")?,
        period: r.try_get("period")?,
        edition: r.try_get("edition")?,
        cycle: r.try_get::<i64, _>("cycle")? == 1,
        parts: parts.split_whitespace().map(str::to_string).collect(),
        issued_at: r.try_get("issued_at")?,
        issued_by: r.try_get("issued_by")?,
        reason: r.try_get("reason")?,
        reason_note: r.try_get("reason_note")?,
        digest: r.try_get("digest")?,
        key_id: r.try_get("key_id")?,
    })
}

/// Every edition of every report of an agreement, oldest first.
pub async fn of_agreement(store: &Store, agreement_id: &str) -> Result<Vec<Rapport>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE agreement_id = $1 ORDER BY issued_at, period, edition"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn get(store: &Store, id: &str) -> Result<Rapport> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The signed document exactly as published.
pub async fn document(store: &Store, id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT document FROM reports WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The organisation's record of a report (true values and reasons).
pub async fn record(store: &Store, id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT record FROM reports WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Gives `f` what a cycle report counted part by part, in order, holding one part at a time
/// (nothing for a half-year or year). Reports issued before migration 0012 have one part.
pub async fn rakning_delar<E: From<StoreError>>(
    store: &Store,
    report_id: &str,
    mut f: impl FnMut(Rakning) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let bad = || StoreError::Other(format!("rapport {report_id}: posterna går inte att läsa"));
    let mut del: i64 = 0;
    loop {
        let blob: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT items FROM report_count_parts WHERE report_id = $1 AND part = $2",
        )
        .bind(report_id.to_string())
        .bind(del)
        .fetch_optional(store.pool())
        .await
        .map_err(StoreError::from)?;
        let Some(b) = blob else { break };
        f(Rakning::las(&b).ok_or_else(bad)?)?;
        del += 1;
    }
    if del == 0 {
        f(rakning_fore_delar(store, report_id).await?)?;
    }
    Ok(())
}

/// What a cycle report counted, whole (empty for a half-year or year).
pub async fn rakning(store: &Store, report_id: &str) -> Result<Rakning> {
    let mut r = Rakning::default();
    rakning_delar(store, report_id, |d| {
        r.utoka(d);
        Ok::<_, StoreError>(())
    })
    .await?;
    Ok(r)
}

/// How many cases and activities some reports counted together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Antal {
    pub fall: usize,
    pub aktiviteter: usize,
}

/// How many cases and activities the reports counted together, to size what their items fill
/// (reports issued before migration 0012 add none: the caller's buffer then grows).
pub async fn rakning_antal(store: &Store, report_ids: &[String]) -> Result<Antal> {
    let (mut fall, mut akt) = (0usize, 0usize);
    for id in report_ids {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(cases), 0) AS BIGINT) AS f, \
             CAST(COALESCE(SUM(activities), 0) AS BIGINT) AS a \
             FROM report_count_parts WHERE report_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(store.pool())
        .await?;
        fall += usize::try_from(row.try_get::<i64, _>("f")?).unwrap_or(0);
        akt += usize::try_from(row.try_get::<i64, _>("a")?).unwrap_or(0);
    }
    Ok(Antal {
        fall,
        aktiviteter: akt,
    })
}

/// A record written before migration 0012: one value in `report_counts`, or before 0011 one
/// `report_items` row per item, read into the same form.
async fn rakning_fore_delar(store: &Store, report_id: &str) -> Result<Rakning> {
    let blob: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT items FROM report_counts WHERE report_id = $1")
            .bind(report_id.to_string())
            .fetch_optional(store.pool())
            .await?;
    if let Some(b) = blob {
        return Rakning::las(&b).ok_or_else(|| {
            StoreError::Other(format!("rapport {report_id}: posterna går inte att läsa"))
        });
    }
    let rows = sqlx::query(
        "SELECT i.kind, i.item_id, i.snapshot, c.seq AS cseq, a.seq AS aseq, ac.seq AS acseq FROM report_items i \
         LEFT JOIN cases c ON i.kind = 'fall' AND c.id = i.item_id \
         LEFT JOIN activities a ON i.kind = 'aktivitet' AND a.id = i.item_id \
         LEFT JOIN cases ac ON ac.id = a.case_id \
         WHERE i.report_id = $1 ORDER BY i.kind, i.item_id",
    )
    .bind(report_id.to_string())
    .fetch_all(store.pool())
    .await?;
    let bad = || StoreError::Other(format!("rapport {report_id}: en post går inte att läsa"));
    let mut r = Rakning::default();
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let id: String = row.try_get("item_id")?;
        let snap: String = row.try_get("snapshot")?;
        match kind.as_str() {
            "fall" => {
                let seq: Option<i64> = row.try_get("cseq")?;
                let p = Fallpost::parse(&snap).ok_or_else(bad)?;
                r.fall.push((seq.ok_or_else(bad)?, Fallkod::av(&p)));
            }
            "aktivitet" => {
                let f: Vec<&str> = snap.split('|').collect();
                let [_, k, m, min, inom] = f.as_slice() else {
                    return Err(bad());
                };
                r.aktiviteter.push(Aktpost {
                    seq: row.try_get::<Option<i64>, _>("aseq")?.ok_or_else(bad)?,
                    fall: row.try_get::<Option<i64>, _>("acseq")?.ok_or_else(bad)?,
                    slag: k.parse().map_err(|_| bad())?,
                    satt: m.parse().map_err(|_| bad())?,
                    minuter: min.parse().map_err(|_| bad())?,
                    inom: *inom == "1",
                    partner: 0,
                });
            }
            "vittnesstod" => {
                let n: Vec<u32> = snap
                    .split(',')
                    .map(|x| x.parse().map_err(|_| bad()))
                    .collect::<Result<_>>()?;
                let [a, b, c, d] = n.as_slice() else {
                    return Err(bad());
                };
                r.vittnesstod.push((id, [*a, *b, *c, *d]));
            }
            "timmar" => {
                let (k, h) = snap.split_once('|').ok_or_else(bad)?;
                r.timmar.push((
                    id,
                    k.parse().map_err(|_| bad())?,
                    h.parse().map_err(|_| bad())?,
                ));
            }
            _ => return Err(bad()),
        }
    }
    r.fall.sort_by_key(|x| x.0);
    r.aktiviteter.sort_by_key(|x| x.seq);
    Ok(r)
}

/// Takes the agreement's report lock for the rest of the transaction (PostgreSQL: the agreement's
/// row; SQLite has one writer at a time) and answers how many reports it has.
pub async fn lock(store: &Store, tx: &mut Tx, agreement_id: &str) -> Result<i64> {
    if store.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM agreements WHERE id = $1 FOR UPDATE")
            .bind(agreement_id.to_string())
            .fetch_optional(&mut *tx.tx)
            .await?;
    }
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE agreement_id = $1")
            .bind(agreement_id.to_string())
            .fetch_one(&mut *tx.tx)
            .await?,
    )
}

/// A report to store.
pub struct NyRapport<'a> {
    pub agreement_id: &'a str,
    pub period: &'a str,
    pub edition: i64,
    pub cycle: bool,
    pub parts: &'a [String],
    pub issued_at: i64,
    /// The edition's reason, a code (published).
    pub reason: Option<&'a str>,
    /// The coordinator's free text on the edition: the organisation's record only.
    pub reason_note: Option<&'a str>,
    pub document: &'a str,
    pub digest: &'a str,
    pub key_id: &'a str,
    pub record: &'a str,
    /// What a cycle report counted (stored in parts, [`Rakning::delar`]); `None` for a sum of
    /// cycle reports.
    pub items: Option<&'a Rakning>,
}

/// Writes a report (in the caller's transaction, so an edition and the re-issued longer periods
/// land together) with its audit entry. The unique index refuses a second report of an edition.
pub async fn insert(tx: &mut Tx, actor: Option<&str>, id: &str, n: &NyRapport<'_>) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO reports (id, agreement_id, period, edition, cycle, parts, issued_at, issued_by, reason, \
         reason_note, document, digest, key_id, record) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id.to_string())
    .bind(n.agreement_id.to_string())
    .bind(n.period.to_string())
    .bind(n.edition)
    .bind(i64::from(n.cycle))
    .bind(n.parts.join(" "))
    .bind(n.issued_at)
    .bind(actor.map(str::to_string))
    .bind(n.reason.map(str::to_string))
    .bind(n.reason_note.map(str::to_string))
    .bind(n.document.to_string())
    .bind(n.digest.to_string())
    .bind(n.key_id.to_string())
    .bind(n.record.to_string())
    .execute(&mut *tx.tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &r
        && e.is_unique_violation()
    {
        return Err(StoreError::Conflict(None));
    }
    r?;
    if let Some(items) = n.items {
        for (i, del) in items.delar(rakning::DEL).enumerate() {
            sqlx::query(
                "INSERT INTO report_count_parts (report_id, part, cases, activities, items) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.to_string())
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .bind(i64::try_from(del.fall).unwrap_or(i64::MAX))
            .bind(i64::try_from(del.aktiviteter).unwrap_or(i64::MAX))
            .bind(del.bytes)
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    audit::append(tx, n.issued_at, actor, "rapport.utfardad", Some(id)).await?;
    Ok(())
}

/// A public signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nyckel {
    pub id: String,
    pub organisation_id: String,
    pub public_key: Vec<u8>,
    pub created_at: i64,
}

pub async fn public_keys(store: &Store) -> Result<Vec<Nyckel>> {
    let rows = sqlx::query(
        "SELECT id, organisation_id, public_key, created_at FROM signing_keys ORDER BY created_at, id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Nyckel {
                id: r.try_get("id")?,
                organisation_id: r.try_get("organisation_id")?,
                public_key: r.try_get("public_key")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// An organisation's private signing key and its id (published with each report it signs).
pub struct Signeringsnyckel {
    pub id: String,
    pub privat: zeroize::Zeroizing<[u8; 32]>,
}

/// The organisation's signing key, created on first use. The private key is kept wrapped by the
/// master key.
pub async fn signing_key(
    store: &Store,
    keys: &Nyckelring,
    organisation_id: &str,
) -> Result<Signeringsnyckel> {
    let row = sqlx::query(
        "SELECT id, wrapped FROM signing_keys WHERE organisation_id = $1 ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(organisation_id.to_string())
    .fetch_optional(store.pool())
    .await?;
    if let Some(r) = row {
        let id: String = r.try_get("id")?;
        let wrapped: Vec<u8> = r.try_get("wrapped")?;
        let privat = keys.unwrap_key(&wrapped, &format!("signing_keys.wrapped:{id}"))?;
        return Ok(Signeringsnyckel { id, privat });
    }
    ny_signeringsnyckel_med(store, keys, organisation_id).await
}

/// A new signing key for the organisation, which signs its reports from now on; the old ones stay
/// (their public keys published, `GET /api/v1/keys`), so reports signed before still verify.
/// Answers the new key's id.
pub async fn ny_signeringsnyckel(
    store: &Store,
    keys: &Nyckelring,
    organisation_id: &str,
) -> Result<String> {
    crate::orgs::get(store, organisation_id).await?;
    Ok(ny_signeringsnyckel_med(store, keys, organisation_id)
        .await?
        .id)
}

async fn ny_signeringsnyckel_med(
    store: &Store,
    keys: &Nyckelring,
    organisation_id: &str,
) -> Result<Signeringsnyckel> {
    let id = new_id("k");
    let key = Nyckelring::new_data_key();
    let public = boj_rapport::signatur::publik(&key);
    let wrapped = keys.wrap(&key, &format!("signing_keys.wrapped:{id}"))?;
    let now = store.now();
    let mut tx = store.begin().await?;
    // Newer than every key the organisation has, even within one second: the newest signs.
    let senaste: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM signing_keys WHERE organisation_id = $1")
            .bind(organisation_id.to_string())
            .fetch_one(&mut *tx.tx)
            .await?;
    let created_at = senaste.map_or(now, |s| now.max(s + 1));
    sqlx::query(
        "INSERT INTO signing_keys (id, organisation_id, public_key, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.clone())
    .bind(organisation_id.to_string())
    .bind(public.to_vec())
    .bind(wrapped)
    .bind(created_at)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(&mut tx, now, None, "nyckel.skapad", Some(&id)).await?;
    tx.commit().await?;
    Ok(Signeringsnyckel { id, privat: key })
}

/// A case as reports read it: its number, opening date, registration time and report values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallrad {
    pub seq: i64,
    pub opened_on: Datum,
    pub registered_at: i64,
    /// The values as a report would count them now (not late).
    pub kod: Fallkod,
}

/// An activity as reports read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aktrad {
    pub seq: i64,
    /// The case's number.
    pub fall: i64,
    pub date: Datum,
    pub registered_at: i64,
    /// Index in `Aktivitetstyp::ALL`.
    pub slag: u8,
    /// Index in `Kontaktsatt::ALL`.
    pub satt: u8,
    pub minuter: u16,
    /// A referral's partner kind: 0 none, else 1 + its index in `Partnertyp::ALL`.
    pub partner: u8,
}

const FALLRAD: &str = "seq, opened_on, registered_at, person_type, municipality, gender, age_band, crime_types, \
    circumstances, police_report, first_contact, informed_11_6, eligibility, eligibility_reasons";

fn kod_index<K: Kodlista + PartialEq>(s: &str) -> Result<u8> {
    K::parse(s)
        .map(modell::index)
        .map_err(|e| StoreError::Other(e.message))
}

fn lista<K: Kodlista>(s: &str) -> Result<Vec<K>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| K::parse(x).map_err(|e| StoreError::Other(e.message)))
        .collect()
}

fn fallrad(r: &AnyRow) -> Result<Fallrad> {
    let text = |c: &str| -> Result<String> { Ok(r.try_get::<String, _>(c)?) };
    let fel = |e: boj_domain::DomainError| StoreError::Other(e.message);
    let status = match Status::parse(&text("eligibility")?) {
        Some(Status::Inom) => modell::INOM,
        Some(Status::Utanfor) => modell::UTANFOR,
        Some(Status::EjFaststalld) => modell::EJ_FASTSTALLD,
        None => {
            return Err(StoreError::Other(
                "ogiltigt värde i cases.eligibility".into(),
            ));
        }
    };
    let p = Fallpost {
        person: kod::PersonTyp::parse(&text("person_type")?).map_err(fel)?,
        hem: text("municipality")?,
        kon: kod::Kon::parse(&text("gender")?).map_err(fel)?,
        alder: kod::Aldersgrupp::parse(&text("age_band")?).map_err(fel)?,
        brott: lista(&text("crime_types")?)?,
        omstandigheter: lista(&text("circumstances")?)?,
        polis: kod::Polisanmalan::parse(&text("police_report")?).map_err(fel)?,
        forsta: kod::ForstaKontakt::parse(&text("first_contact")?).map_err(fel)?,
        informerad: r.try_get::<i64, _>("informed_11_6")? != 0,
        status,
        orsaker: text("eligibility_reasons")?
            .lines()
            .filter_map(|l| Skal::parse(l.split('\t').next().unwrap_or_default()))
            .collect(),
        sent: false,
    };
    Ok(Fallrad {
        seq: r.try_get("seq")?,
        opened_on: Datum::parse(&text("opened_on")?).map_err(fel)?,
        registered_at: r.try_get("registered_at")?,
        kod: Fallkod::av(&p),
    })
}

/// Cases of an agreement numbered in (`efter`, `till`], in number order, at most `max`.
pub async fn fall_rader(
    store: &Store,
    agreement_id: &str,
    efter: i64,
    till: i64,
    max: i64,
) -> Result<Vec<Fallrad>> {
    let sql = format!(
        "SELECT {FALLRAD} FROM cases WHERE agreement_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .bind(efter)
        .bind(till)
        .bind(max)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(fallrad)
        .collect()
}

/// How many cases the agreement has (to size the report register before it is read).
pub async fn antal_fall(store: &Store, agreement_id: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE agreement_id = $1")
            .bind(agreement_id.to_string())
            .fetch_one(store.pool())
            .await?,
    )
}

/// Placeholders `$fran..` for an `IN` list of `n` values.
pub(crate) fn platser(fran: usize, n: usize) -> String {
    (fran..fran + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of `sql` (which binds `$1` to the agreement and `$2` to `till`, and ends in an `IN (` that
/// this closes) for `ids`, 500 at a time, each read by `rad`.
async fn med_id<T>(
    store: &Store,
    sql: &str,
    agreement_id: &str,
    till: i64,
    ids: &[String],
    rad: fn(&AnyRow) -> Result<T>,
) -> Result<Vec<T>> {
    let mut ut = Vec::new();
    for bit in ids.chunks(500) {
        let sql = format!("{sql}{})", platser(3, bit.len()));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agreement_id.to_string())
            .bind(till);
        for id in bit {
            q = q.bind(id.clone());
        }
        for r in q.fetch_all(store.pool()).await? {
            ut.push(rad(&r)?);
        }
    }
    Ok(ut)
}

/// The agreement's cases among `ids` numbered up to `till` (others are left out).
pub async fn fall_rader_med_id(
    store: &Store,
    agreement_id: &str,
    till: i64,
    ids: &[String],
) -> Result<Vec<Fallrad>> {
    let sql =
        format!("SELECT {FALLRAD} FROM cases WHERE agreement_id = $1 AND seq <= $2 AND id IN (");
    med_id(store, &sql, agreement_id, till, ids, fallrad).await
}

/// Activities first, then their case by its key: `CROSS JOIN` keeps SQLite from starting at the
/// agreement's cases and sorting every activity for each page (PostgreSQL plans it as a join).
const AKTRAD: &str = "SELECT a.seq, c.seq AS fall, a.date, a.registered_at, a.kind, a.mode, a.minutes, a.partner_kind \
    FROM activities a CROSS JOIN cases c";

fn aktrad(r: &AnyRow) -> Result<Aktrad> {
    let text = |c: &str| -> Result<String> { Ok(r.try_get::<String, _>(c)?) };
    Ok(Aktrad {
        seq: r.try_get("seq")?,
        fall: r.try_get("fall")?,
        date: Datum::parse(&text("date")?).map_err(|e| StoreError::Other(e.message))?,
        registered_at: r.try_get("registered_at")?,
        slag: kod_index::<kod::Aktivitetstyp>(&text("kind")?)?,
        satt: kod_index::<kod::Kontaktsatt>(&text("mode")?)?,
        minuter: u16::try_from(r.try_get::<i64, _>("minutes")?).unwrap_or(u16::MAX),
        partner: match r.try_get::<Option<String>, _>("partner_kind")? {
            Some(k) => kod_index::<kod::Partnertyp>(&k)? + 1,
            None => 0,
        },
    })
}

/// Activities of the agreement's cases numbered in (`efter`, `till`], in number order, at most `max`.
pub async fn akt_rader(
    store: &Store,
    agreement_id: &str,
    efter: i64,
    till: i64,
    max: i64,
) -> Result<Vec<Aktrad>> {
    let sql = format!(
        "{AKTRAD} WHERE c.id = a.case_id AND c.agreement_id = $1 AND a.seq > $2 AND a.seq <= $3 \
         ORDER BY a.seq LIMIT $4"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .bind(efter)
        .bind(till)
        .bind(max)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(aktrad)
        .collect()
}

/// Activities numbered up to `till` of the agreement's cases among `case_ids`.
pub async fn akt_rader_for_fall(
    store: &Store,
    agreement_id: &str,
    till: i64,
    case_ids: &[String],
) -> Result<Vec<Aktrad>> {
    let sql = format!(
        "{AKTRAD} WHERE c.id = a.case_id AND c.agreement_id = $1 AND a.seq <= $2 AND a.case_id IN ("
    );
    med_id(store, &sql, agreement_id, till, case_ids, aktrad).await
}

/// A witness-support session as reports count it.
#[derive(Debug, Clone)]
pub struct Vittnespost {
    pub id: String,
    pub datum: Datum,
    /// People supported per role: witness, injured party, relative, defendant.
    pub antal: [u32; 4],
    /// When it was registered (Unix seconds).
    pub registrerad: i64,
}

/// Volunteer hours of a month as reports count them.
#[derive(Debug, Clone)]
pub struct Timpost {
    pub id: String,
    /// The month's first day.
    pub manad: Datum,
    pub typ: kod::Volontartimmar,
    pub hundradelar: u64,
    /// When it was registered (Unix seconds).
    pub registrerad: i64,
}

/// Witness-support sessions counted in an agreement (each session in one agreement only).
pub async fn witness_sessions(store: &Store, agreement_id: &str) -> Result<Vec<Vittnespost>> {
    let rows = sqlx::query(
        "SELECT id, date, vittne, malsagande, anhorig_van, tilltalad, registered_at FROM witness_support \
         WHERE agreement_id = $1 ORDER BY date, id",
    )
    .bind(agreement_id.to_string())
    .fetch_all(store.pool())
    .await?;
    let n = |r: &AnyRow, c: &str| -> Result<u32> {
        Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))
    };
    rows.iter()
        .map(|r| {
            Ok(Vittnespost {
                id: r.try_get("id")?,
                datum: Datum::parse(&r.try_get::<String, _>("date")?)
                    .map_err(|e| StoreError::Other(e.message))?,
                antal: [
                    n(r, "vittne")?,
                    n(r, "malsagande")?,
                    n(r, "anhorig_van")?,
                    n(r, "tilltalad")?,
                ],
                registrerad: r.try_get("registered_at")?,
            })
        })
        .collect()
}

/// Volunteer hours counted in an agreement (each entry in one agreement only).
pub async fn volunteer_hours(store: &Store, agreement_id: &str) -> Result<Vec<Timpost>> {
    let rows = sqlx::query(
        "SELECT id, month, kind, hundredths, registered_at FROM volunteer_hours WHERE agreement_id = $1 \
         ORDER BY month, id",
    )
    .bind(agreement_id.to_string())
    .fetch_all(store.pool())
    .await?;
    let fel = |e: boj_domain::DomainError| StoreError::Other(e.message);
    rows.iter()
        .map(|r| {
            Ok(Timpost {
                id: r.try_get("id")?,
                manad: Datum::parse(&format!("{}-01", r.try_get::<String, _>("month")?))
                    .map_err(fel)?,
                typ: kod::Volontartimmar::parse(&r.try_get::<String, _>("kind")?).map_err(fel)?,
                hundradelar: u64::try_from(r.try_get::<i64, _>("hundredths")?).unwrap_or(0),
                registrerad: r.try_get("registered_at")?,
            })
        })
        .collect()
}

/// Collaboration work of a month as reports count it.
#[derive(Debug, Clone)]
pub struct Samverkanspost {
    pub id: String,
    /// The month's first day.
    pub manad: Datum,
    pub partner_id: u16,
    pub slag: kod::Partnertyp,
    pub form: kod::Samverkansform,
    pub hundradelar: u64,
    /// When it was registered (Unix seconds).
    pub registrerad: i64,
}

/// Collaboration work recorded under an agreement.
pub async fn collaboration(store: &Store, agreement_id: &str) -> Result<Vec<Samverkanspost>> {
    let rows = sqlx::query(
        "SELECT id, month, partner_id, partner_kind, form, hundredths, registered_at FROM collaboration_work \
         WHERE agreement_id = $1 ORDER BY month, id",
    )
    .bind(agreement_id.to_string())
    .fetch_all(store.pool())
    .await?;
    let fel = |e: boj_domain::DomainError| StoreError::Other(e.message);
    rows.iter()
        .map(|r| {
            Ok(Samverkanspost {
                id: r.try_get("id")?,
                manad: Datum::parse(&format!("{}-01", r.try_get::<String, _>("month")?))
                    .map_err(fel)?,
                partner_id: u16::try_from(r.try_get::<i64, _>("partner_id")?).unwrap_or(0),
                slag: kod::Partnertyp::parse(&r.try_get::<String, _>("partner_kind")?)
                    .map_err(fel)?,
                form: kod::Samverkansform::parse(&r.try_get::<String, _>("form")?).map_err(fel)?,
                hundradelar: u64::try_from(r.try_get::<i64, _>("hundredths")?).unwrap_or(0),
                registrerad: r.try_get("registered_at")?,
            })
        })
        .collect()
}

/// Writes an audit entry for a download of a report.
pub async fn log_download(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    format: &str,
) -> Result<()> {
    let mut tx = store.begin().await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        &format!("rapport.hamtad.{format}"),
        Some(id),
    )
    .await?;
    tx.commit().await
}
