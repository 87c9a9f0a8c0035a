//! In-memory versions of every port, for tests that exercise the use cases in
//! milliseconds without libtorch, a model or a store on disk.
//!
//! They keep each port's contract (durable means "kept in memory" here) but
//! not its quality: [`WordEmbedder`] hashes words into a vector, so texts that
//! share words are close and texts that share none are orthogonal, and
//! [`MemoryStore`] scores keywords by the number of query words a community's
//! text holds. The real ports are tested by the store conformance suite and
//! the HTTP suite; these are for the plumbing around them.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::community::Community;
use crate::error::{EmbedError, StoreError};
use crate::feedback::{FeedbackEvent, FeedbackKind, User};
use crate::ports::{
    CommunityRecord, Embedder, IndexCatalog, IndexVersion, ModerationQueue, ScoredRecord,
    SearchHits, StoreFilter, UserStore, VectorQuery, VectorStore, Vocabulary,
};
use crate::ranking::{dot, normalize};
use crate::submissions::{ItemState, ModerationItem};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A bag-of-words embedder: each word adds to one of `dimension` buckets
/// (FNV-1a hash), and the sum is normalized.
pub struct WordEmbedder {
    dimension: usize,
    calls: AtomicUsize,
    texts: AtomicUsize,
    ready: AtomicBool,
}

impl WordEmbedder {
    pub fn new(dimension: usize) -> Self {
        Self {
            dimension,
            calls: AtomicUsize::new(0),
            texts: AtomicUsize::new(0),
            ready: AtomicBool::new(true),
        }
    }

    /// How many `embed` calls, and how many texts in all, it has answered.
    pub fn usage(&self) -> (usize, usize) {
        (
            self.calls.load(Ordering::SeqCst),
            self.texts.load(Ordering::SeqCst),
        )
    }

    /// Makes every later call fail as a dead model would.
    pub fn fail(&self) {
        self.ready.store(false, Ordering::SeqCst);
    }

    pub fn vector(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0.0f32; self.dimension];
        for word in words(text) {
            let hash = word.bytes().fold(0xcbf29ce484222325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
            });
            v[(hash % self.dimension as u64) as usize] += 1.0;
        }
        if v.iter().all(|x| *x == 0.0) {
            v[0] = 1.0;
        }
        normalize(v)
    }
}

#[async_trait]
impl Embedder for WordEmbedder {
    fn model_id(&self) -> &str {
        "fake-words"
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        if !self.is_ready() {
            return Err(EmbedError::Unavailable("the fake model was stopped".into()));
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        Ok(texts.iter().map(|t| self.vector(t)).collect())
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

fn matches(filter: &StoreFilter, c: &Community) -> bool {
    (filter.platforms.is_empty() || filter.platforms.contains(&c.platform))
        && (filter.category_keys.is_empty()
            || c.category_keys().iter().any(|k| filter.category_keys.contains(k)))
        && (filter.language_keys.is_empty()
            || c.language_keys().iter().any(|k| filter.language_keys.contains(k)))
        && filter.cost.is_none_or(|cost| c.cost == cost)
        && !filter.exclude_ids.contains(&c.id)
        && !filter.exclude_statuses.contains(&c.status)
}

fn keyword_score(query: &str, c: &Community) -> f32 {
    let text: Vec<String> = words(&format!(
        "{} {} {} {}",
        c.name,
        c.categories.join(" "),
        c.tags.join(" "),
        c.description.as_deref().unwrap_or("")
    ))
    .collect();
    words(query).filter(|w| text.contains(w)).count() as f32
}

/// Communities in a map ordered by id; searches scan them all.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, CommunityRecord>>,
    closed: AtomicBool,
}

impl MemoryStore {
    fn open(&self) -> Result<MutexGuard<'_, BTreeMap<String, CommunityRecord>>, StoreError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the memory store is closed".into()));
        }
        Ok(lock(&self.records))
    }
}

#[async_trait]
impl VectorStore for MemoryStore {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        let mut map = self.open()?;
        for r in records {
            map.insert(r.community.id.clone(), r);
        }
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.open()?.remove(id).is_some())
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        Ok(self.open()?.get(id).cloned())
    }

    async fn list(&self, offset: usize, limit: usize) -> Result<Vec<Community>, StoreError> {
        let map = self.open()?;
        Ok(map
            .values()
            .skip(offset)
            .take(limit)
            .map(|r| r.community.clone())
            .collect())
    }

    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        let map = self.open()?;
        let mut page: Vec<Community> = map
            .range(cursor.unwrap_or_default()..)
            .take(limit + 1)
            .map(|(_, r)| r.community.clone())
            .collect();
        let next = (page.len() > limit).then(|| page.pop().map(|c| c.id)).flatten();
        Ok((page, next))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        Ok(self.open()?.len())
    }

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        let map = self.open()?;
        let eligible: Vec<&CommunityRecord> = map
            .values()
            .filter(|r| matches(&query.filter, &r.community))
            .collect();
        let ranked = |score: &dyn Fn(&CommunityRecord) -> f32| {
            let mut hits: Vec<ScoredRecord> = eligible
                .iter()
                .map(|r| ScoredRecord {
                    community: r.community.clone(),
                    vector: r.vector.clone(),
                    score: score(r),
                })
                .filter(|h| h.score > 0.0)
                .collect();
            hits.sort_by(|a, b| b.score.total_cmp(&a.score));
            hits.truncate(query.limit);
            hits
        };
        let dense = ranked(&|r| dot(&r.vector, &query.vector).max(f32::MIN_POSITIVE));
        let keyword = match &query.keywords {
            Some(words) => ranked(&|r| keyword_score(words, &r.community)),
            None => Vec::new(),
        };
        Ok(SearchHits { dense, keyword })
    }

    async fn vocabulary(&self) -> Result<Vocabulary, StoreError> {
        let map = self.open()?;
        let mut vocabulary = Vocabulary::default();
        for r in map.values() {
            vocabulary.category_keys.extend(r.community.category_keys());
            vocabulary.language_keys.extend(r.community.language_keys());
        }
        for keys in [&mut vocabulary.category_keys, &mut vocabulary.language_keys] {
            keys.sort();
            keys.dedup();
        }
        Ok(vocabulary)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.open().map(|_| ())
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Index versions, each a [`MemoryStore`], and the active one.
#[derive(Default)]
pub struct MemoryCatalog {
    versions: Mutex<Vec<(IndexVersion, Arc<MemoryStore>)>>,
    active: Mutex<Option<String>>,
}

impl MemoryCatalog {
    fn store_of(&self, version: &IndexVersion) -> Result<Arc<MemoryStore>, StoreError> {
        lock(&self.versions)
            .iter()
            .find(|(v, _)| v.name == version.name)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| StoreError::Internal(format!("no index version {}", version.name)))
    }
}

#[async_trait]
impl IndexCatalog for MemoryCatalog {
    async fn versions(&self) -> Result<Vec<IndexVersion>, StoreError> {
        Ok(lock(&self.versions).iter().map(|(v, _)| v.clone()).collect())
    }

    async fn active(&self) -> Result<Option<IndexVersion>, StoreError> {
        let active = lock(&self.active).clone();
        Ok(active.and_then(|name| {
            lock(&self.versions)
                .iter()
                .find(|(v, _)| v.name == name)
                .map(|(v, _)| v.clone())
        }))
    }

    async fn create(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        let store = Arc::new(MemoryStore::default());
        let mut versions = lock(&self.versions);
        versions.retain(|(v, _)| v.name != version.name);
        versions.push((version.clone(), store.clone()));
        Ok(store)
    }

    async fn activate(&self, version: &IndexVersion) -> Result<(), StoreError> {
        self.store_of(version)?;
        *lock(&self.active) = Some(version.name.clone());
        Ok(())
    }

    async fn serving(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        Ok(self.store_of(version)?)
    }

    async fn delete_inactive(&self, version: &IndexVersion) -> Result<(), StoreError> {
        lock(&self.versions).retain(|(v, _)| v.name != version.name);
        Ok(())
    }

    async fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

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
        lock(&self.users).insert(user.id.clone(), user);
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
        let start: usize = cursor.as_deref().map_or(Ok(0), str::parse).map_err(|_| {
            StoreError::Internal("not a cursor of the memory user store".into())
        })?;
        let events = lock(&self.events);
        let page: Vec<FeedbackEvent> = events.iter().skip(start).take(limit).cloned().collect();
        let end = start + page.len();
        Ok((page, (end < events.len()).then(|| end.to_string())))
    }
}

/// A community with the fields tests set; the rest default.
pub fn community(id: &str, name: &str, categories: &[&str], description: &str) -> Community {
    let line = serde_json::json!({
        "id": id,
        "name": name,
        "url": format!("https://{id}.example.org"),
        "platform": "forum",
        "categories": categories,
        "languages": ["English"],
        "description": description,
    });
    Community::from_json_value(line).expect("a valid fake community")
}
