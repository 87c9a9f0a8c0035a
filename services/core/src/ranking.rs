//! Ranking and explanations.
//!
//! A profile is embedded item by item ("ICU nurse", "ethics", …). The search
//! vector is a weighted mean of the per-field means (roles weigh most), so a
//! profile with many interests is not drowned out by them. Candidates from the
//! vector search are then re-scored with two more signals a person would call
//! evidence: how close the community is to the *single best* profile item (a
//! nurse who is also a data scientist should find nursing communities even
//! though their mean vector sits between the two fields), and literal matches of
//! profile words in the community's categories, tags and name. Every signal
//! that moved a community up becomes a reason.

use std::cmp::Ordering;

use crate::community::{Community, Cost};
use crate::ports::ScoredRecord;
use crate::profile::{ProfileField, ProfileItem};
use crate::text::content_words;

/// Tunable weights of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingWeights {
    pub role: f32,
    pub skill: f32,
    pub interest: f32,
    pub about: f32,
    /// Share of the score that comes from the best single profile item; the
    /// rest comes from the whole-profile similarity.
    pub best_item_share: f32,
    /// Added per profile item with a literal match in categories/tags/name.
    pub evidence_boost: f32,
    pub max_evidence_boost: f32,
}

impl Default for RankingWeights {
    fn default() -> Self {
        Self {
            role: 1.0,
            skill: 0.8,
            interest: 0.6,
            about: 0.5,
            best_item_share: 0.4,
            evidence_boost: 0.03,
            max_evidence_boost: 0.09,
        }
    }
}

impl RankingWeights {
    pub fn field_weight(&self, field: ProfileField) -> f32 {
        match field {
            ProfileField::Role => self.role,
            ProfileField::Skill => self.skill,
            ProfileField::Interest => self.interest,
            ProfileField::About => self.about,
        }
    }
}

/// A profile item with its embedding.
#[derive(Debug, Clone)]
pub struct EmbeddedItem {
    pub item: ProfileItem,
    pub vector: Vec<f32>,
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub fn normalize(mut v: Vec<f32>) -> Vec<f32> {
    let norm = dot(&v, &v).sqrt();
    if norm > 1e-12 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The search vector of a profile: weighted mean of per-field mean vectors.
pub fn profile_vector(items: &[EmbeddedItem], weights: &RankingWeights) -> Vec<f32> {
    let dim = items.first().map_or(0, |i| i.vector.len());
    let mut out = vec![0.0f32; dim];
    for field in [ProfileField::Role, ProfileField::Skill, ProfileField::Interest, ProfileField::About] {
        let members: Vec<&EmbeddedItem> = items.iter().filter(|i| i.item.field == field).collect();
        if members.is_empty() {
            continue;
        }
        let w = weights.field_weight(field) / members.len() as f32;
        for m in members {
            out.iter_mut().zip(&m.vector).for_each(|(o, x)| *o += w * x);
        }
    }
    normalize(out)
}

/// A ranked community with its explanation.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub community: Community,
    pub score: f32,
    pub reasons: Vec<String>,
}

/// Where in a community a profile word was found.
#[derive(Debug, Clone, PartialEq)]
struct Evidence<'a> {
    item: &'a ProfileItem,
    place: &'static str,
    term: String,
}

fn find_evidence<'a>(item: &'a ProfileItem, community: &Community) -> Option<Evidence<'a>> {
    let wanted = content_words(&item.text);
    if wanted.is_empty() {
        return None;
    }
    let places = community
        .categories
        .iter()
        .map(|c| ("category", c))
        .chain(community.tags.iter().map(|t| ("tag", t)))
        .chain(std::iter::once(("name", &community.name)));
    for (place, term) in places {
        let words = content_words(&term.replace(['-', '_'], " "));
        if wanted.iter().any(|w| words.contains(w)) {
            return Some(Evidence { item, place, term: term.clone() });
        }
    }
    None
}

fn fact_reason(community: &Community) -> String {
    let kind = community.platform.kind_phrase();
    match community.cost {
        Cost::Free => format!("{kind}, free to join"),
        Cost::Paid => format!("{kind}, paid membership"),
        Cost::Unknown => kind.to_string(),
    }
}

/// Re-scores and explains candidates for a profile, best first.
pub fn rank_for_profile(
    items: &[EmbeddedItem],
    candidates: Vec<ScoredRecord>,
    weights: &RankingWeights,
) -> Vec<Ranked> {
    let max_weight = items
        .iter()
        .map(|i| weights.field_weight(i.item.field))
        .fold(f32::MIN, f32::max);
    let mut ranked: Vec<Ranked> = candidates
        .into_iter()
        .map(|candidate| {
            let (best, best_cos) = items
                .iter()
                .map(|i| (i, dot(&i.vector, &candidate.vector)))
                .max_by(|(a, ca), (b, cb)| {
                    let wa = weights.field_weight(a.item.field) * ca;
                    let wb = weights.field_weight(b.item.field) * cb;
                    wa.partial_cmp(&wb).unwrap_or(Ordering::Equal)
                })
                .expect("a validated profile has at least one item");
            let best_weighted = best_cos * weights.field_weight(best.item.field) / max_weight;
            let evidence: Vec<Evidence> = items
                .iter()
                .filter_map(|i| find_evidence(&i.item, &candidate.community))
                .collect();
            let boost = (weights.evidence_boost * evidence.len() as f32).min(weights.max_evidence_boost);
            let score = (1.0 - weights.best_item_share) * candidate.score
                + weights.best_item_share * best_weighted
                + boost;

            let mut reasons: Vec<String> = evidence
                .iter()
                .take(2)
                .map(|e| format!("matches your {} \"{}\" ({} \"{}\")", e.item.field.noun(), e.item.text, e.place, e.term))
                .collect();
            if !evidence.iter().any(|e| e.item == &best.item) || reasons.is_empty() {
                reasons.push(format!(
                    "close in meaning to your {} \"{}\" (similarity {:.2})",
                    best.item.field.noun(),
                    best.item.text,
                    best_cos
                ));
            }
            reasons.push(fact_reason(&candidate.community));
            Ranked { community: candidate.community, score, reasons }
        })
        .collect();
    sort_ranked(&mut ranked);
    ranked
}

/// Explains communities found near another community.
pub fn rank_similar(source: &Community, candidates: Vec<ScoredRecord>) -> Vec<Ranked> {
    let source_terms: Vec<(String, &str)> = source
        .categories
        .iter()
        .map(|c| (crate::text::normalize_key(c), "category"))
        .chain(source.tags.iter().map(|t| (crate::text::normalize_key(t), "tag")))
        .collect();
    let mut ranked: Vec<Ranked> = candidates
        .into_iter()
        .map(|candidate| {
            let shared: Vec<String> = candidate
                .community
                .categories
                .iter()
                .chain(&candidate.community.tags)
                .filter_map(|t| {
                    let key = crate::text::normalize_key(t);
                    source_terms.iter().find(|(k, _)| *k == key).map(|(_, place)| format!("{place} \"{t}\""))
                })
                .take(3)
                .collect();
            let mut reasons = Vec::new();
            if !shared.is_empty() {
                reasons.push(format!("shares {} with {}", shared.join(", "), source.name));
            }
            reasons.push(format!("similar in meaning to {} (similarity {:.2})", source.name, candidate.score));
            reasons.push(fact_reason(&candidate.community));
            Ranked { score: candidate.score, reasons, community: candidate.community }
        })
        .collect();
    sort_ranked(&mut ranked);
    ranked
}

fn sort_ranked(ranked: &mut [Ranked]) {
    ranked.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.community.id.cmp(&b.community.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::Platform;

    fn community(id: &str, categories: &[&str], cost: Cost) -> Community {
        Community {
            id: id.into(),
            name: id.to_uppercase(),
            url: format!("https://{id}.example"),
            platform: Platform::Slack,
            categories: categories.iter().map(|s| s.to_string()).collect(),
            tags: vec![],
            languages: vec!["English".into()],
            cost,
            description: None,
        homepage: None,
        }
    }

    fn item(field: ProfileField, text: &str, vector: Vec<f32>) -> EmbeddedItem {
        EmbeddedItem { item: ProfileItem { field, text: text.into() }, vector }
    }

    #[test]
    fn profile_vector_weights_roles_over_interests() {
        let items = vec![
            item(ProfileField::Role, "nurse", vec![1.0, 0.0]),
            item(ProfileField::Interest, "rust", vec![0.0, 1.0]),
        ];
        let v = profile_vector(&items, &RankingWeights::default());
        assert!(v[0] > v[1]);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn literal_evidence_lifts_and_explains_a_community() {
        let items = vec![item(ProfileField::Role, "public health student", vec![1.0, 0.0])];
        let candidates = vec![
            ScoredRecord { community: community("aaa", &["Software"], Cost::Unknown), vector: vec![1.0, 0.0], score: 0.50 },
            ScoredRecord { community: community("bbb", &["Public health"], Cost::Free), vector: vec![1.0, 0.0], score: 0.50 },
        ];
        let ranked = rank_for_profile(&items, candidates, &RankingWeights::default());
        assert_eq!(ranked[0].community.id, "bbb");
        assert_eq!(ranked[0].reasons[0], "matches your role \"public health student\" (category \"Public health\")");
        assert!(ranked[0].reasons.contains(&"a Slack workspace, free to join".to_string()));
        assert!(ranked[1].reasons[0].starts_with("close in meaning to your role \"public health student\""));
    }

    #[test]
    fn best_single_item_counts_for_mixed_profiles() {
        // Two roles; the candidate matches only the second one, strongly.
        let items = vec![
            item(ProfileField::Role, "nurse", vec![1.0, 0.0]),
            item(ProfileField::Role, "data scientist", vec![0.0, 1.0]),
        ];
        let strong = ScoredRecord { community: community("ds", &[], Cost::Unknown), vector: vec![0.0, 1.0], score: 0.7 };
        let weak = ScoredRecord { community: community("mid", &[], Cost::Unknown), vector: vec![0.7, 0.7], score: 0.99 };
        let ranked = rank_for_profile(&items, vec![weak, strong], &RankingWeights::default());
        assert!(ranked.iter().find(|r| r.community.id == "ds").unwrap().reasons[0].contains("data scientist"));
    }

    #[test]
    fn ties_break_by_id_for_deterministic_order() {
        let items = vec![item(ProfileField::Skill, "zzz", vec![1.0])];
        let c = |id: &str| ScoredRecord { community: community(id, &[], Cost::Unknown), vector: vec![1.0], score: 0.5 };
        let ranked = rank_for_profile(&items, vec![c("b"), c("a")], &RankingWeights::default());
        assert_eq!(ranked[0].community.id, "a");
    }
}
