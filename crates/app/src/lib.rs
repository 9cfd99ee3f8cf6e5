//! # boj-app
//!
//! boj's use cases, one door each. Every public function of [`arenden`], [`avtal`], [`bidrag`],
//! [`rapporter`] and [`konton`] is one thing a user (or the operator) does: it takes the [`App`]
//! handle, the signed-in [`Principal`](boj_domain::Principal) and domain inputs; authorises against
//! the object (`boj_domain::authorize` with the case's organisation and assignee, the agreement's
//! scope…); applies the rules of the pure crates; writes in one transaction with its audit entry;
//! and returns domain values. The JSON API, the pages and the command line all call these
//! functions: nothing else in boj holds the store.
//!
//! Errors are an [`AppError`]: a [`Kind`] (what went wrong, in terms of the use case), a stable
//! [`Code`] and a Swedish message. The web layer maps each kind to an HTTP status in one place
//! (`boj_web::error`); the command line prints the message.

pub mod arenden;
pub mod avtal;
pub mod bakgrund;
pub mod bidrag;
pub mod konton;
pub mod rapporter;
pub mod register;

use boj_domain::{Code, Denied, DomainError};
use boj_store::nycklar::Nyckelring;
use boj_store::{Store, StoreError};
use std::sync::Arc;

/// The application: the store, the master key, the report register and the signal that wakes the
/// background re-judging. Cheap to clone; one per process (each instance has its own register).
#[derive(Clone)]
pub struct App {
    store: Store,
    keys: Arc<Nyckelring>,
    /// Cases and activities as reports see them, in memory (`register.rs`).
    register: Arc<register::Register>,
    /// Wakes the background work that judges cases again after a decision
    /// (`arenden::omprova_vantande`).
    omprovning: Arc<tokio::sync::Notify>,
}

impl App {
    pub fn new(store: Store, keys: Arc<Nyckelring>) -> App {
        App {
            store,
            keys,
            register: Default::default(),
            omprovning: Default::default(),
        }
    }

    /// Today, as the store's clock sees it (Swedish civil date).
    pub fn today(&self) -> jiff::civil::Date {
        self.store.clock().today()
    }

    /// Closes the database (at shutdown, after the last request).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Holds an agreement's report register until the guard is dropped: nothing issues a report
    /// or judges the agreement's cases again meanwhile (tests use it to show what waits for it).
    pub async fn hall_register(
        &self,
        agreement_id: &str,
    ) -> Result<tokio::sync::OwnedMutexGuard<register::Lager>, AppError> {
        self.register.lager(&self.store, agreement_id).await
    }

    /// Authorises `p` for `action` on object `objekt` (an id); a refusal is logged and written to
    /// the audit log with the actor and the object's id — someone probing another's case or
    /// agreement leaves a trace (SPEC § 6).
    pub(crate) async fn tillat(
        &self,
        p: &boj_domain::Principal,
        action: boj_domain::Action<'_>,
        objekt: &str,
    ) -> Result<(), AppError> {
        match boj_domain::authorize(p, action) {
            Ok(()) => Ok(()),
            Err(d) => {
                // The refusal stands even if its audit entry cannot be written.
                if let Err(e) = konton::nekad(self, p, objekt).await {
                    tracing::error!(error = %e.message, "en nekad åtkomst kunde inte skrivas i granskningsloggen");
                }
                Err(d.into())
            }
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }
}

/// What kind of failure a use case reports; the web layer maps each to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is malformed (not a rule of the domain).
    BadRequest,
    /// Nobody is signed in, or the sign-in is no longer valid.
    Unauthenticated,
    /// The principal may not do this (to this object).
    Denied,
    NotFound,
    /// It exists already, or changed meanwhile; `conflict_id` names it when known.
    Conflict,
    /// More than the use case accepts.
    TooLarge,
    /// A value parses but breaks a rule (of the domain or the agreement).
    Invalid,
    /// Something failed on our side; the cause is logged, never shown.
    Internal,
}

/// A use case's failure: its kind, a stable code and a Swedish message for the user.
#[derive(Debug, Clone)]
pub struct AppError {
    pub kind: Kind,
    pub code: Code,
    pub message: String,
    /// For [`Kind::Conflict`]: the id of the existing object.
    pub conflict_id: Option<String>,
    /// The input field the error is about, where one is (`DomainError::falt`).
    pub field: Option<&'static str>,
}

impl AppError {
    pub fn new(kind: Kind, code: Code, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            conflict_id: None,
            field: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, Code::HittasInte, "Det du söker finns inte.")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, Code::OgiltigForfragan, message)
    }

    /// A value that breaks a rule, with the general code.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, Code::OgiltigForfragan, message)
    }

    pub fn conflict(id: Option<String>, message: impl Into<String>) -> Self {
        Self {
            conflict_id: id,
            ..Self::new(Kind::Conflict, Code::Konflikt, message)
        }
    }

    /// An internal failure: the cause goes to the log, the user reads a calm sentence.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internt fel");
        Self::new(
            Kind::Internal,
            Code::Internt,
            "Något gick fel hos oss. Inget av det du sparat tidigare har påverkats. Försök igen om en stund.",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            Kind::Unauthenticated,
            Code::EjInloggad,
            "Du behöver logga in.",
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<DomainError> for AppError {
    /// Values that parse but break a rule; the parse errors of the domain are all about values.
    fn from(e: DomainError) -> Self {
        Self {
            field: e.falt,
            ..Self::new(Kind::Invalid, e.code, e.message)
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        Self::new(Kind::Denied, d.code, d.message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Conflict(id) => AppError::conflict(id, "Det finns redan."),
            StoreError::Domain(d) => d.into(),
            StoreError::Changed => AppError::conflict(
                None,
                "Överenskommelsen ändrades medan ärendet sparades. Försök igen.",
            ),
            other => AppError::internal(other),
        }
    }
}
