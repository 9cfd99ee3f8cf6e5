//! # boj-domain
//!
//! The pure core of boj: the codes, identifiers, rules and calculations that the rest of the system is
//! built around. This crate performs no I/O, has no async code and knows nothing of HTTP or SQL.
//!
//! Its types follow "parse, don't validate": a [`Kommunkod`], an [`Organisationsnummer`], a [`Datum`] or a
//! [`Kronor`] can only be made by a parser that checks it, so the rest of boj takes these types and never
//! checks again. Every parse error carries a stable [`Code`] and a Swedish message for the user.
//!
//! Rules cite their source in their docs (for example `§ 22 2a` of the SocSam decision, or
//! `11 kap. 6 § SoL`). Names are Swedish where the domain is Swedish and English for generic machinery.

pub mod access;
pub mod arende;
pub mod avtal;
pub mod bedomning;
pub mod belopp;
pub mod datum;
pub mod dokument;
pub mod error;
pub mod folkmangd;
pub mod fordelning;
pub mod gallring;
pub mod inloggning;
pub mod kod;
pub mod kommun;
pub mod orgnr;
pub mod period;
pub mod personnummer;
pub mod svensk;
pub mod tal;

pub use access::{
    Action, Anvandarnamn, Arendeomfang, Avtalsomfang, Denied, NyttLosenord, Principal, Role, Scope,
    authorize,
};
pub use belopp::Kronor;
pub use datum::Datum;
pub use error::{Code, DomainError};
pub use kommun::{Kommun, Kommunkod, Lanskod};
pub use orgnr::Organisationsnummer;
pub use period::{Cykel, Period};
