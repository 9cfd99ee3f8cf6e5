//! The agreement register (SPEC § 3.1): agreements, versions, decisions, documents, signatures.
//! Reading needs `Action::LasAvtal` for the agreement; every write needs `Action::HanteraAvtal`
//! (the strategist of the agreement's county).

use crate::{App, AppError, Kind};
use boj_domain::avtal::{
    self as regel, Avtalsinstallningar, Avtalstid, Beslutsorgan, Malgruppsregel, Statusrad, Utfall,
};
use boj_domain::{
    Action, Avtalsomfang, Code, Cykel, Datum, Kommunkod, Principal, Scope, authorize,
};
use boj_store::avtal::{self, Hamtat};

pub use boj_store::avtal::{Avtal, Beslut, DokumentMeta, NyttBeslut, Underskrift, Utkast};
pub use boj_store::orgs::Organisation;

/// An agreement `p` may read.
pub async fn las(app: &App, p: &Principal, id: &str) -> Result<Avtal, AppError> {
    let a = avtal::get(&app.store, id).await?;
    app.tillat(p, Action::LasAvtal(Some(a.omfang())), &a.id)
        .await?;
    Ok(a)
}

/// An agreement `p` may manage.
pub async fn hantera(app: &App, p: &Principal, id: &str) -> Result<Avtal, AppError> {
    let a = avtal::get(&app.store, id).await?;
    app.tillat(p, Action::HanteraAvtal(Some(a.omfang())), &a.id)
        .await?;
    Ok(a)
}

/// Version `n` of an agreement `p` may read (the current one when `None`).
pub async fn las_version(
    app: &App,
    p: &Principal,
    id: &str,
    n: Option<i64>,
) -> Result<Avtal, AppError> {
    let current = las(app, p, id).await?;
    match n {
        Some(n) => Ok(avtal::get_version(&app.store, id, Some(n)).await?),
        None => Ok(current),
    }
}

/// A decision and its agreement, for a principal who may read (`write == false`) or manage it.
pub async fn beslutet(
    app: &App,
    p: &Principal,
    id: &str,
    write: bool,
) -> Result<(Avtal, Beslut), AppError> {
    let b = avtal::get_decision(&app.store, id).await?;
    let a = if write {
        hantera(app, p, &b.agreement_id).await?
    } else {
        las(app, p, &b.agreement_id).await?
    };
    Ok((a, b))
}

/// The agreements `p` may read.
pub async fn lasbara(app: &App, p: &Principal) -> Result<Vec<Avtal>, AppError> {
    Ok(avtal::list(&app.store)
        .await?
        .into_iter()
        .filter(|a| authorize(p, Action::LasAvtal(Some(a.omfang()))).is_ok())
        .collect())
}

/// The agreements `p` may read, each with its decisions: from this process's copy while the
/// agreement's revision is unchanged (`boj_store::avtal::med_beslut`), so a list read many times a
/// second costs one query.
pub async fn lasbara_med_beslut(
    app: &App,
    p: &Principal,
) -> Result<Vec<std::sync::Arc<avtal::Registerpost>>, AppError> {
    Ok(avtal::med_beslut(&app.store)
        .await?
        .into_iter()
        .filter(|x| authorize(p, Action::LasAvtal(Some(x.avtal.omfang()))).is_ok())
        .collect())
}

/// The decisions recorded for an agreement `p` has read (`a` comes from [`las`]).
pub async fn beslut(app: &App, a: &Avtal) -> Result<Vec<Beslut>, AppError> {
    Ok(avtal::decisions(&app.store, &a.id).await?)
}

/// The parties of an agreement `p` has read with their status today (SPEC § 3.1).
pub async fn parter(app: &App, a: &Avtal) -> Result<Vec<Statusrad>, AppError> {
    Ok(avtal::board(&app.store, a).await?)
}

/// The status board from an agreement and its decisions (pure).
pub fn statustavla(a: &Avtal, beslut: &[Beslut]) -> Vec<Statusrad> {
    avtal::status_board(a, beslut)
}

/// The organisations an agreement may be registered for (those who may manage agreements).
pub async fn organisationer(app: &App, p: &Principal) -> Result<Vec<Organisation>, AppError> {
    authorize(p, Action::HanteraAvtal(None))?;
    Ok(boj_store::orgs::list(&app.store).await?)
}

/// An agreement's settings as entered; what is not given keeps the base value.
#[derive(Debug, Clone, Default)]
pub struct Installningar {
    /// Target groups (codes of `person_type`, not `annan`).
    pub malgrupper: Option<Vec<String>>,
    /// Groups that must live in a party municipality.
    pub bosattning_kravs_for: Option<Vec<String>>,
    /// Statistics items of the documentation scheme.
    pub poster: Option<Vec<String>>,
    pub cykel: Option<String>,
    pub frist_dagar: Option<u16>,
    pub troskel: Option<u8>,
    pub sma_kommuner: Option<Vec<String>>,
    pub sammanslagningar: Option<Vec<String>>,
    pub kontakt_dagar: Option<u16>,
    pub inaktiv_dagar: Option<u16>,
}

impl Installningar {
    pub fn parse(self, base: &Avtalsinstallningar) -> Result<Avtalsinstallningar, AppError> {
        let mut s = base.clone();
        if self.malgrupper.is_some() || self.bosattning_kravs_for.is_some() {
            s.malgruppsregel = Malgruppsregel::new(
                &self
                    .malgrupper
                    .unwrap_or(base.malgruppsregel.malgrupper.clone()),
                &self
                    .bosattning_kravs_for
                    .unwrap_or(base.malgruppsregel.bosattning_kravs_for.clone()),
            )?;
        }
        if let Some(i) = self.poster {
            s.dokumentationsposter = i;
        }
        if let Some(c) = self.cykel {
            s.rapportcykel = Cykel::parse(&c)?;
        }
        if let Some(v) = self.frist_dagar {
            s.rapportfrist_dagar = v;
        }
        if let Some(v) = self.troskel {
            s.troskel = v;
        }
        if let Some(v) = self.sma_kommuner {
            s.sma_kommuner = v;
        }
        if let Some(v) = self.sammanslagningar {
            s.sammanslagningar = v;
        }
        if let Some(v) = self.kontakt_dagar {
            s.kontaktuppgifter_raderas_dagar = v;
        }
        if let Some(v) = self.inaktiv_dagar {
            s.inaktiv_stangs_dagar = v;
        }
        Ok(s)
    }
}

/// A new agreement or a new version, as entered.
#[derive(Debug, Clone, Default)]
pub struct Forslag {
    /// The organisation that delivers the services (required when creating).
    pub organisation_id: Option<String>,
    pub titel: String,
    pub referens: String,
    pub fran: String,
    /// Empty or `None`: until further notice.
    pub till: Option<String>,
    pub uppsagning_manader: Option<u8>,
    pub tjanster: String,
    /// SCB codes of the parties.
    pub parter: Vec<String>,
    pub installningar: Option<Installningar>,
    /// For an amendment: what changed and why.
    pub andring: Option<String>,
}

impl Forslag {
    /// The draft it describes, its settings on top of `base`.
    fn utkast(self, base: &Avtalsinstallningar) -> Result<Utkast, AppError> {
        let fran = Datum::parse(&self.fran)?;
        let till = self
            .till
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(Datum::parse)
            .transpose()?;
        Ok(Utkast {
            title: self.titel,
            reference: self.referens,
            tid: Avtalstid::new(fran, till, self.uppsagning_manader)?,
            services: self.tjanster,
            settings: self.installningar.unwrap_or_default().parse(base)?,
            parter: regel::parter(&self.parter)?,
        })
    }
}

/// Registers an agreement for the strategist's county (SPEC § 3.1).
pub async fn skapa(app: &App, p: &Principal, f: Forslag) -> Result<Avtal, AppError> {
    let Scope::Lan(lan) = p.scope else {
        return Err(boj_domain::Denied {
            code: Code::ForbjudenAtgard,
            message: "Endast förbundsstrateger registrerar överenskommelser.",
        }
        .into());
    };
    let org = f.organisation_id.clone();
    // The fields first, then the organisation (the order the forms have always answered in).
    let u = f.utkast(&Avtalsinstallningar::default())?;
    let org = org
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| AppError::invalid("Välj organisation (organisation_id)."))?;
    app.tillat(
        p,
        Action::HanteraAvtal(Some(Avtalsomfang {
            organisation: &org,
            lan,
            parter: &u.parter,
        })),
        &org,
    )
    .await?;
    Ok(avtal::create(&app.store, Some(&p.user_id), &org, lan, false, &u).await?)
}

/// Amends an agreement: a new version; old versions stay readable. Its cases are judged again in
/// the background (`arenden::omprova_vantande`), from the outbox the amendment's transaction wrote.
pub async fn andra(app: &App, p: &Principal, id: &str, f: Forslag) -> Result<Avtal, AppError> {
    let a = hantera(app, p, id).await?;
    let note = f.andring.clone().unwrap_or_default();
    let u = f.utkast(&a.version.settings)?;
    // The amended parties too must lie in the strategist's county.
    app.tillat(
        p,
        Action::HanteraAvtal(Some(Avtalsomfang {
            parter: &u.parter,
            ..a.omfang()
        })),
        &a.id,
    )
    .await?;
    // Built on the version read: a version made meanwhile (a partner added) is never overwritten.
    let a = avtal::amend(
        &app.store,
        Some(&p.user_id),
        id,
        &u,
        &note,
        a.version.number,
    )
    .await
    .map_err(samtidigt)?;
    app.omprovning.notify_one();
    Ok(a)
}

/// A change of an agreement's list of collaboration partners.
#[derive(Debug, Clone)]
pub enum Partnerandring {
    LaggTill {
        namn: String,
        /// A code of `Partnertyp`.
        slag: String,
        orgnr: Option<String>,
    },
    TaBort(u16),
}

/// Changes the agreement's list of collaboration partners (issue 18) as a new version of the
/// agreement, with everything else as it was: the county strategist or a coordinator of the
/// organisation (`Action::HanteraSamverkan`). A new partner gets a number no version of the
/// agreement has used, so what referred to a removed partner keeps meaning it. The partner's
/// number and the new version.
pub async fn samverkanspartner(
    app: &App,
    p: &Principal,
    id: &str,
    andring: Partnerandring,
) -> Result<(u16, Avtal), AppError> {
    let a = avtal::get(&app.store, id).await?;
    app.tillat(p, Action::HanteraSamverkan(Some(a.omfang())), &a.id)
        .await?;
    let mut settings = a.version.settings.clone();
    let (nr, note) = match andring {
        Partnerandring::LaggTill { namn, slag, orgnr } => {
            let nr = avtal::hogsta_partner(&app.store, id)
                .await?
                .checked_add(1)
                .ok_or_else(|| {
                    AppError::invalid("Överenskommelsen har för många samverkansparter.")
                })?;
            let sp = regel::Samverkanspartner::ny(nr, &namn, &slag, orgnr.as_deref())?;
            if settings
                .samverkanspartner
                .iter()
                .any(|o| o.namn.to_lowercase() == sp.namn.to_lowercase())
            {
                return Err(AppError::new(
                    Kind::Conflict,
                    Code::Konflikt,
                    format!("{} finns redan bland samverkansparterna.", sp.namn),
                ));
            }
            let note = format!("Samverkanspart tillagd: {}.", sp.namn);
            settings.samverkanspartner.push(sp);
            (nr, note)
        }
        Partnerandring::TaBort(nr) => {
            let i = settings
                .samverkanspartner
                .iter()
                .position(|o| o.id == nr)
                .ok_or_else(AppError::not_found)?;
            let sp = settings.samverkanspartner.remove(i);
            (nr, format!("Samverkanspart borttagen: {}.", sp.namn))
        }
    };
    let u = Utkast {
        title: a.version.title.clone(),
        reference: a.version.reference.clone(),
        tid: a.version.tid,
        services: a.version.services.clone(),
        settings,
        parter: a.version.parter.clone(),
    };
    let ny = avtal::amend(
        &app.store,
        Some(&p.user_id),
        id,
        &u,
        &note,
        a.version.number,
    )
    .await
    .map_err(samtidigt)?;
    Ok((nr, ny))
}

/// An amendment refused because another version was made since it read (409).
fn samtidigt(e: boj_store::StoreError) -> AppError {
    match e {
        boj_store::StoreError::Conflict(_) => AppError::new(
            Kind::Conflict,
            Code::Konflikt,
            "Överenskommelsen ändrades samtidigt. Läs in sidan och försök igen.",
        ),
        other => other.into(),
    }
}

/// A coordinator of the organisation holding the data accepts the shorter retention times of
/// `version`, which then take effect (SPEC § 3.2). Until then retention runs by the times in force
/// before; the county strategist can propose, not erase. The coordinator names the version they
/// read, so an amendment made meanwhile is never accepted unseen (409).
pub async fn godkann_gallring(
    app: &App,
    p: &Principal,
    id: &str,
    version: i64,
) -> Result<Avtal, AppError> {
    let a = avtal::get(&app.store, id).await?;
    app.tillat(p, Action::GodkannaGallring(Some(a.omfang())), &a.id)
        .await?;
    match a.gallring_vantar {
        None => Err(AppError::new(
            Kind::Conflict,
            Code::Konflikt,
            "Ingen ändring av gallringen väntar på godkännande.",
        )),
        Some(v) if v != version => Err(AppError::new(
            Kind::Conflict,
            Code::Konflikt,
            format!(
                "Det är version {v} som nu väntar på godkännande, inte version {version}: läs överenskommelsen igen innan du godkänner."
            ),
        )),
        Some(v) => Ok(avtal::godkann_gallring(&app.store, Some(&p.user_id), id, v).await?),
    }
}

/// A decision as entered.
#[derive(Debug, Clone, Default)]
pub struct Beslutsforslag {
    /// `socsam`, `kommunfullmaktige`, `kommunstyrelse`, `socialnamnd` or `annan`.
    pub organ: String,
    pub kommun: Option<String>,
    pub beslutsdatum: Option<String>,
    pub galler_fran: Option<String>,
    pub paragraf: String,
    /// (number, text) of each item.
    pub punkter: Vec<(String, String)>,
    /// `bifall`, `avslag` or `aterremiss`.
    pub utfall: String,
    pub foredragande: String,
}

impl Beslutsforslag {
    fn parse(self) -> Result<NyttBeslut, AppError> {
        let opt = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(NyttBeslut {
            organ: Beslutsorgan::parse(&self.organ)?,
            kommun: opt(self.kommun).map(|s| Kommunkod::parse(&s)).transpose()?,
            beslutsdatum: opt(self.beslutsdatum)
                .map(|s| Datum::parse(&s))
                .transpose()?,
            galler_fran: opt(self.galler_fran)
                .map(|s| Datum::parse(&s))
                .transpose()?,
            paragraph: self.paragraf,
            utfall: Utfall::parse(&self.utfall)?,
            presenter: self.foredragande,
            items: self.punkter,
            sample: false,
        })
    }
}

/// Records a decision of a body; for a municipality, its latest decision governs its status. The
/// agreement's cases are judged again in the background (`arenden::omprova_vantande`), from the
/// outbox the decision's transaction wrote: the answer does not wait for them.
pub async fn nytt_beslut(
    app: &App,
    p: &Principal,
    id: &str,
    f: Beslutsforslag,
) -> Result<(Avtal, Beslut), AppError> {
    let a = hantera(app, p, id).await?;
    let b = avtal::add_decision(&app.store, Some(&p.user_id), &a, &f.parse()?).await?;
    app.omprovning.notify_one();
    Ok((a, b))
}

/// Records how a decision was signed.
pub async fn underskrift(
    app: &App,
    p: &Principal,
    decision_id: &str,
    metod: &str,
    referens: &str,
    undertecknare: &[String],
    datum: Option<&str>,
) -> Result<(Avtal, Underskrift), AppError> {
    let (a, _) = beslutet(app, p, decision_id, true).await?;
    let signed_at = datum
        .filter(|s| !s.trim().is_empty())
        .map(Datum::parse)
        .transpose()?;
    let s = avtal::add_signature(
        &app.store,
        Some(&p.user_id),
        decision_id,
        metod,
        referens,
        undertecknare,
        signed_at,
    )
    .await?;
    Ok((a, s))
}

/// An uploaded document.
pub struct Uppladdning {
    pub titel: String,
    pub filnamn: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Stores a decision's document after checking its type against its bytes
/// (`boj_domain::dokument::dokumenttyp`); stored with its SHA-256.
pub async fn nytt_dokument(
    app: &App,
    p: &Principal,
    decision_id: &str,
    u: Uppladdning,
) -> Result<(Avtal, DokumentMeta), AppError> {
    let (a, _) = beslutet(app, p, decision_id, true).await?;
    let ct = boj_domain::dokument::dokumenttyp(&u.filnamn, u.content_type.as_deref(), &u.bytes)?;
    let d = avtal::add_document(
        &app.store,
        Some(&p.user_id),
        decision_id,
        &u.titel,
        &u.filnamn,
        ct,
        u.bytes,
    )
    .await?;
    Ok((a, d))
}

/// A decision's document, its bytes checked against its SHA-256: a changed document is refused
/// (and the discovery audited), never served.
pub async fn dokument(
    app: &App,
    p: &Principal,
    id: &str,
) -> Result<(DokumentMeta, Vec<u8>), AppError> {
    match avtal::document(&app.store, id).await? {
        Hamtat::Ok {
            meta,
            agreement_id,
            bytes,
        } => {
            las(app, p, &agreement_id).await?;
            Ok((meta, bytes))
        }
        Hamtat::UtanFil { agreement_id, .. } => {
            las(app, p, &agreement_id).await?;
            Err(AppError::new(
                Kind::NotFound,
                Code::HittasInte,
                "Dokumentet är registrerat, men filen finns inte i boj.",
            ))
        }
        Hamtat::Andrat { agreement_id, .. } => {
            las(app, p, &agreement_id).await?;
            boj_store::audit::record(
                &app.store,
                Some(&p.user_id),
                "dokument.andrat_upptackt",
                Some(id),
            )
            .await?;
            Err(AppError::new(
                Kind::Conflict,
                Code::DokumentetArAndrat,
                "Dokumentets innehåll stämmer inte med den kontrollsumma (SHA-256) det sparades med. Det visas inte; kontakta administratören.",
            ))
        }
    }
}
