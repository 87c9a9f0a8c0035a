//! Diversity: the same community listed twice is shown once, and maximal
//! marginal relevance (MMR) is available on request.
//!
//! Mirrors are held back behind everything else, always: the same community
//! listed twice ([`copmatch_domain::community::same_community`]: a shared homepage or
//! invite, or one name on one platform), one community mirrored on two
//! platforms (same name, near-identical description), or two entries whose
//! descriptions are near-identical. Two different servers about the same
//! language are not mirrors, however close their embeddings: each is a
//! different group of people.
//!
//! MMR, when `diversity` is above 0: each pick maximizes `score − diversity ×
//! redundancy`, where redundancy is how much closer the candidate is to an
//! already picked community than distinct communities of one field usually
//! are. The default diversity is 0 (pure relevance): on the development set
//! any MMR cost nDCG@10 (README "Evaluation").

use std::collections::HashSet;

use crate::fusion::Candidate;
use crate::vectors::dot;
use copmatch_domain::community::Identity;
use copmatch_domain::text::content_words;

/// Cosine above which two same-named communities on different platforms are
/// one community mirrored (the Arduino Discord and Arduino Stack Exchange are
/// two different groups of people, and their descriptions say so).
const MIRROR_COSINE: f32 = 0.9;
/// Share of shared description words above which two descriptions are one
/// text copied.
const SAME_TEXT_JACCARD: f32 = 0.9;
/// Descriptions shorter than this (in content words) are too short to call
/// copies of each other.
const MIN_TEXT_WORDS: usize = 6;
/// Cosine that distinct communities of one field commonly reach; only
/// closeness beyond it counts as repeating what is already listed.
const REDUNDANCY_FLOOR: f32 = 0.7;

/// What mirror detection compares, computed once per candidate that is
/// chosen (not once per pair compared).
struct MirrorKeys {
    identity: Identity,
    /// Content words of the description, when it has enough to compare.
    words: Option<HashSet<String>>,
}

impl MirrorKeys {
    fn of(c: &Candidate) -> Self {
        let words: HashSet<String> = c
            .community
            .description
            .as_deref()
            .map(content_words)
            .unwrap_or_default()
            .into_iter()
            .collect();
        Self {
            identity: Identity::of(&c.community),
            words: (words.len() >= MIN_TEXT_WORDS).then_some(words),
        }
    }
}

fn near_identical_text(a: &MirrorKeys, b: &MirrorKeys) -> bool {
    let (Some(wa), Some(wb)) = (&a.words, &b.words) else {
        return false;
    };
    let shared = wa.intersection(wb).count();
    let union = wa.len() + wb.len() - shared;
    shared as f32 / union as f32 >= SAME_TEXT_JACCARD
}

fn is_duplicate(a: (&Candidate, &MirrorKeys), b: (&Candidate, &MirrorKeys)) -> bool {
    let ((a, ka), (b, kb)) = (a, b);
    ka.identity.same_community(&kb.identity)
        || (ka.identity.name() == kb.identity.name() && dot(&a.vector, &b.vector) >= MIRROR_COSINE)
        || near_identical_text(ka, kb)
}

/// Picks `wanted` candidates from a best-first list.
///
/// Redundancy is at most `1 − REDUNDANCY_FLOOR` (vectors are unit length),
/// so a candidate scoring more than `diversity × that` below the best one
/// left cannot be picked this round; each round looks only at that window
/// and brings a candidate's redundancy up to date only when the window
/// reaches it. The picks are the same as scanning every candidate.
pub fn select(candidates: Vec<Candidate>, wanted: usize, diversity: f32) -> Vec<Candidate> {
    let reach = diversity * (1.0 - REDUNDANCY_FLOOR) + 1e-4;
    // Candidates are large; the rounds move indices into `pool` instead.
    let mut pool: Vec<Option<Candidate>> = candidates.into_iter().map(Some).collect();
    // (index into `pool`, redundancy, picks it has been compared with)
    let mut remaining: Vec<(usize, f32, usize)> = (0..pool.len()).map(|i| (i, 0.0, 0)).collect();
    let mut picked: Vec<Candidate> = Vec::with_capacity(wanted);
    let mut picked_keys: Vec<MirrorKeys> = Vec::with_capacity(wanted);
    let mut held_back: Vec<Candidate> = Vec::new();
    while picked.len() < wanted && !remaining.is_empty() {
        let top = pool[remaining[0].0]
            .as_ref()
            .expect("a remaining candidate is in the pool")
            .score;
        let mut best = (0, f32::MIN);
        for (i, (index, redundancy, seen)) in remaining.iter_mut().enumerate() {
            let c = pool[*index]
                .as_ref()
                .expect("a remaining candidate is in the pool");
            if c.score < top - reach {
                break;
            }
            for p in &picked[*seen..] {
                *redundancy = redundancy.max(dot(&c.vector, &p.vector) - REDUNDANCY_FLOOR);
            }
            *seen = picked.len();
            let value = c.score - diversity * *redundancy;
            if value > best.1 {
                best = (i, value);
            }
        }
        let (index, _, _) = remaining.remove(best.0);
        let choice = pool[index].take().expect("a candidate is chosen once");
        let keys = MirrorKeys::of(&choice);
        if picked
            .iter()
            .zip(&picked_keys)
            .any(|p| is_duplicate(p, (&choice, &keys)))
        {
            held_back.push(choice);
            continue;
        }
        picked.push(choice);
        picked_keys.push(keys);
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
    use copmatch_domain::community::{Community, Cost, Platform, Status};

    fn candidate(id: &str, name: &str, vector: Vec<f32>, score: f32) -> Candidate {
        let community = Community {
            id: copmatch_domain::CommunityId::parse(id).unwrap(),
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
            provenance: Vec::new(),
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

    /// The plain MMR loop, scanning every candidate each round: what the
    /// windowed `select` must reproduce.
    fn select_scanning_all(candidates: Vec<Candidate>, wanted: usize, d: f32) -> Vec<Candidate> {
        let mut remaining: Vec<(Candidate, f32)> =
            candidates.into_iter().map(|c| (c, 0.0)).collect();
        let (mut picked, mut held_back): (Vec<Candidate>, Vec<Candidate>) = (vec![], vec![]);
        while picked.len() < wanted && !remaining.is_empty() {
            let mut best = (0, f32::MIN);
            for (i, (c, r)) in remaining.iter().enumerate() {
                if c.score - d * r > best.1 {
                    best = (i, c.score - d * r);
                }
            }
            let (choice, _) = remaining.remove(best.0);
            let keys = MirrorKeys::of(&choice);
            if picked
                .iter()
                .any(|p| is_duplicate((p, &MirrorKeys::of(p)), (&choice, &keys)))
            {
                held_back.push(choice);
                continue;
            }
            for (c, r) in &mut remaining {
                *r = r.max(dot(&c.vector, &choice.vector) - REDUNDANCY_FLOOR);
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

    #[test]
    fn the_window_picks_exactly_what_scanning_everything_picks() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as f32) / (1u64 << 31) as f32
        };
        for round in 0..200 {
            let dim = 8;
            let base: Vec<f32> = (0..dim).map(|_| next() - 0.5).collect();
            let mut list: Vec<Candidate> = (0..60)
                .map(|i| {
                    // Clustered vectors, so redundancy and duplicates really occur.
                    let v: Vec<f32> = base.iter().map(|b| b + 0.4 * (next() - 0.5)).collect();
                    let v = crate::vectors::normalize(v);
                    candidate(&format!("c{i}"), &format!("n{}", i % 7), v, next())
                })
                .collect();
            list.sort_by(|a, b| b.score.total_cmp(&a.score));
            let d = [0.0, 0.1, 0.3, 0.7, 1.0][round % 5];
            let ids = |l: Vec<Candidate>| -> Vec<String> {
                l.into_iter()
                    .map(|c| c.community.id.into_string())
                    .collect()
            };
            assert_eq!(
                ids(select(list.clone(), 10, d)),
                ids(select_scanning_all(list, 10, d)),
                "round {round}, diversity {d}"
            );
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
            .map(|c| c.community.id.into_string())
            .collect();
        assert_eq!(ids, vec!["a-discord", "b", "a-slack"]);
    }

    #[test]
    fn zero_diversity_keeps_relevance_order_but_still_holds_back_a_mirror() {
        let list = vec![
            candidate("a", "A", vec![1.0, 0.0], 0.9),
            candidate("a2", "A", vec![1.0, 0.0], 0.8),
            candidate("b", "B", vec![0.0, 1.0], 0.7),
            candidate("c", "C", vec![0.0, 1.0], 0.6),
        ];
        let ids: Vec<String> = select(list, 4, 0.0)
            .into_iter()
            .map(|c| c.community.id.into_string())
            .collect();
        assert_eq!(ids, vec!["a", "b", "c", "a2"]);
    }

    #[test]
    fn two_servers_about_one_language_are_not_mirrors() {
        let list = vec![
            candidate(
                "rust-1",
                "The Rust Programming Language",
                vec![1.0, 0.0],
                0.9,
            ),
            candidate("rust-2", "Rust Community Server", vec![0.995, 0.0998], 0.85),
            candidate("go", "Gophers", vec![0.0, 1.0], 0.5),
        ];
        let ids: Vec<String> = select(list, 3, 0.0)
            .into_iter()
            .map(|c| c.community.id.into_string())
            .collect();
        assert_eq!(ids, vec!["rust-1", "rust-2", "go"]);
    }

    #[test]
    fn a_copied_description_is_a_mirror() {
        let text = "A friendly forum where welders share techniques, certifications and job leads";
        let mut a = candidate("weld-forum", "Weld Talk", vec![1.0, 0.0], 0.9);
        a.community.description = Some(text.into());
        let mut b = candidate("weld-mirror", "WeldTalk Archive", vec![0.8, 0.6], 0.8);
        b.community.description = Some(format!("{text}."));
        let c = candidate("other", "Other", vec![0.0, 1.0], 0.7);
        let ids: Vec<String> = select(vec![a, b, c], 3, 0.0)
            .into_iter()
            .map(|c| c.community.id.into_string())
            .collect();
        assert_eq!(ids, vec!["weld-forum", "other", "weld-mirror"]);
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
            .map(|c| c.community.id.into_string())
            .collect();
        assert_eq!(ids, vec!["arduino-discord", "arduino-se"]);
    }
}
