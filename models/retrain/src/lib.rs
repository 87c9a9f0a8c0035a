//! Retraining copmatch's ranking from feedback, for analysts.
//!
//! Design: what people joined says where a profile *should* point in the
//! embedding space. `copmatch retrain` learns that as a linear query adapter
//! (see [`copmatch_core::served_model`]): PCA, then a multi-task ridge regression,
//! fitted with linfa on ndarray, from each training user's profile vector to the mean
//! vector of the communities they joined (clicks count half). Users are split
//! by id into train and held-out; a validation slice of the training users
//! picks the ridge penalty and how far serving blends toward the learned map
//! (the curve in the report). The candidate is then measured on the held-out
//! users with the full serving pipeline against the base model and the model
//! serving now, and written as a versioned artifact ([`registry`]) with an
//! HTML report ([`report`]). Nothing in `retrain` activates a model:
//! [`models`] does (`copmatch models activate` and the admin API), behind the
//! evaluation gate it owns. [`heldout`] measures a model on held-out users;
//! [`devset`] measures the served ranking on the development set (`copmatch
//! eval`: nDCG@10 with intervals, baselines, cross-validation).

pub mod data;
pub mod devset;
pub mod heldout;
pub mod models;
pub mod registry;
pub mod report;
pub mod simulate;
pub mod train;

pub use report::CurvePoint;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use copmatch_core::progress::JobProgress;
use copmatch_core::served_model::{QueryAdapter, ServedModel};
use copmatch_core::time::now_timestamp;
use copmatch_core::Recommender;
use copmatch_ranking::normalize;
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;
use serde::{Deserialize, Serialize};

use crate::data::{split, FeedbackData, UserData};
use crate::heldout::{evaluate, Catalog, Evaluation};
use crate::registry::{HeldOut, Manifest, Parameters, Registry};
use crate::train::{fit, Examples};

/// Progress of the long steps, one bar per stage.
pub trait Stages {
    fn stage(&self, name: &str) -> Box<dyn JobProgress>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RetrainOptions {
    /// Share of users held out for the final metrics.
    pub holdout: f64,
    pub seed: u64,
    /// Ridge penalties tried on the validation users.
    pub penalties: Vec<f64>,
    /// Blends toward the learned map tried on the validation users.
    pub blends: Vec<f32>,
    /// Fewer users with joins than this is too little to learn from.
    pub min_users: usize,
}

impl Default for RetrainOptions {
    fn default() -> Self {
        Self {
            holdout: 0.2,
            seed: 7,
            penalties: vec![0.001, 0.01],
            blends: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            min_users: 30,
        }
    }
}

/// Everything a retrain produced.
pub struct Outcome {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub curve: Vec<CurvePoint>,
    pub base: Evaluation,
    pub candidate: Evaluation,
}

/// Learns a candidate model from `data` and writes it to `registry`.
pub async fn retrain(
    service: &Recommender,
    data: FeedbackData,
    data_source: &str,
    registry: &Registry,
    options: &RetrainOptions,
    stages: &dyn Stages,
) -> anyhow::Result<Outcome> {
    let served = service.model_slot().get();
    anyhow::ensure!(
        data.users.len() >= options.min_users,
        "only {} users have joined a community; at least {} are needed to learn anything",
        data.users.len(),
        options.min_users
    );
    let (train_users, heldout) = split(&data.users, options.holdout, options.seed);
    let (fit_users, validation) = split(&train_users, 0.25, options.seed + 1);
    anyhow::ensure!(
        !heldout.is_empty() && !validation.is_empty(),
        "too few users to hold any out"
    );
    let catalog = load_catalog(service, stages).await?;
    let rows = examples(service, &catalog, &train_users, stages).await?;
    let fit_ids: std::collections::HashSet<&str> =
        fit_users.iter().map(|u| u.user.id.as_str()).collect();
    let fit_rows: Vec<_> = train_users
        .iter()
        .zip(&rows)
        .filter(|(u, _)| fit_ids.contains(u.user.id.as_str()))
        .map(|(_, r)| r.clone())
        .collect();

    let base_model = ServedModel {
        base: served.base.clone(),
        adapter: None,
    };
    let quiet = stages.stage("validation: choosing penalty and blend");
    let mut curve = Vec::new();
    let zero = evaluate(service, &validation, &base_model, &catalog, &*quiet).await?;
    for &penalty in &options.penalties {
        let map = fit(&Examples::from_rows(&fit_rows)?, penalty)?;
        for &blend in &options.blends {
            let ndcg = if blend == 0.0 {
                zero.metrics.ndcg_at_10
            } else {
                let model = candidate_model(&served.base, "validation", &map, blend);
                evaluate(service, &validation, &model, &catalog, &*quiet)
                    .await?
                    .metrics
                    .ndcg_at_10
            };
            curve.push(CurvePoint {
                penalty,
                blend,
                ndcg_at_10: ndcg,
            });
        }
    }
    let best = curve
        .iter()
        .max_by(|a, b| {
            a.ndcg_at_10
                .total_cmp(&b.ndcg_at_10)
                // On a tie prefer the smaller change.
                .then_with(|| b.blend.total_cmp(&a.blend))
        })
        .cloned()
        .expect("the curve has points");

    let version = registry.next_version()?;
    let map = fit(&Examples::from_rows(&rows)?, best.penalty)?;
    let candidate = candidate_model(&served.base, &version, &map, best.blend);
    let held = stages.stage("held-out: base model");
    let base_eval = evaluate(service, &heldout, &base_model, &catalog, &*held).await?;
    let active = match &served.adapter {
        Some(a) => {
            let held = stages.stage("held-out: active model");
            let e = evaluate(service, &heldout, &served, &catalog, &*held).await?;
            Some((a.version.clone(), e.metrics))
        }
        None => None,
    };
    let held = stages.stage("held-out: candidate");
    let candidate_eval = evaluate(service, &heldout, &candidate, &catalog, &*held).await?;
    let manifest = Manifest {
        version: version.clone(),
        base_model: served.base.clone(),
        text_version: EMBEDDING_TEXT_VERSION,
        method: format!(
            "linear query adapter: PCA (linfa-reduction, up to {} components) of profile vectors, then multi-task ridge regression (linfa-elasticnet, l1_ratio 0) to the mean vector of joined communities, blended with the base vector",
            train::COMPONENTS
        ),
        parameters: Parameters {
            penalty: best.penalty,
            blend: best.blend,
            holdout: options.holdout,
            seed: options.seed,
            train_users: train_users.len(),
            heldout_users: heldout.len(),
            events: data.events,
            solver_steps: map.steps,
        },
        data_source: data_source.to_string(),
        data_hash: data.hash.clone(),
        metrics: HeldOut {
            base: base_eval.metrics,
            candidate: candidate_eval.metrics,
            active,
        },
        created_at: now_timestamp(),
    };
    let adapter = candidate
        .adapter
        .as_deref()
        .cloned()
        .expect("a candidate has an adapter");
    let html = report::render(&manifest, &curve, &base_eval, &candidate_eval);
    let dir = registry.save(&manifest, &adapter, &html)?;
    Ok(Outcome {
        manifest,
        dir,
        curve,
        base: base_eval,
        candidate: candidate_eval,
    })
}

fn candidate_model(base: &str, version: &str, map: &train::LinearMap, blend: f32) -> ServedModel {
    let dimension = map.bias.len();
    ServedModel {
        base: base.to_string(),
        adapter: Some(Arc::new(QueryAdapter {
            version: version.to_string(),
            base_model: base.to_string(),
            text_version: EMBEDDING_TEXT_VERSION,
            dimension,
            weights: map.weights.clone(),
            bias: map.bias.clone(),
            blend,
        })),
    }
}

async fn load_catalog(service: &Recommender, stages: &dyn Stages) -> anyhow::Result<Catalog> {
    let store = service.store();
    let progress = stages.stage("reading the catalog");
    progress.start(store.count().await?);
    let mut vectors = HashMap::new();
    let mut first_category = HashMap::new();
    let mut cursor = None;
    loop {
        let (page, next) = store.scroll(cursor, 256).await?;
        for c in page {
            if let Some(record) = store.get(&c.id).await? {
                vectors.insert(c.id.to_string(), record.vector);
            }
            if let Some(cat) = c.categories.first() {
                first_category.insert(c.id.to_string(), cat.clone());
            }
            progress.advance(1);
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    progress.finish();
    Ok(Catalog {
        size: vectors.len(),
        first_category,
        vectors,
    })
}

/// (profile vector, target vector) per user, in the order of `users`.
async fn examples(
    service: &Recommender,
    catalog: &Catalog,
    users: &[UserData],
    stages: &dyn Stages,
) -> anyhow::Result<Vec<(Vec<f32>, Vec<f32>)>> {
    let progress = stages.stage("embedding training profiles");
    progress.start(users.len());
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        let x = service.base_profile_vector(&u.user.profile).await?;
        let mut y = vec![0.0f32; x.len()];
        let liked = u
            .joined
            .iter()
            .map(|id| (id, 1.0f32))
            .chain(u.clicked.iter().map(|id| (id, 0.5f32)));
        for (id, w) in liked {
            if let Some(v) = catalog.vectors.get(id) {
                y.iter_mut().zip(v).for_each(|(a, b)| *a += w * b);
            }
        }
        rows.push((x, normalize(y)));
        progress.advance(1);
    }
    progress.finish();
    Ok(rows)
}
