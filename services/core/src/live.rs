//! The store requests use: the active index version, swappable while serving.
//!
//! A re-index builds a new version beside the active one. While it runs, every
//! write goes to both (a "shadow" write), and the copy of each page of the old
//! index happens under the same lock as writes, so a write is never overtaken
//! by an older copy of the same community. When the copy is done the catalog
//! switches versions atomically and [`LiveIndex`] swaps the store it reads from;
//! requests already running finish on the old one, which stays open.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use crate::community::Community;
use crate::ports::{
    CommunityRecord, IndexCatalog, IndexVersion, SearchHits, StoreError, VectorQuery, VectorStore,
    Vocabulary,
};

struct Serving {
    version: IndexVersion,
    store: Arc<dyn VectorStore>,
    /// The version being built, if any; it receives every write too.
    shadow: Option<Arc<dyn VectorStore>>,
}

pub struct LiveIndex {
    catalog: Arc<dyn IndexCatalog>,
    serving: RwLock<Serving>,
    /// Writes and re-index page copies take turns (see the module docs).
    writes: tokio::sync::Mutex<()>,
}

impl LiveIndex {
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
        }
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
    }

    fn targets(&self) -> (Arc<dyn VectorStore>, Option<Arc<dyn VectorStore>>) {
        let state = self.read();
        (state.store.clone(), state.shadow.clone())
    }
}

#[async_trait]
impl VectorStore for LiveIndex {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        let _turn = self.writes.lock().await;
        let (store, shadow) = self.targets();
        if let Some(shadow) = shadow {
            shadow.upsert(records.clone()).await?;
        }
        store.upsert(records).await
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let _turn = self.writes.lock().await;
        let (store, shadow) = self.targets();
        if let Some(shadow) = shadow {
            shadow.delete(id).await?;
        }
        store.delete(id).await
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        self.current().get(id).await
    }

    async fn list(&self, offset: usize, limit: usize) -> Result<Vec<Community>, StoreError> {
        self.current().list(offset, limit).await
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

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.current().search(query).await
    }

    async fn vocabulary(&self) -> Result<Vocabulary, StoreError> {
        self.current().vocabulary().await
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.current().check().await
    }

    async fn close(&self) -> Result<(), StoreError> {
        let _turn = self.writes.lock().await;
        self.catalog.close().await
    }
}
