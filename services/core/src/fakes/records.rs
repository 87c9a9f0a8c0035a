//! The moderation queue, the users with their feedback, and the liveness
//! history, in memory.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::Timestamp;

use super::lock;
use crate::feedback::{FeedbackEvent, FeedbackKind, User};
use crate::ports::{LivenessLog, ModerationQueue, UserStore};
use crate::retention::{last_write, roll_up};
use crate::submissions::{ItemState, ModerationItem};
use copmatch_domain::error::StoreError;
use copmatch_domain::liveness::CheckResult;

/// The moderation queue as a map, oldest first by creation time.
#[derive(Default)]
pub struct MemoryQueue {
    items: Mutex<BTreeMap<String, ModerationItem>>,
}

#[async_trait]
impl ModerationQueue for MemoryQueue {
    async fn put(&self, item: ModerationItem) -> Result<(), StoreError> {
        lock(&self.items).insert(item.id.clone(), item);
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<ModerationItem>, StoreError> {
        Ok(lock(&self.items).get(id).cloned())
    }

    async fn list(&self, state: Option<ItemState>) -> Result<Vec<ModerationItem>, StoreError> {
        let mut items: Vec<ModerationItem> = lock(&self.items)
            .values()
            .filter(|i| state.is_none_or(|s| i.state == s))
            .cloned()
            .collect();
        items.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(items)
    }
}

/// Users by id and events in arrival order.
#[derive(Default)]
pub struct MemoryUsers {
    users: Mutex<HashMap<String, User>>,
    events: Mutex<Vec<FeedbackEvent>>,
}

#[async_trait]
impl UserStore for MemoryUsers {
    async fn put_user(&self, user: User) -> Result<(), StoreError> {
        lock(&self.users).insert(user.id.to_string(), user);
        Ok(())
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.users).get(id).cloned())
    }

    async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        lock(&self.events).retain(|e| e.user_id != id);
        Ok(lock(&self.users).remove(id).is_some())
    }

    async fn append_events(&self, events: Vec<FeedbackEvent>) -> Result<(), StoreError> {
        lock(&self.events).extend(events);
        Ok(())
    }

    async fn events_of_user(&self, user_id: &str) -> Result<Vec<FeedbackEvent>, StoreError> {
        Ok(lock(&self.events)
            .iter()
            .filter(|e| e.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn events_about(
        &self,
        community_id: &str,
        kind: FeedbackKind,
    ) -> Result<Vec<FeedbackEvent>, StoreError> {
        Ok(lock(&self.events)
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
        let start: usize = cursor
            .as_deref()
            .map_or(Ok(0), str::parse)
            .map_err(|_| StoreError::Internal("not a cursor of the memory user store".into()))?;
        let events = lock(&self.events);
        let page: Vec<FeedbackEvent> = events.iter().skip(start).take(limit).cloned().collect();
        let end = start + page.len();
        Ok((page, (end < events.len()).then(|| end.to_string())))
    }

    async fn roll_up_events(&self, user_ids: &[String], keep: usize) -> Result<usize, StoreError> {
        let mut folded = 0;
        for id in user_ids {
            folded += self.roll_up_one(id, keep);
        }
        Ok(folded)
    }

    async fn idle_anonymous_users(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let users = lock(&self.users);
        let events = lock(&self.events);
        let mut idle: Vec<String> = users
            .values()
            .filter(|u| u.anonymous)
            .filter(|u| {
                let theirs: Vec<FeedbackEvent> = events
                    .iter()
                    .filter(|e| e.user_id == u.id)
                    .cloned()
                    .collect();
                last_write(u, &theirs).is_none_or(|t| t < before)
            })
            .map(|u| u.id.to_string())
            .collect();
        idle.sort();
        idle.truncate(limit);
        Ok(idle)
    }
}

impl MemoryUsers {
    fn roll_up_one(&self, user_id: &str, keep: usize) -> usize {
        let mut users = lock(&self.users);
        let Some(user) = users.get(user_id) else {
            return 0;
        };
        let mut events = lock(&self.events);
        let theirs: Vec<FeedbackEvent> = events
            .iter()
            .filter(|e| e.user_id == user_id)
            .cloned()
            .collect();
        let Some((user, folded)) = roll_up(user, &theirs, keep) else {
            return 0;
        };
        events.retain(|e| !folded.contains(&e.id));
        users.insert(user_id.to_string(), user);
        folded.len()
    }
}

/// Liveness checks by community, newest last, at most `cap` each.
pub struct MemoryLivenessLog {
    cap: usize,
    checks: Mutex<HashMap<String, Vec<CheckResult>>>,
}

impl MemoryLivenessLog {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            checks: Mutex::new(HashMap::new()),
        }
    }
}

#[async_trait]
impl LivenessLog for MemoryLivenessLog {
    async fn append(&self, check: CheckResult) -> Result<(), StoreError> {
        let mut checks = lock(&self.checks);
        let list = checks.entry(check.community_id.to_string()).or_default();
        list.push(check);
        let excess = list.len().saturating_sub(self.cap);
        list.drain(..excess);
        Ok(())
    }

    async fn history(
        &self,
        community_id: &str,
        limit: usize,
    ) -> Result<Vec<CheckResult>, StoreError> {
        let checks = lock(&self.checks);
        Ok(checks
            .get(community_id)
            .map(|l| l.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }
}
