//! Users and feedback events on local disk, beside the embedded index: two
//! append-only JSON Lines files, each write fsynced before the call returns.
//!
//! `users.jsonl` holds each user's whole new state per write (a tombstone for
//! a deletion) and is compacted on open when mostly history, like the
//! moderation journal. `feedback.jsonl` holds one event per line and only
//! grows, except that deleting a user rewrites it without their events
//! (temporary file, fsync, rename). A torn last line from a crash is cut off;
//! any other unreadable line stops start-up with its file and line.
//! Everything is also kept in memory: feedback is small next to the catalog
//! (an event is ~200 bytes; a million events is ~200 MB of file).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::feedback::{FeedbackEvent, FeedbackKind, User};
use copmatch_core::time::order_key;
use copmatch_core::StoreError;
use copmatch_core::UserStore;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::journal::{append, append_file, internal, read_lines, rewrite};

#[derive(Serialize, Deserialize)]
struct UserLine {
    id: String,
    /// `None` records a deletion.
    user: Option<User>,
}

struct State {
    users_file: File,
    events_file: File,
    users: BTreeMap<String, User>,
    /// In append order; positions are scroll cursors.
    events: Vec<FeedbackEvent>,
    /// Positions in `events` per user: a user's history is read on every
    /// personalized request, so it must not scan all events.
    by_user: HashMap<String, Vec<usize>>,
}

fn index_by_user(events: &[FeedbackEvent]) -> HashMap<String, Vec<usize>> {
    let mut by_user: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        by_user.entry(e.user_id.to_string()).or_default().push(i);
    }
    by_user
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
        let line_count = lines.len();
        let mut users = BTreeMap::new();
        for line in lines {
            match line.user {
                Some(user) => users.insert(line.id, user),
                None => users.remove(&line.id),
            };
        }
        if line_count > users.len() * 2 + 64 {
            rewrite(
                &users_path,
                users.values().map(|u| UserLine {
                    id: u.id.to_string(),
                    user: Some(u.clone()),
                }),
            )?;
        }
        let events = read_lines::<FeedbackEvent>(&events_path)?;
        Ok(Self {
            state: Arc::new(Mutex::new(State {
                users_file: append_file(&users_path)?,
                events_file: append_file(&events_path)?,
                users,
                by_user: index_by_user(&events),
                events,
            })),
            users_path,
            events_path,
        })
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
            let line = UserLine {
                id: user.id.to_string(),
                user: Some(user.clone()),
            };
            append(&mut state.users_file, &j.users_path, &[line])?;
            state.users.insert(user.id.to_string(), user);
            Ok(())
        })
        .await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        Ok(self.state.lock().users.get(id).cloned())
    }

    async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.blocking(move |j| {
            let mut state = j.state.lock();
            if !state.users.contains_key(&id) {
                return Ok(false);
            }
            // Events first: a crash in between leaves a user without history,
            // never history without its deletion being retried.
            if state.events.iter().any(|e| e.user_id == id) {
                let kept: Vec<FeedbackEvent> = state
                    .events
                    .iter()
                    .filter(|e| e.user_id != id)
                    .cloned()
                    .collect();
                rewrite(&j.events_path, kept.iter())?;
                state.events_file = append_file(&j.events_path)?;
                state.by_user = index_by_user(&kept);
                state.events = kept;
            }
            let line = UserLine {
                id: id.clone(),
                user: None,
            };
            append(&mut state.users_file, &j.users_path, &[line])?;
            state.users.remove(&id);
            Ok(true)
        })
        .await
    }

    async fn append_events(&self, events: Vec<FeedbackEvent>) -> Result<(), StoreError> {
        self.blocking(move |j| {
            let mut state = j.state.lock();
            append(&mut state.events_file, &j.events_path, &events)?;
            let start = state.events.len();
            for (i, e) in events.iter().enumerate() {
                state
                    .by_user
                    .entry(e.user_id.to_string())
                    .or_default()
                    .push(start + i);
            }
            state.events.extend(events);
            Ok(())
        })
        .await
    }

    async fn events_of_user(&self, user_id: &str) -> Result<Vec<FeedbackEvent>, StoreError> {
        let state = self.state.lock();
        let mut events: Vec<FeedbackEvent> = state
            .by_user
            .get(user_id)
            .map(|positions| positions.iter().map(|&i| state.events[i].clone()).collect())
            .unwrap_or_default();
        drop(state);
        events.sort_by(|a, b| order_key(&a.ts).cmp(&order_key(&b.ts)));
        Ok(events)
    }

    async fn events_about(
        &self,
        community_id: &str,
        kind: FeedbackKind,
    ) -> Result<Vec<FeedbackEvent>, StoreError> {
        Ok(self
            .state
            .lock()
            .events
            .iter()
            .filter(|e| e.community_id == community_id && e.kind == kind)
            .cloned()
            .collect())
    }

    async fn scroll_events(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<FeedbackEvent>, Option<String>), StoreError> {
        let start = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .map_err(|_| StoreError::Internal(format!("bad feedback cursor {c:?}")))?,
        };
        let state = self.state.lock();
        let end = (start + limit.max(1)).min(state.events.len());
        let page = state.events.get(start..end).unwrap_or_default().to_vec();
        let next = (end < state.events.len()).then(|| end.to_string());
        Ok((page, next))
    }
}

#[cfg(test)]
mod tests {
    use std::fs::OpenOptions;
    use std::io::Write;

    use super::*;

    fn user(id: &str) -> User {
        User {
            id: copmatch_core::UserId::parse(id).unwrap(),
            profile: copmatch_core::Profile {
                roles: vec!["nurse".into()],
                ..Default::default()
            },
            languages: Vec::new(),
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            owner: None,
        }
    }

    fn event(id: &str, user: &str) -> FeedbackEvent {
        FeedbackEvent {
            id: id.into(),
            user_id: copmatch_core::UserId::parse(user).unwrap(),
            community_id: copmatch_core::CommunityId::parse("c").unwrap(),
            kind: FeedbackKind::Join,
            ts: "2026-01-01T00:00:00Z".into(),
            received_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn acknowledged_events_survive_a_torn_last_line_and_a_reopen() {
        let dir = tempfile::TempDir::new().unwrap();
        let journal = UserJournal::open(dir.path()).unwrap();
        journal.put_user(user("ana")).await.unwrap();
        journal
            .append_events(vec![event("e1", "ana"), event("e2", "ana")])
            .await
            .unwrap();
        drop(journal);
        // A crash in the middle of the next append.
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join("feedback.jsonl"))
            .unwrap();
        file.write_all(b"{\"id\":\"e3\",\"user_").unwrap();
        drop(file);
        let journal = UserJournal::open(dir.path()).unwrap();
        let ids: Vec<String> = journal
            .events_of_user("ana")
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec!["e1", "e2"]);
        // The journal was repaired: new appends start on a clean line.
        journal
            .append_events(vec![event("e4", "ana")])
            .await
            .unwrap();
        drop(journal);
        let journal = UserJournal::open(dir.path()).unwrap();
        assert_eq!(journal.events_of_user("ana").await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn deleting_a_user_removes_their_events_for_good() {
        let dir = tempfile::TempDir::new().unwrap();
        let journal = UserJournal::open(dir.path()).unwrap();
        journal.put_user(user("ana")).await.unwrap();
        journal.put_user(user("bo")).await.unwrap();
        journal
            .append_events(vec![event("e1", "ana"), event("e2", "bo")])
            .await
            .unwrap();
        assert!(journal.delete_user("ana").await.unwrap());
        assert!(!journal.delete_user("ana").await.unwrap());
        drop(journal);
        let journal = UserJournal::open(dir.path()).unwrap();
        assert!(journal.get_user("ana").await.unwrap().is_none());
        assert!(journal.events_of_user("ana").await.unwrap().is_empty());
        let (all, next) = journal.scroll_events(None, 10).await.unwrap();
        assert_eq!((all.len(), next), (1, None));
        assert_eq!(all[0].user_id, "bo");
    }
}
