//! Liveness checks in the background of `copmatch serve`: every
//! `liveness.interval_secs` the communities that are due are checked (one run
//! at a time per process; the admin API can start one too). Each check is
//! stored as soon as it is done, so stopping the service loses none that
//! finished.

use std::sync::Arc;
use std::time::Duration;

use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::progress::NoProgress;
use copmatch_core::{CoreError, ErrorCode};
use copmatch_liveness::{run, Checker, RunState, Selection};

/// What the liveness endpoints and the background job share.
#[derive(Clone)]
pub struct Checks {
    pub liveness: LivenessService,
    pub checker: Arc<Checker>,
    pub state: Arc<RunState>,
}

impl Checks {
    /// Starts a run in the background; refused while one is running.
    pub fn start(&self, selection: Selection) -> Result<(), CoreError> {
        if !self.state.begin() {
            return Err(CoreError::new(
                ErrorCode::LivenessRunInProgress,
                "a liveness run is already going; watch GET /v1/admin/liveness",
            ));
        }
        let checks = self.clone();
        tokio::spawn(async move { checks.run_claimed(&selection).await });
        Ok(())
    }

    async fn run_claimed(&self, selection: &Selection) {
        let outcome = run(
            &self.checker,
            &self.liveness,
            selection,
            &NoProgress,
            Some(&self.state),
        )
        .await;
        match outcome {
            Ok(report) if report.checked > 0 => tracing::info!(
                checked = report.checked,
                took_ms = report.took_ms,
                "liveness run finished"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(code = %e.code, "liveness run failed: {}", e.message),
        }
    }
}

/// Checks what is due now and then every `interval_secs`.
pub fn spawn(checks: Checks, interval_secs: u64) {
    let interval = Duration::from_secs(interval_secs.max(1));
    tracing::info!(interval_secs, "automatic liveness checks are on");
    tokio::spawn(async move {
        loop {
            if checks.state.begin() {
                checks.run_claimed(&Selection::Due).await;
            }
            tokio::time::sleep(interval).await;
        }
    });
}
