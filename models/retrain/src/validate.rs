//! Choosing a candidate's parameters on validation users: part of the
//! training users, never fitted, split the same three ways as the held-out
//! users ([`crate::splits`]).
//!
//! The global map acts on everyone, so its penalty, blend and reach are
//! chosen on *strangers*: validation users whose profile text the fit never
//! saw, and those of fields held out of the fit. A map that only helps the
//! wordings it was trained on, or that moves fields it never saw, is blended
//! in less or kept within reach of the training profiles. Segments act only
//! on the texts they were pooled from, so their blend is chosen on the
//! validation users who typed a fitted text. A blend above 0 qualifies only
//! when neither group of strangers loses more than `retrain.max_heldout_drop`
//! and together they gain at least that much: a map that acts on everyone
//! must earn it, or the base model (blend 0) stays. On a tie the smaller
//! change wins.

use std::collections::BTreeMap;

use copmatch_core::progress::JobProgress;
use copmatch_core::served_model::{QueryAdapter, ServedModel};
use copmatch_core::Recommender;
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;

use crate::data::UserData;
use crate::heldout::{evaluate, Catalog};
use crate::options::{ChooseOn, Method, RetrainOptions};
use crate::report::CurvePoint;
use crate::splits::Splits;
use crate::targets::{self, Example};
use crate::train::{fit, Examples, LinearMap};

/// What validation chose, and every point it measured.
pub struct Chosen {
    pub penalty: f64,
    pub blend: f32,
    pub reach: f32,
    pub segment_blend: f32,
    pub curve: Vec<CurvePoint>,
}

/// A served model with a learned map and (optionally) segments.
pub struct Candidate<'a> {
    pub base: &'a str,
    pub version: &'a str,
    pub map: &'a LinearMap,
    pub blend: f32,
    pub anchors: Vec<Vec<f32>>,
    pub reach: f32,
    pub segments: BTreeMap<String, Vec<f32>>,
    pub segment_blend: f32,
}

impl Candidate<'_> {
    pub fn model(self) -> ServedModel {
        ServedModel {
            base: self.base.to_string(),
            adapter: Some(std::sync::Arc::new(QueryAdapter {
                version: self.version.to_string(),
                base_model: self.base.to_string(),
                text_version: EMBEDDING_TEXT_VERSION,
                dimension: self.map.bias.len(),
                weights: self.map.weights.clone(),
                bias: self.map.bias.clone(),
                blend: self.blend,
                segments: self.segments,
                segment_blend: self.segment_blend,
                anchors: self.anchors,
                reach: self.reach,
            })),
        }
    }
}

struct Measure<'a> {
    service: &'a Recommender,
    catalog: &'a Catalog,
    progress: &'a dyn JobProgress,
    sets: &'a Splits,
}

impl Measure<'_> {
    async fn ndcg(&self, users: &[UserData], model: &ServedModel) -> anyhow::Result<Option<f64>> {
        if users.is_empty() {
            return Ok(None);
        }
        let e = evaluate(self.service, users, model, self.catalog, self.progress).await?;
        Ok(Some(e.metrics.ndcg_at_10))
    }

    /// (by user, by query, by field) of one model.
    async fn point(&self, model: &ServedModel) -> anyhow::Result<(f64, f64, Option<f64>)> {
        Ok((
            self.ndcg(&self.sets.by_user, model).await?.unwrap_or(0.0),
            self.ndcg(&self.sets.by_query, model).await?.unwrap_or(0.0),
            self.ndcg(&self.sets.by_field, model).await?,
        ))
    }
}

/// nDCG@10 of the strangers (new texts and held-out fields), weighted by users.
fn strangers(p: &CurvePoint, sets: &Splits) -> f64 {
    let (q, f) = (sets.by_query.len() as f64, sets.by_field.len() as f64);
    match p.by_field {
        Some(field) if f > 0.0 => (p.by_query * q + field * f) / (q + f),
        _ => p.by_query,
    }
}

pub async fn choose(
    service: &Recommender,
    catalog: &Catalog,
    base: &str,
    validation: &Splits,
    fit_rows: &[Example],
    options: &RetrainOptions,
    progress: &dyn JobProgress,
) -> anyhow::Result<Chosen> {
    let measure = Measure {
        service,
        catalog,
        progress,
        sets: validation,
    };
    let base_model = ServedModel {
        base: base.to_string(),
        adapter: None,
    };
    let zero = measure.point(&base_model).await?;
    // Blend 0, the base model, is always a candidate.
    let blends: Vec<f32> = match options.method {
        Method::Segments => vec![0.0],
        _ => std::iter::once(0.0)
            .chain(options.blends.iter().copied().filter(|b| *b > 0.0))
            .collect(),
    };
    let reaches: Vec<f32> = match options.choose_on {
        ChooseOn::Users => vec![0.0],
        ChooseOn::Queries => options.reaches.clone(),
    };
    let anchors = targets::anchors(fit_rows);
    let mut curve = Vec::new();
    let mut maps = Vec::new();
    for &penalty in &options.penalties {
        let map = fit(&Examples::from_examples(fit_rows)?, penalty)?;
        for &blend in &blends {
            for &reach in if blend == 0.0 {
                &[0.0][..]
            } else {
                &reaches[..]
            } {
                let (by_user, by_query, by_field) = if blend == 0.0 {
                    zero
                } else {
                    let model = Candidate {
                        base,
                        version: "validation",
                        map: &map,
                        blend,
                        anchors: anchors.clone(),
                        reach,
                        segments: BTreeMap::new(),
                        segment_blend: 0.0,
                    }
                    .model();
                    measure.point(&model).await?
                };
                curve.push(CurvePoint {
                    penalty,
                    blend,
                    reach,
                    segment_blend: 0.0,
                    by_user,
                    by_query,
                    by_field,
                });
            }
        }
        maps.push(map);
    }
    let chosen = |p: &CurvePoint| match options.choose_on {
        ChooseOn::Queries => strangers(p, validation),
        ChooseOn::Users => p.by_user,
    };
    // What the gate will ask of the candidate, asked of each point first: no
    // group of strangers loses more than the allowed drop.
    let allowed = options.gate.max_heldout_drop;
    // And a map that acts on everyone must earn it: at least that much
    // better for strangers than the base model, or blend 0.
    let base_strangers = strangers(
        &CurvePoint {
            penalty: 0.0,
            blend: 0.0,
            reach: 0.0,
            segment_blend: 0.0,
            by_user: zero.0,
            by_query: zero.1,
            by_field: zero.2,
        },
        validation,
    );
    let spares_strangers = |p: &CurvePoint| {
        options.choose_on == ChooseOn::Users
            || p.blend == 0.0
            || (p.by_query >= zero.1 - allowed
                && match (p.by_field, zero.2) {
                    (Some(f), Some(z)) => f >= z - allowed,
                    _ => true,
                }
                && strangers(p, validation) >= base_strangers + allowed)
    };
    let best = curve
        .iter()
        .filter(|p| spares_strangers(p))
        .max_by(|a, b| {
            chosen(a)
                .total_cmp(&chosen(b))
                .then_with(|| b.blend.total_cmp(&a.blend))
                .then_with(|| a.reach.total_cmp(&b.reach))
        })
        .cloned()
        .expect("blend 0 always qualifies");
    let map = &maps[options
        .penalties
        .iter()
        .position(|p| *p == best.penalty)
        .unwrap_or(0)];
    let fitted = targets::segments(fit_rows, options.min_segment_users);
    let mut segment_blend = (0.0f32, best.by_user);
    if options.method != Method::Global && !fitted.is_empty() {
        for &sb in options.segment_blends.iter().filter(|b| **b > 0.0) {
            let model = Candidate {
                base,
                version: "validation",
                map,
                blend: best.blend,
                anchors: anchors.clone(),
                reach: best.reach,
                segments: fitted.clone(),
                segment_blend: sb,
            }
            .model();
            let by_user = measure
                .ndcg(&validation.by_user, &model)
                .await?
                .unwrap_or(0.0);
            curve.push(CurvePoint {
                segment_blend: sb,
                by_user,
                ..best.clone()
            });
            if by_user > segment_blend.1 {
                segment_blend = (sb, by_user);
            }
        }
    }
    Ok(Chosen {
        penalty: best.penalty,
        blend: best.blend,
        reach: best.reach,
        segment_blend: segment_blend.0,
        curve,
    })
}
