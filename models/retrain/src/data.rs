//! Feedback as training data: read from the store or a JSON Lines file,
//! replayed into per-user histories, split by user, and fingerprinted.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use copmatch_core::feedback::{FeedbackEvent, FeedbackRecord, History, User};
use copmatch_core::progress::JobProgress;
use copmatch_core::time::order_key;
use copmatch_core::{CommunityId, UserStore};

/// Events read from the store per page.
const PAGE: usize = 1000;

/// One user's profile and what they did.
#[derive(Debug, Clone)]
pub struct UserData {
    pub user: User,
    /// Communities they belong to (the relevant ones in evaluation).
    pub joined: Vec<String>,
    /// Communities they clicked without joining (a weaker training signal).
    pub clicked: Vec<String>,
    /// The best (smallest) position each community was shown at, for those
    /// whose events said; what the position-bias correction reads.
    pub positions: HashMap<String, u32>,
}

#[derive(Debug, Clone)]
pub struct FeedbackData {
    /// Users with at least one join, ordered by id.
    pub users: Vec<UserData>,
    pub events: usize,
    /// FNV-1a of the events and profiles, so a manifest names its data.
    pub hash: String,
}

/// Every user and event of the configured store.
pub async fn from_store(
    store: &dyn UserStore,
    progress: &dyn JobProgress,
) -> anyhow::Result<FeedbackData> {
    let (users, events) = read_store(store, progress).await?;
    let users = users.into_iter().map(|u| (u.id.to_string(), u)).collect();
    Ok(assemble(users, events))
}

/// Every event of the store and the users they name (`copmatch feedback export`).
pub async fn read_store(
    store: &dyn UserStore,
    progress: &dyn JobProgress,
) -> anyhow::Result<(Vec<User>, Vec<FeedbackEvent>)> {
    let mut events = Vec::new();
    let mut cursor = None;
    progress.start(0);
    loop {
        let (page, next) = store.scroll_events(cursor, PAGE).await?;
        progress.advance(page.len());
        events.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    progress.finish();
    let mut ids: Vec<&str> = events.iter().map(|e| e.user_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut users = Vec::new();
    for id in ids {
        if let Some(user) = store.get_user(id).await? {
            users.push(user);
        }
    }
    Ok((users, events))
}

/// Users and events from `copmatch feedback export` or the simulator.
pub fn from_jsonl(text: &str) -> anyhow::Result<FeedbackData> {
    let (users, events) = parse_records(text)?;
    let users = users.into_iter().map(|u| (u.id.to_string(), u)).collect();
    Ok(assemble(users, events))
}

/// The users and events of a JSON Lines file, in file order.
pub fn parse_records(text: &str) -> anyhow::Result<(Vec<User>, Vec<FeedbackEvent>)> {
    let mut users = Vec::new();
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: FeedbackRecord = serde_json::from_str(line)
            .with_context(|| format!("line {}: not a feedback record", n + 1))?;
        match record {
            FeedbackRecord::User(u) => users.push(u),
            FeedbackRecord::Event(e) => events.push(e),
        }
    }
    Ok((users, events))
}

/// Writes users and events as JSON Lines (`from_jsonl` reads it back).
pub fn to_jsonl(users: &[User], events: &[FeedbackEvent]) -> String {
    let mut out = String::new();
    let records = users
        .iter()
        .cloned()
        .map(FeedbackRecord::User)
        .chain(events.iter().cloned().map(FeedbackRecord::Event));
    for record in records {
        out.push_str(&serde_json::to_string(&record).expect("records serialize"));
        out.push('\n');
    }
    out
}

fn assemble(users: HashMap<String, User>, events: Vec<FeedbackEvent>) -> FeedbackData {
    let mut by_user: BTreeMap<String, Vec<FeedbackEvent>> = BTreeMap::new();
    for e in &events {
        by_user
            .entry(e.user_id.to_string())
            .or_default()
            .push(e.clone());
    }
    let mut hash = Fnv::new();
    let mut out = Vec::new();
    for (id, mut evs) in by_user {
        let Some(user) = users.get(&id) else { continue };
        evs.sort_by(|a, b| {
            order_key(&a.ts)
                .cmp(&order_key(&b.ts))
                .then_with(|| a.id.cmp(&b.id))
        });
        hash.write(&serde_json::to_vec(&user.profile).unwrap_or_default());
        for e in &evs {
            hash.write(e.community_id.as_bytes());
            hash.write(e.kind.as_str().as_bytes());
            hash.write(e.ts.as_bytes());
            if let Some(p) = e.position {
                hash.write(&p.to_le_bytes());
            }
        }
        let history = History::from_events(&evs);
        if history.joined.is_empty() {
            continue;
        }
        let mut positions: HashMap<String, u32> = HashMap::new();
        for e in &evs {
            if let Some(p) = e.position {
                let best = positions.entry(e.community_id.to_string()).or_insert(p);
                *best = (*best).min(p);
            }
        }
        out.push(UserData {
            user: user.clone(),
            joined: history
                .joined
                .into_iter()
                .map(CommunityId::into_string)
                .collect(),
            clicked: history
                .clicked
                .into_iter()
                .map(CommunityId::into_string)
                .collect(),
            positions,
        });
    }
    FeedbackData {
        users: out,
        events: events.len(),
        hash: format!("fnv1a64:{:016x}", hash.0),
    }
}

/// Splits users into (train, held-out) by a hash of their id, so a user is
/// never on both sides and the split does not depend on the order of events.
pub fn split(users: &[UserData], holdout: f64, seed: u64) -> (Vec<UserData>, Vec<UserData>) {
    users
        .iter()
        .cloned()
        .partition(|u| !held_out(u.user.id.as_bytes(), holdout, seed))
}

/// Whether `key` falls in the held-out share `holdout` for `seed`.
pub fn held_out(key: &[u8], holdout: f64, seed: u64) -> bool {
    let mut h = Fnv::new();
    h.write(&seed.to_le_bytes());
    h.write(key);
    ((h.0 % 10_000) as f64) < holdout * 10_000.0
}

/// FNV-1a, 64 bit: stable across platforms and Rust versions.
pub struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}
