//! Where "strong" ends: the score above which a result is called a strong
//! match (`ranking.strong_match`). Calibrated on the development set so that
//! a strong match is relevant (judged 1 or 2) at least [`TARGET_PRECISION`]
//! of the time, and reported with five-fold held-out precision: each fold's
//! results are labelled with the threshold chosen on the other four.

use serde::Serialize;

use super::stats::folds;
use super::ModeReport;

/// How often a result called strong must be relevant.
pub const TARGET_PRECISION: f64 = 0.9;
const FOLDS: usize = 5;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Calibration {
    /// The threshold this set calls for (all queries).
    pub suggested_threshold: f32,
    /// The configured threshold and what it gives on this set:
    pub threshold: f32,
    /// share of top-10 results called strong,
    pub strong_share: f64,
    /// how many of those are relevant,
    pub strong_precision: f64,
    /// and how many of the weak ones are.
    pub weak_precision: f64,
    /// Precision of strong with thresholds chosen on the other folds.
    pub held_out_strong_precision: f64,
}

/// (strong relevant, strong, weak relevant, weak) at `threshold`.
fn counts<'a>(results: impl Iterator<Item = &'a (f32, u8)>, threshold: f32) -> [usize; 4] {
    let mut c = [0; 4];
    for (score, grade) in results {
        let relevant = usize::from(*grade > 0);
        if *score >= threshold {
            c[0] += relevant;
            c[1] += 1;
        } else {
            c[2] += relevant;
            c[3] += 1;
        }
    }
    c
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The lowest threshold (in steps of 0.01) whose strong results reach the
/// target precision over `results`.
fn suggest<'a>(results: impl Iterator<Item = &'a (f32, u8)> + Clone) -> f32 {
    (0..=150)
        .map(|i| i as f32 / 100.0)
        .find(|t| {
            let c = counts(results.clone(), *t);
            c[1] > 0 && ratio(c[0], c[1]) >= TARGET_PRECISION
        })
        .unwrap_or(1.5)
}

/// Calibration of copmatch's `report` at the configured `threshold`.
pub fn calibrate(report: &ModeReport, threshold: f32) -> Calibration {
    let all = || report.top_results.iter().flatten();
    let c = counts(all(), threshold);
    let fold = folds(report.top_results.len(), FOLDS);
    let (mut relevant, mut strong) = (0, 0);
    for k in 0..FOLDS {
        let others = || {
            report
                .top_results
                .iter()
                .zip(&fold)
                .filter(move |(_, f)| **f != k)
                .flat_map(|(r, _)| r)
        };
        let t = suggest(others());
        let mine = report
            .top_results
            .iter()
            .zip(&fold)
            .filter(|(_, f)| **f == k)
            .flat_map(|(r, _)| r);
        let c = counts(mine, t);
        relevant += c[0];
        strong += c[1];
    }
    Calibration {
        suggested_threshold: suggest(all()),
        threshold,
        strong_share: ratio(c[1], c[1] + c[3]),
        strong_precision: ratio(c[0], c[1]),
        weak_precision: ratio(c[2], c[3]),
        held_out_strong_precision: ratio(relevant, strong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggestion_is_the_lowest_threshold_reaching_the_target() {
        // Relevant above 0.5, irrelevant below, one irrelevant at 0.55.
        let mut results: Vec<(f32, u8)> = (0..20).map(|i| (0.5 + i as f32 / 100.0, 1)).collect();
        results.extend((0..20).map(|i| (0.2 + i as f32 / 100.0, 0)));
        results.push((0.55, 0));
        let t = suggest(results.iter());
        let precision = |t: f32| {
            let c = counts(results.iter(), t);
            ratio(c[0], c[1])
        };
        assert!(precision(t) >= TARGET_PRECISION, "{t}");
        assert!(precision(t - 0.01) < TARGET_PRECISION, "{t}");
        assert!((0.3..=0.5).contains(&t), "{t}");
    }
}
