//! The clock every timestamp in boj comes from. Tests and the demo set it; production reads the system.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

pub type SharedClock = Arc<dyn Clock>;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;

    /// Today's date in Sweden (Europe/Stockholm), which is what dates in boj mean.
    fn today(&self) -> jiff::civil::Date {
        let tz = boj_domain::datum::stockholm();
        self.now().to_zoned_datetime(tz).date()
    }

    /// The time the world outside boj keeps, for what must agree with it: a TOTP code from a
    /// person's authenticator app. The same as [`Clock::now`] except where boj's own time is
    /// shifted (the demo's `--today`).
    fn vaggtid(&self) -> Timestamp {
        self.now()
    }
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock shifted by a fixed offset: the demo's `--today` pins the date while time still
/// passes (so sessions still expire).
pub struct OffsetClock(pub SignedDuration);

impl OffsetClock {
    /// A clock whose today is `date` in Sweden, keeping the current time of day.
    pub fn with_today(date: jiff::civil::Date) -> Self {
        let real = SystemClock.today();
        let days = real.until(date).map(|s| s.get_days()).unwrap_or(0);
        OffsetClock(SignedDuration::from_hours(24 * i64::from(days)))
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.0)
            .unwrap_or(Timestamp::MAX)
    }

    fn vaggtid(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that only moves when told to, for tests.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: SignedDuration) {
        if let Ok(mut t) = self.0.lock() {
            *t = t.checked_add(by).unwrap_or(*t);
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The day in Sweden of a Unix timestamp (seconds); defined with the domain's dates.
pub use boj_domain::datum::svensk_dag;
