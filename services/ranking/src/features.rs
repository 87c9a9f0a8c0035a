//! The signals a learned fusion weighs, one row per candidate
//! (`copmatch eval --cross-validate` learns the weights from the development
//! judgments with linfa; `copmatch_retrain::devset::learned`).
//!
//! The hybrid score is linear in these, apart from the two bounds that keep
//! words from overriding meaning (`max_lift` and the plausibility window),
//! which are constraints, not weights: the keyword and evidence signals are
//! already multiplied by the candidate's plausibility here, as the score
//! multiplies them.

use copmatch_domain::community::Community;
use copmatch_domain::records::SearchHits;

use crate::fusion::{activity, scored};
use crate::request::RankRequest;
use crate::weights::RankingWeights;

/// One candidate's signals, as the hybrid score reads them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// Cosine to the whole profile.
    pub dense: f32,
    /// Cosine to the closest profile item, field-weighted.
    pub best_item: f32,
    /// BM25, normalized per query, times plausibility.
    pub keyword: f32,
    /// Literal evidence (items found in categories, tags or name, capped as
    /// the score caps it) times plausibility.
    pub evidence: f32,
    /// Public activity, 0..1.
    pub activity: f32,
    /// The profile reads as free text.
    pub free_text: bool,
}

/// Every candidate of `hits` with its signals under `weights` (which set the
/// plausibility window, the evidence cap and the semantic blend).
pub fn candidate_features(
    request: &RankRequest,
    hits: SearchHits,
    weights: &RankingWeights,
) -> Vec<(Community, Features)> {
    let cap = weights.max_evidence_boost / weights.evidence_boost.max(f32::EPSILON);
    scored(request, hits, weights)
        .into_iter()
        .map(|c| {
            let b = &c.breakdown;
            let features = Features {
                dense: c.dense,
                best_item: b.best,
                keyword: b.plausibility * c.keyword,
                evidence: b.plausibility * b.matches.min(cap),
                activity: activity(&c.community),
                free_text: b.free_text,
            };
            (c.community, features)
        })
        .collect()
}
