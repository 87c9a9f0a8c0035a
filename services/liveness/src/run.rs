//! A run: which communities to check, checked with a global concurrency,
//! each recorded as soon as it is done, with progress and a summary table
//! (platform × outcome).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::progress::JobProgress;
use copmatch_core::{CommunityId, CoreError, ErrorCode};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use utoipa::ToSchema;

use crate::checker::Checker;

/// Which communities a run checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    All,
    Due,
    Ids(Vec<CommunityId>),
}

/// What became of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recorded {
    Stored,
    /// The community was deleted meanwhile (an admin, a moderator): not a fault.
    Deleted,
    /// The store failed; logged.
    Failed,
}

impl Recorded {
    fn of<T>(result: &Result<T, CoreError>, community: &str) -> Self {
        match result {
            Ok(_) => Recorded::Stored,
            Err(e) if e.code == ErrorCode::CommunityNotFound => {
                tracing::info!(
                    community,
                    "deleted while it was being checked; nothing to record"
                );
                Recorded::Deleted
            }
            Err(e) => {
                tracing::error!(community, error = %e, "a liveness check could not be stored");
                Recorded::Failed
            }
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RunReport {
    pub checked: usize,
    /// Checks that could not be stored (the store failed); they are logged.
    pub not_recorded: usize,
    /// Communities deleted while they were being checked: nothing to record.
    pub deleted_during_run: usize,
    /// platform → outcome → checks.
    pub table: BTreeMap<String, BTreeMap<String, usize>>,
    pub took_ms: u64,
}

impl RunReport {
    /// The table as text: one row a platform, one column an outcome.
    pub fn render(&self) -> String {
        let outcomes = ["ok", "moved", "unverifiable", "transient", "dead"];
        let mut out = format!("{:<14}", "platform");
        for o in outcomes {
            out.push_str(&format!("{o:>13}"));
        }
        out.push('\n');
        for (platform, row) in &self.table {
            out.push_str(&format!("{platform:<14}"));
            for o in outcomes {
                out.push_str(&format!("{:>13}", row.get(o).copied().unwrap_or(0)));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{} checks in {:.1} s{}",
            self.checked,
            self.took_ms as f64 / 1000.0,
            if self.not_recorded > 0 {
                format!("; {} could not be stored", self.not_recorded)
            } else {
                String::new()
            }
        ));
        if self.deleted_during_run > 0 {
            out.push_str(&format!(
                "; {} deleted during the run",
                self.deleted_during_run
            ));
        }
        out
    }
}

/// A run's progress, for `GET /v1/admin/liveness`.
#[derive(Default)]
pub struct RunState {
    running: AtomicBool,
    total: AtomicUsize,
    done: AtomicUsize,
    last: Mutex<Option<RunReport>>,
}

/// [`RunState`] as the admin endpoint shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunStatus {
    pub running: bool,
    pub total: usize,
    pub done: usize,
    pub last_run: Option<RunReport>,
}

impl RunState {
    pub fn status(&self) -> RunStatus {
        RunStatus {
            running: self.running.load(Ordering::SeqCst),
            total: self.total.load(Ordering::SeqCst),
            done: self.done.load(Ordering::SeqCst),
            last_run: self.last.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }

    /// Claims the run; `false` when one is already going.
    pub fn begin(&self) -> bool {
        !self.running.swap(true, Ordering::SeqCst)
    }
}

impl JobProgress for RunState {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
        self.done.store(0, Ordering::SeqCst);
    }

    fn advance(&self, n: usize) {
        self.done.fetch_add(n, Ordering::SeqCst);
    }

    fn finish(&self) {}
}

/// Checks `selection` (at most `liveness.max_checks_per_run`) and records
/// every check. `state`, when given, must have been claimed with
/// [`RunState::begin`]; it is released at the end.
pub async fn run(
    checker: &Checker,
    liveness: &LivenessService,
    selection: &Selection,
    progress: &dyn JobProgress,
    state: Option<&RunState>,
) -> Result<RunReport, CoreError> {
    let outcome = run_inner(checker, liveness, selection, progress, state).await;
    if let Some(state) = state {
        if let Ok(report) = &outcome {
            *state.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(report.clone());
        }
        state.running.store(false, Ordering::SeqCst);
    }
    outcome
}

async fn run_inner(
    checker: &Checker,
    liveness: &LivenessService,
    selection: &Selection,
    progress: &dyn JobProgress,
    state: Option<&RunState>,
) -> Result<RunReport, CoreError> {
    let started = Instant::now();
    let cap = checker.settings().max_checks_per_run;
    let communities = match selection {
        Selection::All => liveness.communities(false, cap).await?,
        Selection::Due => liveness.communities(true, cap).await?,
        Selection::Ids(ids) => {
            let mut named = liveness.named(ids).await?;
            named.truncate(cap);
            named
        }
    };
    progress.start(communities.len());
    if let Some(s) = state {
        s.start(communities.len());
    }
    let mut report = RunReport::default();
    let mut checks = stream::iter(communities)
        .map(|c| async move {
            let check = checker.check(&c).await;
            let outcome = check.outcome;
            let recorded = Recorded::of(&liveness.record(check).await, &c.id);
            (c.platform, outcome, recorded)
        })
        .buffer_unordered(checker.settings().concurrency.max(1));
    while let Some((platform, outcome, recorded)) = checks.next().await {
        report.checked += 1;
        report.not_recorded += usize::from(recorded == Recorded::Failed);
        report.deleted_during_run += usize::from(recorded == Recorded::Deleted);
        metrics::counter!("copmatch_liveness_checks_total",
            "platform" => platform.as_str(), "outcome" => outcome.as_str())
        .increment(1);
        *report
            .table
            .entry(platform.as_str().to_string())
            .or_default()
            .entry(outcome.as_str().to_string())
            .or_default() += 1;
        progress.advance(1);
        if let Some(s) = state {
            s.advance(1);
        }
    }
    progress.finish();
    report.took_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_community_deleted_during_its_check_is_not_a_store_failure() {
        let gone: Result<(), CoreError> = Err(CoreError::new(ErrorCode::CommunityNotFound, "gone"));
        assert_eq!(Recorded::of(&gone, "c"), Recorded::Deleted);
        let down: Result<(), CoreError> = Err(CoreError::new(ErrorCode::StoreUnavailable, "down"));
        assert_eq!(Recorded::of(&down, "c"), Recorded::Failed);
        assert_eq!(
            Recorded::of(&Ok::<(), CoreError>(()), "c"),
            Recorded::Stored
        );
    }
}
