//! The liveness history on local disk: `liveness.jsonl`, one check per line,
//! each append fsynced before the call returns, and the newest
//! `history_cap` checks per community kept in memory. On open the journal is
//! replayed (a torn last line from a crash is cut off) and rewritten when it
//! holds mostly checks beyond the cap.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::liveness::CheckResult;
use copmatch_core::{LivenessLog, StoreError};
use parking_lot::Mutex;

use super::journal::{append, append_file, internal, read_lines, rewrite};

struct State {
    file: File,
    checks: HashMap<String, VecDeque<CheckResult>>,
}

#[derive(Clone)]
pub struct LivenessJournal {
    path: PathBuf,
    cap: usize,
    state: Arc<Mutex<State>>,
}

fn keep(checks: &mut HashMap<String, VecDeque<CheckResult>>, check: CheckResult, cap: usize) {
    let list = checks.entry(check.community_id.to_string()).or_default();
    list.push_back(check);
    while list.len() > cap {
        list.pop_front();
    }
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
        if line_count > kept * 2 + 64 {
            let mut all: Vec<&CheckResult> = checks.values().flatten().collect();
            all.sort_by(|a, b| a.checked_at.cmp(&b.checked_at));
            rewrite(&path, all.into_iter())?;
        }
        Ok(Self {
            state: Arc::new(Mutex::new(State {
                file: append_file(&path)?,
                checks,
            })),
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
            keep(&mut state.checks, check, journal.cap);
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
