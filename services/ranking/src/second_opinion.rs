//! A second, larger model's reading of free text (`model.second_opinion`,
//! all-mpnet-base-v2 by default).
//!
//! A sentence carries more than its trade ("at a 40-person accounting
//! office"), and MiniLM's one vector of it, plus the keywords, can rank a
//! community that shares the incidental part ahead of the trade's own. A
//! larger model reads the whole sentence better, but serving it for every
//! request costs five times the CPU. So only free text gets it, and only over
//! the first [`RankingWeights::second_opinion_depth`] of copmatch's ranking:
//! those are re-ordered by their score plus `second_opinion_weight` × the
//! second model's cosine between the sentence and the community's text.
//! Short profiles, the page's shape, and requests that ask for `diversity`
//! (whose order MMR chose) keep the ranking as it is.
//!
//! Measured on the development set (README "Evaluation"): the second model's
//! cosine *added* to copmatch's score helps; *replacing* MiniLM's similarity
//! by it, or adding MiniLM's own cosine again, does not. What it brings is a
//! second reading, not a weight on meaning.

use crate::ranked::{MatchStrength, Ranked};
use crate::request::EmbeddedItem;
use crate::weights::RankingWeights;

/// The profile as one text, its items joined as typed: what the second model
/// reads.
pub fn profile_text(items: &[EmbeddedItem]) -> String {
    items
        .iter()
        .map(|i| i.item.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Re-orders the first `cosines.len()` results (cosine `i` is the second
/// model's for `ranked[i]`) by `(score + w × cosine) / (1 + w)`, w being
/// `second_opinion_weight`: the sum that was measured, on the scale of a
/// score, so that `strong_match` still reads it and `match` follows `score`.
/// Equal scores keep copmatch's order. The results past them (a page beyond
/// the depth) keep their order behind them, scored as if the second model's
/// cosine were the lowest it gave, and never above the last re-read one, so
/// scores fall down the whole ranking.
pub fn reorder(mut ranked: Vec<Ranked>, cosines: &[f32], weights: &RankingWeights) -> Vec<Ranked> {
    let w = weights.second_opinion_weight;
    let n = cosines.len().min(ranked.len());
    let blend = |score: f32, cosine: f32| (score + w * cosine) / (1.0 + w);
    for (r, cosine) in ranked.iter_mut().zip(cosines) {
        r.score = blend(r.score, *cosine);
    }
    ranked[..n].sort_by(|a, b| b.score.total_cmp(&a.score));
    if let Some(last) = ranked[..n].last().map(|r| r.score) {
        let lowest = cosines[..n].iter().copied().fold(f32::INFINITY, f32::min);
        for r in &mut ranked[n..] {
            r.score = blend(r.score, lowest).min(last);
        }
    }
    for r in &mut ranked {
        r.strength = MatchStrength::of(r.score, weights);
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use copmatch_domain::community::Status;
    use copmatch_domain::profile::{ProfileField, ProfileItem};

    fn ranked(id: &str, score: f32) -> Ranked {
        Ranked {
            community: crate::tests::community(id, &[], Status::Active),
            score,
            strength: MatchStrength::Weak,
            reasons: vec![],
        }
    }

    fn ids(ranked: &[Ranked]) -> Vec<&str> {
        ranked.iter().map(|r| r.community.id.as_str()).collect()
    }

    #[test]
    fn a_community_the_second_model_reads_closer_moves_up_by_its_weighted_cosine() {
        let weights = RankingWeights::default();
        let out = reorder(
            vec![ranked("selfhosted", 0.70), ranked("devops-slack", 0.65)],
            &[0.20, 0.40],
            &weights,
        );
        assert_eq!(ids(&out), ["devops-slack", "selfhosted"]);
        let w = weights.second_opinion_weight;
        assert!((out[0].score - (0.65 + w * 0.40) / (1.0 + w)).abs() < 1e-6);
    }

    #[test]
    fn match_strength_follows_the_new_score() {
        let weights = RankingWeights::default();
        let strong = weights.strong_match;
        // A strong first reading the second model finds far off becomes weak.
        let out = reorder(vec![ranked("a", strong + 0.05)], &[0.0], &weights);
        assert_eq!(out[0].strength, MatchStrength::Weak);
        let out = reorder(vec![ranked("a", strong)], &[strong + 0.1], &weights);
        assert_eq!(out[0].strength, MatchStrength::Strong);
    }

    #[test]
    fn results_past_the_depth_keep_their_places_behind_the_reordered_ones() {
        let weights = RankingWeights::default();
        let out = reorder(
            vec![ranked("a", 0.9), ranked("b", 0.8), ranked("c", 0.7)],
            &[0.0, 0.5],
            &weights,
        );
        assert_eq!(ids(&out), ["b", "a", "c"]);
        // c is scored as if its cosine were the lowest given (0.0), capped at a's.
        assert!((out[1].score - 0.45).abs() < 1e-6);
        assert!((out[2].score - 0.35).abs() < 1e-6);
        let scores: Vec<f32> = out.iter().map(|r| r.score).collect();
        assert!(scores.windows(2).all(|s| s[0] >= s[1]), "{scores:?}");
    }

    #[test]
    fn equal_scores_keep_the_first_ranking_order_and_weight_zero_changes_nothing() {
        let weights = RankingWeights {
            second_opinion_weight: 0.0,
            ..Default::default()
        };
        let out = reorder(
            vec![ranked("a", 0.5), ranked("b", 0.5), ranked("c", 0.4)],
            &[0.1, 0.9, 0.9],
            &weights,
        );
        assert_eq!(ids(&out), ["a", "b", "c"]);
    }

    #[test]
    fn the_second_model_reads_the_items_as_typed_joined() {
        let item = |field, text: &str| {
            EmbeddedItem::new(
                ProfileItem {
                    field,
                    text: text.into(),
                },
                vec![],
            )
        };
        let items = [
            item(
                ProfileField::Role,
                "IT person at a 40-person accounting office",
            ),
            item(ProfileField::Skill, "Windows Server"),
        ];
        assert_eq!(
            profile_text(&items),
            "IT person at a 40-person accounting office, Windows Server"
        );
    }
}
