//! The two core services, each holding only what its use cases need:
//! [`Catalog`] reads, writes, imports and deletes communities
//! ([`catalog`]); [`Recommender`] ranks them for a profile or a community
//! ([`recommend`]) with the served model. [`Services::new`] builds both over
//! one embedder and one store; a handler, a command or another use case takes
//! the one it calls.

mod browse;
mod catalog;
mod recommend;

pub use browse::{Browse, FieldCount, FieldList};

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::ports::{Embedder, VectorStore};
use crate::served_model::{ModelSlot, ServedModel};
use copmatch_domain::community::Community;
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;
use copmatch_ranking::{Liked, MatchStrength, Ranked, RankingWeights, RetrievalMode};

/// What besides the profile shapes one ranking: the retrieval mode (a
/// baseline, for evaluation), a user's history, or a candidate model under
/// evaluation. The default is the served ranking.
#[derive(Debug, Clone, Default)]
pub struct Steering {
    /// Hybrid ranking, or a plain baseline (`copmatch eval`).
    pub mode: RetrievalMode,
    /// Communities the user joined or clicked; they pull the query toward them.
    pub liked: Vec<Liked>,
    /// Rank with this model instead of the served one (`copmatch retrain`).
    pub model: Option<ServedModel>,
    /// Rank with these weights instead of the configured ones (`copmatch
    /// eval --cross-validate` tries several).
    pub weights: Option<Arc<RankingWeights>>,
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
    /// `strong` when the score reaches `ranking.strong_match`, else `weak`:
    /// shown, but not a close fit (the web page lists these as "less close").
    #[serde(rename = "match")]
    pub strength: MatchStrength,
    /// Why this community matched, for a person to read.
    pub reasons: Vec<String>,
}

impl From<Ranked> for Recommendation {
    fn from(r: Ranked) -> Self {
        Self {
            community: r.community,
            score: r.score,
            strength: r.strength,
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
    pub community_id: CommunityId,
    pub recommendations: Vec<Recommendation>,
    pub model: String,
    pub took_ms: u64,
}

/// What is known about a community's liveness, recorded by an admin.
#[derive(Debug, Clone, Default, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    /// active, inactive, dead_link or unknown.
    #[schema(value_type = copmatch_domain::community::Status)]
    pub status: String,
    #[serde(default)]
    #[schema(schema_with = copmatch_domain::time::optional_time_schema)]
    pub last_verified_at: Option<String>,
    #[serde(default)]
    #[schema(schema_with = copmatch_domain::time::optional_time_schema)]
    pub last_activity_at: Option<String>,
    #[serde(default, deserialize_with = "copmatch_domain::whole::optional")]
    pub member_count: Option<u64>,
    /// Whether automatic checks must leave the status alone afterwards.
    /// An admin's update pins it unless this says `false`, which releases a
    /// pin; left out in code (`None`), the pin stays as it was.
    #[serde(default = "pinned_by_default")]
    pub pinned: Option<bool>,
}

fn pinned_by_default() -> Option<bool> {
    Some(true)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunityPage {
    pub communities: Vec<Community>,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

/// The catalog's use cases (`catalog.rs`) over an embedder and a store.
#[derive(Clone)]
pub struct Catalog {
    embedder: Arc<dyn Embedder>,
    store: Arc<dyn VectorStore>,
    limits: Limits,
}

/// Recommending (`recommend.rs`): a profile or a community to ranked,
/// explained communities, with the served model.
#[derive(Clone)]
pub struct Recommender {
    embedder: Arc<dyn Embedder>,
    store: Arc<dyn VectorStore>,
    weights: RankingWeights,
    limits: Limits,
    model: ModelSlot,
    /// The second model that re-reads free text (`model.second_opinion`).
    second_opinion: Option<Arc<dyn Embedder>>,
}

/// Both services over one embedder and one store, as `serve`, the commands
/// and the tests build them.
#[derive(Clone)]
pub struct Services {
    pub catalog: Catalog,
    pub recommender: Recommender,
}

impl Services {
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
            catalog: Catalog {
                embedder: embedder.clone(),
                store: store.clone(),
                limits: limits.clone(),
            },
            recommender: Recommender {
                embedder,
                store,
                weights,
                limits,
                model,
                second_opinion: None,
            },
        }
    }

    /// With a second model that re-reads free-text profiles' first results
    /// ([`copmatch_ranking::second_opinion`]); `None` ranks them as short ones.
    pub fn with_second_opinion(mut self, embedder: Option<Arc<dyn Embedder>>) -> Self {
        self.recommender.second_opinion = embedder;
        self
    }
}

impl Catalog {
    /// The store the catalog writes to (the active index when serving).
    pub fn store(&self) -> &Arc<dyn VectorStore> {
        &self.store
    }

    /// The model that embeds what the catalog stores.
    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }
}

impl Recommender {
    /// The served model's name: the embedding model, and the retrained
    /// adapter's version when one serves.
    pub fn model_id(&self) -> String {
        self.model.get().name()
    }

    /// Whether every model a ranking may need can answer: the served one,
    /// and the second one for free text when configured.
    pub fn models_ready(&self) -> bool {
        self.embedder.is_ready() && self.second_opinion.as_ref().is_none_or(|e| e.is_ready())
    }

    /// The served model, switched together with the index (see `models`).
    pub fn model_slot(&self) -> &ModelSlot {
        &self.model
    }

    pub fn weights(&self) -> &RankingWeights {
        &self.weights
    }

    /// The store rankings read (the active index when serving).
    pub fn store(&self) -> &Arc<dyn VectorStore> {
        &self.store
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }
}

impl Limits {
    pub(crate) fn validated_limit(&self, limit: Option<usize>) -> Result<usize, CoreError> {
        let limit = limit.unwrap_or(self.default_limit);
        if limit == 0 || limit > self.max_limit {
            return Err(CoreError::new(
                ErrorCode::InvalidLimit,
                format!(
                    "limit must be between 1 and {}, got {limit}",
                    self.max_limit
                ),
            ));
        }
        Ok(limit)
    }

    pub(crate) fn page(
        &self,
        limit: Option<usize>,
        offset: Option<usize>,
    ) -> Result<(usize, usize), CoreError> {
        let limit = self.validated_limit(limit)?;
        let offset = offset.unwrap_or(0);
        if offset > self.max_offset {
            return Err(CoreError::new(
                ErrorCode::InvalidOffset,
                format!("offset must be at most {}, got {offset}", self.max_offset),
            ));
        }
        Ok((limit, offset))
    }
}
