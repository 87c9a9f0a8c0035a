//! Users and feedback events on local disk, beside the embedded index: two
//! append-only JSON Lines files, each write fsynced before the call returns.
//!
//! `users.jsonl` holds each user's whole new state per write (a tombstone for
//! a deletion). `feedback.jsonl` holds one event per line. Both are compacted
//! as they go (`journal::mostly_history`): folding a user's oldest events
//! into counts writes the user's new record first, which alone decides that
//! those events are gone (`User::has_rolled_up`), and the file drops them at
//! its next rewrite. Deleting a user rewrites the feedback file at once
//! without their events (temporary file, fsync, rename): a person's deletion
//! leaves nothing behind on disk. The expiry sweep's deletions go at the next
//! compaction instead, so a sweep does not rewrite every event. A torn last
//! line from a crash is cut off; any
//! other unreadable line stops start-up with its file and line. Everything is
//! also kept in memory, bounded by `feedback.max_events_per_user` and the
//! expiry of anonymous users (`copmatch_core::retention`); an event is ~200
//! bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::feedback::{FeedbackEvent, FeedbackKind, User};
use copmatch_core::retention::roll_up;
use copmatch_core::time::{order_key, parse_time};
use copmatch_core::StoreError;
use copmatch_core::UserStore;
use jiff::Timestamp;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::journal::{append, append_file, internal, mostly_history, read_lines, rewrite};
use super::users_state::State;

#[derive(Serialize, Deserialize)]
struct UserLine {
    id: String,
    /// `None` records a deletion.
    user: Option<User>,
    /// A deletion whose events may still be on disk (the expiry sweep's):
    /// the newest of them. Events of the id up to it are dead on reopen,
    /// even if a user of the same id is made again later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events_through: Option<String>,
}

fn user_line(user: &User) -> UserLine {
    UserLine {
        id: user.id.to_string(),
        user: Some(user.clone()),
        events_through: None,
    }
}

/// Users and feedback of the embedded store.
#[derive(Clone)]
pub struct UserJournal {
    users_path: PathBuf,
    events_path: PathBuf,
    state: Arc<Mutex<State>>,
}

impl UserJournal {
    /// Opens (creating) `users.jsonl` and `feedback.jsonl` in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| internal(dir, e))?;
        let users_path = dir.join("users.jsonl");
        let events_path = dir.join("feedback.jsonl");
        let lines = read_lines::<UserLine>(&users_path)?;
        let user_lines = lines.len();
        let mut users = BTreeMap::new();
        let mut deleted_through: HashMap<String, String> = HashMap::new();
        for line in lines {
            match line.user {
                Some(user) => {
                    users.insert(line.id, user);
                }
                None => {
                    users.remove(&line.id);
                    if let Some(through) = line.events_through {
                        deleted_through.insert(line.id, through);
                    }
                }
            };
        }
        let lines = read_lines::<FeedbackEvent>(&events_path)?;
        let event_lines = lines.len();
        let mut state = State {
            users_file: append_file(&users_path)?,
            user_lines,
            events_file: append_file(&events_path)?,
            dead_events: 0,
            users,
            events: BTreeMap::new(),
            by_user: HashMap::new(),
        };
        for event in lines {
            // Folded into the user's counts, or swept with a deleted user,
            // before a crash or a compaction.
            let live = state
                .users
                .get(event.user_id.as_str())
                .is_some_and(|u| !u.has_rolled_up(&event.id))
                && deleted_through
                    .get(event.user_id.as_str())
                    .is_none_or(|through| event.id > *through);
            if live {
                state.insert_event(event);
            }
        }
        state.dead_events = event_lines - state.events.len();
        let journal = Self {
            state: Arc::new(Mutex::new(state)),
            users_path,
            events_path,
        };
        journal.compact(&mut journal.state.lock())?;
        Ok(journal)
    }

    /// Rewrites either file once it is mostly history.
    fn compact(&self, state: &mut State) -> Result<(), StoreError> {
        if mostly_history(state.user_lines, state.users.len()) {
            // Tombstones go with this rewrite, so the event lines they
            // declare dead must go first.
            if state.dead_events > 0 {
                self.rewrite_events(state)?;
            }
            rewrite(&self.users_path, state.users.values().map(user_line))?;
            state.users_file = append_file(&self.users_path)?;
            state.user_lines = state.users.len();
        }
        let live = state.events.len();
        if mostly_history(live + state.dead_events, live) {
            self.rewrite_events(state)?;
        }
        Ok(())
    }

    fn rewrite_events(&self, state: &mut State) -> Result<(), StoreError> {
        rewrite(&self.events_path, state.events.values())?;
        state.events_file = append_file(&self.events_path)?;
        state.dead_events = 0;
        Ok(())
    }

    fn append_users(&self, state: &mut State, lines: &[UserLine]) -> Result<(), StoreError> {
        append(&mut state.users_file, &self.users_path, lines)?;
        state.user_lines += lines.len();
        Ok(())
    }

    /// Deletes users with their events. `erase_now` rewrites the feedback
    /// file at once (a person asked); otherwise (the expiry sweep) their
    /// lines count as history and go at the next compaction, so a sweep
    /// costs appends, not a rewrite of every event.
    async fn remove_users(&self, ids: &[String], erase_now: bool) -> Result<usize, StoreError> {
        let ids: BTreeSet<String> = ids.iter().cloned().collect();
        self.blocking(move |j| {
            let mut state = j.state.lock();
            let present: Vec<String> = ids
                .into_iter()
                .filter(|id| state.users.contains_key(id))
                .collect();
            if present.is_empty() {
                return Ok(0);
            }
            // Events first: a crash in between leaves users without history,
            // never history without its deletion being retried.
            let mut lines = Vec::with_capacity(present.len());
            let mut doomed = Vec::new();
            for id in &present {
                let theirs: Vec<String> = state
                    .by_user
                    .get(id)
                    .map(|events| events.iter().cloned().collect())
                    .unwrap_or_default();
                lines.push(UserLine {
                    id: id.clone(),
                    user: None,
                    events_through: theirs.last().filter(|_| !erase_now).cloned(),
                });
                doomed.extend(theirs);
            }
            for id in &doomed {
                state.remove_event(id);
            }
            if erase_now && !doomed.is_empty() {
                j.rewrite_events(&mut state)?;
            }
            j.append_users(&mut state, &lines)?;
            for id in &present {
                state.users.remove(id);
            }
            j.compact(&mut state)?;
            Ok(present.len())
        })
        .await
    }

    /// Runs a read on the blocking pool when the journal is busy: a write
    /// may hold the lock through a compaction's rewrite (seconds for
    /// millions of events), and waiting for it must not stall an async
    /// worker and every connection it serves. Uncontended reads stay inline.
    async fn reading<T: Send + 'static>(
        &self,
        read: impl FnOnce(&State) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if let Some(state) = self.state.try_lock() {
            return read(&state);
        }
        self.blocking(move |j| read(&j.state.lock())).await
    }

    /// Runs a write on the blocking pool: fsync must not stall async workers.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&UserJournal) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let journal = self.clone();
        tokio::task::spawn_blocking(move || work(&journal))
            .await
            .map_err(|e| StoreError::Internal(format!("a journal task failed: {e}")))?
    }
}

#[async_trait]
impl UserStore for UserJournal {
    async fn put_user(&self, user: User) -> Result<(), StoreError> {
        self.blocking(move |j| {
            let mut state = j.state.lock();
            let mut user = user;
            // Folding is the store's: a put that read the user before a
            // fold must not bring folded events back.
            if let Some(stored) = state.users.get(user.id.as_str()) {
                let newer = |s: &User| s.rolled_up.as_ref().map(|r| r.through.clone());
                if newer(stored) > newer(&user) {
                    user.rolled_up = stored.rolled_up.clone();
                }
            }
            j.append_users(&mut state, &[user_line(&user)])?;
            state.users.insert(user.id.to_string(), user);
            j.compact(&mut state)
        })
        .await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let id = id.to_string();
        self.reading(move |state| Ok(state.users.get(&id).cloned()))
            .await
    }

    async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.remove_users(&[id.to_string()], true).await? == 1)
    }

    async fn delete_users(&self, ids: &[String]) -> Result<usize, StoreError> {
        self.remove_users(ids, false).await
    }

    async fn append_events(&self, events: Vec<FeedbackEvent>) -> Result<(), StoreError> {
        self.blocking(move |j| {
            let mut state = j.state.lock();
            append(&mut state.events_file, &j.events_path, &events)?;
            for event in events {
                state.insert_event(event);
            }
            j.compact(&mut state)
        })
        .await
    }

    async fn events_of_user(&self, user_id: &str) -> Result<Vec<FeedbackEvent>, StoreError> {
        let user_id = user_id.to_string();
        let mut events = self
            .reading(move |state| Ok(state.events_of(&user_id)))
            .await?;
        events.sort_by(|a, b| order_key(&a.ts).cmp(&order_key(&b.ts)));
        Ok(events)
    }

    async fn events_about(
        &self,
        community_id: &str,
        kind: FeedbackKind,
    ) -> Result<Vec<FeedbackEvent>, StoreError> {
        let community_id = community_id.to_string();
        self.reading(move |state| {
            Ok(state
                .events
                .values()
                .filter(|e| e.community_id == community_id && e.kind == kind)
                .cloned()
                .collect())
        })
        .await
    }

    async fn scroll_events(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<FeedbackEvent>, Option<String>), StoreError> {
        self.reading(move |state| {
            let from = match cursor {
                None => Bound::Unbounded,
                Some(id) => Bound::Excluded(id),
            };
            let mut rest = state.events.range((from, Bound::Unbounded));
            let page: Vec<FeedbackEvent> = rest
                .by_ref()
                .take(limit.max(1))
                .map(|(_, e)| e.clone())
                .collect();
            let next = match (rest.next(), page.last()) {
                (Some(_), Some(last)) => Some(last.id.clone()),
                _ => None,
            };
            Ok((page, next))
        })
        .await
    }

    async fn roll_up_events(&self, user_ids: &[String], keep: usize) -> Result<usize, StoreError> {
        // Most batches leave every user within the cap: no blocking task then.
        let ids = user_ids.to_vec();
        let over: Vec<String> = self
            .reading(move |state| {
                Ok(ids
                    .into_iter()
                    .filter(|id| state.by_user.get(id.as_str()).map_or(0, BTreeSet::len) > keep)
                    .collect())
            })
            .await?;
        if over.is_empty() {
            return Ok(0);
        }
        self.blocking(move |j| {
            let mut state = j.state.lock();
            let mut decided = Vec::new();
            for id in &over {
                let Some(user) = state.users.get(id) else {
                    continue;
                };
                if let Some(fold) = roll_up(user, &state.events_of(id), keep) {
                    decided.push(fold);
                }
            }
            if decided.is_empty() {
                return Ok(0);
            }
            // The new records are the decision; the event lines go at a rewrite.
            let lines: Vec<UserLine> = decided.iter().map(|(u, _)| user_line(u)).collect();
            j.append_users(&mut state, &lines)?;
            let mut count = 0;
            for (user, folded) in decided {
                for id in &folded {
                    state.remove_event(id);
                }
                count += folded.len();
                state.users.insert(user.id.to_string(), user);
            }
            j.compact(&mut state)?;
            Ok(count)
        })
        .await
    }

    async fn idle_anonymous_users(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.reading(move |state| {
            let idle = |user: &User| {
                let events = state.by_user.get(user.id.as_str());
                let received = events
                    .into_iter()
                    .flatten()
                    .filter_map(|id| parse_time(&state.events[id].received_at));
                received
                    .chain(parse_time(&user.updated_at))
                    .max()
                    .is_none_or(|last| last < before)
            };
            Ok(state
                .users
                .values()
                .filter(|u| u.anonymous && idle(u))
                .map(|u| u.id.to_string())
                .take(limit)
                .collect())
        })
        .await
    }
}

#[cfg(test)]
#[path = "users_tests.rs"]
mod tests;
