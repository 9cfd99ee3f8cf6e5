//! The fixed code lists of a case's statistics items (SPEC § 3.2, after the national victim-support
//! statistics' ten basic items), and of an agreement's collaboration partners.
//!
//! The codes are the API's and the reports' vocabulary and never change; an agreement's documentation
//! scheme chooses which items it records, never new codes. Each list is an enum with its stable code
//! and Swedish label, and parses only from its codes.

use crate::error::{Code, DomainError};
use crate::kommun::{Kommunkod, clip};

/// What every code list offers.
pub trait Kodlista: Sized + Copy + 'static {
    /// Swedish name of the item, for messages.
    const ITEM: &'static str;
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;

    fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::new(
                Code::OgiltigKod,
                format!("Välj {}.", Self::ITEM),
            ));
        }
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == t)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                DomainError::new(
                    Code::OgiltigKod,
                    format!(
                        "”{}” är ingen giltig kod för {}. Giltiga koder: {}.",
                        clip(t),
                        Self::ITEM,
                        allowed.join(", ")
                    ),
                )
            })
    }
}

macro_rules! kodlista {
    ($(#[$m:meta])* $name:ident, $item:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Kodlista for $name {
            const ITEM: &'static str = $item;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    };
}

kodlista! {
    /// Type of help-seeker: the target groups of § 22 2a, and `annan` for none of them.
    PersonTyp, "typ av hjälpsökande" {
        Brottsutsatt => "brottsutsatt", "Brottsutsatt";
        Vittne => "vittne", "Vittne";
        AnhorigBrottsutsatt => "anhorig_brottsutsatt", "Anhörig till brottsutsatt";
        AnhorigGarningsperson => "anhorig_garningsperson", "Anhörig till gärningsperson";
        Annan => "annan", "Ingen av målgrupperna";
    }
}

kodlista! {
    /// Fixed recodings of tiny categories for publication (SPEC § 5, like the small-municipality
    /// grouping: chosen in the agreement's settings, never from the data).
    Sammanslagning, "sammanslagning av kategorier" {
        KonAnnatOkant => "kon_annat_okant", "Kön: ”annat” och ”okänt” redovisas som en kategori";
    }
}

kodlista! {
    /// Why a new edition of a report was issued: published as the code (SPEC § 5); free text stays
    /// in the organisation's record.
    Utgavaskal, "skäl till ny utgåva" {
        RattelseUppgift => "rattelse_uppgift", "Rättade uppgifter i ärenden";
        SenRegistrering => "sen_registrering", "Sent registrerade uppgifter";
        BehorighetOmprovad => "behorighet_omprovad", "Behörigheten omprövad";
    }
}

kodlista! {
    Kon, "kön" {
        Kvinna => "kvinna", "Kvinna";
        Man => "man", "Man";
        Annat => "annat", "Annat";
        Okant => "okant", "Okänt";
    }
}

kodlista! {
    Aldersgrupp, "åldersgrupp" {
        Under18 => "0-17", "0–17 år";
        Ar18_24 => "18-24", "18–24 år";
        Ar25_44 => "25-44", "25–44 år";
        Ar45_64 => "45-64", "45–64 år";
        Over65 => "65+", "65 år och äldre";
        Okand => "okand", "Okänd ålder";
    }
}

kodlista! {
    /// Crime type: a statistics code only, never anything about a perpetrator (GDPR Art. 10).
    Brottstyp, "brottstyp" {
        Misshandel => "misshandel", "Misshandel";
        HotOfredande => "hot_ofredande", "Hot och ofredande";
        Sexualbrott => "sexualbrott", "Sexualbrott";
        Ran => "ran", "Rån";
        StoldInbrott => "stold_inbrott", "Stöld och inbrott";
        Bedrageri => "bedrageri", "Bedrägeri";
        Skadegorelse => "skadegorelse", "Skadegörelse";
        MordDrap => "mord_drap", "Mord och dråp";
        Trafikbrott => "trafikbrott", "Trafikbrott";
        Annat => "annat", "Annat brott";
        Okant => "okant", "Okänt brott";
    }
}

kodlista! {
    SarskildOmstandighet, "särskild omständighet" {
        NaraRelation => "nara_relation", "Våld i nära relation";
        Hedersrelaterat => "hedersrelaterat", "Hedersrelaterat";
        Hatbrott => "hatbrott", "Hatbrott";
        Internetrelaterat => "internetrelaterat", "Internetrelaterat";
        Skolrelaterat => "skolrelaterat", "Skolrelaterat";
    }
}

kodlista! {
    Polisanmalan, "polisanmälan" {
        Ja => "ja", "Polisanmält";
        Nej => "nej", "Inte polisanmält";
        Okant => "okant", "Okänt om polisanmält";
    }
}

kodlista! {
    ForstaKontakt, "första kontakt" {
        Polis => "polis", "Via polisen";
        Sjalv => "sjalv", "Själv";
        Annan => "annan", "Via annan";
        Okant => "okant", "Okänt";
    }
}

kodlista! {
    Aktivitetstyp, "typ av aktivitet" {
        Stodsamtal => "stodsamtal", "Stödsamtal";
        Information => "information", "Information";
        PraktiskHjalp => "praktisk_hjalp", "Praktisk hjälp";
        MedfoljningPolis => "medfoljning_polis", "Medföljning till polis";
        MedfoljningRattegang => "medfoljning_rattegang", "Medföljning till rättegång";
        Hanvisning => "hanvisning", "Hänvisning";
    }
}

kodlista! {
    Kontaktsatt, "kontaktsätt" {
        Telefon => "telefon", "Telefon";
        Mote => "mote", "Möte";
        Video => "video", "Video";
        Skriftligt => "skriftligt", "Skriftligt";
    }
}

kodlista! {
    /// People supported at a witness-support session, by their role in the trial.
    VittnesstodRoll, "roll vid vittnesstöd" {
        Vittne => "vittne", "Vittne";
        Malsagande => "malsagande", "Målsägande";
        AnhorigVan => "anhorig_van", "Anhörig eller vän";
        Tilltalad => "tilltalad", "Tilltalad";
    }
}

kodlista! {
    Volontartimmar, "slag av volontärtimmar" {
        Brottsofferstod => "brottsofferstod", "Brottsofferstöd";
        Vittnesstod => "vittnesstod", "Vittnesstöd";
        Administration => "administration", "Administration";
    }
}

kodlista! {
    /// The kinds of neighbouring services and associations an agreement works with (the need for
    /// collaboration the decision asks the agreement to consider).
    Partnertyp, "slag av samverkanspart" {
        Kvinnojour => "kvinnojour", "Kvinnojour";
        TjejjourUngdomsjour => "tjejjour_ungdomsjour", "Tjejjour eller ungdomsjour";
        Socialtjanst => "socialtjanst", "Socialtjänst";
        Polis => "polis", "Polis";
        HalsoSjukvard => "halso_sjukvard", "Hälso- och sjukvård";
        KyrkaTrossamfund => "kyrka_trossamfund", "Kyrka eller trossamfund";
        AnnanForening => "annan_forening", "Annan förening";
        AnnanMyndighet => "annan_myndighet", "Annan myndighet";
    }
}

kodlista! {
    /// What collaboration work with a partner was: about the organisations, never help-seekers.
    Samverkansform, "form av samverkan" {
        Mote => "mote", "Samverkansmöte";
        Utbildning => "utbildning", "Gemensam utbildning";
        Utatriktat => "utatriktat", "Utåtriktad verksamhet";
    }
}

/// Home municipality: one of the 290, abroad, or not stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hemkommun {
    Kommun(Kommunkod),
    Utlandet,
    Okand,
}

impl Hemkommun {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "utlandet" => Ok(Hemkommun::Utlandet),
            "okand" => Ok(Hemkommun::Okand),
            other => Kommunkod::parse(other).map(Hemkommun::Kommun).map_err(|_| {
                DomainError::new(
                    Code::OgiltigKommunkod,
                    format!(
                        "”{}” är ingen hemkommun. Ange en kommunkod (fyra siffror), ”utlandet” eller ”okand”.",
                        clip(other)
                    ),
                )
            }),
        }
    }

    pub fn code(&self) -> String {
        match self {
            Hemkommun::Kommun(k) => k.to_string(),
            Hemkommun::Utlandet => "utlandet".into(),
            Hemkommun::Okand => "okand".into(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Hemkommun::Kommun(k) => k.namn(),
            Hemkommun::Utlandet => "Bor utomlands",
            Hemkommun::Okand => "Okänd hemkommun",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<K: Kodlista + PartialEq + std::fmt::Debug>() {
        for v in K::ALL {
            assert_eq!(K::parse(v.code()).unwrap(), *v);
            assert!(!v.label().is_empty());
        }
        assert_eq!(K::parse("nonsens").unwrap_err().code, Code::OgiltigKod);
    }

    #[test]
    fn every_list_round_trips() {
        round_trip::<PersonTyp>();
        round_trip::<Kon>();
        round_trip::<Aldersgrupp>();
        round_trip::<Brottstyp>();
        round_trip::<SarskildOmstandighet>();
        round_trip::<Polisanmalan>();
        round_trip::<ForstaKontakt>();
        round_trip::<Aktivitetstyp>();
        round_trip::<Kontaktsatt>();
        round_trip::<VittnesstodRoll>();
        round_trip::<Volontartimmar>();
        round_trip::<Partnertyp>();
        round_trip::<Samverkansform>();
    }

    #[test]
    fn the_lists_have_the_spec_sizes() {
        assert_eq!(
            [
                PersonTyp::ALL.len(),
                Kon::ALL.len(),
                Aldersgrupp::ALL.len(),
                Brottstyp::ALL.len(),
                SarskildOmstandighet::ALL.len(),
                Polisanmalan::ALL.len(),
                ForstaKontakt::ALL.len(),
                Aktivitetstyp::ALL.len(),
                Kontaktsatt::ALL.len()
            ],
            [5, 4, 6, 11, 5, 3, 4, 6, 4]
        );
    }

    #[test]
    fn home_municipality() {
        assert_eq!(Hemkommun::parse("2321").unwrap().label(), "Åre");
        assert_eq!(Hemkommun::parse("utlandet").unwrap(), Hemkommun::Utlandet);
        assert_eq!(
            Hemkommun::parse("2399").unwrap_err().code,
            Code::OgiltigKommunkod
        );
    }
}
