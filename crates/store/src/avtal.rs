//! The agreement register (SPEC § 3.1): agreements in versions with their parties and settings, the
//! decisions behind them, their documents and signatures.
//!
//! An amendment is a new version; old versions stay readable. Decisions belong to the agreement, not
//! to a version. Documents are stored in the database with their SHA-256, which is checked on every
//! read: a document whose bytes changed is reported, never served.

use crate::{Result, Store, StoreError, audit, new_id, sha256_bytes};
use boj_domain::avtal::{
    Avtalsinstallningar, Avtalstid, Beslutsorgan, Beslutsutfall, Statusrad, Utfall, partstatus,
};
use boj_domain::gallring::Gallringstider;
use boj_domain::{Avtalsomfang, Code, Datum, DomainError, Kommunkod, Lanskod};
use sqlx::Row;
use sqlx::any::AnyRow;

/// One version of an agreement's text and settings.
#[derive(Debug, Clone)]
pub struct Version {
    pub number: i64,
    pub title: String,
    pub reference: String,
    pub tid: Avtalstid,
    pub services: String,
    pub settings: Avtalsinstallningar,
    pub parter: Vec<Kommunkod>,
    pub change_note: Option<String>,
    pub created_at: i64,
}

/// An agreement with the version asked for (the current one unless told otherwise).
#[derive(Debug, Clone)]
pub struct Avtal {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub lan: Lanskod,
    /// The settings are sample values (the demo), and pages say so.
    pub sample: bool,
    pub version: Version,
    /// The newest version number.
    pub latest: i64,
    /// The retention times retention runs by (SPEC § 3.2): the newest version's, unless that
    /// version shortens them and waits for a coordinator ([`Avtal::gallring_vantar`]).
    pub gallring: Gallringstider,
    /// The version whose shorter retention times wait for a coordinator of the organisation, if
    /// any.
    pub gallring_vantar: Option<i64>,
}

impl Avtal {
    /// What authorisation needs to know about this agreement.
    pub fn omfang(&self) -> Avtalsomfang<'_> {
        Avtalsomfang {
            organisation: &self.organisation_id,
            lan: self.lan,
            parter: &self.version.parter,
        }
    }
}

/// The fields of a new agreement or a new version.
#[derive(Debug, Clone)]
pub struct Utkast {
    pub title: String,
    pub reference: String,
    pub tid: Avtalstid,
    pub services: String,
    pub settings: Avtalsinstallningar,
    pub parter: Vec<Kommunkod>,
}

#[derive(Debug, Clone)]
pub struct DokumentMeta {
    pub id: String,
    pub title: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Underskrift {
    pub id: String,
    pub method: String,
    pub reference: String,
    pub signers: Vec<String>,
    pub signed_at: Option<Datum>,
}

#[derive(Debug, Clone)]
pub struct Beslut {
    pub id: String,
    pub agreement_id: String,
    pub utfall: Beslutsutfall,
    pub paragraph: String,
    pub presenter: String,
    pub sample: bool,
    pub recorded_at: i64,
    pub items: Vec<(String, String)>,
    pub documents: Vec<DokumentMeta>,
    pub signatures: Vec<Underskrift>,
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NyttBeslut {
    pub organ: Beslutsorgan,
    pub kommun: Option<Kommunkod>,
    pub beslutsdatum: Option<Datum>,
    pub galler_fran: Option<Datum>,
    pub paragraph: String,
    pub utfall: Utfall,
    pub presenter: String,
    pub items: Vec<(String, String)>,
    pub sample: bool,
}

/// A text of one line, 1–`max` characters, without identity numbers or control characters; an
/// error names the field by its Swedish name in the message and by its API name (`api`).
fn text(field: &str, api: &'static str, value: &str, max: usize) -> Result<String> {
    fritext(field, api, value, max, false)
}

/// As [`text`], for a text of several lines (line breaks and tabs allowed).
fn stycke(field: &str, api: &'static str, value: &str, max: usize) -> Result<String> {
    fritext(field, api, value, max, true)
}

fn fritext(field: &str, api: &'static str, value: &str, max: usize, rader: bool) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            format!("{field} ska ha 1–{max} tecken."),
        )
        .falt(api)
        .into());
    }
    let t = if rader {
        boj_domain::personnummer::Fritext::parse(v, max)
    } else {
        boj_domain::personnummer::Fritext::rad(v, max)
    }
    .map_err(|e| DomainError::new(e.code, format!("{field}: {}", e.message)).falt(api))?;
    Ok(t.as_str().to_string())
}

fn check_utkast(u: &Utkast) -> Result<()> {
    text("Titeln", "title", &u.title, 300)?;
    text("Referensen", "reference", &u.reference, 200)?;
    if u.services.chars().count() > 5000 {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            "Beskrivningen av insatserna får vara högst 5 000 tecken.",
        )
        .into());
    }
    if !u.services.trim().is_empty() {
        stycke("Beskrivningen av insatserna", "services", &u.services, 5000)?;
    }
    if u.parter.is_empty() {
        return Err(DomainError::new(
            Code::OgiltigForfragan,
            "Överenskommelsen ska ha minst en part.",
        )
        .into());
    }
    u.settings.check(&u.parter)?;
    Ok(())
}

fn date(s: Option<String>) -> Result<Option<Datum>> {
    s.map(|d| Datum::parse(&d))
        .transpose()
        .map_err(|_| StoreError::Other("ogiltigt datum i databasen".into()))
}

async fn insert_version(
    tx: &mut crate::Tx,
    id: &str,
    number: i64,
    u: &Utkast,
    note: Option<&str>,
    at: i64,
    actor: Option<&str>,
) -> Result<()> {
    let settings =
        serde_json::to_string(&u.settings).map_err(|e| StoreError::Other(e.to_string()))?;
    sqlx::query(
        "INSERT INTO agreement_versions (agreement_id, version, title, reference, valid_from, valid_to, notice_months, \
         services, settings, change_note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(number)
    .bind(u.title.trim().to_string())
    .bind(u.reference.trim().to_string())
    .bind(u.tid.fran.to_string())
    .bind(u.tid.till.map(|d| d.to_string()))
    .bind(u.tid.uppsagning_manader.map(i64::from))
    .bind(u.services.trim().to_string())
    .bind(settings)
    .bind(note.map(str::to_string))
    .bind(at)
    .bind(actor.map(str::to_string))
    .execute(&mut *tx.tx)
    .await?;
    for p in &u.parter {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, version, municipality) VALUES ($1, $2, $3)")
            .bind(id.to_string())
            .bind(number)
            .bind(p.to_string())
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

/// Registers a new agreement (version 1).
pub async fn create(
    store: &Store,
    actor: Option<&str>,
    organisation_id: &str,
    lan: Lanskod,
    sample: bool,
    u: &Utkast,
) -> Result<Avtal> {
    check_utkast(u)?;
    crate::orgs::get(store, organisation_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::Domain(DomainError::new(
                Code::OgiltigForfragan,
                "Organisationen finns inte.",
            )),
            other => other,
        })?;
    let id = new_id("a");
    let now = store.now();
    let mut tx = store.begin().await?;
    let tider = Gallringstider::av(&u.settings);
    sqlx::query("INSERT INTO agreements (id, organisation_id, county, sample, created_at, retention_contact_days, retention_inactive_days) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id.clone())
        .bind(organisation_id.to_string())
        .bind(lan.to_string())
        .bind(i64::from(sample))
        .bind(now)
        .bind(i64::from(tider.kontakt_dagar))
        .bind(i64::from(tider.inaktiv_dagar))
        .execute(&mut *tx.tx)
        .await?;
    insert_version(&mut tx, &id, 1, u, None, now, actor).await?;
    audit::append(&mut tx, now, actor, "avtal.skapat", Some(&id)).await?;
    tx.commit().await?;
    get(store, &id).await
}

/// Takes the agreement's row lock for the rest of the transaction, so that concurrent amendments or
/// decisions on PostgreSQL are numbered one after the other (SQLite serialises writers anyway), and
/// bumps its revision, which tells cached copies ([`snapshot`]) that they are stale.
async fn lock_agreement(tx: &mut crate::Tx, id: &str) -> Result<()> {
    sqlx::query("UPDATE agreements SET revision = revision + 1 WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Bumps the revision of the agreement decision `decision_id` belongs to (a document or a signature
/// changes what its register shows: [`med_beslut`] copies are then read afresh).
async fn touch_for_decision(tx: &mut crate::Tx, decision_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE agreements SET revision = revision + 1 WHERE id = (SELECT agreement_id FROM decisions WHERE id = $1)",
    )
    .bind(decision_id.to_string())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Amends an agreement: a new version with the given fields, built on version `read`, which must
/// still be the newest (`Conflict` otherwise: a change made from what one version holds, such as a
/// partner added to its list, never overwrites a version made meanwhile). The old versions stay
/// readable.
pub async fn amend(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    u: &Utkast,
    note: &str,
    read: i64,
) -> Result<Avtal> {
    check_utkast(u)?;
    let note = stycke("Ändringsanteckningen", "change_note", note, 1000)?;
    let now = store.now();
    let mut tx = store.begin().await?;
    lock_agreement(&mut tx, id).await?;
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM agreement_versions WHERE agreement_id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx.tx)
            .await?;
    let latest = latest.ok_or(StoreError::NotFound)?;
    if read != latest {
        return Err(StoreError::Conflict(Some(id.to_string())));
    }
    insert_version(&mut tx, id, latest + 1, u, Some(&note), now, actor).await?;
    audit::append(&mut tx, now, actor, "avtal.andrat", Some(id)).await?;
    // Retention times that erase or close sooner than those in force wait for a coordinator of the
    // organisation (SPEC § 3.2); any other times take effect with the version.
    let ny = Gallringstider::av(&u.settings);
    if ny.kortare_an(&i_kraft(&mut tx, id).await?) {
        sqlx::query("UPDATE agreements SET retention_pending_version = $1 WHERE id = $2")
            .bind(latest + 1)
            .bind(id.to_string())
            .execute(&mut *tx.tx)
            .await?;
        audit::append(&mut tx, now, actor, "avtal.gallring_vantar", Some(id)).await?;
    } else {
        satt_i_kraft(&mut tx, id, ny).await?;
    }
    crate::omprovning::begar(&mut tx, id).await?;
    tx.commit().await?;
    store.forget_snapshot(id);
    get(store, id).await
}

/// The highest number any version of the agreement gave a collaboration partner (0 if none), so
/// that a new partner never takes the number of one removed.
pub async fn hogsta_partner(store: &Store, id: &str) -> Result<u16> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT settings FROM agreement_versions WHERE agreement_id = $1")
            .bind(id.to_string())
            .fetch_all(store.pool())
            .await?;
    let mut hogsta = 0;
    for r in rows {
        let s: Avtalsinstallningar = serde_json::from_str(&r)
            .map_err(|e| StoreError::Other(format!("ogiltiga inställningar: {e}")))?;
        hogsta = s
            .samverkanspartner
            .iter()
            .map(|p| p.id)
            .fold(hogsta, u16::max);
    }
    Ok(hogsta)
}

/// The retention times in force, read in `tx`.
async fn i_kraft(tx: &mut crate::Tx, id: &str) -> Result<Gallringstider> {
    let r = sqlx::query(
        "SELECT retention_contact_days, retention_inactive_days FROM agreements WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&mut *tx.tx)
    .await?;
    tider(
        r.try_get("retention_contact_days")?,
        r.try_get("retention_inactive_days")?,
    )
}

fn tider(kontakt: i64, inaktiv: i64) -> Result<Gallringstider> {
    let corrupt = || StoreError::Other("ogiltiga gallringstider i agreements".into());
    Ok(Gallringstider {
        kontakt_dagar: u16::try_from(kontakt).map_err(|_| corrupt())?,
        inaktiv_dagar: u16::try_from(inaktiv).map_err(|_| corrupt())?,
    })
}

/// Puts `t` in force and drops any waiting shorter times.
async fn satt_i_kraft(tx: &mut crate::Tx, id: &str, t: Gallringstider) -> Result<()> {
    sqlx::query("UPDATE agreements SET retention_contact_days = $1, retention_inactive_days = $2, retention_pending_version = NULL WHERE id = $3")
        .bind(i64::from(t.kontakt_dagar))
        .bind(i64::from(t.inaktiv_dagar))
        .bind(id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// A coordinator's acceptance of the shorter retention times of `version`, which then take effect
/// (SPEC § 3.2), with its audit entry. `Conflict` when that version's times no longer wait (accepted
/// already, or a newer version came since).
pub async fn godkann_gallring(
    store: &Store,
    actor: Option<&str>,
    id: &str,
    version: i64,
) -> Result<Avtal> {
    let now = store.now();
    let mut tx = store.begin().await?;
    lock_agreement(&mut tx, id).await?;
    let vantar: Option<i64> =
        sqlx::query_scalar("SELECT retention_pending_version FROM agreements WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
    if vantar != Some(version) {
        return Err(StoreError::Conflict(None));
    }
    let settings: String = sqlx::query_scalar(
        "SELECT settings FROM agreement_versions WHERE agreement_id = $1 AND version = $2",
    )
    .bind(id.to_string())
    .bind(version)
    .fetch_one(&mut *tx.tx)
    .await?;
    let settings: Avtalsinstallningar = serde_json::from_str(&settings)
        .map_err(|_| StoreError::Other("ogiltigt värde i agreement_versions.settings".into()))?;
    satt_i_kraft(&mut tx, id, Gallringstider::av(&settings)).await?;
    audit::append(&mut tx, now, actor, "avtal.gallring_godkand", Some(id)).await?;
    tx.commit().await?;
    store.forget_snapshot(id);
    get(store, id).await
}

async fn version(store: &Store, id: &str, number: Option<i64>) -> Result<(Version, i64)> {
    // The version asked for (or the newest) and the newest number, in one query.
    let r = sqlx::query(
        "SELECT version, title, reference, valid_from, valid_to, notice_months, services, settings, change_note, created_at, \
         (SELECT MAX(version) FROM agreement_versions WHERE agreement_id = $1) AS latest \
         FROM agreement_versions WHERE agreement_id = $1 \
         AND version = COALESCE($2, (SELECT MAX(version) FROM agreement_versions WHERE agreement_id = $1))",
    )
    .bind(id.to_string())
    .bind(number)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let latest: i64 = r.try_get("latest")?;
    let n: i64 = r.try_get("version")?;
    let parter: Vec<String> =
        sqlx::query_scalar("SELECT municipality FROM agreement_parties WHERE agreement_id = $1 AND version = $2 ORDER BY municipality")
            .bind(id.to_string())
            .bind(n)
            .fetch_all(store.pool())
            .await?;
    let corrupt = |w: &str| StoreError::Other(format!("ogiltigt värde i agreement_versions.{w}"));
    let fran =
        Datum::parse(&r.try_get::<String, _>("valid_from")?).map_err(|_| corrupt("valid_from"))?;
    let till = date(r.try_get("valid_to")?)?;
    let notice: Option<i64> = r.try_get("notice_months")?;
    let tid = Avtalstid::new(fran, till, notice.and_then(|m| u8::try_from(m).ok()))
        .map_err(|_| corrupt("valid_to"))?;
    let settings: Avtalsinstallningar = serde_json::from_str(&r.try_get::<String, _>("settings")?)
        .map_err(|_| corrupt("settings"))?;
    let parter = parter
        .iter()
        .map(|k| Kommunkod::parse(k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| corrupt("parties"))?;
    Ok((
        Version {
            number: r.try_get("version")?,
            title: r.try_get("title")?,
            reference: r.try_get("reference")?,
            tid,
            services: r.try_get("services")?,
            settings,
            parter,
            change_note: r.try_get("change_note")?,
            created_at: r.try_get("created_at")?,
        },
        latest,
    ))
}

/// The agreement with its current version.
pub async fn get(store: &Store, id: &str) -> Result<Avtal> {
    get_version(store, id, None).await
}

/// The agreement as it read in version `number` (or the current one).
pub async fn get_version(store: &Store, id: &str, number: Option<i64>) -> Result<Avtal> {
    let r = sqlx::query(
        "SELECT a.id, a.organisation_id, o.name, a.county, a.sample, a.retention_contact_days, \
         a.retention_inactive_days, a.retention_pending_version FROM agreements a \
         JOIN organisations o ON o.id = a.organisation_id WHERE a.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let (version, latest) = version(store, id, number).await?;
    Ok(Avtal {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        organisation_name: r.try_get("name")?,
        lan: Lanskod::parse(&r.try_get::<String, _>("county")?)
            .map_err(|_| StoreError::Other("ogiltigt län".into()))?,
        sample: r.try_get::<i64, _>("sample")? != 0,
        version,
        latest,
        gallring: tider(
            r.try_get("retention_contact_days")?,
            r.try_get("retention_inactive_days")?,
        )?,
        gallring_vantar: r.try_get("retention_pending_version")?,
    })
}

/// Every agreement with its current version, by title. Callers filter by what the user may read.
pub async fn list(store: &Store) -> Result<Vec<Avtal>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM agreements ORDER BY created_at, id")
        .fetch_all(store.pool())
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(get(store, &id).await?);
    }
    Ok(out)
}

/// An agreement's current version with every decision (documents, signatures), as read at
/// `revision`.
#[derive(Debug)]
pub struct Registerpost {
    pub revision: i64,
    pub avtal: Avtal,
    pub beslut: Vec<Beslut>,
}

/// Every agreement with its decisions, by creation. One query asks each agreement's revision; an
/// agreement whose revision this process has read before comes from its copy, any other is read
/// afresh (every change of an agreement, its decisions, documents and signatures bumps the revision,
/// in this instance or another). Callers filter by what the user may read.
pub async fn med_beslut(store: &Store) -> Result<Vec<std::sync::Arc<Registerpost>>> {
    let rows = sqlx::query("SELECT id, revision FROM agreements ORDER BY created_at, id")
        .fetch_all(store.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get("id")?;
        let revision: i64 = r.try_get("revision")?;
        out.push(post_vid(store, &id, revision).await?);
    }
    Ok(out)
}

/// The agreement at `revision`, read just before: this process's copy if it has that revision,
/// else read afresh (after the revision, so the copy is at least as new as the number it carries).
async fn post_vid(store: &Store, id: &str, revision: i64) -> Result<std::sync::Arc<Registerpost>> {
    if let Some(p) = store.cached_register(id).filter(|p| p.revision == revision) {
        return Ok(p);
    }
    let p = std::sync::Arc::new(Registerpost {
        revision,
        avtal: get(store, id).await?,
        beslut: decisions(store, id).await?,
    });
    store.cache_register(id, p.clone());
    Ok(p)
}

/// One agreement with its decisions, from this process's copy while its revision is unchanged
/// (one query), as [`med_beslut`] does for all.
pub async fn post(store: &Store, id: &str) -> Result<std::sync::Arc<Registerpost>> {
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM agreements WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    post_vid(store, id, revision).await
}

/// Records a decision, checked against the agreement's current version (parties and term).
pub async fn add_decision(
    store: &Store,
    actor: Option<&str>,
    agreement: &Avtal,
    b: &NyttBeslut,
) -> Result<Beslut> {
    let utfall = Beslutsutfall {
        organ: b.organ,
        kommun: b.kommun,
        beslutsdatum: b.beslutsdatum,
        utfall: b.utfall,
        galler_fran: b.galler_fran,
        ordning: 0,
    };
    utfall.check(&agreement.version.parter, &agreement.version.tid)?;
    let paragraph = text("Paragrafen", "paragraph", &b.paragraph, 100)?;
    let presenter = if b.presenter.trim().is_empty() {
        String::new()
    } else {
        text("Föredragande", "presenter", &b.presenter, 200)?
    };
    if b.items.is_empty() {
        return Err(
            DomainError::new(Code::OgiltigForfragan, "Beslutet ska ha minst en punkt.").into(),
        );
    }
    let mut items = Vec::new();
    for (n, t) in &b.items {
        items.push((
            text("Punktens nummer", "items", n, 20)?,
            stycke("Punktens text", "items", t, 5000)?,
        ));
    }
    let id = new_id("b");
    let now = store.now();
    let mut tx = store.begin().await?;
    lock_agreement(&mut tx, &agreement.id).await?;
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT MAX(seq) FROM decisions WHERE agreement_id = $1")
            .bind(agreement.id.clone())
            .fetch_one(&mut *tx.tx)
            .await?;
    sqlx::query(
        "INSERT INTO decisions (id, agreement_id, seq, body, municipality, decided_on, applies_from, paragraph, outcome, \
         presenter, sample, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.clone())
    .bind(agreement.id.clone())
    .bind(seq.unwrap_or(0) + 1)
    .bind(b.organ.code())
    .bind(b.kommun.map(|k| k.to_string()))
    .bind(b.beslutsdatum.map(|d| d.to_string()))
    .bind(b.galler_fran.map(|d| d.to_string()))
    .bind(paragraph)
    .bind(b.utfall.code())
    .bind(presenter)
    .bind(i64::from(b.sample))
    .bind(now)
    .bind(actor.map(str::to_string))
    .execute(&mut *tx.tx)
    .await?;
    for (pos, (n, t)) in items.iter().enumerate() {
        sqlx::query("INSERT INTO decision_items (decision_id, position, number, text) VALUES ($1, $2, $3, $4)")
            .bind(id.clone())
            .bind(pos as i64)
            .bind(n.clone())
            .bind(t.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(&mut tx, now, actor, "beslut.registrerat", Some(&id)).await?;
    crate::omprovning::begar(&mut tx, &agreement.id).await?;
    tx.commit().await?;
    store.forget_snapshot(&agreement.id);
    get_decision(store, &id).await
}

fn decision_from_row(r: &AnyRow) -> Result<Beslut> {
    let corrupt = |w: &str| StoreError::Other(format!("ogiltigt värde i decisions.{w}"));
    let kommun = r
        .try_get::<Option<String>, _>("municipality")?
        .map(|k| Kommunkod::parse(&k))
        .transpose()
        .map_err(|_| corrupt("municipality"))?;
    Ok(Beslut {
        id: r.try_get("id")?,
        agreement_id: r.try_get("agreement_id")?,
        utfall: Beslutsutfall {
            organ: Beslutsorgan::parse(&r.try_get::<String, _>("body")?)
                .map_err(|_| corrupt("body"))?,
            kommun,
            beslutsdatum: date(r.try_get("decided_on")?)?,
            utfall: Utfall::parse(&r.try_get::<String, _>("outcome")?)
                .map_err(|_| corrupt("outcome"))?,
            galler_fran: date(r.try_get("applies_from")?)?,
            ordning: r.try_get("seq")?,
        },
        paragraph: r.try_get("paragraph")?,
        presenter: r.try_get("presenter")?,
        sample: r.try_get::<i64, _>("sample")? != 0,
        recorded_at: r.try_get("recorded_at")?,
        items: Vec::new(),
        documents: Vec::new(),
        signatures: Vec::new(),
    })
}

const DECISION_COLUMNS: &str = "id, agreement_id, seq, body, municipality, decided_on, applies_from, paragraph, outcome, presenter, sample, recorded_at";

async fn fill(store: &Store, mut b: Beslut) -> Result<Beslut> {
    let items = sqlx::query(
        "SELECT number, text FROM decision_items WHERE decision_id = $1 ORDER BY position",
    )
    .bind(b.id.clone())
    .fetch_all(store.pool())
    .await?;
    b.items = items
        .iter()
        .map(|r| Ok((r.try_get("number")?, r.try_get("text")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let docs = sqlx::query(
        "SELECT id, title, filename, content_type, size, sha256 FROM documents WHERE decision_id = $1 ORDER BY uploaded_at, id",
    )
    .bind(b.id.clone())
    .fetch_all(store.pool())
    .await?;
    b.documents = docs
        .iter()
        .map(|r| {
            Ok(DokumentMeta {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let sigs = sqlx::query("SELECT id, method, reference, signers, signed_at FROM signatures WHERE decision_id = $1 ORDER BY recorded_at, id")
        .bind(b.id.clone())
        .fetch_all(store.pool())
        .await?;
    let mut signatures = Vec::new();
    for r in &sigs {
        signatures.push(Underskrift {
            id: r.try_get("id")?,
            method: r.try_get("method")?,
            reference: r.try_get("reference")?,
            signers: r
                .try_get::<String, _>("signers")?
                .lines()
                .map(str::to_string)
                .collect(),
            signed_at: date(r.try_get("signed_at")?)?,
        });
    }
    b.signatures = signatures;
    Ok(b)
}

pub async fn get_decision(store: &Store, id: &str) -> Result<Beslut> {
    let sql = format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    fill(store, decision_from_row(&r)?).await
}

/// Every decision of an agreement, in the order recorded.
pub async fn decisions(store: &Store, agreement_id: &str) -> Result<Vec<Beslut>> {
    let sql =
        format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE agreement_id = $1 ORDER BY seq");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement_id.to_string())
        .fetch_all(store.pool())
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(fill(store, decision_from_row(r)?).await?);
    }
    Ok(out)
}

/// Each party of the agreement's current version with its status (§ 22 item 1: the agreement applies
/// to a municipality from the date of its own decision).
pub fn status_board(agreement: &Avtal, beslut: &[Beslut]) -> Vec<Statusrad> {
    let utfall: Vec<(Beslutsutfall, i64)> = beslut
        .iter()
        .map(|b| (b.utfall.clone(), b.recorded_at))
        .collect();
    board_of(agreement, &utfall)
}

/// The status board from decision outcomes and the times they were recorded.
fn board_of(agreement: &Avtal, utfall: &[(Beslutsutfall, i64)]) -> Vec<Statusrad> {
    let only: Vec<Beslutsutfall> = utfall.iter().map(|(u, _)| u.clone()).collect();
    let recorded = |u: &Beslutsutfall| {
        let at = utfall
            .iter()
            .find(|(x, _)| x.ordning == u.ordning)
            .map(|(_, t)| *t)
            .unwrap_or(0);
        Datum::from_civil(boj_domain::datum::svensk_dag(at))
    };
    agreement
        .version
        .parter
        .iter()
        .map(|k| Statusrad {
            kommun: *k,
            status: partstatus(*k, &only, recorded),
            beslut: boj_domain::avtal::styrande_beslut(*k, &only, recorded).map(|b| b.ordning),
        })
        .collect()
}

/// The status board in one query (for eligibility, which needs the outcomes and not the documents).
pub async fn board(store: &Store, agreement: &Avtal) -> Result<Vec<Statusrad>> {
    let sql = format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE agreement_id = $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agreement.id.clone())
        .fetch_all(store.pool())
        .await?;
    let utfall = rows
        .iter()
        .map(|r| decision_from_row(r).map(|b| (b.utfall, b.recorded_at)))
        .collect::<Result<Vec<_>>>()?;
    Ok(board_of(agreement, &utfall))
}

/// Stores an uploaded document with its SHA-256. `content_type` has been checked against the bytes.
pub async fn add_document(
    store: &Store,
    actor: Option<&str>,
    decision_id: &str,
    title: &str,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<DokumentMeta> {
    let title = text("Dokumentets titel", "title", title, 300)?;
    let filename = text("Filnamnet", "file", filename, 200)?;
    let id = new_id("d");
    let sha = sha256_bytes(&bytes);
    let size = bytes.len() as i64;
    let now = store.now();
    let mut tx = store.begin().await?;
    touch_for_decision(&mut tx, decision_id).await?;
    let n = sqlx::query(
        "INSERT INTO documents (id, decision_id, title, filename, content_type, size, sha256, content, uploaded_at, uploaded_by) \
         SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10 FROM decisions WHERE id = $2",
    )
    .bind(id.clone())
    .bind(decision_id.to_string())
    .bind(title.clone())
    .bind(filename.clone())
    .bind(content_type.to_string())
    .bind(size)
    .bind(sha.clone())
    .bind(bytes)
    .bind(now)
    .bind(actor.map(str::to_string))
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, now, actor, "dokument.uppladdat", Some(&id)).await?;
    tx.commit().await?;
    Ok(DokumentMeta {
        id,
        title,
        filename: Some(filename),
        content_type: Some(content_type.to_string()),
        size: Some(size),
        sha256: Some(sha),
    })
}

/// Records a document that the decision names but whose file boj does not have (e.g. an underlag
/// that was never handed over).
pub async fn add_document_reference(
    store: &Store,
    actor: Option<&str>,
    decision_id: &str,
    title: &str,
) -> Result<DokumentMeta> {
    let title = text("Dokumentets titel", "title", title, 300)?;
    let id = new_id("d");
    let now = store.now();
    let mut tx = store.begin().await?;
    touch_for_decision(&mut tx, decision_id).await?;
    sqlx::query("INSERT INTO documents (id, decision_id, title, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.clone())
        .bind(decision_id.to_string())
        .bind(title.clone())
        .bind(now)
        .bind(actor.map(str::to_string))
        .execute(&mut *tx.tx)
        .await?;
    audit::append(&mut tx, now, actor, "dokument.registrerat", Some(&id)).await?;
    tx.commit().await?;
    Ok(DokumentMeta {
        id,
        title,
        filename: None,
        content_type: None,
        size: None,
        sha256: None,
    })
}

/// A stored document's bytes, after checking them against their SHA-256.
pub enum Hamtat {
    Ok {
        meta: DokumentMeta,
        agreement_id: String,
        bytes: Vec<u8>,
    },
    /// The document is known by title only.
    UtanFil {
        meta: DokumentMeta,
        agreement_id: String,
    },
    /// The bytes no longer match the digest recorded at upload.
    Andrat {
        meta: DokumentMeta,
        agreement_id: String,
    },
}

pub async fn document(store: &Store, id: &str) -> Result<Hamtat> {
    let r = sqlx::query(
        "SELECT d.id, d.title, d.filename, d.content_type, d.size, d.sha256, d.content, b.agreement_id \
         FROM documents d JOIN decisions b ON b.id = d.decision_id WHERE d.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let meta = DokumentMeta {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    };
    let agreement_id: String = r.try_get("agreement_id")?;
    let bytes: Option<Vec<u8>> = r.try_get("content")?;
    Ok(match (bytes, &meta.sha256) {
        (Some(b), Some(sha)) if sha256_bytes(&b) == *sha => Hamtat::Ok {
            meta,
            agreement_id,
            bytes: b,
        },
        (None, None) => Hamtat::UtanFil { meta, agreement_id },
        _ => {
            tracing::error!(document = %id, "dokumentets innehåll stämmer inte med dess SHA-256");
            Hamtat::Andrat { meta, agreement_id }
        }
    })
}

pub async fn add_signature(
    store: &Store,
    actor: Option<&str>,
    decision_id: &str,
    method: &str,
    reference: &str,
    signers: &[String],
    signed_at: Option<Datum>,
) -> Result<Underskrift> {
    let method = text("Metoden", "method", method, 100)?;
    let reference = text("Referensen", "reference", reference, 200)?;
    if signers.is_empty() || signers.len() > 50 {
        return Err(DomainError::new(Code::OgiltigForfragan, "Ange 1–50 undertecknare.").into());
    }
    let signers = signers
        .iter()
        .map(|s| text("Undertecknaren", "signers", s, 200))
        .collect::<Result<Vec<_>>>()?;
    let id = new_id("s");
    let now = store.now();
    let mut tx = store.begin().await?;
    touch_for_decision(&mut tx, decision_id).await?;
    let n = sqlx::query(
        "INSERT INTO signatures (id, decision_id, method, reference, signers, signed_at, recorded_at) \
         SELECT $1, id, $3, $4, $5, $6, $7 FROM decisions WHERE id = $2",
    )
    .bind(id.clone())
    .bind(decision_id.to_string())
    .bind(method.clone())
    .bind(reference.clone())
    .bind(signers.join("\n"))
    .bind(signed_at.map(|d| d.to_string()))
    .bind(now)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, now, actor, "underskrift.registrerad", Some(&id)).await?;
    tx.commit().await?;
    Ok(Underskrift {
        id,
        method,
        reference,
        signers,
        signed_at,
    })
}

/// What intake needs of an agreement to judge a case: its current version and its parties' status
/// board, as of one revision.
#[derive(Debug)]
pub struct Snapshot {
    pub avtal: Avtal,
    pub board: Vec<Statusrad>,
    /// The agreement's revision when this was read (see migration 0008).
    pub revision: i64,
}

/// The agreement's current version and board, from this process's cache or read afresh. A cached
/// copy can be stale when another instance changed the agreement; the case writer compares
/// `revision` inside its transaction and refuses a stale one with [`StoreError::Changed`], so a
/// stale copy can delay a registration but never store a wrong eligibility.
pub async fn snapshot(store: &Store, id: &str) -> Result<std::sync::Arc<Snapshot>> {
    if let Some(s) = store.cached_snapshot(id) {
        return Ok(s);
    }
    // The revision first: if the agreement changes while the rest is read, the copy carries the
    // older revision and the writer refuses it.
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM agreements WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let avtal = get(store, id).await?;
    let board = board(store, &avtal).await?;
    let s = std::sync::Arc::new(Snapshot {
        avtal,
        board,
        revision,
    });
    store.cache_snapshot(id, s.clone());
    Ok(s)
}
