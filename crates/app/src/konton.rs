//! Accounts, sign-in, sessions and API tokens (SPEC § 2, § 6).
//!
//! Signing in and looking up a session or token need no principal (they produce one); every other
//! use case here authorises: `admin` manages users and tokens, everyone reads their own account.

use crate::{App, AppError, Kind};
use boj_domain::{
    Action, Anvandarnamn, Code, Datum, Kommunkod, Lanskod, NyttLosenord, Principal, Role, Scope,
    authorize,
};
use boj_store::{StoreError, audit, inloggning, sessions, tokens, tvafaktor, users};

pub use boj_store::audit::{Entry as Granskningspost, Urval as Granskningsurval};
pub use boj_store::sessions::{Expiry, Lookup, Session, Stage};
pub use boj_store::tokens::NewToken as NyToken;
pub use boj_store::users::User;

/// The user a bearer token acts as, if the token is known, unexpired, unrevoked and its user
/// enabled.
pub async fn med_token(app: &App, token: &str) -> Result<Option<User>, AppError> {
    Ok(tokens::authenticate(&app.store, token).await?)
}

/// The session a cookie's secret names, as of now.
pub async fn session(app: &App, secret: &str, expiry: Expiry) -> Result<Lookup, AppError> {
    Ok(sessions::lookup(&app.store, secret, expiry).await?)
}

/// How a sign-in attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inloggning {
    /// Signed in: the new session's secret, for the cookie.
    Klar(String),
    /// The password was right; the second factor is due ([`andra_steget`]): the half session's
    /// secret, for the cookie. Only a `Klar` session authenticates.
    AndraSteget(String),
    /// Wrong name or password (which of them is not said).
    Fel,
    /// Too many failed attempts for the account or from the address: wait this many seconds.
    /// The password was not tried.
    Vanta(i64),
}

/// Checks name and password from client address `adress`, throttled per account and per address
/// (`boj_domain::inloggning`, counters in the database so that instances count together); on
/// success starts a fresh session (never reusing an old id). `forra`: the secret of a session the
/// browser already holds, which ends first. Every failure is an audit entry with the account's id
/// when the name is an account's — never the name typed or the password — and so is every failure
/// that starts a wait (`inloggning.sparrad`). An attempt refused for waiting is only logged: it
/// could otherwise flood the audit log.
pub async fn logga_in(
    app: &App,
    forra: Option<&str>,
    namn: &str,
    losenord: &str,
    adress: &str,
) -> Result<Inloggning, AppError> {
    if let Some(s) = forra {
        sessions::delete(&app.store, s).await?;
    }
    let konto = match users::by_name(&app.store, namn.trim()).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let adress_nyckel = inloggning::adress(adress);
    // A name no account has is counted by its address only: nothing typed is stored.
    let mut nycklar = Vec::new();
    if let Some(u) = &konto {
        nycklar.push(inloggning::konto(&u.id));
    }
    nycklar.push(adress_nyckel.clone());
    let sparrad = match inloggning::reservera(&app.store, &nycklar).await? {
        inloggning::Reservation::Vanta(s) => {
            tracing::info!(
                vanta = s,
                "inloggning avvisad: för många misslyckade försök"
            );
            return Ok(Inloggning::Vanta(s));
        }
        inloggning::Reservation::Reserverad { sparrad } => sparrad,
    };
    match users::authenticate(&app.store, namn, losenord).await? {
        Some(user) => {
            inloggning::lyckad(&app.store, &inloggning::konto(&user.id), &adress_nyckel).await?;
            if kraver_andra_faktor(user.role) {
                let s = sessions::create(&app.store, &user, Stage::Losenord).await?;
                return Ok(Inloggning::AndraSteget(s.hemlighet));
            }
            let s = sessions::create(&app.store, &user, Stage::Klar).await?;
            Ok(Inloggning::Klar(s.hemlighet))
        }
        None => {
            inloggning::misslyckad(
                &app.store,
                konto.as_ref().map(|u| u.id.as_str()),
                sparrad,
                "inloggning.misslyckad",
            )
            .await?;
            Ok(Inloggning::Fel)
        }
    }
}

/// How a sign-in through the organisation's identity provider ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternInloggning {
    /// Signed in: the new session's secret, for the cookie.
    Klar(String),
    /// No enabled account of a role that may sign in this way (`Role::may_sign_in_externally`)
    /// has this name.
    EjKopplat,
}

/// Signs in the account named `namn`, whom the organisation's OpenID provider vouched for (the web
/// layer has checked the ID token: signature, issuer, audience, expiry, nonce). Only `kommun` and
/// `forbund` accounts sign in this way; an account that needs a second factor signs in with boj's
/// own (SPEC § 6), and a disabled one not at all. Starts a fresh session, never reusing an old
/// id; `forra` ends first. The sign-in is an audit entry (`inloggning.oidc`), and so is a refusal
/// of an existing account (`inloggning.oidc_nekad`); a name no account has is only logged.
pub async fn logga_in_extern(
    app: &App,
    forra: Option<&str>,
    namn: &str,
) -> Result<ExternInloggning, AppError> {
    if let Some(s) = forra {
        sessions::delete(&app.store, s).await?;
    }
    let konto = match users::by_name(&app.store, namn).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => {
            tracing::info!("inloggning via identitetsutfärdare: inget konto med namnet");
            return Ok(ExternInloggning::EjKopplat);
        }
        Err(e) => return Err(e.into()),
    };
    if konto.disabled || !konto.role.may_sign_in_externally() {
        anteckna(app, &konto.id, "inloggning.oidc_nekad").await?;
        return Ok(ExternInloggning::EjKopplat);
    }
    let s = sessions::create(&app.store, &konto, Stage::Klar).await?;
    anteckna(app, &konto.id, "inloggning.oidc").await?;
    Ok(ExternInloggning::Klar(s.hemlighet))
}

/// Whether sign-in of `role` has a second step: the roles that see cases and admin (SPEC § 6,
/// `Role::needs_second_factor`).
fn kraver_andra_faktor(role: Role) -> bool {
    role.needs_second_factor()
}

/// The TOTP (RFC 6238: SHA-1, six digits, 30-second steps, one step of skew) of an account.
fn totp(hemlighet: &[u8; 32], namn: &str) -> Result<totp_rs::Totp, AppError> {
    totp_rs::Builder::new()
        .with_secret(hemlighet.to_vec())
        .with_account_name(namn.to_string())
        .with_issuer(Some("boj"))
        .build()
        .map_err(|e| AppError::internal(format!("totp: {e:?}")))
}

/// Gives a sample account a fixed, already confirmed second factor (the demo's accounts, whose
/// keys the demo prints, SPEC § 4); answers the key as base32 text. Never for real accounts: a
/// fixed key is no secret.
pub async fn exempel_andra_faktor(
    app: &App,
    user_id: &str,
    hemlighet: &[u8; 32],
) -> Result<String, AppError> {
    tvafaktor::spara(&app.store, &app.keys, user_id, hemlighet, true).await?;
    Ok(nyckeltext(hemlighet))
}

/// A TOTP key as the base32 text authenticator apps take.
pub fn nyckeltext(hemlighet: &[u8; 32]) -> String {
    totp_rs::Secret::from(hemlighet.to_vec()).to_base32()
}

/// What the second step of a sign-in shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AndraSteget {
    /// The account has no second factor yet: enrol one. The secret as text (base32) and the
    /// `otpauth://` address a QR code carries, for an authenticator app.
    Registrera { hemlighet: String, adress: String },
    /// Enter the current code (or a recovery code).
    Kod,
}

/// The second step for the half-signed-in session `s`: enrolment the first time (a new secret,
/// sealed with the master key, unconfirmed until its first code), the code otherwise.
pub async fn andra_steget(app: &App, s: &Session) -> Result<AndraSteget, AppError> {
    let u = &s.user;
    let hemlighet = match tvafaktor::hamta(&app.store, &app.keys, &u.id).await? {
        Some(t) if t.bekraftad => return Ok(AndraSteget::Kod),
        Some(t) => t.hemlighet,
        None => {
            let h = boj_store::nycklar::Nyckelring::new_data_key();
            tvafaktor::spara(&app.store, &app.keys, &u.id, &h, false).await?;
            h
        }
    };
    let t = totp(&hemlighet, &u.name)?;
    Ok(AndraSteget::Registrera {
        hemlighet: totp_rs::Secret::from(hemlighet.to_vec()).to_base32(),
        adress: t
            .to_url()
            .map_err(|e| AppError::internal(format!("totp: {e:?}")))?,
    })
}

/// How the second step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Andra {
    /// Signed in: the new session's secret (the session id is renewed at the second step), and
    /// the recovery codes when this step enrolled the factor (shown once).
    Klar {
        hemlighet: String,
        reservkoder: Vec<String>,
    },
    /// A wrong, expired or already used code.
    Fel,
    /// Too many failures: wait this many seconds.
    Vanta(i64),
}

/// Checks the second step's `kod` for the half session `secret` / `s`, throttled like the
/// password (a guess of six digits is worth no more than one of a password). A code is accepted
/// once (its time step is remembered); a recovery code works once. On success the half session
/// ends and a full one begins.
pub async fn bekrafta_kod(
    app: &App,
    secret: &str,
    s: &Session,
    kod: &str,
    adress: &str,
) -> Result<Andra, AppError> {
    let u = &s.user;
    let konto = inloggning::konto(&u.id);
    let adress_nyckel = inloggning::adress(adress);
    let nycklar = [konto.clone(), adress_nyckel.clone()];
    let sparrad = match inloggning::reservera(&app.store, &nycklar).await? {
        inloggning::Reservation::Vanta(s) => return Ok(Andra::Vanta(s)),
        inloggning::Reservation::Reserverad { sparrad } => sparrad,
    };
    let Some(t) = tvafaktor::hamta(&app.store, &app.keys, &u.id).await? else {
        return Ok(Andra::Fel);
    };
    // The authenticator app keeps the world's time, even where boj's is shifted (the demo).
    let nu = u64::try_from(app.store.vaggtid()).unwrap_or(0);
    let kod = kod.trim();
    let steg = totp(&t.hemlighet, &u.name)?
        .check(kod, nu)
        .and_then(|s| i64::try_from(s).ok());
    let mut reservkoder = Vec::new();
    let ok = match (steg, t.bekraftad) {
        (Some(steg), true) => tvafaktor::anvand_steg(&app.store, &u.id, steg).await?,
        (Some(steg), false) => {
            reservkoder = (0..10)
                .map(|_| {
                    let h = boj_store::random_hex(5);
                    format!("{}-{}", &h[..5], &h[5..])
                })
                .collect();
            tvafaktor::bekrafta(&app.store, &u.id, steg, &reservkoder).await?;
            true
        }
        (None, true) => tvafaktor::anvand_reservkod(&app.store, &u.id, kod).await?,
        (None, false) => false,
    };
    if !ok {
        inloggning::misslyckad(&app.store, Some(&u.id), sparrad, "tvafaktor.misslyckad").await?;
        return Ok(Andra::Fel);
    }
    inloggning::lyckad(&app.store, &konto, &adress_nyckel).await?;
    sessions::delete(&app.store, secret).await?;
    let ny = sessions::create(&app.store, u, Stage::Klar).await?;
    Ok(Andra::Klar {
        hemlighet: ny.hemlighet,
        reservkoder,
    })
}

/// Ends a session (signing out), with its audit entry.
pub async fn logga_ut(app: &App, secret: &str, user_id: &str) -> Result<(), AppError> {
    sessions::delete(&app.store, secret).await?;
    anteckna(app, user_id, "session.utloggad").await
}

/// Records a refused access by `p` to `objekt` (an id, or the path a route gate refused): a
/// warning in the log and an audit entry `atkomst.nekad`.
pub async fn nekad(app: &App, p: &Principal, objekt: &str) -> Result<(), AppError> {
    // Only an id or a route template is kept: anything else a client sent is not (it could be a
    // name or other data typed into a URL, and the audit log is permanent).
    let ok = objekt.len() <= 100
        && objekt
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/{}".contains(c));
    let objekt = if ok { objekt } else { "(ogiltigt id)" };
    tracing::warn!(user = %p.user_id, objekt, "åtkomst nekad");
    Ok(audit::record(&app.store, Some(&p.user_id), "atkomst.nekad", Some(objekt)).await?)
}

/// Records in the audit log that `actor` did `action`, for events with no other write.
pub async fn anteckna(app: &App, actor: &str, action: &str) -> Result<(), AppError> {
    Ok(audit::record(&app.store, Some(actor), action, None).await?)
}

/// A page of the audit log (SPEC § 6): `admin` reads the whole log, a coordinator what the accounts
/// of their organisation did. Entries hold ids, never a help-seeker's data; each entry is given
/// with its actor's name where the reader may know it. The read itself is not audited (it changes
/// nothing, and would fill the log with itself).
pub async fn granskningslogg(
    app: &App,
    p: &Principal,
    mut urval: audit::Urval,
) -> Result<Granskningssida, AppError> {
    authorize(p, Action::LasGranskningslogg)?;
    if p.role != Role::Admin {
        let Scope::Organisation(org) = &p.scope else {
            return Err(boj_domain::Denied {
                code: Code::ForbjudenAtgard,
                message: "Din roll har inte behörighet till det här.",
            }
            .into());
        };
        urval.organisation = Some(org.clone());
    }
    let (poster, nasta) = audit::sok(&app.store, &urval).await?;
    let namn = users::list(&app.store)
        .await?
        .into_iter()
        .filter(|u| p.role == Role::Admin || u.scope == p.scope)
        .map(|u| (u.id, u.name))
        .collect();
    Ok(Granskningssida {
        poster,
        nasta,
        namn,
    })
}

/// The user id an audit filter names by user name: `None` when no account has the name.
pub async fn aktor_id(app: &App, namn: &str) -> Result<Option<String>, AppError> {
    match users::by_name(&app.store, namn.trim()).await {
        Ok(u) => Ok(Some(u.id)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// One page of the audit log as the reader may see it.
#[derive(Debug, Clone)]
pub struct Granskningssida {
    pub poster: Vec<audit::Entry>,
    /// Ask `fore` this for the next (older) page.
    pub nasta: Option<i64>,
    /// Names of the accounts the reader may know, by id.
    pub namn: std::collections::HashMap<String, String>,
}

/// A user account: one's own, or any for admin.
pub async fn anvandare(app: &App, p: &Principal, id: &str) -> Result<User, AppError> {
    app.tillat(p, Action::LasAnvandare(Some(id)), id).await?;
    Ok(users::get(&app.store, id).await?)
}

/// Every user account (admin).
pub async fn alla(app: &App, p: &Principal) -> Result<Vec<User>, AppError> {
    authorize(p, Action::HanteraAnvandare)?;
    Ok(users::list(&app.store).await?)
}

/// The names of the users of `p`'s organisation, by id (a coordinator's case list shows who holds
/// each case).
pub async fn kollegor(app: &App, p: &Principal) -> Result<Vec<(String, String)>, AppError> {
    let Scope::Organisation(org) = &p.scope else {
        return Ok(Vec::new());
    };
    Ok(users::list(&app.store)
        .await?
        .into_iter()
        .filter(|u| u.scope == Scope::Organisation(org.clone()))
        .map(|u| (u.id, u.name))
        .collect())
}

/// A new account as entered.
#[derive(Debug, Clone)]
pub struct NyAnvandare {
    pub namn: String,
    pub roll: String,
    /// Required for `stodperson` and `samordnare`.
    pub organisation: Option<String>,
    /// SCB code, required for `kommun`.
    pub kommun: Option<String>,
    /// SCB county code, required for `forbund`.
    pub lan: Option<String>,
    /// Required for `kommun`, `forbund` and `admin`; never given for a role that sees cases.
    pub losenord: Option<String>,
}

/// The organisations, for the admin's form of a new account (names, not ids).
pub async fn organisationer(
    app: &App,
    p: &Principal,
) -> Result<Vec<boj_store::orgs::Organisation>, AppError> {
    authorize(p, Action::HanteraAnvandare)?;
    Ok(boj_store::orgs::list(&app.store).await?)
}

/// Whether accounts of `role` see cases, and so are never given a password by an admin.
fn ser_arenden(role: Role) -> bool {
    matches!(role, Role::Stodperson | Role::Samordnare)
}

/// Creates a user (admin); a conflict with the existing id when the name is taken. An admin never
/// gives a support person or coordinator a password (SPEC § 2: no admin action yields an account
/// that sees cases): such an account gets a one-time activation link — answered here, once — with
/// which the person sets their own password, and a coordinator of the organisation approves it
/// before it sees cases. The first coordinator of an organisation is created by the operator on
/// the command line.
pub async fn ny_anvandare(
    app: &App,
    p: &Principal,
    n: &NyAnvandare,
) -> Result<(User, Option<String>), AppError> {
    authorize(p, Action::HanteraAnvandare)?;
    let name = Anvandarnamn::parse(&n.namn)?;
    let role = Role::parse(&n.roll)?;
    let kommun = n.kommun.as_deref().map(Kommunkod::parse).transpose()?;
    let lan = n.lan.as_deref().map(Lanskod::parse).transpose()?;
    let scope = Scope::for_role(role, n.organisation.clone(), kommun, lan)?;
    if ser_arenden(role) {
        if n.losenord.is_some() {
            return Err(AppError::invalid(
                "Stödpersoner och samordnare väljer själva sitt lösenord via en aktiveringslänk; ange inget lösenord.",
            ));
        }
        let (u, token) =
            users::create_for_activation(&app.store, Some(&p.user_id), &name, role, &scope).await?;
        return Ok((u, Some(token)));
    }
    let password = n
        .losenord
        .as_deref()
        .ok_or_else(|| AppError::invalid("Ange ett lösenord (minst 10 tecken)."))?;
    let password = NyttLosenord::parse(password)?;
    let u = users::create(&app.store, Some(&p.user_id), &name, role, &scope, &password).await?;
    Ok((u, None))
}

/// Resets a support person's or coordinator's password (admin): the account loses its password
/// and its approval, its sessions and tokens end, and a new one-time activation link is answered.
pub async fn aterstall(app: &App, p: &Principal, id: &str) -> Result<String, AppError> {
    authorize(p, Action::HanteraAnvandare)?;
    let u = users::get(&app.store, id).await?;
    if !ser_arenden(u.role) {
        return Err(AppError::invalid(
            "Bara stödpersoners och samordnares lösenord återställs med en aktiveringslänk; andra roller får nytt lösenord med kommandot boj user set-password.",
        ));
    }
    Ok(users::reset_to_activation(&app.store, Some(&p.user_id), id).await?)
}

/// The account an activation link belongs to, if the link is unused and unexpired.
pub async fn aktivering(app: &App, token: &str) -> Result<Option<User>, AppError> {
    Ok(users::activation(&app.store, token).await?)
}

/// Activates an account with the person's own password (the link is used up). `None` when the
/// link is unknown, used or expired.
pub async fn aktivera(app: &App, token: &str, losenord: &str) -> Result<Option<User>, AppError> {
    let password = NyttLosenord::parse(losenord)?;
    Ok(users::activate(&app.store, token, &password).await?)
}

/// Approves an account of the coordinator's organisation, so that it may see cases (SPEC § 2).
pub async fn godkann(app: &App, p: &Principal, id: &str) -> Result<User, AppError> {
    let u = users::get(&app.store, id).await?;
    let org = match &u.scope {
        Scope::Organisation(o) => o.as_str(),
        _ => "",
    };
    app.tillat(p, Action::GodkannaAnvandare(Some(org)), id)
        .await?;
    users::approve(&app.store, Some(&p.user_id), id).await?;
    Ok(users::get(&app.store, id).await?)
}

/// The accounts of the coordinator's organisation that wait for approval.
pub async fn vantar_pa_godkannande(app: &App, p: &Principal) -> Result<Vec<User>, AppError> {
    let Scope::Organisation(org) = &p.scope else {
        return Ok(Vec::new());
    };
    if authorize(p, Action::GodkannaAnvandare(Some(org))).is_err() {
        return Ok(Vec::new());
    }
    let mut ut = Vec::new();
    for u in users::list(&app.store).await? {
        // Only accounts their person has activated: approving one the admin could still activate
        // would hand the admin case access.
        if !u.approved
            && !u.disabled
            && u.scope == p.scope
            && users::activated(&app.store, &u.id).await?
        {
            ut.push(u);
        }
    }
    Ok(ut)
}

/// Disables a user, ending their sessions and tokens (admin).
pub async fn inaktivera(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
    authorize(p, Action::HanteraAnvandare)?;
    Ok(users::disable(&app.store, Some(&p.user_id), id).await?)
}

/// Creates a bearer token for user `namn`, valid through `sista_dag` (default 90 days) (admin).
/// A token acts as its user: through the web an admin may not mint one for a role that sees cases,
/// which would show the admin case data (SPEC § 2); operators use `boj token create`.
pub async fn ny_token(
    app: &App,
    p: &Principal,
    namn: &str,
    sista_dag: Option<&str>,
) -> Result<NyToken, AppError> {
    authorize(p, Action::HanteraTokens)?;
    let days = match sista_dag {
        None => tokens::DEFAULT_DAYS,
        Some(s) => {
            let until = Datum::parse(s)?;
            let days = i64::from(
                app.today()
                    .until(until.civil())
                    .map(|sp| sp.get_days())
                    .unwrap_or(0),
            );
            if days < 1 {
                return Err(AppError::new(
                    Kind::Invalid,
                    Code::OgiltigtDatum,
                    "Sista giltighetsdag ska ligga efter i dag.",
                ));
            }
            days
        }
    };
    let user = users::by_name(&app.store, namn).await?;
    if matches!(user.role, Role::Stodperson | Role::Samordnare) {
        return Err(AppError::new(
            Kind::Denied,
            Code::ForbjudenAtgard,
            "Tokens för stödpersoner och samordnare skapas med kommandot boj token create, inte här.",
        ));
    }
    Ok(tokens::create(&app.store, Some(&p.user_id), &user, days).await?)
}

/// Every API token, for the admin who manages them, each with whether it is still valid now.
pub async fn tokens(app: &App, p: &Principal) -> Result<Vec<(tokens::Tokenrad, bool)>, AppError> {
    authorize(p, Action::HanteraTokens)?;
    let now = app.store.now();
    Ok(tokens::list(&app.store)
        .await?
        .into_iter()
        .map(|t| {
            let live = t.revoked_at.is_none() && t.expires_at > now;
            (t, live)
        })
        .collect())
}

/// Revokes a token by id (admin).
pub async fn aterkalla_token(app: &App, p: &Principal, id: &str) -> Result<(), AppError> {
    authorize(p, Action::HanteraTokens)?;
    Ok(tokens::revoke(&app.store, Some(&p.user_id), id).await?)
}
