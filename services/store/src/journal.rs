//! A small durable map kept as an append-only JSON Lines journal: each write
//! appends the item's whole new state and is fsynced before the call returns;
//! opening replays the journal (a torn last line from a crash is dropped) and
//! compacts it when most lines are outdated. Used for the moderation queue,
//! whose items are few, written rarely and read whole. The JSON Lines helpers
//! (read with torn-line detection, fsynced append, atomic rewrite) also serve
//! the users and feedback journal.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::moderation::{ItemState, ModerationItem};
use copmatch_core::{ModerationQueue, StoreError};
use parking_lot::Mutex;
use serde::{de::DeserializeOwned, Serialize};

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
        let (lines, torn) = read_lines::<ModerationItem>(path)?;
        let line_count = lines.len();
        let items: BTreeMap<String, ModerationItem> =
            lines.into_iter().map(|i| (i.id.clone(), i)).collect();
        // Rewrite when the journal is mostly history (or had a torn line).
        if torn || line_count > items.len() * 2 + 64 {
            rewrite(path, items.values())?;
        }
        let file = append_file(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            state: Arc::new(Mutex::new(State { file, items })),
        })
    }

    fn append(&self, item: ModerationItem) -> Result<(), StoreError> {
        let mut state = self.state.lock();
        append(&mut state.file, &self.path, std::slice::from_ref(&item))?;
        state.items.insert(item.id.clone(), item);
        Ok(())
    }
}

/// Every readable line of a JSON Lines file, and whether one was torn (only
/// a crash mid-append leaves a bad line, and only at the end).
pub(crate) fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<(Vec<T>, bool), StoreError> {
    let mut out = Vec::new();
    let mut torn = false;
    if path.exists() {
        let reader = BufReader::new(File::open(path).map_err(|e| internal(path, e))?);
        for line in reader.lines() {
            let line = line.map_err(|e| internal(path, e))?;
            match serde_json::from_str(&line) {
                Ok(v) => out.push(v),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "dropping a torn journal line");
                    torn = true;
                }
            }
        }
    }
    Ok((out, torn))
}

/// Writes `lines` to a temporary file and renames it over `path`.
pub(crate) fn rewrite<T: Serialize>(
    path: &Path,
    lines: impl Iterator<Item = T>,
) -> Result<(), StoreError> {
    let tmp = path.with_extension("jsonl.tmp");
    let mut file = File::create(&tmp).map_err(|e| internal(&tmp, e))?;
    for item in lines {
        let line = serde_json::to_string(&item).map_err(|e| internal(&tmp, e))?;
        writeln!(file, "{line}").map_err(|e| internal(&tmp, e))?;
    }
    file.sync_all().map_err(|e| internal(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| internal(path, e))
}

pub(crate) fn append_file(path: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| internal(path, e))
}

/// Appends `items`, one line each, and fsyncs before returning.
pub(crate) fn append<T: Serialize>(
    file: &mut File,
    path: &Path,
    items: &[T],
) -> Result<(), StoreError> {
    let mut text = String::new();
    for item in items {
        text.push_str(&serde_json::to_string(item).map_err(|e| internal(path, e))?);
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(|e| internal(path, e))?;
    file.sync_data().map_err(|e| internal(path, e))
}

pub(crate) fn internal(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{}: {e}", path.display()))
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
