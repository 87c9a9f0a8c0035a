//! The moderation queue on local disk: a small durable map kept as an
//! append-only JSON Lines journal (see [`super::journal`]). Each write appends
//! the item's whole new state and is fsynced before the call returns; opening
//! replays the journal, and opening and every write compact it once most
//! lines are outdated. Its items
//! are few, written rarely and read whole.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::submissions::{ItemState, ModerationItem};
use copmatch_core::{ModerationQueue, StoreError};
use parking_lot::Mutex;

use super::journal::{append, append_file, internal, mostly_history, read_lines, rewrite};

struct State {
    file: File,
    /// Lines in the journal.
    lines: usize,
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
        let lines = read_lines::<ModerationItem>(path)?;
        let line_count = lines.len();
        let items: BTreeMap<String, ModerationItem> =
            lines.into_iter().map(|i| (i.id.clone(), i)).collect();
        let queue = Self {
            path: path.to_path_buf(),
            state: Arc::new(Mutex::new(State {
                file: append_file(path)?,
                lines: line_count,
                items,
            })),
        };
        queue.compact_if_mostly_history(&mut queue.state.lock())?;
        Ok(queue)
    }

    fn compact_if_mostly_history(&self, state: &mut State) -> Result<(), StoreError> {
        if mostly_history(state.lines, state.items.len()) {
            rewrite(&self.path, state.items.values())?;
            state.file = append_file(&self.path)?;
            state.lines = state.items.len();
        }
        Ok(())
    }

    fn append(&self, item: ModerationItem) -> Result<(), StoreError> {
        let mut state = self.state.lock();
        append(&mut state.file, &self.path, std::slice::from_ref(&item))?;
        state.lines += 1;
        state.items.insert(item.id.clone(), item);
        self.compact_if_mostly_history(&mut state)
    }
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
