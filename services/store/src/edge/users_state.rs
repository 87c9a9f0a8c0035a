//! The in-memory state of the embedded users and feedback journal
//! (`users.rs`): users, events by id, and each user's event ids, with the
//! count of journal lines that no longer hold live records.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;

use copmatch_core::feedback::{FeedbackEvent, User};

pub(super) struct State {
    pub(super) users_file: File,
    /// Lines in `users.jsonl`.
    pub(super) user_lines: usize,
    pub(super) events_file: File,
    /// Lines in `feedback.jsonl` that hold no live event.
    pub(super) dead_events: usize,
    pub(super) users: BTreeMap<String, User>,
    /// By id: ids are UUID v7, so this is the order of receipt, and an id is
    /// a scroll cursor that survives compaction and restarts.
    pub(super) events: BTreeMap<String, FeedbackEvent>,
    /// Event ids per user: a user's history is read on every personalized
    /// request, so it must not scan all events.
    pub(super) by_user: HashMap<String, BTreeSet<String>>,
}

impl State {
    pub(super) fn insert_event(&mut self, event: FeedbackEvent) {
        self.by_user
            .entry(event.user_id.to_string())
            .or_default()
            .insert(event.id.clone());
        if let Some(old) = self.events.insert(event.id.clone(), event) {
            // The same id twice: the later line replaces the earlier.
            self.dead_events += 1;
            if old.user_id != self.events[&old.id].user_id {
                if let Some(ids) = self.by_user.get_mut(old.user_id.as_str()) {
                    ids.remove(&old.id);
                }
            }
        }
    }

    pub(super) fn remove_event(&mut self, id: &str) {
        if let Some(event) = self.events.remove(id) {
            self.dead_events += 1;
            if let Some(ids) = self.by_user.get_mut(event.user_id.as_str()) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_user.remove(event.user_id.as_str());
                }
            }
        }
    }

    pub(super) fn events_of(&self, user_id: &str) -> Vec<FeedbackEvent> {
        self.by_user
            .get(user_id)
            .map(|ids| ids.iter().map(|id| self.events[id].clone()).collect())
            .unwrap_or_default()
    }
}
