//! Throttling sign-in (SPEC § 6): how long an account, or a client address, must wait after failed
//! sign-ins. Two counters are kept for every attempt — one per account and one per client address —
//! and the longer of their waits applies.
//!
//! - **Per account**: the first [`KONTO_FRITT`] failures cost nothing; each failure after them
//!   doubles the wait, from one second up to [`LANGST`] (a temporary lockout that lifts by itself).
//!   A guesser gets a few hundred tries a day instead of thousands a minute.
//! - **Per address**: the same, from [`ADRESS_FRITT`] failures, so that one client cannot spray
//!   guesses across many accounts, while a colleague behind the same address whose own account is
//!   not under attack can still sign in until the address itself is flooded.
//! - An attempt refused because of a wait is not a failure: flooding a locked account does not
//!   lengthen its lock or reach the address limit of the people beside it.
//! - Failures older than [`GLOMS`] are forgotten; a successful sign-in clears the account's.

/// Failures an account may have before it must wait.
pub const KONTO_FRITT: u32 = 5;
/// Failures one client address may have before it must wait.
pub const ADRESS_FRITT: u32 = 50;
/// The longest wait, in seconds (15 minutes).
pub const LANGST: i64 = 15 * 60;
/// Seconds after the last failure when a counter starts again from zero (one hour).
pub const GLOMS: i64 = 60 * 60;

/// What is stored for one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Raknare {
    pub misslyckade: u32,
    /// Unix seconds of the last failure.
    pub senast: i64,
}

impl Raknare {
    /// The counter as of `nu`: forgotten if its last failure is older than [`GLOMS`].
    pub fn nu(self, nu: i64) -> Raknare {
        if nu - self.senast > GLOMS {
            Raknare::default()
        } else {
            self
        }
    }

    /// The counter after one more failure at `nu`.
    pub fn misslyckad(self, nu: i64) -> Raknare {
        Raknare {
            misslyckade: self.nu(nu).misslyckade.saturating_add(1),
            senast: nu,
        }
    }

    /// Seconds left to wait at `nu`, given how many failures are free.
    pub fn vanta(self, fritt: u32, nu: i64) -> i64 {
        let r = self.nu(nu);
        if r.misslyckade < fritt {
            return 0;
        }
        let steg = (r.misslyckade - fritt).min(20);
        let vantan = (1i64 << steg).min(LANGST);
        (r.senast + vantan - nu).max(0)
    }
}

/// Seconds to wait before the next attempt, from the account's and the address's counters.
pub fn vanta(konto: Raknare, adress: Raknare, nu: i64) -> i64 {
    konto
        .vanta(KONTO_FRITT, nu)
        .max(adress.vanta(ADRESS_FRITT, nu))
}

/// The part of a client address its counter is kept for: an IPv4 address whole, an IPv6 address
/// by its /64 network (one subscriber usually holds a whole /64 and could otherwise step through
/// it); anything that is not an address as given.
pub fn adressdel(adress: &str) -> String {
    match adress.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v4) => v4.to_string(),
        Err(_) => adress.to_string(),
    }
}

/// The Swedish message of a refused attempt that must wait `sekunder`.
pub fn meddelande(sekunder: i64) -> String {
    let tid = if sekunder < 60 {
        format!("{sekunder} sekunder")
    } else {
        let min = (sekunder + 59) / 60;
        if min == 1 {
            "en minut".to_string()
        } else {
            format!("{min} minuter")
        }
    };
    format!(
        "För många misslyckade inloggningar. Vänta {tid} och försök igen. Har du glömt lösenordet, kontakta din samordnare eller administratören."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn efter(n: u32, t: i64) -> Raknare {
        (0..n).fold(Raknare::default(), |r, _| r.misslyckad(t))
    }

    #[test]
    fn the_first_failures_are_free_and_then_the_wait_doubles_up_to_the_cap() {
        let t = 1_000_000;
        assert_eq!(efter(KONTO_FRITT - 1, t).vanta(KONTO_FRITT, t), 0);
        assert_eq!(efter(KONTO_FRITT, t).vanta(KONTO_FRITT, t), 1);
        assert_eq!(efter(KONTO_FRITT + 1, t).vanta(KONTO_FRITT, t), 2);
        assert_eq!(efter(KONTO_FRITT + 3, t).vanta(KONTO_FRITT, t), 8);
        assert_eq!(efter(KONTO_FRITT + 40, t).vanta(KONTO_FRITT, t), LANGST);
    }

    #[test]
    fn a_lockout_lifts_by_itself_and_old_failures_are_forgotten() {
        let t = 1_000_000;
        let r = efter(KONTO_FRITT + 40, t);
        assert_eq!(r.vanta(KONTO_FRITT, t + LANGST), 0);
        assert_eq!(r.nu(t + GLOMS + 1), Raknare::default());
        assert_eq!(r.misslyckad(t + GLOMS + 1).misslyckade, 1);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        assert_eq!(adressdel("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            adressdel("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            adressdel("2001:db8:1:2::9")
        );
        assert_ne!(adressdel("2001:db8:1:3::1"), adressdel("2001:db8:1:2::1"));
        assert_eq!(adressdel("192.0.2.7"), "192.0.2.7");
        assert_eq!(adressdel("okänd"), "okänd");
    }

    #[test]
    fn messages_are_swedish_and_round_up() {
        assert!(meddelande(30).contains("30 sekunder"));
        assert!(meddelande(60).contains("en minut"));
        assert!(meddelande(61).contains("2 minuter"));
    }

    proptest! {
        /// More failures never mean a shorter wait, and the wait never exceeds the cap.
        #[test]
        fn the_wait_grows_with_failures_and_is_capped(n in 0u32..200, t in 0i64..10_000_000) {
            let a = efter(n, t).vanta(KONTO_FRITT, t);
            let b = efter(n + 1, t).vanta(KONTO_FRITT, t);
            prop_assert!(a <= b);
            prop_assert!(b <= LANGST);
            let c = vanta(efter(n, t), Raknare::default(), t);
            prop_assert_eq!(c, a);
        }
    }
}
