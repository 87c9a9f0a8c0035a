//! The liveness history on local disk: `liveness.jsonl`, one check per line,
//! each append fsynced before the call returns, and the newest
//! `history_cap` checks per community kept in memory. On open the journal is
//! replayed (a torn last line from a crash is cut off); on open and after
//! every append it is rewritten once it holds mostly checks beyond the cap.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::liveness::CheckResult;
use copmatch_core::{LivenessLog, StoreError};
use parking_lot::Mutex;

use super::journal::{append, append_file, internal, mostly_history, read_lines, rewrite};

struct State {
    file: File,
    /// Lines in `liveness.jsonl`.
    lines: usize,
    /// Checks kept, over every community.
    kept: usize,
    checks: HashMap<String, VecDeque<CheckResult>>,
}

#[derive(Clone)]
pub struct LivenessJournal {
    path: PathBuf,
    cap: usize,
    state: Arc<Mutex<State>>,
}

/// Keeps `check` in memory; whether an older one made room for it.
fn keep(
    checks: &mut HashMap<String, VecDeque<CheckResult>>,
    check: CheckResult,
    cap: usize,
) -> bool {
    let list = checks.entry(check.community_id.to_string()).or_default();
    list.push_back(check);
    let full = list.len() > cap;
    if full {
        list.pop_front();
    }
    full
}

/// Rewrites the journal with the kept checks, oldest first.
fn compact(path: &Path, state: &mut State) -> Result<(), StoreError> {
    let mut all: Vec<&CheckResult> = state.checks.values().flatten().collect();
    all.sort_by(|a, b| a.checked_at.cmp(&b.checked_at));
    rewrite(path, all.into_iter())?;
    state.file = append_file(path)?;
    state.lines = state.kept;
    Ok(())
}

impl LivenessJournal {
    /// Opens (creating) `liveness.jsonl` in `dir`, keeping `cap` checks per community.
    pub fn open(dir: &Path, cap: usize) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| internal(dir, e))?;
        let path = dir.join("liveness.jsonl");
        let cap = cap.max(1);
        let lines = read_lines::<CheckResult>(&path)?;
        let line_count = lines.len();
        let mut checks = HashMap::new();
        for check in lines {
            keep(&mut checks, check, cap);
        }
        let kept: usize = checks.values().map(VecDeque::len).sum();
        let mut state = State {
            file: append_file(&path)?,
            lines: line_count,
            kept,
            checks,
        };
        if mostly_history(state.lines, state.kept) {
            compact(&path, &mut state)?;
        }
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
            path,
            cap,
        })
    }
}

#[async_trait]
impl LivenessLog for LivenessJournal {
    async fn append(&self, check: CheckResult) -> Result<(), StoreError> {
        let journal = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut state = journal.state.lock();
            append(&mut state.file, &journal.path, std::slice::from_ref(&check))?;
            state.lines += 1;
            if !keep(&mut state.checks, check, journal.cap) {
                state.kept += 1;
            }
            if mostly_history(state.lines, state.kept) {
                compact(&journal.path, &mut state)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Internal(format!("a journal task failed: {e}")))?
    }

    async fn history(
        &self,
        community_id: &str,
        limit: usize,
    ) -> Result<Vec<CheckResult>, StoreError> {
        let state = self.state.lock();
        Ok(state
            .checks
            .get(community_id)
            .map(|l| l.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copmatch_core::liveness::Outcome;

    fn check(n: usize) -> CheckResult {
        CheckResult {
            community_id: copmatch_core::CommunityId::parse("c1").unwrap(),
            checked_at: format!("2026-01-01T00:{:02}:{:02}Z", n / 60 % 60, n % 60),
            adapter: "http".into(),
            url: "https://example.org".into(),
            http_status: Some(200),
            latency_ms: 1,
            outcome: Outcome::Ok,
            signals: Default::default(),
            detail: "200 OK".into(),
            moved_to: None,
        }
    }

    #[tokio::test]
    async fn the_file_is_compacted_as_checks_go_past_the_cap() {
        let dir = tempfile::TempDir::new().unwrap();
        let log = LivenessJournal::open(dir.path(), 3).unwrap();
        for n in 0..500 {
            log.append(check(n)).await.unwrap();
        }
        let lines = std::fs::read_to_string(dir.path().join("liveness.jsonl"))
            .unwrap()
            .lines()
            .count();
        assert!(lines <= 3 * 2 + 64 + 1, "{lines} lines for 3 kept checks");
        drop(log);
        let log = LivenessJournal::open(dir.path(), 3).unwrap();
        let newest = log.history("c1", 10).await.unwrap();
        assert_eq!(newest.len(), 3);
        assert_eq!(newest[0].checked_at, check(499).checked_at);
    }
}
