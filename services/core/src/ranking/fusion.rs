//! Merging the dense and keyword candidate lists and scoring the union.

use std::collections::HashMap;

use super::{dot, Query, RankRequest, RankingWeights, RetrievalMode};
use crate::community::Community;
use crate::ports::SearchHits;
use crate::profile::ProfileItem;
use crate::text::{content_words, normalize_key};

/// One community under consideration.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub community: Community,
    pub vector: Vec<f32>,
    /// Cosine similarity to the query vector.
    pub dense: f32,
    /// BM25 score divided by the best BM25 score of this query (0 when the
    /// keywords did not find it).
    pub keyword: f32,
    pub score: f32,
}

/// The union of both lists (or one list, for a baseline), one entry per id.
pub fn merge(hits: SearchHits, query_vector: &[f32], mode: RetrievalMode) -> Vec<Candidate> {
    let best_keyword = hits
        .keyword
        .first()
        .map_or(0.0, |h| h.score)
        .max(f32::EPSILON);
    let mut by_id: HashMap<String, Candidate> = HashMap::new();
    let dense = if mode == RetrievalMode::KeywordOnly {
        Vec::new()
    } else {
        hits.dense
    };
    let keyword = if mode == RetrievalMode::DenseOnly {
        Vec::new()
    } else {
        hits.keyword
    };
    for hit in dense {
        let dense = dot(query_vector, &hit.vector);
        by_id.insert(
            hit.community.id.clone(),
            Candidate {
                dense,
                keyword: 0.0,
                score: 0.0,
                community: hit.community,
                vector: hit.vector,
            },
        );
    }
    for hit in keyword {
        let keyword = hit.score / best_keyword;
        by_id
            .entry(hit.community.id.clone())
            .and_modify(|c| c.keyword = keyword)
            .or_insert_with(|| Candidate {
                dense: dot(query_vector, &hit.vector),
                keyword,
                score: 0.0,
                community: hit.community,
                vector: hit.vector,
            });
    }
    by_id.into_values().collect()
}

/// Where in a community a profile word was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence<'a> {
    pub item: &'a ProfileItem,
    pub place: &'static str,
    pub term: String,
}

/// The first category, tag or name (in that order) sharing a content word
/// with the item.
pub fn evidence_for<'a>(item: &'a ProfileItem, community: &Community) -> Option<Evidence<'a>> {
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
            return Some(Evidence {
                item,
                place,
                term: term.clone(),
            });
        }
    }
    None
}

/// How much of an item the community's categories, tags and name cover: the
/// share of the item's content words found there, squared, so that one
/// generic word of a long role ("site" in "site reliability engineer") counts
/// little and a full match ("ICU nurse" → tag "icu" + "nurses") counts fully.
pub fn coverage(item: &ProfileItem, community: &Community) -> f32 {
    let wanted = content_words(&item.text);
    if wanted.is_empty() {
        return 0.0;
    }
    let have: Vec<String> = community
        .categories
        .iter()
        .chain(&community.tags)
        .chain(std::iter::once(&community.name))
        .flat_map(|t| content_words(&t.replace(['-', '_'], " ")))
        .collect();
    let found = wanted.iter().filter(|w| have.contains(w)).count();
    let share = found as f32 / wanted.len() as f32;
    share * share
}

/// Categories and tags two communities share, as normalized keys.
pub fn shared_terms(a: &Community, b: &Community) -> Vec<(&'static str, String)> {
    let keys = |c: &Community| -> Vec<String> {
        c.categories
            .iter()
            .chain(&c.tags)
            .map(|t| normalize_key(t))
            .collect()
    };
    let source = keys(a);
    b.categories
        .iter()
        .map(|t| ("category", t))
        .chain(b.tags.iter().map(|t| ("tag", t)))
        .filter(|(_, t)| source.contains(&normalize_key(t)))
        .map(|(place, t)| (place, t.clone()))
        .collect()
}

/// The best profile item for a candidate: (item, cosine), by field-weighted cosine.
pub fn best_item<'a>(
    items: &'a [super::EmbeddedItem],
    candidate: &Candidate,
    weights: &RankingWeights,
) -> Option<(&'a super::EmbeddedItem, f32)> {
    items
        .iter()
        .map(|i| (i, dot(&i.vector, &candidate.vector)))
        .max_by(|(a, ca), (b, cb)| {
            (weights.field_weight(a.item.field) * ca)
                .partial_cmp(&(weights.field_weight(b.item.field) * cb))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
}

pub fn hybrid_score(c: &Candidate, request: &RankRequest, weights: &RankingWeights) -> f32 {
    let (best, matches) = match &request.query {
        Query::Profile(items) => {
            let max_weight = items
                .iter()
                .map(|i| weights.field_weight(i.item.field))
                .fold(f32::MIN, f32::max);
            let best = best_item(items, c, weights).map_or(c.dense, |(i, cos)| {
                cos * weights.field_weight(i.item.field) / max_weight
            });
            let covered: f32 = items.iter().map(|i| coverage(&i.item, &c.community)).sum();
            (best, covered)
        }
        Query::Similar(source) => (
            c.dense,
            shared_terms(source, &c.community).len().min(3) as f32,
        ),
    };
    let evidence = (weights.evidence_boost * matches).min(weights.max_evidence_boost);
    let status = if request.demote_status {
        weights.status_penalty(c.community.status)
    } else {
        0.0
    };
    let negative = request
        .negatives
        .iter()
        .map(|n| dot(n, &c.vector))
        .fold(0.0f32, f32::max);
    // Only closeness beyond what communities of one field commonly share
    // counts against, scaled so that a near-clone (cosine → 1) loses the full weight.
    let negative_penalty = weights.negative_weight * ((negative - 0.5) / 0.5).max(0.0);
    (1.0 - weights.best_item_share) * c.dense
        + weights.best_item_share * best
        + weights.keyword_weight * c.keyword
        + evidence
        - status
        - negative_penalty
}
