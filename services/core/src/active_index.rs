//! The store requests use: the active index version, swappable while serving.
//!
//! A re-index builds a new version beside the active one. While it runs, every
//! write goes to both (a "shadow" write), and the copy of each page of the old
//! index happens under the same lock as writes, so a write is never overtaken
//! by an older copy of the same community. When the copy is done the catalog
//! switches versions atomically and [`ActiveIndex`] swaps the store it reads from;
//! requests already running finish on the old one, which stays open.
//!
//! The filter values a store holds ([`FacetValues`]) are asked for by every
//! request that filters by category or language, and computing them scans a
//! facet of the whole index. They are kept here per index version and write
//! generation: every write through this index and every version switch drops
//! them. On a Qdrant server other replicas write too, so a kept value also
//! expires after [`FACETS_MAX_AGE`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::ports::{
    CommunityRecord, FacetValues, IndexCatalog, IndexVersion, SearchHits, StoreError, StoreFilter,
    VectorQuery, VectorStore,
};
use copmatch_domain::community::Community;
use copmatch_domain::ids::CommunityId;

struct Serving {
    version: IndexVersion,
    store: Arc<dyn VectorStore>,
    /// The version being built, if any; it receives every write too.
    shadow: Option<Arc<dyn VectorStore>>,
}

/// How long kept facet values may serve at most: how late a filter value that
/// another replica just wrote can be refused as unknown.
pub const FACETS_MAX_AGE: Duration = Duration::from_secs(10);

/// Facet values computed at one write generation.
struct KeptFacets {
    generation: u64,
    at: Instant,
    values: Arc<FacetValues>,
}

pub struct ActiveIndex {
    catalog: Arc<dyn IndexCatalog>,
    serving: RwLock<Serving>,
    /// Writes and re-index page copies take turns (see the module docs).
    writes: tokio::sync::Mutex<()>,
    /// Bumped by every write and version switch; kept facets of an older
    /// generation are not served.
    generation: AtomicU64,
    facets: Mutex<Option<KeptFacets>>,
}

impl ActiveIndex {
    pub fn new(
        catalog: Arc<dyn IndexCatalog>,
        version: IndexVersion,
        store: Arc<dyn VectorStore>,
    ) -> Self {
        Self {
            catalog,
            serving: RwLock::new(Serving {
                version,
                store,
                shadow: None,
            }),
            writes: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            facets: Mutex::new(None),
        }
    }

    /// Marks every kept derived value (facets) as stale.
    fn written(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn kept_facets(&self, generation: u64) -> Option<Arc<FacetValues>> {
        let kept = self.facets.lock().unwrap_or_else(|p| p.into_inner());
        kept.as_ref()
            .filter(|k| k.generation == generation && k.at.elapsed() < FACETS_MAX_AGE)
            .map(|k| k.values.clone())
    }

    pub fn catalog(&self) -> &Arc<dyn IndexCatalog> {
        &self.catalog
    }

    pub fn active_version(&self) -> IndexVersion {
        self.read().version.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Serving> {
        self.serving
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, Serving> {
        self.serving
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn current(&self) -> Arc<dyn VectorStore> {
        self.read().store.clone()
    }

    /// Starts sending writes to `target` too. Fails if a re-index is running.
    pub(crate) fn begin_shadow(&self, target: Arc<dyn VectorStore>) -> Result<(), StoreError> {
        let mut state = self.write_state();
        if state.shadow.is_some() {
            return Err(StoreError::Busy("a re-index is already running".into()));
        }
        state.shadow = Some(target);
        Ok(())
    }

    pub(crate) fn end_shadow(&self) {
        self.write_state().shadow = None;
    }

    /// Holds writes back while the caller copies one page.
    pub(crate) async fn pause_writes(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    /// Switches to `version` (already activated in the catalog) and stops
    /// shadowing.
    pub(crate) fn switch(&self, version: IndexVersion, store: Arc<dyn VectorStore>) {
        let mut state = self.write_state();
        *state = Serving {
            version,
            store,
            shadow: None,
        };
        self.written();
    }

    fn targets(&self) -> (Arc<dyn VectorStore>, Option<Arc<dyn VectorStore>>) {
        let state = self.read();
        (state.store.clone(), state.shadow.clone())
    }
}

#[async_trait]
impl VectorStore for ActiveIndex {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        let _turn = self.writes.lock().await;
        let (store, shadow) = self.targets();
        if let Some(shadow) = shadow {
            shadow.upsert(records.clone()).await?;
        }
        let written = store.upsert(records).await;
        self.written();
        written
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let _turn = self.writes.lock().await;
        let (store, shadow) = self.targets();
        if let Some(shadow) = shadow {
            shadow.delete(id).await?;
        }
        let deleted = store.delete(id).await;
        self.written();
        deleted
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        self.current().get(id).await
    }

    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        self.current().get_many(ids).await
    }

    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        self.current().list(filter, offset, limit).await
    }

    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        self.current().scroll(cursor, limit).await
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.current().count().await
    }

    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        self.current().count_matching(filter).await
    }

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.current().search(query).await
    }

    async fn settle(&self) -> Result<(), StoreError> {
        let (store, shadow) = self.targets();
        if let Some(shadow) = shadow {
            shadow.settle().await?;
        }
        store.settle().await
    }

    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError> {
        // Read before asking the store: a write that lands meanwhile bumps
        // it, so what is computed here is kept under the older number and
        // never served after that write.
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(values) = self.kept_facets(generation) {
            return Ok(values);
        }
        let values = self.current().facet_values().await?;
        *self.facets.lock().unwrap_or_else(|p| p.into_inner()) = Some(KeptFacets {
            generation,
            at: Instant::now(),
            values: values.clone(),
        });
        Ok(values)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.current().check().await
    }

    async fn close(&self) -> Result<(), StoreError> {
        let _turn = self.writes.lock().await;
        self.catalog.close().await
    }
}
