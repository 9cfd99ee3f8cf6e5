//! Cases, activities, witness support and volunteer hours (SPEC § 3.2).
//!
//! A case stores its statistics items and its eligibility (computed by
//! `boj_domain::bedomning::bedom` when registered and whenever its inputs change). Contact details
//! and the note exist only with consent, sealed under the case's own data key (see [`crate::nycklar`]);
//! withdrawing consent deletes the sealed details and the key at once.

use crate::nycklar::{self, Nyckelring};
use crate::{Result, Store, StoreError, audit, new_id};
use boj_domain::arende::{Aktivitet, Arendenummer, Kontakt, Poster, Statistik, koder};
use boj_domain::bedomning::{Bedomning, Motivering, Skal, Status};
use boj_domain::kod::{Aktivitetstyp, Kodlista, Kontaktsatt};
use boj_domain::{Arendeomfang, Datum};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A case as stored, without contact details.
#[derive(Debug, Clone)]
pub struct Arende {
    pub id: String,
    pub agreement_id: String,
    pub organisation_id: String,
    pub opened_on: Datum,
    pub closed_on: Option<Datum>,
    pub registered_at: i64,
    /// The statistics items, parsed (a stored value that does not parse is a store error).
    pub statistik: Statistik,
    pub consent_contact: bool,
    pub has_contact: bool,
    pub assignee: Option<String>,
    pub eligibility: Status,
    pub reasons: Vec<(Skal, String)>,
    pub last_activity_on: Datum,
    /// Retention has erased the details, coarsened the dates and frozen the eligibility.
    pub frozen: bool,
    /// The case's stable number: the audit sequence number of its registration (migration 0011).
    pub seq: i64,
    /// The short number people use (`2026-0142`, migration 0019).
    pub nummer: Arendenummer,
}

impl Arende {
    pub fn omfang(&self) -> Arendeomfang<'_> {
        Arendeomfang {
            organisation: &self.organisation_id,
            assignee: self.assignee.as_deref(),
        }
    }
}

fn split(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn reasons_text(b: &Bedomning) -> String {
    b.skal
        .iter()
        .map(|m| format!("{}\t{}", m.skal.code(), m.text.replace(['\n', '\t'], " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

const COLUMNS: &str = "c.id, c.agreement_id, c.organisation_id, c.opened_on, c.closed_on, c.registered_at, c.person_type, \
    c.municipality, c.gender, c.age_band, c.crime_types, c.circumstances, c.police_report, c.first_contact, c.informed_11_6, \
    c.consent_contact, c.assignee, c.eligibility, c.eligibility_reasons, c.last_activity_on, \
    c.eligibility_frozen, c.seq, c.number_year, c.number, (SELECT COUNT(*) FROM case_contacts k WHERE k.case_id = c.id) AS has_contact";

/// The names of [`COLUMNS`], in order (a page handed over as one JSON value lists them so).
const NAMN: [&str; 25] = [
    "id",
    "agreement_id",
    "organisation_id",
    "opened_on",
    "closed_on",
    "registered_at",
    "person_type",
    "municipality",
    "gender",
    "age_band",
    "crime_types",
    "circumstances",
    "police_report",
    "first_contact",
    "informed_11_6",
    "consent_contact",
    "assignee",
    "eligibility",
    "eligibility_reasons",
    "last_activity_on",
    "eligibility_frozen",
    "seq",
    "number_year",
    "number",
    "has_contact",
];

/// A stored case's columns by name: a database row, or one row of a page the database handed over as
/// one JSON value ([`sok`]).
trait Kolumner {
    fn text(&self, k: &str) -> Result<Option<String>>;
    fn tal(&self, k: &str) -> Result<Option<i64>>;
}

impl Kolumner for AnyRow {
    fn text(&self, k: &str) -> Result<Option<String>> {
        Ok(self.try_get(k)?)
    }
    fn tal(&self, k: &str) -> Result<Option<i64>> {
        Ok(self.try_get(k)?)
    }
}

/// One value of a page handed over as JSON: text (borrowed from the page where it has no escapes),
/// a whole number, or null. Read without building a `serde_json::Value` per cell, which cost more
/// than the rest of the row's reading (BENCHMARKS.md, "Pages under load").
enum Cell<'a> {
    Text(std::borrow::Cow<'a, str>),
    Tal(i64),
    Null,
}

impl<'de> serde::Deserialize<'de> for Cell<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Cell<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text, a whole number or null")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Text(std::borrow::Cow::Owned(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Tal(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Cell<'de>, E> {
                i64::try_from(v).map(Cell::Tal).map_err(E::custom)
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Tal(i64::from(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Null)
            }
            fn visit_none<E>(self) -> std::result::Result<Cell<'de>, E> {
                Ok(Cell::Null)
            }
        }
        d.deserialize_any(V)
    }
}

/// The columns of [`NAMN`] a page hands over as JSON, in order: all but the organisation's id,
/// which the caller gave ([`JsonRad`] answers it).
fn i_sidan() -> impl Iterator<Item = &'static str> {
    NAMN.into_iter().filter(|n| *n != "organisation_id")
}

/// One row of a page as JSON: the values of [`i_sidan`] in order, and the organisation asked for.
struct JsonRad<'a, 'b> {
    celler: &'b [Cell<'a>],
    organisation_id: &'b str,
}

impl JsonRad<'_, '_> {
    fn varde(&self, k: &str) -> Result<&Cell<'_>> {
        i_sidan()
            .position(|n| n == k)
            .and_then(|i| self.celler.get(i))
            .ok_or_else(|| StoreError::Other(format!("kolumnen {k} saknas")))
    }
}

impl Kolumner for JsonRad<'_, '_> {
    fn text(&self, k: &str) -> Result<Option<String>> {
        if k == "organisation_id" {
            return Ok(Some(self.organisation_id.to_string()));
        }
        Ok(match self.varde(k)? {
            Cell::Text(t) => Some(t.to_string()),
            _ => None,
        })
    }
    fn tal(&self, k: &str) -> Result<Option<i64>> {
        Ok(match self.varde(k)? {
            Cell::Tal(n) => Some(*n),
            _ => None,
        })
    }
}

fn from_row(r: &impl Kolumner) -> Result<Arende> {
    let corrupt = |w: &str| StoreError::Other(format!("ogiltigt värde i cases.{w}"));
    let date = |s: String| Datum::parse(&s).map_err(|_| corrupt("date"));
    let text = |k: &str| r.text(k)?.ok_or_else(|| corrupt(k));
    let tal = |k: &str| r.tal(k)?.ok_or_else(|| corrupt(k));
    Ok(Arende {
        id: text("id")?,
        agreement_id: text("agreement_id")?,
        organisation_id: text("organisation_id")?,
        opened_on: date(text("opened_on")?)?,
        closed_on: r.text("closed_on")?.map(date).transpose()?,
        registered_at: tal("registered_at")?,
        statistik: Poster {
            person: text("person_type")?,
            hem: text("municipality")?,
            kon: text("gender")?,
            alder: text("age_band")?,
            brott: split(text("crime_types")?),
            omstandigheter: split(text("circumstances")?),
            polis: text("police_report")?,
            forsta_kontakt: text("first_contact")?,
            informerad_11_6: tal("informed_11_6")? != 0,
        }
        .statistik()
        .map_err(|_| corrupt("items"))?,
        consent_contact: tal("consent_contact")? != 0,
        has_contact: tal("has_contact")? > 0,
        assignee: r.text("assignee")?,
        eligibility: Status::parse(&text("eligibility")?).ok_or_else(|| corrupt("eligibility"))?,
        reasons: text("eligibility_reasons")?
            .lines()
            .filter_map(|l| {
                l.split_once('\t')
                    .and_then(|(c, t)| Skal::parse(c).map(|s| (s, t.to_string())))
            })
            .collect(),
        last_activity_on: date(text("last_activity_on")?)?,
        frozen: tal("eligibility_frozen")? != 0,
        seq: tal("seq")?,
        nummer: Arendenummer {
            ar: tal("number_year")?,
            lopnr: tal("number")?,
        },
    })
}

/// A new case.
pub struct NyttArende<'a> {
    pub agreement_id: &'a str,
    pub organisation_id: &'a str,
    pub opened_on: Datum,
    pub items: &'a Statistik,
    pub assignee: Option<&'a str>,
    pub eligibility: &'a Bedomning,
    /// The agreement revision `eligibility` was judged under ([`crate::avtal::Snapshot`]); the
    /// write is refused with [`StoreError::Changed`] if the agreement has moved on since.
    pub revision: i64,
    /// Contact details and note, with consent only (the caller has checked that).
    pub contact: Option<&'a Kontakt>,
}

/// The statistics items as the columns person_type, municipality, gender, age_band, crime_types,
/// circumstances, police_report and first_contact hold them.
fn kolumner(it: &Statistik) -> [String; 8] {
    [
        it.person.code().to_string(),
        it.hem.code(),
        it.kon.code().to_string(),
        it.alder.code().to_string(),
        koder(&it.brott),
        koder(&it.omstandigheter),
        it.polis.code().to_string(),
        it.forsta_kontakt.code().to_string(),
    ]
}

/// A case ready to be written: every value owned, the contact details already sealed.
pub struct Skrivjobb {
    id: String,
    agreement_id: String,
    /// The agreement revision the eligibility was judged under.
    revision: i64,
    organisation_id: String,
    opened_on: String,
    /// The year of `opened_on`, whose numbers the case takes one of.
    year: i64,
    registered_at: i64,
    codes: [String; 8],
    informed: i64,
    assignee: Option<String>,
    eligibility: &'static str,
    reasons: String,
    /// (wrapped data key, sealed details)
    sealed: Option<(Vec<u8>, Vec<u8>)>,
    actor: Option<String>,
}

/// A job and the channel its answer goes back on.
pub struct Skrivning {
    jobb: Skrivjobb,
    klar: tokio::sync::oneshot::Sender<Result<(i64, Arendenummer)>>,
}

/// Seals contact details under a fresh data key of the case; returns (wrapped key, sealed details).
fn seal_contact(keys: &Nyckelring, id: &str, k: &Kontakt) -> Result<(Vec<u8>, Vec<u8>)> {
    let dk = Nyckelring::new_data_key();
    let wrapped = keys.wrap(&dk, &format!("case_keys.wrapped:{id}"))?;
    let json = zeroize::Zeroizing::new(
        serde_json::to_vec(k).map_err(|e| StoreError::Other(e.to_string()))?,
    );
    let sealed = nycklar::seal(&dk, &format!("case_contacts.sealed:{id}"), &json)?;
    Ok((wrapped, sealed))
}

/// Takes the next `n` case numbers of an organisation's year; answers the last of them.
async fn nasta_nummer(tx: &mut crate::Tx, organisation_id: &str, year: i64, n: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO case_numbers (organisation_id, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (organisation_id, year) DO UPDATE SET last = case_numbers.last + excluded.last \
         RETURNING last",
    )
    .bind(organisation_id.to_string())
    .bind(year)
    .bind(n)
    .fetch_one(&mut *tx.tx)
    .await?)
}

async fn insert(tx: &mut crate::Tx, j: &Skrivjobb) -> Result<(i64, Arendenummer)> {
    // The registration's audit number is the case's stable number (`seq`, migration 0011).
    let seq = audit::append(
        tx,
        j.registered_at,
        j.actor.as_deref(),
        "arende.registrerat",
        Some(&j.id),
    )
    .await?;
    let year = j.year;
    let number = nasta_nummer(tx, &j.organisation_id, year, 1).await?;
    sqlx::query(
        "INSERT INTO cases (id, agreement_id, organisation_id, opened_on, registered_at, person_type, municipality, gender, \
         age_band, crime_types, circumstances, police_report, first_contact, informed_11_6, consent_contact, assignee, \
         eligibility, eligibility_reasons, last_activity_on, seq, number_year, number) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $4, $19, $20, $21)",
    )
    .bind(j.id.clone())
    .bind(j.agreement_id.clone())
    .bind(j.organisation_id.clone())
    .bind(j.opened_on.clone())
    .bind(j.registered_at)
    .bind(j.codes[0].clone())
    .bind(j.codes[1].clone())
    .bind(j.codes[2].clone())
    .bind(j.codes[3].clone())
    .bind(j.codes[4].clone())
    .bind(j.codes[5].clone())
    .bind(j.codes[6].clone())
    .bind(j.codes[7].clone())
    .bind(j.informed)
    .bind(i64::from(j.sealed.is_some()))
    .bind(j.assignee.clone())
    .bind(j.eligibility)
    .bind(j.reasons.clone())
    .bind(seq)
    .bind(year)
    .bind(number)
    .execute(&mut *tx.tx)
    .await?;
    if let Some((wrapped, sealed)) = &j.sealed {
        sqlx::query("INSERT INTO case_keys (case_id, wrapped) VALUES ($1, $2)")
            .bind(j.id.clone())
            .bind(wrapped.clone())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO case_contacts (case_id, sealed) VALUES ($1, $2)")
            .bind(j.id.clone())
            .bind(sealed.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok((
        seq,
        Arendenummer {
            ar: year,
            lopnr: number,
        },
    ))
}

/// **Group commit** for intake (issue: intake benchmark). One task writes cases: it takes every
/// registration waiting in its queue (up to 128), writes them in one transaction with one fsync, and
/// only then answers each. So concurrent registrations share a commit, and none is acknowledged
/// before it is durable. If a batch fails, its cases are retried one by one, so one bad case cannot
/// fail the others. A case judged under an agreement revision that is no longer current is answered
/// [`StoreError::Changed`] and not written.
pub(crate) async fn skrivare(store: Store, mut rx: tokio::sync::mpsc::Receiver<Skrivning>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 128 {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let all: Vec<&Skrivjobb> = batch.iter().map(|s| &s.jobb).collect();
        match write(&store, &all).await {
            Ok(current) => {
                for (s, seq) in batch.into_iter().zip(current) {
                    let _ = s.klar.send(seq.ok_or(StoreError::Changed));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some(s) = batch.into_iter().next() {
                    let _ = s.klar.send(Err(e));
                }
            }
            Err(_) => {
                for s in batch {
                    let r = match write(&store, &[&s.jobb]).await {
                        Ok(v) => v.first().copied().flatten().ok_or(StoreError::Changed),
                        Err(e) => Err(e),
                    };
                    let _ = s.klar.send(r);
                }
            }
        }
    }
}

/// Writes the jobs whose agreement revision is current, in one transaction; answers, job by job,
/// whether it was written (with the case's number). The revision is read under a shared row lock on PostgreSQL, so a decision
/// cannot commit between this check and the commit (its eligibility recomputation then sees these
/// cases); SQLite has one writer at a time.
async fn write(store: &Store, jobs: &[&Skrivjobb]) -> Result<Vec<Option<(i64, Arendenummer)>>> {
    let mut tx = store.begin().await?;
    let sql = match store.backend() {
        crate::Backend::Postgres => "SELECT revision FROM agreements WHERE id = $1 FOR SHARE",
        crate::Backend::Sqlite => "SELECT revision FROM agreements WHERE id = $1",
    };
    let mut revisions: Vec<(&str, Option<i64>)> = Vec::new();
    let mut current = Vec::with_capacity(jobs.len());
    for j in jobs {
        let rev = match revisions.iter().find(|(id, _)| *id == j.agreement_id) {
            Some((_, r)) => *r,
            None => {
                let r: Option<i64> = sqlx::query_scalar(sql)
                    .bind(j.agreement_id.clone())
                    .fetch_optional(&mut *tx.tx)
                    .await?;
                revisions.push((&j.agreement_id, r));
                r
            }
        };
        current.push(if rev == Some(j.revision) {
            Some(insert(&mut tx, j).await?)
        } else {
            None
        });
    }
    tx.commit().await?;
    Ok(current)
}

/// Registers a case (case, sealed contact details, audit entry, all committed together) through the
/// group-commit writer, and returns it once it is durable.
pub async fn create(
    store: &Store,
    keys: &Nyckelring,
    actor: Option<&str>,
    n: &NyttArende<'_>,
) -> Result<Arende> {
    let id = new_id("c");
    let it = n.items;
    let registered_at = store.now();
    let has_contact = n.contact.is_some();
    let jobb = Skrivjobb {
        sealed: n.contact.map(|k| seal_contact(keys, &id, k)).transpose()?,
        agreement_id: n.agreement_id.to_string(),
        revision: n.revision,
        organisation_id: n.organisation_id.to_string(),
        opened_on: n.opened_on.to_string(),
        year: i64::from(n.opened_on.year()),
        registered_at,
        codes: kolumner(it),
        informed: i64::from(it.informerad_11_6),
        assignee: n.assignee.map(str::to_string),
        eligibility: n.eligibility.status.code(),
        reasons: reasons_text(n.eligibility),
        actor: actor.map(str::to_string),
        id: id.clone(),
    };
    let (klar, svar) = tokio::sync::oneshot::channel();
    store
        .intake()
        .send(Skrivning { jobb, klar })
        .await
        .map_err(|_| StoreError::Other("skrivkön är stängd".into()))?;
    let (seq, nummer) = svar
        .await
        .map_err(|_| StoreError::Other("skrivkön svarade inte".into()))??;
    // What was written, without reading it back.
    Ok(Arende {
        id,
        agreement_id: n.agreement_id.to_string(),
        organisation_id: n.organisation_id.to_string(),
        opened_on: n.opened_on,
        closed_on: None,
        registered_at,
        statistik: it.clone(),
        consent_contact: has_contact,
        has_contact,
        assignee: n.assignee.map(str::to_string),
        eligibility: n.eligibility.status,
        reasons: n
            .eligibility
            .skal
            .iter()
            .map(|m| (m.skal, m.text.replace(['\n', '\t'], " ")))
            .collect(),
        last_activity_on: n.opened_on,
        frozen: false,
        seq,
        nummer,
    })
}

pub async fn get(store: &Store, id: &str) -> Result<Arende> {
    let sql = format!("SELECT {COLUMNS} FROM cases c WHERE c.id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The order of a case search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ordning {
    /// Latest contact date first.
    #[default]
    Nyast,
    /// Earliest contact date first.
    Aldst,
    /// Highest number first.
    Nummer,
    /// Longest without activity first.
    Aktivitet,
}

/// Which of an organisation's cases to list, and which page of them (the database filters, sorts
/// and pages, so a list costs the same at ten cases and at a million).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Urval {
    pub open_only: bool,
    pub assignee: Option<String>,
    /// A home municipality's code, `utlandet` or `okand`.
    pub home: Option<String>,
    /// An eligibility status code.
    pub eligibility: Option<String>,
    /// (year, number) of a case number; any year when `None`.
    pub number: Option<(Option<i64>, i64)>,
    /// Contact dates from and to, inclusive.
    pub from: Option<Datum>,
    pub to: Option<Datum>,
    /// Only cases whose last activity is on or before this day.
    pub idle_since: Option<Datum>,
    pub order: Ordning,
    pub limit: i64,
    pub offset: i64,
}

/// A page of an organisation's cases as [`Urval`] says, and how many match in all.
///
/// A page is kept in the process with the organisation's case version (`case_versions`, bumped by
/// triggers on every change to a case or its contact row, from any instance) and served again while
/// the version is unchanged: one lookup instead of the page's query (BENCHMARKS.md, "Pages under
/// load"). The version is read before the page, so a page is never labelled newer than it is.
pub async fn sok(store: &Store, organisation_id: &str, u: &Urval) -> Result<(Vec<Arende>, i64)> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT version FROM case_versions WHERE organisation_id = $1")
            .bind(organisation_id.to_string())
            .fetch_optional(store.pool())
            .await?;
    let nyckel = (organisation_id.to_string(), u.clone());
    if let Some(v) = version
        && let Some(sida) = store.cached_case_page(&nyckel)
        && sida.version == v
    {
        return Ok((sida.arenden.clone(), sida.total));
    }
    let (arenden, total) = sok_i_databasen(store, organisation_id, u).await?;
    // Pages as people read them are kept (at most 100 cases); the API's larger pages are read anew.
    if let Some(v) = version.filter(|_| u.limit <= 100) {
        store.cache_case_page(
            nyckel,
            std::sync::Arc::new(Sida {
                version: v,
                arenden: arenden.clone(),
                total,
            }),
        );
    }
    Ok((arenden, total))
}

/// A page of cases as [`sok`] keeps it.
pub(crate) struct Sida {
    version: i64,
    arenden: Vec<Arende>,
    total: i64,
}

/// The key a page is kept under: the organisation and the selection.
pub(crate) type Sidnyckel = (String, Urval);

async fn sok_i_databasen(
    store: &Store,
    organisation_id: &str,
    u: &Urval,
) -> Result<(Vec<Arende>, i64)> {
    enum Varde {
        Text(String),
        Tal(i64),
    }
    let mut villkor: Vec<String> = Vec::new();
    let mut varden: Vec<Varde> = Vec::new();
    let mut lagg = |sql: &str, v: Varde| {
        varden.push(v);
        villkor.push(sql.replace('?', &format!("${}", varden.len())));
    };
    lagg(
        "c.organisation_id = ?",
        Varde::Text(organisation_id.to_string()),
    );
    if let Some(a) = &u.assignee {
        lagg("c.assignee = ?", Varde::Text(a.clone()));
    }
    if let Some(h) = &u.home {
        lagg("c.municipality = ?", Varde::Text(h.clone()));
    }
    if let Some(e) = &u.eligibility {
        lagg("c.eligibility = ?", Varde::Text(e.clone()));
    }
    if let Some(d) = u.from {
        lagg("c.opened_on >= ?", Varde::Text(d.to_string()));
    }
    if let Some(d) = u.to {
        lagg("c.opened_on <= ?", Varde::Text(d.to_string()));
    }
    if let Some(d) = u.idle_since {
        lagg("c.last_activity_on <= ?", Varde::Text(d.to_string()));
    }
    if let Some((year, number)) = u.number {
        if let Some(y) = year {
            lagg("c.number_year = ?", Varde::Tal(y));
        }
        lagg("c.number = ?", Varde::Tal(number));
    }
    if u.open_only {
        villkor.push("c.closed_on IS NULL".into());
    }
    let villkor = villkor.join(" AND ");
    let ordning = match u.order {
        Ordning::Nyast => "c.opened_on DESC, c.number_year DESC, c.number DESC",
        Ordning::Aldst => "c.opened_on, c.number_year, c.number",
        Ordning::Nummer => "c.number_year DESC, c.number DESC",
        Ordning::Aktivitet => "c.last_activity_on, c.number_year, c.number",
    };
    let binda = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in &varden {
            q = match v {
                Varde::Text(t) => q.bind(t.clone()),
                Varde::Tal(n) => q.bind(*n),
            };
        }
        q
    };
    // The count and the page in one row, the page as one JSON value: the SQLite driver hands every
    // row over from its worker thread one at a time, which cost more than reading them
    // (BENCHMARKS.md, "Pages under load").
    let varden_sql = i_sidan()
        .map(|n| format!("p.{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sida = format!(
        "SELECT {COLUMNS} FROM cases c WHERE {villkor} ORDER BY {ordning} LIMIT {} OFFSET {}",
        u.limit.max(0),
        u.offset.max(0)
    );
    let json = match store.backend() {
        crate::Backend::Sqlite => {
            format!("SELECT json_group_array(json_array({varden_sql})) FROM ({sida}) p")
        }
        crate::Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({varden_sql})), '[]'::json)::TEXT FROM ({sida}) p"
        ),
    };
    let rad = binda(format!(
        "SELECT (SELECT COUNT(*) FROM cases c WHERE {villkor}) AS n, ({json}) AS sida"
    ))
    .fetch_one(store.pool())
    .await?;
    let total: i64 = rad.try_get("n")?;
    let sida: String = rad.try_get("sida")?;
    let rader: Vec<Vec<Cell<'_>>> = serde_json::from_str(&sida)
        .map_err(|e| StoreError::Other(format!("ärendesidan kunde inte läsas: {e}")))?;
    let cases = rader
        .iter()
        .map(|r| {
            from_row(&JsonRad {
                celler: r,
                organisation_id,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((cases, total))
}

/// The home municipalities among an organisation's cases (those of `assignee` when given), for the
/// list's filter.
pub async fn hemkommuner(
    store: &Store,
    organisation_id: &str,
    assignee: Option<&str>,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT municipality FROM cases WHERE organisation_id = $1 {} ORDER BY municipality",
        if assignee.is_some() {
            "AND assignee = $2"
        } else {
            ""
        }
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(organisation_id.to_string());
    if let Some(a) = assignee {
        q = q.bind(a.to_string());
    }
    Ok(q.fetch_all(store.pool()).await?)
}

/// Corrects items and/or the assignee; the eligibility is recomputed by the caller and stored here.
pub async fn update(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    it: &Statistik,
    opened_on: Datum,
    assignee: Option<&str>,
    b: &Bedomning,
) -> Result<Arende> {
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "UPDATE cases SET opened_on = $1, person_type = $2, municipality = $3, gender = $4, age_band = $5, crime_types = $6, \
         circumstances = $7, police_report = $8, first_contact = $9, informed_11_6 = $10, assignee = $11, \
         eligibility = CASE WHEN eligibility_frozen = 1 THEN eligibility ELSE $12 END, \
         eligibility_reasons = CASE WHEN eligibility_frozen = 1 THEN eligibility_reasons ELSE $13 END WHERE id = $14",
    )
    .bind(opened_on.to_string())
    .bind(it.person.code())
    .bind(it.hem.code())
    .bind(it.kon.code())
    .bind(it.alder.code())
    .bind(koder(&it.brott))
    .bind(koder(&it.omstandigheter))
    .bind(it.polis.code())
    .bind(it.forsta_kontakt.code())
    .bind(i64::from(it.informerad_11_6))
    .bind(assignee.map(str::to_string))
    .bind(b.status.code())
    .bind(reasons_text(b))
    .bind(id.to_string())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, store.now(), actor, "arende.andrat", Some(id)).await?;
    tx.commit().await?;
    get(store, id).await
}

/// The contact details of a case, opened with its data key. Every read is audited.
pub async fn contact(
    store: &Store,
    keys: &Nyckelring,
    actor: &str,
    id: &str,
) -> Result<Option<Kontakt>> {
    let row = sqlx::query("SELECT k.wrapped, c.sealed FROM case_keys k JOIN case_contacts c ON c.case_id = k.case_id WHERE k.case_id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?;
    audit::record(
        store,
        Some(actor),
        "arende.kontaktuppgifter_lasta",
        Some(id),
    )
    .await?;
    let Some(r) = row else { return Ok(None) };
    let dk = keys.unwrap_key(
        &r.try_get::<Vec<u8>, _>("wrapped")?,
        &format!("case_keys.wrapped:{id}"),
    )?;
    let json = zeroize::Zeroizing::new(nycklar::open(
        &dk,
        &format!("case_contacts.sealed:{id}"),
        &r.try_get::<Vec<u8>, _>("sealed")?,
    )?);
    Ok(Some(
        serde_json::from_slice(&json).map_err(|e| StoreError::Other(e.to_string()))?,
    ))
}

/// Erases a case's contact details and its data key (consent withdrawn, or retention).
pub async fn erase_contact(store: &Store, actor: Option<&str>, id: &str, why: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM case_contacts WHERE case_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM case_keys WHERE case_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("UPDATE cases SET consent_contact = 0 WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(&mut tx, store.now(), actor, why, Some(id)).await?;
    tx.commit().await?;
    if !store.compact_erased().await? {
        tracing::warn!(
            "raderade sidor kunde inte tas bort ur WAL-filen nu; nästa gallring försöker igen"
        );
    }
    Ok(())
}

pub async fn add_activity(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    a: &Aktivitet,
) -> Result<String> {
    let aid = new_id("x");
    let mut tx = store.begin().await?;
    // The case's row first, then the audit chain: the order every other change of a case takes
    // its locks in (PostgreSQL).
    sqlx::query("UPDATE cases SET last_activity_on = $1 WHERE id = $2 AND last_activity_on < $1")
        .bind(a.datum.to_string())
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    // The entry's audit number is the activity's stable number (`seq`, migration 0011).
    let seq = audit::append(&mut tx, store.now(), actor, "arende.aktivitet", Some(id)).await?;
    sqlx::query("INSERT INTO activities (id, case_id, date, kind, mode, minutes, registered_at, seq, partner_id, partner_kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(aid.clone())
        .bind(id.to_string())
        .bind(a.datum.to_string())
        .bind(a.typ.code())
        .bind(a.satt.code())
        .bind(i64::from(a.minuter))
        .bind(store.now())
        .bind(seq)
        .bind(a.partner.map(|p| i64::from(p.id)))
        .bind(a.partner.map(|p| p.slag.code()))
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(aid)
}

/// The stable number (`seq`) of activity `activity_id` of case `id`, if the case has it.
pub async fn activity_seq(store: &Store, id: &str, activity_id: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT seq FROM activities WHERE id = $1 AND case_id = $2")
            .bind(activity_id.to_string())
            .bind(id.to_string())
            .fetch_optional(store.pool())
            .await?,
    )
}

/// Takes case `id`'s row lock for a change of its activities, if retention has not erased it
/// (checked inside the transaction, so retention cannot slip in between); `Conflict` if it has.
async fn las_for_aktiviteter(tx: &mut crate::Tx, id: &str) -> Result<()> {
    let n = sqlx::query(
        "UPDATE cases SET last_activity_on = last_activity_on WHERE id = $1 AND eligibility_frozen = 0 AND erased_at IS NULL",
    )
    .bind(id.to_string())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(Some(id.to_string())));
    }
    Ok(())
}

/// Corrects an activity of case `id`, with its audit entry (`arende.aktivitet_rattad`, which is also
/// how the report register learns of it). The case's last activity moves later if the new date is
/// later; it never moves earlier (a correction does not shorten a retention time already running).
/// `NotFound` if the case has no such activity.
pub async fn correct_activity(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    activity_id: &str,
    a: &Aktivitet,
) -> Result<()> {
    let mut tx = store.begin().await?;
    las_for_aktiviteter(&mut tx, id).await?;
    sqlx::query("UPDATE cases SET last_activity_on = $1 WHERE id = $2 AND last_activity_on < $1")
        .bind(a.datum.to_string())
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    // Registered anew now: a date moved into a period already reported counts as late in the next
    // report, as a newly registered activity would.
    let n = sqlx::query(
        "UPDATE activities SET date = $1, kind = $2, mode = $3, minutes = $4, registered_at = $5, partner_id = $8, partner_kind = $9 WHERE id = $6 AND case_id = $7",
    )
    .bind(a.datum.to_string())
    .bind(a.typ.code())
    .bind(a.satt.code())
    .bind(i64::from(a.minuter))
    .bind(store.now())
    .bind(activity_id.to_string())
    .bind(id.to_string())
    .bind(a.partner.map(|p| i64::from(p.id)))
    .bind(a.partner.map(|p| p.slag.code()))
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    aktivitet_andrad(store, tx, actor, id, n, "arende.aktivitet_rattad").await
}

/// Ends a correction or removal that touched `n` activities of case `id`: none is `NotFound` (and
/// nothing is written); one is audited as `action` and committed.
async fn aktivitet_andrad(
    store: &Store,
    mut tx: crate::Tx,
    actor: Option<&str>,
    id: &str,
    n: u64,
    action: &str,
) -> Result<()> {
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, store.now(), actor, action, Some(id)).await?;
    tx.commit().await
}

/// Removes an activity of case `id` (recorded by mistake), with its audit entry
/// (`arende.aktivitet_borttagen`). `NotFound` if the case has no such activity.
pub async fn remove_activity(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    activity_id: &str,
) -> Result<()> {
    let mut tx = store.begin().await?;
    // The case's row first, then the audit chain (the lock order of every change of a case).
    las_for_aktiviteter(&mut tx, id).await?;
    let n = sqlx::query("DELETE FROM activities WHERE id = $1 AND case_id = $2")
        .bind(activity_id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    aktivitet_andrad(store, tx, actor, id, n, "arende.aktivitet_borttagen").await
}

/// Activities of a case with their ids, in date order.
pub async fn activities(store: &Store, id: &str) -> Result<Vec<(String, Aktivitet)>> {
    let rows = sqlx::query("SELECT id, date, kind, mode, minutes, partner_id, partner_kind FROM activities WHERE case_id = $1 ORDER BY date, registered_at")
        .bind(id.to_string())
        .fetch_all(store.pool())
        .await?;
    let corrupt = |w: &str| StoreError::Other(format!("ogiltigt värde i activities.{w}"));
    rows.iter()
        .map(|r| {
            let datum: String = r.try_get("date")?;
            let typ: String = r.try_get("kind")?;
            let satt: String = r.try_get("mode")?;
            let minuter: i64 = r.try_get("minutes")?;
            let partner = match (
                r.try_get::<Option<i64>, _>("partner_id")?,
                r.try_get::<Option<String>, _>("partner_kind")?,
            ) {
                (Some(id), Some(k)) => Some(boj_domain::arende::Hanvisning {
                    id: u16::try_from(id).map_err(|_| corrupt("partner_id"))?,
                    slag: boj_domain::kod::Partnertyp::parse(&k)
                        .map_err(|_| corrupt("partner_kind"))?,
                }),
                _ => None,
            };
            Ok((
                r.try_get("id")?,
                Aktivitet {
                    datum: Datum::parse(&datum).map_err(|_| corrupt("date"))?,
                    typ: Aktivitetstyp::parse(&typ).map_err(|_| corrupt("kind"))?,
                    satt: Kontaktsatt::parse(&satt).map_err(|_| corrupt("mode"))?,
                    minuter: u16::try_from(minuter).map_err(|_| corrupt("minutes"))?,
                    partner,
                },
            ))
        })
        .collect()
}

/// The date of the latest activity, if any.
pub async fn last_activity(store: &Store, id: &str) -> Result<Option<Datum>> {
    let d: Option<String> =
        sqlx::query_scalar("SELECT MAX(date) FROM activities WHERE case_id = $1")
            .bind(id.to_string())
            .fetch_one(store.pool())
            .await?;
    d.map(|d| Datum::parse(&d).map_err(|_| StoreError::Other("ogiltigt datum".into())))
        .transpose()
}

pub async fn close(store: &Store, actor: Option<&str>, id: &str, on: Datum) -> Result<()> {
    let mut tx = store.begin().await?;
    let n = sqlx::query("UPDATE cases SET closed_on = $1 WHERE id = $2 AND closed_on IS NULL")
        .bind(on.to_string())
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(Some(id.to_string())));
    }
    audit::append(&mut tx, store.now(), actor, "arende.avslutat", Some(id)).await?;
    tx.commit().await
}

/// Reopens a closed case that retention has not erased (its details are still there), with its
/// audit entry; its last activity becomes `idag`, so that retention does not close it again at
/// once. `Conflict` when it is open, or erased.
pub async fn reopen(store: &Store, actor: Option<&str>, id: &str, idag: Datum) -> Result<()> {
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "UPDATE cases SET closed_on = NULL, last_activity_on = $1 WHERE id = $2 AND closed_on IS NOT NULL AND erased_at IS NULL",
    )
    .bind(idag.to_string())
    .bind(id.to_string())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(Some(id.to_string())));
    }
    audit::append(&mut tx, store.now(), actor, "arende.ateroppnat", Some(id)).await?;
    tx.commit().await
}

/// A witness-support session: people supported by role, volunteer hours in hundredths.
/// `(org, agreement_id)`: the organisation it belongs to and the one agreement it is counted in.
pub async fn add_witness_support(
    store: &Store,
    actor: Option<&str>,
    (org, agreement_id): (&str, &str),
    date: Datum,
    court: &str,
    counts: [u32; 4],
    hundredths: u32,
) -> Result<String> {
    let id = new_id("w");
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO witness_support (id, organisation_id, date, court, vittne, malsagande, anhorig_van, tilltalad, hundredths, registered_at, agreement_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.clone())
    .bind(org.to_string())
    .bind(date.to_string())
    .bind(court.to_string())
    .bind(i64::from(counts[0]))
    .bind(i64::from(counts[1]))
    .bind(i64::from(counts[2]))
    .bind(i64::from(counts[3]))
    .bind(i64::from(hundredths))
    .bind(store.now())
    .bind(agreement_id.to_string())
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "vittnesstod.registrerat",
        Some(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn add_volunteer_hours(
    store: &Store,
    actor: Option<&str>,
    org: &str,
    agreement_id: &str,
    month: &str,
    kind: &str,
    hundredths: u32,
) -> Result<String> {
    let id = new_id("v");
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO volunteer_hours (id, organisation_id, month, kind, hundredths, registered_at, agreement_id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id.clone())
        .bind(org.to_string())
        .bind(month.to_string())
        .bind(kind.to_string())
        .bind(i64::from(hundredths))
        .bind(store.now())
        .bind(agreement_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "volontartimmar.registrerade",
        Some(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Collaboration work of a month with one partner of an agreement (issue 18): about the
/// organisations, never about help-seekers.
pub struct NySamverkan<'a> {
    pub org: &'a str,
    pub agreement_id: &'a str,
    pub month: &'a str,
    pub partner: boj_domain::arende::Hanvisning,
    pub form: boj_domain::kod::Samverkansform,
    pub hundredths: u32,
}

/// Records collaboration work, with its audit entry (`samverkan.registrerad`); its id.
pub async fn add_collaboration(
    store: &Store,
    actor: Option<&str>,
    s: &NySamverkan<'_>,
) -> Result<String> {
    let id = new_id("s");
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO collaboration_work (id, organisation_id, agreement_id, month, partner_id, partner_kind, form, hundredths, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(id.clone())
        .bind(s.org.to_string())
        .bind(s.agreement_id.to_string())
        .bind(s.month.to_string())
        .bind(i64::from(s.partner.id))
        .bind(s.partner.slag.code())
        .bind(s.form.code())
        .bind(i64::from(s.hundredths))
        .bind(store.now())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "samverkan.registrerad",
        Some(&id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Turns stored reasons back into the domain's form.
pub fn bedomning(a: &Arende) -> Bedomning {
    Bedomning {
        status: a.eligibility,
        skal: a
            .reasons
            .iter()
            .map(|(s, t)| Motivering {
                skal: *s,
                text: t.clone(),
            })
            .collect(),
        forklaring: String::new(),
    }
}

/// Stores a recomputed eligibility (when the agreement's decisions change).
/// Sets a case's eligibility in the caller's transaction, with an audit entry (a corrected report
/// edition judges its cases again).
pub async fn set_eligibility_in(
    tx: &mut crate::Tx,
    actor: Option<&str>,
    at: i64,
    id: &str,
    b: &Bedomning,
) -> Result<()> {
    sqlx::query("UPDATE cases SET eligibility = $1, eligibility_reasons = $2 WHERE id = $3 AND eligibility_frozen = 0")
        .bind(b.status.code())
        .bind(reasons_text(b))
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(tx, at, actor, "arende.behorighet_omprovad", Some(id)).await?;
    Ok(())
}

/// Stores an eligibility recomputed after the agreement's decisions changed, with its audit entry
/// (every change of a case is in the audit log, which is also how the report register learns of it).
pub async fn set_eligibility(store: &Store, id: &str, b: &Bedomning) -> Result<()> {
    let mut tx = store.begin().await?;
    set_eligibility_in(&mut tx, None, store.now(), id, b).await?;
    tx.commit().await
}

/// Every case of an agreement (for recomputing eligibility).
pub async fn of_agreement(store: &Store, agreement_id: &str) -> Result<Vec<Arende>> {
    let sql = format!("SELECT {COLUMNS} FROM cases c WHERE c.agreement_id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The agreement's cases with these numbers (`seq`), whole, read 500 at a time (an edition reads
/// its own cases this way, a slice at a time, rather than every case of the agreement).
pub async fn med_nummer(store: &Store, agreement_id: &str, seqs: &[i64]) -> Result<Vec<Arende>> {
    let mut ut = Vec::with_capacity(seqs.len());
    for bit in seqs.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM cases c WHERE c.agreement_id = $1 AND c.seq IN ({})",
            crate::rapporter::platser(2, bit.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agreement_id.to_string());
        for s in bit {
            q = q.bind(*s);
        }
        for r in q.fetch_all(store.pool()).await? {
            ut.push(from_row(&r)?);
        }
    }
    Ok(ut)
}

/// A case for [`massregistrera`]: anonymous, with its activities.
pub struct Massfall {
    pub agreement_id: String,
    pub organisation_id: String,
    pub opened_on: Datum,
    pub registered_at: i64,
    pub statistik: Statistik,
    pub bedomning: Bedomning,
    /// Registered with the case.
    pub activities: Vec<Aktivitet>,
}

/// Registers many anonymous cases with their activities in one transaction, each with its audit
/// entry as one by one would write them (seeding a database for the report benchmark at a million
/// cases; intake goes through [`create`]).
pub async fn massregistrera(store: &Store, fall: &[Massfall]) -> Result<()> {
    let mut tx = store.begin().await?;
    let ids: Vec<String> = fall.iter().map(|_| new_id("c")).collect();
    let akt_ids: Vec<Vec<String>> = fall
        .iter()
        .map(|f| f.activities.iter().map(|_| new_id("x")).collect())
        .collect();
    let mut entries: Vec<(i64, Option<&str>, &str, Option<&str>)> = Vec::new();
    for (f, id) in fall.iter().zip(&ids) {
        entries.push((f.registered_at, None, "arende.registrerat", Some(id)));
        for _ in &f.activities {
            entries.push((f.registered_at, None, "arende.aktivitet", Some(id)));
        }
    }
    let seqs = audit::append_many(&mut tx, &entries).await?;
    let mut seq_av = seqs.into_iter();
    // Case numbers: each organisation's year takes its block at once, given out in order.
    let mut behov: std::collections::BTreeMap<(&str, i64), i64> = Default::default();
    for f in fall {
        *behov
            .entry((f.organisation_id.as_str(), i64::from(f.opened_on.year())))
            .or_default() += 1;
    }
    let mut nasta: std::collections::BTreeMap<(&str, i64), i64> = Default::default();
    for ((org, year), n) in behov {
        let last = nasta_nummer(&mut tx, org, year, n).await?;
        nasta.insert((org, year), last - n + 1);
    }
    let mut fallrader = Vec::new();
    let mut aktrader = Vec::new();
    for ((f, id), aids) in fall.iter().zip(&ids).zip(&akt_ids) {
        let seq = seq_av.next().unwrap_or_default();
        let year = i64::from(f.opened_on.year());
        let slot = nasta
            .get_mut(&(f.organisation_id.as_str(), year))
            .ok_or_else(|| StoreError::Other("ärendenummer saknas".into()))?;
        let number = *slot;
        *slot += 1;
        fallrader.push((f, id, seq, year, number));
        for (a, aid) in f.activities.iter().zip(aids) {
            aktrader.push((
                a,
                aid,
                id,
                f.registered_at,
                seq_av.next().unwrap_or_default(),
            ));
        }
    }
    let platser = |rader: usize, kolumner: usize| -> String {
        (0..rader)
            .map(|r| {
                let v: Vec<String> = (1..=kolumner)
                    .map(|k| format!("${}", r * kolumner + k))
                    .collect();
                format!("({})", v.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for bit in fallrader.chunks(45) {
        let sql = format!(
            "INSERT INTO cases (id, agreement_id, organisation_id, opened_on, registered_at, person_type, municipality, gender, \
             age_band, crime_types, circumstances, police_report, first_contact, informed_11_6, consent_contact, \
             eligibility, eligibility_reasons, last_activity_on, seq, number_year, number) VALUES {}",
            platser(bit.len(), 21)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (f, id, seq, year, number) in bit {
            q = q
                .bind((*id).clone())
                .bind(f.agreement_id.clone())
                .bind(f.organisation_id.clone())
                .bind(f.opened_on.to_string())
                .bind(f.registered_at);
            for c in kolumner(&f.statistik) {
                q = q.bind(c);
            }
            q = q
                .bind(i64::from(f.statistik.informerad_11_6))
                .bind(0i64)
                .bind(f.bedomning.status.code())
                .bind(reasons_text(&f.bedomning))
                .bind(f.opened_on.to_string())
                .bind(*seq)
                .bind(*year)
                .bind(*number);
        }
        q.execute(&mut *tx.tx).await?;
    }
    for bit in aktrader.chunks(120) {
        let sql = format!(
            "INSERT INTO activities (id, case_id, date, kind, mode, minutes, registered_at, seq) VALUES {}",
            platser(bit.len(), 8)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (a, aid, case, reg, seq) in bit {
            q = q
                .bind((*aid).clone())
                .bind((*case).clone())
                .bind(a.datum.to_string())
                .bind(a.typ.code())
                .bind(a.satt.code())
                .bind(i64::from(a.minuter))
                .bind(*reg)
                .bind(*seq);
        }
        q.execute(&mut *tx.tx).await?;
    }
    tx.commit().await
}
