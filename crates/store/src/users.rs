//! User accounts: name, role and scope (SPEC § 2), an argon2id password hash (SPEC § 6), disabled flag.

use crate::{Result, Store, StoreError, audit, conflict_or, new_id};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use boj_domain::{
    Anvandarnamn, Code, DomainError, Kommunkod, Lanskod, NyttLosenord, Principal, Role, Scope,
};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub disabled: bool,
    /// Approved by a coordinator of its organisation (migration 0015; see `Principal::godkand`).
    pub approved: bool,
}

impl User {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            scope: self.scope.clone(),
            godkand: self.approved,
        }
    }
}

pub(crate) const COLUMNS: &str =
    "id, name, role, organisation_id, municipality, county, disabled, approved";

pub(crate) fn from_row(r: &AnyRow) -> Result<User> {
    let corrupt = |what: &str| StoreError::Other(format!("ogiltigt värde i users.{what}"));
    let role = Role::parse(&r.try_get::<String, _>("role")?).map_err(|_| corrupt("role"))?;
    let org: Option<String> = r.try_get("organisation_id")?;
    let muni = r
        .try_get::<Option<String>, _>("municipality")?
        .map(|k| Kommunkod::parse(&k))
        .transpose()
        .map_err(|_| corrupt("municipality"))?;
    let county = r
        .try_get::<Option<String>, _>("county")?
        .map(|l| Lanskod::parse(&l))
        .transpose()
        .map_err(|_| corrupt("county"))?;
    let scope = Scope::for_role(role, org, muni, county).map_err(|_| corrupt("scope"))?;
    Ok(User {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role,
        scope,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        approved: r.try_get::<i64, _>("approved")? != 0,
    })
}

/// The stored password hash of an account whose person has not set a password yet: no password
/// verifies against it (sign-in checks the dummy hash instead, at the same cost).
const INGET_LOSENORD: &str = "!";

/// How long an activation link is valid, in seconds (seven days).
pub const AKTIVERING_GILTIG: i64 = 7 * 86_400;

/// Hashes a password with argon2id (default parameters: m = 19 MiB, t = 2, p = 1, OWASP's minimum),
/// off the async threads because it is deliberately slow.
pub async fn hash_password(password: &NyttLosenord) -> Result<String> {
    let pw = password.expose().to_string();
    tokio::task::spawn_blocking(move || {
        let hash: PasswordHash = Argon2::default()
            .hash_password(pw.as_bytes())
            .map_err(|e| StoreError::Other(format!("argon2: {e}")))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| StoreError::Other(format!("argon2: {e}")))?
}

fn verify_hash(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Refuses a scope whose organisation does not exist.
async fn organisationen_finns(store: &Store, scope: &Scope) -> Result<()> {
    if let Scope::Organisation(o) = scope {
        crate::orgs::get(store, o).await.map_err(|e| match e {
            StoreError::NotFound => StoreError::Domain(DomainError::new(
                Code::OgiltigBehorighetsomfattning,
                format!("Organisationen {o} finns inte."),
            )),
            other => other,
        })?;
    }
    Ok(())
}

/// Ends every session of an account, in the transaction of the change that calls for it.
pub(crate) async fn avsluta_sessioner(tx: &mut crate::Tx, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Revokes every live token of an account at `now`, in the transaction of the change.
async fn aterkalla_tokens(tx: &mut crate::Tx, user_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Creates a user. A name that is taken is a conflict; an organisation that does not exist is refused.
pub async fn create(
    store: &Store,
    actor: Option<&str>,
    name: &Anvandarnamn,
    role: Role,
    scope: &Scope,
    password: &NyttLosenord,
) -> Result<User> {
    organisationen_finns(store, scope).await?;
    let hash = hash_password(password).await?;
    let id = new_id("u");
    let (org, muni, county) = match scope {
        Scope::Organisation(o) => (Some(o.clone()), None, None),
        Scope::Kommun(k) => (None, Some(k.to_string()), None),
        Scope::Lan(l) => (None, None, Some(l.to_string())),
        Scope::System => (None, None, None),
    };
    let mut tx = store.begin().await?;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict(existing));
    }
    sqlx::query(
        "INSERT INTO users (id, name, role, organisation_id, municipality, county, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(id.clone())
    .bind(name.to_string())
    .bind(role.code())
    .bind(org)
    .bind(muni)
    .bind(county)
    .bind(hash)
    .bind(store.now())
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| conflict_or(e, None))?;
    audit::append(&mut tx, store.now(), actor, "anvandare.skapad", Some(&id)).await?;
    tx.commit().await?;
    Ok(User {
        id,
        name: name.to_string(),
        role,
        scope: scope.clone(),
        disabled: false,
        approved: true,
    })
}

/// Creates an account for a person who sets their own password with the one-time activation link
/// this answers (its token, shown once; only its hash is stored), and which a coordinator approves
/// before it sees cases (an admin creating a support person or coordinator, SPEC § 2).
pub async fn create_for_activation(
    store: &Store,
    actor: Option<&str>,
    name: &Anvandarnamn,
    role: Role,
    scope: &Scope,
) -> Result<(User, String)> {
    organisationen_finns(store, scope).await?;
    let id = new_id("u");
    let org = match scope {
        Scope::Organisation(o) => Some(o.clone()),
        _ => None,
    };
    let now = store.now();
    let mut tx = store.begin().await?;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict(existing));
    }
    sqlx::query(
        "INSERT INTO users (id, name, role, organisation_id, municipality, county, password_hash, disabled, approved, created_at) \
         VALUES ($1, $2, $3, $4, NULL, NULL, $5, 0, 0, $6)",
    )
    .bind(id.clone())
    .bind(name.to_string())
    .bind(role.code())
    .bind(org)
    .bind(INGET_LOSENORD)
    .bind(now)
    .execute(&mut *tx.tx)
    .await
    .map_err(|e| conflict_or(e, None))?;
    audit::append(&mut tx, now, actor, "anvandare.skapad", Some(&id)).await?;
    let token = ny_aktivering(&mut tx, now, &id).await?;
    tx.commit().await?;
    Ok((
        User {
            id,
            name: name.to_string(),
            role,
            scope: scope.clone(),
            disabled: false,
            approved: false,
        },
        token,
    ))
}

/// A new activation token for `user_id`, its hash stored in the transaction.
async fn ny_aktivering(tx: &mut crate::Tx, now: i64, user_id: &str) -> Result<String> {
    let token = crate::random_hex(32);
    sqlx::query(
        "INSERT INTO activations (token_hash, user_id, expires_at, used_at) VALUES ($1, $2, $3, NULL)",
    )
    .bind(crate::sha256_hex(&token))
    .bind(user_id.to_string())
    .bind(now + AKTIVERING_GILTIG)
    .execute(&mut *tx.tx)
    .await?;
    Ok(token)
}

/// Resets an account to activation: its password is gone, it is no longer approved, its sessions
/// and tokens end, and a new one-time activation link is answered (a password reset of a support
/// person or coordinator, SPEC § 2: the admin never learns a password that opens cases).
pub async fn reset_to_activation(
    store: &Store,
    actor: Option<&str>,
    user_id: &str,
) -> Result<String> {
    let now = store.now();
    let mut tx = store.begin().await?;
    let n = sqlx::query("UPDATE users SET password_hash = $1, approved = 0 WHERE id = $2")
        .bind(INGET_LOSENORD)
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    avsluta_sessioner(&mut tx, user_id).await?;
    aterkalla_tokens(&mut tx, user_id, now).await?;
    sqlx::query("UPDATE activations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(&mut tx, now, actor, "anvandare.aterstalld", Some(user_id)).await?;
    let token = ny_aktivering(&mut tx, now, user_id).await?;
    tx.commit().await?;
    Ok(token)
}

/// The account an unused, unexpired activation token belongs to (`None` when the link is unknown,
/// used or expired).
pub async fn activation(store: &Store, token: &str) -> Result<Option<User>> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM activations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(crate::sha256_hex(token))
    .bind(store.now())
    .fetch_optional(store.pool())
    .await?;
    match id {
        Some(id) => get(store, &id).await.map(Some),
        None => Ok(None),
    }
}

/// Activates an account with the person's own password: the link is used up, in one transaction
/// with the password and the audit entry. `None` when the link is unknown, used or expired.
pub async fn activate(store: &Store, token: &str, password: &NyttLosenord) -> Result<Option<User>> {
    // An unknown, used or expired link costs no hashing.
    if activation(store, token).await?.is_none() {
        return Ok(None);
    }
    // At most two argon2 hashes at once, as sign-in (19 MiB each).
    let hash = {
        let _permit = VERIFY
            .acquire()
            .await
            .map_err(|e| StoreError::Other(format!("argon2: {e}")))?;
        hash_password(password).await?
    };
    let now = store.now();
    let mut tx = store.begin().await?;
    let id: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM activations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(crate::sha256_hex(token))
    .bind(now)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    // Used once: of two uses at once (several instances), one takes it.
    let n = sqlx::query(
        "UPDATE activations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(crate::sha256_hex(token))
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Ok(None);
    }
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.clone())
        .execute(&mut *tx.tx)
        .await?;
    audit::append(&mut tx, now, Some(&id), "anvandare.aktiverad", Some(&id)).await?;
    tx.commit().await?;
    get(store, &id).await.map(Some)
}

/// Whether the account's person has set a password (an account created for activation has not
/// until its link is used).
pub async fn activated(store: &Store, user_id: &str) -> Result<bool> {
    let h: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id.to_string())
        .fetch_optional(store.pool())
        .await?;
    Ok(h.is_some_and(|h| h != INGET_LOSENORD))
}

/// Approves an activated, enabled account, so that it may see cases (a coordinator of its
/// organisation); an account not yet activated, or disabled, is refused.
pub async fn approve(store: &Store, actor: Option<&str>, user_id: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "UPDATE users SET approved = 1 WHERE id = $1 AND password_hash <> $2 AND disabled = 0",
    )
    .bind(user_id.to_string())
    .bind(INGET_LOSENORD)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Domain(DomainError::new(
            Code::OgiltigForfragan,
            "Kontot kan inte godkännas: det är inte aktiverat av personen själv ännu, eller avstängt.",
        )));
    }
    // Its sessions began without the approval: they end, and the next sign-in carries it.
    avsluta_sessioner(&mut tx, user_id).await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "anvandare.godkand",
        Some(user_id),
    )
    .await?;
    tx.commit().await
}

pub async fn get(store: &Store, id: &str) -> Result<User> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

pub async fn by_name(store: &Store, name: &str) -> Result<User> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE name = $1");
    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name.to_string())
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

pub async fn list(store: &Store) -> Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

static VERIFY: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Checks a name and password. Returns the user only if both match and the account is enabled.
/// An unknown name costs the same argon2 work as a known one, so timing does not tell names apart.
pub async fn authenticate(store: &Store, name: &str, password: &str) -> Result<Option<User>> {
    let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(store.pool())
        .await?;
    let (id, hash, disabled) = match &row {
        Some(r) => (
            Some(r.try_get::<String, _>("id")?),
            r.try_get::<String, _>("password_hash")?,
            r.try_get::<i64, _>("disabled")? != 0,
        ),
        None => (None, DUMMY_HASH.to_string(), true),
    };
    // An account without a password yet is checked against the dummy hash, at the same cost.
    let hash = if hash == INGET_LOSENORD {
        DUMMY_HASH.to_string()
    } else {
        hash
    };
    let pw = password.to_string();
    // At most two argon2 checks at once (19 MiB each): a flood of sign-in attempts queues here
    // instead of exhausting memory and the blocking thread pool.
    let _permit = VERIFY
        .acquire()
        .await
        .map_err(|e| StoreError::Other(format!("argon2: {e}")))?;
    let ok = tokio::task::spawn_blocking(move || verify_hash(&hash, &pw))
        .await
        .map_err(|e| StoreError::Other(format!("argon2: {e}")))?;
    match id {
        Some(id) if ok && !disabled => get(store, &id).await.map(Some),
        _ => Ok(None),
    }
}

/// A valid argon2id hash of a random password, verified against when the user name is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(crate::random_hex(16).as_bytes())
        .map(|h: PasswordHash| h.to_string())
        .unwrap_or_default()
});

pub async fn set_password(
    store: &Store,
    actor: Option<&str>,
    user_id: &str,
    password: &NyttLosenord,
) -> Result<()> {
    let hash = hash_password(password).await?;
    let mut tx = store.begin().await?;
    let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    // A new password ends every session of the account.
    avsluta_sessioner(&mut tx, user_id).await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "anvandare.losenord_bytt",
        Some(user_id),
    )
    .await?;
    tx.commit().await
}

/// Disables an account and ends its sessions and tokens at once.
pub async fn disable(store: &Store, actor: Option<&str>, user_id: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    let n = sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1")
        .bind(user_id.to_string())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    avsluta_sessioner(&mut tx, user_id).await?;
    aterkalla_tokens(&mut tx, user_id, store.now()).await?;
    audit::append(
        &mut tx,
        store.now(),
        actor,
        "anvandare.avstangd",
        Some(user_id),
    )
    .await?;
    tx.commit().await
}
