//! Recommending: a profile, or an existing community, to ranked and explained
//! communities. The path of one request: validate, embed the profile's
//! wordings in one batch, build the query vector (retrained model, history),
//! fetch dense and keyword candidates from the store, rank and explain; for
//! free text, a second model re-reads the first results
//! ([`copmatch_ranking::second_opinion`]).

use std::time::Instant;

use crate::embedding::embed_items;
use crate::ports::{StoreFilter, VectorQuery};
use crate::served_model::profile_key;
use copmatch_domain::community::Community;
use copmatch_domain::community::Status;
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;
use copmatch_domain::profile::{Profile, RecommendRequest};
use copmatch_domain::records::SearchHits;
use copmatch_ranking::vocabulary::Vocabulary;
use copmatch_ranking::wordings::community_text;
use copmatch_ranking::{
    candidate_features, dot, normalize, profile_vector, rank, reads_as_free_text, second_opinion,
    EmbeddedItem, Features, Liked, Query, RankRequest, Ranked, RankingWeights, RetrievalMode,
};

use super::{RecommendResponse, Recommendation, Recommender, SimilarResponse, Steering};

/// What ranking a profile's candidates needs.
struct Retrieved<'s> {
    items: Vec<EmbeddedItem>,
    vector: Vec<f32>,
    negatives: Vec<Vec<f32>>,
    liked: &'s [Liked],
    mode: RetrievalMode,
    diversity: f32,
    demote_status: bool,
    /// How many the ranking returns: the page's end, or the second model's
    /// depth when it re-reads them.
    wanted: usize,
    offset: usize,
    limit: usize,
    /// Free text with a second model configured: it re-reads the first results.
    second_opinion: bool,
    model: String,
}

impl Retrieved<'_> {
    fn ranking(&self) -> RankRequest<'_> {
        RankRequest {
            query: Query::Profile(&self.items),
            query_vector: &self.vector,
            negatives: &self.negatives,
            liked: self.liked,
            mode: self.mode,
            diversity: self.diversity,
            demote_status: self.demote_status,
            wanted: self.wanted,
        }
    }
}

impl Recommender {
    /// Ranked, explained communities for a profile, shaped by `steering`
    /// (`Steering::default()` for the served ranking).
    pub async fn recommend(
        &self,
        request: RecommendRequest,
        steering: &Steering,
    ) -> Result<RecommendResponse, CoreError> {
        let started = Instant::now();
        let weights = steering.weights.as_deref().unwrap_or(&self.weights);
        let (retrieved, hits) = self.retrieve(&request, steering).await?;
        let mut ranked = rank(&retrieved.ranking(), hits, weights);
        if retrieved.second_opinion {
            ranked = self
                .second_reading(&retrieved.items, ranked, weights)
                .await?;
        }
        let recommendations = ranked
            .into_iter()
            .skip(retrieved.offset)
            .take(retrieved.limit)
            .map(Recommendation::from)
            .collect();
        Ok(RecommendResponse {
            recommendations,
            model: retrieved.model,
            took_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Every candidate the ranking of `request` would consider, with the
    /// signals its score weighs (`copmatch eval` learns the fusion from them).
    pub async fn candidate_features(
        &self,
        request: &RecommendRequest,
        steering: &Steering,
    ) -> Result<Vec<(Community, Features)>, CoreError> {
        let weights = steering.weights.as_deref().unwrap_or(&self.weights);
        let (retrieved, hits) = self.retrieve(request, steering).await?;
        Ok(candidate_features(&retrieved.ranking(), hits, weights))
    }

    /// Everything up to the ranking: validate, embed, build the query vector,
    /// fetch the candidates.
    async fn retrieve<'s>(
        &self,
        request: &RecommendRequest,
        steering: &'s Steering,
    ) -> Result<(Retrieved<'s>, SearchHits), CoreError> {
        let mode = steering.mode;
        let weights = steering.weights.as_deref().unwrap_or(&self.weights);
        let items = request.profile.items()?;
        let (limit, offset) = self.limits.page(request.limit, request.offset)?;
        let diversity = request.validated_diversity(weights.default_diversity)?;
        let exclude_ids = request.validated_exclusions()?;
        // Three independent waits run together: the store's filter values
        // (only when the request filters by them), the "not for me"
        // communities (one read for all of them), and the model.
        let facets = async {
            if request.needs_facet_values() {
                Ok::<_, CoreError>(Some(self.store.facet_values().await?))
            } else {
                Ok(None)
            }
        };
        // Excluded ids first, then the negatives (see `validated_exclusions`).
        let negatives = self.vectors_of(&exclude_ids[request.exclude_ids.len()..]);
        // The baselines embed the profile as typed: plain embedding similarity.
        let vectors = async {
            Ok::<_, CoreError>(if mode == RetrievalMode::Hybrid {
                embed_items(self.embedder.as_ref(), &items).await?
            } else {
                let texts = items.iter().map(|i| i.text.clone()).collect();
                self.embedder.embed(texts).await?
            })
        };
        let (facets, negatives, vectors) = tokio::try_join!(facets, negatives, vectors)?;
        let mut filter = request.filters.resolve(facets.as_deref())?;
        filter.exclude_ids = exclude_ids;
        let keywords = keyword_query(&items, mode);
        let mut items: Vec<EmbeddedItem> = items
            .into_iter()
            .zip(vectors)
            .map(|(item, vector)| EmbeddedItem::new(item, vector))
            .collect();
        let model = steering.model.clone().unwrap_or_else(|| self.model.get());
        let mut vector = profile_vector(&items, weights);
        // The baselines stay plain embedding similarity. A retrained model
        // moves the whole profile and each item alike, so it reaches both
        // halves of the semantic score (whole profile and closest item); a
        // segment of this exact profile too (see `served_model`).
        if mode == RetrievalMode::Hybrid {
            // Only a retrained model reads the key (its segments).
            let key = match model.adapter {
                Some(_) => profile_key(&request.profile),
                None => String::new(),
            };
            vector = steer(model.apply_profile(&key, vector), &steering.liked, weights);
            for item in &mut items {
                item.vector = model.apply_profile(&key, std::mem::take(&mut item.vector));
            }
        }
        // Re-sorting by the second reading would undo the order MMR chose, so
        // a request that asks for diversity keeps the first reading.
        let second_opinion = mode == RetrievalMode::Hybrid
            && self.second_opinion.is_some()
            && weights.second_opinion_weight > 0.0
            && weights.second_opinion_depth > 0
            && diversity <= 0.0
            && reads_as_free_text(&items);
        let mut wanted = offset + limit;
        if second_opinion {
            wanted = wanted.max(weights.second_opinion_depth);
        }
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
        let retrieved = Retrieved {
            items,
            vector,
            negatives,
            liked: &steering.liked,
            mode,
            diversity,
            demote_status: !request.filters.include_inactive,
            wanted,
            offset,
            limit,
            second_opinion,
            model: model.name(),
        };
        Ok((retrieved, hits))
    }

    /// The second model's reading of a free-text profile: its cosine between
    /// the sentence and each of the first results moves them
    /// ([`second_opinion::reorder`]). Repeated community texts come from the
    /// model's cache.
    async fn second_reading(
        &self,
        items: &[EmbeddedItem],
        ranked: Vec<Ranked>,
        weights: &RankingWeights,
    ) -> Result<Vec<Ranked>, CoreError> {
        let Some(embedder) = &self.second_opinion else {
            return Ok(ranked);
        };
        let depth = weights.second_opinion_depth.min(ranked.len());
        let texts = std::iter::once(second_opinion::profile_text(items))
            .chain(ranked[..depth].iter().map(|r| community_text(&r.community)))
            .collect();
        let vectors = embedder.embed(texts).await?;
        let (sentence, communities) = vectors.split_first().ok_or_else(|| {
            CoreError::new(ErrorCode::Internal, "the second model returned no vectors")
        })?;
        let cosines: Vec<f32> = communities.iter().map(|v| dot(sentence, v)).collect();
        Ok(second_opinion::reorder(ranked, &cosines, weights))
    }

    /// The base model's vector of a profile, as a ranking starts from it
    /// (before any retrained adapter or history); `copmatch retrain` learns on it.
    pub async fn base_profile_vector(&self, profile: &Profile) -> Result<Vec<f32>, CoreError> {
        let items = profile.items()?;
        let vectors = embed_items(self.embedder.as_ref(), &items).await?;
        let items: Vec<EmbeddedItem> = items
            .into_iter()
            .zip(vectors)
            .map(|(item, vector)| EmbeddedItem::new(item, vector))
            .collect();
        Ok(profile_vector(&items, &self.weights))
    }

    /// Stored vectors of the given communities; unknown ids are skipped (a
    /// "not for me" community may have been deleted since).
    async fn vectors_of(&self, ids: &[CommunityId]) -> Result<Vec<Vec<f32>>, CoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records = self.store.get_many(ids).await?;
        Ok(records.into_iter().map(|r| r.vector).collect())
    }

    /// Communities close to an existing one, by the same hybrid machinery.
    pub async fn similar(
        &self,
        id: &CommunityId,
        limit: Option<usize>,
    ) -> Result<SimilarResponse, CoreError> {
        let started = Instant::now();
        let (limit, _) = self.limits.page(limit, None)?;
        let source = self.store.get(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {:?}", id.as_str()),
            )
        })?;
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
}

/// The words the keyword search looks for: the items as typed, and for the
/// hybrid ranking the other terms of their synonym groups too ("pentester"
/// also looks for "pentesting") and their fields; the BM25 baseline stays plain.
fn keyword_query(items: &[copmatch_domain::profile::ProfileItem], mode: RetrievalMode) -> String {
    let mut words: Vec<String> = items.iter().map(|i| i.text.clone()).collect();
    if mode == RetrievalMode::Hybrid {
        for item in items {
            words.extend(Vocabulary::builtin().expansion(&item.text));
        }
    }
    words.join(" ")
}

/// Moves the query toward the weighted mean of the liked communities.
fn steer(vector: Vec<f32>, liked: &[Liked], weights: &RankingWeights) -> Vec<f32> {
    let total: f32 = liked.iter().map(|l| l.weight).sum();
    if total <= 0.0 || weights.history_weight <= 0.0 {
        return vector;
    }
    let pull = weights.history_weight / total;
    let mut out = vector;
    for l in liked {
        for (o, v) in out.iter_mut().zip(&l.vector) {
            *o += pull * l.weight * v;
        }
    }
    normalize(out)
}
