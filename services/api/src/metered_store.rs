//! The store as the service sees it, timed: every call's latency and every
//! failure, by backend and operation, go to the metrics
//! (`copmatch_store_call_duration_seconds`, `copmatch_store_errors_total`).

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use copmatch_core::{
    Community, CommunityId, CommunityRecord, FacetValues, SearchHits, StoreError, StoreFilter,
    VectorQuery, VectorStore,
};

/// A [`VectorStore`] that records how each call went.
pub struct MeteredStore {
    inner: Arc<dyn VectorStore>,
    backend: &'static str,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn VectorStore>, backend: &'static str) -> Self {
        Self { inner, backend }
    }

    async fn timed<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let started = Instant::now();
        let result = call.await;
        metrics::histogram!("copmatch_store_call_duration_seconds",
            "backend" => self.backend, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
        if result.is_err() {
            metrics::counter!("copmatch_store_errors_total",
                "backend" => self.backend, "operation" => operation)
            .increment(1);
        }
        result
    }
}

#[async_trait]
impl VectorStore for MeteredStore {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        self.timed("upsert", self.inner.upsert(records)).await
    }
    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.timed("delete", self.inner.delete(id)).await
    }
    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        self.timed("get", self.inner.get(id)).await
    }
    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        self.timed("get_many", self.inner.get_many(ids)).await
    }
    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        self.timed("list", self.inner.list(filter, offset, limit))
            .await
    }
    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        self.timed("scroll", self.inner.scroll(cursor, limit)).await
    }
    async fn count(&self) -> Result<usize, StoreError> {
        self.timed("count", self.inner.count()).await
    }
    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        self.timed("count_matching", self.inner.count_matching(filter))
            .await
    }
    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.timed("search", self.inner.search(query)).await
    }
    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError> {
        self.timed("facet_values", self.inner.facet_values()).await
    }
    async fn check(&self) -> Result<(), StoreError> {
        self.timed("check", self.inner.check()).await
    }
    async fn settle(&self) -> Result<(), StoreError> {
        self.timed("settle", self.inner.settle()).await
    }
    async fn close(&self) -> Result<(), StoreError> {
        self.timed("close", self.inner.close()).await
    }
}
