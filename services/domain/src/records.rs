//! The records that cross the ports: a community with its vector, search
//! queries and hits, the filter a store applies, the filter values a store
//! holds, and an index version. Kept apart from the port traits so that the
//! domain modules that build them (`filters.rs`) need not import the ports.

use crate::community::{Community, Cost, Platform, Status};
use crate::ids::CommunityId;

/// A community with its embedding, as written to a store.
#[derive(Debug, Clone)]
pub struct CommunityRecord {
    pub community: Community,
    pub vector: Vec<f32>,
}

/// A search hit with the stored vector (used for explanations and re-ranking).
#[derive(Debug, Clone)]
pub struct ScoredRecord {
    pub community: Community,
    pub vector: Vec<f32>,
    /// Cosine similarity to the query vector.
    pub score: f32,
}

/// Metadata restrictions a store applies during vector search. Category and
/// language values are normalized keys (see [`crate::text::normalize_key`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreFilter {
    pub platforms: Vec<Platform>,
    pub category_keys: Vec<String>,
    pub language_keys: Vec<String>,
    pub cost: Option<Cost>,
    pub exclude_ids: Vec<CommunityId>,
    pub exclude_statuses: Vec<Status>,
}

/// A search: nearest by the dense vector and, when `keywords` is given, the
/// best BM25 matches of those words; each list up to `limit`, same filter.
#[derive(Debug, Clone)]
pub struct VectorQuery {
    pub vector: Vec<f32>,
    pub keywords: Option<String>,
    pub filter: StoreFilter,
    pub limit: usize,
}

/// The two candidate lists of a hybrid search, each best first. Every hit
/// carries its dense vector so the caller can compare it with anything.
#[derive(Debug, Clone, Default)]
pub struct SearchHits {
    /// By cosine similarity to the query vector (`score`).
    pub dense: Vec<ScoredRecord>,
    /// By BM25 score of the keywords (`score`, unbounded).
    pub keyword: Vec<ScoredRecord>,
}

/// Filter values present in the store, used to reject unknown filter values.
#[derive(Debug, Clone, Default)]
pub struct FacetValues {
    pub category_keys: Vec<String>,
    pub language_keys: Vec<String>,
}

/// One built index of the communities: its vectors come from one model and one
/// version of the community text. A store keeps several (the active one and
/// the previous, or one being built) and switches between them atomically.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IndexVersion {
    /// The store's name for it: a shard directory or a Qdrant collection suffix.
    pub name: String,
    pub model: String,
    pub text_version: u32,
    /// Increases with every index built; part of the name.
    pub generation: u32,
    pub dimension: usize,
    /// The retrained model (adapter version) that serves with this index, if
    /// any; the base model alone when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
}

impl IndexVersion {
    pub fn new(model: &str, text_version: u32, generation: u32, dimension: usize) -> Self {
        let model = model.to_ascii_lowercase();
        Self {
            name: format!("{model}__{generation}"),
            model,
            text_version,
            generation,
            dimension,
            adapter: None,
        }
    }

    pub fn with_adapter(mut self, adapter: Option<String>) -> Self {
        self.adapter = adapter;
        self
    }

    /// Whether vectors of this index are what `model` makes of today's text.
    pub fn serves(&self, model: &str, text_version: u32, dimension: usize) -> bool {
        self.model.eq_ignore_ascii_case(model)
            && self.text_version == text_version
            && self.dimension == dimension
    }
}
