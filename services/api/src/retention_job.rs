//! The expiry of idle anonymous users in the background of `copmatch serve`
//! (see `copmatch_core::retention`): a sweep at start-up and then every
//! `Retention::sweep_every` (an eighth of `feedback.anonymous_ttl_days`, at
//! most hourly). Each sweep deletes whole users with their events, so
//! stopping the service between sweeps loses nothing; the next one catches up.
//! Replicas on one Qdrant server may sweep at once: deleting a user twice is
//! harmless.

use copmatch_core::retention::Retention;

/// Starts the sweeps; nothing when anonymous users never expire.
pub fn spawn(retention: Retention) {
    let Some(every) = retention.sweep_every() else {
        tracing::info!("anonymous users never expire (feedback.anonymous_ttl_days = 0)");
        return;
    };
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            sweep(&retention).await;
        }
    });
}

/// One sweep, logged and counted.
pub async fn sweep(retention: &Retention) -> usize {
    match retention.expire_idle().await {
        Ok(0) => 0,
        Ok(deleted) => {
            metrics::counter!("copmatch_users_expired_total").increment(deleted as u64);
            tracing::info!(deleted, "idle anonymous users deleted with their events");
            deleted
        }
        Err(e) => {
            tracing::warn!(error = %e, "sweeping idle anonymous users failed; the next sweep retries");
            0
        }
    }
}
