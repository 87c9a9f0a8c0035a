//! Re-indexing as a background job the admin API starts and watches.
//!
//! One job at a time per process; its progress (communities copied of the
//! total) and outcome are kept for `GET /v1/admin/index`. The work itself is
//! [`copmatch_core::reindex::reindex`]: requests keep being served from the
//! active version until the atomic switch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use copmatch_core::reindex::{reindex_to, ReindexReport};
use copmatch_core::served_model::{ModelSlot, ServedModel};
use copmatch_core::{ActiveIndex, CoreError, Embedder, ErrorCode, IndexVersion, JobProgress};
use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Idle,
    Running,
    Succeeded,
    Failed,
}

/// The state of the current or last re-index.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReindexStatus {
    pub state: JobState,
    /// Communities copied so far, of `total`.
    pub done: usize,
    pub total: usize,
    /// Why the last job failed.
    pub error: Option<String>,
    /// The last job that finished.
    pub last: Option<ReindexReport>,
}

/// `GET /v1/admin/index`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndexStatus {
    pub active: IndexVersion,
    /// Every version the store holds, oldest first.
    pub versions: Vec<IndexVersion>,
    pub reindex: ReindexStatus,
}

#[derive(Default)]
struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl JobProgress for Progress {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        metrics::gauge!("copmatch_reindex_total").set(total as f64);
        metrics::gauge!("copmatch_reindex_done").set(0.0);
    }
    fn advance(&self, n: usize) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        metrics::gauge!("copmatch_reindex_done").set(done as f64);
    }
    fn finish(&self) {}
}

struct Outcome {
    state: JobState,
    error: Option<String>,
    last: Option<ReindexReport>,
}

#[derive(Clone)]
pub struct Reindexer {
    index: Arc<ActiveIndex>,
    embedder: Arc<dyn Embedder>,
    model: ModelSlot,
    progress: Arc<Progress>,
    outcome: Arc<Mutex<Outcome>>,
}

impl Reindexer {
    pub fn new(index: Arc<ActiveIndex>, embedder: Arc<dyn Embedder>, model: ModelSlot) -> Self {
        Self {
            index,
            embedder,
            model,
            progress: Arc::new(Progress::default()),
            outcome: Arc::new(Mutex::new(Outcome {
                state: JobState::Idle,
                error: None,
                last: None,
            })),
        }
    }

    /// Starts a re-index in the background, keeping the served model;
    /// `reindex_in_progress` if one runs.
    pub fn start(&self) -> Result<ReindexStatus, CoreError> {
        self.start_with(self.model.get())
    }

    /// Starts a re-index into a version served by `model` and switches the
    /// served model with the index (model activation and rollback).
    pub fn start_with(&self, model: ServedModel) -> Result<ReindexStatus, CoreError> {
        {
            let mut outcome = self.outcome.lock();
            if outcome.state == JobState::Running {
                return Err(CoreError::new(
                    ErrorCode::ReindexInProgress,
                    "a re-index is already running",
                ));
            }
            outcome.state = JobState::Running;
            outcome.error = None;
        }
        self.progress.start(0);
        let job = self.clone();
        tokio::spawn(async move {
            let result = reindex_to(
                &job.index,
                job.embedder.clone(),
                model.adapter_version(),
                job.progress.as_ref(),
            )
            .await;
            if result.is_ok() {
                job.model.set(model);
            }
            let mut outcome = job.outcome.lock();
            match result {
                Ok(report) => {
                    outcome.state = JobState::Succeeded;
                    outcome.last = Some(report);
                }
                Err(e) => {
                    tracing::error!(error = %e, "re-index failed; the active index is unchanged");
                    outcome.state = JobState::Failed;
                    outcome.error = Some(e.to_string());
                }
            }
        });
        Ok(self.reindex_status())
    }

    pub fn reindex_status(&self) -> ReindexStatus {
        let outcome = self.outcome.lock();
        ReindexStatus {
            state: outcome.state,
            done: self.progress.done.load(Ordering::Relaxed),
            total: self.progress.total.load(Ordering::Relaxed),
            error: outcome.error.clone(),
            last: outcome.last.clone(),
        }
    }

    pub async fn status(&self) -> Result<IndexStatus, CoreError> {
        Ok(IndexStatus {
            active: self.index.active_version(),
            versions: self.index.catalog().versions().await?,
            reindex: self.reindex_status(),
        })
    }
}
