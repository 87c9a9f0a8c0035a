//! The communities of one index version in the embedded store: one
//! qdrant-edge shard directory on local disk.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use copmatch_core::{
    Community, CommunityId, CommunityRecord, FacetValues, SearchHits, StoreError, StoreFilter,
    VectorQuery, VectorStore,
};
use parking_lot::{Mutex, RwLock};
use qdrant_edge::{
    CountRequest, FacetRequest, FacetValue, PointId, PointInsertOperations, PointOperations,
    ScrollRequest, UpdateOperation, VectorInternal, WithPayloadInterface, WithVector,
};

use super::keyword_stats;
use super::layout;
use super::optimizer::Optimizer;
use super::points::{self, nearest};
use super::read_cache::ReadCache;
use super::shard::{internal, Inner};
use crate::cut::{cut_ties, widen, with_margin};
use crate::keywords::{Keywords, KEYWORD_VECTOR};
use crate::tuning::IndexTuning;

/// Settings of the embedded store.
#[derive(Debug, Clone)]
pub struct EdgeStoreOptions {
    /// Quiet time after the last write before the index is optimized.
    pub optimize_debounce: Duration,
    /// Used when the shard is created (graph, quantization) and per search.
    pub tuning: IndexTuning,
    /// Communities kept decoded for searches (see `read_cache`).
    pub read_cache_capacity: usize,
}

impl Default for EdgeStoreOptions {
    fn default() -> Self {
        Self {
            optimize_debounce: Duration::from_secs(2),
            tuning: IndexTuning::default(),
            read_cache_capacity: 20_000,
        }
    }
}

/// The embedded Qdrant store.
#[derive(Clone)]
pub struct EdgeStore {
    inner: Arc<Inner>,
    optimizer: Arc<Optimizer>,
}

impl EdgeStore {
    /// Opens the shard at `path`, creating it (with payload indexes) if absent
    /// and migrating it if an older copmatch created it. Fails if another
    /// process holds it or if it was built for another vector dimension.
    pub fn open(
        path: &Path,
        dimension: usize,
        options: EdgeStoreOptions,
    ) -> Result<Self, StoreError> {
        let keywords = Keywords::new();
        let shard = layout::open_current(path, dimension, &keywords, &options.tuning)?;
        let stored_dim = shard.config().vectors.get("").map(|v| v.size);
        if stored_dim != Some(dimension) {
            return Err(StoreError::Internal(format!(
                "the store at {} holds vectors of dimension {stored_dim:?}, the model produces {dimension}",
                path.display()
            )));
        }
        let stats = keyword_stats::scan(&shard)?;
        let inner = Arc::new(Inner {
            path: path.to_path_buf(),
            shard: RwLock::new(Some(Arc::new(shard))),
            write_lock: Mutex::new(()),
            keywords,
            stats: RwLock::new(stats),
            search_params: options.tuning.edge_search_params(),
            read_cache: ReadCache::new(options.read_cache_capacity),
        });
        let for_optimizer = Arc::downgrade(&inner);
        let optimizer = Optimizer::start(options.optimize_debounce, move || {
            if let Some(inner) = for_optimizer.upgrade() {
                // A closed store has nothing left to index.
                match inner.optimize() {
                    Ok(()) | Err(StoreError::Unavailable(_)) => {}
                    Err(e) => tracing::error!(error = %e, "optimizing the vector index failed"),
                }
            }
        });
        Ok(Self {
            inner,
            optimizer: Arc::new(optimizer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs the blocking engine call on tokio's blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| StoreError::Internal(format!("a store task failed: {e}")))?
    }

    fn retrieve(
        inner: &Inner,
        id: &str,
        with_vector: bool,
    ) -> Result<Option<qdrant_edge::Record>, StoreError> {
        let shard = inner.shard()?;
        let mut records = shard
            .retrieve(
                &[points::point_id(id)],
                Some(WithPayloadInterface::Bool(true)),
                Some(WithVector::Bool(with_vector)),
            )
            .map_err(internal)?;
        Ok(records.pop())
    }
}

#[async_trait]
impl VectorStore for EdgeStore {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        self.blocking(move |inner| {
            // The last of one id in a batch is what stays stored.
            let mut last: HashMap<PointId, usize> = HashMap::new();
            for (i, r) in records.iter().enumerate() {
                last.insert(points::point_id(&r.community.id), i);
            }
            let (points, added): (Vec<_>, Vec<_>) = records
                .into_iter()
                .enumerate()
                .filter(|(i, r)| last[&points::point_id(&r.community.id)] == *i)
                .map(|(_, r)| layout::point(&inner.keywords, &r.community, r.vector))
                .unzip();
            let touched: Vec<PointId> = last.into_keys().collect();
            inner.write(
                vec![UpdateOperation::PointOperation(
                    PointOperations::UpsertPoints(PointInsertOperations::PointsList(points)),
                )],
                &touched,
                added,
            )
        })
        .await?;
        self.optimizer.mark_dirty();
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        let deleted = self
            .blocking(move |inner| {
                if Self::retrieve(inner, &id, false)?.is_none() {
                    return Ok(false);
                }
                let ids: Vec<PointId> = vec![points::point_id(&id)];
                inner.write(
                    vec![UpdateOperation::PointOperation(
                        PointOperations::DeletePoints { ids: ids.clone() },
                    )],
                    &ids,
                    Vec::new(),
                )?;
                Ok(true)
            })
            .await?;
        if deleted {
            self.optimizer.mark_dirty();
        }
        Ok(deleted)
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        let id = id.to_string();
        self.blocking(move |inner| {
            Self::retrieve(inner, &id, true)?
                .map(|r| points::record_from_point(&r).map_err(StoreError::Internal))
                .transpose()
        })
        .await
    }

    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        let wanted: Vec<PointId> = ids.iter().map(|id| points::point_id(id)).collect();
        self.blocking(move |inner| {
            let records = inner
                .shard()?
                .retrieve(
                    &wanted,
                    Some(WithPayloadInterface::Bool(true)),
                    Some(WithVector::Bool(true)),
                )
                .map_err(internal)?;
            let mut by_id: HashMap<PointId, qdrant_edge::Record> =
                records.into_iter().map(|r| (r.id, r)).collect();
            wanted
                .iter()
                .filter_map(|id| by_id.remove(id))
                .map(|r| points::record_from_point(&r).map_err(StoreError::Internal))
                .collect()
        })
        .await
    }

    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        let filter = points::to_filter(filter);
        self.blocking(move |inner| {
            let (records, _) = inner
                .shard()?
                .scroll(ScrollRequest {
                    offset: None,
                    limit: Some(offset + limit),
                    filter,
                    with_payload: Some(WithPayloadInterface::Bool(true)),
                    with_vector: WithVector::Bool(false),
                    order_by: None,
                })
                .map_err(internal)?;
            records
                .iter()
                .skip(offset)
                .map(|r| points::community_from_point(r).map_err(StoreError::Internal))
                .collect()
        })
        .await
    }

    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        self.blocking(move |inner| {
            let offset = cursor.as_deref().map(points::parse_cursor).transpose()?;
            let (records, next) = inner
                .shard()?
                .scroll(ScrollRequest {
                    offset,
                    limit: Some(limit),
                    filter: None,
                    with_payload: Some(WithPayloadInterface::Bool(true)),
                    with_vector: WithVector::Bool(false),
                    order_by: None,
                })
                .map_err(internal)?;
            let page = records
                .iter()
                .map(|r| points::community_from_point(r).map_err(StoreError::Internal))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((page, next.map(|id| id.to_string())))
        })
        .await
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.count_matching(&StoreFilter::default()).await
    }

    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        let filter = points::to_filter(filter);
        self.blocking(move |inner| {
            inner
                .shard()?
                .count(CountRequest {
                    filter,
                    exact: true,
                })
                .map_err(internal)
        })
        .await
    }

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.blocking(move |inner| {
            let shard = inner.shard()?;
            let filter = points::to_filter(&query.filter);
            let params = inner.search_params;
            let dense = nearest(
                &shard,
                &inner.read_cache,
                VectorInternal::Dense(query.vector),
                None,
                filter.clone(),
                query.limit,
                params,
            )?;
            let keyword = match query
                .keywords
                .as_deref()
                .and_then(|text| inner.keywords.query(text, &inner.stats.read()))
            {
                Some(sparse) => {
                    let mut asked = with_margin(query.limit);
                    loop {
                        let hits = nearest(
                            &shard,
                            &inner.read_cache,
                            VectorInternal::Sparse(sparse.clone()),
                            Some(KEYWORD_VECTOR),
                            filter.clone(),
                            asked,
                            params,
                        )?;
                        match widen(&hits, asked, query.limit) {
                            Some(more) => asked = more,
                            None => break cut_ties(hits, query.limit),
                        }
                    }
                }
                None => Vec::new(),
            };
            Ok(SearchHits { dense, keyword })
        })
        .await
    }

    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError> {
        self.blocking(|inner| {
            let shard = inner.shard()?;
            let keys = |field: &str| -> Result<Vec<String>, StoreError> {
                let response = shard
                    .facet(FacetRequest {
                        key: field
                            .try_into()
                            .expect("static field names are valid JSON paths"),
                        limit: 100_000,
                        filter: None,
                        exact: false,
                    })
                    .map_err(internal)?;
                Ok(response
                    .hits
                    .into_iter()
                    .filter_map(|hit| match hit.value {
                        FacetValue::Keyword(k) => Some(k),
                        _ => None,
                    })
                    .collect())
            };
            Ok(Arc::new(FacetValues {
                category_keys: keys("category_keys")?,
                language_keys: keys("language_keys")?,
            }))
        })
        .await
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.inner.shard().map(|_| ())
    }

    /// Builds the vector index now instead of waiting for the debounced
    /// background pass.
    async fn settle(&self) -> Result<(), StoreError> {
        self.blocking(|inner| inner.optimize()).await
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.optimizer.stop();
        self.blocking(|inner| {
            let shard = inner.shard.write().take();
            if let Some(shard) = shard {
                let _guard = inner.write_lock.lock();
                shard.flush();
            }
            Ok(())
        })
        .await
    }
}
