//! What a ranking returns: each community with its score, strength and reasons.

use copmatch_domain::community::Community;

use crate::weights::RankingWeights;

/// How well a result fits, for a person to read: strong, or "less close".
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchStrength {
    /// Score at or above `ranking.strong_match`.
    Strong,
    /// Below it: shown, but as a less close match.
    Weak,
}

/// A ranked community with its explanation.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub community: Community,
    pub score: f32,
    pub strength: MatchStrength,
    pub reasons: Vec<String>,
}

impl MatchStrength {
    /// Strong from `ranking.strong_match` up, weak below.
    pub fn of(score: f32, weights: &RankingWeights) -> Self {
        if score >= weights.strong_match {
            MatchStrength::Strong
        } else {
            MatchStrength::Weak
        }
    }
}
