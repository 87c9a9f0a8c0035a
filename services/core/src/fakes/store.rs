//! The community store and its index versions, in memory.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{lock, words};
use crate::ports::{
    CommunityRecord, FacetValues, IndexCatalog, IndexVersion, ScoredRecord, SearchHits,
    StoreFilter, VectorQuery, VectorStore,
};
use copmatch_domain::community::Community;
use copmatch_domain::error::StoreError;
use copmatch_domain::ids::CommunityId;
use copmatch_ranking::dot;

fn matches(filter: &StoreFilter, c: &Community) -> bool {
    (filter.platforms.is_empty() || filter.platforms.contains(&c.platform))
        && (filter.category_keys.is_empty()
            || c.category_keys()
                .iter()
                .any(|k| filter.category_keys.contains(k)))
        && (filter.language_keys.is_empty()
            || c.language_keys()
                .iter()
                .any(|k| filter.language_keys.contains(k)))
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

/// How many times each store operation was called, over every index version
/// of one [`MemoryCatalog`]: one call is one round trip on a real store.
#[derive(Default)]
pub struct StoreCalls(Mutex<BTreeMap<&'static str, usize>>);

impl StoreCalls {
    /// Calls of each operation so far.
    pub fn snapshot(&self) -> BTreeMap<&'static str, usize> {
        lock(&self.0).clone()
    }

    /// Calls of every operation so far.
    pub fn total(&self) -> usize {
        lock(&self.0).values().sum()
    }

    pub fn reset(&self) {
        lock(&self.0).clear();
    }
}

/// Communities in a map ordered by id; searches scan them all.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, CommunityRecord>>,
    closed: AtomicBool,
    calls: Arc<StoreCalls>,
}

impl MemoryStore {
    fn count_call(&self, operation: &'static str) {
        *lock(&self.calls.0).entry(operation).or_default() += 1;
    }

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
        self.count_call("upsert");
        let mut map = self.open()?;
        for r in records {
            map.insert(r.community.id.to_string(), r);
        }
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.count_call("delete");
        Ok(self.open()?.remove(id).is_some())
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        self.count_call("get");
        Ok(self.open()?.get(id).cloned())
    }

    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        self.count_call("get_many");
        let map = self.open()?;
        Ok(ids
            .iter()
            .filter_map(|id| map.get(id.as_str()).cloned())
            .collect())
    }

    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        self.count_call("list");
        let map = self.open()?;
        Ok(map
            .values()
            .filter(|r| matches(filter, &r.community))
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
        self.count_call("scroll");
        let map = self.open()?;
        let mut page: Vec<Community> = map
            .range(cursor.unwrap_or_default()..)
            .take(limit + 1)
            .map(|(_, r)| r.community.clone())
            .collect();
        let next = (page.len() > limit)
            .then(|| page.pop().map(|c| c.id.into_string()))
            .flatten();
        Ok((page, next))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.count_call("count");
        Ok(self.open()?.len())
    }

    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        self.count_call("count");
        Ok(self
            .open()?
            .values()
            .filter(|r| matches(filter, &r.community))
            .count())
    }

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.count_call("search");
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

    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError> {
        self.count_call("facet_values");
        let map = self.open()?;
        let mut facets = FacetValues::default();
        for r in map.values() {
            facets.category_keys.extend(r.community.category_keys());
            facets.language_keys.extend(r.community.language_keys());
        }
        for keys in [&mut facets.category_keys, &mut facets.language_keys] {
            keys.sort();
            keys.dedup();
        }
        Ok(Arc::new(facets))
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.count_call("check");
        self.open().map(|_| ())
    }

    async fn settle(&self) -> Result<(), StoreError> {
        // Every search here is a full scan: nothing is ever pending.
        self.count_call("settle");
        self.open().map(|_| ())
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.count_call("close");
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Index versions, each a [`MemoryStore`], and the active one.
#[derive(Default)]
pub struct MemoryCatalog {
    versions: Mutex<Vec<(IndexVersion, Arc<MemoryStore>)>>,
    active: Mutex<Option<String>>,
    calls: Arc<StoreCalls>,
}

impl MemoryCatalog {
    /// The calls made to this catalog's stores (every version).
    pub fn calls(&self) -> Arc<StoreCalls> {
        self.calls.clone()
    }

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
        Ok(lock(&self.versions)
            .iter()
            .map(|(v, _)| v.clone())
            .collect())
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
        let store = Arc::new(MemoryStore {
            calls: self.calls.clone(),
            ..MemoryStore::default()
        });
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
