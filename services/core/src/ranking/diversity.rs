//! Diversity: maximal marginal relevance over the scored candidates.
//!
//! Each pick maximizes `score − diversity × redundancy`, where redundancy is
//! how much closer the candidate is to an already picked community than
//! distinct communities of one field usually are. Near-duplicates are held
//! back behind everything else whenever diversity is above 0: the same
//! community listed twice ([`crate::community::same_community`]), one
//! mirrored on two platforms (same name, near-identical description), or
//! nearly identical embeddings.

use super::{dot, Candidate};
use crate::community::{name_key, same_community};

/// Cosine above which two communities are the same one, described twice.
const DUPLICATE_COSINE: f32 = 0.97;
/// Cosine above which two same-named communities on different platforms are
/// one community mirrored (the Arduino Discord and Arduino Stack Exchange are
/// two different groups of people, and their descriptions say so).
const MIRROR_COSINE: f32 = 0.9;
/// Cosine that distinct communities of one field commonly reach; only
/// closeness beyond it counts as repeating what is already listed.
const REDUNDANCY_FLOOR: f32 = 0.7;

fn is_duplicate(a: &Candidate, b: &Candidate) -> bool {
    let cos = dot(&a.vector, &b.vector);
    same_community(&a.community, &b.community)
        || cos >= DUPLICATE_COSINE
        || (cos >= MIRROR_COSINE && name_key(&a.community.name) == name_key(&b.community.name))
}

/// Picks `wanted` candidates from a best-first list. Redundancy is updated
/// incrementally, so a pick costs one pass over the remaining candidates.
pub fn select(candidates: Vec<Candidate>, wanted: usize, diversity: f32) -> Vec<Candidate> {
    if diversity <= 0.0 {
        return candidates.into_iter().take(wanted).collect();
    }
    let mut remaining: Vec<(Candidate, f32)> = candidates.into_iter().map(|c| (c, 0.0)).collect();
    let mut picked: Vec<Candidate> = Vec::with_capacity(wanted);
    let mut held_back: Vec<Candidate> = Vec::new();
    while picked.len() < wanted && !remaining.is_empty() {
        let best_index = remaining
            .iter()
            .enumerate()
            .map(|(i, (c, redundancy))| (i, c.score - diversity * redundancy))
            .fold(
                (0, f32::MIN),
                |best, (i, v)| if v > best.1 { (i, v) } else { best },
            )
            .0;
        let (choice, _) = remaining.remove(best_index);
        if picked.iter().any(|p| is_duplicate(p, &choice)) {
            held_back.push(choice);
            continue;
        }
        for (c, redundancy) in &mut remaining {
            *redundancy = redundancy.max(dot(&c.vector, &choice.vector) - REDUNDANCY_FLOOR);
        }
        picked.push(choice);
    }
    picked.extend(
        held_back
            .into_iter()
            .take(wanted.saturating_sub(picked.len())),
    );
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::{Community, Cost, Platform, Status};

    fn candidate(id: &str, name: &str, vector: Vec<f32>, score: f32) -> Candidate {
        let community = Community {
            id: id.into(),
            name: name.into(),
            url: format!("https://{id}.example"),
            platform: Platform::Discord,
            categories: vec![],
            tags: vec![],
            languages: vec![],
            cost: Cost::Free,
            description: None,
            homepage: None,
            status: Status::Active,
            last_verified_at: None,
            last_activity_at: None,
            member_count: None,
            liveness: Default::default(),
        };
        Candidate {
            breakdown: Default::default(),
            community,
            vector,
            dense: score,
            keyword: 0.0,
            score,
        }
    }

    #[test]
    fn mirrors_of_one_community_are_held_back() {
        let list = vec![
            candidate("a-discord", "Rustaceans Discord", vec![1.0, 0.0], 0.9),
            candidate("a-slack", "Rustaceans", vec![0.8, 0.6], 0.89),
            candidate("b", "Gophers", vec![0.6, 0.8], 0.7),
        ];
        let ids: Vec<String> = select(list, 3, 0.3)
            .into_iter()
            .map(|c| c.community.id)
            .collect();
        assert_eq!(ids, vec!["a-discord", "b", "a-slack"]);
    }

    #[test]
    fn zero_diversity_keeps_pure_relevance_order() {
        let list = vec![
            candidate("a", "A", vec![1.0, 0.0], 0.9),
            candidate("a2", "A", vec![1.0, 0.0], 0.8),
            candidate("b", "B", vec![0.0, 1.0], 0.7),
        ];
        let ids: Vec<String> = select(list, 3, 0.0)
            .into_iter()
            .map(|c| c.community.id)
            .collect();
        assert_eq!(ids, vec!["a", "a2", "b"]);
    }

    #[test]
    fn higher_diversity_lifts_a_different_community_over_a_close_one() {
        let list = vec![
            candidate("a", "A", vec![1.0, 0.0], 0.90),
            candidate("near", "Near", vec![0.9, 0.436], 0.80),
            candidate("far", "Far", vec![0.0, 1.0], 0.75),
        ];
        let second = |d: f32| select(list.clone(), 2, d)[1].community.id.clone();
        assert_eq!(second(0.1), "near");
        assert_eq!(second(1.0), "far");
    }

    #[test]
    fn same_named_communities_on_different_platforms_are_kept_when_different() {
        let mut discord = candidate("arduino-discord", "Arduino", vec![1.0, 0.0], 0.9);
        discord.community.platform = Platform::Discord;
        let mut qa = candidate("arduino-se", "Arduino", vec![0.8, 0.6], 0.89);
        qa.community.platform = Platform::Stackexchange;
        let ids: Vec<String> = select(vec![discord, qa], 2, 0.3)
            .into_iter()
            .map(|c| c.community.id)
            .collect();
        assert_eq!(ids, vec!["arduino-discord", "arduino-se"]);
    }
}
