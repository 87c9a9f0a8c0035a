//! Tuning the fusion weights without fooling ourselves: five-fold
//! cross-validation over the development set. Each fold's queries are ranked
//! with the grid setting that scored best on the other four folds, so every
//! reported figure comes from queries the choice never saw.

use std::sync::Arc;

use serde::Serialize;

use super::stats::{bootstrap, folds, paired_difference, Interval};
use super::{evaluate_with, EvalQuery, ModeReport};
use copmatch_core::error::CoreError;
use copmatch_core::progress::JobProgress;
use copmatch_core::service::{Recommender, Steering};
use copmatch_ranking::RankingWeights;

pub const FOLDS: usize = 5;

/// One point of the grid.
#[derive(Debug, Clone)]
pub struct Setting {
    pub label: String,
    pub weights: RankingWeights,
}

/// The fusion weights worth tuning, around `base`: how much keyword and
/// literal evidence may lift a candidate, and within what distance in
/// meaning of the closest one.
pub fn grid(base: &RankingWeights) -> Vec<Setting> {
    let mut out = Vec::new();
    for keyword_weight in [0.1, 0.2, 0.3] {
        for evidence_boost in [0.05, 0.1, 0.15] {
            for plausibility_window in [0.3, 0.5, 0.75] {
                for max_lift in [0.2, 0.3, 0.4, 0.5] {
                    out.push(Setting {
                        label: format!(
                            "keyword_weight {keyword_weight}, evidence_boost {evidence_boost}, \
                             plausibility_window {plausibility_window}, max_lift {max_lift}"
                        ),
                        weights: RankingWeights {
                            keyword_weight,
                            evidence_boost,
                            max_evidence_boost: 2.0 * evidence_boost,
                            plausibility_window,
                            max_lift,
                            ..base.clone()
                        },
                    });
                }
            }
        }
    }
    out
}

/// What cross-validation found.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    pub folds: usize,
    pub settings_tried: usize,
    /// copmatch nDCG@10 on each query, ranked with the setting chosen on the
    /// other folds.
    pub held_out: Interval,
    pub dense_only: Interval,
    /// Paired per query: held-out copmatch − dense-only.
    pub lead_over_dense: Interval,
    /// The configured weights on every query (in-sample, for reference).
    pub configured: Interval,
    /// The setting each fold chose.
    pub chosen: Vec<String>,
    /// The setting best on all queries together (what to configure).
    pub best_overall: String,
}

fn mean_over(values: &[f64], fold: &[usize], keep: impl Fn(usize) -> bool) -> f64 {
    let picked: Vec<f64> = values
        .iter()
        .zip(fold)
        .filter(|(_, f)| keep(**f))
        .map(|(v, _)| *v)
        .collect();
    picked.iter().sum::<f64>() / picked.len().max(1) as f64
}

fn best(scores: &[Vec<f64>], keep: impl Fn(&[f64]) -> f64) -> usize {
    (0..scores.len())
        .max_by(|a, b| {
            keep(&scores[*a])
                .total_cmp(&keep(&scores[*b]))
                .then(b.cmp(a))
        })
        .unwrap_or(0)
}

/// Ranks every query with every setting (`progress` counts settings), then
/// picks per fold. `configured` and `dense` are the served ranking's and the
/// dense-only baseline's reports on the same queries.
pub async fn cross_validate(
    service: &Recommender,
    queries: &[EvalQuery],
    settings: &[Setting],
    configured: &ModeReport,
    dense: &ModeReport,
    progress: &dyn JobProgress,
) -> Result<CrossValidation, CoreError> {
    let catalog_size = service.store().count().await?;
    progress.start(settings.len());
    let mut scores: Vec<Vec<f64>> = Vec::with_capacity(settings.len());
    for setting in settings {
        let steering = Steering {
            weights: Some(Arc::new(setting.weights.clone())),
            ..Default::default()
        };
        let report = evaluate_with(service, queries, &steering, catalog_size).await?;
        scores.push(report.ndcg_of(queries));
        progress.advance(1);
    }
    progress.finish();
    let fold = folds(queries.len(), FOLDS);
    let mut held_out = vec![0.0; queries.len()];
    let mut chosen = Vec::new();
    for k in 0..FOLDS {
        let pick = best(&scores, |s| mean_over(s, &fold, |f| f != k));
        chosen.push(settings[pick].label.clone());
        for (i, f) in fold.iter().enumerate() {
            if *f == k {
                held_out[i] = scores[pick][i];
            }
        }
    }
    let dense = dense.ndcg_of(queries);
    let overall = best(&scores, |s| s.iter().sum());
    Ok(CrossValidation {
        folds: FOLDS,
        settings_tried: settings.len(),
        held_out: bootstrap(&held_out),
        dense_only: bootstrap(&dense),
        lead_over_dense: paired_difference(&held_out, &dense),
        configured: bootstrap(&configured.ndcg_of(queries)),
        chosen,
        best_overall: settings[overall].label.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fold_never_chooses_with_its_own_queries() {
        // Setting 1 is best on fold 0's queries only; elsewhere setting 0 wins.
        let fold = vec![0, 0, 1, 1, 2, 2];
        let scores = vec![
            vec![0.0, 0.0, 0.9, 0.9, 0.9, 0.9],
            vec![1.0, 1.0, 0.1, 0.1, 0.1, 0.1],
        ];
        let for_fold_0 = best(&scores, |s| mean_over(s, &fold, |f| f != 0));
        assert_eq!(
            for_fold_0, 0,
            "fold 0's own queries must not pick setting 1"
        );
        let for_fold_1 = best(&scores, |s| mean_over(s, &fold, |f| f != 1));
        assert_eq!(
            for_fold_1, 1,
            "with fold 0 among the others, setting 1 wins"
        );
    }

    #[test]
    fn the_grid_varies_only_the_fusion_weights() {
        let base = RankingWeights::default();
        let g = grid(&base);
        assert_eq!(g.len(), 108);
        assert!(g.iter().all(|s| s.weights.role_weight == base.role_weight
            && s.weights.best_item_share == base.best_item_share));
    }
}
