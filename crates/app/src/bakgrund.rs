//! Work the server does in the background while it serves: building the report register, judging
//! cases again after decisions and amendments, purging expired sessions, running retention and
//! signing the audit log's head.

use crate::{App, AppError};
use boj_store::sessions::Expiry;
use tokio::task::JoinHandle;

pub use boj_store::gallring::Utfall as Gallring;

/// The background tasks of one serving instance; they stop when this is dropped.
pub struct Bakgrund(Vec<JoinHandle<()>>);

impl Drop for Bakgrund {
    fn drop(&mut self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

/// Starts the background work of a serving instance.
pub fn starta(app: &App, expiry: Expiry) -> Bakgrund {
    // The report register is built as serving begins, so that the first preview or issue does not
    // pay for it (its start-up cost, BENCHMARKS.md).
    let warm = app.clone();
    let register = tokio::spawn(async move {
        let Ok(avtal) = boj_store::avtal::list(&warm.store).await else {
            return;
        };
        for a in avtal {
            if let Err(e) = warm.register.lager(&warm.store, &a.id).await {
                tracing::warn!(error = %e.message, "rapportregistret kunde inte byggas");
            }
        }
    });
    // Cases judged again after decisions and amendments, from the outbox their transactions
    // wrote: when told of one, and every minute for requests another instance left.
    let omprovning = app.clone();
    let omprovare = tokio::spawn(async move {
        loop {
            if let Err(e) = crate::arenden::omprova_vantande(&omprovning).await {
                tracing::warn!(error = %e.message, "ärendena kunde inte bedömas på nytt");
            }
            tokio::select! {
                _ = omprovning.omprovning.notified() => {
                    // A moment's grace: the decision's answer is on its way before this work
                    // takes a core, and decisions recorded together are judged once.
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            }
        }
    });
    let store = app.store.clone();
    let keys = app.keys.clone();
    let janitor = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        let mut retention_day = store.clock().today();
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            // The audit log's head signed every hour (SPEC § 6), and at every report issue; a
            // checkpoint with nothing new since the last is not written again.
            if ticks > 0
                && ticks.is_multiple_of(6)
                && let Err(e) = kontrollpunkt(&store, &keys).await
            {
                tracing::warn!(error = %e, "granskningsloggens kontrollpunkt kunde inte skrivas");
            }
            ticks += 1;
            if let Err(e) = boj_store::sessions::purge_expired(&store, expiry).await {
                tracing::warn!(error = %e, "kunde inte rensa utgångna sessioner");
            }
            if let Err(e) = boj_store::inloggning::rensa(&store).await {
                tracing::warn!(error = %e, "kunde inte rensa gamla inloggningsförsök");
            }
            // Retention once a day (it also ran before serving began).
            let today = store.clock().today();
            if today != retention_day {
                retention_day = today;
                match boj_store::gallring::run(&store).await {
                    Ok(u) => tracing::info!(stangda = u.stangda, gallrade = u.gallrade, "gallring"),
                    Err(e) => tracing::warn!(error = %e, "gallringen misslyckades"),
                }
            }
        }
    });
    Bakgrund(vec![register, omprovare, janitor])
}

/// The hourly checkpoint of the audit log, by one instance at a time (another holding the lock
/// is writing one).
async fn kontrollpunkt(
    store: &boj_store::Store,
    keys: &boj_store::nycklar::Nyckelring,
) -> Result<(), boj_store::StoreError> {
    let Some(las) = store.las(boj_store::LAS_KONTROLLPUNKT).await? else {
        return Ok(());
    };
    let r = boj_store::audit::kontrollpunkt(store, &*keys.granskningsnyckel()?).await;
    las.slapp().await;
    r.map(|_| ())
}

/// Runs retention now (SPEC § 3.2): closes inactive cases, erases contact details due.
pub async fn gallra(app: &App) -> Result<Gallring, AppError> {
    Ok(boj_store::gallring::run(&app.store).await?)
}
