//! The tunable weights of the ranking: the `ranking` configuration section.

use copmatch_domain::community::Status;
use copmatch_domain::profile::ProfileField;

/// Tunable weights of the ranking (the `ranking` configuration section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankingWeights {
    pub role_weight: f32,
    pub skill_weight: f32,
    pub interest_weight: f32,
    pub about_weight: f32,
    /// Share of the semantic score from the best single profile item; the
    /// rest comes from the whole-profile similarity.
    pub best_item_share: f32,
    /// Weight of the keyword (BM25) score, normalized to 0..1 per query.
    pub keyword_weight: f32,
    /// Added per profile item fully found in categories/tags/name (scaled by
    /// the squared share of its words found there).
    pub evidence_boost: f32,
    /// `keyword_weight` for a profile that reads as free text (a sentence:
    /// an item of six words or more, or `about`), whose many words find
    /// communities that share a word but not the trade.
    pub free_text_keyword_weight: f32,
    /// `evidence_boost` for a profile that reads as free text.
    pub free_text_evidence_boost: f32,
    pub max_evidence_boost: f32,
    /// Subtracted from inactive communities' scores.
    pub inactive_penalty: f32,
    /// Subtracted from communities nobody has verified.
    pub unknown_penalty: f32,
    /// How strongly closeness to a "not for me" community pushes down.
    pub negative_weight: f32,
    /// Diversity when a request does not say.
    pub default_diversity: f32,
    /// How far a user's joined and clicked communities pull the query vector
    /// toward themselves (0 = not at all); clicks count half.
    pub history_weight: f32,
    /// Added for public activity the liveness checks saw (posts this week,
    /// members online), scaled 0..1; small, so it only orders near-ties.
    pub activity_weight: f32,
    /// How far below the closest candidate in meaning keyword evidence
    /// stops lifting a candidate (see `fusion::plausibility`); 0 turns the
    /// bound off.
    pub plausibility_window: f32,
    /// The most keyword and literal evidence can add to a score: a community
    /// is never lifted past one more than this much closer in meaning.
    pub max_lift: f32,
    /// Scores at or above this are a strong match, below a weak one
    /// (calibrated on the development set: `copmatch eval`).
    pub strong_match: f32,
    /// For free text: added per unit of the second model's cosine between
    /// the sentence and a community (`model.second_opinion`; 0 turns it off).
    pub second_opinion_weight: f32,
    /// For free text: how many of the ranking's first results the second
    /// model re-reads.
    pub second_opinion_depth: usize,
}

impl Default for RankingWeights {
    fn default() -> Self {
        Self {
            role_weight: 1.0,
            skill_weight: 0.8,
            interest_weight: 0.6,
            about_weight: 0.5,
            best_item_share: 0.4,
            keyword_weight: 0.3,
            evidence_boost: 0.1,
            free_text_keyword_weight: 0.3,
            free_text_evidence_boost: 0.1,
            max_evidence_boost: 0.2,
            inactive_penalty: 0.15,
            unknown_penalty: 0.02,
            negative_weight: 0.6,
            default_diversity: 0.0,
            history_weight: 0.5,
            activity_weight: 0.04,
            plausibility_window: 0.75,
            max_lift: 0.4,
            strong_match: 0.62,
            second_opinion_weight: 1.0,
            second_opinion_depth: 40,
        }
    }
}

impl RankingWeights {
    /// The keyword weight and evidence boost for a short profile or free text.
    pub fn lift_weights(&self, free_text: bool) -> (f32, f32) {
        if free_text {
            (self.free_text_keyword_weight, self.free_text_evidence_boost)
        } else {
            (self.keyword_weight, self.evidence_boost)
        }
    }

    pub fn field_weight(&self, field: ProfileField) -> f32 {
        match field {
            ProfileField::Role => self.role_weight,
            ProfileField::Skill => self.skill_weight,
            ProfileField::Interest => self.interest_weight,
            ProfileField::About => self.about_weight,
        }
    }

    pub(crate) fn status_penalty(&self, status: Status) -> f32 {
        match status {
            Status::Active => 0.0,
            Status::Unknown => self.unknown_penalty,
            Status::Inactive => self.inactive_penalty,
            // Only present when the caller asked for everything; then no demotion.
            Status::DeadLink => self.inactive_penalty,
        }
    }
}
