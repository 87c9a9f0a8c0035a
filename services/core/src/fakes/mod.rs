//! In-memory versions of every port, for tests that exercise the use cases in
//! milliseconds without libtorch, a model or a store on disk.
//!
//! They keep each port's contract (durable means "kept in memory" here) but
//! not its quality: [`WordEmbedder`] hashes words into a vector, so texts that
//! share words are close and texts that share none are orthogonal, and
//! [`MemoryStore`] scores keywords by the number of query words a community's
//! text holds. The real ports are tested by the store conformance suite and
//! the HTTP suite; these are for the plumbing around them.

mod records;
mod store;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::active_index::ActiveIndex;
use crate::ports::Embedder;
use crate::progress::NoProgress;
use crate::reindex::open_active_index;
use crate::service::{Limits, Services};
use copmatch_domain::community::Community;
use copmatch_domain::error::EmbedError;
use copmatch_ranking::{normalize, RankingWeights};

pub use records::{MemoryLivenessLog, MemoryQueue, MemoryUsers};

/// The services over an empty in-memory index and a [`WordEmbedder`]
/// of `dimension`, with default weights and limits.
pub async fn memory_service(dimension: usize) -> (Services, Arc<ActiveIndex>, Arc<WordEmbedder>) {
    let (service, index, embedder, _) = memory_service_with_calls(dimension).await;
    (service, index, embedder)
}

/// [`memory_service`], with the count of the calls its store answers (below
/// the active index, where each call would be a round trip to a real store).
pub async fn memory_service_with_calls(
    dimension: usize,
) -> (
    Services,
    Arc<ActiveIndex>,
    Arc<WordEmbedder>,
    Arc<StoreCalls>,
) {
    let embedder = Arc::new(WordEmbedder::new(dimension));
    let catalog = Arc::new(MemoryCatalog::default());
    let calls = catalog.calls();
    let index = open_active_index(catalog, embedder.clone(), &NoProgress)
        .await
        .expect("an empty in-memory index opens");
    let service = Services::new(
        embedder.clone(),
        index.clone(),
        RankingWeights::default(),
        Limits::default(),
    );
    (service, index, embedder, calls)
}
pub use store::{MemoryCatalog, MemoryStore, StoreCalls};

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
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

/// A community id a test names (panics on an invalid one).
pub fn cid(raw: &str) -> copmatch_domain::ids::CommunityId {
    copmatch_domain::ids::CommunityId::parse(raw).expect("a valid community id")
}

/// A user id a test names (panics on an invalid one).
pub fn uid(raw: &str) -> copmatch_domain::ids::UserId {
    copmatch_domain::ids::UserId::parse(raw).expect("a valid user id")
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

/// Prompt checks asked for, in order (the [`crate::ports::Rechecks`] of
/// tests; the API's real one runs them on the liveness checker).
#[derive(Default)]
pub struct RecordedRechecks(std::sync::Mutex<Vec<copmatch_domain::ids::CommunityId>>);

impl RecordedRechecks {
    pub fn requested(&self) -> Vec<copmatch_domain::ids::CommunityId> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl crate::ports::Rechecks for RecordedRechecks {
    fn request(&self, id: &copmatch_domain::ids::CommunityId) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(id.clone());
        true
    }
}

/// A report desk over `catalog` with an in-memory queue, recorded prompt
/// checks, a 24-hour recheck window and `clock`.
pub fn report_desk(
    catalog: crate::service::Catalog,
    clock: Arc<dyn copmatch_domain::time::Clock>,
) -> (
    crate::reports::ReportDesk,
    crate::moderator::Moderator,
    Arc<RecordedRechecks>,
) {
    let moderator = crate::moderator::Moderator::new(catalog, Arc::new(MemoryQueue::default()));
    let rechecks = Arc::new(RecordedRechecks::default());
    let desk = crate::reports::ReportDesk::new(moderator.clone(), rechecks.clone(), 24, clock);
    (desk, moderator, rechecks)
}
