//! The fusion learned from the development judgments instead of set by hand.
//!
//! Every judged candidate of every development query has the signals its
//! hybrid score weighs ([`copmatch_ranking::Features`]: cosine to the whole
//! profile and to the closest item, BM25 and literal evidence (each split by
//! short profile and free text), public activity) and a grade. The ranker is
//! learned pairwise, as a ranking should be: for two candidates of one query
//! with different grades, the difference of their signals should point to
//! the better one. A ridge regression (linfa-elasticnet with no L1 part) of
//! ±1 on those differences (each pair both ways) gives a linear score; its
//! coefficients, divided by the two cosine coefficients' sum so the score
//! stays on the cosine scale the strong-match threshold reads, are the
//! ranking weights. (Fitting each candidate's gain on its own, pointwise,
//! was tried first: held out it lost 0.030 nDCG@10 to the fixed weights.)
//!
//! What is not learned is the promise that words never override meaning:
//! `max_lift` and `plausibility_window` stay as configured, and the keyword
//! and evidence signals are learned already multiplied by plausibility, the
//! way the score uses them. Negative keyword or activity weights are clipped
//! to 0, so a learned ranking can only use words to reorder what is close in
//! meaning.
//!
//! Five-fold cross-validation, folds as in [`super::crossval`]: each fold is
//! ranked with weights fitted on the other four. The learned weights are
//! worth shipping only if that held-out figure beats the configured weights';
//! otherwise the fixed weights stay.

use std::sync::Arc;

use linfa::prelude::*;
use linfa_elasticnet::ElasticNet;
use ndarray::{Array1, Array2};
use serde::Serialize;

use super::stats::{bootstrap, folds, paired_difference, Interval};
use super::{evaluate_with, EvalQuery};
use crate::devset::crossval::FOLDS;
use copmatch_core::error::{CoreError, ErrorCode};
use copmatch_core::profile::RecommendRequest;
use copmatch_core::progress::JobProgress;
use copmatch_core::service::{Recommender, Steering};
use copmatch_ranking::{Features, RankingWeights};

/// The learned coefficients' names, in the order of [`design`].
pub const SIGNALS: [&str; 7] = [
    "dense",
    "best_item",
    "keyword",
    "evidence",
    "keyword_free_text",
    "evidence_free_text",
    "activity",
];

/// Ridge penalty: small, the signals are few and on one 0..1 scale.
const PENALTY: f64 = 1e-4;

/// One judged candidate of one query.
#[derive(Debug, Clone)]
pub struct Row {
    pub query: usize,
    pub x: [f64; 7],
    pub gain: f64,
}

/// The row of signals a candidate gives the regression.
pub fn design(f: &Features) -> [f64; 7] {
    let (short, free) = if f.free_text { (0.0, 1.0) } else { (1.0, 0.0) };
    [
        f.dense as f64,
        f.best_item as f64,
        short * f.keyword as f64,
        short * f.evidence as f64,
        free * f.keyword as f64,
        free * f.evidence as f64,
        f.activity as f64,
    ]
}

/// Every judged candidate of every query, ranked under `base`.
pub async fn gather(
    service: &Recommender,
    queries: &[EvalQuery],
    base: &RankingWeights,
) -> Result<Vec<Row>, CoreError> {
    let steering = Steering {
        weights: Some(Arc::new(base.clone())),
        ..Default::default()
    };
    let mut rows = Vec::new();
    for (n, q) in queries.iter().enumerate() {
        let request = RecommendRequest {
            profile: q.profile.clone(),
            limit: Some(10),
            ..Default::default()
        };
        for (community, features) in service.candidate_features(&request, &steering).await? {
            if let Some(grade) = q.judgments.get(community.id.as_str()) {
                rows.push(Row {
                    query: n,
                    x: design(&features),
                    gain: 2f64.powi(*grade as i32) - 1.0,
                });
            }
        }
    }
    Ok(rows)
}

/// At most this many pairs per query, so that a query with many judged
/// candidates does not outweigh the others (and the fit stays quick).
const MAX_PAIRS_PER_QUERY: usize = 150;

/// Pairs of one query's candidates with different grades: the better one's
/// signals minus the other's, each pair both ways (targets +1 and −1); a
/// query with more pairs than [`MAX_PAIRS_PER_QUERY`] gives an even sample
/// of them.
fn pairs(rows: &[&Row]) -> (Vec<[f64; 7]>, Vec<f64>) {
    let mut by_query: std::collections::BTreeMap<usize, Vec<&Row>> = Default::default();
    for r in rows {
        by_query.entry(r.query).or_default().push(r);
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for candidates in by_query.values() {
        let ordered: Vec<(&Row, &Row)> = candidates
            .iter()
            .flat_map(|a| candidates.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.gain > b.gain)
            .collect();
        let step = ordered.len().div_ceil(MAX_PAIRS_PER_QUERY).max(1);
        for (a, b) in ordered.into_iter().step_by(step) {
            let diff: [f64; 7] = std::array::from_fn(|j| a.x[j] - b.x[j]);
            x.push(diff);
            y.push(1.0);
            x.push(diff.map(|d| -d));
            y.push(-1.0);
        }
    }
    (x, y)
}

/// Ridge coefficients of the pairwise preferences among `rows`.
pub fn fit(rows: &[&Row]) -> Result<[f64; 7], CoreError> {
    let failed =
        |e: String| CoreError::new(ErrorCode::Internal, format!("learning the fusion: {e}"));
    let (pairs, targets) = pairs(rows);
    if pairs.len() < SIGNALS.len() * 10 {
        return Err(failed(format!(
            "{} ordered pairs of judged candidates are too few",
            pairs.len()
        )));
    }
    // A signal that never differs (no activity known anywhere, say) has no
    // coefficient to learn; coordinate descent must not see its empty column.
    let varies: Vec<usize> = (0..SIGNALS.len())
        .filter(|j| pairs.iter().any(|p| p[*j].abs() > 1e-12))
        .collect();
    // Both directions of every pair are in: the columns' means are 0, so no
    // intercept is needed (linfa-elasticnet 0.8's would center the targets only).
    let x = Array2::from_shape_fn((pairs.len(), varies.len()), |(i, j)| pairs[i][varies[j]]);
    let y = Array1::from(targets);
    let model = ElasticNet::params()
        .penalty(PENALTY)
        .l1_ratio(0.0)
        .with_intercept(false)
        .max_iterations(20_000)
        .tolerance(1e-7)
        .fit(&Dataset::new(x, y))
        .map_err(|e| failed(e.to_string()))?;
    let mut out = [0.0; 7];
    for (j, c) in varies.iter().zip(model.hyperplane().iter()) {
        out[*j] = *c;
    }
    Ok(out)
}

/// The ranking weights the coefficients stand for, `base` supplying what is
/// not learned; `None` when meaning does not raise the gain at all (then
/// there is nothing to scale by, and the fixed weights stay).
pub fn to_weights(coef: &[f64; 7], base: &RankingWeights) -> Option<RankingWeights> {
    let meaning = coef[0] + coef[1];
    if meaning <= 0.0 {
        return None;
    }
    let scaled = |i: usize| (coef[i] / meaning).max(0.0) as f32;
    let evidence_boost = scaled(3);
    let free_text_evidence_boost = scaled(5);
    Some(RankingWeights {
        best_item_share: (coef[1] / meaning).clamp(0.0, 1.0) as f32,
        keyword_weight: scaled(2),
        evidence_boost,
        free_text_keyword_weight: scaled(4),
        free_text_evidence_boost,
        // The evidence cap stays two items' worth, as the features capped it.
        max_evidence_boost: 2.0 * evidence_boost.max(free_text_evidence_boost),
        activity_weight: scaled(6),
        ..base.clone()
    })
}

/// What learning the fusion found.
#[derive(Debug, Clone, Serialize)]
pub struct LearnedFusion {
    pub folds: usize,
    pub judged_candidates: usize,
    /// Ordered pairs of candidates with different grades, both ways.
    pub pairs: usize,
    /// nDCG@10 of each query ranked with weights learned on the other folds.
    pub held_out: Interval,
    /// The configured (fixed) weights on the same queries.
    pub fixed: Interval,
    /// Paired per query: learned held out − fixed.
    pub lead_over_fixed: Interval,
    /// The same on the queries that read as free text.
    pub free_text_queries: usize,
    pub free_text_held_out: Interval,
    pub free_text_fixed: Interval,
    /// Coefficients fitted on all queries, by [`SIGNALS`].
    pub coefficients: Vec<(String, f64)>,
    /// The weights they stand for (None: meaning did not raise the gain).
    pub weights: Option<RankingWeights>,
    /// "learned" when the held-out figure beats the fixed weights, else "fixed".
    pub verdict: &'static str,
}

/// Whether a development query reads as free text (as the ranking decides).
pub fn is_free_text(q: &EvalQuery) -> bool {
    let p = &q.profile;
    !p.about.trim().is_empty()
        || p.roles
            .iter()
            .chain(&p.skills)
            .chain(&p.interests)
            .map(String::as_str)
            .any(copmatch_ranking::is_sentence)
}

/// Learns the fusion by five-fold cross-validation (`progress` counts folds).
pub async fn cross_validate_learned(
    service: &Recommender,
    queries: &[EvalQuery],
    base: &RankingWeights,
    fixed: &[f64],
    progress: &dyn JobProgress,
) -> Result<LearnedFusion, CoreError> {
    let catalog_size = service.store().count().await?;
    progress.start(FOLDS + 1);
    let rows = gather(service, queries, base).await?;
    progress.advance(1);
    let fold = folds(queries.len(), FOLDS);
    let mut held_out = fixed.to_vec();
    for k in 0..FOLDS {
        let training: Vec<&Row> = rows.iter().filter(|r| fold[r.query] != k).collect();
        let weights = to_weights(&fit(&training)?, base).unwrap_or_else(|| base.clone());
        let in_fold: Vec<EvalQuery> = queries
            .iter()
            .zip(&fold)
            .filter(|(_, f)| **f == k)
            .map(|(q, _)| q.clone())
            .collect();
        let steering = Steering {
            weights: Some(Arc::new(weights)),
            ..Default::default()
        };
        let report = evaluate_with(service, &in_fold, &steering, catalog_size).await?;
        let mut scores = report.ndcg_of(&in_fold).into_iter();
        for (i, f) in fold.iter().enumerate() {
            if *f == k {
                held_out[i] = scores.next().unwrap_or(0.0);
            }
        }
        progress.advance(1);
    }
    progress.finish();
    let coefficients = fit(&rows.iter().collect::<Vec<_>>())?;
    let free: Vec<usize> = (0..queries.len())
        .filter(|i| is_free_text(&queries[*i]))
        .collect();
    let pick = |v: &[f64]| free.iter().map(|i| v[*i]).collect::<Vec<f64>>();
    let lead = paired_difference(&held_out, fixed);
    Ok(LearnedFusion {
        folds: FOLDS,
        judged_candidates: rows.len(),
        pairs: pairs(&rows.iter().collect::<Vec<_>>()).0.len(),
        held_out: bootstrap(&held_out),
        fixed: bootstrap(fixed),
        lead_over_fixed: lead,
        free_text_queries: free.len(),
        free_text_held_out: bootstrap(&pick(&held_out)),
        free_text_fixed: bootstrap(&pick(fixed)),
        coefficients: SIGNALS
            .iter()
            .zip(coefficients)
            .map(|(n, c)| (n.to_string(), c))
            .collect(),
        weights: to_weights(&coefficients, base),
        verdict: if lead.mean > 0.0 { "learned" } else { "fixed" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(query: usize, x: [f64; 7], gain: f64) -> Row {
        Row { query, x, gain }
    }

    #[test]
    fn weights_follow_the_signal_that_predicts_the_grade() {
        // The grade rises with closeness in meaning and with keywords on
        // short profiles; on free text it ignores the keywords.
        let mut rows = Vec::new();
        for i in 0..400 {
            let query = i / 20;
            let t = (i % 20) as f64 / 20.0;
            let k = ((i * 7) % 11) as f64 / 11.0;
            let grade = |v: f64| (v * 1.5).round();
            if query % 2 == 0 {
                rows.push(row(
                    query,
                    [t, t, k, 0.0, 0.0, 0.0, 0.0],
                    grade(t + 0.3 * k),
                ));
            } else {
                rows.push(row(query, [t, t, 0.0, 0.0, k, 0.0, 0.0], grade(t)));
            }
        }
        let refs: Vec<&Row> = rows.iter().collect();
        let coef = fit(&refs).unwrap();
        let w = to_weights(&coef, &RankingWeights::default()).unwrap();
        assert!(
            w.keyword_weight > 0.1,
            "short-profile keywords predict: {w:?}"
        );
        assert!(
            w.free_text_keyword_weight < 0.05,
            "free-text keywords are noise: {w:?}"
        );
    }

    #[test]
    fn what_keeps_words_from_overriding_meaning_is_not_learned() {
        let base = RankingWeights {
            max_lift: 0.25,
            plausibility_window: 0.6,
            ..Default::default()
        };
        // Huge keyword coefficients, a negative activity one.
        let w = to_weights(&[0.5, 0.5, 9.0, 9.0, 9.0, 9.0, -1.0], &base).unwrap();
        assert_eq!(w.max_lift, 0.25);
        assert_eq!(w.plausibility_window, 0.6);
        assert_eq!(w.activity_weight, 0.0, "negative weights are clipped");
        assert!(to_weights(&[-1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.0], &base).is_none());
    }
}
