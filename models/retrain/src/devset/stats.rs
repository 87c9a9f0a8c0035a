//! Uncertainty of development-set figures: percentile bootstrap intervals over
//! queries, and the fold split of cross-validation. Seeded, so a report is
//! reproducible.

use serde::Serialize;

/// Resamples per interval; 2,000 puts the 2.5 % and 97.5 % percentiles within
/// about ±0.002 nDCG of their limit on sets of 100+ queries.
const RESAMPLES: usize = 2000;
const SEED: u64 = 0x5EED;

/// A mean with its 95 % bootstrap interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} [{:.3}, {:.3}]", self.mean, self.low, self.high)
    }
}

impl Interval {
    /// The same, for a difference (signed figures).
    pub fn signed(&self) -> String {
        format!("{:+.3} [{:+.3}, {:+.3}]", self.mean, self.low, self.high)
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// The mean of per-query `values` with a 95 % percentile bootstrap interval
/// (queries resampled with replacement).
pub fn bootstrap(values: &[f64]) -> Interval {
    let n = values.len();
    if n == 0 {
        return Interval::default();
    }
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.usize(..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    Interval {
        mean: mean(values),
        low: means[RESAMPLES * 25 / 1000],
        high: means[RESAMPLES * 975 / 1000 - 1],
    }
}

/// The mean difference `a − b` of paired per-query values, with its interval
/// (the pairing is kept: both systems answered the same queries).
pub fn paired_difference(a: &[f64], b: &[f64]) -> Interval {
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    bootstrap(&diffs)
}

/// The fold (0..k) of each of `n` queries: a seeded shuffle dealt round-robin,
/// so folds differ in size by at most one.
pub fn folds(n: usize, k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    fastrand::Rng::with_seed(SEED).shuffle(&mut order);
    let mut fold = vec![0; n];
    for (position, index) in order.into_iter().enumerate() {
        fold[index] = position % k.max(1);
    }
    fold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_has_no_spread_and_noise_has_some() {
        let flat = bootstrap(&[0.5; 50]);
        assert_eq!((flat.mean, flat.low, flat.high), (0.5, 0.5, 0.5));
        let values: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
        let i = bootstrap(&values);
        assert!(i.low < 0.5 && i.high > 0.5 && i.high - i.low < 0.3, "{i}");
    }

    #[test]
    fn a_paired_difference_sees_a_consistent_small_gain() {
        let a: Vec<f64> = (0..60).map(|i| f64::from(i) / 60.0).collect();
        let b: Vec<f64> = a.iter().map(|x| x - 0.01).collect();
        let d = paired_difference(&a, &b);
        assert!(
            (d.mean - 0.01).abs() < 1e-9 && d.low > 0.0,
            "{}",
            d.signed()
        );
    }

    #[test]
    fn folds_are_balanced_and_cover_every_query() {
        let f = folds(23, 5);
        let sizes: Vec<usize> = (0..5)
            .map(|k| f.iter().filter(|x| **x == k).count())
            .collect();
        assert_eq!(sizes.iter().sum::<usize>(), 23);
        assert!(sizes.iter().all(|s| *s == 4 || *s == 5), "{sizes:?}");
        assert_eq!(f, folds(23, 5));
    }
}
