//! Merging the dense and keyword candidate lists and scoring the union. Each
//! candidate's score is computed from its [`Breakdown`], which the reasons
//! (`explain.rs`) read too, so a reason always names what the score counted.

use std::collections::HashMap;

use crate::request::{Query, RankRequest, RetrievalMode};
use crate::terms::{terms_of, Term};
use crate::vectors::dot;
use crate::weights::RankingWeights;
use copmatch_domain::community::Community;
use copmatch_domain::records::SearchHits;
use copmatch_domain::text::normalize_key;
use copmatch_domain::CommunityId;

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
    /// The signals behind `score` (filled by `rank`).
    pub breakdown: Breakdown,
}

/// What a candidate's hybrid score is made of, signal by signal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breakdown {
    /// The profile item closest in meaning (its index) and its cosine.
    pub best_item: Option<(usize, f32)>,
    /// That cosine, field-weighted, as it enters the score (the dense
    /// similarity when the query is not a profile).
    pub best: f32,
    /// Profile items whose words the community's categories, tags or name hold.
    pub evidence: Vec<Evidence>,
    /// Categories and tags shared with the source community (similar-to queries).
    pub shared: Vec<(&'static str, String)>,
    /// Added for `evidence` or `shared`, capped.
    pub evidence_boost: f32,
    /// Added for public activity (see [`activity`]).
    pub activity_boost: f32,
    /// Subtracted for an inactive or unverified status.
    pub status_penalty: f32,
    /// Subtracted for closeness to a "not for me" community.
    pub negative_penalty: f32,
    /// Similarity in meaning (see [`semantic`]).
    pub semantic: f32,
    /// Share of the keyword and evidence lift this candidate gets (see
    /// [`plausibility`]).
    pub plausibility: f32,
    /// Whether the profile reads as free text ([`crate::request::reads_as_free_text`]),
    /// which has its own keyword weights.
    pub free_text: bool,
    /// The sum of the evidence's coverage (or shared terms), before weighting.
    pub matches: f32,
}

/// Every candidate's breakdown, with its semantic score and plausibility.
pub(crate) fn scored(
    request: &RankRequest,
    hits: SearchHits,
    weights: &RankingWeights,
) -> Vec<Candidate> {
    let mut candidates = merge(hits, request.query_vector, request.mode);
    for c in &mut candidates {
        c.breakdown = breakdown(c, request, weights);
        c.breakdown.semantic = semantic(c, weights);
    }
    let top_semantic = candidates
        .iter()
        .map(|c| c.breakdown.semantic)
        .fold(f32::MIN, f32::max);
    for c in &mut candidates {
        c.breakdown.plausibility = plausibility(c.breakdown.semantic, top_semantic, weights);
    }
    candidates
}

/// The union of both lists (or one list, for a baseline), one entry per id.
pub fn merge(hits: SearchHits, query_vector: &[f32], mode: RetrievalMode) -> Vec<Candidate> {
    let best_keyword = hits
        .keyword
        .first()
        .map_or(0.0, |h| h.score)
        .max(f32::EPSILON);
    let mut by_id: HashMap<CommunityId, Candidate> = HashMap::new();
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
                breakdown: Breakdown::default(),
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
                breakdown: Breakdown::default(),
                community: hit.community,
                vector: hit.vector,
            });
    }
    by_id.into_values().collect()
}

/// Where in a community a profile item's words were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The item's index among the profile items.
    pub item: usize,
    pub place: &'static str,
    pub term: String,
    /// Share of the item's words found there, squared (see [`coverage`]).
    pub coverage: f32,
}

/// The best evidence over the item's phrasings (as typed first, then with
/// synonyms, which must match whole; a tie goes to the earlier one).
fn evidence_for(index: usize, phrasings: &[Vec<String>], terms: &[Term]) -> Option<Evidence> {
    // A synonym counts only when all of it is there: "penetration testing"
    // must not match "software testing" on one generic word.
    let as_typed = phrasings.first().and_then(|w| evidence_in(index, w, terms));
    let synonyms = phrasings
        .iter()
        .skip(1)
        .filter_map(|wanted| evidence_in(index, wanted, terms))
        .filter(|e| e.coverage >= 1.0);
    as_typed
        .into_iter()
        .chain(synonyms)
        .fold(None, |best: Option<Evidence>, e| match best {
            Some(b) if b.coverage >= e.coverage => Some(b),
            _ => Some(e),
        })
}

/// The first category, tag or name sharing a content word with one phrasing
/// of the item (`wanted`: its content words), with the coverage: the share of
/// its content words found anywhere in them, squared, so that one generic
/// word of a long role ("site" in "site reliability engineer") counts little
/// and a full match ("ICU nurse" → tag "icu" + "nurses") counts fully.
fn evidence_in(index: usize, wanted: &[String], terms: &[Term]) -> Option<Evidence> {
    if wanted.is_empty() {
        return None;
    }
    let first = terms
        .iter()
        .find(|t| wanted.iter().any(|w| t.words.contains(w)))?;
    let found = wanted
        .iter()
        .filter(|w| terms.iter().any(|t| t.words.contains(w)))
        .count();
    let share = found as f32 / wanted.len() as f32;
    Some(Evidence {
        item: index,
        place: first.place,
        term: first.text.clone(),
        coverage: share * share,
    })
}

/// Categories and tags two communities share, as normalized keys.
fn shared_terms(a: &Community, b: &Community) -> Vec<(&'static str, String)> {
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

/// The best profile item for a candidate: (index, cosine), by field-weighted cosine.
fn best_item(
    items: &[crate::request::EmbeddedItem],
    candidate: &Candidate,
    weights: &RankingWeights,
) -> Option<(usize, f32)> {
    items
        .iter()
        .enumerate()
        .map(|(n, i)| (n, dot(&i.vector, &candidate.vector)))
        .max_by(|(a, ca), (b, cb)| {
            (weights.field_weight(items[*a].item.field) * ca)
                .partial_cmp(&(weights.field_weight(items[*b].item.field) * cb))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
}

/// Every signal of a candidate for this request.
pub fn breakdown(c: &Candidate, request: &RankRequest, weights: &RankingWeights) -> Breakdown {
    let mut b = Breakdown::default();
    let matches = match &request.query {
        Query::Profile(items) => {
            b.free_text = crate::request::reads_as_free_text(items);
            let max_weight = items
                .iter()
                .map(|i| weights.field_weight(i.item.field))
                .fold(f32::MIN, f32::max);
            b.best_item = best_item(items, c, weights);
            b.best = b.best_item.map_or(c.dense, |(n, cos)| {
                cos * weights.field_weight(items[n].item.field) / max_weight
            });
            let terms = terms_of(&c.community);
            b.evidence = items
                .iter()
                .enumerate()
                .filter_map(|(n, i)| evidence_for(n, &i.phrasings, &terms))
                .collect();
            b.evidence.iter().map(|e| e.coverage).sum()
        }
        Query::Similar(source) => {
            b.best = c.dense;
            b.shared = shared_terms(source, &c.community);
            b.shared.len().min(3) as f32
        }
    };
    b.matches = matches;
    let (_, evidence_boost) = weights.lift_weights(b.free_text);
    b.evidence_boost = (evidence_boost * matches).min(weights.max_evidence_boost);
    if request.demote_status {
        b.status_penalty = weights.status_penalty(c.community.status);
    }
    b.activity_boost = weights.activity_weight * activity(&c.community);
    let negative = request
        .negatives
        .iter()
        .map(|n| dot(n, &c.vector))
        .fold(0.0f32, f32::max);
    // Only closeness beyond what communities of one field commonly share
    // counts against, scaled so that a near-clone (cosine → 1) loses the full weight.
    b.negative_penalty = weights.negative_weight * ((negative - 0.5) / 0.5).max(0.0);
    b
}

/// Similarity in meaning: to the whole profile, and to its closest item.
pub fn semantic(c: &Candidate, weights: &RankingWeights) -> f32 {
    (1.0 - weights.best_item_share) * c.dense + weights.best_item_share * c.breakdown.best
}

/// What keyword and literal evidence would add at full plausibility: at most
/// `max_lift`, so words never carry a community past one that is more than
/// that much closer in meaning.
pub fn lift(c: &Candidate, weights: &RankingWeights) -> f32 {
    let (keyword_weight, _) = weights.lift_weights(c.breakdown.free_text);
    (keyword_weight * c.keyword + c.breakdown.evidence_boost).min(weights.max_lift)
}

/// How far keyword evidence may lift a candidate: fully when its meaning is
/// as close as the closest candidate's, not at all once it is
/// `plausibility_window` or more below that. So words can reorder communities
/// that are plausible in meaning, but never carry a distant one past a much
/// closer one.
pub fn plausibility(semantic: f32, top_semantic: f32, weights: &RankingWeights) -> f32 {
    if weights.plausibility_window <= 0.0 {
        return 1.0;
    }
    (1.0 - (top_semantic - semantic) / weights.plausibility_window).clamp(0.0, 1.0)
}

/// The hybrid score, from the candidate's breakdown (`semantic` and
/// `plausibility` filled in by the ranking).
pub fn hybrid_score(c: &Candidate, weights: &RankingWeights) -> f32 {
    let b = &c.breakdown;
    b.semantic + b.plausibility * lift(c, weights) + b.activity_boost
        - b.status_penalty
        - b.negative_penalty
}

/// Public activity on a 0..1 scale: posts in the last week (100 or more is
/// full), else members online (1,000 or more is full), else a sign of life in
/// the last 30 days (half). Nothing known is 0, so unchecked catalogs rank as
/// they always did.
pub fn activity(community: &Community) -> f32 {
    if community.status != copmatch_domain::community::Status::Active {
        return 0.0;
    }
    let s = &community.liveness.signals;
    let log_share = |n: u64, full: f32| ((1.0 + n as f32).ln() / (1.0 + full).ln()).min(1.0);
    if let Some(posts) = s.posts_7d {
        return log_share(posts, 100.0);
    }
    if let Some(online) = s.online {
        return log_share(online, 1000.0);
    }
    let recent = s
        .last_activity_at
        .as_deref()
        .and_then(copmatch_domain::time::parse_time)
        .is_some_and(|at| jiff::Timestamp::now().duration_since(at).as_hours() < 30 * 24);
    if recent {
        0.5
    } else {
        0.0
    }
}
