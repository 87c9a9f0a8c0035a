//! Offline evaluation of the ranking against graded relevance judgments.
//!
//! A development set is JSON Lines: `{"id", "profile", "judgments": {community
//! id: grade}}` with grades 2 (fits: a person with this profile would join),
//! 1 (related, useful to some) and 0 (judged, not relevant). Judgments are
//! pooled: every community in the top 10 of copmatch, dense-only or BM25-only
//! is judged, so a community that is not judged at all is one no system has
//! surfaced yet; the report counts those ([`ModeReport::unjudged_in_top10`])
//! instead of silently treating them as irrelevant. Metrics, all at cut-off 10:
//! - nDCG@10 with gains 2^grade − 1 (the ideal order is taken from the judgments),
//! - Recall@10: relevant (grade ≥ 1) communities found in the top 10, divided
//!   by min(10, number judged relevant) so that 1.0 is reachable,
//! - MRR: reciprocal rank of the first community judged 2,
//! - coverage: share of the catalog that appears in any query's top 10.
//!
//! Every mean comes with a 95 % bootstrap interval over queries ([`stats`]);
//! weights are tuned by five-fold cross-validation ([`crossval`]).
//!
//! Catalogs can list one community twice (the bundled catalog and a public
//! list both name User Experience Stack Exchange). Judged entries that are the
//! same community ([`copmatch_core::community::same_community`]) form one group: a
//! ranking earns its gain once, a repeat earns nothing, and the ideal ranking
//! counts each community once. Judged ids missing from the catalog are left
//! out of the ideal.

pub mod calibrate;
pub mod crossval;
pub mod learned;
pub mod plain;
pub mod stats;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use copmatch_core::community::{same_community, Community};
use copmatch_core::error::{CoreError, ErrorCode};
use copmatch_core::profile::{Profile, RecommendRequest};
use copmatch_core::service::{Recommender, Steering};
use copmatch_ranking::RetrievalMode;
pub use stats::Interval;

const CUTOFF: usize = 10;
/// The highest grade: "a person with this profile would join".
pub const MAX_GRADE: u8 = 2;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalQuery {
    pub id: String,
    /// What kind of query it is; the sealed test split says, and reports
    /// each kind apart.
    #[serde(default)]
    pub kind: Option<QueryKind>,
    pub profile: Profile,
    pub judgments: BTreeMap<String, u8>,
}

/// The two ways people describe themselves to copmatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// Roles, skills and interests of a few words each, as the page sends them.
    Short,
    /// A sentence or two in the person's own words.
    FreeText,
}

impl QueryKind {
    pub fn name(self) -> &'static str {
        match self {
            QueryKind::Short => "short",
            QueryKind::FreeText => "free_text",
        }
    }
}

impl EvalQuery {
    /// Whether anything judged fits at all (a grade of 1 or more); a query
    /// with nothing fitting in the catalog scores 0 for every system.
    pub fn has_relevant(&self) -> bool {
        self.judgments.values().any(|g| *g > 0)
    }
}

/// Parses a development set, naming the line of the first bad query.
pub fn parse_queries(text: &str) -> Result<Vec<EvalQuery>, CoreError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let q: EvalQuery = serde_json::from_str(line).map_err(|e| {
                CoreError::new(
                    ErrorCode::InvalidRequestBody,
                    format!("query line {}: {e}", i + 1),
                )
            })?;
            if let Some((id, g)) = q.judgments.iter().find(|(_, g)| **g > MAX_GRADE) {
                return Err(CoreError::new(
                    ErrorCode::InvalidRequestBody,
                    format!("query line {}: grade {g} for {id} is not 0, 1 or 2", i + 1),
                ));
            }
            Ok(q)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    pub mrr: f64,
    pub coverage: f64,
}

fn gain(grade: u8) -> f64 {
    (2f64).powi(grade as i32) - 1.0
}

fn discount(rank: usize) -> f64 {
    1.0 / ((rank + 2) as f64).log2()
}

/// nDCG@10 of the grades earned at each rank against the ideal grades.
pub fn ndcg_at_10(earned: &[u8], ideal: &[u8]) -> f64 {
    let dcg: f64 = earned
        .iter()
        .take(CUTOFF)
        .enumerate()
        .map(|(r, g)| gain(*g) * discount(r))
        .sum();
    let mut ideal = ideal.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(CUTOFF)
        .enumerate()
        .map(|(r, g)| gain(*g) * discount(r))
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

pub fn recall_at_10(earned: &[u8], ideal: &[u8]) -> f64 {
    let relevant = ideal.iter().filter(|g| **g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = earned.iter().take(CUTOFF).filter(|g| **g > 0).count();
    found as f64 / relevant.min(CUTOFF) as f64
}

pub fn reciprocal_rank(earned: &[u8]) -> f64 {
    earned
        .iter()
        .position(|g| *g >= MAX_GRADE)
        .map_or(0.0, |r| 1.0 / (r + 1) as f64)
}

/// The judged communities of one query, grouped into distinct communities.
struct Groups(Vec<(Vec<Community>, u8)>);

impl Groups {
    fn new(judged: Vec<(Community, u8)>) -> Self {
        let mut groups: Vec<(Vec<Community>, u8)> = Vec::new();
        for (community, grade) in judged {
            match groups
                .iter_mut()
                .find(|(members, _)| members.iter().any(|m| same_community(m, &community)))
            {
                Some((members, g)) => {
                    members.push(community);
                    *g = (*g).max(grade);
                }
                None => groups.push((vec![community], grade)),
            }
        }
        Self(groups)
    }

    fn ideal(&self) -> Vec<u8> {
        self.0.iter().map(|(_, g)| *g).collect()
    }

    fn group_of(&self, c: &Community) -> Option<usize> {
        self.0
            .iter()
            .position(|(members, _)| members.iter().any(|m| m.id == c.id || same_community(m, c)))
    }

    /// The grade earned at each rank; a repeat of an already credited community earns 0.
    fn earned(&self, ranked: &[Community]) -> Vec<u8> {
        let mut credited = vec![false; self.0.len()];
        ranked
            .iter()
            .map(|c| match self.group_of(c) {
                Some(i) if !credited[i] => {
                    credited[i] = true;
                    self.0[i].1
                }
                _ => 0,
            })
            .collect()
    }

    /// How many of `ranked` nobody has judged for this query.
    fn unjudged(&self, ranked: &[Community]) -> usize {
        ranked.iter().filter(|c| self.group_of(c).is_none()).count()
    }
}

/// One query's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QueryScores {
    pub ndcg_at_10: f64,
    /// nDCG@10 with every listing credited on its own, a mirror too, and
    /// the ideal made of every judged listing: the figure without
    /// [`Groups`], for comparison.
    pub raw_ndcg_at_10: f64,
    pub recall_at_10: f64,
    pub reciprocal_rank: f64,
    /// Of its top 10, how many nobody judged for it.
    pub unjudged_in_top10: usize,
}

/// Means with their 95 % bootstrap intervals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Intervals {
    pub ndcg_at_10: Interval,
    pub raw_ndcg_at_10: Interval,
    pub recall_at_10: Interval,
    pub mrr: Interval,
}

/// One system's results over the set.
#[derive(Debug, Clone, Serialize)]
pub struct ModeReport {
    pub system: &'static str,
    pub metrics: Metrics,
    pub intervals: Intervals,
    /// Share of the top-10 results nobody judged for their query; above a
    /// few percent the set needs judging again (README "Evaluation").
    pub unjudged_in_top10: f64,
    /// Figures per query id, for finding what got worse.
    pub per_query: BTreeMap<String, QueryScores>,
    /// The top 10 community ids per query id, for seeing why.
    pub top_ids: BTreeMap<String, Vec<String>>,
    /// Their scores and the grade each earned (0 when unjudged or a repeat),
    /// for calibrating `match: strong` ([`calibrate`]).
    #[serde(skip)]
    pub top_results: Vec<Vec<(f32, u8)>>,
}

impl ModeReport {
    /// Per-query nDCG@10 in the order of `queries`.
    pub fn ndcg_of(&self, queries: &[EvalQuery]) -> Vec<f64> {
        queries
            .iter()
            .map(|q| self.per_query.get(&q.id).map_or(0.0, |s| s.ndcg_at_10))
            .collect()
    }
}

pub fn mode_name(mode: RetrievalMode) -> &'static str {
    match mode {
        RetrievalMode::Hybrid => "copmatch",
        RetrievalMode::DenseOnly => "dense-only",
        RetrievalMode::KeywordOnly => "bm25-only",
    }
}

/// Runs every query through one retrieval mode.
pub async fn evaluate(
    service: &Recommender,
    queries: &[EvalQuery],
    mode: RetrievalMode,
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let steering = Steering {
        mode,
        ..Default::default()
    };
    evaluate_with(service, queries, &steering, catalog_size).await
}

/// Runs every query through the ranking `steering` describes.
pub async fn evaluate_with(
    service: &Recommender,
    queries: &[EvalQuery],
    steering: &Steering,
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let mut ranked = Vec::with_capacity(queries.len());
    for q in queries {
        let request = RecommendRequest {
            profile: q.profile.clone(),
            limit: Some(CUTOFF),
            ..Default::default()
        };
        let response = service.recommend(request, steering).await?;
        ranked.push(
            response
                .recommendations
                .into_iter()
                .map(|r| (r.community, r.score))
                .collect(),
        );
    }
    report(
        service,
        queries,
        mode_name(steering.mode),
        ranked,
        catalog_size,
    )
    .await
}

/// Scores each query's ranked communities (best first, with their scores)
/// against its judgments.
async fn report(
    service: &Recommender,
    queries: &[EvalQuery],
    system: &'static str,
    ranked: Vec<Vec<(Community, f32)>>,
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let mut per_query = BTreeMap::new();
    let mut top_ids = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut unjudged = 0;
    let mut top_results = Vec::with_capacity(queries.len());
    for (q, ranked) in queries.iter().zip(ranked) {
        let mut judged = Vec::new();
        for (id, grade) in &q.judgments {
            if let Some(record) = service.store().get(id).await? {
                judged.push((record.community, *grade));
            }
        }
        let groups = Groups::new(judged);
        let (ranked, scores): (Vec<Community>, Vec<f32>) = ranked.into_iter().take(CUTOFF).unzip();
        let unjudged_here = groups.unjudged(&ranked);
        unjudged += unjudged_here;
        let (earned, ideal) = (groups.earned(&ranked), groups.ideal());
        top_results.push(scores.into_iter().zip(earned.iter().copied()).collect());
        let raw_earned: Vec<u8> = ranked
            .iter()
            .map(|c| q.judgments.get(c.id.as_str()).copied().unwrap_or(0))
            .collect();
        let raw_ideal: Vec<u8> = q.judgments.values().copied().collect();
        per_query.insert(
            q.id.clone(),
            QueryScores {
                ndcg_at_10: ndcg_at_10(&earned, &ideal),
                raw_ndcg_at_10: ndcg_at_10(&raw_earned, &raw_ideal),
                recall_at_10: recall_at_10(&earned, &ideal),
                reciprocal_rank: reciprocal_rank(&earned),
                unjudged_in_top10: unjudged_here,
            },
        );
        let ids: Vec<String> = ranked.into_iter().map(|c| c.id.into_string()).collect();
        seen.extend(ids.iter().cloned());
        top_ids.insert(q.id.clone(), ids);
    }
    let column = |f: fn(&QueryScores) -> f64| -> Vec<f64> {
        queries
            .iter()
            .map(|q| per_query.get(&q.id).map_or(0.0, f))
            .collect()
    };
    let intervals = Intervals {
        ndcg_at_10: stats::bootstrap(&column(|s| s.ndcg_at_10)),
        raw_ndcg_at_10: stats::bootstrap(&column(|s| s.raw_ndcg_at_10)),
        recall_at_10: stats::bootstrap(&column(|s| s.recall_at_10)),
        mrr: stats::bootstrap(&column(|s| s.reciprocal_rank)),
    };
    Ok(ModeReport {
        system,
        metrics: Metrics {
            ndcg_at_10: intervals.ndcg_at_10.mean,
            recall_at_10: intervals.recall_at_10.mean,
            mrr: intervals.mrr.mean,
            coverage: seen.len() as f64 / catalog_size.max(1) as f64,
        },
        intervals,
        unjudged_in_top10: unjudged as f64 / (CUTOFF * queries.len()).max(1) as f64,
        per_query,
        top_ids,
        top_results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn community(id: &str, url: &str) -> Community {
        Community::from_json_str(&format!(
            r#"{{"id":"{id}","name":"{id}","url":"{url}","platform":"web"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn ideal_order_scores_one_and_reversal_less() {
        assert!((ndcg_at_10(&[2, 1, 0], &[0, 1, 2]) - 1.0).abs() < 1e-12);
        let reversed = ndcg_at_10(&[0, 1, 2], &[2, 1, 0]);
        assert!(reversed < 1.0 && reversed > 0.4, "{reversed}");
        assert_eq!(ndcg_at_10(&[0, 0], &[2]), 0.0);
    }

    #[test]
    fn recall_is_capped_at_the_cutoff_and_mrr_wants_grade_two() {
        assert_eq!(recall_at_10(&[1; 10], &[1; 20]), 1.0);
        assert_eq!(reciprocal_rank(&[1, 2]), 0.5);
    }

    #[test]
    fn a_community_listed_twice_is_credited_once() {
        let a = community("a", "https://x.org");
        let a_again = community("a-copy", "https://www.x.org/");
        let b = community("b", "https://y.org");
        let groups = Groups::new(vec![(a.clone(), 2), (a_again.clone(), 2), (b.clone(), 1)]);
        assert_eq!(groups.ideal().len(), 2);
        assert_eq!(groups.earned(&[a.clone(), a_again, b]), vec![2, 0, 1]);
        let c = community("c", "https://z.org");
        assert_eq!(groups.unjudged(&[a, c]), 1);
    }

    #[test]
    fn bad_grades_and_lines_are_reported_by_line() {
        let err =
            parse_queries("{\"id\":\"q\",\"profile\":{\"roles\":[\"x\"]},\"judgments\":{\"a\":3}}")
                .unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
        assert!(parse_queries("\n{oops")
            .unwrap_err()
            .message
            .contains("line 2"));
    }
}
