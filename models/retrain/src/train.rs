//! Fitting the query adapter with linfa: PCA (linfa-reduction) projects the
//! profile vectors onto their main directions, then a multi-task ridge
//! regression (linfa-elasticnet) maps the projection to the normalized mean
//! vector of what each user joined. The two compose into one `d × d` linear
//! map. The projection keeps the fit fast (ridge on 384 correlated inputs
//! needs minutes of coordinate descent; on uncorrelated components, seconds)
//! and limits the adapter to the directions profiles actually vary in.

use anyhow::Context;
use linfa::prelude::*;
use linfa_elasticnet::MultiTaskElasticNet;
use linfa_reduction::Pca;
use ndarray::{Array2, ArrayView2, Axis};

/// Principal components kept (fewer when there are few examples).
pub const COMPONENTS: usize = 48;

/// Profile vectors (rows of `x`) and their targets (rows of `y`).
pub struct Examples {
    pub x: Array2<f64>,
    pub y: Array2<f64>,
}

impl Examples {
    pub fn from_examples(rows: &[crate::targets::Example]) -> anyhow::Result<Self> {
        let pairs: Vec<(Vec<f32>, Vec<f32>)> =
            rows.iter().map(|r| (r.x.clone(), r.y.clone())).collect();
        Self::from_rows(&pairs)
    }

    pub fn from_rows(rows: &[(Vec<f32>, Vec<f32>)]) -> anyhow::Result<Self> {
        let n = rows.len();
        anyhow::ensure!(n > 0, "no training examples");
        let d = rows[0].0.len();
        let mut x = Array2::<f64>::zeros((n, d));
        let mut y = Array2::<f64>::zeros((n, d));
        for (i, (xi, yi)) in rows.iter().enumerate() {
            anyhow::ensure!(
                xi.len() == d && yi.len() == d,
                "vectors of different dimensions"
            );
            for j in 0..d {
                x[[i, j]] = f64::from(xi[j]);
                y[[i, j]] = f64::from(yi[j]);
            }
        }
        Ok(Self { x, y })
    }
}

/// A fitted linear map `y = x·W + b`.
pub struct LinearMap {
    /// `d × d`, row-major (row = input dimension).
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub steps: u32,
}

/// PCA, then ridge regression (`l1_ratio = 0`) of every target dimension at once.
pub fn fit(examples: &Examples, penalty: f64) -> anyhow::Result<LinearMap> {
    let started = std::time::Instant::now();
    let (n, d) = examples.x.dim();
    let k = COMPONENTS.min(d).min((n / 4).max(1));
    let pca = Pca::params(k)
        .whiten(false)
        .fit(&DatasetBase::from(examples.x.clone()))
        .context("fitting the projection (linfa PCA)")?;
    // Rows of `components` are the directions: z = (x - mean)·Eᵀ.
    let e = pca.components().clone();
    let mean = pca.mean().clone();
    let z = (&examples.x - &mean.view().insert_axis(Axis(0))).dot(&e.t());
    let dataset = Dataset::new(z, examples.y.clone());
    let model = MultiTaskElasticNet::<f64>::ridge()
        .penalty(penalty)
        .with_intercept(true)
        .max_iterations(200)
        .tolerance(1e-4)
        .fit(&dataset)
        .context("fitting the adapter (linfa multi-task ridge)")?;
    tracing::info!(
        penalty,
        examples = examples.x.nrows(),
        steps = model.n_steps(),
        took_ms = started.elapsed().as_millis() as u64,
        "fitted the adapter"
    );
    // y = ((x - mean)·Eᵀ)·W + b = x·(Eᵀ·W) + (b - mean·Eᵀ·W)
    let weights = e.t().dot(model.hyperplane());
    let bias = model.intercept() - &mean.dot(&weights);
    Ok(LinearMap {
        weights: flatten(weights.view()),
        bias: bias.iter().map(|v| *v as f32).collect(),
        steps: model.n_steps(),
    })
}

fn flatten(w: ArrayView2<f64>) -> Vec<f32> {
    w.iter().map(|v| *v as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_learned_map_recovers_a_swap_of_axes() {
        // Profiles on axis 0 joined things on axis 1 and vice versa.
        let mut rows = Vec::new();
        for i in 0..40 {
            let a = 0.5 + (i as f32) / 80.0;
            rows.push((vec![a, 0.1, 0.0], vec![0.1, a, 0.0]));
            rows.push((vec![0.1, a, 0.0], vec![a, 0.1, 0.0]));
        }
        let map = fit(&Examples::from_rows(&rows).unwrap(), 1e-4).unwrap();
        assert_eq!(map.weights.len(), 9);
        let d = 3;
        let apply = |x: [f32; 3]| -> Vec<f32> {
            (0..d)
                .map(|j| map.bias[j] + (0..d).map(|i| x[i] * map.weights[i * d + j]).sum::<f32>())
                .collect()
        };
        let y = apply([1.0, 0.1, 0.0]);
        assert!(y[1] > y[0] + 0.5, "{y:?}");
    }
}
