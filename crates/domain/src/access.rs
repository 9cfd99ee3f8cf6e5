//! Roles, scopes and the one authorisation decision (SPEC § 2, § 6).
//!
//! Every route in boj states the [`Action`] it performs; the web layer calls [`authorize`] for that
//! action before the handler runs, and handlers that touch a scoped resource call it again with the
//! resource as target. No other code decides who may do what.
//!
//! Least privilege per role (SPEC § 2):
//! - `stodperson` (volunteer) and `samordnare` (coordinator) belong to one organisation;
//! - `kommun` belongs to one municipality and sees only issued, compiled reports — never a case;
//! - `forbund` (county strategist) belongs to one county and manages its agreements — never a case;
//! - `admin` manages users, tokens and backups and is shown no case data anywhere.

use crate::error::{Code, DomainError};
use crate::kommun::{Kommunkod, Lanskod};
use std::fmt;

/// The five roles of SPEC § 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Stodperson,
    Samordnare,
    Kommun,
    Forbund,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Stodperson,
        Role::Samordnare,
        Role::Kommun,
        Role::Forbund,
        Role::Admin,
    ];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| {
                DomainError::new(
                    Code::OgiltigRoll,
                    "Okänd roll. Giltiga roller: stodperson, samordnare, kommun, forbund, admin.",
                )
            })
    }

    pub const fn code(self) -> &'static str {
        match self {
            Role::Stodperson => "stodperson",
            Role::Samordnare => "samordnare",
            Role::Kommun => "kommun",
            Role::Forbund => "forbund",
            Role::Admin => "admin",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Role::Stodperson => "Stödperson",
            Role::Samordnare => "Samordnare",
            Role::Kommun => "Kommunhandläggare",
            Role::Forbund => "Förbundsstrateg",
            Role::Admin => "Teknisk administratör",
        }
    }

    /// Roles that can see cases, or that administer the system, need a second factor (SPEC § 6).
    pub const fn needs_second_factor(self) -> bool {
        matches!(self, Role::Stodperson | Role::Samordnare | Role::Admin)
    }

    /// Roles that may sign in through their organisation's identity provider (OpenID Connect,
    /// SPEC § 6): the readers of issued reports and agreements, `kommun` and `forbund`. Every role
    /// that needs a second factor signs in with boj's own: an outside provider's word is not
    /// enough for case data or administration.
    pub const fn may_sign_in_externally(self) -> bool {
        !self.needs_second_factor()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What part of the world a user's role applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An organisation (its opaque id), for `stodperson` and `samordnare`.
    Organisation(String),
    /// One municipality, for `kommun`.
    Kommun(Kommunkod),
    /// One county, for `forbund`.
    Lan(Lanskod),
    /// The whole installation, for `admin`.
    System,
}

impl Scope {
    /// Builds the scope a role requires from what was given, refusing anything missing or extra.
    pub fn for_role(
        role: Role,
        organisation: Option<String>,
        kommun: Option<Kommunkod>,
        lan: Option<Lanskod>,
    ) -> Result<Self, DomainError> {
        let err = |m: &str| DomainError::new(Code::OgiltigBehorighetsomfattning, m);
        match (role, organisation, kommun, lan) {
            (Role::Stodperson | Role::Samordnare, Some(o), None, None) if !o.trim().is_empty() => {
                Ok(Scope::Organisation(o))
            }
            (Role::Stodperson | Role::Samordnare, ..) => Err(err(
                "Stödpersoner och samordnare ska höra till en organisation, och bara till den.",
            )),
            (Role::Kommun, None, Some(k), None) => Ok(Scope::Kommun(k)),
            (Role::Kommun, ..) => Err(err(
                "En kommunanvändare ska höra till en kommun, och bara till den.",
            )),
            (Role::Forbund, None, None, Some(l)) => Ok(Scope::Lan(l)),
            (Role::Forbund, ..) => Err(err(
                "En förbundsstrateg ska höra till ett län, och bara till det.",
            )),
            (Role::Admin, None, None, None) => Ok(Scope::System),
            (Role::Admin, ..) => Err(err(
                "En administratör hör inte till någon organisation, kommun eller län.",
            )),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Scope::Organisation(o) => format!("organisation {o}"),
            Scope::Kommun(k) => format!("{} ({k})", k.namn()),
            Scope::Lan(l) => l.namn().to_string(),
            Scope::System => "hela systemet".into(),
        }
    }
}

/// A signed-in user, as every authorisation decision sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// Approved by a coordinator of the organisation (SPEC § 2). An account an admin created for
    /// a support person or coordinator is not, until then: it may see its start page and its own
    /// account, nothing else. Every other account is.
    pub godkand: bool,
}

/// Everything a route or handler can ask permission for. Targets are `None` at the route gate ("some
/// such object") and given when the handler knows the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// See the start page, one's own account, sign out.
    SeStartsida,
    /// Read a user account: one's own, or any for `admin`.
    LasAnvandare(Option<&'a str>),
    /// Create, change and disable users (SPEC § 2: `admin`).
    HanteraAnvandare,
    /// Create and revoke API tokens (SPEC § 2: `admin`).
    HanteraTokens,
    /// Read an agreement, its parties, decisions and documents: the owning organisation's staff, the
    /// county's strategist, and the parties' officials (SPEC § 2).
    LasAvtal(Option<Avtalsomfang<'a>>),
    /// Create and amend agreements and record decisions, documents and signatures: the strategist of
    /// the agreement's county only (SPEC § 2, `forbund`).
    HanteraAvtal(Option<Avtalsomfang<'a>>),
    /// Keep an agreement's list of collaboration partners: the strategist of its county, and the
    /// coordinators of the organisation that works with the partners (issue 18).
    HanteraSamverkan(Option<Avtalsomfang<'a>>),
    /// Import population figures (SPEC § 2: `forbund` manages population data).
    HanteraBefolkning,
    /// Read a municipality's invoice basis: those who read the agreement, except that a municipal
    /// official sees only their own municipality's (SPEC § 3.4; the split itself is public).
    LasFakturaunderlag(Option<(Avtalsomfang<'a>, Kommunkod)>),
    /// Register a case (SPEC § 2: `stodperson`, `samordnare`).
    RegistreraArende,
    /// Read and work on a case, including its contact details: the assigned support person, or a
    /// coordinator of the organisation. Nobody else, ever (SPEC § 2).
    ArbetaMedArende(Option<Arendeomfang<'a>>),
    /// Approve an account a support person or coordinator activated, so that it may see cases: a
    /// coordinator of its organisation (SPEC § 2: no admin action yields an account that sees
    /// cases).
    GodkannaAnvandare(Option<&'a str>),
    /// Assign cases to support persons (SPEC § 2: `samordnare`).
    TilldelaArende(Option<Arendeomfang<'a>>),
    /// Record witness-support sessions and volunteer hours (SPEC § 2: `samordnare`).
    RegistreraVerksamhet,
    /// Read issued reports of an agreement: they are public documents, shown to those who read the
    /// agreement — its organisation, the county's strategist, the parties' officials (SPEC § 3.3).
    LasRapport(Option<Avtalsomfang<'a>>),
    /// Preview live numbers, issue reports and editions, see how many cases changed since issue: the
    /// agreement organisation's coordinators only (SPEC § 3.3; live numbers never leave it).
    UtfardaRapport(Option<Avtalsomfang<'a>>),
    /// Accept an amendment that shortens retention, so that it takes effect: a coordinator of the
    /// organisation that holds the data (SPEC § 3.2) — the county may propose, not erase.
    GodkannaGallring(Option<Avtalsomfang<'a>>),
    /// Read the audit log (SPEC § 6): `admin` the whole log, a coordinator what the organisation's
    /// own accounts did (the use case narrows it). It holds ids, never a help-seeker's data.
    LasGranskningslogg,
}

/// What a case's authorisation depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arendeomfang<'a> {
    pub organisation: &'a str,
    pub assignee: Option<&'a str>,
}

/// What an agreement's authorisation depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avtalsomfang<'a> {
    /// The organisation that delivers the services.
    pub organisation: &'a str,
    /// The county whose strategist manages the agreement.
    pub lan: Lanskod,
    /// The parties of the current version.
    pub parter: &'a [Kommunkod],
}

/// A refusal: [`Code::ForbjudenAtgard`] when the role may never do this,
/// [`Code::UtanforBehorighet`] when the role may, but not for this object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub code: Code,
    pub message: &'static str,
}

const FORBJUDEN: Denied = Denied {
    code: Code::ForbjudenAtgard,
    message: "Din roll har inte behörighet till det här.",
};

const UTANFOR: Denied = Denied {
    code: Code::UtanforBehorighet,
    message: "Det här ligger utanför din behörighet.",
};

const EJ_GODKAND: Denied = Denied {
    code: Code::EjGodkand,
    message: "Ditt konto väntar på att en samordnare i organisationen godkänner det.",
};

/// Who may hold a case of organisation `org`: an active support person or coordinator of that
/// organisation (SPEC § 2: a case is worked on by its assigned support person or the organisation's
/// coordinators, nobody else).
pub fn kan_halla_arende(role: Role, scope: &Scope, aktiv: bool, org: &str) -> bool {
    aktiv
        && matches!(role, Role::Stodperson | Role::Samordnare)
        && matches!(scope, Scope::Organisation(o) if o == org)
}

/// The one authorisation decision of boj: may `p` perform `action`?
pub fn authorize(p: &Principal, action: Action<'_>) -> Result<(), Denied> {
    if !p.godkand && !matches!(action, Action::SeStartsida | Action::LasAnvandare(_)) {
        return Err(EJ_GODKAND);
    }
    match action {
        Action::SeStartsida => Ok(()),
        Action::LasAnvandare(target) => match (p.role, target) {
            (Role::Admin, _) => Ok(()),
            (_, None) => Ok(()),
            (_, Some(id)) if id == p.user_id => Ok(()),
            (_, Some(_)) => Err(UTANFOR),
        },
        Action::HanteraAnvandare | Action::HanteraTokens => match p.role {
            Role::Admin => Ok(()),
            _ => Err(FORBJUDEN),
        },
        Action::LasGranskningslogg => match p.role {
            Role::Admin | Role::Samordnare => Ok(()),
            _ => Err(FORBJUDEN),
        },
        Action::LasAvtal(target) => match (&p.scope, target) {
            (Scope::System, _) => Err(FORBJUDEN),
            (_, None) => Ok(()),
            (Scope::Organisation(o), Some(a)) if o == a.organisation => Ok(()),
            (Scope::Lan(l), Some(a)) if *l == a.lan => Ok(()),
            (Scope::Kommun(k), Some(a)) if a.parter.contains(k) => Ok(()),
            _ => Err(UTANFOR),
        },
        Action::HanteraAvtal(target) => match (&p.scope, target) {
            (Scope::Lan(_), None) => Ok(()),
            // The county's own agreements, whose parties all lie in the county.
            (Scope::Lan(l), Some(a)) if *l == a.lan && a.parter.iter().all(|k| k.lan() == *l) => {
                Ok(())
            }
            (Scope::Lan(_), Some(_)) => Err(UTANFOR),
            _ => Err(FORBJUDEN),
        },
        Action::HanteraSamverkan(target) => match (p.role, &p.scope, target) {
            (Role::Forbund, ..) => authorize(p, Action::HanteraAvtal(target)),
            (Role::Samordnare, ..) => authorize(p, Action::UtfardaRapport(target)),
            _ => Err(FORBJUDEN),
        },
        Action::HanteraBefolkning => match p.role {
            Role::Forbund => Ok(()),
            _ => Err(FORBJUDEN),
        },
        Action::GodkannaAnvandare(org) => match (&p.scope, p.role, org) {
            (Scope::Organisation(_), Role::Samordnare, None) => Ok(()),
            (Scope::Organisation(o), Role::Samordnare, Some(t)) if o == t => Ok(()),
            (Scope::Organisation(_), Role::Samordnare, Some(_)) => Err(UTANFOR),
            _ => Err(FORBJUDEN),
        },
        Action::RegistreraArende => match p.role {
            Role::Stodperson | Role::Samordnare => Ok(()),
            _ => Err(FORBJUDEN),
        },
        Action::ArbetaMedArende(target) => match (p.role, &p.scope, target) {
            (Role::Stodperson | Role::Samordnare, _, None) => Ok(()),
            (Role::Samordnare, Scope::Organisation(o), Some(c)) if o == c.organisation => Ok(()),
            (Role::Stodperson, Scope::Organisation(o), Some(c))
                if o == c.organisation && c.assignee == Some(p.user_id.as_str()) =>
            {
                Ok(())
            }
            (Role::Stodperson | Role::Samordnare, _, Some(_)) => Err(UTANFOR),
            _ => Err(FORBJUDEN),
        },
        Action::TilldelaArende(target) => match (p.role, &p.scope, target) {
            (Role::Samordnare, _, None) => Ok(()),
            (Role::Samordnare, Scope::Organisation(o), Some(c)) if o == c.organisation => Ok(()),
            (Role::Samordnare, _, Some(_)) => Err(UTANFOR),
            _ => Err(FORBJUDEN),
        },
        Action::RegistreraVerksamhet => match p.role {
            Role::Samordnare => Ok(()),
            _ => Err(FORBJUDEN),
        },
        Action::LasRapport(target) => authorize(p, Action::LasAvtal(target)),
        Action::GodkannaGallring(target) => authorize(p, Action::UtfardaRapport(target)),
        Action::UtfardaRapport(target) => match (p.role, &p.scope, target) {
            (Role::Samordnare, _, None) => Ok(()),
            (Role::Samordnare, Scope::Organisation(o), Some(a)) if o == a.organisation => Ok(()),
            (Role::Samordnare, _, Some(_)) => Err(UTANFOR),
            _ => Err(FORBJUDEN),
        },
        Action::LasFakturaunderlag(target) => {
            authorize(p, Action::LasAvtal(target.map(|(a, _)| a)))?;
            match (&p.scope, target) {
                (Scope::Kommun(own), Some((_, k))) if *own != k => Err(UTANFOR),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role) -> Principal {
        let scope = match role {
            Role::Stodperson | Role::Samordnare => Scope::Organisation("o_1".into()),
            Role::Kommun => Scope::Kommun(Kommunkod::parse("2303").unwrap()),
            Role::Forbund => Scope::Lan(Lanskod::parse("23").unwrap()),
            Role::Admin => Scope::System,
        };
        Principal {
            user_id: format!("u_{role}"),
            name: role.to_string(),
            role,
            scope,
            godkand: true,
        }
    }

    #[test]
    fn only_admin_manages_users_and_tokens() {
        for role in Role::ALL {
            let allowed = role == Role::Admin;
            assert_eq!(
                authorize(&p(role), Action::HanteraAnvandare).is_ok(),
                allowed,
                "{role}"
            );
            assert_eq!(
                authorize(&p(role), Action::HanteraTokens).is_ok(),
                allowed,
                "{role}"
            );
        }
    }

    #[test]
    fn users_read_themselves_only() {
        for role in Role::ALL {
            let me = p(role);
            assert!(authorize(&me, Action::LasAnvandare(Some(&me.user_id))).is_ok());
            let other = authorize(&me, Action::LasAnvandare(Some("u_annan")));
            assert_eq!(other.is_ok(), role == Role::Admin, "{role}");
            if let Err(d) = other {
                assert_eq!(d.code, Code::UtanforBehorighet);
            }
        }
    }

    #[test]
    fn issued_reports_are_read_like_the_agreement_and_issued_by_its_coordinators_only() {
        let parter = [Kommunkod::parse("2303").unwrap()];
        let a = Avtalsomfang {
            organisation: "o_1",
            lan: Lanskod::parse("23").unwrap(),
            parter: &parter,
        };
        for role in Role::ALL {
            let read = authorize(&p(role), Action::LasRapport(Some(a)));
            assert_eq!(read.is_ok(), role != Role::Admin, "{role}");
            let issue = authorize(&p(role), Action::UtfardaRapport(Some(a)));
            assert_eq!(issue.is_ok(), role == Role::Samordnare, "{role}");
        }
        let other = Avtalsomfang {
            organisation: "o_2",
            ..a
        };
        assert!(authorize(&p(Role::Samordnare), Action::UtfardaRapport(Some(other))).is_err());
        // A municipality that is not a party reads nothing.
        let utan = Avtalsomfang { parter: &[], ..a };
        assert!(authorize(&p(Role::Kommun), Action::LasRapport(Some(utan))).is_err());
    }

    #[test]
    fn partners_are_kept_by_the_county_strategist_and_the_organisations_coordinators() {
        let parter = [Kommunkod::parse("2303").unwrap()];
        let a = Avtalsomfang {
            organisation: "o_1",
            lan: Lanskod::parse("23").unwrap(),
            parter: &parter,
        };
        for role in Role::ALL {
            let ok = authorize(&p(role), Action::HanteraSamverkan(Some(a))).is_ok();
            assert_eq!(
                ok,
                matches!(role, Role::Forbund | Role::Samordnare),
                "{role}"
            );
        }
        // Another county and another organisation: neither keeps its list.
        let other = Avtalsomfang {
            organisation: "o_2",
            lan: Lanskod::parse("22").unwrap(),
            parter: &[],
        };
        for role in Role::ALL {
            assert!(authorize(&p(role), Action::HanteraSamverkan(Some(other))).is_err());
        }
    }

    #[test]
    fn agreements_are_read_within_scope_and_managed_by_the_county_only() {
        let parter = [
            Kommunkod::parse("2303").unwrap(),
            Kommunkod::parse("2380").unwrap(),
        ];
        let a = Avtalsomfang {
            organisation: "o_1",
            lan: Lanskod::parse("23").unwrap(),
            parter: &parter,
        };
        for role in Role::ALL {
            let read = authorize(&p(role), Action::LasAvtal(Some(a)));
            assert_eq!(read.is_ok(), role != Role::Admin, "{role}");
            let write = authorize(&p(role), Action::HanteraAvtal(Some(a)));
            assert_eq!(write.is_ok(), role == Role::Forbund, "{role}");
        }
        // Another county, another organisation, a municipality that is not a party.
        let other = Avtalsomfang {
            organisation: "o_2",
            lan: Lanskod::parse("22").unwrap(),
            parter: &parter[1..],
        };
        for role in [
            Role::Stodperson,
            Role::Samordnare,
            Role::Kommun,
            Role::Forbund,
        ] {
            assert_eq!(
                authorize(&p(role), Action::LasAvtal(Some(other)))
                    .unwrap_err()
                    .code,
                Code::UtanforBehorighet
            );
        }
        assert_eq!(
            authorize(&p(Role::Forbund), Action::HanteraAvtal(Some(other)))
                .unwrap_err()
                .code,
            Code::UtanforBehorighet
        );
        // The strategist's county, but a party in another county: not the strategist's to manage.
        let skane = [Kommunkod::parse("1280").unwrap()];
        let blandat = Avtalsomfang {
            parter: &skane,
            ..a
        };
        assert_eq!(
            authorize(&p(Role::Forbund), Action::HanteraAvtal(Some(blandat)))
                .unwrap_err()
                .code,
            Code::UtanforBehorighet
        );
    }

    #[test]
    fn a_municipality_reads_only_its_own_invoice_basis() {
        let parter = [
            Kommunkod::parse("2303").unwrap(),
            Kommunkod::parse("2380").unwrap(),
        ];
        let a = Avtalsomfang {
            organisation: "o_1",
            lan: Lanskod::parse("23").unwrap(),
            parter: &parter,
        };
        let kommun = p(Role::Kommun);
        assert!(authorize(&kommun, Action::LasFakturaunderlag(Some((a, parter[0])))).is_ok());
        assert_eq!(
            authorize(&kommun, Action::LasFakturaunderlag(Some((a, parter[1]))))
                .unwrap_err()
                .code,
            Code::UtanforBehorighet
        );
        assert!(
            authorize(
                &p(Role::Forbund),
                Action::LasFakturaunderlag(Some((a, parter[1])))
            )
            .is_ok()
        );
        assert!(
            authorize(
                &p(Role::Admin),
                Action::LasFakturaunderlag(Some((a, parter[1])))
            )
            .is_err()
        );
        assert!(authorize(&p(Role::Forbund), Action::HanteraBefolkning).is_ok());
        assert!(authorize(&p(Role::Kommun), Action::HanteraBefolkning).is_err());
    }

    #[test]
    fn an_account_not_yet_approved_sees_only_its_start_page_and_itself() {
        let ny = Principal {
            godkand: false,
            ..p(Role::Samordnare)
        };
        assert!(authorize(&ny, Action::SeStartsida).is_ok());
        assert!(authorize(&ny, Action::LasAnvandare(Some("u_samordnare"))).is_ok());
        for a in [
            Action::RegistreraArende,
            Action::ArbetaMedArende(None),
            Action::RegistreraVerksamhet,
            Action::GodkannaAnvandare(Some("o_1")),
            Action::LasAvtal(None),
        ] {
            assert_eq!(
                authorize(&ny, a).unwrap_err().code,
                Code::EjGodkand,
                "{a:?}"
            );
        }
        // Only a coordinator of the same organisation approves.
        let sam = p(Role::Samordnare);
        assert!(authorize(&sam, Action::GodkannaAnvandare(Some("o_1"))).is_ok());
        assert_eq!(
            authorize(&sam, Action::GodkannaAnvandare(Some("o_2")))
                .unwrap_err()
                .code,
            Code::UtanforBehorighet
        );
        for role in [Role::Stodperson, Role::Kommun, Role::Forbund, Role::Admin] {
            assert!(authorize(&p(role), Action::GodkannaAnvandare(Some("o_1"))).is_err());
        }
    }

    #[test]
    fn cases_are_for_their_support_person_and_the_coordinators_only() {
        let sp = p(Role::Stodperson);
        let mine = Arendeomfang {
            organisation: "o_1",
            assignee: Some(&sp.user_id),
        };
        let theirs = Arendeomfang {
            organisation: "o_1",
            assignee: Some("u_annan"),
        };
        let other_org = Arendeomfang {
            organisation: "o_2",
            assignee: None,
        };
        assert!(authorize(&sp, Action::ArbetaMedArende(Some(mine))).is_ok());
        assert_eq!(
            authorize(&sp, Action::ArbetaMedArende(Some(theirs)))
                .unwrap_err()
                .code,
            Code::UtanforBehorighet
        );
        let sam = p(Role::Samordnare);
        assert!(authorize(&sam, Action::ArbetaMedArende(Some(theirs))).is_ok());
        assert!(authorize(&sam, Action::ArbetaMedArende(Some(other_org))).is_err());
        for role in [Role::Kommun, Role::Forbund, Role::Admin] {
            assert_eq!(
                authorize(&p(role), Action::ArbetaMedArende(Some(mine)))
                    .unwrap_err()
                    .code,
                Code::ForbjudenAtgard
            );
            assert!(authorize(&p(role), Action::RegistreraArende).is_err());
        }
        assert!(authorize(&sp, Action::TilldelaArende(Some(mine))).is_err());
        assert!(authorize(&sam, Action::TilldelaArende(Some(mine))).is_ok());
    }

    #[test]
    fn scope_must_fit_the_role() {
        let k = Kommunkod::parse("2303").ok();
        let l = Lanskod::parse("23").ok();
        assert!(Scope::for_role(Role::Kommun, None, k, None).is_ok());
        assert!(Scope::for_role(Role::Kommun, None, None, None).is_err());
        assert!(Scope::for_role(Role::Kommun, Some("o".into()), k, None).is_err());
        assert!(Scope::for_role(Role::Forbund, None, None, l).is_ok());
        assert!(Scope::for_role(Role::Stodperson, Some("o_1".into()), None, None).is_ok());
        assert!(Scope::for_role(Role::Stodperson, None, None, None).is_err());
        assert!(Scope::for_role(Role::Admin, None, None, None).is_ok());
        assert!(Scope::for_role(Role::Admin, None, k, None).is_err());
    }
}

/// A user name: 2–100 characters of `a-z`, `0-9`, `.`, `_`, `-` and `@` (e.g. `kommun-2303`, or an
/// official's e-mail address, which is what an identity provider vouches for).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Anvandarnamn(String);

impl Anvandarnamn {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let ok = (2..=100).contains(&t.len())
            && t.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'.' | b'_' | b'-' | b'@')
            });
        if ok {
            Ok(Self(t.to_string()))
        } else {
            Err(DomainError::new(
                Code::OgiltigtNamn,
                "Användarnamnet ska ha 2–100 tecken: små bokstäver a–z, siffror, punkt, understreck, bindestreck eller @.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Anvandarnamn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: at least 10 characters (NIST SP 800-63B: length over composition rules).
/// Only checked when a password is set, never logged, and dropped once hashed.
pub struct NyttLosenord(String);

impl NyttLosenord {
    pub const MIN_LEN: usize = 10;

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim_end_matches(['\r', '\n']);
        if s.chars().count() < Self::MIN_LEN || s.len() > 1024 {
            return Err(DomainError::new(
                Code::SvagtLosenord,
                format!("Lösenordet ska ha minst {} tecken.", Self::MIN_LEN),
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NyttLosenord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NyttLosenord(…)")
    }
}
