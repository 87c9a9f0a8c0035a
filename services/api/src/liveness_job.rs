//! Liveness checks in the background of `copmatch serve`: every
//! `liveness.interval_secs` the communities that are due are checked (one run
//! at a time per process; the admin API can start one too). Each check is
//! stored as soon as it is done, so stopping the service loses none that
//! finished. Dead-link reports ask for prompt checks ([`PromptChecks`]).

use std::sync::Arc;
use std::time::Duration;

use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::ports::Rechecks;
use copmatch_core::progress::NoProgress;
use copmatch_core::{CommunityId, CoreError, ErrorCode};
use copmatch_liveness::{run, Checker, RunState, Selection};
use tokio::sync::mpsc;

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

/// Prompt checks asked for by dead-link reports: a bounded queue in front of
/// one task that checks each community with the shared checker (so its
/// politeness and guard apply) and records the check like any other.
pub struct PromptChecks {
    queue: mpsc::Sender<CommunityId>,
}

/// Prompt checks waiting at most; past it a request is refused (the regular
/// schedule still checks the community).
const PROMPT_QUEUE: usize = 256;

impl PromptChecks {
    pub fn spawn(checks: Checks) -> Self {
        let (queue, mut requests) = mpsc::channel::<CommunityId>(PROMPT_QUEUE);
        tokio::spawn(async move {
            while let Some(id) = requests.recv().await {
                checks.check_one(&id).await;
            }
        });
        Self { queue }
    }
}

impl Rechecks for PromptChecks {
    fn request(&self, id: &CommunityId) -> bool {
        self.queue.try_send(id.clone()).is_ok()
    }
}

impl Checks {
    /// Checks one community now and records the check.
    pub async fn check_one(&self, id: &CommunityId) {
        let community = match self.liveness.named(std::slice::from_ref(id)).await {
            Ok(mut found) if !found.is_empty() => found.remove(0),
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(community = %id, code = %e.code, "prompt check skipped: {}", e.message);
                return;
            }
        };
        let check = self.checker.check(&community).await;
        let outcome = check.outcome;
        match self.liveness.record(check).await {
            Ok(after) => tracing::info!(
                community = %id,
                outcome = outcome.as_str(),
                status = after.status.as_str(),
                "prompt check after a report"
            ),
            Err(e) => {
                tracing::warn!(community = %id, code = %e.code, "prompt check not recorded: {}", e.message)
            }
        }
    }
}
