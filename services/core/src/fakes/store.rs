//! The community store and its index versions, in memory.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{lock, words};
use crate::community::Community;
use crate::error::StoreError;
use crate::ports::{
    CommunityRecord, IndexCatalog, IndexVersion, ScoredRecord, SearchHits, StoreFilter,
    VectorQuery, VectorStore, Vocabulary,
};
use crate::ranking::dot;

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
        let next = (page.len() > limit)
            .then(|| page.pop().map(|c| c.id))
            .flatten();
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
