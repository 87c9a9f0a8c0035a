//! The use cases: recommend, find similar, manage and import communities.
//! Everything the web layer and the CLI do goes through [`CopMatch`].

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

use crate::adapter::{ModelSlot, ServedModel};
use crate::community::{check_timestamp, validate_id, Community, Status};
use crate::error::{CoreError, ErrorCode};
use crate::import::{parse_lines, ImportProgress, ImportReport};
use crate::ports::{CommunityRecord, Embedder, StoreFilter, VectorQuery, VectorStore};
use crate::profile::RecommendRequest;
use crate::ranking::{
    normalize, profile_vector, rank, EmbeddedItem, Liked, Query, RankRequest, Ranked,
    RankingWeights, RetrievalMode,
};
use crate::views::{embed_communities, embed_items};

/// What besides the profile shapes one ranking: a user's history, or a
/// candidate model under evaluation.
#[derive(Debug, Clone, Default)]
pub struct Steering {
    /// Communities the user joined or clicked; they pull the query toward them.
    pub liked: Vec<Liked>,
    /// Rank with this model instead of the served one (`copmatch retrain`).
    pub model: Option<ServedModel>,
}

/// Size limits of requests (the `limits` configuration section).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub default_limit: usize,
    pub max_limit: usize,
    pub max_offset: usize,
    /// Candidates fetched from the store for re-ranking, at least.
    pub candidate_pool: usize,
    /// Communities embedded and stored together during an import.
    pub import_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_limit: 10,
            max_limit: 100,
            max_offset: 1000,
            candidate_pool: 100,
            import_batch: 64,
        }
    }
}

/// One recommended community.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    pub community: Community,
    /// Higher is better; comparable within one response.
    pub score: f32,
    /// Why this community matched, for a person to read.
    pub reasons: Vec<String>,
}

impl From<Ranked> for Recommendation {
    fn from(r: Ranked) -> Self {
        Self {
            community: r.community,
            score: r.score,
            reasons: r.reasons,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendResponse {
    pub recommendations: Vec<Recommendation>,
    /// The embedding model that produced the ranking.
    pub model: String,
    pub took_ms: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimilarResponse {
    pub community_id: String,
    pub recommendations: Vec<Recommendation>,
    pub model: String,
    pub took_ms: u64,
}

/// `PUT /v1/communities/{id}/status`.
#[derive(Debug, Clone, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    /// active, inactive, dead_link or unknown.
    pub status: String,
    #[serde(default)]
    pub last_verified_at: Option<String>,
    #[serde(default)]
    pub last_activity_at: Option<String>,
    #[serde(default)]
    pub member_count: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunityPage {
    pub communities: Vec<Community>,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

/// copmatch's use cases over an embedder and a store.
#[derive(Clone)]
pub struct CopMatch {
    embedder: Arc<dyn Embedder>,
    store: Arc<dyn VectorStore>,
    weights: RankingWeights,
    limits: Limits,
    model: ModelSlot,
}

impl CopMatch {
    pub fn new(
        embedder: Arc<dyn Embedder>,
        store: Arc<dyn VectorStore>,
        weights: RankingWeights,
        limits: Limits,
    ) -> Self {
        let model = ModelSlot::new(ServedModel {
            base: embedder.model_id().to_string(),
            adapter: None,
        });
        Self {
            embedder,
            store,
            weights,
            limits,
            model,
        }
    }

    /// The served model's name: the embedding model, and the retrained
    /// adapter's version when one serves.
    pub fn model_id(&self) -> String {
        self.model.get().name()
    }

    /// The served model, switched together with the index (see `models`).
    pub fn model_slot(&self) -> &ModelSlot {
        &self.model
    }

    pub fn weights(&self) -> &RankingWeights {
        &self.weights
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn store(&self) -> &Arc<dyn VectorStore> {
        &self.store
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    fn validated_limit(&self, limit: Option<usize>) -> Result<usize, CoreError> {
        let limit = limit.unwrap_or(self.limits.default_limit);
        if limit == 0 || limit > self.limits.max_limit {
            return Err(CoreError::new(
                ErrorCode::InvalidLimit,
                format!(
                    "limit must be between 1 and {}, got {limit}",
                    self.limits.max_limit
                ),
            ));
        }
        Ok(limit)
    }

    fn page(
        &self,
        limit: Option<usize>,
        offset: Option<usize>,
    ) -> Result<(usize, usize), CoreError> {
        let limit = self.validated_limit(limit)?;
        let offset = offset.unwrap_or(0);
        if offset > self.limits.max_offset {
            return Err(CoreError::new(
                ErrorCode::InvalidOffset,
                format!(
                    "offset must be at most {}, got {offset}",
                    self.limits.max_offset
                ),
            ));
        }
        Ok((limit, offset))
    }

    /// Ranked, explained communities for a profile.
    pub async fn recommend(
        &self,
        request: RecommendRequest,
    ) -> Result<RecommendResponse, CoreError> {
        self.recommend_with_mode(request, RetrievalMode::Hybrid)
            .await
    }

    /// [`CopMatch::recommend`] with a chosen retrieval mode; the baselines
    /// exist for evaluation (`copmatch eval`).
    pub async fn recommend_with_mode(
        &self,
        request: RecommendRequest,
        mode: RetrievalMode,
    ) -> Result<RecommendResponse, CoreError> {
        self.recommend_steered(request, mode, &Steering::default())
            .await
    }

    /// [`CopMatch::recommend_with_mode`] shaped by a user's history or ranked
    /// with a candidate model.
    pub async fn recommend_steered(
        &self,
        request: RecommendRequest,
        mode: RetrievalMode,
        steering: &Steering,
    ) -> Result<RecommendResponse, CoreError> {
        let started = Instant::now();
        let items = request.profile.items()?;
        let (limit, offset) = self.page(request.limit, request.offset)?;
        let diversity = request.validated_diversity(self.weights.default_diversity)?;
        let vocabulary = if request.needs_vocabulary() {
            Some(self.store.vocabulary().await?)
        } else {
            None
        };
        let mut filter = request.filters.resolve(vocabulary.as_ref())?;
        filter.exclude_ids = request.validated_exclusions()?;
        let negatives = self.vectors_of(&request.negative_ids).await?;

        // The baselines embed the profile as typed: plain embedding similarity.
        let vectors = if mode == RetrievalMode::Hybrid {
            embed_items(self.embedder.as_ref(), &items).await?
        } else {
            let texts = items.iter().map(|i| i.text.clone()).collect();
            self.embedder.embed(texts).await?
        };
        let keywords = items
            .iter()
            .map(|i| i.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let items: Vec<EmbeddedItem> = items
            .into_iter()
            .zip(vectors)
            .map(|(item, vector)| EmbeddedItem { item, vector })
            .collect();
        let model = steering.model.clone().unwrap_or_else(|| self.model.get());
        let mut vector = profile_vector(&items, &self.weights);
        // The baselines stay plain embedding similarity.
        if mode == RetrievalMode::Hybrid {
            vector = self.steer(model.apply(vector), &steering.liked);
        }
        let wanted = offset + limit;
        let pool = self.limits.candidate_pool.max(3 * wanted);
        let hits = self
            .store
            .search(VectorQuery {
                vector: vector.clone(),
                keywords: Some(keywords),
                filter,
                limit: pool,
            })
            .await?;
        let ranking = RankRequest {
            query: Query::Profile(&items),
            query_vector: &vector,
            negatives: &negatives,
            liked: &steering.liked,
            mode,
            diversity,
            demote_status: !request.filters.include_inactive,
            wanted,
        };
        let recommendations = rank(&ranking, hits, &self.weights)
            .into_iter()
            .skip(offset)
            .map(Recommendation::from)
            .collect();
        Ok(RecommendResponse {
            recommendations,
            model: model.name(),
            took_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// The base model's vector of a profile, as a ranking starts from it
    /// (before any retrained adapter or history); `copmatch retrain` learns on it.
    pub async fn base_profile_vector(
        &self,
        profile: &crate::profile::Profile,
    ) -> Result<Vec<f32>, CoreError> {
        let items = profile.items()?;
        let vectors = embed_items(self.embedder.as_ref(), &items).await?;
        let items: Vec<EmbeddedItem> = items
            .into_iter()
            .zip(vectors)
            .map(|(item, vector)| EmbeddedItem { item, vector })
            .collect();
        Ok(profile_vector(&items, &self.weights))
    }

    /// Moves the query toward the weighted mean of the liked communities.
    fn steer(&self, vector: Vec<f32>, liked: &[Liked]) -> Vec<f32> {
        let total: f32 = liked.iter().map(|l| l.weight).sum();
        if total <= 0.0 || self.weights.history_weight <= 0.0 {
            return vector;
        }
        let pull = self.weights.history_weight / total;
        let mut out = vector;
        for l in liked {
            for (o, v) in out.iter_mut().zip(&l.vector) {
                *o += pull * l.weight * v;
            }
        }
        normalize(out)
    }

    /// Stored vectors of the given communities; unknown ids are skipped (a
    /// "not for me" community may have been deleted since).
    async fn vectors_of(&self, ids: &[String]) -> Result<Vec<Vec<f32>>, CoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(record) = self.store.get(id).await? {
                out.push(record.vector);
            }
        }
        Ok(out)
    }

    /// Communities close to an existing one, by the same hybrid machinery.
    pub async fn similar(
        &self,
        id: &str,
        limit: Option<usize>,
    ) -> Result<SimilarResponse, CoreError> {
        let started = Instant::now();
        let (limit, _) = self.page(limit, None)?;
        let source = self.record(id).await?;
        let filter = StoreFilter {
            exclude_ids: vec![source.community.id.clone()],
            exclude_statuses: vec![Status::DeadLink],
            ..Default::default()
        };
        let keywords = std::iter::once(source.community.name.as_str())
            .chain(source.community.categories.iter().map(String::as_str))
            .chain(source.community.tags.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let pool = self.limits.candidate_pool.max(3 * limit);
        let hits = self
            .store
            .search(VectorQuery {
                vector: source.vector.clone(),
                keywords: Some(keywords),
                filter,
                limit: pool,
            })
            .await?;
        let ranking = RankRequest {
            query: Query::Similar(&source.community),
            query_vector: &source.vector,
            negatives: &[],
            liked: &[],
            mode: RetrievalMode::Hybrid,
            diversity: self.weights.default_diversity,
            demote_status: true,
            wanted: limit,
        };
        let recommendations = rank(&ranking, hits, &self.weights)
            .into_iter()
            .map(Recommendation::from)
            .collect();
        Ok(SimilarResponse {
            community_id: source.community.id,
            recommendations,
            model: self.model_id().to_string(),
            took_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Records what is known about a community's liveness. Fields left out
    /// keep their values; the embedding is unchanged.
    pub async fn update_status(
        &self,
        id: &str,
        update: StatusUpdate,
    ) -> Result<Community, CoreError> {
        let mut record = self.record(id).await?;
        let c = &mut record.community;
        c.status = Status::parse(&update.status).ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidCommunity,
                format!(
                    "unknown status {:?}; expected active, inactive, dead_link or unknown",
                    update.status
                ),
            )
        })?;
        if let Some(at) = check_timestamp("last_verified_at", update.last_verified_at)? {
            c.last_verified_at = Some(at);
        }
        if let Some(at) = check_timestamp("last_activity_at", update.last_activity_at)? {
            c.last_activity_at = Some(at);
        }
        if update.member_count.is_some() {
            c.member_count = update.member_count;
        }
        let community = c.clone();
        self.store.upsert(vec![record]).await?;
        Ok(community)
    }

    async fn record(&self, id: &str) -> Result<CommunityRecord, CoreError> {
        validate_id(id)?;
        self.store.get(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {id:?}"),
            )
        })
    }

    pub async fn get(&self, id: &str) -> Result<Community, CoreError> {
        Ok(self.record(id).await?.community)
    }

    /// A page of the catalog. Any offset is accepted: past the end the page is empty.
    pub async fn list(
        &self,
        limit: Option<usize>,
        offset: Option<usize>,
    ) -> Result<CommunityPage, CoreError> {
        let limit = self.validated_limit(limit)?;
        let offset = offset.unwrap_or(0);
        let total = self.store.count().await?;
        let communities = if offset >= total {
            Vec::new()
        } else {
            self.store.list(offset, limit).await?
        };
        Ok(CommunityPage {
            communities,
            total,
            offset,
            limit,
        })
    }

    /// Creates or replaces the community `id`. The body's `id` may be omitted;
    /// if present it must equal `id`. Returns whether it was created.
    pub async fn put(
        &self,
        id: &str,
        mut body: serde_json::Value,
    ) -> Result<(Community, bool), CoreError> {
        validate_id(id)?;
        let object = body.as_object_mut().ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidRequestBody,
                "the body must be a JSON object describing the community",
            )
        })?;
        match object.get("id") {
            None | Some(serde_json::Value::Null) => {
                object.insert("id".into(), serde_json::Value::String(id.to_string()));
            }
            Some(serde_json::Value::String(body_id)) if body_id == id => {}
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::IdMismatch,
                    format!("the body's id {other} differs from the id {id:?} in the path"),
                ))
            }
        }
        let community = Community::from_json_value(body)?;
        let existed = self.store.get(id).await?.is_some();
        self.store_communities(vec![community.clone()]).await?;
        Ok((community, !existed))
    }

    pub async fn delete(&self, id: &str) -> Result<(), CoreError> {
        validate_id(id)?;
        if self.store.delete(id).await? {
            Ok(())
        } else {
            Err(CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {id:?}"),
            ))
        }
    }

    /// Embeds and stores communities as they are (already validated).
    pub async fn store_communities(&self, communities: Vec<Community>) -> Result<(), CoreError> {
        let vectors = embed_communities(self.embedder.as_ref(), &communities).await?;
        let records = communities
            .into_iter()
            .zip(vectors)
            .map(|(community, vector)| CommunityRecord { community, vector })
            .collect();
        self.store.upsert(records).await?;
        Ok(())
    }

    /// Imports JSON Lines text; see [`crate::import`] for the semantics.
    pub async fn import(
        &self,
        text: &str,
        progress: &dyn ImportProgress,
    ) -> Result<ImportReport, CoreError> {
        let (valid, errors, received) = parse_lines(text);
        progress.start(received);
        progress.advance(errors.len());
        let mut imported = 0;
        for batch in valid.chunks(self.limits.import_batch.max(1)) {
            self.store_communities(batch.iter().map(|(_, c)| c.clone()).collect())
                .await?;
            imported += batch.len();
            progress.advance(batch.len());
        }
        progress.finish();
        Ok(ImportReport {
            received,
            imported,
            failed: errors.len(),
            errors,
        })
    }
}
