//! Offline evaluation of the ranking against graded relevance judgments.
//!
//! A development set is JSON Lines: `{"id", "profile", "judgments": {community
//! id: grade}}` with grades 3 (exactly right), 2 (clearly fitting), 1 (related);
//! unjudged communities count as 0. Metrics, all at cut-off 10:
//! - nDCG@10 with gains 2^grade − 1 (the ideal order is taken from the judgments),
//! - Recall@10: judged-relevant communities found in the top 10, divided by
//!   min(10, number judged relevant) so that 1.0 is reachable,
//! - MRR: reciprocal rank of the first community judged 2 or 3,
//! - coverage: share of the catalog that appears in any query's top 10.
//!
//! Catalogs can list one community twice (the bundled catalog and a public
//! list both name User Experience Stack Exchange). Judged entries that are the
//! same community ([`crate::community::same_community`]) form one group: a
//! ranking earns its gain once, a repeat earns nothing, and the ideal ranking
//! counts each community once. Judged ids missing from the catalog are left
//! out of the ideal.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::community::{same_community, Community};
use crate::error::{CoreError, ErrorCode};
use crate::profile::{Profile, RecommendRequest};
use crate::ranking::RetrievalMode;
use crate::service::{CopMatch, Steering};

const CUTOFF: usize = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalQuery {
    pub id: String,
    pub profile: Profile,
    pub judgments: BTreeMap<String, u8>,
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
            if let Some((id, g)) = q.judgments.iter().find(|(_, g)| **g > 3) {
                return Err(CoreError::new(
                    ErrorCode::InvalidRequestBody,
                    format!("query line {}: grade {g} for {id} is not 0-3", i + 1),
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
        .position(|g| *g >= 2)
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

    /// The grade earned at each rank; a repeat of an already credited community earns 0.
    fn earned(&self, ranked: &[Community]) -> Vec<u8> {
        let mut credited = vec![false; self.0.len()];
        ranked
            .iter()
            .map(|c| {
                let group = self.0.iter().position(|(members, _)| {
                    members.iter().any(|m| m.id == c.id || same_community(m, c))
                });
                match group {
                    Some(i) if !credited[i] => {
                        credited[i] = true;
                        self.0[i].1
                    }
                    _ => 0,
                }
            })
            .collect()
    }
}

/// One system's results over the set.
#[derive(Debug, Clone, Serialize)]
pub struct ModeReport {
    pub system: &'static str,
    pub metrics: Metrics,
    /// nDCG@10 per query id, for finding what got worse.
    pub per_query: BTreeMap<String, f64>,
    /// The top 10 community ids per query id, for seeing why.
    pub top_ids: BTreeMap<String, Vec<String>>,
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
    service: &CopMatch,
    queries: &[EvalQuery],
    mode: RetrievalMode,
    catalog_size: usize,
) -> Result<ModeReport, CoreError> {
    let mut per_query = BTreeMap::new();
    let mut top_ids = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let (mut ndcg, mut recall, mut mrr) = (0.0, 0.0, 0.0);
    for q in queries {
        let mut judged = Vec::new();
        for (id, grade) in &q.judgments {
            if let Some(record) = service.store().get(id).await? {
                judged.push((record.community, *grade));
            }
        }
        let groups = Groups::new(judged);
        let request = RecommendRequest {
            profile: q.profile.clone(),
            limit: Some(CUTOFF),
            ..Default::default()
        };
        let response = service
            .recommend(
                request,
                &Steering {
                    mode,
                    ..Default::default()
                },
            )
            .await?;
        let ranked: Vec<Community> = response
            .recommendations
            .into_iter()
            .map(|r| r.community)
            .collect();
        let (earned, ideal) = (groups.earned(&ranked), groups.ideal());
        let n = ndcg_at_10(&earned, &ideal);
        ndcg += n;
        recall += recall_at_10(&earned, &ideal);
        mrr += reciprocal_rank(&earned);
        per_query.insert(q.id.clone(), n);
        let ids: Vec<String> = ranked.into_iter().map(|c| c.id).collect();
        seen.extend(ids.iter().cloned());
        top_ids.insert(q.id.clone(), ids);
    }
    let count = queries.len().max(1) as f64;
    Ok(ModeReport {
        system: mode_name(mode),
        metrics: Metrics {
            ndcg_at_10: ndcg / count,
            recall_at_10: recall / count,
            mrr: mrr / count,
            coverage: seen.len() as f64 / catalog_size.max(1) as f64,
        },
        per_query,
        top_ids,
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
        assert!((ndcg_at_10(&[3, 2, 1], &[1, 2, 3]) - 1.0).abs() < 1e-12);
        let reversed = ndcg_at_10(&[1, 2, 3], &[3, 2, 1]);
        assert!(reversed < 1.0 && reversed > 0.5, "{reversed}");
        assert_eq!(ndcg_at_10(&[0, 0], &[3]), 0.0);
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
        let groups = Groups::new(vec![(a.clone(), 3), (a_again.clone(), 3), (b.clone(), 2)]);
        assert_eq!(groups.ideal().len(), 2);
        assert_eq!(groups.earned(&[a, a_again, b]), vec![3, 0, 2]);
    }

    #[test]
    fn bad_grades_and_lines_are_reported_by_line() {
        let err =
            parse_queries("{\"id\":\"q\",\"profile\":{\"roles\":[\"x\"]},\"judgments\":{\"a\":4}}")
                .unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
        assert!(parse_queries("\n{oops")
            .unwrap_err()
            .message
            .contains("line 2"));
    }
}
