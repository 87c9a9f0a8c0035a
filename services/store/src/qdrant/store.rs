//! Communities in one Qdrant collection (or alias).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::{
    Community, CommunityId, CommunityRecord, FacetValues, ScoredRecord, SearchHits, StoreError,
    StoreFilter, VectorQuery, VectorStore,
};
use qdrant_client::qdrant::{
    facet_value, CollectionStatus, CountPointsBuilder, DeletePointsBuilder, FacetCountsBuilder,
    Filter, GetPointsBuilder, PointStruct, PointsIdsList, Query, QueryPointsBuilder,
    ScrollPointsBuilder, SearchParamsBuilder, UpsertPointsBuilder, VectorInput, VectorsSelector,
};
use qdrant_client::Qdrant;

use super::keyword_stats::SharedStats;
use super::{convert, store_error};
use crate::cut::{cut_ties, widen, with_margin};
use crate::keywords::{Keywords, KEYWORD_VECTOR};

/// Points written per request; keeps messages well under gRPC's size limit.
const UPSERT_CHUNK: usize = 256;

/// How long `settle` waits for the server's optimizers.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Clone)]
pub struct QdrantStore {
    pub(super) client: Arc<Qdrant>,
    /// A collection name, or the alias of the active one.
    pub(super) collection: String,
    pub(super) keywords: Arc<Keywords>,
    /// Shared with every store of this collection name in the process.
    pub(super) stats: Arc<SharedStats>,
    pub(super) search_ef: u64,
}

impl QdrantStore {
    /// Communities by id, in the order asked, in one request.
    async fn read(&self, ids: &[&str]) -> Result<Vec<CommunityRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let request = GetPointsBuilder::new(
            &self.collection,
            ids.iter()
                .map(|id| convert::point_id(id))
                .collect::<Vec<_>>(),
        )
        .with_payload(true)
        .with_vectors(Self::dense_only());
        let response = self
            .client
            .get_points(request)
            .await
            .map_err(|e| store_error("reading communities", e))?;
        let mut by_id: HashMap<String, CommunityRecord> = HashMap::new();
        for point in response.result {
            let record = convert::record(point)?;
            by_id.insert(record.community.id.to_string(), record);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(*id)).collect())
    }

    fn dense_only() -> VectorsSelector {
        VectorsSelector {
            names: vec![String::new()],
        }
    }

    async fn query(
        &self,
        query: VectorInput,
        using: Option<&str>,
        filter: Option<Filter>,
        limit: usize,
    ) -> Result<Vec<ScoredRecord>, StoreError> {
        let mut request = QueryPointsBuilder::new(&self.collection)
            .query(Query::new_nearest(query))
            .limit(limit as u64)
            .params(SearchParamsBuilder::default().hnsw_ef(self.search_ef))
            .with_payload(true)
            .with_vectors(Self::dense_only());
        if let Some(using) = using {
            request = request.using(using);
        }
        if let Some(filter) = filter {
            request = request.filter(filter);
        }
        let response = self
            .client
            .query(request)
            .await
            .map_err(|e| store_error("search", e))?;
        response.result.into_iter().map(convert::scored).collect()
    }

    async fn write_points(&self, mut points: Vec<PointStruct>) -> Result<(), StoreError> {
        while !points.is_empty() {
            let rest = points.split_off(points.len().min(UPSERT_CHUNK));
            // `wait` + strong ordering: acknowledged means applied by the
            // shard leader and `write_consistency_factor` replicas.
            let request = UpsertPointsBuilder::new(&self.collection, points)
                .wait(true)
                .ordering(super::strong_ordering());
            self.client
                .upsert_points(request)
                .await
                .map_err(|e| store_error("writing communities", e))?;
            points = rest;
        }
        Ok(())
    }

    async fn delete_point(&self, id: &str) -> Result<(), StoreError> {
        let request = DeletePointsBuilder::new(&self.collection)
            .points(PointsIdsList {
                ids: vec![convert::point_id(id)],
            })
            .wait(true)
            .ordering(super::strong_ordering());
        self.client
            .delete_points(request)
            .await
            .map_err(|e| store_error("deleting a community", e))?;
        Ok(())
    }

    /// The query's keyword vector, weighted by the kept statistics; starts
    /// reading them again in the background when they are due.
    async fn keyword_query(&self, text: &str) -> Result<Option<Vec<(u32, f32)>>, StoreError> {
        self.stats.ensure(&self.client, &self.collection).await?;
        if self.stats.claim_refresh() {
            let (client, collection, stats) = (
                self.client.clone(),
                self.collection.clone(),
                self.stats.clone(),
            );
            tokio::spawn(async move { stats.refresh(&client, &collection).await });
        }
        Ok(self
            .stats
            .with(|stats| self.keywords.query(text, stats))
            .map(|v| v.indices.into_iter().zip(v.values).collect()))
    }

    async fn facet(&self, key: &str) -> Result<Vec<String>, StoreError> {
        let response = self
            .client
            .facet(
                FacetCountsBuilder::new(&self.collection, key)
                    .limit(100_000)
                    .exact(false),
            )
            .await
            .map_err(|e| store_error("listing filter values", e))?;
        Ok(response
            .hits
            .into_iter()
            .filter_map(|hit| match hit.value.and_then(|v| v.variant) {
                Some(facet_value::Variant::StringValue(s)) => Some(s),
                _ => None,
            })
            .collect())
    }
}

#[async_trait]
impl VectorStore for QdrantStore {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        // The last of one id in a batch is what stays stored.
        let mut last: HashMap<String, usize> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            last.insert(r.community.id.to_string(), i);
        }
        let mut points = Vec::with_capacity(last.len());
        let mut added = Vec::with_capacity(last.len());
        for (i, record) in records.into_iter().enumerate() {
            if last[record.community.id.as_str()] == i {
                let (point, terms) = convert::to_point(&self.keywords, record)?;
                points.push(point);
                added.push(terms);
            }
        }
        let touched = last.keys().map(|id| convert::point_id(id)).collect();
        self.stats
            .write(&self.client, &self.collection, touched, added, || {
                self.write_points(points)
            })
            .await
    }

    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        if self.get(id).await?.is_none() {
            return Ok(false);
        }
        let touched = vec![convert::point_id(id)];
        self.stats
            .write(&self.client, &self.collection, touched, Vec::new(), || {
                self.delete_point(id)
            })
            .await?;
        Ok(true)
    }

    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        Ok(self.read(&[id]).await?.pop())
    }

    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        let ids: Vec<&str> = ids.iter().map(CommunityId::as_str).collect();
        self.read(&ids).await
    }

    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        let mut request = ScrollPointsBuilder::new(&self.collection)
            .limit((offset + limit) as u32)
            .with_payload(true)
            .with_vectors(false);
        if let Some(filter) = convert::to_filter(filter) {
            request = request.filter(filter);
        }
        let response = self
            .client
            .scroll(request)
            .await
            .map_err(|e| store_error("listing communities", e))?;
        response
            .result
            .into_iter()
            .skip(offset)
            .map(convert::community_of)
            .collect()
    }

    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        let mut request = ScrollPointsBuilder::new(&self.collection)
            .limit(limit as u32)
            .with_payload(true)
            .with_vectors(false);
        if let Some(cursor) = cursor {
            request = request.offset(cursor);
        }
        let response = self
            .client
            .scroll(request)
            .await
            .map_err(|e| store_error("listing communities", e))?;
        let next = response
            .next_page_offset
            .as_ref()
            .and_then(convert::cursor_of);
        let page = response
            .result
            .into_iter()
            .map(convert::community_of)
            .collect::<Result<_, _>>()?;
        Ok((page, next))
    }

    async fn count(&self) -> Result<usize, StoreError> {
        self.count_matching(&StoreFilter::default()).await
    }

    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        let mut request = CountPointsBuilder::new(&self.collection).exact(true);
        if let Some(filter) = convert::to_filter(filter) {
            request = request.filter(filter);
        }
        let response = self
            .client
            .count(request)
            .await
            .map_err(|e| store_error("counting communities", e))?;
        Ok(response.result.map_or(0, |r| r.count as usize))
    }

    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        let filter = convert::to_filter(&query.filter);
        let sparse = match query.keywords.as_deref() {
            Some(text) => self.keyword_query(text).await?,
            None => None,
        };
        let dense = self.query(
            VectorInput::from(query.vector),
            None,
            filter.clone(),
            query.limit,
        );
        let keyword = async {
            match sparse {
                Some(pairs) => {
                    let mut asked = with_margin(query.limit);
                    loop {
                        let hits = self
                            .query(
                                VectorInput::from(pairs.as_slice()),
                                Some(KEYWORD_VECTOR),
                                filter.clone(),
                                asked,
                            )
                            .await?;
                        match widen(&hits, asked, query.limit) {
                            Some(more) => asked = more,
                            None => break Ok(cut_ties(hits, query.limit)),
                        }
                    }
                }
                None => Ok(Vec::new()),
            }
        };
        let (dense, keyword) = futures_util::try_join!(dense, keyword)?;
        Ok(SearchHits { dense, keyword })
    }

    async fn facet_values(&self) -> Result<std::sync::Arc<FacetValues>, StoreError> {
        let (category_keys, language_keys) =
            futures_util::try_join!(self.facet("category_keys"), self.facet("language_keys"))?;
        Ok(std::sync::Arc::new(FacetValues {
            category_keys,
            language_keys,
        }))
    }

    async fn check(&self) -> Result<(), StoreError> {
        // A cheap call that also resolves the alias, so a missing collection shows.
        self.client
            .count(CountPointsBuilder::new(&self.collection).exact(false))
            .await
            .map(|_| ())
            .map_err(|e| store_error("checking the collection", e))
    }

    async fn settle(&self) -> Result<(), StoreError> {
        // The server indexes on its own; wait while its optimizers run
        // (yellow). Grey means optimizations wait for a trigger that a
        // settled collection does not need.
        let deadline = std::time::Instant::now() + SETTLE_LIMIT;
        loop {
            let info = self
                .client
                .collection_info(&self.collection)
                .await
                .map_err(|e| store_error("reading the collection's status", e))?;
            let status = info.result.map(|r| r.status);
            if status != Some(CollectionStatus::Yellow as i32) {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "the collection {} was still being optimized after {} s",
                    self.collection,
                    SETTLE_LIMIT.as_secs()
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    async fn close(&self) -> Result<(), StoreError> {
        // Nothing is buffered here: every write was acknowledged by the server.
        Ok(())
    }
}
