//! A small durable map kept as an append-only JSON Lines journal: each write
//! appends the item's whole new state and is fsynced before the call returns;
//! opening replays the journal (a torn last line from a crash is dropped) and
//! compacts it when most lines are outdated. Used for the moderation queue,
//! whose items are few, written rarely and read whole.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::moderation::{ItemState, ModerationItem};
use copmatch_core::{ModerationQueue, StoreError};
use parking_lot::Mutex;

fn internal(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{}: {e}", path.display()))
}

struct State {
    file: File,
    items: BTreeMap<String, ModerationItem>,
}

/// The moderation queue on local disk.
#[derive(Clone)]
pub struct JournalQueue {
    path: PathBuf,
    state: Arc<Mutex<State>>,
}

impl JournalQueue {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| internal(parent, e))?;
        }
        let mut items = BTreeMap::new();
        let mut lines = 0usize;
        if path.exists() {
            let reader = BufReader::new(File::open(path).map_err(|e| internal(path, e))?);
            for line in reader.lines() {
                let line = line.map_err(|e| internal(path, e))?;
                match serde_json::from_str::<ModerationItem>(&line) {
                    Ok(item) => {
                        lines += 1;
                        items.insert(item.id.clone(), item);
                    }
                    // Only a crash mid-append can leave a bad line, and only at the end.
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "dropping a torn journal line")
                    }
                }
            }
        }
        // Rewrite when the journal is mostly history (or had a torn line).
        if lines > items.len() * 2 + 64 || (path.exists() && lines != count_lines(path)?) {
            rewrite(path, &items)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| internal(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            state: Arc::new(Mutex::new(State { file, items })),
        })
    }

    fn append(&self, item: ModerationItem) -> Result<(), StoreError> {
        let mut line = serde_json::to_string(&item).map_err(|e| internal(&self.path, e))?;
        line.push('\n');
        let mut state = self.state.lock();
        state
            .file
            .write_all(line.as_bytes())
            .map_err(|e| internal(&self.path, e))?;
        state
            .file
            .sync_data()
            .map_err(|e| internal(&self.path, e))?;
        state.items.insert(item.id.clone(), item);
        Ok(())
    }
}

fn count_lines(path: &Path) -> Result<usize, StoreError> {
    let reader = BufReader::new(File::open(path).map_err(|e| internal(path, e))?);
    Ok(reader.lines().count())
}

/// Writes the live items to a temporary file and renames it over the journal.
fn rewrite(path: &Path, items: &BTreeMap<String, ModerationItem>) -> Result<(), StoreError> {
    let tmp = path.with_extension("jsonl.tmp");
    let mut file = File::create(&tmp).map_err(|e| internal(&tmp, e))?;
    for item in items.values() {
        let line = serde_json::to_string(item).map_err(|e| internal(&tmp, e))?;
        writeln!(file, "{line}").map_err(|e| internal(&tmp, e))?;
    }
    file.sync_all().map_err(|e| internal(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| internal(path, e))
}

#[async_trait]
impl ModerationQueue for JournalQueue {
    async fn put(&self, item: ModerationItem) -> Result<(), StoreError> {
        let queue = self.clone();
        tokio::task::spawn_blocking(move || queue.append(item))
            .await
            .map_err(|e| StoreError::Internal(format!("a journal task failed: {e}")))?
    }

    async fn get(&self, id: &str) -> Result<Option<ModerationItem>, StoreError> {
        Ok(self.state.lock().items.get(id).cloned())
    }

    async fn list(&self, state: Option<ItemState>) -> Result<Vec<ModerationItem>, StoreError> {
        let mut items: Vec<ModerationItem> = self
            .state
            .lock()
            .items
            .values()
            .filter(|i| state.is_none_or(|s| i.state == s))
            .cloned()
            .collect();
        items.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(items)
    }
}
