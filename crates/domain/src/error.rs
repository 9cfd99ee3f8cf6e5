//! Stable error codes and the domain's error type.
//!
//! Every error that boj shows a user or an API client has a [`Code`]: a stable, greppable string that
//! appears in API responses, logs and the docs (`docs/errors.md` lists them all, and a test keeps that
//! list in step with this enum). The message beside it is Swedish and written for the user; causes
//! that are not for the user are logged, never shown.

use std::fmt;

/// Every stable error code boj can return. The string form is the contract; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    // Input that does not parse or breaks a rule (400 / 422).
    OgiltigJson,
    OgiltigForfragan,
    ForStorForfragan,
    FelMediatyp,
    OgiltigKommunkod,
    OgiltigtLanskod,
    OgiltigtDatum,
    OgiltigtOrganisationsnummer,
    OgiltigtBelopp,
    OgiltigKod,
    OgiltigRoll,
    OgiltigBehorighetsomfattning,
    OgiltigtNamn,
    SvagtLosenord,
    Personnummer,
    OtillatetTecken,
    OgiltigtDokument,
    OgiltigFil,
    OgiltigPeriod,
    GranskningenUnderkande,
    GallringUnderGolvet,
    // Identity and permission (401 / 403).
    EjInloggad,
    SessionenHarGattUt,
    ForbjudenAtgard,
    UtanforBehorighet,
    EjGodkand,
    EjKopplatKonto,
    CsrfSaknas,
    // Lookup and state (404 / 405 / 409).
    HittasInte,
    MetodEjTillaten,
    Konflikt,
    DokumentetArAndrat,
    // Server side (5xx): never caused by what a client sends.
    Internt,
    IdentitetsutfardarenSvararInte,
}

impl Code {
    /// All codes, in the order of the docs.
    pub const ALL: &'static [Code] = &[
        Code::OgiltigJson,
        Code::OgiltigForfragan,
        Code::ForStorForfragan,
        Code::FelMediatyp,
        Code::OgiltigKommunkod,
        Code::OgiltigtLanskod,
        Code::OgiltigtDatum,
        Code::OgiltigtOrganisationsnummer,
        Code::OgiltigtBelopp,
        Code::OgiltigKod,
        Code::OgiltigRoll,
        Code::OgiltigBehorighetsomfattning,
        Code::OgiltigtNamn,
        Code::SvagtLosenord,
        Code::Personnummer,
        Code::OtillatetTecken,
        Code::OgiltigtDokument,
        Code::OgiltigFil,
        Code::OgiltigPeriod,
        Code::GranskningenUnderkande,
        Code::GallringUnderGolvet,
        Code::EjInloggad,
        Code::SessionenHarGattUt,
        Code::ForbjudenAtgard,
        Code::UtanforBehorighet,
        Code::EjGodkand,
        Code::EjKopplatKonto,
        Code::CsrfSaknas,
        Code::HittasInte,
        Code::MetodEjTillaten,
        Code::Konflikt,
        Code::DokumentetArAndrat,
        Code::Internt,
        Code::IdentitetsutfardarenSvararInte,
    ];

    /// The stable string form used on the wire and in logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::OgiltigJson => "ogiltig_json",
            Code::OgiltigForfragan => "ogiltig_forfragan",
            Code::ForStorForfragan => "for_stor_forfragan",
            Code::FelMediatyp => "fel_mediatyp",
            Code::OgiltigKommunkod => "ogiltig_kommunkod",
            Code::OgiltigtLanskod => "ogiltig_lanskod",
            Code::OgiltigtDatum => "ogiltigt_datum",
            Code::OgiltigtOrganisationsnummer => "ogiltigt_organisationsnummer",
            Code::OgiltigtBelopp => "ogiltigt_belopp",
            Code::OgiltigKod => "ogiltig_kod",
            Code::OgiltigRoll => "ogiltig_roll",
            Code::OgiltigBehorighetsomfattning => "ogiltig_behorighetsomfattning",
            Code::OgiltigtNamn => "ogiltigt_namn",
            Code::SvagtLosenord => "svagt_losenord",
            Code::Personnummer => "personnummer_i_fritext",
            Code::OtillatetTecken => "otillatet_tecken",
            Code::OgiltigtDokument => "ogiltigt_dokument",
            Code::OgiltigFil => "ogiltig_fil",
            Code::OgiltigPeriod => "ogiltig_period",
            Code::GranskningenUnderkande => "granskningen_underkande",
            Code::GallringUnderGolvet => "gallring_under_golvet",
            Code::EjInloggad => "ej_inloggad",
            Code::SessionenHarGattUt => "sessionen_har_gatt_ut",
            Code::ForbjudenAtgard => "forbjuden_atgard",
            Code::UtanforBehorighet => "utanfor_behorighet",
            Code::EjGodkand => "ej_godkand",
            Code::EjKopplatKonto => "ej_kopplat_konto",
            Code::CsrfSaknas => "csrf_saknas",
            Code::HittasInte => "hittas_inte",
            Code::MetodEjTillaten => "metod_ej_tillaten",
            Code::Konflikt => "konflikt",
            Code::DokumentetArAndrat => "dokumentet_ar_andrat",
            Code::Internt => "internt_fel",
            Code::IdentitetsutfardarenSvararInte => "identitetsutfardaren_svarar_inte",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that could not be parsed into a domain type, or that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: Code,
    /// Swedish, for the user.
    pub message: String,
    /// The input field the error is about, by its API name (`note`, `opened_on`), where one is: a
    /// form shows the message beside that field, the API answers it as `error.field`.
    pub falt: Option<&'static str>,
}

impl DomainError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            falt: None,
        }
    }

    /// The same error, about field `falt` (the innermost field named wins).
    pub fn falt(mut self, falt: &'static str) -> Self {
        self.falt.get_or_insert(falt);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../../../docs/errors.md");
        for c in Code::ALL {
            assert!(
                doc.contains(&format!("| `{c}` |")),
                "{c} is missing in docs/errors.md"
            );
        }
        let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(
            rows,
            Code::ALL.len(),
            "docs/errors.md lists codes that do not exist"
        );
    }

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{c}"
            );
        }
    }
}
